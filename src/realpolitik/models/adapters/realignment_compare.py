"""The realignment model's comparison of two runs: how its answer moved, and why an edit changed
nothing.

Given each scenario's point result and its draws' statistics (run by
:func:`realpolitik.experiment.compare.compare_scenarios`, which finds this model through the
registry as the one answering the scenario's primary outcome), it lines them up: the inputs that
differ (:func:`realpolitik.scenario.diff.diff_scenarios`), the answer (outcome, P(realigns),
P(hedges)), the price and the willingness to pay of every payer, and every cause of the price.
When an edited input leaves the answer where it was, :func:`why_unchanged` says why, from the
results: the lever is not one the game uses, the cheapest package does not use it, its bound does
not bind, a full realignment stays out of reach, or the margin moved without changing sign.
Everything here is data; the sentences are in :mod:`realpolitik.report.compare`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from realpolitik.errors import ModelError
from realpolitik.models.registry import ComparedRun
from realpolitik.scenario.diff import Change, diff_scenarios
from realpolitik.scenario.model import Scenario

#: Differences smaller than this (in the scenario's money unit, or in probability) count as none.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Answer:
    """One scenario's answer, as the comparison needs it (all from the model's typed results).

    Money is in the scenario's unit (present value over the horizon); ``None`` where a price is
    out of reach or a probability was not computed (no draws).
    """

    name: str
    title: str
    year: int | None
    unit: str
    pivot: str
    incumbent: str
    courter: str
    outcome: str
    price: float | None
    willingness_to_pay: float
    retention_bid: float
    margin: float | None
    price_hedge: float | None
    willingness_to_pay_hedge: float
    margin_hedge: float | None
    causes: Mapping[str, float]
    package: Mapping[str, float]
    levers_ignored: tuple[str, ...]
    payers: Mapping[str, Mapping[str, float | None]] = field(default_factory=dict)
    hedge_package: Mapping[str, float] = field(default_factory=dict)
    draws: int = 0
    realigns: float | None = None
    realigns_interval: tuple[float, float] | None = None
    hedges: float | None = None
    hedges_interval: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "name": self.name,
            "title": self.title,
            "year": self.year,
            "unit": self.unit,
            "pivot": self.pivot,
            "incumbent": self.incumbent,
            "courter": self.courter,
            "outcome": self.outcome,
            "price": self.price,
            "willingness_to_pay": self.willingness_to_pay,
            "retention_bid": self.retention_bid,
            "margin": self.margin,
            "price_hedge": self.price_hedge,
            "willingness_to_pay_hedge": self.willingness_to_pay_hedge,
            "margin_hedge": self.margin_hedge,
            "causes": dict(self.causes),
            "package": dict(self.package),
            "levers_ignored": list(self.levers_ignored),
            "hedge_package": dict(self.hedge_package),
            "payers": {k: dict(v) for k, v in self.payers.items()},
            "draws": self.draws,
            "realigns": self.realigns,
            "realigns_interval": list(self.realigns_interval) if self.realigns_interval else None,
            "hedges": self.hedges,
            "hedges_interval": list(self.hedges_interval) if self.hedges_interval else None,
        }


@dataclass(frozen=True)
class Moved:
    """A quantity in A and in B (``None`` where undefined), and by how much it moved."""

    name: str
    a: float | None
    b: float | None

    @property
    def delta(self) -> float | None:
        """``b - a`` when both are defined."""
        if self.a is None or self.b is None:
            return None
        return self.b - self.a

    @property
    def moved(self) -> bool:
        """Whether it changed (including between defined and undefined)."""
        if (self.a is None) != (self.b is None):
            return True
        d = self.delta
        return d is not None and abs(d) > TOLERANCE

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"name": self.name, "a": self.a, "b": self.b, "delta": self.delta}


@dataclass(frozen=True)
class Reason:
    """Why an input that differs did not move the answer: a code and the numbers behind it.

    Codes: ``not_in_game`` (a lever the realignment game does not use), ``not_in_package`` (the
    cheapest package leaves the lever out), ``bound_not_binding`` (the package uses less of the
    lever than its old bound), ``out_of_reach`` (no package buys a full realignment before or
    after), ``out_of_reach_not_in_hedge`` (that, and the cheapest hedge package does not use the
    lever either), ``margin_kept_sign`` (the margin moved but not across zero), ``no_effect`` (no output
    of the model moved at these values: the input is not read by it, or not where it binds).
    """

    code: str
    path: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"code": self.code, "path": self.path, "detail": dict(self.detail)}


@dataclass(frozen=True)
class Comparison:
    """Scenario A against scenario B."""

    a: Answer
    b: Answer
    changes: tuple[Change, ...]
    answer: tuple[Moved, ...]
    payers: tuple[tuple[str, Moved, Moved], ...]
    causes: tuple[Moved, ...]
    reasons: tuple[Reason, ...]
    same_question: bool

    @property
    def answer_moved(self) -> bool:
        """Whether the outcome changed or any of the answer's numbers moved."""
        return self.a.outcome != self.b.outcome or any(m.moved for m in self.answer)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "same_question": self.same_question,
            "answer_moved": self.answer_moved,
            "changes": [c.to_dict() for c in self.changes],
            "answer": [m.to_dict() for m in self.answer],
            "payers": [
                {"payer": p, "price": price.to_dict(), "willingness_to_pay": wtp.to_dict()}
                for p, price, wtp in self.payers
            ],
            "causes": [m.to_dict() for m in self.causes],
            "reasons": [r.to_dict() for r in self.reasons],
        }


