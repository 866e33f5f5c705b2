"""Explaining a scenario's draws, as data: which inputs an outcome's variance depends on (Sobol'
or Morris), and what would have to be true for a yes/no outcome (flip thresholds and a PRIM box).

The outcomes are the scenario's declared ones (:mod:`realpolitik.experiment.outcomes`); this module
knows no model. The sentences and figures are made from these findings in
:mod:`realpolitik.report.experiment`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.experiment.outcomes import Outcome
from realpolitik.models.results import finite_or_none

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.uncertainty import ExperimentSpec

#: Largest base sample of the Sobol' design; the model runs N (d + 2) times (N = 512 keeps the
#: total indices' bootstrap half-widths near 0.1 for the flagship's 81 inputs).
SOBOL_BASE = 512
#: Smallest base sample worth computing indices from (bootstrap half-widths near 0.3).
SOBOL_MIN_BASE = 64
#: Draws used for scenario discovery in a run: the first ones of the run, read back. PRIM's
#: peeling is quadratic in the draws it looks at; 50,000 keeps it to seconds.
DISCOVERY_DRAWS = 50_000
#: Most draws read for discovery when the outcome is rare (enough to hold MIN_CASES of each).
DISCOVERY_MAX_DRAWS = 250_000
#: Inputs PRIM peels on: the ones that best separate the outcome on their own. Over dozens of
#: inputs and few "yes" draws, PRIM would also peel noise.
PRIM_INPUTS = 8
#: Fewest "yes" (and "no") draws for scenario discovery to look for conditions.
MIN_CASES = 100
#: PRIM's density threshold for a rare outcome (base rate below RARE_BASE) and for a common one.
RARE_BASE = 0.25
RARE_THRESHOLD = 0.5
COMMON_THRESHOLD = 0.8
#: A box must raise the outcome's rate by at least this factor over the base rate to be reported.
MIN_LIFT = 1.05
#: Rows of the flip-threshold table kept in a finding (the JSON and the report show the first).
THRESHOLDS_KEPT = 8
#: Rows of a sensitivity ranking kept in a run's summary.
RANKING_KEPT = 10
_INDEX_COLUMNS = ("S1", "S1_conf", "ST", "ST_conf", "mu", "mu_star", "sigma", "mu_star_conf")


@dataclass(frozen=True)
class SensitivityFinding:
    """Sensitivity of one outcome: the ranked table (one row per input) and how it was made."""

    outcome: Outcome
    method: str  # "sobol" or "morris"
    n: int  # Sobol' base sample or Morris trajectories
    evaluations: int
    table: Any  # pandas DataFrame, ranked

    def records(self, top: int | None = RANKING_KEPT) -> list[dict[str, Any]]:
        """JSON-ready rows of the ranking (the first ``top``; all with ``None``)."""
        table = self.table if top is None else self.table.head(top)
        keep = [c for c in _INDEX_COLUMNS if c in table.columns]
        return [
            {
                "rank": int(r["rank"]),
                "path": r["path"],
                "claims": list(r["claims"]),
                **{c: finite_or_none(float(r[c])) for c in keep},
                "label": r["label"],
            }
            for _, r in table.iterrows()
        ]

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready: the outcome, the method and the ranking."""
        return {
            "outcome": self.outcome.name,
            "description": self.outcome.description,
            "method": self.method,
            "n": self.n,
            "evaluations": self.evaluations,
            "ranking": self.records(),
        }


