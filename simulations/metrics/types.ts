/**
 * Types of the simulation laboratory's metrics: one `StepMetrics` record per simulation step (fed
 * by the world loop to `MetricsRecorder.record`), the derived per-step values the recorder adds
 * (`RecordedStep`), the run's identity (`RunMeta`) and its summary (`RunSummary`, `summary.json`).
 *
 * Units. Metrics are analysis output, not on-chain state, so they are plain JavaScript `number`s
 * (float64), converted once from the chain's bigint WAD values at the recorder's edge:
 * - prices: USD per one whole token (not per wei), e.g. 1834.52;
 * - `...Usd` amounts: US dollars (the stablecoin is counted at $1);
 * - token amounts: whole tokens (human decimals), e.g. 1.5 WETH;
 * - times: seconds (chain time, unix seconds for timestamps);
 * - rates: fractions (0.01 = 1%), per the period in the name (`...PerDay`, `...PerHour`);
 * - health factors: dimensionless ratios (< 1 liquidatable).
 *
 * Every number in a step must be finite; a missing value is `null` where the type allows it.
 * Asset and market keys (token or market symbols) must match `/^[A-Za-z0-9_-]+$/` because they
 * become CSV column names (`asset.WETH.cexUsd`), and every step must carry the same keys.
 */

/** How the margin model reacts to volatility (mirrors `Mode` in simulations/math/margin.ts). */
export type MarginMode = "static" | "dynamic" | "ramped";

/** All margin modes, in the order comparison reports show them. */
export const MARGIN_MODES: readonly MarginMode[] = ["static", "dynamic", "ramped"];

/** A JSON value (used for free-form run parameters kept in the summary). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Per collateral asset, observed at the end of the step. */
export interface AssetStep {
  /** Exogenous (model or historical) price, USD per token: the world's price before any impact. */
  exogenousUsd: number;
  /** Reference "CEX" price after the impact of net flow, USD per token. */
  cexUsd: number;
  /** On-chain Uniswap v3 pool mid price, USD per token; `null` when the asset has no pool. */
  poolUsd: number | null;
  /** The protocol's oracle price (OracleRouter's last good price), USD per token. */
  oracleUsd: number;
  /** Circuit-breaker level of this asset (0..3). */
  breakerLevel: number;
  /** Auctions of this asset open at the end of the step. */
  auctionsOpen: number;
  /** Auction takes of this asset during the step. */
  auctionTakes: number;
  /** Collateral sold by auction takes during the step, whole tokens. */
  auctionAmountSold: number;
  /** Stablecoin paid by takers during the step, USD. */
  auctionProceedsUsd: number;
  /**
   * Oracle value of the collateral sold during the step, USD: the sum over takes of amount times
   * the oracle price at the time of that take. `auctionProceedsUsd / auctionOracleValueUsd` is the
   * step's clearing price versus oracle.
   */
  auctionOracleValueUsd: number;
}

/**
 * Per perpetual market. Sampled: the engine (simulations/engine.ts, `VIEW_EVERY_SECONDS`) reads
 * the market state at the end of a step at least every 300 simulated seconds, at a step with new
 * bad debt and at the last step; the steps between repeat the last reading (skew and open interest
 * valued at the oracle price of that reading).
 */
export interface MarketStep {
  /** Current funding rate, fraction of notional per day (positive: longs pay shorts). */
  fundingRatePerDay: number;
  /** Net skew (long minus short open interest) at the oracle price, USD, signed. */
  skewUsd: number;
  /** Long open interest at the oracle price, USD. */
  openInterestLongUsd: number;
  /** Short open interest at the oracle price, USD (non-negative). */
  openInterestShortUsd: number;
}

/** Number of bins of the health-factor histogram. */
export const HEALTH_BIN_COUNT = 11;

/**
 * Lower edges of the health-factor histogram bins; bin i holds health in
 * [HEALTH_BIN_EDGES[i], HEALTH_BIN_EDGES[i + 1]) and the last bin is [5, +inf).
 * Bin 0 and 1 ([0, 0.9)) are deep underwater, bin 3 ([1.0, 1.05)) is the edge of liquidation.
 */
export const HEALTH_BIN_EDGES: readonly number[] = [0, 0.5, 0.9, 1.0, 1.05, 1.1, 1.25, 1.5, 2, 3, 5];

/** Human labels of the histogram bins, in bin order. */
export const HEALTH_BIN_LABELS: readonly string[] = HEALTH_BIN_EDGES.map((lo, i) => {
  const hi = HEALTH_BIN_EDGES[i + 1];
  return hi === undefined ? `>=${lo}` : `${lo}-${hi}`;
});

/**
 * Distribution of health factors over accounts with a liability (debt, negative PnL or a margin
 * requirement). Accounts without a liability have infinite health and are only counted.
 * `MetricsRecorder.healthDistribution(values)` builds one from raw health factors.
 */
