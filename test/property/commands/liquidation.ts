/**
 * Commands of the liquidation suite (full system): protocol actions of the borrowers, oracle moves
 * through the Chainlink mock feeds and `oracle.poke`, oracle failures of every kind (a primary
 * answering 0 or below, out of its bounds, stale; WETH's secondary deviating or failing; the L2
 * sequencer down or in its grace period), each optionally met at once by another command, time,
 * `liquidate` and `liquidateBatch` (keeper, self-liquidation, no keeper), `take` (an EOA, or
 * MockAuctionTaker with its callback), `redo`, the guardian's raises (and attempts to lower),
 * governance levels through the timelock, `check` (its trigger event compared) and cool-downs.
 *
 * `execLiq` runs one transaction on a copy of the model and on the chain at the same timestamp,
 * demands the same outcome (success, or the same custom error: I13; an exit refused for the oracle
 * or a breaker level: I11; commands/outcome.ts), the same events (Kick, Take, Redo, AuctionEnded,
 * BadDebtCovered, Liquidated, CapHit, field by field), re-keys the model's new auctions with the
 * ids the Kick events carry, and runs every check (model/liqchecks.ts). Commands send through
 * `LiqCommand.tx` / `chTx` and name contracts with `at(r, role)`.
 */
import type { Interface, LogDescription } from "ethers";

import { WAD } from "../../../simulations/math/wad.js";
import { mineAt, sendAt, snapshot } from "../model/chain.js";
import { fail } from "../model/checks.js";
import * as L from "../model/ledger.js";
import { checkLiq, reasonWord, type LiqCheckMemory } from "../model/liqchecks.js";
import {
  ORACLE_STATUS_NAMES,
  OracleStatus,
  ZERO,
  answerToWad,
  auctionStatus,
  breakerCheck,
  breakerCooldown,
  cloneLiq,
  feedUpdate,
  governanceSet,
  guardianRaise,
  liquidate,
  liquidateBatch,
  oraclePoke,
  oracleRead,
  redo,
  secondaryUpdate,
  sequencerUpdate,
  syncOracle,
  take,
  type FeedModel,
  type LiqState,
  type LiquidationResult,
  type ModelEvent,
  withInlineSystemCheck,
} from "../model/liquidation.js";
import { answerAt, type LiqSystem } from "../model/liqsystem.js";
import { bump, compareOutcome, ModelCommand, predict } from "./outcome.js";

export interface LiqBox {
  s: LiqState;
}

export interface LiqStats {
  commands: number;
  transactions: number;
  reverts: Map<string, number>;
  byCommand: Map<string, number>;
  /** Notable outcomes (auctions kicked, taken, bad debt, ...). */
  outcomes: Map<string, number>;
  /** The router's status of each asset after each command (how often each failure was reached). */
  oracle: Map<string, number>;
  /**
   * How often the states some checks need were reached: a reduction or close on its market's
   * failing oracle, a liquidation attempt at global level 2, a repayment at a breaker level, a
   * liquidation paused (or a batch's asset skipped) by an asset's own level 2, a take refused at
   * level 3 (the token's or global; with a callback).
   */
  reach: Map<string, number>;
}

export function newLiqStats(): LiqStats {
  return {
    commands: 0,
    transactions: 0,
    reverts: new Map(),
    byCommand: new Map(),
    outcomes: new Map(),
    oracle: new Map(),
    reach: new Map(),
  };
}

export interface LiqReal {
  sys: LiqSystem;
  mem: LiqCheckMemory;
  stats: LiqStats;
}

export type Outcome<T> = { ok: true; value: T; logs: LogDescription[] } | { ok: false; errorName: string };

/** A contract call: who sends it, to which contract, which function. */
export interface ChainCall {
  from: string;
  iface: Interface;
  to: string;
  fn: string;
  args: readonly unknown[];
}

export interface LiqTx<T> extends ChainCall {
  label: string;
  /** Seconds between the previous block and this transaction's block (default 1). */
  dt?: bigint;
  /** The model's version of the transaction (throws `ModelRevert` where the chain must revert). */
  model: (s: LiqState, t: bigint) => T;
  /** Skip the full check after this transaction (a first half of a pair). */
  noCheck?: boolean;
  /** An exit (deposit, repay, reduce, close): never refused for the oracle or a breaker level (I11). */
  mustSucceed?: boolean;
}

/** The contracts commands call, by role. */
export type Target = "ch" | "engine" | "auction" | "breaker" | "oracle" | "timelock" | "taker";

/** Interface and address of a contract of the system, for a `ChainCall`. */
export function at(r: LiqReal, target: Target): { iface: Interface; to: string } {
  const to = target === "taker" ? r.sys.taker : r.sys.addr[target];
  return { iface: r.sys.iface[target], to };
}

const lc = (x: unknown): string => String(x).toLowerCase();

function compareEvents(
  label: string,
  predicted: ModelEvent[],
  logs: LogDescription[],
  s: LiqState,
): Map<string, bigint> {
  const kinds = new Set([
    "Kick",
    "Take",
    "Redo",
    "AuctionEnded",
    "BadDebtCovered",
    "PerpPenaltyWaived",
    "Liquidated",
    "CapHit",
  ]);
  const chain = logs.filter((l) => kinds.has(l.name));
  const names = (xs: { name?: string; kind?: string }[]) => xs.map((x) => x.name ?? x.kind).join(",");
  if (chain.length !== predicted.length) {
    fail("MODEL", `${label}: events [${names(chain)}], the model expected [${names(predicted)}]`);
  }
  const ids = new Map<string, bigint>();
  const idOf = (key: string): bigint => ids.get(key) ?? s.auctions.get(key)?.id ?? BigInt(key);
  for (const [i, e] of predicted.entries()) {
    const c = chain[i];
    if (c.name !== e.kind) fail("MODEL", `${label}: event ${i} is ${c.name}, the model expected ${e.kind}`);
    const a = c.args;
    const check = (field: string, chainV: unknown, modelV: unknown) => {
      if (lc(chainV) !== lc(modelV))
        fail("MODEL", `${label}: ${e.kind}.${field} chain ${lc(chainV)} != model ${lc(modelV)}`);
    };
    switch (e.kind) {
      case "Kick":
        ids.set(e.key, a.id as bigint);
        check("account", a.account, e.account);
        check("token", a.token, e.token);
        check("lot", a.lot, e.lot);
        check("tabWad", a.tabWad, e.tabWad);
        check("debtWad", a.debtWad, e.debtWad);
        check("startPriceWad", a.startPriceWad, e.startPriceWad);
        check("keeper", a.keeper, e.keeper);
        check("rewardWad", a.rewardWad, e.rewardWad);
        break;
      case "Take":
        check("id", a.id, idOf(e.key));
        check("priceWad", a.priceWad, e.priceWad);
        check("oweWad", a.oweWad, e.oweWad);
        check("slice", a[5], e.slice);
        check("debtCoveredWad", a.debtCoveredWad, e.debtCoveredWad);
        check("tabLeftWad", a.tabLeftWad, e.tabLeftWad);
        check("lotLeft", a.lotLeft, e.lotLeft);
        break;
      case "Redo":
        check("id", a.id, idOf(e.key));
        check("startPriceWad", a.startPriceWad, e.startPriceWad);
        check("rewardWad", a.rewardWad, e.rewardWad);
        break;
      case "AuctionEnded":
        check("id", a.id, idOf(e.key));
        check("lotLeft", a.lotLeft, e.lotLeft);
        check("debtLeftWad", a.debtLeftWad, e.debtLeftWad);
        break;
      case "BadDebtCovered":
        check("account", a.account, e.account);
        check("fromVaultWad", a.fromVaultWad, e.fromVaultWad);
        check("toDeficitWad", a.toDeficitWad, e.toDeficitWad);
        break;
      case "PerpPenaltyWaived":
        check("account", a.account, e.account);
        check("waivedWad", a.waivedWad, e.waivedWad);
        break;
      case "Liquidated":
        check("account", a.account, e.account);
        check("healthFactorWad", a.healthFactorWad, e.healthFactorWad);
        check("positionsClosed", a.positionsClosed, e.positionsClosed);
        check("auctions", a.auctions, e.auctions);
        check("debtCoveredWad", a.debtCoveredWad, e.debtCoveredWad);
        check("writtenOffWad", a.writtenOffWad, e.writtenOffWad);
        check("whole", a.whole, e.whole);
        break;
      case "CapHit":
        check("account", a.account, e.account);
        check("token", a.token, e.token);
        check("debtWantedWad", a.debtWantedWad, e.debtWantedWad);
        check("debtCoveredWad", a.debtCoveredWad, e.debtCoveredWad);
        break;
    }
  }
  return ids;
}

