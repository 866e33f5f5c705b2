"""The dashboard in a real browser: it loads cleanly, recomputes, discovers, and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
TIMEOUT_MS = 60_000


def _ready(page: Any, panel: str = "a") -> None:
    page.wait_for_selector(f'[data-testid="panel-{panel}"][data-state="ready"]', timeout=TIMEOUT_MS)


def _open(page: Any, url: str, scenario: str) -> Any:
    page.goto(url)
    _ready(page)
    panel = page.locator('[data-testid="panel-a"]')
    if panel.locator('[data-testid="scenario"]').input_value() != scenario:
        panel.locator('[data-testid="scenario"]').select_option(scenario)
        page.wait_for_timeout(200)
        _ready(page)
    return panel


def _figure_data(page: Any, panel: str, figure: str) -> Any:
    return page.evaluate(
        '([p, f]) => { const d = document.querySelector(`[data-testid="panel-${p}"] [data-figure="${f}"]`);'
        " return d && d.data ? JSON.parse(JSON.stringify(d.data)) : null; }",
        [panel, figure],
    )


def _axis_titles(page: Any) -> list[dict[str, Any]]:
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].map(d => ({
            id: d.dataset.figure || d.id,
            x: d.layout && d.layout.xaxis && d.layout.xaxis.title && d.layout.xaxis.title.text,
            y: d.layout && d.layout.yaxis && d.layout.yaxis.title && d.layout.yaxis.title.text,
        }))"""
    )


def test_dashboard_loads_without_errors_and_every_figure_has_axis_titles(
    page, dashboard_url, screenshots
):
    _open(page, dashboard_url, "reverse-kissinger")
    answer = page.locator('[data-testid="panel-a"] [data-testid="answer"]').inner_text()
    assert "P(realigns)" in answer
    page.screenshot(path=str(screenshots / "dashboard-flagship.png"), full_page=True)
    assert page.problems == []
    titles = _axis_titles(page)
    assert titles, "no figure drawn"
    untitled = [t for t in titles if not (t["x"] and t["y"])]
    assert untitled == [], f"figures without axis titles: {untitled}"
