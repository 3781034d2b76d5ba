// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title WadMath
/// @notice Fixed-point helpers for WAD (1e18) and RAY (1e27) numbers. Every helper names the
///         direction it rounds. The protocol's rule, written once: round against the account
///         (debt and requirements up, collateral value and payouts down).
/// @dev `mulDivDown` / `mulDivUp` are the primitive: exactly OpenZeppelin's `Math.mulDiv` (exact
///      to 512 bits), with a 256-bit fast path when the product fits.
library WadMath {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant RAY = 1e27;

    /// @notice `x * y / WAD`, rounded down.
    function mulWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, WAD);
    }

    /// @notice `x * y / WAD`, rounded up.
    function mulWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, WAD);
    }

    /// @notice `x * WAD / y`, rounded down.
    function divWadDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, WAD, y);
    }

    /// @notice `x * WAD / y`, rounded up.
    function divWadUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, WAD, y);
    }

    /// @notice `x * y / d` rounded down; exactly `Math.mulDiv(x, y, d)` (a zero `d` panics
    ///         the same).
    /// @dev Saves OpenZeppelin's 512-bit path (about 150 gas a call) when the product fits in 256
    ///      bits, which it does for every in-range WAD quantity; otherwise falls back to it.
    function mulDivDown(uint256 x, uint256 y, uint256 d) internal pure returns (uint256 z) {
        bool fast;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let product := mul(x, y)
            // the product did not overflow (x == 0, or product / x == y) and d != 0: the 256-bit
            // quotient is the exact result
            fast := and(or(iszero(x), eq(div(product, x), y)), iszero(iszero(d)))
            if fast {
                z := div(product, d)
            }
        }
        if (!fast) z = Math.mulDiv(x, y, d);
    }

    /// @notice `x * y / d` rounded up; exactly `Math.mulDiv(x, y, d, Math.Rounding.Ceil)`.
    /// @dev The same fast path as `mulDivDown`.
    function mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256 z) {
        bool fast;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let product := mul(x, y)
            fast := and(or(iszero(x), eq(div(product, x), y)), iszero(iszero(d)))
            if fast {
                // quotient plus one when a remainder is left (cannot overflow: quotient < 2^256 - 1
                // whenever d > 1 leaves a remainder)
                z := add(div(product, d), iszero(iszero(mod(product, d))))
            }
        }
        if (!fast) z = Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @notice `x * y / RAY`, rounded down.
    function mulRayDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, y, RAY);
    }

    /// @notice `x * y / RAY`, rounded up.
    function mulRayUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, y, RAY);
    }

    /// @notice `x * RAY / y`, rounded down.
    function divRayDown(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivDown(x, RAY, y);
    }

    /// @notice `x * RAY / y`, rounded up.
    function divRayUp(uint256 x, uint256 y) internal pure returns (uint256) {
        return mulDivUp(x, RAY, y);
    }

    /// @notice Signed `x * y / WAD`, rounded toward negative infinity (against a holder of `+x`).
    function mulWadSignedFloor(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return int256(mulDivDown(uint256(x), y, WAD));
        return -int256(mulDivUp(uint256(-x), y, WAD));
    }

    /// @notice Signed `x * y / WAD`, rounded toward positive infinity.
    function mulWadSignedCeil(int256 x, uint256 y) internal pure returns (int256) {
        if (x >= 0) return int256(mulDivUp(uint256(x), y, WAD));
        return -int256(mulDivDown(uint256(-x), y, WAD));
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
