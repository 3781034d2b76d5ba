/**
 * Competing liquidators. Each has capital, a profit threshold, a latency and a gas ceiling
 * (gas from the scenario, replayed on stress days). In a step they act in order of latency (the
 * fastest first; slower ones find the work done), only when their latency fits in the step:
 * 1. `LiquidationEngine.liquidateBatch` on the accounts the AccountLens confirms below 1 (sent
 *    whatever the gas: the kick reward is not weighed against it);
 * 2. each open auction: `redo` when it needs one, else a flash take through the FlashLiquidator
 *    (the lot is sold on the Uniswap pool inside the take) of the amount the pool absorbs down
 *    to the auction price, when the expected profit after gas beats the threshold. The sale
 *    moves the pool; the arbitrageur carries it to the CEX: the cascade.
 * Without `useFlash` a liquidator pays the auction from its capital and sells on the pool in a
 * second transaction. A patient liquidator (`minDiscount` > 0, e.g. a lone low bidder while the
 * others stall) takes only at that discount to the pool price, or at its last turn before the
 * auction needs a redo (linear curves; other curves: the discount only).
 */
import { MaxUint256 } from "ethers";

import type { Rng } from "../rng.js";
import { sample } from "../scenarios/distributions.js";
import type { Scenario } from "../scenarios/schema.js";
import type { Chain, TxResult } from "../world/chain.js";
import { must, participant, type World } from "../world/deploy.js";
import { sellOutput, sellableDownTo, type OpenAuction } from "../world/observer.js";
import { toFixedUnits, tokensToUnits, unitsToTokens, usdToWad, wadToNumber } from "../world/units.js";
import { gasCostUsd, type StepContext } from "./context.js";
import { encodeCall, eventTopic, parseLog } from "../world/abi.js";

const LIQUIDATE_GAS_PER_ACCOUNT = 260_000;
const TAKE_GAS = 320_000;
const REDO_GAS = 120_000;
const BATCH = 30;
const NO_DEADLINE = 2n ** 64n;

export interface LiquidatorProfile {
  capitalUsd: number;
  minProfitUsd: number;
  latencySeconds: number;
  maxGasGwei: number | undefined;
  useFlash: boolean;
  /** Smallest discount to the pool price it takes at, but at its last chance (0: any profit). */
  minDiscount: number;
}

type LiquidatorGroup = Omit<Scenario["liquidators"], "extra">;

function drawGroup(l: LiquidatorGroup, rng: Rng, prefix: string): LiquidatorProfile[] {
  const out: LiquidatorProfile[] = [];
  for (let i = 0; i < l.count; i++) {
    const r = rng.fork(`${prefix}${i}`);
    out.push({
      capitalUsd: sample(l.capitalUsd, r),
      minProfitUsd: sample(l.minProfitUsd, r),
      latencySeconds: sample(l.latencySeconds, r),
      // drawn after the others (a constant draws nothing), so older scenarios keep their draws
      maxGasGwei:
        l.maxGasGwei === undefined || typeof l.maxGasGwei === "number"
          ? l.maxGasGwei
          : sample(l.maxGasGwei, r),
      useFlash: l.useFlash,
      minDiscount: sample(l.minDiscount, r),
    });
  }
  return out;
}

/** Draws the liquidators of a scenario: the main group, then each `extra` group. */
export function drawLiquidators(scenario: Scenario, rng: Rng): LiquidatorProfile[] {
  const l = scenario.liquidators;
  return [
    ...drawGroup(l, rng, "liquidator/"),
    ...l.extra.flatMap((g, k) => drawGroup(g, rng, `liquidator/extra${k}/`)),
  ];
}

/**
 * A linear auction `elapsed` seconds in (the DutchAuction's rule): its price, whether it needs a
 * redo (older than tail, or below cusp x start), and whether it will `nextSeconds` later.
 */
export function linearAuctionStatus(
  start: number,
  elapsed: number,
  tauSeconds: number,
  cusp: number,
  tailSeconds: number,
  nextSeconds = 0,
): { price: number; redo: boolean; redoNext: boolean } {
  // module-level helpers, not closures: this runs for every open auction, liquidator and step
  return {
    price: linearPriceAt(start, elapsed, tauSeconds),
    redo: linearNeedsRedo(start, elapsed, tauSeconds, cusp, tailSeconds),
    redoNext: linearNeedsRedo(start, elapsed + nextSeconds, tauSeconds, cusp, tailSeconds),
  };
}

