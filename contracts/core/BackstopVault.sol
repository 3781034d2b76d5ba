// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

import {IBackstopVault} from "../interfaces/IBackstopVault.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IGlobalSettlement} from "../interfaces/IGlobalSettlement.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IParamTarget} from "../interfaces/IParamTarget.sol";
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
///      Warning: `maxWithdraw`/`maxRedeem` are capped by the vault's *realized* credit less the
///      deficit and the credit its open skew needs (`minCreditWad`); unrealized profit against
///      traders raises the share price but cannot be withdrawn until realized.
///      After global settlement (the ledger's `breakerLevelOf(0)` is 255) the vault pays out of
///      `IGlobalSettlement.withdrawCredit` instead of `borrow`, once the ledger is wound down:
///      see IBackstopVault.
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
    /// @dev The Clearinghouse's parameter names (ClearinghouseParams).
    bytes32 internal constant SKEW_CAP_RATIO_WAD = "SKEW_CAP_RATIO_WAD";
    /// @dev `breakerLevelOf` once the ledger is globally settled.
    uint8 internal constant SETTLED_LEVEL = type(uint8).max;

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
    ///      `__ExceedsRequest`; then the standard `ERC4626ExceededMaxWithdraw` (the credit above the
    ///      deficit and `minCreditWad`). Shares burned rounded up. After settlement:
    ///      `__WindDownPending`, then `ERC4626ExceededMaxWithdraw` (the owner's shares), no request.
    function withdraw(
        uint256 assets,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) returns (uint256 shares) {
        if (_settled()) {
            if (!_woundDown()) revert BackstopVault__WindDownPending();
            (uint256 claimWad, uint256 claimSupply) = _snapshot();
            shares = _toShares(assets, claimWad, claimSupply, Math.Rounding.Ceil);
            uint256 maxClaim = _toAssets(balanceOf(owner), claimWad, claimSupply, Math.Rounding.Floor);
            if (assets > maxClaim) revert ERC4626ExceededMaxWithdraw(owner, assets, maxClaim);
            _exit(msg.sender, receiver, owner, assets, shares, true);
            return shares;
        }
        uint256 requestedShares = _openRequestShares(owner);
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        shares = _toShares(assets, totalAssetsWad, supply, Math.Rounding.Ceil);
        if (shares > requestedShares) revert BackstopVault__ExceedsRequest(owner, requestedShares, shares);
        uint256 maxAssets = Math.min(
            _toAssets(Math.min(requestedShares, balanceOf(owner)), totalAssetsWad, supply, Math.Rounding.Floor),
            _freeCreditWad()
        );
        if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(owner, assets, maxAssets);
        _exit(msg.sender, receiver, owner, assets, shares, false);
    }

    /// @inheritdoc IERC4626
    /// @dev Same checks and order as `withdraw`; then the standard `ERC4626ExceededMaxRedeem`
    ///      (the credit above the deficit and `minCreditWad`). Assets paid rounded down. After
    ///      settlement: `__WindDownPending`, then `ERC4626ExceededMaxRedeem` (the owner's shares).
    function redeem(
        uint256 shares,
        address receiver,
        address owner
    ) public override(ERC4626, IERC4626) returns (uint256 assets) {
        if (_settled()) {
            if (!_woundDown()) revert BackstopVault__WindDownPending();
            uint256 balance = balanceOf(owner);
            if (shares > balance) revert ERC4626ExceededMaxRedeem(owner, shares, balance);
            (uint256 claimWad, uint256 claimSupply) = _snapshot();
            assets = _toAssets(shares, claimWad, claimSupply, Math.Rounding.Floor);
            _exit(msg.sender, receiver, owner, assets, shares, true);
            return assets;
        }
        uint256 requestedShares = _openRequestShares(owner);
        if (shares > requestedShares) revert BackstopVault__ExceedsRequest(owner, requestedShares, shares);
        (uint256 totalAssetsWad, uint256 supply) = _snapshot();
        uint256 maxShares = Math.min(
            Math.min(requestedShares, balanceOf(owner)),
            _toShares(_freeCreditWad(), totalAssetsWad, supply, Math.Rounding.Floor)
        );
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(owner, shares, maxShares);
        assets = _toAssets(shares, totalAssetsWad, supply, Math.Rounding.Floor);
        _exit(msg.sender, receiver, owner, assets, shares, false);
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

    /// @inheritdoc IBackstopVault
    function minCreditWad() public view returns (uint256 requiredWad) {
        IClearinghouse ch = clearinghouse;
        if (address(ch) == address(0)) return 0;
        address[] memory markets = ch.markets();
        IOracleRouter oracle;
        for (uint256 i; i < markets.length; ++i) {
            address market = markets[i];
            IClearinghouse.MarketState memory st = ch.marketState(market);
            if (st.skewWad == 0 && st.costBasisSumWad == 0) continue;
            if (st.skewWad != 0) {
                uint256 ratioWad = IParamTarget(address(ch)).getParam(SKEW_CAP_RATIO_WAD, market);
                if (ratioWad == 0) return type(uint256).max;
                if (address(oracle) == address(0)) oracle = ch.oracle();
                (uint256 priceWad, ) = oracle.getPrice(market);
                // rounded up twice, as the cap rounds the skew up and the cap itself down
                uint256 skewUsdWad = Math.mulDiv(SignedMath.abs(st.skewWad), priceWad, 1e18, Math.Rounding.Ceil);
                requiredWad += Math.mulDiv(skewUsdWad, 1e18, ratioWad, Math.Rounding.Ceil);
            }
            // what the vault owes the traders on this market's skew (the ledger's mark, where the
            // skew closes); a gain adds nothing
            int256 markWad = ch.vaultMarkWad(market);
            if (markWad < 0) requiredWad += uint256(-markWad);
        }
    }

    /// @inheritdoc IERC4626
    /// @dev max(0, Clearinghouse.vaultNetAssetsWad()): credit plus unrealized PnL against traders.
    ///      After global settlement: the LPs' claim, max(0, vault credit - deficit) (final once
    ///      the ledger is wound down).
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        IClearinghouse ch = clearinghouse;
        if (address(ch) == address(0)) return 0;
        if (_settled()) {
            uint256 creditWad = ch.creditOf(address(this));
            uint256 deficitWad = ch.deficitWad();
            return creditWad > deficitWad ? creditWad - deficitWad : 0;
        }
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
    ///      down), capped by the vault's credit above the deficit and `minCreditWad`. After
    ///      settlement: 0 until wound down, then the owner's shares' assets.
    function maxWithdraw(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        if (_settled()) return _woundDown() ? _convertToAssets(balanceOf(owner), Math.Rounding.Floor) : 0;
        uint256 shares = _claimableShares(owner);
        if (shares == 0) return 0;
        return Math.min(_convertToAssets(shares, Math.Rounding.Floor), _freeCreditWad());
    }

    /// @inheritdoc IERC4626
    /// @dev 0 outside the owner's claim window; inside, min(requested shares, balance), capped by
    ///      the shares the vault's credit above the deficit and `minCreditWad` can pay (rounded
    ///      down). After settlement: 0 until wound down, then the owner's balance.
    function maxRedeem(address owner) public view override(ERC4626, IERC4626) returns (uint256) {
        if (_settled()) return _woundDown() ? balanceOf(owner) : 0;
        uint256 shares = _claimableShares(owner);
        if (shares == 0) return 0;
        return Math.min(shares, _convertToShares(_freeCreditWad(), Math.Rounding.Floor));
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

    /// @dev OpenZeppelin's hook, unused (`withdraw`/`redeem` call `_exit`); kept on the normal path.
    function _withdraw(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares
    ) internal override {
        _exit(caller, receiver, owner, assets, shares, false);
    }

    /// @dev Consumes the request (not after settlement), burns the shares, then mints the assets
    ///      to `receiver` out of the vault's credit: `borrow`, or after settlement
    ///      `withdrawCredit`. A redeem worth 0 assets burns its shares and pays nothing.
    function _exit(
        address caller,
        address receiver,
        address owner,
        uint256 assets,
        uint256 shares,
        bool settled
    ) internal {
        if (shares == 0) revert BackstopVault__ZeroShares();
        if (caller != owner) _spendAllowance(owner, caller, shares);
        if (!settled) {
            // `withdraw`/`redeem` checked shares <= request.shares, so this cannot underflow.
            Request storage r = _requests[owner];
            uint256 remaining = uint256(r.shares) - shares;
            if (remaining == 0) delete _requests[owner];
            else r.shares = uint192(remaining);
        }
        _burn(owner, shares);
        if (assets != 0) {
            if (settled) IGlobalSettlement(address(clearinghouse)).withdrawCredit(address(this), assets, receiver);
            else clearinghouse.borrow(address(this), assets, receiver);
        }
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

    /// @dev Shares locked against transfer: the request's, until its window ends; none after
    ///      settlement (requests are ignored then).
    function _lockedShares(address owner) internal view returns (uint256) {
        Request memory r = _requests[owner];
        if (r.shares == 0 || block.timestamp >= uint256(r.claimableAt) + claimWindowSeconds) return 0;
        return _settled() ? 0 : r.shares;
    }

    /// @dev The credit an LP may take: the vault's credit above the deficit and what its open skew
    ///      needs. The deficit is first call on the credit (a heal, permissionless, moves it out of
    ///      both), and the skew cap reads the credit left after it.
    function _freeCreditWad() internal view returns (uint256) {
        IClearinghouse ch = clearinghouse;
        if (address(ch) == address(0)) return 0;
        uint256 creditWad = ch.creditOf(address(this));
        uint256 requiredWad = minCreditWad();
        if (requiredWad == type(uint256).max) return 0;
        requiredWad += ch.deficitWad();
        return creditWad > requiredWad ? creditWad - requiredWad : 0;
    }

    /// @dev Whether the ledger is globally settled (false before `initialize`).
    function _settled() internal view returns (bool) {
        IClearinghouse ch = clearinghouse;
        return address(ch) != address(0) && ch.breakerLevelOf(address(0)) == SETTLED_LEVEL;
    }

    /// @dev After settlement: every account and auction settled (no debt, no auction debt, no
    ///      open interest), as the ledger's `withdrawCredit` requires of the vault.
    function _woundDown() internal view returns (bool) {
        IClearinghouse ch = clearinghouse;
        if (ch.totalDebtWad() != 0 || ch.auctionDebtWad() != 0) return false;
        address[] memory markets = ch.markets();
        for (uint256 i; i < markets.length; ++i) {
            IClearinghouse.MarketState memory m = ch.marketState(markets[i]);
            if (m.longOpenInterestWad != 0 || m.shortOpenInterestWad != 0) return false;
        }
        return true;
    }

    function _snapshot() internal view returns (uint256 totalAssetsWad, uint256 supply) {
        return (totalAssets(), totalSupply());
    }

    /// @dev Open once initialized, unless shares exist and the net assets are zero or negative,
    ///      or the ledger is settled (its `repay` is refused then).
    function _depositsOpen(uint256 totalAssetsWad, uint256 supply) internal view returns (bool) {
        if (address(clearinghouse) == address(0) || _settled()) return false;
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
