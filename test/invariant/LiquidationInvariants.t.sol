// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {IClearinghouseBase} from "../../contracts/interfaces/IClearinghouseBase.sol";
import {IDutchAuction} from "../../contracts/interfaces/IDutchAuction.sol";
import {ILiquidationEngine} from "../../contracts/interfaces/ILiquidationEngine.sol";
import {DutchAuction} from "../../contracts/liquidation/DutchAuction.sol";
import {LiquidationEngine} from "../../contracts/liquidation/LiquidationEngine.sol";
import {MockAuctionTaker} from "../../contracts/mocks/MockAuctionTaker.sol";
import {CircuitBreaker} from "../../contracts/risk/CircuitBreaker.sol";

import {EnvironmentHandler, ProtocolHandler} from "./LedgerInvariants.t.sol";
import {LedgerSystem} from "./LedgerSystem.sol";
import {LiquidationSystem} from "./LiquidationSystem.sol";
import {IVm, VM, boundU} from "./Vm.sol";

/// @notice Counters and violation flags shared by the liquidation suite's handlers.
abstract contract CountedHandler {
    string[] internal _names;
    mapping(string name => uint256) public calls;
    mapping(string name => uint256) public reverts;

    /// @notice Violations observed inside a call, by invariant id (7, 8, 11, 12).
    mapping(uint256 id => uint256) public violations;
    string public lastViolation;

    /// @notice "name=calls/reverted " for every action, for the call log.
    function countedSummary() external view virtual returns (string memory out) {
        for (uint256 i; i < _names.length; ++i) {
            string memory n = _names[i];
            out = string.concat(out, n, "=", Strings.toString(calls[n]), "/", Strings.toString(reverts[n]), " ");
        }
    }

    function _count(string memory name, bool ok) internal {
        calls[name] += 1;
        if (!ok) reverts[name] += 1;
    }

    function _violation(uint256 id, string memory what, bytes memory reason) internal {
        violations[id] += 1;
        bytes4 sel = reason.length >= 4 ? bytes4(reason) : bytes4(0);
        lastViolation = string.concat(
            "I",
            Strings.toString(id),
            ": ",
            what,
            " (error ",
            Strings.toHexString(uint256(uint32(sel)), 4),
            ")"
        );
    }
}

/// @notice The ledger's protocol handler (deposit, withdraw, borrow, repay, positions, vault,
///         round trips; I6, I10, I11 inside each call), reused as is on the liquidation system.
///         Declared here so that the fuzzer knows it as a target.
contract LiqProtocolHandler is ProtocolHandler {
    constructor(LedgerSystem sys_) ProtocolHandler(sys_) {}
}

