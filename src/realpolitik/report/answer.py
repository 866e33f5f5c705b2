"""The answer first: the question, the answer in one sentence with its probability, and the price
against what each payer would pay, for the report and the dashboard alike.

Everything here reads a realignment result (:class:`~realpolitik.models.adapters.realignment.
RealignmentResult`) and, with draws, the statistics of its outputs (``stats[name]`` with ``mean``,
``low``, ``high``); nothing is computed that the model did not return.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from realpolitik.report.format import money

#: The words a reader needs to follow the answer.
GLOSSARY: tuple[tuple[str, str], ...] = (
    ("pivot", "the actor being fought over (Russia in 2025, China in 1972)"),
    ("incumbent", "the pivot's current partner, which bids to keep it"),
    ("courter", "the side that bids to pull the pivot away"),
    (
        "hedge",
        "a half-way move: the pivot keeps its partner but opens to the courter (the model's "
        "middle option)",
    ),
    (
        "price",
        "what the cheapest package of the courter's levers that makes the pivot move costs the "
        "courter's side, present value over the horizon; out of reach when no package within the "
        "levers' bounds is enough",
    ),
    (
        "willingness to pay",
        "the most the courting side would spend for the move: its own valuation of it",
    ),
    ("margin", "willingness to pay minus price: positive means the courter can afford the move"),
    (
        "retention bid",
        "the most the incumbent can offer, through its levers, to keep the pivot",
    ),
    ("P(realigns)", "the share of draws of the uncertain numbers in which the pivot realigns"),
)

OUTCOME_WORDS = {
    "stays": "{pivot} stays with {incumbent}",
    "hedges": "{pivot} hedges between {incumbent} and {courter}",
    "realigns": "{pivot} aligns with {courter}",
    "exits": "{pivot} leaves without joining anyone",
}


def short_unit(unit: str | None) -> str:
    """The unit without its parenthesised notes, for axis titles ("US$ bn per year").

    >>> short_unit("US$ bn per year (2024 US dollars; one-off costs in US$ bn)")
    'US$ bn per year'
    """
    return (unit or "money").split(" (")[0].strip() or "money"


def _outcome(result: Any) -> str:
    """The outcome's name; without a courter the middle option is the pivot's exit ("exits")."""
    if not result.courter and result.outcome == "hedges":
        return "exits"
    return str(result.outcome)


def outcome_phrase(result: Any) -> str:
    """What the pivot does at the point values, in words."""
    label = result.labels
    outcome = _outcome(result)
    template = OUTCOME_WORDS.get(outcome, "{pivot}: " + outcome)
    return template.format(
        pivot=label[result.pivot],
        incumbent=label[result.incumbent],
        courter=label.get(result.courter, result.courter),
    )


def question(result: Any) -> str:
    """The question the realignment model answers, in words (without a courter: whether the
    pivot leaves its partner without joining anyone, and what keeping it takes)."""
    label = result.labels
    pivot, incumbent = label[result.pivot], label[result.incumbent]
    if not result.courter:
        return (
            f"The question: would {pivot} leave {incumbent} without joining anyone (no courter "
            f"bids for it), and can {incumbent} keep it?"
        )
    return (
        f"The question: would {pivot} leave {incumbent} for "
        f"{label[result.courter]}, and what would it cost {label[result.courter]}'s side?"
    )


def _p(stats: Mapping[str, Any] | None, name: str) -> Mapping[str, Any] | None:
    if not stats:
        return None
    s = stats.get(name)
    return s if s and s.get("mean") is not None else None


def answer_sentence(
    result: Any, stats: Mapping[str, Any] | None = None, draws: int | None = None
) -> str:
    """The answer in one sentence: yes or no, what the pivot does, and P(realigns) with its
    interval over the draws (when there are draws)."""
    realigns = _p(stats, "realigns")
    verdict = {"realigns": "Yes", "hedges": "Partly", "stays": "No", "exits": "Yes"}.get(
        _outcome(result), "No"
    )
    text = f"{verdict}: at the point values, {outcome_phrase(result)}"
    leaves = _p(stats, "hedges") if not result.courter else None
    if leaves is not None:  # without a courter, leaving is the middle option
        n = f" {draws:,}" if draws else ""
        text += (
            f"; over{n} draws of the uncertain numbers, P(leaves) = {leaves['mean']:.3f} "
            f"(95% interval {leaves['low']:.3f} to {leaves['high']:.3f})"
        )
    elif realigns is not None:
        n = f" {draws:,}" if draws else ""
        text += (
            f"; over{n} draws of the uncertain numbers, P(realigns) = {realigns['mean']:.3f} "
            f"(95% interval {realigns['low']:.3f} to {realigns['high']:.3f})"
        )
        hedges = _p(stats, "hedges")
        if hedges is not None:
            text += f" and P(hedges) = {hedges['mean']:.3f}"
    return text + "."


def price_sentence(result: Any) -> str:
    """The price of a full realignment against the courter's willingness to pay, in words."""
    label = result.labels
    if not result.courter:
        pivot, incumbent = label[result.pivot], label[result.incumbent]
        return (
            f"No courter: nobody offers {pivot} a package. Leaving is worth "
            f"{money(result.option_values['hedges'])} to {pivot} before any counter (present "
            f"value against staying); {incumbent}'s retention bid against that exit is "
            f"{money(result.hedge.get('retention_bid'))}."
        )
    courter = label[result.courter]
    if result.price is None:
        return (
            f"No package within the levers' bounds buys a full realignment; {courter}'s side "
            f"would pay up to {money(result.willingness_to_pay)}. A hedge costs "
            f"{money(result.price_hedge)} against {money(result.willingness_to_pay_hedge)} "
            f"(margin {money(result.margin_hedge)})."
        )
    return (
        f"A full realignment costs {courter}'s side {money(result.price)} against a willingness "
        f"to pay of {money(result.willingness_to_pay)} (margin {money(result.margin)})."
    )


