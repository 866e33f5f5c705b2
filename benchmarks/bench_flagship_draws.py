"""Throughput and memory of Monte Carlo runs of the flagship scenario.

Runs `reverse-kissinger` (realignment and landscape models, all its uncertainties) through the
experiment layer, writing Parquet batches to a temporary store, and reports draws per second for
1 worker, 2 worker processes and a Dask LocalCluster of 2 and 4 worker processes (the code path a
SLURM cluster uses through dask-jobqueue), and the peak memory of the whole process tree for the
large run.

Run: python benchmarks/bench_flagship_draws.py [--draws 200000] [--big 1000000]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import threading
import time
from pathlib import Path


def tree_memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB summed over a process and its descendants, from /proc.

    RSS counts pages shared between the processes (the libraries every worker maps) once per
    process; PSS divides shared pages among the processes that map them, so its sum is the
    memory the tree really takes.
    """
    rss = pss = 0
    pids = [pid]
    seen = set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    pids.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return rss / 1024, pss / 1024


class PeakSampler:
    def __init__(self) -> None:
        self.peak = 0.0
        self.peak_pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory_mib(os.getpid())
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            time.sleep(0.05)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=200_000)
    ap.add_argument("--big", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=20_000)
    args = ap.parse_args()

    import realpolitik
    from realpolitik.experiment.run import run_experiment
    from realpolitik.experiment.scenario_experiment import experiment_spec

    s = realpolitik.load("reverse-kissinger")
    spec = experiment_spec(s, ["realignment", "landscape"])
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"{len(spec.uncertainties)} uncertain inputs"
    )
    print(
        f"{'executor':<28} {'draws':>9} {'seconds':>8} {'draws/s':>9} {'peak RSS MiB':>13} "
        f"{'peak PSS MiB':>13}"
    )
    cases = [
        ("serial (1 worker)", "serial", 1, args.draws),
        ("processes, 1 worker", "processes", 1, args.draws),
        ("processes, 2 workers", "processes", 2, args.draws),
        ("dask LocalCluster, 2 procs", "dask", 2, args.draws),
        ("dask LocalCluster, 4 procs", "dask", 4, args.draws),
        ("processes, 2 workers", "processes", 2, args.big),
    ]
    summaries = {}
    for name, executor, workers, draws in cases:
        if draws <= 0:
            continue
        with tempfile.TemporaryDirectory() as tmp, PeakSampler() as peak:
            t = time.perf_counter()
            result = run_experiment(
                spec,
                draws=draws,
                seed=1,
                batch_size=args.batch,
                executor=executor,
                workers=workers,
                store=Path(tmp) / "store",
            )
            elapsed = time.perf_counter() - t
            summaries[(name, draws)] = result.summary()["mean"]
        print(
            f"{name:<28} {draws:>9,} {elapsed:>8.2f} {draws / elapsed:>9,.0f} {peak.peak:>13.0f} "
            f"{peak.peak_pss:>13.0f}"
        )
    same = {k: v for k, v in summaries.items() if k[1] == args.draws}
    first = next(iter(same.values()))
    # Series.equals counts NaN (an outcome undefined in every draw) as equal to NaN
    print(
        "identical outcome means across executors (bit for bit):",
        all(v.equals(first) for v in same.values()),
    )


if __name__ == "__main__":
    main()
