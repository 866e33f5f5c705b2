"""Text and figures of what each declared outcome depends on, from the run's own draws
(:mod:`realpolitik.experiment.outcome_sensitivity`), and the caveat of the secondary Sobol'
ranking of one quantity."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Inputs listed per outcome in the text (the tables have all).
RANKING_SHOWN = 5
#: Inputs drawn per outcome in a figure.
FIGURE_SHOWN = 12
#: Normal quantile of a two-sided 95% interval.
_Z95 = 1.959964

_METHOD = {
    "delta": "Borgonovo's delta: how far knowing the input moves P({name}) on average",
    "pawn": "PAWN: how far knowing the input moves {name}'s distribution on average "
    "(Kolmogorov-Smirnov distance)",
}


def _claims(claims: Sequence[str]) -> str:
    return ", ".join(claims) or "no claim"


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def _edges(row: Any) -> tuple[str, str]:
    """How the input's lowest and highest slices are named: tenths, or its values."""
    slices = int(row["slices"])
    if slices < 10:
        return "at its lowest value", "at its highest"
    return "in its lowest tenth", "in its highest"


def header_lines(findings: Sequence[Any]) -> list[str]:
    """The first line of the section: what was computed, from how many draws."""
    if not findings:
        return []
    draws = findings[0].draws
    return [
        f"What the answer depends on, from the {draws:,} draws themselves (no extra model runs; "
        "each input cut into 10 slices of equal count, 95% half-widths by bootstrap, noise level "
        "= what inputs unrelated to the outcome score):"
    ]


def outcome_lines(finding: Any, top: int = RANKING_SHOWN) -> list[str]:
    """One outcome: its mean with Monte Carlo error, the method, and the first ``top`` inputs."""
    o = finding.outcome
    yes_no = finding.method == "delta"
    if finding.status == "constant":
        if yes_no:
            answer = "yes" if finding.n_yes else "no"
            return [
                f"{o.name}: {answer} in every one of the {finding.draws:,} draws; nothing to rank."
            ]
        what = "undefined" if finding.undefined == finding.draws else "the same"
        return [f"{o.name}: {what} in every one of the {finding.draws:,} draws; nothing to rank."]
    if yes_no:
        what = (
            f"P({o.name}) = {finding.mean:.3f} +/- {_Z95 * finding.mean_se:.3f} "
            f"({finding.n_yes:,} of {finding.draws:,} draws yes)"
        )
    else:
        what = f"{o.name}"
        if finding.undefined:
            place = "highest" if o.direction == "minimize" else "lowest"
            what += f" (undefined in {finding.undefined:,} draws, counted as its {place})"
    method = _METHOD[finding.method].format(name=o.name)
    out = [
        f"{what}; {method}; noise level {finding.noise:.3f}, "
        f"{finding.above_noise} of {len(finding.table)} inputs above it:"
    ]
    for _, r in finding.table.head(top).iterrows():
        head = f"  {int(r['rank'])}. {r['path']}  [{_claims(r['claims'])}]  "
        value = f"{r['index']:.3f} +/- {r['index_conf']:.3f}"
        if yes_no:
            low, high = _edges(r)
            out.append(
                f"{head}delta {value};  P({o.name}) {_pct(r['low'])} {low}, "
                f"{_pct(r['high'])} {high}"
            )
        else:
            way = "rises" if r["effect"] > 0 else "falls"
            out.append(f"{head}KS {value};  {way} with it (mean rank {r['effect']:+.2f})")
    return out


def lines(findings: Sequence[Any], top: int = RANKING_SHOWN) -> list[str]:
    """Every declared outcome's ranking, yes/no outcomes first."""
    out = header_lines(findings)
    ordered = sorted(findings, key=lambda f: f.method != "delta")
    for finding in ordered:
        out += outcome_lines(finding, top)
    return out


def sobol_caveat(finding: Any) -> str:
    """Why the Sobol' ranking of one quantity comes after the rankings of the outcomes."""
    o = finding.outcome
    text = (
        f"Secondary: Sobol' indices of {o.name} (the first declared quantity defined in every "
        f"draw; {finding.evaluations:,} extra model runs). They rank what moves {o.name}'s "
        "variance, not what changes the answer"
    )
    if o.output.kind == "ratio":
        text += "; a ratio's variance follows its denominator, so read them with care"
    return text + "."


