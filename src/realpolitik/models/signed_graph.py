"""Signed relation matrices, shared by structural balance and strategic triangles: checking a
matrix, naming its actors and listing its closed triads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from realpolitik.errors import ModelError


def relation_matrix(S: Any, *, zero_diagonal: bool = True, signs_only: bool = False) -> np.ndarray:
    """``S`` as a float matrix, checked: square, finite, symmetric (and, as asked, with a zero
    diagonal, or holding only -1, 0 and +1).

    Raises
    ------
    ModelError
        Naming the first property that fails.
    """
    A = np.asarray(S, dtype=float)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ModelError(f"relation matrix must be square, got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        raise ModelError("relation matrix must be finite")
    if not np.array_equal(A, A.T):
        raise ModelError("relation matrix must be symmetric")
    if zero_diagonal and np.any(np.diag(A) != 0):
        raise ModelError("relation matrix must have a zero diagonal")
    if signs_only and not np.all(np.isin(A, (-1.0, 0.0, 1.0))):
        raise ModelError("relation matrix must hold -1, 0 or +1")
    return A


def actor_names(actors: Sequence[Any] | None, n: int) -> list[str]:
    """The ``n`` actors' names: ``actors`` as strings (unique), or ``A0, A1, ...``.

    >>> actor_names(None, 2), actor_names(["USA", "CHN"], 2)
    (['A0', 'A1'], ['USA', 'CHN'])
    """
    if actors is None:
        return [f"A{i}" for i in range(n)]
    names = [str(a) for a in actors]
    if len(names) != n or len(set(names)) != n:
        raise ModelError(f"need {n} unique actor names, got {names!r}")
    return names


def closed_triads(S: Any) -> tuple[np.ndarray, np.ndarray]:
    """Every closed triad (i < j < k) and its relations (S_ij, S_ik, S_jk), vectorised.

    Returns
    -------
    triads : (m, 3) int array of actor indices, lexicographic.
    values : (m, 3) float array ``(S_ij, S_ik, S_jk)``.
    """
    A = relation_matrix(S)
    n = A.shape[0]
    E = A != 0
    iu, ju = np.nonzero(np.triu(E, 1))
    if iu.size == 0:
        return np.empty((0, 3), int), np.empty((0, 3))
    common = E[iu] & E[ju]  # (edges, n)
    common &= np.arange(n)[None, :] > ju[:, None]
    e_idx, k = np.nonzero(common)
    i, j = iu[e_idx], ju[e_idx]
    tri = np.stack([i, j, k], axis=1)
    vals = np.stack([A[i, j], A[i, k], A[j, k]], axis=1)
    return tri, vals
