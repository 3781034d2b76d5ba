// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IAuctionCurve} from "../../contracts/interfaces/IAuctionCurve.sol";
import {IAuctionSink} from "../../contracts/interfaces/IAuctionSink.sol";
import {ICircuitBreaker} from "../../contracts/interfaces/ICircuitBreaker.sol";
import {IDutchAuction} from "../../contracts/interfaces/IDutchAuction.sol";
import {ILiquidationLedger} from "../../contracts/interfaces/ILiquidationLedger.sol";
import {IMarginModel} from "../../contracts/interfaces/IMarginModel.sol";
import {IOracleRouter} from "../../contracts/interfaces/IOracleRouter.sol";
import {DutchAuction} from "../../contracts/liquidation/DutchAuction.sol";
import {LiquidationEngine} from "../../contracts/liquidation/LiquidationEngine.sol";
import {ExponentialDecrease} from "../../contracts/liquidation/curves/ExponentialDecrease.sol";
import {LinearDecrease} from "../../contracts/liquidation/curves/LinearDecrease.sol";
import {MockAuctionTaker} from "../../contracts/mocks/MockAuctionTaker.sol";
import {MockERC20} from "../../contracts/mocks/MockERC20.sol";
import {CircuitBreaker} from "../../contracts/risk/CircuitBreaker.sol";
import {RiskConfig} from "../../contracts/risk/RiskConfig.sol";

import {LedgerSystem} from "./LedgerSystem.sol";
import {VM} from "./Vm.sol";

