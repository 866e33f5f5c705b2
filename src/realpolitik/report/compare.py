"""The words of a comparison of two scenarios (:mod:`realpolitik.experiment.compare`, lined up by
:mod:`realpolitik.models.adapters.realignment_compare`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from realpolitik.report.format import money

#: Inputs listed one by one before the rest are counted by block.
MAX_LISTED_CHANGES = 25
#: Causes listed.
MAX_CAUSES = 12

OUTCOME_WORDS = {
    "stays": "{pivot} stays with {incumbent}",
    "hedges": "{pivot} hedges",
    "realigns": "{pivot} aligns with {courter}",
    "exits": "{pivot} leaves without joining anyone",
}


def outcome_text(answer: Any) -> str:
    """What the pivot does, in words."""
    template = OUTCOME_WORDS.get(answer.outcome, "{pivot}: " + answer.outcome)
    return template.format(pivot=answer.pivot, incumbent=answer.incumbent, courter=answer.courter)


def _value(x: Any) -> str:
    if x is None:
        return "(absent)"
    if isinstance(x, float):
        return f"{x:,.4g}"
    if isinstance(x, tuple):
        return ", ".join(str(v) for v in x)
    return str(x)


def _probability(p: float | None, interval: tuple[float, float] | None) -> str:
    if p is None:
        return "(no draws)"
    if interval is None:
        return f"{p:.3f}"
    return f"{p:.3f} ({interval[0]:.3f} to {interval[1]:.3f})"


def _delta(d: float | None) -> str:
    return "" if d is None or abs(d) < 1e-9 else f"{d:+,.1f}"


def change_lines(comparison: Any) -> list[str]:
    """The inputs that differ: the first ones listed, the rest counted by block."""
    changes = comparison.changes
    if not changes:
        return ["The two scenarios have the same inputs (prose aside)."]
    kinds = Counter(c.kind for c in changes)
    out = [
        "Inputs that differ: "
        + ", ".join(
            f"{kinds[k]} {label}"
            for k, label in (
                ("number", "numbers"),
                ("range", "ranges"),
                ("setting", "settings"),
                ("removed", "only in A"),
                ("added", "only in B"),
            )
            if kinds[k]
        )
        + "."
    ]
    order = ("realignment.", "levers.", "commitments.")

    def rank(path: str) -> int:
        """Realignment inputs first, then levers, then commitments, then the rest."""
        return next((i for i, p in enumerate(order) if path.startswith(p)), len(order))

    shown = sorted(
        (c for c in changes if c.kind in ("number", "setting")), key=lambda c: rank(c.path)
    )
    for c in shown[:MAX_LISTED_CHANGES]:
        claims = f"  [{', '.join(c.claims)}]" if c.claims else ""
        out.append(f"  {c.path}{claims}: {_value(c.old)} -> {_value(c.new)}")
    if len(shown) > MAX_LISTED_CHANGES:
        out.append(f"  ... and {len(shown) - MAX_LISTED_CHANGES} more numbers and settings")
    only = [c for c in changes if c.kind in ("added", "removed")]
    if only:
        blocks = Counter((c.kind, c.path.split(".", 1)[0]) for c in only)
        out.append(
            "  Present in one only: "
            + "; ".join(
                f"{n} {block} input(s) only in {'A' if kind == 'removed' else 'B'}"
                for (kind, block), n in sorted(blocks.items())
            )
        )
    return out


def answer_lines(comparison: Any) -> list[str]:
    """The answer side by side: outcome, probabilities, prices and margins."""
    a, b = comparison.a, comparison.b
    width, col = 30, max(24, len(outcome_text(a)) + 2, len(outcome_text(b)) + 2)
    out = [
        f"{'':<{width}} {'A: ' + a.name:<{col}} {'B: ' + b.name:<{col}}",
        f"{'what the pivot does':<{width}} {outcome_text(a):<{col}} {outcome_text(b):<{col}}",
        f"{'P(realigns) (95% interval)':<{width}} "
        f"{_probability(a.realigns, a.realigns_interval):<{col}} "
        f"{_probability(b.realigns, b.realigns_interval):<{col}}",
        f"{'P(hedges)':<{width}} {_probability(a.hedges, a.hedges_interval):<{col}} "
        f"{_probability(b.hedges, b.hedges_interval):<{col}}",
    ]
    rows = (
        ("price", "price of a full realignment"),
        ("willingness_to_pay", "courter's willingness to pay"),
        ("margin", "margin (pay - price)"),
        ("retention_bid", "incumbent's retention bid"),
        ("price_hedge", "price of a hedge"),
        ("margin_hedge", "margin of a hedge"),
    )
    moved = {m.name: m for m in comparison.answer}
    for key, label in rows:
        m = moved[key]
        out.append(
            f"{label:<{width}} {money(m.a):<{col}} {money(m.b):<{col}} {_delta(m.delta)}".rstrip()
        )
    if a.unit != b.unit:
        out.append(f"(units: A in {a.unit}; B in {b.unit})")
    else:
        out.append(f"(money in {a.unit}, present value over the horizon)")
    return out


def payer_lines(comparison: Any) -> list[str]:
    """Price and willingness to pay of each payer on the courting side."""
    out = ["Price against willingness to pay, per payer of the courting side (A -> B):"]
    for payer, price, wtp in comparison.payers:
        out.append(
            f"  {payer:<20} price {money(price.a)} -> {money(price.b)};  "
            f"willingness to pay {money(wtp.a)} -> {money(wtp.b)}"
        )
    return out


def cause_lines(comparison: Any) -> list[str]:
    """Each cause of the price, largest move first."""
    if not comparison.causes:
        return []
    out = ["What the package must make up, by cause (A -> B, largest move first):"]
    for m in comparison.causes[:MAX_CAUSES]:
        a_text = "-" if m.a is None else money(m.a)
        b_text = "-" if m.b is None else money(m.b)
        out.append(f"  {m.name:<22} {a_text:>10} -> {b_text:>10}  {_delta(m.delta)}".rstrip())
    return out


REASON_WORDS = {
    "not_in_game": "lever {lever} is not one the realignment game uses (not offered to the pivot "
    "by either side), so no number of it can move the answer",
    "not_in_package": "the cheapest package does not use lever {lever}, before or after the "
    "change: cheaper levers buy the same value",
    "bound_not_binding": "the cheapest package uses {used:.2f} of lever {lever}, below its old "
    "bound {bound:g}: the bound does not bind, so raising it changes nothing",
    "out_of_reach": "no package within the levers' bounds buys a full realignment, before or "
    "after the change: the price stays out of reach (the courter would pay "
    "{willingness_to_pay:,.1f})",
    "out_of_reach_not_in_hedge": "no package within the levers' bounds buys a full realignment, "
    "before or after the change (the courter would pay {willingness_to_pay:,.1f}), and the "
    "cheapest package for a hedge does not use lever {lever} either",
    "margin_kept_sign": "the margin moved from {a:,.1f} to {b:,.1f} without crossing zero",
    "no_effect": "no output of the realignment model moved: the realignment model does not read "
    "this number, or it does not bind at these values",
}


def reason_lines(comparison: Any) -> list[str]:
    """Why an edit left the answer where it was."""
    if not comparison.reasons:
        return []
    out = ["Why the answer at the point values did not move:"]
    for r in comparison.reasons:
        text = REASON_WORDS[r.code].format(**r.detail)
        out.append(f"  - {r.path + ': ' if r.path else ''}{text}")
    return out


def lines(comparison: Any) -> list[str]:
    """The whole comparison, as printed by ``realpolitik compare``."""
    a, b = comparison.a, comparison.b
    out = [
        f"A: {a.title} ({a.name}{', ' + str(a.year) if a.year else ''})",
        f"B: {b.title} ({b.name}{', ' + str(b.year) if b.year else ''})",
    ]
    if a.draws:
        out.append(f"Probabilities over {a.draws:,} draws of each scenario's uncertain numbers.")
    out.append("")
    out += change_lines(comparison)
    out.append("")
    out += answer_lines(comparison)
    if not comparison.same_question:
        out.append(
            f"(Different questions: A asks whether {a.pivot} leaves {a.incumbent} for "
            f"{a.courter}; B whether {b.pivot} leaves {b.incumbent} for {b.courter}. The "
            "realignment block's key paths name roles, so its numbers line up.)"
        )
    out.append("")
    out += payer_lines(comparison)
    causes = cause_lines(comparison)
    if causes:
        out.append("")
        out += causes
    reasons = reason_lines(comparison)
    if reasons:
        out.append("")
        out += reasons
    elif comparison.same_question and not comparison.answer_moved and comparison.changes:
        out.append("")
        out.append("The answer did not move.")
    if comparison.same_question and comparison.reasons and comparison.answer_moved:
        out.append(
            "(The probabilities over the draws moved: the edit matters in some draws, though not "
            "at the point values.)"
        )
    return out
