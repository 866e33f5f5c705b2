"""The scenario language: YAML files parsed into frozen, typed objects with provenance.

The names below are imported on first use, so that reading a format that needs no scenario
(a KTAB or Axelrod-Furnas file, through :mod:`realpolitik.scenario.importers`) does not pay for
building the schema.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.scenario.load import from_dict, load, loads
    from realpolitik.scenario.model import QuantityRef, Scenario, UncertainNumber

__all__ = ["Scenario", "QuantityRef", "UncertainNumber", "load", "loads", "from_dict"]

_WHERE = {
    "Scenario": "realpolitik.scenario.model",
    "QuantityRef": "realpolitik.scenario.model",
    "UncertainNumber": "realpolitik.scenario.model",
    "load": "realpolitik.scenario.load",
    "loads": "realpolitik.scenario.load",
    "from_dict": "realpolitik.scenario.load",
}


def _exported(name: str) -> property:
    # A property on the package's class, so that it wins over the submodule that the import
    # system binds to the same name (``realpolitik.scenario.load`` is a module and a function).
    def get(module: types.ModuleType) -> Any:
        return getattr(importlib.import_module(_WHERE[name]), name)

    def set_(module: types.ModuleType, value: Any) -> None:
        pass  # the import system binding a submodule: the exported name keeps its meaning

    return property(get, set_)


class _ScenarioPackage(types.ModuleType):
    Scenario = _exported("Scenario")
    QuantityRef = _exported("QuantityRef")
    UncertainNumber = _exported("UncertainNumber")
    load = _exported("load")
    loads = _exported("loads")
    from_dict = _exported("from_dict")


sys.modules[__name__].__class__ = _ScenarioPackage
