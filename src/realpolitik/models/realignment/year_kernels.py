"""Compiled (Numba) twins of the simulation's yearly bookkeeping (private; imported lazily).

:mod:`~realpolitik.models.realignment.simulate` spends much of a year outside the re-bid games:
the changes of government and the lapses of promises, the yearly value of the promises standing
on every path, and the re-choice of the paths that do not bid again. In NumPy each of these is a
few dozen calls over short rows (a path's levers or options); here each is one loop over the
paths. The public functions take what the NumPy functions of the same name read and give the
same numbers bit for bit: the same operations in the same order (a row sum as NumPy reduces a
row, :func:`~realpolitik.models.realignment.package_kernels._row_sum`; the stable sort of the
capacity levers by their trade value; ``np.minimum`` / ``np.maximum`` with NaN); the only
transcendental function, the discount factor's power, is found by NumPy before the call.
"""

from __future__ import annotations

import numpy as np

from realpolitik._numba import CACHE, njit
from realpolitik.models.realignment.package_kernels import (
    _argsort,
    _maximum,
    _minimum,
    _row_sum,
)

__all__ = ["lapses", "standing_values", "rechoose", "rebid_fields", "known_rows"]

#: The kernels' arrays (NumPy float64, int64, int8 or bool arrays; shapes in each docstring).
Array = np.ndarray


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _lapse_rows(
    q: Array,
    t: int,
    u: Array,
    draw: Array,
    giver: Array,
    rep: Array,
    srep: Array,
    extent: Array,
    successor: Array,
    event: Array,
) -> None:  # pragma: no cover - compiled
    n, L = extent.shape
    for i in range(n):
        b = draw[i]
        c0 = u[0, i] < q[0, b, t]
        c1 = u[1, i] < q[1, b, t]
        c2 = u[2, i] < q[2, b, t]
        if c2:
            successor[i] = True
        ev = c0 or c1 or c2
        for j in range(L):
            g = c0 if giver[j] == 0 else c1
            keep = (1.0 - rep[i, j]) * (1.0 - srep[i, j] * (1.0 if g else 0.0))
            if extent[i, j] > 0 and u[3 + j, i] >= keep:
                extent[i, j] = 0.0
                ev = True
        event[i] = ev


def lapses(
    q: Array,
    t: int,
    u: Array,
    draw: Array,
    giver: Array,
    rep: Array,
    srep: Array,
    extent: Array,
    successor: Array,
) -> Array:
    """Year ``t + 1``'s changes of government and lapses on every path, in place, as
    :func:`~realpolitik.models.realignment.simulate._turnover_and_lapses` with ``rows=None``:
    ``q`` (3, B, T) courter's, incumbent's and pivot's probability of a change, ``u`` (3 + L, n)
    the year's uniform numbers, ``draw`` (n,) each path's draw, ``giver`` (L,) 0 for a courter's
    lever and 1 for an incumbent's, ``rep`` / ``srep`` (n, L) the promises' repudiation rates;
    ``extent`` (n, L) and ``successor`` (n,) are updated. Returns (n,) whether each path had an
    event."""
    event = np.zeros(draw.size, np.bool_)
    _lapse_rows(q, t, u, draw, giver, rep, srep, extent, successor, event)
    return event


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _capacity_at(
    extent: Array, target: Array, draw: Array, filling: Array, capacity: Array
) -> tuple[Array, Array]:  # pragma: no cover - compiled
    """Each path's capacity on the filling levers, and for hedge / courter the filling levers
    some path holds a promise with capacity on (the columns the NumPy code sorts)."""
    n, K = draw.size, filling.size
    cap = np.empty((n, K))
    at = np.zeros((2, K), np.bool_)
    for i in range(n):
        for k in range(K):
            c = capacity[draw[i], k] * extent[i, filling[k]]
            cap[i, k] = c
            o = target[i, filling[k]]
            if c > 0 and (o == 1 or o == 2):
                at[o - 1, k] = True
    return cap, at


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _standing_rows(
    extent: Array,
    unit_value: Array,
    unit_trade: Array,
    target: Array,
    incumbent: Array,
    filling: Array,
    cap: Array,
    at: Array,
    shortfall: Array,
    out: Array,
) -> None:  # pragma: no cover - compiled
    n, L = extent.shape
    K = filling.size
    direct, buf = np.empty(L), np.empty(L)
    w, a, key = np.empty(K), np.empty(K), np.empty(K)
    order = np.empty(K, np.int64)
    for i in range(n):
        for j in range(L):
            direct[j] = extent[i, j] * unit_value[i, j]
            buf[j] = direct[j] if incumbent[j] else 0.0
        out[i, 0] = _row_sum(buf, L)
        for o in range(1, 3):
            for j in range(L):
                buf[j] = direct[j] if target[i, j] == o else 0.0
            v = _row_sum(buf, L)
            nc = 0
            for k in range(K):
                if at[o - 1, k]:
                    mine = target[i, filling[k]] == o
                    w[nc] = unit_trade[i, filling[k]] if mine else 0.0
                    a[nc] = cap[i, k] if mine else 0.0
                    key[nc] = -w[nc]
                    nc += 1
            if nc > 0:
                _argsort(key, nc, order)
                room = shortfall[i, o - 1]
                for r in range(nc):
                    y = _minimum(a[order[r]], room)
                    v = v + w[order[r]] * y
                    room = room - y
            out[i, o] = v


