"""Where the package root plugs the implementation of the :class:`~realpolitik.scenario.Scenario`'s
verbs (``analyze``, ``experiment``, ``run``) into the scenario layer.

The verbs need the models, the experiment layer and the reports, which sit above the scenario layer
and may not be imported from it. So the scenario layer calls :func:`verbs`, and the package root
(``realpolitik/__init__.py``, imported before any of its modules) installs, with
:func:`install_verbs`, a provider that imports :mod:`realpolitik.notebook` when a verb is first used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from realpolitik.errors import RealpolitikError

_provider: Callable[[], Any] | None = None


def install_verbs(provider: Callable[[], Any]) -> None:
    """Install ``provider``: a function returning the object whose functions implement the verbs."""
    global _provider
    _provider = provider


def verbs() -> Any:
    """The implementation of the scenario's verbs (see :mod:`realpolitik.notebook`)."""
    if _provider is None:  # pragma: no cover - the package root always installs one
        raise RealpolitikError("the scenario's verbs are not installed (import realpolitik)")
    return _provider()
