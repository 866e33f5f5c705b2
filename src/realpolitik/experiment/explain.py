"""Explaining a scenario's draws, as data: which inputs an outcome's variance depends on (Sobol'
or Morris), and what would have to be true for a yes/no outcome (flip thresholds and a PRIM box).

The outcomes are the scenario's declared ones (:mod:`realpolitik.experiment.outcomes`); this module
knows no model. The sentences and figures are made from these findings in
:mod:`realpolitik.report.experiment`.
"""

from __future__ import annotations

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
#: Draws read for scenario discovery in a run (a sample of the whole run, see
#: :func:`discovery_sample`). PRIM's peeling is quadratic in the draws it looks at; 50,000 keeps
#: it to seconds.
DISCOVERY_DRAWS = 50_000
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
    #: How the draws used were sampled from the run: ``{"run_draws", "stratified", "weights"}``
    #: (weights of a yes and a no draw of the question; rates and shares are reweighted by them).
    sample: Mapping[str, Any] | None = None

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
            "sample": None if self.sample is None else dict(self.sample),
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


@dataclass(frozen=True)
class ClassWeights:
    """How many draws of the run a sampled yes draw and a sampled no draw stand for.

    A sample that keeps a larger share of one answer than of the other (stratified) changes the
    odds of yes in any set of draws by the constant factor ``yes / no``; so PRIM's choices, which
    compare densities, are the same as on the run, and its rates and shares are turned back into
    the run's with :meth:`density` and :meth:`share`.
    """

    yes: float
    no: float

    def density(self, d: Any) -> Any:
        """The run's share of yes in a set whose sample share of yes is ``d``."""
        d = np.asarray(d, dtype=float)
        return self.yes * d / (self.yes * d + self.no * (1.0 - d))

    def sample_density(self, d: float) -> float:
        """The sample's share of yes in a set whose run share of yes is ``d`` (the inverse)."""
        return self.no * d / (self.yes * (1.0 - d) + self.no * d)

    def share(self, share: Any, density: Any, n_yes: int, n_no: int) -> Any:
        """The run's share of draws in a set holding ``share`` of the sample, of density
        ``density`` in the sample (``n_yes`` and ``n_no``: the sample's yes and no draws)."""
        inside = np.asarray(share, dtype=float) * (n_yes + n_no)
        yes_in = np.asarray(density, dtype=float) * inside
        weighted = self.yes * yes_in + self.no * (inside - yes_in)
        return weighted / (self.yes * n_yes + self.no * n_no)


def discovery_sample(
    answers: np.ndarray, seed: int, size: int = DISCOVERY_DRAWS
) -> tuple[np.ndarray, ClassWeights | None]:
    """Which draws of a run scenario discovery reads, for a yes/no outcome whose answer in
    every draw is ``answers`` (bool, one per draw, in draw order).

    A uniform random sample of ``size`` draws of the whole run (not its first draws) when that
    is expected to hold twice :data:`MIN_CASES` of the rarer answer; otherwise a stratified one:
    every draw of the rarer answer (at most half the sample, at random) and the rest at random
    from the other answer, with the :class:`ClassWeights` that turn its rates into the run's.
    Deterministic for a seed, whatever the executor.

    Returns
    -------
    (draws, weights) : sorted draw indices, and None for a uniform sample.
    """
    y = np.asarray(answers, dtype=bool)
    n = int(y.size)
    rng = np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(2**32 - 1, 1)))
    size = min(n, int(size))
    n_yes = int(y.sum())
    rarer = min(n_yes, n - n_yes)
    if size == n or rarer * size / n >= 2 * MIN_CASES:
        return np.sort(rng.choice(n, size, replace=False)), None
    rare_is_yes = n_yes <= n - n_yes
    rare_draws = np.flatnonzero(y == rare_is_yes)
    common_draws = np.flatnonzero(y != rare_is_yes)
    take = min(rare_draws.size, size // 2)
    chosen = np.concatenate(
        (
            rng.choice(rare_draws, take, replace=False),
            rng.choice(common_draws, size - take, replace=False),
        )
    )
    w_rare = rare_draws.size / take
    w_common = common_draws.size / (size - take)
    weights = ClassWeights(w_rare, w_common) if rare_is_yes else ClassWeights(w_common, w_rare)
    return np.sort(chosen), weights


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


def _rate(y: np.ndarray, weights: ClassWeights | None) -> float:
    """The run's share of yes, from a sample's answers."""
    if y.size == 0:
        return 0.0
    return float(y.mean() if weights is None else weights.density(y.mean()))


def _reweight(
    thresholds: pd.DataFrame, result: Any, weights: ClassWeights, n_yes: int, n_no: int
) -> None:
    """Turn a stratified sample's rates and shares into the run's, in place: the flip
    thresholds' rates of yes and shares of draws, and PRIM's box and trajectory (coverage, a
    share of the yes draws, is the same in both)."""
    beyond = thresholds["p_yes_beyond"].to_numpy(dtype=float)
    thresholds["share_beyond"] = weights.share(thresholds["share_beyond"], beyond, n_yes, n_no)
    thresholds["p_yes_beyond"] = weights.density(beyond)
    thresholds["p_yes_other"] = weights.density(thresholds["p_yes_other"].to_numpy(dtype=float))
    for box in result.boxes:
        traj = box.trajectory
        traj["support"] = weights.share(traj["support"], traj["density"], n_yes, n_no)
        traj["density"] = weights.density(traj["density"].to_numpy(dtype=float))
        box.support = float(weights.share(box.support, box.density, n_yes, n_no))
        box.density = float(weights.density(box.density))


def discovery(
    X: pd.DataFrame,
    values: np.ndarray,
    outcome: Outcome,
    claims: Mapping[str, Sequence[str]],
    *,
    threshold: float | None = None,
    above: float | None = None,
    exception_if_common: bool = False,
    weights: ClassWeights | None = None,
    sample: Mapping[str, Any] | None = None,
) -> DiscoveryFinding:
    """Flip thresholds and a PRIM box for ``outcome`` over the draws ``X`` (inputs by key path).

    With ``exception_if_common`` and an outcome that happens in most draws, the question is
    turned round: what would have to be true for it not to happen. ``weights`` (of a yes and a
    no draw of the outcome, for a stratified sample, see :func:`discovery_sample`) turn the
    sample's rates and shares into the run's; ``sample`` describes the sample in the finding.
    """
    from realpolitik.experiment.discovery import flip_thresholds, prim

    question, y, cut = yes_no(outcome, values, above)
    if exception_if_common and _rate(y, weights) > 0.5:
        question, y = f"not {question}", ~y
        weights = None if weights is None else ClassWeights(weights.no, weights.yes)
    n, n_yes = len(y), int(y.sum())
    base = _rate(y, weights)
    common = {
        "sample": sample,
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
    prim_threshold = thr if weights is None else weights.sample_density(thr)
    result = prim(X[list(keep)], y, threshold=prim_threshold, max_boxes=1)
    box = result.box
    if weights is not None:
        _reweight(thresholds, result, weights, n_yes, n - n_yes)
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
