/**
 * `npm run param-steps -- [params.json]`
 *
 * Prints, for every parameter a deployment registers in the RiskConfig, its hard bounds, the max
 * step the rule tables of scripts/deploy/rules.ts give it and the value the parameter file
 * registers, in the file's units, with the step as a share of the value: how far one guardian or
 * timelock update can move it (ADR 0001). Without an argument it reads
 * scripts/deploy/params/local.json. Nothing is deployed.
 *
 * Exit codes: 0 done, 2 a parameter file that cannot be read or is invalid.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

import {
  DeployParamsError,
  PARAM_BOUNDS,
  fromChain,
  loadDeployParams,
  paramRegistrations,
  paramsPathFor,
  toChain,
  type DeployParams,
  type ParamModule,
} from "../deploy/params.js";
import { PARAM_RULES, maxStepOf } from "../deploy/rules.js";

/** One registered parameter and how far one update may move it (on-chain units). */
export interface StepRow {
  module: ParamModule;
  name: string;
  /** `"global"`, or the asset's symbol. */
  subject: string;
  min: bigint;
  max: bigint;
  maxStep: bigint;
  value: bigint;
  /** The file's field the value comes from. */
  path: string;
  /** True when only the timelock may move the parameter. */
  governanceOnly: boolean;
  /** min, max, step and value as the file writes them. */
  shown: { min: string; max: string; maxStep: string; value: string };
}

/** The rows of every parameter `deploySystem` registers for `p`, in registration order. */
export function paramSteps(p: DeployParams): StepRow[] {
  return paramRegistrations(p).map((r) => {
    const rule = PARAM_RULES[r.module][r.name];
    const value = toChain(r.value, r.unit);
    const maxStep = maxStepOf(rule, value);
    const [min, max] = PARAM_BOUNDS[r.module][r.name];
    // a step is a distance: in the unit of the field, not an enum's name
    const stepUnit = r.unit.kind === "mode" ? ({ kind: "seconds" } as const) : r.unit;
    return {
      module: r.module,
      name: r.name,
      subject: r.subject,
      min,
      max,
      maxStep,
      value,
      path: r.path,
      governanceOnly: "governanceOnly" in rule,
      shown: {
        min: fromChain(min, r.unit),
        max: fromChain(max, r.unit),
        maxStep: fromChain(maxStep, stepUnit),
        value: fromChain(value, r.unit),
      },
    };
  });
}

/** The step as a share of the value, in percent rounded down to 0.1 ("-" for 0 or a mode). */
export function stepShare(row: StepRow): string {
  if (row.value === 0n || row.name === "MODE") return "-";
  const perMille = (row.maxStep * 1000n) / row.value;
  return `${perMille / 10n}.${perMille % 10n}%`;
}

/** A markdown table of the rows. */
export function formatStepTable(rows: readonly StepRow[]): string {
  const header = ["module", "name", "subject", "min", "max", "max step", "value", "step / value"];
  const lines = rows.map((r) => [
    r.module,
    r.governanceOnly ? `${r.name} (governance-only)` : r.name,
    r.subject,
    r.shown.min,
    r.shown.max,
    r.shown.maxStep,
    r.shown.value,
    stepShare(r),
  ]);
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [row(header), row(header.map(() => "---")), ...lines.map(row)].join("\n");
}

/** Runs the command; returns the table as printed. */
export function runStepsCli(argv: readonly string[]): string {
  const path = argv[0] ?? paramsPathFor("hardhat");
  const table = formatStepTable(paramSteps(loadDeployParams(path)));
  console.log(table);
  return table;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    runStepsCli(process.argv.slice(2));
  } catch (e) {
    if (!(e instanceof DeployParamsError)) throw e;
    console.error(e.message);
    process.exitCode = 2;
  }
}
