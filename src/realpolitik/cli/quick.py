"""``realpolitik bargain FILE.csv`` answered without Click and without NumPy.

Importing NumPy takes about a tenth of a second, and Click a few hundredths: longer than the
whole SMP run on KTAB's small scenarios. For a KTAB CSV file with few enough actors, the command
runs the plain-Python SMP (:mod:`realpolitik.models.bargaining.smp_plain`, bit-identical to the
NumPy model) and prints what the Click command prints. Any other command line, and any input the
plain path does not cover or finds wrong, goes to the Click command, which then runs (and reports
errors) as always: this module never prints an error of its own.
"""

from __future__ import annotations

import math
from typing import Any

from realpolitik.cli.plain_echo import echo_if_plain

#: The largest seed the ``--seed`` option accepts (``SEED`` in :mod:`realpolitik.cli.options`).
MAX_SEED = 2**64 - 1


def _parse(args: list[str]) -> tuple[str, bool] | None:
    """(input file, --json) for ``bargain INPUT [--model smp] [--seed N] [--json]`` with the
    options in any order (``--opt value`` or ``--opt=value``); None for anything else."""
    if not args or args[0] != "bargain":
        return None
    rest = list(args[1:])
    inputs: list[str] = []
    as_json = False
    while rest:
        token = rest.pop(0)
        name, eq, value = token.partition("=")
        if token == "--json":
            as_json = True
        elif name in ("--model", "--seed") and (eq or rest):
            value = value if eq else rest.pop(0)
            if name == "--model" and value != "smp":
                return None
            if name == "--seed" and not (value.isascii() and value.isdigit()):
                return None
            if name == "--seed" and int(value) > MAX_SEED:
                return None
        elif token.startswith("-") or not token:
            return None
        else:
            inputs.append(token)
    return (inputs[0], as_json) if len(inputs) == 1 else None


def _plain(obj: Any) -> Any:
    """jsonio.plain for the values a plain SMP summary holds (non-finite floats become null)."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    return obj


def quick_bargain(args: list[str]) -> bool:
    """Answer ``args`` (the command line less the program name) if it is ``bargain`` on a KTAB
    CSV file the plain SMP covers, printing what the Click command prints; return whether it did.
    """
    parsed = _parse(args)
    if parsed is None:
        return False
    path, as_json = parsed
    from realpolitik.cli.models import plain_ktab_smp

    try:
        answer = plain_ktab_smp(path)
    except Exception:  # noqa: BLE001 - the Click command runs again and reports the problem
        return False
    if answer is None:
        return False
    data, lines = answer
    if as_json:
        import json

        text = json.dumps(_plain(data), indent=2, allow_nan=False)
    else:
        text = "\n".join(lines)
    return echo_if_plain(text)
