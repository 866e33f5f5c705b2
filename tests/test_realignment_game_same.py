"""The re-bid game's cheaper passes give the numbers they gave before, bit for bit (issue 17).

The courter's prices read each draw's levers where they lie (one compiled pass for the reach,
the shared weight and the knapsack rows: :func:`~realpolitik.models.realignment.solvers.
screened_min_cost`), the incumbent's bids order its levers once for both stakes
(:func:`~realpolitik.models.realignment.solvers.fast_max_values`), and the budgeted linear
programmes build their tableaux and basis matrices in compiled kernels. Evidence that no number
moved:

* the one pass against the functions it replaces, and the bids for several budgets against one
  call per budget, on NumPy and compiled, for random rows (Hypothesis) and random row maps;
* :func:`solve` on random problems, NumPy against compiled;
* the flagship's outputs (``evaluate_batch`` of 1,500 draws, every year and the default ones,
  simulations, ``solve``) against those of revision ``826ab00``, run from ``git archive`` in a
  subprocess, on both backends (skipped where the repository's history is not at hand).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems
from test_realignment_rebid_same import _FLAGSHIP, _before_tree, _run_flagship, _same

from realpolitik.models.realignment import solve
from realpolitik.models.realignment.backend import kernels
from realpolitik.models.realignment.rows import put_rows, take_rows
from realpolitik.models.realignment.solvers import (
    box_max_value,
    common_weight,
    fast_max_value,
    fast_max_values,
    fast_min_cost,
    screened_min_cost,
)

#: main before this work
BEFORE_GAME = "826ab00"


def _old_screen(p, k, lo, hi, binary, a, w, sf, need, src):  # type: ignore[no-untyped-def]
    """The passes :func:`screened_min_cost` replaces, as ``game._min_cost`` ran them."""
    p, k, lo, hi, a, w = (x[src] for x in (p, k, lo, hi, a, w))
    wmax = box_max_value(p, hi, a, w, sf)
    feasible = (need < 0) | (need < wmax)
    todo = feasible & (need >= 0)
    B, m = p.shape
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    cert = np.ones(B, bool)
    _, same = common_weight(a, w)
    ix = np.flatnonzero(todo & same)
    if ix.size:
        rows = [take_rows(x, ix) for x in (p, k, lo, hi, a, w)]
        c, e, ok = fast_min_cost(*rows[:4], binary, *rows[4:], sf[ix], need[ix])
        cost[ix] = c
        put_rows(ext, ix, e)
        cert[ix] = ok
    return wmax, same, cost, ext, cert


@st.composite
def _rows(draw: st.DrawFn) -> tuple:  # type: ignore[type-arg]
    """Random levers (B, m), a row map naming each row at least once, and per-row needs."""
    B = draw(st.integers(1, 6))
    m = draw(st.integers(0, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    p = rng.uniform(-1, 10, (B, m)) * (rng.random((B, m)) < 0.9)
    k = rng.uniform(-1, 10, (B, m))
    lo = rng.uniform(0, 1, (B, m)) * (rng.random((B, m)) < 0.5)
    hi = lo + rng.uniform(0, 3, (B, m)) * (rng.random((B, m)) < 0.9)
    a = rng.uniform(0, 20, (B, m)) * (rng.random((B, m)) < 0.4)
    # shared weights mostly (the fast rows), sometimes not (the rows left to the LP)
    w = np.where(rng.random((B, 1)) < 0.7, rng.uniform(0, 5, (B, 1)), rng.uniform(0, 5, (B, m)))
    w = np.broadcast_to(w, (B, m)).copy()
    binary = rng.random(m) < 0.4
    R = draw(st.integers(B, 3 * B))
    src = np.concatenate([rng.permutation(B), rng.integers(0, B, R - B)])
    sf = rng.uniform(-1, 30, R)
    need = rng.uniform(-5, 40, R)
    need[rng.random(R) < 0.1] = np.inf
    need[rng.random(R) < 0.05] = np.nan
    return p, k, lo, hi, binary, a, w, sf, need, src


@settings(max_examples=150, deadline=None)
@given(args=_rows(), backend=st.sampled_from(["numpy", "compiled"]))
def test_the_one_pass_is_the_passes_it_replaces(args, backend):
    with kernels(backend):
        now = screened_min_cost(*args)
        before = _old_screen(*args)
    for name, x, y in zip(("wmax", "same", "cost", "ext", "cert"), now, before, strict=True):
        _same(x, y, name)


@settings(max_examples=100, deadline=None)
@given(args=_rows(), q=st.integers(0, 3), backend=st.sampled_from(["numpy", "compiled"]))
def test_the_bids_for_several_budgets_are_one_call_per_budget(args, q, backend):
    p, k, lo, hi, binary = args[:5]
    rng = np.random.default_rng(q)
    budgets = rng.uniform(-5, 40, (p.shape[0], q)) * (rng.random((p.shape[0], q)) < 0.9)
    with kernels(backend):
        now = fast_max_values(p, k, lo, hi, binary, budgets)
        for t in range(q):
            _same(now[:, t], fast_max_value(p, k, lo, hi, binary, budgets[:, t])[0], f"{t}")
    assert now.shape == (p.shape[0], q)


@settings(max_examples=40, deadline=None)
@given(pb=realignment_problems())
def test_solve_is_the_same_on_both_backends(pb):
    with kernels("numpy"):
        a = solve(pb)
    with kernels("compiled"):
        b = solve(pb)
    for name in a.__dataclass_fields__:
        if name in ("derived", "method"):
            continue
        _same(getattr(a, name), getattr(b, name), name)


_SOLVE = """
import dataclasses
from realpolitik.models.realignment import solve
for tag, p in (("flagship", pb), ("point", problem_from_scenario(s))):
    sol = solve(p)
    for f in dataclasses.fields(sol):
        if f.name not in ("derived", "payers", "causes", "courter_levers", "incumbent_levers"):
            out[f"solve-{tag}/{f.name}"] = np.asarray(getattr(sol, f.name))
np.savez(sys.argv[1], **out)
"""


@pytest.mark.parametrize("backend", ["numpy", "compiled"])
def test_the_flagship_gives_the_numbers_of_826ab00(tmp_path, backend, monkeypatch):
    import test_realignment_rebid_same as same

    script = _FLAGSHIP.replace("np.savez(sys.argv[1], **out)\n", _SOLVE)
    monkeypatch.setattr(same, "_FLAGSHIP", script)
    before = _run_flagship(_before_tree(tmp_path, BEFORE_GAME), tmp_path / "b.npz", backend)
    now = _run_flagship(same.REPO / "src", tmp_path / "n.npz", backend)
    assert sorted(now) == sorted(before)
    assert any(k.startswith("solve-") for k in now)
    for k in before:
        _same(now[k], before[k], k)
