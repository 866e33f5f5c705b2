"""The ``realpolitik`` command.

Only :mod:`click` is imported at start-up; every command imports what it needs when it runs, so
``realpolitik --help`` stays fast. Bad input never shows a traceback: it prints what is wrong,
where, and exits with status 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Literal

import click

from realpolitik.cli.blas_threads import one_blas_thread
from realpolitik.cli.options import (
    MAX_DRAWS,
    SEED,
    WORKERS,
    cluster_address,
    json_option,
    parallel_options,
    system_error_message,
)

EXIT_BAD_INPUT = 2


def _version() -> str:
    from realpolitik.version import __version__

    return __version__


def _echo_json(data: Any) -> None:
    from realpolitik.jsonio import dumps

    click.echo(dumps(data))


def _load(source: str):
    from realpolitik.scenario import load

    return load(source)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(version=None, package_name="realpolitik", message="realpolitik %(version)s")
def cli() -> None:
    """realpolitik: explicit, reproducible models of great-power alignment.

    Write a scenario (actors, relations, levers, uncertainties) in YAML, then run the classic
    alignment models and the realignment model over it. Start with `realpolitik examples` and
    `realpolitik run reverse-kissinger`.
    """


# ------------------------------------------------------------------------------------------------
# scenarios


@cli.command()
@click.argument("files", nargs=-1, required=True)
def validate(files: tuple[str, ...]) -> None:
    """Check scenario FILES (paths or shipped example names); exit 2 if any is invalid."""
    from realpolitik.errors import ScenarioError

    bad = 0
    for f in files:
        try:
            s = _load(f)
        except ScenarioError as exc:
            bad += 1
            click.echo(f"{f}: invalid, {exc}", err=True)
            continue
        n_unc = len(s.uncertainties())
        click.echo(
            f"{f}: valid ({len(s.spec.actors)} actors, {len(s.spec.relations)} relations, "
            f"{len(s.spec.levers)} levers, {n_unc} uncertainties)"
        )
    if bad:
        sys.exit(EXIT_BAD_INPUT)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def examples(as_json: bool) -> None:
    """List the scenarios shipped with realpolitik."""
    from realpolitik.scenario.examples import list_examples

    rows = []
    for name, path in list_examples().items():
        s = _load(str(path))
        rows.append({"name": name, "title": s.title, "year": s.spec.year, "path": str(path)})
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        click.echo(f"{r['name']:<20} {r['year'] or '':<6} {r['title']}")
    click.echo(
        "\nRun one with: realpolitik run NAME   (copy one with: realpolitik show NAME > my.yaml)"
    )


@cli.command()
@click.argument("name")
def show(name: str) -> None:
    """Print the YAML of a shipped example (to copy and edit)."""
    from realpolitik.errors import ScenarioError
    from realpolitik.scenario.examples import example_path

    path = example_path(name)
    if path is None:
        raise ScenarioError.single(
            f"no shipped example named {name!r}",
            expected="a name listed by `realpolitik examples`",
            got=name,
        )
    click.echo(path.read_text(encoding="utf-8"), nl=False)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editors)."""
    from realpolitik.scenario.jsonschema import scenario_json_schema

    _echo_json(scenario_json_schema())


@cli.command()
@click.argument("scenario", required=False)
@click.option("--bibtex", is_flag=True, help="BibTeX instead of plain text.")
def cite(scenario: str | None, bibtex: bool) -> None:
    """References for the models (those a SCENARIO uses, or all)."""
    from realpolitik.cli.models import cited_references

    for ref in cited_references(_load(scenario) if scenario else None):
        click.echo(ref.bibtex() if bibtex else ref.text())
        click.echo("")


# ------------------------------------------------------------------------------------------------
# running


