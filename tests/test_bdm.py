"""Bueno de Mesquita expected-utility model (Scholz et al. 2011 reading)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models.bargaining import bargain_outcome
from realpolitik.models.bargaining.bdm import BDMOptions, compare_variants, run_bdm, run_bdm_batch

PUBLISHED_MEAN = [7.4, 7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6, 7.3, 7.2]  # read off Scholz et al.


@pytest.fixture(scope="module")
def ec(validation_dir):
    df = pd.read_csv(validation_dir / "bdm-ec-emissions" / "actors.csv")
    return df.Capability.to_numpy(), df.Position.to_numpy(float), df.Salience.to_numpy() / 100, df


@pytest.fixture(scope="module")
def honduras(validation_dir):
    df = pd.read_csv(validation_dir / "bdm-ec-emissions" / "honduras_crisis_actors.csv")
    return df.Resources.to_numpy(), df.Position.to_numpy(float), df.Salience.to_numpy()


def test_ec_initial_mean_and_median_exact(ec):
    c, x, s, df = ec
    res = run_bdm(c, x, s, 4, 10, actor_names=df.Actor)
    assert res.weighted_mean[0] == pytest.approx(5.003 / 0.677, abs=1e-12)
    assert round(res.weighted_mean[0], 3) == 7.390
    assert res.median[0] == 7.0


def test_ec_default_reading_oscillates(ec):
    c, x, s, _ = ec
    res = run_bdm(c, x, s, 4, 10)
    assert not res.converged
    assert res.oscillating
    # Luxembourg flips between 4 and 10 every round under the replication's rules
    assert set(np.round(res.positions[:, 2], 6)) == {4.0, 10.0}
    d = res.to_dict()
    assert d["oscillating"] is True and d["converged"] is False and len(d["turns"]) == 11


def test_variant_ranking_against_published_trajectory(ec):
    c, x, s, _ = ec
    ranked = compare_variants(c, x, s, PUBLISHED_MEAN, 4, 10)
    assert len(ranked) == 24
    best_opt, best_err, _ = ranked[0]
    assert best_opt.probability == "net"
    assert best_err < 0.15
    # the "positive" probability reading collapses toward 4-5: far from the figure
    worst = [e for o, e, _ in ranked if o.probability == "positive"]
    assert min(worst) > 1.0


def test_status_quo_only_matters_when_q_below_one(ec):
    c, x, s, _ = ec
    a = run_bdm(c, x, s, 4, 10, BDMOptions(status_quo="median"))
    b = run_bdm(c, x, s, 4, 10, BDMOptions(status_quo="mean"))
    np.testing.assert_array_equal(a.positions, b.positions)
    a = run_bdm(c, x, s, 4, 10, BDMOptions(status_quo="median", q=0.5, t=0.5))
    b = run_bdm(c, x, s, 4, 10, BDMOptions(status_quo="mean", q=0.5, t=0.5))
    assert not np.array_equal(a.risk_exponents, b.risk_exponents)


@pytest.mark.parametrize("opt", BDMOptions.all_variants(rounds=15), ids=str)
def test_honduras_converges_to_half(honduras, opt):
    c, x, s = honduras
    res = run_bdm(c, x, s, 0, 1, opt)
    assert res.converged
    np.testing.assert_allclose(res.positions[-1], 0.5)


def test_batch_equals_single_runs(ec):
    c, x, s, _ = ec
    rng = np.random.default_rng(3)
    C = c * rng.uniform(0.8, 1.2, (20, 10))
    S = np.clip(s * rng.uniform(0.8, 1.2, (20, 10)), 0, 1)
    X = np.clip(x + rng.normal(0, 0.5, (20, 10)), 4, 10)
    batch = run_bdm_batch(C, X, S, 4, 10)
    for d in (0, 7, 19):
        single = run_bdm(C[d], X[d], S[d], 4, 10)
        np.testing.assert_allclose(batch.positions[d], single.positions)
        assert batch.oscillating[d] == single.oscillating


def test_history_frame(ec):
    c, x, s, df = ec
    h = run_bdm(c, x, s, 4, 10, actor_names=df.Actor).history_frame()
    assert len(h) == 11 * 10 and h["risk_exponent"].isna().sum() == 10


def test_bargain_outcome_helper(ec):
    c, x, s, _ = ec
    one = bargain_outcome(c, x, s, 4, 10, model="bdm")
    assert 4 <= one.outcome <= 10 and one.spread == 0.0
    rng = np.random.default_rng(0)
    many = bargain_outcome(
        c * rng.uniform(0.8, 1.2, (50, 10)),
        np.tile(x, (50, 1)),
        np.tile(s, (50, 1)),
        4,
        10,
        model="bdm",
    )
    assert many.outcomes.shape == (50,) and many.spread > 0
    smp = bargain_outcome(c, x, s, 4, 10, model="smp")
    assert 4 <= smp.outcome <= 10 and smp.converged.all()


def test_bad_options_and_inputs():
    with pytest.raises(ModelError):
        BDMOptions(probability="whatever")
    with pytest.raises(ModelError):
        run_bdm([1, 1], [3, 3], [0.5, 0.5])  # zero range
    with pytest.raises(ModelError):
        run_bdm([1, 1], [0, 1], [0.5, 1.5])


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 100_000), st.integers(3, 8), st.floats(0.1, 100.0))
def test_properties_range_and_capability_scale(seed, n, factor):
    rng = np.random.default_rng(seed)
    c = rng.uniform(0.1, 1, n)
    x = rng.uniform(0, 1, n)
    s = rng.uniform(0.05, 1, n)
    a = run_bdm(c, x, s, 0, 1, BDMOptions(rounds=6))
    assert np.all(a.positions >= -1e-12) and np.all(a.positions <= 1 + 1e-12)
    b = run_bdm(c * factor, x, s, 0, 1, BDMOptions(rounds=6))
    np.testing.assert_allclose(a.positions, b.positions, atol=1e-9)
