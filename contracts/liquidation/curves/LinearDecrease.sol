// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IAuctionCurve} from "../../interfaces/IAuctionCurve.sol";

/// @title LinearDecrease
/// @notice Price falls linearly from the start price to zero over `tauSeconds`:
///         `price = start x (tau - elapsed) / tau`, zero from `tau` on. Rounded down.
contract LinearDecrease is IAuctionCurve {
    // ---------------------------------------------------------------- constants

    uint256 public constant MIN_TAU_SECONDS = 60;
    uint256 public constant MAX_TAU_SECONDS = 30 days;

    // ---------------------------------------------------------------- immutables

    /// @notice Seconds from the start price to zero.
    uint256 public immutable tauSeconds;

    // ---------------------------------------------------------------- constructor

    constructor(uint256 tauSeconds_) {
        if (tauSeconds_ < MIN_TAU_SECONDS || tauSeconds_ > MAX_TAU_SECONDS) {
            revert AuctionCurve__OutOfBounds("tauSeconds", tauSeconds_, MIN_TAU_SECONDS, MAX_TAU_SECONDS);
        }
        tauSeconds = tauSeconds_;
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IAuctionCurve
    function price(uint256 startPriceWad, uint256 elapsedSeconds) external view returns (uint256) {
        uint256 tau = tauSeconds;
        if (elapsedSeconds >= tau) return 0;
        return Math.mulDiv(startPriceWad, tau - elapsedSeconds, tau);
    }
}
