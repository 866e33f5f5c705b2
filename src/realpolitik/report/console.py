"""The readable summary that ``realpolitik run`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from realpolitik.report import renderers

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.scenario_run import ScenarioRun


def print_summary(run: ScenarioRun) -> None:
    """Print every model's lines and the draws' lines, with rules between them."""
    from rich.console import Console
    from rich.rule import Rule

    from realpolitik.report import experiment

    console = Console(highlight=False, soft_wrap=True)
    s = run.scenario
    console.print(
        f"[bold]{s.title}[/bold]  ({s.name}, {s.spec.year or 'no year'}; unit: {s.spec.unit})"
    )
    console.print(
        f"scenario hash {s.content_hash[:12]}  seed {run.options.seed}  draws {run.options.draws}"
    )
    for name, result in run.results.items():
        console.print(Rule(f"[bold]{name}[/bold]", align="left"))
        for line in renderers.lines(result):
            console.print(line, markup=False)
    if run.draws is not None:
        console.print(Rule("[bold]uncertainty[/bold]", align="left"))
        for line in experiment.lines(run.draws, run.results):
            console.print(line, markup=False)
