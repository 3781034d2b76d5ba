/**
 * The real side of the model-based tests: the ledger deployed by test/helpers/ledger.ts (real
 * Clearinghouse, Stablecoin and BackstopVault; mock oracle and margin model, so prices, oracle
 * failures and risk levels move directly), a snapshot to restore before each sequence, raw
 * JSON-RPC reads (about four times faster than contract calls) and transactions that are always
 * mined at a timestamp the model chose, so a revert happens at a known time too.
 */
import { Interface, type ErrorDescription, type Fragment, type Result } from "ethers";

import { WAD } from "../../../simulations/math/wad.js";
import { DEFAULT_RISK, ZERO, b32, deployLedger, type Ledger } from "../../helpers/ledger.js";
import { emptyAccount, type LedgerState, type RiskLevels } from "./state.js";

/** Stability fee used by the suite: 5e18 RAY per second (about 17% a year), so rounding shows. */
export const STABILITY_FEE_PER_SECOND_RAY = 5n * 10n ** 18n;
export const VAULT_SEED_WAD = 100_000n * WAD;
const GAS_LIMIT = "0x4c4b40"; // 5,000,000

export interface Actor {
  name: string;
  address: string;
}

interface EthProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface PropertySystem {
  ledger: Ledger;
  provider: EthProvider;
  actors: Actor[];
  /** Addresses by role. */
  addr: {
    ch: string;
    stablecoin: string;
    vault: string;
    oracle: string;
    margin: string;
    weth: string;
    wbtc: string;
  };
  ifaces: {
    ch: Interface;
    erc20: Interface;
    vault: Interface;
    oracle: Interface;
    margin: Interface;
  };
  /** Every custom error the system can raise, for decoding reverts. */
  errors: Interface;
  initialState: LedgerState;
  snapshotId: string;
  /** Batched reader (test/property/LedgerReader.sol). */
  reader: string;
  readerIface: Interface;
}

export type TxOutcome =
  | { ok: true }
  | { ok: false; errorName: string; args: Result | undefined; raw: string };

/** Deploys the ledger, funds the vault, sets the suite's parameters and snapshots the chain. */
export async function deployPropertySystem(): Promise<PropertySystem> {
  const l = await deployLedger();
  const provider = l.connection.provider as unknown as EthProvider;
  const vaultAddr = await l.vault.getAddress();
  const stableAddr = await l.stablecoin.getAddress();
  const reader = await l.ethers.deployContract("LedgerReader");

  // an open-interest cap and a skew cap that actors can reach; fee rate last (index stays 1 RAY)
  await l.setParam("MAX_OPEN_INTEREST_WAD", l.wethAddr, 400n * WAD);
  await l.setParam("DEPOSIT_CAP", l.wethAddr, 5_000n * WAD);
  await l.setParam("DEBT_CEILING_WAD", ZERO, 1_000_000n * WAD);
  await l.setParam("SKEW_CAP_RATIO_WAD", l.wethAddr, 5n * WAD);
  await l.seedVault(VAULT_SEED_WAD);
  // two accounts start with collateral and debt, so short sequences reach the interesting states
  await l.ch.connect(l.alice).deposit(l.alice.address, l.wethAddr, 100n * WAD);
  await l.ch.connect(l.alice).borrow(l.alice.address, 50_000n * WAD, l.alice.address);
  await l.ch.connect(l.bob).deposit(l.bob.address, l.wbtcAddr, 2n * 10n ** 8n);
  await l.ch.connect(l.bob).borrow(l.bob.address, 20_000n * WAD, l.bob.address);
  for (const s of [l.alice, l.bob, l.carol, l.lp]) {
    await l.stablecoin.connect(s).approve(vaultAddr, 2n ** 256n - 1n);
  }
  await l.setParam("STABILITY_FEE_PER_SECOND_RAY", ZERO, STABILITY_FEE_PER_SECOND_RAY);

  const actors: Actor[] = [
    { name: "alice", address: l.alice.address },
    { name: "bob", address: l.bob.address },
    { name: "carol", address: l.carol.address },
    { name: "lp", address: l.lp.address },
  ];
  const ifaces = {
    ch: l.ch.interface as unknown as Interface,
    erc20: l.weth.interface as unknown as Interface,
    vault: l.vault.interface as unknown as Interface,
    oracle: l.oracle.interface as unknown as Interface,
    margin: l.margin.interface as unknown as Interface,
  };
  const seen = new Set<string>();
  const errorFragments: Fragment[] = [];
  for (const iface of [
    ifaces.ch,
    ifaces.erc20,
    ifaces.vault,
    l.stablecoin.interface as unknown as Interface,
  ]) {
    iface.forEachError((e) => {
      if (!seen.has(e.selector)) {
        seen.add(e.selector);
        errorFragments.push(e);
      }
    });
  }
  const sys: PropertySystem = {
    ledger: l,
    provider,
    actors,
    addr: {
      ch: l.chAddr,
      stablecoin: stableAddr,
      vault: vaultAddr,
      oracle: await l.oracle.getAddress(),
      margin: await l.margin.getAddress(),
      weth: l.wethAddr,
      wbtc: l.wbtcAddr,
    },
    ifaces,
    errors: new Interface(errorFragments),
    initialState: undefined as unknown as LedgerState,
    snapshotId: "",
    reader: "",
    readerIface: new Interface([]),
  };
  sys.reader = await reader.getAddress();
  sys.readerIface = reader.interface as unknown as Interface;
  sys.initialState = await readInitialState(sys);
  sys.snapshotId = (await provider.request({ method: "evm_snapshot" })) as string;
  return sys;
}

