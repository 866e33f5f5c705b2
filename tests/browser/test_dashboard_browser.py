"""The dashboard in a real browser: it loads cleanly, recomputes, discovers, and exports."""

from __future__ import annotations

import subprocess
import sys
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


#: A lever whose slider moves the flagship's price and waterfall: China's credit raises what
#: China can bid to keep Russia, which the courter's package must make up.
MOVING_LEVER = "levers.cn-credit.value"


def test_moving_a_lever_slider_changes_the_price_and_the_waterfall(
    page, dashboard_url, screenshots
):
    panel = _open(page, dashboard_url, "reverse-kissinger")
    before_answer = panel.locator('[data-testid="answer"]').inner_text()
    before = _figure_data(page, "a", "decomposition")
    assert before, "no waterfall"
    hash_before = panel.get_attribute("data-hash")
    slider = panel.locator(f'[data-testid="slider-{MOVING_LEVER}"]')
    high = slider.get_attribute("max")
    slider.fill(high)
    page.wait_for_function(
        "h => document.querySelector('[data-testid=\"panel-a\"]').dataset.hash !== h",
        arg=hash_before,
        timeout=TIMEOUT_MS,
    )
    _ready(page)
    after_answer = panel.locator('[data-testid="answer"]').inner_text()
    after = _figure_data(page, "a", "decomposition")
    assert after_answer != before_answer
    assert after[0]["y"] != before[0]["y"]
    assert MOVING_LEVER in panel.locator('[data-testid="changes"]').inner_text()
    page.screenshot(path=str(screenshots / "dashboard-after-slider.png"), full_page=True)
    assert page.problems == []


def test_choosing_a_prim_box_shows_its_conditions(page, dashboard_url, screenshots):
    panel = _open(page, dashboard_url, "reverse-kissinger")
    panel.locator('[data-testid="discovery"] summary').click()
    panel.locator('[data-testid="outcome"]').select_option("hedges")
    panel.locator('[data-testid="discover"]').click()
    page.wait_for_selector('[data-testid="panel-a"][data-discovery="ready"]', timeout=TIMEOUT_MS)
    page.wait_for_selector(
        '[data-testid="panel-a"] [data-testid="box-conditions"]', timeout=TIMEOUT_MS
    )
    points = page.evaluate(
        '() => document.querySelector(\'[data-testid="panel-a"] [data-testid="tradeoff"]\').data[0].x.length'
    )
    assert points >= 3
    # choose another box on the trade-off curve: the second point (one peel from the full space)
    page.evaluate(
        """() => { const gd = document.querySelector('[data-testid="panel-a"] [data-testid="tradeoff"]');
        gd.emit('plotly_click', {points: [{pointIndex: 1}]}); }"""
    )
    summary = panel.locator('[data-testid="box-summary"]').inner_text()
    assert summary.startswith("Box at step 1:")
    rows = panel.locator('[data-testid="box-conditions"] tr')
    assert rows.count() == 2  # the header and the one condition of the first peel
    page.screenshot(path=str(screenshots / "dashboard-prim.png"), full_page=True)
    assert page.problems == []


def test_exported_scenario_passes_validate(page, dashboard_url, tmp_path):
    panel = _open(page, dashboard_url, "reverse-kissinger")
    slider = panel.locator(f'[data-testid="slider-{MOVING_LEVER}"]')
    slider.fill(slider.get_attribute("max"))
    panel.locator('[data-testid="select-levers.sphere-of-influence.commitment"]').select_option(
        "ratified-treaty"
    )
    _ready(page)
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        panel.locator('[data-testid="export"]').click()
    target = tmp_path / "edited.yaml"
    info.value.save_as(str(target))
    text = target.read_text(encoding="utf-8")
    assert "CHANGED: value 8 -> 20." in text
    assert "CHANGED: commitment executive-agreement -> ratified-treaty." in text
    result = subprocess.run(
        [sys.executable, "-m", "realpolitik", "validate", str(target)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_two_scenarios_side_by_side(page, dashboard_url, screenshots):
    _open(page, dashboard_url, "reverse-kissinger")
    page.locator('[data-testid="side-by-side"]').check()
    _ready(page, "b")
    a = page.locator('[data-testid="panel-a"] [data-testid="scenario"]').input_value()
    b = page.locator('[data-testid="panel-b"] [data-testid="scenario"]').input_value()
    assert {a, b} == {"reverse-kissinger", "nixon-1972"}
    page.wait_for_timeout(500)  # let panel A's figures settle at their new width
    page.screenshot(path=str(screenshots / "dashboard-side-by-side.png"), full_page=True)
    assert page.problems == []
