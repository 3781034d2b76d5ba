// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginModel} from "../interfaces/IMarginModel.sol";

/// @title RiskLevels
/// @notice The risk levels of an asset at a given time, from three words that MarginModel derives
///         from its state (`encode`) and pushes to the ledger. `MarginModel.riskOf` and the
///         Clearinghouse's cached read both call `riskAt` on those words, so the two agree by
///         construction whenever they hold the same words (ADR 0005).
/// @dev Words:
///      levels  four 60-bit levels (bits 0, 60, 120, 180) and flags: bit 240 listed, bit 241
///              ramping, bit 242 size add-on (slope non-zero).
///              Steady (not ramping): haircut maintenance, haircut initial, margin-ratio
///              maintenance, margin-ratio initial. Ramping: haircut target, haircut checkpoint,
///              margin-ratio target, margin-ratio checkpoint.
///      ramp    checkpoint time (bits 0-39), ramp rate (40-103), initial multiplier (104-167);
///              only meaningful when ramping.
///      market  size slope (bits 0-63), depth (64-191).
///      Steady means that the levels do not depend on time: any mode but Ramped, or Ramped with
///      both checkpoints at their targets (a calm market at its base levels). Then maintenance is
///      the target at every time and the initial levels are fixed, so they are stored as such and
///      a read needs neither the ramp word nor any arithmetic.
///      Rounding is against the account: a ramp moves up by a rounded-up step and down by a
///      rounded-down step; initial levels round up.
library RiskLevels {
    /// @notice Highest initial haircut (a collateral always keeps 1% of its value).
    uint256 internal constant MAX_INITIAL_HAIRCUT_WAD = 0.99e18;
    /// @notice Highest initial margin ratio (fully collateralized).
    uint256 internal constant MAX_INITIAL_MARGIN_RATIO_WAD = 1e18;

    uint256 private constant WAD = 1e18;
    uint256 private constant SECONDS_PER_HOUR = 3600;
    /// @dev Every level is at most 1e18 (caps 0.95e18, initial caps 1e18) < 2^60.
    uint256 private constant LEVEL_MASK = (1 << 60) - 1;
    uint256 private constant LISTED = 1 << 240;
    uint256 private constant RAMPING = 1 << 241;
    uint256 private constant ADD_ON = 1 << 242;

    /// @notice The three words of an asset's risk state (`config.listed` must be true).
    /// @dev Reverts with `MarginModel__LevelOutOfRange` if a level does not fit its 60 bits (not
    ///      reachable within MarginModel's parameter bounds).
    function encode(
        IMarginModel.Levels memory levels,
        IMarginModel.LevelConfig memory config,
        uint256 depthUsdWad
    ) internal pure returns (uint256 levelsWord, uint256 rampWord, uint256 marketWord) {
        marketWord = uint256(config.sizeSlopeWad) | (depthUsdWad << 64);
        uint256 flags = LISTED | (config.sizeSlopeWad != 0 ? ADD_ON : 0);
        if (
            config.mode == IMarginModel.Mode.Ramped &&
            (levels.haircutMaintWad != levels.targetHaircutWad ||
                levels.marginRatioMaintWad != levels.targetMarginRatioWad)
        ) {
            levelsWord =
                _pack(
                    levels.targetHaircutWad,
                    levels.haircutMaintWad,
                    levels.targetMarginRatioWad,
                    levels.marginRatioMaintWad
                ) |
                flags |
                RAMPING;
            rampWord =
                uint256(config.checkpointTime) |
                (uint256(config.rampWadPerHour) << 40) |
                (uint256(config.initialMultiplierWad) << 104);
        } else {
            levelsWord =
                _pack(
                    levels.targetHaircutWad,
                    _initial(levels.targetHaircutWad, config.initialMultiplierWad, MAX_INITIAL_HAIRCUT_WAD),
                    levels.targetMarginRatioWad,
                    _initial(levels.targetMarginRatioWad, config.initialMultiplierWad, MAX_INITIAL_MARGIN_RATIO_WAD)
                ) | flags;
        }
    }

    /// @notice Risk levels at `nowSeconds` (not before the checkpoint). The ramp word is read only
    ///         when ramping and the market word only with a size add-on: a caller may pass 0 for
    ///         a word it did not read (a zero market word gives depth 0 and slope 0, which is the
    ///         same zero add-on as any depth with slope 0).
    function riskAt(
        uint256 levelsWord,
        uint256 rampWord,
        uint256 marketWord,
        uint256 nowSeconds
    ) internal pure returns (IMarginModel.AssetRisk memory risk) {
        (risk.depthUsdWad, risk.sizeSlopeWad) = addOn(marketWord);
        if (levelsWord & RAMPING == 0) {
            risk.haircutMaintWad = levelsWord & LEVEL_MASK;
            risk.haircutInitWad = (levelsWord >> 60) & LEVEL_MASK;
            risk.marginRatioMaintWad = (levelsWord >> 120) & LEVEL_MASK;
            risk.marginRatioInitWad = (levelsWord >> 180) & LEVEL_MASK;
            return risk;
        }
        uint256 elapsed = nowSeconds - uint40(rampWord);
        uint256 rateWadPerHour = uint64(rampWord >> 40);
        uint256 multiplierWad = uint64(rampWord >> 104);
        uint256 targetWad = levelsWord & LEVEL_MASK;
        uint256 maintWad = _ramp((levelsWord >> 60) & LEVEL_MASK, targetWad, rateWadPerHour, elapsed);
        risk.haircutMaintWad = maintWad;
        risk.haircutInitWad = _initial(_max(targetWad, maintWad), multiplierWad, MAX_INITIAL_HAIRCUT_WAD);
        targetWad = (levelsWord >> 120) & LEVEL_MASK;
        maintWad = _ramp((levelsWord >> 180) & LEVEL_MASK, targetWad, rateWadPerHour, elapsed);
        risk.marginRatioMaintWad = maintWad;
        risk.marginRatioInitWad = _initial(_max(targetWad, maintWad), multiplierWad, MAX_INITIAL_MARGIN_RATIO_WAD);
    }

    /// @notice The perp size add-on's market depth and size slope held by `marketWord`.
    function addOn(uint256 marketWord) internal pure returns (uint256 depthUsdWad, uint256 sizeSlopeWad) {
        return (marketWord >> 64, uint64(marketWord));
    }

    /// @notice Whether the levels word holds a pushed state (false: all zero, nothing pushed).
    function isListed(uint256 levelsWord) internal pure returns (bool) {
        return levelsWord & LISTED != 0;
    }

    /// @notice Whether `riskAt` needs the ramp word.
    function isRamping(uint256 levelsWord) internal pure returns (bool) {
        return levelsWord & RAMPING != 0;
    }

    /// @notice Whether `riskAt` needs the market word (the size slope is non-zero).
    function hasAddOn(uint256 levelsWord) internal pure returns (bool) {
        return levelsWord & ADD_ON != 0;
    }

    function _pack(uint256 a, uint256 b, uint256 c, uint256 d) private pure returns (uint256) {
        return _level(a) | (_level(b) << 60) | (_level(c) << 120) | (_level(d) << 180);
    }

    /// @dev The explicit bound of a 60-bit level field.
    function _level(uint256 levelWad) private pure returns (uint256) {
        if (levelWad > LEVEL_MASK) revert IMarginModel.MarginModel__LevelOutOfRange(levelWad);
        return levelWad;
    }

    /// @dev `min(base * multiplier / WAD rounded up, cap)`. Unchecked: the base is a level below
    ///      2^60 and the multiplier a uint64, so the product is below 2^124.
    function _initial(uint256 baseWad, uint256 multiplierWad, uint256 capWad) private pure returns (uint256) {
        unchecked {
            uint256 initWad = (baseWad * multiplierWad + (WAD - 1)) / WAD;
            return initWad > capWad ? capWad : initWad;
        }
    }

    /// @dev Moves `current` toward `target` by at most `rate * elapsed / 1 h` (up: step rounded up).
    function _ramp(uint256 current, uint256 target, uint256 rate, uint256 elapsed) private pure returns (uint256) {
        // unchecked: rate < 2^64 and elapsed < 2^40, and each subtraction is guarded by its comparison
        unchecked {
            if (current < target) {
                uint256 step = (rate * elapsed + (SECONDS_PER_HOUR - 1)) / SECONDS_PER_HOUR;
                return target - current <= step ? target : current + step;
            }
            uint256 stepDown = (rate * elapsed) / SECONDS_PER_HOUR;
            return current - target <= stepDown ? target : current - stepDown;
        }
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }
}
