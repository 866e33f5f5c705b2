"""The backtest's text and HTML report: scores beside the baselines, a reliability diagram, and a
table of every episode's forecast and outcome."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.evidence.backtest import BacktestResult

#: Bins of the reliability diagram (forecast probability of "aligned with the courter").
BINS = 5


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def score_lines(result: BacktestResult) -> list[str]:
    """The scores as readable lines (empty list when nothing was scored)."""
    s = result.scores
    if not s.get("n"):
        return [f"No episode with an outcome: {s.get('n_forecasts', 0)} forecast(s) only."]
    kind = (
        f"cross-validated ({s['folds']}-fold)"
        if s.get("cross_validated")
        else "not cross-validated"
    )
    lines = [
        f"Scored {s['n']} episode(s) with a courter, {kind}; base rate of 'ended aligned with the courter' "
        f"{s['base_rate']:.2f}.",
        "'Ended aligned with the courter':   Brier    log score   accuracy",
        f"  model                          {s['brier']:7.3f}   {s['log_score']:9.3f}   "
        f"{s['accuracy']:8.0%}",
        f"  base rate                      {s['brier_base_rate']:7.3f}   "
        f"{s['log_score_base_rate']:9.3f}   {s['accuracy_base_rate']:8.0%}",
        f"  logistic regression (facts)    {s['brier_logistic']:7.3f}   "
        f"{s['log_score_logistic']:9.3f}   {s['accuracy_logistic']:8.0%}",
        f"Outcome label (stay/hedge/courter/exit; {s['n_label']} episodes, with those without a "
        f"courter): Brier {s['brier_label']:.3f}, log score {s['log_score_label']:.3f}, accuracy "
        f"{s['accuracy_label']:.0%}.",
    ]
    if "in_sample" in s:
        i = s["in_sample"]
        lines.append(
            f"In sample (constants fitted on all episodes): Brier {i['brier']:.3f}, accuracy "
            f"{i['accuracy']:.0%}; logistic {i['brier_logistic']:.3f}, {i['accuracy_logistic']:.0%}."
        )
    return lines


def episode_rows(result: BacktestResult) -> list[dict[str, Any]]:
    """One row per episode for tables: probabilities, point outcome, outcome, causes."""
    rows = []
    for e in result.episodes:
        p = e.cross_validated or e.probabilities
        rows.append(
            {
                "episode": e.id,
                "year": e.decision_year,
                "P(courter)": round(p["courter"], 3),
                "P(hedge)": round(p["hedge"], 3),
                "P(stay)": round(p["stay"], 3),
                "P(exit)": round(p["exit"], 3),
                "point outcome": max(p, key=lambda k: p[k]),
                "outcome": e.outcome or "(forecast)",
                "aligned": e.aligned_with_courter or "",
                "top causes": "; ".join(f"{c['cause']} {c['value']:+.2f}" for c in e.top_causes),
            }
        )
    return rows


def text_report(result: BacktestResult) -> list[str]:
    """Scores and a per-episode table as lines for the console."""
    lines = []
    header = f"{'episode':<24} {'P(courter)':>10} {'P(hedge)':>8} {'point':>8}  outcome"
    lines.append(header)
    for r in episode_rows(result):
        lines.append(
            f"{r['episode']:<24} {r['P(courter)']:>10.2f} {r['P(hedge)']:>8.2f} "
            f"{r['point outcome']:>8}  {r['outcome']}"
        )
    lines.append("")
    lines.extend(score_lines(result))
    return lines


def reliability(result: BacktestResult, bins: int = BINS) -> list[dict[str, float]]:
    """Forecast probability against observed frequency, by equal-width bins (non-empty only)."""
    ps, ys = [], []
    for e in result.episodes:
        if e.aligned_with_courter is None or not e.has_courter:
            continue
        p = (e.cross_validated or e.probabilities)["courter"]
        ps.append(p)
        ys.append(1.0 if e.aligned_with_courter == "yes" else 0.0)
    p_arr, y_arr = np.array(ps), np.array(ys)
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p_arr, edges[1:-1]), 0, bins - 1) if len(p_arr) else np.array([])
    out = []
    for b in range(bins):
        sel = idx == b
        if np.any(sel):
            out.append(
                {
                    "forecast": float(p_arr[sel].mean()),
                    "observed": float(y_arr[sel].mean()),
                    "n": int(sel.sum()),
                }
            )
    return out


def reliability_figure(result: BacktestResult) -> Any:
    """The reliability diagram (plotly): forecast against observed frequency, with the diagonal."""
    import plotly.graph_objects as go

    pts = reliability(result)
    fig = go.Figure(
        [
            go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect", line={"dash": "dot"}),
            go.Scatter(
                x=[p["forecast"] for p in pts],
                y=[p["observed"] for p in pts],
                mode="lines+markers+text",
                text=[f"n={p['n']}" for p in pts],
                textposition="top center",
                name="model",
            ),
        ]
    )
    fig.update_layout(
        title="Reliability: forecast P(aligned with the courter) against what happened",
        xaxis_title="forecast probability",
        yaxis_title="observed frequency",
        xaxis_range=[0, 1],
        yaxis_range=[0, 1.05],
        height=420,
    )
    return fig


def render_backtest(result: BacktestResult) -> str:
    """The backtest as one self-contained HTML page (plotly inlined, works offline)."""
    from plotly.offline import get_plotlyjs

    parts = ["<h1>Backtest of the realignment model on historical episodes</h1>"]
    parts.append(
        f"<p>Library hash <code>{_e(result.library_hash[:16])}</code>; constants fitted on "
        f"<code>{_e(result.calibration_hash[:16])}</code>.</p>"
    )
    parts.append("<pre>" + _e("\n".join(score_lines(result))) + "</pre>")
    if result.scores.get("n"):
        fig = reliability_figure(result)
        parts.append(fig.to_html(full_html=False, include_plotlyjs=False, div_id="reliability"))
    rows = episode_rows(result)
    if rows:
        cols = list(rows[0])
        parts.append(
            "<table><tr>"
            + "".join(f"<th>{_e(c)}</th>" for c in cols)
            + "</tr>"
            + "".join(
                "<tr>" + "".join(f"<td>{_e(r[c])}</td>" for c in cols) + "</tr>" for r in rows
            )
            + "</table>"
        )
    css = (
        "body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:.85em}th,td{border:1px solid #d0d7e2;"
        "padding:.25em .5em;text-align:left}th{background:#eef2f7}"
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>realpolitik backtest</title>"
        f"<style>{css}</style><script>{get_plotlyjs()}</script></head><body>"
        + "\n".join(parts)
        + "</body></html>"
    )


def record_line() -> str | None:
    """One sentence with the realignment model's cross-validated record on the shipped library,
    for reports of hand-written scenarios (``None`` when no fit with a record ships)."""
    from realpolitik.evidence.calibration import load_calibration

    cal = load_calibration()
    record = (cal.cross_validation or {}).get("record") if cal is not None else None
    if not record:
        return None
    return (
        "The realignment model's record on history (episodes coded by the evidence protocol, not "
        f"by this file's numbers): cross-validated Brier score {record['brier']:.3f} on "
        f"{record['n']} episodes (base rate {record['brier_base_rate']:.3f}), accuracy "
        f"{record['accuracy']:.0%}; see `realpolitik backtest`."
    )
