// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IStablecoin
/// @notice The protocol's USD stablecoin (18 decimals). Only the Clearinghouse mints and burns.
interface IStablecoin is IERC20 {
    error Stablecoin__NotMinter(address caller);

    /// @notice Mints `amountWad` to `to`. Clearinghouse only.
    function mint(address to, uint256 amountWad) external;

    /// @notice Burns `amountWad` from `from`. Clearinghouse only; the Clearinghouse only ever burns
    ///         from the address that called it (the payer), so no allowance is needed.
    function burn(address from, uint256 amountWad) external;

    /// @notice The only address allowed to mint and burn.
    function minter() external view returns (address);
}
