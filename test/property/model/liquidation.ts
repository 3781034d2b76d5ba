/**
 * Bigint reference model of the liquidation path on the full system: the OracleRouter reading a
 * Chainlink feed (staleness, bounds, last good price, the delayed price of its pokes), the
 * CircuitBreaker (levels, floors, triggers, velocity and bad-debt windows), the LiquidationEngine
 * (its plan mirrored exactly: partial debts, whole split, caps, window), the DutchAuction (kick,
 * take, redo on the linear curve, dust rule, tabs in flight) and the Clearinghouse's liquidation
 * module (liquidationBegin with perp closes, seize, writeOff, auction settlement, the bad-debt
 * waterfall). The ledger itself is model/ledger.ts, reused on `s.l`.
 *
 * Every function checks in the contracts' order and throws `ModelRevert(name)` where the chain
 * must revert; callers run it on a clone. Predicted events go to `s.log` and are compared with
 * the receipt's. Auctions are keyed by the id the chain's `Kick` event returns (a kick in the
 * model gets a provisional key, re-keyed after the transaction): the model never assumes how the
 * auction numbers its records.
 */
import { WAD, mulDivDown, mulDivUp } from "../../../simulations/math/wad.js";
import * as L from "./ledger.js";
import { ModelRevert } from "./ledger.js";
import type { LedgerState } from "./state.js";

const revert = (errorName: string, ...args: unknown[]): never => {
  throw new ModelRevert(errorName, args);
};
const RAY = 10n ** 27n;
const mulWadUp = (x: bigint, y: bigint): bigint => mulDivUp(x, y, WAD);
const mulWadDown = (x: bigint, y: bigint): bigint => mulDivDown(x, y, WAD);
const divWadUp = (x: bigint, y: bigint): bigint => mulDivUp(x, WAD, y);
const divWadDown = (x: bigint, y: bigint): bigint => mulDivDown(x, WAD, y);
const mulRayUp = (x: bigint, y: bigint): bigint => mulDivUp(x, y, RAY);
const divRayDown = (x: bigint, y: bigint): bigint => mulDivDown(x, RAY, y);
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);

export const ZERO = L.ZERO_ADDRESS;

// ---------------------------------------------------------------- state

/** A Chainlink MockV3Aggregator's latest round (the three words the router reads). */
export interface RoundModel {
  feedDecimals: bigint;
  /** Answer in feed units. */
  answer: bigint;
  /** `updateAnswer` sets both to its block time; `updateRoundData` sets them apart. */
  startedAt: bigint;
  updatedAt: bigint;
}

/** The optional secondary feed of an asset (`FeedConfig.secondary`). */
export interface SecondaryModel extends RoundModel {
  /** secondaryHeartbeatSeconds + gracePeriodSeconds. */
  maxAgeSeconds: bigint;
  maxDeviationWad: bigint;
  /**
   * The harness's choice, not chain state: where the secondary stands relative to the primary
   * (bps, plus a few wei of WAD price), kept through every primary move until
   * `SecondaryDeviationCmd` changes it.
   */
  offsetBps: bigint;
  offsetWei: bigint;
}

/** The router's L2 sequencer-uptime feed (answer 0 = up, 1 = down; startedAt = since when). */
export interface SequencerModel {
  answer: bigint;
  startedAt: bigint;
  graceSeconds: bigint;
}

export interface FeedModel extends RoundModel {
  /** heartbeatSeconds + gracePeriodSeconds. */
  maxAgeSeconds: bigint;
  minPriceWad: bigint;
  maxPriceWad: bigint;
  secondary?: SecondaryModel;
  lastGoodWad: bigint;
  lastGoodAt: bigint;
  curWad: bigint;
  curAt: bigint;
  nxtWad: bigint;
  nxtAt: bigint;
}

export interface AuctionModel {
  /** The chain's id (from the Kick event); -1 until the transaction that kicked it is mined. */
  id: bigint;
  account: string;
  token: string;
  lot: bigint;
  startPriceWad: bigint;
  startTime: bigint;
  tabWad: bigint;
  debtWad: bigint;
}

export interface AuctionAssetModel {
  decimals: bigint;
  bufWad: bigint;
  tailSeconds: bigint;
  cuspWad: bigint;
  chipWad: bigint;
  tipWad: bigint;
  dustWad: bigint;
  tauSeconds: bigint;
  tabInFlightWad: bigint;
  /** Engine's ASSET_TAB_CAP_WAD. */
  tabCapWad: bigint;
  /** Breaker's per-asset parameters. */
  dropToleranceWad: bigint;
  velocityCapacityWad: bigint;
}

export interface BreakerScope {
  level: number;
  floor: number;
  lastTriggeredAt: bigint;
  windowStart: bigint;
  windowDebtWad: bigint;
}

export interface BreakerParamsModel {
  levelPriceDrop: number;
  levelDeviation: number;
  levelFeedFailure: number;
  levelVelocity: number;
  levelBadDebt: number;
  levelDeficit: number;
  velocityWindowSeconds: bigint;
  badDebtWindowSeconds: bigint;
  badDebtShareWad: bigint;
  cooldownSeconds: bigint;
}

export interface BreakerModel {
  global: BreakerScope;
  assets: Map<string, BreakerScope>;
  badDebtStart: bigint;
  badDebtWad: bigint;
  p: BreakerParamsModel;
}

export interface EngineModel {
  targetHealthWad: bigint;
  penaltyWad: bigint;
  perpPenaltyWad: bigint;
  perpKeeperShareWad: bigint;
  dustDebtWad: bigint;
  maxTabInFlightWad: bigint;
  windowSeconds: bigint;
  windowCapacityWad: bigint;
  windowStart: bigint;
  windowUsedWad: bigint;
}

/** An event the model predicts, compared field by field with the receipt's. */
export type ModelEvent =
  | {
      kind: "Kick";
      key: string;
      account: string;
      token: string;
      lot: bigint;
      tabWad: bigint;
      debtWad: bigint;
      startPriceWad: bigint;
      keeper: string;
      rewardWad: bigint;
    }
  | {
      kind: "Take";
      key: string;
      priceWad: bigint;
      oweWad: bigint;
      slice: bigint;
      debtCoveredWad: bigint;
      tabLeftWad: bigint;
      lotLeft: bigint;
    }
  | { kind: "Redo"; key: string; startPriceWad: bigint; rewardWad: bigint }
  | { kind: "AuctionEnded"; key: string; lotLeft: bigint; debtLeftWad: bigint }
  | { kind: "BadDebtCovered"; account: string; fromVaultWad: bigint; toDeficitWad: bigint }
  | { kind: "PerpPenaltyWaived"; account: string; waivedWad: bigint }
  | {
      kind: "Liquidated";
      account: string;
      healthFactorWad: bigint;
      positionsClosed: bigint;
      auctions: bigint;
      debtCoveredWad: bigint;
      writtenOffWad: bigint;
      whole: boolean;
    }
  | { kind: "CapHit"; account: string; token: string; debtWantedWad: bigint; debtCoveredWad: bigint };

