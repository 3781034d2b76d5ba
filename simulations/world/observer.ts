/**
 * What the laboratory knows about the chain without asking it: every transaction goes through
 * one sender, so its logs are decoded here once and kept as state (pool prices and liquidity,
 * open auctions, breaker levels, oracle prices, margin levels, perp sizes) plus the step's
 * counters for the metrics (liquidations, volume, takes, bad debt). No view calls.
 */
import type { EventFragment, Interface } from "ethers";

import {
  loadUniswapArtifact,
  sqrtPriceX96ToPriceWad,
  type PoolHandle,
} from "../../scripts/deploy/uniswap.js";
import { Interface as EthersInterface } from "ethers";
import { decodeEventLog } from "./abi.js";
import type { RawLog, TxResult } from "./chain.js";
import type { World, WorldAsset } from "./deploy.js";
import { unitsToTokens, wadToNumber } from "./units.js";

const ZERO = "0x0000000000000000000000000000000000000000";

/** The events the observer keeps state from (`<source>.<event>`). */
const HANDLED = new Set([
  "pool.Swap",
  "pool.Mint",
  "pool.Burn",
  "oracle.PricePoked",
  "margin.VolatilityUpdated",
  "breaker.LevelRaised",
  "breaker.LevelLowered",
  "engine.Liquidated",
  "ch.CollateralSeized",
  "ch.PositionLiquidated",
  "ch.PositionModified",
  "ch.BadDebtCovered",
  "ch.DeficitRecorded",
  "ch.AuctionSettled",
  "ch.Deposited",
  "ch.Withdrawn",
  "ch.Borrowed",
  "ch.Repaid",
  "auction.Kick",
  "auction.Take",
  "auction.Redo",
  "auction.AuctionEnded",
]);

/** A full-range pool as seen from its events. */
export interface PoolView {
  sqrtPriceX96: bigint;
  liquidityRaw: bigint;
  /** Stable per whole asset. */
  price: number;
  /** Active liquidity in whole-token units (sqrt(asset * stable)). */
  liquidity: number;
  fee: number;
}

/** An open auction (from Kick / Take / Redo / AuctionEnded). */
export interface OpenAuction {
  id: bigint;
  account: string;
  assetIndex: number;
  lot: bigint;
  tabWad: bigint;
  startPriceWad: bigint;
  startTime: number;
}

/** Per-asset counters of one step. */
export interface AssetCounters {
  takes: number;
  amountSold: number;
  proceedsUsd: number;
  oracleValueUsd: number;
}

export class Observer {
  readonly pools: PoolView[];
  readonly auctions = new Map<bigint, OpenAuction>();
  /** Oracle price (USD, the router's last poke) per asset index. */
  readonly oraclePrice: number[];
  readonly oracleOk: boolean[];
  /** Maintenance haircut and margin ratio per asset index (from the margin model's events). */
  readonly haircut: number[];
  readonly marginRatio: number[];
  globalLevel = 0;
  readonly assetLevel: number[];
  /** Cumulative bad debt (vault cover + deficit), USD. */
  badDebtUsd = 0;
  deficitUsd = 0;
  /** Perp size per account and asset index, whole tokens (signed). */
  readonly perpSize = new Map<string, number[]>();
  /** Accounts whose books changed in the step (liquidated, settled, modified). */
  readonly touched = new Set<string>();
  // step counters
  /** Logs from the Clearinghouse or the vault in the step (its books moved). */
  bookEvents = 0;
  liquidations = 0;
  liquidatedUsd = 0;
  counters: AssetCounters[];

  private readonly byAddress = new Map<
    string,
    { iface: Interface; kind: string; asset?: number; events: Map<string, EventFragment> }
  >();
  private readonly assetIndex = new Map<string, number>();

