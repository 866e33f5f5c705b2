"""Landscape theory of aggregation (Axelrod & Bennett 1993) as functions over arrays.

Conventions (the same everywhere in this module)
------------------------------------------------
* ``sizes`` s has shape (n,), every entry > 0; ``propensity`` p is symmetric (n, n) with a zero
  diagonal (positive: prefer the same side). ``J = s s' * p`` are the couplings.
* A configuration is an integer label per actor (0 .. k-1); for two coalitions label 0 is spin
  ``sigma = +1`` and label 1 is ``sigma = -1``. ``d_ij = 1`` when i and j carry different labels.
* frustration ``F_i = sum_j s_i s_j p_ij d_ij`` and energy ``E = sum_i F_i``: a sum over ORDERED
  pairs, so each unordered pair counts twice. This reproduces Axelrod & Furnas' published
  Syria/ISIS numbers exactly.
* Optional field (Galam 1998): ``E_field = E - sum_i g_i sigma_i`` with ``g_i = b_i eps_i``; a
  positive ``g_i`` pulls actor i into coalition 0. Since ``E = 1/2 sum J - 1/2 sigma' J sigma``,
  ``E_field`` is Galam's ``H = -1/2 sum J_ij sigma_i sigma_j - sum b_i eps_i sigma_i`` plus a
  constant, so both have the same minima.
* A local minimum is a configuration from which no single actor's switch lowers the energy (by
  more than a tolerance ``1e-12 * sum |J|``, which is zero in effect for integer data).
* Steepest-descent rule (the exact basins): from any configuration, switch the actor whose switch
  lowers the energy most (ties: the lowest index), and repeat until no switch lowers it. The basin
  of a minimum is the share of all configurations whose descent ends there. Since a switch
  changes actor k's own frustration by exactly half the energy change, "the actor who gains most"
  and "the switch that lowers E most" are the same rule.
* Random-order rule (sampled basins): start from a uniformly random configuration; at each step
  switch one actor drawn uniformly among those whose switch lowers the energy.

Without a field E(X) = E(-X), so two-coalition enumeration fixes actor 0 in coalition 0 and
visits 2^(n-1) configurations; with a field all 2^n are visited. Configurations are coded by an
integer whose bit q is set when actor q+1 (no field) or q (field) is in coalition 1.

References
----------
Axelrod, R. & Bennett, D. S. (1993). A landscape theory of aggregation. British Journal of
Political Science 23(2), 211-233.
Galam, S. (1998). Comment on "A landscape theory of aggregation". British Journal of Political
Science 28(2), 411-412.
Florian, R. & Galam, S. (2000). Optimizing conflicts in the formation of strategic alliances.
European Physical Journal B 16, 189-194.
Delorme, C. & Poljak, S. (1993). Laplacian eigenvalues and the maximum cut problem. Mathematical
Programming 62, 557-574.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from realpolitik.errors import ModelError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from numpy.typing import ArrayLike

    from realpolitik.models.plain_table import PlainTable
    from realpolitik.rng import RNGLike

__all__ = [
    "LandscapeResult",
    "couplings",
    "energy",
    "frustration",
    "switch_deltas",
    "is_local_minimum",
    "all_configurations",
    "exact_landscape",
    "exact_potts",
    "random_order_basins",
    "heuristic_landscape",
    "lower_bound",
    "landscape",
    "landscape_summary",
    "landscape_table",
    "EXACT_MAX_ACTORS",
    "BASIN_MAX_ACTORS",
    "NUMPY_MAX_ACTORS",
    "exact_seconds",
]

#: Largest n for exact two-coalition enumeration of the minima (2^(n-1) states, O(n) each).
EXACT_MAX_ACTORS = 32
#: Largest n for exact basins (one int32/int64 successor per state is kept in memory).
BASIN_MAX_ACTORS = 30
#: Largest number of partitions enumerated exactly for k > 2 coalitions.
POTTS_MAX_PARTITIONS = 5_000_000


# ----------------------------------------------------------------------------- validation


def _inputs(
    sizes: ArrayLike, propensity: ArrayLike, field_: ArrayLike | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    s = np.asarray(sizes, dtype=float)
    p = np.asarray(propensity, dtype=float)
    if s.ndim != 1 or s.size < 1:
        raise ModelError(f"sizes must be a 1-d array with at least one actor, got shape {s.shape}")
    n = s.size
    if p.shape != (n, n):
        raise ModelError(f"propensity must have shape ({n}, {n}) to match sizes, got {p.shape}")
    if not (np.all(np.isfinite(s)) and np.all(np.isfinite(p))):
        raise ModelError("sizes and propensity must be finite")
    if np.any(s <= 0):
        raise ModelError(f"sizes must be > 0, got min {s.min()}")
    if not np.allclose(p, p.T, rtol=0, atol=1e-12 * max(1.0, np.abs(p).max())):
        raise ModelError("propensity must be symmetric (p_ij == p_ji)")
    if np.any(np.diag(p) != 0):
        raise ModelError("propensity must have a zero diagonal")
    if field_ is None:
        g = np.zeros(n)
    else:
        g = np.asarray(field_, dtype=float)
        if g.shape != (n,) or not np.all(np.isfinite(g)):
            raise ModelError(f"field must be a finite array of shape ({n},), got {g.shape}")
    # every energy is a sum of at most sum|J| + sum|g|: it must be a finite number
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.abs(np.outer(s, s) * p).sum() + np.abs(g).sum())
    if not np.isfinite(total):
        raise ModelError(
            "sizes x sizes x propensity overflow: energies would not be finite numbers "
            f"(largest size {s.max():.3g}); rescale the sizes (minima do not depend on their "
            "scale)"
        )
    return s, p, g


def couplings(sizes: ArrayLike, propensity: ArrayLike) -> np.ndarray:
    """The Ising couplings ``J_ij = s_i s_j p_ij`` (symmetric, zero diagonal)."""
    s, p, _ = _inputs(sizes, propensity)
    J = np.outer(s, s) * p
    np.fill_diagonal(J, 0.0)
    sym: np.ndarray = 0.5 * (J + J.T)
    return sym


def _tol(J: np.ndarray, g: np.ndarray) -> float:
    return 1e-12 * (float(np.abs(J).sum()) + float(np.abs(g).sum()))


# ----------------------------------------------------------------------------- direct formulas


def frustration(config: ArrayLike, sizes: ArrayLike, propensity: ArrayLike) -> np.ndarray:
    """Per-actor frustration ``F_i = sum_j s_i s_j p_ij d_ij`` of one or many configurations.

    Parameters
    ----------
    config : array of int, shape (..., n)
        Coalition labels (any number of coalitions).
    sizes, propensity : see the module conventions.

    Returns
    -------
    numpy.ndarray, shape (..., n)
    """
    J = couplings(sizes, propensity)
    c = np.asarray(config)
    d = c[..., :, None] != c[..., None, :]
    per_actor: np.ndarray = np.einsum("...ij,ij->...i", d, J)
    return per_actor


def energy(
    config: ArrayLike, sizes: ArrayLike, propensity: ArrayLike, *, field: ArrayLike | None = None
) -> np.ndarray | float:
    """Energy ``E = sum_i sum_j s_i s_j p_ij d_ij`` (ordered pairs) ``- sum_i g_i sigma_i``.

    The field term needs two coalitions (label 0 is ``sigma = +1``). Returns a float for one
    configuration, an array for a stack of them.
    """
    _, _, g = _inputs(sizes, propensity, field)
    e = frustration(config, sizes, propensity).sum(axis=-1)
    if field is not None:
        c = np.asarray(config)
        if c.size and c.max() > 1:
            raise ModelError("a field term is defined for two coalitions only")
        e = e - ((1 - 2 * c) * g).sum(axis=-1)
    return float(e) if np.ndim(e) == 0 else e


def switch_deltas(
    config: ArrayLike, sizes: ArrayLike, propensity: ArrayLike, *, field: ArrayLike | None = None
) -> np.ndarray:
    """Energy change of each single actor's switch (two coalitions): ``2 sigma_k (h_k + g_k)``."""
    _, _, g = _inputs(sizes, propensity, field)
    J = couplings(sizes, propensity)
    sigma = 1.0 - 2.0 * np.asarray(config, dtype=float)
    deltas: np.ndarray = 2.0 * sigma * (sigma @ J + g)
    return deltas


