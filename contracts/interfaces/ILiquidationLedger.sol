// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILiquidationLedger
/// @notice The Clearinghouse's side of a liquidation: the few privileged moves the
///         LiquidationEngine makes on the books. The engine holds the policy (who, how much,
///         caps, keeper rewards); the ledger holds the balances and does the arithmetic that
///         touches them. Only the engine set by governance may call the mutating functions.
/// @dev Units: WAD for USD values and debts, token decimals for collateral amounts.
interface ILiquidationLedger {
    /// @notice One collateral of a liquidated account, as the ledger valued it.
    /// @param token The collateral token.
    /// @param amount Balance, token decimals.
    /// @param priceWad Oracle price, WAD per whole token.
    /// @param haircutWad Maintenance haircut, WAD.
    /// @param decimals Token decimals.
    struct CollateralQuote {
        address token;
        uint256 amount;
        uint256 priceWad;
        uint256 haircutWad;
        uint8 decimals;
    }

    /// @notice The state of an account at the start of a liquidation.
    /// @param liquidatable Maintenance health was below 1 (nothing else was done when false).
    /// @param healthFactorWad Maintenance health before anything was closed, WAD.
    /// @param debtWad Debt after the perp positions were closed, WAD.
    /// @param creditWad Credit after the perp positions were closed, WAD.
    /// @param positionsClosed Number of perp positions closed.
    /// @param collaterals The account's collaterals after the positions were closed.
    struct LiquidationSnapshot {
        bool liquidatable;
        uint256 healthFactorWad;
        uint256 debtWad;
        uint256 creditWad;
        uint256 positionsClosed;
        CollateralQuote[] collaterals;
    }

    // ---------------------------------------------------------------- errors

    error Clearinghouse__NotLiquidationEngine(address caller);
    error Clearinghouse__NotAuction(address caller);
    error Clearinghouse__LiquidationAlreadySet();
    error Clearinghouse__VaultCannotBeLiquidated();
    /// @notice A seizure asked for more debt than the account owes.
    error Clearinghouse__SeizeAboveDebt(address account, uint256 debtWad, uint256 owedWad);
    /// @notice A write-off was asked for an account that still holds collateral or positions.
    error Clearinghouse__NotInsolvent(address account);

    // ---------------------------------------------------------------- events

    event LiquidationModulesSet(address indexed engine, address indexed auction);
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
    /// @notice A taker paid an auction: `paidWad` burned, `debtCoveredWad` of auction debt repaid,
    ///         the rest (the penalty) credited to the vault.
    event AuctionPaid(uint256 indexed auctionId, address indexed account, uint256 paidWad, uint256 debtCoveredWad);
    /// @notice An auction ended: `lotReturned` back to the account; `debtChargedBackWad` returned to
    ///         the account's debt (it still held collateral); `badDebtWad` entered the waterfall.
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
    /// @notice A keeper reward credited to `keeper`, paid out of the vault's credit.
    event KeeperPaid(address indexed keeper, uint256 amountWad);

    // ---------------------------------------------------------------- governance

    /// @notice Sets the liquidation engine and the auction, once. Governance only.
    function setLiquidationModules(address engine, address auction) external;

    // ---------------------------------------------------------------- engine only

    /// @notice Step 1 of a liquidation: accrues fees, checks maintenance health and, when it is
    ///         below 1, closes every perp position against the vault at the fill price, charging
    ///         `perpPenaltyWad` x notional (part `keeperShareWad` of it to `keeper`, the rest to
    ///         the vault). Reverts when a price the account needs is not ok. Changes nothing
    ///         (beyond fee accrual) when the account is healthy.
    function liquidationBegin(
        address account,
        uint256 perpPenaltyWad,
        address keeper,
        uint256 keeperShareWad
    ) external returns (LiquidationSnapshot memory snapshot);

    /// @notice Moves `lot` of `token` out of `account`'s collateral into auction custody and
    ///         `debtWad` of its debt into the debt owed by open auctions.
    function seize(address account, address token, uint256 lot, uint256 debtWad) external;

    /// @notice Writes off the debt of an account with no collateral and no positions: the bad
    ///         debt waterfall (the vault's credit first, then the deficit).
    /// @return badDebtWad The debt written off.
    function writeOff(address account) external returns (uint256 badDebtWad);

    // ---------------------------------------------------------------- views

    /// @notice The liquidation engine.
    function liquidationEngine() external view returns (address);

    /// @notice The Dutch auction.
    function auction() external view returns (address);

    /// @notice Debt still owed by open auctions, WAD (a term of the fundamental equation I1).
    function auctionDebtWad() external view returns (uint256);
}
