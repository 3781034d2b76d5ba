/**
 * A position reduced during an oracle outage (I11: reductions always pass) fills at the feed's
 * last round, not at the price of the router's last `poke`: the deployed system, its real
 * OracleRouter and a Chainlink mock feed. (An audit found the close of a long whose feed fell
 * from 2,000 to 1,500 while nobody poked filled at 2,000 once the feed was stale: the vault paid
 * the unpoked move.)
 */
import { expect } from "chai";
import { network } from "hardhat";
import { parseUnits } from "ethers";

import { loadDeployParams, paramsPathFor } from "../../scripts/deploy/params.js";
import { deploySystem } from "../../scripts/deploy/system.js";
import { eventsOf } from "../helpers/events.js";

describe("e2e: a reduction during an oracle outage", function () {
  it("closes at the stale feed's last round, exactly as while the feed was fresh", async function () {
    const { ethers, networkHelpers } = await network.create();
    const sys = await deploySystem(ethers, loadDeployParams(paramsPathFor("hardhat")));
    const [, alice] = await ethers.getSigners();
    const weth = sys.assets[0];
    const ch = sys.clearinghouse;
    await weth.token.mint(alice.address, parseUnits("10", 18));
    await weth.token.connect(alice).approve(await ch.getAddress(), ethers.MaxUint256);
    await ch.connect(alice).deposit(alice.address, weth.address, parseUnits("10", 18));
    await ch
      .connect(alice)
      .modifyPosition(alice.address, weth.address, parseUnits("1", 18), parseUnits("2100", 18));
    await sys.oracle.poke(weth.address);
    const [lastGood] = await sys.oracle.lastGoodPrice(weth.address);
    expect(lastGood).to.equal(parseUnits("2000", 18));

    // the feed falls to 1,500 in a round nobody pokes
    await weth.feed!.updateAnswer(1500n * 10n ** 8n);
    const close = async () => {
      const receipt = await (await ch.connect(alice).closePosition(alice.address, weth.address, 0n)).wait();
      const [e] = eventsOf(receipt, ch.interface, "PositionModified");
      return { fillWad: e.args.fillPriceWad as bigint, pnlWad: e.args.realizedPnlWad as bigint };
    };
    const snapshot = await networkHelpers.takeSnapshot();
    const fresh = await close();
    await snapshot.restore();

    // the feed goes stale (heartbeat + grace): the read fails, the close still passes (I11)
    await networkHelpers.time.increase(3_600 + 600 + 1);
    const [priceWad, ok] = await sys.oracle.getPrice(weth.address);
    expect([priceWad, ok]).to.deep.equal([parseUnits("1500", 18), false]);
    const stale = await close();
    expect(fresh.pnlWad).to.be.lessThan(parseUnits("-400", 18));
    // the same fill: the skew premium and the funding are the same, the index is the last round
    expect(stale.fillWad).to.equal(fresh.fillWad);
    expect(stale.pnlWad).to.be.closeTo(fresh.pnlWad, parseUnits("1", 18)); // an hour's funding
  });
});
