// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

/// @title PerpMath
/// @notice Pure math of Ballast's oracle-priced perpetuals: skew-premium fill price, velocity
///         funding (after Synthetix v3) and PnL realization. Mirrored bit for bit in
///         `simulations/math/perp.ts`.
/// @dev All quantities WAD. Sizes are signed (long > 0). Open notional is the signed cost basis.
///      Rounding goes against the trader: buys fill up, sells fill down, cost basis rounds toward
///      +infinity, realized PnL toward -infinity.
library PerpMath {
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
            ? mulDivUp(indexPriceWad, magnitude, 2 * skewScaleWad)
            : mulDivDown(indexPriceWad, magnitude, 2 * skewScaleWad);
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

    /// @notice Funding a position owes since its snapshot: size * (index - snapshot), rounded up
    ///         (a payer pays the extra wei, a receiver receives one less).
    function fundingOwed(int256 sizeWad, int256 indexWad, int256 snapshotWad) internal pure returns (int256) {
        int256 deltaWad = indexWad - snapshotWad;
        bool negative = (sizeWad < 0) != (deltaWad < 0);
        uint256 magnitude = negative
            ? mulDivDown(SignedMath.abs(sizeWad), SignedMath.abs(deltaWad), WAD)
            : mulDivUp(SignedMath.abs(sizeWad), SignedMath.abs(deltaWad), WAD);
        return negative ? -int256(magnitude) : int256(magnitude);
    }

    /// @notice Unrealized PnL of a position at `priceWad`: size * price - openNotional, floored.
    function unrealizedPnl(int256 sizeWad, int256 openNotionalWad, uint256 priceWad) internal pure returns (int256) {
        return _mulWadSignedFloor(sizeWad, priceWad) - openNotionalWad;
    }

    /// @notice Applies a fill of `sizeDeltaWad` at `fillPriceWad` to a position.
    /// @return newSizeWad Size after the fill.
    /// @return newOpenNotionalWad Cost basis after the fill (rounded toward +infinity).
    /// @return realizedPnlWad PnL realized by the part of the fill that reduced the position
    ///         (rounded toward -infinity).
    function applyFill(
        int256 sizeWad,
        int256 openNotionalWad,
        int256 sizeDeltaWad,
        uint256 fillPriceWad
    ) internal pure returns (int256 newSizeWad, int256 newOpenNotionalWad, int256 realizedPnlWad) {
        newSizeWad = sizeWad + sizeDeltaWad;
        if (sizeWad == 0 || (sizeWad > 0) == (sizeDeltaWad > 0)) {
            // pure increase
            return (newSizeWad, openNotionalWad + _mulWadSignedCeil(sizeDeltaWad, fillPriceWad), 0);
        }
        uint256 sizeAbs = SignedMath.abs(sizeWad);
        uint256 deltaAbs = SignedMath.abs(sizeDeltaWad);
        uint256 closedAbs = deltaAbs < sizeAbs ? deltaAbs : sizeAbs;
        // basis of the closed part, rounded toward +infinity (against the trader)
        int256 closedBasisWad = _mulDivSignedCeil(openNotionalWad, closedAbs, sizeAbs);
        int256 closedSignedWad = sizeWad > 0 ? int256(closedAbs) : -int256(closedAbs);
        realizedPnlWad = _mulWadSignedFloor(closedSignedWad, fillPriceWad) - closedBasisWad;
        if (deltaAbs <= sizeAbs) {
            newOpenNotionalWad = openNotionalWad - closedBasisWad;
            if (newSizeWad == 0) newOpenNotionalWad = 0;
        } else {
            newOpenNotionalWad = _mulWadSignedCeil(newSizeWad, fillPriceWad);
        }
    }

    /// @notice Margin requirement of a position: |notional| * (ratio + |notional| / depth * slope), rounded up.
    function requirement(
        uint256 notionalWad,
        uint256 marginRatioWad,
        uint256 depthUsdWad,
        uint256 sizeSlopeWad
    ) internal pure returns (uint256) {
        uint256 addOnWad = depthUsdWad == 0 ? 0 : mulDivUp(notionalWad, sizeSlopeWad, depthUsdWad);
        return mulDivUp(notionalWad, marginRatioWad + addOnWad, WAD);
    }

    /// @notice `x * y / WAD` rounded down; exactly `WadMath.mulWadDown` (see `mulDivDown`).
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, WAD);
    }

    /// @notice `x * y / WAD` rounded up; exactly `WadMath.mulWadUp` (see `mulDivUp`).
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, WAD);
    }

    /// @notice `x * y / d` rounded down; exactly `Math.mulDiv(x, y, d)` (a zero `d` panics the same).
    /// @dev Saves OpenZeppelin's 512-bit path (about 150 gas a call) when the product fits in 256
    ///      bits, which it does for every in-range WAD quantity; otherwise falls back to it.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256 z) {
        bool fast;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let product := mul(x, y)
            // the product did not overflow (x == 0, or product / x == y) and d != 0: the 256-bit
            // quotient is the exact result
            fast := and(or(iszero(x), eq(div(product, x), y)), iszero(iszero(d)))
            if fast {
                z := div(product, d)
            }
        }
        if (!fast) z = Math.mulDiv(x, y, d);
    }

    /// @notice `x * y / d` rounded up; exactly `Math.mulDiv(x, y, d, Math.Rounding.Ceil)`.
    /// @dev The same fast path as `mulDivDown`.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256 z) {
        bool fast;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let product := mul(x, y)
            fast := and(or(iszero(x), eq(div(product, x), y)), iszero(iszero(d)))
            if fast {
                // quotient plus one when a remainder is left (cannot overflow: quotient < 2^256 - 1
                // whenever d > 1 leaves a remainder)
                z := add(div(product, d), iszero(iszero(mod(product, d))))
            }
        }
        if (!fast) z = Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    function _mulDivSignedCeil(int256 x, uint256 y, uint256 d) private pure returns (int256) {
        if (x >= 0) return int256(mulDivUp(uint256(x), y, d));
        return -int256(mulDivDown(uint256(-x), y, d));
    }

    /// @dev Signed `x * y / WAD` toward negative infinity; exactly `WadMath.mulWadSignedFloor`.
    function _mulWadSignedFloor(int256 x, uint256 y) private pure returns (int256) {
        if (x >= 0) return int256(mulDivDown(uint256(x), y, WAD));
        return -int256(mulDivUp(uint256(-x), y, WAD));
    }

    /// @dev Signed `x * y / WAD` toward positive infinity; exactly `WadMath.mulWadSignedCeil`.
    function _mulWadSignedCeil(int256 x, uint256 y) private pure returns (int256) {
        if (x >= 0) return int256(mulDivUp(uint256(x), y, WAD));
        return -int256(mulDivDown(uint256(-x), y, WAD));
    }
}
