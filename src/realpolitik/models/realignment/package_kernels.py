"""Compiled (Numba) twins of the package solvers of :mod:`solvers` (private; imported lazily).

Each public function here takes the arguments of the NumPy function of the same name in
:mod:`realpolitik.models.realignment.solvers` and returns the same numbers, bit for bit: the
kernels loop over rows once, with a few small work arrays allocated per batch, and repeat NumPy's
arithmetic operation by operation and in NumPy's order. Three orders matter:

- a row sum (``np.sum(x, axis=1)`` on a ``(B, n)`` array) starts from ``0.0`` and adds the
  elements one by one when ``n < 8``, whatever the layout of ``x``; from 8 elements on, NumPy's
  order depends on the layout (eight interleaved partial sums added pairwise when rows are
  contiguous, :func:`_row_sum`'s second branch; from the left otherwise), so the solvers send
  sides of more than six levers (``solvers.COMPILED_MAX_LEVERS``; the LP adds one term) to NumPy;
- ``np.cumsum`` adds from the left, its first element copied;
- ``argsort(kind="stable")`` keeps equal keys in column order and puts NaN last
  (:func:`_argsort`, an insertion sort: the rows hold a handful of levers).

``np.minimum``, ``np.maximum`` and ``np.clip`` return NaN when either side is NaN
(:func:`_minimum`, :func:`_maximum`). Fastmath stays off, so no multiply-add is fused.

The helpers that work on one row are inlined into the loops over rows (``inline="always"``):
a call that is not inlined takes a reference to every array it is passed and gives it back
(atomic counts), which costs more than the arithmetic on a row of a few levers.
The on/off patterns are passed in as a ``(patterns, m)`` array of 0/1 multipliers (``on``), built by
:mod:`solvers` from :func:`~realpolitik.models.realignment.solvers.binary_subsets`.
"""

from __future__ import annotations

import numpy as np

from realpolitik._numba import CACHE, njit

#: The kernels' arrays (NumPy float64, int64 or bool arrays; shapes in each docstring).
Array = np.ndarray

