"""One renderer per model: ``realpolitik.report.<model>`` with ``lines(result)`` and
``figures(result)`` (and, optionally, ``draws_lines(stats, result)``, ``draws_figures(stats,
result)`` and ``headline(result)``). A model without a renderer module (a plug-in, a model
registered in a notebook) is shown by :class:`GenericRenderer`: its declared outputs."""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping
from typing import Any


class GenericRenderer:
    """Shows any :class:`~realpolitik.models.results.ModelResult` by its outputs."""

    @staticmethod
    def lines(result: Any) -> list[str]:
        """One line per declared output at the point values."""
        out = []
        for name, value in result.outputs().items():
            shown = "undefined" if not math.isfinite(value) else f"{value:,.4g}"
            out.append(f"{name}: {shown}")
        return out

    @staticmethod
    def figures(result: Any) -> dict[str, Any]:
        """None."""
        return {}

    @staticmethod
    def draws_lines(stats: Mapping[str, Any], result: Any) -> list[str]:
        """None: the declared outcomes are shown by the experiment report."""
        return []

    @staticmethod
    def draws_figures(stats: Mapping[str, Any], result: Any) -> dict[str, Any]:
        """None."""
        return {}

    @staticmethod
    def headline(result: Any) -> list[str]:
        """None."""
        return []


def renderer(model: str) -> Any:
    """The renderer of ``model``: its module in :mod:`realpolitik.report`, else the generic one."""
    if model.isidentifier():
        try:
            module = importlib.import_module(f"realpolitik.report.{model}")
        except ModuleNotFoundError as exc:
            if exc.name != f"realpolitik.report.{model}":
                raise
        else:
            if hasattr(module, "lines") and hasattr(module, "figures"):
                return module
    return GenericRenderer


def lines(result: Any) -> list[str]:
    """The readable lines of any model's result."""
    return list(renderer(result.model).lines(result))


def figures(result: Any) -> dict[str, Any]:
    """The figures of any model's result."""
    return dict(renderer(result.model).figures(result))


def draws_lines(stats: Mapping[str, Any], result: Any) -> list[str]:
    """A model's own lines on its outputs over the draws (none unless its renderer has some)."""
    fn = getattr(renderer(result.model), "draws_lines", None)
    return [] if fn is None else list(fn(stats, result))


def draws_figures(stats: Mapping[str, Any], result: Any) -> dict[str, Any]:
    """A model's own figures over the draws."""
    fn = getattr(renderer(result.model), "draws_figures", None)
    return {} if fn is None else dict(fn(stats, result))


def headline(result: Any) -> list[str]:
    """A model's headline sentences (plain text)."""
    fn = getattr(renderer(result.model), "headline", None)
    return [] if fn is None else list(fn(result))
