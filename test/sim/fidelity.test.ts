/**
 * The fidelity check's inputs and its table (docs/simulation.md): the MakerDAO-2020-like
 * parameter file deploys inside the protocol's bounds with the mapped values, the variant
 * scenarios load and differ from the shipped ones only where documented, per-liquidator gas
 * ceilings are drawn and applied, and the table builder turns fixture summaries into the
 * numbers the doc quotes. No simulation runs here.
 */
import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { parseUnits } from "ethers";
import { network } from "hardhat";

import { loadDeployParams, paramsPathFor } from "../../scripts/deploy/params.js";
import { b32, deploySystem } from "../../scripts/deploy/system.js";
import {
  VARIANTS,
  auctionStats,
  commandLine,
  lossBreakdown,
  fidelityRow,
  markdownTables,
  parseFidelityArgs,
  textTable,
  type AuctionStepLike,
  type LedgerEvent,
} from "../../scripts/fidelity.js";
import {
  Liquidator,
  drawLiquidators,
  linearAuctionStatus,
  onCusp,
  waitsForDiscount,
} from "../../simulations/agents/liquidator.js";
import type { StepContext } from "../../simulations/agents/context.js";
import { repoRoot } from "../../simulations/markets/data.js";
import type { RunSummary } from "../../simulations/metrics/types.js";
import { Rng } from "../../simulations/rng.js";
import { loadScenario, scenarioPath } from "../../simulations/scenarios/load.js";
import { ScenarioError, parseScenario } from "../../simulations/scenarios/schema.js";
import { deployParamsPath } from "../../simulations/world/deploy.js";
import { expectClose } from "./float-close.js";

type Json = Record<string, unknown>;
const root = repoRoot();
const readJson = (path: string): Json => JSON.parse(readFileSync(path, "utf8")) as Json;
const fidelityScenario = (name: string): string =>
  join(root, "simulations", "scenarios", "fidelity", `${name}.json`);

/** Top-level keys whose values differ between two scenario files. */
function changedKeys(a: Json, b: Json): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k])).sort();
}

