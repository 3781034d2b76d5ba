/**
 * The suites a mutant can be killed by, and how to read the first failing test out of their
 * output. The property and invariant suites run through their package.json scripts (so the
 * runner follows whatever `test:property` / `test:invariant` run); the others are mocha files
 * run with `--bail` (the first failure is all the runner needs).
 */
import type { SuiteId } from "./mutants.js";

export interface Suite {
  id: SuiteId;
  /** What the suite is (shown in the header). */
  label: string;
  /** The command, run in the scratch copy's root with its node_modules/.bin first on PATH. */
  argv: readonly string[];
}

const mocha = (files: readonly string[]): readonly string[] => [
  "hardhat",
  "test",
  "mocha",
  "--bail",
  "--no-compile",
  ...files,
];

export const SUITES: Readonly<Record<SuiteId, Suite>> = {
  property: {
    id: "property",
    label: "npm run test:property (fast-check, model-based)",
    argv: ["npm", "run", "--silent", "test:property"],
  },
  invariant: {
    id: "invariant",
    label: "npm run test:invariant (Solidity invariant campaign)",
    argv: ["npm", "run", "--silent", "test:invariant"],
  },
  "unit:clearinghouse": {
    id: "unit:clearinghouse",
    label: "test/unit/core/Clearinghouse.test.ts",
    argv: mocha(["test/unit/core/Clearinghouse.test.ts"]),
  },
  "unit:ch-perps": {
    id: "unit:ch-perps",
    label: "test/unit/core/ClearinghousePerps.test.ts",
    argv: mocha(["test/unit/core/ClearinghousePerps.test.ts"]),
  },
  "unit:liquidation": {
    id: "unit:liquidation",
    label: "test/unit/liquidation/LiquidationEngine.test.ts",
    argv: mocha(["test/unit/liquidation/LiquidationEngine.test.ts"]),
  },
  "unit:auction": {
    id: "unit:auction",
    label: "test/unit/liquidation/DutchAuction.test.ts",
    argv: mocha(["test/unit/liquidation/DutchAuction.test.ts"]),
  },
  "unit:breaker": {
    id: "unit:breaker",
    label: "test/unit/risk/CircuitBreaker.test.ts",
    argv: mocha(["test/unit/risk/CircuitBreaker.test.ts"]),
  },
  "unit:ch-breaker": {
    id: "unit:ch-breaker",
    label: "test/unit/core/ClearinghouseBreaker.test.ts",
    argv: mocha(["test/unit/core/ClearinghouseBreaker.test.ts"]),
  },
  "unit:oracle": {
    id: "unit:oracle",
    label: "test/unit/oracle/OracleRouter.test.ts",
    argv: mocha(["test/unit/oracle/OracleRouter.test.ts"]),
  },
  "unit:price-cache": {
    id: "unit:price-cache",
    label: "test/unit/core/ClearinghousePriceCache.test.ts",
    argv: mocha(["test/unit/core/ClearinghousePriceCache.test.ts"]),
  },
  "unit:backstop-vault": {
    id: "unit:backstop-vault",
    label: "test/unit/core/BackstopVault.test.ts",
    argv: mocha(["test/unit/core/BackstopVault.test.ts"]),
  },
  "unit:curves": {
    id: "unit:curves",
    label: "test/unit/liquidation/curves.test.ts",
    argv: mocha(["test/unit/liquidation/curves.test.ts"]),
  },
  "unit:settlement": {
    id: "unit:settlement",
    label: "test/unit/core/GlobalSettlement.test.ts",
    argv: mocha(["test/unit/core/GlobalSettlement.test.ts"]),
  },
  "e2e:liquidation": {
    id: "e2e:liquidation",
    label: "test/e2e/liquidation.test.ts",
    argv: mocha(["test/e2e/liquidation.test.ts"]),
  },
  "probe:liquidation-boundary": {
    id: "probe:liquidation-boundary",
    label: "test/unit/liquidation/LiquidationBoundary.test.ts",
    argv: mocha(["test/unit/liquidation/LiquidationBoundary.test.ts"]),
  },
  "unit:auction-clear": {
    id: "unit:auction-clear",
    label: "test/unit/liquidation/AuctionClearRule.test.ts",
    argv: mocha(["test/unit/liquidation/AuctionClearRule.test.ts"]),
  },
  "unit:ch-bad-debt": {
    id: "unit:ch-bad-debt",
    label: "test/unit/core/ClearinghouseBadDebt.test.ts",
    argv: mocha(["test/unit/core/ClearinghouseBadDebt.test.ts"]),
  },
  "unit:timelock": {
    id: "unit:timelock",
    label: "test/unit/governance/BallastTimelock.test.ts",
    argv: mocha(["test/unit/governance/BallastTimelock.test.ts"]),
  },
  "unit:lens": {
    id: "unit:lens",
    label: "test/unit/periphery/AccountLens.test.ts",
    argv: mocha(["test/unit/periphery/AccountLens.test.ts"]),
  },
  "unit:keeper-reward": {
    id: "unit:keeper-reward",
    label: "test/unit/liquidation/KeeperRewardRule.test.ts",
    argv: mocha(["test/unit/liquidation/KeeperRewardRule.test.ts"]),
  },
};

