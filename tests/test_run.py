"""Batched runs: identical results for every backend and worker count; resume after a kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from realpolitik.errors import ModelError
from realpolitik.experiment.executors import DaskExecutor, ExecutorError, SerialExecutor
from realpolitik.experiment.run import ExperimentError, run_experiment
from realpolitik.experiment.store import Store, list_runs, load_draws
from realpolitik.experiment.uncertainty import (
    ExperimentSpec,
    Uncertainty,
    correlation_matrix,
    distribution_from_spec,
)

TESTS = Path(__file__).resolve().parent


class NoisyModel:
    """A toy model that uses its own rng too (so the model stream is checked), optionally slow."""

    def __init__(self, delay: float = 0.0, interrupt_at: int | None = None) -> None:
        self.delay = delay
        self.interrupt_at = interrupt_at

    def evaluate(self, samples, rng):
        if self.delay:
            time.sleep(self.delay)
        a = samples["relations.RUS~CHN.components.trade"]
        b = samples["realignment.horizon"]
        c = samples["levers.sphere.value"]
        if self.interrupt_at is not None and np.any(a < -1e9):  # never: placeholder
            raise KeyboardInterrupt
        score = a * c - 0.1 * b + rng.normal(0.0, 0.5, size=a.shape)
        return {"score": score, "realigns": score > 1.0, "turns": rng.poisson(3, size=a.shape)}


class InterruptingModel(NoisyModel):
    """Raises KeyboardInterrupt (as Ctrl-C would) on the batch that contains ``draw``."""

    def __init__(self, draw: int) -> None:
        super().__init__()
        self.draw = draw
        self.seen = 0

    def evaluate(self, samples, rng):
        n = len(samples["realignment.horizon"])
        if self.seen <= self.draw < self.seen + n:
            raise KeyboardInterrupt
        self.seen += n
        return super().evaluate(samples, rng)


class BadModel:
    def evaluate(self, samples, rng):
        return {"y": np.zeros((2, 2))}


def make_spec(model=None, correlated: bool = True) -> ExperimentSpec:
    uncertainties = (
        Uncertainty(
            "relations.RUS~CHN.components.trade",
            distribution_from_spec({"kind": "triangular", "low": 0, "mode": 1, "high": 3}),
            label="Russia-China trade",
            claims=("F9",),
        ),
        Uncertainty(
            "realignment.horizon", distribution_from_spec({"kind": "choice", "values": [5, 10, 15]})
        ),
        Uncertainty(
            "levers.sphere.value",
            distribution_from_spec({"kind": "lognormal", "mu": 0, "sigma": 0.5}),
        ),
    )
    corr = None
    if correlated:
        corr = correlation_matrix(
            [u.path for u in uncertainties],
            [("relations.RUS~CHN.components.trade", "levers.sphere.value", -0.4)],
        )
    return ExperimentSpec(
        uncertainties,
        model or NoisyModel(),
        correlation=corr,
        scenario_name="toy",
        scenario_hash="sha256:toy",
        model_names=("toy",),
    )


def test_identical_for_every_backend_and_worker_count():
    """The draws and the summaries (computed in the workers, merged in the parent) are the same
    bit for bit whatever the executor and the number of workers."""
    spec = make_spec()
    first = run_experiment(spec, 2_500, seed=0, batch_size=300, executor="serial")
    ref, ref_summary = first.frame, first.summary()
    assert list(ref.columns) == ["draw", *spec.paths, "score", "realigns", "turns"]
    assert np.array_equal(ref["draw"], np.arange(2_500))
    for workers in (1, 2):
        got = run_experiment(
            spec, 2_500, seed=0, batch_size=300, executor="processes", workers=workers
        )
        pd.testing.assert_frame_equal(got.frame, ref, check_exact=True)
        pd.testing.assert_frame_equal(got.summary(), ref_summary, check_exact=True)
    with DaskExecutor(workers=2, processes=False) as dask:
        got = run_experiment(spec, 2_500, seed=0, batch_size=300, executor=dask)
    pd.testing.assert_frame_equal(got.frame, ref, check_exact=True)
    pd.testing.assert_frame_equal(got.summary(), ref_summary, check_exact=True)
    # another seed differs; seed 0 is a seed like any other
    other = run_experiment(spec, 2_500, seed=1, batch_size=300, executor="serial").frame
    assert not np.array_equal(other["score"], ref["score"])


def _malloc_trim_variable() -> str | None:
    return os.environ.get("MALLOC_TRIM_THRESHOLD_")


def test_local_dask_workers_keep_glibc_malloc_defaults(monkeypatch):
    """Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which turns off glibc's dynamic mmap
    threshold and made every batch about three times slower than in a worker process; our
    LocalCluster leaves the variable unset (unless the user sets it)."""
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with DaskExecutor(workers=1) as dask:
        assert dask.client.submit(_malloc_trim_variable, pure=False).result() is None


@pytest.mark.parametrize("sampler", ["lhs", "sobol"])
def test_designs_identical_serial_and_processes(sampler):
    spec = make_spec()
    ref = run_experiment(spec, 2_048, seed=5, batch_size=500, executor="serial", sampler=sampler)
    got = run_experiment(
        spec, 2_048, seed=5, batch_size=500, executor="processes", workers=2, sampler=sampler
    )
    pd.testing.assert_frame_equal(got.frame, ref.frame, check_exact=True)
    if sampler == "lhs":  # the whole run is one Latin hypercube: the choice input is exact
        counts = ref.frame["realignment.horizon"].value_counts()
        assert counts.max() - counts.min() <= 1


def test_run_is_reproducible_and_summarised():
    spec = make_spec()
    a = run_experiment(spec, 1_000, seed=42, batch_size=128, executor="serial")
    b = run_experiment(spec, 1_000, seed=42, batch_size=128, executor="serial")
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    s = a.summary_dict()
    assert s["draws"] == 1_000 and s["seed"] == 42 and s["scenario_hash"] == "sha256:toy"
    p = s["outcomes"]["realigns"]
    assert p["mean"] == pytest.approx(a.frame["realigns"].mean())
    score = a.frame["score"].to_numpy()
    assert s["outcomes"]["score"]["low"] == pytest.approx(np.quantile(score, 0.025))
    assert s["outcomes"]["score"]["high"] == pytest.approx(np.quantile(score, 0.975))
    # correlation reaches the draws
    rho = a.frame[["relations.RUS~CHN.components.trade", "levers.sphere.value"]].corr("spearman")
    assert rho.iloc[0, 1] == pytest.approx(-0.4, abs=0.08)
    assert (
        a.query("SELECT count(*) AS n FROM draws WHERE realigns")["n"][0]
        == a.frame["realigns"].sum()
    )


def test_bad_arguments_and_bad_models():
    spec = make_spec()
    for kwargs in (
        {"draws": 0},
        {"draws": 1.5},
        {"batch_size": 0},
        {"seed": -1},
        {"seed": None},
        {"sampler": "halton"},
    ):
        args = {"draws": 10, "seed": 0, "executor": "serial", **kwargs}
        with pytest.raises(ExperimentError):
            run_experiment(spec, **args)
    with pytest.raises(ExecutorError):
        run_experiment(spec, 10, 0, executor="threads")
    with pytest.raises(ExperimentError, match="resume needs"):
        run_experiment(spec, 10, 0, executor="serial", resume=True)
    with pytest.raises(ModelError, match="shape"):
        run_experiment(make_spec(BadModel()), 10, 0, executor="serial")


def test_store_streams_batches_and_matches_memory(tmp_path):
    spec = make_spec()
    mem = run_experiment(spec, 1_000, seed=3, batch_size=300, executor="serial")
    res = run_experiment(
        spec, 1_000, seed=3, batch_size=300, executor="processes", workers=2, store=tmp_path
    )
    assert res.frame is None and res.status == "complete"
    files = sorted((tmp_path / "runs" / res.run_id).glob("batch-*.parquet"))
    assert [f.name for f in files] == [f"batch-{b:06d}.parquet" for b in range(4)]
    pd.testing.assert_frame_equal(load_draws(tmp_path, res.run_id), mem.frame, check_exact=True)
    runs = list_runs(tmp_path)
    row = runs.iloc[0]
    assert row["run_id"] == res.run_id and row["status"] == "complete"
    assert row["seed"] == 3 and row["draws"] == 1_000 and row["batch_size"] == 300
    assert list(row["inputs"]) == spec.paths
    assert list(row["outcomes"]) == ["score", "realigns", "turns"]
    assert row["scenario_hash"] == "sha256:toy" and row["sampler"] == "mc"
    s_mem, s_store = mem.summary(), res.summary()
    np.testing.assert_allclose(
        s_store[["mean", "low", "high"]], s_mem[["mean", "low", "high"]], rtol=1e-12
    )


def test_ctrl_c_leaves_a_consistent_store_and_resume_completes(tmp_path):
    ref = run_experiment(
        make_spec(), 1_000, seed=9, batch_size=100, executor="serial", store=tmp_path / "ref"
    )
    store = Store(tmp_path / "cut")
    with pytest.raises(KeyboardInterrupt):
        run_experiment(
            make_spec(InterruptingModel(draw=450)),
            1_000,
            seed=9,
            batch_size=100,
            executor="serial",
            store=store,
        )
    runs = list_runs(store.directory)
    assert runs["status"].tolist() == ["interrupted"]
    run_id = runs["run_id"][0]
    assert len(store.batch_files(run_id)) == 4
    assert store.summarize(run_id, ["score"])["n"]["score"] == 400  # finished batches are usable
    res = run_experiment(
        make_spec(), 1_000, seed=9, batch_size=100, executor="serial", store=store, resume=True
    )
    assert res.run_id == run_id and res.batches_run == 6 and res.status == "complete"
    _assert_same_files(tmp_path / "ref" / "runs" / ref.run_id, store.run_dir(run_id))


def test_resume_refuses_other_settings(tmp_path):
    res = run_experiment(make_spec(), 100, seed=1, batch_size=50, executor="serial", store=tmp_path)
    with pytest.raises(ExperimentError, match="no unfinished run"):
        run_experiment(
            make_spec(), 100, seed=3, batch_size=50, executor="serial", store=tmp_path, resume=True
        )
    # a complete run with the same settings is reused as it is: nothing is recomputed
    again = run_experiment(
        make_spec(), 100, seed=1, batch_size=50, executor="serial", store=tmp_path, resume=True
    )
    assert again.run_id == res.run_id and again.batches_run == 0
    with pytest.raises(ExperimentError, match="different settings"):
        run_experiment(
            make_spec(),
            100,
            seed=2,
            batch_size=50,
            executor="serial",
            store=tmp_path,
            resume=res.run_id,
        )


def _assert_same_files(a: Path, b: Path) -> None:
    fa = sorted(p.name for p in a.glob("batch-*.parquet"))
    fb = sorted(p.name for p in b.glob("batch-*.parquet"))
    assert fa == fb and fa
    for name in fa:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert not list(b.glob(".*.tmp"))


KILLED_RUN = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from test_run import NoisyModel, make_spec
    from realpolitik.experiment.run import run_experiment
    if __name__ == "__main__":
        run_experiment(make_spec(NoisyModel(delay=0.15)), 4_000, seed=123, batch_size=100,
                       executor="processes", workers=2, store={store!r})
    """
)


