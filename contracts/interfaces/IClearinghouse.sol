// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IClearinghouse
/// @notice The ledger. An account holds collateral per listed asset, either a stablecoin debt
///         (normalized by a stability-fee index, like Maker's `art * rate`) or a credit balance
///         (never both: credit repays debt first), and one perp position per market. Perp markets
///         are keyed by the address of their underlying asset. The BackstopVault's credit lives
///         here too; it is the counterparty to every market's net skew.
/// @dev Units: USD values, prices, sizes and ratios in WAD; the fee index and per-second fee rate
///      in RAY. Collateral amounts are in the token's own decimals at the boundary.
///      Rounding always goes against the account: debt up, collateral value down.
///      Warning: the stablecoin is burned from `msg.sender` in `repay`, never from `account`.
interface IClearinghouse {
    /// @notice A perp position.
    /// @param sizeWad Signed size in units of the underlying (long > 0).
    /// @param openNotionalWad Signed cost basis: the USD paid for the size (long > 0).
    /// @param fundingIndexWad Market's cumulative funding per unit when last settled.
    struct Position {
        int256 sizeWad;
        int256 openNotionalWad;
        int256 fundingIndexWad;
    }

    /// @notice Aggregates of one perp market.
    /// @param skewWad Sum of all positions' sizes (long OI - short OI); the vault holds -skew.
    /// @param longOpenInterestWad Sum of long sizes.
    /// @param shortOpenInterestWad Sum of short sizes (positive number).
    /// @param openNotionalSumWad Sum of all positions' open notionals (for the vault's PnL).
    /// @param fundingSnapshotSumWad Sum of size * fundingIndex snapshots (for the vault's funding).
    /// @param fundingRateWad Current funding rate per day (longs pay when positive).
    /// @param fundingIndexWad Cumulative funding per unit of size, USD (WAD).
    /// @param lastFundingTime Last time funding was accrued.
    struct MarketState {
        int256 skewWad;
        uint256 longOpenInterestWad;
        uint256 shortOpenInterestWad;
        int256 openNotionalSumWad;
        int256 fundingSnapshotSumWad;
        int256 fundingRateWad;
        int256 fundingIndexWad;
        uint256 lastFundingTime;
    }

    /// @notice Health of an account at one level (maintenance or initial), all WAD USD.
    /// @param weightedCollateralWad sum of amount * price * (1 - haircut), rounded down.
    /// @param creditWad Credit balance.
    /// @param debtWad Debt at the current fee index, rounded up.
    /// @param pnlWad Sum over positions of unrealized PnL minus funding owed (signed).
    /// @param requirementWad Perp margin requirement.
    /// @param equityWad weighted collateral + credit - debt + pnl (signed).
    /// @param healthFactorWad (weighted collateral + credit + positive pnl) / (debt + negative pnl
    ///        + requirement); type(uint256).max when the denominator is zero. Below 1e18 fails.
    /// @param pricesOk Whether every price used read ok (when false, last good prices were used).
    struct Health {
        uint256 weightedCollateralWad;
        uint256 creditWad;
        uint256 debtWad;
        int256 pnlWad;
        uint256 requirementWad;
        int256 equityWad;
        uint256 healthFactorWad;
        bool pricesOk;
    }

    // ---------------------------------------------------------------- errors

