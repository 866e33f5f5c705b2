"""Throughput and memory of Monte Carlo runs of the flagship scenario.

Runs `reverse-kissinger` (realignment and landscape models, all its uncertainties) through the
experiment layer, writing Parquet batches to a temporary store, and reports draws per second for
1 worker, 2 worker processes and a Dask LocalCluster, and the peak memory of the whole process
tree for the large run.

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


def tree_rss_mib(pid: int) -> float:
    """Resident memory (MiB) of a process and its children, from /proc."""
    total = 0
    pids = [pid]
    seen = set()
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            with open(f"/proc/{p}/task/{p}/children") as fh:
                pids.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return total / 1024


class PeakSampler:
    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_mib(os.getpid()))
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
    from realpolitik.experiment.scenario_runs import experiment_spec

    s = realpolitik.load("reverse-kissinger")
    spec = experiment_spec(s, ["realignment", "landscape"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
          f"{len(spec.uncertainties)} uncertain inputs")
    print(f"{'executor':<28} {'draws':>9} {'seconds':>8} {'draws/s':>9} {'peak tree RSS MiB':>18}")
    cases = [("serial (1 worker)", "serial", 1, args.draws),
             ("processes, 1 worker", "processes", 1, args.draws),
             ("processes, 2 workers", "processes", 2, args.draws),
             ("dask LocalCluster, 2 procs", "dask", 2, args.draws),
             ("processes, 2 workers", "processes", 2, args.big)]
    summaries = {}
    for name, executor, workers, draws in cases:
        if draws <= 0:
            continue
        with tempfile.TemporaryDirectory() as tmp, PeakSampler() as peak:
            t = time.perf_counter()
            result = run_experiment(spec, draws=draws, seed=1, batch_size=args.batch,
                                    executor=executor, workers=workers, store=Path(tmp) / "store")
            elapsed = time.perf_counter() - t
            summaries[(name, draws)] = result.summary()["mean"].round(12).to_dict()
        print(f"{name:<28} {draws:>9,} {elapsed:>8.2f} {draws / elapsed:>9,.0f} {peak.peak:>18.0f}")
    same = {k: v for k, v in summaries.items() if k[1] == args.draws}
    first = next(iter(same.values()))
    print("identical outcome means across executors:", all(v == first for v in same.values()))


if __name__ == "__main__":
    main()
