// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAuctionSink} from "../interfaces/IAuctionSink.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IGlobalSettlement} from "../interfaces/IGlobalSettlement.sol";
import {ILiquidationLedger} from "../interfaces/ILiquidationLedger.sol";
import {IParamTarget} from "../interfaces/IParamTarget.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ClearinghouseBase} from "./ClearinghouseBase.sol";
import {ClearinghousePerps} from "./ClearinghousePerps.sol";

/// @title Clearinghouse
/// @notice The ledger of Ballast: collateral, stablecoin debt or credit, and perp positions per
///         account; health checks against the MarginModel's levels and the OracleRouter's prices.
/// @dev See IClearinghouse. Storage and internals: ClearinghouseBase and ClearinghousePerps;
///      parameters and their hard bounds: ClearinghouseParams. The liquidation and auction
///      settlement entry points (ILiquidationLedger, IAuctionSink) run in ClearinghouseLiquidation,
///      reached by delegatecall (the two together exceed one contract's code size limit).
contract Clearinghouse is ClearinghousePerps, IClearinghouse, ILiquidationLedger, IAuctionSink, IGlobalSettlement {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using WadMath for uint256;

    /// @inheritdoc IGlobalSettlement
    uint256 public constant REDEMPTION_DELAY = 1 days;

    /// @notice The liquidation module (ClearinghouseLiquidation), built with the same immutables.
    address public immutable liquidationModule;
    /// @notice The settlement module (ClearinghouseSettlement), built with the same immutables.
    address public immutable settlementModule;

    constructor(Wiring memory w, address liquidationModule_, address settlementModule_) ClearinghouseBase(w) {
        // each module must have been built with the same immutables (it runs as this contract)
        for (uint256 i; i < 2; ++i) {
            ClearinghouseBase m = ClearinghouseBase(i == 0 ? liquidationModule_ : settlementModule_);
            if (
                address(m).code.length == 0 ||
                address(m.stablecoin()) != w.stablecoin ||
                address(m.oracle()) != w.oracle ||
                address(m.marginModel()) != w.marginModel ||
                m.riskConfig() != w.riskConfig ||
                m.governance() != w.governance ||
                m.vault() != w.vault ||
                m.liquidationEngine() != w.liquidationEngine ||
                m.auction() != w.auction
            ) revert Clearinghouse__ModuleMismatch(address(m));
        }
        liquidationModule = liquidationModule_;
        settlementModule = settlementModule_;
    }

    // ---------------------------------------------------------------- governance (delegated)

    /// @inheritdoc IClearinghouse
    function setBreaker(address) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IClearinghouse
    function applyBreakerLevel(address, uint8) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IClearinghouse
    function applySettlement() external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IParamTarget
    /// @dev Run by the settlement module (`ParamTarget.setParam` there, on this storage): a
    ///      governance call, rare, and the Clearinghouse is at the code size limit.
    function setParam(bytes32, address, uint256) external override {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IClearinghouse
    function listCollateral(address) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IClearinghouse
    function listMarket(address) external {
        _delegateTo(settlementModule);
    }

    // ---------------------------------------------------------------- accounts

    /// @inheritdoc IClearinghouse
    function setOperator(address operator, bool approved) external {
        _operators[msg.sender][operator] = approved;
        emit OperatorSet(msg.sender, operator, approved);
    }

    /// @inheritdoc IClearinghouse
    function deposit(address account, address token, uint256 amount) external nonReentrant {
        _requireNotSettled();
        if (amount == 0) revert Clearinghouse__ZeroAmount();
        if (account == address(0)) revert Clearinghouse__ZeroAddress();
        CollateralInfo storage info = _collateralInfo[token];
        if (!info.listed) revert Clearinghouse__UnknownCollateral(token);
        uint256 total = totalCollateral[token];
        uint256 cap = _depositCap[token];
        if (total > cap || amount > cap - total) {
            uint256 wouldBe = amount > type(uint256).max - total ? type(uint256).max : total + amount;
            revert Clearinghouse__DepositCapExceeded(token, wouldBe, cap);
        }
        uint256 newTotal = total + amount;

        uint256 balanceBefore = _balanceOfThis(token);
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = _balanceOfThis(token) - balanceBefore;
        if (received != amount) revert Clearinghouse__TransferAmountMismatch(token, amount, received);

        totalCollateral[token] = newTotal;
        uint256 index = info.index;
        _setCollateralAt(account, index, _collateralAt(account, index) + amount);
        _accounts[account].collateralMask |= uint16(1 << index);
        emit Deposited(account, token, msg.sender, amount);
    }

    /// @inheritdoc IClearinghouse
    function withdraw(address account, address token, uint256 amount, address to) external nonReentrant {
        _requireAuthorized(account);
        if (amount == 0) revert Clearinghouse__ZeroAmount();
        if (to == address(0)) revert Clearinghouse__ZeroAddress();
        CollateralInfo storage info = _collateralInfo[token];
        if (!info.listed) revert Clearinghouse__UnknownCollateral(token);
        uint256 index = info.index;
        uint256 available = _collateralAt(account, index);
        if (amount > available) revert Clearinghouse__InsufficientCollateral(account, token, amount, available);

        _accrueFee();
        _setCollateralAt(account, index, available - amount);
        unchecked {
            totalCollateral[token] -= amount;
        }
        AccountSlot memory acct = _accounts[account];
        // an account with neither debt nor positions withdraws without prices (oracle down or not)
        bool exposed = acct.normalizedDebt != 0 || acct.marketMask != 0;
        _requireWithdrawable(token, index);
        if (available == amount) {
            // the token's own level (1, 2) binds its last unit too: checked while its bit is set
            if (exposed) _requireBreakerAllowsRisk(account);
            _accounts[account].collateralMask = acct.collateralMask & ~uint16(1 << index);
        }
        // in liquidation, exposed or not (the health check refuses an exposed one): a surplus lot
        // one auction returned backs the others (ADR 0014)
        if (exposed) _requireInitialHealth(account);
        else _requireNoAuctions(account, acct.auctions);

        IERC20(token).safeTransfer(to, amount);
        emit Withdrawn(account, token, to, amount);
    }

    /// @inheritdoc IClearinghouse
    function borrow(address account, uint256 amountWad, address to) external nonReentrant {
        _requireAuthorized(account);
        if (amountWad == 0) revert Clearinghouse__ZeroAmount();
        if (to == address(0)) revert Clearinghouse__ZeroAddress();
        uint256 indexRay = _accrueFee();

        uint256 fromCredit;
        if (account == vault) {
            _requireWithdrawable(address(0), type(uint256).max);
            uint256 available = _vaultCreditWad;
            if (amountWad > available) revert Clearinghouse__InsufficientVaultCredit(amountWad, available);
            _vaultCreditWad = uint128(available - amountWad);
            fromCredit = amountWad;
        } else {
            fromCredit = _debit(account, amountWad, indexRay);
            if (amountWad > fromCredit) {
                uint256 totalDebt = uint256(_totalNormalizedDebt).mulRayUp(indexRay);
                if (totalDebt > _debtCeilingWad) revert Clearinghouse__DebtCeilingExceeded(totalDebt, _debtCeilingWad);
                uint256 accountDebt = uint256(_accounts[account].normalizedDebt).mulRayUp(indexRay);
                if (accountDebt < _minDebtWad) revert Clearinghouse__DebtBelowMinimum(accountDebt, _minDebtWad);
            }
            _requireInitialHealth(account);
        }
        stablecoin.mint(to, amountWad);
        emit Borrowed(account, to, amountWad, fromCredit);
    }

    /// @inheritdoc IClearinghouse
    function repay(address account, uint256 amountWad) external nonReentrant returns (uint256 repaidDebtWad) {
        _requireNotSettled();
        if (amountWad == 0) revert Clearinghouse__ZeroAmount();
        if (account == address(0)) revert Clearinghouse__ZeroAddress();
        _accrueFee();
        stablecoin.burn(msg.sender, amountWad);
        repaidDebtWad = _credit(account, amountWad);
        emit Repaid(account, msg.sender, amountWad, repaidDebtWad);
    }

    /// @inheritdoc IClearinghouse
    function modifyPosition(
        address account,
        address market,
        int256 sizeDeltaWad,
        uint256 acceptablePriceWad
    ) external nonReentrant returns (uint256 fillPriceWad) {
        _requireNotSettled();
        _requireAuthorized(account);
        if (sizeDeltaWad == 0) revert Clearinghouse__ZeroAmount();
        return _modifyPosition(account, market, sizeDeltaWad, acceptablePriceWad, 0);
    }

    /// @inheritdoc IClearinghouse
    function closePosition(
        address account,
        address market,
        uint256 acceptablePriceWad
    ) external nonReentrant returns (uint256 fillPriceWad) {
        _requireNotSettled();
        _requireAuthorized(account);
        int256 sizeWad = _positions[account][market].sizeWad;
        if (sizeWad == 0) revert Clearinghouse__NoPosition(account, market);
        return _modifyPosition(account, market, -sizeWad, acceptablePriceWad, 0);
    }

    /// @inheritdoc IClearinghouse
    function accrue() external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IClearinghouse
    function healDeficit() external returns (uint256) {
        _delegateTo(settlementModule);
    }

    // ---------------------------------------------------------------- liquidation (delegated)

    /// @inheritdoc ILiquidationLedger
    function liquidationBegin(
        address /* account */,
        uint256 /* perpPenaltyWad */,
        address /* keeper */,
        uint256 /* keeperShareWad */,
        uint256 /* quoteCacheKey */
    ) external returns (LiquidationSnapshot memory) {
        _delegateTo(liquidationModule);
    }

    /// @inheritdoc ILiquidationLedger
    function seize(address, address, uint256, uint256, uint256, address, uint256) external {
        _delegateTo(liquidationModule);
    }

    /// @inheritdoc ILiquidationLedger
    function writeOff(address) external returns (uint256) {
        _delegateTo(liquidationModule);
    }

    /// @inheritdoc IAuctionSink
    function sendCollateral(address, address, uint256) external {
        _delegateTo(liquidationModule);
    }

    /// @inheritdoc IAuctionSink
    function onAuctionTake(TakeSettlement calldata) external {
        _delegateTo(liquidationModule);
    }

    /// @inheritdoc IAuctionSink
    function payKeeper(address, uint256) external {
        _delegateTo(liquidationModule);
    }

    // ---------------------------------------------------------------- global settlement (delegated)

    /// @inheritdoc IGlobalSettlement
    function settleAccount(address) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IGlobalSettlement
    function settleAuction(uint256) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IGlobalSettlement
    function withdrawSettled(address, address, uint256, address) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IGlobalSettlement
    function withdrawCredit(address, uint256, address) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IGlobalSettlement
    function openRedemption() external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IGlobalSettlement
    function redeem(uint256, address) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IGlobalSettlement
    function redemptionPool(address token) external view returns (uint256) {
        return _redemptionPool[token];
    }

    /// @inheritdoc IGlobalSettlement
    function redemptionOpensAt() external view returns (uint256) {
        return _redemptionOpensAt;
    }

    /// @inheritdoc IGlobalSettlement
    function redemptionClaimsLeft() external view returns (uint256) {
        return _claimsLeftWad;
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IClearinghouse
    function health(address account, bool initial) external view returns (Health memory) {
        return _health(account, initial);
    }

    /// @inheritdoc IClearinghouse
    function debtOf(address account) external view returns (uint256) {
        return uint256(_accounts[account].normalizedDebt).mulRayUp(_currentRateIndex());
    }

    /// @inheritdoc IClearinghouse
    function creditOf(address account) external view returns (uint256) {
        if (account == vault && account != address(0)) return _vaultCreditWad + _pendingFeeWad();
        return _accounts[account].creditWad;
    }

    /// @inheritdoc IClearinghouse
    function collateralOf(address account, address token) external view returns (uint256) {
        CollateralInfo memory info = _collateralInfo[token];
        return info.listed ? _collateralAt(account, info.index) : 0;
    }

    /// @inheritdoc IClearinghouse
    function positionOf(address account, address market) external view returns (Position memory) {
        PositionSlot memory p = _positions[account][market];
        return Position({sizeWad: p.sizeWad, costBasisWad: p.costBasisWad});
    }

    /// @inheritdoc IClearinghouse
    function marketState(address market) external view returns (MarketState memory state) {
        MarketSlots storage m = _marketState[market];
        if (!m.listed) revert Clearinghouse__UnknownMarket(market);
        state.skewWad = _skew(m);
        state.longOpenInterestWad = m.longOpenInterestWad;
        state.shortOpenInterestWad = m.shortOpenInterestWad;
        state.costBasisSumWad = m.costBasisSumWad;
        (uint256 priceWad, ) = _price(market);
        (state.fundingRateWad, state.fundingIndexWad) = _fundingNow(market, m, priceWad);
        state.lastFundingTime = block.timestamp;
    }

    /// @inheritdoc IClearinghouse
    function vaultNetAssetsWad() external view returns (int256 netWad) {
        // the deficit first: income heals it before it is the LPs' (healDeficit)
        netWad = int256(uint256(_vaultCreditWad) + _pendingFeeWad()) - int256(deficitWad);
        uint256 n = _markets.length;
        for (uint256 i; i < n; ++i) netWad += _vaultMarkNowWad(_markets[i]);
    }

    /// @inheritdoc IClearinghouse
    function vaultMarkWad(address market) external view returns (int256) {
        if (!_marketState[market].listed) revert Clearinghouse__UnknownMarket(market);
        return _vaultMarkNowWad(market);
    }

    /// @dev The vault's mark on `market` now: at the oracle's price, funding accrued to now. The
    ///      vault holds -skew: it earns what traders lose, funding included, marked where the skew
    ///      closes (rounded against the vault: at most the sum of the traders' floored PnL at their
    ///      closing fills).
    function _vaultMarkNowWad(address market) internal view returns (int256) {
        MarketSlots storage s = _marketState[market];
        int256 skewWad = _skew(s);
        int256 costBasisSumWad = s.costBasisSumWad;
        if (skewWad == 0 && costBasisSumWad == 0) return 0;
        (uint256 priceWad, ) = _price(market);
        (, int256 indexWad) = _fundingNow(market, s, priceWad);
        return _vaultMarkWad(costBasisSumWad, skewWad, priceWad, indexWad, _marketParams[market].skewScaleWad);
    }

    /// @inheritdoc IClearinghouse
    function totalDebtWad() external view returns (uint256) {
        return uint256(_totalNormalizedDebt).mulRayUp(_currentRateIndex());
    }

    /// @inheritdoc IClearinghouse
    function rateIndexRay() external view returns (uint256) {
        return _currentRateIndex();
    }

    /// @inheritdoc IClearinghouse
    function collaterals() external view returns (address[] memory) {
        return _collaterals;
    }

    /// @inheritdoc IClearinghouse
    function markets() external view returns (address[] memory) {
        return _markets;
    }

    /// @inheritdoc IClearinghouse
    function breakerLevelOf(address asset) external view returns (uint8) {
        uint256 word = _breakerWord;
        if (word & 4 != 0) return type(uint8).max;
        uint256 level = word & 3;
        CollateralInfo memory c = _collateralInfo[asset];
        if (c.listed) level = _max(level, (word >> (8 + 2 * c.index)) & 3);
        MarketInfo memory m = _marketInfo[asset];
        if (m.listed) level = _max(level, (word >> (40 + 2 * m.index)) & 3);
        return uint8(level);
    }

    /// @inheritdoc IClearinghouse
    function isAuthorized(address account, address operator) external view returns (bool) {
        return _isAuthorized(account, operator);
    }

    /// @inheritdoc IClearinghouse
    function cacheRiskLevels(address, uint256, uint256, uint256) external {
        _delegateTo(settlementModule);
    }

    /// @inheritdoc IClearinghouse
    function pricesCachedAt() external view returns (uint256) {
        return _pricesCachedAt;
    }

    /// @inheritdoc IClearinghouse
    function auctionsOf(address account) external view returns (uint256) {
        return _accounts[account].auctions;
    }

    /// @inheritdoc IClearinghouse
    function refreshPrices() external {
        _delegateTo(settlementModule);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Runs the current call in `module`, in this contract's storage, and returns (or
    ///      reverts) with its result.
    function _delegateTo(address module) internal {
        // solhint-disable-next-line no-inline-assembly
        assembly {
            calldatacopy(0, 0, calldatasize())
            let ok := delegatecall(gas(), module, 0, calldatasize(), 0, 0)
            returndatacopy(0, 0, returndatasize())
            if iszero(ok) {
                revert(0, returndatasize())
            }
            return(0, returndatasize())
        }
    }
}