export interface LiqState {
  l: LedgerState;
  feeds: Map<string, FeedModel>;
  /** The router's sequencer-uptime feed; undefined when the check is disabled. */
  sequencer?: SequencerModel;
  hopSeconds: bigint;
  /** Running auctions by key (the chain id as a decimal string, or "pending:n"). */
  auctions: Map<string, AuctionModel>;
  auctionAssets: Map<string, AuctionAssetModel>;
  totalTabInFlightWad: bigint;
  auctionDebtWad: bigint;
  breaker: BreakerModel;
  engine: EngineModel;
  guardian: string;
  pendingKicks: number;
  /** Events of the transaction being modelled. */
  log: ModelEvent[];
}

/** The liquidation state each ledger state belongs to (for the ledger model's deficit hook). */
const owners = new WeakMap<LedgerState, LiqState>();

// the ledger model's count of an account's running auctions (its refusals while they run)
L.setAuctionCounter((l, acct) => {
  const owner = owners.get(l);
  let n = 0n;
  if (owner !== undefined) for (const a of owner.auctions.values()) if (a.account === acct) n++;
  return n;
});

export function cloneLiq(s: LiqState): LiqState {
  const c = structuredClone(s);
  owners.set(c.l, c);
  return c;
}

/**
 * Runs one transaction's prediction with the ledger's inline breaker check: a deficit recorded
 * by `transferWithVault` (a trader's profit, a keeper reward, a waived penalty the vault cannot
 * pay) runs `checkSystem` on the state it belongs to at time `t`, as the Clearinghouse does.
 */
export function withInlineSystemCheck<T>(t: bigint, run: () => T): T {
  return L.withDeficitHook((l) => {
    const owner = owners.get(l);
    if (owner !== undefined) checkSystem(owner, t);
  }, run);
}

// ---------------------------------------------------------------- oracle

/** IOracleRouter.Status, in the enum's order. */
export const OracleStatus = {
  Ok: 0,
  UnknownAsset: 1,
  SequencerDown: 2,
  SequencerGracePeriod: 3,
  PrimaryCallFailed: 4,
  PrimaryNonPositive: 5,
  PrimaryIncompleteRound: 6,
  PrimaryStale: 7,
  PrimaryOutOfBounds: 8,
  SecondaryFailed: 9,
  SecondaryDeviation: 10,
} as const;
export type OracleStatusCode = (typeof OracleStatus)[keyof typeof OracleStatus];
export const ORACLE_STATUS_NAMES = Object.keys(OracleStatus) as (keyof typeof OracleStatus)[];

export interface OracleRead {
  /** The read's price when ok, else the last good price (`getPrice`). */
  priceWad: bigint;
  ok: boolean;
  status: OracleStatusCode;
}

/** Answers above this are out of bounds before scaling (OracleRouter's MAX_ANSWER). */
const MAX_ANSWER = (1n << 192n) - 1n;

/** A feed's answer in WAD, rounding down (an 18+ decimal feed loses its extra digits). */
export function answerToWad(answer: bigint, feedDecimals: bigint): bigint {
  return feedDecimals <= 18n ? answer * 10n ** (18n - feedDecimals) : answer / 10n ** (feedDecimals - 18n);
}

/** OracleRouter._readFeed: one aggregator read with its checks (the primary's status codes). */
function readFeed(
  f: RoundModel,
  maxAgeSeconds: bigint,
  t: bigint,
): { wad: bigint; status: OracleStatusCode } {
  if (f.answer <= 0n) return { wad: 0n, status: OracleStatus.PrimaryNonPositive };
  if (f.updatedAt === 0n || f.startedAt === 0n || f.updatedAt > t)
    return { wad: 0n, status: OracleStatus.PrimaryIncompleteRound };
  if (t - f.updatedAt > maxAgeSeconds) return { wad: 0n, status: OracleStatus.PrimaryStale };
  if (f.answer > MAX_ANSWER) return { wad: 0n, status: OracleStatus.PrimaryOutOfBounds };
  return { wad: answerToWad(f.answer, f.feedDecimals), status: OracleStatus.Ok };
}

/** OracleRouter._sequencerStatus. */
export function sequencerStatus(q: SequencerModel, t: bigint): OracleStatusCode {
  if (q.answer !== 0n || q.startedAt === 0n) return OracleStatus.SequencerDown;
  if (q.startedAt > t || t - q.startedAt < q.graceSeconds) return OracleStatus.SequencerGracePeriod;
  return OracleStatus.Ok;
}

/**
 * OracleRouter.getPriceWithStatus / getPrice at `t`, in the router's order: sequencer, primary
 * (answer, round, staleness, bounds), secondary (its own read and the bounds, then the deviation
 * |p - s| / p <= maxDeviation). When not ok the price is the last good one.
 */
export function oracleRead(s: LiqState, asset: string, t: bigint): OracleRead {
  const f = s.feeds.get(asset);
  if (f === undefined) return { priceWad: 0n, ok: false, status: OracleStatus.UnknownAsset };
  const bad = (status: OracleStatusCode): OracleRead => ({ priceWad: f.lastGoodWad, ok: false, status });
  if (s.sequencer !== undefined) {
    const st = sequencerStatus(s.sequencer, t);
    if (st !== OracleStatus.Ok) return bad(st);
  }
  const p = readFeed(f, f.maxAgeSeconds, t);
  if (p.status !== OracleStatus.Ok) return bad(p.status);
  if (p.wad < f.minPriceWad || p.wad > f.maxPriceWad) return bad(OracleStatus.PrimaryOutOfBounds);
  const sec = f.secondary;
  if (sec !== undefined) {
    const q = readFeed(sec, sec.maxAgeSeconds, t);
    if (q.status !== OracleStatus.Ok || q.wad < f.minPriceWad || q.wad > f.maxPriceWad)
      return bad(OracleStatus.SecondaryFailed);
    const diff = p.wad > q.wad ? p.wad - q.wad : q.wad - p.wad;
    if (diff * WAD > sec.maxDeviationWad * p.wad) return bad(OracleStatus.SecondaryDeviation);
  }
  return { priceWad: p.wad, ok: true, status: OracleStatus.Ok };
}

