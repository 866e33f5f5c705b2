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


def _analyze(scenario: Any, model: str, seed: int = 0, **options: Any) -> Any:
    """The registered ``model``'s point result on ``scenario``, with ``options`` in its context."""
    from realpolitik.models import registry
    from realpolitik.models.registry import AnalysisContext

    return registry.get(model).analyze(scenario, AnalysisContext(seed=seed, options=options))


def _smp_lines(title: str, smp: Any, start_positions: Any) -> list[str]:
    """The SMP run's outcome per dimension: weighted mean and median, from the start (the
    positions given, on 0-100)."""
    import numpy as np

    weights = smp.capabilities[:, None] * smp.saliences
    starts = [
        float(np.average(start_positions[:, j], weights=weights[:, j]))
        for j in range(len(smp.dimension_names))
    ]
    return smp_summary_lines(title, smp, starts)


def smp_summary_lines(title: str, smp: Any, starts: list[float]) -> list[str]:
    """The lines ``bargain`` prints for an SMP run (NumPy's or the plain one): convergence, and
    per dimension the weighted mean and median at the end and the weighted mean at the start."""
    fc = smp.forecast()
    n, d = len(smp.actor_names), len(smp.dimension_names)
    lines = [
        f"{title}: KTAB spatial model of politics, {n} actors, {d} dimension(s); "
        f"{'converged' if smp.converged else 'did not converge'} after "
        f"{smp.turns} turns."
    ]
    for j, name in enumerate(smp.dimension_names):
        lines.append(
            f"  {name}: weighted mean {fc['weighted_mean'][j]:.2f}, median "
            f"{fc['median'][j]:.2f} (start {starts[j]:.2f})"
        )
    return lines


#: Environment variable: the most actors for which ``bargain`` runs the plain-Python SMP (0: never),
#: for benchmarks and comparisons; unset or not a whole number, the package's bound applies.
PLAIN_ACTORS_VARIABLE = "REALPOLITIK_SMP_PLAIN_MAX_ACTORS"