describe("fidelity check (scripts/fidelity.ts)", function () {
  describe("maker-2020 parameters", function () {
    it("resolve by name and validate", function () {
      const path = deployParamsPath("maker-2020");
      expect(path).to.equal(paramsPathFor("maker-2020"));
      const p = loadDeployParams(path);
      expect(p.liquidation.penalty).to.equal("0.13");
      expect(p.assets.map((a) => a.symbol)).to.deep.equal(["WETH", "WBTC"]);
      for (const a of p.assets) {
        expect(a.margin.mode).to.equal("static");
        // liquidation ratio 150%: weight 1 - haircut = 2/3, and the same ratio to borrow
        expectClose(1 / (1 - Number(a.margin.haircutBase)), 1.5, 1e-12);
        // exactly: the weight rounds down, so the ratio is 150% or a hair above, never below
        const weightWad = 10n ** 18n - parseUnits(a.margin.haircutBase, 18);
        expect(3n * weightWad <= 2n * 10n ** 18n).to.equal(true);
        expect(a.margin.initialMultiplier).to.equal("1");
        expect(a.auction.curve).to.deep.equal({ kind: "linear", tauSeconds: 600 });
        expect([a.auction.buf, a.auction.cusp, a.auction.chip, a.auction.tipUsd]).to.deep.equal([
          "1",
          "0.1",
          "0",
          "0",
        ]);
      }
    });

    it("deploys: every value is inside the protocol's bounds and lands on chain", async function () {
      const { ethers } = await network.create();
      const params = loadDeployParams(paramsPathFor("maker-2020"));
      const sys = await deploySystem(ethers, params);
      const weth = sys.assets[0].address;
      const wad = (x: string) => parseUnits(x, 18);
      const engine = (n: string, subject = ethers.ZeroAddress) => sys.engine.getParam(b32(n), subject);
      expect(await engine("PENALTY_WAD")).to.equal(wad("0.13"));
      expect(await engine("TARGET_HEALTH_WAD")).to.equal(wad("3"));
      expect(await engine("DUST_DEBT_WAD")).to.equal(wad("1000000"));
      expect(await engine("MAX_TAB_IN_FLIGHT_WAD")).to.equal(wad("1000000000000000"));
      expect(await engine("ASSET_TAB_CAP_WAD", weth)).to.equal(wad("1000000000000000"));
      expect(await sys.marginModel.modeOf(weth)).to.equal(0n); // static
      expect(await sys.marginModel.getParam(b32("HAIRCUT_BASE_WAD"), weth)).to.equal(
        wad("0.333333333333333334"),
      );
      expect(await sys.auction.getParam(b32("BUF_WAD"), weth)).to.equal(wad("1"));
      expect(await sys.auction.getParam(b32("CUSP_WAD"), weth)).to.equal(wad("0.1"));
      expect(await sys.auction.getParam(b32("TIP_WAD"), weth)).to.equal(0n);
      expect(await sys.breaker.getParam(b32("DROP_TOLERANCE_WAD"), weth)).to.equal(wad("0.9"));
      expect(await sys.breaker.getParam(b32("BAD_DEBT_SHARE_WAD"), ethers.ZeroAddress)).to.equal(wad("1"));
    });
  });

  describe("variant scenarios", function () {
    it("every variant of the check loads, with the fixed seed of its scenario", function () {
      for (const v of VARIANTS) {
        const s = loadScenario(join(root, v.scenario));
        expect(s.seed, v.id).to.equal(v.seed);
      }
      const maker = loadScenario(fidelityScenario("black-thursday-2020-maker"));
      expect(maker.name).to.equal("black-thursday-2020-maker");
      expect(maker.deployParams).to.equal("maker-2020");
      expect(maker.marginMode).to.equal("static");
      expect(maker.oracle.latencySeconds).to.equal(3600);
      expect(maker.liquidators.maxGasGwei).to.deep.equal({ kind: "uniform", min: 30, max: 150 });
    });

    it("differ from the shipped scenarios only in the documented fields", function () {
      const bt = readJson(scenarioPath("black-thursday-2020"));
      const maker = readJson(fidelityScenario("black-thursday-2020-maker"));
      const stalled = readJson(fidelityScenario("black-thursday-2020-stalled"));
      const common = ["$comment", "description", "liquidators", "name"];
      expect(changedKeys(bt, maker)).to.deep.equal(
        [...common, "deployParams", "marginMode", "oracle"].sort(),
      );
      expect(changedKeys(bt, stalled)).to.deep.equal(common);
      const makerShipped = readJson(fidelityScenario("black-thursday-2020-maker-shipped-keepers"));
      expect(changedKeys(bt, makerShipped)).to.deep.equal(
        ["$comment", "deployParams", "description", "marginMode", "name", "oracle"].sort(),
      );
      expect(makerShipped.oracle).to.deep.equal(maker.oracle);
      // both Black Thursday variants face the same keepers
      expect(maker.liquidators).to.deep.equal(stalled.liquidators);

      const fc = readJson(scenarioPath("flash-crash"));
      type Depths = { cex: { depthUsd: Record<string, number> }; pools: Record<string, Json> };
      const base = fc as unknown as Depths;
      for (const [name, cexFactor, poolFactor] of [
        ["flash-crash-deep", 1000, 5],
        ["flash-crash-thin", 0.1, 0.1],
        ["flash-crash-very-thin", 0.02, 0.1],
      ] as const) {
        const d = readJson(fidelityScenario(name));
        expect(changedKeys(fc, d), name).to.deep.equal(["$comment", "cex", "description", "name", "pools"]);
        expect(changedKeys(fc.cex as Json, d.cex as Json)).to.deep.equal(["depthUsd"]);
        const v = d as unknown as Depths;
        for (const a of Object.keys(base.cex.depthUsd)) {
          expectClose(v.cex.depthUsd[a], base.cex.depthUsd[a] * cexFactor, 1e-6, `${name} cex ${a}`);
          expect(changedKeys(base.pools[a], v.pools[a])).to.deep.equal(["depthUsd"]);
          expectClose(
            v.pools[a].depthUsd as number,
            (base.pools[a].depthUsd as number) * poolFactor,
            1e-6,
            `${name} pool ${a}`,
          );
        }
      }
    });
  });

  describe("per-liquidator gas ceilings", function () {
    const bt = (): Json => readJson(scenarioPath("black-thursday-2020"));
    const withGas = (gas: unknown): Json => {
      const j = bt();
      (j.liquidators as Json).maxGasGwei = gas;
      return j;
    };

    it("a number is every liquidator's ceiling; a distribution is drawn once per liquidator", function () {
      const fixed = parseScenario(withGas(150), "fixed");
      const drawn = parseScenario(withGas({ kind: "uniform", min: 30, max: 150 }), "drawn");
      const a = drawLiquidators(fixed, Rng.fromSeed(7).fork("liquidators"));
      const b = drawLiquidators(drawn, Rng.fromSeed(7).fork("liquidators"));
      expect(a.map((p) => p.maxGasGwei)).to.deep.equal([150, 150, 150]);
      const ceilings = b.map((p) => p.maxGasGwei as number);
      for (const g of ceilings) expect(g).to.be.within(30, 150);
      expect(new Set(ceilings).size).to.equal(3);
      // drawn last: the other draws are those of the scenario with one number
      expect(b.map((p) => [p.capitalUsd, p.minProfitUsd, p.latencySeconds])).to.deep.equal(
        a.map((p) => [p.capitalUsd, p.minProfitUsd, p.latencySeconds]),
      );
    });

    it("rejects a ceiling distribution that can reach 0, and a bad distribution", function () {
      expect(() => parseScenario(withGas({ kind: "uniform", min: 0, max: 100 }), "x.json"))
        .to.throw(ScenarioError)
        .with.property(
          "message",
          "scenario x.json: liquidators.maxGasGwei: expected a distribution of positive values (min > 0)",
        );
      expect(() => parseScenario(withGas({ kind: "uniform", min: 90, max: 30 }), "x.json")).to.throw(
        /liquidators\.maxGasGwei\.max: expected max >= min/,
      );
      expect(() => parseScenario(withGas(-5), "x.json")).to.throw(
        /liquidators\.maxGasGwei: expected a positive number/,
      );
      expect(() => parseScenario(withGas({ kind: "pareto" }), "x.json")).to.throw(/liquidators\.maxGasGwei/);
    });

    it("a liquidator stalls exactly while gas is above its own ceiling", function () {
      const ctx = (gwei: number) =>
        ({ stepSeconds: 60, t: 600, market: { gasPriceGwei: gwei } }) as unknown as StepContext;
      const profile = { capitalUsd: 1, minProfitUsd: 0, latencySeconds: 0, useFlash: true, minDiscount: 0 };
      const low = new Liquidator(0, { ...profile, maxGasGwei: 40 });
      const high = new Liquidator(1, { ...profile, maxGasGwei: 200 });
      const none = new Liquidator(2, { ...profile, maxGasGwei: undefined });
      expect([low, high, none].map((l) => l.active(ctx(40)))).to.deep.equal([true, true, true]);
      expect([low, high, none].map((l) => l.active(ctx(40.5)))).to.deep.equal([false, true, true]);
      expect([low, high, none].map((l) => l.active(ctx(250)))).to.deep.equal([false, false, true]);
    });
  });

  describe("extra liquidator groups and patience", function () {
    const bt = (): Json => readJson(scenarioPath("black-thursday-2020"));
    const patient = {
      count: 1,
      capitalUsd: { kind: "constant", value: 1000000 },
      latencySeconds: { kind: "constant", value: 60 },
      maxGasGwei: 1000,
      minDiscount: { kind: "constant", value: 0.8 },
    };

    it("extra groups are drawn after the main group, which keeps its draws", function () {
      const plain = parseScenario(bt(), "plain");
      const j = bt();
      (j.liquidators as Json).extra = [patient];
      const withExtra = parseScenario(j, "extra");
      expect(plain.liquidators.extra).to.deep.equal([]);
      const a = drawLiquidators(plain, Rng.fromSeed(3).fork("liquidators"));
      const b = drawLiquidators(withExtra, Rng.fromSeed(3).fork("liquidators"));
      expect(b.slice(0, 3)).to.deep.equal(a);
      expect(a.every((p) => p.minDiscount === 0)).to.equal(true);
      expect(b[3]).to.deep.equal({
        capitalUsd: 1000000,
        minProfitUsd: 0,
        latencySeconds: 60,
        maxGasGwei: 1000,
        useFlash: true,
        minDiscount: 0.8,
      });
    });

    it("rejects a discount of 1 or more, and an unknown field in an extra group", function () {
      const j = bt();
      (j.liquidators as Json).extra = [{ ...patient, minDiscount: { kind: "constant", value: 1 } }];
      expect(() => parseScenario(j, "x.json"))
        .to.throw(ScenarioError)
        .with.property(
          "message",
          "scenario x.json: liquidators.extra[0].minDiscount: expected a distribution of fractions in [0, 1)",
        );
      (j.liquidators as Json).extra = [{ ...patient, extra: [] }];
      expect(() => parseScenario(j, "x.json")).to.throw(/liquidators\.extra\[0\]\.extra: unknown field/);
    });

    it("linear auctions: price, redo now, redo by the next turn (the DutchAuction's rule)", function () {
      // maker-2020: start 100, tau 600 s, cusp 0.1, tail 7 days
      expect(linearAuctionStatus(100, 60, 600, 0.1, 604800, 60)).to.deep.equal({
        price: 90,
        redo: false,
        redoNext: false,
      });
      // 540 s in: exactly at cusp (not below), and below it one turn later
      expect(linearAuctionStatus(100, 540, 600, 0.1, 604800, 60)).to.deep.equal({
        price: 10,
        redo: false,
        redoNext: true,
      });
      expect(linearAuctionStatus(100, 600, 600, 0.1, 604800).redo).to.equal(true);
      // Ballast's default: tau 7200 s, cusp 0.5, tail 7200 s
      expect(linearAuctionStatus(110, 3600, 7200, 0.5, 7200, 60).redoNext).to.equal(true);
      expect(linearAuctionStatus(110, 3540, 7200, 0.5, 7200, 60).redoNext).to.equal(false);
      // tail before cusp
      expect(linearAuctionStatus(100, 100, 7200, 0.1, 120, 60)).to.include({ redo: false, redoNext: true });
    });

    it("at the cusp itself floating point cannot decide: the liquidator asks the contract", function () {
      // start 1000.0548, tau 7200 s, cusp 0.5, 3600 s in: exactly at the cusp, but the float
      // price comes out one ulp below it and would call for a redo the contract refuses
      const s = linearAuctionStatus(1000.0548, 3600, 7200, 0.5, 7200);
      expect(s.price).to.be.lessThan(1000.0548 * 0.5);
      expect(s.redo).to.equal(true);
      expect(onCusp(s.price, 1000.0548, 0.5)).to.equal(true);
      expect(onCusp(linearAuctionStatus(1000.0548, 3540, 7200, 0.5, 7200).price, 1000.0548, 0.5)).to.equal(
        false,
      );
      expect(onCusp(linearAuctionStatus(1000.0548, 3660, 7200, 0.5, 7200).price, 1000.0548, 0.5)).to.equal(
        false,
      );
    });

    it("a patient liquidator waits for its discount, except at its last chance", function () {
      expect(waitsForDiscount(0.8, 30, 100, false)).to.equal(true);
      expect(waitsForDiscount(0.8, 19, 100, false)).to.equal(false);
      expect(waitsForDiscount(0.8, 30, 100, true)).to.equal(false);
      expect(waitsForDiscount(0, 99, 100, false)).to.equal(false);
    });
  });

  describe("the table", function () {
    const step = (assets: AuctionStepLike["assets"]): AuctionStepLike => ({ assets });
    const quiet = { cexUsd: 100, auctionAmountSold: 0, auctionProceedsUsd: 0, auctionOracleValueUsd: 0 };
    // three sales: at 95% of a 200 oracle (market 190), at 20% of a 150 oracle (market 120),
    // and a WBTC sale at 90% of 5,000 (market 5,000)
    const steps: AuctionStepLike[] = [
      step({ WETH: quiet, WBTC: quiet }),
      step({
        WETH: { cexUsd: 190, auctionAmountSold: 10, auctionProceedsUsd: 1900, auctionOracleValueUsd: 2000 },
        WBTC: quiet,
      }),
      step({
        WETH: { cexUsd: 120, auctionAmountSold: 20, auctionProceedsUsd: 600, auctionOracleValueUsd: 3000 },
        WBTC: { cexUsd: 5000, auctionAmountSold: 1, auctionProceedsUsd: 4500, auctionOracleValueUsd: 5000 },
      }),
    ];

    it("auction statistics: value-weighted clearing versus oracle and market, worst step", function () {
      const s = auctionStats(steps);
      expect(s.proceedsUsd).to.equal(7000);
      expect(s.oracleValueUsd).to.equal(10000);
      expect(s.marketValueUsd).to.equal(1900 + 2400 + 5000);
      expect(s.clearingVsOracle).to.equal(0.7);
      expectClose(s.clearingVsMarket, 7000 / 9300, 1e-15);
      expect(s.worstStepVsOracle).to.equal(0.2);
      expect(s.shareBelowHalfOracle).to.equal(0.3);
      const none = auctionStats([step({ WETH: quiet })]);
      expect([none.clearingVsOracle, none.clearingVsMarket, none.worstStepVsOracle]).to.deep.equal([
        null,
        null,
        null,
      ]);
      expect(none.shareBelowHalfOracle).to.equal(null);
    });

    const summary = (over: Partial<RunSummary>): RunSummary =>
      ({
        schemaVersion: 1,
        scenario: "black-thursday-2020-maker",
        seed: 20200312,
        marginMode: "static",
        badDebt: 1234567.4,
        deficit: 0,
        maxDeficit: 250000,
        cascadeAmplification: 1.0421,
        peakLiquidationVelocity: 987654.3,
        velocityWindowSeconds: 3600,
        liquidations: 68,
        liquidatedUsd: 4461606,
        auctionEfficiency: 0.7,
        timeAboveLevel0: 5400,
        maxBreakerLevel: 2,
        minHealthP5: 0.9,
        cascadeByAsset: {
          WETH: {
            exogenousDrawdown: 0.478,
            cexDrawdown: 0.5,
            poolDrawdown: 0.49,
            amplification: 1.046,
            poolAmplification: 1.02,
          },
          WBTC: {
            exogenousDrawdown: 0.45,
            cexDrawdown: 0.44,
            poolDrawdown: 0.44,
            amplification: 0.98,
            poolAmplification: 0.98,
          },
        },
        meta: { scenario: "x", seed: 20200312, marginMode: "static", accounts: 200 },
        ...over,
      }) as RunSummary;

    it("loss breakdown: shortfall, earlier payments' penalty share and write-offs of the bad debt", function () {
      const w = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;
      const events: LedgerEvent[] = [
        // auction 1: debt 100, tab 110, whole account; sold for 107 in one take (above the
        // debt): covered 107 x 100/110 = 97.27..., left 2.73, which the same payment's penalty
        // share (9.73) covers: no bad debt
        { kind: "liquidated", tx: "0xa", account: "0xA", whole: true, writtenOffWad: 0n },
        { kind: "kick", tx: "0xa", id: 1n, account: "0xA", debtWad: w(100) },
        { kind: "take", tx: "0xb", id: 1n, oweWad: w(107), debtCoveredWad: w(97.272727) },
        { kind: "end", tx: "0xb", id: 1n, account: "0xA", debtLeftWad: w(2.727273) },
        // auction 2: debt 100, sold for 22 (a low bid): covered 20, left 80, less the penalty
        // share 2: bad debt 78, all of it shortfall
        { kind: "liquidated", tx: "0xc", account: "0xB", whole: true, writtenOffWad: 0n },
        { kind: "kick", tx: "0xc", id: 2n, account: "0xB", debtWad: w(100) },
        { kind: "take", tx: "0xd", id: 2n, oweWad: w(22), debtCoveredWad: w(20) },
        { kind: "end", tx: "0xd", id: 2n, account: "0xB", debtLeftWad: w(80) },
        { kind: "badDebt", tx: "0xd", account: "0xB", fromVaultWad: w(50), toDeficitWad: w(28) },
        // auction 3: partial, debt left charged back to an account that still has collateral
        { kind: "liquidated", tx: "0xe", account: "0xC", whole: false, writtenOffWad: 0n },
        { kind: "kick", tx: "0xe", id: 3n, account: "0xC", debtWad: w(50) },
        { kind: "take", tx: "0xf", id: 3n, oweWad: w(54), debtCoveredWad: w(49) },
        { kind: "end", tx: "0xf", id: 3n, account: "0xC", debtLeftWad: w(1) },
        // auction 4: debt 100, tab 110, two takes: 55 (covers 50, penalty 5), then the lot's
        // last 33 (covers 30, penalty 3): left 20, less the last penalty share 3: bad debt 17 =
        // shortfall 12 (100 - 88) + the first take's penalty share 5
        { kind: "liquidated", tx: "0x2", account: "0xE", whole: true, writtenOffWad: 0n },
        { kind: "kick", tx: "0x2", id: 4n, account: "0xE", debtWad: w(100) },
        { kind: "take", tx: "0x3", id: 4n, oweWad: w(55), debtCoveredWad: w(50) },
        { kind: "take", tx: "0x4", id: 4n, oweWad: w(33), debtCoveredWad: w(30) },
        { kind: "end", tx: "0x4", id: 4n, account: "0xE", debtLeftWad: w(20) },
        { kind: "badDebt", tx: "0x4", account: "0xe", fromVaultWad: w(17), toDeficitWad: 0n },
        // a write-off: debt and no collateral at liquidation
        { kind: "liquidated", tx: "0x1", account: "0xD", whole: true, writtenOffWad: w(5) },
        { kind: "badDebt", tx: "0x1", account: "0xD", fromVaultWad: w(5), toDeficitWad: 0n },
        // auction 5: the account's last auction (ADR 0014): debt 40 sold for 33 (covers 30,
        // penalty 3): left 10, less the penalty share 3 = 7 of its own, plus 15 the account
        // still owed (an earlier auction's shortfall charged back to it): 22 booked
        { kind: "liquidated", tx: "0x5", account: "0xF", whole: true, writtenOffWad: 0n },
        { kind: "kick", tx: "0x5", id: 5n, account: "0xF", debtWad: w(40) },
        { kind: "take", tx: "0x6", id: 5n, oweWad: w(33), debtCoveredWad: w(30) },
        { kind: "end", tx: "0x6", id: 5n, account: "0xF", debtLeftWad: w(10) },
        { kind: "badDebt", tx: "0x6", account: "0xF", fromVaultWad: w(22), toDeficitWad: 0n },
      ];
      const l = lossBreakdown(events);
      expectClose(l.badDebtUsd, 78 + 17 + 5 + 22, 1e-9);
      expectClose(l.auctionBadDebtUsd, 95 + 7, 1e-9);
      expectClose(l.shortfallUsd, 78 + 12 + 7, 1e-9);
      expectClose(l.penaltyShareUsd, 5, 1e-9);
      expectClose(l.ownDebtAtEndUsd, 15, 1e-9);
      expectClose(l.writeOffUsd, 5, 1e-9);
      expectClose(l.penaltyIncomeUsd, 107 - 97.272727 + 2 + 5 + 5 + 3 + 3, 1e-9);
      expect([l.liquidations, l.wholeLiquidations, l.auctions, l.auctionsWithBadDebt]).to.deep.equal([
        6, 5, 5, 3,
      ]);
      const none = lossBreakdown([]);
      expect([none.badDebtUsd, none.shortfallUsd, none.auctions]).to.deep.equal([0, 0, 0]);
    });

    it("rows carry the summary's numbers and the auction statistics", function () {
      const v = VARIANTS.find((x) => x.id === "bt-maker-stalled")!;
      // the last step's health counts (5 accounts below 1, $7,000) include two accounts holding
      // nothing but running auctions, which the ledger does not liquidate (ADR 0014): the row
      // takes the summary's end reading, which splits them off, not the last step's counts
      const lastStep = { ...step({ WETH: quiet }), liquidatableDebtUsd: 7000, health: { liquidatable: 5 } };
      const row = fidelityRow(
        v,
        summary({
          liquidatableAtEnd: { accounts: 3, debtUsd: 5000 },
          awaitingAuctionsAtEnd: { accounts: 2, debtUsd: 2000, tabUsd: 6500 },
        }),
        [...steps, lastStep],
      );
      expect(row).to.include({
        id: "bt-maker-stalled",
        group: "black-thursday",
        badDebt: 1234567.4,
        maxDeficit: 250000,
        liquidations: 68,
        auctionEfficiency: 0.7,
        clearingVsOracle: 0.7,
        worstStepVsOracle: 0.2,
        cascadeAmplification: 1.0421,
        exogenousDrawdown: 0.478,
        cexDrawdown: 0.5,
        maxBreakerLevel: 2,
        timeAboveLevel0Hours: 1.5,
        accounts: 200,
      });
      expect(row.liquidatableAtEnd).to.deep.equal({ accounts: 3, debtUsd: 5000 });
      expect(row.awaitingAuctionsAtEnd).to.deep.equal({ accounts: 2, debtUsd: 2000, tabUsd: 6500 });
      const lines = textTable([row]).split("\n");
      expect(lines.find((l) => l.startsWith("still liquidatable at the end"))).to.match(/ 3 \(\$5,000\)$/);
      expect(lines.find((l) => l.startsWith("  awaiting their auctions at the end"))).to.match(
        / 2 \(\$2,000 \/ \$6,500\)$/,
      );
      // a summary written without an end reading: n/a, not the last step's counts
      const without = fidelityRow(v, summary({}), [...steps, lastStep]);
      expect([without.liquidatableAtEnd, without.awaitingAuctionsAtEnd]).to.deep.equal([null, null]);
      expect(
        textTable([without])
          .split("\n")
          .find((l) => l.startsWith("still liquidatable")),
      ).to.match(/ n\/a$/);
    });

    it("the drawdowns shown beside the cascade amplification are those of the asset it divides", function () {
      // bt-ballast's numbers: WETH 47.8% / 47.4% (ratio 0.992), WBTC 45.5% / 45.2% (ratio 0.993,
      // the max, hence the headline). The row used to take the max of each column separately, so
      // the doc's table printed 0.993 beside "47.8% / 47.4%", whose ratio is 0.992.
      const bt = summary({
        cascadeAmplification: 0.9934252270217502,
        cascadeByAsset: {
          WBTC: {
            exogenousDrawdown: 0.4545112310202033,
            cexDrawdown: 0.4515229228601806,
            poolDrawdown: 0.4477,
            amplification: 0.9934252270217502,
            poolAmplification: 0.985,
          },
          WETH: {
            exogenousDrawdown: 0.4781833685536058,
            cexDrawdown: 0.47432166366846334,
            poolDrawdown: 0.4722,
            amplification: 0.9919242174883178,
            poolAmplification: 0.987,
          },
        },
      });
      const row = fidelityRow(VARIANTS.find((v) => v.id === "bt-ballast")!, bt, []);
      expect(row.cascadeAsset).to.equal("WBTC");
      expectClose(
        (row.cexDrawdown as number) / (row.exogenousDrawdown as number),
        row.cascadeAmplification!,
        1e-12,
      );
      const cell = textTable([row])
        .split("\n")
        .find((l) => l.startsWith("exogenous / CEX drawdown"))!;
      expect(cell.trim().endsWith("45.5% / 45.2% (WBTC)")).to.equal(true);
      // no asset above the drawdown floor: the one with the largest exogenous drawdown
      const flat = summary({
        cascadeAmplification: null,
        cascadeByAsset: {
          WETH: {
            ...bt.cascadeByAsset.WETH,
            exogenousDrawdown: 0.001,
            cexDrawdown: 0.002,
            amplification: null,
          },
          WBTC: {
            ...bt.cascadeByAsset.WBTC,
            exogenousDrawdown: 0.003,
            cexDrawdown: 0.001,
            amplification: null,
          },
        },
      });
      expect(fidelityRow(VARIANTS[0], flat, [])).to.include({
        cascadeAsset: "WBTC",
        exogenousDrawdown: 0.003,
        cexDrawdown: 0.001,
      });
    });

    it("text and markdown tables: one column per run, grouped, with the command", function () {
      const maker = fidelityRow(VARIANTS.find((x) => x.id === "bt-maker-stalled")!, summary({}), steps);
      const ballast = fidelityRow(
        VARIANTS.find((x) => x.id === "bt-ballast")!,
        summary({ badDebt: 0, auctionEfficiency: null, cascadeAmplification: null }),
        [step({ WETH: quiet })],
      );
      const deep = fidelityRow(
        VARIANTS.find((x) => x.id === "fc-deep")!,
        summary({ cascadeAmplification: 1.0004 }),
        [],
      );
      const text = textTable([ballast, maker, deep]);
      const lines = text.split("\n");
      expect(lines[0].trim().split(/\s+/)).to.deep.equal(["bt-ballast", "bt-maker-stalled", "fc-deep"]);
      const cells = (name: string) =>
        lines
          .find((l) => l.startsWith(name))!
          .slice(name.length)
          .trim()
          .split(/\s{2,}/);
      expect(cells("bad debt")).to.deep.equal(["$0", "$1,234,567", "$1,234,567"]);
      expect(cells("avg clearing / oracle")).to.deep.equal(["n/a", "0.700", "n/a"]);
      expect(cells("worst step clearing / oracle")).to.deep.equal(["n/a", "0.200", "n/a"]);
      expect(cells("sold below half the oracle")).to.deep.equal(["n/a", "30.0%", "n/a"]);
      expect(cells("cascade amplification")).to.deep.equal(["n/a", "1.042", "1.000"]);
      expect(cells("exogenous / CEX drawdown")[1]).to.equal("47.8% / 50.0% (WETH)");

      const withKeepers = {
        ...maker,
        keepers: [
          { maxGasGwei: 76.03, latencySeconds: 29.99, minProfitUsd: 327.9, minDiscount: 0 },
          { maxGasGwei: 1000, latencySeconds: 60, minProfitUsd: 0, minDiscount: 0.8 },
        ],
      };
      expect(markdownTables([withKeepers], "x")).to.contain(
        "  - keepers (gas ceiling / latency / min profit): 76 gwei / 30 s / $328; 1000 gwei / 60 s / $0 / waits for 80% off",
      );
      const md = markdownTables([ballast, maker, deep], "npm run sim:fidelity");
      expect(md).not.to.contain("keepers (gas ceiling");
      expect(md).to.contain("Command: `npm run sim:fidelity`");
      expect(md).to.contain("| bad debt | $0 | $1,234,567 |");
      expect(md).to.contain("### Depth and cascade amplification (flash-crash)");
      expect(md).to.contain("| cascade amplification | 1.000 |");
      expect(md.indexOf("### Black Thursday")).to.be.below(md.indexOf("### Depth"));
    });

    it("arguments: defaults, --only, and errors for exit code 2", function () {
      const all = parseFidelityArgs([]);
      expect(all.accounts).to.equal(200);
      expect(all.only.map((v) => v.id)).to.deep.equal(VARIANTS.map((v) => v.id));
      expect(commandLine(all)).to.equal("npm run sim:fidelity");
      const some = parseFidelityArgs(["--accounts", "50", "--only", "fc-thin,bt-maker-stalled"]);
      expect(some.only.map((v) => v.id)).to.deep.equal(["bt-maker-stalled", "fc-thin"]);
      expect(commandLine(some)).to.equal(
        "npm run sim:fidelity -- --accounts 50 --only bt-maker-stalled,fc-thin",
      );
      const seeded = parseFidelityArgs(["--only", "bt-maker-stalled", "--seed", "7"]);
      expect(seeded.only.map((v) => v.seed)).to.deep.equal([7]);
      expect(VARIANTS.find((v) => v.id === "bt-maker-stalled")!.seed).to.equal(20200312);
      expect(commandLine(seeded)).to.equal("npm run sim:fidelity -- --only bt-maker-stalled --seed 7");
      expect(() => parseFidelityArgs(["--seed", "-1"])).to.throw(/--seed must be a non-negative integer/);
      expect(() => parseFidelityArgs(["--only", "nope"])).to.throw(/--only: unknown nope/);
      expect(() => parseFidelityArgs(["--accounts", "0"])).to.throw(/--accounts must be a positive integer/);
      expect(() => parseFidelityArgs(["--bogus"])).to.throw(/unknown option/);
    });
  });
});
