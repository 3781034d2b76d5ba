/**
 * On-chain pool liquidity over time.
 *
 * "Pool depth" in this laboratory is the total value (USD, both sides) of an equivalent
 * full-range constant-product pool: reserves of `depthUsd / 2` USD of the asset and
 * `depthUsd / 2` of the stablecoin. Selling into it moves the price by `s` after about
 * `depthUsd * s / 4` USD (for small s): at 2% slippage, 1% of one side's reserves, as the data
 * README says. The world turns it into Uniswap v3 liquidity with `fullRangeLiquidity`.
 *
 * Schedules: a constant depth times a piecewise-linear factor (`ScheduledDepth`), or the
 * ten-minute reserves of the main ETH/DAI pool around a stress day (`ReplayDepth`, from
 * `stress-days/DATE.eth_dai_liquidity.json`, whose rows are on US Pacific time; no such file for
 * 2020-03-12).
 */
import { readFileSync } from "node:fs";
import { DataReport, dataFile, isoTime, parseUtc } from "./data.js";
import { interpolate } from "./gas.js";
import { DataFormatError, stressDayFile } from "./replay.js";

/** Anything that gives the pool depth (USD) at a time in seconds since the start of the run. */
export interface DepthModel {
  depthUsdAt(tSeconds: number): number;
}

/** A point of a depth schedule: depth = initial depth * factor at `atSeconds`. */
export interface DepthPoint {
  readonly atSeconds: number;
  readonly factor: number;
}

/** Initial depth times a piecewise-linear factor (1 before the first point, held after the last). */
export class ScheduledDepth implements DepthModel {
  private readonly points: readonly DepthPoint[];

  constructor(
    readonly initialDepthUsd: number,
    schedule: readonly DepthPoint[] = [],
  ) {
    if (!(initialDepthUsd > 0)) throw new RangeError(`pool depth must be > 0, got ${initialDepthUsd}`);
    const pts = [{ atSeconds: 0, factor: 1 }, ...schedule];
    for (let i = 1; i < pts.length; i++) {
      if (!(pts[i].factor > 0)) throw new RangeError(`schedule[${i - 1}].factor must be > 0`);
      if (!(pts[i].atSeconds >= pts[i - 1].atSeconds))
        throw new RangeError(`schedule[${i - 1}] is out of time order`);
    }
    this.points = pts;
  }

  depthUsdAt(t: number): number {
    return this.initialDepthUsd * interpolate(this.points, t, (p) => p.factor);
  }
}

/**
 * Ten-minute total value (USD) of the ETH/DAI pool around a stress day (2 x DAI reserve):
 * `tvlUsd[i]` is the pool at `startEpoch + i * intervalSeconds` (real UTC times, see
 * `loadStressDayLiquidity`).
 */
export interface LiquiditySeries {
  readonly file: string;
  /** UTC time of the first row: `date` 00:00 US Pacific (08:00 UTC, or 07:00 in daylight time). */
  readonly startEpoch: number;
  readonly intervalSeconds: number;
  readonly tvlUsd: Float64Array;
  /** UTC offset of the file's clock at the first row, hours (-8 or -7). */
  readonly utcOffsetHours: number;
}

/**
 * UTC offset (hours) of US Pacific time at 00:00 local on `date` (YYYY-MM-DD): -7 in daylight
 * time, -8 otherwise. The US rule since 2007: daylight time from the second Sunday of March to
 * the first Sunday of November (it changes at 02:00 local, so midnight of either Sunday is still
 * on the old offset). Earlier years are refused (another rule applied).
 */
export function pacificUtcOffsetHours(date: string): -7 | -8 {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  const d = Number(date.slice(8, 10));
  if (!(y >= 2007)) throw new RangeError(`US Pacific offset: the rule used holds from 2007, got ${date}`);
  // day of the month of the n-th Sunday of `month` (1-based)
  const nthSunday = (month: number, n: number): number => {
    const weekdayOfFirst = new Date(Date.UTC(y, month - 1, 1)).getUTCDay(); // 0 = Sunday
    return 1 + ((7 - weekdayOfFirst) % 7) + 7 * (n - 1);
  };
  const start = nthSunday(3, 2);
  const end = nthSunday(11, 1);
  const daylight = (m > 3 && m < 11) || (m === 3 && d > start) || (m === 11 && d <= end);
  return daylight ? -7 : -8;
}

/**
 * Loads a stress day's ETH/DAI reserves. The file has no timestamps and is on US Pacific time,
 * not UTC: the pool's own price (DAI / WETH) matches the ETH candles of 8 hours later in winter
 * (7 in summer), so row i is placed at `date 00:00 Pacific + 10 min * i`, i.e. from 08:00 UTC
 * (07:00 UTC in daylight time; `pacificUtcOffsetHours`), and the placement is reported as a
 * `time-zone` fix. The rows thus cover 08:00 UTC of `date` to 08:00 UTC of the next day: the
 * rows past the UTC day are kept at their real times (they are data of the next UTC day's first
 * hours), and nothing covers `date` 00:00-08:00 UTC (`ReplayDepth` holds the first row there and
 * `buildPriceEnvironment` reports it). The pool's value is `2 * DAI` (both sides are equal in
 * value in a constant-product pool at its own price).
 */
