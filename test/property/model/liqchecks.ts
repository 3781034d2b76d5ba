/**
 * What the liquidation suites check after every command, on the full system: the invariants that
 * apply (DESIGN.md section 5) on the chain's own values, then the model's agreement with the
 * chain, field by field (`MODEL`). One batched eth_call (test/property/LedgerReader.sol).
 *
 * - I1: stablecoin supply + every credit (the vault's included) == debts + debt owed by open
 *   auctions + deficit, up to the rounding dust the protocol keeps in its favour (bounded).
 * - I2: each collateral token held by the Clearinghouse == sum of the accounts' collateral + the
 *   lots of running auctions + the settlement redemption pool; totalCollateral == the accounts' sum.
 * - I8: no account holds debt without collateral, positions or a running auction of its own
 *   unless it is liquidatable (health < 1 with ok prices, so `liquidate` writes it off); the
 *   deficit and vault credit move only as the waterfall says (model agreement).
 * - I12: every running auction's status answers; one older than `tail` needs a redo; below
 *   liquidation pause with an ok oracle a redo or a take is always possible; views never revert.
 * - auction bookkeeping: tabs in flight == sum of the running tabs; auction debt == sum of the
 *   running auctions' debts.
 * - the oracle and the breaker's triggers: for every asset the router's `getPrice` (price, ok: the
 *   last good price when not ok) and `getPriceWithStatus` (the exact status: sequencer down or in
 *   grace, non-positive, stale, out of bounds, secondary failed or deviating) and the breaker's
 *   `previewCheck` / `previewCheckSystem` (level and reason) agree with the model.
 */
import { b32 } from "../../../scripts/deploy/system.js";
import { fail } from "./checks.js";
import * as L from "./ledger.js";
import {
  auctionStatus,
  cloneLiq,
  levelOf,
  ORACLE_STATUS_NAMES,
  evaluateAsset,
  evaluateSystem,
  oracleRead,
  redo,
  syncOracle,
  take as modelTake,
  windowNow,
  ZERO,
  type LiqState,
} from "./liquidation.js";
import { addrWord, multiCall, sword, word } from "./chain.js";
import type { LiqSystem } from "./liqsystem.js";

function eq(
  label: string,
  chain: bigint | boolean | string | number,
  model: bigint | boolean | string | number,
): void {
  if (chain !== model) fail("MODEL", `${label}: chain ${chain} != model ${model}`);
}

/** A CircuitBreaker REASON_* as its bytes32 word (lower-case hex); "" is 0. */
export function reasonWord(reason: string): string {
  return reason === "" ? `0x${"00".repeat(32)}` : b32(reason).toLowerCase();
}

export interface LiqCheckMemory {
  lastRateIndexRay: bigint;
  checks: number;
}

