/**
 * Exogenous price processes: the market's "true" price before any flow from the simulation
 * moves it.
 *
 * - `GbmProcess`: geometric Brownian motion with optional Merton jumps;
 * - `RegimeProcess`: GBM whose volatility (and drift) follows a continuous-time Markov chain over
 *   regimes (calm, stressed, ...);
 * - `ScriptedProcess`: a deterministic piecewise log-linear path through keyframes;
 * - `CorrelatedNormals`: correlated standard normals by Cholesky factorisation, fed to the
 *   diffusive processes of several assets;
 * - shocks (`shockKeyframes`, `KeyframePath`): "drop X% over T, hold, rebound Y% of the drop",
 *   applied as a multiplicative overlay on any process;
 * - `MarketPriceModel`: all of it for several assets, stepped together.
 *
 * Units: prices in USD (float64); drifts and volatilities annualised over a 365-day year
 * (crypto trades every day); jump intensities per year; times in seconds.
 * Randomness: each process draws its jumps / regime switches from the `Rng` it is given; the
 * diffusion normal `z` is passed in by the caller so that several assets can share correlated
 * draws. All step functions are exact in distribution for any `dt` (no Euler bias).
 */
import type { Rng } from "../rng.js";

/** Seconds in the 365-day year used to annualise drift, volatility and jump intensity. */
export const SECONDS_PER_YEAR = 365 * 86_400;

/** Merton jumps: a Poisson number of jumps, each multiplying the price by `exp(N(meanLog, sdLog))`. */
export interface JumpParams {
  /** Expected number of jumps per year. */
  readonly intensityPerYear: number;
  /** Mean of the log jump size (e.g. -0.05 for jumps of about -5%). */
  readonly meanLog: number;
  /** Standard deviation of the log jump size. */
  readonly sdLog: number;
}

export interface GbmParams {
  readonly initialPrice: number;
  /** Expected total return per year (jumps compensated: E[S_t] = S_0 exp(mu t)). */
  readonly muPerYear: number;
  /** Diffusive volatility per year (0.8 = 80%). */
  readonly sigmaPerYear: number;
  readonly jumps?: JumpParams;
}

export interface RegimeSpec {
  readonly name: string;
  readonly sigmaPerYear: number;
  /** Drift in this regime (default 0). */
  readonly muPerYear?: number;
  /** Mean time spent in the regime before switching (exponential holding time). */
  readonly meanDurationSeconds: number;
  readonly jumps?: JumpParams;
}

export interface RegimeParams {
  readonly initialPrice: number;
  readonly regimes: readonly RegimeSpec[];
  /**
   * Jump-chain weights: `transitions[i][j]` is proportional to the probability of moving to regime
   * j when leaving regime i (the diagonal is ignored). Default: uniform over the other regimes.
   */
  readonly transitions?: readonly (readonly number[])[];
  /** Index of the regime at t = 0 (default 0). */
  readonly initialRegime?: number;
}

/** One point of a scripted path: the price is `initialPrice * factor` at `atSeconds`. */
export interface Keyframe {
  readonly atSeconds: number;
  readonly factor: number;
}

/** A crash: fall by `drop` over `overSeconds`, hold, then recover `rebound` of the fall. */
export interface ShockParams {
  /** Start of the fall, seconds from the start of the run. */
  readonly atSeconds: number;
  /** Fraction lost at the bottom, in (0, 1): 0.3 is -30%. */
  readonly drop: number;
  readonly overSeconds: number;
  /** Time spent at the bottom before the rebound starts (default 0). */
  readonly holdSeconds?: number;
  /** Fraction of the fall recovered, in [0, 1] (default 0): 0.5 after -30% ends at -15%. */
  readonly rebound?: number;
  /** Duration of the rebound (default 0 = instantaneous if `rebound` > 0). */
  readonly reboundSeconds?: number;
}

/** A one-asset price process. Stateful: `step` advances it. */
export interface AssetProcess {
  readonly kind: "gbm" | "regime" | "scripted" | "replay";
  /** True when `step` uses the standard normal `z` (diffusive processes). */
  readonly usesNormal: boolean;
  /** Current price. */
  readonly price: number;
  /** Seconds since the start. */
  readonly time: number;
  /** Number of jumps in the last step (0 for processes without jumps). */
  readonly lastJumps: number;
  /** Advance by `dtSeconds` (> 0) using the standard normal `z`; returns the new price. */
  step(dtSeconds: number, z: number): number;
}

