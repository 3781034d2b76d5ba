/**
 * The base of every command: run the action on a copy of the model and on the chain at the same
 * timestamp, demand the same outcome (success, or a revert with the same custom error name: I13,
 * or I11 when the action is one that must always succeed), keep the copy on success, check that no
 * other account's health dropped (I6), then run every check (model/checks.ts).
 */
import type { Interface } from "ethers";

import { WAD } from "../../../simulations/math/wad.js";
import { sendAt } from "../model/chain.js";
import {
  MAX_UINT256,
  borrow,
  cachedPricesFresh,
  computeHealth,
  modelReverts,
  modifyPosition,
  positionOf,
} from "../model/ledger.js";
import { checkAll, fail, type CheckMemory } from "../model/checks.js";
import { cloneState, type LedgerState } from "../model/state.js";
import type { PropertySystem } from "../model/system.js";
import { bump, compareOutcome, ModelCommand, predict, type Predicted } from "./outcome.js";

/** The model side of fc.asyncModelRun: a box, so a command can replace the state it holds. */
export interface ModelBox {
  s: LedgerState;
}

/** The real side: the deployed system plus what the checks remember; counts for the report. */
export interface RealSystem {
  sys: PropertySystem;
  mem: CheckMemory;
  stats: Stats;
}

export interface Stats {
  commands: number;
  transactions: number;
  reverts: Map<string, number>;
  byCommand: Map<string, number>;
}

export function newStats(): Stats {
  return { commands: 0, transactions: 0, reverts: new Map(), byCommand: new Map() };
}

export interface ChainCall {
  from: string;
  iface: Interface;
  to: string;
  fn: string;
  args: readonly unknown[];
}

export type Outcome<T> = Predicted<T>;

export interface TxSpec<T> {
  label: string;
  /** Seconds between the previous block and this transaction's block (>= 1). */
  dt?: bigint;
  /** Accounts this action may legitimately change (I6 exempts them); undefined: skip I6 (environment). */
  affected?: readonly string[];
  /** The action must succeed whenever the model says so, whatever the oracle (I11). */
  mustSucceed?: boolean;
  model: (s: LedgerState, t: bigint) => T;
  chain: ChainCall;
}

/** Runs one transaction against model and chain and compares; returns the model's value. */
export async function execTx<T>(m: ModelBox, r: RealSystem, spec: TxSpec<T>): Promise<Outcome<T>> {
  const t = m.s.now + (spec.dt ?? 1n);
  const actors = r.sys.actors.map((x) => x.address);
  const others = spec.affected === undefined ? [] : actors.filter((x) => !spec.affected!.includes(x));
  const before = others.map(
    (x) => [computeHealth(m.s, x, true, t), computeHealth(m.s, x, false, t)] as const,
  );

  const next = cloneState(m.s);
  const predicted = predict(() => spec.model(next, t));
  const c = spec.chain;
  const out = await sendAt(r.sys, t, c.from, c.iface, c.to, c.fn, c.args);
  r.stats.transactions++;
  if (!out.ok) bump(r.stats.reverts, out.errorName);
  compareOutcome(spec.label, predicted, out, spec.mustSucceed === true);

  if (predicted.ok) {
    next.now = t;
    m.s = next;
    // I6: another account's health may move only with price and time, never by this action.
    // Except, while the price cache is fresh (ADR 0006), an open position's initial health: it
    // extrapolates the funding since the market's last accrual at the cached price, and an accrual
    // (any trade, `accrue`, ...) books that stretch at the oracle's price instead.
    const fresh = cachedPricesFresh(m.s, t);
    const hasPosition = (x: string): boolean =>
      m.s.markets.some((mk) => positionOf(m.s, x, mk).sizeWad !== 0n);
    for (const [i, x] of others.entries()) {
      for (const [j, initial] of [true, false].entries()) {
        if (initial && fresh && hasPosition(x)) continue;
        const h = computeHealth(m.s, x, initial, t);
        if (h.healthFactorWad < before[i][j].healthFactorWad) {
          fail(
            "I6",
            `${spec.label} lowered ${x}'s ${initial ? "initial" : "maintenance"} health from ${before[i][j].healthFactorWad} to ${h.healthFactorWad}`,
          );
        }
      }
    }
  } else {
    m.s.now = t; // the reverted transaction was mined: only time moved
  }
  await checkAll(r.sys, m.s, r.mem);
  return predicted;
}

/** Base class of the ledger suite's commands. */
export abstract class LedgerCommand extends ModelCommand<ModelBox, RealSystem> {}

/** Largest x in [0, hi] with ok(x), assuming ok is monotone decreasing; 0 if none. */
export function maxOk(ok: (x: bigint) => boolean, hi: bigint): bigint {
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

/** Whether `action` succeeds on a copy of the model at `t`. */
export function succeeds(s: LedgerState, t: bigint, action: (c: LedgerState, t: bigint) => unknown): boolean {
  return !modelReverts(() => action(cloneState(s), t));
}

/** The most `who` may borrow for itself at `t`, by the model (0: nothing), searched up to 1e30. */
export function maxBorrow(s: LedgerState, t: bigint, who: string): bigint {
  return maxOk((x) => x > 0n && succeeds(s, t, (c, tt) => borrow(c, tt, who, who, x, who)), 10n ** 30n);
}

/**
 * The largest size `who` may add to its `market` position at `t` in one direction (long: buy), at
 * a loose acceptable price, by the model (0: none), searched up to 10,000 WAD.
 */
export function maxPositionIncrease(
  s: LedgerState,
  t: bigint,
  who: string,
  market: string,
  long: boolean,
): bigint {
  const sign = long ? 1n : -1n;
  const loose = long ? MAX_UINT256 : 0n;
  return maxOk(
    (x) => x > 0n && succeeds(s, t, (c, tt) => modifyPosition(c, tt, who, who, market, sign * x, loose)),
    10_000n * WAD,
  );
}
