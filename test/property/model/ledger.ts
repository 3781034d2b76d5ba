/**
 * Bigint reference model of the Clearinghouse (the ledger), built on the laboratory's mirror math
 * (simulations/math/{wad,perp}.ts). Every entry point checks in the contract's order and throws a
 * `ModelRevert` carrying the custom error the chain must revert with; on success it mutates the
 * state exactly as the contract does, rounding included. Callers try a command on a clone
 * (`cloneState`) and keep the clone only when it did not revert.
 */
import { RAY, WAD, mulDivDown, mulDivUp } from "../../../simulations/math/wad.js";
import * as perp from "../../../simulations/math/perp.js";

import {
  emptyAccount,
  type AccountModel,
  type LedgerState,
  type MarketStateModel,
  type PositionModel,
} from "./state.js";

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
export const MAX_UINT256 = (1n << 256n) - 1n;
const MAX_UINT112 = (1n << 112n) - 1n;
const MAX_UINT88 = (1n << 88n) - 1n;
const MAX_UINT96 = (1n << 96n) - 1n;

/** The chain must revert with custom error `errorName` (arguments when the model knows them). */
export class ModelRevert extends Error {
  override name = "ModelRevert";
  constructor(
    readonly errorName: string,
    readonly args: readonly unknown[] = [],
  ) {
    super(`${errorName}(${args.map(String).join(", ")})`);
  }
}

/** Whether `action` reverts in the model (a `ModelRevert`); any other error propagates. */
export function modelReverts(action: () => unknown): boolean {
  try {
    action();
    return false;
  } catch (e) {
    if (e instanceof ModelRevert) return true;
    throw e;
  }
}

const revert = (errorName: string, ...args: unknown[]): never => {
  throw new ModelRevert(errorName, args);
};

const abs = (x: bigint): bigint => (x < 0n ? -x : x);
const mulRayUp = (x: bigint, y: bigint): bigint => mulDivUp(x, y, RAY);
const mulRayDown = (x: bigint, y: bigint): bigint => mulDivDown(x, y, RAY);
const divRayUp = (x: bigint, y: bigint): bigint => mulDivUp(x, RAY, y);
const divRayDown = (x: bigint, y: bigint): bigint => mulDivDown(x, RAY, y);

// ---------------------------------------------------------------- accessors

export function account(s: LedgerState, addr: string): AccountModel {
  let a = s.accounts.get(addr);
  if (a === undefined) {
    a = emptyAccount();
    s.accounts.set(addr, a);
  }
  return a;
}

export function collateralOf(s: LedgerState, addr: string, token: string): bigint {
  return s.accounts.get(addr)?.collateral.get(token) ?? 0n;
}

export function positionOf(s: LedgerState, addr: string, market: string): PositionModel {
  return s.accounts.get(addr)?.positions.get(market) ?? { sizeWad: 0n, costBasisWad: 0n };
}

export function balanceOf(s: LedgerState, token: string, holder: string): bigint {
  return s.balances.get(token)?.get(holder) ?? 0n;
}

export function setBalance(s: LedgerState, token: string, holder: string, value: bigint): void {
  let m = s.balances.get(token);
  if (m === undefined) {
    m = new Map();
    s.balances.set(token, m);
  }
  m.set(holder, value);
}

function market(s: LedgerState, m: string): MarketStateModel {
  const st = s.marketState.get(m);
  if (st === undefined) throw new Error(`model: unknown market ${m}`);
  return st;
}

function decimalsOf(s: LedgerState, token: string): bigint | undefined {
  return s.collaterals.find((c) => c.token === token)?.decimals;
}

export function isAuthorized(s: LedgerState, acct: string, operator: string): boolean {
  return acct === operator || (s.operators.get(acct)?.has(operator) ?? false);
}

// ---------------------------------------------------------------- ERC20 (OpenZeppelin 5 order)

/** `transferFrom` by `spender` with an unlimited allowance (every actor approves max at setup). */
export function erc20Transfer(s: LedgerState, token: string, from: string, to: string, amount: bigint): void {
  const bal = balanceOf(s, token, from);
  if (bal < amount) revert("ERC20InsufficientBalance", from, bal, amount);
  setBalance(s, token, from, bal - amount);
  setBalance(s, token, to, balanceOf(s, token, to) + amount);
}

