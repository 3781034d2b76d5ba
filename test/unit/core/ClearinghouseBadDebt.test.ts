/**
 * The ledger books an auction's debt left, or an account's debt, as bad debt only once the account
 * is finished (ADR 0014): no collateral, and no auction of its collateral still running (whose
 * surplus lot returns to it); its credit pays first. Before, the ledger judged from the collateral
 * balances alone, so the vault paid debt the account could still pay (found by an audit; each test
 * failed on that ledger).
 *
 * Since session 14 an account in liquidation may only be made safer: while its auctions run, the
 * owner's withdrawals, borrows (from credit too) and risk-increasing fills are refused
 * (`Clearinghouse__AuctionsRunning`), so what its last auction falls short of is still his to pay
 * (the second `describe`; each of its tests failed on session 13's ledger). The states session 13's
 * tests built through those actions (a credit-margined position opened while the account's only
 * auction ran, then written off or ended short) can no longer arise: a liquidation closes every
 * position and none can be opened until the auctions end.
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";

import { b32 } from "../../../scripts/deploy/system.js";
import { eventsOf } from "../../helpers/events.js";
import { WAD, deployLab, liquidateLeavingResidue, send, wad } from "../../helpers/system.js";

type Lab = Awaited<ReturnType<typeof deployLab>>;

type Receipt = Awaited<ReturnType<ContractTransactionResponse["wait"]>>;

/** The bad debt a receipt booked (sum of its `BadDebtCovered`). */
function bookedIn(lab: Lab, receipt: Receipt): bigint {
  return eventsOf(receipt, lab.ch.interface, "BadDebtCovered").reduce(
    (sum, e) => sum + (e.args.fromVaultWad as bigint) + (e.args.toDeficitWad as bigint),
    0n,
  );
}

/** The bad debt a transaction booked. */
async function badDebtOf(lab: Lab, tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  return bookedIn(lab, await (await tx).wait());
}

/** Alice, 10 WETH against 14,000 of debt, liquidated at `priceUsd`: her auction (id 1). */
async function oneWethAuction(lab: Lab, priceUsd: string, vaultUsd: string) {
  const { ch, sys, alice, keeper, weth } = lab;
  await lab.fundVault(vaultUsd);
  await lab.fundBidder("100000");
  await lab.depositFor(alice, weth, "10");
  await send(ch.connect(alice).borrow(alice.address, wad("14000"), alice.address));
  await lab.setPrice(weth, priceUsd);
  await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
  return sys.auction.auctions(1n);
}

/**
 * Alice, 10 WETH and 0.5 WBTC against 28,000 of debt, liquidated whole at 1,470 / 29,400
 * (collateral 29,400: the target is out of reach, everything goes): auctions 1 (WETH) and 2 (WBTC).
 */
async function twoAuctions(lab: Lab) {
  const { ch, sys, alice, keeper, weth, wbtc } = lab;
  await lab.fundVault("50000");
  await lab.fundBidder("200000");
  await lab.depositFor(alice, weth, "10");
  await lab.depositFor(alice, wbtc, "0.5");
  await send(ch.connect(alice).borrow(alice.address, wad("28000"), alice.address));
  await lab.setPrice(weth, "1470");
  await lab.setPrice(wbtc, "29400");
  await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
  expect(await sys.auction.kicks()).to.equal(2n);
  expect(await ch.auctionsOf(alice.address)).to.equal(2n);
  return [await sys.auction.auctions(1n), await sys.auction.auctions(2n)] as const;
}

/** Auction `id` bought whole by the bidder at its current price. */
async function takeWhole(lab: Lab, id: bigint) {
  const a = await lab.sys.auction.auctions(id);
  const [, priceWad] = await lab.sys.auction.getStatus(id);
  return lab.sys.auction.connect(lab.bidder).take(id, a.lot, priceWad, lab.bidder.address, "0x");
}

