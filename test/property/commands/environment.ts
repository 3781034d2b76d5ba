/**
 * Environment moves: oracle prices (relative moves, one-wei moves, moves to an account's health
 * boundary), oracle failure and recovery, volatility pokes (the margin model's levels change, as a
 * volatility estimate would move them), time passing (including to a vault request's window
 * edges), the permissionless `accrue` and `refreshPrices` (ADR 0006's price cache).
 */
import * as L from "../model/ledger.js";
import type { RiskLevels } from "../model/state.js";
import { WAD } from "../../../simulations/math/wad.js";
import { mineAt } from "../model/chain.js";
import { PRICE_MAX_AGE_SECONDS } from "../model/system.js";
import { checkAll } from "../model/checks.js";
import { LedgerCommand, execTx, maxOk, type ModelBox, type RealSystem } from "./base.js";

const assetOf = (r: RealSystem, i: number): string => (i === 0 ? r.sys.addr.weth : r.sys.addr.wbtc);
export const MIN_PRICE = WAD / 100n;
export const MAX_PRICE = 10n ** 7n * WAD;

export function setPriceTx(
  m: ModelBox,
  r: RealSystem,
  label: string,
  asset: string,
  price: bigint,
  ok: boolean,
) {
  return execTx(m, r, {
    label,
    model: (s) => {
      s.oracle.set(asset, { priceWad: price, ok });
    },
    chain: {
      from: r.sys.ledger.gov.address,
      iface: r.sys.ifaces.oracle,
      to: r.sys.addr.oracle,
      fn: "setPrice",
      args: [asset, price, ok],
    },
  });
}

/** Moves a price by `bps` (-9_000 .. +20_000) or by one wei; the read is healthy afterwards. */
export class PriceMoveCommand extends LedgerCommand {
  constructor(
    readonly asset: number,
    readonly bps: number,
    readonly oneWei: boolean,
  ) {
    super();
  }
  kind(): string {
    return "priceMove";
  }
  protected describe(): string {
    return `PriceMove(asset=${this.asset}, ${this.oneWei ? `${this.bps >= 0 ? "+" : "-"}1 wei` : `${this.bps}bps`})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const asset = assetOf(r, this.asset);
    const old = L.oraclePrice(m.s, asset).priceWad;
    let price = this.oneWei ? old + (this.bps >= 0 ? 1n : -1n) : (old * BigInt(10_000 + this.bps)) / 10_000n;
    if (price < MIN_PRICE) price = MIN_PRICE;
    if (price > MAX_PRICE) price = MAX_PRICE;
    this.resolved = `${old} -> ${price}`;
    await setPriceTx(m, r, this.toString(), asset, price, true);
  }
}

/**
 * Moves the price of an asset to where an account's health crosses 1 (initial or maintenance
 * level), landing one step on the chosen side: the boundary of the liquidation threshold.
 */
export class PriceToHealthBoundaryCommand extends LedgerCommand {
  constructor(
    readonly asset: number,
    readonly account: number,
    readonly initial: boolean,
    readonly above: boolean,
  ) {
    super();
  }
  kind(): string {
    return "priceToBoundary";
  }
  protected describe(): string {
    return `PriceToHealthBoundary(asset=${this.asset}, account=${this.account}, ${this.initial ? "initial" : "maintenance"}, ${this.above ? "just healthy" : "just unhealthy"})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const asset = assetOf(r, this.asset);
    const acct = r.sys.actors[this.account].address;
    const t = m.s.now + 1n;
    const healthAt = (p: bigint): bigint => {
      const c = structuredClone(m.s);
      c.oracle.set(asset, { priceWad: p, ok: true });
      return L.computeHealth(c, acct, this.initial, t).healthFactorWad;
    };
    const lo = healthAt(MIN_PRICE) >= WAD;
    const hi = healthAt(MAX_PRICE) >= WAD;
    let price = L.oraclePrice(m.s, asset).priceWad;
    if (lo !== hi) {
      // health is monotone in this price between the ends: find the last price on the low side
      const rising = hi;
      const k = maxOk((x) => healthAt(MIN_PRICE + x) >= WAD === !rising, MAX_PRICE - MIN_PRICE);
      const edge = MIN_PRICE + k; // last price on the low-price side
      const healthyLow = !rising;
      if (this.above === healthyLow) price = edge;
      else price = edge + 1n;
    }
    this.resolved = `${price}`;
    await setPriceTx(m, r, this.toString(), asset, price, true);
  }
}

