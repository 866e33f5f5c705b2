"""The backtest: every episode through the calibrated protocol and the model, scored where an
outcome is known, a forecast where it is not, beside the base rate and a logistic regression.

On the calibration library itself (the same content hash as the fit) the headline figures are the
**cross-validated** ones stored with the fit (each episode predicted by constants fitted without
it); in-sample figures are reported beside them. On any other set of episodes the shipped
constants are applied as they are, and the baselines are fitted on the library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from realpolitik.evidence import constants as K
from realpolitik.evidence import scoring
from realpolitik.evidence.calibration import (
    Calibration,
    aligned,
    binary_scored,
    default_calibration,
    load_calibration,
)
from realpolitik.evidence.load import Episode, library_hash
from realpolitik.evidence.predict import OPTIONS, PreparedEpisode, predictive, prepare
from realpolitik.evidence.protocol import features

#: Draws per episode (fact ranges and the unmeasured part) and samples of the constants.
DRAWS = 64
CONSTANT_SAMPLES = 8


def as_options(episode: Episode, row: Any) -> np.ndarray:
    """The model's probabilities as the episode's options: without a courter, the coded
    stand-in courter's option is leaving without joining anyone (exit)."""
    row = np.array(row, float)
    if episode.spec.courter is None:
        courter, leave = OPTIONS.index("courter"), OPTIONS.index("exit")
        row[..., leave] += row[..., courter]
        row[..., courter] = 0.0
    return row


def label_option(episode: Episode) -> int:
    """The column of the model's options that the episode's outcome label corresponds to."""
    o = episode.spec.outcome
    if o is None:
        return -1
    if o.label == "exited":
        return OPTIONS.index("exit")
    option = {
        "aligned": "courter",
        "returned": "courter",
        "hedged": "hedge",
        "stayed": "stay",
        "counter-bid-won": "stay",
    }[o.label]
    return OPTIONS.index(option)


