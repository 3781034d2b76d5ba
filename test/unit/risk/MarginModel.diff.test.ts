/**
 * Differential test: random sequences of oracle observations, time steps and parameter changes
 * are driven through MarginModel.sol and the bigint mirror (simulations/math/margin.ts); after
 * every step riskOf, targetLevels, variance and horizon volatility must be equal to the wei.
 * Each `setPrice` of the MockOracleRouter is a new feed round stamped with its block's time; the
 * poke may come in the same block or some seconds later, and extra pokes without a new round
 * must change nothing (ADR 0012: an observation is a feed round, not a poke).
 *
 * Replay: MARGIN_DIFF_SEED=<seed> (and MARGIN_DIFF_PATH=<path> printed by fast-check on failure);
 * intensity: MARGIN_DIFF_RUNS (default 40).
 */
import { expect } from "chai";
import fc from "fast-check";
import { getAddress, toBeHex, zeroPadValue } from "ethers";
import { network } from "hardhat";

import type { MarginModel, MockOracleRouter, WadMathHarness } from "../../../types/ethers-contracts/index.js";
import * as margin from "../../../simulations/math/margin.js";
import * as wad from "../../../simulations/math/wad.js";
import { PARAM_BOUNDS, PARAM_NAMES, type ParamName } from "../../../simulations/math/margin.js";

const WAD = 10n ** 18n;
const SEED = Number(process.env.MARGIN_DIFF_SEED ?? 20260101);
const RUNS = Number(process.env.MARGIN_DIFF_RUNS ?? 40);
const PATH = process.env.MARGIN_DIFF_PATH;

type Op =
  | {
      kind: "observe";
      dt: number;
      moveBps: number;
      ok: boolean;
      zero: boolean;
      repeatBps: number | null;
      lagSeconds: number | null;
      spam: number;
    }
  | { kind: "wait"; dt: number }
  | { kind: "param"; dt: number; name: ParamName; value: bigint };

const dtArb = fc.oneof(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 61, max: 7200 }));
const moveArb = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -50, max: 50 }) },
  { weight: 2, arbitrary: fc.integer({ min: -500, max: 500 }) },
  { weight: 1, arbitrary: fc.integer({ min: -5000, max: 5000 }) },
);

const observeArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant("observe" as const),
  dt: dtArb,
  moveBps: moveArb,
  ok: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  zero: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  // A second observation in the same block (must be ignored unless the first one was).
  repeatBps: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: moveArb }),
  // The poke lands this long after the round (null: in the round's block; no repeat then).
  lagSeconds: fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 900 }) },
  ),
  // Pokes in later blocks (one second apart) without a new round: each must be ignored.
  spam: fc.oneof(
    { weight: 4, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) },
  ),
});

const waitArb: fc.Arbitrary<Op> = fc.record({
  kind: fc.constant("wait" as const),
  dt: fc.oneof(dtArb, fc.integer({ min: 7200, max: 5 * 86400 })),
});

