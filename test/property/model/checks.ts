/**
 * What is checked after every command: the invariants that apply to the ledger (ids from
 * DESIGN.md section 5), on the chain's own values first, then the model's agreement with the chain
 * field by field. Every failure names its invariant id (or MODEL for a disagreement).
 */
import { RAY } from "../../../simulations/math/wad.js";
import * as perp from "../../../simulations/math/perp.js";
import {
  balanceOf,
  collateralOf,
  computeHealth,
  creditOf,
  currentRateIndex,
  debtOf,
  oraclePrice,
  positionOf,
  totalDebt,
  vaultNetAssets,
} from "./ledger.js";
import type { LedgerState } from "./state.js";
import { encodeBatch, multiRead, sword, word, type ReadCall } from "./chain.js";
import type { PropertySystem } from "./system.js";
import { sharesOf, vaultTotalAssets } from "./vault.js";

export class InvariantViolation extends Error {
  override name = "InvariantViolation";
  constructor(
    readonly id: string,
    detail: string,
  ) {
    super(`${id}: ${detail}`);
  }
}

export function fail(id: string, detail: string): never {
  throw new InvariantViolation(id, detail);
}

/** What the checks remember between commands of one sequence. */
export interface CheckMemory {
  lastRateIndexRay: bigint;
  checks: number;
}

function eq(label: string, chain: bigint | boolean, model: bigint | boolean): void {
  if (chain !== model) fail("MODEL", `${label}: chain ${chain} != model ${model}`);
}

interface HealthRead {
  weightedCollateralWad: bigint;
  creditWad: bigint;
  debtWad: bigint;
  pnlWad: bigint;
  requirementWad: bigint;
  equityWad: bigint;
  healthFactorWad: bigint;
  pricesOk: boolean;
}

interface PositionRead {
  sizeWad: bigint;
  costBasisWad: bigint;
}

interface ChainAccount {
  address: string;
  collateral: bigint[];
  wallet: bigint[];
  debt: bigint;
  credit: bigint;
  position: PositionRead;
  healthInit: HealthRead;
  healthMaint: HealthRead;
  stable: bigint;
  shares: bigint;
  requestShares: bigint;
  requestClaimableAt: bigint;
}

/** The fixed list of views read after every command, encoded once per system. */
interface ReadPlan {
  labels: string[];
  batch: string;
}

const plans = new WeakMap<PropertySystem, ReadPlan>();

function planFor(sys: PropertySystem, s: LedgerState): ReadPlan {
  const cached = plans.get(sys);
  if (cached !== undefined) return cached;
  const { ch: chI, erc20, vault: vI } = sys.ifaces;
  const a = sys.addr;
  const calls: ReadCall[] = [];
  const labels: string[] = [];
  const add = (
    label: string,
    iface: typeof chI,
    to: string,
    fn: string,
    args: readonly unknown[] = [],
  ): void => {
    labels.push(label);
    calls.push({ to, data: iface.encodeFunctionData(fn, args) });
  };
  const tokens = s.collaterals.map((c) => c.token);
  const m = s.markets[0];
  for (const { address, name } of sys.actors) {
    for (const token of tokens) add(`collateralOf(${name})`, chI, a.ch, "collateralOf", [address, token]);
    for (const token of tokens) add(`wallet(${name})`, erc20, token, "balanceOf", [address]);
    add(`debtOf(${name})`, chI, a.ch, "debtOf", [address]);
    add(`creditOf(${name})`, chI, a.ch, "creditOf", [address]);
    add(`positionOf(${name})`, chI, a.ch, "positionOf", [address, m]);
    add(`health(${name}, initial)`, chI, a.ch, "health", [address, true]);
    add(`health(${name}, maintenance)`, chI, a.ch, "health", [address, false]);
    add(`stablecoin.balanceOf(${name})`, erc20, a.stablecoin, "balanceOf", [address]);
    add(`vault.balanceOf(${name})`, vI, a.vault, "balanceOf", [address]);
    add(`vault.withdrawalRequest(${name})`, vI, a.vault, "withdrawalRequest", [address]);
  }
  add("creditOf(vault)", chI, a.ch, "creditOf", [a.vault]);
  add("vaultNetAssetsWad", chI, a.ch, "vaultNetAssetsWad");
  add("health(vault)", chI, a.ch, "health", [a.vault, false]);
  add("totalDebtWad", chI, a.ch, "totalDebtWad");
  add("deficitWad", chI, a.ch, "deficitWad");
  add("rateIndexRay", chI, a.ch, "rateIndexRay");
  add("marketState", chI, a.ch, "marketState", [m]);
  add("stablecoin.totalSupply", erc20, a.stablecoin, "totalSupply");
  add("stablecoin.balanceOf(vault)", erc20, a.stablecoin, "balanceOf", [a.vault]);
  add("vault.totalAssets", vI, a.vault, "totalAssets");
  add("vault.totalSupply", vI, a.vault, "totalSupply");
  for (const token of tokens) add("token.balanceOf(clearinghouse)", erc20, token, "balanceOf", [a.ch]);
  for (const token of tokens) add("totalCollateral", chI, a.ch, "totalCollateral", [token]);
  const plan = { labels, batch: encodeBatch(sys, calls) };
  plans.set(sys, plan);
  return plan;
}

