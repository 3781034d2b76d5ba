/**
 * Borrowers and traders: N accounts drawn from the scenario's population distributions, each
 * with one collateral asset, an optional stablecoin debt (a share of its borrowing power) and an
 * optional perp position on the same asset (leverage = notional / collateral), and a behaviour:
 * - passive: never reacts;
 * - topUp: after its reaction latency below `reactionHealth`, deposits collateral back to 1.5;
 * - deleverage: after its latency, repays debt (and halves its position) back to 1.5;
 * - panic: after its latency, closes its position, repays everything, withdraws its collateral
 *   and dumps it on the CEX (a flow that moves the reference price). An account in liquidation
 *   (an auction of its collateral running) may only be made safer (ADR 0014): the ledger refuses
 *   its withdrawal, so a panicking owner waits for his auctions to end (`auctionsOf`), then repays
 *   what he owes by then (a shortfall charged back) and withdraws, as a user reading the ledger's
 *   refusal would.
 * Accounts are deterministic addresses, impersonated; each authorizes the bank as operator once,
 * and the bank deposits, borrows (to itself) and repays for them. Health comes from the tracker.
 */
import type { Rng } from "../rng.js";
import { sample } from "../scenarios/distributions.js";
import type { Scenario } from "../scenarios/schema.js";
import type { Chain, TxResult } from "../world/chain.js";
import { must, participant, type World } from "../world/deploy.js";
import type { Observer } from "../world/observer.js";
import { toFixedUnits, tokensToUnits, usdToWad } from "../world/units.js";
import type { StepContext } from "./context.js";
import { encodeCall } from "../world/abi.js";

export type Behaviour = "passive" | "topUp" | "deleverage" | "panic";
const BEHAVIOURS: readonly Behaviour[] = ["passive", "topUp", "deleverage", "panic"];

/** One account as drawn (before it exists on chain). */
export interface AccountProfile {
  address: string;
  /** Index into the world's assets. */
  asset: number;
  collateralUsd: number;
  /** Fraction of borrowing power borrowed (0: no debt). */
  utilization: number;
  /** Perp notional / collateral, signed (long > 0); 0: no position. */
  leverage: number;
  behaviour: Behaviour;
  reactionLatencySeconds: number;
}

/** Draws `count` accounts from the scenario's population (one sub-stream per account). */
export function drawAccounts(
  scenario: Scenario,
  assetKeys: readonly string[],
  hasMarket: readonly boolean[],
  count: number,
  rng: Rng,
): AccountProfile[] {
  const p = scenario.accounts;
  const weights = assetKeys.map((k) => p.collateral[k as "ETH" | "BTC"] ?? 0);
  const b = p.behaviours;
  const bw = [b.passive, b.topUp, b.deleverage, b.panic];
  const out: AccountProfile[] = [];
  for (let i = 0; i < count; i++) {
    const r = rng.fork(`account/${i}`);
    const asset = r.weightedIndex(weights);
    const collateralUsd = sample(p.collateralUsd, r);
    const borrows = r.bernoulli(p.borrow.share);
    const utilization = sample(p.borrow.utilization, r);
    const trades = r.bernoulli(p.perp.share) && hasMarket[asset];
    const lev = sample(p.perp.leverage, r);
    const long = r.bernoulli(p.perp.longShare);
    const behaviour = BEHAVIOURS[r.weightedIndex(bw)];
    const latency = sample(p.reactionLatencySeconds, r);
    out.push({
      address: participant.account(i),
      asset,
      collateralUsd,
      utilization: borrows ? Math.min(Math.max(utilization, 0), 0.99) : 0,
      leverage: trades ? (long ? lev : -lev) : 0,
      behaviour,
      reactionLatencySeconds: Math.max(0, latency),
    });
  }
  return out;
}

interface RiskLevels {
  haircutInit: number;
  marginInit: number;
}

