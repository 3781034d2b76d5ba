// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IAuctionCurve} from "../../interfaces/IAuctionCurve.sol";
import {RayPow} from "./RayPow.sol";

/// @title ExponentialDecrease
/// @notice Price multiplied by `cutPerSecondRay` every second: `price = start x cut^elapsed`.
///         Rounded down (each squaring step of the power rounds down too).
contract ExponentialDecrease is IAuctionCurve {
    // ---------------------------------------------------------------- constants

    uint256 internal constant RAY = 1e27;
    /// @notice Fastest allowed decay: halving every second.
    uint256 public constant MIN_CUT_RAY = RAY / 2;
    /// @notice Slowest allowed decay (the cut must be below one).
    uint256 public constant MAX_CUT_RAY = RAY - 1;

    // ---------------------------------------------------------------- immutables

    /// @notice Factor applied per second, RAY (e.g. 0.999e27: -0.1% a second).
    uint256 public immutable cutPerSecondRay;

    // ---------------------------------------------------------------- constructor

    constructor(uint256 cutPerSecondRay_) {
        if (cutPerSecondRay_ < MIN_CUT_RAY || cutPerSecondRay_ > MAX_CUT_RAY) {
            revert AuctionCurve__OutOfBounds("cutPerSecondRay", cutPerSecondRay_, MIN_CUT_RAY, MAX_CUT_RAY);
        }
        cutPerSecondRay = cutPerSecondRay_;
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IAuctionCurve
    function price(uint256 startPriceWad, uint256 elapsedSeconds) external view returns (uint256) {
        return Math.mulDiv(startPriceWad, RayPow.rpowDown(cutPerSecondRay, elapsedSeconds), RAY);
    }
}
