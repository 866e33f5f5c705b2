"""What a model returns: typed results under one vocabulary of outputs.

Every registered model declares its scalar :class:`Output` s in its
:class:`~realpolitik.models.registry.ModelSpec`, and returns one :class:`ModelResult` from a point
run. The output names are the one name of each quantity everywhere: the model's dict key, the store
column, the CLI's ``--outcome``, the JSON key and the docs. Results hold data only (numbers,
arrays, tables); text and figures are made from them in :mod:`realpolitik.report`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.models.plain_table import PlainTable

#: The kinds of scalar a model may produce; they decide how a quantity is summarised and shown.
OutputKind = Literal[
    "indicator", "probability", "money", "ratio", "count", "energy", "position", "index"
]
OUTPUT_KINDS: tuple[str, ...] = (
    "indicator",
    "probability",
    "money",
    "ratio",
    "count",
    "energy",
    "position",
    "index",
)


@dataclass(frozen=True)
class Output:
    """One scalar a model produces per draw (and at the point values).

    Attributes
    ----------
    name : str
        The one name of the quantity: model dict key, store column, CLI ``--outcome``, JSON key.
    kind : str
        One of :data:`OUTPUT_KINDS`; ``indicator`` outputs are 0 or 1 in every draw.
    unit : str
        What one unit of it is ("1 if the pivot aligns with the courter, else 0").
    description : str
        A short noun phrase naming it in text ("the pivot aligns with the courter").
    """

    name: str
    kind: OutputKind
    unit: str
    description: str

    def __post_init__(self) -> None:
        if self.kind not in OUTPUT_KINDS:
            raise ValueError(f"output {self.name!r}: kind must be one of {OUTPUT_KINDS}")


@dataclass(frozen=True)
class Provenance:
    """Where a result came from: the scenario's content hash, the seed, the package version and
    the model's own parameters (options), enough to reproduce it."""

    scenario_hash: str
    seed: int
    version: str
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "version": self.version,
            "parameters": dict(self.parameters),
        }


def finite_or_none(x: Any) -> float | None:
    """``x`` as a float, or ``None`` when it is missing, NaN or infinite (JSON has no NaN).

    >>> finite_or_none(2), finite_or_none(float("nan")), finite_or_none(None)
    (2.0, None, None)
    """
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class ModelResult:
    """The base of every model's typed result (subclasses are frozen dataclasses).

    Subclasses implement :meth:`outputs` (the declared outputs at the point values, keys equal to
    the spec's output names), :meth:`to_summary` (JSON-ready data, no sentences) and
    :meth:`tables` (DataFrames for the API) and may implement :meth:`report_tables` (the same
    as plain rows, for the report).
    """

    model: str
    provenance: Provenance

    def outputs(self) -> dict[str, float]:
        """The declared outputs at the point values (NaN where undefined)."""
        return {}

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready data: numbers, strings, lists and dicts; no sentences."""
        return {}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Named DataFrames for the API edge and the report."""
        return {}

    def report_tables(self) -> dict[str, PlainTable | None]:
        """The same tables as plain rows, for the report (which then needs no pandas).

        This default converts :meth:`tables`; the built-in models build the rows directly
        (tested to give the same columns, kinds and cells).
        """
        from realpolitik.models.plain_table import PlainTable

        return {
            k: None if df is None else PlainTable.from_frame(df) for k, df in self.tables().items()
        }
