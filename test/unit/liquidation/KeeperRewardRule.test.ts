/**
 * The keeper reward of a kick or a redo is `tip + chip x tab`, paid by the vault. Both were
 * registered "lower is safer", so the guardian could walk them to 0 in two blocks (5 -> 2.5 -> 0
 * and 0.001 -> 0.0005 -> 0): nobody would then be paid to kick or redo an auction, and under gas
 * stress liquidations could stall. Neither direction of the flat tip is safe (lower stalls, higher
 * costs the vault on every kick and redo): TIP_WAD is governance-only (ADR 0016). The chip keeps
 * its direction: the guardian may still cut it to 0, and every kick still pays the tip.
 */
import { expect } from "chai";
import { ZeroHash, parseUnits } from "ethers";

import { loadDeployParams, paramsPathFor, parseDeployParams } from "../../../scripts/deploy/params.js";
import { b32 } from "../../../scripts/deploy/system.js";
import { deployLab, send, wad } from "../../helpers/system.js";

const [TIP, CHIP] = [b32("TIP_WAD"), b32("CHIP_WAD")];

describe("keeper rewards: the guardian cannot stop paying keepers", function () {
  it("the guardian moves the tip neither way; cutting the chip to 0 leaves every kick paying the tip", async function () {
    const lab = await deployLab();
    const { sys, ch, weth, deployer: guardian, alice, keeper, networkHelpers } = lab;
    expect(sys.guardian).to.equal(guardian.address); // lab mode: the deployer is the guardian
    const rc = sys.riskConfig.connect(guardian);
    const auctionAddr = lab.auctionAddr;
    const tip = wad("5"); // local.json
    expect(await sys.auction.getParam(TIP, weth.address)).to.equal(tip);

    const tipRule = await sys.riskConfig.ruleOf(auctionAddr, TIP, weth.address);
    expect([tipRule.registered, tipRule.governanceOnly]).to.deep.equal([true, true]);
    const chipRule = await sys.riskConfig.ruleOf(auctionAddr, CHIP, weth.address);
    expect([chipRule.governanceOnly, chipRule.higherIsSafer]).to.deep.equal([false, false]);

    // the guardian: neither down (toward no reward) nor up (the vault pays it), by any step
    for (const requested of [wad("2.5"), 0n, wad("7.5")]) {
      await expect(rc.setParam(auctionAddr, TIP, weth.address, requested))
        .to.be.revertedWithCustomError(sys.riskConfig, "RiskConfig__GovernanceOnly")
        .withArgs(TIP, weth.address, tip, requested);
    }
    expect(await sys.auction.getParam(TIP, weth.address)).to.equal(tip);
    // the chip, 0.001, goes to 0 in two guardian steps of 0.0005
    await send(rc.setParam(auctionAddr, CHIP, weth.address, wad("0.0005")));
    await send(rc.setParam(auctionAddr, CHIP, weth.address, 0n));
    expect(await sys.auction.keeperReward(weth.address, wad("100000"))).to.equal(tip);

    // a kick still pays its keeper the tip
    await lab.depositFor(alice, weth, "10");
    const init = await ch.health(alice.address, true);
    await send(
      ch.connect(alice).borrow(alice.address, (init.weightedCollateralWad * 99n) / 100n, alice.address),
    );
    await lab.setPrice(weth, "1700");
    const receipt = await (await sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).wait();
    const kicks = receipt!.logs
      .map((l) => {
        try {
          return sys.auction.interface.parseLog(l);
        } catch {
          return null;
        }
      })
      .filter((e) => e?.name === "Kick");
    expect(kicks).to.have.length(1);
    expect(kicks[0]!.args.rewardWad).to.equal(tip);
    expect(await ch.creditOf(keeper.address)).to.be.greaterThanOrEqual(tip);

    // the timelock still moves the tip, public for its delay, by at most its step (half of 5)
    const data = sys.riskConfig.interface.encodeFunctionData("setParam", [
      auctionAddr,
      TIP,
      weth.address,
      wad("2.5"),
    ]);
    const rcAddr = await sys.riskConfig.getAddress();
    const delay = await sys.timelock.getMinDelay();
    await send(sys.timelock.connect(guardian).schedule(rcAddr, 0n, data, ZeroHash, ZeroHash, delay));
    await networkHelpers.time.increase(delay);
    await expect(sys.timelock.connect(guardian).execute(rcAddr, 0n, data, ZeroHash, ZeroHash))
      .to.emit(sys.riskConfig, "ParamUpdated")
      .withArgs(auctionAddr, TIP, weth.address, tip, wad("2.5"), await sys.timelock.getAddress());
  });

  it("a parameter file for real assets pays a tip on every asset; a mock one may pay none (maker-2020)", function () {
    const real = loadDeployParams(paramsPathFor("hardhat"));
    real.mocks = false;
    for (const a of real.assets) {
      a.address = "0x00000000000000000000000000000000000000a1";
      a.feed.address = "0x00000000000000000000000000000000000000f1";
    }
    expect(parseDeployParams(structuredClone(real)).assets[1].auction.tipUsd).to.equal("5");
    real.assets[1].auction.tipUsd = "0";
    real.assets[1].auction.chip = "0.001";
    expect(() => parseDeployParams(structuredClone(real), "real.json")).to.throw(
      "assets.1.auction.tipUsd: 0 when mocks is false: no kick or redo would pay its keeper's gas once the guardian cuts the chip (TIP_WAD is governance-only; ADR 0016)",
    );
    real.assets[1].auction.tipUsd = "0.01";
    expect(parseUnits(parseDeployParams(structuredClone(real)).assets[1].auction.tipUsd, 18)).to.equal(
      wad("0.01"),
    );
    const maker = loadDeployParams(paramsPathFor("maker-2020"));
    expect(maker.mocks).to.equal(true);
    expect(maker.assets.map((a) => a.auction.tipUsd)).to.deep.equal(["0", "0"]);
  });
});
