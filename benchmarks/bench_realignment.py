"""Benchmark: evaluate_batch on 100,000 draws, a synthetic flagship-sized problem and the real
flagship scenario (reverse-kissinger: two levers with adds_replacement_capacity, both paid by the
EU, which has its own valuation since issue 12), side by side with the EU pooled with the United
States (the rule before issue 12: one payer, no participation constraint); the year-by-year
simulation; the exact Shapley decomposition; and the dashboard's point analysis.

Synthetic: 3 courter levers (one adds replacement capacity), 2 incumbent levers, 5 components;
every input sampled per draw. Flagship: the scenario's own uncertainties, 100,000 draws,
probabilities for years 1..15 (and evaluate_batch's default years 1, 5, 10, which simulate
years 11..15 only on paths still in their year-1 realignment). Each row prints the median wall time and the median CPU time
(``time.process_time``: what a loaded machine distorts least) of several repeats. "before" rows
are the references run in the same process: the EU pooled (one payer: no budgeted packages to
solve), and HiGHS (``method="highs"``, the reference the fast path replaced for budgeted
payers; timed on 1,000 draws, with the fast path on the same draws beside it).

``bench_realignment.py simplex [DRAWS] [REPEATS]`` runs only the dual simplex's comparison: the
linear programmes that ``evaluate_batch`` (years 1..15) solves for the flagship's budgeted
packages on DRAWS draws (default 100,000), captured once, then ``lp_min`` on all of them with the
NumPy pivot loop and with the compiled one (``backend.kernels``), alternating, CPU time side by
side; the results are checked to be identical.
"numpy"/"compiled" rows run the same call with the package solvers forced to their NumPy code or
to their compiled twins (``backend.kernels``; the same numbers bit for bit), side by side, with the
CPU-time ratio; ``--kernels`` runs only those rows.
Run: .venv/bin/python benchmarks/bench_realignment.py [REPEATS] [--kernels]
"""

from __future__ import annotations

import os
import platform
import sys
import time

import numpy as np

import realpolitik
from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import (
    RealignmentProblem,
    evaluate_batch,
    shapley_decomposition,
    simulate,
    solve,
)


def flagship_like(B: int, seed: int = 0) -> RealignmentProblem:
    rng = np.random.default_rng(seed)
    u = rng.uniform
    return RealignmentProblem(
        trade_with_incumbent=u(200, 260, B),
        gains_share=u(0.1, 0.3, B),
        retaliation=np.stack([u(0.1, 0.4, B), u(0.5, 0.9, B)], 1),
        replacement_capacity=np.stack([u(20, 80, B), u(40, 120, B)], 1),
        components=u(-20, 20, (B, 5, 2)),
        component_names=("security", "status", "sanctions", "ideology", "domestic"),
        switching_cost=np.stack([u(0, 40, B), u(50, 200, B)], 1),
        courter_value=np.stack([u(5, 20, B), u(20, 60, B)], 1),
        incumbent_value=np.stack([u(5, 30, B), u(20, 80, B)], 1),
        lever_names=("sphere", "binding", "relief", "discount", "arms"),
        lever_side=[0, 0, 0, 1, 1],
        lever_value=u(5, 40, (B, 5)),
        lever_cost=u(2, 40, (B, 5)),
        lever_capacity=np.stack([np.zeros(B), u(50, 150, B), *np.zeros((3, B))], 1),
        lever_committed=[True, True, False, True, False],
        lever_annual_repudiation=u(0.0, 0.1, (B, 5)),
        lever_successor_repudiation=u(0, 0.6, (B, 5)),
        horizon=rng.choice([5, 10, 15], B),
        discount_rate=u(0.02, 0.08, B),
        courter_turnover=Turnover(0.02, 4, 3, u(0.3, 0.7, B)),
        pivot_turnover=Turnover(u(0.02, 0.1, B)),
        incumbent_turnover=Turnover(0.03),
        pivot_annual_repudiation=u(0, 0.05, B),
        pivot_successor_repudiation=u(0, 0.5, B),
        successor_shift=u(-10, 20, (B, 2)),
    )


