"""The discrete bidding game: exhaustive backward induction and the pygambit cross-check.

Every lever takes a few extents (off and on, or ``levels``); C, I and P move in turn and the
game is solved exhaustively. It restricts the continuous game of
:mod:`realpolitik.models.realignment.game` and shares its accounting.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models.realignment.accounting import accounts
from realpolitik.models.realignment.game import closed_options
from realpolitik.models.realignment.problem import (
    COURTER,
    INCUMBENT,
    OPTIONS,
    RealignmentProblem,
)
from realpolitik.models.realignment.solvers import package_value_arrays

__all__ = ["DiscreteGame", "solve_discrete", "build_gambit_game", "solve_gambit"]


def _levels(
    pb: RealignmentProblem, idx: np.ndarray, levels: Sequence[float] | None
) -> list[np.ndarray]:
    """Allowed extents of each lever in the discrete game, per draw: (B, n_levels) arrays."""
    out = []
    for i in idx:
        hi, lo = pb.lever_max[:, i], pb.lever_min[:, i]
        if pb.lever_binary[i] or levels is None:
            out.append(np.stack([np.zeros_like(hi), hi], axis=1))
        else:
            fr = np.asarray(levels, dtype=float)
            ext = lo[:, None] + fr[None, :] * (hi - lo)[:, None]
            out.append(np.concatenate([np.zeros((pb.batch, 1)), ext], axis=1))
    return out


def _enumerate(
    pb: RealignmentProblem, idx: np.ndarray, levels: Sequence[float] | None
) -> np.ndarray:
    lv = _levels(pb, idx, levels)
    if not lv:
        return np.zeros((pb.batch, 1, 0))
    combos = list(itertools.product(*[range(a.shape[1]) for a in lv]))
    X = np.zeros((pb.batch, len(combos), len(lv)))
    for c, combo in enumerate(combos):
        for j, k in enumerate(combo):
            X[:, c, j] = lv[j][:, k]
    return X


@dataclass(frozen=True)
class DiscreteGame:
    """The discrete bidding game of every draw, with its backward-induction solution.

    ``actions`` lists C's moves as ``(target, package index)`` (target 0: no offer); payoff
    arrays are indexed ``[draw, C action, I counter, P option]``.
    """

    actions: tuple[tuple[int, int], ...]
    packages: np.ndarray  # (B, nX, Lc)
    counters: np.ndarray  # (B, nY, Li)
    payoff_c: np.ndarray  # (B, nA, nY, 3)
    payoff_i: np.ndarray
    payoff_p: np.ndarray
    p_choice: np.ndarray  # (B, nA, nY) P's best option
    i_choice: np.ndarray  # (B, nA) I's best counter
    c_choice: np.ndarray  # (B,) C's best action
    outcome: np.ndarray  # (B,)
    courter_payoff: np.ndarray  # (B,)


def solve_discrete(
    problem: RealignmentProblem, levels: Sequence[float] | None = None
) -> DiscreteGame:
    """Backward induction on the discrete game (every lever on/off, or ``levels``: fractions of
    its ``[min, max]`` range, plus 0). Exhaustive and vectorised over draws.

    Ties: P prefers stay, then hedge, then courter; I and C prefer the earliest move (no counter,
    no offer). P's payoff for a closed option is ``-inf``: it never takes it.
    """
    pb = problem
    d = accounts(pb)
    ci, ii = pb.side(COURTER), pb.side(INCUMBENT)
    X = _enumerate(pb, ci, levels)
    Y = _enumerate(pb, ii, levels)
    B, nX, nY = pb.batch, X.shape[1], Y.shape[1]
    pc, kc, ac = d.lever_pv[:, ci], d.lever_cost_pv[:, ci], pb.lever_capacity[:, ci]
    wc = d.trade_weight[:, ci]
    W = np.zeros((B, nX, 2))
    for j in range(2):
        for x in range(nX):
            W[:, x, j] = package_value_arrays(X[:, x], pc, ac, wc, d.shortfall[:, j])
    CX = np.einsum("bxl,bl->bx", X, kc)
    WI = np.einsum("byl,bl->by", Y, d.lever_pv[:, ii])
    CY = np.einsum("byl,bl->by", Y, d.lever_cost_pv[:, ii])
    actions = [(0, 0)] + [(t, x) for t in (1, 2) for x in range(1, nX)]
    nA = len(actions)
    PP = np.zeros((B, nA, nY, 3))
    PC = np.zeros((B, nA, nY, 3))
    PI = np.zeros((B, nA, nY, 3))
    wtp = np.concatenate([np.zeros((B, 1)), d.wtp], axis=1)
    loss = np.concatenate([np.zeros((B, 1)), d.loss], axis=1)
    for a, (t, x) in enumerate(actions):
        PP[:, a, :, 0] = WI
        PP[:, a, :, 1:] = d.U[:, None, 1:]
        PC[:, a, :, :] = wtp[:, None, :]
        PI[:, a, :, :] = -loss[:, None, :]
        PI[:, a, :, 0] -= CY
        if t:
            PP[:, a, :, t] += W[:, x, t - 1][:, None]
            PC[:, a, :, t] -= CX[:, x][:, None]
    # a closed option (no courter, or a demand on P's regime) is never P's choice
    PP[:, :, :, 1:] = np.where(closed_options(pb)[:, None, None, :], -np.inf, PP[:, :, :, 1:])
    pch = np.argmax(PP, axis=3)
    gi = np.take_along_axis(PI, pch[..., None], axis=3)[..., 0]
    ich = np.argmax(gi, axis=2)
    gc = np.take_along_axis(PC, pch[..., None], axis=3)[..., 0]
    gc = np.take_along_axis(gc, ich[..., None], axis=2)[..., 0]
    cch = np.argmax(gc, axis=1)
    rows = np.arange(B)
    outcome = pch[rows, cch, ich[rows, cch]]
    return DiscreteGame(tuple(actions), X, Y, PC, PI, PP, pch, ich, cch, outcome, gc[rows, cch])


def build_gambit_game(
    problem: RealignmentProblem, draw: int = 0, levels: Sequence[float] | None = None
) -> tuple[Any, DiscreteGame]:
    """The discrete game of one draw as a pygambit 17 extensive-form game.

    Players ``C``, ``I``, ``P``. C moves first (``none`` or ``h<x>``/``c<x>``: package ``x``
    conditional on hedge / courter), I observes and counters (``y<k>``), P picks
    ``stay``/``hedge``/``courter`` among the options open to it (:func:`_open_options`).
    Returns ``(game, discrete_game)``.
    """
    import pygambit as gbt
    from pygambit import H

    dg = solve_discrete(problem.take([draw]), levels)
    opts = _open_options(problem, draw)
    labels = ["none" if t == 0 else f"{'hc'[t - 1]}{x}" for t, x in dg.actions]
    counters = [f"y{k}" for k in range(dg.counters.shape[1])]
    g = gbt.ExtensiveGame(["C", "I", "P"], title="realignment bidding game")
    g.append_move(H.path(), "C", labels)
    n = 0
    for a, la in enumerate(labels):
        g.append_move(H.path(la), "I", counters)
        for k, ly in enumerate(counters):
            g.append_move(H.path(la, ly), "P", [OPTIONS[o] for o in opts])
            for o in opts:
                lo = OPTIONS[o]
                pay = {
                    "C": float(dg.payoff_c[0, a, k, o]),
                    "I": float(dg.payoff_i[0, a, k, o]),
                    "P": float(dg.payoff_p[0, a, k, o]),
                }
                g.make_outcome(H.path(la, ly, lo), pay, f"z{n}")
                n += 1
    return g, dg


def _open_options(problem: RealignmentProblem, draw: int) -> list[int]:
    """The options open to P in draw ``draw`` (stay always; hedge / courter unless closed)."""
    closed = closed_options(problem)[draw]
    return [0] + [o for o in (1, 2) if not closed[o - 1]]


def solve_gambit(
    problem: RealignmentProblem, draw: int = 0, levels: Sequence[float] | None = None
) -> dict[str, Any]:
    """Solve one draw's discrete game with pygambit and check our backward induction against it.

    Two checks: (1) gambit's agent logit quantal-response path (``logit_solve`` on the
    extensive form), whose limit is a sequential, hence subgame-perfect, equilibrium; we report
    its payoffs and outcome probabilities; (2) our backward-induction profile, slightly trembled
    so that every information set is reached, evaluated by gambit: ``max_regret`` is the largest
    gain from deviating at any information set, on or off the path (0 for a subgame-perfect
    profile, up to the tremble).
    """
    import pygambit as gbt
    from pygambit import H

    g, dg = build_gambit_game(problem, draw, levels)
    opts = _open_options(problem, draw)
    labels = ["none" if t == 0 else f"{'hc'[t - 1]}{x}" for t, x in dg.actions]
    counters = [f"y{k}" for k in range(dg.counters.shape[1])]
    res = gbt.nash.logit_solve(g)
    eq = res.equilibrium
    probs = np.zeros(3)
    for la in labels:
        pa = float(eq[H.path()][la])
        for ly in counters:
            pk = float(eq[H.path(la)][ly])
            for o in opts:
                probs[o] += pa * pk * float(eq[H.path(la, ly)][OPTIONS[o]])
    eps = 1e-9
    prof = g.mixed_behavior_profile(rational=False)

    chosen_at: dict[tuple[str, ...], tuple[list[str], str]] = {}

    def pure(path: tuple[str, ...], acts: list[str], chosen: int) -> None:
        n = len(acts)
        chosen_at[tuple(path)] = (list(acts), acts[chosen])
        prof[H.path(*path)] = {
            b: (1 - (n - 1) * eps if i == chosen else eps) for i, b in enumerate(acts)
        }

    pure((), labels, int(dg.c_choice[0]))
    for a, la in enumerate(labels):
        pure((la,), counters, int(dg.i_choice[0, a]))
        for k, ly in enumerate(counters):
            pure((la, ly), [OPTIONS[o] for o in opts], opts.index(int(dg.p_choice[0, a, k])))
    regret = 0.0
    av = prof.action_values
    for path, (acts, chosen) in chosen_at.items():
        vals = av[H.path(*path)]
        best = max(float(vals[b]) for b in acts)
        regret = max(regret, best - float(vals[chosen]))
    pay = eq.payoffs
    return {
        "payoffs": {p: float(pay[p]) for p in ("C", "I", "P")},
        "outcome_probabilities": {o: float(v) for o, v in zip(OPTIONS, probs, strict=True)},
        "ours": {
            "outcome": OPTIONS[int(dg.outcome[0])],
            "courter_payoff": float(dg.courter_payoff[0]),
            "action": labels[int(dg.c_choice[0])],
        },
        "max_regret": regret,
        "converged": bool(res.success),
    }
