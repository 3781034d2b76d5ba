/**
 * Bigint mirror of contracts/risk/MarginModel.sol: EWMA volatility, target levels, ramped
 * maintenance and initial levels of one asset. Pure functions over plain data: each takes a state
 * and parameters and returns new values; nothing is mutated. Kept equal to the contract, to the
 * wei, by test/unit/risk/MarginModel.diff.test.ts.
 *
 * Units: ratios and haircuts in WAD (1e18 = 100%), variance in WAD per second, times in seconds.
 */
import { WAD, ceilDiv, divWadUp, max, min, mulDivUp, mulWadUp, sqrtUp } from "./wad.js";

/** How maintenance levels react to volatility (IMarginModel.Mode). */
export const Mode = { Static: 0, Dynamic: 1, Ramped: 2 } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** Parameter names, equal to the contract's `bytes32` constants (short strings). */
export const PARAM_NAMES = [
  "MODE",
  "EWMA_LAMBDA_WAD",
  "K_WAD",
  "HORIZON_SECONDS",
  "HAIRCUT_BASE_WAD",
  "HAIRCUT_CAP_WAD",
  "LIQUIDITY_ADDON_WAD",
  "MARGIN_BASE_WAD",
  "MARGIN_CAP_WAD",
  "INITIAL_MULTIPLIER_WAD",
  "RAMP_WAD_PER_HOUR",
  "DEPTH_USD_WAD",
  "SIZE_SLOPE_WAD",
  "MAX_VARIANCE_PER_SECOND_WAD",
] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

/** Per-asset parameters (the contract's storage, unpacked). */
export interface MarginParams {
  readonly mode: Mode;
  readonly ewmaLambdaWad: bigint;
  readonly kWad: bigint;
  readonly horizonSeconds: bigint;
  readonly haircutBaseWad: bigint;
  readonly haircutCapWad: bigint;
  readonly liquidityAddOnWad: bigint;
  readonly marginBaseWad: bigint;
  readonly marginCapWad: bigint;
  readonly initialMultiplierWad: bigint;
  readonly rampWadPerHour: bigint;
  readonly depthUsdWad: bigint;
  readonly sizeSlopeWad: bigint;
  readonly maxVariancePerSecondWad: bigint;
}

/**
 * Per-asset dynamic state. `lastPriceWad` is 0 before the first observation; `lastTime` is the
 * `updatedAt` of the feed round last accepted.
 */
export interface MarginState {
  readonly lastPriceWad: bigint;
  readonly lastTime: bigint;
  readonly variancePerSecondWad: bigint;
  /** Maintenance levels as of `checkpointTime` (only Ramped mode reads them). */
  readonly haircutMaintWad: bigint;
  readonly marginRatioMaintWad: bigint;
  readonly checkpointTime: bigint;
}

/** Haircut and margin ratio pair. */
export interface Levels {
  readonly haircutWad: bigint;
  readonly marginRatioWad: bigint;
}

/** IMarginModel.AssetRisk. */
export interface AssetRisk {
  readonly haircutMaintWad: bigint;
  readonly haircutInitWad: bigint;
  readonly marginRatioMaintWad: bigint;
  readonly marginRatioInitWad: bigint;
  readonly depthUsdWad: bigint;
  readonly sizeSlopeWad: bigint;
}

export interface Bounds {
  readonly min: bigint;
  readonly max: bigint;
}

export const MAX_INITIAL_HAIRCUT_WAD = 99n * 10n ** 16n;
export const MAX_INITIAL_MARGIN_RATIO_WAD = WAD;
export const MAX_RETURN_WAD = 10n ** 24n;
const UINT128_MAX = (1n << 128n) - 1n;
const SECONDS_PER_HOUR = 3600n;

const w = (x: number): bigint => BigInt(Math.round(x * 1e6)) * 10n ** 12n;

