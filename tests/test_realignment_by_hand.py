"""The realignment model's accounting and game on cases worked by hand (arithmetic in comments).

These cases were written to kill the mutants that survived the sampled mutation run of
``models/realignment*`` and ``models/commitment.py`` (docs/explanation/testing.md): every number
below is computed in the comments from the rule in ``docs/explanation/realignment.md``, not by
the code under test. Discount rate 25% (delta = 0.8) keeps the arithmetic exact in decimals.
"""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import (
    COURTER,
    INCUMBENT,
    PRINCIPAL,
    RealignmentProblem,
    accounts,
    solve,
)

# ---------------------------------------------------------------------------------------------
# accounting: one problem with every kind of term
# ---------------------------------------------------------------------------------------------
#
# Horizon 2 years at 25%: w = (0.8, 0.64), annuity A = 1.44.
# Retaliation: credibility 0.5, lapses with probability 0.5 a year (no successor effect):
#   S_R = (0.5, 0.25); w S_R p_R = (0.8*0.5*0.5, 0.64*0.25*0.5) = (0.2, 0.08); D_R = 0.28.
# Trade T = 100, gains share g = 0.1, cut shares (0.5, 1.0): lost = (50, 100);
#   replacement capacity (20, 30) absorbs (20, 30): shortfall = (30, 70).
# Component "security" (2, 5) a year: A x = (2.88, 7.2). Switching costs (1, 3).
#   U_hedge   = -0.1*30*0.28 + 2.88 - 1 = -0.84 + 1.88 = 1.04
#   U_courter = -0.1*70*0.28 + 7.2  - 3 = -1.96 + 4.2  = 2.24
#   flow_o    = -g sf_o D_R / A + comp_o: hedge 2 - 0.84/1.44, courter 5 - 1.96/1.44
#   parts: retaliation g lost D_R = (1.4, 2.8); replacement -g absorbed D_R = (-0.56, -0.84);
#          switching_cost (1, 3); security -A x = (-2.88, -7.2). They add up to -U.
# The incumbent values each unit of trade it cuts at 0.2: retaliation cost 0.2 lost D_R =
#   (0.2*50*0.28, 0.2*100*0.28) = (2.8, 5.6).
# The pivot's alignment lapses with probability 0.5 a year: S_P = (0.5, 0.25),
#   D_P = 0.8*0.5 + 0.64*0.25 = 0.56.
# Courter values (10, 20) -> (5.6, 11.2); its ally "eu" values (5, 10) -> (2.8, 5.6);
#   the courter side's willingness to pay (8.4, 16.8).
# Incumbent values (30, 40) -> (16.8, 22.4) + retaliation cost = (19.6, 28.0); its ally "by"
#   loses (1, 2) -> (0.56, 1.12); the incumbent side's stake (20.16, 29.12).
# The incumbent's government changes with probability 0.5 a year; the courter's never.
# Levers (value, cost a year at extent 1):
#   aid    C, immediate:                          D = A = 1.44
#   treaty C, promise lapsing 0.5 a year:         S = (0.5, 0.25), D = 0.56; capacity 10, paid
#                                                 by "eu"
#   pact   C, a treaty ratified with prob. 0.5, else a form that lapses at once:
#                                                 S = 0.5*(1, 1) + 0.5*(0, 0) = (0.5, 0.5),
#                                                 D = 0.5*1.44 = 0.72
#   loan   I, repudiated by any successor:        S = (1 - 1*0.5)^t = (0.5, 0.25), D = 0.56;
#                                                 paid by "by"
# Trade weight of a lever: g sum_t w_t p_R S_R(t) S_l(t):
#   aid 0.1*0.28 = 0.028; treaty and loan 0.1*(0.2*0.5 + 0.08*0.25) = 0.012;
#   pact 0.1*(0.2*0.5 + 0.08*0.5) = 0.014.

VALUES = (3.0, 10.0, 4.0, 6.0)
COSTS = (2.0, 4.0, 1.0, 5.0)


