"""The causal decomposition of the price: exact Shapley values over groups of causes.

A cause is switched off by setting it to its neutral value: no retaliation, no sunk switching
cost, a component at 0, the incumbent's levers worth nothing (no counter-bid), the courter's
promises certain. For every coalition ``S`` of cause groups the game is solved with only the
causes in ``S`` on; all ``2**G`` coalitions of all draws go through one call of
:func:`~realpolitik.models.realignment.game.solve`. Each group's Shapley value is its average
marginal effect over the orders in which the causes could be switched on:

    phi_g = sum_{S not containing g} |S|! (G - |S| - 1)! / G! * (v(S + g) - v(S))

so the values sum to ``v(all) - v(none)`` (``v(none) = 0``: with no cause the pivot needs
nothing) and a cause that never changes ``v`` gets 0. With one group, the Shapley value is the
effect of removing it (leave-one-out). ``v`` is the value the package must give the pivot
(``need``, always finite) and the price in the courter side's money (where every coalition's
price is within the levers' reach; NaN otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import factorial
from typing import Any

import numpy as np
from numpy.typing import NDArray

from realpolitik.errors import ModelError
from realpolitik.models.realignment import game
from realpolitik.models.realignment.accounting import accounts, bid_accounts, survival_groups
from realpolitik.models.realignment.problem import COURTER, INCUMBENT, RealignmentProblem

__all__ = ["MAX_GROUPS", "ShapleyDecomposition", "cause_atoms", "shapley_decomposition"]

FloatArray = NDArray[np.float64]

#: Largest number of cause groups decomposed exactly (2**G coalitions are solved).
MAX_GROUPS = 12


@dataclass(frozen=True)
class ShapleyDecomposition:
    """Shapley values of ``need`` and ``price`` over cause groups, per draw and target.

    Arrays have shape ``(B, 2, G)`` (targets ``[hedge, courter]``) or ``(B, 2)`` for totals.
    """

    groups: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]  # the causes in each group
    need: np.ndarray  # (B, 2, G) in the pivot's money (PV)
    price: np.ndarray  # (B, 2, G) in the courter side's money (PV); NaN if out of reach
    need_total: np.ndarray  # (B, 2) v(all) - v(none)
    price_total: np.ndarray  # (B, 2)


def cause_atoms(problem: RealignmentProblem) -> tuple[str, ...]:
    """The causes that can be switched off in ``problem``: retaliation, switching_cost, each
    component, incumbent_levers, credibility."""
    return (
        "retaliation",
        "switching_cost",
        *problem.component_names,
        "incumbent_levers",
        "credibility",
    )


def _switch_off(
    pb: RealignmentProblem, atom: str, on: NDArray[np.bool_], ch: dict[str, Any]
) -> None:
    """Record in ``ch`` the fields of ``pb`` (a stacked batch) with ``atom`` kept where ``on``."""
    f = on.astype(float)
    if atom == "retaliation":
        ch["retaliation"] = ch.get("retaliation", pb.retaliation) * f[:, None]
    elif atom == "switching_cost":
        ch["switching_cost"] = ch.get("switching_cost", pb.switching_cost) * f[:, None]
    elif atom in pb.component_names:
        k = pb.component_names.index(atom)
        comps = ch.get("components", pb.components).copy()
        comps[:, k, :] *= f[:, None]
        ch["components"] = comps
    elif atom == "incumbent_levers":
        inc = pb.lever_side == INCUMBENT
        v = ch.get("lever_value", pb.lever_value).copy()
        v[:, inc] *= f[:, None]
        ch["lever_value"] = v
    elif atom == "credibility":
        cour = (pb.lever_side == COURTER) & pb.lever_committed
        for name in (
            "lever_annual_repudiation",
            "lever_successor_repudiation",
            "lever_fallback_annual_repudiation",
            "lever_fallback_successor_repudiation",
        ):
            r = ch.get(name, getattr(pb, name)).copy()
            r[:, cour] *= f[:, None]
            ch[name] = r
    else:
        raise ModelError(f"unknown cause {atom!r}; known: {list(cause_atoms(pb))}")


def _shapley_values(need: FloatArray, price: FloatArray, G: int) -> tuple[FloatArray, FloatArray]:
    """Shapley values ``(B, 2, G)`` of ``need`` and ``price`` given per coalition ``(2**G, B,
    2)`` (coalition ``c`` has group ``g`` on where bit ``g`` of ``c`` is set): all groups at
    once as one weighted sum of marginal effects."""
    masks = np.arange(2**G)
    bits = (masks[:, None] >> np.arange(G)[None, :]) & 1  # (2**G, G)
    size = bits.sum(axis=1)
    fact = np.array([factorial(i) for i in range(G + 1)], float)
    # weight of coalition S (without g) in g's value: |S|! (G - |S| - 1)! / G!
    weight = fact[size] * fact[np.maximum(G - size - 1, 0)] / fact[G]
    without = bits == 0  # (2**G, G): g not in S
    W = np.where(without, weight[:, None], 0.0)  # (2**G, G)
    partner = masks[:, None] | (1 << np.arange(G))[None, :]  # S + g
    out = []
    with np.errstate(invalid="ignore"):
        for v in (need, price):
            # sum_S W[S, g] (v(S + g) - v(S)), over the coalitions without g only
            gain = np.where(without[:, :, None, None], v[partner] - v[:, None], 0.0)
            out.append(np.einsum("sg,sgbj->bjg", W, gain))
    return out[0], out[1]


def _check_groups(pb: RealignmentProblem, groups: dict[str, tuple[str, ...]]) -> None:
    """Refuse an empty or too large set of groups, an unknown cause or one in two groups."""
    G = len(groups)
    if G == 0 or G > MAX_GROUPS:
        raise ModelError(f"need 1 to {MAX_GROUPS} cause groups, got {G}")
    known = set(cause_atoms(pb))
    seen: set[str] = set()
    for g, atoms in groups.items():
        for a in atoms:
            if a not in known:
                raise ModelError(f"group {g!r}: unknown cause {a!r}; known: {sorted(known)}")
            if a in seen:
                raise ModelError(f"cause {a!r} is in more than one group")
            seen.add(a)


def _coalition_values(
    pb: RealignmentProblem, groups: dict[str, tuple[str, ...]], method: str
) -> tuple[FloatArray, FloatArray]:
    """``need`` and ``price`` of every coalition of ``groups`` for every draw, ``(2**G, B, 2)``
    each: all coalitions' games solved in one call (row ``c * B + b`` is draw ``b`` with the
    groups of coalition ``c`` on). The switched-off fields are derived from the validated
    problem (each a copy scaled by 0 or 1, same shape and type), so they are not checked again."""
    names = tuple(groups)
    B = pb.batch
    nC = 2 ** len(names)
    big = pb.take(np.tile(np.arange(B), nC))
    coal = np.repeat(np.arange(nC), B)  # coalition of each stacked row
    ch: dict[str, Any] = {}
    for gi, g in enumerate(names):
        on = (coal >> gi) & 1
        for a in groups[g]:
            _switch_off(big, a, on.astype(bool), ch)
    accounts(pb)  # the rates the game checks, checked once here (the coalitions only scale them)
    survival = survival_groups(pb)  # they hold for every coalition (see below)
    coalitions = big.with_derived(**ch) if ch else big
    need_all, price_all = _needs_and_prices(coalitions, method, nC, survival)
    return need_all.reshape(nC, B, 2), price_all.reshape(nC, B, 2)


def _needs_and_prices(
    pb: RealignmentProblem, method: str, nC: int, groups: list[list[int]]
) -> tuple[FloatArray, FloatArray]:
    """:func:`~realpolitik.models.realignment.game.need_and_price` of the coalition problem
    ``pb`` (``nC`` coalitions of ``B`` draws, coalition-major), with each target's cheapest
    package sought only for the draws where every coalition's price is within reach.

    Where one coalition's price is out of reach, the draw's price values are not defined (NaN)
    whatever the other coalitions' prices are, so those are left at ``inf`` unsolved. Whether a
    price is within reach is the game's own test (``need`` below the most the courter's levers
    can give); the prices solved are those of the same rows of the game, each row solved
    independently of the others, so every number the decomposition reads is the game's, to the
    last bit (``tests/test_realignment_shapley_build.py``).

    The accounts are :func:`~realpolitik.models.realignment.accounting.bid_accounts` (the
    game's own, bit for bit, without checking the rates again) with the survival ``groups`` of
    the original problem, which hold for every coalition: a switched-off credibility scales the
    repudiation rates of all the courter's promises alike, so levers equal before stay equal.
    """
    m = game._choose_method(pb, method)
    d = bid_accounts(pb, groups)  # the accounts the game reads, unchecked: ``pb`` is derived
    bids = game._incumbent_bids(m, game._side(pb, d, INCUMBENT), d)
    cs = game._courter_side(pb, d)
    need, reach = game.need_and_reach(d.U, bids.bid, game.closed_options(pb))
    price = np.full(need.shape, np.inf)
    for j in (0, 1):
        sf = d.shortfall[:, j]
        wmax = game.box_max_value(cs.p, cs.hi, cs.a, cs.w, sf)
        within = (reach[:, j] < 0) | (reach[:, j] < wmax)
        every = within.reshape(nC, -1).all(axis=0)  # draws with every coalition's price finite
        rows = np.flatnonzero(np.tile(every, nC))
        if rows.size:
            sub = replace(cs, **{f: getattr(cs, f)[rows] for f in game._BATCH_FIELDS})
            price[rows, j] = game._min_cost(m, sub, sf[rows], reach[rows, j])[0]
    return need, price


def _decomposition(
    groups: dict[str, tuple[str, ...]], need: FloatArray, price: FloatArray
) -> ShapleyDecomposition:
    """The decomposition from every coalition's ``need`` and ``price`` ``(2**G, B, 2)``."""
    names = tuple(groups)
    phi_need, phi_price = _shapley_values(need, price, len(names))
    with np.errstate(invalid="ignore"):
        reach = np.all(np.isfinite(price), axis=0)  # (B, 2)
        phi_price = np.where(reach[:, :, None], phi_price, np.nan)
        price_total = np.where(reach, price[-1] - price[0], np.nan)
    return ShapleyDecomposition(
        groups=names,
        members=tuple(tuple(groups[g]) for g in names),
        need=phi_need,
        price=phi_price,
        need_total=need[-1] - need[0],
        price_total=price_total,
    )


def shapley_decomposition(
    problem: RealignmentProblem,
    groups: dict[str, tuple[str, ...]] | None = None,
    method: str = "auto",
) -> ShapleyDecomposition:
    """Exact Shapley values of the price and of ``need`` over groups of causes.

    Parameters
    ----------
    problem : RealignmentProblem (``B`` draws; ``B * 2**G`` games are solved at once).
    groups : name -> causes (from :func:`cause_atoms`); default one group per cause. Causes
        left out of every group stay on throughout.
    method : passed to :func:`~realpolitik.models.realignment.game.need_and_price`.
    """
    if groups is None:
        groups = {a: (a,) for a in cause_atoms(problem)}
    _check_groups(problem, groups)
    need, price = _coalition_values(problem, groups, method)
    return _decomposition(groups, need, price)
