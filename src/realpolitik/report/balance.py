"""Text of structural balance: the triad census and the factions balance dynamics lead to."""

from __future__ import annotations

from typing import Any

from realpolitik.report.format import coalitions


def census_line(summary: Any) -> str:
    """The triad census and the balanced/imbalanced counts in one line."""
    c = summary["census"]
    return (
        f"Triad census (closed triads by number of hostile ties): 0: {c['0']}, 1: {c['1']}, "
        f"2: {c['2']}, 3: {c['3']}; balanced {summary['balanced']}, imbalanced "
        f"{summary['imbalanced']}."
    )


def factions_line(summary: Any, labels: Any) -> str | None:
    """The factions (and neutral actors) balance dynamics lead to, if any."""
    factions = summary.get("factions") or []
    if not factions:
        return None
    neutral = summary.get("neutral")
    return (
        "Factions where balance dynamics (dX/dt = X^2) lead: "
        + coalitions(factions, labels)
        + (f"; neutral: {', '.join(neutral)}" if neutral else "")
    )


def lines(result: Any) -> list[str]:
    """The census and the factions."""
    out = [census_line(result.summary)]
    f = factions_line(result.summary, result.labels)
    return out + ([f] if f else [])


def figures(result: Any) -> dict[str, Any]:
    """None yet."""
    return {}
