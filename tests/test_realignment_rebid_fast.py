"""The fast year-by-year simulation against a deliberately plain one (issues 12 and 17).

``simulate`` re-bids on whole batches of paths at once: it builds the re-bid games without
re-validating them, solves each distinct path state once, stacks work across targets and, with
``until``, stops simulating paths whose outputs are settled. The reference below walks every
path and every year in Python, builds each re-bid game by hand through the validating
constructor and shares no code with the simulation beyond :func:`solve` (and the random numbers,
drawn in the same order: every year a ``(3 + L, paths)`` block, uniform on [0, 1)).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems

from realpolitik.errors import ModelError
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import COURTER, RealignmentProblem, simulate, solve
from realpolitik.models.realignment.simulate import KEEP_TIE, rebid_problem


def small_problem(seed: int, B: int = 4) -> RealignmentProblem:
    """Two courter promises (one adds replacement capacity), an incumbent promise, elections for
    the courter, turnover for all three, a declining incumbent and a successor's shift."""
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
        lever_names=("aid", "market", "discount"),
        lever_side=[0, 0, 1],
        lever_value=u(2, 15, (B, 3)),
        lever_cost=u(2, 15, (B, 3)),
        lever_capacity=np.stack([np.zeros(B), u(5, 30, B), np.zeros(B)], 1),
        lever_committed=[True, True, True],
        lever_annual_repudiation=u(0, 0.2, (B, 3)),
        lever_successor_repudiation=u(0.2, 0.9, (B, 3)),
        horizon=rng.integers(2, 7, B),
        discount_rate=u(0.02, 0.08, B),
        courter_turnover=Turnover(0.05, 3, 2, u(0.3, 0.7, B)),
        pivot_turnover=Turnover(u(0.05, 0.2, B)),
        incumbent_turnover=Turnover(0.1),
        successor_shift=u(-5, 5, (B, 2)),
        incumbent_decline=u(0, 0.1, B),
    )


# --- the plain reference: one path, one year at a time ----------------------------------------


def _next_election(n0: int, every: int, years_gone: int) -> int:
    """The first scheduled election after ``years_gone`` years, counted from then."""
    if every <= 0:
        return 1
    y = n0
    while y < years_gone + 1:
        y += every
    return y - years_gone


def _standing(pb, b, path) -> list[float]:
    """Yearly value to P of the promises standing for stay, hedge and courter."""
    out = [0.0, 0.0, 0.0]
    for lv, side in enumerate(pb.lever_side):
        if path["ext"][lv] > 0 and side != COURTER:
            out[0] += path["ext"][lv] * path["unit_value"][lv]
    lost = pb.retaliation[b] * pb.trade_with_incumbent[b]
    shortfall = lost - np.minimum(lost, pb.replacement_capacity[b])
    for o in (1, 2):
        mine = [
            lv
            for lv in range(len(pb.lever_side))
            if path["ext"][lv] > 0 and path["target"][lv] == o
        ]
        out[o] = sum(path["ext"][lv] * path["unit_value"][lv] for lv in mine)
        room = shortfall[o - 1]
        for lv in sorted(mine, key=lambda lv: -path["unit_trade"][lv]):  # most durable first
            filled = min(pb.lever_capacity[b, lv] * path["ext"][lv], room)
            if filled > 0:
                out[o] += path["unit_trade"][lv] * filled
                room -= filled
    return out


def _moving(pb, b, option) -> list[float]:
    """One-off cost of moving to stay, hedge, courter from ``option``."""
    to_hedge, to_courter = pb.switching_cost[b]
    if option == 0:
        return [0.0, to_hedge, to_courter]
    if option == 1:
        return [0.0, 0.0, max(to_courter - to_hedge, 0.0)]
    return [0.0, 0.0, 0.0]


def _scale(pb, b, standing) -> float:
    """The yearly scale of the tie rule: 1 + |components| + |standing| + trade at stake."""
    comp = float(np.abs(pb.components[b]).sum())
    return (
        1.0 + comp + sum(abs(x) for x in standing) + pb.gains_share[b] * pb.trade_with_incumbent[b]
    )


def _put_bids(pb, path, sol, row) -> None:
    """The offers of ``sol`` (draw ``row``) in force on ``path``; P takes the outcome."""
    d = sol.derived
    A = d.annuity[row]
    target = int(sol.offer_target[row])
    ci = [lv for lv, s in enumerate(pb.lever_side) if s == COURTER]
    ii = [lv for lv, s in enumerate(pb.lever_side) if s != COURTER]
    offers = [(lv, sol.package[row, j] if target > 0 else 0.0, target) for j, lv in enumerate(ci)]
    offers += [(lv, sol.counter[row, j], 0) for j, lv in enumerate(ii)]
    for lv, extent, tgt in offers:
        if extent > 0:
            path["ext"][lv] = extent
            path["unit_value"][lv] = d.lever_pv[row, lv] / A
            path["unit_trade"][lv] = d.trade_weight[row, lv] / A
            path["target"][lv] = tgt
    path["option"] = int(sol.outcome[row])


