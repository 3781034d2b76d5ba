/**
 * `npm run proposal:rehearse -- <diff.json> --deployment <deployments/network.json>
 *  [--rpc-url <url>] [--keep]`
 *
 * Rehearses a risk-parameter proposal through the deployment's own timelock on a development node
 * (default http://127.0.0.1:8545: `npx hardhat node`, or `npx hardhat node --fork <url>` for a
 * deployment on a real network) and prints, per change, the current value, the proposed one, its
 * max step and whether one update reaches it, whether it tightens (the guardian could make it
 * alone) or needs the timelock, and the value after the execution; or the execution's revert,
 * decoded (`RiskConfig__StepTooLarge(...)`). The node's state is restored afterwards unless
 * `--keep`. Build first (`npm run build`): reverts are decoded with the artifacts' ABIs.
 *
 * Exit codes: 0 the proposal executes, 1 it reverts (the reason printed) or the rehearsal could
 * not run (the node, the record), 2 bad arguments or an invalid diff.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Command } from "commander";
import { JsonRpcProvider, type InterfaceAbi } from "ethers";

import { ProposalCliError, deploymentAddresses, parseCommandLine, readJson } from "./cli.js";
import { ProposalValidationError, buildParamProposal, parseParamDiff } from "./proposal.js";
import { RehearsalError, rehearseProposal, type RehearsalResult, type RehearsalRow } from "./rehearse.js";

/** Contracts whose errors a parameter change can revert with. */
const ABI_ARTIFACTS = [
  "risk/RiskConfig.sol/RiskConfig",
  "governance/BallastTimelock.sol/BallastTimelock",
  "risk/MarginModel.sol/MarginModel",
  "core/Clearinghouse.sol/Clearinghouse",
  "core/ClearinghouseSettlement.sol/ClearinghouseSettlement",
  "liquidation/DutchAuction.sol/DutchAuction",
  "liquidation/LiquidationEngine.sol/LiquidationEngine",
  "risk/CircuitBreaker.sol/CircuitBreaker",
];

function loadAbis(): InterfaceAbi[] {
  return ABI_ARTIFACTS.map((a) => {
    const path = resolve("artifacts/contracts", `${a}.json`);
    if (!existsSync(path)) throw new ProposalCliError(`${path}: not built (run npm run build first)`);
    return (JSON.parse(readFileSync(path, "utf8")) as { abi: InterfaceAbi }).abi;
  });
}

/**
 * Who may make one change. The current value again is a no-op RiskConfig skips before any role
 * check (no event, no update counted), so nobody's role is needed, governance-only or not.
 */
function whoMayMake(x: RehearsalRow): string {
  if (x.proposed === x.current) return "no change";
  if (x.governanceOnly) return "timelock (governance-only)";
  return x.tightening ? "guardian or timelock" : "timelock";
}

/** The rehearsal as printed: a table of the changes, then the outcome. */
export function formatRehearsal(r: RehearsalResult, names: ReadonlyMap<string, string>): string {
  const label = (a: string) => names.get(a.toLowerCase()) ?? a;
  const header = [
    "module",
    "parameter",
    "subject",
    "current",
    "proposed",
    "max step",
    "one update",
    "who",
    "after",
  ];
  const body = r.rows.map((x) => [
    label(x.target),
    x.name,
    x.subject === "0x0000000000000000000000000000000000000000" ? "global" : label(x.subject),
    String(x.current),
    String(x.proposed),
    String(x.maxStep),
    x.withinStep ? "yes" : "NO",
    whoMayMake(x),
    x.after === undefined ? "-" : String(x.after),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const outcome =
    r.revert === undefined
      ? `executed through the timelock (delay ${r.delaySeconds} s; proposer ${r.proposer}, executor ${r.executor})`
      : `REVERTS at execution: ${r.revert}`;
  const unchanged = r.rows.filter((x) => x.proposed === x.current).length;
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...body.map(line),
    "",
    ...(unchanged > 0
      ? [
          `WARNING ${unchanged} of the ${r.rows.length} changes equal the current value: RiskConfig skips them (no event); is the diff stale?`,
        ]
      : []),
    outcome,
    r.restored
      ? "the node's state is restored (--keep keeps the executed proposal)"
      : "kept on the node (--keep)",
  ].join("\n");
}

/**
 * `message` without `url`: a node's URL often carries an API key (in its path, query or user
 * part), and ethers' errors quote it (`info={ "requestUrl": ... }`); only its host is shown.
 */
export function hideUrl(message: string, url: string | undefined): string {
  if (url === undefined) return message;
  let host = "the node";
  let rest: string[] = [];
  try {
    const u = new URL(url);
    host = u.host;
    rest = [`${u.pathname}${u.search}${u.hash}`, u.username, u.password].filter((x) => x.length > 1);
  } catch {
    // not a URL: hide it whole
  }
  let out = message.split(url).join(host);
  for (const part of rest) out = out.split(part).join("<hidden>");
  return out;
}

/** Runs the command; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const cmd = new Command("proposal:rehearse")
    .description("Rehearse a risk-parameter proposal through the deployment's timelock on a development node")
    .argument("<diff.json>", "the diff: [{ target, name, subject, value }]")
    .requiredOption("--deployment <file>", "the deployment record (deployments/<network>.json)")
    .option("--rpc-url <url>", "the development node (a local node or a fork)", "http://127.0.0.1:8545")
    .option("--keep", "keep the executed proposal on the node", false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
  let provider: JsonRpcProvider | undefined;
  const say = (m: string) =>
    console.error(`proposal:rehearse: ${hideUrl(m, cmd.opts<{ rpcUrl?: string }>().rpcUrl)}`);
  try {
    if (parseCommandLine(cmd, argv) === "help") return 0;
    const o = cmd.opts<{ deployment: string; rpcUrl: string; keep: boolean }>();
    const diffPath = cmd.args[0];
    const record = readJson(o.deployment, "--deployment");
    const addresses = deploymentAddresses(record, o.deployment);
    const diff = readJson(diffPath, "diff");
    const batch = buildParamProposal(addresses.riskConfig, diff, diffPath, addresses);
    const changes = parseParamDiff(diff, diffPath);
    const abis = loadAbis();
    provider = new JsonRpcProvider(o.rpcUrl, undefined, { staticNetwork: true });
    const r = record as { proposers?: string[]; executors?: string[] };
    const result = await rehearseProposal(
      provider,
      { addresses, proposers: r.proposers, executors: r.executors },
      changes,
      batch,
      abis,
      { keep: o.keep },
    );
    const names = new Map(Object.entries(addresses).map(([k, v]) => [v.toLowerCase(), k]));
    console.log(formatRehearsal(result, names));
    return result.revert === undefined ? 0 : 1;
  } catch (e) {
    if (e instanceof ProposalCliError || e instanceof ProposalValidationError) {
      say(e.message);
      return 2;
    }
    if (e instanceof RehearsalError) {
      say(e.message);
      return 1;
    }
    say(`failed: ${(e as Error).message.split("\n")[0]}`);
    return 1;
  } finally {
    provider?.destroy();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