/// @notice The ledger of LedgerSystem (real Clearinghouse with both modules, Stablecoin,
///         BackstopVault; mock oracle and margin model, which the liquidation modules accept) plus
///         the liquidation stack: a real RiskConfig (this contract is its governor and registrar,
///         `GUARDIAN` its guardian), DutchAuction with a linear curve (WETH) and an exponential one
///         (WBTC, so that the cusp triggers redos before the tail), LiquidationEngine and
///         CircuitBreaker, wired as scripts/deploy/system.ts wires them. This contract stays the
///         governance of every module and the Clearinghouse's RiskConfig (LedgerSystem's choice).
///         Liquidators: `KEEPER` (rewards), `BIDDER` (pays for takes from stablecoin borrowed
///         against a stable collateral the environment never moves) and a `MockAuctionTaker`
///         (flash-take callback receiver, funded by the bidder).
contract LiquidationSystem is LedgerSystem {
    address public constant GUARDIAN = address(0x6A4D1A4);
    address public constant KEEPER = address(0x4EE9E4);
    address public constant BIDDER = address(0xB1DDE4);

    /// @notice Setup flows the handlers' ghosts start from.
    uint256 public constant BIDDER_STABLE_COLLATERAL = 100_000_000 * WAD;
    uint256 public constant BIDDER_BORROW_WAD = 20_000_000 * WAD;
    uint256 public constant TAKER_FUNDING_WAD = 2_000_000 * WAD;

    /// @notice Auction tail and linear-curve duration (seconds).
    uint256 public constant TAIL_SECONDS = 7_200;

    MockERC20 public immutable usdc;
    RiskConfig public immutable riskConfig;
    DutchAuction public immutable auction;
    LiquidationEngine public immutable engine;
    CircuitBreaker public immutable breaker;
    MockAuctionTaker public immutable taker;

    constructor() LedgerSystem() {
        // a stable collateral only the bidder uses (the environment moves WETH and WBTC only)
        usdc = new MockERC20("USD Coin", "USDC", 18);
        oracle.setFeed(address(usdc), oracle.feedConfig(address(weth)));
        oracle.setPrice(address(usdc), WAD, true);
        IMarginModel.AssetRisk memory stable = defaultRisk();
        stable.haircutMaintWad = 0.02e18;
        stable.haircutInitWad = 0.05e18;
        margin.setRisk(address(usdc), stable);
        ch.listCollateral(address(usdc));
        ch.setParam("DEPOSIT_CAP", address(usdc), 1e30);
        ch.setParam("DEBT_CEILING_WAD", address(0), 100_000_000 * WAD);

        riskConfig = new RiskConfig(address(this), GUARDIAN, address(this));
        IOracleRouter o = IOracleRouter(address(oracle));
        breaker = new CircuitBreaker(o, address(riskConfig), address(this), GUARDIAN);
        auction = new DutchAuction(
            o,
            IERC20(address(stablecoin)),
            IAuctionSink(address(ch)),
            ICircuitBreaker(address(breaker)),
            _createAddress(address(this), 14), // the engine, next
            address(riskConfig),
            address(this)
        );
        engine = new LiquidationEngine(
            ILiquidationLedger(address(ch)),
            IDutchAuction(address(auction)),
            ICircuitBreaker(address(breaker)),
            address(riskConfig)
        );
        address eng = address(engine);
        // the Clearinghouse was built with these two as immutables (see _liquidationModules)
        (address predictedEngine, address predictedAuction) = _liquidationModules();
        require(eng == predictedEngine, "LiquidationSystem: engine not at the predicted address");
        require(address(auction) == predictedAuction, "LiquidationSystem: auction not at the predicted address");

        auction.setCurve(address(weth), IAuctionCurve(address(new LinearDecrease(TAIL_SECONDS))));
        // 0.01% per second: the price falls below cusp (0.5) after about 6,930 s, before the tail
        auction.setCurve(address(wbtc), IAuctionCurve(address(new ExponentialDecrease(1e27 - 1e23))));
        ch.setBreaker(address(breaker));
        breaker.registerAsset(address(weth));
        breaker.registerAsset(address(wbtc));
        breaker.setClearinghouse(address(ch));
        breaker.setReporter(eng, true);
        breaker.setReporter(address(ch), true);

        // parameters through the RiskConfig (caps and a velocity capacity these runs can reach; a
        // tip of 200 so that small kicks meet the rule "no reward at or above the penalty")
        _register(eng, "TARGET_HEALTH_WAD", address(0), 1.25e18, 0.25e18, true);
        _register(eng, "PENALTY_WAD", address(0), 0.1e18, 0.05e18, true);
        _register(eng, "PERP_PENALTY_WAD", address(0), 0.01e18, 0.01e18, true);
        _register(eng, "PERP_KEEPER_SHARE_WAD", address(0), 0.3e18, 0.1e18, true);
        _register(eng, "DUST_DEBT_WAD", address(0), 100 * WAD, 1_000e18, true);
        _register(eng, "MAX_TAB_IN_FLIGHT_WAD", address(0), 1_500_000 * WAD, 1e27, false);
        _register(eng, "WINDOW_SECONDS", address(0), 3_600, 3_600, true);
        _register(eng, "WINDOW_CAPACITY_WAD", address(0), 1_000_000 * WAD, 1e27, false);
        _register(address(breaker), "COOLDOWN_SECONDS", address(0), 3_600, 3_600, true);
        address[2] memory assets = [address(weth), address(wbtc)];
        for (uint256 i; i < 2; ++i) {
            address a = assets[i];
            _register(address(auction), "BUF_WAD", a, 1.1e18, 0.1e18, true);
            _register(address(auction), "TAIL_SECONDS", a, TAIL_SECONDS, 3_600, false);
            _register(address(auction), "CUSP_WAD", a, 0.5e18, 0.1e18, true);
            _register(address(auction), "CHIP_WAD", a, 0.001e18, 0.005e18, false);
            _register(address(auction), "TIP_WAD", a, 200 * WAD, 100e18, false);
            _register(address(auction), "DUST_WAD", a, 100 * WAD, 1_000e18, true);
            _register(eng, "ASSET_TAB_CAP_WAD", a, 1_000_000 * WAD, 1e27, false);
            _register(address(breaker), "DROP_TOLERANCE_WAD", a, 0.2e18, 0.05e18, false);
            _register(address(breaker), "VELOCITY_CAPACITY_WAD", a, 600_000 * WAD, 1e26, false);
        }
        riskConfig.renounceRegistrar();

        // the bidder borrows its stablecoin against USDC; it funds the flash taker
        taker = new MockAuctionTaker(IDutchAuction(address(auction)), IERC20(address(stablecoin)));
        usdc.mint(BIDDER, BIDDER_STABLE_COLLATERAL);
        VM.startPrank(BIDDER);
        usdc.approve(address(ch), type(uint256).max);
        stablecoin.approve(address(auction), type(uint256).max);
        ch.deposit(BIDDER, address(usdc), BIDDER_STABLE_COLLATERAL);
        ch.borrow(BIDDER, BIDDER_BORROW_WAD, BIDDER);
        stablecoin.transfer(address(taker), TAKER_FUNDING_WAD);
        VM.stopPrank();
    }

    /// @dev LedgerSystem creates nine contracts (nonces 1-9); this constructor then creates the
    ///      USDC mock (10), the RiskConfig (11), the breaker (12), the auction (13) and the engine
    ///      (14), checked in the constructor.
    function _liquidationModules() internal view override returns (address engine_, address auction_) {
        return (_createAddress(address(this), 14), _createAddress(address(this), 13));
    }

    /// @notice Every address that can hold a Clearinghouse account in these runs (the vault's
    ///         credit is read separately): the four actors, the bidder and the keeper.
    function accounts() external view returns (address[] memory out) {
        out = new address[](_actors.length + 2);
        for (uint256 i; i < _actors.length; ++i) out[i] = _actors[i];
        out[_actors.length] = BIDDER;
        out[_actors.length + 1] = KEEPER;
    }

    /// @notice Governance moves a breaker level either way (this contract is the timelock).
    function governanceSetLevel(address asset, uint8 level) external {
        if (asset == address(0)) breaker.setGlobalLevel(level, "GOVERNANCE");
        else breaker.setAssetLevel(asset, level, "GOVERNANCE");
    }

    /// @notice Governance changes a registered parameter through the RiskConfig (either way).
    function governanceSetParam(address target, bytes32 name, address subject, uint256 value) external {
        riskConfig.setParam(target, name, subject, value);
    }

    /// @notice The OSM hop: the delayed reference price catches up with the current price.
    function rollDelayedPrice(address asset) external {
        (uint256 priceWad, ) = oracle.getPrice(asset);
        oracle.setDelayedPrice(asset, priceWad);
    }

    function _register(
        address target,
        bytes32 name,
        address subject,
        uint256 value,
        uint128 maxStep,
        bool higherIsSafer
    ) internal {
        riskConfig.registerParam(target, name, subject, value, maxStep, higherIsSafer);
    }
}
