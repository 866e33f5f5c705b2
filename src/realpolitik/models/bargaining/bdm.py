"""Bueno de Mesquita's expected-utility model of group decisions, as read by Scholz et al. (2011).

One issue, positions on [x_min, x_max]. Each round every actor's risk exponent is inferred from
how attractive a target it is, every actor challenges those it expects to gain from challenging,
and every actor that receives challenges yields to one of them (conflict lost, compromise or
capitulation). The published descriptions leave several rules open; each is an option of
:class:`BDMOptions`:

``probability``
    ``"net"``: P_i(j) = max(Σ_k v_k, 0) / Σ_k |v_k| (the dmasad replication);
    ``"positive"``: P_i(j) = Σ_{k: v_k > 0} v_k / Σ_k |v_k| (Scholz et al.'s printed formula).
    Votes v_k = c_k s_k (|x_k − x_j| − |x_k − x_i|) / Δ, all actors voting (principals included).
``status_quo``
    the reference point μ in U_b and U_w: ``"median"`` (weighted median), ``"mean"`` (weighted
    mean), or ``"median_then_mean"`` (median in the risk-neutral pass, mean in the second pass, as
    the replication does).
``boundary``
    for a receiver with negative EU against the sender: ``"replication"`` — compromise when
    |EU_receiver| < EU_sender, capitulation otherwise; ``"reversed"`` — capitulation when
    |EU_receiver| < EU_sender, compromise otherwise.
``accept``
    which incoming challenge a receiver answers: ``"max_eu"`` (the sender with the highest
    expected utility, ties to the closest), or ``"closest"`` (the closest sender position, ties to
    the highest EU).

All actors' rounds are evaluated on arrays, and :func:`run_bdm_batch` evaluates many draws of
capabilities, positions and saliences at once (arrays of shape (draws, n)).

References
----------
- B. Bueno de Mesquita (1994), "Political forecasting: an expected utility method", in
  B. Bueno de Mesquita and F. N. Stokman (eds), *European Community Decision Making*, Yale UP, ch. 4.
- J. B. Scholz, G. J. Calbert and G. A. Smith (2011), "Unravelling Bueno De Mesquita's group
  decision model", *Journal of Theoretical Politics* 23(4):510–531.
- D. Masad, BDM_DecisionModel_Replication (GitHub, commit aa3899a), a Python reading of Scholz et al.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from realpolitik.errors import ModelError
from realpolitik.models.bargaining._common import as_float_array, weighted_median

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

ProbabilityRule = Literal["net", "positive"]
StatusQuo = Literal["median", "mean", "median_then_mean"]
Boundary = Literal["replication", "reversed"]
Accept = Literal["max_eu", "closest"]

_CHOICES: dict[str, tuple[Any, ...]] = {
    "probability": ("net", "positive"),
    "status_quo": ("median", "mean", "median_then_mean"),
    "boundary": ("replication", "reversed"),
    "accept": ("max_eu", "closest"),
}


@dataclass(frozen=True)
class BDMOptions:
    """The ambiguous rules of the model, each named (see the module docstring); Q and T as published.

    ``rounds`` is the number of rounds simulated (the EC example shows 10); ``tol`` the movement
    (as a fraction of the range) below which positions count as unchanged, for convergence and
    cycle detection.
    """

    probability: ProbabilityRule = "net"
    status_quo: StatusQuo = "median_then_mean"
    boundary: Boundary = "replication"
    accept: Accept = "max_eu"
    q: float = 1.0
    t: float = 1.0
    rounds: int = 10
    tol: float = 1e-9

    def __post_init__(self) -> None:
        for name, allowed in _CHOICES.items():
            if getattr(self, name) not in allowed:
                raise ModelError(
                    f"BDM option {name}={getattr(self, name)!r}; expected one of {allowed}"
                )
        if not (0 <= self.q <= 1 and 0 <= self.t <= 1):
            raise ModelError(f"Q and T must lie in [0, 1], got {self.q}, {self.t}")
        if int(self.rounds) < 1:
            raise ModelError(f"rounds must be >= 1, got {self.rounds}")

    def as_dict(self) -> dict[str, Any]:
        return {
            k: getattr(self, k)
            for k in ("probability", "status_quo", "boundary", "accept", "q", "t", "rounds", "tol")
        }

    @classmethod
    def all_variants(cls, **common: Any) -> list[BDMOptions]:
        """Every combination of the four ambiguous rules (24 option sets)."""
        out = []
        for p in _CHOICES["probability"]:
            for s in _CHOICES["status_quo"]:
                for b in _CHOICES["boundary"]:
                    for a in _CHOICES["accept"]:
                        out.append(cls(probability=p, status_quo=s, boundary=b, accept=a, **common))
        return out


def _utilities(
    x: np.ndarray, r: np.ndarray, mu: np.ndarray, span: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Basic utilities U_s, U_f, U_b, U_w (B, n, n) for actor i (axis 1) against j (axis 2)."""
    dij = np.abs(x[:, :, None] - x[:, None, :]) / span
    dmu = np.abs(x - mu[:, None])[:, :, None] / span
    rr = r[:, :, None]
    us = 2 - 4 * (0.5 - 0.5 * dij) ** rr
    uf = 2 - 4 * (0.5 + 0.5 * dij) ** rr
    ub = 2 - 4 * np.clip(0.5 - 0.25 * (dmu + dij), 0.0, None) ** rr
    uw = 2 - 4 * (0.5 + 0.25 * (dmu + dij)) ** rr
    usq = 2 - 4 * 0.5**rr
    return us, uf, ub, uw, usq


