/**
 * SKEW_SCALE_WAD has no safe direction, so the deployment registers it governance-only with a max
 * step of a fifth of the value registered (scripts/deploy/system.ts, CLEARINGHOUSE_RULES; ADR 0001
 * point 6). A larger skew scale shrinks the fill premium (index x (skew + size/2) / skewScale),
 * the funding drift and the skew cap's backing; a smaller one hands the open skew a windfall
 * from the vault. Before, it was "higher is safer" with a max step of 1e8 units: the guardian
 * could raise WBTC's 50,000 to 100,050,000 at once and cut the premium about 2,000-fold.
 */
import { expect } from "chai";
import { ZeroHash, id } from "ethers";

import { PARAM_RULES, b32, maxStepOf } from "../../../scripts/deploy/system.js";
import { deployLab, send, wad } from "../../helpers/system.js";

const SKEW_SCALE = b32("SKEW_SCALE_WAD");

describe("Clearinghouse SKEW_SCALE_WAD rule (governance-only)", function () {
  it("is registered governance-only for every market, a max step of a fifth of its value", async function () {
    const { sys, chAddr, params } = await deployLab();
    expect(PARAM_RULES.clearinghouse.SKEW_SCALE_WAD).to.deep.equal({
      maxStepShareWad: wad("0.2"),
      governanceOnly: true,
    });
    const markets = sys.assets.filter((a) => a.hasMarket);
    expect(markets.map((a) => a.symbol)).to.deep.equal(["WETH", "WBTC"]);
    for (const [i, a] of markets.entries()) {
      const value = wad(params.assets[i].market?.skewScale as string);
      expect(await sys.clearinghouse.getParam(SKEW_SCALE, a.address)).to.equal(value);
      const rule = await sys.riskConfig.ruleOf(chAddr, SKEW_SCALE, a.address);
      expect([rule.registered, rule.governanceOnly, rule.maxStep], a.symbol).to.deep.equal([
        true,
        true,
        value / 5n,
      ]);
      expect(maxStepOf(PARAM_RULES.clearinghouse.SKEW_SCALE_WAD, value)).to.equal(value / 5n);
    }
  });

  it("the guardian can move it neither way; the premium stays the one governance set", async function () {
    const l = await deployLab();
    const { sys, ch, chAddr, wbtc, deployer: guardian, alice } = l;
    expect(sys.guardian).to.equal(guardian.address); // lab mode: the deployer is the guardian
    const before = await ch.getParam(SKEW_SCALE, wbtc.address); // 50,000 WBTC (local.json)
    const { maxStep } = await sys.riskConfig.ruleOf(chAddr, SKEW_SCALE, wbtc.address);
    for (const requested of [before + maxStep, before + 1n, before - 1n, before - maxStep]) {
      await expect(sys.riskConfig.connect(guardian).setParam(chAddr, SKEW_SCALE, wbtc.address, requested))
        .to.be.revertedWithCustomError(sys.riskConfig, "RiskConfig__GovernanceOnly")
        .withArgs(SKEW_SCALE, wbtc.address, before, requested);
      expect(await sys.riskConfig.isTightening(chAddr, SKEW_SCALE, wbtc.address, requested)).to.equal(false);
    }
    await expect(
      sys.riskConfig.connect(guardian).setParams([chAddr], [SKEW_SCALE], [wbtc.address], [before * 2n]),
    ).to.be.revertedWithCustomError(sys.riskConfig, "RiskConfig__GovernanceOnly");
    expect(await ch.getParam(SKEW_SCALE, wbtc.address)).to.equal(before);

    // a 10 WBTC long pays the premium of the skew scale governance set:
    // 40,000 x (0 + 10/2) / 50,000 x 10 = 40 USD (at 2,000x the scale it would be 0.02 USD)
    await l.fundVault("100000");
    await l.depositFor(alice, wbtc, "20");
    await send(ch.connect(alice).modifyPosition(alice.address, wbtc.address, wad("10"), wad("50000")));
    const pos = await ch.positionOf(alice.address, wbtc.address);
    expect(pos.costBasisWad - wad("400000")).to.equal(wad("40"));
  });

  it("the timelock moves it, by at most its max step per update", async function () {
    const l = await deployLab();
    const { sys, ch, chAddr, wbtc, networkHelpers } = l;
    const rc = sys.riskConfig;
    const rcAddr = await rc.getAddress();
    const tl = sys.timelock;
    const before = await ch.getParam(SKEW_SCALE, wbtc.address);
    const { maxStep } = await rc.ruleOf(chAddr, SKEW_SCALE, wbtc.address);
    const delay = await tl.getMinDelay();
    const setData = (value: bigint) =>
      rc.interface.encodeFunctionData("setParam", [chAddr, SKEW_SCALE, wbtc.address, value]);
    const tooFar = setData(before + maxStep + 1n);
    const oneStep = setData(before + maxStep);
    await send(tl.schedule(rcAddr, 0n, tooFar, ZeroHash, id("too-far"), delay));
    await send(tl.schedule(rcAddr, 0n, oneStep, ZeroHash, id("one-step"), delay));
    await networkHelpers.time.increase(delay);
    await l.setPrice(wbtc, "40000"); // fresh after the delay
    await expect(tl.execute(rcAddr, 0n, tooFar, ZeroHash, id("too-far")))
      .to.be.revertedWithCustomError(rc, "RiskConfig__StepTooLarge")
      .withArgs(SKEW_SCALE, wbtc.address, before, before + maxStep + 1n, maxStep);
    await expect(tl.execute(rcAddr, 0n, oneStep, ZeroHash, id("one-step")))
      .to.emit(rc, "ParamUpdated")
      .withArgs(chAddr, SKEW_SCALE, wbtc.address, before, before + maxStep, await tl.getAddress());
    expect(await ch.getParam(SKEW_SCALE, wbtc.address)).to.equal(before + maxStep);
  });
});
