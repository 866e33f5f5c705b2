"""One claim, one number: what the realignment model derives from a scenario's written threats.

A threat (``realignment.threats.<id>``) is written once, as its yearly cost to the pivot (its
``level``), and every quantity of the game that depends on it is derived through a stated share:

* the security value of option ``o`` against staying: ``level * relief_o`` (a component named
  after the threat);
* the value of a lever that relieves it: ``level * relieves`` at full extent, added to the
  lever's own ``value``;
* the courter's and the incumbent's yearly valuations of option ``o``: ``level * courter_gain_o``
  and ``level * incumbent_loss_o``, added to ``courter_value`` and ``incumbent_value``.

The shares are the conversion constants (calibrated by the evidence layer); editing the level
changes every one of these numbers at once. A level may itself be read from the ``relations:``
block (``from_relation``): the pivot's relation score with the threatening actor on a component
(``threat``), through the named constant ``cost_per_unit`` (level = ``cost_per_unit x
max(-score, 0)``), so that the score that the landscape, balance and triangle models read is
the same number that prices the realignment. A threat from the incumbent is relieved by moving to
the courter; one from a third party only the courter's levers address carries ``relief`` 0 and
relieving levers on the courter's side; a threat from the courter is relieved by aligning with it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["ThreatTerms", "threat_terms", "threat_reach", "threat_level", "relation_path"]


@dataclass(frozen=True)
class ThreatTerms:
    """The game's numbers derived from the threats (arrays over ``B`` draws)."""

    names: tuple[str, ...]  # one security component per threat
    components: np.ndarray  # (B, n, 2) yearly value of hedge / courter against staying
    lever_value: np.ndarray  # (B, L) added to each lever's value at extent 1
    courter_value: np.ndarray  # (B, 2) added to the courter's yearly valuation
    incumbent_value: np.ndarray  # (B, 2) added to the incumbent's yearly loss


def relation_path(realignment: Any, tid: str, relations: Sequence[Any]) -> str | None:
    """The key path of the relation score a threat's level is read from (None: its own level)."""
    th = realignment.threats[tid]
    link = th.from_relation
    if link is None:
        return None
    pair = {realignment.pivot, th.by}
    rel = next(x for x in relations if set(x.between) == pair)
    return f"relations.{rel.key}.components.{link.component}"


def threat_level(
    realignment: Any, tid: str, relations: Sequence[Any], get: Callable[[str], np.ndarray]
) -> np.ndarray:
    """A threat's yearly cost to the pivot: its ``level``, or, read from the ``relations:``
    block, ``cost_per_unit x max(-score, 0)`` (the conversion: a score of -1, the most hostile
    relation, costs ``cost_per_unit`` a year; a neutral or friendly one costs nothing)."""
    base = f"realignment.threats.{tid}"
    path = relation_path(realignment, tid, relations)
    if path is None:
        return get(f"{base}.level")
    per_unit = get(f"{base}.from_relation.cost_per_unit")
    out: np.ndarray = per_unit * np.maximum(-get(path), 0.0)
    return out


def threat_terms(
    realignment: Any,
    levers: Sequence[Any],
    get: Callable[[str], np.ndarray],
    size: int,
    relations: Sequence[Any] = (),
) -> ThreatTerms:
    """Derive the threats' terms of the game.

    Parameters
    ----------
    realignment : the scenario's ``realignment`` block (:class:`~realpolitik.scenario.schema.
        Realignment`).
    levers : the levers in the game, in the game's order (each with ``id`` and ``relieves``).
    get : key path -> values over the batch (point values or draws).
    size : the batch size ``B``.
    relations : the scenario's ``relations:`` entries (for threats read ``from_relation``).
    """
    B = size
    names = tuple(realignment.threats)
    comps = np.zeros((B, len(names), 2))
    lever_add = np.zeros((B, len(levers)))
    cv = np.zeros((B, 2))
    iv = np.zeros((B, 2))
    for k, tid in enumerate(names):
        th = realignment.threats[tid]
        base = f"realignment.threats.{tid}"
        level = threat_level(realignment, tid, relations, get)
        for j, o in enumerate(("hedge", "courter")):
            comps[:, k, j] = level * get(f"{base}.relief.{o}")
            if th.courter_gain is not None:
                cv[:, j] += level * get(f"{base}.courter_gain.{o}")
            if th.incumbent_loss is not None:
                iv[:, j] += level * get(f"{base}.incumbent_loss.{o}")
        for i, lv in enumerate(levers):
            if tid in lv.relieves:
                lever_add[:, i] += level * get(f"levers.{lv.id}.relieves.{tid}")
    return ThreatTerms(names, comps, lever_add, cv, iv)


def threat_reach(
    realignment: Any, levers: Sequence[Any], relations: Sequence[Any] = ()
) -> dict[str, list[str]]:
    """For each threat, the key paths of the realignment game that its level reaches (first,
    for a level read from ``relations:``, where it comes from and which other models read it)."""
    out: dict[str, list[str]] = {}
    for tid, th in realignment.threats.items():
        reach = []
        path = relation_path(realignment, tid, relations)
        if path is not None:
            reach.append(
                f"level = {path} (also read by landscape, balance and triangle) "
                f"x realignment.threats.{tid}.from_relation.cost_per_unit"
            )
        reach.append(f"realignment.components.{tid} (derived)")
        reach += [f"levers.{lv.id}.value (+ relieved share)" for lv in levers if tid in lv.relieves]
        if th.courter_gain is not None:
            reach.append("realignment.courter_value (+ courter_gain share)")
        if th.incumbent_loss is not None:
            reach.append("realignment.incumbent_value (+ incumbent_loss share)")
        out[tid] = reach
    return out
