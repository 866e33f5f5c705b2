"""Many small linear programmes solved at once: a bounded-variable dual simplex, vectorised.

Every row of a batch is its own linear programme with the same shape,

    minimise c x  s.t.  G x >= g,  H x <= h,  0 <= x <= u,

with a handful of constraints and variables (a side's levers, its payers' budgets, the trade it
fills). The slack basis with every variable at the bound its cost prefers is dual feasible, so
the dual simplex needs no first phase: it pivots a basic variable that breaks its bounds out of
the basis until none does (or a row proves infeasible). All rows pivot together in NumPy. Ties
go to the smallest index (Bland's rule), which rules out cycling on degenerate vertices. The
solution is recomputed from its final basis with one linear solve per row, so its accuracy does
not depend on the number of pivots.

A row stops for good at its first step without a pivot, so its result does not depend on the
other rows of the batch. The pivot loop also runs compiled, row by row
(:mod:`realpolitik.models.realignment.simplex_kernels`, Numba), for large batches or once the
kernels are loaded (:func:`realpolitik.models.realignment.backend.use_compiled`); it gives the
same bases and statuses, hence the same solutions, bit for bit. That path also builds the start
tableau and the basis matrices in kernels (copies, signs and comparisons only); the sums of
products (``einsum``), the linear solve and the clip stay NumPy's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from realpolitik.models.realignment.backend import use_compiled
from realpolitik.models.realignment.simplex_rules import (
    BLAND_AFTER,
    INFEASIBLE,
    MAX_PIVOTS,
    OPTIMAL,
    PIVOT_TOL,
    TIE_FACTOR,
    TIE_FLOOR,
    UNFINISHED,
)

__all__ = ["LPResult", "OPTIMAL", "INFEASIBLE", "UNFINISHED", "lp_min"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: The pivot limits (module globals, read at each call: tests shrink them).
_MAX_PIVOTS = MAX_PIVOTS
_BLAND_AFTER = BLAND_AFTER
_BIG = np.iinfo(np.int64).max


@dataclass(frozen=True)
class LPResult:
    """Per row: the optimal value (``inf`` if infeasible), a solution and a status."""

    objective: FloatArray  # (B,)
    x: FloatArray  # (B, n)
    status: IntArray  # (B,) OPTIMAL, INFEASIBLE or UNFINISHED


@dataclass
class _Tableau:
    """The simplex state of the rows still pivoting: ``T = B^-1 A``, basic values, reduced
    costs, which variables are basic and which nonbasic ones sit at their upper bound."""

    rows: IntArray  # (k,) rows of the batch
    T: FloatArray  # (k, M, N)
    xb: FloatArray  # (k, M)
    red: FloatArray  # (k, N)
    basis: IntArray  # (k, M)
    is_basic: BoolArray  # (k, N)
    at_upper: BoolArray  # (k, N)
    ub: FloatArray  # (k, N)
    tol: FloatArray  # (k,) primal feasibility tolerance
    status: IntArray  # (k,) OPTIMAL or INFEASIBLE once the row has stopped, else _PIVOTING

    def keep(self, sel: BoolArray) -> _Tableau:
        """The rows selected by ``sel``."""
        return _Tableau(*(getattr(self, f)[sel] for f in _FIELDS))


_FIELDS = ("rows", "T", "xb", "red", "basis", "is_basic", "at_upper", "ub", "tol", "status")
#: :attr:`_Tableau.status` of a row still pivoting.
_PIVOTING = -1


def _standard_form(
    G: FloatArray, g: FloatArray, H: FloatArray, h: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``[A | slacks]`` with row ``i`` reading ``A_i x + sigma_i s_i = rhs_i`` (``sigma`` -1 for
    ``>=`` rows, +1 for ``<=`` rows), and ``sigma``."""
    A = np.concatenate([G, H], axis=1)
    rhs = np.concatenate([g, h], axis=1)
    B, M, _ = A.shape
    sigma = np.concatenate([-np.ones(G.shape[1]), np.ones(H.shape[1])])
    slack = np.broadcast_to(np.eye(M) * sigma[None, :], (B, M, M))
    return np.concatenate([A, slack], axis=2), rhs, sigma


def _start(
    full: FloatArray, rhs: FloatArray, sigma: FloatArray, c: FloatArray, u: FloatArray
) -> _Tableau:
    """The slack basis, every structural variable at the bound its cost prefers."""
    B, M, N = full.shape
    n = N - M
    ub = np.concatenate([u, np.full((B, M), np.inf)], axis=1)
    cost = np.concatenate([c, np.zeros((B, M))], axis=1)
    at_upper = (cost < 0) & np.isfinite(ub)
    xn = np.where(at_upper, ub, 0.0)
    is_basic = np.zeros((B, N), bool)
    is_basic[:, n:] = True
    scale = np.max(np.abs(rhs), axis=1) if M else np.zeros(B)
    return _Tableau(
        rows=np.arange(B),
        T=full * sigma[None, :, None],
        xb=sigma[None, :] * (rhs - np.einsum("bmn,bn->bm", full[:, :, :n], xn[:, :n])),
        red=cost,
        basis=np.broadcast_to(np.arange(n, N), (B, M)).copy(),
        is_basic=is_basic,
        at_upper=at_upper,
        ub=ub,
        tol=1e-9 * (1.0 + scale),
        status=np.full(B, _PIVOTING, np.int64),
    )


