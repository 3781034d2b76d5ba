/**
 * What an AccountLens reading costs EDR, by batch size, in the state of a 1,000-account run
 * (simulations/world/README.md, "Speed: where the time goes"):
 *
 *   node --import tsx simulations/speed/lens.ts [steps]     # default 300 steps of black-thursday-2020
 *
 * After `steps` steps it reads all 1,000 accounts in calls of 8 to 250 accounts, each call after a
 * mined block (as in the loop: a transaction, then a reading), and prints milliseconds per
 * account. Wall time: compare sizes within one run.
 */
import hre from "hardhat";

import { runSimulation } from "../engine.js";
import { loadScenario } from "../scenarios/load.js";
import { encodeCall } from "../world/abi.js";
import { addressWord, healthOfCalldata } from "../world/tracker.js";

const steps = Number(process.argv[2] ?? 300);
const CHUNKS = [8, 16, 32, 64, 250];

await runSimulation({
  hre,
  scenario: loadScenario("black-thursday-2020"),
  accounts: 1000,
  steps,
  onEnd: async (chain, world, accounts) => {
    const lens = world.sys.addresses.accountLens;
    const words = accounts.map(addressWord);
    const poke = encodeCall(world.sys.clearinghouse.interface, "refreshPrices");
    const mine = async () => {
      chain.setTime(chain.now + 1);
      await chain.send(world.bank, world.clearinghouse, poke);
    };
    for (const n of CHUNKS) {
      let ms = 0;
      for (let start = 0; start < words.length; start += n) {
        await mine();
        const data = healthOfCalldata(words.slice(start, start + n));
        const t0 = performance.now();
        await chain.call(lens, data);
        ms += performance.now() - t0;
      }
      console.log(`lens, ${n} accounts a call: ${(ms / words.length).toFixed(3)} ms per account`);
    }
  },
});
