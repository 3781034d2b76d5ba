// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearinghouse} from "../interfaces/IClearinghouse.sol";

/// @title AccountLens
/// @notice Batched read-only views over the Clearinghouse for keepers, bots and the laboratory:
///         one call returns the health of many accounts, so nothing needs one RPC call per
///         account per step.
/// @dev Views only; never reverts for an unknown account (it reads as empty).
contract AccountLens {
    /// @notice One account's maintenance and initial health plus its balances.
    struct AccountSummary {
        address account;
        IClearinghouse.Health maintenance;
        IClearinghouse.Health initial;
    }

    IClearinghouse public immutable clearinghouse;

    constructor(IClearinghouse clearinghouse_) {
        clearinghouse = clearinghouse_;
    }

    /// @notice Health of every account at maintenance (`initial` false) or initial levels.
    function healthOf(
        address[] calldata accounts,
        bool initial
    ) external view returns (IClearinghouse.Health[] memory out) {
        out = new IClearinghouse.Health[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) out[i] = clearinghouse.health(accounts[i], initial);
    }

    /// @notice Maintenance health factors (WAD) of every account.
    function healthFactors(address[] calldata accounts) external view returns (uint256[] memory out) {
        out = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) out[i] = clearinghouse.health(accounts[i], false).healthFactorWad;
    }

    /// @notice Both health levels of every account.
    function summaries(address[] calldata accounts) external view returns (AccountSummary[] memory out) {
        out = new AccountSummary[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            out[i] = AccountSummary({
                account: accounts[i],
                maintenance: clearinghouse.health(accounts[i], false),
                initial: clearinghouse.health(accounts[i], true)
            });
        }
    }

    /// @notice The subset of `accounts` the liquidation engine would take now: maintenance health
    ///         factor below 1 at prices the oracle vouches for (`pricesOk`; the ledger refuses a
    ///         liquidation at a failing price), not an account with nothing left but auctions
    ///         still running (`onlyAuctions`, the ledger's own rule; ADR 0014), and none at all at
    ///         global breaker level 2 or more or after settlement. An account whose every asset is
    ///         paused by its own level may still be listed; the engine skips such assets.
    function liquidatable(address[] calldata accounts) external view returns (address[] memory out) {
        // the global level (255 after settlement): level 2 stops every liquidation
        if (clearinghouse.breakerLevelOf(address(0)) >= 2) return out;
        address[] memory buffer = new address[](accounts.length);
        uint256 count;
        Listings memory listings;
        for (uint256 i; i < accounts.length; ++i) {
            IClearinghouse.Health memory h = clearinghouse.health(accounts[i], false);
            if (!h.pricesOk || h.healthFactorWad >= 1e18) continue;
            // weighted collateral means a balance, a requirement an open position: only an account
            // with neither can be one the ledger leaves to its auctions
            if (h.weightedCollateralWad == 0 && h.requirementWad == 0) {
                if (!listings.read) listings = _listings();
                if (_onlyAuctions(accounts[i], listings)) continue;
            }
            buffer[count++] = accounts[i];
        }
        out = new address[](count);
        for (uint256 i; i < count; ++i) out[i] = buffer[i];
    }

    /// @notice Whether each account holds nothing but running auctions, by the ledger's own rule
    ///         (`liquidationBegin`: no bit in its collateral and market bitmaps, an auction
    ///         running): no collateral balance at all, not even a dust one worth 0 after its
    ///         haircut, no open position, and `auctionsOf` above 0. The ledger liquidates no such
    ///         account, whatever its health: its auctions' ends decide what it still owes (ADR 0014).
    function onlyAuctions(address[] calldata accounts) external view returns (bool[] memory out) {
        out = new bool[](accounts.length);
        Listings memory listings = _listings();
        for (uint256 i; i < accounts.length; ++i) out[i] = _onlyAuctions(accounts[i], listings);
    }

    /// @dev The ledger's listed collaterals and markets, read once per call.
    struct Listings {
        bool read;
        address[] collaterals;
        address[] markets;
    }

    function _listings() internal view returns (Listings memory listings) {
        listings = Listings({read: true, collaterals: clearinghouse.collaterals(), markets: clearinghouse.markets()});
    }

    /// @dev The ledger's bitmaps from its balance views: a collateral bit is set exactly while the
    ///      balance is non-zero, a market bit while the position's size is.
    function _onlyAuctions(address account, Listings memory listings) internal view returns (bool) {
        if (clearinghouse.auctionsOf(account) == 0) return false;
        for (uint256 j; j < listings.collaterals.length; ++j) {
            if (clearinghouse.collateralOf(account, listings.collaterals[j]) != 0) return false;
        }
        for (uint256 j; j < listings.markets.length; ++j) {
            if (clearinghouse.positionOf(account, listings.markets[j]).sizeWad != 0) return false;
        }
        return true;
    }
}
