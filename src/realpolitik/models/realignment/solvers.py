"""Solvers for one side's package: the fast, exact, vectorised path and the HiGHS reference.

A package is an extent per lever of one side. An on/off lever is off (extent 0) or on at any
extent in ``[lo, hi]`` (a semi-continuous variable); a continuous lever is in ``[lo, hi]``. The
courter's problem is the cheapest package worth a given value to the pivot; the incumbent's the
most valuable package within a budget. Values and costs are present values per unit extent
(:mod:`realpolitik.models.realignment.accounting`).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from realpolitik.errors import ModelError
from realpolitik.models.realignment.backend import use_compiled
from realpolitik.models.realignment.problem import MAX_BINARY_ENUM
from realpolitik.models.realignment.rows import put_rows, take_rows

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Sides with more levers than this always run NumPy. NumPy sums a row of up to seven terms
#: from the left whatever the memory layout of the array, but a longer one in an order that
#: depends on it (pairwise when the row is contiguous); the compiled kernels sum from the left,
#: and the Lagrangian LP's knapsacks have one term more than the side has levers.
COMPILED_MAX_LEVERS = 6


def _compiled(rows: int, m: int) -> bool:
    """Whether a batch of ``rows`` rows and ``m`` levers runs the compiled twins of
    :mod:`realpolitik.models.realignment.package_kernels` (same numbers, bit for bit; the
    rule is :func:`~realpolitik.models.realignment.backend.use_compiled`)."""
    return m <= COMPILED_MAX_LEVERS and use_compiled(rows)


def _pattern_multipliers(binary: BoolArray, m: int) -> FloatArray:
    """Every on/off pattern as multipliers of the bounds, (patterns, m): an off lever's bounds
    times 0, the others' times 1 (the patterns of :func:`binary_subsets`, in its order)."""
    subs = binary_subsets(binary)
    on = np.ones((subs.shape[0], m))
    on[:, binary] = subs
    return on


def trade_fill(x: FloatArray, a: FloatArray, w: FloatArray, sf: FloatArray) -> FloatArray:
    """Trade per year that packages ``x`` (B, m) fill: ``y`` maximising ``sum w_i y_i`` s.t.
    ``0 <= y_i <= a_i x_i`` and ``sum y_i <= sf`` (the most durable levers fill first)."""
    if x.ndim == 2 and _compiled(x.shape[0], x.shape[1]):
        from realpolitik.models.realignment import package_kernels

        return package_kernels.trade_fill(x, a, w, sf)
    y = np.zeros_like(x, dtype=float)
    cols = np.flatnonzero(np.any(a > 0, axis=0)) if a.size else np.zeros(0, int)
    if cols.size == 0:
        return y
    cap = a[:, cols] * x[:, cols]
    if cols.size == 1:
        y[:, cols[0]] = np.minimum(cap[:, 0], np.maximum(sf, 0.0))
        return y
    order = np.argsort(-w[:, cols], axis=1, kind="stable")
    cu = np.take_along_axis(cap, order, axis=1)
    before = np.cumsum(cu, axis=1) - cu
    filled = np.minimum(cu, np.clip(sf[:, None] - before, 0.0, None))
    out = np.empty_like(filled)
    np.put_along_axis(out, order, filled, axis=1)
    y[:, cols] = out
    return y


def package_value_arrays(
    x: FloatArray, p: FloatArray, a: FloatArray, w: FloatArray, sf: FloatArray
) -> FloatArray:
    """Value to P of packages ``x`` (B, m): direct value ``p x`` plus the trade they fill.

    ``p`` direct value per unit extent, ``a`` trade per year a unit of extent lets the courter's
    side absorb, ``w`` value of one unit of filled trade per year (``g`` times the lever's PV
    factor), ``sf`` (B,) the shortfall per year that all capacity levers share. With one capacity
    lever (or all equally durable) the trade part is ``w min(a x, sf)``.
    """
    if x.ndim == 2 and _compiled(x.shape[0], x.shape[1]):
        from realpolitik.models.realignment import package_kernels

        return package_kernels.package_value_arrays(x, p, a, w, sf)
    direct: FloatArray = np.sum(p * x, axis=1)
    if not np.any(a > 0):
        return direct
    total: FloatArray = direct + np.sum(w * trade_fill(x, a, w, sf), axis=1)
    return total


