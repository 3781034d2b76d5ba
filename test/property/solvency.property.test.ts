/**
 * I9, the parameters' promise, as two properties on the full deployed system (shipped liquidation
 * and auction parameters), with the model of model/liquidation.ts checked after every transaction
 * (I1, I2, I8, I12, I13 and the model's agreement, model/liqchecks.ts).
 *
 * (a) Bounded moves: every step moves each price by less than the maintenance buffer of its asset,
 *     `buffer = h - penalty x (1 - h)` (h: maintenance haircut): an account at maintenance health
 *     1 still has collateral worth at least the tab of its debt after such a move, so its
 *     liquidation is partial and the lot covers the tab at the oracle price. A liquidator liquidates
 *     every account below health 1 at every step, and a taker buys every auction as soon as its
 *     price reaches the oracle price. Borrowers re-borrow to their limit. Then no bad debt ever
 *     arises: no BadDebtCovered, deficit 0.
 * (b) The counter-property: one move larger than the buffer with no liquidator (30%..70% down) puts
 *     an account whose collateral is worth less than its debt into a whole liquidation; a take
 *     below the debt leaves debt with no collateral behind it, which goes exactly through the
 *     waterfall: the vault's credit first, then the deficit (BadDebtCovered amounts checked against
 *     the vault credit before), and I1 still holds.
 * Intensity and replay: config.ts (default here: 4 and 6 runs).
 */
import { expect } from "chai";
import fc from "fast-check";

import { WAD } from "../../simulations/math/wad.js";
import {
  execLiq,
  newLiqStats,
  setFeed,
  LiquidateCmd,
  type LiqBox,
  type LiqReal,
} from "./commands/liquidation.js";
import { propertyConfig, replayCommand } from "./config.js";
import * as L from "./model/ledger.js";
import { checkLiq } from "./model/liqchecks.js";
import { auctionStatus, cloneLiq, syncOracle, take, type LiqState } from "./model/liquidation.js";
import { restore } from "./model/chain.js";
import { deployLiqSystem, type LiqSystem } from "./model/liqsystem.js";

function runs(fallback: number): number {
  const cfg = propertyConfig();
  return process.env.FC_RUNS === undefined || process.env.FC_RUNS === "" ? fallback : cfg.numRuns;
}

function report<T>(details: fc.RunDetails<T>): void {
  if (!details.failed) return;
  const cause =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  const cfg = propertyConfig();
  const replay = replayCommand(details.seed, details.counterexamplePath ?? "", undefined).replace(
    "npm run test:property",
    `FC_MAX_COMMANDS=${cfg.maxCommands} npx hardhat test mocha test/property/solvency.property.test.ts`,
  );
  throw new Error(
    `${fc.defaultReportMessage(details) ?? "property failed"}\n\nFailure: ${cause}\n\nReplay it with:\n  ${replay}\n`,
  );
}

/** Maintenance buffer of each collateral, WAD: h - penalty x (1 - h). */
function buffers(s: LiqState): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const { token } of s.l.collaterals) {
    const h = s.l.risk.get(token)!.haircutMaintWad;
    out.set(token, h - (s.engine.penaltyWad * (WAD - h)) / WAD);
  }
  return out;
}

/** Seconds after which an auction's price is at or below the oracle price (model). */
function waitForOracle(s: LiqState, key: string): bigint {
  const a = s.auctions.get(key)!;
  const oracle = L.oraclePrice(s.l, a.token).priceWad;
  let lo = 0n;
  let hi = s.auctionAssets.get(a.token)!.tauSeconds;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    const p = auctionStatus(s, { ...a, startTime: 0n }, mid).priceWad;
    if (p <= oracle) hi = mid;
    else lo = mid;
  }
  return a.startTime + hi;
}

