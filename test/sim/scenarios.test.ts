import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Rng } from "../../simulations/rng.js";
import { mean, sample } from "../../simulations/scenarios/distributions.js";
import {
  listScenarios,
  loadScenario,
  loadScenarioFile,
  scenarioPath,
} from "../../simulations/scenarios/load.js";
import {
  ScenarioError,
  parseScenario,
  scenarioAssets,
  type Distribution,
} from "../../simulations/scenarios/schema.js";
import { expectClose } from "./float-close.js";

const SHIPPED = [
  "black-thursday-2020",
  "correlated-crash",
  "flash-crash",
  "ftx-2022",
  "liquidity-drought",
  "luna-2022",
  "oracle-freeze",
];

type Json = Record<string, unknown>;

/** A deep copy of a shipped scenario's JSON, for breaking. */
function shippedJson(name: string): Json {
  return JSON.parse(readFileSync(scenarioPath(name), "utf8")) as Json;
}

/** Sets `obj[path]` (dotted, numeric parts index arrays); `undefined` deletes. */
function set(obj: Json, path: string, value: unknown): Json {
  const parts = path.split(".");
  let cur: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) cur = cur[p] as Record<string, unknown>;
  const last = parts[parts.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return obj;
}

describe("simulations/scenarios", function () {
  let tmp: string;
  before(function () {
    tmp = mkdtempSync(join(tmpdir(), "ballast-scenarios-"));
  });
  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("ships the seven scenarios, and every one loads with its own name", function () {
    expect(listScenarios()).to.deep.equal(SHIPPED);
    for (const name of SHIPPED) {
      const s = loadScenario(name);
      expect(s.name).to.equal(name);
      expect(s.steps.count).to.be.greaterThan(0);
      expect(s.description.length).to.be.greaterThan(20);
      expect(scenarioAssets(s).length).to.be.greaterThan(0);
    }
  });

  it("fills defaults and normalises steps.durationSeconds into steps.count", function () {
    const s = loadScenario("flash-crash");
    expect(s.steps).to.deep.equal({ seconds: 12, count: 1800 });
    expect(s.marginMode).to.equal("dynamic");
    expect(s.oracle.deviationBps).to.equal(50);
    expect(s.oracle.failures).to.deep.equal([]);
    expect(s.shocks[0].holdSeconds).to.equal(600);
    expect(s.blockTimeSeconds).to.equal(12);
    const freeze = loadScenario("oracle-freeze");
    expect(freeze.oracle.failures).to.deep.equal([{ kind: "freeze", fromSeconds: 5400, toSeconds: 12600 }]);
  });

  it("loads from any path, giving the same scenario as by name", function () {
    const path = join(tmp, "my-copy.json");
    writeFileSync(path, readFileSync(scenarioPath("correlated-crash")));
    const loaded = loadScenarioFile(path);
    expect(loaded.path).to.equal(path);
    expect(loaded.scenario).to.deep.equal(loadScenario("correlated-crash"));
  });

  /** Writes `json` to a temp file and returns the error message of loading it. */
  function errorOf(json: Json | string, file = "broken.json"): string {
    const path = join(tmp, file);
    writeFileSync(path, typeof json === "string" ? json : JSON.stringify(json, null, 2));
    try {
      loadScenario(path);
    } catch (e) {
      expect(e).to.be.instanceOf(ScenarioError);
      return (e as Error).message;
    }
    return expect.fail("the broken scenario loaded");
  }

  it("a broken copy fails with an error that names the file and the field", function () {
    const file = join(tmp, "broken.json");
    const cases: [string, unknown, string][] = [
      ["steps.count", 0, "steps.count: expected a positive integer"],
      ["steps.count", 2.5, "steps.count: expected a positive integer"],
      ["steps.count", "ten", "steps.count: expected a positive integer"],
      ["steps.seconds", undefined, "steps.seconds: required: expected a positive integer"],
      [
        "assets.ETH.process.kind",
        "levy",
        "assets.ETH.process.kind: expected kind gbm | regime | correlated | scripted | replay",
      ],
      ["assets.ETH.process.sigmaPerYear", -0.1, "assets.ETH.process.sigmaPerYear: expected a number >= 0"],
      ["assets.ETH.initialPrice", undefined, "assets.ETH.initialPrice: required: expected a positive number"],
      ["shocks.0.drop", 1.5, "shocks[0].drop: expected a fraction in (0, 1)"],
      ["shocks.0.assets", ["ETH", "SOL"], "shocks[0].assets[1]: expected an asset: ETH | BTC"],
      ["pools.BTC", undefined, "pools.BTC: required for asset BTC: expected a pool"],
      ["pools.ETH.feeBps", 25, "pools.ETH.feeBps: expected a Uniswap v3 fee tier: 1 | 5 | 30 | 100"],
      ["gas", { kind: "constant", gwei: -1 }, "gas.gwei: expected a number >= 0"],
      [
        "oracle.failures",
        [{ kind: "freeze", fromSeconds: 100, toSeconds: 50 }],
        "oracle.failures[0].toSeconds: expected a time after fromSeconds",
      ],
      [
        "accounts.collateralUsd",
        { kind: "pareto" },
        "accounts.collateralUsd.kind: expected a distribution with kind constant | uniform | lognormal | beta",
      ],
      ["assets.ETH.initalPrice", 2000, "assets.ETH.initalPrice: unknown field"],
      ["assets.BTC.process.with", "BTC", "assets.BTC.process.with: expected another asset"],
      ["name", "Flash Crash", "name: expected a name in lower-case letters, digits and dashes"],
    ];
    for (const [path, value, expected] of cases) {
      const message = errorOf(set(shippedJson("flash-crash"), path, value));
      expect(message, `breaking ${path}`).to.include(`scenario ${file}: ${expected}`);
    }
  });

  it("cross-field checks: steps, replays, correlations, regimes", function () {
    const file = join(tmp, "broken.json");
    const both = set(shippedJson("flash-crash"), "steps.count", 100);
    expect(errorOf(both)).to.include(
      `scenario ${file}: steps.durationSeconds: expected count * seconds = 1200, or only one of them`,
    );
    const neither = set(shippedJson("flash-crash"), "steps.durationSeconds", undefined);
    expect(errorOf(neither)).to.include("steps.count: required: give steps.count or steps.durationSeconds");
    const replay = set(shippedJson("luna-2022"), "assets.ETH.process.from", undefined);
    expect(errorOf(replay)).to.include("assets.ETH.process.from: required for an hourly replay");
    const dup = set(shippedJson("flash-crash"), "correlations", [{ assets: ["BTC", "ETH"], rho: 0.5 }]);
    expect(errorOf(dup)).to.include(
      "correlations[0]: correlation BTC/ETH is also given at assets.BTC.process.rho",
    );
    const regime = set(shippedJson("correlated-crash"), "assets.ETH.process.initialRegime", 5);
    expect(errorOf(regime)).to.include("assets.ETH.process.initialRegime: expected an index below 2");
    const many = set(set(shippedJson("flash-crash"), "steps.count", -1), "gas.gwei", "x");
    const lines = errorOf(many).split("\n");
    expect(lines.length).to.be.at.least(2);
    for (const l of lines) expect(l.startsWith(`scenario ${file}: `)).to.equal(true);
  });

  it("refuses a calendar date or time that does not exist, naming the field (start, replay from, stress-day and gas date)", function () {
    // the schema used to check only the shape (\d{4}-\d{2}-\d{2}): `start: 2022-02-30...` ran
    // with NaN timestamps and `from: 2022-02-30...` failed deep in CexReference ("initialPrice
    // must be > 0, got NaN"), neither naming the field
    const problems = (json: Json): { path: string; message: string }[] => {
      try {
        parseScenario(json, "dates.json");
      } catch (e) {
        expect(e).to.be.instanceOf(ScenarioError);
        return [...(e as ScenarioError).problems];
      }
      expect.fail("the scenario was accepted");
    };
    expect(problems(set(shippedJson("ftx-2022"), "start", "2022-02-30T00:00:00Z"))).to.deep.equal([
      { path: "start", message: "expected a UTC time that exists, got 2022-02-30T00:00:00Z" },
    ]);
    expect(problems(set(shippedJson("ftx-2022"), "start", "2022-02-28T24:00Z"))[0].path).to.equal("start");
    expect(
      problems(set(shippedJson("ftx-2022"), "assets.ETH.process.from", "2021-02-29T00:00:00Z")),
    ).to.deep.equal([
      {
        path: "assets.ETH.process.from",
        message: "expected a UTC time that exists, got 2021-02-29T00:00:00Z",
      },
    ]);
    expect(problems(set(shippedJson("black-thursday-2020"), "gas.date", "2020-02-30"))).to.deep.equal([
      { path: "gas.date", message: "expected a calendar date that exists, got 2020-02-30" },
    ]);
    expect(
      problems(set(shippedJson("black-thursday-2020"), "assets.ETH.process.date", "2020-03-32")).map(
        (p) => p.path,
      ),
    ).to.deep.equal(["assets.ETH.process.date"]);
    // a wrong shape is still one problem, and real dates (a leap day) pass
    expect(problems(set(shippedJson("ftx-2022"), "start", "2022-2-3"))).to.deep.equal([
      { path: "start", message: "expected a UTC time like 2022-05-07T00:00:00Z" },
    ]);
    expect(parseScenario(set(shippedJson("ftx-2022"), "start", "2024-02-29T23:59Z"), "x").start).to.equal(
      "2024-02-29T23:59Z",
    );
  });

  it("invalid JSON and unknown names are clear errors", function () {
    const file = join(tmp, "bad-json.json");
    expect(errorOf('{\n  "name": "x",\n  oops\n}', "bad-json.json")).to.match(
      new RegExp(`^scenario ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: invalid JSON: .*line 3`),
    );
    expect(() => loadScenario("no-such-scenario")).to.throw(
      ScenarioError,
      /no scenario named "no-such-scenario" \(shipped: black-thursday-2020,/,
    );
    expect(() => loadScenario(join(tmp, "missing.json"))).to.throw(ScenarioError, "file not found");
    expect(() => parseScenario([], "inline")).to.throw(ScenarioError, "scenario inline: ");
  });

  it("distributions sample with the documented means", function () {
    const rng = Rng.fromSeed(8);
    const dists: Distribution[] = [
      { kind: "constant", value: 3 },
      { kind: "uniform", min: 1, max: 5 },
      { kind: "lognormal", median: 100, sigmaLog: 0.5 },
      { kind: "beta", alpha: 5, beta: 2.5, min: 0.2, max: 0.98 },
      { kind: "beta", alpha: 0.5, beta: 0.5, min: 0, max: 1 },
    ];
    for (const d of dists) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += sample(d, rng);
      expectClose(sum / 20_000, mean(d), 0.02 * Math.abs(mean(d)) + 1e-9, d.kind);
    }
    const clamped = { kind: "lognormal", median: 100, sigmaLog: 2, min: 50, max: 150 } as const;
    for (let i = 0; i < 1000; i++) expect(sample(clamped, rng)).to.be.within(50, 150);
  });
});
