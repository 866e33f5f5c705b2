"""Text of stakeholder bargaining: each actor's factions and the SMP and BDM forecasts."""

from __future__ import annotations

from typing import Any


def _state(bdm: Any) -> str:
    if bdm["oscillating"]:
        return "oscillating"
    return "converged" if bdm["converged"] else "not converged"


def lines(result: Any) -> list[str]:
    """Per actor with factions: per dimension, the start and both models' forecasts."""
    out = []
    for parent, entry in result.groups.items():
        names = entry["factions"]
        out.append(
            f"{result.labels.get(parent, parent)}: {len(names)} factions bargain "
            f"({', '.join(names)})"
        )
        for d, e in entry["dimensions"].items():
            dim = result.dimensions[d]
            smp = e["smp"]
            out.append(
                f"  {d} ({dim['range'][0]:g} = {dim['low']}; {dim['range'][1]:g} = {dim['high']}): "
                f"start {e['start_weighted_mean']:.1f}; SMP forecast {smp['weighted_mean']:.1f} "
                f"({'converged' if smp['converged'] else 'not converged'} in {smp['turns']} turns); "
                f"BDM {e['bdm']['weighted_mean']:.1f} ({_state(e['bdm'])})"
            )
    return out


def figures(result: Any) -> dict[str, Any]:
    """None yet."""
    return {}
