// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMarginModel} from "./IMarginModel.sol";
import {IOracleRouter} from "./IOracleRouter.sol";

/// @title IClearinghouseBase
/// @notice The Clearinghouse's types, errors and events, and the getters of its public state,
///         shared by the Clearinghouse and its liquidation module (which runs in its storage).
///         See IClearinghouse.
interface IClearinghouseBase {
    /// @notice What the Clearinghouse and each of its delegatecall modules are built with, all
    ///         immutables (the modules run as the Clearinghouse, so theirs must equal its own).
    ///         All non-zero. Each points both ways with the ledger, so one side is predicted at
    ///         deployment (scripts/deploy/system.ts): the engine and the auction are created
    ///         before the ledger with its predicted address, the vault after it at its own.
    /// @param stablecoin The Stablecoin (its minter is the Clearinghouse).
    /// @param oracle The OracleRouter.
    /// @param marginModel The MarginModel (pushes risk levels, ADR 0005).
    /// @param riskConfig The only address that may set parameters.
    /// @param governance Lists assets and sets the breaker (the timelock).
    /// @param vault The BackstopVault, counterparty to skew.
    /// @param liquidationEngine The only caller of the liquidation entry points.
    /// @param auction The only caller of the auction settlement.
    struct Wiring {
        address stablecoin;
        address oracle;
        address marginModel;
        address riskConfig;
        address governance;
        address vault;
        address liquidationEngine;
        address auction;
    }

    /// @notice A perp position.
    /// @param sizeWad Signed size in units of the underlying (long > 0).
    /// @param costBasisWad Signed cost basis in funding-adjusted price (`price - fundingIndex`
    ///        at each fill, USD, long > 0). Unrealized PnL, funding included, is
    ///        `size * (price - fundingIndex) - costBasis` (ADR 0007).
    struct Position {
        int256 sizeWad;
        int256 costBasisWad;
    }

    /// @notice Aggregates of one perp market.
    /// @param skewWad Sum of all positions' sizes (long OI - short OI); the vault holds -skew.
    /// @param longOpenInterestWad Sum of long sizes.
    /// @param shortOpenInterestWad Sum of short sizes (positive number).
    /// @param costBasisSumWad Sum of all positions' cost bases (for the vault's PnL and funding).
    /// @param fundingRateWad Current funding rate per day (longs pay when positive).
    /// @param fundingIndexWad Cumulative funding per unit of size, USD (WAD).
    /// @param lastFundingTime Last time funding was accrued.
    struct MarketState {
        int256 skewWad;
        uint256 longOpenInterestWad;
        uint256 shortOpenInterestWad;
        int256 costBasisSumWad;
        int256 fundingRateWad;
        int256 fundingIndexWad;
        uint256 lastFundingTime;
    }

    /// @notice Health of an account at one level (maintenance or initial), all WAD USD.
    /// @param weightedCollateralWad sum of amount * price * (1 - haircut), rounded down.
    /// @param creditWad Credit balance.
    /// @param debtWad Debt at the current fee index, rounded up.
    /// @param pnlWad Sum over positions of unrealized PnL, funding included (signed).
    /// @param requirementWad Perp margin requirement.
    /// @param equityWad weighted collateral + credit - debt + pnl (signed).
    /// @param healthFactorWad With balance = credit - debt + pnl (the PnL netted against the
    ///        account's balance, as settling the positions would do; ADR 0008):
    ///        (weighted collateral + max(balance, 0)) / (max(-balance, 0) + requirement);
    ///        type(uint256).max when the denominator is zero. Below 1e18 fails, exactly when
    ///        equity < requirement.
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
    /// @notice A delegatecall module given to the Clearinghouse's constructor is missing or was
    ///         built with other immutables than the Clearinghouse's own (it runs as the Clearinghouse).
    error Clearinghouse__ModuleMismatch(address module);
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
    /// @notice `healDeficit` with no deficit or no vault credit to pay it with.
    error Clearinghouse__NothingToHeal(uint256 deficitWad, uint256 vaultCreditWad);
    /// @notice `account` is in liquidation: `auctions` auctions of its collateral still run, and
    ///         until they end it may only be made safer (deposit, repay, reduce or close a
    ///         position). A withdrawal, a borrow (from credit too) and a risk-increasing position
    ///         change are refused: what the auctions fall short of is charged back to what the
    ///         account holds, and is bad debt only once it holds nothing (ADR 0014). Anyone,
    ///         the owner too, may end an auction by taking it.
    error Clearinghouse__AuctionsRunning(address account, uint256 auctions);

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
    /// @notice A fill. `realizedPnlWad` is the PnL of the part that reduced the position, the
    ///         funding that part accrued since it was opened included (ADR 0007); `feeWad` is the
    ///         taker fee, or the liquidation penalty on a liquidation close.
    event PositionModified(
        address indexed account,
        address indexed market,
        int256 sizeDeltaWad,
        uint256 fillPriceWad,
        int256 newSizeWad,
        int256 realizedPnlWad,
        uint256 feeWad
    );
    event FundingAccrued(address indexed market, int256 fundingRateWad, int256 fundingIndexWad);
    event StabilityFeeAccrued(uint256 rateIndexRay, uint256 feeWad);
    /// @notice Unbacked stablecoin recorded (e.g. the vault could not pay a trader's profit).
    event DeficitRecorded(uint256 amountWad, uint256 totalDeficitWad);
    /// @notice Deficit paid down out of the vault's credit (`IClearinghouse.healDeficit`).
    event DeficitHealed(uint256 amountWad, uint256 deficitLeftWad);
    event BreakerSet(address indexed breaker);
    /// @notice The breaker pushed a level (asset address(0): global; level 255: settlement).
    event BreakerLevelApplied(address indexed asset, uint8 level);

