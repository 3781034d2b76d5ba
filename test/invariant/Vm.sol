// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @notice The few cheatcodes the invariant handlers use (forge-std on npm has no StdInvariant,
///         so the suite declares what it needs itself).
interface IVm {
    /// @notice A log captured by `recordLogs` (forge-std's `Vm.Log`).
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function writeLine(string calldata path, string calldata data) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory logs);
}

/// @dev The cheatcode address: address(uint160(uint256(keccak256("hevm cheat code")))).
IVm constant VM = IVm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

/// @dev Maps `x` into [lo, hi] (both inclusive), uniformly enough for fuzzing.
function boundU(uint256 x, uint256 lo, uint256 hi) pure returns (uint256) {
    if (hi <= lo) return lo;
    uint256 span = hi - lo;
    if (span == type(uint256).max) return x;
    return lo + (x % (span + 1));
}
