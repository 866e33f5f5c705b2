"""Sensitivity of declared outcomes from a run's own draws: Borgonovo's delta for yes/no outcomes,
PAWN for quantities. Checked on cases worked by hand, against a direct loop over the slices that
shares no code with the vectorised estimator, against SALib's PAWN (for a yes/no outcome the KS
distance of two Bernoulli distributions is the difference of their probabilities), and on a
scenario whose courter values the pivot at 0 (every outcome constant: reported, never fatal)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import realpolitik.scenario
from realpolitik.experiment.options import RunOptions
from realpolitik.experiment.outcome_sensitivity import (
    SLICES,
    input_slices,
    outcome_bins,
    outcome_sensitivity,
)
from realpolitik.experiment.outcomes import Outcome
from realpolitik.experiment.scenario_run import run_scenario
from realpolitik.experiment.uncertainty import Uncertainty, Uniform
from realpolitik.models.results import Output
from realpolitik.report import sensitivity as report

YES_NO = Outcome("yes", "m", Output("yes", "indicator", "1 if yes", "it happens"), "yes")
AMOUNT = Outcome("amount", "m", Output("amount", "money", "bn", "an amount"), "amount", "maximize")


def inputs(k: int) -> list[Uncertainty]:
    return [Uncertainty(f"x.{j}", Uniform(0, 1), claims=(f"C{j}",)) for j in range(k)]


def test_a_threshold_on_one_input_is_worked_by_hand() -> None:
    """y = 1 exactly when x0 is in its upper half: P(yes) = 1/2; in each tenth of x0, P(yes) is 0
    or 1, so delta = sum of (1/10) |p_s - 1/2| = 1/2, S1 = 1, and P(yes) goes from 0 to 1. x1
    (the draws in another order) tells nothing."""
    n = 2000
    x0 = np.arange(n) / n
    x1 = np.random.default_rng(3).permutation(x0)
    y = (x0 >= 0.5).astype(float)
    f = outcome_sensitivity(np.column_stack([x0, x1]), y, YES_NO, inputs(2), seed=0)
    assert f.status == "ranked" and f.method == "delta" and f.n_yes == 1000
    top, other = f.table.iloc[0], f.table.iloc[1]
    assert top["path"] == "x.0" and top["claims"] == ("C0",)
    assert top["index"] == pytest.approx(0.5)
    assert top["S1"] == pytest.approx(1.0)
    assert (top["low"], top["high"], top["effect"]) == (0.0, 1.0, 1.0)
    assert top["above_noise"] and not other["above_noise"]
    assert other["index"] < 0.05
    # Monte Carlo error of P(yes): sqrt(p (1 - p) / n)
    assert f.mean == 0.5 and f.mean_se == pytest.approx(np.sqrt(0.25 / n))


def brute_force_delta(x: np.ndarray, y: np.ndarray) -> float:
    """Borgonovo's delta of a yes/no y by a loop over ten slices of equal count of x."""
    order = sorted(range(len(x)), key=lambda i: (x[i], i))
    n, p, total = len(x), sum(y) / len(y), 0.0
    for s in range(SLICES):
        members = [order[i] for i in range(n) if i * SLICES // n == s]
        p_s = sum(y[i] for i in members) / len(members)
        total += len(members) / n * abs(p_s - p)
    return total


def test_delta_equals_a_loop_over_the_slices() -> None:
    rng = np.random.default_rng(11)
    X = rng.random((3000, 4))
    y = (rng.random(3000) < 1 / (1 + np.exp(-(6 * X[:, 0] - 3 * X[:, 2] - 2)))).astype(float)
    f = outcome_sensitivity(X, y, YES_NO, inputs(4), seed=0)
    got = dict(zip(f.table["path"], f.table["index"], strict=True))
    for j in range(4):
        assert got[f"x.{j}"] == pytest.approx(brute_force_delta(list(X[:, j]), list(y)), abs=1e-12)
    assert list(f.table["path"][:2]) == ["x.0", "x.2"]


@pytest.mark.parametrize("indicator", [True, False])
def test_agrees_with_salibs_pawn(indicator: bool) -> None:
    """SALib's PAWN (mean KS distance over ten slices) on the same draws: for a yes/no outcome
    it is the delta; for a quantity the estimator bins the outcome at 200 quantiles, so the two
    agree to about 1/200 of the draws."""
    from SALib.analyze import pawn

    rng = np.random.default_rng(5)
    n = 4000
    X = rng.random((n, 3))
    signal = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 + 0.3 * rng.standard_normal(n)
    y = (signal > 1.0).astype(float) if indicator else signal
    outcome = YES_NO if indicator else AMOUNT
    f = outcome_sensitivity(X, y, outcome, inputs(3), seed=0)
    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    theirs = pawn.analyze(problem, X, y, S=SLICES)["mean"]
    ours = dict(zip(f.table["path"], f.table["index"], strict=True))
    for j in range(3):
        assert ours[f"x.{j}"] == pytest.approx(theirs[j], abs=0.01)


def test_undefined_draws_count_as_the_worst_value() -> None:
    y = np.array([2.0, np.nan, 1.0, 3.0])
    assert outcome_bins(y, False, "maximize").tolist() == [2, 0, 1, 3]
    assert outcome_bins(y, False, "none").tolist() == [2, 0, 1, 3]
    assert outcome_bins(y, False, "minimize").tolist() == [1, 3, 0, 2]


def test_infinite_values_sort_beyond_the_finite_ones() -> None:
    y = np.array([np.inf, 1.0, -np.inf, 2.0, np.nan])
    assert outcome_bins(y, False, "maximize").tolist() == [4, 2, 1, 3, 0]
    X = np.arange(10.0)[:, None]
    f = outcome_sensitivity(X, np.r_[np.arange(9.0), np.inf], AMOUNT, inputs(1))
    assert f.status == "ranked" and f.table["effect"][0] == pytest.approx(0.9)  # 0.05 to 0.95


def test_a_handful_of_draws_is_enough_to_run() -> None:
    """Fewer draws than slices: empty slices weigh nothing; nothing fails."""
    X = np.array([[0.1, 5.0], [0.5, 6.0], [0.9, 7.0]])
    f = outcome_sensitivity(X, np.array([0.0, 0.0, 1.0]), YES_NO, inputs(2))
    assert f.status == "ranked" and len(f.table) == 2
    # each draw its own slice: delta = (2/3 x 1/3 + 1/3 x 2/3) = 4/9 for both inputs
    assert f.table["index"].tolist() == pytest.approx([4 / 9, 4 / 9])


def test_an_outcome_defined_only_where_an_input_is_high() -> None:
    """A margin that is out of reach (NaN) unless x0 > 0.8: the slices above 0.8 hold all the
    defined draws, so PAWN ranks x0 first and the margin rises with it."""
    rng = np.random.default_rng(2)
    X = rng.random((5000, 2))
    y = np.where(X[:, 0] > 0.8, 10 * rng.random(5000), np.nan)
    f = outcome_sensitivity(X, y, AMOUNT, inputs(2), seed=1)
    assert f.undefined == int((X[:, 0] <= 0.8).sum())
    top = f.table.iloc[0]
    assert top["path"] == "x.0" and top["effect"] > 0.5
    # every slice's KS distance is at least its share of defined draws off the 20% overall
    assert top["index"] == pytest.approx(0.32, abs=0.02)


def test_a_constant_outcome_is_reported_not_ranked() -> None:
    X = np.random.default_rng(0).random((500, 2))
    f = outcome_sensitivity(X, np.zeros(500), YES_NO, inputs(2))
    assert f.status == "constant" and f.table.empty and f.n_yes == 0
    assert f.to_summary()["ranking"] == [] and f.above_noise == 0
    assert report.outcome_lines(f) == ["yes: no in every one of the 500 draws; nothing to rank."]
    g = outcome_sensitivity(X, np.full(500, np.nan), AMOUNT, inputs(2))
    assert g.status == "constant" and "undefined in every one" in report.outcome_lines(g)[0]


def test_discrete_inputs_are_cut_at_their_values() -> None:
    assert input_slices(np.array([3.0, 1.0, 2.0, 3.0])).tolist() == [2, 0, 1, 2]
    x = np.repeat([5.0, 10.0, 15.0], 100)
    y = (x == 5.0).astype(float)
    f = outcome_sensitivity(x[:, None], y, YES_NO, inputs(1))
    r = f.table.iloc[0]
    assert r["slices"] == 3 and (r["low"], r["high"]) == (1.0, 0.0)
    # P(yes) is 1, 0, 0 against 1/3: delta = (2/3 + 1/3 + 1/3) / 3 = 4/9
    assert r["index"] == pytest.approx(4 / 9)
    assert "at its lowest value" in report.outcome_lines(f)[1]


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(50, 400),
    rate=st.floats(0.05, 0.95),
)
def test_delta_is_bounded_and_blind_to_monotone_rescaling(seed: int, n: int, rate: float) -> None:
    """0 <= delta <= 2 p (1 - p); a strictly increasing transform of an input, or a reordering of
    the inputs, changes no index."""
    rng = np.random.default_rng(seed)
    X = rng.random((n, 3))
    y = (rng.random(n) < rate * X[:, 0] + (1 - rate) * X[:, 1] * 0.5).astype(float)
    f = outcome_sensitivity(X, y, YES_NO, inputs(3), seed=seed)
    if f.status == "constant":
        return
    p = y.mean()
    assert ((f.table["index"] >= 0) & (f.table["index"] <= 2 * p * (1 - p) + 1e-12)).all()
    moved = np.column_stack([np.exp(5 * X[:, 0]), X[:, 2], X[:, 1]])
    names = [inputs(3)[k] for k in (0, 2, 1)]
    g = outcome_sensitivity(moved, y, YES_NO, names, seed=seed)
    a = dict(zip(f.table["path"], f.table["index"], strict=True))
    b = dict(zip(g.table["path"], g.table["index"], strict=True))
    assert a == pytest.approx(b, abs=1e-12)


