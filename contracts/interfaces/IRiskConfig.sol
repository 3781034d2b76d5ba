// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IRiskConfig
/// @notice The single door through which risk parameters change. Each registered parameter
///         (target module, name, subject) has a maximum change per update and a safe direction.
///         The guardian may only tighten (move toward the safe direction) and at once; any
///         loosening goes through governance, which is an OpenZeppelin TimelockController.
///         A parameter whose effect on risk is not monotone in its value (a mode switch, a
///         smoothing factor, a ramp speed: either direction can loosen in some market) has no
///         safe direction: it is registered governance-only and the guardian cannot move it.
///         Hard bounds live in the target module's code (IParamTarget) and are always enforced.
interface IRiskConfig {
    /// @notice Rules of one parameter.
    /// @param maxStep Largest absolute change per update, in the parameter's own unit.
    /// @param higherIsSafer True if raising the value tightens risk (e.g. a haircut), false if
    ///        lowering it does (e.g. a debt ceiling). Always false, and meaningless, for a
    ///        governance-only parameter.
    /// @param registered Whether the parameter exists.
    /// @param governanceOnly True if no direction is safe: only governance (the timelock) may
    ///        change the value, either way; the guardian may not move it at all.
    struct ParamRule {
        uint128 maxStep;
        bool higherIsSafer;
        bool registered;
        bool governanceOnly;
    }

    error RiskConfig__UnknownParam(address target, bytes32 name, address subject);
    error RiskConfig__AlreadyRegistered(address target, bytes32 name, address subject);
    error RiskConfig__StepTooLarge(bytes32 name, address subject, uint256 current, uint256 requested, uint256 maxStep);
    error RiskConfig__GuardianCannotLoosen(bytes32 name, address subject, uint256 current, uint256 requested);
    /// @notice The guardian asked to change a governance-only parameter (in either direction):
    ///         only the timelock may change it.
    error RiskConfig__GovernanceOnly(bytes32 name, address subject, uint256 current, uint256 requested);
    error RiskConfig__NotAuthorized(address caller);
    error RiskConfig__ZeroAddress();
    error RiskConfig__LengthMismatch();
    /// @notice A parameter must be registered with a non-zero max step.
    error RiskConfig__ZeroMaxStep(address target, bytes32 name, address subject);
    /// @notice A parameter may change at most once per block, so a batch cannot chain several
    ///         max steps into one.
    error RiskConfig__AlreadyUpdatedThisBlock(address target, bytes32 name, address subject);

    event ParamRegistered(
        address indexed target,
        bytes32 indexed name,
        address indexed subject,
        uint256 initialValue,
        uint256 maxStep,
        bool higherIsSafer
    );
    /// @notice A parameter registered governance-only (`registerGovernanceOnlyParam`); every
    ///         registration emits either this or `ParamRegistered`.
    event GovernanceOnlyParamRegistered(
        address indexed target,
        bytes32 indexed name,
        address indexed subject,
        uint256 initialValue,
        uint256 maxStep
    );
    event ParamUpdated(
        address indexed target,
        bytes32 indexed name,
        address indexed subject,
        uint256 oldValue,
        uint256 newValue,
        address caller
    );

    /// @notice Registers a parameter with its rules and initial value (the value is still checked
    ///         against the target's hard bounds). Governance only.
    function registerParam(
        address target,
        bytes32 name,
        address subject,
        uint256 initialValue,
        uint128 maxStep,
        bool higherIsSafer
    ) external;

    /// @notice Registers a parameter that has no safe direction, with its max step and initial
    ///         value (checked against the target's hard bounds): only governance may ever change
    ///         it, by at most `maxStep` per update; the guardian's `setParam` reverts with
    ///         `RiskConfig__GovernanceOnly` whichever way it moves. Governance only (or the
    ///         registrar during deployment), like `registerParam`.
    function registerGovernanceOnlyParam(
        address target,
        bytes32 name,
        address subject,
        uint256 initialValue,
        uint128 maxStep
    ) external;

    /// @notice Changes a parameter by at most its max step. Governance may move it either way;
    ///         the guardian only in the safe direction, and never a governance-only parameter.
    function setParam(address target, bytes32 name, address subject, uint256 newValue) external;

    /// @notice `setParam` for several parameters in one call (one timelock operation), with the
    ///         same rules for each entry. Reverts with `RiskConfig__LengthMismatch` if the arrays
    ///         differ in length. All or nothing.
    function setParams(
        address[] calldata targets,
        bytes32[] calldata names,
        address[] calldata subjects,
        uint256[] calldata newValues
    ) external;

    /// @notice Rules of a parameter.
    function ruleOf(address target, bytes32 name, address subject) external view returns (ParamRule memory);

    /// @notice Whether a change from the current value to `newValue` tightens (true) or loosens.
    ///         For a governance-only parameter every change counts as loosening (it needs the
    ///         timelock): true only when `newValue` is the current value.
    function isTightening(address target, bytes32 name, address subject, uint256 newValue) external view returns (bool);
}
