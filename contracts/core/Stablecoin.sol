// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title Stablecoin
/// @notice Ballast USD (bUSD), 18 decimals, with EIP-2612 permit. Only the minter (the
///         Clearinghouse) mints and burns; the minter is fixed in the constructor.
/// @dev The minter is an immutable, so `mint`/`burn`/`burnFrom` read no storage for the check.
///      The Clearinghouse takes the stablecoin as an immutable too: the deployer passes the
///      Clearinghouse's predicted CREATE address here and checks it after deploying it.
///      `burn` takes no allowance: the Clearinghouse only ever burns from its own caller.
///      `burnFrom` spends an allowance: the Clearinghouse burns an auction payment from the taker
///      with the allowance the taker gave the auction.
contract Stablecoin is ERC20, ERC20Permit, IStablecoin {
    // ---------------------------------------------------------------- immutables

    /// @inheritdoc IStablecoin
    address public immutable minter;

    // ---------------------------------------------------------------- constructor

    /// @param minter_ The only address allowed to mint and burn (the Clearinghouse).
    constructor(address minter_) ERC20("Ballast USD", "bUSD") ERC20Permit("Ballast USD") {
        if (minter_ == address(0)) revert Stablecoin__ZeroAddress();
        minter = minter_;
    }

    // ---------------------------------------------------------------- external mutating

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
