// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title LedgerReader
/// @notice Test-only batched reader for the property suite: one eth_call reads every view the
///         checks need. Returns the block timestamp, then per call a 32-byte word (the return
///         data's length, or type(uint256).max when the call reverted) followed by the return data.
contract LedgerReader {
    function aggregate(address[] calldata targets, bytes[] calldata data) external view returns (bytes memory out) {
        out = abi.encodePacked(block.timestamp);
        for (uint256 i; i < targets.length; ++i) {
            (bool ok, bytes memory ret) = targets[i].staticcall(data[i]);
            out = ok ? bytes.concat(out, bytes32(ret.length), ret) : bytes.concat(out, bytes32(type(uint256).max));
        }
    }
}