/** Runs one transaction on model and chain; compares outcome and events; checks everything. */
export async function execLiq<T>(m: LiqBox, r: LiqReal, spec: LiqTx<T>): Promise<Outcome<T>> {
  const t = m.s.l.now + (spec.dt ?? 1n);
  const next = cloneLiq(m.s);
  next.log = [];
  syncOracle(next, t);
  const predicted = predict(() => withInlineSystemCheck(t, () => spec.model(next, t)));
  const out = await sendAt(r.sys, t, spec.from, spec.iface, spec.to, spec.fn, spec.args);
  r.stats.transactions++;
  if (process.env.LIQ_DEBUG === "1") {
    console.log(`      t=${t} ${spec.label}: ${out.ok ? "ok" : out.errorName}`);
  }
  if (!out.ok) bump(r.stats.reverts, out.errorName);
  compareOutcome(spec.label, predicted, out, spec.mustSucceed === true);
  let result: Outcome<T>;
  if (predicted.ok && out.ok) {
    const ids = compareEvents(spec.label, next.log, out.logs, next);
    for (const [key, id] of ids) {
      const au = next.auctions.get(key);
      if (au === undefined) continue; // kicked and ended in the same transaction (not possible today)
      next.auctions.delete(key);
      au.id = id;
      if (next.auctions.has(id.toString())) fail("I12", `${spec.label}: auction id ${id} is already running`);
      next.auctions.set(id.toString(), au);
    }
    for (const e of next.log) bump(r.stats.outcomes, e.kind);
    next.l.now = t;
    next.log = [];
    syncOracle(next, t); // a feed the transaction moved changes the reads at once
    m.s = next;
    result = { ok: true, value: predicted.value, logs: out.logs };
  } else {
    m.s.l.now = t;
    syncOracle(m.s, t);
    result = { ok: false, errorName: (out as { errorName: string }).errorName };
  }
  if (spec.noCheck !== true) await checkLiq(r.sys, m.s, r.mem);
  return result;
}

/** Base class of the liquidation suite's commands; counts each oracle's status after a command. */
export abstract class LiqCommand extends ModelCommand<LiqBox, LiqReal> {
  protected override afterRun(m: LiqBox, r: LiqReal): void {
    for (const tk of m.s.feeds.keys())
      bump(r.stats.oracle, ORACLE_STATUS_NAMES[oracleRead(m.s, tk, m.s.l.now).status]);
  }
  /** One transaction of this command through `execLiq`, labelled with the command. */
  protected tx<T>(
    m: LiqBox,
    r: LiqReal,
    spec: Omit<LiqTx<T>, "label"> & { label?: string },
  ): Promise<Outcome<T>> {
    return execLiq(m, r, { label: this.toString(), ...spec });
  }
  /** A borrower's own Clearinghouse call (`fn(args)` from `who`). */
  protected chTx<T>(
    m: LiqBox,
    r: LiqReal,
    who: string,
    fn: string,
    args: readonly unknown[],
    model: (s: LiqState, t: bigint) => T,
    mustSucceed = false,
  ): Promise<Outcome<T>> {
    return this.tx(m, r, { model, from: who, ...at(r, "ch"), fn, args, mustSucceed });
  }
}

const tokenOf = (r: LiqReal, i: number): string => (i === 0 ? r.sys.addr.weth : r.sys.addr.wbtc);
const feedOf = (r: LiqReal, i: number): string => (i === 0 ? r.sys.addr.wethFeed : r.sys.addr.wbtcFeed);
const tokenName = (i: number): string => (i === 0 ? "WETH" : "WBTC");
const scopeName = (i: number): string => (i === 0 ? "global" : tokenName(i - 1));
const bpsOf = (x: bigint, bps: number): bigint => (x * BigInt(bps)) / 10_000n;

/** Counts a reduction or close about to meet its market's failing oracle (must pass: I11). */
function reachReduction(m: LiqBox, r: LiqReal, market: string): void {
  if (!oracleRead(m.s, market, m.s.l.now + 1n).ok) bump(r.stats.reach, "reduction on a failing oracle");
}

/** Counts a liquidation attempt at global level exactly 2 (paused there, not only at 3). */
function reachPause(m: LiqBox, r: LiqReal): void {
  if (m.s.breaker.global.level === 2) bump(r.stats.reach, "liquidation at global level 2");
}

/**
 * The model's `action`, with `onRevert` told of the revert it predicts (the report's counters of
 * the refusals a check needs reached); the revert still propagates.
 */
function seeRevert<T>(action: () => T, onRevert: (e: L.ModelRevert) => void): T {
  try {
    return action();
  } catch (e) {
    if (e instanceof L.ModelRevert) onRevert(e);
    throw e;
  }
}

/** Counts a single liquidation the model pauses for an asset's own level 2 (global below 2). */
function reachAssetPause(r: LiqReal, e: L.ModelRevert): void {
  if (e.errorName === "LiquidationEngine__Paused" && e.args[0] !== ZERO && e.args[1] === 2)
    bump(r.stats.reach, "liquidation paused by an asset's own level 2");
}

/** Counts a take the ledger refuses at level 3 (the token's or global), with or without a callback. */
function reachTakeLevel3(r: LiqReal, e: L.ModelRevert, callback: boolean): void {
  if (e.errorName !== "Clearinghouse__BreakerLevel") return;
  bump(r.stats.reach, `take at ${e.args[0] === ZERO ? "global" : "its token's"} level 3`);
  if (callback) bump(r.stats.reach, "take at level 3 with a callback");
}

/** Whether `action` succeeds on a copy of the model at `t`. */
function succeeds(s: LiqState, t: bigint, action: (c: LiqState, t: bigint) => unknown): boolean {
  const c = modelAt(s, t);
  return !L.modelReverts(() => action(c, t));
}

/** A copy of the model with its oracle read at `t`: what a transaction at `t` would see. */
function modelAt(s: LiqState, t: bigint): LiqState {
  const c = cloneLiq(s);
  syncOracle(c, t);
  return c;
}

/** Where a probe rolls back to: the chain's snapshot, a copy of the model, the checks' memory. */
interface Probe {
  id: string;
  s: LiqState;
  mem: LiqCheckMemory;
}

/** Starts a probe: what runs until `probeEnd` is rolled back on both sides. */
async function probeStart(m: LiqBox, r: LiqReal): Promise<Probe> {
  return { id: await snapshot(r.sys), s: cloneLiq(m.s), mem: { ...r.mem } };
}

/** Rolls chain (`evm_revert`) and model back to the probe's start, then runs every check. */
async function probeEnd(m: LiqBox, r: LiqReal, p: Probe): Promise<void> {
  const ok = await r.sys.provider.request({ method: "evm_revert", params: [p.id] });
  if (ok !== true) throw new Error("evm_revert failed");
  m.s = p.s;
  Object.assign(r.mem, p.mem);
  await checkLiq(r.sys, m.s, r.mem);
}

/** Largest x in [0, hi] with ok(x) (ok monotone decreasing); 0 if none. */
function maxOk(ok: (x: bigint) => boolean, hi: bigint): bigint {
  if (hi <= 0n) return 0n;
  if (ok(hi)) return hi;
  let lo = 0n;
  let h = hi;
  while (h - lo > 1n) {
    const mid = (lo + h) / 2n;
    if (ok(mid)) lo = mid;
    else h = mid;
  }
  return lo;
}

// ---------------------------------------------------------------- account actions

export class DepositCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly token: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "deposit";
  }
  protected describe(): string {
    return `Deposit(${this.actor}, ${tokenName(this.token)}, ${this.bps}bps)`;
  }
  async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const who = r.sys.borrowers[this.actor].address;
    const tk = tokenOf(r, this.token);
    const amount = bpsOf(L.balanceOf(m.s.l, tk, who), this.bps);
    this.resolved = `${amount}`;
    await this.chTx(
      m,
      r,
      who,
      "deposit",
      [who, tk, amount],
      (s, t) => L.deposit(s.l, t, who, who, tk, amount),
      true,
    );
  }
}

export class WithdrawCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly token: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "withdraw";
  }
  protected describe(): string {
    return `Withdraw(${this.actor}, ${tokenName(this.token)}, ${this.bps}bps of the allowed)`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const who = r.sys.borrowers[this.actor].address;
    const tk = tokenOf(r, this.token);
    const t = m.s.l.now + 1n;
    const available = L.collateralOf(m.s.l, who, tk);
    const allowed = maxOk(
      (x) => x > 0n && succeeds(m.s, t, (c, tt) => L.withdraw(c.l, tt, who, who, tk, x, who)),
      available,
    );
    const amount = this.bps === 10_001 ? allowed + 1n : bpsOf(allowed === 0n ? available : allowed, this.bps);
    this.resolved = `${amount}`;
    await this.chTx(m, r, who, "withdraw", [who, tk, amount, who], (s, tt) =>
      L.withdraw(s.l, tt, who, who, tk, amount, who),
    );
  }
}

export class BorrowCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "borrow";
  }
  protected describe(): string {
    return `Borrow(${this.actor}, ${this.bps}bps of the max)`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const who = r.sys.borrowers[this.actor].address;
    const t = m.s.l.now + 1n;
    const max = maxOk(
      (x) => x > 0n && succeeds(m.s, t, (c, tt) => L.borrow(c.l, tt, who, who, x, who)),
      10n ** 25n,
    );
    // nothing borrowable (a failing oracle, a breaker level, no room): ask for up to 1,000 anyway,
    // so the refusal itself is predicted (OracleUnhealthy, BreakerLevel, Undercollateralized)
    const amount = this.bps === 10_001 ? max + 1n : bpsOf(max === 0n ? 1_000n * WAD : max, this.bps);
    this.resolved = `${amount}`;
    await this.chTx(m, r, who, "borrow", [who, amount, who], (s, tt) =>
      L.borrow(s.l, tt, who, who, amount, who),
    );
  }
}

