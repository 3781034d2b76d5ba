import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { formatUnits, parseUnits } from "ethers";
import { z } from "zod";

import { PARAM_RULES } from "./rules.js";

/** A non-negative decimal number written as a string ("0.15", "2000"). */
const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "must be a non-negative decimal number written as a string");

const marginSchema = z
  .object({
    mode: z.enum(["static", "dynamic", "ramped"]),
    ewmaLambda: decimal,
    k: decimal,
    horizonSeconds: z.number().int().positive(),
    haircutBase: decimal,
    haircutCap: decimal,
    liquidityAddOn: decimal,
    marginBase: decimal,
    marginCap: decimal,
    initialMultiplier: decimal,
    rampPerHour: decimal,
    depthUsd: decimal,
    sizeSlope: decimal,
    maxVariancePerSecond: decimal,
  })
  .strict();

/** The auction price curve of one asset (one small contract each). */
const curveSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("linear"), tauSeconds: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal("exponential"), cutPerSecond: decimal }).strict(),
  z
    .object({
      kind: z.literal("stairstep"),
      cutPerStep: decimal,
      stepSeconds: z.number().int().positive(),
    })
    .strict(),
]);

/** Per-asset auction and liquidation settings (Maker's Clipper fields). */
const auctionSchema = z
  .object({
    curve: curveSchema,
    buf: decimal,
    tailSeconds: z.number().int().positive(),
    cusp: decimal,
    chip: decimal,
    tipUsd: decimal,
    dustUsd: decimal,
    tabCapUsd: decimal,
  })
  .strict();

const DEFAULT_AUCTION: z.infer<typeof auctionSchema> = {
  curve: { kind: "linear", tauSeconds: 7200 },
  buf: "1.1",
  tailSeconds: 7200,
  cusp: "0.5",
  chip: "0.001",
  tipUsd: "5",
  dustUsd: "100",
  tabCapUsd: "50000000",
};

const liquidationSchema = z
  .object({
    targetHealth: decimal,
    penalty: decimal,
    perpPenalty: decimal,
    perpKeeperShare: decimal,
    dustDebtUsd: decimal,
    maxTabInFlightUsd: decimal,
    windowSeconds: z.number().int().positive(),
    windowCapacityUsd: decimal,
  })
  .strict();

const breakerSchema = z
  .object({
    dropTolerance: decimal,
    velocityCapacityUsd: decimal,
    velocityWindowSeconds: z.number().int().positive(),
    badDebtWindowSeconds: z.number().int().positive(),
    badDebtShare: decimal,
    cooldownSeconds: z.number().int().positive(),
  })
  .strict();

