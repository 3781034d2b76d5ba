/**
 * Sampling the population distributions of a scenario (`Distribution` in schema.ts) with the
 * laboratory's seeded generator.
 */
import type { Rng } from "../rng.js";
import type { Distribution } from "./schema.js";

/** Beta(alpha, beta) on [0, 1] from two gamma draws (Marsaglia-Tsang). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    // Boost: G(a) = G(a + 1) * U^(1/a)
    return gamma(rng, shape + 1) * Math.pow(rng.uniformPositive(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniformPositive();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** One draw from `dist`. Lognormal draws are clamped to [min, max] when given. */
export function sample(dist: Distribution, rng: Rng): number {
  switch (dist.kind) {
    case "constant":
      return dist.value;
    case "uniform":
      return rng.uniformIn(dist.min, dist.max);
    case "lognormal": {
      const x = dist.median * Math.exp(dist.sigmaLog * rng.normal());
      return Math.min(Math.max(x, dist.min ?? -Infinity), dist.max ?? Infinity);
    }
    case "beta": {
      const a = gamma(rng, dist.alpha);
      const b = gamma(rng, dist.beta);
      return dist.min + (dist.max - dist.min) * (a / (a + b));
    }
  }
}

/** The distribution's mean (lognormal: before clamping). */
export function mean(dist: Distribution): number {
  switch (dist.kind) {
    case "constant":
      return dist.value;
    case "uniform":
      return (dist.min + dist.max) / 2;
    case "lognormal":
      return dist.median * Math.exp(0.5 * dist.sigmaLog * dist.sigmaLog);
    case "beta":
      return dist.min + ((dist.max - dist.min) * dist.alpha) / (dist.alpha + dist.beta);
  }
}
