"""Realignment: could the courter pull the pivot from its incumbent partner, at what price, for how long.

The pivot P chooses among three options: stay with the incumbent I, hedge, or align with the
courter C. The courter offers a package of levers conditional on one target option (hedge or
courter); the incumbent sees the offer and may counter with its own levers, conditional on P
staying; P takes the best option. Everything is valued in present value (PV) over a horizon of
``H`` years at discount rate ``rho``; promises (levers under a commitment) are discounted by their
survival (:mod:`realpolitik.models.commitment`), retaliation and sunk switching costs are not.

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

import itertools
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
        [levers[].adds_replacement_capacity]; such a lever's value counts only for the trade
        shortfall it fills (courter levers only).
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
        for name, (a, tail) in per_draw.items():
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
    lever_pv = pb.lever_value * A[:, None]
    qC = turnover_probability(T, pb.courter_turnover)  # (B, T)
    qI = turnover_probability(T, pb.incumbent_turnover)
    com = np.flatnonzero(pb.lever_committed)
    if com.size:
        q = np.where((pb.lever_side[com] == COURTER)[None, :, None], qC[:, None, :],
                     qI[:, None, :])
        S = survival(T, pb.lever_annual_repudiation[:, com],
                     pb.lever_successor_repudiation[:, com], change=q)
        lever_pv = lever_pv.copy()
        lever_pv[:, com] = pb.lever_value[:, com] * np.einsum("bt,blt->bl", w, S)
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
# Package values and the two knapsacks (fast path)
# --------------------------------------------------------------------------------------------


def _package_value_arrays(x, p, a, sf):
    """Value ``max sum p z`` s.t. ``z <= x`` and ``sum a z <= sf`` (a = 0: plain levers).

    A fractional knapsack over the capacity levers by value per unit of capacity; vectorised.
    """
    plain = np.where(a > 0, 0.0, p * x).sum(axis=1)
    is_cap = a > 0
    if not np.any(is_cap):
        return plain
    cap_used = np.where(is_cap, a * x, 0.0)
    dens = np.where(is_cap, p / np.where(is_cap, a, 1.0), -np.inf)
    order = np.argsort(-dens, axis=1, kind="stable")
    cu = np.take_along_axis(cap_used, order, axis=1)
    dn = np.take_along_axis(dens, order, axis=1)
    before = np.cumsum(cu, axis=1) - cu
    room = np.clip(sf[:, None] - before, 0.0, None)
    filled = np.minimum(cu, room)
    return plain + np.sum(filled * np.where(np.isfinite(dn), dn, 0.0), axis=1)


def _binary_subsets(binary: np.ndarray) -> np.ndarray:
    nb = int(binary.sum())
    if nb > MAX_BINARY_ENUM:
        raise ModelError(f"{nb} on/off levers on one side: too many for exact enumeration")
    return np.array(list(itertools.product((0.0, 1.0), repeat=nb))).reshape(2**nb, nb)


def _greedy_min_cost(p, k, lo, hi, cap, need):
    """Box ``[lo, hi]`` continuous levers; value ``p * min(e, cap)``: cheapest ``value >= need``.

    Returns cost (inf where unreachable) and extents. Steps: the lower bounds are mandatory;
    the rest is a fractional knapsack: levers sorted by cost per unit of value, filled in order,
    the last one partly.
    """
    v0 = np.sum(p * np.minimum(lo, cap), axis=1)
    c0 = np.sum(k * lo, axis=1)
    r = need - v0
    de = np.clip(np.minimum(hi, cap) - lo, 0.0, None)
    de = np.where(p > 0, de, 0.0)
    dv = p * de
    ratio = np.where(p > 0, k / np.where(p > 0, p, 1.0), np.inf)
    order = np.argsort(ratio, axis=1, kind="stable")
    dv_s = np.take_along_axis(dv, order, axis=1)
    dc_s = np.take_along_axis(k * de, order, axis=1)
    rt_s = np.take_along_axis(ratio, order, axis=1)
    p_s = np.take_along_axis(p, order, axis=1)
    cumv = np.cumsum(dv_s, axis=1)
    cumc = np.cumsum(dc_s, axis=1)
    m = p.shape[1]
    idx = np.sum(cumv < r[:, None], axis=1)  # first lever that reaches the need
    rows = np.arange(p.shape[0])
    prev_v = np.where(idx > 0, cumv[rows, np.maximum(idx - 1, 0)], 0.0) if m else np.zeros_like(r)
    prev_c = np.where(idx > 0, cumc[rows, np.maximum(idx - 1, 0)], 0.0) if m else np.zeros_like(r)
    ok = idx < m
    ji = np.minimum(idx, max(m - 1, 0))
    rem = np.clip(r - prev_v, 0.0, None)
    part_c = np.where(ok, rem * (rt_s[rows, ji] if m else 0.0), 0.0)
    cost = np.where(r <= 0, c0, np.where(ok, c0 + prev_c + part_c, np.inf))
    pos = np.arange(m)[None, :]
    de_s = np.take_along_axis(de, order, axis=1)
    take = np.where(pos < idx[:, None], de_s, 0.0)
    if m:
        part_e = np.where(ok, rem / np.where(p_s[rows, ji] > 0, p_s[rows, ji], 1.0), 0.0)
        take[rows, ji] += np.where(ok & (r > 0), part_e, 0.0)
    take = np.where(r[:, None] <= 0, 0.0, take)
    ext_inc = np.empty_like(take)
    np.put_along_axis(ext_inc, order, take, axis=1)
    return cost, lo + ext_inc


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
    k_s = np.take_along_axis(k, order, axis=1)
    p_s = np.take_along_axis(p, order, axis=1)
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
    del k_s, p_s
    return value, lo + ext_inc


def _fast_min_cost(p, k, lo, hi, binary, cap, need):
    """Cheapest package (``0`` or within the box) worth at least ``need``; binary levers are
    enumerated, continuous levers solved as a fractional knapsack per subset."""
    B, m = p.shape
    best_c = np.full(B, np.inf)
    best_e = np.zeros((B, m))
    cont = ~binary
    for sub in _binary_subsets(binary):
        e_bin = np.zeros((B, m))
        e_bin[:, binary] = sub[None, :] * hi[:, binary]
        vb = np.sum(np.where(binary, p * np.minimum(e_bin, cap), 0.0), axis=1)
        cb = np.sum(np.where(binary, k * e_bin, 0.0), axis=1)
        c, e = _greedy_min_cost(p[:, cont], k[:, cont], lo[:, cont], hi[:, cont], cap[:, cont],
                                need - vb)
        c = c + cb
        better = c < best_c
        best_c = np.where(better, c, best_c)
        e_all = e_bin.copy()
        e_all[:, cont] = e
        best_e = np.where(better[:, None], e_all, best_e)
    return best_c, best_e


def _fast_max_value(p, k, lo, hi, binary, budget):
    """Largest value of a package (empty, or within the box) costing at most ``budget``."""
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


def _box_max_value(p, lo, hi, binary, a, sf):
    """Largest value P can get from one side's levers (all useful levers at their maximum)."""
    e = np.where(p > 0, hi, np.where(binary, 0.0, lo))
    return _package_value_arrays(e, p, a, sf)


