// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAuctionSink
/// @notice Where a DutchAuction settles: the ledger (the Clearinghouse) implements it. The sink
///         keeps custody of the collateral of running auctions (it never leaves the ledger until a
///         taker buys it) and moves the books; the auction prices and keeps the auction records.
/// @dev Every function is called only by the auction; a sink MUST reject any other caller.
interface IAuctionSink {
    /// @notice One take's settlement, in one call (see `onAuctionTake`).
    /// @param auctionId The auction.
    /// @param account The liquidated account.
    /// @param token The collateral token.
    /// @param payer Who pays: the caller of `take`, who approved the auction for `paidWad`.
    /// @param receiver Where the collateral goes.
    /// @param slice Collateral to send to `receiver` now, token decimals (0 when the auction has
    ///        already sent it with `sendCollateral`, before a taker callback).
    /// @param paidWad Stablecoin paid (and to be burned), WAD.
    /// @param debtCoveredWad Part of `paidWad` that repays debt (<= `paidWad`), WAD.
    /// @param ends The auction is over (its tab is paid, or its lot is gone).
    /// @param lotLeft When `ends`: collateral returned to `account`, token decimals.
    /// @param debtLeftWad When `ends`: debt no taker paid for (bad debt), WAD.
    // memory and ABI only, never stored: slot packing does not apply
    // solhint-disable-next-line gas-struct-packing
    struct TakeSettlement {
        uint256 auctionId;
        address account;
        address token;
        address payer;
        address receiver;
        uint256 slice;
        uint256 paidWad;
        uint256 debtCoveredWad;
        bool ends;
        uint256 lotLeft;
        uint256 debtLeftWad;
    }

    /// @notice Settles a take, in this order: sends `slice` of `token` to `receiver` (collateral
    ///         out first); burns `paidWad` from `payer`, spending the allowance `payer` gave the
    ///         auction (the caller: exactly as the auction's own `transferFrom` would, without the
    ///         round trip through the auction's balance); reduces the debt owed by open auctions by
    ///         `debtCoveredWad` and credits the penalty part (`paidWad - debtCoveredWad`) to the
    ///         BackstopVault. When `ends`, it then MUST credit `lotLeft` of `token` (still in its
    ///         custody) back to `account`, and settle `debtLeftWad` (non-zero only when the lot
    ///         ran out first): the Clearinghouse charges it back to the account while the account
    ///         still holds collateral or another of its auctions runs (whose surplus lot returns
    ///         to it), and otherwise (a finished account, ADR 0014) takes it from the account's
    ///         credit and pushes the rest into the bad-debt waterfall (the vault's credit first,
    ///         then the deficit). In that last case this payment covers debt before penalty and
    ///         credit: its penalty share pays down the debt left first, so the waterfall sees the
    ///         shortfall rather than a loss the same payment's penalty income offsets (the vault's
    ///         balance is the same). MUST revert while the circuit breaker
    ///         stops takes of `token` (level 3, global or the token's, or settlement).
    function onAuctionTake(TakeSettlement calldata s) external;

    /// @notice Sends `amount` of `token` from the collateral of running auctions to a taker's
    ///         `to` (the "collateral out first" step of a take with a taker callback). MUST revert
    ///         while the circuit breaker stops takes of `token`, as `onAuctionTake`.
    function sendCollateral(address token, address to, uint256 amount) external;

    /// @notice Credits a keeper reward of `amountWad` to `keeper` (a redo's; a kick's reward is
    ///         credited by the kicker), paid from the vault's credit (a shortfall becomes deficit,
    ///         never hidden).
    function payKeeper(address keeper, uint256 amountWad) external;
}
