"""The scenario language: YAML files parsed into frozen, typed objects with provenance."""

from realpolitik.scenario.load import from_data, load, loads
from realpolitik.scenario.model import QuantityRef, Scenario, Uncertainty

__all__ = ["Scenario", "QuantityRef", "Uncertainty", "load", "loads", "from_data"]