export interface HealthDistribution {
  /** Accounts with a liability (the population of the quantiles and histogram). */
  accounts: number;
  /** Accounts without any liability (infinite health), not in the quantiles. */
  accountsWithoutLiability: number;
  /**
   * Accounts with health < 1 (the tracker's reading or estimate), including any that hold nothing
   * but running auctions, which the ledger does not liquidate (ADR 0014; the summary's
   * `liquidatableAtEnd` and `awaitingAuctionsAtEnd` split them at the end of a run).
   */
  liquidatable: number;
  /** Lowest health factor; `null` when `accounts` is 0. */
  min: number | null;
  /** Quantiles (linear interpolation between order statistics); `null` when `accounts` is 0. */
  p5: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p95: number | null;
  /** Counts per bin of `HEALTH_BIN_EDGES`; length `HEALTH_BIN_COUNT`; sums to `accounts`. */
  histogram: number[];
}

/** What the world loop records at the end of each step. */
export interface StepMetrics {
  /** Step index, 0-based, strictly increasing by the order of `record` calls. */
  step: number;
  /** Chain timestamp at the end of the step, unix seconds; non-decreasing. */
  timestamp: number;
  /** Block number at the end of the step. */
  block: number;
  /** Per collateral asset, keyed by token symbol. */
  assets: Record<string, AssetStep>;
  /** Per perpetual market, keyed by market symbol (may be empty); sampled (see `MarketStep`). */
  markets: Record<string, MarketStep>;
  /** Health-factor distribution at the end of the step. */
  health: HealthDistribution;
  /** Debt (plus negative PnL) of accounts with health < 1 at the end of the step, USD. */
  liquidatableDebtUsd: number;
  /** `liquidate` calls that succeeded during the step. */
  liquidations: number;
  /**
   * Liquidation volume during the step, USD: the oracle value, at the time of liquidation, of
   * collateral seized plus the notional of perp positions closed by liquidations.
   */
  liquidatedUsd: number;
  /** Bad debt arisen since the start of the run, cumulative (covered by the vault or not), USD. */
  badDebtUsd: number;
  /** Protocol deficit (unbacked stablecoin) at the end of the step, USD. */
  deficitUsd: number;
  /**
   * BackstopVault net assets (ERC-4626 `totalAssets`), USD. Sampled like `markets`: read at the
   * end of a step at least every 300 simulated seconds, at a step with new bad debt and at the
   * last step; between readings the last value is repeated (it can lag by up to 5 minutes).
   */
  vaultNetAssetsUsd: number;
  /** Global circuit-breaker level (0..3). */
  breakerLevel: number;
  /** Transactions mined during the step (all agents). */
  txCount: number;
  /** Gas used by those transactions. */
  gasUsed: number;
}

/** A recorded step: the input plus the values the recorder derives (see `MetricsRecorder`). */
export interface RecordedStep extends StepMetrics {
  /**
   * Liquidation velocity, USD per hour: `liquidatedUsd` summed over the steps whose timestamp is
   * in (timestamp - window, timestamp], divided by the window in hours (window: 1 h by default).
   */
  liquidationVelocityUsdPerHour: number;
  /** Max of the global and every asset's breaker level. */
  effectiveBreakerLevel: number;
}

/** Identity of a run; written into `summary.json`. */
export interface RunMeta {
  /** Scenario name (or path). */
  scenario: string;
  /** Seed of the run's random generator. */
  seed: number | string;
  /** Margin model mode. */
  marginMode: MarginMode;
  /** Short label for comparison reports; defaults to the margin mode. */
  label?: string;
  /** Nominal step length, seconds. */
  stepSeconds?: number;
  /** Accounts simulated. */
  accounts?: number;
  /** Free-form parameters worth keeping with the run (JSON). */
  params?: Record<string, JsonValue>;
}

/**
 * One fix the data loaders applied to the market data a run used (simulations/markets/data.ts
 * `DataFix`): `file` relative to the data directory when inside it.
 */
export interface DataFixRecord {
  file: string;
  /** e.g. "unit", "date-mismatch", "bad-wick", "time-zone", "missing-interval". */
  kind: string;
  /** Epoch seconds (UTC) of the affected row, when there is one. */
  time?: number;
  field?: string;
  from?: number;
  to?: number;
  /** One line for a human. */
  detail: string;
}

/**
 * Accounts of one kind at the end of a run, from an exact reading of the chain after the last step
 * (simulations/world/endState.ts).
 */
export interface EndAccounts {
  /** Number of accounts. */
  accounts: number;
  /** Their debt plus negative PnL, USD. */
  debtUsd: number;
}

/** Accounts below health 1 at the end that hold nothing but running auctions (ADR 0014). */
export interface AwaitingAuctions extends EndAccounts {
  /** Tab left of their running auctions (debt and penalty still to raise), USD. */
  tabUsd: number;
}

/**
 * The accounts below health 1 at the end of a run, split as the ledger treats them: those it
 * would liquidate, and those it reports as not liquidatable because they hold nothing but running
 * auctions (no collateral, no position, `Clearinghouse.auctionsOf` > 0: their auctions' ends
 * decide; `AccountLens.liquidatable` skips them).
 */
