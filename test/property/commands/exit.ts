/**
 * I11's second half: below circuit-breaker level 3, an account that closes its positions and
 * repays its whole debt can always withdraw all of its collateral, whatever the oracle says.
 * The expectation is stated here, independently of the model: if the model (which mirrors the
 * contract) predicts a revert for any leg, that is reported as an I11 violation too.
 * Collateral is withdrawn healthy assets first: an account without debt or positions must be
 * able to withdraw a healthy asset while it still holds one whose oracle fails (the withdrawal
 * skips prices when nothing is owed), so this order exercises that path.
 */
import * as L from "../model/ledger.js";
import { fail } from "../model/checks.js";
import { LedgerCommand, execTx, type ModelBox, type RealSystem } from "./base.js";

export class FullExitCommand extends LedgerCommand {
  constructor(readonly actor: number) {
    super();
  }
  kind(): string {
    return "fullExit";
  }
  protected describe(): string {
    return `FullExit(actor=${this.actor})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const weth = r.sys.addr.weth;
    const ch = { iface: r.sys.ifaces.ch, to: r.sys.addr.ch };
    const must = (leg: string, ok: boolean, why: string): void => {
      if (!ok) fail("I11", `${this.toString()}: ${leg} reverted with ${why}`);
    };
    const size = L.positionOf(m.s, who, weth).sizeWad;
    if (size !== 0n) {
      const loose = size > 0n ? 0n : L.MAX_UINT256;
      const out = await execTx(m, r, {
        label: `${this.toString()} close`,
        affected: [who],
        mustSucceed: true,
        model: (s, t) => L.closePosition(s, t, who, who, weth, loose),
        chain: { from: who, ...ch, fn: "closePosition", args: [who, weth, loose] },
      });
      must("close", out.ok, out.ok ? "" : out.errorName);
    }
    const debt = L.debtOf(m.s, who, m.s.now + 1n);
    if (debt > 0n) {
      // one wei more than the debt at the repay's timestamp: the excess becomes credit
      const amount = debt + 1n;
      if (L.balanceOf(m.s, r.sys.addr.stablecoin, who) < amount) {
        this.resolved = `cannot repay ${debt}: skipped`;
        return;
      }
      const out = await execTx(m, r, {
        label: `${this.toString()} repay`,
        affected: [who],
        mustSucceed: true,
        model: (s, t) => L.repay(s, t, who, who, amount),
        chain: { from: who, ...ch, fn: "repay", args: [who, amount] },
      });
      must("repay", out.ok, out.ok ? "" : out.errorName);
    }
    // healthy assets first, while a failing one is still held (no liabilities: no prices needed)
    const order = [...m.s.collaterals].sort(
      (x, y) => Number(L.oraclePrice(m.s, y.token).ok) - Number(L.oraclePrice(m.s, x.token).ok),
    );
    for (const { token } of order) {
      const amount = L.collateralOf(m.s, who, token);
      if (amount === 0n) continue;
      const out = await execTx(m, r, {
        label: `${this.toString()} withdraw ${token}`,
        affected: [who],
        mustSucceed: true,
        model: (s, t) => L.withdraw(s, t, who, who, token, amount, who),
        chain: { from: who, ...ch, fn: "withdraw", args: [who, token, amount, who] },
      });
      must(`withdraw all ${token}`, out.ok, out.ok ? "" : out.errorName);
    }
  }
}
