"""Which implementation runs where the package has two that give the same numbers: NumPy or
compiled kernels (Numba).

One setting for the whole package: ``REALPOLITIK_KERNELS`` (``numpy``, ``compiled`` or
``auto``, the default) or, in code, :func:`kernels`. What ``auto`` means is up to each user of
it (the realignment solvers: :mod:`realpolitik.models.realignment.backend`; the inputs' inverse
CDFs: :func:`realpolitik.experiment.uncertainty.compiled_inverse_cdfs`). This module imports
nothing heavy, so asking costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CHOICES", "choice", "kernels"]

#: The values of ``REALPOLITIK_KERNELS`` and of :func:`kernels`.
CHOICES = ("auto", "numpy", "compiled")
_forced: list[str] = []


def choice() -> str:
    """The choice in force: the innermost :func:`kernels` block, else ``REALPOLITIK_KERNELS``.

    Raises
    ------
    ValueError
        If ``REALPOLITIK_KERNELS`` is set to something else than one of :data:`CHOICES`.
    """
    if _forced:
        return _forced[-1]
    value = os.environ.get("REALPOLITIK_KERNELS", "auto").strip().lower() or "auto"
    if value not in CHOICES:
        raise ValueError(f"REALPOLITIK_KERNELS must be one of {', '.join(CHOICES)}, got {value!r}")
    return value


@contextmanager
def kernels(which: str) -> Iterator[None]:
    """Run the enclosed code with ``which`` (``numpy``, ``compiled`` or ``auto``)."""
    if which not in CHOICES:
        raise ValueError(f"kernels must be one of {', '.join(CHOICES)}, got {which!r}")
    _forced.append(which)
    try:
        yield
    finally:
        _forced.pop()
