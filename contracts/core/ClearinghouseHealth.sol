// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

import {IMarginModel} from "../interfaces/IMarginModel.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {PerpMath} from "../perp/PerpMath.sol";
import {ClearinghouseBase} from "./ClearinghouseBase.sol";

/// @title ClearinghouseHealth
/// @notice Health (equity, requirements, health factor) computed once per call with each asset's
///         price and risk level read once, and the guards every entry point applies:
///         authorization, settlement and the circuit-breaker levels.
/// @dev No storage (ClearinghouseBase declares it all).
abstract contract ClearinghouseHealth is ClearinghouseBase {
    using WadMath for uint256;

    function _isAuthorized(address account, address operator) internal view returns (bool) {
        return account == operator || _operators[account][operator];
    }

    function _requireAuthorized(address account) internal view {
        if (!_isAuthorized(account, msg.sender)) revert Clearinghouse__NotAuthorized(msg.sender, account);
    }

    /// @dev An account in liquidation (`auctions` of its auctions running) may only be made safer:
    ///      what they fall short of is charged back to what it holds (ADR 0014).
    function _requireNoAuctions(address account, uint256 auctions) internal pure {
        if (auctions != 0) revert Clearinghouse__AuctionsRunning(account, auctions);
    }

    function _requireNotSettled() internal view {
        if (_breakerWord & 4 != 0) revert Clearinghouse__Settled();
    }

    /// @dev Level 3 (global or the token's) stops every withdrawal; so does settlement.
    function _requireWithdrawable(address token, uint256 tokenIndex) internal view {
        uint256 word = _breakerWord;
        if (word == 0) return;
        if (word & 4 != 0) revert Clearinghouse__Settled();
        if (word & 3 == 3) revert Clearinghouse__BreakerLevel(address(0), 3);
        if (tokenIndex < MAX_COLLATERALS && (word >> (8 + 2 * tokenIndex)) & 3 == 3) {
            revert Clearinghouse__BreakerLevel(token, 3);
        }
    }

    /// @dev Level 1 and above (global, or of any asset the account holds or trades) stops
    ///      everything that increases risk.
    function _requireBreakerAllowsRisk(address account) internal view {
        uint256 word = _breakerWord;
        if (word == 0) return;
        if (word & 4 != 0) revert Clearinghouse__Settled();
        if (word & 3 != 0) revert Clearinghouse__BreakerLevel(address(0), uint8(word & 3));
        AccountSlot memory acct = _accounts[account];
        for (uint256 i; i < MAX_COLLATERALS; ++i) {
            uint256 lvl = (word >> (8 + 2 * i)) & 3;
            if (lvl != 0 && (acct.collateralMask >> i) & 1 == 1) {
                revert Clearinghouse__BreakerLevel(_collaterals[i], uint8(lvl));
            }
            lvl = (word >> (40 + 2 * i)) & 3;
            if (lvl != 0 && (acct.marketMask >> i) & 1 == 1)
                revert Clearinghouse__BreakerLevel(_markets[i], uint8(lvl));
        }
    }

    /// @dev The gate of every risk-increasing action (a borrow, a withdrawal from an exposed
    ///      account, a risk-increasing fill): refused at a breaker level, while the account's
    ///      auctions run (the count read with the health's own read of the slot) and below the
    ///      initial requirement.
    function _requireInitialHealth(address account) internal view {
        _requireBreakerAllowsRisk(account);
        (Health memory h, address failingAsset, uint256 auctions) = _computeHealth(account, true);
        _requireNoAuctions(account, auctions);
        if (!h.pricesOk) revert Clearinghouse__OracleUnhealthy(failingAsset);
        if (h.healthFactorWad < WadMath.WAD) revert Clearinghouse__Undercollateralized(account, h.healthFactorWad);
    }

    function _health(address account, bool initial) internal view returns (Health memory h) {
        (h, , ) = _computeHealth(account, initial);
    }

    /// @dev Prices and risk levels read once per asset per health computation.
    // memory and ABI only, never stored: slot packing does not apply
    // solhint-disable-next-line gas-struct-packing
    struct AssetQuote {
        address asset;
        uint256 priceWad;
        bool ok;
        IMarginModel.AssetRisk risk;
    }

    /// @dev Equity and requirement of `account`; collateral rounded down, debt and requirement up.
    ///      Also returns the number of its auctions running (from the same read of its slot).
    function _computeHealth(
        address account,
        bool initial
    ) internal view returns (Health memory h, address failingAsset, uint256 auctions) {
        AccountSlot memory acct = _accounts[account];
        auctions = acct.auctions;
        h.creditWad = account == vault ? uint256(_vaultCreditWad) + _pendingFeeWad() : acct.creditWad;
        h.debtWad = uint256(acct.normalizedDebt).mulRayUp(_currentRateIndex());
        (failingAsset, , ) = _healthOf(account, acct, h, initial, false);
    }

    /// @dev Maintenance health of `account` (exactly `_computeHealth(account, false)`, for an account
    ///      that is not the vault) and the valuations of its collaterals for the engine's seizure
    ///      arithmetic, reading each price and risk level once.
    function _collateralQuotes(
        address account,
        AccountSlot memory acct,
        uint256 indexRay
    )
        internal
        view
        returns (Health memory h, address failingAsset, CollateralQuote[] memory cols, AssetQuote[] memory quotes)
    {
        h.creditWad = acct.creditWad;
        h.debtWad = uint256(acct.normalizedDebt).mulRayUp(indexRay);
        (failingAsset, cols, quotes) = _healthOf(account, acct, h, false, true);
    }

    /// @dev The one health computation, completing `h` (credit and debt already set, debt rounded
    ///      up): each asset's price and risk level read once; collateral after its haircut rounded
    ///      down, requirements rounded up. With `withCols` it also returns each collateral's
    ///      valuation (in the order of the collateral bitmap) and, for a batch's quote cache, the quotes.
    function _healthOf(
        address account,
        AccountSlot memory acct,
        Health memory h,
        bool initial,
        bool withCols
    ) internal view returns (address failingAsset, CollateralQuote[] memory cols, AssetQuote[] memory quotes) {
        h.pricesOk = true;
        if (withCols) cols = new CollateralQuote[](_popCount(acct.collateralMask));
        quotes = new AssetQuote[](_popCount(acct.collateralMask) + _popCount(acct.marketMask));
        uint256 quoteCount;
        AssetQuote memory q;

        // initial-margin checks hand `_quote` the prices `refreshPrices` cached (ADR 0006; it
        // checks their age); maintenance health (liquidation) hands it none and reads the oracle
        uint256 mask = acct.collateralMask;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                CollateralSlot memory c = _collateralByIndex[i];
                (q, quoteCount) = _quote(quotes, quoteCount, c.token, initial ? c.cachedPriceWad : 0, withCols);
                if (!q.ok) (h.pricesOk, failingAsset) = (false, c.token);
                uint256 amount = _collateralAt(account, i);
                uint256 haircutWad = initial ? q.risk.haircutInitWad : q.risk.haircutMaintWad;
                h.weightedCollateralWad += WadMath.toWad(amount, c.decimals).mulWadDown(q.priceWad).mulWadDown(
                    WadMath.WAD - haircutWad
                );
                if (withCols) {
                    // collateral tokens are distinct: the quote just added is the i-th collateral's
                    CollateralQuote memory cq = cols[quoteCount - 1];
                    (cq.token, cq.amount, cq.priceWad) = (c.token, amount, q.priceWad);
                    (cq.haircutWad, cq.decimals, cq.index) = (haircutWad, c.decimals, uint8(i));
                }
            }
            mask >>= 1;
        }

        mask = acct.marketMask;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                MarketSlot memory m = _marketByIndex[i];
                (q, quoteCount) = _quote(quotes, quoteCount, m.market, initial ? m.cachedPriceWad : 0, withCols);
                if (!q.ok) (h.pricesOk, failingAsset) = (false, m.market);
                (int256 pnlWad, uint256 requirementWad) = _positionRisk(account, m.market, q, initial);
                h.pnlWad += pnlWad;
                h.requirementWad += requirementWad;
            }
            mask >>= 1;
        }

        // PnL nets against the balance, as realizing it would (ADR 0008): the ratio does not move
        // when a position is settled, only the requirement and any fee or penalty move it
        int256 balanceWad = int256(h.creditWad) - int256(h.debtWad) + h.pnlWad;
        uint256 assetsWad = h.weightedCollateralWad + (balanceWad > 0 ? uint256(balanceWad) : 0);
        uint256 liabilitiesWad = (balanceWad < 0 ? uint256(-balanceWad) : 0) + h.requirementWad;
        h.equityWad = int256(h.weightedCollateralWad) + balanceWad;
        h.healthFactorWad = liabilitiesWad == 0 ? type(uint256).max : assetsWad.divWadDown(liabilitiesWad);
    }

    /// @dev A position's PnL, funding included (floored), and its margin requirement (rounded up).
    function _positionRisk(
        address account,
        address market,
        AssetQuote memory q,
        bool initial
    ) internal view returns (int256 pnlWad, uint256 requirementWad) {
        PositionSlot memory pos = _positions[account][market];
        (, int256 indexWad) = _fundingNow(market, _marketState[market], q.priceWad);
        pnlWad = PerpMath.unrealizedPnl(pos.sizeWad, pos.costBasisWad, PerpMath.adjustedPrice(q.priceWad, indexWad));
        (uint256 depthUsdWad, uint256 sizeSlopeWad) = _marketAddOn(market, q.risk);
        requirementWad = PerpMath.requirement(
            SignedMath.abs(pos.sizeWad).mulWadUp(q.priceWad),
            initial ? q.risk.marginRatioInitWad : q.risk.marginRatioMaintWad,
            depthUsdWad,
            sizeSlopeWad
        );
    }

    /// @dev Finds or reads the quote of `asset`; on the `liquidation` path (`withCols`), from the
    ///      batch quote cache when one is on (see ClearinghouseLiquidation.liquidationBegin). The
    ///      price: the one the call's own fill just read (`_seedAsset`), else `cachedPriceWad`
    ///      when non-zero and fresh (the caller passes it only for an initial-margin check), else
    ///      the oracle's.
    function _quote(
        AssetQuote[] memory quotes,
        uint256 count,
        address asset,
        uint256 cachedPriceWad,
        bool liquidation
    ) internal view returns (AssetQuote memory q, uint256 newCount) {
        for (uint256 j; j < count; ++j) {
            if (quotes[j].asset == asset) return (quotes[j], count);
        }
        q.asset = asset;
        // a liquidateBatch's later accounts reuse the quote its first one read (ClearinghouseLiquidation)
        if (liquidation && _cachedQuote(q)) {
            quotes[count] = q;
            return (q, count + 1);
        }
        if (asset == _seedAsset) (q.priceWad, q.ok) = (_seedPriceWad, true);
        else if (cachedPriceWad != 0 && _cachedPricesFresh()) (q.priceWad, q.ok) = (cachedPriceWad, true);
        else (q.priceWad, q.ok) = _price(asset);
        q.risk = _riskLevels(asset);
        quotes[count] = q;
        newCount = count + 1;
    }

    /// @dev Transient slot of `asset`'s quote in the batch quote cache under `key`: eight words,
    ///      (presence | ok << 1), price, then the six risk levels in `AssetRisk` order.
    function _quoteCacheSlot(uint256 key, address asset) internal pure returns (uint256 slot) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(0x00, key)
            mstore(0x20, asset)
            slot := keccak256(0x00, 0x40)
        }
    }

    /// @dev Completes `q` (its `asset` set) from the batch quote cache under `_quoteCacheKey`;
    ///      false when no cache is on (key 0) or `q.asset` is not in it.
    function _cachedQuote(AssetQuote memory q) internal view returns (bool hit) {
        uint256 key = _quoteCacheKey;
        if (key == 0) return false;
        uint256 slot = _quoteCacheSlot(key, q.asset);
        uint256 flags;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            flags := tload(slot)
        }
        if (flags == 0) return false;
        IMarginModel.AssetRisk memory r = q.risk;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            mstore(add(q, 0x20), tload(add(slot, 1))) // priceWad
            mstore(add(q, 0x40), shr(1, flags)) // ok
            for {
                let i := 0
            } lt(i, 6) {
                i := add(i, 1)
            } {
                mstore(add(r, mul(i, 0x20)), tload(add(slot, add(i, 2))))
            }
        }
        return true;
    }

    function _max(uint256 a, uint256 b) internal pure returns (uint256) {
        return a > b ? a : b;
    }

    /// @dev The one call site of `balanceOf` (deposit measures what it received).
    function _balanceOfThis(address token) internal view returns (uint256) {
        return IERC20(token).balanceOf(address(this));
    }

    /// @dev Whether the prices `refreshPrices` cached may serve an initial-margin check now: the
    ///      age bound is non-zero and not exceeded. Reads the fee and vault slots, which every
    ///      entry point has read already.
    function _cachedPricesFresh() internal view returns (bool) {
        uint256 maxAgeSeconds = _priceMaxAgeSeconds;
        return maxAgeSeconds != 0 && block.timestamp - _pricesCachedAt <= maxAgeSeconds;
    }

    /// @dev The one call site of `oracle.getPrice` (keeps the ABI code once in the bytecode).
    function _price(address asset) internal view returns (uint256 priceWad, bool ok) {
        return oracle.getPrice(asset);
    }

    function _popCount(uint256 x) internal pure returns (uint256 count) {
        while (x != 0) {
            x &= x - 1;
            ++count;
        }
    }
}