def _accounting_problem() -> RealignmentProblem:
    return RealignmentProblem(
        trade_with_incumbent=100.0,
        gains_share=0.1,
        incumbent_gains_share=0.2,
        retaliation=[0.5, 1.0],
        retaliation_credibility=0.5,
        retaliation_annual_repudiation=0.5,
        replacement_capacity=[20.0, 30.0],
        components=[[2.0, 5.0]],
        component_names=("security",),
        switching_cost=[1.0, 3.0],
        courter_value=[10.0, 20.0],
        incumbent_value=[30.0, 40.0],
        payer_names=("eu", "by"),
        payer_side=[COURTER, INCUMBENT],
        payer_value=[[5.0, 10.0], [1.0, 2.0]],
        lever_names=("aid", "treaty", "pact", "loan"),
        lever_side=[COURTER, COURTER, COURTER, INCUMBENT],
        lever_payer=[PRINCIPAL, 0, PRINCIPAL, 1],
        lever_value=[VALUES],
        lever_cost=[COSTS],
        lever_capacity=[[0.0, 10.0, 0.0, 0.0]],
        lever_committed=[False, True, True, True],
        lever_annual_repudiation=[[0.0, 0.5, 0.0, 0.0]],
        lever_successor_repudiation=[[0.0, 0.0, 0.0, 1.0]],
        lever_form_probability=[[1.0, 1.0, 0.5, 1.0]],
        lever_fallback_annual_repudiation=[[0.0, 0.0, 1.0, 0.0]],
        horizon=2,
        discount_rate=0.25,
        pivot_annual_repudiation=0.5,
        incumbent_turnover=Turnover(annual_hazard=0.5),
    )


def test_accounts_by_hand_discounting_and_options():
    d = accounts(_accounting_problem())
    np.testing.assert_allclose(d.weights, [[0.8, 0.64]])
    np.testing.assert_allclose(d.annuity, [1.44])
    np.testing.assert_allclose(d.retaliation_pv, [0.28])
    np.testing.assert_allclose(d.lost, [[50.0, 100.0]])
    np.testing.assert_allclose(d.shortfall, [[30.0, 70.0]])
    np.testing.assert_allclose(d.U, [[0.0, 1.04, 2.24]])
    np.testing.assert_allclose(d.flow, [[0.0, 2 - 0.84 / 1.44, 5 - 1.96 / 1.44]])
    np.testing.assert_allclose(d.q_courter, [[0.0, 0.0]])
    np.testing.assert_allclose(d.q_incumbent, [[0.5, 0.5]])
    np.testing.assert_allclose(d.q_pivot, [[0.0, 0.0]])


def test_accounts_by_hand_parts_add_up_to_minus_the_option_values():
    d = accounts(_accounting_problem())
    np.testing.assert_allclose(d.parts["retaliation"], [[1.4, 2.8]])
    np.testing.assert_allclose(d.parts["replacement"], [[-0.56, -0.84]])
    np.testing.assert_allclose(d.parts["switching_cost"], [[1.0, 3.0]])
    np.testing.assert_allclose(d.parts["security"], [[-2.88, -7.2]])
    total = sum(d.parts.values())
    np.testing.assert_allclose(total, -d.U[:, 1:])


def test_accounts_by_hand_levers():
    d = accounts(_accounting_problem())
    dur = np.array([1.44, 0.56, 0.72, 0.56])
    np.testing.assert_allclose(d.lever_durability, [dur])
    np.testing.assert_allclose(d.lever_pv, [np.multiply(VALUES, dur)])  # 4.32 5.6 2.88 3.36
    np.testing.assert_allclose(d.lever_cost_pv, [np.multiply(COSTS, dur)])  # 2.88 2.24 .72 2.8
    np.testing.assert_allclose(d.lever_face, [np.multiply(VALUES, 1.44)])
    np.testing.assert_allclose(d.trade_weight, [[0.028, 0.012, 0.014, 0.012]])


def test_accounts_by_hand_payers_and_stakes():
    d = accounts(_accounting_problem())
    np.testing.assert_allclose(d.pivot_pv, [0.56])
    np.testing.assert_allclose(d.retaliation_cost, [[2.8, 5.6]])
    # payer axis: 0 the principal (C or I), 1 "eu" (courter side), 2 "by" (incumbent side)
    np.testing.assert_allclose(d.payer_wtp[0], [[5.6, 11.2], [2.8, 5.6], [0.0, 0.0]])
    np.testing.assert_allclose(d.payer_stake[0], [[19.6, 28.0], [0.0, 0.0], [0.56, 1.12]])
    np.testing.assert_allclose(d.wtp, [[8.4, 16.8]])
    np.testing.assert_allclose(d.loss, [[20.16, 29.12]])


