/**
 * Builds the world of a scenario on a connected chain: the Ballast system from the production
 * deployment module (scripts/deploy/system.ts) with the scenario's margin mode, real Uniswap v3
 * (scripts/deploy/uniswap.ts) with one full-range pool per asset against the protocol's
 * stablecoin, sized by the scenario, the FlashLiquidator, and the "bank": the deployer, which
 * mints mock collateral, borrows the stablecoin the pools and agents need (heavily
 * over-collateralized) and deposits collateral for the simulated accounts as their operator.
 */

import { MaxUint256 } from "ethers";

import { loadDeployParams, resolveParamsPath, type DeployParams } from "../../scripts/deploy/params.js";
import { deploySystem, type BallastSystem } from "../../scripts/deploy/system.js";
import {
  addLiquidityValue,
  createPool,
  deployUniswapV3,
  type PoolHandle,
  type UniswapV3,
} from "../../scripts/deploy/uniswap.js";
import type { FlashLiquidator, MockERC20 } from "../../types/ethers-contracts/index.js";
import type { MarginMode } from "../metrics/types.js";
import type { Asset, Scenario } from "../scenarios/schema.js";
import type { Chain } from "./chain.js";
import { simAddress } from "./chain.js";
import { decimalString, toFixedUnits, usdToWad } from "./units.js";

/** Token symbol of each scenario asset in the deployment parameters. */
export const TOKEN_SYMBOL: Readonly<Record<Asset, string>> = { ETH: "WETH", BTC: "WBTC" };

/** One listed asset of the world. */
export interface WorldAsset {
  /** Scenario key (ETH, BTC). */
  key: Asset;
  /** Token symbol (WETH, WBTC): the metrics key. */
  symbol: string;
  /** Perp market key in the metrics (WETH-PERP). */
  marketKey: string;
  address: string;
  decimals: number;
  token: MockERC20;
  feedAddress: string;
  feedDecimals: number;
  hasMarket: boolean;
  pool: PoolHandle;
  /** Uniswap fee tier (500, 3000, ...). */
  poolFee: number;
  /** The bank's liquidity positions in the pool: NFT id and raw liquidity. */
  positions: { tokenId: bigint; liquidity: bigint }[];
}

export interface World {
  chain: Chain;
  params: DeployParams;
  sys: BallastSystem;
  uni: UniswapV3;
  flash: FlashLiquidator;
  flashAddress: string;
  stable: string;
  clearinghouse: string;
  assets: WorldAsset[];
  /** The deployer: timelock proposer, guardian, and the population's bank. */
  bank: string;
  marginMode: MarginMode;
}

/** Resolves the scenario's `deployParams` (a name under scripts/deploy/params/ or a path). */
export const deployParamsPath = resolveParamsPath;

/** Loads the scenario's deployment parameters, keeps its assets, sets prices and margin mode. */
export function worldParams(
  scenario: Scenario,
  assets: readonly Asset[],
  initialPrices: Readonly<Record<string, number>>,
  marginMode: MarginMode,
): DeployParams {
  const params = loadDeployParams(deployParamsPath(scenario.deployParams));
  const wanted = assets.map((a) => TOKEN_SYMBOL[a]);
  const kept = params.assets.filter((a) => wanted.includes(a.symbol));
  for (const a of assets) {
    if (!kept.some((p) => p.symbol === TOKEN_SYMBOL[a]))
      throw new Error(`deployment parameters ${scenario.deployParams}: no asset ${TOKEN_SYMBOL[a]} for ${a}`);
  }
  // listing order follows the scenario (ETH first)
  kept.sort((x, y) => wanted.indexOf(x.symbol) - wanted.indexOf(y.symbol));
  for (const p of kept) {
    const key = assets[wanted.indexOf(p.symbol)];
    p.mockPriceUsd = decimalString(initialPrices[key]);
    p.margin.mode = marginMode;
    // the price bounds must contain the whole path (crashes included)
    p.feed.minPriceUsd = "0.01";
  }
  params.assets = kept;
  return params;
}

const FEE_TIER: Readonly<Record<number, number>> = { 1: 100, 5: 500, 30: 3000, 100: 10000 };

/** Stablecoin (USD) the bank borrows at setup, per USD of initial pool depth. */
const BANK_STABLE_PER_DEPTH = 1.5;
/** Collateral value the bank posts per USD it borrows. */
const BANK_OVERCOLLATERAL = 8;

/**
 * Deploys everything on `chain` at its current simulated time. `initialPrices` and
 * `poolDepthUsd` are the scenario's state at t = 0 (from the price environment).
 */
