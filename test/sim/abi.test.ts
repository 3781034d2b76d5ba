/**
 * The laboratory's hand-rolled ABI coder (simulations/world/abi.ts) against ethers: for every
 * function of the interfaces the agents call, the same calldata for random arguments (and
 * ethers' own error when the arguments are wrong); for every event they read, the same values
 * for random logs encoded by ethers, and for single-struct call results; ethers' answer for what
 * it does not decode. No chain.
 */
import { expect } from "chai";
import fc from "fast-check";
import { Interface, type EventFragment, type ParamType } from "ethers";

import { loadUniswapArtifact } from "../../scripts/deploy/uniswap.js";
import {
  decodeEventLog,
  decodeStructResult,
  encodeCall,
  eventTopic,
  parseLog,
} from "../../simulations/world/abi.js";
import {
  AccountLens__factory,
  BackstopVault__factory,
  CircuitBreaker__factory,
  Clearinghouse__factory,
  DutchAuction__factory,
  FlashLiquidator__factory,
  LiquidationEngine__factory,
  MarginModel__factory,
  MockERC20__factory,
  OracleMockV3Aggregator__factory,
  OracleRouter__factory,
  Stablecoin__factory,
} from "../../types/ethers-contracts/index.js";

const INTERFACES: Record<string, Interface> = {
  clearinghouse: Clearinghouse__factory.createInterface() as unknown as Interface,
  engine: LiquidationEngine__factory.createInterface() as unknown as Interface,
  auction: DutchAuction__factory.createInterface() as unknown as Interface,
  breaker: CircuitBreaker__factory.createInterface() as unknown as Interface,
  oracle: OracleRouter__factory.createInterface() as unknown as Interface,
  margin: MarginModel__factory.createInterface() as unknown as Interface,
  vault: BackstopVault__factory.createInterface() as unknown as Interface,
  stable: Stablecoin__factory.createInterface() as unknown as Interface,
  flash: FlashLiquidator__factory.createInterface() as unknown as Interface,
  lens: AccountLens__factory.createInterface() as unknown as Interface,
  erc20: MockERC20__factory.createInterface() as unknown as Interface,
  feed: OracleMockV3Aggregator__factory.createInterface() as unknown as Interface,
  pool: new Interface(loadUniswapArtifact("pool").abi),
  router: new Interface(loadUniswapArtifact("router").abi),
  positionManager: new Interface(loadUniswapArtifact("positionManager").abi),
};

const hexOf = (n: number) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((b) => `0x${Buffer.from(b).toString("hex")}`);

/** Random values of a parameter, in the forms the agents pass (bigint, number, hex strings). */
function valueOf(p: ParamType): fc.Arbitrary<unknown> {
  if (p.baseType === "array") {
    const child = valueOf(p.arrayChildren as ParamType);
    return p.arrayLength === -1
      ? fc.array(child, { maxLength: 6 })
      : fc.array(child, { minLength: p.arrayLength as number, maxLength: p.arrayLength as number });
  }
  if (p.baseType === "tuple") {
    const parts = (p.components ?? []).map(valueOf);
    const names = (p.components ?? []).map((c) => c.name);
    return fc
      .tuple(...parts)
      .chain((values) => fc.constantFrom(values, Object.fromEntries(names.map((n, k) => [n, values[k]]))));
  }
  if (p.type === "address")
    // lowercase and checksummed spellings
    return hexOf(20).chain((a) => fc.constantFrom(a, a.toLowerCase(), `0x${a.slice(2).toUpperCase()}`));
  if (p.type === "bool") return fc.boolean();
  if (p.type === "string") return fc.string({ maxLength: 40 });
  if (p.type === "bytes") return fc.integer({ min: 0, max: 70 }).chain(hexOf);
  const bytes = /^bytes([0-9]+)$/.exec(p.type);
  if (bytes !== null) return hexOf(Number(bytes[1]));
  const int = /^(u?)int([0-9]*)$/.exec(p.type);
  if (int !== null) {
    const bits = BigInt(int[2] === "" ? 256 : Number(int[2]));
    const [min, max] =
      int[1] === "u" ? [0n, (1n << bits) - 1n] : [-(1n << (bits - 1n)), (1n << (bits - 1n)) - 1n];
    const big = fc.oneof(fc.bigInt({ min, max }), fc.constantFrom(min, max, 0n));
    const small = fc.integer({
      min: Number(min > -1000n ? min : -1000n),
      max: Number(max < 1000n ? max : 1000n),
    });
    return fc.oneof(big, small);
  }
  throw new Error(`no generator for ${p.type}`);
}

