"""Ending the program as soon as a command's output is out, without the interpreter's teardown.

Tearing down the modules of a process that imported NumPy costs about ten milliseconds: as much
as a small landscape's whole search. A command whose every output is written and closed when it
returns may skip it: :func:`end_at_once` runs the exit handlers, flushes the output and ends the
process with status 0. It does nothing (the ordinary exit follows) when another Python thread
runs or when flushing fails (a closed pipe is then reported as usual).
"""

from __future__ import annotations

import sys


def end_at_once() -> None:
    """End the program now with status 0, after its exit handlers and with its output flushed,
    skipping the teardown of its modules; return instead if another thread runs or the output
    cannot be flushed."""
    import atexit
    import os

    threading = sys.modules.get("threading")  # not imported: no thread was started through it
    if threading is not None and threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: the ordinary exit reports it
        return
    atexit._run_exitfuncs()
    os._exit(0)
