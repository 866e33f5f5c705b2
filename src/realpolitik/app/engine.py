"""The dashboard's work: recompute an edited scenario, discover conditions, export YAML.

These functions run in the server's worker processes, so they take and return plain data: the
file of a scenario the library holds (checked by the server) and the name a browser may see for
it, the edits, the draws and the seed; they return JSON text ready to send, so that the server
process only passes bytes on. Each worker keeps the scenarios it has read. The numbers come from
the models' results through the registry and the experiment layer, and the sentences and figures
from the report layer's renderers: nothing is computed here that the CLI and the report do not
compute too.
"""

from __future__ import annotations

import dataclasses
import json
from functools import lru_cache
from typing import Any

from realpolitik.scenario import load
from realpolitik.scenario.edit import apply_edits, edited_yaml
from realpolitik.scenario.model import Scenario

#: The model the dashboard's answer comes from.
ANSWER_MODEL = "realignment"


@lru_cache(maxsize=32)
def _scenario(path: str, shown: str) -> Scenario:
    """The scenario at ``path``, named ``shown`` in every message and export (never its path)."""
    return dataclasses.replace(load(path), file=shown)


def edited(path: str, shown: str, edits: dict[str, Any]) -> Scenario:
    """The scenario at ``path`` with ``edits`` applied (validated as a scenario file is)."""
    return apply_edits(_scenario(path, shown), edits)


def to_json(payload: Any) -> bytes:
    """Compact JSON for the page (no NaN or infinity: the views have made them null)."""
    return json.dumps(payload, allow_nan=False, separators=(",", ":")).encode()


def warm_up() -> None:
    """Import the models and compile their kernels once, so the first request is not slow."""
    from realpolitik.scenario.examples import list_examples

    for path in list_examples().values():
        scenario = _scenario(str(path), path.name)
        if scenario.spec.realignment is not None:
            recompute(str(path), path.name, {}, draws=50, seed=0)
            return


#: Recomputed payloads kept per worker (a slider moved back, a reload, a second panel).
PAYLOADS_KEPT = 256
_PAYLOADS: dict[str, bytes] = {}


def recompute(path: str, shown: str, edits: dict[str, Any], draws: int, seed: int) -> bytes:
    """The answer of the edited scenario, point analysis plus ``draws`` draws, as JSON.

    Returns
    -------
    bytes
        A JSON object: ``scenario`` (name, title, hash, the edits that changed something),
        ``answer`` (the sentences of the answer), ``numbers`` (the result's JSON summary),
        ``figures`` (Plotly figure specifications by name) and ``draws``.
    """
    from realpolitik.app import views

    key = json.dumps([path, sorted(edits.items()), draws, seed])
    payload = _PAYLOADS.get(key)
    if payload is None:
        original = _scenario(path, shown)
        view = views.recompute_view(apply_edits(original, edits), original, edits, draws, seed)
        payload = to_json(view)
        if len(_PAYLOADS) >= PAYLOADS_KEPT:
            _PAYLOADS.pop(next(iter(_PAYLOADS)))
        _PAYLOADS[key] = payload
    return payload


def discover(
    path: str, shown: str, edits: dict[str, Any], draws: int, seed: int, outcome: str
) -> bytes:
    """PRIM on a yes/no outcome over ``draws`` draws: the peeling trajectory and every box on it,
    as JSON."""
    from realpolitik.app import views

    original = _scenario(path, shown)
    return to_json(views.discover_view(original, edited(path, shown, edits), draws, seed, outcome))


def export(path: str, shown: str, edits: dict[str, Any]) -> str:
    """The edited scenario as YAML text (checked to load)."""
    return edited_yaml(_scenario(path, shown), edits)
