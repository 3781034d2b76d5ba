/**
 * MetricsRecorder: collects one `StepMetrics` per simulation step, derives the rolling
 * liquidation velocity and the effective breaker level, serializes to CSV and JSONL, and
 * computes the run summary.
 *
 * Definitions (all exact; tests in test/sim/metrics.test.ts check them on hand-computed series):
 *
 * - Drawdown of a price series p_0..p_n: the largest peak-to-trough fall,
 *   max over i <= j of (p_i - p_j) / p_i, a fraction in [0, 1]; 0 for a series that never falls.
 *   Null entries (no pool) are skipped; non-positive prices cannot be peaks.
 *
 * - Cascade amplification of an asset: drawdown(CEX price) / drawdown(exogenous price). The CEX
 *   price is the reference market that liquidation flow moves (the pool is arbitraged back to it),
 *   so the ratio measures how much the protocol's own selling deepened the fall; 1 means no
 *   amplification. The pool's ratio is reported beside it (`poolAmplification`) but not used in
 *   the headline, because transient pool dislocations measure arbitrage latency, not the cascade.
 *   Guard: when the exogenous drawdown is below `cascadeDrawdownFloor` (default 1e-4, a 0.01% move)
 *   the ratio is undefined and reported as `null`. The run's `cascadeAmplification` is the max
 *   over assets of the non-null ratios, or `null` if there are none.
 *
 * - Liquidation velocity at step i, USD per hour: the sum of `liquidatedUsd` over the steps j with
 *   timestamp_j in (timestamp_i - W, timestamp_i], divided by W / 3600 (W = `velocityWindowSeconds`,
 *   default 3600). The divisor is always the full window, also early in the run, so a velocity is
 *   never inflated by a short history. `peakLiquidationVelocity` is its max over the run.
 *
 * - Auction efficiency: sum of `auctionProceedsUsd` / sum of `auctionOracleValueUsd` over all
 *   assets and steps (oracle value at the time of each take); `null` when nothing was sold.
 *
 * - Time above level 0, seconds: the effective breaker level (max of the global and every asset's
 *   level) sampled at step i is held until step i + 1, so the time is the sum over i < n - 1 of
 *   (timestamp_{i+1} - timestamp_i) for the steps whose level is > 0. The last sample adds nothing.
 *
 * - Simulated blocks: by default last block - first block (blocks mined between the first and
 *   last recorded step); the runner can pass the exact count in `SummaryExtras`.
 */

import {
  HEALTH_BIN_COUNT,
  HEALTH_BIN_EDGES,
  type AssetCascade,
  type AssetStep,
  type HealthDistribution,
  type MarketStep,
  type RecordedStep,
  type RunMeta,
  type RunSummary,
  type StepMetrics,
  type SummaryExtras,
} from "./types.js";

/** Options of a recorder. */
export interface RecorderOptions {
  /** Window of the rolling liquidation velocity, seconds (default 3600). */
  velocityWindowSeconds?: number;
  /** Exogenous drawdown below which cascade amplification is undefined (default 1e-4). */
  cascadeDrawdownFloor?: number;
}

/** Fields of an asset block, in CSV column order. */
export const ASSET_FIELDS = [
  "exogenousUsd",
  "cexUsd",
  "poolUsd",
  "oracleUsd",
  "breakerLevel",
  "auctionsOpen",
  "auctionTakes",
  "auctionAmountSold",
  "auctionProceedsUsd",
  "auctionOracleValueUsd",
] as const satisfies readonly (keyof AssetStep)[];

/** Fields of a market block, in CSV column order. */
export const MARKET_FIELDS = [
  "fundingRatePerDay",
  "skewUsd",
  "openInterestLongUsd",
  "openInterestShortUsd",
] as const satisfies readonly (keyof MarketStep)[];

/** Scalar health fields, in CSV column order (the histogram follows as `health.hist.<i>`). */
export const HEALTH_FIELDS = [
  "accounts",
  "accountsWithoutLiability",
  "liquidatable",
  "min",
  "p5",
  "p25",
  "p50",
  "p75",
  "p95",
] as const satisfies readonly (keyof HealthDistribution)[];

/** Scalar step fields after the health block, in CSV column order. */
export const TAIL_FIELDS = [
  "liquidatableDebtUsd",
  "liquidations",
  "liquidatedUsd",
  "liquidationVelocityUsdPerHour",
  "badDebtUsd",
  "deficitUsd",
  "vaultNetAssetsUsd",
  "breakerLevel",
  "effectiveBreakerLevel",
  "txCount",
  "gasUsed",
] as const satisfies readonly (keyof RecordedStep)[];

