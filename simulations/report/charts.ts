/**
 * Chart specifications (vega-lite) built from saved runs, and their rendering to SVG in Node
 * (vega-lite compiles to vega; vega renders headless with `renderer: "none"`).
 *
 * Charts read only `SavedRun`s (what `readRun` loads from disk). Long series are thinned for
 * drawing only, never in the saved metrics: per chart at most about `MAX_POINTS` rows, chosen by
 * min-max decimation so every series keeps its peaks and troughs (a liquidation spike or a price
 * trough is never smoothed away); flows (liquidation volume) and the histogram are summed or
 * averaged into at most `MAX_BUCKETS` time buckets instead.
 *
 * The time axis is hours since the run's first step.
 */

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

import type { SavedRun } from "../metrics/io.js";
import { HEALTH_BIN_LABELS, type RecordedStep } from "../metrics/types.js";

/** Most rows drawn per chart (min-max decimation above this). */
export const MAX_POINTS = 2000;
/** Most time buckets for bars and heat strips. */
export const MAX_BUCKETS = 120;

const WIDTH = 720;
const HEIGHT = 220;
const HOURS = "Hours since start";

/** A chart to render: an id (file name stem), a title, a caption and its vega-lite spec. */
export interface ChartDef {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** A rendered chart. */
export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** Milliseconds spent compiling and rendering. */
  renderMs: number;
}

type Row = Record<string, number | string | null>;

const CONFIG = {
  background: "white",
  font: "sans-serif",
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, grid: true, gridColor: "#eee" },
  legend: { labelFontSize: 11, titleFontSize: 12, orient: "right", labelLimit: 320 },
  title: { fontSize: 14, anchor: "start" },
} as const;

const SERIES_COLORS = {
  domain: ["exogenous", "CEX", "pool", "oracle"],
  range: ["#7f7f7f", "#1f77b4", "#2ca02c", "#d62728"],
};

/**
 * Indices of the rows to draw: all when n <= maxPoints; otherwise, per series, the first, last,
 * min and max index of each of `maxPoints / (2 * series)` equal-width buckets; union, sorted.
 */
export function decimateIndices(
  n: number,
  series: readonly ((i: number) => number | null)[],
  maxPoints = MAX_POINTS,
): number[] {
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const keep = new Set<number>([0, n - 1]);
  const perSeries = Math.max(2, Math.floor(maxPoints / Math.max(1, series.length)));
  const buckets = Math.max(1, Math.floor((perSeries - 2) / 2));
  for (const get of series) {
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * n) / buckets);
      const hi = Math.floor(((b + 1) * n) / buckets);
      let iMin = -1;
      let iMax = -1;
      let vMin = Infinity;
      let vMax = -Infinity;
      for (let i = lo; i < hi; i++) {
        const v = get(i);
        if (v === null) continue;
        if (v < vMin) [vMin, iMin] = [v, i];
        if (v > vMax) [vMax, iMax] = [v, i];
      }
      if (iMin >= 0) keep.add(iMin);
      if (iMax >= 0) keep.add(iMax);
    }
  }
  return [...keep].sort((a, b) => a - b);
}

/** Time buckets [start, end) of step indices, at most `maxBuckets`, equal in steps. */
export function bucketRanges(n: number, maxBuckets = MAX_BUCKETS): [number, number][] {
  const count = Math.min(n, maxBuckets);
  const out: [number, number][] = [];
  for (let b = 0; b < count; b++) out.push([Math.floor((b * n) / count), Math.floor(((b + 1) * n) / count)]);
  return out;
}

/**
 * Rows of per-bucket sums: { t, t2, value } with t..t2 the bucket's span in hours (the last
 * bucket ends one mean step after its last step).
 */
function bucketSums(steps: readonly RecordedStep[], get: (s: RecordedStep) => number): Row[] {
  const h = hoursOf(steps);
  return bucketRanges(steps.length).map(([lo, hi]) => {
    let sum = 0;
    for (let i = lo; i < hi; i++) sum += get(steps[i]);
    return { t: h(lo), t2: bucketEnd(h, lo, hi, steps.length), value: sum };
  });
}

