/**
 * The real side of the liquidation suites: the whole system deployed by `deploySystem` (through
 * test/helpers/system.ts `deployLab`: real OracleRouter on Chainlink mock feeds, MarginModel,
 * Clearinghouse, vault, LiquidationEngine, DutchAuction, CircuitBreaker, timelock), a few funded
 * actors, a `MockAuctionTaker` (flash-take callback receiver), a snapshot to restore before each
 * sequence, and transactions mined at a timestamp the model chose, returning their decoded logs.
 *
 * The stability fee is switched on (by the guardian, through the RiskConfig) only at the end of
 * the setup, so the fee index is exactly 1 RAY when the model reads the initial state.
 */
import { Interface, type Fragment, type LogDescription, type Result } from "ethers";

import { WAD } from "../../../simulations/math/wad.js";
import { b32 } from "../../../scripts/deploy/system.js";
import type { DeployParams } from "../../../scripts/deploy/params.js";
import { deployLab } from "../../helpers/system.js";
import type { LiqState, FeedModel, AuctionAssetModel, BreakerScope } from "./liquidation.js";
import { ZERO, syncOracle } from "./liquidation.js";
import { emptyAccount, type LedgerState, type RiskLevels } from "./state.js";

export const STABILITY_FEE_PER_SECOND_RAY = 5n * 10n ** 18n;
const GAS_LIMIT = "0x989680"; // 10,000,000

interface EthProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface Actor {
  name: string;
  address: string;
}

export type Lab = Awaited<ReturnType<typeof deployLab>>;

export interface LiqSystem {
  lab: Lab;
  provider: EthProvider;
  /** Accounts the model tracks (borrowers, keeper, bidder, lp, deployer). */
  accounts: Actor[];
  borrowers: Actor[];
  keeper: string;
  bidder: string;
  guardian: string;
  taker: string;
  addr: {
    ch: string;
    stablecoin: string;
    vault: string;
    oracle: string;
    engine: string;
    auction: string;
    breaker: string;
    timelock: string;
    weth: string;
    wbtc: string;
    wethFeed: string;
    wbtcFeed: string;
    reader: string;
  };
  iface: {
    ch: Interface;
    engine: Interface;
    auction: Interface;
    breaker: Interface;
    oracle: Interface;
    feed: Interface;
    erc20: Interface;
    taker: Interface;
    reader: Interface;
    timelock: Interface;
  };
  errors: Interface;
  events: Interface;
  initial: LiqState;
  snapshotId: string;
}

export type TxResult =
  | { ok: true; logs: LogDescription[]; hash: string }
  | { ok: false; errorName: string; args: Result | undefined };

/** Options of the fixture: deploy-parameter changes (caps, breaker) and the actors' starting books. */
export interface LiqSystemOptions {
  mutate?: (p: DeployParams) => void;
  /** Starting positions (deposit, borrow) of the borrowers; default: near their limits. */
  start?: "default" | "empty";
  vaultUsd?: string;
}

