/**
 * BallastTimelock (ADR 0016): OpenZeppelin's TimelockController whose delay stays within
 * [1 day, 30 days] once set. A scheduled operation could otherwise set it to 0 (every later
 * loosening instant) or to a century (governance bricked, every parameter frozen).
 */
import { expect } from "chai";
import { ZeroAddress, ZeroHash, toBeHex } from "ethers";
import { network } from "hardhat";

import { MAX_TIMELOCK_DELAY_SECONDS, MIN_TIMELOCK_DELAY_SECONDS } from "../../../scripts/deploy/params.js";
import type { BallastTimelock } from "../../../types/ethers-contracts/index.js";
import { deployLab, send } from "../../helpers/system.js";

const DAY = 86_400n;
const MIN = DAY;
const MAX = 30n * DAY;

describe("BallastTimelock", function () {
  it("refuses a delay outside [1 day, 30 days] at construction, naming the value and the bounds; 0 is the deployment's bootstrap", async function () {
    const { ethers } = await network.create();
    const [deployer] = await ethers.getSigners();
    const args = (delay: bigint): [bigint, string[], string[], string] => [
      delay,
      [deployer.address],
      [deployer.address],
      ZeroAddress,
    ];
    const factory = await ethers.getContractFactory("BallastTimelock");
    for (const delay of [1n, MIN - 1n, MAX + 1n, 100n * 365n * DAY]) {
      await expect(factory.deploy(...args(delay)))
        .to.be.revertedWithCustomError(factory, "BallastTimelock__DelayOutOfBounds")
        .withArgs(delay, MIN, MAX);
    }
    for (const delay of [0n, MIN, MAX]) {
      const t = (await ethers.deployContract("BallastTimelock", args(delay))) as unknown as BallastTimelock;
      expect(await t.getMinDelay()).to.equal(delay);
    }
  });

  describe("updateDelay through a scheduled and executed operation", function () {
    async function lab() {
      const l = await deployLab();
      const timelock = l.sys.timelock;
      const timelockAddr = await timelock.getAddress();
      let salt = 0n;
      /** Schedules `updateDelay(seconds)` at the current delay and waits it out; returns the execution. */
      async function updateDelay(seconds: bigint) {
        const data = timelock.interface.encodeFunctionData("updateDelay", [seconds]);
        const s = toBeHex(++salt, 32);
        const delay = await timelock.getMinDelay();
        await send(timelock.connect(l.deployer).schedule(timelockAddr, 0n, data, ZeroHash, s, delay));
        await l.networkHelpers.time.increase(delay);
        return timelock.connect(l.deployer).execute(timelockAddr, 0n, data, ZeroHash, s);
      }
      return { ...l, timelock, timelockAddr, updateDelay };
    }

    it("is the deployed governance, with the parameter files' bounds", async function () {
      const { timelock } = await lab();
      // a plain TimelockController has neither constant (the call reverts)
      expect(await timelock.MIN_DELAY_SECONDS()).to.equal(BigInt(MIN_TIMELOCK_DELAY_SECONDS));
      expect(await timelock.MAX_DELAY_SECONDS()).to.equal(BigInt(MAX_TIMELOCK_DELAY_SECONDS));
      expect(await timelock.getMinDelay()).to.equal(2n * DAY); // local.json
    });

    it("refuses 0, one second below a day, a second above 30 days and a century: the execution reverts and the delay stays", async function () {
      const { timelock, updateDelay } = await lab();
      for (const seconds of [0n, MIN - 1n, MAX + 1n, 100n * 365n * DAY]) {
        await expect(updateDelay(seconds))
          .to.be.revertedWithCustomError(timelock, "BallastTimelock__DelayOutOfBounds")
          .withArgs(seconds, MIN, MAX);
        expect(await timelock.getMinDelay()).to.equal(2n * DAY);
      }
    });

    it("accepts a delay within the bounds, which then binds every later operation", async function () {
      const { timelock, timelockAddr, updateDelay, deployer } = await lab();
      await expect(updateDelay(MIN))
        .to.emit(timelock, "MinDelayChange")
        .withArgs(2n * DAY, MIN);
      expect(await timelock.getMinDelay()).to.equal(MIN);
      await expect(updateDelay(MAX)).to.emit(timelock, "MinDelayChange").withArgs(MIN, MAX);
      expect(await timelock.getMinDelay()).to.equal(MAX);
      // an operation scheduled below the new delay is refused (OpenZeppelin's own check reads it)
      const data = timelock.interface.encodeFunctionData("updateDelay", [MIN]);
      await expect(timelock.connect(deployer).schedule(timelockAddr, 0n, data, ZeroHash, ZeroHash, MAX - 1n))
        .to.be.revertedWithCustomError(timelock, "TimelockInsufficientDelay")
        .withArgs(MAX - 1n, MAX);
    });

    it("is callable only by the timelock itself", async function () {
      const { timelock, deployer } = await lab();
      await expect(timelock.connect(deployer).updateDelay(MIN))
        .to.be.revertedWithCustomError(timelock, "TimelockUnauthorizedCaller")
        .withArgs(deployer.address);
    });
  });
});
