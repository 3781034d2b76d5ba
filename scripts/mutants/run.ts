/**
 * `npm run test:mutants [-- options]`: proof that the tests bite.
 *
 * For each mutant of scripts/mutants/mutants.ts (a deliberate bug, written as an exact
 * search/replace on one contract source), in a scratch copy of the working tree:
 *   1. restore the previous mutant's file, apply this mutant (exactly one match, or the run stops),
 *   2. build (a mutant that does not compile is an error, not a kill),
 *   3. run its killing suites in order (property, invariant, then any extra unit/e2e suite it
 *      names), stopping at the first suite that fails (all of them with --all-suites),
 * and records killed/survived with the first failing test. Prints a table and `N mutants, K killed`;
 * exits 1 if any mutant survives (or fails to compile).
 *
 * Before the mutants, a baseline run of the unmutated copy must pass every suite used (otherwise a
 * "kill" would mean nothing). Scratch copies live in $TMPDIR/ballast-mutants-*: the files git
 * knows in the working tree (tracked and untracked-not-ignored, uncommitted edits included) and
 * node_modules hard-linked; they are removed at the end unless --keep.
 *
 * `--suites <ids>` (comma or space separated suite ids of suites.ts) restricts each mutant's killing
 * suites to those named, kept in the mutant's own order: `--only repay-rounds-up --suites
 * unit:clearinghouse --no-baseline` asks whether the unit backstop alone kills it, without the slow
 * property and invariant suites. A mutant that names none of them is skipped with a message
 * ("skipped: names none of --suites") and is not counted; if every selected mutant is skipped the
 * run stops with an error (exit 2). `--force-suites` instead runs exactly the --suites (in the
 * order given) on every selected mutant, named or not: to try a suite as a new backstop before
 * adding it to the mutant's `suites`. An unknown suite id is an error naming it and the valid ids.
 * The baseline runs only the suites the selected mutants use.
 *
 * Intensity: the suites' own defaults (FC_RUNS=50 x FC_MAX_COMMANDS=25, INVARIANT_RUNS=16 x
 * INVARIANT_DEPTH=200, fixed seeds, so a run is reproducible); any of those variables set in the
 * environment is passed through.
 */
import { spawn, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
  copyFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Command, InvalidArgumentError } from "commander";

import { DEFAULT_SUITES, MUTANTS, type Mutant, type SuiteId } from "./mutants.js";
import { SUITES, firstFailure } from "./suites.js";

export type Outcome = "killed" | "survived" | "timeout";

export interface SuiteResult {
  suite: SuiteId;
  outcome: Outcome;
  seconds: number;
  test?: string;
  reason?: string;
  log: string;
}

export interface MutantResult {
  id: string;
  status: "killed" | "survived" | "compile-error";
  killedBy?: SuiteResult;
  suites: SuiteResult[];
  seconds: number;
  buildSeconds: number;
}

interface Options {
  only: string[];
  /** --suites: undefined when absent (every mutant runs its own suites). */
  suites?: SuiteId[];
  forceSuites: boolean;
  list: boolean;
  gaps: boolean;
  jobs: number;
  allSuites: boolean;
  baseline: boolean;
  keep: boolean;
  json?: string;
  timeout: number;
}

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), "../..");

// ---------------------------------------------------------------- applying a mutant

