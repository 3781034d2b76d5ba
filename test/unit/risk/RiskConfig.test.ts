import { expect } from "chai";
import { ZeroAddress, ZeroHash, encodeBytes32String, id, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";

import { loadDeployParams, paramsPathFor } from "../../../scripts/deploy/params.js";
import { b32, deploySystem } from "../../../scripts/deploy/system.js";
import { buildParamProposal } from "../../../scripts/governance/proposal.js";
import type {
  GovernanceTimelock,
  MockParamTarget,
  RiskConfig,
} from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const MIN_DELAY = 2n * 24n * 3600n; // 2 days

const HAIRCUT = encodeBytes32String("haircut");
const DEBT_CEILING = encodeBytes32String("debtCeiling");
const ASSET = "0x00000000000000000000000000000000000000A1";
const ASSET2 = "0x00000000000000000000000000000000000000A2";

// Registered at deployment.
const HAIRCUT_INIT = (30n * WAD) / 100n; // 0.30
const HAIRCUT_STEP = (5n * WAD) / 100n; // 0.05 per update, higher is safer
const CEILING_INIT = 1_000_000n * WAD; // $1m
const CEILING_STEP = 100_000n * WAD; // $100k per update, lower is safer

/** TimelockController's bitmap for "expected state: Ready" (1 << OperationState.Ready). */
const READY_STATE_BITMAP = zeroPadValue("0x04", 32);

async function deploy() {
  const { ethers, networkHelpers } = await network.create();
  const [deployer, guardian, proposer, stranger] = await ethers.getSigners();

  const timelock: GovernanceTimelock = await ethers.deployContract("GovernanceTimelock", [
    MIN_DELAY,
    [proposer.address],
    [proposer.address],
    ZeroAddress, // the timelock administers itself
  ]);
  const riskConfig: RiskConfig = await ethers.deployContract("RiskConfig", [
    await timelock.getAddress(),
    guardian.address,
    deployer.address,
  ]);
  const target: MockParamTarget = await ethers.deployContract("MockParamTarget", [
    await riskConfig.getAddress(),
  ]);
  const targetAddr = await target.getAddress();
  const riskAddr = await riskConfig.getAddress();
  const timelockAddr = await timelock.getAddress();

  // Deployment script: register with initial values, then end the registrar phase.
  await riskConfig.registerParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT, HAIRCUT_STEP, true);
  await riskConfig.registerParam(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT, CEILING_STEP, false);

  let salt = 0n;
  /** Schedules one call on the timelock; returns a function that executes it. */
  async function schedule(to: string, data: string) {
    const s = toBeHex(++salt, 32);
    await timelock.connect(proposer).schedule(to, 0n, data, ZeroHash, s, MIN_DELAY);
    const opId = await timelock.hashOperation(to, 0n, data, ZeroHash, s);
    return { opId, execute: () => timelock.connect(proposer).execute(to, 0n, data, ZeroHash, s) };
  }
  /** Schedules, waits the full delay and executes a call to RiskConfig through the timelock. */
  async function viaTimelock(data: string) {
    const op = await schedule(riskAddr, data);
    await networkHelpers.time.increase(MIN_DELAY);
    return op.execute();
  }
  const setParamData = (name: string, subject: string, value: bigint) =>
    riskConfig.interface.encodeFunctionData("setParam", [targetAddr, name, subject, value]);
  const haircut = () => target.getParam(HAIRCUT, ASSET);
  const ceiling = () => target.getParam(DEBT_CEILING, ZeroAddress);

  return {
    ethers,
    networkHelpers,
    deployer,
    guardian,
    proposer,
    stranger,
    timelock,
    timelockAddr,
    riskConfig,
    riskAddr,
    target,
    targetAddr,
    schedule,
    viaTimelock,
    setParamData,
    haircut,
    ceiling,
  };
}

