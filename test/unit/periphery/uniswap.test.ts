import { expect } from "chai";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";

import {
  FEE_TICK_SPACING,
  MAX_SQRT_RATIO,
  MAX_TICK,
  MIN_SQRT_RATIO,
  MIN_TICK,
  addLiquidity,
  addLiquidityValue,
  amountsForValue,
  createPool,
  deployUniswapV3,
  encodePath,
  getSqrtRatioAtTick,
  getPoolHandle,
  getTickAtSqrtRatio,
  isqrt,
  poolPriceWad,
  priceWadToSqrtPriceX96,
  quoteExactInput,
  sqrtPriceX96ToPriceWad,
  swapExactInput,
  swapToPrice,
  type PoolHandle,
} from "../../../scripts/deploy/uniswap.js";
import type { MockERC20 } from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const BTC = 10n ** 8n;

/** |a - b| <= b x bps / 10,000 */
function expectWithinBps(actual: bigint, expected: bigint, bps: bigint): void {
  const diff = actual > expected ? actual - expected : expected - actual;
  expect(diff * 10_000n <= expected * bps, `${actual} not within ${bps} bps of ${expected}`).to.equal(true);
}

async function expectRejection(p: Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await p;
  } catch (e) {
    error = e;
  }
  expect(error).to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
}

