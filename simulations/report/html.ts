/**
 * Self-contained HTML reports: inline SVG charts, a summary table, the run's identity. No
 * scripts, no external URLs (links only to the run's own files, by relative path), so the file
 * opens offline and can be archived or attached as is.
 */

import { isoTime } from "../markets/data.js";
import type { SavedRun } from "../metrics/io.js";
import type { AssetCascade, DataFixRecord, JsonValue, RunSummary } from "../metrics/types.js";
import type { RenderedChart } from "./charts.js";
import { runLabels } from "./charts.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const usd = (v: number): string =>
  v.toLocaleString("en-US", {
    style: "currency",
    currency: "USD",
    maximumFractionDigits: v !== 0 && Math.abs(v) < 100 ? 2 : 0,
  });
const num =
  (digits: number) =>
  (v: number): string =>
    v.toLocaleString("en-US", { maximumFractionDigits: digits });
const fixed1 = (v: number): string =>
  v.toLocaleString("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;
const duration = (s: number): string => {
  if (s < 120) return `${num(1)(s)} s`;
  if (s < 2 * 3600) return s % 60 === 0 ? `${num(0)(s / 60)} min` : `${num(1)(s / 60)} min (${num(0)(s)} s)`;
  return `${num(2)(s / 3600)} h (${num(0)(s)} s)`;
};

/** One row of the summary table. */
interface SummaryRow {
  label: string;
  help: string;
  value: (s: RunSummary) => string;
}

const orNA = (v: number | null, f: (x: number) => string): string => (v === null ? "n/a" : f(v));

/** The summary rows, in display order. */
const SUMMARY_ROWS: SummaryRow[] = [
  {
    label: "Bad debt",
    help: "Bad debt arisen over the run (covered by the vault or not), USD",
    value: (s) => usd(s.badDebt),
  },
  { label: "Deficit (end)", help: "Unbacked stablecoin at the end, USD", value: (s) => usd(s.deficit) },
  { label: "Deficit (max)", help: "Highest deficit during the run, USD", value: (s) => usd(s.maxDeficit) },
  {
    label: "Cascade amplification",
    help: "Max over assets of CEX peak-to-trough drawdown / exogenous drawdown (n/a when the exogenous drawdown is below the floor)",
    value: (s) => orNA(s.cascadeAmplification, (v) => `${v.toFixed(3)}x`),
  },
  {
    label: "Peak liquidation velocity",
    help: "Max USD liquidated per hour, over a rolling window (its length in brackets)",
    value: (s) => `${usd(s.peakLiquidationVelocity)}/h (${duration(s.velocityWindowSeconds)})`,
  },
  {
    label: "Liquidatable at the end",
    help: "Accounts the ledger would liquidate after the last step (health below 1, not holding nothing but running auctions; the breaker's pause aside), with their debt: losses not yet realized",
    value: (s) =>
      s.liquidatableAtEnd === undefined
        ? "n/a"
        : `${num(0)(s.liquidatableAtEnd.accounts)} (${usd(s.liquidatableAtEnd.debtUsd)})`,
  },
  {
    label: "Awaiting their auctions at the end",
    help: "Accounts below health 1 after the last step holding nothing but running auctions, which the ledger does not liquidate (ADR 0014): their debt and their auctions' tab left",
    value: (s) =>
      s.awaitingAuctionsAtEnd === undefined
        ? "n/a"
        : `${num(0)(s.awaitingAuctionsAtEnd.accounts)} (debt ${usd(s.awaitingAuctionsAtEnd.debtUsd)}, tab ${usd(s.awaitingAuctionsAtEnd.tabUsd)})`,
  },
  { label: "Liquidations", help: "Successful liquidate calls", value: (s) => num(0)(s.liquidations) },
  { label: "Liquidated", help: "Liquidation volume, USD", value: (s) => usd(s.liquidatedUsd) },
  {
    label: "Auction efficiency",
    help: "Auction proceeds / oracle value of the collateral sold at the time of sale",
    value: (s) => orNA(s.auctionEfficiency, pct),
  },
  {
    label: "Time above level 0",
    help: "Time with any circuit-breaker level above 0",
    value: (s) => duration(s.timeAboveLevel0),
  },
  {
    label: "Max breaker level",
    help: "Highest effective circuit-breaker level",
    value: (s) => String(s.maxBreakerLevel),
  },
  {
    label: "Lowest p5 health",
    help: "Lowest 5th percentile of account health",
    value: (s) => orNA(s.minHealthP5, num(3)),
  },
  { label: "Transactions", help: "Transactions sent", value: (s) => num(0)(s.txCount) },
  { label: "Gas used", help: "Total gas", value: (s) => num(0)(s.gasUsed) },
  { label: "Simulated blocks", help: "Blocks mined", value: (s) => num(0)(s.simulatedBlocks) },
  {
    label: "Simulated time",
    help: "Last minus first step timestamp",
    value: (s) => duration(s.simulatedSeconds),
  },
  { label: "Steps", help: "Recorded steps", value: (s) => num(0)(s.steps) },
  { label: "Wall time", help: "Wall-clock duration of the run", value: (s) => duration(s.wallSeconds) },
  {
    label: "Blocks / s",
    help: "Simulated blocks per wall second",
    value: (s) => orNA(s.blocksPerSecond, fixed1),
  },
  {
    label: "Transactions / s",
    help: "Transactions per wall second",
    value: (s) => orNA(s.txPerSecond, fixed1),
  },
  {
    label: "Data fixes",
    help: "Fixes the loaders applied to the historical market data the run used, by kind (summary.json dataFixes)",
    value: (s) => (s.dataFixes === undefined ? "n/a" : dataFixCounts(s.dataFixes)),
  },
];

/** "3 (bad-wick x2, unit x1)", or "none". */
export function dataFixCounts(fixes: readonly DataFixRecord[]): string {
  if (fixes.length === 0) return "none";
  const counts = new Map<string, number>();
  for (const f of fixes) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
  return `${fixes.length} (${[...counts].map(([k, n]) => `${k} x${n}`).join(", ")})`;
}

/** At most this many fixes are listed in a report (all are in summary.json). */
export const DATA_FIX_ROWS = 200;

/** A fix's change of value, "1.5e+21 -> 1500", or "". */
function fixChange(f: DataFixRecord): string {
  const field = f.field === undefined ? "" : `${f.field}: `;
  if (f.from === undefined && f.to === undefined) return f.field ?? "";
  return `${field}${f.from === undefined ? "?" : String(f.from)} -> ${f.to === undefined ? "?" : String(f.to)}`;
}

/**
 * The section listing the fixes applied to the run's historical market data: what (kind, detail),
 * where (file, row time, field) and how many; "none" when there were none, and a note when the
 * summary predates the list.
 */
export function dataFixesSection(s: RunSummary): string {
  const head = `<h2 id="data-fixes">Data fixes</h2>`;
  const fixes = s.dataFixes;
  if (fixes === undefined)
    return `${head}\n<p class="sub" data-fixes="unknown">Not recorded in this summary.json.</p>`;
  if (fixes.length === 0)
    return `${head}\n<p class="sub" data-fixes="0">none: the run used its market data as loaded.</p>`;
  const rows = fixes
    .slice(0, DATA_FIX_ROWS)
    .map(
      (f) =>
        `<tr><td>${escapeHtml(f.kind)}</td><td>${escapeHtml(f.file)}</td><td>${f.time === undefined ? "" : escapeHtml(isoTime(f.time))}</td><td>${escapeHtml(fixChange(f))}</td><td>${escapeHtml(f.detail)}</td></tr>`,
    )
    .join("\n");
  const more =
    fixes.length > DATA_FIX_ROWS
      ? `\n<p class="sub">... and ${num(0)(fixes.length - DATA_FIX_ROWS)} more in summary.json.</p>`
      : "";
  return `${head}
<p class="sub" data-fixes="${fixes.length}">${escapeHtml(dataFixCounts(fixes))} applied to the historical market data before the run.</p>
<table class="data-fixes"><tr><th>Kind</th><th>File</th><th>Row (UTC)</th><th>Field (from -&gt; to)</th><th>Detail</th></tr>
${rows}</table>${more}`;
}

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1400px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin:0 0 16px}
table{border-collapse:collapse;font-size:14px;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f6f6f6} td.v{text-align:right;font-variant-numeric:tabular-nums}
figure.chart{margin:18px 0;overflow-x:auto} figure.chart figcaption{color:#555;font-size:13px;margin-top:4px;max-width:900px}
figure.chart svg{display:block;max-width:none}
pre{background:#f6f6f6;padding:8px;font-size:12px;overflow-x:auto}
.files a{margin-right:12px}
`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function chartFigures(charts: readonly RenderedChart[], pngDir: string): string {
  return charts
    .map(
      (c) => `<figure class="chart" id="chart-${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}">
<h3 style="font-size:15px;margin:0 0 6px">${escapeHtml(c.title)}</h3>
${c.svg}
<figcaption>${escapeHtml(c.caption)} <a href="${escapeHtml(`${pngDir}/${c.id}.png`)}">PNG</a></figcaption>
</figure>`,
    )
    .join("\n");
}

function metaRows(s: RunSummary): [string, string][] {
  const m = s.meta;
  const rows: [string, string][] = [
    ["Scenario", m.scenario],
    ["Seed", String(m.seed)],
    ["Margin mode", m.marginMode],
  ];
  if (m.label !== undefined) rows.push(["Label", m.label]);
  if (m.stepSeconds !== undefined) rows.push(["Step", `${m.stepSeconds} s`]);
  if (m.accounts !== undefined) rows.push(["Accounts", String(m.accounts)]);
  return rows;
}

function cascadeTable(s: RunSummary): string {
  const assets = Object.keys(s.cascadeByAsset);
  if (assets.length === 0) return "";
  const f = (v: number | null, g: (x: number) => string) => orNA(v, g);
  const rows = assets
    .map((a) => {
      const c = s.cascadeByAsset[a];
      return `<tr><td>${escapeHtml(a)}</td><td class="v">${pct(c.exogenousDrawdown)}</td><td class="v">${pct(c.cexDrawdown)}</td><td class="v">${f(c.poolDrawdown, pct)}</td><td class="v">${f(c.amplification, (v) => `${v.toFixed(3)}x`)}</td><td class="v">${f(c.poolAmplification, (v) => `${v.toFixed(3)}x`)}</td></tr>`;
    })
    .join("\n");
  return `<table><tr><th>Asset</th><th>Exogenous drawdown</th><th>CEX drawdown</th><th>Pool drawdown</th><th>Amplification (CEX)</th><th>Amplification (pool)</th></tr>
${rows}</table>
<p class="sub">Drawdown: largest peak-to-trough fall. Amplification is n/a when the exogenous drawdown is below ${pct(s.cascadeDrawdownFloor)}.</p>`;
}

function paramsBlock(params: Record<string, JsonValue> | undefined): string {
  if (params === undefined || Object.keys(params).length === 0) return "";
  return `<h2>Parameters</h2><pre>${escapeHtml(JSON.stringify(params, null, 2))}</pre>`;
}

/** The report of one run. `pngDir` is the PNG folder relative to the HTML file. */
export function renderRunHtml(run: SavedRun, charts: readonly RenderedChart[], pngDir = "charts"): string {
  const s = run.summary;
  const title = `Ballast simulation: ${s.scenario} (${s.marginMode}, seed ${String(s.seed)})`;
  const meta = metaRows(s)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("\n");
  const summary = SUMMARY_ROWS.map(
    (r) =>
      `<tr><th title="${escapeHtml(r.help)}">${escapeHtml(r.label)}</th><td class="v">${escapeHtml(r.value(s))}</td></tr>`,
  ).join("\n");
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="sub">Rendered from the saved metrics only. Files: <span class="files"><a href="summary.json">summary.json</a><a href="metrics.csv">metrics.csv</a><a href="metrics.jsonl">metrics.jsonl</a></span></p>
<h2>Run</h2>
<table>${meta}</table>
<h2>Summary</h2>
<table class="summary">${summary}</table>
<h2>Cascade</h2>
${cascadeTable(s)}
${dataFixesSection(s)}
${paramsBlock(s.meta.params)}
<h2>Charts</h2>
${chartFigures(charts, pngDir)}`;
  return page(title, body);
}

/** Per-asset drawdown and amplification rows for the comparison table (union of the runs' assets). */
function assetAmplificationRows(runs: readonly SavedRun[]): string[] {
  const assets = [...new Set(runs.flatMap((r) => Object.keys(r.summary.cascadeByAsset)))].sort();
  const cell = (r: SavedRun, a: string, f: (c: AssetCascade) => string): string => {
    const c = r.summary.cascadeByAsset[a];
    return `<td class="v">${c === undefined ? "n/a" : escapeHtml(f(c))}</td>`;
  };
  return assets.flatMap((a) => [
    `<tr><th title="Exogenous / CEX peak-to-trough drawdown">${escapeHtml(a)} drawdown (exo / CEX)</th>${runs
      .map((r) => cell(r, a, (c) => `${pct(c.exogenousDrawdown)} / ${pct(c.cexDrawdown)}`))
      .join("")}</tr>`,
    `<tr><th title="CEX drawdown / exogenous drawdown">${escapeHtml(a)} amplification</th>${runs
      .map((r) => cell(r, a, (c) => orNA(c.amplification, (v) => `${v.toFixed(3)}x`)))
      .join("")}</tr>`,
  ]);
}

/** The side-by-side report of several runs (e.g. the three margin modes on one seed). */
export function renderComparisonHtml(
  runs: readonly SavedRun[],
  charts: readonly RenderedChart[],
  pngDir = "charts",
): string {
  const labels = runLabels(runs);
  const scenarios = [...new Set(runs.map((r) => r.summary.scenario))];
  const seeds = [...new Set(runs.map((r) => String(r.summary.seed)))];
  const title = `Ballast simulation comparison: ${scenarios.join(", ")} (seed ${seeds.join(", ")})`;
  const head = `<tr><th></th>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join("")}</tr>`;
  const metaRowsHtml = [
    ["Scenario", (s: RunSummary) => s.scenario],
    ["Seed", (s: RunSummary) => String(s.seed)],
    ["Margin mode", (s: RunSummary) => s.marginMode],
  ] as const;
  const rows = [
    ...metaRowsHtml.map(
      ([k, f]) => `<tr><th>${k}</th>${runs.map((r) => `<td>${escapeHtml(f(r.summary))}</td>`).join("")}</tr>`,
    ),
    ...SUMMARY_ROWS.map(
      (row) =>
        `<tr><th title="${escapeHtml(row.help)}">${escapeHtml(row.label)}</th>${runs.map((r) => `<td class="v">${escapeHtml(row.value(r.summary))}</td>`).join("")}</tr>`,
    ),
    ...assetAmplificationRows(runs),
  ].join("\n");
  const dirs = runs
    .map((r, k) => `<tr><th>${escapeHtml(labels[k])}</th><td>${escapeHtml(r.dir)}</td></tr>`)
    .join("\n");
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="sub">Rendered from the saved metrics of each run only.</p>
<h2>Summary</h2>
<table class="summary">${head}
${rows}</table>
<h2>Runs</h2>
<table>${dirs}</table>
<h2>Charts</h2>
${chartFigures(charts, pngDir)}`;
  return page(title, body);
}
