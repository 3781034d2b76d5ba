/**
 * The laboratory's fidelity check (docs/simulation.md): runs fixed variants of two scenarios,
 * one after the other on the in-process chain, and tabulates their summaries.
 *
 *   npm run sim:fidelity [-- --accounts N] [--out DIR] [--only id,id] [--seed N] [--report]
 *   (npm runs it with the Node 22 in node_modules/.bin that Hardhat needs)
 *
 * - black-thursday-2020 against Ballast's defaults (shipped keepers, then stalling keepers) and
 *   against MakerDAO-2020-like parameters (scripts/deploy/params/maker-2020.json) with the same
 *   stalling keepers and the one-hour OSM;
 * - flash-crash with near-infinite depth, the shipped depth and thin depth.
 *
 * Each run writes <out>/<id>/{summary.json,metrics.csv,metrics.jsonl} (and report.html with
 * --report); the table goes to stdout and to <out>/fidelity.json and <out>/fidelity.md.
 * Seeds are fixed (the scenarios' own; `--seed` replaces them all, to see how much a result
 * depends on the draw), so the same command prints the same numbers.
 * Exit codes: 0 done, 1 a run failed, 2 bad arguments.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

import { Command, CommanderError, InvalidArgumentError } from "commander";

import { drawLiquidators } from "../simulations/agents/liquidator.js";
import { checkOutDir } from "../simulations/cli.js";
import { repoRoot } from "../simulations/markets/data.js";
import { Rng } from "../simulations/rng.js";
import type {
  AssetCascade,
  AssetStep,
  AwaitingAuctions,
  EndAccounts,
  RunSummary,
} from "../simulations/metrics/types.js";
import { loadScenarioFile } from "../simulations/scenarios/load.js";
import type { Chain } from "../simulations/world/chain.js";

/** One run of the check. */
export interface FidelityVariant {
  /** Directory name under --out, and the id for --only. */
  id: string;
  /** Which comparison it belongs to. */
  group: "black-thursday" | "depth";
  /** Column header: what the run is. */
  label: string;
  /** Scenario file, relative to the repo root. */
  scenario: string;
  /** Fixed seed (the scenario's own). */
  seed: number;
}

export const VARIANTS: readonly FidelityVariant[] = [
  {
    id: "bt-ballast",
    group: "black-thursday",
    label: "Ballast defaults, shipped keepers",
    scenario: "simulations/scenarios/black-thursday-2020.json",
    seed: 20200312,
  },
  {
    id: "bt-ballast-stalled",
    group: "black-thursday",
    label: "Ballast defaults, stalling keepers",
    scenario: "simulations/scenarios/fidelity/black-thursday-2020-stalled.json",
    seed: 20200312,
  },
  {
    id: "bt-maker",
    group: "black-thursday",
    label: "Maker 2020 params + OSM, shipped keepers",
    scenario: "simulations/scenarios/fidelity/black-thursday-2020-maker-shipped-keepers.json",
    seed: 20200312,
  },
  {
    id: "bt-maker-stalled",
    group: "black-thursday",
    label: "Maker 2020 params + OSM, stalling keepers",
    scenario: "simulations/scenarios/fidelity/black-thursday-2020-maker.json",
    seed: 20200312,
  },
  {
    id: "fc-deep",
    group: "depth",
    label: "flash-crash, near-infinite depth",
    scenario: "simulations/scenarios/fidelity/flash-crash-deep.json",
    seed: 1,
  },
  {
    id: "fc-shipped",
    group: "depth",
    label: "flash-crash, shipped depth",
    scenario: "simulations/scenarios/flash-crash.json",
    seed: 1,
  },
  {
    id: "fc-thin",
    group: "depth",
    label: "flash-crash, thin depth",
    scenario: "simulations/scenarios/fidelity/flash-crash-thin.json",
    seed: 1,
  },
  {
    id: "fc-very-thin",
    group: "depth",
    label: "flash-crash, very thin depth",
    scenario: "simulations/scenarios/fidelity/flash-crash-very-thin.json",
    seed: 1,
  },
];

