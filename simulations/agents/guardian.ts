/**
 * The guardian (the deployer, as deployed for local labs): when an asset's oracle has been
 * failing (router status not ok) for `reactionSeconds`, it raises that asset to level 1
 * (reduce-only: no new leverage against a price nobody can see); when a deficit has stood for
 * `reactionSeconds`, it raises the global level to 1. It only raises; lowering is governance's.
 */
import type { Scenario } from "../scenarios/schema.js";
import { b32 } from "../../scripts/deploy/system.js";
import type { StepContext } from "./context.js";
import { encodeCall } from "../world/abi.js";

export class Guardian {
  private readonly failingSince: number[] = [];
  private deficitSince = Infinity;
  /** Levels raised. */
  actions = 0;

  constructor(private readonly scenario: Scenario) {}

  async act(ctx: StepContext): Promise<void> {
    const g = this.scenario.guardian;
    if (!g.enabled) return;
    const { observer, world } = ctx;
    const sys = world.sys;
    const from = world.sys.guardian;
    for (const [i, w] of world.assets.entries()) {
      if (observer.oracleOk[i]) {
        this.failingSince[i] = Infinity;
        continue;
      }
      if (!(this.failingSince[i] < Infinity)) this.failingSince[i] = ctx.t;
      if (ctx.t - this.failingSince[i] >= g.reactionSeconds && observer.assetLevel[i] < 1) {
        const data = encodeCall(sys.breaker.interface, "raiseAsset", [w.address, 1, b32("GUARDIAN_ORACLE")]);
        if ((await ctx.send(from, sys.addresses.circuitBreaker, data, 300_000n)).ok) this.actions++;
      }
    }
    if (observer.deficitUsd > 0) {
      if (this.deficitSince === Infinity) this.deficitSince = ctx.t;
      if (ctx.t - this.deficitSince >= g.reactionSeconds && observer.globalLevel < 1) {
        const data = encodeCall(sys.breaker.interface, "raiseGlobal", [1, b32("GUARDIAN_DEFICIT")]);
        if ((await ctx.send(from, sys.addresses.circuitBreaker, data, 300_000n)).ok) this.actions++;
      }
    } else this.deficitSince = Infinity;
  }
}
