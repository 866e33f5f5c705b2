"""A model registered only in the tests (by tests/test_model_contract.py): it proves that a new
model gets the contract, sensitivity and discovery with no edit to the experiment layer.

Its output is a hand-checkable function of two numbers every realignment scenario has: the
horizon H and the discount rate r. ``toy_annuity`` is the present value of 1 a year for H years,
(1 - (1 + r)^-H) / r, and ``toy_long`` is 1 when it exceeds 8.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from realpolitik.models.registry import AnalysisContext, ModelSpec
from realpolitik.models.results import ModelResult, Output
from realpolitik.scenario.model import Scenario

OUTPUTS = (
    Output("toy_annuity", "money", "present value of 1 a year", "the horizon's annuity"),
    Output("toy_long", "indicator", "1 if the annuity exceeds 8, else 0", "a long horizon"),
)


def applies(scenario: Scenario) -> bool:
    """Needs a realignment block (for its horizon and discount rate)."""
    return scenario.spec.realignment is not None


def evaluate(scenario: Scenario, samples: Mapping[str, np.ndarray], rng: Any):
    """The annuity of the horizon at the discount rate, per draw."""
    size = len(next(iter(samples.values()))) if samples else 1
    h = np.rint(scenario.values_array("realignment.horizon", samples, size))
    r = scenario.values_array("realignment.discount_rate", samples, size)
    annuity = (1.0 - (1.0 + r) ** -h) / r
    return {"toy_annuity": annuity, "toy_long": (annuity > 8.0).astype(float)}


@dataclass(frozen=True)
class ToyResult(ModelResult):
    """The toy model at the point values."""

    annuity: float = 0.0

    def outputs(self) -> dict[str, float]:
        """The declared outputs."""
        return {"toy_annuity": self.annuity, "toy_long": float(self.annuity > 8.0)}

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"annuity": self.annuity}


def analyze(scenario: Scenario, ctx: AnalysisContext) -> ToyResult:
    """The point run."""
    a = float(evaluate(scenario, {}, None)["toy_annuity"][0])
    return ToyResult("toy", ctx.provenance(scenario), annuity=a)


SPEC = ModelSpec(
    name="toy",
    title="A toy annuity model (tests only)",
    summary="The annuity of the horizon.",
    analyze=analyze,
    evaluate=evaluate,
    outputs=OUTPUTS,
    stochastic=False,
    min_actors=1,
    references=("saltelli2010variance",),
    applies=applies,
)
