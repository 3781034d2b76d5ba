// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IParamTarget} from "../interfaces/IParamTarget.sol";

/// @title ParamTarget
/// @notice The part every module with RiskConfig-governed parameters shares: only the RiskConfig
///         sets, a value outside the module's hard bounds is rejected, and every change is an
///         event. The module supplies its bounds and where each parameter lives.
abstract contract ParamTarget is IParamTarget {
    // ---------------------------------------------------------------- immutables

    /// @notice The only caller of `setParam` (which enforces roles, direction and maximum step).
    address public immutable riskConfig;

    // ---------------------------------------------------------------- constructor

    /// @dev The module's constructor rejects a zero `riskConfig_` with its own error.
    constructor(address riskConfig_) {
        riskConfig = riskConfig_;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IParamTarget
    /// @dev Virtual only so that a module at the code size limit (the Clearinghouse) can run this
    ///      in a delegate module; the rules stay these.
    function setParam(bytes32 name, address subject, uint256 value) external virtual {
        if (msg.sender != riskConfig) revert ParamTarget__NotRiskConfig(msg.sender);
        (uint256 min, uint256 max) = _bounds(name);
        if (value < min || value > max) revert ParamTarget__OutOfBounds(name, subject, value, min, max);
        _setParam(name, subject, value);
        emit ParamSet(name, subject, value);
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IParamTarget
    function getParam(bytes32 name, address subject) external view returns (uint256) {
        _bounds(name);
        return _getParam(name, subject);
    }

    /// @inheritdoc IParamTarget
    function paramBounds(bytes32 name) external pure returns (uint256 min, uint256 max) {
        return _bounds(name);
    }

    // ---------------------------------------------------------------- internal

    /// @dev Hard bounds of `name` (inclusive); reverts `ParamTarget__UnknownParam` for an unknown name.
    function _bounds(bytes32 name) internal pure virtual returns (uint256 min, uint256 max);

    /// @dev Stores `value` (already within the bounds, so narrowing casts are exact) after checking
    ///      that `subject` is valid for `name` (else `ParamTarget__UnknownParam`) and whatever else
    ///      the module requires.
    function _setParam(bytes32 name, address subject, uint256 value) internal virtual;

    /// @dev The current value; reverts `ParamTarget__UnknownParam` when `subject` is not valid for `name`.
    function _getParam(bytes32 name, address subject) internal view virtual returns (uint256);
}