/** Sets the ledger's oracle reads (time-dependent: staleness, grace) for a transaction at `t`. */
export function syncOracle(s: LiqState, t: bigint): void {
  for (const asset of s.feeds.keys()) {
    const q = oracleRead(s, asset, t);
    s.l.oracle.set(asset, { priceWad: q.priceWad, ok: q.ok });
  }
}

/** MockV3Aggregator.updateAnswer on the primary feed of `asset`. */
export function feedUpdate(s: LiqState, t: bigint, asset: string, answer: bigint): void {
  const f = s.feeds.get(asset)!;
  f.answer = answer;
  f.startedAt = t;
  f.updatedAt = t;
}

/** MockV3Aggregator.updateAnswer on the secondary feed of `asset`. */
export function secondaryUpdate(s: LiqState, t: bigint, asset: string, answer: bigint): void {
  const sec = s.feeds.get(asset)!.secondary!;
  sec.answer = answer;
  sec.startedAt = t;
  sec.updatedAt = t;
}

/** The sequencer feed's `updateRoundData(_, answer, t, startedAt)` (or `updateAnswer`: startedAt = t). */
export function sequencerUpdate(s: LiqState, answer: bigint, startedAt: bigint): void {
  const q = s.sequencer!;
  q.answer = answer;
  q.startedAt = startedAt;
}

/** OracleRouter.poke: stores an ok read as the last good price and queues it (hop rule). */
export function oraclePoke(s: LiqState, t: bigint, asset: string): void {
  const f = s.feeds.get(asset)!;
  const q = oracleRead(s, asset, t);
  if (!q.ok) return;
  f.lastGoodWad = q.priceWad;
  f.lastGoodAt = t;
  if (f.nxtAt === 0n) {
    f.nxtWad = q.priceWad;
    f.nxtAt = t;
  } else if (t >= f.nxtAt + s.hopSeconds) {
    f.curWad = f.nxtWad;
    f.curAt = f.nxtAt;
    f.nxtWad = q.priceWad;
    f.nxtAt = t;
  }
}

// ---------------------------------------------------------------- circuit breaker

export function levelOf(s: LiqState, asset: string): number {
  const a = s.breaker.assets.get(asset)?.level ?? 0;
  return Math.max(s.breaker.global.level, a);
}

function push(s: LiqState, scope: string, level: number): void {
  const b = s.l.breakerLevels!;
  const lvl = Math.min(level, 3);
  if (scope === ZERO) b.global = lvl;
  else b.assets.set(scope, lvl);
}

function onTrigger(sc: BreakerScope, target: number, t: bigint): boolean {
  if (target === 0 || target < sc.level) return false;
  if (target > sc.level) return true;
  return sc.lastTriggeredAt !== t;
}

/** A trigger's level and reason (the CircuitBreaker's REASON_* names; level 0 and "" for none). */
export interface Trigger {
  level: number;
  reason: string;
}

/**
 * CircuitBreaker._evaluateAsset: the oracle triggers are exclusive (one status per read): an ok
 * read below the delayed price x (1 - tolerance) is PRICE_DROP, a secondary deviation DEVIATION
 * (LEVEL_DEVIATION), a stale primary STALE, a sequencer down or in its grace period SEQUENCER, any
 * other failed read FEED_FAILURE (those three at LEVEL_FEED_FAILURE); velocity comes on top.
 */
export function evaluateAsset(s: LiqState, t: bigint, asset: string): Trigger {
  const p = s.breaker.p;
  const sc = s.breaker.assets.get(asset)!;
  const aa = s.auctionAssets.get(asset)!;
  const f = s.feeds.get(asset)!;
  const q = oracleRead(s, asset, t);
  let tr: Trigger = { level: 0, reason: "" };
  if (q.ok) {
    const kept = WAD - aa.dropToleranceWad;
    if (f.curWad !== 0n && q.priceWad * WAD < f.curWad * kept)
      tr = { level: p.levelPriceDrop, reason: "PRICE_DROP" };
  } else if (q.status === OracleStatus.SecondaryDeviation)
    tr = { level: p.levelDeviation, reason: "DEVIATION" };
  else if (q.status === OracleStatus.PrimaryStale) tr = { level: p.levelFeedFailure, reason: "STALE" };
  else if (q.status === OracleStatus.SequencerDown || q.status === OracleStatus.SequencerGracePeriod)
    tr = { level: p.levelFeedFailure, reason: "SEQUENCER" };
  else tr = { level: p.levelFeedFailure, reason: "FEED_FAILURE" };
  if (
    p.levelVelocity > tr.level &&
    t < sc.windowStart + p.velocityWindowSeconds &&
    sc.windowDebtWad > aa.velocityCapacityWad
  ) {
    tr = { level: p.levelVelocity, reason: "VELOCITY" };
  }
  return tr;
}

/** CircuitBreaker._evaluateSystem: the deficit, then bad debt above its share of the vault. */
export function evaluateSystem(s: LiqState, t: bigint): Trigger {
  const p = s.breaker.p;
  let tr: Trigger = { level: 0, reason: "" };
  if (s.l.deficitWad > 0n) tr = { level: p.levelDeficit, reason: "DEFICIT" };
  const b = s.breaker;
  if (p.levelBadDebt > tr.level && b.badDebtWad > 0n && t < b.badDebtStart + p.badDebtWindowSeconds) {
    const net = L.vaultNetAssets(s.l, t);
    const threshold = net > 0n ? mulDivDown(net, p.badDebtShareWad, WAD) : 0n;
    if (b.badDebtWad > threshold) tr = { level: p.levelBadDebt, reason: "BAD_DEBT" };
  }
  return tr;
}

/** What a `check(asset)` did: the trigger, and the event it emitted (LevelRaised / LevelConfirmed). */
export interface BreakerCheckResult extends Trigger {
  from: number;
  event: "LevelRaised" | "LevelConfirmed" | "none";
}

