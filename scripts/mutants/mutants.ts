/**
 * The deliberate bugs of `npm run test:mutants`. Each one is a real edit of a contract source: an
 * exact search/replace on one file, applied to a scratch copy of the repository (never a flag in
 * the contracts). The runner refuses a mutant whose search text is not found exactly once, so a
 * refactor of the contracts cannot make a mutant silently stop applying.
 *
 * `suites` are the killing suites, run in that order (ids of `SUITES` in suites.ts). Every mutant
 * runs the property and the invariant suites; a mutant of code that those suites do not reach yet
 * (the liquidation engine, the auction, the circuit breaker, the oracle router: the ledger suites
 * deploy a mock oracle, no engine, no auction and no breaker) names the unit or e2e tests of that
 * code as extra suites and says so in `reach`. A mutant that only the ledger property suite kills
 * (fast-check at one fixed seed: a new generator command can move the sequences away from it) names
 * the unit test that kills it deterministically, also with a `reach`. `npm run test:mutants --
 * --suites unit:clearinghouse,unit:ch-perps --no-baseline` runs only those backstops.
 */

export type SuiteId =
  | "property"
  | "invariant"
  | "unit:clearinghouse"
  | "unit:ch-perps"
  | "unit:liquidation"
  | "unit:auction"
  | "unit:breaker"
  | "unit:ch-breaker"
  | "unit:oracle"
  | "unit:price-cache"
  | "unit:backstop-vault"
  | "unit:curves"
  | "unit:settlement"
  | "e2e:liquidation"
  | "probe:liquidation-boundary"
  | "unit:ch-bad-debt"
  | "unit:auction-clear"
  | "unit:timelock"
  | "unit:lens"
  | "unit:keeper-reward";

export interface Mutant {
  /** Short kebab-case id (`--only <id>`). */
  id: string;
  /** The bug, in plain words. */
  title: string;
  /** The invariants (DESIGN.md section 5) the bug breaks. */
  breaks: readonly string[];
  /** Source file, relative to the repository root. */
  file: string;
  /** Exact text to replace; must occur exactly once in `file`. */
  search: string;
  replace: string;
  /** Killing suites in order (default: property, invariant). */
  suites?: readonly SuiteId[];
  /** Why extra suites are named: deterministic backstops, or code the default suites reach rarely. */
  reach?: string;
  /**
   * A known gap: no suite kills this mutant yet (why, and what would). Gap mutants are not part
   * of the default run nor of `N mutants, K killed`; `--gaps` (or `--only <id>`) runs them.
   */
  gap?: string;
}

export const DEFAULT_SUITES: readonly SuiteId[] = ["property", "invariant"];

const NOT_REACHED_LIQ =
  "the liquidation property and invariant suites reach it; liquidation unit + e2e tests as deterministic backstops";
const NOT_REACHED_BREAKER =
  "the liquidation property and invariant suites reach it; breaker unit tests as deterministic backstops";
const NOT_REACHED_PRICE_CACHE =
  "the ledger property suite refreshes the ledger's price cache (RefreshPricesCommand, session 9; the invariant suites do not); the price-cache unit tests are the deterministic backstop";
const NOT_REACHED_ORACLE =
  "the liquidation property suite reaches it on the real OracleRouter (the ledger suites use a mock oracle); OracleRouter unit tests as a backstop";

const NOT_REACHED_SETTLEMENT =
  "the property and invariant suites never settle globally; the global-settlement unit tests are the deterministic backstop";

const PROPERTY_ONLY = "of the default suites only the ledger property suite kills it, at one fixed seed";
const backstop = (test: string): string => `${PROPERTY_ONLY}; the deterministic backstop: ${test}`;

