/**
 * Gas benchmark of Ballast's user-facing operations (DESIGN.md section 6): deploys the whole
 * system on the given in-process chain, builds a realistic state and measures the full
 * transaction gas (`receipt.gasUsed`, 21k intrinsic included) of each operation.
 *
 * Every measured transaction runs after a time jump, in its own fresh block, so storage is cold
 * as for a real user transaction and the stability-fee index and funding have something to
 * accrue. A keeper's `refreshPrices` lands between the jump and the measured transaction (a
 * block earlier), as a keeper refreshing within `PRICE_MAX_AGE_SECONDS` would (ADR 0006); the
 * `borrowOracleRead` row measures a borrow without it (the cached prices expired). New rows
 * (liquidation, throughput) are added as further entries of the returned record and of
 * `GAS_ROWS`.
 */
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { parseUnits, type ContractTransactionResponse } from "ethers";

import { loadDeployParams, paramsPathFor } from "../deploy/params.js";
import { deploySystem } from "../deploy/system.js";

/** One benchmark row: its label, how it is measured, its target and the published anchor. */
export interface GasRow {
  /** Key in the JSON `gas` object. */
  key: string;
  /** What is measured (shown in the table). */
  operation: string;
  /** Upper bound from DESIGN.md section 6, if the design sets one. */
  target?: number;
  /** Published comparison numbers. */
  anchor: string;
  /** True for an `eth_estimateGas` of a view call (not a transaction). */
  view?: boolean;
}

const BORROW_ANCHOR = "Maker frob 120-154k; Aave v3 borrow ~250k";

/** The rows in table order. Targets: DESIGN.md section 6 (borrow or open position <= 120,000). */
export const GAS_ROWS: readonly GasRow[] = [
  { key: "deposit", operation: "deposit (a 2nd collateral, first time)", anchor: "-" },
  { key: "withdraw", operation: "withdraw (partial, healthy)", anchor: "-" },
  {
    key: "borrow",
    operation: "borrow (2 collaterals + open position)",
    target: 120_000,
    anchor: BORROW_ANCHOR,
  },
  {
    key: "borrowOracleRead",
    operation: "borrow, cached prices expired (reads the oracle)",
    anchor: BORROW_ANCHOR,
  },
  { key: "repay", operation: "repay (partial)", anchor: "-" },
  {
    key: "openPosition",
    operation: "openPosition (from zero, 2 collaterals + debt)",
    target: 120_000,
    anchor: BORROW_ANCHOR,
  },
  {
    key: "modifyPosition",
    operation: "modifyPosition (increase)",
    target: 120_000,
    anchor: BORROW_ANCHOR,
  },
  { key: "closePosition", operation: "closePosition", anchor: "-" },
  {
    key: "oraclePoke",
    operation: "OracleRouter.poke (after feed update)",
    anchor: "-",
  },
  { key: "marginPoke", operation: "MarginModel.poke", anchor: "-" },
  {
    key: "refreshPrices",
    operation: "Clearinghouse.refreshPrices (2 assets, keeper)",
    anchor: "-",
  },
  { key: "vaultDeposit", operation: "BackstopVault.deposit", anchor: "-" },
  {
    key: "healthView",
    operation: "health() [view, estimateGas]",
    anchor: "-",
    view: true,
  },
];

/** Targets by key (only rows that have one). */
export function gasTargets(rows: readonly GasRow[] = GAS_ROWS): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of rows) if (r.target !== undefined) out[r.key] = r.target;
  return out;
}

/** The network helpers the bench uses (a subset of hardhat-network-helpers' `NetworkHelpers`). */
export interface BenchNetworkHelpers {
  time: { increase(seconds: number): Promise<number> };
  mine(blocks?: number): Promise<void>;
}

/** Optional callbacks for tools built on the bench (e.g. the gas profiler). */
export interface MeasureHooks {
  /** Called once after deployment with the deployed system's labelled addresses. */
  onDeployed?(labels: Record<string, string>): void;
  /** Called with each measured transaction's row key and hash. */
  onMeasured?(key: string, txHash: string): void;
}

/** Seconds between measured operations: a fresh block, fee and funding accrue. */
const STEP_SECONDS = 600;

/**
 * Deploys Ballast with the local parameters on `ethers`' chain and measures every row of
 * `GAS_ROWS`. Returns gas by row key.
 */