/** End of bucket [lo, hi) in hours: the next bucket's start, or one mean step after the last. */
function bucketEnd(h: (i: number) => number, lo: number, hi: number, n: number): number {
  if (hi < n) return h(hi);
  const meanStep = hi - lo > 1 ? (h(hi - 1) - h(lo)) / (hi - lo - 1) : 0;
  return h(hi - 1) + (meanStep > 0 ? meanStep : 1 / 60);
}

const hoursOf = (steps: readonly RecordedStep[]) => {
  const t0 = steps[0]?.timestamp ?? 0;
  return (i: number): number => (steps[i].timestamp - t0) / 3600;
};

/** Unique display label of each run (meta.label, else margin mode; suffixed when repeated). */
export function runLabels(runs: readonly SavedRun[]): string[] {
  const seen = new Map<string, number>();
  return runs.map((r) => {
    const base = r.summary.meta.label ?? r.summary.marginMode;
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    return k === 1 ? base : `${base} #${k}`;
  });
}

function assetsOf(run: SavedRun): string[] {
  return run.steps[0] ? Object.keys(run.steps[0].assets) : [];
}

function marketsOf(run: SavedRun): string[] {
  return run.steps[0] ? Object.keys(run.steps[0].markets) : [];
}

const xHours = { field: "t", type: "quantitative", title: HOURS } as const;

// ---------------------------------------------------------------- single run

