import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import * as perp from "../../../simulations/math/perp.js";

const WAD = 10n ** 18n;
const RUNS = Number(process.env.FC_RUNS_DIFF ?? 60);
const SEED = Number(process.env.FC_SEED ?? 42);

const size = fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n });
const price = fc.bigInt({ min: 1n, max: 10n ** 24n });
// price - fundingIndex: negative once accrued funding exceeds the price
const adjusted = fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n });
const fundingStep = fc.bigInt({ min: -(10n ** 22n), max: 10n ** 22n });

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

  it("applyFill, unrealizedPnl and the signed mulWad roundings match at signed adjusted prices", async function () {
    const h = await deploy();
    await fc.assert(
      fc.asyncProperty(
        size,
        size,
        size.filter((d) => d !== 0n),
        adjusted,
        async (s, basisSeed, d, q) => {
          const basis = perp.mulWadCeil(s, q) + (basisSeed % 1000n);
          const [ns, nb, r] = await h.applyFill(s, basis, d, q);
          const m = perp.applyFill(s, basis, d, q);
          expect([ns, nb, r]).to.deep.equal([m.newSizeWad, m.newCostBasisWad, m.realizedPnlWad]);
          expect(await h.unrealizedPnl(s, basis, q)).to.equal(perp.unrealizedPnl(s, basis, q));
          expect(await h.mulWadFloor(s, q)).to.equal(perp.mulWadFloor(s, q));
          expect(await h.mulWadCeil(s, q)).to.equal(perp.mulWadCeil(s, q));
        },
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("the signed roundings bracket the exact product", function () {
    fc.assert(
      fc.property(size, adjusted, (x, y) => {
        const lo = perp.mulWadFloor(x, y);
        const hi = perp.mulWadCeil(x, y);
        // lo <= x * y / WAD <= hi, and they differ by at most one wei
        expect(lo * WAD <= x * y && x * y <= hi * WAD).to.equal(true);
        expect(hi - lo <= 1n).to.equal(true);
      }),
      { numRuns: 500, seed: SEED },
    );
  });

  it("a cost basis in funding-adjusted price realizes exactly the trading PnL minus the funding, rounded against the trader", function () {
    // Reference: funding settled explicitly, lot by lot. Over fills that end flat, the trader's
    // total (realized PnL with funding) is -sum(delta_k * (price_k - index_k)) / WAD exactly; the
    // folded accounting may lose at most a few wei per fill and may never gain.
    const fillArb = fc.record({ delta: size.filter((d) => d !== 0n), price, indexStep: fundingStep });
    fc.assert(
      fc.property(
        fc.array(fillArb, { minLength: 1, maxLength: 12 }),
        price,
        fundingStep,
        (fills, closePrice, lastStep) => {
          let sizeWad = 0n;
          let basisWad = 0n;
          let indexWad = 0n;
          let realized = 0n;
          let exactTimesWad = 0n;
          const apply = (delta: bigint, p: bigint) => {
            const q = perp.adjustedPrice(p, indexWad);
            const f = perp.applyFill(sizeWad, basisWad, delta, q);
            exactTimesWad -= delta * q;
            realized += f.realizedPnlWad;
            [sizeWad, basisWad] = [f.newSizeWad, f.newCostBasisWad];
          };
          for (const f of fills) {
            indexWad += f.indexStep;
            apply(f.delta, f.price);
          }
          indexWad += lastStep;
          // before the close, the unrealized PnL (funding included) is what the close realizes
          const unrealized = perp.unrealizedPnl(sizeWad, basisWad, perp.adjustedPrice(closePrice, indexWad));
          const before = realized;
          if (sizeWad !== 0n) apply(-sizeWad, closePrice);
          expect(sizeWad).to.equal(0n);
          expect(basisWad).to.equal(0n);
          expect(realized - before).to.equal(unrealized);
          expect(realized * WAD <= exactTimesWad, "never in the trader's favour").to.equal(true);
          const bound = 3n * BigInt(fills.length + 1) * WAD;
          expect(exactTimesWad - realized * WAD <= bound, "at most a few wei per fill").to.equal(true);
        },
      ),
      { numRuns: 500, seed: SEED },
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
        fundingStep,
        (d, p, scale, index) => {
          const open = perp.fillPrice(p, 0n, d, scale);
          const opened = perp.applyFill(0n, 0n, d, perp.adjustedPrice(open, index));
          const close = perp.fillPrice(p, d, -d, scale);
          fc.pre(open > 0n && close > 0n); // the Clearinghouse rejects a non-positive fill
          const closed = perp.applyFill(
            opened.newSizeWad,
            opened.newCostBasisWad,
            -d,
            perp.adjustedPrice(close, index),
          );
          expect(closed.newSizeWad).to.equal(0n);
          expect(closed.realizedPnlWad <= 0n).to.equal(true);
        },
      ),
      { numRuns: 500, seed: SEED },
    );
  });
});