function valueArb(name: ParamName): fc.Arbitrary<bigint> {
  const { min, max } = PARAM_BOUNDS[name];
  const edges = [min, max, max + 1n, ...(min > 0n ? [min - 1n] : [])];
  return fc.oneof(
    { weight: 6, arbitrary: fc.bigInt({ min, max }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

const paramArb: fc.Arbitrary<Op> = fc
  .oneof(
    { weight: 3, arbitrary: fc.constant<ParamName>("MODE") },
    { weight: 8, arbitrary: fc.constantFrom(...PARAM_NAMES) },
  )
  .chain((name) =>
    fc.record({
      kind: fc.constant("param" as const),
      dt: dtArb,
      name: fc.constant(name),
      value: valueArb(name),
    }),
  );

const opsArb = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: observeArb },
    { weight: 2, arbitrary: waitArb },
    { weight: 3, arbitrary: paramArb },
  ),
  { minLength: 5, maxLength: 30 },
);

function moved(price: bigint, bps: number): bigint {
  const p = (price * BigInt(10000 + bps)) / 10000n;
  return p > 0n ? p : 1n;
}

describe("MarginModel differential (contract == simulations/math/margin.ts)", function () {
  this.timeout(300_000);

  it(`agrees to the wei on ${RUNS} random sequences (seed ${SEED})`, async function () {
    const { ethers, networkHelpers } = await network.create();
    const [gov, riskConfig] = await ethers.getSigners();
    const oracle: MockOracleRouter = await ethers.deployContract("MockOracleRouter");
    const mm: MarginModel = await ethers.deployContract("MarginModel", [
      await oracle.getAddress(),
      riskConfig.address,
      gov.address,
    ]);
    const rc = mm.connect(riskConfig);
    let runIndex = 0;
    let totalOps = 0;
    let rejectedParams = 0;
    let interior = 0; // dynamic target strictly between base and cap
    let ramping = 0; // comparisons where the ramped maintenance is not yet at its target
    const rampingRuns = new Set<number>(); // runs with at least one such comparison
    let lagged = 0; // accepted observations poked after their round's block
    let spamIgnored = 0; // pokes without a new round (ignored by both)

    const latest = async (): Promise<bigint> => BigInt(await networkHelpers.time.latest());

    await fc.assert(
      fc.asyncProperty(opsArb, fc.integer({ min: 0, max: 2 }), async (ops, startMode) => {
        runIndex += 1;
        // A fresh asset per run: independent state on one deployment.
        const asset = getAddress(zeroPadValue(toBeHex(0x1000 + runIndex), 20));
        const addReceipt = await (await mm.addAsset(asset)).wait();
        const listedAt = BigInt((await ethers.provider.getBlock(addReceipt!.blockNumber))!.timestamp);
        let state = margin.listAsset(listedAt);
        let params = margin.DEFAULT_PARAMS;
        let price = 1000n * WAD;

        const compare = async (label: string) => {
          const now = await latest();
          const [risk, targets, variance, sigma, mode] = await Promise.all([
            mm.riskOf(asset),
            mm.targetLevels(asset),
            mm.variancePerSecondWad(asset),
            mm.horizonVolatilityWad(asset),
            mm.modeOf(asset),
          ]);
          const want = margin.riskOf(state, params, now);
          const wantTargets = margin.targetLevels(state.variancePerSecondWad, params);
          if (
            params.mode !== margin.Mode.Static &&
            wantTargets.marginRatioWad > params.marginBaseWad &&
            wantTargets.marginRatioWad < params.marginCapWad
          ) {
            interior += 1;
          }
          if (want.haircutMaintWad !== wantTargets.haircutWad) {
            ramping += 1;
            rampingRuns.add(runIndex);
          }
          expect(
            {
              risk: [...risk],
              targets: [...targets],
              variance,
              sigma,
              mode,
            },
            label,
          ).to.deep.equal({
            risk: [
              want.haircutMaintWad,
              want.haircutInitWad,
              want.marginRatioMaintWad,
              want.marginRatioInitWad,
              want.depthUsdWad,
              want.sizeSlopeWad,
            ],
            targets: [wantTargets.haircutWad, wantTargets.marginRatioWad],
            variance: state.variancePerSecondWad,
            sigma: margin.horizonVolatilityWad(state.variancePerSecondWad, params.horizonSeconds),
            mode: BigInt(params.mode),
          });
        };

        /** Returns whether the change was accepted (a rejected one mines no block). */
        const setParam = async (
          name: ParamName,
          value: bigint,
          t: bigint,
          label: string,
        ): Promise<boolean> => {
          const error = margin.checkParam(params, name, value);
          if (error !== undefined) {
            rejectedParams += 1;
            await expect(
              rc.setParam(ethers.encodeBytes32String(name), asset, value),
              label,
            ).to.be.revertedWithCustomError(mm, error.error);
            return false;
          }
          await networkHelpers.time.setNextBlockTimestamp(t);
          await (await rc.setParam(ethers.encodeBytes32String(name), asset, value)).wait();
          ({ state, params } = margin.setParam(state, params, name, value, t));
          return true;
        };

        await setParam("MODE", BigInt(startMode), (await latest()) + 1n, "start mode");
        await compare("after start");

        for (const [i, op] of ops.entries()) {
          totalOps += 1;
          const t = (await latest()) + BigInt(op.dt);
          let end = t; // the time of the op's last block
          let mined = true;
          const label = `run ${runIndex} op ${i} ${JSON.stringify(op, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`;
          if (op.kind === "wait") {
            await networkHelpers.time.increaseTo(t);
          } else if (op.kind === "param") {
            mined = await setParam(op.name, op.value, t, label);
          } else {
            // Each setPrice is a round stamped `t` (the mock reports updatedAt 0 when not ok).
            const round = (priceWad: bigint, ok: boolean): margin.PriceRead => ({
              priceWad,
              updatedAt: ok ? t : 0n,
              ok,
            });
            const reads: margin.PriceRead[] = [];
            price = moved(price, op.moveBps);
            reads.push(round(op.zero ? 0n : price, op.ok));
            const lag = op.lagSeconds;
            const sameBlock = lag === null;
            if (op.repeatBps !== null && sameBlock) reads.push(round(moved(price, op.repeatBps), true));
            await ethers.provider.send("evm_setAutomine", [false]);
            try {
              for (const read of reads) {
                await oracle.setPrice(asset, read.priceWad, read.ok, {
                  gasLimit: 200_000,
                });
                if (sameBlock) await mm.poke(asset, { gasLimit: 500_000 });
              }
              await ethers.provider.send("evm_mine", [Number(t)]);
            } finally {
              await ethers.provider.send("evm_setAutomine", [true]);
            }
            if (lag === null) {
              for (const read of reads) state = margin.observe(state, params, read, t).state;
            } else {
              // A round nobody poked yet changes nothing.
              await compare(`${label}: round at ${t}, not poked yet`);
              // The poke comes later: the return is still priced over the rounds' interval.
              end = t + BigInt(lag);
              await networkHelpers.time.setNextBlockTimestamp(end);
              await (await mm.poke(asset)).wait();
              const r = margin.observe(state, params, reads[0], end);
              if (r.accepted) lagged += 1;
              state = r.state;
            }
            const last = reads[reads.length - 1];
            for (let k = 0; k < op.spam; k++) {
              end += 1n;
              await networkHelpers.time.setNextBlockTimestamp(end);
              const receipt = await (await mm.poke(asset)).wait();
              const r = margin.observe(state, params, last, end);
              expect(r.accepted, `${label}: spam poke ${k} accepted by the mirror`).to.equal(false);
              expect(receipt?.logs.length, `${label}: spam poke ${k} emitted`).to.equal(0);
              spamIgnored += 1;
              await compare(`${label}: after spam poke ${k}`);
            }
          }
          if (mined) expect(await latest(), label).to.equal(end);
          await compare(label);
        }

        // Parameters read back equal.
        for (const name of PARAM_NAMES) {
          expect(await mm.getParam(ethers.encodeBytes32String(name), asset), name).to.equal(
            margin.getParam(params, name),
          );
        }
      }),
      { seed: SEED, numRuns: RUNS, path: PATH, endOnFailure: true },
    );

    // The generator must exercise what it claims to.
    console.log(
      `      ${totalOps} ops, ${rejectedParams} rejected params, ${interior} interior, ${ramping} ramping (in ${rampingRuns.size} runs), ${lagged} lagged, ${spamIgnored} spam pokes ignored`,
    );
    expect(totalOps).to.be.greaterThan(RUNS * 5);
    expect(rejectedParams).to.be.greaterThan(0);
    expect(interior).to.be.greaterThan(RUNS);
    // seeds 1-10 and the default give 36-94 ramping comparisons in 6-14 runs of 40
    expect(ramping).to.be.greaterThan(RUNS / 2);
    expect(rampingRuns.size).to.be.greaterThan(RUNS / 10);
    expect(lagged).to.be.greaterThan(RUNS / 4);
    expect(spamIgnored).to.be.greaterThan(RUNS / 4);
  });
});

describe("wad.ts mirror (== WadMath.sol and OpenZeppelin Math.sqrt)", function () {
  const u256 = fc.oneof(
    fc.bigInt({ min: 0n, max: 10n ** 24n }),
    fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
    fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
  );

  it("mulWad/divWad agree with the harness in both rounding directions", async function () {
    const { ethers } = await network.create();
    const harness: WadMathHarness = await ethers.deployContract("WadMathHarness");
    let reverts = 0;
    await fc.assert(
      fc.asyncProperty(u256, u256, async (x, y) => {
        const cases: [() => bigint, () => Promise<bigint>][] = [
          [() => wad.mulWadDown(x, y), () => harness.mulWadDown(x, y)],
          [() => wad.mulWadUp(x, y), () => harness.mulWadUp(x, y)],
          [() => wad.divWadDown(x, y), () => harness.divWadDown(x, y)],
          [() => wad.divWadUp(x, y), () => harness.divWadUp(x, y)],
        ];
        for (const [mirror, chain] of cases) {
          let expected: bigint | "revert";
          try {
            expected = mirror();
          } catch (e) {
            expect(e).to.be.instanceOf(wad.WadMathError);
            expected = "revert";
          }
          if (expected === "revert") {
            reverts += 1;
            await expect(chain()).to.be.revert(ethers);
          } else {
            expect(await chain()).to.equal(expected);
          }
        }
      }),
      { seed: SEED, numRuns: 60 },
    );
    expect(reverts).to.be.greaterThan(0); // division by zero and overflow were exercised
  });

  it("sqrt floors and sqrtUp ceils", function () {
    fc.assert(
      fc.property(u256, (a) => {
        const s = wad.sqrt(a);
        expect(s * s <= a && (s + 1n) * (s + 1n) > a).to.equal(true);
        const c = wad.sqrtUp(a);
        expect(c * c >= a && (c === 0n || (c - 1n) * (c - 1n) < a)).to.equal(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
    expect(wad.sqrt((1n << 256n) - 1n)).to.equal((1n << 128n) - 1n);
    expect(wad.sqrtUp((1n << 256n) - 1n)).to.equal(1n << 128n);
    expect(() => wad.sqrt(-1n)).to.throw(wad.WadMathError);
  });
});
