import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { z } from "zod";

/** A non-negative decimal number written as a string ("0.15", "2000"). */
const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "must be a non-negative decimal number written as a string");

const marginSchema = z.object({
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
});

/** The auction price curve of one asset (one small contract each). */
const curveSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("linear"), tauSeconds: z.number().int().positive() }),
  z.object({ kind: z.literal("exponential"), cutPerSecond: decimal }),
  z.object({
    kind: z.literal("stairstep"),
    cutPerStep: decimal,
    stepSeconds: z.number().int().positive(),
  }),
]);

/** Per-asset auction and liquidation settings (Maker's Clipper fields). */
const auctionSchema = z.object({
  curve: curveSchema,
  buf: decimal,
  tailSeconds: z.number().int().positive(),
  cusp: decimal,
  chip: decimal,
  tipUsd: decimal,
  dustUsd: decimal,
  tabCapUsd: decimal,
});

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

const liquidationSchema = z.object({
  targetHealth: decimal,
  penalty: decimal,
  perpPenalty: decimal,
  perpKeeperShare: decimal,
  dustDebtUsd: decimal,
  maxTabInFlightUsd: decimal,
  windowSeconds: z.number().int().positive(),
  windowCapacityUsd: decimal,
});

const breakerSchema = z.object({
  dropTolerance: decimal,
  velocityCapacityUsd: decimal,
  velocityWindowSeconds: z.number().int().positive(),
  badDebtWindowSeconds: z.number().int().positive(),
  badDebtShare: decimal,
  cooldownSeconds: z.number().int().positive(),
});

const assetSchema = z.object({
  symbol: z.string().min(1),
  address: z
    .string()
    .regex(/^0x[0-9a-fA-F]{40}$/)
    .optional(),
  decimals: z.number().int().min(0).max(18),
  mockPriceUsd: decimal.optional(),
  feed: z.object({
    address: z
      .string()
      .regex(/^0x[0-9a-fA-F]{40}$/)
      .optional(),
    decimals: z.number().int().min(0).max(36),
    heartbeatSeconds: z.number().int().positive(),
    graceSeconds: z.number().int().nonnegative(),
    minPriceUsd: decimal,
    maxPriceUsd: decimal,
  }),
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
    .optional(),
  auction: auctionSchema.default(DEFAULT_AUCTION),
});

export const deployParamsSchema = z.object({
  $comment: z.string().optional(),
  mocks: z.boolean(),
  timelockMinDelaySeconds: z.number().int().nonnegative(),
  oracleHopSeconds: z.number().int().positive(),
  vault: z.object({
    cooldownSeconds: z.number().int().positive(),
    claimWindowSeconds: z.number().int().positive(),
    seedUsd: decimal,
  }),
  global: z.object({
    stabilityFeeApr: decimal,
    debtCeilingUsd: decimal,
    minDebtUsd: decimal,
    /** How long prices cached by `Clearinghouse.refreshPrices` serve initial-margin checks (ADR 0006). */
    priceMaxAgeSeconds: z.number().int().min(0).max(3600).default(60),
  }),
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
});

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

/** Reads and validates a parameter file; errors name the file and the field. */
export function loadDeployParams(path: string): DeployParams {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new Error(
      `deployment parameters ${path}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseDeployParams(raw, path);
}

export function parseDeployParams(raw: unknown, source = "<inline>"): DeployParams {
  const parsed = deployParamsSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    throw new Error(`deployment parameters ${source}: ${issues}`);
  }
  const p = parsed.data;
  if (!p.mocks) {
    for (const [i, a] of p.assets.entries()) {
      if (!a.address)
        throw new Error(`deployment parameters ${source}: assets.${i}.address: required when mocks is false`);
      if (!a.feed.address) {
        throw new Error(
          `deployment parameters ${source}: assets.${i}.feed.address: required when mocks is false`,
        );
      }
    }
  }
  return p;
}
