"""The scenario language: YAML files parsed into frozen, typed objects with provenance."""

from realpolitik.scenario.load import from_dict, load, loads
from realpolitik.scenario.model import QuantityRef, Scenario, UncertainNumber

__all__ = ["Scenario", "QuantityRef", "UncertainNumber", "load", "loads", "from_dict"]