@dataclass(frozen=True)
class DiscoveryFinding:
    """Scenario discovery for one yes/no question over the draws.

    ``question`` is what "yes" means: the outcome's name, ``not <name>`` when the exception is
    looked for, or ``<name> > <cut>`` for a quantity. ``status`` is ``"box"`` (a box was found),
    ``"no box"`` (none concentrates it), ``"too few"`` (fewer than :data:`MIN_CASES` yes or no
    draws) or ``"constant"`` (the same in every draw).
    """

    outcome: Outcome
    question: str
    status: str
    draws_used: int
    base_rate: float
    n_yes: int
    cut: float | None = None
    box: Mapping[str, Any] | None = None
    thresholds: Any = None  # pandas DataFrame of flip thresholds
    trajectory: Any = None  # pandas DataFrame, PRIM's peeling trajectory
    prim_inputs: tuple[str, ...] = ()
    claims: Mapping[str, Sequence[str]] = field(default_factory=dict)
    #: Every box on PRIM's peeling trajectory (step, coverage, density, support and the limits of
    #: the inputs it restricts), for choosing another box than PRIM's own (the dashboard).
    steps: tuple[Mapping[str, Any], ...] = ()
    #: The step of the trajectory PRIM chose (before pasting widened it).
    chosen_step: int | None = None

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready: the question, base rate, the box's limits and the best single cuts."""
        thresholds = []
        if self.thresholds is not None:
            thresholds = [
                {k: _json_value(v) for k, v in row.items()}
                for row in self.thresholds.head(THRESHOLDS_KEPT).to_dict("records")
            ]
        return {
            "outcome": self.question,
            "outcome_name": self.outcome.name,
            "status": self.status,
            "draws_used": self.draws_used,
            "base_rate": self.base_rate,
            "n_yes": self.n_yes,
            "cut": self.cut,
            "box": None if self.box is None else dict(self.box),
            "thresholds": thresholds,
            "prim_inputs": list(self.prim_inputs),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """Flip thresholds and PRIM's peeling trajectory, when computed."""
        out = {}
        if self.thresholds is not None:
            out["flip thresholds"] = self.thresholds
        if self.trajectory is not None:
            out["PRIM peeling trajectory"] = self.trajectory
        return out


def _json_value(v: Any) -> Any:
    return finite_or_none(v) if isinstance(v, float | np.floating) else v


def sensitivity(
    spec: ExperimentSpec,
    outcome: Outcome,
    *,
    method: str = "sobol",
    n: int = SOBOL_BASE,
    seed: int = 0,
    executor: Mapping[str, Any] | None = None,
) -> SensitivityFinding:
    """Ranked sensitivity of ``outcome`` to every uncertain input (Sobol' or Morris).

    ``executor`` holds the keyword arguments of
    :func:`~realpolitik.experiment.options.executor_for` (default: serial).
    """
    from realpolitik.experiment.sensitivity import morris, sobol_indices

    kw = dict(executor or {"executor": "serial"})
    if method == "morris":
        table = morris(spec, outcome.column, trajectories=n, seed=seed, **kw)
    else:
        table = sobol_indices(spec, outcome.column, n_base=n, seed=seed, **kw)
    return SensitivityFinding(outcome, method, n, int(table.attrs.get("evaluations", 0)), table)


def sobol_base_for(draws: int, inputs: int) -> int:
    """The Sobol' base sample a run of ``draws`` draws pays for: the largest power of two N
    with N (inputs + 2) <= draws, at most :data:`SOBOL_BASE`; 0 when even
    :data:`SOBOL_MIN_BASE` would need more model runs than the run made draws.

    >>> sobol_base_for(20_000, 81), sobol_base_for(10**6, 81), sobol_base_for(1_000, 81)
    (128, 512, 0)
    """
    fit = draws // (inputs + 2)
    if fit < SOBOL_MIN_BASE:
        return 0
    return min(SOBOL_BASE, 1 << (fit.bit_length() - 1))


def discovery_draws_for(total: int, rate: float) -> int:
    """How many of a run's first draws discovery reads: :data:`DISCOVERY_DRAWS`, or more when the
    outcome is rare, so that the sample is expected to hold twice :data:`MIN_CASES` of the rarer
    answer (at most :data:`DISCOVERY_MAX_DRAWS`; never more than the run's draws).

    >>> discovery_draws_for(10**6, 0.00166), discovery_draws_for(10**6, 0.25)
    (120482, 50000)
    """
    rarer = min(rate, 1.0 - rate)
    want = math.ceil(2 * MIN_CASES / rarer) if rarer > 0 else DISCOVERY_MAX_DRAWS
    return int(min(total, max(DISCOVERY_DRAWS, min(want, DISCOVERY_MAX_DRAWS))))


def yes_no(outcome: Outcome, values: np.ndarray, above: float | None = None):
    """The yes/no question asked of ``outcome`` and its answer per draw: ``(question, y, cut)``.

    Yes/no outcomes are asked as they are; quantities as "above ``above``" (default: their median
    over the draws where they are defined). Undefined draws (NaN) count as "no".
    """
    x = np.asarray(values, dtype=float)
    if outcome.is_indicator:
        return outcome.name, x > 0.5, None
    defined = x[~np.isnan(x)]
    cut = above if above is not None else (float(np.median(defined)) if defined.size else 0.0)
    with np.errstate(invalid="ignore"):
        y = np.where(np.isnan(x), False, x > cut)
    return f"{outcome.name} > {cut:.4g}", y, cut


def trajectory_boxes(box: Any, claims: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], ...]:
    """Every box on a PRIM box's peeling trajectory: step, coverage, density, support and the
    limits of the inputs it restricts (with their claims)."""
    return tuple(
        {
            "step": int(row["step"]),
            "coverage": float(row["coverage"]),
            "density": float(row["density"]),
            "support": float(row["support"]),
            "limits": [
                {
                    "path": str(p),
                    "claims": list(claims.get(str(p), [])),
                    "low": finite_or_none(float(r["low"])),
                    "high": finite_or_none(float(r["high"])),
                }
                for p, r in limits[limits["restricted"]].iterrows()
            ],
        }
        for (_, row), limits in zip(box.trajectory.iterrows(), box.step_limits, strict=True)
    )


