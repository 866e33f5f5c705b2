"""The vectorised dual simplex and the budgeted package against HiGHS (the reference).

HiGHS (through ``scipy.optimize.linprog`` and the game's ``method="highs"``) shares no code
with :mod:`realpolitik.models.realignment.simplex`. Generated problems use coarse grids of
numbers (halves, whole numbers) so that ties and degenerate vertices are common: equal cost
ratios, budgets exactly met, redundant constraints, bounds of zero.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from realpolitik.models.realignment import solve
from realpolitik.models.realignment.simplex import INFEASIBLE, OPTIMAL, lp_min
from realpolitik.models.realignment.solvers import budgeted_min_cost, highs_solve


def _random_lps(seed: int, B: int, n: int, r1: int, r2: int, grid: float):
    rng = np.random.default_rng(seed)

    def q(x):
        return np.round(x / grid) * grid

    c = q(rng.uniform(0, 3, (B, n)))
    G = q(rng.uniform(0, 2, (B, r1, n))) * (rng.random((B, r1, n)) > 0.3)
    g = q(rng.uniform(-1, 4, (B, r1)))
    H = q(rng.uniform(0, 2, (B, r2, n))) * (rng.random((B, r2, n)) > 0.4)
    h = q(rng.uniform(-0.5, 3, (B, r2)))
    u = q(rng.uniform(0, 2, (B, n))) * (rng.random((B, n)) > 0.1)
    return c, G, g, H, h, u


def _reference(c, G, g, H, h, u):
    out = np.empty(c.shape[0])
    for i in range(c.shape[0]):
        r = linprog(
            c[i],
            A_ub=np.vstack([-G[i], H[i]]),
            b_ub=np.concatenate([-g[i], h[i]]),
            bounds=list(zip(np.zeros(c.shape[1]), u[i], strict=True)),
            method="highs",
        )
        assert r.status in (0, 2)
        out[i] = r.fun if r.status == 0 else np.inf
    return out


def test_hand_worked_lp():
    # min x + 2y s.t. x + y >= 3, x <= 2 (a budget), 0 <= x, y <= 5: x = 2, y = 1, cost 4
    c = np.array([[1.0, 2.0]])
    res = lp_min(
        c,
        np.array([[[1.0, 1.0]]]),
        np.array([[3.0]]),
        np.array([[[1.0, 0.0]]]),
        np.array([[2.0]]),
        np.array([[5.0, 5.0]]),
    )
    assert res.status[0] == OPTIMAL
    np.testing.assert_allclose(res.x[0], [2.0, 1.0], atol=1e-12)
    assert res.objective[0] == pytest.approx(4.0, abs=1e-12)
    # and with the budget below what the lower bound of value needs: infeasible
    res = lp_min(
        c,
        np.array([[[1.0, 1.0]]]),
        np.array([[11.0]]),
        np.array([[[1.0, 0.0]]]),
        np.array([[2.0]]),
        np.array([[5.0, 5.0]]),
    )
    assert res.status[0] == INFEASIBLE and np.isinf(res.objective[0])


@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, 6),
    r1=st.integers(0, 3),
    r2=st.integers(0, 3),
    grid=st.sampled_from([1.0, 0.5, 0.25]),
)
@settings(max_examples=40, deadline=None)
def test_simplex_equals_highs_on_degenerate_lps(seed, n, r1, r2, grid):
    c, G, g, H, h, u = _random_lps(seed, 40, n, r1, r2, grid)
    res = lp_min(c, G, g, H, h, u)
    ref = _reference(c, G, g, H, h, u)
    assert np.all(res.status != 2)
    np.testing.assert_array_equal(np.isinf(res.objective), np.isinf(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(res.objective[fin], ref[fin], rtol=1e-9, atol=1e-9)
    # the solution itself satisfies every constraint
    x = res.x[fin]
    assert np.all(np.einsum("brn,bn->br", G[fin], x) >= g[fin] - 1e-9)
    assert np.all(np.einsum("brn,bn->br", H[fin], x) <= h[fin] + 1e-9)
    assert np.all((x >= 0) & (x <= u[fin]))


def _budgeted_case(seed: int, B: int, shared_weight: bool):
    """A courter side of 4 levers (2 with trade capacity), 2 payers, tight budgets."""
    rng = np.random.default_rng(seed)
    m = 4
    p = np.round(rng.uniform(0, 10, (B, m)) * 2) / 2
    k = np.round(rng.uniform(0, 10, (B, m)) * 2) / 2
    lo = np.round(rng.uniform(0, 0.5, (B, m)) * 4) / 4 * (rng.random((B, m)) > 0.5)
    hi = lo + np.round(rng.uniform(0, 2, (B, m)) * 4) / 4
    a = np.zeros((B, m))
    a[:, :2] = np.round(rng.uniform(0, 5, (B, 2)))
    w = np.repeat(np.round(rng.uniform(0, 3, (B, 1)) * 2) / 2, m, axis=1)
    if not shared_weight:
        w[:, 1] = np.round(rng.uniform(0, 3, B) * 2) / 2
    sf = np.round(rng.uniform(0, 8, B))
    need = np.round(rng.uniform(0, 25, B))
    col = np.array([0, 1, 0, 1])
    budgets = np.round(rng.uniform(0, 15, (B, 2)))
    binary = np.array([False, False, True, False])
    return p, k, lo, hi, binary, a, w, sf, need, col, budgets


@pytest.mark.slow
@given(seed=st.integers(0, 2**31 - 1), shared=st.booleans())
@settings(max_examples=30, deadline=None)
def test_budgeted_min_cost_equals_highs(seed, shared):
    p, k, lo, hi, binary, a, w, sf, need, col, budgets = _budgeted_case(seed, 30, shared)
    rows = np.ones(len(need), bool)
    cost, ext, solved = budgeted_min_cost(p, k, lo, hi, binary, a, w, sf, need, col, budgets, rows)
    assert np.all(solved)
    # the reference: HiGHS on the mixed-integer programme (on/off lever as an integer)
    ref, _ = highs_solve(p, k, lo, hi, binary, a, w, sf, need, "min_cost", col, budgets)
    ref = np.where(np.isnan(ref), np.inf, ref)
    np.testing.assert_array_equal(np.isinf(cost), np.isinf(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(cost[fin], ref[fin], rtol=1e-9, atol=1e-9)
    # the package found costs what is reported, keeps each payer within budget and is worth
    # at least need (the trade it fills computed directly: most durable capacity first)
    assert np.allclose(np.sum(k * ext, axis=1)[fin], cost[fin], rtol=1e-12, atol=1e-9)
    for j in range(2):
        spent = np.sum(np.where(col == j, k * ext, 0.0), axis=1)
        assert np.all(spent[fin] <= budgets[fin, j] + 1e-9)


@pytest.mark.parametrize("seed", range(2))
def test_flagship_participation_needs_no_highs(seed):
    # the flagship's draws: the EU pays for two levers out of its own valuation, so many draws
    # need the cheapest package within both payers' budgets
    import realpolitik
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.models.adapters.realignment import problem_from_scenario

    sc = realpolitik.load("reverse-kissinger")
    samples = experiment_spec(sc, ["realignment"]).sample(300, rng=seed)
    pb = problem_from_scenario(sc, samples, 300)
    s, h = solve(pb), solve(pb, "highs")
    assert s.method == "fast"
    np.testing.assert_array_equal(s.outcome, h.outcome)
    np.testing.assert_array_equal(s.affordable, h.affordable)
    both = np.isfinite(s.offer_cost) & np.isfinite(h.offer_cost)
    np.testing.assert_allclose(s.offer_cost[both], h.offer_cost[both], rtol=1e-7, atol=1e-7)
