import { expect } from "chai";

import {
  CorrelatedNormals,
  GbmProcess,
  KeyframePath,
  MarketPriceModel,
  RegimeProcess,
  SECONDS_PER_YEAR,
  ScriptedProcess,
  cholesky,
  correlationMatrix,
  samplePath,
  shockPath,
  type GbmParams,
} from "../../simulations/markets/processes.js";
import { Rng } from "../../simulations/rng.js";
import { expectClose } from "./float-close.js";

const DAY = 86_400;
const HOUR = 3_600;

function meanSd(xs: ArrayLike<number>): [number, number] {
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) * (xs[i] - m);
  return [m, Math.sqrt(v / (xs.length - 1))];
}

function logReturns(path: Float64Array): Float64Array {
  const out = new Float64Array(path.length - 1);
  for (let i = 1; i < path.length; i++) out[i - 1] = Math.log(path[i] / path[i - 1]);
  return out;
}

function correlation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [ma, sa] = meanSd(a);
  const [mb, sb] = meanSd(b);
  let c = 0;
  for (let i = 0; i < a.length; i++) c += (a[i] - ma) * (b[i] - mb);
  return c / (a.length - 1) / (sa * sb);
}

/** Terminal prices of `paths` independent paths of `steps` steps of `dt` seconds. */
function terminal(params: GbmParams, seed: number, paths: number, steps: number, dt: number): Float64Array {
  const root = Rng.fromSeed(seed);
  const out = new Float64Array(paths);
  for (let p = 0; p < paths; p++) {
    const rng = root.fork(`path-${p}`);
    const proc = new GbmProcess(params, rng.fork("jumps"));
    const path = samplePath(proc, rng, steps, dt);
    out[p] = path[steps];
  }
  return out;
}

