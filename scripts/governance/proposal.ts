/**
 * Turns a risk-parameter JSON diff into a TimelockController batch that calls
 * `RiskConfig.setParams` once with every change.
 *
 * Input (validated here, at the edge):
 *   [{ "target": "0x...", "name": "haircut", "subject": "0x...", "value": "300000000000000000" }]
 * - target, subject: addresses (subject is the zero address for global parameters);
 * - name: short text (at most 31 UTF-8 bytes), encoded with ethers.encodeBytes32String;
 * - value: a decimal uint256 string (strings, not JSON numbers, so no precision is lost).
 * A parameter may appear once per diff: RiskConfig allows one update per parameter per block.
 *
 * Output: `{ targets, values, payloads }`, the arguments of
 * `TimelockController.scheduleBatch(targets, values, payloads, predecessor, salt, delay)`.
 *
 * With the deployment's addresses (the `addresses` of `deployments/<network>.json`, as
 * scripts/deploy.ts writes it) every entry is also checked against the deployment: the target is
 * one of the five parameter modules, the name is registered for it (the rule tables of
 * scripts/deploy/system.ts), the subject is one of the deployment's assets for a per-asset
 * parameter and the zero address for a global one, and the value lies in the module's hard bounds.
 * Without them only the format is checked (a RiskConfig may govern other targets). The command
 * line (`npm run proposal -- <diff.json> --deployment <file>`, scripts/governance/cli.ts) always
 * passes them.
 */
import { Interface, ZeroAddress, encodeBytes32String, getAddress, isAddress, toUtf8Bytes } from "ethers";
import { z } from "zod";

import { PARAM_BOUNDS, PARAM_MODULES, type ParamModule } from "../deploy/params.js";
import { PARAM_RULES } from "../deploy/system.js";

/** One call batch for `TimelockController.scheduleBatch` / `executeBatch`. */
export interface TimelockBatch {
  targets: string[];
  values: bigint[];
  payloads: string[];
}

/** One validated entry of the diff. */
export interface ParamChange {
  target: string;
  name: string;
  subject: string;
  value: bigint;
}

/** Thrown when the diff is invalid; `issues` name the field and the index of every problem. */
export class ProposalValidationError extends Error {
  readonly issues: readonly string[];

  constructor(source: string, issues: readonly string[]) {
    super(`invalid risk-parameter diff (${source}):\n  ${issues.join("\n  ")}`);
    this.name = "ProposalValidationError";
    this.issues = issues;
  }
}

/** The RiskConfig entry point the batch calls (IRiskConfig.setParams). */
export const SET_PARAMS_FRAGMENT =
  "function setParams(address[] targets, bytes32[] names, address[] subjects, uint256[] newValues)";

const MAX_UINT256 = (1n << 256n) - 1n;

const address = z
  .string({ required_error: "is required", invalid_type_error: "must be a string" })
  .transform((s, ctx) => {
    const input: string = s; // isAddress narrows `s` to never in the failing branch
    if (!isAddress(s)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `must be a 0x-prefixed 20-byte address, got "${input}"`,
      });
      return z.NEVER;
    }
    return getAddress(s);
  });

const nonZeroAddress = address.refine((s) => s !== ZeroAddress, { message: "must not be the zero address" });

const paramName = z
  .string({ required_error: "is required", invalid_type_error: "must be a string" })
  .min(1, { message: "must not be empty" })
  .refine((s) => toUtf8Bytes(s).length <= 31, { message: "must be at most 31 UTF-8 bytes (bytes32 string)" });

const uint256 = z
  .string({
    required_error: "is required",
    invalid_type_error: "must be a decimal string (not a JSON number)",
  })
  .transform((s, ctx) => {
    if (!/^(0|[1-9][0-9]*)$/.test(s)) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `must be a decimal integer string without sign, leading zeros or exponent, got "${s}"`,
      });
      return z.NEVER;
    }
    const v = BigInt(s);
    if (v > MAX_UINT256) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: "must fit in uint256" });
      return z.NEVER;
    }
    return v;
  });