def test_the_incumbents_stake_reads_its_own_valuation_not_the_courters():
    # the planted bug of issue 12 ("the incumbent's budget computed from the courter's
    # valuation"): move only the courter's valuation and the stake must not move
    pb = _accounting_problem()
    d0 = accounts(pb)
    d1 = accounts(pb.with_changes(courter_value=[100.0, 200.0]))
    np.testing.assert_allclose(d1.loss, d0.loss)
    np.testing.assert_allclose(d1.wtp, [[56.0 + 2.8, 112.0 + 5.6]])  # 100*0.56 + eu


# ---------------------------------------------------------------------------------------------
# the game: one year, no discounting, so every PV equals the yearly number
# ---------------------------------------------------------------------------------------------
#
# Horizon 1 at 0%: A = D = 1. No trade, no retaliation.
# U = (0, -2, -5): hedging costs P 2, aligning 5 (a component "security").
# I: lever "aid_i" worth 1 to P per unit at cost 1, extent up to 10 (limit 10).
#   Stakes (3, 4): its maximum bid against hedge is 3 (stake binds), against courter 4.
# need_hedge   = max(B_I = 3, U_courter = -5) - U_hedge   = 3 + 2 = 5
# need_courter = max(B_I = 4, U_hedge  = -2) - U_courter = 4 + 5 = 9
# C: lever "aid_c" worth 2 per unit at cost 1, extent up to 3: at most 6 to P.
#   price_hedge = 5 / 2 = 2.5 (extent 2.5); the courter target needs 9 > 6: infeasible.
# C's values (4, 10): no offer leaves P at stay (its best option -2 < 0), payoff 0;
#   the hedge package pays 4 - 2.5 = 1.5 > 0: C offers it, P hedges.
# Accounting identity of the hedge price: security 2 + incumbent counter 3 = 5 = need, all
#   scaled by price / need = 0.5 into C's cost: (1.0, 1.5).


def _game(**changes: object) -> RealignmentProblem:
    base: dict[str, object] = dict(
        components=[[-2.0, -5.0]],
        component_names=("security",),
        courter_value=[4.0, 10.0],
        incumbent_value=[3.0, 4.0],
        lever_names=("aid_c", "aid_i"),
        lever_side=[COURTER, INCUMBENT],
        lever_value=[[2.0, 1.0]],
        lever_cost=[[1.0, 1.0]],
        lever_max=[[3.0, 10.0]],
        horizon=1,
        discount_rate=0.0,
    )
    base.update(changes)
    return RealignmentProblem(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["fast", "highs"])
def test_game_by_hand_the_courter_buys_a_hedge(method):
    sol = solve(_game(), method=method)
    np.testing.assert_allclose(sol.option_values, [[0.0, -2.0, -5.0]])
    np.testing.assert_allclose(sol.incumbent_max_bid, [[3.0, 4.0]])
    np.testing.assert_allclose(sol.incumbent_lever_limit, [[10.0, 10.0]])
    np.testing.assert_array_equal(sol.incumbent_binds, [[2, 2]])  # its stake binds
    np.testing.assert_allclose(sol.need, [[5.0, 9.0]])
    np.testing.assert_allclose(sol.max_offer_value, [[6.0, 6.0]])
    np.testing.assert_array_equal(sol.feasible, [[True, False]])
    np.testing.assert_allclose(sol.price, [[2.5, np.inf]])
    np.testing.assert_allclose(sol.packages[0, 0], [2.5])
    np.testing.assert_allclose(sol.price_value[0, 0], 5.0)
    np.testing.assert_allclose(sol.willingness_to_pay, [[4.0, 10.0]])
    np.testing.assert_allclose(sol.margin[0, 0], 1.5)
    np.testing.assert_array_equal(sol.courter_binds, [[0, 1]])  # courter: its levers stop it
    assert sol.offer_target[0] == 1 and sol.outcome[0] == 1
    np.testing.assert_allclose(sol.package, [[2.5]])
    np.testing.assert_allclose(sol.counter, [[0.0]])
    np.testing.assert_allclose(sol.courter_payoff, [1.5])
    i = {c: n for n, c in enumerate(sol.causes)}
    dv = sol.decomposition_value[0, 0]
    assert dv[i["security"]] == pytest.approx(2.0)
    assert dv[i["incumbent_counter"]] == pytest.approx(3.0)
    assert dv[i["outside_option"]] == pytest.approx(0.0)
    assert dv.sum() == pytest.approx(5.0)
    dc = sol.decomposition[0, 0]
    assert dc[i["security"]] == pytest.approx(1.0)
    assert dc[i["incumbent_counter"]] == pytest.approx(1.5)
    assert dc.sum() == pytest.approx(2.5)
    np.testing.assert_allclose(sol.decomposition[0, 1], 0.0)  # infeasible target: nothing


