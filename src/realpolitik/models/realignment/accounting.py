"""The accounting convention: every quantity of the game in present value, one rule for both sides.

The rule (stated in ``docs/explanation/realignment.md``):

* a lever delivered under a commitment is a promise; it stands in year ``t`` with probability
  ``S_l(t)``; the pivot values it **and its giver pays for it only while it stands**, so value and
  cost share one durability factor ``D_l = sum_t delta^t S_l(t)`` (``A = sum_t delta^t`` for an
  immediate lever);
* the incumbent's retaliation is a threat treated like a promise: it is carried out with
  probability ``p_R`` and, once made, is sustained while it "stands" (a commitment form under the
  incumbent's turnover), ``D_R = p_R sum_t delta^t S_R(t)``; it costs the pivot the trade it cuts
  that the courter's side does not absorb and it costs the incumbent the trade it cuts too;
* each side values the pivot's choice while the pivot's own alignment stands:
  ``D_P = sum_t delta^t S_P(t)``.

Units: every value to the pivot is in the pivot's money (PV); every cost and willingness to pay of
a side in that side's money (PV). The scenario writes all of them in one currency, so a price
(the courter side's cost) and a willingness to pay (its value) are comparable, and so are the
incumbent's retention bid (its value to the pivot) and what the pivot needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models.commitment import (
    Turnover,
    discount_weights,
    election_years,
    survival,
    turnover_probability,
)
from realpolitik.models.realignment.backend import use_compiled
from realpolitik.models.realignment.problem import COURTER, PRINCIPAL, RealignmentProblem

__all__ = [
    "Accounts",
    "KnownParts",
    "accounts",
    "bid_accounts",
    "group_forms",
    "lever_survival",
    "turnover_years",
    "payer_index",
    "survival_groups",
]


@dataclass(frozen=True)
class Accounts:
    """Present values derived from a problem (every array has a leading batch axis ``B``)."""

    annuity: np.ndarray  # (B,) A = sum of delta^t over the horizon
    weights: np.ndarray  # (B, T) delta^t, zero beyond each draw's horizon
    U: np.ndarray  # (B, 3) PV of each option to P without levers (stay = 0)
    flow: np.ndarray  # (B, 3) expected yearly value of each option (stay = 0), no switching
    shortfall: np.ndarray  # (B, 2) trade per year the courter's side cannot absorb
    lost: np.ndarray  # (B, 2) trade per year I cuts if it retaliates
    retaliation_pv: np.ndarray  # (B,) D_R: PV factor of a cut (credibility x sustained)
    parts: dict[str, np.ndarray]  # PV parts of -U for the decomposition, each (B, 2)
    lever_durability: np.ndarray  # (B, L) D_l for promises, A for immediate levers
    lever_pv: np.ndarray  # (B, L) value to P per unit extent: v D_l
    lever_cost_pv: np.ndarray  # (B, L) cost to the payer per unit extent: c D_l
    lever_face: np.ndarray  # (B, L) value per unit extent if promises were certain: v A
    trade_weight: np.ndarray  # (B, L) PV of one unit of filled trade per year
    pivot_pv: np.ndarray  # (B,) D_P
    q_courter: np.ndarray  # (B, T) yearly probability of a change of government
    q_incumbent: np.ndarray
    q_pivot: np.ndarray
    payer_wtp: np.ndarray  # (B, 1 + P, 2) courter-side payers' willingness to pay (0: C)
    payer_stake: np.ndarray  # (B, 1 + P, 2) incumbent-side payers' stakes (0: I)
    wtp: np.ndarray  # (B, 2) courter side's total willingness to pay
    loss: np.ndarray  # (B, 2) incumbent side's total stake (strategic loss + retaliation cost)
    retaliation_cost: np.ndarray  # (B, 2) PV of the trade I gives up by retaliating


def payer_index(pb: RealignmentProblem) -> np.ndarray:
    """(L,) column of each lever's payer in the ``(1 + P)`` payer axis (0: the principal)."""
    col: np.ndarray = np.asarray(pb.lever_payer, dtype=np.int64) - PRINCIPAL
    return col  # the principal (-1) is column 0


