// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

import {IClearinghouse} from "./IClearinghouse.sol";

/// @title IBackstopVault
/// @notice ERC-4626 vault of the stablecoin: counterparty to perp skew, first loss for bad debt,
///         earns trading fees, funding, stability fees and liquidation penalties. Its assets live
///         as credit in the Clearinghouse. Withdrawals go through a request and a cooldown so
///         liquidity providers cannot all run at the first sign of stress.
/// @dev `totalAssets` = max(0, Clearinghouse.vaultNetAssetsWad()). The first-deposit inflation
///      attack is closed by a decimals offset (virtual shares) and a seed deposit at deployment.
///      Warning: `withdraw`/`redeem` only pay out shares that were requested at least
///      `cooldownSeconds` ago and are still within `claimWindowSeconds`; `maxWithdraw` and
///      `maxRedeem` say so. They also leave in the vault the deficit (first call on the credit)
///      plus the credit its open skew needs (`minCreditWad`): an LP cannot take the credit below
///      what the skew cap backs.
///      After global settlement: deposits are closed; `totalAssets` is the LPs' claim,
///      max(0, vault credit - deficit); once the ledger is wound down (every account and auction
///      settled), `redeem`/`withdraw` pay any holder's shares pro rata, with no request and no
///      cooldown, as stablecoin minted out of the vault's credit (`IGlobalSettlement.withdrawCredit`),
///      which the settlement's `redeem` turns into collateral. Before that they revert with
///      `BackstopVault__WindDownPending` (`maxRedeem`/`maxWithdraw` are 0). No cooldown: it
///      guards a vault that still backs live risk against a run ahead of losses; once wound
///      down the claim is final and the same per share for every LP, so order does not matter.
///      Requests are ignored after settlement (they lock no shares).
interface IBackstopVault is IERC4626 {
    error BackstopVault__ZeroShares();
    error BackstopVault__InsufficientShares(address owner, uint256 requested, uint256 available);
    error BackstopVault__CooldownActive(address owner, uint256 claimableAt);
    error BackstopVault__NoRequest(address owner);
    error BackstopVault__RequestExpired(address owner, uint256 expiredAt);
    error BackstopVault__ExceedsRequest(address owner, uint256 requestedShares, uint256 shares);
    error BackstopVault__NotClearinghouse(address caller);
    error BackstopVault__NotDeployer(address caller);
    error BackstopVault__AlreadyInitialized(address clearinghouse);
    error BackstopVault__ZeroAddress();
    error BackstopVault__InvalidDuration(uint256 valueSeconds, uint256 minSeconds, uint256 maxSeconds);
    /// @notice After global settlement, the vault's claim waits until every account and auction is
    ///         settled (`IGlobalSettlement.settleAccount`, `settleAuction`: permissionless).
    error BackstopVault__WindDownPending();

    /// @notice The Clearinghouse was set (once, for good).
    event ClearinghouseSet(address indexed clearinghouse);

    /// @notice A pending withdrawal request. The shares stay with the owner but cannot be
    ///         transferred while requested.
    event WithdrawalRequested(address indexed owner, uint256 shares, uint256 claimableAt, uint256 expiresAt);
    event WithdrawalCancelled(address indexed owner, uint256 shares);

    /// @notice Sets the Clearinghouse the vault's assets live in. Deployer only, once: the
    ///         Clearinghouse may be deployed after the vault. Until then `totalAssets` is 0 and
    ///         `maxDeposit`/`maxMint` are 0.
    function initialize(IClearinghouse clearinghouse_) external;

    /// @notice Requests to withdraw `shares` later; replaces any earlier request.
    function requestWithdraw(uint256 shares) external;

    /// @notice Cancels the caller's request.
    function cancelWithdraw() external;

    /// @notice The owner's request: shares and the window in which they can be claimed.
    function withdrawalRequest(
        address owner
    ) external view returns (uint256 shares, uint256 claimableAt, uint256 expiresAt);

    /// @notice The Clearinghouse holding the vault's assets as credit (zero before `initialize`).
    function clearinghouse() external view returns (IClearinghouse);

    /// @notice Seconds between a request and the start of its claim window.
    function cooldownSeconds() external view returns (uint256);

    /// @notice Length of the claim window, seconds.
    function claimWindowSeconds() external view returns (uint256);

    /// @notice The credit the open skew needs (WAD, rounded up): the sum over markets of
    ///         |skew| x price / skewCapRatio, the credit below which the Clearinghouse's skew cap
    ///         (|skew| x price <= vault credit x skewCapRatio) would no longer hold, plus what the
    ///         vault is losing on each market's skew (its mark, as `vaultNetAssetsWad` marks it,
    ///         where the skew closes: funding included, less the premium index x skew^2 /
    ///         (2 x skewScale) its closing fills hand back; a gain adds nothing): credit the
    ///         traders are owed. Withdrawals leave at least this much credit in the vault, plus
    ///         the deficit (as Synthetix v3 keeps a market's minimum credit). A market with open
    ///         skew and a ratio of 0 needs all of it (type(uint256).max). Prices: the oracle's
    ///         (its last good price when failing). Never reverts.
    function minCreditWad() external view returns (uint256);
}