const NULLABLE_ASSET_FIELDS: ReadonlySet<string> = new Set(["poolUsd"]);
const NULLABLE_HEALTH_FIELDS: ReadonlySet<string> = new Set(["min", "p5", "p25", "p50", "p75", "p95"]);
const KEY_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Error for a malformed step; the message names the step and the field. */
export class MetricsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MetricsError";
  }
}

/** Quantile q of an ascending array (linear interpolation between order statistics, "type 7"). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new MetricsError("quantile of an empty sample");
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo];
  const b = sorted[hi];
  return lo === hi ? a : a + (b - a) * (pos - lo);
}

/** Index of the histogram bin holding health h (>= 0). */
export function healthBin(h: number): number {
  for (let i = HEALTH_BIN_EDGES.length - 1; i > 0; i--) if (h >= HEALTH_BIN_EDGES[i]) return i;
  return 0;
}

/**
 * Health distribution from raw health factors, one per account. `Infinity` means "no liability"
 * (counted in `accountsWithoutLiability`); negative values are treated as 0.
 */
export function healthDistribution(values: readonly number[]): HealthDistribution {
  const kept: number[] = [];
  let without = 0;
  for (const v of values) {
    if (v === Infinity) without++;
    else if (Number.isNaN(v)) throw new MetricsError("health factor is NaN");
    else kept.push(Math.max(0, v));
  }
  // a typed array sorts numbers in ascending order without a comparator call per pair (no NaN
  // and no -0 here: the same order as (a, b) => a - b), every step of a 1,000-account run
  const finite = Float64Array.from(kept).sort();
  const histogram = new Array<number>(HEALTH_BIN_COUNT).fill(0);
  let liquidatable = 0;
  for (const h of finite) {
    histogram[healthBin(h)]++;
    if (h < 1) liquidatable++;
  }
  const q = (p: number): number | null => (finite.length === 0 ? null : quantileSorted(finite, p));
  return {
    accounts: finite.length,
    accountsWithoutLiability: without,
    liquidatable,
    min: finite.length === 0 ? null : finite[0],
    p5: q(0.05),
    p25: q(0.25),
    p50: q(0.5),
    p75: q(0.75),
    p95: q(0.95),
    histogram,
  };
}

/** Largest peak-to-trough fall of a price series, a fraction; nulls skipped; 0 if it never falls. */
export function maxDrawdown(series: readonly (number | null)[]): number {
  let peak = 0;
  let worst = 0;
  for (const p of series) {
    if (p === null) continue;
    if (p > peak) peak = p;
    else if (peak > 0) {
      const dd = (peak - p) / peak;
      if (dd > worst) worst = dd;
    }
  }
  return worst;
}

/** a / b, or null when b is below the floor (guards divide-by-zero). */
export function guardedRatio(a: number, b: number, floor: number): number | null {
  return b >= floor && b > 0 ? a / b : null;
}

function checkNumber(value: unknown, where: string, nullable: boolean): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new MetricsError(
      `${where}: expected a finite number${nullable ? " or null" : ""}, got ${String(value)}`,
    );
  return value === 0 ? 0 : value; // -0 does not survive CSV or JSON; store +0
}

function checkKeys(
  keys: string[],
  kind: string,
  expected: readonly string[] | undefined,
  step: number,
): void {
  for (const k of keys)
    if (!KEY_PATTERN.test(k))
      throw new MetricsError(`step ${step}: ${kind} key "${k}" must match ${KEY_PATTERN.source}`);
  if (expected !== undefined && (keys.length !== expected.length || keys.some((k, i) => k !== expected[i])))
    throw new MetricsError(
      `step ${step}: ${kind} keys [${keys.join(", ")}] differ from the first step's [${expected.join(", ")}]`,
    );
}

