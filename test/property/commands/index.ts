/**
 * The command arbitraries of the ledger suite. Later steps (liquidation, auction take/redo,
 * circuit breaker) add their command classes to `ledgerCommands()`'s list, or pass extra ones in.
 */
import fc from "fast-check";

import { amountSpec } from "./amounts.js";
import {
  BorrowCommand,
  DepositCommand,
  RepayCommand,
  SetOperatorCommand,
  WithdrawCommand,
} from "./account.js";
import type { LedgerCommand } from "./base.js";
import {
  AccrueCommand,
  HealDeficitCommand,
  OracleFailCommand,
  OracleRecoverCommand,
  PriceMoveCommand,
  PriceToHealthBoundaryCommand,
  RefreshPricesCommand,
  RISK_PRESETS,
  TimePassesCommand,
  VolatilityPokeCommand,
} from "./environment.js";
import { FullExitCommand } from "./exit.js";
import {
  ClosePositionCommand,
  LeveragedTradeCommand,
  ModifyPositionCommand,
  ReducePositionCommand,
  type Slippage,
} from "./perp.js";
import { BorrowRepayRoundTrip, DepositWithdrawRoundTrip, OpenCloseRoundTrip } from "./roundtrip.js";
import {
  VaultCancelCommand,
  VaultDepositCommand,
  VaultExitCommand,
  VaultExitFlowCommand,
  VaultRequestCommand,
} from "./vault.js";

export const ACTOR_COUNT = 4; // alice, bob, carol, lp

/** Mostly the account's owner, sometimes another actor (an operator or a stranger). */
function callerAndAccount(): fc.Arbitrary<[number, number]> {
  const actor = fc.integer({ min: 0, max: ACTOR_COUNT - 1 });
  return fc.oneof(
    { weight: 5, arbitrary: actor.map((a): [number, number] => [a, a]) },
    { weight: 1, arbitrary: fc.tuple(actor, actor) },
  );
}

const actor = fc.integer({ min: 0, max: ACTOR_COUNT - 1 });
const token = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.constant(1) });
const bps = fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(1, 10_000));
const slippage = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Slippage>("loose") },
  { weight: 2, arbitrary: fc.constant<Slippage>("exact") },
  { weight: 1, arbitrary: fc.constant<Slippage>("offByOne") },
);

export function ledgerCommands(): fc.Arbitrary<LedgerCommand>[] {
  return [
    // protocol actions (per actor)
    fc
      .tuple(callerAndAccount(), token, amountSpec)
      .map(([[c, a], tk, amt]) => new DepositCommand(c, a, tk, amt)),
    fc
      .tuple(callerAndAccount(), token, amountSpec)
      .map(([[c, a], tk, amt]) => new WithdrawCommand(c, a, tk, amt)),
    fc.tuple(callerAndAccount(), amountSpec).map(([[c, a], amt]) => new BorrowCommand(c, a, amt)),
    fc.tuple(callerAndAccount(), amountSpec).map(([[c, a], amt]) => new RepayCommand(c, a, amt)),
    fc
      .tuple(
        callerAndAccount(),
        fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(1) }),
        fc.boolean(),
        amountSpec,
        slippage,
      )
      .map(([[c, a], mk, long, amt, sl]) => new ModifyPositionCommand(c, a, mk, long, amt, sl)),
    fc
      .tuple(actor, bps, fc.boolean(), slippage)
      .map(([a, b, past, sl]) => new ReducePositionCommand(a, b, past, sl)),
    fc.tuple(callerAndAccount(), slippage).map(([[c, a], sl]) => new ClosePositionCommand(c, a, sl)),
    fc
      .tuple(
        actor,
        fc.boolean(),
        bps,
        bps,
        fc.oneof(fc.integer({ min: -3_000, max: 3_000 }), fc.constantFrom(-500, 500)),
      )
      .map(([a, long, b, sz, mv]) => new LeveragedTradeCommand(a, long, b, sz, mv)),
    fc.tuple(actor, actor, fc.boolean()).map(([a, op, ok]) => new SetOperatorCommand(a, op, ok)),
    fc.tuple(actor, amountSpec).map(([a, amt]) => new VaultDepositCommand(a, amt)),
    fc.tuple(actor, amountSpec).map(([a, amt]) => new VaultRequestCommand(a, amt)),
    actor.map((a) => new VaultCancelCommand(a)),
    fc
      .tuple(actor, fc.boolean(), amountSpec)
      .map(([a, byAssets, amt]) => new VaultExitCommand(a, byAssets, amt)),
    fc
      .tuple(
        actor,
        amountSpec,
        fc.constantFrom<"start" | "end">("start", "end"),
        fc.constantFrom<-1 | 0 | 1>(-1, 0, 1),
        fc.boolean(),
        amountSpec,
      )
      .map(([a, sh, edge, off, byAssets, amt]) => new VaultExitFlowCommand(a, sh, edge, off, byAssets, amt)),
    actor.map((a) => new FullExitCommand(a)),
    // round trips (I10)
    fc.tuple(actor, token, bps).map(([a, tk, b]) => new DepositWithdrawRoundTrip(a, tk, b)),
    fc.tuple(actor, bps).map(([a, b]) => new BorrowRepayRoundTrip(a, b)),
    fc.tuple(actor, fc.boolean(), bps).map(([a, long, b]) => new OpenCloseRoundTrip(a, long, b)),
    // environment moves
    fc
      .tuple(
        token,
        fc.oneof(fc.integer({ min: -9_000, max: 20_000 }), fc.constantFrom(-5_000, -1_000, -100, 100, 1_000)),
        fc.boolean(),
      )
      .map(([a, b, oneWei]) => new PriceMoveCommand(a, b, oneWei)),
    fc
      .tuple(token, actor, fc.boolean(), fc.boolean())
      .map(([a, acct, initial, above]) => new PriceToHealthBoundaryCommand(a, acct, initial, above)),
    token.map((a) => new OracleFailCommand(a)),
    token.map((a) => new OracleRecoverCommand(a)),
    fc
      .tuple(token, fc.integer({ min: 0, max: RISK_PRESETS.length - 1 }))
      .map(([a, p]) => new VolatilityPokeCommand(a, p)),
    fc.oneof(
      fc
        .constantFrom(1, 12, 3_599, 3_600, 86_399, 86_400, 7 * 86_400, 30 * 86_400)
        .map((sec) => new TimePassesCommand(sec)),
      fc
        .tuple(actor, fc.constantFrom<"start" | "end">("start", "end"), fc.constantFrom<-1 | 0>(-1, 0))
        .map(([a, edge, offset]) => new TimePassesCommand(1, { actor: a, edge, offset })),
    ),
    actor.map((a) => new AccrueCommand(a)),
    actor.map((a) => new HealDeficitCommand(a)),
    actor.map((a) => new RefreshPricesCommand(a)),
  ];
}
