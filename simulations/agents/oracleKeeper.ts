/**
 * The oracle keeper: pushes Chainlink-style updates to each asset's MockV3Aggregator when the
 * reference price moved more than `deviationBps` from the last pushed price or `heartbeatSeconds`
 * passed, with a latency between the decision and the update landing (plus the scenario's
 * `delay` windows). During a `freeze` window it pushes nothing (the feed goes stale once the
 * heartbeat and grace have passed), but the router and the breaker are still poked every ten
 * minutes, as any keeper would. Each landed update: `updateAnswer`, `OracleRouter.poke`,
 * `MarginModel.poke`, `CircuitBreaker.check`; the margin model accepts exactly that one poke per
 * update (an observation is a new feed round, ADR 0012: checked on black-thursday-2020 and
 * oracle-freeze), so the ten-minute pokes between updates leave its estimate unchanged.
 * `checkSystem` after new bad debt; `cooldown` of a
 * raised level when a simulated call says it would pass. After the step's last landed update the
 * keeper refreshes the ledger's cached prices (`Clearinghouse.refreshPrices`, ADR 0006) so that
 * initial-margin checks see the new prices at once; between updates the cache expires and the
 * checks read the oracle, so the lab's results do not depend on the cache.
 */
import type { StepContext } from "./context.js";
import { participant } from "../world/deploy.js";
import { toFixedUnits } from "../world/units.js";
import { encodeCall } from "../world/abi.js";

interface Pending {
  landAt: number;
  price: number;
}

const POKE_EVERY_SECONDS = 600;
const COOLDOWN_TRY_SECONDS = 600;

export class OracleKeeper {
  readonly address = participant.keeper();
  private readonly lastPrice: number[];
  private readonly lastPush: number[];
  private readonly lastPoke: number[];
  private readonly pending: (Pending | undefined)[];
  private lastBadDebt = 0;
  private lastCooldownTry = -Infinity;
  /** Updates landed per asset. */
  readonly updates: number[];

  constructor(initialPrices: readonly number[]) {
    this.lastPrice = [...initialPrices];
    this.lastPush = initialPrices.map(() => 0);
    this.lastPoke = initialPrices.map(() => 0);
    this.pending = initialPrices.map(() => undefined);
    this.updates = initialPrices.map(() => 0);
  }

  /** Acts in the step; returns true when some oracle price landed on chain. */
  async act(ctx: StepContext): Promise<boolean> {
    const { scenario, world, market, t } = ctx;
    const cfg = scenario.oracle;
    let moved = false;
    let lastLanded = 0;
    for (const [i, w] of world.assets.entries()) {
      const ref = cfg.source === "cex" ? ctx.env.cex[w.key].price : market.exogenous[w.key];
      if (market.oracleFrozen[w.key]) {
        this.pending[i] = undefined;
        if (t - this.lastPoke[i] >= POKE_EVERY_SECONDS) await this.poke(ctx, i, 0);
        continue;
      }
      if (this.pending[i] === undefined) {
        const dev = Math.abs(ref / this.lastPrice[i] - 1) * 10_000;
        if (dev >= cfg.deviationBps || t - this.lastPush[i] >= cfg.heartbeatSeconds) {
          const latency = cfg.latencySeconds + market.oracleExtraLatencySeconds[w.key];
          this.pending[i] = { landAt: t + latency, price: ref };
        }
      }
      const p = this.pending[i];
      if (p !== undefined && p.landAt < t + ctx.stepSeconds) {
        const offset = Math.max(0, p.landAt - t);
        const feed = world.sys.assets[i].feed;
        if (feed === undefined) throw new Error(`no mock feed for ${w.symbol}`);
        const answer = toFixedUnits(p.price, w.feedDecimals);
        await ctx.send(
          this.address,
          w.feedAddress,
          encodeCall(feed.interface, "updateAnswer", [answer]),
          200_000n,
          offset,
        );
        this.lastPrice[i] = p.price;
        this.lastPush[i] = t + offset;
        this.pending[i] = undefined;
        this.updates[i]++;
        await this.poke(ctx, i, offset);
        moved = true;
        lastLanded = Math.max(lastLanded, offset);
      } else if (t - this.lastPoke[i] >= POKE_EVERY_SECONDS && ctx.observer.assetLevel[i] > 0) {
        await this.poke(ctx, i, 0);
      }
    }
    const sys = world.sys;
    if (moved) {
      await ctx.send(
        this.address,
        sys.addresses.clearinghouse,
        encodeCall(sys.clearinghouse.interface, "refreshPrices"),
        500_000n,
        lastLanded,
      );
    }
    if (ctx.observer.badDebtUsd > this.lastBadDebt) {
      this.lastBadDebt = ctx.observer.badDebtUsd;
      await ctx.send(
        this.address,
        sys.addresses.circuitBreaker,
        encodeCall(sys.breaker.interface, "checkSystem"),
        500_000n,
      );
    }
    await this.tryCooldowns(ctx);
    return moved;
  }

  private async poke(ctx: StepContext, i: number, offset: number): Promise<void> {
    const sys = ctx.world.sys;
    const asset = ctx.world.assets[i].address;
    await ctx.send(
      this.address,
      sys.addresses.oracleRouter,
      encodeCall(sys.oracle.interface, "poke", [asset]),
      300_000n,
      offset,
    );
    await ctx.send(
      this.address,
      sys.addresses.marginModel,
      encodeCall(sys.marginModel.interface, "poke", [asset]),
      300_000n,
      offset,
    );
    await ctx.send(
      this.address,
      sys.addresses.circuitBreaker,
      encodeCall(sys.breaker.interface, "check", [asset]),
      500_000n,
      offset,
    );
    this.lastPoke[i] = ctx.t + offset;
  }

  /** Lowers raised levels by one when the breaker would allow it (simulated first). */
  private async tryCooldowns(ctx: StepContext): Promise<void> {
    const o = ctx.observer;
    if (ctx.t - this.lastCooldownTry < COOLDOWN_TRY_SECONDS) return;
    if (o.globalLevel === 0 && o.assetLevel.every((l) => l === 0)) return;
    this.lastCooldownTry = ctx.t;
    const sys = ctx.world.sys;
    const breaker = sys.addresses.circuitBreaker;
    const tries: string[] = [];
    if (o.globalLevel > 0) tries.push(encodeCall(sys.breaker.interface, "cooldownGlobal"));
    ctx.world.assets.forEach((w, i) => {
      if (o.assetLevel[i] > 0) tries.push(encodeCall(sys.breaker.interface, "cooldown", [w.address]));
    });
    for (const data of tries) {
      try {
        await ctx.chain.call(breaker, data, this.address);
      } catch {
        continue; // a trigger still holds the level, or the cool-down has not passed
      }
      await ctx.send(this.address, breaker, data, 500_000n);
    }
  }
}
