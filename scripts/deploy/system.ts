import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import {
  getAddress,
  getCreateAddress,
  isAddress,
  parseUnits,
  type BaseContract,
  type ContractTransactionResponse,
} from "ethers";

import type {
  AccountLens,
  BackstopVault,
  CircuitBreaker,
  Clearinghouse,
  DutchAuction,
  LiquidationEngine,
  MarginModel,
  MockERC20,
  MockV3Aggregator,
  OracleRouter,
  RiskConfig,
  BallastTimelock,
  Stablecoin,
} from "../../types/ethers-contracts/index.js";
import type { IClearinghouseBase } from "../../types/ethers-contracts/contracts/core/Clearinghouse.js";
import { DeployParamsError, SEED_COLLATERAL_TOKENS, paramRegistrations, toChain } from "./params.js";
import type { CurveParams, DeployParams, ParamModule, ParamRegistration } from "./params.js";
import { PARAM_RULES, maxStepOf, type Rules } from "./rules.js";

const WAD_DECIMALS = 18;
const DEAD = "0x000000000000000000000000000000000000dEaD";
const ZERO = "0x0000000000000000000000000000000000000000";

export const wad = (x: string): bigint => parseUnits(x, WAD_DECIMALS);
export const b32 = (s: string): string => `0x${Buffer.from(s, "utf8").toString("hex").padEnd(64, "0")}`;

export interface DeployedAsset {
  symbol: string;
  token: MockERC20;
  address: string;
  decimals: number;
  feed: MockV3Aggregator | undefined;
  feedAddress: string;
  feedDecimals: number;
  hasMarket: boolean;
}

export interface BallastSystem {
  deployer: HardhatEthersSigner;
  /** Guardian of the RiskConfig (GUARDIAN_ROLE) and of the CircuitBreaker. */
  guardian: string;
  /** Timelock proposers (and cancellers) after the hand-over, the deployer included in lab mode. */
  proposers: string[];
  /** Timelock executors after the hand-over; the zero address means anyone may execute. */
  executors: string[];
  timelock: BallastTimelock;
  stablecoin: Stablecoin;
  oracle: OracleRouter;
  riskConfig: RiskConfig;
  marginModel: MarginModel;
  clearinghouse: Clearinghouse;
  vault: BackstopVault;
  lens: AccountLens;
  auction: DutchAuction;
  engine: LiquidationEngine;
  breaker: CircuitBreaker;
  /** Auction price curve contract by asset address. */
  curves: Record<string, string>;
  assets: DeployedAsset[];
  addresses: Record<string, string>;
}

export interface DeployOptions {
  /** Guardian address (instead of the file's `governance.guardian`). */
  guardian?: string;
  /** Timelock proposers (instead of the file's `governance.proposers`). */
  proposers?: string[];
  /**
   * Timelock executors (instead of the file's `governance.executors`); `"anyone"` or the zero
   * address opens execution to every account (OpenZeppelin's convention).
   */
  executors?: string[];
  /**
   * Lab mode, mock networks only (the laboratory, tests, benches): the deployer keeps its
   * proposer, executor and canceller roles on the timelock and, unless `guardian` is given, is the
   * guardian, so a local run can play governance and guardian scenarios from one account. The
   * file's proposers and executors are granted too.
   */
  keepDeployerAsProposer?: boolean;
}

/** Who governs once the deployment has handed over (checked before anything is sent). */
interface Governance {
  proposers: string[];
  executors: string[];
  guardian: string;
  lab: boolean;
}

/**
 * Resolves the governance of a deployment from the options and the parameter file and refuses,
 * before anything is sent, one that would leave the timelock without a proposer or an executor,
 * or (on a network with real assets) the deployer in any governance role (ADR 0001 point 3).
 */
