"""Strategic triangles: configurations, roles, Wu's role scores and improving moves."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.errors import ModelError
from realpolitik.models import triangle as T

NAMES = ["US", "Russia", "China"]


def tri(ur, uc, rc):
    return np.array([[0, ur, uc], [ur, 0, rc], [uc, rc, 0]], dtype=float)


@pytest.mark.parametrize(
    ("signs", "configuration", "roles", "scores"),
    [
        ((1, 1, 1), "menage a trois", ("friend",) * 3, (1, 1, 1)),
        ((1, 1, -1), "romantic triangle", ("pivot", "wing", "wing"), (3, -1, -1)),
        ((-1, -1, 1), "stable marriage", ("outcast", "partner", "partner"), (-3, 1, 1)),
        ((-1, -1, -1), "unit veto", ("foe",) * 3, (-1, -1, -1)),
    ],
)
def test_configurations_roles_and_scores(signs, configuration, roles, scores):
    (t,) = T.triangle_roles(tri(*signs), NAMES)
    assert t["configuration"] == configuration
    assert tuple(t["roles"][a] for a in NAMES) == roles
    assert tuple(t["sign_scores"][a] for a in NAMES) == scores
    assert all(T.ROLE_SCORES[r] == s for r, s in zip(roles, scores, strict=True))
    assert t["balanced"] == (configuration in ("menage a trois", "stable marriage"))


def test_outcast_us_warming_to_russia_becomes_wing():
    S = tri(-1, -1, 1)  # US-Russia -, US-China -, Russia-China +
    (t,) = T.triangle_roles(S, NAMES)
    assert t["outcast"] == "US" and set(t["partners"]) == {"Russia", "China"}
    moves = T.role_moves(S, NAMES)
    us = {m["toward"]: m for m in moves if m["actor"] == "US"}
    assert set(us) == {"Russia", "China"}
    m = us["Russia"]
    assert m["move"] == "warm" and m["new_configuration"] == "romantic triangle"
    assert m["new_role"] == "wing" and m["new_pivot"] == "Russia" and m["gain"] == 2
    # partners gain by warming to the outcast: they become the pivot
    ru = [m for m in moves if m["actor"] == "Russia"]
    assert [(m["toward"], m["new_role"]) for m in ru] == [("US", "pivot")]
    everything = T.role_moves(S, NAMES, improving_only=False)
    assert len(everything) == 6
    assert all((m["gain"] > 0) == (m["move"] == "warm") for m in everything)


def test_real_valued_scores():
    S = tri(-0.5, -2.0, 1.5)
    (t,) = T.triangle_roles(S, NAMES)
    assert t["configuration"] == "stable marriage" and t["roles"]["US"] == "outcast"
    assert t["scores"]["US"] == pytest.approx(-0.5 - 2.0 - 1.5)
    assert t["scores"]["Russia"] == pytest.approx(-0.5 + 1.5 + 2.0)
    assert t["sign_scores"]["US"] == -3


def test_tables_and_summary_shapes():
    r = np.random.default_rng(0)
    A = np.triu(r.choice([-1.0, 1.0], (6, 6)), 1)
    A = A + A.T
    df = T.triangle_table(A)
    assert len(df) == 3 * 20 and set(df["role"]) <= set(T.ROLE_SCORES)
    assert (df.groupby("role")["sign_score"].nunique() == 1).all()
    mv = T.moves_table(A)
    assert (mv["gain"] > 0).all()
    summary = T.triangle_summary(A)
    assert len(summary["triangles"]) == 20 and len(summary["moves"]) == len(mv)


def test_open_triads_ignored_and_errors():
    S = tri(1, 1, 0)
    assert T.triangle_roles(S, NAMES) == []
    with pytest.raises(ModelError):
        T.classify(1, 0, 1)
    with pytest.raises(ModelError):
        T.triangle_roles(np.array([[0, 1], [0, 0]]))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([-1.0, 1.0]), min_size=3, max_size=3), st.permutations([0, 1, 2]))
def test_roles_follow_actors_under_relabelling(signs, perm):
    S = tri(*signs)
    (a,) = T.triangle_roles(S, NAMES)
    P = np.array(perm)
    names = [NAMES[i] for i in P]
    (b,) = T.triangle_roles(S[np.ix_(P, P)], names)
    assert a["configuration"] == b["configuration"]
    assert a["roles"] == b["roles"] and a["sign_scores"] == b["sign_scores"]
    assert sum(a["sign_scores"].values()) in (3, 1, -1, -3)
