"""``realpolitik compare A B``: two scenarios, or two versions of one, side by side."""

from __future__ import annotations

import click


def register(group: click.Group) -> None:
    """Add ``compare`` to the command group."""
    group.add_command(compare)


@click.command()
@click.argument("first")
@click.argument("second")
@click.option(
    "--draws",
    type=click.IntRange(min=0),
    default=2000,
    show_default=True,
    help="Draws for each scenario's probabilities (0: point values only).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def compare(first: str, second: str, draws: int, seed: int, as_json: bool) -> None:
    """Compare scenarios FIRST and SECOND (files or shipped example names).

    Prints the numbers that differ, how the answer, the price per payer and each cause moved,
    and, when the answer did not move, why.
    """
    from realpolitik.experiment.compare import compare_scenarios
    from realpolitik.scenario import load

    comparison = compare_scenarios(load(first), load(second), draws=draws, seed=seed)
    if as_json:
        from realpolitik.jsonio import dumps

        click.echo(dumps(comparison.to_dict()))
        return
    from realpolitik.report.compare import lines

    click.echo("\n".join(lines(comparison)))
