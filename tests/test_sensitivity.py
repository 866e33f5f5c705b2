"""Sensitivity: SALib's Sobol' and Morris through the experiment layer, checked on Ishigami."""

from __future__ import annotations

import math

import numpy as np
import pytest

from realpolitik.experiment.run import ExperimentError
from realpolitik.experiment.sensitivity import morris, sobol_indices
from realpolitik.experiment.uncertainty import ExperimentSpec, Uncertainty, Uniform

A, B = 7.0, 0.1


class Ishigami:
    def evaluate(self, samples, rng):
        x1, x2, x3 = samples["x.1"], samples["x.2"], samples["x.3"]
        return {"y": np.sin(x1) + A * np.sin(x2) ** 2 + B * x3**4 * np.sin(x1)}


def ishigami_indices():
    """Analytic first-order and total indices of the Ishigami function (Ishigami & Homma 1990)."""
    v1 = 0.5 * (1 + B * math.pi**4 / 5) ** 2
    v2 = A**2 / 8
    v13 = B**2 * math.pi**8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return (v1 / v, v2 / v, 0.0), ((v1 + v13) / v, v2 / v, v13 / v)


def spec():
    return ExperimentSpec(
        tuple(
            Uncertainty(f"x.{i}", Uniform(-math.pi, math.pi), label=f"input {i}", claims=(f"C{i}",))
            for i in (1, 2, 3)
        ),
        Ishigami(),
    )


def test_analytic_values():
    s1, st = ishigami_indices()
    assert s1 == pytest.approx((0.314, 0.442, 0.0), abs=1e-3)
    assert st == pytest.approx((0.558, 0.442, 0.244), abs=1e-3)


def test_sobol_reproduces_ishigami_within_ci():
    res = sobol_indices(spec(), "y", n_base=4096, seed=2, batch_size=5_000)
    s1, st = ishigami_indices()
    assert list(res["path"][:2]) == ["x.1", "x.2"] and res["path"][2] == "x.3"  # ranked by ST
    assert list(res["rank"]) == [1, 2, 3]
    by = res.set_index("path")
    for i, path in enumerate(("x.1", "x.2", "x.3")):
        row = by.loc[path]
        assert abs(row["S1"] - s1[i]) <= max(row["S1_conf"], 0.01), (path, row["S1"], s1[i])
        assert abs(row["ST"] - st[i]) <= max(row["ST_conf"], 0.01), (path, row["ST"], st[i])
        assert 0 < row["S1_conf"] < 0.1 and 0 < row["ST_conf"] < 0.1
    assert by.loc["x.1", "label"] == "input 1" and by.loc["x.1", "claims"] == ("C1",)
    assert res.attrs["evaluations"] == 4096 * 5
    # same seed, same answer, whatever the executor
    again = sobol_indices(
        spec(), "y", n_base=4096, seed=2, batch_size=7_000, executor="processes", workers=2
    )
    # batch size only changes the model's own rng, which Ishigami does not use
    np.testing.assert_array_equal(again["S1"], res["S1"])


def test_morris_screens_out_nothing_important():
    res = morris(spec(), "y", trajectories=40, seed=0)
    assert set(res["path"][:2]) == {"x.1", "x.2"}
    assert (res["mu_star"] >= 0).all() and (res["sigma"] >= 0).all()
    # x3 acts only through its interaction with x1: a large spread relative to its mean effect
    x3 = res.set_index("path").loc["x.3"]
    assert x3["sigma"] > 0.5 * x3["mu_star"]


def test_errors():
    with pytest.raises(ExperimentError, match="no outcome"):
        sobol_indices(spec(), "z", n_base=64)
    with pytest.raises(ExperimentError, match="n_base"):
        sobol_indices(spec(), "y", n_base=1)
    with pytest.raises(ExperimentError, match="quantile_range"):
        morris(spec(), "y", quantile_range=(0.5, 0.2))
