/**
 * Max steps in proportion to the values (ADR 0001, note of 2026-11-22 on steps). The rules of
 * scripts/deploy/rules.ts had absolute steps far above the values the shipped files register:
 * WETH's open-interest cap of 100,000 had a step of 1,000,000,000 (the guardian could zero it, the
 * timelock multiply it by 10,000 in one update), the debt ceiling of 1e9 a step of 1e9, WETH's
 * deposit cap of 1e7 a step of 1e18 tokens, the tip of 5 a step of 100. Now an amount's or a
 * duration's step is half the value registered (a ratio with the same scale everywhere keeps an
 * absolute step), so one update can neither zero a value nor double it.
 */
import { expect } from "chai";
import { ZeroAddress, ZeroHash, id } from "ethers";

import {
  DeployParamsError,
  loadDeployParams,
  paramsPathFor,
  parseDeployParams,
} from "../../scripts/deploy/params.js";
import { b32 } from "../../scripts/deploy/system.js";
import { formatStepTable, paramSteps, runStepsCli } from "../../scripts/governance/steps.js";
import { deployLab, send, wad } from "../helpers/system.js";

/** The shipped parameter files (local.json serves hardhat). */
const shipped = [paramsPathFor("hardhat"), paramsPathFor("maker-2020")];

describe("max steps in proportion to the values (scripts/deploy/rules.ts)", function () {
  it("no update can zero or double a registered value: every max step is at most half the value (both shipped files)", function () {
    for (const path of shipped) {
      const rows = paramSteps(loadDeployParams(path));
      expect(rows.length).to.be.greaterThan(70);
      const oversized = rows
        .filter((r) => r.name !== "MODE" && r.value > 0n && r.maxStep * 2n > r.value)
        .map((r) => `${r.module} ${r.name} ${r.subject}: step ${r.shown.maxStep}, value ${r.shown.value}`);
      expect(oversized, path).to.deep.equal([]);
      // and none is 0 (RiskConfig__ZeroMaxStep), also for a value registered at 0
      expect(rows.filter((r) => r.maxStep === 0n)).to.deep.equal([]);
    }
  });

  it("an oversized step is refused on a deployed system: the guardian cannot zero a cap, the timelock cannot double one", async function () {
    const l = await deployLab();
    const { sys, chAddr, weth, deployer: guardian, networkHelpers } = l;
    const rc = sys.riskConfig;
    const OI = b32("MAX_OPEN_INTEREST_WAD");
    const oi = await sys.clearinghouse.getParam(OI, weth.address); // 100,000 WETH (local.json)
    expect(oi).to.equal(wad("100000"));
    // the guardian (lower is safer) in one call: 0 is refused, half is the most
    await expect(rc.connect(guardian).setParam(chAddr, OI, weth.address, 0n))
      .to.be.revertedWithCustomError(rc, "RiskConfig__StepTooLarge")
      .withArgs(OI, weth.address, oi, 0n, oi / 2n);
    await send(rc.connect(guardian).setParam(chAddr, OI, weth.address, oi / 2n));
    expect(await sys.clearinghouse.getParam(OI, weth.address)).to.equal(oi / 2n);
    // the auction's chip (lower is safer) likewise: 0.001, its step the minimum 0.0005 (the tip,
    // governance-only since ADR 0016, the guardian cannot move at all)
    const auctionAddr = l.auctionAddr;
    const CHIP = b32("CHIP_WAD");
    await expect(rc.connect(guardian).setParam(auctionAddr, CHIP, weth.address, 0n))
      .to.be.revertedWithCustomError(rc, "RiskConfig__StepTooLarge")
      .withArgs(CHIP, weth.address, wad("0.001"), 0n, wad("0.0005"));

    // the timelock: doubling the debt ceiling (1e9) in one operation is refused, +50% executes
    const CEILING = b32("DEBT_CEILING_WAD");
    const ceiling = await sys.clearinghouse.getParam(CEILING, ZeroAddress);
    expect(ceiling).to.equal(wad("1000000000"));
    const tl = sys.timelock;
    const rcAddr = await rc.getAddress();
    const delay = await tl.getMinDelay();
    const setCeiling = (v: bigint) =>
      rc.interface.encodeFunctionData("setParam", [chAddr, CEILING, ZeroAddress, v]);
    await send(tl.schedule(rcAddr, 0n, setCeiling(ceiling * 2n), ZeroHash, id("double"), delay));
    await send(tl.schedule(rcAddr, 0n, setCeiling((ceiling * 3n) / 2n), ZeroHash, id("half-more"), delay));
    await networkHelpers.time.increase(delay);
    await expect(tl.execute(rcAddr, 0n, setCeiling(ceiling * 2n), ZeroHash, id("double")))
      .to.be.revertedWithCustomError(rc, "RiskConfig__StepTooLarge")
      .withArgs(CEILING, ZeroAddress, ceiling, ceiling * 2n, ceiling / 2n);
    await send(tl.execute(rcAddr, 0n, setCeiling((ceiling * 3n) / 2n), ZeroHash, id("half-more")));
    expect(await sys.clearinghouse.getParam(CEILING, ZeroAddress)).to.equal((ceiling * 3n) / 2n);
  });

  it("the table lists exactly what a deployment registers, with the value and max step", async function () {
    const { sys, params } = await deployLab();
    const rc = sys.riskConfig;
    const byAddress = new Map(Object.entries(sys.addresses).map(([k, v]) => [v, k]));
    const registered: string[] = [];
    const events = [
      ...(await rc.queryFilter(rc.filters.ParamRegistered())),
      ...(await rc.queryFilter(rc.filters.GovernanceOnlyParamRegistered())),
    ];
    for (const { args } of events) {
      const [target, name, subject, value, step] = [
        args.target,
        args.name,
        args.subject,
        args.initialValue,
        args.maxStep,
      ];
      registered.push(
        `${byAddress.get(target)} ${name} ${byAddress.get(subject) ?? "global"} ${value} ${step}`,
      );
    }
    const rows = paramSteps(params).map(
      (r) => `${r.module} ${b32(r.name)} ${r.subject} ${r.value} ${r.maxStep}`,
    );
    expect(rows.sort()).to.deep.equal(registered.sort());
  });

  it("a parameter whose step is a share of its value, with no minimum, cannot be registered at 0", function () {
    const p = JSON.parse(JSON.stringify(loadDeployParams(paramsPathFor("hardhat")))) as Record<
      string,
      unknown
    > & {
      global: Record<string, unknown>;
      assets: Array<Record<string, Record<string, unknown>>>;
    };
    p.global.debtCeilingUsd = "0";
    p.global.minDebtUsd = "0"; // a minimum step (10 USD): 0 is fine
    (p.vault as Record<string, unknown>).seedUsd = "0";
    p.assets[1].market.maxOpenInterest = "0";
    p.assets[0].auction.tipUsd = "0"; // a minimum step (1 USD)
    let message = "";
    try {
      parseDeployParams(p, "p.json");
    } catch (e) {
      expect(e).to.be.instanceOf(DeployParamsError);
      message = (e as Error).message;
    }
    expect(message).to.contain(
      "global.debtCeilingUsd: 0 cannot be registered: the max step of clearinghouse DEBT_CEILING_WAD is a share of the value registered, so from 0 no update could ever move it",
    );
    expect(message).to.contain("assets.1.market.maxOpenInterest: 0 cannot be registered");
    expect(message).to.not.contain("minDebtUsd");
    expect(message).to.not.contain("tipUsd");
  });

  it("npm run param-steps prints the table of the local file", function () {
    const log = console.log;
    let printed = "";
    console.log = (x: string) => {
      printed += x;
    };
    try {
      runStepsCli([]);
    } finally {
      console.log = log;
    }
    expect(printed).to.equal(formatStepTable(paramSteps(loadDeployParams(paramsPathFor("hardhat")))));
    expect(printed).to.contain(
      "| clearinghouse | MAX_OPEN_INTEREST_WAD | WETH | 0 | 1000000000000000 | 50000 | 100000 | 50.0% |",
    );
  });
});
