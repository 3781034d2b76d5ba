// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IAuctionCurve} from "../../interfaces/IAuctionCurve.sol";
import {RayPow} from "./RayPow.sol";

/// @title StairstepExponentialDecrease
/// @notice Price multiplied by `cutPerStepRay` once every `stepSeconds`:
///         `price = start x cut^floor(elapsed / step)`. Rounded down. Keepers see a price that
///         holds for a whole step, which makes their gas/price decision simpler than a
///         per-second curve.
contract StairstepExponentialDecrease is IAuctionCurve {
    // ---------------------------------------------------------------- constants

    uint256 internal constant RAY = 1e27;
    uint256 public constant MIN_CUT_RAY = RAY / 2;
    uint256 public constant MAX_CUT_RAY = RAY - 1;
    uint256 public constant MIN_STEP_SECONDS = 1;
    uint256 public constant MAX_STEP_SECONDS = 1 days;

    // ---------------------------------------------------------------- immutables

    /// @notice Factor applied per step, RAY (e.g. 0.99e27: -1% a step).
    uint256 public immutable cutPerStepRay;
    /// @notice Length of one step, seconds.
    uint256 public immutable stepSeconds;

    // ---------------------------------------------------------------- constructor

    constructor(uint256 cutPerStepRay_, uint256 stepSeconds_) {
        if (cutPerStepRay_ < MIN_CUT_RAY || cutPerStepRay_ > MAX_CUT_RAY) {
            revert AuctionCurve__OutOfBounds("cutPerStepRay", cutPerStepRay_, MIN_CUT_RAY, MAX_CUT_RAY);
        }
        if (stepSeconds_ < MIN_STEP_SECONDS || stepSeconds_ > MAX_STEP_SECONDS) {
            revert AuctionCurve__OutOfBounds("stepSeconds", stepSeconds_, MIN_STEP_SECONDS, MAX_STEP_SECONDS);
        }
        cutPerStepRay = cutPerStepRay_;
        stepSeconds = stepSeconds_;
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IAuctionCurve
    function price(uint256 startPriceWad, uint256 elapsedSeconds) external view returns (uint256) {
        return Math.mulDiv(startPriceWad, RayPow.rpowDown(cutPerStepRay, elapsedSeconds / stepSeconds), RAY);
    }
}
