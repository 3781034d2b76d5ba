/**
 * ABI calldata and event logs for the laboratory's hot path, without ethers' generic coder.
 *
 * Every transaction the agents send is encoded, and every log they get back is decoded; ethers'
 * `encodeFunctionData`, `parseLog` and `decodeEventLog` do this through a generic coder (Writer
 * and Reader objects, a Result per call, a checksum per address, a keccak of the event's
 * signature per `getEvent(name)`), which was about a sixth of the loop's JavaScript time. The
 * functions here write and read the 32-byte words directly for the shapes the laboratory uses
 * (static words: uintN, intN, address, bool, bytesN; static tuples of them; arrays of one static
 * word) and hand anything else, or any value they would not encode exactly as ethers does, to
 * ethers itself: the same bytes and the same values (tested against ethers, test/sim/abi.test.ts).
 */
import { getAddress, type EventFragment, type Interface, type LogDescription, type ParamType } from "ethers";

import type { RawLog } from "./chain.js";

const hexWord = (x: bigint): string => x.toString(16).padStart(64, "0");
const ZERO_WORD = hexWord(0n);
const ONE_WORD = hexWord(1n);
const TWO_256 = 1n << 256n;

/** Encodes one value as a word (no 0x), or `undefined`: leave it to ethers. */
type WordEncoder = (value: unknown) => string | undefined;

/** Validated address words, by the address as given (getAddress once per spelling). */
const addressWords = new Map<string, string | undefined>();

function addressWord(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  let word = addressWords.get(value);
  if (word === undefined && !addressWords.has(value)) {
    try {
      word = getAddress(value).slice(2).toLowerCase().padStart(64, "0");
    } catch {
      word = undefined; // ethers throws its own error
    }
    addressWords.set(value, word);
  }
  return word;
}