export async function measureGas(
  ethers: HardhatEthers,
  networkHelpers: BenchNetworkHelpers,
  hooks: MeasureHooks = {},
): Promise<Record<string, bigint>> {
  const params = loadDeployParams(process.env.BALLAST_PARAMS ?? paramsPathFor("hardhat"));
  const sys = await deploySystem(ethers, params, {
    keepDeployerAsProposer: true,
  });
  const [, user, lp, other] = await ethers.getSigners();
  const ch = sys.clearinghouse;
  const chAddr = await ch.getAddress();
  const vaultAddr = await sys.vault.getAddress();
  const weth = sys.assets.find((a) => a.symbol === "WETH");
  const wbtc = sys.assets.find((a) => a.symbol === "WBTC");
  if (!weth || !wbtc || !weth.feed)
    throw new Error("bench needs the local WETH (with a mock feed) and WBTC assets");
  if (hooks.onDeployed) {
    const labels: Record<string, string> = { ...sys.addresses };
    for (const a of sys.assets) {
      labels[a.symbol] = a.address;
      if (a.feed) labels[`${a.symbol} feed`] = a.feedAddress;
    }
    hooks.onDeployed(labels);
  }
  const ethUnits = (x: string) => parseUnits(x, weth.decimals);
  const btcUnits = (x: string) => parseUnits(x, wbtc.decimals);
  const wad = (x: string) => parseUnits(x, 18);
  const send = async (tx: Promise<ContractTransactionResponse>) => (await tx).wait();

  const gas: Record<string, bigint> = {};
  /**
   * Advances time (fresh block, cold storage), lets a keeper refresh the cached prices in its own
   * block (unless `cachedPrices` is false) and records the full gas of one transaction.
   */
  const measure = async (
    key: string,
    tx: () => Promise<ContractTransactionResponse>,
    { cachedPrices = true }: { cachedPrices?: boolean } = {},
  ) => {
    await networkHelpers.time.increase(STEP_SECONDS);
    if (cachedPrices) await send(ch.connect(other).refreshPrices());
    const receipt = await (await tx()).wait();
    if (!receipt || receipt.status !== 1) throw new Error(`bench: ${key} failed`);
    gas[key] = receipt.gasUsed;
    hooks.onMeasured?.(key, receipt.hash);
  };
  /** Keeps the oracle and margin model fresh across the time jumps (not measured). */
  const refresh = async () => {
    for (const a of [weth, wbtc]) {
      const feed = a.feed;
      if (!feed) continue;
      const [, answer] = await feed.latestRoundData();
      await send(feed.updateAnswer(answer));
      await send(sys.oracle.poke(a.address));
      await send(sys.marginModel.poke(a.address));
    }
  };

  // funding: tokens and approvals
  for (const s of [user, lp, other]) {
    await send(weth.token.mint(s.address, ethUnits("1000")));
    await send(wbtc.token.mint(s.address, btcUnits("10")));
    await send(weth.token.connect(s).approve(chAddr, ethers.MaxUint256));
    await send(wbtc.token.connect(s).approve(chAddr, ethers.MaxUint256));
    await send(sys.stablecoin.connect(s).approve(vaultAddr, ethers.MaxUint256));
  }
  // the LP funds the backstop vault so the skew cap allows the trades
  await send(ch.connect(lp).deposit(lp.address, weth.address, ethUnits("200")));
  await send(ch.connect(lp).borrow(lp.address, wad("200000"), lp.address));
  await send(sys.vault.connect(lp).deposit(wad("150000"), lp.address));
  // another trader so the WETH market has open interest and skew that funding acts on
  await send(ch.connect(other).deposit(other.address, weth.address, ethUnits("20")));
  await send(ch.connect(other).modifyPosition(other.address, weth.address, wad("5"), wad("1000000")));

  // the measured account: WETH collateral, then the WBTC top-up (2nd collateral), debt, a position
  await send(ch.connect(user).deposit(user.address, weth.address, ethUnits("20")));
  await refresh();
  await measure("deposit", () => ch.connect(user).deposit(user.address, wbtc.address, btcUnits("0.5")));
  await send(ch.connect(user).borrow(user.address, wad("5000"), user.address));
  await refresh();
  await measure("openPosition", () =>
    ch.connect(user).modifyPosition(user.address, weth.address, wad("5"), wad("1000000")),
  );
  await refresh();
  await measure("borrow", () => ch.connect(user).borrow(user.address, wad("2000"), user.address));
  await refresh();
  await measure("borrowOracleRead", () => ch.connect(user).borrow(user.address, wad("1000"), user.address), {
    cachedPrices: false,
  });
  await refresh();
  await measure("repay", () => ch.connect(user).repay(user.address, wad("1000")));
  await refresh();
  await measure("withdraw", () =>
    ch.connect(user).withdraw(user.address, weth.address, ethUnits("1"), user.address),
  );
  await refresh();
  await measure("modifyPosition", () =>
    ch.connect(user).modifyPosition(user.address, weth.address, wad("2"), wad("1000000")),
  );
  await refresh();
  await measure("vaultDeposit", () => sys.vault.connect(user).deposit(wad("500"), user.address));
  await refresh();
  await measure("closePosition", () => ch.connect(user).closePosition(user.address, weth.address, 0n));

  // keeper operations: a feed update, then the pokes
  await networkHelpers.time.increase(STEP_SECONDS);
  const [, answer] = await weth.feed.latestRoundData();
  await send(weth.feed.updateAnswer((answer * 101n) / 100n));
  await measure("oraclePoke", () => sys.oracle.poke(weth.address), { cachedPrices: false });
  await measure("marginPoke", () => sys.marginModel.poke(weth.address), { cachedPrices: false });
  await measure("refreshPrices", () => ch.connect(other).refreshPrices(), { cachedPrices: false });

  // the health view of the measured account, with a position open again (2 collaterals, debt, 1 position)
  await refresh();
  await send(ch.connect(user).modifyPosition(user.address, weth.address, wad("5"), wad("1000000")));
  await networkHelpers.time.increase(STEP_SECONDS);
  await networkHelpers.mine();
  gas.healthView = await ch.health.estimateGas(user.address, false);
  return gas;
}
