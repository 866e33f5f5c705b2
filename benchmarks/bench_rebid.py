"""Benchmark: the year-by-year re-bidding simulation of the flagship (reverse-kissinger), this
tree against an older revision, side by side in one run (issues 12 and 17).

Each variant runs in its own Python process (this tree's ``src`` or ``git archive REV src``
unpacked in a temporary directory), the variants alternating round by round, on the same draws
(the scenario's own uncertainties, sampled with seed 1). Per batch size (default 200, 20,000 and
100,000 draws) it prints the median CPU time (``time.process_time``: what a loaded machine
distorts least) of:

* ``simulate``: ``simulate(problem, 0, solution=solution)``, every year of every path;
* ``evaluate``: ``evaluate_batch(problem, rng)`` with its default years (1, 5, 10);
* ``evaluate 1..15``: ``evaluate_batch`` with years 1..15, what the experiment's workers ask for;
* ``point``: the point run's by-year simulation, 1 draw x 4,000 paths (first size only).

Then "2 cores": two processes started together, each evaluating half of the largest batch
(default years, as the experiment's workers split a run), released at the same moment once both
have sampled and built their problem and loaded the compiled kernels where the tree has them
(once per process, like a worker or the dashboard's server; that load's CPU is printed too;
``BENCH_COLD_KERNELS=1`` leaves the load inside the clock); it prints the wall time until both are done (the figure
issue 12's floor is about) and each process's CPU, beside the 1-process figure.

Run: .venv/bin/python benchmarks/bench_rebid.py [--sizes 200,20000,100000] [--repeats 3]
     [--against REV] [--rounds 2] [--kernels auto|numpy|compiled]
``--against``: the revision to compare with (default ``2ea512c``, main before the re-bid work;
``7fd6201``: main before the re-bids solved only the bids (``equilibrium_bids`` on
``bid_accounts``); ``none`` for this tree only). ``--sizes 200,50000`` gives the dashboard's 200
draws and one experiment worker's half of 100,000. ``--kernels`` (default ``auto``: what each
process would choose) sets ``REALPOLITIK_KERNELS`` in every variant's processes: ``compiled``
measures every size with the compiled kernels loaded (a long-lived worker), ``numpy`` the NumPy
path (issue 17 compares ``42c76e0``, main before the simulation's years were made faster, both
ways).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _problem(draws: int, part: tuple[int, int] | None = None):  # type: ignore[no-untyped-def]
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.adapters.realignment import problem_from_scenario
    from realpolitik.scenario.examples import example_path
    from realpolitik.scenario.load import load

    scenario = load(example_path("reverse-kissinger"))
    samples = experiment_spec(scenario, ["realignment"]).sample(draws, np.random.default_rng(1))
    if part is not None:
        lo, hi = part
        samples = {k: v[lo:hi] for k, v in samples.items()}
        draws = hi - lo
    return scenario, problem_from_scenario(scenario, samples, draws)


def _cpu(fn, repeats: int) -> float:  # type: ignore[no-untyped-def]
    """Median CPU seconds of ``repeats`` calls."""
    out = []
    for _ in range(repeats):
        c = time.process_time()
        fn()
        out.append(time.process_time() - c)
    return float(np.median(out))


def worker(sizes: list[int], repeats: int) -> dict[str, float]:
    """This process's figures (CPU seconds) for every size."""
    from realpolitik.models.adapters.realignment import problem_from_scenario
    from realpolitik.models.realignment import evaluate_batch, simulate, solve

    out: dict[str, float] = {}
    for i, n in enumerate(sizes):
        scenario, pb = _problem(n)
        sol = solve(pb)
        reps = repeats if n <= 20_000 else 1
        if n <= 20_000:
            simulate(pb, 0, solution=sol)  # warm-up
        out[f"simulate {n}"] = _cpu(lambda: simulate(pb, 0, solution=sol), reps)  # noqa: B023
        out[f"evaluate {n}"] = _cpu(lambda: evaluate_batch(pb, 0), reps)  # noqa: B023
        yrs = tuple(range(1, 16))
        out[f"evaluate 1..15 {n}"] = _cpu(lambda: evaluate_batch(pb, 0, years=yrs), reps)  # noqa: B023
        if i == 0:
            point = problem_from_scenario(scenario)
            psol = solve(point)
            out["point 4000 paths"] = _cpu(
                lambda: simulate(point, 0, solution=psol, paths=4000),  # noqa: B023
                max(repeats, 3),
            )
    return out


