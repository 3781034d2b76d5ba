// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title Stablecoin
/// @notice Ballast USD (bUSD), 18 decimals, with EIP-2612 permit. Only the minter (the
///         Clearinghouse) mints and burns; the minter is set once by the admin after deployment.
/// @dev `burn` takes no allowance: the Clearinghouse only ever burns from its own caller.
///      `burnFrom` spends an allowance: the Clearinghouse burns an auction payment from the taker
///      with the allowance the taker gave the auction.
contract Stablecoin is ERC20, ERC20Permit, IStablecoin {
    // ---------------------------------------------------------------- immutables

    /// @inheritdoc IStablecoin
    address public immutable admin;

    // ---------------------------------------------------------------- storage

    /// @inheritdoc IStablecoin
    address public minter;

    // ---------------------------------------------------------------- constructor

    /// @param admin_ The address allowed to call `setMinter` once (the deployer).
    constructor(address admin_) ERC20("Ballast USD", "bUSD") ERC20Permit("Ballast USD") {
        if (admin_ == address(0)) revert Stablecoin__ZeroAddress();
        admin = admin_;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IStablecoin
    function setMinter(address minter_) external {
        if (msg.sender != admin) revert Stablecoin__NotAdmin(msg.sender);
        if (minter != address(0)) revert Stablecoin__MinterAlreadySet();
        if (minter_ == address(0)) revert Stablecoin__ZeroAddress();
        minter = minter_;
        emit MinterSet(minter_);
    }

    /// @inheritdoc IStablecoin
    function mint(address to, uint256 amountWad) external {
        _onlyMinter();
        _mint(to, amountWad);
    }

    /// @inheritdoc IStablecoin
    function burn(address from, uint256 amountWad) external {
        _onlyMinter();
        _burn(from, amountWad);
    }

    /// @inheritdoc IStablecoin
    function burnFrom(address from, address spender, uint256 amountWad) external {
        _onlyMinter();
        _spendAllowance(from, spender, amountWad);
        _burn(from, amountWad);
    }

    // ---------------------------------------------------------------- internal

    function _onlyMinter() internal view {
        if (msg.sender != minter) revert Stablecoin__NotMinter(msg.sender);
    }
}
