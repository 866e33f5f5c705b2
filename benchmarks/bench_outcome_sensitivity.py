"""Cost of the sensitivity of every declared outcome from a run's own draws.

Runs `reverse-kissinger` (in memory, one worker) for each number of draws asked, then times
:func:`~realpolitik.experiment.outcome_sensitivity.outcome_sensitivities` on its draws (every
declared outcome: two yes/no outcomes by Borgonovo's delta, two quantities by PAWN, each with its
bootstrap and dummy inputs) beside the draws themselves, as CPU time (``time.process_time``) and
wall time. The ratio of the two CPU times is what the sensitivity adds to a run.

Then, per outcome, its bootstrap half-widths and its input slices side by side with the
whole-table reference they replaced (a sparse product building the full (resample, input, slice,
outcome bin) table; ``np.unique`` plus a stable sort per input), alternating for ``--repeat``
rounds: median CPU times, their ratio, and whether the results are the same bit for bit.

With ``--baseline OTHER/src`` (e.g. main's), last, the explanations of a stored 20,000-draw run
(``explain_draws`` without the Sobol' indices: the outcome sensitivity and discovery, reading the
draws back) are timed in a process of each tree, alternating, one BLAS thread as the CLI runs.

Run: python benchmarks/bench_outcome_sensitivity.py [--draws 20000 100000] [--repeat 5]
     [--baseline ../main/src]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _whole_process as W  # noqa: E402


def _reference_half_widths(slices, bins, n_bins, rng):
    """The whole-table bootstrap, as the module computed it before (see the tests)."""
    import scipy.sparse

    import realpolitik.experiment.outcome_sensitivity as OS

    k, n = slices.shape
    cells = OS._cells(slices, bins, n_bins).ravel()
    membership = scipy.sparse.csr_matrix(
        (np.ones(cells.size, dtype=np.float32), (cells, np.tile(np.arange(n), k))),
        shape=(k * OS.SLICES * n_bins, n),
    )
    picks = OS._resample_picks(n, rng)
    tables = np.asarray(membership @ picks, dtype=float).T.reshape(
        OS.BOOTSTRAP, k, OS.SLICES, n_bins
    )
    replicates = np.concatenate(
        [OS.slice_distances(tables[b : b + 8]) for b in range(0, OS.BOOTSTRAP, 8)]
    )
    return OS._Z95 * replicates.std(axis=0, ddof=1)


def _reference_slices(X):
    """Input slices by ``np.unique`` and a separate stable ranking sort per input."""
    import realpolitik.experiment.outcome_sensitivity as OS

    out = []
    for j in range(X.shape[1]):
        x = X[:, j]
        values = np.unique(x)
        if values.size <= OS.SLICES:
            out.append(np.searchsorted(values, x).astype(np.int64))
            continue
        rank = np.empty(x.size, dtype=np.int64)
        rank[np.argsort(x, kind="stable")] = np.arange(x.size)
        out.append(rank * OS.SLICES // x.size)
    return np.stack(out)


def _cpu(fn, *args):
    t = time.process_time()
    out = fn(*args)
    return time.process_time() - t, out


def side_by_side(frame, outcomes, uncertainties, repeat: int) -> None:
    """Median CPU of the reference and the new path, per step, alternating round by round."""
    import realpolitik.experiment.outcome_sensitivity as OS

    X = frame[[u.path for u in uncertainties]].to_numpy(dtype=float)
    steps = {"input slices": (_reference_slices, OS.all_input_slices, (X,))}
    slices = OS.all_input_slices(X)
    for o in outcomes:
        bins = OS.outcome_bins(frame[o.column].to_numpy(dtype=float), o.is_indicator, o.direction)
        n_bins = int(bins.max()) + 1
        steps[f"bootstrap {o.name} ({n_bins} bins)"] = (
            lambda *a: _reference_half_widths(*a, np.random.default_rng(1)),
            lambda *a: OS._bootstrap_half_widths(*a, np.random.default_rng(1)),
            (slices, bins, n_bins),
        )
    print(f"{'step':<34} {'ref cpu s':>10} {'new cpu s':>10} {'ratio':>7}  same bits")
    for name, (ref, new, args) in steps.items():
        times = {"ref": [], "new": []}
        same = True
        for _ in range(repeat):
            t_ref, a = _cpu(ref, *args)
            t_new, b = _cpu(new, *args)
            times["ref"].append(t_ref)
            times["new"].append(t_new)
            same = same and np.array_equal(a, b, equal_nan=True)
        r, n = statistics.median(times["ref"]), statistics.median(times["new"])
        print(f"{name:<34} {r:>10.3f} {n:>10.3f} {r / n:>6.1f}x  {'yes' if same else 'NO'}")


def explain_cpu(rounds: int) -> None:
    """(In a child process) median CPU of ``explain_draws`` without Sobol' on a stored run."""
    import tempfile

    import realpolitik.experiment.scenario_run as SR
    from realpolitik.experiment.options import RunOptions
    from realpolitik.scenario.load import load

    with tempfile.TemporaryDirectory() as tmp:
        opts = RunOptions(draws=20_000, seed=1, workers=1, sensitivity=False, store=Path(tmp))
        draws = SR.run_scenario(load("reverse-kissinger"), opts).draws
        SR._start_sobol = lambda *a, **k: "not timed"  # the model runs of the design: not ours
        SR.explain_draws(draws, opts)  # warm: the imports
        times = []
        for _ in range(rounds):
            t = time.process_time()
            SR.explain_draws(draws, opts)
            times.append(time.process_time() - t)
    print(f"EXPLAIN_CPU {statistics.median(times):.4f}")