function assertPositive(name: string, value: number): void {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be > 0, got ${value}`);
}

function assertNonNegative(name: string, value: number): void {
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be >= 0, got ${value}`);
}

/** Jump compensator k = E[e^Y] - 1 for Y ~ N(meanLog, sdLog). */
export function jumpCompensator(jumps: JumpParams | undefined): number {
  if (jumps === undefined) return 0;
  return Math.exp(jumps.meanLog + 0.5 * jumps.sdLog * jumps.sdLog) - 1;
}

/** Draws the total log jump over `dtSeconds`; returns [logJump, count]. */
function drawJumps(rng: Rng, jumps: JumpParams | undefined, dtSeconds: number): [number, number] {
  if (jumps === undefined || jumps.intensityPerYear === 0) return [0, 0];
  const n = rng.poisson((jumps.intensityPerYear * dtSeconds) / SECONDS_PER_YEAR);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += rng.normal(jumps.meanLog, jumps.sdLog);
  return [sum, n];
}

function validateJumps(jumps: JumpParams | undefined): void {
  if (jumps === undefined) return;
  assertNonNegative("jumps.intensityPerYear", jumps.intensityPerYear);
  assertNonNegative("jumps.sdLog", jumps.sdLog);
  if (!Number.isFinite(jumps.meanLog)) throw new RangeError("jumps.meanLog must be finite");
}

/** One exact log-step of a jump-diffusion with compensated drift. */
function logIncrement(
  muPerYear: number,
  sigmaPerYear: number,
  jumps: JumpParams | undefined,
  dtSeconds: number,
  z: number,
  rng: Rng,
): [number, number] {
  const dtYears = dtSeconds / SECONDS_PER_YEAR;
  const lambda = jumps === undefined ? 0 : jumps.intensityPerYear;
  const drift = (muPerYear - 0.5 * sigmaPerYear * sigmaPerYear - lambda * jumpCompensator(jumps)) * dtYears;
  const [jump, count] = drawJumps(rng, jumps, dtSeconds);
  return [drift + sigmaPerYear * Math.sqrt(dtYears) * z + jump, count];
}

/** Geometric Brownian motion with optional Merton jumps. */
export class GbmProcess implements AssetProcess {
  readonly kind = "gbm";
  readonly usesNormal = true;
  private logPrice: number;
  private currentPrice: number;
  private elapsed = 0;
  private jumpsLastStep = 0;

  /** `rng` is used for jumps only; the diffusion normal comes from `step`. */
  constructor(
    readonly params: GbmParams,
    private readonly rng: Rng,
  ) {
    assertPositive("initialPrice", params.initialPrice);
    assertNonNegative("sigmaPerYear", params.sigmaPerYear);
    if (!Number.isFinite(params.muPerYear)) throw new RangeError("muPerYear must be finite");
    validateJumps(params.jumps);
    this.logPrice = Math.log(params.initialPrice);
    this.currentPrice = params.initialPrice;
  }

  get price(): number {
    return this.currentPrice;
  }
  get time(): number {
    return this.elapsed;
  }
  get lastJumps(): number {
    return this.jumpsLastStep;
  }

  step(dtSeconds: number, z: number): number {
    assertPositive("dtSeconds", dtSeconds);
    const p = this.params;
    const [dLog, count] = logIncrement(p.muPerYear, p.sigmaPerYear, p.jumps, dtSeconds, z, this.rng);
    this.logPrice += dLog;
    this.currentPrice = Math.exp(this.logPrice);
    this.jumpsLastStep = count;
    this.elapsed += dtSeconds;
    return this.price;
  }
}

/**
 * Regime-switching volatility: a continuous-time Markov chain over regimes. Within a step the
 * regime in force at the start of the step applies; then the chain may switch, with probability
 * `1 - exp(-dt / meanDuration)`, to another regime drawn by the jump-chain weights.
 */
