import { expect } from "chai";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { readRun, saveRecorder, SUMMARY_FILE } from "../../simulations/metrics/io.js";
import { MetricsRecorder } from "../../simulations/metrics/recorder.js";
import { MARGIN_MODES, type DataFixRecord, type RunSummary } from "../../simulations/metrics/types.js";
import {
  bucketRanges,
  comparisonCharts,
  decimateIndices,
  MAX_POINTS,
  runCharts,
} from "../../simulations/report/charts.js";
import { escapeHtml } from "../../simulations/report/html.js";
import {
  CHART_DIR,
  COMPARISON_FILE,
  renderReportFromDir,
  REPORT_FILE,
  writeComparisonReport,
  writeReport,
} from "../../simulations/report/index.js";
import { isPng, pngSize } from "../../simulations/report/png.js";
import { IMPACT_BY_MODE, syntheticMeta, syntheticSteps, type SyntheticOptions } from "./fixtures.js";

/** Chromium for the browser test: $BALLAST_CHROMIUM, else Debian's /usr/bin/chromium. */
const CHROMIUM = process.env.BALLAST_CHROMIUM ?? "/usr/bin/chromium";

/** Any src/href (or CSS url()) that points off the file: absolute http(s) or protocol-relative. */
const EXTERNAL_REF = /(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*)(?:https?:)?\/\//i;

async function saveRun(
  dir: string,
  mode: (typeof MARGIN_MODES)[number],
  opts: SyntheticOptions = {},
  dataFixes?: DataFixRecord[],
): Promise<RunSummary> {
  const rec = new MetricsRecorder();
  for (const s of syntheticSteps({ impact: IMPACT_BY_MODE[mode], ...opts })) rec.record(s);
  const extras = dataFixes === undefined ? { wallSeconds: 2.5 } : { wallSeconds: 2.5, dataFixes };
  const { summary } = await saveRecorder(dir, rec, syntheticMeta(mode), extras);
  return summary;
}

/**
 * Fixes of a run that has some (the shapes simulations/markets/data.ts records: the default run's
 * unit fix of the gas file, as its summary.json has it; a bad wick), one with markup in its text to be escaped.
 */
const FIXES: DataFixRecord[] = [
  {
    file: "stress-days/2020-03-12.gas.json",
    kind: "unit",
    field: "avgGasDay",
    detail: '"avgGasDay" is in wei; divided by 1e9 to gwei',
  },
  {
    file: "candles/ETH <&> 10m.csv",
    kind: "bad-wick",
    time: 1584007200,
    field: "low",
    from: 1,
    to: 101.5,
    detail: "low 1 is <script>alert(1)</script> 99% below the close: clamped",
  },
];

/** What the browser reports about the data-fixes section. */
interface FixesProbe {
  heading: string | null;
  count: string | null;
  note: string | null;
  rows: string[][];
  scripts: number;
}

const PROBE_FIXES = `(() => {
  const h = document.getElementById("data-fixes");
  const note = h ? h.nextElementSibling : null;
  const table = document.querySelector("table.data-fixes");
  const rows = table ? Array.from(table.querySelectorAll("tr")).slice(1).map((tr) => Array.from(tr.cells).map((c) => c.textContent)) : [];
  return { heading: h ? h.textContent : null, count: note ? note.getAttribute("data-fixes") : null, note: note ? note.textContent : null, rows, scripts: document.querySelectorAll("script").length };
})()`;

/** What the browser reports about one chart figure. */
interface ChartProbe {
  id: string | null;
  width: number;
  height: number;
  /** Data marks drawn: vega's `role-mark` groups' paths with geometry, or lines. */
  marks: number;
}

/** Runs in the page (a string, so the test needs no DOM typings). */
const PROBE_CHARTS = `Array.from(document.querySelectorAll("figure.chart")).map((f) => {
  const svg = f.querySelector("svg");
  const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
  const marks = svg ? Array.from(svg.querySelectorAll("g.role-mark > path, g.role-mark > line")) : [];
  const drawn = marks.filter((m) => m.tagName === "line" || (m.getAttribute("d") || "").length > 2);
  return { id: f.getAttribute("data-chart"), width: box.width, height: box.height, marks: drawn.length };
})`;

