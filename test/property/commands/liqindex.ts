/**
 * The command arbitraries of the liquidation suite (liquidation.property.test.ts).
 */
import fc from "fast-check";

import {
  BorrowCmd,
  BreakerCheckCmd,
  ClearForLiquidationCmd,
  ClosePositionCmd,
  CooldownCmd,
  DepositCmd,
  EnsureAuctionCmd,
  GovernanceLevelCmd,
  GuardianRaiseCmd,
  LiquidateBatchCmd,
  LiquidateCmd,
  LiquidateHolderCmd,
  OracleFailCmd,
  OracleOutOfBoundsCmd,
  OracleStaleCmd,
  PositionCmd,
  PriceMoveCmd,
  ReduceOnFailureCmd,
  RefreshFeedsCmd,
  RedoCmd,
  RepayCmd,
  SecondaryDeviationCmd,
  SequencerDownCmd,
  SequencerUpCmd,
  TakeAtLevel3Cmd,
  TakeCmd,
  TimePassesCmd,
  UnderwaterCmd,
  WithdrawCmd,
  type BoundsKind,
  type FailKind,
  type KeeperKind,
  type LiqCommand,
  type PriceKind,
  type StaleKind,
  type UpKind,
} from "./liquidation.js";

const borrower = fc.integer({ min: 0, max: 2 });
/** Any tracked account (borrowers most often; keeper, bidder, lp, deployer sometimes). */
const target = fc.oneof(
  { weight: 6, arbitrary: borrower },
  { weight: 1, arbitrary: fc.integer({ min: 3, max: 6 }) },
);
const token = fc.integer({ min: 0, max: 1 });
const bps = fc.oneof(fc.integer({ min: 1, max: 10_000 }), fc.constantFrom(10_000, 10_001, 5_000));
const keeperKind = fc.oneof(
  { weight: 6, arbitrary: fc.constant<KeeperKind>("keeper") },
  { weight: 2, arbitrary: fc.constant<KeeperKind>("self") },
  { weight: 1, arbitrary: fc.constant<KeeperKind>("none") },
);
const wait = fc.constantFrom(0, 0, 60, 300, 1_200, 3_000, 3_700, 7_300);

/**
 * What runs right after an oracle event (or not at all): a borrower's risk-increasing action
 * (refused with the oracle's error when the read fails), an exit (deposit, repay, reducing or
 * closing an open position: must pass, I11), a liquidation, a breaker check (the trigger's level
 * and reason).
 */
const followUp: fc.Arbitrary<LiqCommand | undefined> = fc.option(
  fc.oneof(
    fc.tuple(borrower, bps).map(([a, b]) => new BorrowCmd(a, b)),
    fc.tuple(borrower, token, bps).map(([a, t, b]) => new WithdrawCmd(a, t, b)),
    fc.tuple(borrower, token, bps).map(([a, t, b]) => new DepositCmd(a, t, b)),
    fc.tuple(borrower, bps).map(([a, b]) => new RepayCmd(a, b)),
    fc
      .tuple(borrower, token, fc.boolean(), fc.constantFrom(500, 5_000))
      .map(([a, mk, long, usd]) => new PositionCmd(a, mk, long, usd)),
    fc.tuple(borrower, token, fc.boolean()).map(([a, mk, half]) => new ClosePositionCmd(a, mk, true, half)),
    fc.tuple(target, keeperKind).map(([a, k]) => new LiquidateCmd(a, k, false)),
    token.map((t) => new BreakerCheckCmd(t)),
  ),
  { nil: undefined, freq: 3 },
);
/**
 * A breaker episode (`GuardianRaiseCmd` with commands at the raised level, global most often): at
 * the level, a repayment (must pass at any level, I11) and sometimes one more action; then, the
 * global level raised to 2 unless it is there or above already, a liquidation attempt (paused
 * from level 2 on, not only at 3); then the episode is rolled back (chain and model): the plain
 * `GuardianRaiseCmd` keeps its raise.
 */
const breakerEpisode: fc.Arbitrary<LiqCommand> = fc
  .tuple(
    fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(1, 2) }),
    fc.oneof({ weight: 2, arbitrary: fc.constant(2) }, { weight: 1, arbitrary: fc.constantFrom(1, 3) }),
    fc.tuple(borrower, bps).map(([a, b]) => new RepayCmd(a, b)),
    fc.oneof(
      { weight: 3, arbitrary: fc.tuple(target, keeperKind).map(([a, k]) => new LiquidateCmd(a, k, false)) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 3 }), keeperKind)
          .map(([ts, k]) => new LiquidateBatchCmd(ts, k)),
      },
    ),
    followUp,
  )
  .map(([sc, lvl, repay, liq, other]) => {
    const then: LiqCommand[] = other === undefined ? [repay] : [repay, other];
    if (sc !== 0 || lvl < 2) then.push(new GuardianRaiseCmd(0, 2, false));
    then.push(liq);
    return new GuardianRaiseCmd(sc, lvl, false, then, true);
  });
