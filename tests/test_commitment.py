"""Survival of promises under repudiation hazards and leader turnover."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models.commitment import (
    Turnover,
    credibility,
    present_value,
    survival,
    turnover_probability,
)

prob = st.floats(0.0, 1.0)


def test_survival_closed_form_without_elections():
    s = survival(5, 0.1, 0.5, Turnover(annual_hazard=0.2))
    yearly = 0.9 * (1 - 0.5 * 0.2)
    np.testing.assert_allclose(s, yearly ** np.arange(1, 6))


def test_elections_every_four_years_from_year_three():
    q = turnover_probability(
        10, Turnover(0.0, elections_every=4, next_election=3, change_probability=0.6)
    )
    np.testing.assert_allclose(q, [0, 0, 0.6, 0, 0, 0, 0.6, 0, 0, 0])
    s = survival(10, 0.0, 1.0, Turnover(0.0, 4, 3, 0.6))
    np.testing.assert_allclose(s[[1, 2, 6]], [1.0, 0.4, 0.16])


def test_present_value_and_credibility():
    s = np.ones(3)
    pv = present_value(2.0, s, 0.1)
    np.testing.assert_allclose(pv, 2 * (1 / 1.1 + 1 / 1.1**2 + 1 / 1.1**3))
    assert credibility(s, 0.1) == pytest.approx(1.0)
    hz = np.array([1, 3])
    pv2 = present_value(1.0, np.ones((2, 3)), 0.0, horizon=hz)
    np.testing.assert_allclose(pv2, [1.0, 3.0])


def test_vectorised_over_draws_and_levers():
    r = np.full((4, 3), 0.05)
    s = survival(7, r, 0.3, Turnover(np.full((4, 1), 0.1)))
    assert s.shape == (4, 3, 7)


def test_bad_probability_raises():
    with pytest.raises(ModelError):
        survival(3, 1.5, 0.0)
    with pytest.raises(ModelError):
        turnover_probability(3, Turnover(annual_hazard=-0.1))


@given(r=prob, s=prob, h=prob, c=prob, k=st.integers(0, 6), n0=st.integers(1, 6))
@settings(max_examples=100, deadline=None)
def test_survival_is_a_non_increasing_probability(r, s, h, c, k, n0):
    S = survival(12, r, s, Turnover(h, k, n0, c))
    assert np.all((S >= 0) & (S <= 1))
    assert np.all(np.diff(S) <= 1e-15)


@given(r1=prob, r2=prob, s=prob, h=prob)
@settings(max_examples=100, deadline=None)
def test_more_durable_form_survives_longer(r1, r2, s, h):
    lo, hi = sorted((r1, r2))
    t = Turnover(h)
    assert np.all(survival(8, lo, s, t) >= survival(8, hi, s, t) - 1e-15)


def test_credibility_by_hand_with_horizons_and_an_empty_horizon():
    # S = (1, 0.5, 0.25) at 0% discount: over 2 years (1 + 0.5) / 2, over 3 (1.75) / 3
    s = np.array([[1.0, 0.5, 0.25], [1.0, 0.5, 0.25]])
    np.testing.assert_allclose(credibility(s, 0.0, horizon=np.array([2, 3])), [0.75, 1.75 / 3])
    # an empty horizon promises nothing, so nothing is lost: 1
    assert credibility(np.ones((1, 2)), 0.0, horizon=np.array([0]))[0] == 1.0
    assert credibility(np.zeros((1, 2)), 0.0, horizon=np.array([2]))[0] == 0.0
    # one year at 10%: the annuity is below 1, and credibility is still S(1)
    one_year = credibility(np.array([[0.5, 0.25]]), 0.1, horizon=np.array([1]))
    np.testing.assert_allclose(one_year, [0.5])


def test_discount_rates_that_cannot_discount_raise():
    from realpolitik.models.commitment import discount_weights

    for bad in (-1.0, -1.5, float("inf"), float("nan")):
        with pytest.raises(ModelError):
            discount_weights(3, bad)
    # just above -1 is allowed (a rate of -50% doubles each year's weight)
    np.testing.assert_allclose(discount_weights(2, -0.5), [2.0, 4.0])
