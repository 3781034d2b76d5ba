import { expect } from "chai";
import { anyValue } from "@nomicfoundation/hardhat-ethers-chai-matchers/withArgs";
import { getAddress } from "ethers";
import { network } from "hardhat";

import type {
  MarginModel,
  MockOracleRouter,
  OracleMockV3Aggregator,
  OracleRouter,
} from "../../../types/ethers-contracts/index.js";
import * as margin from "../../../simulations/math/margin.js";
import { PARAM_BOUNDS, PARAM_NAMES, type ParamName } from "../../../simulations/math/margin.js";

const WAD = 10n ** 18n;
const ASSET = getAddress("0x00000000000000000000000000000000000000a1");
const OTHER = getAddress("0x00000000000000000000000000000000000000b2");
const ZERO = "0x0000000000000000000000000000000000000000";
const STATIC = 0n;
const DYNAMIC = 1n;
const RAMPED = 2n;

const wad = (x: string): bigint => {
  const [i, f = ""] = x.split(".");
  return BigInt(i) * WAD + BigInt(f.padEnd(18, "0"));
};

async function deploy() {
  const { ethers, networkHelpers } = await network.create();
  const [gov, riskConfig, stranger] = await ethers.getSigners();
  const oracle: MockOracleRouter = await ethers.deployContract("MockOracleRouter");
  const mm: MarginModel = await ethers.deployContract("MarginModel", [
    await oracle.getAddress(),
    riskConfig.address,
    gov.address,
  ]);
  await mm.addAsset(ASSET);
  const b32 = (s: string): string => ethers.encodeBytes32String(s);
  const set = async (name: ParamName, value: bigint) =>
    mm.connect(riskConfig).setParam(b32(name), ASSET, value);
  const now = async (): Promise<bigint> => BigInt(await networkHelpers.time.latest());
  /** Sets the oracle price and pokes, both mined in one block at `t`. */
  const observe = async (priceWad: bigint, t: bigint, ok = true) => {
    await ethers.provider.send("evm_setAutomine", [false]);
    try {
      // Explicit gas limits: estimates against the pending state would miss the price update.
      await oracle.setPrice(ASSET, priceWad, ok, { gasLimit: 200_000 });
      const tx = await mm.poke(ASSET, { gasLimit: 500_000 });
      await ethers.provider.send("evm_mine", [Number(t)]);
      return tx;
    } finally {
      await ethers.provider.send("evm_setAutomine", [true]);
    }
  };
  /** Mines an empty block at `t`, so views see `block.timestamp == t`. */
  const at = async (t: bigint) => networkHelpers.time.increaseTo(t);
  /** Everything observable about `ASSET`, to prove that a rejected call changed nothing. */
  const snapshot = async () => ({
    params: await Promise.all(PARAM_NAMES.map((n) => mm.getParam(b32(n), ASSET))),
    risk: [...(await mm.riskOf(ASSET))],
    targets: [...(await mm.targetLevels(ASSET))],
    variance: await mm.variancePerSecondWad(ASSET),
    obs: [...(await mm.lastObservation(ASSET))],
  });
  return {
    ethers,
    networkHelpers,
    gov,
    riskConfig,
    stranger,
    oracle,
    mm,
    b32,
    set,
    now,
    observe,
    at,
    snapshot,
  };
}

/**
 * The MarginModel on the real OracleRouter with a Chainlink MockV3Aggregator (8 decimals): a feed
 * round is an `updateAnswer` (stamped with its block's time), a poke is a separate transaction.
 */
