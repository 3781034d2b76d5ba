import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import {
  addLiquidityValue,
  createPool,
  deployUniswapV3,
  encodePath,
  quoteExactInput,
  quoteExactInputPath,
  swapExactInput,
  type PoolHandle,
  type UniswapV3,
} from "../../../scripts/deploy/uniswap.js";
import type {
  DutchAuction,
  FlashLiquidator,
  LinearDecrease,
  MockAuctionSink,
  MockERC20,
  MockOracleRouter,
  Stablecoin,
} from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const BTC = 10n ** 8n;
const ZERO = "0x0000000000000000000000000000000000000000";

// the DutchAuction unit test's standard auction: 10 WETH for a tab of 11,300, oracle 2,000
const ORACLE = 2_000n * WAD;
const BTC_ORACLE = 60_000n * WAD;
const BUF = (125n * WAD) / 100n; // start at 2,500
const TAU = 10_000n; // linear curve reaches 0 after 10,000 s
const TAIL = 5_000n;
const CUSP = (4n * WAD) / 10n;
const CHIP = WAD / 100n;
const TIP = 10n * WAD;
const DUST = 100n * WAD;
const LOT = 10n * WAD;
const DEBT = 10_000n * WAD;
const TAB = 11_300n * WAD;
const FEE = 3000;
const POOL_USD = 10_000_000n * WAD; // each pool's full-range depth, in USD

const mulDivDown = (x: bigint, y: bigint, d: bigint): bigint => (x * y) / d;
const mulDivUp = (x: bigint, y: bigint, d: bigint): bigint => (x * y + d - 1n) / d;
const linear = (top: bigint, t: bigint): bigint => (t >= TAU ? 0n : (top * (TAU - t)) / TAU);
const START = mulDivUp(ORACLE, BUF, WAD);

/**
 * The auction side, as in test/unit/liquidation/DutchAuction.test.ts: real Stablecoin and
 * DutchAuction with a LinearDecrease curve, MockAuctionSink (liquidation engine + settlement, the
 * stablecoin's minter) and MockOracleRouter. Kept apart so it can follow changes in how the
 * auction receives and delivers collateral; `kick` is the only way the tests start auctions.
 */
