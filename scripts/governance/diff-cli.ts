/**
 * `npm run proposal:diff -- <current.json> <proposed.json> --deployment <deployments/network.json>
 *  [--out <diff.json>]`
 *
 * Turns a proposal written as a parameter file (the one `npm run sim -- --compare-params` audits)
 * into the diff `npm run proposal` and `npm run proposal:rehearse` take: one entry per RiskConfig
 * parameter that moves, with the deployment's module and asset addresses and the proposed
 * on-chain value. Warnings (stderr) name the fields no parameter update reaches and the changes
 * beyond one update's max step. Nothing is sent to any network.
 *
 * Exit codes: 0 done, 2 bad arguments, an unreadable or invalid file, or a deployment record that
 * lacks a module or asset the diff needs.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Command } from "commander";

import { DeployParamsError, loadDeployParams } from "../deploy/params.js";
import { paramFileChanges, proposalDiff } from "./changes.js";
import {
  ProposalCliError,
  deploymentAddresses,
  parseCommandLine,
  printOrRefuse,
  readJson,
  writeOutFile,
} from "./cli.js";

/** Runs the command; returns the diff as printed (null after --help). */
export function runDiffCli(argv: readonly string[]): string | null {
  const cmd = new Command("proposal:diff")
    .description("A parameter-file proposal -> the risk-parameter diff npm run proposal takes")
    .argument("<current.json>", "the parameter file the deployment was made with (or its current values)")
    .argument("<proposed.json>", "the same file with the proposed values")
    .requiredOption("--deployment <file>", "the deployment record (deployments/<network>.json)")
    .option("--out <file>", "also write the diff to this file")
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
  if (parseCommandLine(cmd, argv) === "help") return null;
  const o = cmd.opts<{ deployment: string; out?: string }>();
  const [currentPath, proposedPath] = cmd.args;
  const addresses = deploymentAddresses(readJson(o.deployment, "--deployment"), o.deployment);
  let result;
  try {
    const changes = paramFileChanges(loadDeployParams(currentPath), loadDeployParams(proposedPath));
    result = proposalDiff(changes, addresses);
  } catch (e) {
    if (e instanceof DeployParamsError) throw new ProposalCliError(e.message);
    throw new ProposalCliError(`${proposedPath} against ${currentPath}: ${(e as Error).message}`);
  }
  if (result.diff.length === 0)
    throw new ProposalCliError(`${proposedPath} moves no RiskConfig parameter against ${currentPath}`);
  for (const w of result.warnings) console.error(`proposal:diff: WARNING ${w}`);
  const text = `${JSON.stringify(result.diff, null, 2)}\n`;
  if (o.out !== undefined) writeOutFile(o.out, text);
  return text;
}

export function main(argv: readonly string[]): number {
  return printOrRefuse("proposal:diff", () => runDiffCli(argv));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main(process.argv.slice(2));
}
