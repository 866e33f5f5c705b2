"""The ``realpolitik`` command line: a thin layer over the verbs a notebook uses.

:mod:`realpolitik.cli.main` holds the command group and the commands; modules listed in
:data:`realpolitik.cli.main.COMMAND_MODULES` add commands of their own. Only Click is imported at
start-up; every command imports what it needs when it runs.
"""

from realpolitik.cli.main import cli, main

__all__ = ["cli", "main"]
