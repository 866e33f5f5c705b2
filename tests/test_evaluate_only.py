"""A scenario model asked for some outcomes only (what a run's Sobol' design asks for): each of
them is the same array, bit for bit, as a full evaluation gives on the same draws and stream, and
the work only the others need is skipped (the realignment model's simulation, a model none of
them comes from)."""

from __future__ import annotations

from dataclasses import replace
from unittest import mock

import numpy as np
import pytest

from realpolitik.experiment.scenario_experiment import experiment_spec
from realpolitik.models import registry
from realpolitik.scenario.examples import example_path
from realpolitik.scenario.load import load


@pytest.fixture(scope="module")
def flagship():
    scenario = load(example_path("reverse-kissinger"))
    spec = experiment_spec(scenario, ["realignment", "landscape"])
    samples = spec.sample(300, np.random.default_rng(11))
    full = spec.model.evaluate(dict(samples), np.random.default_rng(5))
    return spec, samples, full


def _fail(*args, **kwargs):
    raise AssertionError("landscape called")


SOME = [
    ["gap_ratio"],  # the Sobol' design's quantity: the year-1 game alone
    ["margin", "price", "realigns"],
    ["duration"],  # needs the simulation
    ["realigns_year_3", "need"],
    ["landscape_pivot_with_courter"],  # a model without evaluate_some
    ["gap_ratio", "landscape_pivot_with_incumbent"],
]


@pytest.mark.parametrize("columns", SOME, ids="+".join)
def test_only_the_asked_columns_each_the_same_array(flagship, columns):
    spec, samples, full = flagship
    some = spec.model.only_columns(columns).evaluate(dict(samples), np.random.default_rng(5))
    assert sorted(some) == sorted(columns)
    for c in columns:
        assert some[c].tobytes() == full[c].tobytes(), c


def test_game_outcomes_skip_the_simulation_and_a_model_not_asked_is_not_called(flagship):
    spec, samples, full = flagship
    model = spec.model.only_columns(["gap_ratio", "margin"])
    real_get = registry.get

    def get(name):  # the landscape model, were it called, would fail
        found = real_get(name)
        return replace(found, evaluate=_fail) if name == "landscape" else found

    with (
        mock.patch(
            "realpolitik.models.realignment.result.simulate", side_effect=AssertionError("run")
        ),
        mock.patch.object(registry, "get", get),
    ):
        some = model.evaluate(dict(samples), np.random.default_rng(5))
        with pytest.raises(AssertionError, match="landscape called"):
            spec.model.only_columns(["landscape_pivot_with_courter"]).evaluate(
                dict(samples), np.random.default_rng(5)
            )
    assert some["gap_ratio"].tobytes() == full["gap_ratio"].tobytes()
    # and asking for a simulated outcome does run the simulation
    with (
        mock.patch(
            "realpolitik.models.realignment.result.simulate", side_effect=AssertionError("run")
        ),
        pytest.raises(AssertionError, match="run"),
    ):
        spec.model.only_columns(["duration"]).evaluate(dict(samples), np.random.default_rng(5))


def test_the_full_model_is_unchanged_by_the_option(flagship):
    spec, samples, full = flagship
    assert spec.model.only is None
    again = spec.model.evaluate(dict(samples), np.random.default_rng(5))
    assert list(again) == list(full)
    assert all(again[c].tobytes() == full[c].tobytes() for c in full)
