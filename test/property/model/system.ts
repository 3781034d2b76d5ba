/**
 * The real side of the model-based tests: the ledger deployed by test/helpers/ledger.ts (real
 * Clearinghouse, Stablecoin and BackstopVault; mock oracle and margin model, so prices, oracle
 * failures and risk levels move directly), a snapshot to restore before each sequence, raw
 * JSON-RPC reads (about four times faster than contract calls) and transactions that are always
 * mined at a timestamp the model chose, so a revert happens at a known time too.
 */
import type { Interface, Result } from "ethers";

import { WAD } from "../../../simulations/math/wad.js";
import { DEFAULT_RISK, ZERO, b32, deployLedger, type Ledger } from "../../helpers/ledger.js";
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

// scripts/bench/throughput.ts restores the ledger system through this module
export { restore } from "./chain.js";

/** Stability fee used by the suite: 5e18 RAY per second (about 17% a year), so rounding shows. */
export const STABILITY_FEE_PER_SECOND_RAY = 5n * 10n ** 18n;
export const VAULT_SEED_WAD = 100_000n * WAD;
/**
 * ADR 0006's age bound (the deployment default): for this long after `RefreshPricesCommand`,
 * initial-margin checks use the cached prices.
 */
export const PRICE_MAX_AGE_SECONDS = 60n;
const GAS_LIMIT = "0x4c4b40"; // 5,000,000

export interface PropertySystem extends ChainSystem {
  ledger: Ledger;
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
  initialState: LedgerState;
}

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
  await l.setParam("PRICE_MAX_AGE_SECONDS", ZERO, PRICE_MAX_AGE_SECONDS);
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
    errors: mergedInterface(
      [ifaces.ch, ifaces.erc20, ifaces.vault, l.stablecoin.interface as unknown as Interface],
      "errors",
    ),
    initialState: undefined as unknown as LedgerState,
    snapshotId: "",
    reader: await reader.getAddress(),
    readerIface: reader.interface as unknown as Interface,
    gasLimit: GAS_LIMIT,
  };
  sys.initialState = await readInitialState(sys);
  sys.snapshotId = await snapshot(sys);
  return sys;
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
    costBasisSumWad: st.costBasisSumWad as bigint,
    fundingRateWad: st.fundingRateWad as bigint,
    fundingIndexWad: st.fundingIndexWad as bigint,
    lastFundingTime: now,
  });
  // the debt was borrowed at index 1 RAY: normalized debt == debt
  return s;
}
