// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IClearinghouseBase} from "../interfaces/IClearinghouseBase.sol";
import {ClearinghouseParams} from "./ClearinghouseParams.sol";

/// @title ClearinghouseStorage
/// @notice The Clearinghouse's storage layout, shared by the Clearinghouse and its two
///         delegatecall modules (ClearinghouseLiquidation, ClearinghouseSettlement), which all
///         derive from it through ClearinghouseBase.
/// @dev Storage is declared here only (after ClearinghouseParams', whose last variables share the
///      fee slot with `_rateIndexRay`): no derived contract may add any, so every module reads
///      the same slots.
// solhint-disable-next-line max-states-count
abstract contract ClearinghouseStorage is IClearinghouseBase, ClearinghouseParams {
    // ---------------------------------------------------------------- constants

    uint256 internal constant MAX_COLLATERALS = 16;
    uint256 internal constant MAX_MARKETS = 16;

    // ---------------------------------------------------------------- storage

    /// @dev One slot: normalized debt (debt / rateIndex, RAY-normalized WAD), credit, bitmaps of
    ///      the collaterals and markets the account uses, and the number of its auctions running
    ///      (104 bits hold 2e13 USD of debt or credit). An account is finished (its debt left is
    ///      bad debt) only with no collateral and no auction running: a running auction's
    ///      surplus lot returns to it (ADR 0014).
    struct AccountSlot {
        uint104 normalizedDebt;
        uint104 creditWad;
        uint16 collateralMask;
        uint16 marketMask;
        uint16 auctions;
    }

    /// @dev One slot per position: the size and the cost basis in funding-adjusted price
    ///      (`PerpMath.adjustedPrice`, ADR 0007). The casts are checked: a fill that would take the
    ///      basis past 2^127 (1.7e20 USD) reverts; a reduction only shrinks it.
    struct PositionSlot {
        int128 sizeWad;
        int128 costBasisWad;
    }

    struct CollateralInfo {
        bool listed;
        uint8 decimals;
        uint8 index;
    }

    struct MarketInfo {
        bool listed;
        uint8 index;
    }

    /// @dev A collateral by index for the health loop, one slot: token, decimals and the price
    ///      `refreshPrices` cached for it (0: none, the health check reads the oracle; ADR 0006).
    struct CollateralSlot {
        address token;
        uint8 decimals;
        uint88 cachedPriceWad;
    }

    /// @dev A market by index for the health loop, one slot: its asset and cached price (as above).
    struct MarketSlot {
        address market;
        uint96 cachedPriceWad;
    }

    /// @dev Three slots per market; `IClearinghouse.MarketState` is only the external view.
    ///      Slot 0 is what funding accrual reads and writes; skew is `long - short` (slot 1, which
    ///      also mirrors `_marketInfo` so a fill does not read it). The types are far beyond any
    ///      reachable value (casts are checked; open interest is capped at 1e33 < 2^120).
    struct MarketSlots {
        int128 fundingIndexWad;
        int88 fundingRateWad;
        uint40 lastFundingTime;
        uint120 longOpenInterestWad;
        uint120 shortOpenInterestWad;
        bool listed;
        uint8 index;
        int256 costBasisSumWad;
    }

    /// @dev Fee slot, shared with `ClearinghouseParams._stabilityFeePerSecondRay` and
    ///      `_priceMaxAgeSeconds` (declared last there): the stability-fee index and the last
    ///      accrual time.
    uint128 internal _rateIndexRay;
    uint40 internal _lastAccrual;

    /// @dev Balance slot: the sum of normalized debts and the vault's credit (fees, funding, PnL
    ///      land here).
    uint128 internal _totalNormalizedDebt;
    uint128 internal _vaultCreditWad;

    uint256 public deficitWad;

    /// @dev The debt still owed by running auctions, plus one: the slot is never zero, so the first
    ///      seizure after a quiet period rewrites a non-zero slot (2,900 gas) instead of filling a
    ///      zero one (20,000), as OpenZeppelin's ReentrancyGuard keeps 1 for "not entered".
    ///      `auctionDebtWad()` subtracts the one.
    uint256 internal _auctionDebtPlusOneWad;
    /// @inheritdoc IClearinghouseBase
    address public breaker;
    /// @dev One slot, read by every entry point. The breaker's levels as the ledger applies them:
    ///      bits 0-1 the global level, bit 2 settlement, then two bits per collateral index (from
    ///      bit 8) and per market index (from bit 40); zero in normal times. Beside them, when
    ///      `refreshPrices` last cached the prices (ADR 0006), so an initial-margin check that
    ///      uses the cache reads no other slot for it.
    uint216 internal _breakerWord;
    uint40 internal _pricesCachedAt;

    address[] internal _collaterals;
    address[] internal _markets;
    mapping(address token => CollateralInfo) internal _collateralInfo;
    mapping(address market => MarketInfo) internal _marketInfo;
    mapping(address market => MarketSlots) internal _marketState;
    mapping(address token => uint256 amount) public totalCollateral;

    mapping(address account => AccountSlot) internal _accounts;
    /// @dev Collateral balances, two per slot: the collateral at index `i` is in pair `i / 2`, the
    ///      low 128 bits for an even index and the high ones for an odd index, so an account's two
    ///      first collaterals cost one cold read in every health check (and a second collateral's
    ///      first deposit rewrites a used slot). `DEPOSIT_CAP`'s bound (1e36 < 2^128) keeps every
    ///      balance within 128 bits; writes are checked anyway. Read and written only through
    ///      `_collateralAt` and `_setCollateralAt`.
    mapping(address account => mapping(uint256 pair => uint256 balances)) internal _collateralPairs;
    mapping(address account => mapping(address market => PositionSlot)) internal _positions;
    mapping(address account => mapping(address operator => bool)) internal _operators;

    /// @dev Copies of `_collaterals` / `_markets` by index for the health loop (no length read).
    CollateralSlot[MAX_COLLATERALS] internal _collateralByIndex;
    MarketSlot[MAX_MARKETS] internal _marketByIndex;

    /// @dev The ok price `_modifyPosition` just read for its market, handed to the health check of
    ///      the same call so the oracle is not read twice (set right before, cleared right after).
    address internal transient _seedAsset;
    uint256 internal transient _seedPriceWad;

    /// @dev Global settlement (ClearinghouseSettlement): collateral in the redemption pool, and
    ///      when redemption opens (0: not scheduled).
    mapping(address token => uint256 amount) internal _redemptionPool;
    uint256 internal _redemptionOpensAt;
    /// @dev Debt `settleAccount` paid with collateral moved into the pool: after settlement I1
    ///      reads supply + credits == debts + auction debt + deficit + this.
    uint256 internal _pooledDebtWad;
    /// @dev The claims (stablecoin and credit) the pool still answers: fixed by `openRedemption`
    ///      at deficit + pooled debt, less each redemption, so every claim gets the same rate.
    uint256 internal _claimsLeftWad;

    // ---------------------------------------------------------------- storage: risk-level cache (ADR 0005)

    /// @dev The margin model's per-asset risk words (RiskLevels), pushed by it after every change.
    ///      A read takes the levels word, the ramp word only while a ramp is running and the
    ///      market word only with a size slope. Levels word 0: never pushed.
    struct RiskCache {
        uint256 levelsWord;
        uint256 rampWord;
        uint256 marketWord;
    }

    mapping(address asset => RiskCache) internal _riskCache;

    /// @dev Transient (no storage slot): the batch quote-cache key of the health computation under
    ///      way in `liquidationBegin` (0: no cache); set right before it, cleared right after.
    uint256 internal transient _quoteCacheKey;
}
