import { expect } from "chai";

import { b32 } from "../../../scripts/deploy/system.js";

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
import { mulDivDown, mulDivUp } from "../../../simulations/math/wad.js";
import { eventsOf } from "../../helpers/events.js";
import { RAY } from "../../helpers/ledger.js";
import { WAD, deployLab, send, wad } from "../../helpers/system.js";

type Lab = Awaited<ReturnType<typeof deployLab>>;

/** `who` borrows 14,000 on 10 WETH, close to the initial limit at 2,000: under water at 1,600. */
async function borrower(lab: Lab, who: Lab["alice"]): Promise<void> {
  await lab.depositFor(who, lab.weth, "10");
  await send(lab.ch.connect(who).borrow(who.address, wad("14000"), who.address));
}

/** Alice as `borrower`, the vault funded, then WETH's fall to 1,600. */
async function underwater(mutate?: Parameters<typeof deployLab>[0]) {
  const lab = await deployLab(mutate);
  await lab.fundVault("50000");
  await borrower(lab, lab.alice);
  await lab.setPrice(lab.weth, "1600");
  return lab;
}

/**
 * The guardian lowers a lower-is-safer parameter of `module` to `value`, one allowed step (the
 * rule's max step, half the value registered) a block.
 */
async function guardianLower(lab: Lab, module: string, name: string, subject: string, value: bigint) {
  const { sys, deployer } = lab;
  const target = await (module === "engine" ? sys.engine : sys.breaker).getAddress();
  const param = b32(name);
  const rc = sys.riskConfig.connect(deployer);
  const { maxStep } = await rc.ruleOf(target, param, subject);
  const at = await lab.ethers.getContractAt("IParamTarget", target);
  let current = await at.getParam(param, subject);
  while (current > value) {
    const next = current - maxStep > value ? current - maxStep : value;
    await send(rc.setParam(target, param, subject, next));
    current = next;
  }
}

/** Lowers the engine's per-window capacity to `target` in the guardian's allowed steps. */
async function tightenWindow(lab: Lab, target: bigint): Promise<void> {
  await guardianLower(lab, "engine", "WINDOW_CAPACITY_WAD", ZERO_ADDRESS, target);
}

/**
 * Runs `set` as the RiskConfig itself (each module's only parameter setter): a value within the
 * module's hard bounds, without RiskConfig's per-update step, for a test's setup.
 */
async function asRiskConfig(
  lab: Lab,
  set: (riskConfig: Awaited<ReturnType<Lab["ethers"]["getSigner"]>>) => Promise<void>,
) {
  const rc = await lab.sys.riskConfig.getAddress();
  await lab.networkHelpers.impersonateAccount(rc);
  await lab.networkHelpers.setBalance(rc, 10n ** 20n);
  await set(await lab.ethers.getSigner(rc));
  await lab.networkHelpers.stopImpersonatingAccount(rc);
}

