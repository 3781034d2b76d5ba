// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BREAKER_FROZEN, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {CircuitBreakerState} from "./CircuitBreakerState.sol";

/// @title CircuitBreaker
/// @notice Levels 0..3 globally and per asset, raised by permissionless triggers and by the
///         guardian, lowered by governance or by a permissionless cool-down, plus an
///         irreversible global settlement that freezes prices (see `ICircuitBreaker` and
///         docs/circuit-breaker.md).
/// @dev Scopes: the global scope lives in `_global` (with the global parameters), each asset in
///      `_assets[asset]` (with its liquidation window); each scope has a level, a manual floor
///      (the level the guardian or governance last set; cool-down never goes below it) and the
///      time it was last raised, confirmed or cooled.
///      Warning: a trigger never lowers a level and a cool-down lowers one step at a time, each
///      step needing a full `COOLDOWN_SECONDS` without confirmation; going from 3 to 0 by
///      cool-down therefore takes at least three periods.
contract CircuitBreaker is CircuitBreakerState {
    // ---------------------------------------------------------------- constructor

    /// @param oracle_ The OracleRouter.
    /// @param riskConfig_ The RiskConfig (sole caller of `setParam`).
    /// @param governance_ The TimelockController.
    /// @param guardian_ The guardian (e.g. a multisig).
    constructor(
        IOracleRouter oracle_,
        address riskConfig_,
        address governance_,
        address guardian_
    ) CircuitBreakerState(oracle_, riskConfig_, governance_) {
        if (guardian_ == address(0)) revert CircuitBreaker__ZeroAddress();
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert CircuitBreaker__NotGovernance(msg.sender);
        if (_global.settled) revert CircuitBreaker__Settled();
        _;
    }

    modifier onlyGuardian() {
        if (msg.sender != guardian) revert CircuitBreaker__NotGuardian(msg.sender);
        if (_global.settled) revert CircuitBreaker__Settled();
        _;
    }

    // ---------------------------------------------------------------- external mutating: governance

    /// @inheritdoc ICircuitBreaker
    /// @dev Sets the per-asset defaults (drop tolerance 0.15e18, velocity capacity 1e24) and emits
    ///      `ParamSet` for them; the deployment registers the real values through the RiskConfig.
    function registerAsset(address asset) external onlyGovernance {
        if (asset == address(0)) revert CircuitBreaker__ZeroAddress();
        AssetSlot storage a = _assets[asset];
        if (a.registered) revert CircuitBreaker__AlreadyRegistered(asset);
        if (_assetList.length >= MAX_ASSETS) revert CircuitBreaker__TooManyAssets(MAX_ASSETS);
        if (address(oracle.feedConfig(asset).primary) == address(0)) revert CircuitBreaker__NoFeed(asset);
        a.registered = true;
        _assetList.push(asset);
        _assetParams[asset] = AssetParams({
            dropToleranceWad: DEFAULT_DROP_TOLERANCE_WAD,
            velocityCapacityWad: DEFAULT_VELOCITY_CAPACITY_WAD
        });
        emit AssetRegistered(asset);
        emit ParamSet(DROP_TOLERANCE_WAD, asset, DEFAULT_DROP_TOLERANCE_WAD);
        emit ParamSet(VELOCITY_CAPACITY_WAD, asset, DEFAULT_VELOCITY_CAPACITY_WAD);
    }

    /// @inheritdoc ICircuitBreaker
    function setReporter(address reporter, bool allowed) external onlyGovernance {
        if (reporter == address(0)) revert CircuitBreaker__ZeroAddress();
        _reporters[reporter] = allowed;
        emit ReporterSet(reporter, allowed);
    }

    /// @inheritdoc ICircuitBreaker
    function setGuardian(address guardian_) external onlyGovernance {
        if (guardian_ == address(0)) revert CircuitBreaker__ZeroAddress();
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    /// @inheritdoc ICircuitBreaker
    function setClearinghouse(address clearinghouse_) external onlyGovernance {
        if (clearinghouse_ == address(0)) revert CircuitBreaker__ZeroAddress();
        // once: a ledger set later would hold none of the levels raised before it (they are pushed)
        if (clearinghouse != address(0)) revert CircuitBreaker__ClearinghouseAlreadySet(clearinghouse);
        clearinghouse = clearinghouse_;
        emit ClearinghouseSet(clearinghouse_);
    }

    /// @inheritdoc ICircuitBreaker
    function setGlobalLevel(uint8 level, bytes32 reason) external onlyGovernance {
        if (level > BREAKER_FROZEN) revert CircuitBreaker__InvalidLevel(level);
        GlobalSlot storage g = _global;
        _emitManual(address(0), g.level, g.manualFloor, level, reason);
        g.level = level;
        g.manualFloor = level;
        _push(address(0), level);
    }

    /// @inheritdoc ICircuitBreaker
    function setAssetLevel(address asset, uint8 level, bytes32 reason) external onlyGovernance {
        if (level > BREAKER_FROZEN) revert CircuitBreaker__InvalidLevel(level);
        AssetSlot storage a = _registered(asset);
        _emitManual(asset, a.level, a.manualFloor, level, reason);
        a.level = level;
        a.manualFloor = level;
        _push(asset, level);
    }

    /// @inheritdoc ICircuitBreaker
    function settle() external onlyGovernance {
        uint256 length = _assetList.length;
        for (uint256 i; i < length; ++i) {
            address asset = _assetList[i];
            // the router's read now when ok; a failed read's fallback can be the last good price
            // of the last keeper's poke, however old, or 0 (ADR 0015): the asset waits for
            // `recordSettlementPrice`
            (uint256 priceWad, bool ok) = oracle.poke(asset);
            if (ok) _recordSettlementPrice(asset, priceWad);
            else emit SettlementPricePending(asset, priceWad);
        }
        GlobalSlot storage g = _global;
        uint8 from = g.level;
        g.settled = true;
        g.level = BREAKER_FROZEN;
        g.manualFloor = BREAKER_FROZEN;
        if (from < BREAKER_FROZEN) emit LevelRaised(address(0), from, BREAKER_FROZEN, REASON_SETTLEMENT);
        emit Settled(block.timestamp, length);
        address ch = clearinghouse;
        if (ch != address(0)) IClearinghouse(ch).applySettlement();
    }

    // ---------------------------------------------------------------- external mutating: settlement prices

    /// @inheritdoc ICircuitBreaker
    function recordSettlementPrice(address asset) external returns (uint256 priceWad) {
        if (!_global.settled) revert CircuitBreaker__NotSettled();
        uint256 recordedWad = _settlementPrices[asset];
        if (recordedWad != 0) revert CircuitBreaker__SettlementPriceRecorded(asset, recordedWad);
        bool ok;
        (priceWad, ok) = oracle.poke(asset);
        if (!ok) revert CircuitBreaker__SettlementPriceNotOk(asset, priceWad);
        _recordSettlementPrice(asset, priceWad);
    }

    // ---------------------------------------------------------------- external mutating: guardian

    /// @inheritdoc ICircuitBreaker
    function raiseGlobal(uint8 level, bytes32 reason) external onlyGuardian {
        GlobalSlot storage g = _global;
        _checkRaise(address(0), g.level, level);
        _emitManual(address(0), g.level, g.manualFloor, level, reason);
        g.level = level;
        g.manualFloor = level;
        _push(address(0), level);
    }

    /// @inheritdoc ICircuitBreaker
    function raiseAsset(address asset, uint8 level, bytes32 reason) external onlyGuardian {
        AssetSlot storage a = _registered(asset);
        _checkRaise(asset, a.level, level);
        _emitManual(asset, a.level, a.manualFloor, level, reason);
        a.level = level;
        a.manualFloor = level;
        _push(asset, level);
    }

    // ---------------------------------------------------------------- external mutating: triggers

    /// @inheritdoc ICircuitBreaker
    function check(address asset) external returns (uint8 newLevel) {
        GlobalSlot storage g = _global;
        AssetSlot storage a = _registered(asset);
        uint8 level = a.level;
        if (!g.settled) {
            (uint8 target, bytes32 reason) = _evaluateAsset(asset, a);
            if (_onTrigger(asset, level, a.lastTriggeredAt, target, reason)) {
                level = target;
                a.level = target;
                a.lastTriggeredAt = uint40(block.timestamp);
                _push(asset, target);
            }
        }
        uint8 globalLevel_ = g.level;
        return globalLevel_ > level ? globalLevel_ : level;
    }

    /// @inheritdoc ICircuitBreaker
    function checkSystem() external returns (uint8 newLevel) {
        GlobalSlot storage g = _global;
        if (g.settled) return g.level;
        (uint8 target, bytes32 reason) = _evaluateSystem();
        if (_onTrigger(address(0), g.level, g.lastTriggeredAt, target, reason)) {
            g.level = target;
            g.lastTriggeredAt = uint40(block.timestamp);
            _push(address(0), target);
        }
        return g.level;
    }

    /// @inheritdoc ICircuitBreaker
    function cooldown(address asset) external returns (uint8 newLevel) {
        GlobalSlot storage g = _global;
        if (g.settled) revert CircuitBreaker__Settled();
        AssetSlot storage a = _registered(asset);
        uint8 level = a.level;
        _checkCoolable(asset, level, a.manualFloor, a.lastTriggeredAt, g.cooldownSeconds);
        (uint8 target, bytes32 reason) = _evaluateAsset(asset, a);
        if (target >= level) revert CircuitBreaker__ConditionActive(asset, target, reason);
        newLevel = level - 1;
        a.level = newLevel;
        a.lastTriggeredAt = uint40(block.timestamp);
        emit LevelLowered(asset, level, newLevel, REASON_COOLDOWN);
        _push(asset, newLevel);
    }

    /// @inheritdoc ICircuitBreaker
    function cooldownGlobal() external returns (uint8 newLevel) {
        GlobalSlot storage g = _global;
        if (g.settled) revert CircuitBreaker__Settled();
        uint8 level = g.level;
        _checkCoolable(address(0), level, g.manualFloor, g.lastTriggeredAt, g.cooldownSeconds);
        (uint8 target, bytes32 reason) = _evaluateSystem();
        if (target >= level) revert CircuitBreaker__ConditionActive(address(0), target, reason);
        newLevel = level - 1;
        g.level = newLevel;
        g.lastTriggeredAt = uint40(block.timestamp);
        emit LevelLowered(address(0), level, newLevel, REASON_COOLDOWN);
        _push(address(0), newLevel);
    }

    // ---------------------------------------------------------------- external mutating: reporters

    /// @inheritdoc ICircuitBreaker
    function reportLiquidation(address asset, uint256 debtWad) external returns (uint8 newLevel) {
        if (!_reporters[msg.sender]) revert CircuitBreaker__NotReporter(msg.sender);
        // Field-wise storage access: copying the packed structs to memory costs an SLOAD (and on
        // write-back an SSTORE) per field.
        GlobalSlot storage g = _global;
        AssetSlot storage a = _assets[asset];
        uint8 globalLevel_ = g.level;
        uint8 level = a.level;
        if (g.settled || !a.registered) return globalLevel_ > level ? globalLevel_ : level;

        uint256 windowDebtWad;
        if (block.timestamp >= uint256(a.windowStart) + g.velocityWindowSeconds) {
            a.windowStart = uint40(block.timestamp);
        } else {
            windowDebtWad = a.windowDebtWad;
        }
        windowDebtWad = _saturatingAdd128(windowDebtWad, debtWad);
        a.windowDebtWad = uint128(windowDebtWad);
        emit LiquidationReported(asset, debtWad, windowDebtWad);

        if (windowDebtWad > _assetParams[asset].velocityCapacityWad) {
            uint8 target = g.levelVelocity;
            if (_onTrigger(asset, level, a.lastTriggeredAt, target, REASON_VELOCITY)) {
                level = target;
                a.level = target;
                a.lastTriggeredAt = uint40(block.timestamp);
                _push(asset, target);
            }
        }
        return globalLevel_ > level ? globalLevel_ : level;
    }

    /// @inheritdoc ICircuitBreaker
    function reportBadDebt(uint256 amountWad) external {
        if (!_reporters[msg.sender]) revert CircuitBreaker__NotReporter(msg.sender);
        GlobalSlot storage g = _global;
        if (g.settled) return;
        BadDebtSlot storage b = _badDebt;
        uint256 totalWad;
        if (block.timestamp >= uint256(b.windowStart) + g.badDebtWindowSeconds) {
            b.windowStart = uint40(block.timestamp);
        } else {
            totalWad = b.amountWad;
        }
        totalWad = _saturatingAdd128(totalWad, amountWad);
        b.amountWad = uint128(totalWad);
        emit BadDebtReported(amountWad, totalWad);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Emits for a trigger whose level `target` is at least the scope's `level` and returns
    ///      whether the scope must store `target` and the current time. A confirmation in the
    ///      block of the last one changes nothing and emits nothing.
    function _onTrigger(
        address scope,
        uint8 level,
        uint40 lastTriggeredAt,
        uint8 target,
        bytes32 reason
    ) internal returns (bool write) {
        if (target == 0 || target < level) return false;
        if (target > level) {
            emit LevelRaised(scope, level, target, reason);
            return true;
        }
        if (lastTriggeredAt == block.timestamp) return false;
        emit LevelConfirmed(scope, level, reason);
        return true;
    }

    /// @dev Events of a manual level change (guardian or governance) from `level` to `to`; the
    ///      new level is also the new manual floor.
    function _emitManual(address scope, uint8 level, uint8 floor, uint8 to, bytes32 reason) internal {
        if (to > level) emit LevelRaised(scope, level, to, reason);
        else if (to < level) emit LevelLowered(scope, level, to, reason);
        emit ManualFloorSet(scope, floor, to, reason);
    }

    function _checkRaise(address scope, uint8 level, uint8 to) internal pure {
        if (to == 0 || to > BREAKER_FROZEN) revert CircuitBreaker__InvalidLevel(to);
        if (to < level) revert CircuitBreaker__GuardianCannotLower(scope, level, to);
    }

    function _checkCoolable(
        address scope,
        uint8 level,
        uint8 floor,
        uint40 lastTriggeredAt,
        uint24 cooldownSeconds
    ) internal view {
        if (level == 0) revert CircuitBreaker__AlreadyNormal(scope);
        if (level <= floor) revert CircuitBreaker__ManualLevel(scope, level);
        uint256 readyAt = uint256(lastTriggeredAt) + cooldownSeconds;
        if (block.timestamp < readyAt) revert CircuitBreaker__CooldownPending(scope, readyAt);
    }

    /// @dev `a + b`, capped at `type(uint128).max` (`a` is at most that cap).
    function _saturatingAdd128(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 cap = type(uint128).max;
        return b >= cap - a ? cap : a + b;
    }

    /// @dev Stores an ok read of the router (never 0: an ok read never is) as `asset`'s settlement price.
    function _recordSettlementPrice(address asset, uint256 priceWad) internal {
        _settlementPrices[asset] = priceWad;
        emit SettlementPriceRecorded(asset, priceWad, block.timestamp);
    }

    /// @dev Pushes a scope's new level into the Clearinghouse, which enforces it at every entry
    ///      point with a single storage read (address(0): the global level).
    function _push(address scope, uint8 level) internal {
        address ch = clearinghouse;
        if (ch != address(0)) IClearinghouse(ch).applyBreakerLevel(scope, level);
    }
}
