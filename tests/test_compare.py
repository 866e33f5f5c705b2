"""`realpolitik compare`: two answers side by side, and why an edit changed nothing."""

from __future__ import annotations

import pytest

from realpolitik.experiment.compare import compare_scenarios
from realpolitik.models.adapters.realignment_compare import Answer, compare_answers, why_unchanged
from realpolitik.report.compare import lines
from realpolitik.scenario import load
from realpolitik.scenario.diff import Change
from realpolitik.scenario.edit import apply_edits


def _answer(**overrides) -> Answer:
    base = dict(
        name="s",
        title="S",
        year=2025,
        unit="bn",
        pivot="P",
        incumbent="I",
        courter="C",
        outcome="stays",
        price=100.0,
        willingness_to_pay=50.0,
        retention_bid=10.0,
        margin=-50.0,
        price_hedge=20.0,
        willingness_to_pay_hedge=10.0,
        margin_hedge=-10.0,
        causes={"security": 80.0, "trade": 20.0},
        package={"cheap": 1.0, "dear": 0.0, "half": 0.5},
        levers_ignored=("elsewhere",),
    )
    base.update(overrides)
    return Answer(**base)


LEVERS = ["cheap", "dear", "half", "elsewhere"]


@pytest.mark.parametrize(
    "path, old, new, a, b, code",
    [
        # a lever the game does not use
        ("levers.elsewhere.value", 1.0, 2.0, {}, {}, "not_in_game"),
        # the cheapest package leaves the lever out, before and after
        ("levers.dear.cost", 5.0, 4.0, {}, {}, "not_in_package"),
        # the package uses 0.5 of a lever whose bound was 1: raising it to 2 binds nothing
        ("levers.half.extent.max", 1.0, 2.0, {}, {}, "bound_not_binding"),
        # no package buys the realignment before or after
        (
            "levers.cheap.value",
            1.0,
            2.0,
            {"price": None, "margin": None},
            {"price": None, "margin": None},
            "out_of_reach_not_in_hedge",
        ),
        # an input the model does not read at these values
        ("relations.A~B.components.trade", 0.1, 0.2, {}, {}, "no_effect"),
    ],
)
def test_why_an_edit_changed_nothing(path, old, new, a, b, code):
    reasons = why_unchanged([Change("number", path, old, new)], _answer(**a), _answer(**b), LEVERS)
    assert [(r.code, r.path) for r in reasons] == [(code, path)]


def test_out_of_reach_but_used_for_a_hedge():
    a = _answer(price=None, margin=None, hedge_package={"cheap": 0.3})
    change = Change("setting", "levers.cheap.commitment", "word", "treaty")
    (reason,) = why_unchanged([change], a, a, LEVERS)
    assert (reason.code, reason.detail["lever"]) == ("out_of_reach", "cheap")


def test_no_reasons_when_the_answer_moved():
    moved = _answer(price=90.0, margin=-40.0)
    assert (
        why_unchanged([Change("number", "levers.cheap.value", 1.0, 2.0)], _answer(), moved, LEVERS)
        == ()
    )
    assert why_unchanged([], _answer(), _answer(outcome="hedges"), LEVERS) == ()


def test_the_words_of_every_reason_fill_in():
    reasons = why_unchanged(
        [
            Change("number", "levers.elsewhere.value", 1.0, 2.0),
            Change("number", "levers.dear.cost", 5.0, 4.0),
            Change("number", "levers.half.extent.max", 1.0, 2.0),
        ],
        _answer(),
        _answer(),
        LEVERS,
    )
    flagship = load("reverse-kissinger")
    comparison = compare_answers(flagship, _answer(), flagship, _answer())
    comparison = type(comparison)(**{**comparison.__dict__, "reasons": reasons})
    text = "\n".join(lines(comparison))
    assert "Why the answer at the point values did not move:" in text
    assert "lever elsewhere is not one the realignment game uses" in text
    assert "the cheapest package does not use lever dear" in text
    assert "uses 0.50 of lever half, below its old bound 1" in text


@pytest.mark.slow
def test_an_edited_flagship_either_moves_the_answer_or_says_why_not():
    flagship = load("reverse-kissinger")
    for path, value in [
        ("levers.us-outreach-statement.cost", 1.0),
        ("levers.cn-credit.value", 20.0),
        ("relations.RUS~CHN.components.history", -0.3),
    ]:
        edited = apply_edits(flagship, {path: value})
        comparison = compare_scenarios(flagship, edited, draws=0)
        assert comparison.same_question
        numbers = [c for c in comparison.changes if c.kind == "number"]
        assert [c.path for c in numbers] == [path]
        if not comparison.answer_moved:
            assert [r.path for r in comparison.reasons] == [path]


@pytest.mark.slow
def test_nixon_against_reverse_kissinger_shows_the_contrast():
    comparison = compare_scenarios(load("nixon-1972"), load("reverse-kissinger"), draws=500)
    assert not comparison.same_question  # 1972: China is the pivot; 2025: Russia
    assert comparison.a.outcome != comparison.b.outcome
    assert comparison.a.realigns > comparison.b.realigns
    text = "\n".join(lines(comparison))
    assert "A: nixon-1972" in text and "B: reverse-kissinger" in text
    assert "What the package must make up, by cause" in text
    data = comparison.to_dict()
    assert data["a"]["name"] == "nixon-1972" and data["answer_moved"] is True
