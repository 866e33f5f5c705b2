"""The explanations read a run's draws once, in memory (``explanation_frame``): the frame is the
one the store's SQL returns, cell for cell, and the sensitivity and discovery found from it are
the ones found through the store's reads, for a run stored without its inputs (the workers hand
them back; or regenerated), one stored with them, and one kept in memory."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import realpolitik
from realpolitik.experiment import draws_frame
from realpolitik.experiment.draws_frame import explanation_frame
from realpolitik.experiment.options import RunOptions
from realpolitik.experiment.outcome_sensitivity import run_sensitivities
from realpolitik.experiment.scenario_run import discover_in_run, run_scenario


@pytest.fixture(scope="module")
def flagship() -> realpolitik.scenario.Scenario:
    return realpolitik.load("reverse-kissinger")


def _draws(scenario, tmp: Path | None, store_inputs: bool = False):
    opts = RunOptions(
        seed=5,
        draws=1200,
        batch_size=500,  # three batches, the last one short
        workers=1,
        store=None if tmp is None else tmp / "store",
        store_inputs=store_inputs,
        sensitivity=False,
    )
    draws = run_scenario(scenario, opts).draws
    assert draws is not None and draws.run is not None and draws.spec is not None
    return draws


@pytest.mark.parametrize(
    "where",
    ["columns", "handed back", "regenerated", "stored columns", "stored", "memory"],
)
def test_the_frame_and_what_is_found_from_it_are_the_stores(
    flagship, tmp_path: Path, where: str
) -> None:
    """The SQL view regenerates inputs not stored from the seeds: the columns the workers handed
    back (inputs and outcomes) are those of the batch files and the SQL's, to the bit, whether
    the inputs are stored or not; and so are the frames read from the files (``drawn_columns``
    dropped) with the inputs handed back or regenerated."""
    stored = where.startswith("stored")
    draws = _draws(flagship, None if where == "memory" else tmp_path, stored)
    run, spec = draws.run, draws.spec
    assert (run.drawn_inputs is not None) == (where in ("columns", "handed back", "regenerated"))
    assert (run.drawn_columns is not None) == (where != "memory")
    if where in ("handed back", "regenerated", "stored"):
        run.drawn_columns = None
    if where == "regenerated":
        run.drawn_inputs = None
    frame = explanation_frame(run)
    assert frame is not None
    sql = run.query("SELECT * FROM draws ORDER BY draw")
    pd.testing.assert_frame_equal(frame, sql.reset_index(drop=True), check_exact=True)
    assert list(frame.columns[1 : 1 + len(spec.paths)]) == spec.paths
    assert len(frame) == 1200 and frame[spec.paths].notna().all().all()

    fast = run_sensitivities(run, draws.outcomes, spec.uncertainties, 5, frame)
    slow = run_sensitivities(run, draws.outcomes, spec.uncertainties, 5)
    assert [f.to_summary() for f in fast] == [f.to_summary() for f in slow]
    assert any(f.status == "ranked" for f in fast)

    hedges = next(o for o in draws.outcomes if o.column.endswith("hedges"))
    found = discover_in_run(run, spec, hedges, 5, frame).to_summary()
    assert found == discover_in_run(run, spec, hedges, 5).to_summary()


def test_a_run_larger_than_memory_allows_reads_the_store(
    flagship, tmp_path: Path, monkeypatch
) -> None:
    draws = _draws(flagship, tmp_path)
    monkeypatch.setattr(draws_frame, "IN_MEMORY_DRAWS", 1000)
    assert explanation_frame(draws.run) is None
