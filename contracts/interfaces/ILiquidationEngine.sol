// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILiquidationEngine
/// @notice Permissionless liquidation of accounts whose maintenance health is below 1.
///         1. The Clearinghouse settles fees and funding and closes every perp position against
///            the BackstopVault at its fill price, charging `PERP_PENALTY_WAD` x notional (a
///            share `PERP_KEEPER_SHARE_WAD` of it to the keeper, the rest to the vault).
///         2. If the account is still below `TARGET_HEALTH_WAD`, the engine seizes only as much
///            collateral as brings it back to the target (in listing order, each asset until
///            the target is reached), or all of it when that cannot reach the target or would
///            leave less than `DUST_DEBT_WAD` of debt. The debt each lot answers for moves into
///            the auction; `tab = debt x (1 + PENALTY_WAD)`, and the lot is worth the tab at the
///            oracle price (the whole balance when everything is seized).
///         3. One Dutch auction per seized asset. An account with debt and no collateral is
///            written off through the bad-debt waterfall at once.
///         Caps that slow a cascade: the tab in flight (global `MAX_TAB_IN_FLIGHT_WAD`, per
///         asset `ASSET_TAB_CAP_WAD`, Maker's Hole/hole) and the debt liquidated per window
///         (`WINDOW_CAPACITY_WAD` per `WINDOW_SECONDS`, Synthetix v3's capacity). A liquidation
///         that meets a cap covers what fits; the rest waits for auctions to clear or for the
///         next window. The seizures run most haircut collateral first and stop at the first
///         asset a cap or a paused asset cuts, so a liquidation cut short never leaves the account
///         less healthy. The circuit breaker pauses new liquidations from level 2; a batch reads
///         each asset's level, velocity room and tabs in flight once and reports its seized debt
///         to the breaker per asset (at the seizure that trips the velocity trigger, and at its end).
/// @dev Keeper rewards cannot be farmed: the auction grants its kick reward (`tip + chip x tab`,
///      credited by the ledger) only when it is below the penalty the account pays
///      (`tab - debt`); the perp keeper share is a part of the perp penalty the account pays. So a
///      self-liquidator always pays more than it earns. Units: WAD for USD values and debts; token
///      decimals for lots.
interface ILiquidationEngine {
    /// @notice What one liquidation did.
    /// @param liquidated The account was below maintenance and something was done.
    /// @param healthFactorWad Maintenance health before the liquidation, WAD.
    /// @param positionsClosed Perp positions closed.
    /// @param auctions Auctions started.
    /// @param debtCoveredWad Debt moved into auctions, WAD.
    /// @param writtenOffWad Debt written off (no collateral left), WAD.
    /// @param whole Everything was seized (dust or target unreachable).
    // memory and ABI only, never stored: slot packing does not apply
    // solhint-disable-next-line gas-struct-packing
    struct Result {
        bool liquidated;
        uint256 healthFactorWad;
        uint256 positionsClosed;
        uint256 auctions;
        uint256 debtCoveredWad;
        uint256 writtenOffWad;
        bool whole;
    }

    // ---------------------------------------------------------------- errors

    error LiquidationEngine__ZeroAddress();
    error LiquidationEngine__NotLiquidatable(address account, uint256 healthFactorWad);
    /// @notice The circuit breaker is at level 2 or above for `asset` (address(0): global).
    error LiquidationEngine__Paused(address asset, uint8 level);
    /// @notice A cap left no room for any seizure (`cap`: the name of the binding cap).
    error LiquidationEngine__CapReached(bytes32 cap);
    error LiquidationEngine__NotConfigured(bytes32 param);
    error LiquidationEngine__EmptyBatch();

    // ---------------------------------------------------------------- events

    /// @notice An account was liquidated (see `Result`).
    event Liquidated(
        address indexed account,
        address indexed keeper,
        uint256 healthFactorWad,
        uint256 positionsClosed,
        uint256 auctions,
        uint256 debtCoveredWad,
        uint256 writtenOffWad,
        bool whole
    );
    /// @notice A seizure was cut short by a cap.
    event CapHit(
        address indexed account,
        address indexed token,
        bytes32 cap,
        uint256 debtWantedWad,
        uint256 debtCoveredWad
    );

    // ---------------------------------------------------------------- mutating

    /// @notice Liquidates `account` (maintenance health < 1). Permissionless.
    /// @param keeper Receives the keeper rewards (address(0): none).
    function liquidate(address account, address keeper) external returns (Result memory result);

    /// @notice Liquidates each of `accounts` that is liquidatable; skips healthy ones and ones
    ///         whose prices are failing; stops early when a cap is reached.
    /// @return liquidated Number of accounts liquidated.
    function liquidateBatch(address[] calldata accounts, address keeper) external returns (uint256 liquidated);

    // ---------------------------------------------------------------- views

    /// @notice Debt liquidated in the current window and when the window started.
    function window() external view returns (uint256 startedAt, uint256 usedWad);
}