# --------------------------------------------------------------------------------------------
# HiGHS reference (block-diagonal over draws: one solver call per sub-problem)
# --------------------------------------------------------------------------------------------


def _highs(p, k, lo, hi, binary, a, sf, rhs, mode):
    """Solve every draw's problem in one block-diagonal MILP with HiGHS.

    Per draw, variables ``e`` (extents; on/off levers as 0/1 scaled by ``hi``) and ``z`` (useful
    extents): ``z <= e``, ``sum a z <= sf``; ``mode='min_cost'``: minimise ``k e`` s.t.
    ``p z >= rhs``; ``mode='max_value'``: maximise ``p z`` s.t. ``k e <= rhs``.
    Returns (objective per draw, extents); rows with ``rhs`` NaN are skipped (objective NaN).
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
    pe, ke, ae = p[rows_ok], k[rows_ok] * scale, a[rows_ok]
    lo_e = np.where(binary[None, :], 0.0, lo[rows_ok])
    hi_e = np.where(binary[None, :], 1.0, hi[rows_ok])
    nv = 2 * m
    base = (np.arange(n) * nv)[:, None]
    ei = base + np.arange(m)[None, :]
    zi = base + m + np.arange(m)[None, :]
    nr = m + 2
    rbase = (np.arange(n) * nr)[:, None]
    r_link = rbase + np.arange(m)[None, :]
    r_cap = rbase[:, 0] + m
    r_main = rbase[:, 0] + m + 1
    I, J, V = [], [], []
    I += [r_link.ravel(), r_link.ravel()]
    J += [zi.ravel(), ei.ravel()]
    V += [np.ones(n * m), -scale.ravel()]
    I.append(np.repeat(r_cap, m))
    J.append(zi.ravel())
    V.append(ae.ravel())
    lb = np.full(n * nr, -np.inf)
    ub = np.zeros(n * nr)
    ub[r_cap] = sf[rows_ok]
    c = np.zeros(n * nv)
    if mode == "min_cost":
        I.append(np.repeat(r_main, m))
        J.append(zi.ravel())
        V.append(pe.ravel())
        lb[r_main] = rhs[rows_ok]
        ub[r_main] = np.inf
        c[ei.ravel()] = ke.ravel()
    else:
        I.append(np.repeat(r_main, m))
        J.append(ei.ravel())
        V.append(ke.ravel())
        ub[r_main] = rhs[rows_ok]
        c[zi.ravel()] = -pe.ravel()
    A = coo_matrix((np.concatenate(V), (np.concatenate(I), np.concatenate(J))),
                   shape=(n * nr, n * nv)).tocsr()
    lbv = np.zeros(n * nv)
    ubv = np.full(n * nv, np.inf)
    lbv[ei.ravel()] = lo_e.ravel()
    ubv[ei.ravel()] = hi_e.ravel()
    integ = np.zeros(n * nv)
    integ[ei.ravel()] = np.broadcast_to(binary[None, :], (n, m)).ravel().astype(float)
    res = milp(c, constraints=LinearConstraint(A, lb, ub), integrality=integ,
               bounds=Bounds(lbv, ubv), options={"mip_rel_gap": 1e-12, "presolve": True})
    if res.x is None:
        raise ModelError(f"HiGHS failed on the realignment problem: {res.message}")
    x = res.x
    e = x[ei] * scale
    z = x[zi]
    if mode == "min_cost":
        obj[rows_ok] = np.sum(k[rows_ok] * e, axis=1)
    else:
        obj[rows_ok] = np.sum(pe * z, axis=1)
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
    )


def _choose_method(pb: RealignmentProblem, method: str) -> str:
    if method not in ("auto", "fast", "highs"):
        raise ModelError(f"method must be 'auto', 'fast' or 'highs', got {method!r}")
    cap_levers = int(np.sum(np.any(pb.lever_capacity > 0, axis=0)))
    nb = max(
        int(pb.lever_binary[pb.lever_side == s].sum()) for s in (COURTER, INCUMBENT)
    ) if len(pb.lever_names) else 0
    fast_ok = cap_levers <= 1 and nb <= MAX_BINARY_ENUM
    if method == "fast" and not fast_ok:
        raise ModelError(
            "the fast path needs at most one lever with adds_replacement_capacity and at most "
            f"{MAX_BINARY_ENUM} on/off levers per side; use method='highs'"
        )
    if method == "auto":
        return "fast" if fast_ok else "highs"
    return method


def _min_cost(method, p, k, lo, hi, binary, a, sf, need):
    """Cheapest package worth ``need`` (``0`` if ``need < 0``); inf if out of reach."""
    wmax = _box_max_value(p, lo, hi, binary, a, sf)
    feasible = (need < 0) | (need < wmax)
    B, m = p.shape
    if method == "fast":
        cap = np.where(a > 0, sf[:, None] / np.where(a > 0, a, 1.0), np.inf)
        cost, ext = _fast_min_cost(p, k, lo, hi, binary, cap, np.maximum(need, 0.0))
    else:
        rhs = np.where(feasible & (need >= 0), need, np.nan)
        cost, ext = _highs(p, k, lo, hi, binary, a, sf, rhs, "min_cost")
    cost = np.where(need < 0, 0.0, np.where(feasible, cost, np.inf))
    ext = np.where((need < 0)[:, None] | ~feasible[:, None], 0.0, ext)
    return cost, ext, feasible, wmax


def _max_value(method, p, k, lo, hi, binary, budget):
    B, m = p.shape
    if method == "fast":
        return _fast_max_value(p, k, lo, hi, binary, budget)
    mand = np.sum(np.where(binary, 0.0, k * lo), axis=1)
    rhs = np.where(budget >= mand, budget, np.nan)
    v, e = _highs(p, k, lo, hi, binary, np.zeros_like(p), np.zeros(B), rhs, "max_value")
    v = np.where(np.isfinite(rhs), np.maximum(v, 0.0), 0.0)
    return v, np.where(v[:, None] > 0, e, 0.0)


def solve(problem: RealignmentProblem, method: str = "auto") -> RealignmentSolution:
    """Solve the bidding game for every draw by backward induction.

    Steps
    -----
    1. Value the options: ``U_o = A (-g rho_o T + g min(rho_o T, K_o) + sum_k c_ko) - SC_o``
       (``A = sum_t delta^t``; stay is 0), levers at ``v D_l`` per unit extent, with
       ``D_l = sum_t delta^t S_l(t)`` for promises and ``A`` otherwise; costs at ``c A``.
    2. Incumbent (last bidder): against P leaving for ``o``, its maximum retention bid
       ``B_I(o) = max W_I(y)`` s.t. ``cost_I(y) <= L_o`` (``L_o`` the PV of its loss).
    3. Courter: for target ``o``, P must get ``need_o = max(B_I(o), U_other) - U_o`` from the
       package; the price is the cheapest package worth ``need_o`` (a fractional knapsack, or
       HiGHS), infinite beyond the levers' reach.
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
    method : 'auto' (fast path when it applies), 'fast' or 'highs' (the reference).
    """
    pb = problem
    m = _choose_method(pb, method)
    d = _derive(pb)
    B = pb.batch
    ci, cp, ck, clo, chi, cbin, ca = _side_arrays(pb, d, COURTER)
    ii, ip, ik, ilo, ihi, ibin, _ = _side_arrays(pb, d, INCUMBENT)
    U = d.U
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
        price[:, j], pk[:, j], feas[:, j], wmax[:, j] = _min_cost(
            m, cp, ck, clo, chi, cbin, ca, d.shortfall[:, j], need[:, j]
        )
    pval = np.stack([_package_value_arrays(pk[:, j], cp, ca, d.shortfall[:, j]) for j in range(2)],
                    axis=1)
    face_p = d.lever_face[:, ci]
    pface = np.stack(
        [_package_value_arrays(pk[:, j], face_p, ca, d.shortfall[:, j]) for j in range(2)], axis=1
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
    ccost, cext, _, _ = _min_cost(m, ip, ik, ilo, ihi, ibin, np.zeros_like(ip), np.zeros(B),
                                  need_i)
    counter = np.where(retains[:, None], cext, 0.0)
    del ccost
    causes, dval, dcost = _decompose(pb, d, U, bid, need, pval, pface, price, feas)
    return RealignmentSolution(
        outcome=outcome,
        offer_target=target,
        option_values=U,
        price=price,
        price_value=pval,
        price_face=pface,
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
        method=m,
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
    names = ["retaliation", "replacement", "switching_cost", *pb.component_names,
             "incumbent_counter", "outside_option", "credibility", "excess"]
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
    return _package_value_arrays(x, d.lever_pv[:, ci], problem.lever_capacity[:, ci],
                                 d.shortfall[:, target - 1])


def incumbent_best_counter(problem: RealignmentProblem, package, target: int,
                           method: str = "auto"):
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
    ii, ip, ik, ilo, ihi, ibin, _ = _side_arrays(pb, d, INCUMBENT)
    budget = np.where(alt == 1, d.loss[:, 0], d.loss[:, 1])
    bid, _ = _max_value(m, ip, ik, ilo, ihi, ibin, budget)
    retains = bid >= M
    need_i = np.where(retains & (M > 0), M, -1.0)
    _, ext, _, _ = _min_cost(m, ip, ik, ilo, ihi, ibin, np.zeros_like(ip), np.zeros(pb.batch),
                             need_i)
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


def simulate(problem: RealignmentProblem, rng=None, solution: RealignmentSolution | None = None,
             paths: int = 1) -> SimulationResult:
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
    p_c, p_i = cred[:, ci], cred[:, ii]
    a_c = pb.lever_capacity[rep][:, ci]
    target = sol.offer_target[rep]
    pkg = sol.package[rep]
    ctr = sol.counter[rep]
    sf_t = np.where(target == 1, d.shortfall[rep, 0], d.shortfall[rep, 1])
    alive_c = pkg > 0
    alive_i = ctr > 0
    flow = d.flow[rep]
    shift = np.concatenate([np.zeros((B0, 1)), pb.successor_shift], axis=1)[rep]
    sc = pb.switching_cost[rep]
    SC = np.zeros((n, 3, 3))
    SC[:, 0, 1], SC[:, 0, 2] = sc[:, 0], sc[:, 1]
    SC[:, 1, 2] = np.maximum(sc[:, 1] - sc[:, 0], 0.0)
    w = d.weights[rep]
    # remaining annuity at year t: sum_{u>=t} delta^(u-t+1) = (sum_{u>=t} w_u) / delta^(t-1)
    rho = pb.discount_rate[rep][:, None]
    tail = np.cumsum(w[:, ::-1], axis=1)[:, ::-1]
    arem = tail * (1.0 + rho) ** np.arange(T)[None, :]
    q = [x[rep] for x in (d.q_courter, d.q_incumbent, d.q_pivot)]
    rr = pb.lever_annual_repudiation[rep]
    ss = pb.lever_successor_repudiation[rep]
    committed = pb.lever_committed
    opt = sol.outcome[rep].copy()
    successor = np.zeros(n, bool)
    hist = np.zeros((n, T), np.int8)
    hist[:, 0] = opt
    rows = np.arange(n)
    for t in range(1, T):
        u = gen.random((n, 3 + ci.size + ii.size))
        chg = [u[:, j] < q[j][:, t] for j in range(3)]
        ul = u[:, 3:]
        if ci.size:
            lapse = ul[:, : ci.size] < 1 - (1 - rr[:, ci]) * (1 - ss[:, ci] * chg[0][:, None])
            alive_c &= ~(lapse & committed[ci][None, :])
        if ii.size:
            lapse = ul[:, ci.size:] < 1 - (1 - rr[:, ii]) * (1 - ss[:, ii] * chg[1][:, None])
            alive_i &= ~(lapse & committed[ii][None, :])
        successor |= chg[2]
        fl = flow + np.where(successor[:, None], shift, 0.0)
        vpk = _package_value_arrays(np.where(alive_c, pkg, 0.0), p_c, a_c, sf_t)
        vct = np.sum(np.where(alive_i, ctr * p_i, 0.0), axis=1)
        yearly = fl.copy()
        yearly[:, 0] += vct
        yearly[rows, np.clip(target, 0, 2)] += np.where(target > 0, vpk, 0.0)
        vals = yearly * arem[:, t][:, None] - SC[rows, opt, :]
        best = np.argmax(vals, axis=1)
        move = vals[rows, best] > vals[rows, opt]
        opt = np.where(move, best, opt)
        hist[:, t] = opt
    onehot = (hist[:, :, None] == np.arange(3)[None, None, :]).astype(float)
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


def evaluate_batch(problem: RealignmentProblem, rng=None, *, method: str = "auto",
                   paths: int = 1, years=(1, 5, 10)) -> dict[str, np.ndarray]:
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


def result_dict(problem: RealignmentProblem, solution: RealignmentSolution | None = None,
                simulation: SimulationResult | None = None, index: int = 0) -> dict[str, Any]:
    """A JSON-ready summary: draw ``index`` for the point fields, the batch for probabilities.

    Prices and margins refer to the courter target (full realignment); ``hedge`` repeats them
    for the hedge target. Infinite prices (no package can flip P) are ``None``.
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
        "courter_willingness_to_pay": float(sol.willingness_to_pay[i, 1]),
        "incumbent_max_bid": float(sol.incumbent_max_bid[i, 1]),
        "margin": _num(sol.margin[i, 1]),
        "feasible": bool(sol.feasible[i, 1]),
        "decomposition": deco(sol.decomposition, 1),
        "decomposition_value": deco(sol.decomposition_value, 1),
        "options": {o: float(v) for o, v in zip(OPTIONS, sol.option_values[i], strict=True)},
        "package": {n: float(v) for n, v in zip(sol.courter_levers, sol.packages[i, 1],
                                                 strict=True)},
        "counter": {n: float(v) for n, v in zip(sol.incumbent_levers, sol.counter[i],
                                                 strict=True)},
        "hedge": {
            "price": _num(sol.price[i, 0]),
            "courter_willingness_to_pay": float(sol.willingness_to_pay[i, 0]),
            "incumbent_max_bid": float(sol.incumbent_max_bid[i, 0]),
            "margin": _num(sol.margin[i, 0]),
            "feasible": bool(sol.feasible[i, 0]),
            "decomposition": deco(sol.decomposition, 0),
            "package": {n: float(v) for n, v in zip(sol.courter_levers, sol.packages[i, 0],
                                                     strict=True)},
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
    W = np.zeros((B, nX, 2))
    for j in range(2):
        for x in range(nX):
            W[:, x, j] = _package_value_arrays(X[:, x], pc, ac, d.shortfall[:, j])
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
    return DiscreteGame(tuple(actions), X, Y, PC, PI, PP, pch, ich, cch, outcome,
                        gc[rows, cch])


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
                pay = {"C": float(dg.payoff_c[0, a, k, o]), "I": float(dg.payoff_i[0, a, k, o]),
                       "P": float(dg.payoff_p[0, a, k, o])}
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
    for a, la in enumerate(labels):
        pa = float(eq[H.path()][la])
        for k, ly in enumerate(counters):
            pk = float(eq[H.path(la)][ly])
            for o, lo in enumerate(OPTIONS):
                probs[o] += pa * pk * float(eq[H.path(la, ly)][lo])
    eps = 1e-9
    prof = g.mixed_behavior_profile(rational=False)

    chosen_at: dict[tuple, tuple[list[str], str]] = {}

    def pure(path, acts, chosen):
        n = len(acts)
        chosen_at[tuple(path)] = (list(acts), acts[chosen])
        prof[H.path(*path)] = {b: (1 - (n - 1) * eps if i == chosen else eps)
                               for i, b in enumerate(acts)}

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
        "ours": {"outcome": OPTIONS[int(dg.outcome[0])], "courter_payoff":
                 float(dg.courter_payoff[0]), "action": labels[int(dg.c_choice[0])]},
        "max_regret": regret,
        "converged": bool(res.success),
    }
