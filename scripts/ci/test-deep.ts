/**
 * `npm run test:deep`: the property suites with more and longer sequences, then the invariant
 * campaigns with more runs and depth (at the defaults: 2,000 sequences of up to 50 commands;
 * 2,000 runs x 500 calls). A value already set in the environment wins, so
 * `FC_RUNS=500 npm run test:deep` works on every shell (npm scripts run in cmd.exe on Windows,
 * where `${FC_RUNS:-2000}` does not expand).
 */
import { spawnSync } from "node:child_process";

const DEFAULTS: Record<string, string> = {
  FC_RUNS: "2000",
  FC_MAX_COMMANDS: "50",
  INVARIANT_RUNS: "2000",
  INVARIANT_DEPTH: "500",
};

const env: NodeJS.ProcessEnv = { ...process.env };
for (const [name, value] of Object.entries(DEFAULTS)) {
  const set = env[name];
  if (set === undefined || set === "") env[name] = value;
  else if (!/^[1-9][0-9]*$/.test(set)) {
    console.error(`test:deep: ${name} must be a positive integer, got "${set}"`);
    process.exit(2);
  }
}
console.error(
  `test:deep: ${Object.keys(DEFAULTS)
    .map((n) => `${n}=${env[n]}`)
    .join(" ")}`,
);

for (const script of ["test:property", "test:invariant"]) {
  // npm is npm.cmd on Windows, which only a shell runs
  const r = spawnSync("npm", ["run", script], { env, stdio: "inherit", shell: process.platform === "win32" });
  if (r.error) throw r.error;
  if (r.status !== 0) process.exit(r.status ?? 1);
}
