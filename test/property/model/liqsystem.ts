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
import { Interface, type Result } from "ethers";

import { WAD } from "../../../simulations/math/wad.js";
import { b32 } from "../../../scripts/deploy/system.js";
import type { DeployParams } from "../../../scripts/deploy/params.js";
import { deployLab } from "../../helpers/system.js";
import type { MockV3Aggregator } from "../../../types/ethers-contracts/index.js";
import type {
  AuctionAssetModel,
  BreakerScope,
  FeedModel,
  LiqState,
  RoundModel,
  SequencerModel,
} from "./liquidation.js";
import { ZERO, syncOracle } from "./liquidation.js";
import {
  latestTimestamp,
  mergedInterface,
  read,
  readBig,
  snapshot,
  type Actor,
  type ChainSystem,
  type EthProvider,
} from "./chain.js";
import { emptyAccount, type LedgerState, type RiskLevels } from "./state.js";

export const STABILITY_FEE_PER_SECOND_RAY = 5n * 10n ** 18n;
const GAS_LIMIT = "0x989680"; // 10,000,000

export type Lab = Awaited<ReturnType<typeof deployLab>>;

export interface LiqSystem extends ChainSystem {
  lab: Lab;
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
    /** Secondary feed per token (WETH, WBTC); undefined where the asset has none. */
    secondaryFeeds: (string | undefined)[];
    /** The router's sequencer-uptime feed, when enabled. */
    sequencerFeed: string | undefined;
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
    timelock: Interface;
  };
  events: Interface;
  initial: LiqState;
}

/** Options of the fixture: deploy-parameter changes (caps, breaker) and the actors' starting books. */
export interface LiqSystemOptions {
  mutate?: (p: DeployParams) => void;
  /** Starting positions (deposit, borrow) of the borrowers; default: near their limits. */
  start?: "default" | "empty";
  vaultUsd?: string;
  /**
   * Optional oracle sources, set through the timelock before the borrowers' books: a secondary
   * MockV3Aggregator for WETH and an L2 sequencer-uptime MockV3Aggregator (answer 0 = up).
   */
  oracle?: OracleExtras;
}

export interface OracleExtras {
  /** WETH's secondary feed: its decimals (answers are scaled to WAD), heartbeat and max deviation. */
  secondary?: { decimals: number; heartbeatSeconds: number; maxDeviationWad: bigint };
  /** The sequencer feed's grace period after it comes back up. */
  sequencerGraceSeconds?: number;
}

/** What the liquidation suite sets: both sources (the solvency suite keeps the shipped Chainlink-only setup). */
export const SUITE_ORACLE: OracleExtras = {
  secondary: { decimals: 18, heartbeatSeconds: 1_800, maxDeviationWad: 2n * 10n ** 16n },
  sequencerGraceSeconds: 3_600,
};

/**
 * Adds the secondary feed and the sequencer feed through the timelock (schedule, two days,
 * execute), then has every feed report again (fresh) and pokes the router.
 */
async function addOracleSources(
  lab: Lab,
  extras: OracleExtras,
): Promise<{ secondary: string | undefined; sequencer: string | undefined }> {
  const { ethers, sys, weth, wbtc, deployer, networkHelpers } = lab;
  const oracleAddr = await sys.oracle.getAddress();
  const targets: string[] = [];
  const payloads: string[] = [];
  let secondary: string | undefined;
  let secondaryFeed: MockV3Aggregator | undefined;
  if (extras.secondary !== undefined) {
    const x = extras.secondary;
    const primaryAnswer = (await weth.feed!.latestRoundData())[1];
    const answer = answerAt(primaryAnswer, weth.feedDecimals, x.decimals);
    const feed = (await ethers.deployContract("MockV3Aggregator", [
      x.decimals,
      answer,
    ])) as unknown as MockV3Aggregator;
    secondaryFeed = feed;
    secondary = await feed.getAddress();
    const cfg = await sys.oracle.feedConfig(weth.address);
    targets.push(oracleAddr);
    payloads.push(
      sys.oracle.interface.encodeFunctionData("setFeed", [
        weth.address,
        {
          primary: cfg.primary,
          secondary,
          heartbeatSeconds: cfg.heartbeatSeconds,
          gracePeriodSeconds: cfg.gracePeriodSeconds,
          secondaryHeartbeatSeconds: x.heartbeatSeconds,
          maxDeviationWad: x.maxDeviationWad,
          minPriceWad: cfg.minPriceWad,
          maxPriceWad: cfg.maxPriceWad,
        },
      ]),
    );
  }
  let sequencer: string | undefined;
  if (extras.sequencerGraceSeconds !== undefined) {
    const feed = await ethers.deployContract("MockV3Aggregator", [0, 0]);
    sequencer = await feed.getAddress();
    targets.push(oracleAddr);
    payloads.push(
      sys.oracle.interface.encodeFunctionData("setSequencerFeed", [sequencer, extras.sequencerGraceSeconds]),
    );
  }
  if (targets.length === 0) return { secondary, sequencer };
  const values = targets.map(() => 0n);
  const pred = `0x${"00".repeat(32)}`;
  const salt = b32("PROPERTY_ORACLE");
  const delay = await sys.timelock.getMinDelay();
  await (
    await sys.timelock.connect(deployer).scheduleBatch(targets, values, payloads, pred, salt, delay)
  ).wait();
  await networkHelpers.time.increase(delay);
  await (await sys.timelock.connect(deployer).executeBatch(targets, values, payloads, pred, salt)).wait();
  // two days passed: every feed reports again
  for (const a of [weth, wbtc]) {
    const answer = (await a.feed!.latestRoundData())[1];
    await (await a.feed!.updateAnswer(answer)).wait();
  }
  if (secondaryFeed !== undefined) {
    const answer = (await secondaryFeed.latestRoundData())[1];
    await (await secondaryFeed.updateAnswer(answer)).wait();
  }
  for (const a of [weth, wbtc]) await (await sys.oracle.poke(a.address)).wait();
  return { secondary, sequencer };
}