def standing_values(
    extent: Array,
    unit_value: Array,
    unit_trade: Array,
    target: Array,
    draw: Array,
    incumbent: Array,
    filling: Array,
    capacity: Array,
    shortfall: Array,
) -> Array:
    """(n, 3) :func:`~realpolitik.models.realignment.simulate._standing_values` of the paths
    whose state is ``extent``, ``unit_value``, ``unit_trade`` and ``target`` (n, L), of the
    draws ``draw``: ``incumbent`` (L,) the incumbent's levers, ``filling`` (K,) the levers that
    add capacity on some draw and ``capacity`` (B, K) their capacity, ``shortfall`` (n, 2)."""
    cap, at = _capacity_at(extent, target, draw, filling, capacity)
    out = np.zeros((draw.size, 3))
    _standing_rows(
        extent, unit_value, unit_trade, target, incumbent, filling, cap, at, shortfall, out
    )
    return out


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _rechoose_rows(
    draw: Array,
    option: Array,
    successor: Array,
    standing: Array,
    flow: Array,
    shift: Array,
    weights: Array,
    t: int,
    growth: Array,
    switching: Array,
    closed: Array,
    blocks: Array,
    base: Array,
    trade: Array,
    edge_share: float,
    out: Array,
) -> None:  # pragma: no cover - compiled
    T = weights.shape[1]
    v, buf = np.empty(3), np.empty(3)
    for i in range(draw.size):
        b, succ, here_at = draw[i], successor[i], option[i]
        left = _row_sum(weights[b, t:], T - t) * growth[i]
        sc0, sc1 = switching[b, 0], switching[b, 1]
        rest = _maximum(sc1 - sc0, 0.0)
        for o in range(3):
            f = flow[b, o] + ((0.0 if o == 0 else shift[b, o - 1]) if succ else 0.0)
            f = f + standing[i, o]
            if here_at == 0:
                move = 0.0 if o == 0 else (sc0 if o == 1 else sc1)
            elif here_at == 1:
                move = rest if o == 2 else 0.0
            else:
                move = 0.0
            v[o] = f * left - move
            buf[o] = abs(standing[i, o])
        for o in range(1, 3):
            if closed[b, o - 1] and not (blocks[b, o - 1] and succ):
                v[o] = -np.inf
        best = 0
        for o in range(1, 3):
            if v[o] > v[best] or (v[o] != v[o] and v[best] == v[best]):
                best = o
        top = v[best] if v[best] == v[best] else np.nan
        scale = (base[b] + _row_sum(buf, 3)) + trade[b]
        edge = edge_share * scale * left
        out[i] = best if top > v[here_at] + edge else here_at


def rechoose(
    draw: Array,
    option: Array,
    successor: Array,
    standing: Array,
    flow: Array,
    shift: Array,
    weights: Array,
    t: int,
    growth: Array,
    switching: Array,
    closed: Array,
    blocks: Array,
    tie: tuple[Array, Array],
    edge_share: float,
) -> Array:
    """(m,) P's option after :func:`~realpolitik.models.realignment.simulate._rechoose` on
    paths of the draws ``draw`` where P holds ``option`` (successor government ``successor``,
    standing values ``standing`` (m, 3)): ``flow`` (B, 3), ``shift`` (B, 2) the successor's
    shift, ``weights`` (B, T) the discount weights (C-ordered), ``growth`` (m,) ``(1 +
    rho)^t``, ``switching`` (B, 2), ``closed`` and ``blocks`` (B, 2) the options closed in year
    1 and those a demand on P's regime closes, ``tie`` the tie rule's fixed parts per draw,
    ``edge_share`` twice the tie rule's relative edge."""
    out = np.empty(draw.size, option.dtype)
    _rechoose_rows(
        draw, option, successor, standing, flow, shift, np.ascontiguousarray(weights), t,
        growth, switching, closed, blocks, tie[0], tie[1], edge_share, out,
    )  # fmt: skip
    return out


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _apply_rows(
    rows: Array,
    courter: Array,
    incumbent: Array,
    target: Array,
    package: Array,
    counter: Array,
    unit_value: Array,
    unit_trade: Array,
    outcome: Array,
    state: tuple[Array, Array, Array, Array, Array],
) -> None:  # pragma: no cover - compiled
    extent, value, trade, tgt, option = state
    for r in range(rows.size):
        i = rows[r]
        for c in range(courter.size):
            x = package[r, c] if target[r] > 0 else 0.0
            if x > 0:
                j = courter[c]
                extent[i, j] = x
                value[i, j] = unit_value[r, j]
                trade[i, j] = unit_trade[r, j]
                tgt[i, j] = target[r]
        for c in range(incumbent.size):
            x = counter[r, c]
            if x > 0:
                j = incumbent[c]
                extent[i, j] = x
                value[i, j] = unit_value[r, j]
                trade[i, j] = unit_trade[r, j]
                tgt[i, j] = 0
        option[i] = outcome[r]


