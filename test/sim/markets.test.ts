import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { planArbitrage } from "../../simulations/markets/arbitrage.js";
import { CexReference, impactLog } from "../../simulations/markets/cex.js";
import { MissingDataError } from "../../simulations/markets/data.js";
import { buildPriceEnvironment, exogenousPaths, type MarketStep } from "../../simulations/markets/index.js";
import {
  ScheduledDepth,
  loadStressDayLiquidity,
  fullRangeLiquidity,
  sellableUsdAtSlippage,
} from "../../simulations/markets/liquidity.js";
import { Rng } from "../../simulations/rng.js";
import { loadScenario } from "../../simulations/scenarios/load.js";
import type { Scenario } from "../../simulations/scenarios/schema.js";
import { expectClose } from "./float-close.js";

function drawdown(xs: ArrayLike<number>): number {
  let peak = -Infinity;
  let worst = 0;
  for (let i = 0; i < xs.length; i++) {
    peak = Math.max(peak, xs[i]);
    worst = Math.min(worst, xs[i] / peak - 1);
  }
  return worst;
}

/** Every step of a run, with a deterministic flow pattern applied to the CEX. */
function runWithFlows(scenario: Scenario, seed: number): MarketStep[] {
  const env = buildPriceEnvironment(scenario, Rng.fromSeed(seed));
  const out: MarketStep[] = [env.initial];
  for (let s = env.next(); s !== undefined; s = env.next()) {
    out.push(s);
    if (s.step % 7 === 0) env.cex.ETH.applyFlow(-1_000_000);
    out.push({ ...s, cex: { ...s.cex, ETH: env.cex.ETH.price } });
  }
  return out;
}

