"""Scenario discovery: flip thresholds and PRIM on planted structure."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.experiment.discovery import DiscoveryError, flip_thresholds, prim


def planted(n=20_000, seed=0, noise=0.03):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.random((n, 6)), columns=[f"in.{i}" for i in range(6)])
    X["choice"] = rng.choice([5.0, 10.0, 15.0], size=n)
    box = (X["in.0"] > 0.6) & (X["in.2"] < 0.3)
    flip = rng.random(n) < noise
    return X, np.where(flip, ~box, box).astype(bool), box.to_numpy()


def test_prim_finds_a_planted_box():
    X, y, box = planted()
    res = prim(X, y, peel_alpha=0.05, threshold=0.9, min_support=0.05)
    b = res.box
    assert list(b.restricted.index) == ["in.0", "in.2"]
    assert b.restricted.loc["in.0", "low"] == pytest.approx(0.6, abs=0.03)
    assert b.restricted.loc["in.2", "high"] == pytest.approx(0.3, abs=0.03)
    assert b.density >= 0.9 and b.coverage >= 0.8
    inside = b.contains(X)
    assert b.coverage == pytest.approx(y[inside].sum() / y.sum())
    assert b.density == pytest.approx(y[inside].mean())
    assert b.support == pytest.approx(inside.mean())
    t = res.trajectory
    assert list(t.columns) == ["step", "coverage", "density", "support", "n_points", "n_restricted"]
    assert t["coverage"].iloc[0] == 1.0 and t["density"].iloc[0] == pytest.approx(y.mean())
    assert (np.diff(t["support"]) < 0).all()  # each peel removes draws
    assert (np.diff(t["density"]) > 0).all()  # ...and raises the density
    assert t["support"].iloc[-1] >= 0.05 - 1e-9
    assert res.to_dict()["boxes"][0]["limits"].keys() == {"in.0", "in.2"}


def test_prim_covering_finds_two_boxes():
    rng = np.random.default_rng(4)
    n = 20_000
    X = pd.DataFrame(rng.random((n, 4)), columns=list("abcd"))
    y = ((X.a < 0.25) & (X.b < 0.5)) | ((X.c > 0.8) & (X.d > 0.5))
    res = prim(X, y.to_numpy(), threshold=0.95, max_boxes=2)
    assert len(res.boxes) == 2
    found = {frozenset(b.restricted.index) for b in res.boxes}
    assert found == {frozenset("ab"), frozenset("cd")}
    assert sum(b.coverage for b in res.boxes) > 0.85


def test_flip_thresholds_find_planted_cuts():
    X, y, _ = planted()
    res = flip_thresholds(X, y).set_index("input")
    assert res.index[:2].tolist() == ["in.2", "in.0"] or res.index[:2].tolist() == ["in.0", "in.2"]
    assert res.loc["in.0", "direction"] == "above"
    assert res.loc["in.0", "threshold"] == pytest.approx(0.6, abs=0.03)
    assert res.loc["in.2", "direction"] == "below"
    assert res.loc["in.2", "threshold"] == pytest.approx(0.3, abs=0.03)
    assert res.loc["in.0", "p_yes_beyond"] > res.loc["in.0", "p_yes_other"]
    assert res.loc["in.5", "j"] < 0.05


@settings(max_examples=30, deadline=None)
@given(t=st.floats(0.1, 0.9), above=st.booleans(), seed=st.integers(0, 1000))
def test_flip_threshold_of_a_clean_cut_is_exact(t, above, seed):
    rng = np.random.default_rng(seed)
    x = rng.random(500)
    y = x > t if above else x <= t
    if y.all() or not y.any():
        return
    res = flip_thresholds(pd.DataFrame({"x": x}), y).iloc[0]
    assert res["j"] == pytest.approx(1.0)
    assert res["direction"] == ("above" if above else "below")
    lo, hi = x[x <= t].max(initial=-1), x[x > t].min(initial=2)
    assert lo < res["threshold"] < hi


def test_bad_inputs():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(DiscoveryError, match="both"):
        prim(X, [True, True, True])
    with pytest.raises(DiscoveryError, match="1-D"):
        flip_thresholds(X, [True, False])
    with pytest.raises(DiscoveryError, match="booleans"):
        flip_thresholds(X, [0.5, 1, 0])
    with pytest.raises(DiscoveryError, match="not numeric"):
        flip_thresholds(pd.DataFrame({"a": ["x", "y", "z"]}), [True, False, True])
    with pytest.raises(DiscoveryError, match="peel_alpha"):
        prim(X, [True, False, True], peel_alpha=0.7)
    with pytest.raises(DiscoveryError):
        prim(X.to_numpy(), [True, False, True])
