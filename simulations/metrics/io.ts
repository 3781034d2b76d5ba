/**
 * Saving and loading a run's metrics. A run directory holds:
 *   summary.json   the RunSummary (pretty-printed JSON, trailing LF)
 *   metrics.csv    one row per step, columns in `csvColumns` order
 *   metrics.jsonl  one RecordedStep per line (the lossless form the report reads)
 * The report (simulations/report) is rendered from these files only; `readRun` is its single input.
 */

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { MetricsRecorder } from "./recorder.js";
import { MetricsError, parseMetricsCsv, parseMetricsJsonl, stepsToCsv, stepsToJsonl } from "./recorder.js";
import type { RecordedStep, RunMeta, RunSummary, SummaryExtras } from "./types.js";
import { MARGIN_MODES } from "./types.js";

export const SUMMARY_FILE = "summary.json";
export const CSV_FILE = "metrics.csv";
export const JSONL_FILE = "metrics.jsonl";

/** A run as saved on disk. */
export interface SavedRun {
  /** Directory it was read from (or written to). */
  dir: string;
  summary: RunSummary;
  steps: RecordedStep[];
}

/** Paths of the files `writeRun` wrote. */
export interface WrittenRunFiles {
  summary: string;
  csv: string;
  jsonl: string;
}

/**
 * Writes summary.json, metrics.csv and metrics.jsonl into `dir` (created if missing).
 * `steps` are usually `recorder.steps` and `summary` `recorder.summarize(meta, extras)`.
 */
export async function writeRun(
  dir: string,
  steps: readonly RecordedStep[],
  summary: RunSummary,
): Promise<WrittenRunFiles> {
  await mkdir(dir, { recursive: true });
  const files: WrittenRunFiles = {
    summary: join(dir, SUMMARY_FILE),
    csv: join(dir, CSV_FILE),
    jsonl: join(dir, JSONL_FILE),
  };
  await Promise.all([
    writeFile(files.summary, JSON.stringify(summary, null, 2) + "\n"),
    writeFile(files.csv, stepsToCsv(steps)),
    writeFile(files.jsonl, stepsToJsonl(steps)),
  ]);
  return files;
}

/**
 * The end of a run in one call: summarizes the recorder and writes the three files into `dir`.
 *
 *   const recorder = new MetricsRecorder();
 *   for (...) recorder.record(step);
 *   const { summary } = await saveRecorder(outDir, recorder, meta, { wallSeconds });
 *   await writeReport(outDir); // simulations/report
 */
export async function saveRecorder(
  dir: string,
  recorder: MetricsRecorder,
  meta: RunMeta,
  extras: SummaryExtras,
): Promise<{ files: WrittenRunFiles; summary: RunSummary }> {
  const summary = recorder.summarize(meta, extras);
  const files = await writeRun(dir, recorder.steps, summary);
  return { files, summary };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Checks the fields the report relies on; errors name the file and the field. */
export function parseSummary(text: string, source = SUMMARY_FILE): RunSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new MetricsError(`${source}: invalid JSON (${(e as Error).message})`);
  }
  if (!isRecord(raw)) throw new MetricsError(`${source}: expected a JSON object`);
  if (raw.schemaVersion !== 1) throw new MetricsError(`${source}: schemaVersion must be 1`);
  if (typeof raw.scenario !== "string") throw new MetricsError(`${source}: scenario must be a string`);
  if (typeof raw.seed !== "number" && typeof raw.seed !== "string")
    throw new MetricsError(`${source}: seed must be a number or a string`);
  if (!MARGIN_MODES.includes(raw.marginMode as never))
    throw new MetricsError(`${source}: marginMode must be one of ${MARGIN_MODES.join(", ")}`);
  const numbers = [
    "badDebt",
    "deficit",
    "peakLiquidationVelocity",
    "liquidations",
    "timeAboveLevel0",
    "txCount",
    "simulatedBlocks",
    "wallSeconds",
  ];
  for (const k of numbers)
    if (typeof raw[k] !== "number") throw new MetricsError(`${source}: ${k} must be a number`);
  for (const k of ["cascadeAmplification", "auctionEfficiency"])
    if (raw[k] !== null && typeof raw[k] !== "number")
      throw new MetricsError(`${source}: ${k} must be a number or null`);
  const endFields: [string, string[]][] = [
    ["liquidatableAtEnd", ["accounts", "debtUsd"]],
    ["awaitingAuctionsAtEnd", ["accounts", "debtUsd", "tabUsd"]],
  ];
  for (const [k, fields] of endFields) {
    const v = raw[k];
    if (v === undefined) continue;
    if (!isRecord(v) || fields.some((f) => typeof v[f] !== "number"))
      throw new MetricsError(`${source}: ${k} must be an object with numbers ${fields.join(", ")}`);
  }
  if (raw.dataFixes !== undefined) {
    const fixes = raw.dataFixes;
    if (!Array.isArray(fixes)) throw new MetricsError(`${source}: dataFixes must be an array`);
    fixes.forEach((f: unknown, i) => {
      if (
        !isRecord(f) ||
        typeof f.file !== "string" ||
        typeof f.kind !== "string" ||
        typeof f.detail !== "string"
      )
        throw new MetricsError(`${source}: dataFixes[${i}] must have a file, a kind and a detail (strings)`);
    });
  }
  if (!isRecord(raw.meta)) throw new MetricsError(`${source}: meta must be an object`);
  if (!isRecord(raw.cascadeByAsset)) throw new MetricsError(`${source}: cascadeByAsset must be an object`);
  return raw as unknown as RunSummary;
}

/**
 * Reads a run directory: summary.json plus metrics.jsonl, or metrics.csv when the JSONL is
 * absent. Throws `MetricsError` naming the file when one is missing or malformed.
 */
export async function readRun(dir: string): Promise<SavedRun> {
  const read = async (name: string): Promise<string | undefined> => {
    try {
      return await readFile(join(dir, name), "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw e;
    }
  };
  const summaryText = await read(SUMMARY_FILE);
  if (summaryText === undefined) throw new MetricsError(`${join(dir, SUMMARY_FILE)}: not found`);
  const summary = parseSummary(summaryText, join(dir, SUMMARY_FILE));
  const jsonl = await read(JSONL_FILE);
  let steps: RecordedStep[];
  if (jsonl !== undefined) steps = parseMetricsJsonl(jsonl, join(dir, JSONL_FILE));
  else {
    const csv = await read(CSV_FILE);
    if (csv === undefined) throw new MetricsError(`${dir}: neither ${JSONL_FILE} nor ${CSV_FILE} found`);
    steps = parseMetricsCsv(csv, join(dir, CSV_FILE));
  }
  return { dir, summary, steps };
}