const ONE = "0x0000000000000000000000000000000000000001";
const TWO = "0x0000000000000000000000000000000000000002";
const SWAP = {
  tokenIn: ONE,
  tokenOut: TWO,
  fee: 3000,
  recipient: ONE,
  deadline: 2n ** 64n,
  amountIn: 10n ** 18n,
  amountOutMinimum: 0n,
  sqrtPriceLimitX96: 79228162514264337593543950336n,
};

describe("simulation ABI coder: calldata and logs like ethers", function () {
  for (const [label, iface] of Object.entries(INTERFACES)) {
    it(`${label}: every function's calldata, byte for byte`, function () {
      iface.forEachFunction((f) => {
        fc.assert(
          fc.property(fc.tuple(...f.inputs.map(valueOf)), (args) => {
            expect(encodeCall(iface, f.format("sighash"), args), f.format()).to.equal(
              iface.encodeFunctionData(f, args),
            );
            // by name when the name is unique (how the agents call it)
            let unique = false;
            try {
              unique = iface.getFunction(f.name) === f;
            } catch {
              // an overloaded name: ethers refuses it, and so does encodeCall
              expect(() => encodeCall(iface, f.name, args)).to.throw("ambiguous function description");
            }
            if (unique)
              expect(encodeCall(iface, f.name, args)).to.equal(iface.encodeFunctionData(f.name, args));
          }),
          { numRuns: 25 },
        );
      });
    });

    it(`${label}: every event's values, as parseLog and decodeEventLog give them`, function () {
      iface.forEachEvent((e: EventFragment) => {
        if (e.anonymous) return;
        fc.assert(
          fc.property(fc.tuple(...e.inputs.map(valueOf)), (values) => {
            const enc = iface.encodeEventLog(e, values);
            const log = { address: "0x0000000000000000000000000000000000000001", ...enc };
            const ours = parseLog(iface, log);
            const theirs = iface.parseLog(log);
            expect(ours?.name).to.equal(theirs?.name);
            const viaDecode = decodeEventLog(iface, e, log.data, log.topics);
            const direct = iface.decodeEventLog(e, log.data, log.topics);
            for (const p of e.inputs) {
              const want = theirs?.args.getValue(p.name) as unknown;
              // indexed dynamic values are hashes (ethers' Indexed): compared by hash
              const norm = (v: unknown) => (v !== null && typeof v === "object" && "hash" in v ? v.hash : v);
              expect(norm(ours?.args.getValue(p.name)), `${e.name}.${p.name}`).to.deep.equal(norm(want));
              expect(norm(viaDecode.getValue(p.name))).to.deep.equal(norm(direct.getValue(p.name)));
            }
            expect(ours?.args.getValue("noSuchField")).to.equal(undefined);
          }),
          { numRuns: 25 },
        );
        expect(eventTopic(iface, iface.getEvent(e.format("sighash"))?.name ?? e.name)).to.match(
          /^0x[0-9a-f]{64}$/,
        );
      });
    });
  }

  it("struct results (marketState and every other single-struct return) like decodeFunctionResult", function () {
    let checked = 0;
    for (const iface of Object.values(INTERFACES))
      iface.forEachFunction((f) => {
        if (f.outputs.length !== 1 || f.outputs[0].baseType !== "tuple") return;
        let unique = false;
        try {
          unique = iface.getFunction(f.name) === f;
        } catch {
          return; // overloaded: called by signature only
        }
        if (!unique) return;
        checked++;
        fc.assert(
          fc.property(valueOf(f.outputs[0]), (value) => {
            const raw = iface.encodeFunctionResult(f, [value]);
            const want = (
              iface.decodeFunctionResult(f, raw)[0] as { toObject(): Record<string, unknown> }
            ).toObject();
            expect(decodeStructResult(iface, f.name, raw), f.format()).to.deep.equal(want);
          }),
          { numRuns: 25 },
        );
      });
    expect(checked).to.be.greaterThan(3);
    // short data: ethers' error
    expect(() => decodeStructResult(INTERFACES.clearinghouse, "marketState", "0x01")).to.throw();
  });

  it("the values come back in ethers' forms: checksummed addresses, signed and masked integers", function () {
    const ch = INTERFACES.clearinghouse;
    const account = "0x52908400098527886e0f7030069857d2e4169ee7"; // EIP-55 all-caps sample, lowercase
    const enc = ch.encodeEventLog("PositionModified", [account, account, -5n, 7n, 3n, -2n, 1n]);
    const ev = parseLog(ch, { address: account, ...enc });
    expect(ev?.args.getValue("account")).to.equal("0x52908400098527886E0F7030069857D2E4169EE7");
    expect(ev?.args.getValue("sizeDeltaWad")).to.equal(-5n);
    expect(ev?.args.getValue("realizedPnlWad")).to.equal(-2n);
    expect(eventTopic(ch, "PositionModified")).to.equal(ch.getEvent("PositionModified")?.topicHash);
  });

  it("encodes and decodes the agents' shapes itself (ethers not called)", function () {
    const engine = new Interface(INTERFACES.engine.fragments);
    const router = new Interface(INTERFACES.router.fragments);
    const ch = new Interface(INTERFACES.clearinghouse.fragments);
    const want = {
      batch: engine.encodeFunctionData("liquidateBatch", [[ONE, TWO], ONE]),
      swap: router.encodeFunctionData("exactInputSingle", [SWAP]),
      log: ch.encodeEventLog("KeeperPaid", [ONE, 7n]),
    };
    for (const i of [engine, router, ch]) {
      const refuse = () => {
        throw new Error("ethers called");
      };
      Object.assign(i, { encodeFunctionData: refuse, parseLog: refuse, decodeEventLog: refuse });
    }
    expect(encodeCall(engine, "liquidateBatch", [[ONE, TWO], ONE])).to.equal(want.batch);
    expect(encodeCall(router, "exactInputSingle", [SWAP])).to.equal(want.swap);
    expect(parseLog(ch, { address: ONE, ...want.log })?.args.getValue("amountWad")).to.equal(7n);
  });

  it("leaves to ethers what it does not decode: unknown topics, short data, high address bits", function () {
    const ch = INTERFACES.clearinghouse;
    const address = "0x0000000000000000000000000000000000000001";
    expect(parseLog(ch, { address, topics: [`0x${"ab".repeat(32)}`], data: "0x" })).to.equal(null);
    const enc = ch.encodeEventLog("KeeperPaid", [address, 5n]);
    // data shorter than the event's words: ethers throws, so does parseLog
    expect(() => parseLog(ch, { address, topics: enc.topics, data: "0x01" })).to.throw();
    expect(() => ch.parseLog({ topics: enc.topics, data: "0x01" })).to.throw();
    // an indexed address with its high bytes set: ethers' value (an error on access) either way
    const dirty = [enc.topics[0], `0x${"ff".repeat(12)}${enc.topics[1].slice(26)}`];
    const theirs = ch.parseLog({ topics: dirty, data: enc.data });
    const ours = parseLog(ch, { address, topics: dirty, data: enc.data });
    expect(() => theirs?.args.getValue("keeper") as unknown).to.throw();
    expect(() => ours?.args.getValue("keeper") as unknown).to.throw();
    expect(ours?.args.getValue("amountWad")).to.equal(5n);
  });

  it("throws ethers' errors for arguments ethers refuses", function () {
    const engine = INTERFACES.engine;
    const bad: unknown[][] = [
      [["0x1234"], "0x0000000000000000000000000000000000000001"], // short address
      [[], "0x0000000000000000000000000000000000000001", 5n], // extra argument
      [["0x0000000000000000000000000000000000000001"]], // missing argument
    ];
    for (const args of bad) {
      let want: string | undefined;
      try {
        engine.encodeFunctionData("liquidateBatch", args);
      } catch (e) {
        want = (e as Error).message;
      }
      expect(want).to.not.equal(undefined);
      expect(() => encodeCall(engine, "liquidateBatch", args)).to.throw(want);
    }
    const stable = INTERFACES.stable;
    const to = "0x0000000000000000000000000000000000000001";
    for (const amount of [-1n, 1n << 256n, 1.5, "12"]) {
      let want: string | undefined;
      let ok: string | undefined;
      try {
        ok = stable.encodeFunctionData("transfer", [to, amount]);
      } catch (e) {
        want = (e as Error).message;
      }
      if (ok !== undefined) expect(encodeCall(stable, "transfer", [to, amount])).to.equal(ok);
      else expect(() => encodeCall(stable, "transfer", [to, amount])).to.throw(want);
    }
    // a badly checksummed address: ethers' error
    const mixed = "0x52908400098527886E0F7030069857D2E4169Ee7";
    expect(() => stable.encodeFunctionData("transfer", [mixed, 1n])).to.throw();
    expect(() => encodeCall(stable, "transfer", [mixed, 1n])).to.throw();
  });
});