describe("bad debt only on a finished account (no collateral, no auction running; credit pays first)", function () {
  it("an account with nothing but running auctions is not liquidatable: the wei a whole plan over two collaterals leaves on it is not written off while both run, and their surplus returns to it", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, keeper, weth, wbtc, networkHelpers } = lab;
    await lab.fundVault("50000");
    await lab.fundBidder("100000");
    const residue = await liquidateLeavingResidue(lab);
    expect(residue, "the whole plan's residue (rounded against the account)").to.be.greaterThan(0n);
    expect(await sys.auction.kicks()).to.equal(2n);
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
    expect(await ch.collateralOf(alice.address, wbtc.address)).to.equal(0n);

    // no collateral, a residue of debt, both auctions running: nothing to liquidate until they
    // end (their surplus lots return to the account). A single liquidation is refused, a batch
    // skips the account, the lens does not list it
    expect(await ch.auctionsOf(alice.address)).to.equal(2n);
    expect((await ch.health(alice.address, false)).healthFactorWad).to.be.lessThan(wad("1"));
    await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
      .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__NotLiquidatable")
      .withArgs(alice.address, 0n);
    const batch = await (
      await sys.engine.connect(keeper).liquidateBatch([alice.address], keeper.address)
    ).wait();
    expect(eventsOf(batch, sys.engine.interface, "Liquidated")).to.have.length(0);
    expect(eventsOf(batch, ch.interface, "BadDebtCovered")).to.have.length(0);
    expect(await sys.lens.liquidatable([alice.address])).to.deep.equal([]);

    // both lots are worth more than their tabs: bought at the oracle price, each returns a surplus
    await networkHelpers.time.increase(700); // start 1.1 x oracle, linear over 7,200 s: ~ oracle
    await send(takeWhole(lab, 1n));
    await send(takeWhole(lab, 2n));
    const back =
      (await ch.collateralOf(alice.address, weth.address)) +
      (await ch.collateralOf(alice.address, wbtc.address));
    expect(back).to.be.greaterThan(0n);

    // the account had collateral coming back: its debt was not bad debt, and it still owes it
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);
    expect(await ch.debtOf(alice.address)).to.be.greaterThanOrEqual(residue);
  });

  it("a finished account's own debt is booked with its last auction's shortfall: no debt stays without collateral once that auction ends", async function () {
    const lab = await deployLab();
    const { ch, alice, weth, wbtc, networkHelpers } = lab;
    const [aWeth, aWbtc] = await twoAuctions(lab);

    // the WETH auction ends short while the WBTC one runs: its shortfall is charged back, so
    // Alice owes it (her own debt) and holds no collateral
    await lab.setPrice(weth, "1170");
    await networkHelpers.time.setNextBlockTimestamp(aWeth.startTime + 2_000n);
    expect(await badDebtOf(lab, takeWhole(lab, 1n))).to.equal(0n);
    const ownDebt = await ch.debtOf(alice.address);
    expect(ownDebt).to.be.greaterThan(wad("2000"));
    expect(await ch.auctionsOf(alice.address)).to.equal(1n);

    // the WBTC auction ends short too (bought at ~23,350 against a tab at ~29,400): her last
    // auction ends on a finished account, which books its shortfall and her own debt together
    await lab.setPrice(wbtc, "23400");
    await networkHelpers.time.setNextBlockTimestamp(aWbtc.startTime + 2_010n);
    const receipt = await (await takeWhole(lab, 2n)).wait();
    const [settled] = eventsOf(receipt, ch.interface, "AuctionSettled");
    const booked = bookedIn(lab, receipt);
    expect(settled.args.lotReturned).to.equal(0n);
    expect(settled.args.badDebtWad).to.equal(booked);
    expect(booked).to.be.greaterThan(ownDebt); // the auction's shortfall and her own debt
    expect(await ch.debtOf(alice.address)).to.equal(0n);
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);
    expect(await ch.collateralOf(alice.address, wbtc.address)).to.equal(0n);
  });

  it("auction end: the debt left is charged back while the account's other auction runs, and that auction's lot returns to an account that owes it", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, keeper, weth, wbtc, networkHelpers } = lab;
    const [aWeth, aWbtc] = await twoAuctions(lab);
    expect(aWeth.token).to.equal(weth.address);
    expect(aWbtc.token).to.equal(wbtc.address);

    // WETH keeps falling: its lot is bought at ~1,170, below its debt. Alice holds no collateral
    // (her WBTC is in the second auction): the ledger books the shortfall as bad debt
    await lab.setPrice(weth, "1170");
    await networkHelpers.time.setNextBlockTimestamp(aWeth.startTime + 2_000n);
    const firstEnd = await badDebtOf(lab, takeWhole(lab, 1n));

    // WBTC fell too (nobody bought), then rebounds: the redone auction sells with lot to spare
    await networkHelpers.time.setNextBlockTimestamp(aWbtc.startTime + 3_601n);
    await lab.setPrice(wbtc, "33000");
    await send(sys.auction.connect(keeper).redo(2n, keeper.address));
    const secondEnd = await badDebtOf(lab, takeWhole(lab, 2n));
    const wbtcBack = await ch.collateralOf(alice.address, wbtc.address);
    expect(wbtcBack).to.be.greaterThan(7n * 10n ** 6n); // ~0.0757 WBTC, ~2,500 USD

    // the vault paid ~2,320 of Alice's debt, then Alice got ~2,500 of collateral back, debt-free
    expect({ firstEnd, secondEnd }).to.deep.equal({ firstEnd: 0n, secondEnd: 0n });
    expect(await ch.debtOf(alice.address)).to.be.greaterThan(0n);
  });

  it("auction end on a finished account: its credit pays the shortfall before the vault (AuctionSettled reports it as charged back)", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, weth, networkHelpers } = lab;
    const a = await oneWethAuction(lab, "1400", "50000"); // 14,000 of collateral against 14,000 of debt: whole
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
    expect(await ch.debtOf(alice.address)).to.equal(0n);

    // Alice keeps 2,000 of credit on her account (e.g. as perp margin)
    const creditWad = wad("2000");
    await send(sys.stablecoin.connect(alice).approve(lab.chAddr, creditWad));
    await send(ch.connect(alice).repay(alice.address, creditWad));
    expect(await ch.creditOf(alice.address)).to.equal(creditWad);

    // the whole lot sells for 80% of the debt: a shortfall of ~2,800
    const oweWad = (a.debtWad * 8n) / 10n;
    const priceWad = (oweWad * WAD) / a.lot;
    const elapsed = (7_200n * (a.startPriceWad - priceWad) + a.startPriceWad - 1n) / a.startPriceWad;
    await networkHelpers.time.setNextBlockTimestamp(a.startTime + elapsed);
    const receipt = await (
      await sys.auction.connect(lab.bidder).take(1n, a.lot, a.startPriceWad, lab.bidder.address, "0x")
    ).wait();
    const [take] = eventsOf(receipt, sys.auction.interface, "Take");
    const shortfall = a.debtWad - (take.args.oweWad as bigint);
    expect(shortfall).to.be.greaterThan(creditWad);
    const booked = bookedIn(lab, receipt);

    // the account's credit pays its shortfall before the vault does (the ending payment's penalty
    // share covers debt first, ADR 0011, so the vault books at most shortfall - credit)
    expect(await ch.creditOf(alice.address), "credit kept by the account").to.equal(0n);
    expect(booked, "bad debt booked").to.be.lessThanOrEqual(shortfall - creditWad);
    const [settled] = eventsOf(receipt, ch.interface, "AuctionSettled");
    expect(settled.args.debtChargedBackWad, "paid from the account's credit").to.equal(creditWad);
    expect(settled.args.badDebtWad).to.equal(booked);
  });

  it("global settlement: an account settles only after its running auctions (their lots pay its debt before anything is bad debt)", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, weth, wbtc, deployer, networkHelpers } = lab;
    // the ADR's case: a whole liquidation over WETH and WBTC starts two auctions
    const [aWeth, aWbtc] = await twoAuctions(lab);
    const aWbtcLot = aWbtc.lot;

    // the WETH auction ends short while the WBTC one runs: charged back (ADR 0014), so Alice owes
    // ~2,300 and holds no collateral
    await lab.setPrice(weth, "1170");
    await networkHelpers.time.setNextBlockTimestamp(aWeth.startTime + 2_000n);
    const [, pWeth] = await sys.auction.getStatus(1n);
    await send(sys.auction.connect(lab.bidder).take(1n, aWeth.lot, pWeth * 2n, lab.bidder.address, "0x"));
    const owed = await ch.debtOf(alice.address);
    expect(owed).to.be.greaterThan(wad("2000"));
    expect(await ch.auctionsOf(alice.address)).to.equal(1n);

    // global settlement with WBTC back at 33,000 (its auction still running)
    const data = sys.breaker.interface.encodeFunctionData("settle");
    const target = await sys.breaker.getAddress();
    const delay = await sys.timelock.getMinDelay();
    await send(sys.timelock.connect(deployer).schedule(target, 0n, data, b32(""), b32("settle"), delay));
    await networkHelpers.time.increase(delay);
    await lab.setPrice(weth, "1170");
    await lab.setPrice(wbtc, "33000");
    await send(sys.timelock.connect(deployer).execute(target, 0n, data, b32(""), b32("settle")));

    // settling her account first is refused, and so are her withdrawals: the auction comes first
    await expect(ch.connect(alice).settleAccount(alice.address))
      .to.be.revertedWithCustomError(ch, "Settlement__AuctionsRunning")
      .withArgs(alice.address, 1n);
    await expect(ch.connect(alice).withdrawCredit(alice.address, 1n, alice.address))
      .to.be.revertedWithCustomError(ch, "Settlement__AccountNotSettled")
      .withArgs(alice.address);
    // the WBTC auction is yanked: lot and debt back; then the account settles whole
    await send(ch.settleAuction(2n));
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);
    const owedAll = await ch.debtOf(alice.address); // the charged-back shortfall + the auction's debt
    const booked = await badDebtOf(lab, ch.settleAccount(alice.address));
    // the whole returned lot pays first (at the frozen price): only what it does not reach is bad
    // debt, and nothing goes back to her while the vault pays (the review's order booked 3,384
    // and handed her ~0.075 WBTC)
    const lotValue = (aWbtcLot * wad("33000")) / 10n ** 8n;
    expect(booked).to.be.closeTo(owedAll - lotValue, wad("0.01"));
    expect(await ch.collateralOf(alice.address, wbtc.address)).to.equal(0n);
    expect(await ch.debtOf(alice.address)).to.equal(0n);
  });
});

