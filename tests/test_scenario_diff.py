"""What differs between two scenarios, by key path (hand-worked cases)."""

from __future__ import annotations

from realpolitik.scenario import load, loads
from realpolitik.scenario.diff import diff_scenarios

BASE = """
realpolitik: 1
name: base
description: one text
claims:
  C1: {text: a claim}
actors:
  - {id: A, size: 1}
  - {id: B, size: {value: 2, claims: [C1], note: a note}}
levers:
  - {id: x, by: A, to: B, value: 3, cost: 1}
"""


def test_identical_scenarios_and_prose_only_changes_have_no_differences():
    a = loads(BASE)
    assert diff_scenarios(a, a) == []
    b = loads(BASE.replace("one text", "another text").replace("a note", "other note"))
    assert diff_scenarios(a, b) == []


def test_numbers_ranges_settings_and_additions_by_key_path():
    a = loads(BASE)
    b = loads(
        BASE.replace(
            "size: {value: 2, claims",
            "size: {value: 2.5, dist: {kind: uniform, low: 2, high: 3}, claims",
        ).replace("value: 3, cost: 1}", "value: 3, cost: 1, binary: true}")
        + "  - {id: y, by: B, to: A, value: 1, cost: 1}\n"
    )
    got = {(c.kind, c.path): (c.old, c.new, c.claims) for c in diff_scenarios(a, b)}
    assert got == {
        ("number", "actors.B.size"): (2.0, 2.5, ("C1",)),
        ("range", "actors.B.size.dist"): (None, "kind=uniform, low=2.0, high=3.0", ("C1",)),
        ("setting", "levers.x.binary"): (False, True, ()),
        ("added", "levers.y.id"): (None, "y", ()),
        ("added", "levers.y.by"): (None, "B", ()),
        ("added", "levers.y.to"): (None, "A", ()),
        ("added", "levers.y.value"): (None, 1.0, ()),
        ("added", "levers.y.cost"): (None, 1.0, ()),
        ("added", "levers.y.extent.min"): (None, 0.0, ()),
        ("added", "levers.y.extent.max"): (None, 1.0, ()),
        ("added", "levers.y.binary"): (None, False, ()),
    }
    number = next(c for c in diff_scenarios(a, b) if c.kind == "number")
    assert number.delta == 0.5


def test_the_two_shipped_scenarios_share_the_realignment_block_paths():
    nixon, flagship = load("nixon-1972"), load("reverse-kissinger")
    numbers = {c.path: c for c in diff_scenarios(nixon, flagship) if c.kind == "number"}
    # role-neutral key paths line up across scenarios: the courter's valuation is comparable
    path = "realignment.courter_value.courter"
    assert (numbers[path].old, numbers[path].new) == (nixon.value(path), flagship.value(path))
