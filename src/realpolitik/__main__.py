"""``python -m realpolitik``: the same as the ``realpolitik`` command."""

from realpolitik.cli import main

main()
