/**
 * `node scripts/bench/generated-sources.cjs <Contract artifact path> <out.json>`: recompiles one
 * contract from its Hardhat build info with `generatedSources` selected, so the gas profiler can
 * name the compiler's Yul helpers (PROFILE_GEN_<ContractName>=<out.json>). Same input and
 * settings as the build, so the bytecode is identical.
 */
const fs = require("node:fs");
const solc = require("solc");

const [artifactPath, outPath] = process.argv.slice(2);
if (!artifactPath || !outPath) {
  console.error("usage: node scripts/bench/generated-sources.cjs <artifact.json> <out.json>");
  process.exit(2);
}
const a = JSON.parse(fs.readFileSync(artifactPath, "utf8"));
const bi = JSON.parse(fs.readFileSync(`artifacts/build-info/${a.buildInfoId}.json`, "utf8"));
const input = bi.input;
input.settings.outputSelection = {
  [a.inputSourceName]: {
    [a.contractName]: [
      "evm.deployedBytecode.object",
      "evm.deployedBytecode.sourceMap",
      "evm.deployedBytecode.generatedSources",
    ],
  },
};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
for (const e of out.errors ?? []) if (e.severity === "error") console.error(e.formattedMessage);
const evm = out.contracts[a.inputSourceName][a.contractName].evm.deployedBytecode;
fs.writeFileSync(
  outPath,
  JSON.stringify({ object: evm.object, sourceMap: evm.sourceMap, gen: evm.generatedSources }),
);
console.log(`wrote ${outPath} (${evm.object.length / 2} bytes)`);