async function deployAuctionWorld(connection: NetworkConnection) {
  const { ethers, networkHelpers } = connection;
  const [gov, risk, alice, keeper, lp, stranger, carol] = await ethers.getSigners();
  // the sink is the stablecoin's immutable minter: deployed right after it, at the next nonce
  const nonce = await ethers.provider.getTransactionCount(gov.address, "pending");
  const predictedSink = ethers.getCreateAddress({ from: gov.address, nonce: nonce + 1 });
  const coin = (await ethers.deployContract("Stablecoin", [predictedSink])) as unknown as Stablecoin;
  const coinAddr = await coin.getAddress();
  const sink = (await ethers.deployContract("MockAuctionSink", [coinAddr])) as unknown as MockAuctionSink;
  const sinkAddr = await sink.getAddress();
  expect(sinkAddr).to.equal(await coin.minter());
  const oracle = (await ethers.deployContract("MockOracleRouter")) as unknown as MockOracleRouter;
  const weth = (await ethers.deployContract("MockERC20", ["WETH", "WETH", 18])) as unknown as MockERC20;
  const wbtc = (await ethers.deployContract("MockERC20", ["WBTC", "WBTC", 8])) as unknown as MockERC20;
  const curve = (await ethers.deployContract("LinearDecrease", [TAU])) as unknown as LinearDecrease;
  const auction = (await ethers.deployContract("DutchAuction", [
    await oracle.getAddress(),
    coinAddr,
    sinkAddr,
    ZERO,
    sinkAddr, // the mock sink kicks
    risk.address,
    gov.address,
  ])) as unknown as DutchAuction;
  const auctionAddr = await auction.getAddress();
  const wethAddr = await weth.getAddress();
  const wbtcAddr = await wbtc.getAddress();

  await sink.setAuction(auctionAddr);
  const ar = auction.connect(risk);
  for (const token of [wethAddr, wbtcAddr]) {
    await auction.setCurve(token, await curve.getAddress());
    await ar.setParam(await auction.BUF_WAD(), token, BUF);
    await ar.setParam(await auction.TAIL_SECONDS(), token, TAIL);
    await ar.setParam(await auction.CUSP_WAD(), token, CUSP);
    await ar.setParam(await auction.CHIP_WAD(), token, CHIP);
    await ar.setParam(await auction.TIP_WAD(), token, TIP);
    await ar.setParam(await auction.DUST_WAD(), token, DUST);
  }
  await oracle.setPrice(wethAddr, ORACLE, true);
  await oracle.setPrice(wbtcAddr, BTC_ORACLE, true);
  await weth.mint(sinkAddr, 1_000n * WAD);
  await wbtc.mint(sinkAddr, 100n * BTC);
  await sink.seedVault(1_000_000n * WAD);

  /** Kicks an auction (default: 10 WETH for 11,300) and returns its id and start time. */
  async function kick(opts: { token?: string; lot?: bigint; tab?: bigint; debt?: bigint } = {}) {
    await sink.kick(
      alice.address,
      opts.token ?? wethAddr,
      opts.lot ?? LOT,
      opts.tab ?? TAB,
      opts.debt ?? DEBT,
      ZERO,
    );
    const id = await auction.kicks();
    return { id, start: (await auction.auctions(id)).startTime };
  }

  /** Mints `amount` of a token to `to`: stablecoin through the sink (keeps its books), mocks directly. */
  async function fund(token: string, to: string, amount: bigint): Promise<void> {
    if (token === coinAddr) await (await sink.fund(to, amount)).wait();
    else if (token === wethAddr) await (await weth.mint(to, amount)).wait();
    else if (token === wbtcAddr) await (await wbtc.mint(to, amount)).wait();
    else throw new Error(`cannot fund ${token}`);
  }

  return {
    ethers,
    networkHelpers,
    gov,
    alice,
    keeper,
    lp,
    stranger,
    carol,
    coin,
    sink,
    oracle,
    weth,
    wbtc,
    auction,
    auctionAddr,
    sinkAddr,
    coinAddr,
    wethAddr,
    wbtcAddr,
    kick,
    fund,
  };
}

/** The auction world plus real Uniswap v3 pools at the oracle prices and the FlashLiquidator. */
async function flashWorld(connection: NetworkConnection) {
  const w = await deployAuctionWorld(connection);
  const uni: UniswapV3 = await deployUniswapV3(w.lp);
  const ethPool: PoolHandle = await createPool(uni, w.wethAddr, w.coinAddr, FEE, ORACLE, 18, 18);
  await addLiquidityValue(uni, ethPool, POOL_USD, "full", { fund: w.fund });
  const flash = (await w.ethers.deployContract("FlashLiquidator", [
    w.auctionAddr,
    w.coinAddr,
    uni.addresses.router,
  ])) as unknown as FlashLiquidator;
  const flashAddr = await flash.getAddress();

  /** Everything a failed flash take must leave unchanged. */
  async function snapshot(id: bigint): Promise<unknown[]> {
    return [
      [...(await w.auction.auctions(id))],
      await w.auction.totalTabInFlightWad(),
      await w.sink.books(),
      await w.sink.paymentCount(),
      await w.coin.totalSupply(),
      await w.coin.balanceOf(w.carol.address),
      await w.coin.balanceOf(flashAddr),
      await w.weth.balanceOf(flashAddr),
      await w.weth.balanceOf(w.auctionAddr),
      (await ethPool.pool.slot0()).sqrtPriceX96,
    ];
  }

  /** Nothing stays in the FlashLiquidator: no tokens, no allowances. */
  async function expectEmpty(): Promise<void> {
    for (const t of [w.coin, w.weth, w.wbtc]) {
      expect(await t.balanceOf(flashAddr)).to.equal(0n);
      expect(await t.allowance(flashAddr, w.auctionAddr)).to.equal(0n);
      expect(await t.allowance(flashAddr, uni.addresses.router)).to.equal(0n);
    }
  }

  return { ...w, uni, ethPool, flash, flashAddr, snapshot, expectEmpty };
}

