// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title PerpMath
/// @notice Pure math of Ballast's oracle-priced perpetuals: skew-premium fill price, velocity
///         funding (after Synthetix v3) and PnL realization. Mirrored bit for bit in
///         `simulations/math/perp.ts`.
/// @dev All quantities WAD. Sizes are signed (long > 0). The cost basis is signed and kept in
///      funding-adjusted price (`price - fundingIndex`): funding is settled when a position is
///      reduced, in proportion, never through a separate snapshot. Rounding goes against the
///      trader: buys fill up, sells fill down, cost basis rounds toward +infinity, realized PnL
///      toward -infinity.
library PerpMath {
    using WadMath for uint256;

    uint256 internal constant WAD = 1e18;
    int256 internal constant SWAD = 1e18;
    uint256 internal constant SECONDS_PER_DAY = 86_400;

    /// @notice The price at which `sizeDeltaWad` fills: index * (1 + (skew + delta / 2) / skewScale).
    /// @dev Rounded up for buys and down for sells. Returns 0 when the premium would make the
    ///      price non-positive (the caller must reject that fill).
    function fillPrice(
        uint256 indexPriceWad,
        int256 skewWad,
        int256 sizeDeltaWad,
        uint256 skewScaleWad
    ) internal pure returns (uint256 fillPriceWad) {
        // premium numerator in WAD units of size: skew + delta / 2 (delta / 2 exact in 2x units)
        int256 twiceMid = 2 * skewWad + sizeDeltaWad;
        uint256 magnitude = SignedMath.abs(twiceMid);
        // the fill rounds up for buys and down for sells, so the premium rounds up exactly when it
        // is added for a buy or subtracted for a sell
        bool roundPremiumUp = (sizeDeltaWad > 0) == (twiceMid >= 0);
        uint256 premiumWad = roundPremiumUp
            ? WadMath.mulDivUp(indexPriceWad, magnitude, 2 * skewScaleWad)
            : WadMath.mulDivDown(indexPriceWad, magnitude, 2 * skewScaleWad);
        if (twiceMid >= 0) return indexPriceWad + premiumWad;
        if (premiumWad >= indexPriceWad) return 0;
        return indexPriceWad - premiumWad;
    }

    /// @notice Funding rate after `elapsedSeconds` and the funding per unit of size accrued over it.
    /// @dev The rate (per day, WAD, longs pay when positive) drifts at
    ///      `maxVelocity * clamp(skew / skewScale, -1, 1)` per day; funding per unit is the average
    ///      rate over the interval times the elapsed fraction of a day times the price.
    /// @return newRateWad The rate at the end of the interval.
    /// @return indexDeltaWad Funding per unit of long size accrued (USD, WAD, signed).
    function accrueFunding(
        int256 rateWad,
        int256 skewWad,
        uint256 skewScaleWad,
        uint256 maxVelocityWad,
        uint256 elapsedSeconds,
        uint256 priceWad
    ) internal pure returns (int256 newRateWad, int256 indexDeltaWad) {
        int256 proportionalSkewWad = (skewWad * SWAD) / int256(skewScaleWad);
        if (proportionalSkewWad > SWAD) proportionalSkewWad = SWAD;
        if (proportionalSkewWad < -SWAD) proportionalSkewWad = -SWAD;
        int256 velocityWad = (proportionalSkewWad * int256(maxVelocityWad)) / SWAD;
        newRateWad = rateWad + (velocityWad * int256(elapsedSeconds)) / int256(SECONDS_PER_DAY);
        int256 avgRateWad = (rateWad + newRateWad) / 2;
        indexDeltaWad = (avgRateWad * int256(elapsedSeconds) * int256(priceWad)) / int256(SECONDS_PER_DAY) / SWAD;
    }

    /// @notice The funding-adjusted price of a fill or a mark: `price - fundingIndex` (exact,
    ///         signed). A position's cost basis is kept in this unit, so that its PnL includes
    ///         the funding accrued since each fill without a per-position snapshot (ADR 0007).
    function adjustedPrice(uint256 priceWad, int256 fundingIndexWad) internal pure returns (int256) {
        return int256(priceWad) - fundingIndexWad;
    }

    /// @notice Unrealized PnL of a position, funding included: size * (price - index) - costBasis,
    ///         floored. `adjustedPriceWad` is `adjustedPrice(price, index)`.
    function unrealizedPnl(
        int256 sizeWad,
        int256 costBasisWad,
        int256 adjustedPriceWad
    ) internal pure returns (int256) {
        return mulWadFloor(sizeWad, adjustedPriceWad) - costBasisWad;
    }

    /// @notice Applies a fill of `sizeDeltaWad` at the funding-adjusted price `adjustedPriceWad`.
    /// @return newSizeWad Size after the fill.
    /// @return newCostBasisWad Cost basis after the fill (rounded toward +infinity).
    /// @return realizedPnlWad PnL realized by the part of the fill that reduced the position,
    ///         funding accrued on that part included (rounded toward -infinity).
    function applyFill(
        int256 sizeWad,
        int256 costBasisWad,
        int256 sizeDeltaWad,
        int256 adjustedPriceWad
    ) internal pure returns (int256 newSizeWad, int256 newCostBasisWad, int256 realizedPnlWad) {
        newSizeWad = sizeWad + sizeDeltaWad;
        if (sizeWad == 0 || (sizeWad > 0) == (sizeDeltaWad > 0)) {
            // pure increase
            return (newSizeWad, costBasisWad + mulWadCeil(sizeDeltaWad, adjustedPriceWad), 0);
        }
        uint256 sizeAbs = SignedMath.abs(sizeWad);
        uint256 deltaAbs = SignedMath.abs(sizeDeltaWad);
        uint256 closedAbs = deltaAbs < sizeAbs ? deltaAbs : sizeAbs;
        // basis of the closed part, rounded toward +infinity (against the trader)
        int256 closedBasisWad = _mulDivSignedCeil(costBasisWad, closedAbs, sizeAbs);
        int256 closedSignedWad = sizeWad > 0 ? int256(closedAbs) : -int256(closedAbs);
        realizedPnlWad = mulWadFloor(closedSignedWad, adjustedPriceWad) - closedBasisWad;
        if (deltaAbs <= sizeAbs) {
            newCostBasisWad = costBasisWad - closedBasisWad;
            if (newSizeWad == 0) newCostBasisWad = 0;
        } else {
            newCostBasisWad = mulWadCeil(newSizeWad, adjustedPriceWad);
        }
    }

    /// @notice Signed `x * y / WAD` rounded toward -infinity (both signed).
    function mulWadFloor(int256 x, int256 y) internal pure returns (int256) {
        if (y >= 0) return WadMath.mulWadSignedFloor(x, uint256(y));
        // floor(-z) = -ceil(z)
        return -WadMath.mulWadSignedCeil(x, uint256(-y));
    }

    /// @notice Signed `x * y / WAD` rounded toward +infinity (both signed).
    function mulWadCeil(int256 x, int256 y) internal pure returns (int256) {
        if (y >= 0) return WadMath.mulWadSignedCeil(x, uint256(y));
        return -WadMath.mulWadSignedFloor(x, uint256(-y));
    }

    /// @notice Margin requirement of a position: |notional| * (ratio + |notional| / depth * slope), rounded up.
    function requirement(
        uint256 notionalWad,
        uint256 marginRatioWad,
        uint256 depthUsdWad,
        uint256 sizeSlopeWad
    ) internal pure returns (uint256) {
        uint256 addOnWad = depthUsdWad == 0 ? 0 : WadMath.mulDivUp(notionalWad, sizeSlopeWad, depthUsdWad);
        return notionalWad.mulWadUp(marginRatioWad + addOnWad);
    }

    function _mulDivSignedCeil(int256 x, uint256 y, uint256 d) private pure returns (int256) {
        if (x >= 0) return int256(WadMath.mulDivUp(uint256(x), y, d));
        return -int256(WadMath.mulDivDown(uint256(-x), y, d));
    }
}
