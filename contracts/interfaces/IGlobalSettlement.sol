// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IGlobalSettlement
/// @notice The way out after the circuit breaker's irreversible global settlement (as MakerDAO's
///         End): every entry point of the ledger is frozen, prices are frozen at the breaker's
///         settlement prices, and the system is wound down in three permissionless steps:
///         1. `settleAccount`: an account's perp positions close at the frozen prices (PnL with
///            the vault, no fee, no premium); its debt is paid with its collateral valued at the
///            frozen prices, which moves into the redemption pool (listing order); debt the
///            collateral cannot pay goes through the bad-debt waterfall (never while a collateral
///            it holds waits for its settlement price). What is left is the
///            owner's (`withdrawSettled`), and so is any credit (`withdrawCredit` mints it).
///            The BackstopVault's credit is its LPs' (BackstopVault's `redeem`/`withdraw` after
///            settlement call `withdrawCredit(vault, ...)`), once the ledger is wound down and
///            net of the deficit (see `withdrawCredit`).
///         2. `openRedemption`: once, after every account and auction is settled (the ledger
///            wound down: no debt, no auction debt, no open position); it heals the deficit
///            out of the vault's credit and fixes the claims on the pool (every stablecoin and
///            every credit, minted or not: deficit + the debt paid into the pool); redemption
///            opens `REDEMPTION_DELAY` later.
///         3. `redeem`: a holder burns stablecoin for the same share of every collateral in the
///            pool: share = amount / the claims left. Each redemption removes the same fraction
///            of claims and pool, so neither the order of redeemers nor credit minted later
///            (`withdrawCredit`) moves the rate; a deficit (unbacked stablecoin) dilutes every
///            claim equally: never hidden.
/// @dev The stability-fee index is frozen at its last accrual before settlement; funding is
///      frozen at each market's last accrual. Units: WAD for USD and stablecoin, token decimals
///      for collateral.
interface IGlobalSettlement {
    error Settlement__NotSettled();
    /// @notice `asset` has no settlement price yet (its read failed at settlement): see the
    ///         breaker's `recordSettlementPrice`.
    error Settlement__NoSettlementPrice(address asset);
    error Settlement__AccountNotSettled(address account);
    /// @notice `account` still has `auctions` auctions running: `settleAuction` each first (their
    ///         lots and debts return to it), then settle it (ADR 0014).
    error Settlement__AuctionsRunning(address account, uint256 auctions);
    error Settlement__RedemptionNotOpen(uint256 opensAt);
    error Settlement__RedemptionAlreadyScheduled(uint256 opensAt);
    error Settlement__ZeroAmount();
    /// @notice The vault's credit cannot leave yet: accounts still owe `debtWad`, auctions
    ///         `auctionDebtWad`, and `openMarkets` markets still hold positions.
    error Settlement__NotWoundDown(uint256 debtWad, uint256 auctionDebtWad, uint256 openMarkets);
    /// @notice A redemption above the claims the pool still answers (cannot happen while I1
    ///         holds: the claims include every stablecoin).
    error Settlement__ClaimsExceeded(uint256 amountWad, uint256 claimsLeftWad);

    /// @notice An account was settled: `debtWad` paid with collateral moved to the pool, of which
    ///         `badDebtWad` could not be paid (waterfall), and `positionsClosed` positions closed.
    event AccountSettled(address indexed account, uint256 debtWad, uint256 badDebtWad, uint256 positionsClosed);
    /// @notice `amount` of `token` moved from `account` into the redemption pool.
    event CollateralPooled(address indexed account, address indexed token, uint256 amount);
    event SettledCollateralWithdrawn(address indexed account, address indexed token, address to, uint256 amount);
    event CreditWithdrawn(address indexed account, address to, uint256 amountWad);
    /// @notice Redemption opens at `opensAt`; `claimsWad` is every claim on the pool (the rate's
    ///         denominator).
    event RedemptionScheduled(uint256 opensAt, uint256 claimsWad);
    /// @notice `holder` burned `amountWad` against `claimsWad` claims left; `token` paid `amount`.
    event Redeemed(address indexed holder, address indexed token, uint256 amountWad, uint256 claimsWad, uint256 amount);

