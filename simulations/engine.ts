/**
 * The simulation engine: builds the world of a scenario on a chain, draws the agents from one
 * seeded generator, and runs the discrete step loop, recording the metrics of every step.
 *
 * A step (length and block time from the scenario; an agent's action with a latency lands in
 * the first block boundary at or after it, blocks every `blockTimeSeconds` from the step's start,
 * one block per transaction), in order:
 *   1. the markets advance (exogenous price, CEX reference, gas, pool depth, oracle failures);
 *   2. the shock driver moves the pools' on-chain depth to the scenario's;
 *   3. backstop LPs request withdrawals under stress;
 *   4. the oracle keeper pushes updates (deviation / heartbeat, latency, freezes) and pokes the
 *      router, the margin model and the breaker;
 *   5. the arbitrageur brings the pools to the CEX;
 *   6. the tracker re-reads the accounts that matter (batched lens call);
 *   7. borrowers react (top up, deleverage, panic);
 *   8. liquidators liquidate confirmed accounts and take auctions through the FlashLiquidator;
 *   9. the arbitrageur again: liquidation sales on the pool reach the CEX (the cascade);
 *  10. the guardian; then the step's metrics are recorded.
 * After the last step every account is read exactly once more: the accounts below health 1, split
 * into those the ledger would liquidate and those holding nothing but running auctions
 * (world/endState.ts; the summary's `liquidatableAtEnd` and `awaitingAuctionsAtEnd`).
 *
 * Determinism: one `Rng` (seed), forks per component; chain timestamps from the simulated clock;
 * views against the latest block; no wall-clock value in the results except `wallSeconds`
 * (and the rates derived from it).
 */
import { isAbsolute, relative } from "node:path";

import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";

import { Arbitrageur } from "./agents/arbitrageur.js";
import { BackstopLps } from "./agents/backstopLp.js";
import { Borrowers, drawAccounts } from "./agents/borrowers.js";
import type { StepContext } from "./agents/context.js";
import { Guardian } from "./agents/guardian.js";
import { Liquidator, drawLiquidators } from "./agents/liquidator.js";
import { OracleKeeper } from "./agents/oracleKeeper.js";
import { ShockDriver } from "./agents/shockDriver.js";
import { isoTime, resolveDataDir, type DataReport } from "./markets/data.js";
import { buildPriceEnvironment, type MarketStep as MarketsStep } from "./markets/index.js";
import { saveRecorder } from "./metrics/io.js";
import { MetricsRecorder, healthDistribution } from "./metrics/recorder.js";
import type { AssetStep, DataFixRecord, MarginMode, MarketStep, RunSummary } from "./metrics/types.js";
import { writeReport } from "./report/index.js";
import { Rng } from "./rng.js";
import { scenarioAssets, type Scenario } from "./scenarios/schema.js";
import { Chain, type SentTx } from "./world/chain.js";
import { deployWorld, type World } from "./world/deploy.js";
import { readEndState } from "./world/endState.js";
import { Observer } from "./world/observer.js";
import { AccountTracker } from "./world/tracker.js";
import { wadToNumber } from "./world/units.js";
import { decodeStructResult, encodeCall } from "./world/abi.js";

/** Seconds between the chain's genesis and t = 0 (deployment and setup happen there). */
const SETUP_LEAD_SECONDS = 120;
/** Every account gets an exact (lens) reading at least this often, simulated seconds. */
const ROTATE_SECONDS = 12 * 3600;
/**
 * While the breaker pauses liquidations, an account already read below 1 is re-read on an oracle
 * move only when its reading is at least this old, simulated seconds (no liquidation to confirm).
 */
const PAUSED_REREAD_SECONDS = 1800;
/**
 * Market and vault views (skew, open interest, funding, vault net assets) are re-read from the
 * chain at the end of a step at least this often (simulated seconds), and also at a step that
 * saw new bad debt and at the last step; the steps between record the last values read. Reading
 * them every step (three eth_calls) cost about 16% of the default run's loop time (3,400 more
 * calls, 3.7 s of 22.6 s, measured), for views that only trades, bad debt and funding move.
 */
export const VIEW_EVERY_SECONDS = 300;