function linearPriceAt(start: number, elapsed: number, tauSeconds: number): number {
  return elapsed >= tauSeconds ? 0 : (start * (tauSeconds - elapsed)) / tauSeconds;
}

function linearNeedsRedo(
  start: number,
  elapsed: number,
  tauSeconds: number,
  cusp: number,
  tailSeconds: number,
): boolean {
  return elapsed > tailSeconds || linearPriceAt(start, elapsed, tauSeconds) < start * cusp;
}

/** Whether a price is the auction's cusp (start x cusp) up to floating-point error. */
export function onCusp(price: number, start: number, cusp: number): boolean {
  return Math.abs(price - start * cusp) <= start * 1e-12;
}

/** Whether a patient liquidator passes on a price: above its discount and not its last chance. */
export function waitsForDiscount(
  minDiscount: number,
  price: number,
  poolPrice: number,
  redoNext: boolean,
): boolean {
  return minDiscount > 0 && !redoNext && price > poolPrice * (1 - minDiscount);
}

/**
 * The price of an auction now (linear curve off-chain; other curves read on chain): the status
 * itself when it is known off-chain, else a promise of the chain's (no promise per auction and
 * turn on the common path).
 */
function auctionPrice(
  ctx: StepContext,
  a: OpenAuction,
  now: number,
  /** Seconds until this liquidator acts again: `redoNext` says whether a redo is due by then. */
  nextSeconds = 0,
): AuctionStatus | Promise<AuctionStatus> {
  const p = ctx.world.params.assets[a.assetIndex].auction;
  const elapsed = now - a.startTime;
  const start = wadToNumber(a.startPriceWad);
  if (p.curve.kind === "linear") {
    const status = linearAuctionStatus(
      start,
      elapsed,
      p.curve.tauSeconds,
      Number(p.cusp),
      p.tailSeconds,
      nextSeconds,
    );
    // at the cusp itself the contract's integer rounding decides (the price is rounded down
    // to the wei), not floating point: ask it
    if (!onCusp(status.price, start, Number(p.cusp))) return status;
  }
  return auctionStatusOnChain(ctx, a);
}

interface AuctionStatus {
  price: number;
  redo: boolean;
  redoNext: boolean;
}

/** An auction's price and redo flag as the DutchAuction reports them. */
async function auctionStatusOnChain(ctx: StepContext, a: OpenAuction): Promise<AuctionStatus> {
  const sys = ctx.world.sys;
  const raw = await ctx.chain.call(
    sys.addresses.dutchAuction,
    encodeCall(sys.auction.interface, "getStatus", [a.id]),
  );
  const [needsRedo, priceWad] = sys.auction.interface.decodeFunctionResult("getStatus", raw) as unknown as [
    boolean,
    bigint,
  ];
  // other curves (and a linear one on its cusp): no look-ahead (a patient liquidator waits for
  // its discount or the redo)
  return { price: wadToNumber(priceWad), redo: needsRedo, redoNext: false };
}

export class Liquidator {
  readonly address: string;
  /** Take proceeds less payments, plus keeper rewards, less gas, USD. */
  profitUsd = 0;
  /** Keeper rewards (`KeeperPaid`: kicks and redos), credited to it in the ledger, USD. */
  rewardsUsd = 0;
  gasSpentUsd = 0;
  liquidations = 0;
  takes = 0;
  private stableWad = 0n;

  constructor(
    readonly index: number,
    readonly profile: LiquidatorProfile,
  ) {
    this.address = participant.liquidator(index);
  }

  /** Gas for the node; capital (stablecoin from the bank) and approvals when not flash. */
  async setup(chain: Chain, world: World): Promise<void> {
    await chain.impersonate(this.address);
    if (this.profile.useFlash) return;
    const stable = world.sys.stablecoin.interface;
    this.stableWad = usdToWad(this.profile.capitalUsd);
    await must(
      chain.send(world.bank, world.stable, encodeCall(stable, "transfer", [this.address, this.stableWad])),
      "liquidator capital",
    );
    await must(
      chain.send(
        this.address,
        world.stable,
        encodeCall(stable, "approve", [world.sys.addresses.dutchAuction, MaxUint256]),
      ),
      "liquidator approve",
    );
    for (const w of world.assets) {
      await must(
        chain.send(
          this.address,
          w.address,
          encodeCall(w.token.interface, "approve", [world.uni.addresses.router, MaxUint256]),
        ),
        "liquidator approve",
      );
    }
  }

