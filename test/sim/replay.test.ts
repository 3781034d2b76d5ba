import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DataReport, MissingDataError, parseUtc, resolveDataDir } from "../../simulations/markets/data.js";
import { ReplayGas, loadStressDayGas } from "../../simulations/markets/gas.js";
import { loadStressDayLiquidity, pacificUtcOffsetHours } from "../../simulations/markets/liquidity.js";
import {
  CandlePath,
  DataFormatError,
  ReplayProcess,
  cleanCandles,
  loadCandleCsv,
  loadHourly,
  loadStressDayCandles,
  maxDrawdown,
  sliceSeries,
  type LoadedSeries,
} from "../../simulations/markets/replay.js";
import { expectClose } from "./float-close.js";

const t = (iso: string): number => parseUtc(iso) as number;

/** Runs `f` with BALLAST_DATA_DIR set to `dir`, restoring it afterwards. */
function withDataDir<T>(dir: string, f: () => T): T {
  const before = process.env.BALLAST_DATA_DIR;
  process.env.BALLAST_DATA_DIR = dir;
  try {
    return f();
  } finally {
    if (before === undefined) delete process.env.BALLAST_DATA_DIR;
    else process.env.BALLAST_DATA_DIR = before;
  }
}

describe("simulations/markets/replay (real data in ../shared/data)", function () {
  let eth: LoadedSeries;
  let btc: LoadedSeries;
  let tmp: string;

  before(function () {
    this.timeout(60_000); // parsing the two hourly files: well under a second on an idle machine
    eth = loadHourly("ETH");
    btc = loadHourly("BTC");
    tmp = mkdtempSync(join(tmpdir(), "ballast-replay-"));
  });
  after(function () {
    rmSync(tmp, { recursive: true, force: true });
  });

  it("cleaned hourly series are regular (one candle per hour, no gaps)", function () {
    for (const { series } of [eth, btc]) {
      expect(series.intervalSeconds).to.equal(3600);
      const cs = series.candles;
      for (let i = 1; i < cs.length; i++) {
        if (cs[i].time - cs[i - 1].time !== 3600) expect.fail(`gap at ${cs[i].time}`);
      }
    }
    expect(eth.series.candles.length).to.equal(35_809);
    expect(eth.series.candles[0].time).to.equal(t("2019-12-01T00:00:00Z"));
  });

  it("Black Thursday: ETH's intraday drawdown on 2020-03-12 is about -48% in the cleaned data", function () {
    const day = t("2020-03-12");
    const hourly = maxDrawdown(sliceSeries(eth.series, day, day + 86_400).candles);
    const tenMinute = maxDrawdown(loadStressDayCandles("2020-03-12").series.candles);
    expectClose(tenMinute, -0.483, 0.005); // 195.43 -> 101.01
    expectClose(hourly, -0.48, 0.04); // the exchange's hourly low is a little deeper
    // over the two days, the bad 323 high of 2020-03-13 would have made it look like -74%
    expect(maxDrawdown(sliceSeries(eth.series, day, day + 2 * 86_400).candles)).to.be.above(-0.6);
  });

  it("fixes and reports the two known bad ETH wicks, and only those", function () {
    const fixes = eth.report.fixes;
    expect(fixes.map((f) => [f.kind, f.time, f.field, f.from, f.to])).to.deep.equal([
      ["bad-wick", t("2020-03-13T02:00:00Z"), "high", 323, 110.8],
      ["bad-wick", t("2021-05-19T13:00:00Z"), "low", 1400.73, 2332.92],
    ]);
    const at = (iso: string) => eth.series.candles.find((c) => c.time === t(iso))!;
    expect(at("2020-03-13T02:00:00Z").high).to.equal(110.8);
    expect(at("2021-05-19T13:00:00Z").low).to.equal(2332.92);
    // real crash wicks are kept
    expect(at("2020-03-12T10:00:00Z").low).to.equal(122.73);
    expect(at("2021-05-19T12:00:00Z").low).to.equal(1960);
    expect(at("2020-08-02T04:00:00Z").low).to.equal(302);
    expect(eth.report.format()[0]).to.match(/eth-usd-1h\.csv 2020-03-13T02:00:00Z bad-wick: high 323 /);
  });

  it("drops BTC's leading 10,000 placeholder rows and reports them", function () {
    const fixes = btc.report.fixes.filter((f) => f.kind === "placeholder");
    expect(fixes.map((f) => f.time)).to.deep.equal([t("2019-09-08T17:00:00Z"), t("2019-09-08T18:00:00Z")]);
    expect(btc.series.candles[0].time).to.equal(t("2019-09-08T19:00:00Z"));
    expect(btc.series.candles[0].open).to.equal(10344.77);
    expect(btc.report.counts()).to.deep.equal({ placeholder: 2, "no-trade": 2 });
    // BTC's 2021-07-26 squeeze to 48,168 is a real exchange wick, kept at the default threshold
    expect(btc.series.candles.find((c) => c.time === t("2021-07-26T01:00:00Z"))!.high).to.equal(48168.6);
    // ... and treated as bad data at a stricter one
    const strict = loadHourly("BTC", { wickThreshold: 0.2 });
    expect(
      strict.report.fixes.some((f) => f.kind === "bad-wick" && f.time === t("2021-07-26T01:00:00Z")),
    ).to.equal(true);
  });

  it("stress days: 144 ten-minute candles; 2020-09-05's repeated and missing rows are cleaned and reported", function () {
    const { series, report } = loadStressDayCandles("2020-09-05");
    expect(series.candles.length).to.equal(144);
    expect(series.candles[0].time).to.equal(t("2020-09-05T00:00:00Z"));
    expect(report.counts()).to.deep.equal({ duplicate: 2, "missing-interval": 2 });
    expect(series.candles[0].close).to.equal(388.57); // back-filled at the first open
    expect(loadStressDayCandles("2021-01-11").report.fixes).to.deep.equal([]);
  });

  it("the ohlc path reaches every candle's extremes; the close path does not", function () {
    const { series } = loadStressDayCandles("2020-03-12");
    const ohlc = new CandlePath(series, "ohlc");
    const close = new CandlePath(series, "close");
    let minOhlc = Infinity;
    let minClose = Infinity;
    for (let s = ohlc.startTime; s <= ohlc.endTime; s += 200) {
      minOhlc = Math.min(minOhlc, ohlc.priceAt(s));
      minClose = Math.min(minClose, close.priceAt(s));
    }
    expectClose(minOhlc, 101.01, 1e-9);
    expect(minClose).to.be.above(101.01);
    expect(ohlc.priceAt(ohlc.startTime)).to.equal(195.21);
    expect(ohlc.priceAt(ohlc.endTime + 10_000)).to.equal(series.candles[143].close);
    const replay = new ReplayProcess(ohlc, ohlc.startTime, 2000);
    expectClose(replay.price, 2000, 1e-9);
    replay.step(86_400 + 1);
    expect(replay.exhausted).to.equal(true);
  });

  it("gas: 2020-03-12 rises from about 10 to 200+ gwei; wei converted and date mismatch reported", function () {
    const { series, report } = loadStressDayGas("2020-03-12", "avg");
    expect(series.gwei.length).to.equal(144);
    expectClose(series.gwei[0], 9.9, 0.1);
    expect(Math.max(...series.gwei)).to.be.above(200);
    expect(report.fixes.map((f) => f.kind)).to.deep.equal(["unit"]);
    const replay = new ReplayGas(series, series.startEpoch);
    expect(replay.gweiAt(0)).to.equal(series.gwei[0]);
    expect(replay.gweiAt(599)).to.equal(series.gwei[0]);
    expect(replay.gweiAt(600)).to.equal(series.gwei[1]);
    const feb = loadStressDayGas("2021-02-22");
    expect(feb.report.fixes.map((f) => f.kind)).to.deep.equal(["date-mismatch", "unit"]);
    expect(feb.series.startEpoch).to.equal(t("2021-02-22"));
  });

  it("liquidity: the ETH/DAI pool value of a stress day; none exists for 2020-03-12", function () {
    const { series, report } = loadStressDayLiquidity("2020-09-05");
    expect(series.tvlUsd.length).to.equal(144);
    expectClose(series.tvlUsd[0], 2 * 99_965_810, 1);
    // on US Pacific daylight time (UTC-7) that day: the first row is 07:00 UTC
    expect(series.startEpoch).to.equal(t("2020-09-05T07:00:00Z"));
    expect(series.utcOffsetHours).to.equal(-7);
    expect(report.format()).to.deep.equal([
      `${series.file} time-zone: rows are on US Pacific time (UTC-7): placed from 2020-09-05T07:00:00Z ` +
        "to 2020-09-06T06:50:00Z, not from 2020-09-05 00:00 UTC",
    ]);
    expect(loadStressDayLiquidity("2021-01-11").series.startEpoch).to.equal(t("2021-01-11T08:00:00Z"));
    expect(() => loadStressDayLiquidity("2020-03-12")).to.throw(
      MissingDataError,
      "2020-03-12.eth_dai_liquidity.json",
    );
  });

  it("liquidity: each row sits at the UTC time whose ETH price the pool shows (the files are on US Pacific time)", function () {
    // The pool's own price (DAI / WETH) must match the ETH market at the time the loader gives each
    // row. Rows used to be placed from 00:00 UTC; they match the 10-minute ETH candles 47 rows
    // (8 hours) later on the winter days and 41-42 rows (7 hours) later on 2020-09-05 (daylight
    // time). Placed from 00:00 Pacific: 0.2-0.4% mean gap in winter (pool fee, arbitrage lag),
    // 1.5% on the volatile 2020-09-05; as placed before: 5.1-7.6%.
    const gaps: Record<string, number> = {};
    for (const date of ["2020-09-05", "2021-01-11", "2021-01-21", "2021-02-22"]) {
      const { series } = loadStressDayLiquidity(date);
      const rows = JSON.parse(readFileSync(series.file, "utf8")) as { DAI: number; WETH: number }[];
      const eth = new CandlePath(loadStressDayCandles(date).series);
      let sum = 0;
      let n = 0;
      rows.forEach((r, i) => {
        const at = series.startEpoch + i * series.intervalSeconds;
        if (at <= eth.startTime || at >= eth.endTime) return; // the ETH file is the UTC day only
        sum += Math.abs(r.DAI / r.WETH / eth.priceAt(at) - 1);
        n++;
      });
      expect(n, `${date}: rows inside the UTC day`).to.be.greaterThan(80);
      gaps[date] = sum / n;
    }
    for (const date of ["2021-01-11", "2021-01-21", "2021-02-22"])
      expect(gaps[date], `${date}: mean |pool price / ETH price - 1|`).to.be.lessThan(0.005);
    expect(gaps["2020-09-05"], "2020-09-05: mean |pool price / ETH price - 1|").to.be.lessThan(0.02);
  });

  it("liquidity: the US Pacific offset follows the US daylight-time rule (as Intl's America/Los_Angeles)", function () {
    const fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Los_Angeles",
      timeZoneName: "shortOffset",
    });
    const offsetAt = (epoch: number): number => {
      const name = fmt.formatToParts(new Date(epoch * 1000)).find((p) => p.type === "timeZoneName")!.value;
      return Number(name.replace("GMT", ""));
    };
    // every day 2007-2030: the offset in force at 00:00 local (08:00 UTC is 00:00 PST or 01:00 PDT,
    // both on the same local day)
    for (let day = t("2007-01-01"); day < t("2031-01-01"); day += 86_400) {
      const date = new Date(day * 1000).toISOString().slice(0, 10);
      const rule = pacificUtcOffsetHours(date);
      const intl = offsetAt(day - rule * 3600);
      if (rule !== intl) expect.fail(`${date}: rule UTC${rule}, Intl UTC${intl}`);
    }
    expect(pacificUtcOffsetHours("2021-03-14")).to.equal(-8); // daylight time starts at 02:00
    expect(pacificUtcOffsetHours("2021-03-15")).to.equal(-7);
    expect(pacificUtcOffsetHours("2021-11-07")).to.equal(-7); // ends at 02:00
    expect(pacificUtcOffsetHours("2021-11-08")).to.equal(-8);
    expect(() => pacificUtcOffsetHours("2006-07-01")).to.throw(RangeError, "from 2007");
  });

  it("a missing file is an error that names the path and says where data is expected", function () {
    const empty = join(tmp, "empty");
    mkdirSync(empty);
    const err = withDataDir(empty, () => {
      expect(resolveDataDir()).to.equal(empty);
      try {
        loadHourly("ETH");
      } catch (e) {
        return e as Error;
      }
      return undefined;
    });
    expect(err).to.be.instanceOf(MissingDataError);
    expect(err!.message).to.include(join(empty, "eth-usd-1h.csv"));
    expect(err!.message).to.include("../shared/data");
    expect(err!.message).to.include("BALLAST_DATA_DIR");
    expect(() => loadHourly("SOL")).to.throw(DataFormatError, "no hourly data for asset SOL");
  });

  it("cleans a synthetic file: missing hours forward-filled, rows sorted, placeholders mid-series filled", function () {
    const dir = join(tmp, "synthetic");
    mkdirSync(dir);
    const rows = [
      ",datetime,open,high,low,close,volume",
      "0,2021-01-01 00:00:00,100,101,99,100.5,10",
      "2,2021-01-01 03:00:00,100.5,103,100,102,12", // 01:00 and 02:00 missing; out of order
      "1,2021-01-01 04:00:00,102,102,102,102,0", // quiet hour at the previous close
      "3,2021-01-01 05:00:00,10000,10000,10000,10000,0", // placeholder
      "4,2021-01-01 06:00:00,102,104,101,103,9",
      "5,2021-01-01 02:00:00,100.5,100.9,100.1,100.5,3",
    ];
    writeFileSync(join(dir, "x.csv"), rows.join("\n") + "\n");
    const { series, report } = loadCandleCsv("x.csv", { dataDir: dir });
    expect(series.candles.map((c) => c.time - t("2021-01-01"))).to.deep.equal([
      0, 3600, 7200, 10800, 14400, 18000, 21600,
    ]);
    expect(series.candles[1]).to.deep.equal({
      time: t("2021-01-01T01:00:00Z"),
      open: 100.5,
      high: 100.5,
      low: 100.5,
      close: 100.5,
      volume: 0,
    });
    expect(series.candles[5].close).to.equal(102);
    expect(report.fixes.map((f) => f.kind)).to.deep.equal([
      "out-of-order",
      "no-trade",
      "placeholder",
      "missing-interval",
    ]);

    writeFileSync(
      join(dir, "bad.csv"),
      ",datetime,open,high,low,close,volume\n0,2021-01-01 00:00:00,100,101,abc,100,1\n",
    );
    expect(() => loadCandleCsv("bad.csv", { dataDir: dir })).to.throw(
      DataFormatError,
      /bad\.csv:2: bad low "abc"/,
    );
    writeFileSync(join(dir, "nohead.csv"), ",time,open,high,low,close,volume\n");
    expect(() => loadCandleCsv("nohead.csv", { dataDir: dir })).to.throw(
      DataFormatError,
      /missing column "datetime"/,
    );
  });

  it("fixes inconsistent candles and reports them", function () {
    const report = new DataReport();
    const series = cleanCandles(
      [
        { time: 0, open: 10, high: 9, low: 8, close: 9.5, volume: 1 },
        { time: 60, open: 9.5, high: 10, low: 9.6, close: 9.8, volume: 1 },
      ],
      "mem",
      60,
      report,
    );
    expect(series.candles[0].high).to.equal(10);
    expect(series.candles[1].low).to.equal(9.5);
    expect(report.fixes.map((f) => [f.kind, f.field])).to.deep.equal([
      ["inconsistent-candle", "high"],
      ["inconsistent-candle", "low"],
    ]);
  });
});