const assetSchema = z
  .object({
    symbol: z.string().min(1),
    address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/)
      .optional(),
    decimals: z.number().int().min(0).max(18),
    mockPriceUsd: decimal.optional(),
    feed: z
      .object({
        address: z
          .string()
          .regex(/^0x[0-9a-fA-F]{40}$/)
          .optional(),
        decimals: z.number().int().min(0).max(36),
        heartbeatSeconds: z.number().int().positive(),
        graceSeconds: z.number().int().nonnegative(),
        minPriceUsd: decimal,
        maxPriceUsd: decimal,
      })
      .strict(),
    depositCap: decimal,
    margin: marginSchema,
    market: z
      .object({
        skewScale: decimal,
        maxFundingVelocityPerDay: decimal,
        takerFee: decimal,
        maxOpenInterest: decimal,
        skewCapRatio: decimal,
      })
      .strict()
      .optional(),
    auction: auctionSchema.default(DEFAULT_AUCTION),
  })
  .strict();

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address (0x and 40 hex digits)");
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * Who governs after the hand-over (ADR 0001, ADR 0002 note of 2026-11-22): the timelock's
 * proposers (each also a canceller, as OpenZeppelin's constructor grants them), its executors
 * (`"anyone"`, or the zero address, opens execution to every account: OpenZeppelin's
 * `TimelockController` convention) and the guardian of the RiskConfig and the CircuitBreaker.
 * Required when `mocks` is false; `deploySystem` refuses the deployer in any of them there.
 */
const governanceSchema = z
  .object({
    proposers: z
      .array(address.refine((a) => a !== ZERO_ADDRESS, "the zero address cannot propose"))
      .min(1, "at least one proposer: without one nobody can ever schedule a timelock operation"),
    executors: z
      .array(z.union([z.literal("anyone"), address]))
      .min(1, 'at least one executor ("anyone" opens execution to every account)'),
    guardian: address.refine((a) => a !== ZERO_ADDRESS, "the zero address cannot be the guardian"),
  })
  .strict();

/**
 * Shortest timelock delay accepted, on every network: one day, so a loosening is public for a
 * day before it executes. Mirrors `BallastTimelock.MIN_DELAY_SECONDS`, which refuses a shorter
 * `updateDelay` (ADR 0016; test/unit/governance/BallastTimelock.test.ts reads it back).
 */
export const MIN_TIMELOCK_DELAY_SECONDS = 86_400;

/**
 * Longest timelock delay accepted: 30 days. The delay governs its own change (`updateDelay` is
 * itself a timelock operation), so a longer one could not be undone in less than that, and every
 * loosening, listing and emergency fix would wait as long. Mirrors
 * `BallastTimelock.MAX_DELAY_SECONDS` (ADR 0016).
 */
export const MAX_TIMELOCK_DELAY_SECONDS = 30 * 86_400;

/** Collateral (in whole tokens of the first asset) the deployer mints to borrow the vault seed. */
export const SEED_COLLATERAL_TOKENS = "1000";

export const deployParamsSchema = z
  .object({
    $comment: z.string().optional(),
    mocks: z.boolean(),
    governance: governanceSchema.optional(),
    timelockMinDelaySeconds: z.number().int().nonnegative(),
    oracleHopSeconds: z.number().int().positive(),
    vault: z
      .object({
        cooldownSeconds: z.number().int().positive(),
        claimWindowSeconds: z.number().int().positive(),
        seedUsd: decimal,
      })
      .strict(),
    global: z
      .object({
        stabilityFeeApr: decimal,
        debtCeilingUsd: decimal,
        minDebtUsd: decimal,
        /** How long prices cached by `Clearinghouse.refreshPrices` serve initial-margin checks (ADR 0006). */
        priceMaxAgeSeconds: z.number().int().min(0).max(3600).default(60),
      })
      .strict(),
    liquidation: liquidationSchema.default({
      targetHealth: "1.25",
      penalty: "0.1",
      perpPenalty: "0.01",
      perpKeeperShare: "0.3",
      dustDebtUsd: "100",
      maxTabInFlightUsd: "100000000",
      windowSeconds: 3600,
      windowCapacityUsd: "50000000",
    }),
    breaker: breakerSchema.default({
      dropTolerance: "0.2",
      velocityCapacityUsd: "20000000",
      velocityWindowSeconds: 3600,
      badDebtWindowSeconds: 86400,
      badDebtShare: "0.05",
      cooldownSeconds: 3600,
    }),
    assets: z.array(assetSchema).min(1).max(16),
  })
  .strict();

export type DeployParams = z.infer<typeof deployParamsSchema>;
export type AssetParams = z.infer<typeof assetSchema>;
export type CurveParams = z.infer<typeof curveSchema>;

const here = dirname(fileURLToPath(import.meta.url));

/** Path of the shipped parameter file of a network (`local` serves hardhat, localhost and anvil). */
export function paramsPathFor(network: string): string {
  const file = ["hardhat", "localhost", "anvil", "default", "hardhatMainnet"].includes(network)
    ? "local"
    : network;
  return resolve(here, "params", `${file}.json`);
}

/**
 * A parameter file given by name (a file under scripts/deploy/params/, as a scenario's
 * `deployParams` names it) or by path; throws naming it when the path does not exist.
 */
export function resolveParamsPath(nameOrPath: string): string {
  if (/^[a-z0-9][a-z0-9-]*$/i.test(nameOrPath)) return paramsPathFor(nameOrPath);
  const p = resolve(nameOrPath);
  if (!existsSync(p)) throw new Error(`deployment parameters ${nameOrPath}: file not found`);
  return p;
}

/** A deployment parameter file that cannot be used: the message names the file and the field. */
export class DeployParamsError extends Error {
  constructor(source: string, issues: readonly string[]) {
    super(`deployment parameters ${source}: ${issues.join("; ")}`);
    this.name = "DeployParamsError";
  }
}

/** Reads and validates a parameter file; errors (DeployParamsError) name the file and the field. */
export function loadDeployParams(path: string): DeployParams {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "file not found"
        : code === "EISDIR"
          ? "is a directory, not a JSON file"
          : `cannot read (${code ?? (error as Error).message})`;
    throw new DeployParamsError(path, [reason]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DeployParamsError(path, [`invalid JSON: ${(error as Error).message}`]);
  }
  return parseDeployParams(raw, path);
}

/** Validates parsed JSON: the schema (unknown fields refused), then the contracts' hard bounds. */
export function parseDeployParams(raw: unknown, source = "<inline>"): DeployParams {
  const parsed = deployParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.flatMap((i) => {
      const at = i.path.join(".");
      // one line per unknown field, with its full path: "assets.0.markt: unknown field"
      if (i.code === z.ZodIssueCode.unrecognized_keys)
        return i.keys.map((k) => `${at === "" ? k : `${at}.${k}`}: unknown field`);
      return [`${at || "(root)"}: ${i.message}`];
    });
    throw new DeployParamsError(source, issues);
  }
  const p = parsed.data;
  const issues = boundIssues(p);
  if (!p.mocks) {
    for (const [i, a] of p.assets.entries()) {
      if (!a.address) issues.push(`assets.${i}.address: required when mocks is false`);
      if (!a.feed.address) issues.push(`assets.${i}.feed.address: required when mocks is false`);
    }
    if (!p.governance)
      issues.push(
        "governance: required when mocks is false (governance.proposers, governance.executors, governance.guardian)",
      );
    issues.push(...tipIssues(p));
  } else issues.push(...seedIssues(p));
  if (p.timelockMinDelaySeconds < MIN_TIMELOCK_DELAY_SECONDS)
    issues.push(
      `timelockMinDelaySeconds: ${p.timelockMinDelaySeconds} is below ${MIN_TIMELOCK_DELAY_SECONDS} (one day), the shortest delay accepted (BallastTimelock.MIN_DELAY_SECONDS): loosening must stay visible long enough for users to react`,
    );
  if (p.timelockMinDelaySeconds > MAX_TIMELOCK_DELAY_SECONDS)
    issues.push(
      `timelockMinDelaySeconds: ${p.timelockMinDelaySeconds} is above ${MAX_TIMELOCK_DELAY_SECONDS} (30 days), the longest delay accepted (BallastTimelock.MAX_DELAY_SECONDS): the delay governs its own change (updateDelay is a timelock operation), so a longer one could not be shortened in less time and would hold every parameter change and fix as long`,
    );
  if (p.governance) issues.push(...governanceIssues(p.governance));
  if (issues.length > 0) throw new DeployParamsError(source, issues);
  return p;
}

