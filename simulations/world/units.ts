/**
 * Conversions between the laboratory's float64 numbers (USD, whole tokens) and the chain's
 * bigints, done once at the edge. Deterministic (fixed rounding, no locale).
 */
const WAD = 10n ** 18n;

/** USD (float) to WAD, at a micro-dollar resolution (rounded to nearest). */
export function usdToWad(usd: number): bigint {
  if (!Number.isFinite(usd)) throw new RangeError(`not a finite amount: ${usd}`);
  return BigInt(Math.round(usd * 1e6)) * 10n ** 12n;
}

/** A price or ratio (float) to a fixed-point integer with `decimals` (rounded to nearest). */
export function toFixedUnits(x: number, decimals: number): bigint {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const d = Math.min(decimals, 8);
  return BigInt(Math.round(x * 10 ** d)) * 10n ** BigInt(decimals - d);
}

/** Whole tokens (float) to raw units, rounded down. */
export function tokensToUnits(x: number, decimals: number): bigint {
  if (!(x >= 0) || !Number.isFinite(x)) throw new RangeError(`not a token amount: ${x}`);
  const d = Math.min(decimals, 10);
  return BigInt(Math.floor(x * 10 ** d)) * 10n ** BigInt(decimals - d);
}

/** A WAD bigint to a float. */
export function wadToNumber(x: bigint): number {
  const whole = x / WAD;
  const frac = x % WAD;
  return Number(whole) + Number(frac) / 1e18;
}

/** Raw token units to whole tokens (float). */
export function unitsToTokens(x: bigint, decimals: number): number {
  const scale = 10n ** BigInt(decimals);
  return Number(x / scale) + Number(x % scale) / Number(scale);
}

/** A decimal string for parameter files ("2000.5"), from a float (at most 8 decimals). */
export function decimalString(x: number): string {
  const s = x.toFixed(8).replace(/0+$/, "").replace(/\.$/, "");
  return s === "" ? "0" : s;
}
