"""Benchmark: what closed options cost the game. ``solve`` on the flagship's point problem
(reverse-kissinger) repeated over 100,000 draws, as shipped (nothing closed) and with a demand on
the pivot's regime closing the courter option; and the synthetic no-courter fixture of the tests
over 100,000 draws. Each row prints the median wall time and the median CPU time
(``time.process_time``) of several repeats.
Run: .venv/bin/python benchmarks/bench_closed_options.py [REPEATS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import realpolitik
from realpolitik.models.adapters.realignment import problem_from_scenario
from realpolitik.models.realignment import RealignmentProblem, solve
from realpolitik.scenario.examples import example_path

DRAWS = 100_000
FIXTURE = Path(__file__).parent.parent / "tests" / "fixtures" / "realignment" / "no-courter.yaml"


def _time(pb: RealignmentProblem, repeats: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``solve(pb)``."""
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        solve(pb)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return float(np.median(wall)), float(np.median(cpu))


def main(repeats: int = 3) -> None:
    """Print the rows."""
    rows = np.zeros(DRAWS, int)
    flagship = problem_from_scenario(realpolitik.scenario.load(example_path("reverse-kissinger")))
    flagship = flagship.take(rows)
    blocked = flagship.with_changes(regime_blocks=[False, True])
    lone = problem_from_scenario(realpolitik.scenario.load(FIXTURE)).take(rows)
    for name, pb in (
        ("flagship, nothing closed", flagship),
        ("flagship, courter closed by the regime", blocked),
        ("no courter (fixture)", lone),
    ):
        solve(pb.take(np.arange(10)))  # warm up
        wall, cpu = _time(pb, repeats)
        print(f"{name:42s} {DRAWS:,} draws: wall {wall:.3f} s, cpu {cpu:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
