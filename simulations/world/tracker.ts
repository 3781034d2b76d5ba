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
}

const CHUNK = 250;
/** The rotating exact readings are batched over this many steps. */
const ROTATE_BATCH_STEPS = 10;
const MAX_HEALTH = 1e9;

export interface TrackerOptions {
  /** Steps over which every account gets an exact snapshot (default 30). */
  rotateSteps?: number;
  /**
   * Estimated health below which an account is re-read after an oracle move (default 1: only
   * the liquidation candidates; the estimate is exact up to fees and funding between readings).
   */
  nearHealth?: number;
}

export class AccountTracker {
  readonly health: Float64Array;
  readonly debt: Float64Array;
  readonly negPnl: Float64Array;
  private readonly snaps: Snapshot[];
  private rotation = 0;
  private stepCount = 0;
  private readonly rotateSteps: number;
  private readonly nearHealth: number;
  /** Lens calls and accounts read, for the speed report. */
  lensCalls = 0;
  lensAccounts = 0;
  private readonly lens: string;

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
    }));
    this.rotateSteps = options.rotateSteps ?? 30;
    this.nearHealth = options.nearHealth ?? 1.0;
    this.lens = world.sys.addresses.accountLens;
  }

  /** Exact health of `indices` from the lens (batched), stored as snapshots. */
  async refresh(indices: readonly number[]): Promise<void> {
    const iface = this.world.sys.lens.interface;
    for (let start = 0; start < indices.length; start += CHUNK) {
      const chunk = indices.slice(start, start + CHUNK);
      const addrs = chunk.map((i) => this.accounts[i]);
      const raw = await this.chain.call(this.lens, iface.encodeFunctionData("healthOf", [addrs, false]));
      this.lensCalls++;
      this.lensAccounts += chunk.length;
      const out = iface.decodeFunctionResult("healthOf", raw)[0] as unknown as Array<{
        weightedCollateralWad: bigint;
        creditWad: bigint;
        debtWad: bigint;
        pnlWad: bigint;
        requirementWad: bigint;
        healthFactorWad: bigint;
      }>;
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
        s.size = this.observer.perpSize.get(this.accounts[i].toLowerCase())?.[a] ?? 0;
        s.exact = h.healthFactorWad >= 10n ** 36n ? Infinity : wadToNumber(h.healthFactorWad);
        this.health[i] = s.exact;
        this.debt[i] = s.debt;
        this.negPnl[i] = s.pnl < 0 ? -s.pnl : 0;
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
      const liab = s.debt + (pnl < 0 ? -pnl : 0) + req;
      const assets = wc + s.credit + (pnl > 0 ? pnl : 0);
      this.health[i] = liab <= 0 ? Infinity : Math.min(assets / liab, MAX_HEALTH);
      this.debt[i] = s.debt;
      this.negPnl[i] = pnl < 0 ? -pnl : 0;
    }
  }

  /**
   * One step: estimate everyone, then read exactly the touched accounts, those near the line
   * (when `pricesMoved`) and this step's rotating slice.
   */
  async step(touched: ReadonlySet<string>, pricesMoved: boolean): Promise<void> {
    this.estimate();
    const n = this.accounts.length;
    const pick = new Uint8Array(n);
    if (pricesMoved) for (let i = 0; i < n; i++) if (this.health[i] < this.nearHealth) pick[i] = 1;
    if (touched.size > 0)
      for (let i = 0; i < n; i++) if (touched.has(this.accounts[i].toLowerCase())) pick[i] = 1;
    // the rotation is read in batches (one lens call per batch, not a sliver every step)
    this.stepCount++;
    if (this.stepCount % ROTATE_BATCH_STEPS === 0) {
      const slice = Math.min(n, Math.ceil((n * ROTATE_BATCH_STEPS) / this.rotateSteps));
      for (let k = 0; k < slice; k++) pick[(this.rotation + k) % n] = 1;
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