export interface SimulationOptions {
  scenario: Scenario;
  /** Name or path shown in the summary (default: the scenario's name). */
  scenarioLabel?: string;
  /** Seed (default: the scenario's). */
  seed?: number;
  /** Margin mode (default: the scenario's). */
  marginMode?: MarginMode;
  /** Number of accounts (default: the scenario's). */
  accounts?: number;
  /** Run only the first `steps` steps (default: all). */
  steps?: number;
  /** JSON-RPC node; in-process when undefined. */
  rpcUrl?: string;
  /** Output directory: summary.json, metrics.csv, metrics.jsonl, report.html (none if undefined). */
  outDir?: string;
  /** Skip report.html (files only). */
  noReport?: boolean;
  /** Label for comparison reports. */
  label?: string;
  hre: HardhatRuntimeEnvironment;
  /** Setup messages. */
  onStatus?: (message: string) => void;
  /** After each step. */
  onStep?: (step: number, total: number, info: StepInfo) => void;
  /**
   * Throughput benchmark: record the loop's transactions and, after the run, replay them on the
   * chain as it was before the loop (raw EDR throughput for the same transaction mix).
   */
  bench?: boolean;
  /**
   * After the last step, while the chain is still open (read the run's logs or final state here;
   * the chain closes when it returns), with the simulated accounts' addresses.
   */
  onEnd?: (chain: Chain, world: World, accounts: readonly string[]) => Promise<void>;
}

export interface StepInfo {
  liquidations: number;
  badDebtUsd: number;
  price: number;
  txCount: number;
}

/** Speed of a run (DESIGN.md section 6). */
export interface SpeedStats {
  setupSeconds: number;
  loopSeconds: number;
  loopTx: number;
  loopBlocks: number;
  simTxPerSec: number;
  simBlocksPerSec: number;
  lensCalls: number;
  lensAccounts: number;
  failedTx: number;
  /** Wall seconds of the loop spent sending transactions and in view calls, and the calls made. */
  sendSeconds: number;
  callSeconds: number;
  calls: number;
  /** Of `callSeconds`: the AccountLens reads. */
  lensSeconds: number;
  /**
   * Accounts read by reason: oracle-move candidates, touched (by the step's transactions, read
   * before and after the agents act), the 12-hour rotation.
   */
  lensReads: { candidates: number; touched: number; rotation: number };
  /** The loop's JSON-RPC requests by method (count, wall seconds). */
  rpc: Record<string, { count: number; seconds: number }>;
  /** Reverted loop transactions by `<to> <selector>` (diagnostics). */
  failedByCall: Record<string, number>;
  /** With `bench`: the same transactions replayed raw. */
  rawSeconds?: number;
  rawTxPerSec?: number;
}

export interface SimulationResult {
  summary: RunSummary;
  speed: SpeedStats;
  /** Agent counters (for the CLI's table and tests). */
  agents: Record<string, number>;
  outDir?: string;
}

