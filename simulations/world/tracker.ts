/**
 * Health of every simulated account without one call per account per step.
 *
 * Each account holds one collateral asset (and at most a perp position on the same asset), so
 * its health is a simple function of that asset's oracle price and margin levels. The tracker
 * keeps an exact snapshot per account from the AccountLens (one batched call for many accounts)
 * and, between snapshots, scales it with the price and margin levels the Observer has seen in
 * the logs:
 *
 *     weighted collateral = wc0 * (p / p0) * (1 - h) / (1 - h0)
 *     pnl                 = pnl0 + size * (p - p0)
 *     requirement         = req0 * (p / p0) * (m / m0)
 *
 * Exact snapshots are taken for accounts touched in the step, accounts estimated below the
 * liquidation line after an oracle move (the candidates), and a rotating slice of everyone (all
 * accounts every `rotateSteps` steps). The liquidators only act on accounts the lens read below 1.
 */
import { id } from "ethers";

import type { Chain } from "./chain.js";
import type { World } from "./deploy.js";
import type { Observer } from "./observer.js";
import { wadToNumber } from "./units.js";

interface Snapshot {
  wc: number;
  credit: number;
  debt: number;
  pnl: number;
  req: number;
  price: number;
  haircut: number;
  ratio: number;
  size: number;
  exact: number;
  /** The tracker's step count when the snapshot was taken. */
  readStep: number;
}

/**
 * Accounts per lens call. EDR's time per account grows with the batch, while a call has a cost of
 * its own: `node --import tsx simulations/speed/lens.ts` (1,000 accounts after 300 steps, a block
 * before each call) read 0.52, 0.54, 0.67, 0.89 and 1.82 ms per account in calls of 8, 16, 32, 64
 * and 250. The readings are the same whatever the split (views of one block).
 */
export const LENS_CHUNK = 16;
/** The rotating exact readings are batched over this many steps. */
const ROTATE_BATCH_STEPS = 10;
const MAX_HEALTH = 1e9;
/** Words per `IClearinghouse.Health` (eight static fields). */
const HEALTH_WORDS = 8;
const TWO_255 = 1n << 255n;
const TWO_256 = 1n << 256n;

/** `AccountLens.healthOf(address[],bool)`. */
export const HEALTH_OF_SELECTOR = id("healthOf(address[],bool)").slice(0, 10);

/** A 32-byte ABI word (no 0x) of a non-negative integer. */
const hexWord = (x: bigint): string => x.toString(16).padStart(64, "0");

/** The ABI word of an address (no 0x), encoded once per account. */
export const addressWord = (address: string): string => hexWord(BigInt(address));

/**
 * Calldata of `healthOf(accounts, false)` from the accounts' words: selector, the array's offset
 * (two head words), false, the length, the words. The same bytes as ethers' encodeFunctionData
 * (tested), without checksumming every address on every call.
 */
export function healthOfCalldata(words: readonly string[]): string {
  return `${HEALTH_OF_SELECTOR}${hexWord(64n)}${hexWord(0n)}${hexWord(BigInt(words.length))}${words.join("")}`;
}

/** The fields of `IClearinghouse.Health` the tracker uses. */
export interface LensHealth {
  weightedCollateralWad: bigint;
  creditWad: bigint;
  debtWad: bigint;
  pnlWad: bigint;
  requirementWad: bigint;
  healthFactorWad: bigint;
}

/**
 * Decodes the return data of `AccountLens.healthOf` (a dynamic array of a static struct: offset,
 * length, then eight words per account) straight from the hex string: the same values as
 * ethers' `decodeFunctionResult`, without its generic coder (the costliest part of a lens read
 * on the JavaScript side: a Result object, a Uint8Array copy and a checksum per field).
 */
export function decodeHealths(raw: string, expected: number): LensHealth[] {
  const word = (i: number): bigint => BigInt(`0x${raw.slice(2 + 64 * i, 66 + 64 * i)}`);
  const signed = (x: bigint): bigint => (x >= TWO_255 ? x - TWO_256 : x);
  if (raw.length < 130 || word(0) !== 32n)
    throw new Error(`healthOf: unexpected return data ${raw.slice(0, 140)}`);
  const n = Number(word(1));
  if (n !== expected || raw.length !== 2 + 64 * (2 + n * HEALTH_WORDS))
    throw new Error(`healthOf: ${n} results for ${expected} accounts (${raw.length} hex chars)`);
  const out: LensHealth[] = new Array<LensHealth>(n);
  for (let k = 0; k < n; k++) {
    const b = 2 + k * HEALTH_WORDS;
    out[k] = {
      weightedCollateralWad: word(b),
      creditWad: word(b + 1),
      debtWad: word(b + 2),
      pnlWad: signed(word(b + 3)),
      requirementWad: word(b + 4),
      // b + 5: equityWad, b + 7: pricesOk (unused)
      healthFactorWad: word(b + 6),
    };
  }
  return out;
}

