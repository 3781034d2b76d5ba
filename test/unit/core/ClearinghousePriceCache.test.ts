/**
 * The ledger's price cache (ADR 0006): `refreshPrices` copies the oracle's prices into the
 * ledger; for `PRICE_MAX_AGE_SECONDS` after it, initial-margin checks value assets at those
 * prices; fills and maintenance health (liquidation) always read the oracle; a failed read caches
 * nothing; an age bound of 0 turns the cache off.
 */
import { expect } from "chai";

import { eventsOf } from "../../helpers/events.js";
import { deployLedger, newPricedToken, WAD, ZERO, type Ledger } from "../../helpers/ledger.js";

const MAX_AGE = 60n;

/** Alice: 10 WETH (2,000) and 1 WBTC (40,000): 48,000 of initial borrowing power at 20% haircut. */
async function withAlice(maxAgeSeconds = MAX_AGE): Promise<Ledger> {
  const l = await deployLedger();
  await l.setParam("PRICE_MAX_AGE_SECONDS", ZERO, maxAgeSeconds);
  await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
  await l.ch.connect(l.alice).deposit(l.alice.address, l.wbtcAddr, 10n ** 8n);
  return l;
}

describe("Clearinghouse price cache (ADR 0006)", function () {
  describe("PRICE_MAX_AGE_SECONDS", function () {
    it("is 0 until set, bounded to one hour, set only by the risk config", async function () {
      const l = await deployLedger();
      const name = await l.ch.PRICE_MAX_AGE_SECONDS();
      expect(await l.ch.getParam(name, ZERO)).to.equal(0n);
      expect(await l.ch.paramBounds(name)).to.deep.equal([0n, 3600n]);
      await expect(l.setParam("PRICE_MAX_AGE_SECONDS", ZERO, 3601n))
        .to.be.revertedWithCustomError(l.ch, "ParamTarget__OutOfBounds")
        .withArgs(name, ZERO, 3601n, 0n, 3600n);
      await expect(l.setParam("PRICE_MAX_AGE_SECONDS", l.wethAddr, 60n)).to.be.revertedWithCustomError(
        l.ch,
        "ParamTarget__UnknownParam",
      );
      await expect(l.ch.connect(l.alice).setParam(name, ZERO, 60n)).to.be.revertedWithCustomError(
        l.ch,
        "ParamTarget__NotRiskConfig",
      );
      expect(await l.ch.getParam(name, ZERO)).to.equal(0n);
      await l.setParam("PRICE_MAX_AGE_SECONDS", ZERO, 3600n);
      expect(await l.ch.getParam(name, ZERO)).to.equal(3600n);
      // the fee slot it shares still accrues with the old rate and keeps its index
      expect(await l.ch.rateIndexRay()).to.equal(10n ** 27n);
    });
  });

  describe("refreshPrices", function () {
    it("caches each listed asset once (WETH is collateral and market) and stamps the time", async function () {
      const l = await withAlice();
      const tx = l.ch.connect(l.bob).refreshPrices();
      await expect(tx)
        .to.emit(l.ch, "PriceCached")
        .withArgs(l.wethAddr, 2_000n * WAD)
        .and.to.emit(l.ch, "PriceCached")
        .withArgs(l.wbtcAddr, 40_000n * WAD);
      const receipt = await (await tx).wait();
      const cached = eventsOf(receipt, l.ch.interface, "PriceCached");
      expect(cached.length).to.equal(2);
      const block = await l.ethers.provider.getBlock(receipt!.blockNumber);
      expect(await l.ch.pricesCachedAt()).to.equal(BigInt(block!.timestamp));
    });

    it("caches nothing for an asset whose read is not ok (checks then read the oracle)", async function () {
      const l = await withAlice();
      await l.oracle.setPrice(l.wbtcAddr, 40_000n * WAD, false);
      await expect(l.ch.refreshPrices()).to.emit(l.ch, "PriceCached").withArgs(l.wbtcAddr, 0n);
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 1_000n * WAD, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OracleUnhealthy")
        .withArgs(l.wbtcAddr);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(0n);
    });

    it("leaves a price too large for a collateral slot to the oracle, and caches it in the market slot", async function () {
      const l = await withAlice();
      const big = 1n << 90n; // above 2^88 - 1 (collateral slot), below 2^96 - 1 (market slot)
      await l.oracle.setPrice(l.wethAddr, big, true);
      await expect(l.ch.refreshPrices())
        .to.emit(l.ch, "PriceCached")
        .withArgs(l.wethAddr, 0n)
        .and.to.emit(l.ch, "PriceCached")
        .withArgs(l.wethAddr, big);
      // the collateral is valued at the oracle's (same) price: the check still works
      const h = await l.ch.health(l.alice.address, true);
      expect(h.pricesOk).to.equal(true);
      expect(h.weightedCollateralWad).to.equal((10n * big * 8n) / 10n + 32_000n * WAD);
    });

    it("a later refresh replaces the prices and the stamp", async function () {
      const l = await withAlice();
      await l.ch.refreshPrices();
      const first = await l.ch.pricesCachedAt();
      await l.networkHelpers.time.increase(30);
      await l.oracle.setPrice(l.wethAddr, 2_500n * WAD, true);
      await expect(l.ch.refreshPrices())
        .to.emit(l.ch, "PriceCached")
        .withArgs(l.wethAddr, 2_500n * WAD);
      expect(await l.ch.pricesCachedAt()).to.be.greaterThan(first);
      expect((await l.ch.health(l.alice.address, true)).weightedCollateralWad).to.equal(52_000n * WAD);
    });
  });

  describe("initial-margin checks", function () {
    it("value assets at the cached prices while fresh, at the oracle's once expired", async function () {
      const l = await withAlice();
      await l.ch.refreshPrices();
      // WETH falls 10% after the refresh: 10 ETH now 18,000, initial power 14,400 + 32,000 = 46,400
      await l.oracle.setPrice(l.wethAddr, 1_800n * WAD, true);
      const cachedInitial = await l.ch.health(l.alice.address, true);
      expect(cachedInitial.weightedCollateralWad).to.equal(48_000n * WAD);
      // maintenance health (what liquidation uses) reads the oracle at once
      const maint = await l.ch.health(l.alice.address, false);
      expect(maint.weightedCollateralWad).to.equal(((18_000n * 85n) / 100n) * WAD + 34_000n * WAD);

      // within the age bound the check passes at the cached prices (the exposure ADR 0006 bounds)
      await l.ch.connect(l.alice).borrow(l.alice.address, 47_000n * WAD, l.alice.address);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(47_000n * WAD);

      // once the cache is older than the bound, the same check reads the oracle
      await l.networkHelpers.time.increase(Number(MAX_AGE) + 1);
      await expect(
        l.ch.connect(l.alice).borrow(l.alice.address, 100n * WAD, l.alice.address),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized");
      const fresh = await l.ch.health(l.alice.address, true);
      expect(fresh.weightedCollateralWad).to.equal(46_400n * WAD);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(47_000n * WAD);
    });

    it("a lower cached price is the stricter one: a rise since the refresh needs a new refresh", async function () {
      const l = await withAlice();
      await l.ch.refreshPrices();
      await l.oracle.setPrice(l.wethAddr, 2_200n * WAD, true); // +10%: power 17,600 + 32,000
      await expect(
        l.ch.connect(l.alice).borrow(l.alice.address, 49_000n * WAD, l.alice.address),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized");
      await l.ch.connect(l.bob).refreshPrices();
      await l.ch.connect(l.alice).borrow(l.alice.address, 49_000n * WAD, l.alice.address);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(49_000n * WAD);
    });

    it("withdrawals are checked at the cached prices too", async function () {
      const l = await withAlice();
      await l.ch.connect(l.alice).borrow(l.alice.address, 40_000n * WAD, l.alice.address);
      await l.ch.refreshPrices();
      await l.oracle.setPrice(l.wbtcAddr, 36_000n * WAD, true);
      // at the cached 40,000 the account keeps 48,000 - 40,000 = 8,000 of initial power: 5 WETH
      // (8,000) may leave; at the oracle's 36,000 it could not (44,800 - 8,000 < 40,000)
      await l.ch.connect(l.alice).withdraw(l.alice.address, l.wethAddr, 5n * WAD, l.alice.address);
      expect(await l.ch.collateralOf(l.alice.address, l.wethAddr)).to.equal(5n * WAD);
    });

    it("an age bound of 0 turns the cache off: every check reads the oracle", async function () {
      const l = await withAlice(0n);
      await l.ch.refreshPrices();
      await l.oracle.setPrice(l.wethAddr, 1_800n * WAD, true);
      expect((await l.ch.health(l.alice.address, true)).weightedCollateralWad).to.equal(46_400n * WAD);
      await expect(
        l.ch.connect(l.alice).borrow(l.alice.address, 47_000n * WAD, l.alice.address),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized");
    });

    it("a guardian-style tightening to 0 stops a fresh cache at once", async function () {
      const l = await withAlice();
      await l.ch.refreshPrices();
      await l.oracle.setPrice(l.wethAddr, 1_800n * WAD, true);
      await l.setParam("PRICE_MAX_AGE_SECONDS", ZERO, 0n);
      await expect(
        l.ch.connect(l.alice).borrow(l.alice.address, 47_000n * WAD, l.alice.address),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized");
    });

    it("an asset listed after the refresh has no cached price and is read from the oracle", async function () {
      const l = await withAlice();
      await l.ch.refreshPrices();
      const { token: link, address: linkAddr } = await newPricedToken(l, "Chainlink", "LINK", 10n * WAD);
      await l.ch.connect(l.gov).listCollateral(linkAddr);
      await l.setParam("DEPOSIT_CAP", linkAddr, 10n ** 30n);
      await link.mint(l.alice.address, 100n * WAD);
      await link.connect(l.alice).approve(l.chAddr, 100n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, linkAddr, 100n * WAD);
      await l.oracle.setPrice(linkAddr, 0n, false);
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 1_000n * WAD, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OracleUnhealthy")
        .withArgs(linkAddr);
    });
  });

  describe("what never uses the cache", function () {
    it("a fill is priced at the oracle's price, not the cached one", async function () {
      const l = await withAlice();
      await l.seedVault(100_000n * WAD);
      await l.ch.refreshPrices();
      await l.oracle.setPrice(l.wethAddr, 2_100n * WAD, true);
      const tx = await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, WAD, 10n ** 30n);
      const receipt = await tx.wait();
      const [ev] = eventsOf(receipt, l.ch.interface, "PositionModified");
      // fill = index * (1 + (skew + size / 2) / skewScale): about 2,100 * 1.0000005 with the
      // oracle's index, about 2,000 with the cached one
      expect(ev.args.fillPriceWad).to.be.greaterThanOrEqual(2_100n * WAD);
      expect(ev.args.fillPriceWad).to.be.lessThan(2_101n * WAD);
    });

    it("maintenance health ignores a failing asset's cached price", async function () {
      const l = await withAlice();
      await l.ch.refreshPrices();
      await l.oracle.setPrice(l.wbtcAddr, 40_000n * WAD, false);
      expect((await l.ch.health(l.alice.address, false)).pricesOk).to.equal(false);
      // within the age bound the initial check keeps the cached price (ADR 0006: at most the bound)
      expect((await l.ch.health(l.alice.address, true)).pricesOk).to.equal(true);
      await l.networkHelpers.time.increase(Number(MAX_AGE) + 1);
      expect((await l.ch.health(l.alice.address, true)).pricesOk).to.equal(false);
    });
  });
});
