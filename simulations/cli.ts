/**
 * The laboratory's command line (`npm run sim -- ...`, entry scripts/main.ts):
 *
 *   npm run sim -- --scenario <name|path> --seed <n> --out <dir> [--accounts N]
 *                  [--margin-mode static|dynamic|ramped] [--rpc-url URL] [--steps N]
 *   npm run sim -- --compare-margin-modes [same options]
 *   npm run sim -- --compare-params <name|path> [same options]
 *
 * writes <dir>/summary.json, <dir>/metrics.csv (+ metrics.jsonl) and <dir>/report.html, shows a
 * progress bar while it runs and a short summary table at the end. With --no-report an earlier
 * run's report.html and charts/*.png in <dir> are removed once the new files are written (they
 * would describe the other run). With no arguments it runs
 * black-thursday-2020 on the in-process chain into sim-out/black-thursday-2020.
 * `--compare-margin-modes` runs the three margin modes on the same seed into <dir>/<mode> and
 * writes one side-by-side report into <dir>. `--compare-params` audits a risk-parameter proposal
 * written as a parameter file: it prints what the file changes against the scenario's own (each
 * RiskConfig parameter, who may move it, how many updates its step needs; fields no update
 * reaches), then runs the scenario with both on the same seed into <dir>/current and
 * <dir>/proposed, side by side.
 *
 * Arguments are validated before Hardhat loads (it takes a few seconds): an unknown scenario
 * lists the shipped ones, a bad seed or count says what is expected, an unwritable output
 * directory is refused. Exit codes: 0 done, 1 the run failed (its message printed; the stack too
 * with SIM_DEBUG=1), 2 bad arguments.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  rmdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";

import { Command, CommanderError, InvalidArgumentError, Option } from "commander";

import {
  MARGIN_MODES,
  type AwaitingAuctions,
  type EndAccounts,
  type MarginMode,
  type RunSummary,
} from "./metrics/types.js";
import { DeployParamsError, loadDeployParams, resolveParamsPath } from "../scripts/deploy/params.js";
import {
  formatParamFileChanges,
  paramFileChanges,
  type ParamFileChanges,
} from "../scripts/governance/changes.js";
import { ScenarioError, scenarioAssets, type Scenario } from "./scenarios/schema.js";
import { TOKEN_SYMBOL } from "./world/deploy.js";
import { loadScenarioFile } from "./scenarios/load.js";

export const DEFAULT_SCENARIO = "black-thursday-2020";

/** A command-line mistake: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface CliArgs {
  scenario: Scenario;
  scenarioArg: string;
  scenarioPath: string;
  seed: number | undefined;
  out: string;
  accounts: number | undefined;
  steps: number | undefined;
  marginMode: MarginMode | undefined;
  rpcUrl: string | undefined;
  compare: boolean;
  /**
   * --compare-params: the proposed file (resolved), what it changes, and which of those changes
   * the runs cannot show ({@link unsimulatedChanges}).
   */
  proposal?: { arg: string; path: string; changes: ParamFileChanges; notSimulated: string[] };
  report: boolean;
  progress: boolean;
}

function nonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}"`);
    const n = Number(value);
    if (!Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
    return n;
  };
}

function positiveInt(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n === 0)
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    if (!Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be at most ${Number.MAX_SAFE_INTEGER}`);
    return n;
  };
}

function rpcUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--rpc-url must be a URL like http://127.0.0.1:8545, got "${value}"`);
  }
  if (!["http:", "https:"].includes(url.protocol))
    throw new InvalidArgumentError(`--rpc-url must be an http(s) URL, got "${value}"`);
  return value;
}

