"""The readable summary that ``realpolitik run`` prints."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.run import RunResult


def print_summary(result: RunResult) -> None:
    from rich.console import Console
    from rich.rule import Rule

    console = Console(highlight=False, soft_wrap=True)
    s = result.scenario
    console.print(
        f"[bold]{s.title}[/bold]  ({s.name}, {s.spec.year or 'no year'}; unit: {s.spec.unit})"
    )
    console.print(
        f"scenario hash {s.content_hash[:12]}  seed {result.options.seed}  "
        f"draws {result.options.draws}"
    )
    for name, analysis in result.analyses.items():
        console.print(Rule(f"[bold]{name}[/bold]", align="left"))
        for line in analysis.lines:
            console.print(line, markup=False)
    exp = result.experiment
    if exp:
        console.print(Rule("[bold]uncertainty[/bold]", align="left"))
        for line in exp.get("lines", []):
            console.print(line, markup=False)