def _rebid_game(pb, b, t, path, standing) -> RealignmentProblem:
    """The game over the years left, built by hand from draw ``b`` (validated)."""
    option = path["option"]
    held = list(standing)
    held[option] += KEEP_TIE * _scale(pb, b, standing)
    shift = pb.successor_shift[b] if path["successor"] else np.zeros(2)
    comps = np.vstack([pb.components[b], [held[1] - held[0], held[2] - held[0]], shift])
    left = (1.0 - pb.incumbent_decline[b]) ** t
    hi = []
    for lv, side in enumerate(pb.lever_side):
        h = pb.lever_max[b, lv] * (left if side != COURTER else 1.0)
        hi.append(0.0 if path["ext"][lv] > 0 else h)
    turn = {}
    for name in ("pivot_turnover", "incumbent_turnover", "courter_turnover"):
        tv = getattr(pb, name)
        turn[name] = Turnover(
            tv.annual_hazard[b],
            tv.elections_every[b],
            _next_election(int(tv.next_election[b]), int(tv.elections_every[b]), t + 1),
            tv.change_probability[b],
        )
    per_draw = {
        f.name: getattr(pb, f.name)[b]
        for f in dataclasses.fields(pb)
        if isinstance(getattr(pb, f.name), np.ndarray)
        and f.name
        not in ("lever_side", "lever_binary", "lever_committed", "lever_payer", "payer_side")
    }
    per_draw.update(
        components=comps,
        incumbent_value=pb.incumbent_value[b] * left,
        horizon=int(pb.horizon[b]) - t,
        switching_cost=_moving(pb, b, option)[1:],
        lever_max=hi,
        lever_min=np.minimum(pb.lever_min[b], hi),
        **turn,
    )
    return dataclasses.replace(
        pb, component_names=(*pb.component_names, "standing", "successor"), **per_draw
    )


def _rechoose(pb, d, b, t, path, standing) -> None:
    """P moves only if another option is better by more than twice the tie edge (``d``: the
    year-1 game's accounts)."""
    shift = [0.0, *pb.successor_shift[b]] if path["successor"] else [0.0, 0.0, 0.0]
    left = float(np.sum(d.weights[b, t:])) * (1.0 + pb.discount_rate[b]) ** t
    move = _moving(pb, b, path["option"])
    v = [(d.flow[b, o] + shift[o] + standing[o]) * left - move[o] for o in range(3)]
    best = int(np.argmax(v))
    edge = 2.0 * KEEP_TIE * _scale(pb, b, standing) * left
    if max(v) > v[path["option"]] + edge:
        path["option"] = best


