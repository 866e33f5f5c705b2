"""The dashboard's work: recompute an edited scenario, discover conditions, export YAML.

These functions run in the server's worker processes, so they take and return plain data: the
path of a scenario file the library holds (checked by the server), the edits, the draws and the
seed. Each worker keeps the scenarios it has read. The numbers come from the models' results
through the registry and the experiment layer, and the sentences and figures from the report
layer's renderers: nothing is computed here that the CLI and the report do not compute too.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from realpolitik.scenario import load
from realpolitik.scenario.edit import apply_edits, edited_yaml
from realpolitik.scenario.model import Scenario

#: The model the dashboard's answer comes from.
ANSWER_MODEL = "realignment"


@lru_cache(maxsize=32)
def _scenario(path: str) -> Scenario:
    return load(path)


def edited(path: str, edits: dict[str, Any]) -> Scenario:
    """The scenario at ``path`` with ``edits`` applied (validated as a scenario file is)."""
    return apply_edits(_scenario(path), edits)


def warm_up() -> None:
    """Import the models and compile their kernels once, so the first request is not slow."""
    from realpolitik.scenario.examples import list_examples

    for path in list_examples().values():
        scenario = _scenario(str(path))
        if scenario.spec.realignment is not None:
            recompute(str(path), {}, draws=50, seed=0)
            return


#: Recomputed payloads kept per worker (a slider moved back, a reload, a second panel).
PAYLOADS_KEPT = 256
_PAYLOADS: dict[str, dict[str, Any]] = {}


def recompute(path: str, edits: dict[str, Any], draws: int, seed: int) -> dict[str, Any]:
    """The answer of the edited scenario: point analysis plus ``draws`` draws.

    Returns
    -------
    dict
        ``scenario`` (name, title, hash, the edits that changed something), ``answer`` (the
        sentences of the answer), ``numbers`` (the result's JSON summary), ``figures`` (Plotly
        figure JSON by name) and ``draws``.
    """
    import json

    from realpolitik.app import views

    key = json.dumps([path, sorted(edits.items()), draws, seed])
    payload = _PAYLOADS.get(key)
    if payload is None:
        payload = views.recompute_view(edited(path, edits), _scenario(path), edits, draws, seed)
        if len(_PAYLOADS) >= PAYLOADS_KEPT:
            _PAYLOADS.pop(next(iter(_PAYLOADS)))
        _PAYLOADS[key] = payload
    return payload


def discover(
    path: str, edits: dict[str, Any], draws: int, seed: int, outcome: str
) -> dict[str, Any]:
    """PRIM on a yes/no outcome over ``draws`` draws: the peeling trajectory and every box on it."""
    from realpolitik.app import views

    return views.discover_view(_scenario(path), edited(path, edits), draws, seed, outcome)


def export(path: str, edits: dict[str, Any]) -> str:
    """The edited scenario as YAML text (checked to load)."""
    return edited_yaml(_scenario(path), edits)
