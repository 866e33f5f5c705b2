"""The bidding game, solved by backward induction for every draw of a batch.

C (with its allies) offers a package conditional on a target option; I (with its allies) sees it
and may counter, conditional on P staying; P takes the best option. Values and costs come from
:mod:`realpolitik.models.realignment.accounting` (one rule for both sides); packages from
:mod:`realpolitik.models.realignment.solvers`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.realignment.accounting import Accounts, accounts, payer_index
from realpolitik.models.realignment.problem import (
    COURTER,
    INCUMBENT,
    MAX_BINARY_ENUM,
    RealignmentProblem,
)
from realpolitik.models.realignment.solvers import (
    box_max_value,
    common_weight,
    fast_max_value,
    fast_min_cost,
    highs_solve,
    package_value_arrays,
    trade_fill,
)

__all__ = [
    "BINDS",
    "RealignmentSolution",
    "solve",
    "package_value",
    "incumbent_best_counter",
]

#: Which bound stops a side (values of ``courter_binds`` / ``incumbent_binds``).
BINDS = ("none", "levers", "stake")


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
    courter_binds: np.ndarray  # (B, 2) 0 none, 1 levers, 2 stake: what stops C's offer
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
        return self.willingness_to_pay - self.price


def _side_arrays(pb: RealignmentProblem, d: Accounts, which: int):
    idx = pb.side(which)
    return (
        idx,
        d.lever_pv[:, idx],
        d.lever_cost_pv[:, idx],
        pb.lever_min[:, idx],
        pb.lever_max[:, idx],
        pb.lever_binary[idx],
        pb.lever_capacity[:, idx],
        d.trade_weight[:, idx],
    )


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


def _min_cost(method, p, k, lo, hi, binary, a, w, sf, need):
    """Cheapest package worth ``need`` (``0`` if ``need < 0``); inf if out of reach.

    Fast path: rows whose capacity levers share one trade weight, solved exactly (and certified
    by the dual bound); other rows, and any row whose certificate fails, go to HiGHS. Returns
    ``(cost, extents, feasible, max value, rows solved by HiGHS on the fast path)``.
    """
    wmax = box_max_value(p, hi, a, w, sf)
    feasible = (need < 0) | (need < wmax)
    todo = feasible & (need >= 0)
    B, m = p.shape
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    if method == "highs":
        to_highs = todo
    else:
        _, same = common_weight(a, w)
        to_highs = todo & ~same
        ix = np.flatnonzero(todo & same)
        if ix.size:
            c, e, cert = fast_min_cost(
                p[ix], k[ix], lo[ix], hi[ix], binary, a[ix], w[ix], sf[ix], need[ix]
            )
            cost[ix], ext[ix] = c, e
            to_highs[ix[~cert]] = True
    if np.any(to_highs):
        rhs = np.where(to_highs, need, np.nan)
        c, e = highs_solve(p, k, lo, hi, binary, a, w, sf, rhs, "min_cost")
        cost = np.where(to_highs, c, cost)
        ext = np.where(to_highs[:, None], e, ext)
    cost = np.where(need < 0, 0.0, np.where(feasible, cost, np.inf))
    ext = np.where((need < 0)[:, None] | ~feasible[:, None], 0.0, ext)
    return cost, ext, feasible, wmax, (0 if method == "highs" else int(to_highs.sum()))


def _by_payer(ext, k, col, n):
    """(B, n) cost of packages ``ext`` (B, m) to each payer column ``col`` (m,)."""
    out = np.zeros((ext.shape[0], n))
    for j in range(ext.shape[1]):
        out[:, col[j]] += ext[:, j] * k[:, j]
    return out


def _patterns(lo, hi, binary):
    """Bounds for each on/off pattern of the on/off levers (as continuous levers, for LPs)."""
    from realpolitik.models.realignment.solvers import _binary_subsets, _subset_bounds

    for sub in _binary_subsets(binary):
        yield _subset_bounds(lo, hi, binary, sub)


def _max_bid(method, p, k, lo, hi, binary, col, budgets):
    """Largest value of the incumbent side's levers with each payer within its budget."""
    B, m = p.shape
    n = budgets.shape[1]
    used = np.unique(col) if m else np.zeros(0, int)
    if method == "fast" and (m == 0 or np.all(used == 0)):
        return fast_max_value(p, k, lo, hi, binary, budgets[:, 0])
    # the empty counter is always possible; HiGHS looks for a better one within the budgets,
    # one linear programme per on/off pattern
    bud = np.maximum(budgets, 0.0)
    zero = np.zeros_like(p)
    cont = np.zeros(m, bool)
    best_v, best_e = np.zeros(B), np.zeros((B, m))
    for lo_s, hi_s in _patterns(lo, hi, binary):
        can = np.all(_by_payer(lo_s, k, col, n) <= bud, axis=1)
        rhs = np.where(can, bud.sum(axis=1), np.nan)
        v, e = highs_solve(
            p, k, lo_s, hi_s, cont, zero, zero, np.zeros(B), rhs, "max_value", col, bud
        )
        better = np.isfinite(v) & (v > best_v)
        best_v = np.where(better, v, best_v)
        best_e = np.where(better[:, None], e, best_e)
    return best_v, best_e