/** A feed answer in `to` decimals from one in `from` decimals. */
export function answerAt(answer: bigint, from: number, to: number): bigint {
  return to >= from ? answer * 10n ** BigInt(to - from) : answer / 10n ** BigInt(from - to);
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
  const extras = await addOracleSources(lab, opts.oracle ?? {});

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
  // the fee goes on last, at index 1 RAY: set as the RiskConfig itself (the module's only setter),
  // since from the 0 registered one guardian step is at most 1% a year (scripts/deploy/rules.ts)
  const rcAddr = await sys.riskConfig.getAddress();
  await lab.networkHelpers.impersonateAccount(rcAddr);
  await lab.networkHelpers.setBalance(rcAddr, 10n ** 20n);
  await (
    await ch
      .connect(await ethers.getSigner(rcAddr))
      .setParam(b32("STABILITY_FEE_PER_SECOND_RAY"), ZERO, STABILITY_FEE_PER_SECOND_RAY)
  ).wait();
  await lab.networkHelpers.stopImpersonatingAccount(rcAddr);

  const iface = {
    ch: ch.interface as unknown as Interface,
    engine: sys.engine.interface as unknown as Interface,
    auction: sys.auction.interface as unknown as Interface,
    breaker: sys.breaker.interface as unknown as Interface,
    oracle: sys.oracle.interface as unknown as Interface,
    feed: weth.feed!.interface as unknown as Interface,
    erc20: weth.token.interface as unknown as Interface,
    taker: takerC.interface as unknown as Interface,
    timelock: sys.timelock.interface as unknown as Interface,
  };
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
      secondaryFeeds: [extras.secondary, undefined],
      sequencerFeed: extras.sequencer,
    },
    iface,
    errors: mergedInterface(
      [
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
      ],
      "errors",
    ),
    events: mergedInterface([iface.ch, iface.engine, iface.auction, iface.breaker], "events"),
    initial: undefined as unknown as LiqState,
    snapshotId: "",
    reader: await reader.getAddress(),
    readerIface: reader.interface as unknown as Interface,
    gasLimit: GAS_LIMIT,
  };
  ls.initial = await readInitial(ls);
  ls.snapshotId = await snapshot(ls);
  return ls;
}

// ---------------------------------------------------------------- initial state

