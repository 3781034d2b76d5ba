/**
 * The scenario file format (zod schema), validated once at load.
 *
 * A scenario is data: the markets (assets, price processes, correlations, shocks, the CEX's
 * depth, the pools' depth over time, gas), the oracle keeper and its failure windows, the
 * population (accounts, liquidators, backstop LPs, guardian) and the run's clock. Every object
 * is strict: an unknown field is an error (a typo never silently falls back to a default).
 * Units are in the field names: `...Seconds`, `...Usd`, `...PerYear` (365-day year), `...Bps`,
 * `...Gwei`; fractions are plain numbers (0.3 = 30%).
 *
 * `parseScenario(json, label)` returns the typed `Scenario` with defaults filled in, or throws
 * a `ScenarioError` whose message has one line per problem:
 * `scenario <label>: <field path>: <problem>`, e.g.
 * `scenario simulations/scenarios/x.json: steps.count: expected a positive integer`.
 */
import { z } from "zod";
import { parseUtc } from "../markets/data.js";
import { cholesky, correlationMatrix } from "../markets/processes.js";

/** Assets the on-chain world can list (WETH, WBTC), in their canonical order. */
export const ASSETS = ["ETH", "BTC"] as const;
export type Asset = (typeof ASSETS)[number];

// ---------------------------------------------------------------------------------------------
// Building blocks with messages that say what was expected.

const num = (what: string) =>
  z
    .number({ required_error: `required: expected ${what}`, invalid_type_error: `expected ${what}` })
    .finite(`expected ${what}`);
const positive = (what = "a positive number") => num(what).positive(`expected ${what}`);
const nonNegative = (what = "a number >= 0") => num(what).nonnegative(`expected ${what}`);
const posInt = (what = "a positive integer") =>
  num(what).int(`expected ${what}`).positive(`expected ${what}`);
const nonNegInt = (what = "an integer >= 0") =>
  num(what).int(`expected ${what}`).nonnegative(`expected ${what}`);
const fraction = (what = "a fraction in [0, 1]") =>
  num(what).min(0, `expected ${what}`).max(1, `expected ${what}`);
const openFraction = (what = "a fraction in (0, 1)") =>
  num(what).gt(0, `expected ${what}`).lt(1, `expected ${what}`);
const str = (what = "a string") =>
  z.string({ required_error: `required: expected ${what}`, invalid_type_error: `expected ${what}` });
const bool = () =>
  z.boolean({
    required_error: "required: expected true or false",
    invalid_type_error: "expected true or false",
  });
const asset = z.enum(ASSETS, { errorMap: () => ({ message: `expected an asset: ${ASSETS.join(" | ")}` }) });
const DATE_SHAPE = /^\d{4}-\d{2}-\d{2}$/;
const TIME_SHAPE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?Z)?$/;
/**
 * A date or time of the right shape must also exist (2022-02-30 or 24:00 is refused, naming the
 * field); a wrong shape is the regex's one message.
 */
const exists = (shape: RegExp) => (text: string) => !shape.test(text) || parseUtc(text) !== undefined;
const isoDate = str("a date YYYY-MM-DD")
  .regex(DATE_SHAPE, "expected a date YYYY-MM-DD")
  .refine(exists(DATE_SHAPE), (text) => ({ message: `expected a calendar date that exists, got ${text}` }));
const isoTime = str("a UTC time like 2022-05-07T00:00:00Z")
  .regex(TIME_SHAPE, "expected a UTC time like 2022-05-07T00:00:00Z")
  .refine(exists(TIME_SHAPE), (text) => ({ message: `expected a UTC time that exists, got ${text}` }));
/** An object keyed by asset symbol (only the assets listed in ASSETS). */
const perAsset = <T extends z.ZodTypeAny>(value: T) =>
  z.object({ ETH: value.optional(), BTC: value.optional() }).strict();

// ---------------------------------------------------------------------------------------------
// Distributions (for the population).

export const DistributionSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("constant"), value: num("a number") }).strict(),
    z.object({ kind: z.literal("uniform"), min: num("a number"), max: num("a number") }).strict(),
    z
      .object({
        kind: z.literal("lognormal"),
        median: positive(),
        sigmaLog: nonNegative(),
        min: num("a number").optional(),
        max: num("a number").optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("beta"),
        alpha: positive(),
        beta: positive(),
        min: num("a number").default(0),
        max: num("a number").default(1),
      })
      .strict(),
  ],
  {
    errorMap: () => ({ message: "expected a distribution with kind constant | uniform | lognormal | beta" }),
  },
);
export type Distribution = z.output<typeof DistributionSchema>;

