// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title BallastTimelock
/// @notice Ballast's governance: OpenZeppelin's TimelockController whose minimum delay, once set,
///         stays within [`MIN_DELAY_SECONDS`, `MAX_DELAY_SECONDS`] (ADR 0016). OpenZeppelin's
///         `updateDelay` takes any value, so one scheduled operation could set the delay to 0
///         (every later loosening executes in the block it is proposed: nobody sees it coming)
///         or to a century (the delay governs its own change, so nothing, not even a fix of the
///         delay, could execute again: every parameter frozen).
/// @dev The delay is kept here (`getMinDelay`, which OpenZeppelin's scheduling reads); the
///      parent's private copy is set by its constructor and never read again. Construction
///      accepts a delay within the bounds or 0: 0 is the deployment's bootstrap (the deployer,
///      sole proposer and executor, runs the governance-only setup as timelock batches, then
///      the hand-over batch raises the delay into the bounds). No operation can return to 0:
///      `updateDelay` accepts only a delay within the bounds.
contract BallastTimelock is TimelockController {
    /// @notice Shortest delay `updateDelay` accepts: one day, so a loosening is public for at
    ///         least a day before it executes (the parameter files' floor, on every network).
    uint256 public constant MIN_DELAY_SECONDS = 1 days;
    /// @notice Longest delay accepted: 30 days. The delay governs its own change, so a longer
    ///         one could not be shortened in less time, and every change and fix would wait as long.
    uint256 public constant MAX_DELAY_SECONDS = 30 days;

    /// @notice A delay outside [`minDelaySeconds`, `maxDelaySeconds`] (0 is accepted only at
    ///         construction).
    error BallastTimelock__DelayOutOfBounds(uint256 delaySeconds, uint256 minDelaySeconds, uint256 maxDelaySeconds);

    uint256 private _delaySeconds;

    /// @param minDelaySeconds Initial delay: within the bounds, or 0 for a deployment's bootstrap.
    /// @param proposers Proposers (each also a canceller), as OpenZeppelin's constructor.
    /// @param executors Executors; the zero address opens execution to everyone.
    /// @param admin Optional extra admin; `address(0)` for none (the timelock administers itself).
    constructor(
        uint256 minDelaySeconds,
        address[] memory proposers,
        address[] memory executors,
        address admin
    ) TimelockController(minDelaySeconds, proposers, executors, admin) {
        if (minDelaySeconds != 0) _requireInBounds(minDelaySeconds);
        _delaySeconds = minDelaySeconds;
    }

    /// @notice Changes the minimum delay of later operations. Only the timelock itself, so only
    ///         as a scheduled and executed operation; the new delay must be within the bounds
    ///         (`BallastTimelock__DelayOutOfBounds`, which the operation's execution reverts with).
    function updateDelay(uint256 newDelay) external override {
        address sender = _msgSender();
        if (sender != address(this)) revert TimelockUnauthorizedCaller(sender);
        _requireInBounds(newDelay);
        emit MinDelayChange(_delaySeconds, newDelay);
        _delaySeconds = newDelay;
    }

    /// @notice The minimum delay of an operation, seconds.
    function getMinDelay() public view override returns (uint256) {
        return _delaySeconds;
    }

    function _requireInBounds(uint256 delaySeconds) internal pure {
        if (delaySeconds < MIN_DELAY_SECONDS || delaySeconds > MAX_DELAY_SECONDS) {
            revert BallastTimelock__DelayOutOfBounds(delaySeconds, MIN_DELAY_SECONDS, MAX_DELAY_SECONDS);
        }
    }
}