/**
 * An asset's own breaker levels (the guardian's `raiseAsset`, the global level below 2), in one
 * episode rolled back at its end. First what would stop a liquidation before the level does is
 * cleared (`ClearForLiquidationCmd`: a kept level, a failing read) and an auction of the asset
 * made to run (`EnsureAuctionCmd`: kicked or redone). At the asset's level 2, a liquidation (or
 * a batch) of an account whose partial plan seizes that asset first (`LiquidateHolderCmd`: put
 * just below health 1 by the asset's price first): the single liquidation is refused
 * (`LiquidationEngine__Paused(asset, 2)`), the batch skips the asset. Then at level 3 (the
 * asset's own most often, else global), a take of the asset's auction, with or without a
 * callback: the ledger, the auction's sink, refuses (`Clearinghouse__BreakerLevel(asset or 0,
 * 3)`) and nothing moves.
 */
const assetLevelEpisode: fc.Arbitrary<LiqCommand> = fc
  .tuple(
    token,
    borrower,
    keeperKind,
    fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 2 }) },
    ),
    fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    fc.tuple(fc.boolean(), fc.constantFrom(10_000, 5_000), fc.nat(7)),
  )
  .map(([tk, a, k, others, global, [cb, b, i]]) => {
    const level3 = new TakeAtLevel3Cmd(global, new TakeCmd(i, b, "loose", cb, 0, tk));
    return new GuardianRaiseCmd(1 + tk, 2, false, [new LiquidateHolderCmd(a, tk, k, others), level3], true, [
      new ClearForLiquidationCmd(tk),
      new EnsureAuctionCmd(a, tk),
    ]);
  });
/** A position that meets its market's failing oracle, then is reduced or closed (`ReduceOnFailureCmd`). */
const reduceOnFailure: fc.Arbitrary<LiqCommand> = fc
  .tuple(
    borrower,
    token,
    fc.boolean(),
    fc.constantFrom(500, 5_000),
    fc.constantFrom<FailKind>("zero", "negative", "below", "above", "stale", "sequencer"),
    fc.boolean(),
  )
  .map(([a, mk, long, usd, how, half]) => new ReduceOnFailureCmd(a, mk, long, usd, how, half));
// mostly back for longer than the grace period: an outage is an episode, not the rest of the run
const upKind = fc.oneof(
  { weight: 3, arbitrary: fc.constant<UpKind>("long") },
  { weight: 2, arbitrary: fc.constantFrom<UpKind>("grace", "graceMinus1") },
  { weight: 1, arbitrary: fc.constantFrom<UpKind>("now", "future", "zero") },
);
/** The secondary's offset: mostly at the maximum deviation (2%) or one step beyond it. */
const deviation = fc.tuple(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(-201, -200, 200, 201) },
    { weight: 2, arbitrary: fc.constantFrom(-10_000, -9_999, -500, -50, 0, 50, 199, 500) },
  ),
  fc.constantFrom(0, 0, 1, -1),
);

