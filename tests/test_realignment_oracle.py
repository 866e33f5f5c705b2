"""A brute-force oracle for the realignment game that shares no code with the solver.

The oracle below is written from the rules in ``docs/explanation/realignment.md`` alone: plain
Python loops over years for discounting and survival, every package of indivisible levers listed
explicitly, and the game tree walked move by move (C's offer, I's counter, P's choice). The
solver is then run on the same numbers and must give the same outcome and the same payoff to the
courter's side. A second oracle brackets the price of continuous levers with a grid.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.models.commitment import Turnover
from realpolitik.models.realignment import RealignmentProblem, solve

# ---------------------------------------------------------------------------------------------
# the oracle (no import from realpolitik.models.realignment)
# ---------------------------------------------------------------------------------------------


def _pv(H, rho, stands):
    """sum_{t=1..H} (1+rho)^-t * stands(t)"""
    return sum((1.0 + rho) ** (-t) * stands(t) for t in range(1, H + 1))


def _promise(r, s, hazard):
    """Probability a promise still stands in year t: each year it survives its own lapse
    (r) and, if the giver's government changes (hazard), its successor (s)."""
    return lambda t: ((1 - r) * (1 - s * hazard)) ** t


def oracle(x: dict) -> tuple[int, float]:
    """Outcome (0 stay, 1 hedge, 2 courter) and the courter side's total payoff."""
    H, rho = x["H"], x["rho"]
    A = _pv(H, rho, lambda t: 1.0)
    cut_stands = _promise(x["ret_r"], x["ret_s"], x["hI"])
    DR = x["ret_p"] * _pv(H, rho, cut_stands)
    DP = _pv(H, rho, _promise(x["piv_r"], x["piv_s"], x["hP"]))
    levers = x["levers"]  # dicts: side, v, c, cap, promise (r, s) or None, payer
    D = []
    DT = []  # PV factor of a unit of trade a lever fills: while the cut and the promise stand
    for lv in levers:
        if lv["promise"] is None:
            D.append(A)
            DT.append(DR)
        else:
            r, s = lv["promise"]
            h = x["hC"] if lv["side"] == "C" else x["hI"]
            st_ = _promise(r, s, h)
            D.append(_pv(H, rho, st_))
            DT.append(x["ret_p"] * _pv(H, rho, lambda t, a=st_: a(t) * cut_stands(t)))
    T, g, gI = x["trade"], x["g"], x["gI"]
    base = [0.0, 0.0, 0.0]
    shortfall = [0.0, 0.0, 0.0]
    for o in (1, 2):
        lost = x["ret"][o - 1] * T
        shortfall[o] = max(lost - x["repl"][o - 1], 0.0)
        base[o] = -g * shortfall[o] * DR + A * sum(x["comp"][o - 1]) - x["sc"][o - 1]
    stakeI = [0.0] + [x["ival"][o - 1] * DP + gI * x["ret"][o - 1] * T * DR for o in (1, 2)]
    # options P cannot take: the courter's if there is no courter, and any the regime closes
    closed = set(x.get("closed", ())) | ({2} if x.get("no_courter") else set())
    courter_ids = [i for i, lv in enumerate(levers) if lv["side"] == "C"]
    inc_ids = [i for i, lv in enumerate(levers) if lv["side"] == "I"]
    payers = sorted({levers[i]["payer"] for i in courter_ids} | {"C"})
    wtp = {p: [0.0] + [x["wtp"][p][o - 1] * DP for o in (1, 2)] for p in payers}

    def subsets(ids):
        for k in range(len(ids) + 1):
            yield from itertools.combinations(ids, k)

    def value_of_package(pkg, o):
        direct = sum(levers[i]["v"] * D[i] for i in pkg)
        room = shortfall[o]
        trade = 0.0
        for i in sorted(pkg, key=lambda i: -DT[i]):  # the most durable fill first
            y = min(levers[i]["cap"], room)
            trade += g * DT[i] * y
            room -= y
        return direct + trade

    def pivot_choice(pkg, target, counter):
        vals = list(base)
        vals[0] += sum(levers[i]["v"] * D[i] for i in counter)
        if target:
            vals[target] += value_of_package(pkg, target)
        best = 0
        for o in (1, 2):
            if o in closed:
                continue  # no courter, or a demand on the regime: P cannot take it
            if vals[o] > vals[best]:
                best = o
        return best

    def play(pkg, target):
        """I's best counter, then P's choice; returns P's choice."""
        best_y, best_pay = (), None
        for y in subsets(inc_ids):
            o = pivot_choice(pkg, target, y)
            pay = -sum(levers[i]["c"] * D[i] for i in y) if o == 0 else -stakeI[o]
            if best_pay is None or pay > best_pay + 1e-12:
                best_y, best_pay = y, pay
        return pivot_choice(pkg, target, best_y)

    def payoffs(pkg, target):
        o = play(pkg, target)
        out = {}
        for p in payers:
            cost = sum(levers[i]["c"] * D[i] for i in pkg if levers[i]["payer"] == p)
            out[p] = wtp[p][o] - (cost if (target and o == target) else 0.0)
        return o, out

    o0, p0 = payoffs((), 0)
    best_o, best_total = o0, sum(p0.values())
    for target in (1, 2):
        for pkg in subsets(courter_ids):
            if not pkg:
                continue
            o, pay = payoffs(pkg, target)
            share = {
                p: sum(levers[i]["c"] * D[i] for i in pkg if levers[i]["payer"] == p)
                for p in payers
            }
            if any(share[p] > 0 and pay[p] < p0[p] - 1e-9 for p in payers):
                continue  # a payer asked to pay would be worse off than with no offer
            total = sum(pay.values())
            if total > best_total + 1e-9:
                best_o, best_total = o, total
    return best_o, best_total


