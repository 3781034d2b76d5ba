// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IAuctionSink} from "../interfaces/IAuctionSink.sol";
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
        AccountSlot memory acct = _accounts[account];
        (
            Health memory h,
            address failingAsset,
            CollateralQuote[] memory cols,
            AssetQuote[] memory quotes
        ) = _collateralQuotes(account, acct, indexRay);
        if (!h.pricesOk) revert Clearinghouse__OracleUnhealthy(failingAsset);
        if (quoteCacheKey != 0) {
            _cacheQuotes(quoteCacheKey, quotes);
            _quoteCacheKey = 0;
        }
        snap.healthFactorWad = h.healthFactorWad;
        if (h.healthFactorWad >= WadMath.WAD) return snap;
        // nothing to seize, close or write off while its auctions run: their ends decide (ADR 0014)
        if (acct.collateralMask == 0 && acct.marketMask == 0 && acct.auctions != 0) return snap;
        snap.liquidatable = true;

        uint256 penaltiesWad;
        (penaltiesWad, snap.positionsClosed) = _closePositions(account, perpPenaltyWad);
        if (penaltiesWad > 0)
            penaltiesWad -= _waiveUnpayablePenalty(account, h.weightedCollateralWad, penaltiesWad, indexRay);
        if (keeper != address(0) && penaltiesWad > 0) _payKeeper(keeper, penaltiesWad.mulWadDown(keeperShareWad));

        acct = _accounts[account];
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
        acct.normalizedDebt -= uint104(removed);
        _totalNormalizedDebt -= uint128(removed);
        ++acct.auctions; // the auction the engine kicks next
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
        // not before its auctions end: a surplus lot returns to the account and pays its debt
        if (acct.auctions != 0) return 0;
        badDebtWad = _removeDebt(account);
        _coverBadDebt(account, badDebtWad);
    }

    /// @dev Takes a finished account's whole debt off its books (at the accrued index, rounded
    ///      up) for the waterfall: `writeOff`, and the account's last auction's end.
    function _removeDebt(address account) internal returns (uint256 debtWad) {
        AccountSlot storage acct = _accounts[account];
        uint256 normalized = acct.normalizedDebt;
        if (normalized == 0) return 0;
        debtWad = normalized.mulRayUp(_accrueFee());
        _totalNormalizedDebt -= uint128(normalized);
        acct.normalizedDebt = 0;
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
        _settleEnd(s, incomeWad);
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

    /// @dev An auction's end (its debt covered and left already out of the auction debt): the lot
    ///      left back to the account, the payment's penalty part to the vault. The debt left is
    ///      charged back to the account while it holds collateral or another of its auctions runs
    ///      (whose surplus lot returns to it); on a finished account the payment covers it before
    ///      penalty (ADR 0011), then the account's credit, and the rest is bad debt (ADR 0014).
    function _settleEnd(TakeSettlement calldata s, uint256 incomeWad) internal {
        AccountSlot storage acct = _accounts[s.account];
        uint256 auctionsLeft = acct.auctions - 1;
        acct.auctions = uint16(auctionsLeft);
        if (s.lotLeft > 0) {
            uint256 index = _collateralInfo[s.token].index;
            _setCollateralAt(s.account, index, _collateralAt(s.account, index) + s.lotLeft);
            totalCollateral[s.token] += s.lotLeft;
            acct.collateralMask |= uint16(1 << index);
        }
        // no collateral, no position (whose profit backs debt) and no other auction running
        bool finished = acct.collateralMask == 0 && acct.marketMask == 0 && auctionsLeft == 0;
        uint256 debtLeftWad = s.debtLeftWad;
        if (finished) {
            // only here: on an account that keeps collateral the debt left is charged back, and
            // a debt-first split there would let an owner buy back his lot without the penalty
            uint256 usedWad = incomeWad < debtLeftWad ? incomeWad : debtLeftWad;
            incomeWad -= usedWad;
            debtLeftWad -= usedWad;
        }
        _vaultCreditWad = (uint256(_vaultCreditWad) + incomeWad).toUint128();
        uint256 chargedBackWad;
        uint256 badDebtWad;
        if (!finished) {
            if (debtLeftWad > 0) {
                chargedBackWad = debtLeftWad;
                _debit(s.account, debtLeftWad, _accrueFee());
            }
        } else {
            // what the finished account still owes itself (a shortfall charged back while another
            // of its auctions ran, a seizure's rounding) joins the debt left; its credit pays
            // first, the rest is bad debt: no debt stays without collateral once its last auction
            // ends (I8)
            debtLeftWad += _removeDebt(s.account);
            uint256 creditWad = acct.creditWad;
            chargedBackWad = debtLeftWad < creditWad ? debtLeftWad : creditWad;
            acct.creditWad = uint104(creditWad - chargedBackWad);
            badDebtWad = debtLeftWad - chargedBackWad;
            _coverBadDebt(s.account, badDebtWad);
        }
        emit AuctionSettled(s.auctionId, s.account, s.token, s.lotLeft, chargedBackWad, badDebtWad);
    }
}