_FORM_FIELDS = (
    "lever_annual_repudiation",
    "lever_successor_repudiation",
    "lever_form_probability",
    "lever_fallback_annual_repudiation",
    "lever_fallback_successor_repudiation",
)


def survival_groups(pb: RealignmentProblem) -> list[list[int]]:
    """Committed levers grouped by side and commitment parameters: one survival per group.

    The groups of a problem hold for any sub-batch of it (levers equal on every draw are equal
    on some): :func:`bid_accounts` takes them from the problem its re-bid games come from."""
    groups: list[list[int]] = []
    for j in np.flatnonzero(pb.lever_committed):
        for g in groups:
            i = g[0]
            if pb.lever_side[i] == pb.lever_side[j] and all(
                np.array_equal(getattr(pb, f)[:, i], getattr(pb, f)[:, j]) for f in _FORM_FIELDS
            ):
                g.append(int(j))
                break
        else:
            groups.append([int(j)])
    return groups


def _survival(r: np.ndarray, s: np.ndarray, change: np.ndarray, checked: bool) -> np.ndarray:
    """:func:`~realpolitik.models.commitment.survival` with ``change``; without its checks of
    the rates when ``checked`` is false (the same arithmetic)."""
    if checked:
        return survival(change.shape[-1], r, s, change=change)
    yearly = (1.0 - r[..., None]) * (1.0 - s[..., None] * change)
    return _cumprod_years(yearly)


def _cumprod_years(x: np.ndarray) -> np.ndarray:
    """``np.cumprod(x, axis=1)`` of a (B, T) array, bit for bit (a cumulative product multiplies
    in order), a year at a time: NumPy's cumulative product along a short last axis is slow."""
    out = np.empty_like(x)
    if x.shape[1] == 0:
        return out
    out[:, 0] = x[:, 0]
    for j in range(1, x.shape[1]):
        np.multiply(out[:, j - 1], x[:, j], out=out[:, j])
    return out


def _turnover(years: int, turnover: Turnover, checked: bool) -> np.ndarray:
    """:func:`~realpolitik.models.commitment.turnover_probability`; without its checks of the
    probabilities when ``checked`` is false (the same arithmetic)."""
    if checked:
        return turnover_probability(years, turnover)
    h = np.asarray(turnover.annual_hazard, dtype=float)[..., None]
    c = np.asarray(turnover.change_probability, dtype=float)[..., None]
    elect = election_years(years, turnover.elections_every, turnover.next_election)
    q: np.ndarray = 1.0 - (1.0 - h) * (1.0 - c * elect)
    return q


def turnover_years(pb: RealignmentProblem, years: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(B, ``years``) yearly probability of a change of government of the courter, the incumbent
    and the pivot, the same arithmetic as :func:`accounts` (whose own are the first
    ``pb.years`` of them), without the checks: for a problem already checked."""
    return (
        _turnover(years, pb.courter_turnover, False),
        _turnover(years, pb.incumbent_turnover, False),
        _turnover(years, pb.pivot_turnover, False),
    )


def lever_survival(
    pb: RealignmentProblem, i: int, change: np.ndarray, checked: bool = True
) -> np.ndarray:
    """(B, T) probability that lever ``i``'s promise stands in each year: its form's survival,
    mixed with its fallback form's when the form itself is uncertain (a treaty that may not be
    ratified). ``checked=False`` skips the checks of the rates (for problems derived from one
    already checked)."""
    S = _survival(
        pb.lever_annual_repudiation[:, i], pb.lever_successor_repudiation[:, i], change, checked
    )
    p = pb.lever_form_probability[:, i]
    if np.all(p == 1.0):
        return S
    S_fb = _survival(
        pb.lever_fallback_annual_repudiation[:, i],
        pb.lever_fallback_successor_repudiation[:, i],
        change,
        checked,
    )
    mixed: np.ndarray = p[:, None] * S + (1.0 - p[:, None]) * S_fb
    return mixed


def _lever_factors(
    pb: RealignmentProblem,
    w: np.ndarray,
    wR: np.ndarray,
    qC: np.ndarray,
    qI: np.ndarray,
    groups: list[list[int]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(B, L) PV factors of each lever: ``D_l`` (value and cost) and the PV of a unit of trade
    it fills while both the promise and the cut stand (``A`` and ``D_R`` for immediate levers).
    ``groups``: :func:`survival_groups` known to hold for ``pb``, whose rates are then not
    checked again (``None``: found and checked here). In NumPy (see :func:`_compiled_core`)."""
    L = len(pb.lever_names)
    dur = np.repeat(w.sum(axis=1)[:, None], L, axis=1)
    tw = np.repeat(wR.sum(axis=1)[:, None], L, axis=1)
    for grp in survival_groups(pb) if groups is None else groups:
        i = grp[0]
        q = qC if pb.lever_side[i] == COURTER else qI
        S = lever_survival(pb, i, q, checked=groups is None)
        dur[:, grp] = np.sum(w * S, axis=1)[:, None]
        tw[:, grp] = np.sum(wR * S, axis=1)[:, None]
    return dur, tw