export function stableMint(s: LedgerState, to: string, amount: bigint): void {
  setBalance(s, s.stablecoin, to, balanceOf(s, s.stablecoin, to) + amount);
  s.stablecoinSupply += amount;
}

export function stableBurn(s: LedgerState, from: string, amount: bigint): void {
  const bal = balanceOf(s, s.stablecoin, from);
  if (bal < amount) revert("ERC20InsufficientBalance", from, bal, amount);
  setBalance(s, s.stablecoin, from, bal - amount);
  s.stablecoinSupply -= amount;
}

// ---------------------------------------------------------------- fee index

export function currentRateIndex(s: LedgerState, t: bigint): bigint {
  const elapsed = t - s.lastAccrual;
  if (elapsed === 0n || s.stabilityFeePerSecondRay === 0n) return s.rateIndexRay;
  return s.rateIndexRay + mulRayUp(s.rateIndexRay, s.stabilityFeePerSecondRay * elapsed);
}

export function feeBetween(totalNormalized: bigint, oldIndexRay: bigint, newIndexRay: bigint): bigint {
  const newer = mulRayDown(totalNormalized, newIndexRay);
  const older = mulRayUp(totalNormalized, oldIndexRay);
  return newer > older ? newer - older : 0n;
}

export function pendingFee(s: LedgerState, t: bigint): bigint {
  return feeBetween(s.totalNormalizedDebt, s.rateIndexRay, currentRateIndex(s, t));
}

export function accrueFee(s: LedgerState, t: bigint): bigint {
  if (s.lastAccrual === t) return s.rateIndexRay;
  if (s.stabilityFeePerSecondRay !== 0n) {
    const newIndex = currentRateIndex(s, t);
    const fee = feeBetween(s.totalNormalizedDebt, s.rateIndexRay, newIndex);
    s.rateIndexRay = newIndex;
    s.vaultCreditWad += fee;
    s.dustBudgetWad += 2n + newIndex / RAY;
  }
  s.lastAccrual = t;
  return s.rateIndexRay;
}

export function debtOf(s: LedgerState, addr: string, t: bigint): bigint {
  return mulRayUp(s.accounts.get(addr)?.normalizedDebt ?? 0n, currentRateIndex(s, t));
}

export function creditOf(s: LedgerState, addr: string, t: bigint): bigint {
  if (addr === s.vault.address) return s.vaultCreditWad + pendingFee(s, t);
  return s.accounts.get(addr)?.creditWad ?? 0n;
}

export function totalDebt(s: LedgerState, t: bigint): bigint {
  return mulRayUp(s.totalNormalizedDebt, currentRateIndex(s, t));
}

// ---------------------------------------------------------------- funding

export function fundingNow(
  s: LedgerState,
  m: string,
  priceWad: bigint,
  t: bigint,
): { rateWad: bigint; indexWad: bigint } {
  const st = market(s, m);
  const elapsed = t - st.lastFundingTime;
  if (elapsed === 0n || priceWad === 0n) return { rateWad: st.fundingRateWad, indexWad: st.fundingIndexWad };
  const p = s.marketParams.get(m);
  if (p === undefined || p.skewScaleWad === 0n) {
    return { rateWad: st.fundingRateWad, indexWad: st.fundingIndexWad };
  }
  const { newRateWad, indexDeltaWad } = perp.accrueFunding(
    st.fundingRateWad,
    st.skewWad,
    p.skewScaleWad,
    p.maxFundingVelocityWad,
    elapsed,
    priceWad,
  );
  return { rateWad: newRateWad, indexWad: st.fundingIndexWad + indexDeltaWad };
}

function accrueFunding(s: LedgerState, m: string, priceWad: bigint, t: bigint): void {
  const st = market(s, m);
  if (st.lastFundingTime === t) return;
  const { rateWad, indexWad } = fundingNow(s, m, priceWad, t);
  st.fundingRateWad = rateWad;
  st.fundingIndexWad = indexWad;
  st.lastFundingTime = t;
}

