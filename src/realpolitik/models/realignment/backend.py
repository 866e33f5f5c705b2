"""Which implementation of the realignment solvers runs: NumPy or compiled kernels (private).

The compiled kernels (Numba) give the same numbers as the NumPy code bit for bit (tested), so the
choice changes only the time taken. Importing Numba and loading the cached kernels costs about
half a second once per process, more than NumPy needs for small batches: a batch runs compiled
when it has at least :data:`COMPILED_MIN_ROWS` rows or when the kernels are already loaded in
this process (a worker or the dashboard's server, which load them at start). ``REALPOLITIK_KERNELS``
(``numpy``, ``compiled`` or ``auto``, the default) or :func:`kernels` overrides the choice
(:mod:`realpolitik.kernel_choice`, one setting for the package), e.g. to
compare the two in tests and benchmarks.
"""

from __future__ import annotations

import sys

from realpolitik.kernel_choice import choice, kernels

__all__ = ["COMPILED_MIN_ROWS", "KERNEL_MODULES", "use_compiled", "kernels"]

#: Batches of at least this many rows run compiled even when the kernels are not yet loaded.
#: Loading Numba and the cached kernels costs a process about 0.45 s of CPU, and the kernels
#: save about 16 microseconds a flagship draw (years 1 to 15): they pay for themselves from
#: about 30,000 draws. A run's batches of 20,000 therefore stay NumPy in a fresh worker.
COMPILED_MIN_ROWS = 32768

#: The modules holding compiled kernels; any of them loaded means the kernels are warm.
KERNEL_MODULES: tuple[str, ...] = (
    "realpolitik.models.realignment.package_kernels",
    "realpolitik.models.realignment.simplex_kernels",
    "realpolitik.models.realignment.year_kernels",
    "realpolitik.models.realignment.survival_kernels",
)


def use_compiled(rows: int) -> bool:
    """Whether a batch of ``rows`` rows should run the compiled kernels."""
    which = choice()
    if which != "auto":
        return which == "compiled"
    return rows >= COMPILED_MIN_ROWS or any(m in sys.modules for m in KERNEL_MODULES)
