import { expect } from "chai";
import { network } from "hardhat";

import type {
  ExponentialDecrease,
  LinearDecrease,
  StairstepExponentialDecrease,
} from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const RAY = 10n ** 27n;

/** Mirror of RayPow.rpowDown: square-and-multiply, every product floored. */
function rpowDown(base: bigint, n: bigint): bigint {
  let x = base;
  let z = RAY;
  let e = n;
  while (e > 0n) {
    if ((e & 1n) === 1n) z = (z * x) / RAY;
    e >>= 1n;
    if (e > 0n) x = (x * x) / RAY;
    if (z === 0n) return 0n;
  }
  return z;
}

const linear = (top: bigint, tau: bigint, t: bigint): bigint => (t >= tau ? 0n : (top * (tau - t)) / tau);
const exponential = (top: bigint, cut: bigint, t: bigint): bigint => (top * rpowDown(cut, t)) / RAY;
const stairstep = (top: bigint, cut: bigint, step: bigint, t: bigint): bigint =>
  (top * rpowDown(cut, t / step)) / RAY;

describe("Auction curves", function () {
  async function deploy() {
    const { ethers } = await network.create();
    const lin = (await ethers.deployContract("LinearDecrease", [3_600n])) as unknown as LinearDecrease;
    const exp = (await ethers.deployContract("ExponentialDecrease", [
      (RAY * 999n) / 1000n,
    ])) as unknown as ExponentialDecrease;
    const stair = (await ethers.deployContract("StairstepExponentialDecrease", [
      (RAY * 99n) / 100n,
      90n,
    ])) as unknown as StairstepExponentialDecrease;
    return { ethers, lin, exp, stair };
  }

  const TOP = 2_500n * WAD + 123_456_789n;

  describe("LinearDecrease", function () {
    it("falls linearly to zero at tau, rounding down", async function () {
      const { lin } = await deploy();
      expect(await lin.price(TOP, 0n)).to.equal(TOP);
      expect(await lin.price(3_000n * WAD, 1_800n)).to.equal(1_500n * WAD);
      expect(await lin.price(3_000n * WAD, 900n)).to.equal(2_250n * WAD);
      // 1 * (3600 - 1) / 3600 rounds down to 0
      expect(await lin.price(1n, 1n)).to.equal(0n);
      for (const t of [1n, 7n, 1_799n, 3_599n]) {
        expect(await lin.price(TOP, t)).to.equal(linear(TOP, 3_600n, t));
      }
      expect(await lin.price(TOP, 3_600n)).to.equal(0n);
      expect(await lin.price(TOP, 10n ** 30n)).to.equal(0n);
    });

    it("rejects tau outside [60, 30 days]", async function () {
      const { ethers, lin } = await deploy();
      const factory = await ethers.getContractFactory("LinearDecrease");
      await expect(factory.deploy(59n))
        .to.be.revertedWithCustomError(lin, "AuctionCurve__OutOfBounds")
        .withArgs("tauSeconds", 59n, 60n, 30n * 86_400n);
      await expect(factory.deploy(30n * 86_400n + 1n)).to.be.revertedWithCustomError(
        lin,
        "AuctionCurve__OutOfBounds",
      );
      expect(await lin.tauSeconds()).to.equal(3_600n);
    });

    it("accepts both ends of its bounds: tau of 60 s and of 30 days", async function () {
      const { ethers } = await deploy();
      const factory = await ethers.getContractFactory("LinearDecrease");
      for (const tau of [60n, 30n * 86_400n]) {
        const curve = (await factory.deploy(tau)) as unknown as LinearDecrease;
        expect(await curve.tauSeconds()).to.equal(tau);
        expect(await curve.price(1_000n * WAD, tau / 2n)).to.equal(500n * WAD);
      }
    });
  });

  describe("ExponentialDecrease", function () {
    it("multiplies by cut every second (bigint mirror, exact)", async function () {
      const { exp } = await deploy();
      const cut = (RAY * 999n) / 1000n;
      expect(await exp.price(TOP, 0n)).to.equal(TOP);
      expect(await exp.price(1_000n * WAD, 1n)).to.equal(999n * WAD);
      expect(await exp.price(1_000n * WAD, 2n)).to.equal(998_001n * 10n ** 15n);
      for (const t of [3n, 100n, 693n, 3_600n, 86_400n]) {
        expect(await exp.price(TOP, t)).to.equal(exponential(TOP, cut, t));
      }
    });

    it("floors every product of the power to the wei, visible at a start price of 1e36", async function () {
      // a 1e36 start price scales the factor's last ray digit up to 1e9 wei: a power rounded up
      // anywhere would read above the floored mirror
      const { exp, stair } = await deploy();
      const top = 10n ** 36n;
      for (const t of [3n, 100n, 693n, 3_600n, 86_400n]) {
        expect(await exp.price(top, t)).to.equal(exponential(top, (RAY * 999n) / 1000n, t));
      }
      for (const t of [270n, 1_000n, 3_600n, 86_400n]) {
        expect(await stair.price(top, t)).to.equal(stairstep(top, (RAY * 99n) / 100n, 90n, t));
      }
    });

    it("matches the real power to within 1e-9 (relative)", async function () {
      const { exp } = await deploy();
      const top = 1_000n * WAD;
      for (const t of [100n, 693n, 3_600n]) {
        const onchain = await exp.price(top, t);
        const real = 1000 * Math.pow(0.999, Number(t));
        const realWad = BigInt(Math.round(real * 1e6)) * 10n ** 12n;
        const diff = onchain > realWad ? onchain - realWad : realWad - onchain;
        expect(diff < 10n ** 9n * 1000n).to.equal(true, `t=${t}: ${onchain} vs ${realWad}`);
      }
      // 0.999^693 ~= 0.49989: below half after 693 s
      expect(await exp.price(top, 693n)).to.be.lessThan(500n * WAD);
      expect(await exp.price(top, 692n)).to.be.greaterThan(500n * WAD);
    });

    it("reaches zero after a very long time without reverting", async function () {
      const { exp } = await deploy();
      expect(await exp.price(TOP, 10n ** 9n)).to.equal(0n);
    });

    it("rejects a cut outside [0.5, 1)", async function () {
      const { ethers, exp } = await deploy();
      const factory = await ethers.getContractFactory("ExponentialDecrease");
      await expect(factory.deploy(RAY))
        .to.be.revertedWithCustomError(exp, "AuctionCurve__OutOfBounds")
        .withArgs("cutPerSecondRay", RAY, RAY / 2n, RAY - 1n);
      await expect(factory.deploy(RAY / 2n - 1n)).to.be.revertedWithCustomError(
        exp,
        "AuctionCurve__OutOfBounds",
      );
    });
    it("accepts both ends of its bounds: a cut of exactly 0.5 and of 1 - 1e-27", async function () {
      const { ethers } = await deploy();
      const factory = await ethers.getContractFactory("ExponentialDecrease");
      for (const cut of [RAY / 2n, RAY - 1n]) {
        const curve = (await factory.deploy(cut)) as unknown as ExponentialDecrease;
        expect(await curve.cutPerSecondRay()).to.equal(cut);
        expect(await curve.price(1_000n * WAD, 1n)).to.equal((1_000n * WAD * cut) / RAY);
      }
    });
  });

  describe("StairstepExponentialDecrease", function () {
    it("holds the price for a step, then cuts it", async function () {
      const { stair } = await deploy();
      const cut = (RAY * 99n) / 100n;
      const top = 1_000n * WAD;
      expect(await stair.price(top, 0n)).to.equal(top);
      expect(await stair.price(top, 89n)).to.equal(top);
      expect(await stair.price(top, 90n)).to.equal(990n * WAD);
      expect(await stair.price(top, 179n)).to.equal(990n * WAD);
      expect(await stair.price(top, 180n)).to.equal(980_100n * 10n ** 15n);
      for (const t of [270n, 1_000n, 3_600n, 86_400n]) {
        expect(await stair.price(TOP, t)).to.equal(stairstep(TOP, cut, 90n, t));
      }
    });

    it("rejects a cut or step outside bounds", async function () {
      const { ethers, stair } = await deploy();
      const factory = await ethers.getContractFactory("StairstepExponentialDecrease");
      await expect(factory.deploy(RAY, 90n))
        .to.be.revertedWithCustomError(stair, "AuctionCurve__OutOfBounds")
        .withArgs("cutPerStepRay", RAY, RAY / 2n, RAY - 1n);
      await expect(factory.deploy((RAY * 99n) / 100n, 0n))
        .to.be.revertedWithCustomError(stair, "AuctionCurve__OutOfBounds")
        .withArgs("stepSeconds", 0n, 1n, 86_400n);
      await expect(factory.deploy((RAY * 99n) / 100n, 86_401n)).to.be.revertedWithCustomError(
        stair,
        "AuctionCurve__OutOfBounds",
      );
    });

    it("accepts both ends of its bounds: a step of 1 s and of 1 day, a cut of 0.5 and of 1 - 1e-27", async function () {
      const { ethers } = await deploy();
      const factory = await ethers.getContractFactory("StairstepExponentialDecrease");
      for (const [cut, step] of [
        [RAY / 2n, 1n],
        [RAY - 1n, 86_400n],
      ]) {
        const curve = (await factory.deploy(cut, step)) as unknown as StairstepExponentialDecrease;
        expect([await curve.cutPerStepRay(), await curve.stepSeconds()]).to.deep.equal([cut, step]);
        expect(await curve.price(1_000n * WAD, step - 1n)).to.equal(1_000n * WAD);
        expect(await curve.price(1_000n * WAD, step)).to.equal((1_000n * WAD * cut) / RAY);
      }
    });
  });
});