    // ---------------------------------------------------------------- liquidation types

    /// @notice One collateral of a liquidated account, as the ledger valued it.
    /// @param token The collateral token.
    /// @param amount Balance, token decimals.
    /// @param priceWad Oracle price, WAD per whole token.
    /// @param haircutWad Maintenance haircut, WAD.
    /// @param decimals Token decimals.
    /// @param index The token's collateral index in the ledger (`seize` takes it back).
    // memory and ABI only, never stored: slot packing does not apply
    // solhint-disable-next-line gas-struct-packing
    struct CollateralQuote {
        address token;
        uint256 amount;
        uint256 priceWad;
        uint256 haircutWad;
        uint8 decimals;
        uint8 index;
    }

    /// @notice The state of an account at the start of a liquidation.
    /// @param liquidatable Maintenance health was below 1 and there is something to liquidate:
    ///        not an account holding no collateral and no position whose auctions still run
    ///        (their ends decide its debt, ADR 0014). Nothing else was done when false.
    /// @param globalLevel In a batch (`quoteCacheKey` != 0), the ledger's copy of the global
    ///        breaker level after the positions were closed (a deficit they or the keeper's share
    ///        recorded trips the breaker inline); 0 outside a batch.
    /// @param healthFactorWad Maintenance health before anything was closed, WAD.
    /// @param debtWad Debt after the perp positions were closed, WAD.
    /// @param creditWad Credit after the perp positions were closed, WAD.
    /// @param positionsClosed Number of perp positions closed.
    /// @param collaterals The account's collaterals after the positions were closed.
    struct LiquidationSnapshot {
        bool liquidatable;
        uint8 globalLevel;
        uint256 healthFactorWad;
        uint256 debtWad;
        uint256 creditWad;
        uint256 positionsClosed;
        CollateralQuote[] collaterals;
    }

    error Clearinghouse__NotLiquidationEngine(address caller);
    error Clearinghouse__NotAuction(address caller);
    error Clearinghouse__VaultCannotBeLiquidated();
    /// @notice A seizure asked for more debt than the account owes.
    error Clearinghouse__SeizeAboveDebt(address account, uint256 debtWad, uint256 owedWad);
    /// @notice A write-off was asked for an account that still holds collateral or positions.
    error Clearinghouse__NotInsolvent(address account);

    /// @notice A perp position closed by liquidation; the vault took it over at `fillPriceWad`.
    event PositionLiquidated(
        address indexed account,
        address indexed market,
        int256 sizeWad,
        uint256 fillPriceWad,
        uint256 penaltyWad
    );
    /// @notice Collateral moved out of an account into an auction, with the debt it answers for.
    event CollateralSeized(address indexed account, address indexed token, uint256 lot, uint256 debtWad);
    /// @notice An auction ended: `lotReturned` back to the account; `debtChargedBackWad` returned to
    ///         the account (to its debt while it holds collateral or another auction runs; out of
    ///         its credit when it is finished); `badDebtWad` entered the waterfall: the auction's
    ///         debt left less the last payment's penalty share, which covers debt first on a
    ///         finished account, and less its credit (IAuctionSink.onAuctionTake, ADR 0014).
    event AuctionSettled(
        uint256 indexed auctionId,
        address indexed account,
        address indexed token,
        uint256 lotReturned,
        uint256 debtChargedBackWad,
        uint256 badDebtWad
    );
    /// @notice Bad debt covered: `fromVaultWad` out of the vault's credit, `toDeficitWad` recorded
    ///         as deficit (unbacked stablecoin).
    event BadDebtCovered(address indexed account, uint256 fromVaultWad, uint256 toDeficitWad);
    /// @notice The part of a liquidation's perp penalty the account could not pay (its haircut
    ///         equity after the closes would have gone below zero), returned to it.
    event PerpPenaltyWaived(address indexed account, uint256 waivedWad);
    /// @notice A keeper reward credited to `keeper`, paid out of the vault's credit.
    event KeeperPaid(address indexed keeper, uint256 amountWad);

    // ---------------------------------------------------------------- state

    /// @notice Unbacked stablecoin recorded and not yet healed, WAD.
    function deficitWad() external view returns (uint256);

    /// @notice The BackstopVault (counterparty to skew), fixed at construction (its address is
    ///         predicted at deployment: it is created right after the Clearinghouse).
    function vault() external view returns (address);

    /// @notice The circuit breaker.
    function breaker() external view returns (address);

    /// @notice The liquidation engine, the only caller of the liquidation entry points; fixed at
    ///         construction.
    function liquidationEngine() external view returns (address);

    /// @notice The Dutch auction, the only caller of the auction settlement; fixed at
    ///         construction.
    function auction() external view returns (address);

    /// @notice Debt still owed by open auctions, WAD (a term of the fundamental equation I1).
    function auctionDebtWad() external view returns (uint256);

    // ---------------------------------------------------------------- risk-level cache (ADR 0005)

    /// @notice `cacheRiskLevels` was called by someone other than the margin model.
    error Clearinghouse__NotMarginModel(address caller);

    /// @notice The margin model pushed a new risk state of `asset`.
    event RiskLevelsCached(address indexed asset);

    // ---------------------------------------------------------------- price cache (ADR 0006)

    /// @notice `refreshPrices` cached `priceWad` for `asset` (0: the oracle's read was not ok, or
    ///         the price does not fit the cache; checks read the oracle for that asset).
    event PriceCached(address indexed asset, uint256 priceWad);

    /// @notice The margin model this ledger reads risk levels from.
    function marginModel() external view returns (IMarginModel);

    /// @notice The oracle router this ledger reads prices from.
    function oracle() external view returns (IOracleRouter);
}
