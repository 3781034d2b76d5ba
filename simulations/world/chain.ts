/**
 * The chain the laboratory runs on, and the one way every agent sends a transaction.
 *
 * - In-process (default): a fresh EDR chain from `hre.network.create()` (this repo's `default`
 *   network), its genesis dated just before the scenario's start, blocks allowed to share a
 *   timestamp and a zero base fee.
 * - `--rpc-url`: any JSON-RPC node (`npx hardhat node`, anvil) through the `localhost` network
 *   with its URL overridden; accounts are funded and impersonated with `hardhat_*` methods (anvil
 *   answers them as aliases of its `anvil_*` methods).
 *
 * Determinism: block timestamps never come from the wall clock. Before every transaction (ours or
 * one sent by ethers during deployment) the chain sets the next block's timestamp from a
 * simulated clock (`setTime`), and views run against the latest block, so the same seed gives the
 * same chain, bit for bit. Automine stays on: one block per transaction.
 *
 * Speed: transactions are sent as raw `eth_sendTransaction` requests with an explicit gas limit
 * (no estimate), from impersonated or unlocked accounts, and their receipts fetched once.
 */
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import type { NetworkConnection } from "hardhat/types/network";
import type { EthereumProvider } from "hardhat/types/providers";
import { keccak256, toUtf8Bytes } from "ethers";

/** A log of a mined transaction (raw JSON-RPC form). */
export interface RawLog {
  address: string;
  topics: string[];
  data: string;
}

/** What a sent transaction did. */
export interface TxResult {
  ok: boolean;
  gasUsed: bigint;
  logs: RawLog[];
  block: number;
  /** Revert message when `ok` is false (best effort). */
  error?: string;
}

/** A transaction as sent, for the throughput benchmark's replay. */
export interface SentTx {
  from: string;
  to: string;
  data: string;
  gas: bigint;
  timestamp: number;
}

export interface ChainOptions {
  /** JSON-RPC URL; in-process EDR when undefined. */
  rpcUrl?: string;
  /** Epoch seconds of the chain's genesis (in-process only). */
  genesisEpoch: number;
}

const DEFAULT_GAS = 3_000_000n;
/** JSON-RPC methods that never change the chain's state (`writesOutsideSend`). */
const READ_ONLY = new Set([
  "eth_call",
  "eth_estimateGas",
  "eth_blockNumber",
  "eth_chainId",
  "net_version",
  "eth_getBlockByNumber",
  "eth_getBlockByHash",
  "eth_getTransactionReceipt",
  "eth_getTransactionByHash",
  "eth_getTransactionCount",
  "eth_getBalance",
  "eth_getCode",
  "eth_getStorageAt",
  "eth_getLogs",
  "eth_gasPrice",
  "eth_maxPriorityFeePerGas",
  "eth_feeHistory",
  "eth_accounts",
  // the next block's timestamp: no account's state
  "evm_setNextBlockTimestamp",
]);
const hex = (n: bigint | number): string => `0x${n.toString(16)}`;
const BIG_BALANCE = hex(10n ** 30n);

interface RpcReceipt {
  status: string;
  gasUsed: string;
  logs: RawLog[];
  blockNumber: string;
}

/** A connected chain with a simulated clock and counters. */
export class Chain {
  /** Transactions mined since the counters were last reset. */
  txCount = 0;
  gasUsed = 0n;
  failedTx = 0;
  /** Transactions recorded for replay (when `recording`). */
  recorded: SentTx[] = [];
  recording = false;
  /** Wall milliseconds spent in sends and calls (profiling). */
  sendMs = 0;
  callMs = 0;
  calls = 0;
  /** JSON-RPC requests to the node by method: count and wall milliseconds (profiling). */
  readonly rpc = new Map<string, { count: number; ms: number }>();
  /** Reverted transactions by `to selector` (diagnostics). */
  readonly failedBySelector = new Map<string, number>();
  /**
   * Requests that may have changed the chain's state outside `send` (anything but the read-only
   * methods below and `send`'s own transactions): a cache of a view is stale once this moves.
   */
  writesOutsideSend = 0;
  /** Watched topic words and the number of mined logs that carried each (see `watchTopic`). */
  private readonly watched = new Map<string, number>();
  private sendingOwn = false;
  private desired: number;
  private last: number;
  private readonly impersonated = new Set<string>();
  private readonly rawRequest: EthereumProvider["request"];