/** The population: opening the accounts, then their reactions each step. */
export class Borrowers {
  private readonly reactAt: Float64Array;
  private readonly done: Uint8Array;
  /** Reactions per account. */
  private readonly reactionsOf: Uint32Array;
  /** Reactions carried out, by behaviour. */
  readonly reactions: Record<Behaviour, number> = { passive: 0, topUp: 0, deleverage: 0, panic: 0 };
  /** Accounts whose opening transactions failed (caps, margin). */
  openFailures = 0;
  /** Positions opened at setup. */
  positionsOpened = 0;
  /** Position reductions (deleverage) and closes (panic) that landed. */
  positionReductions = 0;
  /** Panicking accounts' full withdrawals: landed, and refused by the ledger. */
  exits = 0;
  exitsRefused = 0;
  /** Panicking accounts' exits put off because an auction of theirs ran (retried every step). */
  exitsDeferred = 0;
  /** Accounts waiting for their auctions to end before they withdraw (panic). */
  private readonly exitPending = new Set<number>();
  /**
   * The last `auctionsOf` read per account, with the chain's counters at that read: the
   * Clearinghouse writes an account's auction count only where it logs the account in an indexed
   * topic (`CollateralSeized`, `AuctionSettled`), so while no mined log named it and nothing
   * else wrote to the chain, the count is the same (exits pending re-check every step).
   */
  private readonly auctionsRead = new Map<number, { value: bigint; named: number; writes: number }>();

  constructor(
    readonly profiles: readonly AccountProfile[],
    private readonly reactionHealth: number,
  ) {
    this.reactAt = new Float64Array(profiles.length).fill(Infinity);
    this.done = new Uint8Array(profiles.length);
    this.reactionsOf = new Uint32Array(profiles.length);
  }

  get addresses(): string[] {
    return this.profiles.map((p) => p.address);
  }

  /** The most reactions of any one account. */
  get maxReactionsPerAccount(): number {
    return this.reactionsOf.reduce((m, x) => (x > m ? x : m), 0);
  }

  get assetOf(): number[] {
    return this.profiles.map((p) => p.asset);
  }

  /**
   * Opens every account at the initial prices: operator approval, deposit, position, borrow.
   * Positions are sized within the initial margin and the vault's skew cap (tracked here); each
   * position's transaction is handed to `observe`.
   */
  async open(
    chain: Chain,
    world: World,
    prices: readonly number[],
    risk: readonly RiskLevels[],
    skewCapUsd: number,
    observe: (tx: TxResult) => void,
    onProgress?: (done: number) => void,
  ): Promise<void> {
    const ch = world.sys.clearinghouse.interface;
    const bank = world.bank;
    const skew = world.assets.map(() => 0);
    for (const [i, p] of this.profiles.entries()) {
      const w = world.assets[p.asset];
      const price = prices[p.asset];
      const r = risk[p.asset];
      await chain.impersonate(p.address);
      await must(
        chain.send(p.address, world.clearinghouse, encodeCall(ch, "setOperator", [bank, true]), 200_000n),
        "setOperator",
      );
      const units = tokensToUnits(p.collateralUsd / price, w.decimals);
      if (units === 0n) continue;
      let ok = (
        await chain.send(
          bank,
          world.clearinghouse,
          encodeCall(ch, "deposit", [p.address, w.address, units]),
          300_000n,
        )
      ).ok;
      const power = p.collateralUsd * (1 - r.haircutInit);
      let notional = 0;
      if (ok && p.leverage !== 0 && w.hasMarket) {
        // at most 80% of the initial margin the collateral allows, and within the skew cap
        notional = Math.min(
          Math.abs(p.leverage) * p.collateralUsd,
          (0.8 * power) / Math.max(r.marginInit, 1e-9),
        );
        const sign = Math.sign(p.leverage);
        if (Math.abs(skew[p.asset] + sign * notional) > 0.8 * skewCapUsd) notional = 0;
        if (notional > 10) {
          const size = toFixedUnits((sign * notional) / price, 18);
          const acceptable = toFixedUnits(price * (sign > 0 ? 1.05 : 0.95), 18);
          const tx = await chain.send(
            bank,
            world.clearinghouse,
            encodeCall(ch, "modifyPosition", [p.address, w.address, size, acceptable]),
            600_000n,
          );
          // the observer learns the position from its event (the tracker and the deleveraging
          // and panicking behaviours read its sizes)
          observe(tx);
          if (tx.ok) {
            this.positionsOpened++;
            skew[p.asset] += sign * notional;
          } else notional = 0;
          ok = tx.ok;
        } else notional = 0;
      }
      if (p.utilization > 0) {
        const room = power - notional * r.marginInit * 1.05;
        const debt = p.utilization * room;
        if (debt > Number(world.params.global.minDebtUsd) * 1.5) {
          ok =
            (
              await chain.send(
                bank,
                world.clearinghouse,
                encodeCall(ch, "borrow", [p.address, usdToWad(debt), bank]),
                400_000n,
              )
            ).ok && ok;
        }
      }
      if (!ok) this.openFailures++;
      onProgress?.(i + 1);
    }
  }