  /** Steps between two turns: slow bots act every ceil(latency / step) steps. */
  everySteps(ctx: Pick<StepContext, "stepSeconds">): number {
    return this.profile.latencySeconds >= ctx.stepSeconds
      ? Math.ceil(this.profile.latencySeconds / ctx.stepSeconds)
      : 1;
  }

  /** Adds the keeper rewards `tx` paid this liquidator (the ledger's `KeeperPaid`). */
  private countRewards(ctx: StepContext, tx: TxResult): void {
    const ch = ctx.world.sys.clearinghouse.interface;
    const topic = eventTopic(ch, "KeeperPaid");
    for (const log of tx.logs) {
      if (log.topics[0] !== topic || log.address.toLowerCase() !== ctx.world.clearinghouse.toLowerCase())
        continue;
      const ev = parseLog(ch, log);
      if (ev === null || (ev.args.getValue("keeper") as string).toLowerCase() !== this.address.toLowerCase())
        continue;
      const usd = wadToNumber(ev.args.getValue("amountWad") as bigint);
      this.rewardsUsd += usd;
      this.profitUsd += usd;
    }
  }

  /** Whether this liquidator acts in the step (latency and gas ceiling). */
  active(ctx: StepContext): boolean {
    const every = this.everySteps(ctx);
    if (every > 1 && Math.round(ctx.t / ctx.stepSeconds) % every !== 0) return false;
    return this.profile.maxGasGwei === undefined || ctx.market.gasPriceGwei <= this.profile.maxGasGwei;
  }

  /** Liquidates the confirmed accounts (indices into the tracker), in batches. */
  async liquidate(ctx: StepContext, confirmed: string[]): Promise<void> {
    if (confirmed.length === 0) return;
    const sys = ctx.world.sys;
    const offset = Math.min(this.profile.latencySeconds, ctx.stepSeconds - 1);
    for (let s = 0; s < confirmed.length; s += BATCH) {
      // the LiquidationEngine refuses every liquidation at global level >= 2: a bot that reads
      // the level does not send (its latency still passes)
      if (ctx.observer.globalLevel >= 2) {
        ctx.advance(offset);
        return;
      }
      const batch = confirmed.slice(s, s + BATCH);
      const gas = BigInt(Math.min(LIQUIDATE_GAS_PER_ACCOUNT * batch.length * 2 + 500_000, 25_000_000));
      const tx = await ctx.send(
        this.address,
        sys.addresses.liquidationEngine,
        encodeCall(sys.engine.interface, "liquidateBatch", [batch, this.address]),
        gas,
        offset,
      );
      const cost = gasCostUsd(ctx, Number(tx.gasUsed));
      this.gasSpentUsd += cost;
      this.profitUsd -= cost;
      this.countRewards(ctx, tx);
      if (tx.ok) this.liquidations += batch.length;
    }
  }

