/**
 * `npm run profile [-- row ...]`: where the gas of the benchmark's
 * transactions goes. Runs the same scenario as `npm run bench`, then replays each measured
 * transaction with `debug_traceTransaction` and prints, per call frame (contract), the gas it
 * used itself (excluding its children), its cold/warm SLOADs, its SSTOREs and the call overhead.
 * With row keys as arguments only those rows are printed (default: borrow, openPosition,
 * modifyPosition).
 *
 * Environment: PROFILE_OPS=1 adds the top opcodes per contract; PROFILE_SRC=1 adds gas per
 * source function (from the artifacts' source maps), PROFILE_SRC=compute the same without
 * SLOAD/SSTORE/LOG, PROFILE_SRC=ops splits the compiler's unattributed code by opcode;
 * PROFILE_TOP=n rows per contract (default 25); PROFILE_SLOTS=1 lists every cold SLOAD and every SSTORE with its cost (contract,
 * function with PROFILE_SRC, slot key) as it happens.
 *
 * `--budget` prints instead, for each of DESIGN.md section 6's gas targets, what the target leaves
 * to the protocol's own code once the transaction's intrinsic cost, the price reads and the token
 * moves are paid (scripts/bench/budget.ts).
 */
import { readFileSync } from "node:fs";

import { BUDGET_GROUPS, formatBudgets, gasBudget, type FrameKind, type TracedTx } from "./budget.js";
import { LIQUIDATION_PROFILE_ROWS, parseProfileArgs, USAGE } from "./profile-args.js";

interface StructLog {
  pc: number;
  op: string;
  gas: number;
  gasCost: number;
  depth: number;
  stack?: string[];
}

interface FrameStats {
  label: string;
  selfGas: number;
  calls: number;
  sloadCold: number;
  sloadWarm: number;
  sstoreGas: number;
  sstores: number;
  callOverhead: number;
  coldAccounts: number;
  logs: number;
  logGas: number;
  ops: Map<string, number>;
  fns: Map<string, number>;
}

/** pc -> "file:function" of one deployed contract, from its artifact's build info source map. */
type PcMap = Map<number, string>;

interface BuildInfoOutput {
  output: {
    sources: Record<string, { id: number }>;
    contracts: Record<
      string,
      Record<string, { evm: { deployedBytecode: { object: string; sourceMap: string } } }>
    >;
  };
}

/** Builds the pc -> enclosing-function map of `artifactPath` (for PROFILE_SRC=1). */
function pcMapOf(artifactPath: string): PcMap {
  const artifact = JSON.parse(readFileSync(artifactPath, "utf8")) as {
    buildInfoId: string;
    inputSourceName: string;
    contractName: string;
  };
  const base = `artifacts/build-info/${artifact.buildInfoId}`;
  const out = JSON.parse(readFileSync(`${base}.output.json`, "utf8")) as BuildInfoOutput;
  const input = JSON.parse(readFileSync(`${base}.json`, "utf8")) as {
    input: { sources: Record<string, { content: string }> };
  };
  const byId = new Map<number, string>();
  for (const [path, v] of Object.entries(out.output.sources)) byId.set(v.id, path);
  let evm = out.output.contracts[artifact.inputSourceName][artifact.contractName].evm.deployedBytecode;
  // optional: a recompile with generatedSources (names the compiler's Yul helpers), made by
  // scripts/bench/generated-sources.cjs; PROFILE_GEN_<ContractName>=<its output file>
  const generated = new Map<number, string>();
  const genPath = process.env[`PROFILE_GEN_${artifact.contractName}`];
  if (genPath) {
    const g = JSON.parse(readFileSync(genPath, "utf8")) as {
      object: string;
      sourceMap: string;
      gen: { id: number; contents: string }[];
    };
    evm = { object: g.object, sourceMap: g.sourceMap };
    for (const src of g.gen) generated.set(src.id, src.contents);
  }
  const code = Buffer.from(evm.object, "hex");
  // instruction index -> pc
  const pcs: number[] = [];
  for (let pc = 0; pc < code.length; pc++) {
    pcs.push(pc);
    const op = code[pc];
    if (op >= 0x60 && op <= 0x7f) pc += op - 0x5f;
  }
  const nameAt = (file: string, offset: number): string => {
    const src = input.input.sources[file]?.content ?? "";
    const before = src.slice(0, offset);
    const m = [...before.matchAll(/function\s+(\w+)|modifier\s+(\w+)/g)].at(-1);
    const short = file.split("/").at(-1)?.replace(".sol", "") ?? file;
    return `${short}.${m ? (m[1] ?? m[2]) : "?"}`;
  };
  const map: PcMap = new Map();
  let s = -1;
  let f = -1;
  const cache = new Map<string, string>();
  evm.sourceMap.split(";").forEach((entry, i) => {
    const parts = entry.split(":");
    if (parts[0] !== undefined && parts[0] !== "") s = Number(parts[0]);
    if (parts[2] !== undefined && parts[2] !== "") f = Number(parts[2]);
    const file = byId.get(f);
    const key = `${f}:${s}`;
    let label = cache.get(key);
    if (label === undefined && generated.has(f)) {
      const fn = [...(generated.get(f) ?? "").slice(0, s).matchAll(/function\s+([\w$]+)/g)].at(-1);
      label = `(yul) ${fn ? fn[1] : "?"}`;
      cache.set(key, label);
    }
    if (label === undefined) {
      label = file === undefined || s < 0 ? "(compiler)" : nameAt(file, s);
      cache.set(key, label);
    }
    if (i < pcs.length) map.set(pcs[i], label);
  });
  return map;
}

