"""The HTML report: one self-contained file with the results, figures and every number's provenance.

Plotly's JavaScript is inlined once (the report works offline); each figure is a div.
"""

from __future__ import annotations

import functools
import html
from typing import TYPE_CHECKING, Any

from realpolitik.report import answer, discovery, experiment, renderers
from realpolitik.report import sensitivity as outcome_sensitivity

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.scenario_run import ScenarioRun

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,"Liberation Sans",sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#1d2430;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em} h2{border-bottom:2px solid #d0d7e2;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:1em 0;font-size:.9em} th,td{border:1px solid #d0d7e2;padding:.3em .6em;
text-align:left;vertical-align:top} th{background:#eef2f7} .meta{color:#5a6578;font-size:.9em}
td.num{text-align:right;font-variant-numeric:tabular-nums}
pre.lines{background:#f6f8fb;padding:1em;white-space:pre-wrap;font-size:.9em} .claim{font-weight:600}
.answer{background:#eef6ee;border-left:5px solid #3b8b4a;padding:.6em 1.2em;margin:1.2em 0}
.answer .question{color:#3d4a5c;margin:.2em 0} .answer .verdict{font-size:1.25em;font-weight:600;margin:.3em 0}
details{margin:.6em 0} summary{cursor:pointer;font-weight:600}
dl.glossary dt{font-weight:600;margin-top:.4em} dl.glossary dd{margin-left:1.5em}
nav ul{display:flex;flex-wrap:wrap;gap:.4em 1.2em;list-style:none;padding:0}
"""

#: Tables with more rows than this are collapsed (a click opens them).
COLLAPSE_ROWS = 12
#: The model whose answer the report puts first.
ANSWER_MODEL = "realignment"


def _e(x: Any) -> str:
    return html.escape("" if x is None else str(x))


def render_report(result: ScenarioRun) -> str:
    """The report of ``result`` as one HTML string: the answer first, then why, then the details."""
    return "".join(report_parts(result))


def report_parts(result: ScenarioRun) -> list[str]:
    """The report of ``result`` in pieces that join to :func:`render_report`'s string (written
    piece by piece, the 4.6 MB of Plotly's script is never copied into one string)."""
    from realpolitik.version import __version__

    s = result.scenario
    answer_result = result.results.get(ANSWER_MODEL)
    parts: list[str] = [f"<h1>{_e(s.title)}</h1>"]
    parts.append(
        f"<p class='meta'>scenario <code>{_e(s.name)}</code> · year {_e(s.spec.year)} · unit {_e(s.spec.unit)}"
        f" · seed {result.options.seed} · draws {result.options.draws} · content hash "
        f"<code>{s.content_hash[:16]}</code> · realpolitik {_e(__version__)}</p>"
    )
    sections: list[tuple[str, str, str]] = []  # (id, heading, html)
    if answer_result is not None:
        parts.append(_answer_box(result, answer_result))
        sections += _answer_sections(result, answer_result)
    else:
        headline = _headline(result)
        if headline:
            parts.append(
                "<div class='answer'><ul>"
                + "".join(f"<li>{h}</li>" for h in headline)
                + "</ul></div>"
            )
    if s.spec.description:
        parts.append(f"<p>{_e(s.spec.description)}</p>")
    sections += _draws_sections(result)
    others = [n for n in result.results if n != ANSWER_MODEL]
    if answer_result is not None:
        sections.append(
            ("model-realignment", "The realignment model in detail", _model_body(answer_result))
        )
    if others:
        body = "".join(
            f"<h3 id='model-{_e(n)}'>{_e(n)}</h3>" + _model_body(result.results[n]) for n in others
        )
        sections.append(("classic", "The classic models of alignment", body))
    if answer_result is not None:
        sections.append(("glossary", "Glossary", _glossary()))
    sections.append(("claims", "Claims", _claims_table(result)))
    sections.append(("provenance", "Provenance of every number", _provenance_table(result)))
    parts.append(
        "<nav><ul>"
        + "".join(f"<li><a href='#{_e(i)}'>{_e(h)}</a></li>" for i, h, _ in sections)
        + "</ul></nav>"
    )
    for ident, heading, body in sections:
        parts.append(f"<h2 id='{_e(ident)}'>{_e(heading)}</h2>{body}")
    body_html = "\n".join(parts)
    head = plotly_script() if 'class="plotly-graph-div"' in body_html else ""
    return [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{_e(s.title)}: realpolitik report</title><style>{_CSS}</style>",
        head,
        "</head><body>",
        body_html,
        "</body></html>\n",
    ]


def report_figures(result: ScenarioRun) -> dict[str, Any]:
    """Every figure of the report, by file-friendly name, in the report's order (for export)."""
    figs: dict[str, Any] = {}
    answer_result = result.results.get(ANSWER_MODEL)
    if answer_result is not None:
        figs.update(_answer_figures(result, answer_result))
    if result.draws is not None:
        for name, fig in experiment.figures(result.draws, result.results).items():
            if name not in ("by-year-draws",):
                figs[name] = fig
        tradeoff = discovery.tradeoff_figure(result.draws.discovery)
        if tradeoff is not None:
            figs["discovery-tradeoff"] = tradeoff
    for name, model_result in result.results.items():
        if name == ANSWER_MODEL:
            continue
        for fig_name, fig in renderers.figures(model_result).items():
            figs[f"{name}-{fig_name}"] = fig
    return figs


def _stats(result: ScenarioRun) -> dict[str, Any] | None:
    return result.draws.statistics if result.draws is not None else None


def _answer_box(result: ScenarioRun, answer_result: Any) -> str:
    draws = result.draws.draws if result.draws is not None else None
    lines = [
        f"<p class='question'>{_e(answer.question(answer_result))}</p>",
        f"<p class='verdict'>{_e(answer.answer_sentence(answer_result, _stats(result), draws))}</p>",
        f"<p>{_e(answer.price_sentence(answer_result))}</p>",
    ]
    findings = result.draws.outcome_sensitivity if result.draws is not None else ()
    depends = outcome_sensitivity.answer_sentence(findings)
    if depends is not None:
        lines.append(f"<p>{_e(depends)}</p>")
    return "<section class='answer' id='answer'>" + "".join(lines) + "</section>"


def _answer_figures(result: ScenarioRun, answer_result: Any) -> dict[str, Any]:
    figs: dict[str, Any] = {}
    price = answer.price_figure(answer_result)
    if price is not None:  # none without a courter
        figs["price"] = price
    point = renderers.figures(answer_result)
    if "causes" in point:  # the causal view (Shapley values), when the model gives it
        figs["causes"] = point["causes"]
    if "decomposition" in point:
        figs["decomposition"] = answer.with_willingness_line(point["decomposition"], answer_result)
    stats = _stats(result)
    by_year = renderers.draws_figures(stats, answer_result) if stats else {}
    if by_year:
        figs.update(by_year)
    elif "by-year" in point:
        figs["by-year"] = point["by-year"]
    return figs


def _answer_sections(result: ScenarioRun, answer_result: Any) -> list[tuple[str, str, str]]:
    figs = _answer_figures(result, answer_result)
    out = []
    if "price" in figs:
        out.append(
            (
                "price",
                "The price against what each payer would pay",
                _figure_div(figs["price"], "figure-price"),
            )
        )
    tables = answer_result.report_tables()
    why = ""
    if "causes" in figs:
        why += _figure_div(figs["causes"], "figure-causes")
    if "decomposition" in figs:
        if why:
            why += (
                "<p class='meta'>The same price as an accounting identity: what the package must "
                "make up, cause by cause, with the courter's willingness to pay drawn across.</p>"
            )
        why += _figure_div(figs["decomposition"], "figure-decomposition")
        why += _table(tables.get("price decomposition"), "the decomposition as a table")
    if why:
        out.append(("causes", "Why: what the package must make up, by cause", why))
    by_year = next((k for k in ("by-year-draws", "by-year") if k in figs), None)
    if by_year is not None:
        note = (
            "Over the draws, with leadership turnover of all three actors."
            if by_year == "by-year-draws"
            else "At the point values, over simulated paths of leadership turnover."
        )
        out.append(
            (
                "by-year",
                "The probabilities by year",
                f"<p class='meta'>{_e(note)}</p>" + _figure_div(figs[by_year], "figure-by-year"),
            )
        )
    return out


def _draws_sections(result: ScenarioRun) -> list[tuple[str, str, str]]:
    draws = result.draws
    if draws is None:
        return []
    out = []
    body = _sensitivity_body(draws)
    if body:
        out.append(("sensitivity", "What the answer depends on, named by claims", body))
    if draws.discovery is not None:
        body = (
            "<pre class='lines'>"
            + _e("\n".join(experiment.discovery_lines(draws.discovery)))
            + "</pre>"
        )
        tradeoff = discovery.tradeoff_figure(draws.discovery)
        if tradeoff is not None:
            body += _figure_div(tradeoff, "figure-discovery")
        box = draws.discovery.box
        if box:
            import pandas as pd

            body += _table(
                pd.DataFrame(
                    [
                        {
                            "number": lim["path"],
                            "claims": lim["claims"],
                            "low": lim["low"],
                            "high": lim["high"],
                        }
                        for lim in box["limits"]
                    ]
                ),
                None,
            )
        out.append(("discovery", "What would have to be true to flip it", body))
    lines = experiment.lines(draws, result.results)
    body = "<pre class='lines'>" + _e("\n".join(lines)) + "</pre>" if lines else ""
    for name, df in experiment.tables(draws).items():
        body += _table(df, name)
    out.append(("uncertainty", "All outcomes over the draws", body))
    return out


def _sensitivity_body(draws: Any) -> str:
    """Each declared outcome's ranking (text and a figure), then the Sobol' ranking of one
    quantity as a secondary view with its caveat."""
    findings = draws.outcome_sensitivity
    body = ""
    if findings:
        body += (
            "<pre class='lines'>" + _e("\n".join(outcome_sensitivity.lines(findings))) + "</pre>"
        )
        for name, fig in outcome_sensitivity.figures(findings).items():
            body += _figure_div(fig, f"figure-{name}")
    if draws.sensitivity is not None:
        body += (
            f"<p class='meta'>{_e(outcome_sensitivity.sobol_caveat(draws.sensitivity))}</p>"
            "<pre class='lines'>"
            + _e("\n".join(experiment.sensitivity_lines(draws.sensitivity)))
            + "</pre>"
            + _figure_div(experiment.sensitivity_figure(draws.sensitivity), "figure-sensitivity")
        )
    return body


def _model_body(model_result: Any) -> str:
    body = ""
    model_lines = renderers.lines(model_result)
    if model_lines:
        body += "<pre class='lines'>" + _e("\n".join(model_lines)) + "</pre>"
    if model_result.model != ANSWER_MODEL:
        for fig_name, fig in renderers.figures(model_result).items():
            body += _figure_div(fig, f"figure-{model_result.model}-{fig_name}")
    for table_name, table in model_result.report_tables().items():
        body += _table(table, table_name)
    return body


def _glossary() -> str:
    return (
        "<dl class='glossary'>"
        + "".join(f"<dt>{_e(term)}</dt><dd>{_e(text)}</dd>" for term, text in answer.GLOSSARY)
        + "</dl>"
    )


def _cell(x: Any) -> tuple[str, bool]:
    """A table cell's text (blank for missing values, lists joined) and whether it is a number."""
    import math

    if x is None:
        return "", False
    if isinstance(x, float) and not math.isfinite(x):
        return "", False
    if isinstance(x, bool):
        return ("yes" if x else "no"), False
    if isinstance(x, int | float):
        return f"{x:.4g}", True
    if hasattr(x, "item") and not isinstance(x, list | tuple | dict):  # numpy scalars
        return _cell(x.item())
    if isinstance(x, list | tuple):
        return ", ".join(str(v) for v in x), False
    return str(x), False


def _table(table: Any, title: str | None) -> str:
    """A table (a :class:`PlainTable`, or a DataFrame) as an HTML table: blank empty cells, lists
    joined; in a long table, rows that are zero in every numeric column hidden (and counted) and
    the table collapsed."""
    from realpolitik.models.plain_table import PlainTable

    if table is None or len(table) == 0:
        return ""
    if not isinstance(table, PlainTable):
        table = PlainTable.from_frame(table)
    numeric = [j for j, is_num in enumerate(table.numeric) if is_num]
    records = table.rows
    hidden = 0
    if numeric and len(records) > COLLAPSE_ROWS:  # in a short table a row of zeros is information
        zero = [all(float(r[j]) == 0 for j in numeric) for r in records]
        if any(zero) and not all(zero):
            hidden = sum(zero)
            records = tuple(r for r, z in zip(records, zero, strict=True) if not z)
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    rows = []
    for record in records:
        cells = []
        for value in record:
            text, is_num = _cell(value)
            cells.append(f"<td class='num'>{_e(text)}</td>" if is_num else f"<td>{_e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    html_table = f"<table><tr>{head}</tr>{''.join(rows)}</table>"
    if hidden:
        html_table += f"<p class='meta'>{hidden} row(s) that are zero throughout are not shown.</p>"
    label = title or "table"
    if len(records) > COLLAPSE_ROWS:
        return (
            f"<details><summary>{_e(label)} ({len(records)} rows)</summary>{html_table}</details>"
        )
    return (f"<h3>{_e(title)}</h3>" if title else "") + html_table


def _headline(result: ScenarioRun) -> list[str]:
    """The first sentences when the scenario asks no realignment question (escaped HTML): each
    model's headline and the declared yes/no outcomes over the draws."""
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
    if "realignment" in result.results:
        from realpolitik.report.backtest import record_line

        record = record_line()
        if record:
            out.append(_e(record))
    return out


@functools.cache
def plotly_script() -> str:
    """Plotly's JavaScript in a ``<script>`` element (read once per process: 4.6 MB)."""
    from plotly.offline import get_plotlyjs

    return "<script>" + get_plotlyjs() + "</script>"


def _figure_div(fig: Any, div_id: str) -> str:
    return fig.to_html(
        full_html=False, include_plotlyjs=False, div_id=div_id, config={"displaylogo": False}
    )


def _claims_table(result: ScenarioRun) -> str:
    s = result.scenario
    if not s.spec.claims:
        return "<p>This scenario names no claims.</p>"
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
        "<table><tr><th>claim</th><th>text</th><th>by</th>"
        "<th>encoded in</th></tr>" + rows + "</table>"
    )


def _provenance_table(result: ScenarioRun) -> str:
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
        f"<details><summary>{len(rows)} numbers: value, range, source, claims and notes</summary>"
        "<table><tr><th>key path</th><th>value</th>"
        "<th>uncertainty</th><th>source</th><th>claims</th><th>assumption / note</th></tr>"
        + "".join(rows)
        + "</table></details>"
    )
