"""Calibration: the protocol's free constants fitted to the library's outcomes.

Maximum likelihood on "ended aligned with the courter" (yes = 1; no and partial = 0): each
episode's probability is the share of its draws (fact ranges and the unmeasured part) in which the
realignment model has the pivot align with the courter, floored at ``PROB_FLOOR`` away from 0 and 1.
The likelihood is searched by differential evolution (scipy), all candidates of a generation in one
batch per episode. The constants' uncertainty is each one's likelihood-ratio interval with the
others held at the fit (the set where the log-likelihood is within ``LR_DROP`` of its maximum on a
grid): it flows into coded scenarios as triangular distributions. Cross-validation is k-fold: each
fold's episodes are predicted by constants fitted without them.

The fitted constants ship with the package (``calibration.json``) and carry the library's content
hash, so a fit and the library it came from cannot be confused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from realpolitik.evidence import constants as K
from realpolitik.evidence.load import Episode, library_hash
from realpolitik.evidence.predict import PreparedEpisode, predictive, prepare, probabilities

PROB_FLOOR = K.PROB_FLOOR
#: Drop of the log-likelihood that bounds a constant's interval (chi-square, 1 df, 95%: 3.84 / 2).
LR_DROP = 1.92
#: Grid points per constant for the intervals.
GRID = 21
#: Folds of the cross-validation.
FOLDS = 5


@dataclass(frozen=True)
class FitSettings:
    """How a fit is run (all of it is recorded with the fit)."""

    draws: int = 48
    seed: int = 0
    popsize: int = 6
    maxiter: int = 40
    folds: int = FOLDS


def aligned(episode: Episode) -> int:
    """1 if the episode ended aligned with the courter, 0 if not or partly; -1 without outcome."""
    o = episode.spec.outcome
    if o is None:
        return -1
    return int(o.aligned_with_courter == "yes")


def binary_scored(episode: Episode) -> bool:
    """Whether "ended aligned with the courter" is scored: an outcome, and a courter to align
    with (without one the answer is "no" by definition; the outcome label is still scored)."""
    return episode.has_outcome and episode.spec.courter is not None


def log_likelihood(p_courter: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Sum over episodes of the log probability of what happened; ``p_courter`` is
    ``(episodes, candidates)``, the result ``(candidates,)``."""
    p = np.clip(p_courter, PROB_FLOOR, 1 - PROB_FLOOR)
    y = np.asarray(y, float)[:, None]
    return np.sum(y * np.log(p) + (1 - y) * np.log1p(-p), axis=0)


def fit_constants(
    prepared: Sequence[PreparedEpisode],
    y: np.ndarray,
    settings: FitSettings = FitSettings(),
    bounds: Sequence[tuple[float, float]] | None = None,
    fixed: dict[int, float] | None = None,
) -> tuple[np.ndarray, float]:
    """Maximum-likelihood constants for ``prepared`` episodes with outcomes ``y``.

    ``fixed`` holds constants (by index) at given values (used by tests that fit a subset).
    Returns the fitted vector and its log-likelihood.
    """
    from scipy.optimize import differential_evolution

    bounds = list(bounds or [(c.low, c.high) for c in K.FREE_CONSTANTS])
    fixed = dict(fixed or {})
    free = [i for i in range(len(bounds)) if i not in fixed]
    prepared = list(prepared)

    def full(x: np.ndarray) -> np.ndarray:
        x = np.atleast_2d(x.T).T if x.ndim == 1 else x
        rows = np.empty((x.shape[1], len(bounds)))
        for j, i in enumerate(free):
            rows[:, i] = x[j]
        for i, v in fixed.items():
            rows[:, i] = v
        return rows

    def objective(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, float)
        single = x.ndim == 1
        rows = full(x[:, None] if single else x)
        ll = log_likelihood(probabilities(prepared, rows)[:, :, 2], y)
        return -ll[0] if single else -ll

    result = differential_evolution(
        objective,
        [bounds[i] for i in free],
        vectorized=True,
        updating="deferred",
        popsize=settings.popsize,
        maxiter=settings.maxiter,
        seed=settings.seed,
        polish=False,
        tol=1e-6,
    )
    best = full(np.asarray(result.x, float)[:, None])[0]
    return best, float(-result.fun)


