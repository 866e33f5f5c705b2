"""Writing a run's files: ``summary.json`` (the data) and ``report.html`` (the report)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.scenario_run import ScenarioRun


def write_run(run: ScenarioRun, out_dir: Path, report: bool = True) -> None:
    """Write ``summary.json`` (and ``report.html``) into ``out_dir``, each atomically."""
    from realpolitik.jsonio import dumps
    from realpolitik.scenario.dump import write_text_atomic

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out_dir / "summary.json", dumps(run.summary) + "\n")
    if report:
        from realpolitik.report.html import render_report

        write_text_atomic(out_dir / "report.html", render_report(run))
