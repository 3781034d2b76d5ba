// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {WadMath} from "../libraries/WadMath.sol";

/// @notice Exposes WadMath for unit and differential tests.
contract WadMathHarness {
    function mulWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadDown(x, y);
    }

    function mulWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.mulWadUp(x, y);
    }

    function divWadDown(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadDown(x, y);
    }

    function divWadUp(uint256 x, uint256 y) external pure returns (uint256) {
        return WadMath.divWadUp(x, y);
    }

    function mulWadSignedFloor(int256 x, uint256 y) external pure returns (int256) {
        return WadMath.mulWadSignedFloor(x, y);
    }

    function fromWadUp(uint256 x, uint8 decimals) external pure returns (uint256) {
        return WadMath.fromWadUp(x, decimals);
    }

    function mulDivDown(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return WadMath.mulDivDown(x, y, d);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return WadMath.mulDivUp(x, y, d);
    }

    /// @dev The reference WadMath's fast path must equal (OpenZeppelin's 512-bit mulDiv).
    function ozMulDiv(uint256 x, uint256 y, uint256 d, bool up) external pure returns (uint256) {
        return Math.mulDiv(x, y, d, up ? Math.Rounding.Ceil : Math.Rounding.Floor);
    }
}
