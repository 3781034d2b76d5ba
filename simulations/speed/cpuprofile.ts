/**
 * Where a profiled run's main-thread time went, from a V8 `.cpuprofile`:
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx scripts/bench/run.ts --sim-only
 *   node --import tsx simulations/speed/cpuprofile.ts /tmp/prof/<largest>.cpuprofile [top]
 *
 * Prints the self time of the top functions and of each package (node_modules/<pkg>, the
 * repo's own folders, V8's "(idle)", "(garbage collector)", "(program)"). "(idle)" is the main
 * thread waiting: for an in-process chain, EDR executing on its own thread.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package (or repo folder, or V8 pseudo-frame) a frame belongs to. */
export function packageOf(frame: CallFrame, repoRoot = process.cwd()): string {
  const url = frame.url;
  if (url === "") return frame.functionName === "" ? "(native)" : frame.functionName;
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const parts = url.slice(nm + "node_modules/".length).split("/");
    return parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const path = url.replace(/^file:\/\//, "");
  if (path.startsWith(`${repoRoot}/`)) return path.slice(repoRoot.length + 1).split("/")[0];
  return path.startsWith("node:") ? path.split("/").slice(0, 2).join("/") : path;
}

/** Self time (microseconds) per function label and per package. */
export function selfTimes(profile: CpuProfile): {
  total: number;
  byFunction: Map<string, number>;
  byPackage: Map<string, number>;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, k) => {
    const dt = profile.timeDeltas[k] ?? 0;
    total += dt;
    const node = byId.get(id);
    if (node === undefined) return;
    const f = node.callFrame;
    const pkg = packageOf(f);
    const file = f.url.slice(f.url.lastIndexOf("/") + 1);
    const label =
      f.url === "" ? pkg : `${f.functionName === "" ? "(anonymous)" : f.functionName} ${pkg}/${file}`;
    byFunction.set(label, (byFunction.get(label) ?? 0) + dt);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
  });
  return { total, byFunction, byPackage };
}

function main(argv: readonly string[]): number {
  const [file, topArg] = argv;
  if (file === undefined) {
    console.error("usage: node --import tsx simulations/speed/cpuprofile.ts <file.cpuprofile> [top]");
    return 2;
  }
  const top = topArg === undefined ? 15 : Number(topArg);
  const { total, byFunction, byPackage } = selfTimes(JSON.parse(readFileSync(file, "utf8")) as CpuProfile);
  const row = (label: string, us: number) =>
    `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1e6).toFixed(1).padStart(7)} s  ${label}`;
  console.log(`main thread ${(total / 1e6).toFixed(1)} s\n\nself time by function`);
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(row(k, v));
  console.log("\nself time by package");
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(row(k, v));
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  process.exitCode = main(process.argv.slice(2));
}