@cli.command()
@click.argument("scenario")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Root seed of every draw.")
@click.option(
    "--draws",
    type=click.IntRange(min=0, max=MAX_DRAWS),
    default=0,
    show_default=True,
    help="Monte Carlo draws over the scenario's uncertainties (0: point values only).",
)
@click.option(
    "-o",
    "--out",
    "--output",
    "out",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder for summary.json and report.html [default: ./realpolitik-out/NAME].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option(
    "--workers",
    type=WORKERS,
    default=None,
    help="Worker processes for draws [default: all cores].",
)
@click.option(
    "--cluster",
    default=None,
    callback=cluster_address,
    help="Dask scheduler address (tcp://HOST:PORT), or 'local' for a LocalCluster.",
)
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    default=None,
    help="Results store folder [default: OUT/store].",
)
@click.option(
    "--resume", is_flag=True, help="Resume an interrupted run with the same scenario and seed."
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1, max=MAX_DRAWS),
    default=None,
    help="Draws per batch.",
)
@click.option("--no-report", is_flag=True, help="Skip report.html.")
@click.option(
    "--analyses", default=None, help="Comma-separated models to run (default: all that apply)."
)
@click.option(
    "--figures",
    "figure_formats",
    default=None,
    metavar="FORMATS",
    help="Also write the report's figures as static files (png,svg,pdf) to OUT/figures.",
)
@click.option(
    "--store-inputs",
    is_flag=True,
    help="Store every draw's inputs too (default: regenerated from the batch seeds when read).",
)
def run(
    scenario: str,
    seed: int,
    draws: int,
    out: str | None,
    as_json: bool,
    workers: int | None,
    cluster: str | None,
    store: str | None,
    resume: bool,
    batch_size: int | None,
    no_report: bool,
    analyses: str | None,
    figure_formats: str | None,
    store_inputs: bool,
) -> None:
    """Run every model that applies to SCENARIO (a file or a shipped example's name).

    Writes OUT/summary.json and OUT/report.html and prints a readable summary; with --figures,
    also the report's figures as files for papers (Kaleido and a local Chromium).
    """
    from contextlib import ExitStack

    # The report is written by a helper forked once the scenario schema is imported, which
    # imports Plotly while this process runs the models (see realpolitik.report.write).
    with ExitStack() as stack:
        stack.callback(_stop_forking_workers)
        helper_stack = None if no_report or figure_formats else stack
        _run(**click.get_current_context().params, helper_stack=helper_stack)


def _run(
    scenario: str,
    seed: int,
    draws: int,
    out: str | None,
    as_json: bool,
    workers: int | None,
    cluster: str | None,
    store: str | None,
    resume: bool,
    batch_size: int | None,
    no_report: bool,
    analyses: str | None,
    figure_formats: str | None,
    store_inputs: bool,
    helper_stack: Any,
) -> None:
    """The work of :func:`run`; with ``helper_stack`` (an ExitStack), a ReportProcess forked
    before the scenario is loaded writes report.html (and is reaped when the stack closes)."""
    from realpolitik.cli.outputs import keep_previous_outputs

    if figure_formats is not None:
        from realpolitik.cli.figures import checked_formats

        kinds = checked_formats(figure_formats)  # bad formats or no browser: say so first
    helper = _start_helpers(helper_stack, draws, cluster is None and workers != 1)
    s = _load(scenario)
    out_dir = Path(out) if out else Path("realpolitik-out") / s.name
    if draws and not as_json:
        click.echo(
            f"Running {s.name}: every model on the point values, then {draws:,} draws"
            + (" (resuming)" if resume else "")
            + ", then sensitivity and discovery on the draws.",
            err=True,
        )
    kept = keep_previous_outputs(out_dir)  # an earlier run's files go to OUT/previous/RUN_ID
    result = s.run(
        draws=draws,
        seed=seed,
        out=out_dir,
        store=Path(store) if store else out_dir / "store",
        models=tuple(a.strip() for a in analyses.split(",")) if analyses else None,
        workers=workers,
        cluster=cluster,
        batch_size=batch_size,
        resume=resume,
        report=not no_report and helper is None,
        progress=not as_json,
        store_inputs=store_inputs,
    )
    if helper is not None:
        helper.write(result, out_dir)  # the helper writes report.html while we print
    if kept is not None:
        click.echo(f"Kept the previous run's outputs in {kept}", err=True)
    if as_json:
        _echo_json(result.summary)
    else:
        from realpolitik.report.console import print_summary

        print_summary(result)
    if helper is not None:
        helper.wait()
    if not as_json:
        click.echo(
            f"\nWrote {out_dir / 'summary.json'}"
            + ("" if no_report else f" and {out_dir / 'report.html'}")
        )
    if figure_formats is None:
        global _EXIT_AT_ONCE
        _EXIT_AT_ONCE = True
    if figure_formats is not None:
        from realpolitik.cli.figures import write_run_figures

        written = write_run_figures(result, out_dir / "figures", kinds)
        click.echo(f"Wrote {len(written)} figure files to {out_dir / 'figures'}", err=as_json)


