// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

/// @title IOracleRouter
/// @notice Hardened price reads per asset: a Chainlink primary feed, an optional secondary feed
///         with a maximum deviation, an optional L2 sequencer-uptime feed, a remembered last good
///         price and a delayed (about one hour old) reference price.
/// @dev All prices are USD per whole token, in WAD (1e18 = $1), whatever the feed's decimals.
///      Warning: reads never revert. A consumer MUST check `ok` before any risk-increasing use.
///      An ok price is never 0.
interface IOracleRouter {
    /// @notice Why a read is (not) ok. `Ok` is the only good status.
    enum Status {
        Ok,
        UnknownAsset,
        SequencerDown,
        SequencerGracePeriod,
        PrimaryCallFailed,
        PrimaryNonPositive,
        PrimaryIncompleteRound,
        PrimaryStale,
        PrimaryOutOfBounds,
        SecondaryFailed,
        SecondaryDeviation
    }

    /// @notice Per-asset feed configuration.
    /// @param primary Chainlink aggregator (required).
    /// @param secondary Optional second source (address(0) for none), same asset, any decimals.
    /// @param heartbeatSeconds Primary heartbeat; a round older than heartbeat + grace is stale.
    /// @param gracePeriodSeconds Extra staleness tolerance added to both heartbeats.
    /// @param secondaryHeartbeatSeconds Secondary heartbeat (ignored without a secondary).
    /// @param maxDeviationWad Maximum |primary - secondary| / primary (WAD) before `SecondaryDeviation`.
    /// @param minPriceWad Lowest plausible price (WAD); below it the read is `PrimaryOutOfBounds`.
    /// @param maxPriceWad Highest plausible price (WAD); above it the read is `PrimaryOutOfBounds`.
    struct FeedConfig {
        AggregatorV3Interface primary;
        AggregatorV3Interface secondary;
        uint32 heartbeatSeconds;
        uint32 gracePeriodSeconds;
        uint32 secondaryHeartbeatSeconds;
        uint64 maxDeviationWad;
        uint128 minPriceWad;
        uint128 maxPriceWad;
    }

    error OracleRouter__ZeroAddress();
    error OracleRouter__InvalidConfig(address asset, string reason);
    error OracleRouter__UnknownAsset(address asset);

    event FeedConfigured(address indexed asset, address indexed primary, address indexed secondary);
    event SequencerFeedConfigured(address indexed feed, uint32 gracePeriodSeconds);
    /// @notice Emitted by `poke` with the read's outcome; keepers and the circuit breaker watch it.
    event PricePoked(address indexed asset, uint256 priceWad, Status status, uint256 delayedPriceWad);

    /// @notice Sets or replaces the feeds of `asset`. Governance only.
    function setFeed(address asset, FeedConfig calldata config) external;

    /// @notice Sets the L2 sequencer-uptime feed (address(0) disables the check). Governance only.
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriodSeconds) external;

    /// @notice Current price of `asset`. When `ok` is false, `priceWad` is the fallback: the
    ///         primary's latest answer when only its age failed (and the asset has no secondary
    ///         feed to cross-check it) and its round is newer than the
    ///         last good price (a stale feed's last round is the most recent price there is; the
    ///         last good price is only as recent as the last `poke`), else the last good price
    ///         (0 if there never was one). Never reverts.
    function getPrice(address asset) external view returns (uint256 priceWad, bool ok);

    /// @notice Like `getPrice`, with the reason when the read is not ok.
    function getPriceWithStatus(address asset) external view returns (uint256 priceWad, Status status);

    /// @notice Like `getPrice`, with the time of the primary-feed round the price comes from, so
    ///         that a consumer can count each round once and measure time between rounds (the
    ///         MarginModel's EWMA: one observation per new round, ADR 0012). Never reverts.
    /// @dev An ok price is always the primary's answer (the secondary only vouches for it), so
    ///      `updatedAt` is the primary round's `updatedAt` (never 0, never in the future). A read
    ///      that is not ok returns `getPrice`'s fallback and `updatedAt` 0 (not an observation).
    /// @return priceWad As `getPrice`.
    /// @return updatedAt The primary round's `updatedAt` when `ok`, else 0.
    /// @return ok As `getPrice`.
    function observation(address asset) external view returns (uint256 priceWad, uint256 updatedAt, bool ok);

    /// @notice Reads the feed, remembers it as the last good price when ok, and rolls the delayed
    ///         price forward when its hop (about one hour) has passed. Permissionless; never reverts.
    ///         A read that is not ok stores nothing and returns `getPrice`'s fallback.
    function poke(address asset) external returns (uint256 priceWad, bool ok);

    /// @notice The last price that read ok, and when it was stored.
    function lastGoodPrice(address asset) external view returns (uint256 priceWad, uint256 updatedAt);

    /// @notice The delayed reference price (the price as of one to two hops ago, like Maker's OSM)
    ///         and the time it was observed. 0 before two pokes a hop apart.
    function delayedPrice(address asset) external view returns (uint256 priceWad, uint256 observedAt);

    /// @notice The queued delayed price (Maker OSM's `nxt`): it becomes `delayedPrice` at the
    ///         first ok poke at or after `observedAt + hopSeconds`. At most a hop older than the
    ///         last ok poke; 0 before the first.
    function queuedPrice(address asset) external view returns (uint256 priceWad, uint256 observedAt);

    /// @notice Length of one delayed-price hop, in seconds.
    function hopSeconds() external view returns (uint256);

    /// @notice The feed configuration of `asset` (primary is address(0) when unknown).
    function feedConfig(address asset) external view returns (FeedConfig memory);
}