export class RegimeProcess implements AssetProcess {
  readonly kind = "regime";
  readonly usesNormal = true;
  private logPrice: number;
  private currentPrice: number;
  private elapsed = 0;
  private jumpsLastStep = 0;
  private current: number;
  private readonly exitWeights: readonly (readonly number[])[];

  constructor(
    readonly params: RegimeParams,
    private readonly rng: Rng,
  ) {
    assertPositive("initialPrice", params.initialPrice);
    const n = params.regimes.length;
    if (n === 0) throw new RangeError("regimes must not be empty");
    params.regimes.forEach((r, i) => {
      assertNonNegative(`regimes[${i}].sigmaPerYear`, r.sigmaPerYear);
      assertPositive(`regimes[${i}].meanDurationSeconds`, r.meanDurationSeconds);
      validateJumps(r.jumps);
    });
    const initial = params.initialRegime ?? 0;
    if (!Number.isInteger(initial) || initial < 0 || initial >= n) {
      throw new RangeError(`initialRegime must be an index in [0, ${n - 1}], got ${initial}`);
    }
    this.current = initial;
    const weights: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = params.transitions?.[i] ?? Array.from({ length: n }, () => 1);
      if (row.length !== n) throw new RangeError(`transitions[${i}] must have ${n} entries`);
      const w = row.map((x, j) => (j === i ? 0 : x));
      if (n > 1 && !w.some((x) => x > 0))
        throw new RangeError(`transitions[${i}]: no way out of regime ${i}`);
      weights.push(w);
    }
    this.exitWeights = weights;
    this.logPrice = Math.log(params.initialPrice);
    this.currentPrice = params.initialPrice;
  }

  get price(): number {
    return this.currentPrice;
  }
  get time(): number {
    return this.elapsed;
  }
  get lastJumps(): number {
    return this.jumpsLastStep;
  }
  /** Index of the regime in force now. */
  get regime(): number {
    return this.current;
  }
  get regimeName(): string {
    return this.params.regimes[this.current].name;
  }

  step(dtSeconds: number, z: number): number {
    assertPositive("dtSeconds", dtSeconds);
    const r = this.params.regimes[this.current];
    const [dLog, count] = logIncrement(r.muPerYear ?? 0, r.sigmaPerYear, r.jumps, dtSeconds, z, this.rng);
    this.logPrice += dLog;
    this.currentPrice = Math.exp(this.logPrice);
    this.jumpsLastStep = count;
    this.elapsed += dtSeconds;
    // Regime switch, always drawing one uniform per step so the stream stays aligned.
    const leave = this.rng.uniform() < 1 - Math.exp(-dtSeconds / r.meanDurationSeconds);
    if (leave && this.params.regimes.length > 1) {
      this.current = this.rng.weightedIndex(this.exitWeights[this.current]);
    }
    return this.price;
  }
}

/**
 * A piecewise log-linear path through keyframes (factor 1 = `initialPrice`). Before the first
 * keyframe the factor is 1 (the path is anchored at t = 0); after the last it stays constant.
 */
export class KeyframePath {
  private readonly points: readonly Keyframe[];

  constructor(points: readonly Keyframe[]) {
    const sorted = [{ atSeconds: 0, factor: 1 }, ...points];
    for (let i = 1; i < sorted.length; i++) {
      assertPositive(`keyframes[${i - 1}].factor`, sorted[i].factor);
      if (!(sorted[i].atSeconds >= sorted[i - 1].atSeconds)) {
        throw new RangeError(`keyframes must be in time order (keyframes[${i - 1}].atSeconds)`);
      }
    }
    this.points = sorted;
  }

  /** The multiplicative factor at time `t` seconds. */
  factorAt(t: number): number {
    const pts = this.points;
    if (t <= 0) return 1;
    const last = pts[pts.length - 1];
    if (t >= last.atSeconds) return last.factor;
    let i = 1;
    while (pts[i].atSeconds < t) i++;
    const a = pts[i - 1];
    const b = pts[i];
    if (b.atSeconds === a.atSeconds) return b.factor;
    const w = (t - a.atSeconds) / (b.atSeconds - a.atSeconds);
    return Math.exp(Math.log(a.factor) + w * (Math.log(b.factor) - Math.log(a.factor)));
  }
}

