// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IParamTarget
/// @notice A module whose risk parameters are set through RiskConfig. The module owns the hard
///         bounds of each parameter (constants in its code) and rejects values outside them;
///         RiskConfig owns who may change a parameter, in which direction and by how much.
interface IParamTarget {
    /// @notice The parameter name is not one this module knows, or `subject` is not valid for it.
    error ParamTarget__UnknownParam(bytes32 name, address subject);
    /// @notice The value is outside the parameter's hard bounds (inclusive).
    error ParamTarget__OutOfBounds(bytes32 name, address subject, uint256 value, uint256 min, uint256 max);
    /// @notice Only the RiskConfig may set parameters.
    error ParamTarget__NotRiskConfig(address caller);

    /// @notice Emitted by the module when a parameter takes a new value.
    event ParamSet(bytes32 indexed name, address indexed subject, uint256 value);

    /// @notice Sets parameter `name` for `subject` (an asset or market address; `address(0)` for
    ///         global parameters). Only callable by the RiskConfig.
    function setParam(bytes32 name, address subject, uint256 value) external;

    /// @notice Current value of a parameter. Reverts with `ParamTarget__UnknownParam` if unknown.
    function getParam(bytes32 name, address subject) external view returns (uint256 value);

    /// @notice Hard bounds of a parameter (inclusive), as written in the module's code.
    function paramBounds(bytes32 name) external view returns (uint256 min, uint256 max);
}