/** Runs a scenario end to end. */
export async function runSimulation(options: SimulationOptions): Promise<SimulationResult> {
  const wallStart = performance.now();
  const base = options.scenario;
  const steps = Math.min(options.steps ?? base.steps.count, base.steps.count);
  const scenario: Scenario = { ...base, steps: { ...base.steps, count: steps } };
  const seed = options.seed ?? scenario.seed;
  const marginMode = options.marginMode ?? scenario.marginMode;
  const accountsCount = options.accounts ?? scenario.accounts.count;
  const status = options.onStatus ?? (() => undefined);

  const rng = Rng.fromSeed(seed);
  const env = buildPriceEnvironment(scenario, rng.fork("markets"));
  const dataFixes = dataFixRecords(env.dataReport);
  for (const line of dataFixLines(dataFixes)) status(line);
  const assets = scenarioAssets(scenario);
  const initial = env.initial;
  const initialPrices = assets.map((a) => initial.cex[a]);

  status(options.rpcUrl === undefined ? "starting the in-process chain" : `connecting to ${options.rpcUrl}`);
  const chain = await Chain.connect(options.hre, {
    rpcUrl: options.rpcUrl,
    genesisEpoch: env.startEpoch - SETUP_LEAD_SECONDS,
  });
  try {
    status("deploying Ballast, Uniswap v3 and the pools");
    const world = await deployWorld(chain, scenario, assets, initial.cex, initial.poolDepthUsd, marginMode);
    const observer = new Observer(world, initialPrices);
    await observer.init();
    await readRisk(world, observer);

    // agents
    const keeper = new OracleKeeper(initialPrices);
    await chain.impersonate(keeper.address);
    // the arbitrageur, unless the scenario switches it off (then the pools drift from the CEX)
    const arb = scenario.arbitrageur.enabled
      ? new Arbitrageur(scenario.arbitrageur.thresholdBps, scenario.arbitrageur.latencySeconds)
      : undefined;
    let poolStable = 0;
    for (const a of assets) poolStable += initial.poolDepthUsd[a];
    await arb?.setup(chain, world, poolStable * 0.4);
    const lps = new BackstopLps(scenario);
    await lps.setup(chain, world);
    const liquidators = drawLiquidators(scenario, rng.fork("liquidators")).map(
      (p, i) => new Liquidator(i, p),
    );
    for (const l of liquidators) await l.setup(chain, world);
    const order = [...liquidators].sort(
      (x, y) => x.profile.latencySeconds - y.profile.latencySeconds || x.index - y.index,
    );
    const profiles = drawAccounts(
      scenario,
      assets,
      world.assets.map((w) => w.hasMarket),
      accountsCount,
      rng.fork("population"),
    );
    const borrowers = new Borrowers(profiles, scenario.accounts.reactionHealth);
    status(`opening ${profiles.length} accounts`);
    const vaultNet = wadToNumber(
      await world.sys.clearinghouse.vaultNetAssetsWad().then((x) => (x > 0n ? x : 0n)),
    );
    const skewCapRatio = Number(world.params.assets[0].market?.skewCapRatio ?? "0");
    const risk = await Promise.all(
      world.assets.map(async (w) => {
        const r = await world.sys.marginModel.riskOf(w.address);
        return { haircutInit: wadToNumber(r.haircutInitWad), marginInit: wadToNumber(r.marginRatioInitWad) };
      }),
    );
    await borrowers.open(chain, world, initialPrices, risk, vaultNet * skewCapRatio, (tx) =>
      observer.observe(tx, chain.now),
    );
    // the population's perp sizes, from the opening transactions' events, are in the observer
    const positionsObserved = [...observer.perpSize.values()].reduce(
      (n, sizes) => n + sizes.filter((x) => x !== 0).length,
      0,
    );
    // every account is read exactly at least every 12 simulated hours (batched), estimated between
    const tracker = new AccountTracker(world, chain, observer, borrowers.addresses, borrowers.assetOf, {
      rotateSteps: Math.max(30, Math.round(ROTATE_SECONDS / scenario.steps.seconds)),
      pausedRereadSteps: Math.max(1, Math.round(PAUSED_REREAD_SECONDS / scenario.steps.seconds)),
    });
    await tracker.refresh(profiles.map((_, i) => i));
    const guardian = new Guardian(scenario);
    const shock = new ShockDriver();

    // the loop
    const chainStart = Math.max(env.startEpoch, chain.now + 1);
    const setupSeconds = (performance.now() - wallStart) / 1000;
    const recorder = new MetricsRecorder();
    const ethIndex = world.assets.findIndex((w) => w.key === "ETH");
    const snapshot = options.bench ? await chain.snapshot() : undefined;
    chain.recording = options.bench === true;
    chain.recorded = [];
    const loopStart = performance.now();
    const txStart = chain.txCount;
    const failedStart = chain.failedTx;
    const blockStart = await chain.blockNumber();
    let lastBlock = blockStart;
    let lastViews: { markets: Record<string, MarketStep>; vault: number } | undefined;
    let lastViewT = 0;
    let lastViewBadDebt = 0;
    const lensStart = {
      calls: tracker.lensCalls,
      accounts: tracker.lensAccounts,
      ms: tracker.lensMs,
      by: { ...tracker.readsBy },
    };
    const prof0 = { send: chain.sendMs, call: chain.callMs, calls: chain.calls };
    chain.failedBySelector.clear();
    chain.rpc.clear();

    for (let s: MarketsStep | undefined = env.next(); s !== undefined; s = env.next()) {
      const market = s;
      chain.setTime(chainStart + market.t);
      observer.beginStep();
      const tx0 = chain.txCount;
      const gas0 = chain.gasUsed;
      const ctx: StepContext = {
        scenario,
        world,
        chain,
        env,
        observer,
        tracker,
        market,
        t: market.t,
        stepSeconds: scenario.steps.seconds,
        chainStart,
        ethUsd: ethIndex >= 0 ? env.cex.ETH.price : 2000,
        // an action `offsetSeconds` into the step lands in the next block at or after it
        // (block boundaries every blockTimeSeconds from the step's start), within the step
        advance: (offsetSeconds) => {
          if (offsetSeconds > 0) {
            const bt = scenario.blockTimeSeconds;
            const landed = Math.min(Math.ceil(offsetSeconds / bt) * bt, scenario.steps.seconds - 1);
            chain.setTime(chainStart + market.t + landed);
          }
        },
        send: async (from, to, data, gas, offsetSeconds) => {
          if (offsetSeconds !== undefined) ctx.advance(offsetSeconds);
          const tx = await chain.send(from, to, data, gas);
          observer.observe(tx, chain.now);
          if (tx.block > lastBlock) lastBlock = tx.block;
          return tx;
        },
      };
      await shock.act(ctx);
      await lps.act(ctx);
      const moved = await keeper.act(ctx);
      await arb?.act(ctx);
      // while the breaker pauses liquidations, accounts already read below 1 are re-read less often
      await tracker.step(observer.touched, moved || market.step === 1, observer.globalLevel >= 2);
      await borrowers.act(ctx);

      // liquidations: accounts the lens read below 1 (the tracker re-reads every account near the
      // line after a price move); the fastest active liquidator takes them all
      let confirmed = tracker.below(1).map((i) => tracker.accounts[i]);
      for (const l of order) {
        if (!l.active(ctx)) continue;
        if (confirmed.length > 0) {
          await l.liquidate(ctx, confirmed);
          confirmed = [];
        }
        if (observer.auctions.size > 0) await l.takeAuctions(ctx);
      }
      await arb?.act(ctx);
      await guardian.act(ctx);
      if (observer.touched.size > 0) {
        const touched: number[] = [];
        tracker.accountsLower.forEach((a, i) => {
          if (observer.touched.has(a)) touched.push(i);
        });
        await tracker.refresh(touched);
      }

      if (
        lastViews === undefined ||
        market.t - lastViewT >= VIEW_EVERY_SECONDS ||
        observer.badDebtUsd !== lastViewBadDebt ||
        market.step === steps
      ) {
        lastViewT = market.t;
        lastViewBadDebt = observer.badDebtUsd;
        lastViews = {
          markets: await marketMetrics(world, chain, observer),
          vault: await vaultAssets(world, chain),
        };
      }
      recorder.record({
        step: market.step - 1,
        timestamp: market.timestamp,
        block: lastBlock,
        assets: assetMetrics(world, observer, market, env.cex),
        markets: lastViews.markets,
        health: healthDistribution(tracker.healthFactors()),
        liquidatableDebtUsd: tracker.liquidatableDebtUsd(),
        liquidations: observer.liquidations,
        liquidatedUsd: observer.liquidatedUsd,
        badDebtUsd: observer.badDebtUsd,
        deficitUsd: observer.deficitUsd,
        vaultNetAssetsUsd: lastViews.vault,
        breakerLevel: observer.globalLevel,
        txCount: chain.txCount - tx0,
        gasUsed: Number(chain.gasUsed - gas0),
      });
      options.onStep?.(market.step, steps, {
        liquidations: observer.liquidations,
        badDebtUsd: observer.badDebtUsd,
        price: initialPrices.length > 0 ? env.cex[assets[0]].price : 0,
        txCount: chain.txCount - txStart,
      });
    }
    const loopSeconds = (performance.now() - loopStart) / 1000;
    const loopTx = chain.txCount - txStart;
    const loopBlocks = lastBlock - blockStart;
    chain.recording = false;
    const speed: SpeedStats = {
      setupSeconds,
      loopSeconds,
      loopTx,
      loopBlocks,
      simTxPerSec: loopSeconds > 0 ? loopTx / loopSeconds : 0,
      simBlocksPerSec: loopSeconds > 0 ? loopBlocks / loopSeconds : 0,
      lensCalls: tracker.lensCalls - lensStart.calls,
      lensAccounts: tracker.lensAccounts - lensStart.accounts,
      failedTx: chain.failedTx - failedStart,
      sendSeconds: (chain.sendMs - prof0.send) / 1000,
      callSeconds: (chain.callMs - prof0.call) / 1000,
      calls: chain.calls - prof0.calls,
      lensSeconds: (tracker.lensMs - lensStart.ms) / 1000,
      lensReads: {
        candidates: tracker.readsBy.candidates - lensStart.by.candidates,
        // the post-step re-read of touched accounts is not in readsBy
        touched:
          tracker.lensAccounts -
          lensStart.accounts -
          (tracker.readsBy.candidates - lensStart.by.candidates) -
          (tracker.readsBy.rotation - lensStart.by.rotation),
        rotation: tracker.readsBy.rotation - lensStart.by.rotation,
      },
      rpc: Object.fromEntries([...chain.rpc].map(([m, r]) => [m, { count: r.count, seconds: r.ms / 1000 }])),
      failedByCall: Object.fromEntries(chain.failedBySelector),
    };
    // the accounts below health 1 at the end, read exactly and split as the ledger treats them
    // (after the loop's speed figures, before a bench replay reverts the chain)
    const endState = await readEndState(world, chain, observer, borrowers.addresses);
    if (snapshot !== undefined) {
      const recorded: SentTx[] = chain.recorded;
      await chain.revert(snapshot);
      const rawStart = performance.now();
      await chain.replay(recorded);
      speed.rawSeconds = (performance.now() - rawStart) / 1000;
      speed.rawTxPerSec = speed.rawSeconds > 0 ? recorded.length / speed.rawSeconds : 0;
    }

    const wallSeconds = (performance.now() - wallStart) / 1000;
    const meta = {
      scenario: options.scenarioLabel ?? scenario.name,
      seed,
      marginMode,
      ...(options.label === undefined ? {} : { label: options.label }),
      stepSeconds: scenario.steps.seconds,
      accounts: profiles.length,
      params: {
        steps,
        blockTimeSeconds: scenario.blockTimeSeconds,
        chain: options.rpcUrl === undefined ? "in-process" : "json-rpc",
        liquidators: liquidators.length,
      },
    };
    const extras = { wallSeconds, simulatedBlocks: loopBlocks, txCount: loopTx, dataFixes, endState };
    let summary: RunSummary;
    if (options.outDir !== undefined) {
      summary = (await saveRecorder(options.outDir, recorder, meta, extras)).summary;
      if (options.noReport !== true) await writeReport(options.outDir);
    } else summary = recorder.summarize(meta, extras);

    const agents: Record<string, number> = {
      oracleUpdates: keeper.updates.reduce((x, y) => x + y, 0),
      arbTrades: arb?.trades ?? 0,
      arbCexFlowUsd: arb?.cexFlowUsd ?? 0,
      liquidatorTakes: liquidators.reduce((x, l) => x + l.takes, 0),
      liquidatorProfitUsd: liquidators.reduce((x, l) => x + l.profitUsd, 0),
      liquidatorRewardsUsd: liquidators.reduce((x, l) => x + l.rewardsUsd, 0),
      reactionsTopUp: borrowers.reactions.topUp,
      reactionsDeleverage: borrowers.reactions.deleverage,
      reactionsPanic: borrowers.reactions.panic,
      maxReactionsPerAccount: borrowers.maxReactionsPerAccount,
      positionsOpened: borrowers.positionsOpened,
      positionsObserved,
      positionReductions: borrowers.positionReductions,
      panicExits: borrowers.exits,
      panicExitsRefused: borrowers.exitsRefused,
      panicExitsDeferred: borrowers.exitsDeferred,
      accountOpenFailures: borrowers.openFailures,
      lpWithdrawRequests: lps.requests,
      guardianActions: guardian.actions,
      poolDepthChanges: shock.changes,
    };
    await options.onEnd?.(chain, world, borrowers.addresses);
    return { summary, speed, agents, outDir: options.outDir };
  } finally {
    await chain.close();
  }
}

