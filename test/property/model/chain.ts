/**
 * The chain side shared by every property suite (the ledger suite's model/system.ts and the
 * liquidation suites' model/liqsystem.ts): snapshots, raw JSON-RPC reads (about four times faster
 * than contract calls), one batched `eth_call` through test/property/LedgerReader.sol, and
 * transactions that are always mined at a timestamp the model chose (an explicit gas limit skips
 * gas estimation, so a reverting transaction is mined too and the revert happens at a known time),
 * returning the decoded custom error or, when the system decodes events, the receipt's logs.
 */
import { Interface, type Fragment, type LogDescription, type Result } from "ethers";

export interface EthProvider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

export interface Actor {
  name: string;
  address: string;
}

/** What the shared helpers need of a deployed property system. */
export interface ChainSystem {
  provider: EthProvider;
  /** The deployment snapshot `restore` returns to (renewed on every restore). */
  snapshotId: string;
  /** Every custom error the system can raise, for decoding reverts. */
  errors: Interface;
  /** Events decoded from receipts; undefined: `sendAt` does not fetch receipts. */
  events?: Interface;
  /** Batched reader (test/property/LedgerReader.sol). */
  reader: string;
  readerIface: Interface;
  /** Gas limit of every transaction (hex). */
  gasLimit: string;
}

export type TxResult =
  | { ok: true; logs: LogDescription[]; hash: string }
  | { ok: false; errorName: string; args: Result | undefined; raw: string };

export interface ReadCall {
  to: string;
  data: string;
}

/** One interface with every custom error (or event) of `ifaces`, each selector once. */
export function mergedInterface(ifaces: readonly Interface[], what: "errors" | "events"): Interface {
  const seen = new Set<string>();
  const fragments: Fragment[] = [];
  for (const i of ifaces) {
    if (what === "errors") {
      i.forEachError((e) => {
        if (!seen.has(e.selector)) {
          seen.add(e.selector);
          fragments.push(e);
        }
      });
    } else {
      i.forEachEvent((e) => {
        if (!seen.has(e.topicHash)) {
          seen.add(e.topicHash);
          fragments.push(e);
        }
      });
    }
  }
  return new Interface(fragments);
}

/** Takes the deployment snapshot. */
export async function snapshot(sys: { provider: EthProvider }): Promise<string> {
  return (await sys.provider.request({ method: "evm_snapshot" })) as string;
}

/** Restores the deployment snapshot (and takes a fresh one, as evm_revert consumes it). */
export async function restore(sys: { provider: EthProvider; snapshotId: string }): Promise<void> {
  const ok = await sys.provider.request({ method: "evm_revert", params: [sys.snapshotId] });
  if (ok !== true) throw new Error("evm_revert failed");
  sys.snapshotId = await snapshot(sys);
}

/** eth_call at the latest block, decoded. */
export async function read(
  sys: { provider: EthProvider },
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[] = [],
): Promise<Result> {
  const data = iface.encodeFunctionData(fn, args);
  const out = (await sys.provider.request({
    method: "eth_call",
    params: [{ to, data }, "latest"],
  })) as string;
  return iface.decodeFunctionResult(fn, out);
}

/** The first return value of a view, as a bigint. */
export async function readBig(
  sys: { provider: EthProvider },
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[] = [],
): Promise<bigint> {
  return (await read(sys, iface, to, fn, args))[0] as bigint;
}

/** Encodes a batch for `multiRead` once (a suite that reads the same views every time keeps it). */
export function encodeBatch(sys: ChainSystem, calls: readonly ReadCall[]): string {
  return sys.readerIface.encodeFunctionData("aggregate", [calls.map((c) => c.to), calls.map((c) => c.data)]);
}

/**
 * One eth_call for a whole batch: the latest block's timestamp and each call's return data as
 * hex without 0x (undefined when that call reverted).
 */
