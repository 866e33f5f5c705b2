"""Survival of promises and leader turnover: how long a commitment is expected to stand.

A promise made by a giver (a lever delivered under a commitment form, or a pivot's promise of
alignment) stands in year ``t`` with probability ``S(t)``. Two things end it:

* the commitment form itself: an annual hazard ``r`` that the promise lapses under the same
  government (an executive statement lapses more easily than a ratified treaty);
* the giver's leadership turnover: in a year in which the government changes (an annual hazard
  ``h`` and/or scheduled elections every ``k`` years that change the government with probability
  ``c``), a successor repudiates the promise with probability ``s``.

With the two sources independent from year to year,

.. math::

    q(t) = 1 - (1 - h)\\,(1 - c\\,\\mathbb{1}[t \\text{ is an election year}]), \\qquad
    S(t) = \\prod_{u=1}^{t} (1 - r)\\,(1 - s\\,q(u)),

and the present value of a yearly value ``v`` promised for ``H`` years at discount rate ``rho``
(``delta = 1 / (1 + rho)``) is ``PV = sum_{t=1..H} delta^t v S(t)``. Every function broadcasts
over leading axes (draws ``(B,)`` or draws by levers ``(B, L)``) and appends a year axis.

Base rates (Archigos-style annual probabilities of leader exit, election change rates) come in as
numbers from the scenario; this module reads no data.

References
----------
Fearon, J. D. (1995). Rationalist explanations for war. *International Organization* 49(3),
379-414 (commitment problems).
Goemans, H. E., Gleditsch, K. S. & Chiozza, G. (2009). Introducing Archigos: a dataset of political
leaders. *Journal of Peace Research* 46(2), 269-283 (base rates of leader exit).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from realpolitik.errors import ModelError

__all__ = [
    "Turnover",
    "turnover_probability",
    "survival",
    "discount_weights",
    "present_value",
    "credibility",
]


@dataclass(frozen=True)
class Turnover:
    """Leadership turnover of one actor; every field is a number or an array over draws.

    Attributes
    ----------
    annual_hazard : probability per year of an unscheduled change of leader or ruling coalition.
    elections_every : years between scheduled elections; 0 means no scheduled elections.
    next_election : year of the first scheduled election counted from the start of the horizon
        (1 = the first simulated year). A scenario that says ``next_election: 2028`` with
        ``year: 2025`` gives 3.
    change_probability : probability that a scheduled election changes the government.
    """

    annual_hazard: float | np.ndarray = 0.0
    elections_every: int | np.ndarray = 0
    next_election: int | np.ndarray = 1
    change_probability: float | np.ndarray = 0.0


def _check_prob(name: str, x: np.ndarray) -> None:
    if np.any(~np.isfinite(x)) or np.any(x < 0.0) or np.any(x > 1.0):
        raise ModelError(f"{name} must be probabilities in [0, 1]")


def election_years(years: int, elections_every: ArrayLike, next_election: ArrayLike) -> np.ndarray:
    """Boolean array ``(..., years)``: whether year ``t = 1..years`` holds a scheduled election."""
    k = np.asarray(elections_every, dtype=np.int64)[..., None]
    n0 = np.asarray(next_election, dtype=np.int64)[..., None]
    if np.any(k < 0):
        raise ModelError("elections_every must be >= 0 (0: no scheduled elections)")
    t = np.arange(1, years + 1, dtype=np.int64)
    if not np.any(k > 0):
        return np.zeros(np.broadcast_shapes(k.shape, n0.shape, t.shape), dtype=bool)
    safe_k = np.where(k > 0, k, 1)
    scheduled: np.ndarray = (k > 0) & (t >= n0) & (((t - n0) % safe_k) == 0)
    return scheduled


def turnover_probability(years: int, turnover: Turnover) -> np.ndarray:
    """Probability ``q(t)`` that the government changes in year ``t = 1..years``.

    Steps: mark the scheduled election years (every ``elections_every`` years from
    ``next_election``); combine the unscheduled hazard ``h`` and the election change probability
    ``c`` as independent events, ``q = 1 - (1 - h)(1 - c [election])``.

    Returns an array of shape ``broadcast(fields) + (years,)``.
    """
    h = np.asarray(turnover.annual_hazard, dtype=float)[..., None]
    c = np.asarray(turnover.change_probability, dtype=float)[..., None]
    _check_prob("annual_hazard", h)
    _check_prob("change_probability", c)
    elect = election_years(years, turnover.elections_every, turnover.next_election)
    q: np.ndarray = 1.0 - (1.0 - h) * (1.0 - c * elect)
    return q


def survival(
    years: int,
    annual_repudiation: ArrayLike,
    successor_repudiation: ArrayLike,
    turnover: Turnover | None = None,
    *,
    change: np.ndarray | None = None,
) -> np.ndarray:
    """Probability ``S(t)`` that a promise still stands in year ``t = 1..years``.

    Parameters
    ----------
    years : number of years (the largest horizon of the batch).
    annual_repudiation : yearly probability ``r`` that the promise lapses under the same government.
    successor_repudiation : probability ``s`` that a new government repudiates it.
    turnover : the giver's :class:`Turnover` (None: no turnover).
    change : optional precomputed ``q(t)`` (from :func:`turnover_probability`), used instead of
        ``turnover``; lets many promises of one giver share one computation.

    Returns
    -------
    numpy.ndarray of shape ``broadcast(inputs) + (years,)``, non-increasing along the last axis.

    Notes
    -----
    ``S(t) = prod_{u<=t} (1 - r)(1 - s q(u))``, computed as a cumulative product (a cumulative sum
    of logarithms would lose the exact zero of a certain lapse).
    """
    if years < 0:
        raise ModelError("years must be >= 0")
    r = np.asarray(annual_repudiation, dtype=float)[..., None]
    s = np.asarray(successor_repudiation, dtype=float)[..., None]
    _check_prob("annual_repudiation", r)
    _check_prob("successor_repudiation", s)
    if change is not None:
        q = np.asarray(change, dtype=float)
    elif turnover is not None:
        q = turnover_probability(years, turnover)
    else:
        q = np.zeros(years)
    yearly = (1.0 - r) * (1.0 - s * q)
    return np.cumprod(yearly, axis=-1)


def discount_weights(
    years: int, discount_rate: ArrayLike, horizon: ArrayLike | None = None
) -> np.ndarray:
    """Weights ``delta^t`` for ``t = 1..years``, zero beyond each draw's ``horizon``.

    ``delta = 1 / (1 + discount_rate)``. ``horizon`` (optional, broadcastable with
    ``discount_rate``) lets draws with different horizons share one year axis.
    """
    rho = np.asarray(discount_rate, dtype=float)[..., None]
    if np.any(rho <= -1.0) or np.any(~np.isfinite(rho)):
        raise ModelError("discount_rate must be a finite number > -1")
    t = np.arange(1, years + 1)
    w = (1.0 + rho) ** (-t)
    if horizon is not None:
        hz = np.asarray(horizon)[..., None]
        w = np.where(t <= hz, w, 0.0)
    return w


def present_value(
    value: ArrayLike, surv: np.ndarray, discount_rate: ArrayLike, horizon: ArrayLike | None = None
) -> np.ndarray:
    """``PV = sum_t delta^t v S(t)`` over the year axis of ``surv`` (shape ``(..., years)``)."""
    years = surv.shape[-1]
    w = discount_weights(years, discount_rate, horizon)
    pv: np.ndarray = np.asarray(value, dtype=float) * np.sum(w * surv, axis=-1)
    return pv


def credibility(
    surv: np.ndarray, discount_rate: ArrayLike, horizon: ArrayLike | None = None
) -> np.ndarray:
    """Share of a promise's face value that survives: ``sum delta^t S(t) / sum delta^t``, in [0, 1].

    Returns 1 where the horizon is empty (nothing is promised, nothing is lost).
    """
    years = surv.shape[-1]
    w = discount_weights(years, discount_rate, horizon)
    num = np.sum(w * surv, axis=-1)
    den = np.sum(np.broadcast_to(w, surv.shape), axis=-1)
    return np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
