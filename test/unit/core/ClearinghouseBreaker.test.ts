/**
 * The circuit breaker's levels as the Clearinghouse, the engine and the auction enforce them
 * (docs/circuit-breaker.md): risk-increasing calls are rejected from level 1, liquidations from
 * level 2, withdrawals and takes at level 3; deposit, repay and position reduction pass at every
 * level until global settlement.
 */
import { expect } from "chai";
import { ZeroAddress } from "ethers";

import type { CircuitBreaker, MockAuctionTaker } from "../../../types/ethers-contracts/index.js";
import { b32 } from "../../../scripts/deploy/system.js";
import { eventsOf } from "../../helpers/events.js";
import { deployLedger, newPricedToken } from "../../helpers/ledger.js";
import { deployLab, send, wad } from "../../helpers/system.js";

async function positioned() {
  const lab = await deployLab();
  const { ch, alice, weth, sys } = lab;
  await lab.fundVault("200000");
  await lab.depositFor(alice, weth, "10");
  await send(ch.connect(alice).borrow(alice.address, wad("3000"), alice.address));
  await send(ch.connect(alice).modifyPosition(alice.address, weth.address, wad("2"), wad("3000")));
  await send(sys.stablecoin.connect(alice).approve(lab.chAddr, wad("1000000")));
  return lab;
}

