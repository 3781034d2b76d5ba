// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {IOracleRouter} from "../interfaces/IOracleRouter.sol";

/// @title MockOracleRouter
/// @notice Test double of IOracleRouter: prices are set directly. No access control.
/// @dev Reads return exactly what `setPrice` stored (also when not ok: set the last good price
///      yourself to mimic the real router). `setPrice(asset, price, true)` also records the last
///      good price. `poke` returns the current read and emits PricePoked. Unset assets read
///      `(0, UnknownAsset)`. Every `setPrice` is a new feed round: `observation` reports its block
///      time as the round's `updatedAt` (0 when not ok, as the real router).
contract MockOracleRouter is IOracleRouter {
    struct PriceData {
        uint256 priceWad;
        bool ok;
        bool set;
        uint64 updatedAt;
    }

    mapping(address asset => PriceData) private _prices;
    mapping(address asset => uint256) private _lastGoodPriceWad;
    mapping(address asset => uint256) private _lastGoodAt;
    mapping(address asset => uint256) private _delayedPriceWad;
    mapping(address asset => uint256) private _delayedAt;
    mapping(address asset => FeedConfig) private _configs;

    /// @notice Sets the current read of `asset`. When `ok`, it also becomes the last good price.
    function setPrice(address asset, uint256 priceWad, bool ok) external {
        _prices[asset] = PriceData({priceWad: priceWad, ok: ok, set: true, updatedAt: uint64(block.timestamp)});
        if (ok) {
            _lastGoodPriceWad[asset] = priceWad;
            _lastGoodAt[asset] = block.timestamp;
        }
    }

    /// @notice Sets the delayed reference price of `asset`, observed now.
    function setDelayedPrice(address asset, uint256 priceWad) external {
        _delayedPriceWad[asset] = priceWad;
        _delayedAt[asset] = block.timestamp;
    }

    /// @inheritdoc IOracleRouter
    function setFeed(address asset, FeedConfig calldata config) external {
        _configs[asset] = config;
        emit FeedConfigured(asset, address(config.primary), address(config.secondary));
    }

    /// @inheritdoc IOracleRouter
    function setSequencerFeed(AggregatorV3Interface feed, uint32 gracePeriodSeconds) external {
        emit SequencerFeedConfigured(address(feed), gracePeriodSeconds);
    }

    /// @inheritdoc IOracleRouter
    function poke(address asset) external returns (uint256 priceWad, bool ok) {
        Status status;
        (priceWad, status) = _read(asset);
        ok = status == Status.Ok;
        emit PricePoked(asset, priceWad, status, _delayedPriceWad[asset]);
    }

    /// @inheritdoc IOracleRouter
    function getPrice(address asset) external view returns (uint256 priceWad, bool ok) {
        Status status;
        (priceWad, status) = _read(asset);
        ok = status == Status.Ok;
    }

    /// @inheritdoc IOracleRouter
    function getPriceWithStatus(address asset) external view returns (uint256 priceWad, Status status) {
        return _read(asset);
    }

    /// @inheritdoc IOracleRouter
    function observation(address asset) external view returns (uint256 priceWad, uint256 updatedAt, bool ok) {
        Status status;
        (priceWad, status) = _read(asset);
        ok = status == Status.Ok;
        if (ok) updatedAt = _prices[asset].updatedAt;
    }

    /// @inheritdoc IOracleRouter
    function lastGoodPrice(address asset) external view returns (uint256 priceWad, uint256 updatedAt) {
        return (_lastGoodPriceWad[asset], _lastGoodAt[asset]);
    }

    /// @inheritdoc IOracleRouter
    function delayedPrice(address asset) external view returns (uint256 priceWad, uint256 observedAt) {
        return (_delayedPriceWad[asset], _delayedAt[asset]);
    }

    /// @inheritdoc IOracleRouter
    /// @dev The mock keeps no queue: the delayed price stands in for it.
    function queuedPrice(address asset) external view returns (uint256 priceWad, uint256 observedAt) {
        return (_delayedPriceWad[asset], _delayedAt[asset]);
    }

    /// @inheritdoc IOracleRouter
    function hopSeconds() external pure returns (uint256) {
        return 1 hours;
    }

    /// @inheritdoc IOracleRouter
    function feedConfig(address asset) external view returns (FeedConfig memory) {
        return _configs[asset];
    }

    /// @dev Not-ok reads carry `PrimaryStale` as a representative status.
    function _read(address asset) internal view returns (uint256 priceWad, Status status) {
        PriceData memory p = _prices[asset];
        if (!p.set) return (0, Status.UnknownAsset);
        return (p.priceWad, p.ok ? Status.Ok : Status.PrimaryStale);
    }
}
