"""Exit without a courter, and demands on the pivot's regime that close an option.

Hand-worked cases (numbers derived in the comments), the brute-force game-tree oracle of
``test_realignment_oracle`` with closed options, and Hypothesis properties.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems
from test_realignment_oracle import oracle, random_case, to_problem

from realpolitik.errors import ScenarioError
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem, simulate, solve
from realpolitik.scenario import load, loads


def exit_problem(**changes: object) -> RealignmentProblem:
    """No courter; two years at 0% discount; nothing lapses.

    Hedge (here: exit) loses 20 of trade a year to the cut (retaliation 0.2 of 100, nothing
    absorbed), worth 0.5 a unit: -0.5 * 20 * 2 = -20; a component +30 a year: +60; a one-off
    switching cost 10. U_exit = -20 + 60 - 10 = 30.
    The incumbent: one lever worth 10 a year to P (20 over the horizon) costing it 8 a year
    (16); its stake 5 a year (10) plus the trade it cuts, 0.1 * 20 * 2 = 4: 14.
    """
    base: dict[str, object] = dict(
        trade_with_incumbent=100.0,
        gains_share=0.5,
        incumbent_gains_share=0.1,
        retaliation=[0.2, 0.0],
        replacement_capacity=[0.0, 0.0],
        components=[[30.0, 0.0]],
        component_names=("security",),
        switching_cost=[10.0, 0.0],
        courter_value=[0.0, 0.0],
        incumbent_value=[5.0, 0.0],
        lever_names=("aid",),
        lever_side=[1],
        lever_value=[10.0],
        lever_cost=[8.0],
        lever_min=0.0,
        lever_max=1.0,
        horizon=2,
        discount_rate=0.0,
        has_courter=False,
    )
    base.update(changes)
    return RealignmentProblem(**base)  # type: ignore[arg-type]


def test_exit_hand_case_the_incumbent_cannot_keep_the_pivot():
    # I's budget 14 buys 14 / 16 of its lever: 0.875 * 20 = 17.5 < 30: P leaves (exit)
    s = solve(exit_problem())
    assert s.option_values[0].tolist() == pytest.approx([0.0, 30.0, -0.0])
    assert s.incumbent_loss[0, 0] == pytest.approx(14.0)
    assert s.incumbent_max_bid[0, 0] == pytest.approx(17.5)
    assert s.incumbent_binds[0, 0] == 2  # its stake
    assert int(s.outcome[0]) == 1
    assert np.isinf(s.price[0, 1]) and not s.feasible[0, 1]
    assert s.courter_binds[0, 1] == 3  # closed: there is no courter
    assert s.counter[0].tolist() == [0.0]


def test_exit_hand_case_the_incumbent_keeps_the_pivot():
    # a stake of 20 a year (40 + 4 = 44) and a lever worth 20 a year (40 over two years): the
    # bid 40 >= 30 keeps P, with the cheapest counter worth 30: extent 0.75, cost 12
    s = solve(exit_problem(incumbent_value=[20.0, 0.0], lever_value=[20.0]))
    assert s.incumbent_max_bid[0, 0] == pytest.approx(40.0)
    assert s.incumbent_binds[0, 0] == 1  # its levers
    assert int(s.outcome[0]) == 0
    assert s.counter[0, 0] == pytest.approx(0.75)


def test_exit_hand_case_levers_of_the_courter_side_are_refused():
    with pytest.raises(Exception, match="without a courter"):
        exit_problem(
            lever_names=("aid", "x"), lever_side=[1, 0], lever_value=[10.0, 1.0],
            lever_cost=[8.0, 1.0],
        )  # fmt: skip
    with pytest.raises(Exception, match="without a courter"):
        exit_problem(courter_value=[0.0, 1.0])


def regime_case(block: tuple[int, ...]) -> dict:
    """The oracle's hand case (P aligns for a package of cost 24; the courter's payoff is 36)
    with the options ``block`` closed by a demand on P's regime."""
    return {
        "H": 2, "rho": 0.0, "trade": 100.0, "g": 0.5, "gI": 0.1,
        "ret": [0.0, 0.4], "ret_p": 1.0, "ret_r": 0.0, "ret_s": 0.0,
        "repl": [0.0, 10.0], "comp": [[-5.0], [0.0]], "sc": [0.0, 10.0],
        "ival": [0.0, 5.0], "wtp": {"C": [0.0, 30.0]},
        "hC": 0.0, "hI": 0.0, "hP": 0.0, "piv_r": 0.0, "piv_s": 0.0,
        "levers": [{"side": "C", "v": 25.0, "c": 12.0, "cap": 0.0, "promise": None,
                    "payer": "C"}],
        "closed": block,
    }  # fmt: skip


