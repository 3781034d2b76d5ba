/**
 * Bigint mirror of contracts/perp/PerpMath.sol, bit for bit (differential tests keep it so).
 * All quantities WAD (1e18). Sizes signed, long > 0. Cost bases are kept in funding-adjusted
 * price (`price - fundingIndex`, ADR 0007): funding is realized with the part of a position reduced.
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

/** Signed x * y / WAD rounded toward -infinity, both signed (PerpMath.mulWadFloor). */
export function mulWadFloor(x: bigint, y: bigint): bigint {
  return y >= 0n ? mulWadSignedFloor(x, y) : -mulWadSignedCeil(x, -y);
}

/** Signed x * y / WAD rounded toward +infinity, both signed (PerpMath.mulWadCeil). */
export function mulWadCeil(x: bigint, y: bigint): bigint {
  return y >= 0n ? mulWadSignedCeil(x, y) : -mulWadSignedFloor(x, -y);
}

/** The funding-adjusted price `price - fundingIndex` in which cost bases are kept (ADR 0007). */
export function adjustedPrice(priceWad: bigint, fundingIndexWad: bigint): bigint {
  return priceWad - fundingIndexWad;
}

/** size * (price - index) - costBasis, floored: PnL with funding included. */
export function unrealizedPnl(sizeWad: bigint, costBasisWad: bigint, adjustedPriceWad: bigint): bigint {
  return mulWadFloor(sizeWad, adjustedPriceWad) - costBasisWad;
}

export function applyFill(
  sizeWad: bigint,
  costBasisWad: bigint,
  sizeDeltaWad: bigint,
  adjustedPriceWad: bigint,
): { newSizeWad: bigint; newCostBasisWad: bigint; realizedPnlWad: bigint } {
  const newSizeWad = sizeWad + sizeDeltaWad;
  if (sizeWad === 0n || sizeWad > 0n === sizeDeltaWad > 0n) {
    return {
      newSizeWad,
      newCostBasisWad: costBasisWad + mulWadCeil(sizeDeltaWad, adjustedPriceWad),
      realizedPnlWad: 0n,
    };
  }
  const sizeAbs = abs(sizeWad);
  const deltaAbs = abs(sizeDeltaWad);
  const closedAbs = deltaAbs < sizeAbs ? deltaAbs : sizeAbs;
  const closedBasis =
    costBasisWad >= 0n
      ? mulDivUp(costBasisWad, closedAbs, sizeAbs)
      : -mulDivDown(-costBasisWad, closedAbs, sizeAbs);
  const closedSigned = sizeWad > 0n ? closedAbs : -closedAbs;
  const realizedPnlWad = mulWadFloor(closedSigned, adjustedPriceWad) - closedBasis;
  let newCostBasisWad: bigint;
  if (deltaAbs <= sizeAbs) {
    newCostBasisWad = newSizeWad === 0n ? 0n : costBasisWad - closedBasis;
  } else {
    newCostBasisWad = mulWadCeil(newSizeWad, adjustedPriceWad);
  }
  return { newSizeWad, newCostBasisWad, realizedPnlWad };
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