/** Accounts per run by default: a run of one to two minutes on 2 cores. */
export const DEFAULT_ACCOUNTS = 200;
export const DEFAULT_OUT = "sim-out/fidelity";

// ---------------------------------------------------------------------------------------------
// The table (pure: summaries and steps in, rows and text out).

/** What the table needs of a recorded step (a `RecordedStep` is one). */
export interface AuctionStepLike {
  assets: Readonly<
    Record<
      string,
      Pick<AssetStep, "cexUsd" | "auctionAmountSold" | "auctionProceedsUsd" | "auctionOracleValueUsd">
    >
  >;
}

/** Auction sales over a run, all assets together, valued step by step. */
export interface AuctionStats {
  /** Stablecoin paid by takers, USD. */
  proceedsUsd: number;
  /** Oracle value of what they bought, at the time of each take, USD. */
  oracleValueUsd: number;
  /** The same amounts at the step's CEX (market) price, USD. */
  marketValueUsd: number;
  /** Average clearing price / oracle (value-weighted); null when nothing was sold. */
  clearingVsOracle: number | null;
  /** Average clearing price / CEX price (value-weighted); null when nothing was sold. */
  clearingVsMarket: number | null;
  /** Lowest clearing / oracle of any step with sales (a step's takes pooled); null if none. */
  worstStepVsOracle: number | null;
  /** Share of the oracle value sold in steps that cleared below half the oracle; null if none. */
  shareBelowHalfOracle: number | null;
}

export function auctionStats(steps: readonly AuctionStepLike[]): AuctionStats {
  let proceeds = 0;
  let oracleValue = 0;
  let marketValue = 0;
  let below = 0;
  let worst: number | null = null;
  for (const s of steps) {
    for (const a of Object.values(s.assets)) {
      if (!(a.auctionAmountSold > 0) || !(a.auctionOracleValueUsd > 0)) continue;
      proceeds += a.auctionProceedsUsd;
      oracleValue += a.auctionOracleValueUsd;
      marketValue += a.auctionAmountSold * a.cexUsd;
      const r = a.auctionProceedsUsd / a.auctionOracleValueUsd;
      if (worst === null || r < worst) worst = r;
      if (r < 0.5) below += a.auctionOracleValueUsd;
    }
  }
  const sold = oracleValue > 0;
  return {
    proceedsUsd: proceeds,
    oracleValueUsd: oracleValue,
    marketValueUsd: marketValue,
    clearingVsOracle: sold ? proceeds / oracleValue : null,
    clearingVsMarket: sold && marketValue > 0 ? proceeds / marketValue : null,
    worstStepVsOracle: worst,
    shareBelowHalfOracle: sold ? below / oracleValue : null,
  };
}

/** The protocol's liquidation events of a run that the loss breakdown reads (amounts in WAD). */
export type LedgerEvent =
  | { kind: "kick"; tx: string; id: bigint; account: string; debtWad: bigint }
  | { kind: "take"; tx: string; id: bigint; oweWad: bigint; debtCoveredWad: bigint }
  | { kind: "end"; tx: string; id: bigint; account: string; debtLeftWad: bigint }
  | { kind: "badDebt"; tx: string; account: string; fromVaultWad: bigint; toDeficitWad: bigint }
  | { kind: "liquidated"; tx: string; account: string; whole: boolean; writtenOffWad: bigint };

/**
 * Where a run's bad debt comes from. An auction that ends with its lot sold and debt left, on an
 * account without collateral, books bad debt. Each payment covers debt and penalty pro rata (debt
 * covered = paid x debt / tab), except that the ledger lets the last payment's penalty share
 * cover the debt left first (IAuctionSink.onAuctionTake), so that bad debt has two parts:
 * `shortfallUsd`, the debt the proceeds did not reach (debt - paid, when positive), and
 * `penaltyShareUsd`, the penalty share of the auction's earlier payments, which the vault booked
 * as income (zero for an auction sold in one take). Since ADR 0014 the account's last auction's
 * end also books what the finished account still owed itself (`ownDebtAtEndUsd`: shortfalls of
 * its earlier auctions charged back to it while this one ran, a loss left on it, their fees).
 */