def test_regime_demand_hand_case():
    # U_hedge = -10 and U_courter = -40 (see the oracle's hand case). Open: the package (worth
    # 50, cost 24) makes aligning worth +10: P aligns; C's payoff 60 - 24 = 36.
    s = solve(to_problem(regime_case(())))
    assert (int(s.outcome[0]), float(s.courter_payoff[0])) == (2, pytest.approx(36.0))
    # the courter option closed: no package buys it; hedging (-10) is worse than staying: P
    # stays, nobody pays, C's payoff 0
    s = solve(to_problem(regime_case((2,))))
    assert int(s.outcome[0]) == 0 and s.courter_payoff[0] == 0.0
    assert np.isinf(s.price[0, 1]) and s.courter_binds[0, 1] == 3
    assert s.need[0, 1] == pytest.approx(40.0)  # what P would need were it open
    # the hedge closed instead: it was never P's alternative (-10 < 0): the same price, 24
    s = solve(to_problem(regime_case((1,))))
    assert int(s.outcome[0]) == 2 and s.price[0, 1] == pytest.approx(24.0)
    assert oracle(regime_case((2,))) == (0, pytest.approx(0.0))


@pytest.mark.parametrize("closed", [(1,), (2,), (1, 2)])
@pytest.mark.parametrize("seed", range(25))
def test_solver_matches_the_oracle_with_closed_options(seed, closed):
    x = random_case(seed, allies=bool(seed % 2))
    x["closed"] = closed
    o, pay = oracle(x)
    s = solve(to_problem(x))
    assert int(s.outcome[0]) == o
    assert o not in closed
    assert float(s.courter_payoff[0]) == pytest.approx(pay, rel=1e-9, abs=1e-9)


def no_courter_case(seed: int) -> dict:
    x = random_case(seed, allies=False)
    x["levers"] = [lv for lv in x["levers"] if lv["side"] == "I"]
    x["wtp"] = {"C": [0.0, 0.0]}
    x["no_courter"] = True
    return x


@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_the_oracle_without_a_courter(seed):
    x = no_courter_case(seed)
    o, pay = oracle(x)
    s = solve(to_problem(x))
    assert int(s.outcome[0]) == o != 2
    assert float(s.courter_payoff[0]) == pay == 0.0


def test_some_pivots_exit_and_some_are_kept():
    # the oracle cases cover both answers (so the test above is not vacuous)
    outcomes = {oracle(no_courter_case(seed))[0] for seed in range(40)}
    assert outcomes == {0, 1}


# ---------------------------------------------------------------------------------------------
# the year-by-year simulation: a successor lifts the regime's block
# ---------------------------------------------------------------------------------------------


def _blocked_but_wanted(hazard: float) -> RealignmentProblem:
    # aligning is worth +10 a year to P with nothing to pay: only the regime's demand keeps it
    return RealignmentProblem(
        components=[[0.0, 10.0]],
        component_names=("security",),
        horizon=6,
        discount_rate=0.05,
        regime_blocks=[False, True],
        pivot_turnover=Turnover(annual_hazard=hazard),
    )


def test_the_block_holds_while_the_government_rules():
    sim = simulate(_blocked_but_wanted(0.0), rng=0, paths=50)
    assert np.all(sim.p_aligned[:, 0] == 1.0)


