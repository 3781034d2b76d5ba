/**
 * The whole Ballast system on a fresh in-process chain, with the shipped local parameters, plus
 * the few moves liquidation tests need: fund an account, move a price, get a bidder with
 * stablecoin. The deployer stays timelock proposer (delay 2 days) and is the guardian.
 */
import { network } from "hardhat";
import { parseUnits, type ContractTransactionResponse } from "ethers";

import { loadDeployParams, paramsPathFor, type DeployParams } from "../../scripts/deploy/params.js";
import { deploySystem, type DeployedAsset } from "../../scripts/deploy/system.js";

export const WAD = 10n ** 18n;
export const wad = (x: string): bigint => parseUnits(x, 18);

export async function send(tx: Promise<ContractTransactionResponse>): Promise<void> {
  await (await tx).wait();
}

export async function deployLab(mutate?: (p: DeployParams) => void) {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const params = loadDeployParams(paramsPathFor("hardhat"));
  mutate?.(params);
  const sys = await deploySystem(ethers, params, { keepDeployerAsProposer: true });
  const signers = await ethers.getSigners();
  const [deployer, alice, bob, carol, keeper, bidder, lp] = signers;
  const ch = sys.clearinghouse;
  const chAddr = await ch.getAddress();
  const auctionAddr = await sys.auction.getAddress();
  const weth = sys.assets.find((a) => a.symbol === "WETH") as DeployedAsset;
  const wbtc = sys.assets.find((a) => a.symbol === "WBTC") as DeployedAsset;

  /** Mints `amount` (human units) of `asset` to `who` and deposits it as collateral. */
  async function depositFor(who: (typeof signers)[number], asset: DeployedAsset, amount: string) {
    const units = parseUnits(amount, asset.decimals);
    await send(asset.token.mint(who.address, units));
    await send(asset.token.connect(who).approve(chAddr, ethers.MaxUint256));
    await send(ch.connect(who).deposit(who.address, asset.address, units));
  }

  /** Moves the Chainlink mock feed of `asset` to `usd` and pokes the oracle router. */
  async function setPrice(asset: DeployedAsset, usd: string) {
    if (!asset.feed) throw new Error("no mock feed");
    await send(asset.feed.updateAnswer(parseUnits(usd, asset.feedDecimals)));
    await send(sys.oracle.poke(asset.address));
  }

  /** Gives `bidder` `usd` of stablecoin (borrowed against WBTC) and approves the auction. */
  async function fundBidder(usd: string) {
    await depositFor(bidder, wbtc, "100");
    await send(ch.connect(bidder).borrow(bidder.address, wad(usd), bidder.address));
    await send(sys.stablecoin.connect(bidder).approve(auctionAddr, ethers.MaxUint256));
  }

  /** Lets the LP fund the backstop vault with `usd` of stablecoin (borrowed against WBTC). */
  async function fundVault(usd: string) {
    await depositFor(lp, wbtc, "100");
    await send(ch.connect(lp).borrow(lp.address, wad(usd), lp.address));
    await send(sys.stablecoin.connect(lp).approve(await sys.vault.getAddress(), ethers.MaxUint256));
    await send(sys.vault.connect(lp).deposit(wad(usd), lp.address));
  }

  /**
   * The fundamental equation (I1): supply + credits == debts + auction debt + deficit, up to the
   * rounding the ledger keeps in its own favour (debts rounded up per account).
   */
  async function books(accounts: string[]) {
    const supply = await sys.stablecoin.totalSupply();
    let credits = await ch.creditOf(await sys.vault.getAddress());
    for (const a of accounts) credits += await ch.creditOf(a);
    const debts = await ch.totalDebtWad();
    const auctionDebt = await ch.auctionDebtWad();
    const deficit = await ch.deficitWad();
    return { liabilities: supply + credits, assets: debts + auctionDebt + deficit };
  }

  return {
    connection,
    ethers,
    networkHelpers,
    params,
    sys,
    ch,
    chAddr,
    auctionAddr,
    weth,
    wbtc,
    deployer,
    alice,
    bob,
    carol,
    keeper,
    bidder,
    lp,
    signers,
    depositFor,
    setPrice,
    fundBidder,
    fundVault,
    books,
  };
}

/**
 * Alice's whole-plan liquidation that leaves a residue of debt on her account: 170 USD of
 * collateral after the drop, half WETH half WBTC, debt 150 (a dust-sized whole plan, as "the
 * account as its own keeper" in LiquidationEngine.test.ts), after a month of stability fee that
 * makes the index uneven. The first seizure removes its debt's normalized units rounded down, so
 * the second (the rest of the debt the plan read) leaves a wei or two on the account whenever that
 * rounding discarded a unit: it depends on the index, so the liquidation is retried a second later
 * until it does (most seconds do). Returns the residue (0 if no second of 30 left one).
 */
export async function liquidateLeavingResidue(lab: Awaited<ReturnType<typeof deployLab>>): Promise<bigint> {
  const { ch, sys, alice, keeper, weth, wbtc, networkHelpers } = lab;
  await lab.depositFor(alice, weth, "0.053125");
  await lab.depositFor(alice, wbtc, "0.00265625");
  await send(ch.connect(alice).borrow(alice.address, wad("150"), alice.address));
  await networkHelpers.time.increase(30 * 86_400);
  await lab.setPrice(weth, "1600");
  await lab.setPrice(wbtc, "32000");
  const before = await networkHelpers.takeSnapshot();
  let residue = 0n;
  for (let delay = 0; delay < 30 && residue === 0n; ++delay) {
    await before.restore();
    await networkHelpers.time.increase(delay + 1);
    await send(sys.engine.connect(keeper).liquidate(alice.address, keeper.address));
    residue = await ch.debtOf(alice.address);
  }
  return residue;
}
