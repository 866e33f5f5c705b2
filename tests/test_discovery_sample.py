"""Which draws scenario discovery reads: a sample of the whole run that holds the rare answer's
cases, and the weights that turn a stratified sample's rates back into the run's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from realpolitik.experiment.explain import MIN_CASES, ClassWeights, discovery, discovery_sample
from realpolitik.experiment.outcomes import Outcome
from realpolitik.models.results import Output


def test_class_weights_hand_worked():
    # a run of 1,000 draws with 10 yes; the sample keeps the 10 yes and 90 of the 990 no
    w = ClassWeights(yes=1.0, no=11.0)
    assert float(w.density(0.1)) == pytest.approx(0.01)  # 10 / (10 + 90 x 11)
    assert w.sample_density(0.01) == pytest.approx(0.1)
    # 50 sampled draws holding 5 yes stand for 5 + 45 x 11 = 500 of the 1,000 draws
    assert float(w.share(0.5, 0.1, 10, 90)) == pytest.approx(0.5)


def test_uniform_sample_when_it_holds_enough_cases():
    answers = np.zeros(100_000, dtype=bool)
    answers[::10] = True  # 10%: a uniform 20,000 holds about 2,000
    chosen, weights = discovery_sample(answers, seed=0, size=20_000)
    assert weights is None and chosen.size == 20_000 and np.all(np.diff(chosen) > 0)
    assert chosen.max() > 50_000  # from the whole run, not its first draws
    again, _ = discovery_sample(answers, seed=0, size=20_000)
    assert np.array_equal(chosen, again)


def test_stratified_sample_keeps_every_rare_case():
    answers = np.zeros(100_000, dtype=bool)
    answers[np.random.default_rng(1).choice(100_000, 150, replace=False)] = True
    chosen, weights = discovery_sample(answers, seed=0, size=20_000)
    assert chosen.size == 20_000 and answers[chosen].sum() == 150 >= MIN_CASES
    assert weights == ClassWeights(1.0, 99_850 / 19_850)


def test_stratified_prim_measures_its_box_on_the_run():
    """The box found on a stratified sample, measured on every draw by brute force, has the
    density and support the reweighted sample reports."""
    rng = np.random.default_rng(7)
    n = 100_000
    X = pd.DataFrame({"a": rng.random(n), "b": rng.random(n), "c": rng.random(n)})
    y = (X["a"] > 0.9) & (X["b"] > 0.95) & (rng.random(n) < 0.8)  # about 0.4%
    chosen, weights = discovery_sample(y.to_numpy(), seed=3, size=20_000)
    assert weights is not None
    outcome = Outcome("hit", "m", Output("hit", "indicator", "", ""), "hit")
    found = discovery(
        X.iloc[chosen].reset_index(drop=True),
        y.to_numpy()[chosen].astype(float),
        outcome,
        {},
        weights=weights,
    )
    assert found.status == "box"
    assert found.base_rate == pytest.approx(y.mean(), rel=1e-9)
    inside = np.ones(n, dtype=bool)
    for limit in found.box["limits"]:
        col = X[limit["path"]].to_numpy()
        inside &= (col >= limit["low"]) & (col <= limit["high"])
    assert found.box["density"] == pytest.approx(y[inside].mean(), rel=0.1)
    assert found.box["support"] == pytest.approx(inside.mean(), rel=0.1)
    assert found.box["coverage"] == pytest.approx(y[inside].sum() / y.sum(), rel=0.05)