@pytest.mark.slow
def test_resume_after_sigkill_is_byte_identical(tmp_path):
    ref = run_experiment(
        make_spec(),
        4_000,
        seed=123,
        batch_size=100,
        executor="processes",
        workers=2,
        store=tmp_path / "ref",
    )
    cut = tmp_path / "cut"
    script = tmp_path / "killed_run.py"
    script.write_text(KILLED_RUN.format(tests=str(TESTS), store=str(cut)))
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = list(cut.glob("runs/*/batch-*.parquet"))
            if len(done) >= 6 or proc.poll() is not None:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()[1].decode()
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the run, its pool and the forkserver
        out, err = proc.communicate()
    runs = list_runs(cut)
    assert runs["status"].tolist() == ["running"]  # killed: nobody could mark it
    run_id = runs["run_id"][0]
    store = Store(cut)
    n_done = len(store.batch_files(run_id))
    assert 6 <= n_done < 40
    res = run_experiment(
        make_spec(), 4_000, seed=123, batch_size=100, executor="serial", store=cut, resume=True
    )
    assert res.run_id == run_id and res.batches_run == 40 - n_done
    assert list_runs(cut)["status"].tolist() == ["complete"]
    _assert_same_files(tmp_path / "ref" / "runs" / ref.run_id, store.run_dir(run_id))
    a = load_draws(tmp_path / "ref", ref.run_id)
    b = load_draws(cut, run_id)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_progress_bar_runs(capsys):
    res = run_experiment(
        make_spec(), 200, seed=0, batch_size=50, executor=SerialExecutor(), progress=True
    )
    assert len(res.frame) == 200
