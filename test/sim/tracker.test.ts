/**
 * The tracker's hand-rolled AccountLens codec (the laboratory's hot path) against ethers' ABI
 * coder: the same calldata for any accounts, the same values for any Health structs (signed PnL,
 * extremes), and a clear error on return data that does not match the request. No chain.
 */
import { expect } from "chai";
import fc from "fast-check";

import { AccountLens__factory } from "../../types/ethers-contracts/index.js";
import {
  HEALTH_OF_SELECTOR,
  addressWord,
  decodeHealths,
  healthOfCalldata,
} from "../../simulations/world/tracker.js";

const iface = AccountLens__factory.createInterface();
const U256 = (1n << 256n) - 1n;
const I256_MIN = -(1n << 255n);
const I256_MAX = (1n << 255n) - 1n;

const address = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => `0x${Buffer.from(b).toString("hex")}`);
const u256 = fc.oneof(fc.bigInt({ min: 0n, max: U256 }), fc.constantFrom(0n, 1n, 10n ** 18n, U256));
const i256 = fc.oneof(
  fc.bigInt({ min: I256_MIN, max: I256_MAX }),
  fc.constantFrom(I256_MIN, -1n, 0n, I256_MAX),
);
const health = fc.record({
  weightedCollateralWad: u256,
  creditWad: u256,
  debtWad: u256,
  pnlWad: i256,
  requirementWad: u256,
  equityWad: i256,
  healthFactorWad: u256,
  pricesOk: fc.boolean(),
});

describe("simulation tracker: AccountLens codec", function () {
  it("the selector is AccountLens.healthOf", function () {
    expect(HEALTH_OF_SELECTOR).to.equal(iface.getFunction("healthOf").selector);
  });

  it("encodes healthOf(accounts, false) byte for byte like ethers", function () {
    fc.assert(
      fc.property(fc.array(address, { maxLength: 40 }), (accounts) => {
        const expected = iface.encodeFunctionData("healthOf", [accounts, false]);
        expect(healthOfCalldata(accounts.map(addressWord))).to.equal(expected);
        // checksummed or not, the word is the same
        if (accounts.length > 0)
          expect(addressWord(accounts[0].toUpperCase().replace("0X", "0x"))).to.equal(
            addressWord(accounts[0]),
          );
      }),
      { numRuns: 200 },
    );
  });

  it("decodes healthOf's return data to ethers' values", function () {
    fc.assert(
      fc.property(fc.array(health, { maxLength: 30 }), (hs) => {
        const raw = iface.encodeFunctionResult("healthOf", [hs]);
        const ours = decodeHealths(raw, hs.length);
        const theirs = iface.decodeFunctionResult("healthOf", raw)[0] as unknown as Array<
          Record<string, bigint>
        >;
        expect(ours).to.have.length(hs.length);
        ours.forEach((h, k) => {
          for (const f of [
            "weightedCollateralWad",
            "creditWad",
            "debtWad",
            "pnlWad",
            "requirementWad",
            "healthFactorWad",
          ] as const) {
            expect(h[f], f).to.equal(theirs[k][f]);
            expect(h[f], f).to.equal(hs[k][f]);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it("refuses return data that does not answer the request", function () {
    const one = {
      weightedCollateralWad: 1n,
      creditWad: 2n,
      debtWad: 3n,
      pnlWad: -4n,
      requirementWad: 5n,
      equityWad: 6n,
      healthFactorWad: 7n,
      pricesOk: true,
    };
    const raw = iface.encodeFunctionResult("healthOf", [[one, one]]);
    expect(decodeHealths(raw, 2).map((h) => h.pnlWad)).to.deep.equal([-4n, -4n]);
    expect(() => decodeHealths(raw, 3)).to.throw("2 results for 3 accounts");
    expect(() => decodeHealths(raw.slice(0, -64), 2)).to.throw("2 results for 2 accounts");
    expect(() => decodeHealths("0x", 0)).to.throw("unexpected return data");
  });
});
