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
import {ClearinghouseStorage} from "./ClearinghouseStorage.sol";

/// @title ClearinghouseBase
/// @notice The internal machinery shared by the Clearinghouse (user entry points and views) and
///         its two modules, ClearinghouseLiquidation and ClearinghouseSettlement (which run in the
///         Clearinghouse's storage by delegatecall): immutables, balances, fees, breaker levels
///         and the bad-debt waterfall. The storage is ClearinghouseStorage's.
abstract contract ClearinghouseBase is IClearinghouseBase, ClearinghouseStorage, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

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
