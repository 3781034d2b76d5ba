import { expect } from "chai";
import { network } from "hardhat";

import { WAD as LEDGER_WAD, deployLedger, type Ledger } from "../../helpers/ledger.js";

import type {
  BackstopVault,
  MockVaultClearinghouse,
  Stablecoin,
} from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;
const DAY = 86_400n;
const COOLDOWN = 7n * DAY;
const WINDOW = 2n * DAY;
/** 10 ** _decimalsOffset(): virtual shares per virtual asset. */
const VIRTUAL_SHARES = 10n ** 6n;

/** x / d rounded up, for x >= 0 and d > 0. */
function ceilDiv(x: bigint, d: bigint): bigint {
  return (x + d - 1n) / d;
}

/** Mirror of OpenZeppelin ERC4626's conversions with the vault's offset. */
function mulDiv(x: bigint, y: bigint, d: bigint, up: boolean): bigint {
  const q = (x * y) / d;
  return up && (x * y) % d !== 0n ? q + 1n : q;
}
function toShares(assets: bigint, totalAssets: bigint, supply: bigint, up = false): bigint {
  return mulDiv(assets, supply + VIRTUAL_SHARES, totalAssets + 1n, up);
}
function toAssets(shares: bigint, totalAssets: bigint, supply: bigint, up = false): bigint {
  return mulDiv(shares, totalAssets + 1n, supply + VIRTUAL_SHARES, up);
}

