"""The model registry: models declare what they are and how the scenario layer calls them.

A model's mathematics lives in plain functions over arrays (``models/landscape.py`` and friends).
A registry entry, a :class:`ModelSpec`, adds what the rest of the toolkit needs to call it from a
scenario: its name, whether it is stochastic, which actor counts it accepts, the outputs it
declares, its references, and two adapters:

``analyze(scenario, context) -> ModelResult``
    one full analysis of a scenario (point values): a typed result (data only; the text and
    figures are made from it in :mod:`realpolitik.report`);
``evaluate(scenario, samples, rng) -> dict[str, numpy.ndarray]`` (optional)
    the model's declared outputs for a batch of sampled draws, vectorised, for experiments;
``compare(run_a, run_b)`` (optional)
    two runs lined up, for comparisons of scenarios.

Built-in models are imported lazily from :data:`BUILTIN`; third-party packages plug in through the
``realpolitik.models`` entry-point group (each entry point names a module that calls
:func:`register` on import).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from realpolitik.errors import ModelError
from realpolitik.models.results import ModelResult, Output, Provenance

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

    from realpolitik.scenario.model import Scenario


@dataclass(frozen=True)
class AnalysisContext:
    """What a run hands to every model: the root seed, the number of draws and model options."""

    seed: int = 0
    draws: int = 0
    options: Mapping[str, Any] = field(default_factory=dict)

    def provenance(self, scenario: Scenario, **parameters: Any) -> Provenance:
        """The provenance of a result on ``scenario`` under this context and ``parameters``."""
        from realpolitik.version import __version__

        return Provenance(scenario.content_hash, self.seed, __version__, parameters)


@dataclass(frozen=True)
class ComparedRun:
    """One scenario's run as a comparison takes it: the scenario, the model's point result, and
    its draws' statistics per output column (None without draws)."""

    scenario: Scenario
    result: ModelResult
    statistics: Mapping[str, Any] | None
    draws: int


Analyze = Callable[["Scenario", AnalysisContext], ModelResult]
Compare = Callable[[ComparedRun, ComparedRun], Any]
Evaluate = Callable[["Scenario", Mapping[str, "np.ndarray"], Any], dict[str, "np.ndarray"]]
EvaluateSome = Callable[
    ["Scenario", Mapping[str, "np.ndarray"], Any, frozenset[str]], dict[str, "np.ndarray"]
]


@dataclass(frozen=True)
class ModelSpec:
    """A registered model: what it is, what it declares, and how a scenario calls it.

    Every callable is a module-level function (or an instance of a module-level class), so that a
    spec pickles and can be sent to worker processes.

    Attributes
    ----------
    name, title, summary : str
        The registry key, a title with the model's origin, and one sentence on what it finds.
    analyze : callable
        ``analyze(scenario, context) -> ModelResult``: one point run.
    outputs : tuple of Output
        The scalars the model produces (its result's :meth:`~ModelResult.outputs` and, when it
        has ``evaluate``, the keys of every batch it evaluates).
    stochastic : bool
        Whether results depend on the seed (the contract test checks both ways).
    min_actors, max_actors : int
        The principal-actor counts the model accepts.
    references : tuple of str
        Keys of :data:`realpolitik.references.REFERENCES` (``realpolitik cite`` prints them).
    evaluate : callable, optional
        ``evaluate(scenario, samples, rng) -> dict[str, ndarray]``: the declared outputs for a
        batch of sampled draws, vectorised, for experiments.
    evaluate_some : callable, optional
        ``evaluate_some(scenario, samples, rng, names) -> dict[str, ndarray]``: only the outputs
        ``names`` (a frozenset), each the same array as ``evaluate`` gives, skipping work that
        only the other outputs need (the Sobol' design of a run asks for one quantity).
    applies : callable, optional
        ``applies(scenario) -> bool``: whether the scenario has what the model needs.
    declares : callable, optional
        ``declares(scenario) -> tuple[Output, ...]``: the outputs for a scenario when they
        depend on it (a series per year of the horizon, or none when a block is missing);
        ``outputs`` otherwise.
    compare : callable, optional
        ``compare(run_a, run_b) -> comparison``: two :class:`ComparedRun` lined up (what moved,
        and why an edit moved nothing), for ``realpolitik compare``.
    """

    name: str
    title: str
    summary: str
    analyze: Analyze
    outputs: tuple[Output, ...] = ()
    stochastic: bool = False
    min_actors: int = 2
    max_actors: int | None = None
    references: tuple[str, ...] = ()
    evaluate: Evaluate | None = None
    evaluate_some: EvaluateSome | None = None
    applies: Callable[[Scenario], bool] | None = None
    declares: Callable[[Scenario], tuple[Output, ...]] | None = None
    compare: Compare | None = None

    def applies_to(self, scenario: Scenario) -> bool:
        """Whether the model can analyse ``scenario`` (actor counts and its own test)."""
        n = len(scenario.actors)
        if n < self.min_actors or (self.max_actors is not None and n > self.max_actors):
            return False
        return True if self.applies is None else bool(self.applies(scenario))

    def outputs_for(self, scenario: Scenario) -> tuple[Output, ...]:
        """The outputs the model produces on ``scenario``."""
        return self.outputs if self.declares is None else tuple(self.declares(scenario))

    def evaluates(self, scenario: Scenario) -> bool:
        """Whether the model evaluates batches of draws of ``scenario`` (experiments use it)."""
        return (
            self.evaluate is not None
            and self.applies_to(scenario)
            and bool(self.outputs_for(scenario))
        )


_REGISTRY: dict[str, ModelSpec] = {}

#: Built-in models: name -> module that registers it on import.
BUILTIN: dict[str, str] = {
    "landscape": "realpolitik.models.adapters.alignment",
    "balance": "realpolitik.models.adapters.alignment",
    "triangle": "realpolitik.models.adapters.alignment",
    "realignment": "realpolitik.models.adapters.realignment",
    "bargaining": "realpolitik.models.adapters.bargaining",
}


def register(spec: ModelSpec) -> ModelSpec:
    """Add a model to the registry (idempotent for the same name and spec)."""
    _REGISTRY[spec.name] = spec
    return spec


def _load_builtin(name: str) -> None:
    module = BUILTIN.get(name)
    if module is not None:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:  # a model not built yet, or an optional extra missing
            if exc.name and exc.name.startswith("realpolitik"):
                return
            raise


def _load_entry_points() -> None:
    from importlib.metadata import entry_points

    for ep in entry_points(group="realpolitik.models"):
        importlib.import_module(ep.value.split(":")[0])


def get(name: str) -> ModelSpec:
    """The registered model called ``name``."""
    if name not in _REGISTRY:
        _load_builtin(name)
    if name not in _REGISTRY:
        _load_entry_points()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(available())) or "none"
        raise ModelError(f"no model named {name!r} (known: {known})") from None


def available() -> dict[str, ModelSpec]:
    """Every model that can be loaded, by name."""
    for name in BUILTIN:
        _load_builtin(name)
    _load_entry_points()
    return dict(sorted(_REGISTRY.items()))