# A second case: hedging is worth +1 to P and the incumbent's stakes are 10.
# Its bid against hedge is min(levers 10, stake 10) = 10: the levers bind (1).
# need_hedge = max(10, -5) - 1 = 9 > 6: no package flips P; need_courter = max(10, 1) + 5 = 15.
# With no offer P would hedge (1 > 0), I keeps it with the cheapest counter worth 1: extent 1
# of "aid_i" (cost 1 <= stake 10). Outcome: stay, C's payoff 0.


@pytest.mark.parametrize("method", ["fast", "highs"])
def test_game_by_hand_the_incumbent_counters(method):
    pb = _game(components=[[1.0, -5.0]], incumbent_value=[10.0, 10.0])
    sol = solve(pb, method=method)
    np.testing.assert_allclose(sol.incumbent_max_bid, [[10.0, 10.0]])
    np.testing.assert_array_equal(sol.incumbent_binds, [[1, 1]])
    np.testing.assert_allclose(sol.need, [[9.0, 15.0]])
    np.testing.assert_array_equal(sol.feasible, [[False, False]])
    assert sol.offer_target[0] == 0 and sol.outcome[0] == 0
    np.testing.assert_allclose(sol.counter, [[1.0]])
    np.testing.assert_allclose(sol.courter_payoff, [0.0])
    # the identity of an infeasible target splits need: -U_hedge = -1, the counter 10
    i = {c: n for n, c in enumerate(sol.causes)}
    dv = sol.decomposition_value[0, 0]
    assert dv[i["security"]] == pytest.approx(-1.0)
    assert dv[i["incumbent_counter"]] == pytest.approx(10.0)
    assert dv.sum() == pytest.approx(9.0)


# ---------------------------------------------------------------------------------------------
# per-draw outcomes and the JSON summary of a game worked by hand
# ---------------------------------------------------------------------------------------------
#
# The first game with "aid_c" up to extent 4 (worth 8 to P) and a second courter lever "bases"
# paid by the ally "eu" (worth 1 per unit at cost 1, extent up to 2); "eu" values a full
# realignment at 3 a year and a hedge at 0. (Up to 10 reaches need 9: a package worth exactly
# need would leave P indifferent, and P keeps the status quo when indifferent.)
# hedge:   need 5 -> 2.5 of aid_c, cost 2.5 (all the courter's); wtp 4 + 0 = 4; payoff 1.5.
# courter: need 9 -> all of aid_c (8) and 1 of bases (1): cost 4 (courter) + 1 (eu) = 5;
#          budgets: courter 10 >= 4, eu 3 >= 1: affordable; wtp 10 + 3 = 13; payoff 13 - 5 = 8.
# C offers the courter package, P aligns with C in year 1; the horizon is one year, so the
# realignment lasts 1 year.


def _two_payer_game(batch: int = 1) -> RealignmentProblem:
    return _game(
        trade_with_incumbent=np.zeros(batch),
        lever_names=("aid_c", "bases", "aid_i"),
        lever_side=[COURTER, COURTER, INCUMBENT],
        lever_payer=[PRINCIPAL, 0, PRINCIPAL],
        lever_value=[[2.0, 1.0, 1.0]],
        lever_cost=[[1.0, 1.0, 1.0]],
        lever_max=[[4.0, 2.0, 10.0]],
        payer_names=("eu",),
        payer_side=[COURTER],
        payer_value=[[0.0, 3.0]],
    )