/** Hard bounds (inclusive), as in `MarginModel._bounds`. */
export const PARAM_BOUNDS: Readonly<Record<ParamName, Bounds>> = {
  MODE: { min: 0n, max: 2n },
  EWMA_LAMBDA_WAD: { min: w(0.5), max: w(0.999) },
  K_WAD: { min: w(0.5), max: w(10) },
  HORIZON_SECONDS: { min: 60n, max: 7n * 86400n },
  HAIRCUT_BASE_WAD: { min: w(0.01), max: w(0.9) },
  HAIRCUT_CAP_WAD: { min: w(0.01), max: w(0.95) },
  LIQUIDITY_ADDON_WAD: { min: 0n, max: w(0.5) },
  MARGIN_BASE_WAD: { min: w(0.005), max: w(0.5) },
  MARGIN_CAP_WAD: { min: w(0.005), max: w(0.9) },
  INITIAL_MULTIPLIER_WAD: { min: WAD, max: 3n * WAD },
  RAMP_WAD_PER_HOUR: { min: w(0.0001), max: w(0.5) },
  DEPTH_USD_WAD: { min: WAD, max: 10n ** 30n },
  SIZE_SLOPE_WAD: { min: 0n, max: 10n * WAD },
  MAX_VARIANCE_PER_SECOND_WAD: { min: 10n ** 9n, max: 10n ** 17n },
};

/** The parameters `addAsset` lists an asset with. */
export const DEFAULT_PARAMS: MarginParams = {
  mode: Mode.Static,
  ewmaLambdaWad: w(0.94),
  kWad: 3n * WAD,
  horizonSeconds: 3600n,
  haircutBaseWad: w(0.1),
  haircutCapWad: w(0.5),
  liquidityAddOnWad: 0n,
  marginBaseWad: w(0.05),
  marginCapWad: w(0.5),
  initialMultiplierWad: w(1.25),
  rampWadPerHour: w(0.01),
  depthUsdWad: 10n ** 25n,
  sizeSlopeWad: 0n,
  maxVariancePerSecondWad: 10n ** 15n,
};

const PARAM_FIELDS: Readonly<Record<ParamName, keyof MarginParams>> = {
  MODE: "mode",
  EWMA_LAMBDA_WAD: "ewmaLambdaWad",
  K_WAD: "kWad",
  HORIZON_SECONDS: "horizonSeconds",
  HAIRCUT_BASE_WAD: "haircutBaseWad",
  HAIRCUT_CAP_WAD: "haircutCapWad",
  LIQUIDITY_ADDON_WAD: "liquidityAddOnWad",
  MARGIN_BASE_WAD: "marginBaseWad",
  MARGIN_CAP_WAD: "marginCapWad",
  INITIAL_MULTIPLIER_WAD: "initialMultiplierWad",
  RAMP_WAD_PER_HOUR: "rampWadPerHour",
  DEPTH_USD_WAD: "depthUsdWad",
  SIZE_SLOPE_WAD: "sizeSlopeWad",
  MAX_VARIANCE_PER_SECOND_WAD: "maxVariancePerSecondWad",
};

/** A parameter change the contract would reject; `error` is the contract's custom error name. */
export class MarginParamError extends Error {
  override name = "MarginParamError";
  constructor(
    readonly error: "ParamTarget__OutOfBounds" | "MarginModel__InconsistentParams",
    readonly param: ParamName,
    readonly value: bigint,
  ) {
    super(`${error}: ${param} = ${value}`);
  }
}

export function isParamName(name: string): name is ParamName {
  return (PARAM_NAMES as readonly string[]).includes(name);
}

/** Current value of a parameter, as `getParam` returns it. */
export function getParam(params: MarginParams, name: ParamName): bigint {
  return BigInt(params[PARAM_FIELDS[name]]);
}

