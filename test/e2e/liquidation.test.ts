/**
 * The liquidation issue's "done when", end to end on the deployed system: an account pushed under
 * water by an oracle move is liquidated, its auction is taken through the FlashLiquidator
 * against a real Uniswap v3 pool (deployed from the npm artifacts), bad debt flows through the
 * waterfall, and the books (I1) balance at every step.
 */
import { expect } from "chai";

import { addLiquidityValue, createPool, deployUniswapV3 } from "../../scripts/deploy/uniswap.js";
import type { FlashLiquidator } from "../../types/ethers-contracts/index.js";
import { WAD, deployLab, send, wad } from "../helpers/system.js";

const FEE = 3000;

async function world() {
  const lab = await deployLab();
  const { ethers, sys, deployer, weth, ch } = lab;
  const coinAddr = await sys.stablecoin.getAddress();
  // the pool's stablecoin side is borrowed against WBTC, like any user's
  await lab.depositFor(deployer, lab.wbtc, "100");
  const uni = await deployUniswapV3(deployer);
  const pool = await createPool(uni, weth.address, coinAddr, FEE, wad("1600"), 18, 18);
  await addLiquidityValue(uni, pool, wad("2000000"), "full", {
    fund: async (token, to, amount) => {
      if (token === weth.address) await send(weth.token.mint(to, amount));
      else await send(ch.connect(deployer).borrow(deployer.address, amount, to));
    },
  });
  const flash = (await ethers.deployContract("FlashLiquidator", [
    await sys.auction.getAddress(),
    coinAddr,
    await uni.router.getAddress(),
  ])) as unknown as FlashLiquidator;
  return { ...lab, uni, pool, flash };
}

describe("liquidation end to end (e2e)", function () {
  it("oracle move -> liquidate -> FlashLiquidator takes against Uniswap v3 -> books balance", async function () {
    const w = await world();
    const { ch, sys, alice, keeper, carol, weth, flash, networkHelpers } = w;
    await w.fundVault("50000");
    await w.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("14000"), alice.address));
    expect((await ch.health(alice.address, false)).healthFactorWad).to.be.greaterThan(WAD);

    await w.setPrice(weth, "1600"); // the pool already trades at 1,600
    expect((await ch.health(alice.address, false)).healthFactorWad).to.be.lessThan(WAD);
    await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
    const a = await sys.auction.auctions(1n);

    // wait until the auction price is a few percent under the pool, then take-and-sell
    await networkHelpers.time.increase(900); // 1,760 x (1 - 900/7200) = 1,540
    const [, price] = await sys.auction.getStatus(1n);
    expect(price).to.be.lessThan(wad("1600"));
    const before = await sys.stablecoin.balanceOf(carol.address);
    await expect(
      flash.connect(keeper).takeAndSell(1n, a.lot, price + wad("10"), FEE, 0n, carol.address),
    ).to.emit(flash, "FlashTake");
    const profit = (await sys.stablecoin.balanceOf(carol.address)) - before;
    expect(profit).to.be.greaterThan(0n);
    expect(await ch.auctionDebtWad()).to.equal(0n);
    expect((await sys.auction.auctions(1n)).account).to.equal("0x" + "00".repeat(20));
    // nothing stays in the liquidator
    expect(await sys.stablecoin.balanceOf(await flash.getAddress())).to.equal(0n);
    expect(await weth.token.balanceOf(await flash.getAddress())).to.equal(0n);
    const books = await w.books([alice.address, keeper.address, carol.address]);
    expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    expect(books.assets - books.liabilities).to.be.lessThan(wad("0.001"));
  });

  it("a crash below the debt: whole liquidation, the vault's credit then the deficit; the breaker sees it", async function () {
    const w = await world();
    const { ch, sys, alice, keeper, carol, weth, flash, networkHelpers } = w;
    await w.fundVault("2000");
    await w.depositFor(alice, weth, "10");
    await send(ch.connect(alice).borrow(alice.address, wad("14000"), alice.address));
    await w.setPrice(weth, "1000");
    await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
    expect(await ch.collateralOf(alice.address, weth.address)).to.equal(0n);
    // the pool still trades at 1,600: a flash take at ~1,000 is profitable and empties the lot
    await networkHelpers.time.increase(60);
    const a = await sys.auction.auctions(1n);
    const [, price] = await sys.auction.getStatus(1n);
    const vaultAddr = await sys.vault.getAddress();
    const vaultCredit = await ch.creditOf(vaultAddr);
    const tx = flash.connect(keeper).takeAndSell(1n, a.lot, price + wad("10"), FEE, 0n, carol.address);
    await expect(tx).to.emit(ch, "BadDebtCovered");
    const deficit = await ch.deficitWad();
    expect(deficit).to.be.greaterThan(0n);
    expect(await ch.creditOf(vaultAddr)).to.be.lessThan(vaultCredit);
    // any deficit trips the breaker's system check
    await send(sys.breaker.checkSystem());
    expect(await sys.breaker.globalLevel()).to.be.greaterThan(0n);
    const books = await w.books([alice.address, keeper.address, carol.address]);
    expect(books.liabilities).to.be.lessThanOrEqual(books.assets);
    expect(books.assets - books.liabilities).to.be.lessThan(wad("0.001"));
  });
});