const changeSchema = z
  .object({ target: nonZeroAddress, name: paramName, subject: address, value: uint256 })
  .strict();

const diffSchema = z
  .array(changeSchema, { invalid_type_error: "must be an array of changes" })
  .min(1, { message: "must contain at least one change" })
  .superRefine((changes, ctx) => {
    const firstIndex = new Map<string, number>();
    changes.forEach((c, i) => {
      const key = `${c.target}|${c.name}|${c.subject}`;
      const first = firstIndex.get(key);
      if (first === undefined) firstIndex.set(key, i);
      else
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [i],
          message: `changes the same parameter as [${first}] (one update per parameter per batch)`,
        });
    });
  });

function formatPath(path: readonly (string | number)[]): string {
  return "diff" + path.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
}

/**
 * Validates a JSON diff (already parsed, e.g. from `JSON.parse`) and returns the changes.
 * @param source Where the diff came from (a file name), used in error messages.
 * @throws ProposalValidationError naming the index and field of every problem.
 */
export function parseParamDiff(diff: unknown, source = "input"): ParamChange[] {
  const result = diffSchema.safeParse(diff);
  if (!result.success) {
    throw new ProposalValidationError(
      source,
      result.error.issues.map((issue) => {
        const extra =
          issue.code === z.ZodIssueCode.unrecognized_keys
            ? ` (${issue.keys.map((k) => `"${k}"`).join(", ")})`
            : "";
        return `${formatPath(issue.path)}: ${issue.message}${extra}`;
      }),
    );
  }
  return result.data;
}

/**
 * Parameters that take the zero subject, by module (every other registered one takes an asset),
 * mirrored from the modules' subject checks: ClearinghouseParams._isGlobal,
 * LiquidationEngineParams._checkSubject (only ASSET_TAB_CAP_WAD is per asset),
 * CircuitBreakerParams._isAssetParam (DROP_TOLERANCE_WAD, VELOCITY_CAPACITY_WAD are per asset);
 * the MarginModel's and the DutchAuction's are all per asset.
 */
export const GLOBAL_PARAMS: Readonly<Record<ParamModule, readonly string[]>> = {
  marginModel: [],
  clearinghouse: [
    "STABILITY_FEE_PER_SECOND_RAY",
    "DEBT_CEILING_WAD",
    "MIN_DEBT_WAD",
    "PRICE_MAX_AGE_SECONDS",
  ],
  liquidationEngine: [
    "TARGET_HEALTH_WAD",
    "PENALTY_WAD",
    "PERP_PENALTY_WAD",
    "PERP_KEEPER_SHARE_WAD",
    "DUST_DEBT_WAD",
    "MAX_TAB_IN_FLIGHT_WAD",
    "WINDOW_SECONDS",
    "WINDOW_CAPACITY_WAD",
  ],
  dutchAuction: [],
  circuitBreaker: [
    "VELOCITY_WINDOW_SECONDS",
    "BAD_DEBT_WINDOW_SECONDS",
    "BAD_DEBT_SHARE_WAD",
    "COOLDOWN_SECONDS",
  ],
};

/** The deployment's contracts by name: the `addresses` of `deployments/<network>.json`. */
export type DeploymentAddresses = Readonly<Record<string, string>>;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row.push(Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length];
}

function suggestion(name: string, known: readonly string[]): string {
  const best = known.map((k) => ({ k, d: distance(name.toUpperCase(), k) })).sort((x, y) => x.d - y.d)[0];
  return best !== undefined && best.d <= 3 ? ` (did you mean ${best.k}?)` : "";
}

/**
 * Checks validated changes against a deployment (see the module comment); returns the issues,
 * each naming the entry's index and field.
 */