export class RepayCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "repay";
  }
  protected describe(): string {
    return `Repay(${this.actor}, ${this.bps}bps)`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const who = r.sys.borrowers[this.actor].address;
    const bal = L.balanceOf(m.s.l, r.sys.addr.stablecoin, who);
    const debt = L.debtOf(m.s.l, who, m.s.l.now + 1n);
    const amount = bpsOf(bal < debt ? bal : debt, this.bps);
    this.resolved = `${amount}`;
    if (amount > 0n && L.breakerBlocksRisk(m.s.l, who)) bump(r.stats.reach, "repay at a breaker level");
    await this.chTx(m, r, who, "repay", [who, amount], (s, t) => L.repay(s.l, t, who, who, amount), true);
  }
}

export class PositionCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly market: number,
    readonly long: boolean,
    readonly usd: number,
  ) {
    super();
  }
  kind(): string {
    return "position";
  }
  protected describe(): string {
    return `Position(${this.actor}, ${tokenName(this.market)}, ${this.long ? "long" : "short"} $${this.usd})`;
  }
  async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const who = r.sys.borrowers[this.actor].address;
    const mk = tokenOf(r, this.market);
    const price = L.oraclePrice(m.s.l, mk).priceWad;
    const size = price === 0n ? 1n : (BigInt(this.usd) * WAD * WAD) / price;
    const delta = this.long ? size : -size;
    const acceptable = this.long ? L.MAX_UINT256 : 0n;
    this.resolved = `${delta}`;
    // a pure reduction passes whatever the oracle and the breaker level (I11)
    const held = L.positionOf(m.s.l, who, mk).sizeWad;
    const reduces =
      held !== 0n && held > 0n !== delta > 0n && (delta < 0n ? -delta : delta) <= (held < 0n ? -held : held);
    if (reduces) reachReduction(m, r, mk);
    await this.chTx(
      m,
      r,
      who,
      "modifyPosition",
      [who, mk, delta, acceptable],
      (s, t) => L.modifyPosition(s.l, t, who, who, mk, delta, acceptable),
      reduces,
    );
  }
}