/** The liquidator: every tracked account below maintenance health 1 (with ok prices) is liquidated. */
async function liquidateAll(m: LiqBox, r: LiqReal): Promise<void> {
  for (const [i, { address }] of r.sys.accounts.entries()) {
    const h = L.computeHealth(m.s.l, address, false, m.s.l.now + 1n);
    if (h.pricesOk && h.healthFactorWad < WAD) await new LiquidateCmd(i, "keeper", false).exec(m, r);
  }
}

/** The taker: waits until each auction's price is at the oracle price, then buys all of it. */
async function takeAllAtOracle(m: LiqBox, r: LiqReal): Promise<void> {
  for (const key of [...m.s.auctions.keys()]) {
    const a = m.s.auctions.get(key);
    if (a === undefined) continue;
    const at = waitForOracle(m.s, key);
    const dt = at > m.s.l.now ? at - m.s.l.now : 1n;
    const oracle = L.oraclePrice(m.s.l, a.token).priceWad;
    const bidder = r.sys.bidder;
    await execLiq(m, r, {
      label: `take #${a.id} at the oracle price ${oracle}`,
      dt,
      model: (s, t) => take(s, t, bidder, key, a.lot, oracle, bidder),
      from: bidder,
      iface: r.sys.iface.auction,
      to: r.sys.addr.auction,
      fn: "take",
      args: [a.id, a.lot, oracle, bidder, "0x"],
    });
  }
}

async function borrowMax(m: LiqBox, r: LiqReal, actor: number, bps: bigint): Promise<void> {
  const who = r.sys.borrowers[actor].address;
  const t = m.s.l.now + 1n;
  const ok = (x: bigint): boolean => {
    const c = cloneLiq(m.s);
    syncOracle(c, t);
    try {
      L.borrow(c.l, t, who, who, x, who);
      return true;
    } catch (e) {
      if (e instanceof L.ModelRevert) return false;
      throw e;
    }
  };
  let lo = 0n;
  let hi = 10n ** 25n;
  if (!ok(1n)) return;
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  const amount = (lo * bps) / 10_000n;
  if (amount === 0n) return;
  await execLiq(m, r, {
    label: `borrow ${amount} (${bps}bps of the max) for ${actor}`,
    model: (s, tt) => L.borrow(s.l, tt, who, who, amount, who),
    from: who,
    iface: r.sys.iface.ch,
    to: r.sys.addr.ch,
    fn: "borrow",
    args: [who, amount, who],
  });
}

async function movePrice(m: LiqBox, r: LiqReal, token: number, moveWad: bigint): Promise<void> {
  const tk = token === 0 ? r.sys.addr.weth : r.sys.addr.wbtc;
  const f = m.s.feeds.get(tk)!;
  const answer = (f.answer * (WAD + moveWad)) / WAD;
  await setFeed(m, r, token, answer, `move ${token} by ${moveWad}`);
}

