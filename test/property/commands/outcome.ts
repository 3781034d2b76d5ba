/**
 * The exec-and-compare core shared by both suites' transaction runners (`execTx` in base.ts for
 * the ledger suite, `execLiq` in liquidation.ts for the full system): run the model's version of
 * an action on a copy of the state (a `ModelRevert` is the predicted revert), then, once the chain
 * has answered, demand the same outcome:
 *
 * - a revert the model did not predict fails as I13 (I11 when the action must always succeed);
 * - a success where the model predicted a revert fails as MODEL;
 * - a different custom error fails as I13 (I11 for an exit).
 *
 * An exit (deposit, repay, position reduction or close, full exit) must also never be refused for
 * an oracle or a breaker level (I11): `mustSucceed` fails on those errors even when the model
 * predicted them, so a model that mirrored such a bug would not hide it.
 */
import type fc from "fast-check";

import { ModelRevert } from "../model/ledger.js";
import { fail } from "../model/checks.js";

export type Predicted<T> = { ok: true; value: T } | { ok: false; errorName: string };

/** What the chain answered. */
export type ChainAnswer = { ok: true } | { ok: false; errorName: string };

/** Errors an exit must never meet before global settlement (I11). */
export const EXIT_BLOCKERS: readonly string[] = [
  "Clearinghouse__OracleUnhealthy",
  "Clearinghouse__BreakerLevel",
];

/** Runs the model's action; a `ModelRevert` is the predicted revert, anything else a harness bug. */
export function predict<T>(action: () => T): Predicted<T> {
  try {
    return { ok: true, value: action() };
  } catch (e) {
    if (!(e instanceof ModelRevert)) throw e;
    return { ok: false, errorName: e.errorName };
  }
}

/** Fails (I11, I13 or MODEL) unless the chain's answer is the one the model predicted. */
export function compareOutcome<T>(
  label: string,
  predicted: Predicted<T>,
  out: ChainAnswer,
  mustSucceed = false,
): void {
  const refused = out.ok ? undefined : out.errorName;
  if (mustSucceed) {
    const blocked = refused ?? (predicted.ok ? undefined : predicted.errorName);
    if (blocked !== undefined && EXIT_BLOCKERS.includes(blocked)) {
      fail("I11", `${label} was refused with ${blocked} (${refused === undefined ? "model" : "chain"})`);
    }
  }
  if (predicted.ok && refused !== undefined) {
    fail(mustSucceed ? "I11" : "I13", `${label} reverted with ${refused}, the model expected success`);
  }
  if (!predicted.ok && refused === undefined)
    fail("MODEL", `${label} succeeded, the model expected ${predicted.errorName}`);
  if (!predicted.ok && refused !== undefined && predicted.errorName !== refused) {
    fail(
      mustSucceed ? "I11" : "I13",
      `${label} reverted with ${refused}, the model expected ${predicted.errorName}`,
    );
  }
}

/** Adds `by` to a counter of the run's report. */
export function bump(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

/** The counters every suite's report keeps per command. */
export interface CommandStats {
  commands: number;
  byCommand: Map<string, number>;
}

/**
 * Base of both suites' commands: every command is always applicable (the model decides success or
 * the revert); `run` counts it, runs it and then `afterRun` (a suite's extra report counters).
 */
export abstract class ModelCommand<M extends object, R extends { stats: CommandStats }>
  implements fc.AsyncCommand<M, R>
{
  /** Filled in by run(): the concrete amounts used, for the counterexample report. */
  protected resolved = "";

  check(): boolean {
    return true;
  }

  async run(m: M, r: R): Promise<void> {
    r.stats.commands++;
    bump(r.stats.byCommand, this.kind());
    await this.exec(m, r);
    this.afterRun(m, r);
  }

  abstract kind(): string;
  protected abstract exec(m: M, r: R): Promise<void>;
  protected abstract describe(): string;
  protected afterRun(_m: M, _r: R): void {}

  toString(): string {
    return `${this.describe()}${this.resolved === "" ? "" : ` [${this.resolved}]`}`;
  }
}