export interface EndState {
  liquidatable: EndAccounts;
  awaitingAuctions: AwaitingAuctions;
}

/** Values the recorder cannot know, supplied by the runner to `summarize`. */
export interface SummaryExtras {
  /** Wall-clock duration of the run, seconds. */
  wallSeconds: number;
  /** Blocks mined during the run; default: last block - first block + 1 from the steps. */
  simulatedBlocks?: number;
  /** Transactions sent; default: the sum of `txCount` over the steps. */
  txCount?: number;
  /** Fixes applied to the market data the run used (copied into the summary when given). */
  dataFixes?: DataFixRecord[];
  /** The accounts below health 1 at the end, read from the chain (copied into the summary). */
  endState?: EndState;
}

/** Drawdowns and cascade amplification of one asset (see `MetricsRecorder.summarize`). */
export interface AssetCascade {
  /** Max peak-to-trough drawdown of the exogenous price, fraction (0.3 = 30%). */
  exogenousDrawdown: number;
  /** Max peak-to-trough drawdown of the CEX price, fraction. */
  cexDrawdown: number;
  /** Max peak-to-trough drawdown of the pool price, fraction; `null` without a pool. */
  poolDrawdown: number | null;
  /** cexDrawdown / exogenousDrawdown; `null` when the exogenous drawdown is below the floor. */
  amplification: number | null;
  /** poolDrawdown / exogenousDrawdown; `null` without a pool or below the floor. */
  poolAmplification: number | null;
}

/** The run summary, `summary.json`. Units as in the module header. */
export interface RunSummary {
  /** Format version of this file. */
  schemaVersion: 1;
  scenario: string;
  seed: number | string;
  marginMode: MarginMode;
  /** Bad debt arisen over the run (final cumulative `badDebtUsd`), USD. */
  badDebt: number;
  /** Protocol deficit at the end of the run, USD. */
  deficit: number;
  /** Highest deficit during the run, USD. */
  maxDeficit: number;
  /**
   * Max over assets of (CEX peak-to-trough drawdown / exogenous peak-to-trough drawdown); `null`
   * when no asset's exogenous drawdown reaches the floor (`cascadeDrawdownFloor`).
   */
  cascadeAmplification: number | null;
  /** Max over steps of `liquidationVelocityUsdPerHour`, USD per hour. */
  peakLiquidationVelocity: number;
  /** Window of the rolling velocity, seconds. */
  velocityWindowSeconds: number;
  /** Successful `liquidate` calls over the run. */
  liquidations: number;
  /** Liquidation volume over the run, USD. */
  liquidatedUsd: number;
  /**
   * Sum of auction proceeds / sum of oracle value (at the time of sale) of the collateral sold,
   * over all assets and steps; `null` when nothing was sold.
   */
  auctionEfficiency: number | null;
  /** Seconds during which the effective breaker level was above 0 (sample and hold). */
  timeAboveLevel0: number;
  /** Highest effective breaker level reached. */
  maxBreakerLevel: number;
  /** Lowest p5 health quantile over the run; `null` when never any account had a liability. */
  minHealthP5: number | null;
  /**
   * Accounts the ledger would liquidate at the end of the run (read exactly after the last step):
   * health below 1 and not holding nothing but running auctions, the account rule of
   * `AccountLens.liquidatable` without its global pause (breaker level 2 pauses every liquidation;
   * these accounts wait for it) and price check. Their debt is a loss not yet realized. Absent from
   * summaries written without an end reading (e.g. synthetic runs).
   */
  liquidatableAtEnd?: EndAccounts;
  /**
   * Accounts below health 1 at the end that the ledger does not liquidate because they hold
   * nothing but running auctions (ADR 0014): their auctions' ends decide what they still owe.
   * Not in `liquidatableAtEnd`; absent where it is.
   */
  awaitingAuctionsAtEnd?: AwaitingAuctions;
  txCount: number;
  gasUsed: number;
  simulatedBlocks: number;
  /** Simulated time, last timestamp - first timestamp, seconds. */
  simulatedSeconds: number;
  steps: number;
  wallSeconds: number;
  /** simulatedBlocks / wallSeconds (`null` when wallSeconds is 0). */
  blocksPerSecond: number | null;
  /** txCount / wallSeconds (`null` when wallSeconds is 0). */
  txPerSecond: number | null;
  /** Floor under which an exogenous drawdown is too small to divide by, fraction. */
  cascadeDrawdownFloor: number;
  /** Per asset drawdowns behind `cascadeAmplification`. */
  cascadeByAsset: Record<string, AssetCascade>;
  /**
   * Every fix the loaders applied to the historical market data the run used (bad wicks, units,
   * a file dated another day, ...); `[]` when none; absent from summaries written without them.
   */
  dataFixes?: DataFixRecord[];
  /** The run's full identity. */
  meta: RunMeta;
}