_INF = np.inf


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _row_sum(x: Array, n: int) -> float:
    """``np.sum`` of ``x[:n]`` as NumPy reduces a row of ``n <= 128`` elements."""
    if n < 8:
        s = 0.0
        for i in range(n):
            s += x[i]
        return s
    r0, r1, r2, r3 = x[0], x[1], x[2], x[3]
    r4, r5, r6, r7 = x[4], x[5], x[6], x[7]
    i = 8
    while i + 8 <= n:
        r0 += x[i]
        r1 += x[i + 1]
        r2 += x[i + 2]
        r3 += x[i + 3]
        r4 += x[i + 4]
        r5 += x[i + 5]
        r6 += x[i + 6]
        r7 += x[i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += x[i]
        i += 1
    return float(0.0 + res)


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _row_dot(x: Array, y: Array, n: int, buf: Array) -> float:
    """``np.sum(x * y, axis=1)`` for one row (``buf`` holds the products)."""
    for i in range(n):
        buf[i] = x[i] * y[i]
    return _row_sum(buf, n)


@njit(cache=CACHE, nogil=True, inline="always")
def _minimum(x: float, y: float) -> float:
    """``np.minimum`` of two floats (NaN if either is)."""
    if x != x:
        return x
    if y != y:
        return y
    return x if x <= y else y


@njit(cache=CACHE, nogil=True, inline="always")
def _maximum(x: float, y: float) -> float:
    """``np.maximum`` (and ``np.clip`` with one bound) of two floats (NaN if either is)."""
    if x != x:
        return x
    if y != y:
        return y
    return x if x >= y else y


@njit(cache=CACHE, nogil=True, inline="always")
def _before(x: float, y: float) -> bool:
    """NumPy's sort order: ``x`` before ``y`` (NaN after every number)."""
    return x < y or (y != y and x == x)


@njit(cache=CACHE, nogil=True, inline="always")
def _argsort(key: Array, n: int, order: Array) -> None:
    """``np.argsort(key[:n], kind="stable")`` into ``order[:n]`` (insertion sort)."""
    for i in range(n):
        order[i] = i
    for i in range(1, n):
        oi = order[i]
        ki = key[oi]
        j = i
        while j > 0 and _before(ki, key[order[j - 1]]):
            order[j] = order[j - 1]
            j -= 1
        order[j] = oi


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _knapsack_row(
    cost: Array, val: Array, U: Array, R: float, n: int, x: Array, order: Array, buf: Array
) -> bool:
    """One row of ``solvers._knapsack`` over ``n`` items: ``x[:n]`` and whether ``R`` is met."""
    for j in range(n):
        neg = cost[j] < 0 and U[j] > 0
        x[j] = U[j] if neg else 0.0
        buf[j] = val[j] * x[j]
    rem = R - _row_sum(buf, n)
    for j in range(n):
        usable = not (cost[j] < 0 and U[j] > 0) and val[j] > 0 and U[j] > 0
        buf[j] = cost[j] / val[j] if usable else _INF
    _argsort(buf, n, order)
    cum = 0.0
    before = 0.0
    dv = 0.0
    for i in range(n):
        o = order[i]
        usable = not (cost[o] < 0 and U[o] > 0) and val[o] > 0 and U[o] > 0
        dv = val[o] * U[o] if usable else 0.0
        cum = dv if i == 0 else cum + dv
        before = cum - dv
        short = _maximum(rem - before, 0.0)
        frac = _minimum(short / dv, 1.0) if dv > 0 else 0.0
        x[o] = x[o] + frac * U[o]
    total = before + dv if n > 0 else 0.0
    return rem <= total * (1 + 1e-12)


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _lp_vertex(
    p: Array, k: Array, u: Array, a: Array, wc: float, S: float, R: float, lk: Array
) -> tuple[float, float, float]:
    """The best vertex of ``solvers._lp_trade``'s dual for one row: ``(D*, mu*, lambda*)``.

    ``lk`` (3, m + 2) work rows for the lines' coefficients ``LA``, ``LB``, ``LK``."""
    m = p.shape[0]
    for j in range(m):
        lk[0, j], lk[1, j], lk[2, j] = p[j], a[j], k[j]
    lk[0, m], lk[1, m], lk[2, m] = wc, -1.0, 0.0
    lk[0, m + 1], lk[1, m + 1], lk[2, m + 1] = 0.0, 1.0, 0.0
    best_d, best_mu, best_lam = 0.0, 0.0, 0.0
    first = True
    for i1 in range(m + 2):
        for i2 in range(i1 + 1, m + 2):
            A1, A2, B1, B2 = lk[0, i1], lk[0, i2], lk[1, i1], lk[1, i2]
            K1, K2 = lk[2, i1], lk[2, i2]
            det = A1 * B2 - A2 * B1
            okd = abs(det) > 1e-12 * (abs(A1 * B2) + abs(A2 * B1))
            sd = det if okd else 1.0
            mu = (K1 * B2 - K2 * B1) / sd
            lam = (A1 * K2 - A2 * K1) / sd
            tol = 1e-12 * (1.0 + abs(mu) + abs(lam))
            valid = okd and mu >= -tol and lam >= -tol
            mu, lam = _maximum(mu, 0.0), _maximum(lam, 0.0)
            D = mu * R - S * _maximum(wc * mu - lam, 0.0)
            for j in range(m):
                D -= u[j] * _maximum(p[j] * mu + a[j] * lam - k[j], 0.0)
            if not valid:
                D = -_INF
            # np.argmax: the first NaN, else the first largest
            if first or (best_d == best_d and (D != D or D > best_d)):
                best_d, best_mu, best_lam = D, mu, lam
                first = False
    return best_d, best_mu, best_lam


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _lp_residual(
    p: Array, k: Array, u: Array, a: Array, wc: float, S: float, R: float, lm: float,
    x: Array, work: Array, order: Array,
) -> float:  # fmt: skip
    """``at(lm)`` of ``solvers._lp_trade``: the Lagrangian knapsack at ``lm`` into ``x[:m+1]``;
    returns the link's residual ``t - a d``. ``work`` (4, m + 1) work rows."""
    m = p.shape[0]
    for j in range(m):
        work[0, j] = k[j] - lm * a[j]
        work[1, j] = p[j]
        work[2, j] = u[j]
    work[0, m], work[1, m], work[2, m] = lm, wc, S
    _knapsack_row(work[0], work[1], work[2], R, m + 1, x, order, work[3])
    return float(x[m] - _row_dot(a, x, m, work[3]))


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _lp_trade_row(
    p: Array, k: Array, u: Array, a: Array, wc: float, S: float, R: float,
    d: Array, work: Array, order: Array,
) -> bool:  # fmt: skip
    """One row of ``solvers._lp_trade``: extents into ``d[:m]``; returns ``certified``.

    ``work`` (9, m + 2) work rows."""
    m = p.shape[0]
    dstar, mus, lams = _lp_vertex(p, k, u, a, wc, S, R, work[0:3])
    eta = 1e-10 * (lams + mus * wc) + 1e-300
    x_lo, x_hi = work[3], work[4]
    r_lo = _lp_residual(p, k, u, a, wc, S, R, _maximum(lams - eta, 0.0), x_lo, work[5:9], order)
    r_hi = _lp_residual(p, k, u, a, wc, S, R, lams + eta, x_hi, work[5:9], order)
    if r_lo <= 0:
        theta = 1.0
    elif r_hi >= 0:
        theta = 0.0
    else:
        theta = -r_hi / (r_lo - r_hi if r_lo > r_hi else 1.0)
    for j in range(m + 1):
        x_lo[j] = theta * x_lo[j] + (1 - theta) * x_hi[j]
    for j in range(m):
        d[j] = x_lo[j]
    buf = work[5]
    t = _minimum(x_lo[m], _row_dot(a, d, m, buf))
    cost = _row_dot(k, d, m, buf)
    value = _row_dot(p, d, m, buf) + wc * t
    scale = abs(cost) + abs(dstar) + 1e-300
    return (
        (cost - dstar <= 1e-9 * scale)
        and (value >= R - 1e-9 * abs(R))
        and (dstar == dstar and abs(dstar) != _INF)
    )


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _box_row(
    p: Array, k: Array, loc: Array, u: Array, a: Array, wc: float, sf: float, need: float,
    d: Array, buf: Array, val: Array, x: Array, work: Array, order: Array,
) -> tuple[float, bool]:  # fmt: skip
    """One row of ``solvers._box_min_cost``: extents above ``loc`` into ``d[:m]``; returns
    ``(cost, certified)``. ``buf``, ``val``, ``x`` (m + 2,) and ``work`` (9, m + 2): work
    space, passed whole (a view taken here, once per pattern, would cost an atomic reference
    count in and out)."""
    m = p.shape[0]
    C0 = _row_dot(a, loc, m, buf)
    R = need - _row_dot(p, loc, m, buf) - wc * _minimum(C0, sf)
    S = _maximum(sf - C0, 0.0)
    c0 = _row_dot(k, loc, m, buf)
    reach = _row_dot(p, u, m, buf) + wc * _minimum(S, _row_dot(a, u, m, buf))
    go = R > 0 and reach >= R * (1 - 1e-12)
    any_au = False
    for j in range(m):
        d[j] = 0.0
        if a[j] * u[j] > 0:
            any_au = True
    trade = go and S > 0 and wc > 0 and any_au
    ok = R <= 0 or go
    cert = True
    # plain rows: one knapsack; trade rows: first the relaxation valuing all capacity at wc
    # (it fits if the capacity bought stays within the shortfall), then the one filling the
    # shortfall for free (it fits if the extents bought carry it), else the LP. One knapsack
    # call site in a loop: each inlined copy adds to the compile time.
    wt = wc if trade else 0.0
    for attempt in range(2 if go else 0):
        for j in range(m):
            val[j] = p[j] + wt * a[j] if attempt == 0 else p[j]
        _knapsack_row(k, val, u, R if attempt == 0 else R - wc * S, m, x, order, buf)
        carried = _row_dot(a, x, m, buf)
        if (attempt == 0 and (not trade or carried <= S)) or (attempt == 1 and carried >= S):
            for j in range(m):
                d[j] = x[j]
            break
        if attempt == 1:
            cert = _lp_trade_row(p, k, u, a, wc, S, R, d, work, order)
    c = c0 + _row_dot(k, d, m, buf) if ok else _INF
    return c, cert or not ok


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _weight_row(a: Array, w: Array) -> tuple[float, bool]:
    """One row of ``solvers.common_weight``: the shared trade weight and whether it is shared."""
    wmax, wmin = -_INF, _INF
    any_cap = False
    for j in range(a.shape[0]):
        has = a[j] > 0
        any_cap = any_cap or has
        v = w[j] if has else -_INF
        if wmax == wmax and (v != v or v > wmax):
            wmax = v
        v = w[j] if has else _INF
        if wmin == wmin and (v != v or v < wmin):
            wmin = v
    same = not any_cap or (wmax - wmin <= 1e-12 * abs(wmax))
    return (wmax if any_cap else 0.0), same


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _common_weight_rows(a: Array, w: Array, wc: Array, same: Array) -> None:
    """``solvers.common_weight`` over the rows of ``a``, ``w`` (B, m) into ``wc``, ``same``."""
    for b in range(a.shape[0]):
        wc[b], same[b] = _weight_row(a[b], w[b])


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _min_cost_row(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, a: Array, w: Array, sf: float,
    need: float, ext: Array, loc: Array, u: Array, d: Array, buf: Array, val: Array, x: Array,
    work: Array, order: Array,
) -> tuple[float, bool]:  # fmt: skip
    """One row of ``solvers.fast_min_cost``: the extents into ``ext[:m]``; returns ``(cost,
    certified)`` (``loc``, ``u``, ``d`` (m,), ``buf``, ``val``, ``x`` (m + 2,), ``work``
    (9, m + 2), ``order``: work space)."""
    m = p.shape[0]
    wc, _ = _weight_row(a, w)
    best = _INF
    ok = True
    for j in range(m):
        ext[j] = 0.0
    for s in range(on.shape[0]):
        for j in range(m):
            loc[j] = lo[j] * on[s, j]
            u[j] = hi[j] * on[s, j] - loc[j]
        c, c_ok = _box_row(p, k, loc, u, a, wc, sf, need, d, buf, val, x, work, order)
        if c < best:
            best = c
            for j in range(m):
                ext[j] = loc[j] + d[j]
        ok = ok and c_ok
    return best, ok


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _fast_min_cost_rows(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, a: Array, w: Array, sf: Array,
    need: Array, cost: Array, ext: Array, cert: Array,
) -> None:  # fmt: skip
    """``solvers.fast_min_cost`` row by row into ``cost`` (B,), ``ext`` (B, m), ``cert`` (B,)."""
    B, m = p.shape
    loc, u, d = np.empty(m), np.empty(m), np.empty(m)
    buf, val, x = np.empty(m + 2), np.empty(m + 2), np.empty(m + 2)
    work = np.empty((9, m + 2))
    order = np.empty(m + 2, np.int64)
    for b in range(B):
        cost[b], cert[b] = _min_cost_row(
            p[b], k[b], lo[b], hi[b], on, a[b], w[b], sf[b], need[b], ext[b], loc, u, d,
            buf, val, x, work, order,
        )  # fmt: skip


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _screened_min_cost_rows(
    src: Array, p: Array, k: Array, lo: Array, hi: Array, on: Array, a: Array, w: Array,
    cols: Array, sf: Array, need: Array, wmax: Array, same: Array, cost: Array, ext: Array,
    cert: Array,
) -> None:  # fmt: skip
    """``solvers.screened_min_cost``, row ``r`` reading the levers' row ``src[r]`` (``cols``:
    the capacity columns of all the levers' rows). No row views (``p[b]``): each counts a
    reference to its array, atomically, in and out, more than a row's arithmetic; the row's
    levers are copied into work rows for the knapsack rows (the same numbers)."""
    m = p.shape[1]
    nc = cols.shape[0]
    loc, u, d, y = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    rows = np.empty((7, m))  # the row's p, k, lo, hi, a, w and extents
    rp, rk, rlo, rhi, ra, rw, ext_r = rows[0], rows[1], rows[2], rows[3], rows[4], rows[5], rows[6]
    buf, val, x = np.empty(m + 2), np.empty(m + 2), np.empty(m + 2)
    work = np.empty((9, m + 2))
    order = np.empty(m + 2, np.int64)
    key, fill_order = np.empty(max(nc, 1)), np.empty(max(nc, 1), np.int64)
    for r in range(src.shape[0]):
        b = src[r]
        s_r = sf[r]
        # package_value_rows of the maximum package: the direct value (a row sum from 0.0,
        # fewer than eight levers) plus the trade it fills (_fill_row on the row in place)
        v = 0.0
        for j in range(m):
            v += p[b, j] * hi[b, j]
            y[j] = 0.0
        # with no capacity column the direct value alone (not even + 0.0: -0.0 stays)
        if nc == 1:
            c = cols[0]
            y[c] = _minimum(a[b, c] * hi[b, c], _maximum(s_r, 0.0))
        elif nc > 1:
            for i in range(nc):
                key[i] = -w[b, cols[i]]
            _argsort(key, nc, fill_order)
            cum = 0.0
            for i in range(nc):
                c = cols[fill_order[i]]
                cu = a[b, c] * hi[b, c]
                cum = cu if i == 0 else cum + cu
                y[c] = _minimum(cu, _maximum(s_r - (cum - cu), 0.0))
        if nc > 0:
            t = 0.0
            for j in range(m):
                t += w[b, j] * y[j]
            v = v + t
        wmax[r] = v
        # common_weight's row
        wmx, wmn = -_INF, _INF
        any_cap = False
        for j in range(m):
            has = a[b, j] > 0
            any_cap = any_cap or has
            wv = w[b, j] if has else -_INF
            if wmx == wmx and (wv != wv or wv > wmx):
                wmx = wv
            wv = w[b, j] if has else _INF
            if wmn == wmn and (wv != wv or wv < wmn):
                wmn = wv
        shared = not any_cap or (wmx - wmn <= 1e-12 * abs(wmx))
        same[r] = shared
        nd = need[r]
        # the feasible rows that need a package (NaN needs none), as the caller decides
        if (nd < 0 or nd < v) and nd >= 0 and shared:
            for j in range(m):
                rp[j], rk[j], rlo[j] = p[b, j], k[b, j], lo[b, j]
                rhi[j], ra[j], rw[j] = hi[b, j], a[b, j], w[b, j]
            c_r, ok_r = _min_cost_row(
                rp, rk, rlo, rhi, on, ra, rw, s_r, nd, ext_r, loc, u, d, buf, val, x, work,
                order,
            )  # fmt: skip
            cost[r], cert[r] = c_r, ok_r
            for j in range(m):
                ext[r, j] = ext_r[j]
        else:
            cost[r], cert[r] = _INF, True
            for j in range(m):
                ext[r, j] = 0.0


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _greedy_order(
    p: Array, k: Array, lo: Array, n: int, order: Array, buf: Array
) -> tuple[float, float]:
    """The budget-free half of ``solvers._greedy_max_value``'s row over ``n`` levers: the
    levers by cost per unit of value into ``order[:n]``; returns the lower bounds' value and
    cost ``(v0, c0)``."""
    v0 = _row_dot(p, lo, n, buf)
    c0 = _row_dot(k, lo, n, buf)
    for j in range(n):
        buf[j] = k[j] / p[j] if p[j] > 0 else _INF
    _argsort(buf, n, order)
    return v0, c0


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _greedy_fill(
    p: Array, k: Array, lo: Array, hi: Array, budget: float, n: int, e: Array, order: Array,
    buf: Array, v0: float, c0: float,
) -> float:  # fmt: skip
    """The rest of the row for one budget, in the order of :func:`_greedy_order`: extents
    into ``e[:n]``; returns the value."""
    R = budget - c0
    cum = 0.0
    for i in range(n):
        o = order[i]
        de = hi[o] - lo[o] if p[o] > 0 else 0.0
        dc = k[o] * de
        cum = dc if i == 0 else cum + dc
        room = _maximum(R - (cum - dc), 0.0)
        frac = _minimum(room / dc, 1.0) if dc > 0 else 1.0
        if not (de > 0 and R >= 0):
            frac = 0.0
        buf[i] = frac * (p[o] * de)
        e[o] = lo[o] + frac * de
    return v0 + _row_sum(buf, n) if R >= 0 else -_INF


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _greedy_row(
    p: Array, k: Array, lo: Array, hi: Array, budget: float, n: int, e: Array, order: Array,
    buf: Array,
) -> float:  # fmt: skip
    """One row of ``solvers._greedy_max_value`` over ``n`` levers: extents into ``e[:n]``;
    returns the value."""
    v0, c0 = _greedy_order(p, k, lo, n, order, buf)
    return _greedy_fill(p, k, lo, hi, budget, n, e, order, buf, v0, c0)


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _fast_max_value_rows(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, budget: Array, value: Array, ext: Array
) -> None:
    """``solvers.fast_max_value`` row by row into ``value`` (B,) and ``ext`` (B, m)."""
    B, m = p.shape
    loc, hic, e, buf = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    order = np.empty(m, np.int64)
    for b in range(B):
        best = 0.0
        for j in range(m):
            ext[b, j] = 0.0
        for s in range(on.shape[0]):
            for j in range(m):
                loc[j] = lo[b, j] * on[s, j]
                hic[j] = hi[b, j] * on[s, j]
            v = _greedy_row(p[b], k[b], loc, hic, budget[b], m, e, order, buf)
            if v > best:
                best = v
                ext[b, :] = e
        value[b] = best


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _fast_max_values_rows(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, budgets: Array, value: Array
) -> None:
    """``solvers.fast_max_value``'s values for each column of ``budgets`` (B, q) into
    ``value`` (B, q): per row and pattern the levers are ordered once, then filled for each
    budget (the same operations as one call per budget). The row's values and costs are
    copied into work rows, not viewed (a view counts a reference to its array, atomically)."""
    B, m = p.shape
    q = budgets.shape[1]
    loc, hic, e, buf = np.empty(m), np.empty(m), np.empty(m), np.empty(m)
    rp, rk = np.empty(m), np.empty(m)
    order = np.empty(m, np.int64)
    for b in range(B):
        for t in range(q):
            value[b, t] = 0.0
        for j in range(m):
            rp[j] = p[b, j]
            rk[j] = k[b, j]
        for s in range(on.shape[0]):
            for j in range(m):
                loc[j] = lo[b, j] * on[s, j]
                hic[j] = hi[b, j] * on[s, j]
            v0, c0 = _greedy_order(rp, rk, loc, m, order, buf)
            for t in range(q):
                v = _greedy_fill(rp, rk, loc, hic, budgets[b, t], m, e, order, buf, v0, c0)
                if v > value[b, t]:
                    value[b, t] = v


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _budgeted_max_value_rows(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, payers: Array, counts: Array,
    budgets: Array, value: Array, ext: Array,
) -> None:  # fmt: skip
    """``solvers.budgeted_max_value`` row by row; ``payers[j, :counts[j]]`` are payer ``j``'s
    lever columns (payers without levers: count 0)."""
    B, m = p.shape
    loc, hic, e = np.empty(m), np.empty(m), np.empty(m)
    work = np.empty((6, m))
    order = np.empty(m, np.int64)
    for b in range(B):
        best = 0.0
        for j in range(m):
            ext[b, j] = 0.0
        for s in range(on.shape[0]):
            for j in range(m):
                loc[j] = lo[b, j] * on[s, j]
                hic[j] = hi[b, j] * on[s, j]
                e[j] = loc[j]
            v = 0.0
            for q in range(payers.shape[0]):
                n = counts[q]
                if n == 0:
                    continue
                for i in range(n):
                    c = payers[q, i]
                    work[0, i], work[1, i] = p[b, c], k[b, c]
                    work[2, i], work[3, i] = loc[c], hic[c]
                bud = _maximum(budgets[b, q], 0.0)
                vq = _greedy_row(
                    work[0], work[1], work[2], work[3], bud, n, work[4], order, work[5]
                )
                v = v + vq
                for i in range(n):
                    e[payers[q, i]] = work[4, i]
            if v > best:
                best = v
                ext[b, :] = e
        value[b] = best


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _fill_row(x: Array, a: Array, w: Array, sf: float, cols: Array, y: Array, work: Array,
              order: Array) -> None:  # fmt: skip
    """One row of ``solvers.trade_fill`` (``cols``: the batch's capacity columns, at least one)
    into ``y[:m]``. ``work`` (2, len(cols)) work rows."""
    for j in range(y.shape[0]):
        y[j] = 0.0
    nc = cols.shape[0]
    if nc == 1:
        c = cols[0]
        y[c] = _minimum(a[c] * x[c], _maximum(sf, 0.0))
        return
    key = work[0]
    for i in range(nc):
        key[i] = -w[cols[i]]
    _argsort(key, nc, order)
    cum = 0.0
    for i in range(nc):
        c = cols[order[i]]
        cu = a[c] * x[c]
        cum = cu if i == 0 else cum + cu
        y[c] = _minimum(cu, _maximum(sf - (cum - cu), 0.0))


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _trade_fill_rows(x: Array, a: Array, w: Array, sf: Array, cols: Array, y: Array) -> None:
    """``solvers.trade_fill`` row by row into ``y`` (B, m)."""
    nc = cols.shape[0]
    work = np.empty((1, nc))
    order = np.empty(nc, np.int64)
    for b in range(x.shape[0]):
        _fill_row(x[b], a[b], w[b], sf[b], cols, y[b], work, order)


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _package_value_rows(
    x: Array, p: Array, a: Array, w: Array, sf: Array, cols: Array, out: Array
) -> None:
    """``solvers.package_value_arrays`` row by row into ``out`` (B,)."""
    B, m = x.shape
    nc = cols.shape[0]
    y, buf = np.empty(m), np.empty(m)
    work = np.empty((1, max(nc, 1)))
    order = np.empty(max(nc, 1), np.int64)
    for b in range(B):
        direct = _row_dot(p[b], x[b], m, buf)
        if nc == 0:
            out[b] = direct
        else:
            _fill_row(x[b], a[b], w[b], sf[b], cols, y, work, order)
            out[b] = direct + _row_dot(w[b], y, m, buf)


def _f64(x: Array) -> Array:
    """``x`` as a float64 array (no copy when it is one, strided or not: the kernels take any
    strides)."""
    return np.asarray(x, dtype=np.float64)


def _like(x: Array, shape: tuple[int, ...]) -> Array:
    """``x`` as a float64 array of ``shape`` (broadcast, and then copied, only if need be)."""
    x = _f64(x)
    if x.shape != shape:
        x = np.ascontiguousarray(np.broadcast_to(x, shape))
    return x


def _rows_of(x: Array, shape: tuple[int, int]) -> Array:
    """``x`` as a C-ordered float64 array of ``shape``: a kernel reading whole rows reads them
    from consecutive memory. A side's arrays are columns picked out of the problem's, each
    lever a stride of the whole batch away from the next; a copy costs less than those reads
    (the numbers do not depend on the layout)."""
    return np.ascontiguousarray(_like(x, shape))


def capacity_columns(a: Array) -> Array:
    """The columns where some row has capacity (``trade_fill``'s ``cols``)."""
    if not a.size:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.any(a > 0, axis=0)).astype(np.int64)