export interface TrackerOptions {
  /** Steps over which every account gets an exact snapshot (default 30). */
  rotateSteps?: number;
  /**
   * Estimated health below which an account is re-read after an oracle move (default 1: only
   * the liquidation candidates; the estimate is exact up to fees and funding between readings).
   */
  nearHealth?: number;
  /**
   * While liquidations are paused, a candidate whose last exact reading was already below 1 is
   * re-read after an oracle move only when that reading is at least this many steps old
   * (default 30): no liquidator can act on it, and its estimate follows prices and margin levels.
   */
  pausedRereadSteps?: number;
}

/**
 * The health factor's denominator (ADR 0008), USD: what the balance (credit - debt + pnl) owes,
 * plus the requirement.
 */
function liabilitiesOf(balance: number, requirement: number): number {
  return (balance < 0 ? -balance : 0) + requirement;
}

export class AccountTracker {
  readonly health: Float64Array;
  readonly debt: Float64Array;
  readonly negPnl: Float64Array;
  /** The health factor's denominator, USD: `max(debt - credit - pnl, 0) + requirement` (ADR 0008). */
  readonly liabilities: Float64Array;
  private readonly snaps: Snapshot[];
  private rotation = 0;
  private stepCount = 0;
  private readonly rotateSteps: number;
  private readonly nearHealth: number;
  private readonly pausedRereadSteps: number;
  private wasPaused = false;
  /** Lens calls and accounts read, for the speed report. */
  lensCalls = 0;
  lensAccounts = 0;
  /** Wall milliseconds in lens calls. */
  lensMs = 0;
  /** Accounts read in `step` by reason (a candidate also touched counts as a candidate). */
  readonly readsBy = { candidates: 0, touched: 0, rotation: 0 };
  private readonly lens: string;
  private readonly accountWords: readonly string[];
  /** `accounts`, lowercase (the observer's keys). */
  readonly accountsLower: readonly string[];

  constructor(
    private readonly world: World,
    private readonly chain: Chain,
    private readonly observer: Observer,
    readonly accounts: readonly string[],
    readonly assetOf: readonly number[],
    options: TrackerOptions = {},
  ) {
    const n = accounts.length;
    this.health = new Float64Array(n).fill(Infinity);
    this.debt = new Float64Array(n);
    this.negPnl = new Float64Array(n);
    this.liabilities = new Float64Array(n);
    this.snaps = accounts.map(() => ({
      wc: 0,
      credit: 0,
      debt: 0,
      pnl: 0,
      req: 0,
      price: 1,
      haircut: 0,
      ratio: 0,
      size: 0,
      exact: Infinity,
      readStep: 0,
    }));
    this.rotateSteps = options.rotateSteps ?? 30;
    this.nearHealth = options.nearHealth ?? 1.0;
    this.pausedRereadSteps = options.pausedRereadSteps ?? 30;
    this.lens = world.sys.addresses.accountLens;
    if (world.sys.lens.interface.getFunction("healthOf")?.selector !== HEALTH_OF_SELECTOR)
      throw new Error("AccountLens.healthOf is not healthOf(address[],bool)");
    this.accountWords = accounts.map(addressWord);
    this.accountsLower = accounts.map((a) => a.toLowerCase());
  }

  /** Exact health of `indices` from the lens (batched), stored as snapshots. */
  async refresh(indices: readonly number[]): Promise<void> {
    for (let start = 0; start < indices.length; start += LENS_CHUNK) {
      const chunk = indices.slice(start, start + LENS_CHUNK);
      const started = performance.now();
      const raw = await this.chain.call(this.lens, healthOfCalldata(chunk.map((i) => this.accountWords[i])));
      this.lensMs += performance.now() - started;
      this.lensCalls++;
      this.lensAccounts += chunk.length;
      const out = decodeHealths(raw, chunk.length);
      chunk.forEach((i, k) => {
        const h = out[k];
        const a = this.assetOf[i];
        const s = this.snaps[i];
        s.wc = wadToNumber(h.weightedCollateralWad);
        s.credit = wadToNumber(h.creditWad);
        s.debt = wadToNumber(h.debtWad);
        s.pnl = h.pnlWad < 0n ? -wadToNumber(-h.pnlWad) : wadToNumber(h.pnlWad);
        s.req = wadToNumber(h.requirementWad);
        s.price = this.observer.oraclePrice[a];
        s.haircut = this.observer.haircut[a];
        s.ratio = this.observer.marginRatio[a];
        s.size = this.observer.perpSize.get(this.accountsLower[i])?.[a] ?? 0;
        s.exact = h.healthFactorWad >= 10n ** 36n ? Infinity : wadToNumber(h.healthFactorWad);
        s.readStep = this.stepCount;
        this.health[i] = s.exact;
        this.debt[i] = s.debt;
        this.negPnl[i] = s.pnl < 0 ? -s.pnl : 0;
        this.liabilities[i] = liabilitiesOf(s.credit - s.debt + s.pnl, s.req);
      });
    }
  }

