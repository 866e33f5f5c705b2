"""A table as plain Python rows: what the HTML report needs of a model's table, without pandas.

A model's :meth:`~realpolitik.models.results.ModelResult.tables` returns DataFrames (the Python
API's edge); the report only reads each table's column names, which columns are numbers and the
cells row by row. :class:`PlainTable` holds exactly that, so a point run's report is written
without importing pandas (whose import costs more than the run's models). Its column kinds follow
the ones pandas infers from the same values: a column of numbers (with gaps) is numeric, one of
booleans or text is not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def _kind(values: Sequence[Any]) -> str:
    """The kind pandas gives a column of these Python values: 'b' (booleans), 'i' (integers),
    'f' (numbers with a float or a gap among them) or 'O' (anything else, all gaps included)."""
    if not values:
        return "O"
    bools = ints = floats = gaps = 0
    for v in values:
        if v is None:
            gaps += 1
        elif isinstance(v, bool) or type(v).__name__ == "bool_":
            bools += 1
        elif isinstance(v, int) or type(v).__name__.startswith(("int", "uint")):
            ints += 1
        elif isinstance(v, float) or type(v).__name__.startswith("float"):
            floats += 1
    if bools == len(values):
        return "b"
    if ints == len(values):
        return "i"
    if floats and ints + floats + gaps == len(values):
        return "f"
    if gaps and ints and ints + gaps == len(values):
        return "f"
    return "O"


def _cells(values: Sequence[Any], kind: str) -> list[Any]:
    """The cells as pandas hands them out: a numeric column with gaps holds NaN in them."""
    if kind == "f":
        return [math.nan if v is None else float(v) for v in values]
    return list(values)


@dataclass(frozen=True)
class PlainTable:
    """Column names, whether each column holds numbers, and the rows as tuples of cells."""

    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[Any, ...], ...]

    def __len__(self) -> int:
        return len(self.rows)

    @classmethod
    def from_columns(cls, data: Mapping[str, Any]) -> PlainTable:
        """From ``{name: values}`` (lists or NumPy arrays of equal length), as
        ``pandas.DataFrame(data)`` would hold them."""
        columns, numeric, cells = [], [], []
        for name, values in data.items():
            dtype = getattr(values, "dtype", None)
            if dtype is not None and dtype.kind != "O":
                kind, col = dtype.kind, values.tolist()
            else:
                listed = list(values)
                kind = _kind(listed)
                col = _cells(listed, kind)
            columns.append(str(name))
            numeric.append(kind in "if")
            cells.append(col)
        return cls(tuple(columns), tuple(numeric), tuple(zip(*cells, strict=True)))

    @classmethod
    def from_records(
        cls, records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
    ) -> PlainTable:
        """From one dict per row, as ``pandas.DataFrame(records, columns=columns)`` would hold
        them: columns in first-seen order unless given, a key a row lacks a gap (NaN, as
        pandas fills it: a column no row has is numeric)."""
        if columns is None:
            seen: dict[str, None] = {}
            for r in records:
                seen.update(dict.fromkeys(r))
            columns = list(seen)
        return cls.from_columns({c: [r.get(c, math.nan) for r in records] for c in columns})

    @classmethod
    def from_frame(cls, df: Any) -> PlainTable:
        """From a DataFrame (what the report reads of it)."""
        return cls(
            tuple(str(c) for c in df.columns),
            tuple(df[c].dtype.kind in "if" for c in df.columns),
            tuple(tuple(r) for r in df.itertuples(index=False, name=None)),
        )