def common_weight(a: Array, w: Array) -> tuple[Array, Array]:
    """Compiled :func:`~realpolitik.models.realignment.solvers.common_weight`."""
    B = a.shape[0]
    if not np.any(a > 0):  # as NumPy: no lever with capacity, nothing to share
        return np.zeros(B), np.ones(B, np.bool_)
    wc, same = np.empty(B), np.empty(B, np.bool_)
    _common_weight_rows(_f64(a), _like(w, a.shape), wc, same)
    return wc, same


def fast_min_cost(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, a: Array, w: Array, sf: Array,
    need: Array,
) -> tuple[Array, Array, Array]:  # fmt: skip
    """Compiled :func:`~realpolitik.models.realignment.solvers.fast_min_cost` (``on``: the
    on/off patterns as multipliers)."""
    B, m = p.shape
    cost, ext, cert = np.empty(B), np.empty((B, m)), np.empty(B, np.bool_)
    p, k, lo, hi, a, w = (_like(v, (B, m)) for v in (p, k, lo, hi, a, w))
    _fast_min_cost_rows(
        p, k, lo, hi, _f64(on), a, w, _like(sf, (B,)), _like(need, (B,)), cost, ext, cert
    )
    return cost, ext, cert


def screened_min_cost(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, a: Array, w: Array, sf: Array,
    need: Array, src: Array,
) -> tuple[Array, Array, Array, Array, Array]:  # fmt: skip
    """Compiled :func:`~realpolitik.models.realignment.solvers.screened_min_cost` (``on``: the
    on/off patterns as multipliers)."""
    B, m = p.shape
    R = need.shape[0]
    wmax, same = np.empty(R), np.empty(R, np.bool_)
    cost, ext, cert = np.empty(R), np.empty((R, m)), np.empty(R, np.bool_)
    # the capacity columns of the levers' rows: those of any batch of rows drawn from them
    # with every row at least once (``package_value_arrays`` of such a batch reads them)
    cols = capacity_columns(a)
    p, k, lo, hi, a, w = (_rows_of(v, (B, m)) for v in (p, k, lo, hi, a, w))
    _screened_min_cost_rows(
        np.asarray(src, np.int64), p, k, lo, hi, _f64(on), a, w, cols, _like(sf, (R,)),
        _like(need, (R,)), wmax, same, cost, ext, cert,
    )  # fmt: skip
    return wmax, same, cost, ext, cert


