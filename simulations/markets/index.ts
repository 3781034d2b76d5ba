/**
 * The markets of a scenario, stepped: `buildPriceEnvironment(scenario, rng)` gives a
 * `PriceEnvironment` whose `next()` returns, each step, everything exogenous the engine needs:
 * the exogenous prices, the CEX reference prices, gas, pool depth and the oracle's failure state.
 *
 * The engine's loop:
 * ```ts
 * const env = buildPriceEnvironment(scenario, rng);
 * // deploy with env.initial (t = 0)
 * for (let s = env.next(); s !== undefined; s = env.next()) {
 *   // agents act at s.t; their net CEX flow moves the reference:
 *   env.cex.ETH.applyFlow(-250_000); // a liquidator sells $250k of ETH on the CEX
 * }
 * ```
 * Randomness: only sub-streams of the `rng` given (`markets/normals`, `markets/<asset>`), so the
 * same seed and scenario give the same steps, bit for bit.
 * Records are keyed by asset symbol and hold exactly the scenario's assets (`env.assets`).
 */
import type { Rng } from "../rng.js";
import { ASSETS, scenarioAssets, type Asset, type ProcessSpec, type Scenario } from "../scenarios/schema.js";
import { CexReference } from "./cex.js";
import { DataReport, isoTime, parseUtc } from "./data.js";
import { ConstantGas, ReplayGas, ScheduledGas, loadStressDayGas, type GasModel } from "./gas.js";
import {
  ReplayDepth,
  ScheduledDepth,
  loadStressDayLiquidity,
  uncoveredDepth,
  type DepthModel,
} from "./liquidity.js";
import {
  GbmProcess,
  MarketPriceModel,
  RegimeProcess,
  ScriptedProcess,
  correlationMatrix,
  type AssetProcess,
  type ShockParams,
} from "./processes.js";
import {
  CandlePath,
  ReplayProcess,
  loadCandleCsv,
  loadHourly,
  loadStressDayCandles,
  type LoadedSeries,
} from "./replay.js";

export { CexReference } from "./cex.js";
export { DataReport } from "./data.js";

/** t = 0 when a scenario names no start and has no replay: 2024-01-01T00:00:00Z. */
export const DEFAULT_START_EPOCH = 1_704_067_200;

/** Everything exogenous at one step. Records hold one entry per asset of the scenario. */
export interface MarketStep {
  /** Step index: 0 for the initial state, then 1..steps. */
  readonly step: number;
  /** Seconds since the start. */
  readonly t: number;
  /** Wall-clock time (epoch seconds, UTC): the historical time for replays. */
  readonly timestamp: number;
  /** Exogenous ("true") prices, USD. */
  readonly exogenous: Readonly<Record<string, number>>;
  /** CEX reference prices at the start of the step (exogenous moved by past flows). */
  readonly cex: Readonly<Record<string, number>>;
  readonly gasPriceGwei: number;
  /** Pool depth: total value (USD, both sides) of the equivalent full-range pool. */
  readonly poolDepthUsd: Readonly<Record<string, number>>;
  /** True while a `freeze` failure window covers the asset: the keeper sends nothing. */
  readonly oracleFrozen: Readonly<Record<string, boolean>>;
  /** Extra keeper latency from `delay` failure windows (0 outside them). */
  readonly oracleExtraLatencySeconds: Readonly<Record<string, number>>;
  /** Jumps in the step, per asset (jump-diffusion processes). */
  readonly jumps: Readonly<Record<string, number>>;
  /** Current regime name of regime-switching assets. */
  readonly regime: Readonly<Record<string, string>>;
}

/** The stepped markets of a scenario. */
export interface PriceEnvironment {
  readonly assets: readonly Asset[];
  readonly stepSeconds: number;
  /** Number of steps `next()` returns before `undefined`. */
  readonly steps: number;
  readonly blockTimeSeconds: number;
  /** Wall-clock time of t = 0 (epoch seconds). */
  readonly startEpoch: number;
  /** The state at t = 0. */
  readonly initial: MarketStep;
  /** The CEX reference of each asset: apply the simulation's net flows here. */
  readonly cex: Readonly<Record<string, CexReference>>;
  /** Every defect cleaned out of the historical data this environment uses. */
  readonly dataReport: DataReport;
  /** Advances one step; `undefined` after the last. */
  next(): MarketStep | undefined;
}

/** Options for building an environment. */
export interface EnvironmentOptions {
  /** Data directory (default: `resolveDataDir()`). */
  readonly dataDir?: string;
}

function replayStart(p: ProcessSpec): number | undefined {
  if (p.kind !== "replay") return undefined;
  return parseUtc(p.source === "hourly" ? (p.from as string) : (p.date as string));
}

/** Wall-clock start of a scenario (see `Scenario.start`). */
export function scenarioStartEpoch(s: Scenario): number {
  if (s.start !== undefined) return parseUtc(s.start) as number;
  for (const a of scenarioAssets(s)) {
    const t = replayStart(s.assets[a]!.process);
    if (t !== undefined) return t;
  }
  return DEFAULT_START_EPOCH;
}

