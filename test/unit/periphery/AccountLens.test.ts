import { expect } from "chai";

import { b32 } from "../../../scripts/deploy/system.js";
import { WAD, deployLedger } from "../../helpers/ledger.js";
import { deployLab, send, wad } from "../../helpers/system.js";

describe("AccountLens", function () {
  it("returns the same health as the Clearinghouse for many accounts in one call", async function () {
    const l = await deployLedger();
    const lens = await l.ethers.deployContract("AccountLens", [l.chAddr]);
    for (const [s, debt] of [
      [l.alice, 10_000n],
      [l.bob, 15_000n],
    ] as const) {
      await l.ch.connect(s).deposit(s.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(s).borrow(s.address, debt * WAD, s.address);
    }
    const accounts = [l.alice.address, l.bob.address, l.carol.address];
    const batch = await lens.healthOf(accounts, false);
    for (let i = 0; i < accounts.length; i++) {
      const single = await l.ch.health(accounts[i], false);
      expect(batch[i].healthFactorWad).to.equal(single.healthFactorWad);
      expect(batch[i].debtWad).to.equal(single.debtWad);
    }
    expect(batch[2].healthFactorWad).to.equal(2n ** 256n - 1n); // empty account: no liabilities

    // ETH falls 20%: bob's 15,000 debt against 10 ETH * 1,600 * 0.85 = 13,600 is liquidatable
    await l.oracle.setPrice(l.wethAddr, 1_600n * WAD, true);
    expect(await lens.liquidatable(accounts)).to.deep.equal([l.bob.address]);
    const factors = await lens.healthFactors(accounts);
    expect(factors[1]).to.equal((13_600n * WAD * WAD) / (15_000n * WAD));
    const sums = await lens.summaries([l.alice.address]);
    expect(sums[0].initial.healthFactorWad < sums[0].maintenance.healthFactorWad).to.equal(true);
  });

  it("lists only what the engine would liquidate: not at a failing price, nothing at global level 2", async function () {
    const l = await deployLab();
    const { sys, ch, weth, alice, keeper, deployer, networkHelpers } = l;
    await l.depositFor(alice, weth, "10");
    const init = await ch.health(alice.address, true);
    await send(
      ch.connect(alice).borrow(alice.address, (init.weightedCollateralWad * 99n) / 100n, alice.address),
    );
    // ETH -15% (inside the breaker's drop tolerance): maintenance health below 1, prices ok
    await l.setPrice(weth, "1700");
    expect((await ch.health(alice.address, false)).healthFactorWad).to.be.lessThan(wad("1"));
    expect(await sys.lens.liquidatable([alice.address])).to.deep.equal([alice.address]);

    // the guardian raises the global level to 2: the engine liquidates nothing, the lens lists nothing
    const id = await networkHelpers.takeSnapshot();
    await send(sys.breaker.connect(deployer).raiseGlobal(2, b32("TEST")));
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.revert(l.ethers);
    expect(await sys.lens.liquidatable([alice.address])).to.deep.equal([]);
    await id.restore();

    // the feed goes stale (heartbeat + grace): health still reads below 1 at the last good price,
    // but the ledger refuses the liquidation, so the lens does not list her
    await networkHelpers.time.increase(3_600 + 600 + 1);
    const h = await ch.health(alice.address, false);
    expect([h.pricesOk, h.healthFactorWad < wad("1")]).to.deep.equal([false, true]);
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.revert(l.ethers);
    expect(await sys.lens.liquidatable([alice.address])).to.deep.equal([]);
  });
});