// ---------------------------------------------------------------------------------------------
// Price processes.

const JumpsSchema = z
  .object({ intensityPerYear: nonNegative(), meanLog: num("a number"), sdLog: nonNegative() })
  .strict();

const GbmSchema = z
  .object({
    kind: z.literal("gbm"),
    muPerYear: num("a number").default(0),
    sigmaPerYear: nonNegative(),
    jumps: JumpsSchema.optional(),
  })
  .strict();

const RegimeSchema = z
  .object({
    kind: z.literal("regime"),
    regimes: z
      .array(
        z
          .object({
            name: str(),
            sigmaPerYear: nonNegative(),
            muPerYear: num("a number").default(0),
            meanDurationSeconds: positive(),
            jumps: JumpsSchema.optional(),
          })
          .strict(),
      )
      .min(1, "expected at least one regime"),
    transitions: z.array(z.array(nonNegative())).optional(),
    initialRegime: nonNegInt().default(0),
  })
  .strict();

/** A GBM whose diffusion is correlated (rho) with another asset's. Sugar for gbm + correlations. */
const CorrelatedSchema = z
  .object({
    kind: z.literal("correlated"),
    with: asset,
    rho: num("a correlation in (-1, 1)")
      .gt(-1, "expected a correlation in (-1, 1)")
      .lt(1, "expected a correlation in (-1, 1)"),
    muPerYear: num("a number").default(0),
    sigmaPerYear: nonNegative(),
    jumps: JumpsSchema.optional(),
  })
  .strict();

const ScriptedSchema = z
  .object({
    kind: z.literal("scripted"),
    keyframes: z.array(z.object({ atSeconds: nonNegative(), factor: positive() }).strict()),
  })
  .strict();

const ReplaySchema = z
  .object({
    kind: z.literal("replay"),
    /** "hourly": the hourly CSV from `from`; "stress-day": the 10-minute ETH candles of `date`. */
    source: z.enum(["hourly", "stress-day"], {
      errorMap: () => ({ message: "expected hourly | stress-day" }),
    }),
    from: isoTime.optional(),
    date: isoDate.optional(),
    /** Data file (relative to the data directory or absolute), instead of the default one. */
    file: str().optional(),
    intrabar: z
      .enum(["ohlc", "close"], { errorMap: () => ({ message: "expected ohlc | close" }) })
      .default("ohlc"),
    /** Relative wick size beyond body and neighbours treated as bad data (default 0.3). */
    wickThreshold: positive().optional(),
  })
  .strict();

export const ProcessSchema = z.discriminatedUnion(
  "kind",
  [GbmSchema, RegimeSchema, CorrelatedSchema, ScriptedSchema, ReplaySchema],
  {
    errorMap: (issue, ctx) =>
      issue.code === "invalid_union_discriminator"
        ? { message: "expected kind gbm | regime | correlated | scripted | replay" }
        : { message: ctx.defaultError },
  },
);
export type ProcessSpec = z.output<typeof ProcessSchema>;

const AssetSchema = z
  .object({
    /** Price at t = 0 (required except for replays, where it rescales the history if given). */
    initialPrice: positive().optional(),
    process: ProcessSchema,
  })
  .strict();

const ShockSchema = z
  .object({
    name: str().optional(),
    /** Assets hit (default: all). */
    assets: z.array(asset).min(1).optional(),
    atSeconds: nonNegative(),
    drop: openFraction(),
    overSeconds: nonNegative(),
    holdSeconds: nonNegative().default(0),
    /** Fraction of the fall recovered. */
    rebound: fraction().default(0),
    reboundSeconds: nonNegative().default(0),
  })
  .strict();
export type ShockSpec = z.output<typeof ShockSchema>;

// ---------------------------------------------------------------------------------------------
// Venues: CEX, pools, gas.

const CexSchema = z
  .object({
    impact: z
      .enum(["sqrt", "linear"], { errorMap: () => ({ message: "expected sqrt | linear" }) })
      .default("sqrt"),
    /** USD of net flow that moves the reference price by 1%. */
    depthUsd: perAsset(positive()),
    resilienceHalfLifeSeconds: positive().default(600),
  })
  .strict();

