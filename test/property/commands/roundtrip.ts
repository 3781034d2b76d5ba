/**
 * I10 (rounding favours the protocol): round trips in consecutive blocks never profit.
 * Each compares the account after the round trip with a counterfactual in which only time passed
 * (the model is checked equal to the chain after each leg, so its numbers are the chain's).
 */
import * as L from "../model/ledger.js";
import { cloneState } from "../model/state.js";
import { fail } from "../model/checks.js";
import { WAD } from "../../../simulations/math/wad.js";
import {
  LedgerCommand,
  execTx,
  maxBorrow,
  maxPositionIncrease,
  type ModelBox,
  type RealSystem,
} from "./base.js";

function net(s: Parameters<typeof L.debtOf>[0], acct: string, t: bigint): bigint {
  return L.creditOf(s, acct, t) - L.debtOf(s, acct, t);
}

export class DepositWithdrawRoundTrip extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly token: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "roundTripDepositWithdraw";
  }
  protected describe(): string {
    return `RoundTrip deposit-withdraw(actor=${this.actor}, token=${this.token}, ${this.bps}bps of wallet)`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const token = this.token === 0 ? r.sys.addr.weth : r.sys.addr.wbtc;
    const walletBefore = L.balanceOf(m.s, token, who);
    const collBefore = L.collateralOf(m.s, who, token);
    const amount = (walletBefore * BigInt(this.bps)) / 10_000n;
    this.resolved = `${amount}`;
    const ch = { iface: r.sys.ifaces.ch, to: r.sys.addr.ch };
    const dep = await execTx(m, r, {
      label: `${this.toString()} deposit`,
      affected: [who],
      mustSucceed: true,
      model: (s, t) => L.deposit(s, t, who, who, token, amount),
      chain: { from: who, ...ch, fn: "deposit", args: [who, token, amount] },
    });
    if (!dep.ok) return;
    const wd = await execTx(m, r, {
      label: `${this.toString()} withdraw`,
      affected: [who],
      model: (s, t) => L.withdraw(s, t, who, who, token, amount, who),
      chain: { from: who, ...ch, fn: "withdraw", args: [who, token, amount, who] },
    });
    if (!wd.ok) return;
    const walletAfter = L.balanceOf(m.s, token, who);
    const collAfter = L.collateralOf(m.s, who, token);
    if (walletAfter > walletBefore || collAfter > collBefore) {
      fail(
        "I10",
        `deposit-withdraw of ${amount}: wallet ${walletBefore} -> ${walletAfter}, collateral ${collBefore} -> ${collAfter}`,
      );
    }
  }
}

export class BorrowRepayRoundTrip extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "roundTripBorrowRepay";
  }
  protected describe(): string {
    return `RoundTrip borrow-repay(actor=${this.actor}, ${this.bps}bps of the borrowable maximum)`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const t1 = m.s.now + 1n;
    const healthMax = maxBorrow(m.s, t1, who);
    const amount = (healthMax * BigInt(this.bps)) / 10_000n;
    this.resolved = `${amount}`;
    const counterfactual = cloneState(m.s);
    const walletBefore = L.balanceOf(m.s, r.sys.addr.stablecoin, who);
    const ch = { iface: r.sys.ifaces.ch, to: r.sys.addr.ch };
    const b = await execTx(m, r, {
      label: `${this.toString()} borrow`,
      affected: [who],
      model: (s, t) => L.borrow(s, t, who, who, amount, who),
      chain: { from: who, ...ch, fn: "borrow", args: [who, amount, who] },
    });
    if (!b.ok) return;
    const rp = await execTx(m, r, {
      label: `${this.toString()} repay`,
      affected: [who],
      mustSucceed: true,
      model: (s, t) => L.repay(s, t, who, who, amount),
      chain: { from: who, ...ch, fn: "repay", args: [who, amount] },
    });
    if (!rp.ok) return;
    const t2 = m.s.now;
    const after = net(m.s, who, t2);
    const without = net(counterfactual, who, t2);
    const walletAfter = L.balanceOf(m.s, r.sys.addr.stablecoin, who);
    if (after > without || walletAfter > walletBefore) {
      fail(
        "I10",
        `borrow-repay of ${amount}: credit - debt ${after} > ${without} without it, or wallet ${walletBefore} -> ${walletAfter}`,
      );
    }
  }
}

export class OpenCloseRoundTrip extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly long: boolean,
    readonly bps: number,
  ) {
    super();
  }
  kind(): string {
    return "roundTripOpenClose";
  }
  protected describe(): string {
    return `RoundTrip open-close(actor=${this.actor}, ${this.long ? "long" : "short"}, ${this.bps}bps of the largest size)`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const weth = r.sys.addr.weth;
    if (L.positionOf(m.s, who, weth).sizeWad !== 0n) {
      this.resolved = "skipped: has a position";
      return;
    }
    const t1 = m.s.now + 1n;
    const sign = this.long ? 1n : -1n;
    const loose = this.long ? L.MAX_UINT256 : 0n;
    const maxSize = maxPositionIncrease(m.s, t1, who, weth, this.long);
    const size = (maxSize * BigInt(this.bps)) / 10_000n;
    this.resolved = `${sign * size}`;
    const counterfactual = cloneState(m.s);
    const ch = { iface: r.sys.ifaces.ch, to: r.sys.addr.ch };
    const open = await execTx(m, r, {
      label: `${this.toString()} open`,
      affected: [who],
      model: (s, t) => L.modifyPosition(s, t, who, who, weth, sign * size, loose),
      chain: { from: who, ...ch, fn: "modifyPosition", args: [who, weth, sign * size, loose] },
    });
    if (!open.ok) return;
    const closeLoose = this.long ? 0n : L.MAX_UINT256;
    const close = await execTx(m, r, {
      label: `${this.toString()} close`,
      affected: [who],
      mustSucceed: true,
      model: (s, t) => L.closePosition(s, t, who, who, weth, closeLoose),
      chain: { from: who, ...ch, fn: "closePosition", args: [who, weth, closeLoose] },
    });
    if (!close.ok) return;
    const t2 = m.s.now;
    const gain = net(m.s, who, t2) - net(counterfactual, who, t2);
    // only funding received over the second the position was open may come back: the exact
    // funding paid is size * (index at close - index at open) / WAD (ADR 0007 realizes it in the PnL)
    const fundingPaidTimesWad = sign * size * (close.value.fundingIndexWad - open.value.fundingIndexWad);
    if (gain * WAD + fundingPaidTimesWad > 0n) {
      fail(
        "I10",
        `open-close of ${sign * size}: gained ${gain} (funding paid ${fundingPaidTimesWad} / 1e18)`,
      );
    }
  }
}
