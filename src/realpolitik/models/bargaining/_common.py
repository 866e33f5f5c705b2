"""Small helpers shared by the bargaining models: weighted medians and input checks."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from realpolitik.errors import ModelError


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted median along the last axis (the lower median on an exact half split).

    ``values`` and ``weights`` broadcast together; the result drops the last axis. The median is the
    smallest value whose cumulative weight reaches half of the total weight, which is the
    definition Bueno de Mesquita (1994) uses for the weighted median voter position.
    """
    v, w = np.broadcast_arrays(np.asarray(values, float), np.asarray(weights, float))
    order = np.argsort(v, axis=-1, kind="stable")
    vs = np.take_along_axis(v, order, axis=-1)
    ws = np.take_along_axis(w, order, axis=-1)
    cum = np.cumsum(ws, axis=-1)
    half = 0.5 * cum[..., -1:]
    # tolerance so that 0.5 of the total reached by rounding counts as reached
    idx = np.argmax(cum >= half * (1.0 - 1e-12), axis=-1)
    median: np.ndarray = np.take_along_axis(vs, idx[..., None], axis=-1)[..., 0]
    return median


def as_float_array(x: ArrayLike, name: str, ndim: int) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim != ndim:
        raise ModelError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ModelError(f"{name} must be finite")
    return arr