/**
 * On a network with real assets every asset's flat keeper reward is above 0 (ADR 0016): with the
 * chip, which the guardian may cut to 0, it is all that pays a keeper's gas for a kick or a redo;
 * at 0 a liquidation under gas stress waits for a keeper who works for free. `TIP_WAD` is
 * governance-only, so the value registered holds until a timelock operation moves it. A mock
 * network may pay none (maker-2020.json: Maker's Cat paid no kick reward).
 */
function tipIssues(p: DeployParams): string[] {
  const issues: string[] = [];
  for (const [i, a] of p.assets.entries()) {
    let tip: bigint;
    try {
      tip = parseUnits(a.auction.tipUsd, WAD_DECIMALS);
    } catch {
      continue; // reported by the bounds checks
    }
    if (tip === 0n)
      issues.push(
        `assets.${i}.auction.tipUsd: 0 when mocks is false: no kick or redo would pay its keeper's gas once the guardian cuts the chip (TIP_WAD is governance-only; ADR 0016)`,
      );
  }
  return issues;
}

/** Duplicates within the governance lists (case-insensitive addresses). */
function governanceIssues(g: NonNullable<DeployParams["governance"]>): string[] {
  const issues: string[] = [];
  const norm = (a: string) => (a === "anyone" ? ZERO_ADDRESS : a.toLowerCase());
  for (const [field, list] of [
    ["proposers", g.proposers],
    ["executors", g.executors],
  ] as const) {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (seen.has(norm(a))) issues.push(`governance.${field}.${i}: ${a} is listed twice`);
      seen.add(norm(a));
    });
  }
  return issues;
}

/**
 * On mock networks `deploySystem` seeds the vault: it mints `SEED_COLLATERAL_TOKENS` of the first
 * asset, deposits them, borrows `vault.seedUsd` against them and deposits that into the vault. The
 * checks the Clearinghouse would otherwise fail that borrow on, after everything is deployed.
 * The mock prices (default $1) must also lie inside each feed's bounds, or the router never
 * reports them ok.
 */
function seedIssues(p: DeployParams): string[] {
  const issues: string[] = [];
  const num = (x: string, decimals = WAD_DECIMALS) => {
    try {
      return parseUnits(x, decimals);
    } catch {
      return undefined; // reported by the bounds checks
    }
  };
  for (const [i, a] of p.assets.entries()) {
    const price = num(a.mockPriceUsd ?? "1");
    const [lo, hi] = [num(a.feed.minPriceUsd), num(a.feed.maxPriceUsd)];
    if (price === undefined || lo === undefined || hi === undefined) continue;
    if (price < lo || price > hi)
      issues.push(
        `assets.${i}.mockPriceUsd: ${a.mockPriceUsd ?? "1 (the default)"} is outside the feed's bounds ${a.feed.minPriceUsd} to ${a.feed.maxPriceUsd} (feed.minPriceUsd, feed.maxPriceUsd): the router would never report it ok`,
      );
  }
  const seed = num(p.vault.seedUsd);
  if (seed === undefined || seed === 0n) return issues; // no seed (0): nothing is borrowed
  const minDebt = num(p.global.minDebtUsd);
  const ceiling = num(p.global.debtCeilingUsd);
  if (minDebt !== undefined && seed < minDebt)
    issues.push(
      `vault.seedUsd: ${p.vault.seedUsd} is below global.minDebtUsd ${p.global.minDebtUsd}: the seed borrow would revert (Clearinghouse__DebtBelowMinimum)`,
    );
  if (ceiling !== undefined && seed > ceiling)
    issues.push(
      `vault.seedUsd: ${p.vault.seedUsd} is above global.debtCeilingUsd ${p.global.debtCeilingUsd}: the seed borrow would revert (Clearinghouse__DebtCeilingExceeded)`,
    );
  const first = p.assets[0];
  const collateral = num(SEED_COLLATERAL_TOKENS, first.decimals);
  const cap = num(first.depositCap, first.decimals);
  if (collateral !== undefined && cap !== undefined && cap < collateral)
    issues.push(
      `assets.0.depositCap: ${first.depositCap} is below the ${SEED_COLLATERAL_TOKENS} ${first.symbol} the deployment deposits to borrow vault.seedUsd against (Clearinghouse__DepositCapExceeded)`,
    );
  // the seed collateral's initial weight, at its lowest: the initial haircut is at most
  // haircutCap x initialMultiplier (rounded up), never above MarginModel.MAX_INITIAL_HAIRCUT_WAD
  const price = num(first.mockPriceUsd ?? "1");
  const [cap0, mult] = [num(first.margin.haircutCap), num(first.margin.initialMultiplier)];
  if (price === undefined || cap0 === undefined || mult === undefined) return issues;
  const WAD = 10n ** 18n;
  const haircut = [(cap0 * mult + WAD - 1n) / WAD, w("0.99")].reduce((x, y) => (x < y ? x : y));
  const backing = (((w(SEED_COLLATERAL_TOKENS) * price) / WAD) * (WAD - haircut)) / WAD;
  if (seed > backing)
    issues.push(
      `vault.seedUsd: ${p.vault.seedUsd} is more than the seed collateral can back: ${SEED_COLLATERAL_TOKENS} ${first.symbol} (assets.0) at mockPriceUsd ${first.mockPriceUsd ?? "1 (the default)"} weigh ${formatUnits(backing, WAD_DECIMALS).replace(/\.0$/, "")} USD after the initial haircut (at most haircutCap x initialMultiplier): the seed borrow would revert (Clearinghouse__Undercollateralized)`,
    );
  return issues;
}

