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
    # a scenario without a courter (its id empty): the middle option is the pivot's exit
    hedges = "hedges between the two" if result.courter else "leaves without joining anyone"
    return {
        "stays": f"{pivot} stays with {label[result.incumbent]}",
        "hedges": f"{pivot} {hedges}",
        "realigns": f"{pivot} aligns with {label[result.courter]}",
    }[result.outcome]


def _binds(result: Any, courter: str) -> str:
    if result.courter_binds == "levers":
        return f"what stops {courter}'s side: its levers (no package within their bounds suffices)"
    if result.courter_binds == "stake":
        return (
            f"what stops {courter}'s side: a payer's stake (a package exists, but some payer "
            "would pay more than the move is worth to it)"
        )
    if result.courter_binds == "closed":
        return "the option is closed: no courter, or a demand on the pivot's regime"
    return f"{courter}'s side can afford it"


def lines(result: Any) -> list[str]:
    """The readable lines of a point run."""
    if not result.courter:
        return _exit_lines(result)
    label = result.labels
    courter, incumbent = label[result.courter], label[result.incumbent]
    out = [
        f"Outcome at the point values: {outcome_phrase(result)}.",
        f"Price of a full realignment (cost to {courter}'s side, present value over the "
        f"horizon): {money(result.price)};  {courter}'s side's willingness to pay: "
        f"{money(result.willingness_to_pay)};  margin: {money(result.margin)}",
        f"  {_binds(result, courter)}",
    ]
    if len(result.payers) > 1:
        out.append(
            "  by payer (price of a full realignment / willingness to pay; price of a hedge / "
            "willingness to pay): "
            + ";  ".join(
                f"{p} {money(v['price'])} / {money(v['willingness_to_pay'])}; "
                f"{money(v['price_hedge'])} / {money(v['willingness_to_pay_hedge'])}"
                for p, v in result.payers.items()
            )
        )
    out += [
        f"{incumbent}'s retention bid (value to the pivot): {money(result.retention_bid)}, "
        f"limited by its {result.incumbent_binds} ({incumbent}'s stake "
        f"{money(result.incumbent_stake)} in its own money, of which retaliation costs it "
        f"{money(result.retaliation_cost)})",
        f"Price of a hedge: {money(result.price_hedge)} against willingness to pay "
        f"{money(result.willingness_to_pay_hedge)} (margin {money(result.margin_hedge)})",
        "Options' value to the pivot before any offer (present value against staying): "
        + ", ".join(f"{k} {v:,.1f}" for k, v in result.option_values.items()),
    ]
    out += _cause_lines(result)
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
    for tid, reach in result.threats.items():
        out.append(f"Threat {tid} reaches: " + "; ".join(reach))
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


def _exit_lines(result: Any) -> list[str]:
    """The readable lines of a point run with no courter: the pivot can only stay or leave
    without joining anyone (the exit option), so nothing about a courter's price, its payers or
    the causes of a full realignment's price applies, and none of it is shown."""
    label = result.labels
    pivot, incumbent = label[result.pivot], label[result.incumbent]
    values = result.option_values
    out = [
        f"Outcome at the point values: {outcome_phrase(result)}.",
        f"No courter: {pivot} can stay with {incumbent} or leave without joining anyone (its "
        "exit option); nobody offers a package, and a full realignment is not an option.",
        f"Value of leaving to {pivot} before any counter (present value against staying): "
        f"{money(values['hedges'])}",
        f"{incumbent}'s retention bid against that exit (the most its levers within its stake "
        f"give {pivot}): {money(result.hedge.get('retention_bid'))}",
    ]
    for tid, reach in result.threats.items():
        out.append(f"Threat {tid} reaches: " + "; ".join(reach))
    if result.hedges_by_year:
        out.append(
            f"Probability {pivot} has left {incumbent}, by year (leadership turnover, point "
            "values): " + " ".join(f"{v:.2f}" for v in result.hedges_by_year)
        )
    return out


def _cause_lines(result: Any) -> list[str]:
    """The causes of a full realignment's cost: Shapley values, then the accounting identity."""
    out: list[str] = []
    if result.shapley:
        sh = result.shapley
        out.append(
            "Why a full realignment costs what it does, by cause (Shapley values: each cause's "
            "average effect of switching it on; value the package must give the pivot"
            + ("; price to the courter's side" if _finite_all(sh["realigns"]["price"]) else "")
            + "):"
        )
        rows = list(zip(sh["groups"], sh["realigns"]["need"], sh["realigns"]["price"], strict=True))
        for cause, v, p in sorted(rows, key=lambda r: -abs(r[1])):
            if abs(v) > NEGLIGIBLE:
                extra = f" {p:>12,.1f}" if _finite(p) else ""
                out.append(f"  {cause:<22} {v:>12,.1f}{extra}")
    out.append(
        "The same, as an accounting identity (what the package must make up; positive adds to "
        "the price, negative lowers it):"
    )
    deco = result.decomposition_value
    for cause, v in sorted(deco.items(), key=lambda kv: -abs(kv[1])):
        if abs(v) > NEGLIGIBLE:
            out.append(f"  {cause:<22} {v:>12,.1f}")
    return out


