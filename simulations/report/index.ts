/**
 * Report entry points. Reports are rendered from saved run directories only (see
 * simulations/metrics/io.ts), never from live simulation state:
 *
 *   writeReport(dir)                      -> dir/report.html, dir/charts/<chart>.png
 *   writeComparisonReport(dirs, outDir)   -> outDir/report.html, outDir/charts/<chart>.png,
 *                                            outDir/comparison.json (the runs' summaries)
 */

import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";

import { readRun, type SavedRun } from "../metrics/io.js";
import type { RunSummary } from "../metrics/types.js";
import { comparisonCharts, renderCharts, runCharts, runLabels, type RenderedChart } from "./charts.js";
import { renderComparisonHtml, renderRunHtml } from "./html.js";
import { svgToPng } from "./png.js";

export const REPORT_FILE = "report.html";
export const CHART_DIR = "charts";
export const COMPARISON_FILE = "comparison.json";

/** A report rendered in memory. */
export interface RenderedReport {
  html: string;
  charts: RenderedChart[];
  runs: SavedRun[];
}

/** Files a report wrote. */
export interface ReportFiles {
  html: string;
  pngs: string[];
  /** Per chart, milliseconds to compile and render the SVG. */
  renderMs: Record<string, number>;
}

/** Reads a saved run directory and renders its report in memory (nothing written). */
export async function renderReportFromDir(dir: string): Promise<RenderedReport> {
  const run = await readRun(dir);
  const charts = await renderCharts(runCharts(run));
  return { html: renderRunHtml(run, charts, CHART_DIR), charts, runs: [run] };
}

/** Reads several run directories and renders their side-by-side report in memory. */
export async function renderComparisonFromDirs(
  dirs: readonly string[],
  outDir?: string,
): Promise<RenderedReport> {
  if (dirs.length === 0) throw new Error("comparison report: no run directories");
  const runs = await Promise.all(dirs.map((d) => readRun(d)));
  // Show run directories relative to the report when it has a home.
  const shown =
    outDir === undefined ? runs : runs.map((r) => ({ ...r, dir: relative(outDir, r.dir) || "." }));
  const charts = await renderCharts(comparisonCharts(runs));
  return { html: renderComparisonHtml(shown, charts, CHART_DIR), charts, runs };
}

async function writeRendered(outDir: string, report: RenderedReport): Promise<ReportFiles> {
  const chartDir = join(outDir, CHART_DIR);
  await mkdir(chartDir, { recursive: true });
  const html = join(outDir, REPORT_FILE);
  const pngs = report.charts.map((c) => join(chartDir, `${c.id}.png`));
  await Promise.all([
    writeFile(html, report.html),
    ...report.charts.map((c, i) => writeFile(pngs[i], svgToPng(c.svg))),
  ]);
  return { html, pngs, renderMs: Object.fromEntries(report.charts.map((c) => [c.id, c.renderMs])) };
}

/** Renders `dir/report.html` and `dir/charts/*.png` from the run saved in `dir`. */
export async function writeReport(dir: string): Promise<ReportFiles> {
  return writeRendered(dir, await renderReportFromDir(dir));
}

/**
 * Renders a side-by-side report of the runs saved in `dirs` (e.g. the three margin modes on one
 * seed) into `outDir`, plus `comparison.json`: `{ runs: [{ label, dir, summary }] }`.
 */
export async function writeComparisonReport(dirs: readonly string[], outDir: string): Promise<ReportFiles> {
  await mkdir(outDir, { recursive: true });
  const report = await renderComparisonFromDirs(dirs, outDir);
  const labels = runLabels(report.runs);
  const comparison: { runs: { label: string; dir: string; summary: RunSummary }[] } = {
    runs: report.runs.map((r, k) => ({
      label: labels[k],
      dir: relative(outDir, r.dir) || ".",
      summary: r.summary,
    })),
  };
  const files = await writeRendered(outDir, report);
  await writeFile(join(outDir, COMPARISON_FILE), JSON.stringify(comparison, null, 2) + "\n");
  return files;
}
