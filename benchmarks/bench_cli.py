"""Start-up: how long common commands take as whole processes, and what each imports.

Run: python benchmarks/bench_cli.py [--repeat 7] [--baseline OTHER/src] [--draws-repeat 3]
     [--runs-only [--point-only]]

Each command runs interleaved with the interpreter alone and with ``import numpy`` (the floors),
medians reported with the machine named. Then ``python -X importtime`` lists which heavy
libraries each command loads (none of Numba, pandas, Plotly, DuckDB, SALib, SciPy, PyArrow
should appear unless the command uses them).

Then the README's run, ``realpolitik run reverse-kissinger --draws 20000 --seed 1`` (warm: one
round first), and the point run ``--draws 0`` with and without its report; with ``--baseline``
(the ``src`` folder of another checkout, e.g. main) each also runs from that tree, interleaved,
and the ratios are taken round by round. CPU is that of the whole process tree: this script
makes itself the subreaper of its children (Linux), so that the fork server and the worker
processes, which outlive their parent's wait, are reaped and counted here.

On a machine others load, wall times mean little; as root, ``chrt -f 10 python
benchmarks/bench_cli.py --runs-only --baseline ../main/src`` runs the commands ahead of every
ordinary process (real-time priority, inherited by the workers), close to an idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _whole_process as W  # noqa: E402

HEAVY = ("numba", "pandas", "plotly", "duckdb", "SALib", "scipy", "pyarrow", "pydantic", "numpy")


def imported(argv: list[str], env: dict[str, str]) -> list[str]:
    """The heavy top-level packages a command imports (from ``-X importtime``)."""
    if argv[0].endswith("realpolitik"):  # the console script: run the same code through -m
        cmd = [W.PY, "-X", "importtime", "-m", "realpolitik", *argv[1:]]
    else:
        cmd = [argv[0], "-X", "importtime", *argv[1:]]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    names = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in out.stderr.splitlines()}
    return [h for h in HEAVY if h in names]


def _become_subreaper() -> bool:
    """Make orphaned descendants (fork server, pool workers) children of this process."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def run_tree(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s of the whole process tree) of one run; output discarded."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"exit status {proc.returncode}: {' '.join(argv)}")
    cpu = usage.ru_utime + usage.ru_stime
    while True:  # orphans reparented to us: the fork server (and its workers' time in it)
        try:
            _, _, more = os.wait4(-1, 0)
        except ChildProcessError:
            break
        cpu += more.ru_utime + more.ru_stime
    return wall, cpu