/** `check(asset)`: raises (or confirms) the asset's level to its trigger level. Never reverts. */
export function breakerCheck(s: LiqState, t: bigint, asset: string): BreakerCheckResult {
  const sc = s.breaker.assets.get(asset);
  if (sc === undefined) revert("CircuitBreaker__UnknownAsset", asset);
  const tr = evaluateAsset(s, t, asset);
  const from = sc!.level;
  if (!onTrigger(sc!, tr.level, t)) return { ...tr, from, event: "none" };
  sc!.level = tr.level;
  sc!.lastTriggeredAt = t;
  push(s, asset, tr.level);
  return { ...tr, from, event: tr.level > from ? "LevelRaised" : "LevelConfirmed" };
}

export function checkSystem(s: LiqState, t: bigint): void {
  const target = evaluateSystem(s, t).level;
  const g = s.breaker.global;
  if (onTrigger(g, target, t)) {
    g.level = target;
    g.lastTriggeredAt = t;
    push(s, ZERO, target);
  }
}

function reportLiquidation(s: LiqState, t: bigint, asset: string, debtWad: bigint): void {
  const sc = s.breaker.assets.get(asset);
  if (sc === undefined) return;
  const p = s.breaker.p;
  let wd = 0n;
  if (t >= sc.windowStart + p.velocityWindowSeconds) sc.windowStart = t;
  else wd = sc.windowDebtWad;
  wd += debtWad;
  sc.windowDebtWad = wd;
  if (wd > s.auctionAssets.get(asset)!.velocityCapacityWad) {
    const target = p.levelVelocity;
    if (onTrigger(sc, target, t)) {
      sc.level = target;
      sc.lastTriggeredAt = t;
      push(s, asset, target);
    }
  }
}

function reportBadDebt(s: LiqState, t: bigint, amountWad: bigint): void {
  const b = s.breaker;
  let total = 0n;
  if (t >= b.badDebtStart + b.p.badDebtWindowSeconds) b.badDebtStart = t;
  else total = b.badDebtWad;
  b.badDebtWad = total + amountWad;
}

/** Guardian raise (global when `asset` is ZERO). */
export function guardianRaise(s: LiqState, caller: string, asset: string, level: number): void {
  if (caller !== s.guardian) revert("CircuitBreaker__NotGuardian", caller);
  const sc = asset === ZERO ? s.breaker.global : s.breaker.assets.get(asset);
  if (sc === undefined) revert("CircuitBreaker__UnknownAsset", asset);
  if (level === 0 || level > 3) revert("CircuitBreaker__InvalidLevel", level);
  if (level < sc!.level) revert("CircuitBreaker__GuardianCannotLower", asset, sc!.level, level);
  sc!.level = level;
  sc!.floor = level;
  push(s, asset, level);
}

/** Governance set (through the timelock): any level, floor with it. */
export function governanceSet(s: LiqState, asset: string, level: number): void {
  const sc = asset === ZERO ? s.breaker.global : s.breaker.assets.get(asset)!;
  sc.level = level;
  sc.floor = level;
  push(s, asset, level);
}

/** `cooldown(asset)` / `cooldownGlobal()` (asset ZERO). */
export function breakerCooldown(s: LiqState, t: bigint, asset: string): void {
  const sc = asset === ZERO ? s.breaker.global : s.breaker.assets.get(asset)!;
  if (sc.level === 0) revert("CircuitBreaker__AlreadyNormal", asset);
  if (sc.level <= sc.floor) revert("CircuitBreaker__ManualLevel", asset, sc.level);
  const readyAt = sc.lastTriggeredAt + s.breaker.p.cooldownSeconds;
  if (t < readyAt) revert("CircuitBreaker__CooldownPending", asset, readyAt);
  const target = (asset === ZERO ? evaluateSystem(s, t) : evaluateAsset(s, t, asset)).level;
  if (target >= sc.level) revert("CircuitBreaker__ConditionActive", asset, target);
  sc.level -= 1;
  sc.lastTriggeredAt = t;
  push(s, asset, sc.level);
}

// ---------------------------------------------------------------- Clearinghouse: liquidation module

function hasCollateral(s: LiqState, acct: string): boolean {
  const a = s.l.accounts.get(acct);
  if (a === undefined) return false;
  for (const v of a.collateral.values()) if (v > 0n) return true;
  return false;
}

/** No collateral, no position (whose profit backs debt) and no auction of its collateral running
 *  (whose surplus lot would return to it): only then is an account's debt bad debt (the
 *  ledger's auction count, ADR 0014). */
function finished(s: LiqState, acct: string): boolean {
  if (hasCollateral(s, acct)) return false;
  const a = s.l.accounts.get(acct);
  if (a !== undefined && [...a.positions.values()].some((p) => p.sizeWad !== 0n)) return false;
  for (const a of s.auctions.values()) if (a.account === acct) return false;
  return true;
}

function payKeeper(s: LiqState, keeper: string, amountWad: bigint): void {
  if (amountWad === 0n) return;
  L.transferWithVault(s.l, keeper, amountWad);
}

function coverBadDebt(s: LiqState, t: bigint, acct: string, amountWad: bigint): void {
  if (amountWad === 0n) return;
  const vc = s.l.vaultCreditWad;
  const fromVault = amountWad < vc ? amountWad : vc;
  s.l.vaultCreditWad = vc - fromVault;
  const toDeficit = amountWad - fromVault;
  if (toDeficit > 0n) L.recordDeficit(s.l, toDeficit);
  s.log.push({ kind: "BadDebtCovered", account: acct, fromVaultWad: fromVault, toDeficitWad: toDeficit });
  reportBadDebt(s, t, amountWad);
  checkSystem(s, t);
}

export interface CollateralQuote {
  token: string;
  amount: bigint;
  priceWad: bigint;
  haircutWad: bigint;
  decimals: bigint;
}

export interface Snapshot {
  liquidatable: boolean;
  healthFactorWad: bigint;
  debtWad: bigint;
  positionsClosed: bigint;
  cols: CollateralQuote[];
}