# ------------------------------------------------------------------------------------------------


def _number(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _payers(result: Any) -> dict[str, dict[str, float | None]]:
    """Price (cost borne) and willingness to pay per payer of the courting side, when the result
    reports them; else the courter's side as one payer."""
    per_payer = getattr(result, "payers", None)
    if per_payer:
        out: dict[str, dict[str, float | None]] = {}
        for name, row in dict(per_payer).items():
            row = dict(row)
            out[str(name)] = {
                "price": _number(row.get("price", row.get("cost"))),
                "willingness_to_pay": _number(row.get("willingness_to_pay")),
            }
        return out
    return {
        result.labels.get(result.courter, result.courter): {
            "price": _number(result.price),
            "willingness_to_pay": _number(result.willingness_to_pay),
        }
    }


def answer_of(
    scenario: Scenario, result: Any, statistics: Mapping[str, Any] | None, draws: int
) -> Answer:
    """The :class:`Answer` of ``scenario`` from its realignment result and draws' statistics."""
    stats = statistics or {}

    def mean(name: str) -> float | None:
        """The mean of output ``name`` over the draws, if computed."""
        s = stats.get(name)
        return None if not s else _number(s.get("mean"))

    def interval(name: str) -> tuple[float, float] | None:
        """Its 95% interval, if computed."""
        s = stats.get(name)
        if not s or s.get("low") is None or s.get("high") is None:
            return None
        return float(s["low"]), float(s["high"])

    return Answer(
        name=scenario.name,
        title=scenario.title,
        year=scenario.spec.year,
        unit=scenario.spec.unit,
        pivot=result.labels[result.pivot],
        incumbent=result.labels[result.incumbent],
        courter=result.labels[result.courter],
        outcome=result.outcome,
        price=_number(result.price),
        willingness_to_pay=float(result.willingness_to_pay),
        retention_bid=float(result.retention_bid),
        margin=_number(result.margin),
        price_hedge=_number(result.price_hedge),
        willingness_to_pay_hedge=float(result.willingness_to_pay_hedge),
        margin_hedge=_number(result.margin_hedge),
        causes={k: float(v) for k, v in result.decomposition_value.items()},
        package={k: float(v) for k, v in result.package.items()},
        levers_ignored=tuple(result.levers_ignored),
        payers=_payers(result),
        hedge_package={
            k: float(v) for k, v in dict(dict(result.hedge).get("package") or {}).items()
        },
        draws=draws,
        realigns=mean("realigns"),
        realigns_interval=interval("realigns"),
        hedges=mean("hedges"),
        hedges_interval=interval("hedges"),
    )


def _answer_moves(a: Answer, b: Answer) -> tuple[Moved, ...]:
    names = (
        "realigns",
        "hedges",
        "price",
        "willingness_to_pay",
        "margin",
        "retention_bid",
        "price_hedge",
        "willingness_to_pay_hedge",
        "margin_hedge",
    )
    return tuple(Moved(n, getattr(a, n), getattr(b, n)) for n in names)


def _cause_moves(a: Answer, b: Answer) -> tuple[Moved, ...]:
    names = list(dict.fromkeys([*a.causes, *b.causes]))
    moves = [Moved(n, a.causes.get(n), b.causes.get(n)) for n in names]
    moves = [m for m in moves if abs(m.a or 0.0) > TOLERANCE or abs(m.b or 0.0) > TOLERANCE]
    return tuple(sorted(moves, key=lambda m: -abs(m.delta or 0.0)))


def _payer_moves(a: Answer, b: Answer) -> tuple[tuple[str, Moved, Moved], ...]:
    names = list(dict.fromkeys([*a.payers, *b.payers]))
    out = []
    for name in names:
        pa, pb = a.payers.get(name, {}), b.payers.get(name, {})
        out.append(
            (
                name,
                Moved("price", pa.get("price"), pb.get("price")),
                Moved(
                    "willingness_to_pay", pa.get("willingness_to_pay"), pb.get("willingness_to_pay")
                ),
            )
        )
    return tuple(out)


def _lever_of(path: str, levers: Sequence[str]) -> tuple[str, str] | None:
    for lever in sorted(levers, key=len, reverse=True):
        prefix = f"levers.{lever}."
        if path.startswith(prefix):
            return lever, path[len(prefix) :]
    return None


#: The answer at the point values: what a single run of the model gives.
POINT_ANSWER = (
    "price",
    "willingness_to_pay",
    "margin",
    "retention_bid",
    "price_hedge",
    "willingness_to_pay_hedge",
    "margin_hedge",
)


def point_answer_moved(a: Answer, b: Answer) -> bool:
    """Whether the outcome or any number of the answer at the point values changed."""
    return a.outcome != b.outcome or any(
        Moved(n, getattr(a, n), getattr(b, n)).moved for n in POINT_ANSWER
    )


def why_unchanged(
    changes: Sequence[Change], a: Answer, b: Answer, levers: Sequence[str]
) -> tuple[Reason, ...]:
    """For each input that differs, why the answer at the point values did not move (empty when
    it moved; the probabilities over the draws may still move, and are reported beside).

    The reasons are read off the two results: which levers the game uses (``levers_ignored``),
    the cheapest package's extent of each lever, whether a full realignment is within reach, and
    the margins.
    """
    if point_answer_moved(a, b):
        return ()
    reasons: list[Reason] = []
    for change in changes:
        if change.kind == "range":
            continue  # ranges move the draws, reported with the probabilities
        lever = _lever_of(change.path, levers)
        if lever is not None:
            lever_id, field_name = lever
            if lever_id in a.levers_ignored or lever_id in b.levers_ignored:
                reasons.append(Reason("not_in_game", change.path, {"lever": lever_id}))
                continue
            used_a, used_b = a.package.get(lever_id, 0.0), b.package.get(lever_id, 0.0)
            if a.price is None and b.price is None:
                in_hedge = max(
                    a.hedge_package.get(lever_id, 0.0), b.hedge_package.get(lever_id, 0.0)
                )
                reasons.append(
                    Reason(
                        "out_of_reach" if in_hedge > TOLERANCE else "out_of_reach_not_in_hedge",
                        change.path,
                        {"lever": lever_id, "willingness_to_pay": b.willingness_to_pay},
                    )
                )
                continue
            if used_a <= TOLERANCE and used_b <= TOLERANCE:
                reasons.append(Reason("not_in_package", change.path, {"lever": lever_id}))
                continue
            if field_name == "extent.max" and isinstance(change.old, float):
                if max(used_a, used_b) < change.old - TOLERANCE:
                    reasons.append(
                        Reason(
                            "bound_not_binding",
                            change.path,
                            {"lever": lever_id, "used": max(used_a, used_b), "bound": change.old},
                        )
                    )
                    continue
        if a.price is None and b.price is None and a.outcome == b.outcome:
            reasons.append(
                Reason("out_of_reach", change.path, {"willingness_to_pay": b.willingness_to_pay})
            )
            continue
        reasons.append(Reason("no_effect", change.path, {}))
    if not reasons and changes and a.margin is not None and b.margin is not None:
        reasons.append(Reason("margin_kept_sign", "", {"a": a.margin, "b": b.margin}))
    return tuple(reasons)


def compare_answers(
    scenario_a: Scenario, answer_a: Answer, scenario_b: Scenario, answer_b: Answer
) -> Comparison:
    """Line up two answers (already computed) and the inputs that differ."""
    changes = tuple(diff_scenarios(scenario_a, scenario_b))
    levers = [lv.id for lv in (*scenario_a.spec.levers, *scenario_b.spec.levers)]
    ra, rb = scenario_a.spec.realignment, scenario_b.spec.realignment
    same_question = (
        ra is not None
        and rb is not None
        and (ra.pivot, ra.incumbent, ra.courter) == (rb.pivot, rb.incumbent, rb.courter)
    )
    reasons = why_unchanged(changes, answer_a, answer_b, levers) if same_question else ()
    return Comparison(
        a=answer_a,
        b=answer_b,
        changes=changes,
        answer=_answer_moves(answer_a, answer_b),
        payers=_payer_moves(answer_a, answer_b),
        causes=_cause_moves(answer_a, answer_b),
        reasons=reasons,
        same_question=same_question,
    )


def compare_runs(a: ComparedRun, b: ComparedRun) -> Comparison:
    """The registry's ``compare`` of the realignment model: each run's :class:`Answer`, lined up.

    Raises
    ------
    ModelError
        When either scenario has no realignment question.
    """
    for run in (a, b):
        if run.scenario.spec.realignment is None:
            raise ModelError(
                f"scenario {run.scenario.name!r} has no realignment question to compare"
            )
    answer_a = answer_of(a.scenario, a.result, a.statistics, a.draws)
    answer_b = answer_of(b.scenario, b.result, b.statistics, b.draws)
    return compare_answers(a.scenario, answer_a, b.scenario, answer_b)
