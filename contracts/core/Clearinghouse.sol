// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

import {IAuctionSink} from "../interfaces/IAuctionSink.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {ILiquidationLedger} from "../interfaces/ILiquidationLedger.sol";
import {IMarginModel} from "../interfaces/IMarginModel.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {PerpMath} from "../perp/PerpMath.sol";
import {ClearinghouseParams} from "./ClearinghouseParams.sol";

/// @title Clearinghouse
/// @notice The ledger of Ballast: collateral, stablecoin debt or credit, and perp positions per
///         account; health checks against the MarginModel's levels and the OracleRouter's prices.
/// @dev See IClearinghouse. Parameters and their hard bounds live in ClearinghouseParams.
contract Clearinghouse is
    IClearinghouse,
    ILiquidationLedger,
    IAuctionSink,
    ClearinghouseParams,
    ReentrancyGuardTransient
{
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    // ---------------------------------------------------------------- constants

    uint256 internal constant MAX_COLLATERALS = 16;
    uint256 internal constant MAX_MARKETS = 16;

    // ---------------------------------------------------------------- immutables

    IStablecoin public immutable stablecoin;
    IOracleRouter public immutable oracle;
    IMarginModel public immutable marginModel;

    // ---------------------------------------------------------------- storage

    /// @dev One slot: normalized debt (debt / rateIndex, RAY-normalized WAD), credit, and bitmaps of
    ///      the collaterals and markets the account uses.
    struct AccountSlot {
        uint112 normalizedDebt;
        uint112 creditWad;
        uint16 collateralMask;
        uint16 marketMask;
    }

    /// @dev Two slots per position.
    struct PositionSlot {
        int128 sizeWad;
        int128 openNotionalWad;
        int256 fundingIndexWad;
    }

    struct CollateralInfo {
        bool listed;
        uint8 decimals;
        uint8 index;
    }

    struct MarketInfo {
        bool listed;
        uint8 index;
    }

    /// @dev A collateral by index for the health loop: token and decimals in one slot.
    struct CollateralSlot {
        address token;
        uint8 decimals;
    }

    /// @dev Three slots per market; `IClearinghouse.MarketState` is only the external view.
    ///      Slot 0 is what funding accrual reads and writes; skew is `long - short` (slot 1, which
    ///      also mirrors `_marketInfo` so a fill does not read it). The types are far beyond any
    ///      reachable value (casts are checked; open interest is capped at 1e33 < 2^120).
    struct MarketSlots {
        int128 fundingIndexWad;
        int88 fundingRateWad;
        uint40 lastFundingTime;
        uint120 longOpenInterestWad;
        uint120 shortOpenInterestWad;
        bool listed;
        uint8 index;
        int128 openNotionalSumWad;
        int128 fundingSnapshotSumWad;
    }

    /// @dev Fee slot, shared with `ClearinghouseParams._stabilityFeePerSecondRay` (declared last
    ///      there): the stability-fee index and the last accrual time.
    uint128 internal _rateIndexRay;
    uint40 internal _lastAccrual;

    address public vault;

    /// @dev Balance slot: the sum of normalized debts and the vault's credit (fees, funding, PnL
    ///      land here).
    uint128 internal _totalNormalizedDebt;
    uint128 internal _vaultCreditWad;

    uint256 public deficitWad;

    /// @inheritdoc ILiquidationLedger
    address public liquidationEngine;
    /// @inheritdoc ILiquidationLedger
    address public auction;
    /// @inheritdoc ILiquidationLedger
    uint256 public auctionDebtWad;
    /// @inheritdoc IClearinghouse
    address public breaker;
    /// @dev The breaker's levels as the ledger applies them, one word: bits 0-1 the global level,
    ///      bit 2 settlement, then two bits per collateral index (from bit 8) and per market index
    ///      (from bit 40). Zero in normal times, so the check costs one cold read.
    uint256 internal _breakerWord;

    address[] internal _collaterals;
    address[] internal _markets;
    mapping(address token => CollateralInfo) internal _collateralInfo;
    mapping(address market => MarketInfo) internal _marketInfo;
    mapping(address market => MarketSlots) internal _marketState;
    mapping(address token => uint256 amount) public totalCollateral;

    mapping(address account => AccountSlot) internal _accounts;
    mapping(address account => mapping(address token => uint256 amount)) internal _collateral;
    mapping(address account => mapping(address market => PositionSlot)) internal _positions;
    mapping(address account => mapping(address operator => bool)) internal _operators;

    /// @dev Copies of `_collaterals` / `_markets` by index for the health loop (no length read).
    CollateralSlot[MAX_COLLATERALS] internal _collateralByIndex;
    address[MAX_MARKETS] internal _marketByIndex;

    /// @dev The ok price `_modifyPosition` just read for its market, handed to the health check of
    ///      the same call so the oracle is not read twice (set right before, cleared right after).
    address internal transient _seedAsset;
    uint256 internal transient _seedPriceWad;

    // ---------------------------------------------------------------- constructor

    constructor(
        IStablecoin stablecoin_,
        IOracleRouter oracle_,
        IMarginModel marginModel_,
        address riskConfig_,
        address governance_
    ) ClearinghouseParams(riskConfig_, governance_) {
        if (
            address(stablecoin_) == address(0) || address(oracle_) == address(0) || address(marginModel_) == address(0)
        ) {
            revert Clearinghouse__ZeroAddress();
        }
        stablecoin = stablecoin_;
        oracle = oracle_;
        marginModel = marginModel_;
        _rateIndexRay = uint128(WadMath.RAY);
        _lastAccrual = uint40(block.timestamp);
    }

    // ---------------------------------------------------------------- governance

    /// @inheritdoc IClearinghouse
    function setVault(address vault_) external onlyGovernance {
        if (vault_ == address(0)) revert Clearinghouse__ZeroAddress();
        if (vault != address(0)) revert Clearinghouse__VaultAlreadySet();
        vault = vault_;
    }

    /// @inheritdoc IClearinghouse
    function setBreaker(address breaker_) external onlyGovernance {
        if (breaker_ == address(0)) revert Clearinghouse__ZeroAddress();
        if (breaker != address(0)) revert Clearinghouse__BreakerAlreadySet();
        breaker = breaker_;
        emit BreakerSet(breaker_);
    }

    /// @inheritdoc IClearinghouse
    function applyBreakerLevel(address asset, uint8 level) external {
        if (msg.sender != breaker) revert Clearinghouse__NotBreaker(msg.sender);
        uint256 word = _breakerWord;
        uint256 lvl = level > 3 ? 3 : level;
        if (asset == address(0)) {
            word = (word & ~uint256(3)) | lvl;
        } else {
            CollateralInfo memory c = _collateralInfo[asset];
            if (c.listed) word = (word & ~(uint256(3) << (8 + 2 * c.index))) | (lvl << (8 + 2 * c.index));
            MarketInfo memory m = _marketInfo[asset];
            if (m.listed) word = (word & ~(uint256(3) << (40 + 2 * m.index))) | (lvl << (40 + 2 * m.index));
        }
        _breakerWord = word;
        emit BreakerLevelApplied(asset, uint8(lvl));
    }

    /// @inheritdoc IClearinghouse
    function applySettlement() external {
        if (msg.sender != breaker) revert Clearinghouse__NotBreaker(msg.sender);
        _breakerWord |= 4;
        emit BreakerLevelApplied(address(0), type(uint8).max);
    }

    /// @inheritdoc ILiquidationLedger
    function setLiquidationModules(address engine, address auction_) external onlyGovernance {
        if (engine == address(0) || auction_ == address(0)) revert Clearinghouse__ZeroAddress();
        if (liquidationEngine != address(0)) revert Clearinghouse__LiquidationAlreadySet();
        liquidationEngine = engine;
        auction = auction_;
        emit LiquidationModulesSet(engine, auction_);
    }

    /// @inheritdoc IClearinghouse
    function listCollateral(address token) external onlyGovernance {
        if (token == address(0)) revert Clearinghouse__ZeroAddress();
        if (_collateralInfo[token].listed) revert Clearinghouse__AlreadyListed(token);
        if (_collaterals.length >= MAX_COLLATERALS) revert Clearinghouse__TooManyAssets(MAX_COLLATERALS);
        uint8 decimals = _probeToken(token);
        _requireRiskSources(token);
        _collateralInfo[token] = CollateralInfo({listed: true, decimals: decimals, index: uint8(_collaterals.length)});
        _collateralByIndex[_collaterals.length] = CollateralSlot({token: token, decimals: decimals});
        _collaterals.push(token);
        emit CollateralListed(token, decimals, _collaterals.length - 1);
    }

    /// @inheritdoc IClearinghouse
    function listMarket(address asset) external onlyGovernance {
        if (asset == address(0)) revert Clearinghouse__ZeroAddress();
        if (_marketInfo[asset].listed) revert Clearinghouse__AlreadyListed(asset);
        if (_markets.length >= MAX_MARKETS) revert Clearinghouse__TooManyAssets(MAX_MARKETS);
        _requireRiskSources(asset);
        _marketInfo[asset] = MarketInfo({listed: true, index: uint8(_markets.length)});
        MarketSlots storage m = _marketState[asset];
        (m.lastFundingTime, m.listed, m.index) = (uint40(block.timestamp), true, uint8(_markets.length));
        _marketByIndex[_markets.length] = asset;
        _markets.push(asset);
        emit MarketListed(asset, _markets.length - 1);
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
        _collateral[account][token] += amount;
        _accounts[account].collateralMask |= uint16(1 << info.index);
        emit Deposited(account, token, msg.sender, amount);
    }

    /// @inheritdoc IClearinghouse
    function withdraw(address account, address token, uint256 amount, address to) external nonReentrant {
        _requireAuthorized(account);
        if (amount == 0) revert Clearinghouse__ZeroAmount();
        if (to == address(0)) revert Clearinghouse__ZeroAddress();
        CollateralInfo storage info = _collateralInfo[token];
        if (!info.listed) revert Clearinghouse__UnknownCollateral(token);
        uint256 available = _collateral[account][token];
        if (amount > available) revert Clearinghouse__InsufficientCollateral(account, token, amount, available);

        _accrueFee();
        unchecked {
            _collateral[account][token] = available - amount;
            totalCollateral[token] -= amount;
        }
        AccountSlot memory acct = _accounts[account];
        // an account with neither debt nor positions withdraws without prices (oracle down or not)
        bool exposed = acct.normalizedDebt != 0 || acct.marketMask != 0;
        _requireWithdrawable(token, info.index);
        if (available == amount) _accounts[account].collateralMask = acct.collateralMask & ~uint16(1 << info.index);
        if (exposed) _requireInitialHealth(account);

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
    function accrue() external nonReentrant {
        _accrueFee();
        uint256 n = _markets.length;
        for (uint256 i; i < n; ++i) {
            address market = _markets[i];
            (uint256 priceWad, ) = _price(market);
            _accrueFunding(market, priceWad);
        }
    }

    // ---------------------------------------------------------------- liquidation (engine only)

    /// @inheritdoc ILiquidationLedger
    function liquidationBegin(
        address account,
        uint256 perpPenaltyWad,
        address keeper,
        uint256 keeperShareWad
    ) external nonReentrant returns (LiquidationSnapshot memory snap) {
        _onlyEngine();
        if (account == vault) revert Clearinghouse__VaultCannotBeLiquidated();
        _accrueFee();
        (Health memory h, address failingAsset) = _computeHealth(account, false);
        if (!h.pricesOk) revert Clearinghouse__OracleUnhealthy(failingAsset);
        snap.healthFactorWad = h.healthFactorWad;
        if (h.healthFactorWad >= WadMath.WAD) return snap;
        snap.liquidatable = true;

        uint256 penaltiesWad;
        (penaltiesWad, snap.positionsClosed) = _closePositions(account, perpPenaltyWad);
        if (keeper != address(0) && penaltiesWad > 0) _payKeeper(keeper, penaltiesWad.mulWadDown(keeperShareWad));

        AccountSlot memory acct = _accounts[account];
        snap.debtWad = uint256(acct.normalizedDebt).mulRayUp(_rateIndexRay);
        snap.creditWad = acct.creditWad;
        snap.collaterals = _collateralQuotes(account, acct.collateralMask);
    }

    /// @inheritdoc ILiquidationLedger
    function seize(address account, address token, uint256 lot, uint256 debtWad) external nonReentrant {
        _onlyEngine();
        uint256 available = _collateral[account][token];
        if (lot > available) revert Clearinghouse__InsufficientCollateral(account, token, lot, available);
        uint256 indexRay = _rateIndexRay;
        AccountSlot memory acct = _accounts[account];
        uint256 owedWad = uint256(acct.normalizedDebt).mulRayUp(indexRay);
        if (debtWad > owedWad) revert Clearinghouse__SeizeAboveDebt(account, debtWad, owedWad);
        unchecked {
            _collateral[account][token] = available - lot;
            totalCollateral[token] -= lot;
        }
        if (available == lot) acct.collateralMask &= ~uint16(1 << _collateralInfo[token].index);
        // the account keeps any rounding remainder of its normalized debt (rounded against it)
        uint256 removed = debtWad == owedWad ? acct.normalizedDebt : debtWad.divRayDown(indexRay);
        acct.normalizedDebt -= uint112(removed);
        _totalNormalizedDebt -= uint128(removed);
        _accounts[account] = acct;
        auctionDebtWad += debtWad;
        emit CollateralSeized(account, token, lot, debtWad);
    }

    /// @inheritdoc ILiquidationLedger
    function writeOff(address account) external nonReentrant returns (uint256 badDebtWad) {
        _onlyEngine();
        AccountSlot memory acct = _accounts[account];
        if (acct.collateralMask != 0 || acct.marketMask != 0) revert Clearinghouse__NotInsolvent(account);
        badDebtWad = uint256(acct.normalizedDebt).mulRayUp(_accrueFee());
        _totalNormalizedDebt -= acct.normalizedDebt;
        _accounts[account].normalizedDebt = 0;
        _coverBadDebt(account, badDebtWad);
    }

    // ---------------------------------------------------------------- auction sink (auction only)

    /// @inheritdoc IAuctionSink
    function sendCollateral(address token, address to, uint256 amount) external nonReentrant {
        _onlyAuction();
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IAuctionSink
    function onAuctionPayment(
        uint256 auctionId,
        address account,
        uint256 paidWad,
        uint256 debtCoveredWad
    ) external nonReentrant {
        _onlyAuction();
        stablecoin.burn(msg.sender, paidWad);
        auctionDebtWad -= debtCoveredWad;
        // the penalty part is the vault's income
        _vaultCreditWad = (uint256(_vaultCreditWad) + paidWad - debtCoveredWad).toUint128();
        emit AuctionPaid(auctionId, account, paidWad, debtCoveredWad);
    }

    /// @inheritdoc IAuctionSink
    function onAuctionEnd(
        uint256 auctionId,
        address account,
        address token,
        uint256 lotLeft,
        uint256 debtLeftWad
    ) external nonReentrant {
        _onlyAuction();
        AccountSlot storage acct = _accounts[account];
        if (lotLeft > 0) {
            _collateral[account][token] += lotLeft;
            totalCollateral[token] += lotLeft;
            acct.collateralMask |= uint16(1 << _collateralInfo[token].index);
        }
        uint256 chargedBackWad;
        uint256 badDebtWad;
        if (debtLeftWad > 0) {
            auctionDebtWad -= debtLeftWad;
            if (acct.collateralMask != 0) {
                // the account still holds collateral: the unpaid debt is its own again
                chargedBackWad = debtLeftWad;
                _debit(account, debtLeftWad, _accrueFee());
            } else {
                badDebtWad = debtLeftWad;
                _coverBadDebt(account, debtLeftWad);
            }
        }
        emit AuctionSettled(auctionId, account, token, lotLeft, chargedBackWad, badDebtWad);
    }

    /// @inheritdoc IAuctionSink
    function payKeeper(address keeper, uint256 amountWad) external nonReentrant {
        _onlyAuction();
        _payKeeper(keeper, amountWad);
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
        return _collateral[account][token];
    }

    /// @inheritdoc IClearinghouse
    function positionOf(address account, address market) external view returns (Position memory) {
        PositionSlot memory p = _positions[account][market];
        return Position({sizeWad: p.sizeWad, openNotionalWad: p.openNotionalWad, fundingIndexWad: p.fundingIndexWad});
    }

    /// @inheritdoc IClearinghouse
    function marketState(address market) external view returns (MarketState memory state) {
        MarketSlots storage m = _marketState[market];
        if (!m.listed) revert Clearinghouse__UnknownMarket(market);
        state.skewWad = _skew(m);
        state.longOpenInterestWad = m.longOpenInterestWad;
        state.shortOpenInterestWad = m.shortOpenInterestWad;
        state.openNotionalSumWad = m.openNotionalSumWad;
        state.fundingSnapshotSumWad = m.fundingSnapshotSumWad;
        (uint256 priceWad, ) = _price(market);
        (state.fundingRateWad, state.fundingIndexWad) = _fundingNow(market, m, priceWad);
        state.lastFundingTime = block.timestamp;
    }

    /// @inheritdoc IClearinghouse
    function vaultNetAssetsWad() external view returns (int256 netWad) {
        netWad = int256(uint256(_vaultCreditWad) + _pendingFeeWad());
        uint256 n = _markets.length;
        for (uint256 i; i < n; ++i) {
            address market = _markets[i];
            MarketSlots storage s = _marketState[market];
            int256 skewWad = _skew(s);
            if (skewWad == 0 && s.openNotionalSumWad == 0 && s.fundingSnapshotSumWad == 0) continue;
            (uint256 priceWad, ) = _price(market);
            (, int256 indexWad) = _fundingNow(market, s, priceWad);
            // the vault holds -skew: it earns what traders lose and collects what they owe in funding
            netWad += s.openNotionalSumWad - WadMath.mulWadSignedCeil(skewWad, priceWad);
            netWad += _mulWadSigned(skewWad, indexWad) - s.fundingSnapshotSumWad;
        }
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
    function isAuthorized(address account, address operator) public view returns (bool) {
        return account == operator || _operators[account][operator];
    }

    // ---------------------------------------------------------------- internal: params hooks

    /// @dev Accrue with the old rate before the stability fee changes.
    function _beforeGlobalParamChange() internal override {
        _accrueFee();
    }

    /// @dev Accrue a market's funding with the old parameters before they change.
    function _beforeMarketParamChange(address market) internal override {
        if (!_marketInfo[market].listed) revert ParamTarget__UnknownParam(bytes32(0), market);
        (uint256 priceWad, ) = _price(market);
        _accrueFunding(market, priceWad);
    }

    function _isCollateral(address token) internal view override returns (bool) {
        return _collateralInfo[token].listed;
    }

    function _isMarket(address market) internal view override returns (bool) {
        return _marketInfo[market].listed;
    }

    // ---------------------------------------------------------------- internal: positions

    /// @dev Working set of one fill (kept in memory to stay clear of the stack limit).
    struct Fill {
        uint256 indexPriceWad;
        uint256 fillPriceWad;
        int256 newSizeWad;
        int256 newOpenNotionalWad;
        int256 realizedPnlWad;
        uint256 feeWad;
        int256 balanceDeltaWad;
        int256 fundingPaidWad;
        bool increasesRisk;
        bool priceOk;
    }

    /// @dev `liquidationPenaltyWad` is 0 for a trade (the taker fee applies); a liquidation passes
    ///      its penalty rate, charged in place of the fee and paid to the vault like it.
    function _modifyPosition(
        address account,
        address market,
        int256 sizeDeltaWad,
        uint256 acceptablePriceWad,
        uint256 liquidationPenaltyWad
    ) internal returns (uint256) {
        if (account == vault) revert Clearinghouse__VaultCannotTrade();
        MarketSlots storage state = _marketState[market];
        if (!state.listed) revert Clearinghouse__UnknownMarket(market);
        _accrueFee();

        Fill memory f;
        (f.indexPriceWad, f.priceOk) = _price(market);
        _accrueFunding(market, f.indexPriceWad);

        PositionSlot memory pos = _positions[account][market];
        f.increasesRisk = _increasesRisk(pos.sizeWad, pos.sizeWad + sizeDeltaWad);
        if (f.increasesRisk && !f.priceOk) revert Clearinghouse__OracleUnhealthy(market);

        MarketParams memory params = _marketParams[market];
        if (params.skewScaleWad == 0) revert Clearinghouse__MarketNotConfigured(market);
        if (liquidationPenaltyWad == 0) liquidationPenaltyWad = params.takerFeeWad; // a trade pays the fee
        f.fillPriceWad = PerpMath.fillPrice(f.indexPriceWad, _skew(state), sizeDeltaWad, params.skewScaleWad);
        if (f.fillPriceWad == 0) revert Clearinghouse__InvalidFillPrice(market);
        if (sizeDeltaWad > 0 ? f.fillPriceWad > acceptablePriceWad : f.fillPriceWad < acceptablePriceWad) {
            revert Clearinghouse__SlippageExceeded(f.fillPriceWad, acceptablePriceWad);
        }

        // 1. settle funding owed since the snapshot (paid to / by the vault)
        int256 fundingIndexWad = state.fundingIndexWad;
        f.fundingPaidWad = PerpMath.fundingOwed(pos.sizeWad, fundingIndexWad, pos.fundingIndexWad);
        if (pos.sizeWad != 0) emit FundingSettled(account, market, f.fundingPaidWad);

        // 2. apply the fill; realized PnL and the fee move between the account and the vault
        (f.newSizeWad, f.newOpenNotionalWad, f.realizedPnlWad) = PerpMath.applyFill(
            pos.sizeWad,
            pos.openNotionalWad,
            sizeDeltaWad,
            f.fillPriceWad
        );
        f.feeWad = SignedMath.abs(sizeDeltaWad).mulWadUp(f.fillPriceWad).mulWadUp(liquidationPenaltyWad);
        f.balanceDeltaWad = f.realizedPnlWad - f.fundingPaidWad - int256(f.feeWad);

        // 3. market aggregates (skew is long - short: it moves with the open interest)
        state.openNotionalSumWad = (state.openNotionalSumWad + f.newOpenNotionalWad - pos.openNotionalWad).toInt128();
        state.fundingSnapshotSumWad = (state.fundingSnapshotSumWad +
            _mulWadSigned(f.newSizeWad, fundingIndexWad) -
            _mulWadSigned(pos.sizeWad, pos.fundingIndexWad)).toInt128();
        _updateOpenInterest(state, pos.sizeWad, f.newSizeWad);
        if (f.increasesRisk) _checkMarketCaps(market, state, params, f.indexPriceWad);

        // 4. store the position and the balances
        _positions[account][market] = PositionSlot({
            sizeWad: f.newSizeWad.toInt128(),
            openNotionalWad: f.newOpenNotionalWad.toInt128(),
            fundingIndexWad: fundingIndexWad
        });
        uint16 bit = uint16(1 << state.index);
        if (f.newSizeWad == 0) _accounts[account].marketMask &= ~bit;
        else _accounts[account].marketMask |= bit;
        _transferWithVault(account, f.balanceDeltaWad);

        if (f.increasesRisk) {
            // priceOk holds here (a risk increase on a failing price reverted above)
            (_seedAsset, _seedPriceWad) = (market, f.indexPriceWad);
            _requireInitialHealth(account);
            _seedAsset = address(0);
        }
        emit PositionModified(account, market, sizeDeltaWad, f.fillPriceWad, f.newSizeWad, f.realizedPnlWad, f.feeWad);
        return f.fillPriceWad;
    }

    /// @dev A change increases risk when it grows the absolute size or flips the side.
    function _increasesRisk(int256 oldSizeWad, int256 newSizeWad) internal pure returns (bool) {
        if (SignedMath.abs(newSizeWad) > SignedMath.abs(oldSizeWad)) return true;
        return oldSizeWad != 0 && newSizeWad != 0 && (oldSizeWad > 0) != (newSizeWad > 0);
    }

    /// @dev An old size was added before, so it fits; a new one is checked.
    function _updateOpenInterest(MarketSlots storage state, int256 oldSizeWad, int256 newSizeWad) internal {
        if (oldSizeWad > 0) state.longOpenInterestWad -= uint120(uint256(oldSizeWad));
        else if (oldSizeWad < 0) state.shortOpenInterestWad -= uint120(uint256(-oldSizeWad));
        if (newSizeWad > 0) state.longOpenInterestWad += uint256(newSizeWad).toUint120();
        else if (newSizeWad < 0) state.shortOpenInterestWad += uint256(-newSizeWad).toUint120();
    }

    function _checkMarketCaps(
        address market,
        MarketSlots storage state,
        MarketParams memory params,
        uint256 indexPriceWad
    ) internal view {
        uint256 maxOi = params.maxOpenInterestWad;
        if (state.longOpenInterestWad > maxOi) {
            revert Clearinghouse__OpenInterestCapExceeded(market, state.longOpenInterestWad, maxOi);
        }
        if (state.shortOpenInterestWad > maxOi) {
            revert Clearinghouse__OpenInterestCapExceeded(market, state.shortOpenInterestWad, maxOi);
        }
        uint256 skewUsdWad = SignedMath.abs(_skew(state)).mulWadUp(indexPriceWad);
        uint256 capUsdWad = (uint256(_vaultCreditWad) + _pendingFeeWad()).mulWadDown(params.skewCapRatioWad);
        if (skewUsdWad > capUsdWad) revert Clearinghouse__SkewCapExceeded(market, skewUsdWad, capUsdWad);
    }

    /// @dev Accrues a market's funding up to now at `priceWad`.
    function _accrueFunding(address market, uint256 priceWad) internal {
        MarketSlots storage state = _marketState[market];
        if (state.lastFundingTime == block.timestamp) return;
        (int256 rateWad, int256 indexWad) = _fundingNow(market, state, priceWad);
        // one write of the funding slot
        (state.fundingIndexWad, state.fundingRateWad, state.lastFundingTime) = (
            indexWad.toInt128(),
            rateWad.toInt88(),
            uint40(block.timestamp)
        );
        emit FundingAccrued(market, rateWad, indexWad);
    }

    function _fundingNow(
        address market,
        MarketSlots storage state,
        uint256 priceWad
    ) internal view returns (int256 rateWad, int256 indexWad) {
        // a storage pointer: only the fields used are read (funding slot, then open interest)
        uint256 elapsed = block.timestamp - state.lastFundingTime;
        rateWad = state.fundingRateWad;
        indexWad = state.fundingIndexWad;
        if (elapsed == 0 || priceWad == 0) return (rateWad, indexWad);
        MarketParams storage params = _marketParams[market];
        uint256 skewScaleWad = params.skewScaleWad;
        if (skewScaleWad == 0) return (rateWad, indexWad);
        int256 indexDeltaWad;
        (rateWad, indexDeltaWad) = PerpMath.accrueFunding(
            rateWad,
            _skew(state),
            skewScaleWad,
            params.maxFundingVelocityWad,
            elapsed,
            priceWad
        );
        indexWad += indexDeltaWad;
    }

    /// @dev Net skew of a market: long minus short open interest.
    function _skew(MarketSlots storage state) internal view returns (int256) {
        return int256(uint256(state.longOpenInterestWad)) - int256(uint256(state.shortOpenInterestWad));
    }

    // ---------------------------------------------------------------- internal: balances

    /// @dev Moves `deltaWad` from the vault to `account` (negative: from the account to the vault).
    ///      An account that cannot pay from credit takes on debt; a vault that cannot pay records
    ///      the shortfall as deficit (unbacked stablecoin), never hides it.
    function _transferWithVault(address account, int256 deltaWad) internal {
        if (deltaWad == 0) return;
        if (deltaWad > 0) {
            uint256 amount = uint256(deltaWad);
            _credit(account, amount);
            uint256 vaultCredit = _vaultCreditWad;
            if (amount <= vaultCredit) {
                _vaultCreditWad = uint128(vaultCredit - amount);
            } else {
                _vaultCreditWad = 0;
                _recordDeficit(amount - vaultCredit);
            }
        } else {
            uint256 amount = uint256(-deltaWad);
            _debit(account, amount, _rateIndexRay);
            _vaultCreditWad = (uint256(_vaultCreditWad) + amount).toUint128();
        }
    }

    /// @dev Debits `amountWad` from `account`: out of credit first, the rest as new debt (rounded up).
    /// @return fromCreditWad The part taken from credit.
    function _debit(address account, uint256 amountWad, uint256 indexRay) internal returns (uint256 fromCreditWad) {
        AccountSlot memory acct = _accounts[account];
        fromCreditWad = amountWad < acct.creditWad ? amountWad : acct.creditWad;
        acct.creditWad -= uint112(fromCreditWad);
        uint256 newDebtWad = amountWad - fromCreditWad;
        if (newDebtWad > 0) {
            uint256 addNormalized = newDebtWad.divRayUp(indexRay);
            acct.normalizedDebt = (acct.normalizedDebt + addNormalized).toUint112();
            _totalNormalizedDebt = (_totalNormalizedDebt + addNormalized).toUint128();
        }
        _accounts[account] = acct;
    }

    /// @dev Credits `amountWad` to `account`: repays debt first, the rest becomes credit.
    /// @return repaidDebtWad The part that repaid debt.
    function _credit(address account, uint256 amountWad) internal returns (uint256 repaidDebtWad) {
        if (account == vault) {
            _vaultCreditWad = (uint256(_vaultCreditWad) + amountWad).toUint128();
            return 0;
        }
        uint256 indexRay = _rateIndexRay;
        AccountSlot memory acct = _accounts[account];
        if (acct.normalizedDebt > 0) {
            uint256 debtWad = uint256(acct.normalizedDebt).mulRayUp(indexRay);
            if (amountWad >= debtWad) {
                repaidDebtWad = debtWad;
                _totalNormalizedDebt -= acct.normalizedDebt;
                acct.normalizedDebt = 0;
            } else {
                repaidDebtWad = amountWad;
                // rounded down: a partial repayment removes no more debt than it pays for
                uint256 removed = amountWad.divRayDown(indexRay);
                acct.normalizedDebt -= uint112(removed);
                _totalNormalizedDebt -= uint128(removed);
            }
        }
        uint256 rest = amountWad - repaidDebtWad;
        if (rest > 0) acct.creditWad = (acct.creditWad + rest).toUint112();
        _accounts[account] = acct;
    }

    function _recordDeficit(uint256 amountWad) internal {
        uint256 total = deficitWad + amountWad;
        deficitWad = total;
        emit DeficitRecorded(amountWad, total);
    }

    /// @dev Accrues the stability fee to now; the fee is the vault's income. Returns the index.
    function _accrueFee() internal returns (uint256 indexRay) {
        indexRay = _rateIndexRay;
        uint256 last = _lastAccrual;
        if (last == block.timestamp) return indexRay;
        uint256 rate = _stabilityFeePerSecondRay;
        if (rate != 0) {
            uint256 newIndexRay = indexRay + indexRay.mulRayUp(rate * (block.timestamp - last));
            uint256 feeWad = _feeBetween(_totalNormalizedDebt, indexRay, newIndexRay);
            indexRay = newIndexRay;
            if (feeWad > 0) {
                _vaultCreditWad = (uint256(_vaultCreditWad) + feeWad).toUint128();
                emit StabilityFeeAccrued(newIndexRay, feeWad);
            }
        }
        // one write of the fee slot
        (_rateIndexRay, _lastAccrual) = (indexRay.toUint128(), uint40(block.timestamp));
    }

    function _currentRateIndex() internal view returns (uint256) {
        uint256 indexRay = _rateIndexRay;
        uint256 elapsed = block.timestamp - _lastAccrual;
        if (elapsed == 0 || _stabilityFeePerSecondRay == 0) return indexRay;
        return indexRay + indexRay.mulRayUp(_stabilityFeePerSecondRay * elapsed);
    }

    function _pendingFeeWad() internal view returns (uint256) {
        return _feeBetween(_totalNormalizedDebt, _rateIndexRay, _currentRateIndex());
    }

    /// @dev Fee owed to the vault when the index moves from `oldIndexRay` to `newIndexRay`, credited
    ///      rounded down; the difference stays as protocol-favourable dust.
    function _feeBetween(
        uint256 totalNormalized,
        uint256 oldIndexRay,
        uint256 newIndexRay
    ) internal pure returns (uint256) {
        uint256 newer = totalNormalized.mulRayDown(newIndexRay);
        uint256 older = totalNormalized.mulRayUp(oldIndexRay);
        return newer > older ? newer - older : 0;
    }

    // ---------------------------------------------------------------- internal: liquidation

    function _onlyEngine() internal view {
        if (msg.sender != liquidationEngine) revert Clearinghouse__NotLiquidationEngine(msg.sender);
    }

    function _onlyAuction() internal view {
        if (msg.sender != auction) revert Clearinghouse__NotAuction(msg.sender);
    }

    /// @dev Closes every position of `account` against the vault at its fill price, charging the
    ///      liquidation penalty in place of the taker fee. Returns the penalties and the count.
    function _closePositions(
        address account,
        uint256 penaltyRateWad
    ) internal returns (uint256 penaltiesWad, uint256 closed) {
        uint256 mask = _accounts[account].marketMask;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                address market = _markets[i];
                int256 sizeWad = _positions[account][market].sizeWad;
                // no slippage bound: the vault takes the position over at whatever the fill price is
                uint256 fillPriceWad = _modifyPosition(
                    account,
                    market,
                    -sizeWad,
                    sizeWad > 0 ? 0 : type(uint256).max,
                    penaltyRateWad
                );
                uint256 penaltyWad = SignedMath.abs(sizeWad).mulWadUp(fillPriceWad).mulWadUp(penaltyRateWad);
                penaltiesWad += penaltyWad;
                ++closed;
                emit PositionLiquidated(account, market, sizeWad, fillPriceWad, penaltyWad);
            }
            mask >>= 1;
        }
    }

    /// @dev The bad-debt waterfall: the vault's credit first, then the deficit. Never hidden.
    function _coverBadDebt(address account, uint256 amountWad) internal {
        if (amountWad == 0) return;
        uint256 vaultCredit = _vaultCreditWad;
        uint256 fromVaultWad = amountWad < vaultCredit ? amountWad : vaultCredit;
        _vaultCreditWad = uint128(vaultCredit - fromVaultWad);
        uint256 toDeficitWad = amountWad - fromVaultWad;
        if (toDeficitWad > 0) _recordDeficit(toDeficitWad);
        emit BadDebtCovered(account, fromVaultWad, toDeficitWad);
        // inline triggers: bad debt against the vault's size, and any deficit
        address b = breaker;
        if (b != address(0)) {
            ICircuitBreaker(b).reportBadDebt(amountWad);
            ICircuitBreaker(b).checkSystem();
        }
    }

    /// @dev A keeper reward, out of the vault's credit (a shortfall becomes deficit).
    function _payKeeper(address keeper, uint256 amountWad) internal {
        if (amountWad == 0) return;
        _transferWithVault(keeper, int256(amountWad));
        emit KeeperPaid(keeper, amountWad);
    }

    /// @dev Valuations of an account's collaterals for the engine's seizure arithmetic.
    function _collateralQuotes(address account, uint256 mask) internal view returns (CollateralQuote[] memory quotes) {
        quotes = new CollateralQuote[](_popCount(mask));
        uint256 n;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                address token = _collaterals[i];
                CollateralQuote memory q = quotes[n++];
                q.token = token;
                q.amount = _collateral[account][token];
                (q.priceWad, ) = _price(token);
                q.haircutWad = marginModel.riskOf(token).haircutMaintWad;
                q.decimals = _collateralInfo[token].decimals;
            }
            mask >>= 1;
        }
    }

    // ---------------------------------------------------------------- internal: health

    function _requireAuthorized(address account) internal view {
        if (!isAuthorized(account, msg.sender)) revert Clearinghouse__NotAuthorized(msg.sender, account);
    }

    function _requireNotSettled() internal view {
        if (_breakerWord & 4 != 0) revert Clearinghouse__Settled();
    }

    /// @dev Level 3 (global or the token's) stops every withdrawal; so does settlement.
    function _requireWithdrawable(address token, uint256 tokenIndex) internal view {
        uint256 word = _breakerWord;
        if (word == 0) return;
        if (word & 4 != 0) revert Clearinghouse__Settled();
        if (word & 3 == 3) revert Clearinghouse__BreakerLevel(address(0), 3);
        if (tokenIndex < MAX_COLLATERALS && (word >> (8 + 2 * tokenIndex)) & 3 == 3) {
            revert Clearinghouse__BreakerLevel(token, 3);
        }
    }

    /// @dev Level 1 and above (global, or of any asset the account holds or trades) stops
    ///      everything that increases risk.
    function _requireBreakerAllowsRisk(address account) internal view {
        uint256 word = _breakerWord;
        if (word == 0) return;
        if (word & 4 != 0) revert Clearinghouse__Settled();
        if (word & 3 != 0) revert Clearinghouse__BreakerLevel(address(0), uint8(word & 3));
        AccountSlot memory acct = _accounts[account];
        for (uint256 i; i < MAX_COLLATERALS; ++i) {
            uint256 lvl = (word >> (8 + 2 * i)) & 3;
            if (lvl != 0 && (acct.collateralMask >> i) & 1 == 1) {
                revert Clearinghouse__BreakerLevel(_collaterals[i], uint8(lvl));
            }
            lvl = (word >> (40 + 2 * i)) & 3;
            if (lvl != 0 && (acct.marketMask >> i) & 1 == 1) revert Clearinghouse__BreakerLevel(_markets[i], uint8(lvl));
        }
    }

    function _requireInitialHealth(address account) internal view {
        _requireBreakerAllowsRisk(account);
        (Health memory h, address failingAsset) = _computeHealth(account, true);
        if (!h.pricesOk) revert Clearinghouse__OracleUnhealthy(failingAsset);
        if (h.healthFactorWad < WadMath.WAD) revert Clearinghouse__Undercollateralized(account, h.healthFactorWad);
    }

    function _health(address account, bool initial) internal view returns (Health memory h) {
        (h, ) = _computeHealth(account, initial);
    }

    /// @dev Prices and risk levels read once per asset per health computation.
    struct AssetQuote {
        address asset;
        uint256 priceWad;
        bool ok;
        IMarginModel.AssetRisk risk;
    }

    /// @dev Equity and requirement of `account`; collateral rounded down, debt and requirement up.
    function _computeHealth(
        address account,
        bool initial
    ) internal view returns (Health memory h, address failingAsset) {
        AccountSlot memory acct = _accounts[account];
        h.pricesOk = true;
        h.creditWad = account == vault ? uint256(_vaultCreditWad) + _pendingFeeWad() : acct.creditWad;
        h.debtWad = uint256(acct.normalizedDebt).mulRayUp(_currentRateIndex());
        AssetQuote[] memory quotes = new AssetQuote[](_popCount(acct.collateralMask) + _popCount(acct.marketMask));
        uint256 quoteCount;
        AssetQuote memory q;

        uint256 mask = acct.collateralMask;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                CollateralSlot memory c = _collateralByIndex[i];
                (q, quoteCount) = _quote(quotes, quoteCount, c.token);
                if (!q.ok) {
                    h.pricesOk = false;
                    failingAsset = c.token;
                }
                h.weightedCollateralWad += _weightedCollateral(account, c, q, initial);
            }
            mask >>= 1;
        }

        mask = acct.marketMask;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                address market = _marketByIndex[i];
                (q, quoteCount) = _quote(quotes, quoteCount, market);
                if (!q.ok) {
                    h.pricesOk = false;
                    failingAsset = market;
                }
                (int256 pnlWad, uint256 requirementWad) = _positionRisk(account, market, q, initial);
                h.pnlWad += pnlWad;
                h.requirementWad += requirementWad;
            }
            mask >>= 1;
        }

        uint256 assetsWad = h.weightedCollateralWad + h.creditWad + (h.pnlWad > 0 ? uint256(h.pnlWad) : 0);
        uint256 liabilitiesWad = h.debtWad + (h.pnlWad < 0 ? uint256(-h.pnlWad) : 0) + h.requirementWad;
        h.equityWad = int256(h.weightedCollateralWad + h.creditWad) - int256(h.debtWad) + h.pnlWad;
        h.healthFactorWad = liabilitiesWad == 0 ? type(uint256).max : assetsWad.divWadDown(liabilitiesWad);
    }

    /// @dev Collateral value after the haircut, rounded down.
    function _weightedCollateral(
        address account,
        CollateralSlot memory c,
        AssetQuote memory q,
        bool initial
    ) internal view returns (uint256) {
        uint256 valueWad = WadMath.toWad(_collateral[account][c.token], c.decimals).mulWadDown(q.priceWad);
        uint256 haircutWad = initial ? q.risk.haircutInitWad : q.risk.haircutMaintWad;
        return valueWad.mulWadDown(WadMath.WAD - haircutWad);
    }

    /// @dev A position's PnL net of funding owed (floored) and its margin requirement (rounded up).
    function _positionRisk(
        address account,
        address market,
        AssetQuote memory q,
        bool initial
    ) internal view returns (int256 pnlWad, uint256 requirementWad) {
        PositionSlot memory pos = _positions[account][market];
        (, int256 indexWad) = _fundingNow(market, _marketState[market], q.priceWad);
        pnlWad =
            PerpMath.unrealizedPnl(pos.sizeWad, pos.openNotionalWad, q.priceWad) -
            PerpMath.fundingOwed(pos.sizeWad, indexWad, pos.fundingIndexWad);
        requirementWad = PerpMath.requirement(
            SignedMath.abs(pos.sizeWad).mulWadUp(q.priceWad),
            initial ? q.risk.marginRatioInitWad : q.risk.marginRatioMaintWad,
            q.risk.depthUsdWad,
            q.risk.sizeSlopeWad
        );
    }

    /// @dev Finds or reads the quote of `asset`.
    function _quote(
        AssetQuote[] memory quotes,
        uint256 count,
        address asset
    ) internal view returns (AssetQuote memory q, uint256 newCount) {
        for (uint256 j; j < count; ++j) {
            if (quotes[j].asset == asset) return (quotes[j], count);
        }
        q.asset = asset;
        if (asset == _seedAsset) (q.priceWad, q.ok) = (_seedPriceWad, true);
        else (q.priceWad, q.ok) = _price(asset);
        q.risk = marginModel.riskOf(asset);
        quotes[count] = q;
        newCount = count + 1;
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    /// @dev The one call site of `balanceOf` (deposit measures what it received).
    function _balanceOfThis(address token) internal view returns (uint256) {
        return IERC20(token).balanceOf(address(this));
    }

    /// @dev The one call site of `oracle.getPrice` (keeps the ABI code once in the bytecode).
    function _price(address asset) internal view returns (uint256 priceWad, bool ok) {
        return oracle.getPrice(asset);
    }

    function _popCount(uint256 x) internal pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1;
            ++count;
        }
    }

    /// @dev Signed a * b / WAD, truncated toward zero (for funding snapshot sums).
    function _mulWadSigned(int256 a, int256 b) internal pure returns (int256) {
        return (a * b) / int256(WadMath.WAD);
    }

    /// @dev Token must answer decimals() <= 18; anything else is rejected at listing.
    function _probeToken(address token) internal view returns (uint8 decimals) {
        try IERC20Metadata(token).decimals() returns (uint8 d) {
            if (d > 18) revert Clearinghouse__UnsupportedToken(token, "decimals > 18");
            decimals = d;
        } catch {
            revert Clearinghouse__UnsupportedToken(token, "no decimals()");
        }
        try IERC20(token).totalSupply() returns (uint256) {} catch {
            revert Clearinghouse__UnsupportedToken(token, "no totalSupply()");
        }
    }

    /// @dev The oracle must have a feed and the margin model must know the asset.
    function _requireRiskSources(address asset) internal view {
        if (address(oracle.feedConfig(asset).primary) == address(0)) {
            revert Clearinghouse__UnsupportedToken(asset, "no oracle feed");
        }
        try marginModel.riskOf(asset) returns (IMarginModel.AssetRisk memory) {} catch {
            revert Clearinghouse__UnsupportedToken(asset, "unknown to margin model");
        }
    }
}
