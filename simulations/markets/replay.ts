/**
 * Historical replay: loads the hourly candle CSVs and the 10-minute stress-day JSON files of
 * ../shared/data, cleans their defects (every fix recorded in a `DataReport`), and turns a
 * candle series into a continuous price path a simulation can sample at any step.
 *
 * Cleaning, in this order (all thresholds in `CleanOptions`):
 * 1. rows sorted by time (reported once if they were not); repeated timestamps: first row kept;
 * 2. placeholders: a flat candle (open = high = low = close) with volume <= `placeholderMaxVolume`
 *    whose price is not the previous close. Leading ones are dropped (the series starts at the
 *    first real candle, e.g. BTC's first two rows at 10,000); later ones are forward-filled.
 *    A flat zero-volume candle equal to the previous close is a quiet hour: kept, noted as
 *    `no-trade`;
 * 3. missing intervals: forward-filled with a flat candle at the previous close and no volume;
 *    a gap before the first row of a stress day is back-filled at the first open;
 * 4. inconsistent candles (high below max(open, close) or low above min(open, close)): widened;
 * 5. bad wicks: a high more than `wickThreshold` (relative) above both the candle's body and the
 *    highs of its neighbours is clamped to max(open, close); a low more than `wickThreshold`
 *    below both the body and the neighbours' lows (`body / low - 1 > wickThreshold`) is clamped
 *    to min(open, close). With the default 0.3 this fixes exactly the two wicks the data README
 *    names (ETH high 323 on 2020-03-13, ETH low 1,400.73 on 2021-05-19) and keeps the real
 *    crash wicks (Black Thursday, 2020-08-02, 2021-05-19 12:00, BTC's 2021-07-26 squeeze).
 */
import { readFileSync, statSync } from "node:fs";
import { DataReport, dataFile, isoTime, parseUtc, type DataFix } from "./data.js";
import type { AssetProcess } from "./processes.js";

/** One OHLCV candle; `time` is the start of its interval (epoch seconds, UTC). */
export interface Candle {
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** A regular series of candles, cleaned: `candles[i].time === start + i * intervalSeconds`. */
export interface CandleSeries {
  /** The file it was read from (absolute path). */
  readonly file: string;
  readonly intervalSeconds: number;
  readonly candles: readonly Candle[];
}

export interface CleanOptions {
  /** Relative excess beyond body and neighbours that makes a wick bad (default 0.3). */
  readonly wickThreshold?: number;
  /** Largest volume of a flat candle treated as "no trade" (default 0.01 coin). */
  readonly placeholderMaxVolume?: number;
}

export interface LoadOptions extends CleanOptions {
  /** Data directory (default: `resolveDataDir()`). */
  readonly dataDir?: string;
}

/** Assets with hourly files, and their file names. */
export const HOURLY_FILES: Readonly<Record<string, string>> = {
  ETH: "eth-usd-1h.csv",
  BTC: "btc-usd-1h.csv",
};

/** Days with 10-minute data (`stress-days/DATE.*.json`). */
export const STRESS_DAYS = ["2020-03-12", "2020-09-05", "2021-01-11", "2021-01-21", "2021-02-22"] as const;

const DEFAULT_WICK_THRESHOLD = 0.3;
const DEFAULT_PLACEHOLDER_MAX_VOLUME = 0.01;

/** A malformed data file: the message names the file and line or row. */
export class DataFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataFormatError";
  }
}

interface MutableCandle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Parses an hourly candle CSV (`,datetime,open,high,low,close,volume`) without cleaning. */
export function parseCandleCsv(text: string, file: string): MutableCandle[] {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(",").map((h) => h.trim().toLowerCase());
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataFormatError(`${file}:1: missing column "${name}" in header "${lines[0]}"`);
    return i;
  };
  const [iT, iO, iH, iL, iC, iV] = ["datetime", "open", "high", "low", "close", "volume"].map(col);
  const out: MutableCandle[] = [];
  const bad = (n: number, name: string, value: string | undefined): DataFormatError =>
    new DataFormatError(`${file}:${n + 1}: bad ${name} "${value}"`);
  const cols = [iO, iH, iL, iC, iV];
  const names = ["open", "high", "low", "close", "volume"];
  const v = [0, 0, 0, 0, 0];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n];
    if (line.length === 0 || line.trim() === "") continue;
    const f = line.split(",");
    const time = fastUtc(f[iT]) ?? parseUtc(f[iT] ?? "");
    if (time === undefined) throw bad(n, "datetime", f[iT]);
    for (let k = 0; k < 5; k++) {
      const text = f[cols[k]];
      const x = text === undefined || text === "" ? NaN : Number(text);
      if (!Number.isFinite(x)) throw bad(n, names[k], text);
      v[k] = x;
    }
    out.push({ time, open: v[0], high: v[1], low: v[2], close: v[3], volume: v[4] });
  }
  return out;
}