def intervals(prepared: Sequence[PreparedEpisode], y: np.ndarray, point: np.ndarray) -> np.ndarray:
    """Each constant's likelihood-ratio interval (others at ``point``): ``(n_constants, 2)``."""
    rows, owner = [point], [-1]
    grids = []
    for i, c in enumerate(K.FREE_CONSTANTS):
        grid = np.linspace(c.low, c.high, GRID)
        grids.append(grid)
        for v in grid:
            r = point.copy()
            r[i] = v
            rows.append(r)
            owner.append(i)
    ll = log_likelihood(probabilities(list(prepared), np.array(rows))[:, :, 2], y)
    best = ll[0]
    owner_arr = np.array(owner)
    out = np.empty((len(K.FREE_CONSTANTS), 2))
    for i, grid in enumerate(grids):
        inside = grid[ll[owner_arr == i] >= best - LR_DROP]
        low = min(inside.min(), point[i]) if inside.size else point[i]
        high = max(inside.max(), point[i]) if inside.size else point[i]
        out[i] = (low, high)
    return out


def fold_of(ids: Sequence[str], folds: int) -> np.ndarray:
    """A fixed fold for each episode: ids in sorted order dealt round the folds."""
    order = sorted(range(len(ids)), key=lambda i: ids[i])
    out = np.empty(len(ids), int)
    for rank, i in enumerate(order):
        out[i] = rank % folds
    return out


@dataclass
class Calibration:
    """A fit of the free constants: values, intervals, and the cross-validated predictions."""

    library_hash: str
    episodes: list[str]
    constants: dict[str, dict[str, float]]
    log_likelihood: float
    settings: dict[str, Any]
    data_used: dict[str, bool]
    cross_validation: dict[str, Any] = field(default_factory=dict)
    #: outcomes that change when each constant moves (see :mod:`realpolitik.evidence.robustness`)
    robustness: list[dict[str, Any]] = field(default_factory=list)

    @property
    def point(self) -> np.ndarray:
        """The fitted values, in the order of ``FREE_NAMES``."""
        return np.array([self.constants[n]["value"] for n in K.FREE_NAMES])

    @property
    def spread(self) -> np.ndarray:
        """Each constant's interval, ``(n_constants, 2)``."""
        return np.array(
            [[self.constants[n]["low"], self.constants[n]["high"]] for n in K.FREE_NAMES]
        )

    def theta(self) -> dict[str, float]:
        """Point values by name."""
        return {n: self.constants[n]["value"] for n in K.FREE_NAMES}

    def spread_by_name(self) -> dict[str, tuple[float, float]]:
        """Each constant's interval by name."""
        return {n: (self.constants[n]["low"], self.constants[n]["high"]) for n in K.FREE_NAMES}

    def to_json(self) -> str:
        """The fit as JSON text (what ``calibration.json`` holds)."""
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        """A fit from its JSON text."""
        return cls(**json.loads(text))


def shipped_path() -> Path:
    """Where the package's fitted constants live."""
    return Path(__file__).parent / "calibration.json"


def load_calibration(path: str | Path | None = None) -> Calibration | None:
    """The shipped fit (or the one at ``path``); ``None`` if there is none."""
    p = Path(path) if path else shipped_path()
    if not p.exists():
        return None
    return Calibration.from_json(p.read_text(encoding="utf-8"))


def default_calibration() -> Calibration:
    """The constants' defaults as a pseudo-fit (no intervals), for use before any fit."""
    return Calibration(
        library_hash="",
        episodes=[],
        constants={
            c.name: {"value": c.default, "low": c.default, "high": c.default}
            for c in K.FREE_CONSTANTS
        },
        log_likelihood=float("nan"),
        settings={},
        data_used={},
    )


