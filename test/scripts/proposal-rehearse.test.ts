import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { network } from "hardhat";
import { Contract, JsonRpcProvider, ZeroAddress, encodeBytes32String, parseUnits } from "ethers";

import { loadDeployParams, paramsPathFor, type DeployParams } from "../../scripts/deploy/params.js";
import { deploySystem } from "../../scripts/deploy/system.js";
import { runDiffCli } from "../../scripts/governance/diff-cli.js";
import { main } from "../../scripts/governance/rehearse-cli.js";
import { buildParamProposal, parseParamDiff } from "../../scripts/governance/proposal.js";
import { rehearseProposal } from "../../scripts/governance/rehearse.js";

/** Starts `server` on a free port of 127.0.0.1 and returns the port. */
async function listenLocally(server: Server): Promise<number> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  return (server.address() as { port: number }).port;
}

/**
 * `npm run proposal:rehearse` against a node served over JSON-RPC in-process, holding a deployment
 * made as scripts/deploy.ts makes it (local.json's governance: account #9 proposes, anyone
 * executes, the deployer keeps nothing).
 */
describe("proposal:rehearse (a proposal through the real timelock on a development node)", function () {
  this.timeout(180_000);
  const dir = mkdtempSync(join(tmpdir(), "ballast-rehearse-"));
  let close: (() => Promise<void>) | undefined;
  let url: string;
  let record: string;
  let provider: JsonRpcProvider;
  let addresses: Record<string, string>;
  let proposer: string;
  let node: Awaited<ReturnType<typeof network.create>>;
  /** A diff file moving WETH's haircut base to `value` (a decimal of WAD). */
  function diffFile(value: string): string {
    const path = join(dir, `diff-${value}.json`);
    writeFileSync(
      path,
      JSON.stringify([
        {
          target: addresses.marginModel,
          name: "HAIRCUT_BASE_WAD",
          subject: addresses.WETH,
          value: parseUnits(value, 18).toString(),
        },
      ]),
    );
    return path;
  }

  async function haircutBase(): Promise<bigint> {
    const mm = new Contract(
      addresses.marginModel,
      ["function getParam(bytes32, address) view returns (uint256)"],
      provider,
    );
    return (await mm.getParam(encodeBytes32String("HAIRCUT_BASE_WAD"), addresses.WETH)) as bigint;
  }

  before(async function () {
    const server = await network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    close = () => server.close();
    url = `http://${address}:${port}`;
    node = await network.create({ network: "localhost", override: { url } });
    const sys = await deploySystem(node.ethers, loadDeployParams(paramsPathFor("hardhat")));
    addresses = sys.addresses;
    proposer = sys.proposers[0];
    record = join(dir, "localhost.json");
    writeFileSync(
      record,
      JSON.stringify({ addresses, proposers: sys.proposers, executors: sys.executors.map(String) }),
    );
    provider = new JsonRpcProvider(url, undefined, { staticNetwork: true });
  });

  after(async function () {
    provider?.destroy();
    await close?.();
  });

  it("executes a proposal within its step through the timelock, then restores the node", async function () {
    expect(await haircutBase()).to.equal(parseUnits("0.15", 18));
    expect(await main([diffFile("0.17"), "--deployment", record, "--rpc-url", url])).to.equal(0);
    expect(await haircutBase()).to.equal(parseUnits("0.15", 18));
  });

  it("keeps it with --keep", async function () {
    expect(await main([diffFile("0.18"), "--deployment", record, "--rpc-url", url, "--keep"])).to.equal(0);
    expect(await haircutBase()).to.equal(parseUnits("0.18", 18));
  });

  it("reports a proposal beyond the max step as the revert the execution would meet (exit 1)", async function () {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      expect(await main([diffFile("0.3"), "--deployment", record, "--rpc-url", url])).to.equal(1);
    } finally {
      console.log = log;
    }
    const out = lines.join("\n");
    expect(out).to.match(
      /HAIRCUT_BASE_WAD +WETH +180000000000000000 +300000000000000000 +50000000000000000 +NO/,
    );
    expect(out).to.contain("REVERTS at execution: RiskConfig__StepTooLarge(0x48414952435554");
    expect(await haircutBase()).to.equal(parseUnits("0.18", 18));
  });

  it("refuses a node without the deployment, and a diff the deployment does not know (exit 2)", async function () {
    const other = await network.createServer("default", "127.0.0.1", 0);
    const at = await other.listen();
    const errors: string[] = [];
    const err = console.error;
    console.error = (s: string) => errors.push(s);
    try {
      expect(
        await main([diffFile("0.2"), "--deployment", record, "--rpc-url", `http://${at.address}:${at.port}`]),
      ).to.equal(1);
      const unknown = join(dir, "unknown.json");
      writeFileSync(
        unknown,
        JSON.stringify([
          { target: addresses.marginModel, name: "HAIRCUT_BASEWAD", subject: ZeroAddress, value: "1" },
        ]),
      );
      expect(await main([unknown, "--deployment", record, "--rpc-url", url])).to.equal(2);
    } finally {
      console.error = err;
      await other.close();
    }
    expect(errors[0]).to.match(/^proposal:rehearse: no RiskConfig at 0x[0-9a-fA-F]{40} on this node/);
    expect(errors[1]).to.match(
      /"HAIRCUT_BASEWAD" is not a registered marginModel parameter \(did you mean HAIRCUT_BASE_WAD\?\)/,
    );
  });

  it("a proposal written as a parameter file: proposal:diff makes the diff, and it rehearses", async function () {
    const current = paramsPathFor("hardhat");
    const p = JSON.parse(readFileSync(current, "utf8")) as {
      global: { debtCeilingUsd: string };
      assets: { margin: { marginBase: string } }[];
    };
    p.global.debtCeilingUsd = "900000000";
    p.assets[1].margin.marginBase = "0.06";
    const proposed = join(dir, "proposed-params.json");
    writeFileSync(proposed, JSON.stringify(p));
    const out = join(dir, "from-params.json");
    runDiffCli([current, proposed, "--deployment", record, "--out", out]);
    const diff = JSON.parse(readFileSync(out, "utf8")) as { target: string; name: string; subject: string }[];
    expect(diff.map((d) => [d.target, d.name, d.subject])).to.deep.equal([
      [addresses.clearinghouse, "DEBT_CEILING_WAD", ZeroAddress],
      [addresses.marginModel, "MARGIN_BASE_WAD", addresses.WBTC],
    ]);
    expect(await main([out, "--deployment", record, "--rpc-url", url])).to.equal(0);
  });

  /** `main` with console.log and console.error captured. */
  async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const [out, err]: string[][] = [[], []];
    const [log, error] = [console.log, console.error];
    console.log = (s: string) => out.push(s);
    console.error = (s: string) => err.push(s);
    try {
      const code = await main(argv);
      return { code, out: out.join("\n"), err: err.join("\n") };
    } finally {
      [console.log, console.error] = [log, error];
    }
  }

  function writeDiff(
    name: string,
    entries: { target: string; name: string; subject: string; value: string }[],
  ) {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(entries));
    return path;
  }

  it("says when a change equals the current value (RiskConfig skips it: nobody's role is needed), and refuses a parameter twice", async function () {
    const noop = writeDiff("noop.json", [
      {
        target: addresses.marginModel,
        name: "HAIRCUT_BASE_WAD",
        subject: addresses.WETH,
        value: (await haircutBase()).toString(),
      },
      // governance-only: the guardian could "set" it to its current value too (a no-op)
      { target: addresses.marginModel, name: "MODE", subject: addresses.WETH, value: "2" },
    ]);
    const r = await captured([noop, "--deployment", record, "--rpc-url", url]);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/HAIRCUT_BASE_WAD +WETH +(\d+) +\1 +\d+ +yes +no change/);
    expect(r.out).to.match(/MODE +WETH +2 +2 +2 +yes +no change/);
    expect(r.out).to.contain("2 of the 2 changes equal the current value: RiskConfig skips them");
    // the same parameter twice: RiskConfig would refuse the second (one update per block); the
    // diff's check refuses it first, checksum or not
    const twice = writeDiff("twice.json", [
      {
        target: addresses.marginModel,
        name: "HAIRCUT_BASE_WAD",
        subject: addresses.WETH,
        value: "190000000000000000",
      },
      {
        target: addresses.marginModel.toLowerCase(),
        name: "HAIRCUT_BASE_WAD",
        subject: addresses.WETH.toLowerCase(),
        value: "200000000000000000",
      },
    ]);
    const t = await captured([twice, "--deployment", record, "--rpc-url", url]);
    expect(t.code).to.equal(2);
    expect(t.err).to.contain("diff[1]: changes the same parameter as [0]");
  });

  it("a scheduleBatch that reverts: the reason decoded (exit 1), the node restored and the impersonation stopped", async function () {
    const d = writeDiff("margin-base.json", [
      {
        target: addresses.marginModel,
        name: "MARGIN_BASE_WAD",
        subject: addresses.WETH,
        value: "60000000000000000",
      },
    ]);
    const now = Date.now;
    Date.now = () => 1_700_000_000_000; // the same salt twice: the operation is already done
    let r;
    try {
      expect(await main([d, "--deployment", record, "--rpc-url", url, "--keep"])).to.equal(0);
      await provider.send("hardhat_stopImpersonatingAccount", [proposer]);
      const block = await provider.getBlockNumber();
      r = await captured([d, "--deployment", record, "--rpc-url", url]);
      expect(await provider.getBlockNumber()).to.equal(block);
    } finally {
      Date.now = now;
    }
    expect(r.code).to.equal(1);
    expect(r.err).to.match(
      /^proposal:rehearse: scheduleBatch reverts \(proposer 0x[0-9a-fA-F]{40}\): TimelockUnexpectedOperationState\(0x[0-9a-f]{64}, /,
    );
    expect(await provider.send("hardhat_stopImpersonatingAccount", [proposer])).to.equal(false);
  });

  it("leaves an impersonation made before it (docs/fork.md: impersonate governance on the fork)", async function () {
    await provider.send("hardhat_impersonateAccount", [proposer]);
    expect(await main([diffFile("0.19"), "--deployment", record, "--rpc-url", url])).to.equal(0);
    expect(await provider.send("hardhat_stopImpersonatingAccount", [proposer])).to.equal(true);
  });

  it("never prints the node's URL, which may carry an API key: only its host", async function () {
    const refusing = createServer((_req, res) => {
      res.statusCode = 401;
      res.end("unauthorized");
    });
    const port = await listenLocally(refusing);
    try {
      const r = await captured([
        diffFile("0.2"),
        "--deployment",
        record,
        "--rpc-url",
        `http://127.0.0.1:${port}/v3/SECRETKEY?key=SECRET2`,
      ]);
      expect(r.code).to.equal(1);
      expect(r.err).to.contain(`127.0.0.1:${port}`);
      expect(r.err).to.not.match(/SECRET/);
    } finally {
      refusing.close();
    }
  });

  it("on a node that takes no snapshot (a real network) it sends nothing and says to use a fork", async function () {
    // a proxy to the node that answers like a real network: no evm_*, no hardhat_* methods
    const sent: string[] = [];
    const realLike = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const call = JSON.parse(body) as { id: number; method: string };
        sent.push(call.method);
        if (/^(evm_|hardhat_)/.test(call.method)) {
          res.setHeader("content-type", "application/json");
          res.end(
            JSON.stringify({
              jsonrpc: "2.0",
              id: call.id,
              error: { code: -32601, message: "method not found" },
            }),
          );
          return;
        }
        void fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body }).then(
          async (r) => {
            res.setHeader("content-type", "application/json");
            res.end(await r.text());
          },
        );
      });
    });
    const port = await listenLocally(realLike);
    try {
      const r = await captured([
        diffFile("0.2"),
        "--deployment",
        record,
        "--rpc-url",
        `http://127.0.0.1:${port}`,
      ]);
      expect(r.code).to.equal(1);
      expect(r.err).to.match(/the node takes no snapshot .*rehearse on a development node or a fork/);
      expect(sent.filter((m) => /sendTransaction|sendRawTransaction/.test(m))).to.deep.equal([]);
    } finally {
      realLike.close();
    }
  });

  it("does not claim the node restored when evm_revert answers false (a snapshot the node no longer knows)", async function () {
    class Forgetful extends JsonRpcProvider {
      override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
        return method === "evm_revert" ? false : super.send(method, params);
      }
    }
    const forgetful = new Forgetful(url, undefined, { staticNetwork: true });
    const diff = JSON.parse(readFileSync(diffFile("0.2"), "utf8")) as unknown;
    const before = await haircutBase();
    try {
      let thrown: unknown;
      await rehearseProposal(
        forgetful,
        { addresses, proposers: [proposer], executors: [ZeroAddress] },
        parseParamDiff(diff),
        buildParamProposal(addresses.riskConfig, diff),
        [],
      ).catch((e: unknown) => (thrown = e));
      expect(String(thrown)).to.match(
        /RehearsalError: the node did not restore its state \(evm_revert of snapshot/,
      );
    } finally {
      forgetful.destroy();
    }
    expect(await haircutBase()).to.not.equal(before); // (indeed kept: 0.2)
  });

  it("proposal:diff writes each unit as deploySystem registers it: an APR as a per-second RAY, a mode, seconds, token units", async function () {
    const current = paramsPathFor("hardhat");
    const p = JSON.parse(readFileSync(current, "utf8")) as DeployParams;
    p.global.stabilityFeeApr = "0.06";
    p.assets[0].margin.mode = "dynamic";
    p.assets[0].margin.horizonSeconds = 5400;
    p.assets[1].depositCap = "120000";
    const proposed = join(dir, "units-params.json");
    writeFileSync(proposed, JSON.stringify(p));
    const out = join(dir, "units-diff.json");
    runDiffCli([current, proposed, "--deployment", record, "--out", out]);
    const diff = JSON.parse(readFileSync(out, "utf8")) as {
      target: string;
      name: string;
      subject: string;
      value: string;
    }[];
    // the same file deployed: what each parameter holds there
    const fresh = await deploySystem(node.ethers, loadDeployParams(proposed));
    const nameOf = new Map(Object.entries(addresses).map(([k, v]) => [v, k]));
    const registered = await Promise.all(
      diff.map(async (d) => {
        const module = new Contract(
          fresh.addresses[nameOf.get(d.target)!],
          ["function getParam(bytes32, address) view returns (uint256)"],
          provider,
        );
        const subject = d.subject === ZeroAddress ? ZeroAddress : fresh.addresses[nameOf.get(d.subject)!];
        const value = (await module.getParam(encodeBytes32String(d.name), subject)) as bigint;
        return [d.name, value.toString()] as [string, string];
      }),
    );
    expect(diff.map((d) => [d.name, d.value])).to.deep.equal(registered);
    expect(registered.map(([n]) => n)).to.have.members([
      "STABILITY_FEE_PER_SECOND_RAY",
      "MODE",
      "HORIZON_SECONDS",
      "DEPOSIT_CAP",
    ]);
    expect(Object.fromEntries(registered).MODE).to.equal("1");
    const r = await captured([out, "--deployment", record, "--rpc-url", url]);
    expect(r.code).to.equal(0);
    expect(r.out).to.match(/STABILITY_FEE_PER_SECOND_RAY +global +\d+ +\d+ +\d+ +yes +guardian or timelock/);
    expect(r.out).to.match(/MODE +WETH +2 +1 +2 +yes +timelock \(governance-only\)/);
    expect(r.out).to.match(/HORIZON_SECONDS +WETH +3600 +5400 +1800 +yes +guardian or timelock +5400/);
    const { DEPOSIT_CAP: cap, STABILITY_FEE_PER_SECOND_RAY: fee } = Object.fromEntries(registered);
    expect(r.out).to.match(new RegExp(`DEPOSIT_CAP +WBTC +\\d+ +${cap} +\\d+ +yes +timelock +${cap}`));
    expect(r.out).to.match(
      new RegExp(`STABILITY_FEE_PER_SECOND_RAY +global +\\d+ +${fee} +\\d+ +yes .* ${fee}`),
    );
  });
});
