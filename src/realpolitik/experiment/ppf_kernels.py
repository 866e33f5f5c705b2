"""Compiled (Numba) inverse CDFs of the experiment's inputs (private; imported lazily).

:meth:`ExperimentSpec.transform <realpolitik.experiment.uncertainty.ExperimentSpec.transform>`
maps each column of a batch's unit-cube design through its input's inverse CDF. NumPy computes a
triangular one in nine passes over the column (a comparison, three products and differences, two
selections, a square root, a sum and a difference), each writing a temporary array: a flagship
batch (79 triangular inputs, 20,000 draws) spends about 11 ms there. The kernel here makes one
pass and gives the same numbers bit for bit: the same IEEE operations on the same operands, in
the same order (a product, then its square root, then a sum or difference; fastmath off, so
nothing is fused or reassociated), with the parameters precomputed in Python exactly as
:meth:`Triangular.ppf <realpolitik.experiment.uncertainty.Triangular.ppf>` computes them.
Before that, :func:`clipped_columns` clips the design into the open unit interval and lays each
input's draws out contiguously in one pass over it (NumPy's clip and transpose take two, and
write a second copy of the design).

Numba is set up as for every compiled kernel of the package (:mod:`realpolitik._numba`); this
module is imported only when Numba already is (a worker whose model runs compiled kernels), see
:func:`realpolitik.experiment.uncertainty.compiled_inverse_cdfs`.
"""

from __future__ import annotations

import numpy as np

from realpolitik._numba import CACHE, njit

__all__ = ["clipped_columns", "triangular_rows"]


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _triangular_rows(
    columns: np.ndarray,
    index: np.ndarray,
    low: np.ndarray,
    high: np.ndarray,
    split: np.ndarray,
    left_scale: np.ndarray,
    right_scale: np.ndarray,
    out: np.ndarray,
) -> None:
    """``out[q] = Triangular.ppf(columns[index[q]])`` for every ``q`` (see :func:`triangular_rows`)."""
    n = columns.shape[1]
    for q in range(index.size):
        j = index[q]
        a, b, s = low[q], high[q], split[q]
        kl, kr = left_scale[q], right_scale[q]
        for i in range(n):
            u = columns[j, i]
            # the branch-free form vectorises; each side is the NumPy expression of its branch
            left = u < s
            r = np.sqrt(u * kl if left else (1.0 - u) * kr)
            out[q, i] = a + r if left else b - r


def triangular_rows(columns: np.ndarray, index: np.ndarray, params: np.ndarray) -> np.ndarray:
    """The triangular inverse CDFs of some rows of a ``(d, n)`` array of probabilities.

    Parameters
    ----------
    columns : ndarray
        ``(d, n)`` C-contiguous float64: row ``j`` holds input ``j``'s probabilities.
    index : ndarray
        ``(k,)`` int64: the rows to map.
    params : ndarray
        ``(5, k)`` float64: per mapped row, ``low``, ``high``, the probability of the mode
        ``(mode - low) / width`` and the two scales ``width (mode - low)`` and
        ``width (high - mode)``, each computed as ``Triangular.ppf`` computes it.

    Returns
    -------
    ndarray
        ``(k, n)`` float64: row ``q`` is ``Triangular.ppf(columns[index[q]])``, bit for bit.
    """
    out = np.empty((index.size, columns.shape[1]))
    _triangular_rows(columns, index, params[0], params[1], params[2], params[3], params[4], out)
    return out


@njit(cache=CACHE, nogil=True, error_model="numpy")
def _clipped_columns(unit: np.ndarray, low: float, high: float, out: np.ndarray) -> None:
    """``out = np.clip(unit, low, high).T`` (see :func:`clipped_columns`)."""
    n, d = unit.shape
    # draw by draw: each row of the design is read once, in order, and its values go to d
    # output streams that the cache keeps open (1.3 ms a flagship batch, against 3.3 ms for
    # NumPy's clip and transpose, and 3 to 7 ms for loops over blocks of rows input by input)
    for i in range(n):
        for j in range(d):
            x = unit[i, j]
            # np.clip's values: NaN stays NaN (both comparisons are false)
            if x < low:
                x = low
            elif x > high:
                x = high
            out[j, i] = x


def clipped_columns(unit: np.ndarray, low: float, high: float) -> np.ndarray:
    """``np.ascontiguousarray(np.clip(unit, low, high).T)`` in one pass over the design.

    Parameters
    ----------
    unit : ndarray
        ``(n, d)`` C-contiguous float64, the design.
    low, high : float
        The bounds (``low <= high``).

    Returns
    -------
    ndarray
        ``(d, n)`` C-contiguous float64: row ``j`` is column ``j`` of the design, clipped.
    """
    out = np.empty((unit.shape[1], unit.shape[0]))
    _clipped_columns(unit, low, high, out)
    return out