/// @notice Liquidators: liquidate, liquidateBatch, take (full or partial, paid directly or through
///         a flash-take callback), redo, and a borrower's full exit. Open auctions are followed from
///         the `Kick` and `AuctionEnded` events (there is no on-chain list); the ghosts add up what
///         left the protocol (slices, exits), the stablecoin burned by takes and the bad-debt
///         waterfall. Checked inside each call: I7 (liquidation only below health 1, healthier or
///         closed after, keeper reward <= value seized and below the penalty), I8 (each bad debt is
///         vault cover + deficit), I11 (full repay then full withdraw below level 3), I12 (an open
///         auction can be taken, or redone when it needs it, unless the breaker forbids it).
contract LiquidatorHandler is CountedHandler {
    uint256 internal constant WAD = 1e18;
    /// @notice Debt up to this (wei) left by a whole liquidation is rounding remainder (I7, I8).
    uint256 internal constant DUST_DEBT_WEI = 1_000;
    /// @notice Health may drop by this much through the seizure's rounding (against the account).
    uint256 internal constant HEALTH_TOLERANCE_WAD = 1e12;

    LiquidationSystem public immutable sys;
    Clearinghouse internal immutable _ch;
    LiquidationEngine internal immutable _engine;
    DutchAuction internal immutable _auction;
    CircuitBreaker internal immutable _breaker;
    MockAuctionTaker internal immutable _taker;
    IERC20 internal immutable _stable;
    address internal immutable _weth;
    address internal immutable _wbtc;
    address internal immutable _keeper;
    address internal immutable _bidder;

    // ---------------------------------------------------------------- open auctions

    uint256[] internal _open;
    /// @dev Position in `_open` plus one (0: not open).
    mapping(uint256 id => uint256) internal _openIndex;

    // ---------------------------------------------------------------- ghosts

    /// @notice Collateral deposited and stablecoin minted by `leverUp`.
    mapping(address token => uint256) public ghostCollateralIn;
    uint256 public ghostMinted;
    /// @notice Collateral that left the Clearinghouse through this handler (slices, exits).
    mapping(address token => uint256) public ghostCollateralOut;
    /// @notice Stablecoin burned by takes and exit repayments.
    uint256 public ghostBurned;
    /// @notice Bad debt as the engine and the auction reported it (write-offs, AuctionSettled).
    uint256 public ghostBadDebt;
    /// @notice The waterfall (BadDebtCovered): from the vault's credit and into the deficit.
    uint256 public ghostBadDebtFromVault;
    uint256 public ghostBadDebtToDeficit;
    /// @notice Keeper rewards credited (KeeperPaid) and the value they were earned on.
    uint256 public ghostKeeperPaid;
    uint256 public ghostAuctionsKicked;
    uint256 public ghostAuctionsEnded;
    /// @notice Operations that may leave rounding dust in the protocol's favour (I1 bound).
    uint256 public ghostRoundingOps;
    /// @notice Known finding: a whole liquidation over several collaterals can leave a few wei of
    ///         debt (the normalized-debt rounding of the split) on an account without collateral.
    uint256 public findingDustDebtAfterWhole;

    /// @dev Per call: what the recorded logs said.
    struct Seen {
        uint256 keeperPaid;
        uint256 seizedValueWad;
        uint256 perpPenaltyWad;
        uint256 deficitRecorded;
        uint256 liquidatedCount;
        uint256 capHits;
    }

    constructor(LiquidationSystem sys_) {
        sys = sys_;
        _ch = sys_.ch();
        _engine = sys_.engine();
        _auction = sys_.auction();
        _breaker = sys_.breaker();
        _taker = sys_.taker();
        _stable = IERC20(address(sys_.stablecoin()));
        _weth = address(sys_.weth());
        _wbtc = address(sys_.wbtc());
        _keeper = sys_.KEEPER();
        _bidder = sys_.BIDDER();
        string[10] memory names = [
            "leverUp",
            "liquidate",
            "liquidateBatch",
            "takeFull",
            "takePartial",
            "takeCallbackFull",
            "takeCallbackPartial",
            "redo",
            "exitAll",
            "exitAllAuctionsRunning"
        ];
        for (uint256 i; i < names.length; ++i) _names.push(names[i]);
    }

    // ---------------------------------------------------------------- actions

    /// @notice A borrower goes to its limit: deposits, then borrows 90% to 100% of what its initial
    ///         requirement allows (what makes the next price move liquidate it).
    function leverUp(uint256 actorSeed, uint256 tokenSeed, uint256 amountSeed, uint256 bps) external {
        address a = sys.actor(actorSeed);
        address token = tokenSeed % 2 == 0 ? _weth : _wbtc;
        uint256 wallet = IERC20(token).balanceOf(a);
        uint256 room = _ch.getParam("DEPOSIT_CAP", token) - _ch.totalCollateral(token);
        uint256 amount = boundU(amountSeed, 0, wallet < room ? wallet : room);
        if (amount > 0) {
            VM.prank(a);
            try _ch.deposit(a, token, amount) {
                ghostCollateralIn[token] += amount;
            } catch (bytes memory reason) {
                _violation(11, "deposit reverted within cap and wallet", reason);
            }
        }
        IClearinghouse.Health memory h = _ch.health(a, true);
        if (h.equityWad <= int256(h.requirementWad)) return;
        uint256 borrowWad = ((uint256(h.equityWad) - h.requirementWad) * boundU(bps, 9_000, 10_000)) / 10_000;
        if (borrowWad == 0) return;
        VM.prank(a);
        try _ch.borrow(a, borrowWad, a) {
            ghostMinted += borrowWad;
            ghostRoundingOps += 2;
            _count("leverUp", true);
        } catch {
            _count("leverUp", false);
        }
    }

    /// @notice One account, by a keeper, by itself (self-liquidation) or with no keeper.
    function liquidate(uint256 accountSeed, uint256 keeperSeed) external {
        address account = accountSeed % 2 == 0 ? _riskiest() : sys.actor(accountSeed >> 1);
        address keeper = _pickKeeper(keeperSeed, account);
        IClearinghouse.Health memory before = _ch.health(account, false);
        VM.recordLogs();
        try _engine.liquidate(account, keeper) returns (ILiquidationEngine.Result memory r) {
            _count("liquidate", true);
            Seen memory seen = _digest(VM.getRecordedLogs());
            if (!before.pricesOk || before.healthFactorWad >= WAD || r.healthFactorWad >= WAD) {
                _violation(7, "liquidate succeeded at health >= 1", "");
            }
            _checkAfterLiquidation(account, before.healthFactorWad, r);
            _checkKeeperReward(seen);
        } catch (bytes memory reason) {
            _count("liquidate", false);
            VM.getRecordedLogs();
            // a liquidation refused as "healthy" must agree with the health view, but for an
            // account holding nothing but running auctions (ADR 0014: their ends decide)
            bool onlyAuctions = before.weightedCollateralWad == 0 &&
                before.requirementWad == 0 &&
                _ch.auctionsOf(account) != 0;
            if (
                bytes4(reason) == ILiquidationEngine.LiquidationEngine__NotLiquidatable.selector &&
                before.pricesOk &&
                before.healthFactorWad < WAD &&
                !onlyAuctions
            ) _violation(7, "liquidate refused an account below health 1", reason);
        }
    }

    /// @notice One to five accounts (repeats allowed: the second visit finds the first's result).
    function liquidateBatch(uint256 seeds, uint256 keeperSeed) external {
        uint256 n = 1 + (seeds % 5);
        address[] memory batch = new address[](n);
        uint256[] memory hf = new uint256[](n);
        // half the batches are a keeper's sweep of every actor, in order
        bool sweep = (seeds >> 4) % 2 == 0;
        for (uint256 i; i < n; ++i) {
            batch[i] = sweep ? sys.actor(i) : sys.actor(seeds >> (8 + 8 * i));
            IClearinghouse.Health memory h = _ch.health(batch[i], false);
            hf[i] = h.pricesOk ? h.healthFactorWad : type(uint256).max;
        }
        address keeper = _pickKeeper(keeperSeed, batch[0]);
        VM.recordLogs();
        try _engine.liquidateBatch(batch, keeper) returns (uint256 liquidated) {
            _count("liquidateBatch", true);
            IVm.Log[] memory logs = VM.getRecordedLogs();
            // every account the batch liquidated was below 1 when the batch started
            for (uint256 k; k < logs.length; ++k) {
                if (logs[k].topics.length == 0 || logs[k].topics[0] != ILiquidationEngine.Liquidated.selector) {
                    continue;
                }
                address who = address(uint160(uint256(logs[k].topics[1])));
                uint256 lowest = type(uint256).max;
                for (uint256 i; i < n; ++i) if (batch[i] == who && hf[i] < lowest) lowest = hf[i];
                if (lowest >= WAD) _violation(7, "liquidateBatch liquidated an account at health >= 1", "");
            }
            Seen memory seen = _digest(logs);
            if (seen.liquidatedCount != liquidated) _violation(7, "liquidateBatch count != Liquidated events", "");
            _checkKeeperReward(seen);
        } catch (bytes memory reason) {
            _count("liquidateBatch", false);
            VM.getRecordedLogs();
            // the batch skips what it cannot do; only an empty batch or a global pause may revert
            if (bytes4(reason) != ILiquidationEngine.LiquidationEngine__Paused.selector) {
                _violation(12, "liquidateBatch reverted", reason);
            }
        }
    }

    /// @notice Buys from an open auction: `mode` picks full or partial, direct or flash callback.
    function take(uint256 auctionSeed, uint256 amountSeed, uint256 mode) external {
        if (_open.length == 0) return;
        uint256 id = _open[auctionSeed % _open.length];
        IDutchAuction.Auction memory a = _auction.auctions(id);
        (bool needsRedo, uint256 priceWad, , ) = _auction.getStatus(id);
        bool partialTake = mode % 2 == 1;
        bool callback = (mode >> 1) % 2 == 1;
        string memory name = callback
            ? (partialTake ? "takeCallbackPartial" : "takeCallbackFull")
            : (partialTake ? "takePartial" : "takeFull");
        uint256 amount = partialTake ? boundU(amountSeed, 1, a.lot) : a.lot;
        // the payer can always afford it (the bidder refills the flash taker)
        if (callback && _stable.balanceOf(address(_taker)) < a.tabWad) {
            VM.prank(_bidder);
            _stable.transfer(address(_taker), a.tabWad);
        }
        (uint8 level, ) = _breaker.statusOf(a.token);
        uint256 supplyBefore = _stable.totalSupply();
        VM.recordLogs();
        bool ok;
        bytes memory reason;
        uint256 slice;
        uint256 owe;
        if (callback) {
            try _taker.takeAuction(id, amount, priceWad, "flash") returns (uint256 s, uint256 o) {
                (ok, slice, owe) = (true, s, o);
            } catch (bytes memory r) {
                reason = r;
            }
        } else {
            VM.prank(_bidder);
            try _auction.take(id, amount, priceWad, _bidder, "") returns (uint256 s, uint256 o) {
                (ok, slice, owe) = (true, s, o);
            } catch (bytes memory r) {
                reason = r;
            }
        }
        _count(name, ok);
        if (!ok) {
            VM.getRecordedLogs();
            bytes4 sel = bytes4(reason);
            bool explained = needsRedo ||
                level >= 3 ||
                (partialTake && sel == IDutchAuction.DutchAuction__NoPartialPurchase.selector);
            if (!explained) _violation(12, string.concat(name, ": a running auction could not be taken"), reason);
            return;
        }
        if (needsRedo || level >= 3) _violation(12, string.concat(name, " passed where it must not"), "");
        // ghost bookkeeping of a handler, after the call it records (no reentrancy to guard)
        // solhint-disable reentrancy
        ghostBurned += owe;
        ghostCollateralOut[a.token] += slice;
        ghostRoundingOps += 4;
        // solhint-enable reentrancy
        if (supplyBefore - _stable.totalSupply() != owe) _violation(12, "take burned != owe", "");
        _digest(VM.getRecordedLogs());
    }

    /// @notice Restarts an auction; must pass when it needs a redo, the oracle reads ok and the
    ///         breaker is below 2 (I12).
    function redo(uint256 auctionSeed, uint256 keeperSeed) external {
        if (_open.length == 0) return;
        uint256 id = _open[auctionSeed % _open.length];
        IDutchAuction.Auction memory a = _auction.auctions(id);
        (bool needsRedo, , , ) = _auction.getStatus(id);
        (uint8 level, ) = _breaker.statusOf(a.token);
        (, bool priceOk) = sys.oracle().getPrice(a.token);
        address keeper = _pickKeeper(keeperSeed, a.account);
        VM.recordLogs();
        try _auction.redo(id, keeper) {
            _count("redo", true);
            if (!needsRedo || level >= 2 || !priceOk) _violation(12, "redo passed where it must not", "");
            _digest(VM.getRecordedLogs());
        } catch (bytes memory reason) {
            _count("redo", false);
            VM.getRecordedLogs();
            if (needsRedo && level < 2 && priceOk)
                _violation(12, "an auction that needs a redo could not be redone", reason);
        }
    }

    /// @notice I11 (second half): below level 3, an account without positions repays all its debt
    ///         and withdraws all its collateral, whatever the oracle says, once its auctions have
    ///         ended. While they run the withdrawal is refused with `AuctionsRunning(account, n)`
    ///         and nothing else (ADR 0014: an account in liquidation may only be made safer; it
    ///         exits once they end): any other refusal is I11, a withdrawal that passes is I8.
    function exitAll(uint256 actorSeed) external {
        address a = sys.actor(actorSeed);
        if (_ch.positionOf(a, _weth).sizeWad != 0) return;
        uint256 debt = _ch.debtOf(a);
        if (debt > _stable.balanceOf(a)) return;
        address usdc = address(sys.usdc());
        address[3] memory tokens = [_weth, _wbtc, usdc];
        for (uint256 t; t < 3; ++t) {
            (uint8 level, ) = _breaker.statusOf(tokens[t]);
            if (level >= 3) return;
        }
        VM.recordLogs();
        if (debt > 0) {
            VM.prank(a);
            try _ch.repay(a, debt) {
                ghostBurned += debt;
                ghostRoundingOps += 2;
            } catch (bytes memory reason) {
                _count("exitAll", false);
                VM.getRecordedLogs();
                _violation(11, "full repay reverted", reason);
                return;
            }
            if (_ch.debtOf(a) != 0) _violation(11, "full repay left debt", "");
        }
        uint256 running = _ch.auctionsOf(a);
        for (uint256 t; t < 3; ++t) {
            uint256 amount = _ch.collateralOf(a, tokens[t]);
            if (amount == 0) continue;
            VM.prank(a);
            try _ch.withdraw(a, tokens[t], amount, a) {
                ghostCollateralOut[tokens[t]] += amount;
                if (running != 0) _violation(8, "full withdraw passed while the account's auctions ran", "");
            } catch (bytes memory reason) {
                _count("exitAll", false);
                VM.getRecordedLogs();
                bytes memory expected = abi.encodeWithSelector(
                    IClearinghouseBase.Clearinghouse__AuctionsRunning.selector,
                    a,
                    running
                );
                if (running != 0 && keccak256(reason) == keccak256(expected)) {
                    // the expected refusal, counted apart (the exit is retried once they end)
                    _count("exitAllAuctionsRunning", true);
                    return;
                }
                _violation(11, "full withdraw after full repay reverted", reason);
                return;
            }
        }
        VM.getRecordedLogs();
        _count("exitAll", true);
    }

    // ---------------------------------------------------------------- views for the invariants

    /// @notice Known findings, for the call log ("finding..." names are not calls).
    function findingSummary() external view returns (string memory) {
        return string.concat("findingDustDebtAfterWhole=", Strings.toString(findingDustDebtAfterWhole), "/0");
    }

    function openAuctions() external view returns (uint256[] memory) {
        return _open;
    }

    function totalCalls() external view returns (uint256 total) {
        for (uint256 i; i < _names.length; ++i) total += calls[_names[i]];
    }

    // ---------------------------------------------------------------- internal

    /// @dev What a keeper scanning the actors would pick: the lowest maintenance health.
    function _riskiest() internal view returns (address best) {
        uint256 lowest = type(uint256).max;
        uint256 n = sys.actorCount();
        for (uint256 i; i < n; ++i) {
            address a = sys.actor(i);
            uint256 hf = _ch.health(a, false).healthFactorWad;
            if (hf < lowest || best == address(0)) (best, lowest) = (a, hf);
        }
    }

    /// @dev The keeper of a liquidation or redo: the keeper, the account itself, or nobody.
    function _pickKeeper(uint256 seed, address account) internal view returns (address) {
        uint256 m = seed % 3;
        if (m == 0) return _keeper;
        if (m == 1) return account;
        return address(0);
    }

    /// @dev I7 after a single liquidation: healthier (up to rounding) or without debt.
    function _checkAfterLiquidation(address account, uint256 hfBefore, ILiquidationEngine.Result memory r) internal {
        uint256 debt = _ch.debtOf(account);
        if (debt == 0) return;
        if (debt <= DUST_DEBT_WEI && r.whole) {
            ++findingDustDebtAfterWhole;
            return;
        }
        IClearinghouse.Health memory h = _ch.health(account, false);
        if (h.healthFactorWad + HEALTH_TOLERANCE_WAD < hfBefore) {
            _violation(
                7,
                string.concat(
                    "liquidation left the account less healthy: ",
                    Strings.toString(hfBefore),
                    " -> ",
                    Strings.toString(h.healthFactorWad),
                    string.concat(
                        " whole ",
                        r.whole ? "1" : "0",
                        " auctions ",
                        Strings.toString(r.auctions),
                        " positions ",
                        Strings.toString(r.positionsClosed),
                        " covered ",
                        Strings.toString(r.debtCoveredWad),
                        " debt after ",
                        Strings.toString(h.debtWad)
                    )
                ),
                ""
            );
        }
    }

    /// @dev I7: keeper rewards (kick rewards and the perp penalty share) <= value seized + perp penalty.
    function _checkKeeperReward(Seen memory seen) internal {
        if (seen.keeperPaid > seen.seizedValueWad + seen.perpPenaltyWad) {
            _violation(7, "keeper reward above the value seized", "");
        }
    }

    /// @dev Reads one call's logs: open/closed auctions, bad debt, deficit, rewards, seizures.
    function _digest(IVm.Log[] memory logs) internal returns (Seen memory seen) {
        address ch = address(_ch);
        address auc = address(_auction);
        uint256 badDebt;
        uint256 covered;
        for (uint256 k; k < logs.length; ++k) {
            IVm.Log memory g = logs[k];
            if (g.topics.length == 0) continue;
            bytes32 t0 = g.topics[0];
            if (g.emitter == auc) {
                if (t0 == IDutchAuction.Kick.selector) {
                    _checkKick(g);
                    _addOpen(uint256(g.topics[1]));
                    ++ghostAuctionsKicked;
                    ghostRoundingOps += 4;
                } else if (t0 == IDutchAuction.AuctionEnded.selector) {
                    _removeOpen(uint256(g.topics[1]));
                    ++ghostAuctionsEnded;
                    ghostRoundingOps += 2;
                }
            } else if (g.emitter == ch) {
                if (t0 == IClearinghouseBase.BadDebtCovered.selector) {
                    (uint256 fromVault, uint256 toDeficit) = abi.decode(g.data, (uint256, uint256));
                    ghostBadDebtFromVault += fromVault;
                    ghostBadDebtToDeficit += toDeficit;
                    covered += fromVault + toDeficit;
                } else if (t0 == IClearinghouseBase.AuctionSettled.selector) {
                    (, , uint256 bad) = abi.decode(g.data, (uint256, uint256, uint256));
                    badDebt += bad;
                } else if (t0 == IClearinghouseBase.DeficitRecorded.selector) {
                    (uint256 amount, ) = abi.decode(g.data, (uint256, uint256));
                    seen.deficitRecorded += amount;
                } else if (t0 == IClearinghouseBase.KeeperPaid.selector) {
                    uint256 amount = abi.decode(g.data, (uint256));
                    seen.keeperPaid += amount;
                    ghostKeeperPaid += amount;
                } else if (t0 == IClearinghouseBase.CollateralSeized.selector) {
                    address token = address(uint160(uint256(g.topics[2])));
                    (uint256 lot, ) = abi.decode(g.data, (uint256, uint256));
                    (uint256 p, ) = sys.oracle().getPrice(token);
                    seen.seizedValueWad += (lot * p) / (10 ** _decimals(token));
                    ghostRoundingOps += 2;
                } else if (t0 == IClearinghouseBase.PositionLiquidated.selector) {
                    (, , uint256 penalty) = abi.decode(g.data, (int256, uint256, uint256));
                    seen.perpPenaltyWad += penalty;
                    ghostRoundingOps += 6;
                } else if (t0 == IClearinghouseBase.PerpPenaltyWaived.selector) {
                    // the penalty the account could not pay was never collected (ADR 0009): the
                    // keeper's reward must fit in what was (emitted after the closes it reduces)
                    seen.perpPenaltyWad -= abi.decode(g.data, (uint256));
                }
            } else if (g.emitter == address(_engine) && t0 == ILiquidationEngine.CapHit.selector) {
                ++seen.capHits;
            } else if (g.emitter == address(_engine) && t0 == ILiquidationEngine.Liquidated.selector) {
                (, , , , uint256 writtenOff, ) = abi.decode(
                    g.data,
                    (uint256, uint256, uint256, uint256, uint256, bool)
                );
                badDebt += writtenOff;
                ++seen.liquidatedCount;
                ghostRoundingOps += 2;
            }
        }
        ghostBadDebt += badDebt;
        // I8: every bad debt went through the waterfall, whole
        if (badDebt != covered) _violation(8, "bad debt != vault cover + deficit", "");
    }

    /// @dev I7: the kick reward is paid only below the penalty and when the lot covers the tab.
    function _checkKick(IVm.Log memory g) internal {
        address token = address(uint160(uint256(g.topics[3])));
        (uint256 lot, uint256 tab, uint256 debt, , , uint256 reward) = abi.decode(
            g.data,
            (uint256, uint256, uint256, uint256, address, uint256)
        );
        if (reward == 0) return;
        (uint256 p, ) = sys.oracle().getPrice(token);
        if (reward >= tab - debt || (lot * p) / (10 ** _decimals(token)) < tab) {
            _violation(7, "kick reward not below the penalty, or the lot does not cover the tab", "");
        }
    }

    function _decimals(address token) internal view returns (uint256) {
        return token == _wbtc ? 8 : 18;
    }

    function _addOpen(uint256 id) internal {
        if (_openIndex[id] != 0) {
            _violation(12, "an auction id was kicked twice", "");
            return;
        }
        _open.push(id);
        _openIndex[id] = _open.length;
    }

    function _removeOpen(uint256 id) internal {
        uint256 i = _openIndex[id];
        if (i == 0) {
            _violation(12, "an auction ended that was not open", "");
            return;
        }
        uint256 last = _open[_open.length - 1];
        _open[i - 1] = last;
        _openIndex[last] = i;
        _open.pop();
        delete _openIndex[id];
    }
}