/** Epoch seconds of "YYYY-MM-DD HH:MM:SS" (the CSVs' format) without a regex; undefined otherwise. */
function fastUtc(text: string | undefined): number | undefined {
  if (text === undefined || text.length !== 19 || text[4] !== "-" || text[7] !== "-" || text[10] !== " ")
    return undefined;
  const y = Number(text.slice(0, 4));
  const mo = Number(text.slice(5, 7));
  const d = Number(text.slice(8, 10));
  const h = Number(text.slice(11, 13));
  const mi = Number(text.slice(14, 16));
  const sec = Number(text.slice(17, 19));
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 28 && h <= 23 && mi <= 59 && sec <= 59)) return undefined; // rare cases: the full parser
  return Date.UTC(y, mo - 1, d, h, mi, sec) / 1000;
}

/** Parses a stress-day candle JSON array (CoinAPI-style fields) without cleaning. */
export function parseStressDayCandles(text: string, file: string): MutableCandle[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new DataFormatError(`${file}: invalid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new DataFormatError(`${file}: expected an array of candles`);
  return raw.map((row: unknown, i): MutableCandle => {
    if (typeof row !== "object" || row === null)
      throw new DataFormatError(`${file}: [${i}]: expected an object`);
    const r = row as Record<string, unknown>;
    const num = (name: string): number => {
      const v = r[name];
      if (typeof v !== "number" || !Number.isFinite(v))
        throw new DataFormatError(`${file}: [${i}].${name}: expected a number`);
      return v;
    };
    const start = typeof r.time_period_start === "string" ? parseUtc(r.time_period_start) : undefined;
    if (start === undefined)
      throw new DataFormatError(`${file}: [${i}].time_period_start: expected an ISO time`);
    return {
      time: start,
      open: num("price_open"),
      high: num("price_high"),
      low: num("price_low"),
      close: num("price_close"),
      volume: num("volume_traded"),
    };
  });
}

const isFlat = (c: MutableCandle): boolean => c.open === c.high && c.high === c.low && c.low === c.close;

/**
 * Cleans raw candles into a regular series (see the module comment). `expectedStart` /
 * `expectedEnd` (epoch seconds of the first / last interval) extend the series with filled
 * candles where rows are missing at the ends.
 */
export function cleanCandles(
  rows: MutableCandle[],
  file: string,
  intervalSeconds: number,
  report: DataReport,
  options: CleanOptions & { expectedStart?: number; expectedEnd?: number } = {},
): CandleSeries {
  const wick = options.wickThreshold ?? DEFAULT_WICK_THRESHOLD;
  const maxVol = options.placeholderMaxVolume ?? DEFAULT_PLACEHOLDER_MAX_VOLUME;
  if (rows.length === 0) throw new DataFormatError(`${file}: no rows`);
  for (const r of rows) {
    if (!(r.open > 0 && r.high > 0 && r.low > 0 && r.close > 0) || r.volume < 0) {
      throw new DataFormatError(`${file}: ${isoTime(r.time)}: non-positive price or negative volume`);
    }
  }

  // 1. order and duplicates
  let sorted = rows;
  if (rows.some((r, i) => i > 0 && r.time < rows[i - 1].time)) {
    sorted = rows
      .map((r, i) => [r, i] as const)
      .sort((a, b) => a[0].time - b[0].time || a[1] - b[1])
      .map(([r]) => r);
    report.add({ file, kind: "out-of-order", detail: "rows were not in time order; sorted" });
  }
  const unique: MutableCandle[] = [];
  for (const r of sorted) {
    const prev = unique[unique.length - 1];
    if (prev !== undefined && prev.time === r.time) {
      report.add({ file, kind: "duplicate", time: r.time, detail: "repeated timestamp; first row kept" });
      continue;
    }
    if ((r.time - sorted[0].time) % intervalSeconds !== 0) {
      throw new DataFormatError(`${file}: ${isoTime(r.time)} is off the ${intervalSeconds}-second grid`);
    }
    unique.push({ ...r });
  }

  // 2. placeholders
  const real: MutableCandle[] = [];
  for (const r of unique) {
    const quiet = isFlat(r) && r.volume <= maxVol;
    const prev = real[real.length - 1];
    if (quiet && prev === undefined) {
      report.add({
        file,
        kind: "placeholder",
        time: r.time,
        field: "close",
        from: r.close,
        detail: `leading placeholder candle at ${r.close} with volume ${r.volume}; dropped`,
      });
      continue;
    }
    if (quiet && prev !== undefined && r.close !== prev.close) {
      report.add({
        file,
        kind: "placeholder",
        time: r.time,
        field: "close",
        from: r.close,
        to: prev.close,
        detail: `placeholder candle at ${r.close} with volume ${r.volume}; forward-filled at ${prev.close}`,
      });
      real.push({
        time: r.time,
        open: prev.close,
        high: prev.close,
        low: prev.close,
        close: prev.close,
        volume: 0,
      });
      continue;
    }
    if (quiet) {
      report.add({
        file,
        kind: "no-trade",
        time: r.time,
        detail: `flat candle with volume ${r.volume} at the previous close; kept`,
      });
    }
    real.push(r);
  }
  if (real.length === 0) throw new DataFormatError(`${file}: only placeholder rows`);

  // 3. missing intervals
  const start = Math.min(options.expectedStart ?? real[0].time, real[0].time);
  const end = Math.max(options.expectedEnd ?? real[real.length - 1].time, real[real.length - 1].time);
  const filled: MutableCandle[] = [];
  let k = 0;
  for (let t = start; t <= end; t += intervalSeconds) {
    if (k < real.length && real[k].time === t) {
      filled.push(real[k++]);
      continue;
    }
    const prev = filled[filled.length - 1];
    const price = prev !== undefined ? prev.close : real[k].open;
    report.add({
      file,
      kind: "missing-interval",
      time: t,
      detail:
        prev !== undefined
          ? `no row; forward-filled at ${price}`
          : `no row before the first one; back-filled at ${price}`,
    });
    filled.push({ time: t, open: price, high: price, low: price, close: price, volume: 0 });
  }

  // 4. inconsistent candles
  for (const c of filled) {
    const bodyHi = Math.max(c.open, c.close);
    const bodyLo = Math.min(c.open, c.close);
    if (c.high < bodyHi) {
      report.add({
        file,
        kind: "inconsistent-candle",
        time: c.time,
        field: "high",
        from: c.high,
        to: bodyHi,
        detail: `high ${c.high} below the body; set to ${bodyHi}`,
      });
      c.high = bodyHi;
    }
    if (c.low > bodyLo) {
      report.add({
        file,
        kind: "inconsistent-candle",
        time: c.time,
        field: "low",
        from: c.low,
        to: bodyLo,
        detail: `low ${c.low} above the body; set to ${bodyLo}`,
      });
      c.low = bodyLo;
    }
  }

  // 5. bad wicks (decided on the original neighbours, then applied)
  const highs = filled.map((c) => c.high);
  const lows = filled.map((c) => c.low);
  for (let i = 0; i < filled.length; i++) {
    const c = filled[i];
    const bodyHi = Math.max(c.open, c.close);
    const bodyLo = Math.min(c.open, c.close);
    const nHigh = Math.max(i > 0 ? highs[i - 1] : bodyHi, i + 1 < filled.length ? highs[i + 1] : bodyHi);
    const nLow = Math.min(i > 0 ? lows[i - 1] : bodyLo, i + 1 < filled.length ? lows[i + 1] : bodyLo);
    if (c.high / bodyHi - 1 > wick && c.high / nHigh - 1 > wick) {
      report.add({
        file,
        kind: "bad-wick",
        time: c.time,
        field: "high",
        from: c.high,
        to: bodyHi,
        detail: `high ${c.high} is ${pct(c.high / bodyHi - 1)} above the body and ${pct(c.high / nHigh - 1)} above the neighbours; clamped to ${bodyHi}`,
      });
      c.high = bodyHi;
    }
    if (bodyLo / c.low - 1 > wick && nLow / c.low - 1 > wick) {
      report.add({
        file,
        kind: "bad-wick",
        time: c.time,
        field: "low",
        from: c.low,
        to: bodyLo,
        detail: `low ${c.low} is ${pct(1 - c.low / bodyLo)} below the body and ${pct(1 - c.low / nLow)} below the neighbours; clamped to ${bodyLo}`,
      });
      c.low = bodyLo;
    }
  }
  return { file, intervalSeconds, candles: filled };
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** A cleaned series and the report of its fixes. */
export interface LoadedSeries {
  readonly series: CandleSeries;
  readonly report: DataReport;
}

/**
 * Cleaned series by file, size, modification time and options. The files are read-only inputs
 * and the series are immutable, so a process parses each file once (the hourly CSVs take a
 * fraction of a second each).
 */
const cache = new Map<string, { series: CandleSeries; fixes: readonly DataFix[] }>();

function cached(path: string, options: CleanOptions, load: () => LoadedSeries): LoadedSeries {
  const st = statSync(path);
  const key = [
    path,
    st.size,
    st.mtimeMs,
    options.wickThreshold ?? "",
    options.placeholderMaxVolume ?? "",
  ].join("|");
  let hit = cache.get(key);
  if (hit === undefined) {
    const fresh = load();
    hit = {
      series: { ...fresh.series, candles: Object.freeze(fresh.series.candles.map((c) => Object.freeze(c))) },
      fixes: fresh.report.fixes.slice(),
    };
    cache.set(key, hit);
  }
  const report = new DataReport();
  for (const f of hit.fixes) report.add(f);
  return { series: hit.series, report };
}

/** Loads and cleans an hourly candle CSV (`file` relative to the data directory, or absolute). */
export function loadCandleCsv(file: string, options: LoadOptions = {}): LoadedSeries {
  const path = dataFile(file, options.dataDir);
  return cached(path, options, () => {
    const report = new DataReport();
    const rows = parseCandleCsv(readFileSync(path, "utf8"), path);
    return { series: cleanCandles(rows, path, 3600, report, options), report };
  });
}

/** Loads and cleans the hourly candles of `asset` ("ETH" or "BTC"). */
export function loadHourly(asset: string, options: LoadOptions = {}): LoadedSeries {
  const file = HOURLY_FILES[asset];
  if (file === undefined) {
    throw new DataFormatError(
      `no hourly data for asset ${asset} (have: ${Object.keys(HOURLY_FILES).join(", ")})`,
    );
  }
  return loadCandleCsv(file, options);
}

/** Path of a stress-day file relative to the data directory, e.g. `stress-days/2020-03-12.eth.json`. */
export function stressDayFile(date: string, kind: "eth" | "gas" | "eth_dai_liquidity"): string {
  if (parseUtc(date) === undefined || date.length !== 10)
    throw new DataFormatError(`bad stress-day date "${date}" (expected YYYY-MM-DD)`);
  return `stress-days/${date}.${kind}.json`;
}

/**
 * Loads and cleans the 10-minute candles of a stress day (the full UTC day, 144 candles): ETH's
 * `stress-days/DATE.eth.json`, or `options.file` (same format; relative to the data directory or
 * absolute).
 */
export function loadStressDayCandles(
  date: string,
  options: LoadOptions & { readonly file?: string } = {},
): LoadedSeries {
  const path = dataFile(options.file ?? stressDayFile(date, "eth"), options.dataDir);
  const report = new DataReport();
  const rows = parseStressDayCandles(readFileSync(path, "utf8"), path);
  const dayStart = parseUtc(date) as number;
  const series = cleanCandles(rows, path, 600, report, {
    ...options,
    expectedStart: dayStart,
    expectedEnd: dayStart + 86_400 - 600,
  });
  return { series, report };
}

/** The candles with `time` in [fromEpoch, toEpoch). */
export function sliceSeries(series: CandleSeries, fromEpoch: number, toEpoch: number): CandleSeries {
  return { ...series, candles: series.candles.filter((c) => c.time >= fromEpoch && c.time < toEpoch) };
}

/** Largest peak-to-trough fall of the highs and lows, as a negative fraction (-0.48 = -48%). */
export function maxDrawdown(candles: readonly Candle[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const c of candles) {
    peak = Math.max(peak, c.high);
    worst = Math.min(worst, c.low / peak - 1);
  }
  return worst;
}

/**
 * How the price moves inside a candle:
 * - "ohlc": open, then the extreme met first, the other extreme, close, at 0, 1/3, 2/3 and 1 of
 *   the interval (low first on an up candle, high first on a down candle), log-linear between;
 *   the path reaches every high and low, so drawdowns are not understated;
 * - "close": log-linear between successive closes (from the first open).
 */
export type Intrabar = "ohlc" | "close";

/** A continuous price path through a candle series. */
export class CandlePath {
  private readonly times: Float64Array;
  private readonly prices: Float64Array;
  private readonly logPrices: Float64Array;
  readonly startTime: number;
  readonly endTime: number;

  constructor(
    readonly series: CandleSeries,
    readonly intrabar: Intrabar = "ohlc",
  ) {
    const cs = series.candles;
    if (cs.length === 0) throw new DataFormatError(`${series.file}: empty series`);
    const dt = series.intervalSeconds;
    const ts: number[] = [];
    const ps: number[] = [];
    for (const c of cs) {
      if (intrabar === "ohlc") {
        const [first, second] = c.close >= c.open ? [c.low, c.high] : [c.high, c.low];
        ts.push(c.time, c.time + dt / 3, c.time + (2 * dt) / 3, c.time + dt);
        ps.push(c.open, first, second, c.close);
      } else {
        if (ts.length === 0) {
          ts.push(c.time);
          ps.push(c.open);
        }
        ts.push(c.time + dt);
        ps.push(c.close);
      }
    }
    this.times = Float64Array.from(ts);
    this.prices = Float64Array.from(ps);
    this.logPrices = Float64Array.from(ps, Math.log);
    this.startTime = cs[0].time;
    this.endTime = cs[cs.length - 1].time + dt;
  }

  /**
   * Price at `epochSeconds`; clamped to the first / last price outside the series. At a candle
   * boundary the next candle's open applies.
   */
  priceAt(epochSeconds: number): number {
    const ts = this.times;
    const n = ts.length;
    if (epochSeconds <= ts[0]) return this.prices[0];
    if (epochSeconds >= ts[n - 1]) return this.prices[n - 1];
    // last index with ts[i] <= t (binary search; ties resolve to the later point = next open)
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (ts[mid] <= epochSeconds) lo = mid;
      else hi = mid;
    }
    while (lo + 1 < n && ts[lo + 1] === epochSeconds) lo++;
    const t0 = ts[lo];
    const t1 = ts[lo + 1];
    if (t1 === t0 || epochSeconds === t0) return this.prices[lo];
    const w = (epochSeconds - t0) / (t1 - t0);
    return Math.exp(this.logPrices[lo] + w * (this.logPrices[lo + 1] - this.logPrices[lo]));
  }
}

/** A replayed asset as a process: the historical path from `startEpoch`, optionally rescaled. */
export class ReplayProcess implements AssetProcess {
  readonly kind = "replay";
  readonly usesNormal = false;
  readonly lastJumps = 0;
  private elapsed = 0;
  private readonly scale: number;

  /**
   * @param path the historical path
   * @param startEpoch epoch seconds of t = 0
   * @param initialPrice if given, the path is scaled so that it starts at this price
   */
  constructor(
    readonly path: CandlePath,
    readonly startEpoch: number,
    initialPrice?: number,
  ) {
    this.scale = initialPrice === undefined ? 1 : initialPrice / path.priceAt(startEpoch);
  }

  get price(): number {
    return this.scale * this.path.priceAt(this.startEpoch + this.elapsed);
  }
  get time(): number {
    return this.elapsed;
  }
  /** True once the replay has run past the end of its data (the last price is held). */
  get exhausted(): boolean {
    return this.startEpoch + this.elapsed > this.path.endTime;
  }

  step(dtSeconds: number): number {
    this.elapsed += dtSeconds;
    return this.price;
  }
}