  private constructor(
    readonly connection: NetworkConnection,
    readonly inProcess: boolean,
    genesis: number,
  ) {
    this.desired = genesis;
    this.last = genesis;
    const provider = connection.provider;
    const request = provider.request.bind(provider);
    this.rawRequest = async (args) => {
      if (!READ_ONLY.has(args.method) && !(this.sendingOwn && args.method === "eth_sendTransaction"))
        this.writesOutsideSend++;
      const started = performance.now();
      try {
        return (await request(args)) as unknown;
      } finally {
        const s = this.rpc.get(args.method);
        const ms = performance.now() - started;
        if (s === undefined) this.rpc.set(args.method, { count: 1, ms });
        else {
          s.count++;
          s.ms += ms;
        }
      }
    };
    // every transaction, including the ones ethers sends during deployment, gets its timestamp
    // from the simulated clock
    const patched = async (args: { method: string; params?: unknown[] | object }): Promise<unknown> => {
      if (args.method === "eth_sendTransaction" || args.method === "eth_sendRawTransaction") {
        await this.stampNextBlock();
      }
      return (await this.rawRequest(args)) as unknown;
    };
    (provider as { request: unknown }).request = patched;
  }

  /** Connects (in-process or over JSON-RPC) and aligns the clock with the chain's latest block. */
  static async connect(hre: HardhatRuntimeEnvironment, options: ChainOptions): Promise<Chain> {
    let connection: NetworkConnection;
    if (options.rpcUrl === undefined) {
      connection = await hre.network.create({
        network: "default",
        override: {
          initialDate: new Date(options.genesisEpoch * 1000),
          allowBlocksWithSameTimestamp: true,
          initialBaseFeePerGas: 0n,
        },
      });
    } else {
      connection = await hre.network.create({
        network: "localhost",
        override: { url: options.rpcUrl },
      });
    }
    let latest: { timestamp: string };
    try {
      latest = (await connection.provider.request({
        method: "eth_getBlockByNumber",
        params: ["latest", false],
      })) as { timestamp: string };
    } catch (e) {
      await connection.close();
      throw new Error(`cannot reach the JSON-RPC node at ${options.rpcUrl}: ${(e as Error).message}`);
    }
    const chain = new Chain(connection, options.rpcUrl === undefined, Number(BigInt(latest.timestamp)));
    return chain;
  }

  get ethers(): NetworkConnection["ethers"] {
    return this.connection.ethers;
  }

  /** Raw request (the timestamping wrapper included). */
  request(method: string, params: unknown[] = []): Promise<unknown> {
    return this.connection.provider.request({ method, params });
  }

  /** The simulated time the next transactions should carry (never moves backwards). */
  setTime(epochSeconds: number): void {
    if (!Number.isFinite(epochSeconds))
      throw new RangeError(`simulated time must be finite, got ${epochSeconds}`);
    const t = Math.ceil(epochSeconds);
    if (t > this.desired) this.desired = t;
  }

  /** Timestamp of the last block this clock stamped. */
  get now(): number {
    return Math.max(this.last, this.desired);
  }

  private async stampNextBlock(): Promise<void> {
    const ts = this.inProcess ? Math.max(this.desired, this.last) : Math.max(this.desired, this.last + 1);
    await this.rawRequest({ method: "evm_setNextBlockTimestamp", params: [hex(ts)] });
    this.last = ts;
  }

  /** Gives `address` ether for gas and lets the node send from it without a key. */
  async impersonate(address: string): Promise<void> {
    const a = address.toLowerCase();
    if (this.impersonated.has(a)) return;
    await this.rawRequest({ method: "hardhat_setBalance", params: [a, BIG_BALANCE] });
    await this.rawRequest({ method: "hardhat_impersonateAccount", params: [a] });
    this.impersonated.add(a);
  }

  /** Sends a transaction and waits for it (automine). Never throws for a revert. */
  async send(from: string, to: string, data: string, gas: bigint = DEFAULT_GAS): Promise<TxResult> {
    const started = performance.now();
    try {
      return await this.sendInner(from, to, data, gas);
    } finally {
      this.sendMs += performance.now() - started;
    }
  }

