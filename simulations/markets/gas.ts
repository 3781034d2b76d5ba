/**
 * Gas prices for the simulation: a constant, a piecewise schedule, or a replay of a stress day's
 * ten-minute gas statistics (`stress-days/DATE.gas.json`).
 *
 * The gas files are pandas "table" JSON (`{schema, data}`) with `avgGasDay` and the percentiles
 * `30.0 Perc` .. `100.0 Perc`. Defects cleaned (and reported):
 * - the values are in wei although the README says gwei: converted to gwei (`unit`);
 * - `2021-02-22.gas.json` carries timestamps of 2020-02-22 (gas of 5-15 gwei, a year before the
 *   day it is filed under): the rows are re-based to the file's date (`date-mismatch`);
 * - duplicates, out-of-order and missing ten-minute rows are handled as for candles
 *   (first kept, sorted, forward-filled).
 * The `datetime` column is a 12-hour clock without AM/PM and is ignored; `timestamp` is used.
 */
import { readFileSync } from "node:fs";
import { DataReport, dataFile, isoTime, parseUtc } from "./data.js";
import { DataFormatError, stressDayFile } from "./replay.js";

/** Statistic of a gas file: the ten-minute average or a percentile. */
export type GasField = "avg" | "p30" | "p60" | "p90" | "p100";

const FIELD_COLUMNS: Readonly<Record<GasField, string>> = {
  avg: "avgGasDay",
  p30: "30.0 Perc",
  p60: "60.0 Perc",
  p90: "90.0 Perc",
  p100: "100.0 Perc",
};

/** A regular series of gas prices in gwei: `gwei[i]` holds from `startEpoch + i * intervalSeconds`. */
export interface GasSeries {
  readonly file: string;
  readonly startEpoch: number;
  readonly intervalSeconds: number;
  readonly field: GasField;
  readonly gwei: Float64Array;
}

/** Anything that gives the gas price (gwei) at a time in seconds since the start of the run. */
export interface GasModel {
  gweiAt(tSeconds: number): number;
}

/** Values above this are taken to be wei, not gwei (no real gas price reaches 1e6 gwei). */
const WEI_THRESHOLD = 1e6;

/** Loads one statistic of a stress day's gas file, in gwei, 144 ten-minute values. */
export function loadStressDayGas(
  date: string,
  field: GasField = "avg",
  options: { readonly dataDir?: string } = {},
): { series: GasSeries; report: DataReport } {
  const path = dataFile(stressDayFile(date, "gas"), options.dataDir);
  const report = new DataReport();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new DataFormatError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  const data = (raw as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new DataFormatError(`${path}: expected {schema, data} with a data array`);
  const column = FIELD_COLUMNS[field];
  const dayStart = parseUtc(date) as number;
  const rows = data.map((row: unknown, i) => {
    const r = row as Record<string, unknown>;
    const time = typeof r.timestamp === "string" ? parseUtc(r.timestamp) : undefined;
    if (time === undefined) throw new DataFormatError(`${path}: data[${i}].timestamp: expected an ISO time`);
    const v = r[column];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new DataFormatError(`${path}: data[${i}]["${column}"]: expected a non-negative number`);
    }
    return { time, value: v };
  });
  if (rows.length === 0) throw new DataFormatError(`${path}: no rows`);

  // Date mismatch: re-base to the nominal day, keeping the time of day.
  const firstDay = Math.floor(rows[0].time / 86_400) * 86_400;
  if (firstDay !== dayStart) {
    report.add({
      file: path,
      kind: "date-mismatch",
      detail: `timestamps start on ${isoTime(firstDay).slice(0, 10)}, not ${date}; re-based to ${date}`,
    });
    for (const r of rows) r.time = r.time - firstDay + dayStart;
  }
  // Unit: wei -> gwei.
  if (rows.some((r) => r.value > WEI_THRESHOLD)) {
    report.add({
      file: path,
      kind: "unit",
      field: column,
      detail: `"${column}" is in wei; divided by 1e9 to gwei`,
    });
    for (const r of rows) r.value = r.value / 1e9;
  }
  // Order, duplicates, gaps over the whole day.
  if (rows.some((r, i) => i > 0 && r.time < rows[i - 1].time)) {
    rows.sort((a, b) => a.time - b.time);
    report.add({ file: path, kind: "out-of-order", detail: "rows were not in time order; sorted" });
  }
  const interval = 600;
  const byTime = new Map<number, number>();
  for (const r of rows) {
    if ((r.time - dayStart) % interval !== 0 || r.time < dayStart || r.time >= dayStart + 86_400) {
      throw new DataFormatError(`${path}: ${isoTime(r.time)} is not a ten-minute row of ${date}`);
    }
    if (byTime.has(r.time)) {
      report.add({
        file: path,
        kind: "duplicate",
        time: r.time,
        detail: "repeated timestamp; first row kept",
      });
      continue;
    }
    byTime.set(r.time, r.value);
  }
  const gwei = new Float64Array(144);
  let last: number | undefined;
  for (let i = 0; i < 144; i++) {
    const t = dayStart + i * interval;
    const v = byTime.get(t);
    if (v !== undefined) {
      gwei[i] = v;
      last = v;
      continue;
    }
    const fill = last ?? rows[0].value;
    report.add({
      file: path,
      kind: "missing-interval",
      time: t,
      detail: `no row; ${last === undefined ? "back" : "forward"}-filled at ${fill.toFixed(2)} gwei`,
    });
    gwei[i] = fill;
    last = fill;
  }
  return { series: { file: path, startEpoch: dayStart, intervalSeconds: interval, field, gwei }, report };
}

