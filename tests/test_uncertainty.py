"""Distributions from the scenario format, the Gaussian copula and the unit-cube samplers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from realpolitik.experiment.uncertainty import (
    DistributionError,
    ExperimentSpec,
    Uncertainty,
    Uniform,
    correlation_matrix,
    distribution_from_spec,
    keyed_permutation,
    unit_design,
)

# A fine stratified grid of probabilities: moments of ppf(u) over it are quadrature, not noise.
U = (np.arange(40_000) + 0.5) / 40_000

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
positive = st.floats(0.05, 20.0)


def _check_moments(dist, ref):
    x = dist.ppf(U)
    assert math.isclose(dist.mean, ref.mean(), rel_tol=1e-6, abs_tol=1e-9)
    assert math.isclose(dist.var, ref.var(), rel_tol=1e-6, abs_tol=1e-9)
    scale = math.sqrt(ref.var()) + 1e-12
    assert abs(x.mean() - ref.mean()) < 2e-3 * scale
    assert abs(x.std() - math.sqrt(ref.var())) < 2e-2 * scale
    lo, hi = ref.support()
    assert x.min() >= lo - 1e-9 * (1 + abs(lo)) and x.max() <= hi + 1e-9 * (1 + abs(hi))


@settings(max_examples=20, deadline=None)
@given(low=finite, width=st.floats(1e-2, 1e3))
def test_uniform(low, width):
    d = distribution_from_spec({"kind": "uniform", "low": low, "high": low + width})
    _check_moments(d, stats.uniform(low, width))


@settings(max_examples=20, deadline=None)
@given(low=finite, width=st.floats(1e-2, 1e3), c=st.floats(0, 1))
def test_triangular(low, width, c):
    mode = low + c * width
    d = distribution_from_spec(
        {"kind": "triangular", "low": low, "mode": mode, "high": low + width}
    )
    # the shape (mode - low) / width can round above 1, where SciPy's triang is undefined
    shape = min(1.0, max(0.0, (mode - low) / width))
    _check_moments(d, stats.triang(shape, loc=low, scale=width))


@settings(max_examples=20, deadline=None)
@given(low=finite, width=st.floats(1e-2, 1e3), c=st.floats(0, 1), lam=st.floats(0.5, 10))
def test_pert(low, width, c, lam):
    mode = low + c * width
    d = distribution_from_spec(
        {"kind": "pert", "low": low, "mode": mode, "high": low + width, "lambda": lam}
    )
    a, b = 1 + lam * c, 1 + lam * (1 - c)
    _check_moments(d, stats.beta(a, b, loc=low, scale=width))
    # the classic PERT mean
    if lam == 4:
        assert math.isclose(d.mean, (low + 4 * mode + low + width) / 6, rel_tol=1e-9)


@settings(max_examples=20, deadline=None)
@given(mean=finite, sd=positive)
def test_normal(mean, sd):
    d = distribution_from_spec({"kind": "normal", "mean": mean, "sd": sd})
    _check_moments(d, stats.norm(mean, sd))


@settings(max_examples=20, deadline=None)
@given(mean=finite, sd=positive, a=st.floats(-3, 2), w=st.floats(0.2, 5))
def test_truncnormal(mean, sd, a, w):
    low, high = mean + a * sd, mean + (a + w) * sd
    d = distribution_from_spec(
        {"kind": "truncnormal", "mean": mean, "sd": sd, "low": low, "high": high}
    )
    _check_moments(d, stats.truncnorm(a, a + w, loc=mean, scale=sd))


@settings(max_examples=20, deadline=None)
@given(a=st.floats(0.5, 20), b=st.floats(0.5, 20), low=finite, width=st.floats(1e-2, 1e3))
def test_beta(a, b, low, width):
    d = distribution_from_spec({"kind": "beta", "a": a, "b": b, "low": low, "high": low + width})
    _check_moments(d, stats.beta(a, b, loc=low, scale=width))


@settings(max_examples=20, deadline=None)
@given(mu=st.floats(-3, 3), sigma=st.floats(0.05, 0.8))
def test_lognormal(mu, sigma):
    d = distribution_from_spec({"kind": "lognormal", "mu": mu, "sigma": sigma})
    _check_moments(d, stats.lognorm(sigma, scale=math.exp(mu)))


@settings(max_examples=20, deadline=None)
@given(
    values=st.lists(st.integers(-50, 50), min_size=1, max_size=6, unique=True),
    data=st.data(),
)
def test_choice(values, data):
    weights = data.draw(st.lists(st.floats(0.1, 5), min_size=len(values), max_size=len(values)))
    d = distribution_from_spec({"kind": "choice", "values": values, "weights": weights})
    p = np.asarray(weights) / sum(weights)
    x = d.ppf(U)
    for v, pv in zip(values, p, strict=True):
        assert abs(np.mean(x == v) - pv) < 1e-4
    assert math.isclose(d.mean, float(np.dot(p, values)), rel_tol=1e-9, abs_tol=1e-9)
    assert set(np.unique(x)) <= set(values)


def test_choice_unweighted_and_spec_roundtrip():
    d = distribution_from_spec({"kind": "choice", "values": [5, 10, 15]})
    assert d.mean == 10
    for spec in (
        {"kind": "uniform", "low": 0, "high": 2},
        {"kind": "pert", "low": 0, "mode": 1, "high": 2, "lambda": 3},
        {"kind": "normal", "mean": 1, "sd": 2},
        {"kind": "truncnormal", "mean": 1, "sd": 2, "low": 0, "high": 3},
        {"kind": "beta", "a": 2, "b": 3, "low": 1, "high": 4},
        {"kind": "lognormal", "mu": 0, "sigma": 0.5},
    ):
        d = distribution_from_spec(spec)
        again = distribution_from_spec(d.to_spec())
        assert again == d


BAD_SPECS = [
    ({"kind": "gamma", "a": 1}, "kind"),
    ({"low": 1, "high": 2}, "kind"),
    ({"kind": "uniform", "low": 1}, "high"),
    ({"kind": "uniform", "low": 2, "high": 1}, "high"),
    ({"kind": "uniform", "low": 0, "high": 1, "mode": 0.5}, "mode"),
    ({"kind": "triangular", "low": 0, "mode": 2, "high": 1}, "mode"),
    ({"kind": "pert", "low": 0, "mode": 0.5, "high": 1, "lambda": 0}, "lambda"),
    ({"kind": "normal", "mean": 0, "sd": -1}, "sd"),
    ({"kind": "normal", "mean": "zero", "sd": 1}, "mean"),
    ({"kind": "normal", "mean": True, "sd": 1}, "mean"),
    ({"kind": "normal", "mean": float("nan"), "sd": 1}, "mean"),
    ({"kind": "truncnormal", "mean": 0, "sd": 1, "low": 100, "high": 101}, "low"),
    ({"kind": "beta", "a": 0, "b": 1}, "a"),
    ({"kind": "lognormal", "mu": 0, "sigma": 0}, "sigma"),
    ({"kind": "choice", "values": []}, "values"),
    ({"kind": "choice", "values": "abc"}, "values"),
    ({"kind": "choice", "values": [1, 2], "weights": [1]}, "weights"),
    ({"kind": "choice", "values": [1, 2], "weights": [-1, 2]}, "weights"),
]


@pytest.mark.parametrize(("spec", "param"), BAD_SPECS)
def test_bad_specs_name_the_parameter(spec, param):
    with pytest.raises(DistributionError) as info:
        distribution_from_spec(spec)
    assert isinstance(info.value, ValueError)
    assert info.value.param == param
    assert str(info.value)


def test_not_a_mapping():
    with pytest.raises(DistributionError):
        distribution_from_spec([1, 2])  # type: ignore[arg-type]


class _Null:
    def evaluate(self, samples, rng):
        return {"y": np.zeros(len(next(iter(samples.values()))))}


@pytest.mark.parametrize("rho", [-0.7, 0.3, 0.8])
def test_copula_gives_requested_rank_correlation(rho):
    paths = ["a", "b", "c"]
    corr = correlation_matrix(paths, [("a", "b", rho), ("b", "c", 0.2)])
    spec = ExperimentSpec(
        (
            Uncertainty("a", distribution_from_spec({"kind": "lognormal", "mu": 0, "sigma": 1})),
            Uncertainty(
                "b", distribution_from_spec({"kind": "triangular", "low": 0, "mode": 1, "high": 5})
            ),
            Uncertainty("c", distribution_from_spec({"kind": "normal", "mean": 0, "sd": 1})),
        ),
        _Null(),
        correlation=corr,
    )
    x = spec.sample(100_000, rng=3)
    assert stats.spearmanr(x["a"], x["b"]).statistic == pytest.approx(rho, abs=0.01)
    assert stats.spearmanr(x["b"], x["c"]).statistic == pytest.approx(0.2, abs=0.01)
    assert stats.spearmanr(x["a"], x["c"]).statistic == pytest.approx(
        stats.spearmanr(x["a"], x["c"]).statistic
    )
    # marginals are untouched by the copula
    assert np.mean(x["b"]) == pytest.approx(2.0, abs=0.02)
    assert np.median(x["a"]) == pytest.approx(1.0, abs=0.02)


def test_correlation_validation():
    with pytest.raises(ValueError, match="not an uncertain input"):
        correlation_matrix(["a", "b"], [("a", "z", 0.5)])
    with pytest.raises(ValueError, match="itself"):
        correlation_matrix(["a", "b"], [("a", "a", 0.5)])
    with pytest.raises(ValueError, match=r"\(-1, 1\)"):
        correlation_matrix(["a", "b"], [("a", "b", 1.0)])
    with pytest.raises(ValueError, match="positive definite"):
        correlation_matrix(["a", "b", "c"], [("a", "b", 0.9), ("b", "c", 0.9), ("a", "c", -0.9)])
    with pytest.raises(ValueError, match="twice"):
        ExperimentSpec((Uncertainty("a", Uniform(0, 1)), Uncertainty("a", Uniform(0, 1))), _Null())


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5000), seed=st.integers(0, 2**32))
def test_keyed_permutation_is_a_bijection(n, seed):
    keys = np.random.SeedSequence(seed).generate_state(6, dtype=np.uint64)
    perm = keyed_permutation(np.arange(n, dtype=np.uint64), n, keys)
    assert np.array_equal(np.sort(perm), np.arange(n))


def test_lhs_is_a_latin_hypercube_over_the_whole_run_in_any_pieces():
    n, d = 1000, 4
    ds = np.random.SeedSequence(7)
    pieces = [
        unit_design("lhs", n, d, a, min(n, a + 300), ds, np.random.default_rng(a))
        for a in range(0, n, 300)
    ]
    u = np.vstack(pieces)
    for j in range(d):
        assert np.array_equal(np.sort(np.floor(u[:, j] * n)), np.arange(n))


def test_sobol_batches_are_one_sequence():
    from scipy.stats import qmc

    n, d = 1024, 3
    ds = np.random.SeedSequence(11)
    pieces = [
        unit_design("sobol", n, d, a, min(n, a + 100), ds, np.random.default_rng(0))
        for a in range(0, n, 100)
    ]
    whole = qmc.Sobol(d, scramble=True, rng=np.random.default_rng(np.random.SeedSequence(11)))
    assert np.array_equal(np.vstack(pieces), whole.random(n))
    # and the same again: the design seed is not consumed
    again = unit_design("sobol", n, d, 100, 200, ds, np.random.default_rng(0))
    assert np.array_equal(again, pieces[1])


def test_unknown_sampler():
    with pytest.raises(ValueError, match="unknown sampler"):
        unit_design("halton", 10, 2, 0, 10, np.random.SeedSequence(0), np.random.default_rng(0))


@settings(max_examples=15, deadline=None)
@given(a=st.floats(1.0, 60.0), b=st.floats(1.0, 60.0))
def test_fast_beta_inverse_agrees_with_the_exact_one(a, b):
    """The polynomial inverse CDF used for beta and PERT inputs stays within 1e-9 of SciPy's
    exact ``betaincinv`` (the oracle), tails included."""
    from scipy import special

    d = distribution_from_spec({"kind": "beta", "a": a, "b": b})
    edges = [2.0**-53, 1e-12, 1e-6, 1.0001e-6, 1 - 1.0001e-6, 1 - 1e-6, 1 - 2.0**-53]
    u = np.concatenate([U[::20], edges])
    np.testing.assert_allclose(d.ppf(u), special.betaincinv(a, b, u), rtol=0, atol=1e-9)


def test_copula_touches_only_correlated_inputs():
    """Inputs in no correlation keep their uniforms bit for bit; the correlated pair gets the
    Gaussian copula, computed here independently from the normal correlation 2 sin(pi rho / 6)."""
    from scipy import special

    tri = {"kind": "triangular", "low": 0, "mode": 1, "high": 5}
    paths = ["a", "b", "c", "d"]
    spec = ExperimentSpec(
        tuple(Uncertainty(p, distribution_from_spec(tri)) for p in paths),
        _Null(),
        correlation=correlation_matrix(paths, [("a", "c", 0.6)]),
    )
    u = np.random.default_rng(7).random((1000, 4))
    x = spec.transform(u)
    d = distribution_from_spec(tri)
    for j in (1, 3):  # untouched
        np.testing.assert_array_equal(x[paths[j]], d.ppf(u[:, j]))
    r = 2 * np.sin(np.pi * 0.6 / 6)
    za, zc = special.ndtri(u[:, 0]), special.ndtri(u[:, 2])
    zc2 = r * za + np.sqrt(1 - r * r) * zc  # the second row of the 2x2 Cholesky factor
    np.testing.assert_allclose(x["a"], d.ppf(u[:, 0]), rtol=0, atol=1e-12)
    np.testing.assert_allclose(x["c"], d.ppf(special.ndtr(zc2)), rtol=0, atol=1e-12)


def test_one_vocabulary_of_distributions_from_schema_to_samplers():
    """The schema and the samplers read one table of kinds and one set of rules."""
    import typing

    from realpolitik.scenario.distributions import DISTRIBUTIONS
    from realpolitik.scenario.schema import Dist

    assert set(typing.get_args(Dist.model_fields["kind"].annotation)) == set(DISTRIBUTIONS)
    for spec, param in BAD_SPECS:
        if not isinstance(spec, dict) or "kind" not in spec or isinstance(spec.get("values"), str):
            continue
        with pytest.raises(ValueError) as info:
            Dist.model_validate(spec)
        assert param in str(info.value)


@settings(max_examples=50, deadline=None)
@given(mean=finite, sd=positive, a=st.floats(-36, 36), w=st.floats(0.01, 40))
def test_truncnormal_inverse_cdf_matches_scipy(mean, sd, a, w):
    """The closed-form inverse CDF against SciPy's truncnorm (an independent implementation),
    across the intervals the schema allows, in the bulk and the tails."""
    d = distribution_from_spec(
        {
            "kind": "truncnormal",
            "mean": mean,
            "sd": sd,
            "low": mean + a * sd,
            "high": mean + (a + w) * sd,
        }
    )
    u = np.array([1e-12, 1e-6, 0.01, 0.3, 0.5, 0.7, 0.99, 1 - 1e-6])
    ref = stats.truncnorm(a, a + w, loc=mean, scale=sd).ppf(u)
    np.testing.assert_allclose(d.ppf(u), ref, rtol=1e-7, atol=1e-7 * sd * (1 + abs(a) + w))


def test_triangular_inverse_cdf_hand_worked():
    # low 0, mode 1, high 4: F(x) = x^2 / 4 below the mode (F(1) = 1/4), 1 - (4 - x)^2 / 12 above
    d = distribution_from_spec({"kind": "triangular", "low": 0, "mode": 1, "high": 4})
    np.testing.assert_allclose(d.ppf(np.array([0.04, 0.25, 0.4375])), [0.4, 1.0, 4 - 6.75**0.5])


def test_transform_is_each_inverse_cdf_on_its_column():
    """Without correlation, input j of a design is input j's inverse CDF applied to column j
    (clipped into (0, 1)), value for value, whatever the memory layout of the design."""
    specs = [
        {"kind": "triangular", "low": 0, "mode": 1, "high": 3},
        {"kind": "uniform", "low": -2, "high": 5},
        {"kind": "choice", "values": [5, 10, 15]},
        {"kind": "beta", "a": 2.0, "b": 5.0, "low": 0, "high": 1},
    ]
    spec = ExperimentSpec(
        tuple(Uncertainty(f"x{j}", distribution_from_spec(d)) for j, d in enumerate(specs)),
        _Identity(),
    )
    design = np.random.default_rng(3).random((1_000, 4))
    design[0] = [0.0, 1.0, 0.5, 0.25]  # the ends are clipped into [2**-53, 1 - 2**-53]
    for layout in (design, np.asfortranarray(design)):
        got = spec.transform(layout)
        for j, u in enumerate(spec.uncertainties):
            column = np.clip(design[:, j], 2.0**-53, 1.0 - 2.0**-53)
            expected = np.array([u.distribution.ppf(np.array([c]))[0] for c in column])
            assert np.array_equal(got[f"x{j}"], expected)
            assert got[f"x{j}"].flags.c_contiguous


class _Identity:
    def evaluate(self, samples, rng):
        return dict(samples)