describe("RiskConfig", function () {
  describe("deployment and roles", function () {
    it("gives the timelock admin and governor, the guardian only guardian, the deployer only registrar", async function () {
      const { riskConfig, timelockAddr, guardian, deployer } = await deploy();
      const [admin, gov, guard, reg] = await Promise.all([
        riskConfig.DEFAULT_ADMIN_ROLE(),
        riskConfig.GOVERNOR_ROLE(),
        riskConfig.GUARDIAN_ROLE(),
        riskConfig.REGISTRAR_ROLE(),
      ]);
      expect(gov).to.equal(id("GOVERNOR_ROLE"));
      expect(await riskConfig.hasRole(admin, timelockAddr)).to.equal(true);
      expect(await riskConfig.hasRole(gov, timelockAddr)).to.equal(true);
      expect(await riskConfig.hasRole(guard, guardian.address)).to.equal(true);
      expect(await riskConfig.hasRole(reg, deployer.address)).to.equal(true);
      for (const role of [admin, gov, guard])
        expect(await riskConfig.hasRole(role, deployer.address)).to.equal(false);
      for (const role of [admin, gov, reg])
        expect(await riskConfig.hasRole(role, guardian.address)).to.equal(false);
      for (const role of [gov, guard, reg]) expect(await riskConfig.getRoleAdmin(role)).to.equal(admin);
    });

    it("rejects a zero timelock or guardian", async function () {
      const { ethers } = await network.create();
      const [deployer, guardian] = await ethers.getSigners();
      const factory = await ethers.getContractFactory("RiskConfig");
      await expect(
        ethers.deployContract("RiskConfig", [ZeroAddress, guardian.address, deployer.address]),
      ).to.be.revertedWithCustomError(factory, "RiskConfig__ZeroAddress");
      await expect(
        ethers.deployContract("RiskConfig", [deployer.address, ZeroAddress, deployer.address]),
      ).to.be.revertedWithCustomError(factory, "RiskConfig__ZeroAddress");
    });

    it("registers with the initial values, rules and events", async function () {
      const { riskConfig, target, targetAddr, haircut, ceiling } = await deploy();
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      expect(await ceiling()).to.equal(CEILING_INIT);
      const rule = await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET);
      expect([rule.maxStep, rule.higherIsSafer, rule.registered]).to.deep.equal([HAIRCUT_STEP, true, true]);
      const ceilingRule = await riskConfig.ruleOf(targetAddr, DEBT_CEILING, ZeroAddress);
      expect([ceilingRule.maxStep, ceilingRule.higherIsSafer, ceilingRule.registered]).to.deep.equal([
        CEILING_STEP,
        false,
        true,
      ]);
      const unknown = await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2);
      expect([unknown.maxStep, unknown.registered]).to.deep.equal([0n, false]);

      const init2 = (40n * WAD) / 100n;
      await expect(riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, init2, HAIRCUT_STEP, true))
        .to.emit(riskConfig, "ParamRegistered")
        .withArgs(targetAddr, HAIRCUT, ASSET2, init2, HAIRCUT_STEP, true)
        .and.to.emit(target, "ParamSet")
        .withArgs(HAIRCUT, ASSET2, init2);
      expect(await target.getParam(HAIRCUT, ASSET2)).to.equal(init2);
    });

    it("the target accepts values only from RiskConfig", async function () {
      const { target, stranger, haircut } = await deploy();
      await expect(target.connect(stranger).setParam(HAIRCUT, ASSET, WAD / 10n))
        .to.be.revertedWithCustomError(target, "ParamTarget__NotRiskConfig")
        .withArgs(stranger.address);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });
  });

  describe("governance through the TimelockController", function () {
    it("loosens after schedule + minDelay + execute, and emits", async function () {
      const { riskConfig, target, targetAddr, timelockAddr, viaTimelock, setParamData, haircut } =
        await deploy();
      const loosened = HAIRCUT_INIT - HAIRCUT_STEP; // exactly one max step, the unsafe way
      await expect(viaTimelock(setParamData(HAIRCUT, ASSET, loosened)))
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT, loosened, timelockAddr)
        .and.to.emit(target, "ParamSet")
        .withArgs(HAIRCUT, ASSET, loosened);
      expect(await haircut()).to.equal(loosened);
    });

    it("loosens a lower-is-safer parameter by raising it", async function () {
      const { viaTimelock, setParamData, ceiling } = await deploy();
      await viaTimelock(setParamData(DEBT_CEILING, ZeroAddress, CEILING_INIT + CEILING_STEP));
      expect(await ceiling()).to.equal(CEILING_INIT + CEILING_STEP);
    });

    it("cannot execute before the delay (TimelockController's own error)", async function () {
      const { timelock, networkHelpers, schedule, riskAddr, setParamData, haircut } = await deploy();
      const op = await schedule(riskAddr, setParamData(HAIRCUT, ASSET, HAIRCUT_INIT - HAIRCUT_STEP));
      await expect(op.execute())
        .to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState")
        .withArgs(op.opId, READY_STATE_BITMAP);
      await networkHelpers.time.increase(MIN_DELAY - 10n);
      await expect(op.execute()).to.be.revertedWithCustomError(timelock, "TimelockUnexpectedOperationState");
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      await networkHelpers.time.increase(10n);
      await op.execute();
      expect(await haircut()).to.equal(HAIRCUT_INIT - HAIRCUT_STEP);
    });

    it("rejects a step larger than maxStep through the timelock too", async function () {
      const { riskConfig, viaTimelock, setParamData, haircut } = await deploy();
      const requested = HAIRCUT_INIT - HAIRCUT_STEP - 1n;
      await expect(viaTimelock(setParamData(HAIRCUT, ASSET, requested)))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__StepTooLarge")
        .withArgs(HAIRCUT, ASSET, HAIRCUT_INIT, requested, HAIRCUT_STEP);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });

    it("executes a batch built by scripts/governance/proposal.ts", async function () {
      const {
        riskConfig,
        timelock,
        proposer,
        networkHelpers,
        riskAddr,
        targetAddr,
        timelockAddr,
        haircut,
        ceiling,
      } = await deploy();
      const batch = buildParamProposal(riskAddr, [
        {
          target: targetAddr,
          name: "haircut",
          subject: ASSET,
          value: (HAIRCUT_INIT - HAIRCUT_STEP).toString(),
        },
        {
          target: targetAddr,
          name: "debtCeiling",
          subject: ZeroAddress,
          value: (CEILING_INIT + 1n).toString(),
        },
      ]);
      const salt = id("proposal-1");
      await timelock
        .connect(proposer)
        .scheduleBatch(batch.targets, batch.values, batch.payloads, ZeroHash, salt, MIN_DELAY);
      await networkHelpers.time.increase(MIN_DELAY);
      await expect(
        timelock.connect(proposer).executeBatch(batch.targets, batch.values, batch.payloads, ZeroHash, salt),
      )
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT, HAIRCUT_INIT - HAIRCUT_STEP, timelockAddr)
        .and.to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT, CEILING_INIT + 1n, timelockAddr);
      expect(await haircut()).to.equal(HAIRCUT_INIT - HAIRCUT_STEP);
      expect(await ceiling()).to.equal(CEILING_INIT + 1n);
    });

    it("a batch cannot chain two max steps on one parameter in one block", async function () {
      const { riskConfig, viaTimelock, targetAddr, haircut } = await deploy();
      const data = riskConfig.interface.encodeFunctionData("setParams", [
        [targetAddr, targetAddr],
        [HAIRCUT, HAIRCUT],
        [ASSET, ASSET],
        [HAIRCUT_INIT - HAIRCUT_STEP, HAIRCUT_INIT - 2n * HAIRCUT_STEP],
      ]);
      await expect(viaTimelock(data))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__AlreadyUpdatedThisBlock")
        .withArgs(targetAddr, HAIRCUT, ASSET);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });
  });

  describe("setParam authorization", function () {
    it("rejects the same call from any EOA that is not guardian (stranger, registrar, timelock proposer)", async function () {
      const { riskConfig, targetAddr, stranger, deployer, proposer, haircut } = await deploy();
      for (const caller of [stranger, deployer, proposer]) {
        await expect(
          riskConfig.connect(caller).setParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT - HAIRCUT_STEP),
        )
          .to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized")
          .withArgs(caller.address);
        await expect(
          riskConfig.connect(caller).setParams([targetAddr], [HAIRCUT], [ASSET], [HAIRCUT_INIT + 1n]),
        ).to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized");
      }
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });

    it("no one but the timelock can hand out roles", async function () {
      const { riskConfig, stranger, deployer, guardian } = await deploy();
      const gov = await riskConfig.GOVERNOR_ROLE();
      for (const caller of [deployer, guardian]) {
        await expect(riskConfig.connect(caller).grantRole(gov, caller.address))
          .to.be.revertedWithCustomError(riskConfig, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, await riskConfig.DEFAULT_ADMIN_ROLE());
      }
      expect(await riskConfig.hasRole(gov, stranger.address)).to.equal(false);
    });
  });

  describe("guardian", function () {
    it("tightens at once, both directions of safety", async function () {
      const { riskConfig, target, targetAddr, guardian, haircut, ceiling } = await deploy();
      const tighterHaircut = HAIRCUT_INIT + HAIRCUT_STEP;
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET, tighterHaircut))
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT, tighterHaircut, guardian.address)
        .and.to.emit(target, "ParamSet")
        .withArgs(HAIRCUT, ASSET, tighterHaircut);
      expect(await haircut()).to.equal(tighterHaircut);

      const lowerCeiling = CEILING_INIT - CEILING_STEP;
      await expect(riskConfig.connect(guardian).setParam(targetAddr, DEBT_CEILING, ZeroAddress, lowerCeiling))
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT, lowerCeiling, guardian.address);
      expect(await ceiling()).to.equal(lowerCeiling);
      expect(await riskConfig.lastUpdateBlockOf(targetAddr, DEBT_CEILING, ZeroAddress)).to.be.greaterThan(0n);
    });

    it("tightens again in the next block", async function () {
      const { riskConfig, targetAddr, guardian, haircut } = await deploy();
      await riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT + HAIRCUT_STEP);
      await riskConfig
        .connect(guardian)
        .setParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT + 2n * HAIRCUT_STEP);
      expect(await haircut()).to.equal(HAIRCUT_INIT + 2n * HAIRCUT_STEP);
    });

    it("cannot loosen, even by one unit", async function () {
      const { riskConfig, targetAddr, guardian, haircut, ceiling } = await deploy();
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT - 1n))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__GuardianCannotLoosen")
        .withArgs(HAIRCUT, ASSET, HAIRCUT_INIT, HAIRCUT_INIT - 1n);
      await expect(
        riskConfig.connect(guardian).setParam(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT + 1n),
      )
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__GuardianCannotLoosen")
        .withArgs(DEBT_CEILING, ZeroAddress, CEILING_INIT, CEILING_INIT + 1n);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      expect(await ceiling()).to.equal(CEILING_INIT);
    });

    it("cannot step further than maxStep, even when tightening", async function () {
      const { riskConfig, targetAddr, guardian, haircut } = await deploy();
      const requested = HAIRCUT_INIT + HAIRCUT_STEP + 1n;
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET, requested))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__StepTooLarge")
        .withArgs(HAIRCUT, ASSET, HAIRCUT_INIT, requested, HAIRCUT_STEP);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });

    it("setting the current value is a no-op that passes and emits nothing", async function () {
      const { riskConfig, target, targetAddr, guardian, haircut } = await deploy();
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT))
        .to.not.emit(riskConfig, "ParamUpdated")
        .and.to.not.emit(target, "ParamSet");
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      expect(await riskConfig.lastUpdateBlockOf(targetAddr, HAIRCUT, ASSET)).to.equal(0n);
    });

    it("cannot register parameters", async function () {
      const { riskConfig, targetAddr, guardian } = await deploy();
      await expect(
        riskConfig.connect(guardian).registerParam(targetAddr, HAIRCUT, ASSET2, WAD / 2n, HAIRCUT_STEP, true),
      )
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized")
        .withArgs(guardian.address);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2)).registered).to.equal(false);
    });
  });

  describe("hard bounds and unknown parameters", function () {
    it("bubbles the target's ParamTarget__OutOfBounds on update", async function () {
      const { riskConfig, target, targetAddr, guardian } = await deploy();
      const near = (88n * WAD) / 100n; // 0.88, max 0.90
      await riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, near, HAIRCUT_STEP, true);
      const beyond = (91n * WAD) / 100n;
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET2, beyond))
        .to.be.revertedWithCustomError(target, "ParamTarget__OutOfBounds")
        .withArgs(HAIRCUT, ASSET2, beyond, WAD / 100n, (90n * WAD) / 100n);
      expect(await target.getParam(HAIRCUT, ASSET2)).to.equal(near);
      // The bound itself is reachable.
      await riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET2, (90n * WAD) / 100n);
      expect(await target.getParam(HAIRCUT, ASSET2)).to.equal((90n * WAD) / 100n);
    });

    it("bubbles ParamTarget__OutOfBounds on registration and stores no rule", async function () {
      const { riskConfig, target, targetAddr } = await deploy();
      await expect(riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, WAD / 200n, HAIRCUT_STEP, true))
        .to.be.revertedWithCustomError(target, "ParamTarget__OutOfBounds")
        .withArgs(HAIRCUT, ASSET2, WAD / 200n, WAD / 100n, (90n * WAD) / 100n);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2)).registered).to.equal(false);
      expect(await target.getParam(HAIRCUT, ASSET2)).to.equal(0n);
    });

    it("bubbles the target's ParamTarget__UnknownParam for a name it does not know", async function () {
      const { riskConfig, target, targetAddr } = await deploy();
      const bogus = encodeBytes32String("bogus");
      await expect(riskConfig.registerParam(targetAddr, bogus, ZeroAddress, 1n, 1n, true))
        .to.be.revertedWithCustomError(target, "ParamTarget__UnknownParam")
        .withArgs(bogus, ZeroAddress);
      expect((await riskConfig.ruleOf(targetAddr, bogus, ZeroAddress)).registered).to.equal(false);
    });

    it("rejects updates and views of an unregistered parameter", async function () {
      const { riskConfig, targetAddr, guardian, target } = await deploy();
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET2, WAD / 2n))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__UnknownParam")
        .withArgs(targetAddr, HAIRCUT, ASSET2);
      await expect(riskConfig.isTightening(targetAddr, HAIRCUT, ASSET2, WAD / 2n))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__UnknownParam")
        .withArgs(targetAddr, HAIRCUT, ASSET2);
      expect(await target.getParam(HAIRCUT, ASSET2)).to.equal(0n);
    });
  });

  describe("registration", function () {
    it("rejects a duplicate, a zero target and a zero max step", async function () {
      const { riskConfig, targetAddr, haircut } = await deploy();
      await expect(riskConfig.registerParam(targetAddr, HAIRCUT, ASSET, WAD / 10n, HAIRCUT_STEP, true))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__AlreadyRegistered")
        .withArgs(targetAddr, HAIRCUT, ASSET);
      await expect(
        riskConfig.registerParam(ZeroAddress, HAIRCUT, ASSET2, WAD / 10n, HAIRCUT_STEP, true),
      ).to.be.revertedWithCustomError(riskConfig, "RiskConfig__ZeroAddress");
      await expect(riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, WAD / 10n, 0n, true))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__ZeroMaxStep")
        .withArgs(targetAddr, HAIRCUT, ASSET2);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      const rule = await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET);
      expect([rule.maxStep, rule.higherIsSafer]).to.deep.equal([HAIRCUT_STEP, true]);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2)).registered).to.equal(false);
    });

    it("the governor cannot re-register either (rules are fixed)", async function () {
      const { riskConfig, viaTimelock, targetAddr, haircut } = await deploy();
      const data = riskConfig.interface.encodeFunctionData("registerParam", [
        targetAddr,
        HAIRCUT,
        ASSET,
        WAD / 10n,
        WAD,
        false,
      ]);
      await expect(viaTimelock(data)).to.be.revertedWithCustomError(
        riskConfig,
        "RiskConfig__AlreadyRegistered",
      );
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });

    it("a renounced registrar cannot register; only the governor can", async function () {
      const { riskConfig, deployer, targetAddr, viaTimelock, target, timelockAddr } = await deploy();
      const reg = await riskConfig.REGISTRAR_ROLE();
      await expect(riskConfig.renounceRegistrar())
        .to.emit(riskConfig, "RoleRevoked")
        .withArgs(reg, deployer.address, deployer.address);
      expect(await riskConfig.hasRole(reg, deployer.address)).to.equal(false);

      await expect(riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, WAD / 2n, HAIRCUT_STEP, true))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized")
        .withArgs(deployer.address);
      await expect(riskConfig.renounceRegistrar())
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized")
        .withArgs(deployer.address);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2)).registered).to.equal(false);

      const data = riskConfig.interface.encodeFunctionData("registerParam", [
        targetAddr,
        HAIRCUT,
        ASSET2,
        WAD / 2n,
        HAIRCUT_STEP,
        true,
      ]);
      await expect(viaTimelock(data))
        .to.emit(riskConfig, "ParamRegistered")
        .withArgs(targetAddr, HAIRCUT, ASSET2, WAD / 2n, HAIRCUT_STEP, true);
      expect(await target.getParam(HAIRCUT, ASSET2)).to.equal(WAD / 2n);
      expect(await riskConfig.hasRole(await riskConfig.GOVERNOR_ROLE(), timelockAddr)).to.equal(true);
    });

    it("the timelock can revoke the registrar, and no one can ever grant it again", async function () {
      const { riskConfig, deployer, timelockAddr, viaTimelock, targetAddr } = await deploy();
      const reg = await riskConfig.REGISTRAR_ROLE();
      await viaTimelock(riskConfig.interface.encodeFunctionData("revokeRole", [reg, deployer.address]));
      expect(await riskConfig.hasRole(reg, deployer.address)).to.equal(false);
      await expect(
        riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, WAD / 2n, HAIRCUT_STEP, true),
      ).to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized");

      await expect(viaTimelock(riskConfig.interface.encodeFunctionData("grantRole", [reg, deployer.address])))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized")
        .withArgs(timelockAddr);
      expect(await riskConfig.hasRole(reg, deployer.address)).to.equal(false);
    });
  });

  describe("setParams batch", function () {
    it("applies several changes by the guardian", async function () {
      const { riskConfig, targetAddr, guardian, haircut, ceiling } = await deploy();
      await expect(
        riskConfig
          .connect(guardian)
          .setParams(
            [targetAddr, targetAddr],
            [HAIRCUT, DEBT_CEILING],
            [ASSET, ZeroAddress],
            [HAIRCUT_INIT + 1n, CEILING_INIT - 1n],
          ),
      )
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT, CEILING_INIT - 1n, guardian.address);
      expect(await haircut()).to.equal(HAIRCUT_INIT + 1n);
      expect(await ceiling()).to.equal(CEILING_INIT - 1n);
    });

    it("rejects arrays of different lengths", async function () {
      const { riskConfig, targetAddr, guardian, haircut } = await deploy();
      const cases: [string[], string[], string[], bigint[]][] = [
        [[targetAddr], [HAIRCUT, HAIRCUT], [ASSET], [HAIRCUT_INIT + 1n]],
        [[targetAddr], [HAIRCUT], [], [HAIRCUT_INIT + 1n]],
        [[targetAddr], [HAIRCUT], [ASSET], [HAIRCUT_INIT + 1n, 1n]],
        [[targetAddr, targetAddr], [HAIRCUT], [ASSET], [HAIRCUT_INIT + 1n]],
      ];
      for (const [t, n, s, v] of cases) {
        await expect(riskConfig.connect(guardian).setParams(t, n, s, v)).to.be.revertedWithCustomError(
          riskConfig,
          "RiskConfig__LengthMismatch",
        );
      }
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });

    it("is all or nothing: one loosening entry from the guardian reverts the whole batch", async function () {
      const { riskConfig, targetAddr, guardian, haircut, ceiling } = await deploy();
      await expect(
        riskConfig
          .connect(guardian)
          .setParams(
            [targetAddr, targetAddr],
            [HAIRCUT, DEBT_CEILING],
            [ASSET, ZeroAddress],
            [HAIRCUT_INIT + 1n, CEILING_INIT + 1n],
          ),
      )
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__GuardianCannotLoosen")
        .withArgs(DEBT_CEILING, ZeroAddress, CEILING_INIT, CEILING_INIT + 1n);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      expect(await ceiling()).to.equal(CEILING_INIT);
    });

    it("rejects the same parameter twice in one guardian batch", async function () {
      const { riskConfig, targetAddr, guardian, haircut } = await deploy();
      await expect(
        riskConfig
          .connect(guardian)
          .setParams(
            [targetAddr, targetAddr],
            [HAIRCUT, HAIRCUT],
            [ASSET, ASSET],
            [HAIRCUT_INIT + HAIRCUT_STEP, HAIRCUT_INIT + 2n * HAIRCUT_STEP],
          ),
      )
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__AlreadyUpdatedThisBlock")
        .withArgs(targetAddr, HAIRCUT, ASSET);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
    });
  });

  describe("governance-only parameters", function () {
    // the haircut of ASSET2 registered governance-only: no direction is safe, only the timelock moves it
    const GOV_INIT = (40n * WAD) / 100n;

    async function deployWithGovernanceOnly() {
      const f = await deploy();
      await f.riskConfig.registerGovernanceOnlyParam(f.targetAddr, HAIRCUT, ASSET2, GOV_INIT, HAIRCUT_STEP);
      const govValue = () => f.target.getParam(HAIRCUT, ASSET2);
      return { ...f, govValue };
    }

    it("registers with its own event and rule, by the registrar or governor only, once", async function () {
      const { riskConfig, target, targetAddr, guardian, stranger } = await deploy();
      for (const caller of [guardian, stranger]) {
        await expect(
          riskConfig
            .connect(caller)
            .registerGovernanceOnlyParam(targetAddr, HAIRCUT, ASSET2, GOV_INIT, HAIRCUT_STEP),
        )
          .to.be.revertedWithCustomError(riskConfig, "RiskConfig__NotAuthorized")
          .withArgs(caller.address);
      }
      await expect(riskConfig.registerGovernanceOnlyParam(targetAddr, HAIRCUT, ASSET2, GOV_INIT, 0n))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__ZeroMaxStep")
        .withArgs(targetAddr, HAIRCUT, ASSET2);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2)).registered).to.equal(false);

      await expect(
        riskConfig.registerGovernanceOnlyParam(targetAddr, HAIRCUT, ASSET2, GOV_INIT, HAIRCUT_STEP),
      )
        .to.emit(riskConfig, "GovernanceOnlyParamRegistered")
        .withArgs(targetAddr, HAIRCUT, ASSET2, GOV_INIT, HAIRCUT_STEP)
        .and.to.emit(target, "ParamSet")
        .withArgs(HAIRCUT, ASSET2, GOV_INIT)
        .and.to.not.emit(riskConfig, "ParamRegistered");
      const rule = await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET2);
      expect([rule.maxStep, rule.higherIsSafer, rule.registered, rule.governanceOnly]).to.deep.equal([
        HAIRCUT_STEP,
        false,
        true,
        true,
      ]);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET)).governanceOnly).to.equal(false);
      // a rule of either kind cannot be registered again, of either kind
      await expect(riskConfig.registerParam(targetAddr, HAIRCUT, ASSET2, GOV_INIT, HAIRCUT_STEP, true))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__AlreadyRegistered")
        .withArgs(targetAddr, HAIRCUT, ASSET2);
      await expect(riskConfig.registerGovernanceOnlyParam(targetAddr, HAIRCUT, ASSET, GOV_INIT, HAIRCUT_STEP))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__AlreadyRegistered")
        .withArgs(targetAddr, HAIRCUT, ASSET);
      expect((await riskConfig.ruleOf(targetAddr, HAIRCUT, ASSET)).governanceOnly).to.equal(false);
      expect(await target.getParam(HAIRCUT, ASSET)).to.equal(HAIRCUT_INIT);
    });

    it("the guardian cannot move it either way, by any step, alone or in a batch", async function () {
      const { riskConfig, target, targetAddr, guardian, govValue, haircut } =
        await deployWithGovernanceOnly();
      for (const requested of [
        GOV_INIT + 1n,
        GOV_INIT + HAIRCUT_STEP,
        GOV_INIT - 1n,
        GOV_INIT - HAIRCUT_STEP,
      ]) {
        await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET2, requested))
          .to.be.revertedWithCustomError(riskConfig, "RiskConfig__GovernanceOnly")
          .withArgs(HAIRCUT, ASSET2, GOV_INIT, requested);
      }
      // the reason is named before the step check
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET2, GOV_INIT * 2n))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__GovernanceOnly")
        .withArgs(HAIRCUT, ASSET2, GOV_INIT, GOV_INIT * 2n);
      // all or nothing: the haircut of ASSET (a tightening the guardian may make) is not applied
      await expect(
        riskConfig
          .connect(guardian)
          .setParams(
            [targetAddr, targetAddr],
            [HAIRCUT, HAIRCUT],
            [ASSET, ASSET2],
            [HAIRCUT_INIT + 1n, GOV_INIT + 1n],
          ),
      )
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__GovernanceOnly")
        .withArgs(HAIRCUT, ASSET2, GOV_INIT, GOV_INIT + 1n);
      expect(await govValue()).to.equal(GOV_INIT);
      expect(await haircut()).to.equal(HAIRCUT_INIT);
      expect(await riskConfig.lastUpdateBlockOf(targetAddr, HAIRCUT, ASSET2)).to.equal(0n);
      expect(await riskConfig.lastUpdateBlockOf(targetAddr, HAIRCUT, ASSET)).to.equal(0n);
      // the current value again is still a no-op (nothing changes, nothing is emitted)
      await expect(riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET2, GOV_INIT))
        .to.not.emit(riskConfig, "ParamUpdated")
        .and.to.not.emit(target, "ParamSet");
      expect(await govValue()).to.equal(GOV_INIT);
    });

    it("the timelock moves it both ways, by at most its max step", async function () {
      const { riskConfig, target, targetAddr, timelockAddr, viaTimelock, setParamData, govValue } =
        await deployWithGovernanceOnly();
      const up = GOV_INIT + HAIRCUT_STEP;
      await expect(viaTimelock(setParamData(HAIRCUT, ASSET2, up)))
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, HAIRCUT, ASSET2, GOV_INIT, up, timelockAddr)
        .and.to.emit(target, "ParamSet")
        .withArgs(HAIRCUT, ASSET2, up);
      expect(await govValue()).to.equal(up);
      await expect(viaTimelock(setParamData(HAIRCUT, ASSET2, GOV_INIT)))
        .to.emit(riskConfig, "ParamUpdated")
        .withArgs(targetAddr, HAIRCUT, ASSET2, up, GOV_INIT, timelockAddr);
      expect(await govValue()).to.equal(GOV_INIT);
      const tooFar = GOV_INIT - HAIRCUT_STEP - 1n;
      await expect(viaTimelock(setParamData(HAIRCUT, ASSET2, tooFar)))
        .to.be.revertedWithCustomError(riskConfig, "RiskConfig__StepTooLarge")
        .withArgs(HAIRCUT, ASSET2, GOV_INIT, tooFar, HAIRCUT_STEP);
      expect(await govValue()).to.equal(GOV_INIT);
    });

    it("isTightening: only the current value does not loosen", async function () {
      const { riskConfig, targetAddr } = await deployWithGovernanceOnly();
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET2, GOV_INIT)).to.equal(true);
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET2, GOV_INIT + 1n)).to.equal(false);
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET2, GOV_INIT - 1n)).to.equal(false);
    });

    it("the deployment registers MODE, EWMA_LAMBDA_WAD and RAMP_WAD_PER_HOUR governance-only", async function () {
      const { ethers, networkHelpers } = await network.create();
      const [deployer, guardian] = await ethers.getSigners();
      const params = loadDeployParams(paramsPathFor("maker-2020")); // static mode
      const sys = await deploySystem(ethers, params, {
        guardian: guardian.address,
        keepDeployerAsProposer: true,
      });
      const mm = await sys.marginModel.getAddress();
      const rc = sys.riskConfig;
      const weth = sys.assets[0].address;
      for (const { address } of sys.assets) {
        for (const name of ["MODE", "EWMA_LAMBDA_WAD", "RAMP_WAD_PER_HOUR"]) {
          const rule = await rc.ruleOf(mm, b32(name), address);
          expect([rule.registered, rule.governanceOnly], name).to.deep.equal([true, true]);
        }
        const haircutBase = await rc.ruleOf(mm, b32("HAIRCUT_BASE_WAD"), address);
        expect([haircutBase.higherIsSafer, haircutBase.governanceOnly]).to.deep.equal([true, false]);
      }
      // the audit's moves: static -> dynamic (the maintenance would jump to the volatility
      // target), lambda up to 0.99, the ramp down to its floor
      const before = await sys.marginModel.riskOf(weth);
      const moves: Array<[string, bigint, bigint]> = [
        ["MODE", 0n, 1n],
        ["EWMA_LAMBDA_WAD", 94n * 10n ** 16n, 99n * 10n ** 16n],
        ["RAMP_WAD_PER_HOUR", 2n * 10n ** 16n, 10n ** 14n],
      ];
      for (const [name, current, requested] of moves) {
        await expect(rc.connect(guardian).setParam(mm, b32(name), weth, requested))
          .to.be.revertedWithCustomError(rc, "RiskConfig__GovernanceOnly")
          .withArgs(b32(name), weth, current, requested);
        expect(await sys.marginModel.getParam(b32(name), weth)).to.equal(current);
      }
      expect(await sys.marginModel.riskOf(weth)).to.deep.equal(before);
      // the guardian still tightens a directional parameter
      const haircutBase = await sys.marginModel.getParam(b32("HAIRCUT_BASE_WAD"), weth);
      await rc.connect(guardian).setParam(mm, b32("HAIRCUT_BASE_WAD"), weth, haircutBase + 1n);
      expect(await sys.marginModel.getParam(b32("HAIRCUT_BASE_WAD"), weth)).to.equal(haircutBase + 1n);

      // the timelock switches the mode (public for the delay first)
      const data = rc.interface.encodeFunctionData("setParam", [mm, b32("MODE"), weth, 1n]);
      const rcAddr = await rc.getAddress();
      const delay = await sys.timelock.getMinDelay();
      await sys.timelock.connect(deployer).schedule(rcAddr, 0n, data, ZeroHash, ZeroHash, delay);
      await networkHelpers.time.increase(delay);
      await expect(sys.timelock.connect(deployer).execute(rcAddr, 0n, data, ZeroHash, ZeroHash))
        .to.emit(rc, "ParamUpdated")
        .withArgs(mm, b32("MODE"), weth, 0n, 1n, await sys.timelock.getAddress());
      expect(await sys.marginModel.modeOf(weth)).to.equal(1n);
    });
  });

  describe("isTightening", function () {
    it("follows the safe direction of each parameter and reads the live value", async function () {
      const { riskConfig, targetAddr, guardian } = await deploy();
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT + 1n)).to.equal(true);
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT)).to.equal(true);
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT - 1n)).to.equal(false);
      expect(
        await riskConfig.isTightening(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT - 1n),
      ).to.equal(true);
      expect(
        await riskConfig.isTightening(targetAddr, DEBT_CEILING, ZeroAddress, CEILING_INIT + 1n),
      ).to.equal(false);

      await riskConfig.connect(guardian).setParam(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT + HAIRCUT_STEP);
      expect(await riskConfig.isTightening(targetAddr, HAIRCUT, ASSET, HAIRCUT_INIT + 1n)).to.equal(false);
    });
  });
});
