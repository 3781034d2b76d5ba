// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev Level 0: normal operation.
uint8 constant BREAKER_NORMAL = 0;
/// @dev Level 1: reduce-only. No borrow, no position increase, no withdrawal by an account
///      with debt or positions.
uint8 constant BREAKER_REDUCE_ONLY = 1;
/// @dev Level 2: level 1 plus a liquidation pause: no new auctions (liquidate/kick) and no redo.
uint8 constant BREAKER_LIQUIDATION_PAUSE = 2;
/// @dev Level 3: level 2 plus frozen: no withdrawal at all and no auction take.
uint8 constant BREAKER_FROZEN = 3;

/// @title ICircuitBreaker
/// @notice Protocol-wide brakes, one level per asset and one global level, plus an irreversible
///         global settlement. The level that applies to an action on `asset` is
///         `levelOf(asset) = max(globalLevel(), assetLevel(asset))`:
///         0 normal; 1 reduce-only; 2 liquidation pause; 3 frozen (see docs/circuit-breaker.md
///         for the action table). Repay, deposit and reducing or closing a position pass at
///         every level; only settlement ends them.
///
///         Who moves a level:
///         - triggers (permissionless `check`, `checkSystem`, and the reporter hooks) only raise
///           it, to the trigger's configured level, and refresh its "last triggered" time while
///           the condition persists;
///         - the guardian raises it at once (`raiseGlobal`, `raiseAsset`) and never lowers it;
///         - governance (the TimelockController) sets it to anything (`setGlobalLevel`,
///           `setAssetLevel`);
///         - anyone may `cooldown` a trigger-set level by one step once no active trigger
///           justifies it and `COOLDOWN_SECONDS` have passed since it was last raised, confirmed
///           or cooled. A level set by the guardian or governance is a manual floor that never
///           cools down: only governance lowers it.
/// @dev Cheap reads: `levelOf` and `statusOf` are two SLOADs (the global slot holds the global
///      level, the settled flag and the global parameters; the asset slot holds the asset level
///      and its liquidation window). Levels are `uint8` in 0..3; "global" is `address(0)` in
///      events. Amounts are WAD USD; times are unix seconds.
///      Warning: hooks called inline by the protocol (`check`, `checkSystem`, `reportLiquidation`,
///      `reportBadDebt`) never revert after settlement; they change nothing and return.
interface ICircuitBreaker {
    // ---------------------------------------------------------------- errors

    error CircuitBreaker__ZeroAddress();
    error CircuitBreaker__NotGuardian(address caller);
    error CircuitBreaker__NotGovernance(address caller);
    error CircuitBreaker__NotReporter(address caller);
    /// @notice `level` is above 3 (or 0 where a raise is asked).
    error CircuitBreaker__InvalidLevel(uint8 level);
    /// @notice The guardian may only raise: `requestedLevel` is below `currentLevel`.
    error CircuitBreaker__GuardianCannotLower(address asset, uint8 currentLevel, uint8 requestedLevel);
    /// @notice Global settlement happened; nothing changes any more.
    error CircuitBreaker__Settled();
    /// @notice The asset is not registered with the breaker.
    error CircuitBreaker__UnknownAsset(address asset);
    error CircuitBreaker__AlreadyRegistered(address asset);
    /// @notice The OracleRouter has no feed for the asset.
    error CircuitBreaker__NoFeed(address asset);
    error CircuitBreaker__TooManyAssets(uint256 max);
    error CircuitBreaker__ClearinghouseNotSet();
    /// @notice `setClearinghouse` was called again: the breaker pushes its levels to one ledger for
    ///         life, and a second one would copy none of the levels already raised.
    error CircuitBreaker__ClearinghouseAlreadySet(address clearinghouse);
    /// @notice Cool-down asked at level 0.
    error CircuitBreaker__AlreadyNormal(address asset);
    /// @notice The level is at or below its manual floor (set by the guardian or governance).
    error CircuitBreaker__ManualLevel(address asset, uint8 level);
    /// @notice The cool-down period has not passed; it ends at `readyAt`.
    error CircuitBreaker__CooldownPending(address asset, uint256 readyAt);
    /// @notice An active trigger still justifies the level (`targetLevel >= level`).
    error CircuitBreaker__ConditionActive(address asset, uint8 targetLevel, bytes32 reason);
    /// @notice `recordSettlementPrice` before global settlement.
    error CircuitBreaker__NotSettled();
    /// @notice `asset` has its settlement price already (it never changes once recorded).
    error CircuitBreaker__SettlementPriceRecorded(address asset, uint256 priceWad);
    /// @notice The router's read of `asset` is not ok now (`fallbackWad`: its fallback, never a
    ///         settlement price): try again once the feed answers (governance may replace it).
    error CircuitBreaker__SettlementPriceNotOk(address asset, uint256 fallbackWad);

