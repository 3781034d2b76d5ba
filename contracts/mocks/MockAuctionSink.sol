// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IAuctionSink} from "../interfaces/IAuctionSink.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {DutchAuction} from "../liquidation/DutchAuction.sol";
import {IStablecoin} from "../interfaces/IStablecoin.sol";

/// @title MockAuctionSink
/// @notice Test double of the Clearinghouse's auction side: the liquidation engine (kicks) and the
///         settlement sink, with a miniature ledger. Must be the stablecoin's minter (it burns
///         payments from the taker, as the Clearinghouse does). Books kept so tests can check
///         the fundamental equation (DESIGN I1):
///         `supply + vaultCredit + keeperCredits == accountDebt + debtInAuctions + deficit`.
// solhint-disable-next-line max-states-count
contract MockAuctionSink is IAuctionSink {
    using SafeERC20 for IERC20;

    error MockAuctionSink__NotAuction(address caller);

    IStablecoin public immutable stablecoin;
    IDutchAuction public auction;

    uint256 public accountDebtWad;
    uint256 public debtInAuctionsWad;
    uint256 public vaultCreditWad;
    uint256 public deficitWad;
    uint256 public keeperCreditsWad;
    mapping(address keeper => uint256) public keeperCreditOf;
    /// @notice Collateral given back to each account, per token.
    mapping(address account => mapping(address token => uint256)) public returnedOf;
    /// @notice Collateral held for running auctions (the sink keeps custody).
    mapping(address token => uint256) public lotsInAuctions;

    uint256 public paymentCount;
    uint256 public endCount;
    uint256 public lastPaidWad;
    uint256 public lastDebtCoveredWad;
    uint256 public lastEndLot;
    uint256 public lastEndDebtWad;
    uint256 public lastEndId;

    event PaymentRecorded(uint256 indexed auctionId, address indexed account, uint256 paidWad, uint256 debtCoveredWad);
    event EndRecorded(
        uint256 indexed auctionId,
        address indexed account,
        address token,
        uint256 lotLeft,
        uint256 debtLeftWad
    );
    event KeeperPaid(address indexed keeper, uint256 amountWad);

    constructor(IStablecoin stablecoin_) {
        stablecoin = stablecoin_;
    }

    function setAuction(IDutchAuction auction_) external {
        auction = auction_;
    }

    /// @notice Test faucet: mints to `to`, as if some account borrowed it.
    function fund(address to, uint256 amountWad) external {
        stablecoin.mint(to, amountWad);
        accountDebtWad += amountWad;
    }

    /// @notice Gives the vault credit, as if an LP deposited borrowed stablecoin.
    function seedVault(uint256 amountWad) external {
        vaultCreditWad += amountWad;
        accountDebtWad += amountWad;
    }

    /// @notice Acts as the liquidation engine: moves `debtWad` of account debt into the auction,
    ///         kicks it with collateral this contract holds and credits the kick reward.
    function kick(
        address account,
        address token,
        uint256 lot,
        uint256 tabWad,
        uint256 debtWad,
        address keeper
    ) external returns (uint256 id) {
        accountDebtWad -= debtWad;
        debtInAuctionsWad += debtWad;
        lotsInAuctions[token] += lot;
        uint256 rewardWad;
        // as the engine: the oracle price of this transaction, 0 when it is not ok
        (uint256 priceWad, bool ok) = DutchAuction(address(auction)).oracle().getPrice(token);
        (id, rewardWad) = auction.kick(account, token, lot, tabWad, debtWad, keeper, ok ? priceWad : 0);
        if (rewardWad > 0) _payKeeper(keeper, rewardWad); // the kicker credits the kick reward
    }

    /// @inheritdoc IAuctionSink
    function sendCollateral(address token, address to, uint256 amount) external {
        _onlyAuction();
        lotsInAuctions[token] -= amount;
        IERC20(token).safeTransfer(to, amount);
    }

    /// @inheritdoc IAuctionSink
    function onAuctionTake(TakeSettlement calldata s) external {
        _onlyAuction();
        if (s.slice > 0) {
            lotsInAuctions[s.token] -= s.slice;
            IERC20(s.token).safeTransfer(s.receiver, s.slice);
        }
        stablecoin.burnFrom(s.payer, msg.sender, s.paidWad);
        debtInAuctionsWad -= s.debtCoveredWad;
        vaultCreditWad += s.paidWad - s.debtCoveredWad;
        paymentCount += 1;
        lastPaidWad = s.paidWad;
        lastDebtCoveredWad = s.debtCoveredWad;
        emit PaymentRecorded(s.auctionId, s.account, s.paidWad, s.debtCoveredWad);
        if (s.ends) _end(s.auctionId, s.account, s.token, s.lotLeft, s.debtLeftWad);
    }

    /// @inheritdoc IAuctionSink
    function payKeeper(address keeper, uint256 amountWad) external {
        _onlyAuction();
        _payKeeper(keeper, amountWad);
    }

    function _payKeeper(address keeper, uint256 amountWad) internal {
        keeperCreditOf[keeper] += amountWad;
        keeperCreditsWad += amountWad;
        _payFromVault(amountWad);
        emit KeeperPaid(keeper, amountWad);
    }

    /// @notice Both sides of the fundamental equation.
    function books() external view returns (uint256 liabilitiesWad, uint256 assetsWad) {
        liabilitiesWad = stablecoin.totalSupply() + vaultCreditWad + keeperCreditsWad;
        assetsWad = accountDebtWad + debtInAuctionsWad + deficitWad;
    }

    function _payFromVault(uint256 amountWad) internal {
        uint256 credit = vaultCreditWad;
        if (amountWad <= credit) {
            vaultCreditWad = credit - amountWad;
        } else {
            vaultCreditWad = 0;
            deficitWad += amountWad - credit;
        }
    }

    function _end(uint256 auctionId, address account, address token, uint256 lotLeft, uint256 debtLeftWad) internal {
        if (lotLeft > 0) IERC20(token).safeTransfer(account, lotLeft);
        lotsInAuctions[token] -= lotLeft;
        returnedOf[account][token] += lotLeft;
        debtInAuctionsWad -= debtLeftWad;
        _payFromVault(debtLeftWad);
        endCount += 1;
        lastEndId = auctionId;
        lastEndLot = lotLeft;
        lastEndDebtWad = debtLeftWad;
        emit EndRecorded(auctionId, account, token, lotLeft, debtLeftWad);
    }

    function _onlyAuction() internal view {
        if (msg.sender != address(auction)) revert MockAuctionSink__NotAuction(msg.sender);
    }
}
