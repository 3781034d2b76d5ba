/**
 * Deployment parameter files: unknown fields and values outside the contracts' hard bounds are
 * refused with the file and the field named, before anything is deployed; the bounds mirrored in
 * scripts/deploy/params.ts equal the deployed modules' `paramBounds`; a system deployed at the
 * edges of the bounds takes a governance proposal checked against its deployment record.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "chai";
import { ZeroAddress, ZeroHash, id, parseUnits } from "ethers";
import { network } from "hardhat";

import {
  DeployParamsError,
  MAX_AUCTION_FLOOR_WAD,
  MAX_TIMELOCK_DELAY_SECONDS,
  MIN_TIMELOCK_DELAY_SECONDS,
  PARAM_BOUNDS,
  PARAM_MODULES,
  auctionFloorWad,
  curvePriceWad,
  loadDeployParams,
  paramsPathFor,
  parseDeployParams,
  type DeployParams,
} from "../../scripts/deploy/params.js";
import { PARAM_RULES, b32, deploySystem } from "../../scripts/deploy/system.js";
import { ProposalValidationError, buildParamProposal } from "../../scripts/governance/proposal.js";
import { scenariosDir } from "../../simulations/scenarios/load.js";
import { deployParamsPath } from "../../simulations/world/deploy.js";

/** A fresh copy of the shipped local file, as JSON (before defaults). */
type ParamsJson = Record<string, unknown> & {
  governance?: Record<string, unknown>;
  global: Record<string, unknown>;
  assets: Record<string, Record<string, unknown>>[];
};
function localJson(): ParamsJson {
  return JSON.parse(readFileSync(paramsPathFor("hardhat"), "utf8")) as ParamsJson;
}

function issuesOf(raw: unknown): string {
  try {
    parseDeployParams(raw, "p.json");
  } catch (e) {
    expect(e).to.be.instanceOf(DeployParamsError);
    return (e as Error).message;
  }
  expect.fail("expected a DeployParamsError");
}

