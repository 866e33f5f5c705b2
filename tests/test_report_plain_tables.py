"""The report reads the models' tables as plain rows (no pandas): the same HTML, byte for byte.

References: pandas itself (the kinds it infers for the same values, the DataFrames each model's
``tables()`` returns) and the DataFrame-based ``_table`` the report used before, kept here
verbatim as ``reference_table``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.experiment.options import RunOptions
from realpolitik.experiment.scenario_run import run_scenario
from realpolitik.models.plain_table import PlainTable
from realpolitik.models.results import ModelResult
from realpolitik.report import html as report_html
from realpolitik.report.html import COLLAPSE_ROWS, _cell, _e, _table, render_report
from realpolitik.scenario import load

EXAMPLES = ("reverse-kissinger", "nixon-1972")


def reference_table(df: Any, title: str | None) -> str:
    """The report's table as it was written from a DataFrame (the previous implementation)."""
    if df is None or len(df) == 0:
        return ""
    numeric = [c for c in df.columns if df[c].dtype.kind in "if"]
    hidden = 0
    if numeric and len(df) > COLLAPSE_ROWS:
        values = df[numeric].to_numpy(dtype=float)
        zero = np.all(values == 0, axis=1)
        if zero.any() and not zero.all():
            hidden = int(zero.sum())
            df = df[~zero]
    head = "".join(f"<th>{_e(c)}</th>" for c in df.columns)
    rows = []
    for record in df.itertuples(index=False):
        cells = []
        for value in record:
            text, is_num = _cell(value)
            cells.append(f"<td class='num'>{_e(text)}</td>" if is_num else f"<td>{_e(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    table = f"<table><tr>{head}</tr>{''.join(rows)}</table>"
    if hidden:
        table += f"<p class='meta'>{hidden} row(s) that are zero throughout are not shown.</p>"
    label = title or "table"
    if len(df) > COLLAPSE_ROWS:
        return f"<details><summary>{_e(label)} ({len(df)} rows)</summary>{table}</details>"
    return (f"<h3>{_e(title)}</h3>" if title else "") + table


@pytest.fixture(scope="module", params=EXAMPLES)
def point_run(request: pytest.FixtureRequest) -> Any:
    return run_scenario(load(request.param), RunOptions(seed=0, draws=0))


def _same_cell(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b) and _cell(a) == _cell(b)


def test_each_models_plain_tables_hold_what_its_dataframes_hold(point_run: Any) -> None:
    """Names, column names, numeric columns and every cell (its value and its text in the
    report) equal those of the DataFrames ``tables()`` returns."""
    for result in point_run.results.values():
        plain = result.report_tables()
        frames = result.tables()
        assert list(plain) == list(frames), result.model
        for name, df in frames.items():
            table = plain[name]
            assert table is not None
            assert table.columns == tuple(df.columns), name
            assert table.numeric == tuple(df[c].dtype.kind in "if" for c in df.columns), name
            assert len(table) == len(df), name
            for mine, theirs in zip(table.rows, df.itertuples(index=False), strict=True):
                assert all(_same_cell(a, b) for a, b in zip(mine, theirs, strict=True)), name


def test_the_point_report_is_the_dataframe_reports_byte_for_byte(point_run: Any) -> None:
    """The report written from plain rows is the one written from the models' DataFrames with
    the table writer the report used before."""
    new = render_report(point_run)
    frames_run = run_scenario(point_run.scenario, RunOptions(seed=0, draws=0))
    for result in frames_run.results.values():  # each result answers with its DataFrames
        object.__setattr__(result, "report_tables", result.tables)
    mp = pytest.MonkeyPatch()
    mp.setattr(report_html, "_table", reference_table)
    try:
        old = render_report(frames_run)
    finally:
        mp.undo()
    assert new == old


def test_the_default_report_tables_convert_the_dataframes() -> None:
    """A model that only implements ``tables()`` (a plug-in) gets the same rows."""

    class Plugin(ModelResult):
        def tables(self) -> dict[str, pd.DataFrame]:
            return {"t": pd.DataFrame({"a": [1, 2], "b": ["x", None]})}

    from realpolitik.models.results import Provenance

    plain = Plugin(model="p", provenance=Provenance("h", 0, "0")).report_tables()["t"]
    assert plain is not None
    assert plain.columns == ("a", "b") and plain.numeric == (True, False)
    assert plain.rows[0] == (1, "x") and plain.rows[1][0] == 2


def test_kinds_by_hand() -> None:
    """Numbers with gaps are numeric, with NaN in the gaps; booleans and text are not, nor a
    column of None alone; a key a row lacks is NaN (so a column with no value at all is)."""
    t = PlainTable.from_records([{"n": 1, "s": "a", "b": True}, {"n": None, "s": None, "g": None}])
    assert t.columns == ("n", "s", "b", "g")
    assert t.numeric == (True, False, False, True)
    assert PlainTable.from_records([{"z": None}, {"z": None}]).numeric == (False,)
    assert t.rows[0][0] == 1.0 and isinstance(t.rows[0][0], float) and math.isnan(t.rows[1][0])
    ints = PlainTable.from_columns({"i": [1, 2], "f": [1, 2.5], "arr": np.array([True, False])})
    assert ints.numeric == (True, True, False) and ints.rows[0] == (1, 1.0, True)


_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(max_size=3),
)


@st.composite
def _column_values(draw: st.DrawFn) -> list[Any]:
    n = draw(st.integers(1, 16))
    kind = draw(st.sampled_from(["int", "float", "bool", "text", "mixed"]))
    base = {
        "int": st.integers(-5, 5),
        "float": st.floats(-5, 5, allow_nan=False),
        "bool": st.booleans(),
        "text": st.text(max_size=3),
        "mixed": _VALUE,
    }[kind]
    gaps = draw(st.booleans())
    values = st.one_of(st.none(), base) if gaps else base
    return draw(st.lists(values, min_size=n, max_size=n))


@settings(max_examples=300, deadline=None)
@given(_column_values())
def test_numeric_columns_are_the_ones_pandas_infers(values: list[Any]) -> None:
    """Metamorphic against pandas: the same values, the same numeric flag and cell texts."""
    plain = PlainTable.from_columns({"c": values})
    df = pd.DataFrame({"c": values})
    assert plain.numeric[0] == (df["c"].dtype.kind in "if"), df["c"].dtype
    if plain.numeric[0]:
        theirs = [r[0] for r in df.itertuples(index=False)]
        assert [_cell(r[0]) for r in plain.rows] == [_cell(v) for v in theirs]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, COLLAPSE_ROWS + 6),
    st.lists(st.sampled_from([0.0, -0.0, 1.5, math.nan, 2.0]), min_size=1, max_size=3),
    st.data(),
)
def test_the_table_writer_matches_the_dataframe_one(
    n: int, choices: list[float], data: Any
) -> None:
    """Long and short tables, rows of zeros hidden or not: plain rows and the previous
    DataFrame writer give the same HTML."""
    floats = data.draw(st.lists(st.sampled_from(choices), min_size=n, max_size=n))
    ints = data.draw(st.lists(st.sampled_from([0, 0, 3]), min_size=n, max_size=n))
    df = pd.DataFrame({"name": [f"r{i}" for i in range(n)], "x": floats, "k": ints})
    plain = PlainTable.from_columns({"name": list(df["name"]), "x": floats, "k": ints})
    assert _table(plain, "t") == reference_table(df, "t")
    assert _table(df, None) == reference_table(df, None)
