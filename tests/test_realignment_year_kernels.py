"""The faster simulation years give the numbers they gave before, bit for bit (issue 17).

Three kinds of evidence:

* whole simulations with the compiled yearly bookkeeping
  (:mod:`~realpolitik.models.realignment.year_kernels`: lapses, standing values, re-choice)
  and with the re-bid games reusing the year-1 problem's parts (``_Reused``), against the
  same simulations in NumPy with everything found again each year (``reuse=None``, the code
  before this work): every output and every path's state after every year, on random problems
  (Hypothesis: rows of a few levers) and on the flagship (eight levers, whose row sums NumPy
  adds pairwise; two capacity levers sorted by their trade value), paths 1 and more, with and
  without ``until``;
* :func:`~realpolitik.models.realignment.rows.take_rows` / ``put_rows`` against fancy
  indexing;
* the flagship against the revision before this work, from ``git archive``, in
  ``tests/test_realignment_rebid_same.py``.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems

from realpolitik.models.realignment import RealignmentProblem, evaluate_batch, simulate
from realpolitik.models.realignment.backend import kernels
from realpolitik.models.realignment.rows import put_rows, take_rows

SIM = sys.modules["realpolitik.models.realignment.simulate"]
_STATE = ("option", "successor", "extent", "unit_value", "unit_trade", "target")


def _same(x: object, y: object, name: str) -> None:
    """Equal bit for bit: dtype, shape and every value (NaN where NaN, the sign of zeros)."""
    a, b = np.asarray(x), np.asarray(y)
    assert a.dtype == b.dtype and a.shape == b.shape, name
    assert a.tobytes() == b.tobytes(), name


@contextmanager
def _mode(mode: str) -> Iterator[list[list[np.ndarray]]]:
    """Run the simulation as ``mode`` says, recording every path's state after each year:
    ``before`` NumPy with nothing reused (the code before this work), ``numpy`` and
    ``compiled`` the kernels with the year-1 parts reused."""
    log: list[list[np.ndarray]] = []
    year = SIM._year

    def recorded(pb, state, d, t, live, again, fixed):  # type: ignore[no-untyped-def]
        year(pb, state, d, t, live, again, fixed)
        log.append([getattr(state, f).copy() for f in _STATE])

    fixed_of = SIM._Fixed.of
    with pytest.MonkeyPatch.context() as m, kernels("numpy" if mode == "before" else mode):
        m.setattr(SIM, "_year", recorded)
        if mode == "before":
            m.setattr(SIM._Fixed, "of", classmethod(lambda cls, pb, d=None: fixed_of(pb)))
        yield log


def _run(mode: str, fn: Callable[[], Any]) -> tuple[dict[str, np.ndarray], list[Any]]:
    """``fn()``'s outputs by name (a simulation's fields or ``evaluate_batch``'s columns) and
    the paths' states by year."""
    with _mode(mode) as log:
        out = fn()
    if dataclasses.is_dataclass(out):
        out = {f.name: getattr(out, f.name) for f in dataclasses.fields(out)}
    return {k: np.asarray(v) for k, v in out.items()}, log


def _same_runs(fn: Callable[[], Any]) -> dict[str, np.ndarray]:
    """``fn`` run in NumPy as before, in NumPy reusing, and compiled: the same bit for bit.
    Returns the outputs."""
    before, log0 = _run("before", fn)
    for mode in ("numpy", "compiled"):
        now, log = _run(mode, fn)
        assert sorted(now) == sorted(before)
        for k in before:
            _same(now[k], before[k], f"{mode}: {k}")
        assert len(log) == len(log0)
        for year, (a, b) in enumerate(zip(log, log0, strict=True)):
            for name, x, y in zip(_STATE, a, b, strict=True):
                _same(x, y, f"{mode}: {name} after year {year + 2}")
    return before


@settings(max_examples=25, deadline=None)
@given(
    realignment_problems(),
    st.integers(0, 2**31 - 1),
    st.integers(1, 3),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["as drawn", "declining", "no components"]),
)
def test_the_years_are_the_ones_before_on_random_problems(pb, seed, paths, until, rebid, variant):
    """Whole simulations, three ways, on generated problems; also with an incumbent side whose
    stake declines between bids, and with no components but the two a re-bid game adds (its
    components' sum then starts from the first of them)."""
    rng = np.random.default_rng(seed)
    if variant == "declining":
        pb = pb.with_changes(incumbent_decline=rng.uniform(0.05, 0.6, pb.batch))
    elif variant == "no components":
        pb = pb.with_changes(components=np.zeros((pb.batch, 0, 2)), component_names=())
    last = int(rng.integers(1, pb.years + 1)) if until else None
    _same_runs(lambda: simulate(pb, seed, paths=paths, until=last, rebid=rebid))