export function liquidationBegin(s: LiqState, t: bigint, acct: string, keeper: string): Snapshot {
  if (acct === s.l.vault.address) revert("Clearinghouse__VaultCannotBeLiquidated");
  const indexRay = L.accrueFee(s.l, t);
  const h = L.computeHealth(s.l, acct, false, t);
  if (!h.pricesOk) revert("Clearinghouse__OracleUnhealthy", h.failingAsset);
  const a = L.account(s.l, acct);
  const cols: CollateralQuote[] = [];
  for (const { token, decimals } of s.l.collaterals) {
    const amount = a.collateral.get(token) ?? 0n;
    if (amount === 0n) continue;
    cols.push({
      token,
      amount,
      priceWad: L.oraclePrice(s.l, token).priceWad,
      haircutWad: s.l.risk.get(token)!.haircutMaintWad,
      decimals,
    });
  }
  const snap: Snapshot = {
    liquidatable: false,
    healthFactorWad: h.healthFactorWad,
    debtWad: 0n,
    positionsClosed: 0n,
    cols,
  };
  if (h.healthFactorWad >= WAD) return snap;
  // nothing to seize, close or write off while its auctions run: their ends decide (ADR 0014)
  const hasPosition = [...a.positions.values()].some((p) => p.sizeWad !== 0n);
  if (!hasPosition && !hasCollateral(s, acct) && !finished(s, acct)) return snap;
  snap.liquidatable = true;
  let penalties = 0n;
  for (const m of s.l.markets) {
    const size = a.positions.get(m)?.sizeWad ?? 0n;
    if (size === 0n) continue;
    const fill = L.modifyInternal(
      s.l,
      t,
      acct,
      m,
      -size,
      size > 0n ? 0n : L.MAX_UINT256,
      s.engine.perpPenaltyWad,
    ).fillPriceWad;
    penalties += mulWadUp(mulWadUp(size < 0n ? -size : size, fill), s.engine.perpPenaltyWad);
    snap.positionsClosed += 1n;
  }
  if (penalties > 0n) {
    // the penalty is owed only down to zero haircut equity (positions closed); the rest goes back
    const assets = h.weightedCollateralWad + a.creditWad;
    const debt = mulRayUp(a.normalizedDebt, indexRay);
    if (assets < debt) {
      const waived = minB(debt - assets, penalties);
      L.transferWithVault(s.l, acct, waived);
      s.log.push({ kind: "PerpPenaltyWaived", account: acct, waivedWad: waived });
      penalties -= waived;
    }
  }
  if (keeper !== ZERO && penalties > 0n)
    payKeeper(s, keeper, mulWadDown(penalties, s.engine.perpKeeperShareWad));
  snap.debtWad = mulRayUp(L.account(s.l, acct).normalizedDebt, indexRay);
  return snap;
}

function seize(s: LiqState, acct: string, token: string, lot: bigint, debtWad: bigint): void {
  const a = L.account(s.l, acct);
  const available = a.collateral.get(token) ?? 0n;
  if (lot > available) revert("Clearinghouse__InsufficientCollateral", acct, token, lot, available);
  const indexRay = s.l.rateIndexRay;
  const owed = mulRayUp(a.normalizedDebt, indexRay);
  if (debtWad > owed) revert("Clearinghouse__SeizeAboveDebt", acct, debtWad, owed);
  if (available === lot) a.collateral.delete(token);
  else a.collateral.set(token, available - lot);
  s.l.totalCollateral.set(token, (s.l.totalCollateral.get(token) ?? 0n) - lot);
  const removed = debtWad === owed ? a.normalizedDebt : divRayDown(debtWad, indexRay);
  a.normalizedDebt -= removed;
  s.l.totalNormalizedDebt -= removed;
  s.auctionDebtWad += debtWad;
  // the account keeps the rounding of its normalized debt; total debt vs auction debt may drift
  s.l.dustBudgetWad += 2n + indexRay / RAY;
}

function writeOff(s: LiqState, t: bigint, acct: string): bigint {
  const a = L.account(s.l, acct);
  if (hasCollateral(s, acct) || [...a.positions.values()].some((p) => p.sizeWad !== 0n)) {
    revert("Clearinghouse__NotInsolvent", acct);
  }
  // not before its auctions end: a surplus lot returns to the account
  if (!finished(s, acct)) return 0n;
  const bad = mulRayUp(a.normalizedDebt, L.accrueFee(s.l, t));
  s.l.totalNormalizedDebt -= a.normalizedDebt;
  a.normalizedDebt = 0n;
  s.l.dustBudgetWad += 2n + s.l.rateIndexRay / RAY;
  coverBadDebt(s, t, acct, bad);
  return bad;
}

// ---------------------------------------------------------------- DutchAuction

export function curvePrice(aa: AuctionAssetModel, startPriceWad: bigint, elapsed: bigint): bigint {
  if (elapsed >= aa.tauSeconds) return 0n;
  return mulDivDown(startPriceWad, aa.tauSeconds - elapsed, aa.tauSeconds);
}

export function auctionStatus(
  s: LiqState,
  a: AuctionModel,
  t: bigint,
): { needsRedo: boolean; priceWad: bigint } {
  const aa = s.auctionAssets.get(a.token)!;
  const elapsed = t - a.startTime;
  const priceWad = curvePrice(aa, a.startPriceWad, elapsed);
  const needsRedo = elapsed > aa.tailSeconds || divWadDown(priceWad, a.startPriceWad) < aa.cuspWad;
  return { needsRedo, priceWad };
}

function startPrice(s: LiqState, token: string, bufWad: bigint): { start: bigint; oracle: bigint } {
  const q = L.oraclePrice(s.l, token);
  if (!q.ok || q.priceWad === 0n) revert("DutchAuction__OracleNotOk", token);
  return { start: mulWadUp(q.priceWad, bufWad), oracle: q.priceWad };
}

function reward(aa: AuctionAssetModel, tabWad: bigint): bigint {
  return aa.tipWad + mulWadDown(tabWad, aa.chipWad);
}

function kick(
  s: LiqState,
  t: bigint,
  acct: string,
  token: string,
  lot: bigint,
  tabWad: bigint,
  debtWad: bigint,
  keeper: string,
): void {
  if (lot === 0n || tabWad === 0n) revert("DutchAuction__ZeroAmount");
  const aa = s.auctionAssets.get(token)!;
  const { start, oracle } = startPrice(s, token, aa.bufWad);
  const key = `pending:${s.pendingKicks++}`;
  s.auctions.set(key, {
    id: -1n,
    account: acct,
    token,
    lot,
    startPriceWad: start,
    startTime: t,
    tabWad,
    debtWad,
  });
  aa.tabInFlightWad += tabWad;
  s.totalTabInFlightWad += tabWad;
  let r = keeper === ZERO ? 0n : reward(aa, tabWad);
  // paid only below the penalty and when the lot is worth the tab at the oracle price
  if (r >= tabWad - debtWad || (lot * oracle) / 10n ** aa.decimals < tabWad) r = 0n;
  s.log.push({
    kind: "Kick",
    key,
    account: acct,
    token,
    lot,
    tabWad,
    debtWad,
    startPriceWad: start,
    keeper,
    rewardWad: r,
  });
  if (r > 0n) payKeeper(s, keeper, r);
}