def _leaving(tab: _Tableau, bland: bool) -> tuple[BoolArray, IntArray, BoolArray]:
    """Rows with a basic variable outside its bounds, the one to leave (the most infeasible,
    or with ``bland`` the first), and whether it is above its upper bound."""
    ubb = np.take_along_axis(tab.ub, tab.basis, axis=1)
    over = np.maximum(-tab.xb, tab.xb - ubb)
    bad = over > tab.tol[:, None]
    high = tab.xb > ubb + tab.tol[:, None]
    if bland:
        i = np.argmin(np.where(bad, tab.basis, _BIG), axis=1)
    else:
        i = np.argmax(np.where(bad, over, -np.inf), axis=1)
    k = np.arange(i.size)
    return np.any(bad, axis=1), i, high[k, i]


def _entering(tab: _Tableau, i: IntArray, high: BoolArray) -> tuple[BoolArray, IntArray]:
    """The dual ratio test on pivot rows ``i``: the nonbasic column that keeps every reduced
    cost on its side (smallest ratio, then smallest index); ``False`` where none exists (the
    row is infeasible)."""
    k = np.arange(i.size)
    alpha = tab.T[k, i]  # (k, N)
    s = np.where(high, 1.0, -1.0)[:, None] * alpha  # leaving down (high) wants s > 0
    ok = ~tab.is_basic & np.where(tab.at_upper, s < -PIVOT_TOL, s > PIVOT_TOL)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(ok, np.abs(tab.red) / np.abs(alpha), np.inf)
    best = np.min(ratio, axis=1)
    tie = ok & (ratio <= best[:, None] * TIE_FACTOR + TIE_FLOOR)
    return np.any(ok, axis=1), np.argmax(tie, axis=1)


def _pivot(tab: _Tableau, i: IntArray, j: IntArray, high: BoolArray, live: BoolArray) -> None:
    """In the rows where ``live``, the basic variable in row ``i`` leaves at the bound it broke
    and column ``j`` enters; the other rows are left exactly as they are."""
    k = np.arange(i.size)
    out = tab.basis[k, i]
    bound = np.where(high, tab.ub[k, out], 0.0)
    alpha = np.where(live, tab.T[k, i, j], 1.0)
    delta = np.where(live, (tab.xb[k, i] - bound) / alpha, 0.0)  # entering variable's change
    col = tab.T[k, :, j] * live[:, None]
    start = np.where(tab.at_upper[k, j], tab.ub[k, j], 0.0)
    xb_i = np.where(live, start + delta, tab.xb[k, i])
    tab.xb -= col * delta[:, None]
    prow = tab.T[k, i] / alpha[:, None]
    tab.red -= np.where(live, tab.red[k, j], 0.0)[:, None] * prow
    tab.T -= col[:, :, None] * prow[:, None, :]
    tab.T[k, i] = prow
    tab.xb[k, i] = xb_i
    tab.basis[k, i] = np.where(live, j, out)
    up_out = np.where(live, high, tab.at_upper[k, out])
    tab.is_basic[k, out] = ~live
    tab.is_basic[k, j] = live | tab.is_basic[k, j]
    tab.at_upper[k, out] = up_out
    tab.at_upper[k, j] = ~live & tab.at_upper[k, j]


def _run(tab: _Tableau, status: IntArray, basis: IntArray, at_upper: BoolArray) -> None:
    """Pivot every row to optimality or infeasibility; record final bases and statuses.

    A row stops for good at the first step where it has no pivot (its status is then fixed),
    so its result does not depend on the other rows of the batch: the step number is the row's
    own pivot count. Stopped rows stay in the tableau, unchanged, until they are a third of it,
    then leave."""

    def retire(sel: BoolArray) -> None:
        r = tab.rows[sel]
        status[r] = np.where(tab.status[sel] == _PIVOTING, UNFINISHED, tab.status[sel])
        basis[r] = tab.basis[sel]
        at_upper[r] = tab.at_upper[sel]

    for step in range(_MAX_PIVOTS):
        bad, i, high = _leaving(tab, bland=step >= _BLAND_AFTER)
        can, j = _entering(tab, i, high)
        stops = (tab.status == _PIVOTING) & ~(bad & can)
        tab.status[stops] = np.where(bad[stops], INFEASIBLE, OPTIMAL)
        live = tab.status == _PIVOTING
        n_live = int(live.sum())
        if n_live == 0 or 3 * n_live < 2 * tab.rows.size:
            retire(~live)
            tab = tab.keep(live)
            i, j, high, live = i[live], j[live], high[live], live[live]
        if n_live == 0:
            return
        _pivot(tab, i, j, high, live)
    retire(np.ones(tab.rows.size, bool))