# ---------------------------------------------------------------------------------------------
# the same numbers as a RealignmentProblem
# ---------------------------------------------------------------------------------------------


def to_problem(x: dict) -> RealignmentProblem:
    levers = x["levers"]
    allies = sorted({lv["payer"] for lv in levers if lv["side"] == "C"} - {"C"})
    allies = [a for a in allies if a in x["wtp"]]
    return RealignmentProblem(
        trade_with_incumbent=x["trade"],
        gains_share=x["g"],
        incumbent_gains_share=x["gI"],
        retaliation=x["ret"],
        retaliation_credibility=x["ret_p"],
        retaliation_annual_repudiation=x["ret_r"],
        retaliation_successor_repudiation=x["ret_s"],
        replacement_capacity=x["repl"],
        components=np.array(x["comp"]).T,
        component_names=tuple(f"k{i}" for i in range(len(x["comp"][0]))),
        switching_cost=x["sc"],
        courter_value=x["wtp"]["C"],
        incumbent_value=x["ival"],
        payer_names=tuple(allies),
        payer_side=[0] * len(allies),
        payer_value=np.array([x["wtp"][a] for a in allies]).reshape(len(allies), 2),
        lever_names=tuple(f"l{i}" for i in range(len(levers))),
        lever_side=[0 if lv["side"] == "C" else 1 for lv in levers],
        lever_value=[lv["v"] for lv in levers],
        lever_cost=[lv["c"] for lv in levers],
        lever_min=1.0,
        lever_max=1.0,
        lever_binary=True,
        lever_capacity=[lv["cap"] for lv in levers],
        lever_committed=[lv["promise"] is not None for lv in levers],
        lever_annual_repudiation=[(lv["promise"] or (0, 0))[0] for lv in levers],
        lever_successor_repudiation=[(lv["promise"] or (0, 0))[1] for lv in levers],
        lever_payer=[
            -1 if lv["payer"] == "C" or lv["side"] == "I" else allies.index(lv["payer"])
            for lv in levers
        ],
        horizon=x["H"],
        discount_rate=x["rho"],
        courter_turnover=Turnover(annual_hazard=x["hC"]),
        incumbent_turnover=Turnover(annual_hazard=x["hI"]),
        pivot_turnover=Turnover(annual_hazard=x["hP"]),
        pivot_annual_repudiation=x["piv_r"],
        pivot_successor_repudiation=x["piv_s"],
        has_courter=not x.get("no_courter", False),
        regime_blocks=[o in x.get("closed", ()) for o in (1, 2)],
    )