  /** Reactions of active accounts below their reaction health, after their latency. */
  async act(ctx: StepContext): Promise<void> {
    const { tracker, observer, world } = ctx;
    const now = ctx.t;
    // exits put off while an auction of the account ran: retried once they have all ended
    for (const i of [...this.exitPending]) {
      if ((await this.auctionsOf(ctx, i)) !== 0n) continue;
      this.exitPending.delete(i);
      // an auction that ended short charged its shortfall back: what it owes is read again
      await this.exit(ctx, i, 0, true);
    }
    const candidates = tracker.below(this.reactionHealth);
    for (const i of candidates) {
      const p = this.profiles[i];
      if (p.behaviour === "passive" || this.done[i] === 1) continue;
      if (this.reactAt[i] === Infinity) {
        this.reactAt[i] = now + p.reactionLatencySeconds;
        continue;
      }
      if (this.reactAt[i] > now + ctx.stepSeconds) continue;
      if (tracker.health[i] >= this.reactionHealth) continue;
      if (tracker.health[i] < 1) continue; // too late: the liquidators are on it
      await this.react(ctx, i, observer, world);
      this.reactAt[i] = Infinity;
      this.reactions[p.behaviour]++;
      this.reactionsOf[i]++;
    }
    // accounts that recovered on their own forget their pending reaction
    for (let i = 0; i < this.profiles.length; i++) {
      if (this.reactAt[i] !== Infinity && tracker.health[i] >= this.reactionHealth)
        this.reactAt[i] = Infinity;
    }
  }

  private async react(ctx: StepContext, i: number, observer: Observer, world: World): Promise<void> {
    const p = this.profiles[i];
    const ch = world.sys.clearinghouse.interface;
    const w = world.assets[p.asset];
    const price = observer.oraclePrice[p.asset];
    const tracker = ctx.tracker;
    const h = tracker.health[i];
    const debt = tracker.debt[i];
    const target = 1.5;
    const offset = Math.min(ctx.stepSeconds - 1, Math.max(0, this.reactAt[i] - ctx.t));
    if (p.behaviour === "topUp") {
      // weighted collateral needed: (target - h) x the health factor's liabilities (the net
      // balance owed plus the positions' requirement, as last read or estimated)
      const liab = tracker.liabilities[i];
      const extraUsd = ((target - h) * liab) / Math.max(1 - observer.haircut[p.asset], 0.05);
      const units = tokensToUnits(Math.max(extraUsd, 0) / price, w.decimals);
      if (units > 0n)
        await ctx.send(
          world.bank,
          world.clearinghouse,
          encodeCall(ch, "deposit", [p.address, w.address, units]),
          300_000n,
          offset,
        );
      return;
    }
    if (p.behaviour === "deleverage") {
      if (p.leverage !== 0) {
        const size = observer.perpSize.get(p.address.toLowerCase())?.[p.asset] ?? 0;
        if (size !== 0) {
          const delta = toFixedUnits(-size / 2, 18);
          const acceptable = toFixedUnits(price * (size > 0 ? 0.9 : 1.1), 18);
          const tx = await ctx.send(
            world.bank,
            world.clearinghouse,
            encodeCall(ch, "modifyPosition", [p.address, w.address, delta, acceptable]),
            600_000n,
            offset,
          );
          if (tx.ok) this.positionReductions++;
        }
      }
      if (debt > 0) {
        const repay = debt * (1 - h / target);
        if (repay > 1)
          await ctx.send(
            world.bank,
            world.clearinghouse,
            encodeCall(ch, "repay", [p.address, usdToWad(repay)]),
            300_000n,
            offset,
          );
      }
      return;
    }
    // panic: out of everything, collateral dumped on the CEX
    this.done[i] = 1;
    const size = observer.perpSize.get(p.address.toLowerCase())?.[p.asset] ?? 0;
    if (size !== 0) {
      const acceptable = toFixedUnits(size > 0 ? price * 0.8 : price * 1.25, 18);
      const tx = await ctx.send(
        world.bank,
        world.clearinghouse,
        encodeCall(ch, "closePosition", [p.address, w.address, acceptable]),
        600_000n,
        offset,
      );
      if (tx.ok) this.positionReductions++;
    }
    // in liquidation: the ledger would refuse the withdrawal until its auctions end (ADR 0014)
    if ((await this.auctionsOf(ctx, i)) !== 0n) {
      this.exitsDeferred++;
      this.exitPending.add(i);
      // what it owes can already be repaid (repay always passes)
      await this.repayOwed(ctx, i, offset);
      return;
    }
    await this.exit(ctx, i, offset, size !== 0 || debt > 0);
  }

