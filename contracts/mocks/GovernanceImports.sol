// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title GovernanceTimelock
/// @notice OpenZeppelin's TimelockController, unchanged. Hardhat 3 writes artifacts only for the
///         project's own root files (npm files need `solidity.npmFilesToBuild`), so this empty
///         subclass is what gives tests and local deployments an artifact and TypeChain types.
///         Same bytecode logic, same errors (e.g. `TimelockUnexpectedOperationState`).
contract GovernanceTimelock is TimelockController {
    constructor(
        uint256 minDelay,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelay, proposers, executors, admin) {}
}