export async function checkLiq(sys: LiqSystem, s: LiqState, mem: LiqCheckMemory): Promise<void> {
  mem.checks++;
  const a = sys.addr;
  const i = sys.iface;
  const t = s.l.now;
  const tokens = [a.weth, a.wbtc];
  const calls: { to: string; data: string }[] = [];
  const labels: string[] = [];
  const add = (
    label: string,
    iface: typeof i.ch,
    to: string,
    fn: string,
    args: readonly unknown[] = [],
  ): void => {
    labels.push(label);
    calls.push({ to, data: iface.encodeFunctionData(fn, args) });
  };
  for (const { name, address } of sys.accounts) {
    for (const tk of tokens) add(`collateralOf(${name})`, i.ch, a.ch, "collateralOf", [address, tk]);
    for (const tk of tokens) add(`wallet(${name})`, i.erc20, tk, "balanceOf", [address]);
    for (const tk of tokens) add(`positionOf(${name})`, i.ch, a.ch, "positionOf", [address, tk]);
    add(`debtOf(${name})`, i.ch, a.ch, "debtOf", [address]);
    add(`creditOf(${name})`, i.ch, a.ch, "creditOf", [address]);
    add(`health(${name}, maintenance)`, i.ch, a.ch, "health", [address, false]);
    add(`health(${name}, initial)`, i.ch, a.ch, "health", [address, true]);
    add(`stablecoin(${name})`, i.erc20, a.stablecoin, "balanceOf", [address]);
  }
  for (const tk of tokens) add("taker wallet", i.erc20, tk, "balanceOf", [sys.taker]);
  add("taker stablecoin", i.erc20, a.stablecoin, "balanceOf", [sys.taker]);
  add("creditOf(vault)", i.ch, a.ch, "creditOf", [a.vault]);
  add("totalDebtWad", i.ch, a.ch, "totalDebtWad");
  add("auctionDebtWad", i.ch, a.ch, "auctionDebtWad");
  add("deficitWad", i.ch, a.ch, "deficitWad");
  add("rateIndexRay", i.ch, a.ch, "rateIndexRay");
  add("vaultNetAssetsWad", i.ch, a.ch, "vaultNetAssetsWad");
  add("stablecoin.totalSupply", i.erc20, a.stablecoin, "totalSupply");
  for (const tk of tokens) {
    add("totalCollateral", i.ch, a.ch, "totalCollateral", [tk]);
    add("token.balanceOf(clearinghouse)", i.erc20, tk, "balanceOf", [a.ch]);
    add("redemptionPool", i.ch, a.ch, "redemptionPool", [tk]);
    add("breakerLevelOf", i.ch, a.ch, "breakerLevelOf", [tk]);
    add("marketState", i.ch, a.ch, "marketState", [tk]);
    add("tabInFlightWad", i.auction, a.auction, "tabInFlightWad", [tk]);
    add("breaker.scopeState", i.breaker, a.breaker, "scopeState", [tk]);
    add("breaker.liquidationWindow", i.breaker, a.breaker, "liquidationWindow", [tk]);
    add("oracle.getPrice", i.oracle, a.oracle, "getPrice", [tk]);
    add("oracle.getPriceWithStatus", i.oracle, a.oracle, "getPriceWithStatus", [tk]);
    add("breaker.previewCheck", i.breaker, a.breaker, "previewCheck", [tk]);
  }
  add("breaker.previewCheckSystem", i.breaker, a.breaker, "previewCheckSystem");
  add("totalTabInFlightWad", i.auction, a.auction, "totalTabInFlightWad");
  add("engine.window", i.engine, a.engine, "window");
  add("breaker.scopeState(global)", i.breaker, a.breaker, "scopeState", [ZERO]);
  add("breaker.badDebtWindow", i.breaker, a.breaker, "badDebtWindow");
  const keys = [...s.auctions.keys()];
  for (const k of keys) {
    const id = s.auctions.get(k)!.id;
    add(`auctions(${id})`, i.auction, a.auction, "auctions", [id]);
    add(`getStatus(${id})`, i.auction, a.auction, "getStatus", [id]);
  }

  const { timestamp, results } = await multiCall(sys, calls);
  if (timestamp !== t) fail("MODEL", `latest block time ${timestamp} != model time ${t}`);
  let n = 0;
  const take = (): string => {
    const r = results[n];
    if (r === undefined) fail("I12", `${labels[n]} reverted`);
    n++;
    return r;
  };

  let credits = 0n;
  const collSums = tokens.map(() => 0n);
  for (const { name, address } of sys.accounts) {
    const coll = tokens.map(() => word(take(), 0));
    const wallet = tokens.map(() => word(take(), 0));
    const pos = tokens.map(() => {
      const h = take();
      return { size: sword(h, 0), basis: sword(h, 1) };
    });
    const debt = word(take(), 0);
    const credit = word(take(), 0);
    const hm = take();
    const hi = take();
    const stable = word(take(), 0);
    credits += credit;
    for (const [j, tk] of tokens.entries()) {
      collSums[j] += coll[j];
      eq(`${name} collateral ${j}`, coll[j], L.collateralOf(s.l, address, tk));
      eq(`${name} wallet ${j}`, wallet[j], L.balanceOf(s.l, tk, address));
      const mp = L.positionOf(s.l, address, tk);
      eq(`${name} size ${j}`, pos[j].size, mp.sizeWad);
      eq(`${name} cost basis ${j}`, pos[j].basis, mp.costBasisWad);
    }
    eq(`${name} debt`, debt, L.debtOf(s.l, address, t));
    eq(`${name} credit`, credit, L.creditOf(s.l, address, t));
    eq(`${name} stablecoin`, stable, L.balanceOf(s.l, a.stablecoin, address));
    for (const [initial, h] of [
      [false, hm],
      [true, hi],
    ] as const) {
      const mh = L.computeHealth(s.l, address, initial, t);
      const lvl = initial ? "initial" : "maintenance";
      eq(`${name} ${lvl} weighted collateral`, word(h, 0), mh.weightedCollateralWad);
      eq(`${name} ${lvl} debt`, word(h, 2), mh.debtWad);
      eq(`${name} ${lvl} pnl`, sword(h, 3), mh.pnlWad);
      eq(`${name} ${lvl} requirement`, word(h, 4), mh.requirementWad);
      eq(`${name} ${lvl} health factor`, word(h, 6), mh.healthFactorWad);
      eq(`${name} ${lvl} prices ok`, word(h, 7) !== 0n, mh.pricesOk);
    }
    // I8: debt with nothing behind it (no collateral, no position, no auction) must be liquidatable
    const hasAuction = [...s.auctions.values()].some((x) => x.account === address);
    const hasPosition = pos.some((p) => p.size !== 0n);
    if (debt > 0n && coll.every((c) => c === 0n) && !hasPosition && !hasAuction) {
      if (word(hm, 6) >= 10n ** 18n)
        fail("I8", `${name} owes ${debt} with nothing behind it and is not liquidatable`);
    }
  }
  for (const [j, tk] of tokens.entries())
    eq(`taker wallet ${j}`, word(take(), 0), L.balanceOf(s.l, tk, sys.taker));
  eq("taker stablecoin", word(take(), 0), L.balanceOf(s.l, a.stablecoin, sys.taker));
  const vaultCredit = word(take(), 0);
  const totalDebt = word(take(), 0);
  const auctionDebt = word(take(), 0);
  const deficit = word(take(), 0);
  const rateIndex = word(take(), 0);
  const vaultNet = sword(take(), 0);
  const supply = word(take(), 0);
  const perToken = tokens.map(() => {
    const totalColl = word(take(), 0);
    const held = word(take(), 0);
    const pool = word(take(), 0);
    const chLevel = Number(word(take(), 0));
    const ms = take();
    const tabInFlight = word(take(), 0);
    const sc = take();
    const win = take();
    const price = take();
    const status = take();
    const preview = take();
    return { totalColl, held, pool, chLevel, ms, tabInFlight, sc, win, price, status, preview };
  });
  const previewSystem = take();
  const totalTab = word(take(), 0);
  const ew = take();
  const gsc = take();
  const bdw = take();

  // ---------------------------------------------------------------- I1
  credits += vaultCredit;
  const left = supply + credits;
  const right = totalDebt + auctionDebt + deficit;
  if (left > right) {
    fail(
      "I1",
      `supply ${supply} + credits ${credits} = ${left} > debts ${totalDebt} + auction debt ${auctionDebt} + deficit ${deficit}`,
    );
  }
  if (right - left > s.l.dustBudgetWad)
    fail("I1", `protocol dust ${right - left} exceeds the rounding budget ${s.l.dustBudgetWad}`);

  // ---------------------------------------------------------------- I2
  for (const [j, tk] of tokens.entries()) {
    let lots = 0n;
    for (const au of s.auctions.values()) if (au.token === tk) lots += au.lot;
    const p = perToken[j];
    if (p.held !== collSums[j] + lots + p.pool || p.totalColl !== collSums[j]) {
      fail(
        "I2",
        `token ${j}: held ${p.held}, accounts ${collSums[j]} + lots ${lots} + pool ${p.pool}, totalCollateral ${p.totalColl}`,
      );
    }
  }

  // ---------------------------------------------------------------- auctions (I12) and their books
  let tabSum = 0n;
  let debtSum = 0n;
  const tabByToken = new Map<string, bigint>();
  for (const k of keys) {
    const au = s.auctions.get(k)!;
    const rec = take();
    const st = take();
    eq(`auction ${au.id} account`, addrWord(rec, 0).toLowerCase(), au.account.toLowerCase());
    eq(`auction ${au.id} start time`, word(rec, 1), au.startTime);
    eq(`auction ${au.id} token`, addrWord(rec, 2).toLowerCase(), au.token.toLowerCase());
    eq(`auction ${au.id} lot`, word(rec, 3), au.lot);
    eq(`auction ${au.id} start price`, word(rec, 4), au.startPriceWad);
    eq(`auction ${au.id} tab`, word(rec, 5), au.tabWad);
    eq(`auction ${au.id} debt`, word(rec, 6), au.debtWad);
    const ms = auctionStatus(s, au, t);
    eq(`auction ${au.id} needsRedo`, word(st, 0) !== 0n, ms.needsRedo);
    eq(`auction ${au.id} price`, word(st, 1), ms.priceWad);
    const aa = s.auctionAssets.get(au.token)!;
    if (t - au.startTime > aa.tailSeconds && word(st, 0) === 0n)
      fail("I12", `auction ${au.id} is older than tail and needs no redo`);
    // below liquidation pause, with an ok oracle, a redo or a take is possible
    const level = levelOf(s, au.token);
    const q = oracleRead(s, au.token, t);
    if (level < 2 && q.ok && !ms.needsRedo && ms.priceWad === 0n)
      fail("I12", `auction ${au.id} can be neither taken nor redone`);
    // (the oracle ok in that next block: a feed exactly at its age limit now is stale then)
    if (level < 2 && oracleRead(s, au.token, t + 1n).ok) {
      // I12: the next block, a take (by a payer with enough stablecoin) or a redo goes through
      const errors: string[] = [];
      for (const act of ["take", "redo"] as const) {
        const c = cloneLiq(s);
        const tt = t + 1n;
        syncOracle(c, tt);
        L.setBalance(c.l, c.l.stablecoin, sys.bidder, 10n ** 40n);
        try {
          if (act === "take") modelTake(c, tt, sys.bidder, k, au.lot, L.MAX_UINT256, sys.bidder);
          else redo(c, tt, k, ZERO);
        } catch (e) {
          if (!(e instanceof L.ModelRevert)) throw e;
          errors.push(e.errorName);
        }
      }
      if (errors.length === 2)
        fail("I12", `auction ${au.id} can be neither taken nor redone: ${errors.join(", ")}`);
    }
    if (au.debtWad > au.tabWad)
      fail("I12", `auction ${au.id} owes more debt ${au.debtWad} than its tab ${au.tabWad}`);
    tabSum += au.tabWad;
    debtSum += au.debtWad;
    tabByToken.set(au.token, (tabByToken.get(au.token) ?? 0n) + au.tabWad);
  }
  if (totalTab !== tabSum) fail("I12", `tab in flight ${totalTab} != sum of running tabs ${tabSum}`);
  if (auctionDebt !== debtSum)
    fail("I1", `auction debt ${auctionDebt} != sum of running auctions' debts ${debtSum}`);

  // ---------------------------------------------------------------- I5
  if (rateIndex < mem.lastRateIndexRay)
    fail("I5", `rate index went from ${mem.lastRateIndexRay} to ${rateIndex}`);
  mem.lastRateIndexRay = rateIndex;

  // ---------------------------------------------------------------- model agreement
  eq("creditOf(vault)", vaultCredit, L.creditOf(s.l, a.vault, t));
  eq("totalDebtWad", totalDebt, L.totalDebt(s.l, t));
  eq("auctionDebtWad", auctionDebt, s.auctionDebtWad);
  eq("deficitWad", deficit, s.l.deficitWad);
  eq("rateIndexRay", rateIndex, L.currentRateIndex(s.l, t));
  eq("vaultNetAssetsWad", vaultNet, L.vaultNetAssets(s.l, t));
  eq("stablecoin totalSupply", supply, s.l.stablecoinSupply);
  eq("totalTabInFlightWad", totalTab, s.totalTabInFlightWad);
  for (const [j, tk] of tokens.entries()) {
    const p = perToken[j];
    eq(`totalCollateral ${j}`, p.totalColl, s.l.totalCollateral.get(tk) ?? 0n);
    eq(`clearinghouse holds ${j}`, p.held, L.balanceOf(s.l, tk, a.ch));
    eq(`clearinghouse breaker level ${j}`, p.chLevel, levelOf(s, tk));
    eq(`tabInFlight ${j}`, p.tabInFlight, s.auctionAssets.get(tk)!.tabInFlightWad);
    eq(`tabInFlight ${j} vs running tabs`, p.tabInFlight, tabByToken.get(tk) ?? 0n);
    const st = s.l.marketState.get(tk)!;
    eq(`skew ${j}`, sword(p.ms, 0), st.skewWad);
    eq(`costBasisSum ${j}`, sword(p.ms, 3), st.costBasisSumWad);
    const sc = s.breaker.assets.get(tk)!;
    eq(`breaker level ${j}`, Number(word(p.sc, 0)), sc.level);
    eq(`breaker floor ${j}`, Number(word(p.sc, 1)), sc.floor);
    eq(`breaker lastTriggeredAt ${j}`, word(p.sc, 2), sc.lastTriggeredAt);
    eq(`breaker window start ${j}`, word(p.win, 0), sc.windowStart);
    eq(`breaker window debt ${j}`, word(p.win, 1), sc.windowDebtWad);
    // the router's read: (price, ok) and its status; the last good price when not ok
    const q = oracleRead(s, tk, t);
    eq(`oracle price ${j}`, word(p.price, 0), q.priceWad);
    eq(`oracle ok ${j}`, word(p.price, 1) !== 0n, q.ok);
    eq(`oracle price (with status) ${j}`, word(p.status, 0), q.priceWad);
    const code = Number(word(p.status, 1));
    if (code !== q.status)
      fail(
        "MODEL",
        `oracle status ${j}: chain ${ORACLE_STATUS_NAMES[code]} != model ${ORACLE_STATUS_NAMES[q.status]}`,
      );
    // the breaker's asset triggers as check(asset) would see them now: level and reason
    const tr = evaluateAsset(s, t, tk);
    eq(`breaker trigger level ${j}`, Number(word(p.preview, 0)), tr.level);
    eq(`breaker trigger reason ${j}`, `0x${p.preview.slice(64, 128)}`, reasonWord(tr.reason));
  }
  const sysTr = evaluateSystem(s, t);
  eq("breaker system trigger level", Number(word(previewSystem, 0)), sysTr.level);
  eq("breaker system trigger reason", `0x${previewSystem.slice(64, 128)}`, reasonWord(sysTr.reason));
  const w = windowNow(s.engine, t);
  eq("engine window start", word(ew, 0), w.start);
  eq("engine window used", word(ew, 1), w.usedWad);
  eq("breaker global level", Number(word(gsc, 0)), s.breaker.global.level);
  eq("breaker global floor", Number(word(gsc, 1)), s.breaker.global.floor);
  eq("breaker global lastTriggeredAt", word(gsc, 2), s.breaker.global.lastTriggeredAt);
  eq("bad debt window start", word(bdw, 0), s.breaker.badDebtStart);
  eq("bad debt window amount", word(bdw, 1), s.breaker.badDebtWad);
}
