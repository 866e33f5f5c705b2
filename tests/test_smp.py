"""KTAB spatial model of politics: reproduce KTAB's reference log, and properties."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models.bargaining.smp import (
    BargainModel,
    BigRRange,
    InterVecBrgn,
    PCEModel,
    SMPOptions,
    StateTransition,
    VictoryProbModel,
    VotingRule,
    coalition_strengths,
    condorcet_probabilities,
    run_smp,
    run_smp_scenario,
    victory_probabilities,
    vote,
)
from realpolitik.scenario.importers.ktab import read_ktab_csv

NUM = r"[+-]?\d+\.\d+"


def _matrix_after(lines, header, nrows, start=0):
    i = next(k for k in range(start, len(lines)) if lines[k].startswith(header))
    rows = [[float(v) for v in re.findall(NUM, lines[i + 1 + r])] for r in range(nrows)]
    return np.array(rows), i


@pytest.fixture(scope="module")
def ktab_log(validation_dir):
    text = (validation_dir / "ktab-smp" / "ref-SOE-Pol-Comp.txt").read_text()
    lines = text.splitlines()
    n = 13
    raw, i = _matrix_after(lines, "Raw actor-pos value matrix", n)
    risk, i = _matrix_after(lines, "Inferred risk attitudes", n, i)
    util, _ = _matrix_after(lines, "Risk-aware actor-pos utility matrix", n, i)
    frac = [
        float(v) for v in re.findall(r"Fractional change compared to first step: (\d\.\d+)", text)
    ]
    h = lines.index(next(ln for ln in lines if ln.startswith("History of actor positions")))
    hist = {}
    for ln in lines[h + 1 : h + 1 + 2 * n]:
        key, vals = ln.split(":", 1)
        actor, dim = key.split(", ")
        hist.setdefault(actor, {})[dim] = [float(v) for v in vals.split()]
    targets = [
        (int(a), int(b), float(w))
        for a, b, w in re.findall(
            r"In turn 0 actor (\d+) has most advantageous target (\d+) worth (\d\.\d+)", text
        )
    ]
    p = lines.index(next(ln for ln in lines if ln.startswith("History of actors' winning")))
    probs = {
        ln.split(",")[0]: [float(v) for v in ln.split(":")[1].split()]
        for ln in lines[p + 1 : p + 1 + n]
    }
    return dict(
        raw=raw, risk=risk[:, 0], util=util, frac=frac, hist=hist, targets=targets, probs=probs
    )


@pytest.fixture(scope="module")
def soe(validation_dir):
    return read_ktab_csv(validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv")


@pytest.fixture(scope="module")
def soe_run(soe):
    return run_smp_scenario(soe)


def test_turn1_matrices_match_ktab_to_printed_digits(soe_run, ktab_log):
    np.testing.assert_array_equal(np.round(soe_run.raw_values[0], 3), ktab_log["raw"])
    np.testing.assert_array_equal(np.round(soe_run.risk_attitudes[0], 3), ktab_log["risk"])
    np.testing.assert_array_equal(np.round(soe_run.utilities[0], 4), ktab_log["util"])
    # the brief's two quoted rows
    assert list(np.round(soe_run.raw_values[0][0], 3))[:3] == [1.0, 0.592, 0.955]
    assert list(np.round(soe_run.utilities[0][1], 4))[:3] == [0.5663, 1.0, 0.5291]


def test_turn1_challenges_match_ktab(soe_run, ktab_log):
    ours = sorted((c.initiator, c.target, round(c.gain, 3)) for c in soe_run.challenges[0])
    theirs = sorted(ktab_log["targets"])
    assert [(a, b) for a, b, _ in ours] == [(a, b) for a, b, _ in theirs]
    np.testing.assert_allclose([w for *_, w in ours], [w for *_, w in theirs], atol=5e-4)


def test_full_position_history_matches_ktab(soe_run, soe, ktab_log):
    assert soe_run.turns == 27
    assert soe_run.converged
    for i, actor in enumerate(soe.actor_names):
        for k, dim in enumerate(soe.dimension_names):
            expected = [f"{v:.1f}" for v in ktab_log["hist"][actor][dim]]
            # format as KTAB's printf does (correct rounding of the binary value, not np.round)
            ours = [f"{v:.1f}" for v in soe_run.positions[:, i, k]]
            assert ours == expected, f"{actor} {dim}"
    np.testing.assert_allclose(np.round(soe_run.fractional_changes, 4), ktab_log["frac"], atol=1e-9)
    assert round(soe_run.fractional_changes[-1], 4) == 0.0083


def test_position_probabilities_match_ktab(soe_run, soe, ktab_log):
    for i, actor in enumerate(soe.actor_names):
        np.testing.assert_allclose(
            np.round(soe_run.position_probabilities[:, i], 4), ktab_log["probs"][actor], atol=1.1e-4
        )


def test_final_cluster(soe_run, soe):
    final = dict(zip(soe.actor_names, soe_run.final_positions, strict=True))
    np.testing.assert_allclose(final["WY"], [15, 60])
    np.testing.assert_allclose(final["XJ"], [43.2, 43.3], atol=0.05)
    np.testing.assert_allclose(final["LK"], [43.2, 43.3], atol=0.05)
    np.testing.assert_allclose(final["ZG"], [38.7, 28.8], atol=0.05)


def test_result_builders(soe_run):
    d = soe_run.to_dict()
    assert d["converged"] is True and len(d["turns"]) == 28
    assert d["turns"][0]["positions"]["XJ"] == [30.0, 20.0]
    assert set(d["forecast"]) == {"weighted_mean", "median"}
    df = soe_run.history_frame()
    assert len(df) == 28 * 13 * 2
    assert df.query("turn == 27 and actor == 'WY'")["position"].tolist() == [15.0, 60.0]


@pytest.mark.parametrize(
    "opt",
    [SMPOptions(voting_rule=v) for v in VotingRule]
    + [SMPOptions(victory_prob=m) for m in VictoryProbModel]
    + [SMPOptions(pce=p) for p in PCEModel]
    + [SMPOptions(big_r_range=r) for r in BigRRange]
    + [SMPOptions(inter_vec_bargain=b) for b in InterVecBrgn]
    + [SMPOptions(bargain_model=b) for b in BargainModel],
    ids=lambda o: (
        "-".join(
            f"{k}={v}"
            for k, v in o.as_dict().items()
            if v != getattr(SMPOptions(), k)
            and not isinstance(getattr(SMPOptions(), k), (int, float))
        )
        or "default"
    ),
)
def test_every_option_runs_and_stays_in_range(soe, opt):
    res = run_smp_scenario(soe, opt)
    assert 1 <= res.turns <= opt.max_turns
    assert np.all(res.positions >= 0) and np.all(res.positions <= 100)
    assert np.all(np.isfinite(res.risk_attitudes))
    lo, hi = {BigRRange.MIN: (0, 1), BigRRange.MID: (-0.5, 1), BigRRange.MAX: (-1, 1)}[
        opt.big_r_range
    ]
    assert res.risk_attitudes.min() >= lo - 1e-12 and res.risk_attitudes.max() <= hi + 1e-12


def test_stochastic_is_reproducible_and_turn1_matches(soe, soe_run):
    opt = SMPOptions(state_transition=StateTransition.STOCHASTIC)
    a = run_smp_scenario(soe, opt, rng=7)
    b = run_smp_scenario(soe, opt, rng=7)
    np.testing.assert_array_equal(a.positions, b.positions)
    assert a.challenges[0] == soe_run.challenges[0]
    np.testing.assert_array_equal(a.utilities[0], soe_run.utilities[0])
    finals = [run_smp_scenario(soe, opt, rng=s).final_positions for s in range(4)]
    assert all(np.all((f >= 0) & (f <= 100)) for f in finals)


def test_vote_rules_and_probabilities():
    du = np.array([-0.5, 0.0, 0.5])
    np.testing.assert_allclose(vote(VotingRule.PROPORTIONAL, 2.0, du), [-1, 0, 1])
    np.testing.assert_allclose(vote(VotingRule.BINARY, 2.0, du), [-2, 0, 2])
    np.testing.assert_allclose(vote(VotingRule.ASYM_PROSP, 3.0, du), [-1.5, 0, 1.0])
    np.testing.assert_allclose(vote(VotingRule.CUBIC, 1.0, du), du**3)
    c = np.array([[1e-8, 1.0], [3.0, 1e-8]])
    p = victory_probabilities(VictoryProbModel.LINEAR, c)
    np.testing.assert_allclose(p, [[0.5, 0.25], [0.75, 0.5]])
    for m in PCEModel:
        q = condorcet_probabilities(m, c)
        assert q.sum() == pytest.approx(1.0) and q[1] > q[0]


def _coalition_strengths_by_loops(rule: VotingRule, w: np.ndarray, u: np.ndarray) -> np.ndarray:
    """KTAB's rule written out: for each pair i > j and each voter a in turn, a positive vote on
    (i, j) adds to c[i, j] and a negative one, negated, to c[j, i]; then 1e-8 everywhere."""
    n, m = u.shape
    c = np.zeros((m, m))
    for i in range(m):
        for j in range(i):
            for a in range(n):
                v = float(vote(rule, w[a], u[a, i] - u[a, j]))
                if v > 0:
                    c[i, j] += v
                else:
                    c[j, i] += -v
    return c + 1e-8


@settings(max_examples=40, deadline=None)
@given(
    rule=st.sampled_from(list(VotingRule)),
    n=st.integers(1, 9),
    m=st.integers(1, 6),
    seed=st.integers(0, 2**32 - 1),
    grid=st.booleans(),
)
def test_coalition_strengths_match_the_pairwise_loops(rule, n, m, seed, grid):
    """Both halves of the strength matrix (the antisymmetric rules read one half twice)."""
    r = np.random.default_rng(seed)
    u = r.uniform(0, 1, (n, m))
    if grid:  # ties: equal utilities give zero votes
        u = np.round(u * 4) / 4
    w = r.uniform(0.5, 50, n)
    got = coalition_strengths(rule, w, u)
    want = _coalition_strengths_by_loops(rule, w, u)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=0)


def test_bad_inputs_raise_model_error():
    with pytest.raises(ModelError):
        run_smp([1, 2], [[10], [120]], [[50], [50]])
    with pytest.raises(ModelError):
        run_smp([1, 2], [[10], [20]], [[80, 30][:1], [50]], SMPOptions(min_turns=5, max_turns=2))
    with pytest.raises(ModelError):
        SMPOptions(voting_rule="Nonsense")


actors = st.integers(3, 7)


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_relabelling_actors_permutes_turn1(data):
    n = data.draw(actors)
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    cap = rng.uniform(10, 100, n)
    pos = rng.uniform(0, 100, (n, 2))
    sal = rng.uniform(5, 45, (n, 2))
    perm = rng.permutation(n)
    a = run_smp(cap, pos, sal, SMPOptions(max_turns=1, min_turns=1))
    b = run_smp(cap[perm], pos[perm], sal[perm], SMPOptions(max_turns=1, min_turns=1))
    np.testing.assert_allclose(b.risk_attitudes[0], a.risk_attitudes[0][perm], atol=1e-9)
    np.testing.assert_allclose(b.utilities[0], a.utilities[0][np.ix_(perm, perm)], atol=1e-9)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000), st.floats(0.1, 10.0))
def test_scaling_capabilities_changes_nothing_at_turn1(seed, factor):
    rng = np.random.default_rng(seed)
    n = 5
    cap = rng.uniform(10, 100, n)
    pos = rng.uniform(0, 100, (n, 1))
    sal = rng.uniform(10, 90, (n, 1))
    a = run_smp(cap, pos, sal, SMPOptions(max_turns=1, min_turns=1))
    b = run_smp(cap * factor, pos, sal, SMPOptions(max_turns=1, min_turns=1))
    np.testing.assert_allclose(a.risk_attitudes[0], b.risk_attitudes[0], atol=1e-6)


def test_ktab_parameter_table_matches_the_smp_options() -> None:
    """The importer's KTAB parameter table names SMP option fields, and allows exactly the values
    of each option's enum (the names are defined once, in the scenario layer)."""
    from dataclasses import fields

    from realpolitik.scenario.importers.ktab import KTAB_MODEL_PARAMETERS

    defaults = {f.name: f.default for f in fields(SMPOptions)}
    assert len(KTAB_MODEL_PARAMETERS) == 9
    for element, parameter in KTAB_MODEL_PARAMETERS.items():
        enum_type = type(defaults[parameter.option])
        assert {m.value for m in enum_type} == set(parameter.values), element
        assert SMPOptions.from_ktab({element: parameter.values[-1]}) is not None
