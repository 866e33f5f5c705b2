"""Relations the realignment model must satisfy whatever the numbers (issue 12, "Done when").

Each property compares two solved problems that differ in one documented way. Problems come from
the domain strategy ``realignment_problems`` in ``tests/strategies.py``.
"""

from __future__ import annotations

import itertools
from math import factorial

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import realignment_problems

from realpolitik.models.commitment import Turnover, present_value, survival
from realpolitik.models.realignment import (
    COURTER,
    INCUMBENT,
    RealignmentProblem,
    package_value,
    shapley_decomposition,
    solve,
)

TOL = 1e-7


def _le(a, b):
    """a <= b elementwise, with inf handled and a relative tolerance."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    both_inf = np.isinf(a) & np.isinf(b) & (np.sign(a) == np.sign(b))
    return np.all(both_inf | (a <= b + TOL * (1 + np.abs(np.where(np.isfinite(b), b, 0)))))


@given(pb=realignment_problems(), f=st.floats(1.0, 3.0))
@settings(max_examples=40, deadline=None)
def test_larger_bounds_never_raise_prices_or_lower_the_margin(pb, f):
    cour = pb.lever_side == COURTER
    hi = np.where(cour[None, :], pb.lever_max * f, pb.lever_max)
    a, b = solve(pb), solve(pb.with_changes(lever_max=hi))
    assert _le(b.price, a.price)
    assert _le(a.margin, b.margin)


@given(pb=realignment_problems(), f=st.floats(1.0, 3.0))
@settings(max_examples=40, deadline=None)
def test_larger_offers_never_raise_prices_or_lower_the_margin(pb, f):
    cour = pb.lever_side == COURTER
    a = solve(pb)
    b = solve(
        pb.with_changes(lever_value=np.where(cour[None, :], pb.lever_value * f, pb.lever_value))
    )
    assert _le(b.price, a.price)
    assert _le(a.margin, b.margin)


@given(pb=realignment_problems(hedge_value=False), f=st.floats(1.0, 3.0))
@settings(max_examples=40, deadline=None)
def test_larger_bounds_never_lower_realignment_when_the_hedge_is_worth_nothing_to_the_courter(
    pb, f
):
    # with a hedge the courter's side values, cheaper levers can make it buy a hedge instead of
    # a full realignment (target substitution), so P(realigns) is monotone only without it
    cour = pb.lever_side == COURTER
    hi = np.where(cour[None, :], pb.lever_max * f, pb.lever_max)
    a, b = solve(pb), solve(pb.with_changes(lever_max=hi))
    assert np.all((b.outcome == 2) >= (a.outcome == 2))


@given(pb=realignment_problems(), f=st.floats(0.0, 1.0))
@settings(max_examples=40, deadline=None)
def test_more_durable_courter_promises_never_raise_the_price(pb, f):
    # givers pay only while a promise stands: a fixed minimum extent that lasts longer costs
    # more, so the property is stated for offers without lower bounds
    pb = pb.with_changes(
        lever_min=0.0, retaliation_annual_repudiation=0.0, retaliation_successor_repudiation=0.0
    )
    m = np.where(pb.lever_side == COURTER, f, 1.0)[None, :]
    durable = pb.with_changes(
        lever_annual_repudiation=pb.lever_annual_repudiation * m,
        lever_successor_repudiation=pb.lever_successor_repudiation * m,
    )
    assert _le(solve(durable).price, solve(pb).price)


@given(pb=realignment_problems(), extra=st.floats(0.0, 0.5), cred=st.floats(0.0, 1.0))
@settings(max_examples=40, deadline=None)
def test_more_retaliation_capacity_never_lowers_the_price(pb, extra, cred):
    # against a full realignment: harsher retaliation against a hedge makes the hedge a weaker
    # outside option and can rightly lower the price of aligning
    r = pb.retaliation.copy()
    r[:, 1] = np.minimum(r[:, 1] + extra, 1.0)
    harsher = pb.with_changes(retaliation=r)
    assert _le(solve(pb).price[:, 1], solve(harsher).price[:, 1])
    # a more credible cut (no cut against a hedge, so the outside option does not move)
    r0 = pb.retaliation.copy()
    r0[:, 0] = 0.0
    p0 = pb.with_changes(retaliation=r0, retaliation_credibility=pb.retaliation_credibility * cred)
    p1 = pb.with_changes(retaliation=r0)
    assert _le(solve(p0).price[:, 1], solve(p1).price[:, 1])


@given(pb=realignment_problems(), theta=st.floats(0.0, 50.0), share=st.floats(0.0, 1.0))
@settings(max_examples=40, deadline=None)
def test_a_larger_threat_from_the_incumbent_lowers_the_price(pb, theta, share):
    # a threat of theta a year that aligning with the courter removes (and hedging removes a
    # share of): a yearly gain of theta in the courter option, theta * share in the hedge
    comps = pb.components.copy()
    comps[:, 0, 1] += theta
    comps[:, 0, 0] += theta * share
    a, b = solve(pb), solve(pb.with_changes(components=comps))
    assert _le(b.price[:, 1], a.price[:, 1])
    assert _le(b.need[:, 1], a.need[:, 1])


@given(pb=realignment_problems(), seed=st.integers(0, 2**31 - 1))
@settings(max_examples=30, deadline=None)
def test_relabelling_and_reordering_changes_nothing(pb, seed):
    rng = np.random.default_rng(seed)
    L, K = len(pb.lever_names), len(pb.component_names)
    perm = rng.permutation(L)
    kperm = rng.permutation(K)
    moved = pb.with_changes(
        lever_names=tuple(f"x{i}" for i in range(L)),
        lever_side=pb.lever_side[perm],
        lever_value=pb.lever_value[:, perm],
        lever_cost=pb.lever_cost[:, perm],
        lever_min=pb.lever_min[:, perm],
        lever_max=pb.lever_max[:, perm],
        lever_binary=pb.lever_binary[perm],
        lever_capacity=pb.lever_capacity[:, perm],
        lever_committed=pb.lever_committed[perm],
        lever_annual_repudiation=pb.lever_annual_repudiation[:, perm],
        lever_successor_repudiation=pb.lever_successor_repudiation[:, perm],
        lever_payer=pb.lever_payer[perm],
        component_names=tuple(f"c{i}" for i in range(K)),
        components=pb.components[:, kperm, :],
    )
    a, b = solve(pb), solve(moved)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_allclose(a.price, b.price, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(a.courter_payoff, b.courter_payoff, rtol=1e-9, atol=1e-9)


MONEY = (
    "trade_with_incumbent",
    "replacement_capacity",
    "components",
    "switching_cost",
    "courter_value",
    "incumbent_value",
    "lever_value",
    "lever_cost",
    "lever_capacity",
    "payer_value",
    "successor_shift",
)


@given(pb=realignment_problems())
@settings(max_examples=30, deadline=None)
def test_ten_times_the_money_scales_prices_and_keeps_outcomes(pb):
    big = pb.with_changes(**{k: getattr(pb, k) * 10.0 for k in MONEY})
    a, b = solve(pb), solve(big)
    np.testing.assert_array_equal(a.outcome, b.outcome)
    np.testing.assert_allclose(b.price, a.price * 10.0, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(
        b.incumbent_max_bid, a.incumbent_max_bid * 10.0, rtol=1e-8, atol=1e-8
    )


@given(
    h=st.floats(0.0, 0.5),
    dh=st.floats(0.0, 0.5),
    r=st.floats(0.0, 0.3),
    s=st.floats(0.0, 1.0),
    years=st.integers(1, 20),
)
@settings(max_examples=60, deadline=None)
def test_more_courter_turnover_lowers_the_value_of_its_promises(h, dh, r, s, years):
    lo = present_value(1.0, survival(years, r, s, Turnover(annual_hazard=h)), 0.05)
    hi = present_value(1.0, survival(years, r, s, Turnover(annual_hazard=min(h + dh, 1.0))), 0.05)
    assert hi <= lo + 1e-12
    # and in the game: the same package is worth less to the pivot
    pb = RealignmentProblem(
        lever_names=("a",),
        lever_side=[COURTER],
        lever_value=[10.0],
        lever_cost=[1.0],
        lever_committed=[True],
        lever_annual_repudiation=r,
        lever_successor_repudiation=s,
        horizon=years,
        courter_turnover=Turnover(annual_hazard=h),
    )
    more = pb.with_changes(courter_turnover=Turnover(annual_hazard=min(h + dh, 1.0)))
    assert package_value(more, [[1.0]], 2)[0] <= package_value(pb, [[1.0]], 2)[0] + 1e-12


# ---------------------------------------------------------------------------------------------
# the causal decomposition
# ---------------------------------------------------------------------------------------------


def _shapley_by_orders(v, G):
    """Shapley values from a coalition -> value function by averaging over all G! orders."""
    phi = np.zeros(G)
    for order in itertools.permutations(range(G)):
        S = 0
        for g in order:
            phi[g] += v(S | (1 << g)) - v(S)
            S |= 1 << g
    return phi / factorial(G)


@given(pb=realignment_problems(max_batch=3))
@settings(max_examples=15, deadline=None)
def test_shapley_single_cause_is_its_leave_one_out_effect(pb):
    for cause in ("retaliation", "incumbent_levers", pb.component_names[0]):
        sh = shapley_decomposition(pb, groups={cause: (cause,)})
        full = solve(pb)
        from realpolitik.models.realignment.shapley import _switch_off

        ch: dict = {}
        _switch_off(pb, cause, np.zeros(pb.batch, bool), ch)
        without = solve(pb.with_changes(**ch))
        np.testing.assert_allclose(sh.need[:, :, 0], full.need - without.need, atol=1e-8)
        ok = np.isfinite(full.price) & np.isfinite(without.price)
        np.testing.assert_allclose(
            sh.price[:, :, 0][ok], full.price[ok] - without.price[ok], atol=1e-7
        )
        assert np.all(np.isnan(sh.price[:, :, 0][~ok]))


@given(pb=realignment_problems(max_batch=2))
@settings(max_examples=10, deadline=None)
def test_shapley_values_match_the_average_over_orders_and_add_up(pb):
    from realpolitik.models.realignment.shapley import _switch_off, cause_atoms

    atoms = cause_atoms(pb)[:4]
    groups = {a: (a,) for a in atoms}
    sh = shapley_decomposition(pb, groups=groups)
    G = len(atoms)
    cache = {}

    def need(S):
        if S not in cache:
            ch: dict = {}
            for gi, a in enumerate(atoms):
                _switch_off(pb, a, np.full(pb.batch, bool((S >> gi) & 1)), ch)
            cache[S] = solve(pb.with_changes(**ch)).need
        return cache[S]

    for b in range(pb.batch):
        for j in range(2):
            phi = _shapley_by_orders(lambda S, b=b, j=j: need(S)[b, j], G)
            np.testing.assert_allclose(sh.need[b, j], phi, atol=1e-8)
    np.testing.assert_allclose(sh.need.sum(axis=2), sh.need_total, atol=1e-8)


def test_shapley_hand_case_two_causes():
    # stay 0; hedge worth 0; aligning costs 10 a year of security and 5 of status over one year
    # at 0% discount; no incumbent levers, no trade. need = 15 = security 10 + status 5, and since
    # need is additive here each cause's Shapley value is its own term
    pb = RealignmentProblem(
        components=[[0.0, -10.0], [0.0, -5.0]],
        component_names=("security", "status"),
        horizon=1,
        discount_rate=0.0,
    )
    sh = shapley_decomposition(pb, groups={"security": ("security",), "status": ("status",)})
    np.testing.assert_allclose(sh.need[0, 1], [10.0, 5.0])
    # the hedge's +8 a year sits in the security component, so switching security off also
    # removes the outside option: v(both) = 8 + 15 = 23, v(security only) = 8 + 10 = 18,
    # v(status only) = 5, v(none) = 0; phi_security = ((18 - 0) + (23 - 5)) / 2 = 18,
    # phi_status = ((5 - 0) + (23 - 18)) / 2 = 5
    pb2 = pb.with_changes(components=[[8.0, -10.0], [0.0, -5.0]])
    sh2 = shapley_decomposition(pb2, groups={"security": ("security",), "status": ("status",)})
    np.testing.assert_allclose(sh2.need[0, 1], [18.0, 5.0])
    assert sh2.need_total[0, 1] == pytest.approx(23.0)


def test_shapley_gives_zero_to_a_cause_that_changes_nothing():
    pb = RealignmentProblem(
        components=[[0.0, -10.0], [0.0, 0.0]],
        component_names=("security", "nothing"),
        horizon=3,
    )
    sh = shapley_decomposition(pb)
    k = sh.groups.index("nothing")
    assert np.all(sh.need[:, :, k] == 0.0)


def test_incumbent_side_payers_each_keep_within_their_stake():
    # two incumbent levers, one paid by an ally whose stake is small: the bid is limited
    pb = RealignmentProblem(
        components=[[0.0, 20.0]],
        component_names=("security",),
        incumbent_value=[0.0, 100.0],
        payer_names=("ALLY",),
        payer_side=[INCUMBENT],
        payer_value=[[0.0, 1.0]],
        lever_names=("own", "ally"),
        lever_side=[INCUMBENT, INCUMBENT],
        lever_value=[5.0, 50.0],
        lever_cost=[1.0, 10.0],
        lever_payer=[-1, 0],
        horizon=1,
        discount_rate=0.0,
    )
    s = solve(pb)
    # I pays up to 100 for "own" (value 5 at cost 1, at most extent 1); the ally up to 1 for
    # "ally" (cost 10 per unit): extent 0.1, value 5. Bid = 10 < U_courter = 20: P aligns
    assert s.incumbent_max_bid[0, 1] == pytest.approx(10.0)
    assert s.incumbent_binds[0, 1] == 2  # a stake, not the levers, limits the bid
    assert s.outcome[0] == 2


@given(pb=realignment_problems(max_batch=4))
@settings(max_examples=25, deadline=None)
def test_a_batch_gives_each_draw_what_it_gives_alone(pb):
    # draws of different horizons share one year axis: nothing may leak across draws
    whole = solve(pb)
    for b in range(pb.batch):
        one = solve(pb.take([b]))
        assert one.outcome[0] == whole.outcome[b]
        np.testing.assert_allclose(one.price[0], whole.price[b], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(one.need[0], whole.need[b], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(
            one.incumbent_max_bid[0], whole.incumbent_max_bid[b], rtol=1e-9, atol=1e-9
        )


def test_promises_share_a_survival_only_when_both_forms_agree():
    # two courter promises with the same annual but different successor repudiation, under
    # turnover: the one a successor keeps is worth more (hand check of the grouping)
    pb = RealignmentProblem(
        lever_names=("kept", "dropped"),
        lever_side=[COURTER, COURTER],
        lever_value=[1.0, 1.0],
        lever_cost=[1.0, 1.0],
        lever_committed=[True, True],
        lever_annual_repudiation=[0.1, 0.1],
        lever_successor_repudiation=[0.0, 1.0],
        horizon=2,
        discount_rate=0.0,
        courter_turnover=Turnover(annual_hazard=0.5),
    )
    v_kept = package_value(pb, [[1.0, 0.0]], 2)[0]
    v_dropped = package_value(pb, [[0.0, 1.0]], 2)[0]
    assert v_kept == pytest.approx(0.9 + 0.81)
    assert v_dropped == pytest.approx(0.9 * 0.5 + (0.9 * 0.5) ** 2)


def test_promises_of_the_two_sides_never_share_a_survival():
    # the same repudiation rates, but the courter's government changes every year and the
    # incumbent's never: the incumbent's promise is worth more to the pivot
    pb = RealignmentProblem(
        components=[[0.0, 50.0]],
        component_names=("security",),
        incumbent_value=[0.0, 1000.0],
        lever_names=("c", "i"),
        lever_side=[COURTER, INCUMBENT],
        lever_value=[1.0, 1.0],
        lever_cost=[1.0, 1.0],
        lever_committed=[True, True],
        lever_annual_repudiation=[0.0, 0.0],
        lever_successor_repudiation=[1.0, 1.0],
        horizon=3,
        discount_rate=0.0,
        courter_turnover=Turnover(annual_hazard=1.0),
    )
    s = solve(pb)
    assert package_value(pb, [[1.0]], 2)[0] == 0.0  # the courter's promise lapses in year 1
    assert s.incumbent_max_bid[0, 1] == pytest.approx(3.0)  # the incumbent's stands 3 years


@given(pb=realignment_problems(max_batch=4))
@settings(max_examples=30, deadline=None)
def test_fast_participation_agrees_with_highs(pb):
    # the dual simplex with one budget row per payer (fast path) against HiGHS with the same
    # rows (the reference), on the same problems
    fast, ref = solve(pb), solve(pb, method="highs")
    np.testing.assert_array_equal(fast.affordable, ref.affordable)
    np.testing.assert_array_equal(fast.outcome, ref.outcome)
    both = np.isfinite(fast.offer_cost) & np.isfinite(ref.offer_cost)
    np.testing.assert_allclose(fast.offer_cost[both], ref.offer_cost[both], rtol=1e-6, atol=1e-6)
