"""Editing a scenario's numbers within their ranges, and exporting the edit as a valid file."""

from __future__ import annotations

import pytest
import yaml

from realpolitik.errors import ScenarioError
from realpolitik.scenario import load, loads
from realpolitik.scenario.diff import diff_scenarios
from realpolitik.scenario.edit import (
    CHANGED_MARK,
    apply_edits,
    commitment_choices,
    editable_numbers,
    edited_yaml,
)

SMALL = """
realpolitik: 1
name: small
claims:
  C1: {text: a claim}
actors:
  - {id: A, size: 1}
  - {id: B, size: 1}
  - {id: P, size: 1}
commitments:
  - {id: word, annual_repudiation: 0.2, successor_repudiation: 0.8}
  - {id: treaty, annual_repudiation: 0.01, successor_repudiation: 0.1}
  - {id: b-word, annual_repudiation: 0.1, successor_repudiation: 0.5}
levers:
  - id: offer
    by: A
    to: P
    value: {value: 10, dist: {kind: triangular, low: 5, mode: 10, high: 20}}
    cost: 4
    commitment: word
  - id: counter
    by: B
    to: P
    value: 3
    cost: 1
    commitment: b-word
relations:
  - between: [A, P]
    components:
      trade: {value: 0.5, claims: [C1], dist: {kind: uniform, low: 0.2, high: 0.8}}
      threat: {value: -0.3, claims: [C1]}
uncertainties:
  - {path: levers.counter.cost, dist: {kind: uniform, low: 0.5, high: 2}}
correlations:
  - {paths: [levers.offer.value, levers.counter.cost], rho: 0.5}
realignment:
  pivot: P
  incumbent: B
  courter: A
  horizon: 10
  discount_rate: 0.05
  trade:
    with_incumbent: 10
    gains_share: 0.3
    retaliation: {hedge: 0.1, courter: 0.5}
    replacement_capacity: {hedge: 1, courter: 2}
  switching_cost: {hedge: 1, courter: 5}
  courter_value: {hedge: 2, courter: 10}
  incumbent_value: {hedge: 2, courter: 10}
"""


@pytest.fixture
def small():
    return loads(SMALL, file="small.yaml")


def test_editable_numbers_are_levers_and_claim_tagged_numbers_with_their_ranges(small):
    by_path = {n.path: n for n in editable_numbers(small)}
    # lever numbers: from the distribution (inline or in `uncertainties:`), or 0..2x when fixed
    assert (by_path["levers.offer.value"].low, by_path["levers.offer.value"].high) == (5, 20)
    assert (by_path["levers.offer.cost"].low, by_path["levers.offer.cost"].high) == (0, 8)
    assert (by_path["levers.counter.cost"].low, by_path["levers.counter.cost"].high) == (0.5, 2)
    # a claim-tagged number with a range; a claim-tagged fixed number outside levers is not editable
    trade = by_path["relations.A~P.components.trade"]
    assert (trade.low, trade.high, trade.claims) == (0.2, 0.8, ("C1",))
    assert "relations.A~P.components.threat" not in by_path
    # numbers neither in a lever nor tagged with a claim are not offered
    assert "realignment.horizon" not in by_path


def test_commitment_choices_keep_each_side_to_its_own_forms(small):
    choices = {c.lever: c for c in commitment_choices(small)}
    # the courter may use its own form and the free one, never the incumbent's
    assert choices["offer"].options == ("word", "treaty")
    # the incumbent has a single form: no choice to offer
    assert "counter" not in choices


def test_apply_edits_fixes_the_number_and_keeps_the_old_value_in_the_note(small):
    edited = apply_edits(small, {"levers.offer.value": 15.0, "levers.counter.cost": 2.0})
    q = edited.quantity("levers.offer.value")
    assert q.value == 15.0 and q.dist is None
    assert q.note.startswith(f"{CHANGED_MARK}: value 10 -> 15.")
    assert "triangular" in q.note
    # the `uncertainties:` entry and the correlation naming an edited number are gone
    assert {u.path for u in edited.uncertainties()} == {"relations.A~P.components.trade"}
    assert edited.spec.correlations == ()
    assert "uniform" in edited.quantity("levers.counter.cost").note
    # unchanged numbers are untouched
    assert edited.quantity("levers.offer.cost") == small.quantity("levers.offer.cost")


def test_an_edit_to_the_same_value_changes_nothing(small):
    edited = apply_edits(small, {"levers.offer.value": 10.0})
    assert edited.content_hash == small.content_hash


def test_commitment_edit(small):
    edited = apply_edits(small, {"levers.offer.commitment": "treaty"})
    lever = edited.spec.levers[0]
    assert lever.commitment == "treaty"
    assert lever.description.startswith(f"{CHANGED_MARK}: commitment word -> treaty.")


@pytest.mark.parametrize(
    "edits, where",
    [
        ({"levers.offer.value": 25.0}, "outside the number's stated range"),
        ({"levers.offer.value": float("nan")}, "outside the number's stated range"),
        ({"levers.offer.value": "12"}, "not a number"),
        ({"levers.offer.value": True}, "not a number"),
        ({"realignment.horizon": 5.0}, "not an editable number"),
        ({"../../etc/passwd": 1.0}, "not an editable number"),
        ({"levers.offer.commitment": "b-word"}, "not a commitment form"),
    ],
)
def test_bad_edits_are_scenario_errors_naming_the_path(small, edits, where):
    with pytest.raises(ScenarioError) as info:
        apply_edits(small, edits)
    (problem,) = info.value.problems
    assert where in problem.message
    assert problem.path == next(iter(edits))


def test_exported_yaml_loads_and_diff_shows_exactly_the_edit(small):
    text = edited_yaml(small, {"levers.offer.value": 15.0, "levers.offer.commitment": "treaty"})
    assert text.startswith("# Edited from small")
    again = loads(text, file="edited.yaml")
    changes = {(c.kind, c.path): (c.old, c.new) for c in diff_scenarios(small, again)}
    assert changes == {
        ("number", "levers.offer.value"): (10.0, 15.0),
        ("range", "levers.offer.value.dist"): (
            "kind=triangular, low=5.0, high=20.0, mode=10.0",
            None,
        ),
        ("setting", "levers.offer.commitment"): ("word", "treaty"),
        # the correlation naming the edited (now fixed) number goes with its range
        ("removed", "correlations.levers.offer.value|levers.counter.cost.paths"): (
            ("levers.offer.value", "levers.counter.cost"),
            None,
        ),
        ("removed", "correlations.levers.offer.value|levers.counter.cost.rho"): (0.5, None),
    }
    assert yaml.safe_load(text)["name"] == "small"


def test_flagship_export_is_valid(tmp_path):
    flagship = load("reverse-kissinger")
    edits = {n.path: n.high for n in editable_numbers(flagship)[:5]}
    path = tmp_path / "edited.yaml"
    path.write_text(edited_yaml(flagship, edits), encoding="utf-8")
    assert load(str(path)).name == "reverse-kissinger"
