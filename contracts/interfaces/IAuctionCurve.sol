// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IAuctionCurve
/// @notice A price-decay curve for the DutchAuction (after MakerDAO's abaci). Stateless: the
///         parameters are immutables of the curve contract; one curve may serve many assets.
interface IAuctionCurve {
    /// @notice A constructor parameter is outside the curve's hard bounds (inclusive).
    error AuctionCurve__OutOfBounds(string name, uint256 value, uint256 min, uint256 max);

    /// @notice Auction price after `elapsedSeconds`, given the starting price. Rounded down (the
    ///         price only ever falls; rounding down can only make it fall faster, by one wei).
    /// @param startPriceWad Starting price, WAD per whole token.
    /// @param elapsedSeconds Seconds since the auction (re)started.
    /// @return priceWad Current price, WAD per whole token; never above `startPriceWad`.
    function price(uint256 startPriceWad, uint256 elapsedSeconds) external view returns (uint256 priceWad);
}
