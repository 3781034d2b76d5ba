/**
 * Model-based property tests of the ledger (fast-check): random sequences of protocol actions by
 * several actors and environment moves, run against the deployed system and a bigint reference
 * model; after every command the model agrees with the chain and the invariants that apply hold
 * (I1-I6, I10-I13, see model/checks.ts and commands/base.ts). Intensity and replay: config.ts.
 */
import fc from "fast-check";

import { RAY } from "../../simulations/math/wad.js";
import { ledgerCommands } from "./commands/index.js";
import { newStats, type ModelBox, type RealSystem } from "./commands/base.js";
import { propertyConfig, replayCommand } from "./config.js";
import { checkAll } from "./model/checks.js";
import { cloneState } from "./model/state.js";
import { restore } from "./model/chain.js";
import { deployPropertySystem } from "./model/system.js";

describe("ledger properties (fast-check, model-based)", function () {
  this.timeout(0);

  it("the model agrees with the chain and I1-I6, I10-I13 hold after every command", async function () {
    const cfg = propertyConfig();
    const sys = await deployPropertySystem();
    const stats = newStats();
    const started = performance.now();
    let sequences = 0;
    const property = fc.asyncProperty(
      fc.commands(ledgerCommands(), {
        maxCommands: cfg.maxCommands,
        size: "max",
        replayPath: cfg.replayPath,
      }),
      async (cmds) => {
        sequences++;
        await restore(sys);
        const model: ModelBox = { s: cloneState(sys.initialState) };
        const real: RealSystem = { sys, mem: { lastRateIndexRay: RAY, checks: 0 }, stats };
        await checkAll(sys, model.s, real.mem);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      },
    );
    const details = await fc.check(property, {
      seed: cfg.seed,
      path: cfg.path,
      numRuns: cfg.numRuns,
      endOnFailure: cfg.path !== undefined,
    });
    const seconds = (performance.now() - started) / 1000;
    const reverts = [...stats.reverts.entries()].sort((a, b) => b[1] - a[1]);
    console.log(
      `    ${sequences} sequences, ${stats.commands} commands, ${stats.transactions} transactions in ${seconds.toFixed(1)} s` +
        ` (propertyCommandsPerSec=${(stats.commands / seconds).toFixed(1)}); seed ${cfg.seed}`,
    );
    console.log(`    commands: ${[...stats.byCommand.entries()].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    console.log(`    predicted reverts: ${reverts.map(([k, v]) => `${k} ${v}`).join(", ")}`);
    if (details.failed) {
      const shown = details.counterexample === null ? "" : fc.stringify(details.counterexample);
      const replayPath = /replayPath="([^"]*)"/.exec(shown)?.[1];
      const replay = replayCommand(details.seed, details.counterexamplePath ?? "", replayPath);
      const cause =
        details.errorInstance instanceof Error
          ? details.errorInstance.message
          : String(details.errorInstance);
      throw new Error(
        `${fc.defaultReportMessage(details) ?? "property failed"}\n\nFailure: ${cause}\n\nReplay it with:\n  ${replay}\n`,
      );
    }
  });
});