/** What a refused call must leave as it was: Alice's books, her wallet and the ledger's totals. */
async function aliceBooks(lab: Lab) {
  const { ch, sys, alice, weth, wbtc } = lab;
  return {
    debt: await ch.debtOf(alice.address),
    credit: await ch.creditOf(alice.address),
    weth: await ch.collateralOf(alice.address, weth.address),
    wbtc: await ch.collateralOf(alice.address, wbtc.address),
    wethWallet: await weth.token.balanceOf(alice.address),
    stableWallet: await sys.stablecoin.balanceOf(alice.address),
    position: (await ch.positionOf(alice.address, wbtc.address)).sizeWad,
    totalWeth: await ch.totalCollateral(weth.address),
    auctionDebt: await ch.auctionDebtWad(),
    supply: await sys.stablecoin.totalSupply(),
    auctions: await ch.auctionsOf(alice.address),
  };
}

describe("an account in liquidation may only be made safer (ADR 0014, session 14)", function () {
  it("withdraw is refused while an auction runs, without debt too: the surplus lot one auction returned stays while the other runs, and pays that one's shortfall; once the last ends she withdraws", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, weth, wbtc, networkHelpers } = lab;
    // ADR 0014's case: a whole liquidation over WETH and WBTC, two auctions
    const [aWeth, aWbtc] = await twoAuctions(lab);

    // the WETH lot is bought at once near its start price (1.1 x 1,470): it covers its tab with
    // lot to spare, which returns to Alice while her WBTC auction runs
    await networkHelpers.time.setNextBlockTimestamp(aWeth.startTime + 1n);
    expect(await badDebtOf(lab, takeWhole(lab, 1n))).to.equal(0n);
    const back = await ch.collateralOf(alice.address, weth.address);
    expect(back).to.be.greaterThan(wad("0.1"));
    expect(await ch.auctionsOf(alice.address)).to.equal(1n);
    // no debt and no position: a withdrawal would not even read a price (not exposed)
    expect(await ch.debtOf(alice.address)).to.equal(0n);

    // session 13's ledger let her take the lot out; the WBTC auction's shortfall was then bad debt
    const before = await aliceBooks(lab);
    for (const amount of [back, 1n]) {
      await expect(ch.connect(alice).withdraw(alice.address, weth.address, amount, alice.address))
        .to.be.revertedWithCustomError(ch, "Clearinghouse__AuctionsRunning")
        .withArgs(alice.address, 1n);
    }
    // by an operator of hers too
    await send(ch.connect(alice).setOperator(lab.bob.address, true));
    await expect(ch.connect(lab.bob).withdraw(alice.address, weth.address, back, lab.bob.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__AuctionsRunning")
      .withArgs(alice.address, 1n);
    expect(await aliceBooks(lab)).to.deep.equal(before);

    // the WBTC auction ends short (bought at ~23,350 against a tab at ~29,400): Alice holds the
    // returned WETH, so the shortfall is charged back to her, not booked as bad debt
    await lab.setPrice(wbtc, "23400");
    await networkHelpers.time.setNextBlockTimestamp(aWbtc.startTime + 2_000n);
    const receipt = await (await takeWhole(lab, 2n)).wait();
    const [settled] = eventsOf(receipt, ch.interface, "AuctionSettled");
    expect(settled.args.lotReturned).to.equal(0n);
    expect(bookedIn(lab, receipt)).to.equal(0n);
    const owed = await ch.debtOf(alice.address);
    expect(owed).to.be.greaterThan(wad("2000"));
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);

    // her last auction has ended: the ordinary rules apply again. She repays what she owes and
    // takes her WETH out
    await send(sys.stablecoin.connect(alice).approve(lab.chAddr, lab.ethers.MaxUint256));
    await send(ch.connect(alice).repay(alice.address, owed + wad("1")));
    await send(ch.connect(alice).withdraw(alice.address, weth.address, back, alice.address));
    expect(await weth.token.balanceOf(alice.address)).to.equal(before.wethWallet + back);
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
  });

  it("borrow is refused while an auction runs, from credit as well as new debt, and so is a withdrawal with debt; deposit and repay pass", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, weth } = lab;
    // partial: Alice keeps ~1.49 WETH and owes ~1,619 while her auction runs
    await oneWethAuction(lab, "1600", "200000");
    expect(await ch.auctionsOf(alice.address)).to.equal(1n);
    expect(await ch.collateralOf(alice.address, weth.address)).to.be.greaterThan(wad("1"));

    // deposit passes: 10 WETH more
    const held = await ch.collateralOf(alice.address, weth.address);
    await lab.depositFor(alice, weth, "10");
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(held + wad("10"));
    // with debt (the health check counts her auctions): 1 of her 11.49 WETH is refused
    const withDebt = await aliceBooks(lab);
    expect(withDebt.debt).to.be.greaterThan(wad("1600"));
    await expect(ch.connect(alice).withdraw(alice.address, weth.address, wad("1"), alice.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__AuctionsRunning")
      .withArgs(alice.address, 1n);
    expect(await aliceBooks(lab)).to.deep.equal(withDebt);
    // repay passes: all her debt and 2,000 more, which she keeps as credit
    await send(sys.stablecoin.connect(alice).approve(lab.chAddr, lab.ethers.MaxUint256));
    const debt = await ch.debtOf(alice.address);
    await expect(ch.connect(alice).repay(alice.address, debt + wad("2000"))).to.emit(ch, "Repaid");
    expect(await ch.debtOf(alice.address)).to.equal(0n);
    const creditWad = await ch.creditOf(alice.address);
    expect(creditWad).to.be.greaterThan(wad("1999"));

    // session 13's ledger let her take the credit out (borrow takes credit first), so the credit
    // no longer paid her auction's shortfall; and borrow new debt against the 11.49 WETH
    const before = await aliceBooks(lab);
    for (const amountWad of [wad("1000"), creditWad, wad("5000")]) {
      await expect(ch.connect(alice).borrow(alice.address, amountWad, alice.address))
        .to.be.revertedWithCustomError(ch, "Clearinghouse__AuctionsRunning")
        .withArgs(alice.address, 1n);
    }
    expect(await aliceBooks(lab)).to.deep.equal(before);

    // the auction ends (bought whole near the oracle price): she borrows again
    const [, priceWad] = await sys.auction.getStatus(1n);
    await send(
      sys.auction
        .connect(lab.bidder)
        .take(1n, (await sys.auction.auctions(1n)).lot, priceWad * 2n, lab.bidder.address, "0x"),
    );
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);
    await expect(ch.connect(alice).borrow(alice.address, wad("1000"), alice.address))
      .to.emit(ch, "Borrowed")
      .withArgs(alice.address, alice.address, wad("1000"), wad("1000"));
  });

  it("a risk-increasing fill is refused while an auction runs; the liquidation closed her position, and she trades again once the auction ends", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, keeper, weth, wbtc } = lab;
    await lab.fundVault("200000");
    await lab.fundBidder("100000");
    // Alice, 10 WETH against 12,000 of debt and a 0.1 WBTC long, liquidated at 1,350
    await lab.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("12000"), alice.address));
    await send(ch.connect(alice).modifyPosition(alice.address, wbtc.address, wad("0.1"), wad("100000")));
    await lab.setPrice(weth, "1350");
    const receipt = await (await sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).wait();
    const [liquidated] = eventsOf(receipt, sys.engine.interface, "Liquidated");
    expect(liquidated.args.positionsClosed).to.equal(1n);
    expect(liquidated.args.auctions).to.equal(1n);
    // an account in liquidation holds no position: nothing to reduce, and none may be opened
    expect((await ch.positionOf(alice.address, wbtc.address)).sizeWad).to.equal(0n);
    await lab.depositFor(alice, weth, "10");

    const oiBefore = await ch.marketState(wbtc.address);
    const before = await aliceBooks(lab);
    for (const [delta, acceptable] of [
      [wad("0.1"), wad("100000")],
      [-wad("0.1"), 0n],
    ] as const) {
      await expect(ch.connect(alice).modifyPosition(alice.address, wbtc.address, delta, acceptable))
        .to.be.revertedWithCustomError(ch, "Clearinghouse__AuctionsRunning")
        .withArgs(alice.address, 1n);
    }
    expect(await aliceBooks(lab)).to.deep.equal(before);
    const oiAfter = await ch.marketState(wbtc.address);
    expect([oiAfter.longOpenInterestWad, oiAfter.shortOpenInterestWad]).to.deep.equal([
      oiBefore.longOpenInterestWad,
      oiBefore.shortOpenInterestWad,
    ]);

    // the auction ends: she opens the long, then reduces and closes it
    const [, priceWad] = await sys.auction.getStatus(1n);
    await send(
      sys.auction
        .connect(lab.bidder)
        .take(1n, (await sys.auction.auctions(1n)).lot, priceWad * 2n, lab.bidder.address, "0x"),
    );
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);
    await send(ch.connect(alice).modifyPosition(alice.address, wbtc.address, wad("0.1"), wad("100000")));
    expect((await ch.positionOf(alice.address, wbtc.address)).sizeWad).to.equal(wad("0.1"));
  });
});
