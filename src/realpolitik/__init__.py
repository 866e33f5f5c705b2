"""realpolitik: explicit, reproducible models of great-power alignment.

The one noun a user holds is a :class:`~realpolitik.scenario.Scenario`, loaded from a YAML file with
:func:`realpolitik.load`. Models are plain functions over arrays, registered in
:mod:`realpolitik.models.registry`.
"""

from __future__ import annotations

from realpolitik import hooks
from realpolitik.version import __version__

__all__ = ["__version__", "load", "RealpolitikError", "ScenarioError"]


def _notebook():
    from realpolitik import notebook

    return notebook


hooks.install_verbs(_notebook)


def __getattr__(name: str):  # lazy imports keep `import realpolitik` (and the CLI) fast
    if name == "load":
        from realpolitik.scenario.load import load

        return load
    if name in ("RealpolitikError", "ScenarioError"):
        from realpolitik import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'realpolitik' has no attribute {name!r}")
