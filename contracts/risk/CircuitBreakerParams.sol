// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {ParamTarget} from "./ParamTarget.sol";

/// @title CircuitBreakerParams
/// @notice The CircuitBreaker's trigger parameters with their hard bounds, set only through the
///         RiskConfig (which enforces roles, direction and maximum step), and the storage they
///         share with the breaker's hot state.
/// @dev Global parameters (`subject == address(0)`) live in the global slot next to the global
///      level and the settled flag, so the hooks the protocol calls inline read one slot for
///      both. Per-asset parameters (`subject` = a registered asset) live in their own slot.
///      Safe direction for RiskConfig (`higherIsSafer`): tolerances, capacities and shares trip
///      later when higher, so lower is safer; windows, cool-down and trigger levels are safer
///      when higher.
abstract contract CircuitBreakerParams is ICircuitBreaker, ParamTarget {
    // ---------------------------------------------------------------- constants

    /// @notice Largest allowed drop of the current price below the delayed price, WAD, per
    ///         asset. Bounds: 0.01e18 .. 0.9e18. Default 0.15e18. Lower is safer.
    bytes32 public constant DROP_TOLERANCE_WAD = "DROP_TOLERANCE_WAD";
    /// @notice Liquidated debt per window above which the asset trips, WAD USD, per asset.
    ///         Bounds: 1e18 .. 1e33. Default 1_000_000e18. Lower is safer.
    bytes32 public constant VELOCITY_CAPACITY_WAD = "VELOCITY_CAPACITY_WAD";
    /// @notice Length of the liquidation-velocity window, seconds. Bounds: 60 .. 7 days.
    ///         Default 1 hour. Higher is safer.
    bytes32 public constant VELOCITY_WINDOW_SECONDS = "VELOCITY_WINDOW_SECONDS";
    /// @notice Length of the bad-debt window, seconds. Bounds: 60 .. 30 days. Default 1 day.
    ///         Higher is safer.
    bytes32 public constant BAD_DEBT_WINDOW_SECONDS = "BAD_DEBT_WINDOW_SECONDS";
    /// @notice Bad debt in the window, as a share of the vault's net assets, above which the
    ///         global level trips, WAD. Bounds: 0 .. 1e18. Default 0.01e18. Lower is safer.
    bytes32 public constant BAD_DEBT_SHARE_WAD = "BAD_DEBT_SHARE_WAD";
    /// @notice Time a trigger-set level must go unconfirmed before one step of cool-down,
    ///         seconds. Bounds: 60 .. 7 days. Default 1 hour. Higher is safer.
    bytes32 public constant COOLDOWN_SECONDS = "COOLDOWN_SECONDS";
    /// @notice Level set by a price drop beyond tolerance. Bounds: 1 .. 3. Default 1.
    bytes32 public constant LEVEL_PRICE_DROP = "LEVEL_PRICE_DROP";
    /// @notice Level set by a primary/secondary deviation. Bounds: 1 .. 3. Default 1.
    bytes32 public constant LEVEL_DEVIATION = "LEVEL_DEVIATION";
    /// @notice Level set by a stale or failed feed or a sequencer outage. Bounds: 1 .. 3. Default 1.
    bytes32 public constant LEVEL_FEED_FAILURE = "LEVEL_FEED_FAILURE";
    /// @notice Level set by liquidation velocity above capacity. Bounds: 1 .. 3. Default 2.
    bytes32 public constant LEVEL_VELOCITY = "LEVEL_VELOCITY";
    /// @notice Global level set by bad debt above its share of the vault. Bounds: 1 .. 3. Default 2.
    bytes32 public constant LEVEL_BAD_DEBT = "LEVEL_BAD_DEBT";
    /// @notice Global level set by any deficit. Bounds: 1 .. 3. Default 1.
    bytes32 public constant LEVEL_DEFICIT = "LEVEL_DEFICIT";

    uint64 internal constant DEFAULT_DROP_TOLERANCE_WAD = 0.15e18;
    uint128 internal constant DEFAULT_VELOCITY_CAPACITY_WAD = 1_000_000e18;

    // ---------------------------------------------------------------- immutables

    /// @notice Governance (the TimelockController).
    address public immutable governance;

    // ---------------------------------------------------------------- storage

    /// @dev The hot slot (248 bits): read by every `levelOf`, `statusOf` and hook.
    struct GlobalSlot {
        uint8 level;
        uint8 manualFloor;
        bool settled;
        uint40 lastTriggeredAt;
        uint24 velocityWindowSeconds;
        uint24 badDebtWindowSeconds;
        uint24 cooldownSeconds;
        uint64 badDebtShareWad;
        uint8 levelPriceDrop;
        uint8 levelDeviation;
        uint8 levelFeedFailure;
        uint8 levelVelocity;
        uint8 levelBadDebt;
        uint8 levelDeficit;
    }

    /// @dev Per-asset parameters (192 bits), read by `check` and `reportLiquidation`.
    struct AssetParams {
        uint64 dropToleranceWad;
        uint128 velocityCapacityWad;
    }

    GlobalSlot internal _global;
    mapping(address asset => AssetParams) internal _assetParams;

    // ---------------------------------------------------------------- constructor

    constructor(address riskConfig_, address governance_) ParamTarget(riskConfig_) {
        if (riskConfig_ == address(0) || governance_ == address(0)) revert CircuitBreaker__ZeroAddress();
        governance = governance_;
        _global = GlobalSlot({
            level: 0,
            manualFloor: 0,
            settled: false,
            lastTriggeredAt: 0,
            velocityWindowSeconds: 1 hours,
            badDebtWindowSeconds: 1 days,
            cooldownSeconds: 1 hours,
            badDebtShareWad: 0.01e18,
            levelPriceDrop: 1,
            levelDeviation: 1,
            levelFeedFailure: 1,
            levelVelocity: 2,
            levelBadDebt: 2,
            levelDeficit: 1
        });
    }

    // ---------------------------------------------------------------- internal

    /// @dev Reverts with `CircuitBreaker__Settled` after settlement.
    function _setParam(bytes32 name, address subject, uint256 value) internal override {
        if (_global.settled) revert CircuitBreaker__Settled();
        // the bounds above make every narrowing cast below exact
        if (_isAssetParam(name)) {
            if (!_isRegistered(subject)) revert ParamTarget__UnknownParam(name, subject);
            AssetParams storage p = _assetParams[subject];
            if (name == DROP_TOLERANCE_WAD) p.dropToleranceWad = uint64(value);
            else p.velocityCapacityWad = uint128(value);
        } else {
            if (subject != address(0)) revert ParamTarget__UnknownParam(name, subject);
            GlobalSlot storage g = _global;
            if (name == VELOCITY_WINDOW_SECONDS) g.velocityWindowSeconds = uint24(value);
            else if (name == BAD_DEBT_WINDOW_SECONDS) g.badDebtWindowSeconds = uint24(value);
            else if (name == BAD_DEBT_SHARE_WAD) g.badDebtShareWad = uint64(value);
            else if (name == COOLDOWN_SECONDS) g.cooldownSeconds = uint24(value);
            else if (name == LEVEL_PRICE_DROP) g.levelPriceDrop = uint8(value);
            else if (name == LEVEL_DEVIATION) g.levelDeviation = uint8(value);
            else if (name == LEVEL_FEED_FAILURE) g.levelFeedFailure = uint8(value);
            else if (name == LEVEL_VELOCITY) g.levelVelocity = uint8(value);
            else if (name == LEVEL_BAD_DEBT) g.levelBadDebt = uint8(value);
            else g.levelDeficit = uint8(value);
        }
    }

    function _getParam(bytes32 name, address subject) internal view override returns (uint256) {
        if (_isAssetParam(name)) {
            if (!_isRegistered(subject)) revert ParamTarget__UnknownParam(name, subject);
            AssetParams memory p = _assetParams[subject];
            return name == DROP_TOLERANCE_WAD ? p.dropToleranceWad : p.velocityCapacityWad;
        }
        if (subject != address(0)) revert ParamTarget__UnknownParam(name, subject);
        GlobalSlot memory g = _global;
        if (name == VELOCITY_WINDOW_SECONDS) return g.velocityWindowSeconds;
        if (name == BAD_DEBT_WINDOW_SECONDS) return g.badDebtWindowSeconds;
        if (name == BAD_DEBT_SHARE_WAD) return g.badDebtShareWad;
        if (name == COOLDOWN_SECONDS) return g.cooldownSeconds;
        if (name == LEVEL_PRICE_DROP) return g.levelPriceDrop;
        if (name == LEVEL_DEVIATION) return g.levelDeviation;
        if (name == LEVEL_FEED_FAILURE) return g.levelFeedFailure;
        if (name == LEVEL_VELOCITY) return g.levelVelocity;
        if (name == LEVEL_BAD_DEBT) return g.levelBadDebt;
        return g.levelDeficit;
    }

    function _bounds(bytes32 name) internal pure override returns (uint256 min, uint256 max) {
        if (name == DROP_TOLERANCE_WAD) return (0.01e18, 0.9e18);
        if (name == VELOCITY_CAPACITY_WAD) return (1e18, 1e33);
        if (name == VELOCITY_WINDOW_SECONDS) return (60, 7 days);
        if (name == BAD_DEBT_WINDOW_SECONDS) return (60, 30 days);
        if (name == BAD_DEBT_SHARE_WAD) return (0, 1e18);
        if (name == COOLDOWN_SECONDS) return (60, 7 days);
        if (
            name == LEVEL_PRICE_DROP ||
            name == LEVEL_DEVIATION ||
            name == LEVEL_FEED_FAILURE ||
            name == LEVEL_VELOCITY ||
            name == LEVEL_BAD_DEBT ||
            name == LEVEL_DEFICIT
        ) return (1, 3);
        revert ParamTarget__UnknownParam(name, address(0));
    }

    function _isAssetParam(bytes32 name) internal pure returns (bool) {
        return name == DROP_TOLERANCE_WAD || name == VELOCITY_CAPACITY_WAD;
    }

    function _isRegistered(address asset) internal view virtual returns (bool);
}
