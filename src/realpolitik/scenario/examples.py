"""The scenarios shipped with the package (``realpolitik examples``)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _folder() -> Path:
    return Path(str(resources.files("realpolitik") / "examples"))


def list_examples() -> dict[str, Path]:
    """Shipped examples by name (the file name without ``.yaml``)."""
    return {p.stem: p for p in sorted(_folder().glob("*.yaml"))}


def example_path(name: str) -> Path | None:
    """The file of the shipped example ``name``, or None."""
    return list_examples().get(name)