  constructor(
    private readonly world: World,
    initialPrices: readonly number[],
  ) {
    const a = world.assets;
    this.pools = a.map((w) => ({
      sqrtPriceX96: 0n,
      liquidityRaw: 0n,
      price: 0,
      liquidity: 0,
      fee: w.poolFee / 1e6,
    }));
    this.oraclePrice = [...initialPrices];
    this.oracleOk = a.map(() => true);
    this.haircut = a.map(() => 0);
    this.marginRatio = a.map(() => 0);
    this.assetLevel = a.map(() => 0);
    this.counters = a.map(() => ({ takes: 0, amountSold: 0, proceedsUsd: 0, oracleValueUsd: 0 }));
    const s = world.sys;
    // topic -> event, computed once (ethers' parseLog hashes every event signature per call)
    // only the events handled below are decoded (ethers' decoding is the costly part)
    const eventsOf = (iface: Interface, kind: string) => {
      const m = new Map<string, EventFragment>();
      iface.forEachEvent((f) => {
        if (HANDLED.has(`${kind}.${f.name}`)) m.set(f.topicHash, f);
      });
      return m;
    };
    const add = (address: string, iface: Interface, kind: string, asset?: number) =>
      this.byAddress.set(address.toLowerCase(), { iface, kind, asset, events: eventsOf(iface, kind) });
    add(world.clearinghouse, s.clearinghouse.interface, "ch");
    add(s.addresses.liquidationEngine, s.engine.interface, "engine");
    add(s.addresses.dutchAuction, s.auction.interface, "auction");
    add(s.addresses.circuitBreaker, s.breaker.interface, "breaker");
    add(s.addresses.oracleRouter, s.oracle.interface, "oracle");
    add(s.addresses.marginModel, s.marginModel.interface, "margin");
    const poolIface = new EthersInterface(loadUniswapArtifact("pool").abi);
    a.forEach((w, i) => {
      add(w.pool.address, poolIface, "pool", i);
      this.assetIndex.set(w.address.toLowerCase(), i);
    });
  }

  /** Reads each pool's slot0 and liquidity once (after setup). */
  async init(): Promise<void> {
    for (const [i, w] of this.world.assets.entries()) {
      const slot0 = await w.pool.pool.slot0();
      const liq = await w.pool.pool.liquidity();
      this.setPool(i, slot0.sqrtPriceX96, liq);
    }
  }

  private setPool(i: number, sqrtPriceX96: bigint, liquidityRaw: bigint): void {
    const w = this.world.assets[i];
    const p = this.pools[i];
    p.sqrtPriceX96 = sqrtPriceX96;
    p.liquidityRaw = liquidityRaw;
    p.price = wadToNumber(sqrtPriceX96ToPriceWad(sqrtPriceX96, w.decimals, 18, w.pool.baseIsToken0));
    p.liquidity = Number(liquidityRaw) / 10 ** ((w.decimals + 18) / 2);
  }

  /** The asset index of a token address (-1 if unknown). */
  indexOf(token: string): number {
    return this.assetIndex.get(token.toLowerCase()) ?? -1;
  }

  /** Resets the step counters. */
  beginStep(): void {
    this.liquidations = 0;
    this.liquidatedUsd = 0;
    this.bookEvents = 0;
    this.counters = this.world.assets.map(() => ({
      takes: 0,
      amountSold: 0,
      proceedsUsd: 0,
      oracleValueUsd: 0,
    }));
    this.touched.clear();
  }

  /** Decodes the logs of a transaction into state and counters. */
  observe(tx: TxResult, now: number): void {
    for (const log of tx.logs) this.observeLog(log, now);
  }

