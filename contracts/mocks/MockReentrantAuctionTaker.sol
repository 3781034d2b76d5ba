// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAuctionTaker} from "../interfaces/IAuctionTaker.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";

/// @title MockReentrantAuctionTaker
/// @notice In its callback, tries to re-enter the auction: `mode` 1 takes again, 2 redoes,
///         3 kicks. Each must fail with the reentrancy guard's error.
contract MockReentrantAuctionTaker is IAuctionTaker {
    IDutchAuction public immutable auction;
    uint8 public mode;
    uint256 public targetId;

    constructor(IDutchAuction auction_) {
        auction = auction_;
    }

    function setMode(uint8 mode_, uint256 targetId_) external {
        mode = mode_;
        targetId = targetId_;
    }

    /// @inheritdoc IAuctionTaker
    function onAuctionTake(address, uint256, uint256, bytes calldata) external {
        if (mode == 1) auction.take(targetId, 1, type(uint256).max, address(this), "");
        else if (mode == 2) auction.redo(targetId, address(this));
        else if (mode == 3) auction.kick(address(this), address(0), 1, 1, 1, address(0), 1);
    }
}