def _stop_forking_workers() -> None:
    """After a run, pools made in this process (the CLI called from Python) use the fork server
    again; nothing is imported for a run that forked no workers."""
    executors = sys.modules.get("realpolitik.experiment.executors")
    if executors is not None:
        executors.stop_forking_workers_here()


def _start_helpers(helper_stack: Any, draws: int, local_workers: bool) -> Any:
    """The report's helper (into ``helper_stack``, unless None), then, for draws on local
    workers, what they need imported here: the helper imports Plotly (and, for draws, pandas)
    on the other core meanwhile. Returns the helper (None without one)."""
    helper = None if helper_stack is None else _start_report_helper(helper_stack, bool(draws))
    if draws and local_workers:
        from realpolitik.experiment.scenario_run import start_draw_workers
        from realpolitik.models.registry import BUILTIN

        start_draw_workers(sorted(set(BUILTIN.values())), fork=True)
    return helper


def _start_report_helper(stack: Any, draws: bool = False) -> Any:
    """Fork the report's helper (a ReportProcess, or None where it does not pay) into
    ``stack``, once the modules both processes need are loaded here: the helper shares them."""
    from realpolitik.report.write import ReportProcess, preload_shared_modules

    preload_shared_modules()
    helper = ReportProcess.start(draws)
    return None if helper is None else stack.enter_context(helper)


@cli.command()
@click.argument("input_file", metavar="INPUT")
@click.option("--model", type=click.Choice(["smp", "bdm"]), default="smp", show_default=True)
@click.option(
    "--actor", default=None, help="Whose factions bargain (scenario input; default: the first)."
)
@click.option("--dimension", default=None, help="Dimension for BDM (default: the first).")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def bargain(
    input_file: str, model: str, actor: str | None, dimension: str | None, seed: int, as_json: bool
) -> None:
    """Run KTAB's SMP or the Bueno de Mesquita model on INPUT.

    INPUT is a KTAB scenario (CSV or XML) or a realpolitik scenario with factions.
    """
    from realpolitik.cli.models import bargain_command

    data, lines = bargain_command(input_file, model, actor, dimension, seed)
    if as_json:
        _echo_json(data)
    else:
        click.echo("\n".join(lines))


@cli.command()
@click.argument("scenario")
@click.argument("propensity", required=False)
@click.option(
    "--k",
    "k",
    type=click.IntRange(min=2, max=6),
    default=2,
    show_default=True,
    help="Number of coalitions.",
)
@click.option(
    "--others",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also list this many of the best configurations that are not local minima.",
)
@click.option(
    "--field/--no-field",
    default=True,
    show_default=True,
    help="Also report the landscape with existing blocs as a field (Galam).",
)
@click.option(
    "--method", type=click.Choice(["auto", "exact", "heuristic"]), default="auto", show_default=True
)
@click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the heuristic.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def landscape(
    scenario: str,
    propensity: str | None,
    k: int,
    others: int,
    field: bool,
    method: Literal["auto", "exact", "heuristic"],
    seed: int,
    as_json: bool,
) -> None:
    """Landscape theory: every local minimum of SCENARIO's coalitions, with its basin.

    SCENARIO is a scenario file (or a shipped example's name), or an Axelrod-Furnas actors CSV
    (id, actor, strength) followed by its PROPENSITY CSV (raw 1-5 scale, p = raw - 3).
    """
    from realpolitik.cli.models import landscape_command

    data, lines = landscape_command(scenario, k, others, field, method, seed, propensity)
    if as_json:
        _echo_json(data)
    else:
        click.echo("\n".join(lines))


