/**
 * Reference model of the BackstopVault (OpenZeppelin ERC-4626 with a decimals offset of 6, a
 * request + cooldown + claim window for withdrawals), in the contract's check order.
 */
import { WAD, mulDivDown, mulDivUp } from "../../../simulations/math/wad.js";

import {
  ModelRevert,
  borrow,
  creditOf,
  erc20Transfer,
  oraclePrice,
  repay,
  vaultMarkNow,
  vaultNetAssets,
} from "./ledger.js";
import type { LedgerState } from "./state.js";

const VIRTUAL_SHARES = 10n ** 6n;

const revert = (errorName: string, ...args: unknown[]): never => {
  throw new ModelRevert(errorName, args);
};

export function vaultTotalAssets(s: LedgerState, t: bigint): bigint {
  const net = vaultNetAssets(s, t);
  return net > 0n ? net : 0n;
}

const MAX_UINT256 = 2n ** 256n - 1n;

/**
 * The vault's `minCreditWad`: sum over markets of |skew| x price / skewCapRatio, plus the vault's
 * loss on each market's skew (marked where the skew closes), all rounded up.
 */
export function vaultMinCredit(s: LedgerState, t: bigint): bigint {
  let required = 0n;
  for (const m of s.markets) {
    const st = s.marketState.get(m);
    if (st === undefined || (st.skewWad === 0n && st.costBasisSumWad === 0n)) continue;
    if (st.skewWad !== 0n) {
      const ratio = s.marketParams.get(m)?.skewCapRatioWad ?? 0n;
      if (ratio === 0n) return MAX_UINT256;
      const skewAbs = st.skewWad < 0n ? -st.skewWad : st.skewWad;
      required += mulDivUp(mulDivUp(skewAbs, oraclePrice(s, m).priceWad, WAD), WAD, ratio);
    }
    // the ledger's mark (vaultMarkWad); a gain adds nothing
    const mark = vaultMarkNow(s, m, t);
    if (mark < 0n) required += -mark;
  }
  return required;
}

/** The credit an LP may take: the vault's credit above the deficit and `vaultMinCredit`. */
function freeCredit(s: LedgerState, t: bigint): bigint {
  const credit = creditOf(s, s.vault.address, t);
  const minCredit = vaultMinCredit(s, t);
  if (minCredit === MAX_UINT256) return 0n;
  const required = minCredit + s.deficitWad;
  return credit > required ? credit - required : 0n;
}

export function toShares(assets: bigint, totalAssets: bigint, supply: bigint, up: boolean): bigint {
  return (up ? mulDivUp : mulDivDown)(assets, supply + VIRTUAL_SHARES, totalAssets + 1n);
}

export function toAssets(shares: bigint, totalAssets: bigint, supply: bigint, up: boolean): bigint {
  return (up ? mulDivUp : mulDivDown)(shares, totalAssets + 1n, supply + VIRTUAL_SHARES);
}

export function sharesOf(s: LedgerState, holder: string): bigint {
  return s.vault.shares.get(holder) ?? 0n;
}

function lockedShares(s: LedgerState, owner: string, t: bigint): bigint {
  const r = s.vault.requests.get(owner);
  if (r === undefined || r.shares === 0n || t >= r.claimableAt + s.vault.claimWindowSeconds) return 0n;
  return r.shares;
}

function burnShares(s: LedgerState, owner: string, value: bigint, t: bigint): void {
  const balance = sharesOf(s, owner);
  const locked = lockedShares(s, owner, t);
  if (locked !== 0n) {
    const available = balance > locked ? balance - locked : 0n;
    if (value > available) revert("BackstopVault__InsufficientShares", owner, value, available);
  }
  if (balance < value) revert("ERC20InsufficientBalance", owner, balance, value);
  s.vault.shares.set(owner, balance - value);
  s.vault.totalShares -= value;
}

function openRequestShares(s: LedgerState, owner: string, t: bigint): bigint {
  const r = s.vault.requests.get(owner);
  if (r === undefined || r.shares === 0n) return revert("BackstopVault__NoRequest", owner);
  if (t < r.claimableAt) revert("BackstopVault__CooldownActive", owner, r.claimableAt);
  const expiresAt = r.claimableAt + s.vault.claimWindowSeconds;
  if (t >= expiresAt) revert("BackstopVault__RequestExpired", owner, expiresAt);
  return r.shares;
}