const CALLS = new Set(["CALL", "STATICCALL", "DELEGATECALL", "CALLCODE"]);

function addressOfStackWord(word: string): string {
  return `0x${BigInt(word).toString(16).padStart(40, "0")}`.toLowerCase();
}

/** Aggregates a struct-log trace per contract label; returns rows and the total execution gas. */
function analyse(
  logs: StructLog[],
  to: string,
  labels: Map<string, string>,
  pcMaps: Map<string, PcMap>,
): Map<string, FrameStats> {
  const stats = new Map<string, FrameStats>();
  const get = (label: string): FrameStats => {
    let s = stats.get(label);
    if (!s) {
      s = {
        label,
        selfGas: 0,
        calls: 0,
        sloadCold: 0,
        sloadWarm: 0,
        sstoreGas: 0,
        sstores: 0,
        callOverhead: 0,
        coldAccounts: 0,
        logs: 0,
        logGas: 0,
        ops: new Map(),
        fns: new Map(),
      };
      stats.set(label, s);
    }
    return s;
  };
  const name = (addr: string) => labels.get(addr.toLowerCase()) ?? addr;

  // frame stack: label per depth (whose storage and account: a delegatecall stays in its
  // caller's), and the code running there (a delegatecall runs its target's: the source map to use)
  const frames: string[] = [name(to)];
  const codeFrames: string[] = [name(to)];
  get(name(to)).calls++;
  for (let i = 0; i < logs.length; i++) {
    const l = logs[i];
    const label = frames[l.depth - 1] ?? "?";
    const pcMap = pcMaps.get(codeFrames[l.depth - 1] ?? "?");
    const s = get(label);
    if (CALLS.has(l.op)) {
      const stack = l.stack ?? [];
      const target = addressOfStackWord(stack[stack.length - 2]);
      // gas consumed by the call as seen from the caller: up to the next op at the same depth
      let j = i + 1;
      while (j < logs.length && logs[j].depth > l.depth) j++;
      const consumed = j < logs.length ? l.gas - logs[j].gas : l.gasCost;
      // the callee's own consumption: first op's gas minus the gas left after its last op
      let childUsed = 0;
      if (i + 1 < j && logs[i + 1].depth === l.depth + 1) {
        const first = logs[i + 1];
        const last = logs[j - 1];
        childUsed = first.gas - (last.gas - last.gasCost);
      }
      const overhead = consumed - childUsed;
      const fnCall = pcMap?.get(l.pc);
      if (fnCall !== undefined) s.fns.set(fnCall, (s.fns.get(fnCall) ?? 0) + overhead);
      s.selfGas += overhead;
      s.callOverhead += overhead;
      if (overhead >= 2600) s.coldAccounts++;
      const calleeLabel = l.op === "DELEGATECALL" ? label : name(target);
      frames[l.depth] = calleeLabel;
      codeFrames[l.depth] = name(target);
      if (i + 1 < j) get(calleeLabel).calls++;
      continue;
    }
    s.selfGas += l.gasCost;
    s.ops.set(l.op, (s.ops.get(l.op) ?? 0) + l.gasCost);
    let fn = pcMap?.get(l.pc);
    if (fn === "(compiler)" && process.env.PROFILE_SRC === "ops") fn = `(compiler) ${l.op}`;
    const storageOp = l.op === "SLOAD" || l.op === "SSTORE" || l.op.startsWith("LOG");
    if (fn !== undefined && !(process.env.PROFILE_SRC === "compute" && storageOp))
      s.fns.set(fn, (s.fns.get(fn) ?? 0) + l.gasCost);
    if (l.op === "SLOAD") {
      if (l.gasCost >= 2100 && process.env.PROFILE_SLOTS) {
        const key = (l.stack ?? [])[(l.stack ?? []).length - 1];
        console.log(`  cold SLOAD ${label} ${fn ?? "?"} ${key}`);
      }
      if (l.gasCost >= 2100) s.sloadCold++;
      else s.sloadWarm++;
    } else if (l.op === "SSTORE") {
      if (process.env.PROFILE_SLOTS) {
        const key = (l.stack ?? [])[(l.stack ?? []).length - 1];
        console.log(`  SSTORE ${l.gasCost} ${label} ${fn ?? "?"} ${key}`);
      }
      s.sstores++;
      s.sstoreGas += l.gasCost;
    } else if (l.op.startsWith("LOG")) {
      s.logs++;
      s.logGas += l.gasCost;
    } else if (["BALANCE", "EXTCODESIZE", "EXTCODEHASH"].includes(l.op) && l.gasCost >= 2600) {
      s.coldAccounts++;
    }
  }
  return stats;
}

