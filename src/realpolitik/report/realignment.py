"""Text and figures of the realignment model: from a
:class:`~realpolitik.models.adapters.realignment.RealignmentResult` and, with draws, from the
statistics of its outputs over the draws."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from realpolitik.report.format import money

#: Causes smaller than this (in the scenario's money unit) are left out of the decomposition.
NEGLIGIBLE = 1e-9


def outcome_phrase(result: Any) -> str:
    """What the pivot does at the point values, e.g. "Russia stays with China"."""
    label = result.labels
    pivot = label[result.pivot]
    return {
        "stays": f"{pivot} stays with {label[result.incumbent]}",
        "hedges": f"{pivot} hedges between the two",
        "realigns": f"{pivot} aligns with {label[result.courter]}",
    }[result.outcome]


def lines(result: Any) -> list[str]:
    """The readable lines of a point run."""
    label = result.labels
    courter, incumbent = label[result.courter], label[result.incumbent]
    out = [
        f"Outcome at the point values: {outcome_phrase(result)}.",
        f"Price of a full realignment (cost to {courter}'s side, present value over the "
        f"horizon): {money(result.price)}",
        f"{courter}'s willingness to pay: {money(result.willingness_to_pay)};  "
        f"{incumbent}'s maximum retention bid: {money(result.retention_bid)};  "
        f"margin: {money(result.margin)}",
        f"Price of a hedge: {money(result.price_hedge)} against willingness to pay "
        f"{money(result.willingness_to_pay_hedge)} (margin {money(result.margin_hedge)})",
        "Options' value to the pivot before any offer (present value against staying): "
        + ", ".join(f"{k} {v:,.1f}" for k, v in result.option_values.items()),
        "Why a full realignment costs what it does: what the package must make up, by cause "
        "(positive adds to the price, negative lowers it):",
    ]
    deco = result.decomposition_value
    for cause, v in sorted(deco.items(), key=lambda kv: -abs(kv[1])):
        if abs(v) > NEGLIGIBLE:
            out.append(f"  {cause:<22} {v:>12,.1f}")
    if result.package:
        offered = {k: v for k, v in result.package.items() if v > NEGLIGIBLE}
        out.append(
            "Cheapest package for a full realignment: "
            + (
                ", ".join(f"{k} x{v:.2f}" for k, v in offered.items()) or "none needed"
                if result.reachable
                else "no package within the levers' bounds"
            )
        )
    if result.commitment_forms:
        out.append("The same package under each commitment form of the courter's promises:")
        for row in result.commitment_forms:
            out.append(
                f"  {row['form']:<24} outcome {row['outcome']:<9} price {money(row['price'])}"
                f"  margin {money(row['margin'])}"
            )
    if result.realigns_by_year:
        out.append(
            "Probability the pivot is aligned with the courter, by year (leadership "
            "turnover of all three, point values): "
            + " ".join(f"{v:.2f}" for v in result.realigns_by_year)
        )
        duration = result.expected_duration
        out.append(
            "Expected duration of a realignment: "
            + ("none in the simulated paths" if duration is None else f"{duration:,.1f} years")
        )
    return out


def by_year_figure(
    years: Sequence[int], realigns: Sequence[float], hedges: Sequence[float], title: str
) -> Any:
    """The probability of realigning and of hedging, by year (one figure for points and draws)."""
    import plotly.graph_objects as go

    return go.Figure(
        [
            go.Scatter(
                x=list(years),
                y=list(realigns),
                name="aligned with the courter",
                mode="lines+markers",
            ),
            go.Scatter(x=list(years), y=list(hedges), name="hedging", mode="lines+markers"),
        ],
        layout=dict(
            title=dict(text=title),
            height=360,
            margin=dict(l=70, r=20, t=60, b=60),
            xaxis=dict(title=dict(text="year")),
            yaxis=dict(title=dict(text="probability (share of paths)"), range=[0, 1]),
        ),
    )


def decomposition_figure(result: Any) -> Any:
    """The waterfall of what a full realignment must make up, by cause (None when nothing)."""
    import plotly.graph_objects as go

    deco = {k: v for k, v in result.decomposition_value.items() if abs(v) > NEGLIGIBLE}
    if not deco:
        return None
    fig = go.Figure(
        go.Waterfall(
            x=[*deco, "what the package must make up"],
            y=[*deco.values(), 0.0],
            measure=["relative"] * len(deco) + ["total"],
        ),
        layout=dict(
            title=dict(text="What a full realignment must make up, by cause (value to the pivot)"),
            height=400,
            margin=dict(l=70, r=20, t=60, b=90),
            xaxis=dict(title=dict(text="cause (positive adds to the price, negative lowers it)")),
            yaxis=dict(
                title=dict(
                    text=f"value to the pivot ({(result.unit or 'money').split(' (')[0]}, "
                    "present value)"
                )
            ),
        ),
    )
    return fig


def causes_figure(result: Any) -> Any:
    """What each cause adds to what the pivot must be given, for a full realignment and for a
    hedge (Shapley values: each cause's average effect of switching it on), or None when the
    result has no causal decomposition."""
    sh = getattr(result, "shapley", None)
    if not sh:
        return None
    import plotly.graph_objects as go

    unit = (result.unit or "money").split(" (")[0]
    return go.Figure(
        [
            go.Bar(x=list(sh["groups"]), y=list(sh["realigns"]["need"]), name="full realignment"),
            go.Bar(x=list(sh["groups"]), y=list(sh["hedges"]["need"]), name="hedge"),
        ],
        layout=dict(
            title=dict(
                text="What each cause adds to what the pivot must be given (Shapley values)"
            ),
            height=400,
            margin=dict(l=70, r=20, t=60, b=90),
            xaxis=dict(title=dict(text="cause")),
            yaxis=dict(title=dict(text=f"value to the pivot ({unit}, present value)")),
        ),
    )


def figures(result: Any) -> dict[str, Any]:
    """The causes (Shapley values, when given), the accounting waterfall and the by-year
    probabilities of a point run."""
    figs: dict[str, Any] = {}
    for name, fig in (
        ("causes", causes_figure(result)),
        ("decomposition", decomposition_figure(result)),
    ):
        if fig is not None:
            figs[name] = fig
    if result.realigns_by_year:
        figs["by-year"] = by_year_figure(
            result.calendar_years(),
            result.realigns_by_year,
            result.hedges_by_year,
            "Probability of each alignment by year",
        )
    return figs


def _series(stats: Mapping[str, Mapping[str, Any]], prefix: str) -> dict[int, float]:
    out = {}
    for name, s in stats.items():
        if name.startswith(prefix) and name[len(prefix) :].isdigit() and s["mean"] is not None:
            out[int(name[len(prefix) :])] = float(s["mean"])
    return dict(sorted(out.items()))


def draws_lines(stats: Mapping[str, Mapping[str, Any]], result: Any) -> list[str]:
    """Lines on the model's outputs over the draws (by year, money, reachability)."""
    out = []
    realigns = _series(stats, "realigns_year_")
    hedges = _series(stats, "hedges_year_")
    if realigns:
        out.append(
            "By year: "
            + "  ".join(
                f"{k}: {realigns[k]:.3f}/{hedges.get(k, float('nan')):.3f}" for k in realigns
            )
            + "   (realigns/hedges)"
        )
    for key in ("need", "willingness_to_pay", "retention_bid"):
        s = stats.get(key)
        if s and s["mean"] is not None:
            out.append(
                f"{key}: mean {s['mean']:,.1f} (draws range {money(s['draws_low'])} to "
                f"{money(s['draws_high'])})"
            )
    reach = stats.get("price_reachable")
    if reach and reach["mean"] is not None and reach["mean"] < 1:
        out.append(
            f"In {1 - reach['mean']:.1%} of draws no package within the levers' bounds could buy "
            "a full realignment (price and margin undefined there)."
        )
    return out


def draws_figures(stats: Mapping[str, Mapping[str, Any]], result: Any) -> dict[str, Any]:
    """The by-year probabilities over the draws."""
    realigns = _series(stats, "realigns_year_")
    if not realigns:
        return {}
    hedges = _series(stats, "hedges_year_")
    years = [(result.year or 0) + k for k in realigns]
    return {
        "by-year-draws": by_year_figure(
            years,
            list(realigns.values()),
            [hedges.get(k, float("nan")) for k in realigns],
            "Probability of each alignment by year, over the draws",
        )
    }


def headline(result: Any) -> list[str]:
    """The first sentences a reader needs (plain text; the HTML report escapes and marks up)."""
    label = result.labels
    courter = label[result.courter]
    out = [f"At the point values, {outcome_phrase(result)}."]
    if result.price is None:
        out.append(
            f"No package within the levers' bounds buys a full realignment; {courter}'s "
            f"willingness to pay is {result.willingness_to_pay:,.0f}."
        )
    else:
        out.append(
            f"A full realignment costs {courter}'s side {result.price:,.0f} against a "
            f"willingness to pay of {result.willingness_to_pay:,.0f} (margin "
            f"{money(result.margin, 0)})."
        )
    return out
