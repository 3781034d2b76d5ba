/**
 * The profiler's command line (`npm run profile -- --help`), apart from profile.ts, which runs on
 * import, so that tests can check it.
 */
import { BUDGET_GROUPS } from "./budget.js";

/** Rows with a transaction to trace (the bench's gas rows; healthView is a call, not a transaction). */
export const CORE_PROFILE_ROWS = [
  "deposit",
  "withdraw",
  "borrow",
  "borrowOracleRead",
  "repay",
  "openPosition",
  "modifyPosition",
  "closePosition",
  "oraclePoke",
  "marginPoke",
  "refreshPrices",
  "vaultDeposit",
] as const;
/** Rows of the liquidation scenario (measured only when one of them is asked for). */
export const LIQUIDATION_PROFILE_ROWS = [
  "liquidate",
  "takeFull",
  "takePartial",
  "redo",
  "liquidateBatch",
  "liquidateBatchRecycled",
] as const;
const PROFILE_ROWS: readonly string[] = [...CORE_PROFILE_ROWS, ...LIQUIDATION_PROFILE_ROWS];
const DEFAULT_ROWS = ["borrow", "openPosition", "modifyPosition"];

export const USAGE = `Usage: npm run profile [-- row ...]      (default rows: ${DEFAULT_ROWS.join(" ")})
       npm run profile -- --budget

Replays the benchmark's transactions with debug_traceTransaction and prints, per contract, the gas
each frame used itself, its SLOADs, SSTOREs and call overhead, then the same by category.
--budget: for each gas target of DESIGN.md section 6, the gas outside the protocol's own code
(intrinsic + calldata, price reads, token moves) and the budget the target leaves to the rest.
Rows: ${PROFILE_ROWS.join(", ")}
Environment: PROFILE_OPS=1, PROFILE_SRC=1|compute|ops, PROFILE_TOP=n, PROFILE_SLOTS=1 (docs/gas.md).
Exit codes: 0 done, 1 the run failed, 2 bad arguments.`;

/** What to run: the rows to print, or the budget table, or the usage. */
export type ProfileArgs = { rows: string[]; budget: boolean } | "help";

/** Parses the arguments; throws a message naming every unknown row (exit 2). */
export function parseProfileArgs(argv: readonly string[]): ProfileArgs {
  if (argv.includes("--help") || argv.includes("-h")) return "help";
  if (argv.includes("--budget")) {
    if (argv.length > 1) throw new Error("--budget takes no rows (it traces the rows of every target)");
    return { rows: [...new Set(BUDGET_GROUPS.flatMap((g) => g.rows))], budget: true };
  }
  const unknown = argv.filter((r) => !PROFILE_ROWS.includes(r));
  if (unknown.length > 0)
    throw new Error(
      `unknown row${unknown.length > 1 ? "s" : ""} ${unknown.map((r) => `"${r}"`).join(", ")}; valid rows: ${PROFILE_ROWS.join(", ")}`,
    );
  return { rows: argv.length > 0 ? [...new Set(argv)] : DEFAULT_ROWS, budget: false };
}
