"""Landscape benchmarks, side by side with the shared NumPy baseline on the same inputs.

    python benchmarks/bench_landscape.py [--baseline PATH] [--sizes 12,16,20,24] [--repeat 5]
                                         [--compute] [--quick]

1. Whole process (what a user waits for): ``realpolitik landscape ACTORS.csv PROPENSITY.csv``
   (every local minimum with its steepest-descent basin) against the baseline script
   (energies and minima, no basins) on the same Axelrod-Furnas CSV pair, in turn, medians and
   run-by-run ratios; the two must agree on the number of minima and the global minimum. Up to
   n = 20 the Click command itself (what the program ran before the quick path of
   ``realpolitik.cli.quick_landscape``) runs in the same rounds, as the reference for the
   start-up saved.
2. With ``--compute``: compute time inside one process, NumPy and Numba engines, minima with and
   without basins, and the annealing heuristic at n = 100 against its bound.

The baseline script is found through --baseline, else $REALPOLITIK_BASELINE, else
../shared/baselines/landscape_numpy_baseline.py beside the repository.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
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


#: The Click command without the quick path (``realpolitik.cli.main.main``), run as a program.
CLICK_COMMAND = "import importlib; importlib.import_module('realpolitik.cli.main').main()"


def whole_process(path: Path, sizes: list[int], repeat: int, seed: int) -> None:
    """Section 1: the CLI against the baseline, whole processes, interleaved.

    The baseline runs as shipped (NumPy's default BLAS threads) and, up to n = 20, also with one
    BLAS thread as the CLI uses (starting OpenBLAS's threads costs tens of milliseconds)."""
    import _whole_process as W

    print("# whole process: realpolitik landscape (minima + basins) vs the NumPy baseline")
    print("# (medians of interleaved runs after a warm-up; ratio = ours / baseline, run by run;")
    print("#  'base 1t' = the baseline with OPENBLAS_NUM_THREADS=1, run up to n = 20;")
    print("#  'click' = the same command through Click, without the quick path, up to n = 20)")
    print(
        f"{'n':>3} {'configs':>10} {'ours s':>7} {'cpu':>6} {'base s':>7} {'cpu':>6} "
        f"{'ratio':>6} {'base 1t s':>9} {'ratio':>6} {'click s':>7} {'cpu':>6} {'ratio':>6} "
        f"{'ours MiB':>8} {'base MiB':>8} {'minima':>6} {'agree':>5}"
    )
    env = W.child_env()
    cpu_rows = []
    for n in sizes:
        s, raw, _ = generate(n, seed + n)
        with tempfile.TemporaryDirectory() as d:
            write_axelrod_furnas(Path(d), s, raw)
            actors = str(Path(d) / "Actor_data.csv")
            prop = str(Path(d) / "Pairwise_propensity_Feb_20.csv")
            ours = [*W.realpolitik_command(), "landscape", actors, prop, "--json"]
            base = [W.PY, str(path), d]
            got = json.loads(subprocess.run(ours, capture_output=True, env=env).stdout)
            ref = json.loads(
                subprocess.run(base, capture_output=True, env=env).stdout.splitlines()[-1]
            )
            agree = (
                len(got["configurations"]) == ref["n_local_min"]
                and got["configurations"][0]["energy"] == ref["global_min_energy"]
            )
            reps = repeat if n <= 22 else max(1, repeat // 2)
            cmds = {"ours": ours, "baseline": base}
            if n <= 20:
                cmds["base 1t"] = ["env", "OPENBLAS_NUM_THREADS=1", *base]
                cmds["click"] = [W.PY, "-c", CLICK_COMMAND, *ours[-4:]]
            t = W.interleaved(cmds, reps, env, warmup=0 if n > 20 else 1)
        o, b = t["ours"], t["baseline"]
        one = (
            f"{t['base 1t'].median_wall:>9.3f} {W.paired_ratio(o, t['base 1t']):>5.2f}x"
            if "base 1t" in t
            else f"{'':>9} {'':>6}"
        )
        click = (
            f"{t['click'].median_wall:>7.3f} {t['click'].median_cpu:>6.3f} "
            f"{W.paired_ratio(t['click'], b):>5.2f}x"
            if "click" in t
            else f"{'':>7} {'':>6} {'':>6}"
        )
        print(
            f"{n:>3} {2 ** (n - 1):>10,} {o.median_wall:>7.3f} {o.median_cpu:>6.3f} "
            f"{b.median_wall:>7.3f} {b.median_cpu:>6.3f} {W.paired_ratio(o, b):>5.2f}x {one} "
            f"{click} {o.median_peak:>8.0f} {b.median_peak:>8.0f} "
            f"{len(got['configurations']):>6} {str(agree):>5}"
        )
        cpu_rows.append((n, t))
    print_cpu_ratios(cpu_rows)


def cpu_ratio(a, b) -> float:
    """Median over rounds of a's CPU time over b's (pairs taken in the same round)."""
    return statistics.median(x / y for x, y in zip(a.cpu, b.cpu, strict=True))


def print_cpu_ratios(rows) -> None:
    """The same runs by CPU time (user + system of each child), which other jobs on the
    machine disturb less than wall time: ratios run by run, medians."""
    print("# CPU time ratios, run by run (ours / each other command)")
    print(f"{'n':>3} {'/ base':>7} {'/ base 1t':>9} {'/ click':>8}")
    for n, t in rows:
        cells = [
            f"{cpu_ratio(t['ours'], t[name]):>{width - 1}.2f}x" if name in t else " " * width
            for name, width in (("baseline", 7), ("base 1t", 9), ("click", 8))
        ]
        print(f"{n:>3} {' '.join(cells)}")


def compute_only(path: Path | None, quick: bool, seed: int) -> None:
    """Section 2: compute time inside one process (both engines), and the heuristic."""
    import numba

    threads = numba.get_num_threads()
    L.exact_landscape(*generate(12, 0)[::2], engine="numba")  # load the cached kernels
    L.heuristic_landscape(*generate(12, 0)[::2], restarts=2, rng=0)

    print(f"# compute only, exact two-coalition landscape (numba threads: {threads})")
    print(
        f"{'n':>3} {'states':>12} {'minima':>7} {'numpy s':>9} {'numba s':>9} "
        f"{'numba minima-only s':>20}"
    )
    for n in [16, 20, 22] if quick else [16, 20, 22, 24, 28]:
        s, _, p = generate(n, seed + n)
        rep = 5 if n <= 22 else 1
        tn, res = (
            timed(lambda s=s, p=p: L.exact_landscape(s, p, engine="numpy"), rep)
            if n <= 24
            else (float("nan"), None)
        )
        tb, res = timed(lambda s=s, p=p: L.exact_landscape(s, p, engine="numba"), rep)
        tm, _ = timed(lambda s=s, p=p: L.exact_landscape(s, p, basins=False, engine="numba"), rep)
        print(
            f"{n:>3} {2 ** (n - 1):>12,} {len(res.energies):>7} {tn:>9.4f} {tb:>9.4f} {tm:>20.4f}"
        )
    if path is not None:
        print()
        print(f"# compute only, side by side with {path.name} (its own timer; same inputs)")
        for n in [16, 20, 22] if quick else [16, 20, 22, 24]:
            s, raw, p = generate(n, seed + n)
            base = run_baseline(path, s, raw, 3)
            tb, res = timed(lambda s=s, p=p: L.exact_landscape(s, p), 3)
            bt = base["compute_s_median"]
            print(
                f"{n:>3} baseline {bt:.4f} s, ours (auto engine, with basins) {tb:.4f} s: "
                f"{bt / tb:.1f}x"
            )
    print()
    print("# heuristic (simulated annealing + steepest descent), n = 100")
    print(
        f"{'restarts':>8} {'sweeps':>7} {'time s':>8} {'best E':>14} {'lower bound':>14} "
        f"{'gap %':>7} {'bound':>10} {'best hit share':>15}"
    )
    s, _, p = generate(100, seed + 100)
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", help="path to landscape_numpy_baseline.py")
    ap.add_argument("--sizes", default="12,14,16,18,20,22,24", help="n for the whole-process table")
    ap.add_argument("--repeat", type=int, default=5, help="counted runs per command (n <= 22)")
    ap.add_argument("--compute", action="store_true", help="also the compute-only tables")
    ap.add_argument("--quick", action="store_true", help="smaller compute-only tables")
    ap.add_argument("--seed", type=int, default=2024)
    a = ap.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _whole_process as W

    print(W.machine())
    path = baseline_path(a.baseline)
    if path is None:
        print("# baseline not found (pass --baseline or set REALPOLITIK_BASELINE); skipped")
    else:
        whole_process(path, [int(x) for x in a.sizes.split(",")], a.repeat, a.seed)
    if a.compute:
        print()
        compute_only(path, a.quick, a.seed)


if __name__ == "__main__":
    main()
