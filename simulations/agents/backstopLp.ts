/**
 * Backstop liquidity providers: at setup each deposits its share of `backstop.depositUsd` of
 * stablecoin (from the bank) into the BackstopVault (ERC-4626). Under stress, when the CEX price
 * of any asset has fallen `withdrawOnDrawdown` from its running peak, each requests a withdrawal
 * of all its shares (they stay at risk through the cooldown: the vault's run protection), and
 * redeems once the request is claimable.
 */
import { MaxUint256 } from "ethers";

import type { Scenario } from "../scenarios/schema.js";
import type { Chain } from "../world/chain.js";
import { must, participant, type World } from "../world/deploy.js";
import { usdToWad } from "../world/units.js";
import type { StepContext } from "./context.js";
import { encodeCall, parseLog } from "../world/abi.js";

export class BackstopLps {
  readonly addresses: string[];
  private readonly shares: bigint[];
  private readonly claimAt: number[];
  private peak: number[] = [];
  /** Withdrawal requests and redemptions made. */
  requests = 0;
  redemptions = 0;

  constructor(private readonly scenario: Scenario) {
    const n = scenario.backstop === undefined ? 0 : scenario.backstop.lps;
    this.addresses = Array.from({ length: n }, (_, i) => participant.lp(i));
    this.shares = this.addresses.map(() => 0n);
    this.claimAt = this.addresses.map(() => Infinity);
  }

  async setup(chain: Chain, world: World): Promise<void> {
    const b = this.scenario.backstop;
    if (b === undefined || b.depositUsd === 0) return;
    const stable = world.sys.stablecoin.interface;
    const vault = world.sys.vault;
    const vaultAddr = world.sys.addresses.backstopVault;
    const each = usdToWad(b.depositUsd / b.lps);
    for (const [i, lp] of this.addresses.entries()) {
      await chain.impersonate(lp);
      await must(
        chain.send(world.bank, world.stable, encodeCall(stable, "transfer", [lp, each])),
        "lp funding",
      );
      await must(
        chain.send(lp, world.stable, encodeCall(stable, "approve", [vaultAddr, MaxUint256])),
        "lp approve",
      );
      const tx = await must(
        chain.send(lp, vaultAddr, encodeCall(vault.interface, "deposit", [each, lp]), 500_000n),
        "lp deposit",
      );
      for (const log of tx.logs) {
        if (log.address.toLowerCase() !== vaultAddr.toLowerCase()) continue;
        const ev = parseLog(vault.interface, log);
        if (ev?.name === "Deposit") this.shares[i] = ev.args.getValue("shares") as bigint;
      }
    }
  }

  async act(ctx: StepContext): Promise<void> {
    const b = this.scenario.backstop;
    if (b === undefined || this.addresses.length === 0) return;
    const prices = ctx.world.assets.map((w) => ctx.env.cex[w.key].price);
    if (this.peak.length === 0) this.peak = [...prices];
    let stressed = false;
    prices.forEach((p, i) => {
      if (p > this.peak[i]) this.peak[i] = p;
      if (b.withdrawOnDrawdown !== undefined && 1 - p / this.peak[i] >= b.withdrawOnDrawdown) stressed = true;
    });
    const vault = ctx.world.sys.vault;
    const vaultAddr = ctx.world.sys.addresses.backstopVault;
    const cooldown = ctx.world.params.vault.cooldownSeconds;
    for (const [i, lp] of this.addresses.entries()) {
      if (this.shares[i] === 0n) continue;
      if (stressed && this.claimAt[i] === Infinity) {
        const tx = await ctx.send(
          lp,
          vaultAddr,
          encodeCall(vault.interface, "requestWithdraw", [this.shares[i]]),
          300_000n,
        );
        if (tx.ok) {
          this.claimAt[i] = ctx.t + cooldown;
          this.requests++;
        }
      } else if (ctx.t >= this.claimAt[i]) {
        const tx = await ctx.send(
          lp,
          vaultAddr,
          encodeCall(vault.interface, "redeem", [this.shares[i], lp, lp]),
          600_000n,
        );
        if (tx.ok) {
          this.shares[i] = 0n;
          this.redemptions++;
        }
        this.claimAt[i] = Infinity;
      }
    }
  }
}