def test_evaluate_batch_by_hand():
    from realpolitik.models.realignment import evaluate_batch

    out = evaluate_batch(_two_payer_game(), rng=0)
    expected = {
        "courter_wins": 1.0,
        "hedges": 0.0,
        "stays": 0.0,
        "outcome": 2.0,
        "offer_target": 2.0,
        "price": 5.0,
        "price_value": 9.0,
        "price_hedge": 2.5,
        "willingness_to_pay": 13.0,
        "incumbent_max_bid": 4.0,
        "margin": 8.0,
        "margin_hedge": 1.5,
        "need": 9.0,
        "courter_payoff": 8.0,
        "realignment_duration": 1.0,
        "realigns": 1.0,
        "price_reachable": 1.0,
        "retention_bid": 4.0,
        "incumbent_stake": 4.0,
        "retaliation_cost": 0.0,
        "affordable": 1.0,
        "courter_binds": 0.0,
        "incumbent_binds": 2.0,
        "price_eu": 1.0,
        "p_courter_year_1": 1.0,
        "p_hedge_year_1": 0.0,
    }
    assert set(out) == set(expected)  # years 5 and 10 lie beyond the one-year horizon
    for key, value in expected.items():
        np.testing.assert_allclose(out[key], [value], err_msg=key)
    # the same numbers from the reference solver
    highs = evaluate_batch(_two_payer_game(), rng=0, method="highs")
    for key, value in expected.items():
        np.testing.assert_allclose(highs[key], [value], err_msg=key)


def test_result_dict_by_hand():
    from realpolitik.models.realignment import result_dict, simulate

    pb = _two_payer_game(batch=2)
    sol = solve(pb)
    out = result_dict(pb, sol, simulate(pb, 0, solution=sol))
    assert out["outcome"] == "courter" and out["offer_target"] == "courter"
    assert out["price"] == pytest.approx(5.0)
    assert out["price_value"] == pytest.approx(9.0)
    assert out["price_trade_value"] == pytest.approx(0.0)
    assert out["courter_willingness_to_pay"] == pytest.approx(13.0)
    assert out["incumbent_max_bid"] == pytest.approx(4.0)
    assert out["margin"] == pytest.approx(8.0)
    assert out["feasible"] is True and out["affordable"] is True
    # the identity of the courter target: security 5 + counter 4 = need 9, price / need = 5/9
    assert out["decomposition_value"]["security"] == pytest.approx(5.0)
    assert out["decomposition_value"]["incumbent_counter"] == pytest.approx(4.0)
    assert out["decomposition"]["security"] == pytest.approx(25 / 9)
    assert out["decomposition"]["incumbent_counter"] == pytest.approx(20 / 9)
    assert out["options"] == pytest.approx({"stay": 0.0, "hedge": -2.0, "courter": -5.0})
    assert out["package"] == pytest.approx({"aid_c": 4.0, "bases": 1.0})
    assert out["counter"] == pytest.approx({"aid_i": 0.0})
    assert out["courter_binds"] == "none" and out["incumbent_binds"] == "stake"
    assert out["incumbent_stake"] == pytest.approx(4.0)
    assert out["incumbent_lever_limit"] == pytest.approx(10.0)
    assert out["retaliation_cost"] == pytest.approx(0.0)
    assert out["method"] == "fast"
    assert out["payers"]["courter"] == pytest.approx(
        {
            "willingness_to_pay": 10.0,
            "price": 4.0,
            "willingness_to_pay_hedge": 4.0,
            "price_hedge": 2.5,
        }
    )
    assert out["payers"]["eu"] == pytest.approx(
        {
            "willingness_to_pay": 3.0,
            "price": 1.0,
            "willingness_to_pay_hedge": 0.0,
            "price_hedge": 0.0,
        }
    )
    h = out["hedge"]
    assert h["price"] == pytest.approx(2.5) and h["price_value"] == pytest.approx(5.0)
    assert h["price_trade_value"] == pytest.approx(0.0)
    assert h["courter_willingness_to_pay"] == pytest.approx(4.0)
    assert h["incumbent_max_bid"] == pytest.approx(3.0)
    assert h["margin"] == pytest.approx(1.5)
    assert h["feasible"] is True and h["affordable"] is True
    assert h["decomposition"]["security"] == pytest.approx(1.0)
    assert h["package"] == pytest.approx({"aid_c": 2.5, "bases": 0.0})
    assert h["courter_binds"] == "none" and h["incumbent_binds"] == "stake"
    assert h["incumbent_stake"] == pytest.approx(3.0)
    # two identical draws: both realign in year 1 and for its one year
    assert out["draws"] == 2
    assert out["p_realign"] == 1.0 and out["p_hedge"] == 0.0
    assert out["p_realign_by_year"] == [1.0] and out["p_hedge_by_year"] == [0.0]
    assert out["draws_by_year"] == [2]
    assert out["expected_duration"] == pytest.approx(1.0)