def fast_max_value(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, budget: Array
) -> tuple[Array, Array]:
    """Compiled :func:`~realpolitik.models.realignment.solvers.fast_max_value`."""
    B, m = p.shape
    value, ext = np.empty(B), np.empty((B, m))
    p, k, lo, hi = (_like(v, (B, m)) for v in (p, k, lo, hi))
    _fast_max_value_rows(p, k, lo, hi, _f64(on), _like(budget, (B,)), value, ext)
    return value, ext


def fast_max_values(p: Array, k: Array, lo: Array, hi: Array, on: Array, budgets: Array) -> Array:
    """Compiled :func:`~realpolitik.models.realignment.solvers.fast_max_values`."""
    B, m = p.shape
    value = np.empty((B, budgets.shape[1]))
    p, k, lo, hi = (_rows_of(v, (B, m)) for v in (p, k, lo, hi))
    _fast_max_values_rows(p, k, lo, hi, _f64(on), _f64(budgets), value)
    return value


def budgeted_max_value(
    p: Array, k: Array, lo: Array, hi: Array, on: Array, col: Array, budgets: Array
) -> tuple[Array, Array]:
    """Compiled :func:`~realpolitik.models.realignment.solvers.budgeted_max_value`."""
    B, m = p.shape
    n = budgets.shape[1]
    payers = np.zeros((n, max(m, 1)), np.int64)
    counts = np.zeros(n, np.int64)
    for j in range(n):
        mine = np.flatnonzero(np.asarray(col) == j)
        payers[j, : mine.size] = mine
        counts[j] = mine.size
    value, ext = np.empty(B), np.empty((B, m))
    p, k, lo, hi = (_like(v, (B, m)) for v in (p, k, lo, hi))
    _budgeted_max_value_rows(p, k, lo, hi, _f64(on), payers, counts, _f64(budgets), value, ext)
    return value, ext


