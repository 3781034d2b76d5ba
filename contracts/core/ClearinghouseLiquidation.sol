// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAuctionSink} from "../interfaces/IAuctionSink.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidationLedger} from "../interfaces/ILiquidationLedger.sol";
import {IMarginModel} from "../interfaces/IMarginModel.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ClearinghouseBase} from "./ClearinghouseBase.sol";
import {ClearinghousePerps} from "./ClearinghousePerps.sol";

/// @title ClearinghouseLiquidation
/// @notice The Clearinghouse's liquidation entry points (ILiquidationLedger) and its auction
///         settlement (IAuctionSink). Deployed on its own and reached only through the
///         Clearinghouse, which delegatecalls it: it runs in the Clearinghouse's storage, under
///         its reentrancy lock, with its callers (the engine, the auction) checked against the
///         immutables it was built with (the Clearinghouse's own). Called directly it works on
///         its own empty storage, which no engine or auction ever calls (both hold the
///         Clearinghouse's address).
/// @dev Split from the Clearinghouse to keep both under the 24,576-byte code size limit.
contract ClearinghouseLiquidation is ClearinghousePerps, ILiquidationLedger, IAuctionSink {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using WadMath for uint256;

    constructor(Wiring memory w) ClearinghouseBase(w) {}

    // ---------------------------------------------------------------- governance (delegated)

    /// @dev See IClearinghouse.
    function setBreaker(address breaker_) external onlyGovernance {
        if (breaker_ == address(0)) revert Clearinghouse__ZeroAddress();
        if (breaker != address(0)) revert Clearinghouse__BreakerAlreadySet();
        breaker = breaker_;
        emit BreakerSet(breaker_);
        // the breaker may already hold levels: the ledger starts from them, not from zero
        ICircuitBreaker b = ICircuitBreaker(breaker_);
        (uint8 globalLevel, bool isSettled) = b.globalStatus();
        if (isSettled) _applySettlement();
        // like the asset copies, only a level that is not 0 (the ledger starts at 0): no event for nothing
        if (globalLevel != 0) _applyLevel(address(0), globalLevel);
        for (uint256 i; i < _collaterals.length; ++i) _syncBreakerLevel(_collaterals[i]);
        // `_applyLevel` writes a market's bits and its collateral bits together: a market that is
        // also a collateral was copied by the loop above
        for (uint256 i; i < _markets.length; ++i) {
            if (!_collateralInfo[_markets[i]].listed) _syncBreakerLevel(_markets[i]);
        }
    }

    /// @dev See IClearinghouse.
    function applyBreakerLevel(address asset, uint8 level) external {
        if (msg.sender != breaker) revert Clearinghouse__NotBreaker(msg.sender);
        _applyLevel(asset, level);
    }

    /// @dev See IClearinghouse.
    function applySettlement() external {
        if (msg.sender != breaker) revert Clearinghouse__NotBreaker(msg.sender);
        _applySettlement();
    }

    /// @dev Marks global settlement in the breaker word (bit 2), which every entry point reads,
    ///      after a last accrual of the stability fee and of every market's funding: accounts
    ///      settle at the indices of this moment, which nothing moves afterwards (`accrue` is
    ///      refused, parameter changes do not accrue, `debtOf` and the other views stop).
    function _applySettlement() internal {
        _accrueAll();
        _breakerWord |= 4;
        emit BreakerLevelApplied(address(0), type(uint8).max);
    }

    // ---------------------------------------------------------------- liquidation (engine only)

    /// @inheritdoc ILiquidationLedger
    function liquidationBegin(
        address account,
        uint256 perpPenaltyWad,
        address keeper,
        uint256 keeperShareWad,
        uint256 quoteCacheKey
    ) external nonReentrant returns (LiquidationSnapshot memory snap) {
        _onlyEngine();
        if (account == vault) revert Clearinghouse__VaultCannotBeLiquidated();
        uint256 indexRay = _accrueFee();
        // health and the collateral valuations from one read of each price (closing the positions
        // below moves credit and debt only: balances, prices and haircuts stay as read here); in a
        // batch, through the batch's quote cache (transient, under a key only this batch uses; on
        // only for this computation)
        if (quoteCacheKey != 0) {
            // in a batch: a deficit recorded since the batch read the global level (a kick reward,
            // a close) may have raised it to 2; the batch skips the account, as a single
            // liquidation is refused (the engine reads the breaker before one)
            uint256 level = _breakerWord & 3;
            if (level >= 2) revert Clearinghouse__BreakerLevel(address(0), uint8(level));
            _quoteCacheKey = quoteCacheKey;
        }
        (
            Health memory h,
            address failingAsset,
            CollateralQuote[] memory cols,
            AssetQuote[] memory quotes
        ) = _collateralQuotes(account, _accounts[account], indexRay);
        if (!h.pricesOk) revert Clearinghouse__OracleUnhealthy(failingAsset);
        if (quoteCacheKey != 0) {
            _cacheQuotes(quoteCacheKey, quotes);
            _quoteCacheKey = 0;
        }
        snap.healthFactorWad = h.healthFactorWad;
        if (h.healthFactorWad >= WadMath.WAD) return snap;
        snap.liquidatable = true;

        uint256 penaltiesWad;
        (penaltiesWad, snap.positionsClosed) = _closePositions(account, perpPenaltyWad);
        if (penaltiesWad > 0)
            penaltiesWad -= _waiveUnpayablePenalty(account, h.weightedCollateralWad, penaltiesWad, indexRay);
        if (keeper != address(0) && penaltiesWad > 0) _payKeeper(keeper, penaltiesWad.mulWadDown(keeperShareWad));

        AccountSlot memory acct = _accounts[account];
        snap.debtWad = uint256(acct.normalizedDebt).mulRayUp(indexRay);
        snap.creditWad = acct.creditWad;
        snap.collaterals = cols;
        // in a batch, the level a deficit of this account's closes may have raised (its seizures
        // follow; a single liquidation's engine reads the breaker per seizure)
        if (quoteCacheKey != 0) snap.globalLevel = uint8(_breakerWord & 3);
    }

    /// @dev The perp penalty is owed only as far as the account can pay it: the part that would
    ///      take its haircut equity (maintenance-weighted collateral + credit - debt, positions now
    ///      closed) below zero goes back to it. So the penalty never turns into bad debt and never
    ///      lowers the account's health (equity >= 0 with no requirement left means health >= 1,
    ///      above the pre-liquidation health; only the closes' own slippage can still lower it,
    ///      ADR 0009). The keeper's share is of the penalty kept. Returns the part waived.
    function _waiveUnpayablePenalty(
        address account,
        uint256 weightedCollateralWad,
        uint256 penaltiesWad,
        uint256 indexRay
    ) internal returns (uint256 waivedWad) {
        AccountSlot memory acct = _accounts[account];
        uint256 assetsWad = weightedCollateralWad + acct.creditWad;
        uint256 debtWad = uint256(acct.normalizedDebt).mulRayUp(indexRay);
        if (assetsWad >= debtWad) return 0;
        waivedWad = debtWad - assetsWad < penaltiesWad ? debtWad - assetsWad : penaltiesWad;
        _transferWithVault(account, int256(waivedWad));
        emit PerpPenaltyWaived(account, waivedWad);
    }

    /// @inheritdoc ILiquidationLedger
    function seize(
        address account,
        address token,
        uint256 index,
        uint256 lot,
        uint256 debtWad,
        address keeper,
        uint256 keeperRewardWad
    ) external nonReentrant {
        _onlyEngine();
        // the index the health loop quoted, checked against the token (a warm slot after liquidationBegin)
        if (index >= MAX_COLLATERALS || _collateralByIndex[index].token != token) {
            revert Clearinghouse__UnknownCollateral(token);
        }
        uint256 available = _collateralAt(account, index);
        if (lot > available) revert Clearinghouse__InsufficientCollateral(account, token, lot, available);
        uint256 indexRay = _rateIndexRay;
        AccountSlot memory acct = _accounts[account];
        uint256 owedWad = uint256(acct.normalizedDebt).mulRayUp(indexRay);
        if (debtWad > owedWad) revert Clearinghouse__SeizeAboveDebt(account, debtWad, owedWad);
        _setCollateralAt(account, index, available - lot);
        unchecked {
            totalCollateral[token] -= lot;
        }
        if (available == lot) acct.collateralMask &= ~uint16(1 << index);
        // the account keeps any rounding remainder of its normalized debt (rounded against it)
        uint256 removed = debtWad == owedWad ? acct.normalizedDebt : debtWad.divRayDown(indexRay);
        acct.normalizedDebt -= uint112(removed);
        _totalNormalizedDebt -= uint128(removed);
        _accounts[account] = acct;
        _auctionDebtPlusOneWad += debtWad;
        emit CollateralSeized(account, token, lot, debtWad);
        if (keeperRewardWad > 0) _payKeeper(keeper, keeperRewardWad);
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
        _requireTakeable(token);
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IAuctionSink
    function onAuctionTake(TakeSettlement calldata s) external nonReentrant {
        _onlyAuction();
        _requireTakeable(s.token);
        if (s.slice > 0) IERC20(s.token).safeTransfer(s.receiver, s.slice);
        // straight from the taker with its allowance to the auction (no transfer into the auction)
        stablecoin.burnFrom(s.payer, msg.sender, s.paidWad);
        // the penalty part is the vault's income
        uint256 incomeWad = s.paidWad - s.debtCoveredWad;
        if (!s.ends) {
            _vaultCreditWad = (uint256(_vaultCreditWad) + incomeWad).toUint128();
            _auctionDebtPlusOneWad -= s.debtCoveredWad;
            return;
        }
        // the end: debt covered and debt left leave the auction debt in one write
        _auctionDebtPlusOneWad -= s.debtCoveredWad + s.debtLeftWad;
        uint256 debtLeftWad = s.debtLeftWad;
        if (debtLeftWad > 0 && s.lotLeft == 0 && _accounts[s.account].collateralMask == 0) {
            // bad debt: this payment covers debt before penalty, so only what its proceeds did not
            // reach is booked as bad debt (pro rata, its penalty share would be booked as income
            // and the same amount as bad debt; the vault's balance is the same either way). Only
            // here: on an account that keeps collateral the debt left is charged back, and a
            // debt-first split there would let an owner buy back his lot without the penalty.
            uint256 usedWad = incomeWad < debtLeftWad ? incomeWad : debtLeftWad;
            incomeWad -= usedWad;
            debtLeftWad -= usedWad;
        }
        _vaultCreditWad = (uint256(_vaultCreditWad) + incomeWad).toUint128();
        _settleEnd(s.auctionId, s.account, s.token, s.lotLeft, debtLeftWad);
    }

    /// @inheritdoc IAuctionSink
    function payKeeper(address keeper, uint256 amountWad) external nonReentrant {
        _onlyAuction();
        _payKeeper(keeper, amountWad);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Takes of `token` stop at level 3 (global or the token's) and after settlement, as
    ///      withdrawals do. The ledger's copy of the breaker's levels decides (one slot, zero in
    ///      normal times), so a take does not call the breaker.
    function _requireTakeable(address token) internal view {
        if (_breakerWord != 0) _requireWithdrawable(token, _collateralInfo[token].index);
    }

    /// @dev Stores the ok quotes not cached yet under `key` (layout: `_quoteCacheSlot`).
    ///      Only ok quotes reach here: a failing price reverts `liquidationBegin` first.
    function _cacheQuotes(uint256 key, AssetQuote[] memory quotes) internal {
        for (uint256 i; i < quotes.length; ++i) {
            AssetQuote memory q = quotes[i];
            if (q.asset == address(0)) break; // unused tail (an asset both collateral and market)
            uint256 slot = _quoteCacheSlot(key, q.asset);
            IMarginModel.AssetRisk memory r = q.risk;
            uint256 flags = q.ok ? 3 : 1;
            uint256 priceWad = q.priceWad;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                if iszero(tload(slot)) {
                    tstore(slot, flags)
                    tstore(add(slot, 1), priceWad)
                    for {
                        let j := 0
                    } lt(j, 6) {
                        j := add(j, 1)
                    } {
                        tstore(add(slot, add(j, 2)), mload(add(r, mul(j, 0x20))))
                    }
                }
            }
        }
    }

    /// @dev An auction's end: `lotLeft` back to the account; `debtLeftWad` (already out of the
    ///      auction debt) charged back to the account while it holds collateral, else bad debt.
    function _settleEnd(
        uint256 auctionId,
        address account,
        address token,
        uint256 lotLeft,
        uint256 debtLeftWad
    ) internal {
        AccountSlot storage acct = _accounts[account];
        if (lotLeft > 0) {
            uint256 index = _collateralInfo[token].index;
            _setCollateralAt(account, index, _collateralAt(account, index) + lotLeft);
            totalCollateral[token] += lotLeft;
            acct.collateralMask |= uint16(1 << index);
        }
        uint256 chargedBackWad;
        uint256 badDebtWad;
        if (debtLeftWad > 0) {
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
}