const PoolSchema = z
  .object({
    /** Total value (USD, both sides) of the equivalent full-range pool at t = 0. */
    depthUsd: positive(),
    feeBps: z
      .union([z.literal(1), z.literal(5), z.literal(30), z.literal(100)], {
        errorMap: () => ({ message: "expected a Uniswap v3 fee tier: 1 | 5 | 30 | 100" }),
      })
      .default(30),
    /** Depth factor over time (1 at t = 0; piecewise linear; held after the last point). */
    schedule: z.array(z.object({ atSeconds: nonNegative(), factor: positive() }).strict()).default([]),
    /**
     * Follow a stress day's ETH/DAI pool instead of `schedule`. Its rows are on US Pacific time:
     * they cover `date` 08:00 UTC (07:00 in daylight time) to the same hour of the next day; the
     * first row is held before that and the last after (both reported with the run's data fixes).
     */
    replay: z
      .object({
        date: isoDate,
        mode: z
          .enum(["relative", "absolute"], { errorMap: () => ({ message: "expected relative | absolute" }) })
          .default("relative"),
        scale: positive().default(1),
        /** t = 0 of the run is `date` 00:00 UTC plus this. */
        offsetSeconds: nonNegative().default(0),
      })
      .strict()
      .optional(),
  })
  .strict();

const GasSchema = z.discriminatedUnion(
  "kind",
  [
    z.object({ kind: z.literal("constant"), gwei: nonNegative() }).strict(),
    z
      .object({
        kind: z.literal("schedule"),
        points: z
          .array(z.object({ atSeconds: nonNegative(), gwei: nonNegative() }).strict())
          .min(1, "expected at least one point"),
      })
      .strict(),
    z
      .object({
        kind: z.literal("replay"),
        date: isoDate,
        field: z
          .enum(["avg", "p30", "p60", "p90", "p100"], {
            errorMap: () => ({ message: "expected avg | p30 | p60 | p90 | p100" }),
          })
          .default("avg"),
        scale: positive().default(1),
        /** t = 0 of the run is `date` 00:00 UTC plus this. */
        offsetSeconds: nonNegative().default(0),
        /**
         * Replay a file whose rows are dated another day than `date` (`2021-02-22.gas.json`
         * holds the gas of 2020-02-22), re-based to `date`. Without it such a file is refused.
         */
        allowDateMismatch: bool().default(false),
      })
      .strict(),
  ],
  { errorMap: () => ({ message: "expected gas kind constant | schedule | replay" }) },
);
export type GasSpec = z.output<typeof GasSchema>;

// ---------------------------------------------------------------------------------------------
// Oracle keeper.

const OracleFailureSchema = z.discriminatedUnion(
  "kind",
  [
    /** No updates at all from `fromSeconds` to `toSeconds` (the feed goes stale). */
    z
      .object({
        kind: z.literal("freeze"),
        fromSeconds: nonNegative(),
        toSeconds: nonNegative(),
        assets: z.array(asset).min(1).optional(),
      })
      .strict(),
    /** Updates land `extraLatencySeconds` later than usual in the window. */
    z
      .object({
        kind: z.literal("delay"),
        fromSeconds: nonNegative(),
        toSeconds: nonNegative(),
        extraLatencySeconds: positive(),
        assets: z.array(asset).min(1).optional(),
      })
      .strict(),
  ],
  { errorMap: () => ({ message: "expected failure kind freeze | delay" }) },
);
export type OracleFailure = z.output<typeof OracleFailureSchema>;

const OracleSchema = z
  .object({
    /** Push when the reference moves this much from the last pushed price (50 = 0.5%). */
    deviationBps: positive().default(50),
    /** Push at least this often. */
    heartbeatSeconds: positive().default(3600),
    /** Delay between the keeper's decision and the update landing on chain. */
    latencySeconds: nonNegative().default(0),
    /** Which price the keeper reports. */
    source: z
      .enum(["cex", "exogenous"], { errorMap: () => ({ message: "expected cex | exogenous" }) })
      .default("cex"),
    failures: z.array(OracleFailureSchema).default([]),
  })
  .strict();

// ---------------------------------------------------------------------------------------------
// Population.

