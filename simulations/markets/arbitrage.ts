/**
 * The arbitrageur's plan, off-chain: how much to trade on the pool (and the opposite way on the
 * CEX) to bring the pool back to the CEX reference, in float64 for planning; the world executes
 * it on chain with bigint amounts.
 *
 * The pool is a Uniswap v3 pool seen as one range of constant liquidity `L` (whole-token units,
 * `L = sqrt(x * y)`; see `fullRangeLiquidity`), price `p = sqrtP^2` in stable per asset, fee `f`:
 * - buying the asset (stable in): `sqrtP` rises; asset out `L (1/sqrtP - 1/sqrtP')`, stable in
 *   `L (sqrtP' - sqrtP) / (1 - f)`;
 * - selling the asset (asset in): `sqrtP` falls; stable out `L (sqrtP - sqrtP')`, asset in
 *   `L (1/sqrtP' - 1/sqrtP) / (1 - f)`.
 * The CEX leg moves the reference (`CexReference.quote`), so the optimum is where the marginal
 * pool price, fee included, meets the CEX price after the CEX leg's own impact. Found by
 * bisection on `sqrtP'` (both sides are monotone).
 */
import type { CexReference } from "./cex.js";

export interface PoolState {
  /** Pool price, stable per asset. */
  readonly price: number;
  /** Active liquidity, whole-token units (`sqrt(asset * stable)`). */
  readonly liquidity: number;
  /** Fee as a fraction (0.003 for the 30 bps tier). */
  readonly fee: number;
}

export interface ArbPlan {
  /** "buy-pool": buy the asset on the pool, sell on the CEX; "sell-pool": the reverse. */
  readonly direction: "buy-pool" | "sell-pool" | "none";
  /** Asset bought from (buy-pool) or sold into (sell-pool, fee included) the pool. */
  readonly assetAmount: number;
  /** Stable paid into (buy-pool, fee included) or received from (sell-pool) the pool. */
  readonly stableAmount: number;
  /** Signed USD flow of the CEX leg (negative = selling the asset there). */
  readonly cexFlowUsd: number;
  readonly poolPriceAfter: number;
  readonly cexPriceAfter: number;
  /** CEX proceeds minus pool cost (buy-pool) or pool proceeds minus CEX cost (sell-pool), USD. */
  readonly profitUsd: number;
}

const NONE = (pool: PoolState, cex: number): ArbPlan => ({
  direction: "none",
  assetAmount: 0,
  stableAmount: 0,
  cexFlowUsd: 0,
  poolPriceAfter: pool.price,
  cexPriceAfter: cex,
  profitUsd: 0,
});

/**
 * The trade that brings the pool to the CEX price, or `none` unless the marginal pool price, fee
 * included, beats the CEX by more than `thresholdBps`. `cex` is only quoted, never changed: apply `cexFlowUsd` to it after
 * the pool trade has happened.
 */
export function planArbitrage(
  pool: PoolState,
  cex: Pick<CexReference, "price" | "quote">,
  thresholdBps = 0,
): ArbPlan {
  const { price: p, liquidity: L, fee } = pool;
  if (!(p > 0) || !(L > 0) || !(fee >= 0 && fee < 1))
    throw new RangeError("pool needs price > 0, liquidity > 0, fee in [0, 1)");
  const c = cex.price;
  const th = 1 + thresholdBps / 10_000;
  const s0 = Math.sqrt(p);
  if ((p / (1 - fee)) * th < c) {
    // Pool cheap: buy on the pool, sell on the CEX. Notional of the CEX leg at the CEX's price.
    const assetOut = (s: number) => L * (1 / s0 - 1 / s);
    const gap = (s: number) => (s * s) / (1 - fee) - cex.quote(-assetOut(s) * c);
    const s = bisect(gap, s0, Math.sqrt(c * (1 - fee)));
    const x = assetOut(s);
    const stableIn = (L * (s - s0)) / (1 - fee);
    const after = cex.quote(-x * c);
    return {
      direction: "buy-pool",
      assetAmount: x,
      stableAmount: stableIn,
      cexFlowUsd: -x * c,
      poolPriceAfter: s * s,
      cexPriceAfter: after,
      profitUsd: (x * (c + after)) / 2 - stableIn,
    };
  }
  if (p * (1 - fee) > c * th) {
    // Pool rich: buy on the CEX, sell on the pool.
    const assetIn = (s: number) => (L * (1 / s - 1 / s0)) / (1 - fee);
    const gap = (s: number) => cex.quote(assetIn(s) * c) - s * s * (1 - fee);
    const s = bisect((v) => -gap(v), Math.sqrt(c / (1 - fee)), s0);
    const x = assetIn(s);
    const stableOut = L * (s0 - s);
    const after = cex.quote(x * c);
    return {
      direction: "sell-pool",
      assetAmount: x,
      stableAmount: stableOut,
      cexFlowUsd: x * c,
      poolPriceAfter: s * s,
      cexPriceAfter: after,
      profitUsd: stableOut - (x * (c + after)) / 2,
    };
  }
  return NONE(pool, c);
}

/** Root of an increasing function on [lo, hi] (returns an end if there is no sign change). */
function bisect(f: (x: number) => number, lo: number, hi: number): number {
  if (f(lo) >= 0) return lo;
  if (f(hi) <= 0) return hi;
  for (let i = 0; i < 100 && hi - lo > 1e-15 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