function running(s: LiqState, key: string): AuctionModel {
  const a = s.auctions.get(key);
  if (a === undefined) revert("DutchAuction__NotRunning", key);
  return a!;
}

export interface TakeResult {
  slice: bigint;
  oweWad: bigint;
  ended: boolean;
  debtLeftWad: bigint;
  /** At an end in bad debt: the payment's penalty share that covered debt first. */
  penaltyUsedWad: bigint;
}

/** `take(id, maxAmount, maxPrice, receiver, data)` by `caller` (who pays). */
export function take(
  s: LiqState,
  t: bigint,
  caller: string,
  key: string,
  maxAmount: bigint,
  maxPriceWad: bigint,
  receiver: string,
): TakeResult {
  const a = running(s, key);
  if (maxAmount === 0n) revert("DutchAuction__ZeroAmount");
  if (receiver === ZERO || receiver === s.l.clearinghouse) revert("DutchAuction__InvalidReceiver", receiver);
  const aa = s.auctionAssets.get(a.token)!;
  const { needsRedo, priceWad } = auctionStatus(s, a, t);
  if (needsRedo) revert("DutchAuction__NeedsRedo", key);
  if (priceWad > maxPriceWad) revert("DutchAuction__PriceAboveMax", priceWad, maxPriceWad);
  const unit = 10n ** aa.decimals;
  let slice = a.lot < maxAmount ? a.lot : maxAmount;
  let owe = mulDivUp(slice, priceWad, unit);
  if (owe > a.tabWad) {
    owe = a.tabWad;
    slice = mulDivDown(owe, unit, priceWad);
  } else if (owe < a.tabWad && slice < a.lot) {
    if (a.tabWad - owe < aa.dustWad) {
      if (a.tabWad <= aa.dustWad) revert("DutchAuction__NoPartialPurchase", a.tabWad, aa.dustWad);
      owe = a.tabWad - aa.dustWad;
      slice = mulDivDown(owe, unit, priceWad);
    }
  }
  // the sink refuses a take at level 3 (global first, then the token's), from the ledger's copy
  // of the levels, after the auction's own checks
  const ledgerLevels = s.l.breakerLevels;
  if (ledgerLevels !== undefined) {
    if (ledgerLevels.global >= 3) revert("Clearinghouse__BreakerLevel", ZERO, 3);
    if ((ledgerLevels.assets.get(a.token) ?? 0) >= 3) revert("Clearinghouse__BreakerLevel", a.token, 3);
  }
  const tabLeft = a.tabWad - owe;
  const lotLeft = a.lot - slice;
  const debtCovered = tabLeft === 0n ? a.debtWad : mulDivDown(owe, a.debtWad, a.tabWad);
  const debtLeft = a.debtWad - debtCovered;
  const ends = tabLeft === 0n || lotLeft === 0n;
  const out = ends ? a.tabWad : owe;
  aa.tabInFlightWad -= out;
  s.totalTabInFlightWad -= out;
  s.log.push({
    kind: "Take",
    key,
    priceWad,
    oweWad: owe,
    slice,
    debtCoveredWad: debtCovered,
    tabLeftWad: tabLeft,
    lotLeft,
  });
  if (ends) s.auctions.delete(key);
  else {
    a.lot = lotLeft;
    a.tabWad = tabLeft;
    a.debtWad = debtLeft;
  }
  // collateral out first (the sink's custody), then the payment, burned
  if (slice > 0n) L.erc20Transfer(s.l, a.token, s.l.clearinghouse, receiver, slice);
  L.stableBurn(s.l, caller, owe);
  s.auctionDebtWad -= debtCovered;
  let incomeWad = owe - debtCovered;
  let settledDebtLeft = debtLeft;
  let used = 0n;
  if (ends && debtLeft > 0n && lotLeft === 0n && finished(s, a.account)) {
    // bad debt: the last payment covers debt before penalty (the ledger's onAuctionTake)
    used = incomeWad < debtLeft ? incomeWad : debtLeft;
    incomeWad -= used;
    settledDebtLeft -= used;
    s.auctionDebtWad -= used;
  }
  s.l.vaultCreditWad += incomeWad;
  if (ends) onAuctionEnd(s, t, key, a.account, a.token, lotLeft, settledDebtLeft, debtLeft);
  return { slice, oweWad: owe, ended: ends, debtLeftWad: ends ? debtLeft : 0n, penaltyUsedWad: used };
}

function onAuctionEnd(
  s: LiqState,
  t: bigint,
  key: string,
  acct: string,
  token: string,
  lotLeft: bigint,
  debtLeftWad: bigint,
  auctionDebtLeftWad: bigint,
): void {
  const a = L.account(s.l, acct);
  if (lotLeft > 0n) {
    a.collateral.set(token, (a.collateral.get(token) ?? 0n) + lotLeft);
    s.l.totalCollateral.set(token, (s.l.totalCollateral.get(token) ?? 0n) + lotLeft);
  }
  s.auctionDebtWad -= debtLeftWad;
  if (!finished(s, acct)) {
    // charged back to the account (credit first)
    if (debtLeftWad > 0n) L.debit(s.l, acct, debtLeftWad, L.accrueFee(s.l, t));
  } else {
    // the finished account's own debt joins the debt left; its credit pays first, the rest is
    // bad debt (no debt stays without collateral once its last auction ends)
    let owed = debtLeftWad;
    if (a.normalizedDebt !== 0n) {
      owed += mulRayUp(a.normalizedDebt, L.accrueFee(s.l, t));
      s.l.totalNormalizedDebt -= a.normalizedDebt;
      a.normalizedDebt = 0n;
      s.l.dustBudgetWad += 2n + s.l.rateIndexRay / RAY; // as writeOff
    }
    const fromCredit = owed < a.creditWad ? owed : a.creditWad;
    a.creditWad -= fromCredit;
    coverBadDebt(s, t, acct, owed - fromCredit);
  }
  s.log.push({ kind: "AuctionEnded", key, lotLeft, debtLeftWad: auctionDebtLeftWad });
}

