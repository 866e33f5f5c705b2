"""Landscape theory: the Syria/ISIS validation case, exact enumeration against brute force,
heuristics against exact results, and invariances."""

from __future__ import annotations

import csv
import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models import landscape as L

# ----------------------------------------------------------------------------- helpers


def random_landscape(seed: int, n: int, integer: bool = False):
    """Sizes and a symmetric zero-diagonal propensity from a numpy seed (continuous by default,
    so that ties between switches have probability zero)."""
    r = np.random.default_rng(seed)
    if integer:
        s = r.integers(1, 100, n).astype(float)
        p = np.triu(r.integers(-2, 3, (n, n)).astype(float), 1)
    else:
        s = r.uniform(0.5, 10.0, n)
        p = np.triu(r.uniform(-2.0, 2.0, (n, n)), 1)
    return s, p + p.T


landscapes = st.builds(random_landscape, st.integers(0, 2**32 - 1), st.integers(2, 11))


def brute_steepest(s, p, field=None):
    """Reference: every configuration's steepest descent, followed step by step in Python."""
    allc = L.all_configurations(s, p, field=field)
    off = 1 if field is None else 0
    labels, E = allc["labels"], allc["energy"]
    code = {tuple(lab): c for c, lab in enumerate(labels)}

    def canon(lab):
        lab = np.array(lab)
        if off and lab[0] == 1:
            lab = 1 - lab
        return tuple(lab)

    ends = {}
    for c, lab in enumerate(labels):
        cur = lab.copy()
        while True:
            d = L.switch_deltas(cur, s, p, field=field)
            k = int(np.argmin(d))
            if d[k] >= -1e-12 * np.abs(np.outer(s, s) * p).sum():
                break
            cur[k] = 1 - cur[k]
        ends[c] = code[canon(cur)]
    counts = np.bincount(list(ends.values()), minlength=len(labels))
    mins = np.flatnonzero(allc["local_minimum"])
    return mins, E, counts / len(labels), labels


# ----------------------------------------------------------------------------- Syria validation


def _read_syria(folder):
    with open(folder / "actors.csv", newline="") as f:
        actors = list(csv.DictReader(f))
    names = [a["actor"] for a in actors]
    sizes = np.array([float(a["strength"]) for a in actors])
    with open(folder / "propensity_raw.csv", newline="") as f:
        rows = list(csv.reader(f))
    n = len(names)
    p = np.zeros((n, n))
    for i, row in enumerate(rows[1 : n + 1]):
        for j, v in enumerate(row[1 : n + 1]):
            p[i, j] = 0.0 if i == j else float(v) - 3.0
    with open(folder / "expected_all_configurations.csv", newline="") as f:
        rows = list(csv.reader(f))
    # preamble lines (the README counts five; the file holds twelve, some of them blank)
    # precede the column header, whose second field is "US"
    h = next(i for i, r in enumerate(rows) if len(r) > 1 and r[1] == "US")
    body = [r for r in rows[h + 1 :] if r and r[0].strip()]
    num = np.array([[float(x) for x in r[: 2 * n + 2]] for r in body])
    return {
        "names": names,
        "sizes": sizes,
        "p": p,
        "row": num[:, 0].astype(int),
        "sides": num[:, 1 : n + 1].astype(int) - 1,
        "energy": num[:, n + 1],
        "frustration": num[:, n + 2 : 2 * n + 2],
        "local_min": np.array([r[2 * n + 2].strip().upper() == "TRUE" for r in body]),
    }


@pytest.fixture(scope="module")
def syria(validation_dir):
    return _read_syria(validation_dir / "landscape-syria-2016")


def test_syria_all_energies_and_frustrations(syria):
    assert len(syria["row"]) == 1024
    E = L.energy(syria["sides"], syria["sizes"], syria["p"])
    F = L.frustration(syria["sides"], syria["sizes"], syria["p"])
    np.testing.assert_array_equal(E, syria["energy"])
    np.testing.assert_array_equal(F, syria["frustration"])
    flags = L.is_local_minimum(syria["sides"], syria["sizes"], syria["p"])
    np.testing.assert_array_equal(flags, syria["local_min"])


