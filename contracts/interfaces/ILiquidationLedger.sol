// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearinghouseBase} from "./IClearinghouseBase.sol";

/// @title ILiquidationLedger
/// @notice The Clearinghouse's side of a liquidation: the few privileged moves the
///         LiquidationEngine makes on the books. The engine holds the policy (who, how much,
///         caps, keeper rewards); the ledger holds the balances and does the arithmetic that
///         touches them. Only the engine the ledger was built with may call the mutating functions.
/// @dev Units: WAD for USD values and debts, token decimals for collateral amounts.
/// @dev Types, errors, events and the getters live in IClearinghouseBase (shared by the
///      Clearinghouse and its modules).
interface ILiquidationLedger is IClearinghouseBase {
    // ---------------------------------------------------------------- engine only

    /// @notice Step 1 of a liquidation: accrues fees, checks maintenance health and, when it is
    ///         below 1, closes every perp position against the vault at the fill price, charging
    ///         `perpPenaltyWad` x notional, but no more than keeps the account's haircut equity at
    ///         zero (the rest is waived: `PerpPenaltyWaived`); part `keeperShareWad` of the penalty
    ///         kept goes to `keeper`, the rest to the vault. Reverts when a price the account needs
    ///         is not ok. Changes nothing (beyond fee accrual) when the account is healthy.
    ///         `quoteCacheKey` (0: none) lets the calls of one `liquidateBatch` share each asset's
    ///         price and risk levels: the health computation reads and fills a transient cache
    ///         under that key only. The engine gives each batch call a key no other call of the
    ///         transaction uses, so nothing outside that batch can see its quotes (prices and risk
    ///         levels cannot change during a batch: nothing it calls writes the oracle or the
    ///         margin model).
    function liquidationBegin(
        address account,
        uint256 perpPenaltyWad,
        address keeper,
        uint256 keeperShareWad,
        uint256 quoteCacheKey
    ) external returns (LiquidationSnapshot memory snapshot);

    /// @notice Moves `lot` of `token` out of `account`'s collateral into auction custody and
    ///         `debtWad` of its debt into the debt owed by open auctions, then credits the
    ///         auction's kick reward `keeperRewardWad` to `keeper` (from the vault's credit; a
    ///         shortfall becomes deficit), as `IAuctionSink.payKeeper` would. `index` is the
    ///         token's collateral index as `liquidationBegin` quoted it (checked against the token:
    ///         `Clearinghouse__UnknownCollateral` when they differ).
    function seize(
        address account,
        address token,
        uint256 index,
        uint256 lot,
        uint256 debtWad,
        address keeper,
        uint256 keeperRewardWad
    ) external;

    /// @notice Writes off the debt of an account with no collateral and no positions: the bad
    ///         debt waterfall (the vault's credit first, then the deficit). Writes off nothing
    ///         (returns 0) while an auction of the account's collateral runs: its surplus lot
    ///         returns to the account and its end decides (ADR 0014).
    /// @return badDebtWad The debt written off.
    function writeOff(address account) external returns (uint256 badDebtWad);
}