/** The error `setParam` would revert with (caller and listing aside), or undefined if accepted. */
export function checkParam(
  params: MarginParams,
  name: ParamName,
  value: bigint,
): MarginParamError | undefined {
  const { min: lo, max: hi } = PARAM_BOUNDS[name];
  if (value < lo || value > hi) return new MarginParamError("ParamTarget__OutOfBounds", name, value);
  const inconsistent =
    (name === "HAIRCUT_BASE_WAD" && value > params.haircutCapWad) ||
    (name === "HAIRCUT_CAP_WAD" && value < params.haircutBaseWad) ||
    (name === "MARGIN_BASE_WAD" && value > params.marginCapWad) ||
    (name === "MARGIN_CAP_WAD" && value < params.marginBaseWad);
  return inconsistent ? new MarginParamError("MarginModel__InconsistentParams", name, value) : undefined;
}

/** State of an asset listed at `nowSec` with `params` (the contract lists with DEFAULT_PARAMS). */
export function listAsset(nowSec: bigint, params: MarginParams = DEFAULT_PARAMS): MarginState {
  const t = targetLevels(0n, params);
  return {
    lastPriceWad: 0n,
    lastTime: 0n,
    variancePerSecondWad: 0n,
    haircutMaintWad: t.haircutWad,
    marginRatioMaintWad: t.marginRatioWad,
    checkpointTime: nowSec,
  };
}

/** sqrt(variance * horizon) in WAD, rounded up. */
export function horizonVolatilityWad(variancePerSecondWad: bigint, horizonSeconds: bigint): bigint {
  return sqrtUp(variancePerSecondWad * horizonSeconds * WAD);
}