export function oraclePrice(s: LedgerState, asset: string): { priceWad: bigint; ok: boolean } {
  return s.oracle.get(asset) ?? { priceWad: 0n, ok: false };
}

/** `_cachedPricesFresh`: the age bound is not 0 and not exceeded at `t`. */
export function cachedPricesFresh(s: LedgerState, t: bigint): boolean {
  const c = s.priceCache;
  return c !== undefined && c.maxAgeSeconds !== 0n && t - c.cachedAt <= c.maxAgeSeconds;
}

/**
 * `_quote`'s price for a health check (ADR 0006): the asset a position trade just filled (`seed`)
 * at the oracle's read; for an initial-margin check, the cached price when non-zero and fresh;
 * else the oracle's. Maintenance health (liquidation) never uses the cache.
 */
function healthPrice(
  s: LedgerState,
  asset: string,
  initial: boolean,
  t: bigint,
  seed: string | undefined,
): { priceWad: bigint; ok: boolean } {
  if (asset === seed) return { priceWad: oraclePrice(s, asset).priceWad, ok: true };
  if (initial && cachedPricesFresh(s, t)) {
    const cached = s.priceCache!.prices.get(asset) ?? 0n;
    if (cached !== 0n) return { priceWad: cached, ok: true };
  }
  return oraclePrice(s, asset);
}

/**
 * `refreshPrices` (permissionless): caches each collateral's ok read (0 when not ok or above the
 * slot's 2^88 - 1), each market's from its collateral's slot, else read again (its slot: 2^96 - 1),
 * and stamps the time. The age bound is `PRICE_MAX_AGE_SECONDS`.
 */
export function refreshPrices(s: LedgerState, t: bigint, maxAgeSeconds: bigint): void {
  const cacheable = (asset: string, max: bigint): bigint => {
    const q = oraclePrice(s, asset);
    return q.ok && q.priceWad <= max ? q.priceWad : 0n;
  };
  const prices = new Map<string, bigint>();
  for (const { token } of s.collaterals) prices.set(token, cacheable(token, MAX_UINT88));
  for (const m of s.markets) {
    const fromCollateral = prices.get(m) ?? 0n;
    prices.set(m, fromCollateral !== 0n ? fromCollateral : cacheable(m, MAX_UINT96));
  }
  s.priceCache = { maxAgeSeconds, cachedAt: t, prices };
}

// ---------------------------------------------------------------- balances

export function debit(s: LedgerState, addr: string, amountWad: bigint, indexRay: bigint): bigint {
  const a = account(s, addr);
  const fromCredit = amountWad < a.creditWad ? amountWad : a.creditWad;
  a.creditWad -= fromCredit;
  const newDebt = amountWad - fromCredit;
  if (newDebt > 0n) {
    const add = divRayUp(newDebt, indexRay);
    a.normalizedDebt += add;
    if (a.normalizedDebt > MAX_UINT112) revert("SafeCastOverflowedUintDowncast", 112n, a.normalizedDebt);
    s.totalNormalizedDebt += add;
    s.dustBudgetWad += 2n + indexRay / RAY;
  }
  return fromCredit;
}

export function credit(s: LedgerState, addr: string, amountWad: bigint): bigint {
  if (addr === s.vault.address) {
    s.vaultCreditWad += amountWad;
    return 0n;
  }
  const indexRay = s.rateIndexRay;
  const a = account(s, addr);
  let repaid = 0n;
  if (a.normalizedDebt > 0n) {
    const debt = mulRayUp(a.normalizedDebt, indexRay);
    if (amountWad >= debt) {
      repaid = debt;
      s.totalNormalizedDebt -= a.normalizedDebt;
      a.normalizedDebt = 0n;
    } else {
      repaid = amountWad;
      const removed = divRayDown(amountWad, indexRay);
      a.normalizedDebt -= removed;
      s.totalNormalizedDebt -= removed;
    }
    s.dustBudgetWad += 2n + indexRay / RAY;
  }
  const rest = amountWad - repaid;
  if (rest > 0n) a.creditWad += rest;
  return repaid;
}

export function recordDeficit(s: LedgerState, amountWad: bigint): void {
  s.deficitWad += amountWad;
}

