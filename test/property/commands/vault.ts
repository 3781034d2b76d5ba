/**
 * Liquidity-provider actions on the BackstopVault: deposit, request a withdrawal, cancel it,
 * redeem shares or withdraw assets inside the claim window.
 */
import * as L from "../model/ledger.js";
import * as V from "../model/vault.js";
import { resolveAmount, showAmount, type AmountSpec } from "./amounts.js";
import { mineAt } from "../model/chain.js";
import { LedgerCommand, execTx, type ModelBox, type RealSystem } from "./base.js";

export class VaultDepositCommand extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "vaultDeposit";
  }
  protected describe(): string {
    return `VaultDeposit(actor=${this.actor}, ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const wallet = L.balanceOf(m.s, r.sys.addr.stablecoin, who);
    const amount = resolveAmount(this.amount, { max: wallet, boundary: 1n });
    this.resolved = `${amount}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [],
      model: (s, t) => V.vaultDeposit(s, t, who, amount, who),
      chain: {
        from: who,
        iface: r.sys.ifaces.vault,
        to: r.sys.addr.vault,
        fn: "deposit",
        args: [amount, who],
      },
    });
  }
}

export class VaultRequestCommand extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly shares: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "vaultRequest";
  }
  protected describe(): string {
    return `VaultRequestWithdraw(actor=${this.actor}, ${showAmount(this.shares)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const shares = resolveAmount(this.shares, {
      max: V.sharesOf(m.s, who),
      boundary: m.s.vault.requests.get(who)?.shares ?? 0n,
    });
    this.resolved = `${shares}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [],
      model: (s, t) => V.vaultRequestWithdraw(s, t, who, shares),
      chain: {
        from: who,
        iface: r.sys.ifaces.vault,
        to: r.sys.addr.vault,
        fn: "requestWithdraw",
        args: [shares],
      },
    });
  }
}

export class VaultCancelCommand extends LedgerCommand {
  constructor(readonly actor: number) {
    super();
  }
  kind(): string {
    return "vaultCancel";
  }
  protected describe(): string {
    return `VaultCancelWithdraw(actor=${this.actor})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    await execTx(m, r, {
      label: this.toString(),
      affected: [],
      model: (s) => V.vaultCancelWithdraw(s, who),
      chain: { from: who, iface: r.sys.ifaces.vault, to: r.sys.addr.vault, fn: "cancelWithdraw", args: [] },
    });
  }
}

/** Redeem shares (`redeem`) or withdraw assets (`withdraw`) inside the claim window. */
export class VaultExitCommand extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly byAssets: boolean,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return this.byAssets ? "vaultWithdraw" : "vaultRedeem";
  }
  protected describe(): string {
    return `${this.byAssets ? "VaultWithdraw" : "VaultRedeem"}(actor=${this.actor}, ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const t = m.s.now + 1n;
    const maxShares = V.vaultMaxRedeem(m.s, t, who);
    const requested = m.s.vault.requests.get(who)?.shares ?? 0n;
    let amount: bigint;
    if (this.byAssets) {
      const ta = V.vaultTotalAssets(m.s, t);
      const supply = m.s.vault.totalShares;
      amount = resolveAmount(this.amount, {
        max: V.toAssets(maxShares, ta, supply, false),
        boundary: V.toAssets(requested, ta, supply, false),
      });
    } else {
      amount = resolveAmount(this.amount, { max: maxShares, boundary: requested });
    }
    this.resolved = `${amount}`;
    await execTx(m, r, {
      label: this.toString(),
      affected: [],
      model: (s, tt) =>
        this.byAssets ? V.vaultWithdraw(s, tt, who, amount, who) : V.vaultRedeem(s, tt, who, amount, who),
      chain: {
        from: who,
        iface: r.sys.ifaces.vault,
        to: r.sys.addr.vault,
        fn: this.byAssets ? "withdraw" : "redeem",
        args: [amount, who, who],
      },
    });
  }
}

/**
 * The whole exit path in one command (a random sequence rarely lines up request, wait and
 * claim): request shares, let time pass to the claim window's start or end (one second either
 * side), then redeem or withdraw.
 */
export class VaultExitFlowCommand extends LedgerCommand {
  constructor(
    readonly actor: number,
    readonly shares: AmountSpec,
    readonly edge: "start" | "end",
    readonly offset: -1 | 0 | 1,
    readonly byAssets: boolean,
    readonly amount: AmountSpec,
  ) {
    super();
  }
  kind(): string {
    return "vaultExitFlow";
  }
  protected describe(): string {
    return `VaultExitFlow(actor=${this.actor}, request ${showAmount(this.shares)}, window ${this.edge}${this.offset === 0 ? "" : this.offset > 0 ? " + 1s" : " - 1s"}, ${this.byAssets ? "withdraw" : "redeem"} ${showAmount(this.amount)})`;
  }
  protected async exec(m: ModelBox, r: RealSystem): Promise<void> {
    const who = r.sys.actors[this.actor].address;
    const shares = resolveAmount(this.shares, { max: V.sharesOf(m.s, who), boundary: V.sharesOf(m.s, who) });
    const req = await execTx(m, r, {
      label: `${this.toString()} request`,
      affected: [],
      model: (s, t) => V.vaultRequestWithdraw(s, t, who, shares),
      chain: {
        from: who,
        iface: r.sys.ifaces.vault,
        to: r.sys.addr.vault,
        fn: "requestWithdraw",
        args: [shares],
      },
    });
    if (!req.ok) {
      this.resolved = `request ${shares} reverted`;
      return;
    }
    const request = m.s.vault.requests.get(who)!;
    const edgeAt =
      this.edge === "start" ? request.claimableAt : request.claimableAt + m.s.vault.claimWindowSeconds;
    const target = edgeAt + BigInt(this.offset);
    // the exit transaction itself lands one second after the mined block
    const blockAt = target - 1n > m.s.now ? target - 1n : m.s.now + 1n;
    await mineAt(r.sys, blockAt);
    m.s.now = blockAt;
    const t = blockAt + 1n;
    const maxShares = V.vaultMaxRedeem(m.s, t, who);
    const ta = V.vaultTotalAssets(m.s, t);
    const supply = m.s.vault.totalShares;
    const amount = this.byAssets
      ? resolveAmount(this.amount, {
          max: V.toAssets(maxShares, ta, supply, false),
          boundary: V.toAssets(shares, ta, supply, false),
        })
      : resolveAmount(this.amount, { max: maxShares, boundary: shares });
    this.resolved = `shares ${shares}, exit at ${t}, amount ${amount}`;
    await execTx(m, r, {
      label: `${this.toString()} exit`,
      affected: [],
      model: (s, tt) =>
        this.byAssets ? V.vaultWithdraw(s, tt, who, amount, who) : V.vaultRedeem(s, tt, who, amount, who),
      chain: {
        from: who,
        iface: r.sys.ifaces.vault,
        to: r.sys.addr.vault,
        fn: this.byAssets ? "withdraw" : "redeem",
        args: [amount, who, who],
      },
    });
  }
}