  private observeLog(log: RawLog, now: number): void {
    const src = this.byAddress.get(log.address.toLowerCase());
    if (src === undefined) return;
    if (src.kind === "ch") this.bookEvents++;
    const fragment = src.events.get(log.topics[0]);
    if (fragment === undefined) return;
    let ev: { name: string; args: { getValue(name: string): unknown } };
    try {
      ev = { name: fragment.name, args: decodeEventLog(src.iface, fragment, log.data, log.topics) };
    } catch {
      return;
    }
    const g = (k: string) => ev.args.getValue(k) as bigint;
    const addr = (k: string) => (ev.args.getValue(k) as string).toLowerCase();
    switch (`${src.kind}.${ev.name}`) {
      case "pool.Swap":
        this.setPool(src.asset as number, g("sqrtPriceX96"), g("liquidity"));
        break;
      case "pool.Mint": {
        const p = this.pools[src.asset as number];
        this.setPool(src.asset as number, p.sqrtPriceX96, p.liquidityRaw + g("amount"));
        break;
      }
      case "pool.Burn": {
        const p = this.pools[src.asset as number];
        this.setPool(src.asset as number, p.sqrtPriceX96, p.liquidityRaw - g("amount"));
        break;
      }
      case "oracle.PricePoked": {
        const i = this.indexOf(addr("asset"));
        if (i >= 0) {
          this.oraclePrice[i] = wadToNumber(g("priceWad"));
          this.oracleOk[i] = Number(g("status")) === 0;
        }
        break;
      }
      case "margin.VolatilityUpdated": {
        const i = this.indexOf(addr("asset"));
        if (i >= 0) {
          this.haircut[i] = wadToNumber(g("haircutMaintWad"));
          this.marginRatio[i] = wadToNumber(g("marginRatioMaintWad"));
        }
        break;
      }
      case "breaker.LevelRaised":
      case "breaker.LevelLowered": {
        const asset = addr("asset");
        const level = Number(g("toLevel"));
        if (asset === ZERO) this.globalLevel = level;
        else {
          const i = this.indexOf(asset);
          if (i >= 0) this.assetLevel[i] = level;
        }
        break;
      }
      case "engine.Liquidated":
        this.liquidations++;
        this.touched.add(addr("account"));
        break;
      case "ch.CollateralSeized": {
        const i = this.indexOf(addr("token"));
        if (i >= 0) {
          const w = this.world.assets[i];
          this.liquidatedUsd += unitsToTokens(g("lot"), w.decimals) * this.oraclePrice[i];
        }
        break;
      }
      case "ch.PositionLiquidated": {
        const i = this.indexOf(addr("market"));
        const account = addr("account");
        this.liquidatedUsd += Math.abs(wadToNumber(g("sizeWad"))) * wadToNumber(g("fillPriceWad"));
        const sizes = this.perpSize.get(account);
        if (sizes !== undefined && i >= 0) sizes[i] = 0;
        this.touched.add(account);
        break;
      }
      case "ch.PositionModified": {
        const i = this.indexOf(addr("market"));
        const account = addr("account");
        if (i >= 0) {
          let sizes = this.perpSize.get(account);
          if (sizes === undefined) {
            sizes = this.world.assets.map(() => 0);
            this.perpSize.set(account, sizes);
          }
          sizes[i] = wadToNumber(g("newSizeWad"));
        }
        this.touched.add(account);
        break;
      }
      case "ch.BadDebtCovered":
        this.badDebtUsd += wadToNumber(g("fromVaultWad")) + wadToNumber(g("toDeficitWad"));
        break;
      case "ch.DeficitRecorded":
        this.deficitUsd = wadToNumber(g("totalDeficitWad"));
        break;
      // an account's own actions change its health: the tracker reads it again (a top-up or a
      // repayment it did not see would leave the account below its reaction health, reacting again)
      case "ch.AuctionSettled":
      case "ch.Deposited":
      case "ch.Withdrawn":
      case "ch.Borrowed":
      case "ch.Repaid":
        this.touched.add(addr("account"));
        break;
      case "auction.Kick": {
        const i = this.indexOf(addr("token"));
        this.auctions.set(g("id"), {
          id: g("id"),
          account: addr("account"),
          assetIndex: i,
          lot: g("lot"),
          tabWad: g("tabWad"),
          startPriceWad: g("startPriceWad"),
          startTime: now,
        });
        break;
      }
      case "auction.Take": {
        const a = this.auctions.get(g("id"));
        if (a === undefined) break;
        const w = this.world.assets[a.assetIndex];
        const slice = unitsToTokens(g("slice"), w.decimals);
        const c = this.counters[a.assetIndex];
        c.takes++;
        c.amountSold += slice;
        c.proceedsUsd += wadToNumber(g("oweWad"));
        c.oracleValueUsd += slice * this.oraclePrice[a.assetIndex];
        a.lot = g("lotLeft");
        a.tabWad = g("tabLeftWad");
        if (a.lot === 0n || a.tabWad === 0n) this.auctions.delete(a.id);
        break;
      }
      case "auction.Redo": {
        const a = this.auctions.get(g("id"));
        if (a === undefined) break;
        a.lot = g("lot");
        a.tabWad = g("tabWad");
        a.startPriceWad = g("startPriceWad");
        a.startTime = now;
        break;
      }
      case "auction.AuctionEnded":
        this.auctions.delete(g("id"));
        break;
      default:
        break;
    }
  }

  /** Number of open auctions per asset index. */
  auctionsOpen(): number[] {
    const n = this.world.assets.map(() => 0);
    for (const a of this.auctions.values()) if (a.assetIndex >= 0) n[a.assetIndex]++;
    return n;
  }
}

/** Marginal pool output of selling `x` whole asset tokens (stable out), full-range math. */
export function sellOutput(pool: PoolView, x: number): { out: number; priceAfter: number } {
  const s0 = Math.sqrt(pool.price);
  const L = pool.liquidity;
  const s1 = 1 / (1 / s0 + (x * (1 - pool.fee)) / L);
  return { out: L * (s0 - s1), priceAfter: s1 * s1 };
}

/** Asset (whole tokens) whose sale brings the pool's marginal price, fee included, down to `price`. */
export function sellableDownTo(pool: PoolView, price: number): number {
  const s0 = Math.sqrt(pool.price);
  const target = Math.sqrt(price / (1 - pool.fee));
  if (target >= s0) return 0;
  return (pool.liquidity * (1 / target - 1 / s0)) / (1 - pool.fee);
}

export type { PoolHandle, WorldAsset };
