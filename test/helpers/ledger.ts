import type { ContractTransactionResponse, Signer } from "ethers";
import { network } from "hardhat";
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

import type {
  BackstopVault,
  Clearinghouse,
  MockERC20,
  MockMarginModel,
  MockOracleRouter,
  Stablecoin,
} from "../../types/ethers-contracts/index.js";

export const WAD = 10n ** 18n;
export const RAY = 10n ** 27n;
import { b32, deployClearinghouse } from "../../scripts/deploy/system.js";

export { b32 };
export const ZERO = "0x0000000000000000000000000000000000000000";

export interface RiskLevels {
  haircutMaintWad: bigint;
  haircutInitWad: bigint;
  marginRatioMaintWad: bigint;
  marginRatioInitWad: bigint;
  depthUsdWad: bigint;
  sizeSlopeWad: bigint;
}

export const DEFAULT_RISK: RiskLevels = {
  haircutMaintWad: (15n * WAD) / 100n,
  haircutInitWad: (20n * WAD) / 100n,
  marginRatioMaintWad: (5n * WAD) / 100n,
  marginRatioInitWad: (10n * WAD) / 100n,
  depthUsdWad: 0n,
  sizeSlopeWad: 0n,
};

/** The two mock collateral tokens of the unit tests: WETH (18 decimals) and WBTC (8). */
export async function deployMockTokens(ethers: HardhatEthers): Promise<{ weth: MockERC20; wbtc: MockERC20 }> {
  const weth = (await ethers.deployContract("MockERC20", [
    "Wrapped Ether",
    "WETH",
    18,
  ])) as unknown as MockERC20;
  const wbtc = (await ethers.deployContract("MockERC20", [
    "Wrapped Bitcoin",
    "WBTC",
    8,
  ])) as unknown as MockERC20;
  return { weth, wbtc };
}

/** A feed configuration for the MockOracleRouter (which reads prices set with `setPrice`). */
export function mockFeedConfig(primary: string) {
  return {
    primary,
    secondary: ZERO,
    heartbeatSeconds: 3600,
    gracePeriodSeconds: 600,
    secondaryHeartbeatSeconds: 0,
    maxDeviationWad: 0,
    minPriceWad: 1n,
    maxPriceWad: 10n ** 30n,
  };
}

/**
 * The ledger alone has no liquidation engine or auction, yet requires non-zero immutables for
 * them: two addresses that hold no code and never call it stand in.
 */
export const NO_LIQUIDATION_ENGINE = "0x0000000000000000000000000000000000000E9E";
export const NO_AUCTION = "0x0000000000000000000000000000000000000A0C";

/**
 * The ledger's own contracts on a given oracle and margin model: the stablecoin (its immutable
 * minter is the Clearinghouse's predicted address), the two delegatecall modules, the
 * Clearinghouse, and a BackstopVault (1-day cooldown and window) at the address the Clearinghouse
 * was built with (predicted, like the minter). `riskConfig`
 * stands in for the RiskConfig (an EOA in unit tests).
 */
export async function deployLedgerContracts(
  ethers: HardhatEthers,
  oracle: string,
  marginModel: string,
  gov: Signer,
  riskConfig: string,
): Promise<{ stablecoin: Stablecoin; ch: Clearinghouse; chAddr: string; vault: BackstopVault }> {
  // deployed by the default signer: the stablecoin, the two modules, then the Clearinghouse
  const [deployer] = await ethers.getSigners();
  const nonce = await ethers.provider.getTransactionCount(deployer.address, "pending");
  const predictedCh = ethers.getCreateAddress({ from: deployer.address, nonce: nonce + 3 });
  // the Clearinghouse's vault is immutable: the BackstopVault comes right after it
  const predictedVault = ethers.getCreateAddress({ from: deployer.address, nonce: nonce + 4 });
  const stablecoin = (await ethers.deployContract("Stablecoin", [predictedCh])) as unknown as Stablecoin;
  const wiring = {
    stablecoin: await stablecoin.getAddress(),
    oracle,
    marginModel,
    riskConfig,
    governance: await gov.getAddress(),
    vault: predictedVault,
    liquidationEngine: NO_LIQUIDATION_ENGINE,
    auction: NO_AUCTION,
  };
  const ch = await deployClearinghouse(ethers, wiring);
  const chAddr = await ch.getAddress();
  if (chAddr !== (await stablecoin.minter())) {
    throw new Error(`deployLedgerContracts: Clearinghouse at ${chAddr}, stablecoin minter ${predictedCh}`);
  }
  const vault = (await ethers.deployContract("BackstopVault", [
    await stablecoin.getAddress(),
    86_400n,
    86_400n,
  ])) as unknown as BackstopVault;
  if ((await vault.getAddress()) !== predictedVault) {
    throw new Error(
      `deployLedgerContracts: BackstopVault at ${await vault.getAddress()}, predicted ${predictedVault}`,
    );
  }
  await vault.initialize(chAddr);
  return { stablecoin, ch, chAddr, vault };
}

/**
 * The Clearinghouse in isolation: real Stablecoin and BackstopVault, mock oracle and margin model,
 * and an EOA standing in for the RiskConfig so tests set parameters directly.
 */
