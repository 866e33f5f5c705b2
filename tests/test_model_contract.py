"""The contract every registered model keeps (and a model registered only here, to show that a new
model needs no edit to the experiment layer to get sensitivity and discovery).

For every model in ``registry.available()`` and every shipped scenario it applies to: its result's
outputs are exactly the declared ones, the JSON summary is valid JSON, the spec pickles, a
stochastic model is reproducible by seed and a deterministic one ignores the seed, a batch of
draws gives the same seed-independent outputs as the draws one by one, and ``realpolitik cite``
prints every reference the model declares.
"""

from __future__ import annotations

import json
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import realpolitik
from realpolitik.models import registry
from realpolitik.models.registry import AnalysisContext
from realpolitik.models.results import ModelResult
from realpolitik.references import REFERENCES
from realpolitik.scenario.examples import list_examples

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contract_model  # noqa: E402

SCENARIOS = {name: realpolitik.load(name) for name in sorted(list_examples())}
BATCH = 48


@pytest.fixture(autouse=True)
def toy_registered(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(registry._REGISTRY, "toy", contract_model.SPEC)
    yield


def _cases():
    for name in sorted(registry.BUILTIN) + ["toy"]:
        for sname in SCENARIOS:
            yield pytest.param(name, sname, id=f"{name}-{sname}")


def _spec(name: str) -> registry.ModelSpec:
    return contract_model.SPEC if name == "toy" else registry.get(name)


def test_every_builtin_model_is_available() -> None:
    assert set(registry.BUILTIN) | {"toy"} <= set(registry.available())


@pytest.mark.parametrize("name", sorted(registry.BUILTIN) + ["toy"])
def test_spec_pickles_and_declares_unique_outputs(name: str) -> None:
    spec = _spec(name)
    again = pickle.loads(pickle.dumps(spec))
    assert again.name == spec.name and again.outputs == spec.outputs
    for s in SCENARIOS.values():
        names = [o.name for o in spec.outputs_for(s)]
        assert len(names) == len(set(names))


@pytest.mark.parametrize("name", sorted(registry.BUILTIN) + ["toy"])
def test_references_are_known_and_cited(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    from realpolitik.cli.models import cited_references

    spec = _spec(name)
    known = {r.key for r in REFERENCES}
    assert set(spec.references) <= known
    for s in SCENARIOS.values():
        if spec.applies_to(s) and name in _models_of(s):
            cited = {r.key for r in cited_references(s)}
            assert set(spec.references) <= cited


def _models_of(scenario) -> list[str]:
    from realpolitik.experiment.scenario_run import analyses_for

    return analyses_for(scenario)


@pytest.mark.parametrize(("name", "scenario"), list(_cases()))
def test_point_result_declares_what_it_produces(name: str, scenario: str) -> None:
    spec, s = _spec(name), SCENARIOS[scenario]
    if not spec.applies_to(s):
        pytest.skip(f"{name} does not apply to {scenario}")
    result = spec.analyze(s, AnalysisContext(seed=0))
    assert isinstance(result, ModelResult) and result.model == name
    assert list(result.outputs()) == [o.name for o in spec.outputs_for(s)]
    assert all(isinstance(v, float) for v in result.outputs().values())
    json.dumps(result.to_summary(), allow_nan=False)
    assert all(isinstance(t, pd.DataFrame) for t in result.tables().values())
    assert result.provenance.scenario_hash == s.content_hash and result.provenance.seed == 0
    if not spec.stochastic:  # a deterministic model ignores the seed
        other = spec.analyze(s, AnalysisContext(seed=12345))
        np.testing.assert_equal(other.outputs(), result.outputs())


@pytest.mark.parametrize(("name", "scenario"), list(_cases()))
def test_batch_evaluation(name: str, scenario: str) -> None:
    from realpolitik.experiment.scenario_experiment import experiment_spec

    spec, s = _spec(name), SCENARIOS[scenario]
    if not spec.evaluates(s):
        pytest.skip(f"{name} does not evaluate draws of {scenario}")
    samples = experiment_spec(s, [name]).sample(BATCH, rng=3)
    declared = [o.name for o in spec.outputs_for(s)]
    a = spec.evaluate(s, samples, np.random.default_rng(1))
    assert list(a) == declared
    assert all(np.asarray(v).shape == (BATCH,) for v in a.values())
    again = spec.evaluate(s, samples, np.random.default_rng(1))
    np.testing.assert_equal(again, a)  # reproducible by seed
    b = spec.evaluate(s, samples, np.random.default_rng(2))
    fixed = [k for k in declared if np.array_equal(a[k], b[k], equal_nan=True)]
    if not spec.stochastic:
        assert fixed == declared  # a deterministic model ignores the seed
    # the seed-independent outputs of a batch equal those of its draws one by one
    for i in (0, BATCH // 2, BATCH - 1):
        row = spec.evaluate(
            s, {k: v[i : i + 1] for k, v in samples.items()}, np.random.default_rng(1)
        )
        for k in fixed:
            np.testing.assert_allclose(row[k][0], a[k][i], rtol=1e-9, atol=1e-12, equal_nan=True)


TOY_SCENARIO = """
realpolitik: 1
name: toy-horizon
actors:
  - {id: A, size: 1}
  - {id: B, size: 1}
  - {id: C, size: 1}
realignment:
  pivot: A
  incumbent: B
  courter: C
  horizon: {value: 10, dist: {kind: choice, values: [5, 10, 15]}}
  discount_rate: {value: 0.05, dist: {kind: uniform, low: 0.01, high: 0.1}}
  trade:
    with_incumbent: 1
    gains_share: 0.1
    retaliation: {hedge: 0, courter: 0}
    replacement_capacity: {hedge: 0, courter: 0}
  switching_cost: {hedge: 0, courter: 0}
  courter_value: {hedge: 1, courter: 1}
  incumbent_value: {hedge: 1, courter: 1}
analyses: [toy]
outcomes:
  - {name: long_horizon, model: toy, output: toy_long}
  - {name: annuity, model: toy, output: toy_annuity}
"""


def test_a_new_model_gets_sensitivity_and_discovery() -> None:
    """A model the experiment layer has never heard of, declared as the scenario's outcomes."""
    from realpolitik.cli.experiments import discover_command, sensitivity_command

    s = realpolitik.scenario.loads(TOY_SCENARIO)
    data, lines = sensitivity_command(s, None, "sobol", 64, 0, 1)
    assert data["outcome"] == "annuity"
    ranking = {r["path"]: r for r in data["ranking"]}
    # the annuity depends on both inputs; the horizon (5 to 15 years) moves it most
    assert data["ranking"][0]["path"] == "realignment.horizon"
    assert ranking["realignment.discount_rate"]["ST"] > 0.01
    data, lines = discover_command(s, None, 2000, 0, None, None, 1)
    assert data["outcome_name"] == "long_horizon" and data["status"] in ("box", "no box")
    # the annuity exceeds 8 only for 10 or 15 years: H = 5 gives at most 4.85
    limits = {lim["path"]: lim for lim in (data["box"] or {}).get("limits", [])}
    if "realignment.horizon" in limits:
        assert limits["realignment.horizon"]["low"] >= 10


def test_a_constant_outcome_is_reported_not_fatal() -> None:
    from realpolitik.cli.experiments import discover_command

    text = TOY_SCENARIO.replace("values: [5, 10, 15]", "values: [20, 25]").replace(
        "horizon: {value: 10", "horizon: {value: 20"
    )
    s = realpolitik.scenario.loads(text)
    data, lines = discover_command(s, "long_horizon", 500, 0, None, None, 1)
    assert data["status"] == "constant" and "constant" in lines[-1]


def _toy_compare(a: registry.ComparedRun, b: registry.ComparedRun) -> dict[str, Any]:
    """A comparison by hand: the two annuities and the mean of the long-horizon draws (statistics by column)."""
    return {
        "annuity": (a.result.outputs()["toy_annuity"], b.result.outputs()["toy_annuity"]),
        "long": (
            (a.statistics or {}).get("toy_long"),
            (b.statistics or {}).get("toy_long"),
        ),
        "draws": (a.draws, b.draws),
    }


def test_a_new_model_gets_compare_through_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """``compare_scenarios`` runs the model of the first declared outcome, whatever its name, and
    lines the runs up with that model's ``compare``; without one it says so."""
    from dataclasses import replace

    from realpolitik.errors import ModelError
    from realpolitik.experiment.compare import compare_scenarios

    a = realpolitik.scenario.loads(TOY_SCENARIO)
    b = realpolitik.scenario.loads(
        TOY_SCENARIO.replace("horizon: {value: 10", "horizon: {value: 5")
    )
    with pytest.raises(ModelError, match="'toy'.*does not compare scenarios"):
        compare_scenarios(a, b, draws=0)
    monkeypatch.setitem(
        registry._REGISTRY, "toy", replace(contract_model.SPEC, compare=_toy_compare)
    )
    got = compare_scenarios(a, b, draws=200, seed=1)
    # (1 - 1.05^-10) / 0.05 = 7.7217 and (1 - 1.05^-5) / 0.05 = 4.3295, worked by hand
    assert got["annuity"] == pytest.approx((7.721735, 4.329477), abs=1e-6)
    assert got["draws"] == (200, 200)
    # horizons of 10 and 15 years at 1-10% can exceed 8 (some draws do), 5 years never
    assert 0 < got["long"][0]["mean"] < 1 and 0 < got["long"][1]["mean"] < 1
