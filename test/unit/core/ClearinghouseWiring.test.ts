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
    async function ledgerArgs() {
      const l = await deployLedger();
      const args = [
        await l.stablecoin.getAddress(),
        await l.oracle.getAddress(),
        await l.margin.getAddress(),
        l.risk.address,
        l.gov.address,
        await l.vault.getAddress(),
        NO_LIQUIDATION_ENGINE,
        NO_AUCTION,
      ];
      return { l, args };
    }

    it("refuses a zero engine or auction", async function () {
      const { l, args } = await ledgerArgs();
      const module = await l.ethers.getContractFactory("ClearinghouseLiquidation");
      for (const i of [6, 7]) {
        const bad = [...args];
        bad[i] = ZERO;
        await expect(l.ethers.deployContract("ClearinghouseLiquidation", bad)).to.be.revertedWithCustomError(
          module,
          "Clearinghouse__ZeroAddress",
        );
      }
    });

    it("refuses a module built with another engine or auction, or no module at all, naming it", async function () {
      const { l, args } = await ledgerArgs();
      const settlement = await l.ethers.deployContract("ClearinghouseSettlement", args);
      const settlementAddr = await settlement.getAddress();
      const factory = await l.ethers.getContractFactory("Clearinghouse");
      for (const i of [6, 7]) {
        const other = [...args];
        other[i] = l.alice.address;
        const stray = await l.ethers.deployContract("ClearinghouseLiquidation", other);
        const strayAddr = await stray.getAddress();
        await expect(l.ethers.deployContract("Clearinghouse", [...args, strayAddr, settlementAddr]))
          .to.be.revertedWithCustomError(factory, "Clearinghouse__ModuleMismatch")
          .withArgs(strayAddr);
      }
      // an address without code (here an EOA) is no module
      await expect(l.ethers.deployContract("Clearinghouse", [...args, l.bob.address, settlementAddr]))
        .to.be.revertedWithCustomError(factory, "Clearinghouse__ModuleMismatch")
        .withArgs(l.bob.address);
      const good = await l.ethers.deployContract("ClearinghouseLiquidation", args);
      await l.ethers.deployContract("Clearinghouse", [...args, await good.getAddress(), settlementAddr]);
    });
  });
});
