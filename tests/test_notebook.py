"""The scenario's verbs for notebooks: analyze, experiment (draws reachable with or without a
store), run (what the CLI does), with results as DataFrames at the edge."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import realpolitik
from realpolitik.experiment.run import run_experiment
from realpolitik.experiment.uncertainty import ExperimentSpec, Uncertainty, distribution_from_spec


@pytest.fixture(scope="module")
def nixon():
    return realpolitik.load("nixon-1972")


def test_analyze_returns_typed_results_and_a_frame_of_outputs(nixon) -> None:
    analysis = nixon.analyze(models=["realignment", "balance"])
    assert list(analysis) == ["realignment", "balance"]
    assert analysis["realignment"].outcome == "realigns"
    frame = analysis.outputs()
    assert list(frame.columns) == ["model", "output", "value"]
    # a census of one triad with three hostile ties (nixon-1972's point values): one imbalanced
    by = frame.set_index(["model", "output"])["value"]
    assert by["balance", "imbalanced_triads"] == 1.0 and by["balance", "balanced_triads"] == 0.0


@pytest.mark.slow
def test_experiment_keeps_the_draws_with_or_without_a_store(nixon, tmp_path: Path) -> None:
    memory = nixon.experiment(draws=1500, seed=4, workers=1, batch_size=500)
    stored = nixon.experiment(draws=1500, seed=4, workers=1, batch_size=500, store=tmp_path)
    a, b = memory.to_frame(), stored.to_frame()
    assert len(a) == 1500 and stored.run_id is not None and memory.run_id is None
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    realigns = memory.outcome("realigns")
    assert realigns.index.name == "draw" and set(np.unique(realigns)) <= {0.0, 1.0}
    summary = memory.summary()
    assert list(summary.index) == ["realigns", "hedges", "gap_ratio", "margin"]
    assert summary.loc["realigns", "mean"] == pytest.approx(realigns.mean())


def test_run_writes_what_the_cli_writes(nixon, tmp_path: Path) -> None:
    run = nixon.run(draws=500, seed=2, out=tmp_path / "out", workers=1)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary == json.loads(json.dumps(run.summary))
    assert (tmp_path / "out" / "report.html").exists()
    assert summary["outcomes"]["realigns"]["n"] == 500


class InfiniteModel:
    """Returns an infinite value in half of the draws (as an unreachable price would be)."""

    def evaluate(self, samples, rng):
        x = samples["x"]
        return {"price": np.where(x > 0.5, np.inf, x)}


def test_run_summary_does_not_warn_on_infinite_values() -> None:
    spec = ExperimentSpec(
        (Uncertainty("x", distribution_from_spec({"kind": "uniform", "low": 0, "high": 1})),),
        InfiniteModel(),
    )
    result = run_experiment(spec, 1000, seed=0, batch_size=250, executor="serial")
    table = result.summary()  # warnings are errors in the tests
    finite = result.frame["price"][np.isfinite(result.frame["price"])]
    assert table.loc["price", "n"] == len(finite)
    assert table.loc["price", "mean"] == pytest.approx(finite.mean())