def half_worker(draws: int, half: int) -> dict[str, float]:
    """One of the two "2 cores" processes: wait for the go, evaluate its half."""
    from realpolitik.models.realignment import evaluate_batch

    mid = draws // 2
    _, pb = _problem(draws, (0, mid) if half == 0 else (mid, draws))
    load = 0.0 if os.environ.get("BENCH_COLD_KERNELS") else _load_kernels(pb)
    print("ready", flush=True)
    sys.stdin.readline()
    w, c = time.perf_counter(), time.process_time()
    evaluate_batch(pb, np.random.default_rng(half))
    return {
        "wall": time.perf_counter() - w,
        "cpu": time.process_time() - c,
        "end": time.time(),
        "load": load,
    }


def _load_kernels(pb: Any) -> float:
    """Load the compiled kernels once, before the clock starts, as a long-lived worker or the
    dashboard's server has them (a tree without them: nothing to load); returns the CPU seconds
    it took (Numba's import and its cached code: once per process)."""
    import importlib

    from realpolitik.models.realignment import evaluate_batch

    c = time.process_time()
    try:
        backend = importlib.import_module("realpolitik.models.realignment.backend")
        modules = getattr(backend, "KERNEL_MODULES", ())
    except ImportError:
        return 0.0
    loaded = False
    for name in modules:
        try:
            importlib.import_module(name)
            loaded = True
        except ImportError:
            pass
    if loaded:
        evaluate_batch(pb.take(slice(0, 64)), np.random.default_rng(0))
    return time.process_time() - c


def _tree(rev: str, tmp: Path) -> Path:
    """``src`` of ``rev`` unpacked under ``tmp``."""
    data = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "src"], check=True, capture_output=True
    ).stdout
    dest = tmp / rev
    with tarfile.open(fileobj=__import__("io").BytesIO(data)) as tar:
        tar.extractall(dest, filter="data")
    return dest / "src"


def _env(src: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(src)}


def _run(src: Path, args: list[str]) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", *args]
    res = subprocess.run(cmd, env=_env(src), check=True, capture_output=True, text=True)
    out: dict[str, float] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def _two_cores(src: Path, draws: int) -> dict[str, float]:
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--half", str(h), "--sizes", str(draws)],
            env=_env(src),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for h in (0, 1)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    go = time.time()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    res = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
    return {
        "wall (both done)": max(r["end"] for r in res) - go,
        "cpu per process": max(r["cpu"] for r in res),
        "kernel load per process (before the clock, CPU)": max(r["load"] for r in res),
    }


def main() -> None:
    """Run the variants side by side and print the table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="200,20000,100000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--against", default="2ea512c")
    ap.add_argument("--worker", action="store_true")
    ap.add_argument("--half", type=int, default=-1)
    ap.add_argument("--kernels", default="auto", choices=("auto", "numpy", "compiled"))
    a = ap.parse_args()
    if a.kernels != "auto":
        os.environ["REALPOLITIK_KERNELS"] = a.kernels  # inherited by every variant's processes
    sizes = [int(x) for x in a.sizes.split(",")]
    if a.worker:
        print(json.dumps(worker(sizes, a.repeats)))
        return
    if a.half >= 0:
        print(json.dumps(half_worker(sizes[-1], a.half)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        variants = {"this tree": ROOT / "src"}
        if a.against != "none":
            variants[a.against] = _tree(a.against, Path(tmp))
        runs: dict[str, list[dict[str, float]]] = {k: [] for k in variants}
        for r in range(a.rounds):
            for name in list(variants)[:: (1 if r % 2 == 0 else -1)]:
                src = variants[name]
                runs[name].append(
                    {
                        **_run(src, ["--sizes", a.sizes, "--repeats", str(a.repeats)]),
                        **{f"2 cores {k}": v for k, v in _two_cores(src, sizes[-1]).items()},
                    }
                )
    med = {k: {m: float(np.median([r[m] for r in v])) for m in v[0]} for k, v in runs.items()}
    names = list(variants)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _whole_process import machine

    print(machine())
    print(f"flagship re-bidding, CPU s (median of {a.rounds} rounds); largest batch {sizes[-1]:,}")
    print(f"kernels: {os.environ.get('REALPOLITIK_KERNELS', 'auto')}")
    print(
        f"{'figure':34s}"
        + "".join(f"{n:>14s}" for n in names)
        + ("   ratio" if len(names) > 1 else "")
    )
    for m in med[names[0]]:
        vals = [med[n][m] for n in names]
        ratio = f"   {vals[1] / vals[0]:5.2f}x" if len(vals) > 1 and vals[0] > 0 else ""
        print(f"{m:34s}" + "".join(f"{v:14.4f}" for v in vals) + ratio)
    print("('2 cores': two processes each evaluating half the largest batch, started together;")
    print(" wall = until both are done; ratio = other revision / this tree)")


if __name__ == "__main__":
    main()
