"""Runs of shipped scenarios with draws: reproducible whatever the workers, stored, explained,
under the scenario's declared outcomes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import realpolitik
from realpolitik.experiment.options import RunOptions
from realpolitik.experiment.outcomes import declared_outcomes, wilson_interval
from realpolitik.experiment.scenario_experiment import experiment_spec
from realpolitik.experiment.scenario_run import run_scenario


@pytest.fixture(scope="module")
def nixon() -> realpolitik.scenario.Scenario:
    return realpolitik.load("nixon-1972")


def _run(scenario, tmp: Path, **kw) -> dict:
    opts = RunOptions(seed=3, draws=2000, store=tmp / "store", sensitivity=False, **kw)
    return run_scenario(scenario, opts).summary


@pytest.mark.slow
def test_same_numbers_for_1_and_2_workers(nixon, tmp_path: Path) -> None:
    one = _run(nixon, tmp_path / "a", workers=1, batch_size=500)
    two = _run(nixon, tmp_path / "b", workers=2, batch_size=500)
    assert one["outcomes"] == two["outcomes"]


def test_uncertainties_carry_their_claims() -> None:
    s = realpolitik.load("reverse-kissinger")
    spec = experiment_spec(s, ["realignment"])
    by_path = {u.path: u for u in spec.uncertainties}
    assert "F9" in by_path["realignment.trade.with_incumbent"].claims
    assert len(spec.uncertainties) == len(s.uncertainties())


def test_scenario_model_is_deterministic_under_a_seed(nixon) -> None:
    spec = experiment_spec(nixon, ["realignment"])
    samples = spec.sample(300, rng=5)
    a = spec.model.evaluate(samples, np.random.default_rng(9))
    b = spec.model.evaluate(samples, np.random.default_rng(9))
    assert a.keys() == b.keys() == set(spec.outcomes)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_run_summary_has_draws_seed_hash_and_intervals(nixon, tmp_path: Path) -> None:
    summary = _run(nixon, tmp_path, workers=1)
    assert summary["draws"] == 2000 and summary["seed"] == 3
    assert summary["scenario_hash"] == nixon.content_hash
    w = summary["outcomes"]["realigns"]
    assert 0.0 <= w["low"] <= w["mean"] <= w["high"] <= 1.0
    # Wilson's interval, computed here from the mean and the count
    assert (w["low"], w["high"]) == pytest.approx(wilson_interval(w["mean"], w["n"]))
    assert [o["name"] for o in summary["declared_outcomes"]] == [
        "realigns",
        "hedges",
        "gap_ratio",
        "margin",
    ]
    json.dumps(summary, allow_nan=False)  # valid JSON: no NaN or infinities


def test_undefined_prices_are_counted_not_averaged(tmp_path: Path) -> None:
    s = realpolitik.load("reverse-kissinger")
    summary = run_scenario(s, RunOptions(seed=1, draws=1000, workers=1, sensitivity=False)).summary
    margin, reach = summary["outcomes"]["margin"], summary["outcomes"]["price_reachable"]
    assert margin["n"] + margin["undefined"] == 1000
    assert margin["undefined"] == round((1 - reach["mean"]) * 1000)


def test_backtest_china_aligns_with_the_us(nixon) -> None:
    """nixon-1972 is a backtest; this records what the model says from the sourced numbers."""
    summary = run_scenario(nixon, RunOptions(seed=0)).summary
    assert summary["realignment"]["outcome"] == "realigns"
    deco = summary["realignment"]["decomposition_value"]
    assert deco["soviet-border"] == min(deco.values())  # the Soviet threat is what pays for it
    shapley = summary["realignment"]["shapley"]  # and so it is, causally
    need = dict(zip(shapley["groups"], shapley["realigns"]["need"], strict=True))
    assert need["soviet-border"] == min(need.values())


def test_declared_outcomes_follow_the_scenario(nixon) -> None:
    outcomes = declared_outcomes(nixon, ["realignment"])
    assert [(o.name, o.output.name, o.output.kind) for o in outcomes] == [
        ("realigns", "realigns", "indicator"),
        ("hedges", "hedges", "indicator"),
        ("gap_ratio", "gap_ratio", "ratio"),
        ("margin", "margin", "money"),
    ]


def test_cluster_reaches_every_step_that_evaluates_the_model(nixon, monkeypatch) -> None:
    """--cluster: the draws and the Sobol' design both go to the cluster's executor."""
    from realpolitik.experiment import executors

    calls = []

    def recording(executor="processes", workers=None, cluster_address=None):
        calls.append((executor, cluster_address))
        return executors.SerialExecutor()

    monkeypatch.setattr(executors, "make_executor", recording)
    # the Sobol' design is sized from the draws (at most as many model runs): allow a small one
    monkeypatch.setattr("realpolitik.experiment.explain.SOBOL_MIN_BASE", 16)
    # nixon-1972 has 62 uncertain numbers: a Sobol' base of 16 needs 16 x (62 + 2) = 1,024 runs
    options = RunOptions(seed=0, draws=1024, cluster="tcp://scheduler:8786", batch_size=512)
    run = run_scenario(nixon, options)
    assert run.draws is not None and run.draws.sensitivity is not None
    assert len(calls) >= 2  # the draws, then the Sobol' design
    assert set(calls) == {("dask", "tcp://scheduler:8786")}


@pytest.mark.slow
def test_explanations_are_the_same_serial_and_on_a_shared_pool(
    nixon, tmp_path: Path, monkeypatch
) -> None:
    """With 2 workers one pool serves the draws and the Sobol' design, whose model runs go on
    while the parent ranks the outcomes' inputs (in threads) and runs PRIM; with 1 worker all of
    it runs in turn in this process. The summaries are the same, key for key."""
    monkeypatch.setattr("realpolitik.experiment.explain.SOBOL_MIN_BASE", 16)
    runs = []
    for workers, name in ((1, "a"), (2, "b")):
        opts = RunOptions(seed=3, draws=1024, store=tmp_path / name, workers=workers)
        summary = run_scenario(nixon, opts).summary
        summary.pop("run_id")
        summary.pop("store")
        runs.append(summary)
    assert "sobol" in runs[1] and runs[1]["sensitivity"]["outcomes"]
    assert runs[0] == runs[1]
