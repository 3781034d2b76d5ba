// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice WETH9's wrapping interface over an OpenZeppelin ERC20 (local networks only): the fork
///         test's stand-in for mainnet WETH, which `npm run fork:smoke` funds by `deposit()`.
contract MockWETH9 is ERC20 {
    error MockWETH9__TransferFailed();

    constructor() ERC20("Wrapped Ether", "WETH") {}

    /// @notice Wraps the ETH sent into as much WETH.
    function deposit() external payable {
        _mint(msg.sender, msg.value);
    }

    /// @notice Unwraps `amountWad` WETH into ETH.
    function withdraw(uint256 amountWad) external {
        _burn(msg.sender, amountWad);
        (bool ok, ) = msg.sender.call{value: amountWad}("");
        if (!ok) revert MockWETH9__TransferFailed();
    }
}
