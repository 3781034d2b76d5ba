import { expect } from "chai";
import { network } from "hardhat";

import type { Stablecoin } from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;

describe("Stablecoin", function () {
  async function deploy() {
    const { ethers, networkHelpers } = await network.create();
    const [admin, minter, alice, bob] = await ethers.getSigners();
    const coin = (await ethers.deployContract("Stablecoin", [admin.address])) as unknown as Stablecoin;
    return { ethers, networkHelpers, coin, admin, minter, alice, bob };
  }

  async function deployWithMinter() {
    const ctx = await deploy();
    await ctx.coin.connect(ctx.admin).setMinter(ctx.minter.address);
    return ctx;
  }

  it("has the right metadata and no minter at deployment", async function () {
    const { coin, admin, ethers } = await deploy();
    expect(await coin.name()).to.equal("Ballast USD");
    expect(await coin.symbol()).to.equal("bUSD");
    expect(await coin.decimals()).to.equal(18n);
    expect(await coin.admin()).to.equal(admin.address);
    expect(await coin.minter()).to.equal(ethers.ZeroAddress);
    expect(await coin.totalSupply()).to.equal(0n);
  });

  it("rejects a zero admin", async function () {
    const { ethers, coin } = await deploy();
    await expect(ethers.deployContract("Stablecoin", [ethers.ZeroAddress])).to.be.revertedWithCustomError(
      coin,
      "Stablecoin__ZeroAddress",
    );
  });

  describe("setMinter", function () {
    it("sets the minter once and emits MinterSet", async function () {
      const { coin, admin, minter } = await deploy();
      await expect(coin.connect(admin).setMinter(minter.address))
        .to.emit(coin, "MinterSet")
        .withArgs(minter.address);
      expect(await coin.minter()).to.equal(minter.address);
    });

    it("cannot be called a second time, even by the admin", async function () {
      const { coin, admin, minter, alice } = await deployWithMinter();
      await expect(coin.connect(admin).setMinter(alice.address)).to.be.revertedWithCustomError(
        coin,
        "Stablecoin__MinterAlreadySet",
      );
      expect(await coin.minter()).to.equal(minter.address);
    });

    it("is admin only", async function () {
      const { coin, alice, ethers } = await deploy();
      await expect(coin.connect(alice).setMinter(alice.address))
        .to.be.revertedWithCustomError(coin, "Stablecoin__NotAdmin")
        .withArgs(alice.address);
      expect(await coin.minter()).to.equal(ethers.ZeroAddress);
    });

    it("rejects the zero address", async function () {
      const { coin, admin, ethers } = await deploy();
      await expect(coin.connect(admin).setMinter(ethers.ZeroAddress)).to.be.revertedWithCustomError(
        coin,
        "Stablecoin__ZeroAddress",
      );
      expect(await coin.minter()).to.equal(ethers.ZeroAddress);
    });
  });

  describe("mint and burn", function () {
    it("lets the minter mint to anyone and burn from anyone without allowance", async function () {
      const { coin, minter, alice } = await deployWithMinter();
      await expect(coin.connect(minter).mint(alice.address, 5n * WAD))
        .to.emit(coin, "Transfer")
        .withArgs("0x0000000000000000000000000000000000000000", alice.address, 5n * WAD);
      expect(await coin.balanceOf(alice.address)).to.equal(5n * WAD);
      await coin.connect(minter).burn(alice.address, 2n * WAD);
      expect(await coin.balanceOf(alice.address)).to.equal(3n * WAD);
      expect(await coin.totalSupply()).to.equal(3n * WAD);
    });

    it("rejects mint and burn from anyone else, the admin included", async function () {
      const { coin, minter, admin, alice } = await deployWithMinter();
      await coin.connect(minter).mint(alice.address, WAD);
      for (const caller of [admin, alice]) {
        await expect(coin.connect(caller).mint(caller.address, WAD))
          .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
          .withArgs(caller.address);
        await expect(coin.connect(caller).burn(alice.address, WAD))
          .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
          .withArgs(caller.address);
      }
      expect(await coin.balanceOf(alice.address)).to.equal(WAD);
      expect(await coin.totalSupply()).to.equal(WAD);
    });

    it("rejects mint before a minter is set (no zero-address minter)", async function () {
      const { coin, admin } = await deploy();
      await expect(coin.connect(admin).mint(admin.address, WAD))
        .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
        .withArgs(admin.address);
    });

    it("cannot burn more than the balance", async function () {
      const { coin, minter, alice } = await deployWithMinter();
      await coin.connect(minter).mint(alice.address, WAD);
      await expect(coin.connect(minter).burn(alice.address, WAD + 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(alice.address, WAD, WAD + 1n);
      expect(await coin.balanceOf(alice.address)).to.equal(WAD);
    });
  });

  describe("permit", function () {
    async function signPermit(
      ctx: Awaited<ReturnType<typeof deployWithMinter>>,
      value: bigint,
      deadline: bigint,
      nonce: bigint,
    ) {
      const { coin, alice, bob, ethers } = ctx;
      const { chainId } = await ethers.provider.getNetwork();
      const domain = {
        name: "Ballast USD",
        version: "1",
        chainId,
        verifyingContract: await coin.getAddress(),
      };
      const types = {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      };
      const message = {
        owner: alice.address,
        spender: bob.address,
        value,
        nonce,
        deadline,
      };
      const signature = await alice.signTypedData(domain, types, message);
      return ethers.Signature.from(signature);
    }

    it("sets an allowance from an EIP-712 signature and bumps the nonce", async function () {
      const ctx = await deployWithMinter();
      const { coin, minter, alice, bob, networkHelpers } = ctx;
      await coin.connect(minter).mint(alice.address, 10n * WAD);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const sig = await signPermit(ctx, 4n * WAD, deadline, 0n);

      await expect(
        coin.connect(bob).permit(alice.address, bob.address, 4n * WAD, deadline, sig.v, sig.r, sig.s),
      )
        .to.emit(coin, "Approval")
        .withArgs(alice.address, bob.address, 4n * WAD);
      expect(await coin.allowance(alice.address, bob.address)).to.equal(4n * WAD);
      expect(await coin.nonces(alice.address)).to.equal(1n);

      await coin.connect(bob).transferFrom(alice.address, bob.address, 4n * WAD);
      expect(await coin.balanceOf(bob.address)).to.equal(4n * WAD);
      expect(await coin.allowance(alice.address, bob.address)).to.equal(0n);
    });

    it("rejects a replayed signature", async function () {
      const ctx = await deployWithMinter();
      const { coin, alice, bob, networkHelpers } = ctx;
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const sig = await signPermit(ctx, WAD, deadline, 0n);
      await coin.permit(alice.address, bob.address, WAD, deadline, sig.v, sig.r, sig.s);
      await expect(
        coin.permit(alice.address, bob.address, WAD, deadline, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(coin, "ERC2612InvalidSigner");
      expect(await coin.nonces(alice.address)).to.equal(1n);
    });

    it("rejects an expired deadline and a tampered value", async function () {
      const ctx = await deployWithMinter();
      const { coin, alice, bob, networkHelpers } = ctx;
      const now = BigInt(await networkHelpers.time.latest());
      const expired = await signPermit(ctx, WAD, now, 0n);
      await expect(coin.permit(alice.address, bob.address, WAD, now, expired.v, expired.r, expired.s))
        .to.be.revertedWithCustomError(coin, "ERC2612ExpiredSignature")
        .withArgs(now);

      const sig = await signPermit(ctx, WAD, now + 3600n, 0n);
      await expect(
        coin.permit(alice.address, bob.address, 2n * WAD, now + 3600n, sig.v, sig.r, sig.s),
      ).to.be.revertedWithCustomError(coin, "ERC2612InvalidSigner");
      expect(await coin.allowance(alice.address, bob.address)).to.equal(0n);
      expect(await coin.nonces(alice.address)).to.equal(0n);
    });
  });
});
