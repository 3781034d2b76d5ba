// Postinstall guard: Hardhat 3 needs Node >= 22 and EDR's native binding.
//
// npm running under Node 20 silently skips `@nomicfoundation/edr-<platform>`
// (it declares engines node >= 22). npm runs this script with
// node_modules/.bin first on PATH, so `node` here is the pinned Node 22 from
// the `node` devDependency. If the binding does not load, we run
// `npm install` once more under that Node 22, which installs it.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const GUARD = "BALLAST_NATIVE_REINSTALL";

function bindingLoads() {
  try {
    require("@nomicfoundation/edr");
    return true;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  console.error(
    `[ballast] postinstall runs under Node ${process.versions.node}; Hardhat 3 needs >= 22.` +
      " The pinned `node` devDependency should provide it via node_modules/.bin.",
  );
  process.exit(1);
}

const first = bindingLoads();
if (first === true) {
  process.exit(0);
}
if (process.env[GUARD]) {
  console.error(`[ballast] EDR native binding still fails to load after a reinstall: ${first}`);
  process.exit(1);
}
console.log(
  "[ballast] EDR native binding missing (npm ran under Node < 22); reinstalling under Node",
  process.versions.node,
);
const npm = process.env.npm_execpath;
const command = npm ? process.execPath : "npm";
const args = npm ? [npm, "install", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
const result = spawnSync(command, args, {
  stdio: "inherit",
  env: { ...process.env, [GUARD]: "1" },
});
if (result.status !== 0) {
  process.exit(result.status ?? 1);
}
const second = bindingLoads();
if (second !== true) {
  console.error(`[ballast] EDR native binding still fails to load: ${second}`);
  process.exit(1);
}
console.log("[ballast] EDR native binding OK");