/**
 * Called when `transferWithVault` records a deficit: the Clearinghouse then calls the breaker's
 * `checkSystem` in the same transaction. A model with a breaker (the liquidation suite's) sets it
 * around one transaction's prediction (`withDeficitHook`); the ledger suite has no breaker.
 */
let deficitHook: ((s: LedgerState) => void) | undefined;

export function withDeficitHook<T>(hook: (s: LedgerState) => void, run: () => T): T {
  const previous = deficitHook;
  deficitHook = hook;
  try {
    return run();
  } finally {
    deficitHook = previous;
  }
}

export function transferWithVault(s: LedgerState, addr: string, deltaWad: bigint): void {
  if (deltaWad === 0n) return;
  if (deltaWad > 0n) {
    credit(s, addr, deltaWad);
    if (deltaWad <= s.vaultCreditWad) s.vaultCreditWad -= deltaWad;
    else {
      recordDeficit(s, deltaWad - s.vaultCreditWad);
      s.vaultCreditWad = 0n;
      deficitHook?.(s);
    }
  } else {
    debit(s, addr, -deltaWad, s.rateIndexRay);
    s.vaultCreditWad += -deltaWad;
  }
}

// ---------------------------------------------------------------- health

export interface HealthModel {
  weightedCollateralWad: bigint;
  creditWad: bigint;
  debtWad: bigint;
  pnlWad: bigint;
  requirementWad: bigint;
  equityWad: bigint;
  healthFactorWad: bigint;
  pricesOk: boolean;
  failingAsset: string | undefined;
}

export function computeHealth(
  s: LedgerState,
  addr: string,
  initial: boolean,
  t: bigint,
  /** The market a position trade just filled: valued at that read (`_seedAsset`). */
  seed?: string,
): HealthModel {
  const a = s.accounts.get(addr) ?? emptyAccount();
  let pricesOk = true;
  let failingAsset: string | undefined;
  const creditWad = addr === s.vault.address ? s.vaultCreditWad + pendingFee(s, t) : a.creditWad;
  const debtWad = mulRayUp(a.normalizedDebt, currentRateIndex(s, t));
  let weighted = 0n;
  for (const { token, decimals } of s.collaterals) {
    const amount = a.collateral.get(token) ?? 0n;
    if (amount === 0n) continue;
    const q = healthPrice(s, token, initial, t, seed);
    if (!q.ok) {
      pricesOk = false;
      failingAsset = token;
    }
    const risk = s.risk.get(token)!;
    const value = mulDivDown(amount * 10n ** (18n - decimals), q.priceWad, WAD);
    weighted += mulDivDown(value, WAD - (initial ? risk.haircutInitWad : risk.haircutMaintWad), WAD);
  }
  let pnl = 0n;
  let req = 0n;
  for (const m of s.markets) {
    const pos = a.positions.get(m);
    if (pos === undefined || pos.sizeWad === 0n) continue;
    const q = healthPrice(s, m, initial, t, seed);
    if (!q.ok) {
      pricesOk = false;
      failingAsset = m;
    }
    const risk = s.risk.get(m)!;
    const { indexWad } = fundingNow(s, m, q.priceWad, t);
    pnl += perp.unrealizedPnl(pos.sizeWad, pos.costBasisWad, perp.adjustedPrice(q.priceWad, indexWad));
    req += perp.requirement(
      mulDivUp(abs(pos.sizeWad), q.priceWad, WAD),
      initial ? risk.marginRatioInitWad : risk.marginRatioMaintWad,
      risk.depthUsdWad,
      risk.sizeSlopeWad,
    );
  }
  // PnL nets against the balance (ADR 0008)
  const balance = creditWad - debtWad + pnl;
  const assets = weighted + (balance > 0n ? balance : 0n);
  const liabilities = (balance < 0n ? -balance : 0n) + req;
  return {
    weightedCollateralWad: weighted,
    creditWad,
    debtWad,
    pnlWad: pnl,
    requirementWad: req,
    equityWad: weighted + creditWad - debtWad + pnl,
    healthFactorWad: liabilities === 0n ? MAX_UINT256 : mulDivDown(assets, WAD, liabilities),
    pricesOk,
    failingAsset,
  };
}

