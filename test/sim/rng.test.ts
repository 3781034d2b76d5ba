import { expect } from "chai";

import { Rng } from "../../simulations/rng.js";
import { expectClose } from "./float-close.js";

function draws(rng: Rng, n: number): number[] {
  return Array.from({ length: n }, () => rng.uniform());
}

function meanVar(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) * (b - m), 0) / (xs.length - 1);
  return [m, v];
}

describe("simulations/rng", function () {
  it("same seed gives the same numbers, bit for bit; different seeds differ", function () {
    const a = Rng.fromSeed(42);
    const b = Rng.fromSeed(42);
    const xa = [
      ...draws(a, 100),
      ...Array.from({ length: 100 }, () => a.normal()),
      a.poisson(3),
      a.poisson(100),
    ];
    const xb = [
      ...draws(b, 100),
      ...Array.from({ length: 100 }, () => b.normal()),
      b.poisson(3),
      b.poisson(100),
    ];
    expect(xa).to.deep.equal(xb);
    expect(draws(Rng.fromSeed(43), 100)).to.not.deep.equal(draws(Rng.fromSeed(42), 100));
    // a string seed and a number seed with the same digits are different streams
    expect(draws(Rng.fromSeed("42"), 10)).to.not.deep.equal(draws(Rng.fromSeed(42), 10));
  });

  it("pins the first outputs of seed 1 (a change to the generator would silently change every run)", function () {
    const r = Rng.fromSeed(1);
    expect([r.uniform(), r.uniform(), r.normal(), r.int(0, 1000), r.nextInt32()]).to.deep.equal([
      0.32458581950125687, 0.4611970514429189, -0.7922380769161126, 105, 1154154543,
    ]);
  });

  it("fork depends only on the seed and the label, not on the parent's draws", function () {
    const a = Rng.fromSeed(7);
    const b = Rng.fromSeed(7);
    draws(b, 1000); // b has consumed numbers, a has not
    expect(draws(a.fork("markets/ETH"), 20)).to.deep.equal(draws(b.fork("markets/ETH"), 20));
    expect(draws(a.fork("x"), 20)).to.not.deep.equal(draws(a.fork("y"), 20));
    expect(draws(a.fork("x").fork("y"), 20)).to.not.deep.equal(draws(a.fork("x/y2"), 20));
    // forks are independent of their parent's own stream
    expect(draws(a.fork("x"), 20)).to.not.deep.equal(draws(Rng.fromSeed(7), 20));
    expect(a.fork("agents").key).to.equal("ballast/n:7/agents");
    expect(() => a.fork("")).to.throw(RangeError);
  });

  it("uniform is in [0, 1) with mean 1/2 and variance 1/12", function () {
    const xs = draws(Rng.fromSeed(3), 100_000);
    expect(xs.every((x) => x >= 0 && x < 1)).to.equal(true);
    expect(Math.min(...xs.slice(0, 10_000))).to.be.below(0.001);
    expect(Math.max(...xs.slice(0, 10_000))).to.be.above(0.999);
    const [m, v] = meanVar(xs);
    expectClose(m, 0.5, 0.005);
    expectClose(v, 1 / 12, 0.002);
  });

  it("normal has the right mean, variance and tails", function () {
    const r = Rng.fromSeed(4);
    const xs = Array.from({ length: 100_000 }, () => r.normal(1, 2));
    const [m, v] = meanVar(xs);
    expectClose(m, 1, 0.03);
    expectClose(v, 4, 0.08);
    const beyond2sd = xs.filter((x) => Math.abs(x - 1) > 4).length / xs.length;
    expectClose(beyond2sd, 0.0455, 0.004);
  });

  it("poisson has mean and variance lambda (small and large lambda)", function () {
    const r = Rng.fromSeed(5);
    for (const lambda of [0.2, 4, 50, 1000]) {
      const xs = Array.from({ length: 20_000 }, () => r.poisson(lambda));
      for (const x of xs.slice(0, 100)) expect(Number.isInteger(x) && x >= 0).to.equal(true);
      const [m, v] = meanVar(xs);
      expectClose(m, lambda, 4 * Math.sqrt(lambda / xs.length) + 1e-9, `mean for lambda ${lambda}`);
      expectClose(v / lambda, 1, 0.05, `variance for lambda ${lambda}`);
    }
    expect(r.poisson(0)).to.equal(0);
    expect(() => r.poisson(-1)).to.throw(RangeError);
  });

  it("bernoulli, int, choice, weightedIndex and shuffle", function () {
    const r = Rng.fromSeed(6);
    const hits = Array.from({ length: 20_000 }, () => r.bernoulli(0.3)).filter(Boolean).length;
    expectClose(hits / 20_000, 0.3, 0.015);
    expect(r.bernoulli(0)).to.equal(false);
    expect(r.bernoulli(1)).to.equal(true);
    expect(() => r.bernoulli(1.5)).to.throw(RangeError);

    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 60_000; i++) counts[r.int(1, 6) - 1]++;
    for (const c of counts) expect(c).to.be.within(9_500, 10_500);
    expect(r.int(5, 5)).to.equal(5);
    expect(() => r.int(3, 2)).to.throw(RangeError);

    expect(["a", "b", "c"]).to.include(r.choice(["a", "b", "c"]));
    expect(() => r.choice([])).to.throw(RangeError);

    const w = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) w[r.weightedIndex([1, 0, 3])]++;
    expect(w[1]).to.equal(0);
    expectClose(w[2] / w[0], 3, 0.2);
    expect(() => r.weightedIndex([0, 0])).to.throw(RangeError);

    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = r.shuffle(items);
    expect(shuffled).to.not.deep.equal(items);
    expect([...shuffled].sort((x, y) => x - y)).to.deep.equal(items);
  });
});
