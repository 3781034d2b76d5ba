/**
 * Model-based property tests of liquidation on the full deployed system (fast-check): random
 * sequences of borrower actions, oracle moves and failures (primary zero, out of bounds, stale;
 * secondary deviation; sequencer down and its grace period: the system gets a secondary feed and
 * a sequencer feed, SUITE_ORACLE), time, liquidations (single, batch, self), auction takes (with
 * and without a callback), redos, guardian and timelock actions and breaker triggers (episodes
 * at a raised level, rolled back: global level 2; an asset's own level 2 meeting a liquidation of
 * its holder, then level 3 meeting a take of its auction), against a bigint model
 * (model/liquidation.ts on top of model/ledger.ts). After every command the model agrees with
 * the chain (oracle status and breaker triggers included) and I1, I2, I5, I7, I8, I11, I12, I13
 * hold (model/liqchecks.ts, commands/liquidation.ts). Intensity and replay: config.ts (FC_RUNS,
 * FC_MAX_COMMANDS, FC_SEED, FC_PATH; the default here is 10 sequences).
 */
import fc from "fast-check";

import { liquidationCommands } from "./commands/liqindex.js";
import { newLiqStats, selfLiquidationFindings, type LiqBox, type LiqReal } from "./commands/liquidation.js";
import { propertyConfig, replayCommand } from "./config.js";
import { checkLiq } from "./model/liqchecks.js";
import { cloneLiq } from "./model/liquidation.js";
import { restore } from "./model/chain.js";
import { SUITE_ORACLE, deployLiqSystem } from "./model/liqsystem.js";

const DEFAULT_RUNS = 10;

describe("liquidation properties (fast-check, model-based, full system)", function () {
  this.timeout(0);

  it("the model agrees with the chain and I1, I2, I7, I8, I11, I12, I13 hold after every command", async function () {
    const cfg = propertyConfig();
    const numRuns =
      process.env.FC_RUNS === undefined || process.env.FC_RUNS === "" ? DEFAULT_RUNS : cfg.numRuns;
    const sys = await deployLiqSystem({
      oracle: SUITE_ORACLE,
      mutate: (p) => {
        // caps and a velocity trigger that sequences of this size can reach
        p.liquidation.windowCapacityUsd = "150000";
        p.liquidation.maxTabInFlightUsd = "250000";
        for (const a of p.assets) a.auction.tabCapUsd = "120000";
        p.breaker.velocityCapacityUsd = "100000";
      },
    });
    const stats = newLiqStats();
    const started = performance.now();
    let sequences = 0;
    const property = fc.asyncProperty(
      fc.commands(liquidationCommands(), {
        maxCommands: cfg.maxCommands,
        size: "max",
        replayPath: cfg.replayPath,
      }),
      async (cmds) => {
        sequences++;
        await restore(sys);
        const model: LiqBox = { s: cloneLiq(sys.initial) };
        const real: LiqReal = { sys, mem: { lastRateIndexRay: 10n ** 27n, checks: 0 }, stats };
        await checkLiq(sys, model.s, real.mem);
        await fc.asyncModelRun(() => ({ model, real }), cmds);
      },
    );
    const details = await fc.check(property, {
      seed: cfg.seed,
      path: cfg.path,
      numRuns,
      endOnFailure: cfg.path !== undefined,
    });
    const seconds = (performance.now() - started) / 1000;
    const fmt = (m: Map<string, number>) =>
      [...m.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(", ");
    console.log(
      `    ${sequences} sequences, ${stats.commands} commands, ${stats.transactions} transactions in ${seconds.toFixed(1)} s; seed ${cfg.seed}`,
    );
    console.log(`    commands: ${fmt(stats.byCommand)}`);
    console.log(`    outcomes: ${fmt(stats.outcomes)}`);
    console.log(`    predicted reverts: ${fmt(stats.reverts)}`);
    console.log(`    oracle status per asset after each command: ${fmt(stats.oracle)}`);
    console.log(`    reached: ${fmt(stats.reach) || "none"}`);
    if (selfLiquidationFindings.length > 0) {
      console.log(
        `    known finding: ${selfLiquidationFindings.length} self-liquidation(s) of an account with equity below the kick reward gained it (first: ${selfLiquidationFindings[0]})`,
      );
    }
    if (details.failed) {
      const shown = details.counterexample === null ? "" : fc.stringify(details.counterexample);
      const replayPath = /replayPath="([^"]*)"/.exec(shown)?.[1];
      // the replay needs the same sequence length; run only this file
      const replay = replayCommand(details.seed, details.counterexamplePath ?? "", replayPath).replace(
        "npm run test:property",
        `FC_MAX_COMMANDS=${cfg.maxCommands} npx hardhat test mocha test/property/liquidation.property.test.ts`,
      );
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