async function main(): Promise<number> {
  let rows: string[];
  let budget: boolean;
  try {
    const parsed = parseProfileArgs(process.argv.slice(2));
    if (parsed === "help") {
      console.log(USAGE);
      return 0;
    }
    ({ rows, budget } = parsed);
  } catch (e) {
    console.error(`profile: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  // loaded once the arguments are known to be good (Hardhat takes a few seconds)
  const { default: hre } = await import("hardhat");
  const { measureGas } = await import("./gas.js");
  const { measureLiquidationGas } = await import("./liquidation.js");
  await hre.tasks.getTask("build").run({ quiet: true, noTests: true });
  const connection = await hre.network.create();
  const labels = new Map<string, string>();
  const hashes: [string, string][] = [];
  const gas = await measureGas(connection.ethers, connection.networkHelpers, {
    onDeployed: (l) => {
      for (const [k, v] of Object.entries(l)) labels.set(v.toLowerCase(), k);
    },
    onMeasured: (key, hash) => hashes.push([key, hash]),
  });
  const liquidationRows: readonly string[] = LIQUIDATION_PROFILE_ROWS;
  if (rows.some((r) => liquidationRows.includes(r))) {
    Object.assign(
      gas,
      await measureLiquidationGas(connection.ethers, connection.networkHelpers, {
        onDeployed: (l) => {
          for (const [k, v] of Object.entries(l)) labels.set(v.toLowerCase(), k);
        },
        onMeasured: (key, hash) => hashes.push([key, hash]),
      }),
    );
  }
  const provider = connection.ethers.provider;
  const pcMaps = new Map<string, PcMap>();
  if (process.env.PROFILE_SRC) {
    pcMaps.set("clearinghouse", pcMapOf("artifacts/contracts/core/Clearinghouse.sol/Clearinghouse.json"));
    // the ledger's delegatecall modules run in the Clearinghouse's frame with their own code
    pcMaps.set(
      "clearinghouseLiquidation",
      pcMapOf("artifacts/contracts/core/ClearinghouseLiquidation.sol/ClearinghouseLiquidation.json"),
    );
    pcMaps.set(
      "clearinghouseSettlement",
      pcMapOf("artifacts/contracts/core/ClearinghouseSettlement.sol/ClearinghouseSettlement.json"),
    );
    pcMaps.set(
      "liquidationEngine",
      pcMapOf("artifacts/contracts/liquidation/LiquidationEngine.sol/LiquidationEngine.json"),
    );
    pcMaps.set("dutchAuction", pcMapOf("artifacts/contracts/liquidation/DutchAuction.sol/DutchAuction.json"));
    pcMaps.set("circuitBreaker", pcMapOf("artifacts/contracts/risk/CircuitBreaker.sol/CircuitBreaker.json"));
    pcMaps.set("oracleRouter", pcMapOf("artifacts/contracts/oracle/OracleRouter.sol/OracleRouter.json"));
    pcMaps.set("marginModel", pcMapOf("artifacts/contracts/risk/MarginModel.sol/MarginModel.json"));
  }
  const missing = rows.filter((r) => !hashes.some(([key]) => key === r));
  if (missing.length > 0) {
    // the bench no longer measures a row this list names: fix CORE/LIQUIDATION_PROFILE_ROWS
    console.error(`profile: the benchmark measured no transaction for ${missing.join(", ")}`);
    return 1;
  }
  const traced = new Map<string, TracedTx>();
  for (const [key, hash] of hashes) {
    if (!rows.includes(key)) continue;
    const tx = await provider.getTransaction(hash);
    if (!tx?.to) continue;
    const trace = (await provider.send("debug_traceTransaction", [
      hash,
      { disableStorage: true, disableMemory: true },
    ])) as { gas: number; structLogs: StructLog[] };
    const stats = analyse(trace.structLogs, tx.to, labels, pcMaps);
    const execGas = trace.structLogs.length > 0 ? trace.structLogs[0].gas - trace.structLogs.at(-1)!.gas : 0;
    const receipt = await provider.getTransactionReceipt(hash);
    const total = Number(receipt?.gasUsed ?? gas[key]);
    const ordered = [...stats.values()].sort((a, b) => b.selfGas - a.selfGas);
    traced.set(key, { totalGas: total, intrinsicGas: total - execGas, frames: ordered });
    if (budget) continue;
    const batch = key.startsWith("liquidateBatch") ? " (whole batch)" : "";
    console.log(
      `\n== ${key}${batch}: ${total} gas (intrinsic + calldata - refunds ${total - execGas}, execution ~${execGas})`,
    );
    console.log(
      "contract".padEnd(22) +
        "frames".padStart(7) +
        "self".padStart(8) +
        "coldSL".padStart(8) +
        "warmSL".padStart(8) +
        "sstores".padStart(8) +
        "sstoreGas".padStart(10) +
        "callOvh".padStart(9) +
        "logGas".padStart(8),
    );
    for (const s of ordered) {
      console.log(
        s.label.slice(0, 21).padEnd(22) +
          String(s.calls).padStart(7) +
          String(s.selfGas).padStart(8) +
          String(s.sloadCold).padStart(8) +
          String(s.sloadWarm).padStart(8) +
          String(s.sstores).padStart(8) +
          String(s.sstoreGas).padStart(10) +
          String(s.callOverhead).padStart(9) +
          String(s.logGas).padStart(8),
      );
      if (process.env.PROFILE_OPS) {
        const top = [...s.ops.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12);
        console.log("    " + top.map(([op, g]) => `${op}:${g}`).join(" "));
      }
      if (s.fns.size > 0) {
        for (const [fn, g] of [...s.fns.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, Number(process.env.PROFILE_TOP ?? 25)))
          console.log(`      ${fn.padEnd(44)} ${String(g).padStart(7)}`);
      }
    }
    printCategories(total - execGas, ordered);
  }
  if (budget) {
    const names = new Set(labels.values());
    // a collateral token is labelled by its symbol, its feed by the symbol and "Feed"
    const kindOf = (label: string): FrameKind =>
      categoryOf(label) === PRICE_READS
        ? "price"
        : label === "stablecoin" || names.has(`${label}Feed`)
          ? "token"
          : "module";
    const budgets = BUDGET_GROUPS.map((g) =>
      gasBudget(
        g,
        g.rows.map((r) => traced.get(r)!),
        kindOf,
      ),
    );
    console.log(
      `\nGas targets (DESIGN.md section 6) against what the protocol's own code spends, per account:\n`,
    );
    console.log(formatBudgets(budgets));
    console.log(
      "\noutside the modules: intrinsic + calldata, the price read (OracleRouter + Chainlink feed, ADR 0006) and the\n" +
        "token moves (collateral ERC-20, stablecoin); the modules' budget is the target less that.",
    );
  }
  return 0;
}

