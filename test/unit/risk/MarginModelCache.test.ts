/**
 * The ledger's risk-level cache (docs/adr/0005-risk-levels-cached-in-the-ledger.md): MarginModel
 * pushes its per-asset risk state to the Clearinghouse after every change, and the Clearinghouse
 * derives the levels from that copy instead of calling `riskOf`.
 *
 * Two ledgers share one MarginModel: `cached` is the model's ledger (it receives the pushes),
 * `live` is not (it calls `riskOf` on every health computation). An account with the same
 * collateral, debt and perp position on both must have the same health, at maintenance and
 * initial levels, after every push and at every moment of a ramp; and the cached words must be
 * the model's own slots.
 */
import { expect } from "chai";
import { AbiCoder, keccak256, toBigInt, type Signer } from "ethers";
import { network } from "hardhat";

import { loadDeployParams, paramsPathFor } from "../../../scripts/deploy/params.js";
import { deploySystem } from "../../../scripts/deploy/system.js";
import { deployLedgerContracts, deployMockTokens, mockFeedConfig, ZERO } from "../../helpers/ledger.js";

import type { MarginModel, MockOracleRouter } from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const STATIC = 0n;
const DYNAMIC = 1n;
const RAMPED = 2n;
const LEVEL = (1n << 60n) - 1n;
const U64 = (1n << 64n) - 1n;
const LISTED = 1n << 240n;
const RAMPING = 1n << 241n;
const MAX_INITIAL_HAIRCUT_WAD = (99n * WAD) / 100n;

/**
 * The words' meaning, written independently of RiskLevels.sol (layout in its NatSpec): the
 * levels the words give at `now`, in the order of IMarginModel.AssetRisk.
 */
function decode(levelsWord: bigint, rampWord: bigint, marketWord: bigint, now: bigint): bigint[] {
  const field = (i: bigint) => (levelsWord >> (60n * i)) & LEVEL;
  const depth = marketWord >> 64n;
  const slope = marketWord & U64;
  if ((levelsWord & RAMPING) === 0n) return [field(0n), field(1n), field(2n), field(3n), depth, slope];
  const elapsed = now - (rampWord & ((1n << 40n) - 1n));
  const rate = (rampWord >> 40n) & U64;
  const mult = (rampWord >> 104n) & U64;
  const ramp = (cur: bigint, target: bigint) => {
    if (cur < target) {
      const step = (rate * elapsed + 3599n) / 3600n;
      return target - cur <= step ? target : cur + step;
    }
    const step = (rate * elapsed) / 3600n;
    return cur - target <= step ? target : cur - step;
  };
  const initial = (target: bigint, maint: bigint, cap: bigint) => {
    const base = target > maint ? target : maint;
    const v = (base * mult + WAD - 1n) / WAD;
    return v > cap ? cap : v;
  };
  const hM = ramp(field(1n), field(0n));
  const mM = ramp(field(3n), field(2n));
  return [hM, initial(field(0n), hM, MAX_INITIAL_HAIRCUT_WAD), mM, initial(field(2n), mM, WAD), depth, slope];
}

async function deploy() {
  const connection = await network.create();
  const { ethers, networkHelpers } = connection;
  const [gov, risk, alice, lp, stranger] = await ethers.getSigners();
  const b32 = (s: string): string => ethers.encodeBytes32String(s);

  const oracle = (await ethers.deployContract("MockOracleRouter")) as unknown as MockOracleRouter;
  const mm = (await ethers.deployContract("MarginModel", [
    await oracle.getAddress(),
    risk.address,
    gov.address,
  ])) as unknown as MarginModel;
  const { weth, wbtc } = await deployMockTokens(ethers);
  const wethAddr = await weth.getAddress();
  const wbtcAddr = await wbtc.getAddress();
  for (const [asset, price] of [
    [wethAddr, 2_000n * WAD],
    [wbtcAddr, 40_000n * WAD],
  ] as const) {
    await oracle.setFeed(asset, mockFeedConfig(asset));
    await oracle.setPrice(asset, price, true);
  }
  // WBTC is listed before the ledger is set: nothing is pushed for it until its state changes
  await mm.connect(gov).addAsset(wbtcAddr);

  const mmSet = (name: string, asset: string, value: bigint) =>
    mm.connect(risk).setParam(b32(name), asset, value);

  async function deployLedger() {
    return deployLedgerContracts(ethers, await oracle.getAddress(), await mm.getAddress(), gov, risk.address);
  }
  const cached = await deployLedger();
  const live = await deployLedger();

  return {
    ethers,
    networkHelpers,
    gov,
    risk,
    alice,
    lp,
    stranger,
    b32,
    oracle,
    mm,
    weth,
    wbtc,
    wethAddr,
    wbtcAddr,
    mmSet,
    cached,
    live,
  };
}

