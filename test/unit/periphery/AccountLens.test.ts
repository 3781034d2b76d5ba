import { expect } from "chai";

import { b32 } from "../../../scripts/deploy/system.js";
import { WAD, deployLedger } from "../../helpers/ledger.js";
import { deployLab, liquidateLeavingResidue, send, wad } from "../../helpers/system.js";

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

describe("AccountLens: an account awaiting its auctions, by the ledger's rule", function () {
  /**
   * Alice after a whole plan over WETH and WBTC (as ClearinghouseBadDebt.test.ts): no collateral,
   * a residue of debt rounded against her, both auctions running; a third collateral, PEN at 0.5
   * USD, lets one wei of it be worth 0 after its haircut (0.5e-18 USD rounds down).
   */
  async function awaiting() {
    const lab = await deployLab((p) => {
      const weth = p.assets[0];
      p.assets.push({
        ...weth,
        symbol: "PEN",
        mockPriceUsd: "0.5",
        feed: { ...weth.feed, minPriceUsd: "0.01" },
        market: undefined,
      });
    });
    const { ch, alice } = lab;
    await lab.fundVault("50000");
    expect(await liquidateLeavingResidue(lab)).to.be.greaterThan(0n);
    expect(await ch.auctionsOf(alice.address)).to.equal(2n);
    const pen = lab.sys.assets.find((a) => a.symbol === "PEN")!;
    return { ...lab, pen };
  }

  it("with nothing but its auctions: not listed, and the ledger refuses the liquidation", async function () {
    const { sys, alice, keeper } = await awaiting();
    expect(await sys.lens.onlyAuctions([alice.address])).to.deep.equal([true]);
    expect(await sys.lens.liquidatable([alice.address])).to.deep.equal([]);
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
      .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__NotLiquidatable")
      .withArgs(alice.address, 0n);
  });

  it("with a dust collateral worth 0 after its haircut beside its auctions: listed, as the ledger liquidates it", async function () {
    const lab = await awaiting();
    const { ch, sys, alice, keeper, pen } = lab;
    await lab.setPrice(pen, "0.5"); // a fresh round (the setup waited a month)
    await lab.depositFor(alice, pen, "0.000000000000000001"); // one wei, 0.5e-18 USD
    const h = await ch.health(alice.address, false);
    // the old lens's test: no weighted collateral, no requirement, auctions running
    expect([h.weightedCollateralWad, h.requirementWad, h.pricesOk]).to.deep.equal([0n, 0n, true]);
    expect(h.healthFactorWad).to.be.lessThan(wad("1"));
    expect(await ch.auctionsOf(alice.address)).to.equal(2n);

    // the ledger's collateral bitmap holds PEN: the account is not left to its auctions
    expect(await sys.lens.onlyAuctions([alice.address])).to.deep.equal([false]);
    expect(await sys.lens.liquidatable([alice.address])).to.deep.equal([alice.address]);
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.emit(
      sys.engine,
      "Liquidated",
    );
  });
});
