"""The bidding game, solved by backward induction for every draw of a batch.

C (with its allies) offers a package conditional on a target option; I (with its allies) sees it
and may counter, conditional on P staying; P takes the best option. Values and costs come from
:mod:`realpolitik.models.realignment.accounting` (one rule for both sides); packages from
:mod:`realpolitik.models.realignment.solvers`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from realpolitik.errors import ModelError
from realpolitik.models.realignment.accounting import Accounts, accounts, payer_index
from realpolitik.models.realignment.problem import (
    COURTER,
    INCUMBENT,
    MAX_BINARY_ENUM,
    RealignmentProblem,
)
from realpolitik.models.realignment.rows import take_rows
from realpolitik.models.realignment.solvers import (
    binary_subsets,
    box_max_value,
    budgeted_max_value,
    budgeted_min_cost,
    fast_max_value,
    fast_max_values,
    highs_solve,
    package_value_arrays,
    screened_min_cost,
    subset_bounds,
    trade_fill,
)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "BINDS",
    "RealignmentSolution",
    "solve",
    "equilibrium_bids",
    "need_and_price",
    "package_value",
    "incumbent_best_counter",
    "closed_options",
    "closed_on_paths",
    "open_values",
    "need_and_reach",
]

#: Which bound stops a side (values of ``courter_binds`` / ``incumbent_binds``); ``closed``:
#: the target option is closed (no courter, or a demand on P's regime), whatever is offered.
BINDS = ("none", "levers", "stake", "closed")


@dataclass(frozen=True)
class RealignmentSolution:
    """Per-draw results of the bidding game (all arrays have a leading axis ``B``).

    Per-target arrays have an axis of 2: ``[hedge, courter]`` (the option C's package is
    conditional on). Prices are PVs in the courter side's money; ``inf`` where no package within
    the levers' bounds can flip P. Values to P are survival-discounted PVs in P's money.
    ``payers`` are the courter side's payers (the courter first, then allies with their own
    valuation); ``price_by_payer`` splits the cheapest package's cost among them.
    """

    outcome: np.ndarray  # (B,) 0 stay, 1 hedge, 2 courter
    offer_target: np.ndarray  # (B,) 0 no offer, 1 hedge, 2 courter
    option_values: np.ndarray  # (B, 3) PV of each option to P without any levers
    price: np.ndarray  # (B, 2) cheapest package flipping P to the target, in C's side's cost
    price_value: np.ndarray  # (B, 2) its value to P (survival-discounted PV)
    price_face: np.ndarray  # (B, 2) its value if promises were certain
    price_trade_value: np.ndarray  # (B, 2) part of price_value from the trade it fills
    need: np.ndarray  # (B, 2) value P must get from C's package to choose the target
    feasible: np.ndarray  # (B, 2) some package within the levers' bounds flips P
    affordable: np.ndarray  # (B, 2) some such package leaves every payer no worse off
    max_offer_value: np.ndarray  # (B, 2) most value C's levers can give P
    willingness_to_pay: np.ndarray  # (B, 2) the courter side's total
    incumbent_max_bid: np.ndarray  # (B, 2) most value I's side will give P to keep it
    incumbent_loss: np.ndarray  # (B, 2) I's side's stake (its budget, in its money)
    incumbent_lever_limit: np.ndarray  # (B, 2) value of all I's levers at their maximum
    incumbent_binds: np.ndarray  # (B, 2) 1 levers, 2 stake: what limits I's bid
    courter_binds: np.ndarray  # (B, 2) 0 none, 1 levers, 2 stake, 3 closed: what stops C
    retaliation_cost: np.ndarray  # (B, 2) PV of the trade I gives up by retaliating
    payers: tuple[str, ...]
    payer_wtp: np.ndarray  # (B, n_payers, 2)
    price_by_payer: np.ndarray  # (B, 2, n_payers) cost of the cheapest package to each payer
    packages: np.ndarray  # (B, 2, Lc) cheapest package per target
    # (B, 2, Lc) cheapest package every payer accepts per target (where the target cannot beat
    # no offer even at the unconstrained price: an acceptable package, not always the cheapest)
    offer_packages: np.ndarray
    offer_cost: np.ndarray  # (B, 2) its total cost (inf if none)
    package: np.ndarray  # (B, Lc) the equilibrium offer (zeros if none)
    counter: np.ndarray  # (B, Li) the equilibrium counter (zeros if none)
    courter_payoff: np.ndarray  # (B,)
    causes: tuple[str, ...]  # names of the accounting identity's terms
    decomposition_value: np.ndarray  # (B, 2, n_causes) sums to price_face (or need if infeasible)
    decomposition: np.ndarray  # (B, 2, n_causes) in C's cost, sums to price (0 if infeasible)
    courter_levers: tuple[str, ...]
    incumbent_levers: tuple[str, ...]
    method: str
    derived: Any = field(default=None, repr=False, compare=False)

    @property
    def margin(self) -> np.ndarray:
        """(B, 2) willingness to pay minus price (``-inf`` where infeasible)."""
        out: np.ndarray = self.willingness_to_pay - self.price
        return out


@dataclass(frozen=True)
class _Side:
    """One side's levers in a batch: values, costs and bounds per unit extent, trade capacity
    and weight, and each lever's payer column."""

    idx: IntArray  # (m,) positions in the problem's levers
    p: FloatArray  # (B, m) value to P (PV)
    k: FloatArray  # (B, m) cost to the payer (PV)
    lo: FloatArray
    hi: FloatArray
    binary: BoolArray  # (m,)
    a: FloatArray  # (B, m) trade capacity
    w: FloatArray  # (B, m) trade weight
    col: IntArray  # (m,) payer column (0: the side's principal)

    @property
    def single_payer(self) -> bool:
        """Whether the side's principal pays for all its levers."""
        return bool(np.all(self.col == 0))