/** `_requireBreakerAllowsRisk`: no level at all on the account's assets (only with a breaker). */
function requireBreakerAllowsRisk(s: LedgerState, addr: string): void {
  const b = s.breakerLevels;
  if (b === undefined) return;
  if (b.global !== 0) revert("Clearinghouse__BreakerLevel", ZERO_ADDRESS, b.global);
  const a = s.accounts.get(addr) ?? emptyAccount();
  const n = Math.max(s.collaterals.length, s.markets.length);
  for (let i = 0; i < n; i++) {
    const c = s.collaterals[i]?.token;
    if (c !== undefined && (a.collateral.get(c) ?? 0n) > 0n && (b.assets.get(c) ?? 0) !== 0) {
      revert("Clearinghouse__BreakerLevel", c, b.assets.get(c));
    }
    const m = s.markets[i];
    if (m !== undefined && (a.positions.get(m)?.sizeWad ?? 0n) !== 0n && (b.assets.get(m) ?? 0) !== 0) {
      revert("Clearinghouse__BreakerLevel", m, b.assets.get(m));
    }
  }
}

/** Whether `_requireBreakerAllowsRisk` would refuse `addr` now (a level on it); for reports. */
export function breakerBlocksRisk(s: LedgerState, addr: string): boolean {
  return modelReverts(() => requireBreakerAllowsRisk(s, addr));
}

/** `_requireWithdrawable`: no withdrawal at level 3 (global or the token's). */
function requireWithdrawable(s: LedgerState, token: string): void {
  const b = s.breakerLevels;
  if (b === undefined) return;
  if (b.global === 3) revert("Clearinghouse__BreakerLevel", ZERO_ADDRESS, 3);
  if ((b.assets.get(token) ?? 0) === 3) revert("Clearinghouse__BreakerLevel", token, 3);
}

/**
 * The number of auctions of an account's collateral running (the ledger's `AccountSlot.auctions`):
 * 0 in the ledger suite (no engine, no auction); the liquidation model registers its own count
 * (`setAuctionCounter`, from its running auctions).
 */
let auctionCounter: (s: LedgerState, addr: string) => bigint = () => 0n;

export function setAuctionCounter(counter: (s: LedgerState, addr: string) => bigint): void {
  auctionCounter = counter;
}

/** `_requireNoAuctions`: an account in liquidation may only be made safer (ADR 0014, session 14). */
function requireNoAuctions(s: LedgerState, addr: string): void {
  const n = auctionCounter(s, addr);
  if (n !== 0n) revert("Clearinghouse__AuctionsRunning", addr, n);
}

/** `_requireInitialHealth`: the breaker's levels, then the running auctions, then the health. */
function requireInitialHealth(s: LedgerState, addr: string, t: bigint, seed?: string): void {
  requireBreakerAllowsRisk(s, addr);
  const h = computeHealth(s, addr, true, t, seed);
  requireNoAuctions(s, addr);
  if (!h.pricesOk) revert("Clearinghouse__OracleUnhealthy", h.failingAsset);
  if (h.healthFactorWad < WAD) revert("Clearinghouse__Undercollateralized", addr, h.healthFactorWad);
}

export function vaultNetAssets(s: LedgerState, t: bigint): bigint {
  // the deficit counts against the LPs until healed
  let net = s.vaultCreditWad + pendingFee(s, t) - s.deficitWad;
  for (const m of s.markets) net += vaultMarkNow(s, m, t);
  return net;
}

/** `Clearinghouse.vaultMarkWad`: the vault's mark on `m` at the oracle's price, funding to now. */
export function vaultMarkNow(s: LedgerState, m: string, t: bigint): bigint {
  const st = market(s, m);
  if (st.skewWad === 0n && st.costBasisSumWad === 0n) return 0n;
  const { priceWad } = oraclePrice(s, m);
  const { indexWad } = fundingNow(s, m, priceWad, t);
  return vaultMark(st.costBasisSumWad, st.skewWad, priceWad, indexWad, s.marketParams.get(m)!.skewScaleWad);
}