def _recompute(
    full: FloatArray, rhs: FloatArray, ub: FloatArray, basis: IntArray, at_upper: BoolArray
) -> FloatArray:
    """All variables from a basis: nonbasic ones at a bound, basic ones by one linear solve."""
    B, M, N = full.shape
    is_basic = np.zeros((B, N), bool)
    np.put_along_axis(is_basic, basis, True, axis=1)
    x = np.where(at_upper & ~is_basic & np.isfinite(ub), ub, 0.0)
    if M:
        Bm = np.take_along_axis(full, basis[:, None, :], axis=2)
        resid = rhs - np.einsum("bmn,bn->bm", full, x)
        np.put_along_axis(x, basis, np.linalg.solve(Bm, resid[:, :, None])[:, :, 0], axis=1)
    return np.clip(x, 0.0, ub)


def lp_min(
    c: FloatArray,
    G: FloatArray,
    g: FloatArray,
    H: FloatArray,
    h: FloatArray,
    u: FloatArray,
) -> LPResult:
    """Solve ``min c x`` s.t. ``G x >= g``, ``H x <= h``, ``0 <= x <= u`` for every row.

    Parameters
    ----------
    c : (B, n) costs (a negative cost needs a finite bound); G : (B, r1, n), g : (B, r1);
        H : (B, r2, n), h : (B, r2); u : (B, n) upper bounds (``inf`` allowed).

    Returns
    -------
    LPResult
        ``objective`` ``inf`` where the constraints cannot all hold (beyond ``1e-9`` of the
        right-hand sides' scale); ``status`` UNFINISHED where the pivot limit was reached (not
        expected for the few constraints this is built for).
    """
    B, n = c.shape
    if G.shape[1] + H.shape[1] and use_compiled(B):
        return _lp_min_compiled(c, G, g, H, h, u)
    full, rhs, sigma = _standard_form(G, g, H, h)
    tab = _start(full, rhs, sigma, c, u)
    status = np.full(B, UNFINISHED if full.shape[1] else OPTIMAL, np.int64)
    basis = tab.basis.copy()
    at_upper = tab.at_upper.copy()
    ub = tab.ub.copy()
    if full.shape[1]:
        _run(tab, status, basis, at_upper)
    x = _recompute(full, rhs, ub, basis, at_upper)[:, :n]
    obj = np.where(status == OPTIMAL, np.sum(c * x, axis=1), np.inf)
    return LPResult(objective=obj, x=x, status=status)


def _lp_min_compiled(
    c: FloatArray, G: FloatArray, g: FloatArray, H: FloatArray, h: FloatArray, u: FloatArray
) -> LPResult:
    """:func:`lp_min` with at least one constraint, compiled: the start tableau, the pivots and
    the basis matrices by the kernels of :mod:`realpolitik.models.realignment.simplex_kernels`,
    row by row; NumPy for the sums of products (``einsum``, whose order the kernels do not
    reproduce), the linear solve and the clip. The same arrays as the NumPy path bit for bit:
    the kernels only copy, change signs and compare, each operation NumPy's own."""
    from realpolitik.models.realignment.simplex_kernels import basis_rows, run_rows, start_rows

    B, n = c.shape
    M = G.shape[1] + H.shape[1]
    N = n + M
    full, T = np.empty((B, M, N)), np.empty((B, M, N))
    rhs, red, ub, xn, tol = (
        np.empty((B, M)),
        np.empty((B, N)),
        np.empty((B, N)),
        np.empty((B, N)),
        np.empty(B),
    )
    at_upper, is_basic = np.empty((B, N), bool), np.empty((B, N), bool)
    basis = np.empty((B, M), np.int64)
    f64 = lambda x: np.asarray(x, dtype=np.float64)  # noqa: E731
    start_rows(
        f64(G),
        f64(g),
        f64(H),
        f64(h),
        f64(c),
        f64(u),
        full,
        rhs,
        T,
        red,
        ub,
        at_upper,
        xn,
        basis,
        is_basic,
        tol,
    )
    sigma = np.concatenate([-np.ones(G.shape[1]), np.ones(H.shape[1])])
    xb = sigma[None, :] * (rhs - np.einsum("bmn,bn->bm", full[:, :, :n], xn[:, :n]))
    status = np.full(B, UNFINISHED, np.int64)
    run_rows(T, xb, red, basis, is_basic, at_upper, ub, tol, status, _BLAND_AFTER, _MAX_PIVOTS)
    # _recompute: the variables from the final basis (ub is the start's: the pivots leave it)
    x, Bm = np.empty((B, N)), np.empty((B, M, M))
    basis_rows(full, basis, at_upper, ub, x, Bm)
    resid = rhs - np.einsum("bmn,bn->bm", full, x)
    np.put_along_axis(x, basis, np.linalg.solve(Bm, resid[:, :, None])[:, :, 0], axis=1)
    x = np.clip(x, 0.0, ub)[:, :n]
    obj = np.where(status == OPTIMAL, np.sum(c * x, axis=1), np.inf)
    return LPResult(objective=obj, x=x, status=status)