_BATCH_FIELDS = ("p", "k", "lo", "hi", "a", "w")


def _side(pb: RealignmentProblem, d: Accounts, which: int) -> _Side:
    idx = pb.side(which)
    return _Side(
        idx=idx,
        p=d.lever_pv[:, idx],
        k=d.lever_cost_pv[:, idx],
        lo=pb.lever_min[:, idx],
        hi=pb.lever_max[:, idx],
        binary=pb.lever_binary[idx],
        a=pb.lever_capacity[:, idx],
        w=d.trade_weight[:, idx],
        col=payer_index(pb)[idx],
    )


def closed_options(pb: RealignmentProblem) -> BoolArray:
    """(B, 2) whether P cannot take hedge / courter at all: the courter option when the problem
    has no courter, and any option a demand on P's regime closes (``regime_blocks``)."""
    no_courter = np.array([False, not pb.has_courter])
    closed: BoolArray = pb.regime_blocks | no_courter[None, :]
    return closed


def closed_on_paths(pb: RealignmentProblem, draw: IntArray, successor: BoolArray) -> BoolArray:
    """(m, 2) the options closed on simulated paths of the draws ``draw``: a successor
    government of P (``successor``, (m,)) lifts its regime's blocks, never a missing courter."""
    lifted = pb.regime_blocks[draw] & successor[:, None]
    closed: BoolArray = closed_options(pb)[draw] & ~lifted
    return closed


def open_values(U: FloatArray, closed: BoolArray) -> FloatArray:
    """(B, 3) option values with each closed option at ``-inf`` (stay is always open): no
    package can make P take it, and it is never P's alternative."""
    out: FloatArray = U.copy()
    out[:, 1:] = np.where(closed, -np.inf, U[:, 1:])
    return out


def _choose_method(pb: RealignmentProblem, method: str) -> str:
    if method not in ("auto", "fast", "highs"):
        raise ModelError(f"method must be 'auto', 'fast' or 'highs', got {method!r}")
    nb = (
        max(int(pb.lever_binary[pb.lever_side == s].sum()) for s in (COURTER, INCUMBENT))
        if len(pb.lever_names)
        else 0
    )
    fast_ok = nb <= MAX_BINARY_ENUM
    if method == "fast" and not fast_ok:
        raise ModelError(
            f"the fast path enumerates at most {MAX_BINARY_ENUM} on/off levers per side; "
            "use method='highs'"
        )
    if method == "auto":
        return "fast" if fast_ok else "highs"
    return method


def _no_budgets(B: int) -> FloatArray:
    return np.zeros((B, 0))


def _at_rows(s: _Side, src: IntArray | None) -> _Side:
    """The side with its per-draw arrays at the rows ``src`` (``None``: all, as they are)."""
    if src is None:
        return s
    return replace(s, **{f: take_rows(getattr(s, f), src) for f in _BATCH_FIELDS})