let connection: NetworkConnection | undefined;

/** A fresh copy of {@link flashWorld} (one in-process chain, restored from a snapshot per test). */
async function deploy() {
  connection ??= await network.create();
  return connection.networkHelpers.loadFixture(flashWorld);
}

describe("FlashLiquidator", function () {
  it("is wired to the auction, the stablecoin and the router, and refuses zero addresses", async function () {
    const { ethers, flash, auctionAddr, coinAddr, uni } = await deploy();
    expect(await flash.auction()).to.equal(auctionAddr);
    expect(await flash.stablecoin()).to.equal(coinAddr);
    expect(await flash.router()).to.equal(uni.addresses.router);
    await expect(
      ethers.deployContract("FlashLiquidator", [auctionAddr, coinAddr, ZERO]),
    ).to.be.revertedWithCustomError(flash, "FlashLiquidator__ZeroAddress");
  });

  it("takes the whole tab, sells the collateral on Uniswap, pays the auction and sends the profit", async function () {
    const f = await deploy();
    const { flash, flashAddr, auction, sink, coin, weth, wethAddr, alice, keeper, carol, uni, ethPool } = f;
    const { id, start } = await f.kick();
    // at 3,000 s the price is 1,750 < pool 2,000: 10 WETH would be worth 17,500 > tab, so the take
    // pays exactly the tab for 11,300 / 1,750 WETH
    const price = linear(START, 3_000n);
    const owe = TAB;
    const slice = mulDivDown(owe, WAD, price);
    const { amountOut: proceeds } = await quoteExactInput(uni, ethPool, wethAddr, slice);
    const profit = proceeds - owe;
    expect(profit > 1_000n * WAD).to.equal(true);
    const poolWeth = await weth.balanceOf(ethPool.address);
    const poolCoin = await coin.balanceOf(ethPool.address);

    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_000n);
    // minProfit = the exact profit: accepted (the bound is inclusive)
    const tx = flash.connect(keeper).takeAndSell(id, LOT, price, FEE, profit, carol.address);
    await expect(tx)
      .to.emit(flash, "FlashTake")
      .withArgs(id, wethAddr, carol.address, slice, owe, proceeds, profit);
    await expect(tx)
      .to.emit(auction, "Take")
      .withArgs(id, flashAddr, flashAddr, price, owe, slice, DEBT, 0n, LOT - slice);
    const receipt = await (await tx).wait();
    console.log(`      gas of a takeAndSell that ends the auction: ${receipt?.gasUsed}`);

    expect(await coin.balanceOf(carol.address)).to.equal(profit);
    expect(await coin.balanceOf(keeper.address)).to.equal(0n);
    expect(await weth.balanceOf(ethPool.address)).to.equal(poolWeth + slice);
    expect(await coin.balanceOf(ethPool.address)).to.equal(poolCoin - proceeds);
    expect(await sink.lastPaidWad()).to.equal(owe);
    expect(await sink.returnedOf(alice.address, wethAddr)).to.equal(LOT - slice);
    expect((await auction.auctions(id)).account).to.equal(ZERO);
    const [liabilities, assets] = await sink.books();
    expect(liabilities).to.equal(assets);
    await f.expectEmpty();
  });

  it("takes part of a lot: buys exactly maxAmount, the auction keeps the rest", async function () {
    const f = await deploy();
    const { flash, auction, coin, wethAddr, keeper, carol, uni, ethPool } = f;
    const { id, start } = await f.kick();
    const price = linear(START, 3_000n);
    const slice = 2n * WAD;
    const owe = mulDivUp(slice, price, WAD); // 3,500
    const { amountOut: proceeds } = await quoteExactInput(uni, ethPool, wethAddr, slice);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_000n);
    await expect(flash.connect(keeper).takeAndSell(id, slice, price, FEE, 0n, carol.address))
      .to.emit(flash, "FlashTake")
      .withArgs(id, wethAddr, carol.address, slice, owe, proceeds, proceeds - owe);
    expect(await coin.balanceOf(carol.address)).to.equal(proceeds - owe);
    const a = await auction.auctions(id);
    expect(a.lot).to.equal(LOT - slice);
    expect(a.tabWad).to.equal(TAB - owe);
    expect(a.debtWad).to.equal(DEBT - mulDivDown(owe, DEBT, TAB));
    await f.expectEmpty();

    // and a second flash take finishes it
    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_010n);
    await flash.connect(keeper).takeAndSell(id, LOT, price, FEE, 0n, carol.address);
    expect((await auction.auctions(id)).account).to.equal(ZERO);
    await f.expectEmpty();
  });

  it("reverts when the auction is priced above the pool, and changes nothing", async function () {
    const f = await deploy();
    const { flash, keeper, carol, wethAddr, uni, ethPool } = f;
    const { id, start } = await f.kick();
    // at 100 s the price is 2,475 > pool 2,000
    const price = linear(START, 100n);
    const slice = mulDivDown(TAB, WAD, price);
    const { amountOut: proceeds } = await quoteExactInput(uni, ethPool, wethAddr, slice);
    expect(proceeds < TAB).to.equal(true);
    const before = await f.snapshot(id);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 100n);
    await expect(flash.connect(keeper).takeAndSell(id, LOT, price, FEE, 0n, carol.address))
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__InsufficientProceeds")
      .withArgs(proceeds, TAB);
    expect(await f.snapshot(id)).to.deep.equal(before);
  });

  it("reverts below the minimum profit with the exact profit, and changes nothing", async function () {
    const f = await deploy();
    const { flash, keeper, carol, wethAddr, uni, ethPool } = f;
    const { id, start } = await f.kick();
    const price = linear(START, 3_000n);
    const slice = mulDivDown(TAB, WAD, price);
    const { amountOut: proceeds } = await quoteExactInput(uni, ethPool, wethAddr, slice);
    const profit = proceeds - TAB;
    const before = await f.snapshot(id);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_000n);
    await expect(flash.connect(keeper).takeAndSell(id, LOT, price, FEE, profit + 1n, carol.address))
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__Unprofitable")
      .withArgs(profit, profit + 1n);
    expect(await f.snapshot(id)).to.deep.equal(before);
  });

  it("passes the auction's own refusals through (price above max, not running) and checks profitTo", async function () {
    const f = await deploy();
    const { flash, auction, keeper, carol } = f;
    const { id, start } = await f.kick();
    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_000n);
    const price = linear(START, 3_000n);
    await expect(flash.connect(keeper).takeAndSell(id, LOT, price - 1n, FEE, 0n, carol.address))
      .to.be.revertedWithCustomError(auction, "DutchAuction__PriceAboveMax")
      .withArgs(price, price - 1n);
    await expect(flash.connect(keeper).takeAndSell(99n, LOT, price, FEE, 0n, carol.address))
      .to.be.revertedWithCustomError(auction, "DutchAuction__NotRunning")
      .withArgs(99n);
    await expect(
      flash.connect(keeper).takeAndSell(id, LOT, price, FEE, 0n, ZERO),
    ).to.be.revertedWithCustomError(flash, "FlashLiquidator__ZeroAddress");
  });

  it("refuses a take that buys nothing (a 1-wei tab against a whole-BTC lot rounds the slice to zero)", async function () {
    const f = await deploy();
    const { flash, keeper, carol, wbtcAddr } = f;
    const { id, start } = await f.kick({ token: wbtcAddr, lot: BTC, tab: 1n, debt: 1n });
    const before = await f.snapshot(id);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 10n);
    await expect(flash.connect(keeper).takeAndSell(id, BTC, 2n ** 256n - 1n, FEE, 0n, carol.address))
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__NothingBought")
      .withArgs(id, 1n);
    expect(await f.snapshot(id)).to.deep.equal(before);
  });

  it("refuses a callback from a stranger, and one from the auction outside its own take", async function () {
    const f = await deploy();
    const { flash, flashAddr, auction, auctionAddr, stranger, coin, sink } = f;
    const { id, start } = await f.kick();
    await expect(flash.connect(stranger).onAuctionTake(flashAddr, 1n, 1n, "0x01"))
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__UnexpectedCallback")
      .withArgs(stranger.address, flashAddr);
    // a stranger takes with the FlashLiquidator as receiver and a callback: it would make the
    // contract sell collateral on someone else's behalf; the callback refuses
    await sink.fund(stranger.address, 100_000n * WAD);
    await coin.connect(stranger).approve(auctionAddr, 100_000n * WAD);
    const before = await f.snapshot(id);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_000n);
    const price = linear(START, 3_000n);
    await expect(auction.connect(stranger).take(id, LOT, price, flashAddr, "0x01"))
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__UnexpectedCallback")
      .withArgs(auctionAddr, stranger.address);
    expect(await f.snapshot(id)).to.deep.equal(before);
  });

  it("reverts when a thin pool fills the sale only partly, and succeeds with a slice the pool absorbs", async function () {
    const f = await deploy();
    const { flash, flashAddr, keeper, carol, coin, weth, wethAddr, coinAddr, uni, lp } = f;
    // a thin pool: $30k of liquidity between 1,900 and 2,100 only, about 7.9 WETH of room down to
    // 1,900 (fee tier 1%: its tick spacing of 200 keeps the swap's walk to the price limit short)
    const thin = await createPool(uni, wethAddr, coinAddr, 10_000, ORACLE, 18, 18);
    await addLiquidityValue(
      uni,
      thin,
      30_000n * WAD,
      { lowerPriceWad: 1_900n * WAD, upperPriceWad: 2_100n * WAD },
      { fund: f.fund },
    );
    const { id, start } = await f.kick();
    // at 4,800 s the price is 1,300: the take buys 11,300 / 1,300 = 8.69 WETH, more than the pool
    // absorbs; the part it does sell (down to 1,900) would still cover the tab
    const price = linear(START, 4_800n);
    const slice = mulDivDown(TAB, WAD, price);
    const probe = await f.networkHelpers.takeSnapshot();
    await f.fund(wethAddr, lp.address, slice);
    const partial = await swapExactInput(uni, thin, lp, wethAddr, slice);
    await probe.restore();
    expect(partial.amountIn < slice && partial.amountOut > TAB, `sold ${partial.amountIn}`).to.equal(true);

    const before = [...(await f.snapshot(id)), (await thin.pool.slot0()).sqrtPriceX96];
    await f.networkHelpers.time.setNextBlockTimestamp(start + 4_800n);
    await expect(flash.connect(keeper).takeAndSell(id, LOT, price, 10_000, 0n, carol.address))
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__PartialSale")
      .withArgs(slice, partial.amountIn);
    expect([...(await f.snapshot(id)), (await thin.pool.slot0()).sqrtPriceX96]).to.deep.equal(before);
    await f.expectEmpty();

    // the keeper retries with 5 WETH, which the pool absorbs; 1 wei of WETH someone sent to the
    // contract beforehand does not count as sold (the sale is measured as a balance difference)
    await f.fund(wethAddr, flashAddr, 1n);
    const small = 5n * WAD;
    const { amountOut: proceeds } = await quoteExactInput(uni, thin, wethAddr, small);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 4_810n);
    const price2 = linear(START, 4_810n);
    const owe = mulDivUp(small, price2, WAD);
    await expect(flash.connect(keeper).takeAndSell(id, small, price2, 10_000, 0n, carol.address))
      .to.emit(flash, "FlashTake")
      .withArgs(id, wethAddr, carol.address, small, owe, proceeds, proceeds - owe);
    expect(await coin.balanceOf(carol.address)).to.equal(proceeds - owe);
    expect(await weth.balanceOf(flashAddr)).to.equal(1n);
    expect(await weth.allowance(flashAddr, uni.addresses.router)).to.equal(0n);
    expect(await coin.allowance(flashAddr, f.auctionAddr)).to.equal(0n);
    expect(await coin.balanceOf(flashAddr)).to.equal(0n);
  });

  it("sells along a multi-hop path (WBTC -> WETH -> stablecoin) and refuses a path that does not fit", async function () {
    const f = await deploy();
    const { flash, auction, keeper, carol, coin, coinAddr, wethAddr, wbtcAddr, uni } = f;
    // WBTC/WETH at 30 ETH per BTC, full range
    const btcEth = await createPool(uni, wbtcAddr, wethAddr, FEE, 30n * WAD, 8, 18);
    await addLiquidityValue(uni, btcEth, 5_000n * WAD, "full", { fund: f.fund }); // 5,000 ETH of depth
    const lot = 1n * BTC;
    const { id, start } = await f.kick({ token: wbtcAddr, lot, tab: 50_000n * WAD, debt: 45_000n * WAD });
    const top = mulDivUp(BTC_ORACLE, BUF, WAD); // 75,000
    const price = linear(top, 3_000n); // 52,500
    const owe = 50_000n * WAD; // 1 BTC at 52,500 > tab: pays the tab
    const slice = mulDivDown(owe, BTC, price);
    const path = encodePath([wbtcAddr, wethAddr, coinAddr], [FEE, FEE]);

    await expect(
      flash
        .connect(keeper)
        .takeAndSellPath(id, lot, price, encodePath([wethAddr, coinAddr], [FEE]), 0n, carol.address),
    )
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__BadPath")
      .withArgs(wethAddr, coinAddr);
    await expect(
      flash
        .connect(keeper)
        .takeAndSellPath(id, lot, price, encodePath([wbtcAddr, wethAddr], [FEE]), 0n, carol.address),
    )
      .to.be.revertedWithCustomError(flash, "FlashLiquidator__BadPath")
      .withArgs(wbtcAddr, wethAddr);
    for (const bad of ["0x1234", path + "00"]) {
      await expect(flash.connect(keeper).takeAndSellPath(id, lot, price, bad, 0n, carol.address))
        .to.be.revertedWithCustomError(flash, "FlashLiquidator__BadPath")
        .withArgs(ZERO, ZERO);
    }

    const proceeds = await quoteExactInputPath(uni, path, slice);
    // 0.952 BTC x 60,000 = 57,143 less two 0.3% fees and about 1.1% impact in each pool
    expect(proceeds > 55_000n * WAD && proceeds < 56_000n * WAD, `proceeds ${proceeds}`).to.equal(true);
    await f.networkHelpers.time.setNextBlockTimestamp(start + 3_000n);
    const tx = flash.connect(keeper).takeAndSellPath(id, lot, price, path, 0n, carol.address);
    await expect(tx)
      .to.emit(flash, "FlashTake")
      .withArgs(id, wbtcAddr, carol.address, slice, owe, proceeds, proceeds - owe);
    const receipt = await (await tx).wait();
    console.log(`      gas of a two-hop takeAndSellPath: ${receipt?.gasUsed}`);
    expect(await coin.balanceOf(carol.address)).to.equal(proceeds - owe);
    expect((await auction.auctions(id)).account).to.equal(ZERO);
    await f.expectEmpty();
  });
});
