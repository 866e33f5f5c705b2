"""Whole-process timing for the benchmark scripts: what a user waits for, start-up included.

Commands are run in turn (A B C A B C ...) after one warm-up round, so that a machine whose speed
drifts affects all of them alike; each run's wall time, CPU time and peak memory come from the
operating system's accounting of that child (``os.wait4``). Medians are reported, and ratios are
taken run by run within a round. Bytecode caching is left on (``PYTHONDONTWRITEBYTECODE`` is
removed from the children's environment), as in an installed package.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Timing:
    """The runs of one command: wall and CPU seconds, peak resident memory in MiB."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu)

    @property
    def median_peak(self) -> float:
        return statistics.median(self.peak_mib)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def run_once(argv: Sequence[str], env: Mapping[str, str]) -> tuple[float, float, float, int]:
    """One run: (wall s, cpu s, peak MiB, exit status); output is discarded."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(env)
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, proc.returncode


def interleaved(
    commands: Mapping[str, Sequence[str]],
    repeat: int,
    env: Mapping[str, str] | None = None,
    warmup: int = 1,
) -> dict[str, Timing]:
    """Run every command ``warmup`` + ``repeat`` times in turn; return the counted timings."""
    env = env or child_env()
    out = {name: Timing() for name in commands}
    for r in range(warmup + repeat):
        for name, argv in commands.items():
            wall, cpu, peak, code = run_once(argv, env)
            if code != 0:
                raise RuntimeError(f"{name} exited with status {code}: {' '.join(argv)}")
            if r >= warmup:
                out[name].wall.append(wall)
                out[name].cpu.append(cpu)
                out[name].peak_mib.append(peak)
    return out


def paired_ratio(a: Timing, b: Timing) -> float:
    """Median over rounds of a's wall time over b's (pairs taken in the same round)."""
    if len(a.wall) != len(b.wall):
        return a.median_wall / b.median_wall
    return statistics.median(x / y for x, y in zip(a.wall, b.wall, strict=True))


def machine() -> str:
    """A line naming the machine: CPU model, cores, memory, OS, Python."""
    model = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kib = int(f.readline().split()[1])
            mem = f", {kib / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    load = ""
    if hasattr(os, "getloadavg"):
        load = f"; load average {os.getloadavg()[0]:.1f} at start"
    return (
        f"machine: {model}, {os.cpu_count()} cores{mem}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}{load}"
    )


PY = sys.executable


def realpolitik_command() -> list[str]:
    """How a user starts the CLI: the ``realpolitik`` script beside this interpreter (it imports
    the package from PYTHONPATH, so this tree's code runs), else ``python -m realpolitik``."""
    script = os.path.join(os.path.dirname(PY), "realpolitik")
    return [script] if os.access(script, os.X_OK) else [PY, "-m", "realpolitik"]
