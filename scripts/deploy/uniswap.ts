/**
 * Real Uniswap v3 (core 1.0.1, periphery 1.4.4) deployed from the npm packages' compiled artifacts
 * (no recompilation: the bytecode is the audited one, already linked), plus helpers to create,
 * price, fund and trade pools. Used by tests and by the simulation laboratory's on-chain market.
 *
 * Conventions: a pool is always handled through a {@link PoolHandle} that remembers the pair in
 * the order it was created, `base` (A) and `quote` (B). Prices are "whole B per whole A" in WAD
 * (e.g. 2000e18 for WETH/USD), whatever the on-chain token0/token1 order and decimals; amounts are
 * raw token units. Exact math in bigint: sqrtPriceX96 via an integer square root, ticks via a
 * port of TickMath.getSqrtRatioAtTick, liquidity amounts as in LiquidityAmounts.
 */
import { createRequire } from "node:module";

import {
  Contract,
  ContractFactory,
  MaxUint256,
  parseUnits,
  type BaseContract,
  type ContractTransactionReceipt,
  type InterfaceAbi,
  type Signer,
} from "ethers";

import type { TypedContractMethod } from "../../types/ethers-contracts/common.js";

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- artifacts

interface Artifact {
  contractName: string;
  abi: InterfaceAbi;
  bytecode: string;
  linkReferences: Record<string, unknown>;
}

const ARTIFACT_PATHS = {
  factory: "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json",
  pool: "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json",
  router: "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json",
  positionManager:
    "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json",
  quoter: "@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json",
} as const;

/** Loads a Uniswap artifact and checks it needs no library linking. */
export function loadUniswapArtifact(name: keyof typeof ARTIFACT_PATHS): Artifact {
  const artifact = require(ARTIFACT_PATHS[name]) as Artifact;
  if (Object.keys(artifact.linkReferences ?? {}).length > 0 || artifact.bytecode.includes("__")) {
    throw new Error(`Uniswap artifact ${name} needs library linking`);
  }
  return artifact;
}

const ERC20_ABI = [
  "function approve(address spender, uint256 amount) returns (bool)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function balanceOf(address owner) view returns (uint256)",
  "function decimals() view returns (uint8)",
] as const;

// ---------------------------------------------------------------- typed handles

/** slot0 of a pool (ethers Result: both positional and named). */
export type Slot0 = [bigint, bigint, bigint, bigint, bigint, bigint, boolean] & {
  sqrtPriceX96: bigint;
  tick: bigint;
  observationIndex: bigint;
  observationCardinality: bigint;
  observationCardinalityNext: bigint;
  feeProtocol: bigint;
  unlocked: boolean;
};

export interface ExactInputSingleParams {
  tokenIn: string;
  tokenOut: string;
  fee: bigint | number;
  recipient: string;
  deadline: bigint;
  amountIn: bigint;
  amountOutMinimum: bigint;
  sqrtPriceLimitX96: bigint;
}

export interface ExactInputParams {
  path: string;
  recipient: string;
  deadline: bigint;
  amountIn: bigint;
  amountOutMinimum: bigint;
}

export interface MintParams {
  token0: string;
  token1: string;
  fee: bigint | number;
  tickLower: bigint | number;
  tickUpper: bigint | number;
  amount0Desired: bigint;
  amount1Desired: bigint;
  amount0Min: bigint;
  amount1Min: bigint;
  recipient: string;
  deadline: bigint;
}

export interface QuoteExactInputSingleParams {
  tokenIn: string;
  tokenOut: string;
  amountIn: bigint;
  fee: bigint | number;
  sqrtPriceLimitX96: bigint;
}

export type QuoteResult = [bigint, bigint, bigint, bigint] & {
  amountOut: bigint;
  sqrtPriceX96After: bigint;
  initializedTicksCrossed: bigint;
  gasEstimate: bigint;
};

export type UniswapV3Factory = BaseContract & {
  getPool: TypedContractMethod<[string, string, bigint | number], [string], "view">;
  feeAmountTickSpacing: TypedContractMethod<[bigint | number], [bigint], "view">;
  enableFeeAmount: TypedContractMethod<[bigint | number, bigint | number], [void], "nonpayable">;
  owner: TypedContractMethod<[], [string], "view">;
};