def binary_subsets(binary: BoolArray) -> FloatArray:
    nb = int(binary.sum())
    if nb > MAX_BINARY_ENUM:
        raise ModelError(f"{nb} on/off levers on one side: too many for exact enumeration")
    return np.array(list(itertools.product((0.0, 1.0), repeat=nb))).reshape(2**nb, nb)


def _knapsack(
    cost: FloatArray, val: FloatArray, U: FloatArray, R: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """Fractional knapsack, vectorised over rows: ``min cost x`` s.t. ``val x >= R``,
    ``0 <= x <= U``. Items of negative cost are taken whole; the others in order of cost per
    unit of value, the last in part. Returns ``x`` and whether ``R`` is reached."""
    neg = (cost < 0) & (U > 0)
    x = np.where(neg, U, 0.0)
    rem = R - np.sum(val * x, axis=1)
    usable = ~neg & (val > 0) & (U > 0)
    ratio = np.where(usable, cost / np.where(usable, val, 1.0), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    dv = np.take_along_axis(np.where(usable, val * U, 0.0), order, axis=1)
    before = np.cumsum(dv, axis=1) - dv
    short = np.clip(rem[:, None] - before, 0.0, None)
    frac = np.where(dv > 0, np.minimum(short / np.where(dv > 0, dv, 1.0), 1.0), 0.0)
    add = np.empty_like(frac)
    np.put_along_axis(add, order, frac * np.take_along_axis(U, order, axis=1), axis=1)
    total = before[:, -1] + dv[:, -1] if dv.shape[1] else np.zeros_like(rem)
    return x + add, rem <= total * (1 + 1e-12)


def _lp_trade(
    p: FloatArray,
    k: FloatArray,
    u: FloatArray,
    a: FloatArray,
    wc: FloatArray,
    S: FloatArray,
    R: FloatArray,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Cheapest extents with trade: ``min k d`` s.t. ``p d + wc t >= R``, ``0 <= t <= S``,
    ``t <= a d``, ``0 <= d <= u`` (rows with ``R > 0`` that can reach it).

    Exact, by Lagrangian duality on the link ``t <= a d`` (multiplier ``lam``). The dual
    ``D(mu, lam) = mu R - S (wc mu - lam)+ - sum_i u_i (p_i mu + a_i lam - k_i)+`` is concave and
    piecewise linear on ``mu, lam >= 0``, so its maximum is at a vertex of the arrangement of the
    lines where a term kinks (and the axis ``lam = 0``): all pairwise intersections are
    evaluated (on the axis ``mu = 0``, ``D <= D(0, 0) = 0``). For the
    best ``lam*``, the fractional knapsacks of the Lagrangian (levers at cost ``k_i - lam a_i``,
    trade at cost ``lam``) just below and just above ``lam*`` bracket the link's residual
    ``t - a d`` (non-increasing in ``lam``); their convex combination with zero residual is
    optimal. Returns ``(d, t, certified)``: ``certified`` where the primal cost is within 1e-9
    (relative) of the dual bound, a proof of optimality.
    """
    n, m = p.shape
    one, zero = np.ones(n), np.zeros(n)
    # vertices on the axis mu = 0 are worth at most D(0, 0) = 0 and are left out
    LA = np.column_stack([p, wc, zero])
    LB = np.column_stack([a, -one, one])
    LK = np.column_stack([k, zero, zero])
    i1, i2 = np.triu_indices(m + 2, 1)
    A1, A2, B1, B2, K1, K2 = LA[:, i1], LA[:, i2], LB[:, i1], LB[:, i2], LK[:, i1], LK[:, i2]
    det = A1 * B2 - A2 * B1
    okd = np.abs(det) > 1e-12 * (np.abs(A1 * B2) + np.abs(A2 * B1))
    sd = np.where(okd, det, 1.0)
    mu = (K1 * B2 - K2 * B1) / sd
    lam = (A1 * K2 - A2 * K1) / sd
    tol = 1e-12 * (1.0 + np.abs(mu) + np.abs(lam))
    valid = okd & (mu >= -tol) & (lam >= -tol)
    mu, lam = np.maximum(mu, 0.0), np.maximum(lam, 0.0)
    D = mu * R[:, None] - S[:, None] * np.maximum(wc[:, None] * mu - lam, 0.0)
    for j in range(m):
        D -= u[:, j : j + 1] * np.maximum(
            p[:, j : j + 1] * mu + a[:, j : j + 1] * lam - k[:, j : j + 1], 0.0
        )
    D = np.where(valid, D, -np.inf)
    best = np.argmax(D, axis=1)
    rows = np.arange(n)
    dstar, mus, lams = D[rows, best], mu[rows, best], lam[rows, best]
    eta = 1e-10 * (lams + mus * wc) + 1e-300
    val = np.column_stack([p, wc])
    U = np.column_stack([u, S])

    def at(lm: FloatArray) -> tuple[FloatArray, FloatArray]:
        x, _ = _knapsack(np.column_stack([k - lm[:, None] * a, lm]), val, U, R)
        return x, x[:, m] - np.sum(a * x[:, :m], axis=1)

    x_lo, r_lo = at(np.maximum(lams - eta, 0.0))
    x_hi, r_hi = at(lams + eta)
    theta = np.where(
        r_lo <= 0, 1.0, np.where(r_hi >= 0, 0.0, -r_hi / np.where(r_lo > r_hi, r_lo - r_hi, 1.0))
    )
    x = theta[:, None] * x_lo + (1 - theta[:, None]) * x_hi
    d = x[:, :m]
    t = np.minimum(x[:, m], np.sum(a * d, axis=1))
    cost = np.sum(k * d, axis=1)
    value = np.sum(p * d, axis=1) + wc * t
    scale = np.abs(cost) + np.abs(dstar) + 1e-300
    certified = (
        (cost - dstar <= 1e-9 * scale) & (value >= R - 1e-9 * np.abs(R)) & np.isfinite(dstar)
    )
    return d, t, certified


def _greedy_max_value(
    p: FloatArray, k: FloatArray, lo: FloatArray, hi: FloatArray, budget: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Box ``[lo, hi]`` continuous levers: largest value with cost ``<= budget`` (-inf if the
    lower bounds alone exceed it). Fractional knapsack by value per unit of cost."""
    v0 = np.sum(p * lo, axis=1)
    c0 = np.sum(k * lo, axis=1)
    R = budget - c0
    de = np.where(p > 0, hi - lo, 0.0)
    ratio = np.where(p > 0, k / np.where(p > 0, p, 1.0), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    dv_s = np.take_along_axis(p * de, order, axis=1)
    dc_s = np.take_along_axis(k * de, order, axis=1)
    de_s = np.take_along_axis(de, order, axis=1)
    cumc = np.cumsum(dc_s, axis=1)
    before = cumc - dc_s
    room = np.clip(R[:, None] - before, 0.0, None)
    frac = np.where(dc_s > 0, np.minimum(room / np.where(dc_s > 0, dc_s, 1.0), 1.0), 1.0)
    frac = np.where(de_s > 0, frac, 0.0)
    frac = np.where(R[:, None] >= 0, frac, 0.0)
    value = np.where(R >= 0, v0 + np.sum(frac * dv_s, axis=1), -np.inf)
    take = frac * de_s
    ext_inc = np.empty_like(take)
    np.put_along_axis(ext_inc, order, take, axis=1)
    return value, lo + ext_inc


def common_weight(a: FloatArray, w: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Per row: the trade weight shared by all levers with capacity, and whether it is shared
    (rows whose capacity levers differ in durability are not for the fast path)."""
    B = a.shape[0]
    if _compiled(B, a.shape[1]):
        from realpolitik.models.realignment import package_kernels

        return package_kernels.common_weight(a, w)
    has = a > 0
    if not np.any(has):
        return np.zeros(B), np.ones(B, bool)
    wmax = np.max(np.where(has, w, -np.inf), axis=1)
    wmin = np.min(np.where(has, w, np.inf), axis=1)
    any_cap = np.any(has, axis=1)
    same = ~any_cap | (wmax - wmin <= 1e-12 * np.abs(wmax))
    return np.where(any_cap, wmax, 0.0), same


def subset_bounds(
    lo: FloatArray, hi: FloatArray, binary: BoolArray, sub: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Bounds of every lever for one on/off pattern ``sub``: an off lever is fixed at 0, an on
    lever (and every continuous one) ranges over ``[lo, hi]``."""
    on = np.ones(lo.shape[1])
    on[binary] = sub
    return lo * on[None, :], hi * on[None, :]


def fast_min_cost(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    a: FloatArray,
    w: FloatArray,
    sf: FloatArray,
    need: FloatArray,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Cheapest package (within the bounds) worth at least ``need`` (rows with ``need >= 0``).

    On/off patterns are enumerated (each on/off lever off, or on anywhere in ``[lo, hi]``); per
    pattern the levers form a continuous box. With no trade left to fill that is a fractional
    knapsack. Otherwise two relaxations are tried first, each optimal when its solution is
    feasible: every unit of capacity valued (fits if the capacity bought stays within the
    shortfall) and the shortfall filled for free (fits if the extents bought carry it); the
    remaining rows, where the capacity bought exactly meets the shortfall, go to the exact
    Lagrangian LP of :func:`_lp_trade`. Needs the capacity levers of a row to share one trade
    weight (see :func:`common_weight`). Returns cost (inf where out of reach), extents and
    whether each row's optimum is certified.
    """
    B, m = p.shape
    if _compiled(B, m):
        from realpolitik.models.realignment import package_kernels

        on = _pattern_multipliers(binary, m)
        return package_kernels.fast_min_cost(p, k, lo, hi, on, a, w, sf, need)
    wc, _ = common_weight(a, w)
    best_c = np.full(B, np.inf)
    best_e = np.zeros((B, m))
    cert = np.ones(B, bool)
    for sub in binary_subsets(binary):
        loc, hic = subset_bounds(lo, hi, binary, sub)
        c, d, ok_cert = _box_min_cost(p, k, loc, hic - loc, a, wc, sf, need)
        better = c < best_c  # the first cheapest pattern
        best_c = np.where(better, c, best_c)
        best_e = np.where(better[:, None], loc + d, best_e)
        cert &= ok_cert
    return best_c, best_e, cert


def screened_min_cost(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    a: FloatArray,
    w: FloatArray,
    sf: FloatArray,
    need: FloatArray,
    src: IntArray,
) -> tuple[FloatArray, BoolArray, FloatArray, FloatArray, BoolArray]:
    """The fast path's first pass over the rows ``r`` of ``need``, whose levers are the rows
    ``src[r]`` of ``p``, ``k``, ``lo``, ``hi``, ``a``, ``w`` (every one of them at least once):
    the value of every lever at its maximum (:func:`box_max_value`, ``wmax``), whether the
    row's capacity levers share one weight (:func:`common_weight`, ``same``), and where the row
    needs a package within reach (``0 <= need < wmax``) and ``same`` holds, the cheapest one by
    :func:`fast_min_cost` (``cost``, extents, ``certified``; elsewhere ``inf``, zeros and
    ``True``). Returns ``(wmax, same, cost, extents, certified)``.

    Compiled, it is one pass that reads each row where it lies (no copies of the rows, no
    second pass for the rows to solve); the numbers are those of the three functions on the
    rows ``take_rows(x, src)``, bit for bit.
    """
    R = need.shape[0]
    m = p.shape[1]
    if _compiled(R, m):
        from realpolitik.models.realignment import package_kernels

        on = _pattern_multipliers(binary, m)
        return package_kernels.screened_min_cost(p, k, lo, hi, on, a, w, sf, need, src)
    p, k, lo, hi, a, w = (take_rows(x, src) for x in (p, k, lo, hi, a, w))
    wmax = box_max_value(p, hi, a, w, sf)
    _, same = common_weight(a, w)
    cost = np.full(R, np.inf)
    ext = np.zeros((R, m))
    cert = np.ones(R, bool)
    ix = np.flatnonzero(((need < 0) | (need < wmax)) & (need >= 0) & same)
    if ix.size:
        pi, ki, loi, hii, ai, wi = (take_rows(x, ix) for x in (p, k, lo, hi, a, w))
        c, e, cert[ix] = fast_min_cost(pi, ki, loi, hii, binary, ai, wi, sf[ix], need[ix])
        cost[ix] = c
        put_rows(ext, ix, e)
    return wmax, same, cost, ext, cert


def _box_min_cost(
    p: FloatArray,
    k: FloatArray,
    loc: FloatArray,
    u: FloatArray,
    a: FloatArray,
    wc: FloatArray,
    sf: FloatArray,
    need: FloatArray,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """One on/off pattern's continuous box ``loc + [0, u]``: the cheapest extents above
    ``loc`` (``inf`` cost where out of reach) and whether the optimum is certified (see
    :func:`fast_min_cost`)."""
    B, m = p.shape
    C0 = np.sum(a * loc, axis=1)
    R = need - np.sum(p * loc, axis=1) - wc * np.minimum(C0, sf)
    S = np.maximum(sf - C0, 0.0)
    c0 = np.sum(k * loc, axis=1)
    reach = np.sum(p * u, axis=1) + wc * np.minimum(S, np.sum(a * u, axis=1))
    go = (R > 0) & (reach >= R * (1 - 1e-12))
    trade = go & (S > 0) & (wc > 0) & np.any(a * u > 0, axis=1)
    d = np.zeros((B, m))
    ok = (R <= 0) | go
    cert = np.ones(B, bool)
    if np.any(go):
        ix = np.flatnonzero(go)
        # plain rows (no trade left to fill): a fractional knapsack; trade rows: first the
        # relaxation that values all capacity at wc, optimal if it fits the shortfall
        val = p[ix] + np.where(trade[ix], wc[ix], 0.0)[:, None] * a[ix]
        x, _ = _knapsack(k[ix], val, u[ix], R[ix])
        fits = ~trade[ix] | (np.sum(a[ix] * x, axis=1) <= S[ix])
        d[ix[fits]] = x[fits]
        ix = ix[~fits]
        if ix.size:
            # the relaxation that fills the whole shortfall for free: optimal if the
            # extents it buys carry that much trade anyway
            x, _ = _knapsack(k[ix], p[ix], u[ix], R[ix] - wc[ix] * S[ix])
            carry = np.sum(a[ix] * x, axis=1) >= S[ix]
            d[ix[carry]] = x[carry]
            ix = ix[~carry]
        if ix.size:
            x, _, c_ok = _lp_trade(p[ix], k[ix], u[ix], a[ix], wc[ix], S[ix], R[ix])
            d[ix] = x
            cert[ix] = c_ok
    c = np.where(ok, c0 + np.sum(k * d, axis=1), np.inf)
    return c, d, cert | ~ok


def fast_max_value(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    budget: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Largest value of a package (empty, or within the bounds) costing at most ``budget``
    (levers without capacity: the incumbent's side)."""
    B, m = p.shape
    if _compiled(B, m):
        from realpolitik.models.realignment import package_kernels

        on = _pattern_multipliers(binary, m)
        return package_kernels.fast_max_value(p, k, lo, hi, on, budget)
    best_v = np.zeros(B)
    best_e = np.zeros((B, m))
    for sub in binary_subsets(binary):
        loc, hic = subset_bounds(lo, hi, binary, sub)
        v, e = _greedy_max_value(p, k, loc, hic, budget)
        better = v > best_v
        best_v = np.where(better, v, best_v)
        best_e = np.where(better[:, None], e, best_e)
    return best_v, best_e


def fast_max_values(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    budgets: FloatArray,
) -> FloatArray:
    """:func:`fast_max_value`'s value for each column of ``budgets`` (B, q), (B, q): compiled,
    each row's levers are ordered once for all the budgets (the same numbers)."""
    B, m = p.shape
    if _compiled(B, m):
        from realpolitik.models.realignment import package_kernels

        on = _pattern_multipliers(binary, m)
        return package_kernels.fast_max_values(p, k, lo, hi, on, budgets)
    out = np.empty((B, budgets.shape[1]))
    for t in range(budgets.shape[1]):
        out[:, t] = fast_max_value(p, k, lo, hi, binary, budgets[:, t])[0]
    return out


def box_max_value(
    p: FloatArray, hi: FloatArray, a: FloatArray, w: FloatArray, sf: FloatArray
) -> FloatArray:
    """Largest value P can get from one side's levers: every lever at its maximum (the value of
    a package never falls as a lever grows)."""
    return package_value_arrays(hi, p, a, w, sf)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level writes to file descriptor 1 (HiGHS prints from C++), restoring it even on
    errors."""
    try:
        sys.stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        try:
            import ctypes

            ctypes.CDLL(None).fflush(None)
        except (OSError, AttributeError, TypeError):
            pass
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class _HighsModel:
    """One block-diagonal MILP over the rows to solve: objective, constraint matrix and bounds,
    and the positions of each row's extents ``e`` and filled trade ``y``."""

    c: FloatArray
    A: Any  # scipy.sparse CSR matrix
    lb: FloatArray
    ub: FloatArray
    lbv: FloatArray
    ubv: FloatArray
    integrality: FloatArray
    ei: IntArray  # (n, m)
    yi: IntArray  # (n, m)


def _highs_model(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    a: FloatArray,
    w: FloatArray,
    sf: FloatArray,
    rhs: FloatArray,
    mode: str,
    payer: IntArray,
    budgets: FloatArray,
    rows: IntArray,
) -> _HighsModel:
    """Plan: per row, variables ``e, y, z`` and rows link, on/off up and down, trade cap, the
    main row (value or cost) and one budget row per payer, stacked block-diagonally."""
    from scipy.sparse import coo_matrix

    m = p.shape[1]
    npay = budgets.shape[1]
    n = rows.size
    pe, ke, ae, we = p[rows], k[rows], a[rows], w[rows]
    binm = np.broadcast_to(binary[None, :], (n, m))
    lo_r, hi_r = lo[rows], hi[rows]
    nv, nr = 3 * m, 3 * m + 2 + npay
    base = (np.arange(n) * nv)[:, None]
    ei, yi, zi = (base + off + np.arange(m)[None, :] for off in (0, m, 2 * m))
    rbase = (np.arange(n) * nr)[:, None]
    r_link, r_up, r_down = (rbase + off + np.arange(m)[None, :] for off in (0, m, 2 * m))
    r_cap = rbase[:, 0] + 3 * m
    r_main = rbase[:, 0] + 3 * m + 1
    r_pay = rbase + 3 * m + 2 + payer[None, :]
    ones = np.ones(n * m)
    min_cost = mode == "min_cost"
    entries = [  # (row indices, column indices, values)
        (r_link, yi, ones),
        (r_link, ei, -ae.ravel()),
        (r_up, ei, ones),
        (r_up, zi, -hi_r.ravel()),
        (r_down, ei, ones),
        (r_down, zi, -lo_r.ravel()),
        (np.repeat(r_cap, m), yi, ones),
        (np.repeat(r_main, m), ei, pe.ravel() if min_cost else ke.ravel()),
        (np.repeat(r_main, m), yi, we.ravel() if min_cost else np.zeros(n * m)),
        (r_pay, ei, ke.ravel()),
    ]
    I = np.concatenate([np.ravel(e[0]) for e in entries])  # noqa: E741 - row indices
    J = np.concatenate([np.ravel(e[1]) for e in entries])
    V = np.concatenate([e[2] for e in entries])
    A = coo_matrix((V, (I, J)), shape=(n * nr, n * nv)).tocsr()
    lb = np.full(n * nr, -np.inf)
    ub = np.full(n * nr, np.inf)
    ub[r_link.ravel()] = 0.0
    ub[r_up.ravel()] = np.where(binm.ravel(), 0.0, np.inf)
    lb[r_down.ravel()] = np.where(binm.ravel(), 0.0, -np.inf)
    ub[r_cap] = sf[rows]
    ub[(rbase + 3 * m + 2 + np.arange(npay)[None, :]).ravel()] = budgets[rows].ravel()
    c = np.zeros(n * nv)
    if min_cost:
        lb[r_main] = rhs[rows]
        c[ei.ravel()] = ke.ravel()
    else:
        ub[r_main] = rhs[rows]
        c[ei.ravel()] = -pe.ravel()
        c[yi.ravel()] = -we.ravel()
    lbv = np.zeros(n * nv)
    ubv = np.full(n * nv, np.inf)
    lbv[ei.ravel()] = np.where(binm, 0.0, lo_r).ravel()
    ubv[ei.ravel()] = hi_r.ravel()
    ubv[zi.ravel()] = np.where(binm, 1.0, 0.0).ravel()
    integ = np.zeros(n * nv)
    integ[zi.ravel()] = binm.ravel().astype(float)
    return _HighsModel(c, A, lb, ub, lbv, ubv, integ, ei, yi)


def _highs_run(model: _HighsModel) -> Any:
    """Execute: one call of HiGHS (through SciPy's ``milp``), its console output silenced."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    with _quiet_stdout():
        return milp(
            model.c,
            constraints=LinearConstraint(model.A, model.lb, model.ub),
            integrality=model.integrality,
            bounds=Bounds(model.lbv, model.ubv),
            options={"mip_rel_gap": 1e-12, "presolve": True, "disp": False},
        )


def highs_solve(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    a: FloatArray,
    w: FloatArray,
    sf: FloatArray,
    rhs: FloatArray,
    mode: str,
    payer: IntArray | None = None,
    budgets: FloatArray | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Solve every draw's problem in one block-diagonal MILP with HiGHS (the reference).

    Per draw, variables ``e`` (extents), ``y`` (trade per year each lever fills) and ``z`` (on/off
    indicators): ``y_i <= a_i e_i``, ``sum y <= sf``, ``y >= 0``; a continuous lever has
    ``lo <= e <= hi``; an on/off lever ``lo z <= e <= hi z`` with ``z`` in {0, 1}; value
    ``p e + w y``. ``mode='min_cost'``: minimise ``k e`` s.t. value ``>= rhs``;
    ``mode='max_value'``: maximise the value s.t. ``k e <= rhs``. ``payer`` (m,) column of each
    lever's payer and ``budgets`` (B, n_payers): each payer's cost at most its budget (``inf``:
    none). Returns (objective per draw, extents); rows with ``rhs`` NaN are skipped (objective
    NaN) and rows the budgets make infeasible get ``inf`` (min_cost) or NaN (max_value).
    """
    B, m = p.shape
    rows_ok = np.flatnonzero(np.isfinite(rhs))
    obj = np.full(B, np.nan)
    ext = np.zeros((B, m))
    if rows_ok.size == 0 or m == 0:
        if m == 0:
            obj[rows_ok] = 0.0
            if mode == "min_cost":
                obj[rows_ok] = np.where(rhs[rows_ok] <= 0, 0.0, np.inf)
        return obj, ext
    if payer is None or budgets is None:
        payer = np.zeros(m, int)
        budgets = np.full((B, 1), np.inf)
    model = _highs_model(p, k, lo, hi, binary, a, w, sf, rhs, mode, payer, budgets, rows_ok)
    res = _highs_run(model)
    if res.x is None:
        if res.status == 2 and rows_ok.size > 1:
            # some draw is infeasible under its budgets: solve the draws one by one
            for r in rows_ok:
                one = np.full(B, np.nan)
                one[r] = rhs[r]
                o, e = highs_solve(p, k, lo, hi, binary, a, w, sf, one, mode, payer, budgets)
                obj[r], ext[r] = o[r], e[r]
            return obj, ext
        if res.status == 2:
            obj[rows_ok] = np.inf if mode == "min_cost" else np.nan
            return obj, ext
        raise ModelError(f"HiGHS failed on the realignment problem: {res.message}")
    e, y = res.x[model.ei], res.x[model.yi]
    if mode == "min_cost":
        obj[rows_ok] = np.sum(k[rows_ok] * e, axis=1)
    else:
        obj[rows_ok] = np.sum(p[rows_ok] * e, axis=1) + np.sum(w[rows_ok] * y, axis=1)
    ext[rows_ok] = e
    return obj, ext


def _value_cuts(p: FloatArray, a: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The value of a package as the least of a few linear forms (the trade it fills, by LP
    duality: ``max {w y : 0 <= y <= a x, sum y <= sf} = min over nu in {0} U {w_i} of
    nu sf + sum (w_i - nu)+ a_i x_i``). Returns ``(coef (B, r, m), nu (B, r))``: the value is
    ``min_r coef_r x + nu_r sf``."""
    B, m = p.shape
    cap = np.flatnonzero(np.any(a > 0, axis=0)) if m else np.zeros(0, int)
    if cap.size == 0:
        return p[:, None, :], np.zeros((B, 1))
    wc, same = common_weight(a, w)
    nu = np.concatenate([np.zeros((B, 1)), wc[:, None] if np.all(same) else w[:, cap]], axis=1)
    coef = p[:, None, :] + np.maximum(w[:, None, :] - nu[:, :, None], 0.0) * a[:, None, :]
    return coef, nu


def budgeted_min_cost(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    a: FloatArray,
    w: FloatArray,
    sf: FloatArray,
    need: FloatArray,
    col: IntArray,
    budgets: FloatArray,
    rows: BoolArray,
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Cheapest package worth ``need`` with each payer's cost within its budget, for ``rows``
    (others, and rows no package satisfies: ``inf``), exactly and without HiGHS.

    Per on/off pattern one linear programme per row, all solved at once by the vectorised dual
    simplex of :mod:`realpolitik.models.realignment.simplex`: extents ``x = lo + d``,
    ``0 <= d <= hi - lo``; the value of the package (its direct value plus the trade it fills,
    concave in ``x``) at least ``need``, written as a few linear constraints
    (:func:`_value_cuts`); each payer's cost at most its budget (``budgets`` (B, n), payer of
    each lever ``col`` (m,)). The cheapest pattern wins. Returns ``(cost, extents, solved)``;
    ``solved`` is False only where the pivot limit was reached (for HiGHS).
    """
    from realpolitik.models.realignment.simplex import UNFINISHED, lp_min

    B, m = p.shape
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    solved = np.ones(B, bool)
    ix = np.flatnonzero(rows)
    if ix.size == 0:
        return cost, ext, solved
    n = budgets.shape[1]
    coef, nu = _value_cuts(take_rows(p, ix), take_rows(a, ix), take_rows(w, ix))
    owner = (col[None, :] == np.arange(n)[:, None]).astype(float)  # (n, m)
    k_ix = take_rows(k, ix)
    K = owner[None, :, :] * k_ix[:, None, :]  # (b, n, m)
    bud = np.maximum(take_rows(budgets, ix), 0.0)
    subs = binary_subsets(binary)
    nP = len(subs)
    lo_ix, hi_ix = take_rows(lo, ix), take_rows(hi, ix)
    los, his = zip(*(subset_bounds(lo_ix, hi_ix, binary, s) for s in subs), strict=True)
    lo_s, hi_s = np.concatenate(los), np.concatenate(his)  # (nP * b, m), pattern-major
    rep = lambda x: np.concatenate([x] * nP)  # noqa: E731
    coef_s, K_s, kk = rep(coef), rep(K), rep(k_ix)
    g = rep(need[ix, None] - nu * sf[ix, None]) - np.einsum("brm,bm->br", coef_s, lo_s)
    h = rep(bud) - np.einsum("bnm,bm->bn", K_s, lo_s)
    res = lp_min(kk, coef_s, g, K_s, h, hi_s - lo_s)
    c = (res.objective + np.sum(kk * lo_s, axis=1)).reshape(nP, ix.size)
    e = (lo_s + res.x).reshape(nP, ix.size, m)
    best = np.argmin(c, axis=0)
    r = np.arange(ix.size)
    cost[ix] = c[best, r]
    put_rows(ext, ix, np.where(np.isfinite(cost[ix])[:, None], e[best, r], 0.0))
    solved[ix] = ~np.any((res.status == UNFINISHED).reshape(nP, ix.size), axis=0)
    return cost, ext, solved


def budgeted_max_value(
    p: FloatArray,
    k: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    binary: BoolArray,
    col: IntArray,
    budgets: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Largest value of a package (empty, or within the bounds) with each payer's cost within
    its budget (``budgets`` (B, n), payer column of each lever ``col``; levers without
    capacity: the incumbent's side). Per on/off pattern the payers' levers are separate
    knapsacks (no trade couples them): a pattern is possible when every payer's lower bounds
    fit its budget, and its value is the sum of each payer's fractional knapsack."""
    B, m = p.shape
    if _compiled(B, m):
        from realpolitik.models.realignment import package_kernels

        on = _pattern_multipliers(binary, m)
        return package_kernels.budgeted_max_value(p, k, lo, hi, on, col, budgets)
    bud = np.maximum(budgets, 0.0)
    best_v = np.zeros(B)
    best_e = np.zeros((B, m))
    for sub in binary_subsets(binary):
        loc, hic = subset_bounds(lo, hi, binary, sub)
        v = np.zeros(B)
        e = loc.copy()
        for j in range(bud.shape[1]):
            mine = col == j
            if not np.any(mine):
                continue
            vj, ej = _greedy_max_value(
                p[:, mine], k[:, mine], loc[:, mine], hic[:, mine], bud[:, j]
            )
            v = v + vj
            e[:, mine] = ej
        better = v > best_v
        best_v = np.where(better, v, best_v)
        best_e = np.where(better[:, None], e, best_e)
    return best_v, best_e
