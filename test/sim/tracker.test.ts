/**
 * The tracker's hand-rolled AccountLens codec (the laboratory's hot path) against ethers' ABI
 * coder: the same calldata for any accounts, the same values for any Health structs (signed PnL,
 * extremes), and a clear error on return data that does not match the request. Which accounts
 * a step reads (candidates, touched, rotation) and the pause rule, against a stub lens. No chain.
 */
import { expect } from "chai";
import fc from "fast-check";

import { AccountLens__factory } from "../../types/ethers-contracts/index.js";
import type { Chain } from "../../simulations/world/chain.js";
import type { World } from "../../simulations/world/deploy.js";
import type { Observer } from "../../simulations/world/observer.js";
import { expectClose } from "./float-close.js";
import {
  AccountTracker,
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

/**
 * A tracker of `accounts` (all on asset 0) over a stub lens (`chain`), with an observer at price
 * 1, no haircut or margin, and the perp sizes given; no rotation to speak of.
 */
function stubTracker(chain: Chain, accounts: string[], perpSize = new Map<string, number[]>()) {
  const world = {
    sys: {
      addresses: { accountLens: "0x00000000000000000000000000000000000000aa" },
      lens: { interface: iface },
    },
  } as unknown as World;
  const observer = { oraclePrice: [1], haircut: [0], marginRatio: [0], perpSize } as unknown as Observer;
  const tracker = new AccountTracker(
    world,
    chain,
    observer,
    accounts,
    accounts.map(() => 0),
    { rotateSteps: 1_000_000, pausedRereadSteps: 3 },
  );
  return { tracker, observer };
}

describe("simulation tracker: which accounts a step reads", function () {
  const WAD = 10n ** 18n;
  const accounts = [1, 2, 3, 4].map((k) => `0x${k.toString(16).padStart(40, "0")}`);

  /** A tracker over a stub lens: account k's health is health[k] (WAD debt 1, collateral = health). */
  function setup(health: number[]) {
    const reads: string[][] = [];
    const chain = {
      call: async (_to: string, data: string): Promise<string> => {
        await Promise.resolve();
        const n = Number(BigInt(`0x${data.slice(10 + 128, 10 + 192)}`));
        const asked = Array.from(
          { length: n },
          (_, k) => `0x${data.slice(10 + 192 + 64 * k + 24, 10 + 256 + 64 * k)}`,
        );
        reads.push(asked);
        const hs = asked.map((a) => {
          const h = BigInt(Math.round(health[accounts.indexOf(a)] * 1e6)) * 10n ** 12n;
          return {
            weightedCollateralWad: h,
            creditWad: 0n,
            debtWad: WAD,
            pnlWad: 0n,
            requirementWad: 0n,
            equityWad: h - WAD,
            healthFactorWad: h,
            pricesOk: true,
          };
        });
        return iface.encodeFunctionResult("healthOf", [hs]);
      },
    } as unknown as Chain;
    const { tracker } = stubTracker(chain, accounts);
    return { tracker, reads, health };
  }

  /** The accounts one step reads (the stub records every lens call). */
  async function stepReads(
    t: { tracker: AccountTracker; reads: string[][] },
    touched: string[],
    moved: boolean,
    paused = false,
  ): Promise<string[]> {
    const before = t.reads.length;
    await t.tracker.step(new Set(touched), moved, paused);
    return t.reads.slice(before).flat();
  }

  it("reads the candidates after a price move, not without one; touched accounts always", async function () {
    const t = setup([0.9, 1.2, 0.8, 2]);
    await t.tracker.refresh([0, 1, 2, 3]);
    expect(Array.from(t.tracker.health)).to.deep.equal([0.9, 1.2, 0.8, 2]);
    expect(await stepReads(t, [], false)).to.deep.equal([]);
    expect(await stepReads(t, [accounts[3]], true)).to.deep.equal([accounts[0], accounts[2], accounts[3]]);
    expect(t.tracker.readsBy).to.deep.equal({ candidates: 2, touched: 1, rotation: 0 });
  });

  it("while liquidations are paused, re-reads accounts already below 1 only every pausedRereadSteps; all when they resume", async function () {
    const t = setup([0.9, 1.2, 0.8, 2]);
    await t.tracker.refresh([0, 1, 2, 3]); // every reading at step 0
    // account 1 falls below 1 (its last reading was above): a candidate read even while paused
    t.health[1] = 0.95;
    (t.tracker as unknown as { snaps: Array<{ wc: number }> }).snaps[1].wc = 0.95;
    const seen: string[][] = [];
    for (let k = 0; k < 5; k++) seen.push(await stepReads(t, [], true, true));
    // step 0: account 1; steps 1, 2: nothing (readings younger than 3 steps); step 3: accounts 0
    // and 2 (read at step 0); step 4: account 1 (read at step 1)
    expect(seen).to.deep.equal([[accounts[1]], [], [], [accounts[0], accounts[2]], [accounts[1]]]);
    // liquidations resume: every candidate at once, price move or not; then nothing
    expect(await stepReads(t, [], false, false)).to.deep.equal([accounts[0], accounts[1], accounts[2]]);
    expect(await stepReads(t, [], false, false)).to.deep.equal([]);
    // not paused: every candidate after every price move
    expect(await stepReads(t, [], true, false)).to.deep.equal([accounts[0], accounts[1], accounts[2]]);
    expect(t.tracker.health[1]).to.equal(0.95);
  });
});

describe("simulation tracker: the estimate between readings", function () {
  const WAD = 10n ** 18n;
  const account = `0x${"1".padStart(40, "0")}`;

  it("nets PnL against credit and debt as the ledger's health factor does (ADR 0008)", async function () {
    // read at price 1: weighted collateral 10, debt 10, PnL +5 (a long of 1), requirement 2:
    // balance -10 + 5 = -5, health 10 / (5 + 2), where adding the PnL to the assets would give
    // (10 + 5) / (10 + 2)
    const chain = {
      call: async (): Promise<string> => {
        await Promise.resolve();
        return iface.encodeFunctionResult("healthOf", [
          [
            {
              weightedCollateralWad: 10n * WAD,
              creditWad: 0n,
              debtWad: 10n * WAD,
              pnlWad: 5n * WAD,
              requirementWad: 2n * WAD,
              equityWad: 5n * WAD,
              healthFactorWad: (10n * WAD * WAD) / (7n * WAD),
              pricesOk: true,
            },
          ],
        ]);
      },
    } as unknown as Chain;
    const { tracker, observer } = stubTracker(chain, [account], new Map([[account, [1]]]));
    await tracker.step(new Set([account]), false);
    expectClose(tracker.health[0], 10 / 7, 1e-12);
    // unchanged prices: the estimate reproduces the reading
    tracker.estimate();
    expectClose(tracker.health[0], 10 / 7, 1e-12);
    // the price doubles: collateral 20, PnL 6, requirement 4: balance -4, health 20 / (4 + 4)
    observer.oraclePrice[0] = 2;
    tracker.estimate();
    expectClose(tracker.health[0], 20 / 8, 1e-12);
  });
});
