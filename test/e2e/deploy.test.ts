import { expect } from "chai";
import { network } from "hardhat";
import { ZeroAddress, ZeroHash, id, parseUnits } from "ethers";

import {
  DeployParamsError,
  loadDeployParams,
  paramsPathFor,
  parseDeployParams,
  type DeployParams,
} from "../../scripts/deploy/params.js";
import { b32, deploySystem } from "../../scripts/deploy/system.js";
import type { TimelockController } from "../../types/ethers-contracts/index.js";

/** Current holders of `role` on the timelock, from its RoleGranted history. */
async function holders(timelock: TimelockController, role: string): Promise<string[]> {
  const granted = await timelock.queryFilter(timelock.filters.RoleGranted(role));
  const out: string[] = [];
  for (const a of new Set(granted.map((e) => e.args.account)))
    if (await timelock.hasRole(role, a)) out.push(a);
  return out.sort();
}

/** The deployment error of `run`, or a failure if it deployed. */
async function refusal(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (e) {
    expect(e).to.be.instanceOf(DeployParamsError);
    return (e as Error).message;
  }
  expect.fail("expected deploySystem to refuse");
}

describe("deployment module (e2e)", function () {
  it("deploys the whole system with governance handed to the timelock", async function () {
    const { ethers, networkHelpers } = await network.create();
    const params = loadDeployParams(paramsPathFor("hardhat"));
    const sys = await deploySystem(ethers, params);
    const [deployer, alice] = await ethers.getSigners();
    const timelockAddr = await sys.timelock.getAddress();

    // governance: the timelock owns the oracle, governs the ledger; the deployer kept nothing
    expect(await sys.oracle.owner()).to.equal(timelockAddr);
    expect(await sys.clearinghouse.governance()).to.equal(timelockAddr);
    expect(await sys.timelock.getMinDelay()).to.equal(BigInt(params.timelockMinDelaySeconds));
    expect(await sys.timelock.hasRole(await sys.timelock.PROPOSER_ROLE(), deployer.address)).to.equal(false);
    // ... and the file's governance holds the timelock's roles and the guardian's
    const gov = params.governance as NonNullable<DeployParams["governance"]>;
    const tl = sys.timelock;
    const [proposerRole, executorRole, cancellerRole] = [
      await tl.PROPOSER_ROLE(),
      await tl.EXECUTOR_ROLE(),
      await tl.CANCELLER_ROLE(),
    ];
    expect(await holders(tl, proposerRole)).to.deep.equal(gov.proposers);
    expect(await holders(tl, cancellerRole)).to.deep.equal(gov.proposers);
    expect(gov.executors).to.deep.equal(["anyone"]);
    expect(await holders(tl, executorRole)).to.deep.equal([ZeroAddress]); // open execution
    expect([sys.proposers, sys.executors, sys.guardian]).to.deep.equal([
      gov.proposers,
      [ZeroAddress],
      gov.guardian,
    ]);
    for (const role of [executorRole, cancellerRole])
      expect(await tl.hasRole(role, deployer.address)).to.equal(false);
    const riskConfig = sys.riskConfig;
    expect(await riskConfig.hasRole(await riskConfig.GUARDIAN_ROLE(), gov.guardian)).to.equal(true);
    expect(await riskConfig.hasRole(await riskConfig.GUARDIAN_ROLE(), deployer.address)).to.equal(false);
    expect(await sys.breaker.guardian()).to.equal(gov.guardian);
    expect(await sys.riskConfig.hasRole(await sys.riskConfig.REGISTRAR_ROLE(), deployer.address)).to.equal(
      false,
    );
    await expect(sys.clearinghouse.connect(deployer).listCollateral(alice.address))
      .to.be.revertedWithCustomError(sys.clearinghouse, "Clearinghouse__NotGovernance")
      .withArgs(deployer.address);

    // parameters landed in the modules, through the RiskConfig
    const weth = sys.assets[0];
    const chAddr = await sys.clearinghouse.getAddress();
    expect(await sys.clearinghouse.getParam(b32("TAKER_FEE_WAD"), weth.address)).to.equal(
      parseUnits("0.001", 18),
    );
    expect(await sys.marginModel.getParam(b32("HAIRCUT_BASE_WAD"), weth.address)).to.equal(
      parseUnits("0.15", 18),
    );
    expect(await sys.marginModel.modeOf(weth.address)).to.equal(2n); // ramped
    expect(await sys.vault.totalSupply()).to.be.greaterThan(0n); // seeded against inflation

    // a user can deposit, borrow, trade and unwind on the deployed system
    await weth.token.mint(alice.address, parseUnits("10", 18));
    await weth.token.connect(alice).approve(chAddr, ethers.MaxUint256);
    await sys.clearinghouse.connect(alice).deposit(alice.address, weth.address, parseUnits("10", 18));
    await sys.clearinghouse.connect(alice).borrow(alice.address, parseUnits("5000", 18), alice.address);
    await sys.clearinghouse
      .connect(alice)
      .modifyPosition(alice.address, weth.address, parseUnits("1", 18), parseUnits("2100", 18));
    await networkHelpers.time.increase(3_600);
    await sys.clearinghouse.connect(alice).closePosition(alice.address, weth.address, 0n);
    const h = await sys.clearinghouse.health(alice.address, false);
    expect(h.pricesOk).to.equal(true);
    expect(h.healthFactorWad).to.be.greaterThan(parseUnits("1", 18));
    const debt = await sys.clearinghouse.debtOf(alice.address);
    expect(debt).to.be.greaterThan(parseUnits("5000", 18)); // fees accrued, rounded against the account

    // governance is alive: the file's proposer (a local development account) schedules a
    // loosening, anyone executes it after the delay; the deployer can no longer schedule
    const proposer = await ethers.getSigner(gov.proposers[0]);
    const ceiling = await sys.clearinghouse.getParam(b32("DEBT_CEILING_WAD"), ZeroAddress);
    const data = riskConfig.interface.encodeFunctionData("setParam", [
      chAddr,
      b32("DEBT_CEILING_WAD"),
      ZeroAddress,
      ceiling + parseUnits("1", 18),
    ]);
    const rcAddr = await riskConfig.getAddress();
    const salt = id("raise-the-ceiling");
    const delay = await tl.getMinDelay();
    await expect(tl.connect(deployer).schedule(rcAddr, 0n, data, ZeroHash, salt, delay))
      .to.be.revertedWithCustomError(tl, "AccessControlUnauthorizedAccount")
      .withArgs(deployer.address, proposerRole);
    await (await tl.connect(proposer).schedule(rcAddr, 0n, data, ZeroHash, salt, delay)).wait();
    await networkHelpers.time.increase(delay);
    await expect(tl.connect(alice).execute(rcAddr, 0n, data, ZeroHash, salt))
      .to.emit(riskConfig, "ParamUpdated")
      .withArgs(
        chAddr,
        b32("DEBT_CEILING_WAD"),
        ZeroAddress,
        ceiling,
        ceiling + parseUnits("1", 18),
        timelockAddr,
      );
    // the guardian tightens at once
    const guardian = await ethers.getSigner(gov.guardian);
    await (
      await riskConfig.connect(guardian).setParam(chAddr, b32("DEBT_CEILING_WAD"), ZeroAddress, ceiling)
    ).wait();
    expect(await sys.clearinghouse.getParam(b32("DEBT_CEILING_WAD"), ZeroAddress)).to.equal(ceiling);
  });

  it("takes proposers, executors and the guardian from the options; lab mode keeps the deployer", async function () {
    const { ethers } = await network.create();
    const signers = await ethers.getSigners();
    const [deployer, , bob, carol, dave] = signers;
    const params = loadDeployParams(paramsPathFor("hardhat"));
    const sys = await deploySystem(ethers, params, {
      proposers: [bob.address, carol.address],
      executors: [dave.address],
      guardian: carol.address,
    });
    const tl = sys.timelock;
    expect(await holders(tl, await tl.PROPOSER_ROLE())).to.deep.equal([bob.address, carol.address].sort());
    expect(await holders(tl, await tl.EXECUTOR_ROLE())).to.deep.equal([dave.address]);
    expect(await tl.hasRole(await tl.EXECUTOR_ROLE(), ZeroAddress)).to.equal(false);
    expect(await sys.breaker.guardian()).to.equal(carol.address);
    expect(await sys.riskConfig.hasRole(await sys.riskConfig.GUARDIAN_ROLE(), carol.address)).to.equal(true);
    expect(await tl.hasRole(await tl.PROPOSER_ROLE(), deployer.address)).to.equal(false);

    // lab mode (the laboratory, tests, benches): the deployer keeps its roles and is the guardian
    const lab = await deploySystem((await network.create()).ethers, params, { keepDeployerAsProposer: true });
    const labTl = lab.timelock;
    for (const role of [
      await labTl.PROPOSER_ROLE(),
      await labTl.EXECUTOR_ROLE(),
      await labTl.CANCELLER_ROLE(),
    ])
      expect(await labTl.hasRole(role, deployer.address)).to.equal(true);
    expect(
      await labTl.hasRole(await labTl.PROPOSER_ROLE(), params.governance?.proposers[0] as string),
    ).to.equal(true);
    expect([lab.guardian, await lab.breaker.guardian()]).to.deep.equal([deployer.address, deployer.address]);
  });

  it("refuses, before sending anything, a deployment nobody could govern", async function () {
    const { ethers } = await network.create();
    const [deployer, alice] = await ethers.getSigners();
    const local = loadDeployParams(paramsPathFor("hardhat"));
    const gov = local.governance as NonNullable<DeployParams["governance"]>;

    // no proposer, no executor, no guardian: the timelock would be dead after the hand-over
    const none = { ...local, governance: undefined };
    const m = await refusal(() => deploySystem(ethers, none));
    expect(m).to.contain("governance.proposers: no timelock proposer");
    expect(m).to.contain("governance.executors: no timelock executor");
    expect(m).to.contain("governance.guardian: no guardian");
    expect(await refusal(() => deploySystem(ethers, local, { proposers: [] }))).to.contain(
      "governance.proposers: no timelock proposer",
    );
    expect(await refusal(() => deploySystem(ethers, local, { proposers: [ZeroAddress] }))).to.contain(
      `governance.proposers.0: ${ZeroAddress} is not a non-zero address`,
    );

    // a network with real assets: the deployer holds no governance role, and no lab mode
    const real: DeployParams = {
      ...local,
      mocks: false,
      timelockMinDelaySeconds: 86_400,
      assets: local.assets.map((a) => ({
        ...a,
        address: alice.address,
        feed: { ...a.feed, address: alice.address },
      })),
    };
    parseDeployParams(real, "real.json"); // the file itself is fine
    const d = deployer.address;
    expect(await refusal(() => deploySystem(ethers, real, { guardian: d }))).to.contain(
      `governance.guardian: ${d} is the deployer, which is never the guardian (ADR 0001)`,
    );
    expect(await refusal(() => deploySystem(ethers, real, { proposers: [gov.proposers[0], d] }))).to.contain(
      `governance.proposers: ${d} is the deployer, which holds no governance role (ADR 0001)`,
    );
    expect(await refusal(() => deploySystem(ethers, real, { executors: [d] }))).to.contain(
      `governance.executors: ${d} is the deployer`,
    );
    expect(await refusal(() => deploySystem(ethers, real, { keepDeployerAsProposer: true }))).to.contain(
      "keepDeployerAsProposer: lab mode (the deployer keeps its timelock roles) is for mock networks only",
    );
    // every refusal came before the first transaction
    expect(await ethers.provider.getTransactionCount(d)).to.equal(0);
  });

  it("rejects a parameter file with a clear error naming the field", function () {
    const good = loadDeployParams(paramsPathFor("hardhat"));
    const bad = {
      ...good,
      assets: [{ ...good.assets[0], margin: { ...good.assets[0].margin, k: "three" } }],
    };
    expect(() => parseDeployParams(bad, "bad.json")).to.throw(
      /bad\.json: assets\.0\.margin\.k: must be a non-negative decimal/,
    );
    expect(() => loadDeployParams("/nonexistent/params.json")).to.throw(
      /deployment parameters \/nonexistent\/params\.json/,
    );
    const real = { ...good, mocks: false };
    expect(() => parseDeployParams(real, "real.json")).to.throw(
      /real\.json: assets\.0\.address: required when mocks is false/,
    );
  });
});
