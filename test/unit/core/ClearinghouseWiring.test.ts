/**
 * How the Clearinghouse is wired: its vault, liquidation engine and auction are immutables fixed
 * at construction (their addresses predicted at deployment, scripts/deploy/system.ts), and its two
 * delegatecall modules must carry the same immutables (they run as the Clearinghouse).
 */
import { expect } from "chai";

import { deployLedger, NO_AUCTION, NO_LIQUIDATION_ENGINE, ZERO } from "../../helpers/ledger.js";
import { deployLab } from "../../helpers/system.js";

describe("Clearinghouse wiring", function () {
  it("holds the deployed engine and auction, which hold it back", async function () {
    const { sys, ch, chAddr, ethers } = await deployLab();
    const engineAddr = await sys.engine.getAddress();
    const auctionAddr = await sys.auction.getAddress();
    expect(await ch.liquidationEngine()).to.equal(engineAddr);
    expect(await ch.auction()).to.equal(auctionAddr);
    expect(await ch.vault()).to.equal(await sys.vault.getAddress());
    expect(await sys.engine.clearinghouse()).to.equal(chAddr);
    expect(await sys.auction.sink()).to.equal(chAddr);
    expect(await sys.stablecoin.minter()).to.equal(chAddr);
    for (const moduleAddr of [await ch.liquidationModule(), await ch.settlementModule()]) {
      const m = await ethers.getContractAt("ClearinghouseLiquidation", moduleAddr);
      expect(await m.liquidationEngine(), moduleAddr).to.equal(engineAddr);
      expect(await m.auction(), moduleAddr).to.equal(auctionAddr);
    }
  });

  describe("construction", function () {
    async function ledgerWiring() {
      const l = await deployLedger();
      const wiring = {
        stablecoin: await l.stablecoin.getAddress(),
        oracle: await l.oracle.getAddress(),
        marginModel: await l.margin.getAddress(),
        riskConfig: l.risk.address,
        governance: l.gov.address,
        vault: await l.vault.getAddress(),
        liquidationEngine: NO_LIQUIDATION_ENGINE,
        auction: NO_AUCTION,
      };
      return { l, wiring };
    }
    type Field = keyof Awaited<ReturnType<typeof ledgerWiring>>["wiring"];
    const FIELDS: Field[] = [
      "stablecoin",
      "oracle",
      "marginModel",
      "riskConfig",
      "governance",
      "vault",
      "liquidationEngine",
      "auction",
    ];

    it("refuses any zero address", async function () {
      const { l, wiring } = await ledgerWiring();
      for (const name of ["ClearinghouseLiquidation", "ClearinghouseSettlement"] as const) {
        const factory = await l.ethers.getContractFactory(name);
        for (const field of FIELDS) {
          await expect(
            l.ethers.deployContract(name, [{ ...wiring, [field]: ZERO }]),
            `${name} with a zero ${field}`,
          ).to.be.revertedWithCustomError(factory, "Clearinghouse__ZeroAddress");
        }
      }
    });

    it("refuses a module built with any other immutable, or no module at all, naming it", async function () {
      const { l, wiring } = await ledgerWiring();
      const liquidation = await l.ethers.deployContract("ClearinghouseLiquidation", [wiring]);
      const liquidationAddr = await liquidation.getAddress();
      const settlement = await l.ethers.deployContract("ClearinghouseSettlement", [wiring]);
      const settlementAddr = await settlement.getAddress();
      const factory = await l.ethers.getContractFactory("Clearinghouse");
      // any non-zero address will do as the other value: a module's constructor only checks non-zero
      const other = await l.weth.getAddress();
      for (const field of FIELDS) {
        const strayWiring = { ...wiring, [field]: other };
        const strayL = await (
          await l.ethers.deployContract("ClearinghouseLiquidation", [strayWiring])
        ).getAddress();
        const strayS = await (
          await l.ethers.deployContract("ClearinghouseSettlement", [strayWiring])
        ).getAddress();
        await expect(l.ethers.deployContract("Clearinghouse", [wiring, strayL, settlementAddr]), field)
          .to.be.revertedWithCustomError(factory, "Clearinghouse__ModuleMismatch")
          .withArgs(strayL);
        await expect(l.ethers.deployContract("Clearinghouse", [wiring, liquidationAddr, strayS]), field)
          .to.be.revertedWithCustomError(factory, "Clearinghouse__ModuleMismatch")
          .withArgs(strayS);
      }
      // an address without code (here an EOA) is no module
      await expect(l.ethers.deployContract("Clearinghouse", [wiring, l.bob.address, settlementAddr]))
        .to.be.revertedWithCustomError(factory, "Clearinghouse__ModuleMismatch")
        .withArgs(l.bob.address);
      // the same modules with the same wiring are accepted
      const ch = await l.ethers.deployContract("Clearinghouse", [wiring, liquidationAddr, settlementAddr]);
      expect(await ch.liquidationModule()).to.equal(liquidationAddr);
    });
  });
});
