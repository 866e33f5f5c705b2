"""Throughput and memory of Monte Carlo runs of the flagship scenario.

Runs `reverse-kissinger` (realignment and landscape models, all its uncertainties) through the
experiment layer, writing Parquet batches to a temporary store, side by side in one run: 1 and 2
local worker processes and a Dask LocalCluster of 2 and 4 worker processes (the code path a SLURM
cluster uses through dask-jobqueue). The 2-worker LocalCluster runs twice: cold (its start-up
counted, as a one-off ``realpolitik run --cluster local`` pays it) and reused (as the later steps
of a run, or a cluster already up, see it). On a 2-core machine 4 workers oversubscribe the
cores. For each: wall seconds and draws/s (including starting the workers and the summary), CPU
seconds of the whole process tree, and its peak RSS and PSS (summed from /proc/*/smaps_rollup
over the tree, sampled every 0.2 s). The summaries (computed in the workers) must be identical
whatever the executor.

Run: python benchmarks/bench_flagship_draws.py [--draws 1000000] [--batch 20000]
[--cases "processes 2,processes 1"] (a subset of the cases, for quick checks; the ratios need
the cases they compare)
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import threading
import time
from pathlib import Path


def _tree(pid: int) -> list[int]:
    """A process and its descendants (from /proc)."""
    pids, seen = [pid], []
    while pids:
        p = pids.pop()
        if p in seen:
            continue
        seen.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    pids.extend(int(c) for c in fh.read().split())
        except OSError:
            continue
    return seen


def tree_memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB summed over a process and its descendants, from /proc.

    RSS counts pages shared between the processes (the libraries every worker maps) once per
    process; PSS divides shared pages among the processes that map them, so its sum is the
    memory the tree really takes.
    """
    rss = pss = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            continue
    return rss / 1024, pss / 1024


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of one process (not of the children it reaped: a fork server
    reaps the workers, whose time is counted from their own samples)."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:13])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


class TreeSampler:
    """Peak RSS and PSS of the process tree, and the CPU time of every process seen in it
    (the last reading of each: workers that end are counted up to their last sample, 0.2 s)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self.peak_pss = 0.0
        self._cpu: dict[int, float] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, baseline: bool = False) -> None:
        for p in _tree(os.getpid()):
            try:
                c = cpu_seconds(p)
            except OSError:
                continue
            # processes alive at the start (this one, a fork server from an earlier case)
            # count from there; those born since, from zero
            self._start.setdefault(p, c if baseline else 0.0)
            self._cpu[p] = c

    def _run(self) -> None:
        while not self._stop.is_set():
            rss, pss = tree_memory_mib(os.getpid())
            self.peak = max(self.peak, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self._sample()
            time.sleep(0.2)  # reading smaps_rollup costs about 1 ms a process

    @property
    def cpu(self) -> float:
        """CPU seconds the tree spent while sampled (the parent's from the start)."""
        return sum(c - self._start.get(p, 0.0) for p, c in self._cpu.items())

    def __enter__(self) -> TreeSampler:
        self._sample(baseline=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def machine() -> str:
    """The CPU model, cores and memory of this machine."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(
                line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")
            )
        with open("/proc/meminfo") as fh:
            mem = int(fh.readline().split()[1]) / 2**20
    except (OSError, StopIteration):
        mem = float("nan")
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB; {platform.platform()}"


CASES = {
    "processes 1": ("processes, 1 worker", "processes", 1, 1),
    "processes 2": ("processes, 2 workers", "processes", 2, 1),
    # run twice in one process: cold (starting the cluster), then on the same cluster
    "dask 2": ("dask LocalCluster, 2 procs", "dask", 2, 2),
    "dask 4": ("dask LocalCluster, 4 procs", "dask", 4, 1),
}


def run_case(case: str, draws: int, batch: int, out: Path) -> None:
    """Run one executor case in this (fresh) process; write its rows and summaries to ``out``."""
    import pickle

    import realpolitik
    from realpolitik.experiment.executors import close_shared_executors
    from realpolitik.experiment.run import run_experiment
    from realpolitik.experiment.scenario_experiment import experiment_spec

    name, executor, workers, repeats = CASES[case]
    spec = experiment_spec(realpolitik.load("reverse-kissinger"), ["realignment", "landscape"])
    rows = []
    for repeat in range(repeats):
        with tempfile.TemporaryDirectory() as tmp, TreeSampler() as tree:
            t = time.perf_counter()
            result = run_experiment(
                spec,
                draws=draws,
                seed=1,
                batch_size=batch,
                executor=executor,
                workers=workers,
                store=Path(tmp) / "store",
            )
            summary = result.summary()
            elapsed = time.perf_counter() - t
        label = name if repeat == 0 else "dask 2 procs, reused"
        rows.append((label, workers, elapsed, tree.cpu, tree.peak, tree.peak_pss, summary))
    close_shared_executors()
    out.write_bytes(pickle.dumps(rows))


def main() -> None:
    import pickle
    import subprocess
    import sys

    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=20_000)
    ap.add_argument(
        "--cases",
        default=",".join(CASES),
        help="comma-separated cases to run (default: all): " + ", ".join(CASES),
    )
    ap.add_argument("--case", choices=sorted(CASES), help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        run_case(args.case, args.draws, args.batch, args.out)
        return
    cases = [c.strip() for c in args.cases.split(",") if c.strip()]
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        ap.error(f"--cases: unknown {unknown}; expected some of {list(CASES)}")

    print(f"machine: {machine()}; Python {platform.python_version()}")
    print(
        f"reverse-kissinger, {args.draws:,} draws, batches of {args.batch:,}, outcomes only "
        "stored (inputs regenerable); each executor in a fresh process"
    )
    print(
        f"{'executor':<28} {'seconds':>8} {'draws/s':>9} {'CPU s':>7} {'CPU us/draw':>11} "
        f"{'peak RSS MiB':>13} {'peak PSS MiB':>13}"
    )
    cores = len(os.sched_getaffinity(0))
    summaries, rates = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases:
            out = Path(tmp) / "case.pickle"
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--draws",
                    str(args.draws),
                    "--batch",
                    str(args.batch),
                    "--case",
                    case,
                    "--out",
                    str(out),
                ],
                check=True,
            )
            for name, workers, elapsed, cpu, rss, pss, summary in pickle.loads(out.read_bytes()):
                summaries[name] = summary
                rates[name] = args.draws / elapsed
                print(
                    f"{name:<28} {elapsed:>8.2f} {rates[name]:>9,.0f} {cpu:>7.1f} "
                    f"{1e6 * cpu / args.draws:>11.1f} {rss:>13.0f} {pss:>13.0f}"
                    + (f"  ({workers} workers on {cores} cores)" if workers > cores else "")
                )
    if set(cases) == set(CASES):
        local = rates["processes, 2 workers"]
        dask2 = rates["dask LocalCluster, 2 procs"]
        print(
            f"2 workers / 1 worker: {local / rates['processes, 1 worker']:.2f}x; "
            f"dask 2 / processes 2: {dask2 / local:.2f}x cold, "
            f"{rates['dask 2 procs, reused'] / local:.2f}x reused (floor 0.80x); "
            f"dask 4 / dask 2: {rates['dask LocalCluster, 4 procs'] / dask2:.2f}x"
        )
    first = next(iter(summaries.values()))
    # DataFrame.equals counts NaN (an outcome undefined in every draw) as equal to NaN
    print(
        "identical summaries across executors and worker counts (bit for bit):",
        all(v.equals(first) for v in summaries.values()),
    )


if __name__ == "__main__":
    main()
