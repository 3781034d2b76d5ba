// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title OracleRouter
/// @notice Hardened Chainlink reads per asset (see `IOracleRouter`), with a remembered last good
///         price and an OSM-style delayed price. Governed by `owner` (the TimelockController).
/// @dev Feeds are read with a raw `staticcall` instead of `try/catch`: a Solidity `try` still
///      reverts the caller when the callee succeeds but returns undecodable data (short, or a
///      dirty `uint80`), and it copies unbounded return data. The raw call checks the length,
///      copies at most 160 bytes and only reads the three words it needs, so a reverting,
///      empty, short or garbage-returning feed (or an account without code) is just a failed
///      read. Warning: a feed that burns all forwarded gas still leaves the caller only 1/64 of
///      it; feeds are governance-chosen Chainlink aggregators, so this is not guarded against.
///      Prices are normalized to WAD rounding down (an 18+ decimal feed loses its extra digits);
///      an answer that rounds down to 0 is not ok (`PrimaryNonPositive`): no ok read is ever 0.
contract OracleRouter is IOracleRouter, Ownable2Step {
    uint256 private constant WAD = 1e18;
    /// @dev Largest feed `decimals()` accepted at configuration time.
    uint256 private constant MAX_FEED_DECIMALS = 36;
    /// @dev `latestRoundData()` returns five words.
    uint256 private constant ROUND_DATA_BYTES = 160;
    /// @dev Answers above this are implausible for any bound (maxPriceWad <= 2^128 - 1 and the
    ///      scale-down is at most 1e18 < 2^60); checking it first keeps the scale-up from overflowing.
    uint256 private constant MAX_ANSWER = type(uint192).max;

    /// @inheritdoc IOracleRouter
    uint256 public immutable hopSeconds;

    /// @dev Per-asset configuration, three slots ordered by how often a read needs them.
    struct StoredFeed {
        // Slot 0, read by every call.
        address primary;
        uint32 heartbeatSeconds;
        uint32 gracePeriodSeconds;
        uint8 primaryDecimals;
        uint8 secondaryDecimals;
        bool hasSecondary;
        /// @dev Mirror of `_sequencerFeed != address(0)`, kept for every listed asset by
        ///      `setFeed` and `setSequencerFeed`, so a read without a sequencer skips its slot.
        bool checkSequencer;
        // Slot 1, read once the primary answer passed its own checks.
        uint128 minPriceWad;
        uint128 maxPriceWad;
        // Slot 2, read only when `hasSecondary`.
        address secondary;
        uint32 secondaryHeartbeatSeconds;
        uint64 maxDeviationWad;
    }

    /// @dev A price (WAD) and when it was observed, one slot.
    struct Observation {
        uint128 priceWad;
        uint64 timestamp;
    }

    /// @dev `cur` is the published delayed price, `nxt` the queued one (Maker OSM naming).
    struct PriceState {
        Observation lastGood;
        Observation cur;
        Observation nxt;
    }

    /// @dev Sequencer feed and grace packed in one slot; address(0) disables the check.
    address private _sequencerFeed;
    uint32 private _sequencerGracePeriodSeconds;

    mapping(address asset => StoredFeed) private _feeds;
    mapping(address asset => PriceState) private _prices;
    /// @dev Every asset ever configured (feeds can be replaced, not removed).
    address[] private _assets;

    /// @param initialOwner Governance (the TimelockController).
    /// @param hopSeconds_ Length of one delayed-price hop, e.g. 3600.
    constructor(address initialOwner, uint256 hopSeconds_) Ownable(initialOwner) {
        if (hopSeconds_ == 0 || hopSeconds_ > type(uint32).max) {
            revert OracleRouter__InvalidConfig(address(0), "hop out of range");
        }
        hopSeconds = hopSeconds_;
    }

    /// @inheritdoc IOracleRouter
    /// @dev Replacing the feeds keeps the asset's last good and delayed prices.
    function setFeed(address asset, FeedConfig calldata config) external onlyOwner {
        if (asset == address(0)) revert OracleRouter__ZeroAddress();
        address primary = address(config.primary);
        address secondary = address(config.secondary);
        if (primary == address(0)) revert OracleRouter__InvalidConfig(asset, "primary is zero");
        if (config.heartbeatSeconds == 0) revert OracleRouter__InvalidConfig(asset, "heartbeat is zero");
        if (config.maxPriceWad == 0) revert OracleRouter__InvalidConfig(asset, "max price is zero");
        if (config.minPriceWad >= config.maxPriceWad) {
            revert OracleRouter__InvalidConfig(asset, "min price not below max");
        }
        if (config.maxDeviationWad > WAD) revert OracleRouter__InvalidConfig(asset, "deviation above 1e18");
        (bool primaryOk, uint8 primaryDecimals) = _feedDecimals(primary);
        if (!primaryOk) revert OracleRouter__InvalidConfig(asset, "primary decimals");

        uint8 secondaryDecimals;
        if (secondary != address(0)) {
            if (secondary == primary) revert OracleRouter__InvalidConfig(asset, "secondary is primary");
            if (config.secondaryHeartbeatSeconds == 0) {
                revert OracleRouter__InvalidConfig(asset, "secondary heartbeat is zero");
            }
            bool secondaryOk;
            (secondaryOk, secondaryDecimals) = _feedDecimals(secondary);
            if (!secondaryOk) revert OracleRouter__InvalidConfig(asset, "secondary decimals");
        }

        if (_feeds[asset].primary == address(0)) _assets.push(asset);
        _feeds[asset] = StoredFeed({
            primary: primary,
            heartbeatSeconds: config.heartbeatSeconds,
            gracePeriodSeconds: config.gracePeriodSeconds,
            primaryDecimals: primaryDecimals,
            secondaryDecimals: secondaryDecimals,
            hasSecondary: secondary != address(0),
            checkSequencer: _sequencerFeed != address(0),
            minPriceWad: config.minPriceWad,
            maxPriceWad: config.maxPriceWad,
            secondary: secondary,
            secondaryHeartbeatSeconds: config.secondaryHeartbeatSeconds,
            maxDeviationWad: config.maxDeviationWad
        });
        emit FeedConfigured(asset, primary, secondary);
    }

    /// @inheritdoc IOracleRouter
    /// @dev The sequencer is "up" when its answer is 0, and a read is ok only once
    ///      `block.timestamp - startedAt >= gracePeriodSeconds`. A failing sequencer call, a non-zero
    ///      answer or `startedAt == 0` count as `SequencerDown`; a future `startedAt` as
    ///      `SequencerGracePeriod`.
    ///      Enabling or disabling the check writes a flag into every listed asset's first slot.
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriodSeconds) external onlyOwner {
        bool enabled = address(feed) != address(0);
        if (enabled != (_sequencerFeed != address(0))) {
            uint256 length = _assets.length;
            for (uint256 i; i < length; ++i) {
                _feeds[_assets[i]].checkSequencer = enabled;
            }
        }
        _sequencerFeed = address(feed);
        _sequencerGracePeriodSeconds = gracePeriodSeconds;
        emit SequencerFeedConfigured(address(feed), gracePeriodSeconds);
    }

    /// @inheritdoc IOracleRouter
    /// @dev Only ok reads feed the delayed price. The first ok poke queues its price as `nxt`;
    ///      a later ok poke at least `hopSeconds` after `nxt` was observed publishes `nxt` as the
    ///      delayed price and queues its own price. A failing read changes nothing but the event.
    function poke(address asset) external returns (uint256 priceWad, bool ok) {
        (uint256 readWad, Status status, uint256 updatedAt) = _read(asset);
        PriceState storage state = _prices[asset];
        if (status == Status.Ok) {
            // readWad <= maxPriceWad < 2^128 and block.timestamp < 2^64: the casts are exact.
            Observation memory observed = Observation(uint128(readWad), uint64(block.timestamp));
            state.lastGood = observed;
            Observation memory queued = state.nxt;
            if (queued.timestamp == 0) {
                state.nxt = observed;
            } else if (block.timestamp >= uint256(queued.timestamp) + hopSeconds) {
                state.cur = queued;
                state.nxt = observed;
            }
            (priceWad, ok) = (readWad, true);
        } else {
            priceWad = _fallbackPrice(asset, readWad, updatedAt);
        }
        emit PricePoked(asset, priceWad, status, state.cur.priceWad);
    }

    /// @inheritdoc IOracleRouter
    function getPrice(address asset) external view returns (uint256 priceWad, bool ok) {
        Status status;
        uint256 updatedAt;
        (priceWad, status, updatedAt) = _read(asset);
        if (status == Status.Ok) return (priceWad, true);
        return (_fallbackPrice(asset, priceWad, updatedAt), false);
    }

    /// @inheritdoc IOracleRouter
    function getPriceWithStatus(address asset) external view returns (uint256 priceWad, Status status) {
        uint256 updatedAt;
        (priceWad, status, updatedAt) = _read(asset);
        if (status != Status.Ok) priceWad = _fallbackPrice(asset, priceWad, updatedAt);
    }

    /// @inheritdoc IOracleRouter
    function observation(address asset) external view returns (uint256 priceWad, uint256 updatedAt, bool ok) {
        Status status;
        (priceWad, status, updatedAt) = _read(asset);
        if (status == Status.Ok) return (priceWad, updatedAt, true);
        return (_fallbackPrice(asset, priceWad, updatedAt), 0, false);
    }

    /// @inheritdoc IOracleRouter
    /// @dev Updated only by `poke`; `getPrice` is a view and never stores.
    function lastGoodPrice(address asset) external view returns (uint256 priceWad, uint256 updatedAt) {
        Observation memory last = _prices[asset].lastGood;
        return (last.priceWad, last.timestamp);
    }

    /// @inheritdoc IOracleRouter
    /// @dev Exactly: the price of the most recent ok poke that was queued at least `hopSeconds`
    ///      before a later ok poke published it (Maker OSM's `cur`). Hence `observedAt <=
    ///      block.timestamp - hopSeconds` always; with an ok poke at least every `p` seconds the
    ///      price is less than `2 * hopSeconds + p` old. When pokes stop, or the feed stops
    ///      reading ok, it only ages: consumers should check `observedAt`. (0, 0) until a second
    ///      ok poke at least one hop after the first.
    function delayedPrice(address asset) external view returns (uint256 priceWad, uint256 observedAt) {
        Observation memory cur = _prices[asset].cur;
        return (cur.priceWad, cur.timestamp);
    }

    /// @inheritdoc IOracleRouter
    function queuedPrice(address asset) external view returns (uint256 priceWad, uint256 observedAt) {
        Observation memory nxt = _prices[asset].nxt;
        return (nxt.priceWad, nxt.timestamp);
    }

    /// @notice The L2 sequencer-uptime feed (address(0) when disabled) and its grace period.
    function sequencerFeed() external view returns (address feed, uint32 gracePeriodSeconds) {
        return (_sequencerFeed, _sequencerGracePeriodSeconds);
    }

    /// @notice Every asset that was ever configured, in order (keepers poke these).
    function listedAssets() external view returns (address[] memory) {
        return _assets;
    }

    /// @inheritdoc IOracleRouter
    function feedConfig(address asset) external view returns (FeedConfig memory config) {
        StoredFeed storage f = _feeds[asset];
        config = FeedConfig({
            primary: AggregatorV3Interface(f.primary),
            secondary: AggregatorV3Interface(f.secondary),
            heartbeatSeconds: f.heartbeatSeconds,
            gracePeriodSeconds: f.gracePeriodSeconds,
            secondaryHeartbeatSeconds: f.secondaryHeartbeatSeconds,
            maxDeviationWad: f.maxDeviationWad,
            minPriceWad: f.minPriceWad,
            maxPriceWad: f.maxPriceWad
        });
    }

    /// @dev The whole read, in the order of the spec. Returns the price and the primary round's
    ///      `updatedAt` when `Ok`, and when `PrimaryStale` with an answer within bounds (for
    ///      `_fallbackPrice` only; never reported as a price that is ok).
    function _read(address asset) private view returns (uint256 priceWad, Status status, uint256 updatedAt) {
        StoredFeed storage f = _feeds[asset];
        // One SLOAD: these fields share slot 0.
        address primary = f.primary;
        uint256 maxAgeSeconds = uint256(f.heartbeatSeconds) + f.gracePeriodSeconds;
        uint256 primaryDecimals = f.primaryDecimals;
        bool hasSecondary = f.hasSecondary;
        bool checkSequencer = f.checkSequencer;
        if (primary == address(0)) return (0, Status.UnknownAsset, 0);

        if (checkSequencer) {
            status = _sequencerStatus(_sequencerFeed, _sequencerGracePeriodSeconds);
            if (status != Status.Ok) return (0, status, 0);
        }

        (priceWad, status, updatedAt) = _readFeed(primary, primaryDecimals, maxAgeSeconds);
        uint256 minPriceWad = f.minPriceWad;
        uint256 maxPriceWad = f.maxPriceWad;
        if (status == Status.PrimaryStale) {
            // the stale answer and its round go back for `_fallbackPrice`, when within bounds and
            // when no secondary has to vouch for it (a primary whose last answer the secondary
            // rejected must not become the fallback once it is stale: the last good price is)
            if (hasSecondary || priceWad < minPriceWad || priceWad > maxPriceWad) return (0, status, 0);
            return (priceWad, status, updatedAt);
        }
        if (status != Status.Ok) return (0, status, 0);
        if (priceWad < minPriceWad || priceWad > maxPriceWad) return (0, Status.PrimaryOutOfBounds, 0);

        if (hasSecondary) {
            (uint256 secondaryWad, Status secondaryStatus, ) = _readFeed(
                f.secondary,
                f.secondaryDecimals,
                uint256(f.secondaryHeartbeatSeconds) + f.gracePeriodSeconds
            );
            if (secondaryStatus != Status.Ok || secondaryWad < minPriceWad || secondaryWad > maxPriceWad) {
                return (0, Status.SecondaryFailed, 0);
            }
            uint256 diffWad = priceWad > secondaryWad ? priceWad - secondaryWad : secondaryWad - priceWad;
            // |p - s| / p <= maxDeviation, without division: both sides < 2^192.
            if (diffWad * WAD > uint256(f.maxDeviationWad) * priceWad) return (0, Status.SecondaryDeviation, 0);
        }
        return (priceWad, Status.Ok, updatedAt);
    }

    /// @dev One aggregator read with the per-feed checks, reported with the primary's codes:
    ///      CallFailed, NonPositive (also an answer that normalizes to 0 WAD), IncompleteRound,
    ///      Stale, OutOfBounds (implausibly large answer). `updatedAt` is the round's.
    function _readFeed(
        address feed,
        uint256 decimals,
        uint256 maxAgeSeconds
    ) private view returns (uint256 priceWad, Status status, uint256 updatedAt) {
        bool success;
        int256 answer;
        uint256 startedAt;
        (success, answer, startedAt, updatedAt) = _latestRoundData(feed);
        if (!success) return (0, Status.PrimaryCallFailed, 0);
        if (answer <= 0) return (0, Status.PrimaryNonPositive, 0);
        if (updatedAt == 0 || startedAt == 0 || updatedAt > block.timestamp) {
            return (0, Status.PrimaryIncompleteRound, 0);
        }
        uint256 raw = uint256(answer);
        if (raw > MAX_ANSWER) return (0, Status.PrimaryOutOfBounds, 0);
        if (decimals <= 18) {
            priceWad = raw * 10 ** (18 - decimals); // raw > 0: never 0
        } else {
            // A tiny answer of a feed with more than 18 decimals rounds down to 0: a price of 0
            // is never ok (minPriceWad may be 0), it is reported as non-positive.
            priceWad = raw / 10 ** (decimals - 18);
            if (priceWad == 0) return (0, Status.PrimaryNonPositive, 0);
        }
        // too old: the price and its round still go back, for `_fallbackPrice` only
        status = block.timestamp - updatedAt > maxAgeSeconds ? Status.PrimaryStale : Status.Ok;
    }

    /// @dev The price a failing read reports (never ok): the primary's latest answer when only
    ///      its age failed (it passed every other check, bounds included, and the asset has no
    ///      secondary feed, whose cross-check a stale answer cannot pass) and its round is newer
    ///      than the last good price: a stale feed's last round is the most recent price there
    ///      is, and the last good price is only as recent as the last `poke`. Else the last good
    ///      price (a feed replaced by one with older rounds falls back to it too).
    function _fallbackPrice(address asset, uint256 staleWad, uint256 staleUpdatedAt) private view returns (uint256) {
        Observation memory last = _prices[asset].lastGood;
        if (staleWad != 0 && staleUpdatedAt > last.timestamp) return staleWad;
        return last.priceWad;
    }

    /// @dev Ok, or why the sequencer blocks reads (see `setSequencerFeed`).
    function _sequencerStatus(address feed, uint256 gracePeriodSeconds) private view returns (Status) {
        (bool success, int256 answer, uint256 startedAt, ) = _latestRoundData(feed);
        if (!success || answer != 0 || startedAt == 0) return Status.SequencerDown;
        if (startedAt > block.timestamp || block.timestamp - startedAt < gracePeriodSeconds) {
            return Status.SequencerGracePeriod;
        }
        return Status.Ok;
    }

    /// @dev `latestRoundData()` without reverting: false when the call reverts or returns fewer
    ///      than 160 bytes. Only words 1-3 (answer, startedAt, updatedAt) are read, so dirty
    ///      `uint80` round ids cannot make decoding revert.
    function _latestRoundData(
        address feed
    ) private view returns (bool success, int256 answer, uint256 startedAt, uint256 updatedAt) {
        bytes4 selector = AggregatorV3Interface.latestRoundData.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            success := staticcall(gas(), feed, ptr, 4, ptr, ROUND_DATA_BYTES)
            if lt(returndatasize(), ROUND_DATA_BYTES) {
                success := 0
            }
            answer := mload(add(ptr, 0x20))
            startedAt := mload(add(ptr, 0x40))
            updatedAt := mload(add(ptr, 0x60))
        }
    }

    /// @dev `decimals()` without reverting; false when the call fails, returns fewer than 32
    ///      bytes or a value above `MAX_FEED_DECIMALS`.
    function _feedDecimals(address feed) private view returns (bool success, uint8 decimals) {
        bytes4 selector = AggregatorV3Interface.decimals.selector;
        uint256 word;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, selector)
            success := staticcall(gas(), feed, ptr, 4, ptr, 0x20)
            if lt(returndatasize(), 0x20) {
                success := 0
            }
            word := mload(ptr)
        }
        if (!success || word > MAX_FEED_DECIMALS) return (false, 0);
        return (true, uint8(word));
    }
}
