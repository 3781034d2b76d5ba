// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IAuctionSink} from "../interfaces/IAuctionSink.sol";
import {IAuctionTaker} from "../interfaces/IAuctionTaker.sol";
import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {DutchAuctionParams} from "./DutchAuctionParams.sol";

/// @title DutchAuction
/// @notice Dutch auctions of seized collateral, after MakerDAO's Clipper (Liquidations 2.0).
///         See IDutchAuction for the rules and the keeper-incentive argument.
/// @dev The sink (the Clearinghouse) keeps custody of the collateral of running auctions and sends
///      each slice to its taker; it burns the payment straight from the taker, spending the
///      allowance the taker gave this contract (the auction never holds stablecoin).
///      `kick`, `take` and `redo` share one transient reentrancy lock, so a taker callback can
///      neither take again nor redo.
contract DutchAuction is DutchAuctionParams, ReentrancyGuardTransient {
    using SafeCast for uint256;
    using WadMath for uint256;

    // ---------------------------------------------------------------- types

    /// @dev One auction record, three slots. A record is recycled after its auction ends: slot 0
    ///      then holds `account == 0`, the next free record in `startTime` and its last kick number
    ///      (never zero, so the slot stays non-zero and the next kick writes it for 2,900 gas, as the
    ///      two other slots, left as they were).
    struct Record {
        // slot 0
        address account;
        uint40 startTime;
        uint8 tokenId;
        uint40 seq;
        // slot 1
        uint128 lot;
        uint128 startPriceWad;
        // slot 2
        uint128 tabWad;
        uint128 debtWad;
    }

    /// @dev One hot slot, non-zero after the first kick: the kick count, the head of the list of
    ///      free records (0: none) and the sum of the tabs in flight.
    struct Totals {
        uint40 kicks;
        uint40 freeHead;
        uint176 tabInFlightWad;
    }

    /// @dev The outcome of one take (prices WAD, amounts in token decimals).
    struct Fill {
        uint256 priceWad;
        uint256 slice;
        uint256 oweWad;
        uint256 debtCoveredWad;
        uint256 tabLeftWad;
        uint256 lotLeft;
        uint256 debtLeftWad;
    }

    // ---------------------------------------------------------------- immutables

    IOracleRouter public immutable oracle;
    IERC20 public immutable stablecoin;
    /// @inheritdoc IDutchAuction
    IAuctionSink public immutable sink;
    /// @inheritdoc IDutchAuction
    ICircuitBreaker public immutable breaker;
    /// @inheritdoc IDutchAuction
    address public immutable kicker;

    // ---------------------------------------------------------------- storage

    Totals internal _totals;

    mapping(uint256 slot => Record) internal _records;

    // ---------------------------------------------------------------- constructor

    /// @param oracle_ The OracleRouter (starting prices).
    /// @param stablecoin_ The stablecoin takers pay in.
    /// @param sink_ The settlement sink (the Clearinghouse, deployed before the auction).
    /// @param breaker_ The circuit breaker (address(0): none; deployed before the auction).
    /// @param kicker_ The liquidation engine (deployed after the auction, at a predicted address).
    /// @param riskConfig_ The only address that may set parameters.
    /// @param governance_ Sets curves.
    constructor(
        IOracleRouter oracle_,
        IERC20 stablecoin_,
        IAuctionSink sink_,
        ICircuitBreaker breaker_,
        address kicker_,
        address riskConfig_,
        address governance_
    ) DutchAuctionParams(riskConfig_, governance_) {
        if (
            address(oracle_) == address(0) ||
            address(stablecoin_) == address(0) ||
            address(sink_) == address(0) ||
            kicker_ == address(0)
        ) {
            revert DutchAuction__ZeroAddress();
        }
        oracle = oracle_;
        stablecoin = stablecoin_;
        sink = sink_;
        breaker = breaker_;
        kicker = kicker_;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IDutchAuction
    function kick(
        address account,
        address token,
        uint256 lot,
        uint256 tabWad,
        uint256 debtWad,
        address keeper,
        uint256 oraclePriceWad
    ) external nonReentrant returns (uint256 id, uint256 rewardWad) {
        if (msg.sender != kicker) revert DutchAuction__NotKicker(msg.sender);
        if (account == address(0)) revert DutchAuction__ZeroAddress();
        if (lot == 0 || tabWad == 0) revert DutchAuction__ZeroAmount();
        if (debtWad > tabWad) revert DutchAuction__DebtAboveTab(debtWad, tabWad);
        AssetConfig storage cfg = _config[token];
        if (address(cfg.curve) == address(0) || cfg.bufWad == 0 || cfg.tailSeconds == 0 || cfg.cuspWad == 0)
            revert DutchAuction__AssetNotConfigured(token);
        // the breaker's level 2: the kicker (the engine, an immutable) refuses to seize the asset
        // first (LiquidationEngine__Paused), from the same breaker read in the same transaction
        // the kicker's read of the oracle in this transaction (the engine: the ledger's quote)
        if (oraclePriceWad == 0) revert DutchAuction__OracleNotOk(token);
        uint256 startPriceWad = oraclePriceWad.mulWadUp(cfg.bufWad);

        id = _open(account, cfg.tokenId, lot, startPriceWad, tabWad, debtWad);
        cfg.tabInFlightWad = (uint256(cfg.tabInFlightWad) + tabWad).toUint184();

        // the reward is paid only below the penalty the account pays, and only when the lot is worth
        // the tab at the oracle price (so that penalty is really collected): otherwise an
        // insolvent account could liquidate itself for the reward (no self-liquidation profit)
        rewardWad = keeper == address(0) ? 0 : _reward(cfg, tabWad);
        if (rewardWad >= tabWad - debtWad || lot.mulDivDown(oraclePriceWad, 10 ** cfg.decimals) < tabWad) {
            rewardWad = 0;
        }
        emit Kick(id, account, token, lot, tabWad, debtWad, startPriceWad, keeper, rewardWad);
        // the kicker credits the reward (the engine in the same ledger call as the seizure)
    }

    /// @inheritdoc IDutchAuction
    function take(
        uint256 id,
        uint256 maxAmount,
        uint256 maxPriceWad,
        address receiver,
        bytes calldata data
    ) external nonReentrant returns (uint256 slice, uint256 oweWad) {
        (Auction memory a, uint256 slot) = _running(id);
        if (maxAmount == 0) revert DutchAuction__ZeroAmount();
        // the breaker's level 3 and settlement: the sink refuses the take (it holds the levels)
        IAuctionSink sink_ = sink;
        if (receiver == address(0) || receiver == address(this) || receiver == address(sink_)) {
            revert DutchAuction__InvalidReceiver(receiver);
        }
        Fill memory f = _quote(id, a, maxAmount, maxPriceWad);
        bool ends = f.tabLeftWad == 0 || f.lotLeft == 0;
        _book(slot, a, f, ends);
        emit Take(id, msg.sender, receiver, f.priceWad, f.oweWad, f.slice, f.debtCoveredWad, f.tabLeftWad, f.lotLeft);

        // interactions: collateral first, then the callback, then payment. Without a callback the
        // sink does all three steps in one call (saves two calls into the Clearinghouse).
        bool sent = data.length > 0;
        if (sent) {
            if (f.slice > 0) sink_.sendCollateral(a.token, receiver, f.slice);
            IAuctionTaker(receiver).onAuctionTake(msg.sender, f.oweWad, f.slice, data);
        }
        _settle(sink_, id, a, f, receiver, sent, ends);
        return (f.slice, f.oweWad);
    }

    /// @inheritdoc IDutchAuction
    function redo(uint256 id, address keeper) external nonReentrant returns (uint256 rewardWad) {
        (Auction memory a, uint256 slot) = _running(id);
        AssetConfig storage cfg = _config[a.token];
        (bool needsRedo, ) = _status(a, cfg);
        if (!needsRedo) revert DutchAuction__NoRedoNeeded(id);
        _requireBelowLevel2(a.token);
        (uint256 startPriceWad, uint256 oraclePriceWad) = _startPrice(a.token, cfg.bufWad);

        _restart(slot, startPriceWad);

        uint256 dustWad = cfg.dustWad;
        if (
            keeper != address(0) &&
            dustWad > 0 &&
            a.tabWad >= dustWad &&
            uint256(a.lot).mulDivDown(oraclePriceWad, 10 ** cfg.decimals) >= dustWad
        ) rewardWad = _reward(cfg, a.tabWad);
        emit Redo(id, a.account, a.token, a.lot, a.tabWad, startPriceWad, keeper, rewardWad);

        if (rewardWad > 0) sink.payKeeper(keeper, rewardWad);
    }

    /// @inheritdoc IDutchAuction
    function yank(
        uint256 id
    ) external nonReentrant returns (address account, address token, uint256 lot, uint256 debtWad) {
        if (msg.sender != address(sink)) revert DutchAuction__NotSink(msg.sender);
        (Auction memory a, uint256 slot) = _running(id);
        Fill memory none;
        _book(slot, a, none, true); // the whole tab leaves flight, the record is recycled
        emit Yank(id, a.account, a.token, a.lot, a.debtWad);
        return (a.account, a.token, a.lot, a.debtWad);
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IDutchAuction
    function getStatus(
        uint256 id
    ) external view returns (bool needsRedo, uint256 priceWad, uint256 lot, uint256 tabWad) {
        (Auction memory a, ) = _load(id);
        if (a.account == address(0)) return (false, 0, 0, 0);
        (needsRedo, priceWad) = _status(a, _config[a.token]);
        return (needsRedo, priceWad, a.lot, a.tabWad);
    }

    /// @inheritdoc IDutchAuction
    function keeperReward(address token, uint256 tabWad) external view returns (uint256) {
        return _reward(_config[token], tabWad);
    }

    /// @inheritdoc IDutchAuction
    function auctions(uint256 id) external view returns (Auction memory a) {
        (a, ) = _load(id);
    }

    /// @inheritdoc IDutchAuction
    function kicks() external view returns (uint256) {
        return _totals.kicks;
    }

    /// @inheritdoc IDutchAuction
    function totalTabInFlightWad() external view returns (uint256) {
        return _totals.tabInFlightWad;
    }

    /// @inheritdoc IDutchAuction
    function tabsInFlightWad(address token) external view returns (uint256 totalWad, uint256 tokenWad) {
        return (_totals.tabInFlightWad, _config[token].tabInFlightWad);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Prices a take. Maker's arithmetic: buys `min(lot, maxAmount)` at the current price,
    ///      paying the value rounded up; if that exceeds the tab, pays exactly the tab for the
    ///      collateral it buys, rounded down; if it would leave a tab below dust with collateral
    ///      left, it is cut to leave exactly dust (and refused when the tab is not above dust).
    ///      The debt covered is pro rata, rounded down (so debt left <= tab left always), and the
    ///      payment that clears the tab covers all remaining debt.
    function _quote(
        uint256 id,
        Auction memory a,
        uint256 maxAmount,
        uint256 maxPriceWad
    ) internal view returns (Fill memory f) {
        AssetConfig storage cfg = _config[a.token];
        bool needsRedo;
        (needsRedo, f.priceWad) = _status(a, cfg);
        if (needsRedo) revert DutchAuction__NeedsRedo(id);
        if (f.priceWad > maxPriceWad) revert DutchAuction__PriceAboveMax(f.priceWad, maxPriceWad);

        uint256 unit = 10 ** cfg.decimals;
        uint256 slice = a.lot < maxAmount ? a.lot : maxAmount;
        uint256 oweWad = slice.mulDivUp(f.priceWad, unit);
        if (oweWad > a.tabWad) {
            oweWad = a.tabWad;
            slice = oweWad.mulDivDown(unit, f.priceWad);
        } else if (oweWad < a.tabWad && slice < a.lot) {
            uint256 dustWad = cfg.dustWad;
            if (a.tabWad - oweWad < dustWad) {
                if (a.tabWad <= dustWad) revert DutchAuction__NoPartialPurchase(a.tabWad, dustWad);
                oweWad = a.tabWad - dustWad;
                slice = oweWad.mulDivDown(unit, f.priceWad);
            }
        }
        f.slice = slice;
        f.oweWad = oweWad;
        f.tabLeftWad = a.tabWad - oweWad;
        f.lotLeft = a.lot - slice;
        f.debtCoveredWad = f.tabLeftWad == 0 ? a.debtWad : oweWad.mulDivDown(a.debtWad, a.tabWad);
        f.debtLeftWad = a.debtWad - f.debtCoveredWad;
    }

    /// @dev Writes a take's effects: the tab in flight, and the auction updated or closed.
    function _book(uint256 slot, Auction memory a, Fill memory f, bool ends) internal {
        uint256 outOfFlightWad = ends ? a.tabWad : f.oweWad;
        AssetConfig storage cfg = _config[a.token];
        cfg.tabInFlightWad -= uint184(outOfFlightWad);
        Totals memory t = _totals;
        t.tabInFlightWad -= uint176(outOfFlightWad);
        Record storage r = _records[slot];
        if (ends) {
            // recycled: slot 0 keeps its kick number, the two others keep their stale values
            (r.account, r.startTime) = (address(0), t.freeHead);
            t.freeHead = uint40(slot);
        } else {
            (r.lot, r.tabWad, r.debtWad) = (uint128(f.lotLeft), uint128(f.tabLeftWad), uint128(f.debtLeftWad));
        }
        _totals = t;
    }

    /// @dev The take's settlement through the sink (the collateral too, unless already `sent`),
    ///      and the end when it `ends`.
    function _settle(
        IAuctionSink sink_,
        uint256 id,
        Auction memory a,
        Fill memory f,
        address receiver,
        bool sent,
        bool ends
    ) internal {
        sink_.onAuctionTake(
            IAuctionSink.TakeSettlement({
                auctionId: id,
                account: a.account,
                token: a.token,
                payer: msg.sender,
                receiver: receiver,
                slice: sent ? 0 : f.slice,
                paidWad: f.oweWad,
                debtCoveredWad: f.debtCoveredWad,
                ends: ends,
                lotLeft: f.lotLeft,
                debtLeftWad: f.debtLeftWad
            })
        );
        if (ends) emit AuctionEnded(id, a.account, a.token, f.lotLeft, f.debtLeftWad);
    }

    /// @dev A redo's record update: the start time and price.
    function _restart(uint256 slot, uint256 startPriceWad) internal {
        Record storage r = _records[slot];
        r.startTime = uint40(block.timestamp);
        r.startPriceWad = startPriceWad.toUint128();
    }

    /// @dev Writes a new auction into a free record (or a fresh one) and counts it in flight.
    function _open(
        address account,
        uint8 tokenId,
        uint256 lot,
        uint256 startPriceWad,
        uint256 tabWad,
        uint256 debtWad
    ) internal returns (uint256 id) {
        Totals memory t = _totals;
        uint256 seq = uint256(t.kicks) + 1;
        uint256 slot = t.freeHead;
        if (slot == 0) {
            (slot, id) = (seq, seq); // fresh storage
        } else {
            id = seq | (slot << 64);
            t.freeHead = _records[slot].startTime; // the next free record
        }
        t.kicks = seq.toUint40();
        t.tabInFlightWad = (uint256(t.tabInFlightWad) + tabWad).toUint176();
        _totals = t;
        _records[slot] = Record({
            account: account,
            startTime: uint40(block.timestamp),
            tokenId: tokenId,
            seq: uint40(seq),
            lot: lot.toUint128(),
            startPriceWad: startPriceWad.toUint128(),
            tabWad: tabWad.toUint128(),
            debtWad: debtWad.toUint128()
        });
    }

    /// @dev The running auction `id` and its record slot; reverts when it is not running.
    function _running(uint256 id) internal view returns (Auction memory a, uint256 slot) {
        (a, slot) = _load(id);
        if (a.account == address(0)) revert DutchAuction__NotRunning(id);
    }

    /// @dev Decodes `id` (kick number in the low 64 bits, the record slot above them, 0 when the
    ///      slot is the kick number) and loads its auction; all zero unless it is running.
    function _load(uint256 id) internal view returns (Auction memory a, uint256 slot) {
        uint256 seq = uint64(id);
        slot = id >> 64;
        if (slot == 0) slot = seq;
        else if (slot == seq) return (a, 0); // the canonical id of this auction has no high bits
        Record storage r = _records[slot];
        (address account, uint256 startTime, uint256 tokenId, uint256 recordSeq) = (
            r.account,
            r.startTime,
            r.tokenId,
            r.seq
        );
        if (account == address(0) || recordSeq != seq) return (a, 0);
        a.account = account;
        a.startTime = uint64(startTime);
        a.token = _tokenById[tokenId];
        (a.lot, a.startPriceWad) = (r.lot, r.startPriceWad);
        (a.tabWad, a.debtWad) = (r.tabWad, r.debtWad);
    }

    /// @dev Current price and whether the auction must be redone (older than tail, or its price
    ///      fell below cusp x start).
    function _status(
        Auction memory a,
        AssetConfig storage cfg
    ) internal view returns (bool needsRedo, uint256 priceWad) {
        uint256 elapsed = block.timestamp - a.startTime;
        priceWad = cfg.curve.price(a.startPriceWad, elapsed);
        needsRedo = elapsed > cfg.tailSeconds || priceWad.divWadDown(a.startPriceWad) < cfg.cuspWad;
    }

    /// @dev Oracle x buf (rounded up: a higher start favours the protocol); reverts when the
    ///      oracle is not ok or reads zero.
    function _startPrice(
        address token,
        uint256 bufWad
    ) internal view returns (uint256 startPriceWad, uint256 oraclePriceWad) {
        bool ok;
        (oraclePriceWad, ok) = oracle.getPrice(token);
        if (!ok || oraclePriceWad == 0) revert DutchAuction__OracleNotOk(token);
        startPriceWad = oraclePriceWad.mulWadUp(bufWad);
    }

    /// @dev Reverts unless the breaker's level for `token` is below 2 (and not settled): a redo's
    ///      rule (a kick's is its kicker's, a take's the sink's).
    function _requireBelowLevel2(address token) internal view {
        ICircuitBreaker b = breaker;
        if (address(b) == address(0)) return;
        (uint8 level, bool isSettled) = b.statusOf(token);
        if (isSettled) revert DutchAuction__BreakerLevel(token, type(uint8).max);
        if (level >= 2) revert DutchAuction__BreakerLevel(token, level);
    }

    /// @dev Keeper reward: tip + chip x tab (rounded down: a payout).
    function _reward(AssetConfig storage cfg, uint256 tabWad) internal view returns (uint256) {
        return uint256(cfg.tipWad) + tabWad.mulWadDown(cfg.chipWad);
    }
}
