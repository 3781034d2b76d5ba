import { expect } from "chai";
import { network } from "hardhat";

import { loadDeployParams, paramsPathFor } from "../../../scripts/deploy/params.js";
import { deploySystem } from "../../../scripts/deploy/system.js";
import type { Stablecoin } from "../../../types/ethers-contracts/index.js";

const WAD = 10n ** 18n;

describe("Stablecoin", function () {
  async function deploy() {
    const { ethers, networkHelpers } = await network.create();
    const [deployer, minter, alice, bob] = await ethers.getSigners();
    const coin = (await ethers.deployContract("Stablecoin", [minter.address])) as unknown as Stablecoin;
    return { ethers, networkHelpers, coin, deployer, minter, alice, bob };
  }

  describe("constructor", function () {
    it("has the right metadata, the given minter and no supply", async function () {
      const { coin, minter } = await deploy();
      expect(await coin.name()).to.equal("Ballast USD");
      expect(await coin.symbol()).to.equal("bUSD");
      expect(await coin.decimals()).to.equal(18n);
      expect(await coin.minter()).to.equal(minter.address);
      expect(await coin.totalSupply()).to.equal(0n);
    });

    it("takes any non-zero minter, a contract's predicted address included", async function () {
      const { ethers, alice } = await deploy();
      const nonce = await ethers.provider.getTransactionCount(alice.address, "pending");
      const predicted = ethers.getCreateAddress({ from: alice.address, nonce: nonce + 1 });
      const coin = (await ethers.deployContract("Stablecoin", [predicted], alice)) as unknown as Stablecoin;
      expect(await coin.minter()).to.equal(predicted);
      const sink = await ethers.deployContract("MockAuctionSink", [await coin.getAddress()], alice);
      expect(await sink.getAddress()).to.equal(predicted);
    });

    it("rejects a zero minter", async function () {
      const { ethers, coin, deployer } = await deploy();
      const nonce = await ethers.provider.getTransactionCount(deployer.address);
      await expect(ethers.deployContract("Stablecoin", [ethers.ZeroAddress])).to.be.revertedWithCustomError(
        coin,
        "Stablecoin__ZeroAddress",
      );
      // nothing deployed: the address the next contract would have taken holds no code
      const would = ethers.getCreateAddress({ from: deployer.address, nonce });
      expect(await ethers.provider.getCode(would)).to.equal("0x");
    });

    it("has no admin and no way to change the minter (the old admin selectors revert)", async function () {
      const { ethers, coin, deployer, minter, alice } = await deploy();
      const old = new ethers.Interface([
        "function admin() view returns (address)",
        "function setMinter(address)",
      ]);
      const to = await coin.getAddress();
      for (const caller of [deployer, minter]) {
        await expect(
          caller.sendTransaction({ to, data: old.encodeFunctionData("setMinter", [alice.address]) }),
        ).to.be.revert(ethers);
        await expect(caller.sendTransaction({ to, data: old.encodeFunctionData("admin") })).to.be.revert(
          ethers,
        );
      }
      expect(await coin.minter()).to.equal(minter.address);
    });
  });

  describe("deploySystem", function () {
    it("deploys the stablecoin with the Clearinghouse as its minter", async function () {
      const { ethers } = await network.create();
      const sys = await deploySystem(ethers, loadDeployParams(paramsPathFor("hardhat")));
      expect(await sys.stablecoin.minter()).to.equal(await sys.clearinghouse.getAddress());
    });

    it("fails loudly, naming both addresses, when the Clearinghouse misses its predicted address", async function () {
      const { ethers } = await network.create();
      const [deployer] = await ethers.getSigners();
      let stablecoinNonce = -1;
      // a stray transaction from the deployer between the stablecoin and the Clearinghouse
      const meddling = new Proxy(ethers, {
        get(target, prop, receiver) {
          const value: unknown = Reflect.get(target, prop, receiver);
          if (prop !== "deployContract") return value;
          return async (name: string, ...rest: unknown[]) => {
            if (name === "Stablecoin") {
              stablecoinNonce = await target.provider.getTransactionCount(deployer.address, "pending");
            }
            if (name === "ClearinghouseLiquidation") {
              await (await deployer.sendTransaction({ to: deployer.address, value: 0n })).wait();
            }
            return (target.deployContract as (...a: unknown[]) => Promise<unknown>)(name, ...rest);
          };
        },
      });
      let message = "";
      try {
        await deploySystem(meddling, loadDeployParams(paramsPathFor("hardhat")));
      } catch (e) {
        message = (e as Error).message;
      }
      expect(stablecoinNonce).to.be.greaterThan(0);
      // the auction and the engine come between the stablecoin and the two ledger modules
      const predicted = ethers.getCreateAddress({ from: deployer.address, nonce: stablecoinNonce + 5 });
      const actual = ethers.getCreateAddress({ from: deployer.address, nonce: stablecoinNonce + 6 });
      expect(message).to.contain(`Clearinghouse was deployed at ${actual}`);
      expect(message).to.contain(`minter is the predicted ${predicted}`);
      expect(await ethers.provider.getCode(actual)).to.not.equal("0x");
    });
  });

  describe("mint and burn", function () {
    it("lets the minter mint to anyone and burn from anyone without allowance", async function () {
      const { coin, minter, alice } = await deploy();
      await expect(coin.connect(minter).mint(alice.address, 5n * WAD))
        .to.emit(coin, "Transfer")
        .withArgs("0x0000000000000000000000000000000000000000", alice.address, 5n * WAD);
      expect(await coin.balanceOf(alice.address)).to.equal(5n * WAD);
      await expect(coin.connect(minter).burn(alice.address, 2n * WAD))
        .to.emit(coin, "Transfer")
        .withArgs(alice.address, "0x0000000000000000000000000000000000000000", 2n * WAD);
      expect(await coin.balanceOf(alice.address)).to.equal(3n * WAD);
      expect(await coin.totalSupply()).to.equal(3n * WAD);
    });

    it("rejects mint, burn and burnFrom from anyone else, the deployer included; nothing changes", async function () {
      const { coin, minter, deployer, alice, bob } = await deploy();
      await coin.connect(minter).mint(alice.address, WAD);
      await coin.connect(alice).approve(bob.address, WAD);
      for (const caller of [deployer, alice, bob]) {
        await expect(coin.connect(caller).mint(caller.address, WAD))
          .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
          .withArgs(caller.address);
        await expect(coin.connect(caller).burn(alice.address, WAD))
          .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
          .withArgs(caller.address);
        await expect(coin.connect(caller).burnFrom(alice.address, bob.address, WAD))
          .to.be.revertedWithCustomError(coin, "Stablecoin__NotMinter")
          .withArgs(caller.address);
      }
      expect(await coin.balanceOf(alice.address)).to.equal(WAD);
      expect(await coin.balanceOf(deployer.address)).to.equal(0n);
      expect(await coin.balanceOf(bob.address)).to.equal(0n);
      expect(await coin.allowance(alice.address, bob.address)).to.equal(WAD);
      expect(await coin.totalSupply()).to.equal(WAD);
    });

    it("lets the minter burnFrom with the spender's allowance", async function () {
      const { coin, minter, alice, bob } = await deploy();
      await coin.connect(minter).mint(alice.address, 3n * WAD);
      await coin.connect(alice).approve(bob.address, 2n * WAD);
      await expect(coin.connect(minter).burnFrom(alice.address, bob.address, 3n * WAD))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientAllowance")
        .withArgs(bob.address, 2n * WAD, 3n * WAD);
      await expect(coin.connect(minter).burnFrom(alice.address, bob.address, 2n * WAD))
        .to.emit(coin, "Transfer")
        .withArgs(alice.address, "0x0000000000000000000000000000000000000000", 2n * WAD);
      expect(await coin.allowance(alice.address, bob.address)).to.equal(0n);
      expect(await coin.balanceOf(alice.address)).to.equal(WAD);
      expect(await coin.totalSupply()).to.equal(WAD);
    });

    it("cannot burn more than the balance", async function () {
      const { coin, minter, alice } = await deploy();
      await coin.connect(minter).mint(alice.address, WAD);
      await expect(coin.connect(minter).burn(alice.address, WAD + 1n))
        .to.be.revertedWithCustomError(coin, "ERC20InsufficientBalance")
        .withArgs(alice.address, WAD, WAD + 1n);
      expect(await coin.balanceOf(alice.address)).to.equal(WAD);
    });
  });

  describe("permit", function () {
    async function signPermit(
      ctx: Awaited<ReturnType<typeof deploy>>,
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
      const ctx = await deploy();
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
      const ctx = await deploy();
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
      const ctx = await deploy();
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
