"""Hypothesis strategies for the project's domain: scenarios, actors, relation matrices.

One module, so that every property test draws from the same notion of a valid scenario.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import strategies as st

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False, allow_infinity=False)
idents = st.from_regex(r"[A-Z][A-Za-z0-9]{0,5}", fullmatch=True)


@st.composite
def quantities(draw: Any, values: st.SearchStrategy[float] = finite, sourced: bool = True) -> Any:
    """A number, bare or with provenance (and sometimes an uncertainty around it)."""
    v = draw(values)
    if not sourced and draw(st.booleans()):
        return v
    q: dict[str, Any] = {"value": v}
    if draw(st.booleans()):
        q["source"] = "src"
    else:
        q["assumption"] = "a test assumption"
    if draw(st.booleans()):
        width = abs(v) * 0.5 + 1.0
        q["dist"] = {"kind": "uniform", "low": v - width, "high": v + width}
    return q


@st.composite
def scenario_dicts(draw: Any, min_actors: int = 2, max_actors: int = 7) -> dict[str, Any]:
    """A valid scenario as plain data (strict provenance on)."""
    ids = draw(st.lists(idents, min_size=min_actors, max_size=max_actors, unique=True))
    actors = [{"id": i, "kind": "state", "size": draw(quantities(positive))} for i in ids]
    relations = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            if draw(st.booleans()):
                comps = draw(
                    st.dictionaries(
                        st.sampled_from(["trade", "threat", "ideology", "alliance"]),
                        quantities(st.floats(-3, 3)),
                        min_size=1,
                        max_size=3,
                    )
                )
                relations.append({"between": [ids[a], ids[b]], "components": comps})
    return {
        "realpolitik": 1,
        "name": draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True)),
        "strict_provenance": True,
        "sources": {"src": {"title": "a test source"}},
        "actors": actors,
        "relations": relations,
    }


@st.composite
def propensity_problems(draw: Any, min_n: int = 2, max_n: int = 9) -> tuple[np.ndarray, np.ndarray]:
    """Sizes (n,) and a symmetric propensity matrix (n, n) with zero diagonal."""
    n = draw(st.integers(min_n, max_n))
    sizes = np.array(draw(st.lists(st.integers(1, 50), min_size=n, max_size=n)), dtype=float)
    upper = draw(st.lists(st.integers(-2, 2), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2))
    p = np.zeros((n, n))
    p[np.triu_indices(n, 1)] = upper
    return sizes, p + p.T


@st.composite
def signed_matrices(draw: Any, min_n: int = 3, max_n: int = 10) -> np.ndarray:
    """A symmetric signed matrix with entries in {-1, 0, +1} and zero diagonal."""
    n = draw(st.integers(min_n, max_n))
    upper = draw(
        st.lists(st.sampled_from([-1, 0, 1]), min_size=n * (n - 1) // 2, max_size=n * (n - 1) // 2)
    )
    s = np.zeros((n, n), dtype=int)
    s[np.triu_indices(n, 1)] = upper
    return s + s.T


_LEVELS = ("none", "low", "medium", "high")
_FORMS = ("statement", "agreement", "treaty", "aid", "coercion")


@st.composite
def episode_dicts(draw: Any, with_outcome: bool = True) -> dict[str, Any]:
    """A valid episode (plain data) with random facts, some dated after the decision year."""
    year = draw(st.integers(1946, 2024))
    fact = {"source": "s", "approx": True}

    def share() -> dict[str, Any]:
        low = draw(st.floats(0, 1))
        high = draw(st.floats(low, 1))
        if draw(st.booleans()):
            return {"value": low, "year": year - draw(st.integers(0, 2)), **fact}
        return {"range": [low, high], "year": year - 1, **fact}

    def moves(n: int) -> list[dict[str, Any]]:
        return [
            {
                "what": f"move {k}",
                "year": year + draw(st.integers(-3, 2)),
                "form": draw(st.sampled_from(_FORMS)),
                **fact,
            }
            for k in range(n)
        ]

    n_factions = draw(st.integers(0, 3))
    sizes = [draw(st.floats(0.05, 1.0 / max(n_factions, 1))) for _ in range(n_factions)]
    courter = draw(st.sampled_from(["CRT", None]))
    facts: dict[str, Any] = {
        "trade_share_incumbent": share(),
        "trade_share_courter": share(),
        "incumbent_threat": {"level": draw(st.sampled_from(_LEVELS)), **fact},
        "courter_threat": {"level": draw(st.sampled_from(_LEVELS)), **fact},
        "courter_offers": moves(draw(st.integers(0, 4))),
        "incumbent_counters": moves(draw(st.integers(0, 3))),
        "sunk_investments": [{"what": "x", **fact} for _ in range(draw(st.integers(0, 2)))],
        "factions": [
            {"name": f"f{k}", "size": s, "position": draw(st.floats(0, 1)), **fact}
            for k, s in enumerate(sizes)
        ],
        "regime_change_demanded": {"value": draw(st.booleans()), **fact},
    }
    if draw(st.booleans()):
        facts["leader_change"] = {"who": "x", "year": year + draw(st.integers(-5, 1)), **fact}
    if draw(st.booleans()):
        facts["third_party_threat"] = {
            "from": "TRD",
            "level": draw(st.sampled_from(_LEVELS)),
            "courter_can_address": draw(st.booleans()),
            **fact,
        }
    data: dict[str, Any] = {
        "realpolitik_episode": 1,
        "id": f"generated-{year}",
        "title": "generated",
        "decision_year": year,
        "region": "europe",
        "pivot": "PVT",
        "incumbent": "INC",
        "courter": courter,
        "facts": facts,
        "sources": {"s": {"cite": "generated"}},
    }
    if with_outcome:
        data["outcome"] = {"label": "stayed", "aligned_with_courter": "no"}
    return data


@st.composite
def realignment_problems(draw: Any, hedge_value: bool = True, max_batch: int = 4) -> Any:
    """A realignment problem of 1..``max_batch`` draws: 2-3 courter levers (one adding
    replacement capacity, one sometimes paid by an ally with its own valuation, on/off ones
    either indivisible or on over a range), 1-2 incumbent levers, a credible or partly credible
    retaliation, and turnover for all three actors."""
    from realpolitik.models.commitment import Turnover
    from realpolitik.models.realignment import RealignmentProblem

    seed = draw(st.integers(0, 2**32 - 1))
    B = draw(st.integers(1, max_batch))
    nc = draw(st.integers(2, 3))
    ni = draw(st.integers(1, 2))
    ally = draw(st.booleans())
    binary = draw(st.lists(st.booleans(), min_size=nc + ni, max_size=nc + ni))
    indivisible = draw(st.booleans())
    rng = np.random.default_rng(seed)
    u = rng.uniform
    L = nc + ni
    cap = np.zeros((B, L))
    cap[:, 1] = u(0, 60, B)
    lo = u(0, 0.3, (B, L))
    hi = u(0.5, 2, (B, L))
    if indivisible:
        lo = np.where(np.array(binary)[None, :], hi, lo)
    courter_value = u(0, 40, (B, 2))
    if not hedge_value:
        courter_value[:, 0] = 0.0
    payer = [-1] * L
    if ally:
        payer[nc - 1] = 0
    return RealignmentProblem(
        trade_with_incumbent=u(20, 200, B),
        gains_share=u(0.05, 0.4, B),
        incumbent_gains_share=u(0, 0.4, B),
        retaliation=u(0, 1, (B, 2)),
        retaliation_credibility=u(0.2, 1, B),
        retaliation_annual_repudiation=u(0, 0.2, B),
        retaliation_successor_repudiation=u(0, 1, B),
        replacement_capacity=u(0, 80, (B, 2)),
        components=u(-15, 15, (B, 3, 2)),
        component_names=("security", "status", "domestic"),
        switching_cost=u(0, 60, (B, 2)),
        courter_value=courter_value,
        incumbent_value=u(0, 40, (B, 2)),
        payer_names=("ALLY",) if ally else (),
        payer_side=[0] if ally else [],
        payer_value=(
            np.stack([np.zeros(B) if not hedge_value else u(0, 30, B), u(0, 30, B)], -1)[:, None, :]
            if ally
            else None
        ),
        lever_names=tuple(f"l{i}" for i in range(L)),
        lever_side=[0] * nc + [1] * ni,
        lever_value=u(0, 30, (B, L)),
        lever_cost=u(0.1, 30, (B, L)),
        lever_min=lo,
        lever_max=hi,
        lever_binary=binary,
        lever_capacity=cap,
        lever_committed=[i % 2 == 0 or i == 1 for i in range(L)],
        lever_annual_repudiation=u(0, 0.2, (B, L)),
        lever_successor_repudiation=u(0, 1, (B, L)),
        lever_payer=payer,
        horizon=rng.integers(1, 16, B),
        discount_rate=u(0.0, 0.1, B),
        courter_turnover=Turnover(u(0, 0.1, B), 4, rng.integers(1, 5, B), u(0, 1, B)),
        pivot_turnover=Turnover(u(0, 0.2, B)),
        incumbent_turnover=Turnover(u(0, 0.1, B)),
        pivot_annual_repudiation=u(0, 0.1, B),
        pivot_successor_repudiation=u(0, 1, B),
        successor_shift=u(-10, 10, (B, 2)),
    )