/** Occurrences of `needle` in `haystack` (non-overlapping). */
export function countOccurrences(haystack: string, needle: string): number {
  if (needle === "") return 0;
  let n = 0;
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** The mutated text of `source`; throws unless the search text occurs exactly once. */
export function applyMutant(source: string, m: Mutant): string {
  const n = countOccurrences(source, m.search);
  if (n !== 1) {
    throw new Error(
      `mutant ${m.id}: the search text occurs ${n} times in ${m.file} (must be exactly once; update scripts/mutants/mutants.ts)\n--- search ---\n${m.search}\n--------------`,
    );
  }
  const out = source.replace(m.search, () => m.replace);
  if (out === source) throw new Error(`mutant ${m.id}: the edit changes nothing`);
  return out;
}

export function suitesOf(m: Mutant): readonly SuiteId[] {
  return m.suites ?? DEFAULT_SUITES;
}

/** The valid suite ids (the keys of SUITES). */
export const SUITE_IDS: readonly SuiteId[] = Object.keys(SUITES) as SuiteId[];

/**
 * The suite ids of a `--suites` value (each item comma or space separated, duplicates dropped);
 * throws on an unknown id, naming it and the valid ids.
 */
export function parseSuiteIds(values: readonly string[]): SuiteId[] {
  const ids = [...new Set(values.flatMap((v) => v.split(/[,\s]+/)).filter((v) => v !== ""))];
  const unknown = ids.filter((id) => !(SUITE_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) {
    throw new Error(`unknown suite(s): ${unknown.join(", ")}; valid suite ids: ${SUITE_IDS.join(", ")}`);
  }
  if (ids.length === 0) throw new Error(`--suites names no suite; valid suite ids: ${SUITE_IDS.join(", ")}`);
  return ids as SuiteId[];
}

/**
 * The suites `m` runs: its own (`suitesOf`) without --suites; with --suites, those of its own that
 * are named, in its own order (empty: the mutant names none of them and is skipped); with
 * --force-suites, exactly the named ones, in the order given.
 */
export function suitesToRun(m: Mutant, only?: readonly SuiteId[], force = false): readonly SuiteId[] {
  if (only === undefined) return suitesOf(m);
  if (force) return only;
  return suitesOf(m).filter((s) => only.includes(s));
}

// ---------------------------------------------------------------- scratch copies

function sh(cmd: string, args: readonly string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${r.stderr}`);
  return r.stdout;
}

/** The working tree's files as git sees them: tracked (if still present) and untracked-not-ignored. */
function workingFiles(): string[] {
  const out = sh("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], ROOT);
  return [...new Set(out.split("\0").filter((f) => f !== ""))].filter((f) => existsSync(join(ROOT, f)));
}

function makeScratch(root: string, name: string, files: readonly string[]): string {
  const dir = join(root, name);
  for (const f of files) {
    const to = join(dir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(join(ROOT, f), to);
  }
  // hard links: no copy of the 500 MB, and the same native binaries (same filesystem as $TMPDIR;
  // falls back to a symlink across filesystems)
  const cp = spawnSync("cp", ["-al", join(ROOT, "node_modules"), join(dir, "node_modules")]);
  if (cp.status !== 0) sh("ln", ["-s", join(ROOT, "node_modules"), join(dir, "node_modules")], dir);
  return dir;
}

/** Removes what a previous run left that the next one would pick up (replayed failures, call log). */
function clearRunState(dir: string): void {
  rmSync(join(dir, "cache/invariant-failures"), { recursive: true, force: true });
  rmSync(join(dir, "cache/invariant-calls.log"), { force: true });
}

// ---------------------------------------------------------------- running commands

interface Ran {
  code: number | null;
  timedOut: boolean;
  output: string;
  seconds: number;
}

const children = new Set<number>();

function run(argv: readonly string[], cwd: string, timeoutSec: number, logFile: string): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolvePromise) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${join(cwd, "node_modules/.bin")}:${process.env.PATH ?? ""}`,
    };
    delete env.INIT_CWD; // npm's: the scratch copy is the project now
    const [cmd, ...args] = argv;
    const child = spawn(cmd === "hardhat" ? join(cwd, "node_modules/.bin/hardhat") : cmd, args, {
      cwd,
      env,
      detached: true, // its own process group: a timeout ends the whole tree
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (child.pid !== undefined) children.add(child.pid);
    const chunks: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    child.stderr.on("data", (b: Buffer) => chunks.push(b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, timeoutSec * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      if (child.pid !== undefined) children.delete(child.pid);
      const output = Buffer.concat(chunks).toString("utf8");
      writeFileSync(logFile, `$ ${argv.join(" ")}\n${output}`);
      resolvePromise({ code, timedOut, output, seconds: (performance.now() - started) / 1000 });
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

// ---------------------------------------------------------------- one mutant

async function build(dir: string, logDir: string, tag: string, timeout: number): Promise<Ran> {
  return run(["hardhat", "build", "--quiet"], dir, timeout, join(logDir, `${tag}.build.log`));
}

async function runSuite(dir: string, suite: SuiteId, logFile: string, timeout: number): Promise<SuiteResult> {
  const r = await run(SUITES[suite].argv, dir, timeout, logFile);
  const base = { suite, seconds: r.seconds, log: logFile };
  if (r.timedOut)
    return { ...base, outcome: "timeout", test: "(timeout)", reason: `no result after ${timeout} s` };
  if (r.code === 0) return { ...base, outcome: "survived" };
  const f = firstFailure(r.output);
  const tail = r.output.trim().split("\n").slice(-3).join(" | ");
  return {
    ...base,
    outcome: "killed",
    test: f?.test ?? "(no test name in the output)",
    reason: f?.reason ?? tail,
  };
}

async function runMutant(
  m: Mutant,
  suites: readonly SuiteId[],
  dir: string,
  logDir: string,
  opts: Options,
): Promise<MutantResult> {
  const started = performance.now();
  const file = join(dir, m.file);
  writeFileSync(file, applyMutant(readFileSync(join(ROOT, m.file), "utf8"), m));
  clearRunState(dir);
  try {
    const b = await build(dir, logDir, m.id, opts.timeout);
    const result: MutantResult = {
      id: m.id,
      status: "survived",
      suites: [],
      seconds: 0,
      buildSeconds: b.seconds,
    };
    if (b.code !== 0 || b.timedOut) {
      result.status = "compile-error";
    } else {
      for (const s of suites) {
        const r = await runSuite(dir, s, join(logDir, `${m.id}.${s.replace(":", "-")}.log`), opts.timeout);
        result.suites.push(r);
        if (r.outcome !== "survived" && result.killedBy === undefined) {
          result.killedBy = r;
          result.status = "killed";
          if (!opts.allSuites) break;
        }
      }
    }
    result.seconds = (performance.now() - started) / 1000;
    return result;
  } finally {
    copyFileSync(join(ROOT, m.file), file); // restore for the next mutant in this copy
  }
}

// ---------------------------------------------------------------- output

const pad = (s: string, n: number): string => (s.length >= n ? s : s + " ".repeat(n - s.length));

const clip = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 3)}...`);

/** `suite: test -- reason`; `short` keeps the last part of the title and clips both. */
function describeKill(r: SuiteResult, short = false): string {
  const test = r.test ?? "?";
  const name = short ? clip(test.split(" > ").pop() ?? test, 60) : test;
  const why =
    r.reason === undefined || r.reason === "" ? "" : ` -- ${short ? clip(r.reason, 110) : r.reason}`;
  return `${r.suite}: ${name}${why}`;
}

export function formatTable(results: readonly MutantResult[], mutants: readonly Mutant[]): string {
  const byId = new Map(mutants.map((m) => [m.id, m]));
  const w = Math.max(...results.map((r) => r.id.length), 6) + 2;
  const lines = [`${pad("mutant", w)}${pad("result", 15)}${pad("time", 8)}killed by (first failing test)`];
  for (const r of results) {
    const m = byId.get(r.id);
    const mark = m?.reach !== undefined ? "*" : " ";
    const status = r.status === "killed" ? "KILLED" : r.status === "survived" ? "SURVIVED" : "COMPILE ERROR";
    const time = `${r.seconds.toFixed(0)} s`;
    const killer =
      r.killedBy !== undefined
        ? describeKill(r.killedBy, true)
        : r.status === "survived"
          ? `passed: ${r.suites.map((s) => s.suite).join(", ")}`
          : "does not compile (see the build log)";
    lines.push(`${pad(r.id + mark, w)}${pad(status, 15)}${pad(time, 8)}${killer}`);
    // with --all-suites: what the other suites said (a survivor's line already lists them)
    const others = r.killedBy === undefined ? [] : r.suites.filter((s) => s !== r.killedBy);
    for (const s of others) {
      lines.push(
        `${pad("", w + 23)}${s.outcome === "survived" ? `${s.suite}: passed` : describeKill(s, true)}`,
      );
    }
  }
  if (mutants.some((m) => m.reach !== undefined && results.some((r) => r.id === m.id))) {
    lines.push("");
    lines.push(
      "* the mutant also names unit/e2e suites: the property and invariant suites do not (reliably)",
    );
    lines.push("  reach what it breaks:");
    for (const m of mutants) {
      if (m.reach !== undefined && results.some((r) => r.id === m.id)) lines.push(`    ${m.id}: ${m.reach}`);
    }
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------- main

function parseOptions(argv: readonly string[]): Options {
  const positive = (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError("a positive integer");
    return n;
  };
  const program = new Command()
    .name("npm run test:mutants --")
    .description(
      "Applies each deliberate bug of scripts/mutants/mutants.ts to a scratch copy and checks the suites kill it.",
    )
    .option("--only <ids...>", "run only these mutants (comma or space separated)", [] as string[])
    .option(
      "--suites <ids...>",
      "run only these of each mutant's killing suites, in the mutant's order (comma or space separated); " +
        "a mutant that names none of them is skipped (an error if all are)",
    )
    .option(
      "--force-suites",
      "with --suites: run exactly those suites on every selected mutant, named by it or not (to try a new backstop)",
      false,
    )
    .option("--list", "list the mutants (and check that each still applies exactly once), run nothing", false)
    .option("--gaps", "also run the known-gap mutants (no suite kills them yet)", false)
    .option("--jobs <n>", "scratch copies working in parallel", positive, 1)
    .option("--all-suites", "run every suite of a mutant, not only up to the first that kills it", false)
    .option("--no-baseline", "skip the baseline run of the unmutated copy")
    .option("--keep", "keep the scratch copies and logs", false)
    .option("--json <file>", "also write the results as JSON")
    .option("--timeout <seconds>", "time limit of one build or one suite", positive, 900)
    .exitOverride();
  program.parse([...argv], { from: "user" });
  const o = program.opts<Omit<Options, "only" | "suites"> & { only: string[]; suites?: string[] }>();
  return {
    ...o,
    only: o.only.flatMap((s) => s.split(",")).filter((s) => s !== ""),
    suites: o.suites === undefined ? undefined : parseSuiteIds(o.suites),
  };
}

function listMutants(mutants: readonly Mutant[], suitesOfMutant: (m: Mutant) => readonly SuiteId[]): number {
  let bad = 0;
  // one column wider than the longest id (and its reach mark)
  const w = Math.max(30, ...mutants.map((m) => m.id.length + 2));
  for (const m of mutants) {
    const n = countOccurrences(readFileSync(join(ROOT, m.file), "utf8"), m.search);
    if (n !== 1) bad++;
    const suites = suitesOfMutant(m).join(", ") || "(none of --suites: skipped)";
    console.log(
      `${pad(m.id + (m.reach !== undefined ? "*" : ""), w)}${m.breaks.join(",").padEnd(10)}${m.file}`,
    );
    console.log(`${" ".repeat(w)}${m.title}`);
    if (m.gap !== undefined) console.log(`${" ".repeat(w)}KNOWN GAP (not in the default run): ${m.gap}`);
    console.log(`${" ".repeat(w)}suites: ${suites}${n === 1 ? "" : `   !! search text found ${n} times`}`);
  }
  const gaps = mutants.filter((m) => m.gap !== undefined).length;
  console.log(
    `\n${mutants.length} mutants (${gaps} known gap${gaps === 1 ? "" : "s"})${bad > 0 ? `, ${bad} do not apply` : ", each applies exactly once"}`,
  );
  return bad > 0 ? 1 : 0;
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseOptions(argv);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (code === undefined) console.error(e instanceof Error ? e.message : e); // not commander's own
    return code === 0 ? 0 : 2;
  }
  if (opts.forceSuites && opts.suites === undefined) {
    console.error("--force-suites needs --suites <ids>");
    return 2;
  }
  const unknown = opts.only.filter((id) => !MUTANTS.some((m) => m.id === id));
  if (unknown.length > 0) {
    console.error(`unknown mutant(s): ${unknown.join(", ")}; --list shows them`);
    return 2;
  }
  const candidates =
    opts.only.length > 0
      ? MUTANTS.filter((m) => opts.only.includes(m.id))
      : MUTANTS.filter((m) => opts.gaps || opts.list || m.gap === undefined);
  const plan = new Map(candidates.map((m) => [m.id, suitesToRun(m, opts.suites, opts.forceSuites)]));
  const suitesOfMutant = (m: Mutant): readonly SuiteId[] => plan.get(m.id) ?? [];
  if (opts.list) return listMutants(candidates, suitesOfMutant);
  // --suites: a mutant that names none of them is skipped, said here and again at the end
  const skippedBySuites = candidates.filter((m) => suitesOfMutant(m).length === 0);
  const selected = candidates.filter((m) => suitesOfMutant(m).length > 0);
  const idWidth = Math.max(28, ...selected.map((m) => m.id.length + 1));
  const skippedMessage = (m: Mutant): string =>
    `skipped: ${m.id} names none of --suites ${opts.suites?.join(",") ?? ""} (its suites: ${suitesOf(m).join(", ")})`;
  for (const m of skippedBySuites) console.log(skippedMessage(m));
  if (selected.length === 0) {
    console.error(
      "no mutant to run: every selected mutant names none of --suites (--force-suites runs them anyway)",
    );
    return 2;
  }
  const skippedGaps = MUTANTS.filter((m) => m.gap !== undefined && !candidates.includes(m));

  // every selected mutant must apply before anything is built
  for (const m of selected) applyMutant(readFileSync(join(ROOT, m.file), "utf8"), m);

  const started = performance.now();
  const scratchRoot = mkdtempSync(join(tmpdir(), "ballast-mutants-"));
  const logDir = join(scratchRoot, "logs");
  mkdirSync(logDir, { recursive: true });
  const jobs = Math.min(opts.jobs, selected.length);
  const env = (k: string, d: string): string => process.env[k] ?? `${d} (default)`;
  console.log(
    `${selected.length} mutants, ${jobs} job(s); scratch ${scratchRoot}\n` +
      `intensity: FC_RUNS=${env("FC_RUNS", "50")} FC_MAX_COMMANDS=${env("FC_MAX_COMMANDS", "25")} ` +
      `INVARIANT_RUNS=${env("INVARIANT_RUNS", "16")} INVARIANT_DEPTH=${env("INVARIANT_DEPTH", "200")}` +
      (opts.suites === undefined
        ? ""
        : `\nsuites: ${opts.forceSuites ? "exactly" : "restricted to"} ${opts.suites.join(", ")}`),
  );
  const cleanup = (): void => {
    for (const pid of children) killGroup(pid);
    if (!opts.keep) rmSync(scratchRoot, { recursive: true, force: true });
  };
  process.once("SIGINT", () => {
    cleanup();
    process.exit(130);
  });

  try {
    const files = workingFiles();
    const dirs = Array.from({ length: jobs }, (_, i) => makeScratch(scratchRoot, `job-${i + 1}`, files));

    // The baseline runs in the first copy while the other copies already work on mutants; if it
    // fails, everything stops (a kill means nothing when the unmutated code fails the suite).
    let baselineError: string | undefined;
    const baseline = async (dir: string): Promise<void> => {
      const used = [...new Set(selected.flatMap((m) => suitesOfMutant(m)))];
      console.log(`baseline (unmutated copy): build, then ${used.join(", ")}`);
      const b = await build(dir, logDir, "baseline", opts.timeout);
      if (b.code !== 0) {
        baselineError = `baseline build failed: see ${join(logDir, "baseline.build.log")}`;
        return;
      }
      for (const s of used) {
        const r = await runSuite(dir, s, join(logDir, `baseline.${s.replace(":", "-")}.log`), opts.timeout);
        console.log(
          `  baseline ${pad(s, 28)}${r.outcome === "survived" ? "passes" : "FAILS"} (${r.seconds.toFixed(0)} s)`,
        );
        if (r.outcome !== "survived") {
          baselineError = `baseline: ${describeKill(r)}\nThe unmutated code fails ${s}; fix that first (log: ${r.log}).`;
          return;
        }
      }
    };

    const queue = [...selected];
    const results = new Map<string, MutantResult>();
    await Promise.all(
      dirs.map(async (dir, i) => {
        if (i === 0 && opts.baseline) {
          await baseline(dir);
          if (baselineError !== undefined) {
            queue.length = 0;
            for (const pid of children) killGroup(pid);
            return;
          }
        }
        for (let m = queue.shift(); m !== undefined; m = queue.shift()) {
          const r = await runMutant(m, suitesOfMutant(m), dir, logDir, opts);
          if (baselineError !== undefined) return;
          results.set(m.id, r);
          const what = r.killedBy !== undefined ? describeKill(r.killedBy, true) : r.status;
          console.log(
            `[${results.size}/${selected.length}] ${pad(m.id, idWidth)}${r.status.toUpperCase()} in ${r.seconds.toFixed(0)} s: ${what}`,
          );
        }
      }),
    );
    if (baselineError !== undefined) {
      console.error(baselineError);
      return 2;
    }

    const ordered = selected.map((m) => results.get(m.id)).filter((r): r is MutantResult => r !== undefined);
    const killed = ordered.filter((r) => r.status === "killed").length;
    const wall = (performance.now() - started) / 1000;
    console.log(`\n${formatTable(ordered, selected)}\n`);
    console.log(
      `${ordered.length} mutants, ${killed} killed  (wall time ${(wall / 60).toFixed(1)} min, ${jobs} job(s))`,
    );
    if (opts.keep) console.log(`logs: ${logDir}`);
    for (const m of skippedGaps) console.log(`known gap, not run (--gaps runs it): ${m.id}: ${m.gap}`);
    for (const m of skippedBySuites) console.log(skippedMessage(m));
    if (opts.json !== undefined) {
      writeFileSync(
        resolve(opts.json),
        `${JSON.stringify({ mutants: ordered.length, killed, wallSeconds: Math.round(wall), results: ordered }, null, 2)}\n`,
      );
    }
    const bad = ordered.filter((r) => r.status !== "killed");
    if (bad.length > 0) {
      console.log(`not killed: ${bad.map((r) => `${r.id} (${r.status})`).join(", ")}`);
      return 1;
    }
    return 0;
  } finally {
    cleanup();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exitCode = 2;
    },
  );
}
