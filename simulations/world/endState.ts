/**
 * The accounts below health 1 at the end of a run, split as the ledger treats them (ADR 0014):
 *
 * - **liquidatable**: health below 1 and not holding nothing but running auctions; the account
 *   rule of `AccountLens.liquidatable` (which the laboratory applies without the lens's global
 *   pause, breaker level 2, for which these accounts wait, and without its price check);
 * - **awaiting their auctions**: health below 1, no collateral balance (not even a dust one worth
 *   0 after its haircut), no open position and `Clearinghouse.auctionsOf(account)` > 0
 *   (`AccountLens.onlyAuctions`, the ledger's own bitmap rule). The ledger refuses to liquidate
 *   such an account (`liquidationBegin`; a batch skips it): nothing is left to seize or close, and
 *   the end of its last auction books what it still owes.
 *
 * Read exactly (one batched lens call per `LENS_CHUNK` accounts, `AccountLens.onlyAuctions` only
 * for the accounts that could be awaiting: below 1 with no weighted collateral and no
 * requirement) after the last step, not from the tracker's estimates; the tabs of the running
 * auctions come from the observer, which follows every Kick, Take, Redo and end.
 */
import type { AwaitingAuctions, EndAccounts, EndState } from "../metrics/types.js";
import type { Chain } from "./chain.js";
import type { World } from "./deploy.js";
import type { Observer } from "./observer.js";
import { LENS_CHUNK, addressWord, decodeHealths, healthOfCalldata, type LensHealth } from "./tracker.js";
import { wadToNumber } from "./units.js";

const WAD = 10n ** 18n;

/** One account as read at the end. */
export interface EndAccountReading {
  health: LensHealth;
  /**
   * `AccountLens.onlyAuctions`: no collateral balance, no position, an auction running (false
   * when not read: the account's weighted collateral or requirement shows it holds something).
   */
  onlyAuctions: boolean;
  /** Tab left of the account's running auctions, USD. */
  tabUsd: number;
}

/**
 * Whether the account could be one holding nothing but running auctions: no weighted collateral
 * and no position requirement. Necessary, not sufficient (a dust balance can be worth 0 after its
 * haircut): `AccountLens.onlyAuctions` decides, read only for these.
 */
export function mayHoldOnlyAuctions(h: LensHealth): boolean {
  return h.weightedCollateralWad === 0n && h.requirementWad === 0n;
}

/** Debt plus negative PnL, USD (the step metrics' `liquidatableDebtUsd` measure). */
function debtUsdOf(h: LensHealth): number {
  return wadToNumber(h.debtWad) + (h.pnlWad < 0n ? wadToNumber(-h.pnlWad) : 0);
}

/** Splits the accounts below health 1 into those the ledger would liquidate and those awaiting. */
export function classifyEndAccounts(readings: readonly EndAccountReading[]): EndState {
  const liquidatable: EndAccounts = { accounts: 0, debtUsd: 0 };
  const awaitingAuctions: AwaitingAuctions = { accounts: 0, debtUsd: 0, tabUsd: 0 };
  for (const r of readings) {
    if (r.health.healthFactorWad >= WAD) continue;
    if (r.onlyAuctions) {
      awaitingAuctions.accounts++;
      awaitingAuctions.debtUsd += debtUsdOf(r.health);
      awaitingAuctions.tabUsd += r.tabUsd;
    } else {
      liquidatable.accounts++;
      liquidatable.debtUsd += debtUsdOf(r.health);
    }
  }
  return { liquidatable, awaitingAuctions };
}

/** Reads every account exactly at the chain's current state and classifies them. */
export async function readEndState(
  world: World,
  chain: Chain,
  observer: Observer,
  accounts: readonly string[],
): Promise<EndState> {
  const tabs = new Map<string, bigint>();
  for (const a of observer.auctions.values()) {
    const key = a.account.toLowerCase();
    tabs.set(key, (tabs.get(key) ?? 0n) + a.tabWad);
  }
  const lens = world.sys.lens.interface;
  const lensAddr = world.sys.addresses.accountLens;
  const readings: EndAccountReading[] = [];
  for (let start = 0; start < accounts.length; start += LENS_CHUNK) {
    const chunk = accounts.slice(start, start + LENS_CHUNK);
    const raw = await chain.call(lensAddr, healthOfCalldata(chunk.map(addressWord)));
    const healths = decodeHealths(raw, chunk.length);
    const candidates = chunk.filter(
      (_, k) => healths[k].healthFactorWad < WAD && mayHoldOnlyAuctions(healths[k]),
    );
    const awaiting = new Set<string>();
    if (candidates.length > 0) {
      const out = await chain.call(lensAddr, lens.encodeFunctionData("onlyAuctions", [candidates]));
      const [flags] = lens.decodeFunctionResult("onlyAuctions", out) as unknown as [boolean[]];
      for (const [k, a] of candidates.entries()) if (flags[k]) awaiting.add(a);
    }
    for (const [k, health] of healths.entries()) {
      const account = chunk[k];
      readings.push({
        health,
        onlyAuctions: awaiting.has(account),
        tabUsd: wadToNumber(tabs.get(account.toLowerCase()) ?? 0n),
      });
    }
  }
  return classifyEndAccounts(readings);
}
