"""Structural balance: the WWI validation panels, census against brute force, frustration index,
dX/dt = X^2 closed form against integration, and triad dynamics."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models import balance as B
from realpolitik.scenario.importers.signed_edges import read_signed_edges

ORDER = ["GB", "AH", "F", "G", "I", "R"]
EXPECTED = {
    1872: ((5, 2), [{"AH", "G", "R"}, {"GB", "F"}], {"I"}),
    1882: ((6, 2), [{"AH", "G", "I", "R"}, {"GB", "F"}], set()),
    1890: ((3, 2), [{"GB", "AH", "G", "I"}, {"R", "F"}], set()),
}


def random_signed(seed: int, n: int, density: float = 0.7) -> np.ndarray:
    r = np.random.default_rng(seed)
    A = np.triu(r.choice([-1.0, 1.0], size=(n, n)) * (r.random((n, n)) < density), 1)
    return A + A.T


signed = st.builds(
    random_signed, st.integers(0, 2**32 - 1), st.integers(3, 12), st.floats(0.2, 1.0)
)
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def brute_census(A):
    c = [0, 0, 0, 0]
    for i, j, k in itertools.combinations(range(len(A)), 3):
        e = (A[i, j], A[i, k], A[j, k])
        if 0 not in e:
            c[sum(x < 0 for x in e)] += 1
    return dict(enumerate(c))


@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_wwi_panels(validation_dir, year):
    names, S = read_signed_edges(validation_dir / "balance-wwi" / f"panel_{year}.csv", actors=ORDER)
    (bal, imb), factions, neutral = EXPECTED[year]
    out = B.balance_summary(S, names)
    assert (out["balanced"], out["imbalanced"]) == (bal, imb)
    assert sum(out["census"].values()) == bal + imb
    assert [set(f) for f in out["factions"]] == factions
    assert set(out["neutral"]) == neutral
    assert not out["degenerate"]
    assert len(out["triangles"]) == bal + imb
    integ = B.marvel_integrate(S, actors=names)
    assert [set(f) for f in integ["factions"]] == factions
    assert set(integ["neutral"]) == neutral


def test_wwi_1882_triangles(validation_dir):
    names, S = read_signed_edges(validation_dir / "balance-wwi" / "panel_1882.csv", actors=ORDER)
    tri = {tuple(sorted(t["actors"])): t for t in B.balance_summary(S, names)["triangles"]}
    assert tri[("AH", "G", "I")]["configuration"] == "menage a trois"
    t = tri[("AH", "F", "G")]
    assert t["configuration"] == "stable marriage" and t["roles"]["F"] == "outcast"
    assert tri[("AH", "F", "GB")]["configuration"] == "unit veto"


@FAST
@given(signed, st.randoms(use_true_random=False))
def test_census_matches_brute_force_and_is_permutation_invariant(A, rnd):
    c = B.triad_census(A)
    assert c == brute_census(A)
    perm = list(range(len(A)))
    rnd.shuffle(perm)
    assert B.triad_census(A[np.ix_(perm, perm)]) == c
    tri, vals = B.closed_triads(A)
    assert len(tri) == sum(c.values())
    assert np.all(tri[:, 0] < tri[:, 1]) and np.all(tri[:, 1] < tri[:, 2])


def test_census_200_actors_is_fast_enough_to_run():
    A = random_signed(0, 200)
    c = B.triad_census(A)
    assert sum(c.values()) == len(B.closed_triads(A)[0])


@pytest.mark.parametrize("seed", range(5))
def test_frustration_index_brute_force(seed):
    A = random_signed(seed, 8)
    n = len(A)
    best = np.inf
    iu, ju = np.nonzero(np.triu(A != 0, 1))
    for bits in range(2 ** (n - 1)):
        side = np.array([0] + [(bits >> q) & 1 for q in range(n - 1)])
        same = side[iu] == side[ju]
        viol = np.sum((A[iu, ju] > 0) & ~same) + np.sum((A[iu, ju] < 0) & same)
        best = min(best, viol)
    out = B.frustration_index(A)
    assert out["index"] == best and out["exact"] and len(out["violated"]) == best
    heur = B.frustration_index(A, method="heuristic", rng=0)
    assert heur["lower_bound"] <= best <= heur["index"]


def test_balanced_network_has_zero_frustration():
    r = np.random.default_rng(3)
    side = r.integers(0, 2, 12)
    A = np.where(side[:, None] == side[None, :], 1.0, -1.0)
    np.fill_diagonal(A, 0)
    assert B.frustration_index(A)["index"] == 0
    c = B.triad_census(A)
    assert c[1] == c[3] == 0
    f = B.marvel_factions(A)
    groups = [set(g) for g in f["factions"]]
    truth = [{f"A{i}" for i in np.flatnonzero(side == v)} for v in (0, 1)]
    assert sorted(map(sorted, groups)) == sorted(map(sorted, [t for t in truth if t]))


def test_closed_form_solves_the_ode():
    A = random_signed(4, 6)
    t = 0.5 * B.blowup_time(A)
    h = 1e-6
    X = B.marvel_closed_form(A, t)
    dX = (B.marvel_closed_form(A, t + h) - B.marvel_closed_form(A, t - h)) / (2 * h)
    np.testing.assert_allclose(dX, X @ X, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(X, A @ np.linalg.inv(np.eye(6) - t * A), atol=1e-10)
    with pytest.raises(ModelError):
        B.marvel_closed_form(A, 2 * B.blowup_time(A))


@FAST
@given(signed)
def test_closed_form_and_integrator_factions_agree(A):
    lam, U = np.linalg.eigh(A)
    assume(lam[-1] > 0 and lam[-1] - lam[-2] > 0.2 * lam[-1])
    u = U[:, -1]
    nz = np.abs(u)[np.abs(u) > 1e-9 * np.abs(u).max()]
    assume(nz.min() > 0.05 * np.abs(u).max())
    cf = B.marvel_factions(A)
    num = B.marvel_integrate(A)
    assert [set(f) for f in num["factions"]] == [set(f) for f in cf["factions"]]


def _complete(seed, n):
    return random_signed(seed, n, density=1.1)


@pytest.mark.parametrize("p", [0.3, 0.7, 1.0])
def test_local_triad_dynamics(p):
    A = _complete(1, 9)
    r1 = B.local_triad_dynamics(A, p=p, rng=5, record_every=10)
    r2 = B.local_triad_dynamics(A, p=p, rng=5, record_every=10)
    np.testing.assert_array_equal(r1["S"], r2["S"])
    assert r1["balanced"]
    c = B.triad_census(r1["S"])
    assert c[1] == c[3] == 0
    c0 = B.triad_census(A)
    assert r1["trace"][-1, 2] == 0 and r1["trace"][0, 2] == c0[1] + c0[3]
    assert r1["time"] == pytest.approx(r1["steps"] / 36)


def test_triad_dynamics_keep_absent_relations_absent():
    A = random_signed(7, 10, density=0.6)
    for r in (B.local_triad_dynamics(A, rng=0), B.constrained_triad_dynamics(A, rng=0)):
        np.testing.assert_array_equal(r["S"] == 0, A == 0)


def test_constrained_triad_dynamics_ends_balanced_or_jammed():
    for seed in range(5):
        A = _complete(seed, 10)
        r = B.constrained_triad_dynamics(A, rng=seed)
        c = B.triad_census(r["S"])
        assert r["balanced"] == (c[1] + c[3] == 0)
        assert r["balanced"] or r["jammed"]
        if r["jammed"]:  # no single flip lowers the count of imbalanced triads
            base = c[1] + c[3]
            iu, ju = np.nonzero(np.triu(r["S"] != 0, 1))
            for i, j in zip(iu, ju, strict=True):
                X = r["S"].copy()
                X[i, j] = X[j, i] = -X[i, j]
                cx = B.triad_census(X)
                assert cx[1] + cx[3] > base


def test_bad_inputs():
    with pytest.raises(ModelError):
        B.triad_census(np.array([[0, 1], [-1, 0]]))
    with pytest.raises(ModelError):
        B.local_triad_dynamics(_complete(0, 4), p=1.5)
    with pytest.raises(ModelError, match="blow up"):
        B.marvel_integrate(-np.eye(3))