def apply_bids(
    rows: Array,
    courter: Array,
    incumbent: Array,
    target: Array,
    package: Array,
    counter: Array,
    unit_value: Array,
    unit_trade: Array,
    outcome: Array,
    state: tuple[Array, Array, Array, Array, Array],
) -> None:
    """:func:`~realpolitik.models.realignment.simulate._apply_bids` in place: on the paths
    ``rows`` (m,), the offers made (``target`` (m,) the courter's offer target, ``package``
    (m, Lc) on the levers ``courter``, ``counter`` (m, Li) on the levers ``incumbent``, each
    lever's yearly values ``unit_value`` and ``unit_trade`` (m, L)) replace the promises they
    cover, and P holds ``outcome``; ``state`` the paths' ``extent``, ``unit_value``,
    ``unit_trade``, ``target`` (n, L) and ``option`` (n,)."""
    _apply_rows(
        rows, courter, incumbent, target, package, counter, unit_value, unit_trade, outcome, state
    )


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _rebid_rows(
    draw: Array,
    standing: Array,
    option: Array,
    successor: Array,
    busy: Array,
    left: Array,
    base: Array,
    trade: Array,
    components: Array,
    successor_shift: Array,
    switching_cost: Array,
    incumbent: Array,
    lever_min: Array,
    lever_max: Array,
    incumbent_value: Array,
    ally: Array,
    payer_value: Array,
    regime_blocks: Array,
    keep_tie: float,
    comps: Array,
    move: Array,
    lo: Array,
    hi: Array,
    iv: Array,
    pv: Array,
    blocks: Array,
) -> None:  # pragma: no cover - compiled
    m, L = busy.shape
    K, P = components.shape[1], ally.size
    buf, held = np.empty(3), np.empty(3)
    for i in range(m):
        b = draw[i]
        for o in range(3):
            buf[o] = abs(standing[i, o])
        edge = keep_tie * ((base[b] + _row_sum(buf, 3)) + trade[b])
        for o in range(3):
            held[o] = standing[i, o] + edge * (1.0 if o == option[i] else 0.0)
        for k in range(K):
            comps[i, k, 0] = components[b, k, 0]
            comps[i, k, 1] = components[b, k, 1]
        comps[i, K, 0] = held[1] - held[0]
        comps[i, K, 1] = held[2] - held[0]
        comps[i, K + 1, 0] = successor_shift[b, 0] if successor[i] else 0.0
        comps[i, K + 1, 1] = successor_shift[b, 1] if successor[i] else 0.0
        sc0, sc1 = switching_cost[b, 0], switching_cost[b, 1]
        rest = _maximum(sc1 - sc0, 0.0)
        at_stay, at_hedge = option[i] == 0, option[i] == 1
        move[i, 0] = sc0 if at_stay else 0.0
        move[i, 1] = sc1 if at_stay else (rest if at_hedge else 0.0)
        f = left[i]
        for j in range(L):
            x = lever_max[b, j] * f if incumbent[j] else lever_max[b, j]
            x = 0.0 if busy[i, j] else x
            hi[i, j] = x
            lo[i, j] = _minimum(lever_min[b, j], x)
        iv[i, 0] = incumbent_value[b, 0] * f
        iv[i, 1] = incumbent_value[b, 1] * f
        for p in range(P):
            for o in range(2):
                v = payer_value[b, p, o]
                pv[i, p, o] = v * f if ally[p] else v
        blocks[i, 0] = regime_blocks[b, 0] and not successor[i]
        blocks[i, 1] = regime_blocks[b, 1] and not successor[i]


