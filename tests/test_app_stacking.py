"""Stacked recomputations give every edit the numbers it gets alone, to the last bit.

The reference is the dashboard's one-edit path (:func:`realpolitik.app.views.draw_outputs` and
:func:`realpolitik.app.engine.recompute`, which call the model's ``evaluate`` once per edit with
its own generator); the stacked path (:mod:`realpolitik.app.stacking`) shares none of that call.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from realpolitik.app import engine, stacking, views
from realpolitik.errors import ScenarioError
from realpolitik.scenario.edit import apply_edits, commitment_choices, editable_numbers
from realpolitik.scenario.examples import example_path

SCENARIOS = ("reverse-kissinger", "nixon-1972")


def _file(name: str) -> tuple[str, str]:
    return str(example_path(name)), f"examples/{name}.yaml"


def _random_edits(name: str, n: int, seed: int) -> list[dict[str, object]]:
    """``n`` edits of one to four numbers anywhere in their ranges, and now and then a lever's
    commitment form (which decides whether the simulation draws the forms of promises)."""
    original = engine._scenario(*_file(name))
    numbers = [x.to_dict() for x in editable_numbers(original)]
    forms = [c.to_dict() for c in commitment_choices(original)]
    rng = random.Random(seed)
    out: list[dict[str, object]] = [{}]  # the scenario as loaded among them
    for _ in range(n - 1):
        edits: dict[str, object] = {}
        for x in rng.sample(numbers, rng.randint(1, 4)):
            edits[x["path"]] = x["low"] + (x["high"] - x["low"]) * rng.random()
        if forms and rng.random() < 0.4:
            choice = rng.choice(forms)
            edits[choice["path"]] = rng.choice(choice["options"])
        out.append(edits)
    return out


def _same_bits(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(
        a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes() for k in a
    )


@pytest.mark.parametrize("name", SCENARIOS)
@pytest.mark.parametrize("draws", [200, 2_500])  # one batch of draws, and three
def test_stacked_draws_are_those_of_each_edit_alone(name, draws):
    original = engine._scenario(*_file(name))
    scenarios = [apply_edits(original, e) for e in _random_edits(name, 9, seed=draws)]
    stacked = stacking.draw_outputs_stacked(original, scenarios, draws, 3)
    for scenario, out in zip(scenarios, stacked, strict=True):
        alone = views.draw_outputs(original, scenario, draws, 3)
        assert _same_bits(out, alone)
    # the edits do differ, and a stack is not all alike
    assert len({out["realigns"].tobytes() + out["hedges"].tobytes() for out in stacked}) > 1


def test_stacks_split_by_simulated_years_and_promise_forms():
    """Rows with other horizons or promises that may fail to take their form draw their random
    numbers differently: they go to other stacks, and every edit still gets its own numbers."""
    from realpolitik.models.adapters.realignment import evaluate, problem_from_scenario

    name = "reverse-kissinger"
    original = engine._scenario(*_file(name))
    shared = views.shared_draws(original, 200, 0)
    start, stop, stream = shared.batches[0]
    treaty = {"levers.sphere-of-influence.commitment": "ratified-treaty"}
    scenarios = [original, apply_edits(original, treaty), original, original]
    samples = [views.fixed_samples(shared, s, start, stop) for s in scenarios]
    samples[2] = {**samples[2], "realignment.horizon": np.full(stop - start, 4.0)}
    samples[3] = {
        **samples[3],
        "realignment.trade.gains_share": samples[3]["realignment.trade.gains_share"][::-1].copy(),
    }
    keys = [
        stacking.stack_key(s, problem_from_scenario(s, x, stop - start))
        for s, x in zip(scenarios, samples, strict=True)
    ]
    assert keys[0] == keys[3] and len({keys[0], keys[1], keys[2]}) == 3
    stacked = stacking._batch_outputs(scenarios, samples, stream)
    for s, x, out in zip(scenarios, samples, stacked, strict=True):
        alone = evaluate(s, x, np.random.default_rng(stream))
        assert _same_bits(out, {k: np.asarray(v, dtype=float) for k, v in alone.items()})


def test_recompute_many_answers_each_edit_with_the_bytes_of_recompute():
    path, shown = _file("reverse-kissinger")
    edits = _random_edits("reverse-kissinger", 7, seed=11)
    edits.insert(3, {"levers.sphere-of-influence.cost": -5.0})  # refused: below its range
    engine._PAYLOADS.clear()
    answers = engine.recompute_many(path, shown, edits, 200, 5)
    engine._PAYLOADS.clear()
    for e, answer in zip(edits, answers, strict=True):
        try:
            alone: bytes | Exception = engine.recompute(path, shown, e, 200, 5)
        except ScenarioError as exc:
            alone = exc
        if isinstance(alone, Exception):
            assert isinstance(answer, ScenarioError) and str(answer) == str(alone)
        else:
            assert answer == alone
    assert sum(isinstance(a, Exception) for a in answers) == 1


def test_when_a_stack_cannot_be_repeated_the_edits_run_one_by_one(monkeypatch):
    path, shown = _file("reverse-kissinger")
    edits = _random_edits("reverse-kissinger", 3, seed=2)
    engine._PAYLOADS.clear()
    expected = [engine.recompute(path, shown, e, 200, 0) for e in edits]

    def refuse(*args, **kwargs):
        raise stacking.CannotStack("as if the model drew another way")

    monkeypatch.setattr(stacking, "_evaluate_stack", refuse)
    engine._PAYLOADS.clear()
    assert engine.recompute_many(path, shown, edits, 200, 0) == expected


def test_the_tiled_generator_repeats_one_runs_numbers_and_refuses_other_draws():
    seed = np.random.SeedSequence(42)
    tiled = stacking.TiledGenerator(seed, copies=3, rows=4)
    plain = np.random.default_rng(seed)
    for shape in [(5, 12), (12, 2), (12,)]:
        one = plain.random(tuple(4 if n == 12 else n for n in shape))
        got = tiled.random(shape)
        axis = shape.index(12)
        assert np.array_equal(got, np.concatenate([one] * 3, axis=axis))
    assert np.random.default_rng(tiled) is tiled  # the model takes it as its generator
    with pytest.raises(stacking.CannotStack):
        tiled.normal(size=12)
    with pytest.raises(stacking.CannotStack):
        tiled.bit_generator.random_raw()
    with pytest.raises(stacking.CannotStack):
        tiled.random((5, 7))  # no stacked axis
    with pytest.raises(stacking.CannotStack):
        stacking.TiledGenerator(seed, copies=1, rows=3).random((3, 3))  # which axis?


def test_an_edit_the_model_fails_on_gets_its_error_and_the_others_their_answers(monkeypatch):
    from realpolitik.errors import ModelError

    path, shown = _file("reverse-kissinger")
    edits = _random_edits("reverse-kissinger", 4, seed=5)
    engine._PAYLOADS.clear()
    expected = [engine.recompute(path, shown, e, 200, 0) for e in edits]
    bad = apply_edits(engine._scenario(path, shown), edits[2]).content_hash
    one_by_one = views.draw_outputs

    def failing(original, scenario, draws, seed):
        if scenario.content_hash == bad:
            raise ModelError("this edit breaks the model")
        return one_by_one(original, scenario, draws, seed)

    def refuse(*args, **kwargs):
        raise ModelError("the stack fails")

    monkeypatch.setattr(stacking, "draw_outputs_stacked", refuse)
    monkeypatch.setattr(views, "draw_outputs", failing)
    engine._PAYLOADS.clear()
    answers = engine.recompute_many(path, shown, edits, 200, 0)
    assert isinstance(answers[2], ModelError) and "breaks" in str(answers[2])
    assert [a for k, a in enumerate(answers) if k != 2] == [
        x for k, x in enumerate(expected) if k != 2
    ]
