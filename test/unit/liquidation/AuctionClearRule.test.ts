/**
 * The guardian may only tighten, and for the auction "tighter" is a higher buf (start further
 * above the oracle), a higher cusp (redo after a smaller fall) and a shorter tail (redo sooner).
 * Each alone, within its bounds and max step, could leave every auction above the market until
 * its redo: cusp 0.99 with buf 1.1 (the shipped 1.1) lets a take pay no less than 1.089 x the
 * oracle price; buf 2 with cusp 0.5 no less than 1.0; a 60 s tail on a 7,200 s linear fall no
 * less than 1.09. No taker buys above the market, so every auction is redone forever and its debt
 * never paid (audit, governance loose ends). The auction now refuses any buf, tail, cusp or curve
 * whose floor, buf x the curve's last price at or above cusp within the tail (for this linear
 * curve buf x max(cusp, curve(1, tail))), is above MAX_FLOOR_WAD = 0.9, whoever sets it
 * (DutchAuction__CannotClear, bubbled up through the RiskConfig).
 */
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import { network } from "hardhat";

import { b32 } from "../../../scripts/deploy/system.js";
import type {
  DutchAuction,
  MockAuctionSink,
  MockOracleRouter,
} from "../../../types/ethers-contracts/index.js";
import { deployLab, send, wad } from "../../helpers/system.js";

const [BUF, TAIL, CUSP] = [b32("BUF_WAD"), b32("TAIL_SECONDS"), b32("CUSP_WAD")];
const MAX_FLOOR = wad("0.9");

describe("DutchAuction: the guardian cannot tighten an asset's auctions into never clearing", function () {
  it("buf, cusp and tail stop where a take can still pay 0.9 x the oracle price, and such an auction clears", async function () {
    const lab = await deployLab();
    const { sys, weth, deployer: guardian, bob, keeper, bidder, ch } = lab;
    expect(sys.guardian).to.equal(guardian.address); // lab mode: the deployer is the guardian
    const rc = sys.riskConfig.connect(guardian);
    const auctionAddr = lab.auctionAddr;
    const param = (name: string) => sys.auction.getParam(b32(name), weth.address);
    // local.json: buf 1.1, cusp 0.5, tail 7,200 s on a 7,200 s linear curve: floor 1.1 x 0.5 = 0.55
    expect([await param("BUF_WAD"), await param("CUSP_WAD"), await param("TAIL_SECONDS")]).to.deep.equal([
      wad("1.1"),
      wad("0.5"),
      7_200n,
    ]);
    for (const name of ["BUF_WAD", "CUSP_WAD", "TAIL_SECONDS"]) {
      expect(await sys.riskConfig.isTightening(auctionAddr, b32(name), weth.address, 0n), name).to.equal(
        name === "TAIL_SECONDS",
      );
    }

    // buf up, one max step (0.1) a block: 1.8 x 0.5 = 0.9 is the last
    for (const buf of ["1.2", "1.3", "1.4", "1.5", "1.6", "1.7", "1.8"]) {
      await send(rc.setParam(auctionAddr, BUF, weth.address, wad(buf)));
    }
    await expect(rc.setParam(auctionAddr, BUF, weth.address, wad("1.9")))
      .to.be.revertedWithCustomError(sys.auction, "DutchAuction__CannotClear")
      .withArgs(weth.address, wad("0.95"), MAX_FLOOR);
    // cusp up: 1.8 x 0.6 = 1.08, above the oracle price
    await expect(rc.setParam(auctionAddr, CUSP, weth.address, wad("0.6")))
      .to.be.revertedWithCustomError(sys.auction, "DutchAuction__CannotClear")
      .withArgs(weth.address, wad("1.08"), MAX_FLOOR);
    // tail down: at 3,600 s the curve is at 0.5, the cusp (floor 0.9); at 3,000 s it is at 7/12
    await send(rc.setParam(auctionAddr, TAIL, weth.address, 3_600n));
    const at3000 = (wad("1") * 4_200n) / 7_200n;
    await expect(rc.setParam(auctionAddr, TAIL, weth.address, 3_000n))
      .to.be.revertedWithCustomError(sys.auction, "DutchAuction__CannotClear")
      .withArgs(weth.address, (wad("1.8") * at3000 + wad("1") - 1n) / wad("1"), MAX_FLOOR);
    expect([await param("BUF_WAD"), await param("CUSP_WAD"), await param("TAIL_SECONDS")]).to.deep.equal([
      wad("1.8"),
      wad("0.5"),
      3_600n,
    ]);

    // at the tightest settings the guardian could reach an auction still sells at 0.9 x the oracle
    // price: bob (10 WETH, 14,000 owed) liquidated at 1,000, his lot taken 3,600 s in at 900
    await lab.fundVault("100000");
    await lab.depositFor(bob, weth, "10");
    await send(ch.connect(bob).borrow(bob.address, wad("14000"), bob.address));
    await lab.setPrice(weth, "1000");
    await send(sys.engine.connect(keeper).liquidate(bob.address, keeper.address));
    const a = await sys.auction.auctions(1n);
    expect(a.startPriceWad).to.equal(wad("1800"));
    await lab.fundBidder("20000");
    await lab.networkHelpers.time.setNextBlockTimestamp(a.startTime + 3_600n);
    await expect(sys.auction.connect(bidder).take(1n, wad("1"), wad("900"), bidder.address, "0x"))
      .to.emit(sys.auction, "Take")
      .withArgs(
        1n,
        bidder.address,
        bidder.address,
        wad("900"),
        wad("900"),
        wad("1"),
        anyValue,
        anyValue,
        anyValue,
      );
  });
});