def _min_cost(
    method: str, s: _Side, sf: FloatArray, need: FloatArray, src: IntArray | None = None
) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray, int]:
    """Cheapest package worth ``need`` (``0`` if ``need < 0``); inf if out of reach.

    Row ``r`` of ``sf`` and ``need`` reads the side's levers at row ``src[r]`` (``None``: row
    ``r``); ``src`` names every row of the side at least once.

    Fast path: rows whose capacity levers share one trade weight by the knapsack relaxations
    of :func:`~.solvers.fast_min_cost` (each optimum certified by its dual bound), the other
    rows and any uncertified one by the exact dual simplex (:func:`budgeted_min_cost` without
    budgets);
    HiGHS only for ``method='highs'`` or a row the simplex leaves unfinished. Returns
    ``(cost, extents, feasible, max value, rows solved by HiGHS on the fast path)``.
    """
    B = need.shape[0]
    m = s.p.shape[1]
    if method == "highs":
        s = _at_rows(s, src)
        wmax = box_max_value(s.p, s.hi, s.a, s.w, sf)
        cost = np.full(B, np.inf)
        ext = np.zeros((B, m))
    else:
        # one pass: the reach, the shared weight and the knapsack rows (fast_min_cost),
        # reading the levers where they lie
        rows = np.arange(B) if src is None else src
        wmax, same, cost, ext, cert = screened_min_cost(
            s.p, s.k, s.lo, s.hi, s.binary, s.a, s.w, sf, need, rows
        )
    feasible = (need < 0) | (need < wmax)
    todo = feasible & (need >= 0)
    to_highs = todo
    if method != "highs":
        lp_rows = todo & ~(same & cert)
        to_highs = np.zeros(B, bool)
        if np.any(lp_rows):
            s = _at_rows(s, src)
            src = None
            c, e, solved = budgeted_min_cost(
                s.p, s.k, s.lo, s.hi, s.binary, s.a, s.w, sf, need,
                np.zeros(m, np.int64), _no_budgets(B), lp_rows,
            )  # fmt: skip
            cost = np.where(lp_rows, c, cost)
            ext = np.where(lp_rows[:, None], e, ext)
            to_highs = lp_rows & ~solved
    if np.any(to_highs):
        s = _at_rows(s, src)
        rhs = np.where(to_highs, need, np.nan)
        c, e = highs_solve(s.p, s.k, s.lo, s.hi, s.binary, s.a, s.w, sf, rhs, "min_cost")
        cost = np.where(to_highs, c, cost)
        ext = np.where(to_highs[:, None], e, ext)
    cost = np.where(need < 0, 0.0, np.where(feasible, cost, np.inf))
    ext = np.where((need < 0)[:, None] | ~feasible[:, None], 0.0, ext)
    return cost, ext, feasible, wmax, (0 if method == "highs" else int(to_highs.sum()))


def _by_payer(ext: FloatArray, k: FloatArray, col: IntArray, n: int) -> FloatArray:
    """(B, n) cost of packages ``ext`` (B, m) to each payer column ``col`` (m,)."""
    owner = (col[:, None] == np.arange(n)[None, :]).astype(float)  # (m, n)
    out: FloatArray = (ext * k) @ owner
    return out


def _patterns(
    lo: FloatArray, hi: FloatArray, binary: BoolArray
) -> Iterator[tuple[FloatArray, FloatArray]]:
    """Bounds for each on/off pattern of the on/off levers (as continuous levers, for LPs)."""
    for sub in binary_subsets(binary):
        yield subset_bounds(lo, hi, binary, sub)