export async function deployWorld(
  chain: Chain,
  scenario: Scenario,
  assets: readonly Asset[],
  initialPrices: Readonly<Record<string, number>>,
  poolDepthUsd: Readonly<Record<string, number>>,
  marginMode: MarginMode,
): Promise<World> {
  const { ethers } = chain;
  const params = worldParams(scenario, assets, initialPrices, marginMode);
  let sys: BallastSystem;
  try {
    sys = await deploySystem(ethers, params, { keepDeployerAsProposer: true });
  } catch (e) {
    const message = (e as Error).message;
    if (/code is too large|code size|CreateContractSizeLimit/i.test(message)) {
      throw new Error(
        `deployment failed: a contract is above the node's code-size limit (${message.split("\n")[0]}). ` +
          "Start Hardhat's node with this repo's default network (`npx hardhat node --network default`) " +
          "or anvil with `--code-size-limit 40000`.",
      );
    }
    throw e;
  }
  const deployer = sys.deployer;
  const bank = deployer.address;
  const uni = await deployUniswapV3(deployer);
  const stable = await sys.stablecoin.getAddress();
  const clearinghouse = await sys.clearinghouse.getAddress();
  const auction = await sys.auction.getAddress();
  const flash = (await ethers.deployContract("FlashLiquidator", [
    auction,
    stable,
    uni.addresses.router,
  ])) as unknown as FlashLiquidator;
  await flash.waitForDeployment();
  const flashAddress = await flash.getAddress();

  // the bank: collateral for its own borrowing and for the population (mints, approves once)
  const ch = sys.clearinghouse.interface;
  const erc = sys.assets[0].token.interface;
  let stableNeeded = 0;
  for (const a of assets) stableNeeded += poolDepthUsd[a] * BANK_STABLE_PER_DEPTH;
  const collateralUsdEach = (stableNeeded * BANK_OVERCOLLATERAL) / assets.length;
  for (const [i, a] of assets.entries()) {
    const d = sys.assets[i];
    const huge = 10n ** BigInt(d.decimals + 15);
    await must(chain.send(bank, d.address, erc.encodeFunctionData("mint", [bank, huge])), "bank mint");
    await must(
      chain.send(bank, d.address, erc.encodeFunctionData("approve", [clearinghouse, MaxUint256])),
      "bank approve",
    );
    const units = (usdToWad(collateralUsdEach) * 10n ** BigInt(d.decimals)) / usdToWad(initialPrices[a]);
    await must(
      chain.send(bank, clearinghouse, ch.encodeFunctionData("deposit", [bank, d.address, units])),
      "bank deposit",
    );
  }
  await must(
    chain.send(bank, clearinghouse, ch.encodeFunctionData("borrow", [bank, usdToWad(stableNeeded), bank])),
    "bank borrow",
  );

  // the pools: full range, sized by the scenario's depth at t = 0
  const world: WorldAsset[] = [];
  for (const [i, a] of assets.entries()) {
    const d = sys.assets[i];
    const spec = scenario.pools[a]!;
    const fee = FEE_TIER[spec.feeBps];
    const price = toFixedUnits(initialPrices[a], 18);
    const pool = await createPool(uni, d.address, stable, fee, price, d.decimals, 18);
    const stableCoin = sys.stablecoin;
    const position = await addLiquidityValue(uni, pool, usdToWad(poolDepthUsd[a]), "full", {
      fund: async (token, to, amount) => {
        if (token.toLowerCase() === stable.toLowerCase()) {
          if (to.toLowerCase() !== bank.toLowerCase()) await (await stableCoin.transfer(to, amount)).wait();
        } else {
          await (await d.token.mint(to, amount)).wait();
        }
      },
    });
    world.push({
      key: a,
      symbol: d.symbol,
      marketKey: `${d.symbol}-PERP`,
      address: d.address,
      decimals: d.decimals,
      token: d.token,
      feedAddress: d.feedAddress,
      feedDecimals: d.feedDecimals,
      hasMarket: d.hasMarket,
      pool,
      poolFee: fee,
      positions: [{ tokenId: position.tokenId, liquidity: position.liquidity }],
    });
  }
  return {
    chain,
    params,
    sys,
    uni,
    flash,
    flashAddress,
    stable,
    clearinghouse,
    assets: world,
    bank,
    marginMode,
  };
}

/** Throws when a setup transaction failed (setup must not fail silently). */
export async function must<T extends { ok: boolean; error?: string }>(
  p: Promise<T>,
  what: string,
): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(`world setup: ${what} failed: ${r.error ?? "reverted"}`);
  return r;
}

/** Deterministic addresses of the simulated participants. */
export const participant = {
  account: (i: number): string => simAddress(`account/${i}`),
  liquidator: (i: number): string => simAddress(`liquidator/${i}`),
  lp: (i: number): string => simAddress(`lp/${i}`),
  arbitrageur: (): string => simAddress("arbitrageur"),
  keeper: (): string => simAddress("oracle-keeper"),
};