def _budgeted_min_cost(p, k, lo, hi, binary, a, w, sf, need, col, budgets, rows):
    """Cheapest package worth ``need`` with each payer's cost within its budget, for ``rows``
    (others: inf). Per on/off pattern, two linear programmes (HiGHS), so that one infeasible draw
    cannot stop the block: the most value the budgets can buy, then the cheapest package
    reaching ``need`` where that suffices; the cheapest pattern wins."""
    B, m = p.shape
    n = budgets.shape[1]
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    bud = np.maximum(budgets, 0.0)
    cont = np.zeros(m, bool)
    for lo_s, hi_s in _patterns(lo, hi, binary):
        can = rows & np.all(_by_payer(lo_s, k, col, n) <= bud, axis=1)
        if not np.any(can):
            continue
        rhs = np.where(can, bud.sum(axis=1), np.nan)
        v, _ = highs_solve(p, k, lo_s, hi_s, cont, a, w, sf, rhs, "max_value", col, bud)
        reach = can & np.isfinite(v) & (v >= need * (1 + 1e-9) + 1e-12)
        if np.any(reach):
            c, e = highs_solve(
                p,
                k,
                lo_s,
                hi_s,
                cont,
                a,
                w,
                sf,
                np.where(reach, need, np.nan),
                "min_cost",
                col,
                bud,
            )
            better = reach & np.isfinite(c) & (c < cost)
            cost = np.where(better, c, cost)
            ext = np.where(better[:, None], e, ext)
    return cost, ext