describe("simulations/markets/processes", function () {
  describe("GBM with Merton jumps", function () {
    it("drift and volatility match over many paths (log return mean mu - sigma^2/2, sd sigma)", function () {
      const params = { initialPrice: 100, muPerYear: 0.1, sigmaPerYear: 0.8 };
      const n = 20_000;
      const st = terminal(params, 11, n, 4, SECONDS_PER_YEAR / 4);
      const logs = Array.from(st, (s) => Math.log(s / 100));
      const [m, sd] = meanSd(logs);
      // standard errors: 0.8 / sqrt(20000) = 0.0057 for the mean, 0.004 for the sd
      expectClose(m, 0.1 - 0.32, 0.025);
      expectClose(sd, 0.8, 0.02);
      const [meanPrice] = meanSd(st);
      expectClose(meanPrice / 100, Math.exp(0.1), 0.04);
    });

    it("per-step volatility of a long hourly path is sigma * sqrt(dt)", function () {
      const rng = Rng.fromSeed(12);
      const proc = new GbmProcess({ initialPrice: 2000, muPerYear: 0, sigmaPerYear: 0.6 }, rng.fork("jumps"));
      const r = logReturns(samplePath(proc, rng, 50_000, HOUR));
      const [, sd] = meanSd(r);
      expectClose(sd, 0.6 * Math.sqrt(HOUR / SECONDS_PER_YEAR), 0.0002);
      expect(proc.time).to.equal(50_000 * HOUR);
    });

    it("jumps occur at the configured intensity and the drift is compensated", function () {
      const rng = Rng.fromSeed(13);
      const jumps = { intensityPerYear: 50, meanLog: -0.1, sdLog: 0.05 };
      const proc = new GbmProcess(
        { initialPrice: 100, muPerYear: 0, sigmaPerYear: 0.3, jumps },
        rng.fork("jumps"),
      );
      let count = 0;
      const steps = 100 * 365; // 100 years of days: 5,000 jumps expected
      for (let i = 0; i < steps; i++) {
        proc.step(DAY, rng.normal());
        count += proc.lastJumps;
      }
      expect(count).to.be.within(5000 - 4 * Math.sqrt(5000), 5000 + 4 * Math.sqrt(5000));

      // E[S_T] = S_0 e^{mu T} even with large negative jumps (compensated drift)
      const st = terminal(
        { initialPrice: 100, muPerYear: 0.05, sigmaPerYear: 0.3, jumps },
        14,
        10_000,
        12,
        SECONDS_PER_YEAR / 12,
      );
      const [meanPrice] = meanSd(st);
      expectClose(meanPrice / 100, Math.exp(0.05), 0.03);
      // and the jumps make the left tail heavier than the diffusion alone
      const noJumps = terminal(
        { initialPrice: 100, muPerYear: 0.05, sigmaPerYear: 0.3 },
        14,
        10_000,
        12,
        SECONDS_PER_YEAR / 12,
      );
      const below50 = (xs: Float64Array) => xs.filter((x) => x < 50).length;
      expect(below50(st)).to.be.greaterThan(2 * below50(noJumps));
    });

    it("zero intensity gives no jumps; invalid parameters are rejected", function () {
      const rng = Rng.fromSeed(15);
      const proc = new GbmProcess(
        {
          initialPrice: 1,
          muPerYear: 0,
          sigmaPerYear: 0.5,
          jumps: { intensityPerYear: 0, meanLog: -1, sdLog: 0 },
        },
        rng,
      );
      for (let i = 0; i < 1000; i++) {
        proc.step(DAY, rng.normal());
        expect(proc.lastJumps).to.equal(0);
      }
      expect(() => new GbmProcess({ initialPrice: 0, muPerYear: 0, sigmaPerYear: 0.5 }, rng)).to.throw(
        RangeError,
        "initialPrice",
      );
      expect(() => new GbmProcess({ initialPrice: 1, muPerYear: 0, sigmaPerYear: -1 }, rng)).to.throw(
        RangeError,
        "sigmaPerYear",
      );
      expect(() => proc.step(0, 0)).to.throw(RangeError, "dtSeconds");
    });
  });

  describe("regime-switching volatility", function () {
    it("spends time in each regime in proportion to its mean duration, with that regime's volatility", function () {
      const rng = Rng.fromSeed(21);
      const proc = new RegimeProcess(
        {
          initialPrice: 2000,
          regimes: [
            { name: "calm", sigmaPerYear: 0.4, meanDurationSeconds: 3 * DAY },
            { name: "stressed", sigmaPerYear: 1.6, meanDurationSeconds: DAY },
          ],
        },
        rng.fork("regime"),
      );
      const byRegime: number[][] = [[], []];
      let switches = 0;
      let prev = proc.regime;
      for (let i = 0; i < 200_000; i++) {
        const r = proc.regime;
        const before = proc.price;
        proc.step(HOUR, rng.normal());
        byRegime[r].push(Math.log(proc.price / before));
        if (proc.regime !== prev) switches++;
        prev = proc.regime;
      }
      const share = byRegime[0].length / 200_000;
      expectClose(share, 0.75, 0.03);
      // about one switch per 2 days on average: 200,000 hours / 48 = 4,167 switches
      expect(switches).to.be.within(3_900, 4_450);
      const unit = Math.sqrt(HOUR / SECONDS_PER_YEAR);
      expectClose(meanSd(byRegime[0])[1], 0.4 * unit, 0.02 * 0.4 * unit);
      expectClose(meanSd(byRegime[1])[1], 1.6 * unit, 0.02 * 1.6 * unit);
      expect(["calm", "stressed"]).to.include(proc.regimeName);
    });

    it("rejects a regime with no way out and a bad initial regime", function () {
      const rng = Rng.fromSeed(22);
      const regimes = [
        { name: "a", sigmaPerYear: 0.4, meanDurationSeconds: DAY },
        { name: "b", sigmaPerYear: 0.8, meanDurationSeconds: DAY },
      ];
      expect(
        () =>
          new RegimeProcess(
            {
              initialPrice: 1,
              regimes,
              transitions: [
                [1, 0],
                [1, 0],
              ],
            },
            rng,
          ),
      ).to.throw(RangeError, "transitions[0]");
      expect(() => new RegimeProcess({ initialPrice: 1, regimes, initialRegime: 2 }, rng)).to.throw(
        RangeError,
        "initialRegime",
      );
    });
  });

  describe("correlated assets", function () {
    it("the correlation of log returns is close to the target", function () {
      const rng = Rng.fromSeed(31);
      const assets = ["ETH", "BTC"];
      const model = new MarketPriceModel(
        assets,
        [
          new GbmProcess({ initialPrice: 2000, muPerYear: 0, sigmaPerYear: 0.7 }, rng.fork("ETH")),
          new GbmProcess({ initialPrice: 40000, muPerYear: 0, sigmaPerYear: 0.5 }, rng.fork("BTC")),
        ],
        rng.fork("normals"),
        correlationMatrix(assets, [{ assets: ["BTC", "ETH"], rho: 0.8 }]),
      );
      const n = 20_000;
      const eth = new Float64Array(n + 1);
      const btc = new Float64Array(n + 1);
      [eth[0], btc[0]] = model.current();
      for (let i = 1; i <= n; i++) [eth[i], btc[i]] = model.step(HOUR);
      // standard error of the estimate about (1 - rho^2) / sqrt(n) = 0.0025
      expectClose(correlation(logReturns(eth), logReturns(btc)), 0.8, 0.015);
      expectClose(meanSd(logReturns(btc))[1], 0.5 * Math.sqrt(HOUR / SECONDS_PER_YEAR), 0.0001);
    });

    it("three-asset correlated normals reproduce the matrix", function () {
      const m = [
        [1, 0.5, -0.3],
        [0.5, 1, 0.2],
        [-0.3, 0.2, 1],
      ];
      const normals = new CorrelatedNormals(m, Rng.fromSeed(32));
      const cols = [new Float64Array(30_000), new Float64Array(30_000), new Float64Array(30_000)];
      for (let i = 0; i < 30_000; i++) {
        const z = normals.draw();
        for (let k = 0; k < 3; k++) cols[k][i] = z[k];
      }
      for (let i = 0; i < 3; i++) {
        expectClose(meanSd(cols[i])[1], 1, 0.015);
        for (let j = i + 1; j < 3; j++) expectClose(correlation(cols[i], cols[j]), m[i][j], 0.02);
      }
    });

    it("rejects matrices that are not positive definite, not symmetric, or name unknown assets", function () {
      expect(() =>
        cholesky([
          [1, 0.9, 0.9],
          [0.9, 1, -0.9],
          [0.9, -0.9, 1],
        ]),
      ).to.throw(RangeError, "positive definite");
      expect(() =>
        cholesky([
          [1, 0.5],
          [0.4, 1],
        ]),
      ).to.throw(RangeError, "symmetric");
      expect(() => correlationMatrix(["ETH"], [{ assets: ["ETH", "SOL"], rho: 0.5 }])).to.throw(
        RangeError,
        "unknown asset",
      );
      expect(() => correlationMatrix(["ETH", "BTC"], [{ assets: ["ETH", "BTC"], rho: 1 }])).to.throw(
        RangeError,
        "(-1, 1)",
      );
    });
  });

  describe("scripted shocks", function () {
    it("drops X% over T, holds, then rebounds a fraction of the drop", function () {
      const shock = shockPath({
        atSeconds: 7200,
        drop: 0.3,
        overSeconds: 600,
        holdSeconds: 600,
        rebound: 0.5,
        reboundSeconds: 3600,
      });
      expect(shock.factorAt(0)).to.equal(1);
      expect(shock.factorAt(7200)).to.equal(1);
      expectClose(shock.factorAt(7500), Math.sqrt(0.7), 1e-12); // log-linear: halfway in log terms
      expectClose(shock.factorAt(7800), 0.7, 1e-12);
      expectClose(shock.factorAt(8400), 0.7, 1e-12);
      expectClose(shock.factorAt(12000), 0.85, 1e-12);
      expectClose(shock.factorAt(1e9), 0.85, 1e-12);
    });

    it("overlays shocks on a process in MarketPriceModel and follows scripted keyframes", function () {
      const rng = Rng.fromSeed(41);
      const model = new MarketPriceModel(
        ["ETH"],
        [new ScriptedProcess(2000, [{ atSeconds: 3600, factor: 1.1 }])],
        rng,
        undefined,
        [[{ atSeconds: 3600, drop: 0.3, overSeconds: 600 }]],
      );
      const prices: number[] = [model.current()[0]];
      for (let i = 0; i < 120; i++) prices.push(model.step(60)[0]);
      expect(prices[0]).to.equal(2000);
      expectClose(prices[60], 2200, 1e-9);
      expectClose(prices[70], 2200 * 0.7, 1e-9);
      expectClose(prices[120], 2200 * 0.7, 1e-9);
      expect(
        () =>
          new KeyframePath([
            { atSeconds: 10, factor: 1 },
            { atSeconds: 5, factor: 1 },
          ]),
      ).to.throw(RangeError, "time order");
    });
  });

  describe("determinism", function () {
    function run(seed: number): Float64Array[] {
      const rng = Rng.fromSeed(seed);
      const assets = ["ETH", "BTC"];
      const model = new MarketPriceModel(
        assets,
        [
          new GbmProcess(
            {
              initialPrice: 2000,
              muPerYear: 0,
              sigmaPerYear: 0.7,
              jumps: { intensityPerYear: 200, meanLog: -0.03, sdLog: 0.02 },
            },
            rng.fork("ETH"),
          ),
          new RegimeProcess(
            {
              initialPrice: 40000,
              regimes: [
                { name: "calm", sigmaPerYear: 0.4, meanDurationSeconds: DAY },
                { name: "wild", sigmaPerYear: 1.2, meanDurationSeconds: HOUR },
              ],
            },
            rng.fork("BTC"),
          ),
        ],
        rng.fork("normals"),
        correlationMatrix(assets, [{ assets: ["ETH", "BTC"], rho: 0.6 }]),
        [[{ atSeconds: 3000, drop: 0.2, overSeconds: 600, rebound: 0.3, reboundSeconds: 600 }], []],
      );
      const out: Float64Array[] = [];
      for (let i = 0; i < 500; i++) out.push(model.step(60));
      return out;
    }

    it("same seed gives identical arrays; different seeds differ", function () {
      expect(run(99)).to.deep.equal(run(99));
      expect(run(99)).to.not.deep.equal(run(100));
    });
  });
});
