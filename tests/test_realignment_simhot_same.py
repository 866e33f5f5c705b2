"""The simulation's cheaper bookkeeping outside the game gives the numbers it gave, bit for bit.

The re-bid games gather their rows from a C-ordered copy of the year-1 problem, the turnover
schedules of a draw are one row, and the levers' survival factors of every group are found in
one compiled pass: the flagship's outputs (``evaluate_batch`` over 1,500 draws, ``simulate``
with several paths, the point run's 800 paths, small games with allies and uncertain forms)
against those of revision 826ab00, run from ``git archive`` in a subprocess, both with the
NumPy path and with the compiled kernels (skipped where the repository's history is not at
hand).
"""

from __future__ import annotations

import dataclasses
import pickle
from copy import copy as dc_copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems
from test_realignment_rebid_same import REPO, _before_tree, _run_flagship, _same

from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem
from realpolitik.models.realignment.problem import when_read

#: main before this work (issue 17, the simulation's NumPy overhead outside the game)
BEFORE_SIMHOT = "826ab00"


@pytest.mark.parametrize("kernels", ["numpy", "compiled"])
def test_the_flagship_gives_the_numbers_of_826ab00(tmp_path, kernels):
    before = _run_flagship(_before_tree(tmp_path, BEFORE_SIMHOT), tmp_path / "b.npz", kernels)
    now = _run_flagship(REPO / "src", tmp_path / "now.npz", kernels)
    assert sorted(now) == sorted(before)
    assert np.nanmax(now["point/rebids"]) > 0 and np.any(now["all/realigns"] > 0)
    for k in before:
        _same(now[k], before[k], k)


@settings(max_examples=40, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1))
def test_a_c_ordered_problem_is_the_same_problem(pb, seed):
    rng = np.random.default_rng(seed)
    B, L = pb.batch, len(pb.lever_names)
    # a Fortran-ordered field and turnover, as an adapter's stacked columns leave them
    f = pb.with_derived(
        lever_annual_repudiation=np.asfortranarray(pb.lever_annual_repudiation),
        pivot_turnover=Turnover(
            **{k: np.repeat(np.asarray(v), 2)[::2] for k, v in vars(pb.pivot_turnover).items()}
        ),
    )
    c = f.c_ordered()
    for name in (x.name for x in dataclasses.fields(RealignmentProblem)):
        a, b = getattr(f, name), getattr(c, name)
        if isinstance(a, np.ndarray):
            assert b.flags.c_contiguous
            _same(b, a, name)
        elif isinstance(a, Turnover):
            for k in vars(a):
                _same(getattr(b, k), getattr(a, k), f"{name}.{k}")
        else:
            assert a == b
    draw = rng.integers(0, B, 5)
    for name in ("lever_annual_repudiation", "lever_max", "components"):
        _same(getattr(c.take(draw), name), getattr(f.take(draw), name), name)
    assert L == len(c.lever_names)
    assert c.c_ordered() is c


def _same_problem(a: RealignmentProblem, b: RealignmentProblem) -> None:
    """Every field of ``a`` and ``b`` the same bit for bit (turnovers field by field)."""
    for name in (x.name for x in dataclasses.fields(RealignmentProblem)):
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, Turnover):
            for k in vars(x):
                _same(getattr(x, k), getattr(y, k), f"{name}.{k}")
        elif isinstance(x, np.ndarray):
            _same(x, y, name)
        else:
            assert x == y, name


@settings(max_examples=30, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1))
def test_rows_taken_when_read_are_the_rows_taken(pb, seed):
    draw = np.random.default_rng(seed).integers(0, pb.batch, 7)
    later = pb.take(draw, when_read=True)
    assert isinstance(later, RealignmentProblem)
    # not copied until read, then kept
    assert "lever_value" not in vars(later)
    first = later.lever_value
    assert later.lever_value is first
    _same_problem(later, pb.take(draw))
    # a copy with some fields replaced keeps the others pending, found alike
    again = pb.take(draw, when_read=True)
    derived = again.with_derived(horizon=again.horizon + 0, gains_share=when_read(lambda: 1.0))
    assert "lever_cost" not in vars(derived)
    assert derived.gains_share == 1.0
    _same(derived.lever_cost, pb.take(draw).lever_cost, "lever_cost")
    # a copy or a pickle is a plain problem with every field
    for copy in (pickle.loads(pickle.dumps(pb.take(draw, when_read=True))), dc_copy(later)):
        assert type(copy) is RealignmentProblem
        _same_problem(copy, pb.take(draw))


