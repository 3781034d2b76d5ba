// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IAuctionTaker} from "./IAuctionTaker.sol";
import {IDutchAuction} from "./IDutchAuction.sol";

/// @title IFlashLiquidator
/// @notice Takes a DutchAuction lot with no capital of its own: the auction sends the collateral
///         first and calls back (`IAuctionTaker.onAuctionTake`); inside the callback the
///         collateral is sold for the stablecoin on Uniswap v3 (SwapRouter), the auction is
///         approved for what it is owed, and once `take` has pulled its payment the rest of the
///         proceeds (the profit) goes to `profitTo`. The whole call reverts when the sale does not
///         cover the payment plus `minProfitWad`.
/// @dev Stateless between calls: it holds no tokens and no allowances after any call (an
///      allowance given to the auction or the router is consumed exactly). Permissionless: the
///      caller picks `profitTo`. The stablecoin is assumed to have 18 decimals (amounts out of
///      the swap are WAD). Only a callback from the auction during this contract's own `take` is
///      accepted; the auction's lock forbids any other take in between.
///      The whole `slice` must sell: a partial fill reverts (`FlashLiquidator__PartialSale`), so
///      no collateral and no router allowance is ever left behind.
///      Warning: the swap itself has no minimum output other than the profit check made right
///      after it in the same transaction, so a sandwich can only take the part of the profit
///      above `minProfitWad`: set `minProfitWad` to what the caller is willing to lose to MEV.
interface IFlashLiquidator is IAuctionTaker {
    // ---------------------------------------------------------------- errors

    error FlashLiquidator__ZeroAddress();
    /// @notice `onAuctionTake` from anyone but the auction, outside this contract's own take, or
    ///         for a take paid by someone else.
    error FlashLiquidator__UnexpectedCallback(address caller, address sender);
    /// @notice A take-and-sell was started while one is in flight.
    error FlashLiquidator__Reentrant();
    /// @notice The auction bought nothing (`slice` zero): nothing to sell.
    error FlashLiquidator__NothingBought(uint256 auctionId, uint256 oweWad);
    /// @notice A swap path must start with the auction's collateral and end with the stablecoin
    ///         (both zero when the path is malformed: not `20 + 23k` bytes with k >= 1).
    error FlashLiquidator__BadPath(address tokenIn, address tokenOut);
    /// @notice The swap sold only `soldAmount` of the `slice` bought (a pool without enough
    ///         liquidity fills an exact-input swap only partly). The whole call reverts rather
    ///         than keep the rest or hand it to `profitTo`: this contract holds no inventory and
    ///         judges a take by its stablecoin profit only, which a leftover of collateral would
    ///         leave unpriced; the keeper retries with a smaller `maxAmount` the pool can absorb.
    error FlashLiquidator__PartialSale(uint256 slice, uint256 soldAmount);
    /// @notice The collateral sold for less than the auction asks.
    error FlashLiquidator__InsufficientProceeds(uint256 proceedsWad, uint256 oweWad);
    /// @notice The sale covers the payment but leaves less than `minProfitWad`.
    error FlashLiquidator__Unprofitable(uint256 profitWad, uint256 minProfitWad);

    // ---------------------------------------------------------------- events

    /// @notice A flash take: `slice` collateral bought for `oweWad`, sold for `proceedsWad`,
    ///         `profitWad` (= proceeds - owe) sent to `profitTo`.
    event FlashTake(
        uint256 indexed auctionId,
        address indexed collateral,
        address indexed profitTo,
        uint256 slice,
        uint256 oweWad,
        uint256 proceedsWad,
        uint256 profitWad
    );

    // ---------------------------------------------------------------- external mutating

    /// @notice Buys up to `maxAmount` collateral from auction `auctionId` at its current price (at
    ///         most `maxPriceWad`) and sells it on the Uniswap v3 pool collateral/stablecoin of fee
    ///         tier `poolFee` in the same call; sends the profit to `profitTo`.
    /// @dev Reverts with the auction's errors (not running, needs redo, price above max, dust),
    ///      `FlashLiquidator__PartialSale` (the pool could not absorb the whole slice),
    ///      `FlashLiquidator__InsufficientProceeds` or `FlashLiquidator__Unprofitable`.
    /// @param auctionId The auction.
    /// @param maxAmount Most collateral to buy, token decimals.
    /// @param maxPriceWad Highest acceptable auction price, WAD per whole token.
    /// @param poolFee The Uniswap v3 fee tier (e.g. 500, 3000, 10000).
    /// @param minProfitWad Least profit accepted, stablecoin WAD.
    /// @param profitTo Receiver of the profit.
    /// @return slice Collateral bought and sold, token decimals.
    /// @return oweWad Stablecoin paid to the auction, WAD.
    /// @return profitWad Stablecoin sent to `profitTo`, WAD.
    function takeAndSell(
        uint256 auctionId,
        uint256 maxAmount,
        uint256 maxPriceWad,
        uint24 poolFee,
        uint256 minProfitWad,
        address profitTo
    ) external returns (uint256 slice, uint256 oweWad, uint256 profitWad);

    /// @notice As `takeAndSell`, selling along a Uniswap v3 multi-hop `path`
    ///         (`token, fee, token, fee, ..., token`, packed), which must start with the
    ///         auction's collateral and end with the stablecoin.
    function takeAndSellPath(
        uint256 auctionId,
        uint256 maxAmount,
        uint256 maxPriceWad,
        bytes calldata path,
        uint256 minProfitWad,
        address profitTo
    ) external returns (uint256 slice, uint256 oweWad, uint256 profitWad);

    // ---------------------------------------------------------------- external views

    /// @notice The DutchAuction this contract takes from.
    function auction() external view returns (IDutchAuction);

    /// @notice The stablecoin the auction is paid in (and the swap's output).
    function stablecoin() external view returns (IERC20);

    /// @notice The Uniswap v3 SwapRouter.
    function router() external view returns (ISwapRouter);
}
