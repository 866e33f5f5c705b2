"""Bidding over time and a drawn horizon (issue 12, item 8): cases worked by hand, properties.

The hand-worked cases use one-lever games whose every number can be followed on paper; the
expected answers are written out in the comments and never computed by the model's code.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from strategies import realignment_problems

from realpolitik.errors import ModelError, ScenarioError
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import COURTER, INCUMBENT, RealignmentProblem, simulate, solve
from realpolitik.models.realignment.simulate import rebid_problem
from realpolitik.scenario.examples import example_path
from realpolitik.scenario.load import loads


@pytest.mark.parametrize(
    "dist",
    [
        {"kind": "triangular", "low": 5, "mode": 10, "high": 15},
        {"kind": "choice", "values": [5, 7.5, 10]},
    ],
)
def test_a_drawn_horizon_that_is_not_whole_years_is_a_scenario_error(dist):
    d = yaml.safe_load(example_path("nixon-1972").read_text())
    (u,) = [u for u in d["uncertainties"] if u["path"] == "realignment.horizon"]
    u["dist"] = dist
    with pytest.raises(ScenarioError) as info:
        loads(yaml.safe_dump(d, sort_keys=False), file="nixon.yaml")
    (p,) = [p for p in info.value.problems if "horizon" in p.message]
    assert p.file == "nixon.yaml" and p.line is not None
    assert p.path.startswith("uncertainties[") and p.path.endswith("dist")
    assert "choice" in (p.expected or "")


# --- bidding over time, by hand ---------------------------------------------------------------


def two_years(courter_value: float) -> RealignmentProblem:
    """Two years at 0% discount. Aligning with C is worth 3 a year to P; hedging is ruled out.

    C's lever ``aid``: 10 a year to P for 10 a year to C, delivered at once. I's lever
    ``discount``: 10 a year for 10, a promise that I's successor repudiates; I holds an election
    in year 2 that changes its government for certain, and so does P (a successor who values
    aligning with C 1 a year more). I loses 5 a year if P leaves; C gains ``courter_value``.

    Year 1 (by hand): the counter stands in year 1 only, so it is worth D = 1 per unit to P and
    costs I 10 per unit; I's stake is 5 x 2 = 10, its levers at most 10: its retention bid is 10.
    P's courter option is worth 3 x 2 = 6, so C must give 10 - 6 = 4 (price 4, aid at 0.2),
    more than it will pay (2 x ``courter_value`` <= 3): no offer; I keeps P with the cheapest
    counter worth 6 (extent 0.6).
    """
    return RealignmentProblem(
        components=[[-100.0, 3.0]],
        component_names=("security",),
        courter_value=[0.0, courter_value],
        incumbent_value=[0.0, 5.0],
        lever_names=("aid", "discount"),
        lever_side=[COURTER, INCUMBENT],
        lever_value=[10.0, 10.0],
        lever_cost=[10.0, 10.0],
        lever_committed=[False, True],
        lever_annual_repudiation=0.0,
        lever_successor_repudiation=[0.0, 1.0],
        horizon=2,
        discount_rate=0.0,
        incumbent_turnover=Turnover(0.0, 10, 2, 1.0),
        pivot_turnover=Turnover(0.0, 10, 2, 1.0),
        successor_shift=[0.0, 1.0],
    )


@pytest.mark.parametrize("courter_value", [0.5, 1.5])
def test_year_one_by_hand(courter_value):
    s = solve(two_years(courter_value))
    assert s.outcome[0] == 0 and s.offer_target[0] == 0
    assert s.incumbent_max_bid[0, 1] == pytest.approx(10.0)
    assert s.price[0, 1] == pytest.approx(4.0)
    assert s.counter[0, 0] == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("courter_value", "year_two"),
    [
        # Year 2: I's counter lapses (new government) and P has a successor. Over the one year
        # left, P's courter option is worth 3 + 1 = 4; I's new promise is safe until its next
        # election (year 12), its stake is 5: retention bid 5. C must give 5 - 4 = 1 (aid 0.1).
        (1.5, 2),  # C will pay up to 1.5 >= 1: it re-bids and P realigns
        (0.5, 0),  # C will pay 0.5 < 1: no offer; I's new counter (worth 4, extent 0.4) keeps P
    ],
)
def test_the_counter_lapses_and_both_sides_bid_again(courter_value, year_two):
    pb = two_years(courter_value)
    sim = simulate(pb, 0, paths=3)
    np.testing.assert_array_equal(sim.aligned[0, :, year_two], [year_two == 0, 1.0])
    np.testing.assert_array_equal(sim.rebids, [0.0, 1.0])
    # without re-bidding P simply leaves once the counter lapses (4 a year against nothing)
    np.testing.assert_array_equal(simulate(pb, 0, rebid=False).aligned[0, :, 2], [0.0, 1.0])


def test_the_year_two_game_by_hand():
    # the game the two sides play in year 2 (counter lapsed, successor in power), solved alone
    pb = two_years(1.5)
    sub = rebid_problem(
        pb,
        draw=np.array([0]),
        years_gone=1,
        standing=np.zeros((1, 3)),
        option=np.array([0]),
        successor=np.array([True]),
        busy=np.array([[False, False]]),
    )
    assert sub.horizon[0] == 1
    assert sub.incumbent_turnover.next_election[0] == 10  # year 12, seen from year 2
    s = solve(sub)
    assert s.incumbent_max_bid[0, 1] == pytest.approx(5.0)
    assert s.price[0, 1] == pytest.approx(1.0, rel=1e-6)
    assert s.outcome[0] == 2 and s.package[0, 0] == pytest.approx(0.1, rel=1e-6)


def test_a_re_bid_with_no_year_left_is_an_error():
    # the two-year game (horizon 2) has no year left to bid over once both years are gone
    with pytest.raises(ModelError, match=r"years_gone 2 leaves no year.*shortest horizon is 2"):
        rebid_problem(
            two_years(1.5),
            draw=np.array([0]),
            years_gone=2,
            standing=np.zeros((1, 3)),
            option=np.array([0]),
            successor=np.array([False]),
            busy=np.array([[False, False]]),
        )


def test_a_standing_promise_is_not_offered_again_and_moving_back_is_free():
    pb = two_years(1.5)
    sub = rebid_problem(
        pb,
        np.array([0, 0]),
        1,
        standing=np.array([[6.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
        option=np.array([0, 2]),
        successor=np.array([False, False]),
        busy=np.array([[False, True], [True, False]]),
    )
    np.testing.assert_array_equal(sub.lever_max, [[1.0, 0.0], [0.0, 1.0]])
    np.testing.assert_array_equal(sub.switching_cost, 0.0)
    k = sub.component_names.index("standing promises")
    # the counter standing (6 a year) is conditional on staying: it lowers hedge and courter
    np.testing.assert_allclose(sub.components[0, k], [-6.0, -6.0], rtol=1e-6)


def test_moving_costs_what_is_left_of_the_switching_cost():
    pb = two_years(1.5).with_changes(switching_cost=[2.0, 5.0])
    subs = [
        rebid_problem(
            pb,
            np.array([0]),
            1,
            np.zeros((1, 3)),
            np.array([o]),
            np.array([False]),
            np.zeros((1, 2), bool),
        )
        for o in (0, 1, 2)
    ]
    np.testing.assert_array_equal([s.switching_cost[0] for s in subs], [[2, 5], [0, 3], [0, 0]])


# --- bidding over time, properties ------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(realignment_problems())
def test_nothing_happens_nobody_bids_again(pb):
    # with no turnover and no repudiation there is no event: re-bidding changes nothing
    quiet = pb.with_changes(
        pivot_turnover=Turnover(),
        incumbent_turnover=Turnover(),
        courter_turnover=Turnover(),
        lever_annual_repudiation=0.0,
        lever_successor_repudiation=0.0,
    )
    a = simulate(quiet, 3, paths=2)
    b = simulate(quiet, 3, paths=2, rebid=False)
    np.testing.assert_array_equal(a.rebids, 0.0)
    np.testing.assert_array_equal(a.aligned, b.aligned)


@settings(max_examples=20, deadline=None)
@given(realignment_problems())
def test_by_year_shares_are_shares_of_the_draws_that_reach_the_year(pb):
    sim = simulate(pb, 1, paths=2)
    for t in range(pb.years):
        alive = pb.horizon > t
        assert sim.covered[t] == alive.sum()
        assert np.all(np.isnan(sim.aligned[~alive, t]))
        np.testing.assert_allclose(sim.aligned[alive, t].sum(axis=1), 1.0)
        np.testing.assert_allclose(sim.p_aligned[t], sim.aligned[alive, t].mean(axis=0))
    assert np.all((sim.rebids >= 0) & (sim.rebids <= 1))


@settings(max_examples=15, deadline=None)
@given(realignment_problems(max_batch=3))
def test_money_in_tens_changes_no_path(pb):
    money = (
        "trade_with_incumbent",
        "switching_cost",
        "courter_value",
        "incumbent_value",
        "payer_value",
        "lever_value",
        "lever_cost",
        "components",
        "successor_shift",
        "replacement_capacity",
    )
    tens = pb.with_changes(
        **{f: getattr(pb, f) * 10 for f in money},
        lever_capacity=pb.lever_capacity * 10,
    )
    np.testing.assert_array_equal(simulate(pb, 5).aligned, simulate(tens, 5).aligned)


# --- one claim, one number: a threat's level read from relations: ------------------------------


def _nixon_with(edit) -> str:
    d = yaml.safe_load(example_path("nixon-1972").read_text())
    edit(d["realignment"]["threats"]["soviet-border"])
    return yaml.safe_dump(d, sort_keys=False)


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda th: th.update(level={"value": 8.0, "assumption": "x"}), "written once"),
        (lambda th: th.pop("from_relation"), "written once"),
        (lambda th: th["from_relation"].update(component="trust"), "from_relation needs"),
    ],
)
def test_a_threat_level_is_written_once_and_its_relation_must_exist(edit, needle):
    with pytest.raises(ScenarioError) as info:
        loads(_nixon_with(edit), file="nixon.yaml")
    (p,) = [p for p in info.value.problems if needle in p.message]
    assert p.file == "nixon.yaml" and p.line is not None


def test_the_level_is_the_hostility_times_the_named_constant():
    # nixon-1972: score -0.9, cost_per_unit 8.9: level 8.01 a year; the Soviet threat's
    # security component for aligning is level x relief 0.25 = 2.0025 (by hand)
    from realpolitik.models.adapters.realignment import problem_from_scenario

    s = loads(example_path("nixon-1972").read_text(), file="nixon.yaml")
    pb = problem_from_scenario(s)
    k = pb.component_names.index("soviet-border")
    assert pb.components[0, k, 1] == pytest.approx(0.9 * 8.9 * 0.25)
    d = yaml.safe_load(example_path("nixon-1972").read_text())
    (rel,) = [r for r in d["relations"] if set(r["between"]) == {"RUS", "CHN"}]
    rel["components"]["threat"] = {"value": 0.4, "assumption": "a friendly relation"}
    friendly = loads(yaml.safe_dump(d, sort_keys=False), file="n.yaml")
    assert friendly.value("relations.RUS~CHN.components.threat") == 0.4
    k2 = problem_from_scenario(friendly)
    assert k2.components[0, k, 1] == 0.0  # a friendly score is no threat: max(-score, 0) = 0


# --- what history shows: an incumbent that declines ---------------------------------------------


def test_a_declining_incumbent_loses_the_pivot_at_the_next_bid():
    # two_years(0.5) without decline: in year 2 I's new counter (stake 5, levers worth up to 10)
    # keeps P. With a decline of one half a year, the year-2 bid sees I's stake at 2.5 and its
    # lever's reach at 0.5 (worth 5): its retention bid is 2.5 < 4, P's courter option, and P
    # leaves for the courter with no offer needed (by hand). Year 1 is as before.
    pb = two_years(0.5)
    np.testing.assert_array_equal(simulate(pb, 0).aligned[0, :, 2], [0.0, 0.0])
    declining = pb.with_changes(incumbent_decline=0.5)
    sim = simulate(declining, 0)
    np.testing.assert_array_equal(sim.aligned[0, :, 2], [0.0, 1.0])
    sub = rebid_problem(
        declining,
        np.array([0]),
        1,
        np.zeros((1, 3)),
        np.array([0]),
        np.array([True]),
        np.zeros((1, 2), bool),
    )
    np.testing.assert_allclose(sub.incumbent_value[0], [0.0, 2.5])
    np.testing.assert_allclose(sub.lever_max[0], [1.0, 0.5])
    assert solve(sub).incumbent_max_bid[0, 1] == pytest.approx(2.5)


def test_an_incumbent_decline_outside_zero_to_one_is_a_scenario_error():
    d = yaml.safe_load(example_path("reverse-kissinger").read_text())
    d["realignment"]["incumbent_decline"] = {"value": 1.5, "assumption": "x"}
    with pytest.raises(ScenarioError) as info:
        loads(yaml.safe_dump(d, sort_keys=False), file="rk.yaml")
    (p,) = [p for p in info.value.problems if "decline" in p.message]
    assert p.path == "realignment.incumbent_decline" and p.line is not None


@settings(max_examples=15, deadline=None)
@given(realignment_problems(max_batch=3))
def test_a_declining_incumbent_changes_nothing_in_year_one(pb):
    # the decline is seen at the re-bids only: the year-1 equilibrium is the same
    a = simulate(pb, 7)
    b = simulate(pb.with_changes(incumbent_decline=0.3), 7)
    np.testing.assert_array_equal(a.aligned[:, 0], b.aligned[:, 0])


# --- factions per draw (item 6) ---------------------------------------------------------------


@pytest.mark.parametrize("model", ["smp", "bdm"])
def test_smp_and_bdm_run_on_each_draws_factions(model):
    from realpolitik.models.adapters.bargaining import faction_arrays
    from realpolitik.models.adapters.realignment import domestic_position
    from realpolitik.models.bargaining import BDMOptions, run_bdm, run_smp

    d = yaml.safe_load(example_path("reverse-kissinger").read_text())
    d["realignment"]["domestic"]["model"] = model
    s = loads(yaml.safe_dump(d, sort_keys=False), file="rk.yaml")
    path = "actors.RUS-west-business.position.orientation"
    lo, hi = s.quantity(path).dist.support()
    samples = {path: np.array([lo, hi, lo, (lo + hi) / 2])}
    z = domestic_position(s, samples, 4)
    _, cap, pos, sal = faction_arrays(s, "RUS", ["orientation"], samples, 4)
    for b in range(4):  # each draw is the model run on that draw's factions
        if model == "smp":
            want = run_smp(cap[b], pos[b], sal[b], rng=0).forecast()["weighted_mean"][0] / 100
        else:
            res = run_bdm(cap[b], pos[b, :, 0] / 100, sal[b, :, 0] / 100, 0.0, 1.0, BDMOptions())
            want = res.weighted_mean[-1]
        assert z[b] == pytest.approx(float(np.clip(want, 0, 1)))
    assert z[0] == z[2]  # the same factions, the same run


# --- what history shows: a threat from the courter, coercion by the incumbent -------------------


def _threat_game(relief_hedge: float, relief_courter: float, by: str) -> RealignmentProblem:
    """A one-year game at 0% whose only component is one threat of level 10, by ``by``."""
    from types import SimpleNamespace

    from realpolitik.models.realignment.claims import threat_terms

    th = SimpleNamespace(by=by, from_relation=None, courter_gain=None, incumbent_loss=None)
    block = SimpleNamespace(pivot="P", threats={"pressure": th})
    numbers = {
        "realignment.threats.pressure.level": 10.0,
        "realignment.threats.pressure.relief.hedge": relief_hedge,
        "realignment.threats.pressure.relief.courter": relief_courter,
    }
    terms = threat_terms(block, [], lambda path: np.full(1, numbers[path]), 1)
    return RealignmentProblem(
        components=terms.components, component_names=terms.names, horizon=1, discount_rate=0.0
    )


def test_a_threat_from_the_courter_is_relieved_by_aligning_with_it():
    # the courter threatens P at 10 a year; aligning removes it all, hedging half: aligning is
    # worth 10 and hedging 5 against staying (by hand), and with no levers P aligns
    pb = _threat_game(0.5, 1.0, by="C")
    np.testing.assert_allclose(pb.components[0, 0], [5.0, 10.0])
    assert solve(pb).outcome[0] == 2


def test_coercion_by_the_incumbent_against_defection_makes_leaving_cost_more():
    # the incumbent threatens what it does if P leaves (negative relief: leaving worsens it):
    # hedging costs 3 a year, aligning 10 (by hand); P stays
    pb = _threat_game(-0.3, -1.0, by="I")
    np.testing.assert_allclose(pb.components[0, 0], [-3.0, -10.0])
    s = solve(pb)
    assert s.outcome[0] == 0 and s.need[0, 1] == pytest.approx(10.0)
