"""Realignment: could the courter pull the pivot from its incumbent partner, at what price, for how long.

The pivot P chooses among three options: stay with the incumbent I, hedge, or align with the
courter C. The courter offers a package of levers conditional on one target option (hedge or
courter); the incumbent sees the offer and may counter with its own levers, conditional on P
staying; P takes the best option. Everything is valued in present value (PV) over a horizon of
``H`` years at discount rate ``rho``; promises (levers under a commitment) are discounted by their
survival (:mod:`realpolitik.models.commitment`), retaliation and sunk switching costs are not.

A lever with ``adds_replacement_capacity`` gives P its direct ``value`` always and also lets the
courter's side absorb more of the trade the incumbent cuts: a package ``e`` is worth
``v.e + g min(a.e, sf_o)`` a year, with ``sf_o`` the trade shortfall of option ``o`` that all
capacity levers share and ``g`` the gains share. The courter's cheapest package is a small linear
programme (a fractional knapsack plus one linking constraint), solved exactly and vectorised over
draws by Lagrangian duality; HiGHS solves the same problems as the reference.

Every function works on a :class:`RealignmentProblem`, a frozen batch of ``B`` draws (a point run
is ``B = 1``), and is vectorised over draws.

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

import contextlib
import itertools
import os
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.commitment import (
    Turnover,
    discount_weights,
    survival,
    turnover_probability,
)
from realpolitik.rng import as_generator

__all__ = [
    "OPTIONS",
    "COURTER",
    "INCUMBENT",
    "RealignmentProblem",
    "RealignmentSolution",
    "SimulationResult",
    "solve",
    "incumbent_best_counter",
    "package_value",
    "simulate",
    "evaluate_batch",
    "result_dict",
    "solve_discrete",
    "build_gambit_game",
    "solve_gambit",
]

#: The pivot's options, in this order everywhere (index 0, 1, 2).
OPTIONS = ("stay", "hedge", "courter")
#: Values of ``lever_side``.
COURTER, INCUMBENT = 0, 1
#: Binary levers enumerated exactly by the fast path (2**n subsets per side).
MAX_BINARY_ENUM = 12
_RESERVED = (
    "retaliation",
    "replacement",
    "switching_cost",
    "incumbent_counter",
    "outside_option",
    "credibility",
    "excess",
)


# --------------------------------------------------------------------------------------------
# The problem
# --------------------------------------------------------------------------------------------


def _f(x) -> np.ndarray:
    return np.asarray(x, dtype=float)


@dataclass(frozen=True)
class RealignmentProblem:
    """Everything the bidding game needs, as arrays with a leading batch axis of ``B`` draws.

    Scalars and arrays without the batch axis are broadcast on construction; the constructor
    checks shapes and ranges and raises :class:`~realpolitik.errors.ModelError`. Per-option
    arrays have a last axis of 2: ``[hedge, courter]``. Values are yearly unless said otherwise.

    Attributes (scenario source in brackets)
    ----------------------------------------
    trade_with_incumbent : (B,) P's trade with I per year [realignment.trade.with_incumbent].
    gains_share : (B,) value to P per unit of that trade [realignment.trade.gains_share].
    retaliation : (B, 2) share of that trade I cuts if P hedges / aligns with C [.trade.retaliation].
    replacement_capacity : (B, 2) trade the courter's side can absorb per option
        [.trade.replacement_capacity].
    components : (B, K, 2) other yearly values of each option against staying (security, status,
        sanctions, domestic, ...) [realignment.components, realignment.domestic].
    component_names : K names.
    switching_cost : (B, 2) one-off, immediate cost of leaving I (sunk investments) [.switching_cost].
    courter_value : (B, 2) yearly value to C of P hedging / aligning [.courter_value].
    incumbent_value : (B, 2) yearly loss to I of P hedging / aligning [.incumbent_value].
    lever_names : L lever ids [levers[].id].
    lever_side : (L,) COURTER (0) or INCUMBENT (1): whose offer it is [levers[].by].
    lever_value, lever_cost : (B, L) value to P and cost to the giving side per year at extent 1
        [levers[].value, .cost]. Both must be >= 0.
    lever_min, lever_max : (B, L) extent bounds [levers[].extent]; an offer is either empty or
        has every lever of its side within bounds.
    lever_binary : (L,) on/off levers: extent 0 or ``lever_max`` [levers[].binary].
    lever_capacity : (B, L) trade per year at extent 1 that a lever lets the courter's side absorb
        [levers[].adds_replacement_capacity] (courter levers only). Such a lever at extent ``e``
        gives P its direct value ``v e`` always, and fills up to ``a e`` of the trade shortfall
        ``sf_o = max(retaliation_o T - replacement_capacity_o, 0)``, worth ``gains_share`` per
        unit; all capacity levers fill one shared shortfall: a package is worth
        ``v.e + g min(a.e, sf_o)`` a year (in PV each part discounted by the lever's survival;
        with unequally durable levers the most durable fill the shortfall first).
    lever_committed : (L,) the lever is a promise (discounted by survival) [levers[].commitment].
    lever_annual_repudiation, lever_successor_repudiation : (B, L) its commitment form
        [commitments[].annual_repudiation, .successor_repudiation].
    horizon : (B,) years (integer) [realignment.horizon].
    discount_rate : (B,) per year [realignment.discount_rate].
    pivot_turnover, incumbent_turnover, courter_turnover : :class:`Turnover` [actors[].turnover].
    pivot_annual_repudiation, pivot_successor_repudiation : (B,) credibility of the pivot's own
        alignment (FLAGSHIP F3) [proposed: realignment.pivot_commitment].
    successor_shift : (B, 2) change of the yearly value of hedge / courter when a successor
        government rules the pivot (its faction balance) [proposed: realignment.successor_shift].
    """

    trade_with_incumbent: Any = 0.0
    gains_share: Any = 0.0
    retaliation: Any = 0.0
    replacement_capacity: Any = 0.0
    components: Any = None
    component_names: tuple[str, ...] = ()
    switching_cost: Any = 0.0
    courter_value: Any = 0.0
    incumbent_value: Any = 0.0
    lever_names: tuple[str, ...] = ()
    lever_side: Any = None
    lever_value: Any = None
    lever_cost: Any = None
    lever_min: Any = 0.0
    lever_max: Any = 1.0
    lever_binary: Any = False
    lever_capacity: Any = 0.0
    lever_committed: Any = False
    lever_annual_repudiation: Any = 0.0
    lever_successor_repudiation: Any = 0.0
    horizon: Any = 10
    discount_rate: Any = 0.05
    pivot_turnover: Turnover = field(default_factory=Turnover)
    incumbent_turnover: Turnover = field(default_factory=Turnover)
    courter_turnover: Turnover = field(default_factory=Turnover)
    pivot_annual_repudiation: Any = 0.0
    pivot_successor_repudiation: Any = 0.0
    successor_shift: Any = 0.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        L = len(self.lever_names)
        K = len(self.component_names)
        if len(set(self.lever_names)) != L:
            raise ModelError("lever_names must be unique")
        if len(set(self.component_names)) != K:
            raise ModelError("component_names must be unique")
        clash = set(self.component_names) & set(_RESERVED)
        if clash:
            raise ModelError(f"component names {sorted(clash)} are reserved by the decomposition")
        comps = np.zeros((1, 0, 2)) if self.components is None else _f(self.components)
        if comps.ndim == 2:
            comps = comps[None]
        if comps.ndim != 3 or comps.shape[1:] != (K, 2):
            raise ModelError(f"components must have shape (B, {K}, 2), got {comps.shape}")
        lv = np.zeros((1, 0)) if self.lever_value is None else _f(self.lever_value)
        lc = np.zeros((1, 0)) if self.lever_cost is None else _f(self.lever_cost)
        side = np.zeros(0, int) if self.lever_side is None else np.asarray(self.lever_side)
        per_draw = {
            "trade_with_incumbent": (_f(self.trade_with_incumbent), ()),
            "gains_share": (_f(self.gains_share), ()),
            "retaliation": (_f(self.retaliation), (2,)),
            "replacement_capacity": (_f(self.replacement_capacity), (2,)),
            "switching_cost": (_f(self.switching_cost), (2,)),
            "courter_value": (_f(self.courter_value), (2,)),
            "incumbent_value": (_f(self.incumbent_value), (2,)),
            "lever_value": (lv, (L,)),
            "lever_cost": (lc, (L,)),
            "lever_min": (_f(self.lever_min), (L,)),
            "lever_max": (_f(self.lever_max), (L,)),
            "lever_capacity": (_f(self.lever_capacity), (L,)),
            "lever_annual_repudiation": (_f(self.lever_annual_repudiation), (L,)),
            "lever_successor_repudiation": (_f(self.lever_successor_repudiation), (L,)),
            "horizon": (np.asarray(self.horizon), ()),
            "discount_rate": (_f(self.discount_rate), ()),
            "pivot_annual_repudiation": (_f(self.pivot_annual_repudiation), ()),
            "pivot_successor_repudiation": (_f(self.pivot_successor_repudiation), ()),
            "successor_shift": (_f(self.successor_shift), (2,)),
        }
        B = 1
        for a, tail in per_draw.values():
            if a.ndim > len(tail):
                B = max(B, a.shape[0])
        B = max(B, comps.shape[0])
        for t in (self.pivot_turnover, self.incumbent_turnover, self.courter_turnover):
            for fld in fields(t):
                a = np.asarray(getattr(t, fld.name))
                if a.ndim == 1:
                    B = max(B, a.shape[0])
        for name, (a, tail) in per_draw.items():
            try:
                if a.ndim <= len(tail):
                    out = np.broadcast_to(a, (B,) + tail)
                elif a.ndim == len(tail) + 1 and a.shape[0] in (1, B):
                    out = np.broadcast_to(a, (B,) + tail)
                else:
                    raise ValueError
            except ValueError:
                raise ModelError(
                    f"{name} must have shape {tail} or (B,) + {tail} with B = {B}, got {a.shape}"
                ) from None
            set_(self, name, np.array(out))
        set_(self, "components", np.array(np.broadcast_to(comps, (B, K, 2))))
        for name, dtype in (("lever_binary", bool), ("lever_committed", bool)):
            a = np.asarray(getattr(self, name), dtype=dtype)
            set_(self, name, np.array(np.broadcast_to(a, (L,))))
        if side.shape != (L,) or not np.all(np.isin(side, (COURTER, INCUMBENT))):
            raise ModelError(f"lever_side must be {L} values, each COURTER (0) or INCUMBENT (1)")
        set_(self, "lever_side", side.astype(int))
        for tname in ("pivot_turnover", "incumbent_turnover", "courter_turnover"):
            t = getattr(self, tname)
            kw = {}
            for fld in fields(t):
                a = np.asarray(getattr(t, fld.name))
                if a.ndim > 1 or (a.ndim == 1 and a.shape[0] not in (1, B)):
                    raise ModelError(f"{tname}.{fld.name} must be a number or shape (B,)")
                kw[fld.name] = np.array(np.broadcast_to(a, (B,)))
            set_(self, tname, Turnover(**kw))
        self._validate()

    def _validate(self) -> None:
        hz = self.horizon
        if not np.all(np.equal(np.mod(hz, 1), 0)) or np.any(hz < 1):
            raise ModelError("horizon must be whole years >= 1")
        object.__setattr__(self, "horizon", hz.astype(np.int64))
        nonneg = (
            "trade_with_incumbent",
            "gains_share",
            "replacement_capacity",
            "switching_cost",
            "lever_value",
            "lever_cost",
            "lever_capacity",
        )
        for name in nonneg:
            a = getattr(self, name)
            if np.any(~np.isfinite(a)) or np.any(a < 0):
                raise ModelError(f"{name} must be finite and >= 0")
        for name in ("retaliation",):
            a = getattr(self, name)
            if np.any(a < 0) or np.any(a > 1):
                raise ModelError(f"{name} must be shares in [0, 1]")
        if np.any(self.lever_min < 0) or np.any(self.lever_max < self.lever_min):
            raise ModelError("lever extents need 0 <= min <= max")
        inc = self.lever_side == INCUMBENT
        if np.any(self.lever_capacity[:, inc] > 0):
            raise ModelError("adds_replacement_capacity is only meaningful for courter levers")
        for name in ("components", "courter_value", "incumbent_value", "successor_shift"):
            if np.any(~np.isfinite(getattr(self, name))):
                raise ModelError(f"{name} must be finite")

    @property
    def batch(self) -> int:
        """Number of draws ``B``."""
        return self.trade_with_incumbent.shape[0]

    @property
    def years(self) -> int:
        """The largest horizon of the batch (length of every year axis)."""
        return int(self.horizon.max())

    def side(self, which: int) -> np.ndarray:
        """Indices of the levers of one side (COURTER or INCUMBENT)."""
        return np.flatnonzero(self.lever_side == which)

    def take(self, index) -> RealignmentProblem:
        """The sub-batch of draws ``index`` (an int, slice or index array)."""
        idx = np.atleast_1d(np.arange(self.batch)[index])
        kw = {}
        for fld in fields(self):
            v = getattr(self, fld.name)
            if isinstance(v, Turnover):
                v = Turnover(**{f.name: getattr(v, f.name)[idx] for f in fields(v)})
            elif fld.name in ("lever_side", "lever_binary", "lever_committed") or isinstance(
                v, tuple
            ):
                pass
            else:
                v = v[idx]
            kw[fld.name] = v
        return RealignmentProblem(**kw)

    def with_changes(self, **changes) -> RealignmentProblem:
        """A copy with some fields replaced (re-validated)."""
        return replace(self, **changes)


# --------------------------------------------------------------------------------------------
# Derived present values
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Derived:
    annuity: np.ndarray  # (B,) sum of delta^t over the horizon
    weights: np.ndarray  # (B, T)
    U: np.ndarray  # (B, 3) PV of each option without levers (stay = 0)
    flow: np.ndarray  # (B, 3) yearly value of each option (stay = 0), no switching costs
    shortfall: np.ndarray  # (B, 2) trade the courter's side cannot absorb
    parts: dict  # PV parts of -U for the decomposition, each (B, 2)
    lever_pv: np.ndarray  # (B, L) survival-discounted PV per unit extent, value to P
    lever_durability: np.ndarray  # (B, L) PV factor of each lever: D_l (promises) or A
    trade_weight: np.ndarray  # (B, L) PV of one unit of filled trade per year: g D_l
    lever_face: np.ndarray  # (B, L) PV per unit extent if promises were certain
    lever_cost_pv: np.ndarray  # (B, L) PV of cost per unit extent to the giving side
    pivot_pv: np.ndarray  # (B,) sum delta^t S_P(t)
    q_courter: np.ndarray  # (B, T) yearly probability of a change of government
    q_incumbent: np.ndarray
    q_pivot: np.ndarray
    wtp: np.ndarray  # (B, 2) courter's willingness to pay per option
    loss: np.ndarray  # (B, 2) incumbent's PV loss per option


def _derive(pb: RealignmentProblem) -> _Derived:
    T = pb.years
    w = discount_weights(T, pb.discount_rate, pb.horizon)  # (B, T)
    A = w.sum(axis=1)
    lost = pb.retaliation * pb.trade_with_incumbent[:, None]  # (B, 2)
    absorbed = np.minimum(lost, pb.replacement_capacity)
    g = pb.gains_share[:, None]
    comp = pb.components.sum(axis=1)  # (B, 2)
    flow2 = -g * lost + g * absorbed + comp
    U = np.zeros((pb.batch, 3))
    U[:, 1:] = flow2 * A[:, None] - pb.switching_cost
    flow = np.zeros((pb.batch, 3))
    flow[:, 1:] = flow2
    parts = {
        "retaliation": g * lost * A[:, None],
        "replacement": -g * absorbed * A[:, None],
        "switching_cost": pb.switching_cost.copy(),
    }
    for k, name in enumerate(pb.component_names):
        parts[name] = -pb.components[:, k, :] * A[:, None]
    L = len(pb.lever_names)
    dur = np.repeat(A[:, None], L, axis=1)
    qC = turnover_probability(T, pb.courter_turnover)  # (B, T)
    qI = turnover_probability(T, pb.incumbent_turnover)
    com = np.flatnonzero(pb.lever_committed)
    # levers under the same commitment form share one survival computation
    groups: list[list[int]] = []
    for j in com:
        for g_ in groups:
            i = g_[0]
            if (
                pb.lever_side[i] == pb.lever_side[j]
                and np.array_equal(
                    pb.lever_annual_repudiation[:, i], pb.lever_annual_repudiation[:, j]
                )
                and np.array_equal(
                    pb.lever_successor_repudiation[:, i], pb.lever_successor_repudiation[:, j]
                )
            ):
                g_.append(j)
                break
        else:
            groups.append([j])
    for g_ in groups:
        i = g_[0]
        q = qC if pb.lever_side[i] == COURTER else qI
        S = survival(
            T, pb.lever_annual_repudiation[:, i], pb.lever_successor_repudiation[:, i], change=q
        )
        dur[:, g_] = np.sum(w * S, axis=1)[:, None]
    lever_pv = pb.lever_value * dur
    qP = turnover_probability(T, pb.pivot_turnover)
    S_P = survival(T, pb.pivot_annual_repudiation, pb.pivot_successor_repudiation, change=qP)
    D_P = np.sum(w * S_P, axis=1)
    return _Derived(
        annuity=A,
        weights=w,
        U=U,
        flow=flow,
        shortfall=np.maximum(lost - pb.replacement_capacity, 0.0),
        parts=parts,
        lever_pv=lever_pv,
        lever_durability=dur,
        trade_weight=pb.gains_share[:, None] * dur,
        lever_face=pb.lever_value * A[:, None],
        lever_cost_pv=pb.lever_cost * A[:, None],
        pivot_pv=D_P,
        q_courter=qC,
        q_incumbent=qI,
        q_pivot=qP,
        wtp=pb.courter_value * D_P[:, None],
        loss=pb.incumbent_value * D_P[:, None],
    )


# --------------------------------------------------------------------------------------------
# Package values and the knapsacks (fast path)
# --------------------------------------------------------------------------------------------


def _trade_fill(x, a, w, sf):
    """Trade per year that packages ``x`` (B, m) fill: ``y`` maximising ``sum w_i y_i`` s.t.
    ``0 <= y_i <= a_i x_i`` and ``sum y_i <= sf`` (the most durable levers fill first)."""
    y = np.zeros_like(x, dtype=float)
    cols = np.flatnonzero(np.any(a > 0, axis=0)) if a.size else np.zeros(0, int)
    if cols.size == 0:
        return y
    cap = a[:, cols] * x[:, cols]
    if cols.size == 1:
        y[:, cols[0]] = np.minimum(cap[:, 0], np.maximum(sf, 0.0))
        return y
    order = np.argsort(-w[:, cols], axis=1, kind="stable")
    cu = np.take_along_axis(cap, order, axis=1)
    before = np.cumsum(cu, axis=1) - cu
    filled = np.minimum(cu, np.clip(sf[:, None] - before, 0.0, None))
    out = np.empty_like(filled)
    np.put_along_axis(out, order, filled, axis=1)
    y[:, cols] = out
    return y


def _package_value_arrays(x, p, a, w, sf):
    """Value to P of packages ``x`` (B, m): direct value ``p x`` plus the trade they fill.

    ``p`` direct value per unit extent, ``a`` trade per year a unit of extent lets the courter's
    side absorb, ``w`` value of one unit of filled trade per year (``g`` times the lever's PV
    factor), ``sf`` (B,) the shortfall per year that all capacity levers share. With one capacity
    lever (or all equally durable) the trade part is ``w min(a x, sf)``.
    """
    direct = np.sum(p * x, axis=1)
    if not np.any(a > 0):
        return direct
    return direct + np.sum(w * _trade_fill(x, a, w, sf), axis=1)


def _binary_subsets(binary: np.ndarray) -> np.ndarray:
    nb = int(binary.sum())
    if nb > MAX_BINARY_ENUM:
        raise ModelError(f"{nb} on/off levers on one side: too many for exact enumeration")
    return np.array(list(itertools.product((0.0, 1.0), repeat=nb))).reshape(2**nb, nb)


def _knapsack(cost, val, U, R):
    """Fractional knapsack, vectorised over rows: ``min cost x`` s.t. ``val x >= R``,
    ``0 <= x <= U``. Items of negative cost are taken whole; the others in order of cost per
    unit of value, the last in part. Returns ``x`` and whether ``R`` is reached."""
    neg = (cost < 0) & (U > 0)
    x = np.where(neg, U, 0.0)
    rem = R - np.sum(val * x, axis=1)
    usable = ~neg & (val > 0) & (U > 0)
    ratio = np.where(usable, cost / np.where(usable, val, 1.0), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    dv = np.take_along_axis(np.where(usable, val * U, 0.0), order, axis=1)
    before = np.cumsum(dv, axis=1) - dv
    short = np.clip(rem[:, None] - before, 0.0, None)
    frac = np.where(dv > 0, np.minimum(short / np.where(dv > 0, dv, 1.0), 1.0), 0.0)
    add = np.empty_like(frac)
    np.put_along_axis(add, order, frac * np.take_along_axis(U, order, axis=1), axis=1)
    total = before[:, -1] + dv[:, -1] if dv.shape[1] else np.zeros_like(rem)
    return x + add, rem <= total * (1 + 1e-12)


def _lp_trade(p, k, u, a, wc, S, R):
    """Cheapest extents with trade: ``min k d`` s.t. ``p d + wc t >= R``, ``0 <= t <= S``,
    ``t <= a d``, ``0 <= d <= u`` (rows with ``R > 0`` that can reach it).

    Exact, by Lagrangian duality on the link ``t <= a d`` (multiplier ``lam``). The dual
    ``D(mu, lam) = mu R - S (wc mu - lam)+ - sum_i u_i (p_i mu + a_i lam - k_i)+`` is concave and
    piecewise linear on ``mu, lam >= 0``, so its maximum is at a vertex of the arrangement of the
    lines where a term kinks (and the axis ``lam = 0``): all pairwise intersections are
    evaluated (on the axis ``mu = 0``, ``D <= D(0, 0) = 0``). For the
    best ``lam*``, the fractional knapsacks of the Lagrangian (levers at cost ``k_i - lam a_i``,
    trade at cost ``lam``) just below and just above ``lam*`` bracket the link's residual
    ``t - a d`` (non-increasing in ``lam``); their convex combination with zero residual is
    optimal. Returns ``(d, t, certified)``: ``certified`` where the primal cost is within 1e-9
    (relative) of the dual bound, a proof of optimality.
    """
    n, m = p.shape
    one, zero = np.ones(n), np.zeros(n)
    # vertices on the axis mu = 0 are worth at most D(0, 0) = 0 and are left out
    LA = np.column_stack([p, wc, zero])
    LB = np.column_stack([a, -one, one])
    LK = np.column_stack([k, zero, zero])
    i1, i2 = np.triu_indices(m + 2, 1)
    A1, A2, B1, B2, K1, K2 = LA[:, i1], LA[:, i2], LB[:, i1], LB[:, i2], LK[:, i1], LK[:, i2]
    det = A1 * B2 - A2 * B1
    okd = np.abs(det) > 1e-12 * (np.abs(A1 * B2) + np.abs(A2 * B1))
    sd = np.where(okd, det, 1.0)
    mu = (K1 * B2 - K2 * B1) / sd
    lam = (A1 * K2 - A2 * K1) / sd
    tol = 1e-12 * (1.0 + np.abs(mu) + np.abs(lam))
    valid = okd & (mu >= -tol) & (lam >= -tol)
    mu, lam = np.maximum(mu, 0.0), np.maximum(lam, 0.0)
    D = mu * R[:, None] - S[:, None] * np.maximum(wc[:, None] * mu - lam, 0.0)
    for j in range(m):
        D -= u[:, j : j + 1] * np.maximum(
            p[:, j : j + 1] * mu + a[:, j : j + 1] * lam - k[:, j : j + 1], 0.0
        )
    D = np.where(valid, D, -np.inf)
    best = np.argmax(D, axis=1)
    rows = np.arange(n)
    dstar, mus, lams = D[rows, best], mu[rows, best], lam[rows, best]
    eta = 1e-10 * (lams + mus * wc) + 1e-300
    val = np.column_stack([p, wc])
    U = np.column_stack([u, S])

    def at(lm):
        x, _ = _knapsack(np.column_stack([k - lm[:, None] * a, lm]), val, U, R)
        return x, x[:, m] - np.sum(a * x[:, :m], axis=1)

    x_lo, r_lo = at(np.maximum(lams - eta, 0.0))
    x_hi, r_hi = at(lams + eta)
    theta = np.where(
        r_lo <= 0, 1.0, np.where(r_hi >= 0, 0.0, -r_hi / np.where(r_lo > r_hi, r_lo - r_hi, 1.0))
    )
    x = theta[:, None] * x_lo + (1 - theta[:, None]) * x_hi
    d = x[:, :m]
    t = np.minimum(x[:, m], np.sum(a * d, axis=1))
    cost = np.sum(k * d, axis=1)
    value = np.sum(p * d, axis=1) + wc * t
    scale = np.abs(cost) + np.abs(dstar) + 1e-300
    certified = (
        (cost - dstar <= 1e-9 * scale) & (value >= R - 1e-9 * np.abs(R)) & np.isfinite(dstar)
    )
    return d, t, certified


def _greedy_max_value(p, k, lo, hi, budget):
    """Box ``[lo, hi]`` continuous levers: largest value with cost ``<= budget`` (-inf if the
    lower bounds alone exceed it). Fractional knapsack by value per unit of cost."""
    v0 = np.sum(p * lo, axis=1)
    c0 = np.sum(k * lo, axis=1)
    R = budget - c0
    de = np.where(p > 0, hi - lo, 0.0)
    ratio = np.where(p > 0, k / np.where(p > 0, p, 1.0), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    dv_s = np.take_along_axis(p * de, order, axis=1)
    dc_s = np.take_along_axis(k * de, order, axis=1)
    de_s = np.take_along_axis(de, order, axis=1)
    cumc = np.cumsum(dc_s, axis=1)
    before = cumc - dc_s
    room = np.clip(R[:, None] - before, 0.0, None)
    frac = np.where(dc_s > 0, np.minimum(room / np.where(dc_s > 0, dc_s, 1.0), 1.0), 1.0)
    frac = np.where(de_s > 0, frac, 0.0)
    frac = np.where(R[:, None] >= 0, frac, 0.0)
    value = np.where(R >= 0, v0 + np.sum(frac * dv_s, axis=1), -np.inf)
    take = frac * de_s
    ext_inc = np.empty_like(take)
    np.put_along_axis(ext_inc, order, take, axis=1)
    return value, lo + ext_inc


def _common_weight(a, w):
    """Per row: the trade weight shared by all levers with capacity, and whether it is shared
    (rows whose capacity levers differ in durability are not for the fast path)."""
    B = a.shape[0]
    has = a > 0
    if not np.any(has):
        return np.zeros(B), np.ones(B, bool)
    wmax = np.max(np.where(has, w, -np.inf), axis=1)
    wmin = np.min(np.where(has, w, np.inf), axis=1)
    any_cap = np.any(has, axis=1)
    same = ~any_cap | (wmax - wmin <= 1e-12 * np.abs(wmax))
    return np.where(any_cap, wmax, 0.0), same


def _fast_min_cost(p, k, lo, hi, binary, a, w, sf, need):
    """Cheapest package (within the box) worth at least ``need`` (rows with ``need >= 0``).

    On/off levers are enumerated; per subset, the continuous levers are a fractional knapsack
    when no trade is left to fill. Otherwise two relaxations are tried first, each optimal when
    its solution is feasible: every unit of capacity valued (fits if the capacity bought stays
    within the shortfall) and the shortfall filled for free (fits if the extents bought carry
    it); the remaining rows, where the capacity bought exactly meets the shortfall, go to the
    exact Lagrangian LP of :func:`_lp_trade`. Needs the
    capacity levers of a row to share one trade weight (see :func:`_common_weight`). Returns
    cost (inf where out of reach), extents and whether each row's optimum is certified.
    """
    B, m = p.shape
    wc, _ = _common_weight(a, w)
    best_c = np.full(B, np.inf)
    best_e = np.zeros((B, m))
    cert = np.ones(B, bool)
    cont = ~binary
    pc, kc, loc, hic, ac = p[:, cont], k[:, cont], lo[:, cont], hi[:, cont], a[:, cont]
    u = hic - loc
    for sub in _binary_subsets(binary):
        e_bin = np.zeros((B, m))
        e_bin[:, binary] = sub[None, :] * hi[:, binary]
        C0 = np.sum(a * e_bin, axis=1) + np.sum(ac * loc, axis=1)
        R = need - np.sum(p * e_bin, axis=1) - np.sum(pc * loc, axis=1) - wc * np.minimum(C0, sf)
        S = np.maximum(sf - C0, 0.0)
        c0 = np.sum(k * e_bin, axis=1) + np.sum(kc * loc, axis=1)
        reach = np.sum(pc * u, axis=1) + wc * np.minimum(S, np.sum(ac * u, axis=1))
        go = (R > 0) & (reach >= R * (1 - 1e-12))
        trade = go & (S > 0) & (wc > 0) & np.any(ac * u > 0, axis=1)
        plain = go & ~trade
        d = np.zeros((B, int(cont.sum())))
        ok = (R <= 0) | go
        sub_cert = np.ones(B, bool)
        if np.any(plain):
            ix = np.flatnonzero(plain)
            x, _ = _knapsack(kc[ix], pc[ix], u[ix], R[ix])
            d[ix] = x
        if np.any(trade):
            ix = np.flatnonzero(trade)
            # the relaxation that values all capacity at wc: optimal if it fits the shortfall
            x, _ = _knapsack(kc[ix], pc[ix] + wc[ix, None] * ac[ix], u[ix], R[ix])
            fits = np.sum(ac[ix] * x, axis=1) <= S[ix]
            d[ix[fits]] = x[fits]
            ix = ix[~fits]
            if ix.size:
                # the relaxation that fills the whole shortfall for free: optimal if the
                # extents it buys carry that much trade anyway
                x, _ = _knapsack(kc[ix], pc[ix], u[ix], R[ix] - wc[ix] * S[ix])
                carry = np.sum(ac[ix] * x, axis=1) >= S[ix]
                d[ix[carry]] = x[carry]
                ix = ix[~carry]
            if ix.size:
                x, _, c_ok = _lp_trade(pc[ix], kc[ix], u[ix], ac[ix], wc[ix], S[ix], R[ix])
                d[ix] = x
                sub_cert[ix] = c_ok
        c = np.where(ok, c0 + np.sum(kc * d, axis=1), np.inf)
        better = c < best_c
        best_c = np.where(better, c, best_c)
        e_all = e_bin.copy()
        e_all[:, cont] = loc + d
        best_e = np.where(better[:, None], e_all, best_e)
        cert &= sub_cert | ~ok
    return best_c, best_e, cert


def _fast_max_value(p, k, lo, hi, binary, budget):
    """Largest value of a package (empty, or within the box) costing at most ``budget``
    (levers without capacity: the incumbent's side)."""
    B, m = p.shape
    best_v = np.zeros(B)
    best_e = np.zeros((B, m))
    cont = ~binary
    for sub in _binary_subsets(binary):
        e_bin = np.zeros((B, m))
        e_bin[:, binary] = sub[None, :] * hi[:, binary]
        vb = np.sum(np.where(binary, p * e_bin, 0.0), axis=1)
        cb = np.sum(np.where(binary, k * e_bin, 0.0), axis=1)
        v, e = _greedy_max_value(p[:, cont], k[:, cont], lo[:, cont], hi[:, cont], budget - cb)
        v = v + vb
        better = v > best_v
        best_v = np.where(better, v, best_v)
        e_all = e_bin.copy()
        e_all[:, cont] = e
        best_e = np.where(better[:, None], e_all, best_e)
    return best_v, best_e


def _box_max_value(p, hi, a, w, sf):
    """Largest value P can get from one side's levers: every lever at its maximum (the value of
    a package never falls as a lever grows)."""
    return _package_value_arrays(hi, p, a, w, sf)


# --------------------------------------------------------------------------------------------
# HiGHS reference (block-diagonal over draws: one solver call per sub-problem)
# --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_stdout():
    """Silence C-level writes to file descriptor 1 (HiGHS prints from C++), restoring it even on
    errors."""
    try:
        sys.stdout.flush()
    except (AttributeError, ValueError, OSError):
        pass
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        try:
            import ctypes

            ctypes.CDLL(None).fflush(None)
        except (OSError, AttributeError, TypeError):
            pass
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _highs(p, k, lo, hi, binary, a, w, sf, rhs, mode):
    """Solve every draw's problem in one block-diagonal MILP with HiGHS.

    Per draw, variables ``e`` (extents; on/off levers as 0/1 scaled by ``hi``) and ``y`` (trade
    per year each lever fills): ``y_i <= a_i e_i``, ``sum y <= sf``, ``y >= 0``; value
    ``p e + w y``. ``mode='min_cost'``: minimise ``k e`` s.t. value ``>= rhs``;
    ``mode='max_value'``: maximise the value s.t. ``k e <= rhs``. Returns (objective per draw,
    extents); rows with ``rhs`` NaN are skipped (objective NaN).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import coo_matrix

    B, m = p.shape
    rows_ok = np.flatnonzero(np.isfinite(rhs))
    obj = np.full(B, np.nan)
    ext = np.zeros((B, m))
    if rows_ok.size == 0 or m == 0:
        if m == 0:
            obj[rows_ok] = 0.0
            if mode == "min_cost":
                obj[rows_ok] = np.where(rhs[rows_ok] <= 0, 0.0, np.inf)
        return obj, ext
    n = rows_ok.size
    scale = np.where(binary[None, :], hi[rows_ok], 1.0)
    pe, ke, ae, we = p[rows_ok] * scale, k[rows_ok] * scale, a[rows_ok] * scale, w[rows_ok]
    lo_e = np.where(binary[None, :], 0.0, lo[rows_ok])
    hi_e = np.where(binary[None, :], 1.0, hi[rows_ok])
    nv = 2 * m
    base = (np.arange(n) * nv)[:, None]
    ei = base + np.arange(m)[None, :]
    yi = base + m + np.arange(m)[None, :]
    nr = m + 2
    rbase = (np.arange(n) * nr)[:, None]
    r_link = rbase + np.arange(m)[None, :]
    r_cap = rbase[:, 0] + m
    r_main = rbase[:, 0] + m + 1
    I = [  # noqa: E741 - row indices
        r_link.ravel(),
        r_link.ravel(),
        np.repeat(r_cap, m),
        np.repeat(r_main, m),
        np.repeat(r_main, m),
    ]
    lb = np.full(n * nr, -np.inf)
    ub = np.zeros(n * nr)
    ub[r_cap] = sf[rows_ok]
    c = np.zeros(n * nv)
    if mode == "min_cost":
        J = [yi.ravel(), ei.ravel(), yi.ravel(), ei.ravel(), yi.ravel()]
        V = [np.ones(n * m), -ae.ravel(), np.ones(n * m), pe.ravel(), we.ravel()]
        lb[r_main] = rhs[rows_ok]
        ub[r_main] = np.inf
        c[ei.ravel()] = ke.ravel()
    else:
        J = [yi.ravel(), ei.ravel(), yi.ravel(), ei.ravel(), yi.ravel()]
        V = [np.ones(n * m), -ae.ravel(), np.ones(n * m), ke.ravel(), np.zeros(n * m)]
        ub[r_main] = rhs[rows_ok]
        c[ei.ravel()] = -pe.ravel()
        c[yi.ravel()] = -we.ravel()
    A = coo_matrix(
        (np.concatenate(V), (np.concatenate(I), np.concatenate(J))), shape=(n * nr, n * nv)
    ).tocsr()
    lbv = np.zeros(n * nv)
    ubv = np.full(n * nv, np.inf)
    lbv[ei.ravel()] = lo_e.ravel()
    ubv[ei.ravel()] = hi_e.ravel()
    integ = np.zeros(n * nv)
    integ[ei.ravel()] = np.broadcast_to(binary[None, :], (n, m)).ravel().astype(float)
    with _quiet_stdout():
        res = milp(
            c,
            constraints=LinearConstraint(A, lb, ub),
            integrality=integ,
            bounds=Bounds(lbv, ubv),
            options={"mip_rel_gap": 1e-12, "presolve": True, "disp": False},
        )
    if res.x is None:
        raise ModelError(f"HiGHS failed on the realignment problem: {res.message}")
    x = res.x
    e = x[ei] * scale
    y = x[yi]
    if mode == "min_cost":
        obj[rows_ok] = np.sum(k[rows_ok] * e, axis=1)
    else:
        obj[rows_ok] = np.sum(p[rows_ok] * e, axis=1) + np.sum(we * y, axis=1)
    ext[rows_ok] = e
    return obj, ext


# --------------------------------------------------------------------------------------------
# The solution
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealignmentSolution:
    """Per-draw results of the bidding game (all arrays have a leading axis ``B``).

    Per-target arrays have a last axis of 2: ``[hedge, courter]`` (the option C's package is
    conditional on). Prices are PVs in the courter side's cost; ``inf`` where no package within
    the levers' bounds can flip P. Values to P are survival-discounted PVs.
    """

    outcome: np.ndarray  # (B,) 0 stay, 1 hedge, 2 courter
    offer_target: np.ndarray  # (B,) 0 no offer, 1 hedge, 2 courter
    option_values: np.ndarray  # (B, 3) PV of each option to P without any levers
    price: np.ndarray  # (B, 2) cheapest package flipping P to the target, in C's cost
    price_value: np.ndarray  # (B, 2) its value to P (survival-discounted PV)
    price_face: np.ndarray  # (B, 2) its value if promises were certain
    price_trade_value: np.ndarray  # (B, 2) part of price_value from the trade it fills
    need: np.ndarray  # (B, 2) value P must get from C's package to choose the target
    feasible: np.ndarray  # (B, 2) some package within bounds flips P
    max_offer_value: np.ndarray  # (B, 2) most value C's levers can give P
    willingness_to_pay: np.ndarray  # (B, 2)
    incumbent_max_bid: np.ndarray  # (B, 2) most value I will give P to keep it
    incumbent_loss: np.ndarray  # (B, 2)
    packages: np.ndarray  # (B, 2, Lc) cheapest package per target
    package: np.ndarray  # (B, Lc) the equilibrium offer (zeros if none)
    counter: np.ndarray  # (B, Li) the equilibrium counter (zeros if none)
    courter_payoff: np.ndarray  # (B,)
    causes: tuple[str, ...]  # names of the decomposition's terms
    decomposition_value: np.ndarray  # (B, 2, n_causes) sums to price_face (or need if infeasible)
    decomposition: np.ndarray  # (B, 2, n_causes) in C's cost, sums to price (0 if infeasible)
    courter_levers: tuple[str, ...]
    incumbent_levers: tuple[str, ...]
    method: str
    derived: Any = field(default=None, repr=False, compare=False)

    @property
    def margin(self) -> np.ndarray:
        """(B, 2) willingness to pay minus price (``-inf`` where infeasible)."""
        return self.willingness_to_pay - self.price


def _side_arrays(pb: RealignmentProblem, d: _Derived, which: int):
    idx = pb.side(which)
    return (
        idx,
        d.lever_pv[:, idx],
        d.lever_cost_pv[:, idx],
        pb.lever_min[:, idx],
        pb.lever_max[:, idx],
        pb.lever_binary[idx],
        pb.lever_capacity[:, idx],
        d.trade_weight[:, idx],
    )


def _choose_method(pb: RealignmentProblem, method: str) -> str:
    if method not in ("auto", "fast", "highs"):
        raise ModelError(f"method must be 'auto', 'fast' or 'highs', got {method!r}")
    nb = (
        max(int(pb.lever_binary[pb.lever_side == s].sum()) for s in (COURTER, INCUMBENT))
        if len(pb.lever_names)
        else 0
    )
    fast_ok = nb <= MAX_BINARY_ENUM
    if method == "fast" and not fast_ok:
        raise ModelError(
            f"the fast path enumerates at most {MAX_BINARY_ENUM} on/off levers per side; "
            "use method='highs'"
        )
    if method == "auto":
        return "fast" if fast_ok else "highs"
    return method


def _min_cost(method, p, k, lo, hi, binary, a, w, sf, need):
    """Cheapest package worth ``need`` (``0`` if ``need < 0``); inf if out of reach.

    Fast path: rows whose capacity levers share one trade weight, solved exactly (and certified
    by the dual bound); other rows, and any row whose certificate fails, go to HiGHS. Returns
    ``(cost, extents, feasible, max value, rows solved by HiGHS on the fast path)``.
    """
    wmax = _box_max_value(p, hi, a, w, sf)
    feasible = (need < 0) | (need < wmax)
    todo = feasible & (need >= 0)
    B, m = p.shape
    cost = np.full(B, np.inf)
    ext = np.zeros((B, m))
    if method == "highs":
        to_highs = todo
    else:
        _, same = _common_weight(a, w)
        to_highs = todo & ~same
        ix = np.flatnonzero(todo & same)
        if ix.size:
            c, e, cert = _fast_min_cost(
                p[ix], k[ix], lo[ix], hi[ix], binary, a[ix], w[ix], sf[ix], need[ix]
            )
            cost[ix], ext[ix] = c, e
            to_highs[ix[~cert]] = True
    if np.any(to_highs):
        rhs = np.where(to_highs, need, np.nan)
        c, e = _highs(p, k, lo, hi, binary, a, w, sf, rhs, "min_cost")
        cost = np.where(to_highs, c, cost)
        ext = np.where(to_highs[:, None], e, ext)
    cost = np.where(need < 0, 0.0, np.where(feasible, cost, np.inf))
    ext = np.where((need < 0)[:, None] | ~feasible[:, None], 0.0, ext)
    return cost, ext, feasible, wmax, (0 if method == "highs" else int(to_highs.sum()))


def _max_value(method, p, k, lo, hi, binary, budget):
    """Largest value of the incumbent's levers (no capacity) within ``budget``."""
    B, m = p.shape
    if method == "fast":
        return _fast_max_value(p, k, lo, hi, binary, budget)
    mand = np.sum(np.where(binary, 0.0, k * lo), axis=1)
    rhs = np.where(budget >= mand, budget, np.nan)
    zero = np.zeros_like(p)
    v, e = _highs(p, k, lo, hi, binary, zero, zero, np.zeros(B), rhs, "max_value")
    v = np.where(np.isfinite(rhs), np.maximum(v, 0.0), 0.0)
    return v, np.where(v[:, None] > 0, e, 0.0)


def solve(problem: RealignmentProblem, method: str = "auto") -> RealignmentSolution:
    """Solve the bidding game for every draw by backward induction.

    Steps
    -----
    1. Value the options: ``U_o = A (-g rho_o T + g min(rho_o T, K_o) + sum_k c_ko) - SC_o``
       (``A = sum_t delta^t``; stay is 0), levers at ``v D_l`` per unit extent, with
       ``D_l = sum_t delta^t S_l(t)`` for promises and ``A`` otherwise; costs at ``c A``.
       A package ``e`` is worth ``sum_l v_l D_l e_l`` plus the trade its capacity levers fill,
       ``g sum_l D_l y_l`` with ``y_l <= a_l e_l`` and ``sum_l y_l <= sf_o`` (the shortfall
       ``max(rho_o T - K_o, 0)``, shared; the most durable levers fill it first).
    2. Incumbent (last bidder): against P leaving for ``o``, its maximum retention bid
       ``B_I(o) = max W_I(y)`` s.t. ``cost_I(y) <= L_o`` (``L_o`` the PV of its loss).
    3. Courter: for target ``o``, P must get ``need_o = max(B_I(o), U_other) - U_o`` from the
       package; the price is the cheapest package worth ``need_o``, infinite beyond the
       levers' reach. Fast path: on/off levers enumerated, then a fractional knapsack, or with
       trade to fill an exact Lagrangian LP (:func:`_lp_trade`), each optimum certified by
       its dual bound. Draws whose capacity levers differ in durability (different
       commitments), and any draw whose certificate fails, are solved by HiGHS instead
       (``method`` then reads ``'fast+highs'``); so is everything with ``method='highs'``.
    4. C compares no offer (the outcome then follows from U and I's counter) with each target's
       ``WTP_o - price_o`` and takes the best (ties: no offer, then hedge).
    5. Decompose each target's package value into the terms of ``need_o`` plus the credibility
       discount (face minus survival-discounted value) and any excess; rescale by
       price / face value for the decomposition in C's cost.

    Ties: P keeps the status quo when indifferent and otherwise prefers hedging to aligning;
    prices are infima (the limit of offers leaving P marginally better off).

    Parameters
    ----------
    problem : RealignmentProblem
    method : 'auto' (fast path, HiGHS for the draws it does not cover), 'fast' (refuses draws
        the fast path does not cover) or 'highs' (the reference for everything).
    """
    pb = problem
    m = _choose_method(pb, method)
    d = _derive(pb)
    B = pb.batch
    ci, cp, ck, clo, chi, cbin, ca, cw = _side_arrays(pb, d, COURTER)
    ii, ip, ik, ilo, ihi, ibin, _, _ = _side_arrays(pb, d, INCUMBENT)
    if method == "fast" and not np.all(_common_weight(ca, cw)[1]):
        raise ModelError(
            "the fast path needs the capacity levers of a draw to be equally durable (the same "
            "commitment); use method='auto' (HiGHS for those draws) or 'highs'"
        )
    U = d.U
    n_highs = 0
    bid = np.zeros((B, 2))
    for j in range(2):
        bid[:, j], _ = _max_value(m, ip, ik, ilo, ihi, ibin, d.loss[:, j])
    need = np.zeros((B, 2))
    price = np.zeros((B, 2))
    feas = np.zeros((B, 2), bool)
    wmax = np.zeros((B, 2))
    pk = np.zeros((B, 2, ci.size))
    for j in range(2):
        other = 2 - j  # option index of the other non-stay option (1 + (1 - j))
        need[:, j] = np.maximum(bid[:, j], U[:, other]) - U[:, 1 + j]
        price[:, j], pk[:, j], feas[:, j], wmax[:, j], nh = _min_cost(
            m, cp, ck, clo, chi, cbin, ca, cw, d.shortfall[:, j], need[:, j]
        )
        n_highs += nh
    ptrade = np.stack(
        [np.sum(cw * _trade_fill(pk[:, j], ca, cw, d.shortfall[:, j]), axis=1) for j in range(2)],
        axis=1,
    )
    pval = np.einsum("bjl,bl->bj", pk, cp) + ptrade
    face_p = d.lever_face[:, ci]
    face_w = pb.gains_share[:, None] * d.annuity[:, None] * np.ones_like(cw)
    pface = np.stack(
        [_package_value_arrays(pk[:, j], face_p, ca, face_w, d.shortfall[:, j]) for j in range(2)],
        axis=1,
    )
    # no offer: P's best non-stay option and I's counter
    M0 = np.maximum(U[:, 1], U[:, 2])
    o0 = np.where(U[:, 1] >= U[:, 2], 1, 2)
    bid0 = np.where(o0 == 1, bid[:, 0], bid[:, 1])
    out0 = np.where((M0 <= 0) | (bid0 >= M0), 0, o0)
    wtp_full = np.concatenate([np.zeros((B, 1)), d.wtp], axis=1)
    pay = np.stack(
        [
            np.take_along_axis(wtp_full, out0[:, None], axis=1)[:, 0],
            np.where(feas[:, 0], d.wtp[:, 0] - price[:, 0], -np.inf),
            np.where(feas[:, 1], d.wtp[:, 1] - price[:, 1], -np.inf),
        ],
        axis=1,
    )
    target = np.argmax(pay, axis=1)
    outcome = np.where(target == 0, out0, target)
    package = np.zeros((B, ci.size))
    for j in range(2):
        package = np.where((target == 1 + j)[:, None], pk[:, j], package)
    # the equilibrium counter: only when I keeps P against no offer
    retains = (target == 0) & (out0 == 0) & (M0 > 0)
    need_i = np.where(retains, M0, -1.0)
    zero = np.zeros_like(ip)
    _, cext, _, _, _ = _min_cost(m, ip, ik, ilo, ihi, ibin, zero, zero, np.zeros(B), need_i)
    counter = np.where(retains[:, None], cext, 0.0)
    causes, dval, dcost = _decompose(pb, d, U, bid, need, pval, pface, price, feas)
    return RealignmentSolution(
        outcome=outcome,
        offer_target=target,
        option_values=U,
        price=price,
        price_value=pval,
        price_face=pface,
        price_trade_value=ptrade,
        need=need,
        feasible=feas,
        max_offer_value=wmax,
        willingness_to_pay=d.wtp,
        incumbent_max_bid=bid,
        incumbent_loss=d.loss,
        packages=pk,
        package=package,
        counter=counter,
        courter_payoff=pay[np.arange(B), target],
        causes=causes,
        decomposition_value=dval,
        decomposition=dcost,
        courter_levers=tuple(pb.lever_names[i] for i in ci),
        incumbent_levers=tuple(pb.lever_names[i] for i in ii),
        method="fast+highs" if (m == "fast" and n_highs) else m,
        derived=d,
    )


def _decompose(pb, d, U, bid, need, pval, pface, price, feas):
    """Split each target's package value into causes (exactly additive).

    ``need_o = max(B_I(o), U_other) - U_o`` and ``-U_o`` is a sum of named PV parts, so
    ``face = sum(parts) + barrier + (face - value) + (value - need)``: the terms are the parts of
    ``-U_o`` (retaliation, replacement, switching cost, each component), the barrier
    (incumbent counter or outside option, whichever binds), the credibility discount and any
    excess. In C's cost each term is scaled by ``price / face``.
    """
    names = [
        "retaliation",
        "replacement",
        "switching_cost",
        *pb.component_names,
        "incumbent_counter",
        "outside_option",
        "credibility",
        "excess",
    ]
    B = pb.batch
    out = np.zeros((B, 2, len(names)))
    for j in range(2):
        other = 2 - j
        terms = [d.parts[n][:, j] for n in ("retaliation", "replacement", "switching_cost")]
        terms += [d.parts[n][:, j] for n in pb.component_names]
        inc_binds = bid[:, j] >= U[:, other]
        terms.append(np.where(inc_binds, bid[:, j], 0.0))
        terms.append(np.where(inc_binds, 0.0, U[:, other]))
        ok = feas[:, j]
        terms.append(np.where(ok, pface[:, j] - pval[:, j], 0.0))
        terms.append(np.where(ok, pval[:, j] - need[:, j], 0.0))
        out[:, j, :] = np.stack(terms, axis=1)
    total = out.sum(axis=2)
    scale = np.where(feas & (total > 0), price / np.where(total > 0, total, 1.0), 0.0)
    return tuple(names), out, out * scale[:, :, None]


def package_value(problem: RealignmentProblem, package, target: int) -> np.ndarray:
    """Value to P (survival-discounted PV) of a courter package ``(B, Lc)`` for a target option
    (1 hedge, 2 courter)."""
    if target not in (1, 2):
        raise ModelError("target must be 1 (hedge) or 2 (courter)")
    d = _derive(problem)
    ci = problem.side(COURTER)
    x = np.broadcast_to(_f(package), (problem.batch, ci.size))
    return _package_value_arrays(
        x,
        d.lever_pv[:, ci],
        problem.lever_capacity[:, ci],
        d.trade_weight[:, ci],
        d.shortfall[:, target - 1],
    )


def incumbent_best_counter(problem: RealignmentProblem, package, target: int, method: str = "auto"):
    """The incumbent's best reply to a courter offer ``package`` (B, Lc) conditional on ``target``.

    Returns ``(counter (B, Li), retains (B,), choice (B,))``: the cheapest counter that keeps P,
    whether I makes it (its cost is at most I's loss from P's alternative), and P's choice.
    """
    pb = problem
    m = _choose_method(pb, method)
    d = _derive(pb)
    w = package_value(pb, package, target)
    vals = d.U[:, 1:].copy()
    vals[:, target - 1] += w
    M = vals.max(axis=1)
    alt = np.where(vals[:, 0] >= vals[:, 1], 1, 2)
    ii, ip, ik, ilo, ihi, ibin, _, _ = _side_arrays(pb, d, INCUMBENT)
    budget = np.where(alt == 1, d.loss[:, 0], d.loss[:, 1])
    bid, _ = _max_value(m, ip, ik, ilo, ihi, ibin, budget)
    retains = bid >= M
    need_i = np.where(retains & (M > 0), M, -1.0)
    zero = np.zeros_like(ip)
    _, ext, _, _, _ = _min_cost(m, ip, ik, ilo, ihi, ibin, zero, zero, np.zeros(pb.batch), need_i)
    return ext, retains, np.where(retains, 0, alt)


# --------------------------------------------------------------------------------------------
# Yearly simulation with leadership turnover
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SimulationResult:
    """Yearly alignment of the pivot. ``aligned[b, t, o]``: share of the paths of draw ``b`` in
    which P holds option ``o`` in year ``t + 1``; ``p_aligned = aligned.mean(0)``; ``duration``:
    mean years a realignment of year 1 lasts (0 if P stays), censored at the horizon."""

    aligned: np.ndarray  # (B, T, 3)
    p_aligned: np.ndarray  # (T, 3)
    duration: np.ndarray  # (B,)
    expected_duration: float  # over draws (and paths) that realign in year 1; nan if none


def simulate(
    problem: RealignmentProblem,
    rng=None,
    solution: RealignmentSolution | None = None,
    paths: int = 1,
) -> SimulationResult:
    """Simulate the pivot's alignment year by year with leadership turnover of all three actors.

    Steps (vectorised over draws and paths; the loop is over years only)
    ------------------------------------------------------------------
    1. Year 1: P holds the equilibrium outcome of :func:`solve`, with C's package (if P took it)
       or I's counter (if one was made) in force.
    2. Each later year: each actor's government changes with its probability ``q(t)`` (hazard
       and scheduled elections); every standing promise lapses with its annual repudiation
       probability, or with its successor repudiation probability if its giver's government
       changed. If P's government changes, a successor rules from then on and the yearly value of
       hedging / aligning shifts by ``successor_shift``.
    3. P re-chooses: each option is worth its yearly value (base flow, plus the standing
       promises of the side it is conditional on, each at its credibility share) times the
       annuity over the remaining horizon, minus the one-off cost of moving there from where P
       is (leaving the incumbent costs ``switching_cost``, returning costs nothing). P moves only
       if another option is strictly better. No new bids are made after year 1.

    Parameters
    ----------
    problem : RealignmentProblem
    rng : None | int | SeedSequence | Generator
    solution : a :func:`solve` result for ``problem`` (computed if omitted).
    paths : simulated paths per draw.
    """
    gen = as_generator(rng)
    if paths < 1:
        raise ModelError("paths must be >= 1")
    pb = problem
    sol = solve(pb) if solution is None else solution
    d = sol.derived if sol.derived is not None else _derive(pb)
    B0, T = pb.batch, pb.years
    rep = np.repeat(np.arange(B0), paths)
    n = rep.size
    ci, ii = pb.side(COURTER), pb.side(INCUMBENT)
    A = d.annuity[rep]
    with np.errstate(invalid="ignore", divide="ignore"):
        cred = np.where(A[:, None] > 0, d.lever_pv[rep] / A[:, None], 0.0)  # yearly credible value
        wy = np.where(A[:, None] > 0, d.trade_weight[rep] / A[:, None], 0.0)  # per unit of trade
    p_c, p_i = cred[:, ci], cred[:, ii]
    a_c = pb.lever_capacity[rep][:, ci]
    w_c = wy[:, ci]
    target = sol.offer_target[rep]
    pkg = sol.package[rep]
    ctr = sol.counter[rep]
    sf_t = np.where(target == 1, d.shortfall[rep, 0], d.shortfall[rep, 1])
    alive_c = pkg > 0
    alive_i = ctr > 0
    # yearly value of each standing lever's direct part; capacity levers in filling order
    dv_c = np.where(target[:, None] > 0, pkg * p_c, 0.0)
    dv_i = ctr * p_i
    cap_cols = np.flatnonzero(np.any(a_c > 0, axis=0)) if ci.size else np.zeros(0, int)
    if cap_cols.size:
        order = cap_cols[np.argsort(-w_c[:, cap_cols], axis=1, kind="stable")]
        cap_s = np.take_along_axis(a_c * pkg, order, axis=1)
        w_s = np.take_along_axis(w_c, order, axis=1)
    flow = d.flow[rep]
    shift = np.concatenate([np.zeros((B0, 1)), pb.successor_shift], axis=1)[rep]
    sc = pb.switching_cost[rep]
    w = d.weights[rep]
    # remaining annuity at year t: sum_{u>=t} delta^(u-t+1) = (sum_{u>=t} w_u) / delta^(t-1)
    rho = pb.discount_rate[rep][:, None]
    tail = np.cumsum(w[:, ::-1], axis=1)[:, ::-1]
    arem = tail * (1.0 + rho) ** np.arange(T)[None, :]
    q = [x[rep] for x in (d.q_courter, d.q_incumbent, d.q_pivot)]
    rr = pb.lever_annual_repudiation[rep]
    ss = pb.lever_successor_repudiation[rep]
    committed = pb.lever_committed
    jc = np.flatnonzero(committed[ci])  # promises that can lapse (positions within a side)
    ji = np.flatnonzero(committed[ii])
    # year loop on contiguous (levers, n) and (years, n) arrays
    keep_c, s_c = (1 - rr[:, ci[jc]]).T.copy(), ss[:, ci[jc]].T.copy()
    keep_i, s_i = (1 - rr[:, ii[ji]]).T.copy(), ss[:, ii[ji]].T.copy()
    alive_c, alive_i = alive_c.T.copy(), alive_i.T.copy()
    dv_c, dv_i = dv_c.T.copy(), dv_i.T.copy()
    if cap_cols.size:
        order_t, cap_t, w_t = order.T.copy(), cap_s.T.copy(), w_s.T.copy()
    qT = [x.T.copy() for x in q]
    aremT = arem.T.copy()
    f0, f1, f2 = (flow[:, o].copy() for o in range(3))
    sh1, sh2 = shift[:, 1].copy(), shift[:, 2].copy()
    to1 = target == 1
    to2 = target == 2
    sc0, sc1 = sc[:, 0].copy(), sc[:, 1].copy()
    sc12 = np.maximum(sc1 - sc0, 0.0)  # hedge -> courter: the rest of the sunk investment
    opt = sol.outcome[rep].copy()
    successor = np.zeros(n, bool)
    hist = np.zeros((n, T), np.int8)
    hist[:, 0] = opt
    nc, ni = ci.size, ii.size
    for t in range(1, T):
        u = gen.random((3 + nc + ni, n))
        chg_c, chg_i = u[0] < qT[0][t], u[1] < qT[1][t]
        successor |= u[2] < qT[2][t]
        if jc.size:
            alive_c[jc] &= ~(u[3 + jc] < 1 - keep_c * (1 - s_c * chg_c))
        if ji.size:
            alive_i[ji] &= ~(u[3 + nc + ji] < 1 - keep_i * (1 - s_i * chg_i))
        vct = np.sum(np.where(alive_i, dv_i, 0.0), axis=0) if ni else 0.0
        vpk = np.sum(np.where(alive_c, dv_c, 0.0), axis=0) if nc else np.zeros(n)
        if cap_cols.size:
            room = sf_t.copy()
            for r_ in range(cap_cols.size):
                al = np.take_along_axis(alive_c, order_t[r_][None, :], axis=0)[0]
                y = np.minimum(np.where(al, cap_t[r_], 0.0), room)
                vpk += w_t[r_] * y
                room -= y
        at = aremT[t]
        v0 = (f0 + vct) * at
        v1 = (f1 + np.where(successor, sh1, 0.0) + np.where(to1, vpk, 0.0)) * at
        v2 = (f2 + np.where(successor, sh2, 0.0) + np.where(to2, vpk, 0.0)) * at
        v1 -= np.where(opt == 0, sc0, 0.0)
        v2 -= np.where(opt == 0, sc1, np.where(opt == 1, sc12, 0.0))
        best = np.where(v1 > v0, 1, 0)
        vb = np.maximum(v0, v1)
        best = np.where(v2 > vb, 2, best)
        vb = np.maximum(vb, v2)
        vo = np.where(opt == 0, v0, np.where(opt == 1, v1, v2))
        opt = np.where(vb > vo, best, opt).astype(np.int8)
        hist[:, t] = opt
    onehot = np.stack([hist == o for o in range(3)], axis=2)
    if paths == 1:
        aligned = onehot.astype(float)
    else:
        aligned = onehot.reshape(B0, paths, T, 3).mean(axis=1)
    hz = pb.horizon[rep]
    run = np.cumprod((hist > 0) & (np.arange(T)[None, :] < hz[:, None]), axis=1)
    dur = run.sum(axis=1).astype(float)
    realigned = hist[:, 0] > 0
    exp_dur = float(dur[realigned].mean()) if np.any(realigned) else float("nan")
    return SimulationResult(
        aligned=aligned,
        p_aligned=aligned.mean(axis=0),
        duration=dur.reshape(B0, paths).mean(axis=1),
        expected_duration=exp_dur,
    )


# --------------------------------------------------------------------------------------------
# Batch evaluation and the JSON-ready result
# --------------------------------------------------------------------------------------------


def evaluate_batch(
    problem: RealignmentProblem, rng=None, *, method: str = "auto", paths: int = 1, years=(1, 5, 10)
) -> dict[str, np.ndarray]:
    """Per-draw scalar outcomes for experiments (every array has shape ``(B,)``).

    Keys: ``courter_wins``, ``hedges``, ``stays`` (0/1), ``outcome``, ``offer_target``,
    ``price`` (courter target, C's cost; inf if no package can flip P), ``price_value``,
    ``price_hedge``, ``willingness_to_pay``, ``incumbent_max_bid``, ``margin`` (courter target),
    ``margin_hedge``, ``need``, ``courter_payoff``, ``realignment_duration`` and, for each ``k``
    in ``years`` within the largest horizon, ``p_courter_year_k`` and ``p_hedge_year_k`` (the
    share of simulated paths with P in that option in year ``k``; 0/1 with ``paths=1``).
    """
    sol = solve(problem, method=method)
    sim = simulate(problem, rng, solution=sol, paths=paths)
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
        "realignment_duration": sim.duration,
    }
    for k in years:
        if 1 <= k <= problem.years:
            out[f"p_courter_year_{k}"] = sim.aligned[:, k - 1, 2]
            out[f"p_hedge_year_{k}"] = sim.aligned[:, k - 1, 1]
    return out


