"""Benchmark: the evidence layer on the shipped library.

Times (median of a few repeats): loading and coding the library; one likelihood evaluation of 64
candidate constant vectors (the unit of work of the calibration's search: one generation of the
differential evolution); the backtest of the library with the shipped fit.
Run: .venv/bin/python benchmarks/bench_evidence.py
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from realpolitik.evidence.backtest import backtest
from realpolitik.evidence.calibration import aligned, binary_scored, log_likelihood
from realpolitik.evidence.constants import FREE_CONSTANTS
from realpolitik.evidence.load import load_library
from realpolitik.evidence.predict import prepare, probabilities


def timed(fn, repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    library = load_library()
    scored = [e for e in library if binary_scored(e)]
    y = np.array([aligned(e) for e in scored])
    print(f"load the library ({len(library)} episodes): {timed(load_library):.2f} s")
    prepared = prepare(scored, draws=48)
    print(f"code it: {timed(lambda: [p.scenario for p in prepare(scored, draws=48)]):.2f} s")
    rng = np.random.default_rng(0)
    rows = np.column_stack([rng.uniform(c.low, c.high, 64) for c in FREE_CONSTANTS])

    def one_generation() -> None:
        log_likelihood(probabilities(prepared, rows)[:, :, 2], y)

    print(
        f"likelihood of 64 candidates x 48 draws x {len(scored)} episodes: {timed(one_generation):.2f} s"
    )
    print(f"backtest of the library: {timed(lambda: backtest(library), repeats=1):.2f} s")


if __name__ == "__main__":
    main()
