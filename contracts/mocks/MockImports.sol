// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// Chainlink's own mock aggregator, compiled so tests and local deployments can use it.
import {MockV3Aggregator} from "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol";
