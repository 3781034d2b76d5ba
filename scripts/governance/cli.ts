/**
 * `npm run proposal -- <diff.json> --deployment <deployments/network.json> [--out <batch.json>]`
 *
 * Reads a risk-parameter diff (`[{ target, name, subject, value }]`, scripts/governance/proposal.ts)
 * and the deployment record scripts/deploy.ts wrote, checks every entry against that deployment
 * (module, registered name, subject kind, hard bounds) and prints the TimelockController batch:
 * `{ "riskConfig", "targets", "values", "payloads" }` (values as decimal strings), the arguments of
 * `scheduleBatch(targets, values, payloads, predecessor, salt, delay)`. `--out` also writes it to a
 * file. Nothing is sent to any network.
 *
 * Exit codes: 0 done, 2 bad arguments or an invalid diff (every problem named by index and field).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Command, CommanderError } from "commander";

import { ProposalValidationError, buildParamProposal, type DeploymentAddresses } from "./proposal.js";

/** A mistake in the arguments or the input files: printed as is, exit code 2. */
export class ProposalCliError extends Error {}

/** A JSON file's content; errors name the file and what it was meant to be. */
export function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProposalCliError(
      `${what} ${path}: ${code === "ENOENT" ? "file not found" : code === "EISDIR" ? "is a directory" : (code ?? (e as Error).message)}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ProposalCliError(`${what} ${path}: invalid JSON: ${(e as Error).message}`);
  }
}

/** The `addresses` of a deployment record, checked to be a map of names to strings. */
export function deploymentAddresses(record: unknown, path: string): DeploymentAddresses {
  const addresses = (record as { addresses?: unknown } | null)?.addresses;
  if (
    typeof addresses !== "object" ||
    addresses === null ||
    Object.values(addresses).some((v) => typeof v !== "string")
  )
    throw new ProposalCliError(
      `--deployment ${path}: not a deployment record (no "addresses" object; scripts/deploy.ts writes deployments/<network>.json)`,
    );
  const book = addresses as Record<string, string>;
  if (book.riskConfig === undefined)
    throw new ProposalCliError(`--deployment ${path}: the record lists no riskConfig address`);
  return book;
}

/**
 * Parses `argv` with `cmd` (built with `exitOverride`): "help" after --help; a mistake throws a
 * ProposalCliError with commander's message (and the usage when `withUsage`).
 */
export function parseCommandLine(
  cmd: Command,
  argv: readonly string[],
  withUsage = false,
): "help" | "parsed" {
  try {
    cmd.parse([...argv], { from: "user" });
    return "parsed";
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help") return "help";
      const message = e.message.replace(/^error: /, "");
      throw new ProposalCliError(withUsage ? `${message}\n\n${cmd.helpInformation()}` : message);
    }
    throw e;
  }
}

/** Writes a command's output to its `--out` file; an unwritable one is named (ProposalCliError). */
export function writeOutFile(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new ProposalCliError(
      `--out ${path}: not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/**
 * A command's exit code: `run`'s output printed (0; nothing after --help), or a mistake in the
 * arguments or inputs (ProposalCliError, ProposalValidationError) printed after `name` (2).
 */
export function printOrRefuse(name: string, run: () => string | null): number {
  try {
    const out = run();
    if (out !== null) process.stdout.write(out);
    return 0;
  } catch (e) {
    if (e instanceof ProposalCliError || e instanceof ProposalValidationError) {
      console.error(`${name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

/** Runs the command; returns the batch as printed (null after --help). */
export function runProposalCli(argv: readonly string[]): string | null {
  const cmd = new Command("proposal")
    .description("Turn a risk-parameter JSON diff into one TimelockController batch (RiskConfig.setParams)")
    .argument("<diff.json>", "the diff: [{ target, name, subject, value }]")
    .requiredOption("--deployment <file>", "the deployment record (deployments/<network>.json)")
    .option("--out <file>", "also write the batch to this file")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
  if (parseCommandLine(cmd, argv, true) === "help") return null;
  const [diffPath] = cmd.args;
  const o = cmd.opts<{ deployment: string; out?: string }>();
  const deployment = deploymentAddresses(readJson(o.deployment, "--deployment"), o.deployment);
  const diff = readJson(diffPath, "diff");
  const batch = buildParamProposal(deployment.riskConfig, diff, diffPath, deployment);
  const text = `${JSON.stringify(
    {
      riskConfig: deployment.riskConfig,
      targets: batch.targets,
      values: batch.values.map(String),
      payloads: batch.payloads,
    },
    null,
    2,
  )}\n`;
  if (o.out !== undefined) writeOutFile(o.out, text);
  return text;
}

export function main(argv: readonly string[]): number {
  return printOrRefuse("proposal", () => runProposalCli(argv));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
