"""Copying rows of an array by an index array, faster than NumPy's fancy indexing (private).

``a[idx]`` and ``a[idx] = v`` on an array of two or more axes copy each row through NumPy's
general indexing machinery, about ten times slower for short rows than :func:`numpy.take`
along the first axis. The simulation's years gather and scatter many short rows (a draw's
levers or options), so they use :func:`take_rows` and :func:`put_rows`: the same bytes copied,
so the same arrays bit for bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["take_rows", "put_rows"]


def take_rows(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``a[idx]`` for an integer index array ``idx`` (a new C-ordered array)."""
    out: np.ndarray = np.take(a, idx, axis=0)
    return out


def put_rows(a: np.ndarray, idx: np.ndarray, values: np.ndarray) -> None:
    """``a[idx] = values`` for an integer index array ``idx`` of distinct rows and ``values``
    of shape ``(idx.size,) + a.shape[1:]``; C-ordered arrays of one dtype are copied row by
    row as opaque blocks of bytes."""
    v = np.asarray(values)
    if (
        a.ndim == 2
        and v.shape == (idx.size, a.shape[1])
        and v.dtype == a.dtype
        and a.flags.c_contiguous
        and v.flags.c_contiguous
        and a.shape[1] > 0
    ):
        row = np.dtype((np.void, a.shape[1] * a.itemsize))
        np.put(a.view(row).reshape(-1), idx, v.view(row).reshape(-1))
    else:
        a[idx] = v