def is_local_minimum(
    config: ArrayLike, sizes: ArrayLike, propensity: ArrayLike, *, field: ArrayLike | None = None
) -> np.ndarray | bool:
    """True where no single switch lowers the energy (two coalitions)."""
    _, _, g = _inputs(sizes, propensity, field)
    J = couplings(sizes, propensity)
    ok = np.all(switch_deltas(config, sizes, propensity, field=field) >= -_tol(J, g), axis=-1)
    return bool(ok) if np.ndim(ok) == 0 else ok


def _decode(codes: np.ndarray, n: int, off: int) -> np.ndarray:
    codes = np.asarray(codes, dtype=np.int64)
    out = np.zeros((codes.size, n), dtype=np.int8)
    shifts = np.arange(n - off, dtype=np.int64)
    out[:, off:] = (codes[:, None] >> shifts) & 1
    return out


def _encode(labels: np.ndarray, off: int) -> np.ndarray:
    lab = np.asarray(labels, dtype=np.int64)
    if off == 1:
        lab = np.where(lab[:, :1] == 1, 1 - lab, lab)
    w = np.int64(1) << np.arange(lab.shape[1] - off, dtype=np.int64)
    return lab[:, off:] @ w


def all_configurations(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    field: ArrayLike | None = None,
    max_actors: int = 20,
) -> dict[str, Any]:
    """Every two-coalition configuration with its energy, frustrations and minimum flag.

    Vectorised NumPy, for small n and for checking (the exact search is :func:`exact_landscape`).

    Returns
    -------
    dict with ``labels`` (N, n) int8 in code order (see module notes), ``energy`` (N,),
    ``frustration`` (N, n) and ``local_minimum`` (N,) bool.
    """
    s, p, g = _inputs(sizes, propensity, field)
    n = s.size
    if n > max_actors:
        raise ModelError(f"all_configurations keeps every state: n={n} > max_actors={max_actors}")
    off = 1 if field is None else 0
    labels = _decode(np.arange(1 << (n - off)), n, off)
    F = frustration(labels, s, p)
    sigma = 1.0 - 2.0 * labels
    E = F.sum(axis=1) - sigma @ g
    return {
        "labels": labels,
        "energy": E,
        "frustration": F,
        "local_minimum": np.asarray(is_local_minimum(labels, s, p, field=field)),
    }


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class LandscapeResult:
    """Local minima of a landscape, best first.

    Attributes
    ----------
    actors : names, in input order.
    labels : (m, n) int8 coalition labels of each minimum (canonical: actor 0 in coalition 0
        without a field; coalitions numbered in order of first appearance for k > 2).
    energies : (m,) energies of the minima, ascending.
    basins : (m,) share of starting configurations descending into each minimum, or None.
    method : "exact" or "heuristic".
    rule : descent rule of ``basins`` ("steepest", "random-order", "annealing-hits") or None.
    k : number of coalitions allowed.
    n_configurations : configurations enumerated (exact) or runs (heuristic).
    lower_bound : a proven lower bound on the global minimum energy (heuristic), else the
        exact global minimum.
    gap : ``energies[0] - lower_bound`` (0 for exact results).
    bound_method : how the bound was obtained.
    others : best non-minimum configurations, as (labels, energies), when asked for.
    """

    actors: tuple[str, ...]
    labels: np.ndarray
    energies: np.ndarray
    basins: np.ndarray | None
    method: str
    rule: str | None
    k: int
    n_configurations: int
    lower_bound: float
    gap: float
    bound_method: str
    others: tuple[np.ndarray, np.ndarray] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def global_minimum(self) -> np.ndarray:
        """The labels of the lowest-energy configuration."""
        first: np.ndarray = self.labels[0]
        return first