def test_result_dict_of_an_unreachable_target_says_none():
    # the first game: the courter target is out of the levers' reach (need 9 > 6)
    from realpolitik.models.realignment import result_dict

    out = result_dict(_game())
    assert out["price"] is None and out["price_value"] is None and out["margin"] is None
    assert out["price_trade_value"] is None
    assert out["feasible"] is False and out["courter_binds"] == "levers"
    assert out["payers"]["courter"]["price"] is None
    assert out["payers"]["courter"]["price_hedge"] == pytest.approx(2.5)
    assert out["outcome"] == "hedge" and out["offer_target"] == "hedge"
    assert out["hedge"]["courter_binds"] == "none" and out["hedge"]["feasible"] is True
    assert "draws" not in out and "p_realign_by_year" not in out
    # the second game: no target is reachable, so the hedge's numbers are None as well
    h = result_dict(_game(components=[[1.0, -5.0]], incumbent_value=[10.0, 10.0]))["hedge"]
    assert h["price"] is None and h["price_value"] is None and h["price_trade_value"] is None
    assert h["courter_binds"] == "levers" and h["incumbent_binds"] == "levers"


def test_threat_reach_lists_only_the_levers_that_relieve_the_threat():
    from types import SimpleNamespace as NS

    from realpolitik.models.realignment.claims import threat_reach

    threat = NS(from_relation=None, by="china", courter_gain=None, incumbent_loss={"hedge": 1})
    realignment = NS(pivot="russia", threats={"border": threat})
    levers = [NS(id="troops", relieves={"border": 0.5}), NS(id="loans", relieves={})]
    assert threat_reach(realignment, levers) == {
        "border": [
            "realignment.components.border (derived)",
            "levers.troops.value (+ relieved share)",
            "realignment.incumbent_value (+ incumbent_loss share)",
        ]
    }


# A courter alone: the incumbent has no levers, so its bid is 0 whatever its stake.
# need_hedge = max(0, U_courter = -5) - U_hedge = 0 + 2 = 2 -> 1 unit of aid_c, price 1;
# need_courter = max(0, U_hedge = -2) + 5 = 5 -> 2.5 units (worth 5 < 6 at most), price 2.5.
# C's payoffs: hedge 4 - 1 = 3, courter 10 - 2.5 = 7.5: it buys the full realignment.


@pytest.mark.parametrize("method", ["fast", "highs"])
def test_game_by_hand_an_incumbent_without_levers_bids_nothing(method):
    pb = _game(
        lever_names=("aid_c",),
        lever_side=[COURTER],
        lever_value=[[2.0]],
        lever_cost=[[1.0]],
        lever_max=[[3.0]],
    )
    sol = solve(pb, method=method)
    np.testing.assert_allclose(sol.incumbent_max_bid, [[0.0, 0.0]])
    np.testing.assert_allclose(sol.need, [[2.0, 5.0]])
    np.testing.assert_allclose(sol.price, [[1.0, 2.5]])
    assert sol.outcome[0] == 2
    np.testing.assert_allclose(sol.courter_payoff, [7.5])


def test_the_discrete_games_first_move_is_no_offer():
    from realpolitik.models.realignment import solve_discrete

    pb = _game(lever_binary=True, lever_min=[[3.0, 10.0]])
    dg = solve_discrete(pb)
    assert dg.actions[0] == (0, 0)
    assert all(t in (1, 2) and x >= 1 for t, x in dg.actions[1:])


# ---------------------------------------------------------------------------------------------
# re-bidding: the game seen from a later year
# ---------------------------------------------------------------------------------------------
#
# After ``years_gone = 2`` simulated years a re-bid game starts in year 3, whose changes of
# government have just happened; its promises first face year 4, so every election schedule
# moves up by 3 (new year t = old year t + 3):
#   pivot:     elections every 4 years from year 3 (3, 7, 11): the next after year 3 is 7 -> 4
#   incumbent: every 5 from year 2 (2, 7, 12): 7 -> 4
#   courter:   every 3 from year 4 (4, 7, 10): 4 -> 1
# and the game runs over the 10 - 2 = 8 years left.