/**
 * The vault's mark on a market where it holds -skew (ClearinghouseBase._vaultMarkWad): the
 * cost-basis sum less the skew at the funding-adjusted price, less the premium the skew's closing
 * fills hand back (index x skew^2 / (2 x skewScale)); rounded against the vault.
 */
export function vaultMark(
  costBasisSumWad: bigint,
  skewWad: bigint,
  priceWad: bigint,
  fundingIndexWad: bigint,
  skewScaleWad: bigint,
): bigint {
  const mark = costBasisSumWad - perp.mulWadCeil(skewWad, perp.adjustedPrice(priceWad, fundingIndexWad));
  if (skewWad === 0n) return mark;
  const skewAbs = abs(skewWad);
  return mark - mulDivUp(mulDivUp(skewAbs, skewAbs, 2n * skewScaleWad), priceWad, WAD);
}

// ---------------------------------------------------------------- entry points

function requireAuthorized(s: LedgerState, acct: string, caller: string): void {
  if (!isAuthorized(s, acct, caller)) revert("Clearinghouse__NotAuthorized", caller, acct);
}

export function setOperator(s: LedgerState, caller: string, operator: string, approved: boolean): void {
  let set = s.operators.get(caller);
  if (set === undefined) {
    set = new Set();
    s.operators.set(caller, set);
  }
  if (approved) set.add(operator);
  else set.delete(operator);
}

export function deposit(
  s: LedgerState,
  t: bigint,
  caller: string,
  acct: string,
  token: string,
  amount: bigint,
): void {
  if (amount === 0n) revert("Clearinghouse__ZeroAmount");
  if (acct === ZERO_ADDRESS) revert("Clearinghouse__ZeroAddress");
  if (decimalsOf(s, token) === undefined) revert("Clearinghouse__UnknownCollateral", token);
  const total = s.totalCollateral.get(token) ?? 0n;
  const cap = s.depositCap.get(token) ?? 0n;
  if (total > cap || amount > cap - total) {
    const wouldBe = amount > MAX_UINT256 - total ? MAX_UINT256 : total + amount;
    revert("Clearinghouse__DepositCapExceeded", token, wouldBe, cap);
  }
  erc20Transfer(s, token, caller, s.clearinghouse, amount);
  s.totalCollateral.set(token, total + amount);
  const a = account(s, acct);
  a.collateral.set(token, (a.collateral.get(token) ?? 0n) + amount);
  void t;
}

export function withdraw(
  s: LedgerState,
  t: bigint,
  caller: string,
  acct: string,
  token: string,
  amount: bigint,
  to: string,
): void {
  requireAuthorized(s, acct, caller);
  if (amount === 0n) revert("Clearinghouse__ZeroAmount");
  if (to === ZERO_ADDRESS) revert("Clearinghouse__ZeroAddress");
  if (decimalsOf(s, token) === undefined) revert("Clearinghouse__UnknownCollateral", token);
  const available = collateralOf(s, acct, token);
  if (amount > available) revert("Clearinghouse__InsufficientCollateral", acct, token, amount, available);
  accrueFee(s, t);
  const a = account(s, acct);
  if (available === amount) a.collateral.delete(token);
  else a.collateral.set(token, available - amount);
  s.totalCollateral.set(token, (s.totalCollateral.get(token) ?? 0n) - amount);
  // an account with neither debt nor positions withdraws without prices (I11)
  const exposed = a.normalizedDebt !== 0n || [...a.positions.values()].some((p) => p.sizeWad !== 0n);
  requireWithdrawable(s, token);
  // in liquidation, exposed or not (the health check refuses an exposed one): a surplus lot one
  // auction returned backs the others
  if (exposed) requireInitialHealth(s, acct, t);
  else requireNoAuctions(s, acct);
  erc20Transfer(s, token, s.clearinghouse, to, amount);
}

