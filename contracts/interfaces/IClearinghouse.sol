// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearinghouseBase} from "./IClearinghouseBase.sol";

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
interface IClearinghouse is IClearinghouseBase {
    // ---------------------------------------------------------------- governance

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
    ///         Anyone may deposit into any account. Always allowed (risk-reducing), also while
    ///         the account's auctions run.
    function deposit(address account, address token, uint256 amount) external;

    /// @notice Withdraws `amount` (token decimals) of `token` from `account` to `to`. Owner or
    ///         operator only; the account must stay above its initial requirement. Refused while
    ///         any auction of the account's collateral runs (`Clearinghouse__AuctionsRunning`,
    ///         with or without debt: a surplus lot one auction returned backs the others; ADR 0014).
    function withdraw(address account, address token, uint256 amount, address to) external;

    /// @notice Mints `amountWad` stablecoin to `to`, from `account`'s credit first, then as new
    ///         debt. Owner or operator only; initial requirement checked. Refused, from credit
    ///         too, while any auction of the account's collateral runs
    ///         (`Clearinghouse__AuctionsRunning`: its credit pays the auctions' shortfall; ADR 0014).
    function borrow(address account, uint256 amountWad, address to) external;

    /// @notice Burns `amountWad` stablecoin from the caller to repay `account`'s debt; any excess
    ///         becomes credit. Anyone may repay for anyone. Always allowed, also while the
    ///         account's auctions run.
    /// @return repaidDebtWad The part of the amount that repaid debt.
    function repay(address account, uint256 amountWad) external returns (uint256 repaidDebtWad);

    /// @notice Changes `account`'s position in `market` by `sizeDeltaWad` at the skew-adjusted
    ///         fill price. `acceptablePriceWad` bounds the fill: a maximum when buying, a minimum
    ///         when selling. Risk-increasing changes need initial margin and healthy oracles,
    ///         and are refused while any auction of the account's collateral runs
    ///         (`Clearinghouse__AuctionsRunning`, ADR 0014); pure reductions always pass. Owner or
    ///         operator only.
    /// @return fillPriceWad The fill price.
    function modifyPosition(
        address account,
        address market,
        int256 sizeDeltaWad,
        uint256 acceptablePriceWad
    ) external returns (uint256 fillPriceWad);

    /// @notice Closes `account`'s whole position in `market`. Owner or operator only. A
    ///         reduction: it passes while the account's auctions run.
    function closePosition(
        address account,
        address market,
        uint256 acceptablePriceWad
    ) external returns (uint256 fillPriceWad);

    /// @notice Pays the deficit down out of the vault's credit (MakerDAO's `heal`): moves
    ///         min(vault credit, deficit) out of both, after accruing the stability fee (not after
    ///         global settlement, whose index is frozen). Income the vault earns after a deficit
    ///         backs the unbacked stablecoin before it is the LPs' (`vaultNetAssetsWad` already
    ///         counts the deficit against them). Both sides of I1 move equally. Permissionless.
    /// @return healedWad The amount paid down.
    function healDeficit() external returns (uint256 healedWad);

    /// @notice Accrues the stability fee and every market's funding up to now. Permissionless.
    ///         Refused after global settlement (`Clearinghouse__Settled`): the settlement accrued
    ///         both last, and accounts settle at those indices.
    function accrue() external;

    // ---------------------------------------------------------------- views

    /// @notice Health at maintenance (`initial` false) or initial (`initial` true) levels.
    ///         Never reverts; uses last good prices when an oracle is failing.
    function health(address account, bool initial) external view returns (Health memory);

    /// @notice Debt of `account` at the current fee index (rounded up), WAD. From global
    ///         settlement on, at the index frozen then (what `settleAccount` books).
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
    ///         counter-skew position across markets, marked where the skew closes (the index
    ///         less the skew premium its closing fills hand back: index x skew^2 / (2 x
    ///         skewScale) per market, rounded up), less the deficit (WAD, may be negative).
    function vaultNetAssetsWad() external view returns (int256);

    /// @notice The vault's mark on `market`'s skew, as `vaultNetAssetsWad` counts it: the cost-basis
    ///         sum less the skew at the oracle's price less funding to now, less the premium its
    ///         closing fills hand back (negative: what the vault owes the traders; WAD).
    function vaultMarkWad(address market) external view returns (int256);

    /// @notice Sum of all accounts' debts at the current index, rounded up, WAD.
    function totalDebtWad() external view returns (uint256);

    /// @notice Stability-fee index (RAY), accrued up to now (up to global settlement once settled).
    function rateIndexRay() external view returns (uint256);

    /// @notice Listed collateral tokens, in listing order.
    function collaterals() external view returns (address[] memory);

    /// @notice Listed perp markets, in listing order.
    function markets() external view returns (address[] memory);

    /// @notice Whether `operator` may act for `account` (the account itself always may).
    function isAuthorized(address account, address operator) external view returns (bool);

    /// @notice The level the ledger applies to `asset` (the max of global and asset levels;
    ///         255 after settlement).
    function breakerLevelOf(address asset) external view returns (uint8);

    /// @notice The number of auctions of `account`'s collateral still running. While any runs, an
    ///         account holding no collateral and no position is not liquidatable and its debt is
    ///         not bad debt yet: their ends decide; and the account may only be made safer
    ///         (withdraw, borrow and risk-increasing fills are refused; ADR 0014).
    function auctionsOf(address account) external view returns (uint256);

    // ---------------------------------------------------------------- risk-level cache (ADR 0005)

    /// @notice Stores the margin model's risk words of `asset` (`IMarginModel.riskWords`: the levels,
    ///         the ramp, the market depth and slope). The health computation derives the levels
    ///         from this copy with the margin model's own arithmetic (`RiskLevels.riskAt`) instead
    ///         of calling `riskOf`. Margin model only; it pushes after every change of its state.
    function cacheRiskLevels(address asset, uint256 levelsWord, uint256 rampWord, uint256 marketWord) external;

    // ---------------------------------------------------------------- price cache (ADR 0006)

    /// @notice Caches the oracle's current price of every listed collateral and market in the
    ///         ledger (Maker's `spot`): for `PRICE_MAX_AGE_SECONDS` after this call, initial-margin
    ///         checks (borrow, withdraw, a position increase) value the account's assets at these
    ///         prices instead of reading the oracle. A read that is not ok caches nothing for its
    ///         asset (checks read the oracle for it); a fill, and maintenance health (liquidation),
    ///         always read the oracle. Permissionless: it only copies what the oracle says now.
    ///         Emits `PriceCached` per asset read.
    function refreshPrices() external;

    /// @notice When `refreshPrices` last ran (0: never). The age bound is the parameter
    ///         `PRICE_MAX_AGE_SECONDS` (`getParam`); each asset's cached price is in its
    ///         `PriceCached` event.
    function pricesCachedAt() external view returns (uint256);
}