export type UniswapV3Pool = BaseContract & {
  slot0: TypedContractMethod<[], [Slot0], "view">;
  liquidity: TypedContractMethod<[], [bigint], "view">;
  token0: TypedContractMethod<[], [string], "view">;
  token1: TypedContractMethod<[], [string], "view">;
  fee: TypedContractMethod<[], [bigint], "view">;
  tickSpacing: TypedContractMethod<[], [bigint], "view">;
  increaseObservationCardinalityNext: TypedContractMethod<[bigint | number], [void], "nonpayable">;
};

export type SwapRouter = BaseContract & {
  exactInputSingle: TypedContractMethod<[ExactInputSingleParams], [bigint], "payable">;
  exactInput: TypedContractMethod<[ExactInputParams], [bigint], "payable">;
  factory: TypedContractMethod<[], [string], "view">;
};

export type NonfungiblePositionManager = BaseContract & {
  createAndInitializePoolIfNecessary: TypedContractMethod<
    [string, string, bigint | number, bigint],
    [string],
    "payable"
  >;
  mint: TypedContractMethod<[MintParams], [[bigint, bigint, bigint, bigint]], "payable">;
  factory: TypedContractMethod<[], [string], "view">;
  WETH9: TypedContractMethod<[], [string], "view">;
};

export type QuotePathResult = [bigint, bigint[], bigint[], bigint] & {
  amountOut: bigint;
  sqrtPriceX96AfterList: bigint[];
  initializedTicksCrossedList: bigint[];
  gasEstimate: bigint;
};

export type QuoterV2 = BaseContract & {
  quoteExactInputSingle: TypedContractMethod<[QuoteExactInputSingleParams], [QuoteResult], "nonpayable">;
  quoteExactInput: TypedContractMethod<[string, bigint], [QuotePathResult], "nonpayable">;
};

export type Erc20 = BaseContract & {
  approve: TypedContractMethod<[string, bigint], [boolean], "nonpayable">;
  allowance: TypedContractMethod<[string, string], [bigint], "view">;
  balanceOf: TypedContractMethod<[string], [bigint], "view">;
  decimals: TypedContractMethod<[], [bigint], "view">;
};

/** A deployed Uniswap v3. */
export interface UniswapV3 {
  deployer: Signer;
  factory: UniswapV3Factory;
  router: SwapRouter;
  positionManager: NonfungiblePositionManager;
  /** QuoterV2 (undefined when deployed with `quoter: false`). */
  quoter: QuoterV2 | undefined;
  /** The WETH9 address given to the periphery (a placeholder unless one was passed). */
  weth9: string;
  addresses: { factory: string; router: string; positionManager: string; quoter: string | undefined };
}

/** A pool and the pair in the order it was created: `base` (A) priced in `quote` (B). */
export interface PoolHandle {
  pool: UniswapV3Pool;
  address: string;
  fee: number;
  tickSpacing: number;
  base: string;
  quote: string;
  baseDecimals: number;
  quoteDecimals: number;
  /** Whether `base` is the pool's token0 (Uniswap orders by address). */
  baseIsToken0: boolean;
  token0: string;
  token1: string;
}

export interface DeployUniswapOptions {
  /** WETH9 for the periphery; only used when paying with ETH. Default: a placeholder address. */
  weth9?: string;
  /** Token descriptor for position NFTs; only used by tokenURI. Default: a placeholder address. */
  tokenDescriptor?: string;
  /** Deploy QuoterV2 (default true). */
  quoter?: boolean;
}

// ---------------------------------------------------------------- constants

const WAD = 10n ** 18n;
const Q96 = 2n ** 96n;
const Q192 = 2n ** 192n;
const PLACEHOLDER = "0x000000000000000000000000000000000000dEaD";
/** Far future: helpers do not use deadlines. */
const NO_DEADLINE = 2n ** 64n;

export const MIN_TICK = -887272;
export const MAX_TICK = 887272;
export const MIN_SQRT_RATIO = 4295128739n;
export const MAX_SQRT_RATIO = 1461446703485210103287273052203988822378723970342n;
/** Fee tiers enabled by the factory's constructor, with their tick spacings. */
export const FEE_TICK_SPACING: Readonly<Record<number, number>> = { 500: 10, 3000: 60, 10000: 200 };

