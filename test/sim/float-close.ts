/**
 * `expectClose(actual, expected, delta, message?)`: a floating-point "close to" for the
 * simulation tests. chai's own `closeTo` cannot be used here: when the whole suite runs, Hardhat's
 * chai matchers replace it with a bigint-only version that rejects non-integers.
 */
import { expect } from "chai";

export function expectClose(
  actual: number | null | undefined,
  expected: number,
  delta: number,
  message?: string,
): void {
  const ok = typeof actual === "number" && Number.isFinite(actual) && Math.abs(actual - expected) <= delta;
  expect(
    ok,
    `${message ? `${message}: ` : ""}expected ${actual} to be close to ${expected} +/- ${delta}`,
  ).to.equal(true);
}
