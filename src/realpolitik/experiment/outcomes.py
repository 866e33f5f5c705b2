"""Outcomes: the model outputs an experiment reports on, as the scenario declares them.

A scenario's ``outcomes:`` block names, for each outcome, the model and the output it reads (and a
direction, and optionally a description). Those are what a run summarises, what sensitivity
explains and what discovery looks for; the experiment layer knows no model by name. A scenario
that declares no outcomes gets every fixed output of the models that evaluate its draws.

Outcome statistics over the draws are computed here too, as data: the mean with a 95% interval
(Wilson's for yes/no outcomes), the central 95% of the draws, and how many draws leave the outcome
undefined (NaN: a price out of reach).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from realpolitik.errors import ScenarioError
from realpolitik.models.results import Output, finite_or_none
from realpolitik.scenario.model import Scenario

#: Normal quantile of a two-sided 95% interval.
Z95 = 1.959964


@dataclass(frozen=True)
class Outcome:
    """A declared outcome: its name, the model and output it reads, and the store column."""

    name: str
    model: str
    output: Output
    column: str
    direction: str = "none"
    description: str = ""

    @property
    def is_indicator(self) -> bool:
        """Whether the outcome is yes/no (0 or 1 in every draw)."""
        return self.output.kind == "indicator"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "model": self.model,
            "output": self.output.name,
            "column": self.column,
            "kind": self.output.kind,
            "unit": self.output.unit,
            "direction": self.direction,
            "description": self.description,
        }


def output_columns(scenario: Scenario, models: Sequence[str]) -> dict[tuple[str, str], Output]:
    """``(model, column) -> Output`` for every output the ``models`` evaluate on ``scenario``.

    A column is the output's name; if two models share a name, both are prefixed with the model's
    name (``landscape__x``).
    """
    from realpolitik.models import registry

    per_model = {m: registry.get(m).outputs_for(scenario) for m in models}
    counts: dict[str, int] = {}
    for outs in per_model.values():
        for o in outs:
            counts[o.name] = counts.get(o.name, 0) + 1
    return {
        (m, o.name if counts[o.name] == 1 else f"{m}__{o.name}"): o
        for m, outs in per_model.items()
        for o in outs
    }


def declared_outcomes(scenario: Scenario, models: Sequence[str]) -> tuple[Outcome, ...]:
    """The scenario's outcomes over the evaluating ``models`` (checked against their outputs).

    Raises
    ------
    ScenarioError
        When an outcome names a model that does not evaluate this scenario's draws, or an output
        the model does not produce.
    """
    from realpolitik.models import registry

    columns = output_columns(scenario, models)
    by_model: dict[str, dict[str, tuple[str, Output]]] = {}
    for (m, col), o in columns.items():
        by_model.setdefault(m, {})[o.name] = (col, o)
    declared = scenario.spec.outcomes
    if not declared:
        fixed = {m: {o.name for o in registry.get(m).outputs} for m in models}
        return tuple(
            Outcome(o.name if col == o.name else col, m, o, col, "none", o.description)
            for (m, col), o in columns.items()
            if o.name in fixed[m]
        )
    out = []
    for i, d in enumerate(declared):
        if d.model not in by_model:
            raise ScenarioError.single(
                f"outcome {d.name!r}: model {d.model!r} does not evaluate this scenario's draws",
                file=scenario.file,
                path=f"outcomes.{i}.model",
                expected="one of " + (", ".join(by_model) or "no model"),
                got=d.model,
            )
        if d.output not in by_model[d.model]:
            raise ScenarioError.single(
                f"outcome {d.name!r}: model {d.model!r} has no output {d.output!r}",
                file=scenario.file,
                path=f"outcomes.{i}.output",
                expected="one of " + ", ".join(by_model[d.model]),
                got=d.output,
            )
        col, o = by_model[d.model][d.output]
        out.append(Outcome(d.name, d.model, o, col, d.direction, d.description or o.description))
    return tuple(out)


def resolve_outcome(
    outcomes: Sequence[Outcome], columns: Mapping[tuple[str, str], Output], name: str
) -> Outcome:
    """The outcome called ``name``: a declared one, or any output column of the models.

    Raises
    ------
    ScenarioError
        Naming the declared outcomes and the other columns, when ``name`` is neither.
    """
    for o in outcomes:
        if o.name == name:
            return o
    for (m, col), out in columns.items():
        if col == name:
            return Outcome(col, m, out, col, "none", out.description)
    declared = [o.name for o in outcomes]
    others = [c for (_, c) in columns if c not in declared]
    raise ScenarioError.single(
        f"unknown outcome {name!r}",
        path="--outcome",
        expected="a declared outcome ("
        + (", ".join(declared) or "none")
        + ") or a model output ("
        + ", ".join(others[:12])
        + (", ..." if len(others) > 12 else "")
        + ")",
        got=name,
    )


def wilson_interval(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion: stays inside [0, 1], sensible at 0 and 1.

    >>> [round(x, 4) for x in wilson_interval(0.5, 100)]
    [0.4038, 0.5962]
    """
    if n == 0:
        return float("nan"), float("nan")
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def outcome_statistics(result: Any, columns: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per column of a run's draws: mean with its 95% interval, central 95% of the draws, counts.

    The quantiles are over the draws where the outcome is defined (not NaN), the mean and its
    interval over the finite ones; ``undefined`` counts the NaN draws. The interval of the mean is Wilson's for yes/no outcomes
    (every defined draw 0 or 1) and the normal approximation otherwise. The central 95% of the
    draws is read from the workers' quantile sketches (within
    :data:`~realpolitik.experiment.statistics.QUANTILE_RELATIVE_ERROR` of the exact quantiles).
    ``result`` is an :class:`~realpolitik.experiment.run.RunResult` (stored or in memory).
    """
    out: dict[str, dict[str, Any]] = {}
    columns = list(columns)
    if not columns:
        return out
    merged = result.outcome_statistics()
    for name in columns:
        s = merged[name]
        mean, sd, n = s.mean, math.sqrt(s.variance) if s.finite > 1 else math.nan, s.n
        binary = n > 0 and s.not_binary == 0
        if binary:
            low, high = wilson_interval(mean, n)
        else:
            m = s.finite
            half = Z95 * sd / math.sqrt(m) if m > 1 and math.isfinite(sd) else float("nan")
            low, high = mean - half, mean + half
        out[name] = {
            "mean": finite_or_none(mean),
            "low": finite_or_none(low),
            "high": finite_or_none(high),
            "draws_low": finite_or_none(s.quantile(0.025)),
            "draws_high": finite_or_none(s.quantile(0.975)),
            "n": n,
            "undefined": s.rows - n,
            "binary": binary,
        }
    return out