@settings(max_examples=40, deadline=None)
@given(
    realignment_problems(),
    st.integers(0, 2**31 - 1),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_compiled_rebid_fields_are_numpys(pb, seed, reused, declining, no_components):
    """The fields a re-bid game derives from the year-1 problem, compiled and in NumPy (with
    the tie scale's fixed parts, as the simulation gives them, or without; with an incumbent
    side whose stake declines between bids or not; with components of its own or only the
    two a re-bid adds): every field the same bit for bit, and their accounts too."""
    from realpolitik.models.realignment import accounting as acc
    from realpolitik.models.realignment.backend import kernels
    from realpolitik.models.realignment.simulate import _tie_fixed, rebid_problem

    rng = np.random.default_rng(seed)
    if declining:  # the stake and the levers' reach fall by (1 - decline)^years gone
        pb = pb.with_changes(incumbent_decline=rng.uniform(0.05, 0.6, pb.batch))
    if no_components:  # a sum over the components starts from the first one added
        pb = pb.with_changes(components=np.zeros((pb.batch, 0, 2)), component_names=())
    L, m = len(pb.lever_names), 9
    draw = rng.integers(0, pb.batch, m)
    gone = int(rng.integers(0, pb.horizon[draw].min()))
    # standing values with zeros of both signs (the tie edge adds to them)
    standing = rng.uniform(-5, 5, (m, 3)) * (rng.random((m, 3)) < 0.6)
    standing[rng.random((m, 3)) < 0.2] = -0.0
    option = rng.integers(0, 3, m).astype(np.int8)
    successor, busy = rng.random(m) < 0.5, rng.random((m, L)) < 0.3
    tie = _tie_fixed(pb) if reused else None
    args = (pb.c_ordered(), draw, gone, standing, option, successor, busy)
    groups = acc.survival_groups(pb)
    with kernels("numpy"):
        want = rebid_problem(*args, tie=tie)
        want_d = acc.bid_accounts(want, groups)
    with kernels("compiled"):
        got = rebid_problem(*args, tie=tie)
        got_d = acc.bid_accounts(got, groups)
    _same_problem(got, want)
    for f in dataclasses.fields(want_d):
        if f.name != "parts":
            _same(getattr(got_d, f.name), getattr(want_d, f.name), f.name)


def _summarise_before(pb, history, paths, rebids, until=None):  # type: ignore[no-untyped-def]
    """The summary as 826ab00 found it (a copy): NaN put by ``np.where``, the durations as
    the sums of cumulative products."""
    from realpolitik.models.realignment.simulate import SimulationResult

    B0, T = pb.batch, pb.years
    onehot = np.stack([history == o for o in range(3)], axis=2)
    aligned = onehot.reshape(B0, paths, T, 3).mean(axis=1)
    beyond = np.arange(T)[None, :] >= pb.horizon[:, None]
    aligned = np.where(beyond[:, :, None], np.nan, aligned)
    if until is not None:
        aligned[:, until:] = np.nan
    covered = (~beyond).sum(axis=0)
    with np.errstate(invalid="ignore"):
        p_aligned = np.where(
            covered[:, None] > 0,
            np.nansum(aligned, axis=0) / np.maximum(covered, 1)[:, None],
            np.nan,
        )
    if until is not None:
        p_aligned[until:] = np.nan
    hz = np.repeat(pb.horizon, paths)
    run = np.cumprod((history > 0) & (np.arange(T)[None, :] < hz[:, None]), axis=1)
    dur = run.sum(axis=1).astype(float)
    realigned = history[:, 0] > 0
    exp_dur = float(dur[realigned].mean()) if np.any(realigned) else float("nan")
    return SimulationResult(
        aligned=aligned,
        p_aligned=p_aligned,
        covered=covered,
        duration=dur.reshape(B0, paths).mean(axis=1),
        expected_duration=exp_dur,
        rebids=rebids,
    )


@settings(max_examples=40, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1), st.integers(1, 4), st.booleans())
def test_the_summary_is_the_one_before(pb, seed, paths, until):
    from realpolitik.models.realignment.simulate import _summarise

    rng = np.random.default_rng(seed)
    T = pb.years
    history = rng.integers(0, 3, (pb.batch * paths, T)).astype(np.int8)
    history[rng.random(history.shape) < 0.5] = 2  # long runs out of the incumbent's camp
    rebids = rng.random(T)
    last = int(rng.integers(1, T + 1)) if until else None
    now = _summarise(pb, history, paths, rebids, last)
    before = _summarise_before(pb, history, paths, rebids, last)
    for f in dataclasses.fields(now):
        _same(getattr(now, f.name), getattr(before, f.name), f.name)