// ---------------------------------------------------------------- deployment

/**
 * Deploys UniswapV3Factory, SwapRouter, NonfungiblePositionManager and (unless disabled) QuoterV2
 * from their npm artifacts: 3-4 transactions.
 */
export async function deployUniswapV3(
  deployer: Signer,
  options: DeployUniswapOptions = {},
): Promise<UniswapV3> {
  const weth9 = options.weth9 ?? PLACEHOLDER;
  const descriptor = options.tokenDescriptor ?? PLACEHOLDER;
  const deploy = async (name: keyof typeof ARTIFACT_PATHS, args: unknown[]): Promise<string> => {
    const a = loadUniswapArtifact(name);
    const c = await new ContractFactory(a.abi, a.bytecode, deployer).deploy(...args);
    await c.waitForDeployment();
    return c.getAddress();
  };
  const factoryAddr = await deploy("factory", []);
  const routerAddr = await deploy("router", [factoryAddr, weth9]);
  const pmAddr = await deploy("positionManager", [factoryAddr, weth9, descriptor]);
  const quoterAddr = options.quoter === false ? undefined : await deploy("quoter", [factoryAddr, weth9]);
  const at = <T>(name: keyof typeof ARTIFACT_PATHS, address: string): T =>
    new Contract(address, loadUniswapArtifact(name).abi, deployer) as unknown as T;
  return {
    deployer,
    factory: at<UniswapV3Factory>("factory", factoryAddr),
    router: at<SwapRouter>("router", routerAddr),
    positionManager: at<NonfungiblePositionManager>("positionManager", pmAddr),
    quoter: quoterAddr === undefined ? undefined : at<QuoterV2>("quoter", quoterAddr),
    weth9,
    addresses: { factory: factoryAddr, router: routerAddr, positionManager: pmAddr, quoter: quoterAddr },
  };
}

/** A typed handle on any ERC20 (approve, allowance, balanceOf, decimals). */
export function erc20(address: string, runner: Signer): Erc20 {
  return new Contract(address, ERC20_ABI, runner) as unknown as Erc20;
}

/** A typed handle on a pool at `address`. */
export function poolAt(address: string, runner: Signer): UniswapV3Pool {
  return new Contract(address, loadUniswapArtifact("pool").abi, runner) as unknown as UniswapV3Pool;
}

// ---------------------------------------------------------------- pure math

/** Floor of the square root (Newton's method on bigint). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError("isqrt of a negative number");
  if (n < 2n) return n;
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2)); // >= sqrt(n)
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** Parses a price given as a decimal string ("2000.5") or a WAD bigint. */
export function toWad(price: bigint | string): bigint {
  return typeof price === "bigint" ? price : parseUnits(price, 18);
}

/**
 * sqrtPriceX96 of a pool where one whole A is worth `priceWad` whole B (rounded down).
 * The pool price is token1 raw units per token0 raw unit.
 */
export function priceWadToSqrtPriceX96(
  priceWad: bigint,
  decimalsA: number,
  decimalsB: number,
  aIsToken0: boolean,
): bigint {
  if (priceWad <= 0n) throw new RangeError("price must be positive");
  const scaleA = 10n ** BigInt(decimalsA) * WAD;
  const scaleB = 10n ** BigInt(decimalsB);
  // raw price of A in B = priceWad * 10^decB / (1e18 * 10^decA)
  const ratioX192 = aIsToken0 ? (priceWad * scaleB * Q192) / scaleA : (scaleA * Q192) / (priceWad * scaleB);
  const sqrtP = isqrt(ratioX192);
  if (sqrtP < MIN_SQRT_RATIO || sqrtP >= MAX_SQRT_RATIO)
    throw new RangeError("price outside Uniswap's range");
  return sqrtP;
}

/** Inverse of {@link priceWadToSqrtPriceX96}: whole B per whole A, WAD (rounded down). */
export function sqrtPriceX96ToPriceWad(
  sqrtPriceX96: bigint,
  decimalsA: number,
  decimalsB: number,
  aIsToken0: boolean,
): bigint {
  const scaleA = 10n ** BigInt(decimalsA) * WAD;
  const scaleB = 10n ** BigInt(decimalsB);
  const sq = sqrtPriceX96 * sqrtPriceX96;
  return aIsToken0 ? (sq * scaleA) / (Q192 * scaleB) : (Q192 * scaleA) / (sq * scaleB);
}