def _lagrangian_budget(p, k, lo, hi, binary, a, w, sf, need, col, budgets, rows, m_over, exact):
    """Cheapest package worth ``need`` when one payer ``m_over`` (per row) is over its budget
    at the unconstrained optimum: Lagrangian relaxation of that payer's budget row.

    For a multiplier ``lam`` the payer's levers cost ``(1 + lam) k``; the cheapest package of
    that relaxed problem (the exact fast path) spends less of the payer's money as ``lam``
    grows. Kelley's cutting planes find the ``lam`` where the payer's cost crosses its budget; the two
    solutions just below and above it are both optimal for the relaxation, and their convex
    combination that spends exactly the budget is optimal for the constrained linear programme
    (strong duality). The multiplier is found by Kelley's cutting planes on the dual. Rows are certified only where both solutions use the same on/off pattern,
    every other payer stays within budget and the combination reaches ``need``; the rest return
    ``cert = False`` (for HiGHS). Where ``exact`` is False only affordability is needed: a row
    whose least-spending package keeps every payer within budget is settled with that package
    (acceptable, not necessarily the cheapest). Returns ``(cost, extents, cert)``.
    """
    B, m = p.shape
    n = budgets.shape[1]
    ix = np.flatnonzero(rows)
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    cert = np.zeros(B, bool)
    if ix.size == 0:
        return cost, ext, cert
    pr, kr, lor, hir, ar, wr = p[ix], k[ix], lo[ix], hi[ix], a[ix], w[ix]
    sfr, needr, budr = sf[ix], need[ix], budgets[ix]
    mo = m_over[ix]
    mine = col[None, :] == mo[:, None]  # (n, m) levers of the over-budget payer
    b_m = budr[np.arange(ix.size), mo]

    def at(lam):
        kk = kr * np.where(mine, 1.0 + lam[:, None], 1.0)
        c, e, ok = fast_min_cost(pr, kk, lor, hir, binary, ar, wr, sfr, needr)
        spent = np.sum(np.where(mine, kr * e, 0.0), axis=1)
        return e, spent, ok & np.isfinite(c)

    # a multiplier so large that the relaxation spends as little of the payer's money as any
    # package worth ``need`` can: if that is still over budget, no package is acceptable
    big = np.full(ix.size, 1e9)
    e_big, least, ok_big = at(big)
    hopeless = ok_big & (least > b_m * (1 + 1e-9) + 1e-9)
    within_big = ok_big & np.all(
        _by_payer(e_big, kr, col, n) <= budr + 1e-9 * (1 + np.abs(budr)), axis=1
    )
    # where only affordability matters, the big multiplier's package settles it
    settled = ~hopeless & within_big & ~exact[ix]
    ok = np.zeros(ix.size, bool)
    e = np.zeros_like(pr)
    ok[settled] = True
    e[settled] = e_big[settled]
    act = np.flatnonzero(~hopeless & ~settled)
    if act.size:
        sub = (pr[act], kr[act], lor[act], hir[act], ar[act], wr[act], sfr[act], needr[act])
        mine_a, b_a = mine[act], b_m[act]

        def at_a(lam, rows=None):
            rows = np.arange(act.size) if rows is None else rows
            p_, k_, lo_, hi_, a_, w_, sf_, nd_ = (x[rows] for x in sub)
            mine_r = mine_a[rows]
            kk = k_ * np.where(mine_r, 1.0 + lam[:, None], 1.0)
            c, e_, ok_ = fast_min_cost(p_, kk, lo_, hi_, binary, a_, w_, sf_, nd_)
            spent = np.sum(np.where(mine_r, k_ * e_, 0.0), axis=1)
            return e_, spent, ok_ & np.isfinite(c)

        # Kelley's cutting planes on the concave, piecewise linear dual L(lam) = C + lam (s - b):
        # the tangents at a multiplier where the payer overspends (lo) and one where it does not
        # (hi) meet at lam = (C_hi - C_lo) / (s_lo - s_hi); if L there equals the tangents'
        # value, both solutions are optimal at that lam and their mix is the answer; otherwise
        # the new solution replaces lo or hi. Finitely many pieces: a few steps in practice.
        e_lo, s_lo, ok_lo = at_a(np.zeros(act.size))
        e_hi, s_hi, ok_hi = e_big[act], least[act], ok_big[act]
        c_lo = np.sum(sub[1] * e_lo, axis=1)
        c_hi = np.sum(sub[1] * e_hi, axis=1)
        run = s_lo > s_hi
        for _ in range(60):
            if not np.any(run):
                break
            r = np.flatnonzero(run)
            lam = (c_hi[r] - c_lo[r]) / (s_lo[r] - s_hi[r])
            e_r, s_r, ok_r = at_a(lam, r)
            c_r = np.sum(sub[1][r] * e_r, axis=1)
            dual = c_r + lam * (s_r - b_a[r])
            tangent = c_lo[r] + lam * (s_lo[r] - b_a[r])
            done = dual >= tangent - 1e-10 * (1 + np.abs(tangent))
            over = ~done & (s_r > b_a[r])
            under = ~done & ~over
            for mask, (e_, s_, c_, k_) in (
                (over, (e_lo, s_lo, c_lo, ok_lo)),
                (under, (e_hi, s_hi, c_hi, ok_hi)),
            ):
                rr = r[mask]
                e_[rr], s_[rr], c_[rr], k_[rr] = e_r[mask], s_r[mask], c_r[mask], ok_r[mask]
            run[r[done]] = False
        ok_lo &= ~run
        gap = s_lo > s_hi
        theta = np.clip(np.where(gap, (b_a - s_hi) / np.where(gap, s_lo - s_hi, 1.0), 0.0), 0, 1)
        e_a = theta[:, None] * e_lo + (1 - theta[:, None]) * e_hi
        same_pattern = np.all((e_lo[:, binary] > 0) == (e_hi[:, binary] > 0), axis=1)
        val = package_value_arrays(e_a, sub[0], sub[4], sub[5], sub[6])
        by = _by_payer(e_a, sub[1], col, n)
        bud_a = budr[act]
        ok[act] = (
            ok_lo
            & ok_hi
            & same_pattern
            & (val >= sub[7] - 1e-9 * (1 + np.abs(sub[7])))
            & np.all(by <= bud_a + 1e-9 * (1 + np.abs(bud_a)), axis=1)
        )
        e[act] = e_a
    cost[ix] = np.where(ok, np.sum(kr * e, axis=1), np.inf)
    ext[ix] = np.where(ok[:, None], e, 0.0)
    cert[ix] = ok | hopeless
    return cost, ext, cert


