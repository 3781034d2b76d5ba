// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title MockBreakerClearinghouse
/// @notice Test double for the part of the Clearinghouse the CircuitBreaker reads (`deficitWad`,
///         `vaultNetAssetsWad`, both settable) and for the protocol's inline calls into the
///         breaker (it forwards reports, so it can be a registered reporter). Not an
///         `IClearinghouse`; the selectors used by the breaker match.
contract MockBreakerClearinghouse {
    /// @notice Unbacked stablecoin recorded, WAD.
    uint256 public deficitWad;
    /// @notice The vault's net assets, WAD (may be negative).
    int256 public vaultNetAssetsWad;

    function setDeficit(uint256 deficitWad_) external {
        deficitWad = deficitWad_;
    }

    function setVaultNetAssets(int256 vaultNetAssetsWad_) external {
        vaultNetAssetsWad = vaultNetAssetsWad_;
    }

    /// @notice Forwards a liquidation report, as the liquidation engine would inline.
    function reportLiquidation(ICircuitBreaker breaker, address asset, uint256 debtWad) external returns (uint8) {
        return breaker.reportLiquidation(asset, debtWad);
    }

    /// @notice Forwards a bad-debt report and then runs the system check, as the Clearinghouse
    ///         would at the end of a liquidation that left bad debt.
    function reportBadDebtAndCheck(ICircuitBreaker breaker, uint256 amountWad) external returns (uint8) {
        breaker.reportBadDebt(amountWad);
        return breaker.checkSystem();
    }

    /// @notice Levels pushed by the breaker (as the real Clearinghouse receives them).
    mapping(address asset => uint8) public appliedLevel;
    bool public settlementApplied;
    uint256 public pushes;

    function applyBreakerLevel(address asset, uint8 level) external {
        appliedLevel[asset] = level;
        ++pushes;
    }

    function applySettlement() external {
        settlementApplied = true;
        ++pushes;
    }
}
