"""Numba kernels for landscape theory and triad dynamics (private; imported lazily by
:mod:`landscape` and :mod:`balance`).

Spin convention used by every kernel: ``sigma_i = +1`` for coalition 0 and ``-1`` for coalition 1;
``J`` is the symmetric coupling matrix ``s_i s_j p_ij`` with a zero diagonal and ``g`` the field
(Galam's ``b_i eps_i``). The energy of a configuration is

    E = sum_{i != j} J_ij d_ij - sum_i g_i sigma_i = C - 1/2 sigma' J sigma - g' sigma,

with ``C = 1/2 sum_ij J_ij``, and switching actor ``k`` changes it by ``2 sigma_k (h_k + g_k)``
where ``h = J sigma`` is the local field.

A state is coded by an integer whose bit ``q`` is 1 when actor ``q + off`` is in coalition 1.
With no field, ``off = 1`` (actor 0 stays in coalition 0 because E(X) = E(-X)); with a field,
``off = 0`` and all ``2^n`` states are coded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import prange

from realpolitik._numba import CACHE, njit

#: The kernels' arrays (NumPy arrays; shapes and dtypes in each docstring).
Array = np.ndarray


@njit(cache=CACHE, inline="always")
def _ctz(t: int | np.integer[Any]) -> int:
    q = 0
    while (t >> q) & 1 == 0:
        q += 1
    return q


@njit(cache=CACHE)
def _block_start(
    J: np.ndarray,
    g: np.ndarray,
    code: int | np.integer[Any],
    nfree: int,
    off: int,
    sigma: np.ndarray,
    h: np.ndarray,
) -> float:
    """Set sigma and h for the state ``code`` from scratch; return its energy."""
    n = J.shape[0]
    for i in range(n):
        sigma[i] = 1.0
    for q in range(nfree):
        if (code >> q) & 1:
            sigma[q + off] = -1.0
    e = 0.0
    for i in range(n):
        acc = 0.0
        for j in range(n):
            acc += J[i, j] * sigma[j]
        h[i] = acc
    for i in range(n):
        for j in range(n):
            e += J[i, j] * (1.0 - sigma[i] * sigma[j])
    e *= 0.5
    for i in range(n):
        e -= g[i] * sigma[i]
    return e


@njit(parallel=True, cache=CACHE)
def scan(
    J: np.ndarray,
    g: np.ndarray,
    nfree: int,
    block_bits: int,
    blocks: np.ndarray,
    tol: float,
    cap: int,
    want_energy: bool,
    want_succ: bool,
    energy_out: np.ndarray,
    succ_out: np.ndarray,
    min_code: np.ndarray,
    min_energy: np.ndarray,
    min_count: np.ndarray,
) -> None:
    """Enumerate the states of the given blocks in Gray-code order.

    Each block of ``2^block_bits`` consecutive Gray-code positions starts from a state computed
    from scratch (so rounding cannot drift across blocks) and then flips one actor per step,
    updating the local fields in O(n). For every state it records, as asked: its energy
    (``energy_out[code]``), its steepest-descent successor (``succ_out[code]``), and, if no
    switch lowers the energy by more than ``tol``, the state in the block's list of minima
    (at most ``cap`` per block; ``min_count`` holds the true count so overflow can be redone).
    """
    n = J.shape[0]
    off = n - nfree
    full = (np.int64(1) << nfree) - 1
    bsize = np.int64(1) << block_bits
    for bi in prange(blocks.shape[0]):
        b = blocks[bi]
        sigma = np.empty(n)
        h = np.empty(n)
        t0 = np.int64(b) * bsize
        code = t0 ^ (t0 >> 1)
        e = _block_start(J, g, code, nfree, off, sigma, h)
        cnt = 0
        for step in range(bsize):
            if step > 0:
                t = t0 + step
                q = _ctz(t)
                k = q + off
                s_old = sigma[k]
                e += 2.0 * s_old * (h[k] + g[k])
                sigma[k] = -s_old
                f = -2.0 * s_old
                for j in range(n):
                    h[j] += f * J[k, j]
                code ^= np.int64(1) << q
            if want_succ:
                best = -tol
                bestk = -1
                for j in range(n):
                    d = 2.0 * sigma[j] * (h[j] + g[j])
                    if d < best:
                        best = d
                        bestk = j
                is_min = bestk < 0
                if is_min:
                    succ_out[code] = code
                elif bestk >= off:
                    succ_out[code] = code ^ (np.int64(1) << (bestk - off))
                else:  # actor 0 switches: the canonical twin is the complement of the others
                    succ_out[code] = code ^ full
            else:
                lo = 0.0
                for j in range(n):
                    d = sigma[j] * (h[j] + g[j])
                    lo = min(lo, d)
                is_min = 2.0 * lo >= -tol
            if want_energy:
                energy_out[code] = e
            if is_min:
                if cnt < cap:
                    min_code[bi, cnt] = code
                    min_energy[bi, cnt] = e
                cnt += 1
        min_count[bi] = cnt


@njit(parallel=True, cache=CACHE)
def compress(succ: np.ndarray) -> None:
    """Replace every successor by the end of its descent path (in place; returns nothing).

    Concurrent writes only ever replace a pointer by a later point of the same path, so every
    value read while chasing is still on the path and the result is exact.
    """
    nstate = succ.shape[0]
    for i in prange(nstate):
        r = succ[i]
        while succ[r] != r:
            r = succ[r]
        succ[i] = r


@njit(parallel=True, cache=CACHE)
def basin_counts(roots: np.ndarray, minima_sorted: np.ndarray, nchunks: int) -> np.ndarray:
    """Count how many states end in each minimum (``minima_sorted`` ascending)."""
    m = minima_sorted.shape[0]
    nstate = roots.shape[0]
    counts = np.zeros((nchunks, m), dtype=np.int64)
    step = (nstate + nchunks - 1) // nchunks
    for c in prange(nchunks):
        lo = c * step
        hi = min(nstate, lo + step)
        for i in range(lo, hi):
            r = roots[i]
            a = 0
            b = m
            while a < b:
                mid = (a + b) >> 1
                if minima_sorted[mid] < r:
                    a = mid + 1
                else:
                    b = mid
            if a < m and minima_sorted[a] == r:
                counts[c, a] += 1
    total: np.ndarray = counts.sum(axis=0)
    return total


@njit(cache=CACHE, inline="always")
def _splitmix(state: np.ndarray) -> float:
    """One step of SplitMix64 on a uint64 array cell; returns a float in [0, 1)."""
    state[0] += np.uint64(0x9E3779B97F4A7C15)
    z = state[0]
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    u: float = (z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
    return u


@njit(parallel=True, cache=CACHE)
def random_order_descent(
    J: np.ndarray, g: np.ndarray, seeds: np.ndarray, tol: float, off: int
) -> np.ndarray:
    """Descend from random states, switching a uniformly chosen improving actor each step.

    Returns the final states as spin rows (n_samples, n), canonicalised so that actor 0 is in
    coalition 0 when ``off == 1`` (no field).
    """
    n = J.shape[0]
    ns = seeds.shape[0]
    out = np.empty((ns, n), dtype=np.int8)
    for s in prange(ns):
        st = np.empty(1, dtype=np.uint64)
        st[0] = seeds[s]
        sigma = np.empty(n)
        for i in range(n):
            sigma[i] = 1.0 if _splitmix(st) < 0.5 else -1.0
        h = J @ sigma
        cand = np.empty(n, dtype=np.int64)
        while True:
            nc = 0
            for j in range(n):
                if 2.0 * sigma[j] * (h[j] + g[j]) < -tol:
                    cand[nc] = j
                    nc += 1
            if nc == 0:
                break
            k = cand[min(nc - 1, int(_splitmix(st) * nc))]
            f = -2.0 * sigma[k]
            sigma[k] = -sigma[k]
            for j in range(n):
                h[j] += f * J[k, j]
        flip = off == 1 and sigma[0] < 0
        for i in range(n):
            v = -sigma[i] if flip else sigma[i]
            out[s, i] = 0 if v > 0 else 1
    return out


@njit(parallel=True, cache=CACHE)
def anneal(
    J: Array, g: Array, k: int, seeds: Array, sweeps: int, t_hot: float, t_cold: float, tol: float
) -> tuple[Array, Array]:
    """Simulated annealing for k coalitions followed by steepest descent, one run per seed.

    Each proposal moves a random actor to a random other coalition; Metropolis acceptance at a
    temperature falling geometrically from ``t_hot`` to ``t_cold`` over ``sweeps`` sweeps of n
    proposals. The field ``g`` acts only when k == 2 (coalition 0 is spin +1). Returns labels
    (n_runs, n) and energies.
    """
    n = J.shape[0]
    nr = seeds.shape[0]
    labels = np.empty((nr, n), dtype=np.int8)
    energies = np.empty(nr)
    total = 0.0
    for i in range(n):
        for j in range(n):
            total += J[i, j]
    for r in prange(nr):
        st = np.empty(1, dtype=np.uint64)
        st[0] = seeds[r]
        c = np.empty(n, dtype=np.int64)
        for i in range(n):
            c[i] = min(k - 1, int(_splitmix(st) * k))
        # M[i, a] = sum_j J_ij [c_j == a]
        M = np.zeros((n, k))
        for i in range(n):
            for j in range(n):
                M[i, c[j]] += J[i, j]
        nsteps = sweeps * n
        ratio = (t_cold / t_hot) ** (1.0 / max(1, nsteps - 1))
        temp = t_hot
        for _ in range(nsteps):
            i = min(n - 1, int(_splitmix(st) * n))
            a = min(k - 2, int(_splitmix(st) * (k - 1)))
            if a >= c[i]:
                a += 1
            d = 2.0 * (M[i, c[i]] - M[i, a])
            if k == 2:
                d += 2.0 * g[i] * (1.0 if c[i] == 0 else -1.0)
            if d <= 0.0 or _splitmix(st) < np.exp(-d / temp):
                old = c[i]
                c[i] = a
                for j in range(n):
                    M[j, old] -= J[j, i]
                    M[j, a] += J[j, i]
            temp *= ratio
        # steepest descent to a local minimum (moves to existing or empty coalitions)
        while True:
            best = -tol
            bi = -1
            ba = -1
            for i in range(n):
                for a in range(k):
                    if a == c[i]:
                        continue
                    d = 2.0 * (M[i, c[i]] - M[i, a])
                    if k == 2:
                        d += 2.0 * g[i] * (1.0 if c[i] == 0 else -1.0)
                    if d < best:
                        best = d
                        bi = i
                        ba = a
            if bi < 0:
                break
            old = c[bi]
            c[bi] = ba
            for j in range(n):
                M[j, old] -= J[j, bi]
                M[j, ba] += J[j, bi]
        e = total
        for i in range(n):
            e -= M[i, c[i]]
        if k == 2:
            for i in range(n):
                e -= g[i] * (1.0 if c[i] == 0 else -1.0)
        energies[r] = e
        for i in range(n):
            labels[r, i] = c[i]
    return labels, energies


@njit(cache=CACHE)
def potts_scan(
    J: np.ndarray, k: int, tol: float, max_out: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """Enumerate partitions of n actors into at most k coalitions (restricted growth strings).

    Labels are canonical: actor 0 is in coalition 0 and each actor's label is at most one more
    than the largest label before it. A partition is a local minimum when no actor's move to
    another existing coalition, or to an empty one if fewer than k are used, lowers the energy
    by more than ``tol``. Returns (labels of minima, their energies, number of partitions).
    """
    n = J.shape[0]
    c = np.zeros(n, dtype=np.int64)
    mx = np.zeros(n, dtype=np.int64)  # mx[i] = max label among actors 0..i
    out_l = np.empty((max_out, n), dtype=np.int8)
    out_e = np.empty(max_out)
    nout = 0
    count = 0
    total = 0.0
    for i in range(n):
        for j in range(n):
            total += J[i, j]
    M = np.zeros((n, k))
    while True:
        count += 1
        M[:, :] = 0.0
        for i in range(n):
            for j in range(n):
                M[i, c[j]] += J[i, j]
        used = mx[n - 1] + 1
        ok = True
        for i in range(n):
            if not ok:
                break
            for a in range(min(k, used + 1)):
                if a == c[i]:
                    continue
                if 2.0 * (M[i, c[i]] - M[i, a]) < -tol:
                    ok = False
                    break
        if ok and nout < max_out:
            e = total
            for i in range(n):
                e -= M[i, c[i]]
            out_e[nout] = e
            for i in range(n):
                out_l[nout, i] = c[i]
            nout += 1
        # next restricted growth string
        i = n - 1
        while i > 0:
            if c[i] < k - 1 and c[i] <= mx[i - 1]:
                break
            i -= 1
        if i == 0:
            break
        c[i] += 1
        mx[i] = max(mx[i - 1], c[i])
        for j in range(i + 1, n):
            c[j] = 0
            mx[j] = mx[i]
    return out_l[:nout], out_e[:nout], count


# ----------------------------------------------------------------------------- triad dynamics
# (kept here so that the package has one private Numba module to compile and cache)


@njit(cache=CACHE)
def _toggle_triads(
    e: int,
    te: np.ndarray,
    signs: np.ndarray,
    ptr: np.ndarray,
    members: np.ndarray,
    pos: np.ndarray,
    lst: np.ndarray,
    cnt: int,
) -> int:
    """Flip relation e and update the set of imbalanced triads; return the new set size."""
    signs[e] = -signs[e]
    for q in range(ptr[e], ptr[e + 1]):
        t = members[q]
        if pos[t] >= 0:  # was imbalanced: remove (swap with last)
            last = lst[cnt - 1]
            lst[pos[t]] = last
            pos[last] = pos[t]
            pos[t] = -1
            cnt -= 1
        else:
            lst[cnt] = t
            pos[t] = cnt
            cnt += 1
    return cnt


@njit(cache=CACHE)
def _init_set(signs: np.ndarray, te: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    T = te.shape[0]
    pos = -np.ones(T, dtype=np.int64)
    lst = np.empty(T, dtype=np.int64)
    cnt = 0
    for t in range(T):
        if signs[te[t, 0]] * signs[te[t, 1]] * signs[te[t, 2]] < 0:
            lst[cnt] = t
            pos[t] = cnt
            cnt += 1
    return pos, lst, cnt


@njit(cache=CACHE)
def _trace_row(trace: np.ndarray, r: int, step: int, signs: np.ndarray, cnt: int) -> None:
    m = signs.shape[0]
    npos = 0
    for e in range(m):
        if signs[e] > 0:
            npos += 1
    trace[r, 0] = step
    trace[r, 1] = npos / m if m else 0.0
    trace[r, 2] = cnt


@njit(cache=CACHE)
def ltd(
    signs: np.ndarray,
    te: np.ndarray,
    ptr: np.ndarray,
    members: np.ndarray,
    p: float,
    max_steps: int,
    seed: int | np.unsignedinteger[Any],
    record_every: int,
) -> tuple[int, np.ndarray]:
    """Local triad dynamics; see :func:`realpolitik.models.balance.local_triad_dynamics`."""
    st = np.empty(1, dtype=np.uint64)
    st[0] = seed
    pos, lst, cnt = _init_set(signs, te)
    nrec = (max_steps // record_every + 2) if record_every > 0 else 0
    trace = np.zeros((nrec, 3))
    r = 0
    step = 0
    while step < max_steps and cnt > 0:
        if record_every > 0 and step % record_every == 0:
            _trace_row(trace, r, step, signs, cnt)
            r += 1
        t = lst[min(cnt - 1, int(_splitmix(st) * cnt))]
        nneg = 0
        e = -1
        for a in range(3):
            if signs[te[t, a]] < 0:
                nneg += 1
        if nneg == 1:
            if _splitmix(st) < p:
                for a in range(3):
                    if signs[te[t, a]] < 0:
                        e = te[t, a]
            else:
                pick = min(1, int(_splitmix(st) * 2))
                seen = 0
                for a in range(3):
                    if signs[te[t, a]] > 0:
                        if seen == pick:
                            e = te[t, a]
                        seen += 1
        else:  # nneg == 3
            e = te[t, min(2, int(_splitmix(st) * 3))]
        cnt = _toggle_triads(e, te, signs, ptr, members, pos, lst, cnt)
        step += 1
    if record_every > 0:
        _trace_row(trace, r, step, signs, cnt)
        r += 1
    return step, trace[:r]


@njit(cache=CACHE)
def _ctd_delta(e: int, ptr: np.ndarray, members: np.ndarray, pos: np.ndarray) -> int:
    imb = 0
    for q in range(ptr[e], ptr[e + 1]):
        if pos[members[q]] >= 0:
            imb += 1
    delta: int = (ptr[e + 1] - ptr[e]) - 2 * imb
    return delta


@njit(cache=CACHE)
def ctd(
    signs: np.ndarray,
    te: np.ndarray,
    ptr: np.ndarray,
    members: np.ndarray,
    max_steps: int,
    seed: int | np.unsignedinteger[Any],
    record_every: int,
) -> tuple[int, np.ndarray, bool]:
    """Constrained triad dynamics; see
    :func:`realpolitik.models.balance.constrained_triad_dynamics`."""
    st = np.empty(1, dtype=np.uint64)
    st[0] = seed
    m = signs.shape[0]
    pos, lst, cnt = _init_set(signs, te)
    nrec = (max_steps // record_every + 2) if record_every > 0 else 0
    trace = np.zeros((nrec, 3))
    r = 0
    step = 0
    jammed = False
    while step < max_steps and cnt > 0 and m > 0:
        if record_every > 0 and step % record_every == 0:
            _trace_row(trace, r, step, signs, cnt)
            r += 1
        if step % m == 0 and step > 0:  # once per unit of time: is any move still allowed?
            movable = False
            for e in range(m):
                if _ctd_delta(e, ptr, members, pos) <= 0:
                    movable = True
                    break
            if not movable:
                jammed = True
                break
        e = min(m - 1, int(_splitmix(st) * m))
        d = _ctd_delta(e, ptr, members, pos)
        if d < 0 or (d == 0 and _splitmix(st) < 0.5):
            cnt = _toggle_triads(e, te, signs, ptr, members, pos, lst, cnt)
        step += 1
    if record_every > 0:
        _trace_row(trace, r, step, signs, cnt)
        r += 1
    return step, trace[:r], jammed
