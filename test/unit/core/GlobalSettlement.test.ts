/**
 * Global settlement (IGlobalSettlement): after the breaker's irreversible settle(), accounts are
 * settled at the frozen prices into a redemption pool, owners withdraw what is left, and holders
 * redeem stablecoin pro rata after the delay.
 */
import { expect } from "chai";
import { ZeroAddress } from "ethers";

import { b32 } from "../../../scripts/deploy/system.js";
import { eventsOf } from "../../helpers/events.js";
import { WAD, deployLab, send, wad } from "../../helpers/system.js";

async function settledLab() {
  const lab = await deployLab();
  const { ch, sys, alice, bob, weth, deployer, networkHelpers } = lab;
  await lab.fundVault("200000");
  await lab.depositFor(alice, weth, "10");
  await send(ch.connect(alice).borrow(alice.address, wad("4000"), alice.address));
  await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("2"), wad("3000")));
  // bob: under water at the frozen price (WETH falls to 1,000 before settlement)
  await lab.depositFor(bob, weth, "10");
  await send(ch.connect(bob).borrow(bob.address, wad("14000"), bob.address));
  await lab.setPrice(weth, "1000");

  const settle = async () => {
    const data = sys.breaker.interface.encodeFunctionData("settle");
    const target = await sys.breaker.getAddress();
    const zero = b32("");
    const delay = await sys.timelock.getMinDelay();
    await send(sys.timelock.connect(deployer).schedule(target, 0n, data, zero, b32("settle"), delay));
    await networkHelpers.time.increase(delay);
    // the frozen prices are the feeds' answers at settlement: both answer then (a feed silent
    // since its heartbeat would leave its asset unpriced until its next answer, ADR 0015)
    await lab.setPrice(weth, "1000");
    await refreshFeeds(lab);
    return (await sys.timelock.connect(deployer).execute(target, 0n, data, zero, b32("settle"))).wait();
  };
  return { ...lab, settle };
}