function priceChart(run: SavedRun, asset: string): ChartDef {
  const s = run.steps;
  const h = hoursOf(s);
  const get = {
    exogenous: (i: number) => s[i].assets[asset].exogenousUsd,
    CEX: (i: number) => s[i].assets[asset].cexUsd,
    pool: (i: number) => s[i].assets[asset].poolUsd,
    oracle: (i: number) => s[i].assets[asset].oracleUsd,
  };
  const idx = decimateIndices(s.length, Object.values(get));
  const values: Row[] = [];
  for (const i of idx)
    for (const [series, g] of Object.entries(get)) {
      const v = g(i);
      if (v !== null) values.push({ t: h(i), series, value: v });
    }
  return {
    id: `prices-${asset}`,
    title: `${asset} price paths`,
    caption: `Exogenous, CEX (after flow impact), Uniswap pool and oracle prices of ${asset}, USD.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      title: `${asset}: exogenous, CEX, pool and oracle price (USD)`,
      data: { values },
      mark: { type: "line", strokeWidth: 1.5, clip: true },
      encoding: {
        x: xHours,
        y: { field: "value", type: "quantitative", title: "USD", scale: { zero: false } },
        color: { field: "series", type: "nominal", title: "Price", scale: SERIES_COLORS },
        strokeDash: {
          field: "series",
          type: "nominal",
          title: "Price",
          scale: {
            domain: SERIES_COLORS.domain,
            range: [
              [4, 3],
              [1, 0],
              [1, 0],
              [2, 2],
            ],
          },
        },
      },
    },
  };
}

function liquidationChart(run: SavedRun): ChartDef {
  const s = run.steps;
  const h = hoursOf(s);
  const bars = bucketSums(s, (x) => x.liquidatedUsd);
  const idx = decimateIndices(s.length, [(i) => s[i].liquidationVelocityUsdPerHour]);
  const line: Row[] = idx.map((i) => ({ t: h(i), velocity: s[i].liquidationVelocityUsdPerHour }));
  const windowH = run.summary.velocityWindowSeconds / 3600;
  return {
    id: "liquidations",
    title: "Liquidations and velocity",
    caption: `Bars: USD liquidated per time bucket (at most ${MAX_BUCKETS} buckets). Line: liquidation velocity, USD per hour over a rolling ${windowH} h window.`,
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      title: "Liquidation volume (bars, USD per bucket) and velocity (line, USD/h)",
      layer: [
        {
          data: { values: bars },
          mark: { type: "rect", color: "#ff7f0e", opacity: 0.7 },
          encoding: {
            x: xHours,
            x2: { field: "t2" },
            y: {
              field: "value",
              type: "quantitative",
              title: "Liquidated per bucket (USD)",
              axis: { format: "$~s" },
            },
          },
        },
        {
          data: { values: line },
          mark: { type: "line", color: "#9467bd", strokeWidth: 1.5 },
          encoding: {
            x: xHours,
            y: {
              field: "velocity",
              type: "quantitative",
              title: "Velocity (USD/h)",
              axis: { format: "$~s", orient: "right" },
            },
          },
        },
      ],
      resolve: { scale: { y: "independent" } },
    },
  };
}

/** Upper end of the health axis: max p75 * 1.5, between 2 and 5 (tails beyond are clipped). */
function healthCap(runs: readonly SavedRun[]): number {
  let m = 0;
  for (const r of runs) for (const st of r.steps) if (st.health.p75 !== null) m = Math.max(m, st.health.p75);
  return Math.min(5, Math.max(2, Math.ceil(m * 1.5 * 2) / 2));
}

function healthBandLayers(values: Row[], cap: number, width: number, showAxisTitle: boolean): TopLevelSpec {
  const y = (field: string) =>
    ({
      field,
      type: "quantitative",
      title: showAxisTitle ? "Health factor" : null,
      scale: { domain: [0, cap], clamp: true },
    }) as const;
  return {
    width,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: "area", color: "#1f77b4", opacity: 0.18, clip: true },
        encoding: { x: xHours, y: y("p5"), y2: { field: "p95" } },
      },
      {
        mark: { type: "area", color: "#1f77b4", opacity: 0.35, clip: true },
        encoding: { x: xHours, y: y("p25"), y2: { field: "p75" } },
      },
      {
        mark: { type: "line", color: "#08306b", strokeWidth: 1.5, clip: true },
        encoding: { x: xHours, y: y("p50") },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: "rule", color: "#d62728", strokeDash: [4, 3] },
        encoding: { y: { field: "one", type: "quantitative" } },
      },
    ],
  } as TopLevelSpec;
}

function healthBandRows(run: SavedRun, maxPoints = MAX_POINTS): Row[] {
  const s = run.steps;
  const h = hoursOf(s);
  const idx = decimateIndices(s.length, [(i) => s[i].health.p5, (i) => s[i].health.p50], maxPoints);
  return idx
    .filter((i) => s[i].health.p50 !== null)
    .map((i) => {
      const q = s[i].health;
      return { t: h(i), p5: q.p5, p25: q.p25, p50: q.p50, p75: q.p75, p95: q.p95 };
    });
}

function healthChart(run: SavedRun): ChartDef {
  const s = run.steps;
  const h = hoursOf(s);
  const cap = healthCap([run]);
  const bands = healthBandLayers(healthBandRows(run), cap, WIDTH, true);
  const idx = decimateIndices(s.length, [(i) => s[i].liquidatableDebtUsd]);
  const debt: Row[] = idx.map((i) => ({ t: h(i), value: s[i].liquidatableDebtUsd }));
  return {
    id: "health",
    title: "Health-factor distribution and liquidatable debt",
    caption: `Top: quantile bands of account health factors (accounts with a liability): p5-p95 light, p25-p75 dark, median line; dashed red line at 1 (liquidatable below); axis clipped at ${cap}. Bottom: debt of accounts with health below 1, USD.`,
    spec: {
      config: CONFIG,
      title: "Health factor quantiles (p5 / p25 / p50 / p75 / p95); liquidatable debt",
      vconcat: [
        bands,
        {
          width: WIDTH,
          height: HEIGHT * 0.45,
          data: { values: debt },
          mark: { type: "area", color: "#d62728", opacity: 0.5, line: { color: "#d62728" } },
          encoding: {
            x: xHours,
            y: { field: "value", type: "quantitative", title: "Liquidatable debt", axis: { format: "$~s" } },
          },
        },
      ],
    } as TopLevelSpec,
  };
}

function activityChart(run: SavedRun): ChartDef {
  const s = run.steps;
  const tx = bucketSums(s, (x) => x.txCount);
  const gas = bucketSums(s, (x) => x.gasUsed);
  return {
    id: "activity",
    title: "Transactions and gas",
    caption: `Transactions (bars) and gas used (line) per time bucket (at most ${MAX_BUCKETS} buckets), all agents.`,
    spec: {
      width: WIDTH,
      height: HEIGHT * 0.6,
      config: CONFIG,
      title: "Transactions (bars) and gas (line) per bucket",
      layer: [
        {
          data: { values: tx },
          mark: { type: "rect", color: "#17becf", opacity: 0.6 },
          encoding: {
            x: xHours,
            x2: { field: "t2" },
            y: { field: "value", type: "quantitative", title: "Transactions" },
          },
        },
        {
          data: { values: gas },
          mark: { type: "line", color: "#7f7f7f", strokeWidth: 1.5, interpolate: "step-after" },
          encoding: {
            x: xHours,
            y: {
              field: "value",
              type: "quantitative",
              title: "Gas",
              axis: { format: "~s", orient: "right" },
            },
          },
        },
      ],
      resolve: { scale: { y: "independent" } },
    },
  };
}

function healthHeatChart(run: SavedRun): ChartDef {
  const s = run.steps;
  const h = hoursOf(s);
  const values: Row[] = [];
  for (const [lo, hi] of bucketRanges(s.length)) {
    const shares = new Array<number>(HEALTH_BIN_LABELS.length).fill(0);
    let counted = 0;
    for (let i = lo; i < hi; i++) {
      const acc = s[i].health.accounts;
      if (acc === 0) continue;
      counted++;
      s[i].health.histogram.forEach((c, b) => (shares[b] += c / acc));
    }
    const t2 = bucketEnd(h, lo, hi, s.length);
    shares.forEach((sh, b) =>
      values.push({
        t: h(lo),
        t2,
        bin: HEALTH_BIN_LABELS[b],
        share: counted ? sh / counted : 0,
      }),
    );
  }
  return {
    id: "health-histogram",
    title: "Health-factor histogram over time",
    caption: "Share of accounts (with a liability) per health-factor bin, averaged per time bucket.",
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      title: "Share of accounts per health-factor bin",
      data: { values },
      mark: { type: "rect" },
      encoding: {
        x: xHours,
        x2: { field: "t2" },
        y: {
          field: "bin",
          type: "ordinal",
          title: "Health factor",
          sort: [...HEALTH_BIN_LABELS].reverse(),
          axis: { grid: false },
        },
        color: {
          field: "share",
          type: "quantitative",
          title: "Share",
          scale: { scheme: "blues", zero: true },
          legend: { format: "~%" },
        },
      },
    },
  };
}

function solvencyChart(run: SavedRun): ChartDef {
  const s = run.steps;
  const h = hoursOf(s);
  const get = {
    "bad debt (cumulative)": (i: number) => s[i].badDebtUsd,
    deficit: (i: number) => s[i].deficitUsd,
  };
  const vault = (i: number) => s[i].vaultNetAssetsUsd;
  const idx = decimateIndices(s.length, [...Object.values(get), vault]);
  const debt: Row[] = [];
  for (const i of idx)
    for (const [series, g] of Object.entries(get)) debt.push({ t: h(i), series, value: g(i) });
  const nav: Row[] = idx.map((i) => ({ t: h(i), value: vault(i) }));
  return {
    id: "solvency",
    title: "Bad debt, deficit and vault",
    caption:
      "Top: BackstopVault net assets, USD. Bottom: cumulative bad debt (covered or not) and protocol deficit, USD.",
    spec: {
      config: CONFIG,
      title: "Vault net assets; bad debt and deficit (USD)",
      vconcat: [
        {
          width: WIDTH,
          height: HEIGHT * 0.7,
          data: { values: nav },
          mark: { type: "line", color: "#2ca02c", strokeWidth: 1.5 },
          encoding: {
            x: { ...xHours, title: null },
            y: {
              field: "value",
              type: "quantitative",
              title: "Vault net assets",
              axis: { format: "$~s" },
              scale: { zero: false },
            },
          },
        },
        {
          width: WIDTH,
          height: HEIGHT * 0.7,
          data: { values: debt },
          mark: { type: "line", strokeWidth: 1.5, interpolate: "step-after" },
          encoding: {
            x: xHours,
            y: { field: "value", type: "quantitative", title: "USD", axis: { format: "$~s" } },
            color: {
              field: "series",
              type: "nominal",
              title: null,
              scale: { domain: Object.keys(get), range: ["#d62728", "#8c564b"] },
            },
          },
        },
      ],
    },
  };
}

function breakerChart(run: SavedRun): ChartDef {
  const s = run.steps;
  const h = hoursOf(s);
  const idx = decimateIndices(s.length, [(i) => s[i].effectiveBreakerLevel, (i) => s[i].breakerLevel]);
  const values: Row[] = [];
  for (const i of idx) {
    values.push({
      t: h(i),
      series: "effective (max of global and assets)",
      value: s[i].effectiveBreakerLevel,
    });
    values.push({ t: h(i), series: "global", value: s[i].breakerLevel });
  }
  return {
    id: "breaker",
    title: "Circuit-breaker level",
    caption:
      "0 normal, 1 reduce-only, 2 liquidation pause, 3 frozen. Effective level = max of the global and every asset's level.",
    spec: {
      width: WIDTH,
      height: HEIGHT * 0.6,
      config: CONFIG,
      title: "Circuit-breaker level",
      data: { values },
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
      encoding: {
        x: xHours,
        y: {
          field: "value",
          type: "quantitative",
          title: "Level",
          scale: { domain: [0, 3] },
          axis: { tickCount: 4, format: "d" },
        },
        color: { field: "series", type: "nominal", title: null, scale: { range: ["#d62728", "#7f7f7f"] } },
        strokeDash: {
          field: "series",
          type: "nominal",
          title: null,
          scale: {
            range: [
              [1, 0],
              [4, 3],
            ],
          },
        },
      },
    },
  };
}

function auctionChart(run: SavedRun): ChartDef | undefined {
  const s = run.steps;
  const h = hoursOf(s);
  const assets = assetsOf(run);
  const sales: Row[] = [];
  for (const a of assets)
    for (let i = 0; i < s.length; i++) {
      const x = s[i].assets[a];
      if (x.auctionOracleValueUsd > 0)
        sales.push({
          t: h(i),
          asset: a,
          ratio: x.auctionProceedsUsd / x.auctionOracleValueUsd,
          usd: x.auctionProceedsUsd,
        });
    }
  const anyOpen = s.some((st) => assets.some((a) => st.assets[a].auctionsOpen > 0));
  if (sales.length === 0 && !anyOpen) return undefined;
  const kept =
    sales.length > MAX_POINTS ? decimateIndices(sales.length, [(i) => sales[i].ratio as number]) : null;
  const shown = kept ? kept.map((i) => sales[i]) : sales;
  const idx = decimateIndices(
    s.length,
    assets.map((a) => (i: number) => s[i].assets[a].auctionsOpen),
  );
  const open: Row[] = [];
  for (const i of idx)
    for (const a of assets) open.push({ t: h(i), asset: a, value: s[i].assets[a].auctionsOpen });
  const assetColor = { field: "asset", type: "nominal", title: "Asset", scale: { domain: assets } } as const;
  const ratioPanel = {
    width: WIDTH,
    height: HEIGHT * 0.8,
    layer: [
      {
        data: { values: shown },
        mark: { type: "point", filled: true, opacity: 0.6 },
        encoding: {
          x: { ...xHours, title: null },
          y: { field: "ratio", type: "quantitative", title: "Clearing / oracle", scale: { zero: false } },
          color: assetColor,
          size: { field: "usd", type: "quantitative", title: "Proceeds", legend: { format: "$~s" } },
        },
      },
      {
        data: { values: [{ one: 1 }] },
        mark: { type: "rule", color: "#7f7f7f", strokeDash: [4, 3] },
        encoding: { y: { field: "one", type: "quantitative" } },
      },
    ],
  };
  const openPanel = {
    width: WIDTH,
    height: HEIGHT * 0.45,
    data: { values: open },
    mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
    encoding: {
      x: xHours,
      y: { field: "value", type: "quantitative", title: "Auctions open", axis: { format: "d" } },
      color: assetColor,
    },
  };
  return {
    id: "auctions",
    title: "Auctions: clearing price versus oracle, auctions open",
    caption:
      "Top: per step and asset, auction proceeds / oracle value of the collateral sold (1 = sold at the oracle price); point size: proceeds, USD. Bottom: auctions open per asset.",
    spec: {
      config: CONFIG,
      title: "Auction clearing price / oracle price; auctions open",
      vconcat: sales.length > 0 ? [ratioPanel, openPanel] : [openPanel],
    } as TopLevelSpec,
  };
}

function perpChart(run: SavedRun): ChartDef | undefined {
  const markets = marketsOf(run);
  if (markets.length === 0) return undefined;
  const s = run.steps;
  const h = hoursOf(s);
  const series: ((i: number) => number)[] = [];
  for (const m of markets)
    series.push(
      (i) => s[i].markets[m].skewUsd,
      (i) => s[i].markets[m].openInterestLongUsd + s[i].markets[m].openInterestShortUsd,
      (i) => s[i].markets[m].fundingRatePerDay,
    );
  const idx = decimateIndices(s.length, series);
  const usd: Row[] = [];
  const funding: Row[] = [];
  for (const i of idx)
    for (const m of markets) {
      const x = s[i].markets[m];
      usd.push({ t: h(i), market: m, series: "skew", value: x.skewUsd });
      usd.push({
        t: h(i),
        market: m,
        series: "open interest",
        value: x.openInterestLongUsd + x.openInterestShortUsd,
      });
      funding.push({ t: h(i), market: m, value: x.fundingRatePerDay });
    }
  return {
    id: "perps",
    title: "Perpetual markets",
    caption:
      "Top: skew (long minus short) and open interest (long plus short), USD at the oracle price. Bottom: funding rate per day.",
    spec: {
      config: CONFIG,
      title: "Perps: skew, open interest, funding",
      vconcat: [
        {
          width: WIDTH,
          height: HEIGHT * 0.7,
          data: { values: usd },
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: {
            x: { ...xHours, title: null },
            y: { field: "value", type: "quantitative", title: "USD", axis: { format: "$~s" } },
            color: { field: "market", type: "nominal", title: "Market" },
            strokeDash: { field: "series", type: "nominal", title: null },
          },
        },
        {
          width: WIDTH,
          height: HEIGHT * 0.5,
          data: { values: funding },
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: {
            x: xHours,
            y: { field: "value", type: "quantitative", title: "Funding / day", axis: { format: "~%" } },
            color: { field: "market", type: "nominal", title: "Market" },
          },
        },
      ],
    },
  };
}

/**
 * The charts of one run: prices per asset, liquidations, health (with liquidatable debt), health
 * histogram, solvency, breaker, auctions (when any sold or open), perps (when any market), activity.
 */
export function runCharts(run: SavedRun): ChartDef[] {
  if (run.steps.length === 0) return [];
  const charts: ChartDef[] = assetsOf(run).map((a) => priceChart(run, a));
  charts.push(
    liquidationChart(run),
    healthChart(run),
    healthHeatChart(run),
    solvencyChart(run),
    breakerChart(run),
  );
  const auctions = auctionChart(run);
  if (auctions) charts.push(auctions);
  const perps = perpChart(run);
  if (perps) charts.push(perps);
  charts.push(activityChart(run));
  return charts;
}

// ---------------------------------------------------------------- comparison

/** Legend entry of the exogenous path shared by all runs. */
const EXOGENOUS_RUN = "exogenous (all runs)";

function runColor(labels: string[]): { domain: string[]; range: string[] } {
  return { domain: [...labels], range: ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"] };
}

/** Overlaid and adjacent charts comparing runs (e.g. the three margin modes on one seed). */
export function comparisonCharts(runs: readonly SavedRun[]): ChartDef[] {
  const live = runs.filter((r) => r.steps.length > 0);
  if (live.length === 0) return [];
  const labels = runLabels(live);
  const color = { field: "run", type: "nominal", title: "Run", scale: runColor(labels) } as const;
  const budget = Math.max(200, Math.floor(MAX_POINTS / live.length));
  const charts: ChartDef[] = [];

  const assets = [...new Set(live.flatMap(assetsOf))].sort();
  for (const a of assets) {
    const withAsset = live.map((r, k) => ({ r, label: labels[k] })).filter(({ r }) => a in r.steps[0].assets);
    // One seed, one exogenous path: draw it once, in grey, when every run has the same one.
    const ref = withAsset[0].r.steps;
    const shared = withAsset.every(
      ({ r }) =>
        r.steps.length === ref.length &&
        r.steps.every(
          (st, i) =>
            st.timestamp === ref[i].timestamp && st.assets[a].exogenousUsd === ref[i].assets[a].exogenousUsd,
        ),
    );
    const values: Row[] = [];
    withAsset.forEach(({ r, label }, k) => {
      const s = r.steps;
      const h = hoursOf(s);
      const idx = decimateIndices(
        s.length,
        [(i) => s[i].assets[a].cexUsd, (i) => s[i].assets[a].exogenousUsd],
        budget,
      );
      for (const i of idx) {
        values.push({ t: h(i), run: label, series: "CEX", value: s[i].assets[a].cexUsd });
        if (!shared || k === 0)
          values.push({
            t: h(i),
            run: shared ? EXOGENOUS_RUN : label,
            series: "exogenous",
            value: s[i].assets[a].exogenousUsd,
          });
      }
    });
    const scale = runColor(labels);
    if (shared) {
      scale.domain.push(EXOGENOUS_RUN);
      scale.range.splice(labels.length, 0, "#7f7f7f");
    }
    charts.push({
      id: `compare-prices-${a}`,
      title: `${a} price paths by run`,
      caption: `CEX price of ${a} per run (solid) and the exogenous price (dashed, grey when the runs share it), USD; with one seed the gap between a run's CEX price and the exogenous price is that run's own liquidation impact.`,
      spec: {
        width: WIDTH,
        height: HEIGHT,
        config: CONFIG,
        title: `${a}: CEX (solid) and exogenous (dashed) price by run, USD`,
        data: { values },
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          x: xHours,
          y: { field: "value", type: "quantitative", title: "USD", scale: { zero: false } },
          color: { ...color, scale },
          strokeDash: {
            field: "series",
            type: "nominal",
            title: null,
            scale: {
              domain: ["CEX", "exogenous"],
              range: [
                [1, 0],
                [4, 3],
              ],
            },
          },
          detail: { field: "series", type: "nominal" },
        },
      },
    });
  }

  const vel: Row[] = [];
  live.forEach((r, k) => {
    const s = r.steps;
    const h = hoursOf(s);
    for (const i of decimateIndices(s.length, [(i) => s[i].liquidationVelocityUsdPerHour], budget))
      vel.push({ t: h(i), run: labels[k], value: s[i].liquidationVelocityUsdPerHour });
  });
  charts.push({
    id: "compare-liquidations",
    title: "Liquidation velocity by run",
    caption: "Liquidation velocity, USD per hour over each run's rolling window.",
    spec: {
      width: WIDTH,
      height: HEIGHT,
      config: CONFIG,
      title: "Liquidation velocity by run (USD/h)",
      data: { values: vel },
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: xHours,
        y: { field: "value", type: "quantitative", title: "USD/h", axis: { format: "$~s" } },
        color,
      },
    },
  });

  const cap = healthCap(live);
  const narrow = Math.max(220, Math.floor((WIDTH + 160) / live.length) - 40);
  charts.push({
    id: "compare-health",
    title: "Health-factor distribution by run",
    caption: `Side by side, one panel per run: p5-p95 and p25-p75 bands and the median of account health; dashed line at 1. Axis clipped at ${cap}.`,
    spec: {
      config: CONFIG,
      title: "Health factor quantiles by run",
      hconcat: live.map((r, k) => ({
        ...(healthBandLayers(healthBandRows(r, budget), cap, narrow, k === 0) as object),
        title: labels[k],
      })),
      resolve: { scale: { y: "shared" } },
    } as TopLevelSpec,
  });

  const debt: Row[] = [];
  const nav: Row[] = [];
  live.forEach((r, k) => {
    const s = r.steps;
    const h = hoursOf(s);
    const idx = decimateIndices(
      s.length,
      [(i) => s[i].badDebtUsd, (i) => s[i].deficitUsd, (i) => s[i].vaultNetAssetsUsd],
      budget,
    );
    for (const i of idx) {
      debt.push({ t: h(i), run: labels[k], series: "bad debt", value: s[i].badDebtUsd });
      debt.push({ t: h(i), run: labels[k], series: "deficit", value: s[i].deficitUsd });
      nav.push({ t: h(i), run: labels[k], value: s[i].vaultNetAssetsUsd });
    }
  });
  charts.push({
    id: "compare-solvency",
    title: "Bad debt, deficit and vault by run",
    caption:
      "Top: vault net assets per run. Bottom: cumulative bad debt (solid) and deficit (dashed) per run, USD.",
    spec: {
      config: CONFIG,
      title: "Vault net assets; bad debt and deficit by run (USD)",
      vconcat: [
        {
          width: WIDTH,
          height: HEIGHT * 0.7,
          data: { values: nav },
          mark: { type: "line", strokeWidth: 1.5 },
          encoding: {
            x: { ...xHours, title: null },
            y: {
              field: "value",
              type: "quantitative",
              title: "Vault net assets",
              axis: { format: "$~s" },
              scale: { zero: false },
            },
            color,
          },
        },
        {
          width: WIDTH,
          height: HEIGHT * 0.7,
          data: { values: debt },
          mark: { type: "line", strokeWidth: 1.5, interpolate: "step-after" },
          encoding: {
            x: xHours,
            y: { field: "value", type: "quantitative", title: "USD", axis: { format: "$~s" } },
            color,
            strokeDash: {
              field: "series",
              type: "nominal",
              title: null,
              scale: {
                domain: ["bad debt", "deficit"],
                range: [
                  [1, 0],
                  [4, 3],
                ],
              },
            },
            detail: { field: "series", type: "nominal" },
          },
        },
      ],
    },
  });

  const brk: Row[] = [];
  live.forEach((r, k) => {
    const s = r.steps;
    const h = hoursOf(s);
    for (const i of decimateIndices(s.length, [(i) => s[i].effectiveBreakerLevel], budget))
      brk.push({ t: h(i), run: labels[k], value: s[i].effectiveBreakerLevel });
  });
  charts.push({
    id: "compare-breaker",
    title: "Circuit-breaker level by run",
    caption: "Effective breaker level (max of global and asset levels), one row per run.",
    spec: {
      config: CONFIG,
      title: "Circuit-breaker level by run",
      data: { values: brk },
      facet: { row: { field: "run", type: "nominal", title: null, sort: labels } },
      spec: {
        width: WIDTH,
        height: 50,
        mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
        encoding: {
          x: xHours,
          y: {
            field: "value",
            type: "quantitative",
            title: "Level",
            scale: { domain: [0, 3] },
            axis: { tickCount: 4, format: "d" },
          },
          color: { ...color, legend: null },
        },
      },
    },
  });
  return charts;
}

// ---------------------------------------------------------------- rendering

/** Compiles a vega-lite spec and renders it to an SVG string, headless. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vgSpec } = compile(spec);
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders chart definitions in order. */
export async function renderCharts(defs: readonly ChartDef[]): Promise<RenderedChart[]> {
  const out: RenderedChart[] = [];
  for (const d of defs) {
    const t0 = performance.now();
    const svg = await renderSvg(d.spec);
    out.push({ id: d.id, title: d.title, caption: d.caption, svg, renderMs: performance.now() - t0 });
  }
  return out;
}