def test_rebid_problem_moves_each_election_schedule_by_hand():
    from realpolitik.models.realignment.simulate import rebid_problem

    pb = _game(
        horizon=10,
        pivot_turnover=Turnover(0.0, elections_every=4, next_election=3, change_probability=1.0),
        incumbent_turnover=Turnover(0.0, elections_every=5, next_election=2),
        courter_turnover=Turnover(0.1, elections_every=3, next_election=4),
    )
    sub = rebid_problem(
        pb,
        draw=np.array([0]),
        years_gone=2,
        standing=np.zeros((1, 3)),
        option=np.array([0]),
        successor=np.array([False]),
        busy=np.zeros((1, 2), bool),
    )
    np.testing.assert_array_equal(sub.horizon, [8])
    np.testing.assert_array_equal(sub.pivot_turnover.next_election, [4])
    np.testing.assert_array_equal(sub.incumbent_turnover.next_election, [4])
    np.testing.assert_array_equal(sub.courter_turnover.next_election, [1])
    np.testing.assert_array_equal(sub.courter_turnover.elections_every, [3])
    np.testing.assert_allclose(sub.courter_turnover.annual_hazard, [0.1])
    np.testing.assert_allclose(sub.pivot_turnover.change_probability, [1.0])


# ---------------------------------------------------------------------------------------------
# one claim, one number: threats
# ---------------------------------------------------------------------------------------------
#
# "border" (level 10): relief (0.2, 0.5), courter gain (0.1, 0.3), incumbent loss (0, 0.4);
# "nukes" (level 20): relief (0, 0), courter gain (0.05, 0.1), incumbent loss (0.1, 0.2).
# Lever "troops" relieves 0.5 of border and 0.25 of nukes; "loans" relieves nothing.
#   components: border (2, 5), nukes (0, 0)
#   lever value added: troops 10*0.5 + 20*0.25 = 10, loans 0
#   courter value added: (10*0.1 + 20*0.05, 10*0.3 + 20*0.1) = (2, 5)
#   incumbent value added: (10*0 + 20*0.1, 10*0.4 + 20*0.2) = (2, 8)


def _threats():
    from types import SimpleNamespace as NS

    numbers = {
        "border": (10.0, (0.2, 0.5), (0.1, 0.3), (0.0, 0.4)),
        "nukes": (20.0, (0.0, 0.0), (0.05, 0.1), (0.1, 0.2)),
    }
    table: dict[str, np.ndarray] = {}
    threats = {}
    for tid, (level, relief, gain, loss) in numbers.items():
        base = f"realignment.threats.{tid}"
        table[f"{base}.level"] = np.array([level])
        for j, o in enumerate(("hedge", "courter")):
            table[f"{base}.relief.{o}"] = np.array([relief[j]])
            table[f"{base}.courter_gain.{o}"] = np.array([gain[j]])
            table[f"{base}.incumbent_loss.{o}"] = np.array([loss[j]])
        threats[tid] = NS(from_relation=None, by="china", courter_gain={}, incumbent_loss={})
    table["levers.troops.relieves.border"] = np.array([0.5])
    table["levers.troops.relieves.nukes"] = np.array([0.25])
    levers = [NS(id="troops", relieves={"border": 0.5, "nukes": 0.25}), NS(id="loans", relieves={})]
    return NS(pivot="russia", threats=threats), levers, table.__getitem__


def test_threat_terms_by_hand_add_every_threats_share():
    from realpolitik.models.realignment.claims import threat_terms

    realignment, levers, get = _threats()
    t = threat_terms(realignment, levers, get, 1)
    assert t.names == ("border", "nukes")
    np.testing.assert_allclose(t.components, [[[2.0, 5.0], [0.0, 0.0]]])
    np.testing.assert_allclose(t.lever_value, [[10.0, 0.0]])
    np.testing.assert_allclose(t.courter_value, [[2.0, 5.0]])
    np.testing.assert_allclose(t.incumbent_value, [[2.0, 8.0]])


def test_a_threat_level_read_from_a_relation_score_by_hand():
    # a score of -0.5 at 40 per unit of hostility costs 20 a year; a friendly +0.3 costs 0
    from types import SimpleNamespace as NS

    from realpolitik.models.realignment.claims import relation_path, threat_level

    link = NS(component="threat")
    realignment = NS(pivot="russia", threats={"border": NS(from_relation=link, by="china")})
    relations = [
        NS(between=("russia", "usa"), key="r-u"),
        NS(between=("china", "russia"), key="c-r"),
    ]
    assert relation_path(realignment, "border", relations) == "relations.c-r.components.threat"
    for score, level in ((-0.5, 20.0), (0.3, 0.0)):
        table = {
            "relations.c-r.components.threat": np.array([score]),
            "realignment.threats.border.from_relation.cost_per_unit": np.array([40.0]),
        }
        got = threat_level(realignment, "border", relations, table.__getitem__)
        np.testing.assert_allclose(got, [level])