export const MUTANTS: readonly Mutant[] = [
  // ------------------------------------------------------------ ledger: rounding (I10, I1)
  {
    id: "debt-rounds-down",
    title: "new debt is normalized rounding down instead of up (the borrower owes less than it got)",
    breaks: ["I10", "I1"],
    file: "contracts/core/ClearinghouseBase.sol",
    search: "uint256 addNormalized = newDebtWad.divRayUp(indexRay);",
    replace: "uint256 addNormalized = newDebtWad.divRayDown(indexRay);",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach: backstop(
      "the Clearinghouse unit test borrowing at an uneven rate index (the debt is the rounded-up normalized amount times the index, to the wei)",
    ),
  },
  {
    id: "repay-rounds-up",
    title: "a partial repayment removes normalized debt rounded up (removes more debt than it pays)",
    breaks: ["I10", "I1"],
    file: "contracts/core/ClearinghouseBase.sol",
    search: "uint256 removed = amountWad.divRayDown(indexRay);",
    replace: "uint256 removed = amountWad.divRayUp(indexRay);",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach: backstop(
      "the Clearinghouse unit test repaying part of a debt at an uneven rate index (the debt left, to the wei)",
    ),
  },
  {
    id: "fee-rounds-down",
    title: "the taker fee is rounded down instead of up",
    breaks: ["I10"],
    file: "contracts/core/ClearinghousePerps.sol",
    search:
      "f.feeWad = SignedMath.abs(sizeDeltaWad).mulWadUp(f.fillPriceWad).mulWadUp(liquidationPenaltyWad);",
    replace:
      "f.feeWad = SignedMath.abs(sizeDeltaWad).mulWadUp(f.fillPriceWad).mulWadDown(liquidationPenaltyWad);",
    suites: [...DEFAULT_SUITES, "unit:ch-perps"],
    reach: backstop(
      "the ClearinghousePerps unit test whose taker fee is not a whole wei (the fee rounded up, to the wei)",
    ),
  },
  // ------------------------------------------------------------ ledger: flows (I1, I3, I4)
  {
    id: "close-skips-funding",
    title:
      "closing a position books it at the fill price instead of the funding-adjusted price: the funding it owes or is owed is never realized (ADR 0007)",
    breaks: ["I3"],
    file: "contracts/core/ClearinghousePerps.sol",
    search: "            PerpMath.adjustedPrice(f.fillPriceWad, f.fundingIndexWad)\n",
    replace:
      "            pos.sizeWad + sizeDeltaWad == 0 ? int256(f.fillPriceWad) : PerpMath.adjustedPrice(f.fillPriceWad, f.fundingIndexWad)\n",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse", "unit:ch-perps"],
    reach: backstop(
      "the Clearinghouse unit test closing after a week of funding (realized PnL with the funding) and the ClearinghousePerps round trip (a close's cost basis)",
    ),
  },
  {
    id: "fee-not-credited",
    title: "accrued stability fees raise the debts but are never credited to the vault",
    breaks: ["I1"],
    file: "contracts/core/ClearinghouseBase.sol",
    search:
      "            if (feeWad > 0) {\n                _vaultCreditWad = (uint256(_vaultCreditWad) + feeWad).toUint128();",
    replace: "            if (feeWad > 0) {",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach: backstop(
      "the Clearinghouse unit test accruing a year of stability fee (the vault's credit grows)",
    ),
  },
  {
    id: "deficit-hidden",
    title: "a trader's profit the vault cannot pay is paid out without recording the deficit",
    breaks: ["I1", "I8"],
    file: "contracts/core/ClearinghouseBase.sol",
    search: "                _recordDeficit(amount - vaultCredit);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach:
      "the property/invariant vaults (100,000 seed) never run short of credit for a trader's profit at the default intensity: Clearinghouse unit tests",
  },
  {
    id: "short-oi-not-released",
    title: "reducing or closing a short does not release its open interest",
    breaks: ["I3", "I4"],
    file: "contracts/core/ClearinghousePerps.sol",
    search: "else if (oldSizeWad < 0) shortOi -= uint120(uint256(-oldSizeWad));",
    replace: "else if (oldSizeWad < 0) shortOi -= 0;",
    suites: [...DEFAULT_SUITES, "unit:ch-perps"],
    reach: backstop(
      "the ClearinghousePerps round trip (short open interest equals the positions after a short is closed by a trade)",
    ),
  },
  {
    id: "repay-credits-payer",
    title: "repaying for another account credits the payer instead of that account",
    breaks: ["I6", "I1"],
    file: "contracts/core/Clearinghouse.sol",
    search: "repaidDebtWad = _credit(account, amountWad);",
    replace: "repaidDebtWad = _credit(msg.sender, amountWad);",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach:
      "the ledger property suite reaches it only when a stranger repays an account with debt (it did at the default seed until session 7's new command moved the sequences); the Clearinghouse unit test pays another account's debt on purpose",
  },
  // ------------------------------------------------------------ ledger: health checks (I13, I6, I11)
  {
    id: "withdraw-skips-health",
    title: "withdraw skips the initial-margin health check",
    breaks: ["I13", "I8"],
    file: "contracts/core/Clearinghouse.sol",
    search: "        if (exposed) _requireInitialHealth(account);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach: backstop(
      "the Clearinghouse unit test withdrawing past initial margin (reverts Undercollateralized)",
    ),
  },
  {
    id: "accepts-stale-price",
    title: "health checks accept a price the oracle reports stale (not ok)",
    breaks: ["I13", "I12"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search: "        if (!h.pricesOk) revert Clearinghouse__OracleUnhealthy(failingAsset);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach: backstop(
      "the Clearinghouse unit test borrowing on a price reported not ok (reverts OracleUnhealthy)",
    ),
  },
  {
    id: "initial-uses-maint-haircut",
    title: "initial-margin checks value collateral at the (smaller) maintenance haircut",
    breaks: ["I13"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search: "uint256 haircutWad = initial ? q.risk.haircutInitWad : q.risk.haircutMaintWad;",
    replace: "uint256 haircutWad = q.risk.haircutMaintWad;",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach: backstop(
      "the Clearinghouse unit test borrowing one unit past the initial-haircut power (reverts Undercollateralized with the exact health)",
    ),
  },
  {
    id: "reduce-needs-oracle",
    title: "reducing a position needs a healthy oracle (any fill on a failing price reverts)",
    breaks: ["I11"],
    file: "contracts/core/ClearinghousePerps.sol",
    search: "if (f.increasesRisk && !f.priceOk) revert Clearinghouse__OracleUnhealthy(market);",
    replace: "if (!f.priceOk) revert Clearinghouse__OracleUnhealthy(market);",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach:
      "the liquidation property suite's oracle-failure commands follow with a reduce or close that must pass (I11); Clearinghouse unit tests as the deterministic backstop",
  },
  // ------------------------------------------------------------ liquidation and auctions (I7, I8, I1)
  {
    id: "liquidate-at-health-one",
    title: "an account at health exactly 1 can be liquidated",
    breaks: ["I7"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "if (h.healthFactorWad >= WadMath.WAD) return snap;",
    replace: "if (h.healthFactorWad > WadMath.WAD) return snap;",
    suites: [...DEFAULT_SUITES, "unit:liquidation", "e2e:liquidation", "probe:liquidation-boundary"],
    reach: `${NOT_REACHED_LIQ}; none of those reaches health exactly 1, so the probe test/unit/liquidation/LiquidationBoundary.test.ts does`,
  },
  {
    id: "bad-debt-tab-kept",
    title: "an auction that ends in bad debt does not move its unpaid debt out of auctionDebtWad",
    breaks: ["I1", "I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "        _auctionDebtPlusOneWad -= s.debtCoveredWad + s.debtLeftWad;\n",
    replace:
      "        _auctionDebtPlusOneWad -= s.debtCoveredWad + (_accounts[s.account].collateralMask != 0 ? s.debtLeftWad : 0);\n",
    suites: [...DEFAULT_SUITES, "unit:liquidation", "e2e:liquidation"],
    reach: NOT_REACHED_LIQ,
  },
  {
    id: "keeper-paid-beyond-penalty",
    title: "the kick reward is paid even when it reaches the penalty (tab - debt) that funds it",
    breaks: ["I7"],
    file: "contracts/liquidation/DutchAuction.sol",
    search:
      "if (rewardWad >= tabWad - debtWad || lot.mulDivDown(oraclePriceWad, 10 ** cfg.decimals) < tabWad) {",
    replace: "if (lot.mulDivDown(oraclePriceWad, 10 ** cfg.decimals) < tabWad) {",
    suites: [...DEFAULT_SUITES, "unit:auction", "unit:liquidation"],
    reach: NOT_REACHED_LIQ,
  },
  {
    id: "seize-removes-extra-debt",
    title: "seizing removes the account's normalized debt rounded up (in the account's favour)",
    breaks: ["I10", "I1"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "uint256 removed = debtWad == owedWad ? acct.normalizedDebt : debtWad.divRayDown(indexRay);",
    replace: "uint256 removed = debtWad == owedWad ? acct.normalizedDebt : debtWad.divRayUp(indexRay);",
    suites: [...DEFAULT_SUITES, "unit:liquidation", "e2e:liquidation"],
    reach: NOT_REACHED_LIQ,
  },
  {
    id: "health-pnl-not-netted",
    title:
      "the health factor counts positive PnL as an asset beside the debt instead of netting it against the balance (ADR 0008): a liquidation that closes a profitable position can leave the account less healthy",
    breaks: ["I7"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search:
      "        uint256 assetsWad = h.weightedCollateralWad + (balanceWad > 0 ? uint256(balanceWad) : 0);\n        uint256 liabilitiesWad = (balanceWad < 0 ? uint256(-balanceWad) : 0) + h.requirementWad;\n",
    replace:
      "        uint256 assetsWad = h.weightedCollateralWad + h.creditWad + (h.pnlWad > 0 ? uint256(h.pnlWad) : 0);\n        uint256 liabilitiesWad = h.debtWad + (h.pnlWad < 0 ? uint256(-h.pnlWad) : 0) + h.requirementWad;\n",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse", "unit:liquidation"],
    reach:
      "the ledger property suite's model agreement sees every health factor (LeveragedTradeCommand builds debt beside a profitable position of real size); the Clearinghouse and LiquidationEngine unit tests pin the formula and the capped whole liquidation the invariant campaign found",
  },
  {
    id: "perp-penalty-not-waived",
    title:
      "a liquidation charges the whole perp penalty even past zero haircut equity (ADR 0009): the unpayable part becomes bad debt and still earns the keeper its share",
    breaks: ["I7", "I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search:
      "            penaltiesWad -= _waiveUnpayablePenalty(account, h.weightedCollateralWad, penaltiesWad, indexRay);\n",
    replace: "            penaltiesWad -= 0;\n",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach: NOT_REACHED_LIQ,
  },
  // ------------------------------------------------------------ circuit breaker (I11, I7)
  {
    id: "guardian-lowers-level",
    title: "the guardian can lower a circuit-breaker level",
    breaks: ["I11"],
    file: "contracts/risk/CircuitBreaker.sol",
    search: "        if (to < level) revert CircuitBreaker__GuardianCannotLower(scope, level, to);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:breaker", "unit:ch-breaker"],
    reach: NOT_REACHED_BREAKER,
  },
  {
    id: "liquidation-ignores-level-2",
    title: "new liquidations continue at breaker level 2 (paused only at 3)",
    breaks: ["I7"],
    file: "contracts/liquidation/LiquidationEngine.sol",
    search: "        if (level >= 2) revert LiquidationEngine__Paused(address(0), level);",
    replace: "        if (level >= 3) revert LiquidationEngine__Paused(address(0), level);",
    suites: [...DEFAULT_SUITES, "unit:liquidation", "unit:ch-breaker"],
    reach: NOT_REACHED_LIQ,
  },
  {
    id: "collateral-pair-clobbers-neighbour",
    title:
      "writing one collateral balance keeps its own old half of the storage pair instead of the other token's: the account's other collateral in that slot is wiped (or corrupted)",
    breaks: ["I2", "I1"],
    file: "contracts/core/ClearinghouseBase.sol",
    search:
      "        pairs[index >> 1] = (pair & ~(uint256(type(uint128).max) << shift)) | (uint256(amount.toUint128()) << shift);",
    replace:
      "        pairs[index >> 1] = (pair & (uint256(type(uint128).max) << shift)) | (uint256(amount.toUint128()) << shift);",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
  },
  {
    id: "seize-ignores-asset-level-2",
    title:
      "the engine seizes an asset whose own breaker level is 2 (paused only at 3): since the auction trusts its kicker for this rule, the asset is auctioned into the market the breaker stopped",
    breaks: ["I13"],
    file: "contracts/liquidation/LiquidationEngine.sol",
    search: "        if (level >= 2 || isSettled) {",
    replace: "        if (level >= 3 || isSettled) {",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach:
      "the liquidation property suite's asset-level episode reaches it (session 10: an asset's own level 2, then a liquidation of a holder); the engine's unit test raises WETH alone",
  },
  {
    id: "partial-plan-listing-order",
    title:
      "a partial plan seizes in listing order instead of most haircut first: a cap that cuts it can leave the low-haircut asset sold and the high-haircut one kept, the account less healthy than before",
    breaks: ["I7"],
    file: "contracts/liquidation/LiquidationEngine.sol",
    search: "            uint256 i = order[k];\n",
    replace: "            uint256 i = p.whole ? order[k] : k;\n",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach:
      "needs a partial plan over two collaterals, the low-haircut one listed first and taken whole, cut by a cap; the Solidity campaign found it in session 10, the engine's unit test builds it",
  },
  {
    id: "bad-debt-penalty-booked-as-income",
    title:
      "an auction ending in bad debt books the last payment's penalty share as vault income and the same amount as bad debt: the waterfall and the breaker's bad-debt trigger see a loss the payment itself offsets",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "        if (finished) {\n",
    replace: "        if (false && finished) {\n",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach:
      "needs an auction whose whole lot sells for less than its tab on an account left without collateral; the engine's unit tests build it, the liquidation property suite reaches it once per run at the default seed (a take after an `UnderwaterCmd` to half the debt)",
  },
  {
    id: "batch-level-stale-after-writeoff",
    title:
      "a batch keeps the global level it read at its start: a write-off whose bad debt raises the global level to 2 does not stop the batch's later seizures",
    breaks: ["I13"],
    file: "contracts/liquidation/LiquidationEngine.sol",
    search:
      "            if (memo.assets.length != 0) (memo.globalLevel, memo.settled) = breaker.globalStatus();\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach:
      "needs a batch that seizes an asset, then writes off an account whose bad debt raises the global level, then reaches another account of that asset; the engine's unit test builds it",
  },
  {
    id: "batch-velocity-reported-at-end",
    title:
      "a batch reports its seized debt to the breaker only at its end: the seizure that takes the velocity window beyond capacity does not raise the asset's level, and the batch goes on seizing it",
    breaks: ["I13"],
    file: "contracts/liquidation/LiquidationEngine.sol",
    search: "        if (a.unreportedWad > a.velocityRoomWad) _report(a);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach:
      "needs a velocity capacity crossed inside one batch with another account of the asset after the crossing; the engine's unit test builds it",
  },
  {
    id: "take-at-level-3",
    title:
      "the ledger refuses takes only after settlement, not at breaker level 3 (global or the token's): collateral keeps being sold into a market the breaker has stopped",
    breaks: ["I13"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "        if (_breakerWord != 0) _requireWithdrawable(token, _collateralInfo[token].index);",
    replace: "        if (_breakerWord & 4 != 0) _requireWithdrawable(token, _collateralInfo[token].index);",
    suites: [...DEFAULT_SUITES, "unit:ch-breaker"],
    reach:
      "the liquidation property suite's asset-level episode takes at level 3 (session 10); the Clearinghouse breaker unit tests take at the token's and the global level 3, with and without a callback",
  },
  {
    id: "window-exhaustion-reads-stale",
    title:
      "a batch judges the liquidation window from storage, not rolled over to this block: after a window with no seizure yet, the old full window stops the batch at the first account another cap cut to nothing",
    breaks: ["I13"],
    file: "contracts/liquidation/LiquidationEngine.sol",
    search: "        (, uint256 used) = _windowNow(c.windowStart, c.windowUsedWad, c.windowSeconds);",
    replace: "        uint256 used = c.windowUsedWad;",
    suites: [...DEFAULT_SUITES, "unit:liquidation"],
    reach:
      "needs a full window, a rollover with no seizure since, and a batch whose first liquidatable account a tab cap cuts to nothing; the engine's unit test builds exactly that",
  },
  {
    id: "set-breaker-skips-market-only",
    title:
      "setBreaker copies the levels of markets that are also collaterals (again) instead of those that are not: a market-only asset's level raised before the breaker was set is never enforced by the ledger",
    breaks: ["I11"],
    file: "contracts/core/ClearinghouseSettlement.sol",
    search: "if (!_collateralInfo[_markets[i]].listed) _syncBreakerLevel(_markets[i]);",
    replace: "if (_collateralInfo[_markets[i]].listed) _syncBreakerLevel(_markets[i]);",
    suites: [...DEFAULT_SUITES, "unit:ch-breaker"],
    reach:
      "the property and invariant suites set the breaker before any level moves, and list no market without its collateral; the Clearinghouse breaker unit tests set it after raising a market-only asset's level",
  },
  {
    id: "listing-ignores-breaker-level",
    title:
      "listing a collateral does not copy the level the breaker already holds for it: a level raised before the listing is never enforced by the ledger",
    breaks: ["I11"],
    file: "contracts/core/ClearinghouseSettlement.sol",
    search: "        _syncBreakerLevel(token);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-breaker"],
    reach:
      "the property and invariant suites list every asset before any level moves; the Clearinghouse breaker unit tests list one after the breaker raised it",
  },
  {
    id: "withdraw-at-level-3",
    title: "withdrawals continue at global breaker level 3",
    breaks: ["I11"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search: "        if (word & 3 == 3) revert Clearinghouse__BreakerLevel(address(0), 3);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-breaker"],
    reach: NOT_REACHED_BREAKER,
  },
  {
    id: "repay-blocked-by-breaker",
    title: "repay is refused at breaker level 1 and above, like a risk-increasing action",
    breaks: ["I11"],
    file: "contracts/core/Clearinghouse.sol",
    search: "        _accrueFee();\n        stablecoin.burn(msg.sender, amountWad);",
    replace:
      "        _requireBreakerAllowsRisk(account);\n        _accrueFee();\n        stablecoin.burn(msg.sender, amountWad);",
    suites: [...DEFAULT_SUITES, "unit:ch-breaker"],
    reach: NOT_REACHED_BREAKER,
  },
  // ------------------------------------------------------------ oracle (I12, I13)
  {
    id: "oracle-accepts-stale",
    title: "the OracleRouter returns a primary price older than heartbeat + grace as ok",
    breaks: ["I12"],
    file: "contracts/oracle/OracleRouter.sol",
    search: "status = block.timestamp - updatedAt > maxAgeSeconds ? Status.PrimaryStale : Status.Ok;",
    replace: "status = Status.Ok;",
    suites: [...DEFAULT_SUITES, "unit:oracle"],
    reach: NOT_REACHED_ORACLE,
  },
  {
    id: "oracle-secondary-ignores-grace",
    title:
      "the secondary feed is stale after its own heartbeat alone, without the feed's grace: a secondary inside its grace fails every read of the asset",
    breaks: ["I12"],
    file: "contracts/oracle/OracleRouter.sol",
    search: "uint256(f.secondaryHeartbeatSeconds) + f.gracePeriodSeconds",
    replace: "uint256(f.secondaryHeartbeatSeconds)",
    suites: [...DEFAULT_SUITES, "unit:oracle"],
    reach: NOT_REACHED_ORACLE,
  },
  {
    id: "oracle-secondary-primary-heartbeat",
    title:
      "the secondary's age is checked against the primary's heartbeat: a daily secondary fails the cross-check an hour after each of its rounds",
    breaks: ["I12"],
    file: "contracts/oracle/OracleRouter.sol",
    search: "uint256(f.secondaryHeartbeatSeconds) + f.gracePeriodSeconds",
    replace: "uint256(f.heartbeatSeconds) + f.gracePeriodSeconds",
    suites: [...DEFAULT_SUITES, "unit:oracle"],
    reach: NOT_REACHED_ORACLE,
  },
  {
    id: "oracle-fallback-tie-to-stale",
    title:
      "a stale round stamped the very second of the last poke counts as newer than the last good price (a replaced feed's round overrides the price the poke checked)",
    breaks: ["I12"],
    file: "contracts/oracle/OracleRouter.sol",
    search: "if (staleWad != 0 && staleUpdatedAt > last.timestamp) return staleWad;",
    replace: "if (staleWad != 0 && staleUpdatedAt >= last.timestamp) return staleWad;",
    suites: [...DEFAULT_SUITES, "unit:oracle"],
    reach: NOT_REACHED_ORACLE,
  },
  // ------------------------------------------------------------ backstop vault
  {
    id: "vault-claim-after-claimable-at",
    title:
      "an LP's withdrawal request opens one second after the claimableAt it was told: a claim at claimableAt reverts CooldownActive",
    breaks: ["I11"],
    file: "contracts/core/BackstopVault.sol",
    search: "if (block.timestamp < r.claimableAt) revert BackstopVault__CooldownActive",
    replace: "if (block.timestamp <= r.claimableAt) revert BackstopVault__CooldownActive",
    suites: [...DEFAULT_SUITES, "unit:backstop-vault"],
    reach:
      "the ledger suites never run the vault's request/cooldown path; its unit test claims at claimableAt exactly",
  },
  // ------------------------------------------------------------ auction curves
  {
    id: "curve-power-rounds-up",
    title:
      "the exponential curves' power rounds its products up: every auction price is a few wei per 1e27 high",
    breaks: ["I10"],
    file: "contracts/liquidation/curves/RayPow.sol",
    search: "if (n & 1 == 1) z = (z * x) / RAY;",
    replace: "if (n & 1 == 1) z = (z * x + RAY - 1) / RAY;",
    suites: [...DEFAULT_SUITES, "unit:curves"],
    reach:
      "no ledger suite prices an auction on an exponential curve; its unit test compares with a floored mirror at a 1e36 start price, where the factor's last digit shows",
  },
  // ------------------------------------------------------------ global settlement
  {
    id: "settlement-withdraw-with-debt",
    title:
      "after global settlement an account that still owes debt (no position open) withdraws its collateral before settleAccount pools it: the debt is left unbacked",
    breaks: ["I8", "I1"],
    file: "contracts/core/ClearinghouseSettlement.sol",
    search: "if (acct.normalizedDebt != 0 || acct.marketMask != 0 || acct.auctions != 0) {",
    replace: "if (acct.marketMask != 0 || acct.auctions != 0) {",
    suites: [...DEFAULT_SUITES, "unit:settlement"],
    reach: NOT_REACHED_SETTLEMENT,
  },
  {
    id: "settlement-pool-rounds-down",
    title:
      "settleAccount pools the collateral for the debt rounded down: the redemption pool holds up to a wei less than the debt at the frozen price",
    breaks: ["I10"],
    file: "contracts/core/ClearinghouseSettlement.sol",
    search: "uint256 amount = debtWad.mulDivUp(unit, priceWad);",
    replace: "uint256 amount = debtWad.mulDivDown(unit, priceWad);",
    suites: [...DEFAULT_SUITES, "unit:settlement"],
    reach: NOT_REACHED_SETTLEMENT,
  },
  // ------------------------------------------------------------ price cache (ADR 0006; I12)
  {
    id: "cached-price-never-expires",
    title: "the ledger's cached prices serve initial-margin checks however old they are",
    breaks: ["I12"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search: "return maxAgeSeconds != 0 && block.timestamp - _pricesCachedAt <= maxAgeSeconds;",
    replace: "return maxAgeSeconds != 0;",
    suites: [...DEFAULT_SUITES, "unit:price-cache"],
    reach: NOT_REACHED_PRICE_CACHE,
  },
  {
    id: "liquidation-uses-cached-price",
    title: "maintenance health (liquidation) values assets at the cached prices, not the oracle's",
    breaks: ["I12"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search:
      "(q, quoteCount) = _quote(quotes, quoteCount, c.token, initial ? c.cachedPriceWad : 0, withCols);",
    replace: "(q, quoteCount) = _quote(quotes, quoteCount, c.token, c.cachedPriceWad, withCols);",
    suites: [...DEFAULT_SUITES, "unit:price-cache"],
    reach: NOT_REACHED_PRICE_CACHE,
  },
  {
    id: "vault-mark-at-index",
    title:
      "the vault's net assets mark its counter-skew at the index, not where the skew closes: an open skew lifts the share price by the premium its closing fills hand back, and an LP redeeming at that mark takes it from the others",
    breaks: ["I10"],
    file: "contracts/core/ClearinghouseBase.sol",
    search: "        if (skewWad == 0) return markWad;\n",
    replace: "        return markWad;\n",
    suites: [...DEFAULT_SUITES, "unit:ch-perps"],
  },
  {
    id: "deficit-not-in-vault-assets",
    title:
      "the vault's net assets ignore the deficit: after a wipe-out its next income is withdrawable LP equity while the stablecoin stays unbacked",
    breaks: ["I8"],
    file: "contracts/core/Clearinghouse.sol",
    search: "_pendingFeeWad()) - int256(deficitWad);",
    replace: "_pendingFeeWad());",
    suites: [...DEFAULT_SUITES, "unit:clearinghouse"],
    reach:
      "the ledger suites never reach a deficit with vault income after it (their vault is funded for every trader profit); the ledger unit test builds one",
  },
  {
    id: "auction-end-ignores-running-auctions",
    title:
      "an auction's end books its debt left as bad debt on an account without collateral while another of its auctions still runs, whose surplus lot then returns to the account",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search:
      "        bool finished = acct.collateralMask == 0 && acct.marketMask == 0 && auctionsLeft == 0;\n",
    replace: "        bool finished = acct.collateralMask == 0 && acct.marketMask == 0;\n",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs two auctions of one account ending apart, the first below its debt; the ledger's bad-debt unit test builds it",
  },
  {
    id: "writeoff-during-auctions",
    title: "writeOff books an account's debt as bad debt while an auction of its collateral still runs",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "        if (acct.auctions != 0) return 0;\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    gap: "unreachable since session 14 (defence in depth): the engine calls writeOff with an auction of the account running only when the account held a position at the liquidation (else it is not liquidatable), and a position can no longer be opened while an auction runs (Clearinghouse__AuctionsRunning) while a liquidation closes every position; session 13's unit test built it by opening one during the auction. Survived property, invariant and unit:ch-bad-debt (session 14)",
  },
  {
    id: "bad-debt-before-credit",
    title:
      "an auction's shortfall on a finished account is covered by the vault while the account keeps its credit",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "            chargedBackWad = debtLeftWad < creditWad ? debtLeftWad : creditWad;\n",
    replace: "            chargedBackWad = 0;\n",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs credit on an account whose last auction ends short; the ledger's bad-debt unit test builds it",
  },
  {
    id: "pending-account-liquidatable",
    title:
      "an account holding nothing but running auctions is liquidatable: every liquidation of it writes off nothing while keepers keep sending them, and the engine counts each",
    breaks: [],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search:
      "        if (acct.collateralMask == 0 && acct.marketMask == 0 && acct.auctions != 0) return snap;\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs debt on an emptied account whose auction still runs; the ledger's bad-debt unit test builds it",
  },
  {
    id: "finished-keeps-own-debt",
    title:
      "a finished account's own debt (a shortfall charged back while another of its auctions ran, a seizure's rounding) stays on it when its last auction ends: debt without collateral, outside any auction",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search: "            debtLeftWad += _removeDebt(s.account);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs debt on an emptied account whose last auction then ends short; the ledger's bad-debt unit test builds it",
  },
  {
    id: "finished-ignores-positions",
    title:
      "an account holding a position counts as finished at its auction's end: its shortfall and its own debt (borrowed against the position's profit) become bad debt while it keeps the position",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseLiquidation.sol",
    search:
      "        bool finished = acct.collateralMask == 0 && acct.marketMask == 0 && auctionsLeft == 0;\n",
    replace: "        bool finished = acct.collateralMask == 0 && auctionsLeft == 0;\n",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    gap: "unreachable since session 14 (defence in depth): an account whose auction runs holds no position, since a liquidation closes every position and none can be opened until its auctions end (Clearinghouse__AuctionsRunning); session 13's unit test built it by opening one on credit during the auction. Survived property, invariant and unit:ch-bad-debt (session 14)",
  },
  {
    id: "withdraw-ignores-auctions",
    title:
      "an account without debt or position withdraws collateral while its auctions run (a surplus lot one auction returned; an exposed account's withdrawal is refused by the health check's own count): the last auction's shortfall is then bad debt, not the owner's",
    breaks: ["I8"],
    file: "contracts/core/Clearinghouse.sol",
    search: "        else _requireNoAuctions(account, acct.auctions);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs an owner without debt or position withdrawing while his auction runs: the liquidation property suite's withdrawals after a whole liquidation, the liquidation invariant suite's exitAll (after its full repay) and ProtocolHandler.withdraw (I8); the ledger's bad-debt unit test builds ADR 0014's two auctions",
  },
  {
    id: "risk-ignores-auctions",
    title:
      "an account borrows (its credit first) or opens a position while its auctions run: the credit or the margin that pays their shortfall leaves, or is put at risk",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseHealth.sol",
    search: "        _requireNoAuctions(account, auctions);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs an owner borrowing or trading while his auction runs (the property and invariant suites' borrows and openings after a liquidation); the ledger's bad-debt unit test borrows from credit and opens a position during one",
  },
  {
    id: "settle-account-during-auctions",
    title:
      "global settlement settles an account while its auction runs: its debt is written off, then the yanked lot's surplus goes back to it",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseSettlement.sol",
    search: "        if (auctions != 0) revert Settlement__AuctionsRunning(account, auctions);\n",
    replace: "",
    suites: [...DEFAULT_SUITES, "unit:ch-bad-debt"],
    reach:
      "needs global settlement while an account's auction runs; the ledger's bad-debt unit test builds it",
  },
  {
    id: "settlement-price-from-fallback",
    title:
      "global settlement freezes an asset at the router's fallback when its read fails: the last good price of the last poke, however old (ADR 0015)",
    breaks: ["I8"],
    file: "contracts/risk/CircuitBreaker.sol",
    search: "            if (ok) _recordSettlementPrice(asset, priceWad);\n",
    replace: "            if (ok || priceWad != 0) _recordSettlementPrice(asset, priceWad);\n",
    suites: ["unit:settlement", "unit:breaker"],
    reach:
      "the ledger suites deploy no breaker and never settle globally; the settlement unit test fails the feed at settlement",
  },
  {
    id: "settle-account-writes-off-unpriced",
    title:
      "settleAccount writes off the debt its priced collateral does not pay while the account holds a collateral with no settlement price yet, which the owner then keeps",
    breaks: ["I8"],
    file: "contracts/core/ClearinghouseSettlement.sol",
    search:
      "        if (leftWad > 0 && unpriced != address(0)) revert Settlement__NoSettlementPrice(unpriced);\n",
    replace: "",
    suites: ["unit:settlement"],
    reach: "the ledger suites never settle globally; the settlement unit test leaves WETH unpriced",
  },
  {
    id: "auction-floor-unchecked",
    title:
      "buf, tail, cusp and curve may be set so that the lowest price a take can pay before a redo is above the oracle: every auction is redone forever",
    breaks: ["I12"],
    file: "contracts/liquidation/DutchAuctionParams.sol",
    search:
      "        if (floorWad > MAX_FLOOR_WAD) revert DutchAuction__CannotClear(token, floorWad, MAX_FLOOR_WAD);\n",
    replace: "",
    suites: ["unit:auction"],
    reach:
      "the ledger suites deploy no auction; the auction unit test tightens buf, cusp and tail past the floor",
  },
  {
    id: "auction-floor-ignores-steps",
    title:
      "the auction's floor rule takes buf x max(cusp, curve at the tail), as if every curve passed through every price: a stairstep that jumps below the cusp in its first step is accepted, and its auctions are taken only at the start price or redone forever",
    breaks: ["I12"],
    file: "contracts/liquidation/DutchAuctionParams.sol",
    search: "        if (atTailWad >= cuspWad) return atTailWad;\n",
    replace: "        return atTailWad >= cuspWad ? atTailWad : cuspWad;\n",
    suites: ["unit:auction-clear"],
    reach:
      "the ledger suites deploy no auction; the floor rule's unit test sets a stairstep and a halving exponential",
  },
  // ------------------------------------------------------------ governance and periphery (ADR 0016)
  {
    id: "timelock-delay-unbounded",
    title:
      "the timelock's updateDelay takes any delay, as OpenZeppelin's: one scheduled operation sets it to 0 (every later loosening instant) or to a century (governance bricked, every parameter frozen)",
    breaks: [],
    file: "contracts/governance/BallastTimelock.sol",
    search: "        _requireInBounds(newDelay);\n",
    replace: "",
    suites: ["unit:timelock"],
    reach:
      "no property or invariant suite schedules a timelock operation; the timelock's unit test executes updateDelay(0) and a century",
  },
  {
    id: "lens-only-auctions-by-weight",
    title:
      "AccountLens.liquidatable takes 'no weighted collateral and no requirement' for 'nothing but running auctions': an account with a dust balance worth 0 after its haircut is not listed, though the ledger liquidates it",
    breaks: [],
    file: "contracts/periphery/AccountLens.sol",
    search: "                if (_onlyAuctions(accounts[i], listings)) continue;\n",
    replace: "                if (clearinghouse.auctionsOf(accounts[i]) != 0) continue;\n",
    suites: ["unit:lens"],
    reach:
      "the property and invariant suites deploy no lens; its unit test deposits one wei of a 0.5 USD collateral beside two running auctions",
  },
  {
    id: "tip-guardian-may-lower",
    title:
      "the deployment registers TIP_WAD 'lower is safer' (a rule table, not a contract): the guardian walks tip and chip to 0 in four calls and nobody is paid to kick or redo an auction",
    breaks: [],
    file: "scripts/deploy/rules.ts",
    search: '  TIP_WAD: { maxStepShareWad: HALF, minStep: wad("1"), governanceOnly: true },\n',
    replace: '  TIP_WAD: { maxStepShareWad: HALF, minStep: wad("1"), higherIsSafer: false },\n',
    suites: ["unit:keeper-reward"],
    reach:
      "the invariant suite registers its own rules; the liquidation property suite deploys with rules.ts but its guardian never moves a keeper reward; the keeper-reward unit test has the guardian lower the tip",
  },
];