def test_syria_enumeration_matches_file(syria):
    allc = L.all_configurations(syria["sizes"], syria["p"])
    codes = L._encode(syria["sides"], 1)
    np.testing.assert_array_equal(allc["energy"][codes], syria["energy"])
    np.testing.assert_array_equal(allc["frustration"][codes], syria["frustration"])
    np.testing.assert_array_equal(allc["local_minimum"][codes], syria["local_min"])


def test_syria_unique_minimum(syria):
    res = L.exact_landscape(syria["sizes"], syria["p"], actors=syria["names"], best_others=3)
    assert res.energies.tolist() == [-83200.0]
    assert res.basins.tolist() == [1.0]
    row = int(np.flatnonzero(syria["local_min"])[0])
    assert syria["row"][row] == 891
    np.testing.assert_array_equal(res.labels[0], syria["sides"][row])
    summary = L.landscape_summary(res)
    first = summary["configurations"][0]
    assert first["energy"] == -83200.0 and first["local_minimum"] and first["basin"] == 1.0
    assert sorted(first["coalitions"][1]) == ["ISIS", "Nursa", "Turkey"]
    assert len(first["coalitions"][0]) == 8
    # the best non-minima follow, in energy order, and are the file's next-best energies
    others = [c["energy"] for c in summary["configurations"][1:]]
    expected = np.sort(syria["energy"][~syria["local_min"]])[:3]
    assert others == expected.tolist()
    table = L.landscape_table(res)
    assert list(table.columns[-3:]) == ["energy", "local_minimum", "basin"]
    assert table["energy"].is_monotonic_increasing and table.shape[0] == 4


# ----------------------------------------------------------------------------- exact vs brute force


ENGINES = ["numpy", "numba"]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("integer", [False, True])
def test_exact_minima_and_steepest_basins_match_brute_force(seed, integer, engine):
    s, p = random_landscape(seed, 8, integer=integer)
    mins, E, basin, labels = brute_steepest(s, p)
    res = L.exact_landscape(s, p, engine=engine)
    order = mins[np.lexsort((mins, E[mins]))]
    np.testing.assert_array_equal(res.labels, labels[order])
    np.testing.assert_allclose(res.energies, E[order], rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(res.basins, basin[order])
    assert res.basins.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("seed", range(4))
def test_field_term_matches_brute_force(seed, engine):
    s, p = random_landscape(seed, 7)
    g = np.random.default_rng(seed + 99).normal(0, 20, 7)
    mins, E, basin, labels = brute_steepest(s, p, field=g)
    res = L.exact_landscape(s, p, field=g, engine=engine)
    order = mins[np.lexsort((mins, E[mins]))]
    np.testing.assert_array_equal(res.labels, labels[order])
    np.testing.assert_allclose(res.basins, basin[order])
    # Galam's H differs from our energy by a constant
    J = L.couplings(s, p)
    sigma = 1 - 2 * labels.astype(float)
    H = -0.5 * np.einsum("ci,ij,cj->c", sigma, J, sigma) - sigma @ g
    np.testing.assert_allclose(E - H, 0.5 * J.sum())


@pytest.mark.parametrize("engine", ENGINES)
def test_block_boundaries_and_overflow_large_enough(engine):
    # n = 17 spans several 2^14 blocks; integer data so energies are exact
    s, p = random_landscape(3, 17, integer=True)
    allc = L.all_configurations(s, p)
    res = L.exact_landscape(s, p, best_others=5, engine=engine)
    mins = np.flatnonzero(allc["local_minimum"])
    np.testing.assert_array_equal(np.sort(res.energies), np.sort(allc["energy"][mins]))
    non = np.sort(allc["energy"][~allc["local_minimum"]])[:5]
    np.testing.assert_array_equal(res.others[1], non)
    # many minima per block forces the overflow path: a pure ferromagnet plus a strong field
    n = 16
    s2 = np.ones(n)
    p2 = -np.ones((n, n)) + np.eye(n)  # everybody prefers the other side: many minima
    allc2 = L.all_configurations(s2, p2)
    res2 = L.exact_landscape(s2, p2, basins=False, engine=engine)
    assert len(res2.energies) == allc2["local_minimum"].sum() > 8 * (2 ** (n - 1) >> 14)


@pytest.mark.parametrize("field", [False, True])
def test_numpy_and_numba_engines_agree_at_18_actors(field):
    """Both engines on one input larger than a NumPy chunk: the same minima and basins, and
    energies that agree exactly on integer data."""
    s, p = random_landscape(7, 18, integer=True)
    g = np.arange(18.0) - 9.0 if field else None
    a = L.exact_landscape(s, p, field=g, engine="numpy", best_others=4)
    b = L.exact_landscape(s, p, field=g, engine="numba", best_others=4)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.energies, b.energies)
    np.testing.assert_array_equal(a.basins, b.basins)
    np.testing.assert_array_equal(a.others[1], b.others[1])
    assert a.basins.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("size", [1e150, 1e300, 1e308])