export class ClosePositionCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly market: number,
    /** Take the first open position (from this borrower and market on) when this one is empty. */
    readonly anyOpen = false,
    /** Reduce by half instead of closing. */
    readonly half = false,
    /** With `anyOpen`: any borrower's position in this market first (the market an oracle event broke). */
    readonly sameMarket = false,
  ) {
    super();
  }
  kind(): string {
    return this.half ? "reducePosition" : "closePosition";
  }
  protected describe(): string {
    const any = this.anyOpen ? (this.sameMarket ? ", or any open in it" : ", or any open") : "";
    return `${this.half ? "ReducePosition" : "ClosePosition"}(${this.actor}, ${tokenName(this.market)}${any})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    let [actor, market] = [this.actor, this.market];
    if (this.anyOpen) {
      const n = r.sys.borrowers.length;
      // candidates in order: this borrower's other market next, or (sameMarket) the other
      // borrowers' positions in this market first
      const order = (k: number): [number, number] =>
        this.sameMarket
          ? [(this.actor + (k % n)) % n, (this.market + Math.floor(k / n)) % 2]
          : [(this.actor + (k >> 1)) % n, (this.market + k) % 2];
      for (let k = 0; k < 2 * n; k++) {
        const [a, mk] = order(k);
        if (L.positionOf(m.s.l, r.sys.borrowers[a].address, tokenOf(r, mk)).sizeWad !== 0n) {
          [actor, market] = [a, mk];
          break;
        }
      }
    }
    const who = r.sys.borrowers[actor].address;
    const mk = tokenOf(r, market);
    const size = L.positionOf(m.s.l, who, mk).sizeWad;
    const acceptable = size > 0n ? 0n : L.MAX_UINT256;
    this.resolved = `${actor}, ${tokenName(market)}, size ${size}`;
    if (size !== 0n && (!this.half || size / 2n !== 0n)) reachReduction(m, r, mk);
    // a close or a pure reduction passes whatever the oracle and the breaker level (I11)
    if (this.half) {
      const delta = -size / 2n;
      await this.chTx(
        m,
        r,
        who,
        "modifyPosition",
        [who, mk, delta, acceptable],
        (s, t) => L.modifyPosition(s.l, t, who, who, mk, delta, acceptable),
        true,
      );
      return;
    }
    await this.chTx(
      m,
      r,
      who,
      "closePosition",
      [who, mk, acceptable],
      (s, t) => L.closePosition(s.l, t, who, who, mk, acceptable),
      true,
    );
  }
}

// ---------------------------------------------------------------- environment

/** Where the secondary feed stands for a primary `answer`: the same price, moved by its offset. */
export function secondaryFor(f: FeedModel, answer: bigint): bigint {
  const sec = f.secondary!;
  const same = answerAt(answer, Number(f.feedDecimals), Number(sec.feedDecimals));
  return (same * (10_000n + sec.offsetBps)) / 10_000n + sec.offsetWei;
}

/** Blocks `setFeed` takes for a token: the primary, the secondary (when it has one), the poke. */
function feedSteps(s: LiqState, tk: string): bigint {
  return s.feeds.get(tk)!.secondary === undefined ? 2n : 3n;
}

/**
 * Sets the primary feed's answer (feed units), has the secondary (if any) follow at its offset
 * (not when the primary answer is not positive: a broken primary says nothing about the market),
 * and pokes the router, one block each.
 */
export async function setFeed(
  m: LiqBox,
  r: LiqReal,
  token: number,
  answer: bigint,
  label: string,
): Promise<void> {
  const tk = tokenOf(r, token);
  await execLiq(m, r, {
    label: `${label} updateAnswer(${answer})`,
    model: (s, t) => feedUpdate(s, t, tk, answer),
    from: r.sys.guardian,
    iface: r.sys.iface.feed,
    to: feedOf(r, token),
    fn: "updateAnswer",
    args: [answer],
    noCheck: true,
  });
  const f = m.s.feeds.get(tk)!;
  if (f.secondary !== undefined && answer > 0n) {
    await setSecondary(m, r, token, secondaryFor(f, answer), label, true);
  }
  await poke(m, r, token, label);
}

/** The secondary feed of `token` reports `answer`. */
async function setSecondary(
  m: LiqBox,
  r: LiqReal,
  token: number,
  answer: bigint,
  label: string,
  noCheck: boolean,
): Promise<void> {
  const tk = tokenOf(r, token);
  await execLiq(m, r, {
    label: `${label} secondary updateAnswer(${answer})`,
    model: (s, t) => secondaryUpdate(s, t, tk, answer),
    from: r.sys.guardian,
    iface: r.sys.iface.feed,
    to: r.sys.addr.secondaryFeeds[token]!,
    fn: "updateAnswer",
    args: [answer],
    noCheck,
  });
}

async function poke(m: LiqBox, r: LiqReal, token: number, label: string): Promise<void> {
  const tk = tokenOf(r, token);
  await execLiq(m, r, {
    label: `${label} poke`,
    model: (s, t) => oraclePoke(s, t, tk),
    from: r.sys.guardian,
    ...at(r, "oracle"),
    fn: "poke",
    args: [tk],
  });
}

/** The feed answer (feed units) a WAD price corresponds to. */
function answerFor(s: LiqState, tk: string, priceWad: bigint): bigint {
  const f = s.feeds.get(tk)!;
  return answerAt(priceWad, 18, Number(f.feedDecimals));
}

/**
 * The answer price moves start from: the primary's, or the last good price's when the primary is
 * not positive or out of its bounds (a broken answer is not a market price).
 */
function baseAnswer(s: LiqState, tk: string): bigint {
  const f = s.feeds.get(tk)!;
  if (f.answer <= 0n) return answerFor(s, tk, f.lastGoodWad);
  const wad = answerToWad(f.answer, f.feedDecimals);
  return wad < f.minPriceWad || wad > f.maxPriceWad ? answerFor(s, tk, f.lastGoodWad) : f.answer;
}

export class PriceMoveCmd extends LiqCommand {
  constructor(
    readonly token: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return Math.abs(this.bps) >= 2_000 ? "priceJump" : "priceMove";
  }
  protected describe(): string {
    return `PriceMove(${tokenName(this.token)}, ${this.bps >= 0 ? "+" : ""}${this.bps}bps)`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const tk = tokenOf(r, this.token);
    const base = baseAnswer(m.s, tk);
    let answer = (base * BigInt(10_000 + this.bps)) / 10_000n;
    if (answer < 1n) answer = 1n;
    this.resolved = `${answer}`;
    await setFeed(m, r, this.token, answer, this.toString());
  }
}

/**
 * A command that breaks (or mends) an oracle, optionally followed at once by another command (a
 * borrower's action, a liquidation, a breaker check), so the suite sees every entry point meet
 * each failure: the model predicts the refusal (`OracleUnhealthy`, `OracleNotOk`, ...) or, for
 * deposit, repay and reductions, the success (I11).
 */
abstract class OracleEventCmd extends LiqCommand {
  constructor(readonly then?: LiqCommand) {
    super();
  }
  protected abstract event(m: LiqBox, r: LiqReal): Promise<void>;
  protected abstract describeEvent(): string;
  protected describe(): string {
    return `${this.describeEvent()}${this.then === undefined ? "" : `, then ${this.then.toString()}`}`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    await this.event(m, r);
    if (this.then !== undefined) await this.then.run(m, r);
  }
}

/** The primary answers 0 (or a negative number): PrimaryNonPositive. */
export class OracleFailCmd extends OracleEventCmd {
  constructor(
    readonly token: number,
    readonly negative = false,
    then?: LiqCommand,
  ) {
    super(then);
  }
  kind(): string {
    return "oracleFail";
  }
  protected describeEvent(): string {
    return `OracleFail(${tokenName(this.token)}${this.negative ? ", -1" : ""})`;
  }
  protected async event(m: LiqBox, r: LiqReal): Promise<void> {
    await setFeed(m, r, this.token, this.negative ? -1n : 0n, this.toString());
  }
}

export type BoundsKind = "below" | "atMin" | "atMax" | "above";

/** The primary answers just outside its [min, max] (PrimaryOutOfBounds) or exactly at a bound (ok). */
export class OracleOutOfBoundsCmd extends OracleEventCmd {
  constructor(
    readonly token: number,
    readonly where: BoundsKind,
    then?: LiqCommand,
  ) {
    super(then);
  }
  kind(): string {
    return this.where === "below" || this.where === "above" ? "oracleOutOfBounds" : "oracleAtBound";
  }
  protected describeEvent(): string {
    return `OracleOutOfBounds(${tokenName(this.token)}, ${this.where})`;
  }
  protected async event(m: LiqBox, r: LiqReal): Promise<void> {
    const tk = tokenOf(r, this.token);
    const f = m.s.feeds.get(tk)!;
    const min = answerFor(m.s, tk, f.minPriceWad);
    const max = answerFor(m.s, tk, f.maxPriceWad);
    const answer = { below: min - 1n, atMin: min, atMax: max, above: max + 1n }[this.where];
    this.resolved = `${answer}`;
    await setFeed(m, r, this.token, answer, this.toString());
  }
}

export type StaleKind = "primaryAtLimit" | "primaryPast" | "secondaryPast";

/**
 * Time passes without a report until a feed's round is exactly heartbeat + grace old (still ok)
 * or one second older (PrimaryStale; for the secondary, SecondaryFailed while the primary is fresh).
 */
export class OracleStaleCmd extends OracleEventCmd {
  constructor(
    readonly token: number,
    readonly which: StaleKind,
    then?: LiqCommand,
  ) {
    super(then);
  }
  kind(): string {
    return this.which === "primaryAtLimit" ? "oracleAgeLimit" : "oracleStale";
  }
  protected describeEvent(): string {
    return `OracleStale(${tokenName(this.token)}, ${this.which})`;
  }
  protected async event(m: LiqBox, r: LiqReal): Promise<void> {
    const f = m.s.feeds.get(tokenOf(r, this.token))!;
    const round = this.which === "secondaryPast" && f.secondary !== undefined ? f.secondary : f;
    const maxAge = round === f ? f.maxAgeSeconds : f.secondary!.maxAgeSeconds;
    let t = round.updatedAt + maxAge + (this.which === "primaryAtLimit" ? 0n : 1n);
    if (t <= m.s.l.now) t = m.s.l.now + 1n; // already past it
    this.resolved = `t=${t}`;
    await timePasses(m, r, t);
  }
}

/**
 * WETH's primary reports its price again and the secondary reports it moved by `bps` (plus `wei`
 * of WAD price): beyond the
 * max deviation the read is SecondaryDeviation (the breaker's DEVIATION trigger), within it ok;
 * exactly at it still ok; -10000 bps answers 0 and -9999 bps a price below the asset's minimum
 * (both SecondaryFailed, not a deviation). The offset stays until changed.
 */
export class SecondaryDeviationCmd extends OracleEventCmd {
  constructor(
    readonly bps: number,
    readonly wei: number,
    then?: LiqCommand,
  ) {
    super(then);
  }
  kind(): string {
    return "secondaryDeviation";
  }
  protected describeEvent(): string {
    return `SecondaryDeviation(WETH, ${this.bps >= 0 ? "+" : ""}${this.bps}bps${this.wei === 0 ? "" : ` ${this.wei >= 0 ? "+" : ""}${this.wei}wei`})`;
  }
  protected async event(m: LiqBox, r: LiqReal): Promise<void> {
    const tk = tokenOf(r, 0);
    const f = m.s.feeds.get(tk)!;
    if (f.secondary === undefined) {
      this.resolved = "no secondary";
      return;
    }
    f.secondary.offsetBps = BigInt(this.bps);
    f.secondary.offsetWei = BigInt(this.wei);
    // the primary reports again (fresh, at its market price), so the deviation is what the read
    // sees; the secondary follows at its new offset
    const base = baseAnswer(m.s, tk);
    this.resolved = `primary ${base}, secondary ${secondaryFor(f, base)}`;
    await setFeed(m, r, 0, base, this.toString());
  }
}

/**
 * The L2 sequencer goes down (the uptime feed answers 1): every read is SequencerDown. Optionally
 * a command runs during the outage and the sequencer comes back up (`SequencerUpCmd`) after it.
 */
export class SequencerDownCmd extends OracleEventCmd {
  constructor(
    then?: LiqCommand,
    readonly upAfter?: UpKind,
  ) {
    super(then);
  }
  kind(): string {
    return "sequencerDown";
  }
  protected describeEvent(): string {
    return "SequencerDown()";
  }
  protected describe(): string {
    return `${super.describe()}${this.upAfter === undefined ? "" : `, then up (${this.upAfter})`}`;
  }
  protected async event(m: LiqBox, r: LiqReal): Promise<void> {
    if (r.sys.addr.sequencerFeed === undefined) return;
    await this.tx(m, r, {
      model: (s, t) => sequencerUpdate(s, 1n, t),
      from: r.sys.guardian,
      iface: r.sys.iface.feed,
      to: r.sys.addr.sequencerFeed,
      fn: "updateAnswer",
      args: [1n],
    });
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    await super.exec(m, r);
    if (this.upAfter !== undefined) await new SequencerUpCmd(this.upAfter).run(m, r);
  }
}

/**
 * How long ago the sequencer came back up, against the grace period: `now` (updateAnswer(0): the
 * whole grace to wait), one second short of the grace, exactly the grace (ok), long ago, a
 * `startedAt` in the future (grace period) or 0 (SequencerDown even with answer 0).
 */
export type UpKind = "now" | "graceMinus1" | "grace" | "long" | "future" | "zero";

export class SequencerUpCmd extends OracleEventCmd {
  constructor(
    readonly since: UpKind,
    then?: LiqCommand,
  ) {
    super(then);
  }
  kind(): string {
    return "sequencerUp";
  }
  protected describeEvent(): string {
    return `SequencerUp(${this.since})`;
  }
  protected async event(m: LiqBox, r: LiqReal): Promise<void> {
    const feed = r.sys.addr.sequencerFeed;
    const q = m.s.sequencer;
    if (feed === undefined || q === undefined) return;
    const call = { from: r.sys.guardian, iface: r.sys.iface.feed, to: feed };
    if (this.since === "now") {
      await this.tx(m, r, {
        model: (s, t) => sequencerUpdate(s, 0n, t),
        ...call,
        fn: "updateAnswer",
        args: [0n],
      });
      return;
    }
    const t = m.s.l.now + 1n;
    const g = q.graceSeconds;
    const startedAt = {
      graceMinus1: t - g + 1n,
      grace: t - g,
      long: t - 10n * g,
      future: t + 600n,
      zero: 0n,
    }[this.since];
    this.resolved = `startedAt ${startedAt}`;
    await this.tx(m, r, {
      model: (s) => sequencerUpdate(s, 0n, startedAt),
      ...call,
      fn: "updateRoundData",
      args: [t, 0n, t, startedAt],
    });
  }
}

export type FailKind = "zero" | "negative" | "below" | "above" | "stale" | "sequencer";

/**
 * A position meets its market's failing oracle. The market: this one when a borrower holds a
 * position in it, else the other when one does; else the first borrower (from this one) and market
 * (from this one) where the model says a deposit (a tenth of the wallet's WETH, else half) and
 * the position would pass gets them, after fresh feeds (`RefreshFeedsCmd`) when none would and
 * a read is failing, and when a breaker level still stops them, as a probe rolled back at the end
 * (chain and model) after governance sets every level to 0 (`LevelsResetCmd`) (this borrower and
 * market when none would still: the refusal is predicted). Then
 * the market's oracle breaks (primary 0 or -1, out of its bounds, stale, or the sequencer down:
 * back up long ago right after) and the position is reduced by half or closed (this borrower's,
 * else any borrower's in the market), which must pass (I11: only risk-increasing fills need a
 * healthy oracle).
 */
export class ReduceOnFailureCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly market: number,
    readonly long: boolean,
    readonly usd: number,
    readonly how: FailKind,
    readonly half: boolean,
  ) {
    super();
  }
  kind(): string {
    return "reduceOnFailure";
  }
  protected describe(): string {
    return `ReduceOnFailure(${this.actor}, ${tokenName(this.market)}, ${this.how}, ${this.half ? "half" : "close"})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    let probe: Probe | undefined;
    const steps: LiqCommand[] = [];
    const step = async (c: LiqCommand): Promise<void> => {
      steps.push(c);
      await c.run(m, r);
    };
    const n = r.sys.borrowers.length;
    const markets = [this.market, 1 - this.market];
    const held = (mk: number): boolean =>
      r.sys.borrowers.some((b) => L.positionOf(m.s.l, b.address, tokenOf(r, mk)).sizeWad !== 0n);
    let [actor, market] = [this.actor, markets.find(held)];
    if (market === undefined) {
      market = this.market;
      let depositBps = 1_000;
      const weth = tokenOf(r, 0);
      // who can open one: [actor, market, deposit bps] or undefined
      const opener = (): [number, number, number] | undefined => {
        const t = m.s.l.now + 1n;
        const opens = (a: number, mk: number, bps: number): boolean => {
          const who = r.sys.borrowers[a].address;
          const tk = tokenOf(r, mk);
          const dep = bpsOf(L.balanceOf(m.s.l, weth, who), bps);
          const price = L.oraclePrice(m.s.l, tk).priceWad;
          const size = price === 0n ? 1n : (BigInt(this.usd) * WAD * WAD) / price;
          const acceptable = this.long ? L.MAX_UINT256 : 0n;
          return succeeds(m.s, t, (c, tt) => {
            if (dep > 0n) L.deposit(c.l, tt, who, who, weth, dep);
            syncOracle(c, tt + 1n);
            L.modifyPosition(c.l, tt + 1n, who, who, tk, this.long ? size : -size, acceptable);
          });
        };
        for (const bps of [1_000, 5_000]) {
          for (let k = 0; k < n; k++) {
            for (const mk of markets)
              if (opens((this.actor + k) % n, mk, bps)) return [(this.actor + k) % n, mk, bps];
          }
        }
        return undefined;
      };
      let found = opener();
      const failing = [...m.s.feeds.keys()].some((tk) => !oracleRead(m.s, tk, m.s.l.now + 1n).ok);
      if (found === undefined && failing) {
        await step(new RefreshFeedsCmd());
        found = opener();
      }
      const b = m.s.breaker;
      if (
        found === undefined &&
        (b.global.level !== 0 || [...b.assets.values()].some((x) => x.level !== 0))
      ) {
        // a breaker level stops every opening: as a probe (rolled back at the end), governance
        // sets the levels to 0 first
        probe = await probeStart(m, r);
        await step(new LevelsResetCmd());
        found = opener();
      }
      if (found !== undefined) [actor, market, depositBps] = found;
      await step(new DepositCmd(actor, 0, depositBps));
      await step(new PositionCmd(actor, market, this.long, this.usd));
    }
    const reduce = new ClosePositionCmd(actor, market, true, this.half, true);
    const how = this.how;
    await step(
      how === "sequencer"
        ? new SequencerDownCmd(reduce, "long")
        : how === "stale"
          ? new OracleStaleCmd(market, "primaryPast", reduce)
          : how === "zero" || how === "negative"
            ? new OracleFailCmd(market, how === "negative", reduce)
            : new OracleOutOfBoundsCmd(market, how, reduce),
    );
    if (probe !== undefined) await probeEnd(m, r, probe);
    this.resolved = `${steps.map((c) => c.toString()).join("; ")}${probe === undefined ? "" : "; rolled back"}`;
  }
}

