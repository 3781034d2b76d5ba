// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BackstopVault} from "../../contracts/core/BackstopVault.sol";
import {Clearinghouse} from "../../contracts/core/Clearinghouse.sol";
import {ClearinghouseLiquidation} from "../../contracts/core/ClearinghouseLiquidation.sol";
import {ClearinghouseSettlement} from "../../contracts/core/ClearinghouseSettlement.sol";
import {Stablecoin} from "../../contracts/core/Stablecoin.sol";
import {IClearinghouse} from "../../contracts/interfaces/IClearinghouse.sol";
import {IClearinghouseBase} from "../../contracts/interfaces/IClearinghouseBase.sol";
import {IMarginModel} from "../../contracts/interfaces/IMarginModel.sol";
import {IOracleRouter} from "../../contracts/interfaces/IOracleRouter.sol";
import {IStablecoin} from "../../contracts/interfaces/IStablecoin.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {MockMarginModel} from "../../contracts/mocks/MockMarginModel.sol";
import {MockOracleRouter} from "../../contracts/mocks/MockOracleRouter.sol";
import {AggregatorV3Interface} from "@chainlink/contracts/src/v0.8/shared/interfaces/AggregatorV3Interface.sol";

import {VM} from "./Vm.sol";

/// @notice The ledger as the property suite deploys it (test/helpers/ledger.ts): real
///         Clearinghouse, Stablecoin and BackstopVault; mock oracle and margin model (prices,
///         failures and risk levels move directly); this contract acts as governance and as the
///         RiskConfig. Four actors with wallets; the last one seeds the vault.
contract LedgerSystem {
    uint256 internal constant WAD = 1e18;

    Stablecoin public immutable stablecoin;
    MockOracleRouter public immutable oracle;
    MockMarginModel public immutable margin;
    MockERC20 public immutable weth;
    MockERC20 public immutable wbtc;
    Clearinghouse public immutable ch;
    BackstopVault public immutable vault;

    address[] internal _actors;

    constructor() {
        // the stablecoin's minter is immutable: the Clearinghouse's predicted address, the eighth
        // contract this one creates (nonce 8: contract nonces start at 1), checked below; the
        // Clearinghouse's vault is immutable too: the ninth
        stablecoin = new Stablecoin(_createAddress(address(this), 8));
        address predictedVault = _createAddress(address(this), 9);
        oracle = new MockOracleRouter();
        margin = new MockMarginModel();
        weth = new MockERC20("Wrapped Ether", "WETH", 18);
        wbtc = new MockERC20("Wrapped Bitcoin", "WBTC", 8);
        (address engine, address auction_) = _liquidationModules();
        IClearinghouseBase.Wiring memory w = IClearinghouseBase.Wiring({
            stablecoin: address(stablecoin),
            oracle: address(oracle),
            marginModel: address(margin),
            riskConfig: address(this),
            governance: address(this),
            vault: predictedVault,
            liquidationEngine: engine,
            auction: auction_
        });
        address liquidationModule = address(new ClearinghouseLiquidation(w));
        address settlementModule = address(new ClearinghouseSettlement(w));
        ch = new Clearinghouse(w, liquidationModule, settlementModule);
        require(stablecoin.minter() == address(ch), "LedgerSystem: Clearinghouse not at the predicted minter");
        vault = new BackstopVault(IStablecoin(address(stablecoin)), 1 days, 1 days);
        require(address(vault) == predictedVault, "LedgerSystem: vault not at the predicted address");
        vault.initialize(IClearinghouse(address(ch)));

        IOracleRouter.FeedConfig memory feed = IOracleRouter.FeedConfig({
            primary: AggregatorV3Interface(address(weth)),
            secondary: AggregatorV3Interface(address(0)),
            heartbeatSeconds: 3600,
            gracePeriodSeconds: 600,
            secondaryHeartbeatSeconds: 0,
            maxDeviationWad: 0,
            minPriceWad: 1,
            maxPriceWad: 1e30
        });
        oracle.setFeed(address(weth), feed);
        oracle.setFeed(address(wbtc), feed);
        oracle.setPrice(address(weth), 2_000 * WAD, true);
        oracle.setPrice(address(wbtc), 40_000 * WAD, true);
        IMarginModel.AssetRisk memory risk = defaultRisk();
        margin.setRisk(address(weth), risk);
        margin.setRisk(address(wbtc), risk);
        ch.listCollateral(address(weth));
        ch.listCollateral(address(wbtc));
        ch.listMarket(address(weth));

        ch.setParam("DEBT_CEILING_WAD", address(0), 1_000_000 * WAD);
        ch.setParam("MIN_DEBT_WAD", address(0), 100 * WAD);
        ch.setParam("DEPOSIT_CAP", address(weth), 5_000 * WAD);
        ch.setParam("DEPOSIT_CAP", address(wbtc), 1e20);
        ch.setParam("SKEW_SCALE_WAD", address(weth), 1_000_000 * WAD);
        ch.setParam("MAX_FUNDING_VELOCITY_WAD", address(weth), 3 * WAD);
        ch.setParam("TAKER_FEE_WAD", address(weth), WAD / 1000);
        ch.setParam("MAX_OPEN_INTEREST_WAD", address(weth), 400 * WAD);
        ch.setParam("SKEW_CAP_RATIO_WAD", address(weth), 5 * WAD);

        _actors.push(address(0xA11CE));
        _actors.push(address(0xB0B));
        _actors.push(address(0xCA401));
        _actors.push(address(0x1A9));
        for (uint256 i; i < _actors.length; ++i) {
            address a = _actors[i];
            weth.mint(a, 1_000 * WAD);
            wbtc.mint(a, 100e8);
            VM.startPrank(a);
            weth.approve(address(ch), type(uint256).max);
            wbtc.approve(address(ch), type(uint256).max);
            stablecoin.approve(address(vault), type(uint256).max);
            VM.stopPrank();
        }
        // the LP seeds the vault with 100,000 bUSD borrowed against 500 WETH
        address lp = _actors[3];
        VM.startPrank(lp);
        ch.deposit(lp, address(weth), 500 * WAD);
        ch.borrow(lp, 100_000 * WAD, lp);
        vault.deposit(100_000 * WAD, lp);
        VM.stopPrank();
        // stability fee: 5e18 RAY per second (about 17% a year)
        ch.setParam("STABILITY_FEE_PER_SECOND_RAY", address(0), 5e18);
    }

    function defaultRisk() public pure returns (IMarginModel.AssetRisk memory) {
        return
            IMarginModel.AssetRisk({
                haircutMaintWad: 0.15e18,
                haircutInitWad: 0.2e18,
                marginRatioMaintWad: 0.05e18,
                marginRatioInitWad: 0.1e18,
                depthUsdWad: 0,
                sizeSlopeWad: 0
            });
    }

    function actors() external view returns (address[] memory) {
        return _actors;
    }

    function actorCount() external view returns (uint256) {
        return _actors.length;
    }

    function actor(uint256 seed) external view returns (address) {
        return _actors[seed % _actors.length];
    }

    /// @notice Lets a handler move prices and risk levels (the mocks have no access control;
    ///         this keeps every environment change in one place).
    function setPrice(address asset, uint256 priceWad, bool ok) external {
        oracle.setPrice(asset, priceWad, ok);
    }

    function setRisk(address asset, IMarginModel.AssetRisk calldata risk) external {
        margin.setRisk(asset, risk);
    }

    /// @notice The liquidation engine and auction the Clearinghouse is built with (immutables).
    ///         The ledger alone has none: two addresses that never call it stand in (the ledger
    ///         requires non-zero ones). LiquidationSystem returns the predicted addresses of the
    ///         ones it deploys (a virtual call from a base constructor runs the override).
    function _liquidationModules() internal view virtual returns (address engine, address auction_) {
        return (address(0xE9E), address(0xA0C));
    }

    /// @notice The CREATE address of `deployer`'s contract with nonce `nonce` (1 to 127):
    ///         keccak256(rlp([deployer, nonce]))[12:].
    function _createAddress(address deployer, uint256 nonce) internal pure returns (address) {
        require(nonce > 0 && nonce < 0x80, "LedgerSystem: nonce out of the one-byte range");
        return
            address(uint160(uint256(keccak256(abi.encodePacked(bytes1(0xd6), bytes1(0x94), deployer, uint8(nonce))))));
    }
}