function resolveGovernance(params: DeployParams, options: DeployOptions, deployer: string): Governance {
  const issues: string[] = [];
  const lab = options.keepDeployerAsProposer === true;
  const file = params.governance;
  const checked = (field: string, list: string[], openAllowed: boolean): string[] =>
    list.flatMap((a, i) => {
      if (openAllowed && (a === "anyone" || a === ZERO)) return [ZERO];
      if (!isAddress(a) || a === ZERO) {
        issues.push(`${field}.${i}: ${a} is not a non-zero address`);
        return [];
      }
      return [getAddress(a)];
    });
  const proposers = checked("governance.proposers", options.proposers ?? file?.proposers ?? [], false);
  const executors = checked("governance.executors", options.executors ?? file?.executors ?? [], true);
  const guardianGiven = options.guardian ?? (lab ? deployer : file?.guardian);
  const guardian =
    guardianGiven === undefined ? undefined : checked("governance.guardian", [guardianGiven], false)[0];

  if (lab && !params.mocks)
    issues.push(
      "keepDeployerAsProposer: lab mode (the deployer keeps its timelock roles) is for mock networks only",
    );
  if (!lab && proposers.length === 0)
    issues.push(
      "governance.proposers: no timelock proposer: after the hand-over nobody could schedule an operation (name one in the parameter file or pass options.proposers)",
    );
  if (!lab && executors.length === 0)
    issues.push(
      'governance.executors: no timelock executor: name one, or "anyone" (in the parameter file or options.executors)',
    );
  if (guardianGiven === undefined)
    issues.push("governance.guardian: no guardian (name one in the parameter file or pass options.guardian)");
  if (!params.mocks) {
    const isDeployer = (a: string) => a.toLowerCase() === deployer.toLowerCase();
    if (proposers.some(isDeployer))
      issues.push(
        `governance.proposers: ${deployer} is the deployer, which holds no governance role (ADR 0001)`,
      );
    if (executors.some(isDeployer))
      issues.push(
        `governance.executors: ${deployer} is the deployer, which holds no governance role (ADR 0001)`,
      );
    if (guardian !== undefined && isDeployer(guardian))
      issues.push(`governance.guardian: ${deployer} is the deployer, which is never the guardian (ADR 0001)`);
  }
  if (issues.length > 0 || guardian === undefined)
    throw new DeployParamsError("given to deploySystem", issues);
  const unique = (list: string[]) => [...new Set(list)];
  return { proposers: unique(proposers), executors: unique(executors), guardian, lab };
}

export { PARAM_RULES, maxStepOf } from "./rules.js";

const RAY_DECIMALS = 27;
const ray = (x: string): bigint => parseUnits(x, RAY_DECIMALS);

/** Deploys the auction curve contract of one asset. */
async function deployCurve(ethers: HardhatEthers, c: CurveParams): Promise<BaseContract> {
  if (c.kind === "linear") return deploy<BaseContract>(ethers, "LinearDecrease", [c.tauSeconds]);
  // curves take the price kept per second (per step) in RAY: 1 - cut
  if (c.kind === "exponential") {
    return deploy<BaseContract>(ethers, "ExponentialDecrease", [ray("1") - ray(c.cutPerSecond)]);
  }
  return deploy<BaseContract>(ethers, "StairstepExponentialDecrease", [
    ray("1") - ray(c.cutPerStep),
    c.stepSeconds,
  ]);
}

async function deploy<T>(ethers: HardhatEthers, name: string, args: unknown[]): Promise<T> {
  const contract = await ethers.deployContract(name, args);
  await contract.waitForDeployment();
  return contract as unknown as T;
}

/**
 * The ledger from its wiring, in three transactions: its liquidation and settlement halves (reached
 * by delegatecall, see Clearinghouse.sol), then the Clearinghouse, which checks that both carry
 * the same wiring. Callers that predicted the Clearinghouse's address count on these three.
 */
export async function deployClearinghouse(
  ethers: HardhatEthers,
  wiring: IClearinghouseBase.WiringStruct,
): Promise<Clearinghouse> {
  const liquidationModule = await deploy<BaseContract>(ethers, "ClearinghouseLiquidation", [wiring]);
  const settlementModule = await deploy<BaseContract>(ethers, "ClearinghouseSettlement", [wiring]);
  return deploy<Clearinghouse>(ethers, "Clearinghouse", [
    wiring,
    await addr(liquidationModule),
    await addr(settlementModule),
  ]);
}