export async function deployLedger() {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const [gov, risk, alice, bob, carol, lp] = await ethers.getSigners();

  const oracle = (await ethers.deployContract("MockOracleRouter")) as unknown as MockOracleRouter;
  const margin = (await ethers.deployContract("MockMarginModel")) as unknown as MockMarginModel;
  const { weth, wbtc } = await deployMockTokens(ethers);
  const { stablecoin, ch, chAddr, vault } = await deployLedgerContracts(
    ethers,
    await oracle.getAddress(),
    await margin.getAddress(),
    gov,
    risk.address,
  );

  const wethAddr = await weth.getAddress();
  const wbtcAddr = await wbtc.getAddress();
  for (const [asset, price] of [
    [wethAddr, 2_000n * WAD],
    [wbtcAddr, 40_000n * WAD],
  ] as const) {
    await oracle.setFeed(asset, mockFeedConfig(wethAddr));
    await oracle.setPrice(asset, price, true);
    await margin.setRisk(asset, DEFAULT_RISK);
  }
  await ch.connect(gov).listCollateral(wethAddr);
  await ch.connect(gov).listCollateral(wbtcAddr);
  await ch.connect(gov).listMarket(wethAddr);

  const setParam = async (name: string, subject: string, value: bigint) =>
    ch.connect(risk).setParam(b32(name), subject, value);
  await setParam("DEBT_CEILING_WAD", ZERO, 10n ** 30n);
  await setParam("MIN_DEBT_WAD", ZERO, 100n * WAD);
  await setParam("DEPOSIT_CAP", wethAddr, 10n ** 30n);
  await setParam("DEPOSIT_CAP", wbtcAddr, 10n ** 20n);
  await setParam("SKEW_SCALE_WAD", wethAddr, 1_000_000n * WAD);
  await setParam("MAX_FUNDING_VELOCITY_WAD", wethAddr, 3n * WAD);
  await setParam("TAKER_FEE_WAD", wethAddr, WAD / 1000n);
  await setParam("MAX_OPEN_INTEREST_WAD", wethAddr, 10_000n * WAD);
  await setParam("SKEW_CAP_RATIO_WAD", wethAddr, 10n * WAD);

  for (const s of [alice, bob, carol, lp]) {
    await weth.mint(s.address, 1_000n * WAD);
    await wbtc.mint(s.address, 100n * 10n ** 8n);
    await weth.connect(s).approve(chAddr, ethers.MaxUint256);
    await wbtc.connect(s).approve(chAddr, ethers.MaxUint256);
  }

  /** The LP funds the vault: deposits WETH, borrows bUSD, deposits it into the vault. */
  async function seedVault(amountWad: bigint) {
    await ch.connect(lp).deposit(lp.address, wethAddr, 500n * WAD);
    await ch.connect(lp).borrow(lp.address, amountWad, lp.address);
    await stablecoin.connect(lp).approve(await vault.getAddress(), amountWad);
    await vault.connect(lp).deposit(amountWad, lp.address);
  }

  return {
    connection,
    ethers,
    networkHelpers,
    gov,
    risk,
    alice,
    bob,
    carol,
    lp,
    stablecoin,
    oracle,
    margin,
    weth,
    wbtc,
    wethAddr,
    wbtcAddr,
    ch,
    chAddr,
    vault,
    setParam,
    seedVault,
  };
}

export type Ledger = Awaited<ReturnType<typeof deployLedger>>;

/**
 * A new 18-decimal token the ledger `l` could list: a mock feed at `priceWad` and the default risk
 * levels (not listed: the caller lists it, when and where its test needs).
 */
export async function newPricedToken(
  l: Pick<Ledger, "ethers" | "oracle" | "margin">,
  name: string,
  symbol: string,
  priceWad: bigint,
): Promise<{ token: MockERC20; address: string }> {
  const token = (await l.ethers.deployContract("MockERC20", [name, symbol, 18])) as unknown as MockERC20;
  const address = await token.getAddress();
  await (await l.oracle.setFeed(address, mockFeedConfig(address))).wait();
  await (await l.oracle.setPrice(address, priceWad, true)).wait();
  await (await l.margin.setRisk(address, DEFAULT_RISK)).wait();
  return { token, address };
}

/** The market's funding index accrued by `tx` and its fill (FundingAccrued, PositionModified). */
export async function fillOf(
  l: Ledger,
  tx: ContractTransactionResponse,
): Promise<{ indexWad: bigint; fillPriceWad: bigint; realizedPnlWad: bigint }> {
  const receipt = await tx.wait();
  let indexWad: bigint | undefined;
  for (const log of receipt!.logs) {
    const parsed = l.ch.interface.parseLog(log);
    if (parsed?.name === "FundingAccrued") indexWad = parsed.args.fundingIndexWad as bigint;
    if (parsed?.name === "PositionModified" && indexWad !== undefined) {
      return {
        indexWad,
        fillPriceWad: parsed.args.fillPriceWad as bigint,
        realizedPnlWad: parsed.args.realizedPnlWad as bigint,
      };
    }
  }
  throw new Error("no FundingAccrued and PositionModified in the transaction");
}