export function checkAgainstDeployment(
  changes: readonly ParamChange[],
  deployment: DeploymentAddresses,
): string[] {
  const norm = (a: string) => (isAddress(a) ? getAddress(a) : a);
  const moduleAt = new Map<string, ParamModule>();
  for (const m of PARAM_MODULES) if (deployment[m] !== undefined) moduleAt.set(norm(deployment[m]), m);
  // assets: the symbols the deployment record lists with a feed (`WETH` beside `WETHFeed`)
  const assets = new Map<string, string>();
  for (const [k, v] of Object.entries(deployment))
    if (deployment[`${k}Feed`] !== undefined) assets.set(norm(v), k);
  const nameOf = new Map(Object.entries(deployment).map(([k, v]) => [norm(v), k]));
  const modules = PARAM_MODULES.filter((m) => deployment[m] !== undefined);

  const issues: string[] = [];
  changes.forEach((c, i) => {
    const at = `diff[${i}]`;
    const module = moduleAt.get(c.target);
    if (module === undefined) {
      const other = nameOf.get(c.target);
      issues.push(
        `${at}.target: ${c.target} is ${other === undefined ? "not a contract of this deployment" : `the ${other}, not a parameter module`} (modules: ${modules.map((m) => `${m} ${norm(deployment[m])}`).join(", ")})`,
      );
      return;
    }
    const known = Object.keys(PARAM_RULES[module]);
    if (!known.includes(c.name)) {
      issues.push(
        `${at}.name: "${c.name}" is not a registered ${module} parameter${suggestion(c.name, known)} (known: ${known.join(", ")})`,
      );
      return;
    }
    const global = GLOBAL_PARAMS[module].includes(c.name);
    if (global && c.subject !== ZeroAddress)
      issues.push(`${at}.subject: ${c.name} is a global parameter: the subject must be the zero address`);
    if (!global && !assets.has(c.subject)) {
      const listed = [...assets].map(([a, sym]) => `${sym} ${a}`).join(", ");
      issues.push(
        `${at}.subject: ${c.name} is a per-asset parameter: the subject must be one of the deployment's assets (${listed}), got ${c.subject === ZeroAddress ? "the zero address" : c.subject}`,
      );
    }
    const [min, max] = PARAM_BOUNDS[module][c.name] ?? [0n, MAX_UINT256];
    if (c.value < min || c.value > max)
      issues.push(`${at}.value: ${c.value} is outside ${module}'s bounds for ${c.name}: ${min} to ${max}`);
  });
  return issues;
}

/**
 * Builds the timelock batch for a JSON diff: one call to `riskConfig.setParams`.
 * @param riskConfig Address of the RiskConfig contract.
 * @param diff The parsed JSON diff (unvalidated).
 * @param source Where the diff came from (a file name), used in error messages.
 * @param deployment The deployment's addresses; when given, every entry is checked against it
 *        (module, registered name, subject kind, bounds) and `riskConfig` must be its RiskConfig.
 */
export function buildParamProposal(
  riskConfig: string,
  diff: unknown,
  source = "input",
  deployment?: DeploymentAddresses,
): TimelockBatch {
  if (!isAddress(riskConfig) || getAddress(riskConfig) === ZeroAddress) {
    throw new ProposalValidationError(source, [
      `riskConfig: must be a non-zero address, got "${riskConfig}"`,
    ]);
  }
  if (
    deployment !== undefined &&
    (deployment.riskConfig === undefined ||
      !isAddress(deployment.riskConfig) ||
      getAddress(deployment.riskConfig) !== getAddress(riskConfig))
  ) {
    throw new ProposalValidationError(source, [
      `riskConfig: ${riskConfig} is not the deployment's RiskConfig (${deployment.riskConfig ?? "none listed"})`,
    ]);
  }
  const changes = parseParamDiff(diff, source);
  if (deployment !== undefined) {
    const issues = checkAgainstDeployment(changes, deployment);
    if (issues.length > 0) throw new ProposalValidationError(source, issues);
  }
  const payload = new Interface([SET_PARAMS_FRAGMENT]).encodeFunctionData("setParams", [
    changes.map((c) => c.target),
    changes.map((c) => encodeBytes32String(c.name)),
    changes.map((c) => c.subject),
    changes.map((c) => c.value),
  ]);
  return { targets: [getAddress(riskConfig)], values: [0n], payloads: [payload] };
}