export async function deployLiqSystem(opts: LiqSystemOptions = {}): Promise<LiqSystem> {
  const lab = await deployLab((p) => {
    p.global.stabilityFeeApr = "0";
    opts.mutate?.(p);
  });
  const { ethers, sys, ch, chAddr, weth, wbtc, alice, bob, carol, keeper, bidder, lp, deployer } = lab;
  const provider = lab.connection.provider as unknown as EthProvider;
  const reader = await ethers.deployContract("LedgerReader");
  const takerC = await ethers.deployContract("MockAuctionTaker", [
    lab.auctionAddr,
    await sys.stablecoin.getAddress(),
  ]);
  const takerAddr = await takerC.getAddress();

  await lab.fundVault(opts.vaultUsd ?? "200000");
  await lab.fundBidder("1000000");
  await (await sys.stablecoin.connect(bidder).transfer(takerAddr, 300_000n * WAD)).wait();
  for (const who of [alice, bob, carol]) {
    await (await weth.token.mint(who.address, 200n * WAD)).wait();
    await (await wbtc.token.mint(who.address, 5n * 10n ** 8n)).wait();
    await (await weth.token.connect(who).approve(chAddr, ethers.MaxUint256)).wait();
    await (await wbtc.token.connect(who).approve(chAddr, ethers.MaxUint256)).wait();
  }
  if ((opts.start ?? "default") === "default") {
    await (await ch.connect(alice).deposit(alice.address, weth.address, 50n * WAD)).wait();
    await (await ch.connect(alice).borrow(alice.address, 60_000n * WAD, alice.address)).wait();
    await (await ch.connect(bob).deposit(bob.address, wbtc.address, 2n * 10n ** 8n)).wait();
    await (await ch.connect(bob).borrow(bob.address, 50_000n * WAD, bob.address)).wait();
    await (await ch.connect(carol).deposit(carol.address, weth.address, 20n * WAD)).wait();
    await (await ch.connect(carol).deposit(carol.address, wbtc.address, 1n * 10n ** 8n)).wait();
    await (await ch.connect(carol).borrow(carol.address, 40_000n * WAD, carol.address)).wait();
  }
  // the fee goes on last (the guardian may raise it at once: higher is safer), at index 1 RAY
  await (
    await sys.riskConfig
      .connect(deployer)
      .setParam(chAddr, b32("STABILITY_FEE_PER_SECOND_RAY"), ZERO, STABILITY_FEE_PER_SECOND_RAY)
  ).wait();

  const iface = {
    ch: ch.interface as unknown as Interface,
    engine: sys.engine.interface as unknown as Interface,
    auction: sys.auction.interface as unknown as Interface,
    breaker: sys.breaker.interface as unknown as Interface,
    oracle: sys.oracle.interface as unknown as Interface,
    feed: weth.feed!.interface as unknown as Interface,
    erc20: weth.token.interface as unknown as Interface,
    taker: takerC.interface as unknown as Interface,
    reader: reader.interface as unknown as Interface,
    timelock: sys.timelock.interface as unknown as Interface,
  };
  const seen = new Set<string>();
  const errs: Fragment[] = [];
  const evs: Fragment[] = [];
  const seenEv = new Set<string>();
  for (const i of [
    iface.ch,
    iface.engine,
    iface.auction,
    iface.breaker,
    iface.oracle,
    iface.erc20,
    iface.taker,
    iface.timelock,
    sys.stablecoin.interface as unknown as Interface,
    sys.riskConfig.interface as unknown as Interface,
  ]) {
    i.forEachError((e) => {
      if (!seen.has(e.selector)) {
        seen.add(e.selector);
        errs.push(e);
      }
    });
  }
  for (const i of [iface.ch, iface.engine, iface.auction, iface.breaker]) {
    i.forEachEvent((e) => {
      if (!seenEv.has(e.topicHash)) {
        seenEv.add(e.topicHash);
        evs.push(e);
      }
    });
  }
  const accounts: Actor[] = [
    { name: "alice", address: alice.address },
    { name: "bob", address: bob.address },
    { name: "carol", address: carol.address },
    { name: "keeper", address: keeper.address },
    { name: "bidder", address: bidder.address },
    { name: "lp", address: lp.address },
    { name: "deployer", address: deployer.address },
  ];
  const ls: LiqSystem = {
    lab,
    provider,
    accounts,
    borrowers: accounts.slice(0, 3),
    keeper: keeper.address,
    bidder: bidder.address,
    guardian: sys.guardian,
    taker: takerAddr,
    addr: {
      ch: chAddr,
      stablecoin: await sys.stablecoin.getAddress(),
      vault: await sys.vault.getAddress(),
      oracle: await sys.oracle.getAddress(),
      engine: await sys.engine.getAddress(),
      auction: lab.auctionAddr,
      breaker: await sys.breaker.getAddress(),
      timelock: await sys.timelock.getAddress(),
      weth: weth.address,
      wbtc: wbtc.address,
      wethFeed: weth.feedAddress,
      wbtcFeed: wbtc.feedAddress,
      reader: await reader.getAddress(),
    },
    iface,
    errors: new Interface(errs),
    events: new Interface(evs),
    initial: undefined as unknown as LiqState,
    snapshotId: "",
  };
  ls.initial = await readInitial(ls);
  ls.snapshotId = (await provider.request({ method: "evm_snapshot" })) as string;
  return ls;
}