export function borrow(
  s: LedgerState,
  t: bigint,
  caller: string,
  acct: string,
  amountWad: bigint,
  to: string,
): void {
  requireAuthorized(s, acct, caller);
  if (amountWad === 0n) revert("Clearinghouse__ZeroAmount");
  if (to === ZERO_ADDRESS) revert("Clearinghouse__ZeroAddress");
  const indexRay = accrueFee(s, t);
  if (acct === s.vault.address) {
    if (amountWad > s.vaultCreditWad)
      revert("Clearinghouse__InsufficientVaultCredit", amountWad, s.vaultCreditWad);
    s.vaultCreditWad -= amountWad;
  } else {
    const fromCredit = debit(s, acct, amountWad, indexRay);
    if (amountWad > fromCredit) {
      const total = mulRayUp(s.totalNormalizedDebt, indexRay);
      if (total > s.debtCeilingWad) revert("Clearinghouse__DebtCeilingExceeded", total, s.debtCeilingWad);
      const accountDebt = mulRayUp(account(s, acct).normalizedDebt, indexRay);
      if (accountDebt < s.minDebtWad) revert("Clearinghouse__DebtBelowMinimum", accountDebt, s.minDebtWad);
    }
    requireInitialHealth(s, acct, t);
  }
  stableMint(s, to, amountWad);
}

/** Returns the part of the amount that repaid debt. */
export function repay(s: LedgerState, t: bigint, caller: string, acct: string, amountWad: bigint): bigint {
  if (amountWad === 0n) revert("Clearinghouse__ZeroAmount");
  if (acct === ZERO_ADDRESS) revert("Clearinghouse__ZeroAddress");
  accrueFee(s, t);
  stableBurn(s, caller, amountWad);
  return credit(s, acct, amountWad);
}

function increasesRisk(oldSize: bigint, newSize: bigint): boolean {
  if (abs(newSize) > abs(oldSize)) return true;
  return oldSize !== 0n && newSize !== 0n && oldSize > 0n !== newSize > 0n;
}

/** Outcome of a fill, for the round-trip checks (I10). */
export interface FillOutcome {
  fillPriceWad: bigint;
  realizedPnlWad: bigint;
  /** The market's funding index the fill was booked at. */
  fundingIndexWad: bigint;
  feeWad: bigint;
}

/** `_modifyPosition`; `penaltyRateWad` > 0 replaces the taker fee (a liquidation's close). */
export function modifyInternal(
  s: LedgerState,
  t: bigint,
  acct: string,
  m: string,
  sizeDeltaWad: bigint,
  acceptablePriceWad: bigint,
  penaltyRateWad = 0n,
): FillOutcome {
  if (acct === s.vault.address) revert("Clearinghouse__VaultCannotTrade");
  if (!s.markets.includes(m)) revert("Clearinghouse__UnknownMarket", m);
  accrueFee(s, t);
  const { priceWad: indexPrice, ok } = oraclePrice(s, m);
  accrueFunding(s, m, indexPrice, t);
  const st = market(s, m);
  const pos = positionOf(s, acct, m);
  const risky = increasesRisk(pos.sizeWad, pos.sizeWad + sizeDeltaWad);
  if (risky && !ok) revert("Clearinghouse__OracleUnhealthy", m);
  const params = s.marketParams.get(m)!;
  if (params.skewScaleWad === 0n) revert("Clearinghouse__MarketNotConfigured", m);
  const fill = perp.fillPrice(indexPrice, st.skewWad, sizeDeltaWad, params.skewScaleWad);
  if (fill === 0n) revert("Clearinghouse__InvalidFillPrice", m);
  if (sizeDeltaWad > 0n ? fill > acceptablePriceWad : fill < acceptablePriceWad) {
    revert("Clearinghouse__SlippageExceeded", fill, acceptablePriceWad);
  }
  const fundingIndex = st.fundingIndexWad;
  const f = perp.applyFill(
    pos.sizeWad,
    pos.costBasisWad,
    sizeDeltaWad,
    perp.adjustedPrice(fill, fundingIndex),
  );
  const feeRate = penaltyRateWad === 0n ? params.takerFeeWad : penaltyRateWad;
  const fee = mulDivUp(mulDivUp(abs(sizeDeltaWad), fill, WAD), feeRate, WAD);
  const balanceDelta = f.realizedPnlWad - fee;

  const oldSkewWad = st.skewWad;
  st.skewWad += sizeDeltaWad;
  st.costBasisSumWad += f.newCostBasisWad - pos.costBasisWad;
  if (pos.sizeWad > 0n) st.longOpenInterestWad -= pos.sizeWad;
  else if (pos.sizeWad < 0n) st.shortOpenInterestWad -= -pos.sizeWad;
  if (f.newSizeWad > 0n) st.longOpenInterestWad += f.newSizeWad;
  else if (f.newSizeWad < 0n) st.shortOpenInterestWad += -f.newSizeWad;
  if (risky) {
    const maxOi = params.maxOpenInterestWad;
    if (st.longOpenInterestWad > maxOi)
      revert("Clearinghouse__OpenInterestCapExceeded", m, st.longOpenInterestWad, maxOi);
    if (st.shortOpenInterestWad > maxOi) {
      revert("Clearinghouse__OpenInterestCapExceeded", m, st.shortOpenInterestWad, maxOi);
    }
    // the skew cap binds only a fill that grows the skew; it scales with the vault's credit less
    // what the vault is losing on this market's skew (marked where it closes)
    if (abs(st.skewWad) > abs(oldSkewWad)) {
      const skewUsd = mulDivUp(abs(st.skewWad), indexPrice, WAD);
      const mark = vaultMark(st.costBasisSumWad, st.skewWad, indexPrice, fundingIndex, params.skewScaleWad);
      const backing = s.vaultCreditWad + pendingFee(s, t) + (mark < 0n ? mark : 0n);
      const capUsd = backing > 0n ? mulDivDown(backing, params.skewCapRatioWad, WAD) : 0n;
      if (skewUsd > capUsd) revert("Clearinghouse__SkewCapExceeded", m, skewUsd, capUsd);
    }
  }
  const a = account(s, acct);
  a.positions.set(m, { sizeWad: f.newSizeWad, costBasisWad: f.newCostBasisWad });
  transferWithVault(s, acct, balanceDelta);
  s.dustBudgetWad += 4n;
  if (risky) requireInitialHealth(s, acct, t, m);
  return { fillPriceWad: fill, realizedPnlWad: f.realizedPnlWad, fundingIndexWad: fundingIndex, feeWad: fee };
}

