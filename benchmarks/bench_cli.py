"""How long `realpolitik --help` takes as a whole process (start-up and imports included).

Run: python benchmarks/bench_cli.py [--repeat 15]
The floor (issue 2) is 0.5 s; the CLI imports only click to print its help.
"""

from __future__ import annotations

import argparse
import platform
import shutil
import statistics
import subprocess
import sys
import time


def time_command(cmd: list[str], repeat: int) -> list[float]:
    subprocess.run(cmd, capture_output=True, check=True)  # warm the file cache
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=True)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    exe = shutil.which("realpolitik") or sys.executable
    cmds = {
        "realpolitik --help": [exe, "--help"]
        if exe.endswith("realpolitik")
        else [sys.executable, "-m", "realpolitik", "--help"],
        "python -c pass (interpreter alone)": [sys.executable, "-c", "pass"],
        "realpolitik validate nixon-1972": [exe, "validate", "nixon-1972"]
        if exe.endswith("realpolitik")
        else [sys.executable, "-m", "realpolitik", "validate", "nixon-1972"],
    }
    print(
        f"machine: {platform.machine()}, {platform.processor() or '?'}; Python {platform.python_version()}"
    )
    print(f"{'command':<40} {'median s':>9} {'min s':>7} {'max s':>7}")
    for name, cmd in cmds.items():
        t = time_command(cmd, args.repeat)
        print(f"{name:<40} {statistics.median(t):>9.3f} {min(t):>7.3f} {max(t):>7.3f}")


if __name__ == "__main__":
    main()