/** Builds the markets of `scenario`, drawing from sub-streams of `rng`. */
export function buildPriceEnvironment(
  scenario: Scenario,
  rng: Rng,
  options: EnvironmentOptions = {},
): PriceEnvironment {
  const assets = scenarioAssets(scenario);
  const dt = scenario.steps.seconds;
  const steps = scenario.steps.count;
  const duration = dt * steps;
  const startEpoch = scenarioStartEpoch(scenario);
  const report = new DataReport();
  const where = `scenario ${scenario.name}`;

  // Historical series, loaded once per file.
  const loaded = new Map<string, LoadedSeries>();
  const load = (key: string, f: () => LoadedSeries): LoadedSeries => {
    let v = loaded.get(key);
    if (v === undefined) {
      v = f();
      loaded.set(key, v);
    }
    return v;
  };

  // Processes.
  const processes: AssetProcess[] = assets.map((a) => {
    const spec = scenario.assets[a]!;
    const p = spec.process;
    const prng = rng.fork(`markets/${a}`);
    switch (p.kind) {
      case "gbm":
      case "correlated":
        return new GbmProcess(
          {
            initialPrice: spec.initialPrice!,
            muPerYear: p.muPerYear,
            sigmaPerYear: p.sigmaPerYear,
            jumps: p.jumps,
          },
          prng,
        );
      case "regime":
        return new RegimeProcess(
          {
            initialPrice: spec.initialPrice!,
            regimes: p.regimes,
            transitions: p.transitions,
            initialRegime: p.initialRegime,
          },
          prng,
        );
      case "scripted":
        return new ScriptedProcess(spec.initialPrice!, p.keyframes);
      case "replay": {
        const opts = { dataDir: options.dataDir, wickThreshold: p.wickThreshold };
        if (p.source === "stress-day" && a !== "ETH" && p.file === undefined) {
          throw new Error(`${where}: assets.${a}.process: stress-day data exists for ETH only; give a file`);
        }
        const from = replayStart(p) as number;
        const { series, report: r } =
          p.source === "hourly"
            ? load(`hourly:${p.file ?? a}:${p.wickThreshold}`, () =>
                p.file !== undefined ? loadCandleCsv(p.file, opts) : loadHourly(a, opts),
              )
            : load(`day:${p.date}:${p.file ?? ""}:${p.wickThreshold}`, () =>
                loadStressDayCandles(p.date as string, { ...opts, file: p.file }),
              );
        const path = new CandlePath(series, p.intrabar);
        if (from < path.startTime || from + duration > path.endTime) {
          throw new Error(
            `${where}: assets.${a}.process: the run needs ${isoTime(from)}..${isoTime(from + duration)} ` +
              `but ${series.file} covers ${isoTime(path.startTime)}..${isoTime(path.endTime)}`,
          );
        }
        report.merge(r.within(from - series.intervalSeconds, from + duration + series.intervalSeconds));
        return new ReplayProcess(path, from, spec.initialPrice);
      }
    }
  });

  // Correlations: the `correlations` list plus the `correlated` processes.
  const pairs: { assets: [string, string]; rho: number }[] = scenario.correlations.map((c) => ({
    assets: c.assets,
    rho: c.rho,
  }));
  for (const a of assets) {
    const p = scenario.assets[a]!.process;
    if (p.kind === "correlated") pairs.push({ assets: [a, p.with], rho: p.rho });
  }
  const shocks: ShockParams[][] = assets.map((a) =>
    scenario.shocks.filter((s) => (s.assets ?? ASSETS).includes(a)),
  );
  const model = new MarketPriceModel(
    assets,
    processes,
    rng.fork("markets/normals"),
    correlationMatrix(assets, pairs),
    shocks,
  );

  // Venues.
  const initialPrices = model.current();
  const cex: Record<string, CexReference> = {};
  assets.forEach((a, i) => {
    cex[a] = new CexReference({
      initialPrice: initialPrices[i],
      depthUsd: scenario.cex.depthUsd[a]!,
      impact: scenario.cex.impact,
      resilienceHalfLifeSeconds: scenario.cex.resilienceHalfLifeSeconds,
    });
  });
  const depth: DepthModel[] = assets.map((a) => {
    const pool = scenario.pools[a]!;
    if (pool.replay === undefined) return new ScheduledDepth(pool.depthUsd, pool.schedule);
    const { series, report: r } = loadStressDayLiquidity(pool.replay.date, options);
    // t = 0 is `date` 00:00 UTC + offsetSeconds; the rows sit at their real UTC times (US Pacific
    // clock), so the first hours of the UTC day hold the first row (reported)
    const from = (parseUtc(pool.replay.date) as number) + pool.replay.offsetSeconds;
    if (!report.fixes.some((f) => f.file === series.file && f.kind === "time-zone")) report.merge(r);
    for (const f of uncoveredDepth(series, from, from + duration).fixes)
      if (!report.fixes.some((g) => g.file === f.file && g.detail === f.detail)) report.add(f);
    return new ReplayDepth(series, from, pool.replay.mode, pool.depthUsd, pool.replay.scale);
  });
  const g = scenario.gas;
  let gas: GasModel;
  if (g.kind === "constant") gas = new ConstantGas(g.gwei);
  else if (g.kind === "schedule") gas = new ScheduledGas(g.points);
  else {
    const { series, report: r } = loadStressDayGas(g.date, g.field, options);
    const mismatch = r.fixes.find((f) => f.kind === "date-mismatch");
    if (mismatch !== undefined && !g.allowDateMismatch) {
      throw new Error(
        `${where}: gas.date: ${series.file}: ${mismatch.detail.replace(/; re-based.*$/, "")} ` +
          `(another day's gas); set gas.allowDateMismatch: true to replay it re-based to ${g.date}`,
      );
    }
    report.merge(r);
    gas = new ReplayGas(series, series.startEpoch + g.offsetSeconds, g.scale);
  }
  const failures = scenario.oracle.failures;

  let index = 0;
  const snapshot = (prices: Float64Array): MarketStep => {
    const t = index * dt;
    const exogenous: Record<string, number> = {};
    const cexPrices: Record<string, number> = {};
    const poolDepthUsd: Record<string, number> = {};
    const oracleFrozen: Record<string, boolean> = {};
    const extra: Record<string, number> = {};
    const jumps: Record<string, number> = {};
    const regime: Record<string, string> = {};
    assets.forEach((a, i) => {
      exogenous[a] = prices[i];
      cexPrices[a] = cex[a].price;
      poolDepthUsd[a] = depth[i].depthUsdAt(t);
      let frozen = false;
      let delay = 0;
      for (const f of failures) {
        if (t >= f.fromSeconds && t < f.toSeconds && (f.assets ?? ASSETS).includes(a)) {
          if (f.kind === "freeze") frozen = true;
          else delay += f.extraLatencySeconds;
        }
      }
      oracleFrozen[a] = frozen;
      extra[a] = delay;
      const proc = model.process(i);
      jumps[a] = index === 0 ? 0 : proc.lastJumps;
      if (proc instanceof RegimeProcess) regime[a] = proc.regimeName;
    });
    return {
      step: index,
      t,
      timestamp: startEpoch + t,
      exogenous,
      cex: cexPrices,
      gasPriceGwei: gas.gweiAt(t),
      poolDepthUsd,
      oracleFrozen,
      oracleExtraLatencySeconds: extra,
      jumps,
      regime,
    };
  };
  const initial = snapshot(initialPrices);

  return {
    assets,
    stepSeconds: dt,
    steps,
    blockTimeSeconds: scenario.blockTimeSeconds,
    startEpoch,
    initial,
    cex,
    dataReport: report,
    next(): MarketStep | undefined {
      if (index >= steps) return undefined;
      const prices = model.step(dt);
      index++;
      assets.forEach((a, i) => cex[a].step(dt, prices[i]));
      return snapshot(prices);
    },
  };
}