export interface LossBreakdown {
  /** Sum of BadDebtCovered (vault + deficit), USD. */
  badDebtUsd: number;
  /** Bad debt booked at the end of auctions, USD. */
  auctionBadDebtUsd: number;
  /** Debt written off at liquidation (an account with debt and no collateral), USD. */
  writeOffUsd: number;
  /** Over the auctions that ended in bad debt: sum of max(0, debt - proceeds), USD. */
  shortfallUsd: number;
  /** `auctionBadDebtUsd - shortfallUsd`: the penalty share of those auctions' earlier payments, USD. */
  penaltyShareUsd: number;
  /** Booked at an account's last auction's end beyond that auction's debt left: the account's own debt, USD. */
  ownDebtAtEndUsd: number;
  /** Penalty income of all takes (paid - debt covered), USD. */
  penaltyIncomeUsd: number;
  liquidations: number;
  wholeLiquidations: number;
  auctions: number;
  auctionsWithBadDebt: number;
}

const WAD = 10n ** 18n;
const wadUsd = (x: bigint): number => Number(x / WAD) + Number(x % WAD) / 1e18;

export function lossBreakdown(events: readonly LedgerEvent[]): LossBreakdown {
  const debtOf = new Map<bigint, bigint>();
  const paidOf = new Map<bigint, bigint>();
  // the penalty share of each auction's last payment (the one that ends it)
  const lastPenaltyOf = new Map<bigint, bigint>();
  const endsByTx = new Map<string, { id: bigint; account: string; debtLeftWad: bigint }[]>();
  let penalty = 0n;
  let liquidations = 0;
  let whole = 0;
  let writeOff = 0n;
  for (const e of events) {
    if (e.kind === "kick") debtOf.set(e.id, e.debtWad);
    else if (e.kind === "take") {
      paidOf.set(e.id, (paidOf.get(e.id) ?? 0n) + e.oweWad);
      lastPenaltyOf.set(e.id, e.oweWad - e.debtCoveredWad);
      penalty += e.oweWad - e.debtCoveredWad;
    } else if (e.kind === "end") {
      const list = endsByTx.get(e.tx) ?? [];
      list.push(e);
      endsByTx.set(e.tx, list);
    } else if (e.kind === "liquidated") {
      liquidations++;
      if (e.whole) whole++;
      writeOff += e.writtenOffWad;
    }
  }
  let badDebt = 0n;
  let fromAuctions = 0n;
  let shortfall = 0n;
  let ownAtEnd = 0n;
  const matched = new Set<bigint>();
  const withBadDebt = new Set<bigint>();
  for (const e of events) {
    if (e.kind !== "badDebt") continue;
    const amount = e.fromVaultWad + e.toDeficitWad;
    badDebt += amount;
    // the auction that ended in the same transaction for the same account: up to its debt left
    // (less the last payment's penalty share) is its own; the rest is the account's own debt,
    // which its last auction's end books (ADR 0014)
    const end = (endsByTx.get(e.tx) ?? []).find(
      (x) => x.account.toLowerCase() === e.account.toLowerCase() && !matched.has(x.id),
    );
    if (end === undefined) continue;
    matched.add(end.id);
    // the auction's debt left net of its last payment's penalty share (onAuctionTake)
    const lastPenalty = lastPenaltyOf.get(end.id) ?? 0n;
    const netLeft = end.debtLeftWad - (lastPenalty < end.debtLeftWad ? lastPenalty : end.debtLeftWad);
    const fromAuction = amount < netLeft ? amount : netLeft;
    ownAtEnd += amount - fromAuction;
    if (fromAuction === 0n) continue;
    withBadDebt.add(end.id);
    fromAuctions += fromAuction;
    const debt = debtOf.get(end.id) ?? 0n;
    const paid = paidOf.get(end.id) ?? 0n;
    if (debt > paid) shortfall += debt - paid;
  }
  return {
    badDebtUsd: wadUsd(badDebt),
    auctionBadDebtUsd: wadUsd(fromAuctions),
    writeOffUsd: wadUsd(writeOff),
    shortfallUsd: wadUsd(shortfall),
    penaltyShareUsd: wadUsd(fromAuctions - shortfall),
    ownDebtAtEndUsd: wadUsd(ownAtEnd),
    penaltyIncomeUsd: wadUsd(penalty),
    liquidations,
    wholeLiquidations: whole,
    auctions: debtOf.size,
    auctionsWithBadDebt: withBadDebt.size,
  };
}