    error Clearinghouse__ZeroAmount();
    error Clearinghouse__ZeroAddress();
    error Clearinghouse__NotAuthorized(address caller, address account);
    error Clearinghouse__UnknownCollateral(address token);
    error Clearinghouse__UnknownMarket(address market);
    error Clearinghouse__AlreadyListed(address asset);
    error Clearinghouse__TooManyAssets(uint256 max);
    error Clearinghouse__UnsupportedToken(address token, string reason);
    error Clearinghouse__TransferAmountMismatch(address token, uint256 expected, uint256 received);
    error Clearinghouse__InsufficientCollateral(address account, address token, uint256 requested, uint256 available);
    error Clearinghouse__Undercollateralized(address account, uint256 healthFactorWad);
    error Clearinghouse__OracleUnhealthy(address asset);
    error Clearinghouse__DepositCapExceeded(address token, uint256 totalWad, uint256 capWad);
    error Clearinghouse__DebtCeilingExceeded(uint256 totalDebtWad, uint256 ceilingWad);
    error Clearinghouse__DebtBelowMinimum(uint256 debtWad, uint256 minDebtWad);
    error Clearinghouse__SlippageExceeded(uint256 fillPriceWad, uint256 acceptablePriceWad);
    error Clearinghouse__OpenInterestCapExceeded(address market, uint256 openInterestWad, uint256 capWad);
    error Clearinghouse__SkewCapExceeded(address market, uint256 skewUsdWad, uint256 capUsdWad);
    error Clearinghouse__NoPosition(address account, address market);
    error Clearinghouse__VaultCannotTrade();
    error Clearinghouse__VaultAlreadySet();
    error Clearinghouse__InsufficientVaultCredit(uint256 requestedWad, uint256 availableWad);
    error Clearinghouse__InvalidFillPrice(address market);
    error Clearinghouse__MarketNotConfigured(address market);
    error Clearinghouse__NotGovernance(address caller);
    error Clearinghouse__NotBreaker(address caller);
    error Clearinghouse__BreakerAlreadySet();
    /// @notice The circuit breaker's level for `asset` (address(0): global) forbids the action.
    error Clearinghouse__BreakerLevel(address asset, uint8 level);
    /// @notice Global settlement has begun: the ledger is frozen.
    error Clearinghouse__Settled();

    // ---------------------------------------------------------------- events

    event CollateralListed(address indexed token, uint8 decimals, uint256 assetIndex);
    event MarketListed(address indexed market, uint256 assetIndex);
    event OperatorSet(address indexed account, address indexed operator, bool approved);
    event Deposited(address indexed account, address indexed token, address indexed from, uint256 amount);
    event Withdrawn(address indexed account, address indexed token, address indexed to, uint256 amount);
    /// @notice `fromCreditWad` of the amount came out of credit; the rest is new debt.
    event Borrowed(address indexed account, address indexed to, uint256 amountWad, uint256 fromCreditWad);
    /// @notice `toDebtWad` of the amount repaid debt; the rest became credit.
    event Repaid(address indexed account, address indexed payer, uint256 amountWad, uint256 toDebtWad);
    event PositionModified(
        address indexed account,
        address indexed market,
        int256 sizeDeltaWad,
        uint256 fillPriceWad,
        int256 newSizeWad,
        int256 realizedPnlWad,
        uint256 feeWad
    );
    /// @notice Funding settled into an account's balance (positive: the account paid).
    event FundingSettled(address indexed account, address indexed market, int256 fundingPaidWad);
    event FundingAccrued(address indexed market, int256 fundingRateWad, int256 fundingIndexWad);
    event StabilityFeeAccrued(uint256 rateIndexRay, uint256 feeWad);
    /// @notice Unbacked stablecoin recorded (e.g. the vault could not pay a trader's profit).
    event DeficitRecorded(uint256 amountWad, uint256 totalDeficitWad);
    event BreakerSet(address indexed breaker);
    /// @notice The breaker pushed a level (asset address(0): global; level 255: settlement).
    event BreakerLevelApplied(address indexed asset, uint8 level);

    // ---------------------------------------------------------------- governance

    /// @notice Sets the BackstopVault once. Governance only.
    function setVault(address vault) external;

    /// @notice Sets the circuit breaker, once. Governance only.
    function setBreaker(address breaker) external;

    /// @notice The breaker pushes its levels into the ledger so that every entry point checks
    ///         them with one storage read. Breaker only. `asset` address(0) is the global level.
    ///         Level 1: no new debt, no position increase, no withdrawal while the account has
    ///         debt or positions (for accounts holding the asset); level 3: no withdrawal at all.
    ///         Deposit, repay and position reduction pass at every level.
    function applyBreakerLevel(address asset, uint8 level) external;

    /// @notice Global settlement: every entry point stops for good. Breaker only.
    function applySettlement() external;

    /// @notice Lists an ERC20 as collateral (decimals <= 18). Governance only. The asset must
    ///         already have a feed in the OracleRouter and be known to the MarginModel.
    function listCollateral(address token) external;

