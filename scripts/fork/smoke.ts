/**
 * A smoke run of Ballast against a forked chain's real tokens and Chainlink feeds
 * (`npm run fork:smoke`, docs/fork.md): checks that every token and feed the parameter file names
 * exists on the chain and answers, deploys the whole system with the file (governance as the file
 * names it: the deployer keeps no role), wraps ETH into the asset named WETH through its own
 * `deposit()`, deposits it, borrows a share of its value and reads the account's health, each
 * through the contracts, at the feeds' live prices.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { formatUnits, parseEther, toBeHex, type ContractTransactionResponse } from "ethers";

import type { DeployParams } from "../deploy/params.js";
import { deploySystem, type BallastSystem } from "../deploy/system.js";

const FEED_ABI = [
  "function decimals() view returns (uint8)",
  "function latestRoundData() view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)",
];
const WETH_ABI = ["function deposit() payable", "function approve(address, uint256) returns (bool)"];

/** What the chain answered for one asset of the file, before the deployment. */
export interface ForkedAsset {
  symbol: string;
  token: string;
  feed: string;
  /** The feed's latest answer in USD (its decimals applied). */
  answerUsd: string;
  /** Seconds between the feed's last update and the chain's latest block. */
  ageSeconds: number;
}

export interface ForkSmokeResult {
  chainId: bigint;
  blockNumber: number;
  assets: ForkedAsset[];
  system: BallastSystem;
  /** The account that deposited and borrowed. */
  account: string;
  depositedWeth: string;
  borrowedUsd: string;
  /** Maintenance health factor after the borrow (WAD as a decimal string). */
  healthFactor: string;
}

/** The options of a smoke run. */
export interface ForkSmokeOptions {
  /** ETH to wrap and deposit (default 10). */
  ethToWrap?: string;
  /** Share of the WETH's oracle value to borrow (default 0.3). */
  borrowShare?: number;
}

/** A chain that does not hold what the file names: the message says which asset and what. */
export class ForkChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ForkChainError";
  }
}

/** Reads every token and feed the file names; refuses a chain where one has no code or no answer. */
export async function inspectForkedAssets(
  ethers: HardhatEthers,
  params: DeployParams,
): Promise<ForkedAsset[]> {
  if (params.mocks)
    throw new ForkChainError("the parameter file deploys mocks (mocks: true): a fork uses real assets");
  const latest = await ethers.provider.getBlock("latest");
  if (latest === null) throw new ForkChainError("the chain returned no latest block");
  const out: ForkedAsset[] = [];
  for (const a of params.assets) {
    const token = a.address!;
    const feedAddress = a.feed.address!;
    if ((await ethers.provider.getCode(token)) === "0x")
      throw new ForkChainError(
        `${a.symbol}: no contract at ${token} on this chain (chain id ${(await ethers.provider.getNetwork()).chainId}); is BALLAST_FORK_URL a node of the network the file was written for?`,
      );
    if ((await ethers.provider.getCode(feedAddress)) === "0x")
      throw new ForkChainError(`${a.symbol}: no contract at its feed ${feedAddress} on this chain`);
    const feed = new ethers.Contract(feedAddress, FEED_ABI, ethers.provider);
    let answer: bigint;
    let updatedAt: bigint;
    let decimals: bigint;
    try {
      decimals = (await feed.decimals()) as bigint;
      [, answer, , updatedAt] = (await feed.latestRoundData()) as [bigint, bigint, bigint, bigint];
    } catch (e) {
      throw new ForkChainError(
        `${a.symbol}: the feed at ${feedAddress} does not answer latestRoundData (${(e as Error).message.split("\n")[0]})`,
      );
    }
    if (Number(decimals) !== a.feed.decimals)
      throw new ForkChainError(
        `${a.symbol}: the feed has ${decimals} decimals, the file says ${a.feed.decimals}`,
      );
    if (answer <= 0n) throw new ForkChainError(`${a.symbol}: the feed answers ${answer}, not a price`);
    out.push({
      symbol: a.symbol,
      token,
      feed: feedAddress,
      answerUsd: formatUnits(answer, decimals),
      ageSeconds: latest.timestamp - Number(updatedAt),
    });
  }
  return out;
}

/**
 * Deploys with `params` on the connected fork and runs one account through deposit, borrow and
 * a health read. `setBalance` gives the account ETH to wrap (a fork's `hardhat_setBalance`).
 */
export async function forkSmoke(
  ethers: HardhatEthers,
  params: DeployParams,
  setBalance: (address: string, wei: bigint) => Promise<void>,
  options: ForkSmokeOptions = {},
): Promise<ForkSmokeResult> {
  const assets = await inspectForkedAssets(ethers, params);
  const weth = params.assets.find((a) => a.symbol === "WETH");
  if (weth === undefined)
    throw new ForkChainError(
      "the parameter file lists no asset named WETH (the smoke run wraps ETH into it)",
    );
  const { chainId } = await ethers.provider.getNetwork();
  const blockNumber = await ethers.provider.getBlockNumber();

  const system = await deploySystem(ethers, params);
  const [, user] = await ethers.getSigners();
  const amount = parseEther(options.ethToWrap ?? "10");
  await setBalance(user.address, amount + parseEther("1"));
  const token = new ethers.Contract(weth.address!, WETH_ABI, user);
  const send = async (fn: string, ...args: unknown[]) =>
    ((await token.getFunction(fn)(...args)) as ContractTransactionResponse).wait();
  await send("deposit", { value: amount });
  await send("approve", await system.clearinghouse.getAddress(), amount);
  const ch = system.clearinghouse.connect(user);
  await (await ch.deposit(user.address, weth.address!, amount)).wait();

  const [priceWad, ok] = await system.oracle.getPrice(weth.address!);
  if (!ok)
    throw new ForkChainError(`WETH: the OracleRouter's read of ${weth.feed.address} is not ok on this fork`);
  const shareBps = BigInt(Math.round((options.borrowShare ?? 0.3) * 10_000));
  const borrowWad = (((amount * priceWad) / 10n ** 18n) * shareBps) / 10_000n;
  await (await ch.borrow(user.address, borrowWad, user.address)).wait();
  const health = await system.clearinghouse.health(user.address, false);
  return {
    chainId,
    blockNumber,
    assets,
    system,
    account: user.address,
    depositedWeth: formatUnits(amount, 18),
    borrowedUsd: formatUnits(borrowWad, 18),
    healthFactor: formatUnits(health.healthFactorWad, 18),
  };
}

/** `hardhat_setBalance` as `forkSmoke` wants it. */
export function rpcSetBalance(ethers: HardhatEthers): (address: string, wei: bigint) => Promise<void> {
  return async (address, wei) => {
    await ethers.provider.send("hardhat_setBalance", [address, toBeHex(wei)]);
  };
}