/** Moves a price so that a borrower's maintenance health lands just below 1 (or just above). */
export class UnderwaterCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly token: number,
    readonly above: boolean,
    readonly thenLiquidate = false,
    /** After the liquidation, a take of the newest auction: [wait seconds, bps of the lot, callback]. */
    readonly thenTake?: readonly [number, number, boolean],
    /**
     * The line to land beside: maintenance health 1 (the liquidation threshold), or zero haircut
     * equity (`W + credit - debt + pnl`: far under water, where a liquidation's perp penalty
     * cannot be paid in full and is partly or wholly waived, ADR 0009), or half the debt
     * (`2 (W + credit + pnl) = debt`: deep enough that no partial plan helps and the whole lot is
     * worth less than the debt, so its auction ends in bad debt).
     */
    readonly line: "health" | "equity" | "halfDebt" = "health",
    /** First, a WETH deposit and position for the account: [long, notional in USD] (PositionCmd). */
    readonly openFirst?: readonly [boolean, number],
  ) {
    super();
  }
  kind(): string {
    return "underwater";
  }
  protected describe(): string {
    const then = this.thenTake === undefined ? "" : `, then take ${this.thenTake.join("/")}`;
    const side =
      this.line === "health"
        ? this.above
          ? "just above 1"
          : "just below 1"
        : this.line === "equity"
          ? this.above
            ? "equity just above 0"
            : "equity just below 0"
          : this.above
            ? "collateral just above half the debt"
            : "collateral just below half the debt";
    const open =
      this.openFirst === undefined
        ? ""
        : `after ${this.openFirst[0] ? "long" : "short"} $${this.openFirst[1]}, `;
    return `Underwater(${this.actor}, ${tokenName(this.token)}, ${open}${side}${this.thenLiquidate ? ", then liquidate" : ""}${then})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    if (this.openFirst !== undefined) {
      // collateral for it (a tenth of the wallet's WETH), then the position
      await new DepositCmd(this.actor, 0, 1_000).exec(m, r);
      await new PositionCmd(this.actor, 0, this.openFirst[0], this.openFirst[1]).exec(m, r);
    }
    const who = r.sys.accounts[this.actor].address;
    const tk = tokenOf(r, this.token);
    const f = m.s.feeds.get(tk)!;
    const cur = baseAnswer(m.s, tk);
    const t = m.s.l.now + feedSteps(m.s, tk);
    // what crosses the line at the chosen price: maintenance health (line 1) or haircut equity
    // (line 0)
    const measureAt = (answer: bigint): bigint => {
      const c = cloneLiq(m.s);
      feedUpdate(c, t, tk, answer);
      if (f.secondary !== undefined) secondaryUpdate(c, t, tk, secondaryFor(f, answer));
      syncOracle(c, t);
      const h = L.computeHealth(c.l, who, false, t);
      if (this.line === "health") return h.healthFactorWad;
      if (this.line === "halfDebt")
        return 2n * (h.weightedCollateralWad + h.creditWad + h.pnlWad) - h.debtWad;
      return h.weightedCollateralWad + h.creditWad + h.pnlWad - h.debtWad;
    };
    const line = this.line === "health" ? WAD : 0n;
    let lo = answerFor(m.s, tk, f.minPriceWad) + 1n;
    let hi = cur * 4n;
    // binary search for the boundary answer where the measure crosses the line
    const below = (a: bigint): boolean => measureAt(a) < line;
    if (below(lo) === below(hi)) {
      this.resolved = "no boundary";
      return;
    }
    while (hi - lo > 1n) {
      const mid = (lo + hi) / 2n;
      if (below(mid) === below(lo)) lo = mid;
      else hi = mid;
    }
    // lo and hi straddle the boundary
    const answer = below(lo) !== this.above ? lo : hi;
    this.resolved = `${answer}`;
    await setFeed(m, r, this.token, answer, this.toString());
    if (this.thenLiquidate) await new LiquidateCmd(this.actor, "keeper", false).exec(m, r);
    if (this.thenTake !== undefined && m.s.auctions.size > 0) {
      const [w, b, cb] = this.thenTake;
      await new TakeCmd(m.s.auctions.size - 1, b, "loose", cb, w).exec(m, r);
    }
  }
}

export class TimePassesCmd extends LiqCommand {
  constructor(readonly seconds: number) {
    super();
  }
  kind(): string {
    return "time";
  }
  protected describe(): string {
    return `TimePasses(${this.seconds}s)`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    await timePasses(m, r, m.s.l.now + BigInt(this.seconds));
  }
}

/** An empty block at `t`; then every check. */
async function timePasses(m: LiqBox, r: LiqReal, t: bigint): Promise<void> {
  await mineAt(r.sys, t);
  m.s.l.now = t;
  syncOracle(m.s, t);
  await checkLiq(r.sys, m.s, r.mem);
}

// ---------------------------------------------------------------- liquidation

export type KeeperKind = "keeper" | "self" | "none";

function keeperAddr(r: LiqReal, kind: KeeperKind, target: string): string {
  return kind === "keeper" ? r.sys.keeper : kind === "self" ? target : ZERO;
}

/** Self-liquidations that gained the kick reward (the known finding), for the report. */
export const selfLiquidationFindings: string[] = [];

/** I7 on one successful liquidation (`pre`: the model before, `post`: after). */
function checkI7(
  label: string,
  pre: LiqState,
  post: LiqState,
  acct: string,
  keeper: string,
  res: LiquidationResult,
  logs: LogDescription[],
): void {
  const t = post.l.now;
  if (res.healthFactorWad >= WAD) fail("I7", `${label}: liquidated at health ${res.healthFactorWad} >= 1`);
  for (const log of logs) {
    if (log.name !== "Kick") continue;
    const lot = log.args.lot as bigint;
    const tab = log.args.tabWad as bigint;
    const debt = log.args.debtWad as bigint;
    const reward = log.args.rewardWad as bigint;
    const tk = String(log.args.token);
    const aa = pre.auctionAssets.get(tk)!;
    const valueWad = (lot * L.oraclePrice(post.l, tk).priceWad) / 10n ** aa.decimals;
    if (reward > valueWad) fail("I7", `${label}: keeper reward ${reward} above the value seized ${valueWad}`);
    if (reward > 0n && reward >= tab - debt)
      fail("I7", `${label}: keeper reward ${reward} not below the penalty ${tab - debt}`);
  }
  if (keeper === acct) {
    // self-liquidation: the owner's worth (collateral at the oracle + credit - debt + its claim on
    // what its auctions' lots are worth above their tabs) must fall: the rewards stay below the
    // penalty, and none is paid when a lot is worth less than its tab (this suite found that an
    // insolvent account used to gain the kick reward; LIQ_STRICT_SELF=0 tolerates it again).
    const worth = (s: LiqState): bigint => {
      let v = L.creditOf(s.l, acct, t) - L.debtOf(s.l, acct, t);
      for (const { token, decimals } of s.l.collaterals) {
        v += (L.collateralOf(s.l, acct, token) * L.oraclePrice(s.l, token).priceWad) / 10n ** decimals;
      }
      for (const au of s.auctions.values()) {
        if (au.account !== acct) continue;
        const dec = s.auctionAssets.get(au.token)!.decimals;
        const lotValue = (au.lot * L.oraclePrice(s.l, au.token).priceWad) / 10n ** dec;
        if (lotValue > au.tabWad) v += lotValue - au.tabWad;
      }
      return v;
    };
    const before = worth(pre);
    const after = worth(post);
    if (res.auctions > 0n && after >= before) {
      let rewards = 0n;
      for (const log of logs) if (log.name === "Kick") rewards += log.args.rewardWad as bigint;
      // an insolvent account's worth rises to 0 whoever liquidates it (its debt beyond the
      // collateral goes to the waterfall): that is not the keeper role's profit. The owner acting
      // as keeper must not earn a reward on top.
      const known = (res.whole && rewards === 0n) || (res.whole && process.env.LIQ_STRICT_SELF === "0");
      if (!known)
        fail(
          "I7",
          `${label}: self-liquidation did not lose (worth ${before} -> ${after}, rewards ${rewards})`,
        );
      selfLiquidationFindings.push(`${label}: worth ${before} -> ${after} (rewards ${rewards})`);
    }
  }
  if (res.capped || res.pausedSkip || res.writtenOffWad > 0n || res.auctions === 0n) return;
  const h = L.computeHealth(post.l, acct, false, t);
  if (res.whole) {
    for (const { token } of post.l.collaterals) {
      if (L.collateralOf(post.l, acct, token) !== 0n)
        fail("I7", `${label}: whole liquidation left collateral`);
    }
  } else {
    // partial: back at the target (up to the lot's rounding to whole token units), not liquidatable again
    const target = post.engine.targetHealthWad;
    if (h.healthFactorWad < target - target / 1_000_000n) {
      fail("I7", `${label}: partial liquidation left health ${h.healthFactorWad} below the target ${target}`);
    }
  }
  if (h.healthFactorWad < WAD && !res.whole)
    fail("I7", `${label}: still liquidatable after an uncapped liquidation`);
}

/**
 * Both primaries report their current answers again (fresh; the last good price's when broken),
 * WETH's secondary agrees with its primary again, and the router is poked.
 */
export class RefreshFeedsCmd extends LiqCommand {
  kind(): string {
    return "refreshFeeds";
  }
  protected describe(): string {
    return "RefreshFeeds()";
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    await refreshFeeds(m, r, this.toString());
  }
}

export async function refreshFeeds(m: LiqBox, r: LiqReal, label: string): Promise<void> {
  for (const i of [0, 1]) {
    const tk = tokenOf(r, i);
    const f = m.s.feeds.get(tk)!;
    // the sources agree again: the secondary (if any) back at the primary's price
    if (f.secondary !== undefined) {
      f.secondary.offsetBps = 0n;
      f.secondary.offsetWei = 0n;
    }
    await setFeed(m, r, i, baseAnswer(m.s, tk), `${label} ${tokenName(i)}`);
  }
}

export class LiquidateCmd extends LiqCommand {
  constructor(
    readonly target: number,
    readonly keeper: KeeperKind,
    readonly twice: boolean,
  ) {
    super();
  }
  kind(): string {
    return "liquidate";
  }
  protected describe(): string {
    return `Liquidate(${this.target}, keeper=${this.keeper}${this.twice ? ", twice" : ""})`;
  }
  async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const acct = r.sys.accounts[this.target].address;
    const keeper = keeperAddr(r, this.keeper, acct);
    const caller = this.keeper === "self" ? acct : r.sys.keeper;
    for (let i = 0; i < (this.twice ? 2 : 1); i++) {
      reachPause(m, r);
      const pre = m.s;
      const out = await this.tx(m, r, {
        label: `${this.toString()}#${i}`,
        model: (s, t) =>
          seeRevert(
            () => liquidate(s, t, acct, keeper),
            (e) => reachAssetPause(r, e),
          ),
        from: caller,
        ...at(r, "engine"),
        fn: "liquidate",
        args: [acct, keeper],
      });
      if (out.ok) {
        bump(r.stats.outcomes, out.value.whole ? "liquidated whole" : "liquidated partial");
        checkI7(this.toString(), pre, m.s, acct, keeper, out.value, out.logs);
      }
    }
  }
}

