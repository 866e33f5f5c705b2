"""Text of landscape theory: the local minima of the coalitions, with and without blocs."""

from __future__ import annotations

from typing import Any

from realpolitik.report.format import coalitions


def _minima(configurations: Any, labels: Any) -> list[str]:
    return [
        f"  E = {c['energy']:.4g}  basin {c['basin']:.0%}  " + coalitions(c["coalitions"], labels)
        for c in configurations
        if c["local_minimum"]
    ]


def lines(result: Any) -> list[str]:
    """The local minima, lowest energy first (and with the blocs as a field, when applied)."""
    labels = result.labels
    out = [
        f"{len(result.actors)} actors, {result.n_configurations:,} configurations searched "
        f"({result.method}; basins by {result.rule} descent). Local minima, lowest energy first:"
    ]
    out += _minima(result.summary["configurations"], labels)
    if result.gap:
        out.append(
            f"  (heuristic: optimality gap at most {result.gap:.2%} against the "
            f"{result.bound_method} bound)"
        )
    with_blocs = result.summary.get("with_blocs")
    if with_blocs:
        out.append(
            "With existing blocs as a field (Galam; " + " and ".join(with_blocs["blocs"]) + "):"
        )
        out += _minima(with_blocs["configurations"], labels)
    return out


def figures(result: Any) -> dict[str, Any]:
    """None yet."""
    return {}
