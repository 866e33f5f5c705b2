"""Executors: one shared Dask cluster per process, the same draws on every backend."""

from __future__ import annotations

import pandas as pd
import pytest
from test_run import make_spec

from realpolitik.experiment import executors
from realpolitik.experiment.executors import (
    DaskExecutor,
    close_shared_executors,
    make_executor,
)
from realpolitik.experiment.run import run_experiment


@pytest.fixture
def no_shared_clusters():
    close_shared_executors()
    yield
    close_shared_executors()


def test_one_local_cluster_per_process_reused_by_every_step(no_shared_clusters, monkeypatch):
    """Two steps asking for the same Dask workers get the same LocalCluster (started once);
    leaving a step does not close it; close_shared_executors does, and the next step starts a
    new one."""
    started = []
    real = executors._local_cluster

    def counting(n, processes):
        started.append(n)
        return real(n, processes=False)  # threads: the test is about reuse, not processes

    monkeypatch.setattr(executors, "_local_cluster", counting)
    with make_executor("dask", workers=2) as first:
        pass
    with make_executor("dask", workers=2) as second:
        assert second.client is first.client and second.running
        assert second._futures is not first._futures  # each step cancels only its own
    assert started == [2]
    with make_executor("dask", workers=1) as other:  # another size: another cluster
        assert other.client is not first.client
    assert started == [2, 1]
    close_shared_executors()
    assert not first.running and not executors._SHARED
    with make_executor("dask", workers=2) as third:
        assert third.client is not first.client and third.running
    assert started == [2, 1, 2]


def test_an_executor_made_directly_closes_its_cluster():
    with DaskExecutor(workers=1, processes=False) as dask:
        assert dask.running
    assert not dask.running


@pytest.mark.slow
def test_dask_process_workers_give_the_same_draws_and_summaries(no_shared_clusters):
    """A LocalCluster of worker processes (1 and 2 workers), reused by two runs, gives the
    serial run's draws and summaries bit for bit."""
    spec = make_spec()
    ref = run_experiment(spec, 2_500, seed=3, batch_size=300, executor="serial")
    for workers in (2, 1, 2):
        got = run_experiment(spec, 2_500, seed=3, batch_size=300, executor="dask", workers=workers)
        pd.testing.assert_frame_equal(got.frame, ref.frame, check_exact=True)
        pd.testing.assert_frame_equal(got.summary(), ref.summary(), check_exact=True)
    assert sorted(key[1] for key in executors._SHARED) == [1, 2]