// ------------------------------------------------------------------ the contracts' hard bounds

/** The modules with RiskConfig-governed parameters, by their name in a deployment record. */
export const PARAM_MODULES = [
  "marginModel",
  "clearinghouse",
  "liquidationEngine",
  "dutchAuction",
  "circuitBreaker",
] as const;
export type ParamModule = (typeof PARAM_MODULES)[number];

const WAD_DECIMALS = 18;
const RAY_DECIMALS = 27;
const SECONDS_PER_YEAR = 31_536_000n;
const DAY = 86_400n;
const w = (x: string): bigint => parseUnits(x, WAD_DECIMALS);

/**
 * Hard bounds (inclusive, on-chain units) of every parameter the deployment registers, mirrored
 * from each module's `_bounds(name)`; a value outside them reverts `ParamTarget__OutOfBounds`.
 * test/scripts/deploy-params.test.ts reads them back from a deployed system (`paramBounds`).
 */
export const PARAM_BOUNDS: Readonly<
  Record<ParamModule, Readonly<Record<string, readonly [bigint, bigint]>>>
> = {
  // contracts/risk/MarginModel.sol, _bounds
  marginModel: {
    MODE: [0n, 2n],
    EWMA_LAMBDA_WAD: [w("0.5"), w("0.999")],
    K_WAD: [w("0.5"), w("10")],
    HORIZON_SECONDS: [60n, 7n * DAY],
    HAIRCUT_BASE_WAD: [w("0.01"), w("0.9")],
    HAIRCUT_CAP_WAD: [w("0.01"), w("0.95")],
    LIQUIDITY_ADDON_WAD: [0n, w("0.5")],
    MARGIN_BASE_WAD: [w("0.005"), w("0.5")],
    MARGIN_CAP_WAD: [w("0.005"), w("0.9")],
    INITIAL_MULTIPLIER_WAD: [w("1"), w("3")],
    RAMP_WAD_PER_HOUR: [w("0.0001"), w("0.5")],
    DEPTH_USD_WAD: [w("1"), 10n ** 30n],
    SIZE_SLOPE_WAD: [0n, w("10")],
    MAX_VARIANCE_PER_SECOND_WAD: [10n ** 9n, 10n ** 17n],
  },
  // contracts/core/ClearinghouseParams.sol, _bounds
  clearinghouse: {
    STABILITY_FEE_PER_SECOND_RAY: [0n, 10n ** 20n],
    DEBT_CEILING_WAD: [0n, 10n ** 33n],
    MIN_DEBT_WAD: [0n, 10n ** 24n],
    DEPOSIT_CAP: [0n, 10n ** 36n],
    SKEW_SCALE_WAD: [w("1"), 10n ** 33n],
    MAX_FUNDING_VELOCITY_WAD: [0n, w("10")],
    TAKER_FEE_WAD: [0n, w("0.05")],
    MAX_OPEN_INTEREST_WAD: [0n, 10n ** 33n],
    SKEW_CAP_RATIO_WAD: [0n, w("100")],
    PRICE_MAX_AGE_SECONDS: [0n, 3600n],
  },
  // contracts/liquidation/LiquidationEngineParams.sol, _bounds
  liquidationEngine: {
    TARGET_HEALTH_WAD: [w("1.01"), w("3")],
    PENALTY_WAD: [w("0.01"), w("0.3")],
    PERP_PENALTY_WAD: [w("0.001"), w("0.05")],
    PERP_KEEPER_SHARE_WAD: [0n, w("0.5")],
    DUST_DEBT_WAD: [0n, 10n ** 24n],
    MAX_TAB_IN_FLIGHT_WAD: [0n, 10n ** 33n],
    ASSET_TAB_CAP_WAD: [0n, 10n ** 33n],
    WINDOW_SECONDS: [60n, DAY],
    WINDOW_CAPACITY_WAD: [0n, 10n ** 33n],
  },
  // contracts/liquidation/DutchAuctionParams.sol, _bounds
  dutchAuction: {
    BUF_WAD: [w("1"), w("2")],
    TAIL_SECONDS: [60n, 7n * DAY],
    CUSP_WAD: [w("0.1"), w("0.9")],
    CHIP_WAD: [0n, w("0.05")],
    TIP_WAD: [0n, w("1000")],
    DUST_WAD: [0n, 10n ** 24n],
  },
  // contracts/risk/CircuitBreakerParams.sol, _bounds (the LEVEL_* names are not registered)
  circuitBreaker: {
    DROP_TOLERANCE_WAD: [w("0.01"), w("0.9")],
    VELOCITY_CAPACITY_WAD: [w("1"), 10n ** 33n],
    VELOCITY_WINDOW_SECONDS: [60n, 7n * DAY],
    BAD_DEBT_WINDOW_SECONDS: [60n, 30n * DAY],
    BAD_DEBT_SHARE_WAD: [0n, w("1")],
    COOLDOWN_SECONDS: [60n, 7n * DAY],
  },
};