def _max_bid(method: str, s: _Side, budgets: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Largest value of the incumbent side's levers with each payer within its budget."""
    if method == "fast" and s.single_payer:
        return fast_max_value(s.p, s.k, s.lo, s.hi, s.binary, budgets[:, 0])
    if method == "fast":
        return budgeted_max_value(s.p, s.k, s.lo, s.hi, s.binary, s.col, budgets)
    # the empty counter is always possible; HiGHS looks for a better one within the budgets,
    # one linear programme per on/off pattern
    B, m = s.p.shape
    n = budgets.shape[1]
    bud = np.maximum(budgets, 0.0)
    zero = np.zeros_like(s.p)
    cont = np.zeros(m, bool)
    best_v, best_e = np.zeros(B), np.zeros((B, m))
    for lo_s, hi_s in _patterns(s.lo, s.hi, s.binary):
        can = np.all(_by_payer(lo_s, s.k, s.col, n) <= bud, axis=1)
        rhs = np.where(can, bud.sum(axis=1), np.nan)
        v, e = highs_solve(
            s.p, s.k, lo_s, hi_s, cont, zero, zero, np.zeros(B), rhs, "max_value", s.col, bud
        )
        better = np.isfinite(v) & (v > best_v)
        best_v = np.where(better, v, best_v)
        best_e = np.where(better[:, None], e, best_e)
    return best_v, best_e


def _budgeted_min_cost(
    s: _Side, sf: FloatArray, need: FloatArray, budgets: FloatArray, rows: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """The HiGHS reference for :func:`budgeted_min_cost`: per on/off pattern, two linear
    programmes, so that one infeasible draw cannot stop the block: the most value the budgets
    can buy, then the cheapest package reaching ``need`` where that suffices; the cheapest
    pattern wins."""
    B, m = s.p.shape
    n = budgets.shape[1]
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    bud = np.maximum(budgets, 0.0)
    cont = np.zeros(m, bool)
    args = (s.a, s.w, sf)
    for lo_s, hi_s in _patterns(s.lo, s.hi, s.binary):
        can = rows & np.all(_by_payer(lo_s, s.k, s.col, n) <= bud, axis=1)
        if not np.any(can):
            continue
        rhs = np.where(can, bud.sum(axis=1), np.nan)
        v, _ = highs_solve(s.p, s.k, lo_s, hi_s, cont, *args, rhs, "max_value", s.col, bud)
        reach = can & np.isfinite(v) & (v >= need * (1 + 1e-9) + 1e-12)
        if np.any(reach):
            rhs = np.where(reach, need, np.nan)
            c, e = highs_solve(s.p, s.k, lo_s, hi_s, cont, *args, rhs, "min_cost", s.col, bud)
            better = reach & np.isfinite(c) & (c < cost)
            cost = np.where(better, c, cost)
            ext = np.where(better[:, None], e, ext)
    return cost, ext


def _within_budgets(
    method: str, s: _Side, sf: FloatArray, need: FloatArray, budgets: FloatArray, rows: BoolArray
) -> tuple[FloatArray, FloatArray, int]:
    """Cheapest package worth ``need`` with each payer within its budget, for ``rows``: the
    exact dual simplex (HiGHS for ``method='highs'`` and for rows it leaves unfinished).
    Returns ``(cost, extents, rows solved by HiGHS on the fast path)``."""
    if method == "highs":
        c, e = _budgeted_min_cost(s, sf, need, budgets, rows)
        return c, e, 0
    c, e, solved = budgeted_min_cost(
        s.p, s.k, s.lo, s.hi, s.binary, s.a, s.w, sf, need, s.col, budgets, rows
    )
    rest = rows & ~solved
    if np.any(rest):
        c2, e2 = _budgeted_min_cost(s, sf, need, budgets, rest)
        c = np.where(rest, c2, c)
        e = np.where(rest[:, None], e2, e)
    return c, e, int(rest.sum())


def _min_counter(method: str, s: _Side, budgets: FloatArray, need: FloatArray) -> FloatArray:
    """Cheapest counter worth ``need`` with each payer within its budget (rows ``need >= 0``)."""
    B = s.p.shape[0]
    plain = replace(s, a=np.zeros_like(s.p), w=np.zeros_like(s.p))
    if method == "fast" and s.single_payer:
        _, ext, _, _, _ = _min_cost(method, plain, np.zeros(B), need)
        return ext
    _, ext, _ = _within_budgets(method, plain, np.zeros(B), need, budgets, need >= 0)
    return ext


@dataclass(frozen=True)
class _Bids:
    """The incumbent's maximum retention bid against each target and what limits it."""

    bid: FloatArray  # (B, 2)
    limit: FloatArray  # (B, 2) value of all its levers at their maximum
    binds: IntArray  # (B, 2) 1 levers, 2 stake


def _incumbent_bids(method: str, s: _Side, d: Accounts) -> _Bids:
    """Step 2 of :func:`solve`: ``B_I(o) = max W_I(y)`` with each payer within its stake."""
    B = s.p.shape[0]
    if method == "fast" and s.single_payer:
        # _max_bid's fast path for both stakes at once (the levers ordered once per row)
        bid = fast_max_values(s.p, s.k, s.lo, s.hi, s.binary, d.payer_stake[:, 0, :])
    else:
        bid = np.stack([_max_bid(method, s, d.payer_stake[:, :, j])[0] for j in range(2)], axis=1)
    zero = np.zeros_like(s.p)
    lim = box_max_value(s.p, s.hi, zero, zero, np.zeros(B))
    limit = np.stack([lim, lim], axis=1)
    binds = np.where(bid < limit * (1 - 1e-9) - 1e-12, 2, 1)
    return _Bids(bid=bid, limit=limit, binds=binds)


@dataclass(frozen=True)
class _Prices:
    """Per target: what P needs from the courter's package and the cheapest such package."""

    need: FloatArray  # (B, 2)
    price: FloatArray  # (B, 2)
    feasible: BoolArray  # (B, 2)
    max_value: FloatArray  # (B, 2)
    packages: FloatArray  # (B, 2, Lc)
    n_highs: int


def need_and_reach(
    U: FloatArray, bid: FloatArray, closed: BoolArray
) -> tuple[FloatArray, FloatArray]:
    """Per target ``[hedge, courter]``: ``need_o = max(B_I(o), U_other) - U_o`` (B, 2), what P
    must get from the courter's package to choose ``o``, and the value a package must reach
    (``need``, or ``inf`` where ``o`` is closed). A closed option is never the other one."""
    # the other non-stay option of the hedge is the courter (2), and conversely
    other = open_values(U, closed)[:, [2, 1]]
    need: FloatArray = np.maximum(bid, other) - U[:, 1:]
    reach: FloatArray = np.where(closed, np.inf, need)
    return need, reach


def _prices(method: str, s: _Side, d: Accounts, bid: FloatArray, closed: BoolArray) -> _Prices:
    """Step 3 of :func:`solve`: ``need_o = max(B_I(o), U_other) - U_o`` and its price, both
    targets in one stacked batch (hedge rows first). A closed option is never the other one;
    as a target no package reaches it (price ``inf``; ``need`` is what P would need were it
    open)."""
    B = d.U.shape[0]
    need, reach = need_and_reach(d.U, bid, closed)
    # both targets in one batch of 2B rows, each reading its draw's levers where they lie
    both = np.concatenate([np.arange(B)] * 2)
    sf = d.shortfall.T.reshape(-1)
    price, pk, feas, wmax, nh = _min_cost(method, s, sf, reach.T.reshape(-1), both)
    by_target = lambda x: np.moveaxis(x.reshape(2, B, *x.shape[1:]), 0, 1)  # noqa: E731
    return _Prices(
        need=need,
        price=by_target(price),
        feasible=by_target(feas),
        max_value=by_target(wmax),
        packages=by_target(pk),
        n_highs=nh,
    )


@dataclass(frozen=True)
class _NoOffer:
    """What happens without an offer: P's best non-stay option, and the outcome after I's
    counter."""

    best: FloatArray  # (B,) value of P's best non-stay option
    option: IntArray  # (B,) that option (1 hedge, 2 courter)
    outcome: IntArray  # (B,)


def _no_offer(U: FloatArray, bid: FloatArray) -> _NoOffer:
    """P's choice without an offer (``U`` with closed options at ``-inf``)."""
    M0 = np.maximum(U[:, 1], U[:, 2])
    o0 = np.where(U[:, 1] >= U[:, 2], 1, 2)
    bid0 = np.where(o0 == 1, bid[:, 0], bid[:, 1])
    return _NoOffer(best=M0, option=o0, outcome=np.where((M0 <= 0) | (bid0 >= M0), 0, o0))


@dataclass(frozen=True)
class _Offers:
    """Per target: the cheapest package every courter-side payer accepts, and its cost."""

    packages: FloatArray  # (B, 2, Lc)
    cost: FloatArray  # (B, 2) inf where no acceptable package
    affordable: BoolArray  # (B, 2)
    by_payer: FloatArray  # (B, 2, Pc) cost of the cheapest package to each payer
    wtp: FloatArray  # (B, Pc, 2) each payer's willingness to pay
    n_highs: int


def _offers(
    method: str, s: _Side, d: Accounts, c_cols: list[int], pr: _Prices, out0: IntArray
) -> _Offers:
    """Step 4 of :func:`solve`: each courter-side payer pays at most its gain over no offer;
    where the cheapest package breaks that for some payer, the cheapest that does not."""
    B = s.p.shape[0]
    n = len(c_cols)
    wtp_c = d.payer_wtp[:, c_cols, :]  # (B, Pc, 2)
    wtp_full = np.concatenate([np.zeros((B, n, 1)), wtp_c], axis=2)  # (B, Pc, 3)
    base = np.take_along_axis(wtp_full, out0[:, None, None], axis=2)[:, :, 0]  # (B, Pc)
    by_payer = np.stack([_by_payer(pr.packages[:, j], s.k, s.col, n) for j in range(2)], 1)
    offer_pk = pr.packages.copy()
    offer_cost = np.where(pr.feasible, pr.price, np.inf)
    # a payer pays at most its gain over no offer; one that gains nothing pays nothing
    budget = np.maximum(wtp_c - base[:, :, None], 0.0)  # (B, Pc, 2)
    slack = budget + 1e-9 * (1 + np.abs(budget))
    ok = pr.feasible & np.all(np.moveaxis(by_payer, 1, 2) <= slack, axis=1)  # (B, 2)
    # a package within every payer's budget costs at most the budgets' sum: where even the
    # cheapest package costs more, no package is acceptable and nothing needs solving
    within = pr.price <= np.sum(budget, axis=1) * (1 + 1e-9) + 1e-12
    redo = pr.feasible & ~ok & within & (pr.need >= 0) & (n > 1)
    n_highs = 0
    if np.any(redo):
        c, e, n_highs = _redo_within_budgets(method, s, d, pr, budget, redo)
        got = redo & np.isfinite(c)
        offer_pk = np.where(got[:, :, None], e, offer_pk)
        offer_cost = np.where(redo, c, offer_cost)
        ok = ok | got
    afford = ok
    offer_cost = np.where(ok, offer_cost, np.inf)
    return _Offers(offer_pk, offer_cost, afford, by_payer, wtp_c, n_highs)


def _redo_within_budgets(
    method: str, s: _Side, d: Accounts, pr: _Prices, budget: FloatArray, redo: BoolArray
) -> tuple[FloatArray, FloatArray, int]:
    """:func:`_within_budgets` for the rows ``redo`` (B, 2) of both targets: on the fast path in
    one stacked batch of just those rows (each row's programme is solved on its own, so the
    result is the same as target by target); HiGHS target by target. Returns ``(cost (B, 2),
    extents (B, 2, Lc), rows solved by HiGHS on the fast path)``."""
    B, m = s.p.shape
    cost = np.full((B, 2), np.inf)
    ext = np.zeros((B, 2, m))
    if method == "highs":
        n_highs = 0
        for t in range(2):
            c, e, nh = _within_budgets(
                method, s, d.shortfall[:, t], pr.need[:, t], budget[:, :, t], redo[:, t]
            )
            cost[:, t], ext[:, t], n_highs = c, e, n_highs + nh
        return cost, ext, n_highs
    r, j = np.nonzero(redo)
    sub = replace(s, **{f: take_rows(getattr(s, f), r) for f in _BATCH_FIELDS})
    c, e, n_highs = _within_budgets(
        method, sub, d.shortfall[r, j], pr.need[r, j], budget[r, :, j], np.ones(r.size, bool)
    )
    cost[r, j], ext[r, j] = c, e
    return cost, ext, n_highs


def _courter_choice(of: _Offers, no: _NoOffer) -> tuple[FloatArray, IntArray, IntArray]:
    """Step 5 of :func:`solve`: C's side's payoff of no offer and of each affordable target;
    the best wins (ties: no offer, then hedge). Returns ``(payoffs (B, 3), target, outcome)``."""
    B = of.cost.shape[0]
    wtp_tot = of.wtp.sum(axis=1)  # (B, 2)
    wtp_tot_full = np.concatenate([np.zeros((B, 1)), wtp_tot], axis=1)
    pay = np.stack(
        [
            np.take_along_axis(wtp_tot_full, no.outcome[:, None], axis=1)[:, 0],
            np.where(of.affordable[:, 0], wtp_tot[:, 0] - of.cost[:, 0], -np.inf),
            np.where(of.affordable[:, 1], wtp_tot[:, 1] - of.cost[:, 1], -np.inf),
        ],
        axis=1,
    )
    target = np.argmax(pay, axis=1)
    return pay, target, np.where(target == 0, no.outcome, target)


def _equilibrium_counter(
    method: str, s: _Side, d: Accounts, target: IntArray, no: _NoOffer
) -> FloatArray:
    """I's counter on the equilibrium path: only when it keeps P against no offer."""
    retains = (target == 0) & (no.outcome == 0) & (no.best > 0)
    need_i = np.where(retains, no.best, -1.0)
    stake0 = np.where(no.option[:, None] == 1, d.payer_stake[:, :, 0], d.payer_stake[:, :, 1])
    cext = _min_counter(method, s, stake0, need_i)
    return np.where(retains[:, None], cext, 0.0)


def _package_values(
    pb: RealignmentProblem, d: Accounts, s: _Side, pk: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Each target's cheapest package: trade value, value to P and face value."""
    sf = d.shortfall
    ptrade = np.stack(
        [np.sum(s.w * trade_fill(pk[:, j], s.a, s.w, sf[:, j]), axis=1) for j in range(2)],
        axis=1,
    )
    pval = np.einsum("bjl,bl->bj", pk, s.p) + ptrade
    face_p = d.lever_face[:, s.idx]
    face_w = pb.gains_share[:, None] * d.retaliation_pv[:, None] * np.ones_like(s.w)
    pface = np.stack(
        [package_value_arrays(pk[:, j], face_p, s.a, face_w, sf[:, j]) for j in range(2)],
        axis=1,
    )
    return ptrade, pval, pface


def _courter_payers(pb: RealignmentProblem) -> list[int]:
    """Payer columns of the courter's side: the courter, then its allies with a valuation."""
    npay = 1 + len(pb.payer_names)
    return [0] + [1 + j for j in range(npay - 1) if pb.payer_side[j] == COURTER]


def need_and_price(
    problem: RealignmentProblem, method: str = "auto"
) -> tuple[FloatArray, FloatArray]:
    """Steps 1 to 3 of :func:`solve` only: per draw and target ``[hedge, courter]``, the value
    P needs from the courter's package and its price (``inf`` beyond the levers' reach), the
    same numbers as ``solve(problem).need`` and ``.price`` (what the causal decomposition
    reads), without the payers' participation, the counter or the accounting identity."""
    m = _choose_method(problem, method)
    d = accounts(problem)
    bids = _incumbent_bids(m, _side(problem, d, INCUMBENT), d)
    pr = _prices(m, _courter_side(problem, d), d, bids.bid, closed_options(problem))
    return pr.need, pr.price


def _courter_side(pb: RealignmentProblem, d: Accounts) -> _Side:
    """The courter's side, each lever's payer as a column of :func:`_courter_payers`."""
    cpos = {c: i for i, c in enumerate(_courter_payers(pb))}
    cs = _side(pb, d, COURTER)
    return replace(cs, col=np.array([cpos[c] for c in cs.col], np.int64).reshape(-1))


def solve(problem: RealignmentProblem, method: str = "auto") -> RealignmentSolution:
    """Solve the bidding game for every draw by backward induction.

    Steps
    -----
    1. Value the options and levers (:func:`~realpolitik.models.realignment.accounting.accounts`).
    2. Incumbent (last bidder): against P leaving for ``o``, its maximum retention bid
       ``B_I(o) = max W_I(y)`` s.t. each incumbent-side payer's cost of ``y`` is at most its
       stake in ``o`` (I's stake includes the trade it gives up by retaliating). What limits it
       is its stake or its levers (``incumbent_binds``).
    3. Courter: for target ``o``, P must get ``need_o = max(B_I(o), U_other) - U_o`` from the
       package; the price is the cheapest package worth ``need_o``, infinite beyond the levers'
       reach (fast path: on/off patterns enumerated, then a fractional knapsack or an exact
       Lagrangian LP, each optimum certified by its dual bound, the exact dual simplex for the
       rest).
    4. Payers: each courter-side payer accepts a package only if its cost to it is at most what
       P's move to ``o`` is worth to it beyond what it gets with no offer. If the cheapest
       package breaks that for some payer, the cheapest one that does not is found exactly (a
       small linear programme per draw and on/off pattern, by the vectorised dual simplex); if
       none exists the courter's side cannot afford ``o`` (``courter_binds`` = stake; = levers
       when no package within the bounds suffices).
    5. C's side compares no offer (the outcome then follows from U and I's counter) with each
       affordable target's total willingness to pay minus the package's cost, and takes the best
       (ties: no offer, then hedge).
    6. The accounting identity: each target's package value split into the terms of ``need_o``
       plus the credibility discount and any excess; rescaled by price / face value for the
       view in C's cost. (The causal view is :func:`~realpolitik.models.realignment.shapley.
       shapley_decomposition`.)

    Ties: P keeps the status quo when indifferent and otherwise prefers hedging to aligning;
    prices are infima (the limit of offers leaving P marginally better off).

    Closed options (:func:`closed_options`: the courter's when there is none, any a demand on
    P's regime closes) are never P's alternative or choice; no package buys one (price ``inf``,
    ``courter_binds`` 3).

    Parameters
    ----------
    problem : RealignmentProblem
    method : 'auto' or 'fast' (the exact vectorised path; HiGHS only for a draw the dual
        simplex leaves unfinished, never seen in practice) or 'highs' (the reference for
        everything).
    """
    pb = problem
    m = _choose_method(pb, method)
    d = accounts(pb)
    eq = _equilibrium(pb, d, m)
    return _collect(pb, d, eq.cs, eq.inc, eq.bids, eq.prices, eq.offers, eq.choice, m)


@dataclass(frozen=True)
class _Equilibrium:
    """Steps 2 to 5 of :func:`solve` and the equilibrium counter, before the solution is
    collected: the sides, the incumbent's bids, the prices, the offers and ``choice`` =
    ``(courter payoffs (B, 3), offer target, outcome, package, counter)``."""

    cs: _Side
    inc: _Side
    bids: _Bids
    prices: _Prices
    offers: _Offers
    choice: tuple[FloatArray, IntArray, IntArray, FloatArray, FloatArray]


def _equilibrium(pb: RealignmentProblem, d: Accounts, m: str) -> _Equilibrium:
    """Steps 2 to 5 of :func:`solve` on the accounts ``d`` of ``pb`` with the method ``m``."""
    c_cols = _courter_payers(pb)
    cs = _courter_side(pb, d)
    inc = _side(pb, d, INCUMBENT)
    bids = _incumbent_bids(m, inc, d)
    closed = closed_options(pb)
    pr = _prices(m, cs, d, bids.bid, closed)
    no = _no_offer(open_values(d.U, closed), bids.bid)
    of = _offers(m, cs, d, c_cols, pr, no.outcome)
    pay, target, outcome = _courter_choice(of, no)
    package = np.zeros_like(cs.p)
    for j in range(2):
        package = np.where((target == 1 + j)[:, None], of.packages[:, j], package)
    counter = _equilibrium_counter(m, inc, d, target, no)
    return _Equilibrium(cs, inc, bids, pr, of, (pay, target, outcome, package, counter))


def equilibrium_bids(
    problem: RealignmentProblem, d: Accounts
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """What the equilibrium puts in force, without the rest of :func:`solve` (no values of the
    packages, no accounting identity, no per-payer prices): ``(outcome, offer_target,
    package (B, Lc), counter (B, Li))``, each the same array as in ``solve(problem)``.

    ``d`` must be ``accounts(problem)`` (or equal to it bit for bit). For the simulation's
    re-bids, which read nothing else."""
    eq = _equilibrium(problem, d, _choose_method(problem, "auto"))
    _, target, outcome, package, counter = eq.choice
    return outcome, target, package, counter


def _collect(
    pb: RealignmentProblem,
    d: Accounts,
    cs: _Side,
    inc: _Side,
    bids: _Bids,
    pr: _Prices,
    of: _Offers,
    choice: tuple[FloatArray, IntArray, IntArray, FloatArray, FloatArray],
    m: str,
) -> RealignmentSolution:
    """Step 6 of :func:`solve` and the solution: the packages' values, the accounting
    identity, and every per-draw array under its name."""
    pay, target, outcome, package, counter = choice
    c_cols = _courter_payers(pb)
    ptrade, pval, pface = _package_values(pb, d, cs, pr.packages)
    U_open = open_values(d.U, closed_options(pb))
    causes, dval, dcost = _decompose(pb, d, U_open, bids.bid, pr, pval, pface)
    n_highs = pr.n_highs + of.n_highs
    return RealignmentSolution(
        outcome=outcome,
        offer_target=target,
        option_values=d.U,
        price=pr.price,
        price_value=pval,
        price_face=pface,
        price_trade_value=ptrade,
        need=pr.need,
        feasible=pr.feasible,
        affordable=of.affordable,
        max_offer_value=pr.max_value,
        willingness_to_pay=of.wtp.sum(axis=1),
        incumbent_max_bid=bids.bid,
        incumbent_loss=d.loss,
        incumbent_lever_limit=bids.limit,
        incumbent_binds=bids.binds,
        courter_binds=np.where(
            closed_options(pb), 3, np.where(~pr.feasible, 1, np.where(~of.affordable, 2, 0))
        ),
        retaliation_cost=d.retaliation_cost,
        payers=("courter", *(pb.payer_names[c - 1] for c in c_cols[1:])),
        payer_wtp=of.wtp,
        price_by_payer=np.where(pr.feasible[:, :, None], of.by_payer, np.nan),
        packages=pr.packages,
        offer_packages=of.packages,
        offer_cost=of.cost,
        package=package,
        counter=counter,
        courter_payoff=pay[np.arange(pb.batch), target],
        causes=causes,
        decomposition_value=dval,
        decomposition=dcost,
        courter_levers=tuple(pb.lever_names[i] for i in cs.idx),
        incumbent_levers=tuple(pb.lever_names[i] for i in inc.idx),
        method="fast+highs" if (m == "fast" and n_highs) else m,
        derived=d,
    )


def _decompose(
    pb: RealignmentProblem,
    d: Accounts,
    U_open: FloatArray,
    bid: FloatArray,
    pr: _Prices,
    pval: FloatArray,
    pface: FloatArray,
) -> tuple[tuple[str, ...], FloatArray, FloatArray]:
    """The accounting identity: each target's package value split into terms (exactly additive).

    ``need_o = max(B_I(o), U_other) - U_o`` and ``-U_o`` is a sum of named PV parts, so
    ``face = sum(parts) + barrier + (face - value) + (value - need)``: the terms are the parts of
    ``-U_o`` (retaliation, replacement, switching cost, each component), the barrier
    (incumbent counter or outside option, whichever binds), the credibility discount and any
    excess. In C's cost each term is scaled by ``price / face``. A closed option (``U_open``
    at ``-inf``) is never the barrier.
    """
    names = [
        "retaliation",
        "replacement",
        "switching_cost",
        *pb.component_names,
        "incumbent_counter",
        "outside_option",
        "credibility",
        "excess",
    ]
    B = pb.batch
    U, need, price, feas = d.U, pr.need, pr.price, pr.feasible
    out = np.zeros((B, 2, len(names)))
    for j in range(2):
        other = 2 - j
        terms = [d.parts[n][:, j] for n in ("retaliation", "replacement", "switching_cost")]
        terms += [d.parts[n][:, j] for n in pb.component_names]
        inc_binds = bid[:, j] >= U_open[:, other]
        terms.append(np.where(inc_binds, bid[:, j], 0.0))
        terms.append(np.where(inc_binds, 0.0, U[:, other]))
        ok = feas[:, j]
        terms.append(np.where(ok, pface[:, j] - pval[:, j], 0.0))
        terms.append(np.where(ok, pval[:, j] - need[:, j], 0.0))
        out[:, j, :] = np.stack(terms, axis=1)
    total = out.sum(axis=2)
    scale = np.where(feas & (total > 0), price / np.where(total > 0, total, 1.0), 0.0)
    return tuple(names), out, out * scale[:, :, None]


def package_value(problem: RealignmentProblem, package: ArrayLike, target: int) -> FloatArray:
    """Value to P (survival-discounted PV) of a courter package ``(B, Lc)`` for a target option
    (1 hedge, 2 courter)."""
    if target not in (1, 2):
        raise ModelError("target must be 1 (hedge) or 2 (courter)")
    d = accounts(problem)
    ci = problem.side(COURTER)
    x = np.broadcast_to(np.asarray(package, dtype=float), (problem.batch, ci.size))
    return package_value_arrays(
        x,
        d.lever_pv[:, ci],
        problem.lever_capacity[:, ci],
        d.trade_weight[:, ci],
        d.shortfall[:, target - 1],
    )


def incumbent_best_counter(
    problem: RealignmentProblem, package: ArrayLike, target: int, method: str = "auto"
) -> tuple[FloatArray, BoolArray, IntArray]:
    """The incumbent's best reply to a courter offer ``package`` (B, Lc) conditional on ``target``.

    Returns ``(counter (B, Li), retains (B,), choice (B,))``: the cheapest counter that keeps P,
    whether I makes it (each payer's cost at most its stake in P's alternative), and P's choice.
    """
    pb = problem
    m = _choose_method(pb, method)
    d = accounts(pb)
    w = package_value(pb, package, target)
    vals = open_values(d.U, closed_options(pb))[:, 1:]
    vals[:, target - 1] += w
    M = vals.max(axis=1)
    alt = np.where(vals[:, 0] >= vals[:, 1], 1, 2)
    inc = _side(pb, d, INCUMBENT)
    budgets = np.where(alt[:, None] == 1, d.payer_stake[:, :, 0], d.payer_stake[:, :, 1])
    bid, _ = _max_bid(m, inc, budgets)
    retains = bid >= M
    need_i = np.where(retains & (M > 0), M, -1.0)
    ext = _min_counter(m, inc, budgets, need_i)
    return ext, retains, np.where(retains, 0, alt)
