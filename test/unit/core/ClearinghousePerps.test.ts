import { expect } from "chai";
import * as perp from "../../../simulations/math/perp.js";
import { mulWadDown, mulWadUp } from "../../../simulations/math/wad.js";
import { eventsOf } from "../../helpers/events.js";
import { WAD, deployLedger, fillOf, type Ledger } from "../../helpers/ledger.js";

/** What the market stores and does not depend on the block's time. */
async function stored(l: Ledger, accounts: string[]) {
  const st = await l.ch.marketState(l.wethAddr);
  const positions = [];
  for (const a of accounts) {
    const p = await l.ch.positionOf(a, l.wethAddr);
    positions.push([p.sizeWad, p.costBasisWad]);
  }
  return {
    market: [st.skewWad, st.longOpenInterestWad, st.shortOpenInterestWad, st.costBasisSumWad],
    positions,
  };
}

/** The market aggregates equal the sums over the positions (what one write per slot must keep). */
async function expectAggregates(l: Ledger, accounts: string[]) {
  const st = await l.ch.marketState(l.wethAddr);
  let longs = 0n;
  let shorts = 0n;
  let bases = 0n;
  for (const a of accounts) {
    const p = await l.ch.positionOf(a, l.wethAddr);
    if (p.sizeWad > 0n) longs += p.sizeWad;
    else shorts -= p.sizeWad;
    bases += p.costBasisWad;
  }
  expect(st.longOpenInterestWad, "long open interest").to.equal(longs);
  expect(st.shortOpenInterestWad, "short open interest").to.equal(shorts);
  expect(st.skewWad, "skew").to.equal(longs - shorts);
  expect(st.costBasisSumWad, "cost basis sum").to.equal(bases);
}

