"""Landscape benchmarks: exact enumeration (minima + steepest-descent basins), minima only at
n = 30, the annealing heuristic at n = 100, and the shared NumPy baseline run side by side.

    python benchmarks/bench_landscape.py [--baseline PATH] [--quick]

The baseline script is found through --baseline, else $REALPOLITIK_BASELINE, else
../shared/baselines/landscape_numpy_baseline.py beside the repository. It is run as a separate
process on the same generated inputs, written in the Axelrod-Furnas CSV pair format.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from realpolitik.models import landscape as L

REPO = Path(__file__).resolve().parents[1]


def generate(n: int, seed: int):
    """Integer sizes 1..99 and raw propensities 1..5 (p = raw - 3), as in the Syria case."""
    r = np.random.default_rng(seed)
    s = r.integers(1, 100, n).astype(float)
    raw = np.triu(r.integers(1, 6, (n, n)), 1)
    raw = raw + raw.T
    p = raw - 3.0
    np.fill_diagonal(p, 0.0)
    return s, raw, p


def write_axelrod_furnas(folder: Path, s, raw) -> None:
    n = len(s)
    names = [f"A{i}" for i in range(n)]
    with open(folder / "Actor_data.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "actor", "strength"])
        for i, (a, v) in enumerate(zip(names, s, strict=True)):
            w.writerow([i + 1, a, int(v)])
    with open(folder / "Pairwise_propensity_Feb_20.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow([""] + names)
        for i, a in enumerate(names):
            w.writerow([a] + ["" if i == j else int(raw[i, j]) for j in range(n)])


def timed(fn, repeat: int):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def baseline_path(arg: str | None) -> Path | None:
    cand = arg or os.environ.get("REALPOLITIK_BASELINE")
    default = REPO.parent / "shared" / "baselines" / "landscape_numpy_baseline.py"
    path = Path(cand) if cand else default
    return path if path.is_file() else None


def run_baseline(path: Path, s, raw, repeat: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        write_axelrod_furnas(Path(d), s, raw)
        out = subprocess.run(
            [sys.executable, str(path), d, "--repeat", str(repeat)],
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", help="path to landscape_numpy_baseline.py")
    ap.add_argument("--quick", action="store_true", help="skip n = 28, 30 and the n = 24 baseline")
    ap.add_argument("--seed", type=int, default=2024)
    a = ap.parse_args()
    import numba

    threads = numba.get_num_threads()
    L.exact_landscape(*generate(12, 0)[::2])  # compile / load the cached kernels
    L.heuristic_landscape(*generate(12, 0)[::2], restarts=2, rng=0)

    print(f"# exact two-coalition landscape (numba threads: {threads})")
    print(f"{'n':>3} {'states':>12} {'minima':>7} {'min+basins s':>13} {'minima-only s':>14}")
    sizes = [16, 20, 24] if a.quick else [16, 20, 24, 28]
    for n in sizes:
        s, _, p = generate(n, a.seed + n)
        rep = 5 if n <= 24 else 1
        tb, res = timed(lambda s=s, p=p: L.exact_landscape(s, p), rep)
        tm, _ = timed(lambda s=s, p=p: L.exact_landscape(s, p, basins=False), rep)
        print(f"{n:>3} {2 ** (n - 1):>12,} {len(res.energies):>7} {tb:>13.4f} {tm:>14.4f}")
    if not a.quick:
        s, _, p = generate(30, a.seed + 30)
        tm, res = timed(lambda: L.exact_landscape(s, p, basins=False), 1)
        print(f"{30:>3} {2**29:>12,} {len(res.energies):>7} {'-':>13} {tm:>14.4f}")

    path = baseline_path(a.baseline)
    print()
    if path is None:
        print("# baseline not found (pass --baseline or set REALPOLITIK_BASELINE); skipped")
    else:
        print(f"# side by side with {path.name} (compute time only, medians; same inputs)")
        print(
            f"{'n':>3} {'baseline s':>11} {'ours min+basins s':>18} {'ours minima s':>14} "
            f"{'ours 1-thread s':>16} {'ratio basins':>13} {'ratio minima':>13} {'agree':>6}"
        )
        for n in [16, 20, 22] if a.quick else [16, 20, 22, 24]:
            s, raw, p = generate(n, a.seed + n)
            rep = 5 if n <= 22 else 3
            base = run_baseline(path, s, raw, rep)
            tb, res = timed(lambda s=s, p=p: L.exact_landscape(s, p), rep)
            tm, _ = timed(lambda s=s, p=p: L.exact_landscape(s, p, basins=False), rep)
            numba.set_num_threads(1)
            t1, _ = timed(lambda s=s, p=p: L.exact_landscape(s, p), rep)
            numba.set_num_threads(threads)
            agree = (
                base["n_local_min"] == len(res.energies)
                and base["global_min_energy"] == res.energies[0]
            )
            bt = base["compute_s_median"]
            print(
                f"{n:>3} {bt:>11.4f} {tb:>18.4f} {tm:>14.4f} {t1:>16.4f} {bt / tb:>12.1f}x "
                f"{bt / tm:>12.1f}x {str(agree):>6}"
            )

    print()
    print("# heuristic (simulated annealing + steepest descent), n = 100")
    print(
        f"{'restarts':>8} {'sweeps':>7} {'time s':>8} {'best E':>14} {'lower bound':>14} "
        f"{'gap %':>7} {'bound':>10} {'best hit share':>15}"
    )
    s, _, p = generate(100, a.seed + 100)
    for restarts, sweeps in [(16, 100), (64, 200), (128, 400)]:
        t, h = timed(
            lambda r=restarts, w=sweeps: L.heuristic_landscape(s, p, restarts=r, sweeps=w, rng=1), 1
        )
        gap = 100 * h.gap / abs(h.energies[0])
        print(
            f"{restarts:>8} {sweeps:>7} {t:>8.3f} {h.energies[0]:>14.0f} "
            f"{h.lower_bound:>14.0f} {gap:>7.2f} {h.bound_method.split()[0]:>10} "
            f"{h.basins[0]:>15.3f}"
        )
    print()
    print("# heuristic against the exact optimum, n = 24 (64 restarts x 200 sweeps)")
    s, _, p = generate(24, a.seed + 24)
    ex = L.exact_landscape(s, p, basins=False)
    t, h = timed(lambda: L.heuristic_landscape(s, p, restarts=64, sweeps=200, rng=1), 1)
    print(
        f"exact {ex.energies[0]:.0f}  heuristic {h.energies[0]:.0f} in {t:.3f} s  "
        f"bound {h.lower_bound:.0f} ({h.bound_method})"
    )


if __name__ == "__main__":
    main()