export async function multiRead(
  sys: ChainSystem,
  batch: string,
  count: number,
): Promise<{ timestamp: bigint; results: (string | undefined)[] }> {
  const out = (await sys.provider.request({
    method: "eth_call",
    params: [{ to: sys.reader, data: batch }, "latest"],
  })) as string;
  // ABI `bytes`: offset word, length word, then the packed payload
  const hex = out.slice(2);
  const len = Number(BigInt(`0x${hex.slice(64, 128)}`));
  const body = hex.slice(128, 128 + 2 * len);
  const timestamp = BigInt(`0x${body.slice(0, 64)}`);
  const results: (string | undefined)[] = [];
  let at = 64;
  for (let i = 0; i < count; i++) {
    const n = BigInt(`0x${body.slice(at, at + 64)}`);
    at += 64;
    if (n === (1n << 256n) - 1n) {
      results.push(undefined);
      continue;
    }
    results.push(body.slice(at, at + 2 * Number(n)));
    at += 2 * Number(n);
  }
  return { timestamp, results };
}

/** `multiRead` of a batch encoded on the spot. */
export async function multiCall(
  sys: ChainSystem,
  calls: readonly ReadCall[],
): Promise<{ timestamp: bigint; results: (string | undefined)[] }> {
  return multiRead(sys, encodeBatch(sys, calls), calls.length);
}

/** Word `i` of ABI return data (hex without 0x), unsigned. */
export function word(hex: string, i: number): bigint {
  return BigInt(`0x${hex.slice(64 * i, 64 * i + 64)}`);
}

/** Word `i` of ABI return data, signed. */
export function sword(hex: string, i: number): bigint {
  return BigInt.asIntN(256, word(hex, i));
}

/** Word `i` of ABI return data, as an address (lower case). */
export function addrWord(hex: string, i: number): string {
  return `0x${hex.slice(64 * i + 24, 64 * i + 64)}`;
}

export async function latestTimestamp(sys: { provider: EthProvider }): Promise<bigint> {
  const b = (await sys.provider.request({ method: "eth_getBlockByNumber", params: ["latest", false] })) as {
    timestamp: string;
  };
  return BigInt(b.timestamp);
}

/** Mines an empty block at `timestamp`. */
export async function mineAt(sys: { provider: EthProvider }, timestamp: bigint): Promise<void> {
  await sys.provider.request({ method: "evm_mine", params: [Number(timestamp)] });
}

function revertData(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur !== null && typeof cur === "object"; i++) {
    const o = cur as Record<string, unknown>;
    if (typeof o.data === "string" && o.data.startsWith("0x")) return o.data;
    if (o.data !== null && typeof o.data === "object") {
      const d = (o.data as Record<string, unknown>).data;
      if (typeof d === "string" && d.startsWith("0x")) return d;
    }
    cur = o.error ?? o.info ?? o.cause;
  }
  return undefined;
}

/**
 * Sends `fn(args)` from `from` in a block mined at `timestamp`. Returns the decoded custom error
 * on revert; on success the receipt's logs that `sys.events` decodes (none when it is undefined).
 */
export async function sendAt(
  sys: ChainSystem,
  timestamp: bigint,
  from: string,
  iface: Interface,
  to: string,
  fn: string,
  args: readonly unknown[],
): Promise<TxResult> {
  await sys.provider.request({ method: "evm_setNextBlockTimestamp", params: [Number(timestamp)] });
  const data = iface.encodeFunctionData(fn, args);
  let hash: string;
  try {
    hash = (await sys.provider.request({
      method: "eth_sendTransaction",
      params: [{ from, to, data, gas: sys.gasLimit }],
    })) as string;
  } catch (e) {
    const raw = revertData(e);
    if (raw === undefined) {
      return {
        ok: false,
        errorName: `<no revert data: ${String((e as Error).message).slice(0, 300)}>`,
        args: undefined,
        raw: "",
      };
    }
    if (raw === "0x") return { ok: false, errorName: "<empty revert>", args: undefined, raw };
    try {
      const d = sys.errors.parseError(raw);
      if (d !== null) return { ok: false, errorName: d.name, args: d.args, raw };
    } catch {
      // fall through
    }
    return { ok: false, errorName: `<undecoded ${raw.slice(0, 10)}>`, args: undefined, raw };
  }
  const logs: LogDescription[] = [];
  if (sys.events === undefined) return { ok: true, logs, hash };
  const receipt = (await sys.provider.request({ method: "eth_getTransactionReceipt", params: [hash] })) as {
    logs: { address: string; topics: string[]; data: string }[];
  };
  for (const log of receipt.logs) {
    try {
      const d = sys.events.parseLog({ topics: log.topics, data: log.data });
      if (d !== null) logs.push(d);
    } catch {
      // an event of another contract (tokens, oracle): not compared
    }
  }
  return { ok: true, logs, hash };
}
