// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginModel} from "../../../contracts/interfaces/IMarginModel.sol";
import {RiskLevels} from "../../../contracts/risk/RiskLevels.sol";

/// @title RiskLevelsHarness
/// @notice Test-only: exposes RiskLevels.encode and riskAt, to hit the 60-bit bound of a level
///         field (unreachable through MarginModel's parameter bounds).
contract RiskLevelsHarness {
    function encode(
        IMarginModel.Levels calldata levels,
        IMarginModel.LevelConfig calldata config,
        uint256 depthUsdWad
    ) external pure returns (uint256, uint256, uint256) {
        return RiskLevels.encode(levels, config, depthUsdWad);
    }

    function riskAt(
        uint256 levelsWord,
        uint256 rampWord,
        uint256 marketWord,
        uint256 nowSeconds
    ) external pure returns (IMarginModel.AssetRisk memory) {
        return RiskLevels.riskAt(levelsWord, rampWord, marketWord, nowSeconds);
    }
}
