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

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems
from test_realignment_rebid_same import REPO, _before_tree, _run_flagship, _same

from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem

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