describe("global settlement", function () {
  it("refuses every settlement step before settlement", async function () {
    const lab = await settledLab();
    const { ch, alice } = lab;
    await expect(ch.settleAccount(alice.address)).to.be.revertedWithCustomError(ch, "Settlement__NotSettled");
    await expect(ch.openRedemption()).to.be.revertedWithCustomError(ch, "Settlement__NotSettled");
    await expect(ch.connect(alice).redeem(wad("1"), alice.address)).to.be.revertedWithCustomError(
      ch,
      "Settlement__NotSettled",
    );
  });

  it("settles an account at the frozen price: positions closed, debt paid into the pool, rest withdrawable", async function () {
    const lab = await settledLab();
    const { ch, sys, alice, weth } = lab;
    await lab.settle();
    const price = await sys.breaker.settlementPrice(weth.address);
    expect(price).to.equal(wad("1000"));
    const debt = await ch.debtOf(alice.address); // frozen index (no accrual after settlement)
    await expect(ch.settleAccount(alice.address)).to.emit(ch, "AccountSettled");
    expect((await ch.positionOf(alice.address, weth.address)).sizeWad).to.equal(0n);
    expect(await ch.debtOf(alice.address)).to.equal(0n);
    // the long lost ~(fill - 1,000) x 2, paid from... credit/debt first; the pool took the debt at 1,000
    const pooled = await ch.redemptionPool(weth.address);
    expect(pooled).to.be.greaterThanOrEqual((debt * WAD) / price);
    const left = await ch.collateralOf(alice.address, weth.address);
    expect(left + pooled).to.equal(wad("10"));
    // the owner takes the rest; a stranger cannot
    await expect(
      ch.connect(lab.bob).withdrawSettled(alice.address, weth.address, left, lab.bob.address),
    ).to.be.revertedWithCustomError(ch, "Clearinghouse__NotAuthorized");
    await send(ch.connect(alice).withdrawSettled(alice.address, weth.address, left, alice.address));
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
    // the normal entry points stay frozen
    await expect(ch.connect(alice).repay(alice.address, wad("1"))).to.be.revertedWithCustomError(
      ch,
      "Clearinghouse__Settled",
    );
  });

  it("pools collateral for the debt rounded up, against the account (I10): the pool never holds less than the debt at the frozen price", async function () {
    const lab = await settledLab();
    const { ch, sys, alice, weth } = lab;
    await lab.settle();
    const price = await sys.breaker.settlementPrice(weth.address);
    const receipt = await (await ch.settleAccount(alice.address)).wait();
    const [settled] = eventsOf(receipt, ch.interface, "AccountSettled");
    const debtWad = settled.args.debtWad as bigint;
    expect(settled.args.badDebtWad).to.equal(0n); // 10 WETH cover it
    // the debt is not a whole number of WETH wei at the frozen price: floor and ceiling differ
    expect((debtWad * WAD) % price).to.not.equal(0n);
    const amount = (debtWad * WAD + price - 1n) / price;
    const [pooled] = eventsOf(receipt, ch.interface, "CollateralPooled");
    expect([pooled.args.account, pooled.args.token, pooled.args.amount]).to.deep.equal([
      alice.address,
      weth.address,
      amount,
    ]);
    expect(await ch.redemptionPool(weth.address)).to.equal(amount);
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(wad("10") - amount);
  });

  it("an auction running at settlement is ended by settleAuction: its lot and debt go back to the account, then into its settlement", async function () {
    const lab = await settledLab();
    const { ch, sys, bob, keeper, weth, bidder } = lab;
    // bob (10 WETH, 14,000 owed at 1,000) is liquidated whole before settlement: one auction
    await send(sys.engine.connect(keeper).liquidate(bob.address, keeper.address));
    const a = await sys.auction.auctions(1n);
    expect(a.lot).to.equal(wad("10"));
    await expect(ch.settleAuction(1n)).to.be.revertedWithCustomError(ch, "Settlement__NotSettled");
    await lab.fundBidder("100000");
    await lab.settle();
    // settlement refuses takes and redos: without settleAuction the lot would stay stranded
    await expect(
      sys.auction.connect(bidder).take(1n, a.lot, a.startPriceWad, bidder.address, "0x"),
    ).to.be.revert(lab.ethers);
    await expect(sys.auction.connect(keeper).redo(1n, keeper.address)).to.be.revert(lab.ethers);
    // only the sink may end an auction
    await expect(sys.auction.connect(keeper).yank(1n))
      .to.be.revertedWithCustomError(sys.auction, "DutchAuction__NotSink")
      .withArgs(keeper.address);

    const auctionDebt = await ch.auctionDebtWad();
    expect(auctionDebt).to.equal(a.debtWad);
    const tx = ch.connect(keeper).settleAuction(1n); // permissionless
    await expect(tx)
      .to.emit(ch, "AuctionSettled")
      .withArgs(1n, bob.address, weth.address, a.lot, a.debtWad, 0n);
    await expect(tx).to.emit(sys.auction, "Yank").withArgs(1n, bob.address, weth.address, a.lot, a.debtWad);
    expect((await sys.auction.auctions(1n)).account).to.equal("0x0000000000000000000000000000000000000000");
    expect(await sys.auction.totalTabInFlightWad()).to.equal(0n);
    expect(await ch.auctionDebtWad()).to.equal(0n);
    expect(await ch.collateralOf(bob.address, weth.address)).to.equal(a.lot);
    await expect(ch.settleAuction(1n)).to.be.revertedWithCustomError(sys.auction, "DutchAuction__NotRunning");
    // I1 through the move: the auction's debt is the account's again
    const books = await lab.books([bob.address, keeper.address, bidder.address, lab.alice.address]);
    expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    expect(books.assets - books.liabilities).to.be.lessThan(wad("0.001"));

    // the account's settlement now pools the lot against the debt, which came back at the index
    // frozen at settlement (rounded against the account): every WETH the ledger holds is
    // accounted for
    const receipt = await (await ch.settleAccount(bob.address)).wait();
    const [settled] = eventsOf(receipt, ch.interface, "AccountSettled");
    expect(settled.args.debtWad as bigint).to.be.closeTo(a.debtWad, 1n);
    expect(await ch.redemptionPool(weth.address)).to.equal(wad("10"));
    const held = await weth.token.balanceOf(await ch.getAddress());
    expect(held).to.equal((await ch.totalCollateral(weth.address)) + (await ch.redemptionPool(weth.address)));
  });

  it("the stability-fee and funding indices freeze at settlement: it accrues both last, then nothing moves them", async function () {
    const lab = await settledLab();
    const { ch, sys, bob, weth, deployer, networkHelpers } = lab;
    const vaultAddr = await sys.vault.getAddress();
    await networkHelpers.time.increase(30 * 86_400); // a month without an accrual
    const indexBefore = await ch.rateIndexRay(); // the view's projection to the latest block
    const receipt = await lab.settle();
    // the settlement's own transaction accrued the fee and alice's market's funding
    const accrued = eventsOf(receipt, ch.interface, "StabilityFeeAccrued");
    expect(accrued).to.have.length(1);
    const frozenIndex = accrued[0].args.rateIndexRay as bigint;
    expect(frozenIndex).to.be.greaterThan(indexBefore);
    expect(await ch.rateIndexRay()).to.equal(frozenIndex);
    // every listed market's funding (alice is long WETH)
    const funding = eventsOf(receipt, ch.interface, "FundingAccrued");
    expect(funding.map((e) => e.args.market as string)).to.have.members(await ch.markets());
    const wethFunding = funding.find((e) => e.args.market === weth.address);
    expect((await ch.marketState(weth.address)).fundingIndexWad).to.equal(wethFunding?.args.fundingIndexWad);

    const views = async () => [
      await ch.rateIndexRay(),
      await ch.debtOf(bob.address),
      await ch.totalDebtWad(),
      await ch.creditOf(vaultAddr),
      (await ch.marketState(weth.address)).fundingIndexWad,
    ];
    const atSettlement = await views();
    await networkHelpers.time.increase(365 * 86_400);
    await networkHelpers.mine();
    expect(await views()).to.deep.equal(atSettlement);
    // accrue is refused; a stability-fee change (through the timelock) does not accrue either
    await expect(ch.accrue()).to.be.revertedWithCustomError(ch, "Clearinghouse__Settled");
    const feeChange = sys.riskConfig.interface.encodeFunctionData("setParam", [
      lab.chAddr,
      b32("STABILITY_FEE_PER_SECOND_RAY"),
      ZeroAddress,
      2n * 10n ** 18n, // about 6.3% a year, from 5% (within one max step: half the value registered)
    ]);
    const config = await sys.riskConfig.getAddress();
    const delay = await sys.timelock.getMinDelay();
    await send(sys.timelock.connect(deployer).schedule(config, 0n, feeChange, b32(""), b32("fee"), delay));
    await networkHelpers.time.increase(delay);
    await send(sys.timelock.connect(deployer).execute(config, 0n, feeChange, b32(""), b32("fee")));
    expect(await views()).to.deep.equal(atSettlement);

    // bob settles at the frozen index: the debt he settles is the debtOf read a year earlier
    const settled = eventsOf(
      await (await ch.settleAccount(bob.address)).wait(),
      ch.interface,
      "AccountSettled",
    );
    expect(settled[0].args.debtWad).to.equal(atSettlement[1]);
  });

  it("debt the collateral cannot pay goes through the waterfall; redemption is pro rata after the delay", async function () {
    const lab = await settledLab();
    const { ch, sys, alice, bob, weth, networkHelpers } = lab;
    await lab.settle();
    const deficitBefore = await ch.deficitWad();
    await send(ch.settleAccount(bob.address)); // 10 WETH at 1,000 < 14,000
    expect(await ch.collateralOf(bob.address, weth.address)).to.equal(0n);
    expect(await ch.redemptionPool(weth.address)).to.equal(wad("10"));
    const vaultAddr = await sys.vault.getAddress();
    expect(await ch.creditOf(vaultAddr)).to.be.lessThan(wad("200000")); // the vault paid first
    expect(await ch.deficitWad()).to.be.greaterThanOrEqual(deficitBefore);
    await send(ch.settleAccount(alice.address));
    // the pool is final only once every account with debt is settled: the LP who funded the
    // vault still owes its loan
    await expect(ch.openRedemption()).to.be.revertedWithCustomError(ch, "Settlement__NotWoundDown");
    const paid =
      (await settleAll(lab, [lab.lp, lab.deployer, lab.carol])) + (await pooledDebt(lab, [alice, bob]));

    await expect(ch.openRedemption()).to.emit(ch, "RedemptionScheduled");
    await expect(ch.openRedemption()).to.be.revertedWithCustomError(
      ch,
      "Settlement__RedemptionAlreadyScheduled",
    );
    // every claim: the debt paid into the pool and the deficit the vault's credit did not heal
    const claims = await ch.redemptionClaimsLeft();
    expect(claims).to.equal(paid + (await ch.deficitWad()));
    await expect(ch.connect(bob).redeem(wad("1000"), bob.address)).to.be.revertedWithCustomError(
      ch,
      "Settlement__RedemptionNotOpen",
    );
    await networkHelpers.time.increase(86_400);
    const supply = await sys.stablecoin.totalSupply();
    const pool = await ch.redemptionPool(weth.address);
    await send(ch.connect(bob).redeem(wad("1000"), bob.address));
    const out = (pool * wad("1000")) / claims;
    expect(await weth.token.balanceOf(bob.address)).to.equal(out);
    expect(await ch.redemptionPool(weth.address)).to.equal(pool - out);
    expect(await sys.stablecoin.totalSupply()).to.equal(supply - wad("1000"));
    // the next redeemer gets the same rate per unit
    const pool2 = await ch.redemptionPool(weth.address);
    await send(ch.connect(alice).redeem(wad("1000"), alice.address));
    const out2 = (pool2 * wad("1000")) / (claims - wad("1000"));
    expect(await weth.token.balanceOf(alice.address)).to.equal(out2);
    expect(out2).to.be.closeTo(out, 1n);
  });

  it("the redemption rate is fixed when redemption opens: neither the order of redeemers nor credit minted later moves it", async function () {
    const lab = await settledLab();
    const { ch, sys, alice, carol, weth, networkHelpers } = lab;
    // carol holds credit only: alice repaid 2,000 of her own debt on carol's account
    await send(sys.stablecoin.connect(alice).approve(lab.chAddr, wad("2000")));
    await send(ch.connect(alice).repay(carol.address, wad("2000")));
    await lab.settle();
    await settleAll(lab, [alice, lab.bob, lab.lp, lab.deployer, carol]);
    await send(ch.openRedemption());
    await networkHelpers.time.increase(86_400);
    const claims = await ch.redemptionClaimsLeft();
    const pool = await ch.redemptionPool(weth.address);
    // alice redeems first, while carol's claim is still credit: alice gets her share, not the pool
    await send(ch.connect(alice).redeem(wad("2000"), alice.address));
    const aliceOut = await weth.token.balanceOf(alice.address);
    expect(aliceOut).to.equal((pool * wad("2000")) / claims);
    expect(aliceOut).to.be.lessThan(pool / 2n);
    // carol mints her credit afterwards and redeems it at the same rate
    await send(ch.connect(carol).withdrawCredit(carol.address, wad("2000"), carol.address));
    await send(ch.connect(carol).redeem(wad("2000"), carol.address));
    expect(await weth.token.balanceOf(carol.address)).to.be.closeTo(aliceOut, 1n);
    // a redemption above the claims left is refused, and changes nothing
    const left = await ch.redemptionClaimsLeft();
    await expect(ch.connect(lab.bob).redeem(left + 1n, lab.bob.address))
      .to.be.revertedWithCustomError(ch, "Settlement__ClaimsExceeded")
      .withArgs(left + 1n, left);
  });

  it("redemption opens at opensAt exactly, REDEMPTION_DELAY after openRedemption, not a second later", async function () {
    const lab = await settledLab();
    const { ch, alice, weth, networkHelpers } = lab;
    await lab.settle();
    await settleAll(lab, [alice, lab.bob, lab.lp, lab.deployer, lab.carol]);
    await send(ch.openRedemption());
    const opensAt = await ch.redemptionOpensAt();
    expect(opensAt).to.equal(BigInt(await networkHelpers.time.latest()) + 86_400n);
    const claims = await ch.redemptionClaimsLeft();
    const pool = await ch.redemptionPool(weth.address);

    await networkHelpers.time.setNextBlockTimestamp(opensAt - 1n);
    await expect(ch.connect(alice).redeem(wad("1000"), alice.address))
      .to.be.revertedWithCustomError(ch, "Settlement__RedemptionNotOpen")
      .withArgs(opensAt);
    await networkHelpers.time.setNextBlockTimestamp(opensAt);
    const out = (pool * wad("1000")) / claims;
    await expect(ch.connect(alice).redeem(wad("1000"), alice.address))
      .to.emit(ch, "Redeemed")
      .withArgs(alice.address, weth.address, wad("1000"), claims, out);
  });

  it("an account not settled yet can take neither its collateral (debt still owed) nor its credit (positions still open)", async function () {
    const lab = await settledLab();
    const { ch, sys, bob, carol, weth } = lab;
    // carol: an open position and credit (bob repaid 500 on her account, which owed nothing)
    await lab.depositFor(carol, weth, "10");
    await send(ch.connect(carol).modifyPosition(carol.address, weth.address, wad("1"), wad("3000")));
    await send(sys.stablecoin.connect(bob).approve(lab.chAddr, wad("500")));
    await send(ch.connect(bob).repay(carol.address, wad("500")));
    const carolCredit = await ch.creditOf(carol.address);
    expect(carolCredit).to.be.greaterThan(0n);
    const carolCoin = await sys.stablecoin.balanceOf(carol.address);
    await lab.settle();

    // bob owes 14,000 and holds no position: his WETH belongs to the pool first
    const bobCollateral = await ch.collateralOf(bob.address, weth.address);
    await expect(ch.connect(bob).withdrawSettled(bob.address, weth.address, 1n, bob.address))
      .to.be.revertedWithCustomError(ch, "Settlement__AccountNotSettled")
      .withArgs(bob.address);
    // carol's position is not closed at the settlement price yet: its loss comes off the credit first
    await expect(ch.connect(carol).withdrawCredit(carol.address, 1n, carol.address))
      .to.be.revertedWithCustomError(ch, "Settlement__AccountNotSettled")
      .withArgs(carol.address);
    expect(await ch.collateralOf(bob.address, weth.address)).to.equal(bobCollateral);
    expect(await ch.creditOf(carol.address)).to.equal(carolCredit);
    expect(await sys.stablecoin.balanceOf(carol.address)).to.equal(carolCoin);
  });

  it("a settled account's credit can be minted and redeemed", async function () {
    const lab = await settledLab();
    const { ch, sys, carol, bob } = lab;
    // carol holds credit only (bob repaid on her behalf)
    await send(sys.stablecoin.connect(bob).approve(lab.chAddr, wad("500")));
    await send(ch.connect(bob).repay(carol.address, wad("500")));
    await lab.settle();
    await send(ch.settleAccount(carol.address));
    await expect(
      ch.connect(bob).withdrawCredit(carol.address, wad("500"), bob.address),
    ).to.be.revertedWithCustomError(ch, "Clearinghouse__NotAuthorized");
    await send(ch.connect(carol).withdrawCredit(carol.address, wad("500"), carol.address));
    expect(await sys.stablecoin.balanceOf(carol.address)).to.equal(wad("500"));
    expect(await ch.creditOf(carol.address)).to.equal(0n);
  });

  // ---------------------------------------------------------------- settlement prices (ADR 0015)

  it("an asset whose feed fails at settlement is not valued at the router's old last good price: what needs it waits for its first ok read (ADR 0015)", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, bob, carol, keeper, weth, wbtc, networkHelpers } = lab;
    await lab.fundVault("200000");
    // alice: long 2 WETH at about 2,000; bob: 10 WETH against 14,000 of debt; carol: WETH and
    // WBTC, a debt her WBTC alone pays
    await lab.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("4000"), alice.address));
    await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("2"), wad("3000")));
    await lab.depositFor(bob, weth, "10");
    await send(ch.connect(bob).borrow(bob.address, wad("14000"), bob.address));
    await lab.depositFor(carol, weth, "10");
    await lab.depositFor(carol, wbtc, "1");
    await send(ch.connect(carol).borrow(carol.address, wad("5000"), carol.address));
    // the market halves and nobody pokes the router: every fill and health check reads the feed
    // (a view), and the router's last good price stays the deployment's poke, 2,000
    const feed = weth.feed!;
    await send(feed.updateAnswer(1_000n * 10n ** 8n));
    expect((await ch.health(bob.address, false)).healthFactorWad).to.be.lessThan(WAD);
    const [lastGood, lastGoodAt] = await sys.oracle.lastGoodPrice(weth.address);
    expect(lastGood).to.equal(wad("2000"));
    await networkHelpers.time.increase(3 * 86_400);
    const data = sys.breaker.interface.encodeFunctionData("settle");
    const target = await sys.breaker.getAddress();
    const delay = await sys.timelock.getMinDelay();
    await send(sys.timelock.schedule(target, 0n, data, b32(""), b32("settle"), delay));
    await networkHelpers.time.increase(delay);
    // at settlement WBTC's feed answers, WETH's fails (answers 0)
    await lab.setPrice(wbtc, "40000");
    await send(feed.updateAnswer(0n));
    const tx = await sys.timelock.execute(target, 0n, data, b32(""), b32("settle"));
    const settledAt = BigInt(await networkHelpers.time.latest());
    // WETH's fallback, the last good price of five days ago, is no settlement price
    expect(settledAt - lastGoodAt).to.be.greaterThan(5n * 86_400n);
    await expect(tx).to.emit(sys.breaker, "SettlementPricePending").withArgs(weth.address, wad("2000"));
    await expect(tx)
      .to.emit(sys.breaker, "SettlementPriceRecorded")
      .withArgs(wbtc.address, wad("40000"), settledAt);
    expect(await sys.breaker.settlementPrice(weth.address)).to.equal(0n);

    // what needs WETH's price waits: bob's debt (his WETH would pay it at 2,000, half of it at
    // the market) and alice's long; nothing is written off against collateral the owner keeps
    const bobCollateral = await ch.collateralOf(bob.address, weth.address);
    const vaultCredit = await ch.creditOf(await sys.vault.getAddress());
    for (const who of [bob, alice]) {
      await expect(ch.settleAccount(who.address))
        .to.be.revertedWithCustomError(ch, "Settlement__NoSettlementPrice")
        .withArgs(weth.address);
    }
    expect(await ch.collateralOf(bob.address, weth.address)).to.equal(bobCollateral);
    expect(await ch.creditOf(await sys.vault.getAddress())).to.equal(vaultCredit);
    // what does not need it settles: carol's WBTC pays her debt, her WETH stays hers
    await send(ch.settleAccount(carol.address));
    expect(await ch.debtOf(carol.address)).to.equal(0n);
    expect(await ch.collateralOf(carol.address, weth.address)).to.equal(wad("10"));
    expect(await ch.redemptionPool(weth.address)).to.equal(0n);

    // the price is the first ok read after settlement, recorded by anyone, once
    await expect(sys.breaker.connect(keeper).recordSettlementPrice(weth.address))
      .to.be.revertedWithCustomError(sys.breaker, "CircuitBreaker__SettlementPriceNotOk")
      .withArgs(weth.address, wad("2000"));
    await send(feed.updateAnswer(1_000n * 10n ** 8n));
    const record = await sys.breaker.connect(keeper).recordSettlementPrice(weth.address);
    await expect(record)
      .to.emit(sys.breaker, "SettlementPriceRecorded")
      .withArgs(weth.address, wad("1000"), await networkHelpers.time.latest());
    expect(await sys.breaker.settlementPrice(weth.address)).to.equal(wad("1000"));
    await expect(sys.breaker.recordSettlementPrice(weth.address))
      .to.be.revertedWithCustomError(sys.breaker, "CircuitBreaker__SettlementPriceRecorded")
      .withArgs(weth.address, wad("1000"));
    await expect(sys.breaker.recordSettlementPrice(wbtc.address))
      .to.be.revertedWithCustomError(sys.breaker, "CircuitBreaker__SettlementPriceRecorded")
      .withArgs(wbtc.address, wad("40000"));

    // bob's 10 WETH at 1,000 pay 10,000 of his debt, the rest is bad debt (at 2,000, 7 WETH
    // would have paid it all and 3 gone back to him); alice's long closes at 1,000
    const bobDebt = await ch.debtOf(bob.address);
    const settled = eventsOf(
      await (await ch.settleAccount(bob.address)).wait(),
      ch.interface,
      "AccountSettled",
    );
    expect(settled[0].args.badDebtWad).to.equal(bobDebt - wad("10000"));
    expect(await ch.collateralOf(bob.address, weth.address)).to.equal(0n);
    expect(await ch.redemptionPool(weth.address)).to.equal(wad("10"));
    const closed = eventsOf(
      await (await ch.settleAccount(alice.address)).wait(),
      ch.interface,
      "PositionModified",
    );
    expect([closed[0].args.sizeDeltaWad, closed[0].args.fillPriceWad]).to.deep.equal([
      -wad("2"),
      wad("1000"),
    ]);
  });

  // ---------------------------------------------------------------- the backstop vault's LPs

  it("the vault's LPs redeem their share of its credit once every account is settled, with no request (audit: stranded LP credit)", async function () {
    const lab = await settledLab();
    const { ch, sys, alice, bob, carol, lp, deployer, wbtc, weth, networkHelpers } = lab;
    const vault = sys.vault;
    const vaultAddr = await vault.getAddress();
    // carol is a second LP; the first requested half before settlement (ignored afterwards)
    await lab.depositFor(carol, wbtc, "10");
    await send(ch.connect(carol).borrow(carol.address, wad("50000"), carol.address));
    await send(sys.stablecoin.connect(carol).approve(vaultAddr, wad("50000")));
    await send(vault.connect(carol).deposit(wad("50000"), carol.address));
    await send(vault.connect(lp).requestWithdraw((await vault.balanceOf(lp.address)) / 2n));
    await lab.settle();

    // deposits are closed; while positions and debts are not settled the vault's claim waits
    expect(await vault.maxDeposit(carol.address)).to.equal(0n);
    const lpShares = await vault.balanceOf(lp.address);
    const before = await snapshotVault(lab);
    expect(await vault.maxRedeem(lp.address)).to.equal(0n);
    expect(await vault.maxWithdraw(lp.address)).to.equal(0n);
    await expect(vault.connect(lp).redeem(lpShares, lp.address, lp.address)).to.be.revertedWithCustomError(
      vault,
      "BackstopVault__WindDownPending",
    );
    await expect(vault.connect(lp).withdraw(wad("1"), lp.address, lp.address)).to.be.revertedWithCustomError(
      vault,
      "BackstopVault__WindDownPending",
    );
    // the ledger refuses the vault's credit too (the vault itself), and anyone else outright
    const asVault = await impersonate(lab, vaultAddr);
    await expect(ch.connect(asVault).withdrawCredit(vaultAddr, wad("1"), lp.address))
      .to.be.revertedWithCustomError(ch, "Settlement__NotWoundDown")
      .withArgs(await ch.totalDebtWad(), 0n, 1n);
    await expect(ch.connect(bob).withdrawCredit(vaultAddr, wad("1"), bob.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__NotAuthorized")
      .withArgs(bob.address, vaultAddr);
    expect(await snapshotVault(lab)).to.deep.equal(before);

    // every account with debt or a position settled (permissionless): the ledger is wound down
    const paid = await settleAll(lab, [alice, bob, carol, lp, deployer]);
    expect(await ch.totalDebtWad()).to.equal(0n);
    expect((await ch.marketState(weth.address)).longOpenInterestWad).to.equal(0n);
    const credit = await ch.creditOf(vaultAddr);
    const deficit = await ch.deficitWad();
    expect(deficit).to.equal(0n);
    expect(await vault.totalAssets()).to.equal(credit - deficit);
    // I1 after settlement: supply + credits - (debts + auction debt + deficit) is the debt paid
    // into the redemption pool (up to the ledger's rounding in its favour)
    const gap = await booksGap(lab);
    expect(gap).to.be.lessThanOrEqual(paid);
    expect(paid - gap).to.be.lessThan(10n ** 6n);
    // the audit's case: the vault's credit now reaches withdrawCredit
    await ch.connect(asVault).withdrawCredit.staticCall(vaultAddr, wad("1"), lp.address);

    // the first LP's whole balance, pro rata, though only half was requested and no cooldown ran
    const supply = await vault.totalSupply();
    const lpAssets = assetsFor(lpShares, credit, supply);
    expect(await vault.maxRedeem(lp.address)).to.equal(lpShares);
    expect(await vault.previewRedeem(lpShares)).to.equal(lpAssets);
    const tx = vault.connect(lp).redeem(lpShares, lp.address, lp.address);
    await expect(tx)
      .to.emit(vault, "Withdraw")
      .withArgs(lp.address, lp.address, lp.address, lpAssets, lpShares);
    await expect(tx).to.emit(ch, "CreditWithdrawn").withArgs(vaultAddr, lp.address, lpAssets);
    expect(await sys.stablecoin.balanceOf(lp.address)).to.equal(lpAssets);
    expect(await ch.creditOf(vaultAddr)).to.equal(credit - lpAssets);
    expect(await booksGap(lab)).to.equal(gap); // I1: credit to supply, both sides unchanged

    // the second LP by assets (withdraw): the same rate per share
    const carolShares = await vault.balanceOf(carol.address);
    const carolAssets = await vault.maxWithdraw(carol.address);
    await send(vault.connect(carol).withdraw(carolAssets, carol.address, carol.address));
    expect((carolAssets * lpShares) / carolShares).to.be.closeTo(lpAssets, 2n);
    expect(await booksGap(lab)).to.equal(gap);
    // what is left is the seed's (dead shares) and the rounding's
    const dead = await vault.balanceOf("0x000000000000000000000000000000000000dEaD");
    expect(await ch.creditOf(vaultAddr)).to.be.closeTo((lpAssets * dead) / lpShares, wad("0.0001"));

    // the LP's stablecoin is a claim on the pool like any other; the claims openRedemption fixes
    // are the debt paid into the pool (no deficit): every stablecoin and every credit left
    await send(ch.openRedemption());
    const claims = await ch.redemptionClaimsLeft();
    expect(claims).to.equal(paid);
    expect(claims).to.be.greaterThanOrEqual(await sys.stablecoin.totalSupply());
    await networkHelpers.time.increase(86_400);
    const pool = await ch.redemptionPool(weth.address);
    await send(ch.connect(lp).redeem(lpAssets, lp.address));
    expect(await weth.token.balanceOf(lp.address)).to.equal((pool * lpAssets) / claims);
    expect(await ch.redemptionClaimsLeft()).to.equal(claims - lpAssets);
  });

  it("the vault's claim is its credit less the deficit: credit the vault earned after the deficit covers it first", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, bob, lp, deployer, weth } = lab;
    const vault = sys.vault;
    const vaultAddr = await vault.getAddress();
    await lab.fundVault("1000"); // 2,000 with the seed
    await lab.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("4000"), alice.address));
    await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("4"), wad("3000")));
    await lab.depositFor(bob, weth, "10");
    await send(ch.connect(bob).borrow(bob.address, wad("14000"), bob.address));
    await lab.setPrice(weth, "1000");
    await settleSystem(lab);

    // bob's bad debt (14,000 against 10 WETH at 1,000) takes the vault's credit, then the deficit
    await send(ch.settleAccount(bob.address));
    expect(await ch.creditOf(vaultAddr)).to.equal(0n);
    const deficit = await ch.deficitWad();
    expect(deficit).to.be.greaterThan(wad("1000"));
    expect(await vault.totalAssets()).to.equal(0n);
    // alice's long lost ~4,000 to the vault: its credit grows back above the deficit
    await settleAll(lab, [alice, lp, deployer]);
    const credit = await ch.creditOf(vaultAddr);
    expect(credit).to.be.greaterThan(deficit);
    expect(await ch.deficitWad()).to.equal(deficit);
    const claim = credit - deficit;
    expect(await vault.totalAssets()).to.equal(claim);

    // the vault cannot take the part that backs the deficit
    const asVault = await impersonate(lab, vaultAddr);
    await expect(ch.connect(asVault).withdrawCredit(vaultAddr, claim + 1n, lp.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__InsufficientVaultCredit")
      .withArgs(claim + 1n, claim);
    const gap = await booksGap(lab);
    const shares = await vault.balanceOf(lp.address);
    const assets = assetsFor(shares, claim, await vault.totalSupply());
    await expect(vault.connect(lp).redeem(shares + 1n, lp.address, lp.address))
      .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
      .withArgs(lp.address, shares + 1n, shares);
    await send(vault.connect(lp).redeem(shares, lp.address, lp.address));
    expect(await sys.stablecoin.balanceOf(lp.address)).to.equal(assets);
    expect(await booksGap(lab)).to.equal(gap);
    // the deficit stays backed by the vault's credit: only the seed's share is above it
    const left = await ch.creditOf(vaultAddr);
    expect(left).to.be.greaterThanOrEqual(deficit);
    expect(left - deficit).to.be.closeTo(claim - assets, 1n);
  });
});