async function deployOnRouter(mode: bigint) {
  const { ethers, networkHelpers } = await network.create();
  const [gov, riskConfig] = await ethers.getSigners();
  const router: OracleRouter = await ethers.deployContract("OracleRouter", [gov.address, 3600n]);
  const aggregator = async (priceWad: bigint): Promise<OracleMockV3Aggregator> =>
    ethers.deployContract("OracleMockV3Aggregator", [8, priceWad / 10n ** 10n]);
  const feed = await aggregator(2000n * WAD);
  const setPrimary = async (primary: OracleMockV3Aggregator) =>
    router.setFeed(ASSET, {
      primary: await primary.getAddress(),
      secondary: ZERO,
      heartbeatSeconds: 86_400n,
      gracePeriodSeconds: 3600n,
      secondaryHeartbeatSeconds: 0n,
      maxDeviationWad: 0n,
      minPriceWad: 1n,
      maxPriceWad: 10n ** 30n,
    });
  await setPrimary(feed);
  const mm: MarginModel = await ethers.deployContract("MarginModel", [
    await router.getAddress(),
    riskConfig.address,
    gov.address,
  ]);
  await mm.addAsset(ASSET);
  await mm.connect(riskConfig).setParam(ethers.encodeBytes32String("MODE"), ASSET, mode);
  const now = async (): Promise<bigint> => BigInt(await networkHelpers.time.latest());
  /** A feed round of `priceWad` at `t` (no poke). */
  const round = async (priceWad: bigint, t: bigint, f: OracleMockV3Aggregator = feed) => {
    await networkHelpers.time.setNextBlockTimestamp(t);
    await (await f.updateAnswer(priceWad / 10n ** 10n)).wait();
  };
  /** A poke at `t` (the transaction, for `.to.emit`). */
  const pokeTx = async (t: bigint) => {
    await networkHelpers.time.setNextBlockTimestamp(t);
    return mm.poke(ASSET);
  };
  /** A poke at `t`; returns the receipt. */
  const poke = async (t: bigint) => {
    const receipt = await (await pokeTx(t)).wait();
    if (receipt === null) throw new Error("no receipt");
    return receipt;
  };
  /** The MarginModel's whole state of `ASSET` (what a poke could change). */
  const state = async () => ({
    variance: await mm.variancePerSecondWad(ASSET),
    obs: [...(await mm.lastObservation(ASSET))],
    words: [...(await mm.riskWords(ASSET))],
    targets: [...(await mm.targetLevels(ASSET))],
  });
  return {
    ethers,
    networkHelpers,
    router,
    feed,
    aggregator,
    setPrimary,
    mm,
    now,
    round,
    poke,
    pokeTx,
    state,
  };
}