const TICK_FACTORS: readonly [number, bigint][] = [
  [0x2, 0xfff97272373d413259a46990580e213an],
  [0x4, 0xfff2e50f5f656932ef12357cf3c7fdccn],
  [0x8, 0xffe5caca7e10e4e61c3624eaa0941cd0n],
  [0x10, 0xffcb9843d60f6159c9db58835c926644n],
  [0x20, 0xff973b41fa98c081472e6896dfb254c0n],
  [0x40, 0xff2ea16466c96a3843ec78b326b52861n],
  [0x80, 0xfe5dee046a99a2a811c461f1969c3053n],
  [0x100, 0xfcbe86c7900a88aedcffc83b479aa3a4n],
  [0x200, 0xf987a7253ac413176f2b074cf7815e54n],
  [0x400, 0xf3392b0822b70005940c7a398e4b70f3n],
  [0x800, 0xe7159475a2c29b7443b29c7fa6e889d9n],
  [0x1000, 0xd097f3bdfd2022b8845ad8f792aa5825n],
  [0x2000, 0xa9f746462d870fdf8a65dc1f90e061e5n],
  [0x4000, 0x70d869a156d2a1b890bb3df62baf32f7n],
  [0x8000, 0x31be135f97d08fd981231505542fcfa6n],
  [0x10000, 0x9aa508b5b7a84e1c677de54f3e99bc9n],
  [0x20000, 0x5d6af8dedb81196699c329225ee604n],
  [0x40000, 0x2216e584f5fa1ea926041bedfe98n],
  [0x80000, 0x48a170391f7dc42444e8fa2n],
];

/** TickMath.getSqrtRatioAtTick, bit for bit. */
export function getSqrtRatioAtTick(tick: number): bigint {
  const absTick = Math.abs(tick);
  if (!Number.isInteger(tick) || absTick > MAX_TICK) throw new RangeError(`tick ${tick} out of range`);
  let ratio = absTick & 0x1 ? 0xfffcb933bd6fad37aa2d162d1a594001n : 0x100000000000000000000000000000000n;
  for (const [bit, factor] of TICK_FACTORS) if (absTick & bit) ratio = (ratio * factor) >> 128n;
  if (tick > 0) ratio = MaxUint256 / ratio;
  return (ratio >> 32n) + (ratio % (1n << 32n) === 0n ? 0n : 1n);
}

/** TickMath.getTickAtSqrtRatio: the greatest tick whose sqrt ratio is <= `sqrtPriceX96`. */
export function getTickAtSqrtRatio(sqrtPriceX96: bigint): number {
  if (sqrtPriceX96 < MIN_SQRT_RATIO || sqrtPriceX96 >= MAX_SQRT_RATIO)
    throw new RangeError("sqrt price out of range");
  const estimate = Math.floor((2 * Math.log(Number(sqrtPriceX96) / Number(Q96))) / Math.log(1.0001));
  let tick = Math.min(Math.max(estimate, MIN_TICK), MAX_TICK);
  while (tick < MAX_TICK && getSqrtRatioAtTick(tick + 1) <= sqrtPriceX96) tick++;
  while (getSqrtRatioAtTick(tick) > sqrtPriceX96) tick--;
  return tick;
}

/** The widest usable ticks for a tick spacing. */
export function fullRangeTicks(tickSpacing: number): { tickLower: number; tickUpper: number } {
  return {
    tickLower: Math.ceil(MIN_TICK / tickSpacing) * tickSpacing,
    tickUpper: Math.floor(MAX_TICK / tickSpacing) * tickSpacing,
  };
}

/**
 * Token amounts (raw, rounded up) held by `liquidity` between two sqrt prices at the current one,
 * as Uniswap's SqrtPriceMath (amount0 = L (sb - s) / (s sb), amount1 = L (s - sa)).
 */
