/**
 * Bigint mirror of contracts/libraries/WadMath.sol and the OpenZeppelin Math helpers it uses.
 * Every function names its rounding; inputs and outputs are uint256 like on chain, and a result
 * that would revert on chain (division by zero, overflow) throws a `WadMathError`.
 */

export const WAD = 10n ** 18n;
export const RAY = 10n ** 27n;
export const MAX_UINT256 = (1n << 256n) - 1n;

/** The on-chain operation would revert. */
export class WadMathError extends Error {
  override name = "WadMathError";
}

function checkUint(x: bigint): bigint {
  if (x < 0n || x > MAX_UINT256) throw new WadMathError(`value out of uint256 range: ${x}`);
  return x;
}

/** `x * y / d`, rounded down (OpenZeppelin `Math.mulDiv`). */
export function mulDivDown(x: bigint, y: bigint, d: bigint): bigint {
  checkUint(x);
  checkUint(y);
  checkUint(d);
  if (d === 0n) throw new WadMathError("division by zero");
  return checkUint((x * y) / d);
}

/** `x * y / d`, rounded up (OpenZeppelin `Math.mulDiv(..., Ceil)`). */
export function mulDivUp(x: bigint, y: bigint, d: bigint): bigint {
  checkUint(x);
  checkUint(y);
  checkUint(d);
  if (d === 0n) throw new WadMathError("division by zero");
  const p = x * y;
  return checkUint(p / d + (p % d === 0n ? 0n : 1n));
}

/** `ceil(a / b)` (OpenZeppelin `Math.ceilDiv`). */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return mulDivUp(a, 1n, b);
}

/** `x * y / WAD`, rounded down. */
export function mulWadDown(x: bigint, y: bigint): bigint {
  return mulDivDown(x, y, WAD);
}

/** `x * y / WAD`, rounded up. */
export function mulWadUp(x: bigint, y: bigint): bigint {
  return mulDivUp(x, y, WAD);
}

/** `x * WAD / y`, rounded down. */
export function divWadDown(x: bigint, y: bigint): bigint {
  return mulDivDown(x, WAD, y);
}

/** `x * WAD / y`, rounded up. */
export function divWadUp(x: bigint, y: bigint): bigint {
  return mulDivUp(x, WAD, y);
}

/** Integer square root, rounded down (OpenZeppelin `Math.sqrt(a)`). */
export function sqrt(a: bigint): bigint {
  checkUint(a);
  if (a < 2n) return a;
  // Newton's method from an over-estimate converges monotonically to floor(sqrt(a)).
  let x = 1n << BigInt((a.toString(2).length + 1) >> 1);
  for (;;) {
    const y = (x + a / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Integer square root, rounded up (OpenZeppelin `Math.sqrt(a, Rounding.Ceil)`). */
export function sqrtUp(a: bigint): bigint {
  const s = sqrt(a);
  return s * s < a ? s + 1n : s;
}

export function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
