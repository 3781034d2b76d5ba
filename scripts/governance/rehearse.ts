/**
 * Rehearses a risk-parameter proposal on a development node that holds the deployment (a local
 * node, or a fork of the network it runs on: `npx hardhat node --fork <url>`), through the real
 * timelock: reads each parameter's current value and rule from the chain (`getParam`,
 * `RiskConfig.ruleOf`, `isTightening`), impersonates a proposer to schedule the batch, moves time
 * past the timelock's delay, executes it, and reads the values back. The node's state is restored
 * afterwards (`evm_snapshot` / `evm_revert`) unless asked to keep it. A real network refuses the
 * snapshot (and the impersonation), so nothing can be sent there.
 */
import {
  Contract,
  Interface,
  ZeroAddress,
  ZeroHash,
  encodeBytes32String,
  getAddress,
  id,
  toBeHex,
  type ContractTransactionResponse,
  type InterfaceAbi,
  type JsonRpcProvider,
} from "ethers";

import type { ParamChange, TimelockBatch } from "./proposal.js";

/** What the chain says of one change before the rehearsal, and the value after it. */
export interface RehearsalRow {
  target: string;
  name: string;
  subject: string;
  current: bigint;
  proposed: bigint;
  maxStep: bigint;
  governanceOnly: boolean;
  /** In the parameter's safer direction (what the guardian may do alone). */
  tightening: boolean;
  /** |proposed - current| <= maxStep: one update suffices. */
  withinStep: boolean;
  /** Read back after the execution (undefined when it reverted). */
  after?: bigint;
}

export interface RehearsalResult {
  rows: RehearsalRow[];
  proposer: string;
  executor: string;
  delaySeconds: bigint;
  /** The execution's revert, decoded (undefined: it executed). */
  revert?: string;
  /** True when the node's state was restored after the rehearsal. */
  restored: boolean;
}

/** A node or a deployment the rehearsal cannot use: the message says which and why. */
export class RehearsalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RehearsalError";
  }
}

const RISK_CONFIG_ABI = [
  "function ruleOf(address target, bytes32 name, address subject) view returns (tuple(uint128 maxStep, bool higherIsSafer, bool registered, bool governanceOnly))",
  "function isTightening(address target, bytes32 name, address subject, uint256 newValue) view returns (bool)",
];
const PARAM_TARGET_ABI = ["function getParam(bytes32 name, address subject) view returns (uint256)"];
const TIMELOCK_ABI = [
  "function getMinDelay() view returns (uint256)",
  "function hasRole(bytes32 role, address account) view returns (bool)",
  "function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay)",
  "function executeBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt) payable",
];
const PROPOSER_ROLE = id("PROPOSER_ROLE");
/** ETH an impersonated account is given when it holds less, for the rehearsal's gas. */
const GAS_MONEY_WEI = 10n ** 18n;
const EXECUTOR_ROLE = id("EXECUTOR_ROLE");

/** Decodes a revert's data with the first interface that knows its selector. */
export function decodeRevert(data: string | undefined, interfaces: readonly Interface[]): string {
  if (data === undefined || data === "0x") return "reverted without data";
  for (const iface of interfaces) {
    try {
      const e = iface.parseError(data);
      if (e !== null) return `${e.name}(${e.args.map((a: unknown) => String(a)).join(", ")})`;
    } catch {
      // not this interface's
    }
  }
  if (data.startsWith("0x08c379a0")) {
    const text = new Interface(["error Error(string)"]).parseError(data);
    if (text !== null) return `Error(${JSON.stringify(text.args[0])})`;
  }
  return `reverted with unknown data ${data.slice(0, 10)}`;
}

/** The revert data of an ethers error, wherever the provider put it. */
function revertData(e: unknown): string | undefined {
  const err = e as { data?: string; info?: { error?: { data?: string | { data?: string } } } };
  if (typeof err.data === "string") return err.data;
  const inner = err.info?.error?.data;
  return typeof inner === "string" ? inner : inner?.data;
}

/**
 * Rehearses `batch` (built from `changes` by `buildParamProposal`) on the node at `provider`.
 * @param deployment The deployment record: `addresses` (riskConfig, timelock), `proposers`, `executors`.
 * @param abis Contract ABIs to decode reverts with (the modules', the RiskConfig's, the timelock's).
 */
