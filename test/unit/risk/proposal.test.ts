import { expect } from "chai";
import { Interface, ZeroAddress, decodeBytes32String, encodeBytes32String } from "ethers";

import {
  ProposalValidationError,
  SET_PARAMS_FRAGMENT,
  buildParamProposal,
  parseParamDiff,
} from "../../../scripts/governance/proposal.js";
import { IRiskConfig__factory } from "../../../types/ethers-contracts/index.js";

const RISK_CONFIG = "0x1000000000000000000000000000000000000001";
const TARGET = "0x2000000000000000000000000000000000000002";
const ASSET = "0x3000000000000000000000000000000000000003";
const iface = new Interface([SET_PARAMS_FRAGMENT]);

function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(ProposalValidationError);
    return (e as ProposalValidationError).issues;
  }
  expect.fail("expected a ProposalValidationError");
}

describe("governance/proposal", function () {
  it("encodes a diff as one timelock call to RiskConfig.setParams", function () {
    const diff = [
      { target: TARGET, name: "haircut", subject: ASSET.toLowerCase(), value: "300000000000000000" },
      { target: TARGET, name: "debtCeiling", subject: ZeroAddress, value: "1000000000000000000000000" },
    ];
    const batch = buildParamProposal(RISK_CONFIG, diff);

    expect(batch.targets).to.deep.equal([RISK_CONFIG]);
    expect(batch.values).to.deep.equal([0n]);
    expect(batch.payloads).to.have.length(1);

    const decoded = iface.decodeFunctionData("setParams", batch.payloads[0]);
    expect(decoded[0]).to.deep.equal([TARGET, TARGET]);
    expect(decoded[1]).to.deep.equal([encodeBytes32String("haircut"), encodeBytes32String("debtCeiling")]);
    expect((decoded[1] as string[]).map((n) => decodeBytes32String(n))).to.deep.equal([
      "haircut",
      "debtCeiling",
    ]);
    expect(decoded[2]).to.deep.equal([ASSET, ZeroAddress]); // checksummed
    expect(decoded[3]).to.deep.equal([300000000000000000n, 10n ** 24n]);
  });

  it("matches the compiled IRiskConfig.setParams ABI", function () {
    const batch = buildParamProposal(RISK_CONFIG, [
      { target: TARGET, name: "x", subject: ZeroAddress, value: "7" },
    ]);
    const compiled = IRiskConfig__factory.createInterface();
    const decoded = compiled.decodeFunctionData("setParams", batch.payloads[0]);
    expect(batch.payloads[0].slice(0, 10)).to.equal(compiled.getFunction("setParams").selector);
    expect(decoded.newValues).to.deep.equal([7n]);
    expect(decoded.names).to.deep.equal([encodeBytes32String("x")]);
  });

  it("keeps full uint256 precision, up to the maximum", function () {
    const max = ((1n << 256n) - 1n).toString();
    const [change] = parseParamDiff([{ target: TARGET, name: "n", subject: ZeroAddress, value: max }]);
    expect(change.value).to.equal((1n << 256n) - 1n);
  });

  it("names the index and field of each invalid entry", function () {
    const issues = issuesOf(() =>
      buildParamProposal(
        RISK_CONFIG,
        [
          { target: TARGET, name: "haircut", subject: ASSET, value: "1" },
          { target: "0x1234", name: "haircut", subject: ASSET, value: "1" },
          { target: TARGET, name: "", subject: "nope", value: "1.5" },
        ],
        "proposals/p1.json",
      ),
    );
    expect(issues).to.have.length(4);
    expect(issues[0]).to.match(/^diff\[1\]\.target: must be a 0x-prefixed 20-byte address/);
    expect(issues[1]).to.match(/^diff\[2\]\.name: must not be empty/);
    expect(issues[2]).to.match(/^diff\[2\]\.subject: must be a 0x-prefixed 20-byte address/);
    expect(issues[3]).to.match(/^diff\[2\]\.value: must be a decimal integer string/);
  });

  it("puts the source file in the message", function () {
    expect(() => buildParamProposal(RISK_CONFIG, [], "proposals/p1.json")).to.throw(
      ProposalValidationError,
      /proposals\/p1\.json[\s\S]*diff: must contain at least one change/,
    );
  });

  it("rejects JSON numbers, negative, exponent and oversize values", function () {
    const entry = (value: unknown) => [{ target: TARGET, name: "n", subject: ZeroAddress, value }];
    expect(issuesOf(() => parseParamDiff(entry(1)))[0]).to.match(
      /^diff\[0\]\.value: must be a decimal string/,
    );
    expect(issuesOf(() => parseParamDiff(entry("-1")))[0]).to.match(
      /^diff\[0\]\.value: must be a decimal integer/,
    );
    expect(issuesOf(() => parseParamDiff(entry("1e18")))[0]).to.match(/^diff\[0\]\.value: must be a decimal/);
    expect(issuesOf(() => parseParamDiff(entry("007")))[0]).to.match(/^diff\[0\]\.value: must be a decimal/);
    expect(issuesOf(() => parseParamDiff(entry((1n << 256n).toString())))[0]).to.equal(
      "diff[0].value: must fit in uint256",
    );
  });

  it("rejects missing fields, unknown fields and names longer than 31 bytes", function () {
    const missing = issuesOf(() => parseParamDiff([{ target: TARGET, name: "n", subject: ZeroAddress }]));
    expect(missing).to.deep.equal(["diff[0].value: is required"]);

    const typo = issuesOf(() =>
      parseParamDiff([{ target: TARGET, name: "n", subject: ZeroAddress, value: "1", vaule: "2" }]),
    );
    expect(typo).to.have.length(1);
    expect(typo[0]).to.match(/^diff\[0\]: .*"vaule"/);

    const long = issuesOf(() =>
      parseParamDiff([{ target: TARGET, name: "x".repeat(32), subject: ZeroAddress, value: "1" }]),
    );
    expect(long[0]).to.match(/^diff\[0\]\.name: must be at most 31 UTF-8 bytes/);
  });

  it("rejects a zero target and a non-array diff", function () {
    expect(
      issuesOf(() => parseParamDiff([{ target: ZeroAddress, name: "n", subject: ZeroAddress, value: "1" }])),
    ).to.deep.equal(["diff[0].target: must not be the zero address"]);
    expect(issuesOf(() => parseParamDiff({ target: TARGET }))[0]).to.match(/^diff: must be an array/);
  });

  it("rejects the same parameter twice, naming both indexes (address case does not hide it)", function () {
    const issues = issuesOf(() =>
      parseParamDiff([
        { target: TARGET, name: "haircut", subject: ASSET, value: "1" },
        { target: TARGET, name: "haircut", subject: ZeroAddress, value: "1" },
        { target: TARGET, name: "haircut", subject: ASSET.toLowerCase(), value: "2" },
      ]),
    );
    expect(issues).to.deep.equal([
      "diff[2]: changes the same parameter as [0] (one update per parameter per batch)",
    ]);
  });

  it("rejects an invalid RiskConfig address", function () {
    const valid = [{ target: TARGET, name: "n", subject: ZeroAddress, value: "1" }];
    expect(issuesOf(() => buildParamProposal("0xabc", valid))[0]).to.match(
      /^riskConfig: must be a non-zero address/,
    );
    expect(issuesOf(() => buildParamProposal(ZeroAddress, valid))[0]).to.match(
      /^riskConfig: must be a non-zero/,
    );
  });
});
