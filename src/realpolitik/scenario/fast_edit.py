"""Number edits applied to an already validated scenario, re-checking only what they can break.

A dashboard moves one slider at a time, and rebuilding the whole scenario from plain data
re-validates hundreds of numbers that did not change. The schema's rules on a number are local
to it (its magnitude, its distribution's range: :class:`~realpolitik.scenario.schema.Quantity`'s
own validators), so an edited number needs only its own node validated again; the rules that
span the scenario (:func:`~realpolitik.scenario.load.check_references`) are all run, as a file's
loading runs them. The new scenario shares every unchanged part with the old one.

:func:`edited_numbers` answers only when the edited scenario is valid; on any problem it returns
``None`` and the caller takes the full path, which gives the error with its usual message, so
both paths accept the same edits and report the same errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from realpolitik.scenario.edit_marks import fixed_node
from realpolitik.scenario.model import QuantityRef, Scenario
from realpolitik.scenario.schema import Quantity
from realpolitik.scenario.yamlio import SourceMap

__all__ = ["edited_numbers"]


def _replaced(node: Any, loc: tuple[Any, ...], new: Quantity) -> Any:
    """``node`` with the value at ``loc`` (its keys, aliases and tuple indexes) set to ``new``."""
    if not loc:
        return new
    head, rest = loc[0], loc[1:]
    if isinstance(node, BaseModel):
        fields = type(node).model_fields
        name = next(n for n, f in fields.items() if (f.alias or n) == head)
        return node.model_copy(update={name: _replaced(getattr(node, name), rest, new)})
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], rest, new)}
    if isinstance(node, tuple):
        return (*node[:head], _replaced(node[head], rest, new), *node[head + 1 :])
    raise TypeError(f"cannot step into {type(node).__name__} at {head!r}")


def edited_numbers(scenario: Scenario, changed: Mapping[str, float]) -> Scenario | None:
    """``scenario`` with the numbers ``changed`` (key path to new value, already checked to be
    editable and in range) fixed at their new values, or ``None`` when the result is not valid
    (the caller then rebuilds it in full for the error's message).

    The result equals what :func:`realpolitik.scenario.edit.apply_edits` builds from plain data:
    the same nodes (marked in their notes, without their distributions), the same
    ``uncertainties:`` and ``correlations:`` left, the same file name.
    """
    from realpolitik.scenario.load import check_references

    index = dict(scenario._quantity_index)  # noqa: SLF001 - the same package's index
    if not set(changed) <= set(index):
        return None
    uncertain = {u.path: u for u in scenario.uncertainties()}
    spec = scenario.spec
    try:
        for path, value in changed.items():
            ref = index[path]
            old = ref.quantity.model_dump(mode="json", by_alias=True, exclude_none=True)
            node = Quantity.model_validate(fixed_node(old, value, uncertain.get(path)))
            spec = _replaced(spec, tuple(ref.loc), node)
            index[path] = QuantityRef(ref.path, ref.loc, node)
    except Exception:  # noqa: BLE001 - any problem: the full path says what it is
        return None
    spec = spec.model_copy(
        update={
            "uncertainties": tuple(u for u in spec.uncertainties if u.path not in changed),
            "correlations": tuple(c for c in spec.correlations if not set(c.paths) & set(changed)),
        }
    )
    file = f"{scenario.file} (edited)"
    edited = Scenario(spec, file=file, source_map=SourceMap(file))
    # every unchanged number is the same object in the new spec: its index is the old one with
    # the changed entries replaced (what walking the new spec would find, in the same order)
    edited.__dict__["_quantity_index"] = index
    return None if check_references(edited) else edited
