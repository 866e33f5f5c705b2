"""Compiled (Numba) twin of the levers' present-value factors (private; imported lazily).

:func:`~realpolitik.models.realignment.accounting.bid_accounts` finds, for each group of levers
that share a commitment form, the promise's survival year by year and two discounted sums of it
(``D_l`` and the PV of a unit of trade it fills). In NumPy that is about ten array operations
over ``(B, T)`` per group for every re-bid game of a simulation; here one loop over the draws.
The same operations in the same order give the same bits: the yearly factor ``(1 - r)(1 - s
q)``, the survival multiplied from the first year on (as ``np.cumprod``), the mixture with the
fallback form, and each row sum as NumPy reduces a contiguous row
(:func:`~realpolitik.models.realignment.package_kernels._row_sum`).
"""

from __future__ import annotations

import numpy as np

from realpolitik.models._numba import CACHE, njit
from realpolitik.models.realignment.package_kernels import _row_sum

__all__ = ["group_factors", "lever_factors", "weighted_survival"]

#: The kernels' arrays (NumPy float64 arrays; shapes in each docstring).
Array = np.ndarray


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _survive(r: float, s: float, q: Array, out: Array) -> None:  # pragma: no cover - compiled
    """``out[t]``: probability a promise of rates ``r``, ``s`` stands in year ``t + 1``."""
    for t in range(q.size):
        y = (1.0 - r) * (1.0 - s * q[t])
        out[t] = y if t == 0 else out[t - 1] * y


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _group_rows(
    w: Array,
    wR: Array,
    q: Array,
    form: Array,
    mixed: bool,
    dur: Array,
    tw: Array,
) -> None:  # pragma: no cover - compiled
    B, T = w.shape
    S, fb, buf = np.empty(T), np.empty(T), np.empty(T)
    for b in range(B):
        _survive(form[b, 0], form[b, 1], q[b], S)
        if mixed:
            _survive(form[b, 3], form[b, 4], q[b], fb)
            p = form[b, 2]
            for t in range(T):
                S[t] = p * S[t] + (1.0 - p) * fb[t]
        for t in range(T):
            buf[t] = w[b, t] * S[t]
        dur[b] = _row_sum(buf, T)
        for t in range(T):
            buf[t] = wR[b, t] * S[t]
        tw[b] = _row_sum(buf, T)


def group_factors(w: Array, wR: Array, q: Array, form: Array, mixed: bool) -> tuple[Array, Array]:
    """(B,) ``np.sum(w * S, axis=1)`` and ``np.sum(wR * S, axis=1)`` for the survival ``S``
    of a group's promise under the turnover ``q`` (B, T), as
    :func:`~realpolitik.models.realignment.accounting.lever_survival` finds it: ``form`` (B, 5)
    its annual and successor repudiation, the probability of the form, and the fallback's two
    rates (read only if ``mixed``, some probability below 1). ``w`` and ``wR`` (B, T)
    C-ordered."""
    dur, tw = np.empty(w.shape[0]), np.empty(w.shape[0])
    _group_rows(w, wR, q, form, mixed, dur, tw)
    return dur, tw


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _lever_rows(
    w: Array,
    wR: Array,
    qC: Array,
    qI: Array,
    forms: Array,
    courter: Array,
    mixed: Array,
    group: Array,
    dur: Array,
    tw: Array,
) -> None:  # pragma: no cover - compiled
    B, T = w.shape
    G, L = courter.size, group.size
    S, fb, buf = np.empty(T), np.empty(T), np.empty(T)
    d, t_ = np.empty(G), np.empty(G)
    for b in range(B):
        a, aR = _row_sum(w[b], T), _row_sum(wR[b], T)
        for g in range(G):
            q = qC[b] if courter[g] else qI[b]
            # as :func:`_group_rows` for one row of the group's form
            _survive(forms[b, g, 0], forms[b, g, 1], q, S)
            if mixed[g]:
                _survive(forms[b, g, 3], forms[b, g, 4], q, fb)
                p = forms[b, g, 2]
                for t in range(T):
                    S[t] = p * S[t] + (1.0 - p) * fb[t]
            for t in range(T):
                buf[t] = w[b, t] * S[t]
            d[g] = _row_sum(buf, T)
            for t in range(T):
                buf[t] = wR[b, t] * S[t]
            t_[g] = _row_sum(buf, T)
        for j in range(L):
            k = group[j]
            dur[b, j] = a if k < 0 else d[k]
            tw[b, j] = aR if k < 0 else t_[k]


def lever_factors(
    w: Array,
    wR: Array,
    qC: Array,
    qI: Array,
    forms: Array,
    courter: Array,
    mixed: Array,
    group: Array,
) -> tuple[Array, Array]:
    """(B, L) the two PV factors of every lever in one pass, as
    :func:`~realpolitik.models.realignment.accounting._lever_factors` finds them with
    :func:`group_factors` group by group: a lever of no group (``group[l] == -1``) has the
    row sums of ``w`` and ``wR`` (B, T); one of group ``g`` the sums of ``w * S`` and ``wR * S``
    for its group's survival ``S`` under ``qC`` (``courter[g]``) or ``qI``, with the form
    ``forms[:, g]`` (B, G', 5 with G' >= G; as :func:`group_factors` reads ``form``, the
    fallback if ``mixed[g]``). Every array C-ordered."""
    shape = (w.shape[0], group.size)
    dur, tw = np.empty(shape), np.empty(shape)
    _lever_rows(w, wR, qC, qI, forms, courter, mixed, group, dur, tw)
    return dur, tw


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _weighted_rows(
    w: Array, q: Array, r: Array, s: Array, scale: Array, out: Array
) -> None:  # pragma: no cover - compiled
    B, T = w.shape
    S = np.empty(T)
    for b in range(B):
        _survive(r[b], s[b], q[b], S)
        for t in range(T):
            out[b, t] = w[b, t] * S[t] * scale[b]


def weighted_survival(w: Array, q: Array, r: Array, s: Array, scale: Array) -> Array:
    """(B, T) ``w * S * scale[:, None]`` for the survival ``S`` of rates ``r``, ``s`` (B,)
    under the turnover ``q`` (B, T), as the accounts find the retaliation's discounted
    survival ``wR``."""
    out = np.empty(w.shape)
    _weighted_rows(w, q, r, s, scale, out)
    return out
