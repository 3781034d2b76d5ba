// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILiquidationEngine} from "../interfaces/ILiquidationEngine.sol";
import {ParamTarget} from "../risk/ParamTarget.sol";

/// @title LiquidationEngineParams
/// @notice The liquidation engine's parameters with their hard bounds, set only through the
///         RiskConfig. Global parameters use `subject == address(0)`; `ASSET_TAB_CAP_WAD` uses the
///         collateral token.
abstract contract LiquidationEngineParams is ILiquidationEngine, ParamTarget {
    // ---------------------------------------------------------------- constants

    /// @notice Maintenance health a partial liquidation restores, WAD. Bounds: 1.01e18 .. 3e18.
    bytes32 public constant TARGET_HEALTH_WAD = "TARGET_HEALTH_WAD";
    /// @notice Collateral liquidation penalty: tab = debt x (1 + penalty), WAD. Bounds: 0.01e18 .. 0.3e18.
    bytes32 public constant PENALTY_WAD = "PENALTY_WAD";
    /// @notice Perp liquidation penalty on closed notional, WAD. Bounds: 0.001e18 .. 0.05e18.
    bytes32 public constant PERP_PENALTY_WAD = "PERP_PENALTY_WAD";
    /// @notice Keeper's share of the perp penalty, WAD. Bounds: 0 .. 0.5e18.
    bytes32 public constant PERP_KEEPER_SHARE_WAD = "PERP_KEEPER_SHARE_WAD";
    /// @notice Debt below which (left or total) the whole account is liquidated, WAD. Bounds: 0 .. 1e24.
    bytes32 public constant DUST_DEBT_WAD = "DUST_DEBT_WAD";
    /// @notice Global cap on the tab of running auctions (Maker's Hole), WAD. Bounds: 0 .. 1e33.
    bytes32 public constant MAX_TAB_IN_FLIGHT_WAD = "MAX_TAB_IN_FLIGHT_WAD";
    /// @notice Per-asset cap on the tab of running auctions (Maker's hole), WAD. Bounds: 0 .. 1e33.
    bytes32 public constant ASSET_TAB_CAP_WAD = "ASSET_TAB_CAP_WAD";
    /// @notice Length of the liquidation-capacity window, seconds. Bounds: 60 .. 1 day.
    bytes32 public constant WINDOW_SECONDS = "WINDOW_SECONDS";
    /// @notice Debt that may be liquidated per window, WAD. Bounds: 0 .. 1e33.
    bytes32 public constant WINDOW_CAPACITY_WAD = "WINDOW_CAPACITY_WAD";

    // ---------------------------------------------------------------- storage

    /// @dev Read together on every liquidation (three slots). The third slot also holds the
    ///      liquidation window's state (the debt liquidated in it and when it started), so the
    ///      window costs no slot of its own. The types hold every value the bounds allow
    ///      (1e24 < 2^80, 1e33 < 2^112, 1 day < 2^32); the window's debt never exceeds a capacity
    ///      it was checked against, and a timestamp fits 32 bits until 2106.
    struct Config {
        // slot 1
        uint64 targetHealthWad;
        uint64 penaltyWad;
        uint64 perpPenaltyWad;
        uint64 perpKeeperShareWad;
        // slot 2
        uint80 dustDebtWad;
        uint112 maxTabInFlightWad;
        uint32 windowSeconds;
        // slot 3
        uint112 windowCapacityWad;
        uint112 windowUsedWad;
        uint32 windowStart;
    }

    Config internal _cfg;
    mapping(address token => uint256 capWad) internal _assetTabCapWad;

    // ---------------------------------------------------------------- constructor

    constructor(address riskConfig_) ParamTarget(riskConfig_) {
        if (riskConfig_ == address(0)) revert LiquidationEngine__ZeroAddress();
    }

    // ---------------------------------------------------------------- internal

    function _setParam(bytes32 name, address subject, uint256 value) internal override {
        _checkSubject(name, subject);
        // the bounds make every narrowing cast below exact
        if (name == ASSET_TAB_CAP_WAD) _assetTabCapWad[subject] = value;
        else if (name == TARGET_HEALTH_WAD) _cfg.targetHealthWad = uint64(value);
        else if (name == PENALTY_WAD) _cfg.penaltyWad = uint64(value);
        else if (name == PERP_PENALTY_WAD) _cfg.perpPenaltyWad = uint64(value);
        else if (name == PERP_KEEPER_SHARE_WAD) _cfg.perpKeeperShareWad = uint64(value);
        else if (name == DUST_DEBT_WAD) _cfg.dustDebtWad = uint80(value);
        else if (name == MAX_TAB_IN_FLIGHT_WAD) _cfg.maxTabInFlightWad = uint112(value);
        else if (name == WINDOW_SECONDS) _cfg.windowSeconds = uint32(value);
        else _cfg.windowCapacityWad = uint112(value);
    }

    function _getParam(bytes32 name, address subject) internal view override returns (uint256) {
        _checkSubject(name, subject);
        if (name == ASSET_TAB_CAP_WAD) return _assetTabCapWad[subject];
        if (name == TARGET_HEALTH_WAD) return _cfg.targetHealthWad;
        if (name == PENALTY_WAD) return _cfg.penaltyWad;
        if (name == PERP_PENALTY_WAD) return _cfg.perpPenaltyWad;
        if (name == PERP_KEEPER_SHARE_WAD) return _cfg.perpKeeperShareWad;
        if (name == DUST_DEBT_WAD) return _cfg.dustDebtWad;
        if (name == MAX_TAB_IN_FLIGHT_WAD) return _cfg.maxTabInFlightWad;
        if (name == WINDOW_SECONDS) return _cfg.windowSeconds;
        return _cfg.windowCapacityWad;
    }

    function _bounds(bytes32 name) internal pure override returns (uint256 min, uint256 max) {
        if (name == TARGET_HEALTH_WAD) return (1.01e18, 3e18);
        if (name == PENALTY_WAD) return (0.01e18, 0.3e18);
        if (name == PERP_PENALTY_WAD) return (0.001e18, 0.05e18);
        if (name == PERP_KEEPER_SHARE_WAD) return (0, 0.5e18);
        if (name == DUST_DEBT_WAD) return (0, 1e24);
        if (name == MAX_TAB_IN_FLIGHT_WAD || name == ASSET_TAB_CAP_WAD || name == WINDOW_CAPACITY_WAD) {
            return (0, 1e33);
        }
        if (name == WINDOW_SECONDS) return (60, 1 days);
        revert ParamTarget__UnknownParam(name, address(0));
    }

    /// @dev Per-asset parameters need a token; global ones take address(0).
    function _checkSubject(bytes32 name, address subject) internal pure {
        bool perAsset = name == ASSET_TAB_CAP_WAD;
        if (perAsset == (subject == address(0))) revert ParamTarget__UnknownParam(name, subject);
    }
}
