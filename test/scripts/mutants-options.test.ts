import { expect } from "chai";
import { readFileSync } from "node:fs";

import { MUTANTS, type Mutant } from "../../scripts/mutants/mutants.js";
import { applyMutant, parseSuiteIds, SUITE_IDS, suitesToRun } from "../../scripts/mutants/run.js";

const byId = (id: string): Mutant => {
  const m = MUTANTS.find((x) => x.id === id);
  if (m === undefined) throw new Error(`no mutant ${id}`);
  return m;
};

describe("test:mutants options", function () {
  it("--suites takes comma or space separated ids, once each", function () {
    expect(parseSuiteIds(["unit:clearinghouse,unit:ch-perps", "property unit:clearinghouse"])).to.deep.equal([
      "unit:clearinghouse",
      "unit:ch-perps",
      "property",
    ]);
  });

  it("--suites refuses an unknown or empty value, naming it and the valid ids", function () {
    expect(() => parseSuiteIds(["unit:clearinghouse,unit:nope"])).to.throw(
      new RegExp(`unknown suite\\(s\\): unit:nope; valid suite ids: ${SUITE_IDS.join(", ")}`),
    );
    expect(() => parseSuiteIds([" , "])).to.throw(/--suites names no suite/);
  });

  it("keeps a mutant's own suites in its order, or runs exactly the named ones with --force-suites", function () {
    const m = byId("reduce-needs-oracle");
    expect(suitesToRun(m)).to.deep.equal(["property", "invariant", "unit:clearinghouse"]);
    expect(suitesToRun(m, ["unit:clearinghouse", "property"])).to.deep.equal([
      "property",
      "unit:clearinghouse",
    ]);
    // a mutant that names none of them has nothing to run (the runner skips it)
    expect(suitesToRun(m, ["unit:oracle"])).to.deep.equal([]);
    expect(suitesToRun(m, ["unit:oracle", "property"], true)).to.deep.equal(["unit:oracle", "property"]);
  });

  it("every mutant names a suite other than the property and invariant suites (its deterministic backstop)", function () {
    for (const m of MUTANTS) {
      if (m.gap !== undefined) continue;
      const backstops = suitesToRun(m).filter((s) => s !== "property" && s !== "invariant");
      expect(backstops.length, m.id).to.be.greaterThan(0);
    }
  });

  it("applies a mutant as an exact, single replacement", function () {
    const m: Mutant = { id: "x", title: "x", breaks: [], file: "f.sol", search: "a < b", replace: "a <= b" };
    expect(applyMutant("if (a < b) x;", m)).to.equal("if (a <= b) x;");
    expect(() => applyMutant("if (a < b || a < b) x;", m)).to.throw(/occurs 2 times in f\.sol/);
    expect(() => applyMutant("nothing here", m)).to.throw(/occurs 0 times in f\.sol/);
  });

  it("every mutant still applies to its contract (its search text occurs exactly once)", function () {
    // a refactor that moves or rewrites the mutated line must update the registry in the same
    // change; before this test, two mutants had silently stopped applying for a session
    const stale = MUTANTS.filter((m) => {
      try {
        applyMutant(readFileSync(m.file, "utf8"), m);
        return false;
      } catch {
        return true;
      }
    }).map((m) => m.id);
    expect(stale).to.deep.equal([]);
  });
});