describe("simulations/markets (CEX, pool depth, price environment)", function () {
  describe("CEX reference price", function () {
    const base = { initialPrice: 2000, depthUsd: 1_000_000, resilienceHalfLifeSeconds: 600 } as const;

    it("linear impact: the 1% depth moves the price 1%, twice the flow 2% (in log terms)", function () {
      const cex = new CexReference({ ...base, impact: "linear" });
      expectClose(cex.applyFlow(1_000_000), 2000 * Math.exp(0.01), 1e-9);
      expectClose(cex.applyFlow(1_000_000), 2000 * Math.exp(0.02), 1e-9);
      expectClose(cex.applyFlow(-2_000_000), 2000, 1e-9);
    });

    it("square-root impact: 4x the depth moves 2%; splitting an order inside a step costs the same", function () {
      const a = new CexReference({ ...base, impact: "sqrt" });
      const b = new CexReference({ ...base, impact: "sqrt" });
      a.applyFlow(-4_000_000);
      for (let i = 0; i < 8; i++) b.applyFlow(-500_000);
      expectClose(a.price, 2000 * Math.exp(-0.02), 1e-9);
      expectClose(b.price, a.price, 1e-9);
      expect(a.flowThisStep).to.equal(-4_000_000);
      expect(impactLog("sqrt", 0, 1)).to.equal(0);
    });

    it("resilience: the displacement halves every half-life while the price follows the exogenous one", function () {
      const cex = new CexReference({ ...base, impact: "linear" });
      cex.applyFlow(-10_000_000); // -10% in log terms
      expectClose(cex.displacement, -0.1, 1e-12);
      cex.step(600, 1800);
      expectClose(cex.displacement, -0.05, 1e-12);
      expectClose(cex.price, 1800 * Math.exp(-0.05), 1e-9);
      expect(cex.flowThisStep).to.equal(0);
      cex.step(1200, 1800);
      expectClose(cex.displacement, -0.0125, 1e-12);
      // a new step's flows build on what is left
      cex.applyFlow(1_250_000);
      expectClose(cex.displacement, 0, 1e-12);
    });

    it("quote does not move the price; setDepth keeps the displacement; bad inputs throw", function () {
      const cex = new CexReference({ ...base, impact: "sqrt" });
      const q = cex.quote(-1_000_000);
      expect(cex.price).to.equal(2000);
      expect(cex.applyFlow(-1_000_000)).to.equal(q);
      const before = cex.price;
      cex.setDepth(100_000);
      expect(cex.price).to.equal(before);
      cex.applyFlow(-100_000);
      expectClose(cex.price, before * Math.exp(-0.01), 1e-9);
      expect(() => cex.applyFlow(NaN)).to.throw(RangeError);
      expect(() => cex.step(60, 0)).to.throw(RangeError);
      expect(() => new CexReference({ ...base, depthUsd: 0, impact: "sqrt" })).to.throw(
        RangeError,
        "depthUsd",
      );
      expectClose(cex.price, before * Math.exp(-0.01), 1e-9);
    });
  });

  describe("pool depth", function () {
    it("follows its schedule and converts to slippage and Uniswap liquidity", function () {
      const d = new ScheduledDepth(50_000_000, [
        { atSeconds: 3600, factor: 1 },
        { atSeconds: 10_800, factor: 0.1 },
      ]);
      expect(d.depthUsdAt(0)).to.equal(50_000_000);
      expect(d.depthUsdAt(3600)).to.equal(50_000_000);
      expectClose(d.depthUsdAt(7200), 27_500_000, 1e-6);
      expectClose(d.depthUsdAt(99_999), 5_000_000, 1e-6);
      // 2% slippage of a constant-product pool is about 1% of one side's reserves
      expectClose(sellableUsdAtSlippage(100_000_000, 0.02) / 50_000_000, 0.01, 0.0002);
      // L = sqrt(x y): x = 25,000 ETH and y = 50M USD at 2,000
      expectClose(fullRangeLiquidity(100_000_000, 2000), Math.sqrt(25_000 * 50_000_000), 1e-6);
      expect(() => new ScheduledDepth(0)).to.throw(RangeError);
    });
  });

  describe("price environment", function () {
    it("same seed and scenario give identical steps, bit for bit; another seed differs", function () {
      const s = loadScenario("correlated-crash");
      const a = runWithFlows(s, 5);
      const b = runWithFlows(s, 5);
      expect(a.length).to.equal(2 * s.steps.count + 1);
      expect(a).to.deep.equal(b);
      expect(JSON.stringify(a)).to.equal(JSON.stringify(b));
      expect(runWithFlows(s, 6)).to.not.deep.equal(a);
    });

    it("returns steps 0..count, then undefined; timestamps follow the clock", function () {
      const s = loadScenario("oracle-freeze");
      const env = buildPriceEnvironment(s, Rng.fromSeed(1));
      expect(env.initial.step).to.equal(0);
      expect(env.initial.exogenous).to.deep.equal({ ETH: 2000, BTC: 40000 });
      expect(env.startEpoch).to.equal(1_704_067_200);
      let last: MarketStep = env.initial;
      for (let st = env.next(); st !== undefined; st = env.next()) {
        expect(st.step).to.equal(last.step + 1);
        expect(st.t - last.t).to.equal(60);
        last = st;
      }
      expect(last.step).to.equal(360);
      expect(last.timestamp).to.equal(1_704_067_200 + 21_600);
      expect(env.next()).to.equal(undefined);
    });

    it("flash-crash: ETH falls about 30% in 10 minutes, then recovers part of it", function () {
      const p = exogenousPaths(loadScenario("flash-crash"), Rng.fromSeed(1));
      const eth = p.prices.ETH;
      const at = (sec: number) => eth[sec / 12];
      expectClose(at(7800) / at(7200), 0.7, 0.03);
      expectClose(at(12_000) / at(7800), 0.85 / 0.7, 0.05);
      expect(Math.max(...p.gasPriceGwei)).to.equal(250);
    });

    it("oracle-freeze: the oracle is frozen exactly from 1.5 h to 3.5 h, for both assets", function () {
      const p = exogenousPaths(loadScenario("oracle-freeze"), Rng.fromSeed(1));
      for (const a of ["ETH", "BTC"]) {
        const frozenTimes = Array.from(p.t).filter((_, i) => p.oracleFrozen[a][i] === 1);
        expect(frozenTimes[0]).to.equal(5400);
        expect(frozenTimes[frozenTimes.length - 1]).to.equal(12_540);
        expect(frozenTimes.length).to.equal(120);
      }
      expectClose(drawdown(p.prices.ETH), -0.25, 0.04);
    });

    it("liquidity-drought: pool depth falls 90% before the shock", function () {
      const p = exogenousPaths(loadScenario("liquidity-drought"), Rng.fromSeed(1));
      const depth = p.poolDepthUsd.ETH;
      expect(depth[0]).to.equal(50_000_000);
      expectClose(depth[10_800 / 60], 5_000_000, 1e-6);
      expectClose(depth[14_400 / 60], 5_000_000, 1e-6);
      expectClose(p.prices.ETH[16_200 / 60] / p.prices.ETH[14_400 / 60], 0.8, 0.03);
    });

    it("correlated-crash: ETH and BTC fall together, and regimes are reported", function () {
      const s = loadScenario("correlated-crash");
      const p = exogenousPaths(s, Rng.fromSeed(1));
      expectClose(drawdown(p.prices.ETH), -0.35, 0.08);
      expectClose(drawdown(p.prices.BTC), -0.25, 0.08);
      const env = buildPriceEnvironment(s, Rng.fromSeed(1));
      expect(env.initial.regime).to.deep.equal({ ETH: "calm", BTC: "calm" });
    });

    it("historical scenarios replay the data: Black Thursday with its gas, LUNA and FTX", function () {
      this.timeout(60_000); // first parse of the hourly files on a loaded machine
      const bt = exogenousPaths(loadScenario("black-thursday-2020"), Rng.fromSeed(1));
      expect(bt.prices.ETH[0]).to.equal(195.21);
      expectClose(drawdown(bt.prices.ETH), -0.48, 0.01);
      expectClose(bt.gasPriceGwei[0], 9.9, 0.1);
      expect(Math.max(...bt.gasPriceGwei)).to.be.above(200);
      expect(bt.dataReport.fixes.map((f) => f.kind)).to.deep.equal(["unit"]);

      const luna = exogenousPaths(loadScenario("luna-2022"), Rng.fromSeed(1));
      expectClose(drawdown(luna.prices.ETH), -0.37, 0.05);
      const ftx = exogenousPaths(loadScenario("ftx-2022"), Rng.fromSeed(1));
      expectClose(drawdown(ftx.prices.ETH), -0.35, 0.03);
      // replays do not depend on the seed
      expect(exogenousPaths(loadScenario("ftx-2022"), Rng.fromSeed(2)).prices).to.deep.equal(ftx.prices);
    });

    it("a scenario whose data is missing fails with the path and where data is expected", function () {
      const empty = mkdtempSync(join(tmpdir(), "ballast-nodata-"));
      const before = process.env.BALLAST_DATA_DIR;
      process.env.BALLAST_DATA_DIR = empty;
      try {
        expect(() => buildPriceEnvironment(loadScenario("black-thursday-2020"), Rng.fromSeed(1))).to.throw(
          MissingDataError,
          join(empty, "stress-days", "2020-03-12.eth.json"),
        );
        // synthetic scenarios need no data
        expect(buildPriceEnvironment(loadScenario("flash-crash"), Rng.fromSeed(1)).steps).to.equal(1800);
      } finally {
        if (before === undefined) delete process.env.BALLAST_DATA_DIR;
        else process.env.BALLAST_DATA_DIR = before;
        rmSync(empty, { recursive: true, force: true });
      }
    });

    it("stress-day replays: ETH only unless a file is given", function () {
      const s = loadScenario("black-thursday-2020");
      const dayProcess = s.assets.ETH!.process;
      const btcDay = { ...s, assets: { ...s.assets, BTC: { process: dayProcess } } } as Scenario;
      expect(() => buildPriceEnvironment(btcDay, Rng.fromSeed(1))).to.throw(
        "scenario black-thursday-2020: assets.BTC.process: stress-day data exists for ETH only; give a file",
      );
      const withFile = {
        ...s,
        assets: {
          ...s.assets,
          BTC: { initialPrice: 8000, process: { ...dayProcess, file: "stress-days/2020-03-12.eth.json" } },
        },
      } as Scenario;
      const env = buildPriceEnvironment(withFile, Rng.fromSeed(1));
      expectClose(env.initial.exogenous.BTC, 8000, 1e-9); // rescaled to the initial price
    });

    it("a pool replay takes each row at its real UTC time (the file is on US Pacific time) and reports the hours it holds", function () {
      // flash-crash (6 hours of 12 s steps) with the ETH pool replaying 2021-01-11 from 05:00 UTC:
      // the file's rows start at 00:00 Pacific = 08:00 UTC, so the run holds the first row for
      // 3 hours, then steps through the rows every 10 minutes (the old loader put row 0 at
      // 00:00 UTC: row 30 at t = 0)
      const s = loadScenario("flash-crash");
      const withReplay = {
        ...s,
        pools: {
          ...s.pools,
          ETH: {
            ...s.pools.ETH!,
            replay: { date: "2021-01-11", mode: "absolute", scale: 1, offsetSeconds: 5 * 3600 },
          },
        },
      } as Scenario;
      const { series } = loadStressDayLiquidity("2021-01-11");
      const p = exogenousPaths(withReplay, Rng.fromSeed(1));
      const at = (seconds: number): number => p.poolDepthUsd.ETH[seconds / 12];
      expect(at(0)).to.equal(series.tvlUsd[0]);
      expect(at(3 * 3600 - 12)).to.equal(series.tvlUsd[0]);
      expect(at(3 * 3600 + 600)).to.equal(series.tvlUsd[1]);
      expect(at(6 * 3600)).to.equal(series.tvlUsd[18]);
      expect(p.poolDepthUsd.BTC[0]).to.equal(30_000_000); // the BTC pool keeps its schedule
      expect(p.dataReport.format()).to.deep.equal([
        `${series.file} time-zone: rows are on US Pacific time (UTC-8): placed from 2021-01-11T08:00:00Z ` +
          "to 2021-01-12T07:50:00Z, not from 2021-01-11 00:00 UTC",
        `${series.file} 2021-01-11T05:00:00Z missing-interval: no pool row from 2021-01-11T05:00:00Z to ` +
          "2021-01-11T08:00:00Z (the file starts at 2021-01-11T08:00:00Z); the first row is held",
      ]);
    });

    it("a replay beyond its data is a clear error", function () {
      const s = loadScenario("ftx-2022");
      const late = {
        ...s,
        assets: { ...s.assets, ETH: { process: { ...s.assets.ETH!.process, from: "2023-12-30T00:00:00Z" } } },
      } as Scenario;
      expect(() => buildPriceEnvironment(late, Rng.fromSeed(1))).to.throw(
        /scenario ftx-2022: assets\.ETH\.process: the run needs 2023-12-30T00:00:00Z\.\.2024-01-04T00:00:00Z but .*eth-usd-1h\.csv covers/,
      );
    });
  });
});

