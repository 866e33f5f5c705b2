"""The pivot's alignment year by year, with leadership turnover of all three actors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.models.realignment.accounting import accounts
from realpolitik.models.realignment.game import RealignmentSolution, solve
from realpolitik.models.realignment.problem import COURTER, INCUMBENT, RealignmentProblem
from realpolitik.rng import as_generator

__all__ = ["SimulationResult", "simulate"]


@dataclass(frozen=True)
class SimulationResult:
    """Yearly alignment of the pivot.

    ``aligned[b, t, o]``: share of the paths of draw ``b`` in which P holds option ``o`` in year
    ``t + 1``, NaN beyond the draw's horizon; ``p_aligned[t, o]``: its mean over the draws whose
    horizon covers year ``t + 1`` (NaN if none); ``covered[t]``: how many draws that is;
    ``duration``: mean years a realignment of year 1 lasts (0 if P stays), censored at the
    horizon."""

    aligned: np.ndarray  # (B, T, 3)
    p_aligned: np.ndarray  # (T, 3)
    covered: np.ndarray  # (T,)
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
    d = sol.derived if sol.derived is not None else accounts(pb)
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
    if np.any(pb.lever_form_probability < 1.0):
        # each path learns once, at the start, which form each promise took
        formed = gen.random(rr.shape) < pb.lever_form_probability[rep]
        rr = np.where(formed, rr, pb.lever_fallback_annual_repudiation[rep])
        ss = np.where(formed, ss, pb.lever_fallback_successor_repudiation[rep])
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
    beyond = np.arange(T)[None, :] >= pb.horizon[:, None]  # (B0, T)
    aligned = np.where(beyond[:, :, None], np.nan, aligned)
    covered = (~beyond).sum(axis=0)
    with np.errstate(invalid="ignore"):
        p_aligned = np.where(
            covered[:, None] > 0,
            np.nansum(np.nan_to_num(aligned, nan=0.0), axis=0) / np.maximum(covered, 1)[:, None],
            np.nan,
        )
    run = np.cumprod((hist > 0) & (np.arange(T)[None, :] < hz[:, None]), axis=1)
    dur = run.sum(axis=1).astype(float)
    realigned = hist[:, 0] > 0
    exp_dur = float(dur[realigned].mean()) if np.any(realigned) else float("nan")
    return SimulationResult(
        aligned=aligned,
        p_aligned=p_aligned,
        covered=covered,
        duration=dur.reshape(B0, paths).mean(axis=1),
        expected_duration=exp_dur,
    )