/** The fixes of a data report for summary.json: files relative to the data directory. */
export function dataFixRecords(report: DataReport): DataFixRecord[] {
  const dir = resolveDataDir();
  return report.fixes.map((f) => {
    const rel = relative(dir, f.file);
    return { ...f, file: rel.startsWith("..") || isAbsolute(rel) ? f.file : rel };
  });
}

/** At most this many fixes are listed in the status lines (all are in summary.json). */
const DATA_FIX_LINES = 8;

/**
 * Status lines for the fixes applied to the run's market data: a count by kind, then one line per
 * fix (the first few); a file dated another day than the one asked for gets its own WARNING line.
 */
export function dataFixLines(fixes: readonly DataFixRecord[]): string[] {
  if (fixes.length === 0) return [];
  const counts = new Map<string, number>();
  for (const f of fixes) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  const kinds = [...counts].map(([k, n]) => `${k} x${n}`).join(", ");
  const line = (f: DataFixRecord): string =>
    `${f.file}${f.time === undefined ? "" : ` ${isoTime(f.time)}`} ${f.kind}: ${f.detail}`;
  const out = [
    `market data: ${fixes.length} fix${fixes.length === 1 ? "" : "es"} applied to the historical data (${kinds}; all in summary.json dataFixes)`,
    ...fixes.slice(0, DATA_FIX_LINES).map((f) => `  ${line(f)}`),
  ];
  if (fixes.length > DATA_FIX_LINES) out.push(`  ... and ${fixes.length - DATA_FIX_LINES} more`);
  for (const f of fixes)
    if (f.kind === "date-mismatch")
      out.push(`WARNING: ${f.file} holds another day's data, replayed as asked: ${f.detail}`);
  return out;
}

