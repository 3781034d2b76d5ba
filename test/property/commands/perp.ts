/**
 * Perp actions: open or grow a position (either side), reduce it, close it. Sizes resolve against
 * the model: the largest size the initial margin allows, the open-interest room, a fraction of the
 * position; the acceptable price is loose, the exact fill, or one wei on the wrong side of it.
 */
import * as L from "../model/ledger.js";
import { resolveAmount, showAmount, type AmountSpec } from "./amounts.js";
import {
  LedgerCommand,
  execTx,
  maxBorrow,
  maxPositionIncrease,
  type ModelBox,
  type RealSystem,
  type TxSpec,
} from "./base.js";
import { MAX_PRICE, MIN_PRICE, setPriceTx } from "./environment.js";

export type Slippage = "loose" | "exact" | "offByOne";
type ModelFn = TxSpec<unknown>["model"];

function acceptable(
  s: Parameters<typeof L.quoteFill>[0],
  market: string,
  delta: bigint,
  slip: Slippage,
): bigint {
  const fill = L.quoteFill(s, market, delta);
  if (slip === "loose") return delta > 0n ? L.MAX_UINT256 : 0n;
  if (slip === "exact") return fill;
  return delta > 0n ? (fill === 0n ? 0n : fill - 1n) : fill + 1n;
}

const marketOf = (r: RealSystem, i: number): string => (i === 0 ? r.sys.addr.weth : r.sys.addr.wbtc);

export class ModifyPositionCommand extends LedgerCommand {
  constructor(
    readonly caller: number,
    readonly account: number,
    /** 0: the WETH market; 1: WBTC, which has no market (UnknownMarket). */
    readonly market: number,
    readonly long: boolean,
    readonly size: AmountSpec,
    readonly slippage: Slippage,
  ) {
    super();
  }
  kind(): string {
    return "modifyPosition";
  }
  protected describe(): string {
    return `ModifyPosition(caller=${this.caller}, account=${this.account}, market=${this.market}, ${this.long ? "long" : "short"} ${showAmount(this.size)}, ${this.slippage})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const caller = r.sys.actors[this.caller].address;
    const acct = r.sys.actors[this.account].address;
    const market = marketOf(r, this.market);
    const weth = r.sys.addr.weth;
    const t = m.s.now + 1n;
    const sign = this.long ? 1n : -1n;
    const healthMax = maxPositionIncrease(m.s, t, acct, weth, this.long);
    const st = m.s.marketState.get(weth)!;
    const pos = L.positionOf(m.s, acct, weth).sizeWad;
    const maxOi = m.s.marketParams.get(weth)!.maxOpenInterestWad;
    const room = this.long
      ? maxOi - st.longOpenInterestWad - (pos < 0n ? pos : 0n)
      : maxOi - st.shortOpenInterestWad + (pos > 0n ? pos : 0n);
    const size = resolveAmount(this.size, { max: healthMax, boundary: room });
    const delta = sign * size;
    const price = this.market === 0 ? acceptable(m.s, weth, delta, this.slippage) : L.MAX_UINT256;
    this.resolved = `delta=${delta}, acceptable=${price}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      mustSucceed: false,
      model: (s, tt) => L.modifyPosition(s, tt, caller, acct, market, delta, price),
      chain: {
        from: caller,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "modifyPosition",
        args: [acct, market, delta, price],
      },
    });
  }
}

/** A pure reduction (never a flip unless `past` asks for one wei past zero). Must always succeed (I11). */
export class ReducePositionCommand extends LedgerCommand {
  constructor(
    readonly account: number,
    readonly bps: number,
    readonly past: boolean,
    readonly slippage: Slippage,
  ) {
    super();
  }
  kind(): string {
    return "reducePosition";
  }
  protected describe(): string {
    return `ReducePosition(account=${this.account}, ${this.bps}bps${this.past ? " +1 wei past zero" : ""}, ${this.slippage})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const acct = r.sys.actors[this.account].address;
    const weth = r.sys.addr.weth;
    const pos = L.positionOf(m.s, acct, weth).sizeWad;
    const absPos = pos < 0n ? -pos : pos;
    let cut = (absPos * BigInt(this.bps)) / 10_000n;
    if (this.past) cut = absPos + 1n;
    const delta = pos > 0n ? -cut : cut;
    const price = acceptable(m.s, weth, delta === 0n ? 1n : delta, this.slippage);
    this.resolved = `delta=${delta}, acceptable=${price}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      // a pure reduction at an acceptable price must pass, oracle failing or not
      mustSucceed: !this.past && this.slippage !== "offByOne",
      model: (s, tt) => L.modifyPosition(s, tt, acct, acct, weth, delta, price),
      chain: {
        from: acct,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "modifyPosition",
        args: [acct, weth, delta, price],
      },
    });
  }
}

