import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import * as perp from "../../../simulations/math/perp.js";

const WAD = 10n ** 18n;
const RUNS = Number(process.env.FC_RUNS_DIFF ?? 60);
const SEED = Number(process.env.FC_SEED ?? 42);

const size = fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n });
const price = fc.bigInt({ min: 1n, max: 10n ** 24n });

describe("PerpMath (differential: Solidity vs simulations/math/perp.ts)", function () {
  async function deploy() {
    const { ethers } = await network.create();
    return ethers.deployContract("PerpMathHarness");
  }

  it("fillPrice matches and rounds against the trader", async function () {
    const h = await deploy();
    await fc.assert(
      fc.asyncProperty(
        price,
        size,
        size.filter((d) => d !== 0n),
        fc.bigInt({ min: WAD, max: 10n ** 30n }),
        async (p, skew, d, scale) => {
          const onChain = await h.fillPrice(p, skew, d, scale);
          expect(onChain).to.equal(perp.fillPrice(p, skew, d, scale));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("applyFill and fundingOwed match", async function () {
    const h = await deploy();
    await fc.assert(
      fc.asyncProperty(
        size,
        size,
        size.filter((d) => d !== 0n),
        price,
        async (s, notionalSeed, d, p) => {
          const notional = (s * p) / WAD + (notionalSeed % 1000n);
          const [ns, nn, r] = await h.applyFill(s, notional, d, p);
          const m = perp.applyFill(s, notional, d, p);
          expect([ns, nn, r]).to.deep.equal([m.newSizeWad, m.newOpenNotionalWad, m.realizedPnlWad]);
          const owed = await h.fundingOwed(s, notionalSeed, d);
          expect(owed).to.equal(perp.fundingOwed(s, notionalSeed, d));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("accrueFunding and requirement match", async function () {
    const h = await deploy();
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: -WAD, max: WAD }),
        size,
        fc.bigInt({ min: WAD, max: 10n ** 28n }),
        fc.bigInt({ min: 0n, max: 10n * WAD }),
        fc.bigInt({ min: 0n, max: 30n * 86_400n }),
        price,
        async (rate, skew, scale, vel, elapsed, p) => {
          const [r, i] = await h.accrueFunding(rate, skew, scale, vel, elapsed, p);
          const m = perp.accrueFunding(rate, skew, scale, vel, elapsed, p);
          expect([r, i]).to.deep.equal([m.newRateWad, m.indexDeltaWad]);
          const notional = ((skew < 0n ? -skew : skew) * p) / WAD;
          const req = await h.requirement(notional, WAD / 20n, 10n ** 24n, WAD / 10n);
          expect(req).to.equal(perp.requirement(notional, WAD / 20n, 10n ** 24n, WAD / 10n));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("a round trip at one price never profits (I10)", function () {
    fc.assert(
      fc.property(
        size.filter((d) => d !== 0n),
        price,
        fc.bigInt({ min: WAD, max: 10n ** 30n }),
        (d, p, scale) => {
          const open = perp.fillPrice(p, 0n, d, scale);
          const opened = perp.applyFill(0n, 0n, d, open);
          const close = perp.fillPrice(p, d, -d, scale);
          fc.pre(open > 0n && close > 0n); // the Clearinghouse rejects a non-positive fill
          const closed = perp.applyFill(opened.newSizeWad, opened.newOpenNotionalWad, -d, close);
          expect(closed.newSizeWad).to.equal(0n);
          expect(closed.realizedPnlWad <= 0n).to.equal(true);
        },
      ),
      { numRuns: 500, seed: SEED },
    );
  });
});