describe("I9: the parameters' promise (fast-check, full system)", function () {
  this.timeout(0);
  let sys: LiqSystem;

  before(async function () {
    // a small vault (5,000 of LP credit), so large bad debts reach the deficit
    sys = await deployLiqSystem({ vaultUsd: "5000" });
  });

  it("(a) moves below the maintenance buffer, a liquidator and a taker every step: no bad debt ever", async function () {
    const cfg = propertyConfig();
    const stats = newLiqStats();
    const buf = buffers(sys.initial);
    // 90% of the smallest buffer leaves room for the taker's fill just under the oracle price
    const maxMove = ([...buf.values()].reduce((a, b) => (a < b ? a : b)) * 9n) / 10n;
    const maxBps = Number((maxMove * 10_000n) / WAD);
    const step = fc.record({
      // a downward drift, so the accounts at their limits are liquidated along the way
      moves: fc.tuple(
        fc.integer({ min: -maxBps, max: maxBps / 3 }),
        fc.integer({ min: -maxBps, max: maxBps / 3 }),
      ),
      borrow: fc.tuple(fc.nat(2), fc.integer({ min: 0, max: 10_000 })),
    });
    let steps = 0;
    const details = await fc.check(
      fc.asyncProperty(
        fc.array(step, { minLength: 3, maxLength: Math.min(cfg.maxCommands, 12) }),
        async (plan) => {
          await restore(sys);
          const m: LiqBox = { s: cloneLiq(sys.initial) };
          const r: LiqReal = { sys, mem: { lastRateIndexRay: 10n ** 27n, checks: 0 }, stats };
          // every borrower starts at its borrowing limit
          for (const a of [0, 1, 2]) await borrowMax(m, r, a, 10_000n);
          for (const st of plan) {
            steps++;
            for (const k of [0, 1]) await movePrice(m, r, k, (BigInt(st.moves[k]) * WAD) / 10_000n);
            await liquidateAll(m, r);
            await takeAllAtOracle(m, r);
            await borrowMax(m, r, st.borrow[0], BigInt(st.borrow[1]));
            if ((stats.outcomes.get("BadDebtCovered") ?? 0) > 0 || m.s.l.deficitWad > 0n) {
              throw new Error(
                `I9: bad debt arose with moves bounded by ${maxBps} bps (deficit ${m.s.l.deficitWad})`,
              );
            }
          }
        },
      ),
      { seed: cfg.seed, path: cfg.path, numRuns: runs(4), endOnFailure: cfg.path !== undefined },
    );
    console.log(
      `    buffer ${[...buf.values()].map((b) => Number((b * 10_000n) / WAD)).join("/")} bps, max move ${maxBps} bps; ${steps} steps, ${stats.transactions} transactions; ${[...stats.outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
    report(details);
    expect(stats.outcomes.get("Kick") ?? 0).to.be.greaterThan(
      0,
      "the bounded moves never caused a liquidation",
    );
  });

  it("(b) a move beyond the buffer with no liquidator: bad debt goes exactly through the waterfall", async function () {
    const cfg = propertyConfig();
    const stats = newLiqStats();
    let badDebts = 0;
    let deficits = 0;
    const details = await fc.check(
      fc.asyncProperty(
        fc.record({
          victim: fc.nat(2),
          dropBps: fc.integer({ min: 3_000, max: 7_000 }),
          waitBps: fc.integer({ min: 0, max: 10_000 }),
        }),
        async ({ victim, dropBps, waitBps }) => {
          await restore(sys);
          const m: LiqBox = { s: cloneLiq(sys.initial) };
          const r: LiqReal = { sys, mem: { lastRateIndexRay: 10n ** 27n, checks: 0 }, stats };
          await checkLiq(sys, m.s, r.mem);
          await borrowMax(m, r, victim, 10_000n);
          const who = r.sys.borrowers[victim].address;
          // every collateral of the victim falls by the same large move
          for (const k of [0, 1]) await movePrice(m, r, k, -(BigInt(dropBps) * WAD) / 10_000n);
          await new LiquidateCmd(victim, "keeper", false).exec(m, r);
          const keys = [...m.s.auctions.keys()];
          if (keys.length === 0) throw new Error("no auction after the large move");
          // a take below the debt: wait a share of the time before the auction needs a redo
          for (const key of keys) {
            const a = m.s.auctions.get(key);
            if (a === undefined) continue;
            const aa = m.s.auctionAssets.get(a.token)!;
            // before cusp: elapsed < tau x (1 - cusp)
            const window = (aa.tauSeconds * (WAD - aa.cuspWad)) / WAD - 5n;
            const at = a.startTime + 1n + (window * BigInt(waitBps)) / 10_000n;
            const dt = at > m.s.l.now ? at - m.s.l.now : 1n;
            const creditBefore = m.s.l.vaultCreditWad;
            const victimCreditBefore = L.creditOf(m.s.l, who, m.s.l.now);
            const victimNormalizedBefore = L.account(m.s.l, who).normalizedDebt;
            // the stability fee the take accrues (only when a finished account's own debt is
            // written off with it: that accrual credits the vault before the waterfall)
            const feeAtTake = L.pendingFee(m.s.l, m.s.l.now + dt);
            const deficitBefore = m.s.l.deficitWad;
            const pre = m.s;
            const bidder = r.sys.bidder;
            const out = await execLiq(m, r, {
              label: `take all of #${a.id} after ${dt}s`,
              dt,
              model: (s, t) => take(s, t, bidder, key, a.lot, L.MAX_UINT256, bidder),
              from: bidder,
              iface: r.sys.iface.auction,
              to: r.sys.addr.auction,
              fn: "take",
              args: [a.id, a.lot, L.MAX_UINT256, bidder, "0x"],
            });
            if (!out.ok) throw new Error(`take reverted: ${out.errorName}`);
            const bad = out.logs.find((l) => l.name === "BadDebtCovered");
            const ended = out.logs.find((l) => l.name === "AuctionEnded");
            const debtLeft = (ended?.args.debtLeftWad as bigint | undefined) ?? 0n;
            // finished: no collateral and no other auction of the victim running (ADR 0014);
            // until then the debt left is charged back
            const finished =
              !pre.l.collaterals.some(({ token }) => L.collateralOf(m.s.l, who, token) > 0n) &&
              ![...m.s.auctions.values()].some((x) => x.account === who);
            // the ending payment's penalty share covers the debt left first (the ledger's
            // onAuctionTake), then the victim's credit; what they do not reach is the bad debt
            const paid = out.logs.find((l) => l.name === "Take")!;
            const penalty = (paid.args.oweWad as bigint) - (paid.args.debtCoveredWad as bigint);
            const used = debtLeft > 0n && finished ? (penalty < debtLeft ? penalty : debtLeft) : 0n;
            // a finished account's own debt (a seizure's rounding) joins the debt left
            const own = finished
              ? (victimNormalizedBefore * m.s.l.rateIndexRay + 10n ** 27n - 1n) / 10n ** 27n
              : 0n;
            const owed = debtLeft - used + own;
            const fromCredit = finished ? (owed < victimCreditBefore ? owed : victimCreditBefore) : 0n;
            const badDebt = owed - fromCredit;
            if (badDebt > 0n && finished) {
              if (bad === undefined)
                throw new Error("I8: debt left with no collateral, but no BadDebtCovered");
              badDebts++;
              // the waterfall: the vault's credit (as stored, fees not yet accrued) first, then the deficit
              const fromVault = bad.args.fromVaultWad as bigint;
              const toDeficit = bad.args.toDeficitWad as bigint;
              // the take accrues the fee before the waterfall only to write off the account's own
              // debt; the penalty part of the payment the debt did not take is the vault's first
              const credit = creditBefore + penalty - used + (own > 0n ? feeAtTake : 0n);
              const expectedFromVault = badDebt < credit ? badDebt : credit;
              if (fromVault !== expectedFromVault || fromVault + toDeficit !== badDebt) {
                throw new Error(
                  `I8: waterfall ${fromVault} + ${toDeficit} for bad debt ${badDebt} (vault credit ${credit})`,
                );
              }
              if (m.s.l.deficitWad - deficitBefore !== toDeficit)
                throw new Error("I8: deficit moved by another amount");
              if (toDeficit > 0n) deficits++;
            } else if (bad !== undefined) {
              throw new Error(
                "I8: BadDebtCovered while the account still holds collateral or runs another auction, or for debt the payment or its credit covered",
              );
            }
          }
          // I1 still holds (checked after every transaction); and the deficit trips the breaker
          if (m.s.l.deficitWad > 0n && m.s.breaker.global.level === 0)
            throw new Error("a deficit did not trip the breaker");
        },
      ),
      { seed: cfg.seed, path: cfg.path, numRuns: runs(6), endOnFailure: cfg.path !== undefined },
    );
    console.log(
      `    ${badDebts} bad debts (${deficits} reached the deficit), ${stats.transactions} transactions; ${[...stats.outcomes.entries()].map(([k, v]) => `${k} ${v}`).join(", ")}`,
    );
    report(details);
    expect(badDebts).to.be.greaterThan(0, "no run produced bad debt");
  });
});
