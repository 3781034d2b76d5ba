// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAuctionCurve} from "./IAuctionCurve.sol";
import {IAuctionSink} from "./IAuctionSink.sol";
import {ICircuitBreaker} from "./ICircuitBreaker.sol";

/// @title IDutchAuction
/// @notice Dutch auctions of seized collateral (after MakerDAO's Liquidations 2.0 Clipper). The
///         liquidation engine `kick`s an auction for a lot of one collateral token and a `tab`
///         (debt covered x (1 + penalty)); the price starts at oracle x `buf` and decays along the
///         asset's curve; anyone may `take` at the current price; an auction older than `tail`
///         or cheaper than `cusp` x start must be `redo`ne (restarted at oracle x buf).
///         Settlement goes through an `IAuctionSink` (the Clearinghouse): payments are burned
///         from the taker, leftover collateral goes back to the account, unpaid debt enters the
///         bad-debt waterfall.
/// @dev Units: tab, debt, prices and rewards in WAD (prices are USD per whole token); lots in the
///      token's own decimals. Rounding favours the protocol: a taker pays `slice x price` rounded
///      up and receives collateral rounded down.
///
///      Keeper incentives and why they cannot be farmed:
///      - kick grants `tip + chip x tab` (the kicker credits it). A self-liquidator pays the
///        penalty `tab - debt` = `debt x penalty` (if the lot sells; otherwise it loses
///        collateral below value), so self-liquidation loses money as long as
///        `tip + chip x tab < debt x penalty` for every liquidation the engine allows. Warning:
///        this module cannot see the penalty; the liquidation engine / RiskConfig MUST keep
///        `chip x (1 + penalty) < penalty` and
///        `tip < (penalty - chip x (1 + penalty)) x minimum liquidation size`.
///      - redo pays the same formula, only when the tab and the lot's oracle value are both at
///        least `dust` AND `dust > 0` (Maker pays when tab >= chost; a zero dust here means no
///        redo reward at all, so tiny auctions cannot be redone for a flat tip forever). A redo is
///        only possible when the auction needs it (older than `tail` or below `cusp`), so one
///        auction pays at most one redo reward per `tail`; takers buy it as soon as its price is
///        below the market, which a restart at oracle x buf reaches again within `tail`.
///
///      Auction ids: unique, never reused. The storage of an ended auction is recycled by a later
///      kick (a write to a used slot costs 2,900 gas, to a fresh one 20,000): the id of an auction
///      kicked into fresh storage is its kick number (1, 2, 3, ...); the id of one kicked into
///      recycled storage is `kickNumber | recordSlot << 64`. Read ids from `Kick` events. There is
///      no on-chain list of running auctions: keepers follow `Kick`, `Take`, `Redo` and
///      `AuctionEnded` and ask `getStatus(id)`.
interface IDutchAuction {
    /// @notice One auction, as `auctions(id)` returns it (stored in three slots: account, start
    ///         time, a one-byte token id and the kick number; lot and start price; tab and debt).
    /// @param account The liquidated account (address(0) when the auction does not exist).
    /// @param startTime When the auction (re)started.
    /// @param token The collateral token.
    /// @param lot Collateral for sale, token decimals.
    /// @param startPriceWad Price at `startTime`, WAD per whole token.
    /// @param tabWad Stablecoin still to raise (debt + penalty), WAD.
    /// @param debtWad The part of `tabWad` that is debt (the rest is penalty), WAD.
    struct Auction {
        address account;
        uint64 startTime;
        address token;
        uint128 lot;
        uint128 startPriceWad;
        uint128 tabWad;
        uint128 debtWad;
    }

    // ---------------------------------------------------------------- errors