/** The keyframes of a shock (relative to a factor of 1 before it). */
export function shockKeyframes(shock: ShockParams): Keyframe[] {
  const { atSeconds, drop, overSeconds } = shock;
  const hold = shock.holdSeconds ?? 0;
  const rebound = shock.rebound ?? 0;
  const reboundSeconds = shock.reboundSeconds ?? 0;
  assertNonNegative("shock.atSeconds", atSeconds);
  if (!(drop > 0 && drop < 1)) throw new RangeError(`shock.drop must be in (0, 1), got ${drop}`);
  assertNonNegative("shock.overSeconds", overSeconds);
  assertNonNegative("shock.holdSeconds", hold);
  if (!(rebound >= 0 && rebound <= 1))
    throw new RangeError(`shock.rebound must be in [0, 1], got ${rebound}`);
  assertNonNegative("shock.reboundSeconds", reboundSeconds);
  const bottom = 1 - drop;
  const points: Keyframe[] = [
    { atSeconds, factor: 1 },
    { atSeconds: atSeconds + overSeconds, factor: bottom },
  ];
  if (rebound > 0) {
    const start = atSeconds + overSeconds + hold;
    points.push({ atSeconds: start, factor: bottom });
    points.push({ atSeconds: start + reboundSeconds, factor: 1 - drop * (1 - rebound) });
  }
  return points;
}

/** A shock as a path of factors. */
export function shockPath(shock: ShockParams): KeyframePath {
  return new KeyframePath(shockKeyframes(shock));
}

/** A deterministic scripted price: `initialPrice * path.factorAt(t)`. */
export class ScriptedProcess implements AssetProcess {
  readonly kind = "scripted";
  readonly usesNormal = false;
  readonly lastJumps = 0;
  private readonly path: KeyframePath;
  private elapsed = 0;

  constructor(
    readonly initialPrice: number,
    keyframes: readonly Keyframe[],
  ) {
    assertPositive("initialPrice", initialPrice);
    this.path = new KeyframePath(keyframes);
  }

  get price(): number {
    return this.initialPrice * this.path.factorAt(this.elapsed);
  }
  get time(): number {
    return this.elapsed;
  }

  step(dtSeconds: number): number {
    assertPositive("dtSeconds", dtSeconds);
    this.elapsed += dtSeconds;
    return this.price;
  }
}

/**
 * Lower-triangular Cholesky factor L of a symmetric positive-definite matrix (A = L L^T).
 * Throws a `RangeError` naming the problem if the matrix is not square, not symmetric or not
 * positive definite.
 */