def discovery(
    X: pd.DataFrame,
    values: np.ndarray,
    outcome: Outcome,
    claims: Mapping[str, Sequence[str]],
    *,
    threshold: float | None = None,
    above: float | None = None,
    exception_if_common: bool = False,
) -> DiscoveryFinding:
    """Flip thresholds and a PRIM box for ``outcome`` over the draws ``X`` (inputs by key path).

    With ``exception_if_common`` and an outcome that happens in most draws, the question is
    turned round: what would have to be true for it not to happen.
    """
    from realpolitik.experiment.discovery import flip_thresholds, prim

    question, y, cut = yes_no(outcome, values, above)
    if exception_if_common and y.mean() > 0.5:
        question, y = f"not {question}", ~y
    n, n_yes = len(y), int(y.sum())
    base = float(y.mean()) if n else 0.0
    common = {
        "outcome": outcome,
        "question": question,
        "draws_used": n,
        "base_rate": base,
        "n_yes": n_yes,
        "cut": cut,
        "claims": dict(claims),
    }
    if n_yes in (0, n):
        return DiscoveryFinding(status="constant", **common)
    if n_yes < MIN_CASES or n - n_yes < MIN_CASES:
        return DiscoveryFinding(status="too few", **common)
    thresholds = flip_thresholds(X, y)
    thr = (
        threshold
        if threshold is not None
        else (RARE_THRESHOLD if base < RARE_BASE else COMMON_THRESHOLD)
    )
    keep = tuple(thresholds["input"].head(PRIM_INPUTS))
    result = prim(X[list(keep)], y, threshold=thr, max_boxes=1)
    box = result.box
    if box is None or box.density <= base * MIN_LIFT:
        return DiscoveryFinding(status="no box", thresholds=thresholds, prim_inputs=keep, **common)
    limits = [
        {
            "path": p,
            "claims": list(claims.get(p, [])),
            "low": finite_or_none(float(r["low"])),
            "high": finite_or_none(float(r["high"])),
        }
        for p, r in box.restricted.iterrows()
    ]
    return DiscoveryFinding(
        status="box",
        steps=trajectory_boxes(box, claims),
        chosen_step=int(box.step),
        box={
            "coverage": float(box.coverage),
            "density": float(box.density),
            "support": float(box.support),
            "limits": limits,
        },
        thresholds=thresholds,
        trajectory=result.trajectory,
        prim_inputs=keep,
        **common,
    )
