// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";

/// @title MockBreakerGasProbe
/// @notice Measures the gas of the CircuitBreaker calls the protocol makes inline, from inside a
///         transaction. Call it with `eth_call`/`staticCall` so every account and slot starts cold;
///         the report measurement needs the probe registered as a reporter.
contract MockBreakerGasProbe {
    /// @notice Gas of a cold `levelOf`, then of a second (warm) one.
    function measureLevelOf(
        ICircuitBreaker breaker,
        address asset
    ) external view returns (uint256 coldGas, uint256 warmGas, uint8 level) {
        uint256 before = gasleft();
        level = breaker.levelOf(asset);
        coldGas = before - gasleft();
        before = gasleft();
        breaker.levelOf(asset);
        warmGas = before - gasleft();
    }

    /// @notice Gas of a cold `statusOf`.
    function measureStatusOf(
        ICircuitBreaker breaker,
        address asset
    ) external view returns (uint256 gasUsed, uint8 level, bool isSettled) {
        uint256 before = gasleft();
        (level, isSettled) = breaker.statusOf(asset);
        gasUsed = before - gasleft();
    }

    /// @notice Gas of `levelOf` followed by `reportLiquidation` for the same asset (the pattern of
    ///         a liquidation: read the level first, report the liquidated debt at the end).
    function measureLevelThenReport(
        ICircuitBreaker breaker,
        address asset,
        uint256 debtWad
    ) external returns (uint256 levelGas, uint256 reportGas) {
        uint256 before = gasleft();
        breaker.levelOf(asset);
        levelGas = before - gasleft();
        before = gasleft();
        breaker.reportLiquidation(asset, debtWad);
        reportGas = before - gasleft();
    }

    /// @notice Gas of a `check` (reads the oracle: current and delayed price).
    function measureCheck(ICircuitBreaker breaker, address asset) external returns (uint256 gasUsed) {
        uint256 before = gasleft();
        breaker.check(asset);
        gasUsed = before - gasleft();
    }
}