def _finite(x: Any) -> bool:
    return x is not None and x == x and abs(x) != float("inf")


def _finite_all(xs: Sequence[Any]) -> bool:
    return all(_finite(x) for x in xs)


def by_year_spec(
    years: Sequence[int], realigns: Sequence[float], hedges: Sequence[float], title: str
) -> dict[str, Any]:
    """The probability of realigning and of hedging, by year, as a plain Plotly figure
    specification (the dashboard sends it as it is; :func:`by_year_figure` wraps it)."""
    return {
        "data": [
            {
                "type": "scatter",
                "x": list(years),
                "y": list(realigns),
                "name": "aligned with the courter",
                "mode": "lines+markers",
            },
            {
                "type": "scatter",
                "x": list(years),
                "y": list(hedges),
                "name": "hedging",
                "mode": "lines+markers",
            },
        ],
        "layout": {
            "title": {"text": title},
            "height": 360,
            "margin": {"l": 70, "r": 20, "t": 60, "b": 60},
            "xaxis": {"title": {"text": "year"}},
            "yaxis": {"title": {"text": "probability (share of paths)"}, "range": [0, 1]},
        },
    }


def by_year_figure(
    years: Sequence[int], realigns: Sequence[float], hedges: Sequence[float], title: str
) -> Any:
    """The probability of realigning and of hedging, by year (one figure for points and draws)."""
    import plotly.graph_objects as go

    return go.Figure(by_year_spec(years, realigns, hedges, title))


def decomposition_spec(result: Any) -> dict[str, Any] | None:
    """The waterfall of what a full realignment must make up, by cause, as a plain Plotly figure
    specification (None when nothing, or with no courter: no full realignment to price)."""
    deco = {k: v for k, v in result.decomposition_value.items() if abs(v) > NEGLIGIBLE}
    if not deco or not result.courter:
        return None
    unit = (result.unit or "money").split(" (")[0]
    return {
        "data": [
            {
                "type": "waterfall",
                "x": [*deco, "what the package must make up"],
                "y": [*deco.values(), 0.0],
                "measure": ["relative"] * len(deco) + ["total"],
            }
        ],
        "layout": {
            "title": {
                "text": "What a full realignment must make up, by cause (value to the pivot)"
            },
            "height": 400,
            "margin": {"l": 70, "r": 20, "t": 60, "b": 90},
            "xaxis": {"title": {"text": "cause (positive adds to the price, negative lowers it)"}},
            "yaxis": {"title": {"text": f"value to the pivot ({unit}, present value)"}},
        },
    }


def decomposition_figure(result: Any) -> Any:
    """The waterfall of what a full realignment must make up, by cause (None when nothing)."""
    import plotly.graph_objects as go

    spec = decomposition_spec(result)
    return None if spec is None else go.Figure(spec)


def causes_spec(result: Any) -> dict[str, Any] | None:
    """What each cause adds to what the pivot must be given, for a full realignment and for a
    hedge (Shapley values), as a plain Plotly figure specification (None without Shapley values,
    or with no courter: no package to price)."""
    sh = getattr(result, "shapley", None)
    if not sh or not result.courter:
        return None
    unit = (result.unit or "money").split(" (")[0]
    groups = list(sh["groups"])
    return {
        "data": [
            {
                "type": "bar",
                "x": groups,
                "y": list(sh["realigns"]["need"]),
                "name": "full realignment",
            },
            {"type": "bar", "x": groups, "y": list(sh["hedges"]["need"]), "name": "hedge"},
        ],
        "layout": {
            "title": {
                "text": "What each cause adds to what the pivot must be given (Shapley values)"
            },
            "height": 400,
            "margin": {"l": 70, "r": 20, "t": 60, "b": 90},
            "xaxis": {"title": {"text": "cause"}},
            "yaxis": {"title": {"text": f"value to the pivot ({unit}, present value)"}},
        },
    }


def causes_figure(result: Any) -> Any:
    """What each cause adds to what the pivot must be given, for a full realignment and for a
    hedge (Shapley values: each cause's average effect of switching it on), or None when the
    result has no causal decomposition."""
    import plotly.graph_objects as go

    spec = causes_spec(result)
    return None if spec is None else go.Figure(spec)


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


def draws_specs(stats: Mapping[str, Mapping[str, Any]], result: Any) -> dict[str, Any]:
    """The by-year probabilities over the draws, as plain Plotly figure specifications."""
    realigns = _series(stats, "realigns_year_")
    if not realigns:
        return {}
    hedges = _series(stats, "hedges_year_")
    years = [(result.year or 0) + k for k in realigns]
    return {
        "by-year-draws": by_year_spec(
            years,
            list(realigns.values()),
            [hedges.get(k, float("nan")) for k in realigns],
            "Probability of each alignment by year, over the draws",
        )
    }


def draws_figures(stats: Mapping[str, Mapping[str, Any]], result: Any) -> dict[str, Any]:
    """The by-year probabilities over the draws."""
    import plotly.graph_objects as go

    return {name: go.Figure(spec) for name, spec in draws_specs(stats, result).items()}


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