export interface FirstFailure {
  /** The failing test's full title ("describe > it"), or the Solidity test's name. */
  test: string;
  /** The first line of its error that says why (an invariant id when there is one). */
  reason: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

/** The first failing test in the output of mocha (spec reporter) or `hardhat test solidity`. */
export function firstFailure(output: string): FirstFailure | undefined {
  const lines = output.replace(ANSI, "").split("\n");
  return mochaFailure(lines) ?? solidityFailure(lines);
}

/** The invariant-style message in `lines` ("I1: ...", "MODEL: ...", "I13 (...)"), if any. */
function invariantReason(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const m = /(?:^|[\s"'(:])((?:I\d{1,2}|MODEL)\b[:\s(].*)$/.exec(line.trim());
    if (m !== null && !/hold after every command/.test(line)) return m[1].trim().slice(0, 200);
  }
  return undefined;
}

function mochaFailure(lines: readonly string[]): FirstFailure | undefined {
  const failing = lines.findIndex((l) => /^\s*\d+ failing\s*$/.test(l));
  if (failing < 0) return undefined;
  const start = lines.findIndex((l, i) => i > failing && /^\s*1\) /.test(l));
  if (start < 0) return undefined;
  const title: string[] = [lines[start].replace(/^\s*1\) /, "").trim()];
  let i = start;
  // mocha ends a title with ":"; hardhat's Solidity runner puts the error on the next line
  while (
    !title[title.length - 1].endsWith(":") &&
    i + 1 < lines.length &&
    lines[i + 1].trim() !== "" &&
    !/^([A-Za-z]*Error\b|Counterexample)/.test(lines[i + 1].trim())
  ) {
    i++;
    title.push(lines[i].trim());
  }
  const test = title
    .join(" > ")
    .replace(/:$/, "")
    .replace(/^"before (all|each)" hook.*?> /, "(hook) ");
  const end = lines.findIndex((l, j) => j > i && /^\s*2\) /.test(l));
  const body = lines.slice(i + 1, end < 0 ? undefined : end);
  const failure = body.find((l) => /^\s*Failure: /.test(l))?.replace(/^\s*Failure: /, "");
  const first = body.find((l) => l.trim() !== "")?.trim() ?? "";
  const reason = (
    invariantReason(failure === undefined ? body.slice(0, 2) : [failure]) ??
    failure ??
    first
  ).slice(0, 200);
  return { test, reason };
}

function solidityFailure(lines: readonly string[]): FirstFailure | undefined {
  const idx = lines.findIndex((l) => /✘|\[FAIL|\bFAIL(ED)?\b/.test(l) && !/passing/.test(l));
  if (idx < 0) return undefined;
  const test = lines[idx]
    .replace(/^\s*(✘|\[FAIL[^\]]*\]|\d+\))\s*/, "")
    .trim()
    .slice(0, 160);
  const reason =
    invariantReason(lines.slice(idx)) ??
    lines
      .slice(idx + 1)
      .find((l) => l.trim() !== "")
      ?.trim() ??
    "";
  return { test, reason: reason.slice(0, 200) };
}
