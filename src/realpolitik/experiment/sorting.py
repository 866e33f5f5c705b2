"""The stable order of a sample, found with NumPy's faster unstable sort where that is the same.

A stable sort orders equal values by position. When no two values are equal the sorting
permutation is unique, so any sort finds it: :func:`stable_argsort` sorts with NumPy's default
(unstable, vectorised) sort, checks that the sorted values strictly increase, and only when they
do not (ties, NaN) sorts again, stably. The result is always that of
``np.argsort(x, kind="stable")``; for continuous inputs (the usual draws) it costs about half.
"""

from __future__ import annotations

import numpy as np


def stable_argsort(x: np.ndarray) -> np.ndarray:
    """``np.argsort(x, kind="stable")`` of a 1-D array, by a faster sort when ``x`` has no ties.

    >>> stable_argsort(np.array([0.3, 0.1, 0.2])).tolist()
    [1, 2, 0]
    >>> stable_argsort(np.array([1.0, 0.0, 1.0, 0.0])).tolist()  # ties: by position
    [1, 3, 0, 2]
    """
    order = np.argsort(x)
    ordered = x[order]
    if bool((ordered[1:] > ordered[:-1]).all()):  # distinct values: the permutation is unique
        return order
    return np.argsort(x, kind="stable")
