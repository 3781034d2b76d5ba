import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";

import { loadDeployParams, paramsPathFor, type DeployParams } from "../../scripts/deploy/params.js";
import { formatParamFileChanges, paramFileChanges, proposalDiff } from "../../scripts/governance/changes.js";
import { parseCli, runCli, unsimulatedChanges, UsageError } from "../../simulations/cli.js";
import type { RunSummary } from "../../simulations/metrics/types.js";

const local = (): DeployParams => loadDeployParams(paramsPathFor("hardhat"));

/** local.json with `edit` applied, written to a temporary file; returns its path. */
function proposedFile(dir: string, edit: (p: DeployParams) => void): string {
  const p = JSON.parse(readFileSync(paramsPathFor("hardhat"), "utf8")) as DeployParams;
  edit(p);
  const path = join(dir, `proposal-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(p));
  return path;
}

describe("a parameter proposal against the current file (npm run sim -- --compare-params)", function () {
  const dir = mkdtempSync(join(tmpdir(), "ballast-proposal-"));

  it("lists each registered parameter it moves, who may move it and how many updates it needs", function () {
    const proposed = local();
    proposed.assets[0].margin.haircutBase = "0.1"; // lower is looser: the timelock
    proposed.assets[0].margin.marginBase = "0.09"; // higher is safer: the guardian, 0.02 a step
    proposed.global.debtCeilingUsd = "500000000"; // a cap lowered: tighter
    const c = paramFileChanges(local(), proposed);
    expect(
      c.params.map((r) => [`${r.module}.${r.name}`, r.subject, r.from, r.to, r.who, r.updates]),
    ).to.deep.equal([
      ["clearinghouse.DEBT_CEILING_WAD", "global", "1000000000", "500000000", "guardian", 1n],
      ["marginModel.HAIRCUT_BASE_WAD", "WETH", "0.15", "0.1", "timelock", 1n],
      ["marginModel.MARGIN_BASE_WAD", "WETH", "0.05", "0.09", "guardian", 2n],
    ]);
    expect(c.params[1].toChain).to.equal(10n ** 17n);
    expect(c.other).to.deep.equal([]);
    const text = formatParamFileChanges(c);
    expect(text).to.match(/marginModel\.MARGIN_BASE_WAD +WETH +0\.05 +0\.09 +guardian \(tightens\) +2/);
  });

  it("names the fields no parameter update reaches, and says when nothing changes", function () {
    const proposed = local();
    proposed.oracleHopSeconds = 1800;
    proposed.assets[1].feed.heartbeatSeconds = 7200;
    const c = paramFileChanges(local(), proposed);
    expect(c.params).to.deep.equal([]);
    expect(c.other).to.deep.equal(["assets.1.feed.heartbeatSeconds", "oracleHopSeconds"]);
    expect(formatParamFileChanges(c)).to.contain(
      "not reachable by a parameter update (a redeployment or another governance call): assets.1.feed.heartbeatSeconds, oracleHopSeconds",
    );
    expect(formatParamFileChanges(paramFileChanges(local(), local()))).to.equal(
      "the proposed file changes nothing",
    );
  });

  it("matches parameters by name, not position: a market added or removed is a listing, not a parameter change", function () {
    const proposed = local();
    delete proposed.assets[0].market; // every later registration shifts by the market's five
    proposed.assets[0].auction.buf = "1.3"; // and one real change after it
    const c = paramFileChanges(local(), proposed);
    expect(c.params.map((r) => [`${r.module}.${r.name}`, r.subject, r.from, r.to])).to.deep.equal([
      ["dutchAuction.BUF_WAD", "WETH", local().assets[0].auction.buf, "1.3"],
    ]);
    expect(c.other).to.include.members([
      "assets.0.market.skewScale",
      "assets.0.market.maxFundingVelocityPerDay",
      "assets.0.market.takerFee",
      "assets.0.market.maxOpenInterest",
      "assets.0.market.skewCapRatio",
    ]);
    // and the other way: the market appears in the proposal
    const back = paramFileChanges(proposed, local());
    expect(back.params.map((r) => r.name)).to.deep.equal(["BUF_WAD"]);
    expect(back.other).to.include("assets.0.market.skewScale");
  });

  it("refuses a file that lists other assets", function () {
    const proposed = local();
    proposed.assets = proposed.assets.slice(0, 1);
    expect(() => paramFileChanges(local(), proposed)).to.throw(
      /lists the assets WETH, the current one WETH, WBTC: a parameter proposal changes parameters of the listed assets only/,
    );
  });

  it("turns the changes into a proposal diff with the deployment's addresses, warning of what one batch cannot do", function () {
    const proposed = local();
    proposed.assets[0].margin.marginBase = "0.09"; // 0.02 a step: two updates
    proposed.global.minDebtUsd = "140";
    proposed.oracleHopSeconds = 1800;
    const addresses = {
      clearinghouse: "0x00000000000000000000000000000000000000C1",
      marginModel: "0x00000000000000000000000000000000000000A1",
      WETH: "0x00000000000000000000000000000000000000E1",
    };
    const { diff, warnings } = proposalDiff(paramFileChanges(local(), proposed), addresses);
    expect(diff).to.deep.equal([
      {
        target: addresses.clearinghouse,
        name: "MIN_DEBT_WAD",
        subject: "0x0000000000000000000000000000000000000000",
        value: (140n * 10n ** 18n).toString(),
      },
      {
        target: addresses.marginModel,
        name: "MARGIN_BASE_WAD",
        subject: addresses.WETH,
        value: (9n * 10n ** 16n).toString(),
      },
    ]);
    expect(warnings).to.deep.equal([
      "marginModel.MARGIN_BASE_WAD (WETH) 0.05 -> 0.09 needs 2 updates at its max step: one batch reverts (RiskConfig__StepTooLarge); propose it in steps",
      "not in the diff, no parameter update reaches them: oracleHopSeconds",
    ]);
    const wbtc = local();
    wbtc.assets[1].margin.marginBase = "0.06";
    expect(() => proposalDiff(paramFileChanges(local(), wbtc), addresses)).to.throw(
      /the deployment record lists no asset WBTC \(for marginModel\.MARGIN_BASE_WAD\)/,
    );
  });

  it("the command line refuses a missing file, a file that changes nothing, and two comparisons", function () {
    const out = ["--out", join(dir, "out")];
    expect(() => parseCli(["--compare-params", join(dir, "none.json"), ...out])).to.throw(
      UsageError,
      /--compare-params .*none\.json: file not found/,
    );
    const same = proposedFile(dir, () => undefined);
    expect(() => parseCli(["--compare-params", same, ...out])).to.throw(
      UsageError,
      /the file changes nothing against local/,
    );
    const bad = proposedFile(dir, (p) => {
      p.assets[0].margin.haircutBase = "7";
    });
    expect(() => parseCli(["--compare-params", bad, ...out])).to.throw(UsageError, /haircutBase/);
    expect(() => parseCli(["--compare-params", same, "--compare-margin-modes", ...out])).to.throw(
      UsageError,
      /one comparison at a time/,
    );
  });

  it("names the changes the laboratory cannot show: the run's margin mode, its prices, an asset the scenario does not trade", function () {
    const proposed = local();
    proposed.assets[0].margin.mode = "static"; // the run sets every asset's mode itself
    proposed.assets[0].feed.minPriceUsd = "2"; // and the price bounds and the initial prices
    proposed.assets[0].mockPriceUsd = "2100";
    proposed.assets[1].margin.haircutBase = "0.2"; // WBTC
    proposed.assets[0].margin.haircutBase = "0.1"; // simulated
    const c = paramFileChanges(local(), proposed);
    expect(unsimulatedChanges(c, ["WETH", "WBTC"])).to.deep.equal([
      "assets.0.feed.minPriceUsd",
      "assets.0.margin.mode",
      "assets.0.mockPriceUsd",
    ]);
    expect(unsimulatedChanges(c, ["WETH"])).to.deep.equal([
      "assets.0.feed.minPriceUsd",
      "assets.0.margin.mode",
      "assets.0.mockPriceUsd",
      "assets.1.margin.haircutBase",
    ]);
    // the command line carries them, for the warning it prints before the runs
    const path = proposedFile(dir, (p) => {
      p.assets[0].margin.mode = "static";
    });
    const args = parseCli(["--compare-params", path, "--out", join(dir, "modes")]);
    if (args === "help") expect.fail("parsed as help");
    expect(args.proposal?.notSimulated).to.deep.equal(["assets.0.margin.mode"]);
  });

  it("runs the scenario with the current and the proposed file on the same seed", async function () {
    this.timeout(300_000);
    const proposal = proposedFile(dir, (p) => {
      p.assets[0].margin.haircutBase = "0.3";
    });
    const out = join(dir, "run");
    const args = parseCli([
      "--compare-params",
      proposal,
      "--steps",
      "6",
      "--accounts",
      "30",
      "--no-report",
      "--no-progress",
      "--out",
      out,
    ]);
    if (args === "help") expect.fail("parsed as help");
    expect(args.proposal?.changes.params.map((r) => r.name)).to.deep.equal(["HAIRCUT_BASE_WAD"]);
    expect(await runCli(args)).to.equal(0);
    const summary = (label: string) =>
      JSON.parse(readFileSync(join(out, label, "summary.json"), "utf8")) as RunSummary;
    const [current, proposed] = [summary("current"), summary("proposed")];
    expect(proposed.seed).to.equal(current.seed);
    // the same seed draws the same accounts: only the parameters differ, and the accounts size
    // their borrowing by the haircut they see, so the health they end at moves with the file
    expect(proposed.minHealthP5).to.be.a("number").and.not.equal(current.minHealthP5);
    expect(current.marginMode).to.equal(proposed.marginMode);
  });
});
