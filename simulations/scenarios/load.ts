/**
 * Loading scenario files.
 *
 * `loadScenario("flash-crash")` reads `simulations/scenarios/flash-crash.json` of this repo; any
 * argument that is not a bare name (contains a path separator or ends in `.json`) is a path,
 * relative to the current directory. Errors name the file and the field:
 * `scenario simulations/scenarios/x.json: steps.count: expected a positive integer`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { repoRoot } from "../markets/data.js";
import { ScenarioError, parseScenario, type Scenario } from "./schema.js";

/** Directory of the shipped scenarios. */
export function scenariosDir(): string {
  return join(repoRoot(), "simulations", "scenarios");
}

const BARE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** Absolute path a scenario argument refers to (see the module comment). */
export function scenarioPath(nameOrPath: string): string {
  if (BARE_NAME.test(nameOrPath)) return join(scenariosDir(), `${nameOrPath}.json`);
  return resolve(nameOrPath);
}

/** Names of the shipped scenarios, sorted. */
export function listScenarios(): string[] {
  return readdirSync(scenariosDir())
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .filter((n) => BARE_NAME.test(n))
    .sort();
}

/** How a path is shown in messages: relative to the current directory when inside it. */
function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : path;
}

/** "line L, column C" of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}

/** A scenario with the absolute path of the file it came from. */
export interface LoadedScenario {
  readonly scenario: Scenario;
  readonly path: string;
}

/** What a scenario argument that names no file could have meant: the shipped names, a near one. */
function shippedHint(nameOrPath: string): string {
  const shipped = listScenarios();
  const stem = basename(nameOrPath.trim())
    .replace(/\.json$/i, "")
    .toLowerCase();
  const near = shipped.includes(stem) ? `; did you mean "${stem}"?` : "";
  return `shipped scenarios: ${shipped.join(", ")} (by name, without .json)${near}`;
}

/** Loads and validates a scenario file; returns it with its path. */
export function loadScenarioFile(nameOrPath: string): LoadedScenario {
  if (nameOrPath.trim() === "")
    throw new ScenarioError(`""`, [
      { path: "", message: `no scenario given; ${shippedHint("")}, or a path to a scenario file` },
    ]);
  const path = scenarioPath(nameOrPath);
  const label = display(path);
  if (!existsSync(path)) {
    const hint = BARE_NAME.test(nameOrPath)
      ? `no scenario named "${nameOrPath}" (shipped: ${listScenarios().join(", ")}); a path to a file also works`
      : `file not found; ${shippedHint(nameOrPath)}`;
    throw new ScenarioError(label, [{ path: "", message: hint }]);
  }
  let text: string;
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error("directory"), { code: "EISDIR" });
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const message =
      code === "EISDIR"
        ? `is a directory, not a scenario file; ${shippedHint("")}`
        : `cannot read the file (${code ?? (e as Error).message})`;
    throw new ScenarioError(label, [{ path: "", message }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    // Node 22 already says "(line L column C)"; older versions only give the position
    const m = /position (\d+)/.exec(message);
    const where = m === null || /\bline \d+/.test(message) ? "" : ` (${lineColumn(text, Number(m[1]))})`;
    throw new ScenarioError(label, [{ path: "", message: `invalid JSON: ${message}${where}` }]);
  }
  return { scenario: parseScenario(json, label), path };
}

/** Loads and validates a scenario by name or path (see the module comment). */
export function loadScenario(nameOrPath: string): Scenario {
  return loadScenarioFile(nameOrPath).scenario;
}