/** Restores the deployment snapshot (and takes a fresh one, as evm_revert consumes it). */
export async function restore(sys: PropertySystem): Promise<void> {
  const ok = await sys.provider.request({ method: "evm_revert", params: [sys.snapshotId] });
  if (ok !== true) throw new Error("evm_revert failed");
  sys.snapshotId = (await sys.provider.request({ method: "evm_snapshot" })) as string;
}

/** eth_call at the latest block, decoded. */
export async function read(
  sys: PropertySystem,
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[] = [],
): Promise<Result> {
  const data = iface.encodeFunctionData(fn, args);
  const out = (await sys.provider.request({
    method: "eth_call",
    params: [{ to, data }, "latest"],
  })) as string;
  return iface.decodeFunctionResult(fn, out);
}

export async function readBig(
  sys: PropertySystem,
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[] = [],
): Promise<bigint> {
  return (await read(sys, iface, to, fn, args))[0] as bigint;
}

export interface ReadCall {
  to: string;
  data: string;
}

/** Encodes a batch for `multiRead` once (the checks read the same views every time). */
export function encodeBatch(sys: PropertySystem, calls: readonly ReadCall[]): string {
  return sys.readerIface.encodeFunctionData("aggregate", [calls.map((c) => c.to), calls.map((c) => c.data)]);
}

/**
 * One eth_call for a whole batch: the latest block's timestamp and each call's return data as
 * hex without 0x (undefined when that call reverted).
 */
export async function multiRead(
  sys: PropertySystem,
  batch: string,
  count: number,
): Promise<{ timestamp: bigint; results: (string | undefined)[] }> {
  const out = (await sys.provider.request({
    method: "eth_call",
    params: [{ to: sys.reader, data: batch }, "latest"],
  })) as string;
  // ABI `bytes`: offset word, length word, then the packed payload
  const hex = out.slice(2);
  const len = Number(BigInt(`0x${hex.slice(64, 128)}`));
  const body = hex.slice(128, 128 + 2 * len);
  const timestamp = BigInt(`0x${body.slice(0, 64)}`);
  const results: (string | undefined)[] = [];
  let at = 64;
  for (let i = 0; i < count; i++) {
    const n = BigInt(`0x${body.slice(at, at + 64)}`);
    at += 64;
    if (n === (1n << 256n) - 1n) {
      results.push(undefined);
      continue;
    }
    results.push(body.slice(at, at + 2 * Number(n)));
    at += 2 * Number(n);
  }
  return { timestamp, results };
}