export class LiquidateBatchCmd extends LiqCommand {
  constructor(
    readonly targets: number[],
    readonly keeper: KeeperKind,
  ) {
    super();
  }
  kind(): string {
    return "liquidateBatch";
  }
  protected describe(): string {
    return `LiquidateBatch([${this.targets.join(",")}], keeper=${this.keeper})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const accts = this.targets.map((i) => r.sys.accounts[i].address);
    const keeper = this.keeper === "keeper" ? r.sys.keeper : ZERO;
    reachPause(m, r);
    await this.tx(m, r, {
      model: (s, t) =>
        liquidateBatch(s, t, accts, keeper, (_, res) => {
          // an asset skipped for its own level 2 (not the global level)
          if (res.paused.some((p) => p.ownLevel === 2 && p.level === 2))
            bump(r.stats.reach, "batch skipping an asset at its own level 2");
        }),
      from: r.sys.keeper,
      ...at(r, "engine"),
      fn: "liquidateBatch",
      args: [accts, keeper],
    });
  }
}

export type PriceKind = "loose" | "exact" | "belowByOne";

export class TakeCmd extends LiqCommand {
  constructor(
    readonly auction: number,
    readonly bps: number,
    readonly price: PriceKind,
    readonly callback: boolean,
    readonly wait: number,
    /** Among the auctions of this token (index) that need no redo, else any that needs none. */
    readonly token?: number,
  ) {
    super();
  }
  kind(): string {
    return this.callback ? "takeCallback" : "take";
  }
  protected describe(): string {
    const of = this.token === undefined ? "" : ` of ${tokenName(this.token)}`;
    return `Take(#${this.auction}${of}, ${this.bps}bps of the lot, ${this.price}${this.callback ? ", callback" : ""}, after ${this.wait}s)`;
  }
  async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const dt = BigInt(this.wait) + 1n;
    const t = m.s.l.now + dt;
    let keys = [...m.s.auctions.keys()];
    if (this.token !== undefined) {
      // the token's auctions that need no redo, else any that needs none, else the token's
      const tk = tokenOf(r, this.token);
      const ofToken = (ks: string[]) => ks.filter((k) => m.s.auctions.get(k)!.token === tk);
      const live = keys.filter((k) => !auctionStatus(m.s, m.s.auctions.get(k)!, t).needsRedo);
      const pick = [ofToken(live), live, ofToken(keys)].find((ks) => ks.length > 0);
      if (pick !== undefined) keys = pick;
    }
    let key: string;
    let id: bigint;
    if (keys.length === 0) {
      key = "999999";
      id = 999_999n; // a take of an auction that does not exist
    } else {
      key = keys[this.auction % keys.length];
      id = m.s.auctions.get(key)!.id;
    }
    const au = m.s.auctions.get(key);
    const lot = au?.lot ?? 1n;
    const maxAmount =
      this.bps === 0 ? 0n : this.bps >= 10_000 ? lot : (lot * BigInt(this.bps)) / 10_000n + 1n;
    const cur = au === undefined ? 0n : auctionStatus(m.s, au, t).priceWad;
    const maxPrice =
      this.price === "loose" ? L.MAX_UINT256 : this.price === "exact" ? cur : cur > 0n ? cur - 1n : 0n;
    this.resolved = `id ${id}, max ${maxAmount}, maxPrice ${maxPrice}`;
    const payer = this.callback ? r.sys.taker : r.sys.bidder;
    const out = await this.tx(m, r, {
      dt,
      model: (s, tt) =>
        seeRevert(
          () => take(s, tt, payer, key, maxAmount, maxPrice, payer),
          (e) => reachTakeLevel3(r, e, this.callback),
        ),
      from: r.sys.bidder,
      ...(this.callback
        ? {
            ...at(r, "taker"),
            fn: "takeAuction",
            args: [id, maxAmount, maxPrice, "0x01"],
          }
        : {
            ...at(r, "auction"),
            fn: "take",
            args: [id, maxAmount, maxPrice, r.sys.bidder, "0x"],
          }),
    });
    if (out.ok && out.value.ended)
      bump(r.stats.outcomes, out.value.debtLeftWad > 0n ? "ended with debt left" : "ended paid");
    if (out.ok && out.value.penaltyUsedWad > 0n)
      bump(r.stats.reach, "bad debt at an auction's end, the last payment's penalty covering debt first");
  }
}