def _names(actors: Sequence[str] | None, n: int) -> tuple[str, ...]:
    if actors is None:
        return tuple(f"A{i}" for i in range(n))
    names = tuple(str(a) for a in actors)
    if len(names) != n:
        raise ModelError(f"{len(names)} actor names for {n} actors")
    if len(set(names)) != n:
        raise ModelError("actor names must be unique")
    return names


# ----------------------------------------------------------------------------- exact, NumPy

#: Up to this many actors the exact search runs in NumPy: it needs no compiler and, at this size,
#: finishes before Numba would even be imported (measured in benchmarks/bench_landscape.py).
NUMPY_MAX_ACTORS = 22
_CHUNK_BITS = 12


def _spin_table(J: np.ndarray, actors: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray]:
    """For every pattern of ``bits`` switched actors: the spins (+1/-1) of all n actors (only
    ``actors`` vary) and ``sum_q bit_q J[actors[q]]`` (built by doubling, exact for integers)."""
    n = J.shape[0]
    sig = np.ones((1 << bits, n))
    acc = np.zeros((1 << bits, n))
    for q in range(bits):
        half = 1 << q
        sig[half : 2 * half] = sig[:half]
        sig[half : 2 * half, actors[q]] = -1.0
        acc[half : 2 * half] = acc[:half] + J[actors[q]]
    return sig, acc