/** Word `i` of ABI return data (hex without 0x), unsigned. */
export function word(hex: string, i: number): bigint {
  return BigInt(`0x${hex.slice(64 * i, 64 * i + 64)}`);
}

/** Word `i` of ABI return data, signed. */
export function sword(hex: string, i: number): bigint {
  return BigInt.asIntN(256, word(hex, i));
}

export async function latestTimestamp(sys: PropertySystem): Promise<bigint> {
  const b = (await sys.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    timestamp: string;
  };
  return BigInt(b.timestamp);
}

/** Mines an empty block at `timestamp`. */
export async function mineAt(sys: PropertySystem, timestamp: bigint): Promise<void> {
  await sys.provider.request({ method: "evm_mine", params: [Number(timestamp)] });
}

function revertData(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur !== null && typeof cur === "object"; i++) {
    const o = cur as Record<string, unknown>;
    if (typeof o.data === "string" && o.data.startsWith("0x")) return o.data;
    if (o.data !== null && typeof o.data === "object") {
      const d = (o.data as Record<string, unknown>).data;
      if (typeof d === "string" && d.startsWith("0x")) return d;
    }
    cur = o.error ?? o.info ?? o.cause;
  }
  return undefined;
}

/**
 * Sends `fn(args)` from `from` in a block mined at `timestamp` (an explicit gas limit skips gas
 * estimation, so a reverting transaction is mined too). Returns the decoded custom error on revert.
 */
export async function send(
  sys: PropertySystem,
  timestamp: bigint,
  from: string,
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[],
): Promise<TxOutcome> {
  await sys.provider.request({ method: "evm_setNextBlockTimestamp", params: [Number(timestamp)] });
  const data = iface.encodeFunctionData(fn, args);
  try {
    await sys.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to, data, gas: GAS_LIMIT }],
    });
    return { ok: true };
  } catch (e) {
    const raw = revertData(e);
    if (raw === undefined) {
      return {
        ok: false,
        errorName: `<no revert data: ${String((e as Error).message).slice(0, 200)}>`,
        args: undefined,
        raw: "",
      };
    }
    let desc: ErrorDescription | null = null;
    try {
      desc = sys.errors.parseError(raw);
    } catch {
      desc = null;
    }
    if (desc === null)
      return { ok: false, errorName: `<undecoded ${raw.slice(0, 10)}>`, args: undefined, raw };
    return { ok: false, errorName: desc.name, args: desc.args, raw };
  }
}