export function cholesky(matrix: readonly (readonly number[])[]): number[][] {
  const n = matrix.length;
  for (let i = 0; i < n; i++) {
    if (matrix[i].length !== n)
      throw new RangeError(`correlation matrix row ${i} has ${matrix[i].length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      if (!Number.isFinite(matrix[i][j]))
        throw new RangeError(`correlation matrix [${i}][${j}] is not finite`);
      if (Math.abs(matrix[i][j] - matrix[j][i]) > 1e-12)
        throw new RangeError(`correlation matrix is not symmetric at [${i}][${j}]`);
    }
  }
  const l: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(sum > 1e-12)) throw new RangeError("correlation matrix is not positive definite");
        l[i][i] = Math.sqrt(sum);
      } else {
        l[i][j] = sum / l[j][j];
      }
    }
  }
  return l;
}

/** Standard normals with a given correlation matrix: z = L e with e independent N(0, 1). */
export class CorrelatedNormals {
  private readonly l: number[][];
  private readonly e: Float64Array;

  constructor(
    correlation: readonly (readonly number[])[],
    private readonly rng: Rng,
  ) {
    for (let i = 0; i < correlation.length; i++) {
      if (correlation[i][i] !== 1) throw new RangeError(`correlation matrix diagonal [${i}][${i}] must be 1`);
    }
    this.l = cholesky(correlation);
    this.e = new Float64Array(correlation.length);
  }

  get dimension(): number {
    return this.l.length;
  }

  /** One vector of correlated standard normals (written into `out` if given). */
  draw(out: Float64Array = new Float64Array(this.l.length)): Float64Array {
    const n = this.l.length;
    for (let i = 0; i < n; i++) this.e[i] = this.rng.normal();
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = this.l[i];
      for (let k = 0; k <= i; k++) s += row[k] * this.e[k];
      out[i] = s;
    }
    return out;
  }
}

/** Builds a full correlation matrix over `assets` from pairwise correlations (others 0). */
export function correlationMatrix(
  assets: readonly string[],
  pairs: readonly { readonly assets: readonly [string, string]; readonly rho: number }[],
): number[][] {
  const index = new Map(assets.map((a, i) => [a, i] as const));
  const m: number[][] = assets.map((_, i) => assets.map((__, j) => (i === j ? 1 : 0)));
  for (const { assets: pair, rho } of pairs) {
    const i = index.get(pair[0]);
    const j = index.get(pair[1]);
    if (i === undefined || j === undefined)
      throw new RangeError(`correlation names an unknown asset: ${pair.join(", ")}`);
    if (i === j) throw new RangeError(`correlation of ${pair[0]} with itself`);
    if (!(rho > -1 && rho < 1)) throw new RangeError(`correlation must be in (-1, 1), got ${rho}`);
    m[i][j] = rho;
    m[j][i] = rho;
  }
  return m;
}

/**
 * Several assets stepped together: correlated diffusion normals for the assets whose process
 * uses them, then each asset's shocks multiplied on top. Asset order is the order given, and is
 * the order of every array this class returns.
 */
export class MarketPriceModel {
  readonly assets: readonly string[];
  private readonly processes: readonly AssetProcess[];
  private readonly overlays: readonly (readonly KeyframePath[])[];
  private readonly normals: CorrelatedNormals;
  private readonly z: Float64Array;
  private readonly prices: Float64Array;
  private elapsed = 0;

  /**
   * @param assets asset symbols in a fixed order
   * @param processes one process per asset, same order
   * @param correlation correlation matrix over `assets` (identity if omitted); entries for
   *   assets whose process does not use normals are ignored in effect (their draws are unused)
   * @param shocks per asset, the shocks overlaid on its process
   * @param rng the stream for the diffusion normals
   */
  constructor(
    assets: readonly string[],
    processes: readonly AssetProcess[],
    rng: Rng,
    correlation?: readonly (readonly number[])[],
    shocks?: readonly (readonly ShockParams[])[],
  ) {
    if (processes.length !== assets.length) throw new RangeError("one process per asset");
    this.assets = assets.slice();
    this.processes = processes.slice();
    this.overlays = assets.map((_, i) => (shocks?.[i] ?? []).map(shockPath));
    this.normals = new CorrelatedNormals(
      correlation ?? assets.map((_, i) => assets.map((__, j) => (i === j ? 1 : 0))),
      rng,
    );
    this.z = new Float64Array(assets.length);
    this.prices = new Float64Array(assets.length);
    this.refresh();
  }

  /** Seconds since the start. */
  get time(): number {
    return this.elapsed;
  }

  /** The process of asset `i` (for its regime, jump count, ...). */
  process(i: number): AssetProcess {
    return this.processes[i];
  }

  /** Current prices, in asset order (a copy). */
  current(): Float64Array {
    return this.prices.slice();
  }

  /** Advances every asset by `dtSeconds` and returns the new prices in asset order (a copy). */
  step(dtSeconds: number): Float64Array {
    assertPositive("dtSeconds", dtSeconds);
    this.normals.draw(this.z);
    for (let i = 0; i < this.processes.length; i++) this.processes[i].step(dtSeconds, this.z[i]);
    this.elapsed += dtSeconds;
    this.refresh();
    return this.prices.slice();
  }

  private refresh(): void {
    for (let i = 0; i < this.processes.length; i++) {
      let p = this.processes[i].price;
      for (const o of this.overlays[i]) p *= o.factorAt(this.elapsed);
      this.prices[i] = p;
    }
  }
}

/**
 * Simulates one path of a single process with its own normals from `rng`; returns
 * `steps + 1` prices (the initial price first).
 */
export function samplePath(process: AssetProcess, rng: Rng, steps: number, dtSeconds: number): Float64Array {
  const out = new Float64Array(steps + 1);
  out[0] = process.price;
  for (let i = 1; i <= steps; i++) out[i] = process.step(dtSeconds, process.usesNormal ? rng.normal() : 0);
  return out;
}