# ---------------------------------------------------------------------------------------------
# the fast path's exact LP, certified, on a batch worked by hand
# ---------------------------------------------------------------------------------------------
#
# Lever A: worth 1 per unit at cost 1, no capacity. Lever B: worth 0.2 per unit at cost 1 and
# 2 units of capacity, each unit of filled trade worth 1. Need 4.
# Neither relaxation fits, so the rows go to the Lagrangian LP: with every unit of capacity
# valued, B alone is worth 2.2 per unit and 4 / 2.2 units carry 3.6 units of capacity, more
# than the shortfall; with the shortfall filled for free, A alone is bought and carries none.
# Row 1, shortfall 3: B fills it at 1.5 units (worth 0.3 + 3 = 3.3), A the remaining 0.7:
#   cost 2.2 (B = 1 costs 1 + 1.8 = 2.8, B = 2 costs 2 + 0.6 = 2.6: both dearer).
# Row 2, shortfall 1: B = 0.5 (worth 0.1 + 1 = 1.1), A = 2.9: cost 3.4.


def test_fast_min_cost_lp_rows_by_hand_and_certified():
    from realpolitik.models.realignment.solvers import fast_min_cost

    two = np.ones((2, 1))
    cost, ext, cert = fast_min_cost(
        p=two * [1.0, 0.2],
        k=two * [1.0, 1.0],
        lo=two * [0.0, 0.0],
        hi=two * [10.0, 5.0],
        binary=np.array([False, False]),
        a=two * [0.0, 2.0],
        w=two * [0.0, 1.0],
        sf=np.array([3.0, 1.0]),
        need=np.array([4.0, 4.0]),
    )
    np.testing.assert_allclose(cost, [2.2, 3.4])
    np.testing.assert_allclose(ext, [[0.7, 1.5], [2.9, 0.5]], atol=1e-12)
    assert cert.tolist() == [True, True]


# ---------------------------------------------------------------------------------------------
# commitment: what a caller sees
# ---------------------------------------------------------------------------------------------


def test_election_years_is_a_boolean_mask_even_without_elections():
    from realpolitik.models.commitment import election_years

    none = election_years(3, 0, 1)
    assert none.dtype == bool and none.tolist() == [False, False, False]
    every_two = election_years(5, 2, 2)  # years 2 and 4
    assert every_two.dtype == bool and every_two.tolist() == [False, True, False, True, False]
    # a batch that mixes an actor without elections (0) with one that holds them
    mixed = election_years(4, np.array([0, 2]), np.array([1, 1]))
    assert mixed.tolist() == [[False, False, False, False], [True, False, True, False]]


def test_a_bad_turnover_probability_names_its_field():
    from realpolitik.errors import ModelError
    from realpolitik.models.commitment import turnover_probability

    with pytest.raises(ModelError, match="change_probability must be probabilities"):
        turnover_probability(3, Turnover(change_probability=1.5))
    with pytest.raises(ModelError, match="annual_hazard must be probabilities"):
        turnover_probability(3, Turnover(annual_hazard=-0.5))


def test_a_discount_rate_that_cannot_discount_says_why():
    from realpolitik.errors import ModelError
    from realpolitik.models.commitment import discount_weights

    with pytest.raises(ModelError, match="discount_rate must be a finite number > -1"):
        discount_weights(3, -1.0)


def test_a_bad_repudiation_probability_names_its_field():
    from realpolitik.errors import ModelError
    from realpolitik.models.commitment import survival

    with pytest.raises(ModelError, match="^annual_repudiation must be probabilities"):
        survival(3, 1.5, 0.0)
    with pytest.raises(ModelError, match="^successor_repudiation must be probabilities"):
        survival(3, 0.0, -0.1)


# ---------------------------------------------------------------------------------------------
# the problem's own checks
# ---------------------------------------------------------------------------------------------


def test_a_problem_without_components_is_one_draw():
    pb = RealignmentProblem()
    assert pb.batch == 1 and pb.components.shape == (1, 0, 2)


def test_a_lever_whose_maximum_is_below_its_minimum_is_an_error():
    from realpolitik.errors import ModelError

    with pytest.raises(ModelError, match="lever extents need 0 <= min <= max"):
        _game(lever_min=[[2.0, 0.0]], lever_max=[[1.0, 10.0]])
