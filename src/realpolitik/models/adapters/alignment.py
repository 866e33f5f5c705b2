"""Registry entries for the classic alignment models: landscape theory, structural balance and
strategic triangles, fed by the scenario's actors (sizes) and relations (propensities)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.models.adapters.landscape_text import coalition_text as _coalition_text
from realpolitik.models.adapters.landscape_text import landscape_lines
from realpolitik.models.registry import Analysis, AnalysisContext, ModelSpec, register

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.scenario.model import Scenario


def _has_relations(s: Scenario) -> bool:
    ids = set(s.actor_ids)
    return any(set(r.between) <= ids for r in s.spec.relations)


# ------------------------------------------------------------------------------------------------
# landscape


def landscape_analysis(
    scenario: Scenario,
    *,
    k: int = 2,
    best_others: int = 3,
    field: bool = True,
    method: str = "auto",
    seed: int = 0,
) -> tuple[dict[str, Any], list[str], Any]:
    """The landscape of ``scenario``: minima (and the best non-minima), with and without blocs.

    Returns the summary, readable lines and the :class:`LandscapeResult` (turn it into a table
    with :func:`realpolitik.models.landscape.landscape_table`).
    """
    from realpolitik.models.landscape import landscape, landscape_summary

    ids = scenario.actor_ids
    labels = {a.id: a.label for a in scenario.actors}
    sizes, p = scenario.sizes(), scenario.propensity_matrix()
    others = best_others if len(ids) <= 26 and k == 2 else 0
    result = landscape(sizes, p, actors=ids, k=k, method=method, best_others=others, rng=seed)
    summary = landscape_summary(result)
    lines = landscape_lines(result, summary, labels)
    if field and scenario.spec.blocs and k == 2:
        h = scenario.bloc_field(ids)
        with_field = landscape(sizes, p, actors=ids, field=h, method=method, rng=seed)
        fsum = landscape_summary(with_field, include_others=False)
        summary["with_blocs"] = {
            "blocs": [b.id for b in scenario.spec.blocs[:2]],
            "configurations": fsum["configurations"],
        }
        lines.append(
            "With existing blocs as a field (Galam; "
            + " and ".join(b.id for b in scenario.spec.blocs[:2])
            + "):"
        )
        lines.extend("  " + line for line in landscape_lines(with_field, fsum, labels))
    return summary, lines, result


def _landscape(scenario: Scenario, ctx: AnalysisContext) -> Analysis:
    from realpolitik.models.landscape import landscape_table

    summary, lines, result = landscape_analysis(scenario, seed=ctx.seed)
    table = landscape_table(result)
    return Analysis("landscape", summary, tables={"configurations": table}, lines=lines)


def _configs(n: int) -> np.ndarray:
    """All two-coalition configurations with actor 0 on side +1: (2^(n-1), n) of +-1."""
    codes = np.arange(2 ** (n - 1))[:, None]
    bits = (codes >> np.arange(n - 1)) & 1
    return np.hstack([np.ones((len(codes), 1)), 1 - 2 * bits]).astype(float)


def _evaluate_landscape(
    scenario: Scenario, samples: Mapping[str, np.ndarray], rng: Any
) -> dict[str, np.ndarray]:
    """Per draw: is the pivot on the courter's side in the lowest-energy configuration?"""
    ids = scenario.actor_ids
    B = len(next(iter(samples.values()))) if samples else 1
    sizes = np.stack([scenario.values_array(f"actors.{a}.size", samples, B) for a in ids], axis=1)
    p = (
        scenario.propensity_matrix(ids, samples)
        if samples
        else scenario.propensity_matrix(ids)[None]
    )
    J = sizes[:, :, None] * sizes[:, None, :] * p
    X = _configs(len(ids))
    D = (1.0 - X[:, :, None] * X[:, None, :]) / 2.0  # (C, n, n) 1 where apart
    E = np.einsum("bij,cij->bc", J, D)
    best = X[np.argmin(E, axis=1)]
    r = scenario.spec.realignment
    pi, ci = ids.index(r.pivot), ids.index(r.courter)
    ii = ids.index(r.incumbent)
    return {
        "landscape_pivot_with_courter": (best[:, pi] == best[:, ci]).astype(float),
        "landscape_pivot_with_incumbent": (best[:, pi] == best[:, ii]).astype(float),
    }


def _landscape_evaluable(s: Scenario) -> bool:
    r = s.spec.realignment
    return (
        r is not None
        and {r.pivot, r.courter, r.incumbent} <= set(s.actor_ids)
        and len(s.actor_ids) <= 12
    )