def random_case(seed: int, allies: bool = True) -> dict:
    rng = np.random.default_rng(seed)
    u = rng.uniform
    levers = []
    for i in range(3):
        levers.append(
            {
                "side": "C",
                "v": u(0, 30),
                "c": u(0.1, 30),
                "cap": u(0, 60) if i == 1 else 0.0,
                "promise": (u(0, 0.2), u(0, 1)) if i != 2 else None,
                "payer": "EU" if (allies and i >= 1) else "C",
            }
        )
    for i in range(2):
        levers.append(
            {
                "side": "I",
                "v": u(0, 30),
                "c": u(0.1, 30),
                "cap": 0.0,
                "promise": (u(0, 0.2), u(0, 1)) if i == 0 else None,
                "payer": "I",
            }
        )
    return {
        "H": int(rng.integers(1, 12)),
        "rho": u(0, 0.1),
        "trade": u(20, 200),
        "g": u(0.05, 0.4),
        "gI": u(0, 0.4),
        "ret": list(u(0, 1, 2)),
        "ret_p": u(0.3, 1),
        "ret_r": u(0, 0.2),
        "ret_s": u(0, 1),
        "repl": list(u(0, 60, 2)),
        "comp": [list(u(-10, 10, 2)), list(u(-10, 10, 2))],
        "sc": list(u(0, 40, 2)),
        "ival": list(u(0, 40, 2)),
        "wtp": {"C": list(u(0, 40, 2)), **({"EU": list(u(0, 30, 2))} if allies else {})},
        "hC": u(0, 0.3),
        "hI": u(0, 0.2),
        "hP": u(0, 0.2),
        "piv_r": u(0, 0.1),
        "piv_s": u(0, 1),
        "levers": levers,
    }


@pytest.mark.parametrize("allies", [False, True])
@pytest.mark.parametrize("seed", range(40))
def test_solver_matches_the_brute_force_game_tree(seed, allies):
    x = random_case(seed, allies)
    o, pay = oracle(x)
    s = solve(to_problem(x))
    assert int(s.outcome[0]) == o
    assert float(s.courter_payoff[0]) == pytest.approx(pay, rel=1e-9, abs=1e-9)


def test_oracle_hand_case():
    # one courter lever, no incumbent levers, a 2-year horizon at 0% discount, nothing lapses:
    # hedge is worth -5 a year (-10), aligning -20 - 10 = -30 ... worked by hand below
    x = {
        "H": 2,
        "rho": 0.0,
        "trade": 100.0,
        "g": 0.5,
        "gI": 0.1,
        "ret": [0.0, 0.4],  # aligning costs 40 of trade a year; 10 absorbed: shortfall 30
        "ret_p": 1.0,
        "ret_r": 0.0,
        "ret_s": 0.0,
        "repl": [0.0, 10.0],
        "comp": [[-5.0], [0.0]],  # one component: hedge -5 a year, courter 0
        "sc": [0.0, 10.0],
        "ival": [0.0, 5.0],
        "wtp": {"C": [0.0, 30.0]},
        "hC": 0.0,
        "hI": 0.0,
        "hP": 0.0,
        "piv_r": 0.0,
        "piv_s": 0.0,
        "levers": [{"side": "C", "v": 25.0, "c": 12.0, "cap": 0.0, "promise": None, "payer": "C"}],
    }
    # U_hedge = 2 * -5 = -10; U_courter = -0.5 * 30 * 2 - 10 = -40. The lever gives 50 over two
    # years, so with it aligning is worth +10 > 0 > -10: P aligns. It costs C 24 against a
    # willingness to pay of 60: payoff 36. (I has no levers; its stake is 10 + 0.1 * 40 * 2.)
    o, pay = oracle(x)
    assert (o, pay) == (2, pytest.approx(36.0))
    s = solve(to_problem(x))
    assert s.outcome[0] == 2
    assert s.courter_payoff[0] == pytest.approx(36.0)
    assert s.price[0, 1] == pytest.approx(24.0)
    assert s.incumbent_loss[0, 1] == pytest.approx(10.0 + 8.0)
    assert s.retaliation_cost[0, 1] == pytest.approx(8.0)