/** One line of the table. */
export interface FidelityRow {
  id: string;
  group: FidelityVariant["group"];
  label: string;
  scenario: string;
  seed: number | string;
  accounts: number | null;
  marginMode: string;
  badDebt: number;
  deficit: number;
  maxDeficit: number;
  liquidations: number;
  liquidatedUsd: number;
  auctionEfficiency: number | null;
  clearingVsOracle: number | null;
  clearingVsMarket: number | null;
  worstStepVsOracle: number | null;
  shareBelowHalfOracle: number | null;
  cascadeAmplification: number | null;
  /**
   * The asset whose ratio `cascadeAmplification` reports (the largest amplification; without
   * one, the asset with the largest exogenous drawdown), and its two drawdowns: exogenous (the
   * denominator) and CEX (the numerator), so that cexDrawdown / exogenousDrawdown is the
   * amplification shown beside them.
   */
  cascadeAsset: string | null;
  exogenousDrawdown: number | null;
  cexDrawdown: number | null;
  peakLiquidationVelocity: number;
  maxBreakerLevel: number;
  timeAboveLevel0Hours: number;
  /**
   * Accounts the ledger would liquidate at the end of the run, with their debt: losses not yet
   * realized (e.g. under a breaker pause); the summary's `liquidatableAtEnd`, null without it.
   */
  liquidatableAtEnd: EndAccounts | null;
  /**
   * Accounts below health 1 at the end holding nothing but running auctions, which the ledger
   * does not liquidate (ADR 0014); the summary's `awaitingAuctionsAtEnd`, null without it.
   */
  awaitingAuctionsAtEnd: AwaitingAuctions | null;
  /** From the run's events; null when they were not read (a table rebuilt from files only). */
  losses: LossBreakdown | null;
  /** The liquidator bots the seed drew (null when not known). */
  keepers: KeeperProfile[] | null;
}

/** A drawn liquidator, as the table lists it. */
export interface KeeperProfile {
  maxGasGwei: number | null;
  latencySeconds: number;
  minProfitUsd: number;
  minDiscount: number;
}

/** "76 gwei / 30 s / $328", with the discount when there is one. */
export function keeperText(k: KeeperProfile): string {
  const gas = k.maxGasGwei === null ? "no gas ceiling" : `${k.maxGasGwei.toFixed(0)} gwei`;
  const discount = k.minDiscount > 0 ? ` / waits for ${(k.minDiscount * 100).toFixed(0)}% off` : "";
  return `${gas} / ${k.latencySeconds.toFixed(0)} s / ${usd(k.minProfitUsd)}${discount}`;
}

/**
 * The asset behind a summary's cascade amplification: the largest `amplification` (the summary's
 * max over assets; first asset on a tie), or, when no asset has one (drawdowns below the floor),
 * the largest exogenous drawdown. `undefined` without assets.
 */
