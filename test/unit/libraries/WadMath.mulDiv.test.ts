import { expect } from "chai";
import fc from "fast-check";
import { network } from "hardhat";

import type { WadMathHarness } from "../../../types/ethers-contracts/index.js";

const MAX = 2n ** 256n - 1n;
const RUNS = Number(process.env.FC_RUNS_DIFF ?? 60);
const SEED = Number(process.env.FC_SEED ?? 42);

/** floor / ceil of x * y / d on bigints, or null when it does not fit in 256 bits. */
function reference(x: bigint, y: bigint, d: bigint, up: boolean): bigint | null {
  const q = (x * y) / d;
  const r = up && (x * y) % d !== 0n ? q + 1n : q;
  return r > MAX ? null : r;
}

/** The fast path of WadMath.mulDivDown/Up must give exactly OpenZeppelin's Math.mulDiv. */
describe("WadMath.mulDiv (fast path when the product fits in 256 bits)", function () {
  async function deploy(): Promise<WadMathHarness> {
    const { ethers } = await network.create();
    return (await ethers.deployContract("WadMathHarness")) as unknown as WadMathHarness;
  }

  async function expectSame(h: WadMathHarness, x: bigint, y: bigint, d: bigint) {
    for (const up of [false, true]) {
      const ref = reference(x, y, d, up);
      const call = up ? h.mulDivUp(x, y, d) : h.mulDivDown(x, y, d);
      if (ref === null) {
        // the result does not fit: both revert with OpenZeppelin's overflow panic
        await expect(call).to.be.revertedWithPanic(0x11);
        await expect(h.ozMulDiv(x, y, d, up)).to.be.revertedWithPanic(0x11);
      } else {
        expect(await call, `${up ? "up" : "down"} ${x} * ${y} / ${d}`).to.equal(ref);
        expect(await h.ozMulDiv(x, y, d, up)).to.equal(ref);
      }
    }
  }

  it("matches at the 256-bit product boundary, for zero operands and for an overflowing result", async function () {
    const h = await deploy();
    const two128 = 2n ** 128n;
    const cases: [bigint, bigint, bigint][] = [
      [0n, MAX, 7n], // x == 0 takes the fast path without dividing by x
      [MAX, 0n, 7n],
      [two128 - 1n, two128 + 1n, 3n], // product 2^256 - 1: the largest that fits
      [two128 - 1n, two128 + 1n, MAX], // quotient 1, no remainder
      [two128, two128, 2n ** 129n], // product 2^256: just overflows, 512-bit path, result 2^127
      [two128, two128 + 1n, 3n], // 512-bit path with a remainder
      [MAX, MAX, MAX], // 512-bit path, exact
      [MAX, 2n, 1n], // result does not fit
      [10n ** 30n, 3n * 10n ** 21n, 10n ** 18n], // an in-range WAD product
      [7n, 3n, 2n], // 21 / 2: floor 10, ceil 11
    ];
    for (const [x, y, d] of cases) await expectSame(h, x, y, d);
  });

  it("a zero divisor panics with division by zero on both paths", async function () {
    const h = await deploy();
    for (const [x, y] of [
      [3n, 5n],
      [MAX, MAX],
    ] as const) {
      await expect(h.mulDivDown(x, y, 0n)).to.be.revertedWithPanic(0x12);
      await expect(h.mulDivUp(x, y, 0n)).to.be.revertedWithPanic(0x12);
      await expect(h.ozMulDiv(x, y, 0n, true)).to.be.revertedWithPanic(0x12);
    }
  });

  it("matches on random operands of every size (both paths)", async function () {
    const h = await deploy();
    const word = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 64n }),
      fc.bigInt({ min: 0n, max: 2n ** 128n }),
      fc.bigInt({ min: 0n, max: MAX }),
    );
    await fc.assert(
      fc.asyncProperty(word, word, fc.bigInt({ min: 1n, max: MAX }), async (x, y, d) =>
        expectSame(h, x, y, d),
      ),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
