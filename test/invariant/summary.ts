/**
 * Call counters of the Solidity invariant suite, which Hardhat does not print: each invariant run
 * appends one line of `name=calls/reverted` pairs to cache/invariant-calls.log
 * (LedgerInvariants.t.sol, afterInvariant). `npm run test:invariant` runs
 *   node --import tsx test/invariant/summary.ts --reset   (empties the log, notes the start time)
 *   hardhat test solidity test/invariant/LedgerInvariants.t.sol
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
}

export function sumCallLog(text: string): CallTotals {
  const calls = new Map<string, { calls: number; reverted: number }>();
  let runs = 0;
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    runs++;
    for (const pair of line.trim().split(/\s+/)) {
      const m = /^([A-Za-z0-9]+)=(\d+)\/(\d+)$/.exec(pair);
      if (m === null) throw new Error(`${CALL_LOG}: cannot read "${pair}"`);
      const c = calls.get(m[1]) ?? { calls: 0, reverted: 0 };
      c.calls += Number(m[2]);
      c.reverted += Number(m[3]);
      total += Number(m[2]);
      calls.set(m[1], c);
    }
  }
  return { runs, calls, total };
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
  const totals = sumCallLog(readFileSync(CALL_LOG, "utf8"));
  const started = existsSync(START_FILE) ? Number(readFileSync(START_FILE, "utf8")) : NaN;
  const seconds = (Date.now() - started) / 1000;
  console.log(`\nInvariant handler calls (${totals.runs} runs):`);
  for (const [name, c] of [...totals.calls.entries()].sort((a, b) => b[1].calls - a[1].calls)) {
    const rev = c.reverted > 0 ? `  (${c.reverted} reverted)` : "";
    console.log(`  ${name.padEnd(26)} ${String(c.calls).padStart(9)}${rev}`);
  }
  console.log(`  ${"total (state-changing)".padEnd(26)} ${String(totals.total).padStart(9)}`);
  // the fuzzer makes runs x depth handler calls; the others returned early (nothing to act on)
  const runs = Number(process.env.INVARIANT_RUNS ?? 16);
  const depth = Number(process.env.INVARIANT_DEPTH ?? 200);
  const calls = runs * depth;
  const rate = Number.isFinite(seconds) && seconds > 0 ? (calls / seconds).toFixed(0) : "?";
  console.log(
    `  handler calls ${runs} x ${depth} = ${calls} in ${seconds.toFixed(1)} s: invariantCallsPerSec=${rate} (wall clock, incl. startup)`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2));
}
