"""The compiled pivot loop of the dual simplex gives the NumPy loop's results bit for bit.

Every comparison runs the same linear programmes through ``lp_min`` twice, once under
``backend.kernels("numpy")`` and once under ``backend.kernels("compiled")``, and asks for exactly
equal objectives, solutions and statuses (``np.array_equal``), on generated programmes (feasible,
infeasible, degenerate, with ties, with variables unbounded above) and on the flagship's own ones
(through ``evaluate_batch``). Shrinking the pivot limits makes Bland's rule and the pivot limit
bite, which the small programmes otherwise seldom reach. The NumPy loop's results also do not
depend on the batch a row is solved in (solved alone, or in the batch reversed), checked here
because the compiled loop solves each row on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models.realignment import backend, simplex
from realpolitik.models.realignment.simplex import INFEASIBLE, OPTIMAL, UNFINISHED, LPResult, lp_min


def _lps(seed: int, B: int, n: int, r1: int, r2: int, grid: float, free: float):
    """``B`` programmes on a grid of numbers (ties and degenerate vertices are common): some
    right-hand sides out of reach (infeasible rows), a share ``free`` of the variables with no
    upper bound (at a cost of at least zero), a few negative costs on bounded variables."""
    rng = np.random.default_rng(seed)

    def q(x):
        return np.round(x / grid) * grid

    u = q(rng.uniform(0, 2, (B, n))) * (rng.random((B, n)) > 0.1)
    unbounded = rng.random((B, n)) < free
    u = np.where(unbounded, np.inf, u)
    c = q(rng.uniform(-1, 3, (B, n)))
    c = np.where(unbounded, np.abs(c), c)
    G = q(rng.uniform(-0.5, 2, (B, r1, n))) * (rng.random((B, r1, n)) > 0.3)
    g = q(rng.uniform(-1, 5, (B, r1)))
    H = q(rng.uniform(-0.5, 2, (B, r2, n))) * (rng.random((B, r2, n)) > 0.4)
    h = q(rng.uniform(-0.5, 3, (B, r2)))
    return c, G, g, H, h, u


def _solve(choice: str, lp) -> LPResult:
    with backend.kernels(choice):
        return lp_min(*lp)


def _assert_identical(a: LPResult, b: LPResult) -> None:
    for field in ("objective", "x", "status"):
        assert np.array_equal(getattr(a, field), getattr(b, field)), field


@contextmanager
def _limits(bland_after: int, max_pivots: int) -> Iterator[None]:
    """Both loops with smaller limits (the simplex passes its own to the compiled loop)."""
    with (
        mock.patch.object(simplex, "_BLAND_AFTER", bland_after),
        mock.patch.object(simplex, "_MAX_PIVOTS", max_pivots),
    ):
        yield


_shapes = dict(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, 7),
    r1=st.integers(0, 4),
    r2=st.integers(0, 4),
    grid=st.sampled_from([1.0, 0.5, 0.25]),
    free=st.sampled_from([0.0, 0.3, 1.0]),
)


@given(**_shapes)
@settings(max_examples=60, deadline=None)
def test_compiled_equals_numpy_on_generated_lps(seed, n, r1, r2, grid, free):
    lp = _lps(seed, 50, n, r1, r2, grid, free)
    ref = _solve("numpy", lp)
    _assert_identical(_solve("compiled", lp), ref)
    # and the solutions are solutions (a check that shares nothing with either loop)
    c, G, g, H, h, u = lp
    ok = ref.status == OPTIMAL
    x = ref.x[ok]
    assert np.all(np.einsum("brn,bn->br", G[ok], x) >= g[ok] - 1e-8)
    assert np.all(np.einsum("brn,bn->br", H[ok], x) <= h[ok] + 1e-8)
    assert np.all((x >= 0) & (x <= u[ok]))


@given(**_shapes, bland_after=st.integers(0, 3), max_pivots=st.integers(1, 6))
@settings(max_examples=60, deadline=None)
def test_compiled_equals_numpy_with_small_pivot_limits(
    seed, n, r1, r2, grid, free, bland_after, max_pivots
):
    lp = _lps(seed, 50, n, r1, r2, grid, free)
    with _limits(bland_after, max_pivots):
        _assert_identical(_solve("compiled", lp), _solve("numpy", lp))


def test_generated_lps_reach_every_status_and_rule():
    # the generators are not vacuous: infeasible, optimal and (with a small limit) unfinished
    # rows, rows that pivot under Bland's rule, and unbounded variables in optimal solutions
    lp = _lps(7, 4000, 6, 3, 3, 0.5, 0.3)
    full = _solve("numpy", lp)
    _assert_identical(_solve("compiled", lp), full)
    assert set(full.status) == {OPTIMAL, INFEASIBLE}
    assert np.any(np.isinf(lp[5][full.status == OPTIMAL]))
    with _limits(1, 3):
        small = _solve("numpy", lp)
        _assert_identical(_solve("compiled", lp), small)
    assert set(small.status) == {OPTIMAL, INFEASIBLE, UNFINISHED}
    # rows that needed more than one pivot (Bland's rule from the second) still finish the same
    both = (small.status != UNFINISHED) & (full.status == OPTIMAL)
    assert np.sum(both) > 100
    np.testing.assert_allclose(small.objective[both], full.objective[both], rtol=1e-9, atol=1e-9)


@given(**_shapes, bland_after=st.integers(0, 3), max_pivots=st.integers(1, 6))
@settings(max_examples=30, deadline=None)
def test_numpy_row_results_do_not_depend_on_the_batch(
    seed, n, r1, r2, grid, free, bland_after, max_pivots
):
    lp = _lps(seed, 30, n, r1, r2, grid, free)
    with _limits(bland_after, max_pivots), backend.kernels("numpy"):
        batch = lp_min(*lp)
        reverse = lp_min(*(a[::-1] for a in lp))
        alone = [lp_min(*(a[b : b + 1] for a in lp)) for b in range(30)]
    _assert_identical(
        LPResult(reverse.objective[::-1], reverse.x[::-1], reverse.status[::-1]), batch
    )
    for b, one in enumerate(alone):
        assert np.array_equal(one.objective, batch.objective[b : b + 1])
        assert np.array_equal(one.x, batch.x[b : b + 1])
        assert np.array_equal(one.status, batch.status[b : b + 1])


def test_hand_worked_lps_compiled():
    # min x + 2y s.t. x + y >= 3, x <= 2, 0 <= x, y <= 5: x = 2, y = 1, cost 4; with y
    # unbounded the same; with x + y >= 11 and y <= 5 infeasible
    c = np.array([[1.0, 2.0]] * 3)
    G = np.array([[[1.0, 1.0]]] * 3)
    g = np.array([[3.0], [3.0], [11.0]])
    H = np.array([[[1.0, 0.0]]] * 3)
    h = np.array([[2.0]] * 3)
    u = np.array([[5.0, 5.0], [5.0, np.inf], [5.0, 5.0]])
    res = _solve("compiled", (c, G, g, H, h, u))
    np.testing.assert_array_equal(res.status, [OPTIMAL, OPTIMAL, INFEASIBLE])
    np.testing.assert_allclose(res.x[:2], [[2.0, 1.0], [2.0, 1.0]], atol=1e-12)
    assert res.objective[0] == pytest.approx(4.0, abs=1e-12)
    assert res.objective[1] == pytest.approx(4.0, abs=1e-12)
    assert np.isinf(res.objective[2])


def test_flagship_evaluate_batch_identical_compiled_and_numpy():
    import realpolitik
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.adapters.realignment import problem_from_scenario
    from realpolitik.models.realignment import evaluate_batch, simplex_kernels

    sc = realpolitik.load("reverse-kissinger")
    B = 3000
    pb = problem_from_scenario(sc, experiment_spec(sc, ["realignment"]).sample(B, rng=3), B)
    years = tuple(range(1, 16))
    rows: list[int] = []
    run_rows = simplex_kernels.run_rows

    def counted(T, *args):
        rows.append(T.shape[0])
        return run_rows(T, *args)

    with mock.patch.object(simplex_kernels, "run_rows", counted):
        with backend.kernels("numpy"):
            ref = evaluate_batch(pb, np.random.default_rng(5), years=years)
        assert rows == []
        with backend.kernels("compiled"):
            out = evaluate_batch(pb, np.random.default_rng(5), years=years)
    assert sum(rows) > 1000  # the flagship's budgeted packages went through the kernel
    assert out.keys() == ref.keys()
    for key in ref:
        assert np.array_equal(out[key], ref[key], equal_nan=True), key


def test_the_ratio_test_admits_a_column_by_its_pivot_element_against_the_tolerance():
    """The dual ratio test by hand: a column enters only if its pivot element, signed by the
    leaving variable's bound, exceeds PIVOT_TOL (or is below -PIVOT_TOL at its upper bound);
    among those the smallest ratio |reduced cost| / |pivot element| wins.

    Column 0's element is 0.75 tolerance (not admitted, though its ratio would be the smallest);
    column 1's ratio is 4 / 2 tol, column 2's 3 / 3 tol: column 2 enters. Leaving at the lower
    bound (``high`` False) flips the sign: only the negative elements qualify."""
    from realpolitik.models.realignment.simplex_kernels import _entering
    from realpolitik.models.realignment.simplex_rules import PIVOT_TOL

    tol = PIVOT_TOL
    T = np.array([[0.75 * tol, 2 * tol, 3 * tol, -5 * tol]])
    red = np.array([0.1, 4.0, 3.0, 1.0])
    basic = np.zeros(4, bool)
    upper = np.zeros(4, bool)
    scratch = np.empty(4)
    assert _entering(T, red, basic, upper, 0, True, scratch) == 2
    assert _entering(T, red, basic, upper, 0, False, scratch) == 3
    # at its upper bound a column qualifies the other way round: column 3 (ratio 1 / 5 tol,
    # the smallest) when leaving at the upper bound, and then nothing at the lower
    upper[:] = [False, False, False, True]
    assert _entering(T, red, basic, upper, 0, True, scratch) == 3
    assert _entering(T, red, basic, upper, 0, False, scratch) == -1
    basic[3] = True  # a basic column never enters
    assert _entering(T, red, basic, upper, 0, True, scratch) == 2
