// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAuctionSink
/// @notice Where a DutchAuction settles: the ledger (the Clearinghouse) implements it. The sink
///         keeps custody of the collateral of running auctions (it never leaves the ledger until a
///         taker buys it) and moves the books; the auction prices and keeps the auction records.
/// @dev Every function is called only by the auction; a sink MUST reject any other caller.
interface IAuctionSink {
    /// @notice A taker paid `paidWad` stablecoin, which the auction has just pulled into itself.
    ///         The sink MUST burn `paidWad` from its caller (the auction; the stablecoin's minter
    ///         burns without allowance), reduce the debt owed by open auctions by
    ///         `debtCoveredWad` and credit the penalty part (`paidWad - debtCoveredWad`) to the
    ///         BackstopVault.
    /// @param auctionId The auction.
    /// @param account The liquidated account.
    /// @param paidWad Stablecoin paid (and to be burned), WAD.
    /// @param debtCoveredWad Part of `paidWad` that repays debt (<= `paidWad`), WAD.
    function onAuctionPayment(uint256 auctionId, address account, uint256 paidWad, uint256 debtCoveredWad) external;

    /// @notice Sends `amount` of `token` from the collateral of running auctions to a taker's
    ///         `to` (a take's "collateral out first" step).
    function sendCollateral(address token, address to, uint256 amount) external;

    /// @notice The auction is over (its tab is paid, or its lot is gone). The sink MUST credit
    ///         `lotLeft` of `token` (still in its custody) back to `account`, and settle
    ///         `debtLeftWad` (non-zero only when the lot ran out first): the Clearinghouse charges
    ///         it back to the account while the account still holds collateral, and otherwise
    ///         pushes it into the bad-debt waterfall (the vault's credit first, then the deficit).
    /// @param auctionId The auction.
    /// @param account The liquidated account.
    /// @param token The collateral token.
    /// @param lotLeft Collateral returned, token decimals.
    /// @param debtLeftWad Debt no taker paid for (bad debt), WAD.
    function onAuctionEnd(
        uint256 auctionId,
        address account,
        address token,
        uint256 lotLeft,
        uint256 debtLeftWad
    ) external;

    /// @notice Credits a keeper reward of `amountWad` to `keeper`, paid from the vault's credit
    ///         (a shortfall becomes deficit, never hidden).
    function payKeeper(address keeper, uint256 amountWad) external;
}