def _num(x) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


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

    def deco(arr, j):
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
    }
    if problem.batch > 1:
        out["draws"] = int(problem.batch)
        out["p_realign"] = float(np.mean(sol.outcome == 2))
        out["p_hedge"] = float(np.mean(sol.outcome == 1))
    if simulation is not None:
        out["p_realign_by_year"] = [float(v) for v in simulation.p_aligned[:, 2]]
        out["p_hedge_by_year"] = [float(v) for v in simulation.p_aligned[:, 1]]
        out["expected_duration"] = _num(simulation.expected_duration)
    return out


# --------------------------------------------------------------------------------------------
# The discrete game: exact backward induction and the pygambit cross-check
# --------------------------------------------------------------------------------------------


def _levels(pb: RealignmentProblem, idx: np.ndarray, levels) -> list[np.ndarray]:
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


def _enumerate(pb, idx, levels):
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


def solve_discrete(problem: RealignmentProblem, levels=None) -> DiscreteGame:
    """Backward induction on the discrete game (every lever on/off, or ``levels``: fractions of
    its ``[min, max]`` range, plus 0). Exhaustive and vectorised over draws.

    Ties: P prefers stay, then hedge, then courter; I and C prefer the earliest move (no counter,
    no offer).
    """
    pb = problem
    d = _derive(pb)
    ci, ii = pb.side(COURTER), pb.side(INCUMBENT)
    X = _enumerate(pb, ci, levels)
    Y = _enumerate(pb, ii, levels)
    B, nX, nY = pb.batch, X.shape[1], Y.shape[1]
    pc, kc, ac = d.lever_pv[:, ci], d.lever_cost_pv[:, ci], pb.lever_capacity[:, ci]
    wc = d.trade_weight[:, ci]
    W = np.zeros((B, nX, 2))
    for j in range(2):
        for x in range(nX):
            W[:, x, j] = _package_value_arrays(X[:, x], pc, ac, wc, d.shortfall[:, j])
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
    pch = np.argmax(PP, axis=3)
    gi = np.take_along_axis(PI, pch[..., None], axis=3)[..., 0]
    ich = np.argmax(gi, axis=2)
    gc = np.take_along_axis(PC, pch[..., None], axis=3)[..., 0]
    gc = np.take_along_axis(gc, ich[..., None], axis=2)[..., 0]
    cch = np.argmax(gc, axis=1)
    rows = np.arange(B)
    outcome = pch[rows, cch, ich[rows, cch]]
    return DiscreteGame(tuple(actions), X, Y, PC, PI, PP, pch, ich, cch, outcome, gc[rows, cch])