export function redo(s: LiqState, t: bigint, key: string, keeper: string): bigint {
  const a = running(s, key);
  const aa = s.auctionAssets.get(a.token)!;
  if (!auctionStatus(s, a, t).needsRedo) revert("DutchAuction__NoRedoNeeded", key);
  const level = levelOf(s, a.token);
  if (level >= 2) revert("DutchAuction__BreakerLevel", a.token, level);
  const { start, oracle } = startPrice(s, a.token, aa.bufWad);
  a.startTime = t;
  a.startPriceWad = start;
  let r = 0n;
  if (
    keeper !== ZERO &&
    aa.dustWad > 0n &&
    a.tabWad >= aa.dustWad &&
    mulDivDown(a.lot, oracle, 10n ** aa.decimals) >= aa.dustWad
  ) {
    r = reward(aa, a.tabWad);
  }
  s.log.push({ kind: "Redo", key, startPriceWad: start, rewardWad: r });
  if (r > 0n) payKeeper(s, keeper, r);
  return r;
}

// ---------------------------------------------------------------- LiquidationEngine

interface Plan {
  acct: string;
  keeper: string;
  whole: boolean;
  debtWad: bigint;
  weightedWad: bigint;
  onePlusPenaltyWad: bigint;
  /** The window as of this block (rolled over here, written only when a seizure covers debt). */
  windowStart: bigint;
  windowUsedWad: bigint;
  windowRoomWad: bigint;
}

export interface LiquidationResult {
  healthFactorWad: bigint;
  positionsClosed: bigint;
  auctions: bigint;
  debtCoveredWad: bigint;
  writtenOffWad: bigint;
  whole: boolean;
  /** A cap cut a seizure, or an asset was skipped (paused): the target is not promised. */
  capped: boolean;
  pausedSkip: boolean;
  /** The assets a batch skipped for their level: the level that paused it and the asset's own. */
  paused: { token: string; level: number; ownLevel: number }[];
}

const valueWad = (q: CollateralQuote): bigint => mulDivDown(q.amount, q.priceWad, 10n ** q.decimals);

function requireNotPaused(s: LiqState): void {
  const g = s.breaker.global.level;
  if (g >= 2) revert("LiquidationEngine__Paused", ZERO, g);
}

export function liquidate(s: LiqState, t: bigint, acct: string, keeper: string): LiquidationResult {
  requireNotPaused(s);
  const k = keeper === acct ? ZERO : keeper; // no keeper reward to the account itself
  const snap = liquidationBegin(s, t, acct, k);
  if (!snap.liquidatable) revert("LiquidationEngine__NotLiquidatable", acct, snap.healthFactorWad);
  return liquidateInner(s, t, acct, k, snap, true);
}

/**
 * `liquidateBatch`: the accounts one by one (a failing `liquidationBegin` or a healthy account is
 * skipped; an asset its level pauses is skipped, not a revert). `seen` receives each liquidated
 * account's result (the report's counters).
 */
export function liquidateBatch(
  s: LiqState,
  t: bigint,
  accounts: string[],
  keeper: string,
  seen?: (acct: string, r: LiquidationResult) => void,
): bigint {
  if (accounts.length === 0) revert("LiquidationEngine__EmptyBatch");
  requireNotPaused(s);
  let n = 0n;
  for (const acct of accounts) {
    // the global level rose to 2 during the batch (a deficit it recorded): the batch stops
    if (s.breaker.global.level >= 2) break;
    const k = keeper === acct ? ZERO : keeper; // no keeper reward to the account itself
    // try liquidationBegin: a revert rolls back only that call
    const trial = cloneLiq(s);
    let snap: Snapshot;
    try {
      snap = liquidationBegin(trial, t, acct, k);
    } catch (e) {
      if (e instanceof ModelRevert) continue;
      throw e;
    }
    Object.assign(s, trial);
    if (!snap.liquidatable) continue;
    const r = liquidateInner(s, t, acct, k, snap, false);
    seen?.(acct, r);
    n++;
    if (r.auctions === 0n && r.debtCoveredWad === 0n && r.writtenOffWad === 0n && capsExhausted(s, t)) break;
  }
  return n;
}

function capsExhausted(s: LiqState, t: bigint): boolean {
  return (
    windowNow(s.engine, t).usedWad >= s.engine.windowCapacityWad ||
    s.totalTabInFlightWad >= s.engine.maxTabInFlightWad
  );
}

/**
 * The engine's liquidation window at `t` (`_windowNow`): one that started `windowSeconds` ago or
 * more has rolled over (starts at `t`, nothing used). Storage keeps the old one until a seizure
 * that covers debt writes the window back; the checks read the view, which rolls over the same.
 */
export function windowNow(e: EngineModel, t: bigint): { start: bigint; usedWad: bigint } {
  if (t >= e.windowStart + e.windowSeconds) return { start: t, usedWad: 0n };
  return { start: e.windowStart, usedWad: e.windowUsedWad };
}

function liquidateInner(
  s: LiqState,
  t: bigint,
  acct: string,
  keeper: string,
  snap: Snapshot,
  strict: boolean,
): LiquidationResult {
  const r: LiquidationResult = {
    healthFactorWad: snap.healthFactorWad,
    positionsClosed: snap.positionsClosed,
    auctions: 0n,
    debtCoveredWad: 0n,
    writtenOffWad: 0n,
    whole: false,
    capped: false,
    pausedSkip: false,
    paused: [],
  };
  if (snap.debtWad > 0n && snap.cols.length === 0) {
    r.writtenOffWad = writeOff(s, t, acct);
  } else if (snap.debtWad > 0n) {
    const e = s.engine;
    if (e.targetHealthWad === 0n) revert("LiquidationEngine__NotConfigured", "TARGET_HEALTH_WAD");
    if (e.penaltyWad === 0n) revert("LiquidationEngine__NotConfigured", "PENALTY_WAD");
    const p: Plan = {
      acct,
      keeper,
      whole: false,
      debtWad: snap.debtWad,
      weightedWad: 0n,
      onePlusPenaltyWad: WAD + e.penaltyWad,
      windowStart: 0n,
      windowUsedWad: 0n,
      windowRoomWad: 0n,
    };
    for (const q of snap.cols) p.weightedWad += mulWadDown(valueWad(q), WAD - q.haircutWad);
    // the window rolls over lazily: here for the plan, in storage when a seizure writes it
    const w = windowNow(e, t);
    p.windowStart = w.start;
    p.windowUsedWad = w.usedWad;
    p.windowRoomWad = e.windowCapacityWad > w.usedWad ? e.windowCapacityWad - w.usedWad : 0n;
    if (p.weightedWad < mulWadUp(p.debtWad, e.targetHealthWad)) seizeAll(s, t, snap.cols, p, strict, r);
  }
  s.log.push({
    kind: "Liquidated",
    account: acct,
    healthFactorWad: r.healthFactorWad,
    positionsClosed: r.positionsClosed,
    auctions: r.auctions,
    debtCoveredWad: r.debtCoveredWad,
    writtenOffWad: r.writtenOffWad,
    whole: r.whole,
  });
  return r;
}

