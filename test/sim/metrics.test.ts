import { expect } from "chai";
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { CSV_FILE, JSONL_FILE, readRun, SUMMARY_FILE, writeRun } from "../../simulations/metrics/io.js";
import {
  csvColumns,
  healthDistribution,
  maxDrawdown,
  MetricsError,
  MetricsRecorder,
  parseMetricsCsv,
  parseMetricsJsonl,
} from "../../simulations/metrics/recorder.js";
import type { AssetStep, RunMeta, StepMetrics } from "../../simulations/metrics/types.js";
import { HEALTH_BIN_COUNT } from "../../simulations/metrics/types.js";
import { summaryTable } from "../../simulations/cli.js";
import {
  classifyEndAccounts,
  mayHoldOnlyAuctions,
  type EndAccountReading,
} from "../../simulations/world/endState.js";
import { syntheticMeta, syntheticSteps } from "./fixtures.js";
import { expectClose } from "./float-close.js";

const META: RunMeta = { scenario: "hand", seed: 7, marginMode: "static" };

function asset(price: number, over: Partial<AssetStep> = {}): AssetStep {
  return {
    exogenousUsd: price,
    cexUsd: price,
    poolUsd: price,
    oracleUsd: price,
    breakerLevel: 0,
    auctionsOpen: 0,
    auctionTakes: 0,
    auctionAmountSold: 0,
    auctionProceedsUsd: 0,
    auctionOracleValueUsd: 0,
    ...over,
  };
}

/** A minimal valid step; `over` replaces top-level fields. */
function step(i: number, timestamp: number, over: Partial<StepMetrics> = {}): StepMetrics {
  return {
    step: i,
    timestamp,
    block: 10 + i,
    assets: { WETH: asset(100) },
    markets: {},
    health: healthDistribution([1.5, 2]),
    liquidatableDebtUsd: 0,
    liquidations: 0,
    liquidatedUsd: 0,
    badDebtUsd: 0,
    deficitUsd: 0,
    vaultNetAssetsUsd: 1000,
    breakerLevel: 0,
    txCount: 1,
    gasUsed: 21000,
    ...over,
  };
}

function recordAll(steps: StepMetrics[], rec = new MetricsRecorder()): MetricsRecorder {
  for (const s of steps) rec.record(s);
  return rec;
}