def _payer_rows(result: Any) -> list[tuple[str, float | None, float, float | None, float]]:
    """(payer, price, willingness to pay, hedge price, hedge willingness) per payer."""
    payers = getattr(result, "payers", None)
    if payers:
        rows = []
        for name, row in dict(payers).items():
            row = dict(row)
            rows.append(
                (
                    str(result.labels.get(name, name)),
                    row.get("price"),
                    float(row.get("willingness_to_pay") or 0.0),
                    row.get("price_hedge"),
                    float(row.get("willingness_to_pay_hedge") or 0.0),
                )
            )
        return rows
    return [
        (
            f"{result.labels[result.courter]}'s side",
            result.price,
            float(result.willingness_to_pay),
            result.price_hedge,
            float(result.willingness_to_pay_hedge),
        )
    ]


def price_spec(result: Any) -> dict[str, Any] | None:
    """Price against willingness to pay, for a full realignment and for a hedge, per payer, with
    the gap (the margin) written above each pair; a price out of reach is marked as such.

    A plain Plotly figure specification (``{"data": [...], "layout": {...}}``): the dashboard
    sends it as it is; :func:`price_figure` wraps it for the report and static export. None
    without a courter: nobody offers a package, so there is no price to draw.
    """
    if not result.courter:
        return None
    unit = short_unit(result.unit)
    categories: list[str] = []
    prices: list[float | None] = []
    pays: list[float] = []
    for payer, price, wtp, price_h, wtp_h in _payer_rows(result):
        for target, p, w in (("full realignment", price, wtp), ("hedge", price_h, wtp_h)):
            categories.append(f"{target}<br>{payer}")
            prices.append(p)
            pays.append(w)
    annotations = []
    for cat, p, w in zip(categories, prices, pays, strict=True):
        if p is None:
            text = "price out of reach: no package<br>within the levers' bounds"
        else:
            gap = w - p
            text = f"gap {gap:+,.1f} ({'affordable' if gap >= 0 else 'short'})"
        annotations.append(
            {"x": cat, "y": max(w, p or 0.0), "text": text, "showarrow": False, "yshift": 42}
        )
    top = max([*pays, *[p for p in prices if p is not None], 1.0])
    return {
        "data": [
            {
                "type": "bar",
                "x": categories,
                "y": [p if p is not None else 0.0 for p in prices],
                "name": "price (cost of the cheapest package)",
                "marker": {"color": "#c0392b"},
                "text": [money(p) for p in prices],
                "textposition": "outside",
            },
            {
                "type": "bar",
                "x": categories,
                "y": pays,
                "name": "willingness to pay",
                "marker": {"color": "#3b8b4a"},
                "text": [money(w) for w in pays],
                "textposition": "outside",
            },
        ],
        "layout": {
            "title": {"text": "Price against willingness to pay (the gap is the answer)"},
            "barmode": "group",
            "height": 420,
            "margin": {"l": 70, "r": 20, "t": 60, "b": 70},
            "xaxis": {"title": {"text": "what the courter buys, and who pays"}},
            "yaxis": {
                "title": {"text": f"{unit}, present value over the horizon"},
                "range": [0, top * 1.35],
            },
            "legend": {"orientation": "h", "y": -0.25},
            "annotations": annotations,
        },
    }


def price_figure(result: Any) -> Any:
    """:func:`price_spec` as a Plotly figure (for the HTML report and static export); None
    without a courter."""
    import plotly.graph_objects as go

    spec = price_spec(result)
    return None if spec is None else go.Figure(spec)


def willingness_marks(result: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dashed line across a figure at the courter's willingness to pay, and its label."""
    y = float(result.willingness_to_pay)
    line = {
        "type": "line",
        "xref": "paper",
        "x0": 0,
        "x1": 1,
        "yref": "y",
        "y0": y,
        "y1": y,
        "line": {"dash": "dash", "color": "#3b8b4a", "width": 2},
    }
    label = {
        "xref": "paper",
        "x": 0,
        "xanchor": "left",
        "yref": "y",
        "y": y,
        "yanchor": "bottom",
        "showarrow": False,
        "text": (
            f"{result.labels[result.courter]}'s willingness to pay "
            f"{money(result.willingness_to_pay)} (its own cost)"
        ),
        "font": {"color": "#3b8b4a"},
    }
    return line, label


def with_willingness_line(fig: Any, result: Any) -> Any:
    """The decomposition waterfall (a figure or its specification) with the courter's willingness
    to pay drawn across it, so the gap between what the package must make up and what the courter
    would pay is visible."""
    line, label = willingness_marks(result)
    if isinstance(fig, dict):
        layout = fig.setdefault("layout", {})
        layout["shapes"] = [*layout.get("shapes", []), line]
        layout["annotations"] = [*layout.get("annotations", []), label]
        return fig
    fig.add_shape(line)
    fig.add_annotation(label)
    return fig
