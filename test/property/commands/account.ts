/**
 * Protocol actions on an account's balances: deposit, withdraw, borrow, repay, setOperator.
 * Actors are indexes into `sys.actors`; `caller` may differ from `account` (operators, strangers).
 */
import * as L from "../model/ledger.js";
import { resolveAmount, showAmount, type AmountSpec } from "./amounts.js";
import { LedgerCommand, execTx, maxBorrow, maxOk, succeeds, type ModelBox, type RealSystem } from "./base.js";

const tokenOf = (r: RealSystem, i: number): string => (i === 0 ? r.sys.addr.weth : r.sys.addr.wbtc);
const tokenName = (i: number): string => (i === 0 ? "WETH" : "WBTC");

export class DepositCommand extends LedgerCommand {
  constructor(
    readonly caller: number,
    readonly account: number,
    readonly token: number,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "deposit";
  }
  protected describe(): string {
    return `Deposit(caller=${this.caller}, account=${this.account}, ${tokenName(this.token)}, ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const caller = r.sys.actors[this.caller].address;
    const acct = r.sys.actors[this.account].address;
    const token = tokenOf(r, this.token);
    const cap = m.s.depositCap.get(token) ?? 0n;
    const amount = resolveAmount(this.amount, {
      max: L.balanceOf(m.s, token, caller),
      boundary: cap - (m.s.totalCollateral.get(token) ?? 0n),
    });
    this.resolved = `${amount}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      mustSucceed: true,
      model: (s, t) => L.deposit(s, t, caller, acct, token, amount),
      chain: {
        from: caller,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "deposit",
        args: [acct, token, amount],
      },
    });
  }
}

export class WithdrawCommand extends LedgerCommand {
  constructor(
    readonly caller: number,
    readonly account: number,
    readonly token: number,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "withdraw";
  }
  protected describe(): string {
    return `Withdraw(caller=${this.caller}, account=${this.account}, ${tokenName(this.token)}, ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const caller = r.sys.actors[this.caller].address;
    const acct = r.sys.actors[this.account].address;
    const token = tokenOf(r, this.token);
    const t = m.s.now + 1n;
    const available = L.collateralOf(m.s, acct, token);
    // the largest withdrawal the health check allows (by the owner)
    const healthMax = maxOk(
      (x) => x > 0n && succeeds(m.s, t, (c, tt) => L.withdraw(c, tt, acct, acct, token, x, acct)),
      available,
    );
    const amount = resolveAmount(this.amount, { max: available, boundary: healthMax });
    this.resolved = `${amount}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      model: (s, tt) => L.withdraw(s, tt, caller, acct, token, amount, caller),
      chain: {
        from: caller,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "withdraw",
        args: [acct, token, amount, caller],
      },
    });
  }
}

export class BorrowCommand extends LedgerCommand {
  constructor(
    readonly caller: number,
    readonly account: number,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "borrow";
  }
  protected describe(): string {
    return `Borrow(caller=${this.caller}, account=${this.account}, ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const caller = r.sys.actors[this.caller].address;
    const acct = r.sys.actors[this.account].address;
    const t = m.s.now + 1n;
    const healthMax = maxBorrow(m.s, t, acct);
    // the minimum-debt threshold: the amount that leaves the account's debt exactly at the minimum
    const debt = L.debtOf(m.s, acct, t);
    const credit = L.creditOf(m.s, acct, t);
    const boundary = m.s.minDebtWad > debt ? m.s.minDebtWad - debt + credit : healthMax;
    const amount = resolveAmount(this.amount, { max: healthMax, boundary });
    this.resolved = `${amount}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      model: (s, tt) => L.borrow(s, tt, caller, acct, amount, caller),
      chain: {
        from: caller,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "borrow",
        args: [acct, amount, caller],
      },
    });
  }
}

export class RepayCommand extends LedgerCommand {
  constructor(
    readonly caller: number,
    readonly account: number,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "repay";
  }
  protected describe(): string {
    return `Repay(payer=${this.caller}, account=${this.account}, ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const caller = r.sys.actors[this.caller].address;
    const acct = r.sys.actors[this.account].address;
    const t = m.s.now + 1n;
    const amount = resolveAmount(this.amount, {
      max: L.balanceOf(m.s, r.sys.addr.stablecoin, caller),
      boundary: L.debtOf(m.s, acct, t),
    });
    this.resolved = `${amount}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      mustSucceed: true,
      model: (s, tt) => L.repay(s, tt, caller, acct, amount),
      chain: { from: caller, iface: r.sys.ifaces.ch, to: r.sys.addr.ch, fn: "repay", args: [acct, amount] },
    });
  }
}

export class SetOperatorCommand extends LedgerCommand {
  constructor(
    readonly account: number,
    readonly operator: number,
    readonly approved: boolean,
  ) {
    super();
  }
  kind(): string {
    return "setOperator";
  }
  protected describe(): string {
    return `SetOperator(account=${this.account}, operator=${this.operator}, ${this.approved})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const acct = r.sys.actors[this.account].address;
    const op = r.sys.actors[this.operator].address;
    await execTx(m, r, {
      label: this.toString(),
      affected: [acct],
      model: (s) => L.setOperator(s, acct, op, this.approved),
      chain: {
        from: acct,
        iface: r.sys.ifaces.ch,
        to: r.sys.addr.ch,
        fn: "setOperator",
        args: [op, this.approved],
      },
    });
  }
}
