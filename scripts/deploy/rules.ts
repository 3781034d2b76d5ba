/**
 * The RiskConfig's rules of every parameter the deployment registers (ADR 0001): how far one
 * update may move it and who may move it which way. Read by scripts/deploy/system.ts (the
 * registrations), scripts/deploy/params.ts (a parameter file's values against them),
 * scripts/governance/proposal.ts and scripts/governance/steps.ts.
 */
import { parseUnits } from "ethers";

const wad = (x: string): bigint => parseUnits(x, 18);

/**
 * Rules of one registered parameter: maximum change per update and either the safe direction
 * (the guardian may move it that way at once) or `governanceOnly` (no direction is safe: only the
 * timelock may change it, `RiskConfig.registerGovernanceOnlyParam`). The maximum change is either
 * a fixed amount (`maxStep`, in the parameter's unit: for a ratio whose scale is the same in
 * every deployment, such as a haircut) or a share of the value registered (`maxStepShareWad`, at
 * least `minStep` when given: for an amount or a duration whose scale is the deployment's, such as
 * a cap in USD or in an asset's units). A share is taken of the value registered, once: the
 * RiskConfig stores an absolute step (ADR 0001, note of 2026-11-22 on steps). A parameter with a
 * share and no `minStep` must be registered above 0 (`registeredAtZeroIssues`), or its step would
 * be 1 wei. The hard bounds live in each module's code; these are the RiskConfig's rules.
 */
export type Step = { maxStep: bigint } | { maxStepShareWad: bigint; minStep?: bigint };
export type Rule = Step & ({ higherIsSafer: boolean } | { governanceOnly: true });
export type Rules = Record<string, Rule>;

/** The max step a rule registers for `initialValue` (never zero: `RiskConfig__ZeroMaxStep`). */
export function maxStepOf(rule: Rule, initialValue: bigint): bigint {
  if ("maxStep" in rule) return rule.maxStep;
  const step = (initialValue * rule.maxStepShareWad) / 10n ** 18n;
  const floor = rule.minStep ?? 1n;
  return step > floor ? step : floor;
}

/** Half the value registered: one update can neither zero a value nor double it. */
const HALF = wad("0.5");

/**
 * Rules of every registered parameter (see {@link Rule}). Governance-only in the MarginModel:
 * MODE (static -> dynamic moves the maintenance from its base to the volatility target in one
 * update, with no ramp), EWMA_LAMBDA_WAD (a higher lambda damps the reaction to the next shock)
 * and RAMP_WAD_PER_HOUR (a lower ramp freezes the maintenance below its target in a storm); in
 * the Clearinghouse, SKEW_SCALE_WAD (see CLEARINGHOUSE_RULES); in the auction, TIP_WAD (see
 * AUCTION_RULES).
 */
const MARGIN_RULES: Rules = {
  HAIRCUT_CAP_WAD: { maxStep: wad("0.1"), higherIsSafer: true },
  MARGIN_CAP_WAD: { maxStep: wad("0.1"), higherIsSafer: true },
  HAIRCUT_BASE_WAD: { maxStep: wad("0.05"), higherIsSafer: true },
  MARGIN_BASE_WAD: { maxStep: wad("0.02"), higherIsSafer: true },
  EWMA_LAMBDA_WAD: { maxStep: wad("0.05"), governanceOnly: true },
  K_WAD: { maxStep: wad("1"), higherIsSafer: true },
  HORIZON_SECONDS: { maxStepShareWad: HALF, higherIsSafer: true },
  LIQUIDITY_ADDON_WAD: { maxStepShareWad: HALF, minStep: wad("0.01"), higherIsSafer: true },
  INITIAL_MULTIPLIER_WAD: { maxStep: wad("0.25"), higherIsSafer: true },
  RAMP_WAD_PER_HOUR: { maxStepShareWad: HALF, governanceOnly: true },
  DEPTH_USD_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
  SIZE_SLOPE_WAD: { maxStepShareWad: HALF, minStep: wad("0.01"), higherIsSafer: true },
  MAX_VARIANCE_PER_SECOND_WAD: { maxStepShareWad: HALF, higherIsSafer: true },
  // a switch, not an amount: any mode in one update, by governance only
  MODE: { maxStep: 2n, governanceOnly: true },
};

/**
 * SKEW_SCALE_WAD is governance-only, at most a fifth of the value registered per update: neither
 * direction is safe. A larger scale shrinks the fill premium (index x (skew + size/2) /
 * skewScale) and the funding drift (velocity x skew / skewScale) and enlarges the skew cap's
 * backing (the vault's mark subtracts skew^2 / (2 x skewScale)); a smaller one hands the open
 * skew a windfall from the vault (its closing fills return a larger premium than it paid).
 */