def test_a_successor_lifts_the_block():
    # the pivot's government changes every year: year 1 is decided by the first government
    # (it stays); from year 2 a successor rules and P aligns
    sim = simulate(_blocked_but_wanted(1.0), rng=0, paths=50)
    assert sim.p_aligned[0].tolist() == [1.0, 0.0, 0.0]
    assert np.all(sim.p_aligned[1:, 2] == 1.0)
    # with half the governments changing, P aligns exactly on the paths that changed
    sim = simulate(_blocked_but_wanted(0.5), rng=0, paths=2000)
    assert sim.p_aligned[1, 2] == pytest.approx(0.5, abs=0.05)
    assert np.all(np.diff(sim.p_aligned[:, 2]) >= 0)  # a successor's lift lasts


# ---------------------------------------------------------------------------------------------
# properties over generated problems
# ---------------------------------------------------------------------------------------------


@given(realignment_problems(), st.sampled_from([(True, False), (False, True), (True, True)]))
@settings(max_examples=40, deadline=None)
def test_a_closed_option_is_never_taken(pb, block):
    closed = solve(pb.with_changes(regime_blocks=list(block)))
    for j, b in enumerate(block):
        if b:
            assert not np.any(closed.outcome == 1 + j)
            assert np.all(np.isinf(closed.price[:, j]))
    sim = simulate(pb.with_changes(regime_blocks=list(block), pivot_turnover=Turnover()), rng=1)
    for j, b in enumerate(block):
        if b:
            assert np.all(np.nan_to_num(sim.aligned[:, :, 1 + j]) == 0.0)


def _without_courter(pb: RealignmentProblem) -> RealignmentProblem:
    inc = pb.side(1)
    kw = {
        f: getattr(pb, f)[:, inc]
        for f in ("lever_value", "lever_cost", "lever_min", "lever_max", "lever_capacity",
                  "lever_annual_repudiation", "lever_successor_repudiation",
                  "lever_form_probability", "lever_fallback_annual_repudiation",
                  "lever_fallback_successor_repudiation")
    }  # fmt: skip
    return pb.with_changes(
        **kw,
        lever_names=tuple(pb.lever_names[i] for i in inc),
        lever_side=pb.lever_side[inc],
        lever_binary=pb.lever_binary[inc],
        lever_committed=pb.lever_committed[inc],
        lever_payer=pb.lever_payer[inc],
        payer_names=(),
        payer_side=None,
        payer_value=None,
        courter_value=0.0,
        has_courter=False,
    )


@given(realignment_problems())
@settings(max_examples=40, deadline=None)
def test_without_a_courter_the_pivot_never_aligns_with_one(pb):
    lone = _without_courter(pb)
    s = solve(lone)
    assert not np.any(s.outcome == 2)
    assert np.all(s.courter_payoff == 0.0)
    sim = simulate(lone, rng=0, paths=3)
    assert np.all(np.nan_to_num(sim.aligned[:, :, 2]) == 0.0)


def _incumbent_payoff(s, pb: RealignmentProblem) -> np.ndarray:
    """What the incumbent's side ends with: its counter's cost if P stays, else its stake."""
    inc = pb.side(1)
    cost = np.sum(s.counter * s.derived.lever_cost_pv[:, inc], axis=1)
    loss = np.concatenate([np.zeros((pb.batch, 1)), s.incumbent_loss], axis=1)
    return np.where(s.outcome == 0, -cost, -loss[np.arange(pb.batch), s.outcome])