export function modifyPosition(
  s: LedgerState,
  t: bigint,
  caller: string,
  acct: string,
  m: string,
  sizeDeltaWad: bigint,
  acceptablePriceWad: bigint,
): FillOutcome {
  requireAuthorized(s, acct, caller);
  if (sizeDeltaWad === 0n) revert("Clearinghouse__ZeroAmount");
  return modifyInternal(s, t, acct, m, sizeDeltaWad, acceptablePriceWad);
}

export function closePosition(
  s: LedgerState,
  t: bigint,
  caller: string,
  acct: string,
  m: string,
  acceptablePriceWad: bigint,
): FillOutcome {
  requireAuthorized(s, acct, caller);
  const size = positionOf(s, acct, m).sizeWad;
  if (size === 0n) revert("Clearinghouse__NoPosition", acct, m);
  return modifyInternal(s, t, acct, m, -size, acceptablePriceWad);
}

export function accrueAll(s: LedgerState, t: bigint): void {
  accrueFee(s, t);
  for (const m of s.markets) accrueFunding(s, m, oraclePrice(s, m).priceWad, t);
}

/** `healDeficit`: the vault's credit pays the deficit down (after the fee accrual). */
export function healDeficit(s: LedgerState, t: bigint): bigint {
  accrueFee(s, t);
  const healed = s.deficitWad < s.vaultCreditWad ? s.deficitWad : s.vaultCreditWad;
  if (healed === 0n) revert("Clearinghouse__NothingToHeal", s.deficitWad, s.vaultCreditWad);
  s.vaultCreditWad -= healed;
  s.deficitWad -= healed;
  return healed;
}

/** Fill price a trade of `sizeDeltaWad` would get now (no state change). */
export function quoteFill(s: LedgerState, m: string, sizeDeltaWad: bigint): bigint {
  const p = s.marketParams.get(m);
  if (p === undefined || p.skewScaleWad === 0n) return 0n;
  return perp.fillPrice(oraclePrice(s, m).priceWad, market(s, m).skewWad, sizeDeltaWad, p.skewScaleWad);
}
