"""Benchmark of the experiment layer: throughput per executor and peak memory of a long run.

Usage::

    .venv/bin/python benchmarks/bench_experiment.py                      # the 20-input toy model
    .venv/bin/python benchmarks/bench_experiment.py --draws 1000000 --throughput-draws 200000
    .venv/bin/python benchmarks/bench_experiment.py --spec mypackage.mymodule:make_spec

``--spec module:function`` names a function returning an :class:`ExperimentSpec` (for example one
built from a shipped scenario and the realignment model), so any model can be measured.

What is measured:

* throughput (draws/s, wall clock, including the executor's start-up and writing every batch to
  Parquet) for the serial executor, the process pool with 1 and 2 workers and a Dask LocalCluster
  with 2 worker processes (its start-up is reported apart);
* for the long run (default 1,000,000 draws, process pool, 2 workers): wall time and the peak
  memory of the whole process tree (parent, fork server and workers), sampled every 50 ms with
  psutil as the sum of RSS (an over-estimate: pages shared copy-on-write are counted once per
  process) and the sum of PSS (shared pages split between processes), plus
  ``getrusage(RUSAGE_SELF)`` and ``getrusage(RUSAGE_CHILDREN)`` peak RSS for reference.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import resource
import shutil
import tempfile
import threading
import time

import numpy as np

from realpolitik.experiment.executors import DaskExecutor
from realpolitik.experiment.run import run_experiment
from realpolitik.experiment.uncertainty import (
    ExperimentSpec,
    Uncertainty,
    correlation_matrix,
    distribution_from_spec,
)


class ToyRealignment:
    """A stand-in with the shape of the flagship model: ~20 inputs, a few vectorised sums.

    The pivot compares the discounted value of switching to the courter against staying with the
    incumbent, net of trade lost to retaliation and not replaced, and of a one-off switching cost.
    """

    def evaluate(self, s, rng):
        years = s["realignment.horizon"]
        r = s["realignment.discount_rate"]
        annuity = (1.0 - (1.0 + r) ** (-years)) / r
        trade = s["realignment.trade.with_incumbent"] * s["realignment.trade.gains_share"]
        lost = (
            trade
            * s["realignment.trade.retaliation.courter"]
            * (1.0 - s["realignment.trade.replacement_capacity.courter"])
        )
        levers = (
            s["levers.sphere.value"] * s["commitment.survival"]
            + s["levers.sanctions.value"]
            + s["levers.trade-binding.value"] * s["commitment.survival"] ** 2
        )
        other = (
            s["realignment.components.security.courter"]
            + s["realignment.components.status.courter"]
            + s["realignment.domestic.weight"] * (s["factions.position"] - 50.0) / 50.0
        )
        noise = rng.normal(0.0, s["model.noise"])
        net = annuity * (levers + other - lost + noise) - s["realignment.switching_cost.courter"]
        cost = annuity * (s["levers.sphere.cost"] + s["levers.sanctions.cost"])
        return {
            "net_value": net,
            "realigns": net > 0.0,
            "courter_cost": cost,
            "value_per_cost": net / np.maximum(cost, 1e-9),
        }


TOY_INPUTS = {
    "realignment.horizon": {"kind": "choice", "values": [5, 10, 15]},
    "realignment.discount_rate": {"kind": "uniform", "low": 0.02, "high": 0.10},
    "realignment.trade.with_incumbent": {
        "kind": "triangular",
        "low": 150,
        "mode": 240,
        "high": 300,
    },
    "realignment.trade.gains_share": {"kind": "pert", "low": 0.05, "mode": 0.15, "high": 0.4},
    "realignment.trade.retaliation.courter": {"kind": "beta", "a": 4, "b": 2},
    "realignment.trade.replacement_capacity.courter": {"kind": "beta", "a": 2, "b": 5},
    "levers.sphere.value": {"kind": "triangular", "low": 0, "mode": 20, "high": 60},
    "levers.sphere.cost": {"kind": "uniform", "low": 5, "high": 40},
    "levers.sanctions.value": {"kind": "pert", "low": 5, "mode": 30, "high": 80},
    "levers.sanctions.cost": {"kind": "truncnormal", "mean": 20, "sd": 10, "low": 0, "high": 60},
    "levers.trade-binding.value": {"kind": "lognormal", "mu": 2.0, "sigma": 0.6},
    "commitment.survival": {"kind": "pert", "low": 0.2, "mode": 0.5, "high": 0.9},
    "realignment.components.security.courter": {"kind": "normal", "mean": -10, "sd": 8},
    "realignment.components.status.courter": {"kind": "normal", "mean": -5, "sd": 5},
    "realignment.domestic.weight": {"kind": "uniform", "low": 0, "high": 30},
    "factions.position": {"kind": "truncnormal", "mean": 35, "sd": 15, "low": 0, "high": 100},
    "realignment.switching_cost.courter": {
        "kind": "triangular",
        "low": 20,
        "mode": 60,
        "high": 200,
    },
    "model.noise": {"kind": "uniform", "low": 1, "high": 10},
    "actors.RUS.size": {"kind": "normal", "mean": 0.12, "sd": 0.01},
    "actors.CHN.size": {"kind": "normal", "mean": 0.35, "sd": 0.02},
}


def toy_spec() -> ExperimentSpec:
    """The 20-input stand-in, with two correlations."""
    uncertainties = tuple(
        Uncertainty(path, distribution_from_spec(dist)) for path, dist in TOY_INPUTS.items()
    )
    corr = correlation_matrix(
        list(TOY_INPUTS),
        [
            ("realignment.trade.with_incumbent", "realignment.trade.retaliation.courter", 0.5),
            ("levers.sphere.value", "levers.sphere.cost", 0.6),
        ],
    )
    return ExperimentSpec(
        uncertainties,
        ToyRealignment(),
        correlation=corr,
        scenario_name="toy-realignment",
        scenario_hash="bench",
    )


def load_spec(name: str | None) -> ExperimentSpec:
    if name is None:
        return toy_spec()
    module, _, func = name.partition(":")
    return getattr(importlib.import_module(module), func or "make_spec")()


class TreeMemory:
    """Sample the RSS and PSS of this process and all its descendants."""

    def __init__(self, interval: float = 0.05) -> None:
        import psutil

        self._psutil = psutil
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = self._psutil.Process()
        while not self._stop.is_set():
            rss = pss = 0
            procs = [me, *me.children(recursive=True)]
            for p in procs:
                try:
                    info = p.memory_full_info()
                except (self._psutil.NoSuchProcess, self._psutil.AccessDenied):
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_processes = max(self.peak_processes, len(procs))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed_run(spec, draws, batch_size, executor, workers, seed=0):
    store = tempfile.mkdtemp(prefix="rp-bench-")
    try:
        t0 = time.perf_counter()
        res = run_experiment(
            spec,
            draws,
            seed,
            batch_size=batch_size,
            executor=executor,
            workers=workers,
            store=store,
        )
        wall = time.perf_counter() - t0
        summary = res.summary_dict()
        size = sum(f.stat().st_size for f in res.store.batch_files(res.run_id))
    finally:
        shutil.rmtree(store, ignore_errors=True)
    return wall, summary, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", help="module:function returning an ExperimentSpec")
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--throughput-draws", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=20_000)
    parser.add_argument("--skip", default="", help="comma-separated: serial,p1,p2,dask,long")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    spec = load_spec(args.spec)
    print(
        f"{platform.python_version()} on {os.cpu_count()} CPUs (usable: "
        f"{len(os.sched_getaffinity(0))}); load average {os.getloadavg()[0]:.1f}"
    )
    print(f"spec: {spec.scenario_name}, {spec.dimension} inputs; batch size {args.batch_size}")
    out: dict = {"inputs": spec.dimension, "batch_size": args.batch_size}

    n = args.throughput_draws
    runs = [("serial", "serial", None), ("p1", "processes", 1), ("p2", "processes", 2)]
    ref = None
    for key, executor, workers in runs:
        if key in skip:
            continue
        wall, summary, size = timed_run(spec, n, args.batch_size, executor, workers)
        ref = ref or summary["outcomes"]
        if summary["outcomes"] != ref:
            raise SystemExit(f"{key}: results differ from the first executor's")
        print(
            f"{key:>8}: {n:,} draws in {wall:6.2f} s = {n / wall:>9,.0f} draws/s "
            f"({size / n:.0f} bytes/draw on disk)"
        )
        out[key] = {"draws": n, "seconds": wall, "draws_per_s": n / wall}
    if "dask" not in skip:
        t0 = time.perf_counter()
        with DaskExecutor(workers=2, processes=True) as dask:
            startup = time.perf_counter() - t0
            wall, summary, _ = timed_run(spec, n, args.batch_size, dask, None)
        if ref is not None and summary["outcomes"] != ref:
            raise SystemExit("dask: results differ from the first executor's")
        print(
            f"{'dask':>8}: {n:,} draws in {wall:6.2f} s = {n / wall:>9,.0f} draws/s "
            f"(LocalCluster, 2 processes; start-up {startup:.1f} s not included)"
        )
        out["dask"] = {"draws": n, "seconds": wall, "draws_per_s": n / wall, "startup": startup}

    if "long" not in skip:
        with TreeMemory() as mem:
            wall, summary, size = timed_run(spec, args.draws, args.batch_size, "processes", 2)
        self_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        mib = 2**20
        print(
            f"{'long':>8}: {args.draws:,} draws, processes x2, in {wall:.1f} s = "
            f"{args.draws / wall:,.0f} draws/s; {size / mib:.0f} MiB of Parquet"
        )
        print(
            f"          peak tree memory: RSS sum {mem.peak_rss / mib:.0f} MiB, "
            f"PSS sum {mem.peak_pss / mib:.0f} MiB over {mem.peak_processes} processes; "
            f"getrusage peak RSS self {self_peak / mib:.0f} MiB, "
            f"largest waited child {child_peak / mib:.0f} MiB"
        )
        print("          summary:", json.dumps(summary["outcomes"]))
        out["long"] = {
            "draws": args.draws,
            "seconds": wall,
            "draws_per_s": args.draws / wall,
            "peak_tree_rss_mib": mem.peak_rss / mib,
            "peak_tree_pss_mib": mem.peak_pss / mib,
            "parquet_mib": size / mib,
        }
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=2)


if __name__ == "__main__":
    main()