async function readInitial(sys: LiqSystem): Promise<LiqState> {
  const { ch: chI, erc20, engine: eI, auction: aI, breaker: bI, oracle: oI, feed: fI } = sys.iface;
  const a = sys.addr;
  const now = await latestTimestamp(sys);
  const big = (i: Interface, to: string, fn: string, args: readonly unknown[] = []) =>
    readBig(sys, i, to, fn, args);
  const chParam = (name: string, subject: string) => big(chI, a.ch, "getParam", [b32(name), subject]);
  if ((await big(chI, a.ch, "rateIndexRay")) !== 10n ** 27n) throw new Error("setup: the fee index moved");
  const tokens = [a.weth, a.wbtc];
  const feeds = [a.wethFeed, a.wbtcFeed];
  const risk = new Map<string, RiskLevels>();
  for (const tk of tokens) {
    const r = (
      await read(
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
    const st = (await read(sys, chI, a.ch, "marketState", [tk]))[0] as Result;
    l.marketState.set(tk, {
      skewWad: st.skewWad as bigint,
      longOpenInterestWad: st.longOpenInterestWad as bigint,
      shortOpenInterestWad: st.shortOpenInterestWad as bigint,
      costBasisSumWad: st.costBasisSumWad as bigint,
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
  const round = async (feed: string): Promise<RoundModel> => {
    const rd = await read(sys, fI, feed, "latestRoundData");
    return {
      feedDecimals: await readBig(sys, fI, feed, "decimals"),
      answer: rd[1] as bigint,
      startedAt: rd[2] as bigint,
      updatedAt: rd[3] as bigint,
    };
  };
  for (const [i, tk] of tokens.entries()) {
    const cfg = (await read(sys, oI, a.oracle, "feedConfig", [tk]))[0] as Result;
    if (String(cfg.primary).toLowerCase() !== feeds[i].toLowerCase()) throw new Error("setup: primary feed");
    const lg = await read(sys, oI, a.oracle, "lastGoodPrice", [tk]);
    const cur = await read(sys, oI, a.oracle, "delayedPrice", [tk]);
    const nxt = await read(sys, oI, a.oracle, "queuedPrice", [tk]);
    const grace = cfg.gracePeriodSeconds as bigint;
    const secondary = String(cfg.secondary);
    feedMap.set(tk, {
      ...(await round(feeds[i])),
      maxAgeSeconds: (cfg.heartbeatSeconds as bigint) + grace,
      minPriceWad: cfg.minPriceWad as bigint,
      maxPriceWad: cfg.maxPriceWad as bigint,
      ...(secondary === ZERO
        ? {}
        : {
            secondary: {
              ...(await round(secondary)),
              maxAgeSeconds: (cfg.secondaryHeartbeatSeconds as bigint) + grace,
              maxDeviationWad: cfg.maxDeviationWad as bigint,
              offsetBps: 0n,
              offsetWei: 0n,
            },
          }),
      lastGoodWad: lg[0] as bigint,
      lastGoodAt: lg[1] as bigint,
      curWad: cur[0] as bigint,
      curAt: cur[1] as bigint,
      nxtWad: nxt[0] as bigint,
      nxtAt: nxt[1] as bigint,
    });
  }
  const [seqFeed, seqGrace] = await read(sys, oI, a.oracle, "sequencerFeed");
  let sequencer: SequencerModel | undefined;
  if (String(seqFeed) !== ZERO) {
    const rd = await read(sys, fI, String(seqFeed), "latestRoundData");
    sequencer = { answer: rd[1] as bigint, startedAt: rd[2] as bigint, graceSeconds: seqGrace as bigint };
  }
  const eParam = (name: string, subject = ZERO) => big(eI, a.engine, "getParam", [b32(name), subject]);
  const aParam = (name: string, tk: string) => big(aI, a.auction, "getParam", [b32(name), tk]);
  const bParam = (name: string, subject = ZERO) => big(bI, a.breaker, "getParam", [b32(name), subject]);
  const auctionAssets = new Map<string, AuctionAssetModel>();
  const bAssets = new Map<string, BreakerScope>();
  const tauI = new Interface(["function tauSeconds() view returns (uint256)"]);
  for (const [i, tk] of tokens.entries()) {
    const curve = (await read(sys, aI, a.auction, "curveOf", [tk]))[0] as string;
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
    const sc = await read(sys, bI, a.breaker, "scopeState", [tk]);
    const w = await read(sys, bI, a.breaker, "liquidationWindow", [tk]);
    bAssets.set(tk, {
      level: Number(sc[0]),
      floor: Number(sc[1]),
      lastTriggeredAt: sc[2] as bigint,
      windowStart: w[0] as bigint,
      windowDebtWad: w[1] as bigint,
    });
    l.breakerLevels!.assets.set(tk, Number(sc[0]));
  }
  const g = await read(sys, bI, a.breaker, "scopeState", [ZERO]);
  const bd = await read(sys, bI, a.breaker, "badDebtWindow");
  const s: LiqState = {
    l,
    feeds: feedMap,
    ...(sequencer === undefined ? {} : { sequencer }),
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
        levelDeviation: Number(await bParam("LEVEL_DEVIATION")),
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
  const [ws, wu] = await read(sys, eI, a.engine, "window");
  if ((wu as bigint) !== 0n) s.engine.windowStart = ws as bigint;
  if (s.auctionDebtWad !== 0n || s.totalTabInFlightWad !== 0n) throw new Error("setup: auctions running");
  syncOracle(s, now);
  return s;
}