/** Validates a step and copies it into canonical shape (sorted keys, fixed field order). */
function canonicalStep(
  s: StepMetrics,
  assetKeys?: readonly string[],
  marketKeys?: readonly string[],
): StepMetrics {
  const stepNo = checkNumber(s.step, "step", false) as number;
  const at = (path: string): string => `step ${stepNo}: ${path}`;
  const aKeys = Object.keys(s.assets ?? {}).sort();
  const mKeys = Object.keys(s.markets ?? {}).sort();
  checkKeys(aKeys, "asset", assetKeys, stepNo);
  checkKeys(mKeys, "market", marketKeys, stepNo);

  const assets: Record<string, AssetStep> = {};
  for (const k of aKeys) {
    const src = s.assets[k] as unknown as Record<string, unknown>;
    const out: Record<string, number | null> = {};
    for (const f of ASSET_FIELDS)
      out[f] = checkNumber(src[f], at(`assets.${k}.${f}`), NULLABLE_ASSET_FIELDS.has(f));
    assets[k] = out as unknown as AssetStep;
  }
  const markets: Record<string, MarketStep> = {};
  for (const k of mKeys) {
    const src = s.markets[k] as unknown as Record<string, unknown>;
    const out: Record<string, number> = {};
    for (const f of MARKET_FIELDS) out[f] = checkNumber(src[f], at(`markets.${k}.${f}`), false) as number;
    markets[k] = out as unknown as MarketStep;
  }
  const hSrc = (s.health ?? {}) as unknown as Record<string, unknown>;
  const health: Record<string, number | null | number[]> = {};
  for (const f of HEALTH_FIELDS)
    health[f] = checkNumber(hSrc[f], at(`health.${f}`), NULLABLE_HEALTH_FIELDS.has(f));
  const hist = hSrc.histogram;
  if (!Array.isArray(hist) || hist.length !== HEALTH_BIN_COUNT)
    throw new MetricsError(at(`health.histogram must be an array of ${HEALTH_BIN_COUNT} counts`));
  health.histogram = hist.map((v, i) => checkNumber(v, at(`health.histogram[${i}]`), false) as number);

  const num = (f: keyof StepMetrics): number =>
    checkNumber((s as unknown as Record<string, unknown>)[f], at(f), false) as number;
  return {
    step: stepNo,
    timestamp: num("timestamp"),
    block: num("block"),
    assets,
    markets,
    health: health as unknown as HealthDistribution,
    liquidatableDebtUsd: num("liquidatableDebtUsd"),
    liquidations: num("liquidations"),
    liquidatedUsd: num("liquidatedUsd"),
    badDebtUsd: num("badDebtUsd"),
    deficitUsd: num("deficitUsd"),
    vaultNetAssetsUsd: num("vaultNetAssetsUsd"),
    breakerLevel: num("breakerLevel"),
    txCount: num("txCount"),
    gasUsed: num("gasUsed"),
  };
}

/** Builds a RecordedStep in canonical key order (the JSONL and CSV rely on it). */
function withDerived(s: StepMetrics, velocity: number): RecordedStep {
  let effective = s.breakerLevel;
  for (const a of Object.values(s.assets)) effective = Math.max(effective, a.breakerLevel);
  return {
    step: s.step,
    timestamp: s.timestamp,
    block: s.block,
    assets: s.assets,
    markets: s.markets,
    health: s.health,
    liquidatableDebtUsd: s.liquidatableDebtUsd,
    liquidations: s.liquidations,
    liquidatedUsd: s.liquidatedUsd,
    liquidationVelocityUsdPerHour: velocity,
    badDebtUsd: s.badDebtUsd,
    deficitUsd: s.deficitUsd,
    vaultNetAssetsUsd: s.vaultNetAssetsUsd,
    breakerLevel: s.breakerLevel,
    effectiveBreakerLevel: effective,
    txCount: s.txCount,
    gasUsed: s.gasUsed,
  };
}

/** CSV column names for the given asset and market keys, in the stable order. */
export function csvColumns(assetKeys: readonly string[], marketKeys: readonly string[]): string[] {
  const cols = ["step", "timestamp", "block"];
  for (const a of assetKeys) for (const f of ASSET_FIELDS) cols.push(`asset.${a}.${f}`);
  for (const m of marketKeys) for (const f of MARKET_FIELDS) cols.push(`market.${m}.${f}`);
  for (const f of HEALTH_FIELDS) cols.push(`health.${f}`);
  for (let i = 0; i < HEALTH_BIN_COUNT; i++) cols.push(`health.hist.${i}`);
  for (const f of TAIL_FIELDS) cols.push(f);
  return cols;
}

/** One CSV cell: shortest round-trip decimal (`String(x)`), empty for null. */
const cell = (v: number | null): string => (v === null ? "" : String(v));

