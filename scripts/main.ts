/**
 * `npm run sim`: deploys the whole Ballast system to an in-process Hardhat chain with the shipped
 * local parameters, drives a short demo (two borrowers, a perp trader, a price move) and prints
 * an account and market summary. The simulation laboratory will replace the demo with the
 * default scenario.
 */
import { network } from "hardhat";
import { formatUnits, parseUnits } from "ethers";

import { loadDeployParams, paramsPathFor } from "./deploy/params.js";
import { deploySystem } from "./deploy/system.js";

const fmt = (x: bigint, decimals = 18, digits = 2): string => {
  const s = Number(formatUnits(x, decimals));
  return s.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
};
const hf = (x: bigint): string => (x > 10n ** 30n ? "inf" : fmt(x, 18, 3));

async function main() {
  const connection = await network.create();
  const { ethers } = connection;
  const paramsPath = process.env.BALLAST_PARAMS ?? paramsPathFor("hardhat");
  const params = loadDeployParams(paramsPath);
  const started = Date.now();
  const sys = await deploySystem(ethers, params, { keepDeployerAsProposer: true });
  console.log(
    `Ballast deployed to an in-process chain in ${((Date.now() - started) / 1000).toFixed(1)} s (${paramsPath})`,
  );
  for (const [name, address] of Object.entries(sys.addresses)) console.log(`  ${name.padEnd(14)} ${address}`);

  const [, alice, bob, carol, lp] = await ethers.getSigners();
  const ch = sys.clearinghouse;
  const chAddr = await ch.getAddress();
  const [weth, wbtc] = sys.assets;
  for (const s of [alice, bob, carol, lp]) {
    await (await weth.token.mint(s.address, parseUnits("200", weth.decimals))).wait();
    await (await wbtc.token.mint(s.address, parseUnits("2", wbtc.decimals))).wait();
    await (await weth.token.connect(s).approve(chAddr, ethers.MaxUint256)).wait();
    await (await wbtc.token.connect(s).approve(chAddr, ethers.MaxUint256)).wait();
  }
  // a liquidity provider funds the backstop vault (the perps' counterparty)
  await (await ch.connect(lp).deposit(lp.address, weth.address, parseUnits("100", 18))).wait();
  await (await ch.connect(lp).borrow(lp.address, parseUnits("100000", 18), lp.address)).wait();
  await (
    await sys.stablecoin.connect(lp).approve(await sys.vault.getAddress(), parseUnits("100000", 18))
  ).wait();
  await (await sys.vault.connect(lp).deposit(parseUnits("100000", 18), lp.address)).wait();
  // alice: a conservative CDP; bob: levered CDP on two collaterals; carol: a perp long
  await (await ch.connect(alice).deposit(alice.address, weth.address, parseUnits("10", 18))).wait();
  await (await ch.connect(alice).borrow(alice.address, parseUnits("6000", 18), alice.address)).wait();
  await (await ch.connect(bob).deposit(bob.address, weth.address, parseUnits("10", 18))).wait();
  await (await ch.connect(bob).deposit(bob.address, wbtc.address, parseUnits("0.5", 8))).wait();
  await (await ch.connect(bob).borrow(bob.address, parseUnits("25000", 18), bob.address)).wait();
  await (await ch.connect(carol).deposit(carol.address, weth.address, parseUnits("5", 18))).wait();
  await (
    await ch
      .connect(carol)
      .modifyPosition(carol.address, weth.address, parseUnits("20", 18), parseUnits("2100", 18))
  ).wait();

  const report = async (title: string) => {
    console.log(`\n${title}`);
    const accounts = [alice.address, bob.address, carol.address];
    const healths = await sys.lens.healthOf(accounts, false);
    const rows = ["alice", "bob", "carol"].map((name, i) => ({
      account: name,
      collateralUsd: fmt(healths[i].weightedCollateralWad),
      debtUsd: fmt(healths[i].debtWad),
      pnlUsd: fmt(healths[i].pnlWad),
      requirementUsd: fmt(healths[i].requirementWad),
      health: hf(healths[i].healthFactorWad),
    }));
    console.table(rows);
    const state = await ch.marketState(weth.address);
    const [price] = await sys.oracle.getPrice(weth.address);
    console.log(
      `  WETH-PERP: price $${fmt(price)}  skew ${fmt(state.skewWad, 18, 2)} ETH  OI long ${fmt(state.longOpenInterestWad)} / short ${fmt(state.shortOpenInterestWad)}  funding/day ${fmt(state.fundingRateWad * 100n, 18, 4)}%`,
    );
    console.log(
      `  vault net assets $${fmt(await ch.vaultNetAssetsWad())}  total debt $${fmt(await ch.totalDebtWad())}  bUSD supply $${fmt(await sys.stablecoin.totalSupply())}  deficit $${fmt(await ch.deficitWad())}`,
    );
  };
  await report("Accounts after the demo trades (maintenance levels):");

  // ETH falls 25% over a few hours; the keeper updates the feed and the margin model learns the volatility
  const feed = weth.feed;
  if (feed) {
    for (const price of ["1900", "1750", "1600", "1500"]) {
      await connection.networkHelpers.time.increase(1_800);
      await (await feed.updateAnswer(parseUnits(price, weth.feedDecimals))).wait();
      await (await sys.oracle.poke(weth.address)).wait();
      await (await sys.marginModel.poke(weth.address)).wait();
    }
  }
  await report("After ETH falls 25% in two hours (health < 1 means liquidatable):");
  const liquidatable = await sys.lens.liquidatable([alice.address, bob.address, carol.address]);
  console.log(`\n  liquidatable accounts: ${liquidatable.length === 0 ? "none" : liquidatable.join(", ")}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
