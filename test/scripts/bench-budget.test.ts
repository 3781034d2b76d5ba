import { expect } from "chai";

import { BUDGET_GROUPS, formatBudgets, gasBudget, type FrameKind } from "../../scripts/bench/budget.js";
import { GAS_ROWS } from "../../scripts/bench/gas.js";
import { LIQUIDATION_GAS_ROWS } from "../../scripts/bench/liquidation.js";
import { parseProfileArgs } from "../../scripts/bench/profile-args.js";

const kindOf = (label: string): FrameKind =>
  label === "oracleRouter" || label === "WETHFeed"
    ? "price"
    : label === "WETH" || label === "stablecoin"
      ? "token"
      : "module";

describe("profile --budget", function () {
  it("splits a target's transactions into the part outside the modules and the modules' own", function () {
    const group = {
      name: "liquidate + takeFull",
      rows: ["liquidate", "takeFull"],
      target: 200_000,
      divisor: 1,
    };
    const b = gasBudget(
      group,
      [
        {
          totalGas: 207_000,
          intrinsicGas: 21_800,
          frames: [
            { label: "clearinghouse", selfGas: 70_000 },
            { label: "oracleRouter", selfGas: 9_200 },
            { label: "WETHFeed", selfGas: 9_000 },
            { label: "dutchAuction", selfGas: 97_000 },
          ],
        },
        {
          totalGas: 142_000,
          intrinsicGas: 22_800,
          frames: [
            { label: "WETH", selfGas: 12_900 },
            { label: "stablecoin", selfGas: 15_200 },
            { label: "clearinghouse", selfGas: 91_100 },
          ],
        },
      ],
      kindOf,
    );
    expect(b).to.deep.include({
      measured: 349_000,
      intrinsic: 44_600,
      priceReads: 18_200,
      tokenMoves: 28_100,
      outside: 90_900,
      modules: 258_100,
      modulesBudget: 109_100,
      cut: 149_000,
    });
  });

  it("reports no cut when the target is met, and divides a batch per account", function () {
    const met = gasBudget(
      { name: "borrow", rows: ["borrow"], target: 120_000, divisor: 1 },
      [{ totalGas: 109_000, intrinsicGas: 22_000, frames: [{ label: "stablecoin", selfGas: 12_700 }] }],
      kindOf,
    );
    expect(met.cut).to.equal(0);
    expect(met.modules).to.equal(109_000 - 22_000 - 12_700);
    const batch = gasBudget(
      { name: "batch", rows: ["liquidateBatch"], target: 50_000, divisor: 20 },
      [{ totalGas: 1_760_000, intrinsicGas: 29_000, frames: [{ label: "oracleRouter", selfGas: 18_200 }] }],
      kindOf,
    );
    expect(batch).to.deep.include({ measured: 88_000, intrinsic: 1_450, priceReads: 910, modules: 85_640 });
    expect(batch.cut).to.equal(85_640 - (50_000 - 1_450 - 910));
    expect(formatBudgets([met, batch])).to.match(/\| borrow +\| +120,000 \|.*none \(met\) \|/);
    expect(formatBudgets([batch])).to.match(/ 38,000 \(44\.4%\) \|$/m);
  });

  it("refuses transactions that do not match the group's rows", function () {
    expect(() => gasBudget(BUDGET_GROUPS[3], [], kindOf)).to.throw(
      /liquidate \+ takeFull: 0 transactions for 2 rows/,
    );
  });

  it("names the targets the bench names, with the bench's bounds", function () {
    const benchTargets = new Map(
      [...GAS_ROWS, ...LIQUIDATION_GAS_ROWS]
        .filter((r) => r.target !== undefined)
        .map((r) => [r.key, r.target]),
    );
    const byName = new Map(BUDGET_GROUPS.map((g) => [g.name, g.target]));
    expect(byName.get("borrow")).to.equal(benchTargets.get("borrow"));
    expect(byName.get("openPosition")).to.equal(benchTargets.get("openPosition"));
    expect(byName.get("modifyPosition")).to.equal(benchTargets.get("modifyPosition"));
    expect(byName.get("liquidate + takeFull")).to.equal(benchTargets.get("liquidatePlusTakeFull"));
    expect(byName.get("liquidateBatch per account")).to.equal(benchTargets.get("liquidateBatchPerAccount"));
  });

  it("takes --budget alone, and names unknown rows", function () {
    const parsed = parseProfileArgs(["--budget"]);
    expect(parsed).to.not.equal("help");
    if (parsed === "help") return;
    expect(parsed.budget).to.equal(true);
    expect(parsed.rows).to.include.members([
      "openPosition",
      "liquidate",
      "takeFull",
      "liquidateBatchRecycled",
    ]);
    expect(() => parseProfileArgs(["--budget", "borrow"])).to.throw(/--budget takes no rows/);
    expect(() => parseProfileArgs(["borow"])).to.throw(/unknown row "borow"; valid rows: deposit/);
    expect(parseProfileArgs(["--help"])).to.equal("help");
  });
});
