// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {IAuctionCurve} from "../interfaces/IAuctionCurve.sol";
import {IDutchAuction} from "../interfaces/IDutchAuction.sol";
import {WadMath} from "../libraries/WadMath.sol";
import {ParamTarget} from "../risk/ParamTarget.sol";

/// @title DutchAuctionParams
/// @notice Per-asset auction parameters with their hard bounds, set only through the RiskConfig,
///         and the per-asset curve, set by governance (a curve is an address: a "maximum step"
///         means nothing for it, so it does not go through RiskConfig's bounded setter).
/// @dev Every parameter's subject is the collateral token, which must be listed first
///      (`setCurve`). An asset can be auctioned once its curve, buf, tail and cusp are set
///      (their lower bounds are non-zero, so zero means "unset"); chip, tip and dust may be 0.
///      Buf, tail, cusp and the curve are also bound together (`MAX_FLOOR_WAD`): each alone is
///      "tightened" by the guardian (a higher buf or cusp, a shorter tail), and together they
///      could otherwise keep every auction above the market until its redo.
abstract contract DutchAuctionParams is IDutchAuction, ParamTarget {
    using WadMath for uint256;

    // ---------------------------------------------------------------- constants

    /// @notice Starting price over the oracle price, WAD. Bounds: 1e18 .. 2e18.
    bytes32 public constant BUF_WAD = "BUF_WAD";
    /// @notice Age after which an auction needs a redo, seconds. Bounds: 60 .. 7 days.
    bytes32 public constant TAIL_SECONDS = "TAIL_SECONDS";
    /// @notice Price / start price below which an auction needs a redo, WAD. Bounds: 0.1e18 .. 0.9e18
    ///         (above 0.9 no buf, at least 1, keeps the floor within `MAX_FLOOR_WAD`).
    bytes32 public constant CUSP_WAD = "CUSP_WAD";
    /// @notice Keeper reward proportional to the tab, WAD. Bounds: 0 .. 0.05e18.
    bytes32 public constant CHIP_WAD = "CHIP_WAD";
    /// @notice Flat keeper reward, WAD. Bounds: 0 .. 1_000e18.
    bytes32 public constant TIP_WAD = "TIP_WAD";
    /// @notice Smallest tab a partial take may leave; also the redo-reward minimum, WAD.
    ///         Bounds: 0 .. 1e24.
    bytes32 public constant DUST_WAD = "DUST_WAD";

    /// @notice Highest floor an asset's auctions may have, WAD: the lowest price a take can pay
    ///         before a redo is due, `buf x curve(1, t)` at the last `t` within the tail where the
    ///         curve is still at or above cusp, per unit of the oracle price at the (re)start, must
    ///         be at most 0.9 (a discount of 10% a taker sees). Checked at
    ///         every change of buf, tail, cusp and curve, whoever makes it: tightening any of them
    ///         (a higher buf or cusp, a shorter tail) can otherwise leave every auction above the
    ///         market until its redo, forever.
    uint256 public constant MAX_FLOOR_WAD = 0.9e18;

    // ---------------------------------------------------------------- immutables

    address public immutable governance;

    // ---------------------------------------------------------------- storage

    /// @dev Slot 1 is read by every take and status; slot 2 by takes (dust), kicks and redos;
    ///      slot 3 is written by every take (the tab in flight). `tokenId` (1..255, given at
    ///      listing) is how an auction record names its token in one byte.
    struct AssetConfig {
        // slot 1
        IAuctionCurve curve;
        uint64 cuspWad;
        uint24 tailSeconds;
        uint8 decimals;
        // slot 2
        uint96 dustWad;
        uint96 tipWad;
        uint64 bufWad;
        // slot 3
        uint64 chipWad;
        uint8 tokenId;
        uint184 tabInFlightWad;
    }

    mapping(address token => AssetConfig) internal _config;
    /// @dev The listed tokens by id (ids start at 1).
    mapping(uint256 tokenId => address token) internal _tokenById;
    uint8 internal _tokenCount;

    // ---------------------------------------------------------------- constructor

    constructor(address riskConfig_, address governance_) ParamTarget(riskConfig_) {
        if (riskConfig_ == address(0) || governance_ == address(0)) revert DutchAuction__ZeroAddress();
        governance = governance_;
    }

    modifier onlyGovernance() {
        if (msg.sender != governance) revert DutchAuction__NotGovernance(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- external mutating

    /// @inheritdoc IDutchAuction
    function setCurve(address token, IAuctionCurve curve) external onlyGovernance {
        if (token == address(0) || address(curve) == address(0)) revert DutchAuction__ZeroAddress();
        uint8 decimals = IERC20Metadata(token).decimals();
        if (decimals > 18) revert DutchAuction__UnsupportedDecimals(token, decimals);
        AssetConfig storage cfg = _config[token];
        if (cfg.tokenId == 0) {
            uint256 id = uint256(_tokenCount) + 1;
            if (id > type(uint8).max) revert DutchAuction__TooManyTokens();
            _tokenCount = uint8(id);
            cfg.tokenId = uint8(id);
            _tokenById[id] = token;
        }
        cfg.curve = curve;
        cfg.decimals = decimals;
        _requireClears(token, cfg);
        emit CurveSet(token, address(curve), decimals);
    }

    // ---------------------------------------------------------------- external views

    /// @inheritdoc IDutchAuction
    function curveOf(address token) external view returns (IAuctionCurve) {
        return _config[token].curve;
    }

    /// @inheritdoc IDutchAuction
    function tabInFlightWad(address token) external view returns (uint256) {
        return _config[token].tabInFlightWad;
    }

    // ---------------------------------------------------------------- internal

    function _setParam(bytes32 name, address subject, uint256 value) internal override {
        AssetConfig storage cfg = _listed(name, subject);
        // the bounds make every narrowing cast below exact
        if (name == BUF_WAD) cfg.bufWad = uint64(value);
        else if (name == TAIL_SECONDS) cfg.tailSeconds = uint24(value);
        else if (name == CUSP_WAD) cfg.cuspWad = uint64(value);
        else if (name == CHIP_WAD) cfg.chipWad = uint64(value);
        else if (name == TIP_WAD) cfg.tipWad = uint96(value);
        else cfg.dustWad = uint96(value);
        if (name == BUF_WAD || name == TAIL_SECONDS || name == CUSP_WAD) _requireClears(subject, cfg);
    }

    function _getParam(bytes32 name, address subject) internal view override returns (uint256) {
        AssetConfig storage cfg = _listed(name, subject);
        if (name == BUF_WAD) return cfg.bufWad;
        if (name == TAIL_SECONDS) return cfg.tailSeconds;
        if (name == CUSP_WAD) return cfg.cuspWad;
        if (name == CHIP_WAD) return cfg.chipWad;
        if (name == TIP_WAD) return cfg.tipWad;
        return cfg.dustWad;
    }

    function _bounds(bytes32 name) internal pure override returns (uint256 min, uint256 max) {
        if (name == BUF_WAD) return (1e18, 2e18);
        if (name == TAIL_SECONDS) return (60, 7 days);
        if (name == CUSP_WAD) return (0.1e18, 0.9e18);
        if (name == CHIP_WAD) return (0, 0.05e18);
        if (name == TIP_WAD) return (0, 1_000e18);
        if (name == DUST_WAD) return (0, 1e24);
        revert ParamTarget__UnknownParam(name, address(0));
    }

    /// @dev Reverts with `DutchAuction__CannotClear` when the lowest price a take could pay
    ///      before a redo is due, `buf x curve(1, t)` (rounded up) at the last `t` of `[0, tail]`
    ///      where `curve(1, t) >= cusp`, is above `MAX_FLOOR_WAD`. That is `buf x cusp` only for a
    ///      curve that passes through every price: a stepped curve (stairstep, or a steep
    ///      per-second exponential) can jump from above the cusp to below it, and then the lowest
    ///      takeable price is the last step's above the cusp (its first step below: the start
    ///      price). Nothing to check before buf, tail and cusp are all set (a kick refuses the
    ///      asset until then).
    function _requireClears(address token, AssetConfig storage cfg) internal view {
        uint256 bufWad = cfg.bufWad;
        uint256 cuspWad = cfg.cuspWad;
        uint256 tailSeconds = cfg.tailSeconds;
        if (bufWad == 0 || cuspWad == 0 || tailSeconds == 0) return;
        uint256 floorWad = bufWad.mulWadUp(_lowestTakeableWad(cfg.curve, cuspWad, tailSeconds));
        if (floorWad > MAX_FLOOR_WAD) revert DutchAuction__CannotClear(token, floorWad, MAX_FLOOR_WAD);
    }

    /// @dev The lowest price per unit of the start price that a take can pay before a redo is due
    ///      (`_status`: a redo once older than `tailSeconds` or below `cuspWad`). The curve only
    ///      falls and starts at 1 (above every cusp), so the takeable times are a prefix of
    ///      `[0, tail]`: the curve at the tail if it is still at or above the cusp, else at the
    ///      last second before it falls below (a binary search, about log2(tail) curve calls, on a
    ///      parameter change only).
    function _lowestTakeableWad(
        IAuctionCurve curve,
        uint256 cuspWad,
        uint256 tailSeconds
    ) internal view returns (uint256) {
        uint256 atTailWad = curve.price(WadMath.WAD, tailSeconds);
        if (atTailWad >= cuspWad) return atTailWad;
        // curve(lo) >= cusp > curve(hi)
        (uint256 lo, uint256 hi) = (0, tailSeconds);
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) / 2;
            if (curve.price(WadMath.WAD, mid) >= cuspWad) lo = mid;
            else hi = mid;
        }
        return curve.price(WadMath.WAD, lo);
    }

    function _listed(bytes32 name, address subject) internal view returns (AssetConfig storage cfg) {
        cfg = _config[subject];
        if (address(cfg.curve) == address(0)) revert ParamTarget__UnknownParam(name, subject);
    }
}
