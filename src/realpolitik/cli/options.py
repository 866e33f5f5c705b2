"""Option types and checks shared by the commands, and the messages for failures of the system.

Only Click is imported here (the module is imported at start-up). Every check raises a Click
``BadParameter`` (exit status 2, with the option's name) or a :class:`~realpolitik.errors.ScenarioError`
naming what is wrong.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

#: A seed: any integer NumPy's ``SeedSequence`` accepts as one word (0 is a seed).
SEED = click.IntRange(min=0, max=2**64 - 1)

#: The most draws a command accepts (a billion: beyond, the list of batches alone exhausts memory).
MAX_DRAWS = 10**9

#: Worker processes: at least one, and no more than a machine can plausibly hold.
WORKERS = click.IntRange(min=1, max=1024)

#: Dask scheduler addresses the command line accepts: ``local`` or ``tcp://HOST:PORT``
#: (``HOST:PORT`` means tcp). TLS needs certificates, which only the Python API can pass.
_ADDRESS = re.compile(r"^(?:tcp://)?(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):([0-9]{1,5})$")


def cluster_address(
    ctx: click.Context | None, param: click.Parameter | None, value: str | None
) -> str | None:
    """Check ``--cluster``: ``local``, ``tcp://HOST:PORT`` or ``HOST:PORT`` (a Click callback)."""
    if value is None or value == "local":
        return value
    text = value.strip()
    m = _ADDRESS.match(text)
    if m is None or not 0 < int(m.group(2)) < 65536:
        scheme = text.split("://", 1)[0] + "://" if "://" in text else ""
        if scheme in ("tls://", "wss://"):
            why = (
                f"the {scheme} scheme needs certificates, which only the Python API can pass "
                "(a distributed.Client with a Security object)"
            )
        elif scheme == "inproc://":
            why = "an inproc:// scheduler lives inside another process and cannot be reached"
        elif scheme:
            why = f"the {scheme} scheme is not supported from the command line"
        else:
            why = "not a scheduler address"
        raise click.BadParameter(
            f"{value!r}: {why}; expected 'local' or tcp://HOST:PORT (port 1-65535)",
            ctx=ctx,
            param=param,
        )
    return text if text.startswith("tcp://") else f"tcp://{text}"


#: A Click command function, as a decorator returns it.
Command = TypeVar("Command", bound=Callable[..., Any])


def workers_option(help: str | None = None) -> Callable[[Command], Command]:
    """``--workers``: how many worker processes evaluate the model (a decorator factory)."""
    return click.option("--workers", type=WORKERS, default=None, help=help)


def parallel_options(command: Command) -> Command:
    """``--workers`` and ``--cluster``: where a command evaluates the model (a decorator)."""
    command = click.option(
        "--cluster",
        default=None,
        callback=cluster_address,
        help="Dask scheduler address (tcp://HOST:PORT), or 'local' for a LocalCluster.",
    )(command)
    return workers_option()(command)


def json_option(command: Command) -> Command:
    """``--json``: print the command's data as JSON instead of text (a decorator)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(command)


def refuse_overwriting_inputs(output: str | os.PathLike[str], *inputs: str) -> None:
    """Refuse an output file that is one of the inputs (it would replace what it was read from)."""
    from realpolitik.errors import ScenarioError

    out = Path(output)
    for source in inputs:
        same = False
        try:
            same = out.exists() and Path(source).exists() and os.path.samefile(out, source)
        except OSError:
            same = out.resolve() == Path(source).resolve()
        if same:
            raise ScenarioError.single(
                "the output file is the input file; it would be overwritten",
                file=str(output),
                path="--output",
                expected="a new file name",
                got=str(output),
            )


def system_error_message(exc: BaseException) -> str | None:
    """A one-line message for failures of the system rather than of our code, else None.

    Covers the file system (no space, read-only, permissions, not a directory), a worker process
    that died, DuckDB's errors (whatever their module) and running out of memory.
    """
    from concurrent.futures.process import BrokenProcessPool

    if isinstance(exc, BrokenProcessPool):
        return (
            "a worker process died (killed, out of memory, or a script that starts a run "
            'without an `if __name__ == "__main__":` guard); finished batches are kept, '
            "rerun with --resume to continue"
        )
    if isinstance(exc, OSError) and exc.errno is not None:
        what = exc.strerror or os.strerror(exc.errno)
        where = f": {exc.filename}" if exc.filename else ""
        hint = {
            errno.ENOSPC: " (free some space, then rerun with --resume: nothing finished is lost)",
            errno.EROFS: " (choose a writable folder with --out / --store)",
            errno.EACCES: " (check the permissions, or choose another folder)",
            errno.EDQUOT: " (free some space, then rerun with --resume)",
        }.get(exc.errno, "")
        return f"{what}{where}{hint}"
    if isinstance(exc, ValueError) and "embedded null byte" in str(exc):
        return "a file name contains a NUL byte"
    module = type(exc).__module__ or ""
    if module.startswith(("duckdb", "_duckdb")):
        return f"database error ({type(exc).__name__}): {exc}"
    if isinstance(exc, MemoryError):
        return "out of memory (try fewer draws per batch with --batch-size, or fewer workers)"
    return None
