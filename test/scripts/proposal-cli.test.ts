/**
 * `npm run proposal -- <diff.json> --deployment <record>` (scripts/governance/cli.ts): the batch it
 * prints, and the errors (named entry, no stack, exit code 2) for bad arguments and bad diffs.
 * The same checks against a really deployed system: test/scripts/deploy-params.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { Interface, ZeroAddress, decodeBytes32String } from "ethers";

import { ProposalCliError, main, runProposalCli } from "../../scripts/governance/cli.js";
import { SET_PARAMS_FRAGMENT } from "../../scripts/governance/proposal.js";

const A = (n: number) => `0x${n.toString(16).padStart(40, "0")}`;
const ADDRESSES = {
  timelock: A(1),
  riskConfig: A(2),
  marginModel: A(3),
  clearinghouse: A(4),
  liquidationEngine: A(5),
  dutchAuction: A(6),
  circuitBreaker: A(7),
  WETH: A(8),
  WETHFeed: A(9),
};

describe("governance proposal command line", function () {
  this.timeout(20_000);
  const dir = mkdtempSync(join(tmpdir(), "ballast-proposal-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const record = join(dir, "localhost.json");
  writeFileSync(record, JSON.stringify({ network: "localhost", addresses: ADDRESSES }));
  const write = (name: string, json: unknown) => {
    const p = join(dir, name);
    writeFileSync(p, JSON.stringify(json));
    return p;
  };

  it("prints the batch: one RiskConfig.setParams call with every change", function () {
    const diff = write("ok.json", [
      { target: ADDRESSES.clearinghouse, name: "DEBT_CEILING_WAD", subject: ZeroAddress, value: "5" },
      {
        target: ADDRESSES.marginModel,
        name: "K_WAD",
        subject: ADDRESSES.WETH,
        value: String(4n * 10n ** 18n),
      },
    ]);
    const out = join(dir, "batch.json");
    const text = runProposalCli([diff, "--deployment", record, "--out", out]);
    if (text === null) expect.fail("unexpected help");
    expect(readFileSync(out, "utf8")).to.equal(text);
    const batch = JSON.parse(text) as {
      riskConfig: string;
      targets: string[];
      values: string[];
      payloads: string[];
    };
    expect(batch.targets).to.deep.equal([ADDRESSES.riskConfig]);
    expect(batch.values).to.deep.equal(["0"]);
    const decoded = new Interface([SET_PARAMS_FRAGMENT]).decodeFunctionData("setParams", batch.payloads[0]);
    expect((decoded[1] as string[]).map(decodeBytes32String)).to.deep.equal(["DEBT_CEILING_WAD", "K_WAD"]);
    expect(decoded[3]).to.deep.equal([5n, 4n * 10n ** 18n]);
  });

  it("names every bad entry; a wrong module, a typo, a wrong subject kind, a value out of bounds", function () {
    const diff = write("bad.json", [
      { target: ADDRESSES.clearinghouse, name: "DEBT_CEILNG_WAD", subject: ZeroAddress, value: "1" },
      { target: ADDRESSES.timelock, name: "DEBT_CEILING_WAD", subject: ZeroAddress, value: "1" },
      {
        target: ADDRESSES.circuitBreaker,
        name: "DROP_TOLERANCE_WAD",
        subject: ZeroAddress,
        value: String(10n ** 17n),
      },
      { target: ADDRESSES.marginModel, name: "MODE", subject: ADDRESSES.WETH, value: "3" },
      { target: A(99), name: "K_WAD", subject: ADDRESSES.WETH, value: "1" },
    ]);
    const errors: string[] = [];
    const error = console.error;
    console.error = (m: string) => errors.push(m);
    try {
      expect(main([diff, "--deployment", record])).to.equal(2);
    } finally {
      console.error = error;
    }
    expect(errors).to.have.length(1);
    const lines = errors[0].split("\n").map((l) => l.trim());
    expect(lines[0]).to.equal(`proposal: invalid risk-parameter diff (${diff}):`);
    expect(lines[1]).to.match(/^diff\[0\]\.name: "DEBT_CEILNG_WAD" .*did you mean DEBT_CEILING_WAD\?/);
    expect(lines[2]).to.match(/^diff\[1\]\.target: .* is the timelock, not a parameter module/);
    expect(lines[3]).to.match(/^diff\[2\]\.subject: DROP_TOLERANCE_WAD is a per-asset parameter/);
    expect(lines[4]).to.equal("diff[3].value: 3 is outside marginModel's bounds for MODE: 0 to 2");
    expect(lines[5]).to.match(/^diff\[4\]\.target: .* is not a contract of this deployment/);
    expect(errors[0]).to.not.match(/\n\s+at /); // no stack
  });

  it("bad arguments and files are one-line errors (exit code 2)", function () {
    const diff = write("one.json", [
      { target: ADDRESSES.clearinghouse, name: "MIN_DEBT_WAD", subject: ZeroAddress, value: "1" },
    ]);
    expect(() => runProposalCli([diff])).to.throw(ProposalCliError, /required option '--deployment <file>'/);
    expect(() => runProposalCli([diff, "--deployment", join(dir, "none.json")])).to.throw(
      ProposalCliError,
      /--deployment .*none\.json: file not found/,
    );
    expect(() => runProposalCli([diff, "--deployment", diff])).to.throw(
      ProposalCliError,
      /not a deployment record/,
    );
    expect(() => runProposalCli([join(dir, "nodiff.json"), "--deployment", record])).to.throw(
      ProposalCliError,
      /diff .*nodiff\.json: file not found/,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/governance/cli.ts", diff], {
      encoding: "utf8",
    });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^proposal: required option '--deployment <file>' not specified/);
    const help = spawnSync(process.execPath, ["--import", "tsx", "scripts/governance/cli.ts", "--help"], {
      encoding: "utf8",
    });
    expect(help.status).to.equal(0);
    expect(help.stdout).to.contain("Usage: proposal [options] <diff.json>");
  });
});