/** The feed fails (stale, zero, out of bounds): the router reads the last good price, not ok. */
export class OracleFailCommand extends LedgerCommand {
  constructor(readonly asset: number) {
    super();
  }
  kind(): string {
    return "oracleFail";
  }
  protected describe(): string {
    return `OracleFail(asset=${this.asset})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const asset = assetOf(r, this.asset);
    await setPriceTx(m, r, this.toString(), asset, L.oraclePrice(m.s, asset).priceWad, false);
  }
}

export class OracleRecoverCommand extends LedgerCommand {
  constructor(readonly asset: number) {
    super();
  }
  kind(): string {
    return "oracleRecover";
  }
  protected describe(): string {
    return `OracleRecover(asset=${this.asset})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const asset = assetOf(r, this.asset);
    await setPriceTx(m, r, this.toString(), asset, L.oraclePrice(m.s, asset).priceWad, true);
  }
}

/** Risk levels a volatility estimate may produce, from calm to extreme, with and without the size add-on. */
export const RISK_PRESETS: readonly RiskLevels[] = [
  {
    haircutMaintWad: (15n * WAD) / 100n,
    haircutInitWad: (20n * WAD) / 100n,
    marginRatioMaintWad: (5n * WAD) / 100n,
    marginRatioInitWad: (10n * WAD) / 100n,
    depthUsdWad: 0n,
    sizeSlopeWad: 0n,
  },
  {
    haircutMaintWad: (5n * WAD) / 100n,
    haircutInitWad: (8n * WAD) / 100n,
    marginRatioMaintWad: (2n * WAD) / 100n,
    marginRatioInitWad: (4n * WAD) / 100n,
    depthUsdWad: 0n,
    sizeSlopeWad: 0n,
  },
  {
    haircutMaintWad: (40n * WAD) / 100n,
    haircutInitWad: (55n * WAD) / 100n,
    marginRatioMaintWad: (15n * WAD) / 100n,
    marginRatioInitWad: (30n * WAD) / 100n,
    depthUsdWad: 5_000_000n * WAD,
    sizeSlopeWad: (2n * WAD) / 10n,
  },
  {
    haircutMaintWad: (90n * WAD) / 100n,
    haircutInitWad: (99n * WAD) / 100n,
    marginRatioMaintWad: (50n * WAD) / 100n,
    marginRatioInitWad: WAD,
    depthUsdWad: 1_000_000n * WAD,
    sizeSlopeWad: WAD,
  },
  {
    haircutMaintWad: (15n * WAD) / 100n,
    haircutInitWad: (20n * WAD) / 100n,
    marginRatioMaintWad: (5n * WAD) / 100n,
    marginRatioInitWad: (10n * WAD) / 100n,
    depthUsdWad: 1_000_000n * WAD,
    sizeSlopeWad: WAD / 2n,
  },
];