/** CSV text of recorded steps (header + one row per step, LF line ends, trailing LF). */
export function stepsToCsv(steps: readonly RecordedStep[]): string {
  const first = steps[0];
  const aKeys = first ? Object.keys(first.assets) : [];
  const mKeys = first ? Object.keys(first.markets) : [];
  const lines = [csvColumns(aKeys, mKeys).join(",")];
  for (const s of steps) {
    const row: (number | null)[] = [s.step, s.timestamp, s.block];
    for (const a of aKeys) for (const f of ASSET_FIELDS) row.push(s.assets[a][f]);
    for (const m of mKeys) for (const f of MARKET_FIELDS) row.push(s.markets[m][f]);
    for (const f of HEALTH_FIELDS) row.push(s.health[f]);
    for (const c of s.health.histogram) row.push(c);
    for (const f of TAIL_FIELDS) row.push(s[f]);
    lines.push(row.map(cell).join(","));
  }
  return lines.join("\n") + "\n";
}

/** JSONL text of recorded steps (one JSON object per line, trailing LF). */
export function stepsToJsonl(steps: readonly RecordedStep[]): string {
  return steps.map((s) => JSON.stringify(s)).join("\n") + (steps.length > 0 ? "\n" : "");
}

/** Parses `stepsToCsv` output back into recorded steps; errors name the line and column. */
export function parseMetricsCsv(text: string, source = "metrics.csv"): RecordedStep[] {
  const lines = text.split("\n").filter((l) => l.length > 0);
  if (lines.length === 0) throw new MetricsError(`${source}: empty file (no header)`);
  const header = lines[0].split(",");
  const index = new Map(header.map((c, i) => [c, i]));
  const keysOf = (prefix: string, field: string): string[] =>
    header.filter((c) => c.startsWith(prefix) && c.endsWith(`.${field}`)).map((c) => c.split(".")[1]);
  const aKeys = keysOf("asset.", ASSET_FIELDS[0]);
  const mKeys = keysOf("market.", MARKET_FIELDS[0]);
  for (const c of csvColumns(aKeys, mKeys))
    if (!index.has(c)) throw new MetricsError(`${source}: missing column "${c}"`);

  return lines.slice(1).map((line, li) => {
    const cells = line.split(",");
    if (cells.length !== header.length)
      throw new MetricsError(`${source} line ${li + 2}: ${cells.length} cells, header has ${header.length}`);
    const get = (col: string, nullable = false): number | null => {
      const raw = cells[index.get(col) as number];
      if (raw === "") {
        if (nullable) return null;
        throw new MetricsError(`${source} line ${li + 2}: column "${col}" is empty`);
      }
      const v = Number(raw);
      if (!Number.isFinite(v))
        throw new MetricsError(`${source} line ${li + 2}: column "${col}" is not a number`);
      return v;
    };
    const n = (col: string): number => get(col) as number;
    const assets: Record<string, AssetStep> = {};
    for (const a of aKeys) {
      const o: Record<string, number | null> = {};
      for (const f of ASSET_FIELDS) o[f] = get(`asset.${a}.${f}`, NULLABLE_ASSET_FIELDS.has(f));
      assets[a] = o as unknown as AssetStep;
    }
    const markets: Record<string, MarketStep> = {};
    for (const m of mKeys) {
      const o: Record<string, number> = {};
      for (const f of MARKET_FIELDS) o[f] = n(`market.${m}.${f}`);
      markets[m] = o as unknown as MarketStep;
    }
    const health: Record<string, number | null | number[]> = {};
    for (const f of HEALTH_FIELDS) health[f] = get(`health.${f}`, NULLABLE_HEALTH_FIELDS.has(f));
    health.histogram = Array.from({ length: HEALTH_BIN_COUNT }, (_, i) => n(`health.hist.${i}`));
    return {
      step: n("step"),
      timestamp: n("timestamp"),
      block: n("block"),
      assets,
      markets,
      health: health as unknown as HealthDistribution,
      liquidatableDebtUsd: n("liquidatableDebtUsd"),
      liquidations: n("liquidations"),
      liquidatedUsd: n("liquidatedUsd"),
      liquidationVelocityUsdPerHour: n("liquidationVelocityUsdPerHour"),
      badDebtUsd: n("badDebtUsd"),
      deficitUsd: n("deficitUsd"),
      vaultNetAssetsUsd: n("vaultNetAssetsUsd"),
      breakerLevel: n("breakerLevel"),
      effectiveBreakerLevel: n("effectiveBreakerLevel"),
      txCount: n("txCount"),
      gasUsed: n("gasUsed"),
    };
  });
}

