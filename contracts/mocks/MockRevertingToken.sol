// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice Adversarial test token whose transfers can be switched to revert (a paused or
///         blacklisting token), and whose decimals() can be made absurd.
contract MockRevertingToken is ERC20 {
    error MockRevertingToken__Paused();

    bool public paused;
    uint8 private _decimals = 18;

    constructor() ERC20("Reverting Token", "REV") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setPaused(bool paused_) external {
        paused = paused_;
    }

    function setDecimals(uint8 decimals_) external {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (paused) revert MockRevertingToken__Paused();
        super._update(from, to, value);
    }
}
