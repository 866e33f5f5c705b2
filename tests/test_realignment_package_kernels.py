"""The compiled package kernels give NumPy's numbers bit for bit.

Every public package solver of ``realignment/solvers.py`` runs either its NumPy code or its Numba
twin in ``package_kernels.py``, by batch size (``backend.use_compiled``). The choice must not
show in any number: here both run on the same inputs (Hypothesis batches, hand-picked edge
cases, and the flagship scenario end to end) and every output must be identical, NaN and inf
in the same places (``np.array_equal(..., equal_nan=True)``: equal values, signed zeros aside).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from realpolitik.models.realignment import backend, solvers

pk = pytest.importorskip("realpolitik.models.realignment.package_kernels")


def both(fn, *args):
    """``fn(*args)`` under NumPy and under the compiled kernels, as tuples of arrays (NumPy's
    warnings on overflowing or invalid values silenced: the values are compared)."""
    out = []
    for choice in ("numpy", "compiled"):
        with backend.kernels(choice), np.errstate(all="ignore"):
            r = fn(*args)
        out.append(r if isinstance(r, tuple) else (r,))
    return out


def assert_identical(ref, got):
    assert len(ref) == len(got)
    for i, (x, y) in enumerate(zip(ref, got, strict=True)):
        assert np.shape(x) == np.shape(y), i
        assert np.asarray(x).dtype == np.asarray(y).dtype, i
        assert np.array_equal(x, y, equal_nan=True), (i, x, y)


def check_all(p, k, lo, hi, binary, a, w, sf, need, col, budgets, x):
    """Every public solver, NumPy against compiled."""
    assert_identical(*both(solvers.fast_min_cost, p, k, lo, hi, binary, a, w, sf, need))
    assert_identical(*both(solvers.fast_max_value, p, k, lo, hi, binary, need))
    assert_identical(*both(solvers.budgeted_max_value, p, k, lo, hi, binary, col, budgets))
    assert_identical(*both(solvers.trade_fill, x, a, w, sf))
    assert_identical(*both(solvers.package_value_arrays, x, p, a, w, sf))
    assert_identical(*both(solvers.box_max_value, p, hi, a, w, sf))
    assert_identical(*both(solvers.common_weight, a, w))


# ---------------------------------------------------------------------------------------------
# the summation order: the compiled row sum is NumPy's, for every length the solvers use
# ---------------------------------------------------------------------------------------------

SPECIAL = [0.0, -0.0, 1.0, -1.0, 1e-300, 1e300, -1e300, 3.0, 0.1, np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("n", range(0, 40))
def test_row_sum_is_numpys_sum_for_every_length(n):
    rng = np.random.default_rng(n)
    x = rng.standard_normal((500, n)) * 10.0 ** rng.integers(-12, 12, (500, n))
    want = np.sum(x, axis=1)
    got = np.array([pk._row_sum(row, n) for row in x])
    assert np.array_equal(want, got)
    buf = np.empty(max(n, 1))
    y = rng.uniform(-3, 3, (500, n))
    assert np.array_equal(
        np.sum(x * y, axis=1), [pk._row_dot(r, s, n, buf) for r, s in zip(x, y, strict=True)]
    )


@pytest.mark.parametrize("n", range(0, solvers.COMPILED_MAX_LEVERS + 2))
def test_short_row_sums_do_not_depend_on_the_layout(n):
    """Up to seven terms (the solvers' limit: six levers, one more in the LP), NumPy sums from
    the left in C order, Fortran order and strided: the compiled row sum holds for all."""
    rng = np.random.default_rng(100 + n)
    x = rng.standard_normal((400, 2 * n)) * 10.0 ** rng.integers(-12, 12, (400, 2 * n))
    y = rng.uniform(-3, 3, (400, n))
    want = np.array([pk._row_sum(row, n) for row in np.ascontiguousarray(x[:, ::2])])
    for layout in (x[:, ::2], np.asfortranarray(x[:, ::2]), np.ascontiguousarray(x[:, ::2])):
        assert np.array_equal(np.sum(layout, axis=1), want)
    buf = np.empty(max(n, 1))
    prod = [pk._row_dot(r, s, n, buf) for r, s in zip(x[:, ::2], y, strict=True)]
    assert np.array_equal(np.sum(np.asfortranarray(x[:, ::2]) * y, axis=1), prod)


@settings(deadline=None)  # the first call may compile the kernel
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 5), st.integers(0, 17)),
        elements=st.sampled_from(SPECIAL),
    )
)
def test_row_sum_keeps_numpys_special_values(x):
    with np.errstate(invalid="ignore", over="ignore"):
        want = np.sum(x, axis=1)
        got = np.array([pk._row_sum(row, x.shape[1]) for row in x])
    assert np.array_equal(want, got, equal_nan=True)


@settings(deadline=None)  # the first call may compile the kernel
@given(
    arrays(
        np.float64,
        st.integers(0, 9),
        elements=st.sampled_from([0.0, -0.0, 1.0, 2.0, -1.0, np.inf, np.nan]),
    )
)
def test_argsort_is_numpys_stable_argsort(key):
    order = np.empty(key.size, np.int64)
    pk._argsort(key, key.size, order)
    assert order.tolist() == np.argsort(key, kind="stable").tolist()


# ---------------------------------------------------------------------------------------------
# Hypothesis batches
# ---------------------------------------------------------------------------------------------

VALUES = st.one_of(
    st.sampled_from([0.0, 1.0, 2.0, 0.5, -1.0, 10.0]),
    st.floats(-5, 50, allow_nan=False, allow_infinity=False, width=64),
)


@st.composite
def batches(draw):
    B = draw(st.integers(1, 12))
    m = draw(st.integers(0, 6))
    nb = draw(st.integers(0, min(m, 3)))

    def mat(elements=VALUES, shape=(B, m)):
        return draw(arrays(np.float64, shape, elements=elements))

    nonneg = st.one_of(st.just(0.0), st.floats(0, 20, allow_nan=False, width=64))
    p, k = mat(), mat()
    lo = mat(nonneg)
    hi = lo + mat(nonneg)
    binary = np.zeros(m, bool)
    binary[draw(st.permutations(range(m)))[:nb]] = True
    a = mat(nonneg) * mat(st.sampled_from([0.0, 1.0]))
    shared = draw(st.booleans())
    w = np.repeat(mat(nonneg, (B, 1)), m, axis=1) if shared else mat(nonneg)
    sf, need = mat(VALUES, (B,)), mat(VALUES, (B,))
    npay = draw(st.integers(1, 3))
    col = np.array(draw(st.lists(st.integers(0, npay - 1), min_size=m, max_size=m)), np.int64)
    budgets = mat(VALUES, (B, npay))
    x = lo + (hi - lo) * mat(st.sampled_from([0.0, 0.5, 1.0]))
    return p, k, lo, hi, binary, a, w, sf, need, col, budgets, x


@settings(max_examples=300, deadline=None)
@given(batches())
def test_compiled_solvers_equal_numpy_on_any_batch(args):
    check_all(*args)


def test_compiled_solvers_equal_numpy_on_large_random_batches(monkeypatch):
    """Thousands of rows per shape, capacity weights shared so that rows reach the LP."""
    seen = []
    lp = solvers._lp_trade
    monkeypatch.setattr(solvers, "_lp_trade", lambda *a: seen.append(a[0].shape[0]) or lp(*a))
    rng = np.random.default_rng(7)
    for m in range(0, 8):
        for nb in range(0, min(m, 3) + 1):
            B = 2000
            p = rng.uniform(-1, 3, (B, m)) * (rng.random((B, m)) < 0.8)
            k = rng.uniform(-0.5, 3, (B, m))
            lo = rng.uniform(0, 1, (B, m)) * (rng.random((B, m)) < 0.5)
            hi = lo + rng.uniform(0, 3, (B, m)) * (rng.random((B, m)) < 0.9)
            binary = np.arange(m) < nb
            a = rng.uniform(0, 2, (B, m)) * (rng.random((B, m)) < 0.5)
            w = np.repeat(rng.uniform(0, 2, (B, 1)), m, axis=1)
            sf, need = rng.uniform(-1, 4, B), rng.uniform(-1, 8, B)
            col = np.arange(m) % 2
            budgets = np.stack([need, need - 1], axis=1)
            x = lo + (hi - lo) * rng.random((B, m))
            check_all(p, k, lo, hi, binary, a, w, sf, need, col, budgets, x)
    assert sum(seen) > 100  # on the NumPy side, many rows went to the Lagrangian LP


# ---------------------------------------------------------------------------------------------
# hand-picked edge cases
# ---------------------------------------------------------------------------------------------


def _case(B=3, m=3, **over):
    one = np.ones((B, m))
    base = dict(
        p=one * [1.0, 0.2, 2.0][:m], k=one * [1.0, 1.0, 3.0][:m], lo=one * 0.0,
        hi=one * [10.0, 5.0, 1.0][:m], binary=np.zeros(m, bool), a=one * [0.0, 2.0, 1.0][:m],
        w=one * 1.0, sf=np.array([3.0, 1.0, 0.0])[:B], need=np.array([4.0, 4.0, 2.0])[:B],
        col=np.zeros(m, np.int64), budgets=np.array([[5.0], [1.0], [-1.0]])[:B], x=one,
    )  # fmt: skip
    base.update(over)
    return base


def _run(c):
    check_all(*(c[n] for n in "p k lo hi binary a w sf need col budgets x".split()))


EDGE_CASES = {
    "no levers": _case(m=0),
    "all on/off": _case(binary=np.ones(3, bool), lo=np.ones((3, 3)) * 0.5),
    "all continuous, zero bounds": _case(hi=np.zeros((3, 3))),
    "negative costs": _case(k=np.array([[-1.0, 1.0, -2.0]] * 3)),
    "zero value": _case(p=np.zeros((3, 3)), a=np.zeros((3, 3))),
    "zero capacity": _case(a=np.zeros((3, 3))),
    "unreachable needs": _case(need=np.array([1e6, 50.0, 1e9])),
    "negative needs": _case(need=np.array([-1.0, -0.0, -5.0])),
    "negative budgets": _case(budgets=np.array([[-1.0], [-0.0], [0.0]])),
    "no shortfall": _case(sf=np.array([0.0, -1.0, -0.0])),
    "infinite shortfall": _case(sf=np.array([np.inf, 1.0, 2.0])),
    "unequal capacity weights": _case(w=np.array([[1.0, 2.0, 0.5]] * 3)),
    "one capacity lever": _case(a=np.array([[0.0, 2.0, 0.0]] * 3)),
    "one row": _case(B=1),
    "no rows": _case(B=0),
    "no payers": _case(col=np.zeros(3, np.int64) - 1, budgets=np.zeros((3, 0))),
    "two payers": _case(
        col=np.array([0, 1, 1]), budgets=np.array([[1.0, 2.0], [0.0, 9.0], [4.0, 0.0]])
    ),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_compiled_solvers_equal_numpy_on_edge_cases(name):
    _run(EDGE_CASES[name])


def test_rows_that_reach_the_lp_match_and_are_the_hand_worked_optimum(monkeypatch):
    """The hand-worked LP rows of test_realignment_by_hand: neither relaxation fits, so NumPy
    solves them by ``_lp_trade``; the compiled kernel gives the same bits."""
    two = np.ones((2, 1))
    args = (
        two * [1.0, 0.2], two * [1.0, 1.0], two * [0.0, 0.0], two * [10.0, 5.0],
        np.array([False, False]), two * [0.0, 2.0], two * [0.0, 1.0], np.array([3.0, 1.0]),
        np.array([4.0, 4.0]),
    )  # fmt: skip
    seen = []
    lp = solvers._lp_trade
    monkeypatch.setattr(solvers, "_lp_trade", lambda *a: seen.append(a[0].shape[0]) or lp(*a))
    ref, got = both(solvers.fast_min_cost, *args)
    assert seen == [2]  # both rows went to the LP on the NumPy side
    assert_identical(ref, got)
    np.testing.assert_allclose(got[0], [2.2, 3.4])
    assert got[2].tolist() == [True, True]


def test_inputs_of_other_layouts_and_dtypes_give_the_same_numbers():
    """Strided views, integer extents and broadcast inputs go through the kernels unchanged."""
    rng = np.random.default_rng(3)
    wide = rng.uniform(0, 2, (50, 8))
    x, a, w = wide[:, ::2], wide[:, 1::2], rng.uniform(0, 1, (50, 4))
    sf = rng.uniform(0, 3, (50, 2))[:, 1]
    assert_identical(*both(solvers.trade_fill, x, a, w, sf))
    assert_identical(*both(solvers.package_value_arrays, x, np.ones(4), a, w, sf))
    ints = rng.integers(0, 3, (50, 4))
    assert_identical(*both(solvers.package_value_arrays, ints, w, a, w, sf))


def test_too_many_on_off_levers_is_the_same_error_both_ways():
    from realpolitik.errors import ModelError

    m = solvers.MAX_BINARY_ENUM + 1
    z = np.zeros((2, m))
    for choice in ("numpy", "compiled"):
        with backend.kernels(choice), pytest.raises(ModelError, match="too many"):
            solvers.fast_max_value(z, z, z, z + 1, np.ones(m, bool), np.zeros(2))


# ---------------------------------------------------------------------------------------------
# the flagship end to end
# ---------------------------------------------------------------------------------------------


@pytest.mark.shared
def test_flagship_evaluate_batch_is_identical_both_ways():
    import realpolitik
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.adapters.realignment import problem_from_scenario
    from realpolitik.models.realignment import evaluate_batch

    s = realpolitik.load("reverse-kissinger")
    B = 3000
    pb = problem_from_scenario(s, experiment_spec(s, ["realignment"]).sample(B, rng=0), B)
    out = {}
    for choice in ("numpy", "compiled"):
        with backend.kernels(choice):
            out[choice] = evaluate_batch(pb, np.random.default_rng(1), years=tuple(range(1, 16)))
    assert out["numpy"].keys() == out["compiled"].keys()
    for key, ref in out["numpy"].items():
        assert np.array_equal(ref, out["compiled"][key], equal_nan=True), key
    # the batch is not trivial: some draws realign, some hedge, some stay
    assert 0 < np.sum(out["numpy"]["courter_wins"]) < B
    assert 0 < np.sum(out["numpy"]["stays"]) < B