    // ---------------------------------------------------------------- events

    /// @notice A level went up (`asset == address(0)`: global). `reason` names the trigger
    ///         (e.g. "PRICE_DROP", "VELOCITY", "DEFICIT", "SETTLEMENT") or the guardian's or
    ///         governance's reason.
    event LevelRaised(address indexed asset, uint8 fromLevel, uint8 toLevel, bytes32 indexed reason);
    /// @notice A level went down: by "COOLDOWN", or by governance with its reason.
    event LevelLowered(address indexed asset, uint8 fromLevel, uint8 toLevel, bytes32 indexed reason);
    /// @notice An active trigger confirmed the current level, restarting its cool-down period.
    event LevelConfirmed(address indexed asset, uint8 level, bytes32 indexed reason);
    /// @notice The guardian or governance set a level by hand (also when it equals the current
    ///         level: the guardian pinning a trigger-set level). The new level is the manual
    ///         floor, below which cool-down never lowers.
    event ManualFloorSet(address indexed asset, uint8 fromFloor, uint8 toFloor, bytes32 indexed reason);
    /// @notice Liquidated debt reported for `asset`; `windowDebtWad` is the window's total.
    event LiquidationReported(address indexed asset, uint256 debtWad, uint256 windowDebtWad);
    /// @notice Bad debt reported; `windowBadDebtWad` is the window's total.
    event BadDebtReported(uint256 amountWad, uint256 windowBadDebtWad);
    /// @notice Global settlement: irreversible. `assetCount` settlement prices were recorded.
    event Settled(uint256 timestamp, uint256 assetCount);
    /// @notice The frozen settlement price of `asset`: an ok read of the router (`poke`) at
    ///         settlement, or the first one after it (`recordSettlementPrice`), observed at
    ///         `observedAt` (the recording's time).
    event SettlementPriceRecorded(address indexed asset, uint256 priceWad, uint256 observedAt);
    /// @notice `asset`'s read was not ok at settlement: it has no settlement price until its first
    ///         ok read (`recordSettlementPrice`). `fallbackWad` is the router's fallback (a stale
    ///         feed's last answer or the last good price, however old; 0 if the feed never
    ///         answered), reported for information only (ADR 0015).
    event SettlementPricePending(address indexed asset, uint256 fallbackWad);
    event AssetRegistered(address indexed asset);
    event ReporterSet(address indexed reporter, bool allowed);
    event GuardianSet(address indexed guardian);
    event ClearinghouseSet(address indexed clearinghouse);

    // ---------------------------------------------------------------- governance

    /// @notice Registers `asset` (it must have a feed in the OracleRouter) with the default
    ///         per-asset parameters. Governance only. At most 32 assets (the Clearinghouse lists at most
    ///         16 collaterals and 16 markets).
    function registerAsset(address asset) external;

    /// @notice Allows or disallows a reporter (the liquidation engine, the Clearinghouse).
    ///         Governance only.
    function setReporter(address reporter, bool allowed) external;

    /// @notice Replaces the guardian. Governance only.
    function setGuardian(address guardian) external;

    /// @notice Sets the Clearinghouse read by `checkSystem` (deficit, vault net assets) and pushed
    ///         every level change, once. Governance only.
    function setClearinghouse(address clearinghouse) external;

