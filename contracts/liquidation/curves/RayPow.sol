// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title RayPow
/// @notice `x^n` for a RAY base in [0, 1e27], by squaring; every product rounds down, so the
///         result is never above the exact power (a decay curve may fall faster by a few wei,
///         never slower). Bases above one are not supported (they could overflow).
library RayPow {
    uint256 internal constant RAY = 1e27;

    /// @notice `x^n` in RAY, rounded down. Requires `x <= RAY` (no overflow then: x*x < 2^256).
    function rpowDown(uint256 x, uint256 n) internal pure returns (uint256 z) {
        z = RAY;
        while (n > 0) {
            if (n & 1 == 1) z = (z * x) / RAY;
            n >>= 1;
            if (n > 0) x = (x * x) / RAY;
            if (z == 0) return 0;
        }
    }
}
