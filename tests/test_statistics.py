"""Run statistics computed per batch and merged: hand-worked cases, and properties against
NumPy over the whole column (an oracle that shares no code with the sketch)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.experiment.statistics import (
    QUANTILE_RELATIVE_ERROR,
    batch_statistics,
    column_statistics,
    merge_statistics,
)


def test_hand_worked_yes_no_column():
    s = column_statistics(np.array([0.0, 1.0, 1.0, np.nan]))
    assert (s.rows, s.n, s.not_binary) == (4, 3, 0)
    assert s.mean == pytest.approx(2 / 3)
    assert s.variance == pytest.approx(1 / 3)  # ((4/9) + 2 (1/9)) / 2
    # order statistics 0, 1, 1: exact, as NumPy's linear interpolation gives them
    assert [s.quantile(q) for q in (0.0, 0.25, 0.5, 1.0)] == [0.0, 0.5, 1.0, 1.0]


def test_hand_worked_merge_of_two_batches():
    parts = {1: batch_statistics({"x": np.array([4.0, 5.0])}), 0: {"x": column_statistics([1.0])}}
    m = merge_statistics(parts)["x"]
    assert (m.rows, m.n, m.minimum, m.maximum) == (3, 3, 1.0, 5.0)
    assert m.mean == pytest.approx(10 / 3)
    assert m.variance == pytest.approx(np.var([1.0, 4.0, 5.0], ddof=1))
    assert m.quantile(0.5) == 4.0  # each bucket holds one value: exact


def test_nothing_defined_and_infinities():
    s = column_statistics(np.array([np.nan, np.nan]))
    assert (s.rows, s.n) == (2, 0) and math.isnan(s.quantile(0.5)) and math.isnan(s.mean)
    t = column_statistics(np.array([-np.inf, 2.0, np.inf, 4.0]))
    assert (t.n, t.finite, t.mean, t.variance) == (4, 2, 3.0, 2.0)  # moments of the finite draws
    assert t.quantile(0.0) == -np.inf and t.quantile(1.0) == np.inf
    assert t.quantile(0.0, finite=True) == 2.0 and t.quantile(1.0, finite=True) == 4.0
    assert t.quantile(0.5, finite=True) == 3.0


values = st.lists(
    st.one_of(
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
        st.sampled_from([0.0, 1.0, np.nan, 3.0]),
    ),
    min_size=1,
    max_size=300,
)


@settings(max_examples=150, deadline=None)
@given(values, st.lists(st.integers(0, 300), max_size=5), st.floats(0.0, 1.0))
def test_merged_batches_agree_with_numpy_over_the_column(xs, cuts, q):
    x = np.array(xs)
    pieces = np.split(x, sorted(c for c in cuts if c <= x.size))
    m = merge_statistics({b: {"x": column_statistics(p)} for b, p in enumerate(pieces)})["x"]
    d = x[~np.isnan(x)]
    assert (m.rows, m.n, m.finite) == (x.size, d.size, d.size)
    assert m.not_binary == np.count_nonzero((d != 0) & (d != 1))
    if d.size == 0:
        return
    assert (m.minimum, m.maximum) == (d.min(), d.max())
    assert m.mean == pytest.approx(d.mean(), rel=1e-9, abs=1e-4)
    if d.size > 1:
        assert m.variance == pytest.approx(d.var(ddof=1), rel=1e-6, abs=1e-3)
    exact = float(np.quantile(d, q))
    # each order statistic is read within a relative GAMMA - 1 of itself; the interpolation
    # between the two neighbours keeps the larger magnitude's bound
    k = math.floor(q * (d.size - 1))
    bound = np.sort(d)[k : k + 2]
    tolerance = QUANTILE_RELATIVE_ERROR * np.abs(bound).max() * (1 + 1e-9) + 1e-300
    assert abs(m.quantile(q) - exact) <= tolerance


@settings(max_examples=50, deadline=None)
@given(values, st.permutations(range(4)))
def test_merge_does_not_depend_on_the_order_batches_arrive(xs, order):
    pieces = np.array_split(np.array(xs), 4)
    stats = [{"x": column_statistics(p)} for p in pieces]
    a = merge_statistics(dict(enumerate(stats)))["x"]
    b = merge_statistics({i: stats[i] for i in order})["x"]
    assert (a.mean, a.m2, a.n) == (b.mean, b.m2, b.n) or (math.isnan(a.mean) and a.n == b.n)
    for field in ("keys", "counts", "lows", "highs"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