class _LandscapeEvaluate:
    """``evaluate`` only for scenarios with a realignment block and at most 12 actors."""

    def __call__(self, scenario: Scenario, samples: Mapping[str, np.ndarray], rng: Any):
        if not _landscape_evaluable(scenario):
            return {}
        return _evaluate_landscape(scenario, samples, rng)


register(
    ModelSpec(
        name="landscape",
        title="Landscape theory of aggregation (Axelrod & Bennett 1993)",
        summary="Two (or k) coalitions that minimise the size-weighted frustration of all actors.",
        analyze=_landscape,
        evaluate=_LandscapeEvaluate(),
        min_actors=3,
        outputs=("landscape_pivot_with_courter", "landscape_pivot_with_incumbent"),
        references=("axelrod1993landscape", "galam1996fragmentation", "florian2000optimization"),
        applies=_has_relations,
    )
)


# ------------------------------------------------------------------------------------------------
# balance


def _balance(scenario: Scenario, ctx: AnalysisContext) -> Analysis:
    from realpolitik.models.balance import balance_summary, census_table

    ids = scenario.actor_ids
    S = scenario.signed_matrix()
    summary = balance_summary(S, ids)
    labels = {a.id: a.label for a in scenario.actors}
    c = summary["census"]
    lines = [
        f"Triad census (closed triads by number of hostile ties): 0: {c['0']}, 1: {c['1']}, "
        f"2: {c['2']}, 3: {c['3']}; balanced {summary['balanced']}, imbalanced "
        f"{summary['imbalanced']}."
    ]
    factions = summary.get("factions") or []
    if factions:
        lines.append(
            "Factions where balance dynamics (dX/dt = X^2) lead: "
            + _coalition_text(factions, labels)
            + (f"; neutral: {', '.join(summary['neutral'])}" if summary.get("neutral") else "")
        )
    return Analysis("balance", summary, tables={"census": census_table(S)}, lines=lines)


register(
    ModelSpec(
        name="balance",
        title="Structural balance (Heider; Marvel et al. 2011)",
        summary="Balanced and imbalanced triads of the signed relations, and the factions balance leads to.",
        analyze=_balance,
        min_actors=3,
        outputs=("census", "balanced", "imbalanced", "factions"),
        references=("marvel2011continuous", "antal2006social"),
        applies=_has_relations,
    )
)


# ------------------------------------------------------------------------------------------------
# strategic triangles


def _triangle(scenario: Scenario, ctx: AnalysisContext) -> Analysis:
    from realpolitik.models.triangle import moves_table, triangle_summary, triangle_table

    ids = scenario.actor_ids
    X = scenario.propensity_matrix()
    summary = triangle_summary(X, ids)
    labels = {a.id: a.label for a in scenario.actors}
    lines = []
    for t in summary["triangles"]:
        roles = ", ".join(
            f"{labels.get(a, a)} {role} ({t['scores'][a]:+.2f})" for a, role in t["roles"].items()
        )
        lines.append(
            f"{' / '.join(labels.get(a, a) for a in t['actors'])}: {t['configuration']}: {roles}"
        )
    moves = summary.get("moves", [])
    if moves:
        lines.append(
            "Moves that would improve an actor's role (changing the sign of one own relation):"
        )
        for m in moves[:8]:
            lines.append("  " + _move_text(m, labels))
    tables = {"triangles": triangle_table(X, ids), "moves": moves_table(X, ids)}
    return Analysis("triangle", summary, tables=tables, lines=lines)


def _move_text(m: dict[str, Any], labels: dict[str, str]) -> str:
    actor = labels.get(m["actor"], m["actor"])
    toward = labels.get(m["toward"], m["toward"])
    triad = " / ".join(labels.get(a, a) for a in m["triad"])
    pivot = f", {labels.get(m['new_pivot'], m['new_pivot'])} pivot" if m.get("new_pivot") else ""
    return (
        f"{actor} {m['move']}s toward {toward} ({triad}): {m['role']} -> {m['new_role']} in a "
        f"{m['new_configuration']}{pivot} (score {m['score']:+.2f} -> {m['new_score']:+.2f})"
    )


register(
    ModelSpec(
        name="triangle",
        title="Strategic triangles (Dittmer 1981)",
        summary="Configuration and each member's role (pivot, wing, partner, outcast, friend, foe) in every triad.",
        analyze=_triangle,
        min_actors=3,
        outputs=("triangles", "moves"),
        references=("dittmer1981strategic",),
        applies=_has_relations,
    )
)
