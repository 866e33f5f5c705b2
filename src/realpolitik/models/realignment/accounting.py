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

import numpy as np

from realpolitik.models.commitment import discount_weights, survival, turnover_probability
from realpolitik.models.realignment.problem import COURTER, PRINCIPAL, RealignmentProblem

__all__ = ["Accounts", "accounts", "lever_survival", "payer_index"]


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


def _survival_groups(pb: RealignmentProblem) -> list[list[int]]:
    """Committed levers grouped by side and commitment parameters: one survival per group."""
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


def lever_survival(pb: RealignmentProblem, i: int, change: np.ndarray) -> np.ndarray:
    """(B, T) probability that lever ``i``'s promise stands in each year: its form's survival,
    mixed with its fallback form's when the form itself is uncertain (a treaty that may not be
    ratified)."""
    T = pb.years
    S = survival(
        T, pb.lever_annual_repudiation[:, i], pb.lever_successor_repudiation[:, i], change=change
    )
    p = pb.lever_form_probability[:, i]
    if np.all(p == 1.0):
        return S
    S_fb = survival(
        T,
        pb.lever_fallback_annual_repudiation[:, i],
        pb.lever_fallback_successor_repudiation[:, i],
        change=change,
    )
    mixed: np.ndarray = p[:, None] * S + (1.0 - p[:, None]) * S_fb
    return mixed


def _lever_factors(
    pb: RealignmentProblem, w: np.ndarray, wR: np.ndarray, qC: np.ndarray, qI: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(B, L) PV factors of each lever: ``D_l`` (value and cost) and the PV of a unit of trade
    it fills while both the promise and the cut stand (``A`` and ``D_R`` for immediate levers)."""
    L = len(pb.lever_names)
    dur = np.repeat(w.sum(axis=1)[:, None], L, axis=1)
    tw = np.repeat(wR.sum(axis=1)[:, None], L, axis=1)
    for grp in _survival_groups(pb):
        i = grp[0]
        q = qC if pb.lever_side[i] == COURTER else qI
        S = lever_survival(pb, i, q)
        dur[:, grp] = np.sum(w * S, axis=1)[:, None]
        tw[:, grp] = np.sum(wR * S, axis=1)[:, None]
    return dur, tw


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
    T = pb.years
    w = discount_weights(T, pb.discount_rate, pb.horizon)  # (B, T)
    A = w.sum(axis=1)
    qC = turnover_probability(T, pb.courter_turnover)
    qI = turnover_probability(T, pb.incumbent_turnover)
    qP = turnover_probability(T, pb.pivot_turnover)
    S_R = survival(
        T, pb.retaliation_annual_repudiation, pb.retaliation_successor_repudiation, change=qI
    )
    wR = w * S_R * pb.retaliation_credibility[:, None]  # (B, T)
    D_R = wR.sum(axis=1)
    lost = pb.retaliation * pb.trade_with_incumbent[:, None]  # (B, 2)
    absorbed = np.minimum(lost, pb.replacement_capacity)
    shortfall = lost - absorbed
    g = pb.gains_share[:, None]
    comp = pb.components.sum(axis=1)  # (B, 2)
    U = np.zeros((pb.batch, 3))
    U[:, 1:] = -g * shortfall * D_R[:, None] + comp * A[:, None] - pb.switching_cost
    flow = np.zeros((pb.batch, 3))
    flow[:, 1:] = -g * shortfall * (D_R / A)[:, None] + comp  # A > 0: a horizon of 1+ years
    parts = {"retaliation": g * lost * D_R[:, None], "replacement": -g * absorbed * D_R[:, None]}
    parts["switching_cost"] = pb.switching_cost.copy()
    for k, name in enumerate(pb.component_names):
        parts[name] = -pb.components[:, k, :] * A[:, None]
    dur, tw = _lever_factors(pb, w, wR, qC, qI)
    S_P = survival(T, pb.pivot_annual_repudiation, pb.pivot_successor_repudiation, change=qP)
    D_P = np.sum(w * S_P, axis=1)
    rcost = pb.incumbent_gains_share[:, None] * lost * D_R[:, None]
    P = len(pb.payer_names)
    wtp_m = np.zeros((pb.batch, 1 + P, 2))
    stake_m = np.zeros((pb.batch, 1 + P, 2))
    wtp_m[:, 0] = pb.courter_value * D_P[:, None]
    stake_m[:, 0] = pb.incumbent_value * D_P[:, None] + rcost
    for m in range(P):
        target = wtp_m if pb.payer_side[m] == COURTER else stake_m
        target[:, 1 + m] = pb.payer_value[:, m] * D_P[:, None]
    return Accounts(
        annuity=A,
        weights=w,
        U=U,
        flow=flow,
        shortfall=shortfall,
        lost=lost,
        retaliation_pv=D_R,
        parts=parts,
        lever_durability=dur,
        lever_pv=pb.lever_value * dur,
        lever_cost_pv=pb.lever_cost * dur,
        lever_face=pb.lever_value * A[:, None],
        trade_weight=pb.gains_share[:, None] * tw,
        pivot_pv=D_P,
        q_courter=qC,
        q_incumbent=qI,
        q_pivot=qP,
        payer_wtp=wtp_m,
        payer_stake=stake_m,
        wtp=wtp_m.sum(axis=1),
        loss=stake_m.sum(axis=1),
        retaliation_cost=rcost,
    )