  private async sendInner(from: string, to: string, data: string, gas: bigint): Promise<TxResult> {
    const tx: Record<string, string> = { from, to, data, gas: hex(gas) };
    if (this.inProcess) {
      tx.maxFeePerGas = "0x0";
      tx.maxPriorityFeePerGas = "0x0";
    }
    let hash: string | undefined;
    let error: string | undefined;
    const before = this.txCount;
    this.sendingOwn = true;
    try {
      hash = (await this.request("eth_sendTransaction", [tx])) as string;
    } catch (e) {
      if (this.recording) this.recorded.push({ from, to, data, gas, timestamp: this.last });
      error = (e as Error).message;
      // Hardhat mines a reverting transaction in automine mode and throws with its hash
      const minedHash = (e as { transactionHash?: unknown }).transactionHash;
      if (typeof minedHash === "string") hash = minedHash;
      if (hash === undefined) {
        this.failedTx++;
        if (process.env.SIM_DEBUG !== undefined && this.failedTx < 20)
          console.error("send failed", from, to, data.slice(0, 10), error.slice(0, 300));
        return { ok: false, gasUsed: 0n, logs: [], block: -1, error };
      }
    } finally {
      this.sendingOwn = false;
    }
    if (this.recording && error === undefined)
      this.recorded.push({ from, to, data, gas, timestamp: this.last });
    const receipt = await this.receipt(hash);
    const gasUsed = BigInt(receipt.gasUsed);
    this.txCount = before + 1;
    this.gasUsed += gasUsed;
    const ok = receipt.status === "0x1";
    if (ok && this.watched.size > 0) this.countWatched(receipt.logs);
    if (!ok) {
      this.failedTx++;
      const k = `${to.toLowerCase()} ${data.slice(0, 10)}`;
      this.failedBySelector.set(k, (this.failedBySelector.get(k) ?? 0) + 1);
    }
    return {
      ok,
      gasUsed,
      logs: ok ? receipt.logs : [],
      block: Number(BigInt(receipt.blockNumber)),
      error: ok ? undefined : (error ?? "reverted"),
    };
  }

  /**
   * Starts counting the mined logs that carry `word` (a 32-byte topic, e.g. an account's address
   * word) in an indexed topic, from now on. A view that depends only on storage every write of
   * which emits such a log (e.g. `Clearinghouse.auctionsOf(account)`) is unchanged while
   * `watchedCount(word)` and `writesOutsideSend` are.
   */
  watchTopic(word: string): void {
    const w = word.toLowerCase();
    if (!this.watched.has(w)) this.watched.set(w, 0);
  }

  /** Logs that carried `word` since `watchTopic(word)` (undefined when it is not watched). */
  watchedCount(word: string): number | undefined {
    return this.watched.get(word.toLowerCase());
  }

  private countWatched(logs: readonly RawLog[]): void {
    for (const log of logs)
      for (let k = 1; k < log.topics.length; k++) {
        const w = log.topics[k].toLowerCase();
        const n = this.watched.get(w);
        if (n !== undefined) this.watched.set(w, n + 1);
      }
  }

  /** The receipt of a sent transaction (a node that mines in the background is polled). */
  private async receipt(hash: string): Promise<RpcReceipt> {
    for (let wait = 1; ; wait = Math.min(wait * 2, 100)) {
      const r = (await this.rawRequest({
        method: "eth_getTransactionReceipt",
        params: [hash],
      })) as RpcReceipt | null;
      if (r !== null) return r;
      if (this.inProcess) throw new Error(`no receipt for ${hash}`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** eth_call against the latest block; returns the raw result (throws on revert). */
  async call(to: string, data: string, from?: string): Promise<string> {
    const started = performance.now();
    try {
      return (await this.rawRequest({
        method: "eth_call",
        params: [from === undefined ? { to, data } : { from, to, data }, "latest"],
      })) as string;
    } finally {
      this.callMs += performance.now() - started;
      this.calls++;
    }
  }

  async blockNumber(): Promise<number> {
    return Number(BigInt((await this.rawRequest({ method: "eth_blockNumber", params: [] })) as string));
  }

  async snapshot(): Promise<string> {
    return (await this.rawRequest({ method: "evm_snapshot", params: [] })) as string;
  }

  async revert(id: string): Promise<void> {
    await this.rawRequest({ method: "evm_revert", params: [id] });
  }

  /**
   * Replays `txs` as fast as the node takes them: timestamp, send, nothing else (no receipt, no
   * decoding). The throughput benchmark's "raw" baseline for the same transaction mix.
   */
  async replay(txs: readonly SentTx[]): Promise<number> {
    let sent = 0;
    for (const t of txs) {
      await this.rawRequest({ method: "evm_setNextBlockTimestamp", params: [hex(t.timestamp)] });
      const tx: Record<string, string> = { from: t.from, to: t.to, data: t.data, gas: hex(t.gas) };
      if (this.inProcess) {
        tx.maxFeePerGas = "0x0";
        tx.maxPriorityFeePerGas = "0x0";
      }
      try {
        await this.rawRequest({ method: "eth_sendTransaction", params: [tx] });
      } catch {
        // reverted, as it did in the run
      }
      sent++;
    }
    return sent;
  }

  /** Closes the connection (in-process: frees the chain). */
  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** A deterministic address for a simulated participant (`label`, e.g. "account/17"). */
export function simAddress(label: string): string {
  return `0x${keccak256(toUtf8Bytes(`ballast-sim/${label}`)).slice(-40)}`;
}