/** Parses `stepsToJsonl` output; re-validates every step (errors name the line and field). */
export function parseMetricsJsonl(text: string, source = "metrics.jsonl"): RecordedStep[] {
  const out: RecordedStep[] = [];
  let assetKeys: string[] | undefined;
  let marketKeys: string[] | undefined;
  text.split("\n").forEach((line, li) => {
    if (line.trim() === "") return;
    let raw: RecordedStep;
    try {
      raw = JSON.parse(line) as RecordedStep;
    } catch (e) {
      throw new MetricsError(`${source} line ${li + 1}: invalid JSON (${(e as Error).message})`);
    }
    try {
      const s = canonicalStep(raw, assetKeys, marketKeys);
      assetKeys ??= Object.keys(s.assets);
      marketKeys ??= Object.keys(s.markets);
      const v = checkNumber(
        raw.liquidationVelocityUsdPerHour,
        "liquidationVelocityUsdPerHour",
        false,
      ) as number;
      out.push(withDerived(s, v));
    } catch (e) {
      throw new MetricsError(`${source} line ${li + 1}: ${(e as Error).message}`);
    }
  });
  return out;
}

/**
 * Computes the run summary from recorded steps (the definitions are in the module header).
 * Pure: the report recomputes nothing, it reads `summary.json`.
 */
export function summarizeSteps(
  steps: readonly RecordedStep[],
  meta: RunMeta,
  extras: SummaryExtras,
  options: Required<RecorderOptions>,
): RunSummary {
  const n = steps.length;
  const first = steps[0];
  const last = steps[n - 1];
  const floor = options.cascadeDrawdownFloor;

  const cascadeByAsset: Record<string, AssetCascade> = {};
  let cascade: number | null = null;
  for (const a of first ? Object.keys(first.assets) : []) {
    const exo = maxDrawdown(steps.map((s) => s.assets[a].exogenousUsd));
    const cex = maxDrawdown(steps.map((s) => s.assets[a].cexUsd));
    const hasPool = steps.some((s) => s.assets[a].poolUsd !== null);
    const pool = hasPool ? maxDrawdown(steps.map((s) => s.assets[a].poolUsd)) : null;
    const amp = guardedRatio(cex, exo, floor);
    cascadeByAsset[a] = {
      exogenousDrawdown: exo,
      cexDrawdown: cex,
      poolDrawdown: pool,
      amplification: amp,
      poolAmplification: pool === null ? null : guardedRatio(pool, exo, floor),
    };
    if (amp !== null && (cascade === null || amp > cascade)) cascade = amp;
  }

  let peakVelocity = 0;
  let liquidations = 0;
  let liquidatedUsd = 0;
  let proceeds = 0;
  let oracleValue = 0;
  let timeAbove = 0;
  let maxLevel = 0;
  let maxDeficit = 0;
  let minP5: number | null = null;
  let txCount = 0;
  let gasUsed = 0;
  steps.forEach((s, i) => {
    peakVelocity = Math.max(peakVelocity, s.liquidationVelocityUsdPerHour);
    liquidations += s.liquidations;
    liquidatedUsd += s.liquidatedUsd;
    for (const a of Object.values(s.assets)) {
      proceeds += a.auctionProceedsUsd;
      oracleValue += a.auctionOracleValueUsd;
    }
    const next = steps[i + 1];
    if (next !== undefined && s.effectiveBreakerLevel > 0) timeAbove += next.timestamp - s.timestamp;
    maxLevel = Math.max(maxLevel, s.effectiveBreakerLevel);
    maxDeficit = Math.max(maxDeficit, s.deficitUsd);
    if (s.health.p5 !== null && (minP5 === null || s.health.p5 < minP5)) minP5 = s.health.p5;
    txCount += s.txCount;
    gasUsed += s.gasUsed;
  });

  const totalTx = extras.txCount ?? txCount;
  const blocks = extras.simulatedBlocks ?? (first && last ? last.block - first.block : 0);
  const wall = extras.wallSeconds;
  return {
    schemaVersion: 1,
    scenario: meta.scenario,
    seed: meta.seed,
    marginMode: meta.marginMode,
    badDebt: last ? last.badDebtUsd : 0,
    deficit: last ? last.deficitUsd : 0,
    maxDeficit,
    cascadeAmplification: cascade,
    peakLiquidationVelocity: peakVelocity,
    velocityWindowSeconds: options.velocityWindowSeconds,
    liquidations,
    liquidatedUsd,
    auctionEfficiency: oracleValue > 0 ? proceeds / oracleValue : null,
    timeAboveLevel0: timeAbove,
    maxBreakerLevel: maxLevel,
    minHealthP5: minP5,
    ...(extras.endState === undefined
      ? {}
      : {
          liquidatableAtEnd: { ...extras.endState.liquidatable },
          awaitingAuctionsAtEnd: { ...extras.endState.awaitingAuctions },
        }),
    txCount: totalTx,
    gasUsed,
    simulatedBlocks: blocks,
    simulatedSeconds: first && last ? last.timestamp - first.timestamp : 0,
    steps: n,
    wallSeconds: wall,
    blocksPerSecond: wall > 0 ? blocks / wall : null,
    txPerSecond: wall > 0 ? totalTx / wall : null,
    cascadeDrawdownFloor: floor,
    cascadeByAsset,
    ...(extras.dataFixes === undefined ? {} : { dataFixes: extras.dataFixes.map((f) => ({ ...f })) }),
    meta: { ...meta },
  };
}