/** The part of test/unit/risk/RiskLevelsHarness.sol this file calls. */
interface RiskLevelsHarness {
  encode(levels: object, config: object, depthUsdWad: bigint): Promise<bigint[]>;
  riskAt(
    levelsWord: bigint,
    rampWord: bigint,
    marketWord: bigint,
    nowSeconds: bigint,
  ): Promise<{ marginRatioMaintWad: bigint }>;
}

type Fixture = Awaited<ReturnType<typeof deploy>>;
type Ledger = Fixture["cached"];

/** Lists WETH (collateral + market) and WBTC (collateral) on a ledger and gives it a funded vault. */
async function setUpLedger(f: Fixture, l: Ledger) {
  const { gov, risk, lp, alice, weth, wbtc, wethAddr, wbtcAddr, b32 } = f;
  await l.ch.connect(gov).listCollateral(wethAddr);
  await l.ch.connect(gov).listCollateral(wbtcAddr);
  await l.ch.connect(gov).listMarket(wethAddr);
  const set = (name: string, subject: string, value: bigint) =>
    l.ch.connect(risk).setParam(b32(name), subject, value);
  await set("DEBT_CEILING_WAD", ZERO, 10n ** 30n);
  await set("DEPOSIT_CAP", wethAddr, 10n ** 30n);
  await set("DEPOSIT_CAP", wbtcAddr, 10n ** 20n);
  await set("SKEW_SCALE_WAD", wethAddr, 1_000_000n * WAD);
  await set("MAX_FUNDING_VELOCITY_WAD", wethAddr, 3n * WAD);
  await set("TAKER_FEE_WAD", wethAddr, WAD / 1000n);
  await set("MAX_OPEN_INTEREST_WAD", wethAddr, 10_000n * WAD);
  await set("SKEW_CAP_RATIO_WAD", wethAddr, 10n * WAD);
  for (const s of [alice, lp]) {
    await weth.mint(s.address, 1_000n * WAD);
    await wbtc.mint(s.address, 10n ** 8n);
    await weth.connect(s).approve(l.chAddr, f.ethers.MaxUint256);
    await wbtc.connect(s).approve(l.chAddr, f.ethers.MaxUint256);
  }
  // the LP seeds the vault (the skew cap is a multiple of its credit)
  await l.ch.connect(lp).deposit(lp.address, wethAddr, 500n * WAD);
  await l.ch.connect(lp).borrow(lp.address, 100_000n * WAD, lp.address);
  await l.stablecoin.connect(lp).approve(await l.vault.getAddress(), 100_000n * WAD);
  await l.vault.connect(lp).deposit(100_000n * WAD, lp.address);
  // alice: both collaterals, debt and a long WETH position
  await l.ch.connect(alice).deposit(alice.address, wethAddr, 10n * WAD);
  await l.ch.connect(alice).deposit(alice.address, wbtcAddr, 10n ** 7n);
  await l.ch.connect(alice).borrow(alice.address, 5_000n * WAD, alice.address);
  await l.ch.connect(alice).modifyPosition(alice.address, wethAddr, 20n * WAD, 3_000n * WAD);
}

/** Storage slot of `mapping(address => struct)` entry `key` at mapping slot `p`. */
function mappingSlot(key: string, p: bigint): bigint {
  return toBigInt(keccak256(AbiCoder.defaultAbiCoder().encode(["address", "uint256"], [key, p])));
}

interface StorageReader {
  getStorage(address: string, slot: bigint): Promise<string>;
}

