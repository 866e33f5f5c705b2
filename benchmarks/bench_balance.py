"""Structural-balance benchmarks: triad census, closed-triad listing, dX/dt = X^2 and AKR
triad dynamics on random signed networks.

    python benchmarks/bench_balance.py
"""

from __future__ import annotations

import time

import numpy as np

from realpolitik.models import balance as B


def signed(n: int, density: float, seed: int) -> np.ndarray:
    r = np.random.default_rng(seed)
    A = np.triu(r.choice([-1.0, 1.0], (n, n)) * (r.random((n, n)) < density), 1)
    return A + A.T


def timed(fn, repeat=5):
    ts, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return float(np.median(ts)), out


def main() -> None:
    B.local_triad_dynamics(signed(6, 1.1, 0), rng=0)  # load the compiled kernels
    B.constrained_triad_dynamics(signed(6, 1.1, 0), rng=0)
    print("# triad census (matrix products) and closed-triad listing")
    print(f"{'n':>5} {'density':>8} {'closed triads':>14} {'census s':>9} {'listing s':>10}")
    for n, dens in [(200, 0.5), (200, 1.0), (500, 1.0), (1000, 0.5)]:
        A = signed(n, dens, n)
        tc, c = timed(lambda A=A: B.triad_census(A))
        tl = timed(lambda A=A: B.closed_triads(A), 1)[0] if n <= 500 else float("nan")
        print(f"{n:>5} {dens:>8.1f} {sum(c.values()):>14,} {tc:>9.4f} {tl:>10.4f}")
    print()
    print("# Marvel et al. dX/dt = X^2: closed-form factions vs integration (n = 50)")
    A = signed(50, 0.5, 1)
    tf, f = timed(lambda: B.marvel_factions(A))
    ti, g = timed(lambda: B.marvel_integrate(A), 1)
    same = [set(x) for x in f["factions"]] == [set(x) for x in g["factions"]]
    print(f"closed form {tf:.4f} s, solve_ivp {ti:.3f} s, same factions: {same}")
    print()
    print("# AKR triad dynamics on complete graphs (random initial signs)")
    print(f"{'rule':>5} {'n':>4} {'steps':>10} {'time units':>11} {'balanced':>9} {'wall s':>8}")
    for n in (20, 50):
        A = signed(n, 1.1, n)
        for name, fn in (
            ("LTD", lambda A=A: B.local_triad_dynamics(A, p=0.6, rng=0)),
            ("CTD", lambda A=A: B.constrained_triad_dynamics(A, rng=0)),
        ):
            t, r = timed(fn, 1)
            print(
                f"{name:>5} {n:>4} {r['steps']:>10,} {r['time']:>11.2f} "
                f"{str(r['balanced']):>9} {t:>8.3f}"
            )


if __name__ == "__main__":
    main()
