/**
 * The boundary of I7 (liquidation succeeds only below health 1), first written as a probe for the
 * mutant `liquidate-at-health-one` (scripts/mutants/mutants.ts), which no other suite reached:
 * `npm run test:mutants` still runs this file as the suite `probe:liquidation-boundary`.
 *
 * The account's maintenance health is made exactly 1 (1e18): no stability fee (nothing accrues
 * between the view and the transaction), no positions, and the debt repaid down to exactly the
 * maintenance-weighted collateral. At 1 it is refused; one feed unit lower it is liquidated.
 */
import { expect } from "chai";
import { parseUnits } from "ethers";

import { WAD, deployLab, send, wad } from "../../helpers/system.js";

describe("liquidation boundary (I7)", function () {
  it("an account at maintenance health exactly 1 is not liquidatable; one price unit lower it is", async function () {
    const lab = await deployLab((p) => {
      p.global.stabilityFeeApr = "0";
    });
    const { ch, sys, alice, keeper, weth } = lab;
    await lab.fundVault("50000");
    await lab.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("14000"), alice.address));
    await lab.setPrice(weth, "1600");

    // repay down to the maintenance-weighted collateral: assets == liabilities
    const weighted = (await ch.health(alice.address, false)).weightedCollateralWad;
    const debt = await ch.debtOf(alice.address);
    expect(debt).to.be.greaterThan(weighted);
    await send(sys.stablecoin.connect(alice).approve(await ch.getAddress(), debt));
    await send(ch.connect(alice).repay(alice.address, debt - weighted));
    expect(await ch.debtOf(alice.address)).to.equal(weighted);
    expect((await ch.health(alice.address, false)).healthFactorWad).to.equal(WAD);

    const collateral = await ch.collateralOf(alice.address, weth.address);
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
      .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__NotLiquidatable")
      .withArgs(alice.address, WAD);
    expect(await ch.debtOf(alice.address)).to.equal(weighted);
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(collateral);
    expect(await sys.auction.kicks()).to.equal(0n);

    // one unit of the feed lower: just below 1, liquidatable
    if (!weth.feed) throw new Error("no mock feed");
    await send(weth.feed.updateAnswer(parseUnits("1600", weth.feedDecimals) - 1n));
    await send(sys.oracle.poke(weth.address));
    expect((await ch.health(alice.address, false)).healthFactorWad).to.be.lessThan(WAD);
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.emit(
      sys.engine,
      "Liquidated",
    );
    expect(await sys.auction.kicks()).to.equal(1n);
  });
});
