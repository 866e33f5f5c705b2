"""Realignment: could the courter pull the pivot from its incumbent partner, at what price, for how long.

The pivot P chooses among three options: stay with the incumbent I, hedge, or align with the
courter C. The courter offers a package of levers conditional on one target option (hedge or
courter); the incumbent sees the offer and may counter with its own levers, conditional on P
staying; P takes the best option. Everything is valued in present value (PV) over a horizon of
``H`` years at discount rate ``rho``; promises (levers under a commitment) are discounted by their
survival (:mod:`realpolitik.models.commitment`) and paid for only while they stand; the
incumbent's retaliation is a threat carried out with a probability and sustained like a promise;
sunk switching costs are immediate.

A lever with ``adds_replacement_capacity`` gives P its direct ``value`` always and also lets the
courter's side absorb more of the trade the incumbent cuts: a package ``e`` is worth
``v.e + g min(a.e, sf_o)`` a year, with ``sf_o`` the trade shortfall of option ``o`` that all
capacity levers share and ``g`` the gains share. The courter's cheapest package is a small linear
programme (a fractional knapsack plus one linking constraint), solved exactly and vectorised over
draws by Lagrangian duality; HiGHS solves the same problems as the reference.

Every function works on a :class:`RealignmentProblem`, a frozen batch of ``B`` draws (a point run
is ``B = 1``), and is vectorised over draws. The package: ``problem`` (the inputs), ``accounting``
(one present-value rule for both sides), ``solvers`` (packages: fast path and HiGHS), ``game``
(backward induction), ``shapley`` (the causal decomposition), ``simulate`` (year by year),
``result`` (per-draw outcomes and the JSON summary), ``discrete`` (the discrete game and the
pygambit cross-check).

References
----------
Groseclose, T. & Snyder, J. M. (1996). Buying supermajorities. *American Political Science Review*
90(2), 303-315 (sequential bidding for pivotal members).
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization* 49(3), 379-414.
Goemans, H. E., Gleditsch, K. S. & Chiozza, G. (2009). Introducing Archigos. *Journal of Peace
Research* 46(2), 269-283.
Dittmer, L. (1981). The strategic triangle: an elementary game-theoretical analysis. *World
Politics* 33(4), 485-515.
"""

from __future__ import annotations

from realpolitik.models.realignment.accounting import Accounts, accounts
from realpolitik.models.realignment.discrete import (
    DiscreteGame,
    build_gambit_game,
    solve_discrete,
    solve_gambit,
)
from realpolitik.models.realignment.game import (
    BINDS,
    RealignmentSolution,
    incumbent_best_counter,
    package_value,
    solve,
)
from realpolitik.models.realignment.problem import (
    COURTER,
    INCUMBENT,
    MAX_BINARY_ENUM,
    OPTIONS,
    PRINCIPAL,
    RealignmentProblem,
)
from realpolitik.models.realignment.result import evaluate_batch, result_dict
from realpolitik.models.realignment.shapley import ShapleyDecomposition, shapley_decomposition
from realpolitik.models.realignment.simulate import SimulationResult, simulate

__all__ = [
    "OPTIONS",
    "COURTER",
    "INCUMBENT",
    "PRINCIPAL",
    "BINDS",
    "MAX_BINARY_ENUM",
    "Accounts",
    "accounts",
    "RealignmentProblem",
    "RealignmentSolution",
    "SimulationResult",
    "ShapleyDecomposition",
    "DiscreteGame",
    "solve",
    "incumbent_best_counter",
    "package_value",
    "simulate",
    "evaluate_batch",
    "result_dict",
    "shapley_decomposition",
    "solve_discrete",
    "build_gambit_game",
    "solve_gambit",
]
