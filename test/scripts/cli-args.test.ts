/**
 * The user-facing commands refuse bad input with a message that names the problem, before any
 * slow work (no Hardhat load, no simulation): sim, sim:fidelity, bench, profile.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { FidelityHelp, main as fidelityMain, parseFidelityArgs } from "../../scripts/fidelity.js";
import { UsageError, checkOutDir, parseCli, removeStaleReport } from "../../simulations/cli.js";
import { loadScenarioFile } from "../../simulations/scenarios/load.js";
import { ScenarioError } from "../../simulations/scenarios/schema.js";

const SHIPPED = /shipped scenarios: black-thursday-2020, correlated-crash, flash-crash, ftx-2022/;

/** Runs a script with this Node and tsx; returns its exit code and output. */
function run(script: string, args: readonly string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  expect.fail("expected an error");
}

describe("command-line arguments (sim, sim:fidelity, bench, profile)", function () {
  this.timeout(20_000);
  const root = mkdtempSync(join(tmpdir(), "ballast-cliargs-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  describe("npm run sim", function () {
    it("refuses an empty --out (it would write into the current directory)", function () {
      const before = readdirSync(process.cwd());
      for (const out of ["", "  "]) {
        expect(() => parseCli(["--out", out])).to.throw(
          UsageError,
          /--out must name a directory \(it is empty\)/,
        );
        expect(() => checkOutDir(out)).to.throw(UsageError, /it is empty/);
      }
      expect(readdirSync(process.cwd())).to.deep.equal(before);
    });

    it("says 'positive integer' for --steps and --accounts", function () {
      const out = ["--out", join(root, "w")];
      for (const [flag, value] of [
        ["--steps", "-3"],
        ["--accounts", "1e3"],
        ["--steps", "0"],
        ["--accounts", "1.5"],
      ]) {
        expect(messageOf(() => parseCli([flag, value, ...out]))).to.contain(
          `${flag} must be a positive integer, got "${value}"`,
        );
      }
    });

    it("a directory or an empty scenario argument is a scenario error listing the shipped ones", function () {
      const dir = messageOf(() => loadScenarioFile(root));
      expect(dir).to.match(new RegExp(`^scenario .*: is a directory, not a scenario file; `));
      expect(dir).to.match(SHIPPED);
      expect(() => loadScenarioFile(root)).to.throw(ScenarioError);
      const empty = messageOf(() => loadScenarioFile(""));
      expect(empty).to.match(/^scenario "": no scenario given; /);
      expect(empty).to.match(SHIPPED);
      // through the command line: a usage error (exit code 2), not a stack
      expect(() => parseCli(["--scenario", root, "--out", join(root, "o")])).to.throw(
        UsageError,
        /is a directory/,
      );
      expect(() => parseCli(["--scenario", "", "--out", join(root, "o")])).to.throw(
        UsageError,
        /no scenario given/,
      );
    });

    it("a scenario file not found lists the shipped scenarios and the near name", function () {
      for (const arg of ["flash-crash.json", "Flash-Crash"]) {
        const m = messageOf(() => loadScenarioFile(arg));
        expect(m).to.contain("file not found");
        expect(m).to.match(SHIPPED);
        expect(m).to.contain('did you mean "flash-crash"?');
      }
      expect(messageOf(() => loadScenarioFile(join(root, "nope.json")))).to.not.contain("did you mean");
    });

    it("bad JSON gives its position once", function () {
      const file = join(root, "bad.json");
      writeFileSync(file, '{\n  "name": "x",\n,}');
      const m = messageOf(() => loadScenarioFile(file));
      expect(m).to.match(/invalid JSON: /);
      expect(m.match(/line 3/g)).to.have.length(1);
    });

    it("--no-report removes an earlier run's report and PNGs, nothing else", function () {
      const dir = join(root, "run");
      mkdirSync(join(dir, "charts"), { recursive: true });
      for (const f of ["summary.json", "metrics.csv", "report.html", "notes.txt"])
        writeFileSync(join(dir, f), "x");
      for (const f of ["prices.png", "health.png"]) writeFileSync(join(dir, "charts", f), "x");
      const removed = removeStaleReport(dir);
      expect(removed).to.deep.equal([join(dir, "report.html"), join(dir, "charts", "*.png")]);
      expect(readdirSync(dir).sort()).to.deep.equal(["metrics.csv", "notes.txt", "summary.json"]);
      // a charts folder with something else in it stays (only the PNGs go)
      mkdirSync(join(dir, "charts"));
      writeFileSync(join(dir, "charts", "a.png"), "x");
      writeFileSync(join(dir, "charts", "mine.svg"), "x");
      removeStaleReport(dir);
      expect(readdirSync(join(dir, "charts"))).to.deep.equal(["mine.svg"]);
      expect(removeStaleReport(join(root, "empty-run"))).to.deep.equal([]);
    });
  });

  describe("npm run sim:fidelity", function () {
    it("--help exits 0 (no error line)", async function () {
      const write = process.stdout.write.bind(process.stdout);
      const errors: unknown[] = [];
      const error = console.error;
      let printed = "";
      process.stdout.write = (s: string | Uint8Array) => {
        printed += String(s);
        return true;
      };
      console.error = (...a: unknown[]) => errors.push(a);
      try {
        expect(() => parseFidelityArgs(["--help"])).to.throw(FidelityHelp);
        expect(await fidelityMain(["--help"])).to.equal(0);
        expect(printed).to.contain("Usage: sim:fidelity [options]");
      } finally {
        process.stdout.write = write;
        console.error = error;
      }
      expect(errors).to.deep.equal([]);
    });

    it("checks --out before loading Hardhat", async function () {
      const file = join(root, "a-file");
      writeFileSync(file, "x");
      const started = Date.now();
      const errors: string[] = [];
      const error = console.error;
      console.error = (m: string) => errors.push(m);
      try {
        expect(await fidelityMain(["--out", join(file, "x")])).to.equal(2);
        expect(await fidelityMain(["--out", ""])).to.equal(2);
      } finally {
        console.error = error;
      }
      expect(errors[0]).to.match(/^sim:fidelity: --out .*a-file is not a directory/);
      expect(errors[1]).to.equal("sim:fidelity: --out must name a directory (it is empty)");
      expect(Date.now() - started).to.be.lessThan(2_000);
    });
  });

  describe("npm run bench / npm run profile", function () {
    it("bench: --compare with no gas rows, a second --, and the usage line", function () {
      const empty = join(root, "sim-only.json");
      writeFileSync(empty, '{"gas":{}}\n');
      const r = run("scripts/bench/run.ts", ["--compare", empty]);
      expect(r.code).to.equal(2);
      expect(r.err).to.contain(`bench: --compare ${empty}: has no gas rows to compare`);
      const dashes = run("scripts/bench/run.ts", ["--out", join(root, "b.json"), "--", "--no-sim"]);
      expect(dashes.code).to.equal(2);
      expect(dashes.err).to.contain("give one -- before all the options");
      const help = run("scripts/bench/run.ts", ["--help"]);
      expect(help.code).to.equal(0);
      expect(help.out).to.not.contain("[-- --no-sim");
      expect(help.out).to.contain("Usage: npm run bench [-- [--out <file.json>] [--no-sim | --sim-only]");
      expect(existsSync(join(root, "b.json"))).to.equal(false);
    });

    it("profile: --help prints the usage and the rows; an unknown row exits 2 at once", function () {
      const help = run("scripts/bench/profile.ts", ["--help"]);
      expect(help.code).to.equal(0);
      expect(help.out).to.contain("Usage: npm run profile [-- row ...]");
      expect(help.out).to.contain("liquidateBatchRecycled");
      const started = Date.now();
      const bad = run("scripts/bench/profile.ts", ["borow", "liquidate", "takeFul"]);
      expect(bad.code).to.equal(2);
      expect(bad.err).to.contain(
        'profile: unknown rows "borow", "takeFul"; valid rows: deposit, withdraw, borrow,',
      );
      expect(bad.out).to.equal("");
      expect(Date.now() - started).to.be.lessThan(8_000); // no Hardhat, no benchmark
    });
  });
});