    /// @notice Seconds between `openRedemption` and the first redemption.
    function REDEMPTION_DELAY() external view returns (uint256);

    /// @notice Settles `account` (permissionless, once settlement has begun; idempotent). Refused
    ///         while an auction of the account runs (`Settlement__AuctionsRunning`): its lot and
    ///         debt must return first (`settleAuction`), so the account settles whole. Refused too
    ///         while it needs an asset with no settlement price yet (`Settlement__NoSettlementPrice`,
    ///         ADR 0015): a position in that market, or debt its priced collateral does not pay
    ///         while it holds that collateral (nothing is written off against collateral the owner
    ///         would keep). The breaker's `recordSettlementPrice` supplies the price.
    function settleAccount(address account) external;

    /// @notice Ends running auction `id` after settlement (permissionless; Maker End's `snip`):
    ///         takes and redos are refused from settlement on, so without it the lot would stay
    ///         in the ledger and out of the redemption pool for good. The lot goes back to the
    ///         account's collateral and the auction's debt back to its debt (at the frozen index,
    ///         credit first), as `AuctionSettled(id, account, token, lot, debt, 0)` records;
    ///         `settleAccount` (again, if it ran already) then pools the collateral against it.
    function settleAuction(uint256 id) external;

    /// @notice Withdraws collateral left to a settled account. Owner or operator only.
    function withdrawSettled(address account, address token, uint256 amount, address to) external;

    /// @notice Mints a settled account's credit as stablecoin (so it can be redeemed). Owner or
    ///         operator only. For the BackstopVault (`account == vault`, the vault itself only):
    ///         its credit, once the ledger is wound down (no debt, no auction debt, no open
    ///         position: every account and auction settled, else `Settlement__NotWoundDown`), and
    ///         at most max(0, vault credit - deficit) (`Clearinghouse__InsufficientVaultCredit`).
    /// @dev Why the vault waits: until every position is closed and every debt settled, the
    ///      vault still owes the winners' PnL and the bad debt of accounts not yet settled (the
    ///      waterfall takes its credit first). Credit minted before that would move those losses
    ///      from the vault's LPs onto every stablecoin holder (as deficit), and let the first LPs
    ///      out escape the losses the last ones bear. Once wound down the vault's credit moves
    ///      only by this call, so every LP is paid at the same rate.
    ///      Why net of the deficit: the deficit is stablecoin no debt backs, born when the vault's
    ///      credit ran out; credit the vault earned later backs it first (the vault is first
    ///      loss), so the LPs' claim is max(0, credit - deficit) and the rest of the credit stays,
    ///      never minted. A heal that moves x out of both leaves the claim unchanged.
    ///      I1 (supply + credits == debts + auction debt + deficit + debt paid into the pool):
    ///      the call moves `amountWad` from the vault's credit to the supply, both on the left.
    function withdrawCredit(address account, uint256 amountWad, address to) external;

    /// @notice Schedules the opening of redemption `REDEMPTION_DELAY` from now (once, and only
    ///         once the ledger is wound down: `Settlement__NotWoundDown`), heals the deficit out of
    ///         the vault's credit and fixes the claims on the pool. Permissionless.
    function openRedemption() external;

    /// @notice Burns `amountWad` stablecoin from the caller and sends `to` its share of the pool:
    ///         pool x amount / claims left, per collateral, rounded down.
    function redeem(uint256 amountWad, address to) external;

    /// @notice The claims the pool still answers (0 before `openRedemption`).
    function redemptionClaimsLeft() external view returns (uint256);

    /// @notice Collateral in the redemption pool.
    function redemptionPool(address token) external view returns (uint256);

    /// @notice When redemption opens (0: not scheduled).
    function redemptionOpensAt() external view returns (uint256);
}