    /// @notice Lists a perp market on `asset` (priced by its oracle). Governance only.
    function listMarket(address asset) external;

    // ---------------------------------------------------------------- accounts

    /// @notice Lets `operator` act for the caller's account (or revokes it).
    function setOperator(address operator, bool approved) external;

    /// @notice Deposits `amount` (token decimals) of `token` from the caller into `account`.
    ///         Anyone may deposit into any account. Always allowed (risk-reducing).
    function deposit(address account, address token, uint256 amount) external;

    /// @notice Withdraws `amount` (token decimals) of `token` from `account` to `to`. Owner or
    ///         operator only; the account must stay above its initial requirement.
    function withdraw(address account, address token, uint256 amount, address to) external;

    /// @notice Mints `amountWad` stablecoin to `to`, from `account`'s credit first, then as new
    ///         debt. Owner or operator only; initial requirement checked.
    function borrow(address account, uint256 amountWad, address to) external;

    /// @notice Burns `amountWad` stablecoin from the caller to repay `account`'s debt; any excess
    ///         becomes credit. Anyone may repay for anyone. Always allowed.
    /// @return repaidDebtWad The part of the amount that repaid debt.
    function repay(address account, uint256 amountWad) external returns (uint256 repaidDebtWad);

    /// @notice Changes `account`'s position in `market` by `sizeDeltaWad` at the skew-adjusted
    ///         fill price. `acceptablePriceWad` bounds the fill: a maximum when buying, a minimum
    ///         when selling. Risk-increasing changes need initial margin and healthy oracles;
    ///         pure reductions always pass. Owner or operator only.
    /// @return fillPriceWad The fill price.
    function modifyPosition(
        address account,
        address market,
        int256 sizeDeltaWad,
        uint256 acceptablePriceWad
    ) external returns (uint256 fillPriceWad);

    /// @notice Closes `account`'s whole position in `market`. Owner or operator only.
    function closePosition(
        address account,
        address market,
        uint256 acceptablePriceWad
    ) external returns (uint256 fillPriceWad);

    /// @notice Accrues the stability fee and every market's funding up to now. Permissionless.
    function accrue() external;

    // ---------------------------------------------------------------- views

    /// @notice Health at maintenance (`initial` false) or initial (`initial` true) levels.
    ///         Never reverts; uses last good prices when an oracle is failing.
    function health(address account, bool initial) external view returns (Health memory);

    /// @notice Debt of `account` at the current fee index (rounded up), WAD.
    function debtOf(address account) external view returns (uint256);

    /// @notice Credit of `account`, WAD.
    function creditOf(address account) external view returns (uint256);

    /// @notice Collateral of `account` in `token`, token decimals.
    function collateralOf(address account, address token) external view returns (uint256);

    /// @notice Position of `account` in `market`.
    function positionOf(address account, address market) external view returns (Position memory);

    /// @notice Market aggregates, funding accrued up to now.
    function marketState(address market) external view returns (MarketState memory);

    /// @notice The vault's net assets: its credit plus its unrealized PnL and funding on the
    ///         counter-skew position across markets (WAD, may be negative).
    function vaultNetAssetsWad() external view returns (int256);

    /// @notice Sum of all accounts' debts at the current index, rounded up, WAD.
    function totalDebtWad() external view returns (uint256);

    /// @notice Unbacked stablecoin recorded so far, WAD.
    function deficitWad() external view returns (uint256);

    /// @notice Stability-fee index (RAY), accrued up to now.
    function rateIndexRay() external view returns (uint256);

    /// @notice Listed collateral tokens, in listing order.
    function collaterals() external view returns (address[] memory);

    /// @notice Listed perp markets, in listing order.
    function markets() external view returns (address[] memory);

    /// @notice Whether `operator` may act for `account` (the account itself always may).
    function isAuthorized(address account, address operator) external view returns (bool);

    /// @notice The BackstopVault (counterparty to skew).
    function vault() external view returns (address);

    /// @notice The circuit breaker.
    function breaker() external view returns (address);

    /// @notice The level the ledger applies to `asset` (the max of global and asset levels;
    ///         255 after settlement).
    function breakerLevelOf(address asset) external view returns (uint8);
}