export function loadStressDayLiquidity(
  date: string,
  options: { readonly dataDir?: string } = {},
): { series: LiquiditySeries; report: DataReport } {
  const path = dataFile(stressDayFile(date, "eth_dai_liquidity"), options.dataDir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DataFormatError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw) || raw.length === 0)
    throw new DataFormatError(`${path}: expected a non-empty array of {DAI, WETH}`);
  const tvl = Float64Array.from(raw, (row: unknown, i) => {
    const dai = (row as { DAI?: unknown }).DAI;
    if (typeof dai !== "number" || !(dai > 0))
      throw new DataFormatError(`${path}: [${i}].DAI: expected a positive number`);
    return 2 * dai;
  });
  const intervalSeconds = 600;
  const offset = pacificUtcOffsetHours(date);
  const startEpoch = (parseUtc(date) as number) - offset * 3600;
  const report = new DataReport();
  report.add({
    file: path,
    kind: "time-zone",
    detail:
      `rows are on US Pacific time (UTC${offset}): placed from ${isoTime(startEpoch)} to ` +
      `${isoTime(startEpoch + (tvl.length - 1) * intervalSeconds)}, not from ${date} 00:00 UTC`,
  });
  return {
    series: { file: path, startEpoch, intervalSeconds, tvlUsd: tvl, utcOffsetHours: offset },
    report,
  };
}

/**
 * The parts of [fromEpoch, toEpoch) that `series` does not cover (before its first row, after
 * the end of its last), as `missing-interval` fixes: `ReplayDepth` holds the nearest row there.
 */
export function uncoveredDepth(series: LiquiditySeries, fromEpoch: number, toEpoch: number): DataReport {
  const report = new DataReport();
  const first = series.startEpoch;
  const end = series.startEpoch + series.tvlUsd.length * series.intervalSeconds;
  if (fromEpoch < first) {
    const until = Math.min(first, toEpoch);
    report.add({
      file: series.file,
      kind: "missing-interval",
      time: fromEpoch,
      detail: `no pool row from ${isoTime(fromEpoch)} to ${isoTime(until)} (the file starts at ${isoTime(first)}); the first row is held`,
    });
  }
  if (toEpoch > end) {
    const from = Math.max(end, fromEpoch);
    report.add({
      file: series.file,
      kind: "missing-interval",
      time: from,
      detail: `no pool row from ${isoTime(from)} to ${isoTime(toEpoch)} (the file ends at ${isoTime(end)}); the last row is held`,
    });
  }
  return report;
}

/**
 * Replayed depth: "absolute" uses the historical pool value (times `scale`); "relative" starts at
 * `initialDepthUsd` and follows the historical pool's relative changes. `startEpoch` is the UTC
 * time of the run's t = 0. Step function over the ten-minute rows at their UTC times; the first
 * row is held before the series starts and the last after it ends (`uncoveredDepth` reports it).
 */
export class ReplayDepth implements DepthModel {
  constructor(
    readonly series: LiquiditySeries,
    readonly startEpoch: number,
    readonly mode: "absolute" | "relative",
    readonly initialDepthUsd: number,
    readonly scale = 1,
  ) {}

  private row(t: number): number {
    const s = this.series;
    const i = Math.floor((this.startEpoch + t - s.startEpoch) / s.intervalSeconds);
    return s.tvlUsd[Math.min(Math.max(i, 0), s.tvlUsd.length - 1)];
  }

  depthUsdAt(t: number): number {
    if (this.mode === "absolute") return this.row(t) * this.scale;
    return (this.initialDepthUsd * this.row(t)) / this.row(0);
  }
}

/**
 * USD of the asset that can be sold into a constant-product pool of total value `depthUsd`
 * before its price falls by `slippage` (a fraction): `x * (1 / sqrt(1 - s) - 1)` with
 * `x = depthUsd / 2`.
 */
export function sellableUsdAtSlippage(depthUsd: number, slippage: number): number {
  if (!(slippage > 0 && slippage < 1)) throw new RangeError(`slippage must be in (0, 1), got ${slippage}`);
  return (depthUsd / 2) * (1 / Math.sqrt(1 - slippage) - 1);
}

/**
 * Uniswap v3 full-range liquidity `L = sqrt(x * y)` of a pool worth `depthUsd` at `priceUsd`, in
 * whole-token units (`x = depthUsd / 2 / price` of the asset, `y = depthUsd / 2` of the stable).
 * Multiply by `sqrt(10^(decimalsAsset + decimalsStable))` for raw on-chain units.
 */
export function fullRangeLiquidity(depthUsd: number, priceUsd: number): number {
  return depthUsd / 2 / Math.sqrt(priceUsd);
}