/// @notice The ledger's environment moves (prices within +-50%, oracle failure and recovery,
///         volatility pokes, time, accrue; I5) plus: crashes that create bad debt, the delayed
///         price catching up, the breaker's permissionless `check`, `checkSystem` and cool-downs,
///         a guardian raise and a governance reset. The breaker hooks must never revert (I12).
contract LiqEnvironmentHandler is EnvironmentHandler, CountedHandler {
    LiquidationSystem internal immutable _lsys;
    CircuitBreaker internal immutable _breaker;

    constructor(LiquidationSystem sys_) EnvironmentHandler(sys_) {
        _lsys = sys_;
        _breaker = sys_.breaker();
        string[9] memory names = [
            "calm",
            "crash",
            "rollDelayedPrice",
            "breakerCheck",
            "breakerCheckSystem",
            "breakerCooldown",
            "guardianRaise",
            "governanceSetLevel",
            "healDeficit"
        ];
        for (uint256 i; i < names.length; ++i) _names.push(names[i]);
    }

    /// @notice The incident is over: both feeds read ok again, the delayed prices catch up and
    ///         governance hands every scope back to the triggers (level 0; a standing condition,
    ///         such as a deficit, raises it again at the next check).
    function calm() external {
        address[2] memory assets = [_asset(0), _asset(1)];
        for (uint256 i; i < 2; ++i) {
            (uint256 price, ) = sys.oracle().getPrice(assets[i]);
            sys.setPrice(assets[i], price, true);
            _lsys.rollDelayedPrice(assets[i]);
            _lsys.governanceSetLevel(assets[i], 0);
        }
        _lsys.governanceSetLevel(address(0), 0);
        _count("calm", true);
    }

    /// @notice A crash: the price falls by 40% to 97% at once (bad debt when it outruns the buffer).
    function crash(uint256 assetSeed, uint256 bps) external {
        address asset = _asset(assetSeed);
        (uint256 price, ) = sys.oracle().getPrice(asset);
        uint256 next = (price * boundU(bps, 300, 6_000)) / 10_000;
        if (next < MIN_PRICE) next = MIN_PRICE;
        sys.setPrice(asset, next, true);
        _count("crash", true);
    }

    function rollDelayedPrice(uint256 assetSeed) external {
        _lsys.rollDelayedPrice(_asset(assetSeed));
        _count("rollDelayedPrice", true);
    }

    function breakerCheck(uint256 assetSeed) external {
        try _breaker.check(_asset(assetSeed)) {
            _count("breakerCheck", true);
        } catch (bytes memory reason) {
            _count("breakerCheck", false);
            _violation(12, "breaker check reverted", reason);
        }
    }

    function breakerCheckSystem() external {
        try _breaker.checkSystem() {
            _count("breakerCheckSystem", true);
        } catch (bytes memory reason) {
            _count("breakerCheckSystem", false);
            _violation(12, "breaker checkSystem reverted", reason);
        }
    }

    /// @notice Permissionless cool-down of the global scope or an asset (refused while a
    ///         condition holds, before the cool-down period, or at a manual floor).
    function breakerCooldown(uint256 scopeSeed) external {
        uint256 s = scopeSeed % 3;
        bool ok = true;
        if (s == 0) {
            try _breaker.cooldownGlobal() {} catch {
                ok = false;
            }
        } else {
            try _breaker.cooldown(_asset(s)) {} catch {
                ok = false;
            }
        }
        _count("breakerCooldown", ok);
    }

    /// @notice The guardian raises the global level or an asset's, at once (1..3).
    function guardianRaise(uint256 scopeSeed, uint256 levelSeed) external {
        uint8 level = uint8(boundU(levelSeed, 1, 3));
        uint256 s = scopeSeed % 3;
        address asset = _asset(s);
        address guardian = _lsys.GUARDIAN();
        bool ok = true;
        VM.prank(guardian);
        if (s == 0) {
            try _breaker.raiseGlobal(level, "GUARDIAN") {} catch {
                ok = false;
            }
        } else {
            try _breaker.raiseAsset(asset, level, "GUARDIAN") {} catch {
                ok = false;
            }
        }
        _count("guardianRaise", ok);
    }

    /// @notice The deficit paid down so far (I8: the deficit holds what the waterfall put there
    ///         less this).
    uint256 public healedWad;

    /// @notice Anyone pays the deficit down out of the vault's credit: exactly min(deficit, the
    ///         vault's credit with the fee accrued), refused when that is zero (I8: the deficit
    ///         moves only by what was paid; I1 is checked after the call).
    function healDeficit() external {
        uint256 deficit = _ch.deficitWad();
        uint256 credit = _ch.creditOf(address(sys.vault()));
        uint256 expected = deficit < credit ? deficit : credit;
        try _ch.healDeficit() returns (uint256 healed) {
            _count("healDeficit", true);
            healedWad += healed;
            if (healed != expected || _ch.deficitWad() != deficit - healed) {
                _violation(8, "healDeficit paid other than min(deficit, vault credit)", "");
            }
        } catch (bytes memory reason) {
            _count("healDeficit", false);
            if (expected != 0) _violation(8, "healDeficit refused with a deficit and credit to pay it", reason);
        }
    }

    /// @notice Governance sets a level either way (mostly back to 0, so that runs leave level 3).
    function governanceSetLevel(uint256 scopeSeed, uint256 levelSeed) external {
        uint8 level = levelSeed % 4 == 3 ? uint8(boundU(levelSeed >> 2, 1, 3)) : 0;
        uint256 s = scopeSeed % 3;
        _lsys.governanceSetLevel(s == 0 ? address(0) : _asset(s), level);
        _count("governanceSetLevel", true);
    }
}