describe("deployment parameters (scripts/deploy/params.ts)", function () {
  it("the shipped files and every scenario's deployParams load", function () {
    for (const f of readdirSync(join(paramsPathFor("hardhat"), "..")).filter((x) => x.endsWith(".json")))
      loadDeployParams(join(paramsPathFor("hardhat"), "..", f));
    const dirs = [scenariosDir(), join(scenariosDir(), "fidelity")];
    const used = new Set<string>();
    for (const dir of dirs)
      for (const f of readdirSync(dir).filter((x) => x.endsWith(".json"))) {
        const s = JSON.parse(readFileSync(join(dir, f), "utf8")) as { deployParams?: string };
        used.add(s.deployParams ?? "local");
      }
    expect([...used].sort()).to.deep.equal(["local", "maker-2020"]);
    for (const name of used) loadDeployParams(deployParamsPath(name));
  });

  it("refuses unknown fields at every level, naming each with its path and the file", function () {
    const p = localJson();
    const asset = p.assets[0];
    asset.markt = asset.market; // typo: the WETH perp market would be gone
    delete asset.market;
    p.global.priceMaxAgeSecond = 5; // typo: would stay 60
    p.liquidaton = { penalty: "0.5" }; // typo: penalty would stay 0.1
    asset.margin.kk = "3";
    asset.feed.heartbeat = 1;
    (p.assets[1] as Record<string, unknown>).auction = {
      curve: { kind: "linear", tauSeconds: 600, cut: "0.1" },
      buf: "1.1",
      tailSeconds: 7200,
      cusp: "0.5",
      chip: "0.001",
      tipUsd: "5",
      dustUsd: "100",
      tabCapUsd: "1",
      extra: 1,
    };
    (p.vault as Record<string, unknown>).seed = "1";
    const m = issuesOf(p);
    expect(m).to.match(/^deployment parameters p\.json: /);
    for (const field of [
      "global.priceMaxAgeSecond",
      "assets.0.markt",
      "liquidaton",
      "assets.0.margin.kk",
      "assets.0.feed.heartbeat",
      "assets.1.auction.curve.cut",
      "assets.1.auction.extra",
      "vault.seed",
    ])
      expect(m).to.contain(`${field}: unknown field`);
  });

  it("refuses values outside the contracts' bounds, naming the field, the parameter and the range", function () {
    const p = localJson();
    p.global.stabilityFeeApr = "7";
    p.assets[0].margin.ewmaLambda = "1.5";
    p.assets[1].margin.k = "0.1234567890123456789";
    p.assets[1].margin.haircutBase = "0.6"; // above its cap 0.5
    p.assets[0].market.takerFee = "0.06";
    p.assets[0].feed.minPriceUsd = "2000000"; // above the max
    (p.vault as Record<string, unknown>).cooldownSeconds = 60;
    p.liquidation = {
      targetHealth: "1",
      penalty: "0.1",
      perpPenalty: "0.01",
      perpKeeperShare: "0.3",
      dustDebtUsd: "100",
      maxTabInFlightUsd: "1",
      windowSeconds: 3600,
      windowCapacityUsd: "1",
    };
    const m = issuesOf(p);
    for (const expected of [
      "global.stabilityFeeApr: 7 is out of bounds: clearinghouse STABILITY_FEE_PER_SECOND_RAY allows 0 to 3.1536",
      "assets.0.margin.ewmaLambda: 1.5 is out of bounds: marginModel EWMA_LAMBDA_WAD allows 0.5 to 0.999",
      "assets.1.margin.k: 0.1234567890123456789 has more than 18 decimal places",
      "assets.1.margin.haircutBase: 0.6 is above haircutCap 0.5",
      "assets.0.market.takerFee: 0.06 is out of bounds: clearinghouse TAKER_FEE_WAD allows 0 to 0.05",
      "assets.0.feed.minPriceUsd: 2000000 is not below maxPriceUsd 1000000",
      "vault.cooldownSeconds: 60 is out of bounds: BackstopVault MIN/MAX_COOLDOWN_SECONDS allows 3600 to 2592000",
      "liquidation.targetHealth: 1 is out of bounds: liquidationEngine TARGET_HEALTH_WAD allows 1.01 to 3",
    ])
      expect(m).to.contain(expected);
    // just inside passes, one step out fails (the APR converts as the deployment converts it)
    const edge = localJson();
    edge.global.stabilityFeeApr = "3.1536";
    parseDeployParams(edge);
    edge.global.stabilityFeeApr = "3.1537";
    expect(issuesOf(edge)).to.contain("global.stabilityFeeApr: 3.1537 is out of bounds");
  });

  it("a file that cannot be read or parsed is a DeployParamsError naming it", function () {
    const dir = mkdtempSync(join(tmpdir(), "ballast-params-"));
    try {
      const bad = join(dir, "bad.json");
      writeFileSync(bad, "{ nope");
      expect(() => loadDeployParams(bad)).to.throw(DeployParamsError, /bad\.json: invalid JSON: /);
      expect(() => loadDeployParams(join(dir, "none.json"))).to.throw(
        DeployParamsError,
        /none\.json: file not found$/,
      );
      expect(() => loadDeployParams(dir)).to.throw(DeployParamsError, /is a directory/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses auction settings whose floor is above 0.9 x the oracle price, as the auction would (DutchAuction__CannotClear)", function () {
    // floor = buf x the curve's lowest price at or above cusp within tail, rounded up; local.json: 1.1 x 0.5 = 0.55 (linear: curve(1, 3,600 s) = 0.5)
    const base = () => {
      const p = localJson();
      p.assets[0].auction = {
        curve: { kind: "linear", tauSeconds: 7200 },
        buf: "1.1",
        tailSeconds: 7200,
        cusp: "0.5",
        chip: "0.001",
        tipUsd: "5",
        dustUsd: "100",
        tabCapUsd: "50000000",
      };
      return p;
    };
    const auctionOf = (p: ParamsJson) => p.assets[0].auction;
    const cusp = base();
    auctionOf(cusp).cusp = "0.85";
    expect(issuesOf(cusp)).to.contain(
      "assets.0.auction: buf 1.1 x the curve's lowest price at or above cusp 0.85 within tailSeconds 7200 = 0.935 is above 0.9 (DutchAuction.MAX_FLOOR_WAD): no take could pay less than that share of the oracle price before a redo, so the auctions would never clear (DutchAuction__CannotClear)",
    );
    const tail = base();
    auctionOf(tail).tailSeconds = 60; // 60 s into a 7,200 s fall: 0.99166... of the start
    expect(issuesOf(tail)).to.contain(
      "assets.0.auction: buf 1.1 x the curve's lowest price at or above cusp 0.5 within tailSeconds 60 = 1.090833333333333333 is above 0.9",
    );
    const slow = base();
    auctionOf(slow).curve = { kind: "exponential", cutPerSecond: "0.00001" }; // 0.93 after 7,200 s
    expect(issuesOf(slow)).to.match(
      /assets\.0\.auction: buf 1\.1 x the curve's lowest price at or above cusp 0\.5 .* = 1\.02\d+ is above 0\.9/,
    );
    const steps = base();
    auctionOf(steps).curve = { kind: "stairstep", cutPerStep: "0.01", stepSeconds: 600 }; // 0.99^12
    expect(issuesOf(steps)).to.match(/assets\.0\.auction: .* = 0\.97\d+ is above 0\.9/);
    // a stairstep whose first step below the start already falls under the cusp: only the start
    // price, buf x 1, is takeable (session 14's review; the first rule, buf x max(cusp, curve at
    // the tail) = 1.2 x 0.75 = 0.9, passed it)
    const jump = base();
    Object.assign(auctionOf(jump), {
      curve: { kind: "stairstep", cutPerStep: "0.3", stepSeconds: 60 },
      buf: "1.2",
      cusp: "0.75",
      tailSeconds: 3600,
    });
    expect(issuesOf(jump)).to.match(/assets\.0\.auction: buf 1\.2 x .* = 1\.2 is above 0\.9/);
    auctionOf(jump).cusp = "0.7"; // the first step, 0.7, is takeable: 1.2 x 0.7 = 0.84
    expect(auctionFloorWad(parseDeployParams(jump).assets[0].auction)).to.equal(840_000_000_000_000_000n);
    // at the limit it passes: buf 1.8 x cusp 0.5 = 0.9
    const limit = base();
    auctionOf(limit).buf = "1.8";
    expect(parseDeployParams(limit).assets[0].auction.buf).to.equal("1.8");
    expect(auctionFloorWad(parseDeployParams(limit).assets[0].auction)).to.equal(MAX_AUCTION_FLOOR_WAD);
  });

  describe("governance, the timelock delay and the vault seed", function () {
    it("checks the governance section: addresses, at least one proposer and executor, no duplicates", function () {
      const p = localJson();
      p.governance = {
        proposers: [],
        executors: ["nobody"],
        guardian: "0x0000000000000000000000000000000000000000",
        admin: "0x0000000000000000000000000000000000000001",
      };
      const m = issuesOf(p);
      expect(m).to.contain("governance.proposers: at least one proposer");
      expect(m).to.contain("governance.executors.0: ");
      expect(m).to.contain("governance.guardian: the zero address cannot be the guardian");
      expect(m).to.contain("governance.admin: unknown field");
      const zero = localJson();
      zero.governance = { ...zero.governance, proposers: ["0x0000000000000000000000000000000000000000"] };
      expect(issuesOf(zero)).to.contain("governance.proposers.0: the zero address cannot propose");

      const twice = localJson();
      const a = "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720";
      twice.governance = {
        proposers: [a, a.toLowerCase()],
        executors: ["anyone", "0x0000000000000000000000000000000000000000"],
        guardian: a,
      };
      const t = issuesOf(twice);
      expect(t).to.contain(`governance.proposers.1: ${a.toLowerCase()} is listed twice`);
      expect(t).to.contain(
        "governance.executors.1: 0x0000000000000000000000000000000000000000 is listed twice",
      );
    });

    it("a network with real assets needs a governance section; every network a timelock delay of at least one day", function () {
      const p = localJson();
      p.mocks = false;
      delete p.governance;
      p.timelockMinDelaySeconds = 0;
      for (const a of p.assets) {
        (a as Record<string, unknown>).address = "0x00000000000000000000000000000000000000a1";
        a.feed.address = "0x00000000000000000000000000000000000000f1";
      }
      const m = issuesOf(p);
      expect(m).to.contain("governance: required when mocks is false");
      expect(m).to.contain(
        "timelockMinDelaySeconds: 0 is below 86400 (one day), the shortest delay accepted (BallastTimelock.MIN_DELAY_SECONDS)",
      );
      p.governance = localJson().governance;
      p.timelockMinDelaySeconds = 86_399;
      expect(issuesOf(p)).to.contain("timelockMinDelaySeconds: 86399 is below 86400");
      p.timelockMinDelaySeconds = 86_400;
      expect(parseDeployParams(p).timelockMinDelaySeconds).to.equal(86_400);
      // a mock network too (ADR 0016: the timelock refuses a shorter updateDelay on every chain,
      // so the hand-over would revert), and without a governance section (lab mode names the
      // deployer; deploySystem refuses it otherwise)
      const local = localJson();
      delete local.governance;
      expect(parseDeployParams(local).governance).to.equal(undefined);
      for (const seconds of [0, 3_600, 86_399]) {
        local.timelockMinDelaySeconds = seconds;
        expect(issuesOf(local)).to.contain(`timelockMinDelaySeconds: ${seconds} is below 86400 (one day)`);
      }
      expect(MIN_TIMELOCK_DELAY_SECONDS).to.equal(86_400);
    });

    it("refuses a timelock delay above 30 days on every network, naming the field (a longer one bricks governance)", function () {
      // the delay governs its own change (updateDelay goes through the timelock), so a year-long
      // delay takes a year to undo, and every parameter change and emergency fix waits as long
      for (const mocks of [true, false]) {
        const p = localJson();
        p.mocks = mocks;
        for (const a of p.assets) {
          (a as Record<string, unknown>).address = "0x00000000000000000000000000000000000000a1";
          a.feed.address = "0x00000000000000000000000000000000000000f1";
        }
        p.timelockMinDelaySeconds = 2_592_001;
        expect(issuesOf(p)).to.contain(
          "timelockMinDelaySeconds: 2592001 is above 2592000 (30 days), the longest delay accepted",
        );
        p.timelockMinDelaySeconds = 365 * 86_400;
        expect(issuesOf(p)).to.contain("timelockMinDelaySeconds: 31536000 is above 2592000 (30 days)");
        p.timelockMinDelaySeconds = 2_592_000;
        expect(parseDeployParams(p).timelockMinDelaySeconds).to.equal(2_592_000);
      }
      expect(MAX_TIMELOCK_DELAY_SECONDS).to.equal(30 * 86_400);
    });

    it("refuses a vault seed the deployment could not borrow, naming the fields", function () {
      // the seed borrow needs seed >= min debt and <= the ceiling
      const low = localJson();
      low.global.minDebtUsd = "2000"; // the seed is 1000
      expect(issuesOf(low)).to.contain(
        "vault.seedUsd: 1000 is below global.minDebtUsd 2000: the seed borrow would revert (Clearinghouse__DebtBelowMinimum)",
      );
      const high = localJson();
      high.global.debtCeilingUsd = "999";
      expect(issuesOf(high)).to.contain(
        "vault.seedUsd: 1000 is above global.debtCeilingUsd 999: the seed borrow would revert (Clearinghouse__DebtCeilingExceeded)",
      );
      // the first asset's cap must take the 1,000 tokens deposited
      const capped = localJson();
      (capped.assets[0] as Record<string, unknown>).depositCap = "999.9";
      expect(issuesOf(capped)).to.contain(
        "assets.0.depositCap: 999.9 is below the 1000 WETH the deployment deposits to borrow vault.seedUsd against (Clearinghouse__DepositCapExceeded)",
      );
      // the collateral must back the borrow: 1,000 WETH at the default mock price $1, haircut at
      // most 0.6 x 1.5 = 0.9, weigh $100
      const unpriced = localJson();
      delete unpriced.assets[0].mockPriceUsd;
      expect(issuesOf(unpriced)).to.contain(
        "vault.seedUsd: 1000 is more than the seed collateral can back: 1000 WETH (assets.0) at mockPriceUsd 1 (the default) weigh 100 USD after the initial haircut",
      );
      // a mock price the feed's bounds refuse never reads ok
      const outside = localJson();
      (outside.assets[1] as Record<string, unknown>).mockPriceUsd = "50"; // WBTC's feed starts at 100
      expect(issuesOf(outside)).to.contain(
        "assets.1.mockPriceUsd: 50 is outside the feed's bounds 100 to 10000000 (feed.minPriceUsd, feed.maxPriceUsd)",
      );
      // no seed, no seed checks; the seed checks are for mock networks (no seed elsewhere)
      const noSeed = localJson();
      noSeed.global.minDebtUsd = "2000";
      (noSeed.vault as Record<string, unknown>).seedUsd = "0";
      parseDeployParams(noSeed);
    });
  });

  describe("against a deployed system at the edges of the bounds", function () {
    let fixture: Awaited<ReturnType<typeof deployEdges>>;

    /** Local parameters with several values at their bounds (min or max). */
    function edgeParams(): DeployParams {
      const p = localJson();
      p.global.stabilityFeeApr = "3.1536";
      // the vault seed exactly at the minimum debt, its collateral exactly at the deposit cap
      p.global.minDebtUsd = "1000";
      (p.assets[0] as Record<string, unknown>).depositCap = "1000";
      const m0 = p.assets[0].margin;
      m0.ewmaLambda = "0.999";
      m0.haircutCap = "0.95";
      p.assets[1].margin.ewmaLambda = "0.5";
      (p.vault as Record<string, unknown>).cooldownSeconds = 3600;
      (p.vault as Record<string, unknown>).claimWindowSeconds = 2_592_000;
      p.assets[0].auction = {
        curve: { kind: "exponential", cutPerSecond: "0.5" },
        buf: "1.8",
        tailSeconds: 604_800,
        // the curve at its own bound (half the price kept a second) jumps from 0.5 to 0.25: with
        // cusp 0.45 a take can pay 0.5 of the start at the lowest, 1.8 x 0.5 = 0.9, the floor at
        // its limit (MAX_FLOOR_WAD); buf's bound, 2, would need a cusp of 0.25 with this curve
        cusp: "0.45",
        chip: "0.05",
        tipUsd: "1000",
        dustUsd: "100",
        tabCapUsd: "50000000",
      };
      return parseDeployParams(p, "edges");
    }

    async function deployEdges() {
      const { ethers, networkHelpers } = await network.create();
      const sys = await deploySystem(ethers, edgeParams(), { keepDeployerAsProposer: true });
      return { ethers, networkHelpers, sys };
    }

    before(async function () {
      this.timeout(120_000);
      fixture = await deployEdges();
    });

    it("deploys, and the mirrored bounds and rule tables equal the modules' own", async function () {
      const { sys } = fixture;
      expect(await sys.clearinghouse.getParam(b32("STABILITY_FEE_PER_SECOND_RAY"), ZeroAddress)).to.equal(
        (parseUnits("3.1536", 18) * 10n ** 9n) / 31_536_000n,
      );
      const contracts = {
        marginModel: sys.marginModel,
        clearinghouse: sys.clearinghouse,
        liquidationEngine: sys.engine,
        dutchAuction: sys.auction,
        circuitBreaker: sys.breaker,
      };
      for (const module of PARAM_MODULES) {
        expect(Object.keys(PARAM_BOUNDS[module]).sort(), module).to.deep.equal(
          Object.keys(PARAM_RULES[module]).sort(),
        );
        for (const [name, [min, max]] of Object.entries(PARAM_BOUNDS[module])) {
          const [cMin, cMax] = await contracts[module].paramBounds(b32(name));
          expect([cMin, cMax], `${module} ${name}`).to.deep.equal([min, max]);
        }
      }
      // the auction floor's mirror: the constant, and each deployed curve's price
      expect(await sys.auction.MAX_FLOOR_WAD()).to.equal(MAX_AUCTION_FLOOR_WAD);
      const params = edgeParams();
      for (const [i, a] of sys.assets.entries()) {
        const curve = await fixture.ethers.getContractAt(
          "IAuctionCurve",
          await sys.auction.curveOf(a.address),
        );
        for (const t of [0n, 1n, 7n, 60n, 3_599n, 7_200n, 604_800n]) {
          const start = parseUnits("1234.5678", 18);
          expect(await curve.price(start, t), `${a.symbol} ${t}`).to.equal(
            curvePriceWad(params.assets[i].auction.curve, start, t),
          );
        }
      }
    });

    it("a proposal checked against the deployment record executes; bad entries are named", async function () {
      const { sys, networkHelpers, ethers } = fixture;
      const book = sys.addresses;
      const weth = book.WETH;
      const ceiling = await sys.clearinghouse.getParam(b32("DEBT_CEILING_WAD"), ZeroAddress);
      const haircut = await sys.marginModel.getParam(b32("HAIRCUT_BASE_WAD"), weth);
      const batch = buildParamProposal(
        book.riskConfig,
        [
          {
            target: book.clearinghouse,
            name: "DEBT_CEILING_WAD",
            subject: ZeroAddress,
            value: String(ceiling + 1n),
          },
          { target: book.marginModel, name: "HAIRCUT_BASE_WAD", subject: weth, value: String(haircut + 1n) },
        ],
        "p.json",
        book,
      );
      const delay = await sys.timelock.getMinDelay();
      const salt = id("clifix-proposal");
      await (
        await sys.timelock.scheduleBatch(batch.targets, batch.values, batch.payloads, ZeroHash, salt, delay)
      ).wait();
      await networkHelpers.time.increase(delay);
      await (
        await sys.timelock.executeBatch(batch.targets, batch.values, batch.payloads, ZeroHash, salt)
      ).wait();
      expect(await sys.clearinghouse.getParam(b32("DEBT_CEILING_WAD"), ZeroAddress)).to.equal(ceiling + 1n);
      expect(await sys.marginModel.getParam(b32("HAIRCUT_BASE_WAD"), weth)).to.equal(haircut + 1n);

      const issues = (diff: unknown[], riskConfig = book.riskConfig): readonly string[] => {
        try {
          buildParamProposal(riskConfig, diff, "p.json", book);
        } catch (e) {
          expect(e).to.be.instanceOf(ProposalValidationError);
          return (e as ProposalValidationError).issues;
        }
        expect.fail("expected a ProposalValidationError");
      };
      const bad = issues([
        { target: book.clearinghouse, name: "DEBT_CEILNG_WAD", subject: ZeroAddress, value: "1" },
        { target: book.riskConfig, name: "DEBT_CEILING_WAD", subject: ZeroAddress, value: "1" },
        {
          target: book.marginModel,
          name: "HAIRCUT_BASE_WAD",
          subject: ZeroAddress,
          value: String(10n ** 17n),
        },
        { target: book.clearinghouse, name: "MIN_DEBT_WAD", subject: weth, value: "1" },
        {
          target: book.liquidationEngine,
          name: "PENALTY_WAD",
          subject: ZeroAddress,
          value: String(10n ** 18n),
        },
        { target: book.dutchAuction, name: "BUF_WAD", subject: book.WETHFeed, value: String(10n ** 18n) },
      ]);
      expect(bad).to.have.length(6);
      expect(bad[0]).to.match(
        /^diff\[0\]\.name: "DEBT_CEILNG_WAD" is not a registered clearinghouse parameter \(did you mean DEBT_CEILING_WAD\?\)/,
      );
      expect(bad[1]).to.match(
        /^diff\[1\]\.target: 0x[0-9a-fA-F]{40} is the riskConfig, not a parameter module/,
      );
      expect(bad[2]).to.match(
        /^diff\[2\]\.subject: HAIRCUT_BASE_WAD is a per-asset parameter: the subject must be one of the deployment's assets \(WETH 0x.*WBTC 0x.*\), got the zero address/,
      );
      expect(bad[3]).to.equal(
        "diff[3].subject: MIN_DEBT_WAD is a global parameter: the subject must be the zero address",
      );
      expect(bad[4]).to.equal(
        `diff[4].value: ${10n ** 18n} is outside liquidationEngine's bounds for PENALTY_WAD: ${10n ** 16n} to ${3n * 10n ** 17n}`,
      );
      expect(bad[5]).to.match(/^diff\[5\]\.subject: BUF_WAD is a per-asset parameter/);
      expect(issues([], (await ethers.getSigners())[3].address)[0]).to.match(
        /^riskConfig: 0x[0-9a-fA-F]{40} is not the deployment's RiskConfig/,
      );
    });
  });
});
