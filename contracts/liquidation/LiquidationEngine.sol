// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {ILiquidationLedger} from "../interfaces/ILiquidationLedger.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {LiquidationEngineParams} from "./LiquidationEngineParams.sol";

/// @title LiquidationEngine
/// @notice Decides who is liquidated, for how much, and under which caps; the Clearinghouse
///         moves the balances and the DutchAuction sells the collateral. See ILiquidationEngine.
contract LiquidationEngine is LiquidationEngineParams, ReentrancyGuardTransient {
    using WadMath for uint256;

    // ---------------------------------------------------------------- types

    /// @dev Working set of one liquidation (in memory to stay clear of the stack limit).
    struct Plan {
        address account;
        address keeper;
        bool whole;
        uint256 debtWad; // debt left on the account
        uint256 weightedWad; // maintenance-weighted collateral left on the account
        uint256 onePlusPenaltyWad;
        uint256 windowRoomWad; // debt the window still allows
        uint256 windowStart; // the window as of this block (rolled over in memory)
        uint256 windowUsedWad;
        uint256 maxTabInFlightWad;
        Memo memo;
    }

    /// @dev What a `liquidateBatch` call has read of a collateral asset at its first seizure in
    ///      the call (the breaker's level and velocity room, the auction's tab in flight), kept
    ///      for the call's later seizures, with the debt seized but not reported yet. Only the call
    ///      itself changes them meanwhile: the engine is the auction's only kicker and the
    ///      breaker's liquidation reporter, and nothing it calls takes, redoes or calls back; a
    ///      write-off, whose bad debt may raise the global level, reads the global level again.
    ///      The debt is reported at the first seizure beyond the room (where the breaker raises the
    ///      asset's level, as one report per seizure would, and the level it answers stops the
    ///      call's later seizures of the asset) and at the call's end.
    struct AssetMemo {
        address token; // zero: not read yet
        uint8 level; // max(global, asset)
        uint256 velocityRoomWad; // type(uint256).max: the breaker ignores reports for the asset
        uint256 unreportedWad;
        uint256 tabInFlightWad;
    }

    /// @dev A batch's reads, `assets` by the ledger's collateral index (see AssetMemo). Empty for a
    ///      single liquidation, which seizes each asset once: it reads and reports per seizure.
    struct Memo {
        AssetMemo[] assets;
        uint8 globalLevel;
        bool settled;
        uint256 totalTabInFlightWad; // the auction's total as last read, plus the call's kicks since
    }

    // ---------------------------------------------------------------- immutables

    ILiquidationLedger public immutable clearinghouse;
    IDutchAuction public immutable auction;
    ICircuitBreaker public immutable breaker;

    /// @dev The ledger's bound on collateral indexes (`CollateralQuote.index` < 16).
    uint256 internal constant MAX_COLLATERALS = 16;

    // ---------------------------------------------------------------- storage

    // The liquidation window's state is in the third slot of the parameters' `_cfg`.

    /// @dev Transient: `liquidateBatch` calls so far in this transaction; each call's quote-cache key
    ///      in the ledger (unique within the transaction, so no other call can see its quotes).
    uint256 internal transient _batchCalls;

    // ---------------------------------------------------------------- constructor

    constructor(
        ILiquidationLedger clearinghouse_,
        IDutchAuction auction_,
        ICircuitBreaker breaker_,
        address riskConfig_
    ) LiquidationEngineParams(riskConfig_) {
        if (address(clearinghouse_) == address(0) || address(auction_) == address(0) || address(breaker_) == address(0))
            revert LiquidationEngine__ZeroAddress();
        clearinghouse = clearinghouse_;
        auction = auction_;
        breaker = breaker_;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc ILiquidationEngine
    function liquidate(address account, address keeper) external nonReentrant returns (Result memory result) {
        _requireNotPaused();
        // no keeper reward to the account itself: a self-liquidation earns nothing (and the first
        // kick's reward would repay debt the plan's next seizure still asks for)
        if (keeper == account) keeper = address(0);
        ILiquidationLedger.LiquidationSnapshot memory snap = clearinghouse.liquidationBegin(
            account,
            _cfg.perpPenaltyWad,
            keeper,
            _cfg.perpKeeperShareWad,
            0 // no quote cache outside a batch
        );
        if (!snap.liquidatable) revert LiquidationEngine__NotLiquidatable(account, snap.healthFactorWad);
        Memo memory none;
        result = _liquidate(account, keeper, snap, true, none);
    }

    /// @inheritdoc ILiquidationEngine
    function liquidateBatch(
        address[] calldata accounts,
        address keeper
    ) external nonReentrant returns (uint256 liquidated) {
        if (accounts.length == 0) revert LiquidationEngine__EmptyBatch();
        Memo memory memo;
        (memo.globalLevel, memo.settled) = _requireNotPaused();
        memo.assets = new AssetMemo[](MAX_COLLATERALS);
        uint256 perpPenaltyWad = _cfg.perpPenaltyWad;
        uint256 perpKeeperShareWad = _cfg.perpKeeperShareWad;
        uint256 quoteCacheKey = _batchCalls + 1;
        _batchCalls = quoteCacheKey;
        for (uint256 i; i < accounts.length; ++i) {
            // the global level rose to 2 during the batch (a deficit it recorded): it stops here,
            // as a single liquidation would be refused
            if (memo.globalLevel >= 2) break;
            address account = accounts[i];
            // no keeper reward to the account itself (as `liquidate`)
            address k = keeper == account ? address(0) : keeper;
            // an account whose prices fail (or any other refusal) is skipped, not fatal
            try clearinghouse.liquidationBegin(account, perpPenaltyWad, k, perpKeeperShareWad, quoteCacheKey) returns (
                ILiquidationLedger.LiquidationSnapshot memory snap
            ) {
                // a deficit recorded since the batch read the global level may have raised it
                if (snap.globalLevel > memo.globalLevel) memo.globalLevel = snap.globalLevel;
                if (!snap.liquidatable) continue;
                Result memory r = _liquidate(account, k, snap, false, memo);
                ++liquidated;
                if (r.auctions == 0 && r.debtCoveredWad == 0 && r.writtenOffWad == 0 && _capsExhausted()) break;
            } catch {
                continue;
            }
        }
        _reportAll(memo);
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc ILiquidationEngine
    function window() external view returns (uint256 startedAt, uint256 usedWad) {
        Config storage c = _cfg;
        return _windowNow(c.windowStart, c.windowUsedWad, c.windowSeconds);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Steps 2 and 3 after the Clearinghouse closed the positions. `strict`: a cap that
    ///      leaves no room reverts (single liquidation) instead of doing nothing (batch).
    function _liquidate(
        address account,
        address keeper,
        ILiquidationLedger.LiquidationSnapshot memory snap,
        bool strict,
        Memo memory memo
    ) internal returns (Result memory r) {
        r.liquidated = true;
        r.healthFactorWad = snap.healthFactorWad;
        r.positionsClosed = snap.positionsClosed;

        ILiquidationLedger.CollateralQuote[] memory cols = snap.collaterals;
        if (snap.debtWad > 0 && cols.length == 0) {
            r.writtenOffWad = clearinghouse.writeOff(account); // reports the bad debt to the breaker
            // whose system check may have raised the global level
            if (memo.assets.length != 0) (memo.globalLevel, memo.settled) = breaker.globalStatus();
        } else if (snap.debtWad > 0) {
            Plan memory p = _plan(snap);
            (p.account, p.keeper, p.memo) = (account, keeper, memo);
            if (p.weightedWad < p.debtWad.mulWadUp(_cfg.targetHealthWad)) _seize(cols, p, strict, r);
        }
        emit Liquidated(
            account,
            keeper,
            r.healthFactorWad,
            r.positionsClosed,
            r.auctions,
            r.debtCoveredWad,
            r.writtenOffWad,
            r.whole
        );
    }

    function _plan(ILiquidationLedger.LiquidationSnapshot memory snap) internal view returns (Plan memory p) {
        Config memory c = _cfg;
        if (c.targetHealthWad == 0) revert LiquidationEngine__NotConfigured(TARGET_HEALTH_WAD);
        if (c.penaltyWad == 0) revert LiquidationEngine__NotConfigured(PENALTY_WAD);
        p.debtWad = snap.debtWad;
        p.onePlusPenaltyWad = WadMath.WAD + c.penaltyWad;
        for (uint256 i; i < snap.collaterals.length; ++i) {
            p.weightedWad += _valueWad(snap.collaterals[i]).mulWadDown(WadMath.WAD - snap.collaterals[i].haircutWad);
        }
        // the window rolls over lazily: in memory here, in storage when a seizure writes it
        (p.windowStart, p.windowUsedWad) = _windowNow(c.windowStart, c.windowUsedWad, c.windowSeconds);
        p.windowRoomWad = c.windowCapacityWad > p.windowUsedWad ? c.windowCapacityWad - p.windowUsedWad : 0;
        p.maxTabInFlightWad = c.maxTabInFlightWad;
    }

    /// @dev Chooses the debt each collateral answers for, then seizes and kicks.
    function _seize(
        ILiquidationLedger.CollateralQuote[] memory cols,
        Plan memory p,
        bool strict,
        Result memory r
    ) internal {
        uint256[] memory debts = _partialDebts(cols, p);
        if (debts.length == 0) {
            r.whole = true;
            debts = _wholeDebts(cols, p.debtWad);
            p.whole = true;
        }
        // A liquidation that a cap or a paused asset cuts short must not leave the account less
        // healthy: it seizes the most haircut collateral first and stops at the first asset it
        // cannot take in full. Each debt d seized from asset i removes (1 + penalty)(1 - h_i) d of
        // weighted collateral, so health cannot fall while the seized average of that factor stays
        // at or below the health. A whole plan keeps what stays at the account's best collateral;
        // a partial plan reaches the target only if its average is below the health, and any
        // prefix in this order averages no more than the whole plan (found by the invariant
        // campaign: in listing order, a capped partial plan could sell the low-haircut asset and
        // stop before the high-haircut one).
        uint256[] memory order = _mostHaircutFirst(cols);
        bytes32 lastCap;
        for (uint256 k; k < cols.length; ++k) {
            uint256 i = order[k];
            if (debts[i] == 0) continue;
            (bool full, bytes32 cap) = _seizeOne(cols[i], debts[i], p, strict, r);
            if (cap != bytes32(0)) lastCap = cap;
            if (!full) break;
        }
        if (r.debtCoveredWad > 0) {
            // within the capacity (the caps cut every seizure to the room left), so the cast is exact
            Config storage c = _cfg;
            (c.windowStart, c.windowUsedWad) = (uint32(p.windowStart), uint112(p.windowUsedWad + r.debtCoveredWad));
        }
        if (strict && r.auctions == 0 && r.positionsClosed == 0 && lastCap != bytes32(0)) {
            revert LiquidationEngine__CapReached(lastCap);
        }
    }

    /// @dev Partial plan: asset by asset, the debt that brings health to the target. Returns an
    ///      empty array when the target cannot be reached or the debt left would be dust.
    function _partialDebts(
        ILiquidationLedger.CollateralQuote[] memory cols,
        Plan memory p
    ) internal view returns (uint256[] memory debts) {
        uint256 targetWad = _cfg.targetHealthWad;
        uint256 debtLeftWad = p.debtWad;
        uint256 weightedLeftWad = p.weightedWad;
        if (debtLeftWad <= _cfg.dustDebtWad) return debts;
        debts = new uint256[](cols.length);
        for (uint256 i; i < cols.length; ++i) {
            // seizing debt d from this asset removes a x d of weighted collateral
            uint256 aWad = p.onePlusPenaltyWad.mulWadUp(WadMath.WAD - cols[i].haircutWad);
            uint256 maxDebtWad = _valueWad(cols[i]).divWadDown(p.onePlusPenaltyWad);
            uint256 shortWad = debtLeftWad.mulWadUp(targetWad);
            shortWad = shortWad > weightedLeftWad ? shortWad - weightedLeftWad : 0;
            if (shortWad == 0) return debts;
            uint256 dWad = targetWad > aWad ? shortWad.divWadUp(targetWad - aWad) : type(uint256).max;
            if (dWad < maxDebtWad && dWad < debtLeftWad) {
                debts[i] = dWad;
                if (debtLeftWad - dWad <= _cfg.dustDebtWad) return new uint256[](0);
                return debts;
            }
            // this asset alone cannot reach the target: all of it goes
            uint256 takeWad = maxDebtWad < debtLeftWad ? maxDebtWad : debtLeftWad;
            debts[i] = takeWad;
            debtLeftWad -= takeWad;
            uint256 removedWad = takeWad.mulWadDown(aWad);
            weightedLeftWad = removedWad < weightedLeftWad ? weightedLeftWad - removedWad : 0;
        }
        return new uint256[](0); // the target is out of reach: liquidate everything
    }

    /// @dev Whole plan: all collateral goes; the debt is split pro rata to the assets' values.
    function _wholeDebts(
        ILiquidationLedger.CollateralQuote[] memory cols,
        uint256 debtWad
    ) internal pure returns (uint256[] memory debts) {
        debts = new uint256[](cols.length);
        uint256 totalValueWad;
        for (uint256 i; i < cols.length; ++i) totalValueWad += _valueWad(cols[i]);
        uint256 assigned;
        for (uint256 i; i < cols.length; ++i) {
            debts[i] = i == cols.length - 1
                ? debtWad - assigned
                : (totalValueWad == 0 ? 0 : debtWad.mulDivDown(_valueWad(cols[i]), totalValueWad));
            assigned += debts[i];
        }
    }

    /// @dev One asset of the plan: skipped when its breaker level pauses it (a revert when
    ///      `strict`), cut by the caps, then seized and kicked. Returns whether the planned debt was
    ///      covered in full and the binding cap (0 if none).
    function _seizeOne(
        ILiquidationLedger.CollateralQuote memory q,
        uint256 plannedWad,
        Plan memory p,
        bool strict,
        Result memory r
    ) internal returns (bool full, bytes32 cap) {
        Memo memory memo = p.memo;
        uint8 level;
        bool isSettled;
        if (memo.assets.length == 0) {
            (level, isSettled) = breaker.statusOf(q.token);
        } else {
            AssetMemo memory a = memo.assets[q.index];
            if (a.token == address(0)) _read(memo, a, q.token);
            (level, isSettled) = (a.level > memo.globalLevel ? a.level : memo.globalLevel, memo.settled);
        }
        if (level >= 2 || isSettled) {
            if (strict) revert LiquidationEngine__Paused(q.token, isSettled ? type(uint8).max : level);
            return (false, bytes32(0));
        }
        uint256 coveredWad;
        (coveredWad, cap) = _capped(q, plannedWad, p);
        if (cap != bytes32(0)) {
            emit CapHit(p.account, q.token, cap, plannedWad, coveredWad);
            if (coveredWad == 0) return (false, cap);
        }
        _kick(q, coveredWad, plannedWad, p);
        r.auctions += 1;
        r.debtCoveredWad += coveredWad;
        return (coveredWad == plannedWad, cap);
    }

    /// @dev Indexes of `cols` by maintenance haircut, highest first (ties keep the listing order):
    ///      the order of every plan's seizures (see `_seize`).
    function _mostHaircutFirst(
        ILiquidationLedger.CollateralQuote[] memory cols
    ) internal pure returns (uint256[] memory order) {
        uint256 n = cols.length;
        order = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            uint256 j = i;
            while (j > 0 && cols[order[j - 1]].haircutWad < cols[i].haircutWad) {
                order[j] = order[j - 1];
                --j;
            }
            order[j] = i;
        }
    }

    /// @dev The part of `wantWad` the caps allow, and the name of the binding cap (0 if none).
    function _capped(
        ILiquidationLedger.CollateralQuote memory q,
        uint256 wantWad,
        Plan memory p
    ) internal view returns (uint256, bytes32) {
        uint256 d = wantWad;
        bytes32 cap;
        if (p.windowRoomWad < d) (d, cap) = (p.windowRoomWad, WINDOW_CAPACITY_WAD);
        // both tabs in flight in one call (the global one includes this liquidation's kicks so
        // far), or as the batch read them, with its kicks since
        (uint256 totalInFlight, uint256 inFlight) = p.memo.assets.length == 0
            ? auction.tabsInFlightWad(q.token)
            : (p.memo.totalTabInFlightWad, p.memo.assets[q.index].tabInFlightWad);
        uint256 globalCap = p.maxTabInFlightWad;
        uint256 globalDebtRoom = globalCap > totalInFlight
            ? (globalCap - totalInFlight).divWadDown(p.onePlusPenaltyWad)
            : 0;
        if (globalDebtRoom < d) (d, cap) = (globalDebtRoom, MAX_TAB_IN_FLIGHT_WAD);
        uint256 assetCap = _assetTabCapWad[q.token];
        uint256 assetDebtRoom = assetCap > inFlight ? (assetCap - inFlight).divWadDown(p.onePlusPenaltyWad) : 0;
        if (assetDebtRoom < d) (d, cap) = (assetDebtRoom, ASSET_TAB_CAP_WAD);
        return (d, cap);
    }

    /// @dev Seizes the lot for `debtWad` (of `plannedWad` planned) and starts its auction.
    function _kick(
        ILiquidationLedger.CollateralQuote memory q,
        uint256 debtWad,
        uint256 plannedWad,
        Plan memory p
    ) internal {
        uint256 tabWad = debtWad.mulWadUp(p.onePlusPenaltyWad);
        uint256 lot;
        if (p.whole) {
            // everything, or the capped share of it (rounded up: against the account)
            lot = debtWad == plannedWad ? q.amount : q.amount.mulDivUp(debtWad, plannedWad);
        } else {
            // worth the tab at the oracle price, rounded up
            lot = tabWad.mulDivUp(10 ** q.decimals, q.priceWad);
            if (lot > q.amount) lot = q.amount;
        }
        // the auction grants the kick reward only when it is below the penalty the account pays;
        // the ledger credits it in the seizure's call (kick first: nothing in it reads the ledger).
        // The start price comes from the ledger's ok quote of this transaction (no second read).
        (, uint256 rewardWad) = auction.kick(p.account, q.token, lot, tabWad, debtWad, p.keeper, q.priceWad);
        clearinghouse.seize(p.account, q.token, q.index, lot, debtWad, p.keeper, rewardWad);
        p.windowRoomWad -= debtWad;
        if (p.memo.assets.length == 0) {
            breaker.reportLiquidation(q.token, debtWad);
            return;
        }
        AssetMemo memory a = p.memo.assets[q.index];
        a.tabInFlightWad += tabWad;
        p.memo.totalTabInFlightWad += tabWad;
        a.unreportedWad += debtWad;
        // beyond the room the breaker raises the asset's level: report now, as a report per
        // seizure would have, so the batch's later seizures of the asset see the new level
        if (a.unreportedWad > a.velocityRoomWad) _report(a);
    }

    /// @dev The global level and settlement; reverts when they pause liquidations (2 or more).
    function _requireNotPaused() internal view returns (uint8 level, bool isSettled) {
        (level, isSettled) = breaker.globalStatus();
        if (isSettled) revert LiquidationEngine__Paused(address(0), type(uint8).max);
        if (level >= 2) revert LiquidationEngine__Paused(address(0), level);
    }

    /// @dev A batch's first seizure of `token`: its memo from the breaker and the auction.
    function _read(Memo memory memo, AssetMemo memory a, address token) internal view {
        a.token = token;
        bool isSettled;
        (a.level, isSettled, a.velocityRoomWad) = breaker.liquidationStatusOf(token);
        if (isSettled) memo.settled = true;
        (memo.totalTabInFlightWad, a.tabInFlightWad) = auction.tabsInFlightWad(token);
    }

    /// @dev Reports the asset's unreported debt; the breaker answers with the level after it.
    function _report(AssetMemo memory a) internal {
        a.level = breaker.reportLiquidation(a.token, a.unreportedWad);
        (a.velocityRoomWad, a.unreportedWad) = (0, 0);
    }

    /// @dev The batch's end: every asset's debt not reported yet (none when the breaker ignores it).
    function _reportAll(Memo memory memo) internal {
        for (uint256 i; i < memo.assets.length; ++i) {
            AssetMemo memory a = memo.assets[i];
            if (a.unreportedWad > 0 && a.velocityRoomWad != type(uint256).max) _report(a);
        }
    }

    function _capsExhausted() internal view returns (bool) {
        Config storage c = _cfg;
        (, uint256 used) = _windowNow(c.windowStart, c.windowUsedWad, c.windowSeconds);
        return used >= c.windowCapacityWad || auction.totalTabInFlightWad() >= c.maxTabInFlightWad;
    }

    /// @dev The window at this block: one that started `windowSeconds` ago or more has rolled over
    ///      (starts now, nothing used).
    function _windowNow(uint256 start, uint256 used, uint256 windowSeconds) internal view returns (uint256, uint256) {
        if (block.timestamp >= start + windowSeconds) return (block.timestamp, 0);
        return (start, used);
    }

    /// @dev Oracle value of a collateral balance, WAD, rounded down.
    function _valueWad(ILiquidationLedger.CollateralQuote memory q) internal pure returns (uint256) {
        return q.amount.mulDivDown(q.priceWad, 10 ** q.decimals);
    }
}
