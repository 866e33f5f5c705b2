"""Registry entry for stakeholder bargaining: factions of an actor bargain over its orientation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.models.registry import AnalysisContext, ModelSpec, register
from realpolitik.models.results import ModelResult, Output
from realpolitik.scenario.model import Scenario, key_path

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.models.plain_table import PlainTable


def faction_groups(scenario: Scenario) -> list[tuple[str, list[str]]]:
    """(parent, dimensions) for every actor with at least two positioned factions."""
    out = []
    for actor in scenario.spec.actors:
        factions = scenario.factions(actor.id)
        dims = [d for d in scenario.spec.dimensions if sum(d in f.position for f in factions) >= 2]
        if len(factions) >= 2 and dims:
            out.append((actor.id, dims))
    return out


def faction_arrays(
    scenario: Scenario,
    parent: str,
    dims: list[str],
    samples: Mapping[str, np.ndarray] | None = None,
    size: int | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Names, capabilities (.., n), positions on 0-100 (.., n, d) and saliences on 0-100.

    With ``samples`` and ``size``, arrays get a leading batch axis of the draws.
    """
    factions = [f for f in scenario.factions(parent) if all(d in f.position for d in dims)]
    names = [f.id for f in factions]
    B = size or 1

    def arr(path: str) -> np.ndarray:
        return scenario.values_array(path, samples, B)

    cap = np.stack([arr(key_path("actors", f.id, "size")) for f in factions], axis=-1)
    pos = np.empty((B, len(factions), len(dims)))
    sal = np.empty((B, len(factions), len(dims)))
    for j, d in enumerate(dims):
        lo, hi = scenario.spec.dimensions[d].range
        for i, f in enumerate(factions):
            pos[:, i, j] = (arr(key_path("actors", f.id, "position", d)) - lo) / (hi - lo) * 100.0
            sal[:, i, j] = (
                arr(key_path("actors", f.id, "salience", d)) * 100.0
                if d in f.salience
                else np.full(B, 100.0 / len(dims))
            )
    if size is None:
        return names, cap[0], pos[0], sal[0]
    return names, cap, pos, sal


def _to_range(scenario: Scenario, dim: str, x: np.ndarray) -> np.ndarray:
    lo, hi = scenario.spec.dimensions[dim].range
    return lo + np.asarray(x) / 100.0 * (hi - lo)


def applies(scenario: Scenario) -> bool:
    """Bargaining needs an actor with at least two factions positioned on a dimension."""
    return bool(faction_groups(scenario))


def declares(scenario: Scenario) -> tuple[Output, ...]:
    """Per actor with factions and dimension: the SMP and BDM forecasts, on the dimension's scale."""
    out = []
    for parent, dims in faction_groups(scenario):
        for d in dims:
            dim = scenario.spec.dimensions[d]
            unit = f"{d} scale, {dim.range[0]:g} = {dim.low} to {dim.range[1]:g} = {dim.high}"
            out.append(
                Output(
                    f"smp_{parent}_{d}",
                    "position",
                    unit,
                    f"the SMP forecast of {parent}'s factions on {d}",
                )
            )
            out.append(
                Output(
                    f"bdm_{parent}_{d}",
                    "position",
                    unit,
                    f"the BDM forecast of {parent}'s factions on {d}",
                )
            )
    return tuple(out)


