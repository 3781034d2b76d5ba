// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IStablecoin
/// @notice The protocol's USD stablecoin (18 decimals). Only the Clearinghouse mints and burns.
interface IStablecoin is IERC20 {
    /// @notice `caller` is not the minter (on `mint`, `burn`, `burnFrom`).
    error Stablecoin__NotMinter(address caller);
    /// @notice The constructor was given the zero address as minter.
    error Stablecoin__ZeroAddress();

    /// @notice Mints `amountWad` to `to`. Clearinghouse only.
    function mint(address to, uint256 amountWad) external;

    /// @notice Burns `amountWad` from `from`. Clearinghouse only; the Clearinghouse only ever burns
    ///         from the address that called it (the payer), so no allowance is needed.
    function burn(address from, uint256 amountWad) external;

    /// @notice Burns `amountWad` from `from`, spending `from`'s allowance to `spender` first (the
    ///         same checks and errors as `transferFrom` called by `spender`). Clearinghouse only:
    ///         it burns an auction payment straight from the taker, with the allowance the taker
    ///         gave the auction (`spender`), instead of a transfer to the auction and a burn there.
    function burnFrom(address from, address spender, uint256 amountWad) external;

    /// @notice The only address allowed to mint and burn, fixed at deployment (immutable): the
    ///         Clearinghouse, whose address the deployer predicts, since the Clearinghouse itself
    ///         takes the stablecoin as a constructor argument (the deployment checks the prediction).
    function minter() external view returns (address);
}