@cli.command()
@click.argument("input_file", metavar="INPUT")
@click.option(
    "--neutral",
    type=float,
    default=0.0,
    show_default=True,
    help="Propensities within this distance of zero count as no relation (scenarios).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def balance(input_file: str, neutral: float, as_json: bool) -> None:
    """Structural balance and strategic triangles of INPUT (a scenario, or a CSV source,target,sign)."""
    from realpolitik.cli.models import balance_command

    data, lines = balance_command(input_file, neutral)
    if as_json:
        _echo_json(data)
    else:
        click.echo("\n".join(lines))


# ------------------------------------------------------------------------------------------------
# data


@cli.group()
def data() -> None:
    """The standard IR datasets: where they live, how to cite and fetch them."""


@data.command("cite")
@click.argument("datasets", nargs=-1)
def data_cite(datasets: tuple[str, ...]) -> None:
    """Citations and licences of DATASETS (default: all)."""
    from realpolitik.data.citations import cite as cite_datasets

    click.echo(cite_datasets(*datasets))


@data.command("fetch")
@click.argument("datasets", nargs=-1)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Where to put them [default: $REALPOLITIK_DATA_DIR or the user data folder].",
)
@click.option(
    "--allow-unverified", is_flag=True, help="Keep files that have no published checksum."
)
def data_fetch(datasets: tuple[str, ...], data_dir: str | None, allow_unverified: bool) -> None:
    """Download the official releases of DATASETS (the only command that uses the network)."""
    import os

    from realpolitik.data import directory
    from realpolitik.data.fetch import fetch

    dest = Path(data_dir or os.environ.get(directory.ENV_VAR) or directory.user_data_dir())
    dest.mkdir(parents=True, exist_ok=True)
    for result in fetch(dest, list(datasets) or None, allow_unverified=allow_unverified):
        click.echo(
            f"{result.key}: {result.status}"
            + (f" ({result.path})" if result.path else "")
            + (f": {result.message}" if result.message else "")
        )


@data.command("path")
@click.option("--data-dir", type=click.Path(file_okay=False), default=None)
def data_path(data_dir: str | None) -> None:
    """Print the data folder in use."""
    from realpolitik.data.directory import data_dir as resolve_dir

    click.echo(str(resolve_dir(data_dir)))


@cli.group(name="scenario")
def scenario_group() -> None:
    """Build scenarios."""


@scenario_group.command("from-data")
@click.argument("actors", nargs=-1, required=True)
@click.option("--year", type=int, required=True)
@click.option("-o", "--out", "--output", "output", required=True, type=click.Path(dir_okay=False))
@click.option("--data-dir", type=click.Path(file_okay=False), default=None)
@click.option("--size", type=click.Choice(["cinc", "gdp"]), default="cinc", show_default=True)
def scenario_from_data_cmd(
    actors: tuple[str, ...], year: int, output: str, data_dir: str | None, size: str
) -> None:
    """A scenario of ACTORS (USA RUS CHN, or COW codes) in YEAR, measured from the IR datasets."""
    from realpolitik.data.from_data import scenario_from_data

    data = scenario_from_data(year, list(actors), data_dir=data_dir, size=size)
    _write_imported(data, output)


# ------------------------------------------------------------------------------------------------
# experiments


@cli.command()
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    default="realpolitik-out",
    show_default=True,
    help="A results store, or a folder holding stores (searched).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--repair",
    is_flag=True,
    help="Rebuild the catalogue of the store STORE from its runs' files (keeps the old one).",
)
def runs(store: str, as_json: bool, repair: bool) -> None:
    """List the runs in results stores."""
    from realpolitik.cli.experiments import list_runs_command, repair_command

    if repair:
        for line in repair_command(store):
            click.echo(line)
        click.echo(f"Rebuilt {Path(store) / 'catalogue.duckdb'}.")
        return
    skipped: list[str] = []
    frame = list_runs_command(store, skipped)
    for line in skipped:
        click.echo(f"warning: skipped {line}", err=True)
    if as_json:
        import json

        _echo_json(json.loads(frame.to_json(orient="records", date_format="iso")))
    elif frame.empty:
        click.echo(f"No runs under {store}.")
    else:
        view = frame[
            [
                c
                for c in (
                    "store",
                    "run_id",
                    "scenario",
                    "seed",
                    "draws",
                    "sampler",
                    "status",
                    "created",
                    "finished",
                )
                if c in frame.columns
            ]
        ].copy()
        if "inputs" in frame.columns:
            view["inputs"] = frame["inputs"].map(len)
        if "outcomes" in frame.columns:
            view["outcomes"] = frame["outcomes"].map(len)
        click.echo(view.to_string(index=False))
        click.echo("\n(--json lists every field: input paths, outcomes, scenario hash, version.)")


