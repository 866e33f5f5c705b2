"""The work behind the model commands of the CLI (``bargain``, ``landscape``, ``balance``).

Kept apart from :mod:`realpolitik.cli.main` so that the CLI module imports nothing heavy at start-up.
Each function returns the JSON-ready data and the readable lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realpolitik.errors import ScenarioError


def _is_ktab(path: str) -> bool:
    return Path(path).suffix.lower() in (".csv", ".xml")


def bargain_command(
    input_file: str, model: str, actor: str | None, dimension: str | None, seed: int
) -> tuple[dict[str, Any], list[str]]:
    """Run SMP or BDM on a KTAB file or on the factions of a scenario."""
    import numpy as np

    from realpolitik.models.bargaining import BDMOptions, run_bdm, run_smp, run_smp_scenario
    from realpolitik.scenario.importers.bdm_table import is_bdm_table

    if input_file.lower().endswith(".csv") and is_bdm_table(input_file):
        return _bargain_bdm_table(input_file, model, dimension)
    if _is_ktab(input_file):
        from realpolitik.scenario.importers.ktab import load_ktab

        k = load_ktab(input_file)
        names, cap, pos, sal, dims = (
            list(k.actor_names),
            k.capabilities,
            k.positions,
            k.saliences,
            list(k.dimension_names),
        )
        lo, hi = 0.0, 100.0
        title = k.name
        if model == "smp":
            res = run_smp_scenario(k, rng=k.seed if k.seed is not None else seed)
    else:
        from realpolitik.models.adapters.bargaining import faction_arrays, faction_groups
        from realpolitik.scenario import load

        s = load(input_file)
        groups = dict(faction_groups(s))
        if not groups:
            raise ScenarioError.single(
                "no actor in this scenario has two or more factions with positions",
                file=s.file,
                path="actors",
                expected="factions (kind: faction, parent, position)",
                got="none",
            )
        parent = actor or next(iter(groups))
        if parent not in groups:
            raise ScenarioError.single(
                f"actor {parent!r} has no positioned factions",
                file=s.file,
                path="--actor",
                expected="one of " + ", ".join(groups),
                got=parent,
            )
        dims = groups[parent]
        names, cap, pos, sal = faction_arrays(s, parent, dims)
        lo, hi = 0.0, 100.0
        title = f"{s.title}: factions of {s.actor(parent).label}"
        if model == "smp":
            res = run_smp(cap, pos, sal, rng=seed, actor_names=names, dimension_names=dims)
    if model == "smp":
        data = res.to_dict()
        fc = data["forecast"]
        lines = [
            f"{title}: KTAB spatial model of politics, {len(names)} actors, {len(dims)} "
            f"dimension(s); {'converged' if res.converged else 'did not converge'} after "
            f"{res.positions.shape[0] - 1} turns."
        ]
        for j, d in enumerate(dims):
            lines.append(
                f"  {d}: weighted mean {fc['weighted_mean'][j]:.2f}, median "
                f"{fc['median'][j]:.2f} (start {np.average(pos[:, j], weights=cap * sal[:, j]):.2f})"
            )
        return data, lines
    j = dims.index(dimension) if dimension in dims else 0
    if dimension is not None and dimension not in dims:
        raise ScenarioError.single(
            f"unknown dimension {dimension!r}",
            path="--dimension",
            expected="one of " + ", ".join(dims),
            got=dimension,
        )
    res = run_bdm(
        cap, pos[:, j], sal[:, j] / 100.0, lo, hi, options=BDMOptions(), actor_names=names
    )
    return _bdm_output(res, title, dims[j], len(names))


def _bargain_bdm_table(
    input_file: str, model: str, dimension: str | None
) -> tuple[dict[str, Any], list[str]]:
    """BDM on the classic actor table (Actor, Capability, Position, Salience)."""
    from realpolitik.models.bargaining import BDMOptions, run_bdm
    from realpolitik.scenario.importers.bdm_table import read_bdm_table

    if model != "bdm":
        raise ScenarioError.single(
            "a Bueno de Mesquita actor table (Actor, Capability, Position, Salience) runs with "
            "--model bdm",
            file=input_file,
            path="--model",
            expected="bdm",
            got=model,
        )
    t = read_bdm_table(input_file)
    lo, hi = float(t.positions.min()), float(t.positions.max())
    res = run_bdm(
        t.capabilities,
        t.positions,
        t.saliences,
        lo,
        hi,
        options=BDMOptions(),
        actor_names=list(t.actor_names),
    )
    return _bdm_output(res, f"{Path(input_file).name}", t.issue, len(t.actor_names))


def _bdm_output(res, title: str, issue: str, n: int) -> tuple[dict[str, Any], list[str]]:
    state = (
        "oscillating" + (f" (cycle of {res.cycle_length})" if res.cycle_length else "")
        if res.oscillating
        else "converged"
        if res.converged
        else "not converged"
    )
    lines = [
        f"{title}: Bueno de Mesquita expected-utility model on {issue}, {n} actors: {state}.",
        "  weighted mean by round: " + " ".join(f"{v:.2f}" for v in res.weighted_mean),
        "  median by round:        " + " ".join(f"{v:.2f}" for v in res.median),
    ]
    return res.to_dict(), lines


def landscape_command(
    input_file: str, k: int, others: int, field: bool, method: str, seed: int
) -> tuple[dict[str, Any], list[str]]:
    """Landscape theory on a scenario: all local minima with basins, sorted by energy."""
    from realpolitik.models.adapters.alignment import landscape_analysis
    from realpolitik.report import landscape
    from realpolitik.scenario import load

    s = load(input_file)
    result = landscape_analysis(s, k=k, best_others=others, field=field, method=method, seed=seed)
    summary = result.to_summary()
    if not others:
        summary["configurations"] = [c for c in summary["configurations"] if c["local_minimum"]]
    return summary, [f"{s.title}: landscape theory", *landscape.lines(result)]


def balance_command(input_file: str, neutral: float) -> tuple[dict[str, Any], list[str]]:
    """Structural balance and triangles of a scenario or of a CSV of signed edges."""
    from realpolitik.models.balance import balance_summary

    if Path(input_file).suffix.lower() == ".csv":
        from realpolitik.scenario.importers.signed_edges import read_signed_edges

        names, S = read_signed_edges(input_file)
        title = Path(input_file).name
    else:
        from realpolitik.scenario import load

        s = load(input_file)
        names, S = list(s.actor_ids), s.signed_matrix(neutral=neutral)
        title = s.title
    from realpolitik.report.balance import census_line, factions_line

    data = balance_summary(S, names)
    lines = [f"{title}: {len(names)} actors.", census_line(data)]
    for t in data["triangles"]:
        roles = ", ".join(f"{a} {r}" for a, r in t["roles"].items())
        lines.append(f"  {'/'.join(t['actors'])}: {t['configuration']} ({roles})")
    factions = factions_line(data, {})
    if factions:
        lines.append(factions)
    return data, lines


def cited_references(scenario: Any = None) -> list[Any]:
    """The references of the models a scenario uses (every model's when ``scenario`` is None),
    read from the models' registry entries, and the experiment layer's."""
    from realpolitik.experiment.scenario_run import analyses_for
    from realpolitik.models import registry
    from realpolitik.references import REFERENCES, references_for

    if scenario is None:
        return references_for(None)
    names = analyses_for(scenario)
    keys = {k for n in names for k in registry.get(n).references}
    by_key = {r.key: r for r in REFERENCES}
    cited = [by_key[k] for k in sorted(keys, key=list(by_key).index) if k in by_key]
    return cited + [r for r in references_for(["experiment"]) if r.key not in keys]
