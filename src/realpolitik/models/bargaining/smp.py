"""KTAB's spatial model of politics (SMP), vectorised over actors.

Actors hold positions on one or more dimensions (0–100), attach a salience to each dimension and
bring a capability. Every turn each actor estimates everyone's risk attitude from a probabilistic
Condorcet election, picks the challenge with the best expected gain, proposes a bargain by
interpolating the two positions, and every actor then adopts the bargain it favours most among the
status quo and the bargains it is party to. The rules follow KTAB's C++ source (KAPSARC, MIT
licence) as of the lsyaseen/KTAB fork at commit 3b5b063; every modelling choice KTAB offers is a
field of :class:`SMPOptions`, whose defaults are KTAB's.

Everything per turn that KTAB computes in nested loops — the n×n×n coalition votes of the
risk-neutral election, the n perspective utility matrices, every initiator's n−1 challenge
assessments with their n third parties — is computed here as whole-array NumPy expressions.

References
----------
- KAPSARC Toolkit for Behavioral Analysis (KTAB), ``examples/smp/libsrc/smp.cpp``,
  ``smpbcn.cpp`` and ``KTAB/kmodel/libsrc/kmodel.cpp``, https://github.com/KAPSARC/KTAB (MIT).
- B. Wise, L. Thomas, B. Efird, and others (2015-2017), "KTAB: the KAPSARC Toolkit for Behavioral
  Analysis" and "The Spatial Model of Politics" (KTAB documentation, ``examples/smp/doc``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from realpolitik.errors import ModelError
from realpolitik.models.bargaining._common import as_float_array, weighted_median
from realpolitik.models.bargaining.smp_options import (
    BargainModel,
    BigRAdjust,
    BigRRange,
    InterVecBrgn,
    PCEModel,
    SMPOptions,
    StateTransition,
    ThirdPartyCommit,
    VictoryProbModel,
    VotingRule,
    movement_ratio,
)
from realpolitik.scenario.importers.ktab import KTABScenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.rng import RNGLike

# ---------------------------------------------------------------------------------------------
# Options: defined in smp_options (free of NumPy) and re-exported here

# ---------------------------------------------------------------------------------------------
# Elementary rules (vectorised)

_MIN_COALITION = 1e-8  # KTAB Model::coalitions
_MIN_CONTEST = 1e-10  # KTAB SMPState::probEduChlg
_MIN_SIG_EDU = 1e-5  # KTAB SMPState::bestChallenge
_MIN_BARGAIN_W = 1e-6  # KTAB SMPActor::interpBrgnSnPm


def vote(rule: VotingRule, weight: np.ndarray | float, du: np.ndarray) -> np.ndarray:
    """Vote of a voter with ``weight`` on a pair of options whose utility difference is ``du``.

    Proportional w·Δu; Binary w·clip(Δu/1e-8, ±1); PropBin w(0.8Δu + 0.2·bin); PropCbc
    w(0.5Δu + 0.5Δu³); Cubic wΔu³; ASymProsp wΔu for losses and (2/3)wΔu for gains.
    """
    du = np.asarray(du, float)
    if rule is VotingRule.PROPORTIONAL:
        return weight * du
    if rule is VotingRule.BINARY:
        return weight * np.clip(du / 1e-8, -1.0, 1.0)
    if rule is VotingRule.PROP_BIN:
        return weight * (0.8 * du + 0.2 * np.clip(du / 1e-8, -1.0, 1.0))
    if rule is VotingRule.PROP_CBC:
        prop_cubic: np.ndarray = weight * (0.5 * du + 0.5 * (du * du * du))
        return prop_cubic
    if rule is VotingRule.CUBIC:
        cubic: np.ndarray = weight * (du * du * du)
        return cubic
    if rule is VotingRule.ASYM_PROSP:
        w = np.broadcast_to(weight, du.shape) if np.ndim(weight) else weight
        return np.where(du < 0.0, w * du, np.where(du > 0.0, (2.0 * w * du) / 3.0, 0.0))
    raise ModelError(f"unknown voting rule {rule!r}")


def utility(distance: ArrayLike, risk: ArrayLike) -> np.ndarray:
    """KTAB's utility of a position at normalised distance d for risk attitude R: (1 − d)(1 + dR).

    Distances a hair above 1 (round-off) use (1 − d)(1 + R), as KTAB does.
    """
    d = np.asarray(distance, float)
    r = np.asarray(risk, float)
    # min(d, 1) * r is d * r below 1 and exactly r above: both branches in one pass
    u: np.ndarray = (1.0 - d) * (1.0 + np.minimum(d, 1.0) * r)
    return u


def distances(ideals: np.ndarray, positions: np.ndarray, saliences: np.ndarray) -> np.ndarray:
    """Salience-weighted normalised distance from each actor's ideal to each position.

    ``d[i, j] = sqrt( Σ_k (s_ik (ideal_ik − pos_jk))² / Σ_k s_ik² )`` on the 0–1 scale.
    """
    diff = ideals[:, None, :] - positions[None, :, :]
    ds = diff * saliences[:, None, :]
    ss = np.sum(saliences * saliences, axis=1)
    dist: np.ndarray = np.sqrt(np.sum(ds * ds, axis=2) / ss[:, None])
    return dist


_LOWER: dict[int, np.ndarray] = {}


def _strictly_lower(m: int) -> np.ndarray:
    """The (m, m) mask i > j, made once per size (read-only)."""
    mask = _LOWER.get(m)
    if mask is None:
        ar = np.arange(m)
        mask = ar[:, None] > ar[None, :]
        mask.flags.writeable = False
        _LOWER[m] = mask
    return mask


_POWER = {"Linear": 1, "Square": 2, "Quartic": 4, "Octic": 8}


def coalition_strengths(rule: VotingRule, weights: np.ndarray, util: np.ndarray) -> np.ndarray:
    """c[i, j]: strength of the coalition for option i against option j.

    ``util[a, i]`` is voter a's utility for option i. As KTAB does, the votes v_a(i, j) are taken for
    i > j only; positive votes add to c[i, j], negative ones (negated) to c[j, i]; 1e-8 is added to
    every entry. (This matters only for ASymProsp, whose votes are not antisymmetric.)
    """
    m = util.shape[1]
    du = util[:, :, None] - util[:, None, :]
    v = vote(rule, weights[:, None, None], du)
    pos = np.maximum(v, 0.0).sum(axis=0)  # a new array: the sum's order follows its layout
    if rule is VotingRule.ASYM_PROSP:
        neg = np.maximum(np.negative(v, out=v), 0.0, out=v).sum(axis=0)
        c: np.ndarray = np.where(_strictly_lower(m), pos, neg.T) + _MIN_COALITION
    else:
        # every other rule's vote is exactly antisymmetric (v_a(j, i) is -v_a(i, j) to the last
        # bit), so c[j, i] for j < i, summing max(-v_a(i, j), 0), is the same sum as pos[j, i]
        c = pos + _MIN_COALITION
    np.fill_diagonal(c, _MIN_COALITION)
    return c


def victory_probabilities(model: VictoryProbModel, c: np.ndarray) -> np.ndarray:
    """p[i, j] = probability that option i defeats option j, from coalition strengths; p[i, i] = ½."""
    out: np.ndarray
    if model is VictoryProbModel.BINARY:
        ct = np.swapaxes(c, -1, -2)
        thresh = 1.10
        r = c / (c + ct)
        p = (r * (thresh + 1.0) - 1.0) / (thresh - 1.0)
        x1 = np.where(c >= thresh * ct, 1.0, np.where(ct >= thresh * c, 1e-6, p))
        x2 = np.where(c >= thresh * ct, 1e-6, np.where(ct >= thresh * c, 1.0, 1.0 - p))
        out = x1 / (x1 + x2)
    else:
        power = _POWER[model.value]
        x = c if power == 1 else c**power
        out = x / (x + np.swapaxes(x, -1, -2))
    idx = np.arange(c.shape[-1])
    out[..., idx, idx] = 0.5
    return out


def condorcet_probabilities(
    model: PCEModel, c: np.ndarray, vpm: VictoryProbModel = VictoryProbModel.LINEAR
) -> np.ndarray:
    """Probability of each option in a probabilistic Condorcet election, from coalition strengths.

    Conditional: p_i ∝ Π_j p(i > j). MarkovUniform: the limit of a chain in which a uniformly
    chosen challenger meets the incumbent. MarkovIncentive: challengers are chosen in proportion to
    their incentive c_ij·p(i > j) (KTAB's "Markov voting with incentives").
    """
    pv = victory_probabilities(vpm, c)
    n = c.shape[0]
    if model is PCEModel.CONDITIONAL:
        prod: np.ndarray = np.prod(pv, axis=1)
        conditional: np.ndarray = prod / prod.sum()
        return conditional
    p: np.ndarray = np.full(n, 1.0 / n)
    if model is PCEModel.MARKOV_UNIFORM:
        tol = 1e-6
        for _ in range(100_000):
            q = (pv @ np.ones(n) * p + pv @ p) / n
            change = np.max(np.abs(q - p))
            p = (p + q) / 2.0
            if change <= tol:
                return p
    else:
        tol = 1e-8
        inc = c * pv
        inc[np.arange(n), np.arange(n)] += 1e-10
        chlg = inc / inc.sum(axis=0, keepdims=True)  # chlg[i, j] = P[i challenges j]
        for _ in range(100_000):
            ct = p[:, None] * chlg.T  # ct[i, j] = p_i * chlg[j, i]
            q = np.sum(pv * (ct + ct.T), axis=1)
            change = np.max(np.abs(q - p))
            p = (p + q) / 2.0
            if change <= tol:
                return p
    raise ModelError(f"{model.value} Condorcet election did not converge")


def risk_attitudes(p: np.ndarray, rng_: BigRRange) -> np.ndarray:
    """Risk attitudes from Condorcet probabilities: the most likely actor is the most risk-averse.

    Min (p − p_min)/(p_max − p_min); Mid (3p − (p_max + 2p_min))/(2(p_max − p_min));
    Max (2p − p_max − p_min)/(p_max − p_min). When all probabilities are equal (every actor at one
    position) the attitudes are 0 (risk neutral) instead of KTAB's 0/0.
    """
    pmin, pmax = np.min(p), np.max(p)
    span = pmax - pmin
    if not span > 0:
        return np.zeros_like(p)
    attitudes: np.ndarray
    if rng_ is BigRRange.MIN:
        attitudes = (p - pmin) / span
    elif rng_ is BigRRange.MID:
        attitudes = (3 * p - (pmax + 2 * pmin)) / (2 * span)
    else:
        attitudes = (2 * p - (pmax + pmin)) / span
    return attitudes


def estimated_risk(r: np.ndarray, adjust: BigRAdjust) -> np.ndarray:
    """est[h, i]: actor h's estimate of actor i's risk attitude."""
    rh = r[:, None]
    ri = r[None, :]
    if adjust is BigRAdjust.FULL:
        return np.broadcast_to(ri, (r.size, r.size)).copy()
    if adjust is BigRAdjust.TWO_THIRDS:
        return (rh + 2.0 * ri) / 3.0
    if adjust is BigRAdjust.HALF:
        half: np.ndarray = (rh + ri) / 2
        return half
    if adjust is BigRAdjust.ONE_THIRD:
        one_third: np.ndarray = (2.0 * rh + ri) / 3.0
        return one_third
    return np.broadcast_to(rh, (r.size, r.size)).copy()


# ---------------------------------------------------------------------------------------------
# One turn


class _Assessment:
    """One state's assessment (a plain class: a dataclass costs a millisecond to create at import)."""

    __slots__ = ("dist", "raw", "risk", "util", "persp")

    def __init__(
        self,
        dist: np.ndarray,  # (n, n) ideal-to-position distances
        raw: np.ndarray,  # (n, n) risk-neutral values
        risk: np.ndarray,  # (n,)
        util: np.ndarray,  # (n, n) objective risk-aware utilities
        persp: np.ndarray,  # (n, n, n) U[h, i, j]: h's estimate of i's utility for j's position
    ) -> None:
        self.dist, self.raw, self.risk, self.util, self.persp = dist, raw, risk, util, persp


def _assess(
    x: np.ndarray, ideals: np.ndarray, sal: np.ndarray, cap: np.ndarray, opt: SMPOptions
) -> _Assessment:
    d = distances(ideals, x, sal)
    raw = utility(d, 0.0)
    c = coalition_strengths(opt.voting_rule, cap, raw)
    p = condorcet_probabilities(opt.pce, c, opt.victory_prob)
    r = risk_attitudes(p, opt.big_r_range)
    util = utility(d, r[:, None])
    est = estimated_risk(r, opt.big_r_adjust)
    persp = utility(d[None, :, :], est[:, :, None])
    return _Assessment(d, raw, r, util, persp)


def _contest(
    uii: np.ndarray,
    uij: np.ndarray,
    uji: np.ndarray,
    ujj: np.ndarray,
    uni: np.ndarray,
    unj: np.ndarray,
    unn: np.ndarray,
    uki: np.ndarray,
    ukj: np.ndarray,
    wi: np.ndarray,
    wj: np.ndarray,
    wn: np.ndarray,
    sj: np.ndarray,
    third: np.ndarray,
    opt: SMPOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Core of KTAB's ``probEduChlg`` on pre-gathered arrays; third parties on the last axis.

    The third-party arrays are the large ones (n³ in :func:`_challenge_all`): they are worked
    on in place where a temporary is no longer needed, with the same operations in the same
    order as written out in the comments, so the results are those of the plain expressions.
    """
    vr = opt.voting_rule
    ci = vote(vr, wi, uii - uij)
    cj = vote(vr, wj, uji - ujj)
    chij = _MIN_CONTEST + np.maximum(ci, 0.0) + np.maximum(cj, 0.0)
    chji = _MIN_CONTEST + np.maximum(-ci, 0.0) + np.maximum(-cj, 0.0)
    cn = vote(vr, wn, uni - unj)
    a0, b0 = chij[..., None], chji[..., None]
    # cni = a0 + cn where cn > 0, else a0;  cnj = b0 - cn where cn < 0, else b0
    cni = np.add(a0, np.maximum(cn, 0.0))
    cnj = np.add(b0, np.maximum(np.negative(cn, out=cn), 0.0, out=cn), out=cn)
    pin = np.divide(cni, cni + cnj, out=cni)
    pjn = np.subtract(1.0, pin, out=cnj)
    # what third party n expects when it joins i's side (i with n against j: u_ikj, u_jik)
    # or j's side (u_ijk, u_jki), by how far it is bound to the side it joins
    two_uni, two_unj = uni + uni, unj + unj
    tpc = opt.third_party_commit
    if tpc is ThirdPartyCommit.FULL_COMMIT:
        u_ikj = u_ijk = two_uni + uni
        u_jik = u_jki = two_unj + unj
    elif tpc is ThirdPartyCommit.SEMI_COMMIT:
        u_ikj, u_jik = two_uni + unn, two_unj + unj
        u_ijk, u_jki = two_uni + uni, two_unj + unn
    else:
        u_ikj = u_ijk = two_uni + unn
        u_jik = u_jki = two_unj + unn
    # value to n of joining i's side against joining j's side:
    # (pin u_ikj + pjn u_jik) - (pin u_ijk + pjn u_jki)
    gain = pin * u_ikj
    gain += pjn * u_jik
    rest = pin * u_ijk
    rest += pjn * u_jki
    gain -= rest
    vn = vote(vr, wn, gain)
    np.copyto(vn, 0.0, where=~third)  # only third parties vote
    chij = chij + np.maximum(vn, 0.0).sum(axis=-1)
    chji = chji + np.maximum(np.negative(vn, out=vn), 0.0, out=vn).sum(axis=-1)
    phij = chij / (chij + chji)
    phji = chji / (chij + chji)
    eu_sq = uki + ukj
    eu_vict = uki + uki
    eu_lose = ukj + ukj
    eu_chlg = (1 - sj) * eu_vict + sj * (phij * eu_vict + phji * eu_lose)
    return phij, eu_chlg - eu_sq


def _challenge(
    U: np.ndarray,
    h: np.ndarray,
    k: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    wts: np.ndarray,
    stot: np.ndarray,
    opt: SMPOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """h's estimate of the probability that i beats j and of k's expected gain from i challenging j.

    All arguments are index arrays of one length P; third parties are vectorised on a second axis.
    """
    n = U.shape[0]
    nn = np.arange(n)[None, :]
    hh = h[:, None]
    third = (nn != i[:, None]) & (nn != j[:, None])
    return _contest(
        U[h, i, i],
        U[h, i, j],
        U[h, j, i],
        U[h, j, j],
        U[hh, nn, i[:, None]],
        U[hh, nn, j[:, None]],
        U[hh, nn, nn],
        U[h, k, i],
        U[h, k, j],
        wts[i],
        wts[j],
        wts[None, :],
        stot[j],
        third,
        opt,
    )


_THIRD: dict[int, np.ndarray] = {}


def _third_parties(n: int) -> np.ndarray:
    """The (n, n, n) mask [i, j, k]: k is neither i nor j, made once per size (read-only)."""
    mask = _THIRD.get(n)
    if mask is None:
        ar = np.arange(n)
        mask = (ar[None, None, :] != ar[:, None, None]) & (ar[None, None, :] != ar[None, :, None])
        mask.flags.writeable = False
        _THIRD.clear()  # keep one size: the runs of a batch share theirs
        _THIRD[n] = mask
    return mask


def _challenge_all(
    U: np.ndarray, wts: np.ndarray, stot: np.ndarray, opt: SMPOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Every initiator i's own assessment of challenging every j: arrays (n, n) [i, j].

    The third-party utilities from i's perspective are slices of U, so no gather is needed:
    U[i, n, i] and U[i, n, n] do not depend on j, and U[i, n, j] is U transposed.
    """
    n = U.shape[0]
    ar = np.arange(n)
    diag_own = U[ar, ar, ar]  # U[i, i, i]
    u_i_i_j = U[ar, ar, :]  # U[i, i, j]      (i, j)
    u_i_j_i = U[ar, :, ar]  # U[i, j, i]      (i, j)
    u_i_j_j = np.einsum("ijj->ij", U)  # U[i, j, j]
    uni = u_i_j_i[:, None, :]  # U[i, n, i] -> (i, 1, n)
    unj = np.ascontiguousarray(np.swapaxes(U, 1, 2))  # U[i, n, j] as (i, j, n)
    unn = u_i_j_j[:, None, :]  # U[i, n, n] -> (i, 1, n)
    third = _third_parties(n)
    return _contest(
        diag_own[:, None],
        u_i_i_j,
        u_i_j_i,
        u_i_j_j,
        uni,
        unj,
        unn,
        diag_own[:, None],
        u_i_i_j,
        wts[:, None],
        wts[None, :],
        wts[None, None, :],
        stot[None, :],
        third,
        opt,
    )


def _round4(x: np.ndarray) -> np.ndarray:
    return np.floor(0.5 + x * 10000.0) / 10000.0


def _interpolate(
    ti: np.ndarray,
    si: np.ndarray,
    pi: np.ndarray,
    tj: np.ndarray,
    sj: np.ndarray,
    pj: np.ndarray,
    ivb: InterVecBrgn,
) -> tuple[np.ndarray, np.ndarray]:
    """Bargain positions (b_i, b_j) between positions t_i, t_j (arrays over pairs × dimensions)."""
    if ivb is InterVecBrgn.S2PMAX:
        di = np.maximum(pj - pi, 0.0)
        dj = np.maximum(pi - pj, 0.0)
        si2, sj2 = si * si, sj * sj
        dik = (di * sj2) / ((di * sj2) + _MIN_BARGAIN_W + ((1 - di) * si2))
        djk = (dj * si2) / ((dj * si2) + _MIN_BARGAIN_W + ((1 - dj) * sj2))
        return ti + dik * (tj - ti), tj + djk * (ti - tj)
    e = 2 if ivb is InterVecBrgn.S2P2 else 1
    wi = si**e * pi**e
    wj = sj**e * pj**e
    bi = _round4(((wi + _MIN_BARGAIN_W) * ti + wj * tj) / (wi + _MIN_BARGAIN_W + wj))
    bj = _round4((wi * ti + (_MIN_BARGAIN_W + wj) * tj) / (wi + _MIN_BARGAIN_W + wj))
    return bi, bj


def _scalar_pce(util: np.ndarray, cap: np.ndarray, opt: SMPOptions) -> np.ndarray:
    c = coalition_strengths(opt.voting_rule, cap, util)
    return condorcet_probabilities(opt.pce, c, opt.victory_prob)


def _unique_index(x: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's first-appearance grouping of positions closer than ``tol``."""
    n = x.shape[0]
    d = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2)) < tol
    uniq: list[int] = []
    eq = np.empty(n, int)
    for a in range(n):
        for u_pos, u in enumerate(uniq):
            if d[a, u]:
                eq[a] = u_pos
                break
        else:
            uniq.append(a)
            eq[a] = len(uniq) - 1
    return np.array(uniq), eq


def _position_probabilities(
    a: _Assessment, x: np.ndarray, cap: np.ndarray, opt: SMPOptions
) -> np.ndarray:
    uniq, eq = _unique_index(x, opt.position_tolerance)
    p = _scalar_pce(a.util[:, uniq], cap, opt)
    per_actor: np.ndarray = p[eq]
    return per_actor


@dataclass(frozen=True)
class Challenge:
    """One turn's chosen challenge: initiator, target, the initiator's p(win) and expected gain."""

    initiator: int
    target: int
    probability: float
    gain: float


_Turns = tuple[
    list[np.ndarray],
    list[np.ndarray],
    list[np.ndarray],
    list[np.ndarray],
    list[np.ndarray],
    list[float],
    list[tuple[Challenge, ...]],
    bool,
]


def _choose_deterministic(
    ub: np.ndarray,
    bI: np.ndarray,
    bR: np.ndarray,
    bPI: np.ndarray,
    bPJ: np.ndarray,
    cap: np.ndarray,
    opt: SMPOptions,
    new_x: np.ndarray,
    chosen: np.ndarray,
) -> None:
    """Each actor's choice among the status quo and the bargains it is party to (in place).

    Deterministic transitions with the Conditional PCE: the most probable option wins. A
    coalition's strength for option i against option j sums the voters' votes on that pair
    alone, so the victory probabilities of every pair of options (status quo and all bargains)
    are computed once; each actor's election reads the rows and columns of its own options (in
    the same order, so its probabilities are those of an election held on its options alone),
    and actors with the same number of options are decided together.
    """
    pv = victory_probabilities(opt.victory_prob, coalition_strengths(opt.voting_rule, cap, ub))
    ar = np.arange(ub.shape[0])[:, None]
    party = (bI[None, :] == ar) | (bR[None, :] == ar)  # party[k, b]: k is party to bargain b
    counts = party.sum(axis=1)
    for m in sorted(set(counts[counts > 0].tolist())):  # (np.unique would load numpy.ma)
        who = np.flatnonzero(counts == m)
        cols = np.zeros((who.size, m + 1), np.intp)  # option 0: the status quo
        cols[:, 1:] = 1 + np.nonzero(party[who])[1].reshape(who.size, m)
        p = np.prod(pv[cols[:, :, None], cols[:, None, :]], axis=2)
        best = np.argmax(np.abs(p / p.sum(axis=1, keepdims=True)), axis=1)
        moved = best > 0
        k = who[moved]
        b = cols[moved, best[moved]] - 1
        chosen[k] = b
        new_x[k] = np.where((bI[b] == k)[:, None], bPI[b], bPJ[b])


def _bargains(
    x: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    stot: np.ndarray,
    U: np.ndarray,
    wts: np.ndarray,
    pm: np.ndarray,
    inits: np.ndarray,
    targs: np.ndarray,
    opt: SMPOptions,
) -> tuple[list[int], list[int], list[np.ndarray], list[np.ndarray]]:
    """The bargains the challenges open: initiators, receivers and their two positions."""
    b_init: list[int] = []
    b_rcvr: list[int] = []
    b_pi: list[np.ndarray] = []
    b_pj: list[np.ndarray] = []
    if inits.size:
        p_ii = pm[inits, targs][:, None]
        ti, tj = x[inits], x[targs]
        si, sj = sal[inits], sal[targs]
        bi_i, bj_i = _interpolate(ti, si, p_ii, tj, sj, 1 - p_ii, opt.inter_vec_bargain)
        if opt.bargain_model is not BargainModel.INIT_ONLY:
            p_jj, _ = _challenge(U, targs, inits, inits, targs, wts, stot, opt)
            p_jj = p_jj[:, None]
            bi_j, bj_j = _interpolate(ti, si, p_jj, tj, sj, 1 - p_jj, opt.inter_vec_bargain)
        for q, (i, j) in enumerate(zip(inits, targs, strict=True)):
            if opt.bargain_model is BargainModel.INIT_ONLY:
                items = [(bi_i[q], bj_i[q])]
            elif opt.bargain_model is BargainModel.INIT_RCVR:
                items = [(bi_i[q], bj_i[q]), (bi_j[q], bj_j[q])]
            else:
                # KTAB weighs the initiator's view by c_i·Σs_i and the receiver's by c_i·Σs_j
                # (its code takes the receiver-view bargain's initiator capability, i.e. c_i)
                wi = cap[i] * stot[i]
                wj = cap[i] * stot[j]
                items = [
                    (
                        (wi * bi_i[q] + wj * bi_j[q]) / (wi + wj),
                        (wi * bj_i[q] + wj * bj_j[q]) / (wi + wj),
                    )
                ]
            for pos_i, pos_j in items:
                b_init.append(int(i))
                b_rcvr.append(int(j))
                b_pi.append(pos_i)
                b_pj.append(pos_j)
    return b_init, b_rcvr, b_pi, b_pj


def _step(
    x: np.ndarray,
    ideals: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    stot: np.ndarray,
    a: _Assessment,
    opt: SMPOptions,
    gen: Any,
) -> tuple[np.ndarray, list[Challenge]]:
    n = x.shape[0]
    U = a.persp
    wts = stot * cap
    # every initiator's assessment of every target, from its own perspective
    pm, du = _challenge_all(U, wts, stot, opt)
    np.fill_diagonal(du, -np.inf)
    eligible = du > _MIN_SIG_EDU
    best = np.argmax(np.where(eligible, du, -np.inf), axis=1)
    has = eligible[np.arange(n), best]
    inits = np.nonzero(has)[0]
    targs = best[inits]
    challenges = [
        Challenge(int(i), int(j), float(pm[i, j]), float(du[i, j]))
        for i, j in zip(inits, targs, strict=True)
    ]

    # bargains: (initiator, receiver, position for initiator, position for receiver)
    b_init, b_rcvr, b_pi, b_pj = _bargains(x, sal, cap, stot, U, wts, pm, inits, targs, opt)

    nb = len(b_init)
    new_x = x.copy()
    chosen = np.full(n, -1)
    if nb:
        bI = np.array(b_init)
        bR = np.array(b_rcvr)
        bPI = np.array(b_pi)
        bPJ = np.array(b_pj)
        r = a.risk
        own = a.util  # own[a, n] = a's utility for n's position (its true attitude)
        rowsum = own.sum(axis=1)
        u_pi = utility(distances(ideals, bPI, sal), r[:, None])
        u_pj = utility(distances(ideals, bPJ, sal), r[:, None])
        ub = np.empty((n, nb + 1))
        ub[:, 0] = rowsum / n
        ub[:, 1:] = (rowsum[:, None] - own[:, bI] - own[:, bR] + u_pi + u_pj) / n
        if (
            opt.state_transition is StateTransition.DETERMINISTIC
            and opt.pce is PCEModel.CONDITIONAL
        ):
            _choose_deterministic(ub, bI, bR, bPI, bPJ, cap, opt, new_x, chosen)
            return new_x, challenges
        for k in range(n):
            mine = np.nonzero((bI == k) | (bR == k))[0]
            if mine.size == 0:
                if opt.state_transition is StateTransition.STOCHASTIC:
                    gen.random()  # keep one draw per actor whatever happens
                continue
            cols = np.concatenate(([0], 1 + mine))
            p = _scalar_pce(ub[:, cols], cap, opt)
            if opt.state_transition is StateTransition.DETERMINISTIC:
                m = int(np.argmax(np.abs(p)))
            else:
                u = gen.random()
                hit = np.nonzero(u <= np.cumsum(p))[0]
                m = int(hit[0]) if hit.size else len(p) - 1
            if m == 0:
                continue
            b = mine[m - 1]
            chosen[k] = b
            new_x[k] = bPI[b] if bI[b] == k else bPJ[b]
    elif opt.state_transition is StateTransition.STOCHASTIC:
        for _ in range(n):
            gen.random()
    return new_x, challenges


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class SMPResult:
    """The history of an SMP run.

    Attributes
    ----------
    positions
        (turns + 1, n, d) positions on 0–100 at every state, the initial state first.
    risk_attitudes
        (turns + 1, n) inferred risk attitudes at every state.
    raw_values, utilities
        (turns + 1, n, n) risk-neutral values and objective risk-aware utilities, actor i's
        (row) for actor j's (column) position, at every state.
    position_probabilities
        (turns + 1, n) probability, in the Condorcet election among distinct positions, of each
        actor's position (KTAB's "winning probabilities").
    fractional_changes
        one value per turn: movement of that turn relative to the first (the stopping statistic).
    converged
        True when the run stopped by the ``min_delta_ratio`` rule, False at ``max_turns``.
    challenges
        per turn, the challenges made.
    """

    actor_names: tuple[str, ...]
    dimension_names: tuple[str, ...]
    capabilities: np.ndarray
    saliences: np.ndarray
    positions: np.ndarray
    risk_attitudes: np.ndarray
    raw_values: np.ndarray
    utilities: np.ndarray
    position_probabilities: np.ndarray
    fractional_changes: np.ndarray
    converged: bool
    challenges: tuple[tuple[Challenge, ...], ...]
    options: SMPOptions = field(default_factory=SMPOptions)
    seed: Any = None

    @property
    def turns(self) -> int:
        """Turns taken (states recorded, less the initial one)."""
        return int(self.positions.shape[0]) - 1

    @property
    def final_positions(self) -> np.ndarray:
        """Positions at the last state (n, d), on 0-100."""
        last: np.ndarray = self.positions[-1]
        return last

    def forecast(self, turn: int = -1) -> dict[str, np.ndarray]:
        """Capability×salience weighted mean and weighted median per dimension at a state."""
        w = self.capabilities[:, None] * self.saliences
        x = self.positions[turn]
        mean = (w * x).sum(axis=0) / w.sum(axis=0)
        med = weighted_median(x.T, w.T)
        return {"weighted_mean": mean, "median": med}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary: turns (positions, risk attitudes), convergence, forecast."""
        turns = []
        for t in range(self.positions.shape[0]):
            turns.append(
                {
                    "positions": {
                        a: [float(v) for v in self.positions[t, i]]
                        for i, a in enumerate(self.actor_names)
                    },
                    "risk_attitudes": {
                        a: float(self.risk_attitudes[t, i]) for i, a in enumerate(self.actor_names)
                    },
                }
            )
        fc = self.forecast()
        return {
            "model": "ktab-smp",
            "turns": turns,
            "converged": bool(self.converged),
            "fractional_changes": [float(v) for v in self.fractional_changes],
            "forecast": {
                "weighted_mean": [float(v) for v in fc["weighted_mean"]],
                "median": [float(v) for v in fc["median"]],
            },
            "dimensions": list(self.dimension_names),
            "options": self.options.as_dict(),
        }

    def history_frame(self) -> pd.DataFrame:
        """Long DataFrame: turn, actor, dimension, position, risk_attitude."""
        import pandas as pd

        return pd.DataFrame(self.history_columns())

    def history_columns(self) -> dict[str, np.ndarray]:
        """The columns of :meth:`history_frame` as arrays (the report reads them without
        pandas)."""
        t_, n, d = self.positions.shape
        tt, aa, dd = np.meshgrid(np.arange(t_), np.arange(n), np.arange(d), indexing="ij")
        return {
            "turn": tt.ravel(),
            "actor": np.asarray(self.actor_names, dtype=object)[aa.ravel()],
            "dimension": np.asarray(self.dimension_names, dtype=object)[dd.ravel()],
            "position": self.positions.ravel(),
            "risk_attitude": self.risk_attitudes[tt.ravel(), aa.ravel()],
        }


# ---------------------------------------------------------------------------------------------
# Driver


def _checked_inputs(
    capabilities: ArrayLike,
    positions: ArrayLike,
    saliences: ArrayLike,
    accommodation: ArrayLike | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Capabilities, positions, saliences and accommodation as arrays, checked as KTAB checks them."""
    cap = as_float_array(capabilities, "capabilities", 1)
    x0 = as_float_array(positions, "positions", 2)
    sal0 = as_float_array(saliences, "saliences", 2)
    n, d = x0.shape
    if cap.shape != (n,) or sal0.shape != (n, d):
        raise ModelError(
            f"shapes disagree: capabilities {cap.shape}, positions {x0.shape}, saliences "
            f"{sal0.shape}"
        )
    if n < 2:
        raise ModelError(f"SMP needs at least 2 actors, got {n}")
    if np.any(cap <= 0):
        raise ModelError("capabilities must be positive")
    if np.any(x0 < 0) or np.any(x0 > 100):
        raise ModelError("positions must lie on the 0–100 scale")
    if np.any(sal0 < 0) or np.any(sal0 > 100):
        raise ModelError("saliences must lie on the 0–100 scale")
    stot0 = sal0.sum(axis=1)
    if np.any(stot0 <= 0) or np.any(stot0 > 100 + 1e-9):
        raise ModelError("each actor's saliences must sum to more than 0 and at most 100")
    acc = np.eye(n) if accommodation is None else as_float_array(accommodation, "accommodation", 2)
    if acc.shape != (n, n) or np.any(acc < 0) or np.any(acc > 1) or np.any(acc.sum(1) > 1 + 1e-10):
        raise ModelError("accommodation must be (n, n) with entries in [0, 1] and row sums <= 1")
    return cap, x0, sal0, acc


def _run_turns(
    x: np.ndarray,
    ideals: np.ndarray,
    sal: np.ndarray,
    cap: np.ndarray,
    stot: np.ndarray,
    acc: np.ndarray,
    identity_acc: bool,
    opt: SMPOptions,
    gen: Any,
    record_probabilities: bool,
) -> _Turns:
    """Turns until convergence or the turn bound: each turn's state, assessment and challenges."""
    hist_x = [x]
    hist_r: list[np.ndarray] = []
    hist_raw: list[np.ndarray] = []
    hist_u: list[np.ndarray] = []
    hist_p: list[np.ndarray] = []
    fracs: list[float] = []
    chall: list[tuple[Challenge, ...]] = []
    converged = False
    d01: float | None = None
    turn = 0
    while True:
        a = _assess(x, ideals, sal, cap, opt)
        hist_r.append(a.risk)
        hist_raw.append(a.raw)
        hist_u.append(a.util)
        if record_probabilities:
            hist_p.append(_position_probabilities(a, x, cap, opt))
        if turn > 0:
            move = float(np.sqrt(((hist_x[-1] - hist_x[-2]) ** 2).sum(axis=1)).sum())
            if d01 is None:
                d01 = move + opt.min_sig_delta
            ratio = movement_ratio(move, d01)
            fracs.append(ratio)
            quiet = ratio < opt.min_delta_ratio
            if turn >= opt.max_turns or (turn >= opt.min_turns and quiet):
                converged = bool(quiet and turn >= opt.min_turns)
                break
        new_x, ch = _step(x, ideals, sal, cap, stot, a, opt, gen)
        chall.append(tuple(ch))
        if identity_acc:
            ideals = new_x.copy()
        else:
            ideals = acc @ new_x + (1.0 - acc.sum(axis=1))[:, None] * ideals
        x = new_x
        hist_x.append(x)
        turn += 1
    return hist_x, hist_r, hist_raw, hist_u, hist_p, fracs, chall, converged


def run_smp(
    capabilities: ArrayLike,
    positions: ArrayLike,
    saliences: ArrayLike,
    options: SMPOptions | None = None,
    *,
    rng: RNGLike = None,
    accommodation: ArrayLike | None = None,
    actor_names: Sequence[str] | None = None,
    dimension_names: Sequence[str] | None = None,
    record_probabilities: bool = True,
) -> SMPResult:
    """Run KTAB's spatial model of politics to convergence.

    Parameters
    ----------
    capabilities : array (n,)
        Actor capabilities (KTAB's "influence"), positive.
    positions : array (n, d)
        Positions on the 0–100 scale.
    saliences : array (n, d)
        Saliences on the 0–100 scale (percent of attention); each actor's total at most 100 and
        positive.
    options : SMPOptions
        Model choices; KTAB's defaults when omitted.
    rng
        Seed or generator; used only with Stochastic transitions (one uniform draw per actor per
        turn, actors in index order).
    accommodation : array (n, n), optional
        KTAB's ideal-accommodation matrix (identity by default: ideals follow positions).
    record_probabilities : bool
        Also compute the per-state winning probabilities of positions (one extra election per turn).

    Returns
    -------
    SMPResult

    Notes
    -----
    Each turn (KTAB ``SMPState::stepBCN``):

    1. distances from ideals to positions; risk-neutral values 1 − d;
    2. a Condorcet election over actors' positions with those values gives probabilities, hence
       risk attitudes R (``big_r_range``) and every actor's estimate of everyone's utilities
       (``big_r_adjust``);
    3. every actor i assesses, from its own perspective, challenging every j: coalition strengths
       from i, j and third parties (each joining a side as in ``third_party_commit``), p(i > j),
       and its expected gain against the status quo; it targets the best j if the gain exceeds
       1e-5;
    4. the challenge yields a bargain interpolated between the two positions (``inter_vec_bargain``,
       ``bargain_model``), rounded to 1e-4;
    5. every actor holds a Condorcet election, weighted by capabilities, among the status quo and
       the bargains it is party to, each valued by the average utility of the resulting state, and
       adopts its side of the most probable one (or a random one, ``Stochastic``);
    6. ideals move toward positions (accommodation); stop when the turn's movement falls below
       ``min_delta_ratio`` times the first turn's, within the turn bounds.
    """
    opt = options or SMPOptions()
    cap, x0, sal0, acc = _checked_inputs(capabilities, positions, saliences, accommodation)
    n, d = x0.shape
    identity_acc = np.allclose(acc, np.eye(n), atol=1e-10, rtol=0)

    names = tuple(actor_names) if actor_names is not None else tuple(f"A{i}" for i in range(n))
    dims = (
        tuple(dimension_names) if dimension_names is not None else tuple(f"D{k}" for k in range(d))
    )
    gen = _transition_generator(opt, rng)

    x = x0 / 100.0
    sal = sal0 / 100.0
    stot = sal.sum(axis=1)
    ideals = x.copy()

    turns = _run_turns(x, ideals, sal, cap, stot, acc, identity_acc, opt, gen, record_probabilities)
    return _smp_result(names, dims, cap, sal0, turns, opt, rng, record_probabilities)


def _transition_generator(opt: SMPOptions, rng: RNGLike) -> np.random.Generator | None:
    """The generator Stochastic transitions draw from (None for deterministic ones)."""
    gen: np.random.Generator | None = None
    if opt.state_transition is StateTransition.STOCHASTIC:
        from realpolitik.rng import as_generator

        gen = as_generator(rng)
    return gen


def _smp_result(
    names: tuple[str, ...],
    dims: tuple[str, ...],
    cap: np.ndarray,
    sal0: np.ndarray,
    turns: _Turns,
    opt: SMPOptions,
    rng: RNGLike,
    record_probabilities: bool,
) -> SMPResult:
    """The run's :class:`SMPResult` from the turns' histories (back on the 0–100 scale)."""
    hist_x, hist_r, hist_raw, hist_u, hist_p, fracs, chall, converged = turns
    n = cap.shape[0]
    npos = len(hist_x)
    return SMPResult(
        actor_names=names,
        dimension_names=dims,
        capabilities=cap,
        saliences=sal0,
        positions=np.array(hist_x) * 100.0,
        risk_attitudes=np.array(hist_r),
        raw_values=np.array(hist_raw),
        utilities=np.array(hist_u),
        position_probabilities=np.array(hist_p) if record_probabilities else np.zeros((npos, n)),
        fractional_changes=np.array(fracs),
        converged=converged,
        challenges=tuple(chall),
        options=opt,
        seed=rng if opt.state_transition is StateTransition.STOCHASTIC else None,
    )


def run_smp_scenario(
    scenario: KTABScenario, options: SMPOptions | None = None, **kwargs: Any
) -> SMPResult:
    """Run the SMP on an imported KTAB scenario (:class:`~realpolitik.scenario.importers.ktab.KTABScenario`).

    The scenario's own model parameters (XML) are used unless ``options`` is given; its seed is
    the default ``rng``.
    """
    opt = options if options is not None else SMPOptions.from_ktab(scenario.parameters or {})
    if "rng" not in kwargs and scenario.seed is not None:
        kwargs["rng"] = scenario.seed
    return run_smp(
        scenario.capabilities,
        scenario.positions,
        scenario.saliences,
        opt,
        accommodation=scenario.accommodation,
        actor_names=scenario.actor_names,
        dimension_names=scenario.dimension_names,
        **kwargs,
    )


__all__ = [
    "BargainModel",
    "BigRAdjust",
    "BigRRange",
    "Challenge",
    "InterVecBrgn",
    "PCEModel",
    "SMPOptions",
    "SMPResult",
    "StateTransition",
    "ThirdPartyCommit",
    "VictoryProbModel",
    "VotingRule",
    "coalition_strengths",
    "condorcet_probabilities",
    "distances",
    "estimated_risk",
    "risk_attitudes",
    "run_smp",
    "run_smp_scenario",
    "utility",
    "victory_probabilities",
    "vote",
]
