"""Structural balance over signed relations: triad census, frustration index, dX/dt = X^2, and
Antal-Krapivsky-Redner triad dynamics.

Input is a symmetric signed (or real-valued) relation matrix ``S`` (n, n) with a zero diagonal:
``S_ij > 0`` amity, ``< 0`` enmity, ``0`` no relation. A closed triad is three actors with all
three relations non-zero; it has k = 0..3 negative edges (class Delta_k). Delta_0 and Delta_2
are balanced (the product of the signs is positive), Delta_1 and Delta_3 are not.

References
----------
Heider, F. (1946). Attitudes and cognitive organization. Journal of Psychology 21, 107-112.
Cartwright, D. & Harary, F. (1956). Structural balance: a generalization of Heider's theory.
Psychological Review 63(5), 277-293.
Antal, T., Krapivsky, P. L. & Redner, S. (2005). Dynamics of social balance on networks.
Physical Review E 72, 036121.
Antal, T., Krapivsky, P. L. & Redner, S. (2006). Social balance on networks: the dynamics of
friendship and enmity. Physica D 224, 130-136.
Marvel, S. A., Kleinberg, J., Kleinberg, R. D. & Strogatz, S. H. (2011). Continuous-time model
of structural balance. PNAS 108(5), 1771-1776.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from realpolitik.errors import ModelError
from realpolitik.models.signed_graph import actor_names as _names
from realpolitik.models.signed_graph import closed_triads, relation_matrix
from realpolitik.models.triangle import triangle_roles
from realpolitik.rng import RNGLike, as_generator

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "triad_census",
    "closed_triads",
    "frustration_index",
    "marvel_closed_form",
    "blowup_time",
    "marvel_factions",
    "marvel_integrate",
    "local_triad_dynamics",
    "constrained_triad_dynamics",
    "balance_summary",
    "census_table",
]


def _signed(S: ArrayLike, *, allow_real: bool = True) -> np.ndarray:
    return relation_matrix(S, signs_only=not allow_real)


def triad_census(S: ArrayLike) -> dict[int, int]:
    """Count closed triads by their number of negative edges.

    Algorithm
    ---------
    With ``P = [S > 0]`` and ``N = [S < 0]`` (0/1 matrices), a closed walk i -> j -> k -> i
    whose edges are (P, P, N) in that order visits each (+, +, -) triangle exactly twice (the
    negative edge is the last step, taken in either direction). Hence
    ``Delta_0 = tr(P^3)/6``, ``Delta_1 = tr(P P N)/2``, ``Delta_2 = tr(N N P)/2`` and
    ``Delta_3 = tr(N^3)/6``: three matrix products, O(n^3) with BLAS.

    Returns
    -------
    dict {0: n0, 1: n1, 2: n2, 3: n3}
    """
    A = _signed(S)
    P = (A > 0).astype(float)
    N = (A < 0).astype(float)
    PP = P @ P
    NN = N @ N
    d0 = np.sum(PP * P) / 6.0  # tr(PPP) = sum((PP) * P^T), P symmetric
    d1 = np.sum(PP * N) / 2.0
    d2 = np.sum(NN * P) / 2.0
    d3 = np.sum(NN * N) / 6.0
    return {k: int(round(v)) for k, v in enumerate((d0, d1, d2, d3))}


def frustration_index(
    S: ArrayLike,
    *,
    actors: Sequence[str] | None = None,
    weighted: bool = False,
    method: str = "auto",
    rng: RNGLike = None,
) -> dict[str, Any]:
    """The fewest sign changes (or least total |weight|) that make the network balanced.

    Algorithm
    ---------
    A network is balanced exactly when its actors split into two camps with every positive
    relation inside a camp and every negative one across (Cartwright & Harary 1956). For a
    split, the violated relations number ``L = E/2 + (number of negative relations)``, where
    ``E`` is the landscape energy with unit sizes and propensity S (ordered pairs; weighted:
    propensity S, unweighted: sign(S)). So the minimum of L is the landscape's global minimum:
    exact by enumeration (:func:`realpolitik.models.landscape.exact_landscape`, n <= 30), or, for
    larger n or ``method="heuristic"``, an annealing upper bound with a proven lower bound.

    Returns
    -------
    dict with ``index`` (best found), ``lower_bound``, ``exact`` (bool), ``camps`` (two name
    lists of the best split) and ``violated`` (list of actor-name pairs).
    """
    from realpolitik.models import landscape as L

    A = _signed(S)
    n = A.shape[0]
    names = _names(actors, n)
    W = A if weighted else np.sign(A)
    neg = float(-np.minimum(W, 0).sum() / 2.0)
    if n == 1:
        return {
            "index": 0.0,
            "lower_bound": 0.0,
            "exact": True,
            "camps": [names, []],
            "violated": [],
        }
    if method not in ("auto", "exact", "heuristic"):
        raise ModelError(f"method must be 'auto', 'exact' or 'heuristic', got {method!r}")
    exact = method == "exact" or (method == "auto" and n <= 30)
    if exact:
        res = L.exact_landscape(np.ones(n), W, basins=False)
    else:
        res = L.heuristic_landscape(np.ones(n), W, rng=rng)
    lab = res.labels[0]
    index = float(res.energies[0]) / 2.0 + neg
    bound = float(res.lower_bound) / 2.0 + neg
    if not weighted:
        index = float(round(index))
        bound = float(np.ceil(bound - 1e-9))
    iu, ju = np.nonzero(np.triu(W != 0, 1))
    same = lab[iu] == lab[ju]
    bad = (W[iu, ju] > 0) & ~same | (W[iu, ju] < 0) & same
    return {
        "index": index,
        "lower_bound": bound,
        "exact": exact,
        "camps": [[names[i] for i in np.flatnonzero(lab == c)] for c in (0, 1)],
        "violated": [[names[a], names[b]] for a, b in zip(iu[bad], ju[bad], strict=True)],
    }


# ----------------------------------------------------------------------------- Marvel et al.


def _sym_x0(X0: ArrayLike) -> np.ndarray:
    X = np.asarray(X0, dtype=float)
    if X.ndim != 2 or X.shape[0] != X.shape[1] or not np.allclose(X, X.T):
        raise ModelError("X0 must be a symmetric square matrix")
    sym: np.ndarray = 0.5 * (X + X.T)
    return sym


def blowup_time(X0: ArrayLike) -> float:
    """``t* = 1/lambda_1(X0)`` for the largest eigenvalue; ``inf`` when lambda_1 <= 0."""
    lam = float(np.linalg.eigvalsh(_sym_x0(X0))[-1])
    return 1.0 / lam if lam > 0 else float("inf")


def marvel_closed_form(X0: ArrayLike, t: ArrayLike) -> np.ndarray:
    """Solution of ``dX/dt = X^2``: ``X(t) = X0 (I - t X0)^-1`` (for t below the blow-up).

    Computed through the eigendecomposition ``X0 = U diag(lam) U'``:
    ``X(t) = U diag(lam / (1 - t lam)) U'``; ``t`` may be an array (result (len(t), n, n)).
    """
    X = _sym_x0(X0)
    lam, U = np.linalg.eigh(X)
    ts = np.atleast_1d(np.asarray(t, dtype=float))
    den = 1.0 - ts[:, None] * lam[None, :]
    if np.any(den <= 0):
        raise ModelError(f"t must be below the blow-up time {blowup_time(X)}")
    out: np.ndarray = np.einsum("ik,tk,jk->tij", U, lam[None, :] / den, U)
    return out[0] if np.ndim(t) == 0 else out


def _factions_from_vector(
    u: np.ndarray, names: list[str], tol: float
) -> tuple[list[list[str]], list[str]]:
    scale = float(np.abs(u).max()) if u.size else 0.0
    neutral_mask = np.abs(u) <= tol * scale if scale > 0 else np.ones(u.size, bool)
    pos = [names[i] for i in np.flatnonzero((u > 0) & ~neutral_mask)]
    neg = [names[i] for i in np.flatnonzero((u < 0) & ~neutral_mask)]
    groups = [g for g in (pos, neg) if g]
    # canonical order: larger faction first, ties by the first actor's input position
    pos_of = {nm: i for i, nm in enumerate(names)}
    groups.sort(key=lambda g: (-len(g), pos_of[g[0]]))
    return groups, [names[i] for i in np.flatnonzero(neutral_mask)]


def marvel_factions(
    X0: ArrayLike, *, actors: Sequence[str] | None = None, tol: float = 1e-9
) -> dict[str, Any]:
    """Factions predicted by ``dX/dt = X^2`` from the closed form.

    Algorithm
    ---------
    Near the blow-up ``t* = 1/lambda_1``, ``X(t) ~ lambda_1 u1 u1' / (1 - lambda_1 t)``, so
    ``sign X_ij -> sign(u_i u_j)``: actors with positive components of the leading eigenvector
    form one faction, negative the other; components with ``|u_i| <= tol * max|u|`` are
    neutral. One non-empty faction means global harmony. If lambda_1 is repeated the leading
    direction is not unique and ``degenerate`` is True (the split shown is then one of many).

    Returns
    -------
    dict with ``factions`` (list of name lists, larger first), ``neutral``, ``blowup_time``,
    ``eigenvalue``, ``eigenvector`` and ``degenerate``.
    """
    X = _sym_x0(X0)
    n = X.shape[0]
    names = _names(actors, n)
    lam, U = np.linalg.eigh(X)
    u = U[:, -1]
    degenerate = n > 1 and bool(lam[-1] - lam[-2] <= 1e-9 * max(1.0, abs(lam[-1])))
    groups, neutral = _factions_from_vector(u, names, tol)
    return {
        "factions": groups,
        "neutral": neutral,
        "blowup_time": 1.0 / lam[-1] if lam[-1] > 0 else float("inf"),
        "eigenvalue": float(lam[-1]),
        "eigenvector": u,
        "degenerate": degenerate,
    }


def marvel_integrate(
    X0: ArrayLike,
    *,
    actors: Sequence[str] | None = None,
    fraction: float = 1 - 1e-6,
    tol: float = 1e-4,
    rtol: float = 1e-10,
    atol: float = 1e-12,
) -> dict[str, Any]:
    """Integrate ``dX/dt = X^2`` numerically (scipy ``solve_ivp``, DOP853) up to
    ``fraction * t*`` and read the factions from the sign pattern of X there.

    Algorithm
    ---------
    Integrate the n^2 entries from X0 to ``t1 = fraction / lambda_1``. Near blow-up X is close
    to rank one, ``X ~ c u u'``; take the row r with the largest diagonal entry and use
    ``X[r] / sqrt(X[r, r])`` as the estimate of u (its signs are those of ``u_r u_j``);
    entries below ``tol`` times the largest are neutral. Other eigen-directions contribute about
    ``(1 - fraction)`` relative to the leading one there, so ``tol`` must stay well above
    ``1 - fraction`` (and below the smallest component that should count as non-neutral).

    Returns
    -------
    dict with ``factions``, ``neutral``, ``t`` (the end time) and ``X`` (the state there).
    """
    from scipy.integrate import solve_ivp

    X = _sym_x0(X0)
    n = X.shape[0]
    names = _names(actors, n)
    t_star = blowup_time(X)
    if not np.isfinite(t_star):
        raise ModelError("lambda_1 <= 0: dX/dt = X^2 does not blow up; no factions form")
    t1 = fraction * t_star

    def rhs(_t: float, y: np.ndarray) -> np.ndarray:
        M = y.reshape(n, n)
        dy: np.ndarray = (M @ M).ravel()
        return dy

    sol = solve_ivp(rhs, (0.0, t1), X.ravel(), method="DOP853", rtol=rtol, atol=atol)
    if not sol.success:
        raise ModelError(f"integration failed: {sol.message}")
    Xt = sol.y[:, -1].reshape(n, n)
    r = int(np.argmax(np.diag(Xt)))
    u = Xt[r] / np.sqrt(max(Xt[r, r], 1e-300))
    groups, neutral = _factions_from_vector(u, names, tol)
    return {"factions": groups, "neutral": neutral, "t": t1, "X": Xt}


# ----------------------------------------------------------------------------- AKR dynamics


def _triad_index(
    A: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Closed triads, their edge ids, and for each edge the triads containing it (CSR)."""
    n = A.shape[0]
    iu, ju = np.nonzero(np.triu(A != 0, 1))
    eid = -np.ones((n, n), dtype=np.int64)
    eid[iu, ju] = np.arange(iu.size)
    eid[ju, iu] = np.arange(iu.size)
    tri, _ = closed_triads(A)
    te = (
        np.stack(
            [eid[tri[:, 0], tri[:, 1]], eid[tri[:, 0], tri[:, 2]], eid[tri[:, 1], tri[:, 2]]],
            axis=1,
        )
        if tri.size
        else np.empty((0, 3), np.int64)
    )
    flat = te.ravel()
    order = np.argsort(flat, kind="stable")
    ptr = np.zeros(iu.size + 1, dtype=np.int64)
    np.add.at(ptr, flat + 1, 1)
    ptr = np.cumsum(ptr)
    members = (order // 3).astype(np.int64)
    return iu, ju, te.astype(np.int64), ptr, members


def local_triad_dynamics(
    S: ArrayLike,
    *,
    p: float = 0.5,
    max_steps: int = 1_000_000,
    rng: RNGLike = None,
    record_every: int = 0,
) -> dict[str, Any]:
    """Antal-Krapivsky-Redner local triad dynamics (LTD) on the existing relations.

    Rules implemented (AKR 2005, section II; verify against the paper)
    ----------------------------------------------------------------
    Repeat until no closed triad is imbalanced or ``max_steps`` updates:
    1. pick an imbalanced closed triad uniformly at random;
    2. if it is a Delta_1 (+,+,-): with probability p its negative edge becomes positive
       (-> Delta_0); otherwise one of its two positive edges, chosen uniformly, becomes
       negative (-> Delta_2);
    3. if it is a Delta_3 (-,-,-): one of its three edges, chosen uniformly, becomes positive
       (-> Delta_2).
    Each update changes one relation and so may unbalance other triads sharing it. Time
    advances by 1/M per update (M = number of relations), so one unit of time is M updates.
    Absent relations (0) stay absent; only closed triads take part.

    Returns
    -------
    dict with ``S`` (final signs), ``steps``, ``time``, ``balanced`` (bool) and, with
    ``record_every`` > 0, ``trace``: (steps, density of positive relations, imbalanced triads).
    """
    return _triad_dynamics(S, "ltd", p, max_steps, rng, record_every)


def constrained_triad_dynamics(
    S: ArrayLike, *, max_steps: int = 1_000_000, rng: RNGLike = None, record_every: int = 0
) -> dict[str, Any]:
    """Antal-Krapivsky-Redner constrained triad dynamics (CTD) on the existing relations.

    Rules implemented (AKR 2005, section III; verify against the paper)
    -----------------------------------------------------------------
    Repeat until the network is balanced, or jammed (no single flip lowers the number of
    imbalanced triads and none leaves it unchanged), or ``max_steps`` updates:
    1. pick a relation uniformly at random;
    2. flipping its sign toggles every closed triad through it, changing the number of
       imbalanced triads by ``(balanced through it) - (imbalanced through it)``;
    3. flip if that change is negative; flip with probability 1/2 if it is zero; otherwise not.
    Time advances by 1/M per update attempt (M relations).

    Returns
    -------
    dict as :func:`local_triad_dynamics`, plus ``jammed`` (bool).
    """
    return _triad_dynamics(S, "ctd", 0.5, max_steps, rng, record_every)


def _triad_dynamics(
    S: ArrayLike, rule: str, p: float, max_steps: int, rng: RNGLike, record_every: int
) -> dict[str, Any]:
    from realpolitik.models import _kernels as K

    A = _signed(S)
    if not (0.0 <= p <= 1.0):
        raise ModelError(f"p must be in [0, 1], got {p}")
    A = np.sign(A)
    iu, ju, te, ptr, members = _triad_index(A)
    signs = A[iu, ju].astype(np.int8)
    gen = as_generator(rng)
    seed = np.uint64(gen.integers(0, 2**63 - 1, dtype=np.int64))
    if rule == "ltd":
        steps, trace = K.ltd(
            signs, te, ptr, members, float(p), int(max_steps), seed, int(record_every)
        )
        jammed = False
    else:
        steps, trace, jammed = K.ctd(
            signs, te, ptr, members, int(max_steps), seed, int(record_every)
        )
    out = np.zeros_like(A)
    out[iu, ju] = signs
    out[ju, iu] = signs
    census = triad_census(out)
    m = max(1, iu.size)
    res: dict[str, Any] = {
        "S": out,
        "steps": int(steps),
        "time": steps / m,
        "balanced": census[1] + census[3] == 0,
    }
    if rule == "ctd":
        res["jammed"] = bool(jammed) and not res["balanced"]
    if record_every:
        res["trace"] = trace
    return res


# ----------------------------------------------------------------------------- summary


def balance_summary(
    S: ArrayLike, actors: Sequence[str] | None = None, *, triangles: bool = True, tol: float = 1e-9
) -> dict[str, Any]:
    """JSON-ready dict: census, balanced/imbalanced counts, triangles with roles, factions.

    ``{"census": {"0": n0, "1": n1, "2": n2, "3": n3}, "balanced": n, "imbalanced": n,
    "triangles": [{"actors": [a, b, c], "configuration": name, "roles": {actor: role}}],
    "factions": [[...], [...]], "neutral": [...]}`` (factions from :func:`marvel_factions`).
    """
    A = _signed(S)
    names = _names(actors, A.shape[0])
    c = triad_census(A)
    out: dict[str, Any] = {
        "census": {str(k): v for k, v in c.items()},
        "balanced": c[0] + c[2],
        "imbalanced": c[1] + c[3],
    }
    if triangles:
        out["triangles"] = [
            {"actors": t["actors"], "configuration": t["configuration"], "roles": t["roles"]}
            for t in triangle_roles(A, names)
        ]
    f = marvel_factions(A, actors=names, tol=tol)
    out["factions"] = f["factions"]
    out["neutral"] = f["neutral"]
    out["degenerate"] = f["degenerate"]
    return out


def census_table(S: ArrayLike) -> pd.DataFrame:
    """The census as a one-row-per-class DataFrame (k negative edges, count, balanced)."""
    import pandas as pd

    return pd.DataFrame(census_columns(S))


def census_columns(S: ArrayLike) -> dict[str, list[Any]]:
    """The columns of :func:`census_table` as lists (the report reads them without pandas)."""
    c = triad_census(S)
    return {
        "negative_edges": list(c),
        "count": list(c.values()),
        "balanced": [k % 2 == 0 for k in c],
    }
