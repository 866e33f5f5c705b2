"""The bootstrap half-widths and input slices of the outcome sensitivity, computed bin by bin
(the fast path), are the same to the last bit as the whole-table computation they replace.

The reference below builds the full (resample, input, slice, outcome bin) table of counts with
one sparse product over all draws and takes the KS distances with
:func:`~realpolitik.experiment.outcome_sensitivity.slice_distances`, eight resamples at a time,
exactly as the module did before; the slices' reference cuts with ``np.unique`` and a separate
ranking sort. Hypothesis draws the shapes that matter: few and many outcome bins, inputs with
fewer values than slices (empty slices), bins holding more draws than one chunk, NaN inputs.
The stable order both the slices and discovery's thresholds sort by (``stable_argsort``, an
unstable sort where no values tie) is NumPy's stable argsort, ties, NaN and signed zeros included.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from hypothesis import given, settings
from hypothesis import strategies as st

import realpolitik.experiment.outcome_sensitivity as OS
from realpolitik.experiment.sorting import stable_argsort


def reference_half_widths(
    slices: np.ndarray, bins: np.ndarray, n_bins: int, rng: np.random.Generator
) -> np.ndarray:
    """The whole-table bootstrap (the module's code before the bin-by-bin path)."""
    k, n = slices.shape
    cells = OS._cells(slices, bins, n_bins).ravel()
    membership = scipy.sparse.csr_matrix(
        (np.ones(cells.size, dtype=np.float32), (cells, np.tile(np.arange(n), k))),
        shape=(k * OS.SLICES * n_bins, n),
    )
    picks = np.stack(
        [np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(OS.BOOTSTRAP)], axis=1
    ).astype(np.float32)
    tables = np.asarray(membership @ picks, dtype=float).T.reshape(
        OS.BOOTSTRAP, k, OS.SLICES, n_bins
    )
    replicates = np.concatenate(
        [OS.slice_distances(tables[b : b + 8]) for b in range(0, OS.BOOTSTRAP, 8)]
    )
    return OS._Z95 * replicates.std(axis=0, ddof=1)


def reference_slices(x: np.ndarray, slices: int = OS.SLICES) -> np.ndarray:
    """Input slices by ``np.unique`` and a separate ranking sort (the module's code before)."""
    values = np.unique(x)
    if values.size <= slices:
        return np.searchsorted(values, x).astype(np.int64)
    n = x.size
    rank = np.empty(n, dtype=np.int64)
    rank[np.argsort(x, kind="stable")] = np.arange(n)
    return rank * slices // n


def _case(seed: int, n: int, k: int, n_bins: int, discrete: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, k))
    X[:, :discrete] = rng.integers(0, 4, size=(n, discrete))  # fewer values than slices
    slices = OS.all_input_slices(X)
    bins = rng.integers(0, n_bins, n)
    bins[:n_bins] = np.arange(n_bins)  # every bin holds a draw, as outcome_bins numbers them
    return slices, bins


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(12, 400),
    k=st.integers(1, 6),
    n_bins=st.integers(2, 40),
    discrete=st.integers(0, 2),
    chunk=st.sampled_from([3, 64, OS._BOOTSTRAP_CHUNK]),
)
def test_bin_by_bin_half_widths_are_the_whole_tables_bit_for_bit(
    seed: int, n: int, k: int, n_bins: int, discrete: int, chunk: int
) -> None:
    """Whatever the chunk size."""
    n_bins = min(n_bins, n)
    slices, bins = _case(seed, n, k, n_bins, min(discrete, k))
    expected = reference_half_widths(slices, bins, n_bins, np.random.default_rng(seed))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(OS, "_BOOTSTRAP_CHUNK", chunk)
        got = OS._bootstrap_half_widths(slices, bins, n_bins, np.random.default_rng(seed))
    assert got.shape == expected.shape == (k,)
    assert np.array_equal(got, expected, equal_nan=True)


@pytest.mark.parametrize("n_bins", [2, 201])
def test_a_run_sized_case_is_the_same_bit_for_bit(n_bins: int) -> None:
    """The flagship's shape: thousands of draws, dozens of inputs, two or ~200 outcome bins."""
    slices, bins = _case(11, 6000, 30, n_bins, 3)
    expected = reference_half_widths(slices, bins, n_bins, np.random.default_rng(1))
    got = OS._bootstrap_half_widths(slices, bins, n_bins, np.random.default_rng(1))
    assert np.array_equal(got, expected)
    assert (got > 0).all()  # the check compares numbers, not zeros


@settings(max_examples=80, deadline=None)
@given(
    values=st.lists(
        st.one_of(st.integers(-3, 3).map(float), st.floats(-1e6, 1e6), st.just(float("nan"))),
        max_size=60,
    ),
    slices=st.integers(1, 12),
)
def test_one_sort_cuts_the_slices_as_unique_and_argsort_did(
    values: list[float], slices: int
) -> None:
    x = np.array(values, dtype=float)
    assert np.array_equal(OS.input_slices(x, slices), reference_slices(x, slices))


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(
        st.one_of(
            st.integers(-2, 2).map(float),
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from([0.0, -0.0]),
        ),
        max_size=80,
    )
)
def test_the_fast_stable_order_is_numpys_stable_order(values: list[float]) -> None:
    x = np.array(values, dtype=float)
    assert np.array_equal(stable_argsort(x), np.argsort(x, kind="stable"))


def test_distinct_draws_take_the_fast_sort_and_ties_the_stable_one() -> None:
    """Both branches are exercised: a continuous sample has no ties, a discrete one has."""
    x = np.random.default_rng(2).normal(size=5000)
    assert np.array_equal(stable_argsort(x), np.argsort(x, kind="stable"))
    d = np.random.default_rng(2).integers(0, 3, 5000).astype(float)
    assert np.array_equal(stable_argsort(d), np.argsort(d, kind="stable"))
    assert not np.array_equal(np.argsort(d), np.argsort(d, kind="stable"))  # it matters here
