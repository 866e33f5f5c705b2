"""Statistics of a run's outcomes computed where each batch is evaluated and merged exactly.

A worker that evaluates a batch also summarises each outcome column of it
(:func:`batch_statistics`): the number of draws, of defined draws (not NaN), the mean and the sum
of squared deviations, the smallest and largest value, how many defined draws are neither 0 nor 1,
and a quantile sketch. The parent merges the batches' statistics in batch order
(:func:`merge_statistics`), so the result is the same, bit for bit, whatever the number of
workers, the executor or the order in which batches finish, and the parent never reads the draws
back to summarise them.

The sketch
    Every defined value falls in a logarithmic bucket: for ``x > 0`` bucket ``i`` holds
    ``GAMMA**(i-1) < x <= GAMMA**i`` (mirrored for ``x < 0``; zero and the infinities have buckets
    of their own). For each bucket the sketch keeps the count and the smallest and largest value
    seen. Merging adds counts and takes the smallest and largest, so it is exact and does not
    depend on the order. A quantile is read as NumPy's linear interpolation between order
    statistics, each order statistic taken inside its bucket by interpolating between the
    bucket's smallest and largest value. Every value of a bucket lies within a relative distance
    ``GAMMA - 1`` of every other, so a quantile is within :data:`QUANTILE_RELATIVE_ERROR` of the
    exact one (relative to its magnitude; for values of one sign), and exact whenever each bucket
    holds a single distinct value (yes/no outcomes, integers, the smallest and largest draw).

References
----------
Chan, T. F., Golub, G. H. & LeVeque, R. J. (1979). Updating formulae and a pairwise algorithm for
computing sample variances. Stanford CS report STAN-CS-79-773 (merging means and squared
deviations of two samples).
Masson, C., Rim, J. E. & Lee, H. K. (2019). DDSketch: a fast and fully-mergeable quantile sketch
with relative-error guarantees. *PVLDB* 12(12), 2195-2205 (logarithmic buckets).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GAMMA",
    "QUANTILE_RELATIVE_ERROR",
    "ColumnStatistics",
    "batch_statistics",
    "column_statistics",
    "merge_statistics",
    "summary_table",
]

#: Ratio of a bucket's upper to lower bound.
GAMMA = 1.001
#: Largest relative error of a quantile read from the sketch.
QUANTILE_RELATIVE_ERROR = GAMMA - 1.0
_LOG_GAMMA = math.log(GAMMA)
# Bucket keys are one monotone integer scale over every double: -inf, negatives (largest
# magnitude first), zero, positives, +inf. |ceil(ln|x| / ln GAMMA)| < 745,000 < _SHIFT.
_SHIFT = 1 << 21
_KEY_NEG_INF = -1
_KEY_ZERO = 2 * _SHIFT
_KEY_POS_INF = 5 * _SHIFT


@dataclass(frozen=True)
class ColumnStatistics:
    """The mergeable summary of one column over some draws.

    Attributes
    ----------
    rows : int
        Draws summarised (defined or not).
    n : int
        Defined draws (not NaN).
    finite : int
        Finite draws (defined and not infinite).
    mean, m2 : float
        Mean of the finite draws and the sum of their squared deviations from it (NaN if none).
    not_binary : int
        Defined draws that are neither 0 nor 1.
    keys, counts, lows, highs : ndarray
        The sketch: occupied buckets in increasing order, their counts, smallest and largest value.
    """

    rows: int
    n: int
    finite: int
    mean: float
    m2: float
    not_binary: int
    keys: np.ndarray
    counts: np.ndarray
    lows: np.ndarray
    highs: np.ndarray

    @property
    def variance(self) -> float:
        """Sample variance of the finite draws (NaN with fewer than two)."""
        return self.m2 / (self.finite - 1) if self.finite > 1 else float("nan")

    @property
    def minimum(self) -> float:
        """Smallest defined draw (NaN if none)."""
        return float(self.lows[0]) if self.n else float("nan")

    @property
    def maximum(self) -> float:
        """Largest defined draw (NaN if none)."""
        return float(self.highs[-1]) if self.n else float("nan")

    def quantile(self, q: float, finite: bool = False) -> float:
        """The ``q`` quantile of the defined draws (with ``finite``, of the finite ones), as
        NumPy's default (linear) interpolation between order statistics, within
        :data:`QUANTILE_RELATIVE_ERROR` of it (NaN if there are none)."""
        n = self.finite if finite else self.n
        if n == 0:
            return float("nan")
        skip = 0
        if finite and self.keys[0] == _KEY_NEG_INF:
            skip = int(self.counts[0])
        h = min(max(float(q), 0.0), 1.0) * (n - 1)
        k = math.floor(h)
        low = self._order_statistic(skip + k)
        if h == k:
            return low
        high = self._order_statistic(skip + k + 1)
        if low == high:
            return low
        if not (math.isfinite(low) and math.isfinite(high)):  # no interpolating to infinity
            return low if h - k < 0.5 else high
        return low + (h - k) * (high - low)

    def _order_statistic(self, rank: int) -> float:
        """The draw of 0-based ``rank`` among the defined ones, read inside its bucket."""
        ends = np.cumsum(self.counts)
        j = int(np.searchsorted(ends, rank, side="right"))
        count = int(self.counts[j])
        lo, hi = float(self.lows[j]), float(self.highs[j])
        if count == 1 or lo == hi:
            return lo
        start = int(ends[j]) - count
        return lo + (rank - start) / (count - 1) * (hi - lo)


def _keys(sorted_values: np.ndarray) -> np.ndarray:
    """Bucket key of each value (non-decreasing for sorted values)."""
    x = sorted_values
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        level = np.ceil(np.log(np.abs(x)) / _LOG_GAMMA)
    level = np.where(np.isfinite(level), level, 0.0).astype(np.int64)
    keys = np.where(x > 0, 3 * _SHIFT + level, _SHIFT - level)
    keys[x == 0] = _KEY_ZERO
    keys[x == np.inf] = _KEY_POS_INF
    keys[x == -np.inf] = _KEY_NEG_INF
    return keys


def column_statistics(values: np.ndarray) -> ColumnStatistics:
    """The mergeable summary of one column (booleans count as 0 and 1)."""
    x = np.asarray(values, dtype=float).ravel()
    rows = int(x.size)
    with np.errstate(invalid="ignore", over="ignore"):  # sums beyond the largest double
        total = x.sum()
        # A sum is NaN when some value is (or when +inf meets -inf): otherwise there is no NaN
        # to drop, and the sum of the column is the sum of its defined values, the same
        # reduction over the same values, without a copy of the column.
        if np.isnan(total):
            x = x[~np.isnan(x)]
            total = x.sum()
        n = int(x.size)
        if n == 0:
            empty_i, empty_f = np.empty(0, np.int64), np.empty(0, float)
            return ColumnStatistics(
                rows, 0, 0, math.nan, math.nan, 0, empty_i, empty_i, empty_f, empty_f
            )
        all_finite = bool(np.isfinite(total))
        finite = x if all_finite else x[np.isfinite(x)]
        n_finite = int(finite.size)
        # with every value finite, the sum of the finite ones is ``total`` (the same reduction)
        finite_total = total if all_finite else finite.sum()
        mean = float(finite_total / n_finite) if n_finite else math.nan
        m2 = float(((finite - mean) ** 2).sum()) if n_finite else math.nan
    zeros, ones = int(np.count_nonzero(x == 0)), int(np.count_nonzero(x == 1))
    not_binary = n - zeros - ones
    if not_binary == 0:  # a yes/no column: two exact buckets (the zeros, -0.0 among them)
        keys = np.array([_KEY_ZERO, 3 * _SHIFT], dtype=np.int64)
        counts = np.array([zeros, ones], dtype=np.int64)
        keep = counts > 0
        vals = np.array([0.0, 1.0])[keep]
        return ColumnStatistics(rows, n, n, mean, m2, 0, keys[keep], counts[keep], vals, vals)
    s = np.sort(x)
    k = _keys(s)
    starts = np.concatenate(([0], np.flatnonzero(np.diff(k)) + 1))
    ends = np.concatenate((starts[1:], [n]))
    return ColumnStatistics(
        rows, n, n_finite, mean, m2, not_binary, k[starts], ends - starts, s[starts], s[ends - 1]
    )


def batch_statistics(columns: Mapping[str, np.ndarray]) -> dict[str, ColumnStatistics]:
    """The mergeable summary of each of ``columns`` (one batch's outcomes)."""
    return {name: column_statistics(values) for name, values in columns.items()}


def _merge_moments(parts: Sequence[ColumnStatistics]) -> tuple[int, float, float]:
    """(finite, mean, m2) of the parts together, merged in the given order (Chan et al.)."""
    n, mean, m2 = 0, math.nan, math.nan
    for p in parts:
        if p.finite == 0:
            continue
        if n == 0:
            n, mean, m2 = p.finite, p.mean, p.m2
            continue
        total = n + p.finite
        delta = p.mean - mean
        mean = mean + delta * (p.finite / total)
        m2 = m2 + p.m2 + delta * delta * (n * p.finite / total)
        n = total
    return n, mean, m2


def _merge_one(parts: Sequence[ColumnStatistics]) -> ColumnStatistics:
    rows, n = sum(p.rows for p in parts), sum(p.n for p in parts)
    finite, mean, m2 = _merge_moments(parts)
    keys = np.concatenate([p.keys for p in parts])
    unique, where = np.unique(keys, return_inverse=True)
    counts = np.zeros(unique.size, dtype=np.int64)
    np.add.at(counts, where, np.concatenate([p.counts for p in parts]))
    lows = np.full(unique.size, np.inf)
    np.minimum.at(lows, where, np.concatenate([p.lows for p in parts]))
    highs = np.full(unique.size, -np.inf)
    np.maximum.at(highs, where, np.concatenate([p.highs for p in parts]))
    not_binary = sum(p.not_binary for p in parts)
    return ColumnStatistics(rows, n, finite, mean, m2, not_binary, unique, counts, lows, highs)


def merge_statistics(
    parts: Mapping[int, Mapping[str, ColumnStatistics]],
) -> dict[str, ColumnStatistics]:
    """Merge batches' summaries (``batch index -> column -> statistics``) in batch order.

    The result depends only on the batches' contents, never on the order they were given or
    finished in. Columns missing from a batch are merged over the batches that have them.
    """
    order = sorted(parts)
    names: list[str] = []
    for b in order:
        names += [c for c in parts[b] if c not in names]
    return {name: _merge_one([parts[b][name] for b in order if name in parts[b]]) for name in names}


def summary_table(
    statistics: Mapping[str, ColumnStatistics], outcomes: Sequence[str], level: float = 0.95
) -> pd.DataFrame:
    """Per outcome: mean, the central ``level`` interval of the draws (``low``, ``high``, from
    the sketch) and ``n``, over the finite draws (``n`` counts them), indexed by outcome."""
    import pandas as pd

    tail = (1.0 - level) / 2.0
    rows = []
    for name in outcomes:
        s = statistics[name]
        rows.append(
            {
                "outcome": name,
                "mean": s.mean,
                "low": s.quantile(tail, finite=True),
                "high": s.quantile(1.0 - tail, finite=True),
                "n": s.finite,
            }
        )
    return pd.DataFrame(rows, columns=["outcome", "mean", "low", "high", "n"]).set_index("outcome")
