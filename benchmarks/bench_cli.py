"""Start-up: how long common commands take as whole processes, and what each imports.

Run: python benchmarks/bench_cli.py [--repeat 7]

Each command runs interleaved with the interpreter alone and with ``import numpy`` (the floors),
medians reported with the machine named. Then ``python -X importtime`` lists which heavy
libraries each command loads (none of Numba, pandas, Plotly, DuckDB, SALib, SciPy, PyArrow
should appear unless the command uses them).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
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


if __name__ == "__main__":
    main()