type Lab = Awaited<ReturnType<typeof deployLab>>;

/** Global settlement through the timelock, at WETH's current price. */
async function settleSystem(lab: Lab) {
  const { sys, deployer, networkHelpers } = lab;
  const data = sys.breaker.interface.encodeFunctionData("settle");
  const target = await sys.breaker.getAddress();
  const delay = await sys.timelock.getMinDelay();
  await send(sys.timelock.connect(deployer).schedule(target, 0n, data, b32(""), b32("settle"), delay));
  await networkHelpers.time.increase(delay);
  await refreshFeeds(lab);
  await send(sys.timelock.connect(deployer).execute(target, 0n, data, b32(""), b32("settle")));
}

/** Every mock feed answers again at its current price (a new round, updated now). */
async function refreshFeeds(lab: Lab) {
  for (const a of lab.sys.assets) {
    const [, answer] = await a.feed!.latestRoundData();
    await send(a.feed!.updateAnswer(answer));
  }
}

/** Settles each account; returns the debt their collateral paid into the pool. */
/** The debt paid into the pool by the settlements already done of `accounts` (their events). */
async function pooledDebt(lab: Lab, accounts: { address: string }[]): Promise<bigint> {
  let paid = 0n;
  const filter = lab.ch.filters.AccountSettled();
  for (const e of await lab.ch.queryFilter(filter)) {
    if (accounts.some((a) => a.address === e.args.account)) paid += e.args.debtWad - e.args.badDebtWad;
  }
  return paid;
}

