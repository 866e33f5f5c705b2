"""Benchmark: the year-by-year simulation of the flagship (reverse-kissinger) with and without
re-bidding (issue 12, item 8), side by side in one process, on the scenario's own uncertainties.

Re-bidding solves the bidding game again, each year, for the paths on which a government changed
or a promise lapsed; without it the pivot only re-chooses. Prints CPU and wall times (median of
the repeats) and their ratio, and the share of paths that re-bid each year.
Run: .venv/bin/python benchmarks/bench_rebid.py [DRAWS] [REPEATS]
"""

from __future__ import annotations

import sys
import time

import numpy as np

from realpolitik.experiment.scenario_experiment import experiment_spec
from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.models.realignment import simulate, solve
from realpolitik.scenario.examples import example_path
from realpolitik.scenario.load import load


def main() -> None:
    """Time both variants and print the results."""
    draws = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    scenario = load(example_path("reverse-kissinger"))
    samples = experiment_spec(scenario, ["realignment"]).sample(draws, np.random.default_rng(1))
    problem = problem_from_scenario(scenario, samples, draws)
    solution = solve(problem)
    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(repeats):
        for rebid in (False, True):
            w0, c0 = time.perf_counter(), time.process_time()
            sim = simulate(problem, 0, solution=solution, rebid=rebid)
            times[rebid].append((time.perf_counter() - w0, time.process_time() - c0))
    med = {k: np.median(np.array(v), axis=0) for k, v in times.items()}
    print(f"flagship simulation, {draws:,} draws x 1 path, years 1..{problem.years}")
    for rebid in (False, True):
        wall, cpu = med[rebid]
        print(f"  rebid={rebid!s:5}  wall {wall:6.2f} s  cpu {cpu:6.2f} s")
    print(f"  ratio (cpu, rebid / none): {med[True][1] / max(med[False][1], 1e-9):.1f}")
    print("  share of paths re-bidding by year:", " ".join(f"{x:.2f}" for x in sim.rebids))


if __name__ == "__main__":
    main()