export function cascadeAssetOf(
  summary: Pick<RunSummary, "cascadeByAsset">,
): ({ asset: string } & AssetCascade) | undefined {
  let best: ({ asset: string } & AssetCascade) | undefined;
  for (const [asset, c] of Object.entries(summary.cascadeByAsset)) {
    const better =
      best === undefined ||
      (c.amplification !== null && (best.amplification === null || c.amplification > best.amplification)) ||
      (c.amplification === null &&
        best.amplification === null &&
        c.exogenousDrawdown > best.exogenousDrawdown);
    if (better) best = { asset, ...c };
  }
  return best;
}

export function fidelityRow(
  variant: FidelityVariant,
  summary: RunSummary,
  steps: readonly AuctionStepLike[],
  losses: LossBreakdown | null = null,
  keepers: KeeperProfile[] | null = null,
): FidelityRow {
  const stats = auctionStats(steps);
  const cascade = cascadeAssetOf(summary);
  return {
    id: variant.id,
    group: variant.group,
    label: variant.label,
    scenario: summary.scenario,
    seed: summary.seed,
    accounts: summary.meta.accounts ?? null,
    marginMode: summary.marginMode,
    badDebt: summary.badDebt,
    deficit: summary.deficit,
    maxDeficit: summary.maxDeficit,
    liquidations: summary.liquidations,
    liquidatedUsd: summary.liquidatedUsd,
    auctionEfficiency: summary.auctionEfficiency,
    clearingVsOracle: stats.clearingVsOracle,
    clearingVsMarket: stats.clearingVsMarket,
    worstStepVsOracle: stats.worstStepVsOracle,
    shareBelowHalfOracle: stats.shareBelowHalfOracle,
    cascadeAmplification: summary.cascadeAmplification,
    cascadeAsset: cascade?.asset ?? null,
    exogenousDrawdown: cascade?.exogenousDrawdown ?? null,
    cexDrawdown: cascade?.cexDrawdown ?? null,
    peakLiquidationVelocity: summary.peakLiquidationVelocity,
    maxBreakerLevel: summary.maxBreakerLevel,
    timeAboveLevel0Hours: summary.timeAboveLevel0 / 3600,
    liquidatableAtEnd: summary.liquidatableAtEnd ?? null,
    awaitingAuctionsAtEnd: summary.awaitingAuctionsAtEnd ?? null,
    losses,
    keepers,
  };
}

export const usd = (x: number): string =>
  `$${Math.round(x).toLocaleString("en-US", { maximumFractionDigits: 0 })}`;
export const ratio = (x: number | null, digits = 3): string => (x === null ? "n/a" : x.toFixed(digits));
export const pct = (x: number | null): string => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);

