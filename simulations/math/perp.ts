/**
 * Bigint mirror of contracts/perp/PerpMath.sol, bit for bit (differential tests keep it so).
 * All quantities WAD (1e18). Sizes signed, long > 0.
 */

export const WAD = 10n ** 18n;
const SECONDS_PER_DAY = 86_400n;

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => {
  const p = x * y;
  return p === 0n ? 0n : (p - 1n) / d + 1n;
};

/** Signed x * y / WAD rounded toward -infinity (y >= 0). */
export function mulWadSignedFloor(x: bigint, y: bigint): bigint {
  return x >= 0n ? mulDivDown(x, y, WAD) : -mulDivUp(-x, y, WAD);
}

/** Signed x * y / WAD rounded toward +infinity (y >= 0). */
export function mulWadSignedCeil(x: bigint, y: bigint): bigint {
  return x >= 0n ? mulDivUp(x, y, WAD) : -mulDivDown(-x, y, WAD);
}

/** Solidity's signed division truncates toward zero; so does bigint's. */
const sdiv = (a: bigint, b: bigint): bigint => a / b;

export function fillPrice(
  indexPriceWad: bigint,
  skewWad: bigint,
  sizeDeltaWad: bigint,
  skewScaleWad: bigint,
): bigint {
  const twiceMid = 2n * skewWad + sizeDeltaWad;
  const magnitude = abs(twiceMid);
  const roundPremiumUp = sizeDeltaWad > 0n === twiceMid >= 0n;
  const premium = roundPremiumUp
    ? mulDivUp(indexPriceWad, magnitude, 2n * skewScaleWad)
    : mulDivDown(indexPriceWad, magnitude, 2n * skewScaleWad);
  if (twiceMid >= 0n) return indexPriceWad + premium;
  if (premium >= indexPriceWad) return 0n;
  return indexPriceWad - premium;
}

export function accrueFunding(
  rateWad: bigint,
  skewWad: bigint,
  skewScaleWad: bigint,
  maxVelocityWad: bigint,
  elapsedSeconds: bigint,
  priceWad: bigint,
): { newRateWad: bigint; indexDeltaWad: bigint } {
  let proportional = sdiv(skewWad * WAD, skewScaleWad);
  if (proportional > WAD) proportional = WAD;
  if (proportional < -WAD) proportional = -WAD;
  const velocity = sdiv(proportional * maxVelocityWad, WAD);
  const newRateWad = rateWad + sdiv(velocity * elapsedSeconds, SECONDS_PER_DAY);
  const avg = sdiv(rateWad + newRateWad, 2n);
  const indexDeltaWad = sdiv(sdiv(avg * elapsedSeconds * priceWad, SECONDS_PER_DAY), WAD);
  return { newRateWad, indexDeltaWad };
}

export function fundingOwed(sizeWad: bigint, indexWad: bigint, snapshotWad: bigint): bigint {
  const delta = indexWad - snapshotWad;
  const negative = sizeWad < 0n !== delta < 0n;
  const magnitude = negative
    ? mulDivDown(abs(sizeWad), abs(delta), WAD)
    : mulDivUp(abs(sizeWad), abs(delta), WAD);
  return negative ? -magnitude : magnitude;
}

export function unrealizedPnl(sizeWad: bigint, openNotionalWad: bigint, priceWad: bigint): bigint {
  return mulWadSignedFloor(sizeWad, priceWad) - openNotionalWad;
}

export function applyFill(
  sizeWad: bigint,
  openNotionalWad: bigint,
  sizeDeltaWad: bigint,
  fillPriceWad: bigint,
): { newSizeWad: bigint; newOpenNotionalWad: bigint; realizedPnlWad: bigint } {
  const newSizeWad = sizeWad + sizeDeltaWad;
  if (sizeWad === 0n || sizeWad > 0n === sizeDeltaWad > 0n) {
    return {
      newSizeWad,
      newOpenNotionalWad: openNotionalWad + mulWadSignedCeil(sizeDeltaWad, fillPriceWad),
      realizedPnlWad: 0n,
    };
  }
  const sizeAbs = abs(sizeWad);
  const deltaAbs = abs(sizeDeltaWad);
  const closedAbs = deltaAbs < sizeAbs ? deltaAbs : sizeAbs;
  const closedBasis =
    openNotionalWad >= 0n
      ? mulDivUp(openNotionalWad, closedAbs, sizeAbs)
      : -mulDivDown(-openNotionalWad, closedAbs, sizeAbs);
  const closedSigned = sizeWad > 0n ? closedAbs : -closedAbs;
  const realizedPnlWad = mulWadSignedFloor(closedSigned, fillPriceWad) - closedBasis;
  let newOpenNotionalWad: bigint;
  if (deltaAbs <= sizeAbs) {
    newOpenNotionalWad = newSizeWad === 0n ? 0n : openNotionalWad - closedBasis;
  } else {
    newOpenNotionalWad = mulWadSignedCeil(newSizeWad, fillPriceWad);
  }
  return { newSizeWad, newOpenNotionalWad, realizedPnlWad };
}

export function requirement(
  notionalWad: bigint,
  marginRatioWad: bigint,
  depthUsdWad: bigint,
  sizeSlopeWad: bigint,
): bigint {
  const addOn = depthUsdWad === 0n ? 0n : mulDivUp(notionalWad, sizeSlopeWad, depthUsdWad);
  return mulDivUp(notionalWad, marginRatioWad + addOn, WAD);
}