def plain_max_actors(default: int) -> int:
    """The plain path's actor bound: :data:`PLAIN_ACTORS_VARIABLE` if set to a whole number."""
    import os

    text = os.environ.get(PLAIN_ACTORS_VARIABLE, "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else default


def plain_ktab_smp(input_file: str) -> tuple[dict[str, Any], list[str]] | None:
    """``bargain`` (SMP) on a KTAB CSV file by the plain-Python SMP, with neither NumPy nor Click:
    the summary and lines, or None when the file is not a KTAB CSV or the plain path does not
    cover it (more actors than :data:`~realpolitik.models.bargaining.smp_plain.PLAIN_MAX_ACTORS`,
    or than :data:`PLAIN_ACTORS_VARIABLE` says).
    The results are the NumPy path's to the last bit. Bad input raises as :func:`load_ktab` does.
    """
    from realpolitik.scenario.importers.bdm_table import is_bdm_table

    if Path(input_file).suffix.lower() != ".csv" or is_bdm_table(input_file):
        return None
    from realpolitik.models.bargaining.smp_options import SMPOptions
    from realpolitik.models.bargaining.smp_plain import (
        PLAIN_MAX_ACTORS,
        PlainUnsupported,
        plain_supported,
        run_smp_plain,
        weighted_average,
    )
    from realpolitik.scenario.importers.ktab import read_ktab_csv_table

    t = read_ktab_csv_table(input_file)
    opt = SMPOptions()  # a CSV file carries no model parameters: KTAB's defaults
    most = plain_max_actors(PLAIN_MAX_ACTORS)
    if not plain_supported(opt, len(t.actor_names), most):
        return None
    try:
        smp = run_smp_plain(
            t.capabilities,
            t.positions,
            t.saliences,
            opt,
            actor_names=t.actor_names,
            dimension_names=t.dimension_names,
            max_actors=most,
        )
    except PlainUnsupported:
        return None
    starts = []
    for j in range(len(t.dimension_names)):
        w = [c * s[j] for c, s in zip(t.capabilities, t.saliences, strict=True)]
        starts.append(weighted_average([p[j] for p in t.positions], w))
    return smp.to_dict(), smp_summary_lines(t.name, smp, starts)


def _bdm_lines(heading: str, bdm: Any) -> list[str]:
    """A BDM run: its state (converged, oscillating, ...) and the weighted mean and median by
    round."""
    state = (
        "oscillating" + (f" (cycle of {bdm.cycle_length})" if bdm.cycle_length else "")
        if bdm.oscillating
        else "converged"
        if bdm.converged
        else "not converged"
    )
    return [
        f"{heading}: {state}.",
        "  weighted mean by round: " + " ".join(f"{v:.2f}" for v in bdm.weighted_mean),
        "  median by round:        " + " ".join(f"{v:.2f}" for v in bdm.median),
    ]


def _bdm_heading(title: str, dimension: str, n_actors: int) -> str:
    return f"{title}: Bueno de Mesquita expected-utility model on {dimension}, {n_actors} actors"


def _checked_dimension(dimension: str | None, dims: list[str]) -> int:
    """The index of ``--dimension`` among ``dims`` (the first when not given)."""
    if dimension is not None and dimension not in dims:
        raise ScenarioError.single(
            f"unknown dimension {dimension!r}",
            path="--dimension",
            expected="one of " + ", ".join(dims),
            got=dimension,
        )
    return dims.index(dimension) if dimension in dims else 0


def _ktab_command(
    input_file: str, model: str, dimension: str | None, seed: int, use_plain: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """SMP (with the file's own parameters and seed) or BDM on a KTAB file, read without
    building a scenario (so the command needs neither YAML nor the scenario schema). A small
    CSV file runs the plain-Python SMP (:func:`plain_ktab_smp`) unless ``use_plain`` is False."""
    from realpolitik.scenario.importers.ktab import load_ktab

    if model == "smp" and use_plain:
        answer = plain_ktab_smp(input_file)
        if answer is not None:
            return answer
    k = load_ktab(input_file)
    if model == "smp":
        # the SMP module alone (the package would also load the BDM); the command does not print
        # the per-state winning probabilities of positions, so they are not computed
        from realpolitik.models.bargaining.smp import run_smp_scenario

        rng = k.seed if k.seed is not None else seed
        smp = run_smp_scenario(k, rng=rng, record_probabilities=False)
        return smp.to_dict(), _smp_lines(k.name, smp, k.positions)
    from realpolitik.models.bargaining.bdm import BDMOptions, run_bdm

    dims = list(k.dimension_names)
    j = _checked_dimension(dimension, dims)
    bdm = run_bdm(
        k.capabilities,
        k.positions[:, j],
        k.saliences[:, j] / 100.0,
        0.0,
        100.0,
        options=BDMOptions(),
        actor_names=list(k.actor_names),
    )
    return bdm.to_dict(), _bdm_lines(_bdm_heading(k.name, dims[j], len(k.actor_names)), bdm)


def _scenario_command(
    input_file: str, model: str, actor: str | None, dimension: str | None, seed: int
) -> tuple[dict[str, Any], list[str]]:
    """SMP or BDM on the factions of one actor of a scenario, through the registry's
    ``bargaining`` model (which runs both on every actor with factions)."""
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
    j = _checked_dimension(dimension, dims) if model == "bdm" else 0
    result = _analyze(s, "bargaining", seed)
    title = f"{s.title}: factions of {s.actor(parent).label}"
    if model == "smp":
        smp = result.histories[parent]
        _, _, positions, _ = faction_arrays(s, parent, dims)
        return smp.to_dict(), _smp_lines(title, smp, positions)
    bdm = result.bdm_histories[parent][dims[j]]
    heading = _bdm_heading(title, dims[j], len(bdm.actor_names))
    return bdm.to_dict(), _bdm_lines(heading, bdm)


def bargain_command(
    input_file: str, model: str, actor: str | None, dimension: str | None, seed: int
) -> tuple[dict[str, Any], list[str]]:
    """Run SMP or BDM on a KTAB file or on the factions of a scenario."""
    from realpolitik.scenario.importers.bdm_table import is_bdm_table

    if input_file.lower().endswith(".csv") and is_bdm_table(input_file):
        return _bdm_table_command(input_file, model)
    if _is_ktab(input_file):
        return _ktab_command(input_file, model, dimension, seed)
    return _scenario_command(input_file, model, actor, dimension, seed)


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
    heading = _bdm_heading(Path(input_file).name, t.issue, len(t.actor_names))
    return bdm.to_dict(), _bdm_lines(heading, bdm)


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
        from realpolitik.report import landscape
        from realpolitik.scenario import load

        s = load(input_file)
        result = _analyze(s, "landscape", seed, k=k, best_others=others, field=field, method=method)
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
    if Path(input_file).suffix.lower() == ".csv":
        from realpolitik.models.balance import balance_summary
        from realpolitik.scenario.importers.signed_edges import read_signed_edges

        names, S = read_signed_edges(input_file)
        title = Path(input_file).name
        data = balance_summary(S, names)
    else:
        from realpolitik.scenario import load

        s = load(input_file)
        names, title = list(s.actor_ids), s.title
        data = dict(_analyze(s, "balance", neutral=neutral).summary)
    from realpolitik.report.balance import census_line, factions_line

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
