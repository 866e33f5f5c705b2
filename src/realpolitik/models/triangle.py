"""Strategic triangles (Dittmer 1981) with Wu Yu-shan's role scores, and the moves that improve
each actor's role.

For a closed triad {i, j, k} with relations x_ij, x_ik, x_jk (non-zero; signed +-1 or real
amity), the sign pattern gives the configuration and the roles:

=====================  ========  ==============================================  ============
configuration          signs     roles                                           balanced
=====================  ========  ==============================================  ============
menage a trois         + + +     three friends                                   yes
romantic triangle      + + -     pivot (the actor with two positive ties), two   no
                                 wings
stable marriage        + - -     two partners (the positive tie), one outcast    yes
unit veto              - - -     three foes                                      no
=====================  ========  ==============================================  ============

Role score of actor i (Wu): ``score_i = x_ij + x_ik - x_jk``: +1 per own amity, -1 per own
enmity, +1 if the other two are enemies and -1 if they are friends. On signs this gives
pivot +3, friend +1, partner +1, wing -1, foe -1, outcast -3. For real-valued relations the
configuration and role come from the signs and the continuous score from the same formula on
x (``sign_score`` holds the signed version).

Moves: actor i may change the sign of one of its own two relations in the triad (warm toward a
foe, cool toward a friend), keeping its magnitude. Its score changes by ``-2 x_ij``: warming
always raises it, cooling always lowers it, and the move is reported with the new configuration
and role (e.g. an outcast that warms to one partner becomes a wing of a romantic triangle with
that partner as pivot).

References
----------
Dittmer, L. (1981). The strategic triangle: an elementary game-theoretical analysis. World
Politics 33(4), 485-515.
Wu, Y.-S. (2000). Theorizing on relations across the Taiwan Strait: nine contending
approaches. Journal of Contemporary China 9(25), 407-428 (the role-score extension of
Dittmer's triangle; verify the scoring and tie-breaks against Wu's own papers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from realpolitik.errors import ModelError
from realpolitik.models.signed_graph import actor_names as _names
from realpolitik.models.signed_graph import closed_triads, relation_matrix

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "CONFIGURATIONS",
    "ROLE_SCORES",
    "classify",
    "triangle_roles",
    "triangle_table",
    "role_moves",
    "moves_table",
    "triangle_summary",
]

#: configuration name by number of negative relations
CONFIGURATIONS = ("menage a trois", "romantic triangle", "stable marriage", "unit veto")
#: role score on signed relations
ROLE_SCORES = {"pivot": 3, "friend": 1, "partner": 1, "wing": -1, "foe": -1, "outcast": -3}


def classify(x_ab: float, x_ac: float, x_bc: float) -> tuple[str, tuple[str, str, str]]:
    """Configuration and roles (for a, b, c) of a triad from the signs of its relations."""
    s = np.sign([x_ab, x_ac, x_bc])
    if np.any(s == 0):
        raise ModelError("a strategic triangle needs three non-zero relations")
    neg = int(np.sum(s < 0))
    if neg == 0:
        return CONFIGURATIONS[0], ("friend", "friend", "friend")
    if neg == 3:
        return CONFIGURATIONS[3], ("foe", "foe", "foe")
    # edge e opposite to member m: ab<->c, ac<->b, bc<->a
    opposite = {0: 2, 1: 1, 2: 0}
    if neg == 1:
        hub = opposite[int(np.flatnonzero(s < 0)[0])]
        roles = ["wing"] * 3
        roles[hub] = "pivot"
        return CONFIGURATIONS[1], tuple(roles)  # type: ignore[return-value]
    out = opposite[int(np.flatnonzero(s > 0)[0])]
    roles = ["partner"] * 3
    roles[out] = "outcast"
    return CONFIGURATIONS[2], tuple(roles)  # type: ignore[return-value]


def _matrix(S: ArrayLike) -> np.ndarray:
    return relation_matrix(S, zero_diagonal=False)


def _scores(xab: float, xac: float, xbc: float) -> tuple[float, float, float]:
    return (xab + xac - xbc, xab + xbc - xac, xac + xbc - xab)


def triangle_roles(S: ArrayLike, actors: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every closed triad's configuration, roles and role scores.

    Returns
    -------
    list of dicts (triads in lexicographic order of actor indices) with ``actors`` [a, b, c],
    ``configuration``, ``balanced``, ``relations`` {"a-b": x, ...}, ``roles`` {actor: role},
    ``scores`` {actor: continuous score} and ``sign_scores`` {actor: integer score}, plus
    ``pivot`` / ``wings`` (romantic triangle) or ``partners`` / ``outcast`` (stable marriage).
    """
    A = _matrix(S)
    names = _names(actors, A.shape[0])
    tri, vals = closed_triads(A)
    out = []
    for (i, j, k), (xab, xac, xbc) in zip(tri, vals, strict=True):
        trio = [names[i], names[j], names[k]]
        conf, roles = classify(xab, xac, xbc)
        sc = _scores(xab, xac, xbc)
        ss = _scores(*np.sign([xab, xac, xbc]))
        d: dict[str, Any] = {
            "actors": trio,
            "configuration": conf,
            "balanced": conf in (CONFIGURATIONS[0], CONFIGURATIONS[2]),
            "relations": {
                f"{trio[0]}-{trio[1]}": float(xab),
                f"{trio[0]}-{trio[2]}": float(xac),
                f"{trio[1]}-{trio[2]}": float(xbc),
            },
            "roles": dict(zip(trio, roles, strict=True)),
            "scores": {a: float(v) for a, v in zip(trio, sc, strict=True)},
            "sign_scores": {a: int(v) for a, v in zip(trio, ss, strict=True)},
        }
        if conf == CONFIGURATIONS[1]:
            d["pivot"] = trio[roles.index("pivot")]
            d["wings"] = [a for a, r in zip(trio, roles, strict=True) if r == "wing"]
        elif conf == CONFIGURATIONS[2]:
            d["partners"] = [a for a, r in zip(trio, roles, strict=True) if r == "partner"]
            d["outcast"] = trio[roles.index("outcast")]
        out.append(d)
    return out