  /** Redoes stale auctions and takes profitable ones. */
  async takeAuctions(ctx: StepContext): Promise<void> {
    const { world, observer } = ctx;
    const sys = world.sys;
    const offset = Math.min(this.profile.latencySeconds, ctx.stepSeconds - 1);
    const ids = [...observer.auctions.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const id of ids) {
      const a = observer.auctions.get(id);
      if (a === undefined || a.assetIndex < 0) continue;
      if (observer.assetLevel[a.assetIndex] >= 3 || observer.globalLevel >= 3) continue;
      const now = ctx.chainStart + ctx.t + offset;
      const known = auctionPrice(
        ctx,
        a,
        Math.max(now, ctx.chain.now),
        this.everySteps(ctx) * ctx.stepSeconds,
      );
      const { price, redo, redoNext } = known instanceof Promise ? await known : known;
      if (redo) {
        if (gasCostUsd(ctx, REDO_GAS) > 50 + this.profile.minProfitUsd) continue;
        // the DutchAuction refuses redo at level >= 2 (the asset's or the global one): not sent
        if (Math.max(observer.assetLevel[a.assetIndex], observer.globalLevel) >= 2) {
          ctx.advance(offset);
          continue;
        }
        const tx = await ctx.send(
          this.address,
          sys.addresses.dutchAuction,
          encodeCall(sys.auction.interface, "redo", [id, this.address]),
          400_000n,
          offset,
        );
        this.profitUsd -= gasCostUsd(ctx, Number(tx.gasUsed));
        this.countRewards(ctx, tx);
        continue;
      }
      if (!(price > 0)) continue;
      const w = world.assets[a.assetIndex];
      const pool = observer.pools[a.assetIndex];
      // a patient liquidator waits for its discount, unless the auction needs a redo by its next turn
      if (waitsForDiscount(this.profile.minDiscount, price, pool.price, redoNext)) continue;
      const lot = unitsToTokens(a.lot, w.decimals);
      // sell down to where the pool pays the auction price (keeping 0.3% for slippage)
      const room = sellableDownTo(pool, price * 1.003);
      let amount = Math.min(lot, room);
      if (!this.profile.useFlash) amount = Math.min(amount, wadToNumber(this.stableWad) / price);
      if (!(amount > 0)) continue;
      const { out } = sellOutput(pool, amount);
      const gasUsd = gasCostUsd(ctx, TAKE_GAS);
      const expected = out - amount * price - gasUsd;
      if (expected < this.profile.minProfitUsd) continue;
      const maxAmount = amount >= lot ? a.lot : tokensToUnits(amount, w.decimals);
      if (maxAmount === 0n) continue;
      const maxPrice = toFixedUnits(price * 1.0001, 18) + 1n;
      if (this.profile.useFlash) {
        const data = encodeCall(world.flash.interface, "takeAndSell", [
          id,
          maxAmount,
          maxPrice,
          w.poolFee,
          0n,
          this.address,
        ]);
        const tx = await ctx.send(this.address, world.flashAddress, data, 2_000_000n, offset);
        this.profitUsd -= gasCostUsd(ctx, Number(tx.gasUsed));
        if (tx.ok) {
          this.takes++;
          for (const log of tx.logs) {
            if (log.address.toLowerCase() !== world.flashAddress.toLowerCase()) continue;
            const ev = parseLog(world.flash.interface, log);
            if (ev?.name === "FlashTake")
              this.profitUsd += wadToNumber(ev.args.getValue("profitWad") as bigint);
          }
        }
      } else {
        await this.takeWithCapital(ctx, a, maxAmount, maxPrice, offset);
      }
    }
  }

  private async takeWithCapital(
    ctx: StepContext,
    a: OpenAuction,
    maxAmount: bigint,
    maxPrice: bigint,
    offset: number,
  ): Promise<void> {
    const { world } = ctx;
    const sys = world.sys;
    const w = world.assets[a.assetIndex];
    const tx = await ctx.send(
      this.address,
      sys.addresses.dutchAuction,
      encodeCall(sys.auction.interface, "take", [a.id, maxAmount, maxPrice, this.address, "0x"]),
      1_500_000n,
      offset,
    );
    this.profitUsd -= gasCostUsd(ctx, Number(tx.gasUsed));
    if (!tx.ok) return;
    let slice = 0n;
    let owe = 0n;
    for (const log of tx.logs) {
      if (log.address.toLowerCase() !== sys.addresses.dutchAuction.toLowerCase()) continue;
      const ev = parseLog(sys.auction.interface, log);
      if (ev?.name === "Take") {
        slice = ev.args.getValue("slice") as bigint;
        owe = ev.args.getValue("oweWad") as bigint;
      }
    }
    this.stableWad -= owe;
    this.takes++;
    if (slice === 0n) return;
    const data = encodeCall(world.uni.router.interface, "exactInputSingle", [
      {
        tokenIn: w.address,
        tokenOut: world.stable,
        fee: w.poolFee,
        recipient: this.address,
        deadline: NO_DEADLINE,
        amountIn: slice,
        amountOutMinimum: 0n,
        sqrtPriceLimitX96: 0n,
      },
    ]);
    const sell = await ctx.send(this.address, world.uni.addresses.router, data, 1_500_000n, offset);
    this.profitUsd -= gasCostUsd(ctx, Number(sell.gasUsed));
    if (sell.ok) {
      const pool = ctx.observer.pools[a.assetIndex];
      const proceeds = slice > 0n ? unitsToTokens(slice, w.decimals) * pool.price : 0;
      this.profitUsd += proceeds - wadToNumber(owe);
      this.stableWad += usdToWad(proceeds);
    }
  }
}
