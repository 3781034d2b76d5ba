/**
 * `npm run bench [-- --out <file.json> --no-sim ...]`: the gas benchmark (DESIGN.md section 6).
 * Runs with plain Node (`node --import tsx`), so command-line arguments reach it directly; it
 * builds the contracts through Hardhat first (incremental), then measures on an in-process chain.
 */
import { closeSync, existsSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { parseBenchGas } from "./format.js";

const USAGE = `Usage: npm run bench [-- [--out <file.json>] [--no-sim | --sim-only] [--sim-steps N]
                        [--sim-accounts N] [--compare <file.json>]]
  e.g. npm run bench -- --no-sim --out bench.json   (one -- before all the options)

Deploys Ballast on an in-process Hardhat chain with scripts/deploy/params/local.json (or
$BALLAST_PARAMS), measures the full transaction gas (receipt.gasUsed) of each user operation and
prints the table  operation | gas | target | anchor | target met.

Then measures speed: test throughput (property commands/s, invariant handler calls/s, when
those suites are present) and the laboratory (black-thursday-2020 with 1,000 accounts over one
day: simulation tx/s against raw EDR tx/s for the same transactions, blocks/s, wall seconds).

Options:
  --out <file.json>   also write {"gas": {...}, "speed": {...}, "targets": {...}, "meta": {...},
                      "codeSizeBytes": {...}}
                      to this file (without --out nothing is written)
  --no-sim            skip the laboratory's speed rows (they take a few minutes)
  --sim-only          only the laboratory's speed rows (no gas table, no suite throughput)
  --sim-steps <N>     run only the first N steps of the laboratory's day (a quick look; the
                      sim1000x1dSeconds row then covers N steps, not the day)
  --sim-accounts <N>  accounts in the laboratory's run (default 1000)
  --compare <file>    after the table, each gas row beside the same row of an earlier
                      --out file: before, now, change, now/before (gas repeats exactly)
  --help, -h          show this help

Exit codes: 0 done, 1 the benchmark failed, 2 bad arguments (unknown flag, --out without a
value, an unwritable path, a --compare file that is missing or not a bench result).`;

class UsageError extends Error {}

/** The protocol's deployed contracts whose code size the bench reports (the ledger is near the limit). */
const SIZED_CONTRACTS = [
  "Clearinghouse",
  "ClearinghouseLiquidation",
  "ClearinghouseSettlement",
  "LiquidationEngine",
  "DutchAuction",
  "CircuitBreaker",
  "MarginModel",
  "OracleRouter",
  "BackstopVault",
  "RiskConfig",
  "Stablecoin",
  "AccountLens",
  "FlashLiquidator",
  "BallastTimelock",
] as const;

interface Args {
  out?: string;
  compare?: string;
  help: boolean;
  sim: boolean;
  /** Only the laboratory's rows. */
  simOnly: boolean;
  simSteps?: number;
  simAccounts?: number;
}

function positiveInt(flag: string, value: string | undefined): number {
  if (
    value === undefined ||
    !/^\d+$/.test(value) ||
    Number(value) < 1 ||
    !Number.isSafeInteger(Number(value))
  )
    throw new UsageError(`${flag} needs a positive integer`);
  return Number(value);
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { help: false, sim: true, simOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") args.help = true;
    else if (a === "--no-sim") args.sim = false;
    else if (a === "--sim-only") args.simOnly = true;
    else if (a === "--sim-steps") args.simSteps = positiveInt(a, argv[++i]);
    else if (a.startsWith("--sim-steps=")) args.simSteps = positiveInt("--sim-steps", a.slice(12));
    else if (a === "--sim-accounts") args.simAccounts = positiveInt(a, argv[++i]);
    else if (a.startsWith("--sim-accounts=")) args.simAccounts = positiveInt("--sim-accounts", a.slice(15));
    else if (a === "--out" || a.startsWith("--out=")) {
      const value = a === "--out" ? argv[++i] : a.slice("--out=".length);
      if (value === undefined || value === "" || value.startsWith("--"))
        throw new UsageError("--out needs a file path");
      if (args.out !== undefined) throw new UsageError("--out given twice");
      args.out = value;
    } else if (a === "--compare" || a.startsWith("--compare=")) {
      const value = a === "--compare" ? argv[++i] : a.slice("--compare=".length);
      if (value === undefined || value === "" || value.startsWith("--"))
        throw new UsageError("--compare needs a file path");
      if (args.compare !== undefined) throw new UsageError("--compare given twice");
      args.compare = value;
    } else if (a === "--")
      throw new UsageError(
        "unexpected --: npm passes on everything after its first --, so give one -- before all the options",
      );
    else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else throw new UsageError(`unexpected argument ${a}`);
  }
  if (args.simOnly && !args.sim) throw new UsageError("--sim-only and --no-sim exclude each other");
  if (args.simOnly && args.compare !== undefined)
    throw new UsageError("--compare compares gas rows; --sim-only measures none");
  return args;
}

/**
 * Fails early (before the benchmark runs) if `file` cannot be written: opens it for appending
 * (a real write probe: permission bits alone say nothing for root) and removes it again if the
 * probe created it.
 */
function checkWritable(file: string): string {
  const path = resolve(file);
  const existed = existsSync(path);
  if (existed && statSync(path).isDirectory()) throw new UsageError(`--out ${file}: is a directory`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new UsageError(`--out ${file}: directory ${dir} does not exist`);
  try {
    closeSync(openSync(path, "a"));
  } catch (e) {
    throw new UsageError(
      `--out ${file}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  if (!existed) rmSync(path, { force: true });
  return path;
}

/** The gas rows of an earlier `--out` file, read before the benchmark runs (fails early). */
function readBaseline(file: string): Record<string, number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--compare ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let gas: Record<string, number>;
  try {
    gas = parseBenchGas(text, `--compare ${file}`);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (Object.keys(gas).length === 0)
    throw new UsageError(
      `--compare ${file}: has no gas rows to compare (a --sim-only run writes none; use an --out file of a run with the gas table)`,
    );
  return gas;
}

async function main(): Promise<number> {
  let args: Args;
  let outPath: string | undefined;
  let before: Record<string, number> | undefined;
  try {
    args = parseArgs(process.argv.slice(2));
    if (args.help) {
      console.log(USAGE);
      return 0;
    }
    if (args.out !== undefined) outPath = checkWritable(args.out);
    if (args.compare !== undefined) before = readBaseline(args.compare);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`bench: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }

  // loaded only after the arguments are known to be good (loading Hardhat takes a few seconds)
  const { default: hre } = await import("hardhat");
  const { GAS_ROWS: CORE_ROWS, gasTargets, measureGas } = await import("./gas.js");
  const { LIQUIDATION_GAS_ROWS, measureLiquidationGas } = await import("./liquidation.js");
  const GAS_ROWS = [...CORE_ROWS, ...LIQUIDATION_GAS_ROWS];
  const { codeSize, formatComparison, formatSizes, formatTable, toBenchJson } = await import("./format.js");

  // contracts and Solidity test contracts: the throughput rows deploy test/property/LedgerReader.sol
  await hre.tasks.getTask("build").run({ quiet: true });
  const gas: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  let gasSeconds = 0;
  if (!args.simOnly) {
    const connection = await hre.network.create();
    const started = Date.now();
    Object.assign(gas, await measureGas(connection.ethers, connection.networkHelpers));
    const liquidation = await hre.network.create();
    Object.assign(gas, await measureLiquidationGas(liquidation.ethers, liquidation.networkHelpers));
    gasSeconds = (Date.now() - started) / 1000;
  }

  // speed: laboratory (optional) and test throughput
  const speed: Record<string, number> = {};
  const { SIM_ROWS, formatSplit, measureSim } = await import("./sim.js");
  const { THROUGHPUT_ROWS, measureThroughput } = await import("./throughput.js");
  const SPEED_ROWS = args.simOnly
    ? [...SIM_ROWS]
    : args.sim
      ? [...THROUGHPUT_ROWS, ...SIM_ROWS]
      : [...THROUGHPUT_ROWS];
  if (!args.simOnly) {
    console.error("bench: measuring the property and invariant suites' throughput...");
    Object.assign(speed, await measureThroughput());
  }
  if (args.sim) {
    console.error(
      `bench: running the laboratory speed benchmark (${args.simAccounts ?? 1000} accounts, ${
        args.simSteps === undefined ? "one day" : `${args.simSteps} steps`
      }; a few minutes)...`,
    );
    const sim = await measureSim(hre, { steps: args.simSteps, accounts: args.simAccounts });
    Object.assign(speed, sim.rows);
    console.error(`bench: laboratory time split: ${formatSplit(sim.speed)}`);
  }
  const compiler = hre.config.solidity.profiles.default?.compilers[0];
  const optimizer = (compiler?.settings as { optimizer?: { runs?: number } } | undefined)?.optimizer;
  const meta = {
    solc: compiler?.version ?? "unknown",
    optimizerRuns: optimizer?.runs ?? 200,
    timestamp: new Date().toISOString(),
  };

  if (!args.simOnly) {
    console.log(
      `\nBallast gas benchmark (full transaction gas; solc ${meta.solc}, optimizer runs ${meta.optimizerRuns}; ${gasSeconds.toFixed(1)} s)\n`,
    );
    console.log(formatTable(gas, GAS_ROWS));
    if (before !== undefined) {
      console.log(`\nCompared with ${args.compare}\n`);
      console.log(formatComparison(before, gas, GAS_ROWS));
    }
    for (const name of SIZED_CONTRACTS) {
      sizes[name] = codeSize((await hre.artifacts.readArtifact(name)).deployedBytecode);
    }
    console.log("\nDeployed code size (EIP-170)\n");
    console.log(formatSizes(sizes));
  }
  if (Object.keys(speed).length > 0) {
    console.log("\nSpeed (one run on this machine; compare ratios, not absolute numbers)\n");
    console.log(formatTable(speed, SPEED_ROWS, "value"));
  }
  console.log(
    "\nTargets: DESIGN.md section 6. health() is an eth_estimateGas of the view (21k intrinsic included).",
  );
  if (outPath !== undefined) {
    const json = {
      ...toBenchJson(gas, { ...gasTargets(GAS_ROWS), ...gasTargets(SPEED_ROWS) }, meta, GAS_ROWS),
      speed,
      ...(Object.keys(sizes).length > 0 ? { codeSizeBytes: sizes } : {}),
    };
    try {
      writeFileSync(outPath, `${JSON.stringify(json, null, 2)}\n`);
    } catch (e) {
      console.error(`bench: cannot write --out ${outPath}: ${(e as Error).message}`);
      return 2;
    }
    console.log(`wrote ${outPath}`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