/** An integer argument as ethers takes it (bigint, or a safe integer number), else undefined. */
function integer(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

const BYTES_N = /^bytes([0-9]+)$/;
const INT_N = /^(u?)int([0-9]*)$/;

/** A word encoder for a single-word static type, or `undefined` (not handled here). */
function wordEncoder(type: string): WordEncoder | undefined {
  if (type === "address") return addressWord;
  if (type === "bool") return (v) => (typeof v === "boolean" ? (v ? ONE_WORD : ZERO_WORD) : undefined);
  const int = INT_N.exec(type);
  if (int !== null) {
    const bits = BigInt(int[2] === "" ? 256 : Number(int[2]));
    if (int[1] === "u") {
      const limit = 1n << bits;
      return (v) => {
        const x = integer(v);
        return x === undefined || x < 0n || x >= limit ? undefined : hexWord(x);
      };
    }
    const limit = 1n << (bits - 1n);
    return (v) => {
      const x = integer(v);
      if (x === undefined || x < -limit || x >= limit) return undefined;
      return hexWord(x < 0n ? x + TWO_256 : x);
    };
  }
  const bytes = BYTES_N.exec(type);
  if (bytes !== null) {
    const n = Number(bytes[1]);
    const pattern = new RegExp(`^0x[0-9a-fA-F]{${2 * n}}$`);
    return (v) =>
      typeof v === "string" && pattern.test(v) ? v.slice(2).toLowerCase().padEnd(64, "0") : undefined;
  }
  return undefined;
}

/** Head words of a static parameter (a word, or a tuple of words), or `undefined`. */
type StaticEncoder = (value: unknown) => string | undefined;

function staticEncoder(param: ParamType): StaticEncoder | undefined {
  if (param.baseType === "tuple") {
    const components = param.components ?? [];
    const parts = components.map((c) => staticEncoder(c));
    if (parts.some((p) => p === undefined)) return undefined;
    const enc = parts as StaticEncoder[];
    const names = components.map((c) => c.name);
    // ethers refuses an object for a tuple with a missing or repeated component name
    const byName = names.every((n, k) => n !== "" && names.indexOf(n) === k);
    return (v) => {
      if (typeof v !== "object" || v === null) return undefined;
      const arr = Array.isArray(v);
      if (!arr && !byName) return undefined;
      if (arr && (v as unknown[]).length !== enc.length) return undefined;
      let out = "";
      for (let k = 0; k < enc.length; k++) {
        const x = arr ? (v as unknown[])[k] : (v as Record<string, unknown>)[names[k]];
        if (x === undefined) return undefined;
        const w = enc[k](x);
        if (w === undefined) return undefined;
        out += w;
      }
      return out;
    };
  }
  if (param.baseType === "array") return undefined;
  return wordEncoder(param.type);
}

/** One argument: its head (static words, or a dynamic array's tail) or undefined. */
interface ArgEncoder {
  /** Head words for a static argument; for a dynamic one, the tail (length and elements). */
  encode: (value: unknown) => string | undefined;
  dynamic: boolean;
  /** Words in the head. */
  headWords: number;
}

function argEncoder(param: ParamType): ArgEncoder | undefined {
  if (param.baseType === "array") {
    // T[] of a single-word static T (e.g. address[]); fixed-size arrays go to ethers
    if (param.arrayLength !== -1 || param.arrayChildren === null) return undefined;
    const child = param.arrayChildren;
    if (child.baseType === "tuple" || child.baseType === "array") return undefined;
    const enc = wordEncoder(child.type);
    if (enc === undefined) return undefined;
    return {
      dynamic: true,
      headWords: 1,
      encode: (v) => {
        if (!Array.isArray(v)) return undefined;
        let out = hexWord(BigInt(v.length));
        for (const x of v) {
          const w = enc(x);
          if (w === undefined) return undefined;
          out += w;
        }
        return out;
      },
    };
  }
  const enc = staticEncoder(param);
  if (enc === undefined) return undefined;
  const words = param.baseType === "tuple" ? countWords(param) : 1;
  return { dynamic: false, headWords: words, encode: enc };
}

function countWords(param: ParamType): number {
  return (param.components ?? []).reduce((n, c) => n + (c.baseType === "tuple" ? countWords(c) : 1), 0);
}

type CallEncoder = (args: readonly unknown[]) => string;

const callEncoders = new WeakMap<Interface, Map<string, CallEncoder>>();

/**
 * `iface.encodeFunctionData(name, args)`, byte for byte, with the function's fragment and
 * selector looked up once; ethers encodes what this does not handle (and throws its own errors).
 */
export function encodeCall(iface: Interface, name: string, args: readonly unknown[] = []): string {
  let byName = callEncoders.get(iface);
  if (byName === undefined) {
    byName = new Map();
    callEncoders.set(iface, byName);
  }
  let enc = byName.get(name);
  if (enc === undefined) {
    enc = makeCallEncoder(iface, name);
    byName.set(name, enc);
  }
  return enc(args);
}

function makeCallEncoder(iface: Interface, name: string): CallEncoder {
  const viaEthers: CallEncoder = (args) => iface.encodeFunctionData(name, args as unknown[]);
  const fragment = iface.getFunction(name);
  if (fragment === null) return viaEthers;
  const encoders = fragment.inputs.map(argEncoder);
  if (encoders.some((e) => e === undefined)) return viaEthers;
  const args = encoders as ArgEncoder[];
  const headBytes = 32 * args.reduce((n, e) => n + e.headWords, 0);
  const selector = fragment.selector;
  return (values) => {
    if (values.length !== args.length) return viaEthers(values);
    let head = "";
    let tail = "";
    for (let k = 0; k < args.length; k++) {
      const e = args[k];
      const w = e.encode(values[k]);
      if (w === undefined) return viaEthers(values);
      if (e.dynamic) {
        head += hexWord(BigInt(headBytes + tail.length / 2));
        tail += w;
      } else head += w;
    }
    return `${selector}${head}${tail}`;
  };
}

// ---- events ----

/** Decodes one word (no 0x) as ethers' coder would, or `undefined` (leave it to ethers). */
type WordDecoder = (word: string) => unknown;
const FALLBACK = Symbol("fallback");

/** Checksummed addresses by their lowercase hex (no 0x). */
const checksummed = new Map<string, string>();

function wordDecoder(type: string): ((word: string) => unknown) | undefined {
  if (type === "address")
    return (w) => {
      if (w.slice(0, 24) !== "000000000000000000000000") return FALLBACK;
      const hex = w.slice(24).toLowerCase();
      let a = checksummed.get(hex);
      if (a === undefined) {
        a = getAddress(`0x${hex}`);
        checksummed.set(hex, a);
      }
      return a;
    };
  if (type === "bool") return (w) => BigInt(`0x${w}`) !== 0n;
  const int = INT_N.exec(type);
  if (int !== null) {
    const bits = BigInt(int[2] === "" ? 256 : Number(int[2]));
    const mask = (1n << bits) - 1n;
    const signed = int[1] !== "u";
    const half = 1n << (bits - 1n);
    return (w) => {
      const x = BigInt(`0x${w}`) & mask;
      return signed && x >= half ? x - (1n << bits) : x;
    };
  }
  const bytes = BYTES_N.exec(type);
  if (bytes !== null) {
    const n = Number(bytes[1]);
    return (w) => `0x${w.slice(0, 2 * n).toLowerCase()}`;
  }
  return undefined;
}

/** A decoded log: the fields of ethers' `LogDescription` the laboratory reads. */
export interface DecodedLog {
  name: string;
  fragment: EventFragment;
  args: { getValue(name: string): unknown };
}

class Args {
  constructor(
    private readonly names: readonly string[],
    private readonly values: readonly unknown[],
  ) {}

  getValue(name: string): unknown {
    // ethers' Result: undefined for a name the event does not have
    const k = this.names.indexOf(name);
    return k < 0 ? undefined : this.values[k];
  }
}

const HEX = /^0x[0-9a-fA-F]*$/;

interface EventDecoder {
  fragment: EventFragment;
  /** The arguments, or undefined: ethers decodes. */
  decode: (topics: readonly string[], data: string) => Args | undefined;
}

function makeEventDecoder(fragment: EventFragment): EventDecoder | undefined {
  const decoders = fragment.inputs.map((p) =>
    p.baseType === "tuple" || p.baseType === "array" ? undefined : wordDecoder(p.type),
  );
  if (fragment.anonymous || decoders.some((d) => d === undefined)) return undefined;
  const dec = decoders as WordDecoder[];
  const indexed = fragment.inputs.map((p) => p.indexed === true);
  const names = fragment.inputs.map((p) => p.name);
  const topicCount = 1 + indexed.filter((x) => x).length;
  const dataWords = indexed.length - (topicCount - 1);
  return {
    fragment,
    decode: (topics, data) => {
      if (topics.length !== topicCount || data.length < 2 + 64 * dataWords || data.length % 2 !== 0)
        return undefined;
      if (!HEX.test(data)) return undefined;
      const values: unknown[] = new Array<unknown>(dec.length);
      let t = 1;
      let d = 0;
      for (let k = 0; k < dec.length; k++) {
        let w: string;
        if (indexed[k]) {
          const topic = topics[t++];
          if (topic.length !== 66 || !HEX.test(topic)) return undefined;
          w = topic.slice(2);
        } else {
          w = data.slice(2 + 64 * d, 66 + 64 * d);
          d++;
        }
        const v = dec[k](w);
        if (v === FALLBACK) return undefined;
        values[k] = v;
      }
      return new Args(names, values);
    },
  };
}

/** Topic hashes by fragment (ethers' `topicHash` getter hashes the signature on every read). */
const topics = new WeakMap<EventFragment, string>();

function topicOf(fragment: EventFragment): string {
  let t = topics.get(fragment);
  if (t === undefined) {
    t = fragment.topicHash;
    topics.set(fragment, t);
  }
  return t;
}

/** Event decoders of an interface by topic (undefined: decoded by ethers). */
const eventDecoders = new WeakMap<Interface, Map<string, EventDecoder | undefined>>();

function decodersOf(iface: Interface): Map<string, EventDecoder | undefined> {
  let m = eventDecoders.get(iface);
  if (m === undefined) {
    m = new Map();
    const built = m;
    iface.forEachEvent((f) => {
      const t = topicOf(f);
      if (!f.anonymous && !built.has(t)) built.set(t, makeEventDecoder(f));
    });
    eventDecoders.set(iface, m);
  }
  return m;
}

/** The topic hash of an event of `iface` by name (computed once). */
export function eventTopic(iface: Interface, name: string): string {
  for (const [topic, d] of decodersOf(iface)) if (d?.fragment.name === name) return topic;
  const f = iface.getEvent(name);
  if (f === null) throw new Error(`no event ${name}`);
  return f.topicHash;
}

/** `iface.parseLog(log)`: the same event and values (null when the ABI has no such event). */
export function parseLog(iface: Interface, log: RawLog): DecodedLog | LogDescription | null {
  const topic = log.topics[0];
  const d = typeof topic === "string" ? decodersOf(iface).get(topic.toLowerCase()) : undefined;
  const args = d?.decode(log.topics, log.data);
  if (d === undefined || args === undefined) return iface.parseLog(log);
  return { name: d.fragment.name, fragment: d.fragment, args };
}

/**
 * `iface.decodeEventLog(fragment, data, topics)` for a non-anonymous `fragment` of `iface` whose
 * topic is `topics[0]`: the same values (ethers decodes, and throws, when this cannot).
 */
export function decodeEventLog(
  iface: Interface,
  fragment: EventFragment,
  data: string,
  topics: readonly string[],
): { getValue(name: string): unknown } {
  const topic = topicOf(fragment);
  const d = decodersOf(iface).get(topic);
  const args =
    d !== undefined &&
    d.fragment === fragment &&
    typeof topics[0] === "string" &&
    topics[0].toLowerCase() === topic
      ? d.decode(topics, data)
      : undefined;
  return args ?? iface.decodeEventLog(fragment, data, topics as string[]);
}

// ---- call results ----

type TupleDecoder = (raw: string) => Record<string, unknown> | undefined;
const tupleDecoders = new WeakMap<Interface, Map<string, TupleDecoder | undefined>>();

/**
 * The one static-struct return value of `name` (e.g. `Clearinghouse.marketState`), by field
 * name: the values of `iface.decodeFunctionResult(name, raw)[0]` (ethers decodes, and throws,
 * when the function returns anything else or the data is not one exact struct).
 */
export function decodeStructResult(iface: Interface, name: string, raw: string): Record<string, unknown> {
  let byName = tupleDecoders.get(iface);
  if (byName === undefined) {
    byName = new Map();
    tupleDecoders.set(iface, byName);
  }
  if (!byName.has(name)) byName.set(name, makeTupleDecoder(iface, name));
  const fast = byName.get(name)?.(raw);
  if (fast !== undefined) return fast;
  const out = (
    iface.decodeFunctionResult(name, raw)[0] as { toObject(): Record<string, unknown> }
  ).toObject();
  return out;
}

function makeTupleDecoder(iface: Interface, name: string): TupleDecoder | undefined {
  const fragment = iface.getFunction(name);
  if (fragment === null || fragment.outputs.length !== 1) return undefined;
  const tuple = fragment.outputs[0];
  if (tuple.baseType !== "tuple") return undefined;
  const components = tuple.components ?? [];
  const names = components.map((c) => c.name);
  if (!names.every((n, k) => n !== "" && names.indexOf(n) === k)) return undefined;
  const decoders = components.map((c) =>
    c.baseType === "tuple" || c.baseType === "array" ? undefined : wordDecoder(c.type),
  );
  if (decoders.some((d) => d === undefined)) return undefined;
  const dec = decoders as WordDecoder[];
  return (raw) => {
    if (raw.length !== 2 + 64 * dec.length || !HEX.test(raw)) return undefined;
    const out: Record<string, unknown> = {};
    for (let k = 0; k < dec.length; k++) {
      const v = dec[k](raw.slice(2 + 64 * k, 66 + 64 * k));
      if (v === FALLBACK) return undefined;
      out[names[k]] = v;
    }
    return out;
  };
}
