// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginModel} from "../interfaces/IMarginModel.sol";

/// @title RiskLevels
/// @notice The risk levels of an asset at a given time, from the two words of state MarginModel
///         keeps per asset (`Levels`, `LevelConfig`) and its market depth. MarginModel's `riskOf`
///         and the Clearinghouse's cached read both call `riskAt`, so the two agree by construction
///         whenever they hold the same words (ADR 0005).
/// @dev Rounding is against the account: a ramp moves up by a rounded-up step and down by a
///      rounded-down step; initial levels round up.
library RiskLevels {
    /// @notice Highest initial haircut (a collateral always keeps 1% of its value).
    uint256 internal constant MAX_INITIAL_HAIRCUT_WAD = 0.99e18;
    /// @notice Highest initial margin ratio (fully collateralized).
    uint256 internal constant MAX_INITIAL_MARGIN_RATIO_WAD = 1e18;

    uint256 private constant WAD = 1e18;
    uint256 private constant SECONDS_PER_HOUR = 3600;

    /// @notice Risk levels at `nowSeconds` (>= the checkpoint time) from the raw words of the
    ///         `IMarginModel.Levels` and `IMarginModel.LevelConfig` slots (layout at `_field`).
    /// @dev The initial level is `min(max(target, maintenance) * multiplier / WAD rounded up, cap)`.
    ///      Unchecked: every operand is a uint64 field, so no product or sum below exceeds 2^129;
    ///      the elapsed time is a checked subtraction.
    function riskAt(
        uint256 levelsWord,
        uint256 configWord,
        uint256 depthUsdWad,
        uint256 nowSeconds
    ) internal pure returns (IMarginModel.AssetRisk memory risk) {
        (uint256 haircutMaintWad, uint256 marginRatioMaintWad) = maintenance(levelsWord, configWord, nowSeconds);
        unchecked {
            uint256 multiplierWad = _field(configWord, 120);
            // initial = min(max(target, maintenance) * multiplier / WAD rounded up, cap)
            uint256 baseWad = _max(_field(levelsWord, 0), haircutMaintWad);
            uint256 initWad = (baseWad * multiplierWad + (WAD - 1)) / WAD;
            risk.haircutInitWad = initWad > MAX_INITIAL_HAIRCUT_WAD ? MAX_INITIAL_HAIRCUT_WAD : initWad;
            baseWad = _max(_field(levelsWord, 64), marginRatioMaintWad);
            initWad = (baseWad * multiplierWad + (WAD - 1)) / WAD;
            risk.marginRatioInitWad = initWad > MAX_INITIAL_MARGIN_RATIO_WAD ? MAX_INITIAL_MARGIN_RATIO_WAD : initWad;
        }
        risk.haircutMaintWad = haircutMaintWad;
        risk.marginRatioMaintWad = marginRatioMaintWad;
        risk.depthUsdWad = depthUsdWad;
        risk.sizeSlopeWad = _field(configWord, 184);
    }

    /// @notice Maintenance levels at `nowSeconds`: the targets, or in Ramped mode the checkpoint
    ///         moved toward them.
    function maintenance(
        uint256 levelsWord,
        uint256 configWord,
        uint256 nowSeconds
    ) internal pure returns (uint256 haircutWad, uint256 marginRatioWad) {
        haircutWad = _field(levelsWord, 0);
        marginRatioWad = _field(levelsWord, 64);
        if ((configWord >> 8) & 0xff != uint256(IMarginModel.Mode.Ramped)) return (haircutWad, marginRatioWad);
        uint256 elapsed = nowSeconds - ((configWord >> 16) & type(uint40).max);
        uint256 rateWadPerHour = _field(configWord, 56);
        haircutWad = _ramp(_field(levelsWord, 128), haircutWad, rateWadPerHour, elapsed);
        marginRatioWad = _ramp(_field(levelsWord, 192), marginRatioWad, rateWadPerHour, elapsed);
    }

    /// @notice Whether the `IMarginModel.LevelConfig` word is of a listed asset.
    function isListed(uint256 configWord) internal pure returns (bool) {
        return configWord & 0xff != 0;
    }

    /// @notice The size slope in the `IMarginModel.LevelConfig` word.
    function sizeSlopeWad(uint256 configWord) internal pure returns (uint256) {
        return _field(configWord, 184);
    }

    /// @dev The 64 bits of `word` from `offset` on. Solidity packs a struct's fields into its slot
    ///      from the low-order end in declaration order, so the offsets are:
    ///      `Levels`       targetHaircut 0, targetMarginRatio 64, haircutMaint 128, marginRatioMaint 192;
    ///      `LevelConfig`  listed 0, mode 8, checkpointTime 16 (40 bits), rampWadPerHour 56,
    ///                     initialMultiplierWad 120, sizeSlopeWad 184.
    ///      The unit tests of MarginModel (which writes through the structs and reads through these
    ///      offsets) pin them.
    function _field(uint256 word, uint256 offset) private pure returns (uint256) {
        return (word >> offset) & type(uint64).max;
    }

    function _max(uint256 a, uint256 b) private pure returns (uint256) {
        return a > b ? a : b;
    }

    /// @dev Moves `current` toward `target` by at most `rate * elapsed / 1 h` (up: step rounded up).
    ///      `rate` is a uint64 and `elapsed` a time difference: the product cannot overflow.
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
}