@dataclass
class EpisodeResult:
    """One episode's forecast: probabilities of each option, the point outcome, its causes."""

    id: str
    title: str
    decision_year: int
    probabilities: dict[str, float]
    point_outcome: str
    top_causes: list[dict[str, float | str]]
    refused: int
    outcome: str | None = None
    aligned_with_courter: str | None = None
    has_courter: bool = True
    cross_validated: dict[str, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        return dict(self.__dict__)


@dataclass
class BacktestResult:
    """Per-episode results and the scores (empty when no episode has an outcome)."""

    episodes: list[EpisodeResult]
    scores: dict[str, Any]
    calibration_hash: str
    library_hash: str
    constants: dict[str, dict[str, float]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The scores, the hashes, the constants and every episode, JSON-ready."""
        return {
            **self.scores,
            "library_hash": self.library_hash,
            "calibration_library_hash": self.calibration_hash,
            "constants": self.constants,
            "episodes": [e.to_dict() for e in self.episodes],
        }


def coded_causes(
    prepared: PreparedEpisode, theta: dict[str, float]
) -> list[dict[str, float | str]]:
    """The largest coded yearly values of a full move, by cause (positive: toward the courter).

    Read from the protocol's numbers at the point values (the unmeasured part at 0), in the
    scenario's unit; one-off costs are spread over the horizon's years.
    """
    terms = prepared.coded.terms
    mids = {k: 0.5 * (a + b) for k, (a, b) in prepared.coded.fact_ranges.items()}

    def v(path: str) -> float:
        t = terms.get(path)
        return float(t.evaluate(theta, mids, 0.0)) if t is not None else 0.0

    r = "realignment"
    lost = v(f"{r}.trade.retaliation.courter") * v(f"{r}.trade.with_incumbent")
    short = max(lost - v(f"{r}.trade.replacement_capacity.courter"), 0.0)
    courter_levers = [p for p in terms if p.startswith("levers.courter-") and p.endswith(".value")]
    incumbent_levers = [
        p for p in terms if p.startswith("levers.incumbent-") and p.endswith(".value")
    ]
    f = prepared.coded.features
    causes = {
        "threats escaped": v(f"{r}.components.security.courter"),
        "new leader": v(f"{r}.components.new_leader.courter"),
        "regime demand": v(f"{r}.components.regime_demand.courter"),
        "trade lost to retaliation": -v(f"{r}.trade.gains_share") * short,
        "stranded investments": -v(f"{r}.switching_cost.courter") / K.HORIZON,
        "courter's offers": sum(v(p) for p in courter_levers),
        "incumbent's counter-offers": -sum(v(p) for p in incumbent_levers),
        "factions": (
            v(f"{r}.domestic.weight") * (2 * f["faction_position"] - 1)
            if f"{r}.domestic.weight" in terms
            else 0.0
        ),
    }
    ranked = sorted(causes.items(), key=lambda kv: -abs(kv[1]))
    out: list[dict[str, float | str]] = [
        {"cause": k, "value": round(val, 4)} for k, val in ranked if abs(val) > 1e-9
    ]
    return out[:3]


def _binary_scores(
    p: np.ndarray, y: np.ndarray, base: np.ndarray, logit: np.ndarray
) -> dict[str, float]:
    return {
        "brier": scoring.brier(p, y),
        "log_score": scoring.log_score(p, y),
        "accuracy": scoring.accuracy(p, y),
        "brier_base_rate": scoring.brier(base, y),
        "log_score_base_rate": scoring.log_score(base, y),
        "accuracy_base_rate": scoring.accuracy(base, y),
        "brier_logistic": scoring.brier(logit, y),
        "log_score_logistic": scoring.log_score(logit, y),
        "accuracy_logistic": scoring.accuracy(logit, y),
    }


def _label_scores(P: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    return {
        "n_label": len(labels),
        "brier_label": scoring.brier_multi(P, labels),
        "log_score_label": scoring.log_score_multi(P, labels),
        "accuracy_label": scoring.accuracy_multi(P, labels),
    }


def _binary_record(
    episodes: Sequence[Episode],
    scored: list[int],
    P: np.ndarray,
    library: Sequence[Episode] | None,
    cv: dict[str, Any] | None,
    in_sample_label: dict[str, Any],
) -> dict[str, Any]:
    """Scores on "ended aligned with the courter": cross-validated when ``cv`` is given (with the
    in-sample ones beside), else in sample; baselines fitted on ``library``."""
    from realpolitik.evidence.baselines import fit_logistic, predict_logistic

    courter = OPTIONS.index("courter")
    y = np.array([aligned(episodes[i]) for i in scored])
    lib = [e for e in (library or episodes) if binary_scored(e)]
    y_lib = np.array([aligned(e) for e in lib])
    X_lib = np.array([list(features(e).values()) for e in lib])
    X = np.array([list(features(episodes[i]).values()) for i in scored])
    base = np.full(len(scored), y_lib.mean())
    logit = predict_logistic(fit_logistic(X_lib, y_lib), X)
    in_sample: dict[str, Any] = _binary_scores(P[scored, courter], y, base, logit)
    out: dict[str, Any] = {"base_rate": float(y_lib.mean())}
    if cv is None:
        return {**out, **in_sample, "cross_validated": False}
    ids = [episodes[i].id for i in scored]
    headline = _binary_scores(
        np.array([cv["model"][i][courter] for i in ids]),
        y,
        np.array([cv["base_rate"][i] for i in ids]),
        np.array([cv["logistic"][i] for i in ids]),
    )
    in_sample.update(
        {k: in_sample_label[k] for k in ("brier_label", "log_score_label", "accuracy_label")}
    )
    return {
        **out,
        **headline,
        "cross_validated": True,
        "folds": cv["folds"],
        "in_sample": in_sample,
    }


def backtest(
    episodes: Sequence[Episode],
    calibration: Calibration | None = None,
    *,
    library: Sequence[Episode] | None = None,
    draws: int = DRAWS,
    seed: int = 0,
) -> BacktestResult:
    """Forecast and score ``episodes`` with the fitted constants (shipped ones by default).

    Parameters
    ----------
    episodes : sequence of Episode
        The episodes to forecast; those with an outcome are scored.
    calibration : Calibration, optional
        The fit to use (default: the shipped one, or the constants' defaults if none ships).
    library : sequence of Episode, optional
        The library the baselines are fitted on when ``episodes`` are not it (default: the
        episodes themselves).
    draws, seed
        Draws per episode and the seed of every draw.
    """

    cal = calibration or load_calibration() or default_calibration()
    episodes = list(episodes)
    prepared = prepare(episodes, draws, seed)
    P = predictive(prepared, cal.point, cal.spread, samples=CONSTANT_SAMPLES, seed=seed)
    P = np.array([as_options(ep, row) for ep, row in zip(episodes, P, strict=True)])
    theta = cal.theta()
    results = []
    for ep, prep, row in zip(episodes, prepared, P, strict=True):
        o = ep.spec.outcome
        results.append(
            EpisodeResult(
                id=ep.id,
                title=ep.spec.title,
                decision_year=ep.spec.decision_year,
                probabilities={opt: float(v) for opt, v in zip(OPTIONS, row, strict=True)},
                point_outcome=OPTIONS[int(np.argmax(row))],
                top_causes=coded_causes(prep, theta),
                refused=len(prep.coded.refused),
                outcome=o.label if o else None,
                aligned_with_courter=o.aligned_with_courter if o else None,
                has_courter=ep.spec.courter is not None,
            )
        )
    known = [i for i, ep in enumerate(episodes) if ep.has_outcome]
    scored = [i for i in known if binary_scored(episodes[i])]
    this_hash = library_hash([episodes[i] for i in known]) if known else ""
    scores: dict[str, Any] = {"n": len(scored), "n_forecasts": len(episodes) - len(known)}
    cv = cal.cross_validation
    use_cv = bool(cv) and this_hash == cal.library_hash
    if use_cv:
        for i in known:
            row = as_options(episodes[i], cv["model"][episodes[i].id])
            results[i].cross_validated = {o: float(v) for o, v in zip(OPTIONS, row, strict=True)}
    in_sample_label: dict[str, Any] = {}
    if known:
        labels = np.array([label_option(episodes[i]) for i in known])
        scores.update(_label_scores(P[known], labels))
        if use_cv:
            Pcv = np.array([as_options(episodes[i], cv["model"][episodes[i].id]) for i in known])
            in_sample_label = {k: v for k, v in scores.items() if k.endswith("_label")}
            scores.update(_label_scores(Pcv, labels))
    if scored:
        scores.update(
            _binary_record(episodes, scored, P, library, cv if use_cv else None, in_sample_label)
        )
    else:
        scores["cross_validated"] = use_cv
    return BacktestResult(results, scores, cal.library_hash, this_hash, cal.constants)
