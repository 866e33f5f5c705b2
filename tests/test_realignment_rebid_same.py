"""The cheaper re-bids give the numbers they gave before, bit for bit.

The simulation's re-bids solve only what the equilibrium puts in force
(:func:`~realpolitik.models.realignment.game.equilibrium_bids` on
:func:`~realpolitik.models.realignment.accounting.bid_accounts`) and find a year's standing values
once for every live path. Three kinds of evidence that no number moved:

* each cheaper piece against the piece it replaces (``accounts``, ``solve``, ``np.cumprod``);
* the year step against the one it replaced (a copy below: every re-bid game through the full
  :func:`solve`, the standing values of re-bidding and quiet paths found separately), over
  whole simulations;
* the flagship's outputs (``evaluate_batch``, ``simulate`` with several paths, the point run's
  4,000 paths) against those of the revision before this work, run from ``git archive`` in a
  subprocess (skipped where the repository's history is not at hand).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems

from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem, simulate, solve
from realpolitik.models.realignment import accounting as acc
from realpolitik.models.realignment.game import equilibrium_bids
from realpolitik.models.realignment.simulate import rebid_problem

SIM = sys.modules["realpolitik.models.realignment.simulate"]
REPO = Path(__file__).resolve().parents[1]
#: main before the re-bids were made cheaper (issue 12's last floor)
BEFORE = "7fd6201"
#: main before the years reused the year-1 problem and ran compiled (issue 17)
BEFORE_YEARS = "42c76e0"


def _same(x: object, y: object, name: str) -> None:
    """Equal bit for bit: dtype, shape and every value (NaN where NaN, the sign of zeros)."""
    a, b = np.asarray(x), np.asarray(y)
    assert a.dtype == b.dtype and a.shape == b.shape, name
    if a.dtype.kind == "f":
        assert np.array_equal(a.view(np.int64), b.view(np.int64)), name
    else:
        assert np.array_equal(a, b), name


def _with_forms(pb: RealignmentProblem, seed: int) -> RealignmentProblem:
    """``pb`` with uncertain commitment forms (a treaty that may not be ratified)."""
    rng = np.random.default_rng(seed)
    shape = pb.lever_annual_repudiation.shape
    return pb.with_changes(
        lever_form_probability=rng.uniform(0.3, 1.0, shape),
        lever_fallback_annual_repudiation=rng.uniform(0.0, 0.5, shape),
        lever_fallback_successor_repudiation=rng.uniform(0.0, 1.0, shape),
        courter_turnover=Turnover(0.05, 3, rng.integers(1, 4, pb.batch), 0.5),
    )


def _rebid_games(pb: RealignmentProblem, seed: int) -> list[RealignmentProblem]:
    """Re-bid games derived from ``pb`` as the simulation derives them (random path states)."""
    rng = np.random.default_rng(seed)
    L = len(pb.lever_names)
    out = []
    for _ in range(3):
        draw = rng.integers(0, pb.batch, 6)
        gone = int(rng.integers(0, pb.horizon[draw].min()))
        standing = rng.uniform(0, 5, (6, 3)) * (rng.random((6, 3)) < 0.6)
        option = rng.integers(0, 3, 6)
        out.append(
            rebid_problem(
                pb, draw, gone, standing, option, rng.random(6) < 0.5, rng.random((6, L)) < 0.3
            )
        )
    return out


@settings(max_examples=25, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1), st.booleans())
def test_bid_accounts_are_the_accounts(pb, seed, forms):
    pb = _with_forms(pb, seed) if forms else pb
    groups = acc.survival_groups(pb)
    for game in [pb, *_rebid_games(pb, seed)]:
        full, lean = acc.accounts(game), acc.bid_accounts(game, groups)
        for f in dataclasses.fields(full):
            if f.name in acc.NOT_FOR_BIDS:
                # left empty, so that reading one fails loudly rather than silently
                left = getattr(lean, f.name)
                assert (len(left) if isinstance(left, dict) else left.size) == 0, f.name
            else:
                _same(getattr(lean, f.name), getattr(full, f.name), f.name)


@settings(max_examples=25, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1))
def test_equilibrium_bids_are_those_of_solve(pb, seed):
    groups = acc.survival_groups(pb)
    for game in [pb, *_rebid_games(pb, seed)]:
        sol = solve(game)
        got = equilibrium_bids(game, acc.bid_accounts(game, groups))
        want = (sol.outcome, sol.offer_target, sol.package, sol.counter)
        for name, a, b in zip(("outcome", "target", "package", "counter"), got, want, strict=True):
            _same(a, b, name)


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 40),
    st.integers(0, 17),
    st.integers(0, 2**31 - 1),
    st.sampled_from(["unit", "wide", "specials"]),
)
def test_the_cumulative_product_by_years_is_numpys(rows, years, seed, kind):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (rows, years))
    if kind == "wide":
        x = rng.normal(0, 1e3, (rows, years))
    elif kind == "specials" and x.size:
        x.flat[rng.integers(0, x.size, 5)] = [0.0, -0.0, np.inf, np.nan, 1e-310]
    _same(acc._cumprod_years(x), np.cumprod(x, axis=1), "cumprod")


def test_take_can_leave_fields_for_the_caller():
    pb = small_problem(0)
    sub = pb.take([1, 0], leave=frozenset({"components"}))
    assert sub.components is pb.components  # left whole, for the caller to replace
    _same(sub.lever_max, pb.lever_max[[1, 0]], "lever_max")
    _same(sub.courter_turnover.next_election, pb.courter_turnover.next_election[[1, 0]], "ne")


def small_problem(seed: int, B: int = 4) -> RealignmentProblem:
    """A small problem with promises on both sides, turnover of all three, a declining
    incumbent, a successor's shift and an ally paying for a courter lever."""
    rng = np.random.default_rng(seed)
    u = rng.uniform
    return RealignmentProblem(
        trade_with_incumbent=u(50, 100, B),
        gains_share=u(0.1, 0.3, B),
        retaliation=np.stack([u(0.1, 0.3, B), u(0.4, 0.8, B)], 1),
        replacement_capacity=np.stack([u(0, 10, B), u(0, 20, B)], 1),
        components=u(-12, 8, (B, 1, 2)),
        component_names=("security",),
        switching_cost=np.stack([u(0, 5, B), u(5, 20, B)], 1),
        courter_value=np.stack([u(2, 10, B), u(5, 30, B)], 1),
        incumbent_value=np.stack([u(2, 10, B), u(5, 30, B)], 1),
        payer_names=("ALLY",),
        payer_side=[0],
        payer_value=u(0, 20, (B, 1, 2)),
        lever_names=("aid", "market", "discount"),
        lever_side=[0, 0, 1],
        lever_payer=[-1, 0, -1],
        lever_value=u(2, 15, (B, 3)),
        lever_cost=u(2, 15, (B, 3)),
        lever_capacity=np.stack([np.zeros(B), u(5, 30, B), np.zeros(B)], 1),
        lever_committed=[True, True, True],
        lever_annual_repudiation=u(0, 0.2, (B, 3)),
        lever_successor_repudiation=u(0.2, 0.9, (B, 3)),
        horizon=rng.integers(2, 12, B),
        discount_rate=u(0.02, 0.08, B),
        courter_turnover=Turnover(0.05, 3, 2, u(0.3, 0.7, B)),
        pivot_turnover=Turnover(u(0.05, 0.2, B)),
        incumbent_turnover=Turnover(0.1),
        successor_shift=u(-5, 5, (B, 2)),
        incumbent_decline=u(0, 0.1, B),
    )