export class RedoCmd extends LiqCommand {
  constructor(
    readonly auction: number,
    readonly withKeeper: boolean,
    readonly wait: number,
  ) {
    super();
  }
  kind(): string {
    return "redo";
  }
  protected describe(): string {
    return `Redo(#${this.auction}, ${this.withKeeper ? "keeper" : "no keeper"}, after ${this.wait}s)`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const keys = [...m.s.auctions.keys()];
    const key = keys.length === 0 ? "999999" : keys[this.auction % keys.length];
    const id = keys.length === 0 ? 999_999n : m.s.auctions.get(key)!.id;
    const keeper = this.withKeeper ? r.sys.keeper : ZERO;
    this.resolved = `id ${id}`;
    await this.tx(m, r, {
      dt: BigInt(this.wait) + 1n,
      model: (s, t) => redo(s, t, key, keeper),
      from: r.sys.keeper,
      ...at(r, "auction"),
      fn: "redo",
      args: [id, keeper],
    });
  }
}

// ---------------------------------------------------------------- circuit breaker

/**
 * The guardian (or a stranger) raises a scope's level. As a breaker episode, commands then run at
 * the raised level (a repayment must pass at any level, I11; a liquidation is paused from level 2
 * on; ...), and optionally the episode is rolled back on both sides (`evm_snapshot` before the
 * raise, `evm_revert` after, the model put back to its copy, then every check again): the guardian
 * cannot lower, so a kept raise would hold the rest of the sequence at the level.
 */
export class GuardianRaiseCmd extends LiqCommand {
  constructor(
    readonly scope: number,
    readonly level: number,
    readonly stranger: boolean,
    /** Commands run right after the raise, at the raised level. */
    readonly then: readonly LiqCommand[] = [],
    /** Afterwards, roll chain and model back to before the raise. */
    readonly rollback = false,
    /** Commands run first (after the snapshot when rolled back): the state the episode needs. */
    readonly before: readonly LiqCommand[] = [],
  ) {
    super();
  }
  kind(): string {
    return this.then.length === 0 ? "guardianRaise" : "breakerEpisode";
  }
  protected describe(): string {
    const first = this.before.length === 0 ? "" : `${this.before.map((c) => c.toString()).join("; ")}, then `;
    const then = this.then.length === 0 ? "" : `, then ${this.then.map((c) => c.toString()).join("; ")}`;
    return `${first}GuardianRaise(${scopeName(this.scope)}, ${this.level}${this.stranger ? ", by a stranger" : ""})${then}${this.rollback ? ", then rolled back" : ""}`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const caller = this.stranger ? r.sys.keeper : r.sys.guardian;
    const asset = this.scope === 0 ? ZERO : tokenOf(r, this.scope - 1);
    const probe = this.rollback ? await probeStart(m, r) : undefined;
    for (const c of this.before) await c.run(m, r);
    const reason = `0x${Buffer.from("PROPERTY").toString("hex").padEnd(64, "0")}`;
    await this.tx(m, r, {
      model: (s) => guardianRaise(s, caller, asset, this.level),
      from: caller,
      ...at(r, "breaker"),
      ...(this.scope === 0
        ? { fn: "raiseGlobal", args: [this.level, reason] }
        : { fn: "raiseAsset", args: [asset, this.level, reason] }),
      // with commands after it, the checks after theirs cover the raise's state
      noCheck: this.then.length > 0,
    });
    for (const c of this.then) await c.run(m, r);
    if (probe !== undefined) await probeEnd(m, r, probe);
  }
}

/**
 * The first borrower from `from` (in turn) with debt whose first collateral, in the listing order
 * the engine's partial plan follows, is `token` (a partial liquidation seizes it first); else the
 * first with debt holding `token` at all; else `from`.
 */
function holderOf(m: LiqBox, r: LiqReal, from: number, token: number): number {
  const tk = tokenOf(r, token);
  const n = r.sys.borrowers.length;
  const t = m.s.l.now + 1n;
  const order = Array.from({ length: n }, (_, k) => (from + k) % n).filter(
    (a) => L.debtOf(m.s.l, r.sys.borrowers[a].address, t) > 0n,
  );
  const held = (a: number): string[] =>
    m.s.l.collaterals
      .map((c) => c.token)
      .filter((x) => L.collateralOf(m.s.l, r.sys.borrowers[a].address, x) > 0n);
  return order.find((a) => held(a)[0] === tk) ?? order.find((a) => held(a).includes(tk)) ?? from;
}

/**
 * Before a breaker episode's raise (inside its rollback): clears what would stop a liquidation of
 * `token` before the level under test does. When the global level or the token's own is 2 or
 * above (a kept raise), governance sets every level to 0 (`LevelsResetCmd`, fresh feeds after
 * it). Else: the sequencer back up long ago when it is down or in its grace period
 * (`SequencerUpCmd`); the other token's feeds report again when its read fails; the token's own
 * secondary offset back to 0 (its feeds report again in the `UnderwaterCmd` that follows).
 */
export class ClearForLiquidationCmd extends LiqCommand {
  constructor(readonly token: number) {
    super();
  }
  kind(): string {
    return "clearForLiquidation";
  }
  protected describe(): string {
    return `ClearForLiquidation(${tokenName(this.token)})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const b = m.s.breaker;
    if (b.global.level >= 2 || (b.assets.get(tokenOf(r, this.token))?.level ?? 0) >= 2) {
      this.resolved = "levels reset";
      await new LevelsResetCmd().run(m, r);
      return;
    }
    const done: string[] = [];
    const statusOf = (i: number) => oracleRead(m.s, tokenOf(r, i), m.s.l.now + 1n).status;
    const sequencer: number[] = [OracleStatus.SequencerDown, OracleStatus.SequencerGracePeriod];
    if ([0, 1].some((i) => sequencer.includes(statusOf(i)))) {
      done.push("sequencer up");
      await new SequencerUpCmd("long").run(m, r);
    }
    const own = m.s.feeds.get(tokenOf(r, this.token))!.secondary;
    if (own !== undefined) [own.offsetBps, own.offsetWei] = [0n, 0n];
    const other = 1 - this.token;
    if (statusOf(other) !== OracleStatus.Ok) {
      done.push(`fresh ${tokenName(other)}`);
      const f = m.s.feeds.get(tokenOf(r, other))!;
      if (f.secondary !== undefined) [f.secondary.offsetBps, f.secondary.offsetWei] = [0n, 0n];
      await setFeed(m, r, other, baseAnswer(m.s, tokenOf(r, other)), this.toString());
    }
    this.resolved = done.join(", ");
  }
}

/** Whether the model says `acct` is below maintenance health 1 at the next block. */
function liquidatable(m: LiqBox, acct: string): boolean {
  const t = m.s.l.now + 1n;
  return L.computeHealth(modelAt(m.s, t).l, acct, false, t).healthFactorWad < WAD;
}

/**
 * Makes sure an auction runs that needs no redo for a while (of `token` best): nothing when one
 * of the token does; else a redo of one of the token that needs it, when the model says the redo
 * passes; else nothing when another token's runs; else the token's holder (`holderOf`, from
 * `actor`) is liquidated, first put just below health 1 by the token's price (`UnderwaterCmd`)
 * unless it is below already. Whether a take then meets the auction is the model's to predict.
 */
export class EnsureAuctionCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly token: number,
  ) {
    super();
  }
  kind(): string {
    return "ensureAuction";
  }
  protected describe(): string {
    return `EnsureAuction(${this.actor}, ${tokenName(this.token)})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const tk = tokenOf(r, this.token);
    const keys = [...m.s.auctions.keys()];
    // the take comes a few blocks later (the raises, the liquidation, then the take)
    const soon = m.s.l.now + 12n;
    const live = keys.filter((k) => !auctionStatus(m.s, m.s.auctions.get(k)!, soon).needsRedo);
    const ofToken = (ks: string[]) => ks.filter((k) => m.s.auctions.get(k)!.token === tk);
    if (ofToken(live).length > 0) {
      this.resolved = "running";
      return;
    }
    const redoable = ofToken(keys).find((k) => succeeds(m.s, m.s.l.now + 1n, (c, t) => redo(c, t, k, ZERO)));
    if (redoable !== undefined) {
      this.resolved = "redo";
      await new RedoCmd(keys.indexOf(redoable), false, 0).run(m, r);
      return;
    }
    if (live.length > 0) {
      this.resolved = "another token's running";
      return;
    }
    const holder = holderOf(m, r, this.actor, this.token);
    this.resolved = `liquidate ${holder}`;
    if (liquidatable(m, r.sys.accounts[holder].address))
      await new LiquidateCmd(holder, "keeper", false).run(m, r);
    else await new UnderwaterCmd(holder, this.token, false, true).run(m, r);
  }
}

