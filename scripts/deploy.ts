/**
 * Deploys the whole Ballast system to the network Hardhat was started with:
 *
 *   npx hardhat node                                        # terminal 1
 *   npx hardhat run scripts/deploy.ts --network localhost   # terminal 2
 *
 * Parameters come from `BALLAST_PARAMS` (a path) or the shipped file of the network
 * (`scripts/deploy/params/<network>.json`, `local.json` for hardhat/localhost/anvil).
 * Prints the addresses and the roles and writes them to `deployments/<networkName>.json`.
 *
 * Governance comes from the file's `governance` section: after the hand-over the timelock's
 * proposers (and cancellers) and executors are the ones named there (`"anyone"`: open execution),
 * the guardian is `governance.guardian`, and the deployer holds no role. A file without a
 * proposer or guardian is refused before anything is sent; on a network with real assets
 * (`mocks: false`) so is one naming the deployer, or a timelock delay under one day.
 *
 * A parameter file that cannot be used (missing, bad JSON, an unknown field, a value outside the
 * contracts' bounds) is refused before anything is sent, with the file and the field named; every
 * error prints its message only (exit code 1). `DEBUG=1` also prints the stack.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

import { ZeroAddress } from "ethers";
import { network } from "hardhat";

import { DeployParamsError, loadDeployParams, paramsPathFor } from "./deploy/params.js";
import { deploySystem } from "./deploy/system.js";

async function main() {
  const connection = await network.getOrCreate();
  const { ethers, networkName } = connection;
  const paramsPath = process.env.BALLAST_PARAMS ?? paramsPathFor(networkName);
  const params = loadDeployParams(paramsPath);
  const { chainId } = await ethers.provider.getNetwork();

  const started = Date.now();
  const sys = await deploySystem(ethers, params);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  console.log(`Ballast deployed to ${networkName} (chain ${chainId}) in ${seconds} s with ${paramsPath}`);
  const width = Math.max(...Object.keys(sys.addresses).map((name) => name.length));
  for (const [name, address] of Object.entries(sys.addresses))
    console.log(`  ${name.padEnd(width)} ${address}`);
  const who = (a: string) => (a === ZeroAddress ? "anyone" : a);
  console.log("Roles (the deployer holds none):");
  console.log(`  timelock proposers and cancellers ${sys.proposers.join(", ")}`);
  console.log(`  timelock executors                ${sys.executors.map(who).join(", ")}`);
  console.log(`  guardian                          ${sys.guardian}`);
  console.log(`  timelock delay                    ${params.timelockMinDelaySeconds} s`);

  const outDir = resolve(process.cwd(), "deployments");
  mkdirSync(outDir, { recursive: true });
  const outFile = resolve(outDir, `${networkName}.json`);
  const record = {
    network: networkName,
    chainId: chainId.toString(),
    deployer: sys.deployer.address,
    guardian: sys.guardian,
    proposers: sys.proposers,
    executors: sys.executors,
    timelockMinDelaySeconds: params.timelockMinDelaySeconds,
    params: paramsPath,
    deployedAt: new Date().toISOString(),
    addresses: sys.addresses,
  };
  writeFileSync(outFile, `${JSON.stringify(record, null, 2)}\n`);
  console.log(`Addresses written to ${outFile}`);
}

main().catch((error: unknown) => {
  const debug = process.env.DEBUG !== undefined && process.env.DEBUG !== "" && process.env.DEBUG !== "0";
  if (error instanceof DeployParamsError) console.error(`deploy: ${error.message}`);
  else {
    console.error(`deploy: failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!debug) console.error("deploy: (DEBUG=1 prints the stack)");
  }
  if (debug) console.error(error);
  process.exitCode = 1;
});