/** The table's lines: [name, cell of a row]. */
const LINES: readonly [string, (r: FidelityRow) => string][] = [
  ["bad debt", (r) => usd(r.badDebt)],
  ["  of it: shortfall (debt - proceeds)", (r) => (r.losses === null ? "n/a" : usd(r.losses.shortfallUsd))],
  [
    "  of it: penalty share of earlier payments",
    (r) => (r.losses === null ? "n/a" : usd(r.losses.penaltyShareUsd)),
  ],
  [
    "  of it: own debt, at the last auction's end",
    (r) => (r.losses === null ? "n/a" : usd(r.losses.ownDebtAtEndUsd)),
  ],
  ["  of it: written off at liquidation", (r) => (r.losses === null ? "n/a" : usd(r.losses.writeOffUsd))],
  ["deficit (end)", (r) => usd(r.deficit)],
  ["deficit (max)", (r) => usd(r.maxDeficit)],
  [
    "still liquidatable at the end",
    (r) =>
      r.liquidatableAtEnd === null
        ? "n/a"
        : `${r.liquidatableAtEnd.accounts} (${usd(r.liquidatableAtEnd.debtUsd)})`,
  ],
  [
    "  awaiting their auctions at the end (debt / tab)",
    (r) =>
      r.awaitingAuctionsAtEnd === null
        ? "n/a"
        : `${r.awaitingAuctionsAtEnd.accounts} (${usd(r.awaitingAuctionsAtEnd.debtUsd)} / ${usd(r.awaitingAuctionsAtEnd.tabUsd)})`,
  ],
  ["liquidations", (r) => String(r.liquidations)],
  [
    "  whole-account / auctions with bad debt",
    (r) => (r.losses === null ? "n/a" : `${r.losses.wholeLiquidations} / ${r.losses.auctionsWithBadDebt}`),
  ],
  ["liquidated", (r) => usd(r.liquidatedUsd)],
  ["auction efficiency", (r) => ratio(r.auctionEfficiency)],
  ["avg clearing / oracle", (r) => ratio(r.clearingVsOracle)],
  ["avg clearing / CEX", (r) => ratio(r.clearingVsMarket)],
  ["worst step clearing / oracle", (r) => ratio(r.worstStepVsOracle)],
  ["sold below half the oracle", (r) => pct(r.shareBelowHalfOracle)],
  ["cascade amplification", (r) => ratio(r.cascadeAmplification)],
  [
    "exogenous / CEX drawdown",
    (r) =>
      `${pct(r.exogenousDrawdown)} / ${pct(r.cexDrawdown)}${r.cascadeAsset === null ? "" : ` (${r.cascadeAsset})`}`,
  ],
  ["peak liquidation velocity /h", (r) => usd(r.peakLiquidationVelocity)],
  ["max breaker level", (r) => String(r.maxBreakerLevel)],
  ["hours above breaker level 0", (r) => r.timeAboveLevel0Hours.toFixed(2)],
];

/** Plain-text table for the terminal: one column per run. */
export function textTable(rows: readonly FidelityRow[]): string {
  const header = ["", ...rows.map((r) => r.id)];
  const body = LINES.map(([name, f]) => [name, ...rows.map(f)]);
  const widths = header.map((_, c) => Math.max(...[header, ...body].map((row) => row[c].length)));
  const line = (row: string[]): string =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(line)].join("\n");
}

/** Markdown: one table per group, one column per run, then what each column is. */
export function markdownTables(rows: readonly FidelityRow[], command: string): string {
  const out: string[] = [`Command: \`${command}\``, ""];
  const groups: [FidelityVariant["group"], string][] = [
    ["black-thursday", "Black Thursday (2020-03-12 replay)"],
    ["depth", "Depth and cascade amplification (flash-crash)"],
  ];
  for (const [group, title] of groups) {
    const rs = rows.filter((r) => r.group === group);
    if (rs.length === 0) continue;
    out.push(`### ${title}`, "");
    out.push(`|  | ${rs.map((r) => `\`${r.id}\``).join(" | ")} |`);
    out.push(`| --- | ${rs.map(() => "---:").join(" | ")} |`);
    for (const [name, f] of LINES) out.push(`| ${name} | ${rs.map(f).join(" | ")} |`);
    out.push("");
    for (const r of rs) {
      out.push(`- \`${r.id}\`: ${r.label} (${r.scenario}, seed ${r.seed}, ${r.accounts ?? "?"} accounts)`);
      if (r.keepers !== null)
        out.push(`  - keepers (gas ceiling / latency / min profit): ${r.keepers.map(keeperText).join("; ")}`);
    }
    out.push("");
  }
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// The command.

export interface FidelityArgs {
  accounts: number;
  out: string;
  only: readonly FidelityVariant[];
  report: boolean;
  /** Replaces every variant's seed (undefined: the variants' own). */
  seed: number | undefined;
}

function nonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value)))
      throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${value}"`);
    return Number(value);
  };
}

function positiveInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) === 0 || !Number.isSafeInteger(Number(value)))
      throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return Number(value);
  };
}

/** `--help` was given: the help is printed, the command exits 0. */
export class FidelityHelp extends Error {
  constructor() {
    super("help displayed");
    this.name = "FidelityHelp";
  }
}

