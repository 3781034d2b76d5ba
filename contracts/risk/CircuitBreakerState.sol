// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {CircuitBreakerParams} from "./CircuitBreakerParams.sol";

/// @title CircuitBreakerState
/// @notice The circuit breaker's state and what reads it: the scopes' levels, windows and roles,
///         the trigger conditions evaluated against the oracle and the Clearinghouse, and the
///         views. `CircuitBreaker` holds everything that changes a level.
/// @dev No entry point here changes state.
abstract contract CircuitBreakerState is CircuitBreakerParams {
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

    constructor(
        IOracleRouter oracle_,
        address riskConfig_,
        address governance_
    ) CircuitBreakerParams(riskConfig_, governance_) {
        if (address(oracle_) == address(0)) revert CircuitBreaker__ZeroAddress();
        oracle = oracle_;
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
    function liquidationStatusOf(
        address asset
    ) external view returns (uint8 level, bool isSettled, uint256 velocityRoomWad) {
        GlobalSlot storage g = _global;
        AssetSlot storage a = _assets[asset];
        uint8 globalLevel_ = g.level;
        uint8 assetLevel_ = a.level;
        level = globalLevel_ > assetLevel_ ? globalLevel_ : assetLevel_;
        isSettled = g.settled;
        // reportLiquidation's rules: nothing is counted after settlement or for an unknown asset,
        // and a window that has ended counts from zero at the next report
        if (isSettled || !a.registered) return (level, isSettled, type(uint256).max);
        uint256 windowDebtWad = block.timestamp >= uint256(a.windowStart) + g.velocityWindowSeconds
            ? 0
            : a.windowDebtWad;
        uint256 capacityWad = _assetParams[asset].velocityCapacityWad;
        velocityRoomWad = capacityWad > windowDebtWad ? capacityWad - windowDebtWad : 0;
    }

    /// @inheritdoc ICircuitBreaker
    function globalStatus() external view returns (uint8 level, bool isSettled) {
        GlobalSlot storage g = _global;
        return (g.level, g.settled);
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
            // the reference is the higher of the delayed and the queued price: after a gap in
            // pokes the delayed price can be days old, and a fast fall from the queued one (at
            // most a hop older than the last poke) is a drop all the same
            (uint256 queuedWad, ) = oracle.queuedPrice(asset);
            if (delayedWad != 0 && queuedWad > delayedWad) delayedWad = queuedWad;
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

    function _registered(address asset) internal view returns (AssetSlot storage a) {
        a = _assets[asset];
        if (!a.registered) revert CircuitBreaker__UnknownAsset(asset);
    }

    function _isRegistered(address asset) internal view override returns (bool) {
        return _assets[asset].registered;
    }
}
