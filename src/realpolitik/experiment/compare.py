"""Two scenarios, or two versions of one, side by side: each run once, then lined up by the model
that answers the first scenario's primary outcome.

The experiment layer knows no model by name: the primary outcome is the first of the scenario's
declared ``outcomes:``; its model, found in the registry, runs on both scenarios (point values,
and draws for the probabilities, with the same seed) and its ``compare`` lines the two runs up
(for the realignment model, :mod:`realpolitik.models.adapters.realignment_compare`). A scenario
without declared outcomes is compared by the first registered model that applies to it and
compares.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from realpolitik.errors import ModelError
from realpolitik.models.registry import ComparedRun, ModelSpec
from realpolitik.scenario.model import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.models.registry import Compare

#: Draws per scenario for the probabilities when the caller names none.
DEFAULT_DRAWS = 2_000


def comparing_model(scenario: Scenario) -> ModelSpec:
    """The model that answers ``scenario``'s primary outcome, and can compare two runs.

    Raises
    ------
    ModelError
        When that model does not apply to the scenario or cannot compare runs, or (no outcomes
        declared) when no registered model can.
    """
    from realpolitik.models import registry

    declared = scenario.spec.outcomes
    if declared:
        spec = registry.get(declared[0].model)
        if spec.compare is None:
            raise ModelError(
                f"model {spec.name!r}, which answers the primary outcome {declared[0].name!r} of "
                f"scenario {scenario.name!r}, does not compare scenarios"
            )
        return spec
    for spec in registry.available().values():
        if spec.compare is not None and spec.applies_to(scenario):
            return spec
    raise ModelError(f"scenario {scenario.name!r}: no registered model compares it")


def run_for_comparison(
    scenario: Scenario, model: str, draws: int, seed: int, workers: int | None = 1
) -> ComparedRun:
    """``scenario``'s point result from ``model`` and, with ``draws``, its draws' statistics."""
    from realpolitik.experiment.options import RunOptions
    from realpolitik.experiment.scenario_run import analyze, run_draws

    result = analyze(scenario, [model], seed=seed)[model]
    statistics = None
    if draws > 0:
        options = RunOptions(seed=seed, draws=draws, workers=workers, sensitivity=False)
        statistics = run_draws(scenario, [model], options).statistics
    return ComparedRun(scenario, result, statistics, draws)


def compare_scenarios(
    a: Scenario, b: Scenario, draws: int = DEFAULT_DRAWS, seed: int = 0, workers: int | None = 1
) -> Any:
    """Run the model answering ``a``'s primary outcome on both scenarios (same seed and draws)
    and line the runs up with the model's ``compare``; the model's comparison object is returned.

    Raises
    ------
    ModelError
        When the model does not apply to either scenario, or cannot compare runs.
    """
    spec = comparing_model(a)
    compare: Compare | None = spec.compare
    if compare is None:  # pragma: no cover - comparing_model returns only models that compare
        raise ModelError(f"model {spec.name!r} does not compare scenarios")
    for s in (a, b):
        if not spec.applies_to(s):
            raise ModelError(f"model {spec.name!r} does not apply to scenario {s.name!r}")
    return compare(
        run_for_comparison(a, spec.name, draws, seed, workers),
        run_for_comparison(b, spec.name, draws, seed, workers),
    )