# --- the year step it replaced ----------------------------------------------------------------


def _year_before(pb, state, d, t, live, again, fixed):  # type: ignore[no-untyped-def]
    """The year step before this work: the paths with an event bid again, every re-bid game
    through the full :func:`solve` and its accounts; then P re-chooses on the others; each
    set's standing values found on its own."""
    del fixed
    rows = np.flatnonzero(again)
    if rows.size:
        part = SIM._subset(state, rows)
        standing = SIM._standing_values(pb, part, d.shortfall[part.draw])
        busy = part.extent > 0
        game = one = np.arange(rows.size)
        if state.draw.size > pb.batch:
            key = np.column_stack([part.draw, part.option, part.successor, standing, busy])
            _, one, game = np.unique(key, axis=0, return_index=True, return_inverse=True)
            game = game.reshape(-1)
        sub = rebid_problem(
            pb, part.draw[one], t, standing[one], part.option[one], part.successor[one], busy[one]
        )
        sol = solve(sub)
        SIM._apply_bids(pb, state, rows, SIM._Bids.of(sol, sol.derived, game))
    alive = np.zeros(state.draw.size, bool)
    alive[live] = True
    quiet = np.flatnonzero(alive & ~again)
    if quiet.size:
        part = SIM._subset(state, quiet)
        standing = SIM._standing_values(pb, part, d.shortfall[part.draw])
        SIM._rechoose(pb, state, d, t, quiet, part, standing)


