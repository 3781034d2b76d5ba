import { expect } from "chai";

import { WAD, deployLedger } from "../../helpers/ledger.js";

describe("AccountLens", function () {
  it("returns the same health as the Clearinghouse for many accounts in one call", async function () {
    const l = await deployLedger();
    const lens = await l.ethers.deployContract("AccountLens", [l.chAddr]);
    for (const [s, debt] of [
      [l.alice, 10_000n],
      [l.bob, 15_000n],
    ] as const) {
      await l.ch.connect(s).deposit(s.address, l.wethAddr, 10n * WAD);
      await l.ch.connect(s).borrow(s.address, debt * WAD, s.address);
    }
    const accounts = [l.alice.address, l.bob.address, l.carol.address];
    const batch = await lens.healthOf(accounts, false);
    for (let i = 0; i < accounts.length; i++) {
      const single = await l.ch.health(accounts[i], false);
      expect(batch[i].healthFactorWad).to.equal(single.healthFactorWad);
      expect(batch[i].debtWad).to.equal(single.debtWad);
    }
    expect(batch[2].healthFactorWad).to.equal(2n ** 256n - 1n); // empty account: no liabilities

    // ETH falls 20%: bob's 15,000 debt against 10 ETH * 1,600 * 0.85 = 13,600 is liquidatable
    await l.oracle.setPrice(l.wethAddr, 1_600n * WAD, true);
    expect(await lens.liquidatable(accounts)).to.deep.equal([l.bob.address]);
    const factors = await lens.healthFactors(accounts);
    expect(factors[1]).to.equal((13_600n * WAD * WAD) / (15_000n * WAD));
    const sums = await lens.summaries([l.alice.address]);
    expect(sums[0].initial.healthFactorWad < sums[0].maintenance.healthFactorWad).to.equal(true);
  });
});