def _probabilities(x: np.ndarray, w: np.ndarray, span: ArrayLike, rule: str) -> np.ndarray:
    """P[b, i, j]: probability that i beats j (0 when they share a position)."""
    # v[b, k, i, j] = w_k (|x_k - x_j| - |x_k - x_i|) / span
    ax = np.abs(x[:, :, None] - x[:, None, :]) / span  # (B, k, m)
    v = w[:, :, None, None] * (ax[:, :, None, :] - ax[:, :, :, None])
    pos = np.maximum(v, 0.0).sum(axis=1)
    neg = np.maximum(-v, 0.0).sum(axis=1)
    tot = pos + neg
    top = np.maximum(pos - neg, 0.0) if rule == "net" else pos
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(tot > 0, top / np.where(tot > 0, tot, 1.0), 0.0)
    same = x[:, :, None] == x[:, None, :]
    beats: np.ndarray = np.where(same, 0.0, p)
    return beats


def _expected_utilities(
    x: np.ndarray,
    s: np.ndarray,
    r: np.ndarray,
    mu: np.ndarray,
    span: ArrayLike,
    p: np.ndarray,
    q: float,
    t: float,
) -> np.ndarray:
    us, uf, ub, uw, usq = _utilities(x, r, mu, span)
    sj = s[:, None, :]
    eu = sj * (p * us + (1 - p) * uf) + (1 - sj) * us - q * usq - (1 - q) * (t * ub + (1 - t) * uw)
    n = x.shape[1]
    off_diagonal: np.ndarray = np.where(np.eye(n, dtype=bool)[None], 0.0, eu)
    return off_diagonal


def _status_quo(x: np.ndarray, w: np.ndarray, kind: str) -> np.ndarray:
    if kind == "mean":
        mean: np.ndarray = (w * x).sum(axis=1) / w.sum(axis=1)
        return mean
    return weighted_median(x, w)


def _risk_exponents(eu: np.ndarray) -> np.ndarray:
    """r_i = (1 − R_i/3)/(1 + R_i/3), R_i from S_i = Σ_j EU_ji (others' EU of challenging i)."""
    sec = eu.sum(axis=1)  # (B, n): column sums, the diagonal is zero
    smax = sec.max(axis=1, keepdims=True)
    smin = sec.min(axis=1, keepdims=True)
    span = smax - smin
    with np.errstate(invalid="ignore", divide="ignore"):
        big_r = np.where(span > 0, (2 * sec - smax - smin) / np.where(span > 0, span, 1.0), 0.0)
    exponents: np.ndarray = (1 - big_r / 3) / (1 + big_r / 3)
    return exponents


