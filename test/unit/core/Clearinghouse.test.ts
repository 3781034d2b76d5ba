import { expect } from "chai";

import * as perp from "../../../simulations/math/perp.js";
import { mulDivDown, mulDivUp } from "../../../simulations/math/wad.js";
import {
  DEFAULT_RISK,
  RAY,
  WAD,
  ZERO,
  b32,
  deployLedger,
  newPricedToken,
  fillOf,
  type Ledger,
} from "../../helpers/ledger.js";

/** I1: stablecoin supply + credits (vault included) == debts + deficit, up to rounding dust in the protocol's favour. */
async function expectFundamentalEquation(l: Ledger, accounts: string[]) {
  const supply = await l.stablecoin.totalSupply();
  let credits = await l.ch.creditOf(await l.vault.getAddress());
  for (const a of accounts) credits += await l.ch.creditOf(a);
  const debts = await l.ch.totalDebtWad();
  const deficit = await l.ch.deficitWad();
  const left = supply + credits;
  const right = debts + deficit;
  // debts are rounded up per account and fees credited rounded down: right may exceed left by dust
  expect(right >= left, `I1: supply+credits ${left} > debts+deficit ${right}`).to.equal(true);
  expect(right - left <= BigInt(accounts.length + 2), `I1 gap ${right - left}`).to.equal(true);
}

/**
 * Accrues a year of ~5% stability fee, then sets the rate to zero (the change accrues first): the
 * rate index is then fixed at an uneven value above one RAY, so a test knows the index every later
 * transaction uses. Returns that index.
 */
async function freezeRateIndexAboveOne(l: Ledger): Promise<bigint> {
  await l.setParam("STABILITY_FEE_PER_SECOND_RAY", ZERO, 1_585_489_599_123_456_789n);
  await l.networkHelpers.time.increase(365 * 86_400);
  await l.setParam("STABILITY_FEE_PER_SECOND_RAY", ZERO, 0n);
  const indexRay = await l.ch.rateIndexRay();
  expect(indexRay > RAY && indexRay % 10n ** 9n !== 0n, `uneven index ${indexRay}`).to.equal(true);
  return indexRay;
}