export async function rehearseProposal(
  provider: JsonRpcProvider,
  deployment: { addresses: Record<string, string>; proposers?: string[]; executors?: string[] },
  changes: readonly ParamChange[],
  batch: TimelockBatch,
  abis: readonly InterfaceAbi[],
  options: { keep?: boolean } = {},
): Promise<RehearsalResult> {
  const { riskConfig, timelock } = deployment.addresses;
  if (timelock === undefined) throw new RehearsalError("the deployment record lists no timelock address");
  for (const [what, at] of [
    ["RiskConfig", riskConfig],
    ["timelock", timelock],
  ] as const)
    if ((await provider.getCode(at)) === "0x")
      throw new RehearsalError(
        `no ${what} at ${at} on this node: is it the network of the deployment record (or a fork of it)?`,
      );
  const rc = new Contract(riskConfig, RISK_CONFIG_ABI, provider);
  const tl = new Contract(timelock, TIMELOCK_ABI, provider);

  const rows: RehearsalRow[] = [];
  for (const c of changes) {
    const target = new Contract(c.target, PARAM_TARGET_ABI, provider);
    const name = encodeBytes32String(c.name);
    const current = (await target.getParam(name, c.subject)) as bigint;
    const rule = (await rc.ruleOf(c.target, name, c.subject)) as {
      maxStep: bigint;
      governanceOnly: boolean;
      registered: boolean;
    };
    if (!rule.registered)
      throw new RehearsalError(
        `${c.name} for ${c.subject} is not registered in the RiskConfig at ${riskConfig}`,
      );
    const tightening = rule.governanceOnly
      ? false
      : ((await rc.isTightening(c.target, name, c.subject, c.value)) as boolean);
    const distance = c.value > current ? c.value - current : current - c.value;
    rows.push({
      target: c.target,
      name: c.name,
      subject: c.subject,
      current,
      proposed: c.value,
      maxStep: rule.maxStep,
      governanceOnly: rule.governanceOnly,
      tightening,
      withinStep: distance <= rule.maxStep,
    });
  }

  const proposer = await findHolder(tl, PROPOSER_ROLE, deployment.proposers ?? [], "proposer");
  const open = (await tl.hasRole(EXECUTOR_ROLE, ZeroAddress)) as boolean;
  const executor = open
    ? proposer
    : await findHolder(tl, EXECUTOR_ROLE, deployment.executors ?? [], "executor");
  const delaySeconds = (await tl.getMinDelay()) as bigint;

  let snapshot: string;
  try {
    snapshot = (await provider.send("evm_snapshot", [])) as string;
  } catch (e) {
    throw new RehearsalError(
      `the node takes no snapshot (${(e as Error).message.split("\n")[0]}): rehearse on a development node or a fork (npx hardhat node --fork <url>), never on the network itself`,
    );
  }
  const accounts = [...new Set([proposer, executor])];
  // accounts impersonated before the rehearsal (docs/fork.md: governance played on the fork) stay so
  const impersonatedBefore = new Set<string>();
  let revert: string | undefined;
  let restoreRefused = false;
  try {
    for (const who of accounts) if (await impersonate(provider, who)) impersonatedBefore.add(who);
    const salt = id(`ballast-rehearsal-${Date.now()}`);
    const args = [batch.targets, batch.values, batch.payloads, ZeroHash, salt] as const;
    const send = async (from: string, fn: string, ...a: unknown[]) =>
      (
        (await (tl.connect(await provider.getSigner(from)) as Contract).getFunction(fn)(
          ...a,
        )) as ContractTransactionResponse
      ).wait();
    try {
      await send(proposer, "scheduleBatch", ...args, delaySeconds);
    } catch (e) {
      const data = revertData(e);
      if (data === undefined) throw e;
      throw new RehearsalError(
        `scheduleBatch reverts (proposer ${proposer}): ${decodeRevert(
          data,
          abis.map((a) => new Interface(a)),
        )}`,
      );
    }
    await provider.send("evm_increaseTime", [toBeHex(delaySeconds)]);
    await provider.send("evm_mine", []);
    try {
      await send(executor, "executeBatch", ...args);
    } catch (e) {
      revert = decodeRevert(
        revertData(e),
        abis.map((a) => new Interface(a)),
      );
    }
    if (revert === undefined)
      for (const r of rows)
        r.after = (await new Contract(r.target, PARAM_TARGET_ABI, provider).getParam(
          encodeBytes32String(r.name),
          r.subject,
        )) as bigint;
  } finally {
    for (const who of accounts)
      if (!impersonatedBefore.has(who))
        await provider.send("hardhat_stopImpersonatingAccount", [who]).catch(() => undefined);
    // Hardhat answers false (it does not throw) for a snapshot it no longer knows
    if (!options.keep) restoreRefused = (await provider.send("evm_revert", [snapshot])) !== true;
  }
  if (restoreRefused)
    throw new RehearsalError(
      `the node did not restore its state (evm_revert of snapshot ${snapshot} refused): restart it`,
    );
  return { rows, proposer, executor, delaySeconds, revert, restored: !options.keep };
}

/** The first of `candidates` holding `role` on the timelock. */
async function findHolder(
  tl: Contract,
  role: string,
  candidates: readonly string[],
  what: string,
): Promise<string> {
  for (const c of candidates)
    if (c !== ZeroAddress && ((await tl.hasRole(role, c)) as boolean)) return getAddress(c);
  throw new RehearsalError(
    `none of the deployment record's ${what}s (${candidates.join(", ") || "none listed"}) holds the timelock's ${what} role on this node`,
  );
}

/**
 * Impersonation with gas money; a real network refuses it, and so the rehearsal. Returns whether
 * the account was impersonated already (`hardhat_stopImpersonatingAccount` answers true then).
 */
async function impersonate(provider: JsonRpcProvider, who: string): Promise<boolean> {
  try {
    const before = (await provider.send("hardhat_stopImpersonatingAccount", [who])) === true;
    await provider.send("hardhat_impersonateAccount", [who]);
    // gas money only when short: a restored node gets its balance back, a kept one keeps more
    if ((await provider.getBalance(who)) < GAS_MONEY_WEI)
      await provider.send("hardhat_setBalance", [who, toBeHex(GAS_MONEY_WEI)]);
    return before;
  } catch (e) {
    throw new RehearsalError(
      `the node does not impersonate accounts (${(e as Error).message.split("\n")[0]}): rehearse on a development node or a fork (npx hardhat node --fork <url>), never on the network itself`,
    );
  }
}