def _min_counter(method, p, k, lo, hi, binary, col, budgets, need):
    """Cheapest counter worth ``need`` with each payer within its budget (rows ``need >= 0``)."""
    B, m = p.shape
    zero = np.zeros_like(p)
    used = np.unique(col) if m else np.zeros(0, int)
    if method == "fast" and (m == 0 or np.all(used == 0)):
        _, ext, _, _, _ = _min_cost(method, p, k, lo, hi, binary, zero, zero, np.zeros(B), need)
        return ext
    _, ext = _budgeted_min_cost(
        p, k, lo, hi, binary, zero, zero, np.zeros(B), need, col, budgets, need >= 0
    )
    return ext


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
       Lagrangian LP, each optimum certified by its dual bound; HiGHS for the rest).
    4. Payers: each courter-side payer accepts a package only if its cost to it is at most what
       P's move to ``o`` is worth to it beyond what it gets with no offer. If the cheapest
       package breaks that for some payer, HiGHS looks for the cheapest one that does not; if
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

    Parameters
    ----------
    problem : RealignmentProblem
    method : 'auto' (fast path, HiGHS for the draws it does not cover), 'fast' (refuses draws
        the fast path does not cover) or 'highs' (the reference for everything).
    """
    pb = problem
    m = _choose_method(pb, method)
    d = accounts(pb)
    B = pb.batch
    ci, cp, ck, clo, chi, cbin, ca, cw = _side_arrays(pb, d, COURTER)
    ii, ip, ik, ilo, ihi, ibin, _, _ = _side_arrays(pb, d, INCUMBENT)
    if method == "fast" and not np.all(common_weight(ca, cw)[1]):
        raise ModelError(
            "the fast path needs the capacity levers of a draw to be equally durable (the same "
            "commitment); use method='auto' (HiGHS for those draws) or 'highs'"
        )
    col = payer_index(pb)
    npay = 1 + len(pb.payer_names)
    c_cols = [0] + [1 + j for j in range(npay - 1) if pb.payer_side[j] == COURTER]
    i_col, c_col = col[ii], col[ci]
    U = d.U
    n_highs = 0
    bid = np.zeros((B, 2))
    limit = np.zeros((B, 2))
    for j in range(2):
        bid[:, j], _ = _max_bid(m, ip, ik, ilo, ihi, ibin, i_col, d.payer_stake[:, :, j])
        limit[:, j] = box_max_value(ip, ihi, np.zeros_like(ip), np.zeros_like(ip), np.zeros(B))
    inc_binds = np.where(bid < limit * (1 - 1e-9) - 1e-12, 2, 1)
    need = np.zeros((B, 2))
    price = np.zeros((B, 2))
    feas = np.zeros((B, 2), bool)
    wmax = np.zeros((B, 2))
    pk = np.zeros((B, 2, ci.size))
    for j in range(2):
        other = 2 - j  # option index of the other non-stay option (1 + (1 - j))
        need[:, j] = np.maximum(bid[:, j], U[:, other]) - U[:, 1 + j]
        price[:, j], pk[:, j], feas[:, j], wmax[:, j], nh = _min_cost(
            m, cp, ck, clo, chi, cbin, ca, cw, d.shortfall[:, j], need[:, j]
        )
        n_highs += nh
    # no offer: P's best non-stay option and I's counter
    M0 = np.maximum(U[:, 1], U[:, 2])
    o0 = np.where(U[:, 1] >= U[:, 2], 1, 2)
    bid0 = np.where(o0 == 1, bid[:, 0], bid[:, 1])
    out0 = np.where((M0 <= 0) | (bid0 >= M0), 0, o0)
    # each courter-side payer's gain from each target over no offer: its budget
    wtp_c = d.payer_wtp[:, c_cols, :]  # (B, Pc, 2)
    wtp_full = np.concatenate([np.zeros((B, len(c_cols), 1)), wtp_c], axis=2)  # (B, Pc, 3)
    base = np.take_along_axis(wtp_full, out0[:, None, None], axis=2)[:, :, 0]  # (B, Pc)
    cpos = {c: i for i, c in enumerate(c_cols)}
    c_col_local = np.array([cpos[c] for c in c_col], int) if ci.size else np.zeros(0, int)
    by_payer = np.stack([_by_payer(pk[:, j], ck, c_col_local, len(c_cols)) for j in range(2)], 1)
    offer_pk = pk.copy()
    offer_cost = np.where(feas, price, np.inf)
    afford = np.zeros((B, 2), bool)
    for j in range(2):
        # a payer pays at most its gain over no offer; one that gains nothing pays nothing
        budget = np.maximum(wtp_c[:, :, j] - base, 0.0)  # (B, Pc)
        ok = feas[:, j] & np.all(by_payer[:, j] <= budget + 1e-9 * (1 + np.abs(budget)), axis=1)
        # a package within every payer's budget costs at most the budgets' sum: where even the
        # cheapest package costs more, no package is acceptable and nothing needs solving
        total_budget = np.sum(np.maximum(budget, 0.0), axis=1)
        within = price[:, j] <= total_budget * (1 + 1e-9) + 1e-12
        redo = feas[:, j] & ~ok & within & (need[:, j] >= 0) & (len(c_cols) > 1)
        if np.any(redo):
            over = by_payer[:, j] > budget + 1e-9 * (1 + np.abs(budget))
            one = redo & (over.sum(axis=1) == 1)
            c = np.full(B, np.inf)
            e = np.zeros((B, ci.size))
            cert = np.zeros(B, bool)
            if np.any(one) and m == "fast" and np.all(common_weight(ca, cw)[1][one]):
                # the cheapest acceptable package matters only where the target could beat
                # no offer at all (its payoff with the cheapest package is an upper bound)
                exact = wtp_c[:, :, j].sum(axis=1) - price[:, j] > base.sum(axis=1)
                c, e, cert = _lagrangian_budget(
                    cp,
                    ck,
                    clo,
                    chi,
                    cbin,
                    ca,
                    cw,
                    d.shortfall[:, j],
                    need[:, j],
                    c_col_local,
                    budget,
                    one,
                    np.argmax(over, axis=1),
                    exact,
                )
            rest = redo & ~cert
            if np.any(rest):
                c2, e2 = _budgeted_min_cost(
                    cp,
                    ck,
                    clo,
                    chi,
                    cbin,
                    ca,
                    cw,
                    d.shortfall[:, j],
                    need[:, j],
                    c_col_local,
                    budget,
                    rest,
                )
                c = np.where(rest, c2, c)
                e = np.where(rest[:, None], e2, e)
                n_highs += int(rest.sum())
            got = redo & np.isfinite(c)
            offer_pk[:, j] = np.where(got[:, None], e, offer_pk[:, j])
            offer_cost[:, j] = np.where(redo, c, offer_cost[:, j])
            ok = ok | got
        afford[:, j] = ok
        offer_cost[:, j] = np.where(ok, offer_cost[:, j], np.inf)
    courter_binds = np.where(~feas, 1, np.where(~afford, 2, 0))
    ptrade = np.stack(
        [np.sum(cw * trade_fill(pk[:, j], ca, cw, d.shortfall[:, j]), axis=1) for j in range(2)],
        axis=1,
    )
    pval = np.einsum("bjl,bl->bj", pk, cp) + ptrade
    face_p = d.lever_face[:, ci]
    face_w = pb.gains_share[:, None] * d.retaliation_pv[:, None] * np.ones_like(cw)
    pface = np.stack(
        [package_value_arrays(pk[:, j], face_p, ca, face_w, d.shortfall[:, j]) for j in range(2)],
        axis=1,
    )
    wtp_tot = wtp_c.sum(axis=1)  # (B, 2)
    wtp_tot_full = np.concatenate([np.zeros((B, 1)), wtp_tot], axis=1)
    pay = np.stack(
        [
            np.take_along_axis(wtp_tot_full, out0[:, None], axis=1)[:, 0],
            np.where(afford[:, 0], wtp_tot[:, 0] - offer_cost[:, 0], -np.inf),
            np.where(afford[:, 1], wtp_tot[:, 1] - offer_cost[:, 1], -np.inf),
        ],
        axis=1,
    )
    target = np.argmax(pay, axis=1)
    outcome = np.where(target == 0, out0, target)
    package = np.zeros((B, ci.size))
    for j in range(2):
        package = np.where((target == 1 + j)[:, None], offer_pk[:, j], package)
    # the equilibrium counter: only when I keeps P against no offer
    retains = (target == 0) & (out0 == 0) & (M0 > 0)
    need_i = np.where(retains, M0, -1.0)
    stake0 = np.where(o0[:, None] == 1, d.payer_stake[:, :, 0], d.payer_stake[:, :, 1])
    cext = _min_counter(m, ip, ik, ilo, ihi, ibin, i_col, stake0, need_i)
    counter = np.where(retains[:, None], cext, 0.0)
    causes, dval, dcost = _decompose(pb, d, U, bid, need, pval, pface, price, feas)
    return RealignmentSolution(
        outcome=outcome,
        offer_target=target,
        option_values=U,
        price=price,
        price_value=pval,
        price_face=pface,
        price_trade_value=ptrade,
        need=need,
        feasible=feas,
        affordable=afford,
        max_offer_value=wmax,
        willingness_to_pay=wtp_tot,
        incumbent_max_bid=bid,
        incumbent_loss=d.loss,
        incumbent_lever_limit=limit,
        incumbent_binds=inc_binds,
        courter_binds=courter_binds,
        retaliation_cost=d.retaliation_cost,
        payers=("courter", *(pb.payer_names[c - 1] for c in c_cols[1:])),
        payer_wtp=wtp_c,
        price_by_payer=np.where(feas[:, :, None], by_payer, np.nan),
        packages=pk,
        offer_packages=offer_pk,
        offer_cost=offer_cost,
        package=package,
        counter=counter,
        courter_payoff=pay[np.arange(B), target],
        causes=causes,
        decomposition_value=dval,
        decomposition=dcost,
        courter_levers=tuple(pb.lever_names[i] for i in ci),
        incumbent_levers=tuple(pb.lever_names[i] for i in ii),
        method="fast+highs" if (m == "fast" and n_highs) else m,
        derived=d,
    )


def _decompose(pb, d, U, bid, need, pval, pface, price, feas):
    """The accounting identity: each target's package value split into terms (exactly additive).

    ``need_o = max(B_I(o), U_other) - U_o`` and ``-U_o`` is a sum of named PV parts, so
    ``face = sum(parts) + barrier + (face - value) + (value - need)``: the terms are the parts of
    ``-U_o`` (retaliation, replacement, switching cost, each component), the barrier
    (incumbent counter or outside option, whichever binds), the credibility discount and any
    excess. In C's cost each term is scaled by ``price / face``.
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
    out = np.zeros((B, 2, len(names)))
    for j in range(2):
        other = 2 - j
        terms = [d.parts[n][:, j] for n in ("retaliation", "replacement", "switching_cost")]
        terms += [d.parts[n][:, j] for n in pb.component_names]
        inc_binds = bid[:, j] >= U[:, other]
        terms.append(np.where(inc_binds, bid[:, j], 0.0))
        terms.append(np.where(inc_binds, 0.0, U[:, other]))
        ok = feas[:, j]
        terms.append(np.where(ok, pface[:, j] - pval[:, j], 0.0))
        terms.append(np.where(ok, pval[:, j] - need[:, j], 0.0))
        out[:, j, :] = np.stack(terms, axis=1)
    total = out.sum(axis=2)
    scale = np.where(feas & (total > 0), price / np.where(total > 0, total, 1.0), 0.0)
    return tuple(names), out, out * scale[:, :, None]