    /// @notice Sets the global level to `level` (0..3), up or down, and makes it the manual floor.
    ///         Governance only. Emits `LevelRaised` or `LevelLowered` with `reason`.
    function setGlobalLevel(uint8 level, bytes32 reason) external;

    /// @notice Sets the level of a registered `asset` to `level` (0..3), up or down, and makes it
    ///         the manual floor. Governance only.
    function setAssetLevel(address asset, uint8 level, bytes32 reason) external;

    /// @notice Irreversible global settlement (Maker's End `cage`): records for every registered
    ///         asset whose OracleRouter read is ok now that read as its settlement price (the
    ///         others: `SettlementPricePending`), raises the global level to 3 and sets `settled()`
    ///         forever. Governance only.
    /// @dev The price is the router's `poke` at settlement when ok. A failed read's fallback is
    ///      no settlement price (ADR 0015): it is the last good price when the feed fails in a way
    ///      other than age alone, which only a `poke` records (every ledger read is a view), so it
    ///      can be as old as the last keeper's poke, or 0 for a feed that never answered ok in a
    ///      poke. Such an asset gets its price from `recordSettlementPrice`.
    function settle() external;

    /// @notice After settlement, records the settlement price of `asset` that has none: the
    ///         router's read now (`poke`), which must be ok (`CircuitBreaker__SettlementPriceNotOk`
    ///         otherwise). Permissionless, once per asset (`CircuitBreaker__SettlementPriceRecorded`),
    ///         for any asset with a feed (a listed asset the breaker does not know included).
    /// @dev Maker's End prices each ilk by its own `cage(ilk)` after `cage()`; here the price of an
    ///      asset whose feed failed at settlement is the first ok read after it. Until then the
    ///      ledger settles no account that needs it (a position in the market, or debt its other
    ///      collateral cannot pay). A feed that never recovers is replaced by governance
    ///      (`OracleRouter.setFeed`, which settlement does not freeze). Warning: the first caller
    ///      chooses the moment among ok reads; anyone may call at the first one.
    function recordSettlementPrice(address asset) external returns (uint256 priceWad);

    // ---------------------------------------------------------------- guardian

    /// @notice Raises the global level at once to `level` (1..3, at least the current level) and
    ///         pins it as the manual floor. Guardian only.
    function raiseGlobal(uint8 level, bytes32 reason) external;

    /// @notice Raises a registered asset's level at once (see `raiseGlobal`). Guardian only.
    function raiseAsset(address asset, uint8 level, bytes32 reason) external;

    // ---------------------------------------------------------------- triggers (permissionless)

    /// @notice Evaluates the triggers of a registered `asset`: price drop of the current price
    ///         versus the router's delayed price beyond `DROP_TOLERANCE_WAD`, primary/secondary
    ///         deviation, stale or failed feed, sequencer down or in its grace period, and the
    ///         liquidation-velocity window. Raises the asset level to the highest active
    ///         trigger's level; confirms the level when that trigger's level is at least it.
    /// @return newLevel `levelOf(asset)` after the check.
    function check(address asset) external returns (uint8 newLevel);

    /// @notice Evaluates the system triggers: any deficit in the Clearinghouse, and bad debt
    ///         reported in the current window above `BAD_DEBT_SHARE_WAD` x the vault's net assets.
    ///         Raises or confirms the global level like `check`.
    /// @return newLevel `globalLevel()` after the check.
    function checkSystem() external returns (uint8 newLevel);

    /// @notice Lowers a registered asset's level by one when no active trigger justifies it, it
    ///         is above its manual floor and `COOLDOWN_SECONDS` have passed since it was last
    ///         raised, confirmed or cooled. Reverts with the reason otherwise.
    /// @return newLevel The asset's own level after the cool-down.
    function cooldown(address asset) external returns (uint8 newLevel);

    /// @notice `cooldown` for the global level, against the system triggers.
    /// @return newLevel The global level after the cool-down.
    function cooldownGlobal() external returns (uint8 newLevel);

    // ---------------------------------------------------------------- reporters