describe("Clearinghouse", function () {
  describe("listing", function () {
    it("lists collateral and markets, only by governance, once", async function () {
      const l = await deployLedger();
      expect(await l.ch.collaterals()).to.deep.equal([l.wethAddr, l.wbtcAddr]);
      expect(await l.ch.markets()).to.deep.equal([l.wethAddr]);
      await expect(l.ch.connect(l.alice).listCollateral(l.wethAddr))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__NotGovernance")
        .withArgs(l.alice.address);
      await expect(l.ch.connect(l.gov).listCollateral(l.wethAddr))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__AlreadyListed")
        .withArgs(l.wethAddr);
    });

    it("rejects tokens without oracle feed, with decimals > 18, or without decimals()", async function () {
      const l = await deployLedger();
      const noFeed = await l.ethers.deployContract("MockERC20", ["X", "X", 18]);
      await expect(l.ch.connect(l.gov).listCollateral(await noFeed.getAddress()))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__UnsupportedToken")
        .withArgs(await noFeed.getAddress(), "no oracle feed");
      const weird = await l.ethers.deployContract("MockRevertingToken");
      await weird.setDecimals(24);
      await expect(l.ch.connect(l.gov).listCollateral(await weird.getAddress()))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__UnsupportedToken")
        .withArgs(await weird.getAddress(), "decimals > 18");
      await expect(l.ch.connect(l.gov).listCollateral(await l.oracle.getAddress()))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__UnsupportedToken")
        .withArgs(await l.oracle.getAddress(), "no decimals()");
      expect((await l.ch.collaterals()).length).to.equal(2);
    });
  });

  describe("deposit and withdraw", function () {
    it("deposits into any account and withdraws by owner or operator", async function () {
      const l = await deployLedger();
      await expect(l.ch.connect(l.bob).deposit(l.alice.address, l.wethAddr, 5n * WAD))
        .to.emit(l.ch, "Deposited")
        .withArgs(l.alice.address, l.wethAddr, l.bob.address, 5n * WAD);
      expect(await l.ch.collateralOf(l.alice.address, l.wethAddr)).to.equal(5n * WAD);
      expect(await l.ch.totalCollateral(l.wethAddr)).to.equal(5n * WAD);

      await expect(l.ch.connect(l.bob).withdraw(l.alice.address, l.wethAddr, WAD, l.bob.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__NotAuthorized")
        .withArgs(l.bob.address, l.alice.address);
      await l.ch.connect(l.alice).setOperator(l.bob.address, true);
      await l.ch.connect(l.bob).withdraw(l.alice.address, l.wethAddr, WAD, l.bob.address);
      expect(await l.ch.collateralOf(l.alice.address, l.wethAddr)).to.equal(4n * WAD);
      expect(await l.weth.balanceOf(l.bob.address)).to.equal(996n * WAD);
    });

    it("keeps the two balances of a storage pair apart, and a third collateral in the next pair", async function () {
      const l = await deployLedger();
      // a third collateral (index 2: the second pair), 18 decimals, priced 10
      const { token: usdx, address: usdxAddr } = await newPricedToken(l, "USDX", "USDX", 10n * WAD);
      await l.ch.connect(l.gov).listCollateral(usdxAddr);
      await l.setParam("DEPOSIT_CAP", usdxAddr, 10n ** 36n);
      await usdx.mint(l.alice.address, 10n ** 36n);
      await usdx.connect(l.alice).approve(l.chAddr, l.ethers.MaxUint256);

      const tokens = [l.wethAddr, l.wbtcAddr, usdxAddr];
      const balances = async () => Promise.all(tokens.map((t) => l.ch.collateralOf(l.alice.address, t)));
      // the largest balance the cap allows sits beside the others without touching them
      await l.ch.connect(l.alice).deposit(l.alice.address, usdxAddr, 10n ** 36n);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wbtcAddr, 3n * 10n ** 8n + 1n);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 7n * WAD + 5n);
      expect(await balances()).to.deep.equal([7n * WAD + 5n, 3n * 10n ** 8n + 1n, 10n ** 36n]);
      await l.ch.connect(l.alice).withdraw(l.alice.address, l.wethAddr, 7n * WAD + 5n, l.alice.address);
      expect(await balances()).to.deep.equal([0n, 3n * 10n ** 8n + 1n, 10n ** 36n]);
      await l.ch.connect(l.alice).withdraw(l.alice.address, l.wbtcAddr, 1n, l.alice.address);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 1n);
      expect(await balances()).to.deep.equal([1n, 3n * 10n ** 8n, 10n ** 36n]);
      // an unlisted token has no balance (it has no index), and refuses a withdrawal
      expect(await l.ch.collateralOf(l.alice.address, l.bob.address)).to.equal(0n);
      await expect(l.ch.connect(l.alice).withdraw(l.alice.address, l.bob.address, 1n, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__UnknownCollateral")
        .withArgs(l.bob.address);
    });

    it("rejects zero, unknown, over-cap and over-balance amounts without state change", async function () {
      const l = await deployLedger();
      await expect(
        l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 0),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__ZeroAmount");
      await expect(l.ch.connect(l.alice).deposit(l.alice.address, l.bob.address, WAD))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__UnknownCollateral")
        .withArgs(l.bob.address);
      await l.setParam("DEPOSIT_CAP", l.wbtcAddr, 10n ** 8n);
      await expect(l.ch.connect(l.alice).deposit(l.alice.address, l.wbtcAddr, 2n * 10n ** 8n))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__DepositCapExceeded")
        .withArgs(l.wbtcAddr, 2n * 10n ** 8n, 10n ** 8n);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, WAD);
      await expect(l.ch.connect(l.alice).withdraw(l.alice.address, l.wethAddr, 2n * WAD, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__InsufficientCollateral")
        .withArgs(l.alice.address, l.wethAddr, 2n * WAD, WAD);
      await expect(
        l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, l.ethers.MaxUint256),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__DepositCapExceeded");
      expect(await l.ch.collateralOf(l.alice.address, l.wethAddr)).to.equal(WAD);
      expect(await l.ch.collateralOf(l.alice.address, l.wbtcAddr)).to.equal(0n);
    });

    it("rejects a fee-on-transfer token at deposit and surfaces a reverting token's error", async function () {
      const l = await deployLedger();
      const fot = await l.ethers.deployContract("MockFeeOnTransferToken");
      const rev = await l.ethers.deployContract("MockRevertingToken");
      for (const t of [fot, rev]) {
        const a = await t.getAddress();
        await l.oracle.setFeed(a, {
          primary: a,
          secondary: ZERO,
          heartbeatSeconds: 1,
          gracePeriodSeconds: 1,
          secondaryHeartbeatSeconds: 0,
          maxDeviationWad: 0,
          minPriceWad: 1n,
          maxPriceWad: 2n,
        });
        await l.oracle.setPrice(a, WAD, true);
        await l.margin.setRisk(a, DEFAULT_RISK);
        await l.ch.connect(l.gov).listCollateral(a);
        await l.setParam("DEPOSIT_CAP", a, 10n ** 30n);
        await t.mint(l.alice.address, 100n * WAD);
        await t.connect(l.alice).approve(l.chAddr, l.ethers.MaxUint256);
      }
      await expect(l.ch.connect(l.alice).deposit(l.alice.address, await fot.getAddress(), 100n * WAD))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__TransferAmountMismatch")
        .withArgs(await fot.getAddress(), 100n * WAD, 99n * WAD);
      await rev.setPaused(true);
      await expect(
        l.ch.connect(l.alice).deposit(l.alice.address, await rev.getAddress(), WAD),
      ).to.be.revertedWithCustomError(rev, "MockRevertingToken__Paused");
      expect(await l.ch.collateralOf(l.alice.address, await fot.getAddress())).to.equal(0n);
      expect(await l.ch.collateralOf(l.alice.address, await rev.getAddress())).to.equal(0n);
    });

    it("refuses a withdrawal that breaks initial margin, allows one that keeps it", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      // 10 ETH * 2000 * (1 - 0.20) = 16,000 of initial borrowing power
      await l.ch.connect(l.alice).borrow(l.alice.address, 12_000n * WAD, l.alice.address);
      await expect(
        l.ch.connect(l.alice).withdraw(l.alice.address, l.wethAddr, 3n * WAD, l.alice.address),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized");
      await l.ch.connect(l.alice).withdraw(l.alice.address, l.wethAddr, 2n * WAD, l.alice.address);
      expect(await l.ch.collateralOf(l.alice.address, l.wethAddr)).to.equal(8n * WAD);
    });
  });

  describe("borrow and repay", function () {
    it("borrows up to initial margin and computes health per the formula", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wbtcAddr, 10n ** 8n);
      // initial power: 20,000 * 0.8 + 40,000 * 0.8 = 48,000
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 48_001n * WAD, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized")
        .withArgs(l.alice.address, (48_000n * WAD * WAD) / (48_001n * WAD));
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 48_000n * WAD, l.alice.address))
        .to.emit(l.ch, "Borrowed")
        .withArgs(l.alice.address, l.alice.address, 48_000n * WAD, 0n);
      expect(await l.stablecoin.balanceOf(l.alice.address)).to.equal(48_000n * WAD);
      const h = await l.ch.health(l.alice.address, false);
      expect(h.weightedCollateralWad).to.equal(51_000n * WAD); // 0.85 haircut-adjusted
      expect(h.debtWad).to.equal(48_000n * WAD);
      expect(h.healthFactorWad).to.equal((51_000n * WAD * WAD) / (48_000n * WAD));
      expect(h.pricesOk).to.equal(true);
    });

    it("enforces debt ceiling, minimum debt and healthy oracles", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 50n * WAD, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__DebtBelowMinimum")
        .withArgs(50n * WAD, 100n * WAD);
      await l.setParam("DEBT_CEILING_WAD", ZERO, 1_000n * WAD);
      await expect(
        l.ch.connect(l.alice).borrow(l.alice.address, 1_001n * WAD, l.alice.address),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__DebtCeilingExceeded");
      await l.oracle.setPrice(l.wethAddr, 2_000n * WAD, false);
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 500n * WAD, l.alice.address))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OracleUnhealthy")
        .withArgs(l.wethAddr);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(0n);
      expect(await l.stablecoin.totalSupply()).to.equal(0n);
    });

    it("repays debt first, turns the excess into credit, and credit funds the next borrow", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).borrow(l.alice.address, 1_000n * WAD, l.alice.address);
      await l.ch.connect(l.bob).deposit(l.bob.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.bob).borrow(l.bob.address, 500n * WAD, l.alice.address);
      // alice repays 1,200: 1,000 debt, 200 credit
      await expect(l.ch.connect(l.alice).repay(l.alice.address, 1_200n * WAD))
        .to.emit(l.ch, "Repaid")
        .withArgs(l.alice.address, l.alice.address, 1_200n * WAD, 1_000n * WAD);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(0n);
      expect(await l.ch.creditOf(l.alice.address)).to.equal(200n * WAD);
      await expect(l.ch.connect(l.alice).borrow(l.alice.address, 150n * WAD, l.alice.address))
        .to.emit(l.ch, "Borrowed")
        .withArgs(l.alice.address, l.alice.address, 150n * WAD, 150n * WAD);
      expect(await l.ch.creditOf(l.alice.address)).to.equal(50n * WAD);
      await expectFundamentalEquation(l, [l.alice.address, l.bob.address]);
    });

    it("anyone may repay another account's debt: that account's debt falls, the payer's does not", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).borrow(l.alice.address, 1_000n * WAD, l.alice.address);
      await l.ch.connect(l.bob).deposit(l.bob.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.bob).borrow(l.bob.address, 500n * WAD, l.bob.address);
      // bob pays 300 of alice's debt from his own stablecoin (no operator rights needed)
      await expect(l.ch.connect(l.bob).repay(l.alice.address, 300n * WAD))
        .to.emit(l.ch, "Repaid")
        .withArgs(l.alice.address, l.bob.address, 300n * WAD, 300n * WAD);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(700n * WAD);
      expect(await l.ch.debtOf(l.bob.address)).to.equal(500n * WAD);
      expect(await l.ch.creditOf(l.bob.address)).to.equal(0n);
      expect(await l.stablecoin.balanceOf(l.bob.address)).to.equal(200n * WAD);
      await expectFundamentalEquation(l, [l.alice.address, l.bob.address]);
    });

    it("repay and deposit pass while the oracle is failing (I11)", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).borrow(l.alice.address, 1_000n * WAD, l.alice.address);
      await l.oracle.setPrice(l.wethAddr, 0n, false);
      await l.ch.connect(l.alice).repay(l.alice.address, 1_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, WAD);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(0n);
      const h = await l.ch.health(l.alice.address, false);
      expect(h.pricesOk).to.equal(false);
    });

    it("accrues the stability fee to the vault and keeps the fundamental equation (I1, I5)", async function () {
      const l = await deployLedger();
      await l.seedVault(10_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).borrow(l.alice.address, 10_000n * WAD, l.alice.address);
      const ratePerSecondRay = 1_585_489_599n * 10n ** 9n; // ~5% a year
      await l.setParam("STABILITY_FEE_PER_SECOND_RAY", ZERO, ratePerSecondRay);
      const index0 = await l.ch.rateIndexRay();
      await l.networkHelpers.time.increase(365 * 86_400);
      await l.ch.accrue();
      const index1 = await l.ch.rateIndexRay();
      expect(index1 > index0).to.equal(true);
      const debt = await l.ch.debtOf(l.alice.address);
      // linear accrual over one step: 10,000 * (1 + 0.05), within 0.001 (the extra second of the accrue block)
      const gap = debt > 10_500n * WAD ? debt - 10_500n * WAD : 10_500n * WAD - debt;
      expect(gap < 10n ** 15n, `debt ${debt}`).to.equal(true);
      expect(await l.ch.creditOf(await l.vault.getAddress())).to.be.greaterThan(10_000n * WAD);
      await expectFundamentalEquation(l, [l.alice.address, l.lp.address]);
      expect(index1 >= RAY).to.equal(true);
    });

    it("normalizes new debt rounding up: the debt after a borrow is the rounded-up normalized amount times the index (I10)", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      const indexRay = await freezeRateIndexAboveOne(l);
      const borrowWad = 1_000n * WAD;
      const normalized = mulDivUp(borrowWad, RAY, indexRay);
      const expected = mulDivUp(normalized, indexRay, RAY);
      // the amounts make the rounding direction visible: normalized rounding down owes less
      const roundedDown = mulDivUp(mulDivDown(borrowWad, RAY, indexRay), indexRay, RAY);
      expect(roundedDown < expected && expected > borrowWad, "rounding matters here").to.equal(true);
      await l.ch.connect(l.alice).borrow(l.alice.address, borrowWad, l.alice.address);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(expected);
      expect(await l.ch.totalDebtWad()).to.equal(expected);
      expect(await l.stablecoin.balanceOf(l.alice.address)).to.equal(borrowWad);
    });

    it("a partial repayment removes normalized debt rounding down: the debt left is exact to the wei (I10)", async function () {
      const l = await deployLedger();
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      const indexRay = await freezeRateIndexAboveOne(l);
      await l.ch.connect(l.alice).borrow(l.alice.address, 1_000n * WAD, l.alice.address);
      const normalized = mulDivUp(1_000n * WAD, RAY, indexRay);
      const repayWad = 300n * WAD + 7n;
      const expected = mulDivUp(normalized - mulDivDown(repayWad, RAY, indexRay), indexRay, RAY);
      // removing rounded up would leave less debt than was paid for
      const removedUp = mulDivUp(normalized - mulDivUp(repayWad, RAY, indexRay), indexRay, RAY);
      expect(removedUp < expected, "rounding matters here").to.equal(true);
      await expect(l.ch.connect(l.alice).repay(l.alice.address, repayWad))
        .to.emit(l.ch, "Repaid")
        .withArgs(l.alice.address, l.alice.address, repayWad, repayWad);
      expect(await l.ch.debtOf(l.alice.address)).to.equal(expected);
      expect(await l.ch.totalDebtWad()).to.equal(expected);
      expect(await l.ch.creditOf(l.alice.address)).to.equal(0n);
    });
  });

  describe("perpetual positions", function () {
    it("nets PnL against the balance in the health factor, so settling a position moves it only by its requirement and fee (ADR 0008)", async function () {
      const l = await deployLedger();
      await l.seedVault(50_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, -4n * WAD, 0n);
      await l.ch.connect(l.alice).borrow(l.alice.address, 8_000n * WAD, l.alice.address);
      await l.oracle.setPrice(l.wethAddr, 1_500n * WAD, true);
      const h = await l.ch.health(l.alice.address, false);
      expect(h.pnlWad > 0n && h.debtWad > 0n, "a profitable short on a borrowing account").to.equal(true);
      const balance = h.creditWad - h.debtWad + h.pnlWad;
      const assets = h.weightedCollateralWad + (balance > 0n ? balance : 0n);
      const liabilities = (balance < 0n ? -balance : 0n) + h.requirementWad;
      expect(h.healthFactorWad).to.equal((assets * WAD) / liabilities);
      expect(h.equityWad).to.equal(h.weightedCollateralWad + balance);
      await l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 10n ** 30n);
      const after = await l.ch.health(l.alice.address, false);
      expect(after.pnlWad).to.equal(0n);
      // the requirement left with the position; the taker fee is far below it
      expect(after.healthFactorWad).to.be.greaterThan(h.healthFactorWad);
    });

    it("opens with the skew premium and fee, closes with realized PnL against the vault", async function () {
      const l = await deployLedger();
      await l.seedVault(50_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      const vaultAddr = await l.vault.getAddress();
      const vaultBefore = await l.ch.creditOf(vaultAddr);
      // fill = 2000 * (1 + (0 + 5/2) / 1,000,000) = 2000.005
      const fill = 2_000n * WAD + (2_000n * WAD * 5n) / 2_000_000n;
      await expect(l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 5n * WAD, 2_001n * WAD))
        .to.emit(l.ch, "PositionModified")
        .withArgs(l.alice.address, l.wethAddr, 5n * WAD, fill, 5n * WAD, 0n, (5n * fill) / 1000n);
      const pos = await l.ch.positionOf(l.alice.address, l.wethAddr);
      expect(pos.sizeWad).to.equal(5n * WAD);
      // no funding accrued yet (index 0): the cost basis is the notional paid
      expect(pos.costBasisWad).to.equal(5n * fill);
      const st = await l.ch.marketState(l.wethAddr);
      expect(st.skewWad).to.equal(5n * WAD);
      expect(st.longOpenInterestWad).to.equal(5n * WAD);
      // fee went to the vault (paid as debt by an account without credit)
      expect(await l.ch.creditOf(vaultAddr)).to.equal(vaultBefore + (5n * fill) / 1000n);

      await l.oracle.setPrice(l.wethAddr, 2_200n * WAD, true);
      await l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 2_100n * WAD);
      const after = await l.ch.positionOf(l.alice.address, l.wethAddr);
      expect(after.sizeWad).to.equal(0n);
      expect(after.costBasisWad).to.equal(0n);
      // profit ~ 5 * 200 minus fees and premium, credited after repaying the fee debt
      const credit = await l.ch.creditOf(l.alice.address);
      expect(credit > 970n * WAD && credit < 1_000n * WAD).to.equal(true);
      expect((await l.ch.marketState(l.wethAddr)).skewWad).to.equal(0n);
      await expectFundamentalEquation(l, [l.alice.address, l.lp.address]);
    });

    it("refuses risk-increasing trades on a failing oracle but lets the account reduce (I11)", async function () {
      const l = await deployLedger();
      await l.seedVault(50_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 4n * WAD, 2_100n * WAD);
      await l.oracle.setPrice(l.wethAddr, 1_900n * WAD, false);
      await expect(l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, WAD, 3_000n * WAD))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OracleUnhealthy")
        .withArgs(l.wethAddr);
      await expect(l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, -6n * WAD, 0n))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OracleUnhealthy")
        .withArgs(l.wethAddr); // a flip is risk-increasing
      await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, -3n * WAD, 0n);
      expect((await l.ch.positionOf(l.alice.address, l.wethAddr)).sizeWad).to.equal(WAD);
    });

    it("enforces slippage, open-interest and skew caps, initial margin, and the vault cannot trade", async function () {
      const l = await deployLedger();
      await l.seedVault(10_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 100n * WAD);
      await expect(
        l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, WAD, 2_000n * WAD),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__SlippageExceeded");
      // skew cap: 10 x vault credit (~10,000) = 100,000 USD = 50 ETH
      await expect(
        l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 60n * WAD, 3_000n * WAD),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__SkewCapExceeded");
      await l.setParam("MAX_OPEN_INTEREST_WAD", l.wethAddr, 20n * WAD);
      await expect(l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 21n * WAD, 3_000n * WAD))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__OpenInterestCapExceeded")
        .withArgs(l.wethAddr, 21n * WAD, 20n * WAD);
      await l.ch.connect(l.bob).deposit(l.bob.address, l.wethAddr, WAD);
      // 1 ETH collateral (1,600 initial) cannot carry 10 ETH of perp at 10% initial margin (2,000)
      await expect(
        l.ch.connect(l.bob).modifyPosition(l.bob.address, l.wethAddr, -10n * WAD, 1_000n * WAD),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__Undercollateralized");
      const vaultAddr = await l.vault.getAddress();
      const vaultSigner = await l.ethers.getImpersonatedSigner(vaultAddr);
      await l.networkHelpers.setBalance(vaultAddr, WAD);
      await expect(
        l.ch.connect(vaultSigner).modifyPosition(vaultAddr, l.wethAddr, WAD, 3_000n * WAD),
      ).to.be.revertedWithCustomError(l.ch, "Clearinghouse__VaultCannotTrade");
      await expect(l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 0n))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__NoPosition")
        .withArgs(l.alice.address, l.wethAddr);
      await expect(l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wbtcAddr, WAD, 10n ** 30n))
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__UnknownMarket")
        .withArgs(l.wbtcAddr);
    });

    it("accrues velocity funding that longs pay to the vault when skew is long", async function () {
      const l = await deployLedger();
      await l.seedVault(50_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 50n * WAD);
      await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 20n * WAD, 3_000n * WAD);
      const net0 = await l.ch.vaultNetAssetsWad();
      await l.networkHelpers.time.increase(7 * 86_400);
      const st = await l.ch.marketState(l.wethAddr);
      expect(st.fundingRateWad > 0n).to.equal(true);
      expect(st.fundingIndexWad > 0n).to.equal(true);
      const h = await l.ch.health(l.alice.address, false);
      expect(h.pnlWad < 0n).to.equal(true); // funding owed shows up in the PnL
      const net1 = await l.ch.vaultNetAssetsWad();
      expect(net1 > net0).to.equal(true);
      const creditBefore = await l.ch.creditOf(await l.vault.getAddress());
      const pos = await l.ch.positionOf(l.alice.address, l.wethAddr);
      const tx = await l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 0n);
      const { indexWad, fillPriceWad, realizedPnlWad } = await fillOf(l, tx);
      // the close realizes the funding with the PnL (ADR 0007): the trading PnL at the fill
      // price minus 20 x the index accrued since the open (at index 0), rounded against alice
      const withFunding = perp.applyFill(
        pos.sizeWad,
        pos.costBasisWad,
        -pos.sizeWad,
        perp.adjustedPrice(fillPriceWad, indexWad),
      );
      const tradingOnly = perp.applyFill(pos.sizeWad, pos.costBasisWad, -pos.sizeWad, fillPriceWad);
      expect(realizedPnlWad).to.equal(withFunding.realizedPnlWad);
      expect(tradingOnly.realizedPnlWad - withFunding.realizedPnlWad).to.equal((20n * WAD * indexWad) / WAD);
      expect(await l.ch.creditOf(await l.vault.getAddress())).to.be.greaterThan(creditBefore);
      await expectFundamentalEquation(l, [l.alice.address, l.lp.address]);
    });

    it("records a deficit when the vault cannot pay a trader's profit (never hidden)", async function () {
      const l = await deployLedger();
      await l.seedVault(1_000n * WAD);
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 4n * WAD, 3_000n * WAD);
      await l.oracle.setPrice(l.wethAddr, 3_000n * WAD, true);
      await expect(l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 0n)).to.emit(
        l.ch,
        "DeficitRecorded",
      );
      expect(await l.ch.deficitWad()).to.be.greaterThan(0n);
      expect(await l.ch.creditOf(await l.vault.getAddress())).to.equal(0n);
      await expectFundamentalEquation(l, [l.alice.address, l.lp.address]);
    });

    it("heals the deficit out of the vault's later income, which is not the LPs' until then", async function () {
      const l = await deployLedger();
      const vaultAddr = await l.vault.getAddress();
      await l.seedVault(1_000n * WAD);
      await expect(l.ch.healDeficit())
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__NothingToHeal")
        .withArgs(0n, await l.ch.creditOf(vaultAddr));
      // alice's profit empties the vault: a deficit
      await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.bob).deposit(l.bob.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(l.alice).modifyPosition(l.alice.address, l.wethAddr, 4n * WAD, 3_000n * WAD);
      await l.ch.connect(l.bob).modifyPosition(l.bob.address, l.wethAddr, -WAD, 0n);
      await l.oracle.setPrice(l.wethAddr, 2_600n * WAD, true);
      await l.ch.connect(l.alice).closePosition(l.alice.address, l.wethAddr, 0n);
      const deficit = await l.ch.deficitWad();
      expect(deficit).to.be.greaterThan(0n);
      await expect(l.ch.healDeficit())
        .to.be.revertedWithCustomError(l.ch, "Clearinghouse__NothingToHeal")
        .withArgs(deficit, 0n);
      // bob's loss is the vault's next income: the net assets count it against the deficit
      await l.ch.connect(l.bob).closePosition(l.bob.address, l.wethAddr, 10n ** 30n);
      const income = await l.ch.creditOf(vaultAddr);
      expect(income).to.be.greaterThan(0n).and.lessThan(deficit);
      expect(await l.ch.vaultNetAssetsWad()).to.equal(income - deficit);
      // anyone heals: both sides of I1 move by the income
      await expect(l.ch.connect(l.carol).healDeficit())
        .to.emit(l.ch, "DeficitHealed")
        .withArgs(income, deficit - income);
      expect(await l.ch.deficitWad()).to.equal(deficit - income);
      expect(await l.ch.creditOf(vaultAddr)).to.equal(0n);
      expect(await l.ch.vaultNetAssetsWad()).to.equal(income - deficit);
      await expectFundamentalEquation(l, [l.alice.address, l.bob.address, l.lp.address]);
    });
  });

  describe("parameters", function () {
    it("only the RiskConfig sets them, within hard bounds", async function () {
      const l = await deployLedger();
      await expect(l.ch.connect(l.alice).setParam(b32("TAKER_FEE_WAD"), l.wethAddr, 1n))
        .to.be.revertedWithCustomError(l.ch, "ParamTarget__NotRiskConfig")
        .withArgs(l.alice.address);
      await expect(l.ch.connect(l.risk).setParam(b32("TAKER_FEE_WAD"), l.wethAddr, WAD))
        .to.be.revertedWithCustomError(l.ch, "ParamTarget__OutOfBounds")
        .withArgs(b32("TAKER_FEE_WAD"), l.wethAddr, WAD, 0n, WAD / 20n);
      await expect(l.ch.connect(l.risk).setParam(b32("NOPE"), l.wethAddr, 1n)).to.be.revertedWithCustomError(
        l.ch,
        "ParamTarget__UnknownParam",
      );
      await expect(l.ch.connect(l.risk).setParam(b32("TAKER_FEE_WAD"), l.wbtcAddr, 1n))
        .to.be.revertedWithCustomError(l.ch, "ParamTarget__UnknownParam")
        .withArgs(b32("TAKER_FEE_WAD"), l.wbtcAddr);
      expect(await l.ch.getParam(b32("TAKER_FEE_WAD"), l.wethAddr)).to.equal(WAD / 1000n);
    });
  });
});