/**
 * Other constructor and setup checks the deployment would otherwise fail on half-way (each with
 * the contract constant it mirrors).
 */
const SETUP_BOUNDS = {
  // BackstopVault MIN_/MAX_COOLDOWN_SECONDS and MIN_/MAX_CLAIM_WINDOW_SECONDS
  vaultDuration: [3_600n, 30n * DAY],
  // OracleRouter constructor: 0 < hopSeconds <= type(uint32).max
  oracleHop: [1n, 2n ** 32n - 1n],
  // LinearDecrease MIN_TAU_SECONDS / MAX_TAU_SECONDS
  tau: [60n, 30n * DAY],
  // ExponentialDecrease / StairstepExponentialDecrease MIN_CUT_RAY = RAY / 2, MAX_CUT_RAY = RAY - 1
  // on the price kept (RAY - cut, as deploySystem passes it): a cut of 1e-27 to 0.5
  cutRay: [1n, 10n ** 27n / 2n],
  // StairstepExponentialDecrease MIN_STEP_SECONDS / MAX_STEP_SECONDS
  step: [1n, DAY],
} as const;

/**
 * DutchAuction.MAX_FLOOR_WAD: an asset's auctions must be able to fall to 0.9 x the oracle price
 * at their (re)start, or lower, before a redo is due.
 */
export const MAX_AUCTION_FLOOR_WAD = w("0.9");

const RAY = 10n ** 27n;

/** RayPow.rpowDown: `x^n` in RAY, every product rounded down. */
function rpowDown(x: bigint, n: bigint): bigint {
  let z = RAY;
  while (n > 0n) {
    if ((n & 1n) === 1n) z = (z * x) / RAY;
    n >>= 1n;
    if (n > 0n) x = (x * x) / RAY;
    if (z === 0n) return 0n;
  }
  return z;
}

/**
 * The auction curve's `price(startPriceWad, elapsedSeconds)` (LinearDecrease,
 * ExponentialDecrease, StairstepExponentialDecrease), as deploySystem builds the curve from
 * `c` (the price kept per second or step is 1 - cut, in RAY). Rounded down like the contracts.
 */
export function curvePriceWad(c: CurveParams, startPriceWad: bigint, elapsedSeconds: bigint): bigint {
  if (c.kind === "linear") {
    const tau = BigInt(c.tauSeconds);
    return elapsedSeconds >= tau ? 0n : (startPriceWad * (tau - elapsedSeconds)) / tau;
  }
  const cut = parseUnits(c.kind === "exponential" ? c.cutPerSecond : c.cutPerStep, RAY_DECIMALS);
  if (cut > RAY) throw new RangeError(`a cut of ${formatUnits(cut, RAY_DECIMALS)} is above 1`);
  const steps = c.kind === "exponential" ? elapsedSeconds : elapsedSeconds / BigInt(c.stepSeconds);
  return (startPriceWad * rpowDown(RAY - cut, steps)) / RAY;
}

/**
 * An auction's floor as DutchAuctionParams computes it: the lowest price a take can pay before a
 * redo is due, per unit of the oracle price at the (re)start, `buf x curve(1, t)` rounded up, at
 * the last second `t` of `[0, tail]` where `curve(1, t) >= cusp` (a stepped curve can jump from
 * above the cusp to below it, so this is not `buf x cusp` in general). Undefined when a field does
 * not convert (reported by the bounds checks).
 */
export function auctionFloorWad(au: AssetParams["auction"]): bigint | undefined {
  try {
    const [buf, cusp, one, tail] = [w(au.buf), w(au.cusp), w("1"), BigInt(au.tailSeconds)];
    const at = (t: bigint): bigint => curvePriceWad(au.curve, one, t);
    let reach = at(tail);
    if (reach < cusp) {
      // the curve only falls and starts at 1: at(lo) >= cusp > at(hi)
      let [lo, hi] = [0n, tail];
      while (hi - lo > 1n) {
        const mid = (lo + hi) / 2n;
        if (at(mid) >= cusp) lo = mid;
        else hi = mid;
      }
      reach = at(lo);
    }
    return (buf * reach + one - 1n) / one;
  } catch {
    return undefined;
  }
}

/** How a field converts to its on-chain value (as scripts/deploy/system.ts converts it). */
export type Unit =
  | { kind: "wad" }
  | { kind: "ray" }
  | { kind: "seconds" }
  | { kind: "apr" }
  | { kind: "mode" }
  | { kind: "token"; decimals: number };

const MODES = ["static", "dynamic", "ramped"] as const;