describe("sim metrics: recorder and summary", function () {
  describe("drawdown and cascade amplification", function () {
    it("measures the largest peak-to-trough fall, skipping nulls", function () {
      expect(maxDrawdown([100, 120, 90, 110, 60, 80])).to.equal(0.5); // 120 -> 60
      expect(maxDrawdown([100, null, 50, null, 75])).to.equal(0.5);
      expect(maxDrawdown([1, 2, 3])).to.equal(0);
      expect(maxDrawdown([])).to.equal(0);
      expect(maxDrawdown([null, null])).to.equal(0);
      expectClose(maxDrawdown([0, 0, 5, 4]), 0.2, 1e-15); // a zero price is never a peak
    });

    it("is CEX drawdown / exogenous drawdown per asset, the max over assets", function () {
      const exoA = [100, 90, 80, 90];
      const cexA = [100, 85, 70, 88]; // dd 0.3 vs 0.2 -> 1.5
      const poolA = [100, 80, 72, 90]; // dd 0.28 -> 1.4
      const exoB = [10, 9.5, 10, 10]; // dd 0.05
      const cexB = [10, 9, 10, 10]; // dd 0.1 -> 2
      const rec = recordAll(
        exoA.map((_, i) =>
          step(i, i * 60, {
            assets: {
              A: asset(exoA[i], { cexUsd: cexA[i], poolUsd: poolA[i] }),
              B: asset(exoB[i], { cexUsd: cexB[i], poolUsd: null }),
            },
          }),
        ),
      );
      const s = rec.summarize(META, { wallSeconds: 1 });
      expectClose(s.cascadeByAsset.A.exogenousDrawdown, 0.2, 1e-12);
      expectClose(s.cascadeByAsset.A.cexDrawdown, 0.3, 1e-12);
      expectClose(s.cascadeByAsset.A.amplification, 1.5, 1e-12);
      expectClose(s.cascadeByAsset.A.poolAmplification, 1.4, 1e-12);
      expect(s.cascadeByAsset.B.poolDrawdown).to.equal(null);
      expect(s.cascadeByAsset.B.poolAmplification).to.equal(null);
      expectClose(s.cascadeByAsset.B.amplification, 2, 1e-12);
      expectClose(s.cascadeAmplification, 2, 1e-12);
    });

    it("guards divide-by-zero: no exogenous fall gives null, never Infinity or NaN", function () {
      const cex = [100, 50, 100];
      const rec = recordAll(cex.map((c, i) => step(i, i * 60, { assets: { A: asset(100, { cexUsd: c }) } })));
      const s = rec.summarize(META, { wallSeconds: 0 });
      expect(s.cascadeByAsset.A.exogenousDrawdown).to.equal(0);
      expect(s.cascadeByAsset.A.cexDrawdown).to.equal(0.5);
      expect(s.cascadeByAsset.A.amplification).to.equal(null);
      expect(s.cascadeAmplification).to.equal(null);
      expect(s.auctionEfficiency).to.equal(null);
      expect(s.blocksPerSecond).to.equal(null);
      expect(s.txPerSecond).to.equal(null);
      // Survives JSON unchanged (NaN or Infinity would turn into null silently).
      expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
    });

    it("treats an exogenous fall below the floor as undefined, and one above it as defined", function () {
      const mk = (exo: number[]) =>
        recordAll(exo.map((e, i) => step(i, i * 60, { assets: { A: asset(e, { cexUsd: 100 - 10 * i }) } })));
      const tiny = mk([100, 99.999, 99.998]).summarize(META, { wallSeconds: 1 }); // dd 2e-5 < 1e-4
      expect(tiny.cascadeAmplification).to.equal(null);
      const real = mk([100, 99, 98]).summarize(META, { wallSeconds: 1 }); // dd 0.02, cex dd 0.2
      expectClose(real.cascadeAmplification, 10, 1e-9);
      const loose = recordAll(
        [100, 99.999, 99.998].map((e, i) =>
          step(i, i * 60, { assets: { A: asset(e, { cexUsd: 100 - 10 * i }) } }),
        ),
        new MetricsRecorder({ cascadeDrawdownFloor: 1e-6 }),
      ).summarize(META, { wallSeconds: 1 });
      expectClose(loose.cascadeAmplification, 0.2 / 2e-5, 1e-3);
    });
  });

  describe("liquidation velocity", function () {
    const ts = [0, 1800, 3600, 5400, 7200];
    const vol = [100, 200, 300, 0, 0];

    it("sums liquidated USD over (t - 1h, t] per hour", function () {
      const rec = recordAll(
        ts.map((t, i) => step(i, t, { liquidatedUsd: vol[i], liquidations: vol[i] > 0 ? 1 : 0 })),
      );
      expect(rec.steps.map((s) => s.liquidationVelocityUsdPerHour)).to.deep.equal([100, 300, 500, 300, 0]);
      const s = rec.summarize(META, { wallSeconds: 2 });
      expect(s.peakLiquidationVelocity).to.equal(500);
      expect(s.velocityWindowSeconds).to.equal(3600);
      expect(s.liquidations).to.equal(3);
      expect(s.liquidatedUsd).to.equal(600);
    });

    it("divides by the full window, also early in the run and for a 2 h window", function () {
      const rec = recordAll(
        ts.map((t, i) => step(i, t, { liquidatedUsd: vol[i] })),
        new MetricsRecorder({ velocityWindowSeconds: 7200 }),
      );
      // (t-2h, t]: 100, 300, 600, 600, 500 USD (t=0 leaves the window at t=7200) -> per hour / 2
      expect(rec.steps.map((s) => s.liquidationVelocityUsdPerHour)).to.deep.equal([50, 150, 300, 300, 250]);
    });

    it("returns to exactly 0 once the window is empty (no float residue)", function () {
      const vols = [0.1, 0.2, 0.7, 0, 0, 0];
      const rec = recordAll(vols.map((v, i) => step(i, i * 1800, { liquidatedUsd: v })));
      expect(rec.steps[5].liquidationVelocityUsdPerHour).to.equal(0);
    });
  });

  describe("auctions, breaker, totals", function () {
    it("auction efficiency is total proceeds / total oracle value at the time of sale", function () {
      const proceeds = [0, 90, 190];
      const oracle = [0, 100, 200];
      const rec = recordAll(
        proceeds.map((p, i) =>
          step(i, i * 60, {
            assets: {
              A: asset(100, { auctionProceedsUsd: p, auctionOracleValueUsd: oracle[i] }),
              B: asset(5, { auctionProceedsUsd: i === 2 ? 10 : 0, auctionOracleValueUsd: i === 2 ? 20 : 0 }),
            },
          }),
        ),
      );
      expectClose(rec.summarize(META, { wallSeconds: 1 }).auctionEfficiency, 290 / 320, 1e-15);
    });

    it("time above level 0 holds each sampled level until the next step; asset levels count", function () {
      const ts = [0, 60, 180, 240, 300];
      const global = [0, 1, 0, 0, 2];
      const assetLevel = [0, 0, 0, 3, 0];
      const rec = recordAll(
        ts.map((t, i) =>
          step(i, t, {
            breakerLevel: global[i],
            assets: { WETH: asset(100, { breakerLevel: assetLevel[i] }) },
          }),
        ),
      );
      expect(rec.steps.map((s) => s.effectiveBreakerLevel)).to.deep.equal([0, 1, 0, 3, 2]);
      const s = rec.summarize(META, { wallSeconds: 1 });
      expect(s.timeAboveLevel0).to.equal(120 + 60); // step 1 (60->180) + step 3 (240->300); last adds 0
      expect(s.maxBreakerLevel).to.equal(3);
    });

    it("totals: bad debt and deficit at the end, max deficit, blocks, tx, throughput", function () {
      const rec = recordAll([
        step(0, 0, { block: 100, badDebtUsd: 0, deficitUsd: 0, txCount: 3, gasUsed: 10 }),
        step(1, 60, { block: 104, badDebtUsd: 50, deficitUsd: 30, txCount: 4, gasUsed: 20 }),
        step(2, 120, { block: 110, badDebtUsd: 80, deficitUsd: 10, txCount: 5, gasUsed: 30 }),
      ]);
      const s = rec.summarize(META, { wallSeconds: 2 });
      expect(s).to.include({
        badDebt: 80,
        deficit: 10,
        maxDeficit: 30,
        txCount: 12,
        gasUsed: 60,
        simulatedBlocks: 10,
        simulatedSeconds: 120,
        steps: 3,
        blocksPerSecond: 5,
        txPerSecond: 6,
        scenario: "hand",
        seed: 7,
        marginMode: "static",
      });
      const given = rec.summarize(META, { wallSeconds: 4, simulatedBlocks: 20, txCount: 40 });
      expect(given).to.include({ simulatedBlocks: 20, txCount: 40, blocksPerSecond: 5, txPerSecond: 10 });
    });

    it("summarizes an empty run without NaN", function () {
      const s = new MetricsRecorder().summarize(META, { wallSeconds: 0 });
      expect(s).to.include({
        badDebt: 0,
        steps: 0,
        simulatedBlocks: 0,
        peakLiquidationVelocity: 0,
        timeAboveLevel0: 0,
      });
      expect(s.cascadeAmplification).to.equal(null);
      expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
      expect(new MetricsRecorder().toCsv()).to.equal(csvColumns([], []).join(",") + "\n");
    });
  });

  describe("accounts below health 1 at the end", function () {
    const wad = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
    /** A lens reading: health factor, weighted collateral, requirement, debt, PnL (USD). */
    const reading = (
      hf: number,
      wc: number,
      req: number,
      debt: number,
      pnl: number,
      onlyAuctions: boolean,
      tabUsd = 0,
    ): EndAccountReading => ({
      health: {
        healthFactorWad: wad(hf),
        weightedCollateralWad: wad(wc),
        creditWad: 0n,
        debtWad: wad(debt),
        pnlWad: pnl < 0 ? -wad(-pnl) : wad(pnl),
        requirementWad: wad(req),
      },
      onlyAuctions,
      tabUsd,
    });
    const readings = [
      reading(0.8, 500, 0, 700, 0, false), // collateral left: liquidatable
      reading(0, 0, 0, 300, 0, true, 900), // nothing but two running auctions: awaiting (ADR 0014)
      reading(0, 0, 0, 200, 0, false), // finished, debt left: a liquidation writes it off
      reading(0.9, 0, 100, 0, -150, false, 400), // a position to close beside its auction: liquidatable
      reading(1.2, 900, 0, 600, 0, false, 50), // above 1: neither
      reading(1e9, 0, 0, 0, 0, true, 80), // owes nothing on its books: neither
      // a dust balance worth 0 after its haircut beside its auction: weighted collateral 0 and no
      // requirement, yet the ledger's bitmap holds the token, so it liquidates the account
      reading(0, 0, 0, 50, 0, false, 60),
    ];

    it("counts only the accounts the ledger would liquidate, and those awaiting their auctions apart", function () {
      const end = classifyEndAccounts(readings);
      expect(end.liquidatable).to.deep.equal({ accounts: 4, debtUsd: 700 + 200 + 150 + 50 });
      expect(end.awaitingAuctions).to.deep.equal({ accounts: 1, debtUsd: 300, tabUsd: 900 });
      // the old counting, every account below health 1, took the awaiting one as liquidatable
      const below = healthDistribution(readings.map((r) => Number(r.health.healthFactorWad) / 1e18));
      expect(below.liquidatable).to.equal(5);
      expect(end.liquidatable.accounts + end.awaitingAuctions.accounts).to.equal(below.liquidatable);
      // only an account with neither weighted collateral nor a requirement is read from the lens;
      // the dust one is such a candidate, which the lens's bitmap rule then keeps liquidatable
      expect(readings.map((r) => mayHoldOnlyAuctions(r.health))).to.deep.equal([
        false,
        true,
        true,
        false,
        false,
        true,
        true,
      ]);
    });

    it("goes into the summary, survives the round trip, and is printed apart", async function () {
      const rec = recordAll([step(0, 0), step(1, 60)]);
      const endState = classifyEndAccounts(readings);
      const s = rec.summarize(META, { wallSeconds: 1, endState });
      expect(s.liquidatableAtEnd).to.deep.equal({ accounts: 4, debtUsd: 1100 });
      expect(s.awaitingAuctionsAtEnd).to.deep.equal({ accounts: 1, debtUsd: 300, tabUsd: 900 });
      endState.liquidatable.accounts = 99; // copied, not shared
      expect(s.liquidatableAtEnd!.accounts).to.equal(4);
      const without = rec.summarize(META, { wallSeconds: 1 });
      expect(without).to.not.have.any.keys("liquidatableAtEnd", "awaitingAuctionsAtEnd");
      const table = summaryTable([
        { label: "run", summary: s },
        { label: "old", summary: without },
      ]).split("\n");
      expect(table.find((l) => l.startsWith("liquidatable at the end"))).to.match(/ 4 \(\$1,100\)\s+n\/a$/);
      expect(table.find((l) => l.startsWith("awaiting their auctions at the end"))).to.match(
        / 1 \(debt \$300, tab \$900\)\s+n\/a$/,
      );

      const dir = await mkdtemp(join(tmpdir(), "ballast-end-"));
      try {
        await writeRun(dir, rec.steps, s);
        expect((await readRun(dir)).summary).to.deep.equal(s);
        await writeFile(
          join(dir, SUMMARY_FILE),
          JSON.stringify({ ...s, awaitingAuctionsAtEnd: { accounts: 1, debtUsd: 300 } }),
        );
        await expectReject(
          readRun(dir),
          "awaitingAuctionsAtEnd must be an object with numbers accounts, debtUsd, tabUsd",
        );
        await writeFile(join(dir, SUMMARY_FILE), JSON.stringify({ ...s, dataFixes: [{ file: "x" }] }));
        await expectReject(readRun(dir), "dataFixes[0] must have a file, a kind and a detail");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  describe("health distribution", function () {
    it("computes quantiles, histogram and counts by hand", function () {
      const d = healthDistribution([Infinity, 3.0, 0.5, 2.0, 1.0, 1.5, -0.2]);
      // finite, clamped at 0 and sorted: 0, 0.5, 1, 1.5, 2, 3
      expect(d).to.include({ accounts: 6, accountsWithoutLiability: 1, liquidatable: 2, min: 0, p50: 1.25 });
      expectClose(d.p25, 0.625, 1e-15); // pos 1.25 between 0.5 and 1
      expectClose(d.p5, 0.125, 1e-15); // pos 0.25 between 0 and 0.5
      expectClose(d.p95, 2.75, 1e-15); // pos 4.75 between 2 and 3
      expect(d.histogram).to.deep.equal([1, 1, 0, 1, 0, 0, 0, 1, 1, 1, 0]);
      expect(d.histogram).to.have.length(HEALTH_BIN_COUNT);
    });

    it("has null quantiles when no account has a liability", function () {
      const d = healthDistribution([Infinity, Infinity]);
      expect(d).to.include({ accounts: 0, accountsWithoutLiability: 2, min: null, p5: null, p95: null });
      expect(() => healthDistribution([NaN])).to.throw(MetricsError, "NaN");
    });
  });

  describe("validation", function () {
    it("rejects non-finite numbers naming the field, and records nothing", function () {
      const rec = new MetricsRecorder();
      const bad = step(0, 0, { assets: { WETH: asset(100, { cexUsd: NaN }) } });
      expect(() => rec.record(bad)).to.throw(MetricsError, "step 0: assets.WETH.cexUsd");
      expect(() => rec.record(step(0, 0, { deficitUsd: Infinity }))).to.throw(MetricsError, "deficitUsd");
      expect(() =>
        rec.record(step(0, 0, { assets: { WETH: asset(100, { oracleUsd: null as unknown as number }) } })),
      ).to.throw(MetricsError, "assets.WETH.oracleUsd");
      expect(rec.steps).to.have.length(0);
    });

    it("rejects a changed asset set, a bad key, a step that does not increase, a timestamp going back", function () {
      const rec = recordAll([step(0, 100)]);
      expect(() => rec.record(step(1, 160, { assets: { WBTC: asset(1) } }))).to.throw(MetricsError, "differ");
      expect(() =>
        rec.record(
          step(1, 160, {
            markets: {
              X: { fundingRatePerDay: 0, skewUsd: 0, openInterestLongUsd: 0, openInterestShortUsd: 0 },
            },
          }),
        ),
      ).to.throw(MetricsError, "market keys");
      expect(() => rec.record(step(0, 160))).to.throw(MetricsError, "step index must exceed 0");
      expect(() => rec.record(step(1, 99))).to.throw(MetricsError, "timestamp 99 < previous 100");
      expect(() => new MetricsRecorder().record(step(0, 0, { assets: { "W.ETH": asset(1) } }))).to.throw(
        MetricsError,
        'asset key "W.ETH"',
      );
      expect(() =>
        rec.record(step(1, 160, { health: { ...healthDistribution([1]), histogram: [1] } })),
      ).to.throw(MetricsError, "health.histogram");
      expect(rec.steps).to.have.length(1);
    });

    it("copies the step: mutating the input afterwards changes nothing", function () {
      const s = step(0, 0);
      const rec = recordAll([s]);
      s.assets.WETH.cexUsd = 1;
      s.health.histogram[0] = 99;
      expect(rec.steps[0].assets.WETH.cexUsd).to.equal(100);
      expect(rec.steps[0].health.histogram[0]).to.equal(0);
    });
  });

  describe("CSV and JSONL", function () {
    it("round-trips CSV exactly, with a stable sorted column order", function () {
      const rec = recordAll(syntheticSteps({ steps: 50 }));
      const csv = rec.toCsv();
      const header = csv.split("\n")[0].split(",");
      expect(header.slice(0, 4)).to.deep.equal(["step", "timestamp", "block", "asset.WBTC.exogenousUsd"]);
      expect(header).to.deep.equal(csvColumns(["WBTC", "WETH"], ["ETH-PERP"]));
      expect(csv.split("\n")).to.have.length(52); // header + 50 rows + trailing empty
      expect(parseMetricsCsv(csv)).to.deep.equal(rec.steps);
      // WBTC has no pool: empty cells become null again.
      expect(parseMetricsCsv(csv)[3].assets.WBTC.poolUsd).to.equal(null);
    });

    it("does not depend on the caller's key order", function () {
      const steps = syntheticSteps({ steps: 5 });
      const reversed = steps.map((s) => ({
        ...s,
        assets: Object.fromEntries(Object.entries(s.assets).reverse()),
      }));
      expect(recordAll(reversed).toCsv()).to.equal(recordAll(steps).toCsv());
      expect(recordAll(reversed).toJsonl()).to.equal(recordAll(steps).toJsonl());
    });

    it("round-trips JSONL exactly", function () {
      const rec = recordAll(syntheticSteps({ steps: 30 }));
      expect(parseMetricsJsonl(rec.toJsonl())).to.deep.equal(rec.steps);
    });

    it("names the line and the column of a malformed CSV or JSONL", function () {
      const csv = recordAll(syntheticSteps({ steps: 3 })).toCsv();
      const lines = csv.split("\n");
      const cells = lines[2].split(",");
      cells[1] = "abc";
      lines[2] = cells.join(",");
      expect(() => parseMetricsCsv(lines.join("\n"), "x.csv")).to.throw(
        MetricsError,
        'x.csv line 3: column "timestamp"',
      );
      const noCol = csv.replace("deficitUsd", "deficit");
      expect(() => parseMetricsCsv(noCol, "x.csv")).to.throw(MetricsError, 'missing column "deficitUsd"');
      expect(() => parseMetricsJsonl("{}\n", "x.jsonl")).to.throw(MetricsError, "x.jsonl line 1");
      expect(() => parseMetricsJsonl("{oops\n", "x.jsonl")).to.throw(MetricsError, "invalid JSON");
    });

    it("writes and reads a run directory; falls back to CSV without JSONL", async function () {
      const dir = await mkdtemp(join(tmpdir(), "ballast-metrics-"));
      try {
        const rec = recordAll(syntheticSteps({ steps: 40 }));
        const summary = rec.summarize(syntheticMeta("dynamic", 3), { wallSeconds: 1.5 });
        await writeRun(dir, rec.steps, summary);
        const back = await readRun(dir);
        expect(back.summary).to.deep.equal(summary);
        expect(back.steps).to.deep.equal(rec.steps);
        await unlink(join(dir, JSONL_FILE));
        expect((await readRun(dir)).steps).to.deep.equal(rec.steps);
        await unlink(join(dir, CSV_FILE));
        await expectReject(readRun(dir), "neither metrics.jsonl nor metrics.csv");
        await writeFile(join(dir, SUMMARY_FILE), JSON.stringify({ ...summary, marginMode: "yolo" }));
        await expectReject(readRun(dir), "marginMode must be one of static, dynamic, ramped");
        await unlink(join(dir, SUMMARY_FILE));
        await expectReject(readRun(dir), "summary.json: not found");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
});

async function expectReject(p: Promise<unknown>, message: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect((e as Error).message).to.include(message);
    return;
  }
  expect.fail(`expected a rejection with "${message}"`);
}