const PRICE_READS = "price reads (router + Chainlink feeds)";

/** Which part of the system a call frame's label belongs to. */
function categoryOf(label: string): string {
  if (label === "oracleRouter" || /feed$/i.test(label)) return PRICE_READS;
  if (label === "marginModel") return "risk levels (MarginModel.riskOf)";
  if (label === "stablecoin") return "stablecoin (mint / burn / transfer)";
  if (label.startsWith("0x")) return "other contracts";
  return label;
}

/**
 * The same transaction by cost category: intrinsic + calldata; the external reads (prices, risk
 * levels) and token calls, each whole (their frames' own gas); and, inside the protocol's own
 * frames, storage reads, storage writes, logs, call overhead and the rest (compute, memory).
 */
function printCategories(intrinsicGas: number, frames: readonly FrameStats[]): void {
  const rows = new Map<string, number>([["intrinsic + calldata - refunds", intrinsicGas]]);
  const add = (k: string, g: number) => rows.set(k, (rows.get(k) ?? 0) + g);
  for (const f of frames) {
    const cat = categoryOf(f.label);
    if (cat !== f.label) {
      add(cat, f.selfGas);
      continue;
    }
    const sload = f.ops.get("SLOAD") ?? 0;
    const logs = f.logGas;
    add(`${f.label}: storage reads (${f.sloadCold} cold, ${f.sloadWarm} warm)`, sload);
    add(`${f.label}: storage writes (${f.sstores})`, f.sstoreGas);
    add(`${f.label}: events`, logs);
    add(`${f.label}: call overhead (incl. cold accounts)`, f.callOverhead);
    add(`${f.label}: compute and memory`, f.selfGas - sload - f.sstoreGas - logs - f.callOverhead);
  }
  const total = [...rows.values()].reduce((a, b) => a + b, 0);
  console.log("  by category (gas, share):");
  for (const [k, g] of rows)
    console.log(
      `    ${k.padEnd(58)} ${String(g).padStart(8)}  ${((g / total) * 100).toFixed(1).padStart(5)}%`,
    );
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