describe("Clearinghouse under the circuit breaker", function () {
  for (const level of [1, 2, 3]) {
    describe(`global level ${level}`, function () {
      it("rejects borrow, position increase and (with debt) withdrawal", async function () {
        const lab = await positioned();
        const { ch, sys, alice, deployer, weth } = lab;
        await send(sys.breaker.connect(deployer).raiseGlobal(level, b32("TEST")));
        expect(await ch.breakerLevelOf(weth.address)).to.equal(BigInt(level));
        await expect(ch.connect(alice).borrow(alice.address, wad("1"), alice.address))
          .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
          .withArgs("0x" + "00".repeat(20), level);
        await expect(
          ch.connect(alice).modifyPosition(alice.address, weth.address, wad("0.1"), wad("3000")),
        ).to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel");
        await expect(
          ch.connect(alice).withdraw(alice.address, weth.address, wad("0.1"), alice.address),
        ).to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel");
      });

      it("accepts deposit, repay and position reduction", async function () {
        const lab = await positioned();
        const { ch, sys, alice, deployer, weth } = lab;
        await send(sys.breaker.connect(deployer).raiseGlobal(level, b32("TEST")));
        const debt = await ch.debtOf(alice.address);
        await send(ch.connect(alice).repay(alice.address, wad("1000")));
        expect(await ch.debtOf(alice.address)).to.be.lessThan(debt);
        await send(weth.token.mint(alice.address, wad("1")));
        await send(ch.connect(alice).deposit(alice.address, weth.address, wad("1")));
        await send(ch.connect(alice).modifyPosition(alice.address, weth.address, -wad("1"), 0n));
        await send(ch.connect(alice).closePosition(alice.address, weth.address, 0n));
        expect((await ch.positionOf(alice.address, weth.address)).sizeWad).to.equal(0n);
      });
    });
  }

  it("levels 1-2 let an account without debt or positions withdraw; level 3 does not", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, deployer, weth } = lab;
    await lab.depositFor(alice, weth, "2");
    await send(sys.breaker.connect(deployer).raiseGlobal(2, b32("TEST")));
    await send(ch.connect(alice).withdraw(alice.address, weth.address, wad("1"), alice.address));
    await send(sys.breaker.connect(deployer).raiseGlobal(3, b32("TEST")));
    await expect(ch.connect(alice).withdraw(alice.address, weth.address, wad("1"), alice.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
      .withArgs("0x" + "00".repeat(20), 3);
  });

  it("an asset's level binds the accounts that hold it, not the others", async function () {
    const lab = await deployLab();
    const { ch, sys, alice, bob, deployer, weth, wbtc } = lab;
    await lab.depositFor(alice, weth, "10");
    await lab.depositFor(bob, wbtc, "1");
    await send(sys.breaker.connect(deployer).raiseAsset(weth.address, 1, b32("TEST")));
    await expect(ch.connect(alice).borrow(alice.address, wad("100"), alice.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
      .withArgs(weth.address, 1);
    await send(ch.connect(bob).borrow(bob.address, wad("100"), bob.address));
    expect(await ch.debtOf(bob.address)).to.be.greaterThan(0n);
  });

  /** alice liquidated at 1,600: auction 1 of WETH running; a bidder and a callback taker funded. */
  async function auctionRunning(first?: (lab: Awaited<ReturnType<typeof deployLab>>) => Promise<void>) {
    const lab = await deployLab();
    if (first) await first(lab);
    const { ch, sys, alice, keeper, bidder, weth } = lab;
    await lab.fundVault("50000");
    await lab.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("14000"), alice.address));
    await lab.fundBidder("100000");
    await lab.setPrice(weth, "1600");
    await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
    const taker = (await lab.ethers.deployContract("MockAuctionTaker", [
      await sys.auction.getAddress(),
      await sys.stablecoin.getAddress(),
    ])) as unknown as MockAuctionTaker;
    await send(sys.stablecoin.connect(bidder).transfer(await taker.getAddress(), wad("50000")));
    /** Everything a refused take must leave as it was. */
    const snapshot = async () => [
      await sys.auction.auctions(1n),
      await weth.token.balanceOf(bidder.address),
      await weth.token.balanceOf(await taker.getAddress()),
      await sys.stablecoin.balanceOf(bidder.address),
      await sys.stablecoin.balanceOf(await taker.getAddress()),
      await taker.callbackCount(),
    ];
    return { ...lab, taker, snapshot };
  }

  it("level 3 of the token stops takes, with or without a callback (the ledger refuses them, nothing moves)", async function () {
    const lab = await auctionRunning();
    const { sys, ch, bidder, deployer, weth, taker, snapshot } = lab;
    await send(sys.breaker.connect(deployer).raiseAsset(weth.address, 2, b32("TEST")));
    // level 2: takes go on (a running auction may still be bought); checked by a static call
    expect(
      (await sys.auction.connect(bidder).take.staticCall(1n, 1n, wad("100000"), bidder.address, "0x"))[0],
    ).to.equal(1n);
    await send(sys.breaker.connect(deployer).raiseAsset(weth.address, 3, b32("TEST")));
    const before = await snapshot();
    await expect(sys.auction.connect(bidder).take(1n, wad("100"), wad("100000"), bidder.address, "0x"))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
      .withArgs(weth.address, 3);
    // with a callback the collateral would go out first: refused there, the callback never runs
    await expect(taker.takeAuction(1n, wad("100"), wad("100000"), "0x01"))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
      .withArgs(weth.address, 3);
    expect(await snapshot()).to.deep.equal(before);
  });

  it("global level 3 stops takes too", async function () {
    const lab = await auctionRunning();
    const { sys, ch, bidder, deployer, snapshot } = lab;
    await send(sys.breaker.connect(deployer).raiseGlobal(3, b32("TEST")));
    const before = await snapshot();
    await expect(sys.auction.connect(bidder).take(1n, wad("100"), wad("100000"), bidder.address, "0x"))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
      .withArgs(ZeroAddress, 3);
    expect(await snapshot()).to.deep.equal(before);
  });

  it("global settlement stops takes of an auction still within its tail", async function () {
    // the settlement is scheduled first and the auction started ten minutes before it executes
    const settle = { data: "", target: "", salt: b32("settle"), zero: b32("") };
    const lab = await auctionRunning(async (l) => {
      settle.data = l.sys.breaker.interface.encodeFunctionData("settle");
      settle.target = await l.sys.breaker.getAddress();
      const delay = await l.sys.timelock.getMinDelay();
      await send(l.sys.timelock.schedule(settle.target, 0n, settle.data, settle.zero, settle.salt, delay));
      await l.networkHelpers.time.increase(delay - 600n);
      for (const a of [l.weth, l.wbtc]) {
        if (!a.feed) throw new Error("no mock feed");
        const [, answer] = await a.feed.latestRoundData();
        await send(a.feed.updateAnswer(answer)); // fresh again after the wait
        await send(l.sys.oracle.poke(a.address));
      }
    });
    const { sys, ch, bidder, deployer, networkHelpers, snapshot } = lab;
    await networkHelpers.time.increase(600);
    await send(
      sys.timelock.connect(deployer).execute(settle.target, 0n, settle.data, settle.zero, settle.salt),
    );
    expect(await ch.breakerLevelOf(lab.weth.address)).to.equal(255n);
    const before = await snapshot();
    await expect(
      sys.auction.connect(bidder).take(1n, wad("100"), wad("100000"), bidder.address, "0x"),
    ).to.be.revertedWithCustomError(ch, "Clearinghouse__Settled");
    expect(await snapshot()).to.deep.equal(before);
  });

  it("level 2 stops redos; the guardian cannot lower it", async function () {
    const lab = await auctionRunning();
    const { sys, keeper, deployer, weth } = lab;
    await send(sys.breaker.connect(deployer).raiseAsset(weth.address, 2, b32("TEST")));
    await expect(
      sys.breaker.connect(deployer).raiseAsset(weth.address, 1, b32("TEST")),
    ).to.be.revertedWithCustomError(sys.breaker, "CircuitBreaker__GuardianCannotLower");
    await lab.networkHelpers.time.increase(7_300); // past tail
    await lab.setPrice(weth, "1600");
    await expect(sys.auction.connect(keeper).redo(1n, keeper.address))
      .to.be.revertedWithCustomError(sys.auction, "DutchAuction__BreakerLevel")
      .withArgs(weth.address, 2);
  });

  it("global settlement freezes the ledger for good", async function () {
    const lab = await positioned();
    const { ch, sys, alice, deployer, weth, networkHelpers } = lab;
    const data = sys.breaker.interface.encodeFunctionData("settle");
    const target = await sys.breaker.getAddress();
    const salt = b32("settle");
    const zero = b32("");
    await send(
      sys.timelock.connect(deployer).schedule(target, 0n, data, zero, salt, await sys.timelock.getMinDelay()),
    );
    await networkHelpers.time.increase(await sys.timelock.getMinDelay());
    await send(sys.timelock.connect(deployer).execute(target, 0n, data, zero, salt));
    expect(await sys.breaker.settled()).to.equal(true);
    expect(await ch.breakerLevelOf(weth.address)).to.equal(255n);
    await expect(ch.connect(alice).repay(alice.address, wad("1"))).to.be.revertedWithCustomError(
      ch,
      "Clearinghouse__Settled",
    );
    await expect(
      ch.connect(alice).closePosition(alice.address, weth.address, 0n),
    ).to.be.revertedWithCustomError(ch, "Clearinghouse__Settled");
  });
});

