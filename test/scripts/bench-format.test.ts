import { expect } from "chai";

import type { GasRow } from "../../scripts/bench/gas.js";
import { codeSize, formatComparison, formatSizes, parseBenchGas } from "../../scripts/bench/format.js";

const ROWS: GasRow[] = [
  { key: "borrow", operation: "borrow", anchor: "-", target: 120_000 },
  { key: "liquidate", operation: "liquidate", anchor: "-" },
];

describe("bench --compare", function () {
  it("reads the gas rows of an --out file", function () {
    const text = JSON.stringify({ gas: { borrow: 177_040, repay: 90_000 }, targets: {}, speed: { x: 1.5 } });
    expect(parseBenchGas(text, "base.json")).to.deep.equal({ borrow: 177_040, repay: 90_000 });
  });

  it("names the file and the problem of a file that is not a bench result", function () {
    expect(() => parseBenchGas("{not json", "a.json")).to.throw(/^a\.json: not JSON/);
    expect(() => parseBenchGas("[]", "b.json")).to.throw(/^b\.json: not a bench result \(the document/);
    expect(() => parseBenchGas(JSON.stringify({ speed: {} }), "c.json")).to.throw(/^c\.json: .*\(gas:/);
    expect(() => parseBenchGas(JSON.stringify({ gas: { borrow: "177040" } }), "d.json")).to.throw(
      /^d\.json: .*\(gas\.borrow:/,
    );
    expect(() => parseBenchGas(JSON.stringify({ gas: { borrow: 1.5 } }), "e.json")).to.throw(/gas\.borrow/);
  });

  it("prints before, now, change and ratio per row, and the rows one side lacks", function () {
    const table = formatComparison(
      { borrow: 200_000, liquidate: 100_000, gone: 5 },
      { borrow: 150_000n, fresh: 7 },
      ROWS,
    );
    const lines = table.split("\n");
    expect(lines[0]).to.match(/^\| operation +\| +before \| +now \| +change \| now\/before \|$/);
    const row = (name: string) =>
      lines
        .find((l) => l.startsWith(`| ${name} `))!
        .split("|")
        .map((c) => c.trim());
    expect(row("borrow").slice(2, 6)).to.deep.equal(["200,000", "150,000", "-50,000", "0.750"]);
    expect(row("liquidate").slice(2, 6)).to.deep.equal(["100,000", "n/a", "-", "-"]);
    expect(row("fresh").slice(2, 6)).to.deep.equal(["n/a", "7", "-", "-"]);
    expect(row("gone").slice(2, 6)).to.deep.equal(["5", "n/a", "-", "-"]);
  });
});

describe("bench code sizes", function () {
  it("measures deployed code in bytes and prints the headroom to EIP-170, largest first", function () {
    expect(codeSize("0x")).to.equal(0);
    expect(codeSize(`0x${"ab".repeat(24_300)}`)).to.equal(24_300);
    const lines = formatSizes({ Small: 100, Clearinghouse: 24_300 }).split("\n");
    expect(lines[0]).to.match(/^\| contract +\| +bytes \| headroom to 24,576 \|$/);
    expect(lines[2].split("|").map((c) => c.trim())).to.deep.equal([
      "",
      "Clearinghouse",
      "24,300",
      "276",
      "",
    ]);
    expect(lines[3].split("|").map((c) => c.trim())).to.deep.equal(["", "Small", "100", "24,476", ""]);
  });
});