_STATE = ("option", "successor", "extent", "unit_value", "unit_trade", "target")


def _recorded(step, log):  # type: ignore[no-untyped-def]
    """``step``, recording every path's state after each year into ``log``."""

    def run(pb, state, d, t, live, again, fixed):  # type: ignore[no-untyped-def]
        step(pb, state, d, t, live, again, fixed)
        log.append([getattr(state, f).copy() for f in _STATE])

    return run


def _simulate_with(step, *args, **kw):  # type: ignore[no-untyped-def]
    """``simulate`` with the year step ``step``; its result and the paths' states by year."""
    log: list[list[np.ndarray]] = []
    with pytest.MonkeyPatch.context() as m:
        m.setattr(SIM, "_year", _recorded(step, log))
        return simulate(*args, **kw), log


def _same_run(now, before) -> None:  # type: ignore[no-untyped-def]
    """The same simulation result and the same state of every path after every year."""
    _same_simulation(now[0], before[0])
    assert len(now[1]) == len(before[1])
    for year, (a, b) in enumerate(zip(now[1], before[1], strict=True)):
        for name, x, y in zip(_STATE, a, b, strict=True):
            _same(x, y, f"{name} after year {year + 2}")


def _same_simulation(a, b) -> None:  # type: ignore[no-untyped-def]
    for f in dataclasses.fields(a):
        _same(getattr(a, f.name), getattr(b, f.name), f.name)


@settings(max_examples=20, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1), st.integers(1, 3), st.booleans())
def test_the_year_step_is_the_one_it_replaced(pb, seed, paths, until):
    last = int(np.random.default_rng(seed).integers(1, pb.years + 1)) if until else None
    kw = {"paths": paths, "until": last}
    now = _simulate_with(SIM._year, pb, seed, **kw)
    _same_run(now, _simulate_with(_year_before, pb, seed, **kw))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_year_step_is_the_one_it_replaced_over_many_paths(seed):
    pb = _with_forms(small_problem(seed), seed)
    now = _simulate_with(SIM._year, pb, seed, paths=40)
    assert np.nanmax(now[0].rebids) > 0  # the paths do bid again
    _same_run(now, _simulate_with(_year_before, pb, seed, paths=40))


# --- the flagship against the revision before -------------------------------------------------

