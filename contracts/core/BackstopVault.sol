// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IBackstopVault} from "../interfaces/IBackstopVault.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title BackstopVault
/// @notice ERC-4626 vault of the stablecoin (OpenZeppelin). Deposited stablecoin is burned into the
///         vault's credit in the Clearinghouse (`repay`); withdrawals mint it back out of that credit
///         (`borrow`). The vault is the counterparty to every market's skew, so its share price
///         moves with the traders' unrealized PnL.
/// @dev Setup: deploy with the stablecoin, then the deployer calls `initialize(clearinghouse)` once
///      (the Clearinghouse may be deployed after the vault). Deployment then seeds a first deposit
///      whose shares go to a dead address (e.g. 0x...dEaD); together with the decimals offset of 6
///      (virtual shares) this closes the first-deposit inflation attack.
///      Units: assets are stablecoin WAD (18 decimals); shares have 24 decimals.
///      Rounding: OpenZeppelin's ERC-4626 rounds every conversion in the vault's favour.
///      Reentrancy: the only external calls go to the stablecoin (no hooks) and the Clearinghouse
///      (trusted), and withdrawals update state before paying out.
///      Warning: a holder who re-requests every window keeps a claimable request most of the time;
///      the cooldown delays a run, it does not forbid one. Requested shares still bear losses.
///      Warning: when the vault's net assets are zero or negative while shares exist, deposits are
///      closed (`maxDeposit` = 0): a new deposit would only fill the hole at the depositor's expense.
///      Warning: `maxWithdraw`/`maxRedeem` are capped by the vault's *realized* credit; unrealized
///      profit against traders raises the share price but cannot be withdrawn until realized.
contract BackstopVault is ERC4626, IBackstopVault {
    using SafeCast for uint256;

    /// @notice A withdrawal request, packed in one slot.
    /// @param shares Shares requested (and locked against transfer until the window ends).
    /// @param claimableAt Start of the claim window (unix seconds).
    struct Request {
        uint192 shares;
        uint64 claimableAt;
    }

    // ---------------------------------------------------------------- constants

    uint256 public constant MIN_COOLDOWN_SECONDS = 1 hours;
    uint256 public constant MAX_COOLDOWN_SECONDS = 30 days;
    uint256 public constant MIN_CLAIM_WINDOW_SECONDS = 1 hours;
    uint256 public constant MAX_CLAIM_WINDOW_SECONDS = 30 days;
    /// @dev Virtual shares: 10**6 shares per virtual asset unit.
    uint8 internal constant DECIMALS_OFFSET = 6;

    // ---------------------------------------------------------------- immutables

    /// @inheritdoc IBackstopVault
    uint256 public immutable cooldownSeconds;
    /// @inheritdoc IBackstopVault
    uint256 public immutable claimWindowSeconds;
    /// @notice The only address allowed to call `initialize`.
    address public immutable deployer;

    // ---------------------------------------------------------------- storage

    /// @inheritdoc IBackstopVault
    IClearinghouse public clearinghouse;

    mapping(address owner => Request) internal _requests;

    // ---------------------------------------------------------------- constructor

    /// @param stablecoin_ The vault's asset.
    /// @param cooldownSeconds_ Delay between a request and its claim window (e.g. 7 days).
    /// @param claimWindowSeconds_ Length of the claim window (e.g. 2 days).
    constructor(
        IStablecoin stablecoin_,
        uint256 cooldownSeconds_,
        uint256 claimWindowSeconds_
    ) ERC4626(IERC20(address(stablecoin_))) ERC20("Ballast Backstop bUSD", "bbUSD") {
        if (address(stablecoin_) == address(0)) revert BackstopVault__ZeroAddress();
        if (cooldownSeconds_ < MIN_COOLDOWN_SECONDS || cooldownSeconds_ > MAX_COOLDOWN_SECONDS) {
            revert BackstopVault__InvalidDuration(cooldownSeconds_, MIN_COOLDOWN_SECONDS, MAX_COOLDOWN_SECONDS);
        }
        if (claimWindowSeconds_ < MIN_CLAIM_WINDOW_SECONDS || claimWindowSeconds_ > MAX_CLAIM_WINDOW_SECONDS) {
            revert BackstopVault__InvalidDuration(
                claimWindowSeconds_,
                MIN_CLAIM_WINDOW_SECONDS,
                MAX_CLAIM_WINDOW_SECONDS
            );
        }
        cooldownSeconds = cooldownSeconds_;
        claimWindowSeconds = claimWindowSeconds_;
        deployer = msg.sender;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IBackstopVault
    function initialize(IClearinghouse clearinghouse_) external {
        if (msg.sender != deployer) revert BackstopVault__NotDeployer(msg.sender);
        if (address(clearinghouse) != address(0)) revert BackstopVault__AlreadyInitialized(address(clearinghouse));
        if (address(clearinghouse_) == address(0)) revert BackstopVault__ZeroAddress();
        clearinghouse = clearinghouse_;
        emit ClearinghouseSet(address(clearinghouse_));
    }

    /// @inheritdoc IBackstopVault
    /// @dev Reverts with `BackstopVault__ZeroShares` for 0 and `BackstopVault__InsufficientShares`
    ///      above the caller's balance. Replacing a request restarts the cooldown.
    function requestWithdraw(uint256 shares) external {
        if (shares == 0) revert BackstopVault__ZeroShares();
        uint256 balance = balanceOf(msg.sender);
        if (shares > balance) revert BackstopVault__InsufficientShares(msg.sender, shares, balance);
        uint256 claimableAt = block.timestamp + cooldownSeconds;
        _requests[msg.sender] = Request({shares: shares.toUint192(), claimableAt: claimableAt.toUint64()});
        emit WithdrawalRequested(msg.sender, shares, claimableAt, claimableAt + claimWindowSeconds);
    }

    /// @inheritdoc IBackstopVault
    function cancelWithdraw() external {
        uint256 shares = _requests[msg.sender].shares;
        if (shares == 0) revert BackstopVault__NoRequest(msg.sender);
        delete _requests[msg.sender];
        emit WithdrawalCancelled(msg.sender, shares);
    }

    /// @inheritdoc IERC4626
    /// @dev Reads `totalAssets` once (the Clearinghouse's `vaultNetAssetsWad` walks every market).
    function deposit(uint256 assets, address receiver) public override(ERC4626, IERC4626) returns (uint256 shares) {
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        if (!_depositsOpen(totalAssetsWad, supply)) revert ERC4626ExceededMaxDeposit(receiver, assets, 0);
        shares = _toShares(assets, totalAssetsWad, supply, Math.Rounding.Floor);
        _deposit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc IERC4626
    /// @dev Reads `totalAssets` once; assets rounded up.
    function mint(uint256 shares, address receiver) public override(ERC4626, IERC4626) returns (uint256 assets) {
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        if (!_depositsOpen(totalAssetsWad, supply)) revert ERC4626ExceededMaxMint(receiver, shares, 0);
        assets = _toAssets(shares, totalAssetsWad, supply, Math.Rounding.Ceil);
        _deposit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc IERC4626
    /// @dev Says why first: `BackstopVault__NoRequest`, `__CooldownActive`, `__RequestExpired`,
    ///      `__ExceedsRequest`; then the standard `ERC4626ExceededMaxWithdraw` (credit cap).
    ///      Shares burned rounded up.
    function withdraw(
        uint256 assets,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) returns (uint256 shares) {
        uint256 requestedShares = _openRequestShares(owner);
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        shares = _toShares(assets, totalAssetsWad, supply, Math.Rounding.Ceil);
        if (shares > requestedShares) revert BackstopVault__ExceedsRequest(owner, requestedShares, shares);
        uint256 maxAssets = Math.min(
            _toAssets(Math.min(requestedShares, balanceOf(owner)), totalAssetsWad, supply, Math.Rounding.Floor),
            _creditWad()
        );
        if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        _withdraw(msg.sender, receiver, owner, assets, shares);
    }

    /// @inheritdoc IERC4626
    /// @dev Same checks and order as `withdraw`; then the standard `ERC4626ExceededMaxRedeem`
    ///      (credit cap). Assets paid rounded down.
    function redeem(
        uint256 shares,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) returns (uint256 assets) {
        uint256 requestedShares = _openRequestShares(owner);
        if (shares > requestedShares) revert BackstopVault__ExceedsRequest(owner, requestedShares, shares);
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        uint256 maxShares = Math.min(
            Math.min(requestedShares, balanceOf(owner)),
            _toShares(_creditWad(), totalAssetsWad, supply, Math.Rounding.Floor)
        );
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        assets = _toAssets(shares, totalAssetsWad, supply, Math.Rounding.Floor);
        _withdraw(msg.sender, receiver, owner, assets, shares);
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IBackstopVault
    function withdrawalRequest(
        address owner
    ) external view returns (uint256 shares, uint256 claimableAt, uint256 expiresAt) {
        Request memory r = _requests[owner];
        if (r.shares == 0) return (0, 0, 0);
        return (r.shares, r.claimableAt, uint256(r.claimableAt) + claimWindowSeconds);
    }

    /// @inheritdoc IERC4626
    /// @dev max(0, Clearinghouse.vaultNetAssetsWad()): credit plus unrealized PnL against traders.
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        IClearinghouse ch = clearinghouse;
        if (address(ch) == address(0)) return 0;
        int256 netAssetsWad = ch.vaultNetAssetsWad();
        return netAssetsWad > 0 ? uint256(netAssetsWad) : 0;
    }

    /// @inheritdoc IERC4626
    /// @dev 0 before `initialize` and while the vault is insolvent (shares exist, net assets <= 0).
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        return _depositsOpen(totalAssetsWad, supply) ? type(uint256).max : 0;
    }

    /// @inheritdoc IERC4626
    /// @dev 0 before `initialize` and while the vault is insolvent (shares exist, net assets <= 0).
    function maxMint(address) public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        return _depositsOpen(totalAssetsWad, supply) ? type(uint256).max : 0;
    }

    /// @inheritdoc IERC4626
    /// @dev 0 outside the owner's claim window; inside, the requested shares' assets (rounded
    ///      down), capped by the vault's credit in the Clearinghouse.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 shares = _claimableShares(owner);
        if (shares == 0) return 0;
        return Math.min(_convertToAssets(shares, Math.Rounding.Floor), _creditWad());
    }

    /// @inheritdoc IERC4626
    /// @dev 0 outside the owner's claim window; inside, min(requested shares, balance), capped by
    ///      the shares the vault's credit can pay (rounded down).
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 shares = _claimableShares(owner);
        if (shares == 0) return 0;
        return Math.min(shares, _convertToShares(_creditWad(), Math.Rounding.Floor));
    }

    // ---------------------------------------------------------------- internal

    /// @dev Pulls the stablecoin, burns it into the vault's credit, then mints the shares.
    function _deposit(address caller, address receiver, uint256 assets, uint256 shares) internal override {
        if (shares == 0) revert BackstopVault__ZeroShares();
        SafeERC20.safeTransferFrom(IERC20(asset()), caller, address(this), assets);
        clearinghouse.repay(address(this), assets);
        _mint(receiver, shares);
        emit Deposit(caller, receiver, assets, shares);
    }

    /// @dev Consumes the request, burns the shares, then mints the assets to `receiver` out of the
    ///      vault's credit. A redeem worth 0 assets burns its shares and pays nothing.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        if (shares == 0) revert BackstopVault__ZeroShares();
        if (caller != owner) _spendAllowance(owner, caller, shares);
        // `withdraw`/`redeem` checked shares <= request.shares, so this cannot underflow.
        Request storage r = _requests[owner];
        uint256 remaining = uint256(r.shares) - shares;
        if (remaining == 0) delete _requests[owner];
        else r.shares = uint192(remaining);
        _burn(owner, shares);
        if (assets != 0) clearinghouse.borrow(address(this), assets, receiver);
        emit Withdraw(caller, receiver, owner, assets, shares);
    }

    /// @dev Requested shares cannot leave the owner (transfer or burn) while the request is open.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) {
            uint256 locked = _lockedShares(from);
            if (locked != 0) {
                uint256 balance = balanceOf(from);
                uint256 available = balance > locked ? balance - locked : 0;
                if (value > available) revert BackstopVault__InsufficientShares(from, value, available);
            }
        }
        super._update(from, to, value);
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    /// @dev The owner's requested shares if the request is inside its claim window; reverts with
    ///      the reason otherwise.
    function _openRequestShares(address owner) internal view returns (uint256) {
        Request memory r = _requests[owner];
        if (r.shares == 0) revert BackstopVault__NoRequest(owner);
        if (block.timestamp < r.claimableAt) revert BackstopVault__CooldownActive(owner, r.claimableAt);
        uint256 expiresAt = uint256(r.claimableAt) + claimWindowSeconds;
        if (block.timestamp >= expiresAt) revert BackstopVault__RequestExpired(owner, expiresAt);
        return r.shares;
    }

    /// @dev min(requested, balance) inside the claim window, 0 outside. Never reverts.
    function _claimableShares(address owner) internal view returns (uint256) {
        Request memory r = _requests[owner];
        if (r.shares == 0 || block.timestamp < r.claimableAt) return 0;
        if (block.timestamp >= uint256(r.claimableAt) + claimWindowSeconds) return 0;
        return Math.min(r.shares, balanceOf(owner));
    }

    /// @dev Shares locked against transfer: the request's, until its window ends.
    function _lockedShares(address owner) internal view returns (uint256) {
        Request memory r = _requests[owner];
        if (r.shares == 0 || block.timestamp >= uint256(r.claimableAt) + claimWindowSeconds) return 0;
        return r.shares;
    }

    function _creditWad() internal view returns (uint256) {
        IClearinghouse ch = clearinghouse;
        return address(ch) == address(0) ? 0 : ch.creditOf(address(this));
    }

    function _snapshot() internal view returns (uint256 totalAssetsWad, uint256 supply) {
        return (totalAssets(), totalSupply());
    }

    /// @dev Open once initialized, unless shares exist and the net assets are zero or negative.
    function _depositsOpen(uint256 totalAssetsWad, uint256 supply) internal view returns (bool) {
        if (address(clearinghouse) == address(0)) return false;
        return supply == 0 || totalAssetsWad != 0;
    }

    /// @dev OpenZeppelin's `_convertToShares` with `totalAssets` and supply passed in.
    function _toShares(
        uint256 assets,
        uint256 totalAssetsWad,
        uint256 supply,
        Math.Rounding rounding
    ) internal pure returns (uint256) {
        return Math.mulDiv(assets, supply + 10 ** DECIMALS_OFFSET, totalAssetsWad + 1, rounding);
    }

    /// @dev OpenZeppelin's `_convertToAssets` with `totalAssets` and supply passed in.
    function _toAssets(
        uint256 shares,
        uint256 totalAssetsWad,
        uint256 supply,
        Math.Rounding rounding
    ) internal pure returns (uint256) {
        return Math.mulDiv(shares, totalAssetsWad + 1, supply + 10 ** DECIMALS_OFFSET, rounding);
    }
}