/**
 * A stepped curve jumps: a stairstep (or a steep per-second exponential) can fall from above the
 * cusp to below it in one step, and then the lowest price a take can pay before the redo is the
 * last step at or above the cusp, not `buf x cusp` (session 14's review: the first version of the
 * rule computed `buf x max(cusp, curve(1, tail))` and accepted a stairstep whose auctions could
 * only be taken at 1.2 x the oracle price).
 */
describe("DutchAuction: the floor rule on stepped curves", function () {
  const RAY = 10n ** 27n;
  const ZERO = "0x0000000000000000000000000000000000000000";
  const ORACLE = wad("2000");

  async function deployAuction(curveName: string, curveArgs: bigint[]) {
    const { ethers, networkHelpers } = await network.create();
    const [gov, risk, alice, bob] = await ethers.getSigners();
    const nonce = await ethers.provider.getTransactionCount(gov.address, "pending");
    const predictedSink = ethers.getCreateAddress({ from: gov.address, nonce: nonce + 1 });
    const coin = await ethers.deployContract("Stablecoin", [predictedSink]);
    const sink = (await ethers.deployContract("MockAuctionSink", [
      await coin.getAddress(),
    ])) as unknown as MockAuctionSink;
    const oracle = (await ethers.deployContract("MockOracleRouter")) as unknown as MockOracleRouter;
    const weth = await ethers.deployContract("MockERC20", ["WETH", "WETH", 18]);
    const curve = await ethers.deployContract(curveName, curveArgs);
    const sinkAddr = await sink.getAddress();
    const auction = (await ethers.deployContract("DutchAuction", [
      await oracle.getAddress(),
      await coin.getAddress(),
      sinkAddr,
      ZERO,
      sinkAddr,
      risk.address,
      gov.address,
    ])) as unknown as DutchAuction;
    const wethAddr = await weth.getAddress();
    await sink.setAuction(await auction.getAddress());
    await auction.setCurve(wethAddr, await curve.getAddress());
    await oracle.setPrice(wethAddr, ORACLE, true);
    await weth.mint(sinkAddr, wad("1000"));
    await sink.seedVault(wad("1000000"));
    await sink.fund(bob.address, wad("1000000"));
    await coin.connect(bob).approve(await auction.getAddress(), ethers.MaxUint256);
    return { auction: auction.connect(risk), alice, bob, sink, wethAddr, networkHelpers };
  }

  it("a stairstep keeping 0.7 a step of 60 s: cusp 0.7 clears at 0.84 x the oracle price, cusp 0.75 is refused (only the start price, 1.2, is above it)", async function () {
    const { auction, alice, bob, sink, wethAddr, networkHelpers } = await deployAuction(
      "StairstepExponentialDecrease",
      [(7n * RAY) / 10n, 60n],
    );
    await send(auction.setParam(BUF, wethAddr, wad("1.2")));
    await send(auction.setParam(TAIL, wethAddr, 3_600n));
    await send(auction.setParam(CUSP, wethAddr, wad("0.7"))); // the first step, 0.7, is takeable
    await expect(auction.setParam(CUSP, wethAddr, wad("0.75")))
      .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
      .withArgs(wethAddr, wad("1.2"), MAX_FLOOR);
    expect(await auction.getParam(CUSP, wethAddr)).to.equal(wad("0.7"));

    // an auction at the accepted settings sells at 1.2 x 0.7 = 0.84 x the oracle price
    await send(sink.kick(alice.address, wethAddr, wad("10"), wad("11000"), wad("10000"), ZERO));
    const a = await auction.auctions(1n);
    expect(a.startPriceWad).to.equal(wad("2400"));
    await networkHelpers.time.setNextBlockTimestamp(a.startTime + 60n);
    await expect(auction.connect(bob).take(1n, wad("1"), wad("1680"), bob.address, "0x"))
      .to.emit(auction, "Take")
      .withArgs(
        1n,
        bob.address,
        bob.address,
        wad("1680"),
        wad("1680"),
        wad("1"),
        anyValue,
        anyValue,
        anyValue,
      );
    // one step later the price, 0.49 x start, is below the cusp: a redo is due
    await networkHelpers.time.increaseTo(a.startTime + 120n);
    expect((await auction.getStatus(1n))[0]).to.equal(true);
  });

  it("an exponential halving each second: cusp 0.6 with buf 1.5 is refused (one second takes it from 1 to 0.5), cusp 0.5 floors at 0.75", async function () {
    const { auction, wethAddr } = await deployAuction("ExponentialDecrease", [RAY / 2n]);
    await send(auction.setParam(BUF, wethAddr, wad("1.5")));
    await send(auction.setParam(TAIL, wethAddr, 600n));
    await expect(auction.setParam(CUSP, wethAddr, wad("0.6")))
      .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
      .withArgs(wethAddr, wad("1.5"), MAX_FLOOR);
    await send(auction.setParam(CUSP, wethAddr, wad("0.5")));
    // from here a buf raise to 1.9 is refused at 1.9 x 0.5 = 0.95
    await expect(auction.setParam(BUF, wethAddr, wad("1.9")))
      .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
      .withArgs(wethAddr, wad("0.95"), MAX_FLOOR);
  });
});