export function liquidationCommands(): fc.Arbitrary<LiqCommand>[] {
  return [
    fc.tuple(borrower, token, bps).map(([a, t, b]) => new DepositCmd(a, t, b)),
    fc.tuple(borrower, token, bps).map(([a, t, b]) => new WithdrawCmd(a, t, b)),
    fc.tuple(borrower, bps).map(([a, b]) => new BorrowCmd(a, b)),
    fc.tuple(borrower, bps).map(([a, b]) => new RepayCmd(a, b)),
    fc
      .tuple(borrower, token, fc.boolean(), fc.constantFrom(500, 5_000, 20_000, 60_000))
      .map(([a, mk, long, usd]) => new PositionCmd(a, mk, long, usd)),
    fc.tuple(borrower, token).map(([a, mk]) => new ClosePositionCmd(a, mk)),
    // oracle: small moves, jumps both ways, failure, a move to an account's boundary
    fc
      .tuple(
        token,
        fc.oneof(fc.integer({ min: -800, max: 800 }), fc.constantFrom(-5_000, -3_000, -2_000, 2_000, 5_000)),
      )
      .map(([t, b]) => new PriceMoveCmd(t, b)),
    fc.tuple(token, fc.integer({ min: -4_000, max: -200 })).map(([t, b]) => new PriceMoveCmd(t, b)),
    fc.tuple(token, fc.boolean(), followUp).map(([t, neg, then]) => new OracleFailCmd(t, neg, then)),
    // oracle failures of every kind, each optionally followed by an action that meets it
    fc
      .tuple(token, fc.constantFrom<BoundsKind>("below", "above", "atMin", "atMax"), followUp)
      .map(([t, w, then]) => new OracleOutOfBoundsCmd(t, w, then)),
    fc
      .tuple(token, fc.constantFrom<StaleKind>("primaryAtLimit", "primaryPast", "secondaryPast"), followUp)
      .map(([t, w, then]) => new OracleStaleCmd(t, w, then)),
    fc.tuple(deviation, followUp).map(([[b, w], then]) => new SecondaryDeviationCmd(b, w, then)),
    fc.tuple(deviation, followUp).map(([[b, w], then]) => new SecondaryDeviationCmd(b, w, then)),
    fc
      .tuple(followUp, fc.option(upKind, { nil: undefined, freq: 5 }))
      .map(([then, up]) => new SequencerDownCmd(then, up)),
    fc.tuple(upKind, followUp).map(([k, then]) => new SequencerUpCmd(k, then)),
    fc.tuple(upKind, followUp).map(([k, then]) => new SequencerUpCmd(k, then)),
    fc.tuple(target, token, fc.boolean()).map(([a, t, above]) => new UnderwaterCmd(a, t, above)),
    fc.tuple(borrower, token).map(([a, t]) => new UnderwaterCmd(a, t, false, true)),
    // far under water: zero haircut equity, with a fresh position most often (an unpayable perp
    // penalty, ADR 0009)
    fc
      .tuple(borrower, token, fc.boolean())
      .map(([a, t, above]) => new UnderwaterCmd(a, t, above, true, undefined, "equity")),
    ...[0, 1].map(() =>
      fc
        .tuple(borrower, fc.boolean(), fc.tuple(fc.boolean(), fc.constantFrom(5_000, 20_000, 60_000)))
        .map(([a, above, open]) => new UnderwaterCmd(a, 0, above, true, undefined, "equity", open)),
    ),
    fc
      .tuple(borrower, token, fc.tuple(wait, fc.integer({ min: 1, max: 10_000 }), fc.boolean()))
      .map(([a, t, tk]) => new UnderwaterCmd(a, t, false, true, tk)),
    // far under water, liquidated whole, the whole lot taken late: the lot runs out before the
    // tab, on an account left without collateral (bad debt at the auction's end: the last
    // payment's penalty share covers debt first)
    fc
      .tuple(borrower, token, fc.constantFrom(1_200, 3_000, 3_700), fc.boolean())
      .map(([a, t, w, cb]) => new UnderwaterCmd(a, t, false, true, [w, 10_000, cb], "halfDebt")),
    fc.constant(null).map(() => new RefreshFeedsCmd()),
    fc.constantFrom(1, 60, 600, 1_800, 3_601, 4_300, 7_300, 86_400).map((s) => new TimePassesCmd(s)),
    // liquidation
    fc.tuple(target, keeperKind, fc.boolean()).map(([a, k, twice]) => new LiquidateCmd(a, k, twice)),
    fc.tuple(target, keeperKind, fc.boolean()).map(([a, k, twice]) => new LiquidateCmd(a, k, twice)),
    fc
      .tuple(fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 }), keeperKind)
      .map(([ts, k]) => new LiquidateBatchCmd(ts, k)),
    // auctions
    fc
      .tuple(
        fc.nat(7),
        fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.constant(10_000)),
        fc.constantFrom<PriceKind>("loose", "loose", "exact", "belowByOne"),
        fc.boolean(),
        wait,
      )
      .map(([i, b, p, cb, w]) => new TakeCmd(i, b, p, cb, w)),
    fc
      .tuple(
        fc.nat(7),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constantFrom<PriceKind>("loose", "exact"),
        fc.boolean(),
        wait,
      )
      .map(([i, b, p, cb, w]) => new TakeCmd(i, b, p, cb, w)),
    fc.tuple(fc.nat(7), fc.boolean(), wait).map(([i, k, w]) => new RedoCmd(i, k, w)),
    fc
      .tuple(
        fc.nat(7),
        fc.integer({ min: 1, max: 10_000 }),
        fc.constant<PriceKind>("loose"),
        fc.boolean(),
        wait,
      )
      .map(([i, b, p, cb, w]) => new TakeCmd(i, b, p, cb, w)),
    // circuit breaker
    fc
      .tuple(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 4 }),
        fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      )
      .map(([sc, lvl, st]) => new GuardianRaiseCmd(sc, lvl, st)),
    fc
      .tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 0, 0, 1, 2, 3))
      .map(([sc, lvl]) => new GovernanceLevelCmd(sc, lvl)),
    token.map((t) => new BreakerCheckCmd(t)),
    fc.integer({ min: 0, max: 2 }).map((sc) => new CooldownCmd(sc)),
    // states a sequence must reach first and then act in
    breakerEpisode,
    breakerEpisode,
    breakerEpisode,
    assetLevelEpisode,
    reduceOnFailure,
    reduceOnFailure,
  ];
}