/** ERC-4626 deposit: returns the shares minted. */
export function vaultDeposit(
  s: LedgerState,
  t: bigint,
  caller: string,
  assets: bigint,
  receiver: string,
): bigint {
  const ta = vaultTotalAssets(s, t);
  const supply = s.vault.totalShares;
  if (!(supply === 0n || ta !== 0n)) revert("ERC4626ExceededMaxDeposit", receiver, assets, 0n);
  const shares = toShares(assets, ta, supply, false);
  if (shares === 0n) revert("BackstopVault__ZeroShares");
  erc20Transfer(s, s.stablecoin, caller, s.vault.address, assets);
  repay(s, t, s.vault.address, s.vault.address, assets);
  s.vault.shares.set(receiver, sharesOf(s, receiver) + shares);
  s.vault.totalShares += shares;
  return shares;
}

export function vaultRequestWithdraw(s: LedgerState, t: bigint, caller: string, shares: bigint): void {
  if (shares === 0n) revert("BackstopVault__ZeroShares");
  const balance = sharesOf(s, caller);
  if (shares > balance) revert("BackstopVault__InsufficientShares", caller, shares, balance);
  s.vault.requests.set(caller, { shares, claimableAt: t + s.vault.cooldownSeconds });
}

export function vaultCancelWithdraw(s: LedgerState, caller: string): void {
  const r = s.vault.requests.get(caller);
  if (r === undefined || r.shares === 0n) revert("BackstopVault__NoRequest", caller);
  s.vault.requests.delete(caller);
}

function withdrawInternal(
  s: LedgerState,
  t: bigint,
  receiver: string,
  owner: string,
  assets: bigint,
  shares: bigint,
): void {
  if (shares === 0n) revert("BackstopVault__ZeroShares");
  const r = s.vault.requests.get(owner)!;
  const remaining = r.shares - shares;
  if (remaining === 0n) s.vault.requests.delete(owner);
  else r.shares = remaining;
  burnShares(s, owner, shares, t);
  if (assets !== 0n) borrow(s, t, s.vault.address, s.vault.address, assets, receiver);
}

/** ERC-4626 redeem by the owner: returns the assets paid. */
export function vaultRedeem(
  s: LedgerState,
  t: bigint,
  owner: string,
  shares: bigint,
  receiver: string,
): bigint {
  const requested = openRequestShares(s, owner, t);
  if (shares > requested) revert("BackstopVault__ExceedsRequest", owner, requested, shares);
  const ta = vaultTotalAssets(s, t);
  const supply = s.vault.totalShares;
  const bal = sharesOf(s, owner);
  const byCredit = toShares(freeCredit(s, t), ta, supply, false);
  const maxShares = [requested, bal, byCredit].reduce((a, b) => (a < b ? a : b));
  if (shares > maxShares) revert("ERC4626ExceededMaxRedeem", owner, shares, maxShares);
  const assets = toAssets(shares, ta, supply, false);
  withdrawInternal(s, t, receiver, owner, assets, shares);
  return assets;
}

/** ERC-4626 withdraw by the owner: returns the shares burned. */
export function vaultWithdraw(
  s: LedgerState,
  t: bigint,
  owner: string,
  assets: bigint,
  receiver: string,
): bigint {
  const requested = openRequestShares(s, owner, t);
  const ta = vaultTotalAssets(s, t);
  const supply = s.vault.totalShares;
  const shares = toShares(assets, ta, supply, true);
  if (shares > requested) revert("BackstopVault__ExceedsRequest", owner, requested, shares);
  const bal = sharesOf(s, owner);
  const byShares = toAssets(requested < bal ? requested : bal, ta, supply, false);
  const credit = freeCredit(s, t);
  const maxAssets = byShares < credit ? byShares : credit;
  if (assets > maxAssets) revert("ERC4626ExceededMaxWithdraw", owner, assets, maxAssets);
  withdrawInternal(s, t, receiver, owner, assets, shares);
  return shares;
}

/** The vault's `maxRedeem(owner)` (0 outside the claim window). */
export function vaultMaxRedeem(s: LedgerState, t: bigint, owner: string): bigint {
  const r = s.vault.requests.get(owner);
  if (r === undefined || r.shares === 0n || t < r.claimableAt) return 0n;
  if (t >= r.claimableAt + s.vault.claimWindowSeconds) return 0n;
  const bal = sharesOf(s, owner);
  const shares = r.shares < bal ? r.shares : bal;
  const byCredit = toShares(freeCredit(s, t), vaultTotalAssets(s, t), s.vault.totalShares, false);
  return shares < byCredit ? shares : byCredit;
}
