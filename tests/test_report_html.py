"""The HTML report's layout: the answer first, tables a reader can read, a glossary."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from realpolitik.experiment.options import RunOptions
from realpolitik.experiment.scenario_run import run_scenario
from realpolitik.report.html import COLLAPSE_ROWS, _table, render_report, report_figures
from realpolitik.scenario import load


def test_table_cells_are_blank_or_joined_never_python_leftovers():
    df = pd.DataFrame(
        {"path": ["a", "b"], "claims": [("F2",), ()], "low": [1.5, math.nan], "note": [None, "x"]}
    )
    html = _table(df, "t")
    assert "(F2,)" not in html and "()" not in html and "NaN" not in html and "None" not in html
    assert "<td>F2</td>" in html
    assert html.count("<td></td>") == 3  # the empty claims, the missing low, the missing note


def test_in_long_tables_rows_that_are_zero_throughout_are_hidden_and_counted():
    names = [f"n{i}" for i in range(COLLAPSE_ROWS + 2)]
    values = [1.0, 0.0, -0.0] + [2.0] * (COLLAPSE_ROWS - 1)
    df = pd.DataFrame({"cause": names, "value": values, "other": [0] * len(names)})
    html = _table(df, "t")
    assert "<td>n0</td>" in html and "<td>n1</td>" not in html and "<td>n2</td>" not in html
    assert "2 row(s) that are zero throughout are not shown" in html
    # in a short table every row is shown
    assert "<td>n1</td>" in _table(df.head(3), "short")


def test_long_tables_are_collapsed():
    df = pd.DataFrame({"k": range(COLLAPSE_ROWS + 1), "v": range(1, COLLAPSE_ROWS + 2)})
    assert _table(df, "long").startswith("<details><summary>long (13 rows)</summary>")
    assert not _table(df.head(3), "short").startswith("<details>")


@pytest.fixture(scope="module")
def nixon_run():
    return run_scenario(load("nixon-1972"), RunOptions(seed=0, draws=0))


def test_the_report_answers_first(nixon_run):
    html = render_report(nixon_run)
    headings = re.findall(r"<h2 id='([^']+)'>", html)
    assert headings[:3] == ["price", "causes", "by-year"]
    assert (
        headings.index("model-realignment") < headings.index("classic") < headings.index("claims")
    )
    answer = html.index("class='answer'")
    assert answer < html.index("<h2")
    assert "China aligns with United States" in html[answer : html.index("<h2")]
    assert "<dt>willingness to pay</dt>" in html and "<dt>pivot</dt>" in html


def test_every_report_figure_has_titled_axes(nixon_run):
    figs = report_figures(nixon_run)
    assert {"price", "decomposition", "by-year"} <= set(figs)
    for name, fig in figs.items():
        layout = fig.layout
        for axis in ("xaxis", "yaxis"):
            if getattr(layout, axis) is not None and name.startswith(
                ("price", "decomposition", "by-year")
            ):
                assert getattr(layout, axis).title.text, f"{name}: {axis} has no title"