def plain_simulation(pb: RealignmentProblem, seed: int, paths: int) -> np.ndarray:
    """(B * paths, T) P's option on every path and year, one path at a time."""
    gen = np.random.default_rng(seed)
    sol = solve(pb)
    d = sol.derived
    B, L, T = pb.batch, len(pb.lever_names), pb.years
    every = []
    for i in range(B * paths):
        path = {"draw": i // paths, "successor": False, "option": 0}
        path.update({k: [0.0] * L for k in ("ext", "unit_value", "unit_trade")})
        path["target"] = [0] * L
        _put_bids(pb, path, sol, i // paths)
        every.append(path)
    history = np.zeros((B * paths, T), int)
    history[:, 0] = [p["option"] for p in every]
    for t in range(1, T):
        u = gen.random((3 + L, B * paths))
        for i, path in enumerate(every):
            b = path["draw"]
            q = (d.q_courter[b, t], d.q_incumbent[b, t], d.q_pivot[b, t])
            changed = [u[k, i] < q[k] for k in range(3)]
            path["successor"] = path["successor"] or changed[2]
            lapsed = False
            for lv in range(L):
                giver = 0 if pb.lever_side[lv] == COURTER else 1
                r = pb.lever_annual_repudiation[b, lv]
                s = pb.lever_successor_repudiation[b, lv]
                if path["ext"][lv] > 0 and u[3 + lv, i] >= (1.0 - r) * (1.0 - s * changed[giver]):
                    path["ext"][lv] = 0.0
                    lapsed = True
            if pb.horizon[b] > t:
                standing = _standing(pb, b, path)
                if any(changed) or lapsed:
                    game = _rebid_game(pb, b, t, path, standing)
                    _put_bids(pb, path, solve(game), 0)
                else:
                    _rechoose(pb, d, b, t, path, standing)
            history[i, t] = path["option"]
    return history


def _shares(pb: RealignmentProblem, history: np.ndarray, paths: int) -> np.ndarray:
    """(B, T, 3) share of each draw's paths in each option, NaN beyond its horizon."""
    B, T = pb.batch, pb.years
    out = np.full((B, T, 3), np.nan)
    for b in range(B):
        for t in range(int(pb.horizon[b])):
            for o in range(3):
                out[b, t, o] = np.mean(history[b * paths : (b + 1) * paths, t] == o)
    return out


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 3))
def test_the_fast_simulation_walks_every_path_as_the_plain_loop_does(seed, paths):
    pb = small_problem(seed)
    history = plain_simulation(pb, seed, paths)
    sim = simulate(pb, seed, paths=paths)
    np.testing.assert_array_equal(sim.aligned, _shares(pb, history, paths))
    # duration: the unbroken run of year-1 realignment, within the horizon
    run = np.zeros(pb.batch * paths)
    for i, row in enumerate(history):
        hz = int(pb.horizon[i // paths])
        while run[i] < hz and row[int(run[i])] > 0:
            run[i] += 1
    np.testing.assert_array_equal(sim.duration, run.reshape(pb.batch, paths).mean(axis=1))


@pytest.mark.parametrize("seed", [0, 1])
def test_many_paths_over_long_horizons_walk_as_the_plain_loop_does(seed):
    # paths of one draw that share where P is and which promises stand, but not their values
    # (made in different years), face different games: 30 paths over 12 years have such paths
    pb = small_problem(seed, B=2).with_changes(horizon=12)
    sim = simulate(pb, seed, paths=30)
    np.testing.assert_array_equal(sim.aligned, _shares(pb, plain_simulation(pb, seed, 30), 30))


def test_the_reference_sees_re_bids_and_moves():
    # the comparison above is not vacuous: across seeds the paths re-bid and P moves
    moved = 0
    for seed in range(6):
        pb = small_problem(seed)
        h = plain_simulation(pb, seed, 3)
        moved += int(np.sum(h[:, 1:] != h[:, :-1]))
        assert simulate(pb, seed, paths=3).rebids[1:].max() > 0
    assert moved > 0


# --- the options that skip work change no output ----------------------------------------------


@settings(max_examples=20, deadline=None)
@given(realignment_problems(), st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_until_leaves_every_needed_output_as_it_was(pb, until, seed):
    full = simulate(pb, seed, paths=2)
    fast = simulate(pb, seed, paths=2, until=until)
    k = min(until, pb.years)
    np.testing.assert_array_equal(fast.aligned[:, :k], full.aligned[:, :k])
    np.testing.assert_array_equal(fast.duration, full.duration)
    assert np.all(np.isnan(fast.aligned[:, k:])) and np.all(np.isnan(fast.p_aligned[k:]))


@settings(max_examples=15, deadline=None)
@given(realignment_problems(max_batch=3), st.integers(2, 5), st.integers(0, 2**31 - 1))
def test_paths_of_a_draw_are_the_draw_repeated(pb, paths, seed):
    # several paths per draw are solved once per distinct state; the same paths as draws of
    # their own (one path each, the same random numbers) are solved one by one
    many = simulate(pb, seed, paths=paths)
    tiled = pb.take(np.repeat(np.arange(pb.batch), paths))
    alone = simulate(tiled, seed)
    by_draw = alone.aligned.reshape(pb.batch, paths, pb.years, 3).mean(axis=1)
    np.testing.assert_array_equal(many.aligned, by_draw)


def _equal_fields(a: RealignmentProblem, b: RealignmentProblem) -> None:
    for f in dataclasses.fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, Turnover):
            for g in dataclasses.fields(x):
                np.testing.assert_array_equal(getattr(x, g.name), getattr(y, g.name))
        elif isinstance(x, np.ndarray):
            assert x.dtype == y.dtype and x.shape == y.shape, f.name
            np.testing.assert_array_equal(x, y)
        else:
            assert x == y, f.name


@settings(max_examples=15, deadline=None)
@given(realignment_problems(), st.integers(0, 2**31 - 1))
def test_derived_problems_are_what_validation_would_make(pb, seed):
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, pb.batch, 5)
    taken = pb.take(idx)
    _equal_fields(taken, dataclasses.replace(taken))  # replace() re-validates
    L = len(pb.lever_names)
    sub = rebid_problem(
        pb,
        idx,
        int(rng.integers(0, pb.horizon[idx].min())),  # re-bids happen within the horizon
        rng.uniform(0, 5, (5, 3)),
        rng.integers(0, 3, 5),
        rng.random(5) < 0.5,
        rng.random((5, L)) < 0.3,
    )
    _equal_fields(sub, dataclasses.replace(sub))


def test_an_unchecked_copy_still_checks_names():
    pb = small_problem(0)
    with pytest.raises(ModelError):
        pb.with_derived(no_such_field=1.0)
    with pytest.raises(ModelError):
        pb.with_derived(components=np.zeros((4, 2, 2)), component_names=("a", "a"))
    with pytest.raises(ModelError):
        simulate(pb, 0, until=0)