export class ClosePositionCommand extends LedgerCommand {
  constructor(
    readonly caller: number,
    readonly account: number,
    readonly slippage: Slippage,
  ) {
    super();
  }
  kind(): string {
    return "closePosition";
  }
  protected describe(): string {
    return `ClosePosition(caller=${this.caller}, account=${this.account}, ${this.slippage})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const caller = r.sys.actors[this.caller].address;
    const acct = r.sys.actors[this.account].address;
    const weth = r.sys.addr.weth;
    const pos = L.positionOf(m.s, acct, weth).sizeWad;
    const price = acceptable(m.s, weth, pos === 0n ? 1n : -pos, this.slippage);
    this.resolved = `size=${pos}, acceptable=${price}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      mustSucceed: this.caller === this.account && this.slippage !== "offByOne",
      model: (s, tt) => L.closePosition(s, tt, caller, acct, weth, price),
      chain: {
        from: caller,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "closePosition",
        args: [acct, weth, price],
      },
    });
  }
}

/**
 * The state single-step commands seldom build: collateral, debt and a position of real size side
 * by side, then a price move for or against the position. Only there do the health factor's
 * forms differ (ADR 0008 nets PnL against the balance: debt beside a profit, or credit beside a
 * loss), and the model agreement checks every health factor after each step.
 * Steps: deposit a tenth of the wallet's WETH, borrow `borrowBps` of the most the initial margin
 * allows, open `sizeBps` of the largest WETH position it then allows, move the WETH price by
 * `moveBps` (positive: in the position's favour).
 */
export class LeveragedTradeCommand extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly long: boolean,
    readonly borrowBps: number,
    readonly sizeBps: number,
    readonly moveBps: number,
  ) {
    super();
  }
  kind(): string {
    return "leveragedTrade";
  }
  protected describe(): string {
    return `LeveragedTrade(actor=${this.actor}, ${this.long ? "long" : "short"}, borrow ${this.borrowBps}bps, size ${this.sizeBps}bps, price ${this.moveBps}bps for the position)`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const weth = r.sys.addr.weth;
    const ch = { iface: r.sys.ifaces.ch, to: r.sys.addr.ch };
    const steps: string[] = [];
    // one step of the owner's: a transaction on both sides, skipped for a zero amount
    const step = async (fn: string, args: unknown[], model: ModelFn, amount: bigint): Promise<void> => {
      if (amount === 0n) return;
      await execTx(m, r, {
        label: `${this.toString()} ${fn}`,
        affected: [who],
        model,
        chain: { from: who, ...ch, fn, args },
      });
      steps.push(`${fn} ${amount}`);
    };

    const deposit = L.balanceOf(m.s, weth, who) / 10n;
    await step("deposit", [who, weth, deposit], (s, t) => L.deposit(s, t, who, who, weth, deposit), deposit);

    const t1 = m.s.now + 1n;
    const borrowMax = maxBorrow(m.s, t1, who);
    const borrow = (borrowMax * BigInt(this.borrowBps)) / 10_000n;
    await step("borrow", [who, borrow, who], (s, t) => L.borrow(s, t, who, who, borrow, who), borrow);

    const t2 = m.s.now + 1n;
    const sign = this.long ? 1n : -1n;
    const loose = this.long ? L.MAX_UINT256 : 0n;
    const sizeMax = maxPositionIncrease(m.s, t2, who, weth, this.long);
    const size = (sizeMax * BigInt(this.sizeBps)) / 10_000n;
    await step(
      "modifyPosition",
      [who, weth, sign * size, loose],
      (s, t) => L.modifyPosition(s, t, who, who, weth, sign * size, loose),
      sign * size,
    );

    const old = L.oraclePrice(m.s, weth).priceWad;
    let price = (old * BigInt(10_000 + Number(sign) * this.moveBps)) / 10_000n;
    price = price < MIN_PRICE ? MIN_PRICE : price > MAX_PRICE ? MAX_PRICE : price;
    await setPriceTx(m, r, `${this.toString()} price`, weth, price, true);
    steps.push(`price ${old} -> ${price}`);
    this.resolved = steps.join(", ");
  }
}
