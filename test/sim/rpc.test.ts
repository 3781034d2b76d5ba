/**
 * The simulation over JSON-RPC: a tiny crash run against `npx hardhat node --network default`
 * (this repo's default network, which allows the Clearinghouse's size for now) started as a
 * child process on a free port, and against anvil (`npx --yes
 * @foundry-rs/anvil@1.7.1`, not a dependency: fetched on demand, skipped with a message when it
 * cannot be fetched or started). Both nodes are shut down afterwards.
 */
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

import hre from "hardhat";

import { runSimulation } from "../../simulations/engine.js";
import { crashScenario } from "../../simulations/world/scenarios.js";

const ANVIL = "@foundry-rs/anvil@1.7.1";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the node answers eth_chainId, or rejects after `timeoutMs` or if it exits. */
async function waitForNode(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error("the node exited");
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no answer from ${url} within ${timeoutMs} ms`);
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    try {
      process.kill(-pid, "SIGTERM"); // the process group: npx and the node it started
    } catch {
      child.kill("SIGTERM");
    }
    setTimeout(() => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone
      }
      resolve();
    }, 5_000).unref();
  });
}

/** A few steps of the crash scenario with a handful of accounts. */
const tiny = () =>
  crashScenario({
    steps: { seconds: 60, count: 10 },
    shocks: [{ assets: ["ETH"], atSeconds: 60, drop: 0.4, overSeconds: 180 }],
  });

async function runOn(url: string, dir: string) {
  const result = await runSimulation({
    hre,
    scenario: tiny(),
    seed: 3,
    accounts: 6,
    rpcUrl: url,
    outDir: dir,
    noReport: true,
  });
  expect(result.summary.meta.params?.chain).to.equal("json-rpc");
  expect(result.summary.steps).to.equal(10);
  expect(result.summary.txCount).to.be.greaterThan(10);
  expect(result.agents.oracleUpdates).to.be.greaterThan(1);
  expect(existsSync(join(dir, "metrics.csv"))).to.equal(true);
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as { txCount: number };
  expect(summary.txCount).to.equal(result.summary.txCount);
  return result;
}

describe("simulation over JSON-RPC", function () {
  this.timeout(120_000);
  const root = mkdtempSync(join(tmpdir(), "ballast-sim-rpc-"));
  const children: ChildProcess[] = [];
  after(async () => {
    await Promise.all(children.map(stop));
    rmSync(root, { recursive: true, force: true });
  });

  it("runs against npx hardhat node", async function () {
    const port = await freePort();
    const child = spawn("npx", ["hardhat", "node", "--network", "default", "--port", String(port)], {
      stdio: "ignore",
      detached: true,
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitForNode(url, child, 45_000);
    const result = await runOn(url, join(root, "hardhat-node"));
    expect(result.summary.simulatedBlocks).to.be.greaterThan(0);
    await stop(child);
  });

  it("runs against anvil (fetched with npx; skipped when it cannot be)", async function () {
    const port = await freePort();
    const child = spawn(
      "npx",
      ["--yes", ANVIL, "--port", String(port), "--code-size-limit", "40000", "--silent"],
      { stdio: "ignore", detached: true },
    );
    children.push(child);
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForNode(url, child, 40_000);
    } catch (e) {
      console.log(`      anvil skipped: ${ANVIL} could not be fetched or started (${(e as Error).message})`);
      await stop(child);
      this.skip();
    }
    await runOn(url, join(root, "anvil"));
    await stop(child);
  });
});
