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
 * ten-minute reserves of the main ETH/DAI pool on a stress day (`ReplayDepth`, from
 * `stress-days/DATE.eth_dai_liquidity.json`; no such file for 2020-03-12).
 */
import { readFileSync } from "node:fs";
import { DataReport, dataFile } from "./data.js";
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

/** Ten-minute total value (USD) of the ETH/DAI pool on a stress day (2 x DAI reserve). */
export interface LiquiditySeries {
  readonly file: string;
  readonly startEpoch: number;
  readonly intervalSeconds: number;
  readonly tvlUsd: Float64Array;
}

/**
 * Loads a stress day's ETH/DAI reserves. The file has no timestamps: row i is taken to be
 * `date 00:00 UTC + 10 min * i`. The pool's value is `2 * DAI` (both sides are equal in value in
 * a constant-product pool at its own price).
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
  const startEpoch =
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 1000;
  return { series: { file: path, startEpoch, intervalSeconds: 600, tvlUsd: tvl }, report: new DataReport() };
}

/**
 * Replayed depth: "absolute" uses the historical pool value (times `scale`); "relative" starts at
 * `initialDepthUsd` and follows the historical pool's relative changes. Step function over the
 * ten-minute rows; the last row is held after the end.
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
