/**
 * `npm run sim [-- options]`: the simulation laboratory's command line (simulations/cli.ts).
 * Runs with plain Node (`node --import tsx`), so arguments reach it directly; it validates them,
 * then loads Hardhat, builds the contracts (incremental) and runs the scenario. With no
 * arguments: black-thursday-2020 on the in-process chain. `npm run sim -- --help` for the options.
 */
import { main } from "../simulations/cli.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
