"""The ``realpolitik`` command line: a thin layer over the verbs a notebook uses.

:mod:`realpolitik.cli.main` holds the command group and the commands; modules listed in
:data:`realpolitik.cli.main.COMMAND_MODULES` add commands of their own. Only Click is imported at
start-up; every command imports what it needs when it runs. Two command lines are answered before
even Click is imported: ``bargain`` on a small KTAB CSV file (:mod:`realpolitik.cli.quick`) and
``landscape`` on an Axelrod-Furnas CSV pair (:mod:`realpolitik.cli.quick_landscape`).

``main`` (the entry point) and ``cli`` (the Click group) are the package's names; the group is
imported when first asked for.
"""

from __future__ import annotations

import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - what the properties below return
    from realpolitik.cli.main import cli, main


def _entry(argv: list[str] | None = None) -> None:
    """Run the ``realpolitik`` command: :func:`realpolitik.cli.quick.quick_bargain` or
    :func:`realpolitik.cli.quick_landscape.quick_landscape` when one answers the command line,
    else :func:`realpolitik.cli.main.main` (Click)."""
    from realpolitik.cli.quick import quick_bargain
    from realpolitik.cli.quick_landscape import quick_landscape

    args = sys.argv[1:] if argv is None else list(argv)
    if quick_bargain(args) or quick_landscape(args):
        if argv is None:  # run as the program: its output is out, end without the teardown
            from realpolitik.cli.end_at_once import end_at_once

            end_at_once()
        return
    from realpolitik.cli.main import main as click_main

    click_main(argv)


def _group(module: types.ModuleType) -> Any:
    from realpolitik.cli.main import cli

    return cli


class _CliPackage(types.ModuleType):
    # Properties on the package's class, so that ``realpolitik.cli.main`` stays the entry point
    # when the import system binds the submodule of the same name to the package.
    main = property(lambda module: _entry, lambda module, value: None)
    cli = property(_group, lambda module, value: None)


sys.modules[__name__].__class__ = _CliPackage

__all__ = ["cli", "main"]