async function send(tx: Promise<ContractTransactionResponse>): Promise<void> {
  await (await tx).wait();
}

const addr = (c: BaseContract): Promise<string> => c.getAddress();

/**
 * Deploys the whole Ballast system: the same module serves production networks (given token and
 * feed addresses) and local ones (mock tokens and Chainlink's MockV3Aggregator).
 *
 * Governance bootstrap: the BallastTimelock starts with delay 0 and the deployer as its only
 * proposer and executor; every governance-only setup call (feeds, listings, modules) goes through
 * it as one batch. Risk parameters are registered through the RiskConfig by the deployer's
 * one-time registrar role, which is renounced at the end. The hand-over, a last batch: the
 * timelock raises its own delay to `timelockMinDelaySeconds` (which BallastTimelock keeps within
 * [1 day, 30 days] from then on, ADR 0016), grants the proposer and canceller
 * roles to `governance.proposers` and the executor role to `governance.executors` (the zero
 * address: anyone), then (unless `keepDeployerAsProposer`, lab mode) revokes the deployer's
 * three roles. The guardian is `governance.guardian`. A deployment that would leave nobody able to
 * propose or execute, or the deployer in a governance role on a network with real assets, is
 * refused before anything is sent (`DeployParamsError`).
 */
export async function deploySystem(
  ethers: HardhatEthers,
  params: DeployParams,
  options: DeployOptions = {},
): Promise<BallastSystem> {
  const [deployer] = await ethers.getSigners();
  const governance = resolveGovernance(params, options, deployer.address);
  const guardian = governance.guardian;

  // delay 0: the bootstrap, the one value outside BallastTimelock's bounds it accepts, and only
  // at construction (the hand-over raises it; no operation can return to it)
  const timelock = await deploy<BallastTimelock>(ethers, "BallastTimelock", [
    0n,
    [deployer.address],
    [deployer.address],
    ZERO,
  ]);
  const timelockAddr = await addr(timelock);
  const oracle = await deploy<OracleRouter>(ethers, "OracleRouter", [timelockAddr, params.oracleHopSeconds]);
  const riskConfig = await deploy<RiskConfig>(ethers, "RiskConfig", [
    timelockAddr,
    guardian,
    deployer.address,
  ]);
  const marginModel = await deploy<MarginModel>(ethers, "MarginModel", [
    await addr(oracle),
    await addr(riskConfig),
    timelockAddr,
  ]);
  const riskAddr = await addr(riskConfig);
  // the breaker first: the auction holds it and the Clearinghouse (its sink) as immutables
  const breaker = await deploy<CircuitBreaker>(ethers, "CircuitBreaker", [
    await addr(oracle),
    riskAddr,
    timelockAddr,
    guardian,
  ]);
  // The stablecoin's minter, the auction's sink and the engine's ledger are the Clearinghouse,
  // an immutable of each; the Clearinghouse holds the stablecoin, the engine, the auction and
  // the vault as immutables. So: the stablecoin with the Clearinghouse's predicted address, the
  // auction and the engine with it too (the auction also with the engine's predicted address, its
  // only kicker: nonce + 2), the two ledger modules, the Clearinghouse (nonce + 5), then the vault at
  // its predicted address (nonce + 6); the predictions are checked below.
  const stablecoinNonce = await ethers.provider.getTransactionCount(deployer.address, "pending");
  const CH_OFFSET = 5;
  const predictedCh = getCreateAddress({ from: deployer.address, nonce: stablecoinNonce + CH_OFFSET });
  const predictedVault = getCreateAddress({ from: deployer.address, nonce: stablecoinNonce + CH_OFFSET + 1 });
  const predictedEngine = getCreateAddress({ from: deployer.address, nonce: stablecoinNonce + 2 });
  const stablecoin = await deploy<Stablecoin>(ethers, "Stablecoin", [predictedCh]);
  const auction = await deploy<DutchAuction>(ethers, "DutchAuction", [
    await addr(oracle),
    await addr(stablecoin),
    predictedCh,
    await addr(breaker),
    predictedEngine,
    riskAddr,
    timelockAddr,
  ]);
  const engine = await deploy<LiquidationEngine>(ethers, "LiquidationEngine", [
    predictedCh,
    await addr(auction),
    await addr(breaker),
    riskAddr,
  ]);
  /** A contract must land where another's immutable already points; otherwise that one is unusable. */
  const expectPredicted = (
    what: string,
    deployed: string,
    holder: string,
    predicted: string,
    nonce: number,
    unusable: string,
  ) => {
    if (deployed.toLowerCase() === predicted.toLowerCase()) return;
    throw new Error(
      `deploySystem: the ${what} was deployed at ${deployed}, but ${holder} is the predicted ${predicted} ` +
        `(nonce ${nonce} of ${deployer.address}; another transaction from the deployer in between?): ${unusable}`,
    );
  };
  expectPredicted(
    "LiquidationEngine",
    await addr(engine),
    "the auction's immutable kicker",
    predictedEngine,
    stablecoinNonce + 2,
    `the auction at ${await addr(auction)} is unusable`,
  );
  const wiring = {
    stablecoin: await addr(stablecoin),
    oracle: await addr(oracle),
    marginModel: await addr(marginModel),
    riskConfig: await addr(riskConfig),
    governance: timelockAddr,
    vault: predictedVault,
    liquidationEngine: await addr(engine),
    auction: await addr(auction),
  };
  const clearinghouse = await deployClearinghouse(ethers, wiring);
  const chAddr = await addr(clearinghouse);
  expectPredicted(
    "Clearinghouse",
    chAddr,
    "the stablecoin's immutable minter",
    await stablecoin.minter(),
    stablecoinNonce + CH_OFFSET,
    `the stablecoin at ${await addr(stablecoin)}, the auction and the engine built for that address are unusable`,
  );
  const vault = await deploy<BackstopVault>(ethers, "BackstopVault", [
    await addr(stablecoin),
    params.vault.cooldownSeconds,
    params.vault.claimWindowSeconds,
  ]);
  expectPredicted(
    "BackstopVault",
    await addr(vault),
    "the Clearinghouse's immutable vault",
    predictedVault,
    stablecoinNonce + CH_OFFSET + 1,
    `the Clearinghouse at ${chAddr} is unusable`,
  );
  await send(vault.initialize(chAddr));
  const lens = await deploy<AccountLens>(ethers, "AccountLens", [chAddr]);
  const auctionAddr = await addr(auction);
  const breakerAddr = await addr(breaker);
  const engineAddr = await addr(engine);

  // assets: mock tokens and feeds on local networks, given addresses elsewhere
  const assets: DeployedAsset[] = [];
  for (const a of params.assets) {
    let token: MockERC20;
    let feed: MockV3Aggregator | undefined;
    if (params.mocks) {
      token = await deploy<MockERC20>(ethers, "MockERC20", [`Mock ${a.symbol}`, a.symbol, a.decimals]);
      const price = parseUnits(a.mockPriceUsd ?? "1", a.feed.decimals);
      feed = await deploy<MockV3Aggregator>(ethers, "MockV3Aggregator", [a.feed.decimals, price]);
    } else {
      token = (await ethers.getContractAt("MockERC20", a.address as string)) as unknown as MockERC20;
    }
    const feedAddress = feed ? await addr(feed) : (a.feed.address as string);
    assets.push({
      symbol: a.symbol,
      token,
      address: await addr(token),
      decimals: a.decimals,
      feed,
      feedAddress,
      feedDecimals: a.feed.decimals,
      hasMarket: a.market !== undefined,
    });
  }

  // governance-only setup, as one timelock batch
  const targets: string[] = [];
  const payloads: string[] = [];
  const call = (target: string, data: string) => {
    targets.push(target);
    payloads.push(data);
  };
  const oracleAddr = await addr(oracle);
  const marginAddr = await addr(marginModel);
  for (const [i, a] of params.assets.entries()) {
    const d = assets[i];
    call(
      oracleAddr,
      oracle.interface.encodeFunctionData("setFeed", [
        d.address,
        {
          primary: d.feedAddress,
          secondary: ZERO,
          heartbeatSeconds: a.feed.heartbeatSeconds,
          gracePeriodSeconds: a.feed.graceSeconds,
          secondaryHeartbeatSeconds: 0,
          maxDeviationWad: 0n,
          minPriceWad: wad(a.feed.minPriceUsd),
          maxPriceWad: wad(a.feed.maxPriceUsd),
        },
      ]),
    );
    call(marginAddr, marginModel.interface.encodeFunctionData("addAsset", [d.address]));
  }
  for (const [i, a] of params.assets.entries()) {
    call(chAddr, clearinghouse.interface.encodeFunctionData("listCollateral", [assets[i].address]));
    if (a.market) call(chAddr, clearinghouse.interface.encodeFunctionData("listMarket", [assets[i].address]));
  }
  // the margin model pushes each asset's risk state to the ledger from now on (ADR 0005); the
  // parameters below are set after this, so every asset is cached before the first user call
  call(marginAddr, marginModel.interface.encodeFunctionData("setLedger", [chAddr]));
  // liquidation: the engine kicks, the Clearinghouse settles, the breaker watches
  const curves: Record<string, string> = {};
  for (const [i, a] of params.assets.entries()) {
    const curveAddr = await addr(await deployCurve(ethers, a.auction.curve));
    curves[assets[i].address] = curveAddr;
    call(auctionAddr, auction.interface.encodeFunctionData("setCurve", [assets[i].address, curveAddr]));
    call(breakerAddr, breaker.interface.encodeFunctionData("registerAsset", [assets[i].address]));
  }
  call(chAddr, clearinghouse.interface.encodeFunctionData("setBreaker", [breakerAddr]));
  call(breakerAddr, breaker.interface.encodeFunctionData("setClearinghouse", [chAddr]));
  call(breakerAddr, breaker.interface.encodeFunctionData("setReporter", [engineAddr, true]));
  call(breakerAddr, breaker.interface.encodeFunctionData("setReporter", [chAddr, true]));
  await runTimelockBatch(timelock, targets, payloads, "ballast-bootstrap");

  // risk parameters through the RiskConfig (registrar role, renounced below)
  const register = async (target: string, rules: Rules, name: string, subject: string, value: bigint) => {
    const rule = rules[name];
    const maxStep = maxStepOf(rule, value);
    await send(
      "governanceOnly" in rule
        ? riskConfig.registerGovernanceOnlyParam(target, b32(name), subject, value, maxStep)
        : riskConfig.registerParam(target, b32(name), subject, value, maxStep, rule.higherIsSafer),
    );
  };
  // every parameter from the one list the step table and the file's checks read too; the ledger's
  // and margin model's per asset before its first pokes, the liquidation side after
  const registrations = paramRegistrations(params);
  const targetOf: Record<ParamModule, string> = {
    clearinghouse: chAddr,
    marginModel: marginAddr,
    liquidationEngine: engineAddr,
    dutchAuction: auctionAddr,
    circuitBreaker: breakerAddr,
  };
  const registerWhere = async (pick: (r: ParamRegistration) => boolean) => {
    for (const r of registrations.filter(pick)) {
      const subject = r.assetIndex === undefined ? ZERO : assets[r.assetIndex].address;
      await register(targetOf[r.module], PARAM_RULES[r.module], r.name, subject, toChain(r.value, r.unit));
    }
  };
  const ledgerSide = (r: ParamRegistration) => r.module === "clearinghouse" || r.module === "marginModel";
  await registerWhere((r) => r.assetIndex === undefined && r.module === "clearinghouse");
  for (const [i, { address: asset }] of assets.entries()) {
    await registerWhere((r) => r.assetIndex === i && ledgerSide(r));
    await send(oracle.poke(asset));
    await send(marginModel.poke(asset));
  }
  await registerWhere((r) => r.assetIndex === undefined && r.module === "liquidationEngine");
  await registerWhere((r) => r.assetIndex === undefined && r.module === "circuitBreaker");
  for (const i of assets.keys()) await registerWhere((r) => r.assetIndex === i && !ledgerSide(r));
  await send(riskConfig.renounceRegistrar());

  // seed the vault (closes the first-deposit inflation attack for good): local networks only,
  // where the deployer can mint collateral to borrow the seed against
  const seedWad = wad(params.vault.seedUsd);
  if (params.mocks && seedWad > 0n) {
    const collateral = assets[0];
    const seedCollateral = parseUnits(SEED_COLLATERAL_TOKENS, collateral.decimals);
    await send(collateral.token.mint(deployer.address, seedCollateral));
    await send(collateral.token.approve(chAddr, seedCollateral));
    await send(clearinghouse.deposit(deployer.address, collateral.address, seedCollateral));
    await send(clearinghouse.borrow(deployer.address, seedWad, deployer.address));
    await send(stablecoin.approve(await addr(vault), seedWad));
    await send(vault.deposit(seedWad, DEAD));
  }

  // the hand-over: the real delay, governance's roles, then (unless lab mode) drop the deployer
  const [proposerRole, executorRole, cancellerRole] = [
    await timelock.PROPOSER_ROLE(),
    await timelock.EXECUTOR_ROLE(),
    await timelock.CANCELLER_ROLE(),
  ];
  const finalTargets: string[] = [];
  const finalPayloads: string[] = [];
  const onTimelock = (data: string) => {
    finalTargets.push(timelockAddr);
    finalPayloads.push(data);
  };
  const grants: Array<[string, string]> = [
    ...governance.proposers.flatMap(
      (p): Array<[string, string]> => [
        [proposerRole, p],
        [cancellerRole, p],
      ],
    ),
    ...governance.executors.map((e): [string, string] => [executorRole, e]),
  ];
  onTimelock(timelock.interface.encodeFunctionData("updateDelay", [params.timelockMinDelaySeconds]));
  for (const [role, account] of grants)
    onTimelock(timelock.interface.encodeFunctionData("grantRole", [role, account]));
  if (!governance.lab) {
    const isDeployer = (a: string) => a.toLowerCase() === deployer.address.toLowerCase();
    for (const role of [proposerRole, executorRole, cancellerRole])
      if (!grants.some(([r, a]) => r === role && isDeployer(a)))
        onTimelock(timelock.interface.encodeFunctionData("revokeRole", [role, deployer.address]));
  }
  await runTimelockBatch(timelock, finalTargets, finalPayloads, "ballast-handover");
  const proposers = governance.lab ? [deployer.address, ...governance.proposers] : governance.proposers;
  const executors = governance.lab ? [deployer.address, ...governance.executors] : governance.executors;

  const addresses: Record<string, string> = {
    timelock: timelockAddr,
    stablecoin: await addr(stablecoin),
    oracleRouter: oracleAddr,
    riskConfig: await addr(riskConfig),
    marginModel: marginAddr,
    clearinghouse: chAddr,
    // the ledger's delegatecall halves: verified on an explorer like the rest, named by profilers
    clearinghouseLiquidation: await clearinghouse.liquidationModule(),
    clearinghouseSettlement: await clearinghouse.settlementModule(),
    backstopVault: await addr(vault),
    accountLens: await addr(lens),
    dutchAuction: auctionAddr,
    liquidationEngine: engineAddr,
    circuitBreaker: breakerAddr,
  };
  for (const a of assets) {
    addresses[a.symbol] = a.address;
    addresses[`${a.symbol}Feed`] = a.feedAddress;
  }
  return {
    deployer,
    guardian,
    proposers: [...new Set(proposers)],
    executors: [...new Set(executors)],
    timelock,
    stablecoin,
    oracle,
    riskConfig,
    marginModel,
    clearinghouse,
    vault,
    lens,
    auction,
    engine,
    breaker,
    curves,
    assets,
    addresses,
  };
}

/** Schedules and executes a batch on a timelock whose current delay is zero. */
async function runTimelockBatch(
  timelock: BallastTimelock,
  targets: string[],
  payloads: string[],
  label: string,
) {
  const values = targets.map(() => 0n);
  const salt = b32(label);
  await send(timelock.scheduleBatch(targets, values, payloads, b32(""), salt, 0n));
  await send(timelock.executeBatch(targets, values, payloads, b32(""), salt));
}