    error DutchAuction__ZeroAddress();
    error DutchAuction__ZeroAmount();
    error DutchAuction__NotGovernance(address caller);
    error DutchAuction__NotKicker(address caller);
    error DutchAuction__NotSink(address caller);
    /// @notice The asset has no curve, or one of buf, tail, cusp is unset.
    error DutchAuction__AssetNotConfigured(address token);
    error DutchAuction__DebtAboveTab(uint256 debtWad, uint256 tabWad);
    error DutchAuction__OracleNotOk(address token);
    error DutchAuction__NotRunning(uint256 id);
    error DutchAuction__NeedsRedo(uint256 id);
    error DutchAuction__NoRedoNeeded(uint256 id);
    error DutchAuction__PriceAboveMax(uint256 priceWad, uint256 maxPriceWad);
    /// @notice A partial take would leave less than `dust` and the whole tab is not above dust.
    error DutchAuction__NoPartialPurchase(uint256 tabWad, uint256 dustWad);
    error DutchAuction__InvalidReceiver(address receiver);
    error DutchAuction__UnsupportedDecimals(address token, uint8 decimals);
    /// @notice The circuit breaker's level for `token` forbids this action (255: settled).
    error DutchAuction__BreakerLevel(address token, uint8 level);
    /// @notice 255 tokens are listed already (a record names its token in one byte).
    error DutchAuction__TooManyTokens();
    /// @notice With this buf, tail, cusp and curve the lowest price a take could pay before a redo
    ///         is due would be `floorWad` x the oracle price at the auction's (re)start
    ///         (`buf x curve(1, t)` at the last `t` within the tail where `curve(1, t) >= cusp`),
    ///         above `maxFloorWad`: takers would never see a discount and every auction would be
    ///         redone forever.
    error DutchAuction__CannotClear(address token, uint256 floorWad, uint256 maxFloorWad);

    // ---------------------------------------------------------------- events

    /// @notice Lists `token` for auctions (first call) or replaces its curve.
    event CurveSet(address indexed token, address indexed curve, uint8 decimals);
    event Kick(
        uint256 indexed id,
        address indexed account,
        address indexed token,
        uint256 lot,
        uint256 tabWad,
        uint256 debtWad,
        uint256 startPriceWad,
        address keeper,
        uint256 rewardWad
    );
    event Take(
        uint256 indexed id,
        address indexed taker,
        address indexed receiver,
        uint256 priceWad,
        uint256 oweWad,
        uint256 slice,
        uint256 debtCoveredWad,
        uint256 tabLeftWad,
        uint256 lotLeft
    );
    event Redo(
        uint256 indexed id,
        address indexed account,
        address indexed token,
        uint256 lot,
        uint256 tabWad,
        uint256 startPriceWad,
        address keeper,
        uint256 rewardWad
    );
    /// @notice Global settlement ended a running auction (the sink's `settleAuction`, after Maker
    ///         End's `snip`): its `lot` and `debtWad` went back to the account, the tab left flight.
    event Yank(uint256 indexed id, address indexed account, address indexed token, uint256 lot, uint256 debtWad);
    /// @notice The auction is over; `lotLeft` went back to the account, `debtLeftWad` is bad debt.
    event AuctionEnded(
        uint256 indexed id,
        address indexed account,
        address indexed token,
        uint256 lotLeft,
        uint256 debtLeftWad
    );

    // ---------------------------------------------------------------- governance

    /// @notice Lists `token` for auctions with `curve`, or replaces its curve. Governance only
    ///         (a curve is code, not a number: RiskConfig's bounded steps do not apply to it).
    ///         Caches the token's decimals (<= 18). At most 255 tokens. Warning: a new curve applies to running
    ///         auctions at once, as Maker's `calc`.
    function setCurve(address token, IAuctionCurve curve) external;

    // ---------------------------------------------------------------- auctions

    /// @notice Starts an auction. The kicker only. The `lot` of `token` stays in the
    ///         sink's custody (the kicker moves it out of the account's collateral in the same
    ///         transaction); the auction only keeps the record. Starting price =
    ///         `oraclePriceWad` x buf, where `oraclePriceWad` is the oracle's ok price of `token`
    ///         as the kicker read it in this transaction (the engine passes the ledger's quote, so
    ///         the oracle is not read twice); 0 (the kicker found the oracle not ok) reverts.
    ///         Grants `keeper` (if not address(0)) `tip + chip x tab`, only when that is below
    ///         the penalty `tab - debt` the account pays (so a self-liquidator cannot earn it
    ///         back): the kick returns it and the kicker MUST credit it to `keeper` (the engine
    ///         does in the ledger's `seize`, saving a call into the sink per kick).
    /// @param account The liquidated account (receives leftover collateral).
    /// @param token The collateral token.
    /// @param lot Collateral for sale, token decimals.
    /// @param tabWad Stablecoin to raise: debt covered x (1 + penalty), WAD.
    /// @param debtWad The debt part of the tab, WAD (<= tabWad).
    /// @param keeper Receiver of the kick reward (address(0): none).
    /// @param oraclePriceWad The oracle price of `token` in this transaction, WAD (0: not ok).
    /// @return id The new auction's id (see the contract notes: the kick number, plus the record
    ///         slot in the high bits when the record is recycled).
    /// @return rewardWad The kick reward the kicker must credit to `keeper`, WAD (as in `Kick`).
    function kick(
        address account,
        address token,
        uint256 lot,
        uint256 tabWad,
        uint256 debtWad,
        address keeper,
        uint256 oraclePriceWad
    ) external returns (uint256 id, uint256 rewardWad);

