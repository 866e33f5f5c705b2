"""KTAB's spatial model of politics in plain Python, for small problems: no NumPy is imported.

A process that imports NumPy spends about a tenth of a second doing so, longer than KTAB's own
program takes on its smallest published inputs. For those, this module runs the SMP of
:mod:`realpolitik.models.bargaining.smp` on lists of Python floats, which are IEEE doubles as
NumPy's are, doing the same operations in the same order, so that every position, risk attitude
and stopping statistic is the NumPy path's to the last bit (the tests compare both, value for
value). Element-wise arithmetic is the same in both; what needs care is the order of the
reductions, which NumPy chooses by the memory layout:

- a sum along a contiguous axis (a row of a C-ordered array, or a whole 1-D array) is NumPy's
  pairwise summation, :func:`pairwise_sum`;
- a sum along the first axis of an array with further axes adds the slices one after the other,
  :func:`sequential_sum` (but a first axis of length-1 rows is contiguous, hence pairwise);
- a product along any axis multiplies one after the other; ``max``/``argmax`` are exact and take
  the first of equal values.

The plain path covers KTAB's default model (the options its CSV format implies: Linear victory
probabilities, Proportional votes, Conditional Condorcet election, Deterministic transitions, Mid
risk range, OneThird risk estimates, SemiCommit third parties, S2P2 interpolation, InitOnly
bargains) with ideals that follow positions; :func:`plain_supported` says whether a run is
covered. The work per turn grows as the cube of the number of actors, so the whole ``bargain``
command is faster by NumPy, import included, from about 20 actors on; :data:`PLAIN_MAX_ACTORS` is
where the command switches (measured by ``benchmarks/bench_bargaining.py --crossover``).

One shortcut changes no result: an initiator assesses its targets in decreasing order of an upper
bound on its gain and stops at the first whose bound is below the best gain found
(:func:`_best_challenge`); the target chosen, its probability and its gain are the NumPy path's.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from math import floor, inf, sqrt
from operator import add, mul
from typing import Any

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

#: Most actors for which the ``bargain`` command runs the plain path (whole process, start-up
#: included, it is faster than importing NumPy and running the vectorised model up to here).
PLAIN_MAX_ACTORS = 18

_MIN_COALITION = 1e-8  # as in smp.py (KTAB Model::coalitions)
_MIN_CONTEST = 1e-10  # KTAB SMPState::probEduChlg
_MIN_SIG_EDU = 1e-5  # KTAB SMPState::bestChallenge
_MIN_BARGAIN_W = 1e-6  # KTAB SMPActor::interpBrgnSnPm

Matrix = list[list[float]]

_KTAB_DEFAULTS = {
    "victory_prob": VictoryProbModel.LINEAR,
    "voting_rule": VotingRule.PROPORTIONAL,
    "pce": PCEModel.CONDITIONAL,
    "state_transition": StateTransition.DETERMINISTIC,
    "big_r_range": BigRRange.MID,
    "big_r_adjust": BigRAdjust.ONE_THIRD,
    "third_party_commit": ThirdPartyCommit.SEMI_COMMIT,
    "inter_vec_bargain": InterVecBrgn.S2P2,
    "bargain_model": BargainModel.INIT_ONLY,
}


def plain_supported(options: SMPOptions, n_actors: int, max_actors: int = PLAIN_MAX_ACTORS) -> bool:
    """Whether the plain path runs this model: KTAB's default rules (any turn bounds and
    tolerances) and at most ``max_actors`` actors."""
    rules_ok = all(getattr(options, k) is v for k, v in _KTAB_DEFAULTS.items())
    return rules_ok and 2 <= n_actors <= max_actors


# ---------------------------------------------------------------------------------------------
# NumPy's reductions, in plain Python


def pairwise_sum(a: list[float]) -> float:
    """NumPy's sum of a contiguous run of doubles: below 8 values one after the other (from 0.0);
    up to 128, eight running sums over every eighth value, combined as a tree, then the rest;
    beyond, the two halves (cut at a multiple of 8) summed the same way and added."""
    n = len(a)
    if n < 8:
        r = 0.0
        for x in a:
            r += x
        return r
    if n < 16:  # the eight running sums are the first eight values
        res = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]))
        for k in range(8, n):
            res += a[k]
        return res
    if n <= 128:
        m = n - n % 8
        r0, r1, r2, r3, r4, r5, r6, r7 = a[:8]
        for k in range(8, m, 8):
            r0 += a[k]
            r1 += a[k + 1]
            r2 += a[k + 2]
            r3 += a[k + 3]
            r4 += a[k + 4]
            r5 += a[k + 5]
            r6 += a[k + 6]
            r7 += a[k + 7]
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        for k in range(m, n):
            res += a[k]
        return res
    half = n // 2
    half -= half % 8
    return pairwise_sum(a[:half]) + pairwise_sum(a[half:])


def sequential_sum(a: list[float]) -> float:
    """A sum along a non-contiguous axis: the values added one after the other."""
    return reduce(add, a, 0.0)


def _max0(x: float) -> float:
    """``np.maximum(x, 0.0)``: x when x >= 0 (so -0.0 stays -0.0), else 0.0."""
    return x if x >= 0.0 else 0.0


def _argmax(values: list[float]) -> int:
    """The index of the first largest value (NumPy's ``argmax``)."""
    best, where = values[0], 0
    for k in range(1, len(values)):
        if values[k] > best:
            best, where = values[k], k
    return where


# ---------------------------------------------------------------------------------------------
# Elementary rules (smp.py's functions, one value at a time)


def _distances(ideals: Matrix, positions: Matrix, sal: Matrix, ss: list[float]) -> Matrix:
    """d[i][j]: salience-weighted normalised distance from ideal i to position j (smp.distances)."""
    d = len(sal[0])
    if d >= 8:  # the sum over dimensions is pairwise (below 8, one term after the other)
        return [
            [sqrt(pairwise_sum([e * e for e in _weighted_gaps(a, p, s)]) / sa) for p in positions]
            for a, s, sa in zip(ideals, sal, ss, strict=True)
        ]
    # below 8 dimensions the squares are added one after the other from 0.0, and 0.0 + e*e is
    # e*e (a square is never -0.0): the sum is a left fold from the first square
    if d == 1:
        return [
            [sqrt(e * e / sa) for (p0,) in positions for e in [(a0 - p0) * s0]]
            for (a0,), (s0,), sa in zip(ideals, sal, ss, strict=True)
        ]
    if d == 2:
        return [
            [
                sqrt((e0 * e0 + e1 * e1) / sa)
                for p0, p1 in positions
                for e0, e1 in [((a0 - p0) * s0, (a1 - p1) * s1)]
            ]
            for (a0, a1), (s0, s1), sa in zip(ideals, sal, ss, strict=True)
        ]
    out = []
    for a, s, sa in zip(ideals, sal, ss, strict=True):
        row = []
        for p in positions:
            t = 0.0
            for ak, pk, sk in zip(a, p, s, strict=True):
                e = (ak - pk) * sk
                t += e * e
            row.append(sqrt(t / sa))
        out.append(row)
    return out


def _weighted_gaps(a: list[float], p: list[float], s: list[float]) -> list[float]:
    """(a_k - p_k) s_k for every dimension k."""
    return [(ak - pk) * sk for ak, pk, sk in zip(a, p, s, strict=True)]


def _utility_row(d: list[float], r: float) -> list[float]:
    """KTAB's utility (1 - d)(1 + min(d, 1) r) of every distance in a row, one risk attitude."""
    return [(1.0 - x) * (1.0 + (x if x <= 1.0 else 1.0) * r) for x in d]


def _coalitions(cap: list[float], util: Matrix) -> Matrix:
    """c[i][j] for Proportional votes: voters' positive votes for i over j added voter after
    voter, plus 1e-8 (smp.coalition_strengths); 1e-8 on the diagonal.

    The vote on (j, i) is exactly minus the vote on (i, j), so one pass fills both cells; a
    vote of zero or less adds 0.0 (or -0.0), which leaves every sum as it is."""
    m = len(util[0])
    cols = [list(col) for col in zip(*util, strict=True)]
    c = [[_MIN_COALITION] * m for _ in range(m)]
    for i in range(1, m):
        ui, ci = cols[i], c[i]
        for j in range(i):
            sp = sn = 0.0
            for w, a, b in zip(cap, ui, cols[j], strict=True):
                v = w * (a - b)
                if v > 0.0:
                    sp += v
                elif v < 0.0:
                    sn -= v
            ci[j] = sp + _MIN_COALITION
            c[j][i] = sn + _MIN_COALITION
    return c


def _victory(c: Matrix) -> Matrix:
    """Linear victory probabilities p[i][j] = c_ij / (c_ij + c_ji), ½ on the diagonal."""
    m = len(c)
    return [[0.5 if i == j else c[i][j] / (c[i][j] + c[j][i]) for j in range(m)] for i in range(m)]


def _condorcet(pv: Matrix) -> list[float]:
    """Conditional Condorcet probabilities: each row's product, over their pairwise sum."""
    prod = [reduce(mul, row) for row in pv]
    total = pairwise_sum(prod)
    return [p / total for p in prod]


def _risk_mid(p: list[float]) -> list[float]:
    """Mid-range risk attitudes (smp.risk_attitudes with BigRRange.MID)."""
    pmin, pmax = min(p), max(p)
    span = pmax - pmin
    if not span > 0:
        return [0.0] * len(p)
    top, bottom = pmax + 2.0 * pmin, 2.0 * span
    return [(3.0 * x - top) / bottom for x in p]


# ---------------------------------------------------------------------------------------------
# One turn


class _State:
    """One state's assessment: distances, risk attitudes, utilities and perspectives."""

    __slots__ = ("dist", "risk", "util", "persp")

    def __init__(self, x: Matrix, ideals: Matrix, sal: Matrix, ss: list[float], cap: list[float]):
        d = _distances(ideals, x, sal, ss)
        raw = [_utility_row(row, 0.0) for row in d]
        r = _risk_mid(_condorcet(_victory(_coalitions(cap, raw))))
        self.dist, self.risk = d, r
        self.util = [_utility_row(row, ri) for row, ri in zip(d, r, strict=True)]
        # persp[h][i][j]: h's estimate of i's utility for j's position, with i's attitude
        # estimated as (2 r_h + r_i) / 3; the factors 1 - d and min(d, 1) are computed once
        near = [[(1.0 - x, x if x <= 1.0 else 1.0) for x in row] for row in d]
        self.persp = [
            [
                [o * (1.0 + m * e) for o, m in row]
                for row, e in zip(near, [(2.0 * rh + ri) / 3.0 for ri in r], strict=True)
            ]
            for rh in r
        ]


def _third_party_sums(
    i: int, j: int, a0: float, b0: float, colj: Sequence[float], fixed: tuple[list[float], ...]
) -> tuple[float, float]:
    """The third parties' votes for i and for j in i's assessment of i challenging j, summed
    as NumPy sums them (pairwise, i and j voting 0.0 in their places).

    ``colj`` and the lists in ``fixed`` leave actor i out (it is put back as 0.0). Third party k
    joins i's side with strength max(c, 0) and j's with max(-c, 0), c its vote on i against j;
    adding max(c, 0) is written as a branch (x + 0.0 is x, and x + (-c) is x - c)."""
    wts, uni, ikj, ijk, unn = fixed
    pos: list[float] = []
    neg: list[float] = []
    pos_append, neg_append = pos.append, neg.append
    for wk, unik, u_ikj, u_ijk, unnk, unj in zip(wts, uni, ikj, ijk, unn, colj, strict=True):
        cn = wk * (unik - unj)
        if cn > 0.0:
            cni, cnj = a0 + cn, b0
        else:
            cni, cnj = a0, b0 - cn
        pin = cni / (cni + cnj)
        pjn = 1.0 - pin
        two_unj = unj + unj
        vn = wk * ((pin * u_ikj + pjn * (two_unj + unj)) - (pin * u_ijk + pjn * (two_unj + unnk)))
        if vn > 0.0:
            pos_append(vn)
            neg_append(0.0)
        else:
            pos_append(0.0)
            neg_append(-vn)
    pos.insert(i, 0.0)
    neg.insert(i, 0.0)
    pos[j] = neg[j] = 0.0  # only third parties vote
    return pairwise_sum(pos), pairwise_sum(neg)


def _contest(
    U: Matrix,
    i: int,
    j: int,
    wts: list[float],
    stot: list[float],
    fixed: tuple[list[float], ...],
    colj: Sequence[float],
) -> tuple[float, float]:
    """i's estimate of p(i beats j) and of its expected gain from challenging j (smp._contest)."""
    own = U[i]
    uii, uij = own[i], own[j]
    ci = wts[i] * (uii - uij)
    cj = wts[j] * (U[j][i] - U[j][j])
    chij = (_MIN_CONTEST + _max0(ci)) + _max0(cj)
    chji = (_MIN_CONTEST + _max0(-ci)) + _max0(-cj)
    s_pos, s_neg = _third_party_sums(i, j, chij, chji, colj, fixed)
    chij += s_pos
    chji += s_neg
    phij = chij / (chij + chji)
    phji = chji / (chij + chji)
    sj = stot[j]
    eu_vict = uii + uii
    eu_chlg = (1.0 - sj) * eu_vict + sj * (phij * eu_vict + phji * (uij + uij))
    return phij, eu_chlg - (uii + uij)


def _gain_bound(uii: float, uij: float, sj: float) -> float:
    """An upper bound on i's expected gain from challenging j, whatever p(i beats j) is.

    The gain is (1 - s_j) V + s_j (p V + q L) - (u_ii + u_ij) with V = 2 u_ii, L = 2 u_ij and
    p, q >= 0 summing to 1 (to within two units in the last place); p V + q L is at most
    max(V, L, 0). The margin, 1e-9 of the magnitudes, dwarfs the few rounding errors."""
    v, lose = uii + uii, uij + uij
    top = max(v, lose, 0.0)
    return (1.0 - sj) * v + sj * top - (uii + uij) + 1e-9 * (1.0 + abs(v) + abs(lose))


def _best_challenge(
    U: Matrix, i: int, wts: list[float], stot: list[float]
) -> tuple[int, float, float] | None:
    """Initiator i's best target j, with p(i beats j) and the gain (smp._step's argmax over
    smp._challenge_all's row i), or None when no gain exceeds 1e-5.

    Targets are assessed in decreasing order of :func:`_gain_bound`; one whose bound is below the
    best gain found (or at most 1e-5) cannot be the first largest eligible gain, so it is skipped.
    The gains computed are the NumPy path's, so the choice is too."""
    n = len(U)
    others = [k for k in range(n) if k != i]
    uni = [U[k][i] for k in others]
    unn = [U[k][k] for k in others]
    # what third party k expects on i's side (i with k against j) and on j's side
    ikj = [(x + x) + y for x, y in zip(uni, unn, strict=True)]
    ijk = [(x + x) + x for x in uni]
    columns = list(zip(*[U[k] for k in others], strict=True))
    fixed = ([wts[k] for k in others], uni, ikj, ijk, unn)
    own = U[i]
    order = sorted(others, key=lambda j: -_gain_bound(own[i], own[j], stot[j]))
    best: tuple[int, float, float] | None = None
    for j in order:
        bound = _gain_bound(own[i], own[j], stot[j])
        if bound <= _MIN_SIG_EDU or (best is not None and bound < best[2]):
            break  # the bounds decrease from here on
        p, gain = _contest(U, i, j, wts, stot, fixed, columns[j])
        if gain > _MIN_SIG_EDU and (
            best is None or gain > best[2] or (gain == best[2] and j < best[0])
        ):
            best = (j, p, gain)
    return best


def _round4(x: float) -> float:
    return float(floor(0.5 + x * 10000.0)) / 10000.0


def _interpolate(
    ti: list[float], si: list[float], p: float, tj: list[float], sj: list[float]
) -> tuple[list[float], list[float]]:
    """S2P2 bargain positions (b_i, b_j) between t_i and t_j, rounded to 1e-4."""
    q = 1.0 - p
    p2, q2 = p * p, q * q
    bi, bj = [], []
    for tik, sik, tjk, sjk in zip(ti, si, tj, sj, strict=True):
        wi = (sik * sik) * p2
        wj = (sjk * sjk) * q2
        den = (wi + _MIN_BARGAIN_W) + wj
        bi.append(_round4(((wi + _MIN_BARGAIN_W) * tik + wj * tjk) / den))
        bj.append(_round4((wi * tik + (_MIN_BARGAIN_W + wj) * tjk) / den))
    return bi, bj


def _targets(
    state: _State, wts: list[float], stot: list[float]
) -> list[tuple[int, int, float, float]]:
    """Every initiator's best challenge (initiator, target, p(win), gain), initiators in order;
    an initiator challenges only when its best gain exceeds 1e-5 (smp._step)."""
    out = []
    for i, U in enumerate(state.persp):
        best = _best_challenge(U, i, wts, stot)
        if best is not None:
            out.append((i, best[0], best[1], best[2]))
    return out


def _bargain_values(
    state: _State,
    ideals: Matrix,
    sal: Matrix,
    ss: list[float],
    bargains: list[tuple[int, int, list[float], list[float]]],
) -> Matrix:
    """ub[a]: actor a's average utility of the status quo and of the state after each bargain."""
    n = len(ideals)
    own = state.util
    u_pi = _distances(ideals, [b[2] for b in bargains], sal, ss)
    u_pj = _distances(ideals, [b[3] for b in bargains], sal, ss)
    ub = []
    for a in range(n):
        rowsum = pairwise_sum(own[a])
        ra, oa = state.risk[a], own[a]
        upi, upj = _utility_row(u_pi[a], ra), _utility_row(u_pj[a], ra)
        row = [rowsum / n]
        for (bi, br, _, _), x, y in zip(bargains, upi, upj, strict=True):
            row.append((((rowsum - oa[bi]) - oa[br]) + x + y) / n)
        ub.append(row)
    return ub


def _choices(
    ub: Matrix,
    cap: list[float],
    bargains: list[tuple[int, int, list[float], list[float]]],
    x: Matrix,
) -> Matrix:
    """New positions: each actor's most probable option in a Conditional Condorcet election among
    the status quo and the bargains it is party to (smp._choose_deterministic)."""
    pv = _victory(_coalitions(cap, ub))
    new_x = [row[:] for row in x]
    for k in range(len(x)):
        mine = [b for b, (bi, br, _, _) in enumerate(bargains) if k in (bi, br)]
        if not mine:
            continue
        cols = [0] + [1 + b for b in mine]
        p = [reduce(mul, [pv[a][c] for c in cols]) for a in cols]
        total = pairwise_sum(p)
        best = _argmax([abs(v / total) for v in p])
        if best > 0:
            bi, _, pos_i, pos_j = bargains[cols[best] - 1]
            new_x[k] = pos_i[:] if bi == k else pos_j[:]
    return new_x


def _step(
    x: Matrix,
    ideals: Matrix,
    sal: Matrix,
    ss: list[float],
    cap: list[float],
    stot: list[float],
    state: _State,
) -> tuple[Matrix, list[tuple[int, int, float, float]]]:
    """One turn: challenges, their bargains, and every actor's choice among them."""
    wts = [s * c for s, c in zip(stot, cap, strict=True)]
    challenges = _targets(state, wts, stot)
    bargains = []
    for i, j, p, _ in challenges:
        bi, bj = _interpolate(x[i], sal[i], p, x[j], sal[j])
        bargains.append((i, j, bi, bj))
    if not bargains:
        return [row[:] for row in x], challenges
    ub = _bargain_values(state, ideals, sal, ss, bargains)
    return _choices(ub, cap, bargains, x), challenges


def _movement(new: Matrix, old: Matrix) -> float:
    """Summed Euclidean movement of all actors (pairwise sums, as NumPy's)."""
    return pairwise_sum(
        [
            sqrt(pairwise_sum([(a - b) * (a - b) for a, b in zip(p, q, strict=True)]))
            for p, q in zip(new, old, strict=True)
        ]
    )


# ---------------------------------------------------------------------------------------------
# Results and driver


class PlainUnsupported(Exception):
    """The plain path does not cover this run (the caller runs the NumPy path instead)."""


class PlainSMPResult:
    """The history of a plain-Python SMP run, as lists; the fields of
    :class:`~realpolitik.models.bargaining.smp.SMPResult` that the ``bargain`` command prints.

    ``positions[t][i][k]`` is actor i's position on dimension k at state t (0–100, the initial
    state first); ``risk_attitudes[t][i]``; ``fractional_changes`` one per turn; ``challenges``
    per turn, tuples (initiator, target, p(win), gain).
    """

    def __init__(
        self,
        actor_names: tuple[str, ...],
        dimension_names: tuple[str, ...],
        capabilities: list[float],
        saliences: Matrix,
        positions: list[Matrix],
        risk_attitudes: Matrix,
        fractional_changes: list[float],
        converged: bool,
        challenges: tuple[tuple[tuple[int, int, float, float], ...], ...],
        options: SMPOptions,
    ) -> None:
        self.actor_names, self.dimension_names = actor_names, dimension_names
        self.capabilities, self.saliences = capabilities, saliences
        self.positions, self.risk_attitudes = positions, risk_attitudes
        self.fractional_changes, self.converged = fractional_changes, converged
        self.challenges, self.options = challenges, options

    @property
    def turns(self) -> int:
        """Turns taken (states recorded, less the initial one)."""
        return len(self.positions) - 1

    def forecast(self, turn: int = -1) -> dict[str, list[float]]:
        """Capability×salience weighted mean and weighted median per dimension at a state."""
        x = self.positions[turn]
        w = [[c * s for s in row] for c, row in zip(self.capabilities, self.saliences, strict=True)]
        # an (n, d) array's sum over axis 0 adds rows in turn, unless d == 1 (contiguous)
        total = pairwise_sum if len(self.dimension_names) == 1 else sequential_sum
        mean, median = [], []
        for k in range(len(self.dimension_names)):
            xs = [row[k] for row in x]
            ws = [row[k] for row in w]
            mean.append(total([a * b for a, b in zip(ws, xs, strict=True)]) / total(ws))
            median.append(weighted_median(xs, ws))
        return {"weighted_mean": mean, "median": median}

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready summary of :meth:`SMPResult.to_dict`, value for value."""
        names = self.actor_names
        turns = [
            {
                "positions": {a: list(p) for a, p in zip(names, pos, strict=True)},
                "risk_attitudes": dict(zip(names, risk, strict=True)),
            }
            for pos, risk in zip(self.positions, self.risk_attitudes, strict=True)
        ]
        return {
            "model": "ktab-smp",
            "turns": turns,
            "converged": bool(self.converged),
            "fractional_changes": list(self.fractional_changes),
            "forecast": self.forecast(),
            "dimensions": list(self.dimension_names),
            "options": self.options.as_dict(),
        }


def weighted_median(values: list[float], weights: list[float]) -> float:
    """_common.weighted_median of one row: the first value, in stable sorted order, whose
    cumulative weight reaches half the total (less 1e-12 of it)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    cum: list[float] = []
    run = 0.0
    for a in order:
        run = weights[a] if not cum else run + weights[a]
        cum.append(run)
    threshold = (0.5 * cum[-1]) * (1.0 - 1e-12)
    idx = next((q for q, c in enumerate(cum) if c >= threshold), 0)
    return values[order[idx]]


def weighted_average(values: list[float], weights: list[float]) -> float:
    """``np.average(values, weights=weights)`` of a 1-D run: pairwise sums of w·x and of w."""
    return pairwise_sum([a * w for a, w in zip(values, weights, strict=True)]) / pairwise_sum(
        weights
    )


def _checked(cap: list[float], pos0: Matrix, sal0: Matrix) -> None:
    """smp._checked_inputs' conditions; any failure is left to the NumPy path to report."""
    n = len(cap)
    d = len(pos0[0]) if pos0 else 0
    ok = (
        n >= 2
        and d >= 1
        and len(pos0) == n == len(sal0)
        and all(len(row) == d for row in pos0 + sal0)
        and all(c > 0 and c < inf for c in cap)
        and all(0 <= v <= 100 for row in pos0 for v in row)
        and all(0 <= v <= 100 for row in sal0 for v in row)
        and all(0 < pairwise_sum(row) <= 100 + 1e-9 for row in sal0)
    )
    if not ok:
        raise PlainUnsupported("inputs the NumPy path checks and reports")


def run_smp_plain(
    capabilities: list[float],
    positions: Matrix,
    saliences: Matrix,
    options: SMPOptions | None = None,
    *,
    actor_names: tuple[str, ...] | None = None,
    dimension_names: tuple[str, ...] | None = None,
    max_actors: int = PLAIN_MAX_ACTORS,
) -> PlainSMPResult:
    """Run the SMP in plain Python: :func:`~realpolitik.models.bargaining.smp.run_smp` with
    identity accommodation, KTAB's default rules, and its positions, risk attitudes, stopping
    statistics and challenges to the last bit.

    Raises :class:`PlainUnsupported` when the options or the inputs are outside the plain path
    (other rules, more than ``max_actors`` actors, inputs ``run_smp`` would refuse).
    """
    opt = options or SMPOptions()
    cap = [float(c) for c in capabilities]
    pos0 = [[float(v) for v in row] for row in positions]
    sal0 = [[float(v) for v in row] for row in saliences]
    if not plain_supported(opt, len(cap), max_actors):
        raise PlainUnsupported("options or size outside the plain path")
    _checked(cap, pos0, sal0)
    x = [[v / 100.0 for v in row] for row in pos0]
    sal = [[v / 100.0 for v in row] for row in sal0]
    stot = [pairwise_sum(row) for row in sal]
    ss = [pairwise_sum([s * s for s in row]) for row in sal]
    ideals = [row[:] for row in x]
    hist_x, hist_r, fracs, chall = [x], [], [], []
    converged, d01, turn = False, None, 0
    while True:
        state = _State(x, ideals, sal, ss, cap)
        hist_r.append(state.risk)
        if turn > 0:
            move = _movement(hist_x[-1], hist_x[-2])
            if d01 is None:
                d01 = move + opt.min_sig_delta
            ratio = movement_ratio(move, d01)
            fracs.append(ratio)
            quiet = ratio < opt.min_delta_ratio
            if turn >= opt.max_turns or (turn >= opt.min_turns and quiet):
                converged = bool(quiet and turn >= opt.min_turns)
                break
        x, ch = _step(x, ideals, sal, ss, cap, stot, state)
        chall.append(tuple(ch))
        ideals = [row[:] for row in x]
        hist_x.append(x)
        turn += 1
    n, d = len(cap), len(pos0[0])
    return PlainSMPResult(
        actor_names=actor_names or tuple(f"A{i}" for i in range(n)),
        dimension_names=dimension_names or tuple(f"D{k}" for k in range(d)),
        capabilities=cap,
        saliences=sal0,
        positions=[[[v * 100.0 for v in row] for row in state_x] for state_x in hist_x],
        risk_attitudes=hist_r,
        fractional_changes=fracs,
        converged=converged,
        challenges=tuple(chall),
        options=opt,
    )


__all__ = [
    "PLAIN_MAX_ACTORS",
    "PlainSMPResult",
    "PlainUnsupported",
    "pairwise_sum",
    "plain_supported",
    "run_smp_plain",
    "sequential_sum",
    "weighted_average",
    "weighted_median",
]
