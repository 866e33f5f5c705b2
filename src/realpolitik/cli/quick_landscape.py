"""``realpolitik landscape ACTORS.csv PROPENSITY.csv`` answered without Click.

On an Axelrod-Furnas pair of a dozen actors the whole search takes a few milliseconds, while
importing Click and building the command group takes a few hundredths of a second: more than the
work. This module reads the command line itself, runs the very function the Click command runs
(:func:`realpolitik.cli.models.landscape_command`) and prints its result as ``click.echo`` would.
It answers only when its output is the Click command's, byte for byte: any other command line
(another option, ``--help``, a value Click would reject or convert differently) and any input
the function rejects go to the Click command, which runs and reports errors as always.
"""

from __future__ import annotations

import sys
from typing import Any, Literal, NamedTuple

from realpolitik.cli.plain_echo import echo_if_plain

#: The largest seed the ``--seed`` option accepts (``SEED`` in :mod:`realpolitik.cli.options`).
MAX_SEED = 2**64 - 1
#: What ``--method`` accepts (Click's ``Choice``, case-sensitive).
METHODS = ("auto", "exact", "heuristic")
#: The bounds of ``--k`` (Click's ``IntRange(2, 6)``).
K_RANGE = (2, 6)


class LandscapeArgs(NamedTuple):
    """A ``landscape`` command line on an Axelrod-Furnas pair, as the Click command reads it."""

    actors: str
    propensity: str
    k: int = 2
    others: int = 0
    field: bool = True
    method: Literal["auto", "exact", "heuristic"] = "auto"
    seed: int = 0
    as_json: bool = False


def _whole_number(text: str, low: int, high: int | None) -> int | None:
    """``text`` as Click's ``IntRange`` reads it, when it is plain ASCII digits in range."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value and (high is None or value <= high) else None


def _option(name: str, value: str) -> tuple[str, int | str] | None:
    """(field, value) for ``--k``, ``--others``, ``--method`` or ``--seed``; None if Click
    would read ``value`` otherwise than plainly (or reject it)."""
    if name == "--method":
        return ("method", value) if value in METHODS else None
    bounds = {"--k": ("k", *K_RANGE), "--others": ("others", 0, None)}
    key, low, high = bounds.get(name, ("seed", 0, MAX_SEED))
    number = _whole_number(value, low, high)
    return None if number is None else (key, number)


def parse_landscape(args: list[str]) -> LandscapeArgs | None:
    """The command line (less the program name) if it is ``landscape A.csv P.csv`` with only
    options read exactly here (``--json``, ``--field/--no-field``, ``--k``, ``--others``,
    ``--method``, ``--seed``; ``--opt value`` or ``--opt=value``, any order); None otherwise."""
    if not args or args[0] != "landscape":
        return None
    rest = list(args[1:])
    files: list[str] = []
    values: dict[str, Any] = {}
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if token in ("--json", "--field", "--no-field"):
            key = "as_json" if token == "--json" else "field"
            values[key] = token != "--no-field"
        elif name in ("--k", "--others", "--method", "--seed") and (eq or rest):
            read = _option(name, value if eq else rest.pop(0))
            if read is None:
                return None
            values[read[0]] = read[1]
        elif token.startswith("-") or not token:
            return None
        else:
            files.append(token)
    if len(files) != 2:
        return None
    return LandscapeArgs(files[0], files[1], **values)


def quick_landscape(args: list[str]) -> bool:
    """Answer ``args`` (the command line less the program name) if it is ``landscape`` on an
    Axelrod-Furnas pair with options read exactly here, printing what the Click command prints;
    return whether it did (nothing is printed when it did not)."""
    parsed = parse_landscape(args)
    if parsed is None:
        return False
    from realpolitik.cli.blas_threads import one_blas_thread

    one_blas_thread()
    from realpolitik.cli.models import landscape_command

    try:
        data, lines = landscape_command(
            parsed.actors,
            parsed.k,
            parsed.others,
            parsed.field,
            parsed.method,
            parsed.seed,
            parsed.propensity,
        )
    except KeyboardInterrupt:  # as the Click command reports it
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    except Exception:  # noqa: BLE001 - the Click command runs again and reports the problem
        return False
    if parsed.as_json:
        from realpolitik.jsonio import dumps

        text = dumps(data)
    else:
        text = "\n".join(lines)
    return echo_if_plain(text)
