"""Readable lines for a landscape result (kept apart from the registry entries so that the
``landscape`` command on a CSV pair imports nothing else)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def coalition_text(coalitions: list[list[str]], labels: Mapping[str, str]) -> str:
    """``{a, b}  vs  {c}`` with each actor's label."""
    return "  vs  ".join("{" + ", ".join(labels.get(a, a) for a in c) + "}" for c in coalitions)


#: Minima listed in the readable lines (every one is in the summary).
LINES_MAX_MINIMA = 40


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


def landscape_lines(result: Any, summary: dict[str, Any], labels: Mapping[str, str]) -> list[str]:
    """Readable lines for a landscape result: how it was searched, then its minima.

    Whenever the search was not exhaustive the first line says so ("heuristic: N minima
    found"), whether the best one is certified optimal by the lower bound, and what
    ``--method exact`` would cost.
    """
    from realpolitik.models.landscape import EXACT_MAX_ACTORS, exact_seconds

    n = len(result.actors)
    minima = [c for c in summary["configurations"] if c["local_minimum"]]
    if result.method == "exact":
        what = (
            "configurations" if result.k == 2 else f"partitions into at most {result.k} coalitions"
        )
        if result.rule:
            how = f"exact, every one; basins by {result.rule} descent"
        elif result.k == 2:
            how = "exact, every one; basins not computed for more than 30 actors"
        else:
            how = "exact, every one; no basins for more than two coalitions"
        lines = [
            f"{n} actors, {result.n_configurations:,} {what} searched ({how}). "
            f"{len(minima)} local minima, lowest energy first:"
        ]
    else:
        certified = result.gap <= 1e-9 * max(1.0, abs(result.lower_bound))
        verdict = "certified" if certified else f"not certified (gap at most {result.gap:.4g})"
        lines = [
            f"heuristic: {len(minima)} minima found by {result.n_configurations} annealing runs "
            f"(not every configuration was searched), the global minimum {verdict} by the "
            f"{result.bound_method} bound {result.lower_bound:.6g}."
        ]
        if result.k == 2 and n <= EXACT_MAX_ACTORS:
            field = bool(result.params.get("field") is not None)
            lines.append(
                f"  Every minimum, exactly: --method exact (about "
                f"{_duration(exact_seconds(n, field=field))} for {n} actors"
                + ("; basins up to 30 actors)" if n > 30 else ")")
            )
        elif result.k == 2:
            lines.append(
                f"  (exact search is limited to {EXACT_MAX_ACTORS} actors: 2^(n-1) configurations)"
            )
        lines.append("Minima found, lowest energy first (share of runs ending there):")
    for c in minima[:LINES_MAX_MINIMA]:
        share = "" if c["basin"] is None else f"  basin {c['basin']:.0%}"
        if result.method != "exact" and c["basin"] is not None:
            share = f"  runs {c['basin']:.0%}"
        lines.append(f"  E = {c['energy']:.6g}{share}  " + coalition_text(c["coalitions"], labels))
    if len(minima) > LINES_MAX_MINIMA:
        lines.append(f"  ... and {len(minima) - LINES_MAX_MINIMA} more (--json lists every one)")
    return lines