def _round(
    x: np.ndarray, c: np.ndarray, s: np.ndarray, lo: np.ndarray, hi: np.ndarray, opt: BDMOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One round for a batch: returns new positions, risk exponents and the round's EU matrix."""
    b, n = x.shape
    span = hi - lo
    w = c * s
    p = _probabilities(x, w, span[:, None, None] if np.ndim(span) else span, opt.probability)
    sp = span[:, None, None] if np.ndim(span) else span
    r1 = np.ones((b, n))
    mu1 = _status_quo(x, w, "median" if opt.status_quo != "mean" else "mean")
    eu1 = _expected_utilities(x, s, r1, mu1, sp, p, opt.q, opt.t)
    r = _risk_exponents(eu1)
    mu2 = _status_quo(x, w, "mean" if opt.status_quo != "median" else "median")
    eu = _expected_utilities(x, s, r, mu2, sp, p, opt.q, opt.t)

    # offers: sender i -> receiver j when EU_ij > 0
    offer = eu > 0
    eu_send = np.where(offer, eu, -np.inf)  # [b, i(sender), j(receiver)]
    dist = np.abs(x[:, :, None] - x[:, None, :])  # distance sender-receiver
    if opt.accept == "max_eu":
        best = eu_send.max(axis=1, keepdims=True)
        cand = offer & (eu_send == best)
        score = np.where(cand, dist, np.inf)
        pick = np.argmin(score, axis=1)  # (b, j)
    else:
        score = np.where(offer, dist, np.inf)
        dmin = score.min(axis=1, keepdims=True)
        cand = offer & (score == dmin)
        pick = np.argmax(np.where(cand, eu_send, -np.inf), axis=1)
    has = offer.any(axis=1)  # (b, j)
    bi = np.arange(b)[:, None]
    jj = np.arange(n)[None, :]
    uj = eu[bi, pick, jj]  # sender's EU (positive)
    ui = eu[bi, jj, pick]  # receiver's EU against the sender
    xs = x[bi, pick]
    xj = x
    lose = (ui > 0) & (ui < uj)
    neg = ui < 0
    small = np.abs(ui) < uj
    if opt.boundary == "replication":
        compromise = neg & small
        capitulate = neg & (np.abs(ui) > uj)
    else:
        capitulate = neg & small
        compromise = neg & (np.abs(ui) > uj)
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(compromise, np.abs(ui / np.where(uj != 0, uj, 1.0)), 0.0)
    frac = np.clip(frac, 0.0, 1.0)
    new = np.where(lose | capitulate, xs, np.where(compromise, xj + (xs - xj) * frac, xj))
    new = np.where(has, new, xj)
    return new, r, eu


@dataclass(frozen=True)
class BDMResult:
    """Round-by-round history of one BDM run (positions (rounds + 1, n), risk exponents (rounds, n)).

    ``converged``: positions stopped moving; ``cycle_length``: the period of an exact recurrence of
    positions (None if none within the rounds); ``oscillating``: a cycle, or a weighted mean that
    keeps reversing direction without converging.
    """

    actor_names: tuple[str, ...]
    capabilities: np.ndarray
    saliences: np.ndarray
    positions: np.ndarray
    risk_exponents: np.ndarray
    converged: bool
    converged_round: int | None
    cycle_length: int | None
    oscillating: bool
    options: BDMOptions = field(default_factory=BDMOptions)

    @property
    def weights(self) -> np.ndarray:
        """Capability times salience, per actor."""
        w: np.ndarray = self.capabilities * self.saliences
        return w

    @property
    def weighted_mean(self) -> np.ndarray:
        w = self.weights
        mean: np.ndarray = (self.positions * w).sum(axis=1) / w.sum()
        return mean

    @property
    def median(self) -> np.ndarray:
        return weighted_median(self.positions, self.weights[None, :])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for the CLI."""
        turns = [
            {
                "positions": {
                    a: [float(self.positions[t, i])] for i, a in enumerate(self.actor_names)
                },
                "risk_attitudes": (
                    {a: float(self.risk_exponents[t, i]) for i, a in enumerate(self.actor_names)}
                    if t < len(self.risk_exponents)
                    else {}
                ),
            }
            for t in range(self.positions.shape[0])
        ]
        return {
            "model": "bdm",
            "turns": turns,
            "converged": bool(self.converged),
            "converged_round": self.converged_round,
            "oscillating": bool(self.oscillating),
            "cycle_length": self.cycle_length,
            "forecast": {
                "weighted_mean": [float(v) for v in self.weighted_mean],
                "median": [float(v) for v in self.median],
            },
            "options": self.options.as_dict(),
        }

    def history_frame(self) -> pd.DataFrame:
        """Long DataFrame: round, actor, position, risk_exponent (NaN for the final state)."""
        import pandas as pd

        t_, n = self.positions.shape
        rexp = np.full((t_, n), np.nan)
        rexp[: len(self.risk_exponents)] = self.risk_exponents
        tt, aa = np.meshgrid(np.arange(t_), np.arange(n), indexing="ij")
        return pd.DataFrame(
            {
                "round": tt.ravel(),
                "actor": np.asarray(self.actor_names, dtype=object)[aa.ravel()],
                "position": self.positions.ravel(),
                "risk_exponent": rexp.ravel(),
            }
        )


@dataclass(frozen=True)
class BDMBatchResult:
    """A batch of runs: positions (draws, rounds + 1, n) and per-draw behaviour flags."""

    positions: np.ndarray
    weights: np.ndarray  # (draws, n)
    converged: np.ndarray
    converged_round: np.ndarray  # -1 when not converged
    cycle_length: np.ndarray  # 0 when no cycle
    oscillating: np.ndarray

    @property
    def weighted_mean(self) -> np.ndarray:
        """(draws, rounds + 1) weighted mean position per round."""
        w = self.weights[:, None, :]
        mean: np.ndarray = (self.positions * w).sum(axis=2) / w.sum(axis=2)
        return mean

    @property
    def median(self) -> np.ndarray:
        return weighted_median(self.positions, self.weights[:, None, :])


def _classify(
    pos: np.ndarray, wmean: np.ndarray, tol_abs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Convergence, cycles and oscillation from position histories (B, T+1, n)."""
    b, t1, _ = pos.shape
    move = np.abs(np.diff(pos, axis=1)).max(axis=2) <= tol_abs[:, None]  # (B, T)
    converged = move[:, -1] if t1 > 1 else np.ones(b, bool)
    # first round from which positions never move again
    still = np.flip(np.cumprod(np.flip(move, axis=1), axis=1), axis=1).astype(bool)
    conv_round = np.where(converged, np.argmax(still, axis=1), -1)
    cycle = np.zeros(b, int)
    for lag in range(2, t1):
        same = np.abs(pos[:, lag:] - pos[:, :-lag]).max(axis=2) <= tol_abs[:, None]
        found = same.any(axis=1) & (cycle == 0) & ~converged
        cycle[found] = lag
    dm = np.diff(wmean, axis=1)
    sig = np.where(np.abs(dm) > tol_abs[:, None], np.sign(dm), 0.0)
    flips = np.zeros(b, int)
    last = np.zeros(b)
    for k in range(sig.shape[1]):
        sk = sig[:, k]
        flips += (sk != 0) & (last != 0) & (sk != last)
        last = np.where(sk != 0, sk, last)
    oscillating = (cycle > 0) | (~converged & (flips >= 2))
    return converged, conv_round, cycle, oscillating


def run_bdm_batch(
    capabilities: ArrayLike,
    positions: ArrayLike,
    saliences: ArrayLike,
    lo: ArrayLike | None = None,
    hi: ArrayLike | None = None,
    options: BDMOptions | None = None,
) -> BDMBatchResult:
    """Run the BDM model on a batch of draws at once.

    Parameters
    ----------
    capabilities, positions, saliences : arrays (draws, n) (or (n,) for one draw)
        Capabilities (any positive scale), positions on [lo, hi], saliences in [0, 1].
    lo, hi : float or arrays (draws,)
        The issue's range; the draw's min and max position when omitted.
    options : BDMOptions

    Notes
    -----
    Each round (Scholz et al. 2011, appendix steps 2–11): risk exponents 1; status quo μ; basic
    utilities U_s, U_f, U_b, U_w, U_sq; probabilities P_i(j) from capability×salience weighted
    votes; EU_ij = s_j[P U_s + (1 − P) U_f] + (1 − s_j) U_s − Q U_sq − (1 − Q)[T U_b + (1 − T) U_w];
    risk R_i from S_i = Σ_j EU_ji, r_i = (1 − R_i/3)/(1 + R_i/3); utilities and EU again with r;
    every i with EU_ij > 0 challenges j; each j answers one challenge (``accept``): it loses a
    conflict (moves to the sender) when 0 < EU_ji < EU_ij, otherwise if EU_ji < 0 it compromises
    (moves the fraction |EU_ji / EU_ij|) or capitulates (moves fully) by ``boundary``.
    """
    opt = options or BDMOptions()
    c = np.atleast_2d(as_float_array(capabilities, "capabilities", np.ndim(capabilities)))
    x = np.atleast_2d(as_float_array(positions, "positions", np.ndim(positions)))
    s = np.atleast_2d(as_float_array(saliences, "saliences", np.ndim(saliences)))
    if not (c.shape == x.shape == s.shape) or c.ndim != 2:
        raise ModelError(f"shapes disagree: {c.shape}, {x.shape}, {s.shape}")
    if x.shape[1] < 2:
        raise ModelError("BDM needs at least 2 actors")
    if np.any(c < 0) or np.any(s < 0) or np.any(s > 1):
        raise ModelError("capabilities must be >= 0 and saliences in [0, 1]")
    b = x.shape[0]
    lo_a = np.broadcast_to(np.asarray(x.min(axis=1) if lo is None else lo, float), (b,)).copy()
    hi_a = np.broadcast_to(np.asarray(x.max(axis=1) if hi is None else hi, float), (b,)).copy()
    span = hi_a - lo_a
    if np.any(span <= 0):
        raise ModelError("the issue range must be positive (hi > lo)")
    hist = [x]
    for _ in range(int(opt.rounds)):
        x, _, _ = _round(x, c, s, lo_a, hi_a, opt)
        hist.append(x)
    pos = np.stack(hist, axis=1)
    w = c * s
    wmean = (pos * w[:, None, :]).sum(axis=2) / w.sum(axis=1)[:, None]
    conv, cr, cyc, osc = _classify(pos, wmean, opt.tol * span)
    return BDMBatchResult(pos, w, conv, cr, cyc, osc)


def run_bdm(
    capabilities: ArrayLike,
    positions: ArrayLike,
    saliences: ArrayLike,
    lo: float | None = None,
    hi: float | None = None,
    options: BDMOptions | None = None,
    *,
    actor_names: Sequence[str] | None = None,
) -> BDMResult:
    """Run the BDM model on one set of actors; see :func:`run_bdm_batch` for the rules.

    Saliences in [0, 1] (divide percentages by 100).
    """
    opt = options or BDMOptions()
    c = as_float_array(capabilities, "capabilities", 1)
    x = as_float_array(positions, "positions", 1)
    s = as_float_array(saliences, "saliences", 1)
    n = x.size
    batch = run_bdm_batch(c[None], x[None], s[None], lo, hi, opt)
    # risk exponents per round (recomputed; cheap)
    span = np.array([(x.max() if hi is None else hi) - (x.min() if lo is None else lo)], float)
    los = np.array([x.min() if lo is None else lo], float)
    rs = []
    for t in range(batch.positions.shape[1] - 1):
        _, r, _ = _round(batch.positions[:, t], c[None], s[None], los, los + span, opt)
        rs.append(r[0])
    names = tuple(actor_names) if actor_names is not None else tuple(f"A{i}" for i in range(n))
    cyc = int(batch.cycle_length[0])
    cr = int(batch.converged_round[0])
    return BDMResult(
        actor_names=names,
        capabilities=c,
        saliences=s,
        positions=batch.positions[0],
        risk_exponents=np.array(rs),
        converged=bool(batch.converged[0]),
        converged_round=cr if cr >= 0 else None,
        cycle_length=cyc or None,
        oscillating=bool(batch.oscillating[0]),
        options=opt,
    )


def compare_variants(
    capabilities: ArrayLike,
    positions: ArrayLike,
    saliences: ArrayLike,
    target: ArrayLike,
    lo: float | None = None,
    hi: float | None = None,
    **common: Any,
) -> list[tuple[BDMOptions, float, BDMResult]]:
    """Run every option set and rank them by RMS distance of the weighted-mean trajectory to
    ``target`` (rounds 0..len(target)−1). Returns (options, rmse, result), best first."""
    target = np.asarray(target, float)
    out = []
    for opt in BDMOptions.all_variants(rounds=len(target) - 1, **common):
        res = run_bdm(capabilities, positions, saliences, lo, hi, opt)
        err = float(np.sqrt(np.mean((res.weighted_mean - target) ** 2)))
        out.append((opt, err, res))
    out.sort(key=lambda t: t[1])
    return out


__all__ = [
    "BDMBatchResult",
    "BDMOptions",
    "BDMResult",
    "compare_variants",
    "run_bdm",
    "run_bdm_batch",
]