_FLAGSHIP = """
import dataclasses, sys
import numpy as np
import realpolitik
from realpolitik.experiment.scenario_experiment import experiment_spec
from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.models.realignment import evaluate_batch, simulate

s = realpolitik.load("reverse-kissinger")
B = 1500
pb = problem_from_scenario(s, experiment_spec(s, ["realignment"]).sample(B, rng=0), B)
out = {}
for tag, kw in (("all", {"years": tuple(range(1, 16))}), ("default", {})):
    for k, v in evaluate_batch(pb, np.random.default_rng(7), **kw).items():
        out[f"{tag}/{k}"] = v
runs = (
    ("paths3", pb.take(slice(0, 120)), 3),
    ("point", problem_from_scenario(s), 800),
)
for tag, p, paths in runs:
    sim = simulate(p, 11, paths=paths)
    for f in dataclasses.fields(sim):
        out[f"{tag}/{f.name}"] = np.asarray(getattr(sim, f.name))
# small games with an ally paying a capacity lever, uncertain forms and elections
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem
for seed in range(6):
    rng = np.random.default_rng(seed)
    u, B = rng.uniform, 30
    p = RealignmentProblem(
        trade_with_incumbent=u(50, 100, B), gains_share=u(0.1, 0.3, B),
        retaliation=np.stack([u(0.1, 0.3, B), u(0.4, 0.8, B)], 1),
        replacement_capacity=np.stack([u(0, 10, B), u(0, 20, B)], 1),
        components=u(-12, 8, (B, 1, 2)), component_names=("security",),
        switching_cost=np.stack([u(0, 5, B), u(5, 20, B)], 1),
        courter_value=np.stack([u(2, 10, B), u(5, 30, B)], 1),
        incumbent_value=np.stack([u(2, 10, B), u(5, 30, B)], 1),
        payer_names=("ALLY",), payer_side=[0], payer_value=u(0, 20, (B, 1, 2)),
        lever_names=("aid", "market", "discount", "arms"), lever_side=[0, 0, 1, 1],
        lever_payer=[-1, 0, -1, -1], lever_value=u(2, 15, (B, 4)), lever_cost=u(2, 15, (B, 4)),
        lever_capacity=np.stack([np.zeros(B), u(5, 30, B), np.zeros(B), np.zeros(B)], 1),
        lever_binary=[False, False, False, True], lever_min=u(0, 0.3, (B, 4)),
        lever_max=u(0.5, 2, (B, 4)), lever_committed=[True, True, True, False],
        lever_annual_repudiation=u(0, 0.2, (B, 4)),
        lever_successor_repudiation=u(0.2, 0.9, (B, 4)),
        lever_form_probability=u(0.3, 1, (B, 4)),
        lever_fallback_annual_repudiation=u(0, 0.5, (B, 4)),
        lever_fallback_successor_repudiation=u(0, 1, (B, 4)),
        horizon=rng.integers(2, 16, B), discount_rate=u(0.02, 0.08, B),
        courter_turnover=Turnover(0.05, 3, rng.integers(1, 4, B), u(0.3, 0.7, B)),
        pivot_turnover=Turnover(u(0.05, 0.2, B)), incumbent_turnover=Turnover(0.1, 4, 2, 0.5),
        successor_shift=u(-5, 5, (B, 2)), incumbent_decline=u(0, 0.1, B),
    )
    for paths in (1, 4):
        sim = simulate(p, seed, paths=paths)
        for f in dataclasses.fields(sim):
            out[f"small{seed}x{paths}/{f.name}"] = np.asarray(getattr(sim, f.name))
np.savez(sys.argv[1], **out)
"""


def _run_flagship(src: Path, out: Path, kernels: str = "auto") -> dict[str, np.ndarray]:
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "PYTHONDONTWRITEBYTECODE": "1",
        "REALPOLITIK_KERNELS": kernels,
    }
    subprocess.run([sys.executable, "-c", _FLAGSHIP, str(out)], env=env, check=True)
    with np.load(out) as z:
        return {k: z[k] for k in z.files}


def _before_tree(tmp: Path, rev: str = BEFORE) -> Path:
    """``src`` of ``rev`` under ``tmp`` (skips without the repository's history)."""
    try:
        data = subprocess.run(
            ["git", "-C", str(REPO), "archive", rev, "src"], check=True, capture_output=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"revision {rev} is not at hand (no git history)")
    with tarfile.open(fileobj=BytesIO(data)) as tar:
        tar.extractall(tmp / "before", filter="data")
    return tmp / "before" / "src"


@pytest.mark.parametrize(
    ("rev", "kernels"),
    [(BEFORE, "auto"), (BEFORE_YEARS, "numpy"), (BEFORE_YEARS, "compiled")],
)
def test_the_flagship_gives_the_numbers_of_the_revision_before(tmp_path, rev, kernels):
    before = _run_flagship(_before_tree(tmp_path, rev), tmp_path / "before.npz", kernels)
    now = _run_flagship(REPO / "src", tmp_path / "now.npz", kernels)
    assert sorted(now) == sorted(before)
    assert np.nanmax(now["point/rebids"]) > 0 and np.any(now["all/realigns"] > 0)
    assert all(np.nanmax(now[f"small{k}x4/rebids"]) > 0 for k in range(6))
    assert any(np.any(now[f"small{k}x1/aligned"][:, :, 1:] > 0) for k in range(6))
    for k in before:
        _same(now[k], before[k], k)