const AccountsSchema = z
  .object({
    count: nonNegInt(),
    /** Share of accounts posting each collateral (weights, normalised). */
    collateral: perAsset(nonNegative()),
    /** Collateral value per account at t = 0. */
    collateralUsd: DistributionSchema,
    /** Fraction of accounts that borrow, and their debt as a fraction of the borrow limit. */
    borrow: z.object({ share: fraction(), utilization: DistributionSchema }).strict(),
    /** Fraction of accounts that trade perps, their leverage (notional / collateral) and long share. */
    perp: z
      .object({ share: fraction(), leverage: DistributionSchema, longShare: fraction().default(0.5) })
      .strict(),
    /** Behaviour mix (weights, normalised). */
    behaviours: z
      .object({
        passive: nonNegative().default(1),
        topUp: nonNegative().default(0),
        deleverage: nonNegative().default(0),
        panic: nonNegative().default(0),
      })
      .strict()
      .default({}),
    /** Reaction delay of accounts that top up or deleverage. */
    reactionLatencySeconds: DistributionSchema.default({ kind: "constant", value: 600 }),
    /** Health below which an active account reacts. */
    reactionHealth: positive().default(1.2),
  })
  .strict();

/** One group of liquidators: `count` bots, each drawn from the distributions. */
const LiquidatorGroupSchema = z
  .object({
    count: nonNegInt(),
    capitalUsd: DistributionSchema,
    /** Smallest expected profit (after gas) worth a transaction. */
    minProfitUsd: DistributionSchema.default({ kind: "constant", value: 0 }),
    latencySeconds: DistributionSchema.default({ kind: "constant", value: 0 }),
    /** Use the flash-liquidation callback (no capital needed up front). */
    useFlash: bool().default(true),
    /**
     * Gas price above which a liquidator waits: one number for all, or a distribution drawn once
     * per liquidator (bots with different gas ceilings stall at different points of a gas spike).
     */
    maxGasGwei: z
      .union([positive(), DistributionSchema], {
        errorMap: () => ({ message: "expected a positive number or a distribution" }),
      })
      .optional(),
    /**
     * Patience: the smallest discount to the pool price at which a liquidator takes (0.8 = only
     * at 20% of the pool price or less), except at its last chance before the auction needs a
     * redo, when any profitable price goes. 0 (default): take as soon as it pays.
     */
    minDiscount: DistributionSchema.default({ kind: "constant", value: 0 }),
  })
  .strict();

/** The liquidators: one group, plus `extra` groups with other profiles (drawn after it). */
const LiquidatorsSchema = LiquidatorGroupSchema.extend({
  extra: z.array(LiquidatorGroupSchema).default([]),
}).strict();

const ArbitrageurSchema = z
  .object({
    enabled: bool().default(true),
    /** Trade when pool and CEX differ by more than this (on top of the pool fee). */
    thresholdBps: nonNegative().default(10),
    latencySeconds: nonNegative().default(0),
  })
  .strict();

const BackstopSchema = z
  .object({
    depositUsd: nonNegative(),
    lps: posInt().default(1),
    /** LPs request withdrawal once the reference price has fallen this much (fraction). */
    withdrawOnDrawdown: openFraction().optional(),
  })
  .strict();

const GuardianSchema = z
  .object({ enabled: bool().default(false), reactionSeconds: nonNegative().default(300) })
  .strict();

// ---------------------------------------------------------------------------------------------
// The scenario.

const StepsSchema = z
  .object({
    /** Simulated seconds per step. */
    seconds: posInt(),
    count: posInt().optional(),
    durationSeconds: posInt().optional(),
  })
  .strict();

const ScenarioBase = z
  .object({
    $schema: str().optional(),
    $comment: str().optional(),
    name: str("a scenario name").regex(
      /^[a-z0-9][a-z0-9-]*$/,
      "expected a name in lower-case letters, digits and dashes",
    ),
    description: str(),
    /** Default seed (a command line may override it). */
    seed: nonNegInt().default(1),
    /** Clock: give `count` or `durationSeconds` (a multiple of `seconds`). */
    steps: StepsSchema,
    blockTimeSeconds: posInt().default(12),
    /** Wall-clock time of t = 0 (default: the first replay's start, else 2024-01-01T00:00:00Z). */
    start: isoTime.optional(),
    /** Deployment parameters: a name under scripts/deploy/params/ or a path (default "local"). */
    deployParams: str().default("local"),
    marginMode: z
      .enum(["static", "dynamic", "ramped"], {
        errorMap: () => ({ message: "expected static | dynamic | ramped" }),
      })
      .default("dynamic"),
    assets: perAsset(AssetSchema),
    correlations: z
      .array(
        z
          .object({
            assets: z.tuple([asset, asset], { errorMap: () => ({ message: "expected two assets" }) }),
            rho: num("a correlation in (-1, 1)")
              .gt(-1, "expected a correlation in (-1, 1)")
              .lt(1, "expected a correlation in (-1, 1)"),
          })
          .strict(),
      )
      .default([]),
    shocks: z.array(ShockSchema).default([]),
    cex: CexSchema,
    pools: perAsset(PoolSchema),
    gas: GasSchema,
    oracle: OracleSchema.default({}),
    accounts: AccountsSchema,
    liquidators: LiquidatorsSchema,
    arbitrageur: ArbitrageurSchema.default({}),
    backstop: BackstopSchema.optional(),
    guardian: GuardianSchema.default({}),
  })
  .strict();

