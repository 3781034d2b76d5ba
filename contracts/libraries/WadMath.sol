// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title WadMath
/// @notice Fixed-point helpers for WAD (1e18) and RAY (1e27) numbers. Every helper names the
///         direction it rounds. The protocol's rule, written once: round against the account
///         (debt and requirements up, collateral value and payouts down).
/// @dev `Math.mulDiv` (OpenZeppelin) is the primitive; it is exact to 512 bits.
library WadMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant RAY = 1e27;

    /// @notice `x * y / WAD`, rounded down.
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD);
    }

    /// @notice `x * y / WAD`, rounded up.
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, WAD, Math.Rounding.Ceil);
    }

    /// @notice `x * WAD / y`, rounded down.
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y);
    }

    /// @notice `x * WAD / y`, rounded up.
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, WAD, y, Math.Rounding.Ceil);
    }

    /// @notice `x * y / d`, rounded down.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    /// @notice `x * y / d`, rounded up.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @notice `x * y / RAY`, rounded down.
    function mulRayDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, RAY);
    }

    /// @notice `x * y / RAY`, rounded up.
    function mulRayUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, y, RAY, Math.Rounding.Ceil);
    }

    /// @notice `x * RAY / y`, rounded down.
    function divRayDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, RAY, y);
    }

    /// @notice `x * RAY / y`, rounded up.
    function divRayUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return Math.mulDiv(x, RAY, y, Math.Rounding.Ceil);
    }

    /// @notice Signed `x * y / WAD`, rounded toward negative infinity (against a holder of `+x`).
    function mulWadSignedFloor(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return int256(Math.mulDiv(uint256(x), y, WAD));
        return -int256(Math.mulDiv(uint256(-x), y, WAD, Math.Rounding.Ceil));
    }

    /// @notice Signed `x * y / WAD`, rounded toward positive infinity.
    function mulWadSignedCeil(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return int256(Math.mulDiv(uint256(x), y, WAD, Math.Rounding.Ceil));
        return -int256(Math.mulDiv(uint256(-x), y, WAD));
    }

    /// @notice Scales a token amount with `decimals` decimals to WAD, exact (decimals <= 18).
    function toWad(uint256 amount, uint8 decimals) internal pure returns (uint256) {
        return amount * 10 ** (18 - decimals);
    }

    /// @notice Scales a WAD amount to a token amount with `decimals` decimals, rounded down.
    function fromWadDown(uint256 amountWad, uint8 decimals) internal pure returns (uint256) {
        return amountWad / 10 ** (18 - decimals);
    }

    /// @notice Scales a WAD amount to a token amount with `decimals` decimals, rounded up.
    function fromWadUp(uint256 amountWad, uint8 decimals) internal pure returns (uint256) {
        uint256 scale = 10 ** (18 - decimals);
        return (amountWad + scale - 1) / scale;
    }

    /// @notice Absolute value of a signed number.
    function abs(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}