describe("LiquidationEngine", function () {
  describe("liquidate", function () {
    it("refuses a healthy account and changes nothing", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, weth } = lab;
      await lab.depositFor(alice, weth, "10");
      await send(ch.connect(alice).borrow(alice.address, wad("5000"), alice.address));
      const debtBefore = await ch.debtOf(alice.address);
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__NotLiquidatable")
        .withArgs(alice.address, (hf: bigint) => hf > wad("3"));
      expect(await ch.debtOf(alice.address)).to.equal(debtBefore);
      expect(await sys.auction.kicks()).to.equal(0n);
    });

    it("seizes only what restores the target health and starts one auction", async function () {
      const lab = await underwater();
      const { ch, sys, alice, keeper, weth } = lab;
      const before = await ch.health(alice.address, false);
      expect(before.healthFactorWad).to.be.lessThan(WAD);
      const debtBefore = await ch.debtOf(alice.address);
      const collBefore = await ch.collateralOf(alice.address, weth.address);

      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.emit(
        sys.engine,
        "Liquidated",
      );
      expect(await sys.auction.kicks()).to.equal(1n);
      const a = await sys.auction.auctions(1n);
      const penalty = await sys.engine.getParam(b32("PENALTY_WAD"), "0x" + "00".repeat(20));
      expect(a.account).to.equal(alice.address);
      expect(a.tabWad).to.equal((a.debtWad * (WAD + penalty) + WAD - 1n) / WAD);
      // the lot is worth the tab at the oracle price (rounded up), and left the account
      expect(a.lot).to.equal((a.tabWad * WAD + wad("1600") - 1n) / wad("1600"));
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(collBefore - a.lot);
      // the debt moved into the auction
      expect(await ch.auctionDebtWad()).to.equal(a.debtWad);
      // (plus one block of stability fee)
      expect(await ch.debtOf(alice.address)).to.be.closeTo(debtBefore - a.debtWad, wad("0.01"));
      // partial: the account is back at the target, not emptied
      const after = await ch.health(alice.address, false);
      const target = await sys.engine.getParam(b32("TARGET_HEALTH_WAD"), "0x" + "00".repeat(20));
      expect(after.healthFactorWad).to.be.greaterThanOrEqual(target - wad("0.001"));
      expect(after.healthFactorWad).to.be.lessThan(target + wad("0.01"));
      expect(await ch.collateralOf(alice.address, weth.address)).to.be.greaterThan(0n);
      // the keeper earned the kick reward (below the penalty) as credit
      expect(await ch.creditOf(keeper.address)).to.equal(
        await sys.auction.keeperReward(weth.address, a.tabWad),
      );
      const books = await lab.books([alice.address, keeper.address]);
      expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
      expect(books.assets - books.liabilities).to.be.lessThan(10n);
    });

    it("a partial seizure removes the account's normalized debt rounded down: the debt left is exact to the wei (I10)", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, weth } = lab;
      await lab.fundVault("50000");
      await lab.depositFor(alice, weth, "10");
      const borrowWad = wad("14000");
      await send(ch.connect(alice).borrow(alice.address, borrowWad, alice.address));
      // the stability fee runs: the index is above one RAY and uneven, read in the borrow's block
      const indexAtBorrow = await ch.rateIndexRay();
      expect(indexAtBorrow > RAY, "index above one").to.equal(true);
      const normalized = mulDivUp(borrowWad, RAY, indexAtBorrow);
      await lab.setPrice(weth, "1600");

      const receipt = await (
        await sys.engine.connect(keeper).liquidate(alice.address, keeper.address)
      ).wait();
      const [seized] = eventsOf(receipt, ch.interface, "CollateralSeized");
      const debtWad = seized.args.debtWad as bigint;
      const index = await ch.rateIndexRay(); // the index the seizure used (same block)
      const owed = mulDivUp(normalized, index, RAY);
      expect(debtWad > 0n && debtWad < owed, "a partial seizure").to.equal(true);
      // the amounts make the rounding direction visible
      expect((debtWad * RAY) % index !== 0n, "debt not a whole number of normalized units").to.equal(true);
      const expected = mulDivUp(normalized - mulDivDown(debtWad, RAY, index), index, RAY);
      expect(expected - mulDivUp(normalized - mulDivUp(debtWad, RAY, index), index, RAY) >= 1n).to.equal(
        true,
      );
      expect(await ch.debtOf(alice.address)).to.equal(expected);
      expect(await ch.auctionDebtWad()).to.equal(debtWad);
    });

    it("a full take pays the tab, returns the rest of the lot and credits the penalty to the vault", async function () {
      const lab = await underwater();
      const { ch, sys, alice, keeper, bidder, weth, networkHelpers } = lab;
      await lab.fundBidder("100000");
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      const a = await sys.auction.auctions(1n);
      const collLeft = await ch.collateralOf(alice.address, weth.address);
      const vaultAddr = await sys.vault.getAddress();
      const vaultCreditBefore = await ch.creditOf(vaultAddr);
      await networkHelpers.time.increase(300);
      const [, price] = await sys.auction.getStatus(1n);
      const supplyBefore = await sys.stablecoin.totalSupply();
      await expect(sys.auction.connect(bidder).take(1n, a.lot, price * 2n, bidder.address, "0x")).to.emit(
        ch,
        "AuctionSettled",
      );
      expect(await ch.auctionDebtWad()).to.equal(0n);
      expect(await sys.stablecoin.totalSupply()).to.equal(supplyBefore - a.tabWad);
      // penalty to the vault (plus a few seconds of stability fee)
      const vaultGain = (await ch.creditOf(vaultAddr)) - vaultCreditBefore;
      expect(vaultGain).to.be.greaterThanOrEqual(a.tabWad - a.debtWad);
      expect(vaultGain).to.be.lessThan(a.tabWad - a.debtWad + wad("5"));
      // the bidder got collateral; the account got the leftover back
      const bought = await weth.token.balanceOf(bidder.address);
      expect(bought).to.be.greaterThan(0n);
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(collLeft + a.lot - bought);
      const books = await lab.books([alice.address, keeper.address, bidder.address]);
      expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    });

    it("a lot sold below the debt charges the rest back to an account that still holds collateral", async function () {
      const lab = await underwater();
      const { ch, sys, alice, keeper, bidder, networkHelpers } = lab;
      await lab.fundBidder("100000");
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      const a = await sys.auction.auctions(1n);
      const debtBefore = await ch.debtOf(alice.address);
      await networkHelpers.time.setNextBlockTimestamp(a.startTime + 3_000n); // ~ 1,760 x (1 - 3000/7200)
      const tx = await sys.auction.connect(bidder).take(1n, a.lot, wad("2000"), bidder.address, "0x");
      const receipt = await tx.wait();
      const [take] = eventsOf(receipt, sys.auction.interface, "Take");
      const covered = take.args.debtCoveredWad as bigint;
      expect(take.args.oweWad as bigint).to.be.lessThan(a.debtWad); // the lot did not cover the debt
      await expect(tx)
        .to.emit(ch, "AuctionSettled")
        .withArgs(1n, alice.address, lab.weth.address, 0n, a.debtWad - covered, 0n);
      expect(await ch.auctionDebtWad()).to.equal(0n);
      expect(await ch.deficitWad()).to.equal(0n);
      const charged = (await ch.debtOf(alice.address)) - debtBefore;
      // plus 3,000 s of stability fee on the account's own debt
      expect(charged).to.be.closeTo(a.debtWad - covered, wad("0.05"));
    });

    it("bad debt: whole liquidation, lot gone, the waterfall takes the vault's credit then records deficit", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, bidder, weth, networkHelpers } = lab;
      await borrower(lab, alice);
      await lab.fundBidder("100000");
      await lab.setPrice(weth, "1000"); // collateral 10,000 < debt 14,000: target out of reach
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.emit(sys.engine, "Liquidated")
        .withArgs(
          alice.address,
          keeper.address,
          (x: bigint) => x < WAD,
          0n,
          1n,
          (x: bigint) => x > 0n,
          0n,
          true,
        );
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
      expect(await ch.debtOf(alice.address)).to.equal(0n);
      const a = await sys.auction.auctions(1n);
      await networkHelpers.time.increase(1_000);
      const [, price] = await sys.auction.getStatus(1n);
      const vaultAddr = await sys.vault.getAddress();
      const vaultCredit = await ch.creditOf(vaultAddr);
      const tx = sys.auction.connect(bidder).take(1n, a.lot, price, bidder.address, "0x");
      await expect(tx).to.emit(ch, "BadDebtCovered");
      expect(await ch.auctionDebtWad()).to.equal(0n);
      const deficit = await ch.deficitWad();
      // the vault's seed credit (1,000) is far below the shortfall: the rest is deficit
      expect(vaultCredit).to.be.lessThan(wad("5000"));
      expect(deficit).to.be.greaterThan(0n);
      expect(await ch.creditOf(vaultAddr)).to.be.lessThan(wad("1"));
      const books = await lab.books([alice.address, keeper.address, bidder.address]);
      expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
      expect(books.assets - books.liabilities).to.be.lessThan(wad("0.001"));
    });

    /** A whole liquidation of Alice's only collateral at 1,500, then a take of the whole lot
     *  at the time its price makes the proceeds `oweOf(debt, tab)`. */
    async function wholeLotSold(oweOf: (debtWad: bigint, tabWad: bigint) => bigint) {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, bidder, weth, networkHelpers } = lab;
      await borrower(lab, alice);
      await lab.fundBidder("100000");
      await lab.setPrice(weth, "1400"); // 14,000 of collateral against 14,000 of debt: whole
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
      const a = await sys.auction.auctions(1n);
      const owe = oweOf(a.debtWad, a.tabWad);
      // linear curve (tau 7,200 s): the first second at which the whole lot costs at most `owe`
      const priceWad = (owe * WAD) / a.lot;
      const elapsed = (7_200n * (a.startPriceWad - priceWad) + a.startPriceWad - 1n) / a.startPriceWad;
      await networkHelpers.time.setNextBlockTimestamp(a.startTime + elapsed);
      const vaultAddr = await sys.vault.getAddress();
      const creditBefore = await ch.creditOf(vaultAddr);
      const tx = await sys.auction.connect(bidder).take(1n, a.lot, a.startPriceWad, bidder.address, "0x");
      const receipt = await tx.wait();
      const [take] = eventsOf(receipt, sys.auction.interface, "Take");
      const paid = take.args.oweWad as bigint;
      const income = (await ch.creditOf(vaultAddr)) - creditBefore;
      return { lab, a, tx, receipt, paid, income };
    }

    it("bad debt: a last payment above the debt covers it before the penalty, so no bad debt is booked", async function () {
      const { lab, a, tx, receipt, paid, income } = await wholeLotSold((d, t) => (d + t) / 2n);
      const { ch, sys, alice } = lab;
      expect(paid).to.be.greaterThan(a.debtWad);
      expect(paid).to.be.lessThan(a.tabWad);
      // pro rata the payment covered paid x debt / tab < debt: the auction ends with debt left
      const [ended] = eventsOf(receipt, sys.auction.interface, "AuctionEnded");
      expect(ended.args.debtLeftWad as bigint).to.be.greaterThan(0n);
      // the ledger covers it out of the same payment's penalty share: nothing to the waterfall
      await expect(tx)
        .to.emit(ch, "AuctionSettled")
        .withArgs(1n, alice.address, lab.weth.address, 0n, 0n, 0n);
      await expect(tx).not.to.emit(ch, "BadDebtCovered");
      expect(await ch.auctionDebtWad()).to.equal(0n);
      expect(await ch.deficitWad()).to.equal(0n);
      // the vault keeps what the payment brought beyond the debt (as it did when the same amount
      // was booked as income and as bad debt), plus the stability fee accrued meanwhile on the
      // bidder's own debt
      expect(income).to.be.closeTo(paid - a.debtWad, wad("1"));
      const books = await lab.books([alice.address, lab.keeper.address, lab.bidder.address]);
      expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    });

    it("bad debt: a last payment below the debt books exactly the shortfall, and no penalty income", async function () {
      const { lab, a, tx, receipt, paid, income } = await wholeLotSold((d) => (d * 8n) / 10n);
      const { ch, alice } = lab;
      expect(paid).to.be.lessThan(a.debtWad);
      const [settled] = eventsOf(receipt, ch.interface, "AuctionSettled");
      expect(settled.args.badDebtWad as bigint).to.equal(a.debtWad - paid);
      const [covered] = eventsOf(receipt, ch.interface, "BadDebtCovered");
      expect((covered.args.fromVaultWad as bigint) + (covered.args.toDeficitWad as bigint)).to.equal(
        a.debtWad - paid,
      );
      await expect(tx).to.emit(ch, "AuctionSettled");
      // the vault paid the shortfall out of its credit and earned nothing on the payment (plus
      // the stability fee accrued meanwhile on the bidder's own debt)
      expect(income).to.be.closeTo(-(covered.args.fromVaultWad as bigint), wad("1"));
      expect(await ch.auctionDebtWad()).to.equal(0n);
      const books = await lab.books([alice.address, lab.keeper.address, lab.bidder.address]);
      expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    });

    it("closes perp positions against the vault with the penalty, and pays the keeper its share", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, weth } = lab;
      await lab.fundVault("200000");
      await lab.depositFor(alice, weth, "5");
      await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("20"), wad("3000")));
      // the first price (25 apart) that takes maintenance health below 1: equity is left
      let price = 2_000;
      for (; ; price -= 25) {
        await lab.setPrice(weth, String(price));
        if ((await ch.health(alice.address, false)).healthFactorWad < WAD) break;
      }
      const tx = sys.engine.connect(keeper).liquidate(alice.address, keeper.address);
      await expect(tx).to.emit(ch, "PositionLiquidated");
      // equity is left after the close: the whole penalty is charged
      await expect(tx).not.to.emit(ch, "PerpPenaltyWaived");
      expect((await ch.positionOf(alice.address, weth.address)).sizeWad).to.equal(0n);
      const share = await sys.engine.getParam(b32("PERP_KEEPER_SHARE_WAD"), "0x" + "00".repeat(20));
      expect(share).to.be.greaterThan(0n);
      expect(await ch.creditOf(keeper.address)).to.be.greaterThan(0n);
    });

    it("charges the perp penalty only down to zero haircut equity: no bad debt from it, no keeper share of what is waived", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, weth } = lab;
      await lab.fundVault("200000");
      await lab.depositFor(alice, weth, "5");
      await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("20"), wad("3000")));
      await lab.setPrice(weth, "1000"); // the long's loss is far beyond the collateral
      const tx = await sys.engine.connect(keeper).liquidate(alice.address, keeper.address);
      const receipt = await tx.wait();
      const events = eventsOf(receipt, ch.interface);
      const penalty = events
        .filter((e) => e.name === "PositionLiquidated")
        .reduce((sum, e) => sum + (e.args.penaltyWad as bigint), 0n);
      expect(penalty).to.be.greaterThan(0n);
      // the account cannot pay any of it: all of it is waived, so none reaches the keeper
      await expect(tx).to.emit(ch, "PerpPenaltyWaived").withArgs(alice.address, penalty);
      expect(events.some((e) => e.name === "KeeperPaid")).to.equal(false);
      expect(await ch.creditOf(keeper.address)).to.equal(0n);
      // the books still balance (I1)
      const books = await lab.books([alice.address, keeper.address]);
      expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    });

    it("judges the Clearinghouse's own health: two collaterals and a perp on one of them", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, keeper, weth, wbtc, networkHelpers } = lab;
      await lab.fundVault("200000");
      await lab.depositFor(alice, weth, "5");
      await lab.depositFor(alice, wbtc, "0.1");
      await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("20"), wad("3000")));
      await lab.setPrice(weth, "1500");
      // the view on the pending block, the liquidation in that block: the same fee and funding
      const t = BigInt(await networkHelpers.time.latest()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      const h = await ch.health(alice.address, false, { blockTag: "pending" });
      expect(h.healthFactorWad).to.be.lessThan(WAD);
      expect(h.requirementWad).to.be.greaterThan(0n);
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.emit(sys.engine, "Liquidated")
        .withArgs(
          alice.address,
          keeper.address,
          h.healthFactorWad,
          1n,
          (n: bigint) => n <= 2n,
          (d: bigint) => d >= 0n,
          0n,
          (w: boolean) => typeof w === "boolean",
        );
      expect(BigInt(await networkHelpers.time.latest())).to.equal(t);
    });

    it("writes off debt that has no collateral behind it (credit-margined perp losses)", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, bob, keeper, weth } = lab;
      await lab.fundVault("200000");
      // bob repays on alice's behalf: alice has 2,000 of credit and no collateral
      await lab.depositFor(bob, weth, "10");
      await send(ch.connect(bob).borrow(bob.address, wad("3000"), bob.address));
      await send(sys.stablecoin.connect(bob).approve(await ch.getAddress(), wad("2000")));
      await send(ch.connect(bob).repay(alice.address, wad("2000")));
      expect(await ch.creditOf(alice.address)).to.equal(wad("2000"));
      await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("5"), wad("3000")));
      await lab.setPrice(weth, "1500"); // loss 2,500 > credit
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.emit(
        ch,
        "BadDebtCovered",
      );
      expect(await ch.debtOf(alice.address)).to.equal(0n);
      expect((await ch.positionOf(alice.address, weth.address)).sizeWad).to.equal(0n);
    });

    it("the circuit breaker at level 2 pauses new liquidations", async function () {
      const lab = await underwater();
      const { sys, alice, keeper, deployer } = lab;
      await send(sys.breaker.connect(deployer).raiseGlobal(2, b32("TEST")));
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__Paused")
        .withArgs("0x" + "00".repeat(20), 2);
    });

    it("an asset at breaker level 2 is not seized (the auction is not asked again); other assets' accounts still are", async function () {
      const lab = await underwater();
      const { ch, sys, alice, bob, keeper, deployer, weth, wbtc } = lab;
      // bob: WBTC only, under water after a fall of WBTC
      await lab.depositFor(bob, wbtc, "1");
      const [, btcAnswer] = await wbtc.feed!.latestRoundData();
      const btcUsd = btcAnswer / 10n ** BigInt(wbtc.feedDecimals);
      await send(ch.connect(bob).borrow(bob.address, (wad(btcUsd.toString()) * 70n) / 100n, bob.address));
      await lab.setPrice(wbtc, ((btcUsd * 75n) / 100n).toString());
      expect((await ch.health(bob.address, false)).healthFactorWad).to.be.lessThan(WAD);

      await send(sys.breaker.connect(deployer).raiseAsset(weth.address, 2, b32("TEST")));
      const debtBefore = await ch.debtOf(alice.address);
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__Paused")
        .withArgs(weth.address, 2);
      expect(await ch.debtOf(alice.address)).to.equal(debtBefore);
      expect(await sys.auction.kicks()).to.equal(0n);
      // WBTC is not paused: bob is liquidated, one auction of WBTC
      await send(sys.engine.connect(keeper).liquidate(bob.address, keeper.address));
      expect(await sys.auction.kicks()).to.equal(1n);
      expect((await sys.auction.auctions(1n)).token).to.equal(wbtc.address);
    });

    it("the per-window capacity caps a liquidation; the rest waits", async function () {
      const lab = await underwater();
      const { sys, alice, keeper } = lab;
      // the guardian may tighten at once: the window capacity down to 5,000 (in steps)
      const name = b32("WINDOW_CAPACITY_WAD");
      await tightenWindow(lab, wad("5000"));
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).to.emit(
        sys.engine,
        "CapHit",
      );
      expect((await sys.auction.auctions(1n)).debtWad).to.equal(wad("5000"));
      const [, used] = await sys.engine.window();
      expect(used).to.equal(wad("5000"));
      // the window is full: nothing more now
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__CapReached")
        .withArgs(name);
    });

    it("the window rolls over after WINDOW_SECONDS: a batch stopped by another cap is not stopped by the old window", async function () {
      const lab = await underwater();
      const { ch, sys, alice, bob, keeper, weth } = lab;
      await lab.setPrice(weth, "2000");
      await borrower(lab, bob);
      await lab.setPrice(weth, "1600"); // both under water
      await tightenWindow(lab, wad("5000"));
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      const [startedAt, used] = await sys.engine.window();
      expect(used).to.equal(wad("5000")); // full

      // one window later (and a fresh price): the view starts a new, empty window
      await lab.networkHelpers.time.increase(3_600);
      await lab.setPrice(weth, "1600");
      for (const a of [alice, bob])
        expect((await ch.health(a.address, false)).healthFactorWad).to.be.lessThan(WAD);
      const [startedNext, usedNext] = await sys.engine.window();
      expect(usedNext).to.equal(0n);
      expect(startedNext).to.be.greaterThanOrEqual(startedAt + 3_600n);

      // the WETH tab cap now leaves no room: each account of the batch is cut to nothing (CapHit),
      // and the batch must go on past the first (the caps are not exhausted: the window rolled)
      const cap = b32("ASSET_TAB_CAP_WAD");
      await guardianLower(
        lab,
        "engine",
        "ASSET_TAB_CAP_WAD",
        weth.address,
        await sys.auction.tabInFlightWad(weth.address),
      );
      const batch = [alice.address, bob.address];
      expect(await sys.engine.liquidateBatch.staticCall(batch, keeper.address)).to.equal(2n);
      const receipt = await (await sys.engine.liquidateBatch(batch, keeper.address)).wait();
      const hits = eventsOf(receipt, sys.engine.interface, "CapHit");
      expect(hits.map((e): [string, string] => [String(e.args.account), String(e.args.cap)])).to.deep.equal([
        [alice.address, cap],
        [bob.address, cap],
      ]);
      expect(await sys.auction.kicks()).to.equal(1n);
      // nothing seized: the rolled window stays in memory only, the view still reads it as empty
      expect((await sys.engine.window())[1]).to.equal(0n);
    });

    it("a capped whole liquidation takes the most haircut collateral first and leaves the account no less healthy", async function () {
      // WETH with a small haircut listed first, WBTC with a large one second
      const lab = await deployLab((params) => {
        params.assets[0].margin.haircutBase = "0.05";
        params.assets[1].margin.haircutBase = "0.4";
      });
      const { ch, sys, alice, keeper, weth, wbtc } = lab;
      await lab.fundVault("100000");
      await lab.depositFor(alice, weth, "10");
      await lab.depositFor(alice, wbtc, "0.5");
      await send(ch.connect(alice).borrow(alice.address, wad("24000"), alice.address));
      // both fall 40%: far enough under water that the target is out of reach (whole)
      await lab.setPrice(weth, "1200");
      await lab.setPrice(wbtc, "24000");
      await tightenWindow(lab, wad("15000"));
      const before = await ch.health(alice.address, false);
      expect(before.healthFactorWad).to.be.lessThan(WAD);

      const receipt = await (
        await sys.engine.connect(keeper).liquidate(alice.address, keeper.address)
      ).wait();
      // WBTC (the larger haircut) went first and whole; WETH got what the window had left
      const kicked = eventsOf(receipt, sys.auction.interface, "Kick").map((k) => ({
        token: k.args.token as string,
        lot: k.args.lot as bigint,
      }));
      expect(kicked.map((k) => k.token)).to.deep.equal([wbtc.address, weth.address]);
      expect(kicked[0].lot).to.equal(10n ** 8n / 2n);
      expect(kicked[1].lot).to.be.lessThan(wad("10"));
      expect(await ch.collateralOf(alice.address, wbtc.address)).to.equal(0n);
      const after = await ch.health(alice.address, false);
      expect(after.debtWad).to.be.greaterThan(0n);
      expect(after.healthFactorWad).to.be.greaterThan(before.healthFactorWad);
    });

    it("a capped partial liquidation also takes the most haircut collateral first and leaves the account no less healthy (I7)", async function () {
      // WETH (haircut 5%: each unit of debt seized takes 1.1 x 0.95 = 1.045 of weighted
      // collateral, more than the account's health) listed first; WBTC (40%: 0.66) second
      const lab = await deployLab((params) => {
        params.assets[0].margin.haircutBase = "0.05";
        params.assets[1].margin.haircutBase = "0.4";
      });
      const { ch, sys, alice, keeper, weth, wbtc, networkHelpers } = lab;
      await lab.fundVault("100000");
      await lab.setPrice(wbtc, "40000");
      await lab.depositFor(alice, weth, "1");
      await lab.depositFor(alice, wbtc, "1");
      await send(ch.connect(alice).borrow(alice.address, wad("15000"), alice.address));
      await lab.setPrice(weth, "2000");
      await lab.setPrice(wbtc, "20000"); // health about 0.93
      const before = await ch.health(alice.address, false);
      expect(before.healthFactorWad).to.be.lessThan(WAD);
      const kickedTokens = (receipt: Awaited<ReturnType<typeof waitFor>>) =>
        eventsOf(receipt, sys.auction.interface, "Kick").map((e) => e.args.token as string);
      const waitFor = async () =>
        (await sys.engine.connect(keeper).liquidate(alice.address, keeper.address)).wait();

      // uncapped, the plan is partial over both: all of WETH (it cannot reach the target alone),
      // then part of WBTC; seized most haircut first
      const snapshot = await networkHelpers.takeSnapshot();
      const uncapped = await waitFor();
      const [result] = eventsOf(uncapped, sys.engine.interface, "Liquidated");
      expect(result.args.whole).to.equal(false);
      expect(kickedTokens(uncapped)).to.deep.equal([wbtc.address, weth.address]);
      await snapshot.restore();

      // the window takes 2,000 of debt: WBTC is cut, and nothing else goes. In listing order WETH
      // would have gone whole first (about 1,818 of debt) and lowered the health to about 0.91
      await tightenWindow(lab, wad("2000"));
      const capped = await waitFor();
      expect(kickedTokens(capped)).to.deep.equal([wbtc.address]);
      expect(
        eventsOf(capped, sys.engine.interface, "CapHit").map((e) => e.args.token as string),
      ).to.deep.equal([wbtc.address]);
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(wad("1"));
      const after = await ch.health(alice.address, false);
      expect(after.healthFactorWad).to.be.greaterThan(before.healthFactorWad);
    });

    it("self-liquidation does not pay: the owner as keeper earns no reward and pays the penalty", async function () {
      const lab = await underwater();
      const { ch, sys, alice, bidder, weth, networkHelpers } = lab;
      await lab.fundBidder("100000");
      const creditBefore = await ch.creditOf(alice.address);
      // alice names herself keeper: the engine pays no keeper (session 12; before, the reward,
      // below the penalty, came back to her)
      const tx = sys.engine.connect(alice).liquidate(alice.address, alice.address);
      await expect(tx).to.not.emit(ch, "KeeperPaid");
      await expect(tx)
        .to.emit(sys.auction, "Kick")
        .withArgs(
          1n,
          alice.address,
          weth.address,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
          (x: bigint) => x > 0n,
          ZERO_ADDRESS,
          0n,
        );
      expect(await ch.creditOf(alice.address)).to.equal(creditBefore);
      // the lot sells at ~ the oracle price: she paid the whole penalty
      const a = await sys.auction.auctions(1n);
      await networkHelpers.time.setNextBlockTimestamp(a.startTime + 600n);
      await send(sys.auction.connect(bidder).take(1n, a.lot, wad("2000"), bidder.address, "0x"));
      expect(a.tabWad - a.debtWad).to.be.greaterThan(wad("100"));
    });

    it("an insolvent account liquidating itself earns no kick reward either", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, weth } = lab;
      await borrower(lab, alice);
      await lab.setPrice(weth, "1000"); // collateral 10,000 < debt 14,000
      const debtBefore = await ch.debtOf(alice.address);
      const tx = sys.engine.connect(alice).liquidate(alice.address, alice.address);
      await expect(tx).to.not.emit(ch, "KeeperPaid");
      await expect(tx)
        .to.emit(sys.auction, "Kick")
        .withArgs(
          (x: bigint) => x > 0n,
          alice.address,
          weth.address,
          wad("10"),
          (x: bigint) => x > wad("10000"),
          (x: bigint) => x >= debtBefore,
          (x: bigint) => x > 0n,
          ZERO_ADDRESS,
          0n,
        );
      expect(await ch.creditOf(alice.address)).to.equal(0n);
    });

    it("a second liquidation of the same account right after is refused (healthy at the target)", async function () {
      const lab = await underwater();
      const { sys, alice, keeper } = lab;
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      await expect(
        sys.engine.connect(keeper).liquidate(alice.address, keeper.address),
      ).to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__NotLiquidatable");
      expect(await sys.auction.kicks()).to.equal(1n);
    });

    it("refuses to liquidate on a failing oracle; a running auction can still be taken", async function () {
      const lab = await underwater();
      const { ch, sys, alice, bob, keeper, bidder, weth, networkHelpers } = lab;
      await lab.fundBidder("100000");
      await lab.depositFor(bob, weth, "10");
      await send(ch.connect(bob).borrow(bob.address, wad("11000"), bob.address));
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      await lab.setPrice(weth, "0"); // a broken feed: the router reports not ok
      await networkHelpers.time.increase(60);
      await expect(sys.engine.connect(keeper).liquidate(bob.address, keeper.address))
        .to.be.revertedWithCustomError(ch, "Clearinghouse__OracleUnhealthy")
        .withArgs(weth.address);
      // takes do not read the oracle: the price is the auction's own curve
      const a = await sys.auction.auctions(1n);
      await send(sys.auction.connect(bidder).take(1n, a.lot, wad("5000"), bidder.address, "0x"));
      expect(await ch.auctionDebtWad()).to.equal(0n);
    });

    it("a capped whole liquidation of an account whose short is in profit leaves it no less healthy (I7, ADR 0008)", async function () {
      // the invariant campaign's finding: the profitable short's PnL, realized against the debt
      // by the close, used to count as an asset before and to shrink the debt after, so the
      // ratio fell; netted against the balance it moves only by the requirement and the penalty
      const lab = await deployLab();
      const { ch, sys, alice, keeper, weth } = lab;
      await lab.fundVault("200000");
      await lab.depositFor(alice, weth, "10");
      await send(ch.connect(alice).modifyPosition(alice.address, weth.address, -wad("4"), 0n));
      const init = await ch.health(alice.address, true);
      await send(
        ch
          .connect(alice)
          .borrow(alice.address, ((init.equityWad - init.requirementWad) * 99n) / 100n, alice.address),
      );
      await lab.setPrice(weth, "1100");
      await guardianLower(lab, "engine", "ASSET_TAB_CAP_WAD", weth.address, wad("3000"));
      const before = await ch.health(alice.address, false);
      expect(before.pnlWad > 0n && before.debtWad > 0n).to.equal(true);
      expect(before.healthFactorWad).to.be.lessThan(WAD);
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.emit(sys.engine, "Liquidated")
        .withArgs(
          alice.address,
          keeper.address,
          (hf: bigint) => hf < WAD,
          1n,
          1n,
          (d: bigint) => d > 0n,
          0n,
          true,
        );
      const after = await ch.health(alice.address, false);
      // capped: the account keeps collateral and debt
      expect(after.debtWad > 0n && after.weightedCollateralWad > 0n).to.equal(true);
      expect(after.healthFactorWad).to.be.greaterThanOrEqual(before.healthFactorWad);
    });

    it("the per-asset tab cap bounds the tab in flight", async function () {
      const lab = await underwater();
      const { sys, alice, keeper, weth } = lab;
      const name = b32("ASSET_TAB_CAP_WAD");
      // the guardian tightens the cap to 3,000 in allowed steps
      await guardianLower(lab, "engine", "ASSET_TAB_CAP_WAD", weth.address, wad("3000"));
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.emit(sys.engine, "CapHit")
        .withArgs(
          alice.address,
          weth.address,
          name,
          (x: bigint) => x > wad("3000"),
          (x: bigint) => x <= wad("3000"),
        );
      expect(await sys.auction.tabInFlightWad(weth.address)).to.be.lessThanOrEqual(wad("3000"));
      await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
        .to.be.revertedWithCustomError(sys.engine, "LiquidationEngine__CapReached")
        .withArgs(name);
    });

    it("only the engine moves the books, only the auction settles", async function () {
      const lab = await underwater();
      const { ch, alice, keeper, weth } = lab;
      await expect(ch.connect(keeper).seize(alice.address, weth.address, 0n, 1n, 1n, keeper.address, 1n))
        .to.be.revertedWithCustomError(ch, "Clearinghouse__NotLiquidationEngine")
        .withArgs(keeper.address);
      await expect(
        ch.connect(keeper).liquidationBegin(alice.address, 0n, keeper.address, 0n, 0n),
      ).to.be.revertedWithCustomError(ch, "Clearinghouse__NotLiquidationEngine");
      await expect(ch.connect(keeper).writeOff(alice.address)).to.be.revertedWithCustomError(
        ch,
        "Clearinghouse__NotLiquidationEngine",
      );
      await expect(ch.connect(keeper).sendCollateral(weth.address, keeper.address, 1n))
        .to.be.revertedWithCustomError(ch, "Clearinghouse__NotAuction")
        .withArgs(keeper.address);
      await expect(ch.connect(keeper).payKeeper(keeper.address, wad("1"))).to.be.revertedWithCustomError(
        ch,
        "Clearinghouse__NotAuction",
      );
      await expect(
        ch.connect(keeper).onAuctionTake({
          auctionId: 1n,
          account: alice.address,
          token: weth.address,
          payer: keeper.address,
          receiver: keeper.address,
          slice: 1n,
          paidWad: 1n,
          debtCoveredWad: 1n,
          ends: true,
          lotLeft: 1n,
          debtLeftWad: 1n,
        }),
      ).to.be.revertedWithCustomError(ch, "Clearinghouse__NotAuction");
    });

    it("seize refuses a collateral index that is not the token's (ADR 0010), even from the engine", async function () {
      const lab = await underwater();
      const { ch, sys, alice, keeper, weth, wbtc, ethers, networkHelpers } = lab;
      const engineAddr = await sys.engine.getAddress();
      await networkHelpers.setBalance(engineAddr, WAD);
      const engine = await ethers.getImpersonatedSigner(engineAddr);
      const before = await ch.collateralOf(alice.address, weth.address);
      // WETH is index 0, WBTC index 1; 16 is past the last index
      for (const [token, index] of [
        [weth.address, 1n],
        [wbtc.address, 0n],
        [weth.address, 16n],
      ] as const) {
        await expect(ch.connect(engine).seize(alice.address, token, index, 1n, 1n, keeper.address, 0n))
          .to.be.revertedWithCustomError(ch, "Clearinghouse__UnknownCollateral")
          .withArgs(token);
      }
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(before);
    });

    it("batch quote cache: a later batch or liquidation in the same transaction reads fresh prices", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, bob, carol, weth, networkHelpers, ethers } = lab;
      await lab.fundVault("50000");
      for (const s of [alice, bob, carol]) {
        await lab.depositFor(s, weth, "10");
        await send(ch.connect(s).borrow(s.address, wad("14000"), s.address));
      }
      await lab.setPrice(weth, "1600");
      const batcher = await ethers.deployContract("MockLiquidationBatcher");
      // reference: the maintenance health of bob and carol at 1,500 (then back to 1,600)
      const aliceAt1600 = (await ch.health(alice.address, false)).healthFactorWad;
      const snap = await networkHelpers.takeSnapshot();
      await lab.setPrice(weth, "1500");
      const bobAt1500 = (await ch.health(bob.address, false)).healthFactorWad;
      const carolAt1500 = (await ch.health(carol.address, false)).healthFactorWad;
      await snap.restore();
      expect(bobAt1500).to.be.lessThan(aliceAt1600);

      const tx = await batcher.batchMoveBatch(
        await sys.engine.getAddress(),
        [alice.address],
        weth.feed!.getAddress(),
        ethers.parseUnits("1500", weth.feedDecimals),
        await sys.oracle.getAddress(),
        weth.address,
        [bob.address],
        carol.address,
      );
      const receipt = await tx.wait();
      const seen = new Map<string, bigint>();
      for (const log of receipt?.logs ?? []) {
        const parsed = sys.engine.interface.parseLog(log);
        if (parsed?.name === "Liquidated")
          seen.set(parsed.args.account as string, parsed.args.healthFactorWad as bigint);
      }
      // the references were read a few blocks earlier: equal up to those blocks' stability fee
      expect(seen.get(alice.address)).to.be.closeTo(aliceAt1600, wad("0.0001"));
      expect(seen.get(bob.address)).to.be.closeTo(bobAt1500, wad("0.0001"));
      expect(seen.get(carol.address)).to.be.closeTo(carolAt1500, wad("0.0001"));
      // far from what the first batch's cached 1,600 quote would give
      expect(aliceAt1600 - bobAt1500).to.be.greaterThan(wad("0.01"));
    });

    it("batch: liquidates the liquidatable, skips the healthy", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, bob, carol, keeper, weth } = lab;
      for (const s of [alice, bob]) await borrower(lab, s);
      await lab.depositFor(carol, weth, "10");
      await send(ch.connect(carol).borrow(carol.address, wad("1000"), carol.address));
      await lab.setPrice(weth, "1600");
      const n = await sys.engine.liquidateBatch.staticCall(
        [alice.address, carol.address, bob.address],
        keeper.address,
      );
      expect(n).to.equal(2n);
      await send(sys.engine.liquidateBatch([alice.address, carol.address, bob.address], keeper.address));
      expect(await sys.auction.kicks()).to.equal(2n);
      expect(await ch.debtOf(carol.address)).to.be.greaterThanOrEqual(wad("1000"));
    });
  });

  describe("a market at breaker level 2 or 3", function () {
    for (const level of [2, 3]) {
      it(`refuses to close a position in it (level ${level}): the liquidation reverts, a batch skips the account`, async function () {
        const lab = await deployLab();
        const { ch, sys, alice, keeper, deployer, weth, wbtc } = lab;
        await lab.fundVault("200000");
        // WBTC collateral (level 0), a WETH long under water
        await lab.depositFor(alice, wbtc, "0.1");
        await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("5"), wad("3000")));
        await lab.setPrice(weth, "1200");
        expect((await ch.health(alice.address, false)).healthFactorWad).to.be.lessThan(WAD);
        await send(sys.breaker.connect(deployer).raiseAsset(weth.address, level, b32("WRONG_PRICE")));

        await expect(sys.engine.connect(keeper).liquidate(alice.address, keeper.address))
          .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
          .withArgs(weth.address, level);
        const receipt = await (await sys.engine.liquidateBatch([alice.address], keeper.address)).wait();
        expect(eventsOf(receipt, sys.engine.interface, "Liquidated")).to.have.length(0);
        expect((await ch.positionOf(alice.address, weth.address)).sizeWad).to.equal(wad("5"));
        expect(await ch.collateralOf(alice.address, wbtc.address)).to.equal(10n ** 7n);
      });
    }
  });

  describe("the account as its own keeper", function () {
    async function twoCollateralBorrower() {
      const lab = await deployLab();
      const { ch, alice, weth, wbtc } = lab;
      await lab.fundVault("50000");
      // 170 USD of collateral after the drop, half WETH half WBTC; debt 150: a whole plan (dust)
      await lab.depositFor(alice, weth, "0.053125");
      await lab.depositFor(alice, wbtc, "0.00265625");
      await send(ch.connect(alice).borrow(alice.address, wad("150"), alice.address));
      await lab.setPrice(weth, "1600");
      await lab.setPrice(wbtc, "32000");
      expect((await ch.health(alice.address, false)).healthFactorWad).to.be.lessThan(WAD);
      return lab;
    }

    it("earns no kick reward, and a whole plan over two collaterals goes through (it reverted: the first reward repaid debt the second seizure asked for)", async function () {
      const lab = await twoCollateralBorrower();
      const { ch, sys, alice, keeper, networkHelpers } = lab;
      const snapshot = await networkHelpers.takeSnapshot();
      await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
      expect(await sys.auction.kicks()).to.equal(2n);
      expect(await ch.creditOf(keeper.address)).to.be.greaterThan(0n);
      await snapshot.restore();

      const creditBefore = await ch.creditOf(alice.address);
      const receipt = await (await sys.engine.connect(alice).liquidate(alice.address, alice.address)).wait();
      expect(await sys.auction.kicks()).to.equal(2n);
      expect(eventsOf(receipt, ch.interface, "KeeperPaid")).to.have.length(0);
      expect(await ch.creditOf(alice.address)).to.equal(creditBefore);
    });

    it("a batch whose keeper is one of its accounts liquidates them all", async function () {
      const lab = await twoCollateralBorrower();
      const { ch, sys, alice, bob, weth } = lab;
      await lab.depositFor(bob, weth, "10");
      await lab.setPrice(weth, "2000");
      await send(ch.connect(bob).borrow(bob.address, wad("14000"), bob.address));
      await lab.setPrice(weth, "1600");
      const receipt = await (
        await sys.engine.connect(alice).liquidateBatch([alice.address, bob.address], alice.address)
      ).wait();
      const liquidated = eventsOf(receipt, sys.engine.interface, "Liquidated").map(
        (e) => e.args.account as string,
      );
      expect(liquidated).to.deep.equal([alice.address, bob.address]);
      // bob's kick rewards went to alice, none of hers
      expect(
        eventsOf(receipt, ch.interface, "KeeperPaid").every((e) => e.args.keeper === alice.address),
      ).to.equal(true);
    });
  });

  it("a batch stops when a deficit it records raises the global level to 2 (as a single liquidation would be refused)", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, carol, keeper, weth, wbtc, signers, ethers } = lab;
    const [eve, bert] = [signers[7], signers[8]];
    // governance sets the deficit trigger to level 2 (within its bounds 1..3)
    await asRiskConfig(lab, (rc) =>
      send(sys.breaker.connect(rc).setParam(b32("LEVEL_DEFICIT"), ethers.ZeroAddress, 2n)),
    );
    // alice and carol: WETH borrowers under water at 1,600; bert: a WBTC-backed short whose close
    // pays more profit than the vault's credit (eve's long keeps the skew near zero)
    for (const who of [alice, carol]) {
      await lab.depositFor(who, weth, "10");
      await send(ch.connect(who).borrow(who.address, wad("14000"), who.address));
    }
    await lab.depositFor(eve, wbtc, "10");
    await lab.depositFor(bert, wbtc, "1");
    await send(ch.connect(bert).borrow(bert.address, wad("30000"), bert.address));
    for (const [who, size] of [
      [eve, "2"],
      [bert, "-4"],
      [eve, "3"],
      [bert, "-1"],
    ] as const) {
      await send(
        ch
          .connect(who)
          .modifyPosition(who.address, weth.address, wad(size), size.startsWith("-") ? 0n : wad("3000")),
      );
    }
    await lab.setPrice(weth, "1600");
    await lab.setPrice(wbtc, "32000");
    expect(await sys.breaker.globalLevel()).to.equal(0n);

    const carolCollateral = await ch.collateralOf(carol.address, weth.address);
    const receipt = await (
      await sys.engine.liquidateBatch([alice.address, bert.address, carol.address], keeper.address)
    ).wait();
    expect(eventsOf(receipt, ch.interface, "DeficitRecorded").length).to.be.greaterThan(0);
    expect(await sys.breaker.globalLevel()).to.equal(2n);
    const liquidated = eventsOf(receipt, sys.engine.interface, "Liquidated").map(
      (e) => e.args.account as string,
    );
    expect(liquidated).to.include(alice.address).and.not.include(carol.address);
    expect(await ch.collateralOf(carol.address, weth.address)).to.equal(carolCollateral);
  });

  it("a batch skips the accounts after a kick's keeper reward raised the global level to 2 (the ledger refuses them in a batch)", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, bob, keeper, weth, ethers } = lab;
    // the deficit trigger at level 2, a 5% kick reward (below the 10% penalty): the first kick's
    // reward exceeds the vault's seed credit
    await asRiskConfig(lab, async (rc) => {
      await send(sys.breaker.connect(rc).setParam(b32("LEVEL_DEFICIT"), ethers.ZeroAddress, 2n));
      await send(sys.auction.connect(rc).setParam(b32("TIP_WAD"), weth.address, 0n));
      await send(sys.auction.connect(rc).setParam(b32("CHIP_WAD"), weth.address, wad("0.05")));
    });
    const [wethPrice] = await sys.oracle.getPrice(weth.address);
    for (const who of [alice, bob]) {
      await lab.depositFor(who, weth, "50");
      await send(ch.connect(who).borrow(who.address, 25n * wethPrice, who.address));
    }
    await send(ch.connect(bob).modifyPosition(bob.address, weth.address, wad("1"), (wethPrice * 11n) / 10n));
    await lab.setPrice(weth, ethers.formatUnits((wethPrice * 57n) / 100n, 18));
    expect(await sys.breaker.globalLevel()).to.equal(0n);

    const receipt = await (
      await sys.engine.connect(keeper).liquidateBatch([alice.address, bob.address], keeper.address)
    ).wait();
    expect(eventsOf(receipt, ch.interface, "DeficitRecorded").length).to.be.greaterThan(0);
    expect(await sys.breaker.globalLevel()).to.equal(2n);
    const liquidated = eventsOf(receipt, sys.engine.interface, "Liquidated").map(
      (e) => e.args.account as string,
    );
    expect(liquidated).to.deep.equal([alice.address]);
    // bob untouched: his long open, his collateral his
    expect((await ch.positionOf(bob.address, weth.address)).sizeWad).to.equal(wad("1"));
    expect(await ch.collateralOf(bob.address, weth.address)).to.equal(wad("50"));
  });

  describe("batch: each asset read once and reported once", function () {
    /** The debt a liquidation of `account` alone would seize now (run and rolled back). */
    async function debtSeizedAlone(lab: Lab, account: string): Promise<bigint> {
      const { sys, keeper, networkHelpers } = lab;
      const snapshot = await networkHelpers.takeSnapshot();
      await send(sys.engine.connect(keeper).liquidate(account, keeper.address));
      const debtWad = (await sys.auction.auctions(1n)).debtWad;
      await snapshot.restore();
      return debtWad;
    }

    it("reports a batch's seized debt per asset once, at its end: the window holds the sum separate reports would", async function () {
      const lab = await deployLab();
      const { sys, alice, bob, keeper, weth } = lab;
      await lab.fundVault("50000");
      for (const s of [alice, bob]) await borrower(lab, s);
      await lab.setPrice(weth, "1600");
      const receipt = await (
        await sys.engine.liquidateBatch([alice.address, bob.address], keeper.address)
      ).wait();
      const seized = (await sys.auction.auctions(1n)).debtWad + (await sys.auction.auctions(2n)).debtWad;
      const reports = eventsOf(receipt, sys.breaker.interface, "LiquidationReported");
      expect(
        reports.map((e): [string, bigint, bigint] => [
          e.args.asset as string,
          e.args.debtWad as bigint,
          e.args.windowDebtWad as bigint,
        ]),
      ).to.deep.equal([[weth.address, seized, seized]]);
      expect((await sys.breaker.liquidationWindow(weth.address))[1]).to.equal(seized);
      expect(await sys.breaker.assetLevel(weth.address)).to.equal(0n);
    });

    it("the seizure that takes the velocity window beyond capacity reports at once: the asset's level rises and the batch's later accounts of it are not seized", async function () {
      const lab = await deployLab();
      const { ch, sys, alice, bob, carol, keeper, weth } = lab;
      await lab.fundVault("50000");
      for (const s of [alice, bob, carol]) await borrower(lab, s);
      await lab.setPrice(weth, "1600");
      const each = await debtSeizedAlone(lab, alice.address); // the three accounts are alike
      // capacity 1.5 liquidations: alice's seizure stays within it, bob's goes beyond
      await guardianLower(lab, "breaker", "VELOCITY_CAPACITY_WAD", weth.address, (each * 3n) / 2n);
      expect(await sys.breaker.liquidationStatusOf(weth.address)).to.deep.equal([
        0n,
        false,
        (each * 3n) / 2n,
      ]);
      const carolCollateral = await ch.collateralOf(carol.address, weth.address);

      const batch = [alice.address, bob.address, carol.address];
      const receipt = await (await sys.engine.liquidateBatch(batch, keeper.address)).wait();
      expect(await sys.auction.kicks()).to.equal(2n);
      expect((await sys.auction.auctions(2n)).account).to.equal(bob.address);
      const seized = (await sys.auction.auctions(1n)).debtWad + (await sys.auction.auctions(2n)).debtWad;
      expect(seized).to.be.greaterThan((each * 3n) / 2n);
      // one report, at bob's seizure, with both debts: the breaker raised WETH to LEVEL_VELOCITY (2)
      const reports = eventsOf(receipt, sys.breaker.interface, "LiquidationReported");
      expect(
        reports.map((e): [string, bigint] => [e.args.asset as string, e.args.debtWad as bigint]),
      ).to.deep.equal([[weth.address, seized]]);
      expect(await sys.breaker.assetLevel(weth.address)).to.equal(2n);
      expect((await sys.breaker.liquidationWindow(weth.address))[1]).to.equal(seized);
      expect(await sys.breaker.liquidationStatusOf(weth.address)).to.deep.equal([2n, false, 0n]);
      // carol, after the crossing: paused, nothing taken
      expect(await ch.collateralOf(carol.address, weth.address)).to.equal(carolCollateral);
    });

    it("a write-off whose bad debt raises the global level to 2 stops the rest of the batch, even an asset it read before", async function () {
      // any bad debt is above the vault's share: LEVEL_BAD_DEBT (2) at the write-off's system check
      const lab = await deployLab((params) => {
        params.breaker.badDebtShare = "0";
      });
      const { ch, sys, alice, bob, carol, bidder, keeper, weth } = lab;
      await lab.fundVault("200000");
      for (const s of [carol, bidder]) await borrower(lab, s);
      // alice: 2,000 of credit (repaid for her by bob), no collateral, a long that loses more
      await lab.depositFor(bob, weth, "10");
      await send(ch.connect(bob).borrow(bob.address, wad("3000"), bob.address));
      await send(sys.stablecoin.connect(bob).approve(await ch.getAddress(), wad("2000")));
      await send(ch.connect(bob).repay(alice.address, wad("2000")));
      await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("5"), wad("3000")));
      await lab.setPrice(weth, "1500");
      const bidderCollateral = await ch.collateralOf(bidder.address, weth.address);

      // carol's seizure reads WETH's level (0) first; then alice's write-off; then bidder
      const receipt = await (
        await sys.engine.liquidateBatch([carol.address, alice.address, bidder.address], keeper.address)
      ).wait();
      expect(eventsOf(receipt, ch.interface, "BadDebtCovered")).to.have.length(1);
      expect(await sys.breaker.globalLevel()).to.equal(2n);
      expect(await sys.auction.kicks()).to.equal(1n);
      expect((await sys.auction.auctions(1n)).account).to.equal(carol.address);
      expect(await ch.collateralOf(bidder.address, weth.address)).to.equal(bidderCollateral);
      expect((await ch.health(bidder.address, false)).healthFactorWad).to.be.lessThan(WAD); // still under water
    });
  });
});