def explain_side_by_side(baseline: str, rounds: int) -> None:
    """The explanations' CPU in this tree and in ``baseline``, each in its own process."""
    import os
    import subprocess

    here = str(Path(__file__).resolve().parents[1] / "src")
    cpu: dict[str, list[float]] = {"this tree": [], "baseline": []}
    for _ in range(rounds):
        for name, src in (("this tree", here), ("baseline", str(Path(baseline).resolve()))):
            env = dict(os.environ, PYTHONPATH=src, OPENBLAS_NUM_THREADS="1")
            out = subprocess.run(
                [sys.executable, __file__, "--explain-only"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            cpu[name].append(float(out.split("EXPLAIN_CPU")[1]))
    new, old = statistics.median(cpu["this tree"]), statistics.median(cpu["baseline"])
    print("\nexplanations of 20,000 stored draws (sensitivity and discovery, no Sobol'), CPU s:")
    print(f"this tree {new:.3f}   baseline {old:.3f}   {old / new:.2f}x less CPU")


def main() -> None:
    """Print the CPU and wall times of the draws and of their sensitivity, per run size."""
    from realpolitik.experiment.options import RunOptions
    from realpolitik.experiment.outcome_sensitivity import outcome_sensitivities
    from realpolitik.experiment.scenario_run import run_scenario
    from realpolitik.scenario.load import load

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", default=None, help="src folder of another checkout")
    parser.add_argument("--explain-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.explain_only:
        explain_cpu(3)
        return
    print(W.machine())
    scenario = load("reverse-kissinger")
    print(f"{'draws':>9} {'draws cpu s':>12} {'sens cpu s':>11} {'sens wall s':>12} {'ratio':>6}")
    runs = []
    for n in args.draws:
        cpu, wall = time.process_time(), time.perf_counter()
        run = run_scenario(scenario, RunOptions(seed=1, draws=n, workers=1, sensitivity=False))
        draws_cpu = time.process_time() - cpu
        assert run.draws is not None and run.draws.run is not None and run.draws.spec is not None
        frame = run.draws.run.to_frame()
        cpu, wall = time.process_time(), time.perf_counter()
        found = outcome_sensitivities(frame, run.draws.outcomes, run.draws.spec.uncertainties, 1)
        sens_cpu, sens_wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{n:>9,} {draws_cpu:>12.2f} {sens_cpu:>11.2f} {sens_wall:>12.2f} "
            f"{sens_cpu / draws_cpu:>6.2f}   ({len(found)} outcomes)"
        )
        runs.append((n, frame, run.draws.outcomes, run.draws.spec.uncertainties))
    for n, frame, outcomes, uncertainties in runs:
        print(f"\n{n:,} draws: the reference (whole table) and the new path side by side")
        side_by_side(frame, outcomes, uncertainties, args.repeat)
    if args.baseline:
        explain_side_by_side(args.baseline, max(1, args.repeat // 2))


if __name__ == "__main__":
    main()