    /// @notice Adds `debtWad` of liquidated debt to `asset`'s window (`VELOCITY_WINDOW_SECONDS`,
    ///         a new window starts at the first report after the last one ended) and raises the
    ///         asset to `LEVEL_VELOCITY` when the window's total exceeds `VELOCITY_CAPACITY_WAD`.
    ///         Reporters only. Never reverts for a reporter (an unregistered asset is ignored;
    ///         totals saturate).
    /// @return newLevel `levelOf(asset)` after the report.
    function reportLiquidation(address asset, uint256 debtWad) external returns (uint8 newLevel);

    /// @notice Adds `amountWad` of bad debt to the global window (`BAD_DEBT_WINDOW_SECONDS`).
    ///         Reporters only; never reverts for a reporter. It does not read the vault: the
    ///         trigger fires at the next `checkSystem`, which the reporter should call once its
    ///         own state is final.
    function reportBadDebt(uint256 amountWad) external;

    // ---------------------------------------------------------------- views

    /// @notice The level that applies to actions on `asset`: max(global, asset). Two SLOADs.
    function levelOf(address asset) external view returns (uint8);

    /// @notice `levelOf(asset)` and `settled()` in one call (the same two SLOADs).
    function statusOf(address asset) external view returns (uint8 level, bool isSettled);

    /// @notice `statusOf(asset)` and the debt `reportLiquidation(asset, ...)` can still add to the
    ///         asset's current window before its total exceeds `VELOCITY_CAPACITY_WAD` (0 when it
    ///         already does; `type(uint256).max` when a report would be ignored: an unregistered
    ///         asset, or after settlement). A reporter that liquidates several times in one
    ///         transaction may add its debts up and report them once: at the first liquidation that
    ///         takes the sum beyond the room (the report that raises the level, as separate reports
    ///         would have) and at its end. Three SLOADs.
    function liquidationStatusOf(
        address asset
    ) external view returns (uint8 level, bool isSettled, uint256 velocityRoomWad);

    /// @notice `globalLevel()` and `settled()` in one call (one SLOAD).
    function globalStatus() external view returns (uint8 level, bool isSettled);

    /// @notice The global level.
    function globalLevel() external view returns (uint8);

    /// @notice The asset's own level (without the global level).
    function assetLevel(address asset) external view returns (uint8);

    /// @notice Whether global settlement happened (forever once true).
    function settled() external view returns (bool);

    /// @notice The settlement price of `asset`, WAD (0 before settlement, and after it until an ok
    ///         read is recorded: `settle`, `recordSettlementPrice`).
    function settlementPrice(address asset) external view returns (uint256 priceWad);

    /// @notice The target level and reason of `asset`'s triggers now, without changing state.
    ///         (0, 0) when none is active.
    function previewCheck(address asset) external view returns (uint8 targetLevel, bytes32 reason);

    /// @notice The target level and reason of the system triggers now, without changing state.
    function previewCheckSystem() external view returns (uint8 targetLevel, bytes32 reason);

    /// @notice A scope's level, manual floor and the time it was last raised, confirmed or
    ///         cooled (`asset == address(0)`: global).
    function scopeState(address asset) external view returns (uint8 level, uint8 manualFloor, uint256 lastTriggeredAt);

    /// @notice The asset's liquidation window: start time and liquidated debt (WAD) in it.
    function liquidationWindow(address asset) external view returns (uint256 startedAt, uint256 debtWad);

    /// @notice The bad-debt window: start time and bad debt (WAD) reported in it.
    function badDebtWindow() external view returns (uint256 startedAt, uint256 amountWad);

    /// @notice Whether `asset` is registered.
    function isRegistered(address asset) external view returns (bool);

    /// @notice Registered assets, in registration order.
    function registeredAssets() external view returns (address[] memory);

    /// @notice Whether `reporter` may call the reporter hooks.
    function isReporter(address reporter) external view returns (bool);

    /// @notice The guardian.
    function guardian() external view returns (address);

    /// @notice The Clearinghouse read by the system triggers (address(0) until set).
    function clearinghouse() external view returns (address);
}