export function amountsForLiquidity(
  sqrtPriceX96: bigint,
  sqrtLowerX96: bigint,
  sqrtUpperX96: bigint,
  liquidity: bigint,
): { amount0: bigint; amount1: bigint } {
  const divUp = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;
  const s =
    sqrtPriceX96 < sqrtLowerX96 ? sqrtLowerX96 : sqrtPriceX96 > sqrtUpperX96 ? sqrtUpperX96 : sqrtPriceX96;
  const amount0 = s >= sqrtUpperX96 ? 0n : divUp(liquidity * Q96 * (sqrtUpperX96 - s), sqrtUpperX96 * s);
  const amount1 = s <= sqrtLowerX96 ? 0n : divUp(liquidity * (s - sqrtLowerX96), Q96);
  return { amount0, amount1 };
}

/** Packs a multi-hop path `token, fee, token, ...` for SwapRouter.exactInput. */
export function encodePath(tokens: readonly string[], fees: readonly number[]): string {
  if (tokens.length !== fees.length + 1 || fees.length === 0)
    throw new Error("path needs n tokens and n-1 fees");
  let hex = tokens[0].toLowerCase().replace(/^0x/, "");
  fees.forEach((fee, i) => {
    hex += fee.toString(16).padStart(6, "0") + tokens[i + 1].toLowerCase().replace(/^0x/, "");
  });
  return `0x${hex}`;
}

// ---------------------------------------------------------------- pools

/** Where a position's liquidity sits: the whole price range, or between two prices of A in B. */
export type LiquidityRange = "full" | { lowerPriceWad: bigint; upperPriceWad: bigint };

/**
 * Creates and initializes the pool A/B at `priceOfAInB` (whole B per whole A: a WAD bigint or a
 * decimal string) in one transaction. If the pool already exists it is left as it is.
 */
export async function createPool(
  uni: UniswapV3,
  tokenA: string,
  tokenB: string,
  fee: number,
  priceOfAInB: bigint | string,
  decimalsA: number,
  decimalsB: number,
): Promise<PoolHandle> {
  const baseIsToken0 = BigInt(tokenA) < BigInt(tokenB);
  const [token0, token1] = baseIsToken0 ? [tokenA, tokenB] : [tokenB, tokenA];
  const sqrtPriceX96 = priceWadToSqrtPriceX96(toWad(priceOfAInB), decimalsA, decimalsB, baseIsToken0);
  await (
    await uni.positionManager.createAndInitializePoolIfNecessary(token0, token1, fee, sqrtPriceX96)
  ).wait();
  return getPoolHandle(uni, tokenA, tokenB, fee, decimalsA, decimalsB);
}

/** A handle on the existing pool A/B of tier `fee` (reverts with an Error when there is none). */
export async function getPoolHandle(
  uni: UniswapV3,
  tokenA: string,
  tokenB: string,
  fee: number,
  decimalsA: number,
  decimalsB: number,
): Promise<PoolHandle> {
  const baseIsToken0 = BigInt(tokenA) < BigInt(tokenB);
  const [token0, token1] = baseIsToken0 ? [tokenA, tokenB] : [tokenB, tokenA];
  const address = await uni.factory.getPool(token0, token1, fee);
  if (BigInt(address) === 0n) throw new Error(`no pool ${tokenA}/${tokenB} at fee ${fee}`);
  const tickSpacing = FEE_TICK_SPACING[fee] ?? Number(await uni.factory.feeAmountTickSpacing(fee));
  return {
    pool: poolAt(address, uni.deployer),
    address,
    fee,
    tickSpacing,
    base: tokenA,
    quote: tokenB,
    baseDecimals: decimalsA,
    quoteDecimals: decimalsB,
    baseIsToken0,
    token0,
    token1,
  };
}

/** The pool's sqrtPriceX96 (one call). */
export async function poolSqrtPriceX96(handle: PoolHandle): Promise<bigint> {
  return (await handle.pool.slot0()).sqrtPriceX96;
}

/**
 * The pool's spot price from slot0: whole quote per whole base (WAD), or, when `token` is the
 * quote token, whole base per whole quote.
 */
