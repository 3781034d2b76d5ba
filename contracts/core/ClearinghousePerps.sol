// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {SignedMath} from "@openzeppelin/contracts/utils/math/SignedMath.sol";

import {WadMath} from "../libraries/WadMath.sol";
import {PerpMath} from "../perp/PerpMath.sol";
import {ClearinghouseHealth} from "./ClearinghouseHealth.sol";

/// @title ClearinghousePerps
/// @notice The Clearinghouse's perp machinery: fills against the vault, funding, open-interest
///         and skew caps, and the liquidation close-out.
abstract contract ClearinghousePerps is ClearinghouseHealth {
    using SafeCast for uint256;
    using SafeCast for int256;
    // PerpMath's mulWad helpers: the same results as WadMath's, without the 512-bit path when the
    // product fits in 256 bits
    using WadMath for uint256;

    /// @dev Accrue a market's funding with the old parameters before they change (not after
    ///      settlement: the index froze then).
    function _beforeMarketParamChange(address market) internal override {
        if (!_marketInfo[market].listed) revert ParamTarget__UnknownParam(bytes32(0), market);
        if (_breakerWord & 4 != 0) return;
        (uint256 priceWad, ) = _price(market);
        _accrueFunding(market, priceWad);
    }

    // ---------------------------------------------------------------- internal: positions

    /// @dev Working set of one fill (kept in memory to stay clear of the stack limit).
    struct Fill {
        uint256 indexPriceWad;
        uint256 fillPriceWad;
        int256 newSizeWad;
        int256 newCostBasisWad;
        int256 realizedPnlWad;
        uint256 feeWad;
        int256 balanceDeltaWad;
        bool increasesRisk;
        bool priceOk;
        int256 skewWad;
        uint256 skewScaleWad;
        int256 fundingIndexWad;
    }

    /// @dev `liquidationPenaltyWad` is 0 for a trade (the taker fee applies); a liquidation passes
    ///      its penalty rate, charged in place of the fee and paid to the vault like it.
    function _modifyPosition(
        address account,
        address market,
        int256 sizeDeltaWad,
        uint256 acceptablePriceWad,
        uint256 liquidationPenaltyWad
    ) internal returns (uint256) {
        if (account == vault) revert Clearinghouse__VaultCannotTrade();
        MarketSlots storage state = _marketState[market];
        if (!state.listed) revert Clearinghouse__UnknownMarket(market);
        _accrueFee();

        Fill memory f;
        // read once for the accrual and the fill: the skew, and the first parameter slot (a storage
        // pointer: the caps' slot is read only by a risk increase)
        MarketParams storage params = _marketParams[market];
        (f.skewWad, f.skewScaleWad) = (_skew(state), params.skewScaleWad);
        (f.indexPriceWad, f.priceOk) = _price(market);
        // the index as just accrued (saves re-reading the funding slot)
        f.fundingIndexWad = _accrueFundingWith(
            market,
            state,
            f.indexPriceWad,
            f.skewWad,
            f.skewScaleWad,
            params.maxFundingVelocityWad
        );

        PositionSlot memory pos = _positions[account][market];
        f.increasesRisk = _increasesRisk(pos.sizeWad, pos.sizeWad + sizeDeltaWad);
        if (f.increasesRisk && !f.priceOk) revert Clearinghouse__OracleUnhealthy(market);

        if (f.skewScaleWad == 0) revert Clearinghouse__MarketNotConfigured(market);
        if (liquidationPenaltyWad == 0) liquidationPenaltyWad = params.takerFeeWad; // a trade pays the fee
        f.fillPriceWad = PerpMath.fillPrice(f.indexPriceWad, f.skewWad, sizeDeltaWad, f.skewScaleWad);
        if (f.fillPriceWad == 0) revert Clearinghouse__InvalidFillPrice(market);
        if (sizeDeltaWad > 0 ? f.fillPriceWad > acceptablePriceWad : f.fillPriceWad < acceptablePriceWad) {
            revert Clearinghouse__SlippageExceeded(f.fillPriceWad, acceptablePriceWad);
        }

        // 1. apply the fill at the funding-adjusted price: the PnL realized by a reduction includes
        //    the funding its part accrued (ADR 0007); it and the fee move between the account and
        //    the vault
        (f.newSizeWad, f.newCostBasisWad, f.realizedPnlWad) = PerpMath.applyFill(
            pos.sizeWad,
            pos.costBasisWad,
            sizeDeltaWad,
            PerpMath.adjustedPrice(f.fillPriceWad, f.fundingIndexWad)
        );
        f.feeWad = SignedMath.abs(sizeDeltaWad).mulWadUp(f.fillPriceWad).mulWadUp(liquidationPenaltyWad);
        f.balanceDeltaWad = f.realizedPnlWad - int256(f.feeWad);

        // 2. market aggregates and caps
        _updateMarket(market, state, params, pos, f);

        // 3. store the position (one slot) and the balances
        _positions[account][market] = PositionSlot({
            sizeWad: f.newSizeWad.toInt128(),
            costBasisWad: f.newCostBasisWad.toInt128()
        });
        _setMarketBit(account, state.index, f.newSizeWad != 0);
        _transferWithVault(account, f.balanceDeltaWad);

        if (f.increasesRisk) {
            // priceOk holds here (a risk increase on a failing price reverted above)
            (_seedAsset, _seedPriceWad) = (market, f.indexPriceWad);
            _requireInitialHealth(account);
            _seedAsset = address(0);
        }
        emit PositionModified(account, market, sizeDeltaWad, f.fillPriceWad, f.newSizeWad, f.realizedPnlWad, f.feeWad);
        return f.fillPriceWad;
    }

    /// @dev The market aggregates after a fill (skew is long - short: it moves with the open
    ///      interest), each aggregate slot written once, and the caps of a risk increase.
    function _updateMarket(
        address market,
        MarketSlots storage state,
        MarketParams storage params,
        PositionSlot memory pos,
        Fill memory f
    ) internal {
        int256 costBasisSumWad = state.costBasisSumWad + f.newCostBasisWad - pos.costBasisWad;
        state.costBasisSumWad = costBasisSumWad;
        (uint256 longOiWad, uint256 shortOiWad) = _updateOpenInterest(state, pos.sizeWad, f.newSizeWad);
        if (f.increasesRisk) _checkMarketCaps(market, params, longOiWad, shortOiWad, costBasisSumWad, f);
    }

    /// @dev A change increases risk when it grows the absolute size or flips the side.
    function _increasesRisk(int256 oldSizeWad, int256 newSizeWad) internal pure returns (bool) {
        if (SignedMath.abs(newSizeWad) > SignedMath.abs(oldSizeWad)) return true;
        return oldSizeWad != 0 && newSizeWad != 0 && (oldSizeWad > 0) != (newSizeWad > 0);
    }

    /// @dev Sets or clears the account's bit of market `index`; writes only when it changes (a
    ///      modification of an open position leaves the account slot to `_transferWithVault`).
    function _setMarketBit(address account, uint256 index, bool open) internal {
        AccountSlot storage acct = _accounts[account];
        uint16 mask = acct.marketMask;
        uint16 newMask = open ? mask | uint16(1 << index) : mask & ~uint16(1 << index);
        if (newMask != mask) acct.marketMask = newMask;
    }

    /// @dev An old size was added before, so it fits; a new one is checked. Computed on the
    ///      stack and written once (one write of the slot instead of one per step).
    function _updateOpenInterest(
        MarketSlots storage state,
        int256 oldSizeWad,
        int256 newSizeWad
    ) internal returns (uint256 longOiWad, uint256 shortOiWad) {
        uint120 longOi = state.longOpenInterestWad;
        uint120 shortOi = state.shortOpenInterestWad;
        if (oldSizeWad > 0) longOi -= uint120(uint256(oldSizeWad));
        else if (oldSizeWad < 0) shortOi -= uint120(uint256(-oldSizeWad));
        if (newSizeWad > 0) longOi += uint256(newSizeWad).toUint120();
        else if (newSizeWad < 0) shortOi += uint256(-newSizeWad).toUint120();
        (state.longOpenInterestWad, state.shortOpenInterestWad) = (longOi, shortOi);
        return (longOi, shortOi);
    }

    /// @dev The caps of a risk-increasing fill, on the open interest and cost-basis sum just
    ///      written. The skew cap binds only a fill that grows the skew (`f.skewWad` before it):
    ///      one that shrinks it lowers the vault's exposure, and refusing it would keep a skew above
    ///      its cap from being traded back down. It scales with the vault's credit less what the
    ///      vault is losing on this market's skew, marked where the skew closes (as
    ///      `vaultNetAssetsWad` marks it; a gain adds nothing): a vault already under water on the
    ///      market backs no more of it. The pending stability fee is zero here (`_modifyPosition`
    ///      accrued it in this call); the other markets' marks are not read (one oracle read each).
    function _checkMarketCaps(
        address market,
        MarketParams storage params,
        uint256 longOiWad,
        uint256 shortOiWad,
        int256 costBasisSumWad,
        Fill memory f
    ) internal view {
        uint256 maxOi = params.maxOpenInterestWad;
        if (longOiWad > maxOi) revert Clearinghouse__OpenInterestCapExceeded(market, longOiWad, maxOi);
        if (shortOiWad > maxOi) revert Clearinghouse__OpenInterestCapExceeded(market, shortOiWad, maxOi);
        uint256 skewAbsWad = longOiWad > shortOiWad ? longOiWad - shortOiWad : shortOiWad - longOiWad;
        if (skewAbsWad <= SignedMath.abs(f.skewWad)) return;
        uint256 skewUsdWad = skewAbsWad.mulWadUp(f.indexPriceWad);
        int256 markWad = _vaultMarkWad(
            costBasisSumWad,
            int256(longOiWad) - int256(shortOiWad),
            f.indexPriceWad,
            f.fundingIndexWad,
            f.skewScaleWad
        );
        int256 backingWad = int256(uint256(_vaultCreditWad)) + (markWad < 0 ? markWad : int256(0));
        uint256 capUsdWad = backingWad > 0 ? uint256(backingWad).mulWadDown(params.skewCapRatioWad) : 0;
        if (skewUsdWad > capUsdWad) revert Clearinghouse__SkewCapExceeded(market, skewUsdWad, capUsdWad);
    }

    /// @dev Accrues the stability fee and every market's funding (at its oracle price) up to now.
    function _accrueAll() internal {
        _accrueFee();
        uint256 n = _markets.length;
        for (uint256 i; i < n; ++i) {
            address market = _markets[i];
            (uint256 priceWad, ) = _price(market);
            _accrueFunding(market, priceWad);
        }
    }

    /// @dev Accrues a market's funding up to now at `priceWad`; returns the index.
    function _accrueFunding(address market, uint256 priceWad) internal returns (int256) {
        MarketSlots storage state = _marketState[market];
        // accrued already this block: the parameters and the skew are not read
        if (state.lastFundingTime == block.timestamp) return state.fundingIndexWad;
        MarketParams storage params = _marketParams[market];
        return
            _accrueFundingWith(
                market,
                state,
                priceWad,
                _skew(state),
                params.skewScaleWad,
                params.maxFundingVelocityWad
            );
    }

    /// @dev `_accrueFunding` with the skew and parameters the caller has already read (a fill
    ///      reads them once for the accrual and the fill). The funding slot is read once.
    function _accrueFundingWith(
        address market,
        MarketSlots storage state,
        uint256 priceWad,
        int256 skewWad,
        uint256 skewScaleWad,
        uint256 maxVelocityWad
    ) internal returns (int256 indexWad) {
        uint256 last = state.lastFundingTime;
        int256 rateWad = state.fundingRateWad;
        indexWad = state.fundingIndexWad;
        if (last == block.timestamp) return indexWad;
        if (priceWad != 0) {
            (rateWad, indexWad) = _fundingOver(
                rateWad,
                indexWad,
                block.timestamp - last,
                priceWad,
                skewWad,
                skewScaleWad,
                maxVelocityWad
            );
        }
        // one write of the funding slot
        (state.fundingIndexWad, state.fundingRateWad, state.lastFundingTime) = (
            indexWad.toInt128(),
            rateWad.toInt88(),
            uint40(block.timestamp)
        );
        emit FundingAccrued(market, rateWad, indexWad);
    }

    /// @dev Closes every position of `account` against the vault at its fill price, charging the
    ///      liquidation penalty in place of the taker fee. Returns the penalties and the count.
    ///      A market at breaker level 2 or 3 (its price or its liquidity is not to be trusted)
    ///      refuses the liquidation, as the collateral's own level refuses its seizure.
    function _closePositions(
        address account,
        uint256 penaltyRateWad
    ) internal returns (uint256 penaltiesWad, uint256 closed) {
        uint256 mask = _accounts[account].marketMask;
        uint256 word = mask == 0 ? 0 : _breakerWord;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                // the by-index copy: one slot, no array length read
                address market = _marketByIndex[i].market;
                uint256 level = (word >> (40 + 2 * i)) & 3;
                if (level >= 2) revert Clearinghouse__BreakerLevel(market, uint8(level));
                int256 sizeWad = _positions[account][market].sizeWad;
                // no slippage bound: the vault takes the position over at whatever the fill price is
                uint256 fillPriceWad = _modifyPosition(
                    account,
                    market,
                    -sizeWad,
                    sizeWad > 0 ? 0 : type(uint256).max,
                    penaltyRateWad
                );
                uint256 penaltyWad = SignedMath.abs(sizeWad).mulWadUp(fillPriceWad).mulWadUp(penaltyRateWad);
                penaltiesWad += penaltyWad;
                ++closed;
                emit PositionLiquidated(account, market, sizeWad, fillPriceWad, penaltyWad);
            }
            mask >>= 1;
        }
    }
}