type Ctx = z.RefinementCtx;
const issue = (ctx: Ctx, path: (string | number)[], message: string): void => {
  ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
};

function crossCheck(s: z.output<typeof ScenarioBase>, ctx: Ctx): void {
  const listed = ASSETS.filter((a) => s.assets[a] !== undefined);
  if (listed.length === 0) issue(ctx, ["assets"], "expected at least one asset");
  const known = new Set<string>(listed);
  const needKnown = (path: (string | number)[], a: string): void => {
    if (!known.has(a)) issue(ctx, path, `asset ${a} is not listed in assets`);
  };

  // steps
  const { seconds, count, durationSeconds } = s.steps;
  if (count === undefined && durationSeconds === undefined)
    issue(ctx, ["steps", "count"], "required: give steps.count or steps.durationSeconds");
  const valid = (x: number | undefined): x is number => x !== undefined && Number.isInteger(x) && x > 0;
  if (valid(count) && valid(durationSeconds) && valid(seconds) && count * seconds !== durationSeconds) {
    issue(
      ctx,
      ["steps", "durationSeconds"],
      `expected count * seconds = ${count * seconds}, or only one of them`,
    );
  }
  if (count === undefined && valid(durationSeconds) && valid(seconds) && durationSeconds % seconds !== 0) {
    issue(ctx, ["steps", "durationSeconds"], `expected a multiple of steps.seconds (${seconds})`);
  }

  // assets and processes
  const pairs: { assets: [string, string]; rho: number; path: (string | number)[] }[] = [];
  for (const a of listed) {
    const spec = s.assets[a]!;
    const p = spec.process;
    const path = ["assets", a, "process"];
    if (p.kind !== "replay" && spec.initialPrice === undefined)
      issue(ctx, ["assets", a, "initialPrice"], "required: expected a positive number");
    if (p.kind === "replay") {
      if (p.source === "hourly" && p.from === undefined)
        issue(ctx, [...path, "from"], "required for an hourly replay: expected a UTC time");
      if (p.source === "stress-day" && p.date === undefined)
        issue(ctx, [...path, "date"], "required for a stress-day replay: expected a date YYYY-MM-DD");
      if (p.source === "stress-day" && p.from !== undefined)
        issue(ctx, [...path, "from"], "not used by a stress-day replay (give date)");
      if (p.source === "hourly" && p.date !== undefined)
        issue(ctx, [...path, "date"], "not used by an hourly replay (give from)");
    }
    if (p.kind === "regime") {
      const n = p.regimes.length;
      if (p.initialRegime >= n) issue(ctx, [...path, "initialRegime"], `expected an index below ${n}`);
      if (p.transitions !== undefined) {
        if (p.transitions.length !== n) issue(ctx, [...path, "transitions"], `expected ${n} rows`);
        p.transitions.forEach((row, i) => {
          if (row.length !== n) issue(ctx, [...path, "transitions", i], `expected ${n} entries`);
          else if (n > 1 && !row.some((w, j) => j !== i && w > 0))
            issue(ctx, [...path, "transitions", i], "expected a positive weight to another regime");
        });
      }
    }
    if (p.kind === "scripted") {
      p.keyframes.forEach((k, i) => {
        if (i > 0 && k.atSeconds < p.keyframes[i - 1].atSeconds)
          issue(ctx, [...path, "keyframes", i, "atSeconds"], "expected keyframes in time order");
      });
    }
    if (p.kind === "correlated") {
      if (p.with === a) issue(ctx, [...path, "with"], "expected another asset");
      else if (!known.has(p.with)) issue(ctx, [...path, "with"], `asset ${p.with} is not listed in assets`);
      else {
        const other = s.assets[p.with]!.process.kind;
        if (other === "replay" || other === "scripted")
          issue(
            ctx,
            [...path, "with"],
            `asset ${p.with} has a ${other} process, which has no randomness to correlate with`,
          );
        pairs.push({ assets: [a, p.with], rho: p.rho, path: [...path, "rho"] });
      }
    }
  }
  s.correlations.forEach((c, i) => {
    c.assets.forEach((a, j) => needKnown(["correlations", i, "assets", j], a));
    if (c.assets[0] === c.assets[1])
      issue(ctx, ["correlations", i, "assets"], "expected two different assets");
    pairs.push({ assets: c.assets, rho: c.rho, path: ["correlations", i] });
  });
  const seen = new Map<string, (string | number)[]>();
  for (const p of pairs) {
    const key = [...p.assets].sort().join("/");
    const before = seen.get(key);
    if (before !== undefined) issue(ctx, p.path, `correlation ${key} is also given at ${formatPath(before)}`);
    seen.set(key, p.path);
  }
  const usable = pairs.filter(
    (p) => known.has(p.assets[0]) && known.has(p.assets[1]) && p.assets[0] !== p.assets[1],
  );
  if (usable.length > 0 && usable.length === pairs.length) {
    try {
      cholesky(correlationMatrix(listed, usable));
    } catch {
      issue(ctx, ["correlations"], "the correlations do not form a positive-definite matrix");
    }
  }

  // shocks
  s.shocks.forEach((sh, i) => {
    (sh.assets ?? []).forEach((a, j) => needKnown(["shocks", i, "assets", j], a));
    if (sh.rebound > 0 && sh.reboundSeconds === 0 && sh.holdSeconds === 0 && sh.overSeconds === 0) {
      issue(ctx, ["shocks", i], "expected a duration for the fall or the rebound");
    }
  });

  // venues
  for (const a of listed) {
    if (s.cex.depthUsd[a] === undefined)
      issue(ctx, ["cex", "depthUsd", a], `required for asset ${a}: expected a positive number`);
    if (s.pools[a] === undefined) issue(ctx, ["pools", a], `required for asset ${a}: expected a pool`);
  }
  for (const a of ASSETS) {
    if (s.cex.depthUsd[a] !== undefined) needKnown(["cex", "depthUsd", a], a);
    if (s.pools[a] !== undefined) needKnown(["pools", a], a);
    const pool = s.pools[a];
    if (pool !== undefined) {
      pool.schedule.forEach((pt, i) => {
        if (i > 0 && pt.atSeconds < pool.schedule[i - 1].atSeconds)
          issue(ctx, ["pools", a, "schedule", i, "atSeconds"], "expected points in time order");
      });
      if (pool.replay !== undefined && pool.schedule.length > 0)
        issue(ctx, ["pools", a, "replay"], "give either schedule or replay, not both");
    }
  }
  if (s.gas.kind === "schedule") {
    const pts = s.gas.points;
    pts.forEach((pt, i) => {
      if (i > 0 && pt.atSeconds < pts[i - 1].atSeconds)
        issue(ctx, ["gas", "points", i, "atSeconds"], "expected points in time order");
    });
  }

  // oracle
  s.oracle.failures.forEach((f, i) => {
    if (!(f.toSeconds > f.fromSeconds))
      issue(ctx, ["oracle", "failures", i, "toSeconds"], "expected a time after fromSeconds");
    (f.assets ?? []).forEach((a, j) => needKnown(["oracle", "failures", i, "assets", j], a));
  });

  // population
  for (const a of ASSETS)
    if (s.accounts.collateral[a] !== undefined) needKnown(["accounts", "collateral", a], a);
  if (s.accounts.count > 0 && !ASSETS.some((a) => (s.accounts.collateral[a] ?? 0) > 0)) {
    issue(ctx, ["accounts", "collateral"], "expected a positive weight for at least one asset");
  }
  const b = s.accounts.behaviours;
  if (!(b.passive + b.topUp + b.deleverage + b.panic > 0))
    issue(ctx, ["accounts", "behaviours"], "expected a positive weight for at least one behaviour");
  const checkDist = (d: Distribution, path: (string | number)[]): void => {
    if ((d.kind === "uniform" || d.kind === "beta") && !(d.max >= d.min))
      issue(ctx, [...path, "max"], "expected max >= min");
    if (d.kind === "lognormal" && d.min !== undefined && d.max !== undefined && !(d.max >= d.min))
      issue(ctx, [...path, "max"], "expected max >= min");
  };
  checkDist(s.accounts.collateralUsd, ["accounts", "collateralUsd"]);
  checkDist(s.accounts.borrow.utilization, ["accounts", "borrow", "utilization"]);
  checkDist(s.accounts.perp.leverage, ["accounts", "perp", "leverage"]);
  checkDist(s.accounts.reactionLatencySeconds, ["accounts", "reactionLatencySeconds"]);
  const groups = [
    { g: s.liquidators, path: ["liquidators"] },
    ...s.liquidators.extra.map((g, i) => ({ g, path: ["liquidators", "extra", i] })),
  ];
  for (const { g, path } of groups) {
    checkDist(g.capitalUsd, [...path, "capitalUsd"]);
    checkDist(g.minProfitUsd, [...path, "minProfitUsd"]);
    checkDist(g.latencySeconds, [...path, "latencySeconds"]);
    checkDist(g.minDiscount, [...path, "minDiscount"]);
    // a lognormal is positive unless clamped below; the others are bounded by min/max or value
    const low = (d: Distribution): number =>
      d.kind === "constant" ? d.value : d.kind === "lognormal" ? (d.min ?? 1e-9) : d.min;
    const high = (d: Distribution): number =>
      d.kind === "constant" ? d.value : d.kind === "lognormal" ? (d.max ?? Infinity) : d.max;
    const gas = g.maxGasGwei;
    if (gas !== undefined && typeof gas !== "number") {
      checkDist(gas, [...path, "maxGasGwei"]);
      if (!(low(gas) > 0))
        issue(ctx, [...path, "maxGasGwei"], "expected a distribution of positive values (min > 0)");
    }
    if (!(low(g.minDiscount) >= 0 && high(g.minDiscount) < 1))
      issue(ctx, [...path, "minDiscount"], "expected a distribution of fractions in [0, 1)");
  }
}