/** Parses the arguments; throws a message for exit code 2 (FidelityHelp after --help, exit 0). */
export function parseFidelityArgs(argv: readonly string[]): FidelityArgs {
  const cmd = new Command("sim:fidelity")
    .option("--accounts <N>", "accounts per run", positiveInt("--accounts"), DEFAULT_ACCOUNTS)
    .option("-o, --out <dir>", "output directory", DEFAULT_OUT)
    .option("--only <ids>", `comma-separated subset of: ${VARIANTS.map((v) => v.id).join(", ")}`)
    .option("--seed <n>", "one seed for every run instead of the scenarios' own", nonNegativeInt("--seed"))
    .option("--report", "also write each run's report.html", false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: () => undefined });
  try {
    cmd.parse([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.help") throw new FidelityHelp();
      throw new Error(e.message.replace(/^error: /, ""));
    }
    throw e;
  }
  const o = cmd.opts<{ accounts: number; out: string; only?: string; seed?: number; report: boolean }>();
  let only: FidelityVariant[] = [...VARIANTS];
  if (o.only !== undefined) {
    const ids = o.only.split(",").map((s) => s.trim());
    const unknown = ids.filter((id) => !VARIANTS.some((v) => v.id === id));
    if (unknown.length > 0)
      throw new Error(
        `--only: unknown ${unknown.join(", ")} (known: ${VARIANTS.map((v) => v.id).join(", ")})`,
      );
    only = VARIANTS.filter((v) => ids.includes(v.id));
  }
  if (o.out.trim() === "") throw new Error("--out must name a directory (it is empty)");
  if (o.seed !== undefined) only = only.map((v) => ({ ...v, seed: o.seed as number }));
  return { accounts: o.accounts, out: resolve(o.out), only, report: o.report, seed: o.seed };
}

/** The command line that reproduces a run of the check. */
export function commandLine(args: FidelityArgs): string {
  const parts = ["npm run sim:fidelity --"];
  if (args.accounts !== DEFAULT_ACCOUNTS) parts.push(`--accounts ${args.accounts}`);
  if (args.only.length !== VARIANTS.length) parts.push(`--only ${args.only.map((v) => v.id).join(",")}`);
  if (args.seed !== undefined) parts.push(`--seed ${args.seed}`);
  return parts.length === 1 ? "npm run sim:fidelity" : parts.join(" ");
}

/** One decoded log as a ledger event (`args` as ethers decodes them). */
export function toLedgerEvent(
  name: string,
  args: { getValue(key: string): unknown },
  tx: string,
): LedgerEvent {
  const big = (k: string): bigint => args.getValue(k) as bigint;
  const addr = (k: string): string => String(args.getValue(k));
  switch (name) {
    case "Kick":
      return { kind: "kick", tx, id: big("id"), account: addr("account"), debtWad: big("debtWad") };
    case "Take":
      return {
        kind: "take",
        tx,
        id: big("id"),
        oweWad: big("oweWad"),
        debtCoveredWad: big("debtCoveredWad"),
      };
    case "AuctionEnded":
      return { kind: "end", tx, id: big("id"), account: addr("account"), debtLeftWad: big("debtLeftWad") };
    case "BadDebtCovered":
      return {
        kind: "badDebt",
        tx,
        account: addr("account"),
        fromVaultWad: big("fromVaultWad"),
        toDeficitWad: big("toDeficitWad"),
      };
    case "Liquidated":
      return {
        kind: "liquidated",
        tx,
        account: addr("account"),
        whole: args.getValue("whole") as boolean,
        writtenOffWad: big("writtenOffWad"),
      };
    default:
      throw new Error(`unexpected event ${name}`);
  }
}

