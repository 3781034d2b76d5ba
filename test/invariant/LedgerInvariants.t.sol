// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

import {BackstopVault} from "../../contracts/core/BackstopVault.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {IMarginModel} from "../../contracts/interfaces/IMarginModel.sol";

import {LedgerSystem} from "./LedgerSystem.sol";
import {VM, boundU} from "./Vm.sol";

/// @notice Protocol actions, one actor per call (picked by a seed): deposit, withdraw, borrow,
///         repay, open/reduce/close a position, vault deposit/request/redeem, and round trips.
///         Ghost variables keep the sums the invariants compare with the ledger's totals; flags
///         record violations observed inside a call (I6, I8, I10, I11). Reverts of risk-increasing
///         actions are expected and counted; a revert of an action that must always succeed
///         (deposit within cap and wallet, repay within wallet, a position reduction) is I11. A
///         withdrawal, a borrow or a risk-increasing fill that passes while the account's auctions
///         run is I8 (ADR 0014: an account in liquidation may only be made safer; the ledger suite
///         runs no auction, the liquidation suite reuses this handler).
contract ProtocolHandler {
    uint256 internal constant WAD = 1e18;

    LedgerSystem public immutable sys;
    Clearinghouse internal immutable _ch;
    // addresses read once: an external call between `prank` and the action would consume the prank
    address internal immutable _weth;
    address internal immutable _wbtc;
    BackstopVault internal immutable _vault;
    IERC20 internal immutable _stable;

    // ---------------------------------------------------------------- ghosts (sums)

    /// @notice Collateral deposited minus withdrawn, per token (I2, I4).
    mapping(address token => uint256) public ghostCollateral;
    /// @notice Stablecoin minted and burned through the ledger since setup (I1).
    uint256 public ghostMinted;
    uint256 public ghostBurned;
    /// @notice Operations that may leave rounding dust in the protocol's favour (I1 bound).
    uint256 public ghostRoundingOps;

    // ---------------------------------------------------------------- violations seen in a call

    uint256 public i6Violations;
    uint256 public i8Violations;
    uint256 public i10Violations;
    uint256 public i11Violations;
    bytes4 public lastI11Error;
    string public lastViolation;

    // ---------------------------------------------------------------- call counters

    string[] internal _names;
    mapping(string name => uint256) public calls;
    mapping(string name => uint256) public reverts;

    constructor(LedgerSystem sys_) {
        sys = sys_;
        _ch = sys_.ch();
        _weth = address(sys_.weth());
        _wbtc = address(sys_.wbtc());
        _vault = sys_.vault();
        _stable = IERC20(address(sys_.stablecoin()));
        ghostCollateral[_weth] = 500 * WAD; // the LP's seed deposit
        ghostMinted = 100_000 * WAD; // the LP's seed borrow
        ghostBurned = 100_000 * WAD; // ...deposited into the vault
        ghostRoundingOps = 4;
        string[13] memory names = [
            "deposit",
            "withdraw",
            "borrow",
            "repay",
            "openPosition",
            "reducePosition",
            "closePosition",
            "vaultDeposit",
            "vaultRequest",
            "vaultRedeem",
            "roundTripDepositWithdraw",
            "roundTripBorrowRepay",
            "roundTripOpenClose"
        ];
        for (uint256 i; i < names.length; ++i) _names.push(names[i]);
    }

    // ---------------------------------------------------------------- actions

    function deposit(uint256 actorSeed, uint256 tokenSeed, uint256 amount) external {
        address a = sys.actor(actorSeed);
        address token = _token(tokenSeed);
        uint256 wallet = _balance(token, a);
        uint256 room = _ch.getParam("DEPOSIT_CAP", token) - _ch.totalCollateral(token);
        amount = _pick(amount, 1, _max(wallet, 1));
        bool mustPass = amount <= wallet && amount <= room;
        uint256[] memory before = _healthOthers(a);
        VM.prank(a);
        try _ch.deposit(a, token, amount) {
            ghostCollateral[token] += amount;
            _count("deposit", true);
        } catch (bytes memory reason) {
            _count("deposit", false);
            if (mustPass) _i11(reason, "deposit reverted within cap and wallet");
        }
        _checkOthers(a, before, "deposit");
    }

    function withdraw(uint256 actorSeed, uint256 tokenSeed, uint256 amount) external {
        address a = sys.actor(actorSeed);
        address token = _token(tokenSeed);
        uint256 available = _ch.collateralOf(a, token);
        if (available == 0) return;
        amount = _pick(amount, 1, available);
        uint256[] memory before = _healthOthers(a);
        uint256 running = _ch.auctionsOf(a);
        VM.prank(a);
        try _ch.withdraw(a, token, amount, a) {
            ghostCollateral[token] -= amount;
            ghostRoundingOps += 1;
            _count("withdraw", true);
            if (running != 0) _violation(8, "withdraw passed while the account's auctions ran");
        } catch {
            _count("withdraw", false);
        }
        _checkOthers(a, before, "withdraw");
    }

    function borrow(uint256 actorSeed, uint256 amount) external {
        address a = sys.actor(actorSeed);
        amount = _pick(amount, 1, 2_000_000 * WAD);
        uint256[] memory before = _healthOthers(a);
        uint256 running = _ch.auctionsOf(a);
        VM.prank(a);
        try _ch.borrow(a, amount, a) {
            ghostMinted += amount;
            ghostRoundingOps += 2;
            _count("borrow", true);
            if (running != 0) _violation(8, "borrow passed while the account's auctions ran");
        } catch {
            _count("borrow", false);
        }
        _checkOthers(a, before, "borrow");
    }

    function repay(uint256 payerSeed, uint256 accountSeed, uint256 amount) external {
        address payer = sys.actor(payerSeed);
        address account = sys.actor(accountSeed);
        uint256 wallet = _stable.balanceOf(payer);
        if (wallet == 0) return;
        amount = _pick(amount, 1, wallet);
        uint256[] memory before = _healthOthers(account);
        VM.prank(payer);
        try _ch.repay(account, amount) {
            ghostBurned += amount;
            ghostRoundingOps += 2;
            _count("repay", true);
        } catch (bytes memory reason) {
            _count("repay", false);
            _i11(reason, "repay within the wallet reverted");
        }
        _checkOthers(account, before, "repay");
    }

    function openPosition(uint256 actorSeed, uint256 size, bool long) external {
        address a = sys.actor(actorSeed);
        int256 delta = int256(_pick(size, 1, 300 * WAD));
        if (!long) delta = -delta;
        uint256[] memory before = _healthOthers(a);
        int256 held = _ch.positionOf(a, _market()).sizeWad;
        // a risk increase: the size grows or flips side (a smaller opposite trade reduces)
        bool increases = _abs(held + delta) > _abs(held) || (held != 0 && (held > 0) != (held + delta > 0));
        uint256 running = increases ? _ch.auctionsOf(a) : 0;
        VM.prank(a);
        try _ch.modifyPosition(a, _market(), delta, long ? type(uint256).max : 0) {
            ghostRoundingOps += 4;
            _count("openPosition", true);
            if (running != 0) _violation(8, "a risk-increasing fill passed while the account's auctions ran");
        } catch {
            _count("openPosition", false);
        }
        _checkOthers(a, before, "openPosition");
    }

    /// @dev A pure reduction at a loose price: must pass at any oracle state (I11).
    function reducePosition(uint256 actorSeed, uint256 bps) external {
        address a = sys.actor(actorSeed);
        int256 size = _ch.positionOf(a, _market()).sizeWad;
        if (size == 0) return;
        uint256 cut = (_abs(size) * boundU(bps, 1, 10_000)) / 10_000;
        if (cut == 0) return;
        int256 delta = size > 0 ? -int256(cut) : int256(cut);
        uint256[] memory before = _healthOthers(a);
        VM.prank(a);
        try _ch.modifyPosition(a, _market(), delta, size > 0 ? 0 : type(uint256).max) {
            ghostRoundingOps += 4;
            _count("reducePosition", true);
        } catch (bytes memory reason) {
            _count("reducePosition", false);
            _i11(reason, "position reduction reverted");
        }
        _checkOthers(a, before, "reducePosition");
    }

    function closePosition(uint256 actorSeed) external {
        address a = sys.actor(actorSeed);
        int256 size = _ch.positionOf(a, _market()).sizeWad;
        if (size == 0) return;
        uint256[] memory before = _healthOthers(a);
        VM.prank(a);
        try _ch.closePosition(a, _market(), size > 0 ? 0 : type(uint256).max) {
            ghostRoundingOps += 4;
            _count("closePosition", true);
        } catch (bytes memory reason) {
            _count("closePosition", false);
            _i11(reason, "closing a position reverted");
        }
        _checkOthers(a, before, "closePosition");
    }

    function vaultDeposit(uint256 actorSeed, uint256 amount) external {
        address a = sys.actor(actorSeed);
        uint256 wallet = _stable.balanceOf(a);
        if (wallet == 0) return;
        amount = _pick(amount, 1, wallet);
        uint256[] memory before = _healthOthers(address(0));
        VM.prank(a);
        try _vault.deposit(amount, a) {
            ghostBurned += amount;
            ghostRoundingOps += 1;
            _count("vaultDeposit", true);
        } catch {
            _count("vaultDeposit", false);
        }
        _checkOthers(address(0), before, "vaultDeposit");
    }

    function vaultRequest(uint256 actorSeed, uint256 shares) external {
        address a = sys.actor(actorSeed);
        uint256 balance = _vault.balanceOf(a);
        if (balance == 0) return;
        shares = _pick(shares, 1, balance);
        VM.prank(a);
        try _vault.requestWithdraw(shares) {
            _count("vaultRequest", true);
        } catch {
            _count("vaultRequest", false);
        }
    }

    function vaultRedeem(uint256 actorSeed, uint256 shares) external {
        address a = sys.actor(actorSeed);
        uint256 maxShares = _vault.maxRedeem(a);
        if (maxShares == 0) return;
        shares = _pick(shares, 1, maxShares);
        uint256[] memory before = _healthOthers(address(0));
        VM.prank(a);
        try _vault.redeem(shares, a, a) returns (uint256 assets) {
            ghostMinted += assets;
            ghostRoundingOps += 1;
            _count("vaultRedeem", true);
        } catch {
            _count("vaultRedeem", false);
        }
        _checkOthers(address(0), before, "vaultRedeem");
    }

    // ---------------------------------------------------------------- round trips (I10), same block

    function roundTripDepositWithdraw(uint256 actorSeed, uint256 tokenSeed, uint256 amount) external {
        address a = sys.actor(actorSeed);
        address token = _token(tokenSeed);
        uint256 wallet = _balance(token, a);
        uint256 room = _ch.getParam("DEPOSIT_CAP", token) - _ch.totalCollateral(token);
        uint256 hi = wallet < room ? wallet : room;
        if (hi == 0) return;
        amount = _pick(amount, 1, hi);
        uint256 collateralBefore = _ch.collateralOf(a, token);
        VM.prank(a);
        _ch.deposit(a, token, amount);
        VM.prank(a);
        try _ch.withdraw(a, token, amount, a) {
            _count("roundTripDepositWithdraw", true);
        } catch {
            // the account was below its initial requirement: the collateral stays
            ghostCollateral[token] += amount;
            _count("roundTripDepositWithdraw", false);
            return;
        }
        if (_balance(token, a) > wallet || _ch.collateralOf(a, token) > collateralBefore) {
            _violation(10, "deposit-withdraw round trip profited");
        }
    }

    function roundTripBorrowRepay(uint256 actorSeed, uint256 amount) external {
        address a = sys.actor(actorSeed);
        amount = _pick(amount, 1, 1_000_000 * WAD);
        int256 netBefore = int256(_ch.creditOf(a)) - int256(_ch.debtOf(a));
        uint256 walletBefore = _stable.balanceOf(a);
        VM.prank(a);
        try _ch.borrow(a, amount, a) {} catch {
            _count("roundTripBorrowRepay", false);
            return;
        }
        VM.prank(a);
        try _ch.repay(a, amount) {} catch (bytes memory reason) {
            ghostMinted += amount;
            ghostRoundingOps += 2;
            _count("roundTripBorrowRepay", false);
            _i11(reason, "repaying what was just borrowed reverted");
            return;
        }
        ghostMinted += amount;
        ghostBurned += amount;
        ghostRoundingOps += 4;
        _count("roundTripBorrowRepay", true);
        int256 netAfter = int256(_ch.creditOf(a)) - int256(_ch.debtOf(a));
        if (netAfter > netBefore || _stable.balanceOf(a) > walletBefore) {
            _violation(10, "borrow-repay round trip profited");
        }
    }

    function roundTripOpenClose(uint256 actorSeed, uint256 size, bool long) external {
        address a = sys.actor(actorSeed);
        if (_ch.positionOf(a, _market()).sizeWad != 0) return;
        int256 delta = int256(_pick(size, 1, 300 * WAD));
        if (!long) delta = -delta;
        int256 netBefore = int256(_ch.creditOf(a)) - int256(_ch.debtOf(a));
        VM.prank(a);
        try _ch.modifyPosition(a, _market(), delta, long ? type(uint256).max : 0) {} catch {
            _count("roundTripOpenClose", false);
            return;
        }
        VM.prank(a);
        try _ch.closePosition(a, _market(), long ? 0 : type(uint256).max) {} catch (bytes memory reason) {
            _count("roundTripOpenClose", false);
            _i11(reason, "closing a position just opened reverted");
            return;
        }
        ghostRoundingOps += 8;
        _count("roundTripOpenClose", true);
        // same block: no funding accrues, the price did not move; only rounding and the fee remain
        int256 netAfter = int256(_ch.creditOf(a)) - int256(_ch.debtOf(a));
        if (netAfter > netBefore) _violation(10, "open-close round trip profited");
    }

    // ---------------------------------------------------------------- summary

    /// @notice "name=calls/reverted " for every action, for the call log.
    function callSummary() external view returns (string memory out) {
        for (uint256 i; i < _names.length; ++i) {
            string memory n = _names[i];
            out = string.concat(out, n, "=", Strings.toString(calls[n]), "/", Strings.toString(reverts[n]), " ");
        }
    }

    function totalCalls() external view returns (uint256 total) {
        for (uint256 i; i < _names.length; ++i) total += calls[_names[i]];
    }

    // ---------------------------------------------------------------- internal

    function _count(string memory name, bool ok) internal {
        calls[name] += 1;
        if (!ok) reverts[name] += 1;
    }

    function _i11(bytes memory reason, string memory what) internal {
        i11Violations += 1;
        lastI11Error = reason.length >= 4 ? bytes4(reason) : bytes4(0);
        lastViolation = string.concat("I11: ", what);
    }

    function _violation(uint256 id, string memory what) internal {
        if (id == 6) i6Violations += 1;
        else if (id == 8) i8Violations += 1;
        else i10Violations += 1;
        lastViolation = string.concat("I", Strings.toString(id), ": ", what);
    }

    /// @dev Maintenance health factors of every actor except `self` (I6 compares after the call).
    function _healthOthers(address self) internal view returns (uint256[] memory out) {
        address[] memory all = sys.actors();
        out = new uint256[](all.length);
        for (uint256 i; i < all.length; ++i) {
            if (all[i] != self) out[i] = _ch.health(all[i], false).healthFactorWad;
        }
    }

    /// @dev I6: within one call no time passes and no price moves, so no other account's health may drop.
    function _checkOthers(address self, uint256[] memory before, string memory what) internal {
        address[] memory all = sys.actors();
        for (uint256 i; i < all.length; ++i) {
            if (all[i] == self) continue;
            if (_ch.health(all[i], false).healthFactorWad < before[i]) {
                _violation(6, string.concat(what, " lowered another account's health"));
            }
        }
    }

    function _token(uint256 seed) internal view returns (address) {
        return seed % 2 == 0 ? _weth : _wbtc;
    }

    function _market() internal view returns (address) {
        return _weth;
    }

    function _balance(address token, address who) internal view returns (uint256) {
        return IERC20(token).balanceOf(who);
    }

    /// @dev Bounded but adversarial: the bounds themselves, one inside, uniform, or small scales.
    function _pick(uint256 seed, uint256 lo, uint256 hi) internal pure returns (uint256) {
        if (hi <= lo) return lo;
        uint256 mode = seed % 8;
        if (mode == 0) return lo;
        if (mode == 1) return hi;
        if (mode == 2) return hi - 1;
        if (mode < 5) return boundU(seed >> 3, lo, hi);
        return boundU(seed >> 9, lo, lo + ((hi - lo) >> ((seed >> 3) % 64)));
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    function _abs(int256 x) internal pure returns (uint256) {
        return x >= 0 ? uint256(x) : uint256(-x);
    }
}

/// @notice Environment moves: prices (bounded relative moves), oracle failure and recovery,
///         volatility pokes (risk levels change), time passing and the permissionless accrue.
///         Records I5 (the fee index never decreases) across its own moves.
contract EnvironmentHandler {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant MIN_PRICE = 1e16;
    uint256 internal constant MAX_PRICE = 1e25;

    LedgerSystem public immutable sys;
    IClearinghouse internal immutable _ch;

    uint256 public lastRateIndexRay;
    uint256 public i5Violations;
    /// @notice Fee accruals that may leave rounding dust (I1 bound), one per time step.
    uint256 public ghostAccruals;

    uint256 public movePriceCalls;
    uint256 public failOracleCalls;
    uint256 public recoverOracleCalls;
    uint256 public pokeCalls;
    uint256 public warpCalls;
    uint256 public accrueCalls;

    constructor(LedgerSystem sys_) {
        sys = sys_;
        _ch = IClearinghouse(address(sys_.ch()));
        lastRateIndexRay = _ch.rateIndexRay();
    }

    function movePrice(uint256 assetSeed, uint256 bps) external {
        address asset = _asset(assetSeed);
        (uint256 price, ) = sys.oracle().getPrice(asset);
        // -50% .. +50% per move
        uint256 next = (price * boundU(bps, 5_000, 15_000)) / 10_000;
        if (next < MIN_PRICE) next = MIN_PRICE;
        if (next > MAX_PRICE) next = MAX_PRICE;
        sys.setPrice(asset, next, true);
        ++movePriceCalls;
        _checkIndex();
    }

    /// @notice The feed fails: the router keeps reading the last good price, flagged not ok.
    function failOracle(uint256 assetSeed) external {
        address asset = _asset(assetSeed);
        (uint256 price, ) = sys.oracle().getPrice(asset);
        sys.setPrice(asset, price, false);
        ++failOracleCalls;
    }

    function recoverOracle(uint256 assetSeed) external {
        address asset = _asset(assetSeed);
        (uint256 price, ) = sys.oracle().getPrice(asset);
        sys.setPrice(asset, price, true);
        ++recoverOracleCalls;
    }

    /// @notice Volatility poke: the margin model's levels for an asset move (calm .. stressed).
    function poke(uint256 assetSeed, uint256 level) external {
        uint256 preset = boundU(level, 0, 3);
        IMarginModel.AssetRisk memory r = sys.defaultRisk();
        if (preset == 0) {
            r.haircutMaintWad = 0.05e18;
            r.haircutInitWad = 0.08e18;
            r.marginRatioMaintWad = 0.02e18;
            r.marginRatioInitWad = 0.04e18;
        } else if (preset == 2) {
            r.haircutMaintWad = 0.4e18;
            r.haircutInitWad = 0.55e18;
            r.marginRatioMaintWad = 0.15e18;
            r.marginRatioInitWad = 0.3e18;
            r.depthUsdWad = 5_000_000e18;
            r.sizeSlopeWad = 0.2e18;
        } else if (preset == 3) {
            r.depthUsdWad = 1_000_000e18;
            r.sizeSlopeWad = 0.5e18;
        }
        sys.setRisk(_asset(assetSeed), r);
        ++pokeCalls;
    }

    function warp(uint256 secondsSeed) external {
        uint256 dt = boundU(secondsSeed, 1, 7 days);
        VM.warp(block.timestamp + dt);
        ++warpCalls;
        ++ghostAccruals;
        _checkIndex();
    }

    function accrue() external {
        _ch.accrue();
        ++accrueCalls;
        _checkIndex();
    }

    /// @notice "name=calls/0 " for every environment move, for the call log.
    function callSummary() external view returns (string memory) {
        return
            string.concat(
                string.concat(
                    "movePrice=",
                    Strings.toString(movePriceCalls),
                    "/0 failOracle=",
                    Strings.toString(failOracleCalls),
                    "/0 "
                ),
                string.concat(
                    "recoverOracle=",
                    Strings.toString(recoverOracleCalls),
                    "/0 poke=",
                    Strings.toString(pokeCalls),
                    "/0 "
                ),
                string.concat("warp=", Strings.toString(warpCalls), "/0 accrue=", Strings.toString(accrueCalls), "/0")
            );
    }

    function totalCalls() external view returns (uint256) {
        return movePriceCalls + failOracleCalls + recoverOracleCalls + pokeCalls + warpCalls + accrueCalls;
    }

    function _checkIndex() internal {
        uint256 idx = _ch.rateIndexRay();
        if (idx < lastRateIndexRay) ++i5Violations;
        lastRateIndexRay = idx;
    }

    function _asset(uint256 seed) internal view returns (address) {
        return seed % 2 == 0 ? address(sys.weth()) : address(sys.wbtc());
    }
}

/// @title LedgerInvariantsTest
/// @notice Invariant tests of the ledger (ids from DESIGN.md section 5, the same as the fast-check
///         suite in test/property/). The fuzzer calls the protocol handler (actions per actor) and
///         the environment handler (oracle, risk levels, time) in random order; after each call
///         every `invariant_*` function must hold. Intensity: INVARIANT_RUNS x INVARIANT_DEPTH
///         (hardhat.config.ts); a failure is saved under cache/invariant-failures and replayed.
contract LedgerInvariantsTest {
    /// @dev Read by test/invariant/summary.ts; write permission in hardhat.config.ts.
    string internal constant CALL_LOG = "cache/invariant-calls.log";

    LedgerSystem internal sys;
    Clearinghouse internal ch;
    ProtocolHandler internal protocol;
    EnvironmentHandler internal env;

    function setUp() public {
        sys = new LedgerSystem();
        ch = sys.ch();
        protocol = new ProtocolHandler(sys);
        env = new EnvironmentHandler(sys);
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](2);
        targets[0] = address(protocol);
        targets[1] = address(env);
    }

    /// @notice What the checks read, each view once per call (the checks dominate the run time).
    struct Snapshot {
        uint256 credits;
        uint256 supply;
        uint256 totalDebt;
        uint256 deficit;
        uint256[2] collateralSum;
        int256 sizes;
        uint256 longs;
        uint256 shorts;
        int256 bases;
        uint256 debts;
        IClearinghouse.MarketState market;
    }

    /// @notice Every ledger invariant after every call: one campaign checks them all (each
    ///         `invariant_*` function would run a campaign of its own). A failure names its id.
    function invariant_ledger() public view {
        Snapshot memory snap = _snapshot();
        _checkI1_fundamentalEquation(snap);
        _checkI2_collateralBalances(snap);
        _checkI3_skew(snap);
        _checkI4_totals(snap);
        _checkI5_indexes(snap);
        require(protocol.i6Violations() == 0, protocol.lastViolation());
        require(protocol.i8Violations() == 0, protocol.lastViolation());
        require(protocol.i10Violations() == 0, protocol.lastViolation());
        require(protocol.i11Violations() == 0, protocol.lastViolation());
    }

    /// @dev Reads every account once; the health views double as I12 (a revert fails the run).
    function _snapshot() internal view returns (Snapshot memory snap) {
        address[] memory actors = sys.actors();
        address weth = address(sys.weth());
        address wbtc = address(sys.wbtc());
        snap.credits = ch.creditOf(address(sys.vault()));
        for (uint256 i; i < actors.length; ++i) {
            address a = actors[i];
            snap.credits += ch.creditOf(a);
            snap.debts += ch.debtOf(a);
            snap.collateralSum[0] += ch.collateralOf(a, weth);
            snap.collateralSum[1] += ch.collateralOf(a, wbtc);
            IClearinghouse.Position memory p = ch.positionOf(a, weth);
            snap.sizes += p.sizeWad;
            if (p.sizeWad > 0) snap.longs += uint256(p.sizeWad);
            else snap.shorts += uint256(-p.sizeWad);
            snap.bases += p.costBasisWad;
            // I12: health checks never revert (either level, failing oracle or not)
            ch.health(a, true);
            ch.health(a, false);
            sys.vault().maxRedeem(a);
        }
        snap.supply = sys.stablecoin().totalSupply();
        snap.totalDebt = ch.totalDebtWad();
        snap.deficit = ch.deficitWad();
        snap.market = ch.marketState(weth);
        // I12: the vault's views and previews never revert
        ch.health(address(sys.vault()), false);
        sys.vault().previewRedeem(1e24);
    }

    /// @notice I1: stablecoin supply + credits (the vault's included) == debts + deficit, up to
    ///         rounding dust kept by the protocol (bounded by the operations that round).
    function _checkI1_fundamentalEquation(Snapshot memory snap) internal view {
        uint256 left = snap.supply + snap.credits;
        uint256 right = snap.totalDebt + snap.deficit;
        require(left <= right, "I1: supply + credits exceed debts + deficit");
        uint256 bound = 4 * (protocol.ghostRoundingOps() + env.ghostAccruals() + 1);
        require(right - left <= bound, "I1: rounding dust above its bound");
        require(snap.supply == protocol.ghostMinted() - protocol.ghostBurned(), "I1: supply != minted - burned");
    }

    /// @notice I2: each collateral token balance of the ledger == sum of account collateral ==
    ///         totalCollateral == deposits - withdrawals (ghost).
    function _checkI2_collateralBalances(Snapshot memory snap) internal view {
        address[2] memory tokens = [address(sys.weth()), address(sys.wbtc())];
        for (uint256 t; t < 2; ++t) {
            uint256 sum = snap.collateralSum[t];
            uint256 held = t == 0 ? sys.weth().balanceOf(address(ch)) : sys.wbtc().balanceOf(address(ch));
            require(held == sum, "I2: token balance != sum of collateral");
            require(ch.totalCollateral(tokens[t]) == sum, "I2: totalCollateral != sum of collateral");
            require(protocol.ghostCollateral(tokens[t]) == sum, "I2: ghost deposits - withdrawals != sum");
        }
    }

    /// @notice I3: sum of position sizes == long OI - short OI == skew (the vault holds -skew).
    function _checkI3_skew(Snapshot memory snap) internal pure {
        IClearinghouse.MarketState memory m = snap.market;
        require(snap.sizes == m.skewWad, "I3: sum of sizes != skew");
        require(
            int256(m.longOpenInterestWad) - int256(m.shortOpenInterestWad) == m.skewWad,
            "I3: long - short != skew"
        );
    }

    /// @notice I4: stored totals == sums of per-account values (OI, cost basis, debt).
    function _checkI4_totals(Snapshot memory snap) internal view {
        IClearinghouse.MarketState memory m = snap.market;
        require(snap.longs == m.longOpenInterestWad && snap.shorts == m.shortOpenInterestWad, "I4: OI != sums");
        require(snap.bases == m.costBasisSumWad, "I4: costBasisSum != sum");
        uint256 n = sys.actorCount();
        require(snap.debts >= snap.totalDebt && snap.debts <= snap.totalDebt + n, "I4: sum of debts != totalDebtWad");
    }

    /// @notice I5: the fee index never decreases; funding time <= now.
    function _checkI5_indexes(Snapshot memory snap) internal view {
        require(env.i5Violations() == 0, "I5: the fee index decreased");
        require(ch.rateIndexRay() >= env.lastRateIndexRay(), "I5: the fee index is below its last reading");
        require(snap.market.lastFundingTime <= block.timestamp, "I5: funding time > now");
    }

    /// @notice Hardhat shows neither the fuzzer's call counters nor logs of invariant runs: each
    ///         run appends its counters to cache/invariant-calls.log, which
    ///         test/invariant/summary.ts adds up and prints (npm run test:invariant does both).
    function afterInvariant() public {
        string memory line = string.concat(protocol.callSummary(), env.callSummary());
        try VM.writeLine(CALL_LOG, line) {} catch {}
    }
}