export function toChain(value: string | number, unit: Unit): bigint {
  switch (unit.kind) {
    case "wad":
      return parseUnits(String(value), WAD_DECIMALS);
    case "ray":
      return parseUnits(String(value), RAY_DECIMALS);
    case "seconds":
      return BigInt(value);
    case "apr": // deploySystem's aprToPerSecondRay
      return (parseUnits(String(value), WAD_DECIMALS) * 10n ** 9n) / SECONDS_PER_YEAR;
    case "mode":
      return BigInt(MODES.indexOf(value as (typeof MODES)[number]));
    case "token":
      return parseUnits(String(value), unit.decimals);
  }
}

/** An on-chain bound shown in the file's unit. */
export function fromChain(value: bigint, unit: Unit): string {
  const trim = (s: string) => s.replace(/\.0$/, "");
  switch (unit.kind) {
    case "wad":
      return trim(formatUnits(value, WAD_DECIMALS));
    case "ray":
      return trim(formatUnits(value, RAY_DECIMALS));
    case "seconds":
      return value.toString();
    case "apr":
      return trim(formatUnits(value * SECONDS_PER_YEAR, RAY_DECIMALS));
    case "mode":
      return `"${MODES[Number(value)]}"`;
    case "token":
      return trim(formatUnits(value, unit.decimals));
  }
}

const decimalsOf = (unit: Unit): number =>
  unit.kind === "ray" ? RAY_DECIMALS : unit.kind === "token" ? unit.decimals : WAD_DECIMALS;

/** One field checked against one bound. */
interface BoundCheck {
  path: string;
  value: string | number;
  unit: Unit;
  bounds: readonly [bigint, bigint];
  /** What the bounds mirror, named in the message. */
  source: string;
}

function checkField(c: BoundCheck): string | undefined {
  let onChain: bigint;
  try {
    onChain = toChain(c.value, c.unit);
  } catch {
    // parseUnits refuses more fractional digits than the unit has
    return `${c.path}: ${c.value} has more than ${decimalsOf(c.unit)} decimal places`;
  }
  const [min, max] = c.bounds;
  if (onChain >= min && onChain <= max) return undefined;
  return `${c.path}: ${c.value} is out of bounds: ${c.source} allows ${fromChain(min, c.unit)} to ${fromChain(max, c.unit)}`;
}

/**
 * One parameter the deployment registers in the RiskConfig: its module and name, its subject
 * (`global`, or the asset's symbol and index), the file's field and value, and how the value
 * converts on chain.
 */
export interface ParamRegistration {
  module: ParamModule;
  name: string;
  /** `"global"`, or the asset's symbol. */
  subject: string;
  /** The asset's index in `assets` (undefined for a global parameter). */
  assetIndex?: number;
  /** The field in the parameter file (one field may serve every asset: breaker.dropTolerance). */
  path: string;
  value: string | number;
  unit: Unit;
}

/**
 * Every parameter `deploySystem` registers, with the value it registers: the globals, then per
 * asset its margin, ledger, auction, engine and breaker parameters. `deploySystem` registers from
 * this list (in this order within each module and asset); the step table and the file's checks
 * read it too (test/scripts/param-steps.test.ts checks it against a deployment's events).
 */
