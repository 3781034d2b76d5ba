/**
 * Small built-in scenarios for tests and benchmarks, derived from the shipped ones so they stay
 * valid as the format evolves.
 */
import { readFileSync } from "node:fs";

import { scenarioPath } from "../scenarios/load.js";
import { parseScenario, type Scenario } from "../scenarios/schema.js";

/** flash-crash, shortened: an hour of one-minute steps, ETH -40% over five minutes at minute 5 (the auctions, starting above the oracle, decay to the pool price within the hour). */
export function crashScenario(overrides: Record<string, unknown> = {}): Scenario {
  const json = JSON.parse(readFileSync(scenarioPath("flash-crash"), "utf8")) as Record<string, unknown>;
  return parseScenario(
    {
      ...json,
      name: "test-crash",
      steps: { seconds: 60, count: 60 },
      shocks: [
        { assets: ["ETH"], atSeconds: 300, drop: 0.4, overSeconds: 300 },
        { assets: ["BTC"], atSeconds: 300, drop: 0.2, overSeconds: 300 },
      ],
      cex: { impact: "sqrt", depthUsd: { ETH: 500000, BTC: 1000000 }, resilienceHalfLifeSeconds: 600 },
      pools: { ETH: { depthUsd: 4000000, feeBps: 5 }, BTC: { depthUsd: 3000000, feeBps: 30 } },
      gas: { kind: "constant", gwei: 20 },
      accounts: {
        ...(json.accounts as object),
        count: 16,
        borrow: { share: 1, utilization: { kind: "uniform", min: 0.8, max: 0.97 } },
        perp: { share: 0.3, leverage: { kind: "uniform", min: 2, max: 6 }, longShare: 0.8 },
      },
      liquidators: {
        count: 2,
        capitalUsd: { kind: "constant", value: 100000 },
        minProfitUsd: { kind: "constant", value: 1 },
        latencySeconds: { kind: "uniform", min: 0, max: 20 },
        useFlash: true,
      },
      backstop: { depositUsd: 500000, lps: 2, withdrawOnDrawdown: 0.2 },
      ...overrides,
    },
    "test-crash",
  );
}