export async function restoreLiq(sys: LiqSystem): Promise<void> {
  const ok = await sys.provider.request({ method: "evm_revert", params: [sys.snapshotId] });
  if (ok !== true) throw new Error("evm_revert failed");
  sys.snapshotId = (await sys.provider.request({ method: "evm_snapshot" })) as string;
}

export async function call(
  sys: LiqSystem,
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

export async function callBig(
  sys: LiqSystem,
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[] = [],
): Promise<bigint> {
  return (await call(sys, iface, to, fn, args))[0] as bigint;
}

/** One eth_call for many views: each result's hex (no 0x), undefined when it reverted. */
export async function multiCall(
  sys: LiqSystem,
  calls: readonly { to: string; data: string }[],
): Promise<{ timestamp: bigint; results: (string | undefined)[] }> {
  const batch = sys.iface.reader.encodeFunctionData("aggregate", [
    calls.map((c) => c.to),
    calls.map((c) => c.data),
  ]);
  const out = (await sys.provider.request({
    method: "eth_call",
    params: [{ to: sys.addr.reader, data: batch }, "latest"],
  })) as string;
  const hex = out.slice(2);
  const len = Number(BigInt(`0x${hex.slice(64, 128)}`));
  const body = hex.slice(128, 128 + 2 * len);
  const timestamp = BigInt(`0x${body.slice(0, 64)}`);
  const results: (string | undefined)[] = [];
  let at = 64;
  for (let i = 0; i < calls.length; i++) {
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

export function word(hex: string, i: number): bigint {
  return BigInt(`0x${hex.slice(64 * i, 64 * i + 64)}`);
}

export function sword(hex: string, i: number): bigint {
  return BigInt.asIntN(256, word(hex, i));
}

export function addrWord(hex: string, i: number): string {
  return `0x${hex.slice(64 * i + 24, 64 * i + 64)}`;
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

/** Sends `fn(args)` from `from` in a block mined at `timestamp`; returns the decoded logs or the custom error. */
export async function sendAt(
  sys: LiqSystem,
  timestamp: bigint,
  from: string,
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[],
): Promise<TxResult> {
  await sys.provider.request({ method: "evm_setNextBlockTimestamp", params: [Number(timestamp)] });
  const data = iface.encodeFunctionData(fn, args);
  let hash: string;
  try {
    hash = (await sys.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to, data, gas: GAS_LIMIT }],
    })) as string;
  } catch (e) {
    const raw = revertData(e);
    if (raw === undefined) {
      return {
        ok: false,
        errorName: `<no revert data: ${String((e as Error).message).slice(0, 300)}>`,
        args: undefined,
      };
    }
    if (raw === "0x") return { ok: false, errorName: "<empty revert>", args: undefined };
    try {
      const d = sys.errors.parseError(raw);
      if (d !== null) return { ok: false, errorName: d.name, args: d.args };
    } catch {
      // fall through
    }
    return { ok: false, errorName: `<undecoded ${raw.slice(0, 10)}>`, args: undefined };
  }
  const receipt = (await sys.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
    logs: { address: string; topics: string[]; data: string }[];
  };
  const logs: LogDescription[] = [];
  for (const log of receipt.logs) {
    try {
      const d = sys.events.parseLog({ topics: log.topics, data: log.data });
      if (d !== null) logs.push(d);
    } catch {
      // an event of another contract (tokens, oracle): not compared
    }
  }
  return { ok: true, logs, hash };
}

export async function latestTimestamp(sys: LiqSystem): Promise<bigint> {
  const b = (await sys.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    timestamp: string;
  };
  return BigInt(b.timestamp);
}