export async function poolPriceWad(handle: PoolHandle, token: string = handle.base): Promise<bigint> {
  const sqrtP = await poolSqrtPriceX96(handle);
  const aIsBase = token.toLowerCase() === handle.base.toLowerCase();
  if (!aIsBase && token.toLowerCase() !== handle.quote.toLowerCase())
    throw new Error(`${token} is not in the pool`);
  return aIsBase
    ? sqrtPriceX96ToPriceWad(sqrtP, handle.baseDecimals, handle.quoteDecimals, handle.baseIsToken0)
    : sqrtPriceX96ToPriceWad(sqrtP, handle.quoteDecimals, handle.baseDecimals, !handle.baseIsToken0);
}

/** Ticks (aligned to the spacing, widened outwards) for a range of prices of base in quote. */
export function rangeTicks(
  handle: PoolHandle,
  range: LiquidityRange,
): { tickLower: number; tickUpper: number } {
  const full = fullRangeTicks(handle.tickSpacing);
  if (range === "full") return full;
  if (range.lowerPriceWad <= 0n || range.upperPriceWad <= range.lowerPriceWad)
    throw new RangeError("bad price range");
  const toTick = (p: bigint): number =>
    getTickAtSqrtRatio(
      priceWadToSqrtPriceX96(p, handle.baseDecimals, handle.quoteDecimals, handle.baseIsToken0),
    );
  // token0 -> token1 price rises with the base price when base is token0, falls otherwise
  const [a, b] = handle.baseIsToken0
    ? [toTick(range.lowerPriceWad), toTick(range.upperPriceWad)]
    : [toTick(range.upperPriceWad), toTick(range.lowerPriceWad)];
  const s = handle.tickSpacing;
  const tickLower = Math.max(Math.floor(a / s) * s, full.tickLower);
  const tickUpper = Math.min(Math.max(Math.ceil(b / s) * s, tickLower + s), full.tickUpper);
  return { tickLower, tickUpper };
}

export interface AddLiquidityOptions {
  /** Who provides the tokens (default: the deployer); must hold them. */
  owner?: Signer;
  /** Receiver of the position NFT (default: the owner). */
  recipient?: string;
}

export interface LiquidityResult {
  tokenId: bigint;
  liquidity: bigint;
  amountBase: bigint;
  amountQuote: bigint;
  tickLower: number;
  tickUpper: number;
  receipt: ContractTransactionReceipt;
}

/** Approves `spender` for the maximum unless the allowance already covers `amount`. */
export async function ensureAllowance(
  token: string,
  owner: Signer,
  spender: string,
  amount: bigint,
): Promise<void> {
  const t = erc20(token, owner);
  if ((await t.allowance(await owner.getAddress(), spender)) >= amount) return;
  await (await t.approve(spender, MaxUint256)).wait();
}

/**
 * Mints a position with at most `amountBase` and `amountQuote` (raw units) through the
 * NonfungiblePositionManager (approvals on first use, then one transaction). The pool takes the
 * largest liquidity both amounts allow at the current price; the rest stays with the owner.
 */
export async function addLiquidity(
  uni: UniswapV3,
  handle: PoolHandle,
  amountBase: bigint,
  amountQuote: bigint,
  range: LiquidityRange = "full",
  options: AddLiquidityOptions = {},
): Promise<LiquidityResult> {
  const owner = options.owner ?? uni.deployer;
  const ownerAddr = await owner.getAddress();
  const pm = uni.addresses.positionManager;
  await ensureAllowance(handle.base, owner, pm, amountBase);
  await ensureAllowance(handle.quote, owner, pm, amountQuote);
  const { tickLower, tickUpper } = rangeTicks(handle, range);
  const [amount0Desired, amount1Desired] = handle.baseIsToken0
    ? [amountBase, amountQuote]
    : [amountQuote, amountBase];
  const tx = await (uni.positionManager.connect(owner) as NonfungiblePositionManager).mint({
    token0: handle.token0,
    token1: handle.token1,
    fee: handle.fee,
    tickLower,
    tickUpper,
    amount0Desired,
    amount1Desired,
    amount0Min: 0n,
    amount1Min: 0n,
    recipient: options.recipient ?? ownerAddr,
    deadline: NO_DEADLINE,
  });
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("mint: no receipt");
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== pm.toLowerCase()) continue;
    const parsed = uni.positionManager.interface.parseLog(log);
    if (parsed?.name !== "IncreaseLiquidity") continue;
    const [tokenId, liquidity, amount0, amount1] = parsed.args as unknown as [bigint, bigint, bigint, bigint];
    return {
      tokenId,
      liquidity,
      amountBase: handle.baseIsToken0 ? amount0 : amount1,
      amountQuote: handle.baseIsToken0 ? amount1 : amount0,
      tickLower,
      tickUpper,
      receipt,
    };
  }
  throw new Error("mint: no IncreaseLiquidity event");
}

