"""The work behind the model commands of the CLI (``bargain``, ``landscape``, ``balance``).

Kept apart from :mod:`realpolitik.cli.main` so that the CLI module imports nothing heavy at start-up.
Each function returns the JSON-ready data and the readable lines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from realpolitik.errors import ScenarioError


def _is_ktab(path: str) -> bool:
    return Path(path).suffix.lower() in (".csv", ".xml")


class _Bargainers:
    """Who bargains: names, capabilities, positions and saliences on 0-100, and dimensions
    (a plain class: a dataclass costs a millisecond to create when the CLI starts)."""

    __slots__ = ("title", "names", "cap", "pos", "sal", "dims", "ktab")

    def __init__(
        self,
        title: str,
        names: list[str],
        cap: Any,
        pos: Any,
        sal: Any,
        dims: list[str],
        ktab: Any = None,  # the imported KTAB scenario, when read from a KTAB file
    ) -> None:
        self.title, self.names, self.cap, self.pos, self.sal = title, names, cap, pos, sal
        self.dims, self.ktab = dims, ktab


def _ktab_bargainers(input_file: str) -> _Bargainers:
    from realpolitik.scenario.importers.ktab import load_ktab

    k = load_ktab(input_file)
    return _Bargainers(
        k.name,
        list(k.actor_names),
        k.capabilities,
        k.positions,
        k.saliences,
        list(k.dimension_names),
        ktab=k,
    )


def _scenario_bargainers(input_file: str, actor: str | None) -> _Bargainers:
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
    return _Bargainers(
        f"{s.title}: factions of {s.actor(parent).label}", names, cap, pos, sal, dims
    )


def _smp_command(b: _Bargainers, seed: int) -> tuple[dict[str, Any], list[str]]:
    import numpy as np

    # the SMP module alone (the package would also load the BDM); the command prints neither
    # the per-state winning probabilities of positions, so they are not computed
    from realpolitik.models.bargaining.smp import run_smp, run_smp_scenario

    if b.ktab is not None:
        res = run_smp_scenario(
            b.ktab,
            rng=b.ktab.seed if b.ktab.seed is not None else seed,
            record_probabilities=False,
        )
    else:
        res = run_smp(
            b.cap,
            b.pos,
            b.sal,
            rng=seed,
            actor_names=b.names,
            dimension_names=b.dims,
            record_probabilities=False,
        )
    data = res.to_dict()
    fc = data["forecast"]
    lines = [
        f"{b.title}: KTAB spatial model of politics, {len(b.names)} actors, {len(b.dims)} "
        f"dimension(s); {'converged' if res.converged else 'did not converge'} after "
        f"{res.positions.shape[0] - 1} turns."
    ]
    for j, d in enumerate(b.dims):
        start = np.average(b.pos[:, j], weights=b.cap * b.sal[:, j])
        lines.append(
            f"  {d}: weighted mean {fc['weighted_mean'][j]:.2f}, median "
            f"{fc['median'][j]:.2f} (start {start:.2f})"
        )
    return data, lines


def _bdm_command(b: _Bargainers, dimension: str | None) -> tuple[dict[str, Any], list[str]]:
    from realpolitik.models.bargaining import BDMOptions, run_bdm

    if dimension is not None and dimension not in b.dims:
        raise ScenarioError.single(
            f"unknown dimension {dimension!r}",
            path="--dimension",
            expected="one of " + ", ".join(b.dims),
            got=dimension,
        )
    j = b.dims.index(dimension) if dimension in b.dims else 0
    bdm = run_bdm(
        b.cap,
        b.pos[:, j],
        b.sal[:, j] / 100.0,
        0.0,
        100.0,
        options=BDMOptions(),
        actor_names=b.names,
    )
    state = (
        "oscillating" + (f" (cycle of {bdm.cycle_length})" if bdm.cycle_length else "")
        if bdm.oscillating
        else "converged"
        if bdm.converged
        else "not converged"
    )
    lines = [
        f"{b.title}: Bueno de Mesquita expected-utility model on {b.dims[j]}, {len(b.names)} "
        f"actors: {state}.",
        "  weighted mean by round: " + " ".join(f"{v:.2f}" for v in bdm.weighted_mean),
        "  median by round:        " + " ".join(f"{v:.2f}" for v in bdm.median),
    ]
    return bdm.to_dict(), lines


def bargain_command(
    input_file: str, model: str, actor: str | None, dimension: str | None, seed: int
) -> tuple[dict[str, Any], list[str]]:
    """Run SMP or BDM on a KTAB file or on the factions of a scenario."""
    from realpolitik.scenario.importers.bdm_table import is_bdm_table

    if input_file.lower().endswith(".csv") and is_bdm_table(input_file):
        return _bdm_table_command(input_file, model)
    b = (
        _ktab_bargainers(input_file)
        if _is_ktab(input_file)
        else _scenario_bargainers(input_file, actor)
    )
    return _smp_command(b, seed) if model == "smp" else _bdm_command(b, dimension)


def _bdm_table_command(input_file: str, model: str) -> tuple[dict[str, Any], list[str]]:
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
    bdm = run_bdm(
        t.capabilities,
        t.positions,
        t.saliences,
        float(t.positions.min()),
        float(t.positions.max()),
        options=BDMOptions(),
        actor_names=list(t.actor_names),
    )
    state = (
        "oscillating" + (f" (cycle of {bdm.cycle_length})" if bdm.cycle_length else "")
        if bdm.oscillating
        else "converged"
        if bdm.converged
        else "not converged"
    )
    lines = [
        f"{Path(input_file).name}: Bueno de Mesquita expected-utility model on {t.issue}, "
        f"{len(t.actor_names)} actors: {state}.",
        "  weighted mean by round: " + " ".join(f"{v:.2f}" for v in bdm.weighted_mean),
        "  median by round:        " + " ".join(f"{v:.2f}" for v in bdm.median),
    ]
    return bdm.to_dict(), lines


def landscape_command(
    input_file: str,
    k: int,
    others: int,
    field: bool,
    method: Literal["auto", "exact", "heuristic"],
    seed: int,
    propensity_file: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Landscape theory on a scenario, or on an Axelrod-Furnas CSV pair: all local minima with
    basins, sorted by energy."""
    if propensity_file is not None or Path(input_file).suffix.lower() == ".csv":
        summary, lines = _landscape_csv_pair(input_file, propensity_file, k, others, method, seed)
    else:
        from realpolitik.models.adapters.alignment import landscape_analysis
        from realpolitik.report import landscape
        from realpolitik.scenario import load

        s = load(input_file)
        result = landscape_analysis(
            s, k=k, best_others=others, field=field, method=method, seed=seed
        )
        summary = result.to_summary()
        lines = [f"{s.title}: landscape theory", *landscape.lines(result)]
    if not others:
        summary["configurations"] = [c for c in summary["configurations"] if c["local_minimum"]]
    return summary, lines