/** Columns of a whole run without any flow: the exogenous side of a scenario. */
export interface ExogenousPaths {
  readonly assets: readonly Asset[];
  /** Seconds since the start, `steps + 1` values (t = 0 first). */
  readonly t: Float64Array;
  readonly prices: Readonly<Record<string, Float64Array>>;
  readonly gasPriceGwei: Float64Array;
  readonly poolDepthUsd: Readonly<Record<string, Float64Array>>;
  readonly oracleFrozen: Readonly<Record<string, Uint8Array>>;
  readonly dataReport: DataReport;
}

/** Runs the environment of `scenario` to the end with no flows and returns its columns. */
export function exogenousPaths(
  scenario: Scenario,
  rng: Rng,
  options: EnvironmentOptions = {},
): ExogenousPaths {
  const env = buildPriceEnvironment(scenario, rng, options);
  const n = env.steps + 1;
  const t = new Float64Array(n);
  const gas = new Float64Array(n);
  const prices: Record<string, Float64Array> = {};
  const depth: Record<string, Float64Array> = {};
  const frozen: Record<string, Uint8Array> = {};
  for (const a of env.assets) {
    prices[a] = new Float64Array(n);
    depth[a] = new Float64Array(n);
    frozen[a] = new Uint8Array(n);
  }
  for (let s: MarketStep | undefined = env.initial; s !== undefined; s = env.next()) {
    t[s.step] = s.t;
    gas[s.step] = s.gasPriceGwei;
    for (const a of env.assets) {
      prices[a][s.step] = s.exogenous[a];
      depth[a][s.step] = s.poolDepthUsd[a];
      frozen[a][s.step] = s.oracleFrozen[a] ? 1 : 0;
    }
  }
  return {
    assets: env.assets,
    t,
    prices,
    gasPriceGwei: gas,
    poolDepthUsd: depth,
    oracleFrozen: frozen,
    dataReport: env.dataReport,
  };
}