def package_value(problem: RealignmentProblem, package, target: int) -> np.ndarray:
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


def incumbent_best_counter(problem: RealignmentProblem, package, target: int, method: str = "auto"):
    """The incumbent's best reply to a courter offer ``package`` (B, Lc) conditional on ``target``.

    Returns ``(counter (B, Li), retains (B,), choice (B,))``: the cheapest counter that keeps P,
    whether I makes it (each payer's cost at most its stake in P's alternative), and P's choice.
    """
    pb = problem
    m = _choose_method(pb, method)
    d = accounts(pb)
    w = package_value(pb, package, target)
    vals = d.U[:, 1:].copy()
    vals[:, target - 1] += w
    M = vals.max(axis=1)
    alt = np.where(vals[:, 0] >= vals[:, 1], 1, 2)
    ii, ip, ik, ilo, ihi, ibin, _, _ = _side_arrays(pb, d, INCUMBENT)
    i_col = payer_index(pb)[ii]
    budgets = np.where(alt[:, None] == 1, d.payer_stake[:, :, 0], d.payer_stake[:, :, 1])
    bid, _ = _max_bid(m, ip, ik, ilo, ihi, ibin, i_col, budgets)
    retains = bid >= M
    need_i = np.where(retains & (M > 0), M, -1.0)
    ext = _min_counter(m, ip, ik, ilo, ihi, ibin, i_col, budgets, need_i)
    return ext, retains, np.where(retains, 0, alt)
