// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";

import {IAuctionTaker} from "../interfaces/IAuctionTaker.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IFlashLiquidator} from "../interfaces/IFlashLiquidator.sol";

/// @title FlashLiquidator
/// @notice Flash take of a Ballast Dutch auction: buy the collateral, sell it on Uniswap v3 inside
///         the auction's callback, pay the auction, keep the difference. See IFlashLiquidator.
/// @dev The in-flight flag and the proceeds of the current sale live in transient storage (EIP-1153),
///      so a callback outside this contract's own take is refused and nothing persists between
///      transactions.
contract FlashLiquidator is IFlashLiquidator {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- constants

    /// @dev Length of one address in a packed Uniswap path.
    uint256 internal constant ADDR_SIZE = 20;
    /// @dev Length of one fee tier (uint24) in a packed Uniswap path.
    uint256 internal constant FEE_SIZE = 3;

    // ---------------------------------------------------------------- immutables

    /// @inheritdoc IFlashLiquidator
    IDutchAuction public immutable auction;
    /// @inheritdoc IFlashLiquidator
    IERC20 public immutable stablecoin;
    /// @inheritdoc IFlashLiquidator
    ISwapRouter public immutable router;

    // ---------------------------------------------------------------- transient storage

    /// @dev True only inside `_takeAndSell`.
    bool internal transient _inFlight;
    /// @dev Stablecoin the callback's sale brought in, WAD.
    uint256 internal transient _proceedsWad;

    // ---------------------------------------------------------------- constructor

    /// @param auction_ The DutchAuction.
    /// @param stablecoin_ The stablecoin the auction is paid in (must be the auction's).
    /// @param router_ The Uniswap v3 SwapRouter.
    constructor(IDutchAuction auction_, IERC20 stablecoin_, ISwapRouter router_) {
        if (address(auction_) == address(0) || address(stablecoin_) == address(0) || address(router_) == address(0)) {
            revert FlashLiquidator__ZeroAddress();
        }
        auction = auction_;
        stablecoin = stablecoin_;
        router = router_;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IFlashLiquidator
    function takeAndSell(
        uint256 auctionId,
        uint256 maxAmount,
        uint256 maxPriceWad,
        uint24 poolFee,
        uint256 minProfitWad,
        address profitTo
    ) external returns (uint256 slice, uint256 oweWad, uint256 profitWad) {
        (address collateral, bytes memory data) = _prepare(auctionId, poolFee, "", minProfitWad, profitTo);
        return _takeAndSell(auctionId, maxAmount, maxPriceWad, collateral, data, profitTo);
    }

    /// @inheritdoc IFlashLiquidator
    function takeAndSellPath(
        uint256 auctionId,
        uint256 maxAmount,
        uint256 maxPriceWad,
        bytes calldata path,
        uint256 minProfitWad,
        address profitTo
    ) external returns (uint256 slice, uint256 oweWad, uint256 profitWad) {
        (address collateral, bytes memory data) = _prepare(auctionId, 0, path, minProfitWad, profitTo);
        _checkPath(path, collateral);
        return _takeAndSell(auctionId, maxAmount, maxPriceWad, collateral, data, profitTo);
    }

    /// @inheritdoc IAuctionTaker
    /// @dev Sells all of `slice`, checks the whole slice was sold and the proceeds cover
    ///      `oweWad + minProfitWad`, approves the auction for exactly `oweWad` and records the
    ///      proceeds for `_takeAndSell`. The sold amount is measured as this contract's collateral
    ///      balance before minus after the swap (tokens someone sent here do not count), so a swap
    ///      that sold all of it also consumed the router's allowance of exactly `slice` to zero.
    function onAuctionTake(address sender, uint256 oweWad, uint256 slice, bytes calldata data) external {
        if (msg.sender != address(auction) || !_inFlight || sender != address(this)) {
            revert FlashLiquidator__UnexpectedCallback(msg.sender, sender);
        }
        (uint256 auctionId, address collateral, uint24 poolFee, bytes memory path, uint256 minProfitWad) = abi.decode(
            data,
            (uint256, address, uint24, bytes, uint256)
        );
        if (slice == 0) revert FlashLiquidator__NothingBought(auctionId, oweWad);

        uint256 balanceBefore = IERC20(collateral).balanceOf(address(this));
        IERC20(collateral).forceApprove(address(router), slice);
        uint256 proceedsWad;
        if (path.length == 0) {
            proceedsWad = router.exactInputSingle(
                ISwapRouter.ExactInputSingleParams({
                    tokenIn: collateral,
                    tokenOut: address(stablecoin),
                    fee: poolFee,
                    recipient: address(this),
                    deadline: block.timestamp,
                    amountIn: slice,
                    amountOutMinimum: 0,
                    sqrtPriceLimitX96: 0
                })
            );
        } else {
            proceedsWad = router.exactInput(
                ISwapRouter.ExactInputParams({
                    path: path,
                    recipient: address(this),
                    deadline: block.timestamp,
                    amountIn: slice,
                    amountOutMinimum: 0
                })
            );
        }
        // a pool that runs out of liquidity fills only part of an exact-input swap (no price
        // limit): the router pulls what it used and the rest would stay here with an allowance
        uint256 soldAmount = balanceBefore - IERC20(collateral).balanceOf(address(this));
        if (soldAmount != slice) revert FlashLiquidator__PartialSale(slice, soldAmount);
        if (proceedsWad < oweWad) revert FlashLiquidator__InsufficientProceeds(proceedsWad, oweWad);
        if (proceedsWad - oweWad < minProfitWad) {
            revert FlashLiquidator__Unprofitable(proceedsWad - oweWad, minProfitWad);
        }
        _proceedsWad = proceedsWad;
        stablecoin.forceApprove(address(auction), oweWad);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Checks the request and builds the callback data; `path` empty means the single pool of
    ///      tier `poolFee`.
    function _prepare(
        uint256 auctionId,
        uint24 poolFee,
        bytes memory path,
        uint256 minProfitWad,
        address profitTo
    ) internal view returns (address collateral, bytes memory data) {
        if (_inFlight) revert FlashLiquidator__Reentrant();
        if (profitTo == address(0)) revert FlashLiquidator__ZeroAddress();
        collateral = auction.auctions(auctionId).token;
        data = abi.encode(auctionId, collateral, poolFee, path, minProfitWad);
    }

    /// @dev Takes with this contract as payer and receiver (the callback sells), then pays out.
    function _takeAndSell(
        uint256 auctionId,
        uint256 maxAmount,
        uint256 maxPriceWad,
        address collateral,
        bytes memory data,
        address profitTo
    ) internal returns (uint256 slice, uint256 oweWad, uint256 profitWad) {
        _inFlight = true;
        (slice, oweWad) = auction.take(auctionId, maxAmount, maxPriceWad, address(this), data);
        _inFlight = false;

        uint256 proceedsWad = _proceedsWad;
        _proceedsWad = 0;
        profitWad = proceedsWad - oweWad;
        emit FlashTake(auctionId, collateral, profitTo, slice, oweWad, proceedsWad, profitWad);
        if (profitWad > 0) stablecoin.safeTransfer(profitTo, profitWad);
    }

    /// @dev Reverts unless `path` is `20 + 23k` bytes (k >= 1 hops), starts with `collateral` and
    ///      ends with the stablecoin.
    function _checkPath(bytes calldata path, address collateral) internal view {
        uint256 len = path.length;
        if (len < 2 * ADDR_SIZE + FEE_SIZE || (len - ADDR_SIZE) % (ADDR_SIZE + FEE_SIZE) != 0) {
            revert FlashLiquidator__BadPath(address(0), address(0));
        }
        address tokenIn = address(bytes20(path[:ADDR_SIZE]));
        address tokenOut = address(bytes20(path[len - ADDR_SIZE:]));
        if (tokenIn != collateral || tokenOut != address(stablecoin)) {
            revert FlashLiquidator__BadPath(tokenIn, tokenOut);
        }
    }
}