const CLEARINGHOUSE_RULES: Rules = {
  // at least 1% a year per update (the per-second rate of aprToPerSecondRay("0.01"))
  STABILITY_FEE_PER_SECOND_RAY: {
    maxStepShareWad: HALF,
    minStep: (wad("0.01") * 10n ** 9n) / 31_536_000n,
    higherIsSafer: true,
  },
  DEBT_CEILING_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
  MIN_DEBT_WAD: { maxStepShareWad: HALF, minStep: wad("10"), higherIsSafer: true },
  DEPOSIT_CAP: { maxStepShareWad: HALF, higherIsSafer: false },
  SKEW_SCALE_WAD: { maxStepShareWad: wad("0.2"), governanceOnly: true },
  MAX_FUNDING_VELOCITY_WAD: { maxStep: wad("1"), higherIsSafer: true },
  TAKER_FEE_WAD: { maxStepShareWad: HALF, minStep: wad("0.0005"), higherIsSafer: true },
  MAX_OPEN_INTEREST_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
  SKEW_CAP_RATIO_WAD: { maxStepShareWad: HALF, minStep: wad("0.5"), higherIsSafer: false },
  // a shorter life of cached prices is safer (0: every check reads the oracle; ADR 0006)
  PRICE_MAX_AGE_SECONDS: { maxStepShareWad: HALF, minStep: 10n, higherIsSafer: false },
};

/** Liquidation caps: lower is safer (the guardian may slow the liquidation flow at once). */
const ENGINE_RULES: Rules = {
  TARGET_HEALTH_WAD: { maxStep: wad("0.25"), higherIsSafer: true },
  PENALTY_WAD: { maxStep: wad("0.05"), higherIsSafer: true },
  PERP_PENALTY_WAD: { maxStepShareWad: HALF, higherIsSafer: true },
  PERP_KEEPER_SHARE_WAD: { maxStep: wad("0.1"), higherIsSafer: true },
  DUST_DEBT_WAD: { maxStepShareWad: HALF, minStep: wad("10"), higherIsSafer: true },
  MAX_TAB_IN_FLIGHT_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
  ASSET_TAB_CAP_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
  WINDOW_SECONDS: { maxStepShareWad: HALF, higherIsSafer: true },
  WINDOW_CAPACITY_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
};

/**
 * Buf, tail and cusp are also bound together in the auction's code (MAX_FLOOR_WAD). TIP_WAD, the
 * flat keeper reward, is governance-only (ADR 0016): the vault pays it, so a higher tip costs the
 * vault on every kick and redo, and a lower one, at 0 with the chip, pays nobody to kick or redo
 * an auction (liquidations stall under gas stress). The chip keeps its direction (the guardian
 * may cut it, to 0 within a few updates of its step, without the timelock): with the tip beside
 * it every kick and redo still pays, and the chip is the part that grows with a large tab.
 */
const AUCTION_RULES: Rules = {
  BUF_WAD: { maxStep: wad("0.1"), higherIsSafer: true },
  TAIL_SECONDS: { maxStepShareWad: HALF, higherIsSafer: false },
  CUSP_WAD: { maxStepShareWad: wad("0.2"), higherIsSafer: true },
  CHIP_WAD: { maxStepShareWad: HALF, minStep: wad("0.0005"), higherIsSafer: false },
  TIP_WAD: { maxStepShareWad: HALF, minStep: wad("1"), governanceOnly: true },
  DUST_WAD: { maxStepShareWad: HALF, minStep: wad("10"), higherIsSafer: true },
};

/** The breaker trips sooner with a lower tolerance or capacity: lower is safer. */
const BREAKER_RULES: Rules = {
  DROP_TOLERANCE_WAD: { maxStep: wad("0.05"), higherIsSafer: false },
  VELOCITY_CAPACITY_WAD: { maxStepShareWad: HALF, higherIsSafer: false },
  VELOCITY_WINDOW_SECONDS: { maxStepShareWad: HALF, higherIsSafer: true },
  BAD_DEBT_WINDOW_SECONDS: { maxStepShareWad: HALF, higherIsSafer: true },
  BAD_DEBT_SHARE_WAD: { maxStepShareWad: HALF, minStep: wad("0.01"), higherIsSafer: false },
  COOLDOWN_SECONDS: { maxStepShareWad: HALF, higherIsSafer: true },
};

/**
 * The rule tables by module, named as in a deployment record (`deployments/<network>.json`):
 * scripts/governance/proposal.ts checks a proposal's names against them.
 */
export const PARAM_RULES = {
  marginModel: MARGIN_RULES,
  clearinghouse: CLEARINGHOUSE_RULES,
  liquidationEngine: ENGINE_RULES,
  dutchAuction: AUCTION_RULES,
  circuitBreaker: BREAKER_RULES,
} as const;