describe("Clearinghouse perps (one write per market slot, caps, market bit)", function () {
  it("keeps open interest, skew and the cost basis sum equal to the positions through open, increase, flip and close", async function () {
    const l = await deployLedger();
    await l.seedVault(50_000n * WAD);
    const [alice, bob] = [l.alice.address, l.bob.address];
    await l.ch.connect(l.alice).deposit(alice, l.wethAddr, 50n * WAD);
    await l.ch.connect(l.bob).deposit(bob, l.wethAddr, 50n * WAD);
    const accounts = [alice, bob];

    // each step: [trader, size delta]; funding runs a day between steps
    const steps: [typeof l.alice, bigint][] = [
      [l.alice, 5n * WAD],
      [l.bob, -3n * WAD],
      [l.alice, 2n * WAD], // increase
      [l.alice, -8n * WAD], // flip from 7 long to 1 short
      [l.bob, 3n * WAD], // close by a trade
    ];
    for (const [i, [signer, delta]] of steps.entries()) {
      await l.networkHelpers.time.increase(86_400);
      const before = await l.ch.positionOf(signer.address, l.wethAddr);
      const tx = await l.ch
        .connect(signer)
        .modifyPosition(signer.address, l.wethAddr, delta, delta > 0n ? 10n ** 30n : 0n);
      const { indexWad, fillPriceWad, realizedPnlWad } = await fillOf(l, tx);
      // funding runs from the first trade's skew on
      if (i > 0) expect(indexWad, "funding ran between the steps").to.not.equal(0n);
      const after = await l.ch.positionOf(signer.address, l.wethAddr);
      // the fill booked at price - index: the mirror's basis and realized PnL (funding included)
      const expected = perp.applyFill(
        before.sizeWad,
        before.costBasisWad,
        delta,
        perp.adjustedPrice(fillPriceWad, indexWad),
      );
      expect([after.sizeWad, after.costBasisWad]).to.deep.equal([
        expected.newSizeWad,
        expected.newCostBasisWad,
      ]);
      expect(realizedPnlWad).to.equal(expected.realizedPnlWad);
      await expectAggregates(l, accounts);
    }
    // bob closed by a trade: nothing left in the slot
    expect((await l.ch.positionOf(bob, l.wethAddr)).costBasisWad).to.equal(0n);

    await l.networkHelpers.time.increase(86_400);
    await l.ch.connect(l.alice).closePosition(alice, l.wethAddr, 10n ** 30n);
    await expectAggregates(l, accounts);
    const st = await l.ch.marketState(l.wethAddr);
    expect([st.skewWad, st.longOpenInterestWad, st.shortOpenInterestWad, st.costBasisSumWad]).to.deep.equal([
      0n,
      0n,
      0n,
      0n,
    ]);
  });

  it("charges the taker fee rounded up, to the wei, and credits exactly that fee to the vault (I10)", async function () {
    const l = await deployLedger();
    await l.seedVault(10_000n * WAD);
    const alice = l.alice.address;
    await l.ch.connect(l.alice).deposit(alice, l.wethAddr, 10n * WAD);
    const vaultAddr = await l.vault.getAddress();
    const vaultBefore = await l.ch.creditOf(vaultAddr);
    // an open on an empty market at 2,000, skew scale 1,000,000, taker fee 0.1%
    const sizeWad = 3n * WAD + 1n;
    const fillWad = perp.fillPrice(2_000n * WAD, 0n, sizeWad, 1_000_000n * WAD);
    const notionalWad = mulWadUp(sizeWad, fillWad);
    const feeWad = mulWadUp(notionalWad, WAD / 1000n);
    expect(mulWadDown(notionalWad, WAD / 1000n), "rounding matters here").to.equal(feeWad - 1n);
    await expect(l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, sizeWad, 10n ** 30n))
      .to.emit(l.ch, "PositionModified")
      .withArgs(alice, l.wethAddr, sizeWad, fillWad, sizeWad, 0n, feeWad);
    // alice had no credit: she owes the fee as debt, and the vault's credit grows by exactly it
    expect(await l.ch.debtOf(alice)).to.equal(feeWad);
    expect(await l.ch.creditOf(vaultAddr)).to.equal(vaultBefore + feeWad);
  });

  it("caps a risk increase on either side with the exact error, and changes nothing", async function () {
    const l = await deployLedger();
    await l.seedVault(10_000n * WAD);
    const [alice, bob] = [l.alice.address, l.bob.address];
    await l.ch.connect(l.alice).deposit(alice, l.wethAddr, 100n * WAD);
    await l.ch.connect(l.bob).deposit(bob, l.wethAddr, 100n * WAD);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, 20n * WAD, 10n ** 30n);
    const snapshot = await stored(l, [alice, bob]);

    // skew cap: the vault's credit (no stability fee here: nothing pending) times the ratio (10)
    const capUsd = ((await l.ch.creditOf(await l.vault.getAddress())) * 10n * WAD) / WAD;
    await expect(l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, 40n * WAD, 10n ** 30n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__SkewCapExceeded")
      .withArgs(l.wethAddr, 60n * 2_000n * WAD, capUsd);

    await l.setParam("MAX_OPEN_INTEREST_WAD", l.wethAddr, 25n * WAD);
    await expect(l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, 6n * WAD, 10n ** 30n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OpenInterestCapExceeded")
      .withArgs(l.wethAddr, 26n * WAD, 25n * WAD);
    await expect(l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, -26n * WAD, 0n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OpenInterestCapExceeded")
      .withArgs(l.wethAddr, 26n * WAD, 25n * WAD);
    // a flip is a risk increase: 20 long to 26 short
    await expect(l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, -46n * WAD, 0n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OpenInterestCapExceeded")
      .withArgs(l.wethAddr, 26n * WAD, 25n * WAD);
    expect(await stored(l, [alice, bob])).to.deep.equal(snapshot);
  });

  it("reduces and closes without the caps (a cap below the open interest binds only increases)", async function () {
    const l = await deployLedger();
    await l.seedVault(10_000n * WAD);
    const alice = l.alice.address;
    await l.ch.connect(l.alice).deposit(alice, l.wethAddr, 100n * WAD);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, 20n * WAD, 10n ** 30n);
    await l.setParam("MAX_OPEN_INTEREST_WAD", l.wethAddr, 5n * WAD);
    await l.setParam("SKEW_CAP_RATIO_WAD", l.wethAddr, 0n);

    await expect(l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, WAD, 10n ** 30n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OpenInterestCapExceeded")
      .withArgs(l.wethAddr, 21n * WAD, 5n * WAD);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, -5n * WAD, 0n);
    expect((await l.ch.marketState(l.wethAddr)).longOpenInterestWad).to.equal(15n * WAD);
    await l.ch.connect(l.alice).closePosition(alice, l.wethAddr, 0n);
    expect((await l.ch.marketState(l.wethAddr)).longOpenInterestWad).to.equal(0n);
    expect((await l.ch.positionOf(alice, l.wethAddr)).sizeWad).to.equal(0n);
  });

  it("sets the account's market bit on open, keeps it on a change, clears it on close", async function () {
    const l = await deployLedger();
    await l.seedVault(10_000n * WAD);
    const alice = l.alice.address;
    // WBTC collateral only: the WETH price enters alice's health only through her position
    await l.ch.connect(l.alice).deposit(alice, l.wbtcAddr, 10n ** 8n);
    /** alice's pricesOk while the WETH price fails (false exactly when the WETH bit is set). */
    const pricesOkWithWethFailing = async (): Promise<boolean> => {
      await l.oracle.setPrice(l.wethAddr, 2_000n * WAD, false);
      const ok = (await l.ch.health(alice, false)).pricesOk;
      await l.oracle.setPrice(l.wethAddr, 2_000n * WAD, true);
      return ok;
    };
    expect(await pricesOkWithWethFailing()).to.equal(true);

    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, 2n * WAD, 10n ** 30n);
    expect(await pricesOkWithWethFailing()).to.equal(false);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, 3n * WAD, 10n ** 30n);
    expect(await pricesOkWithWethFailing()).to.equal(false);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, -WAD, 0n);
    expect(await pricesOkWithWethFailing()).to.equal(false);

    await l.ch.connect(l.alice).closePosition(alice, l.wethAddr, 0n);
    expect(await pricesOkWithWethFailing()).to.equal(true);
    // reopening sets it again
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, -WAD, 0n);
    expect(await pricesOkWithWethFailing()).to.equal(false);
  });

  it("marks the vault's counter-skew where it closes: an open skew does not lift its net assets above the fee", async function () {
    // the premium of a fill is index x (skew + delta / 2) / skewScale: a skew K opened from zero
    // and closed again pays it both ways, so while it is open the vault's mark at the index
    // (index x K^2 / (2 x skewScale) above its credit) is premium it must hand back; an LP who
    // redeemed at that mark would take it from the others
    const l = await deployLedger();
    await l.seedVault(500_000n * WAD);
    await l.setParam("SKEW_SCALE_WAD", l.wethAddr, 50_000n * WAD);
    await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 1_000n * WAD);
    const before = await l.ch.vaultNetAssetsWad();
    const size = 2_000n * WAD;
    const tx = await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, size, 10n ** 30n);
    const [fill] = eventsOf(await tx.wait(), l.ch.interface, "PositionModified");
    const feeWad = fill.args.feeWad as bigint;
    const open = await l.ch.vaultNetAssetsWad();
    // at the index the mark would be up 2,000 x 2,000^2 / 100,000 = $80,000
    const premium = (2_000n * WAD * size * size) / (2n * 50_000n * WAD * WAD);
    expect(premium).to.equal(80_000n * WAD);
    expect(open - before, "the open skew adds the fee, not the premium").to.be.closeTo(feeWad, 10n ** 6n);
    expect(open - before).to.be.lessThanOrEqual(feeWad); // rounded against the vault
    await l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 0n);
    expect((await l.ch.vaultNetAssetsWad()) - before).to.be.greaterThan(open - before); // two fees
  });

  it("binds the skew cap only on a fill that grows the skew: a skew above its cap can be traded down", async function () {
    const l = await deployLedger();
    await l.seedVault(10_000n * WAD);
    const [alice, bob] = [l.alice.address, l.bob.address];
    await l.ch.connect(l.alice).deposit(alice, l.wethAddr, 100n * WAD);
    await l.ch.connect(l.bob).deposit(bob, l.wethAddr, 100n * WAD);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, 40n * WAD, 10n ** 30n); // $80,000 of skew
    // the cap falls below the open skew (ratio 10 -> 2: $20,000)
    await l.setParam("SKEW_CAP_RATIO_WAD", l.wethAddr, 2n * WAD);
    // the cap: 2 x the vault's credit, less its loss on the skew marked where the skew closes
    // (a few dollars here: the premium and the fees' rounding); exactly below in the next test
    const credit2 = async () => (await l.ch.creditOf(await l.vault.getAddress())) * 2n;
    const near = (c: bigint) => (cap: bigint) => cap <= c && cap > c - 100n * WAD;
    // bob's new short shrinks the skew: accepted although it ends above the cap
    await l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, -10n * WAD, 0n);
    expect((await l.ch.marketState(l.wethAddr)).skewWad).to.equal(30n * WAD);
    // a fill that grows it is refused, and so is a flip past the old size on the other side
    const snapshot = await stored(l, [alice, bob]);
    await expect(l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, 11n * WAD, 10n ** 30n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__SkewCapExceeded")
      .withArgs(l.wethAddr, 41n * 2_000n * WAD, near(await credit2()));
    await expect(l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, -61n * WAD, 0n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__SkewCapExceeded")
      .withArgs(l.wethAddr, 31n * 2_000n * WAD, near(await credit2()));
    expect(await stored(l, [alice, bob])).to.deep.equal(snapshot);
    // down to the cap and beyond it on the other side, within it: accepted
    await l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, -35n * WAD, 0n);
    expect((await l.ch.marketState(l.wethAddr)).skewWad).to.equal(-5n * WAD);
  });

  it("sizes the skew cap on the vault's credit less its loss on the market: under water on its mark, it backs no new skew", async function () {
    const l = await deployLedger();
    await l.seedVault(10_000n * WAD);
    const [alice, bob, carol] = [l.alice.address, l.bob.address, l.carol.address];
    for (const s of [l.alice, l.bob, l.carol])
      await l.ch.connect(s).deposit(s.address, l.wethAddr, 100n * WAD);
    await l.ch.connect(l.alice).modifyPosition(alice, l.wethAddr, 40n * WAD, 10n ** 30n); // $80,000 < $100,000
    // +20%: alice's long gains about $16,000, more than the vault's $10,000 of credit
    await l.oracle.setPrice(l.wethAddr, 2_400n * WAD, true);
    expect(await l.ch.vaultNetAssetsWad()).to.be.lessThan(0n);
    const snapshot = await stored(l, [alice, bob, carol]);
    await expect(l.ch.connect(l.carol).modifyPosition(carol, l.wethAddr, WAD, 10n ** 30n))
      .to.be.revertedWithCustomError(l.ch, "Clearinghouse__SkewCapExceeded")
      .withArgs(l.wethAddr, 41n * 2_400n * WAD, 0n);
    expect(await stored(l, [alice, bob, carol])).to.deep.equal(snapshot);
    // a short shrinks the skew: accepted
    await l.ch.connect(l.bob).modifyPosition(bob, l.wethAddr, -5n * WAD, 0n);
    expect((await l.ch.marketState(l.wethAddr)).skewWad).to.equal(35n * WAD);
  });
});
