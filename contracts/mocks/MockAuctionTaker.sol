// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IAuctionTaker} from "../interfaces/IAuctionTaker.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";

/// @title MockAuctionTaker
/// @notice Flash-liquidation receiver for tests. `takeAuction` calls `take` with itself as caller
///         and receiver; in the callback it records what it holds (to prove the collateral came
///         first) and, if `payInCallback`, approves the auction for what it owes from its own
///         stablecoin (as a real one would after selling the collateral on a DEX).
contract MockAuctionTaker is IAuctionTaker {
    error MockAuctionTaker__NotAuction(address caller);

    IDutchAuction public immutable auction;
    IERC20 public immutable stablecoin;

    address public lastSender;
    uint256 public lastOweWad;
    uint256 public lastSlice;
    uint256 public collateralAtCallback;
    bytes public lastData;
    address public collateral;
    uint256 public callbackCount;

    constructor(IDutchAuction auction_, IERC20 stablecoin_) {
        auction = auction_;
        stablecoin = stablecoin_;
    }

    function setCollateral(address token) external {
        collateral = token;
    }

    /// @notice Takes as the payer and the receiver.
    function takeAuction(
        uint256 id,
        uint256 maxAmount,
        uint256 maxPriceWad,
        bytes calldata data
    ) external returns (uint256 slice, uint256 oweWad) {
        return auction.take(id, maxAmount, maxPriceWad, address(this), data);
    }

    /// @inheritdoc IAuctionTaker
    function onAuctionTake(address sender, uint256 oweWad, uint256 slice, bytes calldata data) external virtual {
        if (msg.sender != address(auction)) revert MockAuctionTaker__NotAuction(msg.sender);
        lastSender = sender;
        lastOweWad = oweWad;
        lastSlice = slice;
        lastData = data;
        callbackCount += 1;
        if (collateral != address(0)) collateralAtCallback = IERC20(collateral).balanceOf(address(this));
        if (sender == address(this)) stablecoin.approve(address(auction), oweWad);
    }
}
