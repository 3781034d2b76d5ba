/**
 * The state of the TypeScript reference model of the ledger: plain data (maps and bigints), so
 * `structuredClone` copies it and a command can be tried on a copy before it is committed.
 * Field names follow the Clearinghouse's storage; units are in the names (WAD, RAY, token decimals).
 */

export interface RiskLevels {
  haircutMaintWad: bigint;
  haircutInitWad: bigint;
  marginRatioMaintWad: bigint;
  marginRatioInitWad: bigint;
  depthUsdWad: bigint;
  sizeSlopeWad: bigint;
}

export interface PositionModel {
  sizeWad: bigint;
  /** Cost basis in funding-adjusted price (ADR 0007). */
  costBasisWad: bigint;
}

export interface AccountModel {
  normalizedDebt: bigint;
  creditWad: bigint;
  /** token -> amount (token decimals); absent means 0 (and the collateral bit is clear). */
  collateral: Map<string, bigint>;
  /** market -> position; absent means no position (and the market bit is clear). */
  positions: Map<string, PositionModel>;
}

export interface MarketParamsModel {
  skewScaleWad: bigint;
  maxFundingVelocityWad: bigint;
  takerFeeWad: bigint;
  maxOpenInterestWad: bigint;
  skewCapRatioWad: bigint;
}

export interface MarketStateModel {
  skewWad: bigint;
  longOpenInterestWad: bigint;
  shortOpenInterestWad: bigint;
  costBasisSumWad: bigint;
  fundingRateWad: bigint;
  fundingIndexWad: bigint;
  lastFundingTime: bigint;
}

export interface OracleReadModel {
  priceWad: bigint;
  ok: boolean;
}

export interface VaultRequestModel {
  shares: bigint;
  claimableAt: bigint;
}

export interface VaultModel {
  address: string;
  totalShares: bigint;
  shares: Map<string, bigint>;
  requests: Map<string, VaultRequestModel>;
  cooldownSeconds: bigint;
  claimWindowSeconds: bigint;
}

export interface LedgerState {
  /** Timestamp of the latest block. */
  now: bigint;
  clearinghouse: string;
  stablecoin: string;
  /** Listed collaterals in listing order, with their decimals. */
  collaterals: { token: string; decimals: bigint }[];
  /** Listed markets in listing order. */
  markets: string[];

  // stability fee and debt
  rateIndexRay: bigint;
  lastAccrual: bigint;
  stabilityFeePerSecondRay: bigint;
  totalNormalizedDebt: bigint;
  vaultCreditWad: bigint;
  deficitWad: bigint;
  debtCeilingWad: bigint;
  minDebtWad: bigint;

  depositCap: Map<string, bigint>;
  totalCollateral: Map<string, bigint>;
  marketParams: Map<string, MarketParamsModel>;
  marketState: Map<string, MarketStateModel>;
  accounts: Map<string, AccountModel>;
  /** account -> operators it approved. */
  operators: Map<string, Set<string>>;

  oracle: Map<string, OracleReadModel>;
  risk: Map<string, RiskLevels>;

  /** token -> holder -> balance (collateral tokens and the stablecoin). */
  balances: Map<string, Map<string, bigint>>;
  stablecoinSupply: bigint;

  vault: VaultModel;

  /**
   * Upper bound on the rounding dust the protocol may keep (I1: debts + deficit may exceed
   * supply + credits by at most this much), grown by every operation that rounds.
   */
  dustBudgetWad: bigint;

  /**
   * The circuit breaker's levels as the Clearinghouse stores them (pushed by the breaker), when a
   * breaker is wired (the full-system suites); absent: no breaker (the ledger suite).
   */
  breakerLevels?: BreakerLevelsModel;

  /**
   * ADR 0006's price cache, once `refreshPrices` ran: absent, no initial-margin check uses a cached
   * price (never refreshed: the stamp 0 is older than any age bound).
   */
  priceCache?: PriceCacheModel;
}

/**
 * What `refreshPrices` stored: each listed asset's price (0: its read was not ok or too large for
 * its slot, the check reads the oracle), the time, and `PRICE_MAX_AGE_SECONDS` (0: off).
 */
export interface PriceCacheModel {
  maxAgeSeconds: bigint;
  cachedAt: bigint;
  prices: Map<string, bigint>;
}

/** Global level and per-asset levels (an asset's level applies to its collateral and its market). */
export interface BreakerLevelsModel {
  global: number;
  assets: Map<string, number>;
}

export function emptyAccount(): AccountModel {
  return { normalizedDebt: 0n, creditWad: 0n, collateral: new Map(), positions: new Map() };
}

export function cloneState(s: LedgerState): LedgerState {
  return structuredClone(s);
}
