// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IParamTarget} from "../interfaces/IParamTarget.sol";
import {IRiskConfig} from "../interfaces/IRiskConfig.sol";

/// @title RiskConfig
/// @notice The one door through which risk parameters change. Values live in the modules that
///         read them (IParamTarget, hard bounds in their code); this contract decides who may
///         change a value, in which direction and by how much per update, and emits the event.
/// @dev Roles (OpenZeppelin AccessControl):
///      - DEFAULT_ADMIN_ROLE and GOVERNOR_ROLE: the TimelockController. Only the governor may
///        loosen a parameter; only the admin may grant or revoke any role.
///      - GUARDIAN_ROLE: may tighten a parameter by at most its max step, at once; may not move
///        a governance-only parameter at all (`RiskConfig__GovernanceOnly`).
///      - REGISTRAR_ROLE: the deployer, only to register parameters with their initial values
///        during deployment. It cannot change a registered parameter, can never be granted
///        again (`grantRole` rejects it), and ends with `renounceRegistrar` or `revokeRole`.
///      Rules (max step, safe direction or governance-only) are fixed at registration; nothing
///      can edit them.
///      Warning: the guardian can walk a parameter to its safest hard bound, one max step per
///      block (e.g. a debt ceiling to zero). That is the intended emergency brake.
///      Warning: max step bounds one update per parameter per block; several timelock
///      operations executed in different blocks can still move a parameter further. Each of
///      them is public for the timelock's delay, which is where the audit tool reads them.
contract RiskConfig is IRiskConfig, AccessControl {
    // ---------------------------------------------------------------------------------------
    // Constants
    // ---------------------------------------------------------------------------------------

    /// @notice Role of governance (the TimelockController): registers and moves parameters
    ///         either way.
    bytes32 public constant GOVERNOR_ROLE = keccak256("GOVERNOR_ROLE");
    /// @notice Role of the guardian: moves parameters only in their safe direction.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN_ROLE");
    /// @notice Deployment-time role: registers parameters with their initial values.
    bytes32 public constant REGISTRAR_ROLE = keccak256("REGISTRAR_ROLE");

    // ---------------------------------------------------------------------------------------
    // Storage
    // ---------------------------------------------------------------------------------------

    /// @dev `ParamRule` plus the block of the last update, packed in one slot
    ///      (128 + 8 + 8 + 8 + 64 bits).
    struct StoredRule {
        uint128 maxStep;
        bool higherIsSafer;
        bool registered;
        bool governanceOnly;
        uint64 lastUpdateBlock;
    }

    /// @dev target => name => subject => rule.
    mapping(address target => mapping(bytes32 name => mapping(address subject => StoredRule))) internal _rules;

    // ---------------------------------------------------------------------------------------
    // Constructor
    // ---------------------------------------------------------------------------------------

    /// @param timelock The TimelockController: admin and governor.
    /// @param guardian The guardian (e.g. a multisig).
    /// @param deployer Receives the temporary registrar role; `address(0)` for none.
    constructor(address timelock, address guardian, address deployer) {
        if (timelock == address(0) || guardian == address(0)) revert RiskConfig__ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, timelock);
        _grantRole(GOVERNOR_ROLE, timelock);
        _grantRole(GUARDIAN_ROLE, guardian);
        if (deployer != address(0)) _grantRole(REGISTRAR_ROLE, deployer);
    }

    // ---------------------------------------------------------------------------------------
    // External mutating
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IRiskConfig
    /// @dev Callable by the governor or, during deployment, the registrar. The target enforces
    ///      its hard bounds on `initialValue`; its error bubbles up unchanged.
    function registerParam(
        address target,
        bytes32 name,
        address subject,
        uint256 initialValue,
        uint128 maxStep,
        bool higherIsSafer
    ) external {
        _register(target, name, subject, initialValue, maxStep, higherIsSafer, false);
    }

    /// @inheritdoc IRiskConfig
    /// @dev Same checks as `registerParam`; stores `higherIsSafer` false and `governanceOnly` true.
    function registerGovernanceOnlyParam(
        address target,
        bytes32 name,
        address subject,
        uint256 initialValue,
        uint128 maxStep
    ) external {
        _register(target, name, subject, initialValue, maxStep, false, true);
    }

    /// @inheritdoc IRiskConfig
    /// @dev Setting the current value again is a no-op: it passes for both roles, calls nothing
    ///      and emits nothing.
    function setParam(address target, bytes32 name, address subject, uint256 newValue) external {
        _setParam(target, name, subject, newValue, _isGovernorElseGuardian());
    }

    /// @inheritdoc IRiskConfig
    function setParams(
        address[] calldata targets,
        bytes32[] calldata names,
        address[] calldata subjects,
        uint256[] calldata newValues
    ) external {
        uint256 length = targets.length;
        if (names.length != length || subjects.length != length || newValues.length != length) {
            revert RiskConfig__LengthMismatch();
        }
        bool isGovernor = _isGovernorElseGuardian();
        for (uint256 i; i < length; ++i) {
            _setParam(targets[i], names[i], subjects[i], newValues[i], isGovernor);
        }
    }

    /// @notice Ends the caller's registrar role (deployment is over). Equivalent to
    ///         `renounceRole(REGISTRAR_ROLE, msg.sender)`.
    function renounceRegistrar() external {
        if (!hasRole(REGISTRAR_ROLE, msg.sender)) revert RiskConfig__NotAuthorized(msg.sender);
        _revokeRole(REGISTRAR_ROLE, msg.sender);
    }

    /// @notice AccessControl's `grantRole`, except that the registrar role can never be granted:
    ///         only the constructor gives it, so the registration phase cannot be reopened.
    function grantRole(bytes32 role, address account) public override {
        if (role == REGISTRAR_ROLE) revert RiskConfig__NotAuthorized(msg.sender);
        super.grantRole(role, account);
    }

    // ---------------------------------------------------------------------------------------
    // External views
    // ---------------------------------------------------------------------------------------

    /// @inheritdoc IRiskConfig
    function ruleOf(address target, bytes32 name, address subject) external view returns (ParamRule memory) {
        StoredRule memory rule = _rules[target][name][subject];
        return
            ParamRule({
                maxStep: rule.maxStep,
                higherIsSafer: rule.higherIsSafer,
                registered: rule.registered,
                governanceOnly: rule.governanceOnly
            });
    }

    /// @notice Block of the last update of a parameter through `setParam`/`setParams` (0 if none).
    function lastUpdateBlockOf(address target, bytes32 name, address subject) external view returns (uint256) {
        return _rules[target][name][subject].lastUpdateBlock;
    }

    /// @inheritdoc IRiskConfig
    /// @dev Reads the current value from the target. An unchanged value counts as tightening (it
    ///      does not loosen); any other value of a governance-only parameter counts as loosening.
    ///      Reverts with `RiskConfig__UnknownParam` if not registered.
    function isTightening(
        address target,
        bytes32 name,
        address subject,
        uint256 newValue
    ) external view returns (bool) {
        StoredRule memory rule = _rules[target][name][subject];
        if (!rule.registered) revert RiskConfig__UnknownParam(target, name, subject);
        uint256 current = IParamTarget(target).getParam(name, subject);
        if (rule.governanceOnly) return newValue == current;
        return _tightens(rule.higherIsSafer, current, newValue);
    }

    // ---------------------------------------------------------------------------------------
    // Internal
    // ---------------------------------------------------------------------------------------

    /// @dev True for the governor, false for the guardian; reverts for anyone else. The governor
    ///      check comes first, so an address holding both roles acts as governor.
    function _isGovernorElseGuardian() internal view returns (bool) {
        if (hasRole(GOVERNOR_ROLE, msg.sender)) return true;
        if (hasRole(GUARDIAN_ROLE, msg.sender)) return false;
        revert RiskConfig__NotAuthorized(msg.sender);
    }

    /// @dev Registration shared by `registerParam` and `registerGovernanceOnlyParam`.
    function _register(
        address target,
        bytes32 name,
        address subject,
        uint256 initialValue,
        uint128 maxStep,
        bool higherIsSafer,
        bool governanceOnly
    ) internal {
        if (!hasRole(GOVERNOR_ROLE, msg.sender) && !hasRole(REGISTRAR_ROLE, msg.sender)) {
            revert RiskConfig__NotAuthorized(msg.sender);
        }
        if (target == address(0)) revert RiskConfig__ZeroAddress();
        if (maxStep == 0) revert RiskConfig__ZeroMaxStep(target, name, subject);
        StoredRule storage rule = _rules[target][name][subject];
        if (rule.registered) revert RiskConfig__AlreadyRegistered(target, name, subject);

        rule.maxStep = maxStep;
        rule.higherIsSafer = higherIsSafer;
        rule.registered = true;
        rule.governanceOnly = governanceOnly;
        if (governanceOnly) emit GovernanceOnlyParamRegistered(target, name, subject, initialValue, maxStep);
        else emit ParamRegistered(target, name, subject, initialValue, maxStep, higherIsSafer);

        IParamTarget(target).setParam(name, subject, initialValue);
    }

    /// @dev Checks the rules of one update and applies it. `isGovernor` false means guardian.
    ///      The guardian is refused a governance-only parameter before the step check, so the
    ///      error names the reason whatever the size of the move; an unchanged value stays a
    ///      no-op for both roles.
    function _setParam(address target, bytes32 name, address subject, uint256 newValue, bool isGovernor) internal {
        StoredRule storage rule = _rules[target][name][subject];
        if (!rule.registered) revert RiskConfig__UnknownParam(target, name, subject);

        uint256 current = IParamTarget(target).getParam(name, subject);
        if (newValue == current) return;
        if (!isGovernor && rule.governanceOnly) {
            revert RiskConfig__GovernanceOnly(name, subject, current, newValue);
        }

        uint256 step = newValue > current ? newValue - current : current - newValue;
        uint256 maxStep = rule.maxStep;
        if (step > maxStep) revert RiskConfig__StepTooLarge(name, subject, current, newValue, maxStep);
        if (!isGovernor && !_tightens(rule.higherIsSafer, current, newValue)) {
            revert RiskConfig__GuardianCannotLoosen(name, subject, current, newValue);
        }
        if (rule.lastUpdateBlock == block.number) revert RiskConfig__AlreadyUpdatedThisBlock(target, name, subject);

        rule.lastUpdateBlock = uint64(block.number);
        emit ParamUpdated(target, name, subject, current, newValue, msg.sender);

        IParamTarget(target).setParam(name, subject, newValue);
    }

    /// @dev Whether moving from `current` to `newValue` does not loosen.
    function _tightens(bool higherIsSafer, uint256 current, uint256 newValue) internal pure returns (bool) {
        return higherIsSafer ? newValue >= current : newValue <= current;
    }
}