def _landscape_csv_pair(
    actors_file: str,
    propensity_file: str | None,
    k: int,
    others: int,
    method: Literal["auto", "exact", "heuristic"],
    seed: int,
) -> tuple[dict[str, Any], list[str]]:
    """The landscape of an Axelrod-Furnas pair, read without building a scenario (fast)."""
    import numpy as np

    from realpolitik.models.landscape import landscape, landscape_summary
    from realpolitik.report.landscape import search_lines
    from realpolitik.scenario.importers.axelrod_furnas import read_axelrod_furnas

    if propensity_file is None:
        raise ScenarioError.single(
            "an Axelrod-Furnas actors CSV needs its propensity CSV after it",
            file=actors_file,
            expected="realpolitik landscape ACTORS.csv PROPENSITY.csv",
            got="one file",
        )
    names, sizes, p = read_axelrod_furnas(actors_file, propensity_file)
    best = others if len(names) <= 26 and k == 2 else 0
    result = landscape(
        np.asarray(sizes, float),
        np.asarray(p, float),
        actors=names,
        k=k,
        method=method,
        best_others=best,
        rng=seed,
    )
    summary = landscape_summary(result)
    title = f"{Path(actors_file).name} and {Path(propensity_file).name}: landscape theory"
    return summary, [title, *search_lines(result, summary["configurations"], {})]


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
    """The references of the models a scenario uses (every reference when ``scenario`` is None),
    read from the models' registry entries, and the experiment layer's."""
    from realpolitik.experiment.scenario_run import analyses_for
    from realpolitik.models import registry
    from realpolitik.references import EXPERIMENT_REFERENCES, references_for

    if scenario is None:
        return references_for(None)
    keys = {k for n in analyses_for(scenario) for k in registry.get(n).references}
    return references_for(keys | set(EXPERIMENT_REFERENCES))