export class VolatilityPokeCommand extends LedgerCommand {
  constructor(
    readonly asset: number,
    readonly preset: number,
  ) {
    super();
  }
  kind(): string {
    return "volatilityPoke";
  }
  protected describe(): string {
    return `VolatilityPoke(asset=${this.asset}, preset=${this.preset})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const asset = assetOf(r, this.asset);
    const risk = RISK_PRESETS[this.preset];
    await execTx(m, r, {
      label: this.toString(),
      model: (s) => {
        s.risk.set(asset, { ...risk });
      },
      chain: {
        from: r.sys.ledger.gov.address,
        iface: r.sys.ifaces.margin,
        to: r.sys.addr.margin,
        fn: "setRisk",
        args: [asset, risk],
      },
    });
  }
}

/** Time passes: a fixed step, or to a vault request's claim window edges (one second either side). */
export class TimePassesCommand extends LedgerCommand {
  constructor(
    readonly seconds: number,
    /** When set: warp relative to this actor's vault request (start or end of the window). */
    readonly toWindow?: { actor: number; edge: "start" | "end"; offset: -1 | 0 },
  ) {
    super();
  }
  kind(): string {
    return "timePasses";
  }
  protected describe(): string {
    const w = this.toWindow;
    return w === undefined
      ? `TimePasses(${this.seconds}s)`
      : `TimePasses(to ${w.edge} of actor ${w.actor}'s claim window ${w.offset === 0 ? "" : "- 1s"})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    let target = m.s.now + BigInt(this.seconds);
    const w = this.toWindow;
    if (w !== undefined) {
      const req = m.s.vault.requests.get(r.sys.actors[w.actor].address);
      if (req !== undefined) {
        const edge = w.edge === "start" ? req.claimableAt : req.claimableAt + m.s.vault.claimWindowSeconds;
        target = edge + BigInt(w.offset);
      }
    }
    if (target <= m.s.now) target = m.s.now + 1n;
    this.resolved = `to ${target}`;
    await mineAt(r.sys, target);
    m.s.now = target;
    await checkAll(r.sys, m.s, r.mem);
  }
}

export class AccrueCommand extends LedgerCommand {
  constructor(readonly caller: number) {
    super();
  }
  kind(): string {
    return "accrue";
  }
  protected describe(): string {
    return `Accrue(caller=${this.caller})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    await execTx(m, r, {
      label: this.toString(),
      affected: [],
      mustSucceed: true,
      model: (s, t) => L.accrueAll(s, t),
      chain: {
        from: r.sys.actors[this.caller].address,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "accrue",
        args: [],
      },
    });
  }
}

/**
 * `healDeficit` (permissionless): the vault's credit pays the deficit down; refused with
 * `Clearinghouse__NothingToHeal` when either is zero. No account changes (I6 checks them all).
 */
export class HealDeficitCommand extends LedgerCommand {
  constructor(readonly caller: number) {
    super();
  }
  kind(): string {
    return "healDeficit";
  }
  protected describe(): string {
    return `HealDeficit(caller=${this.caller})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    await execTx(m, r, {
      label: this.toString(),
      affected: [],
      model: (s, t) => L.healDeficit(s, t),
      chain: {
        from: r.sys.actors[this.caller].address,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "healDeficit",
        args: [],
      },
    });
  }
}

/**
 * `refreshPrices` (ADR 0006, permissionless): the ledger caches every listed asset's ok read; for
 * `PRICE_MAX_AGE_SECONDS` (60 here) after it, initial-margin checks (borrow, withdraw, a position
 * increase, the `health(account, true)` view) value the other assets at the cached prices, while
 * fills and maintenance health (`health(account, false)`, liquidation) read the oracle. The model
 * agreement checks both health views after every command, so a price move or a failure within the
 * window, and time past it, show which price each check used.
 */
export class RefreshPricesCommand extends LedgerCommand {
  constructor(readonly caller: number) {
    super();
  }
  kind(): string {
    return "refreshPrices";
  }
  protected describe(): string {
    return `RefreshPrices(caller=${this.caller})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    await execTx(m, r, {
      label: this.toString(),
      mustSucceed: true,
      model: (s, t) => L.refreshPrices(s, t, PRICE_MAX_AGE_SECONDS),
      chain: {
        from: r.sys.actors[this.caller].address,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "refreshPrices",
        args: [],
      },
    });
  }
}
