/**
 * The reference ("CEX") price of one asset: the exogenous price moved by the simulation's net
 * order flow, with finite depth and resilience.
 *
 *     cex = exogenous * exp(d)
 *
 * `d` is the log displacement caused by flow. Within one step, flows accumulate into a net flow
 * `q` (USD, positive = buying) and the displacement is `d = d0 + impact(q)`, where `d0` is the
 * displacement at the start of the step; splitting an order inside a step therefore costs the
 * same as sending it at once. `impact` is, with `depthUsd` the flow that moves the price by 1%:
 * - linear:       impact(q) = 0.01 * q / depthUsd
 * - square-root:  impact(q) = 0.01 * sign(q) * sqrt(|q| / depthUsd)   (the "square-root law")
 * Between steps the displacement decays toward 0 (the exogenous price) exponentially:
 * `d <- d * 2^(-dt / resilienceHalfLifeSeconds)` (market makers refill the book).
 */

export type ImpactModel = "linear" | "sqrt";

export interface CexParams {
  readonly initialPrice: number;
  /** USD of net flow that moves the price by 1% (in the linear model, at any size). */
  readonly depthUsd: number;
  readonly impact: ImpactModel;
  /** Half-life of the displacement's decay back to the exogenous price. */
  readonly resilienceHalfLifeSeconds: number;
}

/** Log displacement caused by a net flow of `usdSigned` against `depthUsd` of 1% depth. */
export function impactLog(model: ImpactModel, usdSigned: number, depthUsd: number): number {
  if (usdSigned === 0) return 0;
  if (model === "linear") return (0.01 * usdSigned) / depthUsd;
  return 0.01 * Math.sign(usdSigned) * Math.sqrt(Math.abs(usdSigned) / depthUsd);
}

/** One asset's reference price. Stateful; not shared between assets. */
export class CexReference {
  private exogenousPrice: number;
  private depth: number;
  private dStart = 0;
  private d = 0;
  private netFlow = 0;
  private elapsed = 0;

  constructor(readonly params: CexParams) {
    if (!(params.initialPrice > 0))
      throw new RangeError(`initialPrice must be > 0, got ${params.initialPrice}`);
    if (!(params.depthUsd > 0)) throw new RangeError(`depthUsd must be > 0, got ${params.depthUsd}`);
    if (!(params.resilienceHalfLifeSeconds > 0)) {
      throw new RangeError(`resilienceHalfLifeSeconds must be > 0, got ${params.resilienceHalfLifeSeconds}`);
    }
    this.exogenousPrice = params.initialPrice;
    this.depth = params.depthUsd;
  }

  /** The reference price now. */
  get price(): number {
    return this.exogenousPrice * Math.exp(this.d);
  }
  /** The exogenous price the reference is anchored to. */
  get exogenous(): number {
    return this.exogenousPrice;
  }
  /** Log displacement from the exogenous price. */
  get displacement(): number {
    return this.d;
  }
  /** Net flow (USD) applied since the last `step`. */
  get flowThisStep(): number {
    return this.netFlow;
  }
  /** Current 1% depth in USD. */
  get depthUsd(): number {
    return this.depth;
  }
  get time(): number {
    return this.elapsed;
  }

  /** Changes the depth (e.g. thinner books in a crash); takes effect for later flows. */
  setDepth(depthUsd: number): void {
    if (!(depthUsd > 0)) throw new RangeError(`depthUsd must be > 0, got ${depthUsd}`);
    // Re-anchor so the displacement already caused is kept.
    this.dStart = this.d;
    this.netFlow = 0;
    this.depth = depthUsd;
  }

  /** The price that a further net flow of `usdSigned` would give, without applying it. */
  quote(usdSigned: number): number {
    return (
      this.exogenousPrice *
      Math.exp(this.dStart + impactLog(this.params.impact, this.netFlow + usdSigned, this.depth))
    );
  }

  /**
   * Applies a net flow: positive = buying the asset for `usdSigned` USD (price up), negative =
   * selling (price down). Returns the new price.
   */
  applyFlow(usdSigned: number): number {
    if (!Number.isFinite(usdSigned)) throw new RangeError(`flow must be finite, got ${usdSigned}`);
    this.netFlow += usdSigned;
    this.d = this.dStart + impactLog(this.params.impact, this.netFlow, this.depth);
    return this.price;
  }

  /**
   * Ends the current step: the displacement decays for `dtSeconds` and the reference moves with
   * the new exogenous price. Returns the new price.
   */
  step(dtSeconds: number, exogenousPrice: number): number {
    if (!(dtSeconds >= 0)) throw new RangeError(`dtSeconds must be >= 0, got ${dtSeconds}`);
    if (!(exogenousPrice > 0)) throw new RangeError(`exogenous price must be > 0, got ${exogenousPrice}`);
    this.d = this.d * Math.pow(2, -dtSeconds / this.params.resilienceHalfLifeSeconds);
    this.dStart = this.d;
    this.netFlow = 0;
    this.exogenousPrice = exogenousPrice;
    this.elapsed += dtSeconds;
    return this.price;
  }
}