/** Creates the output directory if needed and proves it is writable (a real write probe). */
export function checkOutDir(dir: string): string {
  // resolve("") is the current directory: an empty --out would spread a run over the repository
  if (dir.trim() === "") throw new UsageError("--out must name a directory (it is empty)");
  const path = resolve(dir);
  if (existsSync(path) && !statSync(path).isDirectory())
    throw new UsageError(`--out ${dir}: not a directory`);
  try {
    // level by level (a recursive mkdir can spin forever under /proc)
    const missing: string[] = [];
    let p = path;
    while (!existsSync(p)) {
      missing.unshift(p);
      const parent = dirname(p);
      if (parent === p) break;
      p = parent;
    }
    if (!statSync(p).isDirectory()) throw new UsageError(`--out ${dir}: ${p} is not a directory`);
    for (const m of missing) mkdirSync(m);
    const probe = join(path, `.write-probe-${process.pid}`);
    closeSync(openSync(probe, "w"));
    rmSync(probe, { force: true });
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `--out ${dir}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  return path;
}

export function buildCommand(): Command {
  return new Command("sim")
    .description("Run a Ballast simulation scenario and write summary.json, metrics.csv and report.html")
    .option("-s, --scenario <name|path>", "shipped scenario name or a scenario file", DEFAULT_SCENARIO)
    .option("--seed <n>", "seed of the random generator (default: the scenario's)", nonNegativeInt("--seed"))
    .option("-o, --out <dir>", "output directory (default: sim-out/<scenario>)")
    .option("--accounts <N>", "number of accounts (default: the scenario's)", positiveInt("--accounts"))
    .option("--steps <N>", "run only the first N steps (default: all)", positiveInt("--steps"))
    .addOption(
      new Option("--margin-mode <mode>", "margin model mode (default: the scenario's)").choices([
        ...MARGIN_MODES,
      ]),
    )
    .option("--rpc-url <url>", "run on this JSON-RPC node instead of the in-process chain", rpcUrl)
    .option("--compare-margin-modes", "run static, dynamic and ramped on the same seed, side by side", false)
    .option(
      "--compare-params <name|path>",
      "audit a parameter proposal: list what this parameter file changes against the scenario's, then run both on the same seed, side by side",
    )
    .option(
      "--no-report",
      "skip report.html (an earlier run's report.html and charts/ in the output directory are removed)",
    )
    .option("--no-progress", "no progress bar")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
}

/** Parses and validates the arguments (no Hardhat needed). */
export function parseCli(argv: readonly string[]): CliArgs | "help" {
  const cmd = buildCommand();
  try {
    cmd.parse([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help") return "help";
      throw new UsageError(e.message.replace(/^error: /, ""));
    }
    throw e;
  }
  const o = cmd.opts<{
    scenario: string;
    seed?: number;
    out?: string;
    accounts?: number;
    steps?: number;
    marginMode?: MarginMode;
    rpcUrl?: string;
    compareMarginModes: boolean;
    compareParams?: string;
    report: boolean;
    progress: boolean;
  }>();
  if (o.compareMarginModes && o.marginMode !== undefined)
    throw new UsageError("--compare-margin-modes runs every mode: drop --margin-mode");
  if (o.compareMarginModes && o.compareParams !== undefined)
    throw new UsageError("--compare-margin-modes and --compare-params: one comparison at a time");
  let loaded;
  try {
    loaded = loadScenarioFile(o.scenario);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
  const proposal =
    o.compareParams === undefined
      ? undefined
      : proposalOf(
          loaded.scenario.deployParams,
          o.compareParams,
          scenarioAssets(loaded.scenario).map((a) => TOKEN_SYMBOL[a]),
        );
  const suffix = o.compareMarginModes ? "-compare" : proposal !== undefined ? "-params" : "";
  const out = checkOutDir(o.out ?? join("sim-out", loaded.scenario.name + suffix));
  return {
    scenario: loaded.scenario,
    scenarioArg: o.scenario,
    scenarioPath: loaded.path,
    seed: o.seed,
    out,
    accounts: o.accounts,
    steps: o.steps,
    marginMode: o.marginMode,
    rpcUrl: o.rpcUrl,
    compare: o.compareMarginModes,
    proposal,
    report: o.report,
    progress: o.progress && process.stderr.isTTY === true,
  };
}

/** --compare-params: the proposed file against the scenario's, refused when it changes nothing. */
function proposalOf(
  currentArg: string,
  proposedArg: string,
  traded: readonly string[],
): NonNullable<CliArgs["proposal"]> {
  try {
    const path = resolveParamsPath(proposedArg);
    const changes = paramFileChanges(loadDeployParams(resolveParamsPath(currentArg)), loadDeployParams(path));
    if (changes.params.length === 0 && changes.other.length === 0)
      throw new UsageError(`--compare-params ${proposedArg}: the file changes nothing against ${currentArg}`);
    return { arg: proposedArg, path, changes, notSimulated: unsimulatedChanges(changes, traded) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const message = (e as Error).message;
    throw new UsageError(
      `--compare-params ${proposedArg}: ${e instanceof DeployParamsError ? message : message.replace(/^deployment parameters \S+: /, "")}`,
    );
  }
}

/** Fields of an asset the laboratory sets itself in both runs (simulations/world/deploy.ts, `worldParams`). */
const SET_BY_THE_LABORATORY = /^assets\.\d+\.(margin\.mode|mockPriceUsd|feed\.minPriceUsd)$/;

/**
 * The changed fields (sorted) that both runs read with the same value, so the comparison cannot
 * show them: every asset's margin mode (the run's `--margin-mode` or the scenario's), its initial
 * price and price floor (the scenario's path), and any field of an asset the scenario does not
 * trade (`traded`: token symbols; the laboratory lists only those).
 */
export function unsimulatedChanges(changes: ParamFileChanges, traded: readonly string[]): string[] {
  const paths = new Set([...changes.params.map((r) => r.path), ...changes.other]);
  return [...paths]
    .filter((path) => {
      const asset = /^assets\.(\d+)\./.exec(path);
      if (asset === null) return false;
      return SET_BY_THE_LABORATORY.test(path) || !traded.includes(changes.symbols[Number(asset[1])]);
    })
    .sort();
}

export function usage(): string {
  return buildCommand().helpInformation();
}

const fmtUsd = (x: number): string =>
  `$${x.toLocaleString("en-US", { maximumFractionDigits: x >= 100 ? 0 : 2 })}`;
const fmtNum = (x: number | null, digits = 3): string => (x === null ? "n/a" : x.toFixed(digits));

/** "5 ($3,465)": accounts and their debt. */
export const endAccountsText = (e: EndAccounts): string => `${e.accounts} (${fmtUsd(e.debtUsd)})`;

/** "2 (debt $1,035, tab $4,120)": accounts holding nothing but running auctions. */
export const awaitingText = (e: AwaitingAuctions): string =>
  `${e.accounts} (debt ${fmtUsd(e.debtUsd)}, tab ${fmtUsd(e.tabUsd)})`;

/** The short table printed at the end: one column per run. */
export function summaryTable(runs: readonly { label: string; summary: RunSummary }[]): string {
  const rows: [string, (s: RunSummary) => string][] = [
    ["bad debt", (s) => fmtUsd(s.badDebt)],
    ["deficit (end)", (s) => fmtUsd(s.deficit)],
    [
      "liquidatable at the end",
      (s) => (s.liquidatableAtEnd === undefined ? "n/a" : endAccountsText(s.liquidatableAtEnd)),
    ],
    [
      "awaiting their auctions at the end",
      (s) => (s.awaitingAuctionsAtEnd === undefined ? "n/a" : awaitingText(s.awaitingAuctionsAtEnd)),
    ],
    ["liquidations", (s) => String(s.liquidations)],
    ["liquidated", (s) => fmtUsd(s.liquidatedUsd)],
    ["cascade amplification", (s) => fmtNum(s.cascadeAmplification)],
    ["peak liquidation velocity /h", (s) => fmtUsd(s.peakLiquidationVelocity)],
    ["auction efficiency", (s) => fmtNum(s.auctionEfficiency)],
    ["time above breaker level 0", (s) => `${(s.timeAboveLevel0 / 3600).toFixed(2)} h`],
    ["max breaker level", (s) => String(s.maxBreakerLevel)],
    ["min p5 health", (s) => fmtNum(s.minHealthP5)],
    ["transactions", (s) => String(s.txCount)],
    ["blocks", (s) => String(s.simulatedBlocks)],
    ["wall seconds", (s) => s.wallSeconds.toFixed(1)],
    ["tx / s", (s) => fmtNum(s.txPerSecond, 1)],
  ];
  const header = ["", ...runs.map((r) => r.label)];
  const body = rows.map(([name, f]) => [name, ...runs.map((r) => f(r.summary))]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((row) => row[c].length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/**
 * Files a report writes into a run directory (simulations/report/index.ts REPORT_FILE, CHART_DIR,
 * COMPARISON_FILE; named here so that the command line does not load the renderer).
 */
const REPORT_FILES = ["report.html", "comparison.json"] as const;
const CHART_DIR = "charts";

/**
 * With --no-report, removes the report an earlier run left in `dir` (report.html, comparison.json
 * and the PNGs in charts/, the folder too once empty), so that no report describes another run
 * than the summary beside it. Called after the new run's files are written. Returns what it removed.
 */
export function removeStaleReport(dir: string): string[] {
  const removed: string[] = [];
  for (const f of REPORT_FILES) {
    const p = join(dir, f);
    if (existsSync(p) && statSync(p).isFile()) {
      rmSync(p);
      removed.push(p);
    }
  }
  const charts = join(dir, CHART_DIR);
  if (existsSync(charts) && statSync(charts).isDirectory()) {
    const pngs = readdirSync(charts).filter((f) => f.endsWith(".png"));
    for (const f of pngs) rmSync(join(charts, f));
    if (pngs.length > 0) removed.push(join(charts, "*.png"));
    if (readdirSync(charts).length === 0) rmdirSync(charts);
  }
  return removed;
}

/** Runs the parsed command (loads Hardhat, builds, simulates). Returns the exit code. */
export async function runCli(args: CliArgs): Promise<number> {
  const { default: hre } = await import("hardhat");
  const { runSimulation } = await import("./engine.js");
  const { writeComparisonReport } = await import("./report/index.js");
  const { SingleBar, Presets } = await import("cli-progress");
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });

  const { proposal } = args;
  const comparing = args.compare || proposal !== undefined;
  const variants: { label: string; scenario: Scenario; mode: MarginMode | undefined }[] = args.compare
    ? MARGIN_MODES.map((mode) => ({ label: mode, scenario: args.scenario, mode }))
    : proposal !== undefined
      ? [
          { label: "current", scenario: args.scenario, mode: args.marginMode },
          {
            label: "proposed",
            scenario: { ...args.scenario, deployParams: proposal.path },
            mode: args.marginMode,
          },
        ]
      : [
          {
            label: args.marginMode ?? args.scenario.marginMode,
            scenario: args.scenario,
            mode: args.marginMode,
          },
        ];
  if (proposal !== undefined) {
    console.log(
      `${proposal.arg} against ${args.scenario.deployParams}:\n\n${formatParamFileChanges(proposal.changes)}\n`,
    );
    if (proposal.notSimulated.length > 0)
      console.log(
        `WARNING: the laboratory sets these itself or does not list their asset, so both runs use the same value: ${proposal.notSimulated.join(", ")}\n`,
      );
  }
  const runs: { label: string; summary: RunSummary; dir: string }[] = [];
  for (const { label, scenario, mode } of variants) {
    const dir = comparing ? join(args.out, label) : args.out;
    const bar = args.progress
      ? new SingleBar(
          {
            format: `${args.scenario.name} [${label}] {bar} {percentage}% | step {value}/{total} | {price} | liquidations {liq} | bad debt {bad} | ETA {eta_formatted}`,
            hideCursor: true,
            stream: process.stderr,
          },
          Presets.shades_classic,
        )
      : undefined;
    let liquidations = 0;
    let started = false;
    const result = await runSimulation({
      hre,
      scenario,
      scenarioLabel: args.scenarioArg,
      seed: args.seed,
      marginMode: mode,
      accounts: args.accounts,
      steps: args.steps,
      rpcUrl: args.rpcUrl,
      outDir: dir,
      noReport: !args.report,
      label: comparing ? label : undefined,
      onStatus: (m) => {
        if (!args.progress) console.error(`sim: ${m}`);
        else process.stderr.write(`sim: ${m}\n`);
      },
      onStep: (step, total, info) => {
        liquidations += info.liquidations;
        const payload = {
          price: `${args.scenario.assets.ETH !== undefined ? "ETH" : "price"} ${fmtUsd(info.price)}`,
          liq: liquidations,
          bad: fmtUsd(info.badDebtUsd),
        };
        if (bar === undefined) return;
        if (!started) {
          bar.start(total, 0, payload);
          started = true;
        }
        bar.update(step, payload);
      },
    });
    bar?.stop();
    runs.push({ label, summary: result.summary, dir });
    console.error(
      `sim: ${label}: ${result.speed.loopTx} transactions in ${result.speed.loopSeconds.toFixed(1)} s of simulation (${result.speed.simTxPerSec.toFixed(0)} tx/s, ${result.speed.failedTx} reverted), setup ${result.speed.setupSeconds.toFixed(1)} s`,
    );
  }
  if (!args.report) {
    // the earlier run's report no longer matches the summary beside it
    const stale = [...runs.map((r) => r.dir), ...(comparing ? [args.out] : [])].flatMap(removeStaleReport);
    if (stale.length > 0) console.error(`sim: --no-report: removed the earlier run's ${stale.join(", ")}`);
  }
  if (comparing && args.report)
    await writeComparisonReport(
      runs.map((r) => r.dir),
      args.out,
    );
  console.log(`\n${args.scenario.name} (seed ${runs[0].summary.seed})\n`);
  console.log(summaryTable(runs));
  const files = comparing
    ? [
        ...(args.report ? [join(args.out, "report.html")] : []),
        ...runs.map((r) => join(r.dir, "summary.json")),
      ]
    : ["summary.json", "metrics.csv", ...(args.report ? ["report.html"] : [])].map((f) => join(args.out, f));
  console.log(`\nwrote ${files.join(", ")}`);
  return 0;
}

/** The whole command: parse, validate, run. Returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs | "help";
  try {
    args = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`sim: ${e.message}\n\n${usage()}`);
      return 2;
    }
    throw e;
  }
  if (args === "help") return 0;
  try {
    return await runCli(args);
  } catch (e) {
    // the message says what failed; the stack only on request
    console.error(`sim: failed: ${(e as Error).message}`);
    if (process.env.SIM_DEBUG !== undefined) console.error(e);
    return 1;
  }
}
