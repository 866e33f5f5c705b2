"""Published scenario formats turned into realpolitik scenario data (validated by the caller)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from realpolitik.scenario.importers.ktab import KTABScenario


def _slug(text: str, fallback: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.strip()).strip("-.")
    if not s or not s[0].isalpha():
        s = fallback + ("-" + s if s else "")
    return s[:60]


def _unique(ident: str, taken: set[str] | dict[str, Any]) -> str:
    base, n = ident, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    return ident


def ktab_to_scenario(path: str | Path) -> dict[str, Any]:
    """A scenario from a KTAB SMP file (CSV or XML): one faction per KTAB actor.

    The KTAB actors become factions of one parent actor named after the scenario; each KTAB
    dimension becomes a dimension on [0, 100]; saliences (percent in KTAB) become shares in [0, 1].
    The file is the source of every number.
    """
    from realpolitik.scenario.importers.ktab import load_ktab

    k = load_ktab(path)
    fname = Path(path).name
    parent = _slug(k.name, "ktab")
    taken: set[str] = {parent}
    ids = []
    for name in k.actor_names:
        ident = _unique(_slug(name, "actor"), taken)
        taken.add(ident)
        ids.append(ident)
    dims: dict[str, Any] = {}
    dim_ids = []
    for d in k.dimension_names:
        ident = _unique(_slug(d, "dim"), dims)
        dims[ident] = {"low": f"{d}: 0", "high": f"{d}: 100", "range": [0.0, 100.0]}
        dim_ids.append(ident)
    src = "ktab-file"
    actors: list[dict[str, Any]] = [
        {
            "id": parent,
            "name": k.name,
            "kind": "state",
            "description": k.description or None,
            "size": {
                "value": 1.0,
                "assumption": "a placeholder: the KTAB file describes only the "
                "stakeholders inside this actor",
            },
        }
    ]
    for i, ident in enumerate(ids):
        actors.append(_faction(k, i, ident, parent, dim_ids, src))
    for a in actors:
        if a.get("description") is None:
            a.pop("description", None)
    return {
        "realpolitik": 1,
        "name": _slug(Path(path).stem, "ktab"),
        "title": k.name,
        "description": f"Imported from the KTAB scenario file {fname}."
        + (f" {k.description}" if k.description else ""),
        "strict_provenance": True,
        "sources": {
            src: {
                "title": f"KTAB scenario file {fname}",
                "note": "KAPSARC Toolkit for Behavioral Analysis, SMP input",
            }
        },
        "dimensions": dims,
        "actors": actors,
        "analyses": ["bargaining"],
    }


def _faction(
    k: KTABScenario, i: int, ident: str, parent: str, dim_ids: list[str], src: str
) -> dict[str, Any]:
    """KTAB actor ``i`` as a faction of ``parent``: size, positions and saliences from the file."""
    return {
        "id": ident,
        "name": k.actor_names[i],
        "kind": "faction",
        "parent": parent,
        "description": k.actor_descriptions[i] or None,
        "size": {"value": float(k.capabilities[i]), "source": src},
        "position": {
            d: {"value": float(k.positions[i, j]), "source": src} for j, d in enumerate(dim_ids)
        },
        "salience": {
            d: {
                "value": float(k.saliences[i, j]) / 100.0,
                "source": src,
                "note": "KTAB salience in percent, divided by 100",
            }
            for j, d in enumerate(dim_ids)
        },
    }