/** Reads the state after deployment into the model (the fee index is exactly 1 RAY here). */
async function readInitialState(sys: PropertySystem): Promise<LedgerState> {
  const { ch: chI, erc20, vault: vI } = sys.ifaces;
  const a = sys.addr;
  const now = await latestTimestamp(sys);
  const param = (name: string, subject: string): Promise<bigint> =>
    readBig(sys, chI, a.ch, "getParam", [b32(name), subject]);
  const rateIndexRay = await readBig(sys, chI, a.ch, "rateIndexRay");
  if (rateIndexRay !== 10n ** 27n) throw new Error("setup: the fee index moved before the snapshot");
  const s: LedgerState = {
    now,
    clearinghouse: a.ch,
    stablecoin: a.stablecoin,
    collaterals: [
      { token: a.weth, decimals: 18n },
      { token: a.wbtc, decimals: 8n },
    ],
    markets: [a.weth],
    rateIndexRay,
    lastAccrual: now,
    stabilityFeePerSecondRay: await param("STABILITY_FEE_PER_SECOND_RAY", ZERO),
    totalNormalizedDebt: await readBig(sys, chI, a.ch, "totalDebtWad"),
    vaultCreditWad: await readBig(sys, chI, a.ch, "creditOf", [a.vault]),
    deficitWad: await readBig(sys, chI, a.ch, "deficitWad"),
    debtCeilingWad: await param("DEBT_CEILING_WAD", ZERO),
    minDebtWad: await param("MIN_DEBT_WAD", ZERO),
    depositCap: new Map([
      [a.weth, await param("DEPOSIT_CAP", a.weth)],
      [a.wbtc, await param("DEPOSIT_CAP", a.wbtc)],
    ]),
    totalCollateral: new Map(),
    marketParams: new Map([
      [
        a.weth,
        {
          skewScaleWad: await param("SKEW_SCALE_WAD", a.weth),
          maxFundingVelocityWad: await param("MAX_FUNDING_VELOCITY_WAD", a.weth),
          takerFeeWad: await param("TAKER_FEE_WAD", a.weth),
          maxOpenInterestWad: await param("MAX_OPEN_INTEREST_WAD", a.weth),
          skewCapRatioWad: await param("SKEW_CAP_RATIO_WAD", a.weth),
        },
      ],
    ]),
    marketState: new Map(),
    accounts: new Map(),
    operators: new Map(),
    oracle: new Map([
      [a.weth, { priceWad: 2_000n * WAD, ok: true }],
      [a.wbtc, { priceWad: 40_000n * WAD, ok: true }],
    ]),
    risk: new Map<string, RiskLevels>([
      [a.weth, { ...DEFAULT_RISK }],
      [a.wbtc, { ...DEFAULT_RISK }],
    ]),
    balances: new Map(),
    stablecoinSupply: await readBig(sys, erc20, a.stablecoin, "totalSupply"),
    vault: {
      address: a.vault,
      totalShares: await readBig(sys, vI, a.vault, "totalSupply"),
      shares: new Map(),
      requests: new Map(),
      cooldownSeconds: await readBig(sys, vI, a.vault, "cooldownSeconds"),
      claimWindowSeconds: await readBig(sys, vI, a.vault, "claimWindowSeconds"),
    },
    dustBudgetWad: 0n,
  };
  for (const token of [a.weth, a.wbtc]) {
    s.totalCollateral.set(token, await readBig(sys, chI, a.ch, "totalCollateral", [token]));
    const m = new Map<string, bigint>();
    for (const holder of [...sys.actors.map((x) => x.address), a.ch]) {
      m.set(holder, await readBig(sys, erc20, token, "balanceOf", [holder]));
    }
    s.balances.set(token, m);
  }
  const stable = new Map<string, bigint>();
  for (const holder of [...sys.actors.map((x) => x.address), a.vault]) {
    stable.set(holder, await readBig(sys, erc20, a.stablecoin, "balanceOf", [holder]));
  }
  s.balances.set(a.stablecoin, stable);
  for (const { address } of sys.actors) {
    const acct = emptyAccount();
    acct.normalizedDebt = await readBig(sys, chI, a.ch, "debtOf", [address]);
    acct.creditWad = await readBig(sys, chI, a.ch, "creditOf", [address]);
    for (const token of [a.weth, a.wbtc]) {
      const c = await readBig(sys, chI, a.ch, "collateralOf", [address, token]);
      if (c > 0n) acct.collateral.set(token, c);
    }
    s.accounts.set(address, acct);
    const sh = await readBig(sys, vI, a.vault, "balanceOf", [address]);
    if (sh > 0n) s.vault.shares.set(address, sh);
  }
  const ms = await read(sys, chI, a.ch, "marketState", [a.weth]);
  const st = ms[0] as Result;
  s.marketState.set(a.weth, {
    skewWad: st.skewWad as bigint,
    longOpenInterestWad: st.longOpenInterestWad as bigint,
    shortOpenInterestWad: st.shortOpenInterestWad as bigint,
    openNotionalSumWad: st.openNotionalSumWad as bigint,
    fundingSnapshotSumWad: st.fundingSnapshotSumWad as bigint,
    fundingRateWad: st.fundingRateWad as bigint,
    fundingIndexWad: st.fundingIndexWad as bigint,
    lastFundingTime: now,
  });
  // the debt was borrowed at index 1 RAY: normalized debt == debt
  return s;
}