@cli.command()
@click.argument("run_id", metavar="RUN")
@click.argument("sql")
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    default="realpolitik-out",
    show_default=True,
    help="A results store, or a folder holding stores (searched).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Print at most this many rows.",
)
@click.option(
    "-o",
    "--out",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write every row to this file instead (.parquet, else CSV).",
)
def query(run_id: str, sql: str, store: str, as_json: bool, limit: int, output: str | None) -> None:
    """Run one SELECT over a run's draws (the table is called `draws`)."""
    from realpolitik.cli.experiments import query_command

    frame, more = query_command(store, run_id, sql, limit=limit, output=output)
    if frame is None:
        click.echo(f"Wrote {more:,} rows to {output}")
        return
    if as_json:
        import json

        _echo_json(json.loads(frame.to_json(orient="records")))
    else:
        click.echo(frame.to_string(index=False))
    if more:
        click.echo(
            f"(first {limit:,} rows; raise --limit, or write them all with --out FILE)", err=True
        )


@cli.command()
@click.argument("scenario")
@click.option(
    "--outcome",
    default=None,
    help="Outcome whose variance to explain: a declared outcome or a model output [default: the "
    "first declared outcome that is a quantity].",
)
@click.option(
    "--method", type=click.Choice(["sobol", "morris"]), default="sobol", show_default=True
)
@click.option(
    "--n",
    "--draws",
    "n_base",
    type=click.IntRange(min=8, max=MAX_DRAWS),
    default=512,
    show_default=True,
    help="Sobol' base sample (model runs: N (d + 2)), or Morris trajectories.",
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@parallel_options
@json_option
def sensitivity(
    scenario: str,
    outcome: str | None,
    method: str,
    n_base: int,
    seed: int,
    workers: int | None,
    cluster: str | None,
    as_json: bool,
) -> None:
    """Global sensitivity of an OUTCOME to every uncertain number of SCENARIO, ranked."""
    from realpolitik.cli.experiments import sensitivity_command

    data, lines = sensitivity_command(
        _load(scenario), outcome, method, n_base, seed, workers, cluster
    )
    if as_json:
        _echo_json(data)
    else:
        click.echo("\n".join(lines))


@cli.command()
@click.argument("scenario")
@click.option(
    "--outcome",
    default=None,
    help="A declared outcome or a model output [default: the first declared yes/no outcome].",
)
@click.option(
    "--draws", type=click.IntRange(min=100, max=MAX_DRAWS), default=20_000, show_default=True
)
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--threshold", type=float, default=None, help="PRIM density threshold.")
@click.option(
    "--above",
    type=float,
    default=None,
    help="For a quantity: 'yes' means above this value [default: its median over the draws].",
)
@parallel_options
@json_option
def discover(
    scenario: str,
    outcome: str | None,
    draws: int,
    seed: int,
    threshold: float | None,
    above: float | None,
    workers: int | None,
    cluster: str | None,
    as_json: bool,
) -> None:
    """What would have to be true for an OUTCOME: flip thresholds and a PRIM box.

    A yes/no outcome is asked as it is; a quantity as "above a value".
    """
    from realpolitik.cli.experiments import discover_command

    data, lines = discover_command(
        _load(scenario), outcome, draws, seed, threshold, above, workers, cluster
    )
    if as_json:
        _echo_json(data)
    else:
        click.echo("\n".join(lines))


# ------------------------------------------------------------------------------------------------
# importers


@cli.group(name="import")
def import_() -> None:
    """Convert published scenario formats into realpolitik scenario files."""


@import_.command("ktab")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "--output", "output", required=True, type=click.Path(dir_okay=False))
def import_ktab(file: str, output: str) -> None:
    """Convert a KTAB SMP scenario (CSV or XML) into a scenario file."""
    from realpolitik.scenario.importers.convert import ktab_to_scenario

    _write_imported(ktab_to_scenario(file), output, file)


