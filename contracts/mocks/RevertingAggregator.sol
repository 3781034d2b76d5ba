// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

// A hostile feed answers with raw, malformed return data and can spin forever: inline assembly
// and an empty loop body are its point.
// solhint-disable no-inline-assembly, no-empty-blocks

/// @title RevertingAggregator
/// @notice Test double for a broken Chainlink aggregator. `latestRoundData()` misbehaves per
///         `mode`; `decimals()` returns `feedDecimals`, or reverts when `revertDecimals`.
/// @dev Modes: 0 revert with a reason, 1 revert without data, 2 return 64 bytes (short),
///      3 return nothing, 4 return five words with dirty uint80 round ids (answer 2000e8, fresh),
///      5 return a huge blob (return-data bomb), 6 burn all gas.
contract RevertingAggregator {
    uint8 public mode;
    uint8 public feedDecimals;
    bool public revertDecimals;

    error RevertingAggregator__Broken();

    constructor(uint8 decimals_) {
        feedDecimals = decimals_;
    }

    function setMode(uint8 mode_) external {
        mode = mode_;
    }

    function setRevertDecimals(bool revertDecimals_) external {
        revertDecimals = revertDecimals_;
    }

    function decimals() external view returns (uint8) {
        if (revertDecimals) revert RevertingAggregator__Broken();
        return feedDecimals;
    }

    // solhint-disable-next-line no-complex-fallback
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint8 m = mode;
        if (m == 0) revert RevertingAggregator__Broken();
        if (m == 1) {
            assembly {
                revert(0, 0)
            }
        }
        if (m == 2) {
            assembly {
                mstore(0, 1)
                mstore(0x20, 2000)
                return(0, 0x40)
            }
        }
        if (m == 3) {
            assembly {
                return(0, 0)
            }
        }
        if (m == 4) {
            uint256 t = block.timestamp;
            assembly {
                mstore(0, not(0))
                mstore(0x20, 200000000000)
                mstore(0x40, t)
                mstore(0x60, t)
                mstore(0x80, not(0))
                return(0, 0xa0)
            }
        }
        if (m == 5) {
            assembly {
                return(0, 0x100000)
            }
        }
        while (true) {}
        return (0, 0, 0, 0, 0);
    }
}
