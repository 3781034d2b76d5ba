// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {ICircuitBreaker} from "../interfaces/ICircuitBreaker.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {IGlobalSettlement} from "../interfaces/IGlobalSettlement.sol";
import {IMarginModel} from "../interfaces/IMarginModel.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {PerpMath} from "../perp/PerpMath.sol";
import {ClearinghouseBase} from "./ClearinghouseBase.sol";
import {ClearinghousePerps} from "./ClearinghousePerps.sol";

/// @title ClearinghouseSettlement
/// @notice The Clearinghouse's global-settlement wind-down (IGlobalSettlement) and governance's
///         asset listing (`listCollateral`, `listMarket`): the rarely called code. Deployed on its
///         own and reached only through the Clearinghouse by delegatecall, like
///         ClearinghouseLiquidation: it runs in the Clearinghouse's storage and lock.
/// @dev Listing and the breaker's wiring (`setBreaker`, `applyBreakerLevel`, `applySettlement`)
///      live here, not in ClearinghouseLiquidation, to keep that module under the 24,576-byte
///      code size limit.
contract ClearinghouseSettlement is ClearinghousePerps, IGlobalSettlement {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;
    using SafeCast for int256;
    using WadMath for uint256;

    /// @inheritdoc IGlobalSettlement
    uint256 public constant REDEMPTION_DELAY = 1 days;

    constructor(Wiring memory w) ClearinghouseBase(w) {}

    // ---------------------------------------------------------------- breaker wiring (governance, breaker)

    /// @dev See IClearinghouse.
    function setBreaker(address breaker_) external onlyGovernance {
        if (breaker_ == address(0)) revert Clearinghouse__ZeroAddress();
        if (breaker != address(0)) revert Clearinghouse__BreakerAlreadySet();
        breaker = breaker_;
        emit BreakerSet(breaker_);
        // the breaker may already hold levels: the ledger starts from them, not from zero
        ICircuitBreaker b = ICircuitBreaker(breaker_);
        (uint8 globalLevel, bool isSettled) = b.globalStatus();
        if (isSettled) _applySettlement();
        // like the asset copies, only a level that is not 0 (the ledger starts at 0): no event for nothing
        if (globalLevel != 0) _applyLevel(address(0), globalLevel);
        for (uint256 i; i < _collaterals.length; ++i) _syncBreakerLevel(_collaterals[i]);
        // `_applyLevel` writes a market's bits and its collateral bits together: a market that is
        // also a collateral was copied by the loop above
        for (uint256 i; i < _markets.length; ++i) {
            if (!_collateralInfo[_markets[i]].listed) _syncBreakerLevel(_markets[i]);
        }
    }

    /// @dev See IClearinghouse.
    function applyBreakerLevel(address asset, uint8 level) external {
        if (msg.sender != breaker) revert Clearinghouse__NotBreaker(msg.sender);
        _applyLevel(asset, level);
    }

    /// @dev See IClearinghouse.
    function applySettlement() external {
        if (msg.sender != breaker) revert Clearinghouse__NotBreaker(msg.sender);
        _applySettlement();
    }

    /// @dev Marks global settlement in the breaker word (bit 2), which every entry point reads,
    ///      after a last accrual of the stability fee and of every market's funding: accounts
    ///      settle at the indices of this moment, which nothing moves afterwards (`accrue` is
    ///      refused, parameter changes do not accrue, `debtOf` and the other views stop).
    function _applySettlement() internal {
        _accrueAll();
        _breakerWord |= 4;
        emit BreakerLevelApplied(address(0), type(uint8).max);
    }

    // ---------------------------------------------------------------- listing (governance)

    /// @dev See IClearinghouse.
    function listCollateral(address token) external onlyGovernance {
        if (token == address(0)) revert Clearinghouse__ZeroAddress();
        if (_collateralInfo[token].listed) revert Clearinghouse__AlreadyListed(token);
        if (_collaterals.length >= MAX_COLLATERALS) revert Clearinghouse__TooManyAssets(MAX_COLLATERALS);
        uint8 decimals = _probeToken(token);
        _requireRiskSources(token);
        _collateralInfo[token] = CollateralInfo({listed: true, decimals: decimals, index: uint8(_collaterals.length)});
        _collateralByIndex[_collaterals.length] = CollateralSlot({token: token, decimals: decimals, cachedPriceWad: 0});
        _collaterals.push(token);
        emit CollateralListed(token, decimals, _collaterals.length - 1);
        _syncBreakerLevel(token);
    }

    /// @dev See IClearinghouse.
    function listMarket(address asset) external onlyGovernance {
        if (asset == address(0)) revert Clearinghouse__ZeroAddress();
        if (_marketInfo[asset].listed) revert Clearinghouse__AlreadyListed(asset);
        if (_markets.length >= MAX_MARKETS) revert Clearinghouse__TooManyAssets(MAX_MARKETS);
        _requireRiskSources(asset);
        _marketInfo[asset] = MarketInfo({listed: true, index: uint8(_markets.length)});
        MarketSlots storage m = _marketState[asset];
        (m.lastFundingTime, m.listed, m.index) = (uint40(block.timestamp), true, uint8(_markets.length));
        _marketByIndex[_markets.length] = MarketSlot({market: asset, cachedPriceWad: 0});
        _markets.push(asset);
        emit MarketListed(asset, _markets.length - 1);
        _syncBreakerLevel(asset);
    }

    // ---------------------------------------------------------------- keepers

    /// @dev See IClearinghouse. Here and not in the Clearinghouse: a keeper's call (the
    ///      Clearinghouse is at the code size limit).
    function healDeficit() external nonReentrant returns (uint256 healedWad) {
        if (_breakerWord & 4 == 0) _accrueFee(); // the index froze at settlement
        healedWad = _healDeficit();
        if (healedWad == 0) revert Clearinghouse__NothingToHeal(deficitWad, _vaultCreditWad);
    }

    /// @dev See IClearinghouse.
    function accrue() external nonReentrant {
        _requireNotSettled(); // the indices froze at settlement
        _accrueAll();
    }

    // ---------------------------------------------------------------- risk-level cache (ADR 0005)

    /// @dev See IClearinghouse. Here and not in the Clearinghouse (at its code size limit). No
    ///      reentrancy guard on purpose: a poke may happen inside a ledger call (an auction
    ///      taker's callback) and must not revert; it changes the levels just as `riskOf` would.
    function cacheRiskLevels(address asset, uint256 levelsWord, uint256 rampWord, uint256 marketWord) external {
        if (msg.sender != address(marginModel)) revert Clearinghouse__NotMarginModel(msg.sender);
        _riskCache[asset] = RiskCache(levelsWord, rampWord, marketWord);
        emit RiskLevelsCached(asset);
    }

    // ---------------------------------------------------------------- price cache (ADR 0006)

    /// @dev See IClearinghouse. An asset listed both as collateral and as market is read once.
    function refreshPrices() external nonReentrant {
        uint256 count = _collaterals.length;
        for (uint256 i; i < count; ++i) {
            CollateralSlot storage c = _collateralByIndex[i];
            c.cachedPriceWad = uint88(_cacheablePrice(c.token, type(uint88).max));
        }
        count = _markets.length;
        for (uint256 i; i < count; ++i) {
            MarketSlot storage m = _marketByIndex[i];
            address market = m.market;
            CollateralInfo memory info = _collateralInfo[market];
            uint256 priceWad = info.listed ? _collateralByIndex[info.index].cachedPriceWad : 0;
            // a collateral's failed read (or a price above 2^88) is read again for the market
            if (priceWad == 0) priceWad = _cacheablePrice(market, type(uint96).max);
            m.cachedPriceWad = uint96(priceWad);
        }
        _pricesCachedAt = uint40(block.timestamp);
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IGlobalSettlement
    function settleAccount(address account) external nonReentrant {
        ICircuitBreaker b = _requireSettled();
        if (account == vault) revert Clearinghouse__VaultCannotBeLiquidated();
        // its running auctions first: their lots would return surplus to an account whose
        // debt was already pooled or written off (ADR 0014)
        uint256 auctions = _accounts[account].auctions;
        if (auctions != 0) revert Settlement__AuctionsRunning(account, auctions);
        uint256 closed = _closeAtSettlementPrices(b, account);

        // the debt at the index frozen at settlement, paid with collateral at frozen prices
        AccountSlot memory acct = _accounts[account];
        uint256 debtWad = uint256(acct.normalizedDebt).mulRayUp(_rateIndexRay);
        uint256 leftWad = debtWad;
        uint256 mask = acct.collateralMask;
        address unpriced; // a collateral held with no settlement price yet
        for (uint256 i; mask != 0 && leftWad > 0; ++i) {
            if (mask & 1 == 1) {
                bool priced;
                (leftWad, priced) = _pool(b, account, i, leftWad);
                if (!priced) unpriced = _collateralByIndex[i].token;
            }
            mask >>= 1;
        }
        // debt the priced collateral does not pay waits for the others' prices: written off now,
        // it would leave the owner collateral that pays it (ADR 0015)
        if (leftWad > 0 && unpriced != address(0)) revert Settlement__NoSettlementPrice(unpriced);
        _totalNormalizedDebt -= acct.normalizedDebt;
        _accounts[account].normalizedDebt = 0;
        _pooledDebtWad += debtWad - leftWad;
        if (leftWad > 0) _coverBadDebt(account, leftWad);
        emit AccountSettled(account, debtWad, leftWad, closed);
    }

    /// @inheritdoc IGlobalSettlement
    function settleAuction(uint256 id) external nonReentrant {
        _requireSettled();
        (address account, address token, uint256 lot, uint256 debtWad) = IDutchAuction(auction).yank(id);
        // the lot is still in the ledger's custody: back to the account's collateral
        uint256 index = _collateralInfo[token].index;
        _setCollateralAt(account, index, _collateralAt(account, index) + lot);
        totalCollateral[token] += lot;
        AccountSlot storage acct = _accounts[account];
        acct.collateralMask |= uint16(1 << index);
        --acct.auctions;
        // the auction's debt back to the account, at the index frozen at settlement
        _auctionDebtPlusOneWad -= debtWad;
        _debit(account, debtWad, _rateIndexRay);
        emit AuctionSettled(id, account, token, lot, debtWad, 0);
    }

    /// @inheritdoc IGlobalSettlement
    function withdrawSettled(address account, address token, uint256 amount, address to) external nonReentrant {
        _requireSettled();
        _requireAuthorized(account);
        if (amount == 0) revert Settlement__ZeroAmount();
        if (to == address(0)) revert Clearinghouse__ZeroAddress();
        AccountSlot memory acct = _accounts[account];
        // settled: no debt, no position, no auction whose debt would return to it
        if (acct.normalizedDebt != 0 || acct.marketMask != 0 || acct.auctions != 0) {
            revert Settlement__AccountNotSettled(account);
        }
        CollateralInfo memory info = _collateralInfo[token];
        uint256 available = info.listed ? _collateralAt(account, info.index) : 0;
        if (amount > available) revert Clearinghouse__InsufficientCollateral(account, token, amount, available);
        _setCollateralAt(account, info.index, available - amount);
        unchecked {
            totalCollateral[token] -= amount;
        }
        if (available == amount) {
            _accounts[account].collateralMask = acct.collateralMask & ~uint16(1 << info.index);
        }
        IERC20(token).safeTransfer(to, amount);
        emit SettledCollateralWithdrawn(account, token, to, amount);
    }

    /// @inheritdoc IGlobalSettlement
    function withdrawCredit(address account, uint256 amountWad, address to) external nonReentrant {
        _requireSettled();
        if (account == vault) {
            // the vault itself only (it never names an operator)
            if (msg.sender != account) revert Clearinghouse__NotAuthorized(msg.sender, account);
        } else {
            _requireAuthorized(account);
        }
        if (amountWad == 0) revert Settlement__ZeroAmount();
        if (to == address(0)) revert Clearinghouse__ZeroAddress();
        if (account == vault) {
            _requireWoundDown();
            uint256 credit = _vaultCreditWad;
            uint256 deficit = deficitWad;
            uint256 available = credit > deficit ? credit - deficit : 0;
            if (amountWad > available) revert Clearinghouse__InsufficientVaultCredit(amountWad, available);
            _vaultCreditWad = uint128(credit - amountWad);
        } else {
            AccountSlot memory acct = _accounts[account];
            // its credit pays the debt a running auction returns (`settleAuction`, credit first)
            if (acct.marketMask != 0 || acct.auctions != 0) revert Settlement__AccountNotSettled(account);
            if (amountWad > acct.creditWad) {
                revert Clearinghouse__InsufficientVaultCredit(amountWad, acct.creditWad);
            }
            _accounts[account].creditWad = acct.creditWad - uint104(amountWad);
        }
        stablecoin.mint(to, amountWad);
        emit CreditWithdrawn(account, to, amountWad);
    }

    /// @inheritdoc IGlobalSettlement
    function openRedemption() external nonReentrant {
        _requireSettled();
        if (_redemptionOpensAt != 0) revert Settlement__RedemptionAlreadyScheduled(_redemptionOpensAt);
        // the pool is final only once every account and auction is settled
        _requireWoundDown();
        // the vault's credit backs the deficit first (nothing moves either afterwards)
        _healDeficit();
        // every claim on the pool, minted or still credit: by I1 after settlement (debts and
        // auction debt are zero now), supply + credits == deficit + pooled debt, up to the dust
        // the protocol kept, so the rate never pays out more than the pool
        uint256 claimsWad = deficitWad + _pooledDebtWad;
        _claimsLeftWad = claimsWad;
        uint256 opensAt = block.timestamp + REDEMPTION_DELAY;
        _redemptionOpensAt = opensAt;
        emit RedemptionScheduled(opensAt, claimsWad);
    }

    /// @inheritdoc IGlobalSettlement
    function redeem(uint256 amountWad, address to) external nonReentrant {
        _requireSettled();
        uint256 opensAt = _redemptionOpensAt;
        if (opensAt == 0 || block.timestamp < opensAt) revert Settlement__RedemptionNotOpen(opensAt);
        if (amountWad == 0) revert Settlement__ZeroAmount();
        if (to == address(0)) revert Clearinghouse__ZeroAddress();
        // the pool left over the claims left: the rate openRedemption fixed, whoever redeemed
        // first and whatever credit was minted since (a claim is a claim, minted or not)
        uint256 claimsWad = _claimsLeftWad;
        if (amountWad > claimsWad) revert Settlement__ClaimsExceeded(amountWad, claimsWad);
        stablecoin.burn(msg.sender, amountWad);
        _claimsLeftWad = claimsWad - amountWad;
        uint256 n = _collaterals.length;
        for (uint256 i; i < n; ++i) {
            address token = _collaterals[i];
            uint256 pool = _redemptionPool[token];
            // rounded down: a redeemer never takes more than its share
            uint256 out = pool.mulDivDown(amountWad, claimsWad);
            if (out == 0) continue;
            _redemptionPool[token] = pool - out;
            IERC20(token).safeTransfer(to, out);
            emit Redeemed(msg.sender, token, amountWad, claimsWad, out);
        }
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IGlobalSettlement
    function redemptionPool(address token) external view returns (uint256) {
        return _redemptionPool[token];
    }

    /// @inheritdoc IGlobalSettlement
    function redemptionOpensAt() external view returns (uint256) {
        return _redemptionOpensAt;
    }

    /// @inheritdoc IGlobalSettlement
    function redemptionClaimsLeft() external view returns (uint256) {
        return _claimsLeftWad;
    }

    // ---------------------------------------------------------------- internal

    /// @dev Moves min(vault credit, deficit) out of both (`DeficitHealed`); returns it (0: nothing).
    function _healDeficit() internal returns (uint256 healedWad) {
        uint256 deficit = deficitWad;
        uint256 credit = _vaultCreditWad;
        healedWad = deficit < credit ? deficit : credit;
        if (healedWad == 0) return 0;
        (_vaultCreditWad, deficitWad) = (uint128(credit - healedWad), deficit - healedWad);
        emit DeficitHealed(healedWad, deficit - healedWad);
    }

    function _requireSettled() internal view returns (ICircuitBreaker b) {
        if (_breakerWord & 4 == 0) revert Settlement__NotSettled();
        b = ICircuitBreaker(breaker);
    }

    /// @dev Every account and auction settled: no debt, no auction debt, no open interest. From
    ///      then on nothing moves the vault's credit but `withdrawCredit` (and a deficit heal).
    function _requireWoundDown() internal view {
        uint256 openMarkets;
        uint256 n = _markets.length;
        for (uint256 i; i < n; ++i) {
            MarketSlots storage m = _marketState[_markets[i]];
            if (m.longOpenInterestWad != 0 || m.shortOpenInterestWad != 0) ++openMarkets;
        }
        uint256 normalizedDebt = _totalNormalizedDebt;
        uint256 auctionDebt = _auctionDebtPlusOneWad - 1;
        if (normalizedDebt != 0 || auctionDebt != 0 || openMarkets != 0) {
            revert Settlement__NotWoundDown(normalizedDebt.mulRayUp(_rateIndexRay), auctionDebt, openMarkets);
        }
    }

    /// @dev Closes every position of `account` at the frozen price: PnL and funding owed (at the
    ///      market's last accrued index) move between the account and the vault; no fee, no premium.
    function _closeAtSettlementPrices(ICircuitBreaker b, address account) internal returns (uint256 closed) {
        uint256 mask = _accounts[account].marketMask;
        for (uint256 i; mask != 0; ++i) {
            if (mask & 1 == 1) {
                address market = _marketByIndex[i].market;
                uint256 priceWad = b.settlementPrice(market);
                if (priceWad == 0) revert Settlement__NoSettlementPrice(market);
                MarketSlots storage state = _marketState[market];
                PositionSlot memory pos = _positions[account][market];
                (, , int256 realizedPnlWad) = PerpMath.applyFill(
                    pos.sizeWad,
                    pos.costBasisWad,
                    -int256(pos.sizeWad),
                    PerpMath.adjustedPrice(priceWad, state.fundingIndexWad)
                );
                state.costBasisSumWad -= pos.costBasisWad;
                _updateOpenInterest(state, pos.sizeWad, 0);
                delete _positions[account][market];
                _transferWithVault(account, realizedPnlWad);
                emit PositionModified(account, market, -int256(pos.sizeWad), priceWad, 0, realizedPnlWad, 0);
                ++closed;
            }
            mask >>= 1;
        }
        _accounts[account].marketMask = 0;
    }

    /// @dev Moves from collateral number `index` of `account` into the pool what pays `debtWad`
    ///      at the frozen price (rounded up, capped at the balance). Returns the debt left, and
    ///      false (moving nothing) when the token has no settlement price yet.
    function _pool(
        ICircuitBreaker b,
        address account,
        uint256 index,
        uint256 debtWad
    ) internal returns (uint256, bool) {
        CollateralSlot memory c = _collateralByIndex[index];
        uint256 priceWad = b.settlementPrice(c.token);
        if (priceWad == 0) return (debtWad, false);
        uint256 balance = _collateralAt(account, index);
        uint256 unit = 10 ** c.decimals;
        uint256 amount = debtWad.mulDivUp(unit, priceWad);
        uint256 paidWad = debtWad;
        if (amount >= balance) {
            amount = balance;
            paidWad = balance.mulDivDown(priceWad, unit);
        }
        _setCollateralAt(account, index, balance - amount);
        totalCollateral[c.token] -= amount;
        if (amount == balance) _accounts[account].collateralMask &= ~uint16(1 << index);
        _redemptionPool[c.token] += amount;
        emit CollateralPooled(account, c.token, amount);
        return (paidWad >= debtWad ? 0 : debtWad - paidWad, true);
    }

    /// @dev The oracle's price of `asset` when ok and at most `maxPriceWad` (what a cache slot
    ///      holds), else 0; emits `PriceCached`.
    function _cacheablePrice(address asset, uint256 maxPriceWad) internal returns (uint256 priceWad) {
        (uint256 readWad, bool ok) = _price(asset);
        if (ok && readWad <= maxPriceWad) priceWad = readWad;
        emit PriceCached(asset, priceWad);
    }

    /// @dev Token must answer decimals() <= 18; anything else is rejected at listing.
    function _probeToken(address token) internal view returns (uint8 decimals) {
        try IERC20Metadata(token).decimals() returns (uint8 d) {
            if (d > 18) revert Clearinghouse__UnsupportedToken(token, "decimals > 18");
            decimals = d;
        } catch {
            revert Clearinghouse__UnsupportedToken(token, "no decimals()");
        }
        // solhint-disable-next-line no-empty-blocks
        try IERC20(token).totalSupply() returns (uint256) {} catch {
            revert Clearinghouse__UnsupportedToken(token, "no totalSupply()");
        }
    }

    /// @dev The oracle must have a feed and the margin model must know the asset.
    function _requireRiskSources(address asset) internal view {
        if (address(oracle.feedConfig(asset).primary) == address(0)) {
            revert Clearinghouse__UnsupportedToken(asset, "no oracle feed");
        }
        // solhint-disable-next-line no-empty-blocks
        try marginModel.riskOf(asset) returns (IMarginModel.AssetRisk memory) {} catch {
            revert Clearinghouse__UnsupportedToken(asset, "unknown to margin model");
        }
    }
}
