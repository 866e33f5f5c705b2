"""``realpolitik serve``: the dashboard in the browser (Click only at import; the rest when run)."""

from __future__ import annotations

import click

from realpolitik.cli.options import workers_option

DEFAULT_PORT = 8050


def register(group: click.Group) -> None:
    """Add ``serve`` to the command group."""
    group.add_command(serve)


@click.command()
@click.argument("scenarios", nargs=-1)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Interface to listen on. Anything but 127.0.0.1 lets other machines use it (a warning is printed).",
)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port (0: any free port).",
)
@workers_option("Worker processes for the model work [default: the usable CPUs].")
@click.option(
    "--draws",
    type=click.IntRange(min=10),
    default=None,
    help="Draws per recomputation [default: 200].",
)
@click.option(
    "--max-draws",
    type=click.IntRange(min=10),
    default=None,
    help="Most draws one request may ask for [default: 2000].",
)
@click.option(
    "--batch/--no-batch",
    default=True,
    show_default=True,
    help="Run recomputations of one scenario that wait together as one model call (same answers).",
)
@click.option(
    "--no-examples", is_flag=True, help="Offer only the SCENARIOS given, not the shipped examples."
)
@click.option(
    "--open/--no-open", "open_browser", default=True, show_default=True, help="Open a browser."
)
def serve(
    scenarios: tuple[str, ...],
    host: str,
    port: int,
    workers: int | None,
    draws: int | None,
    max_draws: int | None,
    batch: bool,
    no_examples: bool,
    open_browser: bool,
) -> None:
    """The dashboard: move a scenario's numbers and see the answer recomputed.

    SCENARIOS are files or shipped example names (default: the shipped examples). The dashboard
    reads only these files and writes nothing; an edited scenario is exported as a download.
    """
    import os
    import sys
    from dataclasses import replace

    from realpolitik.app.library import ScenarioLibrary
    from realpolitik.app.requests import Limits
    from realpolitik.app.server import Settings, free_port
    from realpolitik.app.server import serve as run_server

    if no_examples and not scenarios:
        raise click.UsageError("--no-examples needs at least one SCENARIO")
    library = ScenarioLibrary.build(scenarios, examples=not no_examples)
    limits = Limits()
    if draws is not None:
        limits = replace(limits, draws=draws)
    if max_draws is not None:
        limits = replace(limits, max_draws=max_draws)
    if limits.draws > limits.max_draws:
        raise click.UsageError(f"--draws {limits.draws} is above --max-draws {limits.max_draws}")
    n_workers = workers or max(
        1,
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1),
    )
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"warning: listening on {host}: anyone who can reach this machine can use the "
            "dashboard (it reads only the scenarios given and writes nothing, but it spends CPU).",
            err=True,
        )
    if port == 0:
        port = free_port("127.0.0.1" if host in ("localhost",) else host)
    settings = Settings(
        library=library, limits=limits, workers=n_workers, host=host, batching=batch
    )

    def ready(url: str) -> None:
        """Print the address (and open a browser) once the server listens."""
        click.echo(
            f"realpolitik dashboard on {url}  (scenarios: {', '.join(library.keys())}; Ctrl+C stops it)"
        )
        sys.stdout.flush()
        if open_browser:
            import webbrowser

            try:
                webbrowser.open(url)
            except Exception:  # noqa: BLE001 - no browser is fine: the URL is printed
                pass

    run_server(settings, port, on_ready=ready)
