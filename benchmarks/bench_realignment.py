"""Benchmark: evaluate_batch on 100,000 draws, a synthetic flagship-sized problem and the real
flagship scenario (reverse-kissinger: two levers with adds_replacement_capacity).

Synthetic: 3 courter levers (one adds replacement capacity), 2 incumbent levers, 5 components;
every input sampled per draw. Flagship: the scenario's own uncertainties, 100,000 draws,
probabilities for years 1..15. Prints median wall times of several repeats and the solver used
(it must be "fast": the HiGHS reference is timed on a subset only).
Run: .venv/bin/python benchmarks/bench_realignment.py
"""

from __future__ import annotations

import time

import numpy as np

import realpolitik
from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem, evaluate_batch, simulate, solve


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
    ts = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts))


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
    if sol.method != "fast":
        raise SystemExit(f"the flagship did not take the fast path: {sol.method}")
    years = tuple(range(1, 16))
    rng = np.random.default_rng(0)
    rows = [
        ("flagship: sample (100k)", t_sample),
        ("flagship: build problem (100k)", t_build),
        ("flagship: solve (100k)", timeit(lambda: solve(pb), repeat)),
        (
            "flagship: evaluate_batch (100k)",
            timeit(lambda: evaluate_batch(pb, rng, years=years), repeat),
        ),
    ]
    small = pb.take(slice(0, 1000))
    rows.append(("flagship: solve, HiGHS (1k)", timeit(lambda: solve(small, "highs"), 1)))
    print(
        f"flagship method: {sol.method}; courter wins {np.mean(sol.outcome == 2):.4f}, "
        f"hedges {np.mean(sol.outcome == 1):.4f}, feasible full realignment "
        f"{np.mean(sol.feasible[:, 1]):.4f}"
    )
    return rows


def main() -> None:
    B = 100_000
    t0 = time.perf_counter()
    pb = flagship_like(B)
    t_build = time.perf_counter() - t0
    sol = solve(pb)
    rows = [
        ("synthetic: build problem (100k)", t_build),
        ("synthetic: solve (100k)", timeit(lambda: solve(pb))),
        ("synthetic: simulate, 1 path (100k)", timeit(lambda: simulate(pb, 0, solution=sol))),
        ("synthetic: evaluate_batch (100k)", timeit(lambda: evaluate_batch(pb, 0))),
    ]
    small = pb.take(slice(0, 1000))
    rows.append(("synthetic: solve, HiGHS (1k)", timeit(lambda: solve(small, "highs"), 1)))
    print(
        f"synthetic method: {sol.method}; courter wins {np.mean(sol.outcome == 2):.3f}, "
        f"hedges {np.mean(sol.outcome == 1):.3f}"
    )
    rows += flagship_rows(B, repeat=7)
    print(f"{'step':40s} {'median s':>10s}")
    for name, t in rows:
        print(f"{name:40s} {t:10.4f}")


if __name__ == "__main__":
    main()
