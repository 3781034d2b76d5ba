/**
 * The worked example of docs/liquidation.md, on the deployed system with the shipped local
 * parameters: `npx hardhat run scripts/liquidation-example.ts`. Every number in the document's
 * example is printed here.
 */
import { network } from "hardhat";
import { formatUnits, parseUnits, type ContractTransactionResponse } from "ethers";

import { loadDeployParams, paramsPathFor } from "./deploy/params.js";
import { b32, deploySystem } from "./deploy/system.js";

const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();
const usd = (x: bigint, digits = 2) =>
  Number(formatUnits(x, 18)).toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
const wad = (x: string) => parseUnits(x, 18);
const ZERO = "0x0000000000000000000000000000000000000000";

async function main() {
  const { ethers, networkHelpers } = await network.create();
  const sys = await deploySystem(ethers, loadDeployParams(paramsPathFor("hardhat")), {
    keepDeployerAsProposer: true,
  });
  const [, alice, keeper, bidder] = await ethers.getSigners();
  const ch = sys.clearinghouse;
  const chAddr = await ch.getAddress();
  const [weth, wbtc] = sys.assets;
  if (!weth.feed) throw new Error("needs the local mock feed");

  const p = (name: string, subject = ZERO) => sys.engine.getParam(b32(name), subject);
  console.log("Parameters (scripts/deploy/params/local.json):");
  console.log(
    `  target health ${usd(await p("TARGET_HEALTH_WAD"), 2)}, penalty ${usd(await p("PENALTY_WAD"), 2)}`,
  );
  console.log(
    `  auction buf ${usd(await sys.auction.getParam(b32("BUF_WAD"), weth.address), 2)}, tail ${await sys.auction.getParam(b32("TAIL_SECONDS"), weth.address)} s, linear curve`,
  );

  await send(weth.token.mint(alice.address, wad("10")));
  await send(weth.token.connect(alice).approve(chAddr, ethers.MaxUint256));
  await send(ch.connect(alice).deposit(alice.address, weth.address, wad("10")));
  await send(ch.connect(alice).borrow(alice.address, wad("14000"), alice.address));
  const risk = await sys.marginModel.riskOf(weth.address);
  console.log(`\nAlice: 10 WETH at 2,000, borrows 14,000.`);
  console.log(`  WETH maintenance haircut ${usd(risk.haircutMaintWad, 4)}`);
  const h0 = await ch.health(alice.address, false);
  console.log(`  maintenance health ${usd(h0.healthFactorWad, 4)}`);

  await send(weth.feed.updateAnswer(parseUnits("1600", weth.feedDecimals)));
  await send(sys.oracle.poke(weth.address));
  const h1 = await ch.health(alice.address, false);
  console.log(`\nWETH falls to 1,600.`);
  console.log(
    `  weighted collateral ${usd(h1.weightedCollateralWad)}, debt ${usd(h1.debtWad)}, health ${usd(h1.healthFactorWad, 4)}`,
  );

  await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
  const a = await sys.auction.auctions(1n);
  const h2 = await ch.health(alice.address, false);
  console.log(`\nliquidate(alice):`);
  console.log(`  debt moved into the auction ${usd(a.debtWad)}`);
  console.log(`  tab = debt x (1 + penalty) ${usd(a.tabWad)}`);
  console.log(
    `  lot ${formatUnits(a.lot, 18)} WETH (worth the tab at 1,600), start price ${usd(a.startPriceWad)}`,
  );
  console.log(
    `  keeper reward (tip + chip x tab) ${usd(await sys.auction.keeperReward(weth.address, a.tabWad))}`,
  );
  console.log(
    `  alice after: ${formatUnits(await ch.collateralOf(alice.address, weth.address), 18)} WETH, debt ${usd(await ch.debtOf(alice.address))}, health ${usd(h2.healthFactorWad, 4)}`,
  );

  // a bidder with stablecoin (borrowed against WBTC) takes the lot 10 minutes in
  await send(wbtc.token.mint(bidder.address, parseUnits("10", wbtc.decimals)));
  await send(wbtc.token.connect(bidder).approve(chAddr, ethers.MaxUint256));
  await send(ch.connect(bidder).deposit(bidder.address, wbtc.address, parseUnits("10", wbtc.decimals)));
  await send(ch.connect(bidder).borrow(bidder.address, wad("50000"), bidder.address));
  await send(sys.stablecoin.connect(bidder).approve(await sys.auction.getAddress(), ethers.MaxUint256));
  await networkHelpers.time.setNextBlockTimestamp(a.startTime + 600n);
  const vaultAddr = await sys.vault.getAddress();
  const vaultBefore = await ch.creditOf(vaultAddr);
  const receipt = await (
    await sys.auction.connect(bidder).take(1n, a.lot, ethers.MaxUint256, bidder.address, "0x")
  ).wait();
  const take = receipt?.logs.map((l) => sys.auction.interface.parseLog(l)).find((e) => e?.name === "Take");
  if (!take) throw new Error("no Take event");
  console.log(`\ntake after 600 s:`);
  console.log(
    `  price ${usd(take.args.priceWad as bigint)}, bought ${formatUnits(take.args[5] as bigint, 18)} WETH`,
  );
  console.log(
    `  paid ${usd(take.args.oweWad as bigint)} (burned), debt covered ${usd(take.args.debtCoveredWad as bigint)}`,
  );
  console.log(
    `  WETH back to alice ${formatUnits(a.lot - (take.args[5] as bigint), 18)}; vault credit +${usd((await ch.creditOf(vaultAddr)) - vaultBefore)} (penalty, plus fee accrual)`,
  );
  console.log(`  debt owed by auctions now ${usd(await ch.auctionDebtWad())}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
