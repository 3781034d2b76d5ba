// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IClearinghouseBase} from "../interfaces/IClearinghouseBase.sol";
import {IMarginModel} from "../interfaces/IMarginModel.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {PerpMath} from "../perp/PerpMath.sol";
import {RiskLevels} from "../risk/RiskLevels.sol";
import {ClearinghouseParams} from "./ClearinghouseParams.sol";

/// @title ClearinghouseBase
/// @notice The Clearinghouse's storage and the internal machinery shared by the Clearinghouse
///         (user entry points and views) and ClearinghouseLiquidation (the liquidation and auction
///         settlement entry points, which run in the Clearinghouse's storage by delegatecall).
/// @dev Storage is declared here only: neither derived contract may add any.
// solhint-disable-next-line max-states-count
abstract contract ClearinghouseBase is IClearinghouseBase, ClearinghouseParams, ReentrancyGuardTransient {
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
    /// @inheritdoc IClearinghouseBase
    address public immutable vault;
    /// @inheritdoc IClearinghouseBase
    address public immutable liquidationEngine;
    /// @inheritdoc IClearinghouseBase
    address public immutable auction;

    // ---------------------------------------------------------------- storage

    /// @dev One slot: normalized debt (debt / rateIndex, RAY-normalized WAD), credit, bitmaps of
    ///      the collaterals and markets the account uses, and the number of its auctions running
    ///      (104 bits hold 2e13 USD of debt or credit). An account is finished (its debt left is
    ///      bad debt) only with no collateral and no auction running: a running auction's
    ///      surplus lot returns to it (ADR 0014).
    struct AccountSlot {
        uint104 normalizedDebt;
        uint104 creditWad;
        uint16 collateralMask;
        uint16 marketMask;
        uint16 auctions;
    }

    /// @dev One slot per position: the size and the cost basis in funding-adjusted price
    ///      (`PerpMath.adjustedPrice`, ADR 0007). The casts are checked: a fill that would take the
    ///      basis past 2^127 (1.7e20 USD) reverts; a reduction only shrinks it.
    struct PositionSlot {
        int128 sizeWad;
        int128 costBasisWad;
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

    /// @dev A collateral by index for the health loop, one slot: token, decimals and the price
    ///      `refreshPrices` cached for it (0: none, the health check reads the oracle; ADR 0006).
    struct CollateralSlot {
        address token;
        uint8 decimals;
        uint88 cachedPriceWad;
    }

    /// @dev A market by index for the health loop, one slot: its asset and cached price (as above).
    struct MarketSlot {
        address market;
        uint96 cachedPriceWad;
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
        int256 costBasisSumWad;
    }

    /// @dev Fee slot, shared with `ClearinghouseParams._stabilityFeePerSecondRay` and
    ///      `_priceMaxAgeSeconds` (declared last there): the stability-fee index and the last
    ///      accrual time.
    uint128 internal _rateIndexRay;
    uint40 internal _lastAccrual;

    /// @dev Balance slot: the sum of normalized debts and the vault's credit (fees, funding, PnL
    ///      land here).
    uint128 internal _totalNormalizedDebt;
    uint128 internal _vaultCreditWad;

    uint256 public deficitWad;

    /// @dev The debt still owed by running auctions, plus one: the slot is never zero, so the first
    ///      seizure after a quiet period rewrites a non-zero slot (2,900 gas) instead of filling a
    ///      zero one (20,000), as OpenZeppelin's ReentrancyGuard keeps 1 for "not entered".
    ///      `auctionDebtWad()` subtracts the one.
    uint256 internal _auctionDebtPlusOneWad;
    /// @inheritdoc IClearinghouseBase
    address public breaker;
    /// @dev One slot, read by every entry point. The breaker's levels as the ledger applies them:
    ///      bits 0-1 the global level, bit 2 settlement, then two bits per collateral index (from
    ///      bit 8) and per market index (from bit 40); zero in normal times. Beside them, when
    ///      `refreshPrices` last cached the prices (ADR 0006), so an initial-margin check that
    ///      uses the cache reads no other slot for it.
    uint216 internal _breakerWord;
    uint40 internal _pricesCachedAt;

    address[] internal _collaterals;
    address[] internal _markets;
    mapping(address token => CollateralInfo) internal _collateralInfo;
    mapping(address market => MarketInfo) internal _marketInfo;
    mapping(address market => MarketSlots) internal _marketState;
    mapping(address token => uint256 amount) public totalCollateral;

    mapping(address account => AccountSlot) internal _accounts;
    /// @dev Collateral balances, two per slot: the collateral at index `i` is in pair `i / 2`, the
    ///      low 128 bits for an even index and the high ones for an odd index, so an account's two
    ///      first collaterals cost one cold read in every health check (and a second collateral's
    ///      first deposit rewrites a used slot). `DEPOSIT_CAP`'s bound (1e36 < 2^128) keeps every
    ///      balance within 128 bits; writes are checked anyway. Read and written only through
    ///      `_collateralAt` and `_setCollateralAt`.
    mapping(address account => mapping(uint256 pair => uint256 balances)) internal _collateralPairs;
    mapping(address account => mapping(address market => PositionSlot)) internal _positions;
    mapping(address account => mapping(address operator => bool)) internal _operators;

    /// @dev Copies of `_collaterals` / `_markets` by index for the health loop (no length read).
    CollateralSlot[MAX_COLLATERALS] internal _collateralByIndex;
    MarketSlot[MAX_MARKETS] internal _marketByIndex;

    /// @dev The ok price `_modifyPosition` just read for its market, handed to the health check of
    ///      the same call so the oracle is not read twice (set right before, cleared right after).
    address internal transient _seedAsset;
    uint256 internal transient _seedPriceWad;

    /// @dev Global settlement (ClearinghouseSettlement): collateral in the redemption pool, and
    ///      when redemption opens (0: not scheduled).
    mapping(address token => uint256 amount) internal _redemptionPool;
    uint256 internal _redemptionOpensAt;
    /// @dev Debt `settleAccount` paid with collateral moved into the pool: after settlement I1
    ///      reads supply + credits == debts + auction debt + deficit + this.
    uint256 internal _pooledDebtWad;
    /// @dev The claims (stablecoin and credit) the pool still answers: fixed by `openRedemption`
    ///      at deficit + pooled debt, less each redemption, so every claim gets the same rate.
    uint256 internal _claimsLeftWad;

    // ---------------------------------------------------------------- storage: risk-level cache (ADR 0005)

    /// @dev The margin model's per-asset risk words (RiskLevels), pushed by it after every change.
    ///      A read takes the levels word, the ramp word only while a ramp is running and the
    ///      market word only with a size slope. Levels word 0: never pushed.
    struct RiskCache {
        uint256 levelsWord;
        uint256 rampWord;
        uint256 marketWord;
    }

    mapping(address asset => RiskCache) internal _riskCache;

    /// @dev Transient (no storage slot): the batch quote-cache key of the health computation under
    ///      way in `liquidationBegin` (0: no cache); set right before it, cleared right after.
    uint256 internal transient _quoteCacheKey;

    // ---------------------------------------------------------------- internal: collateral balances

    /// @dev The balance of `account` in the collateral at `index` (token decimals).
    function _collateralAt(address account, uint256 index) internal view returns (uint256) {
        uint256 pair = _collateralPairs[account][index >> 1];
        return index & 1 == 0 ? uint128(pair) : pair >> 128;
    }

    /// @dev Sets the balance of `account` in the collateral at `index` (its pair's other half kept).
    function _setCollateralAt(address account, uint256 index, uint256 amount) internal {
        uint256 shift = (index & 1) << 7;
        mapping(uint256 pair => uint256 balances) storage pairs = _collateralPairs[account];
        uint256 pair = pairs[index >> 1];
        pairs[index >> 1] = (pair & ~(uint256(type(uint128).max) << shift)) | (uint256(amount.toUint128()) << shift);
    }

    // ---------------------------------------------------------------- constructor

    constructor(Wiring memory w) ClearinghouseParams(w.riskConfig, w.governance) {
        if (
            w.stablecoin == address(0) ||
            w.oracle == address(0) ||
            w.marginModel == address(0) ||
            w.vault == address(0) ||
            w.liquidationEngine == address(0) ||
            w.auction == address(0)
        ) {
            revert Clearinghouse__ZeroAddress();
        }
        stablecoin = IStablecoin(w.stablecoin);
        oracle = IOracleRouter(w.oracle);
        marginModel = IMarginModel(w.marginModel);
        vault = w.vault;
        liquidationEngine = w.liquidationEngine;
        auction = w.auction;
        _rateIndexRay = uint128(WadMath.RAY);
        _lastAccrual = uint40(block.timestamp);
        _auctionDebtPlusOneWad = 1;
    }

    /// @inheritdoc IClearinghouseBase
    function auctionDebtWad() external view returns (uint256) {
        return _auctionDebtPlusOneWad - 1;
    }

    // ---------------------------------------------------------------- risk-level cache (ADR 0005)

    /// @dev Risk levels of `asset` now, from the cache and with no call (where `marginModel.riskOf`
    ///      costs a call and three slots): one cold slot in a calm market, plus the ramp word while
    ///      a ramp is running and the market word with a size slope. Before the first push it
    ///      falls back to `riskOf`.
    function _riskLevels(address asset) internal view returns (IMarginModel.AssetRisk memory) {
        RiskCache storage c = _riskCache[asset];
        uint256 levelsWord = c.levelsWord;
        if (!RiskLevels.isListed(levelsWord)) return marginModel.riskOf(asset);
        // the market word (depth, size slope) is read by `_marketAddOn`, only for a position
        return RiskLevels.riskAt(levelsWord, RiskLevels.isRamping(levelsWord) ? c.rampWord : 0, 0, block.timestamp);
    }

    /// @dev The perp size add-on's depth and slope of `market`: those `risk` already carries (the
    ///      `riskOf` fallback), else the cached market word, read only with a non-zero slope.
    ///      Collateral never needs them: a collateral-only asset costs one slot less per read.
    function _marketAddOn(
        address market,
        IMarginModel.AssetRisk memory risk
    ) internal view returns (uint256 depthUsdWad, uint256 sizeSlopeWad) {
        if (risk.sizeSlopeWad != 0 || risk.depthUsdWad != 0) return (risk.depthUsdWad, risk.sizeSlopeWad);
        RiskCache storage c = _riskCache[market];
        if (!RiskLevels.hasAddOn(c.levelsWord)) return (0, 0);
        return RiskLevels.addOn(c.marketWord);
    }

    // ---------------------------------------------------------------- internal: params hooks

    /// @dev Accrue with the old rate before the stability fee changes (not after settlement: the
    ///      index froze then).
    function _beforeGlobalParamChange() internal override {
        if (_breakerWord & 4 == 0) _accrueFee();
    }

    function _isCollateral(address token) internal view override returns (bool) {
        return _collateralInfo[token].listed;
    }

    function _isMarket(address market) internal view override returns (bool) {
        return _marketInfo[market].listed;
    }

    /// @dev The vault's mark on a market where it holds -skew: the cost-basis sum less the skew
    ///      at the funding-adjusted price, less the premium the skew's closing fills hand back
    ///      (index x skew^2 / (2 x skewScale): the fill premium is a path integral of the skew, so
    ///      what the opening fills paid, the closing ones return). Rounded against the vault.
    function _vaultMarkWad(
        int256 costBasisSumWad,
        int256 skewWad,
        uint256 priceWad,
        int256 fundingIndexWad,
        uint256 skewScaleWad
    ) internal pure returns (int256 markWad) {
        markWad = costBasisSumWad - PerpMath.mulWadCeil(skewWad, PerpMath.adjustedPrice(priceWad, fundingIndexWad));
        if (skewWad == 0) return markWad;
        uint256 skewAbsWad = SignedMath.abs(skewWad);
        markWad -= int256(skewAbsWad.mulDivUp(skewAbsWad, 2 * skewScaleWad).mulWadUp(priceWad));
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
        // frozen from global settlement on (the settlement accrued every market last)
        if (elapsed == 0 || priceWad == 0 || _breakerWord & 4 != 0) return (rateWad, indexWad);
        MarketParams storage params = _marketParams[market];
        return
            _fundingOver(
                rateWad,
                indexWad,
                elapsed,
                priceWad,
                _skew(state),
                params.skewScaleWad,
                params.maxFundingVelocityWad
            );
    }

    /// @dev Rate and index after `elapsedSeconds` (> 0) at `priceWad` (> 0) from `rateWad` and
    ///      `indexWad`; unchanged on a market without skew scale.
    function _fundingOver(
        int256 rateWad,
        int256 indexWad,
        uint256 elapsedSeconds,
        uint256 priceWad,
        int256 skewWad,
        uint256 skewScaleWad,
        uint256 maxVelocityWad
    ) internal pure returns (int256, int256) {
        if (skewScaleWad == 0) return (rateWad, indexWad);
        (int256 newRateWad, int256 indexDeltaWad) = PerpMath.accrueFunding(
            rateWad,
            skewWad,
            skewScaleWad,
            maxVelocityWad,
            elapsedSeconds,
            priceWad
        );
        return (newRateWad, indexWad + indexDeltaWad);
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
                // any deficit trips the breaker in the transaction that records it (as the
                // waterfall's does, `_coverBadDebt`)
                address b = breaker;
                if (b != address(0)) ICircuitBreaker(b).checkSystem();
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
        acct.creditWad -= uint104(fromCreditWad);
        uint256 newDebtWad = amountWad - fromCreditWad;
        if (newDebtWad > 0) {
            uint256 addNormalized = newDebtWad.divRayUp(indexRay);
            acct.normalizedDebt = (acct.normalizedDebt + addNormalized).toUint104();
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
                acct.normalizedDebt -= uint104(removed);
                _totalNormalizedDebt -= uint128(removed);
            }
        }
        uint256 rest = amountWad - repaidDebtWad;
        if (rest > 0) acct.creditWad = (acct.creditWad + rest).toUint104();
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

    /// @dev The index as `_accrueFee` would make it now; frozen from global settlement on (the
    ///      settlement accrued it last; every account settles at it).
    function _currentRateIndex() internal view returns (uint256) {
        uint256 indexRay = _rateIndexRay;
        uint256 elapsed = block.timestamp - _lastAccrual;
        if (elapsed == 0 || _stabilityFeePerSecondRay == 0 || _breakerWord & 4 != 0) return indexRay;
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

    // ---------------------------------------------------------------- internal: breaker levels

    /// @dev Writes `level` (capped at 3) for `asset` into the breaker word: the global level for
    ///      address(0), else the asset's collateral and market entries (whichever are listed).
    function _applyLevel(address asset, uint8 level) internal {
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
        _breakerWord = uint216(word);
        emit BreakerLevelApplied(asset, uint8(lvl));
    }

    /// @dev Copies the breaker's own level of a just-listed asset into the word (the breaker pushes
    ///      only changes, and a change before the listing had no entry to land in). No breaker
    ///      yet: nothing to copy (`setBreaker` copies then).
    function _syncBreakerLevel(address asset) internal {
        address b = breaker;
        if (b == address(0)) return;
        uint8 level = ICircuitBreaker(b).assetLevel(asset);
        if (level != 0) _applyLevel(asset, level);
    }

    // ---------------------------------------------------------------- internal: liquidation

    function _onlyEngine() internal view {
        if (msg.sender != liquidationEngine) revert Clearinghouse__NotLiquidationEngine(msg.sender);
    }

    function _onlyAuction() internal view {
        if (msg.sender != auction) revert Clearinghouse__NotAuction(msg.sender);
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
}
