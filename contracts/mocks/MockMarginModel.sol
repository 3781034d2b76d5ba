// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginModel} from "../interfaces/IMarginModel.sol";

/// @notice Margin model with directly settable levels, for Clearinghouse unit tests.
/// @dev It never pushes to a ledger (arbitrary levels have no `Levels`/`LevelConfig` form), so a
///      ledger built on it always takes the `riskOf` fallback of its risk-level cache.
contract MockMarginModel is IMarginModel {
    mapping(address asset => AssetRisk) internal _risk;
    mapping(address asset => bool) public known;
    address public ledger;

    function setRisk(address asset, AssetRisk calldata risk) external {
        _risk[asset] = risk;
        known[asset] = true;
    }

    function addAsset(address asset) external {
        known[asset] = true;
    }

    function setLedger(address ledger_) external {
        ledger = ledger_;
        emit LedgerSet(ledger_);
    }

    // solhint-disable-next-line no-empty-blocks
    function poke(address) external pure {}

    function riskOf(address asset) external view returns (AssetRisk memory) {
        if (!known[asset]) revert MarginModel__UnknownAsset(asset);
        return _risk[asset];
    }

    /// @dev Zero words: nothing a ledger could cache (it falls back to `riskOf`).
    function riskWords(address) external pure returns (uint256, uint256, uint256) {
        return (0, 0, 0);
    }

    function variancePerSecondWad(address) external pure returns (uint256) {
        return 0;
    }

    function horizonVolatilityWad(address) external pure returns (uint256) {
        return 0;
    }

    function targetLevels(address asset) external view returns (uint256, uint256) {
        return (_risk[asset].haircutMaintWad, _risk[asset].marginRatioMaintWad);
    }

    function modeOf(address) external pure returns (Mode) {
        return Mode.Static;
    }
}
