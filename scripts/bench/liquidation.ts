/**
 * Gas of the liquidation path (issue: liquidations; DESIGN.md section 6): `liquidate`, a full and
 * a partial `take`, `redo`, and `liquidateBatch` per account (a batch of 20), twice: the first
 * batch writes 20 fresh auction records (a protocol's first wave), the second, after those
 * auctions were bought, recycles their records (every later wave; see IDutchAuction's ids).
 *
 * State: the shipped local parameters; accounts with 10 WETH borrowing 14,000 pushed under water
 * by a fall from 2,000 to 1,600 (a partial liquidation: one auction each). Steady state: the
 * keeper, the bidder and the auction counters have been used once before the measured calls
 * (a warm-up liquidation and take), as for a keeper that works every day. Every measured
 * transaction runs in its own block after a time jump (cold storage), gas = receipt.gasUsed.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { parseUnits, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";

import { loadDeployParams, paramsPathFor } from "../deploy/params.js";
import { deploySystem } from "../deploy/system.js";
import type { BenchNetworkHelpers, GasRow, MeasureHooks } from "./gas.js";

export const LIQUIDATION_GAS_ROWS: readonly GasRow[] = [
  {
    key: "liquidate",
    operation: "liquidate (1 collateral, partial, 1 auction)",
    anchor: "Maker bark ~315k; Aave v3.6 liquidationCall ~373k",
  },
  { key: "takeFull", operation: "take (whole tab, no callback)", anchor: "Maker take ~140k" },
  {
    key: "liquidatePlusTakeFull",
    operation: "liquidate + take (whole)",
    target: 200_000,
    anchor: "Maker bark+take ~455k; Aave ~373k",
  },
  { key: "takePartial", operation: "take (half the lot)", anchor: "-" },
  { key: "redo", operation: "redo (after tail)", anchor: "Maker redo ~" },
  {
    key: "liquidateBatchPerAccount",
    operation: "liquidateBatch, per account (batch of 20)",
    target: 50_000,
    anchor: "Liquity v1 60-65k per trove",
  },
  {
    key: "liquidateBatchRecycledPerAccount",
    operation: "liquidateBatch, per account (20, recycled records)",
    anchor: "Liquity v1 60-65k per trove",
  },
];

const BATCH = 20;

export async function measureLiquidationGas(
  ethers: HardhatEthers,
  networkHelpers: BenchNetworkHelpers,
  hooks: MeasureHooks = {},
): Promise<Record<string, bigint>> {
  const params = loadDeployParams(process.env.BALLAST_PARAMS ?? paramsPathFor("hardhat"));
  const sys = await deploySystem(ethers, params, { keepDeployerAsProposer: true });
  hooks.onDeployed?.(sys.addresses);
  const [deployer, keeper, bidder, lp] = await ethers.getSigners();
  // borrowers: deterministic wallets funded with gas money
  const borrowers = [];
  for (let i = 0; i < 4 + 2 * BATCH; i++) {
    const w = new ethers.Wallet(ethers.keccak256(ethers.toUtf8Bytes(`ballast-bench-${i}`)), ethers.provider);
    await (await deployer.sendTransaction({ to: w.address, value: parseUnits("1", 18) })).wait();
    borrowers.push(w);
  }
  const ch = sys.clearinghouse;
  const chAddr = await ch.getAddress();
  const auctionAddr = await sys.auction.getAddress();
  const weth = sys.assets.find((a) => a.symbol === "WETH");
  const wbtc = sys.assets.find((a) => a.symbol === "WBTC");
  if (!weth?.feed || !wbtc) throw new Error("bench needs the local WETH (mock feed) and WBTC assets");
  const wethFeed = weth.feed;
  const wad = (x: string) => parseUnits(x, 18);
  const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();
  const gas: Record<string, bigint> = {};
  const measure = async (key: string, tx: () => Promise<ContractTransactionResponse>) => {
    await networkHelpers.time.increase(60);
    const receipt = await (await tx()).wait();
    if (!receipt || receipt.status !== 1) throw new Error(`bench: ${key} failed`);
    gas[key] = receipt.gasUsed;
    hooks.onMeasured?.(key, receipt.hash);
    return receipt;
  };
  // auction ids come from the Kick events (a kick into recycled storage has a high-bit id)
  const kickedIds = async (tx: Promise<ContractTransactionResponse>): Promise<bigint[]> => {
    const receipt = await (await tx).wait();
    return kickIds(receipt);
  };
  const kickIds = (receipt: ContractTransactionReceipt | null): bigint[] => {
    const ids: bigint[] = [];
    for (const log of receipt?.logs ?? []) {
      if (log.address.toLowerCase() !== auctionAddr.toLowerCase()) continue;
      const parsed = sys.auction.interface.parseLog(log);
      if (parsed?.name === "Kick") ids.push(parsed.args.id as bigint);
    }
    return ids;
  };
  const setPrice = async (usd: string) => {
    await send(wethFeed.updateAnswer(parseUnits(usd, weth.feedDecimals)));
    await send(sys.oracle.poke(weth.address));
  };

  // the vault's LP and the bidder borrow stablecoin against WBTC
  for (const s of [lp, bidder]) {
    await send(wbtc.token.mint(s.address, parseUnits("100", wbtc.decimals)));
    await send(wbtc.token.connect(s).approve(chAddr, ethers.MaxUint256));
    await send(ch.connect(s).deposit(s.address, wbtc.address, parseUnits("100", wbtc.decimals)));
    await send(ch.connect(s).borrow(s.address, wad("1000000"), s.address));
  }
  await send(sys.stablecoin.connect(lp).approve(await sys.vault.getAddress(), ethers.MaxUint256));
  await send(sys.vault.connect(lp).deposit(wad("500000"), lp.address));
  await send(sys.stablecoin.connect(bidder).approve(auctionAddr, ethers.MaxUint256));

  // borrowers: 10 WETH, 14,000 of debt each
  for (const b of borrowers) {
    await send(weth.token.mint(b.address, parseUnits("10", weth.decimals)));
    await send(weth.token.connect(b).approve(chAddr, ethers.MaxUint256));
    await send(ch.connect(b).deposit(b.address, weth.address, parseUnits("10", weth.decimals)));
    await send(ch.connect(b).borrow(b.address, wad("14000"), b.address));
  }
  await setPrice("1600");

  const [warm, single, partial, aged, ...rest] = borrowers;
  const [batch, batch2] = [rest.slice(0, BATCH), rest.slice(BATCH)];
  // warm-up (not measured): the keeper's and the bidder's first liquidation and take
  const [warmId] = await kickedIds(sys.engine.connect(keeper).liquidate(warm.address, keeper.address));
  await send(
    sys.auction.connect(bidder).take(warmId, ethers.MaxUint256, ethers.MaxUint256, bidder.address, "0x"),
  );

  const [id] = kickIds(
    await measure("liquidate", () => sys.engine.connect(keeper).liquidate(single.address, keeper.address)),
  );
  await measure("takeFull", () =>
    sys.auction.connect(bidder).take(id, ethers.MaxUint256, ethers.MaxUint256, bidder.address, "0x"),
  );
  gas.liquidatePlusTakeFull = gas.liquidate + gas.takeFull;

  const [partialId] = await kickedIds(sys.engine.connect(keeper).liquidate(partial.address, keeper.address));
  const lot = (await sys.auction.auctions(partialId)).lot;
  await measure("takePartial", () =>
    sys.auction.connect(bidder).take(partialId, lot / 2n, ethers.MaxUint256, bidder.address, "0x"),
  );

  const [agedId] = await kickedIds(sys.engine.connect(keeper).liquidate(aged.address, keeper.address));
  await networkHelpers.time.increase(params.assets[0].auction.tailSeconds + 1);
  await setPrice("1600"); // the feed must be fresh for the restart price
  await measure("redo", () => sys.auction.connect(keeper).redo(agedId, keeper.address));

  // a batch into fresh auction records (the first wave), then, once those auctions are bought,
  // a batch whose kicks recycle their records (every later wave)
  const batchGas = async (accounts: typeof batch, label: string): Promise<bigint[]> => {
    await setPrice("1600");
    await networkHelpers.time.increase(60);
    const receipt = await (
      await sys.engine.connect(keeper).liquidateBatch(
        accounts.map((b) => b.address),
        keeper.address,
      )
    ).wait();
    if (!receipt || receipt.status !== 1) throw new Error(`bench: ${label} failed`);
    const ids = kickIds(receipt);
    if (ids.length !== BATCH) throw new Error(`bench: ${label} liquidated ${ids.length} of ${BATCH}`);
    gas[`${label}PerAccount`] = receipt.gasUsed / BigInt(BATCH);
    hooks.onMeasured?.(label, receipt.hash);
    return ids;
  };
  const firstWave = await batchGas(batch, "liquidateBatch");
  for (const auctionId of firstWave) {
    await send(
      sys.auction.connect(bidder).take(auctionId, ethers.MaxUint256, ethers.MaxUint256, bidder.address, "0x"),
    );
  }
  const secondWave = await batchGas(batch2, "liquidateBatchRecycled");
  if (secondWave.some((auctionId) => auctionId >> 64n === 0n))
    throw new Error("bench: a kick did not recycle");
  return gas;
}