describe("BackstopVault", function () {
  async function deployBare() {
    const { ethers, networkHelpers } = await network.create();
    const [deployer, alice, bob, carol, attacker] = await ethers.getSigners();
    // the mock Clearinghouse is the stablecoin's immutable minter: deployed right after it
    const nonce = await ethers.provider.getTransactionCount(deployer.address, "pending");
    const predictedCh = ethers.getCreateAddress({ from: deployer.address, nonce: nonce + 1 });
    const coin = (await ethers.deployContract("Stablecoin", [predictedCh])) as unknown as Stablecoin;
    const ch = (await ethers.deployContract("MockVaultClearinghouse", [
      await coin.getAddress(),
    ])) as unknown as MockVaultClearinghouse;
    expect(await ch.getAddress()).to.equal(await coin.minter());
    const vault = (await ethers.deployContract("BackstopVault", [
      await coin.getAddress(),
      COOLDOWN,
      WINDOW,
    ])) as unknown as BackstopVault;
    await ch.setVault(await vault.getAddress());
    return {
      ethers,
      networkHelpers,
      coin,
      ch,
      vault,
      deployer,
      alice,
      bob,
      carol,
      attacker,
    };
  }

  /** Initialized vault; alice, bob, carol and attacker each hold 1M bUSD approved to the vault. */
  async function deploy() {
    const ctx = await deployBare();
    const { ethers, coin, ch, vault, alice, bob, carol, attacker } = ctx;
    await vault.initialize(await ch.getAddress());
    for (const user of [alice, bob, carol, attacker]) {
      await ch.fund(user.address, 1_000_000n * WAD);
      await coin.connect(user).approve(await vault.getAddress(), ethers.MaxUint256);
    }
    return ctx;
  }

  async function state(ctx: Awaited<ReturnType<typeof deploy>>) {
    const { vault, ch } = ctx;
    return {
      totalAssets: await vault.totalAssets(),
      supply: await vault.totalSupply(),
      credit: await ch.creditOf(await vault.getAddress()),
    };
  }

  /** Deposits, requests `requestShares` (all by default) and mines a block at the window's start. */
  async function depositAndRequest(
    ctx: Awaited<ReturnType<typeof deploy>>,
    assets: bigint,
    requestShares?: bigint,
  ) {
    const { vault, alice, networkHelpers } = ctx;
    await vault.connect(alice).deposit(assets, alice.address);
    const shares = requestShares ?? (await vault.balanceOf(alice.address));
    await vault.connect(alice).requestWithdraw(shares);
    const [, claimableAt, expiresAt] = await vault.withdrawalRequest(alice.address);
    await networkHelpers.time.increaseTo(claimableAt);
    return { shares, claimableAt, expiresAt };
  }

  describe("deployment and initialize", function () {
    it("stores the durations, 24 decimals and the asset", async function () {
      const { vault, coin, deployer } = await deployBare();
      expect(await vault.cooldownSeconds()).to.equal(COOLDOWN);
      expect(await vault.claimWindowSeconds()).to.equal(WINDOW);
      expect(await vault.decimals()).to.equal(24n);
      expect(await vault.asset()).to.equal(await coin.getAddress());
      expect(await vault.deployer()).to.equal(deployer.address);
    });

    it("rejects durations outside the bounds", async function () {
      const { ethers, vault, coin } = await deployBare();
      const asset = await coin.getAddress();
      const cases: [bigint, bigint, bigint, bigint, bigint][] = [
        [3599n, WINDOW, 3599n, 3600n, 30n * DAY],
        [30n * DAY + 1n, WINDOW, 30n * DAY + 1n, 3600n, 30n * DAY],
        [COOLDOWN, 0n, 0n, 3600n, 30n * DAY],
        [COOLDOWN, 30n * DAY + 1n, 30n * DAY + 1n, 3600n, 30n * DAY],
      ];
      for (const [cooldown, window, value, min, max] of cases) {
        await expect(ethers.deployContract("BackstopVault", [asset, cooldown, window]))
          .to.be.revertedWithCustomError(vault, "BackstopVault__InvalidDuration")
          .withArgs(value, min, max);
      }
      await expect(
        ethers.deployContract("BackstopVault", [ethers.ZeroAddress, COOLDOWN, WINDOW]),
      ).to.be.revertedWithCustomError(vault, "BackstopVault__ZeroAddress");
    });

    it("is closed to deposits and reports zero assets before initialize", async function () {
      const { vault, ch, coin, alice, ethers } = await deployBare();
      await ch.fund(alice.address, WAD);
      await coin.connect(alice).approve(await vault.getAddress(), WAD);
      expect(await vault.clearinghouse()).to.equal(ethers.ZeroAddress);
      expect(await vault.totalAssets()).to.equal(0n);
      expect(await vault.maxDeposit(alice.address)).to.equal(0n);
      expect(await vault.maxMint(alice.address)).to.equal(0n);
      expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
      await expect(vault.connect(alice).deposit(WAD, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(alice.address, WAD, 0n);
      await expect(vault.connect(alice).mint(WAD, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxMint")
        .withArgs(alice.address, WAD, 0n);
      expect(await coin.balanceOf(alice.address)).to.equal(WAD);
    });

    it("initializes once, deployer only, non-zero", async function () {
      const { vault, ch, alice, ethers } = await deployBare();
      const chAddr = await ch.getAddress();
      await expect(vault.connect(alice).initialize(chAddr))
        .to.be.revertedWithCustomError(vault, "BackstopVault__NotDeployer")
        .withArgs(alice.address);
      await expect(vault.initialize(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        vault,
        "BackstopVault__ZeroAddress",
      );
      expect(await vault.clearinghouse()).to.equal(ethers.ZeroAddress);

      await expect(vault.initialize(chAddr)).to.emit(vault, "ClearinghouseSet").withArgs(chAddr);
      expect(await vault.clearinghouse()).to.equal(chAddr);
      await expect(vault.initialize(alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__AlreadyInitialized")
        .withArgs(chAddr);
      expect(await vault.clearinghouse()).to.equal(chAddr);
    });
  });

  describe("deposit and mint", function () {
    it("burns the deposit into the vault's credit and mints shares with the 1e6 offset", async function () {
      const ctx = await deploy();
      const { vault, coin, alice, bob } = ctx;
      const vaultAddr = await vault.getAddress();
      const assets = 1_000n * WAD;
      const supplyBefore = await coin.totalSupply();

      await expect(vault.connect(alice).deposit(assets, bob.address))
        .to.emit(vault, "Deposit")
        .withArgs(alice.address, bob.address, assets, assets * VIRTUAL_SHARES);

      expect(await vault.balanceOf(bob.address)).to.equal(assets * VIRTUAL_SHARES);
      expect(await coin.balanceOf(alice.address)).to.equal(1_000_000n * WAD - assets);
      expect(await coin.balanceOf(vaultAddr)).to.equal(0n);
      expect(await coin.totalSupply()).to.equal(supplyBefore - assets);
      expect((await state(ctx)).credit).to.equal(assets);
      expect(await vault.totalAssets()).to.equal(assets);
    });

    it("prices later deposits and mints at the current share price, rounding for the vault", async function () {
      const ctx = await deploy();
      const { vault, ch, alice, bob, coin } = ctx;
      await vault.connect(alice).deposit(1_000n * WAD, alice.address);
      await ch.setPnl(333n * WAD + 7n);

      let s = await state(ctx);
      const depositAssets = 777n * WAD + 3n;
      const expectedShares = toShares(depositAssets, s.totalAssets, s.supply, false);
      expect(await vault.previewDeposit(depositAssets)).to.equal(expectedShares);
      await vault.connect(bob).deposit(depositAssets, bob.address);
      expect(await vault.balanceOf(bob.address)).to.equal(expectedShares);

      s = await state(ctx);
      const mintShares = 12_345n * 10n ** 20n + 1n;
      const expectedAssets = toAssets(mintShares, s.totalAssets, s.supply, true);
      const bobCoinBefore = await coin.balanceOf(bob.address);
      await expect(vault.connect(bob).mint(mintShares, bob.address))
        .to.emit(vault, "Deposit")
        .withArgs(bob.address, bob.address, expectedAssets, mintShares);
      expect(await coin.balanceOf(bob.address)).to.equal(bobCoinBefore - expectedAssets);
      expect(await vault.balanceOf(bob.address)).to.equal(expectedShares + mintShares);
    });

    it("rejects a deposit worth zero shares", async function () {
      const ctx = await deploy();
      const { vault, alice } = ctx;
      await expect(vault.connect(alice).deposit(0n, alice.address)).to.be.revertedWithCustomError(
        vault,
        "BackstopVault__ZeroShares",
      );
      await expect(vault.connect(alice).mint(0n, alice.address)).to.be.revertedWithCustomError(
        vault,
        "BackstopVault__ZeroShares",
      );
      expect(await vault.totalSupply()).to.equal(0n);
    });
  });

  describe("share price follows the vault's net assets", function () {
    it("rises with trader losses and falls with trader profits", async function () {
      const ctx = await deploy();
      const { vault, ch, alice } = ctx;
      await vault.connect(alice).deposit(1_000n * WAD, alice.address);
      const shares = await vault.balanceOf(alice.address);

      await ch.setPnl(500n * WAD);
      expect(await vault.totalAssets()).to.equal(1_500n * WAD);
      const up = await vault.convertToAssets(shares);
      expect(up).to.equal(toAssets(shares, 1_500n * WAD, shares));
      expect(up)
        .to.be.lessThanOrEqual(1_500n * WAD)
        .and.greaterThan(1_499n * WAD);

      await ch.setPnl(-400n * WAD);
      expect(await vault.totalAssets()).to.equal(600n * WAD);
      expect(await vault.convertToAssets(shares)).to.equal(toAssets(shares, 600n * WAD, shares));
    });

    it("floors total assets at zero and closes deposits while insolvent", async function () {
      const ctx = await deploy();
      const { vault, ch, alice, bob, coin } = ctx;
      await vault.connect(alice).deposit(1_000n * WAD, alice.address);
      await ch.setPnl(-1_000n * WAD);
      expect(await vault.totalAssets()).to.equal(0n);
      await ch.setPnl(-2_000n * WAD);
      expect(await vault.totalAssets()).to.equal(0n);
      expect(await vault.convertToAssets(await vault.balanceOf(alice.address))).to.equal(0n);
      expect(await vault.maxDeposit(bob.address)).to.equal(0n);
      expect(await vault.maxMint(bob.address)).to.equal(0n);
      await expect(vault.connect(bob).deposit(WAD, bob.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(bob.address, WAD, 0n);
      await expect(vault.connect(bob).mint(WAD, bob.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxMint")
        .withArgs(bob.address, WAD, 0n);
      expect(await coin.balanceOf(bob.address)).to.equal(1_000_000n * WAD);

      await ch.setPnl(-999n * WAD);
      expect(await vault.totalAssets()).to.equal(WAD);
      expect(await vault.maxDeposit(bob.address)).to.equal(2n ** 256n - 1n);
    });
  });

  describe("withdrawal requests", function () {
    it("records a request and reports its window", async function () {
      const ctx = await deploy();
      const { vault, alice, networkHelpers } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const shares = (await vault.balanceOf(alice.address)) / 2n;
      const t = BigInt(await networkHelpers.time.latest()) + 10n;
      await networkHelpers.time.setNextBlockTimestamp(t);
      await expect(vault.connect(alice).requestWithdraw(shares))
        .to.emit(vault, "WithdrawalRequested")
        .withArgs(alice.address, shares, t + COOLDOWN, t + COOLDOWN + WINDOW);
      expect(await vault.withdrawalRequest(alice.address)).to.deep.equal([
        shares,
        t + COOLDOWN,
        t + COOLDOWN + WINDOW,
      ]);
    });

    it("rejects zero and more than the balance", async function () {
      const ctx = await deploy();
      const { vault, alice } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const balance = await vault.balanceOf(alice.address);
      await expect(vault.connect(alice).requestWithdraw(0n)).to.be.revertedWithCustomError(
        vault,
        "BackstopVault__ZeroShares",
      );
      await expect(vault.connect(alice).requestWithdraw(balance + 1n))
        .to.be.revertedWithCustomError(vault, "BackstopVault__InsufficientShares")
        .withArgs(alice.address, balance + 1n, balance);
      expect(await vault.withdrawalRequest(alice.address)).to.deep.equal([0n, 0n, 0n]);
    });

    it("a new request replaces the old one and restarts the cooldown", async function () {
      const ctx = await deploy();
      const { vault, alice, networkHelpers } = ctx;
      const { shares, claimableAt } = await depositAndRequest(ctx, 100n * WAD);
      await networkHelpers.time.setNextBlockTimestamp(claimableAt + 5n); // inside the old window
      await vault.connect(alice).requestWithdraw(shares / 4n);
      const [requested, newClaimableAt] = await vault.withdrawalRequest(alice.address);
      expect(requested).to.equal(shares / 4n);
      expect(newClaimableAt).to.equal(claimableAt + 5n + COOLDOWN);
      expect(await vault.maxRedeem(alice.address)).to.equal(0n);
      await expect(vault.connect(alice).redeem(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__CooldownActive")
        .withArgs(alice.address, newClaimableAt);
      await networkHelpers.time.increaseTo(newClaimableAt);
      expect(await vault.maxRedeem(alice.address)).to.equal(shares / 4n);
    });

    it("cancels a request, which unlocks the shares", async function () {
      const ctx = await deploy();
      const { vault, alice, bob } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const shares = await vault.balanceOf(alice.address);
      await expect(vault.connect(alice).cancelWithdraw())
        .to.be.revertedWithCustomError(vault, "BackstopVault__NoRequest")
        .withArgs(alice.address);
      await vault.connect(alice).requestWithdraw(shares);
      await expect(vault.connect(alice).cancelWithdraw())
        .to.emit(vault, "WithdrawalCancelled")
        .withArgs(alice.address, shares);
      expect(await vault.withdrawalRequest(alice.address)).to.deep.equal([0n, 0n, 0n]);
      await vault.connect(alice).transfer(bob.address, shares);
      expect(await vault.balanceOf(bob.address)).to.equal(shares);
    });

    it("blocks transfers of requested shares while the request is open, not the rest", async function () {
      const ctx = await deploy();
      const { vault, alice, bob, carol, networkHelpers } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const balance = await vault.balanceOf(alice.address);
      const requested = (balance * 3n) / 4n;
      await vault.connect(alice).requestWithdraw(requested);
      const free = balance - requested;

      await expect(vault.connect(alice).transfer(bob.address, free + 1n))
        .to.be.revertedWithCustomError(vault, "BackstopVault__InsufficientShares")
        .withArgs(alice.address, free + 1n, free);
      await vault.connect(alice).approve(carol.address, balance);
      await expect(vault.connect(carol).transferFrom(alice.address, carol.address, balance))
        .to.be.revertedWithCustomError(vault, "BackstopVault__InsufficientShares")
        .withArgs(alice.address, balance, free);
      expect(await vault.balanceOf(alice.address)).to.equal(balance);

      await vault.connect(alice).transfer(bob.address, free);
      expect(await vault.balanceOf(bob.address)).to.equal(free);
      await expect(vault.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(vault, "BackstopVault__InsufficientShares")
        .withArgs(alice.address, 1n, 0n);

      // Still locked inside the claim window, unlocked once it has expired.
      const [, claimableAt, expiresAt] = await vault.withdrawalRequest(alice.address);
      await networkHelpers.time.increaseTo(claimableAt);
      await expect(vault.connect(alice).transfer(bob.address, 1n)).to.be.revertedWithCustomError(
        vault,
        "BackstopVault__InsufficientShares",
      );
      await networkHelpers.time.increaseTo(expiresAt);
      await vault.connect(alice).transfer(bob.address, requested);
      expect(await vault.balanceOf(bob.address)).to.equal(balance);
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
    });
  });

  describe("withdraw and redeem", function () {
    it("reverts without a request, naming the owner", async function () {
      const ctx = await deploy();
      const { vault, alice } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      await expect(vault.connect(alice).redeem(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__NoRequest")
        .withArgs(alice.address);
      await expect(vault.connect(alice).withdraw(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__NoRequest")
        .withArgs(alice.address);
      expect(await vault.maxRedeem(alice.address)).to.equal(0n);
      expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
    });

    it("reverts during the cooldown, up to the last second", async function () {
      const ctx = await deploy();
      const { vault, alice, networkHelpers } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const shares = await vault.balanceOf(alice.address);
      await vault.connect(alice).requestWithdraw(shares);
      const [, claimableAt] = await vault.withdrawalRequest(alice.address);
      expect(await vault.maxRedeem(alice.address)).to.equal(0n);
      expect(await vault.maxWithdraw(alice.address)).to.equal(0n);

      await networkHelpers.time.setNextBlockTimestamp(claimableAt - 1n);
      await expect(vault.connect(alice).redeem(shares, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__CooldownActive")
        .withArgs(alice.address, claimableAt);
      await expect(vault.connect(alice).withdraw(WAD, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__CooldownActive")
        .withArgs(alice.address, claimableAt);
      expect(await vault.balanceOf(alice.address)).to.equal(shares);
      expect((await vault.withdrawalRequest(alice.address))[0]).to.equal(shares);
    });

    it("opens at claimableAt exactly: the request's first second redeems", async function () {
      const ctx = await deploy();
      const { vault, coin, alice, networkHelpers } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const shares = await vault.balanceOf(alice.address);
      await vault.connect(alice).requestWithdraw(shares);
      const [, claimableAt] = await vault.withdrawalRequest(alice.address);
      const assets = await vault.previewRedeem(shares);
      const coinBefore = await coin.balanceOf(alice.address);

      await networkHelpers.time.setNextBlockTimestamp(claimableAt);
      await expect(vault.connect(alice).redeem(shares, alice.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, assets, shares);
      expect(await coin.balanceOf(alice.address)).to.equal(coinBefore + assets);
      expect(await vault.withdrawalRequest(alice.address)).to.deep.equal([0n, 0n, 0n]);
    });

    it("redeems inside the window: pays the converted assets out of credit and consumes the request", async function () {
      const ctx = await deploy();
      const { vault, coin, ch, alice, bob } = ctx;
      await vault.connect(bob).deposit(500n * WAD, bob.address);
      const { shares } = await depositAndRequest(ctx, 1_000n * WAD);
      await ch.setPnl(-150n * WAD); // traders are up: the share price fell

      const s = await state(ctx);
      const part = shares / 3n;
      const expectedAssets = toAssets(part, s.totalAssets, s.supply, false);
      expect(await vault.maxRedeem(alice.address)).to.equal(shares);
      expect(await vault.previewRedeem(part)).to.equal(expectedAssets);
      const bobCoin = await coin.balanceOf(bob.address);

      await expect(vault.connect(alice).redeem(part, bob.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, bob.address, alice.address, expectedAssets, part);
      expect(await coin.balanceOf(bob.address)).to.equal(bobCoin + expectedAssets);
      expect(await vault.balanceOf(alice.address)).to.equal(shares - part);
      expect((await state(ctx)).credit).to.equal(s.credit - expectedAssets);
      expect((await vault.withdrawalRequest(alice.address))[0]).to.equal(shares - part);

      // The rest, then the request is gone.
      await vault.connect(alice).redeem(shares - part, alice.address, alice.address);
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
      expect(await vault.withdrawalRequest(alice.address)).to.deep.equal([0n, 0n, 0n]);
      await expect(vault.connect(alice).redeem(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__NoRequest")
        .withArgs(alice.address);
    });

    it("withdraws exact assets inside the window, burning shares rounded up", async function () {
      const ctx = await deploy();
      const { vault, coin, ch, alice } = ctx;
      const { shares } = await depositAndRequest(ctx, 1_000n * WAD);
      await ch.setPnl(77n * WAD + 1n);
      const s = await state(ctx);
      const assets = 400n * WAD + 1n;
      const expectedShares = toShares(assets, s.totalAssets, s.supply, true);
      expect(await vault.previewWithdraw(assets)).to.equal(expectedShares);
      const coinBefore = await coin.balanceOf(alice.address);

      await expect(vault.connect(alice).withdraw(assets, alice.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, assets, expectedShares);
      expect(await coin.balanceOf(alice.address)).to.equal(coinBefore + assets);
      expect(await vault.balanceOf(alice.address)).to.equal(shares - expectedShares);
      expect((await vault.withdrawalRequest(alice.address))[0]).to.equal(shares - expectedShares);
    });

    it("maxWithdraw then withdraw(maxWithdraw) always succeeds", async function () {
      const ctx = await deploy();
      const { vault, ch, alice, bob } = ctx;
      await vault.connect(bob).deposit(321n * WAD + 17n, bob.address);
      await depositAndRequest(ctx, 1_000n * WAD + 5n);
      await ch.setPnl(-3n * WAD - 11n);
      const max = await vault.maxWithdraw(alice.address);
      await vault.connect(alice).withdraw(max, alice.address, alice.address);
      expect(await vault.maxWithdraw(alice.address)).to.be.lessThanOrEqual(1n);
    });

    it("reverts after the window with RequestExpired", async function () {
      const ctx = await deploy();
      const { vault, alice, networkHelpers } = ctx;
      const { shares, expiresAt } = await depositAndRequest(ctx, 100n * WAD);
      await networkHelpers.time.setNextBlockTimestamp(expiresAt - 1n);
      await vault.connect(alice).redeem(shares / 2n, alice.address, alice.address); // last second: ok

      await networkHelpers.time.setNextBlockTimestamp(expiresAt);
      await expect(vault.connect(alice).redeem(1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__RequestExpired")
        .withArgs(alice.address, expiresAt);
      await networkHelpers.mine(); // a reverted call mines no block; views need one at expiresAt
      expect(await vault.maxRedeem(alice.address)).to.equal(0n);
      expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
      expect(await vault.balanceOf(alice.address)).to.equal(shares - shares / 2n);
    });

    it("rejects more than requested with ExceedsRequest", async function () {
      const ctx = await deploy();
      const { vault, alice } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const { shares: requested } = await depositAndRequest(ctx, 100n * WAD, 50n * WAD * VIRTUAL_SHARES);
      const balance = await vault.balanceOf(alice.address);
      await expect(vault.connect(alice).redeem(requested + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__ExceedsRequest")
        .withArgs(alice.address, requested, requested + 1n);
      const assets = 60n * WAD;
      const shares = await vault.previewWithdraw(assets);
      await expect(vault.connect(alice).withdraw(assets, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "BackstopVault__ExceedsRequest")
        .withArgs(alice.address, requested, shares);
      expect(await vault.balanceOf(alice.address)).to.equal(balance);
      expect((await vault.withdrawalRequest(alice.address))[0]).to.equal(requested);
      expect(await vault.maxRedeem(alice.address)).to.equal(requested);
    });

    it("rejects a zero redeem and a zero withdraw", async function () {
      const ctx = await deploy();
      const { vault, alice } = ctx;
      const { shares } = await depositAndRequest(ctx, 100n * WAD);
      await expect(
        vault.connect(alice).redeem(0n, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "BackstopVault__ZeroShares");
      await expect(
        vault.connect(alice).withdraw(0n, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "BackstopVault__ZeroShares");
      expect((await vault.withdrawalRequest(alice.address))[0]).to.equal(shares);
    });

    it("lets an approved caller redeem for the owner, and no one else", async function () {
      const ctx = await deploy();
      const { vault, coin, alice, bob, carol } = ctx;
      const { shares } = await depositAndRequest(ctx, 100n * WAD);
      await expect(vault.connect(bob).redeem(shares, bob.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, shares);
      await vault.connect(alice).approve(carol.address, shares);
      const before = await coin.balanceOf(carol.address);
      await vault.connect(carol).redeem(shares, carol.address, alice.address);
      expect(await coin.balanceOf(carol.address)).to.be.greaterThan(before + 99n * WAD);
      expect(await vault.allowance(alice.address, carol.address)).to.equal(0n);
      expect(await vault.balanceOf(alice.address)).to.equal(0n);
    });

    it("caps withdrawals at the vault's realized credit", async function () {
      const ctx = await deploy();
      const { vault, ch, alice } = ctx;
      const { shares } = await depositAndRequest(ctx, 1_000n * WAD);
      await ch.setPnl(1_000n * WAD); // unrealized profit: shares worth ~2000, credit only 1000

      const s = await state(ctx);
      expect(s.credit).to.equal(1_000n * WAD);
      expect(await vault.maxWithdraw(alice.address)).to.equal(s.credit);
      const maxShares = toShares(s.credit, s.totalAssets, s.supply, false);
      expect(await vault.maxRedeem(alice.address)).to.equal(maxShares);
      expect(maxShares).to.be.lessThan(shares);

      await expect(vault.connect(alice).withdraw(s.credit + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, s.credit + 1n, s.credit);
      await expect(vault.connect(alice).redeem(shares, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, shares, maxShares);
      expect(await vault.balanceOf(alice.address)).to.equal(shares);

      await vault.connect(alice).redeem(maxShares, alice.address, alice.address);
      expect((await state(ctx)).credit).to.be.lessThan(10n ** 6n);
    });

    it("never lets deposit-then-redeem profit (I10)", async function () {
      const ctx = await deploy();
      const { vault, ch, coin, alice, bob, networkHelpers } = ctx;
      await vault.connect(bob).deposit(12_345n * WAD + 6789n, bob.address);
      await ch.setPnl(1_111n * WAD + 3n);
      for (const assets of [1n, 999n, 10n ** 12n + 1n, 3n * WAD + 7n, 98_765n * WAD + 1n]) {
        const before = await coin.balanceOf(alice.address);
        await vault.connect(alice).deposit(assets, alice.address);
        const shares = await vault.balanceOf(alice.address);
        await vault.connect(alice).requestWithdraw(shares);
        await networkHelpers.time.increase(COOLDOWN);
        await vault.connect(alice).redeem(shares, alice.address, alice.address);
        expect(await coin.balanceOf(alice.address)).to.be.lessThanOrEqual(before);
      }
    });
  });

  describe("inflation attack", function () {
    it("a donation after a 1-wei first deposit cannot steal a victim's deposit", async function () {
      const ctx = await deploy();
      const { vault, ch, coin, alice: victim, attacker, networkHelpers } = ctx;
      const vaultAddr = await vault.getAddress();
      const attackerStart = await coin.balanceOf(attacker.address);
      const victimStart = await coin.balanceOf(victim.address);

      await vault.connect(attacker).deposit(1n, attacker.address);
      expect(await vault.balanceOf(attacker.address)).to.equal(VIRTUAL_SHARES);
      const donation = 10_000n * WAD;
      await ch.connect(attacker).repay(vaultAddr, donation); // inflates totalAssets
      expect(await vault.totalAssets()).to.equal(donation + 1n);

      const deposit = 10_000n * WAD;
      await vault.connect(victim).deposit(deposit, victim.address);
      const victimShares = await vault.balanceOf(victim.address);
      expect(victimShares).to.be.greaterThan(0n);

      // Both exit through the normal request path.
      const attackerShares = await vault.balanceOf(attacker.address);
      await vault.connect(attacker).requestWithdraw(attackerShares);
      await vault.connect(victim).requestWithdraw(victimShares);
      await networkHelpers.time.increase(COOLDOWN);
      await vault.connect(victim).redeem(victimShares, victim.address, victim.address);
      await vault.connect(attacker).redeem(attackerShares, attacker.address, attacker.address);

      const victimLoss = victimStart - (await coin.balanceOf(victim.address));
      const attackerLoss = attackerStart - (await coin.balanceOf(attacker.address));
      // The victim loses at most about one share's worth of rounding: (donation + 2) / 2e6.
      expect(victimLoss).to.be.greaterThanOrEqual(0n);
      expect(victimLoss).to.be.lessThanOrEqual(donation / VIRTUAL_SHARES);
      // The attacker loses about half the donation to the virtual shares.
      expect(attackerLoss).to.be.greaterThan(donation / 3n);
    });

    it("a donation large enough to round the victim to zero shares makes the deposit revert, not vanish", async function () {
      const ctx = await deploy();
      const { vault, ch, coin, alice: victim, attacker } = ctx;
      await ch.fund(attacker.address, 3_000_000n * WAD);
      await vault.connect(attacker).deposit(1n, attacker.address);
      await ch.connect(attacker).repay(await vault.getAddress(), 2_000_001n * WAD);
      // shares = 1e18 * 2e6 / (2.000001e24 + 2) = 0
      await expect(vault.connect(victim).deposit(WAD, victim.address)).to.be.revertedWithCustomError(
        vault,
        "BackstopVault__ZeroShares",
      );
      expect(await coin.balanceOf(victim.address)).to.equal(1_000_000n * WAD);
      expect(await vault.balanceOf(victim.address)).to.equal(0n);
    });
  });

  describe("after global settlement (mock ledger)", function () {
    /** alice 1,000 and bob 500 in the vault; the ledger settled with `deficit` and `debt` left. */
    async function settled(deficit: bigint, debt = 0n) {
      const ctx = await deploy();
      const { vault, ch, alice, bob } = ctx;
      await vault.connect(alice).deposit(1_000n * WAD, alice.address);
      await vault.connect(bob).deposit(500n * WAD, bob.address);
      await ch.setPnl(300n * WAD); // the mark no longer counts after settlement
      await ch.setSettlement(true, deficit, debt);
      return ctx;
    }

    async function snapshot(ctx: Awaited<ReturnType<typeof deploy>>) {
      const { vault, coin, alice, bob } = ctx;
      return [
        ...Object.values(await state(ctx)),
        await vault.balanceOf(alice.address),
        await vault.balanceOf(bob.address),
        await coin.balanceOf(alice.address),
        await coin.totalSupply(),
      ];
    }

    it("closes deposits and values the shares at the credit less the deficit", async function () {
      const ctx = await settled(200n * WAD);
      const { vault, alice } = ctx;
      expect(await vault.totalAssets()).to.equal(1_300n * WAD);
      expect(await vault.maxDeposit(alice.address)).to.equal(0n);
      expect(await vault.maxMint(alice.address)).to.equal(0n);
      const before = await snapshot(ctx);
      await expect(vault.connect(alice).deposit(WAD, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxDeposit")
        .withArgs(alice.address, WAD, 0n);
      await expect(vault.connect(alice).mint(WAD, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxMint")
        .withArgs(alice.address, WAD, 0n);
      expect(await snapshot(ctx)).to.deep.equal(before);
    });

    it("pays every holder pro rata out of withdrawCredit, with no request or cooldown; the deficit's part stays", async function () {
      const ctx = await settled(200n * WAD);
      const { vault, coin, ch, alice, bob, carol } = ctx;
      const s = await state(ctx);
      const aliceShares = await vault.balanceOf(alice.address);
      const aliceAssets = toAssets(aliceShares, s.totalAssets, s.supply);
      expect(await vault.maxRedeem(alice.address)).to.equal(aliceShares);
      expect(await vault.maxWithdraw(alice.address)).to.equal(aliceAssets);
      await expect(vault.connect(alice).redeem(aliceShares, carol.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, carol.address, alice.address, aliceAssets, aliceShares);
      expect(await coin.balanceOf(carol.address)).to.equal(1_000_000n * WAD + aliceAssets);
      expect(await ch.creditOf(await vault.getAddress())).to.equal(s.credit - aliceAssets);

      // bob by assets: the same rate per share (rounded for the vault)
      const bobShares = await vault.balanceOf(bob.address);
      const bobAssets = await vault.maxWithdraw(bob.address);
      const s2 = await state(ctx);
      const burned = toShares(bobAssets, s2.totalAssets, s2.supply, true);
      expect(burned).to.be.lessThanOrEqual(bobShares);
      await expect(vault.connect(bob).withdraw(bobAssets, bob.address, bob.address))
        .to.emit(vault, "Withdraw")
        .withArgs(bob.address, bob.address, bob.address, bobAssets, burned);
      expect((bobAssets * aliceShares) / bobShares).to.be.closeTo(aliceAssets, 2n);
      expect(aliceAssets).to.be.closeTo((1_300n * WAD * 2n) / 3n, 10n ** 6n);
      // the deficit's 200 stays in the vault's credit (and a wei of rounding)
      const left = await ch.creditOf(await vault.getAddress());
      expect(left - 200n * WAD).to.be.lessThan(10n);
    });

    it("waits for the wind-down: WindDownPending, max* 0, and nothing moves", async function () {
      const ctx = await settled(0n, 1n);
      const { vault, alice } = ctx;
      expect(await vault.maxRedeem(alice.address)).to.equal(0n);
      expect(await vault.maxWithdraw(alice.address)).to.equal(0n);
      const before = await snapshot(ctx);
      await expect(
        vault.connect(alice).redeem(WAD, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "BackstopVault__WindDownPending");
      await expect(
        vault.connect(alice).withdraw(WAD, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "BackstopVault__WindDownPending");
      expect(await snapshot(ctx)).to.deep.equal(before);
    });

    it("rejects more than the balance, zero, and a caller without allowance; nothing changes", async function () {
      const ctx = await settled(0n);
      const { vault, alice, bob } = ctx;
      const shares = await vault.balanceOf(alice.address);
      const maxAssets = await vault.maxWithdraw(alice.address);
      const before = await snapshot(ctx);
      await expect(vault.connect(alice).redeem(shares + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, shares + 1n, shares);
      await expect(vault.connect(alice).withdraw(maxAssets + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, maxAssets + 1n, maxAssets);
      await expect(
        vault.connect(alice).redeem(0n, alice.address, alice.address),
      ).to.be.revertedWithCustomError(vault, "BackstopVault__ZeroShares");
      await expect(vault.connect(bob).redeem(shares, bob.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 0n, shares);
      expect(await snapshot(ctx)).to.deep.equal(before);
    });

    it("a request made before settlement no longer locks the shares", async function () {
      const ctx = await deploy();
      const { vault, ch, alice, bob } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const shares = await vault.balanceOf(alice.address);
      await vault.connect(alice).requestWithdraw(shares);
      await expect(vault.connect(alice).transfer(bob.address, 1n))
        .to.be.revertedWithCustomError(vault, "BackstopVault__InsufficientShares")
        .withArgs(alice.address, 1n, 0n);
      await ch.setSettlement(true, 0n, 0n);
      await vault.connect(alice).transfer(bob.address, shares);
      expect(await vault.balanceOf(bob.address)).to.equal(shares);
    });

    it("a deficit above the credit leaves nothing: shares burn for 0 and the credit stays", async function () {
      const ctx = await deploy();
      const { vault, ch, coin, alice } = ctx;
      await vault.connect(alice).deposit(100n * WAD, alice.address);
      const credit = (await state(ctx)).credit;
      await ch.setSettlement(true, credit + 1n, 0n);
      expect(await vault.totalAssets()).to.equal(0n);
      const shares = await vault.balanceOf(alice.address);
      const coinBefore = await coin.balanceOf(alice.address);
      await expect(vault.connect(alice).redeem(shares, alice.address, alice.address))
        .to.emit(vault, "Withdraw")
        .withArgs(alice.address, alice.address, alice.address, 0n, shares);
      expect(await coin.balanceOf(alice.address)).to.equal(coinBefore);
      expect((await state(ctx)).credit).to.equal(credit);
    });
  });

  describe("the deficit is first call on the credit (mock ledger)", function () {
    it("before settlement, withdrawals leave the deficit's part of the credit", async function () {
      const ctx = await deploy();
      const { vault, ch, alice } = ctx;
      const { shares } = await depositAndRequest(ctx, 1_000n * WAD);
      await ch.setSettlement(false, 400n * WAD, 0n);
      const s = await state(ctx);
      const free = s.credit - 400n * WAD;
      expect(await vault.maxWithdraw(alice.address)).to.equal(free);
      const maxShares = toShares(free, s.totalAssets, s.supply);
      expect(await vault.maxRedeem(alice.address)).to.equal(maxShares);
      await expect(vault.connect(alice).redeem(shares, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(alice.address, shares, maxShares);
      await expect(vault.connect(alice).withdraw(free + 1n, alice.address, alice.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
        .withArgs(alice.address, free + 1n, free);
      expect(await state(ctx)).to.deep.equal(s);
      await vault.connect(alice).withdraw(free, alice.address, alice.address);
      expect((await state(ctx)).credit).to.equal(400n * WAD);
    });
  });

  describe("the credit the open skew needs (real ledger)", function () {
    const BUY = 10n ** 30n;

    /** The LP funds $1M; alice longs 4,000 WETH at ~$2,000 ($8M of the $10M cap, ratio 10). */
    async function skewed() {
      const l = await deployLedger();
      const { ch, vault, stablecoin, weth, wethAddr, alice, lp } = l;
      await weth.mint(lp.address, 5_000n * LEDGER_WAD);
      await ch.connect(lp).deposit(lp.address, wethAddr, 5_000n * LEDGER_WAD);
      await ch.connect(lp).borrow(lp.address, 1_000_000n * LEDGER_WAD, lp.address);
      await stablecoin.connect(lp).approve(await vault.getAddress(), 1_000_000n * LEDGER_WAD);
      await vault.connect(lp).deposit(1_000_000n * LEDGER_WAD, lp.address);
      await ch.connect(alice).deposit(alice.address, wethAddr, 1_000n * LEDGER_WAD);
      await ch.connect(alice).modifyPosition(alice.address, wethAddr, 4_000n * LEDGER_WAD, BUY);
      const shares = await vault.balanceOf(lp.address);
      await vault.connect(lp).requestWithdraw(shares);
      await l.networkHelpers.time.increase(86_400);
      return { ...l, shares };
    }

    async function vaultSnapshot(l: Ledger) {
      const vaultAddr = await l.vault.getAddress();
      return [
        await l.ch.creditOf(vaultAddr),
        await l.vault.balanceOf(l.lp.address),
        await l.vault.totalSupply(),
        await l.stablecoin.balanceOf(l.lp.address),
      ];
    }

    it("an LP cannot take the credit below |skew| x price / skewCapRatio (audit: a 90% redeem behind $8M of skew)", async function () {
      const l = await skewed();
      const { ch, vault, wethAddr, alice, lp, shares } = l;
      const vaultAddr = await vault.getAddress();
      const minCredit = 800_000n * LEDGER_WAD; // 4,000 x $2,000 / 10
      expect(await vault.minCreditWad()).to.equal(minCredit);
      const credit = await ch.creditOf(vaultAddr);
      const free = credit - minCredit;
      const ta = await vault.totalAssets();
      const supply = await vault.totalSupply();
      const maxShares = toShares(free, ta, supply);
      expect(await vault.maxRedeem(lp.address)).to.equal(maxShares);
      expect(await vault.maxWithdraw(lp.address)).to.equal(free);

      const before = await vaultSnapshot(l);
      const ninety = (shares * 9n) / 10n;
      // the share price moves a little in the next block (funding): the cap named is maxRedeem's
      const nearMax = (v: bigint) =>
        v < ninety && v - maxShares < maxShares / 10_000n && maxShares - v < maxShares / 10_000n;
      await expect(vault.connect(lp).redeem(ninety, lp.address, lp.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(lp.address, ninety, nearMax);
      await expect(vault.connect(lp).withdraw(free + 1n, lp.address, lp.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxWithdraw")
        .withArgs(lp.address, free + 1n, free);
      expect(await vaultSnapshot(l)).to.deep.equal(before);

      // the most it may take (by assets: the credit cap does not move with the share price)
      // leaves the skew inside the cap
      await vault.connect(lp).withdraw(free, lp.address, lp.address);
      const left = await ch.creditOf(vaultAddr);
      expect(left).to.equal(minCredit);
      const st = await ch.marketState(wethAddr);
      expect(st.skewWad * 2_000n).to.be.lessThanOrEqual(left * 10n);
      expect(await vault.maxRedeem(lp.address)).to.equal(0n);
      // the vault sits at the cap: a trade that adds to the skew is refused, one that shrinks it passes
      await expect(
        ch.connect(alice).modifyPosition(alice.address, wethAddr, LEDGER_WAD, BUY),
      ).to.be.revertedWithCustomError(ch, "Clearinghouse__SkewCapExceeded");
      await ch.connect(alice).modifyPosition(alice.address, wethAddr, -1_000n * LEDGER_WAD, 0n);
      expect((await ch.marketState(wethAddr)).skewWad).to.equal(3_000n * LEDGER_WAD);
      expect(await vault.minCreditWad()).to.equal(600_000n * LEDGER_WAD);
      expect(await vault.maxWithdraw(lp.address)).to.be.greaterThan(0n); // alice's fee and the freed skew
    });

    it("sums |skew| over markets at the oracle's price; a ratio of 0 with open skew frees nothing", async function () {
      const l = await skewed();
      const { ch, vault, oracle, gov, wbtcAddr, wethAddr, bob, lp, setParam } = l;
      // a second market, short skew: 10 WBTC x $40,000 / 5
      await ch.connect(gov).listMarket(wbtcAddr);
      await setParam("SKEW_SCALE_WAD", wbtcAddr, 1_000_000n * LEDGER_WAD);
      await setParam("MAX_OPEN_INTEREST_WAD", wbtcAddr, 1_000n * LEDGER_WAD);
      await setParam("SKEW_CAP_RATIO_WAD", wbtcAddr, 5n * LEDGER_WAD);
      await ch.connect(bob).deposit(bob.address, wethAddr, 500n * LEDGER_WAD);
      await ch.connect(bob).modifyPosition(bob.address, wbtcAddr, -10n * LEDGER_WAD, 0n);
      expect(await vault.minCreditWad()).to.equal(880_000n * LEDGER_WAD);
      // the price moves the need: WETH at $2,500 -> 1,000,000 + 80,000, plus what the vault now
      // owes alice on its short counter-skew (~4,000 x $500, marked where the skew closes)
      await oracle.setPrice(wethAddr, 2_500n * LEDGER_WAD, true);
      const st = await ch.marketState(wethAddr);
      const premium = ceilDiv(ceilDiv(st.skewWad * st.skewWad, 2n * 1_000_000n * LEDGER_WAD) * 2_500n, 1n);
      const mark =
        st.costBasisSumWad -
        ceilDiv(st.skewWad * (2_500n * LEDGER_WAD - st.fundingIndexWad), LEDGER_WAD) -
        premium;
      expect(-mark).to.be.closeTo(2_000_000n * LEDGER_WAD, 100_000n * LEDGER_WAD);
      expect(await vault.minCreditWad()).to.equal(1_080_000n * LEDGER_WAD - mark);
      expect(await vault.maxRedeem(lp.address)).to.equal(0n);

      // governance closes the WBTC market to skew: what it backs cannot leave at all
      await oracle.setPrice(wethAddr, 2_000n * LEDGER_WAD, true);
      await setParam("SKEW_CAP_RATIO_WAD", wbtcAddr, 0n);
      expect(await vault.minCreditWad()).to.equal(2n ** 256n - 1n);
      expect(await vault.maxRedeem(lp.address)).to.equal(0n);
      expect(await vault.maxWithdraw(lp.address)).to.equal(0n);
      const before = await vaultSnapshot(l);
      await expect(vault.connect(lp).redeem(1n, lp.address, lp.address))
        .to.be.revertedWithCustomError(vault, "ERC4626ExceededMaxRedeem")
        .withArgs(lp.address, 1n, 0n);
      expect(await vaultSnapshot(l)).to.deep.equal(before);
    });

    it("with no skew left the whole request is free", async function () {
      const l = await skewed();
      const { ch, vault, wethAddr, alice, lp, shares } = l;
      await ch.connect(alice).closePosition(alice.address, wethAddr, 0n);
      expect(await vault.minCreditWad()).to.equal(0n);
      expect(await vault.maxRedeem(lp.address)).to.equal(shares);
      await vault.connect(lp).redeem(shares, lp.address, lp.address);
      expect(await vault.balanceOf(lp.address)).to.equal(0n);
    });
  });
});
