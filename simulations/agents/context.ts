/**
 * What every agent sees and uses in a step: the world, the chain, the step's markets, the
 * observer (state from logs) and the account tracker, plus a `send` that observes its logs.
 */
import type { MarketStep, PriceEnvironment } from "../markets/index.js";
import type { Scenario } from "../scenarios/schema.js";
import type { Chain, TxResult } from "../world/chain.js";
import type { World } from "../world/deploy.js";
import type { Observer } from "../world/observer.js";
import type { AccountTracker } from "../world/tracker.js";

export interface StepContext {
  readonly scenario: Scenario;
  readonly world: World;
  readonly chain: Chain;
  readonly env: PriceEnvironment;
  readonly observer: Observer;
  readonly tracker: AccountTracker;
  /** The step's markets. */
  readonly market: MarketStep;
  /** Seconds since the start of the run (start of this step). */
  readonly t: number;
  readonly stepSeconds: number;
  /** Epoch seconds of t = 0 on the chain's clock. */
  readonly chainStart: number;
  /** ETH price in USD (for gas costs): the CEX price of ETH, else 2,000. */
  readonly ethUsd: number;
  /**
   * Moves the simulated clock to where an action `offsetSeconds` into the step lands (the next
   * block boundary), as `send` does: an agent that decides not to send (the chain would refuse)
   * still spends its latency.
   */
  advance(offsetSeconds: number): void;
  /** Sends a transaction at simulated time `t + offsetSeconds` and observes its logs. */
  send(from: string, to: string, data: string, gas?: bigint, offsetSeconds?: number): Promise<TxResult>;
}

/** Gas cost in USD of `gasUnits` at the step's gas price. */
export function gasCostUsd(ctx: StepContext, gasUnits: number): number {
  return gasUnits * ctx.market.gasPriceGwei * 1e-9 * ctx.ethUsd;
}