def build_gambit_game(problem: RealignmentProblem, draw: int = 0, levels=None):
    """The discrete game of one draw as a pygambit 17 extensive-form game.

    Players ``C``, ``I``, ``P``. C moves first (``none`` or ``h<x>``/``c<x>``: package ``x``
    conditional on hedge / courter), I observes and counters (``y<k>``), P picks
    ``stay``/``hedge``/``courter``. Returns ``(game, discrete_game)``.
    """
    import pygambit as gbt
    from pygambit import H

    dg = solve_discrete(problem.take([draw]), levels)
    labels = ["none" if t == 0 else f"{'hc'[t - 1]}{x}" for t, x in dg.actions]
    counters = [f"y{k}" for k in range(dg.counters.shape[1])]
    g = gbt.ExtensiveGame(["C", "I", "P"], title="realignment bidding game")
    g.append_move(H.path(), "C", labels)
    n = 0
    for a, la in enumerate(labels):
        g.append_move(H.path(la), "I", counters)
        for k, ly in enumerate(counters):
            g.append_move(H.path(la, ly), "P", list(OPTIONS))
            for o, lo in enumerate(OPTIONS):
                pay = {
                    "C": float(dg.payoff_c[0, a, k, o]),
                    "I": float(dg.payoff_i[0, a, k, o]),
                    "P": float(dg.payoff_p[0, a, k, o]),
                }
                g.make_outcome(H.path(la, ly, lo), pay, f"z{n}")
                n += 1
    return g, dg


