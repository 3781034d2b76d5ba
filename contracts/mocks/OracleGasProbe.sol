// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title OracleGasProbe
/// @notice Measures the gas of one `getPrice` call from inside a transaction (call it with
///         `eth_call`/`staticCall` so every account and slot starts cold).
contract OracleGasProbe {
    function measureGetPrice(
        IOracleRouter router,
        address asset
    ) external view returns (uint256 gasUsed, uint256 priceWad, bool ok) {
        uint256 before = gasleft();
        (priceWad, ok) = router.getPrice(asset);
        gasUsed = before - gasleft();
    }

    function measureGetPriceTwice(
        IOracleRouter router,
        address asset
    ) external view returns (uint256 coldGas, uint256 warmGas) {
        uint256 before = gasleft();
        router.getPrice(asset);
        coldGas = before - gasleft();
        before = gasleft();
        router.getPrice(asset);
        warmGas = before - gasleft();
    }

    /// @notice Baseline: one cold `latestRoundData()` call straight to the feed, the part of a
    ///         `getPrice` that the router cannot influence.
    function measureLatestRoundData(AggregatorV3Interface feed) external view returns (uint256 gasUsed) {
        uint256 before = gasleft();
        feed.latestRoundData();
        gasUsed = before - gasleft();
    }
}
