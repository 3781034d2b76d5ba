/**
 * Output of the gas benchmark: a plain-text table for the terminal and the JSON document
 * `{ gas, targets, meta }` written by `npm run bench -- --out <file>`.
 */
import { z } from "zod";

import type { GasRow } from "./gas.js";

export interface BenchMeta {
  solc: string;
  optimizerRuns: number;
  timestamp: string;
}

export interface BenchJson {
  gas: Record<string, number>;
  targets: Record<string, number>;
  meta: BenchMeta;
}

const toNumber = (x: bigint | number): number => (typeof x === "bigint" ? Number(x) : x);
/** `12,345`: integers with thousands separators, as every bench table prints them. */
export const thousands = (x: number): string => x.toLocaleString("en-US");

/**
 * A markdown table with padded columns: the first column (a name) left-aligned, the others
 * right-aligned unless `numeric` says which ones are numbers.
 */
export function markdownTable(
  header: readonly string[],
  body: readonly (readonly string[])[],
  numeric: (column: number) => boolean = (i) => i > 0,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (numeric(i) ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [line(header), rule, ...body.map(line)].join("\n");
}

/** Verdict of one row: "yes" / "NO (+n)" against its target, "-" without one, "n/a" if not measured. */
export function verdict(gas: bigint | number | undefined, target: number | undefined): string {
  if (gas === undefined) return "n/a";
  if (target === undefined) return "-";
  const g = toNumber(gas);
  return g <= target ? "yes" : `NO (+${thousands(g - target)})`;
}

/** The table `operation | gas | target | anchor | met`, rows in `rows` order, then any extra keys. */
export function formatTable(
  gas: Record<string, bigint | number>,
  rows: readonly GasRow[],
  valueHeader = "gas",
): string {
  const known = new Set(rows.map((r) => r.key));
  const all: GasRow[] = [
    ...rows,
    ...Object.keys(gas)
      .filter((k) => !known.has(k))
      .map((key) => ({ key, operation: key, anchor: "-" })),
  ];
  const header = ["operation", valueHeader, "target", "anchor", "target met"];
  const body = all.map((r) => {
    const g = gas[r.key];
    return [
      r.operation,
      g === undefined ? "n/a" : Number.isInteger(toNumber(g)) ? thousands(toNumber(g)) : String(toNumber(g)),
      r.target === undefined ? "-" : `<= ${thousands(r.target)}`,
      r.anchor,
      verdict(g, r.target),
    ];
  });
  return markdownTable(header, body, (i) => i === 1 || i === 2);
}

/**
 * The JSON document: gas as plain numbers (every value is far below 2^53), keys in `rows` order
 * then any extra keys.
 */
export function toBenchJson(
  gas: Record<string, bigint | number>,
  targets: Record<string, number>,
  meta: BenchMeta,
  rows: readonly GasRow[] = [],
): BenchJson {
  const out: Record<string, number> = {};
  for (const r of rows) if (gas[r.key] !== undefined) out[r.key] = toNumber(gas[r.key]);
  for (const [k, v] of Object.entries(gas)) if (!(k in out)) out[k] = toNumber(v);
  return { gas: out, targets: { ...targets }, meta };
}

/** A bench JSON read back for `--compare`: only its gas rows matter (speed does not repeat). */
const BenchFileSchema = z.object({
  gas: z.record(z.string(), z.number().int().nonnegative()),
});

/**
 * The gas rows of a file written by `npm run bench -- --out`; throws an error that names the file
 * and what is wrong with it (not JSON, no `gas` object, a row that is not a gas figure).
 */
export function parseBenchGas(text: string, file: string): Record<string, number> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  const parsed = BenchFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue.path.length === 0 ? "the document" : issue.path.join(".");
    throw new Error(`${file}: not a bench result (${where}: ${issue.message}); write one with --out`);
  }
  return parsed.data.gas;
}

/**
 * `operation | before | now | change | now/before` for every row measured in both runs (gas is
 * deterministic on the in-process chain, so two runs compare exactly), then the rows only one
 * side has.
 */
export function formatComparison(
  before: Record<string, number>,
  now: Record<string, bigint | number>,
  rows: readonly GasRow[],
): string {
  const names = new Map(rows.map((r) => [r.key, r.operation]));
  const keys = [...new Set([...rows.map((r) => r.key), ...Object.keys(now), ...Object.keys(before)])].filter(
    (k) => k in before || k in now,
  );
  const header = ["operation", "before", "now", "change", "now/before"];
  const body = keys.map((k) => {
    const b = before[k];
    const n = now[k] === undefined ? undefined : toNumber(now[k]);
    const cells = [
      names.get(k) ?? k,
      b === undefined ? "n/a" : thousands(b),
      n === undefined ? "n/a" : thousands(n),
    ];
    if (b === undefined || n === undefined) return [...cells, "-", "-"];
    const d = n - b;
    return [...cells, `${d > 0 ? "+" : ""}${thousands(d)}`, b === 0 ? "-" : (n / b).toFixed(3)];
  });
  return markdownTable(header, body);
}

/** EIP-170: the largest deployed code a contract may have, bytes. */
export const CODE_SIZE_LIMIT = 24_576;

/** The deployed code size of `deployedBytecode` (0x-prefixed hex), bytes. */
export function codeSize(deployedBytecode: string): number {
  return (deployedBytecode.length - 2) / 2;
}

/** `contract | bytes | headroom` against EIP-170's limit, largest first. */
export function formatSizes(sizes: Record<string, number>): string {
  const body = Object.entries(sizes)
    .sort(([, a], [, b]) => b - a)
    .map(([name, bytes]) => [name, thousands(bytes), thousands(CODE_SIZE_LIMIT - bytes)]);
  const header = ["contract", "bytes", `headroom to ${thousands(CODE_SIZE_LIMIT)}`];
  return markdownTable(header, body);
}