describe("simulations/markets/arbitrage", function () {
  const L = fullRangeLiquidity(20_000_000, 2000); // a $20M pool at 2,000

  it("buys a cheap pool up to the CEX price net of fee, moving the CEX down with its sale", function () {
    const cex = new CexReference({
      initialPrice: 2000,
      depthUsd: 1_000_000,
      impact: "sqrt",
      resilienceHalfLifeSeconds: 600,
    });
    const plan = planArbitrage({ price: 1900, liquidity: L, fee: 0.0005 }, cex, 0);
    expect(plan.direction).to.equal("buy-pool");
    expect(plan.assetAmount).to.be.greaterThan(0);
    expectClose(plan.cexFlowUsd, -plan.assetAmount * 2000, 1e-6);
    // equilibrium: marginal pool price with fee = CEX price after the CEX leg
    expectClose(plan.poolPriceAfter / (1 - 0.0005), plan.cexPriceAfter, 1e-6);
    expect(plan.cexPriceAfter).to.be.below(2000);
    expect(plan.poolPriceAfter).to.be.above(1900);
    expect(plan.profitUsd).to.be.greaterThan(0);
    expect(cex.price).to.equal(2000); // only quoted
    // pool arithmetic: stable in = L (sqrtP' - sqrtP) / (1 - fee)
    expectClose(
      plan.stableAmount,
      (L * (Math.sqrt(plan.poolPriceAfter) - Math.sqrt(1900))) / (1 - 0.0005),
      1e-6,
    );
  });

  it("sells into a rich pool; does nothing inside the fee band", function () {
    const cex = new CexReference({
      initialPrice: 2000,
      depthUsd: 5_000_000,
      impact: "linear",
      resilienceHalfLifeSeconds: 600,
    });
    const plan = planArbitrage({ price: 2100, liquidity: L, fee: 0.003 }, cex, 10);
    expect(plan.direction).to.equal("sell-pool");
    expect(plan.cexFlowUsd).to.be.greaterThan(0);
    expectClose(plan.poolPriceAfter * (1 - 0.003), plan.cexPriceAfter, 1e-6);
    expect(plan.profitUsd).to.be.greaterThan(0);
    expect(planArbitrage({ price: 2004, liquidity: L, fee: 0.003 }, cex, 10).direction).to.equal("none");
    expect(planArbitrage({ price: 1996, liquidity: L, fee: 0.003 }, cex, 10).direction).to.equal("none");
    expect(() => planArbitrage({ price: 2000, liquidity: 0, fee: 0.003 }, cex)).to.throw(RangeError);
  });
});
