// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IMarginModel
/// @notice The dynamic-margin engine. Per asset it keeps an EWMA estimate of volatility from
///         oracle observations and derives collateral haircuts and perp margin ratios from it.
///         The initial (risk-increasing) level follows the volatility target at once; in `Ramped`
///         mode the maintenance level moves toward its target at a bounded rate, so that a
///         volatility spike does not itself liquidate everyone at the worst moment.
/// @dev Units: ratios and haircuts in WAD (1e18 = 100%); variance in WAD per second.
///      Parameters are set through RiskConfig (see IParamTarget).
interface IMarginModel {
    /// @notice How maintenance levels react to volatility.
    /// @dev `Static`: levels are the configured base values, volatility ignored.
    ///      `Dynamic`: maintenance jumps to the volatility target at once (the naive design).
    ///      `Ramped`: maintenance moves toward the target at most `rampWadPerHour` per hour.
    enum Mode {
        Static,
        Dynamic,
        Ramped
    }

    /// @notice Risk levels of one asset, as used by the Clearinghouse.
    /// @param haircutMaintWad Collateral haircut for maintenance (value counts `1 - haircut`).
    /// @param haircutInitWad Collateral haircut for risk-increasing actions (>= maintenance).
    /// @param marginRatioMaintWad Perp maintenance margin ratio before the size add-on.
    /// @param marginRatioInitWad Perp initial margin ratio before the size add-on.
    /// @param depthUsdWad Market depth (USD) used by the size add-on.
    /// @param sizeSlopeWad Add-on slope: ratio += |notional| / depth * slope.
    struct AssetRisk {
        uint256 haircutMaintWad;
        uint256 haircutInitWad;
        uint256 marginRatioMaintWad;
        uint256 marginRatioInitWad;
        uint256 depthUsdWad;
        uint256 sizeSlopeWad;
    }

    /// @notice First slot of the state `riskOf` is computed from: the cached volatility targets and
    ///         the maintenance levels at the last checkpoint.
    struct Levels {
        uint64 targetHaircutWad;
        uint64 targetMarginRatioWad;
        uint64 haircutMaintWad;
        uint64 marginRatioMaintWad;
    }

    /// @notice Second slot of that state: listing, mode, checkpoint time and the ramp, initial and
    ///         size parameters.
    // one slot (248 bits) as declared: the packing hint is a false positive
    // solhint-disable-next-line gas-struct-packing
    struct LevelConfig {
        bool listed;
        Mode mode;
        uint40 checkpointTime;
        uint64 rampWadPerHour;
        uint64 initialMultiplierWad;
        uint64 sizeSlopeWad;
    }

    error MarginModel__UnknownAsset(address asset);
    error MarginModel__ZeroAddress();
    /// @notice `addAsset` was called by someone other than governance.
    error MarginModel__NotGovernance(address caller);
    /// @notice `addAsset` was called for an asset that is already listed.
    error MarginModel__AlreadyListed(address asset);
    /// @notice Setting `name` would break a cross-parameter rule of `asset` (a base above its cap).
    error MarginModel__InconsistentParams(bytes32 name, address asset);
    /// @notice `setLedger` was called a second time (the ledger's cache must never go stale).
    error MarginModel__LedgerAlreadySet(address ledger);
    /// @notice `setLedger` was given a ledger that does not read this margin model.
    error MarginModel__LedgerMismatch(address ledger);
    /// @notice A level does not fit the 60 bits of its field in the pushed words (RiskLevels).
    error MarginModel__LevelOutOfRange(uint256 levelWad);

    event AssetAdded(address indexed asset);
    /// @notice The ledger that caches the risk state was set (once).
    event LedgerSet(address indexed ledger);
    /// @notice Emitted on every accepted observation (a new primary-feed round, see `poke`).
    event VolatilityUpdated(
        address indexed asset,
        uint256 priceWad,
        uint256 variancePerSecondWad,
        uint256 haircutMaintWad,
        uint256 marginRatioMaintWad
    );

    /// @notice Lists `asset` with default parameters (Static mode). Governance only. Parameters of
    ///         an asset can only be set after it is listed.
    function addAsset(address asset) external;

    /// @notice Sets, once, the ledger (Clearinghouse) that caches each asset's risk state. From then
    ///         on every change of that state (listing, accepted poke, parameter change) is pushed to
    ///         it in the same transaction. Governance only; the ledger must read this model.
    function setLedger(address ledger_) external;

    /// @notice The ledger the risk state is pushed to (address(0): none).
    function ledger() external view returns (address);

    /// @notice Reads the oracle for `asset` and, when its primary feed has a new round since the
    ///         last accepted observation (`IOracleRouter.observation`: a later `updatedAt`), folds
    ///         the return between the two rounds, per second of the time between their
    ///         `updatedAt`, into the EWMA variance (lambda once per round). Ignored (no state
    ///         change, no event) when the read is not ok or the round is not new, so neither how
    ///         often nor when anyone pokes changes the estimate (ADR 0012). Keepers poke after
    ///         every feed update. Permissionless; never reverts for a listed asset.
    function poke(address asset) external;

    /// @notice Current risk levels of `asset`. Never reverts for a listed asset.
    function riskOf(address asset) external view returns (AssetRisk memory);

    /// @notice The words `riskOf` is computed from right now (`RiskLevels.encode` of the asset's
    ///         state), which are what the ledger holds after the last push.
    function riskWords(address asset) external view returns (uint256 levelsWord, uint256 rampWord, uint256 marketWord);

    /// @notice Current EWMA variance of `asset`, WAD per second.
    function variancePerSecondWad(address asset) external view returns (uint256);

    /// @notice Volatility over the liquidation horizon: sqrt(variance * horizon), WAD.
    function horizonVolatilityWad(address asset) external view returns (uint256);

    /// @notice Maintenance haircut and margin ratio the volatility asks for right now (before any ramp).
    function targetLevels(address asset) external view returns (uint256 haircutWad, uint256 marginRatioWad);

    /// @notice Margin mode of `asset`.
    function modeOf(address asset) external view returns (Mode);
}
