"""The HTML report: one self-contained file with the results, figures and every number's provenance.

Plotly's JavaScript is inlined once (the report works offline); each figure is a div.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from realpolitik.report import experiment, renderers

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.scenario_run import ScenarioRun

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#1d2430;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em} h2{border-bottom:2px solid #d0d7e2;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em} th,td{border:1px solid #d0d7e2;padding:.3em .6em;
text-align:left;vertical-align:top} th{background:#eef2f7} .meta{color:#5a6578;font-size:.9em}
pre.lines{background:#f6f8fb;padding:1em;white-space:pre-wrap;font-size:.9em} .claim{font-weight:600}
.headline{background:#eef6ee;border-left:5px solid #3b8b4a;padding:.6em 1.2em;margin:1.2em 0}
"""


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def render_report(result: ScenarioRun) -> str:
    """The report of ``result`` as one HTML string."""
    from realpolitik.version import __version__

    s = result.scenario
    parts: list[str] = []
    figures: list[str] = []
    parts.append(f"<h1>{_e(s.title)}</h1>")
    parts.append(
        f"<p class='meta'>scenario <code>{_e(s.name)}</code> · year {_e(s.spec.year)} · unit {_e(s.spec.unit)}"
        f" · seed {result.options.seed} · draws {result.options.draws} · content hash "
        f"<code>{s.content_hash[:16]}</code> · realpolitik {_e(__version__)}</p>"
    )
    if s.spec.description:
        parts.append(f"<p>{_e(s.spec.description)}</p>")
    headline = _headline(result)
    if headline:
        parts.append(
            "<div class='headline'><ul>"
            + "".join(f"<li>{h}</li>" for h in headline)
            + "</ul></div>"
        )
    parts.append(
        "<nav><ul>"
        + "".join(f"<li><a href='#model-{_e(n)}'>{_e(n)}</a></li>" for n in result.results)
        + ("<li><a href='#uncertainty'>uncertainty</a></li>" if result.draws else "")
        + "<li><a href='#claims'>claims</a></li><li><a href='#provenance'>provenance</a></li></ul></nav>"
    )
    for name, model_result in result.results.items():
        parts.append(f"<h2 id='model-{_e(name)}'>{_e(name)}</h2>")
        model_lines = renderers.lines(model_result)
        if model_lines:
            parts.append("<pre class='lines'>" + _e("\n".join(model_lines)) + "</pre>")
        for fig_name, fig in renderers.figures(model_result).items():
            figures.append(fig_name)
            parts.append(_figure_div(fig, f"{name}-{fig_name}"))
        for table_name, df in model_result.tables().items():
            parts.append(f"<h3>{_e(table_name)}</h3>")
            parts.append(df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0))
    draws = result.draws
    if draws:
        parts.append("<h2 id='uncertainty'>Uncertainty</h2>")
        draws_lines = experiment.lines(draws, result.results)
        if draws_lines:
            parts.append("<pre class='lines'>" + _e("\n".join(draws_lines)) + "</pre>")
        for fig_name, fig in experiment.figures(draws, result.results).items():
            figures.append(fig_name)
            parts.append(_figure_div(fig, f"exp-{fig_name}"))
        for table_name, df in experiment.tables(draws).items():
            parts.append(f"<h3>{_e(table_name)}</h3>")
            parts.append(df.to_html(index=False, float_format=lambda v: f"{v:.4g}", border=0))
    parts.append(_claims_section(result))
    parts.append(_provenance_section(result))
    head = ""
    if figures:
        head = _plotly_js()
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(s.title)}: realpolitik report</title><style>{_CSS}</style>{head}</head>"
        "<body>" + "\n".join(parts) + "</body></html>\n"
    )


def _headline(result: ScenarioRun) -> list[str]:
    """The few sentences a reader needs first (escaped HTML): each model's headline, the declared
    yes/no outcomes over the draws, and what the answer depends on most."""
    out: list[str] = []
    for model_result in result.results.values():
        out += [_e(h) for h in renderers.headline(model_result)]
    draws = result.draws
    if draws is not None and draws.statistics:
        probs = [
            f"P({_e(o.name)}) = <b>{s['mean']:.3f}</b> (95% interval {s['low']:.3f} to "
            f"{s['high']:.3f})"
            for o in draws.outcomes
            if o.is_indicator and (s := draws.statistics.get(o.column)) and s["mean"] is not None
        ]
        if probs:
            out.append(
                f"Over {draws.draws:,} draws of the uncertain numbers: " + "; ".join(probs) + "."
            )
    if draws is not None and draws.sensitivity is not None:
        top = draws.sensitivity.records(3)
        out.append(
            "The answer depends most on "
            + "; ".join(
                f"<code>{_e(x['path'])}</code> ({_e(', '.join(x['claims']) or 'no claim')})"
                for x in top
            )
            + "."
        )
    return out


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return "<script>" + get_plotlyjs() + "</script>"


def _figure_div(fig: Any, div_id: str) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False}
    )


def _claims_section(result: ScenarioRun) -> str:
    s = result.scenario
    if not s.spec.claims:
        return "<h2 id='claims'>Claims</h2><p>This scenario names no claims.</p>"
    uses: dict[str, list[str]] = {c: [] for c in s.spec.claims}
    for ref in s.quantities():
        for c in ref.quantity.claims:
            uses.setdefault(c, []).append(ref.path)
    for lever in s.spec.levers:
        for c in lever.claims:
            uses.setdefault(c, []).append(f"levers.{lever.id}")
    rows = "".join(
        f"<tr><td class='claim'>{_e(k)}</td><td>{_e(c.text)}</td><td>{_e(c.by)}</td>"
        f"<td>{'<br>'.join(_e(p) for p in uses.get(k, [])) or '<em>not encoded</em>'}</td></tr>"
        for k, c in s.spec.claims.items()
    )
    return (
        "<h2 id='claims'>Claims</h2><table><tr><th>claim</th><th>text</th><th>by</th>"
        "<th>encoded in</th></tr>" + rows + "</table>"
    )


def _provenance_section(result: ScenarioRun) -> str:
    s = result.scenario
    rows = []
    for ref in s.quantities():
        q = ref.quantity
        src = s.spec.sources.get(q.source) if q.source else None
        src_text = ""
        if src is not None:
            src_text = _e(src.title)
            if src.url:
                src_text = f"<a href='{_e(src.url)}'>{src_text}</a>"
        dist = ""
        if q.dist is not None:
            dist = _e(", ".join(f"{k}={v}" for k, v in q.dist.spec().items()))
        rows.append(
            f"<tr><td><code>{_e(ref.path)}</code></td><td>{q.value:g}</td><td>{dist}</td>"
            f"<td>{src_text}</td><td>{_e(', '.join(q.claims))}</td>"
            f"<td>{_e(q.assumption or '')}{' ' if q.assumption and q.note else ''}{_e(q.note or '')}</td></tr>"
        )
    return (
        "<h2 id='provenance'>Provenance of every number</h2><table><tr><th>key path</th><th>value</th>"
        "<th>uncertainty</th><th>source</th><th>claims</th><th>assumption / note</th></tr>"
        + "".join(rows)
        + "</table>"
    )
