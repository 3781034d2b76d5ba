/**
 * Synthetic metrics for the metrics and report tests: a deterministic crash story (no chain).
 * The exogenous price falls by `crash` between 25% and 50% of the run; liquidation flow pushes
 * the CEX price further (so cascade amplification > 1), the pool follows the CEX with a lag, the
 * oracle updates on a 0.5% deviation; account health scales with the oracle price; liquidations,
 * auctions, bad debt and the breaker react.
 */

import type { MarginMode, RunMeta, StepMetrics } from "../../simulations/metrics/types.js";
import { healthDistribution } from "../../simulations/metrics/recorder.js";

/** Options of the synthetic run. */
export interface SyntheticOptions {
  steps?: number;
  stepSeconds?: number;
  assets?: string[];
  markets?: string[];
  accounts?: number;
  /** Exogenous fall, fraction (default 0.3). */
  crash?: number;
  /** Liquidation impact multiplier (0 = none); the margin modes differ by it in comparisons. */
  impact?: number;
  seed?: number;
}

/** Small deterministic generator (mulberry32), enough for fixtures. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A synthetic run: `steps` StepMetrics with a crash. Deterministic in its options. */
export function syntheticSteps(options: SyntheticOptions = {}): StepMetrics[] {
  const n = options.steps ?? 240;
  const dt = options.stepSeconds ?? 60;
  const assets = options.assets ?? ["WETH", "WBTC"];
  const markets = options.markets ?? ["ETH-PERP"];
  const accounts = options.accounts ?? 200;
  const crash = options.crash ?? 0.3;
  const impact = options.impact ?? 1;
  const rand = rng(options.seed ?? 1);
  const start = 1_700_000_000;
  const base: Record<string, number> = {};
  assets.forEach((a, k) => (base[a] = k === 0 ? 2000 : 30000 * (k + 1)));
  const oracle: Record<string, number> = { ...base };
  const cexGap: Record<string, number> = Object.fromEntries(assets.map((a) => [a, 0]));
  const pool: Record<string, number> = { ...base };
  // Initial health of each account at the base price (1.05 .. 3.0, some without liability).
  const health0 = Array.from({ length: accounts }, (_, i) =>
    i % 17 === 0 ? Infinity : 1.05 + 1.95 * rand(),
  );
  let badDebt = 0;
  let deficit = 0;
  let vault = 1_000_000;
  let funding = 0;
  const out: StepMetrics[] = [];
  for (let i = 0; i < n; i++) {
    const x = i / Math.max(1, n - 1);
    const fall = x < 0.25 ? 0 : x > 0.5 ? crash : (crash * (x - 0.25)) / 0.25;
    const recovery = x > 0.75 ? (crash / 3) * ((x - 0.75) / 0.25) : 0;
    const first = assets[0];
    const exoRatio = (1 - fall + recovery) * (1 + 0.002 * Math.sin(i / 5));
    const ratio = oracle[first] / base[first];
    const hs = health0.map((h) => (h === Infinity ? h : h * (0.45 + 0.55 * ratio)));
    const dist = healthDistribution(hs);
    const liquidating = dist.liquidatable;
    const liquidatedUsd = liquidating * 1500 * (0.8 + 0.4 * rand());
    const assetSteps: StepMetrics["assets"] = {};
    for (const a of assets) {
      const exo = base[a] * exoRatio;
      cexGap[a] = Math.min(0.5, cexGap[a] * 0.9 + impact * 1e-7 * liquidatedUsd);
      const cex = exo * (1 - cexGap[a]);
      pool[a] = pool[a] + 0.5 * (cex - pool[a]);
      if (Math.abs(cex / oracle[a] - 1) > 0.005 || i % 60 === 0) oracle[a] = cex;
      const sold = a === first ? liquidatedUsd / oracle[a] : 0;
      assetSteps[a] = {
        exogenousUsd: exo,
        cexUsd: cex,
        poolUsd: a === first ? pool[a] : null,
        oracleUsd: oracle[a],
        breakerLevel: a === first && fall > crash * 0.6 && x < 0.7 ? 2 : 0,
        auctionsOpen: a === first ? liquidating : 0,
        auctionTakes: sold > 0 ? liquidating : 0,
        auctionAmountSold: sold,
        auctionProceedsUsd: sold * oracle[a] * (0.99 - 0.5 * cexGap[a]),
        auctionOracleValueUsd: sold * oracle[a],
      };
    }
    const loss = fall > crash * 0.8 ? liquidatedUsd * 0.05 : 0;
    badDebt += loss;
    const covered = Math.min(vault - 900_000 > 0 ? vault - 900_000 : 0, loss);
    vault += 20 - covered;
    deficit += loss - covered;
    funding = funding * 0.95 + 0.0001 * Math.sin(i / 20);
    const marketSteps: StepMetrics["markets"] = {};
    for (const m of markets)
      marketSteps[m] = {
        fundingRatePerDay: funding,
        skewUsd: 50_000 * Math.sin(i / 30),
        openInterestLongUsd: 400_000 + 50_000 * Math.sin(i / 30),
        openInterestShortUsd: 400_000,
      };
    const tx = 5 + liquidating * 2;
    out.push({
      step: i,
      timestamp: start + i * dt,
      block: 100 + i * 2,
      assets: assetSteps,
      markets: marketSteps,
      health: dist,
      liquidatableDebtUsd: liquidating * 1200,
      liquidations: liquidating,
      liquidatedUsd,
      badDebtUsd: badDebt,
      deficitUsd: deficit,
      vaultNetAssetsUsd: vault,
      breakerLevel: deficit > 0 ? 1 : 0,
      txCount: tx,
      gasUsed: tx * 150_000,
    });
  }
  return out;
}

/** Run identity for a synthetic run. */
export function syntheticMeta(marginMode: MarginMode = "ramped", seed = 1): RunMeta {
  return {
    scenario: "synthetic-crash",
    seed,
    marginMode,
    stepSeconds: 60,
    accounts: 200,
    params: { crash: 0.3, note: "fixture <not a chain run>" },
  };
}

/** Impact multiplier per margin mode for comparison fixtures (static margin cascades most). */
export const IMPACT_BY_MODE: Record<MarginMode, number> = { static: 1.5, dynamic: 2.5, ramped: 0.8 };
