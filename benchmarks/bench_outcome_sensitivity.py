"""Cost of the sensitivity of every declared outcome from a run's own draws.

Runs `reverse-kissinger` (in memory, one worker) for each number of draws asked, then times
:func:`~realpolitik.experiment.outcome_sensitivity.outcome_sensitivities` on its draws (every
declared outcome: two yes/no outcomes by Borgonovo's delta, two quantities by PAWN, each with its
bootstrap and dummy inputs) beside the draws themselves, as CPU time (``time.process_time``) and
wall time. The ratio of the two CPU times is what the sensitivity adds to a run.

Run: python benchmarks/bench_outcome_sensitivity.py [--draws 20000 100000]
"""

from __future__ import annotations

import argparse
import time


def main() -> None:
    """Print the CPU and wall times of the draws and of their sensitivity, per run size."""
    from realpolitik.experiment.options import RunOptions
    from realpolitik.experiment.outcome_sensitivity import outcome_sensitivities
    from realpolitik.experiment.scenario_run import run_scenario
    from realpolitik.scenario.load import load

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int, nargs="+", default=[20_000, 100_000])
    args = parser.parse_args()
    scenario = load("reverse-kissinger")
    print(f"{'draws':>9} {'draws cpu s':>12} {'sens cpu s':>11} {'sens wall s':>12} {'ratio':>6}")
    for n in args.draws:
        cpu, wall = time.process_time(), time.perf_counter()
        run = run_scenario(scenario, RunOptions(seed=1, draws=n, workers=1, sensitivity=False))
        draws_cpu = time.process_time() - cpu
        assert run.draws is not None and run.draws.run is not None and run.draws.spec is not None
        frame = run.draws.run.to_frame()
        cpu, wall = time.process_time(), time.perf_counter()
        found = outcome_sensitivities(frame, run.draws.outcomes, run.draws.spec.uncertainties, 1)
        sens_cpu, sens_wall = time.process_time() - cpu, time.perf_counter() - wall
        print(
            f"{n:>9,} {draws_cpu:>12.2f} {sens_cpu:>11.2f} {sens_wall:>12.2f} "
            f"{sens_cpu / draws_cpu:>6.2f}   ({len(found)} outcomes)"
        )


if __name__ == "__main__":
    main()