/** The scenario schema (input: the JSON file; output: the typed scenario with defaults). */
export const ScenarioSchema = ScenarioBase.superRefine(crossCheck).transform((s) => ({
  ...s,
  steps: {
    seconds: s.steps.seconds,
    count: s.steps.count ?? Math.floor((s.steps.durationSeconds ?? 0) / s.steps.seconds),
  },
}));

/** A validated scenario: defaults filled in, `steps.count` always set. */
export type Scenario = z.output<typeof ScenarioSchema>;
/** What a scenario file may contain. */
export type ScenarioInput = z.input<typeof ScenarioSchema>;

/** The listed assets of a scenario, in canonical order (ETH before BTC). */
export function scenarioAssets(s: Pick<Scenario, "assets">): Asset[] {
  return ASSETS.filter((a) => s.assets[a] !== undefined);
}

/** One problem found in a scenario. */
export interface ScenarioProblem {
  /** Dotted field path, e.g. "shocks[0].drop" (empty for the file as a whole). */
  readonly path: string;
  readonly message: string;
}

/** An invalid scenario file: the message has one line per problem, naming file and field. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ScenarioProblem[],
  ) {
    super(
      problems.map((p) => `scenario ${file}: ${p.path === "" ? "" : `${p.path}: `}${p.message}`).join("\n"),
    );
    this.name = "ScenarioError";
  }
}

/** "a.b[0].c" from ["a", "b", 0, "c"]. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out === "" ? p : `.${p}`;
  return out;
}

function problemsOf(error: z.ZodError): ScenarioProblem[] {
  const out: ScenarioProblem[] = [];
  for (const i of error.issues) {
    if (i.code === z.ZodIssueCode.unrecognized_keys) {
      for (const k of i.keys) out.push({ path: formatPath([...i.path, k]), message: "unknown field" });
    } else if (i.code === z.ZodIssueCode.invalid_type && i.received === "undefined") {
      out.push({
        path: formatPath(i.path),
        message: i.message.startsWith("required") ? i.message : `required: ${i.message}`,
      });
    } else {
      out.push({ path: formatPath(i.path), message: i.message });
    }
  }
  return out;
}

/** Validates parsed JSON as a scenario; `label` names the source in errors (a file path). */
export function parseScenario(json: unknown, label: string): Scenario {
  const result = ScenarioSchema.safeParse(json);
  if (!result.success) throw new ScenarioError(label, problemsOf(result.error));
  return result.data;
}