/**
 * Token amounts (raw) for a position worth `valueQuoteWad` whole quote tokens (e.g. USD when the
 * quote is a dollar stablecoin) at the pool's current price, in `range`. Exact Uniswap liquidity
 * math: full range is half and half in value, a range off-centre is not.
 */
export async function amountsForValue(
  handle: PoolHandle,
  valueQuoteWad: bigint,
  range: LiquidityRange = "full",
): Promise<{ amountBase: bigint; amountQuote: bigint }> {
  const sqrtP = await poolSqrtPriceX96(handle);
  const { tickLower, tickUpper } = rangeTicks(handle, range);
  const sa = getSqrtRatioAtTick(tickLower);
  const sb = getSqrtRatioAtTick(tickUpper);
  const REF = 10n ** 24n; // reference liquidity; amounts scale linearly with it
  const ref = amountsForLiquidity(sqrtP, sa, sb, REF);
  // value of the reference position in raw quote units
  const [refBase, refQuote] = handle.baseIsToken0 ? [ref.amount0, ref.amount1] : [ref.amount1, ref.amount0];
  const baseInQuoteRaw = handle.baseIsToken0
    ? (refBase * sqrtP * sqrtP) / Q192
    : (refBase * Q192) / (sqrtP * sqrtP);
  const refValue = baseInQuoteRaw + refQuote;
  if (refValue === 0n) throw new Error("reference position has no value");
  const target = (valueQuoteWad * 10n ** BigInt(handle.quoteDecimals)) / WAD;
  const liquidity = (REF * target) / refValue;
  const out = amountsForLiquidity(sqrtP, sa, sb, liquidity);
  return handle.baseIsToken0
    ? { amountBase: out.amount0, amountQuote: out.amount1 }
    : { amountBase: out.amount1, amountQuote: out.amount0 };
}

/**
 * Adds a position worth `valueQuoteWad` whole quote tokens at the current price (see
 * {@link amountsForValue}). `fund` is called first for each token with the raw amount needed, so
 * a caller can mint test tokens; otherwise the owner must already hold them.
 */
export async function addLiquidityValue(
  uni: UniswapV3,
  handle: PoolHandle,
  valueQuoteWad: bigint,
  range: LiquidityRange = "full",
  options: AddLiquidityOptions & { fund?: (token: string, to: string, amount: bigint) => Promise<void> } = {},
): Promise<LiquidityResult> {
  const { amountBase, amountQuote } = await amountsForValue(handle, valueQuoteWad, range);
  if (options.fund !== undefined) {
    const to = await (options.owner ?? uni.deployer).getAddress();
    if (amountBase > 0n) await options.fund(handle.base, to, amountBase);
    if (amountQuote > 0n) await options.fund(handle.quote, to, amountQuote);
  }
  return addLiquidity(uni, handle, amountBase, amountQuote, range, options);
}

// ---------------------------------------------------------------- swaps

export interface SwapOptions {
  /** Receiver of the output (default: the signer). */
  recipient?: string;
  /** Least output accepted (default 0). */
  amountOutMinimum?: bigint;
  /** Price limit, Uniswap's sqrtPriceX96 (default: none). */
  sqrtPriceLimitX96?: bigint;
}

export interface SwapResult {
  amountIn: bigint;
  amountOut: bigint;
  sqrtPriceX96After: bigint;
  receipt: ContractTransactionReceipt;
}

/**
 * Sells `amountIn` of `tokenIn` (the base or the quote) on the pool through
 * SwapRouter.exactInputSingle (approval on first use, then one transaction). With a price limit
 * the swap stops there and `amountIn` is only what was used.
 */
