"""Text and figures of a scenario's draws: the declared outcomes over the draws, what the chosen
quantity depends on (sensitivity) and what would have to be true for a yes/no outcome (discovery).
Model-specific lines and figures come from each model's renderer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from realpolitik.report import renderers
from realpolitik.report import sensitivity as outcome_sensitivity
from realpolitik.report.format import money

#: Inputs listed in a sensitivity ranking's text (the table has all).
RANKING_SHOWN = 6
#: Single-input cuts listed after a discovery box.
CUTS_SHOWN = 3

_SKIPPED = {
    "no model evaluates draws": "No model of this scenario evaluates draws; nothing sampled.",
    "no uncertain numbers": "The scenario has no uncertain numbers; nothing to sample.",
}


def outcome_lines(draws: Any) -> list[str]:
    """P(outcome) with its 95% interval for yes/no outcomes; mean and range for quantities."""
    stats = draws.statistics
    probs, out = [], []
    for o in draws.outcomes:
        s = stats.get(o.column)
        if s is None or s["mean"] is None:
            out.append(f"{o.name}: undefined in every draw")
            continue
        if o.is_indicator:
            probs.append(
                f"P({o.name}) = {s['mean']:.3f} (95% interval {s['low']:.3f} to {s['high']:.3f})"
            )
            continue
        line = (
            f"{o.name}: mean {money(s['mean'])} (draws range {money(s['draws_low'])} to "
            f"{money(s['draws_high'])})"
        )
        if s["undefined"]:
            share = s["undefined"] / (s["n"] + s["undefined"])
            line += f"; undefined in {share:.1%} of draws"
        out.append(line)
    return ([";  ".join(probs)] if probs else []) + out


def sensitivity_lines(finding: Any, top: int = RANKING_SHOWN) -> list[str]:
    """The ranking of a sensitivity finding, first ``top`` inputs."""
    table = finding.table
    sobol = "ST" in table.columns
    out = [
        f"What {finding.outcome.description or repr(finding.outcome.name)} depends on most, by "
        + ("total Sobol' index (S1: first order):" if sobol else "Morris mu* (elementary effects):")
    ]
    for _, r in table.head(top).iterrows():
        claims = ", ".join(r["claims"]) or "no claim"
        if sobol:
            out.append(
                f"  {int(r['rank'])}. {r['path']}  [{claims}]  ST {r['ST']:.2f} +/- "
                f"{r['ST_conf']:.2f}, S1 {r['S1']:.2f}"
            )
        else:
            out.append(
                f"  {int(r['rank'])}. {r['path']}  [{claims}]  mu* {r['mu_star']:.3g}, "
                f"sigma {r['sigma']:.3g}"
            )
    return out


def discovery_lines(finding: Any) -> list[str]:
    """What would have to be true for the finding's question, or why nothing was found."""
    q, n = finding.question, finding.draws_used
    if finding.status == "constant":
        answer = "yes" if finding.n_yes == n else "no"
        return [
            f"Discovery: '{q}' is constant over the {n:,} draws (always {answer}); "
            "there is nothing to separate."
        ]
    if finding.status == "too few":
        return [
            f"Discovery: '{q}' happens in {finding.n_yes} of {n:,} draws; too few "
            "(or too few exceptions) to look for the conditions."
        ]
    out = []
    if finding.status == "no box":
        out.append(
            f"Discovery: no region of the assumptions concentrates '{q}' (base rate "
            f"{finding.base_rate:.3f})."
        )
    else:
        box = finding.box
        out.append(
            f"What would have to be true for '{q}' (PRIM, {n:,} draws; it happens "
            f"in {finding.base_rate:.1%} of them): inside this box it happens in "
            f"{box['density']:.0%} of draws, and the box holds {box['coverage']:.0%} of all the "
            "draws where it happens:"
        )
        for lim in box["limits"]:
            out.append(
                f"  {lim['path']}  [{', '.join(lim['claims']) or 'no claim'}]  in "
                f"[{_g(lim['low'])}, {_g(lim['high'])}]"
            )
    if finding.thresholds is not None:
        for _, r in finding.thresholds.head(CUTS_SHOWN).iterrows():
            out.append(
                f"  single input: {r['input']} {r['direction']} {r['threshold']:.3g} -> "
                f"P(yes) {r['p_yes_beyond']:.3f} (else {r['p_yes_other']:.3f})"
            )
    return out


