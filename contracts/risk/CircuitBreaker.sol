// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {BREAKER_FROZEN, ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {CircuitBreakerParams} from "./CircuitBreakerParams.sol";

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
contract CircuitBreaker is CircuitBreakerParams {
    // ---------------------------------------------------------------- constants

    uint256 private constant WAD = 1e18;
    /// @notice Most assets that can be registered (bounds the loop in `settle`).
    uint256 public constant MAX_ASSETS = 32;

    bytes32 public constant REASON_PRICE_DROP = "PRICE_DROP";
    bytes32 public constant REASON_DEVIATION = "DEVIATION";
    bytes32 public constant REASON_STALE = "STALE";
    bytes32 public constant REASON_SEQUENCER = "SEQUENCER";
    bytes32 public constant REASON_FEED_FAILURE = "FEED_FAILURE";
    bytes32 public constant REASON_VELOCITY = "VELOCITY";
    bytes32 public constant REASON_BAD_DEBT = "BAD_DEBT";
    bytes32 public constant REASON_DEFICIT = "DEFICIT";
    bytes32 public constant REASON_COOLDOWN = "COOLDOWN";
    bytes32 public constant REASON_SETTLEMENT = "SETTLEMENT";

    // ---------------------------------------------------------------- immutables

    /// @notice The OracleRouter whose reads feed the asset triggers and the settlement prices.
    IOracleRouter public immutable oracle;

    // ---------------------------------------------------------------- storage

    /// @dev One slot (232 bits), read by `levelOf` and written by `reportLiquidation`.
    struct AssetSlot {
        uint8 level;
        uint8 manualFloor;
        bool registered;
        uint40 lastTriggeredAt;
        uint40 windowStart;
        uint128 windowDebtWad;
    }

    /// @dev One slot (168 bits).
    struct BadDebtSlot {
        uint40 windowStart;
        uint128 amountWad;
    }

    mapping(address asset => AssetSlot) internal _assets;
    BadDebtSlot internal _badDebt;
    /// @inheritdoc ICircuitBreaker
    address public guardian;
    /// @inheritdoc ICircuitBreaker
    address public clearinghouse;
    mapping(address reporter => bool) internal _reporters;
    mapping(address asset => uint256 priceWad) internal _settlementPrices;
    address[] internal _assetList;

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
    ) CircuitBreakerParams(riskConfig_, governance_) {
        if (address(oracle_) == address(0) || guardian_ == address(0)) revert CircuitBreaker__ZeroAddress();
        oracle = oracle_;
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
            (uint256 priceWad, uint256 observedAt) = oracle.lastGoodPrice(asset);
            _settlementPrices[asset] = priceWad;
            emit SettlementPriceRecorded(asset, priceWad, observedAt);
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

    // ---------------------------------------------------------------- external views

    /// @inheritdoc ICircuitBreaker
    function levelOf(address asset) external view returns (uint8) {
        uint8 g = _global.level;
        uint8 a = _assets[asset].level;
        return g > a ? g : a;
    }

    /// @inheritdoc ICircuitBreaker
    function statusOf(address asset) external view returns (uint8 level, bool isSettled) {
        GlobalSlot storage g = _global;
        uint8 globalLevel_ = g.level;
        isSettled = g.settled;
        uint8 a = _assets[asset].level;
        level = globalLevel_ > a ? globalLevel_ : a;
    }

    /// @inheritdoc ICircuitBreaker
    function globalLevel() external view returns (uint8) {
        return _global.level;
    }

    /// @inheritdoc ICircuitBreaker
    function assetLevel(address asset) external view returns (uint8) {
        return _assets[asset].level;
    }

    /// @inheritdoc ICircuitBreaker
    function settled() external view returns (bool) {
        return _global.settled;
    }

    /// @inheritdoc ICircuitBreaker
    function settlementPrice(address asset) external view returns (uint256 priceWad) {
        return _settlementPrices[asset];
    }

    /// @inheritdoc ICircuitBreaker
    function previewCheck(address asset) external view returns (uint8 targetLevel, bytes32 reason) {
        return _evaluateAsset(asset, _registered(asset));
    }

    /// @inheritdoc ICircuitBreaker
    function previewCheckSystem() external view returns (uint8 targetLevel, bytes32 reason) {
        return _evaluateSystem();
    }

    /// @inheritdoc ICircuitBreaker
    function scopeState(address asset) external view returns (uint8 level, uint8 manualFloor, uint256 lastTriggeredAt) {
        if (asset == address(0)) {
            GlobalSlot memory g = _global;
            return (g.level, g.manualFloor, g.lastTriggeredAt);
        }
        AssetSlot memory a = _assets[asset];
        return (a.level, a.manualFloor, a.lastTriggeredAt);
    }

    /// @inheritdoc ICircuitBreaker
    function liquidationWindow(address asset) external view returns (uint256 startedAt, uint256 debtWad) {
        AssetSlot memory a = _assets[asset];
        return (a.windowStart, a.windowDebtWad);
    }

    /// @inheritdoc ICircuitBreaker
    function badDebtWindow() external view returns (uint256 startedAt, uint256 amountWad) {
        BadDebtSlot memory b = _badDebt;
        return (b.windowStart, b.amountWad);
    }

    /// @inheritdoc ICircuitBreaker
    function isRegistered(address asset) external view returns (bool) {
        return _assets[asset].registered;
    }

    /// @inheritdoc ICircuitBreaker
    function registeredAssets() external view returns (address[] memory) {
        return _assetList;
    }

    /// @inheritdoc ICircuitBreaker
    function isReporter(address reporter) external view returns (bool) {
        return _reporters[reporter];
    }

    // ---------------------------------------------------------------- internal

    /// @dev The highest level among `asset`'s active triggers, with its reason ((0, 0) if none).
    ///      The oracle triggers are exclusive (a read has one status); velocity is added on top.
    function _evaluateAsset(address asset, AssetSlot storage a) internal view returns (uint8 target, bytes32 reason) {
        GlobalSlot storage g = _global;
        (uint256 priceWad, IOracleRouter.Status status) = oracle.getPriceWithStatus(asset);
        if (status == IOracleRouter.Status.Ok) {
            (uint256 delayedWad, ) = oracle.delayedPrice(asset);
            // price < delayed x (1 - tolerance), exact: both prices < 2^128, tolerance < 1e18
            uint256 keptWad = WAD - _assetParams[asset].dropToleranceWad;
            if (delayedWad != 0 && priceWad * WAD < delayedWad * keptWad) {
                (target, reason) = (g.levelPriceDrop, REASON_PRICE_DROP);
            }
        } else if (status == IOracleRouter.Status.SecondaryDeviation) {
            (target, reason) = (g.levelDeviation, REASON_DEVIATION);
        } else if (status == IOracleRouter.Status.PrimaryStale) {
            (target, reason) = (g.levelFeedFailure, REASON_STALE);
        } else if (
            status == IOracleRouter.Status.SequencerDown || status == IOracleRouter.Status.SequencerGracePeriod
        ) {
            (target, reason) = (g.levelFeedFailure, REASON_SEQUENCER);
        } else {
            (target, reason) = (g.levelFeedFailure, REASON_FEED_FAILURE);
        }
        if (
            g.levelVelocity > target &&
            block.timestamp < uint256(a.windowStart) + g.velocityWindowSeconds &&
            a.windowDebtWad > _assetParams[asset].velocityCapacityWad
        ) {
            (target, reason) = (g.levelVelocity, REASON_VELOCITY);
        }
    }

    /// @dev The highest level among the system triggers, with its reason ((0, 0) if none).
    function _evaluateSystem() internal view returns (uint8 target, bytes32 reason) {
        address ch = clearinghouse;
        if (ch == address(0)) revert CircuitBreaker__ClearinghouseNotSet();
        GlobalSlot storage g = _global;
        if (IClearinghouse(ch).deficitWad() > 0) (target, reason) = (g.levelDeficit, REASON_DEFICIT);
        BadDebtSlot storage b = _badDebt;
        if (
            g.levelBadDebt > target &&
            b.amountWad > 0 &&
            block.timestamp < uint256(b.windowStart) + g.badDebtWindowSeconds
        ) {
            int256 netWad = IClearinghouse(ch).vaultNetAssetsWad();
            // threshold rounded down: the trigger fires no later than the exact share
            uint256 thresholdWad = netWad > 0 ? Math.mulDiv(uint256(netWad), g.badDebtShareWad, WAD) : 0;
            if (b.amountWad > thresholdWad) (target, reason) = (g.levelBadDebt, REASON_BAD_DEBT);
        }
    }

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

    function _registered(address asset) internal view returns (AssetSlot storage a) {
        a = _assets[asset];
        if (!a.registered) revert CircuitBreaker__UnknownAsset(asset);
    }

    function _isRegistered(address asset) internal view override returns (bool) {
        return _assets[asset].registered;
    }

    /// @dev `a + b`, capped at `type(uint128).max` (`a` is at most that cap).
    function _saturatingAdd128(uint256 a, uint256 b) internal pure returns (uint256) {
        uint256 cap = type(uint128).max;
        return b >= cap - a ? cap : a + b;
    }

    /// @dev Pushes a scope's new level into the Clearinghouse, which enforces it at every entry
    ///      point with a single storage read (address(0): the global level).
    function _push(address scope, uint8 level) internal {
        address ch = clearinghouse;
        if (ch != address(0)) IClearinghouse(ch).applyBreakerLevel(scope, level);
    }
}
