"""The scenario language: YAML files parsed into frozen, typed objects with provenance.

The names below are imported on first use, so that reading a format that needs no scenario
(a KTAB or Axelrod-Furnas file, through :mod:`realpolitik.scenario.importers`) does not pay for
building the schema.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.scenario.load import from_data, load, loads
    from realpolitik.scenario.model import QuantityRef, Scenario, Uncertainty

__all__ = ["Scenario", "QuantityRef", "Uncertainty", "load", "loads", "from_data"]

_WHERE = {
    "Scenario": "realpolitik.scenario.model",
    "QuantityRef": "realpolitik.scenario.model",
    "Uncertainty": "realpolitik.scenario.model",
    "load": "realpolitik.scenario.load",
    "loads": "realpolitik.scenario.load",
    "from_data": "realpolitik.scenario.load",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'realpolitik.scenario' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