def trade_fill(x: Array, a: Array, w: Array, sf: Array) -> Array:
    """Compiled :func:`~realpolitik.models.realignment.solvers.trade_fill`."""
    x = _f64(x)
    y = np.zeros(x.shape)
    cols = capacity_columns(a)
    if cols.size == 1:  # one capacity lever: NumPy's two vectorised passes beat a row loop
        c = cols[0]
        y[:, c] = np.minimum(a[:, c] * x[:, c], np.maximum(sf, 0.0))
    elif cols.size:
        a, w, sf = _like(a, x.shape), _like(w, x.shape), _like(sf, x.shape[:1])
        _trade_fill_rows(x, a, w, sf, cols, y)
    return y


def package_value_arrays(x: Array, p: Array, a: Array, w: Array, sf: Array) -> Array:
    """Compiled :func:`~realpolitik.models.realignment.solvers.package_value_arrays`."""
    cols = capacity_columns(a)
    if not cols.size:  # the direct value alone: one vectorised product beats a loop over rows
        direct: Array = np.sum(p * x, axis=1)
        return direct
    x = _f64(x)
    out = np.empty(x.shape[0])
    p, a, w = (_like(v, x.shape) for v in (p, a, w))
    sf = _like(sf, x.shape[:1])
    _package_value_rows(x, p, a, w, sf, cols, out)
    return out
