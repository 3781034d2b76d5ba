/**
 * Where the market data lives, and the report of every defect cleaned out of it.
 *
 * The data (../shared/data, see its README.md) is never copied into the repo. The directory is:
 * 1. `BALLAST_DATA_DIR` if set (absolute, or relative to the current directory);
 * 2. otherwise the first existing `shared/data` directory found from the repo's parent upwards
 *    (`<repo>/../shared/data` for a normal checkout; a git worktree one level deeper also finds it).
 * A missing file is a `MissingDataError` that names the path and says where data is expected.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root (two levels above this file). */
export function repoRoot(): string {
  return fileURLToPath(new URL("../../", import.meta.url)).replace(/[\\/]$/, "");
}

/** Candidate data directories, in the order they are tried (when BALLAST_DATA_DIR is unset). */
export function defaultDataDirCandidates(): string[] {
  const out: string[] = [];
  let dir = dirname(repoRoot());
  for (;;) {
    out.push(join(dir, "shared", "data"));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return out;
}

/** The market data directory (see the module comment). Does not check that it exists. */
export function resolveDataDir(override?: string): string {
  if (override !== undefined) return resolve(override);
  const env = process.env.BALLAST_DATA_DIR;
  if (env !== undefined && env !== "") return resolve(env);
  const candidates = defaultDataDirCandidates();
  for (const c of candidates) {
    if (existsSync(c) && statSync(c).isDirectory()) return c;
  }
  return candidates[0];
}

/** A data file that is not there. */
export class MissingDataError extends Error {
  constructor(readonly path: string) {
    super(
      `market data file not found: ${path}\n` +
        `  Market data is expected in <repo>/../shared/data (here ${defaultDataDirCandidates()[0]}), ` +
        `or in the directory named by the environment variable BALLAST_DATA_DIR` +
        (process.env.BALLAST_DATA_DIR ? ` (now ${process.env.BALLAST_DATA_DIR})` : "") +
        `; see ../shared/data/README.md for the files.`,
    );
    this.name = "MissingDataError";
  }
}

/** Absolute path of a data file (relative names are taken inside the data directory). */
export function dataFile(name: string, dataDir?: string): string {
  const path = isAbsolute(name) ? name : join(resolveDataDir(dataDir), name);
  if (!existsSync(path)) throw new MissingDataError(path);
  return path;
}

/** Kinds of defect the loaders clean. */
export type DataFixKind =
  /** a high or low far beyond the candle's body and its neighbours: clamped to the body */
  | "bad-wick"
  /** high below the body or low above it: widened to the body */
  | "inconsistent-candle"
  /** a flat candle with no volume that is not the previous close (e.g. BTC's 10,000 start) */
  | "placeholder"
  /** a flat candle with no volume equal to the previous close: kept, noted */
  | "no-trade"
  /** an interval with no row: forward-filled from the previous close (back-filled at the start) */
  | "missing-interval"
  /** a repeated timestamp: the first row kept */
  | "duplicate"
  /** rows out of time order: sorted */
  | "out-of-order"
  /** a unit different from the documented one (e.g. gas in wei): converted */
  | "unit"
  /** timestamps that do not match the file's nominal date: re-based to it */
  | "date-mismatch"
  /** rows on a local clock, not UTC (the stress days' pool reserves: US Pacific): placed at their UTC times */
  | "time-zone";

/** One cleaned defect. */
export interface DataFix {
  readonly file: string;
  readonly kind: DataFixKind;
  /** Epoch seconds (UTC) of the affected row, when there is one. */
  readonly time?: number;
  /** The field changed, e.g. "high". */
  readonly field?: string;
  readonly from?: number;
  readonly to?: number;
  /** One line for a human. */
  readonly detail: string;
}

/** Every fix made while loading data, in the order made. */
export class DataReport {
  private readonly list: DataFix[] = [];

  get fixes(): readonly DataFix[] {
    return this.list;
  }

  add(fix: DataFix): void {
    this.list.push(fix);
  }

  merge(other: DataReport): void {
    for (const f of other.fixes) this.list.push(f);
  }

  /** The fixes of rows in [fromEpoch, toEpoch] plus the fixes without a time. */
  within(fromEpoch: number, toEpoch: number): DataReport {
    const out = new DataReport();
    for (const f of this.list) {
      if (f.time === undefined || (f.time >= fromEpoch && f.time <= toEpoch)) out.add(f);
    }
    return out;
  }

  /** Number of fixes per kind (kinds in first-seen order). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const f of this.list) out[f.kind] = (out[f.kind] ?? 0) + 1;
    return out;
  }

  /** Human-readable lines, one per fix. */
  format(): string[] {
    return this.list.map((f) => {
      const when = f.time === undefined ? "" : ` ${isoTime(f.time)}`;
      return `${f.file}${when} ${f.kind}: ${f.detail}`;
    });
  }

  toJSON(): DataFix[] {
    return this.list.slice();
  }
}

/** "YYYY-MM-DDTHH:MM:SSZ" for epoch seconds. */
export function isoTime(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or ISO "YYYY-MM-DDTHH:MM:SS[.fff...]Z" as UTC;
 * returns epoch seconds (fractions dropped) or undefined when the text is not such a time.
 */
export function parseUtc(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]00:?00)?$/.exec(
    text.trim(),
  );
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? "0", m[5] ?? "0", m[6] ?? "0"].map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCDate() !== d) return undefined; // e.g. 2021-02-30
  return ms / 1000;
}