async function settleAll(lab: Lab, accounts: { address: string }[]): Promise<bigint> {
  let paid = 0n;
  for (const a of accounts) {
    const receipt = await (await lab.ch.settleAccount(a.address)).wait();
    for (const e of eventsOf(receipt, lab.ch.interface, "AccountSettled")) {
      paid += (e.args.debtWad as bigint) - (e.args.badDebtWad as bigint);
    }
  }
  return paid;
}

/** I1's two sides apart: supply + credits - (debts + auction debt + deficit). */
async function booksGap(lab: Lab): Promise<bigint> {
  const others = [lab.deployer, lab.alice, lab.bob, lab.carol, lab.keeper, lab.bidder, lab.lp];
  const books = await lab.books(others.map((s) => s.address));
  return books.liabilities - books.assets;
}

/** The vault's conversion (OpenZeppelin ERC-4626, decimals offset 6), rounded down. */
function assetsFor(shares: bigint, totalAssets: bigint, supply: bigint): bigint {
  return (shares * (totalAssets + 1n)) / (supply + 10n ** 6n);
}

async function impersonate(lab: Lab, address: string) {
  await lab.networkHelpers.impersonateAccount(address);
  await lab.networkHelpers.setBalance(address, 10n ** 18n);
  return lab.ethers.getSigner(address);
}

async function snapshotVault(lab: Lab) {
  const vaultAddr = await lab.sys.vault.getAddress();
  return [
    await lab.ch.creditOf(vaultAddr),
    await lab.sys.vault.totalSupply(),
    await lab.sys.vault.balanceOf(lab.lp.address),
    await lab.sys.stablecoin.totalSupply(),
  ];
}
