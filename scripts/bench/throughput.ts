/**
 * Throughput of the two fuzzing suites, for `npm run bench` (rows `propertyCommandsPerSec`,
 * `invariantCallsPerSec`), with a short fixed run of each:
 *
 * - propertyCommandsPerSec: in-process. Deploys the property suite's system
 *   (test/property/model/system.ts) on an in-process chain and runs the same fast-check property
 *   as test/property/ledger.property.test.ts (every command: the transaction, the model, the
 *   wei-exact comparison and all the checks) for PROPERTY_RUNS sequences of up to
 *   PROPERTY_MAX_COMMANDS commands from the suite's fixed seed; commands executed / seconds of the
 *   check (deployment excluded; the chain restore between sequences included).
 * - invariantCallsPerSec: spawns `hardhat test solidity test/invariant/LedgerInvariants.t.sol` twice,
 *   at two fixed intensities (runs x depth handler calls), and divides the extra calls of the
 *   larger run by its extra seconds: the fuzzer's marginal rate, with Hardhat's start-up and the
 *   compilation check (the same in both runs) cancelled out. Every handler call is followed by
 *   `invariant_ledger` (I1-I6, I10-I12), as in `npm run test:invariant`.
 *
 * Both use fixed seeds, so the work is the same from run to run; the time is the machine's.
 * Standalone: `npx node --import tsx scripts/bench/throughput.ts` (npx: the Node 22 Hardhat needs, from node_modules).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import fc from "fast-check";

import type { ModelBox, RealSystem } from "../../test/property/commands/base.js";
import type { GasRow } from "./gas.js";

export const THROUGHPUT_ROWS: readonly GasRow[] = [
  {
    key: "propertyCommandsPerSec",
    operation: "property suite: commands per second (fast-check, model + checks, in-process)",
    anchor: "-",
  },
  {
    key: "invariantCallsPerSec",
    operation: "invariant suite: handler calls per second (Solidity fuzzer, marginal)",
    anchor: "-",
  },
];

/** The fixed intensities. */
export const PROPERTY_RUNS = 20;
export const PROPERTY_MAX_COMMANDS = 25;
export const INVARIANT_SMALL = { runs: 2, depth: 100 } as const;
export const INVARIANT_LARGE = { runs: 10, depth: 200 } as const;

export interface ThroughputDetails {
  property: { sequences: number; commands: number; seconds: number };
  invariant: { smallSeconds: number; largeSeconds: number; extraCalls: number };
}

/** Commands per second of the ledger property (in-process, deployment excluded). */
export async function measurePropertyThroughput(
  runs = PROPERTY_RUNS,
  maxCommands = PROPERTY_MAX_COMMANDS,
): Promise<ThroughputDetails["property"]> {
  const { RAY } = await import("../../simulations/math/wad.js");
  const { ledgerCommands } = await import("../../test/property/commands/index.js");
  const { newStats } = await import("../../test/property/commands/base.js");
  const { DEFAULT_SEED } = await import("../../test/property/config.js");
  const { checkAll } = await import("../../test/property/model/checks.js");
  const { cloneState } = await import("../../test/property/model/state.js");
  const { deployPropertySystem, restore } = await import("../../test/property/model/system.js");

  const sys = await deployPropertySystem();
  const stats = newStats();
  let sequences = 0;
  const property = fc.asyncProperty(
    fc.commands(ledgerCommands(), { maxCommands, size: "max" }),
    async (cmds) => {
      sequences++;
      await restore(sys);
      const model: ModelBox = { s: cloneState(sys.initialState) };
      const real: RealSystem = { sys, mem: { lastRateIndexRay: RAY, checks: 0 }, stats };
      await checkAll(sys, model.s, real.mem);
      await fc.asyncModelRun(() => ({ model, real }), cmds);
    },
  );
  const started = performance.now();
  const details = await fc.check(property, { seed: DEFAULT_SEED, numRuns: runs });
  const seconds = (performance.now() - started) / 1000;
  if (details.failed) {
    throw new Error(`the ledger property failed while measuring throughput: run npm run test:property`);
  }
  return { sequences, commands: stats.commands, seconds };
}

function hardhatBin(root: string): string {
  const local = resolve(root, "node_modules/.bin/hardhat");
  return existsSync(local) ? local : "hardhat";
}

/** Runs `hardhat <args>` in `root` with extra env; resolves with its wall time in seconds. */
function timedHardhat(root: string, args: readonly string[], env: Record<string, string>): Promise<number> {
  const started = performance.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(hardhatBin(root), args, {
      cwd: root,
      env: {
        ...process.env,
        ...env,
        PATH: `${resolve(root, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise((performance.now() - started) / 1000);
      else reject(new Error(`hardhat ${args.join(" ")} exited ${code}:\n${out.slice(-2000)}`));
    });
  });
}

/** Marginal handler calls per second of the Solidity invariant campaign. */
export async function measureInvariantThroughput(
  root = process.cwd(),
): Promise<ThroughputDetails["invariant"]> {
  const file = "test/invariant/LedgerInvariants.t.sol";
  await timedHardhat(root, ["build", "--quiet"], {}); // contracts and Solidity tests up to date
  const at = (p: { runs: number; depth: number }): Promise<number> =>
    timedHardhat(root, ["test", "solidity", "--no-compile", file], {
      INVARIANT_RUNS: String(p.runs),
      INVARIANT_DEPTH: String(p.depth),
    });
  const smallSeconds = await at(INVARIANT_SMALL);
  const largeSeconds = await at(INVARIANT_LARGE);
  const extraCalls =
    INVARIANT_LARGE.runs * INVARIANT_LARGE.depth - INVARIANT_SMALL.runs * INVARIANT_SMALL.depth;
  return { smallSeconds, largeSeconds, extraCalls };
}

/** Both rows, rounded to 0.1; `details` receives the raw counts and times. */
export async function measureThroughput(
  details?: Partial<ThroughputDetails>,
): Promise<Record<string, number>> {
  const property = await measurePropertyThroughput();
  const invariant = await measureInvariantThroughput();
  if (details !== undefined) Object.assign(details, { property, invariant });
  const extraSeconds = invariant.largeSeconds - invariant.smallSeconds;
  return {
    propertyCommandsPerSec: Math.round((property.commands / property.seconds) * 10) / 10,
    invariantCallsPerSec: extraSeconds > 0 ? Math.round((invariant.extraCalls / extraSeconds) * 10) / 10 : 0,
  };
}

async function main(): Promise<void> {
  const details: Partial<ThroughputDetails> = {};
  const rows = await measureThroughput(details);
  const p = details.property;
  const i = details.invariant;
  if (p !== undefined) {
    console.log(
      `property: ${p.sequences} sequences, ${p.commands} commands in ${p.seconds.toFixed(1)} s -> propertyCommandsPerSec=${rows.propertyCommandsPerSec}`,
    );
  }
  if (i !== undefined) {
    console.log(
      `invariant: ${INVARIANT_SMALL.runs}x${INVARIANT_SMALL.depth} in ${i.smallSeconds.toFixed(1)} s, ` +
        `${INVARIANT_LARGE.runs}x${INVARIANT_LARGE.depth} in ${i.largeSeconds.toFixed(1)} s -> ` +
        `${i.extraCalls} extra calls: invariantCallsPerSec=${rows.invariantCallsPerSec}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