def timeit(fn, repeat=5):
    """Median (wall, CPU) seconds of ``repeat`` calls after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.median(cpu))


def point_rows(repeat: int) -> list[tuple[str, tuple[float, float]]]:
    """The dashboard's point analysis of the flagship and its parts."""
    from realpolitik.models.adapters.realignment import analyze, commitment_comparison
    from realpolitik.models.realignment.game import need_and_price
    from realpolitik.models.registry import AnalysisContext

    s = realpolitik.load("reverse-kissinger")
    point = problem_from_scenario(s)
    ctx = AnalysisContext(seed=0)
    n = max(repeat, 20)
    return [
        ("point: analyze (reverse-kissinger)", timeit(lambda: analyze(s, ctx), n)),
        ("point: solve (1 draw)", timeit(lambda: solve(point), n)),
        ("point: Shapley, 9 causes (1 draw)", timeit(lambda: shapley_decomposition(point), n)),
        (
            "point: need and price, 512 coalitions",
            timeit(lambda: need_and_price(point.take(np.zeros(512, int))), n),
        ),
        ("point: commitment forms", timeit(lambda: commitment_comparison(s, point), n)),
        (
            "point: simulate, 4000 paths",
            timeit(lambda: simulate(point, 0, paths=4000), n),
        ),
    ]


def flagship_rows(B: int, repeat: int) -> list[tuple[str, float]]:
    from realpolitik.experiment.scenario_experiment import experiment_spec

    s = realpolitik.load("reverse-kissinger")
    spec = experiment_spec(s, ["realignment"])
    t0 = time.perf_counter()
    samples = spec.sample(B, rng=0)
    t_sample = time.perf_counter() - t0
    t0 = time.perf_counter()
    pb = problem_from_scenario(s, samples, B)
    t_build = time.perf_counter() - t0
    sol = solve(pb)
    years = tuple(range(1, 16))
    rng = np.random.default_rng(0)
    # the EU pooled with the United States: no participation constraint (the rule before)
    pooled = pb.with_changes(
        payer_names=(),
        payer_side=None,
        payer_value=None,
        lever_payer=None,
        courter_value=pb.courter_value + pb.payer_value.sum(axis=1),
    )
    one = (t_sample, t_sample)
    rows = [
        ("flagship: sample (100k, wall only)", one),
        ("flagship: build problem (100k, wall only)", (t_build, t_build)),
        ("flagship: solve (100k)", timeit(lambda: solve(pb), repeat)),
        (
            "flagship: evaluate_batch (100k)",
            timeit(lambda: evaluate_batch(pb, rng, years=years), repeat),
        ),
        (
            "flagship: evaluate_batch, years 1, 5, 10 (100k)",
            timeit(lambda: evaluate_batch(pb, rng), repeat),
        ),
        ("before: EU pooled: solve (100k)", timeit(lambda: solve(pooled), repeat)),
        (
            "before: EU pooled: evaluate_batch (100k)",
            timeit(lambda: evaluate_batch(pooled, rng, years=years), repeat),
        ),
        (
            "flagship: simulate, 1 path (100k)",
            timeit(lambda: simulate(pb, 0, solution=sol), repeat),
        ),
    ]
    rows.append(
        (
            "flagship: Shapley, 9 causes (100 draws)",
            timeit(lambda: shapley_decomposition(pb.take(slice(0, 100))), 1),
        )
    )
    small = pb.take(slice(0, 1000))
    rows.append(("flagship: solve, fast (1k)", timeit(lambda: solve(small), repeat)))
    rows.append(("before: solve, HiGHS (1k)", timeit(lambda: solve(small, "highs"), 1)))
    print(
        f"flagship method: {sol.method}; realigns {np.mean(sol.outcome == 2):.4f}, "
        f"hedges {np.mean(sol.outcome == 1):.4f}, feasible full realignment "
        f"{np.mean(sol.feasible[:, 1]):.4f}"
    )
    return rows


def flagship_lps(B: int) -> list[tuple[np.ndarray, ...]]:
    """The arguments of every ``lp_min`` call ``evaluate_batch`` (years 1..15) makes on the
    flagship's first ``B`` draws (seed 0)."""
    from unittest import mock

    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.realignment import simplex

    s = realpolitik.load("reverse-kissinger")
    pb = problem_from_scenario(s, experiment_spec(s, ["realignment"]).sample(B, rng=0), B)
    calls: list[tuple[np.ndarray, ...]] = []
    solve_lp = simplex.lp_min

    def capture(*args):
        calls.append(args)
        return solve_lp(*args)

    with mock.patch.object(simplex, "lp_min", capture):
        evaluate_batch(pb, np.random.default_rng(0), years=tuple(range(1, 16)))
    return calls


