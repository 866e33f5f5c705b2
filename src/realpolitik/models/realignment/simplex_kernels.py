"""The pivot loop of :mod:`realpolitik.models.realignment.simplex`, compiled (private).

:func:`run_rows` takes the start tableau that :func:`~realpolitik.models.realignment.simplex.lp_min`
builds and pivots each row on its own until it stops, by the same rules as the NumPy loop: the
most infeasible basic variable leaves (the one with the smallest index once the row has made
``_BLAND_AFTER`` pivots), the dual ratio test picks the entering column with the same tolerance
and tie rule, a row stops after ``_MAX_PIVOTS`` pivots at the latest (both limits are arguments,
passed by the simplex). A row stops for good at its first step without a pivot, which is also
how the NumPy loop treats it, whatever the other rows of the batch do. Every floating-point
operation is the NumPy loop's own, elementwise and in the same order (no fused multiply-add:
Numba's ``fastmath`` stays off), so the final bases, bounds and statuses are the same bit for
bit; the solution is then recomputed from them in NumPy, as before.

Importing this module imports Numba: the simplex imports it lazily, when
:func:`realpolitik.models.realignment.backend.use_compiled` says so.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from realpolitik._numba import CACHE, njit
from realpolitik.models.realignment.simplex_rules import (
    INFEASIBLE,
    OPTIMAL,
    PIVOT_TOL,
    TIE_FACTOR,
    TIE_FLOOR,
    UNFINISHED,
)

__all__ = ["run_rows", "start_rows", "basis_rows"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@njit(cache=CACHE, nogil=True)
def _leaving(
    xb: FloatArray, ub: FloatArray, basis: IntArray, tol: float, bland: bool
) -> tuple[int, bool]:
    """The basic variable's position to leave (-1 if none is outside its bounds) and whether
    it is above its upper bound."""
    best = -np.inf
    lowest = 0
    i = -1
    for m in range(xb.size):
        x = xb[m]
        ubb = ub[basis[m]]
        below, above = -x, x - ubb
        if below != below or above != above:  # np.maximum propagates NaN
            continue
        over = below if below >= above else above
        if not over > tol:
            continue
        if bland:
            if i < 0 or basis[m] < lowest:
                lowest, i = basis[m], m
        elif i < 0 or over > best:
            best, i = over, m
    if i < 0:
        return -1, False
    return i, xb[i] > ub[basis[i]] + tol


@njit(cache=CACHE, nogil=True)
def _entering(
    T: FloatArray,
    red: FloatArray,
    is_basic: BoolArray,
    at_upper: BoolArray,
    i: int,
    high: bool,
    ratio: FloatArray,
) -> int:
    """The dual ratio test on row ``i``: the entering column (-1 where none qualifies), the
    smallest ratio first, ties to the smallest index (``ratio`` (N,): scratch space, -1 for the
    columns that do not qualify)."""
    N = red.size
    sign = 1.0 if high else -1.0
    best = np.inf
    any_ok = False
    for n in range(N):
        s = sign * T[i, n]
        ok = (s < -PIVOT_TOL) if at_upper[n] else (s > PIVOT_TOL)
        ratio[n] = -1.0
        if ok and not is_basic[n]:
            any_ok = True
            ratio[n] = np.abs(red[n]) / np.abs(T[i, n])
            if ratio[n] != ratio[n] or best != best:  # np.min propagates NaN
                best = np.nan
            elif ratio[n] < best:
                best = ratio[n]
    if not any_ok:
        return -1
    limit = best * TIE_FACTOR + TIE_FLOOR
    for n in range(N):
        if ratio[n] >= 0.0 and ratio[n] <= limit:  # a NaN ratio is no tie, as in NumPy
            return n
    return 0  # no column within the limit (a NaN): NumPy's argmax of all-False


@njit(cache=CACHE, nogil=True)
def _pivot(
    T: FloatArray,
    xb: FloatArray,
    red: FloatArray,
    basis: IntArray,
    is_basic: BoolArray,
    at_upper: BoolArray,
    ub: FloatArray,
    i: int,
    j: int,
    high: bool,
    col: FloatArray,
    prow: FloatArray,
) -> None:
    """The basic variable in row ``i`` leaves at the bound it broke; column ``j`` enters
    (``col`` (M,) and ``prow`` (N,): scratch space)."""
    M, N = T.shape
    out = basis[i]
    bound = ub[out] if high else 0.0
    alpha = T[i, j]
    delta = (xb[i] - bound) / alpha
    for m in range(M):
        col[m] = T[m, j]
    start = ub[j] if at_upper[j] else 0.0
    xb_i = start + delta
    for m in range(M):
        xb[m] -= col[m] * delta
    for n in range(N):
        prow[n] = T[i, n] / alpha
    red_j = red[j]
    for n in range(N):
        red[n] -= red_j * prow[n]
    for m in range(M):
        for n in range(N):
            T[m, n] -= col[m] * prow[n]
    for n in range(N):
        T[i, n] = prow[n]
    xb[i] = xb_i
    basis[i] = j
    is_basic[out] = False
    is_basic[j] = True
    at_upper[out] = high
    at_upper[j] = False


@njit(cache=CACHE, nogil=True)
def _run_row(
    T: FloatArray,
    xb: FloatArray,
    red: FloatArray,
    basis: IntArray,
    is_basic: BoolArray,
    at_upper: BoolArray,
    ub: FloatArray,
    tol: float,
    col: FloatArray,
    prow: FloatArray,
    bland_after: int,
    max_pivots: int,
) -> int:
    """Pivot one row until it stops; its status (``col``, ``prow``: scratch space)."""
    for step in range(max_pivots):
        i, high = _leaving(xb, ub, basis, tol, step >= bland_after)
        if i < 0:
            return OPTIMAL
        j = _entering(T, red, is_basic, at_upper, i, high, prow)
        if j < 0:
            return INFEASIBLE
        _pivot(T, xb, red, basis, is_basic, at_upper, ub, i, j, high, col, prow)
    return UNFINISHED


@njit(cache=CACHE, nogil=True)
def run_rows(
    T: FloatArray,
    xb: FloatArray,
    red: FloatArray,
    basis: IntArray,
    is_basic: BoolArray,
    at_upper: BoolArray,
    ub: FloatArray,
    tol: FloatArray,
    status: IntArray,
    bland_after: int,
    max_pivots: int,
) -> None:
    """Pivot every row of the start tableau (``T`` (B, M, N), ``xb`` (B, M), ``red`` (B, N),
    ``basis`` (B, M), ``is_basic`` and ``at_upper`` (B, N), ``ub`` (B, N), ``tol`` (B,)) to its
    end, in place; each row's status goes to ``status`` (B,). Bland's rule from pivot
    ``bland_after`` on, at most ``max_pivots`` pivots (the simplex's ``_BLAND_AFTER`` and
    ``_MAX_PIVOTS``)."""
    col = np.empty(T.shape[1])
    prow = np.empty(T.shape[2])
    for r in range(T.shape[0]):
        status[r] = _run_row(
            T[r],
            xb[r],
            red[r],
            basis[r],
            is_basic[r],
            at_upper[r],
            ub[r],
            tol[r],
            col,
            prow,
            bland_after,
            max_pivots,
        )


@njit(cache=CACHE, nogil=True)
def start_rows(
    G: FloatArray,
    g: FloatArray,
    H: FloatArray,
    h: FloatArray,
    c: FloatArray,
    u: FloatArray,
    full: FloatArray,
    rhs: FloatArray,
    T: FloatArray,
    red: FloatArray,
    ub: FloatArray,
    at_upper: BoolArray,
    xn: FloatArray,
    basis: IntArray,
    is_basic: BoolArray,
    tol: FloatArray,
) -> None:
    """The simplex's ``_standard_form`` and ``_start`` but for the basic values, row by row
    into the arrays after ``u`` (shapes as in :func:`run_rows`; ``full`` (B, M, N), ``rhs``
    (B, M), ``xn`` (B, N) the nonbasic values). Only copies, signs and comparisons, each the
    NumPy code's own operation on the same operands (``eye * sigma`` then ``* sigma``: the
    slack block keeps NumPy's ``-0.0``); the basic values need an ``einsum``, left to NumPy
    (its sums of products may be fused and vectorised)."""
    B, r1, n = G.shape
    r2 = H.shape[1]
    M = r1 + r2
    N = n + M
    for b in range(B):
        scale = 0.0
        for i in range(M):
            # a row of G (>=) has sigma -1, a row of H (<=) +1
            si = -1.0 if i < r1 else 1.0
            for j in range(n):
                v = G[b, i, j] if i < r1 else H[b, i - r1, j]
                full[b, i, j] = v
                T[b, i, j] = v * si
            for j in range(M):
                sj = -1.0 if j < r1 else 1.0
                v = (1.0 if i == j else 0.0) * sj
                full[b, i, n + j] = v
                T[b, i, n + j] = v * si
            r = g[b, i] if i < r1 else h[b, i - r1]
            rhs[b, i] = r
            # np.max(np.abs(rhs)): the first NaN wins
            a = np.abs(r)
            if i == 0 or (scale == scale and (a != a or a > scale)):
                scale = a
            basis[b, i] = n + i
        tol[b] = 1e-9 * (1.0 + scale)
        for j in range(N):
            if j < n:
                cost, up = c[b, j], u[b, j]
            else:
                cost, up = 0.0, np.inf
            red[b, j] = cost
            ub[b, j] = up
            at_upper[b, j] = cost < 0 and np.abs(up) != np.inf and up == up
            xn[b, j] = up if at_upper[b, j] else 0.0
            is_basic[b, j] = j >= n


@njit(cache=CACHE, nogil=True)
def basis_rows(
    full: FloatArray,
    basis: IntArray,
    at_upper: BoolArray,
    ub: FloatArray,
    x: FloatArray,
    Bm: FloatArray,
) -> None:
    """The simplex's ``_recompute`` before its linear solve, row by row: every nonbasic
    variable at its bound into ``x`` (B, N) (``ub`` where at a finite upper bound, else 0,
    basic ones 0) and the basis matrix ``Bm[b, :, k] = full[b, :, basis[b, k]]`` (B, M, M)."""
    B, M, N = full.shape
    basic = np.empty(N, np.bool_)
    for b in range(B):
        for j in range(N):
            basic[j] = False
        for k in range(M):
            basic[basis[b, k]] = True
        for j in range(N):
            up = ub[b, j]
            finite = np.abs(up) != np.inf and up == up
            x[b, j] = up if (at_upper[b, j] and not basic[j] and finite) else 0.0
        for i in range(M):
            for k in range(M):
                Bm[b, i, k] = full[b, i, basis[b, k]]
