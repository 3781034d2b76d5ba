// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";

/// @title OracleMockV3Aggregator
/// @notice Chainlink's own MockV3Aggregator, unchanged. Hardhat 3 writes no artifact for a
///         contract that lives in an npm package unless `npmFilesToBuild` lists it, so this
///         empty subclass gives the tests a deployable artifact with TypeChain types.
contract OracleMockV3Aggregator is MockV3Aggregator {
    constructor(uint8 decimals_, int256 initialAnswer) MockV3Aggregator(decimals_, initialAnswer) {}
}
