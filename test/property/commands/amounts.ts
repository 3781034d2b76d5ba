/**
 * Bounded but adversarial amounts. A command carries an `AmountSpec`, resolved when it runs
 * against the model's current state: zero, one wei, a fraction of the relevant maximum, the
 * maximum itself and one past it, a threshold (cap room, health boundary, minimum debt, ...) and
 * one either side of it, or a raw amount.
 */
import fc from "fast-check";

export const AMOUNT_KINDS = [
  "zero",
  "dust",
  "frac",
  "max",
  "maxPlusOne",
  "boundary",
  "boundaryMinusOne",
  "boundaryPlusOne",
  "raw",
] as const;
export type AmountKind = (typeof AMOUNT_KINDS)[number];

export interface AmountSpec {
  kind: AmountKind;
  /** For `frac`: basis points of the maximum. */
  bps: number;
  /** For `raw`. */
  raw: bigint;
}

export const amountSpec: fc.Arbitrary<AmountSpec> = fc.record({
  kind: fc.oneof(
    { weight: 1, arbitrary: fc.constant<AmountKind>("zero") },
    { weight: 2, arbitrary: fc.constant<AmountKind>("dust") },
    { weight: 8, arbitrary: fc.constant<AmountKind>("frac") },
    { weight: 3, arbitrary: fc.constant<AmountKind>("max") },
    { weight: 2, arbitrary: fc.constant<AmountKind>("maxPlusOne") },
    { weight: 3, arbitrary: fc.constant<AmountKind>("boundary") },
    { weight: 2, arbitrary: fc.constant<AmountKind>("boundaryMinusOne") },
    { weight: 2, arbitrary: fc.constant<AmountKind>("boundaryPlusOne") },
    { weight: 1, arbitrary: fc.constant<AmountKind>("raw") },
  ),
  bps: fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(1, 5_000, 9_999, 10_000)),
  raw: fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 24n }), fc.bigInt({ min: 1n, max: 10n ** 30n })),
});

export interface AmountBounds {
  max: bigint;
  boundary: bigint;
}

export function resolveAmount(spec: AmountSpec, b: AmountBounds): bigint {
  const clamp = (x: bigint): bigint => (x < 0n ? 0n : x);
  switch (spec.kind) {
    case "zero":
      return 0n;
    case "dust":
      return 1n;
    case "frac":
      return clamp((b.max * BigInt(spec.bps)) / 10_000n);
    case "max":
      return clamp(b.max);
    case "maxPlusOne":
      return clamp(b.max) + 1n;
    case "boundary":
      return clamp(b.boundary);
    case "boundaryMinusOne":
      return clamp(b.boundary - 1n);
    case "boundaryPlusOne":
      return clamp(b.boundary) + 1n;
    case "raw":
      return spec.raw;
  }
}

export function showAmount(spec: AmountSpec): string {
  if (spec.kind === "frac") return `frac(${spec.bps}bps)`;
  if (spec.kind === "raw") return `raw(${spec.raw})`;
  return spec.kind;
}