  /** The number of auctions of account `i`'s collateral still running. */
  private async auctionsOf(ctx: StepContext, i: number): Promise<bigint> {
    const { chain } = ctx;
    const word = `0x${this.profiles[i].address.slice(2).toLowerCase().padStart(64, "0")}`;
    const last = this.auctionsRead.get(i);
    if (
      last !== undefined &&
      chain.watchedCount(word) === last.named &&
      chain.writesOutsideSend === last.writes
    )
      return last.value;
    chain.watchTopic(word);
    const named = chain.watchedCount(word) ?? 0;
    const writes = chain.writesOutsideSend;
    const ch = ctx.world.sys.clearinghouse.interface;
    const raw = await chain.call(
      ctx.world.clearinghouse,
      encodeCall(ch, "auctionsOf", [this.profiles[i].address]),
    );
    const value = BigInt(raw);
    this.auctionsRead.set(i, { value, named, writes });
    return value;
  }

  /**
   * Repays what account `i` owes now: closing a losing position books the loss as debt, and an
   * auction's shortfall is charged back, so the tracker's debt (read earlier) would fall short and
   * the full withdrawal be refused.
   */
  private async repayOwed(ctx: StepContext, i: number, offset: number): Promise<void> {
    const p = this.profiles[i];
    const { world } = ctx;
    const ch = world.sys.clearinghouse.interface;
    const owedWad = BigInt(await ctx.chain.call(world.clearinghouse, encodeCall(ch, "debtOf", [p.address])));
    if (owedWad > 0n)
      await ctx.send(
        world.bank,
        world.clearinghouse,
        // with a margin for the stability fee accrued until the repay's block
        encodeCall(ch, "repay", [p.address, owedWad + owedWad / 1000n + 1n]),
        300_000n,
        offset,
      );
  }

  /**
   * A panicking account's exit: repays what it owes (`mayOwe`: it may owe something; otherwise
   * not read), withdraws everything and dumps it on the CEX.
   */
  private async exit(ctx: StepContext, i: number, offset: number, mayOwe: boolean): Promise<void> {
    const p = this.profiles[i];
    const { world } = ctx;
    const ch = world.sys.clearinghouse.interface;
    const w = world.assets[p.asset];
    if (mayOwe) await this.repayOwed(ctx, i, offset);
    const raw = await ctx.chain.call(
      world.clearinghouse,
      encodeCall(ch, "collateralOf", [p.address, w.address]),
    );
    const units = BigInt(raw);
    if (units > 0n) {
      const tx = await ctx.send(
        world.bank,
        world.clearinghouse,
        encodeCall(ch, "withdraw", [p.address, w.address, units, p.address]),
        400_000n,
        offset,
      );
      if (tx.ok) {
        this.exits++;
        ctx.env.cex[w.key].applyFlow((-Number(units) / 10 ** w.decimals) * ctx.env.cex[w.key].price);
      } else this.exitsRefused++;
    }
  }
}