@given(realignment_problems())
@settings(max_examples=40, deadline=None)
def test_a_courter_that_offers_nothing_never_favours_the_incumbent(pb):
    # the incumbent loses at least as much when P aligns with the courter as when it exits
    ival = pb.incumbent_value.max(axis=1, keepdims=True) * np.ones((1, 2))
    ret = pb.retaliation.max(axis=1, keepdims=True) * np.ones((1, 2))
    lone = _without_courter(pb.with_changes(incumbent_value=ival, retaliation=ret))
    # the same game with a courter whose levers are worth nothing and who values nothing
    zero = pb.with_changes(
        incumbent_value=ival,
        retaliation=ret,
        lever_value=np.where(pb.lever_side == 0, 0.0, pb.lever_value),
        lever_capacity=0.0,
        courter_value=0.0,
        payer_value=None if not pb.payer_names else np.zeros_like(pb.payer_value),
    )
    a, b = solve(lone), solve(zero)
    pay_a, pay_b = _incumbent_payoff(a, lone), _incumbent_payoff(b, zero)
    assert np.all(pay_b <= pay_a + 1e-9 * (1 + np.abs(pay_a)))
    # where aligning is no better for P than exit, the courter changes nothing at all
    rows = np.flatnonzero(b.option_values[:, 2] <= b.option_values[:, 1])
    if rows.size:
        same = zero.take(rows)
        lone_same = _without_courter(same)
        s1, s2 = solve(lone_same), solve(same)
        np.testing.assert_array_equal(s1.outcome, s2.outcome)
        np.testing.assert_allclose(s1.counter, s2.counter, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# scenario files: no courter, regime demands
# ---------------------------------------------------------------------------------------------

FIXTURE = Path(__file__).parent / "fixtures" / "realignment" / "no-courter.yaml"


def test_a_scenario_without_a_courter_loads_and_gives_the_hand_worked_answer():
    from realpolitik.models.adapters.realignment import problem_from_scenario

    s = load(FIXTURE)
    pb = problem_from_scenario(s)
    assert not pb.has_courter and pb.lever_names == ("aid",)
    sol = solve(pb)
    # the numbers of exit_problem: U_exit 30 > the incumbent's best bid 17.5: P leaves
    assert int(sol.outcome[0]) == 1
    assert sol.option_values[0, 1] == pytest.approx(30.0)
    assert sol.incumbent_max_bid[0, 0] == pytest.approx(17.5)
    # over draws of the security value s ~ U(0, 40): U_exit = 2 s - 30 beats 17.5 iff s > 23.75
    sec = np.linspace(0.0, 40.0, 81)
    pb = problem_from_scenario(s, {"realignment.components.security.hedge": sec}, sec.size)
    np.testing.assert_array_equal(solve(pb).outcome, np.where(sec > 23.75, 1, 0))


def test_a_scenario_without_a_courter_runs_end_to_end(tmp_path, capsys):
    from realpolitik.cli.main import main

    try:
        main(["run", str(FIXTURE), "-o", str(tmp_path), "--draws", "40", "--workers", "1"])
    except SystemExit as exc:
        assert not exc.code
    out = capsys.readouterr().out
    assert "Pivotia leaves without joining anyone" in out
    assert (tmp_path / "report.html").exists()


def _edited(old: str, new: str) -> str:
    text = FIXTURE.read_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "retaliation: {hedge: {value: 0.2, assumption: synthetic}}",
            "retaliation: {hedge: {value: 0.2, assumption: synthetic}, courter: 0.1}",
            "realignment.trade.retaliation.courter",
            "no courter is declared",
        ),
        (
            "  pivot: PIV\n",
            "  pivot: PIV\n  courter_value: {hedge: {value: 1, assumption: x}}\n",
            "realignment.courter_value",
            "nothing can be on its side",
        ),
        (
            "  pivot: PIV\n",
            "  pivot: PIV\n  regime_demands: {closes: [hedge]}\n",
            "realignment.regime_demands",
            "provenance",
        ),
        (
            "  pivot: PIV\n",
            "  pivot: PIV\n  regime_demands: {closes: [courter], assumption: x}\n",
            "realignment.regime_demands.closes",
            "closed already",
        ),
        (
            "  pivot: PIV\n",
            "  pivot: PIV\n  regime_demands: {closes: [exit], assumption: x}\n",
            "realignment.regime_demands.closes",
            "",
        ),
    ],
)
def test_scenario_errors_name_file_line_and_field(old, new, path, message):
    with pytest.raises(ScenarioError) as err:
        loads(_edited(old, new), file="exit.yaml")
    hits = [p for p in err.value.problems if p.path.startswith(path)]
    assert hits, err.value.problems
    assert hits[0].file == "exit.yaml" and hits[0].line is not None
    assert message in hits[0].message