export async function runFidelity(args: FidelityArgs): Promise<FidelityRow[]> {
  const root = repoRoot();
  // validate every scenario before loading Hardhat
  const scenarios = args.only.map((v) => loadScenarioFile(join(root, v.scenario)).scenario);
  const { default: hre } = await import("hardhat");
  const { runSimulation } = await import("../simulations/engine.js");
  const { readRun } = await import("../simulations/metrics/io.js");
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const { Interface } = await import("ethers");
  const abis: { type?: string }[][] = await Promise.all(
    ["DutchAuction", "LiquidationEngine", "Clearinghouse"].map(
      async (n): Promise<{ type?: string }[]> =>
        (await hre.artifacts.readArtifact(n)).abi as { type?: string }[],
    ),
  );
  const iface = new Interface(abis.flat().filter((f) => f.type === "event"));
  const names = ["Kick", "Take", "AuctionEnded", "BadDebtCovered", "Liquidated"];
  const topics = names.map((n) => iface.getEvent(n)!.topicHash);
  // the liquidation events of the run, read after its last step while the chain is still open
  let events: LedgerEvent[] = [];
  const readEvents = async (chain: Chain): Promise<void> => {
    const logs = (await chain.connection.provider.request({
      method: "eth_getLogs",
      params: [{ fromBlock: "0x0", toBlock: "latest", topics: [topics] }],
    })) as { topics: string[]; data: string; transactionHash: string }[];
    events = logs.flatMap((l) => {
      const ev = iface.parseLog(l);
      return ev === null ? [] : [toLedgerEvent(ev.name, ev.args, l.transactionHash)];
    });
  };
  mkdirSync(args.out, { recursive: true });
  const rows: FidelityRow[] = [];
  for (const [i, v] of args.only.entries()) {
    const dir = join(args.out, v.id);
    console.error(`fidelity: [${i + 1}/${args.only.length}] ${v.id}: ${v.label} (${v.scenario})`);
    const t0 = performance.now();
    await runSimulation({
      hre,
      scenario: scenarios[i],
      scenarioLabel: v.scenario,
      seed: v.seed,
      accounts: args.accounts,
      outDir: dir,
      noReport: !args.report,
      label: v.id,
      onEnd: readEvents,
    });
    const run = await readRun(dir);
    // the bots the engine drew: the same stream (`liquidators` fork of the seed)
    const keepers = drawLiquidators(scenarios[i], Rng.fromSeed(v.seed).fork("liquidators")).map((p) => ({
      maxGasGwei: p.maxGasGwei ?? null,
      latencySeconds: p.latencySeconds,
      minProfitUsd: p.minProfitUsd,
      minDiscount: p.minDiscount,
    }));
    rows.push(fidelityRow(v, run.summary, run.steps, lossBreakdown(events), keepers));
    events = [];
    console.error(
      `fidelity: ${v.id} done in ${((performance.now() - t0) / 1000).toFixed(0)} s: bad debt ${usd(run.summary.badDebt)}`,
    );
  }
  const command = commandLine(args);
  writeFileSync(
    join(args.out, "fidelity.json"),
    JSON.stringify({ command, accounts: args.accounts, rows }, null, 2) + "\n",
  );
  writeFileSync(join(args.out, "fidelity.md"), markdownTables(rows, command));
  return rows;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: FidelityArgs;
  try {
    args = parseFidelityArgs(argv);
    // the output directory is checked (created, write-probed) before Hardhat loads
    checkOutDir(args.out);
  } catch (e) {
    if (e instanceof FidelityHelp) return 0;
    console.error(`sim:fidelity: ${(e as Error).message}`);
    return 2;
  }
  try {
    const rows = await runFidelity(args);
    console.log(`\n${textTable(rows)}\n`);
    const rel = relative(process.cwd(), args.out) || ".";
    console.log(`wrote ${join(rel, "fidelity.json")}, ${join(rel, "fidelity.md")}`);
    return 0;
  } catch (e) {
    console.error(`sim:fidelity: failed: ${(e as Error).message}`);
    if (process.env.SIM_DEBUG !== undefined) console.error(e);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
