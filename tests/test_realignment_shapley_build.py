"""The causal decomposition's coalition problems, built without re-validation, give the same
numbers to the last bit as the same problems built and validated field by field.

The reference below is the decomposition as it was written before: every coalition's switched-off
fields handed to :meth:`RealignmentProblem.with_changes` (which normalises and checks each field
again). It is compared on the shipped examples and on generated problems.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import realignment_problems

from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.models.realignment import shapley_decomposition
from realpolitik.models.realignment.game import need_and_price
from realpolitik.models.realignment.shapley import (
    _decomposition,
    _switch_off,
    cause_atoms,
)
from realpolitik.scenario import load
from realpolitik.scenario.examples import list_examples


def _validated_reference(pb, groups: dict[str, tuple[str, ...]]):
    """The decomposition with every coalition problem re-validated (the former build)."""
    names = tuple(groups)
    B, nC = pb.batch, 2 ** len(names)
    big = pb.take(np.tile(np.arange(B), nC))
    coal = np.repeat(np.arange(nC), B)
    ch: dict[str, Any] = {}
    for gi, g in enumerate(names):
        for a in groups[g]:
            _switch_off(big, a, ((coal >> gi) & 1).astype(bool), ch)
    need, price = need_and_price(big.with_changes(**ch))
    return _decomposition(groups, need.reshape(nC, B, 2), price.reshape(nC, B, 2))


def _same(a, b) -> None:
    assert a.groups == b.groups and a.members == b.members
    for name in ("need", "price", "need_total", "price_total"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.shape == y.shape
        assert np.array_equal(x, y, equal_nan=True), name  # bit for bit (NaN where NaN)


EXAMPLES = sorted(
    (name, path) for name, path in list_examples().items() if load(str(path)).spec.realignment
)


@pytest.mark.parametrize("name, path", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_shipped_examples_decompose_bit_for_bit_as_with_validated_coalitions(name, path):
    pb = problem_from_scenario(load(str(path)))
    groups = {a: (a,) for a in cause_atoms(pb)}
    _same(shapley_decomposition(pb), _validated_reference(pb, groups))


@given(pb=realignment_problems(max_batch=3))
@settings(max_examples=25, deadline=None)
def test_generated_problems_decompose_bit_for_bit_as_with_validated_coalitions(pb):
    groups = {a: (a,) for a in cause_atoms(pb)}
    _same(shapley_decomposition(pb), _validated_reference(pb, groups))
    atoms = cause_atoms(pb)
    paired = {"first": atoms[:2], "rest": atoms[2:4]}  # groups of several causes, some left on
    _same(shapley_decomposition(pb, groups=paired), _validated_reference(pb, paired))


@pytest.mark.parametrize("name, path", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_sampled_draws_of_the_examples_decompose_bit_for_bit(name, path):
    from realpolitik.app.views import shared_draws

    scenario = load(str(path))
    shared = shared_draws(scenario, 24, 3)
    assert shared is not None
    pb = problem_from_scenario(scenario, shared.samples, 24)
    groups = {a: (a,) for a in cause_atoms(pb)}
    fast = shapley_decomposition(pb)
    _same(fast, _validated_reference(pb, groups))
    reached = np.isfinite(fast.price_total)
    assert reached.any()  # draws whose prices are all solved are compared ...
    if name == "reverse-kissinger":
        assert not reached.all()  # ... and draws whose prices are left unsolved too


@pytest.mark.parametrize(
    "change, message",
    [
        ({"pivot_annual_repudiation": 1.5}, "probabilities in [0, 1]"),
        ({"discount_rate": -1.5}, "discount_rate must be a finite number > -1"),
    ],
)
def test_rates_the_game_refuses_are_refused_with_the_games_message(change, message):
    from realpolitik.errors import ModelError

    path = dict(EXAMPLES)["reverse-kissinger"]
    pb = problem_from_scenario(load(str(path))).with_changes(**change)
    groups = {a: (a,) for a in cause_atoms(pb)}
    with pytest.raises(ModelError) as fast:
        shapley_decomposition(pb)
    with pytest.raises(ModelError) as reference:
        _validated_reference(pb, groups)
    assert str(fast.value) == str(reference.value)
    assert message in str(fast.value)
