"""How an edited number is written: fixed at its new value, its note saying what it was.

Shared by the two ways of applying an edit (:mod:`realpolitik.scenario.edit`, from plain data, and
:mod:`realpolitik.scenario.fast_edit`, on the validated scenario), so both write the same node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Marker that starts the note of a changed number (so readers and tools can find edits).
CHANGED_MARK = "CHANGED"


def fmt(x: float) -> str:
    """``x`` to six significant digits, as notes and messages write numbers."""
    return f"{x:.6g}"


def _changed_note(old: Mapping[str, Any], new_value: float) -> str:
    parts = [f"{CHANGED_MARK}: value {fmt(float(old['value']))} -> {fmt(new_value)}."]
    dist = old.get("dist")
    if dist:
        spec = ", ".join(f"{k}={v}" for k, v in dist.items())
        parts.append(f"Was uncertain ({spec}); fixed at the new value.")
    if old.get("note"):
        parts.append(f"Previous note: {old['note']}")
    return " ".join(parts)


def fixed_node(old: Mapping[str, Any], value: float, unc: Any) -> dict[str, Any]:
    """The plain data of a number fixed at ``value``: ``old`` (its plain data) without its
    distribution, its note saying what it was (``unc``: its ``uncertainties:`` entry, if any)."""
    note = _changed_note(old, value)
    if unc is not None and not old.get("dist"):  # uncertain through `uncertainties:`
        spec = ", ".join(f"{k}={v}" for k, v in unc.dist.spec().items())
        note += f" Was uncertain ({spec}); fixed at the new value."
    return {
        **{k: v for k, v in old.items() if k not in ("dist", "note")},
        "value": value,
        "note": note,
    }