describe("sim report", function () {
  this.timeout(60_000);
  let root: string;
  let runDirs: string[];
  let compareDir: string;

  before(async function () {
    root = await mkdtemp(join(tmpdir(), "ballast-report-"));
    runDirs = MARGIN_MODES.map((m) => join(root, m));
    compareDir = join(root, "compare");
    await Promise.all(MARGIN_MODES.map((m, k) => saveRun(runDirs[k], m)));
  });

  after(async function () {
    await rm(root, { recursive: true, force: true });
  });

  describe("downsampling", function () {
    it("keeps every point of a short series and the extremes of a long one", function () {
      expect(decimateIndices(5, [(i) => i])).to.deep.equal([0, 1, 2, 3, 4]);
      const n = 50_000;
      const spike = 31_337;
      const trough = 12_345;
      const y = (i: number) => (i === spike ? 1e6 : i === trough ? -1e6 : Math.sin(i / 50));
      const idx = decimateIndices(n, [y, () => null]);
      expect(idx.length).to.be.at.most(MAX_POINTS + 2);
      expect(idx).to.include.members([0, n - 1, spike, trough]);
      expect(idx).to.deep.equal([...idx].sort((a, b) => a - b));
      expect(new Set(idx).size).to.equal(idx.length);
    });

    it("buckets cover every step once", function () {
      const b = bucketRanges(1000, 120);
      expect(b).to.have.length(120);
      expect(b[0][0]).to.equal(0);
      expect(b[119][1]).to.equal(1000);
      for (let i = 1; i < b.length; i++) expect(b[i][0]).to.equal(b[i - 1][1]);
      expect(bucketRanges(7, 120)).to.have.length(7);
    });
  });

  describe("single-run report", function () {
    it("is rendered from the saved files only, self-contained, with a valid PNG per chart", async function () {
      const dir = runDirs[0];
      // Edit the saved summary on disk: the report must show the edit (it reads files, not memory).
      const summary = JSON.parse(await readFile(join(dir, SUMMARY_FILE), "utf8")) as RunSummary;
      summary.scenario = "edited-on-disk <&>";
      summary.meta.scenario = summary.scenario;
      await writeFile(join(dir, SUMMARY_FILE), JSON.stringify(summary, null, 2));

      const files = await writeReport(dir);
      expect(files.html).to.equal(join(dir, REPORT_FILE));
      const html = await readFile(files.html, "utf8");
      expect(html).to.include(escapeHtml("edited-on-disk <&>"));
      expect(html).not.to.include("edited-on-disk <&>");
      expect(html).not.to.match(EXTERNAL_REF);
      expect(html).not.to.match(/<script\b|<link\b|<iframe\b|@import/i);

      const ids = runCharts(await readRun(dir)).map((c) => c.id);
      expect(ids).to.include.members([
        "prices-WETH",
        "prices-WBTC",
        "liquidations",
        "health",
        "health-histogram",
        "solvency",
        "breaker",
        "auctions",
        "perps",
        "activity",
      ]);
      for (const id of ids) {
        expect(html).to.include(`data-chart="${id}"`);
        const png = await readFile(join(dir, CHART_DIR, `${id}.png`));
        expect(isPng(png), `${id}.png is a PNG`).to.equal(true);
        expect(pngSize(png).width).to.be.greaterThan(700);
      }
      expect((await readdir(join(dir, CHART_DIR))).sort()).to.deep.equal(ids.map((i) => `${i}.png`).sort());
      expect(isPng(Buffer.from("not a png at all, not at all"))).to.equal(false);
      for (const [id, ms] of Object.entries(files.renderMs)) expect(ms, id).to.be.below(10_000); // a pathological regression, not a benchmark
      console.log(
        `      render ms: ${Object.entries(files.renderMs)
          .map(([k, v]) => `${k} ${v.toFixed(0)}`)
          .join(", ")}`,
      );
    });

    it("lists the fixes applied to the historical data: what, where, how many, escaped; none when none", async function () {
      const dir = join(root, "fixed");
      await saveRun(dir, "static", { steps: 30 }, FIXES);
      const html = await readFile((await writeReport(dir)).html, "utf8");
      const section = /<h2 id="data-fixes">[\s\S]*?(?=<h2)/.exec(html)?.[0] ?? "";
      expect(section).to.include('data-fixes="2"');
      expect(section).to.include("2 (unit x1, bad-wick x1) applied to the historical market data");
      expect(section).to.include(
        "<tr><td>unit</td><td>stress-days/2020-03-12.gas.json</td><td></td><td>avgGasDay</td>",
      );
      expect(section).to.include(
        "<tr><td>bad-wick</td><td>candles/ETH &lt;&amp;&gt; 10m.csv</td><td>2020-03-12T10:00:00Z</td><td>low: 1 -&gt; 101.5</td>",
      );
      expect(section).to.include(escapeHtml(FIXES[1].detail));
      expect(html).not.to.match(/<script\b/i);
      expect(html).to.match(/Data fixes<\/th><td class="v">2 \(unit x1, bad-wick x1\)<\/td>/);

      const clean = join(root, "clean");
      await saveRun(clean, "static", { steps: 30 }, []);
      const none = await readFile((await writeReport(clean)).html, "utf8");
      expect(none).to.match(/<h2 id="data-fixes">Data fixes<\/h2>\n<p class="sub" data-fixes="0">none/);
      expect(none).not.to.include('class="data-fixes"');
      // a summary written without the list (synthetic, or before it existed) does not claim none
      const old = await readFile((await writeReport(runDirs[1])).html, "utf8");
      expect(old).to.include('data-fixes="unknown"');
    });

    it("renders a long run (3,000 steps) with charts thinned to about 2,000 points", async function () {
      const dir = join(root, "long");
      await saveRun(dir, "ramped", { steps: 3000, accounts: 10 });
      const t0 = performance.now();
      const { html } = await renderReportFromDir(dir);
      const ms = performance.now() - t0;
      const csvRows = (await readFile(join(dir, "metrics.csv"), "utf8")).trim().split("\n").length - 1;
      expect(csvRows).to.equal(3000);
      // The velocity line has one vertex per drawn row: at most MAX_POINTS + 2 of the 3,000 steps.
      const fig = /data-chart="liquidations"[\s\S]*?<\/figure>/.exec(html)?.[0] ?? "";
      const d = /class="mark-line role-mark[^"]*"[^>]*>\s*<path[^>]*?\sd="([^"]*)"/.exec(fig)?.[1] ?? "";
      const vertices = (d.match(/L/g) ?? []).length + 1;
      expect(vertices).to.be.greaterThan(100);
      expect(vertices).to.be.at.most(MAX_POINTS + 2);
      console.log(`      3,000-step report (read + charts + HTML, no PNG): ${ms.toFixed(0)} ms`);
    });

    it("renders runs of zero and one step without charts breaking", async function () {
      for (const n of [0, 1]) {
        const dir = join(root, `tiny-${n}`);
        const rec = new MetricsRecorder();
        for (const s of syntheticSteps({ steps: n })) rec.record(s);
        await saveRecorder(dir, rec, syntheticMeta("static"), { wallSeconds: 0 });
        const files = await writeReport(dir);
        const html = await readFile(files.html, "utf8");
        expect(html).to.include("synthetic-crash");
        expect(files.pngs).to.have.length(n === 0 ? 0 : runCharts(await readRun(dir)).length);
        for (const png of files.pngs) expect(isPng(await readFile(png)), png).to.equal(true);
      }
    });

    it("fails with the file's name when the saved metrics are missing", async function () {
      const dir = join(root, "empty");
      await rm(dir, { recursive: true, force: true });
      let message = "";
      try {
        await writeReport(dir);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).to.include(join(dir, SUMMARY_FILE));
      expect(existsSync(join(dir, REPORT_FILE))).to.equal(false);
    });
  });

  describe("comparison report", function () {
    it("draws a shared exogenous path once, and per run when the runs differ", async function () {
      const runs = await Promise.all(runDirs.map((d) => readRun(d)));
      const rowsOf = (rs: typeof runs) => {
        const chart = comparisonCharts(rs).find((c) => c.id === "compare-prices-WETH");
        return (chart?.spec as unknown as { data: { values: { run: string; series: string }[] } }).data
          .values;
      };
      const shared = rowsOf(runs).filter((r) => r.series === "exogenous");
      expect(shared.length).to.be.greaterThan(0);
      expect(new Set(shared.map((r) => r.run))).to.deep.equal(new Set(["exogenous (all runs)"]));
      await saveRun(join(root, "other"), "ramped", { steps: 100, crash: 0.1 });
      const other = await readRun(join(root, "other"));
      const differing = rowsOf([runs[0], other]).filter((r) => r.series === "exogenous");
      expect(new Set(differing.map((r) => r.run))).to.deep.equal(new Set(["static", "ramped"]));
    });

    it("puts the three margin modes side by side", async function () {
      const files = await writeComparisonReport(runDirs, compareDir);
      const html = await readFile(files.html, "utf8");
      expect(html).not.to.match(EXTERNAL_REF);
      expect(html).to.match(/<tr><th><\/th><th>static<\/th><th>dynamic<\/th><th>ramped<\/th><\/tr>/);
      for (const id of [
        "compare-prices-WETH",
        "compare-liquidations",
        "compare-health",
        "compare-solvency",
        "compare-breaker",
      ]) {
        expect(html).to.include(`data-chart="${id}"`);
        expect(isPng(await readFile(join(compareDir, CHART_DIR, `${id}.png`)))).to.equal(true);
      }
      const cmp = JSON.parse(await readFile(join(compareDir, COMPARISON_FILE), "utf8")) as {
        runs: { label: string; dir: string; summary: RunSummary }[];
      };
      expect(cmp.runs.map((r) => r.label)).to.deep.equal(["static", "dynamic", "ramped"]);
      expect(cmp.runs.map((r) => r.dir)).to.deep.equal(["../static", "../dynamic", "../ramped"]);
      // Each run's numbers appear in its own column: the liquidation counts differ by run.
      const counts = cmp.runs.map((r) => r.summary.liquidations.toLocaleString("en-US"));
      const amps = cmp.runs.map((r) => `${r.summary.cascadeByAsset.WETH.amplification?.toFixed(3)}x`);
      expect(html).to.include(
        `WETH amplification</th>${amps.map((a) => `<td class="v">${a}</td>`).join("")}`,
      );
      expect(html).to.include(
        `<th title="Successful liquidate calls">Liquidations</th>${counts.map((c) => `<td class="v">${c}</td>`).join("")}`,
      );
    });
  });

  describe("in a headless browser", function () {
    it("shows every chart as an SVG with a size and data marks, and loads nothing from the network", async function () {
      if (!existsSync(CHROMIUM)) {
        console.log(
          `      skipped: no Chromium at ${CHROMIUM} (install Debian's chromium or set BALLAST_CHROMIUM)`,
        );
        this.skip();
      }
      if (!existsSync(join(compareDir, REPORT_FILE))) await writeComparisonReport(runDirs, compareDir);
      if (!existsSync(join(runDirs[0], REPORT_FILE))) await writeReport(runDirs[0]);
      const { chromium } = await import("playwright-core");
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-background-networking"],
      });
      try {
        for (const file of [join(runDirs[0], REPORT_FILE), join(compareDir, REPORT_FILE)]) {
          const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
          const offsite: string[] = [];
          page.on("request", (r) => {
            if (!/^(file|data|about):/.test(r.url())) offsite.push(r.url());
          });
          await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
          const charts = await page.evaluate<ChartProbe[]>(PROBE_CHARTS);
          expect(charts.length, file).to.be.at.least(5);
          for (const c of charts) {
            expect(c.width, `${c.id} width`).to.be.greaterThan(100);
            expect(c.height, `${c.id} height`).to.be.greaterThan(50);
            expect(c.marks, `${c.id} marks`).to.be.greaterThan(0);
          }
          expect(offsite, "network requests").to.deep.equal([]);
          await page.close();
        }
        // the data fixes of a run that has some: a heading, the count, one row per fix, the
        // markup in a fix's text shown as text, not run
        const fixedDir = join(root, "fixed-browser");
        await saveRun(fixedDir, "static", { steps: 30 }, FIXES);
        await writeReport(fixedDir);
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.goto(pathToFileURL(join(fixedDir, REPORT_FILE)).href, { waitUntil: "load" });
        const fixes = await page.evaluate<FixesProbe>(PROBE_FIXES);
        expect(fixes.heading).to.equal("Data fixes");
        expect(fixes.count).to.equal("2");
        expect(fixes.note).to.equal(
          "2 (unit x1, bad-wick x1) applied to the historical market data before the run.",
        );
        expect(fixes.rows).to.deep.equal(
          FIXES.map((f, i) => [
            f.kind,
            f.file,
            i === 0 ? "" : "2020-03-12T10:00:00Z",
            i === 0 ? "avgGasDay" : "low: 1 -> 101.5",
            f.detail,
          ]),
        );
        expect(fixes.scripts).to.equal(0);
        await page.close();
      } finally {
        await browser.close();
      }
    });
  });
});