def calibrate(
    episodes: Sequence[Episode],
    settings: FitSettings = FitSettings(),
    *,
    data_dir: Any = None,
    cross_validate: bool = True,
    progress: Any = None,
    fixed: dict[str, float] | None = None,
) -> Calibration:
    """Fit the constants to ``episodes`` (those with an outcome and a courter), with k-fold
    cross-validation.

    ``data_dir``: read actors' sizes (COW) and leader-change rates (Archigos) from there; without
    it the protocol's stated defaults are used (the shipped fit does this, so that it is reproduced
    on any machine). ``fixed`` holds constants (by name) at given values instead of fitting them
    (an ablation: e.g. ``{"faction_weight": 0}`` asks what the record is without factions). The
    cross-validated predictions (each episode predicted by constants fitted without its fold)
    of the model, of the base rate and of the logistic baseline are stored with the fit.
    """

    known = [ep for ep in episodes if ep.has_outcome]
    sizes, hazards = actor_data(known, data_dir) if data_dir is not None else ({}, {})
    prepared_all = prepare(known, settings.draws, settings.seed, sizes=sizes, hazards=hazards)
    is_scored = np.array([binary_scored(ep) for ep in known], bool)
    prepared = [p for p, s in zip(prepared_all, is_scored, strict=True) if s]
    scored = [ep for ep, s in zip(known, is_scored, strict=True) if s]
    y = np.array([aligned(ep) for ep in scored])
    say = progress or (lambda text: None)
    say(f"fitting {len(K.FREE_NAMES)} constants to {len(scored)} episodes")
    hold = {K.FREE_NAMES.index(n): float(v) for n, v in (fixed or {}).items()}
    point, ll = fit_constants(prepared, y, settings, fixed=hold)
    spread = intervals(prepared, y, point)
    constants = {
        n: {"value": float(point[i]), "low": float(spread[i, 0]), "high": float(spread[i, 1])}
        for i, n in enumerate(K.FREE_NAMES)
    }
    cv: dict[str, Any] = {}
    if cross_validate and len(scored) >= settings.folds:
        cv = _cross_validate(known, prepared_all, is_scored, settings, hold, say)
    return Calibration(
        library_hash=library_hash(known),
        episodes=[ep.id for ep in scored],
        constants=constants,
        log_likelihood=ll,
        settings={**asdict(settings), "fixed": dict(fixed or {})},
        data_used={"cow": bool(sizes), "archigos": bool(hazards)},
        cross_validation=cv,
    )


def _cross_validate(
    known: Sequence[Episode],
    prepared_all: Sequence[PreparedEpisode],
    is_scored: np.ndarray,
    settings: FitSettings,
    hold: dict[int, float],
    say: Any,
) -> dict[str, Any]:
    """k-fold predictions of every episode (model, base rate, logistic) by fits without its fold."""
    from realpolitik.evidence.baselines import fit_logistic, predict_logistic
    from realpolitik.evidence.protocol import features

    ids = [ep.id for ep in known]
    folds = fold_of(ids, settings.folds)
    model_p = np.zeros((len(known), 4))
    base_p = np.full(len(known), np.nan)
    logit_p = np.full(len(known), np.nan)
    X = np.array([list(features(ep).values()) for ep in known])
    y_all = np.array([aligned(ep) for ep in known])
    for k in range(settings.folds):
        say(f"fold {k + 1} of {settings.folds}")
        test = folds == k
        train = ~test & is_scored
        fold_point, _ = fit_constants(
            [p for p, t in zip(prepared_all, train, strict=True) if t],
            y_all[train],
            settings,
            fixed=hold,
        )
        model_p[test] = predictive(
            [p for p, t in zip(prepared_all, test, strict=True) if t], fold_point
        )
        held = test & is_scored
        base_p[held] = y_all[train].mean()
        logit_p[held] = predict_logistic(fit_logistic(X[train], y_all[train]), X[held])
    cv = {
        "folds": settings.folds,
        "fold": {i: int(f) for i, f in zip(ids, folds, strict=True)},
        "model": {i: [float(v) for v in row] for i, row in zip(ids, model_p, strict=True)},
        "base_rate": {i: float(v) for i, v, s in zip(ids, base_p, is_scored, strict=True) if s},
        "logistic": {i: float(v) for i, v, s in zip(ids, logit_p, is_scored, strict=True) if s},
    }
    cv["record"] = cross_validated_record(
        model_p[is_scored, 2], base_p[is_scored], logit_p[is_scored], y_all[is_scored]
    )
    return cv


def cross_validated_record(
    p_model: np.ndarray, p_base: np.ndarray, p_logistic: np.ndarray, y: np.ndarray
) -> dict[str, float]:
    """The headline scores of cross-validated predictions of "ended aligned with the courter"."""
    from realpolitik.evidence import scoring

    return {
        "n": int(len(y)),
        "brier": scoring.brier(p_model, y),
        "brier_base_rate": scoring.brier(p_base, y),
        "brier_logistic": scoring.brier(p_logistic, y),
        "accuracy": scoring.accuracy(p_model, y),
        "accuracy_base_rate": scoring.accuracy(p_base, y),
        "accuracy_logistic": scoring.accuracy(p_logistic, y),
        "log_score": scoring.log_score(p_model, y),
    }


def actor_data(episodes: Sequence[Episode], data_dir: Any = None) -> tuple[dict, dict]:
    """Sizes (COW) and leader-change rates (Archigos) per episode, empty when data are absent."""
    from realpolitik.data.directory import DataNotFoundError
    from realpolitik.evidence.datasets import capability_shares, leader_hazards

    try:
        return capability_shares(episodes, data_dir), leader_hazards(episodes, data_dir)
    except DataNotFoundError:
        return {}, {}
