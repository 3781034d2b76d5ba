/**
 * The gas budget a target leaves to the protocol's own code (`npm run profile -- --budget`).
 *
 * A measured transaction's gas splits into what the protocol's modules cannot change by their own
 * code (the transaction's intrinsic and calldata cost, the price read through the OracleRouter and
 * the Chainlink feed that ADR 0006 keeps on fills and liquidations, and the ERC-20 moves of the
 * collateral token and the stablecoin) and the rest, the gas of the ledger, the liquidation engine,
 * the auction, the breaker and the margin model. A target minus the first part is what the second
 * part may spend; the cut it asks of them is the distance from there to what they spend now.
 */
import { markdownTable, thousands } from "./format.js";

/** A budget line: one target, the profile rows whose transactions it adds up. */
export interface BudgetGroup {
  /** Name printed (a bench row key or a sum of them). */
  name: string;
  /** The profile rows (transactions) that make it up. */
  rows: readonly string[];
  /** DESIGN.md section 6's bound, per `divisor`. */
  target: number;
  /** Accounts per transaction (a batch of 20 is measured per account); 1 otherwise. */
  divisor: number;
}

/** The targets of DESIGN.md section 6 as the profiler's rows measure them. */
export const BUDGET_GROUPS: readonly BudgetGroup[] = [
  { name: "borrow", rows: ["borrow"], target: 120_000, divisor: 1 },
  { name: "openPosition", rows: ["openPosition"], target: 120_000, divisor: 1 },
  { name: "modifyPosition", rows: ["modifyPosition"], target: 120_000, divisor: 1 },
  { name: "liquidate + takeFull", rows: ["liquidate", "takeFull"], target: 200_000, divisor: 1 },
  { name: "liquidateBatch per account", rows: ["liquidateBatch"], target: 50_000, divisor: 20 },
  {
    name: "liquidateBatch per account (recycled)",
    rows: ["liquidateBatchRecycled"],
    target: 50_000,
    divisor: 20,
  },
];

/** One traced transaction: its receipt gas, the part outside execution, each frame's own gas. */
export interface TracedTx {
  totalGas: number;
  intrinsicGas: number;
  frames: readonly { label: string; selfGas: number }[];
}

/** What a frame is, for the budget. */
export type FrameKind = "price" | "token" | "module";

/** The budget of one group, per account. */
export interface Budget {
  name: string;
  target: number;
  measured: number;
  intrinsic: number;
  priceReads: number;
  tokenMoves: number;
  /** intrinsic + price reads + token moves: what the modules' own code does not decide. */
  outside: number;
  /** The protocol modules' own gas (measured - outside). */
  modules: number;
  /** target - outside: what the modules may spend under the target (negative: nothing). */
  modulesBudget: number;
  /** modules - modulesBudget when positive: the cut the target asks of the modules; else 0. */
  cut: number;
}

/** Adds up a group's transactions by kind; every figure divided by the group's divisor (rounded). */
export function gasBudget(
  group: BudgetGroup,
  txs: readonly TracedTx[],
  kindOf: (label: string) => FrameKind,
): Budget {
  if (txs.length !== group.rows.length)
    throw new Error(`budget ${group.name}: ${txs.length} transactions for ${group.rows.length} rows`);
  let measured = 0;
  let intrinsic = 0;
  let priceReads = 0;
  let tokenMoves = 0;
  for (const tx of txs) {
    measured += tx.totalGas;
    intrinsic += tx.intrinsicGas;
    for (const f of tx.frames) {
      const kind = kindOf(f.label);
      if (kind === "price") priceReads += f.selfGas;
      else if (kind === "token") tokenMoves += f.selfGas;
    }
  }
  const per = (g: number) => Math.round(g / group.divisor);
  const outside = per(intrinsic + priceReads + tokenMoves);
  const m = per(measured);
  const modules = m - outside;
  const modulesBudget = group.target - outside;
  return {
    name: group.name,
    target: group.target,
    measured: m,
    intrinsic: per(intrinsic),
    priceReads: per(priceReads),
    tokenMoves: per(tokenMoves),
    outside,
    modules,
    modulesBudget,
    cut: Math.max(0, modules - Math.max(0, modulesBudget)),
  };
}

/** The budget table (markdown), one line per group. */
export function formatBudgets(budgets: readonly Budget[]): string {
  const header = [
    "target (per account)",
    "target",
    "measured",
    "intrinsic + calldata",
    "price reads",
    "token moves",
    "modules now",
    "modules' budget",
    "cut asked of the modules",
  ];
  const lines = budgets.map((b) => [
    b.name,
    thousands(b.target),
    thousands(b.measured),
    thousands(b.intrinsic),
    thousands(b.priceReads),
    thousands(b.tokenMoves),
    thousands(b.modules),
    thousands(b.modulesBudget),
    b.cut === 0 ? "none (met)" : `${thousands(b.cut)} (${((b.cut / b.modules) * 100).toFixed(1)}%)`,
  ]);
  return markdownTable(header, lines);
}
