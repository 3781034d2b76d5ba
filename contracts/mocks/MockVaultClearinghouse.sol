// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title MockVaultClearinghouse
/// @notice Test double for the part of the Clearinghouse the BackstopVault uses: credit accounts
///         (`repay` burns from the caller and credits, `borrow` debits and mints), plus a settable
///         unrealized PnL for the vault so tests can move the share price. Must be the
///         stablecoin's minter. Not an `IClearinghouse`; the selectors used by the vault match.
///         No markets (so no skew to back); a settable settlement flag, deficit and debt for the
///         vault's settlement path (`withdrawCredit` pays out of the credit net of the deficit).
contract MockVaultClearinghouse {
    error MockVaultClearinghouse__NotAuthorized(address caller, address account);
    error MockVaultClearinghouse__InsufficientCredit(address account, uint256 requested, uint256 available);

    IStablecoin public immutable stablecoin;

    /// @notice The vault whose net assets `vaultNetAssetsWad` reports.
    address public vault;
    /// @notice Simulated unrealized PnL of the vault (signed, WAD).
    int256 public pnlWad;
    mapping(address account => uint256 creditWad) public creditOf;
    /// @notice Global settlement (`breakerLevelOf` reports 255).
    bool public settled;
    uint256 public deficitWad;
    uint256 public totalDebtWad;

    constructor(IStablecoin stablecoin_) {
        stablecoin = stablecoin_;
    }

    function setVault(address vault_) external {
        vault = vault_;
    }

    function setPnl(int256 pnlWad_) external {
        pnlWad = pnlWad_;
    }

    /// @notice Test faucet: mints stablecoin to `to`.
    function fund(address to, uint256 amountWad) external {
        stablecoin.mint(to, amountWad);
    }

    /// @notice Burns `amountWad` from the caller and credits `account` (no debt in the mock).
    function repay(address account, uint256 amountWad) external returns (uint256 repaidDebtWad) {
        stablecoin.burn(msg.sender, amountWad);
        creditOf[account] += amountWad;
        return 0;
    }

    /// @notice Debits `account`'s credit and mints to `to`. The account itself only.
    function borrow(address account, uint256 amountWad, address to) external {
        if (msg.sender != account) revert MockVaultClearinghouse__NotAuthorized(msg.sender, account);
        uint256 credit = creditOf[account];
        if (amountWad > credit) revert MockVaultClearinghouse__InsufficientCredit(account, amountWad, credit);
        creditOf[account] = credit - amountWad;
        stablecoin.mint(to, amountWad);
    }

    function setSettlement(bool settled_, uint256 deficitWad_, uint256 totalDebtWad_) external {
        (settled, deficitWad, totalDebtWad) = (settled_, deficitWad_, totalDebtWad_);
    }

    /// @notice After settlement, once no debt is left: mints the account's credit net of the
    ///         deficit. The account itself only.
    function withdrawCredit(address account, uint256 amountWad, address to) external {
        if (msg.sender != account || !settled || totalDebtWad != 0) {
            revert MockVaultClearinghouse__NotAuthorized(msg.sender, account);
        }
        uint256 credit = creditOf[account];
        uint256 available = credit > deficitWad ? credit - deficitWad : 0;
        if (amountWad > available) revert MockVaultClearinghouse__InsufficientCredit(account, amountWad, available);
        creditOf[account] = credit - amountWad;
        stablecoin.mint(to, amountWad);
    }

    /// @notice Realizes `amountWad` of the vault's credit as a loss (e.g. paid to a trader).
    function takeCredit(address account, uint256 amountWad) external {
        creditOf[account] -= amountWad;
    }

    function vaultNetAssetsWad() external view returns (int256) {
        return int256(creditOf[vault]) + pnlWad;
    }

    function breakerLevelOf(address) external view returns (uint8) {
        return settled ? type(uint8).max : 0;
    }

    function auctionDebtWad() external pure returns (uint256) {
        return 0;
    }

    function markets() external pure returns (address[] memory) {
        return new address[](0);
    }
}