function clamp(x: bigint, lo: bigint, hi: bigint): bigint {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Maintenance levels the volatility asks for (base values in Static mode). */
export function targetLevels(variancePerSecondWad: bigint, params: MarginParams): Levels {
  if (params.mode === Mode.Static) {
    return {
      haircutWad: params.haircutBaseWad,
      marginRatioWad: params.marginBaseWad,
    };
  }
  const sigmaK = mulWadUp(params.kWad, horizonVolatilityWad(variancePerSecondWad, params.horizonSeconds));
  return {
    haircutWad: clamp(sigmaK + params.liquidityAddOnWad, params.haircutBaseWad, params.haircutCapWad),
    marginRatioWad: clamp(sigmaK, params.marginBaseWad, params.marginCapWad),
  };
}

/** Moves `current` toward `target` by at most `rate * elapsed / 1 h` (up: step rounded up). */
export function ramp(
  current: bigint,
  target: bigint,
  rateWadPerHour: bigint,
  elapsedSeconds: bigint,
): bigint {
  if (current < target) {
    const step = mulDivUp(rateWadPerHour, elapsedSeconds, SECONDS_PER_HOUR);
    return target - current <= step ? target : current + step;
  }
  const stepDown = (rateWadPerHour * elapsedSeconds) / SECONDS_PER_HOUR;
  return current - target <= stepDown ? target : current - stepDown;
}

/** Maintenance levels at `nowSec`. */
export function maintenanceLevels(state: MarginState, params: MarginParams, nowSec: bigint): Levels {
  const t = targetLevels(state.variancePerSecondWad, params);
  if (params.mode !== Mode.Ramped) return t;
  const elapsed = nowSec - state.checkpointTime;
  return {
    haircutWad: ramp(state.haircutMaintWad, t.haircutWad, params.rampWadPerHour, elapsed),
    marginRatioWad: ramp(state.marginRatioMaintWad, t.marginRatioWad, params.rampWadPerHour, elapsed),
  };
}

/** `riskOf` at `nowSec`. */
export function riskOf(state: MarginState, params: MarginParams, nowSec: bigint): AssetRisk {
  const t = targetLevels(state.variancePerSecondWad, params);
  const m = maintenanceLevels(state, params, nowSec);
  return {
    haircutMaintWad: m.haircutWad,
    haircutInitWad: min(
      mulWadUp(max(t.haircutWad, m.haircutWad), params.initialMultiplierWad),
      MAX_INITIAL_HAIRCUT_WAD,
    ),
    marginRatioMaintWad: m.marginRatioWad,
    marginRatioInitWad: min(
      mulWadUp(max(t.marginRatioWad, m.marginRatioWad), params.initialMultiplierWad),
      MAX_INITIAL_MARGIN_RATIO_WAD,
    ),
    depthUsdWad: params.depthUsdWad,
    sizeSlopeWad: params.sizeSlopeWad,
  };
}

/** Stores the maintenance levels of `nowSec` as the new ramp starting point. */
export function checkpoint(state: MarginState, params: MarginParams, nowSec: bigint): MarginState {
  const m = maintenanceLevels(state, params, nowSec);
  return {
    ...state,
    haircutMaintWad: m.haircutWad,
    marginRatioMaintWad: m.marginRatioWad,
    checkpointTime: nowSec,
  };
}

/**
 * EWMA update with the squared simple return per second over `dtSeconds` (the time between the two
 * feed rounds); lambda once per round. Rounded up, then capped.
 */
export function nextVariance(
  variancePerSecondWad: bigint,
  lastPriceWad: bigint,
  priceWad: bigint,
  dtSeconds: bigint,
  params: Pick<MarginParams, "ewmaLambdaWad" | "maxVariancePerSecondWad">,
): bigint {
  const move = priceWad > lastPriceWad ? priceWad - lastPriceWad : lastPriceWad - priceWad;
  const r = min(divWadUp(move, lastPriceWad), MAX_RETURN_WAD);
  const sample = mulDivUp(r, r, WAD * dtSeconds);
  const lambda = params.ewmaLambdaWad;
  const next = ceilDiv(lambda * variancePerSecondWad + (WAD - lambda) * sample, WAD);
  return min(next, params.maxVariancePerSecondWad);
}

/**
 * An oracle read as `poke` sees it (`IOracleRouter.observation`): the price, the `updatedAt` of
 * the primary-feed round it comes from (0 when not ok) and whether it is ok.
 */
export interface PriceRead {
  readonly priceWad: bigint;
  readonly updatedAt: bigint;
  readonly ok: boolean;
}

/**
 * `poke` at `nowSec`. `accepted` is false when the read is ignored (state returned unchanged):
 * not ok, a price of 0 or above 2^128 - 1, or a round that is not newer than the last accepted
 * one (or is in the future). One observation per feed round; the return is per second of the time
 * between the two rounds' `updatedAt` (ADR 0012). The ramp is checkpointed at `nowSec`.
 */
export function observe(
  state: MarginState,
  params: MarginParams,
  read: PriceRead,
  nowSec: bigint,
): { state: MarginState; accepted: boolean } {
  const { priceWad, updatedAt, ok } = read;
  if (!ok || priceWad === 0n || priceWad > UINT128_MAX) return { state, accepted: false };
  if (updatedAt <= state.lastTime || updatedAt > nowSec) return { state, accepted: false };
  let next = state;
  if (state.lastPriceWad !== 0n) {
    next = checkpoint(state, params, nowSec);
    const variancePerSecondWad = nextVariance(
      state.variancePerSecondWad,
      state.lastPriceWad,
      priceWad,
      updatedAt - state.lastTime,
      params,
    );
    next = { ...next, variancePerSecondWad };
  }
  return {
    state: { ...next, lastPriceWad: priceWad, lastTime: updatedAt },
    accepted: true,
  };
}

/** `setParam` at `nowSec`: checkpoint under the old parameters, then apply. Throws MarginParamError. */
export function setParam(
  state: MarginState,
  params: MarginParams,
  name: ParamName,
  value: bigint,
  nowSec: bigint,
): { state: MarginState; params: MarginParams } {
  const error = checkParam(params, name, value);
  if (error !== undefined) throw error;
  let next = checkpoint(state, params, nowSec);
  const field = PARAM_FIELDS[name];
  const newParams: MarginParams =
    field === "mode" ? { ...params, mode: Number(value) as Mode } : { ...params, [field]: value };
  if (name === "MAX_VARIANCE_PER_SECOND_WAD" && next.variancePerSecondWad > value) {
    next = { ...next, variancePerSecondWad: value };
  }
  return { state: next, params: newParams };
}
