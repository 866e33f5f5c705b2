"""The plain-Python SMP (no NumPy) against the NumPy SMP: equal to the last bit.

Reference: :func:`realpolitik.models.bargaining.smp.run_smp`, the vectorised model whose results
match KTAB's log (tests/test_smp.py). Every comparison here is exact equality of Python floats.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models.bargaining.smp import SMPOptions, run_smp, run_smp_scenario
from realpolitik.models.bargaining.smp_options import (
    BargainModel,
    BigRAdjust,
    BigRRange,
    InterVecBrgn,
    PCEModel,
    StateTransition,
    ThirdPartyCommit,
    VictoryProbModel,
    VotingRule,
)
from realpolitik.models.bargaining.smp_plain import (
    PLAIN_MAX_ACTORS,
    PlainUnsupported,
    pairwise_sum,
    plain_supported,
    run_smp_plain,
    sequential_sum,
    weighted_average,
)
from realpolitik.scenario.importers.ktab import read_ktab_csv, read_ktab_csv_table


def assert_same_run(numpy_run, plain_run) -> None:
    """Every recorded value of the two runs is the same double (signed zeros aside)."""
    assert plain_run.turns == numpy_run.turns
    assert plain_run.positions == numpy_run.positions.tolist()
    assert plain_run.risk_attitudes == numpy_run.risk_attitudes.tolist()
    assert plain_run.fractional_changes == numpy_run.fractional_changes.tolist()
    assert plain_run.converged == numpy_run.converged
    theirs = [
        [(c.initiator, c.target, c.probability, c.gain) for c in turn]
        for turn in numpy_run.challenges
    ]
    assert [list(turn) for turn in plain_run.challenges] == theirs
    assert plain_run.to_dict() == numpy_run.to_dict()


def _plain_of_scenario(sc, **kwargs):
    return run_smp_plain(
        sc.capabilities.tolist(),
        sc.positions.tolist(),
        sc.saliences.tolist(),
        actor_names=sc.actor_names,
        dimension_names=sc.dimension_names,
        **kwargs,
    )


# ---------------------------------------------------------------------------------------------
# NumPy's summation order


finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
spread = st.builds(lambda m, e: m * 10.0**e, st.floats(-1, 1), st.integers(-12, 12))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(finite, spread), max_size=300))
def test_pairwise_sum_is_numpys_contiguous_sum(values):
    assert pairwise_sum(values) == float(np.sum(np.array(values, dtype=float)))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 5), st.integers(0, 2**32 - 1))
def test_first_axis_sums_are_sequential_unless_rows_are_single_values(n, d, seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, (n, d)) * 10.0 ** rng.integers(-8, 8, (n, d))
    total = pairwise_sum if d == 1 else sequential_sum
    assert [total(a[:, k].tolist()) for k in range(d)] == a.sum(axis=0).tolist()


def test_the_sums_differ_where_the_orders_differ():
    """The two orders are told apart by values where rounding depends on the order."""
    values = [1e16, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -1e16]
    assert sequential_sum(values) == 0.0
    assert pairwise_sum(values) == float(np.sum(np.array(values))) == 8.0


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(0, 2**32 - 1))
def test_weighted_average_is_numpys(n, seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 100, (n, 3))
    w = rng.uniform(0.1, 50, (n, 3))
    assert weighted_average(x[:, 1].tolist(), w[:, 1].tolist()) == float(
        np.average(x[:, 1], weights=w[:, 1])
    )


# ---------------------------------------------------------------------------------------------
# Whole runs


@pytest.mark.parametrize(
    ("name", "turns"), [("SOE-Pol-Comp", 27), ("SOE-Policy", 19), ("SOE-Competitive", 35)]
)
def test_shipped_ktab_inputs_give_the_numpy_run_bit_for_bit(validation_dir, name, turns):
    sc = read_ktab_csv(validation_dir / "ktab-smp" / f"{name}.csv")
    numpy_run = run_smp_scenario(sc, record_probabilities=False)
    plain_run = _plain_of_scenario(sc, max_actors=100)
    assert numpy_run.turns == turns
    assert_same_run(numpy_run, plain_run)


def test_plain_run_reproduces_ktabs_position_history(validation_dir):
    """KTAB's log of SOE-Pol-Comp (positions printed to 0.1, stopping statistics to 1e-4), read
    parsed as tests/test_smp.py parses it, against the plain path directly."""
    text = (validation_dir / "ktab-smp" / "ref-SOE-Pol-Comp.txt").read_text()
    lines = text.splitlines()
    sc = read_ktab_csv(validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv")
    run = _plain_of_scenario(sc)
    h = lines.index(next(ln for ln in lines if ln.startswith("History of actor positions")))
    for ln in lines[h + 1 : h + 1 + 2 * sc.n_actors]:
        key, vals = ln.split(":", 1)
        actor, dim = key.split(", ")
        i, k = sc.actor_names.index(actor), sc.dimension_names.index(dim)
        ours = [f"{state[i][k]:.1f}" for state in run.positions]
        assert ours == [f"{float(v):.1f}" for v in vals.split()], (actor, dim)
    assert run.turns == 27 and run.converged
    assert round(run.fractional_changes[-1], 4) == 0.0083


def _problem(draw, n: int, d: int, grid: bool):
    """Capabilities, positions and saliences of a random small problem (ties when on a grid)."""
    cell = st.integers(0, 20).map(lambda v: 5.0 * v) if grid else st.floats(0, 100)
    cap = draw(st.lists(st.floats(1, 200), min_size=n, max_size=n))
    pos = draw(st.lists(st.lists(cell, min_size=d, max_size=d), min_size=n, max_size=n))
    sal = []
    for _ in range(n):
        shares = draw(st.lists(st.floats(0.05, 1), min_size=d, max_size=d))
        total = draw(st.floats(5, 100))
        sal.append([total * s / sum(shares) * (1 - 1e-9) for s in shares])
    return cap, pos, sal


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_small_problems_give_the_numpy_run_bit_for_bit(data):
    n = data.draw(st.integers(2, 10), label="actors")
    d = data.draw(st.sampled_from([1, 1, 2, 3, 4, 9]), label="dimensions")
    grid = data.draw(st.booleans(), label="grid")
    cap, pos, sal = _problem(data.draw, n, d, grid)
    opt = SMPOptions(
        max_turns=data.draw(st.integers(1, 40)),
        min_turns=1,
        min_delta_ratio=data.draw(st.sampled_from([0.0, 0.02, 0.1])),
    )
    numpy_run = run_smp(cap, pos, sal, opt, record_probabilities=False)
    assert_same_run(numpy_run, run_smp_plain(cap, pos, sal, opt))


def test_identical_actors_and_a_single_position():
    """Every actor at one point: no challenge, risk attitudes all 0, a stop at the turn bound."""
    cap, pos, sal = [10.0, 20.0, 30.0], [[50.0, 50.0]] * 3, [[20.0, 30.0]] * 3
    opt = SMPOptions(min_turns=2, max_turns=3)
    plain = run_smp_plain(cap, pos, sal, opt)
    assert plain.risk_attitudes[0] == [0.0, 0.0, 0.0]
    assert all(turn == () for turn in plain.challenges)
    assert_same_run(run_smp(cap, pos, sal, opt, record_probabilities=False), plain)


def test_no_first_turn_movement_without_the_guard_is_at_rest():
    """``min_sig_delta`` 0 and actors that never move: the stopping rule's ratio is 0/0; the
    positions are at rest, so every turn is quiet (ratio 0) and the run stops, converged, at
    ``min_turns`` (worked by hand: nobody challenges anybody, see the test above)."""
    cap, pos, sal = [10.0, 20.0, 30.0], [[50.0, 50.0]] * 3, [[20.0, 30.0]] * 3
    opt = SMPOptions(min_sig_delta=0.0, min_turns=3)
    numpy_run = run_smp(cap, pos, sal, opt, record_probabilities=False)
    assert numpy_run.turns == 3 and numpy_run.converged
    assert numpy_run.fractional_changes.tolist() == [0.0, 0.0, 0.0]
    assert numpy_run.positions[-1].tolist() == [[50.0, 50.0]] * 3
    assert_same_run(numpy_run, run_smp_plain(cap, pos, sal, opt))


@pytest.mark.parametrize("bad", [-1e-4, math.inf, math.nan])
def test_a_negative_or_infinite_guard_is_refused(bad):
    with pytest.raises(ModelError, match="min_sig_delta must be finite and >= 0"):
        SMPOptions(min_sig_delta=bad)


# ---------------------------------------------------------------------------------------------
# What the plain path leaves to NumPy

OTHER_RULES = [
    SMPOptions(victory_prob=VictoryProbModel.SQUARE),
    SMPOptions(voting_rule=VotingRule.BINARY),
    SMPOptions(pce=PCEModel.MARKOV_UNIFORM),
    SMPOptions(state_transition=StateTransition.STOCHASTIC),
    SMPOptions(big_r_range=BigRRange.MAX),
    SMPOptions(big_r_adjust=BigRAdjust.FULL),
    SMPOptions(third_party_commit=ThirdPartyCommit.FULL_COMMIT),
    SMPOptions(inter_vec_bargain=InterVecBrgn.S1P1),
    SMPOptions(bargain_model=BargainModel.PW_COMP),
]


@pytest.mark.parametrize("opt", OTHER_RULES, ids=lambda o: str(o.as_dict()))
def test_other_rules_are_left_to_numpy(opt):
    assert plain_supported(SMPOptions(max_turns=7, min_delta_ratio=0.5), 5)
    assert not plain_supported(opt, 5)
    with pytest.raises(PlainUnsupported):
        run_smp_plain([1.0, 2.0], [[10.0], [20.0]], [[50.0], [50.0]], opt)


def test_size_bound_and_bad_inputs_are_left_to_numpy():
    n = PLAIN_MAX_ACTORS + 1
    assert plain_supported(SMPOptions(), PLAIN_MAX_ACTORS)
    assert not plain_supported(SMPOptions(), n)
    with pytest.raises(PlainUnsupported):
        run_smp_plain([1.0] * n, [[10.0]] * n, [[50.0]] * n)
    for cap, pos, sal in [
        ([1.0], [[10.0]], [[50.0]]),  # one actor
        ([1.0, 0.0], [[10.0], [20.0]], [[50.0], [50.0]]),  # capability 0
        ([1.0, 2.0], [[10.0], [120.0]], [[50.0], [50.0]]),  # position off the scale
        ([1.0, 2.0], [[10.0, 5.0], [20.0, 5.0]], [[60.0, 50.0], [50.0, 5.0]]),  # saliences > 100
        ([1.0, 2.0], [[10.0], [20.0]], [[0.0], [50.0]]),  # no salience
        ([1.0, math.inf], [[10.0], [20.0]], [[50.0], [50.0]]),
    ]:
        with pytest.raises(PlainUnsupported):
            run_smp_plain(cap, pos, sal)


def test_plain_table_reader_matches_the_array_reader(validation_dir):
    path = validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv"
    table, sc = read_ktab_csv_table(path), read_ktab_csv(path)
    assert table.capabilities == sc.capabilities.tolist()
    assert table.positions == sc.positions.tolist()
    assert table.saliences == sc.saliences.tolist()
    assert (table.name, table.actor_names, table.dimension_names) == (
        sc.name,
        sc.actor_names,
        sc.dimension_names,
    )


def test_summary_is_json_as_the_numpy_one(validation_dir):
    from realpolitik.jsonio import dumps

    sc = read_ktab_csv(validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv")
    plain = _plain_of_scenario(sc)
    numpy_run = run_smp_scenario(sc, record_probabilities=False)
    assert json.dumps(plain.to_dict(), indent=2) == dumps(numpy_run.to_dict())