def bench_runs(baseline: str | None, repeat: int, point_only: bool = False) -> None:
    """The README's 20,000-draw run (unless ``point_only``) and the point run, this tree beside
    ``baseline``."""
    rp = [W.PY, "-m", "realpolitik", "run", "reverse-kissinger"]
    variants = {
        "run --draws 20000 --seed 1": ["--draws", "20000", "--seed", "1"],
        "run --draws 0": ["--draws", "0"],
        "run --draws 0 --no-report": ["--draws", "0", "--no-report"],
    }
    if point_only:
        del variants["run --draws 20000 --seed 1"]
    trees = {"this tree": W.child_env()}
    if baseline:
        env = W.child_env()
        env["PYTHONPATH"] = str(Path(baseline).resolve())
        trees["baseline"] = env
    reaper = _become_subreaper()
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(repeat + 1):  # round 0 warms the caches
            for name, extra in variants.items():
                for tree, env in trees.items():
                    out = Path(tmp) / f"{tree}-{r}-{extra[1]}".replace(" ", "_")
                    t = run_tree([*rp, *extra, "--out", str(out)], env)
                    if r:
                        times.setdefault((name, tree), []).append(t)
    print(f"\n{W.machine()}")
    print(f"whole process tree CPU counted: {'yes' if reaper else 'no (parent only)'}")
    print(f"{'command':<32} {'tree':<10} {'wall s':>7} {'cpu s':>7}  {'wall ratio':>10}")
    for name in variants:
        for tree in trees:
            runs = times[(name, tree)]
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            ratio = ""
            if tree == "this tree" and "baseline" in trees:
                base = times[(name, "baseline")]
                gain = statistics.median(b[0] / a[0] for a, b in zip(runs, base, strict=True))
                ratio = f"{gain:.2f}x faster"
            print(f"{name:<32} {tree:<10} {wall:>7.3f} {cpu:>7.3f}  {ratio:>10}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--draws-repeat", type=int, default=3, help="rounds of the run commands")
    ap.add_argument("--baseline", default=None, help="src folder of another checkout")
    ap.add_argument("--runs-only", action="store_true", help="only the run commands")
    ap.add_argument("--point-only", action="store_true", help="with --runs-only: no draws run")
    args = ap.parse_args()
    if args.runs_only:
        bench_runs(args.baseline, args.draws_repeat, args.point_only)
        return
    root = Path(__file__).resolve().parents[1]
    syria = root.parent / "shared" / "validation" / "landscape-syria-2016"
    soe = root.parent / "shared" / "validation" / "ktab-smp" / "SOE-Pol-Comp.csv"
    rp = W.realpolitik_command()
    with tempfile.TemporaryDirectory() as tmp:
        cmds = {
            "python -c pass": [W.PY, "-c", "pass"],
            "python -c 'import numpy'": [W.PY, "-c", "import numpy"],
            "python -c 'import numpy' (1 BLAS thread)": [
                "env",
                "OPENBLAS_NUM_THREADS=1",
                W.PY,
                "-c",
                "import numpy",
            ],
            "realpolitik --help": [*rp, "--help"],
            "realpolitik validate nixon-1972": [*rp, "validate", "nixon-1972"],
            "realpolitik run reverse-kissinger --draws 0 --no-report": [
                *rp,
                "run",
                "reverse-kissinger",
                "--draws",
                "0",
                "--no-report",
                "--out",
                tmp,
            ],
            "realpolitik run reverse-kissinger --draws 0": [
                *rp,
                "run",
                "reverse-kissinger",
                "--draws",
                "0",
                "--out",
                tmp,
            ],
        }
        if soe.is_file():
            cmds["realpolitik bargain SOE-Pol-Comp.csv"] = [*rp, "bargain", str(soe)]
        if syria.is_dir():
            cmds["realpolitik landscape (Syria CSV pair)"] = [
                *rp,
                "landscape",
                str(syria / "actors.csv"),
                str(syria / "propensity_raw.csv"),
            ]
        env = W.child_env()
        t = W.interleaved(cmds, args.repeat, env)
        print(W.machine())
        print(
            f"{'command':<58} {'wall s':>7} {'cpu s':>7} {'MiB':>5}  heavy imports "
            "(from -X importtime)"
        )
        for name, timing in t.items():
            heavy = ", ".join(imported(cmds[name], env)) if name.startswith("realpolitik") else ""
            print(
                f"{name:<58} {timing.median_wall:>7.3f} {timing.median_cpu:>7.3f} "
                f"{timing.median_peak:>5.0f}  {heavy}"
            )
        floor = t["python -c 'import numpy' (1 BLAS thread)"]
        print(
            f"\n# the floor on this machine: a command that needs NumPy cannot finish before "
            f"{floor.median_wall:.3f} s wall ({floor.median_cpu:.3f} s cpu), the interpreter "
            "and NumPy with the one BLAS thread the CLI runs (unless a BLAS thread variable is "
            "set); the issue's targets (run --draws 0 under 0.5 s; SMP on SOE-Pol-Comp under "
            "KTAB's 0.123 s) include it."
        )
        print("# above the floor (this package's own share):")
        for name, timing in t.items():
            if name.startswith("realpolitik") and name != "realpolitik --help":
                print(
                    f"{name:<58} {timing.median_wall - floor.median_wall:>7.3f} "
                    f"{timing.median_cpu - floor.median_cpu:>7.3f}"
                )
    bench_runs(args.baseline, args.draws_repeat)


if __name__ == "__main__":
    main()
