"""Text of strategic triangles: each triad's configuration and roles, and improving moves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Moves listed in the text (all are in the table).
MOVES_SHOWN = 8


def move_text(m: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    """One move that would improve an actor's role, in words."""
    actor = labels.get(m["actor"], m["actor"])
    toward = labels.get(m["toward"], m["toward"])
    triad = " / ".join(labels.get(a, a) for a in m["triad"])
    pivot = f", {labels.get(m['new_pivot'], m['new_pivot'])} pivot" if m.get("new_pivot") else ""
    return (
        f"{actor} {m['move']}s toward {toward} ({triad}): {m['role']} -> {m['new_role']} in a "
        f"{m['new_configuration']}{pivot} (score {m['score']:+.2f} -> {m['new_score']:+.2f})"
    )


def lines(result: Any) -> list[str]:
    """Every triad with its roles, then the improving moves."""
    labels = result.labels
    out = []
    for t in result.summary["triangles"]:
        roles = ", ".join(
            f"{labels.get(a, a)} {role} ({t['scores'][a]:+.2f})" for a, role in t["roles"].items()
        )
        out.append(
            f"{' / '.join(labels.get(a, a) for a in t['actors'])}: {t['configuration']}: {roles}"
        )
    moves = result.summary.get("moves", [])
    if moves:
        out.append(
            "Moves that would improve an actor's role (changing the sign of one own relation):"
        )
        out += ["  " + move_text(m, labels) for m in moves[:MOVES_SHOWN]]
    return out


def figures(result: Any) -> dict[str, Any]:
    """None yet."""
    return {}