def rebid_fields(
    draw: Array,
    standing: Array,
    option: Array,
    successor: Array,
    busy: Array,
    left: Array,
    tie: tuple[Array, Array],
    year1: tuple[Array, ...],
    incumbent: Array,
    ally: Array,
    keep_tie: float,
) -> tuple[Array, ...]:
    """The fields of a re-bid game that
    :func:`~realpolitik.models.realignment.simulate.rebid_problem` derives from the year-1
    problem, in one loop over its ``m`` paths, as its NumPy code finds them: ``(components,
    switching_cost, lever_min, lever_max, incumbent_value, payer_value, regime_blocks)``.

    ``draw`` (m,) each path's draw, ``standing`` (m, 3), ``option`` (m,), ``successor`` (m,),
    ``busy`` (m, L) its state; ``left`` (m,) the incumbent side's remaining share (NumPy's
    power, found before the call); ``tie`` the year-1 problem's two fixed parts of the tie
    scale (B,); ``year1`` its ``components`` (B, K, 2), ``successor_shift`` (B, 2),
    ``switching_cost`` (B, 2), ``lever_min``, ``lever_max`` (B, L), ``incumbent_value``
    (B, 2), ``payer_value`` (B, P, 2) and ``regime_blocks`` (B, 2), C-ordered;
    ``incumbent`` (L,) and ``ally`` (P,) the levers and payers of the incumbent's side."""
    m, L = busy.shape
    components, successor_shift, switching_cost, lever_min, lever_max, iv, pv, rb = year1
    K, P = components.shape[1], ally.size
    comps, move = np.empty((m, K + 2, 2)), np.empty((m, 2))
    lo, hi = np.empty((m, L)), np.empty((m, L))
    iv_out, pv_out = np.empty((m, 2)), np.empty((m, P, 2))
    blocks = np.empty((m, 2), np.bool_)
    _rebid_rows(
        draw, standing, option, successor, busy, left, tie[0], tie[1], components,
        successor_shift, switching_cost, incumbent, lever_min, lever_max, iv, ally, pv, rb,
        keep_tie, comps, move, lo, hi, iv_out, pv_out, blocks,
    )  # fmt: skip
    return comps, move, lo, hi, iv_out, pv_out, blocks


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _known_rows(
    draw: Array,
    horizon: Array,
    s: int,
    weights: Array,
    turnover: Array,
    components_sum: Array,
    comps: Array,
    forms: Array,
    w: Array,
    q: Array,
    comp: Array,
    forms_out: Array,
) -> None:  # pragma: no cover - compiled
    m, T = q.shape[1], q.shape[2]
    K = comps.shape[1] - 2
    G5 = forms.shape[1]
    for i in range(m):
        b = draw[i]
        if w.shape[1] > 0:
            for j in range(T):
                w[i, j] = weights[b, j] if j + 1 <= horizon[i] else 0.0
        for k in range(3):
            for j in range(T):
                q[k, i, j] = turnover[b, k, s + j]
        if comp.shape[0] > 0:  # empty when the game has no components of its own (K == 0)
            for o in range(2):
                comp[i, o] = (components_sum[b, o] + comps[i, K, o]) + comps[i, K + 1, o]
        for g in range(G5):
            for k in range(forms.shape[2]):
                forms_out[i, g, k] = forms[b, g, k]


def known_rows(
    draw: Array,
    horizon: Array,
    s: int,
    T: int,
    weights: Array | None,
    turnover: Array,
    components_sum: Array | None,
    comps: Array,
    forms: Array,
) -> tuple[Array | None, Array, Array | None, Array]:
    """What :meth:`~realpolitik.models.realignment.simulate._Reused.known` gathers for a
    re-bid game of the draws ``draw`` (m,) with horizons ``horizon`` (m,) and ``T`` years,
    ``s`` years on, in one loop over its rows: ``w`` (m, T) the first ``T`` of ``weights``
    (B, T0), zero beyond each horizon (``None`` if ``weights`` is); ``q`` (3, m, T) the
    ``turnover`` (B, 3, T0 + 1) from year ``s`` on; ``comp`` (m, 2) ``components_sum`` (B, 2)
    plus the game's two added components (the last two of ``comps`` (m, K + 2, 2), added in
    order; ``None`` if ``components_sum`` is); and the rows of ``forms`` (B, G + 1, 5)."""
    m = draw.size
    w = np.empty((m, T if weights is not None else 0))
    q = np.empty((3, m, T))
    comp = np.empty((m if components_sum is not None else 0, 2))
    forms_out = np.empty((m, forms.shape[1], forms.shape[2]))
    _known_rows(
        draw, horizon, s, weights if weights is not None else np.empty((0, 0)), turnover,
        components_sum if components_sum is not None else np.empty((0, 2)), comps, forms, w,
        q, comp, forms_out,
    )  # fmt: skip
    return (
        w if weights is not None else None,
        q,
        comp if components_sum is not None else None,
        forms_out,
    )
