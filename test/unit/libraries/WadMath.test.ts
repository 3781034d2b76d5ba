import { expect } from "chai";
import { network } from "hardhat";

const WAD = 10n ** 18n;

describe("WadMath", function () {
  async function deploy() {
    const { ethers } = await network.create();
    const math = await ethers.deployContract("WadMathHarness");
    return { math };
  }

  it("rounds mulWad down and up by exactly one unit when inexact", async function () {
    const { math } = await deploy();
    expect(await math.mulWadDown(3n, WAD / 2n)).to.equal(1n);
    expect(await math.mulWadUp(3n, WAD / 2n)).to.equal(2n);
    expect(await math.mulWadUp(4n, WAD / 2n)).to.equal(2n);
  });

  it("rounds divWad in the named direction", async function () {
    const { math } = await deploy();
    expect(await math.divWadDown(1n, 3n)).to.equal(WAD / 3n);
    expect(await math.divWadUp(1n, 3n)).to.equal(WAD / 3n + 1n);
  });

  it("floors signed products toward negative infinity", async function () {
    const { math } = await deploy();
    expect(await math.mulWadSignedFloor(-3n, WAD / 2n)).to.equal(-2n);
    expect(await math.mulWadSignedFloor(3n, WAD / 2n)).to.equal(1n);
  });

  it("scales WAD to token decimals rounding up", async function () {
    const { math } = await deploy();
    expect(await math.fromWadUp(1n, 6)).to.equal(1n);
    expect(await math.fromWadUp(10n ** 12n, 6)).to.equal(1n);
    expect(await math.fromWadUp(10n ** 12n + 1n, 6)).to.equal(2n);
  });
});
