/**
 * Speed of the simulation laboratory (DESIGN.md section 6), measured in one run:
 *
 * - `sim1000x1dSeconds`: black-thursday-2020 (one day at 1-minute steps) with 1,000 accounts on
 *   the in-process chain, wall seconds from connecting to the last step (deployment and account
 *   opening included; report rendering excluded). Target: under 120 s on 2 cores.
 * - `simTxPerSec`, `simBlocksPerSec`: protocol transactions (and blocks) per wall second inside
 *   that run's step loop: agents' decisions, batched views and metrics included.
 * - `rawEdrTxPerSec`: the same transactions (recorded during the loop, same senders, calldata,
 *   gas and timestamps) replayed on the same chain reverted to its state before the loop, sent
 *   back to back with nothing else: EDR's throughput for that exact mix.
 * - `simToRawRatio`: simTxPerSec / rawEdrTxPerSec. Target: >= 0.6.
 *
 * `run.ts` prints these rows with the gas rows (values are not gas: the table's "gas" column
 * holds the measured number).
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { runSimulation, type SpeedStats } from "../../simulations/engine.js";
import { loadScenario } from "../../simulations/scenarios/load.js";
import type { GasRow } from "./gas.js";

export const SIM_ROWS: readonly GasRow[] = [
  {
    key: "rawEdrTxPerSec",
    operation: "raw EDR tx/s (the simulation's transactions replayed)",
    anchor: "-",
  },
  {
    key: "simTxPerSec",
    operation: "simulation tx/s (black-thursday-2020, 1,000 accounts)",
    anchor: ">= 0.6 x raw EDR",
  },
  { key: "simToRawRatio", operation: "simulation tx/s / raw EDR tx/s", anchor: ">= 0.6 (DESIGN.md 6)" },
  { key: "simBlocksPerSec", operation: "simulated blocks / s", anchor: "-" },
  {
    key: "sim1000x1dSeconds",
    operation: "1,000 accounts x 1 day at 1-min steps, seconds",
    target: 120,
    anchor: "< 120 s on 2 cores",
  },
];

export interface SimBenchOptions {
  /** Scenario (default black-thursday-2020). */
  scenario?: string;
  accounts?: number;
  /** Run only the first N steps (a quick bench; the day-long row is then extrapolated: no). */
  steps?: number;
  onStatus?: (message: string) => void;
}

export interface SimBenchResult {
  rows: Record<string, number>;
  speed: SpeedStats;
}

/** Runs the measured simulation and returns the rows of `SIM_ROWS` (plus the full speed stats). */
export async function measureSim(
  hre: HardhatRuntimeEnvironment,
  options: SimBenchOptions = {},
): Promise<SimBenchResult> {
  const scenario = loadScenario(options.scenario ?? "black-thursday-2020");
  const result = await runSimulation({
    hre,
    scenario,
    accounts: options.accounts ?? 1000,
    steps: options.steps,
    bench: true,
    onStatus: options.onStatus,
  });
  const s = result.speed;
  const raw = s.rawTxPerSec ?? 0;
  const rows: Record<string, number> = {
    rawEdrTxPerSec: round1(raw),
    simTxPerSec: round1(s.simTxPerSec),
    simToRawRatio: raw > 0 ? Math.round((s.simTxPerSec / raw) * 100) / 100 : 0,
    simBlocksPerSec: round1(s.simBlocksPerSec),
    // the run's wall time, without the benchmark's replay
    sim1000x1dSeconds: round1(s.setupSeconds + s.loopSeconds),
  };
  return { rows, speed: s };
}

/** The loop's wall time split (SpeedStats), one line. */
export function formatSplit(s: SpeedStats): string {
  const f = (x: number) => x.toFixed(1);
  const other = s.loopSeconds - s.sendSeconds - s.callSeconds;
  return [
    `setup ${f(s.setupSeconds)} s`,
    `loop ${f(s.loopSeconds)} s (${s.loopTx} tx, ${s.loopBlocks} blocks)`,
    `sends ${f(s.sendSeconds)} s`,
    `views ${f(s.callSeconds)} s (${s.calls} calls; lens ${f(s.lensSeconds)} s: ${s.lensCalls} calls for ${s.lensAccounts} accounts: ${s.lensReads.candidates} candidates, ${s.lensReads.touched} touched, ${s.lensReads.rotation} rotation)`,
    `other ${f(other)} s`,
    `failed tx ${s.failedTx}${
      s.failedTx === 0
        ? ""
        : ` (${Object.entries(s.failedByCall)
            .map(([call, n]) => `${call} ${n}`)
            .join(", ")})`
    }`,
    ...(s.rawSeconds === undefined ? [] : [`raw replay ${f(s.rawSeconds)} s`]),
    `requests: ${Object.entries(s.rpc)
      .sort((a, b) => b[1].seconds - a[1].seconds)
      .map(([m, r]) => `${m} ${r.count} ${f(r.seconds)} s`)
      .join(", ")}`,
  ].join("; ");
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