export function paramRegistrations(p: DeployParams): ParamRegistration[] {
  const out: ParamRegistration[] = [];
  const wad: Unit = { kind: "wad" };
  const sec: Unit = { kind: "seconds" };
  const global = (path: string, value: string | number, unit: Unit, module: ParamModule, name: string) =>
    out.push({ module, name, subject: "global", path, value, unit });

  const g = p.global;
  global(
    "global.stabilityFeeApr",
    g.stabilityFeeApr,
    { kind: "apr" },
    "clearinghouse",
    "STABILITY_FEE_PER_SECOND_RAY",
  );
  global("global.debtCeilingUsd", g.debtCeilingUsd, wad, "clearinghouse", "DEBT_CEILING_WAD");
  global("global.minDebtUsd", g.minDebtUsd, wad, "clearinghouse", "MIN_DEBT_WAD");
  global("global.priceMaxAgeSeconds", g.priceMaxAgeSeconds, sec, "clearinghouse", "PRICE_MAX_AGE_SECONDS");

  const l = p.liquidation;
  const engine = (field: keyof typeof l, unit: Unit, name: string) =>
    global(`liquidation.${field}`, l[field], unit, "liquidationEngine", name);
  engine("targetHealth", wad, "TARGET_HEALTH_WAD");
  engine("penalty", wad, "PENALTY_WAD");
  engine("perpPenalty", wad, "PERP_PENALTY_WAD");
  engine("perpKeeperShare", wad, "PERP_KEEPER_SHARE_WAD");
  engine("dustDebtUsd", wad, "DUST_DEBT_WAD");
  engine("maxTabInFlightUsd", wad, "MAX_TAB_IN_FLIGHT_WAD");
  engine("windowSeconds", sec, "WINDOW_SECONDS");
  engine("windowCapacityUsd", wad, "WINDOW_CAPACITY_WAD");

  const b = p.breaker;
  const breaker = (field: keyof typeof b, unit: Unit, name: string) =>
    global(`breaker.${field}`, b[field], unit, "circuitBreaker", name);
  breaker("velocityWindowSeconds", sec, "VELOCITY_WINDOW_SECONDS");
  breaker("badDebtWindowSeconds", sec, "BAD_DEBT_WINDOW_SECONDS");
  breaker("badDebtShare", wad, "BAD_DEBT_SHARE_WAD");
  breaker("cooldownSeconds", sec, "COOLDOWN_SECONDS");

  for (const [i, a] of p.assets.entries()) {
    const at = `assets.${i}`;
    const param = (path: string, value: string | number, unit: Unit, module: ParamModule, name: string) =>
      out.push({ module, name, subject: a.symbol, assetIndex: i, path, value, unit });
    const m = a.margin;
    const margin = (field: keyof typeof m, unit: Unit, name: string) =>
      param(`${at}.margin.${field}`, m[field], unit, "marginModel", name);
    // the caps before the bases: the MarginModel refuses a base above its cap
    margin("haircutCap", wad, "HAIRCUT_CAP_WAD");
    margin("marginCap", wad, "MARGIN_CAP_WAD");
    margin("haircutBase", wad, "HAIRCUT_BASE_WAD");
    margin("marginBase", wad, "MARGIN_BASE_WAD");
    margin("ewmaLambda", wad, "EWMA_LAMBDA_WAD");
    margin("k", wad, "K_WAD");
    margin("horizonSeconds", sec, "HORIZON_SECONDS");
    margin("liquidityAddOn", wad, "LIQUIDITY_ADDON_WAD");
    margin("initialMultiplier", wad, "INITIAL_MULTIPLIER_WAD");
    margin("rampPerHour", wad, "RAMP_WAD_PER_HOUR");
    margin("depthUsd", wad, "DEPTH_USD_WAD");
    margin("sizeSlope", wad, "SIZE_SLOPE_WAD");
    margin("maxVariancePerSecond", wad, "MAX_VARIANCE_PER_SECOND_WAD");
    margin("mode", { kind: "mode" }, "MODE");
    param(
      `${at}.depositCap`,
      a.depositCap,
      { kind: "token", decimals: a.decimals },
      "clearinghouse",
      "DEPOSIT_CAP",
    );
    if (a.market) {
      const mk = a.market;
      const market = (field: keyof typeof mk, name: string) =>
        param(`${at}.market.${field}`, mk[field], wad, "clearinghouse", name);
      market("skewScale", "SKEW_SCALE_WAD");
      market("maxFundingVelocityPerDay", "MAX_FUNDING_VELOCITY_WAD");
      market("takerFee", "TAKER_FEE_WAD");
      market("maxOpenInterest", "MAX_OPEN_INTEREST_WAD");
      market("skewCapRatio", "SKEW_CAP_RATIO_WAD");
    }
    const au = a.auction;
    const auction = (field: keyof typeof au, unit: Unit, name: string) =>
      param(`${at}.auction.${field}`, au[field] as string | number, unit, "dutchAuction", name);
    auction("buf", wad, "BUF_WAD");
    auction("tailSeconds", sec, "TAIL_SECONDS");
    auction("cusp", wad, "CUSP_WAD");
    auction("chip", wad, "CHIP_WAD");
    auction("tipUsd", wad, "TIP_WAD");
    auction("dustUsd", wad, "DUST_WAD");
    param(`${at}.auction.tabCapUsd`, au.tabCapUsd, wad, "liquidationEngine", "ASSET_TAB_CAP_WAD");
    param("breaker.dropTolerance", b.dropTolerance, wad, "circuitBreaker", "DROP_TOLERANCE_WAD");
    param(
      "breaker.velocityCapacityUsd",
      b.velocityCapacityUsd,
      wad,
      "circuitBreaker",
      "VELOCITY_CAPACITY_WAD",
    );
  }
  return out;
}

/**
 * A parameter whose max step is a share of the value registered, with no minimum step (a cap:
 * scripts/deploy/rules.ts), registered at 0 would get a step of 1 wei: nobody could ever move it.
 */
function registeredAtZeroIssues(p: DeployParams): string[] {
  const issues = new Set<string>();
  for (const r of paramRegistrations(p)) {
    const rule: object = PARAM_RULES[r.module][r.name];
    if (!("maxStepShareWad" in rule) || "minStep" in rule) continue;
    let value: bigint;
    try {
      value = toChain(r.value, r.unit);
    } catch {
      continue; // reported by the bounds checks
    }
    if (value === 0n)
      issues.add(
        `${r.path}: 0 cannot be registered: the max step of ${r.module} ${r.name} is a share of the value registered, so from 0 no update could ever move it (register the smallest value you mean instead)`,
      );
  }
  return [...issues];
}

