"""IR datasets: loaders, measured relations, scenarios from data and the historical triangle.

Nothing here is imported by ``import realpolitik``; pandas is imported only when a loader runs.
The datasets are read from a data directory (explicit argument > ``REALPOLITIK_DATA_DIR`` >
``~/.local/share/realpolitik``); see docs/how-to/data.md.
"""

from __future__ import annotations

from importlib import import_module

_EXPORTS = {
    "data_dir": "directory",
    "find_file": "directory",
    "DataNotFoundError": "directory",
    "DATASETS": "citations",
    "dataset": "citations",
    "cite": "citations",
    "load_states": "cow",
    "load_majors": "cow",
    "load_nmc": "cow",
    "load_trade": "cow",
    "load_trade_national": "cow",
    "load_cow_alliances": "cow",
    "load_mids": "cow",
    "load_contiguity": "cow",
    "load_atop": "atop",
    "load_rivalries": "rivalries",
    "rivalry_years": "rivalries",
    "load_idealpoints": "unga",
    "load_votes": "unga",
    "load_democracy": "regime",
    "load_vdem": "regime",
    "regime_scores": "regime",
    "load_maddison": "gdp",
    "load_pwt": "gdp",
    "load_wb_gdp": "gdp",
    "load_sdp": "gdp",
    "load_leaders": "archigos",
    "leader_turnover": "archigos",
    "RelationWeights": "relations",
    "load_inputs": "relations",
    "relation_components": "relations",
    "combine": "relations",
    "actor_sizes": "relations",
    "scenario_from_data": "from_data",
    "to_yaml": "from_data",
    "resolve_actor": "from_data",
    "triad_history": "history",
    "historical_triangle": "history",
    "great_power_camps": "history",
    "fetch": "fetch",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"realpolitik.data.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'realpolitik.data' has no attribute {name!r}")