def _scan_numpy(
    J: np.ndarray, g: np.ndarray, nfree: int, tol: float, want_energy: bool, want_succ: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every state's energy, minimum flag and steepest-descent successor, vectorised.

    A state's code splits into low and high bits; the local fields are
    ``h = J 1 - 2 (A_low + A_high)`` with ``A`` the summed rows of the switched actors, so each
    chunk of ``2^14`` states costs a few passes over a (2^14, n) array and no matrix product.
    Same conventions and tie rule as the Numba kernel (the lowest index among equal best
    switches). Returns the minima's codes and energies, the successors (or an empty array) and
    every energy (or an empty array).
    """
    n = J.shape[0]
    off = n - nfree
    nstate = 1 << nfree
    lo_bits = min(nfree, _CHUNK_BITS)
    hi_bits = nfree - lo_bits
    free = np.arange(off, n)
    sig_lo, acc_lo = _spin_table(J, free[:lo_bits], lo_bits)
    sig_hi, acc_hi = _spin_table(J, free[lo_bits:], hi_bits)
    rowsum = J.sum(axis=1)
    base = rowsum + g - 2.0 * acc_lo  # (2^lo, n): h + g when the high bits are all zero
    acc_hi *= 2.0
    # E = sum_{k switched} (h_k + rowsum_k) - g'sigma (the cut, exactly 0 when nobody is
    # switched; no large constant minus a large sum), written with b = (1 - sigma) / 2
    b_lo, b_hi = 0.5 * (1.0 - sig_lo), 0.5 * (1.0 - sig_hi)
    bw_lo, bw_hi = b_lo @ (rowsum - g), b_hi @ (rowsum - g)
    flip = np.zeros(n, np.int64)
    flip[off:] = np.int64(1) << np.arange(nfree, dtype=np.int64)
    if off:
        flip[0] = nstate - 1  # actor 0 switches: the canonical twin is the complement
    lo_codes = np.arange(1 << lo_bits, dtype=np.int64)
    energy_all = np.empty(nstate if want_energy else 0)
    succ = np.empty(nstate if want_succ else 0, np.int64)
    min_codes, min_energy = [], []
    sigma, b, hg, t = (np.empty_like(sig_lo) for _ in range(4))
    for hi in range(1 << hi_bits):
        np.multiply(sig_lo, sig_hi[hi], out=sigma)
        np.add(b_lo, b_hi[hi], out=b)
        np.subtract(base, acc_hi[hi], out=hg)  # h + g
        np.multiply(sigma, hg, out=t)  # half of each switch's energy change
        e = np.einsum("ij,ij->i", b, hg) + bw_lo + bw_hi[hi]
        if off == 0:
            e -= sigma @ g
        codes = lo_codes + (hi << lo_bits)
        if want_succ:
            k = t.argmin(axis=1)
            is_min = 2.0 * np.take_along_axis(t, k[:, None], axis=1)[:, 0] >= -tol
            succ[codes] = np.where(is_min, codes, codes ^ flip[k])
        else:
            is_min = 2.0 * t.min(axis=1) >= -tol
        if want_energy:
            energy_all[codes] = e
        min_codes.append(codes[is_min])
        min_energy.append(e[is_min])
    return np.concatenate(min_codes), np.concatenate(min_energy), succ, energy_all


def _descent_ends(succ: np.ndarray) -> np.ndarray:
    """The end of every state's descent path, by pointer doubling (in place)."""
    while True:
        nxt = succ[succ]
        if np.array_equal(nxt, succ):
            return succ
        succ = nxt


# ----------------------------------------------------------------------------- exact, k = 2


def exact_landscape(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    actors: Sequence[str] | None = None,
    field: ArrayLike | None = None,
    basins: bool = True,
    best_others: int = 0,
    max_actors: int = EXACT_MAX_ACTORS,
    engine: Literal["auto", "numpy", "numba"] = "auto",
) -> LandscapeResult:
    """All local minima of the two-coalition landscape, exactly, with steepest-descent basins.

    ``engine="auto"`` uses NumPy up to :data:`NUMPY_MAX_ACTORS` actors (no compiler to import or
    load) and the parallel Numba kernel above; both follow the same rules and give the same
    minima, energies (to rounding, exactly for integer data) and basins.

    Algorithm
    ---------
    1. ``J = s s' * p``; without a field fix actor 0 in coalition 0 (E(X) = E(-X)): 2^(n-1)
       states, else 2^n.
    2. Split the Gray-code sequence of states into blocks of 2^14; in parallel over blocks,
       compute the first state's local fields ``h = J sigma`` and energy from scratch, then walk
       the block flipping one actor per step: energy ``+= 2 sigma_k (h_k + g_k)``, fields
       ``h += -2 sigma_k J[k]`` (O(n) per state).
    3. A state is a minimum when every switch's energy change is >= -tol. With ``basins``, each
       state's steepest-descent successor (the switch lowering E most, ties to the lowest
       index) is stored; pointer chasing with path compression maps every state to the end of
       its descent, and counting those ends gives each minimum's basin share.
    4. With ``best_others`` > 0, every state's energy is kept and the lowest-energy non-minima
       are returned too.

    Raises
    ------
    ModelError
        if n exceeds ``max_actors`` (or :data:`BASIN_MAX_ACTORS` with ``basins``).
    """
    s, p, g = _inputs(sizes, propensity, field)
    n = s.size
    names = _names(actors, n)
    _check_exact_request(n, engine, max_actors, basins, best_others)
    J = couplings(s, p)
    off = 1 if field is None else 0
    nfree = n - off
    if nfree == 0:  # one actor and no field
        return _lone_actor_landscape(names, n, basins)
    nstate = 1 << nfree
    tol = _tol(J, g)
    want_energy = best_others > 0
    use_numpy = engine == "numpy" or (engine == "auto" and n <= NUMPY_MAX_ACTORS)
    if use_numpy:
        mcodes, menergy, shares, energy_out = _exact_numpy(
            J, g, nfree, tol, want_energy, basins, nstate
        )
    else:
        mcodes, menergy, shares, energy_out = _scan_numba(
            J, g, nfree, tol, want_energy, basins, nstate
        )
    others = None
    if want_energy:
        others = _best_non_minima(energy_out, mcodes, nstate, best_others, n, off)
    return LandscapeResult(
        actors=names,
        labels=_decode(mcodes, n, off),
        energies=menergy,
        basins=shares,
        method="exact",
        rule="steepest" if basins else None,
        k=2,
        n_configurations=nstate,
        lower_bound=float(menergy[0]),
        gap=0.0,
        bound_method="exact",
        others=others,
        params={"field": None if field is None else g.tolist()},
    )


def _exact_numpy(
    J: np.ndarray,
    g: np.ndarray,
    nfree: int,
    tol: float,
    want_energy: bool,
    basins: bool,
    nstate: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """The NumPy scan: minima sorted by energy then code, their basin shares, every energy."""
    mcodes, menergy, succ, energy_out = _scan_numpy(J, g, nfree, tol, want_energy, basins)
    order = np.lexsort((mcodes, menergy))
    mcodes, menergy = mcodes[order], menergy[order]
    shares = None
    if basins:
        ends = _descent_ends(succ)
        shares = np.bincount(ends, minlength=nstate)[mcodes] / nstate
        del succ, ends
    return mcodes, menergy, shares, energy_out


def _check_exact_request(
    n: int, engine: str, max_actors: int, basins: bool, best_others: int
) -> None:
    """Refuse an exact enumeration the engine or the memory cannot do."""
    if engine not in ("auto", "numpy", "numba"):
        raise ModelError(f"engine must be 'auto', 'numpy' or 'numba', got {engine!r}")
    if n > max_actors:
        raise ModelError(f"exact enumeration is limited to {max_actors} actors, got {n}")
    if basins and n > BASIN_MAX_ACTORS:
        raise ModelError(
            f"exact basins need 2^(n-1) successors in memory: n={n} > "
            f"{BASIN_MAX_ACTORS}; ask for basins=False or use random_order_basins"
        )
    if best_others > 0 and n > 26:
        raise ModelError(f"best_others keeps every energy in memory (2^(n-1) floats): n={n} > 26")


def _lone_actor_landscape(names: tuple[str, ...], n: int, basins: bool) -> LandscapeResult:
    """The landscape of one actor without a field: its one state, energy 0."""
    e0 = np.zeros(1)
    return LandscapeResult(
        names,
        np.zeros((1, n), np.int8),
        e0,
        np.ones(1) if basins else None,
        "exact",
        "steepest" if basins else None,
        2,
        1,
        0.0,
        0.0,
        "exact",
    )


def _best_non_minima(
    energy_out: np.ndarray, mcodes: np.ndarray, nstate: int, best_others: int, n: int, off: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The ``best_others`` lowest-energy states that are not minima (ties by code), or None."""
    mask = np.ones(nstate, bool)
    mask[mcodes] = False
    cand = np.flatnonzero(mask)
    kk = min(best_others, cand.size)
    if kk:
        part = cand[np.argpartition(energy_out[cand], kk - 1)[:kk]]
        part = part[np.lexsort((part, energy_out[part]))]
        return (_decode(part, n, off), energy_out[part].copy())
    return None


def _rescan_blocks(
    J: np.ndarray,
    g: np.ndarray,
    nfree: int,
    block_bits: int,
    blocks: np.ndarray,
    tol: float,
    idx_type: Any,
) -> tuple[np.ndarray, np.ndarray]:
    """Minima (codes, energies) of blocks that held more than the first pass kept."""
    from realpolitik.models import _kernels as K

    big = 1 << block_bits
    mc = np.empty((blocks.size, big), np.int64)
    me = np.empty((blocks.size, big))
    cnt = np.zeros(blocks.size, np.int64)
    nothing = (np.empty(0), np.empty(0, idx_type))
    K.scan(J, g, nfree, block_bits, blocks, tol, big, False, False, *nothing, mc, me, cnt)
    sel = np.arange(big)[None, :] < cnt[:, None]
    return mc[sel], me[sel]


def _scan_numba(
    J: np.ndarray,
    g: np.ndarray,
    nfree: int,
    tol: float,
    want_energy: bool,
    basins: bool,
    nstate: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray]:
    """The exact search with the parallel Numba kernels: minima codes and energies (sorted),
    basin shares (or None) and every energy (or an empty array)."""
    from realpolitik.models import _kernels as K

    block_bits = min(nfree, 14)
    nblocks = nstate >> block_bits
    energy_out = np.empty(nstate if want_energy else 0)
    idx_type = np.int32 if nfree < 31 else np.int64
    succ = np.empty(nstate if basins else 0, dtype=idx_type)
    cap = 8
    blocks = np.arange(nblocks, dtype=np.int64)
    min_code = np.empty((nblocks, cap), np.int64)
    min_energy = np.empty((nblocks, cap))
    min_count = np.zeros(nblocks, np.int64)
    K.scan(
        J,
        g,
        nfree,
        block_bits,
        blocks,
        tol,
        cap,
        want_energy,
        basins,
        energy_out,
        succ,
        min_code,
        min_energy,
        min_count,
    )
    ok = min_count <= cap
    sel = np.arange(cap)[None, :] < min_count[:, None]
    codes = [min_code[ok][sel[ok]]]
    ens = [min_energy[ok][sel[ok]]]
    over = blocks[~ok]
    if over.size:  # redo overflowing blocks with room for every state of a block
        mc, me = _rescan_blocks(J, g, nfree, block_bits, over, tol, idx_type)
        codes.append(mc)
        ens.append(me)
    mcodes = np.concatenate(codes)
    menergy = np.concatenate(ens)
    order = np.lexsort((mcodes, menergy))
    mcodes, menergy = mcodes[order], menergy[order]
    shares = None
    if basins:
        K.compress(succ)
        srt = np.argsort(mcodes, kind="stable")
        counts = K.basin_counts(succ, mcodes[srt].astype(idx_type), 8)
        shares = np.empty(mcodes.size)
        shares[srt] = counts / nstate
        del succ
    return mcodes, menergy, shares, energy_out


def random_order_basins(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    samples: int = 10_000,
    field: ArrayLike | None = None,
    rng: RNGLike = None,
) -> dict[str, np.ndarray]:
    """Basins under the random-order rule, estimated by sampling.

    Algorithm
    ---------
    For each of ``samples`` runs: draw a uniformly random two-coalition configuration; while
    some actor's switch lowers the energy, switch one of those actors chosen uniformly at
    random. The share of runs ending in each minimum estimates its basin; the binomial standard
    error is returned too. Each run uses its own SplitMix64 stream seeded from ``rng``.

    Returns
    -------
    dict with ``labels`` (m, n), ``energies`` (m,), ``shares`` (m,), ``stderr`` (m,), best
    energy first.
    """
    from realpolitik.models import _kernels as K

    s, p, g = _inputs(sizes, propensity, field)
    J = couplings(s, p)
    from realpolitik.rng import as_generator

    gen = as_generator(rng)
    seeds = gen.integers(0, 2**63 - 1, size=int(samples), dtype=np.int64).astype(np.uint64)
    off = 1 if field is None else 0
    ends = K.random_order_descent(J, g, seeds, _tol(J, g), off)
    uniq, counts = np.unique(ends, axis=0, return_counts=True)
    e = np.atleast_1d(energy(uniq, s, p, field=field))
    order = np.lexsort((-counts, e))
    share = counts[order] / samples
    return {
        "labels": uniq[order],
        "energies": e[order],
        "shares": share,
        "stderr": np.sqrt(share * (1 - share) / samples),
    }


# ----------------------------------------------------------------------------- exact, k > 2


def _canonical(labels: np.ndarray) -> np.ndarray:
    """Renumber coalitions in order of first appearance (row-wise)."""
    lab = np.asarray(labels)
    out = np.empty_like(lab)
    for r in range(lab.shape[0]):
        mapping: dict[int, int] = {}
        for i, v in enumerate(lab[r]):
            out[r, i] = mapping.setdefault(int(v), len(mapping))
    return out


def exact_potts(
    sizes: ArrayLike,
    propensity: ArrayLike,
    k: int,
    *,
    actors: Sequence[str] | None = None,
    max_partitions: int = POTTS_MAX_PARTITIONS,
) -> LandscapeResult:
    """All local minima with at most ``k`` coalitions, by exhaustive enumeration.

    Algorithm
    ---------
    Partitions are enumerated once each as restricted growth strings (actor 0 in coalition 0,
    each label at most one above the largest before it, labels < k). A partition is a local
    minimum when no actor's move to another existing coalition (or to an empty one, if fewer
    than k are in use) lowers ``E = sum_{i != j} J_ij [c_i != c_j]``. No basins are computed.
    """
    from realpolitik.models import _kernels as K

    s, p, _ = _inputs(sizes, propensity)
    n = s.size
    names = _names(actors, n)
    if k < 2:
        raise ModelError(f"k must be >= 2, got {k}")
    # number of partitions into at most k blocks: sum of Stirling numbers of the second kind
    S = np.zeros(k + 1, dtype=object)
    S[0] = 1
    for _ in range(n):
        S = np.array([0] + [j * S[j] + S[j - 1] for j in range(1, k + 1)], dtype=object)
    total = int(sum(S))
    if total > max_partitions:
        raise ModelError(
            f"{total} partitions of {n} actors into <= {k} coalitions exceeds "
            f"max_partitions={max_partitions}; use heuristic_landscape"
        )
    J = couplings(s, p)
    labels, energies, count = K.potts_scan(J, k, _tol(J, np.zeros(n)), total)
    order = np.lexsort((np.arange(len(energies)), energies))
    return LandscapeResult(
        names,
        labels[order],
        energies[order],
        None,
        "exact",
        None,
        k,
        int(count),
        float(energies[order][0]),
        0.0,
        "exact",
    )


# ----------------------------------------------------------------------------- heuristic


def lower_bound(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    field: ArrayLike | None = None,
    iterations: int = 300,
) -> tuple[float, str]:
    """A proven lower bound on the two-coalition minimum energy, and how it was obtained.

    Two bounds, the larger returned:

    * pair bound: every pair at its best, ``sum_{i != j} min(J_ij, 0) - sum |g_i|``;
    * spectral bound with a diagonal shift (Delorme & Poljak 1993): for any u with
      ``sum u = 0``, ``sigma' J sigma = sigma'(J + diag u) sigma <= m lambda_max(J + diag u)``
      with m actors (the field is folded in as an extra actor fixed at +1), so
      ``E >= 1/2 sum J - 1/2 m lambda_max``. ``lambda_max`` is minimised over u by L-BFGS
      (gradient ``v*v - mean(v*v)`` for the leading eigenvector v, u = z - mean(z)), at most
      ``iterations`` steps; every evaluated u gives a valid bound and the best is kept. At its
      optimum this equals the semidefinite (Goemans-Williamson) relaxation bound.
    """
    from scipy.linalg import eigh
    from scipy.optimize import minimize

    s, p, g = _inputs(sizes, propensity, field)
    J = couplings(s, p)
    pair = float(np.minimum(J, 0).sum() - np.abs(g).sum())
    if field is not None:
        A = np.zeros((J.shape[0] + 1,) * 2)
        A[1:, 1:] = J
        A[0, 1:] = A[1:, 0] = g
    else:
        A = J
    m = A.shape[0]
    C = 0.5 * J.sum()
    best = [np.inf]

    def lam_max(z: np.ndarray) -> tuple[float, np.ndarray]:
        u = z - z.mean()
        w, v = eigh(A + np.diag(u), subset_by_index=[m - 1, m - 1])
        best[0] = min(best[0], float(w[0]))
        grad = v[:, 0] ** 2
        return float(w[0]), grad - grad.mean()

    if m > 1:
        minimize(
            lam_max,
            np.zeros(m),
            jac=True,
            method="L-BFGS-B",
            options={"maxiter": max(1, int(iterations))},
        )
    else:
        best[0] = 0.0
    spectral = C - 0.5 * m * best[0]
    if spectral >= pair:
        return float(spectral), "spectral (Delorme-Poljak diagonal shift)"
    return pair, "pair (sum of negative couplings)"


def heuristic_landscape(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    actors: Sequence[str] | None = None,
    k: int = 2,
    field: ArrayLike | None = None,
    restarts: int = 64,
    sweeps: int = 200,
    rng: RNGLike = None,
) -> LandscapeResult:
    """Low-energy local minima by multi-start simulated annealing, with an optimality gap.

    Algorithm
    ---------
    1. ``restarts`` independent runs (each with a SplitMix64 stream seeded from ``rng``):
       random labels, then ``sweeps * n`` Metropolis proposals (move a random actor to a random
       other coalition) at a temperature falling geometrically from the mean absolute row sum
       of J to a thousandth of it.
    2. Each run ends with steepest descent, so every result is a true local minimum.
    3. Distinct minima are kept with their share of runs ("annealing-hits", not a basin).
    4. A lower bound (:func:`lower_bound` for k = 2; the pair bound for k > 2, valid for any
       number of coalitions) gives the gap ``best - bound``; a zero gap proves optimality.
    """
    from realpolitik.models import _kernels as K

    s, p, g = _inputs(sizes, propensity, field)
    n = s.size
    names = _names(actors, n)
    if k < 2:
        raise ModelError(f"k must be >= 2, got {k}")
    if field is not None and k != 2:
        raise ModelError("a field term is defined for two coalitions only")
    J = couplings(s, p)
    from realpolitik.rng import as_generator

    gen = as_generator(rng)
    seeds = gen.integers(0, 2**63 - 1, size=int(restarts), dtype=np.int64).astype(np.uint64)
    t_hot = max(float(np.abs(J).sum(axis=1).mean()), 1e-300)
    labels, energies = K.anneal(J, g, int(k), seeds, int(sweeps), t_hot, t_hot * 1e-3, _tol(J, g))
    if k == 2 and field is None:
        labels = np.where(labels[:, :1] == 1, 1 - labels, labels).astype(np.int8)
    elif k > 2:
        labels = _canonical(labels).astype(np.int8)
    uniq, inv, counts = np.unique(labels, axis=0, return_inverse=True, return_counts=True)
    e = np.empty(len(uniq))
    e[inv.ravel()] = energies
    order = np.lexsort((-counts, e))
    best = float(e[order][0])
    if k == 2:
        bound, how = lower_bound(s, p, field=field)
    else:
        bound, how = float(np.minimum(J, 0).sum()), "pair (sum of negative couplings)"
    bound = min(bound, best)
    return LandscapeResult(
        names,
        uniq[order],
        e[order],
        counts[order] / restarts,
        "heuristic",
        "annealing-hits",
        k,
        int(restarts),
        bound,
        best - bound,
        how,
        params={
            "restarts": restarts,
            "sweeps": sweeps,
            "field": None if field is None else g.tolist(),
        },
    )


# ----------------------------------------------------------------------------- front door

#: Seconds per configuration and actor of the exact search with basins (Numba, one core),
#: measured on a 2-core Xeon; used only to tell users how long ``method="exact"`` would take.
_SECONDS_PER_STATE_ACTOR = 2.5e-9


def exact_seconds(n: int, *, field: bool = False, threads: int | None = None) -> float:
    """A rough estimate of how long the exact two-coalition search takes for ``n`` actors."""
    import os

    cores = threads or os.cpu_count() or 1
    states = float(2 ** (n if field else n - 1))
    return 1.0 + states * n * _SECONDS_PER_STATE_ACTOR / cores


def landscape(
    sizes: ArrayLike,
    propensity: ArrayLike,
    *,
    actors: Sequence[str] | None = None,
    k: int = 2,
    field: ArrayLike | None = None,
    method: Literal["auto", "exact", "heuristic"] = "auto",
    basins: bool = True,
    best_others: int = 0,
    rng: RNGLike = None,
    exact_max_actors: int = 24,
) -> LandscapeResult:
    """Local minima of a landscape: exact when small enough, else the annealing heuristic.

    ``method="auto"`` is exact for two coalitions up to ``exact_max_actors`` actors (basins
    included) and for k > 2 when the partitions are few enough; otherwise heuristic with a gap.
    ``rng`` is used only by the heuristic.
    """
    s, _, _ = _inputs(sizes, propensity, field)
    n = s.size
    if method not in ("auto", "exact", "heuristic"):
        raise ModelError(f"method must be 'auto', 'exact' or 'heuristic', got {method!r}")
    if method == "exact" or (method == "auto" and n <= exact_max_actors):
        if k == 2:
            return exact_landscape(
                sizes,
                propensity,
                actors=actors,
                field=field,
                basins=basins and n <= BASIN_MAX_ACTORS,
                best_others=best_others,
            )
        if field is not None:
            raise ModelError("a field term is defined for two coalitions only")
        try:
            return exact_potts(sizes, propensity, k, actors=actors)
        except ModelError:
            if method == "exact":
                raise
    return heuristic_landscape(sizes, propensity, actors=actors, k=k, field=field, rng=rng)


def _coalitions(names: Sequence[str], labels: np.ndarray, k: int) -> list[list[str]]:
    ncoal = max(k, int(labels.max()) + 1) if labels.size else k
    groups = [[names[int(i)] for i in np.flatnonzero(labels == c)] for c in range(ncoal)]
    return groups if k == 2 else [grp for grp in groups if grp]


def landscape_summary(result: LandscapeResult, *, include_others: bool = True) -> dict[str, Any]:
    """JSON-ready dict of the minima (and of the best non-minima if they were computed).

    ``{"actors": [...], "configurations": [{"coalitions": [[...], [...]], "energy": E,
    "local_minimum": bool, "basin": share | None}, ...], "method": ..., "rule": ...,
    "lower_bound": ..., "gap": ...}``, configurations sorted by energy.
    """
    rows: list[tuple[float, int, dict[str, Any]]] = []
    names = result.actors
    for i, (lab, e) in enumerate(zip(result.labels, result.energies, strict=True)):
        rows.append(
            (
                float(e),
                0,
                {
                    "coalitions": _coalitions(names, lab, result.k),
                    "energy": float(e),
                    "local_minimum": True,
                    "basin": None if result.basins is None else float(result.basins[i]),
                },
            )
        )
    if include_others and result.others is not None:
        for lab, e in zip(*result.others, strict=True):
            rows.append(
                (
                    float(e),
                    1,
                    {
                        "coalitions": _coalitions(names, lab, result.k),
                        "energy": float(e),
                        "local_minimum": False,
                        "basin": None if result.basins is None else 0.0,
                    },
                )
            )
    rows.sort(key=lambda r: (r[0], r[1]))
    return {
        "actors": list(names),
        "configurations": [r[2] for r in rows],
        "method": result.method,
        "rule": result.rule,
        "k": result.k,
        "n_configurations": result.n_configurations,
        "lower_bound": float(result.lower_bound),
        "gap": float(result.gap),
        "bound_method": result.bound_method,
    }


def landscape_table(result: LandscapeResult, *, include_others: bool = True) -> pd.DataFrame:
    """The same as :func:`landscape_summary` as a DataFrame: one row per configuration, one
    column per actor holding its coalition label, then energy, local_minimum and basin."""
    import pandas as pd

    labels, data = _table_columns(result, include_others)
    df = pd.DataFrame(labels, columns=list(result.actors))
    for name, values in data.items():
        df[name] = values
    return df.sort_values(
        ["energy", "local_minimum"], ascending=[True, False], kind="stable"
    ).reset_index(drop=True)


def landscape_rows(result: LandscapeResult, *, include_others: bool = True) -> PlainTable:
    """:func:`landscape_table` as plain rows, in the same order (the report reads them without
    pandas): by energy, minima first among equal energies, otherwise in listing order."""
    from realpolitik.models.plain_table import PlainTable

    labels, data = _table_columns(result, include_others)
    order = np.lexsort((~data["local_minimum"], data["energy"]))  # stable, NaN last
    columns = {a: labels[order, j] for j, a in enumerate(result.actors)}
    columns.update({name: values[order] for name, values in data.items()})
    return PlainTable.from_columns(columns)


def _table_columns(
    result: LandscapeResult, include_others: bool
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The coalition labels (one column per actor) and the energy, local_minimum and basin
    columns, in listing order: the minima, then the other configurations."""
    labs = [result.labels]
    ens = [result.energies]
    flag = [np.ones(len(result.energies), bool)]
    bas = [result.basins if result.basins is not None else np.full(len(ens[0]), np.nan)]
    if include_others and result.others is not None:
        labs.append(result.others[0])
        ens.append(result.others[1])
        flag.append(np.zeros(len(result.others[1]), bool))
        bas.append(
            np.zeros(len(result.others[1]))
            if result.basins is not None
            else np.full(len(result.others[1]), np.nan)
        )
    data = {
        "energy": np.concatenate(ens),
        "local_minimum": np.concatenate(flag),
        "basin": np.concatenate(bas),
    }
    return np.concatenate(labs), data
