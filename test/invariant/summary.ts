/**
 * Call counters of the Solidity invariant suites, which Hardhat does not print: each invariant run
 * appends one line of `name=calls/reverted` pairs to cache/invariant-calls.log (afterInvariant of
 * LedgerInvariants.t.sol and LiquidationInvariants.t.sol). A line may start with `@suite` (the
 * liquidation suite writes `@liquidation`; untagged lines are the ledger suite's). Names that
 * start with `finding` are known findings counted by a suite, not handler calls.
 * `npm run test:invariant` runs
 *   node --import tsx test/invariant/summary.ts --reset   (empties the log, notes the start time)
 *   hardhat test solidity test/invariant/LedgerInvariants.t.sol test/invariant/LiquidationInvariants.t.sol
 *   node --import tsx test/invariant/summary.ts            (adds up and prints, with calls per second)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

export const CALL_LOG = resolve("cache/invariant-calls.log");
const START_FILE = resolve("cache/invariant-calls.start");

export interface CallTotals {
  runs: number;
  calls: Map<string, { calls: number; reverted: number }>;
  total: number;
  /** Known findings counted by the suite (`finding...=n/0`), not calls. */
  findings: Map<string, number>;
}

/** The suite of an untagged line. */
export const DEFAULT_SUITE = "ledger";

const emptyTotals = (): CallTotals => ({ runs: 0, calls: new Map(), total: 0, findings: new Map() });

/** Adds up the call log, per suite (in the order the suites first appear). */
export function sumCallLogBySuite(text: string): Map<string, CallTotals> {
  const suites = new Map<string, CallTotals>();
  for (const line of text.split("\n")) {
    const pairs = line
      .trim()
      .split(/\s+/)
      .filter((p) => p !== "");
    if (pairs.length === 0) continue;
    let suite = DEFAULT_SUITE;
    if (pairs[0].startsWith("@")) suite = pairs.shift()!.slice(1);
    const t = suites.get(suite) ?? emptyTotals();
    suites.set(suite, t);
    t.runs++;
    for (const pair of pairs) {
      const m = /^([A-Za-z0-9]+)=(\d+)\/(\d+)$/.exec(pair);
      if (m === null) throw new Error(`${CALL_LOG}: cannot read "${pair}"`);
      if (m[1].startsWith("finding")) {
        t.findings.set(m[1], (t.findings.get(m[1]) ?? 0) + Number(m[2]));
        continue;
      }
      const c = t.calls.get(m[1]) ?? { calls: 0, reverted: 0 };
      c.calls += Number(m[2]);
      c.reverted += Number(m[3]);
      t.total += Number(m[2]);
      t.calls.set(m[1], c);
    }
  }
  return suites;
}

/** All suites together (what the ledger-only log used to give). */
export function sumCallLog(text: string): CallTotals {
  const all = emptyTotals();
  for (const t of sumCallLogBySuite(text).values()) {
    all.runs += t.runs;
    all.total += t.total;
    for (const [name, c] of t.calls) {
      const a = all.calls.get(name) ?? { calls: 0, reverted: 0 };
      a.calls += c.calls;
      a.reverted += c.reverted;
      all.calls.set(name, a);
    }
    for (const [name, n] of t.findings) all.findings.set(name, (all.findings.get(name) ?? 0) + n);
  }
  return all;
}

function main(argv: readonly string[]): void {
  if (argv.includes("--reset")) {
    mkdirSync(resolve("cache"), { recursive: true });
    writeFileSync(CALL_LOG, "");
    writeFileSync(START_FILE, String(Date.now()));
    return;
  }
  if (!existsSync(CALL_LOG)) {
    console.log(`no invariant call log at ${CALL_LOG}`);
    return;
  }
  const suites = sumCallLogBySuite(readFileSync(CALL_LOG, "utf8"));
  const started = existsSync(START_FILE) ? Number(readFileSync(START_FILE, "utf8")) : NaN;
  const seconds = (Date.now() - started) / 1000;
  for (const [suite, totals] of suites) {
    console.log(`\nInvariant handler calls, ${suite} suite (${totals.runs} runs):`);
    for (const [name, c] of [...totals.calls.entries()].sort((a, b) => b[1].calls - a[1].calls)) {
      const rev = c.reverted > 0 ? `  (${c.reverted} reverted)` : "";
      console.log(`  ${name.padEnd(28)} ${String(c.calls).padStart(9)}${rev}`);
    }
    console.log(`  ${"total (state-changing)".padEnd(28)} ${String(totals.total).padStart(9)}`);
    for (const [name, n] of totals.findings) {
      console.log(`  known finding ${name.replace(/^finding/, "")}: ${n}`);
    }
  }
  // the fuzzer makes runs x depth handler calls per suite; the others returned early
  const runs = Number(process.env.INVARIANT_RUNS ?? 16);
  const depth = Number(process.env.INVARIANT_DEPTH ?? 200);
  const calls = runs * depth * Math.max(suites.size, 1);
  const rate = Number.isFinite(seconds) && seconds > 0 ? (calls / seconds).toFixed(0) : "?";
  console.log(
    `\n  handler calls ${runs} x ${depth} x ${suites.size} suite(s) = ${calls} in ${seconds.toFixed(1)} s: invariantCallsPerSec=${rate} (wall clock, incl. startup)`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
