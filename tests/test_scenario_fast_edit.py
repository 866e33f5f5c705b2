"""The fast path of a number edit (only the edited node re-validated) against the full rebuild.

For random edits of every example, valid and invalid, :func:`apply_edits` (which takes the fast
path when it can) and the full rebuild from plain data (:func:`edited_data` then
:func:`from_dict`, the path before the fast one existed) give equal scenarios or the same error
text.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario import load, loads
from realpolitik.scenario.edit import apply_edits, editable_numbers, edited_data
from realpolitik.scenario.examples import list_examples
from realpolitik.scenario.fast_edit import edited_numbers
from realpolitik.scenario.load import from_dict
from realpolitik.scenario.model import Scenario

# a scenario whose slider ranges reach values the cross-field rules refuse
RULES = """
realpolitik: 1
name: rules
claims:
  C1: {text: a claim}
actors:
  - {id: A, size: {value: 1, claims: C1, dist: {kind: normal, mean: 1, sd: 1}}}
  - {id: P, size: 1}
commitments:
  - id: word
    annual_repudiation: {value: 0.5, claims: C1, dist: {kind: normal, mean: 0.5, sd: 0.3}}
    successor_repudiation: 0.8
levers:
  - id: offer
    by: A
    to: P
    value: {value: 10, dist: {kind: triangular, low: 5, mode: 10, high: 20}}
    cost: 4
    commitment: word
uncertainties:
  - {path: levers.offer.cost, dist: {kind: uniform, low: 2, high: 6}}
correlations:
  - {paths: [levers.offer.value, levers.offer.cost], rho: 0.5}
"""


def _full(scenario: Scenario, edits: dict[str, Any]) -> Scenario:
    """The edited scenario rebuilt from plain data and validated in full (the reference)."""
    if not edits:
        return scenario
    return from_dict(edited_data(scenario, edits), file=f"{scenario.file} (edited)")


def _outcome(build: Any, scenario: Scenario, edits: dict[str, Any]) -> Any:
    try:
        return build(scenario, edits)
    except ScenarioError as exc:
        return ("error", str(exc))


def _random_edits(scenario: Scenario, rng: random.Random) -> dict[str, Any]:
    numbers = editable_numbers(scenario)
    edits: dict[str, Any] = {}
    for n in rng.sample(numbers, min(len(numbers), rng.randint(1, 3))):
        kind = rng.random()
        if kind < 0.7:
            edits[n.path] = n.low + (n.high - n.low) * rng.random()
        elif kind < 0.8:
            edits[n.path] = rng.choice([n.low, n.high, n.value])
        elif kind < 0.9:
            edits[n.path] = n.high + abs(n.high - n.low) + 1.0  # out of range
        else:
            edits[n.path + ".nothing"] = 1.0  # not an editable number
    return edits


def _assert_same(a: Any, b: Any) -> None:
    assert type(a) is type(b)
    if isinstance(a, Scenario):
        assert a == b  # spec and file
        assert a.to_dict() == b.to_dict()
        # the index the fast path hands over is the one walking the new spec finds
        assert list(a._quantity_index.items()) == [(r.path, r) for r in a.quantities()]
        assert list(a._quantity_index) == list(b._quantity_index)
    else:
        assert a == b


CASES = [*sorted(list_examples().items()), ("rules", None)]


@pytest.mark.parametrize("name, path", CASES, ids=[c[0] for c in CASES])
def test_fast_and_full_paths_agree_on_random_edits(name, path):
    scenario = load(str(path)) if path is not None else loads(RULES, file="rules.yaml")
    rng = random.Random(name)
    for _ in range(25):
        edits = _random_edits(scenario, rng)
        _assert_same(_outcome(apply_edits, scenario, edits), _outcome(_full, scenario, edits))


@pytest.mark.parametrize(
    "edits, where, message",
    [
        ({"commitments.word.annual_repudiation": 1.2}, "commitments[0]", "probability must lie"),
        ({"actors.A.size": -0.5}, "actors[0].size", "sizes must be positive"),
    ],
)
def test_an_edit_a_cross_field_rule_refuses_gets_the_full_paths_error(edits, where, message):
    scenario = loads(RULES, file="rules.yaml")
    assert edited_numbers(scenario, edits) is None  # the fast path declines...
    with pytest.raises(ScenarioError) as fast:
        apply_edits(scenario, edits)
    with pytest.raises(ScenarioError) as full:
        _full(scenario, edits)
    assert str(fast.value) == str(full.value)  # ...and the message is the full path's
    assert where in str(fast.value) and message in str(fast.value)


def test_the_fast_path_drops_the_edited_numbers_uncertainty_and_correlations():
    scenario = loads(RULES, file="rules.yaml")
    edited = edited_numbers(scenario, {"levers.offer.cost": 5.0})
    assert edited is not None
    assert edited.spec.uncertainties == () and edited.spec.correlations == ()
    assert edited.value("levers.offer.cost") == 5.0
    assert "Was uncertain (kind=uniform, low=2.0, high=6.0)" in (
        edited.quantity("levers.offer.cost").note or ""
    )
    assert edited.quantity("levers.offer.value").dist is not None  # the others keep theirs
    assert edited == _full(scenario, {"levers.offer.cost": 5.0})