def test_sizes_whose_couplings_overflow_are_refused(size):
    """Sizes of 1e300 used to give NaN energies (1e308 an IndexError): now a clear error."""
    s, p = random_landscape(1, 6)
    s = s.copy()
    s[2] = size
    if size == 1e150:  # s_i s_j = 1e300 at most: finite, so it works
        res = L.landscape(s, p)
        assert np.all(np.isfinite(res.energies))
        return
    for method in ("exact", "heuristic"):
        with pytest.raises(ModelError, match="overflow"):
            L.landscape(s, p, method=method)


def test_potts_exact_matches_brute_force():
    s, p = random_landscape(5, 6)
    k = 3
    seen = {}
    for lab in itertools.product(range(k), repeat=6):
        c = tuple(L._canonical(np.array([lab]))[0])
        seen[c] = L.energy(np.array(c), s, p)
    J = L.couplings(s, p)
    minima = []
    for c, e in seen.items():
        c = np.array(c)
        ok = True
        for i in range(6):
            for a in range(min(k, c.max() + 2)):
                if a != c[i]:
                    d = c.copy()
                    d[i] = a
                    if L.energy(d, s, p) < e - 1e-9 * np.abs(J).sum():
                        ok = False
        if ok:
            minima.append((e, tuple(c)))
    minima.sort()
    res = L.exact_potts(s, p, k)
    assert res.n_configurations == len(seen)
    np.testing.assert_allclose(res.energies, [m[0] for m in minima])
    assert sorted(map(tuple, res.labels.tolist())) == sorted(m[1] for m in minima)


def test_heuristic_finds_exact_optimum_and_certifies_bound():
    s, p = random_landscape(11, 18)
    exact = L.exact_landscape(s, p, basins=False)
    heur = L.heuristic_landscape(s, p, restarts=32, rng=0)
    assert heur.energies[0] == pytest.approx(exact.energies[0])
    assert heur.lower_bound <= exact.energies[0] + 1e-9
    assert heur.gap >= 0
    # every heuristic result is a true local minimum
    assert np.all(L.is_local_minimum(heur.labels, s, p))
    # same seed, same answer
    again = L.heuristic_landscape(s, p, restarts=32, rng=0)
    np.testing.assert_array_equal(again.labels, heur.labels)


def test_random_order_basins_sample_minima():
    s, p = random_landscape(2, 10)
    exact = L.exact_landscape(s, p)
    ro = L.random_order_basins(s, p, samples=4000, rng=1)
    assert ro["shares"].sum() == pytest.approx(1.0)
    assert np.all(L.is_local_minimum(ro["labels"], s, p))
    exact_set = {tuple(x) for x in exact.labels.tolist()}
    assert {tuple(x) for x in ro["labels"].tolist()} <= exact_set
    ro2 = L.random_order_basins(s, p, samples=4000, rng=1)
    np.testing.assert_array_equal(ro["shares"], ro2["shares"])