/** Gas at a constant price. */
export class ConstantGas implements GasModel {
  constructor(readonly gwei: number) {
    if (!(gwei >= 0) || !Number.isFinite(gwei)) throw new RangeError(`gas price must be >= 0, got ${gwei}`);
  }
  gweiAt(): number {
    return this.gwei;
  }
}

/** Gas along a piecewise-linear schedule of (atSeconds, gwei) points, constant outside. */
export class ScheduledGas implements GasModel {
  constructor(readonly points: readonly { readonly atSeconds: number; readonly gwei: number }[]) {
    if (points.length === 0) throw new RangeError("gas schedule needs at least one point");
    for (let i = 1; i < points.length; i++) {
      if (!(points[i].atSeconds >= points[i - 1].atSeconds))
        throw new RangeError(`gas schedule points[${i}] is out of time order`);
    }
  }
  gweiAt(t: number): number {
    return interpolate(this.points, t, (p) => p.gwei);
  }
}

/**
 * A replayed gas series: the value of the ten-minute row in force at `startEpoch + t` (step
 * function), times `scale`; the last value is held after the end of the day.
 */
export class ReplayGas implements GasModel {
  constructor(
    readonly series: GasSeries,
    readonly startEpoch: number,
    readonly scale = 1,
  ) {}
  gweiAt(t: number): number {
    const s = this.series;
    const i = Math.floor((this.startEpoch + t - s.startEpoch) / s.intervalSeconds);
    const j = Math.min(Math.max(i, 0), s.gwei.length - 1);
    return s.gwei[j] * this.scale;
  }
}

/** Piecewise-linear interpolation over time-ordered points; constant outside. */
export function interpolate<P extends { readonly atSeconds: number }>(
  points: readonly P[],
  t: number,
  value: (p: P) => number,
): number {
  if (t <= points[0].atSeconds) return value(points[0]);
  const last = points[points.length - 1];
  if (t >= last.atSeconds) return value(last);
  let i = 1;
  while (points[i].atSeconds < t) i++;
  const a = points[i - 1];
  const b = points[i];
  if (b.atSeconds === a.atSeconds) return value(b);
  const w = (t - a.atSeconds) / (b.atSeconds - a.atSeconds);
  return value(a) + w * (value(b) - value(a));
}
