// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title MockLiquidationBatcher
/// @notice Test helper: two liquidation batches and a single liquidation in one transaction, with
///         a price move between the batches, to show that a batch's quote cache (transient) is seen
///         by no later call of the same transaction.
contract MockLiquidationBatcher {
    function batchMoveBatch(
        ILiquidationEngine engine,
        address[] calldata first,
        MockV3Aggregator feed,
        int256 answer,
        IOracleRouter router,
        address asset,
        address[] calldata second,
        address single
    ) external {
        engine.liquidateBatch(first, address(this));
        feed.updateAnswer(answer);
        router.poke(asset);
        engine.liquidateBatch(second, address(this));
        if (single != address(0)) engine.liquidate(single, address(this));
    }
}
