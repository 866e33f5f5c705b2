"""``realpolitik figures``: the report's figures as PNG, SVG or PDF files, for papers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from realpolitik.cli.options import SEED, workers_option


def register(group: click.Group) -> None:
    """Add ``figures`` to the command group."""
    group.add_command(figures)


def checked_formats(text: str) -> tuple[str, ...]:
    """The formats of ``--figures`` (``"png,svg"``), checked before any work is done: known
    formats, Kaleido installed, a Chromium found.

    Raises
    ------
    FigureExportError
        For an unknown format, or when Kaleido or a browser is missing (the CLI exits with 2).
    """
    import importlib.util

    from realpolitik.report.static_figures import FigureExportError, browser_path, parse_formats

    kinds = parse_formats(text)
    if importlib.util.find_spec("kaleido") is None:
        raise FigureExportError("static figures need Kaleido: pip install 'realpolitik[figures]'")
    browser_path()
    return kinds


def write_run_figures(run: Any, folder: Path, kinds: tuple[str, ...]) -> list[Path]:
    """Write every figure of a finished ``run`` (a ``ScenarioRun``) into ``folder``, once per
    format in ``kinds``, as ``realpolitik figures`` does; returns the files written."""
    from realpolitik.report.html import report_figures
    from realpolitik.report.static_figures import write_figures

    return write_figures(report_figures(run), folder, kinds)


@click.command()
@click.argument("source", metavar="RUN")
@click.option(
    "--formats",
    default="png,svg",
    show_default=True,
    help="Comma-separated file formats: png, svg, pdf.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Folder for the files [default: RUN/figures, or realpolitik-out/NAME/figures].",
)
@click.option(
    "--draws",
    type=click.IntRange(min=0),
    default=None,
    help="Draws, when RUN is a scenario [default: 0].",
)
@click.option("--seed", type=SEED, default=None, help="Seed, when RUN is a scenario [default: 0].")
@workers_option("Worker processes, when RUN is repeated or run [default: the usable CPUs].")
def figures(
    source: str,
    formats: str,
    out: str | None,
    draws: int | None,
    seed: int | None,
    workers: int | None,
) -> None:
    """Write the figures of RUN as static files (one per figure and format).

    RUN is the output folder of `realpolitik run` (its scenario, seed and draws are read from its
    summary.json and the run is repeated in memory: the same seed gives the same numbers), or a
    scenario (a file or a shipped example's
    name) to run now. Needs Kaleido (pip install "realpolitik[figures]") and a local Chromium
    (Debian: apt-get install chromium; elsewhere set BROWSER_PATH).
    """
    import json

    from realpolitik.experiment.options import RunOptions
    from realpolitik.experiment.scenario_run import run_scenario
    from realpolitik.report.static_figures import parse_formats
    from realpolitik.scenario import load

    kinds = parse_formats(formats)
    folder = Path(source)
    if (folder / "summary.json").is_file():
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
        scenario = load(summary["scenario"]["file"])
        if scenario.content_hash != summary.get("scenario_hash"):
            raise click.UsageError(
                f"the scenario file {summary['scenario']['file']} changed since the run in {source}"
            )
        options = RunOptions(
            seed=int(summary["seed"] if seed is None else seed),
            draws=int(summary["draws"] if draws is None else draws),
            workers=workers,
        )
        target = Path(out) if out else folder / "figures"
    else:
        scenario = load(source)
        options = RunOptions(seed=seed or 0, draws=draws or 0, workers=workers)
        target = Path(out) if out else Path("realpolitik-out") / scenario.name / "figures"
    run = run_scenario(scenario, options)
    written = write_run_figures(run, target, kinds)
    for path in written:
        click.echo(str(path))
    click.echo(f"Wrote {len(written)} files to {target}")
