"""Compiled (Numba) twin of the accounts' present-value factors (private; imported lazily).

:func:`~realpolitik.models.realignment.accounting.bid_accounts` finds the annuity, the
retaliation's and the pivot's discounted survival, and for each group of levers that share a
commitment form the promise's survival year by year and two discounted sums of it (``D_l`` and
the PV of a unit of trade it fills), then each lever's PV value, cost and trade weight. In
NumPy that is about ten array operations over ``(B, T)`` per group and as many more for the
rest, for every re-bid game of a simulation; here one loop over the draws. The same operations
in the same order give the same bits: the yearly factor ``(1 - r)(1 - s q)``, the survival
multiplied from the first year on (as ``np.cumprod``), the mixture with the fallback form,
each row sum as NumPy reduces a contiguous row
(:func:`~realpolitik.models.realignment.package_kernels._row_sum`), each product with its
operands as NumPy pairs them."""

from __future__ import annotations

import numpy as np

from realpolitik._numba import CACHE, njit
from realpolitik.models.realignment.package_kernels import _row_sum

__all__ = ["core_factors"]

#: The kernels' arrays (NumPy float64 arrays; shapes in each docstring).
Array = np.ndarray


@njit(cache=CACHE, nogil=True, error_model="numpy", inline="always")
def _survive(r: float, s: float, q: Array, out: Array) -> None:  # pragma: no cover - compiled
    """``out[t]``: probability a promise of rates ``r``, ``s`` stands in year ``t + 1``."""
    for t in range(q.size):
        y = (1.0 - r) * (1.0 - s * q[t])
        out[t] = y if t == 0 else out[t - 1] * y


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _core_rows(
    w: Array,
    qC: Array,
    qI: Array,
    qP: Array,
    r: Array,
    s: Array,
    scale: Array,
    forms: Array,
    courter: Array,
    mixed: Array,
    group: Array,
    value: Array,
    cost: Array,
    gain: Array,
    sums: Array,
    per_lever: Array,
) -> None:  # pragma: no cover - compiled
    B, T = w.shape
    G, L = courter.size, group.size
    S, fb, buf, wR = np.empty(T), np.empty(T), np.empty(T), np.empty(T)
    d, t_ = np.empty(G), np.empty(G)
    for b in range(B):
        # the retaliation's discounted survival, as NumPy's ``w * S_R * credibility``
        _survive(r[b], s[b], qI[b], S)
        for t in range(T):
            wR[t] = w[b, t] * S[t] * scale[b]
        a, aR = _row_sum(w[b], T), _row_sum(wR, T)
        # the pivot's own alignment: its form is the last, certain
        _survive(forms[b, G, 0], forms[b, G, 1], qP[b], S)
        for t in range(T):
            buf[t] = w[b, t] * S[t]
        sums[0, b], sums[1, b], sums[2, b] = a, aR, _row_sum(buf, T)
        for g in range(G):
            q = qC[b] if courter[g] else qI[b]
            # :func:`~realpolitik.models.realignment.accounting.lever_survival` of one row
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
                buf[t] = wR[t] * S[t]
            t_[g] = _row_sum(buf, T)
        for j in range(L):
            k = group[j]
            dj = a if k < 0 else d[k]
            tj = aR if k < 0 else t_[k]
            per_lever[0, b, j] = dj
            per_lever[1, b, j] = tj
            per_lever[2, b, j] = value[b, j] * dj
            per_lever[3, b, j] = cost[b, j] * dj
            per_lever[4, b, j] = gain[b] * tj


def core_factors(
    w: Array,
    qC: Array,
    qI: Array,
    qP: Array,
    retaliation: tuple[Array, Array, Array],
    forms: Array,
    courter: Array,
    mixed: Array,
    group: Array,
    value: Array,
    cost: Array,
    gain: Array,
) -> tuple[Array, Array]:
    """The accounts' discounted factors in one pass over the draws, each as NumPy finds it:
    ``(3, B)`` the annuity ``w.sum(axis=1)``, the retaliation's PV factor ``D_R`` (the row
    sums of ``wR = w * S_R * credibility``, ``S_R`` the survival of ``retaliation``'s two
    rates under ``qI``) and the pivot's ``D_P`` (the last of ``forms``, under ``qP``); and
    ``(5, B, L)`` each lever's two factors, ``D_l`` and the PV of a unit of trade it fills
    (the row sums of ``w`` and ``wR``, or for a lever of group ``group[l] >= 0`` those of
    ``w * S`` and ``wR * S`` for the group's survival ``S`` under ``qC`` if ``courter`` of
    it, else ``qI``: the form ``forms[:, g]``, mixed with its fallback if ``mixed``), its PV value
    ``value * D_l``, cost ``cost * D_l`` and trade weight ``gain[:, None] * tw``. Every
    array C-ordered; ``w`` and the turnovers (B, T)."""
    B, L = w.shape[0], group.size
    sums, per_lever = np.empty((3, B)), np.empty((5, B, L))
    r, s, scale = retaliation
    _core_rows(
        w, qC, qI, qP, r, s, scale, forms, courter, mixed, group, value, cost, gain, sums,
        per_lever,
    )  # fmt: skip
    return sums, per_lever
