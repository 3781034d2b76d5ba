/**
 * The laboratory's one source of randomness: a seeded xoroshiro128+ generator (from `pure-rand`)
 * with the distributions the simulation needs, and named sub-streams.
 *
 * Determinism rules (the same seed and scenario give the same run, bit for bit):
 * - every random draw in the laboratory goes through an `Rng`; nothing calls `Math.random`;
 * - each component takes its own sub-stream with `rng.fork("label")`. A fork depends only on the
 *   root seed and the chain of labels, never on how many numbers the parent has drawn, so adding
 *   draws to one component does not perturb any other;
 * - every distribution is computed with plain float64 arithmetic in a fixed order
 *   (`Math.log`, `Math.sqrt`, `Math.cos` are deterministic within one Node version).
 *
 * Usage:
 * ```ts
 * const rng = Rng.fromSeed(42);
 * const prices = rng.fork("markets/ETH");
 * const z = prices.normal();
 * ```
 */
import { xoroshiro128plus, type RandomGenerator } from "pure-rand";

/** A seed: a safe integer or a string (both are hashed into the generator's 128-bit state). */
export type Seed = number | string;

const TWO_POW_26 = 67108864;
const TWO_POW_53 = 9007199254740992;

/** 32-bit MurmurHash3-style hash of the UTF-16 code units of `text`, with a seed. */
function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    let k = text.charCodeAt(i);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** The 128-bit xoroshiro state (four 32-bit words) derived from a key; never all zero. */
function stateFromKey(key: string): number[] {
  const words = [
    hash32(key, 0x9e3779b9),
    hash32(key, 0x7f4a7c15),
    hash32(key, 0x85ebca6b),
    hash32(key, 0xc2b2ae35),
  ];
  if (words.every((w): boolean => w === 0)) words[0] = 1;
  return words;
}

function describeSeed(seed: Seed): string {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
    return `n:${seed}`;
  }
  return `s:${seed}`;
}

/**
 * A seeded random number generator. Not thread-safe and stateful: each draw advances it.
 * Draw methods never return NaN for valid arguments and throw `RangeError` on invalid ones.
 */
export class Rng {
  /** The key this stream was derived from: the root seed and the chain of fork labels. */
  readonly key: string;
  private readonly gen: RandomGenerator;
  private spareNormal: number | undefined;

  private constructor(key: string) {
    this.key = key;
    this.gen = xoroshiro128plus.fromState(stateFromKey(key));
  }

  /** The root generator of a run. */
  static fromSeed(seed: Seed): Rng {
    return new Rng(`ballast/${describeSeed(seed)}`);
  }

  /**
   * An independent sub-stream named `label`. Pure function of this stream's key and the label:
   * `a.fork("x")` gives the same numbers whatever `a` has drawn before.
   */
  fork(label: string): Rng {
    if (label.length === 0) throw new RangeError("fork label must not be empty");
    return new Rng(`${this.key}/${label}`);
  }

  /** A raw 32-bit signed integer from the generator. */
  nextInt32(): number {
    return this.gen.unsafeNext();
  }

  /** Uniform on [0, 1) with 53 random bits (the high bits of two outputs). */
  uniform(): number {
    const a = this.gen.unsafeNext() >>> 5; // 27 bits
    const b = this.gen.unsafeNext() >>> 6; // 26 bits
    return (a * TWO_POW_26 + b) / TWO_POW_53;
  }

  /** Uniform on (0, 1]: safe to take the logarithm of. */
  uniformPositive(): number {
    return 1 - this.uniform();
  }

  /** Uniform on [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    if (!(hi >= lo)) throw new RangeError(`uniformIn: need lo <= hi, got ${lo}, ${hi}`);
    return lo + (hi - lo) * this.uniform();
  }

  /** Uniform integer on [lo, hi], both inclusive (no modulo bias). */
  int(lo: number, hi: number): number {
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
      throw new RangeError(`int: need integers lo <= hi, got ${lo}, ${hi}`);
    }
    const span = hi - lo + 1;
    if (span > TWO_POW_53) throw new RangeError("int: range too large");
    // Rejection sampling on 53-bit integers.
    const limit = TWO_POW_53 - (TWO_POW_53 % span);
    for (;;) {
      const x = this.uniform() * TWO_POW_53;
      if (x < limit) return lo + (x % span);
    }
  }

  /** Normal with the given mean and standard deviation (Box-Muller; the second value is kept). */
  normal(mean = 0, sd = 1): number {
    if (!(sd >= 0)) throw new RangeError(`normal: sd must be >= 0, got ${sd}`);
    let z: number;
    if (this.spareNormal !== undefined) {
      z = this.spareNormal;
      this.spareNormal = undefined;
    } else {
      const u1 = this.uniformPositive();
      const u2 = this.uniform();
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      z = r * Math.cos(theta);
      this.spareNormal = r * Math.sin(theta);
    }
    return mean + sd * z;
  }

  /** Log-normal: `exp(normal(mu, sigma))`. */
  logNormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Exponential with the given rate (mean 1 / rate). */
  exponential(rate: number): number {
    if (!(rate > 0)) throw new RangeError(`exponential: rate must be > 0, got ${rate}`);
    return -Math.log(this.uniformPositive()) / rate;
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli: p must be in [0, 1], got ${p}`);
    return this.uniform() < p;
  }

  /**
   * Poisson with mean `lambda`: Knuth's product method for lambda < 30, the PTRS transformed
   * rejection method (Hormann 1993) above.
   */
  poisson(lambda: number): number {
    if (!(lambda >= 0) || !Number.isFinite(lambda)) {
      throw new RangeError(`poisson: lambda must be finite and >= 0, got ${lambda}`);
    }
    if (lambda === 0) return 0;
    if (lambda < 30) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniformPositive();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
        -lambda + k * loglam - logFactorial(k)
      ) {
        return k;
      }
    }
  }

  /** One element of a non-empty array, uniformly. */
  choice<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("choice: empty array");
    return items[this.int(0, items.length - 1)];
  }

  /** An index drawn with probability proportional to `weights` (non-negative, positive sum). */
  weightedIndex(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weightedIndex: bad weight ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError("weightedIndex: weights sum to zero");
    const x = this.uniform() * total;
    let acc = 0;
    for (let i = 0; i < weights.length; i++) {
      acc += weights[i];
      if (x < acc) return i;
    }
    // Rounding: x can equal total - epsilon beyond acc; return the last positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
    return weights.length - 1;
  }

  /** A new array with the items in random order (Fisher-Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }
}

/** ln(k!) for k < 256, summed once at load. */
const LOG_FACTORIAL_TABLE: readonly number[] = (() => {
  const table = [0];
  for (let n = 1; n < 256; n++) table.push(table[n - 1] + Math.log(n));
  return table;
})();

/** ln(k!): the table for small k, Stirling's series above. */
function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIAL_TABLE[k];
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