describe("Clearinghouse: levels raised before the ledger knew the breaker or the asset", function () {
  // the breaker pushes only changes; a level set before `setBreaker`, or before the asset was
  // listed, had nowhere to land and must be copied, or the ledger would under-enforce it
  async function ledgerAndBreaker() {
    const l = await deployLedger();
    const breaker = (await l.ethers.deployContract("CircuitBreaker", [
      await l.oracle.getAddress(),
      l.risk.address,
      l.gov.address,
      l.gov.address, // guardian
    ])) as unknown as CircuitBreaker;
    /** A new token the ledger could list: a feed, a price of 10 and the default risk levels. */
    async function newAsset(name: string, symbol: string): Promise<string> {
      return (await newPricedToken(l, name, symbol, wad("10"))).address;
    }
    return { ...l, breaker, newAsset };
  }

  it("setBreaker copies the breaker's global and asset levels, and settlement", async function () {
    const { ch, gov, alice, breaker, wethAddr, wbtcAddr } = await ledgerAndBreaker();
    await send(breaker.connect(gov).registerAsset(wethAddr));
    await send(breaker.connect(gov).raiseAsset(wethAddr, 1, b32("TEST")));
    expect(await ch.breakerLevelOf(wethAddr)).to.equal(0n); // not the ledger's breaker yet
    // the asset's level is copied (one event); the global level is 0, the ledger's own: no event
    const tx = ch.connect(gov).setBreaker(await breaker.getAddress());
    await expect(tx).to.emit(ch, "BreakerLevelApplied").withArgs(wethAddr, 1);
    const receipt = await (await tx).wait();
    expect(eventsOf(receipt, ch.interface, "BreakerLevelApplied").length).to.equal(1);
    expect(await ch.breakerLevelOf(wethAddr)).to.equal(1n);
    expect(await ch.breakerLevelOf(wbtcAddr)).to.equal(0n);
    await send(ch.connect(alice).deposit(alice.address, wethAddr, wad("10")));
    await expect(ch.connect(alice).borrow(alice.address, wad("1000"), alice.address))
      .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
      .withArgs(wethAddr, 1);

    const other = await ledgerAndBreaker();
    await send(other.breaker.connect(other.gov).raiseGlobal(2, b32("TEST")));
    await expect(other.ch.connect(other.gov).setBreaker(await other.breaker.getAddress()))
      .to.emit(other.ch, "BreakerLevelApplied")
      .withArgs(ZeroAddress, 2);
    expect(await other.ch.breakerLevelOf(other.wbtcAddr)).to.equal(2n);

    const settled = await ledgerAndBreaker();
    await send(settled.breaker.connect(settled.gov).settle());
    await send(settled.ch.connect(settled.gov).setBreaker(await settled.breaker.getAddress()));
    expect(await settled.ch.breakerLevelOf(settled.wethAddr)).to.equal(255n);
    await expect(
      settled.ch.connect(settled.alice).deposit(settled.alice.address, settled.wethAddr, wad("1")),
    ).to.be.revertedWithCustomError(settled.ch, "Clearinghouse__Settled");
  });

  it("setBreaker copies the level of a market that is not a collateral", async function () {
    const { ch, gov, breaker, newAsset } = await ledgerAndBreaker();
    const tokenAddr = await newAsset("Perp only", "PRP");
    await send(ch.connect(gov).listMarket(tokenAddr));
    await send(breaker.connect(gov).registerAsset(tokenAddr));
    await send(breaker.connect(gov).raiseAsset(tokenAddr, 2, b32("TEST")));
    expect(await ch.breakerLevelOf(tokenAddr)).to.equal(0n);
    await expect(ch.connect(gov).setBreaker(await breaker.getAddress()))
      .to.emit(ch, "BreakerLevelApplied")
      .withArgs(tokenAddr, 2);
    expect(await ch.breakerLevelOf(tokenAddr)).to.equal(2n);
  });

  it("listing an asset copies the level the breaker already holds for it", async function () {
    const { ch, gov, breaker, newAsset } = await ledgerAndBreaker();
    await send(ch.connect(gov).setBreaker(await breaker.getAddress()));
    const tokenAddr = await newAsset("Late", "LATE");
    await send(breaker.connect(gov).registerAsset(tokenAddr));
    await send(breaker.connect(gov).raiseAsset(tokenAddr, 2, b32("TEST")));
    await send(ch.connect(gov).listCollateral(tokenAddr));
    expect(await ch.breakerLevelOf(tokenAddr)).to.equal(2n);
    await send(ch.connect(gov).listMarket(tokenAddr));
    expect(await ch.breakerLevelOf(tokenAddr)).to.equal(2n);
    // an unregistered asset has no level of its own: the global one applies
    const plainAddr = await newAsset("Plain", "PLN");
    await send(ch.connect(gov).listCollateral(plainAddr));
    expect(await ch.breakerLevelOf(plainAddr)).to.equal(0n);
  });

  for (const level of [1, 2]) {
    it(`refuses a withdrawal of a token's whole balance at its level ${level}, as a part (an account with debt)`, async function () {
      const lab = await deployLab();
      const { ch, sys, alice, deployer, weth, wbtc } = lab;
      await lab.depositFor(alice, weth, "10");
      await lab.depositFor(alice, wbtc, "1");
      await send(ch.connect(alice).borrow(alice.address, wad("1000"), alice.address));
      await send(sys.breaker.connect(deployer).raiseAsset(weth.address, level, b32("PRICE_DROP")));
      for (const amount of ["1", "10"]) {
        await expect(ch.connect(alice).withdraw(alice.address, weth.address, wad(amount), alice.address))
          .to.be.revertedWithCustomError(ch, "Clearinghouse__BreakerLevel")
          .withArgs(weth.address, level);
      }
      expect(await ch.collateralOf(alice.address, weth.address)).to.equal(wad("10"));
      // an account without debt or positions withdraws its whole balance at the same level
      await lab.depositFor(lab.carol, weth, "3");
      await send(
        ch.connect(lab.carol).withdraw(lab.carol.address, weth.address, wad("3"), lab.carol.address),
      );
      expect(await ch.collateralOf(lab.carol.address, weth.address)).to.equal(0n);
    });
  }

  it("a deficit recorded by a trader's profit trips the breaker in the same transaction", async function () {
    const lab = await deployLab();
    const { ch, sys, bob, weth, wbtc } = lab;
    // the vault holds only its seed: bob's long gains more than its credit
    await lab.depositFor(bob, wbtc, "1");
    await send(ch.connect(bob).modifyPosition(bob.address, weth.address, wad("2"), wad("3000")));
    await lab.setPrice(weth, "3000");
    expect(await sys.breaker.globalLevel()).to.equal(0n);
    const receipt = await (await ch.connect(bob).closePosition(bob.address, weth.address, 0n)).wait();
    expect(eventsOf(receipt, ch.interface, "DeficitRecorded")).to.have.length(1);
    expect(await ch.deficitWad()).to.be.greaterThan(0n);
    expect(await sys.breaker.globalLevel()).to.equal(1n);
    expect(await ch.breakerLevelOf(weth.address)).to.equal(1n);
  });
});
