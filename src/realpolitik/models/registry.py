"""The model registry: models declare what they are and how the scenario layer calls them.

A model's mathematics lives in plain functions over arrays (``models/landscape.py`` and friends).
A registry entry, a :class:`ModelSpec`, adds what the rest of the toolkit needs to call it from a
scenario: its name, whether it is stochastic, which actor counts it accepts, the outputs it
declares, its references, and two adapters:

``analyze(scenario, context) -> Analysis``
    one full analysis of a scenario (point values), for ``realpolitik run`` and the report;
``evaluate(scenario, draws, rng) -> dict[str, numpy.ndarray]`` (optional)
    the model's scalar outcomes for a batch of sampled draws, vectorised, for experiments.

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

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from realpolitik.scenario.model import Scenario


@dataclass(frozen=True)
class AnalysisContext:
    """What a run hands to every model: the root seed, the number of draws and options."""

    seed: int = 0
    draws: int = 0
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Analysis:
    """The result of one model on one scenario.

    ``summary`` is JSON-ready (it goes into ``summary.json``); ``tables`` are DataFrames for the
    API and the report; ``lines`` are the human-readable lines the CLI prints.
    """

    model: str
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSpec:
    name: str
    title: str
    summary: str
    analyze: Callable[[Scenario, AnalysisContext], Analysis]
    stochastic: bool = False
    min_actors: int = 2
    max_actors: int | None = None
    outputs: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    evaluate: Callable[[Scenario, Mapping[str, np.ndarray], Any], dict[str, np.ndarray]] | None = (
        None
    )
    applies: Callable[[Scenario], bool] | None = None

    def applies_to(self, scenario: Scenario) -> bool:
        n = len(scenario.actors)
        if n < self.min_actors or (self.max_actors is not None and n > self.max_actors):
            return False
        return True if self.applies is None else bool(self.applies(scenario))


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
