"""Cross-check of our backward induction with pygambit on the discrete bidding game."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.models.realignment import RealignmentProblem, solve, solve_gambit

pytest.importorskip("pygambit")


def binary_problem(seed: int) -> RealignmentProblem:
    rng = np.random.default_rng(seed)
    u = rng.uniform
    return RealignmentProblem(
        trade_with_incumbent=u(50, 200),
        gains_share=u(0.05, 0.3),
        retaliation=u(0, 1, 2),
        replacement_capacity=u(0, 80, 2),
        components=u(-15, 15, (2, 2)),
        component_names=("security", "domestic"),
        switching_cost=u(0, 60, 2),
        courter_value=u(0, 60, 2),
        incumbent_value=u(0, 40, 2),
        lever_names=("sphere", "binding", "aid", "discount", "arms"),
        lever_side=[0, 0, 0, 1, 1],
        lever_value=u(0, 30, 5),
        lever_cost=u(0.1, 30, 5),
        lever_binary=True,
        lever_min=1.0,  # indivisible: on means extent 1 (the maximum)
        lever_capacity=[0, u(10, 60), 0, 0, 0],
        lever_committed=[True, True, False, True, False],
        lever_annual_repudiation=u(0, 0.2, 5),
        lever_successor_repudiation=u(0, 1, 5),
        horizon=int(rng.integers(3, 15)),
        discount_rate=u(0, 0.1),
    )


@pytest.mark.parametrize("seed", range(8))
def test_backward_induction_is_subgame_perfect_and_matches_gambit(seed):
    pb = binary_problem(seed)
    res = solve_gambit(pb)
    assert res["converged"]
    # our profile: no profitable deviation at any information set, on or off the path
    assert res["max_regret"] < 1e-5
    # gambit's logit limit gives the first mover the same equilibrium payoff
    assert res["payoffs"]["C"] == pytest.approx(res["ours"]["courter_payoff"], rel=1e-4, abs=1e-3)
    # and the continuous solver (on/off levers enumerated) agrees with the discrete game
    s = solve(pb)
    assert s.courter_payoff[0] == pytest.approx(res["ours"]["courter_payoff"], abs=1e-9)
    assert (
        res["outcome_probabilities"][res["ours"]["outcome"]] > 0.99
        or res["ours"]["action"] == "none"
    )


@pytest.mark.parametrize("block", [(False, True), (True, False)])
@pytest.mark.parametrize("seed", range(4))
def test_closed_options_in_the_discrete_game_match_gambit(seed, block):
    # an option closed by a demand on the pivot's regime: P has no such move in gambit's tree
    pb = binary_problem(seed).with_changes(regime_blocks=list(block))
    res = solve_gambit(pb)
    # our profile is subgame perfect in gambit's tree (no gain from deviating anywhere); the
    # logit path's end point is not compared: with an option closed, many of C's moves are
    # payoff-identical and gambit stops the path short of its limit (seed 0: C 264 against 334)
    assert res["max_regret"] < 1e-5
    s = solve(pb)
    assert s.courter_payoff[0] == pytest.approx(res["ours"]["courter_payoff"], abs=1e-9)
    closed = 1 + block.index(True)
    assert int(s.outcome[0]) != closed
    assert res["outcome_probabilities"][("stay", "hedge", "courter")[closed]] == 0.0
