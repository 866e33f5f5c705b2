"""Text of landscape theory: the local minima of the coalitions, with and without blocs.

Whenever the search was not exhaustive the text says so first ("heuristic: N minima found"),
whether the best one is certified optimal by the lower bound, and what ``--method exact`` would
cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from realpolitik.report.format import coalitions

#: Minima listed in the text (every one is in the summary).
MAX_LISTED_MINIMA = 40


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.0f} days"


def _header(search: Any, n_minima: int) -> list[str]:
    from realpolitik.models.landscape import EXACT_MAX_ACTORS, exact_seconds

    n = len(search.actors)
    if search.method == "exact":
        what = (
            "configurations" if search.k == 2 else f"partitions into at most {search.k} coalitions"
        )
        if search.rule:
            how = f"exact, every one; basins by {search.rule} descent"
        elif search.k == 2:
            how = "exact, every one; basins not computed for more than 30 actors"
        else:
            how = "exact, every one; no basins for more than two coalitions"
        return [
            f"{n} actors, {search.n_configurations:,} {what} searched ({how}). "
            f"{n_minima} local {'minimum' if n_minima == 1 else 'minima'}, lowest energy first:"
        ]
    certified = search.gap <= 1e-9 * max(1.0, abs(search.lower_bound))
    verdict = "certified" if certified else f"not certified (gap at most {search.gap:.4g})"
    out = [
        f"heuristic: {n_minima} {'minimum' if n_minima == 1 else 'minima'} found by {search.n_configurations} annealing runs (not "
        f"every configuration was searched), the global minimum {verdict} by the "
        f"{search.bound_method} bound {search.lower_bound:.6g}."
    ]
    if search.k == 2 and n <= EXACT_MAX_ACTORS:
        field = search.params.get("field") is not None
        out.append(
            f"  Every minimum, exactly: --method exact (about "
            f"{_duration(exact_seconds(n, field=field))} for {n} actors"
            + ("; basins up to 30 actors)" if n > 30 else ")")
        )
    elif search.k == 2:
        out.append(
            f"  (exact search is limited to {EXACT_MAX_ACTORS} actors: 2^(n-1) configurations)"
        )
    out.append("Minima found, lowest energy first (share of runs ending there):")
    return out


def search_lines(
    search: Any, configurations: list[dict[str, Any]], labels: Mapping[str, str]
) -> list[str]:
    """How the landscape was searched, then its minima.

    ``search`` is a :class:`realpolitik.models.landscape.LandscapeResult`; ``configurations``
    the ``configurations`` of its :func:`~realpolitik.models.landscape.landscape_summary`.
    """
    minima = [c for c in configurations if c["local_minimum"]]
    out = _header(search, len(minima))
    share_word = "basin" if search.method == "exact" else "runs"
    for c in minima[:MAX_LISTED_MINIMA]:
        share = "" if c["basin"] is None else f"  {share_word} {c['basin']:.0%}"
        out.append(f"  E = {c['energy']:.6g}{share}  " + coalitions(c["coalitions"], labels))
    if len(minima) > MAX_LISTED_MINIMA:
        out.append(f"  ... and {len(minima) - MAX_LISTED_MINIMA} more (--json lists every one)")
    return out


def lines(result: Any) -> list[str]:
    """The local minima, lowest energy first (and with the blocs as a field, when applied)."""
    labels = result.labels
    out = search_lines(result.search, result.summary["configurations"], labels)
    with_blocs = result.summary.get("with_blocs")
    if with_blocs and result.search_with_blocs is not None:
        out.append(
            "With existing blocs as a field (Galam; " + " and ".join(with_blocs["blocs"]) + "):"
        )
        out += [
            "  " + line
            for line in search_lines(result.search_with_blocs, with_blocs["configurations"], labels)
        ]
    return out


def figures(result: Any) -> dict[str, Any]:
    """None yet."""
    return {}
