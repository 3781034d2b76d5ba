import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import type {
  DutchAuction,
  LinearDecrease,
  MockAuctionSink,
  MockAuctionTaker,
  MockERC20,
  MockOracleRouter,
  MockReentrantAuctionTaker,
  Stablecoin,
} from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const ZERO = "0x0000000000000000000000000000000000000000";

// parameters of the standard setup
const ORACLE = 2_000n * WAD;
const BUF = (125n * WAD) / 100n; // start at 2,500
const TAU = 10_000n; // linear curve reaches 0 after 10,000 s
const TAIL = 5_000n;
const CUSP = (4n * WAD) / 10n;
const CHIP = WAD / 100n;
const TIP = 10n * WAD;
const DUST = 100n * WAD;
const LOT = 10n * WAD;
const DEBT = 10_000n * WAD;
const TAB = 11_300n * WAD; // 13% penalty
const VAULT = 1_000_000n * WAD;

const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + d - 1n) / d;
const linear = (top: bigint, t: bigint): bigint => (t >= TAU ? 0n : (top * (TAU - t)) / TAU);
const START = mulDivUp(ORACLE, BUF, WAD);

describe("DutchAuction", function () {
  async function deploy() {
    const { ethers, networkHelpers } = await network.create();
    const [gov, risk, alice, bob, keeper, other] = await ethers.getSigners();
    // the sink is the stablecoin's immutable minter: deployed right after it, at the next nonce
    const nonce = await ethers.provider.getTransactionCount(gov.address, "pending");
    const predictedSink = ethers.getCreateAddress({ from: gov.address, nonce: nonce + 1 });
    const coin = (await ethers.deployContract("Stablecoin", [predictedSink])) as unknown as Stablecoin;
    const sink = (await ethers.deployContract("MockAuctionSink", [
      await coin.getAddress(),
    ])) as unknown as MockAuctionSink;
    expect(await sink.getAddress()).to.equal(await coin.minter());
    const oracle = (await ethers.deployContract("MockOracleRouter")) as unknown as MockOracleRouter;
    const weth = (await ethers.deployContract("MockERC20", ["WETH", "WETH", 18])) as unknown as MockERC20;
    const wbtc = (await ethers.deployContract("MockERC20", ["WBTC", "WBTC", 8])) as unknown as MockERC20;
    const curve = (await ethers.deployContract("LinearDecrease", [TAU])) as unknown as LinearDecrease;
    const sinkAddr = await sink.getAddress();
    const auction = (await ethers.deployContract("DutchAuction", [
      await oracle.getAddress(),
      await coin.getAddress(),
      sinkAddr,
      ZERO, // no breaker: its levels are tested with the whole system
      sinkAddr, // the kicker: the mock sink kicks as the engine would
      risk.address,
      gov.address,
    ])) as unknown as DutchAuction;
    const auctionAddr = await auction.getAddress();
    const wethAddr = await weth.getAddress();
    const wbtcAddr = await wbtc.getAddress();

    await sink.setAuction(auctionAddr);
    for (const token of [wethAddr, wbtcAddr]) {
      await auction.setCurve(token, await curve.getAddress());
      const ar = auction.connect(risk);
      await ar.setParam(await auction.BUF_WAD(), token, BUF);
      await ar.setParam(await auction.TAIL_SECONDS(), token, TAIL);
      await ar.setParam(await auction.CUSP_WAD(), token, CUSP);
      await ar.setParam(await auction.CHIP_WAD(), token, CHIP);
      await ar.setParam(await auction.TIP_WAD(), token, TIP);
      await ar.setParam(await auction.DUST_WAD(), token, DUST);
    }
    await oracle.setPrice(wethAddr, ORACLE, true);
    await oracle.setPrice(wbtcAddr, 60_000n * WAD, true);
    await weth.mint(sinkAddr, 1_000n * WAD);
    await wbtc.mint(sinkAddr, 100n * 10n ** 8n);
    await sink.seedVault(VAULT);
    await sink.fund(bob.address, 1_000_000n * WAD);
    await coin.connect(bob).approve(auctionAddr, ethers.MaxUint256);

    const taker = (await ethers.deployContract("MockAuctionTaker", [
      auctionAddr,
      await coin.getAddress(),
    ])) as unknown as MockAuctionTaker;
    const reentrant = (await ethers.deployContract("MockReentrantAuctionTaker", [
      auctionAddr,
    ])) as unknown as MockReentrantAuctionTaker;

    /** Kicks the standard auction (or another) and returns its id and start time. */
    async function kick(
      opts: {
        lot?: bigint;
        tab?: bigint;
        debt?: bigint;
        token?: string;
        keeperAddr?: string;
      } = {},
    ): Promise<{ id: bigint; start: bigint }> {
      const tx = await sink.kick(
        alice.address,
        opts.token ?? wethAddr,
        opts.lot ?? LOT,
        opts.tab ?? TAB,
        opts.debt ?? DEBT,
        opts.keeperAddr ?? keeper.address,
      );
      const id = await kickedId(tx);
      const start = (await auction.auctions(id)).startTime;
      return { id, start };
    }

    /** The id of the auction a transaction kicked (from its Kick event). */
    async function kickedId(tx: ContractTransactionResponse): Promise<bigint> {
      const receipt = await tx.wait();
      for (const log of receipt?.logs ?? []) {
        if (log.address !== auctionAddr) continue;
        const parsed = auction.interface.parseLog(log);
        if (parsed?.name === "Kick") return parsed.args.id as bigint;
      }
      throw new Error("no Kick event");
    }

    /** Everything a failed call must leave unchanged. */
    async function snapshot(ids: bigint[]): Promise<unknown[]> {
      return [
        await Promise.all(ids.map(async (id) => [...(await auction.auctions(id))])),
        // running or not, and what is left (the price moves with the clock)
        await Promise.all(ids.map(async (id) => (await auction.getStatus(id)).filter((_, i) => i !== 1))),
        await auction.kicks(),
        await auction.totalTabInFlightWad(),
        await auction.tabInFlightWad(wethAddr),
        await sink.books(),
        await sink.vaultCreditWad(),
        await sink.deficitWad(),
        await sink.keeperCreditsWad(),
        await sink.debtInAuctionsWad(),
        await sink.paymentCount(),
        await sink.endCount(),
        await coin.totalSupply(),
        await coin.balanceOf(bob.address),
        await coin.balanceOf(auctionAddr),
        await weth.balanceOf(auctionAddr),
        await weth.balanceOf(bob.address),
        await weth.balanceOf(alice.address),
        await weth.balanceOf(sinkAddr),
      ];
    }

    async function expectBooksBalanced(): Promise<void> {
      const [liabilities, assets] = await sink.books();
      expect(liabilities).to.equal(assets);
    }

    return {
      ethers,
      networkHelpers,
      gov,
      risk,
      alice,
      bob,
      keeper,
      other,
      coin,
      sink,
      oracle,
      weth,
      wbtc,
      curve,
      auction,
      taker,
      reentrant,
      auctionAddr,
      sinkAddr,
      wethAddr,
      wbtcAddr,
      kick,
      kickedId,
      snapshot,
      expectBooksBalanced,
    };
  }

  describe("governance and parameters", function () {
    it("fixes the sink, the breaker and the kicker at construction; curves by governance only", async function () {
      const { auction, other, sinkAddr, wethAddr, curve } = await deploy();
      expect([await auction.sink(), await auction.breaker(), await auction.kicker()]).to.deep.equal([
        sinkAddr,
        ZERO,
        sinkAddr,
      ]);
      // no setter is left to call: governance cannot add a kicker whose auctions the sink would
      // settle from collateral it never seized
      for (const f of ["setSink(address)", "setBreaker(address)", "setKicker(address,bool)"]) {
        expect(auction.interface.hasFunction(f), f).to.equal(false);
      }
      await expect(auction.connect(other).setCurve(wethAddr, await curve.getAddress()))
        .to.be.revertedWithCustomError(auction, "DutchAuction__NotGovernance")
        .withArgs(other.address);
      expect(await auction.curveOf(wethAddr)).to.equal(await curve.getAddress());
    });

    it("names at most 255 tokens; a new curve keeps the token's id", async function () {
      const { ethers, auction, curve, kick, wethAddr, wbtcAddr } = await deploy();
      // replacing WETH's curve keeps its id: a running auction still names WETH
      const { id } = await kick();
      // a slower curve, still one a take can reach 0.9 x the oracle price on before the tail (MAX_FLOOR_WAD)
      const curve2 = await ethers.deployContract("LinearDecrease", [(TAU * 3n) / 2n]);
      await expect(auction.setCurve(wethAddr, await curve2.getAddress()))
        .to.emit(auction, "CurveSet")
        .withArgs(wethAddr, await curve2.getAddress(), 18n);
      expect((await auction.auctions(id)).token).to.equal(wethAddr);
      // 2 listed: 253 more fit, the 256th is refused
      const factory = await ethers.getContractFactory("MockERC20");
      const curveAddr = await curve.getAddress();
      for (let i = 0; i < 253; i++) {
        const t = await factory.deploy("T", "T", 18);
        await auction.setCurve(await t.getAddress(), curveAddr);
      }
      const extra = await factory.deploy("X", "X", 18);
      await expect(auction.setCurve(await extra.getAddress(), curveAddr)).to.be.revertedWithCustomError(
        auction,
        "DutchAuction__TooManyTokens",
      );
      expect(await auction.curveOf(await extra.getAddress())).to.equal(ZERO);
      // listed tokens can still change curves
      await auction.setCurve(wbtcAddr, await curve2.getAddress());
      expect(await auction.curveOf(wbtcAddr)).to.equal(await curve2.getAddress());
    });

    it("accepts parameters from the RiskConfig only, within bounds, for listed assets", async function () {
      const { auction, risk, other, wethAddr, curve } = await deploy();
      const BUF_WAD = await auction.BUF_WAD();
      const CUSP_WAD = await auction.CUSP_WAD();
      await expect(auction.connect(other).setParam(BUF_WAD, wethAddr, BUF))
        .to.be.revertedWithCustomError(auction, "ParamTarget__NotRiskConfig")
        .withArgs(other.address);
      await expect(auction.connect(risk).setParam(BUF_WAD, wethAddr, 2n * WAD + 1n))
        .to.be.revertedWithCustomError(auction, "ParamTarget__OutOfBounds")
        .withArgs(BUF_WAD, wethAddr, 2n * WAD + 1n, WAD, 2n * WAD);
      await expect(
        auction.connect(risk).setParam(CUSP_WAD, wethAddr, (9n * WAD) / 10n + 1n),
      ).to.be.revertedWithCustomError(auction, "ParamTarget__OutOfBounds");
      await expect(auction.connect(risk).setParam(BUF_WAD, curve.target, BUF))
        .to.be.revertedWithCustomError(auction, "ParamTarget__UnknownParam")
        .withArgs(BUF_WAD, curve.target);
      const unknown = "0x" + Buffer.from("NOPE").toString("hex").padEnd(64, "0");
      await expect(auction.connect(risk).setParam(unknown, wethAddr, 1n))
        .to.be.revertedWithCustomError(auction, "ParamTarget__UnknownParam")
        .withArgs(unknown, ZERO);
      expect(await auction.getParam(BUF_WAD, wethAddr)).to.equal(BUF);
      // buf 2 needs a tail the whole curve long (linear: 2 x cusp 0.4 = 0.8, within MAX_FLOOR_WAD)
      await auction.connect(risk).setParam(await auction.TAIL_SECONDS(), wethAddr, TAU);
      await expect(auction.connect(risk).setParam(BUF_WAD, wethAddr, 2n * WAD))
        .to.emit(auction, "ParamSet")
        .withArgs(BUF_WAD, wethAddr, 2n * WAD);
      expect(await auction.getParam(BUF_WAD, wethAddr)).to.equal(2n * WAD);
      expect(await auction.getParam(await auction.TAIL_SECONDS(), wethAddr)).to.equal(TAU);
      expect(await auction.getParam(await auction.DUST_WAD(), wethAddr)).to.equal(DUST);
      expect(await auction.paramBounds(await auction.TAIL_SECONDS())).to.deep.equal([60n, 7n * 86_400n]);
      expect(await auction.paramBounds(await auction.TIP_WAD())).to.deep.equal([0n, 1_000n * WAD]);
    });

    it("refuses a buf, tail, cusp or curve with which no auction could fall 10% below the oracle price before it needs a redo", async function () {
      // The lowest price a take can pay before a redo is due, per unit of the oracle price at the
      // (re)start: buf x the curve's last price at or above cusp within the tail (linear: buf x
      // max(cusp, curve(1, tail))). Above MAX_FLOOR_WAD (0.9) no taker ever sees a
      // discount and every auction is redone forever (audit: the guardian could get there by
      // tightening: cusp up, buf up, tail down). Standard setup: 1.25 x max(0.4, 0.5) = 0.625.
      const { ethers, auction, risk, wethAddr, sink, alice, bob, networkHelpers } = await deploy();
      const ar = auction.connect(risk);
      const [BUF_WAD, TAIL_SECONDS, CUSP_WAD] = [
        await auction.BUF_WAD(),
        await auction.TAIL_SECONDS(),
        await auction.CUSP_WAD(),
      ];
      expect(await auction.MAX_FLOOR_WAD()).to.equal((9n * WAD) / 10n);
      const mulWadUp = (x: bigint, y: bigint) => mulDivUp(x, y, WAD);
      const config = async () => [
        await auction.getParam(BUF_WAD, wethAddr),
        await auction.getParam(TAIL_SECONDS, wethAddr),
        await auction.getParam(CUSP_WAD, wethAddr),
        await auction.curveOf(wethAddr),
      ];
      const before = await config();

      // cusp: 1.25 x 0.75 = 0.9375; at 0.72 exactly the floor 0.9, accepted
      await expect(ar.setParam(CUSP_WAD, wethAddr, (75n * WAD) / 100n))
        .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
        .withArgs(wethAddr, mulWadUp(BUF, (75n * WAD) / 100n), (9n * WAD) / 10n);
      // tail: 60 s into a 10,000 s linear fall the price is still 0.994 of the start
      const reach60 = linear(WAD, 60n);
      await expect(ar.setParam(TAIL_SECONDS, wethAddr, 60n))
        .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
        .withArgs(wethAddr, mulWadUp(BUF, reach60), (9n * WAD) / 10n);
      // buf: 2 x 0.5 = 1, above the oracle price
      await expect(ar.setParam(BUF_WAD, wethAddr, 2n * WAD))
        .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
        .withArgs(wethAddr, WAD, (9n * WAD) / 10n);
      // a curve 30 days long: 5,000 s in it has fallen 0.2%
      const slow = await ethers.deployContract("LinearDecrease", [30n * 86_400n]);
      const reachSlow = mulDivDown(WAD, 30n * 86_400n - TAIL, 30n * 86_400n);
      await expect(auction.setCurve(wethAddr, await slow.getAddress()))
        .to.be.revertedWithCustomError(auction, "DutchAuction__CannotClear")
        .withArgs(wethAddr, mulWadUp(BUF, reachSlow), (9n * WAD) / 10n);
      expect(await config()).to.deep.equal(before);

      // at the limit: cusp 0.72, floor 1.25 x 0.72 = 0.9. An auction is taken at 0.9 x the oracle
      // price before its redo, a discount a taker sees
      await ar.setParam(CUSP_WAD, wethAddr, (72n * WAD) / 100n);
      const receipt = await (await sink.kick(alice.address, wethAddr, LOT, TAB, DEBT, ZERO)).wait();
      const kicked = receipt?.logs
        .map((l) => (l.address === (auction.target as string) ? auction.interface.parseLog(l) : null))
        .find((e) => e?.name === "Kick");
      const id = kicked?.args.id as bigint;
      const start = (await auction.auctions(id)).startTime;
      // linear: price/top = 0.72 at 2,800 s
      await networkHelpers.time.setNextBlockTimestamp(start + 2_800n);
      await expect(auction.connect(bob).take(id, WAD, ORACLE, bob.address, "0x"))
        .to.emit(auction, "Take")
        .withArgs(
          id,
          bob.address,
          bob.address,
          (ORACLE * 9n) / 10n,
          (ORACLE * 9n) / 10n,
          WAD,
          anyValue,
          anyValue,
          anyValue,
        );
    });

    it("refuses a zero sink, oracle, stablecoin or kicker at construction, and tokens with more than 18 decimals", async function () {
      const { ethers, gov, risk, oracle, coin, sinkAddr, curve, auction } = await deploy();
      // oracle, stablecoin, sink, (breaker: may be zero, none), kicker
      const valid = [await oracle.getAddress(), await coin.getAddress(), sinkAddr, ZERO, sinkAddr];
      for (const i of [0, 1, 2, 4]) {
        const args = valid.map((a, k) => (k === i ? ZERO : a));
        await expect(
          ethers.deployContract("DutchAuction", [...args, risk.address, gov.address]),
        ).to.be.revertedWithCustomError(auction, "DutchAuction__ZeroAddress");
      }
      // with a zero breaker and every other address set, it deploys
      await ethers.deployContract("DutchAuction", [...valid, risk.address, gov.address]);
      const odd = await ethers.deployContract("MockERC20", ["X", "X", 19]);
      await expect(auction.setCurve(await odd.getAddress(), await curve.getAddress()))
        .to.be.revertedWithCustomError(auction, "DutchAuction__UnsupportedDecimals")
        .withArgs(await odd.getAddress(), 19);
    });
  });

  describe("kick", function () {
    it("starts at oracle x buf, records the lot, pays tip + chip x tab, tracks the tab in flight", async function () {
      const { auction, sink, weth, auctionAddr, sinkAddr, wethAddr, alice, keeper, expectBooksBalanced } =
        await deploy();
      const reward = TIP + (TAB * CHIP) / WAD;
      await expect(sink.kick(alice.address, wethAddr, LOT, TAB, DEBT, keeper.address))
        .to.emit(auction, "Kick")
        .withArgs(1n, alice.address, wethAddr, LOT, TAB, DEBT, START, keeper.address, reward);
      const a = await auction.auctions(1n);
      expect(a.account).to.equal(alice.address);
      expect(a.token).to.equal(wethAddr);
      expect(a.lot).to.equal(LOT);
      expect(a.tabWad).to.equal(TAB);
      expect(a.debtWad).to.equal(DEBT);
      expect(a.startPriceWad).to.equal(2_500n * WAD);
      // custody stays with the sink: the auction keeps only the record
      expect(await weth.balanceOf(auctionAddr)).to.equal(0n);
      expect(await weth.balanceOf(sinkAddr)).to.equal(1_000n * WAD);
      expect(await sink.lotsInAuctions(wethAddr)).to.equal(LOT);
      expect(await sink.keeperCreditOf(keeper.address)).to.equal(reward);
      expect(await sink.vaultCreditWad()).to.equal(VAULT - reward);
      expect(await auction.totalTabInFlightWad()).to.equal(TAB);
      expect(await auction.tabInFlightWad(wethAddr)).to.equal(TAB);
      expect(await auction.tabsInFlightWad(wethAddr)).to.deep.equal([TAB, TAB]);
      expect(await auction.kicks()).to.equal(1n);
      const [needsRedo, price, lot, tab] = await auction.getStatus(1n);
      expect([needsRedo, lot, tab]).to.deep.equal([false, LOT, TAB]);
      expect(price).to.be.lessThanOrEqual(START);
      await expectBooksBalanced();
    });

    it("pays no reward when the keeper is address(0)", async function () {
      const { auction, sink, kick } = await deploy();
      await kick({ keeperAddr: ZERO });
      expect(await sink.keeperCreditsWad()).to.equal(0n);
      expect(await sink.vaultCreditWad()).to.equal(VAULT);
      expect(await auction.kicks()).to.equal(1n);
    });

    it("pays no kick reward that reaches the penalty the account pays (tab - debt)", async function () {
      const { auction, sink, alice, keeper, wethAddr, expectBooksBalanced } = await deploy();
      const tab = 1_000n * WAD;
      const reward = TIP + (tab * CHIP) / WAD; // 20 = the penalty below
      await expect(sink.kick(alice.address, wethAddr, LOT, tab, tab - reward, keeper.address))
        .to.emit(auction, "Kick")
        .withArgs(1n, alice.address, wethAddr, LOT, tab, tab - reward, START, keeper.address, 0n);
      expect(await sink.keeperCreditsWad()).to.equal(0n);
      await expect(sink.kick(alice.address, wethAddr, LOT, tab, tab - reward - 1n, keeper.address))
        .to.emit(auction, "Kick")
        .withArgs(2n, alice.address, wethAddr, LOT, tab, tab - reward - 1n, START, keeper.address, reward);
      expect(await sink.keeperCreditOf(keeper.address)).to.equal(reward);
      await expectBooksBalanced();
    });

    it("is for its kicker only", async function () {
      const { auction, alice, wethAddr, snapshot } = await deploy();
      const before = await snapshot([]);
      await expect(
        auction.connect(alice).kick(alice.address, wethAddr, LOT, TAB, DEBT, alice.address, ORACLE),
      )
        .to.be.revertedWithCustomError(auction, "DutchAuction__NotKicker")
        .withArgs(alice.address);
      expect(await snapshot([])).to.deep.equal(before);
    });

    it("reverts with a clear error when the oracle is not ok, changing nothing", async function () {
      const { auction, sink, oracle, alice, keeper, wethAddr, snapshot } = await deploy();
      await oracle.setPrice(wethAddr, ORACLE, false);
      const before = await snapshot([1n]);
      await expect(sink.kick(alice.address, wethAddr, LOT, TAB, DEBT, keeper.address))
        .to.be.revertedWithCustomError(auction, "DutchAuction__OracleNotOk")
        .withArgs(wethAddr);
      expect(await snapshot([1n])).to.deep.equal(before);
    });

    it("rejects bad inputs and unconfigured assets", async function () {
      const { ethers, auction, sink, alice, keeper, wethAddr, curve, snapshot } = await deploy();
      const before = await snapshot([]);
      await expect(sink.kick(alice.address, wethAddr, LOT, TAB, TAB + 1n, keeper.address))
        .to.be.revertedWithCustomError(auction, "DutchAuction__DebtAboveTab")
        .withArgs(TAB + 1n, TAB);
      await expect(
        sink.kick(alice.address, wethAddr, 0n, TAB, DEBT, keeper.address),
      ).to.be.revertedWithCustomError(auction, "DutchAuction__ZeroAmount");
      await expect(sink.kick(ZERO, wethAddr, LOT, TAB, DEBT, keeper.address)).to.be.revertedWithCustomError(
        auction,
        "DutchAuction__ZeroAddress",
      );
      const usdc = await ethers.deployContract("MockERC20", ["USDC", "USDC", 6]);
      await expect(sink.kick(alice.address, await usdc.getAddress(), LOT, TAB, DEBT, keeper.address))
        .to.be.revertedWithCustomError(auction, "DutchAuction__AssetNotConfigured")
        .withArgs(await usdc.getAddress());
      // listed (curve set) but buf/tail/cusp not set yet
      await auction.setCurve(await usdc.getAddress(), await curve.getAddress());
      await expect(
        sink.kick(alice.address, await usdc.getAddress(), LOT, TAB, DEBT, keeper.address),
      ).to.be.revertedWithCustomError(auction, "DutchAuction__AssetNotConfigured");
      expect(await snapshot([])).to.deep.equal(before);
    });
  });

  describe("take", function () {
    it("partial take: pays slice x price rounded up, splits debt and penalty pro rata", async function () {
      const { auction, sink, coin, weth, bob, networkHelpers, kick, expectBooksBalanced, wethAddr } =
        await deploy();
      const { id, start } = await kick();
      const supplyBefore = await coin.totalSupply();
      const bobBefore = await coin.balanceOf(bob.address);
      const vaultBefore = await sink.vaultCreditWad();
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      const price = linear(START, 2_000n); // 2,000
      const slice = 2n * WAD;
      const owe = mulDivUp(slice, price, WAD);
      const covered = mulDivDown(owe, DEBT, TAB);
      await expect(auction.connect(bob).take(id, slice, price, bob.address, "0x"))
        .to.emit(auction, "Take")
        .withArgs(id, bob.address, bob.address, price, owe, slice, covered, TAB - owe, LOT - slice);
      expect(await weth.balanceOf(bob.address)).to.equal(slice);
      expect(await coin.balanceOf(bob.address)).to.equal(bobBefore - owe);
      expect(await coin.totalSupply()).to.equal(supplyBefore - owe); // burned by the sink
      expect(await coin.balanceOf(await auction.getAddress())).to.equal(0n);
      expect(await sink.lastPaidWad()).to.equal(owe);
      expect(await sink.lastDebtCoveredWad()).to.equal(covered);
      expect(await sink.vaultCreditWad()).to.equal(vaultBefore + owe - covered);
      const a = await auction.auctions(id);
      expect([a.lot, a.tabWad, a.debtWad]).to.deep.equal([LOT - slice, TAB - owe, DEBT - covered]);
      expect(a.debtWad).to.be.lessThanOrEqual(a.tabWad);
      expect(await auction.totalTabInFlightWad()).to.equal(TAB - owe);
      expect(await auction.tabInFlightWad(wethAddr)).to.equal(TAB - owe);
      expect(await sink.endCount()).to.equal(0n);
      await expectBooksBalanced();
    });

    it("full take: pays exactly the tab, returns the excess lot through onAuctionEnd", async function () {
      const { auction, sink, weth, bob, alice, networkHelpers, kick, expectBooksBalanced, wethAddr } =
        await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      const price = linear(START, 2_000n);
      const slice = mulDivDown(TAB, WAD, price); // 5.65 WETH
      const debtInBefore = await sink.debtInAuctionsWad();
      await expect(auction.connect(bob).take(id, LOT, price, bob.address, "0x"))
        .to.emit(auction, "AuctionEnded")
        .withArgs(id, alice.address, wethAddr, LOT - slice, 0n);
      expect(slice).to.equal((565n * WAD) / 100n);
      expect(await weth.balanceOf(bob.address)).to.equal(slice);
      expect(await weth.balanceOf(alice.address)).to.equal(LOT - slice);
      expect(await sink.returnedOf(alice.address, wethAddr)).to.equal(LOT - slice);
      expect(await weth.balanceOf(await auction.getAddress())).to.equal(0n);
      expect(await sink.lastPaidWad()).to.equal(TAB);
      expect(await sink.lastDebtCoveredWad()).to.equal(DEBT);
      expect(await sink.debtInAuctionsWad()).to.equal(debtInBefore - DEBT);
      expect(await sink.lastEndLot()).to.equal(LOT - slice);
      expect(await sink.lastEndDebtWad()).to.equal(0n);
      expect((await auction.auctions(id)).account).to.equal(ZERO);
      expect(await auction.totalTabInFlightWad()).to.equal(0n);
      expect(await auction.tabInFlightWad(wethAddr)).to.equal(0n);
      expect(await auction.getStatus(id)).to.deep.equal([false, 0n, 0n, 0n]);
      await expectBooksBalanced();
    });

    it("lot exhausted with tab left: the ending take reports the bad debt, vault covers it", async function () {
      const { auction, sink, bob, alice, networkHelpers, kick, expectBooksBalanced, wethAddr } =
        await deploy();
      const tab = 22_600n * WAD;
      const debt = 20_000n * WAD;
      const { id, start } = await kick({ tab, debt });
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      const price = linear(START, 2_000n);
      const owe = mulDivUp(LOT, price, WAD); // 20,000 < tab
      const covered = mulDivDown(owe, debt, tab);
      const vaultBefore = await sink.vaultCreditWad();
      await expect(auction.connect(bob).take(id, LOT, price, bob.address, "0x"))
        .to.emit(auction, "AuctionEnded")
        .withArgs(id, alice.address, wethAddr, 0n, debt - covered);
      expect(await sink.lastEndDebtWad()).to.equal(debt - covered);
      expect(await sink.lastEndLot()).to.equal(0n);
      // vault: + penalty part of the payment - bad debt
      expect(await sink.vaultCreditWad()).to.equal(vaultBefore + (owe - covered) - (debt - covered));
      expect(await sink.deficitWad()).to.equal(0n);
      expect(await sink.debtInAuctionsWad()).to.equal(0n);
      expect(await auction.totalTabInFlightWad()).to.equal(0n);
      await expectBooksBalanced();
    });

    it("bad debt beyond the vault's credit becomes deficit", async function () {
      const { auction, sink, bob, networkHelpers, expectBooksBalanced, wethAddr, alice, kickedId } =
        await deploy();
      // an auction whose bad debt exceeds the vault's whole credit
      const tab = 2_000_000n * WAD;
      const debt = 1_900_000n * WAD;
      await sink.fund(alice.address, debt); // account debt the kick moves into the auction
      const id = await kickedId(await sink.kick(alice.address, wethAddr, LOT, tab, debt, ZERO));
      const start = (await auction.auctions(id)).startTime;
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      const price = linear(START, 2_000n);
      const owe = mulDivUp(LOT, price, WAD);
      const covered = mulDivDown(owe, debt, tab);
      const vaultBefore = await sink.vaultCreditWad();
      await auction.connect(bob).take(id, LOT, price, bob.address, "0x");
      const badDebt = debt - covered;
      const vaultAfterPenalty = vaultBefore + owe - covered;
      expect(badDebt).to.be.greaterThan(vaultAfterPenalty);
      expect(await sink.vaultCreditWad()).to.equal(0n);
      expect(await sink.deficitWad()).to.equal(badDebt - vaultAfterPenalty);
      await expectBooksBalanced();
    });

    it("never gives more collateral than paid for (8-decimal token, awkward numbers)", async function () {
      const { auction, wbtc, bob, networkHelpers, kick, wbtcAddr, expectBooksBalanced } = await deploy();
      const lot = 123_456_789n; // 1.23456789 BTC
      const tab = 31_337n * WAD + 777n;
      const debt = 27_000n * WAD + 1n;
      const { id, start } = await kick({ token: wbtcAddr, lot, tab, debt });
      const top = mulDivUp(60_000n * WAD, BUF, WAD);
      // partial take of an odd amount
      await networkHelpers.time.setNextBlockTimestamp(start + 1_234n);
      const p1 = linear(top, 1_234n);
      const s1 = 33_333_333n;
      const owe1 = mulDivUp(s1, p1, 10n ** 8n);
      await auction.connect(bob).take(id, s1, p1, bob.address, "0x");
      expect(owe1 * 10n ** 8n).to.be.greaterThanOrEqual(s1 * p1);
      let a = await auction.auctions(id);
      expect(a.tabWad).to.equal(tab - owe1);
      expect(a.debtWad).to.equal(debt - mulDivDown(owe1, debt, tab));
      // final take clears the tab
      await networkHelpers.time.setNextBlockTimestamp(start + 2_345n);
      const p2 = linear(top, 2_345n);
      const tabLeft = a.tabWad;
      const s2 = mulDivDown(tabLeft, 10n ** 8n, p2);
      await auction.connect(bob).take(id, lot, p2, bob.address, "0x");
      expect(s2 * p2).to.be.lessThanOrEqual(tabLeft * 10n ** 8n);
      expect(await wbtc.balanceOf(bob.address)).to.equal(s1 + s2);
      a = await auction.auctions(id);
      expect(a.account).to.equal(ZERO);
      await expectBooksBalanced();
    });

    it("sends collateral before the callback, then pulls payment (flash take)", async function () {
      const { sink, coin, weth, taker, networkHelpers, kick, wethAddr, expectBooksBalanced } = await deploy();
      await sink.fund(await taker.getAddress(), 100_000n * WAD);
      await taker.setCollateral(wethAddr);
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + 1_000n);
      const price = linear(START, 1_000n);
      const slice = 3n * WAD;
      const owe = mulDivUp(slice, price, WAD);
      await taker.takeAuction(id, slice, price, "0xbeef");
      expect(await taker.callbackCount()).to.equal(1n);
      expect(await taker.lastSender()).to.equal(await taker.getAddress());
      expect(await taker.lastOweWad()).to.equal(owe);
      expect(await taker.lastSlice()).to.equal(slice);
      expect(await taker.lastData()).to.equal("0xbeef");
      expect(await taker.collateralAtCallback()).to.equal(slice);
      expect(await weth.balanceOf(await taker.getAddress())).to.equal(slice);
      expect(await coin.balanceOf(await taker.getAddress())).to.equal(100_000n * WAD - owe);
      await expectBooksBalanced();
    });

    it("calls back a receiver that is not the payer, pulling from the caller", async function () {
      const { auction, coin, bob, taker, networkHelpers, kick } = await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + 1_000n);
      const price = linear(START, 1_000n);
      const owe = mulDivUp(WAD, price, WAD);
      const before = await coin.balanceOf(bob.address);
      await auction.connect(bob).take(id, WAD, price, await taker.getAddress(), "0x01");
      expect(await taker.lastSender()).to.equal(bob.address);
      expect(await coin.balanceOf(bob.address)).to.equal(before - owe);
    });

    it("a callback that does not pay makes the whole take revert", async function () {
      const { coin, sink, taker, networkHelpers, kick, snapshot } = await deploy();
      await sink.fund(await taker.getAddress(), 10n * WAD); // far too little
      const { id, start } = await kick();
      const before = await snapshot([id]);
      await networkHelpers.time.setNextBlockTimestamp(start + 1_000n);
      await expect(taker.takeAuction(id, WAD, 10n ** 30n, "0x01")).to.be.revertedWithCustomError(
        coin,
        "ERC20InsufficientBalance",
      );
      expect(await snapshot([id])).to.deep.equal(before);
    });

    it("blocks reentrant take, redo and kick from the callback", async function () {
      const { auction, bob, reentrant, kick, snapshot } = await deploy();
      const { id } = await kick();
      const before = await snapshot([id]);
      const receiver = await reentrant.getAddress();
      for (const mode of [1n, 2n, 3n]) {
        await reentrant.setMode(mode, id);
        await expect(
          auction.connect(bob).take(id, WAD, 10n ** 30n, receiver, "0x01"),
        ).to.be.revertedWithCustomError(auction, "ReentrancyGuardReentrantCall");
      }
      expect(await snapshot([id])).to.deep.equal(before);
    });

    it("reverts above the taker's max price, with the exact price", async function () {
      const { auction, bob, networkHelpers, kick, snapshot } = await deploy();
      const { id, start } = await kick();
      const before = await snapshot([id]);
      await networkHelpers.time.setNextBlockTimestamp(start + 100n);
      const price = linear(START, 100n);
      await expect(auction.connect(bob).take(id, WAD, price - 1n, bob.address, "0x"))
        .to.be.revertedWithCustomError(auction, "DutchAuction__PriceAboveMax")
        .withArgs(price, price - 1n);
      expect(await snapshot([id])).to.deep.equal(before);
    });

    it("reverts when the auction needs a redo: after tail, or below cusp", async function () {
      const { auction, risk, bob, networkHelpers, kick, snapshot, wethAddr } = await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.increaseTo(start + TAIL);
      expect((await auction.getStatus(id))[0]).to.equal(false);
      const before = await snapshot([id]);
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL + 1n);
      await expect(auction.connect(bob).take(id, WAD, 10n ** 30n, bob.address, "0x"))
        .to.be.revertedWithCustomError(auction, "DutchAuction__NeedsRedo")
        .withArgs(id);
      expect(await snapshot([id])).to.deep.equal(before);
      await networkHelpers.time.increaseTo(start + TAIL + 1n); // views read the latest block
      expect((await auction.getStatus(id))[0]).to.equal(true);

      // cusp: with cusp 0.9, a 10%+ fall needs a redo long before tail (buf 1 first: a take must
      // be able to pay 0.9 x the oracle price, MAX_FLOOR_WAD)
      await auction.connect(risk).setParam(await auction.BUF_WAD(), wethAddr, WAD);
      await auction.connect(risk).setParam(await auction.CUSP_WAD(), wethAddr, (9n * WAD) / 10n);
      const { id: id2, start: start2 } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start2 + 1_001n); // price/top = 0.8999
      await expect(
        auction.connect(bob).take(id2, WAD, 10n ** 30n, bob.address, "0x"),
      ).to.be.revertedWithCustomError(auction, "DutchAuction__NeedsRedo");
    });

    it("rejects unknown auctions, zero amounts and invalid receivers", async function () {
      const { auction, bob, kick, sinkAddr, auctionAddr } = await deploy();
      const { id } = await kick();
      await expect(auction.connect(bob).take(99n, WAD, 10n ** 30n, bob.address, "0x"))
        .to.be.revertedWithCustomError(auction, "DutchAuction__NotRunning")
        .withArgs(99n);
      await expect(
        auction.connect(bob).take(id, 0n, 10n ** 30n, bob.address, "0x"),
      ).to.be.revertedWithCustomError(auction, "DutchAuction__ZeroAmount");
      for (const r of [ZERO, sinkAddr, auctionAddr]) {
        await expect(auction.connect(bob).take(id, WAD, 10n ** 30n, r, "0x"))
          .to.be.revertedWithCustomError(auction, "DutchAuction__InvalidReceiver")
          .withArgs(r);
      }
    });
  });

  describe("dust rule (Maker's)", function () {
    it("cuts a take that would leave a tab below dust so that exactly dust is left", async function () {
      const { auction, weth, bob, networkHelpers, kick, expectBooksBalanced } = await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      const price = linear(START, 2_000n); // 2,000: 5.62 WETH would cost 11,240 and leave 60 < 100
      const owe = TAB - DUST;
      const slice = mulDivDown(owe, WAD, price);
      await expect(auction.connect(bob).take(id, (562n * WAD) / 100n, price, bob.address, "0x"))
        .to.emit(auction, "Take")
        .withArgs(
          id,
          bob.address,
          bob.address,
          price,
          owe,
          slice,
          mulDivDown(owe, DEBT, TAB),
          DUST,
          LOT - slice,
        );
      expect(await weth.balanceOf(bob.address)).to.equal((56n * WAD) / 10n);
      expect((await auction.auctions(id)).tabWad).to.equal(DUST);
      await expectBooksBalanced();
    });

    it("refuses a partial take when the tab is not above dust; whole-tab takes still work", async function () {
      const { auction, risk, bob, networkHelpers, kick, snapshot, wethAddr } = await deploy();
      await auction.connect(risk).setParam(await auction.DUST_WAD(), wethAddr, 20_000n * WAD);
      const { id, start } = await kick();
      const before = await snapshot([id]);
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      await expect(auction.connect(bob).take(id, WAD, 10n ** 30n, bob.address, "0x"))
        .to.be.revertedWithCustomError(auction, "DutchAuction__NoPartialPurchase")
        .withArgs(TAB, 20_000n * WAD);
      expect(await snapshot([id])).to.deep.equal(before);
      await networkHelpers.time.setNextBlockTimestamp(start + 2_001n);
      await auction.connect(bob).take(id, LOT, 10n ** 30n, bob.address, "0x");
      expect(await auction.getStatus(id)).to.deep.equal([false, 0n, 0n, 0n]);
    });

    it("allows a take that leaves exactly dust", async function () {
      const { auction, bob, networkHelpers, kick } = await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + 2_000n);
      await auction.connect(bob).take(id, (56n * WAD) / 10n, 10n ** 30n, bob.address, "0x");
      expect((await auction.auctions(id)).tabWad).to.equal(DUST);
    });
  });

  describe("redo", function () {
    it("only when needed; restarts at the new oracle x buf and pays the keeper once", async function () {
      const { auction, sink, oracle, bob, keeper, other, networkHelpers, kick, snapshot, wethAddr, alice } =
        await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL);
      await expect(auction.connect(other).redo(id, other.address))
        .to.be.revertedWithCustomError(auction, "DutchAuction__NoRedoNeeded")
        .withArgs(id);
      await oracle.setPrice(wethAddr, 1_800n * WAD, true);
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL + 10n);
      const newStart = mulDivUp(1_800n * WAD, BUF, WAD);
      const reward = TIP + (TAB * CHIP) / WAD;
      const keeperBefore = await sink.keeperCreditOf(other.address);
      await expect(auction.connect(other).redo(id, other.address))
        .to.emit(auction, "Redo")
        .withArgs(id, alice.address, wethAddr, LOT, TAB, newStart, other.address, reward);
      const a = await auction.auctions(id);
      expect(a.startTime).to.equal(start + TAIL + 10n);
      expect(a.startPriceWad).to.equal(newStart);
      expect([a.lot, a.tabWad, a.debtWad]).to.deep.equal([LOT, TAB, DEBT]);
      expect(await sink.keeperCreditOf(other.address)).to.equal(keeperBefore + reward);
      // a second redo right away is refused: the auction is fresh again
      const before = await snapshot([id]);
      await expect(auction.connect(other).redo(id, other.address)).to.be.revertedWithCustomError(
        auction,
        "DutchAuction__NoRedoNeeded",
      );
      expect(await snapshot([id])).to.deep.equal(before);
      // and takeable at the restarted curve
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL + 1_010n);
      const price = linear(newStart, 1_000n);
      await expect(auction.connect(bob).take(id, WAD, price, bob.address, "0x")).to.emit(auction, "Take");
      expect(await sink.keeperCreditOf(keeper.address)).to.equal(reward); // kick reward only
    });

    it("pays nothing when the tab is below dust, or dust is zero", async function () {
      const { auction, risk, sink, other, networkHelpers, kick, wethAddr } = await deploy();
      const small = await kick({ tab: 90n * WAD, debt: 80n * WAD });
      await networkHelpers.time.setNextBlockTimestamp(small.start + TAIL + 1n);
      await expect(auction.connect(other).redo(small.id, other.address))
        .to.emit(auction, "Redo")
        .withArgs(
          small.id,
          await auction.auctions(small.id).then((a) => a.account),
          wethAddr,
          LOT,
          90n * WAD,
          START,
          other.address,
          0n,
        );
      expect(await sink.keeperCreditOf(other.address)).to.equal(0n);

      await auction.connect(risk).setParam(await auction.DUST_WAD(), wethAddr, 0n);
      const big = await kick();
      await networkHelpers.time.setNextBlockTimestamp(big.start + TAIL + 1n);
      await auction.connect(other).redo(big.id, other.address);
      expect(await sink.keeperCreditOf(other.address)).to.equal(0n);
    });

    it("pays nothing when the lot's oracle value is below dust", async function () {
      const { auction, sink, other, networkHelpers, kick } = await deploy();
      const { id, start } = await kick({ lot: WAD / 100n }); // 0.01 WETH = $20 < $100
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL + 1n);
      await auction.connect(other).redo(id, other.address);
      expect(await sink.keeperCreditOf(other.address)).to.equal(0n);
    });

    it("reverts when the oracle is not ok, and for auctions not running", async function () {
      const { auction, oracle, other, networkHelpers, kick, snapshot, wethAddr } = await deploy();
      const { id, start } = await kick();
      await oracle.setPrice(wethAddr, ORACLE, false);
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL + 1n);
      const before = await snapshot([id]);
      await expect(auction.connect(other).redo(id, other.address))
        .to.be.revertedWithCustomError(auction, "DutchAuction__OracleNotOk")
        .withArgs(wethAddr);
      expect(await snapshot([id])).to.deep.equal(before);
      await expect(auction.connect(other).redo(42n, other.address))
        .to.be.revertedWithCustomError(auction, "DutchAuction__NotRunning")
        .withArgs(42n);
    });
  });

  describe("views and bookkeeping", function () {
    it("recycles ended records under new, unique ids and keeps the tab in flight per asset", async function () {
      const {
        auction,
        bob,
        alice,
        keeper,
        sink,
        networkHelpers,
        kick,
        kickedId,
        wethAddr,
        wbtcAddr,
        snapshot,
      } = await deploy();
      const a1 = await kick();
      const a2 = await kick({ tab: 5_000n * WAD, debt: 4_000n * WAD });
      const a3 = await kick({
        token: wbtcAddr,
        lot: 10n ** 8n,
        tab: 30_000n * WAD,
        debt: 26_000n * WAD,
      });
      // fresh storage: the id is the kick number
      expect([a1.id, a2.id, a3.id]).to.deep.equal([1n, 2n, 3n]);
      expect(await auction.totalTabInFlightWad()).to.equal(TAB + 35_000n * WAD);
      expect(await auction.tabInFlightWad(wethAddr)).to.equal(TAB + 5_000n * WAD);
      expect(await auction.tabsInFlightWad(wbtcAddr)).to.deep.equal([TAB + 35_000n * WAD, 30_000n * WAD]);
      await networkHelpers.time.setNextBlockTimestamp(a1.start + 100n);
      await auction.connect(bob).take(1n, LOT, 10n ** 30n, bob.address, "0x");
      expect(await auction.tabInFlightWad(wethAddr)).to.equal(5_000n * WAD);
      expect(await auction.totalTabInFlightWad()).to.equal(35_000n * WAD);
      expect((await auction.auctions(1n)).account).to.equal(ZERO);

      // the next kick reuses record 1 under id 4 | 1 << 64
      const a4 = await kick({ tab: 7_000n * WAD, debt: 6_000n * WAD });
      const reused = 4n | (1n << 64n);
      expect(a4.id).to.equal(reused);
      expect(await auction.kicks()).to.equal(4n);
      const r4 = await auction.auctions(reused);
      expect([r4.account, r4.token, r4.lot, r4.tabWad, r4.debtWad]).to.deep.equal([
        alice.address,
        wethAddr,
        LOT,
        7_000n * WAD,
        6_000n * WAD,
      ]);
      expect(await auction.tabsInFlightWad(wethAddr)).to.deep.equal([42_000n * WAD, 12_000n * WAD]);
      // the old id stays dead, and no other spelling reaches the new auction
      const before = await snapshot([1n, reused]);
      for (const dead of [1n, 4n, 1n | (1n << 64n), 4n | (4n << 64n), reused | (1n << 40n)]) {
        expect(await auction.getStatus(dead)).to.deep.equal([false, 0n, 0n, 0n]);
        expect((await auction.auctions(dead)).account).to.equal(ZERO);
        await expect(auction.connect(bob).take(dead, LOT, 10n ** 30n, bob.address, "0x"))
          .to.be.revertedWithCustomError(auction, "DutchAuction__NotRunning")
          .withArgs(dead);
        await expect(auction.connect(keeper).redo(dead, keeper.address))
          .to.be.revertedWithCustomError(auction, "DutchAuction__NotRunning")
          .withArgs(dead);
      }
      expect(await snapshot([1n, reused])).to.deep.equal(before);

      // two more ends free records 2 and 1 (last freed, first reused); then fresh storage again
      await auction.connect(bob).take(2n, LOT, 10n ** 30n, bob.address, "0x");
      await auction.connect(bob).take(reused, LOT, 10n ** 30n, bob.address, "0x");
      expect(await auction.tabsInFlightWad(wethAddr)).to.deep.equal([30_000n * WAD, 0n]);
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await kickedId(await sink.kick(alice.address, wethAddr, LOT, TAB, DEBT, keeper.address)));
      }
      expect(ids).to.deep.equal([5n | (1n << 64n), 6n | (2n << 64n), 7n]);
      for (const id of ids) expect((await auction.auctions(id)).tabWad).to.equal(TAB);
      expect(await auction.tabsInFlightWad(wethAddr)).to.deep.equal([30_000n * WAD + 3n * TAB, 3n * TAB]);
      expect((await auction.auctions(3n)).token).to.equal(wbtcAddr);
      // a recycled auction is redone and taken under its id like any other
      const start = (await auction.auctions(ids[0])).startTime;
      await networkHelpers.time.setNextBlockTimestamp(start + TAIL + 1n);
      await expect(auction.connect(keeper).redo(ids[0], keeper.address))
        .to.emit(auction, "Redo")
        .withArgs(ids[0], alice.address, wethAddr, LOT, TAB, START, keeper.address, TIP + (TAB * CHIP) / WAD);
      expect((await auction.auctions(ids[0])).startTime).to.equal(start + TAIL + 1n);
      await expect(auction.connect(bob).take(ids[0], LOT, 10n ** 30n, bob.address, "0x"))
        .to.emit(auction, "AuctionEnded")
        .withArgs(ids[0], alice.address, wethAddr, (n: bigint) => n > 0n, 0n);
      expect(await auction.getStatus(ids[0])).to.deep.equal([false, 0n, 0n, 0n]);
    });

    it("getStatus follows the curve and never reverts for unknown ids", async function () {
      const { auction, networkHelpers, kick } = await deploy();
      const { id, start } = await kick();
      await networkHelpers.time.increaseTo(start + 3_000n);
      const [needsRedo, price, lot, tab] = await auction.getStatus(id);
      expect(needsRedo).to.equal(false);
      expect(price).to.equal(linear(START, 3_000n));
      expect([lot, tab]).to.deep.equal([LOT, TAB]);
      expect(await auction.getStatus(77n)).to.deep.equal([false, 0n, 0n, 0n]);
    });
  });

  describe("payment burned straight from the taker", function () {
    it("spends the taker's allowance to the auction and never moves stablecoin into it", async function () {
      const { auction, coin, sink, bob, other, auctionAddr, networkHelpers, kick } = await deploy();
      await sink.fund(other.address, 100_000n * WAD);
      const owe = TAB; // the whole tab (the lot is worth more at any price near the start)
      await coin.connect(other).approve(auctionAddr, owe + 5n);
      const { id, start } = await kick();
      await networkHelpers.time.setNextBlockTimestamp(start + 1n);
      const supply = await coin.totalSupply();
      await expect(auction.connect(other).take(id, LOT, 10n ** 30n, other.address, "0x"))
        .to.emit(coin, "Transfer")
        .withArgs(other.address, ZERO, owe);
      expect(await coin.allowance(other.address, auctionAddr)).to.equal(5n);
      expect(await coin.balanceOf(other.address)).to.equal(100_000n * WAD - owe);
      expect(await coin.totalSupply()).to.equal(supply - owe);
      expect(await coin.balanceOf(auctionAddr)).to.equal(0n);
      // an unlimited allowance stays unlimited
      const second = await kick();
      await networkHelpers.time.setNextBlockTimestamp(second.start + 1n);
      await auction.connect(bob).take(second.id, LOT, 10n ** 30n, bob.address, "0x");
      expect(await coin.allowance(bob.address, auctionAddr)).to.equal(2n ** 256n - 1n);
    });

    it("without enough allowance the take reverts as a transferFrom would, nothing moves", async function () {
      const { auction, coin, sink, other, auctionAddr, networkHelpers, kick, snapshot } = await deploy();
      await sink.fund(other.address, 100_000n * WAD);
      await coin.connect(other).approve(auctionAddr, TAB - 1n);
      const { id, start } = await kick();
      const before = [...(await snapshot([id])), await coin.balanceOf(other.address)];
      await networkHelpers.time.setNextBlockTimestamp(start + 1n);
      await expect(auction.connect(other).take(id, LOT, 10n ** 30n, other.address, "0x"))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance")
        .withArgs(auctionAddr, TAB - 1n, TAB);
      expect([...(await snapshot([id])), await coin.balanceOf(other.address)]).to.deep.equal(before);
    });

    it("Stablecoin.burnFrom: minter only; spends the allowance, then burns (allowance error first)", async function () {
      const { ethers } = await network.create();
      const [minter, holder, spender] = await ethers.getSigners();
      const coin = (await ethers.deployContract("Stablecoin", [minter.address])) as unknown as Stablecoin;
      await coin.connect(minter).mint(holder.address, 10n * WAD);
      await expect(coin.connect(spender).burnFrom(holder.address, spender.address, 1n))
        .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
        .withArgs(spender.address);
      await expect(coin.connect(minter).burnFrom(holder.address, spender.address, 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance")
        .withArgs(spender.address, 0n, 1n);
      await coin.connect(holder).approve(spender.address, 20n * WAD);
      await expect(coin.connect(minter).burnFrom(holder.address, spender.address, 11n * WAD))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(holder.address, 10n * WAD, 11n * WAD);
      expect([await coin.balanceOf(holder.address), await coin.totalSupply()]).to.deep.equal([
        10n * WAD,
        10n * WAD,
      ]);
      await expect(coin.connect(minter).burnFrom(holder.address, spender.address, 4n * WAD))
        .to.emit(coin, "Transfer")
        .withArgs(holder.address, ZERO, 4n * WAD);
      expect(await coin.allowance(holder.address, spender.address)).to.equal(16n * WAD);
      expect([await coin.balanceOf(holder.address), await coin.totalSupply()]).to.deep.equal([
        6n * WAD,
        6n * WAD,
      ]);
    });
  });
});
