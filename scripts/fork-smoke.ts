/**
 * `npm run fork:smoke`: deploys Ballast on a local fork of a real chain and runs one account
 * through it at the live Chainlink prices (scripts/fork/smoke.ts, docs/fork.md).
 *
 *   BALLAST_FORK_URL=https://<mainnet node> npm run fork:smoke
 *
 * BALLAST_FORK_BLOCK pins the block (an archive node is needed for an old one); BALLAST_PARAMS
 * replaces the parameter file (default scripts/deploy/params/mainnetFork.json). Exit codes: 0 done,
 * 1 the run failed (the message names the asset or the step), 2 no fork URL.
 */
import { network } from "hardhat";

import { DeployParamsError, loadDeployParams, paramsPathFor } from "./deploy/params.js";
import { ForkChainError, forkSmoke, rpcSetBalance } from "./fork/smoke.js";

/** The fork's connection, its first block mined; an error names the node's host, not its URL. */
async function connectFork(url: string) {
  try {
    const connection = await network.create("mainnetFork");
    // from a block of its own the fork runs calls with the configured hardfork; at the forked
    // block EDR needs that chain's hardfork history, which it has for mainnet but not every chain
    await connection.networkHelpers.mine();
    return connection;
  } catch (e) {
    let host = "BALLAST_FORK_URL"; // the host only: a node's URL often carries an API key
    try {
      host = new URL(url).host;
    } catch {
      // not a URL: Hardhat's message says so
    }
    throw new ForkChainError(`cannot fork ${host}: ${(e as Error).message.split("\n")[0]}`);
  }
}

async function main(): Promise<number> {
  const url = process.env.BALLAST_FORK_URL;
  if (!url) {
    console.error(
      "fork:smoke: set BALLAST_FORK_URL to the JSON-RPC URL of a node of the chain to fork (for the shipped file, Ethereum mainnet; an archive node to pin an old block with BALLAST_FORK_BLOCK)",
    );
    return 2;
  }
  const paramsPath = process.env.BALLAST_PARAMS ?? paramsPathFor("mainnetFork");
  const params = loadDeployParams(paramsPath);
  const connection = await connectFork(url);
  const { ethers } = connection;
  const r = await forkSmoke(ethers, params, rpcSetBalance(ethers));
  console.log(`Forked chain ${r.chainId} at block ${r.blockNumber}; parameters ${paramsPath}`);
  for (const a of r.assets)
    console.log(
      `  ${a.symbol.padEnd(6)} token ${a.token}  feed ${a.feed}  ${a.answerUsd} USD, updated ${a.ageSeconds} s before the block`,
    );
  console.log("Ballast deployed on the fork:");
  for (const [name, address] of Object.entries(r.system.addresses))
    console.log(`  ${name.padEnd(24)} ${address}`);
  console.log(
    `Account ${r.account}: deposited ${r.depositedWeth} WETH, borrowed ${r.borrowedUsd} bUSD, health factor ${r.healthFactor}`,
  );
  console.log(
    `Governance: guardian ${r.system.guardian}, proposers ${r.system.proposers.join(", ")}; impersonate them (hardhat_impersonateAccount) to act as governance on the fork`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ForkChainError || error instanceof DeployParamsError)
      console.error(`fork:smoke: ${error.message}`);
    else console.error(`fork:smoke: failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