def group_forms(pb: RealignmentProblem, groups: list[list[int]]) -> np.ndarray:
    """(B, G + 1, 5) the commitment form of each of the ``groups`` (its first lever's
    :data:`_FORM_FIELDS`), then the pivot's own (its two rates; a certain form): what the
    compiled accounts read. A simulation gathers them once for the year-1 problem (the rows of
    a re-bid game are the same rows)."""
    B, G = pb.batch, len(groups)
    out = np.zeros((B, G + 1, 5))
    for g, grp in enumerate(groups):
        for k, f in enumerate(_FORM_FIELDS):
            out[:, g, k] = getattr(pb, f)[:, grp[0]]
    out[:, G, 0] = pb.pivot_annual_repudiation
    out[:, G, 1] = pb.pivot_successor_repudiation
    out[:, G, 2] = 1.0
    return out


def accounts(pb: RealignmentProblem) -> Accounts:
    """Derive every present value the game uses from ``pb`` under the one accounting rule.

    Steps
    -----
    1. Discount weights ``delta^t`` up to each draw's horizon; annuity ``A``.
    2. Retaliation: ``D_R = p_R sum_t delta^t S_R(t)`` (``S_R`` under I's turnover). P loses
       ``g sf_o D_R`` (``sf_o`` the cut trade its partners do not absorb); I loses
       ``g_I lost_o D_R``.
    3. Options: ``U_o = -g sf_o D_R + A sum_k c_ko - SC_o`` (stay = 0).
    4. Levers: ``D_l`` for promises (the giver's survival), ``A`` otherwise; value ``v D_l``
       and cost ``c D_l`` per unit extent. A unit of trade a capacity lever fills is worth
       ``g sum_t delta^t p_R S_R(t) S_l(t)``: it is needed only while the cut is in force and
       delivered only while the promise stands.
    5. Sides: each courter-side payer's willingness to pay is its value times ``D_P``; each
       incumbent-side payer's stake its loss times ``D_P``, plus (for I) the retaliation cost.
    """
    core = _core(pb, None)
    A, D_R = core["annuity"], core["retaliation_pv"]
    g = pb.gains_share[:, None]
    comp = pb.components.sum(axis=1)  # (B, 2)
    flow = np.zeros((pb.batch, 3))
    flow[:, 1:] = -g * core["shortfall"] * (D_R / A)[:, None] + comp  # A > 0: horizon 1+ years
    absorbed = np.minimum(core["lost"], pb.replacement_capacity)
    parts = {
        "retaliation": g * core["lost"] * D_R[:, None],
        "replacement": -g * absorbed * D_R[:, None],
    }
    parts["switching_cost"] = pb.switching_cost.copy()
    for k, name in enumerate(pb.component_names):
        parts[name] = -pb.components[:, k, :] * A[:, None]
    return Accounts(
        **core,
        flow=flow,
        parts=parts,
        lever_face=pb.lever_value * A[:, None],
        wtp=core["payer_wtp"].sum(axis=1),
        loss=core["payer_stake"].sum(axis=1),
    )


