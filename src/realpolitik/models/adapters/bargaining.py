"""Registry entry for stakeholder bargaining: factions of an actor bargain over its orientation."""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.models.registry import Analysis, AnalysisContext, ModelSpec, register
from realpolitik.scenario.model import Scenario


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
    samples: dict[str, np.ndarray] | None = None,
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

    cap = np.stack([arr(f"actors.{f.id}.size") for f in factions], axis=-1)
    pos = np.empty((B, len(factions), len(dims)))
    sal = np.empty((B, len(factions), len(dims)))
    for j, d in enumerate(dims):
        lo, hi = scenario.spec.dimensions[d].range
        for i, f in enumerate(factions):
            pos[:, i, j] = (arr(f"actors.{f.id}.position.{d}") - lo) / (hi - lo) * 100.0
            sal[:, i, j] = (
                arr(f"actors.{f.id}.salience.{d}") * 100.0
                if d in f.salience
                else np.full(B, 100.0 / len(dims))
            )
    if size is None:
        return names, cap[0], pos[0], sal[0]
    return names, cap, pos, sal


def _to_range(scenario: Scenario, dim: str, x: np.ndarray) -> np.ndarray:
    lo, hi = scenario.spec.dimensions[dim].range
    return lo + np.asarray(x) / 100.0 * (hi - lo)


def analyze(scenario: Scenario, ctx: AnalysisContext) -> Analysis:
    from realpolitik.models.bargaining import BDMOptions, run_bdm, run_smp

    summary: dict[str, Any] = {}
    lines: list[str] = []
    tables = {}
    for parent, dims in faction_groups(scenario):
        names, cap, pos, sal = faction_arrays(scenario, parent, dims)
        smp = run_smp(cap, pos, sal, rng=ctx.seed, actor_names=names, dimension_names=dims)
        fc = smp.forecast()
        entry: dict[str, Any] = {"factions": names, "dimensions": {}}
        label = scenario.actor(parent).label
        lines.append(f"{label}: {len(names)} factions bargain ({', '.join(names)})")
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
            smp_mean = float(_to_range(scenario, d, fc["weighted_mean"][j]))
            smp_median = float(_to_range(scenario, d, fc["median"][j]))
            entry["dimensions"][d] = {
                "start_weighted_mean": float(np.sum(w * start) / np.sum(w)),
                "smp": {
                    "weighted_mean": smp_mean,
                    "median": smp_median,
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
            dim = scenario.spec.dimensions[d]
            e = entry["dimensions"][d]
            lines.append(
                f"  {d} ({dim.range[0]:g} = {dim.low}; {dim.range[1]:g} = {dim.high}): start "
                f"{e['start_weighted_mean']:.1f}; SMP forecast {smp_mean:.1f} "
                f"({'converged' if smp.converged else 'not converged'} in {e['smp']['turns']} turns); "
                f"BDM {e['bdm']['weighted_mean']:.1f} "
                f"({'oscillating' if bdm.oscillating else 'converged' if bdm.converged else 'not converged'})"
            )
        summary[parent] = entry
        tables[f"{parent} faction positions (SMP)"] = smp.history_frame()
    return Analysis("bargaining", summary, tables=tables, lines=lines)


SPEC = register(
    ModelSpec(
        name="bargaining",
        title="Stakeholder bargaining (KTAB SMP, Bueno de Mesquita)",
        summary="Factions of an actor bargain over its orientation; the outcome sets its domestic stance.",
        analyze=analyze,
        stochastic=False,
        min_actors=1,
        outputs=("weighted_mean", "median", "converged"),
        references=("ktab2017", "bdm1994forecasting", "scholz2011unravelling"),
        applies=lambda s: bool(faction_groups(s)),
    )
)
