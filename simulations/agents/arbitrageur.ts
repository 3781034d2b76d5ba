/**
 * The arbitrageur: keeps each Uniswap pool near the CEX reference. It plans with
 * `planArbitrage` (pool trade and CEX leg, the CEX's own impact included), trades the pool
 * through the SwapRouter with a price limit at the planned price, and sends the opposite flow to
 * the CEX (`applyFlow`) for what was actually traded. That CEX flow is how liquidators' sales on
 * the pool reach the reference price, and through the oracle keeper the protocol: the cascade.
 */
import { Interface, MaxUint256 } from "ethers";

import { loadUniswapArtifact, priceWadToSqrtPriceX96 } from "../../scripts/deploy/uniswap.js";
import { planArbitrage } from "../markets/arbitrage.js";
import type { Chain, TxResult } from "../world/chain.js";
import { must, participant, type World } from "../world/deploy.js";
import { toFixedUnits, tokensToUnits, unitsToTokens, usdToWad, wadToNumber } from "../world/units.js";
import type { StepContext } from "./context.js";
import { encodeCall, parseLog } from "../world/abi.js";

const NO_DEADLINE = 2n ** 64n;
const poolIface = new Interface(loadUniswapArtifact("pool").abi);

/** Signed amounts the pool received in a swap: asset and stable, raw units. */
export function poolDeltas(
  tx: TxResult,
  poolAddress: string,
  baseIsToken0: boolean,
): { asset: bigint; stable: bigint } {
  for (const log of tx.logs) {
    if (log.address.toLowerCase() !== poolAddress.toLowerCase()) continue;
    const ev = parseLog(poolIface, log);
    if (ev?.name !== "Swap") continue;
    const a0 = ev.args.getValue("amount0") as bigint;
    const a1 = ev.args.getValue("amount1") as bigint;
    return baseIsToken0 ? { asset: a0, stable: a1 } : { asset: a1, stable: a0 };
  }
  return { asset: 0n, stable: 0n };
}

export class Arbitrageur {
  readonly address = participant.arbitrageur();
  private stableFloorWad = 0n;
  private stableTopUpWad = 0n;
  /** Trades made and USD sent to the CEX. */
  trades = 0;
  cexFlowUsd = 0;
  private lastAct = -Infinity;
  /** Stablecoin held, tracked from the swaps (no balance reads). */
  private stableBal = 0n;

  constructor(
    private readonly thresholdBps: number,
    private readonly latencySeconds: number,
  ) {}

  /** Inventory: stablecoin from the bank, mock collateral minted, approvals to the router. */
  async setup(chain: Chain, world: World, stableUsd: number): Promise<void> {
    await chain.impersonate(this.address);
    const stable = world.sys.stablecoin.interface;
    const router = world.uni.addresses.router;
    const amount = usdToWad(stableUsd);
    this.stableFloorWad = amount / 4n;
    this.stableTopUpWad = amount / 2n;
    this.stableBal = amount;
    await must(
      chain.send(world.bank, world.stable, encodeCall(stable, "transfer", [this.address, amount])),
      "arb funding",
    );
    await must(
      chain.send(this.address, world.stable, encodeCall(stable, "approve", [router, MaxUint256])),
      "arb approve",
    );
    for (const w of world.assets) {
      const erc = w.token.interface;
      const huge = 10n ** BigInt(w.decimals + 12);
      await must(
        chain.send(this.address, w.address, encodeCall(erc, "mint", [this.address, huge])),
        "arb mint",
      );
      await must(
        chain.send(this.address, w.address, encodeCall(erc, "approve", [router, MaxUint256])),
        "arb approve",
      );
    }
  }

  async act(ctx: StepContext): Promise<void> {
    if (ctx.t - this.lastAct < this.latencySeconds && ctx.stepSeconds < this.latencySeconds) return;
    this.lastAct = ctx.t;
    const { world, observer } = ctx;
    const routerIface = world.uni.router.interface;
    for (const [i, w] of world.assets.entries()) {
      const pool = observer.pools[i];
      const cex = ctx.env.cex[w.key];
      const plan = planArbitrage(
        { price: pool.price, liquidity: pool.liquidity, fee: pool.fee },
        cex,
        this.thresholdBps,
      );
      if (plan.direction === "none" || !(plan.profitUsd > 0)) continue;
      const buy = plan.direction === "buy-pool";
      const tokenIn = buy ? world.stable : w.address;
      const amountIn = buy
        ? usdToWad(plan.stableAmount * 1.01 + 1)
        : tokensToUnits(plan.assetAmount * 1.01, w.decimals) + 1n;
      const limit = priceWadToSqrtPriceX96(
        toFixedUnits(plan.poolPriceAfter, 18),
        w.decimals,
        18,
        w.pool.baseIsToken0,
      );
      if (buy) await this.ensureStable(ctx, amountIn);
      const data = encodeCall(routerIface, "exactInputSingle", [
        {
          tokenIn,
          tokenOut: buy ? w.address : world.stable,
          fee: w.poolFee,
          recipient: this.address,
          deadline: NO_DEADLINE,
          amountIn,
          amountOutMinimum: 0n,
          sqrtPriceLimitX96: limit,
        },
      ]);
      const tx = await ctx.send(
        this.address,
        world.uni.addresses.router,
        data,
        1_500_000n,
        Math.min(this.latencySeconds, ctx.stepSeconds - 1),
      );
      if (!tx.ok) continue;
      const d = poolDeltas(tx, w.pool.address, w.pool.baseIsToken0);
      this.stableBal -= d.stable;
      // the pool's asset change, traded the other way on the CEX at its price
      const assetTraded = unitsToTokens(d.asset < 0n ? -d.asset : d.asset, w.decimals);
      const flow = (buy ? -1 : 1) * assetTraded * cex.price;
      cex.applyFlow(flow);
      this.trades++;
      this.cexFlowUsd += flow;
    }
  }

  /** Tops the stablecoin inventory up from the bank (the CEX leg's proceeds, settled). */
  private async ensureStable(ctx: StepContext, need: bigint): Promise<void> {
    const { world } = ctx;
    const stable = world.sys.stablecoin.interface;
    if (this.stableBal >= need + this.stableFloorWad) return;
    const topUp = need + this.stableTopUpWad;
    const bankRaw = await ctx.chain.call(world.stable, encodeCall(stable, "balanceOf", [world.bank]));
    const amount = BigInt(bankRaw) < topUp ? BigInt(bankRaw) : topUp;
    if (amount > 0n) {
      const tx = await ctx.send(
        world.bank,
        world.stable,
        encodeCall(stable, "transfer", [this.address, amount]),
        200_000n,
      );
      if (tx.ok) this.stableBal += amount;
    }
  }
}

export { wadToNumber };