/** Every bound the deployment would hit, checked up front (messages name the field). */
function boundIssues(p: DeployParams): string[] {
  const checks: BoundCheck[] = [];
  const wad: Unit = { kind: "wad" };
  const sec: Unit = { kind: "seconds" };
  // each field once (the breaker's per-asset parameters share one field)
  const checked = new Set<string>();
  for (const r of paramRegistrations(p)) {
    if (checked.has(r.path)) continue;
    checked.add(r.path);
    const bounds = PARAM_BOUNDS[r.module][r.name];
    checks.push({ path: r.path, value: r.value, unit: r.unit, bounds, source: `${r.module} ${r.name}` });
  }

  const setup = (
    path: string,
    value: string | number,
    unit: Unit,
    bounds: readonly [bigint, bigint],
    source: string,
  ) => checks.push({ path, value, unit, bounds, source });
  setup(
    "vault.cooldownSeconds",
    p.vault.cooldownSeconds,
    sec,
    SETUP_BOUNDS.vaultDuration,
    "BackstopVault MIN/MAX_COOLDOWN_SECONDS",
  );
  setup(
    "vault.claimWindowSeconds",
    p.vault.claimWindowSeconds,
    sec,
    SETUP_BOUNDS.vaultDuration,
    "BackstopVault MIN/MAX_CLAIM_WINDOW_SECONDS",
  );
  setup("oracleHopSeconds", p.oracleHopSeconds, sec, SETUP_BOUNDS.oracleHop, "the OracleRouter constructor");
  setup("vault.seedUsd", p.vault.seedUsd, wad, [0n, 2n ** 256n - 1n], "a WAD amount");

  const extra: string[] = [];
  for (const [i, a] of p.assets.entries()) {
    const at = `assets.${i}`;
    const m = a.margin;
    const au = a.auction;
    const c = au.curve;
    if (c.kind === "linear")
      setup(
        `${at}.auction.curve.tauSeconds`,
        c.tauSeconds,
        sec,
        SETUP_BOUNDS.tau,
        "LinearDecrease MIN/MAX_TAU_SECONDS",
      );
    else if (c.kind === "exponential")
      setup(
        `${at}.auction.curve.cutPerSecond`,
        c.cutPerSecond,
        { kind: "ray" },
        SETUP_BOUNDS.cutRay,
        "ExponentialDecrease MIN/MAX_CUT_RAY (1 - cut)",
      );
    else {
      setup(
        `${at}.auction.curve.cutPerStep`,
        c.cutPerStep,
        { kind: "ray" },
        SETUP_BOUNDS.cutRay,
        "StairstepExponentialDecrease MIN/MAX_CUT_RAY (1 - cut)",
      );
      setup(
        `${at}.auction.curve.stepSeconds`,
        c.stepSeconds,
        sec,
        SETUP_BOUNDS.step,
        "StairstepExponentialDecrease MIN/MAX_STEP_SECONDS",
      );
    }
    setup(`${at}.feed.minPriceUsd`, a.feed.minPriceUsd, wad, [0n, 2n ** 256n - 1n], "a WAD price");
    setup(
      `${at}.feed.maxPriceUsd`,
      a.feed.maxPriceUsd,
      wad,
      [1n, 2n ** 256n - 1n],
      "OracleRouter.setFeed (max price above zero)",
    );

    // cross-field rules the modules enforce once the numbers are in range
    const num = (x: string) => {
      try {
        return parseUnits(x, WAD_DECIMALS);
      } catch {
        return undefined; // reported above
      }
    };
    const [hb, hc, mb, mc] = [m.haircutBase, m.haircutCap, m.marginBase, m.marginCap].map(num);
    if (hb !== undefined && hc !== undefined && hb > hc)
      extra.push(
        `${at}.margin.haircutBase: ${m.haircutBase} is above haircutCap ${m.haircutCap} (MarginModel__InconsistentParams)`,
      );
    if (mb !== undefined && mc !== undefined && mb > mc)
      extra.push(
        `${at}.margin.marginBase: ${m.marginBase} is above marginCap ${m.marginCap} (MarginModel__InconsistentParams)`,
      );
    // deploySystem registers each cap before its base, while MarginModel.addAsset's defaults
    // (haircut base 0.1, margin base 0.05) still stand
    if (hc !== undefined && hc < w("0.1"))
      extra.push(
        `${at}.margin.haircutCap: ${m.haircutCap} is below 0.1, the MarginModel's default haircut base when the deployment sets the cap`,
      );
    if (mc !== undefined && mc < w("0.05"))
      extra.push(
        `${at}.margin.marginCap: ${m.marginCap} is below 0.05, the MarginModel's default margin base when the deployment sets the cap`,
      );
    const floor = auctionFloorWad(au);
    if (floor !== undefined && floor > MAX_AUCTION_FLOOR_WAD)
      extra.push(
        `${at}.auction: buf ${au.buf} x the curve's lowest price at or above cusp ${au.cusp} within tailSeconds ${au.tailSeconds} = ${formatUnits(floor, WAD_DECIMALS)} is above ${formatUnits(MAX_AUCTION_FLOOR_WAD, WAD_DECIMALS)} (DutchAuction.MAX_FLOOR_WAD): no take could pay less than that share of the oracle price before a redo, so the auctions would never clear (DutchAuction__CannotClear)`,
      );
    const [lo, hi] = [a.feed.minPriceUsd, a.feed.maxPriceUsd].map(num);
    if (lo !== undefined && hi !== undefined && lo >= hi)
      extra.push(
        `${at}.feed.minPriceUsd: ${a.feed.minPriceUsd} is not below maxPriceUsd ${a.feed.maxPriceUsd} (OracleRouter.setFeed)`,
      );
  }
  const issues = checks.map(checkField).filter((x): x is string => x !== undefined);
  return [...issues, ...extra, ...registeredAtZeroIssues(p)];
}