export async function mineAt(sys: LiqSystem, timestamp: bigint): Promise<void> {
  await sys.provider.request({ method: "evm_mine", params: [Number(timestamp)] });
}

// ---------------------------------------------------------------- initial state

async function readInitial(sys: LiqSystem): Promise<LiqState> {
  const { ch: chI, erc20, engine: eI, auction: aI, breaker: bI, oracle: oI, feed: fI } = sys.iface;
  const a = sys.addr;
  const now = await latestTimestamp(sys);
  const big = (i: Interface, to: string, fn: string, args: readonly unknown[] = []) =>
    callBig(sys, i, to, fn, args);
  const chParam = (name: string, subject: string) => big(chI, a.ch, "getParam", [b32(name), subject]);
  if ((await big(chI, a.ch, "rateIndexRay")) !== 10n ** 27n) throw new Error("setup: the fee index moved");
  const tokens = [a.weth, a.wbtc];
  const feeds = [a.wethFeed, a.wbtcFeed];
  const risk = new Map<string, RiskLevels>();
  for (const tk of tokens) {
    const r = (
      await call(
        sys,
        sys.lab.sys.marginModel.interface as unknown as Interface,
        await sys.lab.sys.marginModel.getAddress(),
        "riskOf",
        [tk],
      )
    )[0] as Result;
    risk.set(tk, {
      haircutMaintWad: r.haircutMaintWad as bigint,
      haircutInitWad: r.haircutInitWad as bigint,
      marginRatioMaintWad: r.marginRatioMaintWad as bigint,
      marginRatioInitWad: r.marginRatioInitWad as bigint,
      depthUsdWad: r.depthUsdWad as bigint,
      sizeSlopeWad: r.sizeSlopeWad as bigint,
    });
  }
  const l: LedgerState = {
    now,
    clearinghouse: a.ch,
    stablecoin: a.stablecoin,
    collaterals: [
      { token: a.weth, decimals: 18n },
      { token: a.wbtc, decimals: 8n },
    ],
    markets: [a.weth, a.wbtc],
    rateIndexRay: 10n ** 27n,
    lastAccrual: now,
    stabilityFeePerSecondRay: await chParam("STABILITY_FEE_PER_SECOND_RAY", ZERO),
    totalNormalizedDebt: await big(chI, a.ch, "totalDebtWad"),
    vaultCreditWad: await big(chI, a.ch, "creditOf", [a.vault]),
    deficitWad: await big(chI, a.ch, "deficitWad"),
    debtCeilingWad: await chParam("DEBT_CEILING_WAD", ZERO),
    minDebtWad: await chParam("MIN_DEBT_WAD", ZERO),
    depositCap: new Map(),
    totalCollateral: new Map(),
    marketParams: new Map(),
    marketState: new Map(),
    accounts: new Map(),
    operators: new Map(),
    oracle: new Map(),
    risk,
    balances: new Map(),
    stablecoinSupply: await big(erc20, a.stablecoin, "totalSupply"),
    vault: {
      address: a.vault,
      totalShares: 0n,
      shares: new Map(),
      requests: new Map(),
      cooldownSeconds: 0n,
      claimWindowSeconds: 0n,
    },
    dustBudgetWad: 0n,
    breakerLevels: { global: 0, assets: new Map() },
  };
  const holders = [...sys.accounts.map((x) => x.address), a.ch, sys.taker];
  for (const tk of tokens) {
    l.depositCap.set(tk, await chParam("DEPOSIT_CAP", tk));
    l.totalCollateral.set(tk, await big(chI, a.ch, "totalCollateral", [tk]));
    const m = new Map<string, bigint>();
    for (const h of holders) m.set(h, await big(erc20, tk, "balanceOf", [h]));
    l.balances.set(tk, m);
    l.marketParams.set(tk, {
      skewScaleWad: await chParam("SKEW_SCALE_WAD", tk),
      maxFundingVelocityWad: await chParam("MAX_FUNDING_VELOCITY_WAD", tk),
      takerFeeWad: await chParam("TAKER_FEE_WAD", tk),
      maxOpenInterestWad: await chParam("MAX_OPEN_INTEREST_WAD", tk),
      skewCapRatioWad: await chParam("SKEW_CAP_RATIO_WAD", tk),
    });
    const st = (await call(sys, chI, a.ch, "marketState", [tk]))[0] as Result;
    l.marketState.set(tk, {
      skewWad: st.skewWad as bigint,
      longOpenInterestWad: st.longOpenInterestWad as bigint,
      shortOpenInterestWad: st.shortOpenInterestWad as bigint,
      openNotionalSumWad: st.openNotionalSumWad as bigint,
      fundingSnapshotSumWad: st.fundingSnapshotSumWad as bigint,
      fundingRateWad: st.fundingRateWad as bigint,
      fundingIndexWad: st.fundingIndexWad as bigint,
      lastFundingTime: now,
    });
    if ((st.skewWad as bigint) !== 0n || (st.fundingRateWad as bigint) !== 0n)
      throw new Error("setup: open market");
  }
  const stable = new Map<string, bigint>();
  for (const h of [...holders, a.vault]) stable.set(h, await big(erc20, a.stablecoin, "balanceOf", [h]));
  l.balances.set(a.stablecoin, stable);
  for (const { address } of sys.accounts) {
    const acct = emptyAccount();
    acct.normalizedDebt = await big(chI, a.ch, "debtOf", [address]);
    acct.creditWad = await big(chI, a.ch, "creditOf", [address]);
    for (const tk of tokens) {
      const c = await big(chI, a.ch, "collateralOf", [address, tk]);
      if (c > 0n) acct.collateral.set(tk, c);
    }
    l.accounts.set(address, acct);
  }

  const feedMap = new Map<string, FeedModel>();
  for (const [i, tk] of tokens.entries()) {
    const cfg = (await call(sys, oI, a.oracle, "feedConfig", [tk]))[0] as Result;
    const rd = await call(sys, fI, feeds[i], "latestRoundData");
    const lg = await call(sys, oI, a.oracle, "lastGoodPrice", [tk]);
    const cur = await call(sys, oI, a.oracle, "delayedPrice", [tk]);
    const nxt = await call(sys, oI, a.oracle, "queuedPrice", [tk]);
    feedMap.set(tk, {
      feedDecimals: await big(fI, feeds[i], "decimals"),
      answer: rd[1] as bigint,
      updatedAt: rd[3] as bigint,
      maxAgeSeconds: (cfg.heartbeatSeconds as bigint) + (cfg.gracePeriodSeconds as bigint),
      minPriceWad: cfg.minPriceWad as bigint,
      maxPriceWad: cfg.maxPriceWad as bigint,
      lastGoodWad: lg[0] as bigint,
      lastGoodAt: lg[1] as bigint,
      curWad: cur[0] as bigint,
      curAt: cur[1] as bigint,
      nxtWad: nxt[0] as bigint,
      nxtAt: nxt[1] as bigint,
    });
  }
  const eParam = (name: string, subject = ZERO) => big(eI, a.engine, "getParam", [b32(name), subject]);
  const aParam = (name: string, tk: string) => big(aI, a.auction, "getParam", [b32(name), tk]);
  const bParam = (name: string, subject = ZERO) => big(bI, a.breaker, "getParam", [b32(name), subject]);
  const auctionAssets = new Map<string, AuctionAssetModel>();
  const bAssets = new Map<string, BreakerScope>();
  const tauI = new Interface(["function tauSeconds() view returns (uint256)"]);
  for (const [i, tk] of tokens.entries()) {
    const curve = (await call(sys, aI, a.auction, "curveOf", [tk]))[0] as string;
    auctionAssets.set(tk, {
      decimals: l.collaterals[i].decimals,
      bufWad: await aParam("BUF_WAD", tk),
      tailSeconds: await aParam("TAIL_SECONDS", tk),
      cuspWad: await aParam("CUSP_WAD", tk),
      chipWad: await aParam("CHIP_WAD", tk),
      tipWad: await aParam("TIP_WAD", tk),
      dustWad: await aParam("DUST_WAD", tk),
      tauSeconds: await big(tauI, curve, "tauSeconds"),
      tabInFlightWad: await big(aI, a.auction, "tabInFlightWad", [tk]),
      tabCapWad: await eParam("ASSET_TAB_CAP_WAD", tk),
      dropToleranceWad: await bParam("DROP_TOLERANCE_WAD", tk),
      velocityCapacityWad: await bParam("VELOCITY_CAPACITY_WAD", tk),
    });
    const sc = await call(sys, bI, a.breaker, "scopeState", [tk]);
    const w = await call(sys, bI, a.breaker, "liquidationWindow", [tk]);
    bAssets.set(tk, {
      level: Number(sc[0]),
      floor: Number(sc[1]),
      lastTriggeredAt: sc[2] as bigint,
      windowStart: w[0] as bigint,
      windowDebtWad: w[1] as bigint,
    });
    l.breakerLevels!.assets.set(tk, Number(sc[0]));
  }
  const g = await call(sys, bI, a.breaker, "scopeState", [ZERO]);
  const bd = await call(sys, bI, a.breaker, "badDebtWindow");
  const s: LiqState = {
    l,
    feeds: feedMap,
    hopSeconds: await big(oI, a.oracle, "hopSeconds"),
    auctions: new Map(),
    auctionAssets,
    totalTabInFlightWad: await big(aI, a.auction, "totalTabInFlightWad"),
    auctionDebtWad: await big(chI, a.ch, "auctionDebtWad"),
    breaker: {
      global: {
        level: Number(g[0]),
        floor: Number(g[1]),
        lastTriggeredAt: g[2] as bigint,
        windowStart: 0n,
        windowDebtWad: 0n,
      },
      assets: bAssets,
      badDebtStart: bd[0] as bigint,
      badDebtWad: bd[1] as bigint,
      p: {
        levelPriceDrop: Number(await bParam("LEVEL_PRICE_DROP")),
        levelFeedFailure: Number(await bParam("LEVEL_FEED_FAILURE")),
        levelVelocity: Number(await bParam("LEVEL_VELOCITY")),
        levelBadDebt: Number(await bParam("LEVEL_BAD_DEBT")),
        levelDeficit: Number(await bParam("LEVEL_DEFICIT")),
        velocityWindowSeconds: await bParam("VELOCITY_WINDOW_SECONDS"),
        badDebtWindowSeconds: await bParam("BAD_DEBT_WINDOW_SECONDS"),
        badDebtShareWad: await bParam("BAD_DEBT_SHARE_WAD"),
        cooldownSeconds: await bParam("COOLDOWN_SECONDS"),
      },
    },
    engine: {
      targetHealthWad: await eParam("TARGET_HEALTH_WAD"),
      penaltyWad: await eParam("PENALTY_WAD"),
      perpPenaltyWad: await eParam("PERP_PENALTY_WAD"),
      perpKeeperShareWad: await eParam("PERP_KEEPER_SHARE_WAD"),
      dustDebtWad: await eParam("DUST_DEBT_WAD"),
      maxTabInFlightWad: await eParam("MAX_TAB_IN_FLIGHT_WAD"),
      windowSeconds: await eParam("WINDOW_SECONDS"),
      windowCapacityWad: await eParam("WINDOW_CAPACITY_WAD"),
      windowStart: 0n,
      windowUsedWad: 0n,
    },
    guardian: sys.guardian,
    pendingKicks: 0,
    log: [],
  };
  const [ws, wu] = await call(sys, eI, a.engine, "window");
  if ((wu as bigint) !== 0n) s.engine.windowStart = ws as bigint;
  if (s.auctionDebtWad !== 0n || s.totalTabInFlightWad !== 0n) throw new Error("setup: auctions running");
  syncOracle(s, now);
  return s;
}
