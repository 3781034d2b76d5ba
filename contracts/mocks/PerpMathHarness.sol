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

    function fundingOwed(int256 size, int256 index, int256 snapshot) external pure returns (int256) {
        return PerpMath.fundingOwed(size, index, snapshot);
    }

    function applyFill(
        int256 size,
        int256 notional,
        int256 delta,
        uint256 price
    ) external pure returns (int256, int256, int256) {
        return PerpMath.applyFill(size, notional, delta, price);
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
