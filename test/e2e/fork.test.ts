import { spawnSync } from "node:child_process";

import { expect } from "chai";
import hre, { network } from "hardhat";
import { ContractFactory, JsonRpcProvider, getAddress, parseUnits, type InterfaceAbi } from "ethers";

import {
  loadDeployParams,
  paramsPathFor,
  parseDeployParams,
  type DeployParams,
} from "../../scripts/deploy/params.js";
import { ForkChainError, forkSmoke, inspectForkedAssets, rpcSetBalance } from "../../scripts/fork/smoke.js";

/**
 * The fork path without the internet: a second in-process chain served over JSON-RPC plays
 * mainnet (a WETH9, a WBTC and two Chainlink MockV3Aggregators on it), and the `mainnetFork`
 * network of hardhat.config.ts forks it, as it forks a real node given in BALLAST_FORK_URL.
 */
/** The message of the ForkChainError `run` rejects with; a failure if it resolves or throws another. */
async function refusal(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    expect(e).to.be.instanceOf(ForkChainError);
    return (e as Error).message;
  }
  expect.fail("expected a ForkChainError");
}

describe("mainnet fork (e2e)", function () {
  this.timeout(120_000);
  let close: (() => Promise<void>) | undefined;
  let url: string;
  let remote: JsonRpcProvider;
  let fileWithRemoteAddresses: DeployParams;
  let remoteWeth: string;

  before(async function () {
    const server = await network.createServer("default", "127.0.0.1", 0);
    const { address, port } = await server.listen();
    close = () => server.close();
    url = `http://${address}:${port}`;
    remote = new JsonRpcProvider(url, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const owner = await remote.getSigner(0);
    const deploy = async (name: string, ...args: unknown[]) => {
      const art = await hre.artifacts.readArtifact(name);
      const c = await new ContractFactory(art.abi as InterfaceAbi, art.bytecode, owner).deploy(...args);
      await c.waitForDeployment();
      return c.getAddress();
    };
    remoteWeth = await deploy("MockWETH9");
    const wbtc = await deploy("MockERC20", "Wrapped BTC", "WBTC", 8);
    const ethUsd = await deploy("MockV3Aggregator", 8, parseUnits("3000", 8));
    const btcUsd = await deploy("MockV3Aggregator", 8, parseUnits("60000", 8));
    // the shipped fork file, with the remote chain's addresses in place of mainnet's
    const raw = JSON.parse(JSON.stringify(loadDeployParams(paramsPathFor("mainnetFork")))) as DeployParams;
    const where: Record<string, [string, string]> = { WETH: [remoteWeth, ethUsd], WBTC: [wbtc, btcUsd] };
    for (const a of raw.assets) [a.address, a.feed.address] = where[a.symbol];
    fileWithRemoteAddresses = parseDeployParams(raw, "mainnetFork.json with the remote's addresses");
  });

  /**
   * A connection forking the remote chain. One block is mined first: EDR runs calls at a block of
   * the forked chain with that chain's hardfork history, which it knows for mainnet and not for a
   * local chain id; from a block of its own it uses the configured hardfork.
   */
  async function forkOfRemote() {
    const fork = await network.create({ network: "mainnetFork", override: { forking: { url } } });
    await fork.networkHelpers.mine();
    return fork;
  }

  after(async function () {
    remote?.destroy();
    await close?.();
  });

  it("ships a parameter file for mainnet: real assets, Chainlink's feeds, no deployer in governance", function () {
    const p = loadDeployParams(paramsPathFor("mainnetFork"));
    expect(p.mocks).to.equal(false);
    const bySymbol = Object.fromEntries(p.assets.map((a) => [a.symbol, [a.address, a.feed.address]]));
    expect(bySymbol).to.deep.equal({
      WETH: ["0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2", "0x5f4eC3Df9cbd43714FE2740f5E3616155c5b8419"],
      WBTC: ["0x2260FAC5E5542a773Aa44fBCfeDf7C193bc2C599", "0xF4030086522a5bEEa4988F8cA5B36dbC97BeE88c"],
    });
    expect(p.governance?.proposers).to.have.length(1);
  });

  it("deploys on the fork against the forked chain's tokens and feeds, and leaves the forked chain alone", async function () {
    const { ethers } = await forkOfRemote();
    const result = await forkSmoke(ethers, fileWithRemoteAddresses, rpcSetBalance(ethers));
    expect(result.assets.map((a) => [a.symbol, a.answerUsd])).to.deep.equal([
      ["WETH", "3000.0"],
      ["WBTC", "60000.0"],
    ]);
    // 10 WETH at the remote feed's 3,000, 30% borrowed
    expect(result.depositedWeth).to.equal("10.0");
    expect(result.borrowedUsd).to.equal("9000.0");
    const [price, ok] = await result.system.oracle.getPrice(remoteWeth);
    expect([price, ok]).to.deep.equal([parseUnits("3000", 18), true]);
    expect(Number(result.healthFactor)).to.be.greaterThan(1);
    expect(await result.system.clearinghouse.debtOf(result.account)).to.be.greaterThanOrEqual(
      parseUnits("9000", 18),
    );
    // governance went to the file's addresses, not the deployer
    expect(result.system.guardian).to.equal(getAddress(fileWithRemoteAddresses.governance!.guardian));
    // the deployment and the deposit live on the fork only
    expect(await remote.getCode(await result.system.clearinghouse.getAddress())).to.equal("0x");
    const wethOnRemote = new ethers.Contract(
      remoteWeth,
      ["function totalSupply() view returns (uint256)"],
      remote,
    );
    expect(await wethOnRemote.totalSupply()).to.equal(0n);
  });

  it("refuses a chain that lacks what the file names, naming the asset", async function () {
    const fork = await forkOfRemote();
    const shipped = loadDeployParams(paramsPathFor("mainnetFork"));
    // the remote has nothing at mainnet's WETH address
    expect(await refusal(inspectForkedAssets(fork.ethers, shipped))).to.match(
      /^WETH: no contract at 0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2 on this chain/,
    );
    const wrongDecimals = structuredClone(fileWithRemoteAddresses);
    wrongDecimals.assets[1].feed.decimals = 18;
    expect(await refusal(inspectForkedAssets(fork.ethers, wrongDecimals))).to.match(
      /^WBTC: the feed has 8 decimals, the file says 18/,
    );
    const local = loadDeployParams(paramsPathFor("hardhat"));
    expect(await refusal(inspectForkedAssets(fork.ethers, local))).to.match(/mocks: true/);
  });

  it("npm run fork:smoke without BALLAST_FORK_URL says what to set, exit 2, before loading a network", function () {
    const env = { ...process.env };
    delete env.BALLAST_FORK_URL;
    const r = spawnSync(process.execPath, ["--import", "tsx", "scripts/fork-smoke.ts"], {
      encoding: "utf8",
      env,
    });
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/^fork:smoke: set BALLAST_FORK_URL to the JSON-RPC URL of a node/);
  });
});
