/**
 * Intensity and replay of the fast-check suites, from the environment:
 *   FC_RUNS          sequences per property (default 50)
 *   FC_MAX_COMMANDS  longest sequence (default 25)
 *   FC_SEED          seed (default: a fixed seed, so `npm test` is reproducible; "random" for a new one)
 *   FC_PATH          counterexample path printed by a failing run (replays only that case)
 *   FC_REPLAY_PATH   fc.commands' replay path printed with it (which commands of the case ran)
 * `npm run test:deep` sets FC_RUNS=2000 FC_MAX_COMMANDS=50.
 */
export interface PropertyConfig {
  seed: number;
  path: string | undefined;
  replayPath: string | undefined;
  numRuns: number;
  maxCommands: number;
}

export const DEFAULT_SEED = 20_261_117;

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function propertyConfig(): PropertyConfig {
  const rawSeed = process.env.FC_SEED;
  let seed = DEFAULT_SEED;
  if (rawSeed === "random") seed = (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  else if (rawSeed !== undefined && rawSeed !== "") {
    seed = Number(rawSeed);
    if (!Number.isSafeInteger(seed))
      throw new Error(`FC_SEED must be an integer or "random", got "${rawSeed}"`);
  }
  const path = process.env.FC_PATH === "" ? undefined : process.env.FC_PATH;
  const replayPath = process.env.FC_REPLAY_PATH === "" ? undefined : process.env.FC_REPLAY_PATH;
  return {
    seed,
    path,
    replayPath,
    numRuns: positiveInt("FC_RUNS", 50),
    maxCommands: positiveInt("FC_MAX_COMMANDS", 25),
  };
}

/** The shell line that replays a failure. */
export function replayCommand(seed: number, path: string, replayPath: string | undefined): string {
  const rp = replayPath === undefined ? "" : ` FC_REPLAY_PATH=${replayPath}`;
  return `FC_SEED=${seed} FC_PATH=${path}${rp} npm run test:property`;
}