/**
 * Level 3 meets a take (`take`, with its token filter): the raise goes to the take's token's own
 * level unless `global` or no auction of the token runs that needs no redo (then the global
 * level, which stops every take). Nothing when no auction runs that needs no redo.
 */
export class TakeAtLevel3Cmd extends LiqCommand {
  constructor(
    readonly global: boolean,
    readonly take: TakeCmd,
  ) {
    super();
  }
  kind(): string {
    return "takeAtLevel3";
  }
  protected describe(): string {
    return `TakeAtLevel3(${this.global ? "global, " : ""}${this.take.toString()})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const i = this.take.token ?? 0;
    const tk = tokenOf(r, i);
    const t = m.s.l.now + 2n;
    const live = [...m.s.auctions.values()].filter((a) => !auctionStatus(m.s, a, t).needsRedo);
    if (live.length === 0) {
      this.resolved = "no auction runs";
      return; // a take would meet DutchAuction__NotRunning or NeedsRedo first
    }
    const scope = this.global || !live.some((a) => a.token === tk) ? 0 : 1 + i;
    this.resolved = scopeName(scope);
    await new GuardianRaiseCmd(scope, 3, false, [this.take]).run(m, r);
  }
}

/**
 * A liquidation (or a batch: the holder first, then `others`) of the token's holder
 * (`holderOf`, from `actor`), put just below health 1 by the token's price first
 * (`UnderwaterCmd`) unless it is below already (nothing when no price puts it there). In an
 * episode at the token's own level 2 the engine must refuse the seizure
 * (`LiquidationEngine__Paused(token, 2)`) or, in a batch, skip the asset.
 */
export class LiquidateHolderCmd extends LiqCommand {
  constructor(
    readonly actor: number,
    readonly token: number,
    readonly keeper: KeeperKind,
    /** A batch: the other accounts after the holder. */
    readonly others?: readonly number[],
  ) {
    super();
  }
  kind(): string {
    return "liquidateHolder";
  }
  protected describe(): string {
    const batch = this.others === undefined ? "" : `, batch with [${this.others.join(",")}]`;
    return `LiquidateHolder(${this.actor}, ${tokenName(this.token)}, keeper=${this.keeper}${batch})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const holder = holderOf(m, r, this.actor, this.token);
    this.resolved = `${holder}`;
    const acct = r.sys.accounts[holder].address;
    if (!liquidatable(m, acct)) await new UnderwaterCmd(holder, this.token, false).run(m, r);
    if (!liquidatable(m, acct)) {
      this.resolved += ", not liquidatable";
      return; // no price puts it below 1 (no debt, a failing read): nothing this episode tests
    }
    await (
      this.others === undefined
        ? new LiquidateCmd(holder, this.keeper, false)
        : new LiquidateBatchCmd([holder, ...this.others.filter((o) => o !== holder)], this.keeper)
    ).run(m, r);
  }
}

/** Governance sets a level through the timelock (schedule, the delay passes, execute). */
export class GovernanceLevelCmd extends LiqCommand {
  constructor(
    readonly scope: number,
    readonly level: number,
  ) {
    super();
  }
  kind(): string {
    return "governanceLevel";
  }
  protected describe(): string {
    return `GovernanceLevel(${scopeName(this.scope)}, ${this.level})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const asset = this.scope === 0 ? ZERO : tokenOf(r, this.scope - 1);
    const reason = `0x${Buffer.from("GOVERNANCE").toString("hex").padEnd(64, "0")}`;
    const data =
      this.scope === 0
        ? r.sys.iface.breaker.encodeFunctionData("setGlobalLevel", [this.level, reason])
        : r.sys.iface.breaker.encodeFunctionData("setAssetLevel", [asset, this.level, reason]);
    const salt = `0x${(m.s.l.now + 7n).toString(16).padStart(64, "0")}`;
    const pred = `0x${"00".repeat(32)}`;
    const delay = 172_800n;
    const target = r.sys.addr.breaker;
    await this.tx(m, r, {
      label: `${this.toString()} schedule`,
      model: () => undefined,
      from: r.sys.guardian,
      ...at(r, "timelock"),
      fn: "schedule",
      args: [target, 0n, data, pred, salt, delay],
      noCheck: true,
    });
    await this.tx(m, r, {
      label: `${this.toString()} execute`,
      dt: delay,
      model: (s) => governanceSet(s, asset, this.level),
      from: r.sys.guardian,
      ...at(r, "timelock"),
      fn: "execute",
      args: [target, 0n, data, pred, salt],
    });
    // two days passed: the feeds report again
    await refreshFeeds(m, r, this.toString());
  }
}

/**
 * Governance sets every level (global, WETH, WBTC) to 0 in one timelock batch (schedule, the delay
 * passes, execute), then the feeds report again (two days passed).
 */
export class LevelsResetCmd extends LiqCommand {
  kind(): string {
    return "levelsReset";
  }
  protected describe(): string {
    return "LevelsReset()";
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const assets = [ZERO, tokenOf(r, 0), tokenOf(r, 1)];
    const reason = `0x${Buffer.from("GOVERNANCE").toString("hex").padEnd(64, "0")}`;
    const payloads = assets.map((a) =>
      a === ZERO
        ? r.sys.iface.breaker.encodeFunctionData("setGlobalLevel", [0, reason])
        : r.sys.iface.breaker.encodeFunctionData("setAssetLevel", [a, 0, reason]),
    );
    const targets = assets.map(() => r.sys.addr.breaker);
    const values = assets.map(() => 0n);
    const salt = `0x${(m.s.l.now + 11n).toString(16).padStart(64, "0")}`;
    const pred = `0x${"00".repeat(32)}`;
    const delay = 172_800n;
    await this.tx(m, r, {
      label: `${this.toString()} schedule`,
      model: () => undefined,
      from: r.sys.guardian,
      ...at(r, "timelock"),
      fn: "scheduleBatch",
      args: [targets, values, payloads, pred, salt, delay],
      noCheck: true,
    });
    await this.tx(m, r, {
      label: `${this.toString()} execute`,
      dt: delay,
      model: (s) => {
        for (const a of assets) governanceSet(s, a, 0);
      },
      from: r.sys.guardian,
      ...at(r, "timelock"),
      fn: "executeBatch",
      args: [targets, values, payloads, pred, salt],
    });
    await refreshFeeds(m, r, this.toString());
  }
}

export class BreakerCheckCmd extends LiqCommand {
  constructor(readonly token: number) {
    super();
  }
  kind(): string {
    return "breakerCheck";
  }
  protected describe(): string {
    return `BreakerCheck(${tokenName(this.token)})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const tk = tokenOf(r, this.token);
    const out = await this.tx(m, r, {
      model: (s, t) => breakerCheck(s, t, tk),
      from: r.sys.keeper,
      ...at(r, "breaker"),
      fn: "check",
      args: [tk],
    });
    if (!out.ok) return;
    // the trigger that fired: LevelRaised(asset, from, to, reason) or LevelConfirmed(asset, level,
    // reason), exactly as the model's evaluation (oracle status -> reason -> the params' level)
    const p = out.value;
    const events = out.logs.filter((l) => l.name === "LevelRaised" || l.name === "LevelConfirmed");
    const got = events.map((l) => `${l.name}(${l.args.join(",")})`.toLowerCase()).join(" ");
    const want =
      p.event === "none"
        ? ""
        : (p.event === "LevelRaised"
            ? `LevelRaised(${tk},${p.from},${p.level},${reasonWord(p.reason)})`
            : `LevelConfirmed(${tk},${p.level},${reasonWord(p.reason)})`
          ).toLowerCase();
    if (got !== want)
      fail("MODEL", `${this.toString()}: breaker events [${got}], the model expected [${want}]`);
    if (p.event !== "none") bump(r.stats.outcomes, `breaker ${p.reason}`);
  }
}

export class CooldownCmd extends LiqCommand {
  constructor(readonly scope: number) {
    super();
  }
  kind(): string {
    return "cooldown";
  }
  protected describe(): string {
    return `Cooldown(${scopeName(this.scope)})`;
  }
  protected async exec(m: LiqBox, r: LiqReal): Promise<void> {
    const asset = this.scope === 0 ? ZERO : tokenOf(r, this.scope - 1);
    await this.tx(m, r, {
      model: (s, t) => breakerCooldown(s, t, asset),
      from: r.sys.keeper,
      ...at(r, "breaker"),
      ...(this.scope === 0 ? { fn: "cooldownGlobal", args: [] } : { fn: "cooldown", args: [asset] }),
    });
  }
}

/** For the report: the model's view of an oracle (used by the solvency suite). */
export function oracleOk(s: LiqState, tk: string, t: bigint): boolean {
  return oracleRead(s, tk, t).ok;
}