@pytest.fixture(scope="module")
def flagship() -> RealignmentProblem:
    """400 draws of the flagship's uncertainties (horizons of 5, 10 and 15 years)."""
    import realpolitik
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.adapters.realignment import problem_from_scenario

    s = realpolitik.load("reverse-kissinger")
    B = 400
    return problem_from_scenario(s, experiment_spec(s, ["realignment"]).sample(B, rng=3), B)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_flagship_years_are_the_ones_before(flagship, seed):
    rng = np.random.default_rng
    out = _same_runs(lambda: evaluate_batch(flagship, rng(seed), years=tuple(range(1, 16))))
    assert np.any(out["realigns"] > 0) and np.any(out["p_hedge_year_15"] > 0)
    _same_runs(lambda: evaluate_batch(flagship, rng(seed)))  # until year 10
    sim = _same_runs(lambda: simulate(flagship, seed))
    assert np.nanmax(sim["rebids"]) > 0  # the paths do bid again
    few = flagship.take(slice(0, 60))
    _same_runs(lambda: simulate(few, seed, paths=4))
    _same_runs(lambda: simulate(few, seed, paths=3, until=4))


def test_a_changed_last_bit_is_seen(flagship, monkeypatch):
    """The comparison above sees a standing value one unit in the last place off."""
    from realpolitik.models.realignment import year_kernels

    def fn():  # type: ignore[no-untyped-def]
        return simulate(flagship.take(slice(0, 100)), 5)

    original = year_kernels.standing_values

    def off(*args):  # type: ignore[no-untyped-def]
        out = original(*args)
        return np.nextafter(out, np.inf)

    monkeypatch.setattr(year_kernels, "standing_values", off)
    with pytest.raises(AssertionError):
        _same_runs(fn)


_DTYPES = st.sampled_from([np.float64, np.int64, np.int8, np.bool_])


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.sampled_from([(), (1,), (3,), (8,), (5, 2)]),
    _DTYPES,
    st.integers(0, 2**31 - 1),
)
def test_rows_are_copied_as_fancy_indexing_copies_them(n, tail, dtype, seed):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal((n, *tail)) * 10).astype(dtype)
    idx = rng.permutation(n)[: rng.integers(0, n + 1)]
    _same(take_rows(a, idx), a[idx], "take")
    values = (rng.standard_normal((idx.size, *tail)) * 10).astype(dtype)
    b, c = a.copy(), a.copy()
    put_rows(b, idx, values)
    c[idx] = values
    _same(b, c, "put")


@settings(max_examples=25, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1), st.booleans())
def test_compiled_lever_factors_are_numpys(pb, seed, forms):
    """The re-bid games' accounts (uncertain commitment forms or not, elections moved up)
    compiled and in NumPy: every field the same bit for bit."""
    from realpolitik.models.commitment import Turnover
    from realpolitik.models.realignment import accounting as acc
    from realpolitik.models.realignment.simulate import rebid_problem

    rng = np.random.default_rng(seed)
    if forms:
        shape = pb.lever_annual_repudiation.shape
        pb = pb.with_changes(
            lever_form_probability=rng.uniform(0.3, 1.0, shape),
            lever_fallback_annual_repudiation=rng.uniform(0.0, 0.5, shape),
            lever_fallback_successor_repudiation=rng.uniform(0.0, 1.0, shape),
            courter_turnover=Turnover(0.05, 3, rng.integers(1, 4, pb.batch), 0.5),
        )
    groups = acc.survival_groups(pb)
    L = len(pb.lever_names)
    draw = rng.integers(0, pb.batch, 7)
    gone = int(rng.integers(0, pb.horizon[draw].min()))
    standing = rng.uniform(0, 5, (7, 3)) * (rng.random((7, 3)) < 0.6)
    option, successor = rng.integers(0, 3, 7), rng.random(7) < 0.5
    game = rebid_problem(pb, draw, gone, standing, option, successor, rng.random((7, L)) < 0.3)
    for p in (pb, game):
        with kernels("numpy"):
            want = acc.bid_accounts(p, groups)
        with kernels("compiled"):
            got = acc.bid_accounts(p, groups)
        for f in dataclasses.fields(want):
            if f.name != "parts":
                _same(getattr(got, f.name), getattr(want, f.name), f.name)


def test_the_compiled_rechoice_from_hedge_by_hand():
    """P holds the hedge, worth 10 a year against the courter's 9.6 and staying's 0, one year
    left (weights 1, growth 1), switching costs 2 and 2: going on to the courter costs what is
    left of the switching cost (0), returning costs nothing. P keeps the hedge. With the
    courter worth 10.4 it moves on; with staying worth 10.4 it returns."""
    from realpolitik.models.realignment.year_kernels import rechoose

    def choice(flow: list[float]) -> int:
        one, no = np.zeros(1, np.int64), np.zeros((1, 2), bool)
        out = rechoose(
            draw=one,
            option=np.ones(1, np.int8),
            successor=np.zeros(1, bool),
            standing=np.zeros((1, 3)),
            flow=np.array([flow]),
            shift=np.zeros((1, 2)),
            weights=np.ones((1, 2)),
            t=1,
            growth=np.ones(1),
            switching=np.array([[2.0, 2.0]]),
            closed=no,
            blocks=no,
            tie=(np.ones(1), np.zeros(1)),
            edge_share=2e-9,
        )
        return int(out[0])

    assert choice([0.0, 10.0, 9.6]) == 1
    assert choice([0.0, 10.0, 10.4]) == 2
    assert choice([10.4, 10.0, 0.0]) == 0