  /** Re-estimates every account from its snapshot and the observer's prices and levels. */
  estimate(): void {
    const o = this.observer;
    for (let i = 0; i < this.accounts.length; i++) {
      const s = this.snaps[i];
      const a = this.assetOf[i];
      const p = o.oraclePrice[a];
      const r = p / s.price;
      const hc = s.haircut < 1 ? (1 - o.haircut[a]) / (1 - s.haircut) : 1;
      const wc = s.wc * r * hc;
      const pnl = s.pnl + s.size * (p - s.price);
      const req = s.ratio > 0 ? s.req * r * (o.marginRatio[a] / s.ratio) : s.req * r;
      // the ledger's health factor (ADR 0008): the balance credit - debt + pnl nets first
      const balance = s.credit - s.debt + pnl;
      const liab = liabilitiesOf(balance, req);
      const assets = wc + (balance > 0 ? balance : 0);
      this.health[i] = liab <= 0 ? Infinity : Math.min(assets / liab, MAX_HEALTH);
      this.debt[i] = s.debt;
      this.negPnl[i] = pnl < 0 ? -pnl : 0;
      this.liabilities[i] = liab;
    }
  }

  /**
   * One step: estimate everyone, then read exactly the touched accounts, those near the line
   * (when `pricesMoved`, or when liquidations resume) and this step's rotating slice. While
   * `liquidationsPaused` (the breaker's global level >= 2), candidates already read below 1 are
   * re-read only every `pausedRereadSteps` steps.
   */
  async step(touched: ReadonlySet<string>, pricesMoved: boolean, liquidationsPaused = false): Promise<void> {
    this.estimate();
    const n = this.accounts.length;
    const pick = new Uint8Array(n);
    const resumed = this.wasPaused && !liquidationsPaused;
    this.wasPaused = liquidationsPaused;
    if (pricesMoved || resumed)
      for (let i = 0; i < n; i++) {
        if (!(this.health[i] < this.nearHealth)) continue;
        const s = this.snaps[i];
        if (liquidationsPaused && s.exact < 1 && this.stepCount - s.readStep < this.pausedRereadSteps)
          continue;
        pick[i] = 1;
        this.readsBy.candidates++;
      }
    if (touched.size > 0)
      for (let i = 0; i < n; i++)
        if (pick[i] === 0 && touched.has(this.accountsLower[i])) {
          pick[i] = 1;
          this.readsBy.touched++;
        }
    // the rotation is read in batches (one lens call per batch, not a sliver every step)
    this.stepCount++;
    if (this.stepCount % ROTATE_BATCH_STEPS === 0) {
      const slice = Math.min(n, Math.ceil((n * ROTATE_BATCH_STEPS) / this.rotateSteps));
      for (let k = 0; k < slice; k++) {
        const i = (this.rotation + k) % n;
        if (pick[i] === 0) this.readsBy.rotation++;
        pick[i] = 1;
      }
      this.rotation = n === 0 ? 0 : (this.rotation + slice) % n;
    }
    const indices: number[] = [];
    for (let i = 0; i < n; i++) if (pick[i] === 1) indices.push(i);
    await this.refresh(indices);
  }

  /** Indices of accounts with health below `h` (ascending health). */
  below(h: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.accounts.length; i++) if (this.health[i] < h) out.push(i);
    out.sort((x, y) => this.health[x] - this.health[y] || x - y);
    return out;
  }

  /** Health factors of all accounts (Infinity: no liability). */
  healthFactors(): number[] {
    return Array.from(this.health);
  }

  /** Debt plus negative PnL of accounts below 1, USD. */
  liquidatableDebtUsd(): number {
    let sum = 0;
    for (let i = 0; i < this.accounts.length; i++)
      if (this.health[i] < 1) sum += this.debt[i] + this.negPnl[i];
    return sum;
  }
}
