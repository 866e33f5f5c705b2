"""Benchmark: load the IR datasets and measure every dyad-year of every state.

Usage: python benchmarks/bench_data.py [DATA_DIR]   (default: REALPOLITIK_DATA_DIR, then
../shared/data/ir beside the repository). Target: load + measure in under 10 s on 2 cores.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main() -> None:
    repo = Path(__file__).resolve().parents[1]
    arg = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("REALPOLITIK_DATA_DIR")
    data = Path(arg) if arg else repo.parent / "shared" / "data" / "ir"
    t0 = time.perf_counter()
    import pandas  # noqa: F401  (import cost reported apart)

    from realpolitik.data.history import great_power_camps, historical_triangle
    from realpolitik.data.relations import combine, load_inputs, relation_components

    t1 = time.perf_counter()
    inp = load_inputs(data)
    t2 = time.perf_counter()
    rel = relation_components(inputs=inp)
    t3 = time.perf_counter()
    combine(rel, {"trade": 1.0})
    t4 = time.perf_counter()
    chk = historical_triangle(inputs=inp)
    t5 = time.perf_counter()
    great_power_camps(data, inputs=inp)
    t6 = time.perf_counter()
    print(f"imports                      {t1 - t0:6.2f} s")
    print(f"load all inputs              {t2 - t1:6.2f} s")
    print(
        f"measure all dyad-years       {t3 - t2:6.2f} s  ({len(rel):,} dyad-years, "
        f"{rel['year'].min()}-{rel['year'].max()})"
    )
    print(f"load + measure               {t3 - t1:6.2f} s  (target < 10 s)")
    print(f"re-weight (combine)          {t4 - t3:6.2f} s")
    print(f"historical triangle          {t5 - t4:6.2f} s  (agreement {chk.rate:.1%})")
    print(f"great-power camps 1950-      {t6 - t5:6.2f} s")


if __name__ == "__main__":
    main()