def triangle_table(S: ArrayLike, actors: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per (closed triad, member): triad, actor, configuration, role, score,
    sign_score, balanced."""
    import pandas as pd

    return pd.DataFrame(triangle_rows(S, actors), columns=TRIANGLE_COLUMNS)


#: The columns of :func:`triangle_table`.
TRIANGLE_COLUMNS = ["triad", "actor", "configuration", "role", "score", "sign_score", "balanced"]


def triangle_rows(S: ArrayLike, actors: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """The rows of :func:`triangle_table` as dicts (the report reads them without pandas)."""
    rows = []
    for t in triangle_roles(S, actors):
        for a in t["actors"]:
            rows.append(
                {
                    "triad": "|".join(t["actors"]),
                    "actor": a,
                    "configuration": t["configuration"],
                    "role": t["roles"][a],
                    "score": t["scores"][a],
                    "sign_score": t["sign_scores"][a],
                    "balanced": t["balanced"],
                }
            )
    return rows


def role_moves(
    S: ArrayLike, actors: Sequence[str] | None = None, *, improving_only: bool = True
) -> list[dict[str, Any]]:
    """For each closed triad and member, the sign changes of its own relations and their effect.

    Algorithm
    ---------
    For member i of triad {i, j, k} and each partner j, change ``x_ij`` to ``-x_ij`` (warm if
    it was negative, cool if positive), reclassify the triad and recompute i's score. The
    score changes by ``-2 x_ij`` (by -2 sign(x_ij) on signs), so exactly the warming moves
    improve it.

    Returns
    -------
    list of dicts with ``triad``, ``actor``, ``toward``, ``move`` ("warm"|"cool"), ``role``,
    ``score``, ``new_configuration``, ``new_role``, ``new_score``, ``gain`` and
    ``new_pivot`` (the pivot after the move, if it is a romantic triangle), in triad order,
    then member order, then partner order. With ``improving_only`` only moves with a positive
    gain are listed.
    """
    out = []
    for t in triangle_roles(S, actors):
        trio = t["actors"]
        rel = t["relations"]

        def x(a: str, b: str, rel: dict[str, float] = rel) -> float:
            key = f"{a}-{b}"
            return rel[key] if key in rel else rel[f"{b}-{a}"]

        for ai, a in enumerate(trio):
            others = [trio[q] for q in range(3) if q != ai]
            for b in others:
                c = others[0] if others[1] == b else others[1]
                new = {
                    frozenset((a, b)): -x(a, b),
                    frozenset((a, c)): x(a, c),
                    frozenset((b, c)): x(b, c),
                }
                xab, xac, xbc = (
                    new[frozenset((trio[0], trio[1]))],
                    new[frozenset((trio[0], trio[2]))],
                    new[frozenset((trio[1], trio[2]))],
                )
                conf, roles = classify(xab, xac, xbc)
                new_score = _scores(xab, xac, xbc)[ai]
                gain = new_score - t["scores"][a]
                if improving_only and not gain > 0:
                    continue
                d = {
                    "triad": trio,
                    "actor": a,
                    "toward": b,
                    "move": "warm" if x(a, b) < 0 else "cool",
                    "role": t["roles"][a],
                    "score": t["scores"][a],
                    "new_configuration": conf,
                    "new_role": roles[ai],
                    "new_score": float(new_score),
                    "gain": float(gain),
                }
                if conf == CONFIGURATIONS[1]:
                    d["new_pivot"] = trio[roles.index("pivot")]
                out.append(d)
    return out


def moves_table(
    S: ArrayLike, actors: Sequence[str] | None = None, *, improving_only: bool = True
) -> pd.DataFrame:
    """:func:`role_moves` as a DataFrame (the triad joined with '|')."""
    import pandas as pd

    rows = moves_rows(S, actors, improving_only=improving_only)
    return pd.DataFrame(rows, columns=MOVES_COLUMNS)


#: The columns of :func:`moves_table`.
MOVES_COLUMNS = [
    "triad",
    "actor",
    "toward",
    "move",
    "role",
    "score",
    "new_configuration",
    "new_role",
    "new_score",
    "gain",
    "new_pivot",
]


def moves_rows(
    S: ArrayLike, actors: Sequence[str] | None = None, *, improving_only: bool = True
) -> list[dict[str, Any]]:
    """The rows of :func:`moves_table` as dicts (the report reads them without pandas)."""
    return [
        dict(m, triad="|".join(m["triad"]))
        for m in role_moves(S, actors, improving_only=improving_only)
    ]


def triangle_summary(
    S: ArrayLike, actors: Sequence[str] | None = None, *, improving_only: bool = True
) -> dict[str, Any]:
    """JSON-ready dict ``{"triangles": [...], "moves": [...]}``."""
    return {
        "triangles": triangle_roles(S, actors),
        "moves": role_moves(S, actors, improving_only=improving_only),
    }
