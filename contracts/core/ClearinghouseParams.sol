// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearinghouseBase} from "../interfaces/IClearinghouseBase.sol";
import {ParamTarget} from "../risk/ParamTarget.sol";

/// @title ClearinghouseParams
/// @notice The Clearinghouse's risk parameters with their hard bounds, set only through the
///         RiskConfig (which enforces roles, direction and maximum step).
/// @dev Global parameters use `subject == address(0)`; deposit caps use the collateral token;
///      market parameters use the market (underlying asset) address.
abstract contract ClearinghouseParams is IClearinghouseBase, ParamTarget {
    // ---------------------------------------------------------------- constants

    /// @notice Stability fee per second, RAY. Bounds: 0 .. 1e20 (about 370% a year, linear).
    bytes32 public constant STABILITY_FEE_PER_SECOND_RAY = "STABILITY_FEE_PER_SECOND_RAY";
    /// @notice Maximum total debt, WAD. Bounds: 0 .. 1e33.
    bytes32 public constant DEBT_CEILING_WAD = "DEBT_CEILING_WAD";
    /// @notice Smallest non-zero debt a borrow may leave (dust), WAD. Bounds: 0 .. 1e24.
    bytes32 public constant MIN_DEBT_WAD = "MIN_DEBT_WAD";
    /// @notice Maximum total deposits of a collateral, token decimals. Bounds: 0 .. 1e36.
    bytes32 public constant DEPOSIT_CAP = "DEPOSIT_CAP";
    /// @notice Skew (units of the underlying, WAD) at which the fill premium is 100%. Bounds: 1 .. 1e33 WAD.
    bytes32 public constant SKEW_SCALE_WAD = "SKEW_SCALE_WAD";
    /// @notice Funding-rate drift per day at full proportional skew, WAD. Bounds: 0 .. 10e18.
    bytes32 public constant MAX_FUNDING_VELOCITY_WAD = "MAX_FUNDING_VELOCITY_WAD";
    /// @notice Fee on traded notional, WAD. Bounds: 0 .. 0.05e18 (5%).
    bytes32 public constant TAKER_FEE_WAD = "TAKER_FEE_WAD";
    /// @notice Open-interest cap per side, units of the underlying, WAD. Bounds: 0 .. 1e33.
    bytes32 public constant MAX_OPEN_INTEREST_WAD = "MAX_OPEN_INTEREST_WAD";
    /// @notice Maximum |skew| notional as a multiple of the vault's credit, WAD. Bounds: 0 .. 100e18.
    bytes32 public constant SKEW_CAP_RATIO_WAD = "SKEW_CAP_RATIO_WAD";
    /// @notice How long prices cached by `refreshPrices` serve initial-margin checks, seconds
    ///         (0: never, every check reads the oracle; ADR 0006). Bounds: 0 .. 3600.
    bytes32 public constant PRICE_MAX_AGE_SECONDS = "PRICE_MAX_AGE_SECONDS";

    // ---------------------------------------------------------------- immutables

    address public immutable governance;

    // ---------------------------------------------------------------- storage

    /// @dev Two slots: the first is all that funding accrual and a fill need; the second only the
    ///      caps of a risk-increasing fill.
    struct MarketParams {
        uint128 skewScaleWad;
        uint64 maxFundingVelocityWad;
        uint64 takerFeeWad;
        uint128 maxOpenInterestWad;
        uint128 skewCapRatioWad;
    }

    mapping(address token => uint256 cap) internal _depositCap;
    mapping(address market => MarketParams) internal _marketParams;
    /// @dev One slot, read only when a borrow adds debt. The hard bounds fit the types.
    uint128 internal _debtCeilingWad;
    uint128 internal _minDebtWad;
    /// @dev Declared last on purpose: these two share their slot with the Clearinghouse's fee
    ///      index and last accrual time (the first variables of the derived contract), so a fee
    ///      accrual reads one slot, and a health check gets the price age bound from the slot the
    ///      accrual already read. Bounds 1e20 < 2^72 and 3600 < 2^16.
    uint72 internal _stabilityFeePerSecondRay;
    uint16 internal _priceMaxAgeSeconds;

    // ---------------------------------------------------------------- constructor

    constructor(address riskConfig_, address governance_) ParamTarget(riskConfig_) {
        if (riskConfig_ == address(0) || governance_ == address(0)) revert Clearinghouse__ZeroAddress();
        governance = governance_;
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert Clearinghouse__NotGovernance(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- internal

    function _setParam(bytes32 name, address subject, uint256 value) internal override {
        if (_isGlobal(name)) {
            if (subject != address(0)) revert ParamTarget__UnknownParam(name, subject);
            _beforeGlobalParamChange();
            // the hard bounds (1e20, 1e33, 1e24, 3600) fit the storage types: the casts are exact
            if (name == STABILITY_FEE_PER_SECOND_RAY) _stabilityFeePerSecondRay = uint72(value);
            else if (name == DEBT_CEILING_WAD) _debtCeilingWad = uint128(value);
            else if (name == MIN_DEBT_WAD) _minDebtWad = uint128(value);
            else _priceMaxAgeSeconds = uint16(value);
        } else if (name == DEPOSIT_CAP) {
            if (!_isCollateral(subject)) revert ParamTarget__UnknownParam(name, subject);
            _depositCap[subject] = value;
        } else {
            if (!_isMarket(subject)) revert ParamTarget__UnknownParam(name, subject);
            _beforeMarketParamChange(subject);
            MarketParams storage p = _marketParams[subject];
            if (name == SKEW_SCALE_WAD) p.skewScaleWad = uint128(value);
            else if (name == MAX_FUNDING_VELOCITY_WAD) p.maxFundingVelocityWad = uint64(value);
            else if (name == TAKER_FEE_WAD) p.takerFeeWad = uint64(value);
            else if (name == MAX_OPEN_INTEREST_WAD) p.maxOpenInterestWad = uint128(value);
            else p.skewCapRatioWad = uint128(value);
        }
    }

    function _getParam(bytes32 name, address subject) internal view override returns (uint256) {
        if (_isGlobal(name)) {
            if (subject != address(0)) revert ParamTarget__UnknownParam(name, subject);
            if (name == STABILITY_FEE_PER_SECOND_RAY) return _stabilityFeePerSecondRay;
            if (name == DEBT_CEILING_WAD) return _debtCeilingWad;
            if (name == MIN_DEBT_WAD) return _minDebtWad;
            return _priceMaxAgeSeconds;
        }
        if (name == DEPOSIT_CAP) {
            if (!_isCollateral(subject)) revert ParamTarget__UnknownParam(name, subject);
            return _depositCap[subject];
        }
        if (!_isMarket(subject)) revert ParamTarget__UnknownParam(name, subject);
        MarketParams memory p = _marketParams[subject];
        if (name == SKEW_SCALE_WAD) return p.skewScaleWad;
        if (name == MAX_FUNDING_VELOCITY_WAD) return p.maxFundingVelocityWad;
        if (name == TAKER_FEE_WAD) return p.takerFeeWad;
        if (name == MAX_OPEN_INTEREST_WAD) return p.maxOpenInterestWad;
        return p.skewCapRatioWad;
    }

    function _bounds(bytes32 name) internal pure override returns (uint256 min, uint256 max) {
        if (name == STABILITY_FEE_PER_SECOND_RAY) return (0, 1e20);
        if (name == DEBT_CEILING_WAD) return (0, 1e33);
        if (name == MIN_DEBT_WAD) return (0, 1e24);
        if (name == DEPOSIT_CAP) return (0, 1e36);
        if (name == SKEW_SCALE_WAD) return (1e18, 1e33);
        if (name == MAX_FUNDING_VELOCITY_WAD) return (0, 10e18);
        if (name == TAKER_FEE_WAD) return (0, 0.05e18);
        if (name == MAX_OPEN_INTEREST_WAD) return (0, 1e33);
        if (name == SKEW_CAP_RATIO_WAD) return (0, 100e18);
        if (name == PRICE_MAX_AGE_SECONDS) return (0, 3600);
        revert ParamTarget__UnknownParam(name, address(0));
    }

    function _isGlobal(bytes32 name) internal pure returns (bool) {
        return
            name == STABILITY_FEE_PER_SECOND_RAY ||
            name == DEBT_CEILING_WAD ||
            name == MIN_DEBT_WAD ||
            name == PRICE_MAX_AGE_SECONDS;
    }

    function _beforeGlobalParamChange() internal virtual;

    function _beforeMarketParamChange(address market) internal virtual;

    function _isCollateral(address token) internal view virtual returns (bool);

    function _isMarket(address market) internal view virtual returns (bool);
}
