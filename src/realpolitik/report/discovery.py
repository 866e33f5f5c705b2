"""The figure of scenario discovery: PRIM's trade-off between coverage and density.

Every box on PRIM's peeling trajectory is a point: its coverage (the share of all the draws where
the outcome happens that the box holds) against its density (the share of the box's draws where
it happens). Peeling moves left and up; PRIM's chosen box is ringed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def tradeoff_spec(
    steps: Sequence[Mapping[str, Any]], chosen: int | None, question: str
) -> dict[str, Any]:
    """A Plotly figure specification of the trade-off curve.

    Parameters
    ----------
    steps : sequence of mapping
        One per box of the trajectory, with ``step``, ``coverage``, ``density`` and ``limits``
        (or ``n_restricted``).
    chosen : int, optional
        The step PRIM chose.
    question : str
        What "yes" means (for the title).
    """
    xs = [float(s["coverage"]) for s in steps]
    ys = [float(s["density"]) for s in steps]
    n = [int(s.get("n_restricted", len(s.get("limits", ())))) for s in steps]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": xs,
            "y": ys,
            "name": "boxes along the peeling",
            "text": [f"step {s['step']}: {k} condition(s)" for s, k in zip(steps, n, strict=True)],
            "hovertemplate": "%{text}<br>coverage %{x:.2f}, density %{y:.2f}<extra></extra>",
            "marker": {
                "size": 9,
                "color": n,
                "colorscale": "Viridis",
                "colorbar": {"title": {"text": "conditions"}},
            },
        }
    ]
    pick = next((i for i, s in enumerate(steps) if s["step"] == chosen), None)
    if pick is not None:
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [xs[pick]],
                "y": [ys[pick]],
                "name": "PRIM's chosen box",
                "hoverinfo": "skip",
                "marker": {
                    "size": 18,
                    "color": "rgba(0,0,0,0)",
                    "line": {"width": 2.5, "color": "#c0392b"},
                },
            }
        )
    return {
        "data": data,
        "layout": {
            "title": {
                "text": f"What would have to be true for '{question}': coverage against density"
            },
            "height": 420,
            "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
            "xaxis": {
                "title": {"text": "coverage (share of the outcome's draws inside the box)"},
                "range": [0, 1.02],
            },
            "yaxis": {
                "title": {"text": "density (share of the box's draws with the outcome)"},
                "range": [0, 1.02],
            },
            "legend": {"orientation": "h", "x": 0, "y": -0.22},
        },
    }


def tradeoff_figure(finding: Any) -> Any:
    """The trade-off curve of a discovery finding (None when it found no box)."""
    if finding is None or finding.status != "box" or not finding.steps:
        return None
    import plotly.graph_objects as go

    return go.Figure(tradeoff_spec(finding.steps, finding.chosen_step, finding.question))
