"""A scenario as an experiment: its uncertain numbers (with the claims they encode) as the inputs,
and the registered models that evaluate batches of draws as one picklable model object."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import ModelError, ScenarioError
from realpolitik.scenario.model import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.uncertainty import ExperimentSpec

#: Characters of an input's note kept in its label.
LABEL_NOTE_CHARS = 60


@dataclass(frozen=True)
class ScenarioModel:
    """A picklable model object for the experiment layer: evaluates every model in ``models``.

    Each model gets its own random stream (spawned from the batch's), and returns its declared
    outputs; columns are the output names (prefixed with the model's name where two models share
    one, see :func:`~realpolitik.experiment.outcomes.output_columns`).
    """

    scenario: Scenario
    models: tuple[str, ...]
    #: Only these columns (None: every declared one); see :meth:`only_columns`.
    only: frozenset[str] | None = None

    def only_columns(self, columns: Iterable[str]) -> ScenarioModel:
        """The same model evaluating only ``columns``: a model none of them comes from is not
        called, and one with ``evaluate_some`` is asked for just its own (each column the same
        array as a full evaluation gives: every model keeps its random stream)."""
        return replace(self, only=frozenset(columns))

    def evaluate(
        self, samples: Mapping[str, np.ndarray], rng: np.random.Generator
    ) -> dict[str, np.ndarray]:
        """The declared outputs of every model for a batch of draws, one array per column (only
        the columns :attr:`only`, when set)."""
        from realpolitik.experiment.outcomes import output_columns

        columns = output_columns(self.scenario, self.models)
        if self.only is not None:
            columns = {key: o for key, o in columns.items() if key[1] in self.only}
        merged: dict[str, np.ndarray] = {}
        children = rng.spawn(len(self.models))  # one independent stream per model
        for name, child in zip(self.models, children, strict=True):
            mine = {column: o for (model, column), o in columns.items() if model == name}
            if mine or self.only is None:
                merged.update(self._one_model(name, samples, child, mine))
        return merged

    def _one_model(
        self,
        name: str,
        samples: Mapping[str, np.ndarray],
        stream: np.random.Generator,
        columns: Mapping[str, Any],
    ) -> dict[str, np.ndarray]:
        """The columns ``columns`` (column -> declared output) of the model ``name``."""
        from realpolitik.models import registry

        spec = registry.get(name)
        if spec.evaluate is None:
            raise ModelError(f"model {name!r} does not evaluate draws")
        wanted = frozenset(o.name for o in columns.values())
        if self.only is not None and spec.evaluate_some is not None:
            out = spec.evaluate_some(self.scenario, samples, stream, wanted)
        else:
            out = spec.evaluate(self.scenario, samples, stream)
        merged = {}
        for column, output in columns.items():
            if output.name not in out:
                raise ModelError(f"model {name!r} did not return its output {output.name!r}")
            merged[column] = np.asarray(out[output.name], dtype=float)
        if self.only is None:
            extra = set(out) - wanted
            if extra:
                raise ModelError(f"model {name!r} returned undeclared outputs {sorted(extra)}")
        return merged


def evaluable_models(scenario: Scenario, names: Sequence[str]) -> tuple[str, ...]:
    """Those of ``names`` that evaluate batches of draws of ``scenario``."""
    from realpolitik.models import registry

    return tuple(n for n in names if registry.get(n).evaluates(scenario))


def experiment_spec(scenario: Scenario, models: Sequence[str]) -> ExperimentSpec:
    """The experiment of ``scenario``: its uncertainties (with their claims) and its models."""
    from realpolitik.experiment.outcomes import output_columns
    from realpolitik.experiment.uncertainty import (
        DistributionError,
        ExperimentSpec,
        Uncertainty,
        correlation_matrix,
        distribution_from_spec,
    )

    uncs = []
    problems = []
    for u in scenario.uncertainties():
        try:
            dist = distribution_from_spec(u.dist.spec())
        except DistributionError as exc:
            problems.append(str(exc))
            continue
        uncs.append(Uncertainty(u.path, dist, label=input_label(scenario, u.path), claims=u.claims))
    if problems:
        raise ScenarioError.single("; ".join(problems), file=scenario.file)
    corr = None
    if scenario.spec.correlations:
        try:
            corr = correlation_matrix(
                [u.path for u in uncs],
                [(c.paths[0], c.paths[1], c.rho) for c in scenario.spec.correlations],
            )
        except ValueError as exc:
            raise ScenarioError.single(
                f"correlations: {exc}", file=scenario.file, path="correlations"
            ) from None
    return ExperimentSpec(
        tuple(uncs),
        ScenarioModel(scenario, tuple(models)),
        correlation=corr,
        scenario_name=scenario.name,
        scenario_hash=scenario.content_hash,
        model_names=tuple(models),
        outcomes=tuple(col for (_, col) in output_columns(scenario, models)),
    )


def input_label(scenario: Scenario, path: str) -> str:
    """A readable name for an input: its key path and the first words of its note."""
    q = scenario.quantity(path)
    text = " ".join((q.note or q.assumption or "").split())
    if not text:
        return path
    cut = text[:LABEL_NOTE_CHARS]
    return f"{path} ({cut}{'...' if len(text) > LABEL_NOTE_CHARS else ''})"