def test_front_door_and_errors():
    s, p = random_landscape(0, 9)
    assert L.landscape(s, p).method == "exact"
    assert L.landscape(s, p, method="heuristic", rng=0).method == "heuristic"
    assert L.landscape(s, p, k=3).k == 3
    with pytest.raises(ModelError):
        L.exact_landscape(s, p[:-1, :-1])
    bad = p.copy()
    bad[0, 1] += 1
    with pytest.raises(ModelError, match="symmetric"):
        L.exact_landscape(s, bad)
    with pytest.raises(ModelError, match="> 0"):
        L.exact_landscape(-s, p)
    with pytest.raises(ModelError, match="limited"):
        L.exact_landscape(s, p, max_actors=5)
    with pytest.raises(ModelError, match="two coalitions"):
        L.heuristic_landscape(s, p, k=3, field=np.ones(9))


# ----------------------------------------------------------------------------- properties

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(landscapes, st.randoms(use_true_random=False))
def test_relabelling_permutes_results(data, rnd):
    s, p = data
    n = len(s)
    perm = list(range(n))
    rnd.shuffle(perm)
    perm = np.array(perm)
    a = L.exact_landscape(s, p)
    b = L.exact_landscape(s[perm], p[np.ix_(perm, perm)])
    np.testing.assert_allclose(np.sort(a.energies), np.sort(b.energies), rtol=1e-10)
    # map b's minima back to the original actor order and canonicalise
    back = np.empty_like(b.labels)
    back[:, perm] = b.labels
    back = np.where(back[:, :1] == 1, 1 - back, back)
    key_a = {
        tuple(x): (e, w) for x, e, w in zip(a.labels.tolist(), a.energies, a.basins, strict=True)
    }
    for lab, e, w in zip(back.tolist(), b.energies, b.basins, strict=True):
        ea, wa = key_a[tuple(lab)]
        assert e == pytest.approx(ea, rel=1e-10)
        assert w == pytest.approx(wa)


@FAST
@given(landscapes, st.floats(0.01, 100.0))
def test_scaling_sizes_changes_no_minimum(data, c):
    s, p = data
    a = L.exact_landscape(s, p)
    b = L.exact_landscape(c * s, p)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_allclose(b.energies, c * c * a.energies, rtol=1e-9)
    np.testing.assert_allclose(a.basins, b.basins)


@FAST
@given(landscapes, st.integers(0, 2**16))
def test_exact_never_loses_to_heuristic(data, seed):
    s, p = data
    exact = L.exact_landscape(s, p, basins=False)
    heur = L.heuristic_landscape(s, p, restarts=4, sweeps=20, rng=seed)
    tol = 1e-9 * np.abs(L.couplings(s, p)).sum()
    assert exact.energies[0] <= heur.energies[0] + tol
    assert heur.lower_bound <= exact.energies[0] + tol


# ----------------------------------------------------------------------------- Numba's cache


def test_kernel_cache_falls_back_when_package_and_home_are_read_only(tmp_path):
    """Numba raised "cannot cache function" at import when neither the package folder nor the
    user's cache folder was writable; now a private temporary folder is used, and with nothing
    writable the kernels are compiled uncached."""
    from realpolitik._numba import choose_cache

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    unusable = str(blocker / "cache")  # cannot be created, even by root
    fallback = str(tmp_path / "fallback")
    assert choose_cache(unusable, unusable, fallback) == (True, fallback)
    assert choose_cache(unusable, unusable, unusable) == (False, None)
    assert choose_cache(str(tmp_path / "in-tree"), unusable, fallback) == (True, None)


def test_kernels_import_and_run_with_an_unusable_home(tmp_path):
    """End to end in a fresh process with HOME and the user cache folder unusable (the package
    folder cannot be made read-only for root, so that case is the unit test above)."""
    import os
    import subprocess
    import sys

    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    env = dict(os.environ, HOME=str(blocker), XDG_CACHE_HOME=str(blocker / "c"))
    env.pop("NUMBA_CACHE_DIR", None)
    code = (
        "import numpy as np\n"
        "from realpolitik.models import _kernels as K, landscape as L\n"
        "r = L.exact_landscape(np.ones(4), np.ones((4, 4)) - np.eye(4), engine='numba')\n"
        "print(K.CACHE, len(r.energies))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "1"  # all allies: everybody together, the only minimum