describe("MarginModel", function () {
  describe("deployment and listing", function () {
    it("rejects zero addresses in the constructor", async function () {
      const { ethers } = await network.create();
      const [a] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("MarginModel");
      const mm = await ethers.deployContract("MockOracleRouter");
      for (const args of [
        [ZERO, a.address, a.address],
        [await mm.getAddress(), ZERO, a.address],
        [await mm.getAddress(), a.address, ZERO],
      ]) {
        await expect(factory.deploy(args[0], args[1], args[2])).to.be.revertedWithCustomError(
          factory,
          "MarginModel__ZeroAddress",
        );
      }
    });

    it("lists an asset with documented defaults, governance only, once", async function () {
      const { mm, gov, stranger, b32, riskConfig } = await deploy();
      expect(await mm.governance()).to.equal(gov.address);
      expect(await mm.riskConfig()).to.equal(riskConfig.address);
      await expect(mm.connect(stranger).addAsset(OTHER))
        .to.be.revertedWithCustomError(mm, "MarginModel__NotGovernance")
        .withArgs(stranger.address);
      await expect(mm.connect(riskConfig).addAsset(OTHER))
        .to.be.revertedWithCustomError(mm, "MarginModel__NotGovernance")
        .withArgs(riskConfig.address);
      await expect(mm.riskOf(OTHER))
        .to.be.revertedWithCustomError(mm, "MarginModel__UnknownAsset")
        .withArgs(OTHER);
      await expect(mm.addAsset(ZERO)).to.be.revertedWithCustomError(mm, "MarginModel__ZeroAddress");
      await expect(mm.addAsset(ASSET))
        .to.be.revertedWithCustomError(mm, "MarginModel__AlreadyListed")
        .withArgs(ASSET);
      await expect(mm.addAsset(OTHER)).to.emit(mm, "AssetAdded").withArgs(OTHER);

      const defaults: Record<ParamName, bigint> = {
        MODE: STATIC,
        EWMA_LAMBDA_WAD: wad("0.94"),
        K_WAD: 3n * WAD,
        HORIZON_SECONDS: 3600n,
        HAIRCUT_BASE_WAD: wad("0.1"),
        HAIRCUT_CAP_WAD: wad("0.5"),
        LIQUIDITY_ADDON_WAD: 0n,
        MARGIN_BASE_WAD: wad("0.05"),
        MARGIN_CAP_WAD: wad("0.5"),
        INITIAL_MULTIPLIER_WAD: wad("1.25"),
        RAMP_WAD_PER_HOUR: wad("0.01"),
        DEPTH_USD_WAD: 10n ** 25n,
        SIZE_SLOPE_WAD: 0n,
        MAX_VARIANCE_PER_SECOND_WAD: 10n ** 15n,
      };
      for (const name of PARAM_NAMES) {
        expect(await mm.getParam(b32(name), OTHER), name).to.equal(defaults[name]);
      }
      expect(await mm.modeOf(OTHER)).to.equal(STATIC);
      expect([...(await mm.riskOf(OTHER))]).to.deep.equal([
        wad("0.1"),
        wad("0.125"),
        wad("0.05"),
        wad("0.0625"),
        10n ** 25n,
        0n,
      ]);
      expect(await mm.variancePerSecondWad(OTHER)).to.equal(0n);
      expect(await mm.horizonVolatilityWad(OTHER)).to.equal(0n);
    });

    it("reverts every per-asset read and poke for an unknown asset", async function () {
      const { mm, b32 } = await deploy();
      const unknown = (p: Promise<unknown>) =>
        expect(p).to.be.revertedWithCustomError(mm, "MarginModel__UnknownAsset").withArgs(OTHER);
      await unknown(mm.riskOf(OTHER));
      await unknown(mm.poke(OTHER));
      await unknown(mm.variancePerSecondWad(OTHER));
      await unknown(mm.horizonVolatilityWad(OTHER));
      await unknown(mm.targetLevels(OTHER));
      await unknown(mm.modeOf(OTHER));
      await unknown(mm.lastObservation(OTHER));
      await expect(mm.getParam(b32("K_WAD"), OTHER))
        .to.be.revertedWithCustomError(mm, "ParamTarget__UnknownParam")
        .withArgs(b32("K_WAD"), OTHER);
    });
  });

  describe("parameters", function () {
    it("exposes the hard bounds and the name constants", async function () {
      const { mm, b32 } = await deploy();
      for (const name of PARAM_NAMES) {
        const [min, max] = await mm.paramBounds(b32(name));
        expect([min, max], name).to.deep.equal([PARAM_BOUNDS[name].min, PARAM_BOUNDS[name].max]);
      }
      expect(await mm.MODE()).to.equal(b32("MODE"));
      expect(await mm.MAX_VARIANCE_PER_SECOND_WAD()).to.equal(b32("MAX_VARIANCE_PER_SECOND_WAD"));
      await expect(mm.paramBounds(b32("NOPE")))
        .to.be.revertedWithCustomError(mm, "ParamTarget__UnknownParam")
        .withArgs(b32("NOPE"), ZERO);
    });

    it("rejects a caller other than the RiskConfig, with no state change", async function () {
      const { mm, gov, stranger, b32, snapshot } = await deploy();
      const before = await snapshot();
      for (const caller of [gov, stranger]) {
        await expect(mm.connect(caller).setParam(b32("K_WAD"), ASSET, 2n * WAD))
          .to.be.revertedWithCustomError(mm, "ParamTarget__NotRiskConfig")
          .withArgs(caller.address);
      }
      expect(await snapshot()).to.deep.equal(before);
    });

    it("rejects unknown names and unlisted subjects", async function () {
      const { mm, riskConfig, b32, snapshot } = await deploy();
      const before = await snapshot();
      await expect(mm.connect(riskConfig).setParam(b32("NOPE"), ASSET, 1n))
        .to.be.revertedWithCustomError(mm, "ParamTarget__UnknownParam")
        .withArgs(b32("NOPE"), ZERO);
      await expect(mm.connect(riskConfig).setParam(b32("K_WAD"), OTHER, WAD))
        .to.be.revertedWithCustomError(mm, "ParamTarget__UnknownParam")
        .withArgs(b32("K_WAD"), OTHER);
      await expect(mm.getParam(b32("NOPE"), ASSET))
        .to.be.revertedWithCustomError(mm, "ParamTarget__UnknownParam")
        .withArgs(b32("NOPE"), ZERO);
      expect(await snapshot()).to.deep.equal(before);
    });

    it("rejects every value just outside its bounds with exact arguments and no state change", async function () {
      const { mm, b32, set, snapshot } = await deploy();
      // Widen the caps first so the base bounds are reachable without a consistency error.
      await set("HAIRCUT_CAP_WAD", wad("0.95"));
      await set("MARGIN_CAP_WAD", wad("0.9"));
      const before = await snapshot();
      for (const name of PARAM_NAMES) {
        const { min, max } = PARAM_BOUNDS[name];
        const bad = min > 0n ? [min - 1n, max + 1n] : [max + 1n];
        for (const value of bad) {
          await expect(set(name, value), `${name}=${value}`)
            .to.be.revertedWithCustomError(mm, "ParamTarget__OutOfBounds")
            .withArgs(b32(name), ASSET, value, min, max);
        }
      }
      await expect(set("DEPTH_USD_WAD", (1n << 256n) - 1n)).to.be.revertedWithCustomError(
        mm,
        "ParamTarget__OutOfBounds",
      );
      expect(await snapshot()).to.deep.equal(before);
    });

    it("accepts both ends of every bound and emits ParamSet", async function () {
      const { mm, b32, set } = await deploy();
      await set("HAIRCUT_CAP_WAD", wad("0.95"));
      await set("MARGIN_CAP_WAD", wad("0.9"));
      for (const name of PARAM_NAMES) {
        if (name === "HAIRCUT_CAP_WAD" || name === "MARGIN_CAP_WAD") continue; // done below
        const { min, max } = PARAM_BOUNDS[name];
        for (const value of [min, max]) {
          await expect(set(name, value)).to.emit(mm, "ParamSet").withArgs(b32(name), ASSET, value);
          expect(await mm.getParam(b32(name), ASSET), name).to.equal(value);
        }
      }
      // Bases are now at their maxima (0.9, 0.5): the caps can go to their maxima, not below the bases.
      await expect(set("HAIRCUT_CAP_WAD", wad("0.95"))).to.emit(mm, "ParamSet");
      await expect(set("MARGIN_CAP_WAD", wad("0.9"))).to.emit(mm, "ParamSet");
    });

    it("rejects a base above its cap and a cap below its base", async function () {
      const { mm, b32, set, snapshot } = await deploy();
      await set("MARGIN_CAP_WAD", wad("0.3"));
      const before = await snapshot();
      const cases: [ParamName, bigint][] = [
        ["HAIRCUT_BASE_WAD", wad("0.5") + 1n],
        ["HAIRCUT_CAP_WAD", wad("0.1") - 1n],
        ["MARGIN_BASE_WAD", wad("0.3") + 1n],
        ["MARGIN_CAP_WAD", wad("0.05") - 1n],
      ];
      for (const [name, value] of cases) {
        await expect(set(name, value))
          .to.be.revertedWithCustomError(mm, "MarginModel__InconsistentParams")
          .withArgs(b32(name), ASSET);
      }
      expect(await snapshot()).to.deep.equal(before);
      // Equality is consistent.
      await set("HAIRCUT_BASE_WAD", wad("0.5"));
      await set("MARGIN_CAP_WAD", wad("0.05"));
      expect([...(await mm.targetLevels(ASSET))]).to.deep.equal([wad("0.5"), wad("0.05")]);
    });

    it("caps the stored variance at once when the variance cap is lowered", async function () {
      const { mm, set, observe, now } = await deploy();
      const t = await now();
      await observe(100n * WAD, t + 10n);
      await observe(200n * WAD, t + 11n); // r = 1, sample 1e18/s: variance hits the 1e15 cap
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(10n ** 15n);
      await set("MAX_VARIANCE_PER_SECOND_WAD", 10n ** 9n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(10n ** 9n);
    });
  });

  describe("volatility", function () {
    it("matches a hand-computed EWMA and horizon volatility", async function () {
      const { mm, set, observe, now } = await deploy();
      await set("MODE", DYNAMIC);
      await set("K_WAD", WAD);
      await set("LIQUIDITY_ADDON_WAD", wad("0.05"));
      const t = await now();
      // First observation only records.
      await expect(observe(100n * WAD, t + 10n))
        .to.emit(mm, "VolatilityUpdated")
        .withArgs(ASSET, 100n * WAD, 0n, wad("0.1"), wad("0.05"));
      expect([...(await mm.lastObservation(ASSET))]).to.deep.equal([100n * WAD, t + 10n]);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(0n);

      // +10% over 100 s: r^2 = 0.01, sample = 1e-4 /s = 1e14 WAD; var = 0.06 * 1e14 = 6e12.
      await observe(110n * WAD, t + 110n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(6n * 10n ** 12n);

      // -10% (110 -> 99) over 50 s: sample = 2e14; var = 0.94 * 6e12 + 0.06 * 2e14 = 1.764e13.
      await expect(observe(99n * WAD, t + 160n))
        .to.emit(mm, "VolatilityUpdated")
        .withArgs(ASSET, 99n * WAD, 1764n * 10n ** 10n, wad("0.302"), wad("0.252"));
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(1764n * 10n ** 10n);
      // sigma_h = sqrt(1.764e-5 * 3600) = sqrt(0.063504) = 0.252 exactly.
      expect(await mm.horizonVolatilityWad(ASSET)).to.equal(wad("0.252"));
      // haircut = 1 * 0.252 + 0.05; margin = 0.252 (both inside [base, cap]).
      expect([...(await mm.targetLevels(ASSET))]).to.deep.equal([wad("0.302"), wad("0.252")]);
      const risk = await mm.riskOf(ASSET);
      expect(risk.haircutMaintWad).to.equal(wad("0.302"));
      expect(risk.haircutInitWad).to.equal(wad("0.3775"));
      expect(risk.marginRatioMaintWad).to.equal(wad("0.252"));
      expect(risk.marginRatioInitWad).to.equal(wad("0.315"));
    });

    it("rounds the variance up (against the account)", async function () {
      const { mm, observe, now } = await deploy();
      const t = await now();
      await observe(100n * WAD, t + 10n);
      // +3% over 7 s: sample = ceil(0.03^2 / 7 * 1e18) = ceil(128571428571428.57) = 128571428571429;
      // var = ceil(0.06 * 128571428571429) = ceil(7714285714285.74) = 7714285714286.
      await observe(103n * WAD, t + 17n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(7714285714286n);
      // sigma_h = ceil(sqrt(7714285714286 * 3600 * 1e18)) = ceil(1.66642...e17)
      const x = 7714285714286n * 3600n * WAD;
      const s = await mm.horizonVolatilityWad(ASSET);
      expect(s * s >= x && (s - 1n) * (s - 1n) < x).to.equal(true);
    });

    it("ignores a read that is not ok, a zero price, and a price above uint128", async function () {
      const { mm, oracle, observe, now } = await deploy();
      const t = await now();
      await observe(100n * WAD, t + 10n);
      const before = [await mm.variancePerSecondWad(ASSET), [...(await mm.lastObservation(ASSET))]];
      await expect(observe(150n * WAD, t + 20n, false)).not.to.emit(mm, "VolatilityUpdated");
      await expect(observe(0n, t + 30n)).not.to.emit(mm, "VolatilityUpdated");
      await expect(observe(1n << 128n, t + 40n)).not.to.emit(mm, "VolatilityUpdated");
      expect([await mm.variancePerSecondWad(ASSET), [...(await mm.lastObservation(ASSET))]]).to.deep.equal(
        before,
      );
      // The next good read measures the return against the last accepted one (100 -> 110 over 100 s).
      await observe(110n * WAD, t + 110n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(6n * 10n ** 12n);
      expect([...(await oracle.getPriceWithStatus(ASSET))]).to.deep.equal([110n * WAD, 0n]);
    });

    it("ignores a second observation in the same block (the same round)", async function () {
      const { mm, oracle, ethers, observe, now } = await deploy();
      const t = await now();
      await observe(100n * WAD, t + 10n);
      await ethers.provider.send("evm_setAutomine", [false]);
      await oracle.setPrice(ASSET, 120n * WAD, true, { gasLimit: 200_000 });
      await mm.poke(ASSET, { gasLimit: 500_000 });
      await oracle.setPrice(ASSET, 130n * WAD, true, { gasLimit: 200_000 });
      const second = await mm.poke(ASSET, { gasLimit: 500_000 });
      await ethers.provider.send("evm_mine", [Number(t + 20n)]);
      await ethers.provider.send("evm_setAutomine", [true]);
      // The second poke succeeded (no division by a zero time step) and emitted nothing.
      const receipt = await second.wait();
      expect(receipt?.status).to.equal(1);
      expect(receipt?.logs.length).to.equal(0);
      // 100 -> 120 over 10 s accepted (sample 4e15, var 0.06 * 4e15 = 2.4e14); 130 ignored.
      expect([...(await mm.lastObservation(ASSET))]).to.deep.equal([120n * WAD, t + 20n]);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(24n * 10n ** 13n);
    });

    it("never reverts on extreme prices (return saturated, variance capped)", async function () {
      const { mm, observe, now } = await deploy();
      const t = await now();
      await observe(1n, t + 10n);
      await observe((1n << 128n) - 1n, t + 11n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(10n ** 15n);
      await observe(1n, t + 12n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(10n ** 15n);
      // A saturated return (1e24) over a long gap still gives a sample above the cap.
      await observe((1n << 128n) - 1n, t + 10n ** 9n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(10n ** 15n);
    });
  });

  describe("modes", function () {
    /** A storm: price doubles, then halves, one second apart. Variance hits the 1e15 cap. */
    async function storm(f: Awaited<ReturnType<typeof deploy>>, t: bigint) {
      await f.observe(100n * WAD, t);
      await f.observe(200n * WAD, t + 1n);
    }

    it("Static ignores volatility", async function () {
      const f = await deploy();
      const t = await f.now();
      await storm(f, t + 10n);
      expect(await f.mm.variancePerSecondWad(ASSET)).to.equal(10n ** 15n);
      expect([...(await f.mm.targetLevels(ASSET))]).to.deep.equal([wad("0.1"), wad("0.05")]);
      expect([...(await f.mm.riskOf(ASSET))].slice(0, 4)).to.deep.equal([
        wad("0.1"),
        wad("0.125"),
        wad("0.05"),
        wad("0.0625"),
      ]);
    });

    it("Dynamic clamps at the floor when calm and jumps to the cap in a storm", async function () {
      const f = await deploy();
      await f.set("MODE", DYNAMIC);
      expect([...(await f.mm.riskOf(ASSET))].slice(0, 4)).to.deep.equal([
        wad("0.1"),
        wad("0.125"),
        wad("0.05"),
        wad("0.0625"),
      ]);
      const t = await f.now();
      await storm(f, t + 10n);
      // sigma_h = sqrt(1e-3 * 3600) ~ 1.9, k * sigma_h ~ 5.7: both clamp to their caps (0.5).
      expect([...(await f.mm.targetLevels(ASSET))]).to.deep.equal([wad("0.5"), wad("0.5")]);
      expect([...(await f.mm.riskOf(ASSET))].slice(0, 4)).to.deep.equal([
        wad("0.5"),
        wad("0.625"),
        wad("0.5"),
        wad("0.625"),
      ]);
    });

    it("caps initial levels at 0.99 (haircut) and 1.0 (margin ratio)", async function () {
      const f = await deploy();
      await f.set("MODE", DYNAMIC);
      await f.set("HAIRCUT_CAP_WAD", wad("0.95"));
      await f.set("MARGIN_CAP_WAD", wad("0.9"));
      await f.set("INITIAL_MULTIPLIER_WAD", 3n * WAD);
      await storm(f, (await f.now()) + 10n);
      expect([...(await f.mm.riskOf(ASSET))].slice(0, 4)).to.deep.equal([
        wad("0.95"),
        wad("0.99"),
        wad("0.9"),
        WAD,
      ]);
    });

    it("Ramped moves maintenance up at most rate * time, while initial follows the target at once", async function () {
      const f = await deploy();
      await f.set("MODE", RAMPED);
      await f.set("RAMP_WAD_PER_HOUR", wad("0.1"));
      const t = await f.now();
      await storm(f, t + 10n); // checkpoint at t + 11: maintenance still (0.1, 0.05)
      let r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.1"), wad("0.05")]);
      expect([r.haircutInitWad, r.marginRatioInitWad]).to.deep.equal([wad("0.625"), wad("0.625")]);

      // 30 min later: +0.05 each.
      await f.at(t + 11n + 1800n);
      r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.15"), wad("0.1")]);
      // One second: step = ceil(0.1e18 / 3600) rounds up.
      await f.at(t + 11n + 1801n);
      r = await f.mm.riskOf(ASSET);
      expect(r.haircutMaintWad).to.equal(wad("0.1") + (wad("0.1") * 1801n + 3599n) / 3600n);
      // Reaches the target (0.5) and stops: haircut after 4 h, margin after 4.5 h.
      await f.at(t + 11n + 4n * 3600n);
      r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.5"), wad("0.45")]);
      await f.at(t + 11n + 10n * 3600n);
      r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.5"), wad("0.5")]);
    });

    it("Ramped moves maintenance down at most rate * time when volatility subsides", async function () {
      const f = await deploy();
      await f.set("MODE", DYNAMIC);
      await storm(f, (await f.now()) + 10n); // maintenance jumps to (0.5, 0.5)
      await f.set("MODE", RAMPED); // checkpoint: ramp starts at the dynamic levels
      await f.set("RAMP_WAD_PER_HOUR", wad("0.2"));
      // Calm: the variance cap at its minimum makes the target the floor (0.1, 0.05).
      await f.set("MAX_VARIANCE_PER_SECOND_WAD", 10n ** 9n);
      expect([...(await f.mm.targetLevels(ASSET))]).to.deep.equal([wad("0.1"), wad("0.05")]);
      const t = await f.now();
      let r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.5"), wad("0.5")]);
      // Initial is max(target, maintenance) * 1.25: it never falls below maintenance.
      expect([r.haircutInitWad, r.marginRatioInitWad]).to.deep.equal([wad("0.625"), wad("0.625")]);
      await f.at(t + 3600n);
      r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.3"), wad("0.3")]);
      // Down-steps round down: after one more second the haircut is 0.3 - floor(0.2e18 / 3600).
      await f.at(t + 3601n);
      r = await f.mm.riskOf(ASSET);
      expect(r.haircutMaintWad).to.equal(wad("0.5") - (wad("0.2") * 3601n) / 3600n);
      await f.at(t + 3n * 3600n);
      r = await f.mm.riskOf(ASSET);
      expect([r.haircutMaintWad, r.marginRatioMaintWad]).to.deep.equal([wad("0.1"), wad("0.05")]);
    });

    it("checkpoints the ramp before a parameter change, so the level never jumps", async function () {
      const f = await deploy();
      await f.set("MODE", RAMPED);
      await f.set("RAMP_WAD_PER_HOUR", wad("0.1"));
      const t = await f.now();
      await storm(f, t + 10n);
      // After 1 h at 0.1/h: haircut 0.2. Lower the rate to 0.01/h at that moment.
      await f.networkHelpers.time.setNextBlockTimestamp(t + 11n + 3600n);
      await f.set("RAMP_WAD_PER_HOUR", wad("0.01"));
      let r = await f.mm.riskOf(ASSET);
      expect(r.haircutMaintWad).to.equal(wad("0.2"));
      // One more hour at the new rate: 0.21 (not 0.12 nor 0.3).
      await f.at(t + 11n + 7200n);
      r = await f.mm.riskOf(ASSET);
      expect(r.haircutMaintWad).to.equal(wad("0.21"));
      // A poke checkpoints too: same price one hour later keeps the level continuous.
      await f.observe(200n * WAD, t + 11n + 10800n);
      r = await f.mm.riskOf(ASSET);
      expect(r.haircutMaintWad).to.equal(wad("0.22"));
      // Switching to Dynamic jumps to the target; back to Ramped starts from there.
      await f.set("MODE", DYNAMIC);
      const target = (await f.mm.targetLevels(ASSET))[0];
      expect((await f.mm.riskOf(ASSET)).haircutMaintWad).to.equal(target);
      expect(await f.mm.modeOf(ASSET)).to.equal(DYNAMIC);
    });
  });

  describe("observations are feed rounds, not pokes (ADR 0012; audit: poke spam / poke timing)", function () {
    const P = margin.DEFAULT_PARAMS;

    it("spam: pokes without a new round change nothing, emit nothing and do not decay a storm", async function () {
      const { round, poke, pokeTx, state, mm, now } = await deployOnRouter(RAMPED);
      const t0 = (await now()) + 10n;
      await round(2000n * WAD, t0);
      await poke(t0 + 1n);
      await round(1400n * WAD, t0 + 3600n); // a 30% fall within an hour: a storm
      await expect(pokeTx(t0 + 3601n)).to.emit(mm, "VolatilityUpdated");
      // 0.3^2 / 3600 s = 2.5e13 WAD/s per second; var = 0.06 * 2.5e13 = 1.5e12.
      const storm = 1_500_000_000_000n;
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(storm);
      expect(storm).to.equal(margin.nextVariance(0n, 2000n * WAD, 1400n * WAD, 3600n, P));
      const stormRisk = await mm.riskOf(ASSET);
      expect(stormRisk.haircutInitWad).to.be.greaterThan(wad("0.25"));
      const before = await state();
      expect(before.obs).to.deep.equal([1400n * WAD, t0 + 3600n]); // the round's time, not the poke's

      // 60 pokes, one per block, the feed unchanged: each one is ignored.
      for (let i = 2n; i < 62n; i++) {
        const receipt = await poke(t0 + 3600n + i);
        expect(receipt.logs.length, `poke ${i} emitted`).to.equal(0);
      }
      expect(await state()).to.deep.equal(before);
      expect((await mm.riskOf(ASSET)).haircutInitWad).to.equal(stormRisk.haircutInitWad);

      // The next round (a heartbeat at the same price, 100 s later) decays the variance once.
      await round(1400n * WAD, t0 + 3700n);
      await expect(pokeTx(t0 + 3701n))
        .to.emit(mm, "VolatilityUpdated")
        .withArgs(ASSET, 1400n * WAD, (storm * 94n) / 100n, anyValue, anyValue);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(
        margin.nextVariance(storm, 1400n * WAD, 1400n * WAD, 100n, P),
      );
    });

    it("timing: a poke 1 s before a feed update does not shorten the interval the move is priced over", async function () {
      const { round, poke, pokeTx, state, mm, now, networkHelpers } = await deployOnRouter(DYNAMIC);
      const t0 = (await now()) + 10n;
      await round(2000n * WAD, t0);
      await poke(t0 + 1n);
      // +1% over one hour: sample ceil(1e-4 / 3600 * 1e18) = 27777777778, var = ceil(0.06 * it).
      const calm = 1_666_666_667n;
      expect(calm).to.equal(margin.nextVariance(0n, 2000n * WAD, 2020n * WAD, 3600n, P));

      // The attacker pokes the unchanged price 1 s before the update: ignored.
      const before = await state();
      expect((await poke(t0 + 3599n)).logs.length).to.equal(0);
      expect(await state()).to.deep.equal(before);
      await round(2020n * WAD, t0 + 3600n);
      const snap = await networkHelpers.takeSnapshot();
      await expect(pokeTx(t0 + 3600n + 1n)).to.emit(mm, "VolatilityUpdated");
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(calm);
      expect([...(await mm.lastObservation(ASSET))]).to.deep.equal([2020n * WAD, t0 + 3600n]);
      const risk = await mm.riskOf(ASSET);
      expect(risk.marginRatioMaintWad, "a 1% hourly move is calm: base 5%").to.equal(wad("0.05"));
      expect(risk.haircutMaintWad).to.equal(wad("0.1"));
      const words = [...(await mm.riskWords(ASSET))];

      // A keeper poking the same round 20 minutes late gets the same estimate and levels.
      await snap.restore();
      await poke(t0 + 3600n + 1200n);
      expect(await mm.variancePerSecondWad(ASSET)).to.equal(calm);
      expect([...(await mm.lastObservation(ASSET))]).to.deep.equal([2020n * WAD, t0 + 3600n]);
      expect([...(await mm.riskWords(ASSET))].slice(0, 1)).to.deep.equal(words.slice(0, 1));
      expect((await mm.riskOf(ASSET)).marginRatioMaintWad).to.equal(wad("0.05"));
    });

    it("ignores a round older than the last accepted one (a replaced feed), then accepts its next round", async function () {
      const { round, poke, pokeTx, state, mm, now, aggregator, setPrimary } = await deployOnRouter(DYNAMIC);
      const t0 = (await now()) + 10n;
      const old = await aggregator(2100n * WAD); // its round is stamped now, before t0
      await round(2000n * WAD, t0);
      await poke(t0 + 1n);
      await setPrimary(old);
      const before = await state();
      expect((await poke(t0 + 100n)).logs.length).to.equal(0);
      expect(await state()).to.deep.equal(before);
      await round(2010n * WAD, t0 + 200n, old);
      await expect(pokeTx(t0 + 201n))
        .to.emit(mm, "VolatilityUpdated")
        .withArgs(
          ASSET,
          2010n * WAD,
          margin.nextVariance(0n, 2000n * WAD, 2010n * WAD, 200n, P),
          anyValue,
          anyValue,
        );
    });
  });

  describe("MockOracleRouter", function () {
    it("returns what was set, with a status, and never reverts on poke", async function () {
      const { oracle } = await deploy();
      expect([...(await oracle.getPrice(OTHER))]).to.deep.equal([0n, false]);
      expect([...(await oracle.getPriceWithStatus(OTHER))]).to.deep.equal([0n, 1n]); // UnknownAsset
      await oracle.setPrice(OTHER, 5n * WAD, true);
      await oracle.setPrice(OTHER, 4n * WAD, false);
      expect([...(await oracle.getPrice(OTHER))]).to.deep.equal([4n * WAD, false]);
      expect([...(await oracle.getPriceWithStatus(OTHER))]).to.deep.equal([4n * WAD, 7n]); // PrimaryStale
      expect((await oracle.lastGoodPrice(OTHER))[0]).to.equal(5n * WAD);
      // observation: every setPrice is a round stamped with its block time (0 when not ok)
      expect([...(await oracle.observation(OTHER))]).to.deep.equal([4n * WAD, 0n, false]);
      await oracle.setPrice(OTHER, 6n * WAD, true);
      const t = BigInt((await oracle.runner!.provider!.getBlock("latest"))!.timestamp);
      expect([...(await oracle.observation(OTHER))]).to.deep.equal([6n * WAD, t, true]);
      await expect(oracle.poke(OTHER))
        .to.emit(oracle, "PricePoked")
        .withArgs(OTHER, 6n * WAD, 0n, 0n);
      expect(await oracle.hopSeconds()).to.equal(3600n);
    });
  });
});
