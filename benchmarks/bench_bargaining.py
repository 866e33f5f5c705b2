"""Benchmarks for the bargaining models (plain script; prints a table).

Usage: python benchmarks/bench_bargaining.py [path/to/shared/validation]

Cases: KTAB's SOE-Pol-Comp (13 actors, 2 dims) to convergence; SOE-Policy (26) and
SOE-Competitive (34); random seeded 40- and 80-actor one-dimension cases (like KTAB's dummyData
a040/a080 reference runs); 100 actors x 5 dimensions x 50 turns; 1,000 draws of the EC BDM case.
KTAB yardsticks (BENCHMARKS.md, smpc -O2 with SQLite removed, same kind of machine): 0.13 s,
2.9 s (40 actors, 20 turns), 44 s (80 actors, 17 turns).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from realpolitik.models.bargaining.bdm import run_bdm_batch
from realpolitik.models.bargaining.smp import SMPOptions, run_smp, run_smp_scenario
from realpolitik.scenario.importers.ktab import read_ktab_csv

KTAB = {"SOE-Pol-Comp": 0.13, "random-40x1": 2.9, "random-80x1": 44.0}


def timed(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def random_case(n, d, seed):
    rng = np.random.default_rng(seed)
    cap = rng.uniform(10, 200, n)
    pos = rng.uniform(0, 100, (n, d))
    s = rng.uniform(0.75, 0.99, n)
    sal = rng.uniform(0.1, 1.0, (n, d))
    sal = 100 * s[:, None] * sal / sal.sum(axis=1, keepdims=True)
    return cap, pos, sal


def main() -> None:
    shared = (
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parents[2] / "shared" / "validation"
    )
    rows = []
    folder = shared / "ktab-smp"
    if folder.is_dir():
        for name in ("SOE-Pol-Comp", "SOE-Policy", "SOE-Competitive"):
            sc = read_ktab_csv(folder / f"{name}.csv")
            run_smp_scenario(sc)  # warm-up
            t, r = timed(lambda sc=sc: run_smp_scenario(sc, record_probabilities=False), 5)
            rows.append((name, f"{sc.n_actors}x{sc.n_dimensions}", r.turns, t, KTAB.get(name)))
    for n in (40, 80):
        cap, pos, sal = random_case(n, 1, seed=n)
        t, r = timed(
            lambda cap=cap, pos=pos, sal=sal: run_smp(cap, pos, sal, record_probabilities=False), 3
        )
        rows.append((f"random-{n}x1", f"{n}x1", r.turns, t, KTAB.get(f"random-{n}x1")))
    cap, pos, sal = random_case(100, 5, seed=100)
    opt = SMPOptions(min_turns=50, max_turns=50)
    t, r = timed(lambda: run_smp(cap, pos, sal, opt, record_probabilities=False), 1)
    rows.append(("random-100x5 fixed 50 turns", "100x5", r.turns, t, None))
    ec = shared / "bdm-ec-emissions" / "actors.csv"
    if ec.is_file():
        import pandas as pd

        df = pd.read_csv(ec)
        c, x, s = (
            df.Capability.to_numpy(),
            df.Position.to_numpy(float),
            df.Salience.to_numpy() / 100,
        )
        rng = np.random.default_rng(0)
        C = c * rng.uniform(0.8, 1.2, (1000, c.size))
        S = np.clip(s * rng.uniform(0.8, 1.2, (1000, c.size)), 0, 1)
        X = np.clip(x + rng.normal(0, 0.5, (1000, c.size)), 4, 10)
        run_bdm_batch(C[:10], X[:10], S[:10], 4, 10)
        t, _ = timed(lambda: run_bdm_batch(C, X, S, 4, 10), 3)
        rows.append(("BDM EC, 1,000 draws x 10 rounds", "10x1", 10, t, None))
    t_imp = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import realpolitik.models.bargaining"], check=True)
    t_imp = time.perf_counter() - t_imp
    print(
        f"{'case':34s} {'size':>6s} {'turns':>5s} {'ours (s)':>9s} {'KTAB (s)':>9s} {'ratio':>7s}"
    )
    for name, size, turns, t, k in rows:
        ratio = f"{k / t:7.1f}" if k else "      -"
        ks = f"{k:9.2f}" if k else "        -"
        print(f"{name:34s} {size:>6s} {turns:5d} {t:9.3f} {ks} {ratio}")
    print(f"(compute time, median; a fresh interpreter importing the package adds {t_imp:.2f} s)")


if __name__ == "__main__":
    main()