def _g(x: Any) -> str:
    return "unbounded" if x is None else f"{x:.3g}"


def lines(draws: Any, results: Mapping[str, Any]) -> list[str]:
    """Every line on a scenario's draws."""
    if "draws" in draws.skipped:
        return [_SKIPPED.get(draws.skipped["draws"], draws.skipped["draws"])]
    out = [
        f"{draws.draws:,} draws of {draws.inputs} uncertain numbers (seed {draws.seed}, run "
        f"{draws.run_id or 'in memory'})."
    ]
    out += outcome_lines(draws)
    for name in draws.models:
        if name in results:
            out += renderers.draws_lines(draws.statistics, results[name])
    out += outcome_sensitivity.lines(draws.outcome_sensitivity)
    if draws.sensitivity is not None:
        out.append(outcome_sensitivity.sobol_caveat(draws.sensitivity))
        out += sensitivity_lines(draws.sensitivity)
    elif "sensitivity" in draws.skipped:
        out.append(f"Sobol' indices: not computed ({draws.skipped['sensitivity']}).")
    if draws.discovery is not None:
        out += discovery_lines(draws.discovery)
    elif "discovery" in draws.skipped:
        out.append(f"Discovery: not computed ({draws.skipped['discovery']}).")
    return out


def sensitivity_figure(finding: Any) -> Any:
    """The total Sobol' indices (or Morris mu*) as horizontal bars, largest on top."""
    import plotly.graph_objects as go

    rows = list(reversed(finding.records()))
    labels = [f"{x['path']} [{', '.join(x['claims']) or '-'}]" for x in rows]
    sobol = "ST" in finding.table.columns
    key, conf = ("ST", "ST_conf") if sobol else ("mu_star", "mu_star_conf")
    fig = go.Figure(
        go.Bar(
            x=[x.get(key) or 0.0 for x in rows],
            y=labels,
            orientation="h",
            error_x=dict(type="data", array=[x.get(conf) or 0.0 for x in rows]),
            name="total Sobol' index" if sobol else "Morris mu*",
        )
    )
    what = finding.outcome.description or finding.outcome.name
    fig.update_layout(
        title=f"What {what} depends on ({'total Sobol index' if sobol else 'Morris mu*'})",
        height=160 + 28 * len(rows),
        margin=dict(l=420, r=20, t=60, b=60),
        xaxis_title=(
            "total Sobol' index ST (share of the variance, with interactions)"
            if sobol
            else "Morris mu* (mean absolute elementary effect, outcome's unit)"
        ),
        yaxis_title="uncertain number [claims]",
    )
    return fig


def figures(draws: Any, results: Mapping[str, Any]) -> dict[str, Any]:
    """The models' own figures over the draws and the sensitivity ranking."""
    figs: dict[str, Any] = {}
    for name in draws.models:
        if name in results:
            figs.update(renderers.draws_figures(draws.statistics, results[name]))
    figs.update(outcome_sensitivity.figures(draws.outcome_sensitivity))
    if draws.sensitivity is not None:
        figs["sensitivity-sobol"] = sensitivity_figure(draws.sensitivity)
    return figs


def tables(draws: Any) -> dict[str, Any]:
    """The sensitivity tables and the discovery tables."""
    out: dict[str, Any] = {}
    for finding in draws.outcome_sensitivity:
        if finding.status == "ranked":
            out[f"what {finding.outcome.name} depends on ({finding.method})"] = (
                outcome_sensitivity.table(finding)
            )
    if draws.sensitivity is not None:
        t = draws.sensitivity.table
        cols = [
            c
            for c in (
                "rank",
                "path",
                "claims",
                "S1",
                "S1_conf",
                "ST",
                "ST_conf",
                "mu_star",
                "sigma",
            )
            if c in t.columns
        ]
        out[f"Sobol' indices of {draws.sensitivity.outcome.name} (secondary)"] = t[cols]
    if draws.discovery is not None:
        out.update(draws.discovery.tables())
    return out