UNWANTED_PIVOT = """
realpolitik: 1
name: unwanted-pivot
actors:
  - {id: A, size: 1}
  - {id: B, size: 1}
  - {id: C, size: 1}
realignment:
  pivot: A
  incumbent: B
  courter: C
  horizon: 10
  discount_rate: {value: 0.05, dist: {kind: uniform, low: 0.01, high: 0.1}}
  trade:
    with_incumbent: 1
    gains_share: 0.1
    retaliation: {hedge: 0, courter: 0}
    replacement_capacity: {hedge: 0, courter: 0}
  switching_cost:
    hedge: {value: 1, dist: {kind: uniform, low: 0.5, high: 2}}
    courter: {value: 5, dist: {kind: uniform, low: 2, high: 8}}
  courter_value: {hedge: 0, courter: 0}
  incumbent_value: {hedge: 1, courter: 1}
analyses: [realignment]
outcomes:
  - {name: realigns, model: realignment, output: realigns}
  - {name: hedges, model: realignment, output: hedges}
  - {name: gap_ratio, model: realignment, output: gap_ratio}
  - {name: margin, model: realignment, output: margin, direction: maximize}
"""


def test_a_courter_that_values_the_pivot_at_zero_does_not_abort_the_run() -> None:
    """Nothing is worth anything to the courter: the pivot never moves, every outcome is the same
    in every draw, and the run reports that instead of failing."""
    from realpolitik.report import experiment

    s = realpolitik.scenario.loads(UNWANTED_PIVOT)
    run = run_scenario(s, RunOptions(seed=0, draws=1000, workers=1))
    assert run.draws is not None
    found = {f["outcome"]: f for f in run.summary["sensitivity"]["outcomes"]}
    assert set(found) == {"realigns", "hedges", "gap_ratio", "margin"}
    assert all(f["status"] == "constant" and f["ranking"] == [] for f in found.values())
    assert found["realigns"]["n_yes"] == 0 and found["margin"]["undefined"] == 1000
    text = "\n".join(experiment.lines(run.draws, run.results))
    assert "realigns: no in every one of the 1,000 draws; nothing to rank." in text


def test_the_report_names_methods_claims_and_units() -> None:
    rng = np.random.default_rng(4)
    X = rng.random((2000, 3))
    X[:, 1] = rng.permutation(np.arange(2000) / 2000)
    y = (X[:, 1] >= 0.7).astype(float)  # 600 draws yes; delta = 0.7 x 0.3 + 0.3 x 0.7
    f = outcome_sensitivity(X, y, YES_NO, inputs(3))
    lines = report.lines([f])
    assert "from the 2,000 draws themselves" in lines[0]
    assert lines[1].startswith("P(yes) = 0.300 +/- 0.020 (600 of 2,000 draws yes); Borgonovo's")
    assert lines[2].startswith("  1. x.1  [C1]  delta 0.420 +/- ")
    assert "P(yes) 0.0% in its lowest tenth, 100.0% in its highest" in lines[2]
    figs = report.figures([f])
    assert set(figs) == {"sensitivity-yes", "sensitivity-yes-range"}
    for fig in figs.values():
        assert "(probability, 0 to 1)" in fig.layout.xaxis.title.text
        assert fig.layout.yaxis.title.text == "uncertain number [claims]"
    assert "P(yes) on x.1 (C1)" in (report.answer_sentence([f]) or "")