@import_.command("axelrod-furnas")
@click.argument("actors", type=click.Path(dir_okay=False))
@click.argument("propensity", type=click.Path(dir_okay=False))
@click.option("-o", "--out", "--output", "output", required=True, type=click.Path(dir_okay=False))
@click.option(
    "--offset",
    type=float,
    default=3.0,
    show_default=True,
    help="Propensity p = raw - OFFSET (the authors' 1-5 scale centred on 3).",
)
def import_af(actors: str, propensity: str, output: str, offset: float) -> None:
    """Convert an Axelrod-Furnas actor/propensity CSV pair into a scenario file."""
    from realpolitik.scenario.importers.axelrod_furnas import axelrod_furnas_to_scenario

    _write_imported(
        axelrod_furnas_to_scenario(actors, propensity, offset=offset), output, actors, propensity
    )


def _write_imported(data: dict, output: str, *inputs: str) -> None:
    from realpolitik.cli.options import refuse_overwriting_inputs
    from realpolitik.scenario import from_dict
    from realpolitik.scenario.dump import write_yaml

    refuse_overwriting_inputs(output, *inputs)
    scenario = from_dict(data, file=output)  # imported scenarios must validate
    write_yaml(data, Path(output))
    click.echo(
        f"Wrote {output} ({len(scenario.spec.actors)} actors, "
        f"{len(scenario.spec.relations)} relations)"
    )


# ------------------------------------------------------------------------------------------------


#: Modules that add commands of their own; each defines ``register(group: click.Group) -> None``.
#: Keep their top-level imports light (Click only): they are imported at start-up.
COMMAND_MODULES: tuple[str, ...] = (
    "realpolitik.cli.serve",
    "realpolitik.cli.compare",
    "realpolitik.cli.figures",
    "realpolitik.cli.evidence",
)


def _register_command_modules() -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(cli)


_register_command_modules()


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning our errors into messages and exit status 2."""
    from click.exceptions import ClickException

    one_blas_thread()
    try:
        cli.main(args=argv, prog_name="realpolitik", standalone_mode=False)
    except ClickException as exc:
        exc.show()
        sys.exit(EXIT_BAD_INPUT)
    except (click.exceptions.Abort, KeyboardInterrupt):
        args = sys.argv[1:] if argv is None else list(argv)
        click.echo(
            "Interrupted."
            + (
                " Finished work is kept: rerun the same command with --resume to continue."
                if args[:1] == ["run"] and "--resume" not in args
                else ""
            ),
            err=True,
        )
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one place errors become messages
        from realpolitik.errors import ModelError, RealpolitikError, ScenarioError

        if isinstance(exc, ScenarioError):
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        if isinstance(exc, ModelError | RealpolitikError):
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        message = system_error_message(exc)
        if message is not None:
            click.echo(f"error: {message}", err=True)
            sys.exit(EXIT_BAD_INPUT)
        raise
    except SystemExit:
        raise
    if argv is None:  # run as the program (not called from Python): end at once where safe
        _exit_at_once()


#: Set by a command whose every output is written and closed when it returns (a run: its files
#: are written atomically, its report's helper reaped, its workers joined and every connection
#: to its store's catalogue closed). The program may then end without the interpreter's teardown
#: of its modules, which costs a point run about 0.04 s and a run with draws (SciPy, pandas,
#: PyArrow, DuckDB loaded) about 0.3 s.
_EXIT_AT_ONCE = False


def _exit_at_once() -> None:
    """End the program now (:func:`~realpolitik.cli.end_at_once.end_at_once`) if the command
    allowed it."""
    from realpolitik.cli.end_at_once import end_at_once

    if _EXIT_AT_ONCE:
        end_at_once()


if __name__ == "__main__":  # pragma: no cover
    main()
