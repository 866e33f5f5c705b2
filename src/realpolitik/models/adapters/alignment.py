"""Registry entries for the classic alignment models: landscape theory, structural balance and
strategic triangles, fed by the scenario's actors (sizes) and relations (propensities)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from realpolitik.models.registry import AnalysisContext, ModelSpec, register
from realpolitik.models.results import ModelResult, Output
from realpolitik.scenario.model import Scenario, key_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.models.plain_table import PlainTable

#: Most actors for which landscape's outputs are evaluated per draw: every draw enumerates all
#: 2^(n-1) two-coalition configurations, 2,048 at 12 actors.
MAX_EVALUATED_ACTORS = 12
#: Most actors for which the best configurations that are not minima are listed (the exact search
#: keeps them only while it enumerates every configuration).
MAX_LISTED_ACTORS = 26


def has_relations(s: Scenario) -> bool:
    """Whether some relation joins two principal actors (the alignment models need one)."""
    ids = set(s.actor_ids)
    return any(set(r.between) <= ids for r in s.spec.relations)


def _labels(scenario: Scenario) -> dict[str, str]:
    return {a.id: a.label for a in scenario.actors}


# ------------------------------------------------------------------------------------------------
# landscape


@dataclass(frozen=True)
class LandscapeScenarioResult(ModelResult):
    """Landscape theory on a scenario: the configurations searched, their energies and basins.

    ``summary`` is :func:`~realpolitik.models.landscape.landscape_summary`'s JSON-ready dict (with
    ``with_blocs`` when the blocs were applied as a field); ``configurations`` its table (built
    on first use from ``search``, the model's own result, so that printing minima needs no
    DataFrame); ``search_with_blocs`` the model's result with the blocs as a field.
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    actors: tuple[str, ...] = ()
    n_configurations: int = 0
    method: str = ""
    rule: str = ""
    gap: float | None = None
    bound_method: str | None = None
    summary: Mapping[str, Any] = field(default_factory=dict)
    configurations: Any = None  # pandas DataFrame, or None until asked for
    point_outputs: Mapping[str, float] = field(default_factory=dict)
    search: Any = None  # realpolitik.models.landscape.LandscapeResult
    search_with_blocs: Any = None

    def outputs(self) -> dict[str, float]:
        """Whether the pivot sides with the courter (or its partner) at the lowest energy."""
        return dict(self.point_outputs)

    def to_summary(self) -> dict[str, Any]:
        """The configurations (energies, basins, coalitions), with blocs when applied."""
        return {**self.summary, "outputs": dict(self.point_outputs)}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every configuration searched."""
        if self.configurations is None and self.search is not None:
            from realpolitik.models.landscape import landscape_table

            object.__setattr__(self, "configurations", landscape_table(self.search))
        return {} if self.configurations is None else {"configurations": self.configurations}

    def report_tables(self) -> dict[str, PlainTable | None]:
        """:meth:`tables` as plain rows (without pandas unless the table was made already)."""
        if self.configurations is not None or self.search is None:
            return super().report_tables()
        from realpolitik.models.landscape import landscape_rows

        return {"configurations": landscape_rows(self.search)}


def landscape_analysis(
    scenario: Scenario,
    *,
    k: int = 2,
    best_others: int = 3,
    field: bool = True,
    method: Literal["auto", "exact", "heuristic"] = "auto",
    seed: int = 0,
) -> LandscapeScenarioResult:
    """The landscape of ``scenario``: minima (and the best non-minima), with and without blocs."""
    from realpolitik.models.landscape import landscape, landscape_summary
    from realpolitik.models.results import Provenance
    from realpolitik.version import __version__

    ids = scenario.actor_ids
    sizes, p = scenario.sizes(), scenario.propensity_matrix()
    others = best_others if len(ids) <= MAX_LISTED_ACTORS and k == 2 else 0
    result = landscape(sizes, p, actors=ids, k=k, method=method, best_others=others, rng=seed)
    summary = landscape_summary(result)
    with_field = None
    if field and scenario.spec.blocs and k == 2:
        h = scenario.bloc_field(ids)
        with_field = landscape(sizes, p, actors=ids, field=h, method=method, rng=seed)
        fsum = landscape_summary(with_field, include_others=False)
        summary["with_blocs"] = {
            "blocs": [b.id for b in scenario.spec.blocs[:2]],
            "configurations": fsum["configurations"],
        }
    point = _evaluate_landscape(scenario, {}, None) if _landscape_evaluable(scenario) else {}
    return LandscapeScenarioResult(
        model="landscape",
        provenance=Provenance(
            scenario.content_hash,
            seed,
            __version__,
            {"k": k, "best_others": best_others, "field": field, "method": method},
        ),
        labels=_labels(scenario),
        actors=tuple(ids),
        n_configurations=int(result.n_configurations),
        method=str(result.method),
        rule=str(result.rule),
        gap=float(result.gap) if result.gap else None,
        bound_method=getattr(result, "bound_method", None),
        summary=summary,
        point_outputs={k_: float(v[0]) for k_, v in point.items()},
        search=result,
        search_with_blocs=with_field,
    )


#: The options of :func:`landscape_analysis` a run's context may set (``AnalysisContext.options``).
LANDSCAPE_OPTIONS = ("k", "best_others", "field", "method")


def _landscape(scenario: Scenario, ctx: AnalysisContext) -> LandscapeScenarioResult:
    options = {k: ctx.options[k] for k in LANDSCAPE_OPTIONS if k in ctx.options}
    return landscape_analysis(scenario, seed=ctx.seed, **options)


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
    sizes = np.stack(
        [scenario.values_array(key_path("actors", a, "size"), samples, B) for a in ids], axis=1
    )
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
    r = scenario.realignment_block
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
        and len(s.actor_ids) <= MAX_EVALUATED_ACTORS
    )


#: Landscape's outputs, defined for scenarios with a realignment block (a pivot and two suitors).
LANDSCAPE_OUTPUTS: tuple[Output, ...] = (
    Output(
        "landscape_pivot_with_courter",
        "indicator",
        "1 if the pivot and the courter share a coalition at the lowest energy, else 0",
        "the pivot sides with the courter in the lowest-energy configuration",
    ),
    Output(
        "landscape_pivot_with_incumbent",
        "indicator",
        "1 if the pivot and its partner share a coalition at the lowest energy, else 0",
        "the pivot sides with its partner in the lowest-energy configuration",
    ),
)


def landscape_outputs(scenario: Scenario) -> tuple[Output, ...]:
    """Landscape's outputs on ``scenario``: none without a realignment block or with too many
    actors to enumerate per draw."""
    return LANDSCAPE_OUTPUTS if _landscape_evaluable(scenario) else ()


register(
    ModelSpec(
        name="landscape",
        title="Landscape theory of aggregation (Axelrod & Bennett 1993)",
        summary="Two (or k) coalitions that minimise the size-weighted frustration of all actors.",
        analyze=_landscape,
        evaluate=_evaluate_landscape,
        outputs=LANDSCAPE_OUTPUTS,
        declares=landscape_outputs,
        min_actors=3,
        references=("axelrod1993landscape", "galam1996fragmentation", "florian2000optimization"),
        applies=has_relations,
    )
)


# ------------------------------------------------------------------------------------------------
# balance


BALANCE_OUTPUTS: tuple[Output, ...] = (
    Output(
        "balanced_triads",
        "count",
        "closed triads",
        "closed triads with an even number of hostile ties",
    ),
    Output(
        "imbalanced_triads",
        "count",
        "closed triads",
        "closed triads with an odd number of hostile ties",
    ),
)


@dataclass(frozen=True)
class BalanceResult(ModelResult):
    """Structural balance of the signed relations: :func:`~realpolitik.models.balance.
    balance_summary`'s census, triangles and factions, and the census table."""

    labels: Mapping[str, str] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)
    census: Any = None  # pandas DataFrame, or None until asked for
    signed: Any = None  # the signed matrix the census is made from

    def outputs(self) -> dict[str, float]:
        """Counts of balanced and imbalanced closed triads."""
        return {
            "balanced_triads": float(self.summary["balanced"]),
            "imbalanced_triads": float(self.summary["imbalanced"]),
        }

    def to_summary(self) -> dict[str, Any]:
        """Census, counts, triangles with roles, factions."""
        return dict(self.summary)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The triad census (built on first use: printing a run needs no DataFrame)."""
        if self.census is None and self.signed is not None:
            from realpolitik.models.balance import census_table

            object.__setattr__(self, "census", census_table(self.signed))
        return {} if self.census is None else {"census": self.census}

    def report_tables(self) -> dict[str, PlainTable | None]:
        """:meth:`tables` as plain rows (without pandas unless the table was made already)."""
        from realpolitik.models.plain_table import PlainTable

        if self.census is not None or self.signed is None:
            return super().report_tables()
        from realpolitik.models.balance import census_columns

        return {"census": PlainTable.from_columns(census_columns(self.signed))}


def _balance(scenario: Scenario, ctx: AnalysisContext) -> BalanceResult:
    from realpolitik.models.balance import balance_summary

    # the context may set the band of relations counted as neutral (``neutral``)
    neutral = ctx.options.get("neutral")
    S = scenario.signed_matrix() if neutral is None else scenario.signed_matrix(neutral=neutral)
    return BalanceResult(
        model="balance",
        provenance=ctx.provenance(scenario),
        labels=_labels(scenario),
        summary=balance_summary(S, scenario.actor_ids),
        signed=S,
    )


register(
    ModelSpec(
        name="balance",
        title="Structural balance (Heider; Marvel et al. 2011)",
        summary="Balanced and imbalanced triads of the signed relations, and the factions balance leads to.",
        analyze=_balance,
        min_actors=3,
        outputs=BALANCE_OUTPUTS,
        references=("marvel2011continuous", "antal2006social"),
        applies=has_relations,
    )
)


# ------------------------------------------------------------------------------------------------
# strategic triangles


TRIANGLE_OUTPUTS: tuple[Output, ...] = (
    Output("triads", "count", "triads of principal actors", "triads of the principal actors"),
    Output("improving_moves", "count", "moves", "moves that would improve an actor's role"),
)


@dataclass(frozen=True)
class TriangleResult(ModelResult):
    """Strategic triangles: every triad's configuration and roles, and the moves that would
    improve an actor's role (:func:`~realpolitik.models.triangle.triangle_summary`)."""

    labels: Mapping[str, str] = field(default_factory=dict)
    summary: Mapping[str, Any] = field(default_factory=dict)
    triangles: Any = None  # pandas DataFrame, or None until asked for
    moves: Any = None  # pandas DataFrame, or None until asked for
    propensity: Any = None  # the propensity matrix and actor ids the tables are made from
    actor_ids: tuple[str, ...] = ()

    def outputs(self) -> dict[str, float]:
        """How many triads, and how many improving moves."""
        return {
            "triads": float(len(self.summary["triangles"])),
            "improving_moves": float(len(self.summary.get("moves", []))),
        }

    def to_summary(self) -> dict[str, Any]:
        """Triangles with configuration, roles and scores; moves."""
        return dict(self.summary)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Triangles and moves (built on first use: printing a run needs no DataFrame)."""
        if self.triangles is None and self.propensity is not None:
            from realpolitik.models.triangle import moves_table, triangle_table

            ids = list(self.actor_ids)
            object.__setattr__(self, "triangles", triangle_table(self.propensity, ids))
            object.__setattr__(self, "moves", moves_table(self.propensity, ids))
        return {"triangles": self.triangles, "moves": self.moves}

    def report_tables(self) -> dict[str, PlainTable | None]:
        """:meth:`tables` as plain rows (without pandas unless the tables were made already)."""
        from realpolitik.models.plain_table import PlainTable

        if self.triangles is not None or self.propensity is None:
            return super().report_tables()
        from realpolitik.models.triangle import (
            MOVES_COLUMNS,
            TRIANGLE_COLUMNS,
            moves_rows,
            triangle_rows,
        )

        ids = list(self.actor_ids)
        return {
            "triangles": PlainTable.from_records(
                triangle_rows(self.propensity, ids), TRIANGLE_COLUMNS
            ),
            "moves": PlainTable.from_records(moves_rows(self.propensity, ids), MOVES_COLUMNS),
        }


def _triangle(scenario: Scenario, ctx: AnalysisContext) -> TriangleResult:
    from realpolitik.models.triangle import triangle_summary

    ids = scenario.actor_ids
    X = scenario.propensity_matrix()
    return TriangleResult(
        model="triangle",
        provenance=ctx.provenance(scenario),
        labels=_labels(scenario),
        summary=triangle_summary(X, ids),
        propensity=X,
        actor_ids=tuple(ids),
    )


register(
    ModelSpec(
        name="triangle",
        title="Strategic triangles (Dittmer 1981)",
        summary="Configuration and each member's role (pivot, wing, partner, outcast, friend, foe) in every triad.",
        analyze=_triangle,
        min_actors=3,
        outputs=TRIANGLE_OUTPUTS,
        references=("dittmer1981strategic",),
        applies=has_relations,
    )
)