function seizeAll(
  s: LiqState,
  t: bigint,
  cols: CollateralQuote[],
  p: Plan,
  strict: boolean,
  r: LiquidationResult,
): void {
  let debts = partialDebts(s, cols, p);
  if (debts.length === 0) {
    r.whole = true;
    debts = wholeDebts(cols, p.debtWad);
    p.whole = true;
  }
  // the most haircut collateral first, and stop at the first asset not taken in full (either plan)
  const order = mostHaircutFirst(cols);
  let lastCap = "";
  for (const i of order) {
    const q = cols[i];
    if (debts[i] === 0n) continue;
    const level = levelOf(s, q.token);
    if (level >= 2) {
      if (strict) revert("LiquidationEngine__Paused", q.token, level);
      r.pausedSkip = true;
      r.paused.push({ token: q.token, level, ownLevel: s.breaker.assets.get(q.token)?.level ?? 0 });
      break;
    }
    const { covered, cap } = capped(s, q.token, debts[i], p);
    if (cap !== "") {
      lastCap = cap;
      r.capped = true;
      s.log.push({
        kind: "CapHit",
        account: p.acct,
        token: q.token,
        debtWantedWad: debts[i],
        debtCoveredWad: covered,
      });
      if (covered === 0n) break;
    }
    kickOne(s, t, q, covered, debts[i], p);
    r.auctions += 1n;
    r.debtCoveredWad += covered;
    if (covered < debts[i]) break;
  }
  if (r.debtCoveredWad > 0n) {
    s.engine.windowStart = p.windowStart;
    s.engine.windowUsedWad = p.windowUsedWad + r.debtCoveredWad;
  }
  if (strict && r.auctions === 0n && r.positionsClosed === 0n && lastCap !== "") {
    revert("LiquidationEngine__CapReached", lastCap);
  }
}

function partialDebts(s: LiqState, cols: CollateralQuote[], p: Plan): bigint[] {
  const target = s.engine.targetHealthWad;
  let debtLeft = p.debtWad;
  let weightedLeft = p.weightedWad;
  if (debtLeft <= s.engine.dustDebtWad) return [];
  const debts = cols.map(() => 0n);
  for (const [i, q] of cols.entries()) {
    const a = mulWadUp(p.onePlusPenaltyWad, WAD - q.haircutWad);
    const maxDebt = divWadDown(valueWad(q), p.onePlusPenaltyWad);
    let short = mulWadUp(debtLeft, target);
    short = short > weightedLeft ? short - weightedLeft : 0n;
    if (short === 0n) return debts;
    const d = target > a ? divWadUp(short, target - a) : L.MAX_UINT256;
    if (d < maxDebt && d < debtLeft) {
      debts[i] = d;
      if (debtLeft - d <= s.engine.dustDebtWad) return [];
      return debts;
    }
    const takeWad = maxDebt < debtLeft ? maxDebt : debtLeft;
    debts[i] = takeWad;
    debtLeft -= takeWad;
    const removed = mulWadDown(takeWad, a);
    weightedLeft = removed < weightedLeft ? weightedLeft - removed : 0n;
  }
  return [];
}

function wholeDebts(cols: CollateralQuote[], debtWad: bigint): bigint[] {
  let total = 0n;
  for (const q of cols) total += valueWad(q);
  const debts: bigint[] = [];
  let assigned = 0n;
  for (const [i, q] of cols.entries()) {
    const d =
      i === cols.length - 1
        ? debtWad - assigned
        : total === 0n
          ? 0n
          : mulDivDown(debtWad, valueWad(q), total);
    debts.push(d);
    assigned += d;
  }
  return debts;
}

/** Indexes of `cols` by maintenance haircut, highest first; ties keep the listing order. */
function mostHaircutFirst(cols: CollateralQuote[]): number[] {
  return cols
    .map((q, i) => ({ h: q.haircutWad, i }))
    .sort((a, b) => (a.h === b.h ? a.i - b.i : a.h > b.h ? -1 : 1))
    .map((x) => x.i);
}

function capped(s: LiqState, token: string, want: bigint, p: Plan): { covered: bigint; cap: string } {
  let d = want;
  let cap = "";
  if (p.windowRoomWad < d) [d, cap] = [p.windowRoomWad, "WINDOW_CAPACITY_WAD"];
  const total = s.totalTabInFlightWad;
  const aa = s.auctionAssets.get(token)!;
  const gcap = s.engine.maxTabInFlightWad;
  const globalRoom = gcap > total ? divWadDown(gcap - total, p.onePlusPenaltyWad) : 0n;
  if (globalRoom < d) [d, cap] = [globalRoom, "MAX_TAB_IN_FLIGHT_WAD"];
  const assetRoom =
    aa.tabCapWad > aa.tabInFlightWad ? divWadDown(aa.tabCapWad - aa.tabInFlightWad, p.onePlusPenaltyWad) : 0n;
  if (assetRoom < d) [d, cap] = [assetRoom, "ASSET_TAB_CAP_WAD"];
  return { covered: d, cap };
}

function kickOne(
  s: LiqState,
  t: bigint,
  q: CollateralQuote,
  debtWad: bigint,
  plannedWad: bigint,
  p: Plan,
): void {
  const tab = mulWadUp(debtWad, p.onePlusPenaltyWad);
  let lot: bigint;
  if (p.whole) lot = debtWad === plannedWad ? q.amount : mulDivUp(q.amount, debtWad, plannedWad);
  else lot = minB(mulDivUp(tab, 10n ** q.decimals, q.priceWad), q.amount);
  seize(s, p.acct, q.token, lot, debtWad);
  kick(s, t, p.acct, q.token, lot, tab, debtWad, p.keeper);
  p.windowRoomWad -= debtWad;
  reportLiquidation(s, t, q.token, debtWad);
}

/** Maintenance health of `acct` now (model). */
export function maintenanceHealth(s: LiqState, acct: string, t: bigint): L.HealthModel {
  return L.computeHealth(s.l, acct, false, t);
}
