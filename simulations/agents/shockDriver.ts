/**
 * The shock driver: carries the scenario's scripted liquidity shocks onto the chain. The price
 * shocks are already in the exogenous path (simulations/markets); what the chain must see is the
 * on-chain depth: when the scenario's pool depth (`pools.X.schedule`: the starting liquidity
 * times the factor; or a stress day's real ETH/DAI reserves: the pool's dollar value) moves
 * more than 5% from the pool's, the bank's liquidity positions are cut
 * (`decreaseLiquidity` + `collect`) or a new full-range position is minted, so liquidators sell
 * into a pool as deep as the scenario says.
 */
import { rangeTicks } from "../../scripts/deploy/uniswap.js";
import { tokensToUnits, usdToWad } from "../world/units.js";
import type { StepContext } from "./context.js";
import { encodeCall, parseLog } from "../world/abi.js";

const TOLERANCE = 0.05;
const NO_DEADLINE = 2n ** 64n;
const MAX128 = (1n << 128n) - 1n;

export class ShockDriver {
  /** Liquidity changes made. */
  changes = 0;
  private initial: { depthUsd: number; liquidity: number }[] | undefined;

  async act(ctx: StepContext): Promise<void> {
    const { world, observer, market } = ctx;
    const pm = world.uni.positionManager;
    const pmAddr = world.uni.addresses.positionManager;
    for (const [i, w] of world.assets.entries()) {
      const pool = observer.pools[i];
      if (!(pool.liquidity > 0) || !(pool.price > 0)) continue;
      const sqrtP = Math.sqrt(pool.price);
      this.initial ??= world.assets.map((x, k) => ({
        depthUsd: ctx.env.initial.poolDepthUsd[x.key],
        liquidity: observer.pools[k].liquidity,
      }));
      // a schedule scales the liquidity the pool started with; a replay of real reserves gives
      // the pool's value, in dollars at the reference price
      const replay = ctx.scenario.pools[w.key]?.replay !== undefined;
      const target = replay
        ? market.poolDepthUsd[w.key] / (2 * Math.sqrt(ctx.env.cex[w.key].price))
        : (this.initial[i].liquidity * market.poolDepthUsd[w.key]) / this.initial[i].depthUsd;
      const ratio = target / pool.liquidity;
      if (Math.abs(ratio - 1) <= TOLERANCE) continue;
      if (ratio < 1) {
        // cut the bank's positions pro rata
        const cut = 1 - ratio;
        const scale = BigInt(Math.floor(cut * 1e12));
        for (const pos of w.positions) {
          const amount = (pos.liquidity * scale) / 10n ** 12n;
          if (amount === 0n) continue;
          const dec = encodeCall(
            pm.interface,
            "decreaseLiquidity" as never,
            [
              {
                tokenId: pos.tokenId,
                liquidity: amount,
                amount0Min: 0n,
                amount1Min: 0n,
                deadline: NO_DEADLINE,
              },
            ] as never,
          );
          const tx = await ctx.send(world.bank, pmAddr, dec, 800_000n);
          if (!tx.ok) continue;
          pos.liquidity -= amount;
          const col = encodeCall(
            pm.interface,
            "collect" as never,
            [
              { tokenId: pos.tokenId, recipient: world.bank, amount0Max: MAX128, amount1Max: MAX128 },
            ] as never,
          );
          await ctx.send(world.bank, pmAddr, col, 500_000n);
        }
      } else {
        const add = target - pool.liquidity; // whole-token liquidity units
        const amountAsset = tokensToUnits((add / sqrtP) * 1.001, w.decimals);
        const amountStable = usdToWad(add * sqrtP * 1.001);
        const { tickLower, tickUpper } = rangeTicks(w.pool, "full");
        const [a0, a1] = w.pool.baseIsToken0 ? [amountAsset, amountStable] : [amountStable, amountAsset];
        const data = encodeCall(pm.interface, "mint", [
          {
            token0: w.pool.token0,
            token1: w.pool.token1,
            fee: w.poolFee,
            tickLower,
            tickUpper,
            amount0Desired: a0,
            amount1Desired: a1,
            amount0Min: 0n,
            amount1Min: 0n,
            recipient: world.bank,
            deadline: NO_DEADLINE,
          },
        ]);
        const tx = await ctx.send(world.bank, pmAddr, data, 1_000_000n);
        if (!tx.ok) continue;
        for (const log of tx.logs) {
          if (log.address.toLowerCase() !== pmAddr.toLowerCase()) continue;
          const ev = parseLog(pm.interface, log);
          if (ev?.name === "IncreaseLiquidity")
            w.positions.push({
              tokenId: ev.args.getValue("tokenId") as bigint,
              liquidity: ev.args.getValue("liquidity") as bigint,
            });
        }
      }
      this.changes++;
    }
  }
}