# ---------------------------------------------------------------------------------------------
# continuous levers: the price is bracketed by a grid over packages
# ---------------------------------------------------------------------------------------------


@given(seed=st.integers(0, 2**31 - 1))
@settings(max_examples=25, deadline=None)
def test_continuous_price_is_bracketed_by_a_package_grid(seed):
    x = random_case(seed, allies=False)
    x["levers"] = [lv for lv in x["levers"] if lv["side"] == "C"]  # no counter: need is U only
    pb = to_problem(x).with_changes(lever_binary=False, lever_min=0.0, lever_max=1.0)
    s = solve(pb)
    # the oracle's need and grid of packages, from its own valuation
    H, rho = x["H"], x["rho"]
    A = _pv(H, rho, lambda t: 1.0)
    DR = x["ret_p"] * _pv(H, rho, _promise(x["ret_r"], x["ret_s"], x["hI"]))
    D = []
    DT = []
    for lv in x["levers"]:
        if lv["promise"] is None:
            D.append(A)
            DT.append(DR)
        else:
            st_ = _promise(*lv["promise"], x["hC"])
            cut = _promise(x["ret_r"], x["ret_s"], x["hI"])
            D.append(_pv(H, rho, st_))
            DT.append(x["ret_p"] * _pv(H, rho, lambda t, a=st_, c=cut: a(t) * c(t)))
    U = [0.0]
    sf = [0.0]
    for o in (1, 2):
        f = max(x["ret"][o - 1] * x["trade"] - x["repl"][o - 1], 0.0)
        sf.append(f)
        U.append(-x["g"] * f * DR + A * sum(x["comp"][o - 1]) - x["sc"][o - 1])
    need = max(U[1], 0.0) - U[2]
    steps = np.linspace(0.0, 1.0, 21)
    best = math.inf
    for ext in itertools.product(steps, repeat=len(x["levers"])):
        val = sum(
            lv["v"] * D[i] * e for i, (lv, e) in enumerate(zip(x["levers"], ext, strict=True))
        )
        val += x["g"] * DT[1] * min(x["levers"][1]["cap"] * ext[1], sf[2])
        if val >= need:
            best = min(
                best,
                sum(
                    lv["c"] * D[i] * e
                    for i, (lv, e) in enumerate(zip(x["levers"], ext, strict=True))
                ),
            )
    assert s.need[0, 1] == pytest.approx(need, rel=1e-9, abs=1e-9)
    price = float(s.price[0, 1])
    if need <= 0:
        assert price == 0.0
        return
    if math.isinf(best):
        # the grid's best package is below need; the solver may still reach it between points
        top = sum(lv["v"] * D[i] for i, lv in enumerate(x["levers"]))
        top += x["g"] * DT[1] * min(x["levers"][1]["cap"], sf[2])
        assert math.isinf(price) == (top <= need)
        return
    step_cost = sum(lv["c"] * D[i] for i, lv in enumerate(x["levers"])) * 0.05
    assert price <= best + 1e-7 * (1 + best)
    assert best <= price + step_cost + 1e-7