def test_a_courter_needs_every_courter_value():
    text = _edited("  incumbent: INC\n", "  incumbent: INC\n  courter: CRT\n").replace(
        "actors:\n", "actors:\n  - {id: CRT, size: {value: 3, assumption: synthetic}}\n"
    )
    with pytest.raises(ScenarioError) as err:
        loads(text, file="exit.yaml")
    paths = {p.path for p in err.value.problems}
    assert "realignment.trade.retaliation" in paths and "realignment" in paths


def test_regime_demands_close_the_option_until_a_successor_rules():
    from realpolitik.models.adapters.realignment import problem_from_scenario

    text = _edited(
        "  pivot: PIV\n",
        "  pivot: PIV\n  regime_demands:\n    closes: [hedge]\n"
        "    assumption: synthetic; the incumbent's regime ties it to the pivot's\n",
    )
    s = loads(text)
    pb = problem_from_scenario(s)
    assert pb.regime_blocks.tolist() == [[True, False]]
    assert int(solve(pb).outcome[0]) == 0  # exit closed: P stays
    # a successor every year opens the exit from year 2 on
    sim = simulate(pb.with_changes(pivot_turnover=Turnover(annual_hazard=1.0)), rng=0, paths=20)
    assert sim.p_aligned[:, 1].tolist() == [0.0, 1.0]


def test_without_a_courter_the_text_shows_the_exit_and_no_courter_price(tmp_path, capsys):
    """A courter-less point run describes staying against leaving (the hand-worked 30 and 17.5
    of exit_problem) and nothing of a closed courter option: no price, payers or causes of a
    full realignment, no waterfall or cause figure."""
    from realpolitik.cli.main import main
    from realpolitik.report import realignment as text

    try:
        main(["run", str(FIXTURE), "-o", str(tmp_path), "--draws", "0", "--no-report"])
    except SystemExit as exc:
        assert not exc.code
    out = capsys.readouterr().out
    assert "leave without joining anyone (its exit option)" in out
    assert "present value against staying): 30.0" in out
    assert "retention bid against that exit" in out and "give Pivotia): 17.5" in out
    for closed in ("Price of a full realignment", "courter's side", "Why a full realignment"):
        assert closed not in out
    result = load(FIXTURE).run(draws=0).results["realignment"]
    assert text.decomposition_spec(result) is None
    assert text.causes_spec(result) is None


def test_without_a_courter_the_answer_asks_about_the_exit_and_draws_no_price():
    """The report's and the dashboard's answer for a courter-less scenario: the question is
    whether the pivot leaves (the exit), the answer gives P(leaves) from the draws' ``hedges``
    and the hand-worked 30 and 17.5, and no price figure of a closed courter option is drawn."""
    from realpolitik.app.views import _figures
    from realpolitik.report import answer
    from realpolitik.report.html import render_report

    run = load(FIXTURE).run(draws=200, seed=3)
    result = run.results["realignment"]
    assert answer.question(result) == (
        "The question: would Pivotia leave Hegemonia without joining anyone (no courter bids "
        "for it), and can Hegemonia keep it?"
    )
    stats = {"hedges": {"mean": 0.25, "low": 0.2, "high": 0.3}}
    assert answer.answer_sentence(result, stats, 200) == (
        "Yes: at the point values, Pivotia leaves without joining anyone; over 200 draws of the "
        "uncertain numbers, P(leaves) = 0.250 (95% interval 0.200 to 0.300)."
    )
    sentence = answer.price_sentence(result)
    assert (
        "worth 30.0 to Pivotia" in sentence
        and "retention bid against that exit is 17.5" in sentence
    )
    assert answer.price_spec(result) is None and answer.price_figure(result) is None
    assert "price" not in _figures(result, {})
    page = render_report(run)
    assert "figure-price" not in page and "no courter's side" not in page
    assert "P(leaves) = " in page