function health(hex: string): HealthRead {
  return {
    weightedCollateralWad: word(hex, 0),
    creditWad: word(hex, 1),
    debtWad: word(hex, 2),
    pnlWad: sword(hex, 3),
    requirementWad: word(hex, 4),
    equityWad: sword(hex, 5),
    healthFactorWad: word(hex, 6),
    pricesOk: word(hex, 7) !== 0n,
  };
}

export async function checkAll(sys: PropertySystem, s: LedgerState, mem: CheckMemory): Promise<void> {
  mem.checks++;
  const a = sys.addr;
  const t = s.now;
  const plan = planFor(sys, s);
  const { timestamp, results } = await multiRead(sys, plan.batch, plan.labels.length);
  if (timestamp !== t) fail("MODEL", `latest block time ${timestamp} != model time ${t}`);
  let next = 0;
  // every view must answer (I12: views, health checks and previews never revert)
  const take = (): string => {
    const r = results[next];
    if (r === undefined) fail("I12", `${plan.labels[next]} reverted`);
    next++;
    return r;
  };
  const tokens = s.collaterals.map((c) => c.token);
  const m = s.markets[0];

  const accounts: ChainAccount[] = [];
  for (const { address } of sys.actors) {
    const collateral = tokens.map(() => word(take(), 0));
    const wallet = tokens.map(() => word(take(), 0));
    const debt = word(take(), 0);
    const credit = word(take(), 0);
    const p = take();
    const healthInit = health(take());
    const healthMaint = health(take());
    const stable = word(take(), 0);
    const shares = word(take(), 0);
    const req = take();
    accounts.push({
      address,
      collateral,
      wallet,
      debt,
      credit,
      position: { sizeWad: sword(p, 0), costBasisWad: sword(p, 1) },
      healthInit,
      healthMaint,
      stable,
      shares,
      requestShares: word(req, 0),
      requestClaimableAt: word(req, 1),
    });
  }
  const vaultCredit = word(take(), 0);
  const vaultNet = sword(take(), 0);
  const vaultHealth = health(take());
  const totalDebtWad = word(take(), 0);
  const deficitWad = word(take(), 0);
  const rateIndexRay = word(take(), 0);
  const ms = take();
  const market = {
    skewWad: sword(ms, 0),
    longOpenInterestWad: word(ms, 1),
    shortOpenInterestWad: word(ms, 2),
    costBasisSumWad: sword(ms, 3),
    fundingRateWad: sword(ms, 4),
    fundingIndexWad: sword(ms, 5),
    lastFundingTime: word(ms, 6),
  };
  const supply = word(take(), 0);
  const vaultStable = word(take(), 0);
  const vaultAssets = word(take(), 0);
  const vaultShares = word(take(), 0);
  const held = tokens.map(() => word(take(), 0));
  const totals = tokens.map(() => word(take(), 0));

  // ---------------------------------------------------------------- I1
  let credits = vaultCredit;
  for (const acc of accounts) credits += acc.credit;
  const left = supply + credits;
  const right = totalDebtWad + deficitWad;
  if (left > right)
    fail(
      "I1",
      `supply ${supply} + credits ${credits} = ${left} > debts ${totalDebtWad} + deficit ${deficitWad}`,
    );
  if (right - left > s.dustBudgetWad) {
    fail("I1", `protocol dust ${right - left} exceeds the rounding budget ${s.dustBudgetWad}`);
  }

  // ---------------------------------------------------------------- I2
  for (let i = 0; i < tokens.length; i++) {
    let sum = 0n;
    for (const acc of accounts) sum += acc.collateral[i];
    if (held[i] !== sum || sum !== totals[i]) {
      fail(
        "I2",
        `token ${tokens[i]}: balance ${held[i]}, sum of collateral ${sum}, totalCollateral ${totals[i]}`,
      );
    }
  }

  // ---------------------------------------------------------------- I3, I4 (positions and debt sums)
  let sizes = 0n;
  let longs = 0n;
  let shorts = 0n;
  let bases = 0n;
  let traderPnl = 0n;
  let debts = 0n;
  // any mark works for the zero-sum check (both sides use it); the model's oracle price
  const markPriceWad = oraclePrice(s, m).priceWad;
  for (const acc of accounts) {
    const size = acc.position.sizeWad;
    sizes += size;
    if (size > 0n) longs += size;
    else shorts -= size;
    bases += acc.position.costBasisWad;
    traderPnl += perp.unrealizedPnl(
      size,
      acc.position.costBasisWad,
      perp.adjustedPrice(markPriceWad, market.fundingIndexWad),
    );
    debts += acc.debt;
  }
  const skew = market.skewWad;
  const longOi = market.longOpenInterestWad;
  const shortOi = market.shortOpenInterestWad;
  if (sizes !== skew || longOi - shortOi !== skew) {
    fail("I3", `sum of sizes ${sizes}, long OI ${longOi} - short OI ${shortOi}, skew ${skew}`);
  }
  // PnL and funding are zero-sum: what the vault books at a mark (rounded once, against it) is
  // at most what the traders lose (floored each), and at most one wei per trader below it
  const vaultPnl =
    market.costBasisSumWad - perp.mulWadCeil(skew, perp.adjustedPrice(markPriceWad, market.fundingIndexWad));
  const n = BigInt(accounts.length);
  if (vaultPnl > -traderPnl || -traderPnl - vaultPnl > n + 1n) {
    fail("I3", `PnL is not zero-sum: traders make ${traderPnl}, the vault books ${vaultPnl}`);
  }
  if (longs !== longOi || shorts !== shortOi)
    fail("I4", `OI ${longOi}/${shortOi} != sums ${longs}/${shorts}`);
  if (bases !== market.costBasisSumWad) {
    fail("I4", `costBasisSum ${market.costBasisSumWad} != sum ${bases}`);
  }
  if (debts < totalDebtWad || debts > totalDebtWad + n) {
    fail("I4", `sum of debts ${debts} vs totalDebtWad ${totalDebtWad} (each rounded up, at most ${n} apart)`);
  }

  // ---------------------------------------------------------------- I5
  if (rateIndexRay < mem.lastRateIndexRay || rateIndexRay < RAY) {
    fail("I5", `rate index went from ${mem.lastRateIndexRay} to ${rateIndexRay}`);
  }
  mem.lastRateIndexRay = rateIndexRay;
  if (market.lastFundingTime > t) fail("I5", `funding time ${market.lastFundingTime} > now ${t}`);

  // ---------------------------------------------------------------- model agreement
  eq("totalDebtWad", totalDebtWad, totalDebt(s, t));
  eq("deficitWad", deficitWad, s.deficitWad);
  eq("rateIndexRay", rateIndexRay, currentRateIndex(s, t));
  eq("creditOf(vault)", vaultCredit, creditOf(s, a.vault, t));
  eq("vaultNetAssetsWad", vaultNet, vaultNetAssets(s, t));
  eq("vault health credit", vaultHealth.creditWad, creditOf(s, a.vault, t));
  eq("stablecoin totalSupply", supply, s.stablecoinSupply);
  eq("vault totalAssets", vaultAssets, vaultTotalAssets(s, t));
  eq("vault totalSupply", vaultShares, s.vault.totalShares);
  const st = s.marketState.get(m)!;
  eq("skew", skew, st.skewWad);
  eq("long OI", longOi, st.longOpenInterestWad);
  eq("short OI", shortOi, st.shortOpenInterestWad);
  eq("costBasisSum", market.costBasisSumWad, st.costBasisSumWad);
  eq("stablecoin held by the vault", vaultStable, balanceOf(s, a.stablecoin, a.vault));
  for (let i = 0; i < tokens.length; i++)
    eq(`totalCollateral ${i}`, totals[i], s.totalCollateral.get(tokens[i]) ?? 0n);
  for (const [i, acc] of accounts.entries()) {
    const who = sys.actors[i].name;
    for (let j = 0; j < tokens.length; j++) {
      eq(`${who} collateral ${j}`, acc.collateral[j], collateralOf(s, acc.address, tokens[j]));
      eq(`${who} wallet token ${j}`, acc.wallet[j], balanceOf(s, tokens[j], acc.address));
    }
    eq(`${who} debt`, acc.debt, debtOf(s, acc.address, t));
    eq(`${who} credit`, acc.credit, creditOf(s, acc.address, t));
    const pos = positionOf(s, acc.address, m);
    eq(`${who} size`, acc.position.sizeWad, pos.sizeWad);
    eq(`${who} cost basis`, acc.position.costBasisWad, pos.costBasisWad);
    for (const [initial, h] of [
      [true, acc.healthInit],
      [false, acc.healthMaint],
    ] as const) {
      const mh = computeHealth(s, acc.address, initial, t);
      const lvl = initial ? "initial" : "maintenance";
      eq(`${who} ${lvl} weighted collateral`, h.weightedCollateralWad, mh.weightedCollateralWad);
      eq(`${who} ${lvl} credit`, h.creditWad, mh.creditWad);
      eq(`${who} ${lvl} debt`, h.debtWad, mh.debtWad);
      eq(`${who} ${lvl} pnl`, h.pnlWad, mh.pnlWad);
      eq(`${who} ${lvl} requirement`, h.requirementWad, mh.requirementWad);
      eq(`${who} ${lvl} equity`, h.equityWad, mh.equityWad);
      eq(`${who} ${lvl} health factor`, h.healthFactorWad, mh.healthFactorWad);
      eq(`${who} ${lvl} prices ok`, h.pricesOk, mh.pricesOk);
    }
    eq(`${who} stablecoin`, acc.stable, balanceOf(s, a.stablecoin, acc.address));
    eq(`${who} vault shares`, acc.shares, sharesOf(s, acc.address));
    const mr = s.vault.requests.get(acc.address);
    eq(`${who} request shares`, acc.requestShares, mr?.shares ?? 0n);
    eq(`${who} request claimableAt`, acc.requestClaimableAt, mr?.claimableAt ?? 0n);
  }
}