#: The fields of :class:`Accounts` that :func:`bid_accounts` leaves empty.
NOT_FOR_BIDS = ("flow", "parts", "lever_face", "wtp", "loss")


@dataclass(frozen=True)
class KnownParts:
    """Parts of a problem's accounts its caller already has, each bit for bit what
    :func:`bid_accounts` would find (a simulation takes them from its year-1 problem instead of
    finding them again for every re-bid game): ``weights`` (B, T) the discount weights (``None``:
    found here),
    ``q_courter``, ``q_incumbent``, ``q_pivot`` (B, T) the yearly turnover probabilities and
    ``components_sum`` (B, 2) ``components.sum(axis=1)``; ``forms`` (B, G + 1, 5) the
    :func:`group_forms` of the survival groups the accounts are found with (``None``: found
    here where read)."""

    weights: np.ndarray | None
    q_courter: np.ndarray
    q_incumbent: np.ndarray
    q_pivot: np.ndarray
    components_sum: np.ndarray
    forms: np.ndarray | None = None


def bid_accounts(
    pb: RealignmentProblem, groups: list[list[int]], known: KnownParts | None = None
) -> Accounts:
    """The accounts the bidding itself reads (what :func:`~realpolitik.models.realignment.game.
    equilibrium_bids` and the simulation's re-bids need), each bit for bit as in
    :func:`accounts`, for a problem derived from one already checked by :func:`accounts` (its
    rates and probabilities are not checked again); ``groups`` its :func:`survival_groups`;
    ``known``: parts the caller already has (found here if omitted).

    The fields :data:`NOT_FOR_BIDS` (option flows, the decomposition's parts, face values and
    the sides' totals) are left empty."""
    empty = np.zeros((0,))
    return Accounts(
        **_core(pb, groups, known), flow=empty, parts={}, lever_face=empty, wtp=empty, loss=empty
    )


