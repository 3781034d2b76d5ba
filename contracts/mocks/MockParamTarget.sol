// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IParamTarget} from "../interfaces/IParamTarget.sol";

/// @title MockParamTarget
/// @notice A minimal module with two risk parameters, set only through its RiskConfig:
///         - `haircut` per asset (subject != 0), WAD, hard bounds [0.01e18, 0.9e18], higher is safer;
///         - `debtCeiling` global (subject == 0), WAD USD, hard bounds [0, 1e30], lower is safer.
///         It shows the pattern a real module follows: bounds as constants in code, the value in
///         the module's own storage (a warm, cheap read on its hot path).
contract MockParamTarget is IParamTarget {
    // ---------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------

    /// @notice Name of the per-asset haircut (ethers.encodeBytes32String("haircut")).
    bytes32 public constant HAIRCUT = "haircut";
    /// @notice Name of the global debt ceiling (ethers.encodeBytes32String("debtCeiling")).
    bytes32 public constant DEBT_CEILING = "debtCeiling";

    uint256 public constant HAIRCUT_MIN_WAD = 0.01e18;
    uint256 public constant HAIRCUT_MAX_WAD = 0.9e18;
    uint256 public constant DEBT_CEILING_MIN_WAD = 0;
    uint256 public constant DEBT_CEILING_MAX_WAD = 1e30;

    // ---------------------------------------------------------------------------------------
    // Immutables
    // ---------------------------------------------------------------------------------------

    /// @notice The only address allowed to set parameters.
    address public immutable riskConfig;

    // ---------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------

    /// @notice Haircut per asset, WAD.
    mapping(address asset => uint256) public haircutWad;
    /// @notice Global debt ceiling, WAD USD.
    uint256 public debtCeilingWad;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    constructor(address riskConfig_) {
        riskConfig = riskConfig_;
    }

    // ---------------------------------------------------------------------------------------
    // External mutating
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IParamTarget
    function setParam(bytes32 name, address subject, uint256 value) external {
        if (msg.sender != riskConfig) revert ParamTarget__NotRiskConfig(msg.sender);
        _checkSubject(name, subject);
        (uint256 min, uint256 max) = _bounds(name);
        if (value < min || value > max) revert ParamTarget__OutOfBounds(name, subject, value, min, max);
        if (name == HAIRCUT) haircutWad[subject] = value;
        else debtCeilingWad = value;
        emit ParamSet(name, subject, value);
    }

    // ---------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IParamTarget
    function getParam(bytes32 name, address subject) external view returns (uint256 value) {
        _checkSubject(name, subject);
        return name == HAIRCUT ? haircutWad[subject] : debtCeilingWad;
    }

    /// @inheritdoc IParamTarget
    function paramBounds(bytes32 name) external pure returns (uint256 min, uint256 max) {
        return _bounds(name);
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    function _checkSubject(bytes32 name, address subject) internal pure {
        bool valid = (name == HAIRCUT && subject != address(0)) || (name == DEBT_CEILING && subject == address(0));
        if (!valid) revert ParamTarget__UnknownParam(name, subject);
    }

    function _bounds(bytes32 name) internal pure returns (uint256 min, uint256 max) {
        if (name == HAIRCUT) return (HAIRCUT_MIN_WAD, HAIRCUT_MAX_WAD);
        if (name == DEBT_CEILING) return (DEBT_CEILING_MIN_WAD, DEBT_CEILING_MAX_WAD);
        revert ParamTarget__UnknownParam(name, address(0));
    }
}
