/**
 * The ledger books an auction's debt left, or an account's debt, as bad debt only once the account
 * is finished (ADR 0014): no collateral, and no auction of its collateral still running (whose
 * surplus lot returns to it); its credit pays first. Before, the ledger judged from the collateral
 * balances alone, so the vault paid debt the account could still pay (found by an audit; each test
 * failed on that ledger).
 */
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";

import { b32 } from "../../../scripts/deploy/system.js";
import { eventsOf } from "../../helpers/events.js";
import { WAD, deployLab, send, wad } from "../../helpers/system.js";

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
 * While her auction runs, Alice repays her debt and keeps 2,000 as credit, withdraws the rest of
 * her WETH (allowed: docs/liquidation.md) and shorts 5 WETH on that credit.
 */
async function creditShortWhileAuctionRuns(lab: Lab) {
  const { ch, sys, alice, weth } = lab;
  await send(sys.stablecoin.connect(alice).approve(lab.chAddr, lab.ethers.MaxUint256));
  await send(ch.connect(alice).repay(alice.address, (await ch.debtOf(alice.address)) + wad("2010")));
  const left = await ch.collateralOf(alice.address, weth.address);
  await send(ch.connect(alice).withdraw(alice.address, weth.address, left, alice.address));
  expect(await ch.debtOf(alice.address)).to.equal(0n);
  await send(ch.connect(alice).modifyPosition(alice.address, weth.address, -wad("5"), wad("1000")));
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
    // 170 USD of collateral after the drop, half WETH half WBTC, debt 150 (a dust-sized whole
    // plan, as "the account as its own keeper" in LiquidationEngine.test.ts); a month of stability
    // fee makes the index uneven
    await lab.depositFor(alice, weth, "0.053125");
    await lab.depositFor(alice, wbtc, "0.00265625");
    await send(ch.connect(alice).borrow(alice.address, wad("150"), alice.address));
    await networkHelpers.time.increase(30 * 86_400);
    await lab.setPrice(weth, "1600");
    await lab.setPrice(wbtc, "32000");

    // the first seizure removes its debt's normalized units rounded down, so the second (the
    // rest of the debt the plan read) leaves a wei or two on the account whenever that rounding
    // discarded a unit: it depends on the index, so the liquidation is retried a second later
    // until it does (most seconds do)
    const before = await networkHelpers.takeSnapshot();
    let residue = 0n;
    for (let delay = 0; delay < 30 && residue === 0n; ++delay) {
      await before.restore();
      await networkHelpers.time.increase(delay + 1);
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      residue = await ch.debtOf(alice.address);
    }
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

  it("writeOff waits for the account's auction: an owner's credit-margined loss is not written off while his auction runs, and he owes it once the lot is back", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, keeper, weth, networkHelpers } = lab;
    const a = await oneWethAuction(lab, "1600", "200000");
    await creditShortWhileAuctionRuns(lab);

    // WETH gaps up: the short loses more than the credit
    await lab.setPrice(weth, "2100");
    const writtenOff = await badDebtOf(
      lab,
      sys.engine.connect(keeper).liquidate(alice.address, keeper.address),
    );

    // her auction, started at 1,760, is bought at once (below the market): the tab is paid with
    // part of the lot, the rest goes back to her
    await networkHelpers.time.setNextBlockTimestamp(a.startTime + 30n);
    const receipt = await (await takeWhole(lab, 1n)).wait();
    const [settled] = eventsOf(receipt, ch.interface, "AuctionSettled");
    const lotBack = settled.args.lotReturned as bigint;
    expect(lotBack).to.be.greaterThan(wad("0.5")); // ~0.75 WETH, ~1,600 USD

    // with the lot back, Alice owes her loss against that collateral and is healthy again
    expect(writtenOff, "bad debt written off while the account's auction was running").to.equal(0n);
    expect(await ch.debtOf(alice.address)).to.be.greaterThan(wad("400"));
    await expect(
      sys.engine.connect(keeper).liquidate(alice.address, keeper.address),
    ).to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__NotLiquidatable");
  });

  it("a finished account's own debt is booked with its last auction's shortfall: no debt stays without collateral once that auction ends", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, keeper, weth, networkHelpers } = lab;
    const a = await oneWethAuction(lab, "1600", "200000");
    // as above: debt repaid, the rest of the WETH withdrawn, a short on 2,000 of credit, WETH up
    await creditShortWhileAuctionRuns(lab);
    await lab.setPrice(weth, "2100");
    await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
    const ownDebt = await ch.debtOf(alice.address);
    expect(ownDebt).to.be.greaterThan(wad("400")); // the loss beyond her credit, left while the auction runs

    // nobody takes until the price is ~900 (just before the tail): the whole lot pays less than the tab, and her last
    // auction ends with nothing left to return
    await networkHelpers.time.setNextBlockTimestamp(a.startTime + 3_500n);
    const receipt = await (await takeWhole(lab, 1n)).wait();
    const [settled] = eventsOf(receipt, ch.interface, "AuctionSettled");
    const booked = bookedIn(lab, receipt);
    expect(settled.args.lotReturned).to.equal(0n);
    expect(settled.args.badDebtWad).to.equal(booked);
    expect(booked).to.be.greaterThan(ownDebt); // the auction's shortfall and her own debt
    expect(await ch.debtOf(alice.address)).to.equal(0n);
    expect(await ch.auctionsOf(alice.address)).to.equal(0n);
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

  it("an account holding a position is not finished: its auction's shortfall is charged back and its own debt stays its own while the position's profit backs it", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, weth, wbtc, networkHelpers } = lab;
    // Alice is liquidated whole (10 WETH against 14,000): one auction, no collateral, no debt
    const a = await oneWethAuction(lab, "1400", "200000");
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
    expect(await ch.debtOf(alice.address)).to.equal(0n);

    // while it runs, she puts 2,000 of credit on her account and goes long WBTC on it
    await send(sys.stablecoin.connect(alice).approve(lab.chAddr, lab.ethers.MaxUint256));
    await send(ch.connect(alice).repay(alice.address, wad("2000")));
    await send(ch.connect(alice).modifyPosition(alice.address, wbtc.address, wad("0.5"), wad("100000")));
    // WBTC rises: her unrealized profit backs a borrow (health nets PnL against the balance)
    await lab.setPrice(wbtc, "50000");
    const h0 = await ch.health(alice.address, false);
    expect(h0.pnlWad).to.be.greaterThan(wad("4000"));
    await send(ch.connect(alice).borrow(alice.address, wad("4000"), alice.address));
    const ownDebt = await ch.debtOf(alice.address);
    expect(ownDebt).to.be.greaterThan(wad("1900"));
    expect(await ch.creditOf(alice.address)).to.equal(0n);

    // her auction ends short (the whole lot bought low, e.g. by herself): she holds no
    // collateral and no other auction, but she does hold a position worth ~5,000 of profit, so
    // the shortfall is charged back to her (found by review: the ledger booked it, and her own
    // debt, as bad debt while she kept the position)
    await networkHelpers.time.setNextBlockTimestamp(a.startTime + 3_500n);
    const [, priceWad] = await sys.auction.getStatus(1n);
    const booked = await badDebtOf(
      lab,
      sys.auction.connect(lab.bidder).take(1n, a.lot, priceWad * 2n, lab.bidder.address, "0x"),
    );
    expect(booked, "bad debt booked on an account holding a position").to.equal(0n);
    const h1 = await ch.health(alice.address, false);

    // the account is solvent (its position's profit exceeds its debt): its own debt is its own,
    // not bad debt the vault pays while she keeps the position's profit
    expect(h1.pnlWad).to.be.greaterThan(ownDebt);
    expect(
      await ch.debtOf(alice.address),
      "own debt written off while a profitable position is open",
    ).to.be.greaterThanOrEqual(ownDebt);
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