export async function swapExactInput(
  uni: UniswapV3,
  handle: PoolHandle,
  signer: Signer,
  tokenIn: string,
  amountIn: bigint,
  options: SwapOptions = {},
): Promise<SwapResult> {
  const inIsBase = tokenIn.toLowerCase() === handle.base.toLowerCase();
  if (!inIsBase && tokenIn.toLowerCase() !== handle.quote.toLowerCase())
    throw new Error(`${tokenIn} is not in the pool`);
  const tokenOut = inIsBase ? handle.quote : handle.base;
  await ensureAllowance(tokenIn, signer, uni.addresses.router, amountIn);
  const tx = await (uni.router.connect(signer) as SwapRouter).exactInputSingle({
    tokenIn,
    tokenOut,
    fee: handle.fee,
    recipient: options.recipient ?? (await signer.getAddress()),
    deadline: NO_DEADLINE,
    amountIn,
    amountOutMinimum: options.amountOutMinimum ?? 0n,
    sqrtPriceLimitX96: options.sqrtPriceLimitX96 ?? 0n,
  });
  const receipt = await tx.wait();
  if (receipt === null) throw new Error("swap: no receipt");
  const poolAddr = handle.address.toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== poolAddr) continue;
    const parsed = handle.pool.interface.parseLog(log);
    if (parsed?.name !== "Swap") continue;
    const amount0 = parsed.args.getValue("amount0") as bigint;
    const amount1 = parsed.args.getValue("amount1") as bigint;
    const zeroForOne = amount0 > 0n;
    return {
      amountIn: zeroForOne ? amount0 : amount1,
      amountOut: zeroForOne ? -amount1 : -amount0,
      sqrtPriceX96After: parsed.args.getValue("sqrtPriceX96") as bigint,
      receipt,
    };
  }
  throw new Error("swap: no Swap event");
}

/**
 * Moves the pool price to `targetPriceWad` (whole quote per whole base) by selling whichever
 * token pushes it there, at most `maxAmountIn` (default: the signer's whole balance of it). Used
 * by arbitrageurs. Stops short of the target (without error) when that amount or the pool's
 * liquidity runs out; check the returned `sqrtPriceX96After`. Returns undefined when the price is
 * already at the target or the amount is zero.
 */
export async function swapToPrice(
  uni: UniswapV3,
  handle: PoolHandle,
  signer: Signer,
  targetPriceWad: bigint,
  maxAmountIn?: bigint,
): Promise<SwapResult | undefined> {
  const target = priceWadToSqrtPriceX96(
    targetPriceWad,
    handle.baseDecimals,
    handle.quoteDecimals,
    handle.baseIsToken0,
  );
  const current = await poolSqrtPriceX96(handle);
  if (target === current) return undefined;
  // selling token0 lowers sqrtPrice (token1 per token0)
  const zeroForOne = target < current;
  const tokenIn = zeroForOne ? handle.token0 : handle.token1;
  const amountIn = maxAmountIn ?? (await erc20(tokenIn, signer).balanceOf(await signer.getAddress()));
  if (amountIn === 0n) return undefined;
  return swapExactInput(uni, handle, signer, tokenIn, amountIn, { sqrtPriceLimitX96: target });
}

/** QuoterV2 output for selling `amountIn` of `tokenIn` on the pool (no state change). */
export async function quoteExactInput(
  uni: UniswapV3,
  handle: PoolHandle,
  tokenIn: string,
  amountIn: bigint,
): Promise<{ amountOut: bigint; sqrtPriceX96After: bigint }> {
  if (uni.quoter === undefined) throw new Error("Uniswap deployed without a quoter");
  const tokenOut = tokenIn.toLowerCase() === handle.base.toLowerCase() ? handle.quote : handle.base;
  const q = await uni.quoter.quoteExactInputSingle.staticCall({
    tokenIn,
    tokenOut,
    amountIn,
    fee: handle.fee,
    sqrtPriceLimitX96: 0n,
  });
  return { amountOut: q.amountOut, sqrtPriceX96After: q.sqrtPriceX96After };
}

/** QuoterV2 output for selling `amountIn` along a packed multi-hop `path` (see {@link encodePath}). */
export async function quoteExactInputPath(uni: UniswapV3, path: string, amountIn: bigint): Promise<bigint> {
  if (uni.quoter === undefined) throw new Error("Uniswap deployed without a quoter");
  return (await uni.quoter.quoteExactInput.staticCall(path, amountIn)).amountOut;
}
