// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IStablecoin
/// @notice The protocol's USD stablecoin (18 decimals). Only the Clearinghouse mints and burns.
interface IStablecoin is IERC20 {
    error Stablecoin__NotMinter(address caller);
    error Stablecoin__NotAdmin(address caller);
    error Stablecoin__MinterAlreadySet();
    error Stablecoin__ZeroAddress();

    /// @notice The minter was set (once, for good).
    event MinterSet(address indexed minter);

    /// @notice Sets the minter (the Clearinghouse). Admin only, once: the Clearinghouse is deployed
    ///         after the stablecoin, so the minter cannot be a constructor argument.
    ///         Warning: irreversible; after this call the admin has no power left.
    function setMinter(address minter_) external;

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

    /// @notice The only address allowed to mint and burn.
    function minter() external view returns (address);

    /// @notice The deployer-chosen address allowed to call `setMinter` once.
    function admin() external view returns (address);
}