def solve_gambit(problem: RealignmentProblem, draw: int = 0, levels=None) -> dict[str, Any]:
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
    labels = ["none" if t == 0 else f"{'hc'[t - 1]}{x}" for t, x in dg.actions]
    counters = [f"y{k}" for k in range(dg.counters.shape[1])]
    res = gbt.nash.logit_solve(g)
    eq = res.equilibrium
    probs = np.zeros(3)
    for la in labels:
        pa = float(eq[H.path()][la])
        for ly in counters:
            pk = float(eq[H.path(la)][ly])
            for o, lo in enumerate(OPTIONS):
                probs[o] += pa * pk * float(eq[H.path(la, ly)][lo])
    eps = 1e-9
    prof = g.mixed_behavior_profile(rational=False)

    chosen_at: dict[tuple, tuple[list[str], str]] = {}

    def pure(path, acts, chosen):
        n = len(acts)
        chosen_at[tuple(path)] = (list(acts), acts[chosen])
        prof[H.path(*path)] = {
            b: (1 - (n - 1) * eps if i == chosen else eps) for i, b in enumerate(acts)
        }

    pure((), labels, int(dg.c_choice[0]))
    for a, la in enumerate(labels):
        pure((la,), counters, int(dg.i_choice[0, a]))
        for k, ly in enumerate(counters):
            pure((la, ly), list(OPTIONS), int(dg.p_choice[0, a, k]))
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
