// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";
import {IMarginModel} from "../interfaces/IMarginModel.sol";
import {IOracleRouter} from "../interfaces/IOracleRouter.sol";
import {ParamTarget} from "./ParamTarget.sol";
import {RiskLevels} from "./RiskLevels.sol";
import {WadMath} from "../libraries/WadMath.sol";

/// @title MarginModel
/// @notice Per-asset EWMA volatility from oracle observations, turned into collateral haircuts and
///         perp margin ratios (static, naive-dynamic or ramped-dynamic).
/// @dev Storage layout per asset (six slots). `riskOf` reads only the first three:
///      slot 0 `Levels`       cached targets + checkpointed maintenance levels;
///      slot 1 `LevelConfig`  listed flag, mode, checkpoint time, ramp rate, initial multiplier, slope;
///      slot 2 `Market`       depth, variance cap, horizon;
///      slots 3-5             volatility parameters and the observation (read by `poke`/`setParam`).
///      The targets depend only on the variance and the parameters, which change only in `poke`
///      and `setParam`; both recompute and cache them, so `riskOf` needs no square root.
///      Rounding is against the account: variance, sigma, targets and initial levels round up; a
///      ramp moves up by a rounded-up step and down by a rounded-down step.
///      `riskOf` encodes those three slots into the words of `RiskLevels` and decodes them with
///      `RiskLevels.riskAt`. Once a ledger is set, the words are pushed to it after every change
///      (`_pushWords`): the ledger runs the same `riskAt` on the same words (ADR 0005).
///      An observation is a new primary-feed round, not a poke (ADR 0012): `poke` folds in a price
///      only when its round's `updatedAt` is later than the last accepted one, and divides the
///      squared return by the time between the two rounds. How often, and when, anyone pokes
///      changes nothing; the EWMA's lambda is applied once per new round.
///      Warning: a return larger than `MAX_RETURN_WAD` (a million-fold move) is saturated; with any
///      realistic time step the variance then hits its cap anyway.
contract MarginModel is IMarginModel, ParamTarget {
    using WadMath for uint256;

    // ---------------------------------------------------------------- constants

    bytes32 public constant MODE = "MODE";
    bytes32 public constant EWMA_LAMBDA_WAD = "EWMA_LAMBDA_WAD";
    bytes32 public constant K_WAD = "K_WAD";
    bytes32 public constant HORIZON_SECONDS = "HORIZON_SECONDS";
    bytes32 public constant HAIRCUT_BASE_WAD = "HAIRCUT_BASE_WAD";
    bytes32 public constant HAIRCUT_CAP_WAD = "HAIRCUT_CAP_WAD";
    bytes32 public constant LIQUIDITY_ADDON_WAD = "LIQUIDITY_ADDON_WAD";
    bytes32 public constant MARGIN_BASE_WAD = "MARGIN_BASE_WAD";
    bytes32 public constant MARGIN_CAP_WAD = "MARGIN_CAP_WAD";
    bytes32 public constant INITIAL_MULTIPLIER_WAD = "INITIAL_MULTIPLIER_WAD";
    bytes32 public constant RAMP_WAD_PER_HOUR = "RAMP_WAD_PER_HOUR";
    bytes32 public constant DEPTH_USD_WAD = "DEPTH_USD_WAD";
    bytes32 public constant SIZE_SLOPE_WAD = "SIZE_SLOPE_WAD";
    bytes32 public constant MAX_VARIANCE_PER_SECOND_WAD = "MAX_VARIANCE_PER_SECOND_WAD";

    /// @notice Highest initial haircut (a collateral always keeps 1% of its value).
    uint256 public constant MAX_INITIAL_HAIRCUT_WAD = RiskLevels.MAX_INITIAL_HAIRCUT_WAD;
    /// @notice Highest initial margin ratio (fully collateralized).
    uint256 public constant MAX_INITIAL_MARGIN_RATIO_WAD = RiskLevels.MAX_INITIAL_MARGIN_RATIO_WAD;
    /// @notice Simple returns above this are saturated before squaring (keeps `poke` revert-free).
    uint256 public constant MAX_RETURN_WAD = 1e24;

    uint256 private constant WAD = 1e18;

    // ---------------------------------------------------------------- immutables

    /// @notice Source of prices for `poke`.
    IOracleRouter public immutable oracle;
    /// @notice The only caller of `addAsset` (the TimelockController).
    address public immutable governance;

    // ---------------------------------------------------------------- storage

    /// @dev Slot 2.
    struct Market {
        uint128 depthUsdWad;
        uint64 maxVariancePerSecondWad;
        uint32 horizonSeconds;
    }

    /// @dev Slot 3.
    struct VolParams {
        uint64 ewmaLambdaWad;
        uint64 kWad;
        uint64 haircutBaseWad;
        uint64 haircutCapWad;
    }

    /// @dev Slot 4.
    struct MarginParams {
        uint64 liquidityAddOnWad;
        uint64 marginBaseWad;
        uint64 marginCapWad;
    }

    /// @dev Slot 5. `lastTime` is the `updatedAt` of the last accepted feed round.
    struct Observation {
        uint128 lastPriceWad;
        uint40 lastTime;
        uint64 variancePerSecondWad;
    }

    /// @dev Slots 0 and 1 (`Levels`, `LevelConfig`) are declared in IMarginModel: what the ledger
    ///      caches is encoded from them (`_words`).
    struct AssetData {
        Levels levels;
        LevelConfig config;
        Market market;
        VolParams vol;
        MarginParams margin;
        Observation obs;
    }

    mapping(address asset => AssetData) private _assets;

    /// @inheritdoc IMarginModel
    address public ledger;

    // ---------------------------------------------------------------- constructor

    constructor(IOracleRouter oracle_, address riskConfig_, address governance_) ParamTarget(riskConfig_) {
        if (address(oracle_) == address(0) || riskConfig_ == address(0) || governance_ == address(0)) {
            revert MarginModel__ZeroAddress();
        }
        oracle = oracle_;
        governance = governance_;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IMarginModel
    /// @dev Defaults: Static; lambda 0.94, k 3, horizon 1 h, haircut 10%..50% (+0), margin
    ///      5%..50%, initial x1.25, ramp 1%/h, depth $10M, slope 0, variance cap 1e15 WAD/s.
    function addAsset(address asset) external {
        if (msg.sender != governance) revert MarginModel__NotGovernance(msg.sender);
        if (asset == address(0)) revert MarginModel__ZeroAddress();
        AssetData storage a = _assets[asset];
        if (a.config.listed) revert MarginModel__AlreadyListed(asset);

        a.vol = VolParams({ewmaLambdaWad: 0.94e18, kWad: 3e18, haircutBaseWad: 0.1e18, haircutCapWad: 0.5e18});
        a.margin = MarginParams({liquidityAddOnWad: 0, marginBaseWad: 0.05e18, marginCapWad: 0.5e18});
        a.market = Market({depthUsdWad: 1e25, maxVariancePerSecondWad: 1e15, horizonSeconds: 3600});
        a.config = LevelConfig({
            listed: true,
            mode: Mode.Static,
            checkpointTime: uint40(block.timestamp),
            rampWadPerHour: 0.01e18,
            initialMultiplierWad: 1.25e18,
            sizeSlopeWad: 0
        });
        a.levels = Levels({
            targetHaircutWad: 0.1e18,
            targetMarginRatioWad: 0.05e18,
            haircutMaintWad: 0.1e18,
            marginRatioMaintWad: 0.05e18
        });
        emit AssetAdded(asset);
        _push(asset, a);
    }

    /// @inheritdoc IMarginModel
    /// @dev Set-once: a second ledger would leave the first one's cache stale.
    function setLedger(address ledger_) external {
        if (msg.sender != governance) revert MarginModel__NotGovernance(msg.sender);
        if (ledger != address(0)) revert MarginModel__LedgerAlreadySet(ledger);
        if (ledger_ == address(0)) revert MarginModel__ZeroAddress();
        if (address(IClearinghouse(ledger_).marginModel()) != address(this)) {
            revert MarginModel__LedgerMismatch(ledger_);
        }
        ledger = ledger_;
        emit LedgerSet(ledger_);
    }

    /// @inheritdoc IMarginModel
    /// @dev Ignored (no state change, no event) when the read is not ok, the price is 0 or above
    ///      2^128 - 1, or the round is not newer than the last accepted one (or is in the future).
    function poke(address asset) external {
        AssetData storage a = _assets[asset];
        if (!a.config.listed) revert MarginModel__UnknownAsset(asset);

        uint256 priceWad;
        uint256 roundTime;
        try oracle.observation(asset) returns (uint256 p, uint256 updatedAt, bool ok) {
            if (!ok) return;
            (priceWad, roundTime) = (p, updatedAt);
        } catch {
            return;
        }
        if (priceWad == 0 || priceWad > type(uint128).max) return;

        Observation memory o = a.obs;
        // One observation per feed round (ADR 0012). A round from the future is not trusted
        // (the router never returns one); the check also makes the uint40 cast below exact.
        if (roundTime <= o.lastTime || roundTime > block.timestamp) return;

        (uint256 levelsBefore, uint256 rampBefore, uint256 marketBefore) = _words(a);
        if (o.lastPriceWad != 0) {
            _checkpointFrom(a, levelsBefore, rampBefore, marketBefore);
            o.variancePerSecondWad = uint64(
                _nextVariance(
                    o.variancePerSecondWad,
                    o.lastPriceWad,
                    priceWad,
                    roundTime - o.lastTime,
                    a.vol.ewmaLambdaWad,
                    a.market.maxVariancePerSecondWad
                )
            );
            _refreshTargets(a, o.variancePerSecondWad);
        }
        o.lastPriceWad = uint128(priceWad);
        o.lastTime = uint40(roundTime);
        a.obs = o;

        (uint256 levelsWord, uint256 rampWord, uint256 marketWord) = _words(a);
        AssetRisk memory risk = RiskLevels.riskAt(levelsWord, rampWord, marketWord, block.timestamp);
        emit VolatilityUpdated(asset, priceWad, o.variancePerSecondWad, risk.haircutMaintWad, risk.marginRatioMaintWad);
        // Unchanged words (a calm market at its base levels) are not pushed again: saves the call
        // and three slot writes. Safe: the ledger holds the words of the last change or nothing.
        if (levelsWord != levelsBefore || rampWord != rampBefore || marketWord != marketBefore) {
            _pushWords(asset, levelsWord, rampWord, marketWord);
        }
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IMarginModel
    /// @dev Reads three slots (levels, config, depth) and runs the ledger's code on the words it
    ///      would push: `RiskLevels.riskAt(RiskLevels.encode(...))`.
    function riskOf(address asset) external view returns (AssetRisk memory) {
        (uint256 levelsWord, uint256 rampWord, uint256 marketWord) = _words(_listed(asset));
        return RiskLevels.riskAt(levelsWord, rampWord, marketWord, block.timestamp);
    }

    /// @inheritdoc IMarginModel
    function riskWords(address asset) external view returns (uint256 levelsWord, uint256 rampWord, uint256 marketWord) {
        return _words(_listed(asset));
    }

    /// @inheritdoc IMarginModel
    function variancePerSecondWad(address asset) external view returns (uint256) {
        return _listed(asset).obs.variancePerSecondWad;
    }

    /// @inheritdoc IMarginModel
    /// @dev Rounded up.
    function horizonVolatilityWad(address asset) external view returns (uint256) {
        AssetData storage a = _listed(asset);
        return _horizonVolatility(a.obs.variancePerSecondWad, a.market.horizonSeconds);
    }

    /// @inheritdoc IMarginModel
    /// @dev In Static mode the targets are the base values.
    function targetLevels(address asset) external view returns (uint256 haircutWad, uint256 marginRatioWad) {
        Levels memory levels = _listed(asset).levels;
        return (levels.targetHaircutWad, levels.targetMarginRatioWad);
    }

    /// @inheritdoc IMarginModel
    function modeOf(address asset) external view returns (Mode) {
        return _listed(asset).config.mode;
    }

    /// @notice The last accepted observation of `asset` (price 0 before the first one): its price
    ///         and the `updatedAt` of the feed round it came from (not the time of the poke).
    function lastObservation(address asset) external view returns (uint256 priceWad, uint256 observedAt) {
        Observation memory o = _listed(asset).obs;
        return (o.lastPriceWad, o.lastTime);
    }

    // ---------------------------------------------------------------- internal

    /// @dev The ramped maintenance levels are checkpointed under the old parameters first, so the
    function _setParam(bytes32 name, address subject, uint256 value) internal override {
        AssetData storage a = _assets[subject];
        if (!a.config.listed) revert ParamTarget__UnknownParam(name, subject);
        if (
            (name == HAIRCUT_BASE_WAD && value > a.vol.haircutCapWad) ||
            (name == HAIRCUT_CAP_WAD && value < a.vol.haircutBaseWad) ||
            (name == MARGIN_BASE_WAD && value > a.margin.marginCapWad) ||
            (name == MARGIN_CAP_WAD && value < a.margin.marginBaseWad)
        ) revert MarginModel__InconsistentParams(name, subject);

        _checkpoint(a);
        // Every value below fits its field: the hard bounds are far inside each type's range.
        if (name == MODE) a.config.mode = Mode(value);
        else if (name == EWMA_LAMBDA_WAD) a.vol.ewmaLambdaWad = uint64(value);
        else if (name == K_WAD) a.vol.kWad = uint64(value);
        else if (name == HORIZON_SECONDS) a.market.horizonSeconds = uint32(value);
        else if (name == HAIRCUT_BASE_WAD) a.vol.haircutBaseWad = uint64(value);
        else if (name == HAIRCUT_CAP_WAD) a.vol.haircutCapWad = uint64(value);
        else if (name == LIQUIDITY_ADDON_WAD) a.margin.liquidityAddOnWad = uint64(value);
        else if (name == MARGIN_BASE_WAD) a.margin.marginBaseWad = uint64(value);
        else if (name == MARGIN_CAP_WAD) a.margin.marginCapWad = uint64(value);
        else if (name == INITIAL_MULTIPLIER_WAD) a.config.initialMultiplierWad = uint64(value);
        else if (name == RAMP_WAD_PER_HOUR) a.config.rampWadPerHour = uint64(value);
        else if (name == DEPTH_USD_WAD) a.market.depthUsdWad = uint128(value);
        else if (name == SIZE_SLOPE_WAD) a.config.sizeSlopeWad = uint64(value);
        else {
            // MAX_VARIANCE_PER_SECOND_WAD: the stored variance is capped at once.
            a.market.maxVariancePerSecondWad = uint64(value);
            if (a.obs.variancePerSecondWad > value) a.obs.variancePerSecondWad = uint64(value);
        }
        _refreshTargets(a, a.obs.variancePerSecondWad);
        _push(subject, a);
    }

    function _getParam(bytes32 name, address subject) internal view override returns (uint256) {
        AssetData storage a = _assets[subject];
        if (!a.config.listed) revert ParamTarget__UnknownParam(name, subject);
        if (name == MODE) return uint256(a.config.mode);
        if (name == EWMA_LAMBDA_WAD) return a.vol.ewmaLambdaWad;
        if (name == K_WAD) return a.vol.kWad;
        if (name == HORIZON_SECONDS) return a.market.horizonSeconds;
        if (name == HAIRCUT_BASE_WAD) return a.vol.haircutBaseWad;
        if (name == HAIRCUT_CAP_WAD) return a.vol.haircutCapWad;
        if (name == LIQUIDITY_ADDON_WAD) return a.margin.liquidityAddOnWad;
        if (name == MARGIN_BASE_WAD) return a.margin.marginBaseWad;
        if (name == MARGIN_CAP_WAD) return a.margin.marginCapWad;
        if (name == INITIAL_MULTIPLIER_WAD) return a.config.initialMultiplierWad;
        if (name == RAMP_WAD_PER_HOUR) return a.config.rampWadPerHour;
        if (name == DEPTH_USD_WAD) return a.market.depthUsdWad;
        if (name == SIZE_SLOPE_WAD) return a.config.sizeSlopeWad;
        return a.market.maxVariancePerSecondWad;
    }

    function _bounds(bytes32 name) internal pure override returns (uint256 min, uint256 max) {
        if (name == MODE) return (0, uint256(type(Mode).max));
        if (name == EWMA_LAMBDA_WAD) return (0.5e18, 0.999e18);
        if (name == K_WAD) return (0.5e18, 10e18);
        if (name == HORIZON_SECONDS) return (60, 7 days);
        if (name == HAIRCUT_BASE_WAD) return (0.01e18, 0.9e18);
        if (name == HAIRCUT_CAP_WAD) return (0.01e18, 0.95e18);
        if (name == LIQUIDITY_ADDON_WAD) return (0, 0.5e18);
        if (name == MARGIN_BASE_WAD) return (0.005e18, 0.5e18);
        if (name == MARGIN_CAP_WAD) return (0.005e18, 0.9e18);
        if (name == INITIAL_MULTIPLIER_WAD) return (1e18, 3e18);
        if (name == RAMP_WAD_PER_HOUR) return (0.0001e18, 0.5e18);
        if (name == DEPTH_USD_WAD) return (1e18, 1e30);
        if (name == SIZE_SLOPE_WAD) return (0, 10e18);
        if (name == MAX_VARIANCE_PER_SECOND_WAD) return (1e9, 1e17);
        revert ParamTarget__UnknownParam(name, address(0));
    }

    function _listed(address asset) internal view returns (AssetData storage a) {
        a = _assets[asset];
        if (!a.config.listed) revert MarginModel__UnknownAsset(asset);
    }

    /// @dev Hands the ledger (if set) the words `riskOf` reads, after every change of them (`poke`
    ///      skips a push when they did not change). Not caught: a failed push reverts the change
    ///      with it, so the ledger holds the current words or (listed before it was set) none.
    function _push(address asset, AssetData storage a) internal {
        (uint256 levelsWord, uint256 rampWord, uint256 marketWord) = _words(a);
        _pushWords(asset, levelsWord, rampWord, marketWord);
    }

    function _pushWords(address asset, uint256 levelsWord, uint256 rampWord, uint256 marketWord) internal {
        address target = ledger;
        if (target != address(0)) IClearinghouse(target).cacheRiskLevels(asset, levelsWord, rampWord, marketWord);
    }

    /// @dev The words `riskOf` and the ledger compute the levels from.
    function _words(
        AssetData storage a
    ) internal view returns (uint256 levelsWord, uint256 rampWord, uint256 marketWord) {
        return RiskLevels.encode(a.levels, a.config, a.market.depthUsdWad);
    }

    /// @dev Stores the current maintenance levels and the time, so later changes start from them.
    function _checkpoint(AssetData storage a) internal {
        (uint256 levelsWord, uint256 rampWord, uint256 marketWord) = _words(a);
        _checkpointFrom(a, levelsWord, rampWord, marketWord);
    }

    /// @dev `_checkpoint` with the asset's current words already computed.
    function _checkpointFrom(AssetData storage a, uint256 levelsWord, uint256 rampWord, uint256 marketWord) internal {
        AssetRisk memory risk = RiskLevels.riskAt(levelsWord, rampWord, marketWord, block.timestamp);
        Levels memory levels = a.levels;
        // maintenance never exceeds the larger of its checkpoint and its target (both uint64)
        levels.haircutMaintWad = uint64(risk.haircutMaintWad);
        levels.marginRatioMaintWad = uint64(risk.marginRatioMaintWad);
        a.levels = levels;
        a.config.checkpointTime = uint40(block.timestamp);
    }

    /// @dev Recomputes and caches the targets from `varianceWad` and the current parameters.
    function _refreshTargets(AssetData storage a, uint256 varianceWad) internal {
        VolParams memory v = a.vol;
        Levels storage levels = a.levels;
        if (a.config.mode == Mode.Static) {
            levels.targetHaircutWad = v.haircutBaseWad;
            levels.targetMarginRatioWad = a.margin.marginBaseWad;
            return;
        }
        MarginParams memory m = a.margin;
        uint256 sigmaKWad = uint256(v.kWad).mulWadUp(_horizonVolatility(varianceWad, a.market.horizonSeconds));
        levels.targetHaircutWad = uint64(_clamp(sigmaKWad + m.liquidityAddOnWad, v.haircutBaseWad, v.haircutCapWad));
        levels.targetMarginRatioWad = uint64(_clamp(sigmaKWad, m.marginBaseWad, m.marginCapWad));
    }

    /// @dev EWMA update with the squared simple return per second over `dt`, the time between the
    ///      two feed rounds (> 0); lambda once per round (ADR 0012). Rounded up, then capped.
    function _nextVariance(
        uint256 varianceWad,
        uint256 lastPriceWad,
        uint256 priceWad,
        uint256 dt,
        uint256 lambdaWad,
        uint256 maxVarianceWad
    ) internal pure returns (uint256) {
        uint256 move = priceWad > lastPriceWad ? priceWad - lastPriceWad : lastPriceWad - priceWad;
        uint256 returnWad = Math.min(move.divWadUp(lastPriceWad), MAX_RETURN_WAD);
        uint256 sampleWad = Math.mulDiv(returnWad, returnWad, WAD * dt, Math.Rounding.Ceil);
        uint256 next = Math.ceilDiv(lambdaWad * varianceWad + (WAD - lambdaWad) * sampleWad, WAD);
        return Math.min(next, maxVarianceWad);
    }

    /// @dev sqrt(variance * horizon) in WAD, rounded up.
    function _horizonVolatility(uint256 varianceWad, uint256 horizonSeconds) internal pure returns (uint256) {
        return Math.sqrt(varianceWad * horizonSeconds * WAD, Math.Rounding.Ceil);
    }

    function _clamp(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        return x < lo ? lo : (x > hi ? hi : x);
    }
}
