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
    """Import the models and load their compiled kernels once, so the first request is not slow
    and every later one runs compiled where the model has kernels."""
    import importlib

    from realpolitik.models.realignment.backend import KERNEL_MODULES
    from realpolitik.scenario.examples import list_examples

    for name in KERNEL_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a model without compiled kernels runs on NumPy
            pass
    for path in list_examples().values():
        scenario = _scenario(str(path), path.name)
        if scenario.spec.realignment is not None:
            recompute(str(path), path.name, {}, draws=50, seed=0)
            recompute_many(str(path), path.name, [{}, {}], draws=50, seed=1)
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
        payload = _keep(key, to_json(view))
    return payload


#: A job's answer from :func:`recompute_many`: its JSON, or the error it raised.
Answer = bytes | Exception


def recompute_many(
    path: str, shown: str, edits: list[dict[str, Any]], draws: int, seed: int
) -> list[Answer]:
    """:func:`recompute` of several edits of one scenario at once, each answer the same bytes.

    Each edit is built and given its point analysis alone; their draws run stacked in one model
    call where they can (:func:`realpolitik.app.stacking.draw_outputs_stacked`), else one by
    one. An edit that fails gets the error :func:`recompute` would raise as its answer; the
    others are answered as usual.
    """
    from realpolitik.app import views

    answers: list[Answer | None] = [None] * len(edits)
    keys = [json.dumps([path, sorted(e.items()), draws, seed]) for e in edits]
    built: dict[int, tuple[Scenario, Any]] = {}
    original = _scenario(path, shown)
    for i, e in enumerate(edits):
        answers[i] = _PAYLOADS.get(keys[i])
        if answers[i] is not None:
            continue
        try:
            scenario = apply_edits(original, e)
            built[i] = (scenario, views.point_result(scenario, draws, seed))
        except Exception as exc:  # noqa: BLE001 - this edit's answer, as recompute raises it
            answers[i] = exc
    outputs = _draws_of(
        original, {i: s for i, (s, r) in built.items() if r is not None}, draws, seed
    )
    for i, (scenario, result) in built.items():
        out = outputs.get(i, {})
        if isinstance(out, Exception):
            answers[i] = out
            continue
        view = views.answer_view(scenario, original, edits[i], draws, seed, result, out)
        answers[i] = _keep(keys[i], to_json(view))
    return [a if a is not None else RuntimeError("no answer") for a in answers]


def _draws_of(
    original: Scenario, scenarios: dict[int, Scenario], draws: int, seed: int
) -> dict[int, Any]:
    """The draws' outputs of each scenario by job index: stacked, or (when the stack cannot be
    run) one by one, each then its outputs or its own error."""
    from realpolitik.app import views
    from realpolitik.app.stacking import draw_outputs_stacked

    jobs = list(scenarios)
    try:
        stacked = draw_outputs_stacked(original, [scenarios[i] for i in jobs], draws, seed)
        return dict(zip(jobs, stacked, strict=True))
    except Exception:  # noqa: BLE001 - CannotStack, or an edit the model fails on: one by one
        out: dict[int, Any] = {}
        for i in jobs:
            try:
                out[i] = views.draw_outputs(original, scenarios[i], draws, seed)
            except Exception as exc:  # noqa: BLE001 - this edit's answer
                out[i] = exc
        return out


def _keep(key: str, payload: bytes) -> bytes:
    """Keep ``payload`` among the worker's last :data:`PAYLOADS_KEPT` answers."""
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