    /// @notice Buys up to `maxAmount` collateral from auction `id` at the current price.
    ///         Collateral goes to `receiver` first (sent by the sink); if `data` is non-empty `receiver` is called
    ///         (`IAuctionTaker.onAuctionTake`); then the sink burns `owe` stablecoin from the
    ///         caller, spending the caller's allowance to this auction (approve it first), and
    ///         settles. Dust rule (Maker's): if the tab left
    ///         would be non-zero but below `dust` while collateral remains, the take is cut to
    ///         leave exactly `dust`; if the tab itself is not above `dust`, only the whole tab (or
    ///         the whole lot) may be bought. At breaker level 3 of the token (or global), or after
    ///         settlement, the sink refuses the take (`Clearinghouse__BreakerLevel`,
    ///         `Clearinghouse__Settled`) before any collateral moves.
    /// @param id The auction.
    /// @param maxAmount Most collateral to buy, token decimals.
    /// @param maxPriceWad Highest acceptable price, WAD per whole token.
    /// @param receiver Where the collateral goes.
    /// @param data Passed to the receiver's callback; empty for no callback.
    /// @return slice Collateral bought, token decimals.
    /// @return oweWad Stablecoin paid, WAD.
    function take(
        uint256 id,
        uint256 maxAmount,
        uint256 maxPriceWad,
        address receiver,
        bytes calldata data
    ) external returns (uint256 slice, uint256 oweWad);

    /// @notice Restarts auction `id` at oracle x buf when it needs a redo (older than `tail` or
    ///         price below `cusp` x start). Permissionless. Pays `keeper` the kick formula only
    ///         when the tab and the lot's value are both >= dust > 0.
    /// @return rewardWad The reward paid.
    function redo(uint256 id, address keeper) external returns (uint256 rewardWad);

    /// @notice Ends running auction `id` without a sale and returns what the sink must give back
    ///         to the account: the lot (still in the sink's custody) and the debt. The sink only:
    ///         the Clearinghouse calls it after global settlement (`settleAuction`), when takes
    ///         and redos are refused, so the lot joins the account's settlement instead of staying
    ///         stranded. No keeper reward.
    function yank(uint256 id) external returns (address account, address token, uint256 lot, uint256 debtWad);

    // ---------------------------------------------------------------- views

    /// @notice Status of auction `id`; all zero/false when it is not running. Never reverts.
    function getStatus(
        uint256 id
    ) external view returns (bool needsRedo, uint256 priceWad, uint256 lot, uint256 tabWad);

    /// @notice The stored auction (all zero when not running).
    function auctions(uint256 id) external view returns (Auction memory);

    /// @notice Number of auctions ever kicked (the low 64 bits of the last id).
    function kicks() external view returns (uint256);

    /// @notice Sum of the tabs of running auctions, WAD (the engine caps it, like Maker's Hole).
    function totalTabInFlightWad() external view returns (uint256);

    /// @notice Sum of the tabs of running auctions of `token`, WAD (Maker's per-ilk hole).
    function tabInFlightWad(address token) external view returns (uint256);

    /// @notice `totalTabInFlightWad()` and `tabInFlightWad(token)` in one call (for the engine).
    function tabsInFlightWad(address token) external view returns (uint256 totalWad, uint256 tokenWad);

    /// @notice The curve of `token` (address(0) when not listed).
    function curveOf(address token) external view returns (IAuctionCurve);

    /// @notice The only address that may kick (the liquidation engine), fixed at construction: no
    ///         other contract can open an auction that the sink would settle from collateral it
    ///         never seized.
    function kicker() external view returns (address);

    /// @notice The settlement sink (the Clearinghouse), fixed at construction.
    function sink() external view returns (IAuctionSink);

    /// @notice The circuit breaker, fixed at construction (address(0): none). From level 2 of a
    ///         token (or after settlement) no auction of it is redone, and none is kicked: the
    ///         kicker, the liquidation engine, refuses to seize the token then (the auction does
    ///         not ask the breaker a second time in the same transaction). Takes stop at
    ///         level 3 and after settlement too, refused by the sink (IAuctionSink), which holds
    ///         the breaker's levels already: the auction does not ask the breaker for them.
    function breaker() external view returns (ICircuitBreaker);

    /// @notice The kick reward `tip + chip x tab` for an auction of `token` with `tabWad`, WAD.
    function keeperReward(address token, uint256 tabWad) external view returns (uint256);
}