/** Collects per-step metrics during a run. Not thread-safe; one recorder per run. */
export class MetricsRecorder {
  /** Static helper re-exported for the world loop: raw health factors -> distribution. */
  static readonly healthDistribution = healthDistribution;

  readonly options: Required<RecorderOptions>;
  private readonly recorded: RecordedStep[] = [];
  private assetKeys?: string[];
  private marketKeys?: string[];
  /** Index of the oldest step inside the velocity window, its running sum and nonzero count. */
  private windowStart = 0;
  private windowSum = 0;
  private windowNonZero = 0;

  constructor(options: RecorderOptions = {}) {
    const velocityWindowSeconds = options.velocityWindowSeconds ?? 3600;
    const cascadeDrawdownFloor = options.cascadeDrawdownFloor ?? 1e-4;
    if (!(velocityWindowSeconds > 0)) throw new MetricsError("velocityWindowSeconds must be > 0");
    if (!(cascadeDrawdownFloor > 0)) throw new MetricsError("cascadeDrawdownFloor must be > 0");
    this.options = { velocityWindowSeconds, cascadeDrawdownFloor };
  }

  /** The recorded steps, in order (do not mutate). */
  get steps(): readonly RecordedStep[] {
    return this.recorded;
  }

  /**
   * Records one step (validated and copied: later changes to `step` do not affect the record).
   * Throws `MetricsError` naming the field on a non-finite number, a changed asset or market set,
   * a step index that does not increase, or a timestamp that goes back.
   */
  record(step: StepMetrics): RecordedStep {
    const s = canonicalStep(step, this.assetKeys, this.marketKeys);
    const prev = this.recorded[this.recorded.length - 1];
    if (prev !== undefined) {
      if (s.step <= prev.step) throw new MetricsError(`step ${s.step}: step index must exceed ${prev.step}`);
      if (s.timestamp < prev.timestamp)
        throw new MetricsError(`step ${s.step}: timestamp ${s.timestamp} < previous ${prev.timestamp}`);
    }
    this.assetKeys ??= Object.keys(s.assets);
    this.marketKeys ??= Object.keys(s.markets);

    // Rolling window (t - W, t]: drop steps at or before t - W, then add this one.
    const cutoff = s.timestamp - this.options.velocityWindowSeconds;
    while (this.windowStart < this.recorded.length && this.recorded[this.windowStart].timestamp <= cutoff) {
      const old = this.recorded[this.windowStart++].liquidatedUsd;
      this.windowSum -= old;
      if (old !== 0) this.windowNonZero--;
    }
    this.windowSum += s.liquidatedUsd;
    if (s.liquidatedUsd !== 0) this.windowNonZero++;
    if (this.windowNonZero === 0) this.windowSum = 0; // no float residue once the window is empty
    const velocity = Math.max(0, this.windowSum) / (this.options.velocityWindowSeconds / 3600);

    const r = withDerived(s, velocity);
    this.recorded.push(r);
    return r;
  }

  /** CSV, one row per step, columns in `csvColumns` order (assets and markets sorted by key). */
  toCsv(): string {
    return stepsToCsv(this.recorded);
  }

  /** JSONL, one recorded step per line. */
  toJsonl(): string {
    return stepsToJsonl(this.recorded);
  }

  /** The run summary (see the module header for the definitions). */
  summarize(meta: RunMeta, extras: SummaryExtras): RunSummary {
    return summarizeSteps(this.recorded, meta, extras, this.options);
  }
}