/** Initial maintenance haircuts and margin ratios (later ones come from the margin model's events). */
async function readRisk(world: World, observer: Observer): Promise<void> {
  for (const [i, w] of world.assets.entries()) {
    const r = await world.sys.marginModel.riskOf(w.address);
    observer.haircut[i] = wadToNumber(r.haircutMaintWad);
    observer.marginRatio[i] = wadToNumber(r.marginRatioMaintWad);
  }
}

function assetMetrics(
  world: World,
  observer: Observer,
  market: MarketsStep,
  cex: Readonly<Record<string, { price: number }>>,
): Record<string, AssetStep> {
  const open = observer.auctionsOpen();
  const out: Record<string, AssetStep> = {};
  world.assets.forEach((w, i) => {
    const c = observer.counters[i];
    out[w.symbol] = {
      exogenousUsd: market.exogenous[w.key],
      cexUsd: cex[w.key].price,
      poolUsd: observer.pools[i].price,
      oracleUsd: observer.oraclePrice[i],
      breakerLevel: observer.assetLevel[i],
      auctionsOpen: open[i],
      auctionTakes: c.takes,
      auctionAmountSold: c.amountSold,
      auctionProceedsUsd: c.proceedsUsd,
      auctionOracleValueUsd: c.oracleValueUsd,
    };
  });
  return out;
}