describe("Uniswap v3 deployment module", function () {
  describe("pure math", function () {
    it("isqrt is the exact floor square root", function () {
      for (const n of [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 2n ** 192n, 2n ** 255n - 1n, 10n ** 40n + 12345n]) {
        const r = isqrt(n);
        expect(r * r <= n && (r + 1n) * (r + 1n) > n, `isqrt(${n})`).to.equal(true);
      }
      expect(() => isqrt(-1n)).to.throw(RangeError);
    });

    it("getSqrtRatioAtTick matches TickMath's bounds and getTickAtSqrtRatio inverts it", function () {
      expect(getSqrtRatioAtTick(MIN_TICK)).to.equal(MIN_SQRT_RATIO);
      expect(getSqrtRatioAtTick(MAX_TICK)).to.equal(MAX_SQRT_RATIO);
      expect(getSqrtRatioAtTick(0)).to.equal(2n ** 96n);
      for (const t of [MIN_TICK, -200_000, -76_013, -1, 0, 1, 60, 76_012, 200_000, MAX_TICK - 1]) {
        const s = getSqrtRatioAtTick(t);
        expect(getTickAtSqrtRatio(s)).to.equal(t);
        if (t > MIN_TICK) expect(getTickAtSqrtRatio(s - 1n)).to.equal(t - 1);
        expect(getTickAtSqrtRatio(getSqrtRatioAtTick(t + 1) - 1n)).to.equal(t);
      }
      expect(() => getSqrtRatioAtTick(MAX_TICK + 1)).to.throw(RangeError);
      expect(() => getTickAtSqrtRatio(MIN_SQRT_RATIO - 1n)).to.throw(RangeError);
      expect(() => getTickAtSqrtRatio(MAX_SQRT_RATIO)).to.throw(RangeError);
    });

    it("converts prices to sqrtPriceX96 and back in both token orders and across decimals", function () {
      const cases: [bigint, number, number][] = [
        [2_000n * WAD, 18, 18],
        [60_000n * WAD, 8, 18],
        [WAD / 60_000n, 18, 8],
        [WAD, 6, 18],
        [123_456_789n, 18, 18], // 1.23e-10
      ];
      for (const [price, da, db] of cases) {
        for (const aIsToken0 of [true, false]) {
          const sqrtP = priceWadToSqrtPriceX96(price, da, db, aIsToken0);
          expectWithinBps(sqrtPriceX96ToPriceWad(sqrtP, da, db, aIsToken0), price, 1n);
        }
      }
      // 2000 USD per ETH with ETH as token0: sqrt(2000) x 2^96
      const s = priceWadToSqrtPriceX96(2_000n * WAD, 18, 18, true);
      expect(s).to.equal(isqrt(2_000n * 2n ** 192n));
      expect(() => priceWadToSqrtPriceX96(0n, 18, 18, true)).to.throw(RangeError);
    });

    it("packs a multi-hop path", function () {
      const a = "0x" + "11".repeat(20);
      const b = "0x" + "22".repeat(20);
      const c = "0x" + "33".repeat(20);
      expect(encodePath([a, b, c], [3000, 500])).to.equal(
        `0x${"11".repeat(20)}000bb8${"22".repeat(20)}0001f4${"33".repeat(20)}`,
      );
      expect(() => encodePath([a], [])).to.throw();
    });
  });

  describe("on chain", function () {
    let connection: NetworkConnection | undefined;
    const deploy = async () => {
      connection ??= await network.create();
      return connection.networkHelpers.loadFixture(world);
    };

    async function world({ ethers }: NetworkConnection) {
      const [deployer, trader] = await ethers.getSigners();
      const uni = await deployUniswapV3(deployer);
      const token = async (name: string, decimals: number) =>
        (await ethers.deployContract("MockERC20", [name, name, decimals])) as unknown as MockERC20;
      const usd = await token("USD", 18);
      const weth = await token("WETH", 18);
      const wbtc = await token("WBTC", 8);
      const [usdAddr, wethAddr, wbtcAddr] = await Promise.all([usd, weth, wbtc].map((t) => t.getAddress()));
      const byAddr = new Map([
        [usdAddr, usd],
        [wethAddr, weth],
        [wbtcAddr, wbtc],
      ]);
      const fund = async (tokenAddr: string, to: string, amount: bigint): Promise<void> => {
        const t = byAddr.get(tokenAddr);
        if (t === undefined) throw new Error(`unknown token ${tokenAddr}`);
        await (await t.mint(to, amount)).wait();
      };
      return { ethers, deployer, trader, uni, usd, weth, wbtc, usdAddr, wethAddr, wbtcAddr, fund };
    }

    it("deploys the real contracts wired together, with a quoter", async function () {
      const { ethers, deployer, uni } = await deploy();
      for (const addr of Object.values(uni.addresses)) {
        expect(addr).to.be.a("string");
        expect((await ethers.provider.getCode(addr as string)).length).to.be.greaterThan(2);
      }
      expect(await uni.factory.owner()).to.equal(deployer.address);
      expect(await uni.router.factory()).to.equal(uni.addresses.factory);
      expect(await uni.positionManager.factory()).to.equal(uni.addresses.factory);
      expect(await uni.factory.feeAmountTickSpacing(3000)).to.equal(60n);
      const none = await deployUniswapV3(deployer, { quoter: false });
      expect(none.quoter).to.equal(undefined);
    });

    it("creates WETH/USD and WBTC/USD pools at the given prices, both token orders, and adds liquidity", async function () {
      const { uni, usdAddr, wethAddr, wbtcAddr, fund } = await deploy();
      const ethUsd = await createPool(uni, wethAddr, usdAddr, 3000, "2000", 18, 18);
      const btcUsd = await createPool(uni, wbtcAddr, usdAddr, 3000, 60_000n * WAD, 8, 18);
      const usdBtc = await createPool(uni, usdAddr, wbtcAddr, 500, WAD / 60_000n, 18, 8); // reversed roles
      const handles: [PoolHandle, bigint][] = [
        [ethUsd, 2_000n * WAD],
        [btcUsd, 60_000n * WAD],
        [usdBtc, WAD / 60_000n],
      ];
      // both orientations are exercised: btcUsd and usdBtc are the same pair the other way round
      expect(btcUsd.baseIsToken0).to.equal(!usdBtc.baseIsToken0);
      for (const [h, price] of handles) {
        expectWithinBps(await poolPriceWad(h), price, 1n);
        const slot0 = await h.pool.slot0();
        expect(slot0.tick).to.equal(BigInt(getTickAtSqrtRatio(slot0.sqrtPriceX96)));
        expect(await h.pool.fee()).to.equal(BigInt(h.fee));
        expect(await h.pool.tickSpacing()).to.equal(BigInt(FEE_TICK_SPACING[h.fee]));
      }
      // the price of the other token is the inverse
      expectWithinBps(await poolPriceWad(btcUsd, usdAddr), WAD / 60_000n, 1n);
      // a handle on an existing pool, the other way round, reads the same pool
      const again = await getPoolHandle(uni, usdAddr, wbtcAddr, 3000, 18, 8);
      expect(again.address).to.equal(btcUsd.address);
      expectWithinBps(await poolPriceWad(again), WAD / 60_000n, 1n);
      await expectRejection(getPoolHandle(uni, usdAddr, wethAddr, 500, 18, 18), /no pool/);

      // $10M full range on ETH: half and half in value
      const eth = await addLiquidityValue(uni, ethUsd, 10_000_000n * WAD, "full", { fund });
      expectWithinBps(eth.amountBase * 2_000n, eth.amountQuote, 1n);
      expectWithinBps(eth.amountQuote, 5_000_000n * WAD, 1n);
      expect(await ethUsd.pool.liquidity()).to.equal(eth.liquidity);
      // $4M on BTC between 50,000 and 70,000: 60,000 sits nearer 70,000 than 50,000 in log
      // terms, so more of the value is USD (sqrt terms: 21.3 USD-side against 18.2 BTC-side)
      const btc = await addLiquidityValue(
        uni,
        btcUsd,
        4_000_000n * WAD,
        { lowerPriceWad: 50_000n * WAD, upperPriceWad: 70_000n * WAD },
        { fund },
      );
      const btcValue = (btc.amountBase * 60_000n * WAD) / BTC + btc.amountQuote;
      expectWithinBps(btcValue, 4_000_000n * WAD, 2n);
      expect(btc.amountQuote > (btc.amountBase * 60_000n * WAD) / BTC).to.equal(true);
      // the ticks bracket the prices and sit on the spacing
      const lowerP = sqrtPriceX96ToPriceWad(getSqrtRatioAtTick(btc.tickLower), 8, 18, btcUsd.baseIsToken0);
      const upperP = sqrtPriceX96ToPriceWad(getSqrtRatioAtTick(btc.tickUpper), 8, 18, btcUsd.baseIsToken0);
      const [lo, hi] = lowerP < upperP ? [lowerP, upperP] : [upperP, lowerP];
      expect(lo <= 50_000n * WAD && lo > 49_000n * WAD, `lower ${lo}`).to.equal(true);
      expect(hi >= 70_000n * WAD && hi < 71_000n * WAD, `upper ${hi}`).to.equal(true);
      expect(btc.tickLower % 60).to.equal(0);
      expect(btc.tickUpper % 60).to.equal(0);
      // amounts given explicitly: the binding side is used in full
      const { amountBase, amountQuote } = await amountsForValue(usdBtc, 1_000_000n * WAD);
      await fund(usdAddr, await uni.deployer.getAddress(), amountBase);
      await fund(wbtcAddr, await uni.deployer.getAddress(), amountQuote * 2n);
      const r = await addLiquidity(uni, usdBtc, amountBase, amountQuote * 2n);
      expectWithinBps(r.amountBase, amountBase, 1n);
      expectWithinBps(r.amountQuote, amountQuote, 1n);
      // prices did not move
      for (const [h, price] of handles) expectWithinBps(await poolPriceWad(h), price, 1n);
    });

    it("swaps through SwapRouter.exactInputSingle: the price moves the right way, output equals the quote", async function () {
      const { uni, trader, usd, weth, usdAddr, wethAddr, wbtcAddr, fund } = await deploy();
      const ethUsd = await createPool(uni, wethAddr, usdAddr, 3000, "2000", 18, 18);
      const btcUsd = await createPool(uni, wbtcAddr, usdAddr, 3000, "60000", 8, 18);
      await addLiquidityValue(uni, ethUsd, 10_000_000n * WAD, "full", { fund });
      await addLiquidityValue(uni, btcUsd, 10_000_000n * WAD, "full", { fund });

      // sell 100 WETH: the price falls, about 2000 x 100 less fee and impact
      await weth.mint(trader.address, 100n * WAD);
      const before = await poolPriceWad(ethUsd);
      const quote = await quoteExactInput(uni, ethUsd, wethAddr, 100n * WAD);
      const sell = await swapExactInput(uni, ethUsd, trader, wethAddr, 100n * WAD);
      expect(sell.amountIn).to.equal(100n * WAD);
      expect(sell.amountOut).to.equal(quote.amountOut);
      expect(sell.sqrtPriceX96After).to.equal(quote.sqrtPriceX96After);
      expect(await usd.balanceOf(trader.address)).to.equal(sell.amountOut);
      expect(await weth.balanceOf(trader.address)).to.equal(0n);
      const after = await poolPriceWad(ethUsd);
      expect(after < before).to.equal(true);
      // 100 ETH into 2,500 ETH of full-range depth: out ~ 200,000 x 0.997 x 2500/2600
      expectWithinBps(sell.amountOut, (200_000n * WAD * 997n * 2_500n) / (1_000n * 2_600n), 10n);

      // buy WBTC with USD: the WBTC price rises
      await usd.mint(trader.address, 1_000_000n * WAD);
      const btcBefore = await poolPriceWad(btcUsd);
      const buy = await swapExactInput(uni, btcUsd, trader, usdAddr, 1_000_000n * WAD);
      expect(buy.amountOut > 0n).to.equal(true);
      expect((await poolPriceWad(btcUsd)) > btcBefore).to.equal(true);
    });

    it("swapToPrice moves the pool exactly to a target, up and down", async function () {
      const { uni, trader, usdAddr, wethAddr, fund } = await deploy();
      const ethUsd = await createPool(uni, wethAddr, usdAddr, 500, "2000", 18, 18);
      await addLiquidityValue(uni, ethUsd, 10_000_000n * WAD, "full", { fund });
      await fund(wethAddr, trader.address, 1_000n * WAD);
      await fund(usdAddr, trader.address, 2_000_000n * WAD);
      for (const target of [2_100n * WAD, 1_900n * WAD, 2_000n * WAD]) {
        const r = await swapToPrice(uni, ethUsd, trader, target);
        expect(r).to.not.equal(undefined);
        const want = priceWadToSqrtPriceX96(target, 18, 18, ethUsd.baseIsToken0);
        expect((await ethUsd.pool.slot0()).sqrtPriceX96).to.equal(want);
        expectWithinBps(await poolPriceWad(ethUsd), target, 1n);
      }
      expect(await swapToPrice(uni, ethUsd, trader, 2_000n * WAD)).to.equal(undefined);
    });
  });
});
