// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {PerpMath} from "../perp/PerpMath.sol";

/// @notice Exposes PerpMath for differential tests against simulations/math/perp.ts.
contract PerpMathHarness {
    function fillPrice(uint256 index, int256 skew, int256 delta, uint256 scale) external pure returns (uint256) {
        return PerpMath.fillPrice(index, skew, delta, scale);
    }

    function accrueFunding(
        int256 rate,
        int256 skew,
        uint256 scale,
        uint256 velocity,
        uint256 elapsed,
        uint256 price
    ) external pure returns (int256, int256) {
        return PerpMath.accrueFunding(rate, skew, scale, velocity, elapsed, price);
    }

    function unrealizedPnl(int256 size, int256 basis, int256 adjustedPrice) external pure returns (int256) {
        return PerpMath.unrealizedPnl(size, basis, adjustedPrice);
    }

    function mulWadFloor(int256 x, int256 y) external pure returns (int256) {
        return PerpMath.mulWadFloor(x, y);
    }

    function mulWadCeil(int256 x, int256 y) external pure returns (int256) {
        return PerpMath.mulWadCeil(x, y);
    }

    function applyFill(
        int256 size,
        int256 basis,
        int256 delta,
        int256 adjustedPrice
    ) external pure returns (int256, int256, int256) {
        return PerpMath.applyFill(size, basis, delta, adjustedPrice);
    }

    function requirement(
        uint256 notional,
        uint256 ratio,
        uint256 depth,
        uint256 slope
    ) external pure returns (uint256) {
        return PerpMath.requirement(notional, ratio, depth, slope);
    }
}