/** The three words of `asset`'s entry in the mapping at slot `p` of `addr`. */
async function storedWords(
  provider: StorageReader,
  addr: string,
  asset: string,
  p: bigint,
): Promise<bigint[]> {
  const base = mappingSlot(asset, p);
  const out: bigint[] = [];
  for (let i = 0n; i < 3n; ++i) out.push(toBigInt(await provider.getStorage(addr, base + i)));
  return out;
}

/** The ledger's cache mapping: the slot whose entry for `asset` holds `expected`. */
async function findCacheSlot(
  provider: StorageReader,
  chAddr: string,
  asset: string,
  expected: bigint[],
): Promise<bigint> {
  for (let p = 0n; p < 256n; ++p) {
    const w = await storedWords(provider, chAddr, asset, p);
    if (w.every((x, i) => x === expected[i])) return p;
  }
  throw new Error("cache slot not found");
}

describe("MarginModel: risk levels cached in the ledger (ADR 0005)", function () {
  let f: Fixture;
  /** Mapping slot of Clearinghouse._riskCache, found once. */
  let chSlot: bigint;

  const words = (addr: string, asset: string, p: bigint) => storedWords(f.ethers.provider, addr, asset, p);

  /** The words MarginModel computes the levels from now (what the ledger must hold). */
  async function modelWords(asset: string): Promise<bigint[]> {
    return [...(await f.mm.riskWords(asset))];
  }

  /**
   * The ledger's cache holds exactly the model's words (for the assets pushed so far), `riskOf`
   * is what those words say, and both
   * ledgers value alice's collateral and margin requirement the same: the weighted collateral is
   * `sum amount * price * (1 - haircut)` and the requirement `notional * (ratio + size add-on)`,
   * so they differ if any haircut, margin ratio, depth or slope differs. (PnL and funding are
   * not compared: the two ledgers opened the position at different times.)
   */
  async function expectAgreement(label: string, cachedAssets = [f.wethAddr, f.wbtcAddr]) {
    for (const asset of cachedAssets) {
      expect(await words(f.cached.chAddr, asset, chSlot), `${label}: cached words`).to.deep.equal(
        await modelWords(asset),
      );
    }
    for (const asset of [f.wethAddr, f.wbtcAddr]) {
      const [levelsWord, rampWord, marketWord] = await modelWords(asset);
      expect(levelsWord & LISTED, `${label}: listed flag`).to.equal(LISTED);
      const now = BigInt(await f.networkHelpers.time.latest());
      expect([...(await f.mm.riskOf(asset))], `${label}: riskOf`).to.deep.equal(
        decode(levelsWord, rampWord, marketWord, now),
      );
    }
    for (const initial of [false, true]) {
      const a = await f.cached.ch.health(f.alice.address, initial);
      const b = await f.live.ch.health(f.alice.address, initial);
      expect(a.weightedCollateralWad, `${label}: weighted collateral (initial ${initial})`).to.equal(
        b.weightedCollateralWad,
      );
      expect(a.requirementWad, `${label}: requirement (initial ${initial})`).to.equal(b.requirementWad);
      expect(a.weightedCollateralWad).to.be.greaterThan(0n);
      expect(a.requirementWad).to.be.greaterThan(0n);
    }
  }

  /** Agreement now and at several later moments without any transaction (mid-ramp reads). */
  async function expectAgreementOverTime(label: string, cachedAssets = [f.wethAddr, f.wbtcAddr]) {
    await expectAgreement(label, cachedAssets);
    for (const dt of [1, 599, 3_000, 36_000]) {
      await f.networkHelpers.time.increase(dt);
      await expectAgreement(`${label} +${dt}s`, cachedAssets);
    }
  }

  async function pokeAt(priceWad: bigint) {
    await f.oracle.setPrice(f.wethAddr, priceWad, true);
    await f.oracle.setPrice(f.wbtcAddr, priceWad * 20n, true);
    await f.mm.poke(f.wethAddr);
    await f.mm.poke(f.wbtcAddr);
  }

  before(async function () {
    f = await deploy();
    await expect(f.mm.connect(f.gov).setLedger(f.cached.chAddr))
      .to.emit(f.mm, "LedgerSet")
      .withArgs(f.cached.chAddr);
    await expect(f.mm.connect(f.gov).addAsset(f.wethAddr))
      .to.emit(f.cached.ch, "RiskLevelsCached")
      .withArgs(f.wethAddr);
    chSlot = await findCacheSlot(
      f.ethers.provider,
      f.cached.chAddr,
      f.wethAddr,
      await modelWords(f.wethAddr),
    );
    const w = f.wethAddr;
    for (const [name, value] of [
      ["HAIRCUT_CAP_WAD", (6n * WAD) / 10n],
      ["HAIRCUT_BASE_WAD", (15n * WAD) / 100n],
      ["LIQUIDITY_ADDON_WAD", (2n * WAD) / 100n],
      ["MARGIN_CAP_WAD", (4n * WAD) / 10n],
      ["INITIAL_MULTIPLIER_WAD", (15n * WAD) / 10n],
      ["RAMP_WAD_PER_HOUR", (2n * WAD) / 100n],
      ["DEPTH_USD_WAD", 50_000_000n * WAD],
      ["SIZE_SLOPE_WAD", WAD / 10n],
      ["MAX_VARIANCE_PER_SECOND_WAD", 10n ** 14n],
      ["MODE", RAMPED],
    ] as Array<[string, bigint]>) {
      await f.mmSet(name, w, value);
    }
    await setUpLedger(f, f.cached);
    await setUpLedger(f, f.live);
  });

  it("sets the ledger once, governance only, and only a ledger that reads this model", async function () {
    const { mm, gov, stranger, live } = f;
    await expect(mm.connect(stranger).setLedger(live.chAddr))
      .to.be.revertedWithCustomError(mm, "MarginModel__NotGovernance")
      .withArgs(stranger.address);
    await expect(mm.connect(gov).setLedger(live.chAddr))
      .to.be.revertedWithCustomError(mm, "MarginModel__LedgerAlreadySet")
      .withArgs(f.cached.chAddr);
    expect(await mm.ledger()).to.equal(f.cached.chAddr);

    // a fresh model: zero address, a ledger built on another model
    const fresh = (await f.ethers.deployContract("MarginModel", [
      await f.oracle.getAddress(),
      f.risk.address,
      gov.address,
    ])) as unknown as MarginModel;
    await expect(fresh.connect(gov).setLedger(ZERO)).to.be.revertedWithCustomError(
      fresh,
      "MarginModel__ZeroAddress",
    );
    await expect(fresh.connect(gov).setLedger(live.chAddr))
      .to.be.revertedWithCustomError(fresh, "MarginModel__LedgerMismatch")
      .withArgs(live.chAddr);
    expect(await fresh.ledger()).to.equal(ZERO);
  });

  it("accepts a push only from the margin model, with no state change", async function () {
    const { cached, stranger, gov, wethAddr } = f;
    const before = await words(cached.chAddr, wethAddr, chSlot);
    for (const caller of [stranger, gov] as Signer[]) {
      await expect(cached.ch.connect(caller).cacheRiskLevels(wethAddr, 1n, 1n, 1n))
        .to.be.revertedWithCustomError(cached.ch, "Clearinghouse__NotMarginModel")
        .withArgs(await caller.getAddress());
    }
    expect(await words(cached.chAddr, wethAddr, chSlot)).to.deep.equal(before);
  });

  it("stores a calm Ramped market (checkpoints at their targets) in the steady form", async function () {
    expect(await f.mm.modeOf(f.wethAddr)).to.equal(RAMPED);
    const [levelsWord, rampWord] = await f.mm.riskWords(f.wethAddr);
    expect(levelsWord & RAMPING, "steady: no ramp word needed").to.equal(0n);
    expect(rampWord).to.equal(0n);
    const risk = await f.mm.riskOf(f.wethAddr);
    expect(risk.haircutMaintWad).to.equal((15n * WAD) / 100n);
    expect(risk.haircutInitWad).to.equal((225n * WAD) / 1000n); // 0.15 * 1.5
    await expectAgreementOverTime("steady", [f.wethAddr]); // WBTC: not pushed yet (next test)
    // a calm poke (first observation, then a heartbeat round at the same price) leaves the words
    // as they are: no push. Each poke needs a new feed round to be an observation (ADR 0012).
    for (let i = 0; i < 2; ++i) {
      await f.networkHelpers.time.increase(60);
      await f.oracle.setPrice(f.wethAddr, 2_000n * WAD, true);
      await expect(f.mm.poke(f.wethAddr))
        .to.emit(f.mm, "VolatilityUpdated")
        .and.not.to.emit(f.cached.ch, "RiskLevelsCached");
      await expectAgreement(`calm poke ${i}`, [f.wethAddr]);
    }
  });

  it("bounds every level field at 60 bits (MarginModel__LevelOutOfRange)", async function () {
    // test/unit/risk/RiskLevelsHarness.sol (test contracts get no TypeChain types)
    const h = (await f.ethers.deployContract("RiskLevelsHarness")) as unknown as RiskLevelsHarness;
    const max = (1n << 60n) - 1n;
    const levels = (x: bigint) => ({
      targetHaircutWad: x,
      targetMarginRatioWad: WAD / 10n,
      haircutMaintWad: WAD / 10n,
      marginRatioMaintWad: WAD / 10n,
    });
    const config = {
      listed: true,
      mode: RAMPED,
      checkpointTime: 1000n,
      rampWadPerHour: WAD / 100n,
      initialMultiplierWad: WAD,
      sizeSlopeWad: 0n,
    };
    const [w] = await h.encode(levels(max), config, WAD);
    expect(w & LEVEL).to.equal(max);
    expect((await h.riskAt(w, 0n, 0n, 1000n)).marginRatioMaintWad).to.equal(WAD / 10n);
    await expect(h.encode(levels(max + 1n), config, WAD))
      .to.be.revertedWithCustomError(f.mm, "MarginModel__LevelOutOfRange")
      .withArgs(max + 1n);
    // the steady form stores the initial level: bounded the same way
    await expect(h.encode(levels(max + 1n), { ...config, mode: STATIC }, WAD))
      .to.be.revertedWithCustomError(f.mm, "MarginModel__LevelOutOfRange")
      .withArgs(max + 1n);
  });

  it("falls back to riskOf for an asset nothing was pushed for, then caches it at its first change", async function () {
    const { cached, mm, wbtcAddr, risk, b32 } = f;
    // WBTC was listed before the ledger was set: no cache yet, the ledger reads riskOf
    expect(await words(cached.chAddr, wbtcAddr, chSlot)).to.deep.equal([0n, 0n, 0n]);
    await expectAgreement("WBTC not cached", [f.wethAddr]);
    await expect(mm.connect(risk).setParam(b32("MODE"), wbtcAddr, RAMPED))
      .to.emit(cached.ch, "RiskLevelsCached")
      .withArgs(wbtcAddr);
    expect((await words(cached.chAddr, wbtcAddr, chSlot))[0] & LISTED).to.equal(LISTED);
    await expectAgreement("WBTC cached");
  });

  it("agrees with riskOf through a volatility spike (ramp up) and its decay (ramp down)", async function () {
    // a storm: large moves every few minutes push the targets to their caps
    let price = 2_000n * WAD;
    for (let i = 0; i < 4; ++i) {
      price = i % 2 === 0 ? (price * 13n) / 10n : (price * 8n) / 10n;
      await f.networkHelpers.time.increase(300);
      await f.oracle.setPrice(f.wethAddr, price, true);
      await expect(f.mm.poke(f.wethAddr)).to.emit(f.cached.ch, "RiskLevelsCached").withArgs(f.wethAddr);
      await pokeAt(price);
      await expectAgreement(`storm poke ${i}`);
    }
    const [tH] = await f.mm.targetLevels(f.wethAddr);
    const risk = await f.mm.riskOf(f.wethAddr);
    expect(risk.haircutMaintWad, "mid-ramp: maintenance below its target").to.be.lessThan(tH);
    expect((await f.mm.riskWords(f.wethAddr))[0] & RAMPING, "ramping form").to.equal(RAMPING);
    await expectAgreementOverTime("ramping up");
    // calm: the same price for hours, the targets fall back and maintenance ramps down
    for (let i = 0; i < 40; ++i) {
      await f.networkHelpers.time.increase(60);
      await pokeAt(price);
    }
    const [tH2] = await f.mm.targetLevels(f.wethAddr);
    expect((await f.mm.riskOf(f.wethAddr)).haircutMaintWad, "mid-ramp: above its target").to.be.greaterThan(
      tH2,
    );
    await expectAgreementOverTime("ramping down");
  });

  it("agrees after every kind of parameter change, mid-ramp", async function () {
    const w = f.wethAddr;
    await f.networkHelpers.time.increase(300);
    await pokeAt(3_000n * WAD); // a jump: the ramp restarts
    for (const [name, value] of [
      ["INITIAL_MULTIPLIER_WAD", 2n * WAD],
      ["RAMP_WAD_PER_HOUR", WAD / 100n],
      ["DEPTH_USD_WAD", 1_000_000n * WAD],
      ["SIZE_SLOPE_WAD", 0n],
      ["SIZE_SLOPE_WAD", WAD / 2n],
      ["HAIRCUT_CAP_WAD", (9n * WAD) / 10n],
      ["MARGIN_BASE_WAD", WAD / 10n],
      ["K_WAD", 5n * WAD],
      ["MAX_VARIANCE_PER_SECOND_WAD", 10n ** 10n],
    ] as Array<[string, bigint]>) {
      await expect(f.mmSet(name, w, value))
        .to.emit(f.cached.ch, "RiskLevelsCached")
        .withArgs(w);
      await expectAgreement(`after ${name}`);
      await f.networkHelpers.time.increase(900);
      await expectAgreement(`after ${name} +900s`);
    }
  });

  it("agrees across mode switches (Ramped -> Dynamic -> Static -> Ramped), with initial levels at their caps", async function () {
    const w = f.wethAddr;
    await f.mmSet("MAX_VARIANCE_PER_SECOND_WAD", w, 10n ** 14n);
    await f.mmSet("INITIAL_MULTIPLIER_WAD", w, 3n * WAD);
    let price = 3_000n * WAD;
    for (let i = 0; i < 3; ++i) {
      price = i % 2 === 0 ? (price * 15n) / 10n : (price * 7n) / 10n;
      await f.networkHelpers.time.increase(120);
      await pokeAt(price);
    }
    const risk = await f.mm.riskOf(w);
    expect(risk.haircutInitWad, "initial haircut at its cap").to.equal(await f.mm.MAX_INITIAL_HAIRCUT_WAD());
    await expectAgreement("caps");
    for (const mode of [DYNAMIC, STATIC, RAMPED, DYNAMIC, RAMPED]) {
      await expect(f.mmSet("MODE", w, mode))
        .to.emit(f.cached.ch, "RiskLevelsCached")
        .withArgs(w);
      expect(await f.mm.modeOf(w)).to.equal(mode);
      await expectAgreementOverTime(`mode ${mode}`);
      await f.networkHelpers.time.increase(60);
      await pokeAt((price * 11n) / 10n);
      await expectAgreement(`mode ${mode} after a poke`);
    }
  });
});

describe("MarginModel: the deployed system caches every asset before the first user call", function () {
  it("deploySystem sets the Clearinghouse as the ledger and every asset's words are pushed", async function () {
    const { ethers } = await network.create();
    const sys = await deploySystem(ethers, loadDeployParams(paramsPathFor("hardhat")));
    const chAddr = await sys.clearinghouse.getAddress();
    expect(await sys.marginModel.ledger()).to.equal(chAddr);
    const filter = sys.clearinghouse.filters.RiskLevelsCached();
    const pushed = new Set((await sys.clearinghouse.queryFilter(filter)).map((e) => e.args.asset));
    const expected = [...(await sys.marginModel.riskWords(sys.assets[0].address))];
    const slot = await findCacheSlot(ethers.provider, chAddr, sys.assets[0].address, expected);
    for (const a of sys.assets) {
      expect(pushed.has(a.address), a.symbol).to.equal(true);
      const w = [...(await sys.marginModel.riskWords(a.address))];
      expect(w[0] & LISTED, a.symbol).to.equal(LISTED);
      expect(await storedWords(ethers.provider, chAddr, a.address, slot), a.symbol).to.deep.equal(w);
    }
  });
});
