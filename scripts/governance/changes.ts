/**
 * What a proposed parameter file changes against the current one, as governance would have to
 * make it (`npm run sim -- --compare-params <file>`, docs/simulation.md): each registered parameter
 * whose value differs, with who may move it (the guardian tightens at once, loosening goes
 * through the timelock; governance-only parameters always do) and how many updates its max step
 * needs; and every other field that differs, which no RiskConfig update reaches.
 */
import { PARAM_RULES } from "../deploy/rules.js";
import type { DeployParams } from "../deploy/params.js";
import { paramSteps } from "./steps.js";

/** One registered parameter the proposal moves. */
export interface ParamChangeRow {
  module: string;
  name: string;
  /** `"global"`, or the asset's symbol. */
  subject: string;
  /** The file's field. */
  path: string;
  /** The values as the files write them. */
  from: string;
  to: string;
  /** On-chain values (what `npm run proposal` would submit). */
  fromChain: bigint;
  toChain: bigint;
  /** Who may make the change: the guardian only tightens. */
  who: "guardian" | "timelock";
  /** Updates the change needs at the max step registered for the current value. */
  updates: bigint;
}

/** What the proposal changes: RiskConfig parameters, and fields no parameter update reaches. */
export interface ParamFileChanges {
  /** The assets' symbols, in the files' order (the same in both): `assets.<i>` is `symbols[i]`. */
  symbols: string[];
  params: ParamChangeRow[];
  /** File fields (dotted paths) that differ and are not registered parameters. */
  other: string[];
}

/** Leaf paths of a JSON value (`a.b.0.c`), `$comment` fields left out. */
function leaves(x: unknown, prefix: string, out: Map<string, string>): void {
  if (x !== null && typeof x === "object") {
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
      if (k === "$comment") continue;
      leaves(v, prefix === "" ? k : `${prefix}.${k}`, out);
    }
    return;
  }
  out.set(prefix, JSON.stringify(x));
}

/**
 * Compares two parameter files for the same assets.
 * @throws Error when the files do not list the same assets in the same order (a proposal changes
 *         parameters; listing an asset is another governance act).
 */
export function paramFileChanges(current: DeployParams, proposed: DeployParams): ParamFileChanges {
  const symbols = (p: DeployParams) => p.assets.map((a) => a.symbol).join(", ");
  if (symbols(current) !== symbols(proposed))
    throw new Error(
      `the proposed file lists the assets ${symbols(proposed)}, the current one ${symbols(current)}: a parameter proposal changes parameters of the listed assets only`,
    );
  const before = paramSteps(current);
  // by parameter, not by position: a market added or removed shifts every later registration
  const key = (r: { module: string; name: string; subject: string }) => `${r.module}.${r.name}.${r.subject}`;
  const after = new Map(paramSteps(proposed).map((r) => [key(r), r]));
  const params: ParamChangeRow[] = [];
  // the fields an update reaches: registered in both files (a market listed in one only is not)
  const registered = new Set<string>();
  for (const b of before) {
    const a = after.get(key(b));
    if (a === undefined) continue;
    registered.add(b.path);
    if (a.value === b.value) continue;
    const rule = PARAM_RULES[b.module][b.name];
    const safer = "higherIsSafer" in rule && (rule.higherIsSafer ? a.value > b.value : a.value < b.value);
    const distance = a.value > b.value ? a.value - b.value : b.value - a.value;
    params.push({
      module: b.module,
      name: b.name,
      subject: b.subject,
      path: b.path,
      from: b.shown.value,
      to: a.shown.value,
      fromChain: b.value,
      toChain: a.value,
      who: safer ? "guardian" : "timelock",
      updates: (distance + b.maxStep - 1n) / b.maxStep,
    });
  }
  const l0 = new Map<string, string>();
  const l1 = new Map<string, string>();
  leaves(current, "", l0);
  leaves(proposed, "", l1);
  const other = [...new Set([...l0.keys(), ...l1.keys()])]
    .filter((k) => l0.get(k) !== l1.get(k) && !registered.has(k))
    .sort();
  return { symbols: current.assets.map((a) => a.symbol), params, other };
}

/** The changes as the command line prints them. */
export function formatParamFileChanges(c: ParamFileChanges): string {
  if (c.params.length === 0 && c.other.length === 0) return "the proposed file changes nothing";
  const lines: string[] = [];
  if (c.params.length > 0) {
    const header = ["parameter", "subject", "current", "proposed", "who", "updates"];
    const body = c.params.map((r) => [
      `${r.module}.${r.name}`,
      r.subject,
      r.from,
      r.to,
      r.who === "guardian" ? "guardian (tightens)" : "timelock",
      String(r.updates),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
    const line = (row: string[]) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]))
        .join("  ")
        .trimEnd();
    lines.push(line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line));
  }
  if (c.other.length > 0)
    lines.push(
      `${lines.length > 0 ? "\n" : ""}not reachable by a parameter update (a redeployment or another governance call): ${c.other.join(", ")}`,
    );
  return lines.join("\n");
}

/** One entry of a proposal diff (`npm run proposal`'s input), values as decimal strings. */
export interface DiffEntry {
  target: string;
  name: string;
  subject: string;
  value: string;
}

/**
 * The proposal diff of `changes` for a deployment: each parameter's module address and asset
 * address from the deployment record's `addresses` (the zero address for a global one), the
 * proposed on-chain value. `warnings` name what the diff cannot carry: fields no parameter update
 * reaches, and changes beyond one update's max step (the batch would revert; split it).
 * @throws Error naming a module or an asset the record does not list.
 */
export function proposalDiff(
  changes: ParamFileChanges,
  addresses: Readonly<Record<string, string>>,
): { diff: DiffEntry[]; warnings: string[] } {
  const warnings: string[] = [];
  const diff = changes.params.map((r) => {
    const target = addresses[r.module];
    if (target === undefined) throw new Error(`the deployment record lists no ${r.module} (for ${r.name})`);
    const subject =
      r.subject === "global" ? "0x0000000000000000000000000000000000000000" : addresses[r.subject];
    if (subject === undefined)
      throw new Error(`the deployment record lists no asset ${r.subject} (for ${r.module}.${r.name})`);
    if (r.updates > 1n)
      warnings.push(
        `${r.module}.${r.name} (${r.subject}) ${r.from} -> ${r.to} needs ${r.updates} updates at its max step: one batch reverts (RiskConfig__StepTooLarge); propose it in steps`,
      );
    return { target, name: r.name, subject, value: r.toChain.toString() };
  });
  if (changes.other.length > 0)
    warnings.push(`not in the diff, no parameter update reaches them: ${changes.other.join(", ")}`);
  return { diff, warnings };
}
