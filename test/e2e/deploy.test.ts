import { expect } from "chai";
import { network } from "hardhat";
import { parseUnits } from "ethers";

import { loadDeployParams, paramsPathFor, parseDeployParams } from "../../scripts/deploy/params.js";
import { b32, deploySystem } from "../../scripts/deploy/system.js";

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