/// @title LiquidationInvariantsTest
/// @notice Invariant tests of the liquidation machinery on the ledger (ids from DESIGN.md section
///         5, the same as the ledger suite and the fast-check suites): the protocol handler of the
///         ledger suite, the liquidators and the environment (with crashes, breaker triggers, a
///         guardian and governance) in random order; after each call `invariant_liquidation`
///         checks I1, I2, I4, I5, I7, I8, I11 and I12 (and the ledger handler's I6, I10).
contract LiquidationInvariantsTest {
    /// @dev Read by test/invariant/summary.ts; write permission in hardhat.config.ts.
    string internal constant CALL_LOG = "cache/invariant-calls.log";
    /// @dev Debt below this (wei) on an account without collateral is rounding remainder.
    uint256 internal constant DUST_DEBT_WEI = 1_000;

    LiquidationSystem internal sys;
    Clearinghouse internal ch;
    DutchAuction internal auction;
    LiqProtocolHandler internal protocol;
    LiquidatorHandler internal liq;
    LiqEnvironmentHandler internal env;

    function setUp() public {
        sys = new LiquidationSystem();
        ch = sys.ch();
        auction = sys.auction();
        protocol = new LiqProtocolHandler(sys);
        liq = new LiquidatorHandler(sys);
        env = new LiqEnvironmentHandler(sys);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](3);
        targets[0] = address(protocol);
        targets[1] = address(liq);
        targets[2] = address(env);
    }

    /// @notice What the checks read, each view once per call.
    struct Snapshot {
        uint256 credits;
        uint256 debts;
        uint256 supply;
        uint256 totalDebt;
        uint256 auctionDebt;
        uint256 deficit;
        uint256[3] collateralSum;
        uint256[3] lots;
        uint256 tabs;
        uint256[3] tabsByToken;
        uint256 auctionDebts;
    }

    function invariant_liquidation() public view {
        address[3] memory tokens = [address(sys.weth()), address(sys.wbtc()), address(sys.usdc())];
        Snapshot memory snap = _snapshot(tokens);
        _checkI1(snap);
        _checkI2(snap, tokens);
        _checkI4(snap, tokens);
        _checkI5();
        _checkI8(snap, tokens);
        _checkI12(tokens);
        require(liq.violations(7) == 0 && liq.violations(8) == 0, liq.lastViolation());
        require(liq.violations(11) == 0 && liq.violations(12) == 0, liq.lastViolation());
        require(env.violations(12) == 0, env.lastViolation());
        require(protocol.i6Violations() == 0, protocol.lastViolation());
        require(protocol.i8Violations() == 0, protocol.lastViolation());
        require(protocol.i10Violations() == 0, protocol.lastViolation());
        require(protocol.i11Violations() == 0, protocol.lastViolation());
    }

    function _snapshot(address[3] memory tokens) internal view returns (Snapshot memory snap) {
        address[] memory accounts = sys.accounts();
        snap.credits = ch.creditOf(address(sys.vault()));
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            snap.credits += ch.creditOf(a);
            snap.debts += ch.debtOf(a);
            for (uint256 t; t < 3; ++t) snap.collateralSum[t] += ch.collateralOf(a, tokens[t]);
        }
        uint256[] memory open = liq.openAuctions();
        for (uint256 i; i < open.length; ++i) {
            IDutchAuction.Auction memory a = auction.auctions(open[i]);
            uint256 t = a.token == tokens[0] ? 0 : (a.token == tokens[1] ? 1 : 2);
            snap.lots[t] += a.lot;
            snap.tabs += a.tabWad;
            snap.tabsByToken[t] += a.tabWad;
            snap.auctionDebts += a.debtWad;
        }
        snap.supply = sys.stablecoin().totalSupply();
        snap.totalDebt = ch.totalDebtWad();
        snap.auctionDebt = ch.auctionDebtWad();
        snap.deficit = ch.deficitWad();
    }

    /// @notice I1: supply + credits (vault's included) == debts + debt owed by open auctions +
    ///         deficit, up to rounding dust kept by the protocol; supply == minted - burned.
    function _checkI1(Snapshot memory snap) internal view {
        uint256 left = snap.supply + snap.credits;
        uint256 right = snap.totalDebt + snap.auctionDebt + snap.deficit;
        require(left <= right, "I1: supply + credits exceed debts + auction debt + deficit");
        uint256 bound = 4 * (protocol.ghostRoundingOps() + liq.ghostRoundingOps() + env.ghostAccruals() + 1);
        require(right - left <= bound, "I1: rounding dust above its bound");
        uint256 minted = protocol.ghostMinted() + liq.ghostMinted() + sys.BIDDER_BORROW_WAD();
        uint256 burned = protocol.ghostBurned() + liq.ghostBurned();
        require(snap.supply == minted - burned, "I1: supply != minted - burned");
    }

    /// @notice I2: each collateral token held by the Clearinghouse == account collateral +
    ///         collateral in auctions == deposits - withdrawals - slices sold (ghosts).
    function _checkI2(Snapshot memory snap, address[3] memory tokens) internal view {
        for (uint256 t; t < 3; ++t) {
            uint256 held = IERC20(tokens[t]).balanceOf(address(ch));
            require(held == snap.collateralSum[t] + snap.lots[t], "I2: balance != collateral + auction lots");
            uint256 inflow = t == 2
                ? sys.BIDDER_STABLE_COLLATERAL()
                : protocol.ghostCollateral(tokens[t]) + liq.ghostCollateralIn(tokens[t]);
            require(held == inflow - liq.ghostCollateralOut(tokens[t]), "I2: ghost in - out != balance");
        }
    }

    /// @notice I4: stored totals == sums (collateral, debt, auction debt, tabs in flight).
    function _checkI4(Snapshot memory snap, address[3] memory tokens) internal view {
        for (uint256 t; t < 3; ++t) {
            require(ch.totalCollateral(tokens[t]) == snap.collateralSum[t], "I4: totalCollateral != sum");
            require(auction.tabInFlightWad(tokens[t]) == snap.tabsByToken[t], "I4: asset tab in flight != sum");
        }
        uint256 n = sys.accounts().length;
        require(snap.debts >= snap.totalDebt && snap.debts <= snap.totalDebt + n, "I4: sum of debts != totalDebtWad");
        require(snap.auctionDebt == snap.auctionDebts, "I4: auctionDebtWad != sum of auction debts");
        require(auction.totalTabInFlightWad() == snap.tabs, "I4: tab in flight != sum of tabs");
        require(
            liq.ghostAuctionsKicked() - liq.ghostAuctionsEnded() == liq.openAuctions().length,
            "I4: open auctions != kicked - ended"
        );
        require(auction.kicks() == liq.ghostAuctionsKicked(), "I4: kicks != Kick events");
    }

    /// @notice I5: the fee index never decreases; funding time <= now.
    function _checkI5() internal view {
        require(env.i5Violations() == 0, "I5: the fee index decreased");
        require(ch.rateIndexRay() >= env.lastRateIndexRay(), "I5: the fee index is below its last reading");
        require(ch.marketState(address(sys.weth())).lastFundingTime <= block.timestamp, "I5: funding time > now");
    }

    /// @notice I8: no debt without collateral outside an open auction (or an open position, whose
    ///         losses can leave debt on a credit-only margin until it is liquidated); bad debt ==
    ///         vault cover + deficit; the deficit holds at least what the waterfall put there, less
    ///         what `healDeficit` paid down.
    function _checkI8(Snapshot memory snap, address[3] memory tokens) internal view {
        address[] memory accounts = sys.accounts();
        uint256[] memory open = liq.openAuctions();
        for (uint256 i; i < accounts.length; ++i) {
            address a = accounts[i];
            if (ch.debtOf(a) <= DUST_DEBT_WEI) continue;
            bool backed = ch.positionOf(a, tokens[0]).sizeWad != 0;
            for (uint256 t; t < 3 && !backed; ++t) backed = ch.collateralOf(a, tokens[t]) > 0;
            for (uint256 j; j < open.length && !backed; ++j) backed = auction.auctions(open[j]).account == a;
            require(backed, "I8: debt without collateral outside an open auction");
        }
        require(
            liq.ghostBadDebt() == liq.ghostBadDebtFromVault() + liq.ghostBadDebtToDeficit(),
            "I8: bad debt != vault cover + deficit"
        );
        require(
            snap.deficit + env.healedWad() >= liq.ghostBadDebtToDeficit(),
            "I8: deficit below the bad debt recorded as deficit, less what was healed"
        );
    }

    /// @notice I12: every open auction is running, prices and a status never revert, and one older
    ///         than its tail asks for a redo (it cannot sit unbuyable and un-redoable); health views
    ///         never revert.
    function _checkI12(address[3] memory tokens) internal view {
        uint256[] memory open = liq.openAuctions();
        for (uint256 i; i < open.length; ++i) {
            IDutchAuction.Auction memory a = auction.auctions(open[i]);
            require(a.account != address(0), "I12: a tracked auction is not running");
            (bool needsRedo, , , ) = auction.getStatus(open[i]);
            require(
                needsRedo || block.timestamp - a.startTime <= sys.TAIL_SECONDS(),
                "I12: an auction older than its tail does not ask for a redo"
            );
        }
        address[] memory accounts = sys.accounts();
        for (uint256 i; i < accounts.length; ++i) {
            ch.health(accounts[i], true);
            ch.health(accounts[i], false);
        }
        sys.breaker().previewCheck(tokens[0]);
        sys.breaker().previewCheck(tokens[1]);
        sys.breaker().previewCheckSystem();
    }

    /// @notice Each run appends its counters, tagged with the suite, to the call log that
    ///         test/invariant/summary.ts adds up and prints.
    function afterInvariant() public {
        string memory line = string.concat(
            "@liquidation ",
            protocol.callSummary(),
            liq.countedSummary(),
            env.callSummary(),
            " ",
            env.countedSummary(),
            liq.findingSummary()
        );
        try VM.writeLine(CALL_LOG, line) {} catch {}
    }
}