async function marketMetrics(
  world: World,
  chain: Chain,
  observer: Observer,
): Promise<Record<string, MarketStep>> {
  const out: Record<string, MarketStep> = {};
  const iface = world.sys.clearinghouse.interface;
  for (const [i, w] of world.assets.entries()) {
    if (!w.hasMarket) continue;
    const raw = await chain.call(world.clearinghouse, encodeCall(iface, "marketState", [w.address]));
    const st = decodeStructResult(iface, "marketState", raw) as unknown as {
      skewWad: bigint;
      longOpenInterestWad: bigint;
      shortOpenInterestWad: bigint;
      fundingRateWad: bigint;
    };
    const p = observer.oraclePrice[i];
    const signed = (x: bigint) => (x < 0n ? -wadToNumber(-x) : wadToNumber(x));
    out[w.marketKey] = {
      fundingRatePerDay: signed(st.fundingRateWad),
      skewUsd: signed(st.skewWad) * p,
      openInterestLongUsd: wadToNumber(st.longOpenInterestWad) * p,
      openInterestShortUsd: wadToNumber(st.shortOpenInterestWad) * p,
    };
  }
  return out;
}

async function vaultAssets(world: World, chain: Chain): Promise<number> {
  const iface = world.sys.vault.interface;
  const raw = await chain.call(world.sys.addresses.backstopVault, encodeCall(iface, "totalAssets"));
  return wadToNumber(BigInt(raw));
}