def _known_parts(
    pb: RealignmentProblem, checked: bool, known: KnownParts | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Step 1 of :func:`accounts` and the turnover probabilities: ``(w, qC, qI, qP, the
    components' sum)``, from ``known`` if given."""
    T = pb.years
    if known is not None and known.weights is not None:
        w = known.weights
    elif checked:
        w = discount_weights(T, pb.discount_rate, pb.horizon)  # (B, T)
    else:  # the same arithmetic without the check of the rates
        t = np.arange(1, T + 1)
        w = np.where(t <= pb.horizon[:, None], (1.0 + pb.discount_rate[:, None]) ** (-t), 0.0)
    if known is not None:
        return w, known.q_courter, known.q_incumbent, known.q_pivot, known.components_sum
    qC = _turnover(T, pb.courter_turnover, checked)
    qI = _turnover(T, pb.incumbent_turnover, checked)
    qP = _turnover(T, pb.pivot_turnover, checked)
    return w, qC, qI, qP, pb.components.sum(axis=1)


def _numpy_core(
    pb: RealignmentProblem,
    w: np.ndarray,
    qC: np.ndarray,
    qI: np.ndarray,
    qP: np.ndarray,
    groups: list[list[int]] | None,
) -> dict[str, np.ndarray]:
    """The discounted factors of :func:`_core` in NumPy: the annuity, ``D_R``, ``D_P`` and
    each lever's factors, PV value, cost and trade weight (rates checked unless ``groups``
    is given)."""
    checked = groups is None
    A = w.sum(axis=1)
    S_R = _survival(
        pb.retaliation_annual_repudiation, pb.retaliation_successor_repudiation, qI, checked
    )
    wR = w * S_R * pb.retaliation_credibility[:, None]  # (B, T)
    D_R = wR.sum(axis=1)
    dur, tw = _lever_factors(pb, w, wR, qC, qI, groups)
    S_P = _survival(pb.pivot_annual_repudiation, pb.pivot_successor_repudiation, qP, checked)
    D_P = np.sum(w * S_P, axis=1)
    return {
        "annuity": A,
        "retaliation_pv": D_R,
        "pivot_pv": D_P,
        "lever_durability": dur,
        "lever_pv": pb.lever_value * dur,
        "lever_cost_pv": pb.lever_cost * dur,
        "trade_weight": pb.gains_share[:, None] * tw,
    }


def _compiled_core(
    pb: RealignmentProblem,
    w: np.ndarray,
    qC: np.ndarray,
    qI: np.ndarray,
    qP: np.ndarray,
    groups: list[list[int]],
    known: KnownParts | None,
) -> dict[str, np.ndarray]:
    """:func:`_numpy_core` compiled, for unchecked rates (``groups`` given): one pass over
    the draws (:func:`~realpolitik.models.realignment.survival_kernels.core_factors`), the
    same bits. ``known``: the groups' forms, if at hand."""
    from realpolitik.models.realignment import survival_kernels as sk

    forms = None if known is None else known.forms
    if forms is None:
        forms = group_forms(pb, groups)
    G = len(groups)
    group = np.full(len(pb.lever_names), -1, dtype=np.int64)
    for k, grp in enumerate(groups):
        group[grp] = k
    courter = np.array([pb.lever_side[grp[0]] == COURTER for grp in groups], dtype=bool)
    # a group mixes in its fallback form where the form is uncertain on some draw (of these)
    mixed = ~np.all(forms[:, :G, 2] == 1.0, axis=0)
    c = np.ascontiguousarray
    sums, per_lever = sk.core_factors(
        c(w), c(qC), c(qI), c(qP),
        (
            c(pb.retaliation_annual_repudiation),
            c(pb.retaliation_successor_repudiation),
            c(pb.retaliation_credibility),
        ),
        c(forms), courter, mixed, group, c(pb.lever_value), c(pb.lever_cost),
        c(pb.gains_share),
    )  # fmt: skip
    return {
        "annuity": sums[0],
        "retaliation_pv": sums[1],
        "pivot_pv": sums[2],
        "lever_durability": per_lever[0],
        "lever_pv": per_lever[2],
        "lever_cost_pv": per_lever[3],
        "trade_weight": per_lever[4],
    }


def _core(
    pb: RealignmentProblem, groups: list[list[int]] | None, known: KnownParts | None = None
) -> dict[str, Any]:
    """Steps 1 to 5 of :func:`accounts` without the option flows, the decomposition's parts,
    face values and totals; checks the rates and probabilities unless ``groups`` is given;
    ``known``: see :func:`bid_accounts`."""
    checked = groups is None
    w, qC, qI, qP, comp = _known_parts(pb, checked, known)
    lost = pb.retaliation * pb.trade_with_incumbent[:, None]  # (B, 2)
    absorbed = np.minimum(lost, pb.replacement_capacity)
    shortfall = lost - absorbed
    g = pb.gains_share[:, None]
    if groups is not None and w.shape[1] > 0 and use_compiled(pb.batch):
        factors = _compiled_core(pb, w, qC, qI, qP, groups, known)
    else:
        factors = _numpy_core(pb, w, qC, qI, qP, groups)
    A, D_R, D_P = factors["annuity"], factors["retaliation_pv"], factors["pivot_pv"]
    U = np.zeros((pb.batch, 3))
    U[:, 1:] = -g * shortfall * D_R[:, None] + comp * A[:, None] - pb.switching_cost
    rcost = pb.incumbent_gains_share[:, None] * lost * D_R[:, None]
    P = len(pb.payer_names)
    wtp_m = np.zeros((pb.batch, 1 + P, 2))
    stake_m = np.zeros((pb.batch, 1 + P, 2))
    wtp_m[:, 0] = pb.courter_value * D_P[:, None]
    stake_m[:, 0] = pb.incumbent_value * D_P[:, None] + rcost
    for m in range(P):
        target = wtp_m if pb.payer_side[m] == COURTER else stake_m
        target[:, 1 + m] = pb.payer_value[:, m] * D_P[:, None]
    return {
        **factors,
        "weights": w,
        "U": U,
        "shortfall": shortfall,
        "lost": lost,
        "q_courter": qC,
        "q_incumbent": qI,
        "q_pivot": qP,
        "payer_wtp": wtp_m,
        "payer_stake": stake_m,
        "retaliation_cost": rcost,
    }
