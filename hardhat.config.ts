import { createRequire } from "node:module";

import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";
import { configVariable, defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/** A positive integer from the environment (fuzz intensity), or the default. */
function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

/** The compiler comes from the npm `solc` package (WebAssembly); no download. */
const SOLC_VERSION = "0.8.28";

export default defineConfig({
  plugins: [
    hardhatEthers,
    hardhatEthersChaiMatchers,
    hardhatIgnitionEthers,
    hardhatMocha,
    hardhatNetworkHelpers,
    hardhatTypechain,
  ],
  solidity: {
    version: SOLC_VERSION,
    path: require.resolve("solc/soljson.js"),
    // contracts used only from npm still need artifacts (tests and local deployments deploy them)
    npmFilesToBuild: [
      "@chainlink/contracts/src/v0.8/tests/MockV3Aggregator.sol",
      "@openzeppelin/contracts/governance/TimelockController.sol",
    ],
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  },
  test: {
    solidity: {
      // defaults keep `npm test` fast; `npm run test:deep` raises them (>= 1,000,000 handler calls)
      // FUZZ_SEED (hex or decimal) replaces the fixed default seed of fuzz and invariant runs
      fuzz: {
        runs: envInt("FUZZ_RUNS", 256),
        ...(process.env.FUZZ_SEED ? { seed: process.env.FUZZ_SEED } : {}),
      },
      // test/invariant/LedgerInvariants.t.sol appends its call counters here (summary.ts prints them)
      fsPermissions: { readWriteFile: ["cache/invariant-calls.log"] },
      invariant: {
        runs: envInt("INVARIANT_RUNS", 16),
        depth: envInt("INVARIANT_DEPTH", 200),
        failOnRevert: false,
        // a failing sequence is saved here and replayed first by the next run (gitignored)
        failurePersistDir: "cache/invariant-failures",
      },
    },
  },
  paths: {
    tests: {
      mocha: "test",
      solidity: "test",
    },
  },
  networks: {
    hardhatMainnet: {
      type: "edr-simulated",
      chainType: "l1",
    },
    // a local chain forked from a real one (docs/fork.md): BALLAST_FORK_URL names the node (an
    // archive node to pin a block), BALLAST_FORK_BLOCK the block (default: the node's latest)
    mainnetFork: {
      type: "edr-simulated",
      chainType: "l1",
      forking: {
        url: configVariable("BALLAST_FORK_URL"),
        ...(process.env.BALLAST_FORK_BLOCK ? { blockNumber: envInt("BALLAST_FORK_BLOCK", 1) } : {}),
      },
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.BALLAST_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