def answer_sentence(findings: Sequence[Any], top: int = 3) -> str | None:
    """One sentence for the answer box: the inputs each yes/no outcome depends on most."""
    parts = []
    for f in findings:
        if f.method != "delta" or f.status != "ranked":
            continue
        names = "; ".join(
            f"{r['path']} ({_claims(r['claims'])})" for _, r in f.table.head(top).iterrows()
        )
        parts.append(f"P({f.outcome.name}) on {names}")
    if not parts:
        return None
    return "Over the draws it depends most: " + "; and ".join(parts) + "."


def figure(finding: Any, top: int = FIGURE_SHOWN) -> Any:
    """The ranking of one outcome as horizontal bars with their 95% half-widths, largest on top,
    and the noise level as a dashed line."""
    import plotly.graph_objects as go

    o = finding.outcome
    rows = finding.table.head(top).iloc[::-1]
    labels = [f"{r['path']} [{', '.join(r['claims']) or '-'}]" for _, r in rows.iterrows()]
    yes_no = finding.method == "delta"
    fig = go.Figure(
        go.Bar(
            x=rows["index"].tolist(),
            y=labels,
            orientation="h",
            error_x=dict(type="data", array=rows["index_conf"].tolist()),
            name="delta" if yes_no else "PAWN",
        )
    )
    fig.add_vline(x=finding.noise, line_dash="dash", annotation_text="noise level")
    title = (
        f"What P({o.name}) depends on (Borgonovo's delta, {finding.draws:,} draws)"
        if yes_no
        else f"What {o.name} depends on (PAWN, {finding.draws:,} draws)"
    )
    fig.update_layout(
        title=title,
        height=160 + 28 * len(rows),
        margin=dict(l=420, r=20, t=60, b=60),
        xaxis_title=(
            f"delta: mean |P({o.name} | input's slice) - P({o.name})| (probability, 0 to 1)"
            if yes_no
            else f"mean Kolmogorov-Smirnov distance of {o.name} given the input's slice "
            "(share of draws, 0 to 1)"
        ),
        yaxis_title="uncertain number [claims]",
    )
    return fig


def range_figure(finding: Any, top: int = FIGURE_SHOWN) -> Any:
    """For a yes/no outcome: P(yes) among the draws in each input's lowest slice (open circle)
    and highest slice (filled), joined, with the overall P(yes) as a dashed line."""
    import plotly.graph_objects as go

    o = finding.outcome
    rows = finding.table.head(top).iloc[::-1]
    labels = [f"{r['path']} [{', '.join(r['claims']) or '-'}]" for _, r in rows.iterrows()]
    fig = go.Figure()
    for label, low, high in zip(labels, rows["low"], rows["high"], strict=True):
        fig.add_trace(
            go.Scatter(
                x=[low, high],
                y=[label, label],
                mode="lines",
                line=dict(color="#9aa7b8"),
                showlegend=False,
                hoverinfo="skip",
            )
        )
    for key, symbol, name in (
        ("low", "circle-open", "lowest slice"),
        ("high", "circle", "highest slice"),
    ):
        fig.add_trace(
            go.Scatter(
                x=rows[key].tolist(),
                y=labels,
                mode="markers",
                marker=dict(symbol=symbol, size=10, color="#2b5c9e"),
                name=f"the input in its {name}",
            )
        )
    fig.add_vline(x=finding.mean, line_dash="dash", annotation_text=f"P({o.name}) overall")
    fig.update_layout(
        title=f"P({o.name}) at the two ends of each input's range ({finding.draws:,} draws)",
        height=180 + 28 * len(rows),
        margin=dict(l=420, r=20, t=60, b=60),
        xaxis_title=f"P({o.name}) among the draws in the slice (probability, 0 to 1)",
        yaxis_title="uncertain number [claims]",
        legend=dict(orientation="h", y=-0.25),
    )
    return fig


def figures(findings: Sequence[Any]) -> dict[str, Any]:
    """The ranking of every ranked outcome and, for yes/no outcomes, P(yes) at the two ends of
    each input's range; by file-friendly name."""
    out: dict[str, Any] = {}
    for f in findings:
        if f.status != "ranked":
            continue
        out[f"sensitivity-{f.outcome.name}"] = figure(f)
        if f.method == "delta":
            out[f"sensitivity-{f.outcome.name}-range"] = range_figure(f)
    return out


def table(finding: Any) -> Any:
    """The whole ranking of one outcome as a table."""
    keep = [
        c
        for c in (
            "rank",
            "path",
            "claims",
            "index",
            "index_conf",
            "above_noise",
            "low",
            "high",
            "S1",
            "effect",
        )
        if c in finding.table.columns
    ]
    return finding.table[keep]