@dataclass(frozen=True)
class BargainingResult(ModelResult):
    """The factions of each actor bargaining over its dimensions (SMP and BDM forecasts).

    ``groups[parent]`` holds ``factions`` and, per dimension, the starting weighted mean and each
    model's forecast (on the dimension's own scale) with its convergence.
    """

    labels: Mapping[str, str] = field(default_factory=dict)
    dimensions: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    groups: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    histories: Mapping[str, Any] = field(default_factory=dict)  # parent -> SMPResult
    bdm_histories: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # parent -> dimension -> BDMResult (round by round, on the dimension's scale)

    def outputs(self) -> dict[str, float]:
        """The SMP and BDM weighted-mean forecasts per actor and dimension."""
        out = {}
        for parent, entry in self.groups.items():
            for d, e in entry["dimensions"].items():
                out[f"smp_{parent}_{d}"] = float(e["smp"]["weighted_mean"])
                out[f"bdm_{parent}_{d}"] = float(e["bdm"]["weighted_mean"])
        return out

    def to_summary(self) -> dict[str, Any]:
        """Per actor: factions and per-dimension forecasts."""
        return {p: dict(e) for p, e in self.groups.items()}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Each actor's faction positions turn by turn (SMP; made on first use, so that
        printing a run needs no DataFrame)."""
        return {
            f"{p} faction positions (SMP)": h.history_frame() for p, h in self.histories.items()
        }

    def report_tables(self) -> dict[str, PlainTable | None]:
        """:meth:`tables` as plain rows (without pandas)."""
        from realpolitik.models.plain_table import PlainTable

        return {
            f"{p} faction positions (SMP)": PlainTable.from_columns(h.history_columns())
            for p, h in self.histories.items()
        }


def analyze(scenario: Scenario, ctx: AnalysisContext) -> BargainingResult:
    """SMP and BDM for every actor with positioned factions."""
    from realpolitik.models.bargaining import BDMOptions, run_bdm, run_smp

    groups: dict[str, Any] = {}
    histories = {}
    bdm_histories: dict[str, dict[str, Any]] = {}
    for parent, dims in faction_groups(scenario):
        names, cap, pos, sal = faction_arrays(scenario, parent, dims)
        smp = run_smp(cap, pos, sal, rng=ctx.seed, actor_names=names, dimension_names=dims)
        fc = smp.forecast()
        entry: dict[str, Any] = {"factions": names, "dimensions": {}}
        bdm_histories[parent] = {}
        for j, d in enumerate(dims):
            start = _to_range(scenario, d, pos[:, j])
            w = cap * sal[:, j]
            bdm = run_bdm(
                cap,
                start,
                sal[:, j] / 100.0,
                *scenario.spec.dimensions[d].range,
                options=BDMOptions(),
                actor_names=names,
            )
            bdm_histories[parent][d] = bdm
            entry["dimensions"][d] = {
                "start_weighted_mean": float(np.sum(w * start) / np.sum(w)),
                "smp": {
                    "weighted_mean": float(_to_range(scenario, d, fc["weighted_mean"][j])),
                    "median": float(_to_range(scenario, d, fc["median"][j])),
                    "converged": bool(smp.converged),
                    "turns": int(smp.positions.shape[0] - 1),
                },
                "bdm": {
                    "weighted_mean": float(bdm.weighted_mean[-1]),
                    "median": float(bdm.median[-1]),
                    "converged": bool(bdm.converged),
                    "oscillating": bool(bdm.oscillating),
                    "cycle_length": None if bdm.cycle_length is None else int(bdm.cycle_length),
                },
            }
        groups[parent] = entry
        histories[parent] = smp
    return BargainingResult(
        model="bargaining",
        provenance=ctx.provenance(scenario),
        labels={a.id: a.label for a in scenario.spec.actors},
        dimensions={
            d: {"range": list(dim.range), "low": dim.low, "high": dim.high}
            for d, dim in scenario.spec.dimensions.items()
        },
        groups=groups,
        histories=histories,
        bdm_histories=bdm_histories,
    )


SPEC = register(
    ModelSpec(
        name="bargaining",
        title="Stakeholder bargaining (KTAB SMP, Bueno de Mesquita)",
        summary="Factions of an actor bargain over its orientation; the outcome sets its domestic stance.",
        analyze=analyze,
        stochastic=False,
        min_actors=1,
        declares=declares,
        references=("ktab2017", "bdm1994forecasting", "scholz2011unravelling"),
        applies=applies,
    )
)
