"""The realignment bidding game: valuation, fast path against HiGHS, properties, simulation."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import (
    RealignmentProblem,
    evaluate_batch,
    incumbent_best_counter,
    package_value,
    result_dict,
    simulate,
    solve,
    solve_discrete,
)


def small(**kw) -> RealignmentProblem:
    base = dict(
        trade_with_incumbent=100.0,
        gains_share=0.2,
        retaliation=[0.2, 0.6],
        replacement_capacity=[10.0, 30.0],
        components=[[2.0, 6.0], [0.0, -1.0]],
        component_names=("security", "domestic"),
        switching_cost=[5.0, 20.0],
        courter_value=[5.0, 30.0],
        incumbent_value=[4.0, 10.0],
        lever_names=("sphere", "binding", "aid", "discount"),
        lever_side=[0, 0, 0, 1],
        lever_value=[6.0, 8.0, 3.0, 4.0],
        lever_cost=[5.0, 2.0, 4.0, 3.0],
        lever_capacity=[0.0, 40.0, 0.0, 0.0],
        lever_committed=[True, True, False, False],
        lever_annual_repudiation=0.05,
        lever_successor_repudiation=0.5,
        horizon=10,
        discount_rate=0.05,
        courter_turnover=Turnover(0.02, 4, 3, 0.5),
    )
    base.update(kw)
    return RealignmentProblem(**base)


def random_problem(seed: int, B: int = 20, binary=False, two_capacity=False):
    rng = np.random.default_rng(seed)
    u = rng.uniform
    cap = np.zeros((B, 5))
    cap[:, 1] = u(0, 60, B)
    if two_capacity:
        cap[:, 2] = u(0, 60, B)
    return RealignmentProblem(
        trade_with_incumbent=u(50, 200, B),
        gains_share=u(0.05, 0.3, B),
        retaliation=u(0, 1, (B, 2)),
        replacement_capacity=u(0, 80, (B, 2)),
        components=u(-15, 15, (B, 3, 2)),
        component_names=("security", "status", "domestic"),
        switching_cost=u(0, 60, (B, 2)),
        courter_value=u(0, 40, (B, 2)),
        incumbent_value=u(0, 40, (B, 2)),
        lever_names=("a", "b", "c", "d", "e"),
        lever_side=[0, 0, 0, 1, 1],
        lever_value=u(0, 30, (B, 5)),
        lever_cost=u(0.1, 30, (B, 5)),
        lever_min=u(0, 0.3, (B, 5)) * (not binary),
        lever_max=u(0.5, 2, (B, 5)),
        lever_binary=[binary, False, binary, binary, False],
        lever_capacity=cap,
        lever_committed=[True, True, False, True, False],
        lever_annual_repudiation=u(0, 0.2, (B, 5)),
        lever_successor_repudiation=u(0, 1, (B, 5)),
        horizon=rng.integers(1, 16, B),
        discount_rate=u(0.0, 0.1, B),
        courter_turnover=Turnover(u(0, 0.1, B), 4, rng.integers(1, 5, B), u(0, 1, B)),
        pivot_turnover=Turnover(u(0, 0.2, B)),
        incumbent_turnover=Turnover(u(0, 0.1, B)),
        pivot_annual_repudiation=u(0, 0.1, B),
        pivot_successor_repudiation=u(0, 1, B),
        successor_shift=u(-10, 10, (B, 2)),
    )


def test_option_values_by_hand():
    pb = small(horizon=1, discount_rate=0.0)
    s = solve(pb)
    # hedge: lose 0.2*100=20 of trade, 10 absorbed -> -0.2*10 = -2; +2 security; -5 switching
    # courter: lose 60, 30 absorbed -> -6; +6 security -1 domestic; -20 switching
    np.testing.assert_allclose(s.option_values[0], [0.0, -5.0, -21.0])


def test_capacity_lever_gives_its_value_plus_the_trade_it_fills():
    pb = small(horizon=1, discount_rate=0.0, lever_committed=False)
    # courter option: shortfall 60 - 30 = 30 of trade; binding (value 8) adds 40 at extent 1:
    # its value always, plus g = 0.2 per unit of the shortfall it fills
    v = package_value(pb, [[0.0, 1.0, 0.0]], target=2)
    np.testing.assert_allclose(v, 8.0 + 0.2 * 30)
    v_h = package_value(pb, [[0.0, 1.0, 0.0]], target=1)  # hedge shortfall 10
    np.testing.assert_allclose(v_h, 8.0 + 0.2 * 10)
    np.testing.assert_allclose(package_value(pb, [[0.0, 0.5, 0.0]], target=2), 4.0 + 0.2 * 20)


def test_capacity_levers_share_one_shortfall():
    pb = small(
        horizon=1, discount_rate=0.0, lever_committed=False, lever_capacity=[0.0, 40.0, 20.0, 0.0]
    )
    # binding 40 + aid 20 of capacity against a shortfall of 30: the trade part is 0.2 * 30
    v = package_value(pb, [[0.0, 1.0, 1.0]], target=2)
    np.testing.assert_allclose(v, 8.0 + 3.0 + 0.2 * 30)
    v = package_value(pb, [[0.0, 0.25, 0.5]], target=2)  # 10 + 10 of capacity, all of it used
    np.testing.assert_allclose(v, 2.0 + 1.5 + 0.2 * 20)


def test_filled_trade_is_discounted_by_the_lever_s_survival():
    pb = small(lever_capacity=[0.0, 40.0, 0.0, 0.0])
    s = solve(pb)
    d = s.derived
    D = d.lever_durability[0, 1]
    assert D < d.annuity[0]  # binding is a promise
    v = package_value(pb, [[0.0, 1.0, 0.0]], target=2)
    np.testing.assert_allclose(v, 8.0 * D + 0.2 * D * 30)


def test_price_closes_the_gap_and_decomposition_sums():
    pb = small()
    s = solve(pb)
    for j in range(2):
        if s.feasible[0, j] and s.need[0, j] > 0:
            assert s.price_value[0, j] == pytest.approx(s.need[0, j], rel=1e-9)
            assert s.decomposition[0, j].sum() == pytest.approx(s.price[0, j], rel=1e-9)
            assert s.decomposition_value[0, j].sum() == pytest.approx(s.price_face[0, j], rel=1e-9)
    assert s.causes[:3] == ("retaliation", "replacement", "switching_cost")


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_agrees_with_highs(seed):
    pb = random_problem(seed)
    f, h = solve(pb, "fast"), solve(pb, "highs")
    np.testing.assert_allclose(f.incumbent_max_bid, h.incumbent_max_bid, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(f.feasible, h.feasible)
    np.testing.assert_allclose(f.price, h.price, rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(f.outcome, h.outcome)


@given(seed=st.integers(0, 2**31 - 1), binary=st.booleans())
@settings(max_examples=25, deadline=None)
def test_property_fast_equals_highs(seed, binary):
    pb = random_problem(seed, B=8, binary=binary)
    f, h = solve(pb, "fast"), solve(pb, "highs")
    np.testing.assert_allclose(f.incumbent_max_bid, h.incumbent_max_bid, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(f.price, h.price, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        f.decomposition.sum(2), np.where(f.feasible, f.price, 0.0), rtol=1e-9, atol=1e-9
    )


def capacity_problem(
    seed: int, B: int = 8, n_cap: int = 2, binary: bool = False, shared: bool = True
) -> RealignmentProblem:
    """4 courter levers (the first ``n_cap`` add capacity), 2 incumbent levers; on/off levers
    at random with ``binary``; capacity levers under one commitment form (``shared``) or each
    under its own."""
    rng = np.random.default_rng(seed)
    u = rng.uniform
    L = 6
    cap = np.zeros((B, L))
    cap[:, :n_cap] = u(0, 80, (B, n_cap)) * (rng.uniform(size=(B, n_cap)) > 0.1)
    rr = u(0, 0.2, (B, L))
    ss = u(0, 1, (B, L))
    committed = rng.uniform(size=L) < 0.6
    if shared and n_cap:
        rr[:, :n_cap] = rr[:, :1]
        ss[:, :n_cap] = ss[:, :1]
        committed[:n_cap] = committed[0]
    return RealignmentProblem(
        trade_with_incumbent=u(50, 250, B),
        gains_share=u(0.05, 0.5, B),
        retaliation=u(0, 1, (B, 2)),
        replacement_capacity=u(0, 80, (B, 2)),
        components=u(-20, 15, (B, 2, 2)),
        component_names=("security", "status"),
        switching_cost=u(0, 60, (B, 2)),
        courter_value=u(0, 60, (B, 2)),
        incumbent_value=u(0, 40, (B, 2)),
        lever_names=tuple("abcdef"),
        lever_side=[0, 0, 0, 0, 1, 1],
        lever_value=u(0, 30, (B, L)) * (rng.uniform(size=(B, L)) > 0.15),
        lever_cost=u(0.0, 30, (B, L)),
        lever_min=u(0, 0.3, (B, L)),
        lever_max=u(0.5, 2, (B, L)),
        lever_binary=(rng.uniform(size=L) < 0.4) & binary,
        lever_capacity=cap,
        lever_committed=committed,
        lever_annual_repudiation=rr,
        lever_successor_repudiation=ss,
        horizon=rng.integers(1, 16, B),
        discount_rate=u(0.0, 0.1, B),
        courter_turnover=Turnover(u(0, 0.1, B), 4, rng.integers(1, 5, B), u(0, 1, B)),
        incumbent_turnover=Turnover(u(0, 0.1, B)),
    )


@given(seed=st.integers(0, 2**31 - 1), n_cap=st.integers(0, 3), binary=st.booleans())
@settings(max_examples=60, deadline=None)
def test_property_fast_equals_highs_with_capacity_levers(seed, n_cap, binary):
    pb = capacity_problem(seed, n_cap=n_cap, binary=binary)
    f, h = solve(pb, "fast"), solve(pb, "highs")
    assert f.method == "fast"
    np.testing.assert_array_equal(f.feasible, h.feasible)
    # The fast path is exact to rounding. HiGHS stops when its primal and dual infeasibilities
    # fall below its default tolerances (1e-7), measured on its internally scaled problem; the
    # objective it returns then differs from the exact optimum by up to about 1e-7 times the
    # scale of the coefficients (lever values and costs up to 30, horizons up to 15 discounted
    # years: ~1e2 to 1e3), i.e. relative differences of order 1e-6 (1.5e-6 was observed). rtol
    # 1e-5 covers that with a margin; a wrong package or price differs by far more.
    np.testing.assert_allclose(f.price, h.price, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(f.incumbent_max_bid, h.incumbent_max_bid, rtol=1e-5, atol=1e-6)
    ok = f.feasible & (f.need > 0)
    # the cheapest package is worth what P needs (more only if the lower bounds force it)
    assert np.all(f.price_value[ok] >= f.need[ok] * (1 - 1e-9) - 1e-9)
    np.testing.assert_allclose(
        f.decomposition.sum(2), np.where(f.feasible, f.price, 0.0), rtol=1e-9, atol=1e-9
    )


def test_capacity_levers_of_different_durability_take_the_exact_simplex():
    # the knapsack relaxations need one trade weight; the dual simplex (value as the least of
    # a few linear forms) takes the rest, and agrees with HiGHS
    pb = capacity_problem(3, B=12, n_cap=3, shared=False)
    s, h = solve(pb, "fast"), solve(pb, "highs")
    assert s.method == "fast"
    np.testing.assert_allclose(s.price, h.price, rtol=1e-7, atol=1e-6)


def test_flagship_shape_two_capacity_levers_takes_the_fast_path():
    pb = capacity_problem(5, B=200, n_cap=2)
    s = solve(pb)
    assert s.method == "fast"
    np.testing.assert_allclose(s.price, solve(pb, "highs").price, rtol=1e-7, atol=1e-6)


def test_highs_prints_nothing(capfd):
    pb = capacity_problem(7, B=6, n_cap=2, binary=True)
    solve(pb, "highs")
    out, _ = capfd.readouterr()
    assert out == ""
    print("still connected")
    out, _ = capfd.readouterr()
    assert out == "still connected\n"


@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(1.0, 3.0))
@settings(max_examples=30, deadline=None)
def test_larger_offer_never_lowers_value(seed, scale):
    pb = random_problem(seed, B=5)
    x = np.random.default_rng(seed).uniform(0, 1, (5, 3))
    for t in (1, 2):
        assert np.all(package_value(pb, x * scale, t) >= package_value(pb, x, t) - 1e-9)


@given(seed=st.integers(0, 2**31 - 1), f=st.floats(0.0, 1.0))
@settings(max_examples=30, deadline=None)
def test_more_durable_commitment_never_raises_price(seed, f):
    # the courter's promises only: more credible incumbent counters rightly raise the price.
    # Givers pay only while a promise stands, so a lower bound on an extent (a fixed minimum
    # offer) that lasts longer rightly costs more: the property holds without lower bounds
    pb = random_problem(seed, B=6).with_changes(lever_min=0.0)
    m = np.where(pb.lever_side == 0, f, 1.0)[None, :]
    durable = pb.with_changes(
        lever_annual_repudiation=pb.lever_annual_repudiation * m,
        lever_successor_repudiation=pb.lever_successor_repudiation * m,
    )
    assert np.all(solve(durable).price <= solve(pb).price + 1e-7)


@given(seed=st.integers(0, 2**31 - 1), extra=st.floats(0.0, 0.5))
@settings(max_examples=30, deadline=None)
def test_more_retaliation_never_lowers_price(seed, extra):
    # retaliation against aligning (harsher retaliation against hedging makes the hedge a weaker
    # outside option and can lower the price of full alignment). A package fills at most the
    # extra shortfall, worth g per unit, while P loses g per unit of it: never a windfall
    pb = random_problem(seed, B=6)
    r = pb.retaliation.copy()
    r[:, 1] = np.minimum(r[:, 1] + extra, 1.0)
    harsher = pb.with_changes(retaliation=r)
    assert np.all(solve(harsher).price[:, 1] >= solve(pb).price[:, 1] - 1e-7)


def test_results_depend_only_on_problem_and_seed():
    pb = random_problem(1, B=50)
    a, b = evaluate_batch(pb, 7), evaluate_batch(pb, 7)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    c = evaluate_batch(pb, np.random.default_rng(7))
    np.testing.assert_array_equal(a["p_courter_year_5"], c["p_courter_year_5"])


def test_incumbent_counter_is_cheapest_that_keeps_pivot():
    pb = small()
    s = solve(pb)
    y, retains, choice = incumbent_best_counter(pb, s.packages[:, 1] * 0.5, target=2)
    assert y.shape == (1, 1)
    assert choice[0] in (0, 1, 2)
    if retains[0]:
        assert choice[0] == 0


def test_treaty_lowers_price_f4c():
    pb = small(courter_value=[5.0, 300.0])
    treaty = pb.with_changes(lever_annual_repudiation=0.0, lever_successor_repudiation=0.05)
    p0, p1 = solve(pb).price[0, 1], solve(treaty).price[0, 1]
    assert p1 < p0


def test_all_binary_solution_matches_discrete_backward_induction():
    pb = random_problem(11, B=60, binary=True)
    pb = pb.with_changes(
        lever_binary=[True, True, True, True, True],
        lever_capacity=np.zeros((60, 5)),
        lever_min=pb.lever_max,  # indivisible: on means exactly the maximum
    )
    s = solve(pb)
    dg = solve_discrete(pb)
    np.testing.assert_array_equal(s.outcome, dg.outcome)
    np.testing.assert_allclose(s.courter_payoff, dg.courter_payoff, rtol=1e-9, atol=1e-9)


def test_simulation_shapes_and_probabilities():
    pb = random_problem(5, B=200)
    sim = simulate(pb, 0, paths=3)
    T = pb.years
    assert sim.aligned.shape == (200, T, 3)
    np.testing.assert_allclose(sim.p_aligned.sum(1), 1.0)
    s = solve(pb)
    np.testing.assert_allclose(sim.aligned[:, 0, 2], (s.outcome == 2).astype(float))
    assert np.all(sim.duration <= pb.horizon)


def test_promises_that_never_lapse_hold_the_realignment():
    pb = small(
        courter_value=[5.0, 300.0],
        lever_annual_repudiation=0.0,
        lever_successor_repudiation=0.0,
        pivot_turnover=Turnover(0.0),
    )
    s = solve(pb)
    assert s.outcome[0] == 2
    sim = simulate(pb, 1, solution=s, paths=50)
    np.testing.assert_allclose(sim.p_aligned[:, 2], 1.0)
    assert sim.expected_duration == pytest.approx(10.0)


def test_result_dict_is_json_ready():
    pb = random_problem(2, B=30)
    s = solve(pb)
    d = result_dict(pb, s, simulate(pb, 0, solution=s))
    text = json.dumps(d)
    for key in (
        "outcome",
        "price",
        "courter_willingness_to_pay",
        "incumbent_max_bid",
        "margin",
        "decomposition",
        "options",
        "package",
        "counter",
        "p_realign",
        "p_realign_by_year",
    ):
        assert key in d
    assert "Infinity" not in text and "NaN" not in text


def test_bad_inputs_raise_model_error():
    with pytest.raises(ModelError):
        small(retaliation=[1.5, 0.2])
    with pytest.raises(ModelError):
        small(lever_side=[0, 0, 0, 2])
    with pytest.raises(ModelError):
        small(component_names=("excess", "domestic"))
    with pytest.raises(ModelError):
        small(lever_capacity=[0, 0, 0, 5.0])


def test_a_lapsed_capacity_promise_takes_its_trade_with_it():
    # binding has no direct value, only capacity; it is a promise that a new courter government
    # (certain in year 2) repudiates. P realigns for it in year 1 and returns once it lapses.
    kw = dict(
        trade_with_incumbent=100.0,
        gains_share=0.5,
        retaliation=[0.0, 0.3],
        replacement_capacity=[0.0, 10.0],
        components=[[-50.0, 8.0]],
        component_names=("security",),
        switching_cost=0.0,
        courter_value=[0.0, 100.0],
        incumbent_value=0.0,
        lever_names=("binding",),
        lever_side=[0],
        lever_value=[0.0],
        lever_cost=[1.0],
        lever_capacity=[40.0],
        lever_annual_repudiation=0.0,
        lever_successor_repudiation=1.0,
        horizon=3,
        discount_rate=0.0,
        courter_turnover=Turnover(0.0, 10, 2, 1.0),
    )
    pb = RealignmentProblem(lever_committed=[True], **kw)
    s = solve(pb)
    assert s.outcome[0] == 2
    np.testing.assert_allclose(s.price_trade_value[0, 1], s.price_value[0, 1])
    sim = simulate(pb, 0, solution=s, rebid=False)
    np.testing.assert_array_equal(sim.aligned[0, :, 2], [1.0, 0.0, 0.0])
    # with re-bidding, the new courter government (whose own promise no election threatens
    # before year 12) offers the binding again and P stays aligned
    np.testing.assert_array_equal(simulate(pb, 0, solution=s).aligned[0, :, 2], [1.0, 1.0, 1.0])
    kept = RealignmentProblem(lever_committed=[False], **kw)
    np.testing.assert_array_equal(simulate(kept, 0).aligned[0, :, 2], [1.0, 1.0, 1.0])


def test_an_uncertain_form_is_the_mixture_of_its_survivals_by_hand():
    # a treaty ratified with probability 0.25 that never lapses, else a statement that lapses
    # at once (annual repudiation 1): over 2 years at 0%, D = 0.25 * 2 + 0.75 * 0 = 0.5
    pb = RealignmentProblem(
        lever_names=("treaty",),
        lever_side=[0],
        lever_value=[10.0],
        lever_cost=[4.0],
        lever_committed=[True],
        lever_annual_repudiation=0.0,
        lever_successor_repudiation=0.0,
        lever_form_probability=0.25,
        lever_fallback_annual_repudiation=1.0,
        lever_fallback_successor_repudiation=0.0,
        components=[[0.0, -2.0]],
        component_names=("status",),
        horizon=2,
        discount_rate=0.0,
        courter_value=[0.0, 100.0],
    )
    assert package_value(pb, [[1.0]], 2)[0] == pytest.approx(5.0)
    s = solve(pb)
    # need 4 (two years of -2): extent 0.8, paid while it stands: 0.8 * 4 * 0.5 = 1.6
    assert s.price[0, 1] == pytest.approx(1.6)
    sim = simulate(pb, 0, solution=s, paths=4000, rebid=False)
    # without re-bids, the pivot keeps its alignment only on the paths where the treaty was
    # ratified (with them, the courter offers it again each year the statement lapses)
    assert sim.p_aligned[1, 2] == pytest.approx(0.25, abs=0.03)
