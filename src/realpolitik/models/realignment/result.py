"""Per-draw outcomes for experiments and the JSON-ready summary of a solved problem."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from realpolitik.models.realignment.game import BINDS, RealignmentSolution, solve
from realpolitik.models.realignment.problem import OPTIONS, RealignmentProblem
from realpolitik.models.realignment.simulate import SimulationResult, simulate

__all__ = ["evaluate_batch", "result_dict"]


def evaluate_batch(
    problem: RealignmentProblem,
    rng: Any = None,
    *,
    method: str = "auto",
    paths: int = 1,
    years: Sequence[int] = (1, 5, 10),
    solution: RealignmentSolution | None = None,
    simulated: bool = True,
) -> dict[str, NDArray[np.float64]]:
    """Per-draw scalar outcomes for experiments (every array has shape ``(B,)``).

    Keys: ``courter_wins``, ``hedges``, ``stays`` (0/1), ``outcome``, ``offer_target``,
    ``price`` (courter target, C's cost; inf if no package can flip P), ``price_value``,
    ``price_hedge``, ``willingness_to_pay``, ``incumbent_max_bid``, ``margin`` (courter target),
    ``margin_hedge``, ``need``, ``courter_payoff``, ``realignment_duration`` and, for each ``k``
    in ``years`` within the largest horizon, ``p_courter_year_k`` and ``p_hedge_year_k`` (the
    share of simulated paths with P in that option in year ``k``; 0/1 with ``paths=1``; NaN
    for a draw whose horizon ends before year ``k``).

    Also, under the contract's names: ``realigns`` (= ``courter_wins``), ``price_reachable``,
    ``retention_bid`` (= ``incumbent_max_bid``: the value to P of I's largest counter),
    ``incumbent_stake`` (I's side's budget, in its money), ``retaliation_cost`` (PV of the trade
    I gives up by retaliating against a full realignment), ``affordable`` (some package buys a
    full realignment with every payer no worse off), ``courter_binds`` and ``incumbent_binds``
    (0 none, 1 levers, 2 stake), and ``price_<payer>`` for each courter-side payer with its own
    valuation (the cheapest package's cost to it; inf if out of reach).

    ``solution``: a :func:`solve` result for ``problem`` already at hand (not solved again).
    ``simulated=False``: the year-1 game only, without the simulation (no
    ``realignment_duration`` and no ``p_*_year_k``; ``rng`` is not used); every other key is the
    same array as with it, since the game draws no random numbers.

    The simulation runs with ``until`` at the last year in ``years`` (see :func:`simulate`):
    the outputs are those of the full simulation with the same ``rng``.
    """
    sol = solve(problem, method=method) if solution is None else solution
    out = _game_outputs(sol)
    if not simulated:
        return out
    # only the years asked for and the run of a year-1 realignment are read: the paths are
    # simulated on all years up to the last one asked for, then only while in that run
    last = max((k for k in years if 1 <= k <= problem.years), default=1)
    sim = simulate(problem, rng, solution=sol, paths=paths, until=last)
    out["realignment_duration"] = sim.duration
    for k in years:
        if 1 <= k <= problem.years:
            out[f"p_courter_year_{k}"] = sim.aligned[:, k - 1, 2]
            out[f"p_hedge_year_{k}"] = sim.aligned[:, k - 1, 1]
    return out


def _game_outputs(sol: RealignmentSolution) -> dict[str, NDArray[np.float64]]:
    """The outputs of :func:`evaluate_batch` that the year-1 game gives (no simulation)."""
    out = {
        "courter_wins": (sol.outcome == 2).astype(float),
        "hedges": (sol.outcome == 1).astype(float),
        "stays": (sol.outcome == 0).astype(float),
        "outcome": sol.outcome.astype(float),
        "offer_target": sol.offer_target.astype(float),
        "price": sol.price[:, 1],
        "price_value": sol.price_value[:, 1],
        "price_hedge": sol.price[:, 0],
        "willingness_to_pay": sol.willingness_to_pay[:, 1],
        "incumbent_max_bid": sol.incumbent_max_bid[:, 1],
        "margin": sol.margin[:, 1],
        "margin_hedge": sol.margin[:, 0],
        "need": sol.need[:, 1],
        "courter_payoff": sol.courter_payoff,
        "realigns": (sol.outcome == 2).astype(float),
        "price_reachable": sol.feasible[:, 1].astype(float),
        "retention_bid": sol.incumbent_max_bid[:, 1],
        "incumbent_stake": sol.incumbent_loss[:, 1],
        "retaliation_cost": sol.retaliation_cost[:, 1],
        "affordable": sol.affordable[:, 1].astype(float),
        "courter_binds": sol.courter_binds[:, 1].astype(float),
        "incumbent_binds": sol.incumbent_binds[:, 1].astype(float),
    }
    for j, name in enumerate(sol.payers[1:], start=1):
        out[f"price_{name}"] = np.where(sol.feasible[:, 1], sol.price_by_payer[:, 1, j], np.inf)
    return out


def _num(x: Any) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _payers(sol: RealignmentSolution, i: int) -> dict[str, Any]:
    """Each courter-side payer's willingness to pay and share of the cheapest package (draw i)."""
    return {
        p: {
            "willingness_to_pay": float(sol.payer_wtp[i, j, 1]),
            "price": _num(sol.price_by_payer[i, 1, j]) if sol.feasible[i, 1] else None,
            "willingness_to_pay_hedge": float(sol.payer_wtp[i, j, 0]),
            "price_hedge": _num(sol.price_by_payer[i, 0, j]) if sol.feasible[i, 0] else None,
        }
        for j, p in enumerate(sol.payers)
    }


def result_dict(
    problem: RealignmentProblem,
    solution: RealignmentSolution | None = None,
    simulation: SimulationResult | None = None,
    index: int = 0,
) -> dict[str, Any]:
    """A JSON-ready summary: draw ``index`` for the point fields, the batch for probabilities.

    Prices and margins refer to the courter target (full realignment); ``hedge`` repeats them
    for the hedge target. Infinite prices (no package can flip P) are ``None``.
    ``price_value`` is the cheapest package's value to P; ``price_trade_value`` the part of it
    that comes from the trade shortfall its capacity levers fill (the rest is the levers' direct
    value).
    """
    sol = solve(problem) if solution is None else solution
    i = index

    def deco(arr: np.ndarray, j: int) -> dict[str, float]:
        return {c: float(v) for c, v in zip(sol.causes, arr[i, j], strict=True)}

    out: dict[str, Any] = {
        "outcome": OPTIONS[int(sol.outcome[i])],
        "offer_target": (None, "hedge", "courter")[int(sol.offer_target[i])],
        "price": _num(sol.price[i, 1]),
        "price_value": _num(sol.price_value[i, 1]) if sol.feasible[i, 1] else None,
        "price_trade_value": (_num(sol.price_trade_value[i, 1]) if sol.feasible[i, 1] else None),
        "courter_willingness_to_pay": float(sol.willingness_to_pay[i, 1]),
        "incumbent_max_bid": float(sol.incumbent_max_bid[i, 1]),
        "margin": _num(sol.margin[i, 1]),
        "feasible": bool(sol.feasible[i, 1]),
        "decomposition": deco(sol.decomposition, 1),
        "decomposition_value": deco(sol.decomposition_value, 1),
        "options": {o: float(v) for o, v in zip(OPTIONS, sol.option_values[i], strict=True)},
        "package": {
            n: float(v) for n, v in zip(sol.courter_levers, sol.packages[i, 1], strict=True)
        },
        "counter": {n: float(v) for n, v in zip(sol.incumbent_levers, sol.counter[i], strict=True)},
        "hedge": {
            "price": _num(sol.price[i, 0]),
            "price_value": _num(sol.price_value[i, 0]) if sol.feasible[i, 0] else None,
            "price_trade_value": (
                _num(sol.price_trade_value[i, 0]) if sol.feasible[i, 0] else None
            ),
            "courter_willingness_to_pay": float(sol.willingness_to_pay[i, 0]),
            "incumbent_max_bid": float(sol.incumbent_max_bid[i, 0]),
            "margin": _num(sol.margin[i, 0]),
            "feasible": bool(sol.feasible[i, 0]),
            "decomposition": deco(sol.decomposition, 0),
            "package": {
                n: float(v) for n, v in zip(sol.courter_levers, sol.packages[i, 0], strict=True)
            },
        },
        "method": sol.method,
        "affordable": bool(sol.affordable[i, 1]),
        "courter_binds": BINDS[int(sol.courter_binds[i, 1])],
        "incumbent_binds": BINDS[int(sol.incumbent_binds[i, 1])],
        "incumbent_stake": float(sol.incumbent_loss[i, 1]),
        "incumbent_lever_limit": float(sol.incumbent_lever_limit[i, 1]),
        "retaliation_cost": float(sol.retaliation_cost[i, 1]),
        "payers": _payers(sol, i),
    }
    out["hedge"].update(
        {
            "affordable": bool(sol.affordable[i, 0]),
            "courter_binds": BINDS[int(sol.courter_binds[i, 0])],
            "incumbent_binds": BINDS[int(sol.incumbent_binds[i, 0])],
            "incumbent_stake": float(sol.incumbent_loss[i, 0]),
        }
    )
    if problem.batch > 1:
        out["draws"] = int(problem.batch)
        out["p_realign"] = float(np.mean(sol.outcome == 2))
        out["p_hedge"] = float(np.mean(sol.outcome == 1))
    if simulation is not None:
        covered = simulation.covered > 0
        out["p_realign_by_year"] = [float(v) for v in simulation.p_aligned[covered, 2]]
        out["p_hedge_by_year"] = [float(v) for v in simulation.p_aligned[covered, 1]]
        out["draws_by_year"] = [int(v) for v in simulation.covered[covered]]
        out["expected_duration"] = _num(simulation.expected_duration)
    return out