def simplex_main(B: int, repeat: int) -> None:
    """``lp_min`` on the flagship's programmes: the NumPy pivot loop against the compiled one."""
    import _whole_process as W  # beside this script

    from realpolitik.models.realignment import backend
    from realpolitik.models.realignment.simplex import lp_min

    print(W.machine())
    calls = flagship_lps(B)
    rows = sum(c[0].shape[0] for c in calls)
    print(
        f"flagship, {B} draws: {len(calls)} lp_min calls, {rows} programmes of shape "
        f"{calls[0][1].shape[1] + calls[0][3].shape[1]} x {calls[0][0].shape[1]}"
    )
    results = {}

    def run(choice):
        with backend.kernels(choice):
            results[choice] = [lp_min(*c) for c in calls]

    cpu = {"numpy": [], "compiled": []}
    run("compiled")  # load the kernels
    for _ in range(repeat):
        for choice in cpu:
            t = time.process_time()
            run(choice)
            cpu[choice].append(time.process_time() - t)
    for a, b in zip(results["numpy"], results["compiled"], strict=True):
        for field in ("objective", "x", "status"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), field
    med = {k: float(np.median(v)) for k, v in cpu.items()}
    print(f"{'lp_min, all calls':30s} {'CPU s (median of ' + str(repeat) + ')':>24s}")
    for k, v in med.items():
        print(f"{k:30s} {v:24.4f}")
    print(f"ratio numpy / compiled: {med['numpy'] / med['compiled']:.2f} (results identical)")


def machine() -> str:
    """The CPU model and the number of cores, for the record."""
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def kernel_rows(B: int, repeat: int) -> list[tuple[str, tuple[float, float]]]:
    """The package solvers' NumPy code against their compiled twins, in the same process."""
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.realignment import backend

    s = realpolitik.load("reverse-kissinger")
    pb = problem_from_scenario(s, experiment_spec(s, ["realignment"]).sample(B, rng=0), B)
    synthetic = flagship_like(B)
    years = tuple(range(1, 16))
    rows = []
    for name, fn in [
        (f"flagship: solve ({B // 1000}k)", lambda: solve(pb)),
        (
            f"flagship: evaluate_batch ({B // 1000}k)",
            lambda: evaluate_batch(pb, np.random.default_rng(0), years=years),
        ),
        (f"synthetic: solve ({B // 1000}k)", lambda: solve(synthetic)),
    ]:
        pair = []
        for choice in ("numpy", "compiled"):
            with backend.kernels(choice):
                pair.append((f"{name} {choice}", timeit(fn, repeat)))
        rows += pair
        ratio = pair[0][1][1] / pair[1][1][1]
        print(f"{name}: compiled package kernels {ratio:.2f}x less CPU time than NumPy")
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "simplex":
        B = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
        simplex_main(B, int(sys.argv[3]) if len(sys.argv) > 3 else 5)
        return
    B = 100_000
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    repeat = int(args[0]) if args else 5
    print(f"machine: {machine()}")
    if "--kernels" in sys.argv:
        report(kernel_rows(B, repeat))
        return
    t0 = time.perf_counter()
    pb = flagship_like(B)
    t_build = time.perf_counter() - t0
    sol = solve(pb)
    rows = [
        ("synthetic: build problem (100k, wall only)", (t_build, t_build)),
        ("synthetic: solve (100k)", timeit(lambda: solve(pb), repeat)),
        (
            "synthetic: simulate, 1 path (100k)",
            timeit(lambda: simulate(pb, 0, solution=sol), repeat),
        ),
        ("synthetic: evaluate_batch (100k)", timeit(lambda: evaluate_batch(pb, 0), repeat)),
    ]
    small = pb.take(slice(0, 1000))
    rows.append(("synthetic: solve, fast (1k)", timeit(lambda: solve(small), repeat)))
    rows.append(("before: synthetic: solve, HiGHS (1k)", timeit(lambda: solve(small, "highs"), 1)))
    print(
        f"synthetic method: {sol.method}; courter wins {np.mean(sol.outcome == 2):.3f}, "
        f"hedges {np.mean(sol.outcome == 1):.3f}"
    )
    rows += flagship_rows(B, repeat=repeat)
    rows += point_rows(repeat)
    rows += kernel_rows(B, repeat)
    report(rows)


def report(rows: list[tuple[str, tuple[float, float]]]) -> None:
    """Print the rows: step, median wall time, median CPU time."""
    print(f"{'step':44s} {'wall s':>10s} {'CPU s':>10s}")
    for name, (wall, cpu) in rows:
        print(f"{name:44s} {wall:10.4f} {cpu:10.4f}")


if __name__ == "__main__":
    main()
