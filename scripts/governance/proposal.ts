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
 */
import { Interface, ZeroAddress, encodeBytes32String, getAddress, isAddress, toUtf8Bytes } from "ethers";
import { z } from "zod";

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
 * Builds the timelock batch for a JSON diff: one call to `riskConfig.setParams`.
 * @param riskConfig Address of the RiskConfig contract.
 * @param diff The parsed JSON diff (unvalidated).
 * @param source Where the diff came from (a file name), used in error messages.
 */
export function buildParamProposal(riskConfig: string, diff: unknown, source = "input"): TimelockBatch {
  if (!isAddress(riskConfig) || getAddress(riskConfig) === ZeroAddress) {
    throw new ProposalValidationError(source, [
      `riskConfig: must be a non-zero address, got "${riskConfig}"`,
    ]);
  }
  const changes = parseParamDiff(diff, source);
  const payload = new Interface([SET_PARAMS_FRAGMENT]).encodeFunctionData("setParams", [
    changes.map((c) => c.target),
    changes.map((c) => encodeBytes32String(c.name)),
    changes.map((c) => c.subject),
    changes.map((c) => c.value),
  ]);
  return { targets: [getAddress(riskConfig)], values: [0n], payloads: [payload] };
}
