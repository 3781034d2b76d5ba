// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAuctionTaker
/// @notice Callback for flash liquidation: `DutchAuction.take` with non-empty `data` sends the
///         collateral to the receiver first, calls this, then pulls the stablecoin from the
///         caller of `take`. The receiver may sell the collateral on a DEX inside the call.
interface IAuctionTaker {
    /// @param sender The caller of `take` (who pays `oweWad` right after this returns).
    /// @param oweWad Stablecoin the auction will pull from `sender`, WAD.
    /// @param slice Collateral already sent to the receiver, token decimals.
    /// @param data The `data` passed to `take`, unchanged.
    function onAuctionTake(address sender, uint256 oweWad, uint256 slice, bytes calldata data) external;
}
