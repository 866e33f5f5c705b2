"""Running a scenario: every applicable model, optional draws, one summary, one report.

Design → execution → collection are separate steps: :func:`run_scenario` asks the registry which
models apply, calls each model's ``analyze`` on the point values, and, when draws are asked for,
hands the models' vectorised ``evaluate`` functions to the experiment layer. The result is a
:class:`RunResult` that the CLI prints and writes (``summary.json``, ``report.html``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realpolitik.models import registry
from realpolitik.models.registry import Analysis, AnalysisContext
from realpolitik.scenario.model import Scenario


@dataclass(frozen=True)
class RunOptions:
    seed: int = 0
    draws: int = 0
    workers: int | None = None
    cluster: str | None = None
    store: Path | None = None
    resume: bool = False
    batch_size: int | None = None
    analyses: tuple[str, ...] | None = None
    progress: bool = False
    sensitivity: bool = True


@dataclass
class RunResult:
    """What a run produced: per-model analyses, the draws' summary, and the JSON summary."""

    scenario: Scenario
    options: RunOptions
    analyses: dict[str, Analysis]
    experiment: dict[str, Any] | None = None
    summary: dict[str, Any] = field(default_factory=dict)

    def write(self, out_dir: Path, report: bool = True) -> None:
        """Write ``summary.json`` (and ``report.html``) into ``out_dir``, atomically."""
        from realpolitik.jsonio import dumps
        from realpolitik.scenario.dump import write_text_atomic

        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        write_text_atomic(out_dir / "summary.json", dumps(self.summary) + "\n")
        if report:
            from realpolitik.report.html import render_report

            write_text_atomic(out_dir / "report.html", render_report(self))


def analyses_for(scenario: Scenario, wanted: tuple[str, ...] | None = None) -> list[str]:
    """The models a run of ``scenario`` uses: those asked for, or every one that applies."""
    names = wanted or scenario.spec.analyses
    if names:
        for name in names:
            registry.get(name)  # raises a clear ModelError for an unknown name
        return list(names)
    return [name for name, spec in registry.available().items() if spec.applies_to(scenario)]


def run_scenario(scenario: Scenario, options: RunOptions | None = None) -> RunResult:
    """Run ``scenario``: point analyses of every model, then draws if ``options.draws > 0``."""
    from realpolitik import __version__

    options = options or RunOptions()
    names = analyses_for(scenario, options.analyses)
    ctx = AnalysisContext(seed=options.seed, draws=options.draws)
    analyses: dict[str, Analysis] = {}
    for name in names:
        spec = registry.get(name)
        if not spec.applies_to(scenario):
            continue
        analyses[name] = spec.analyze(scenario, ctx)
    experiment = None
    if options.draws > 0:
        from realpolitik.experiment.scenario_runs import run_draws

        experiment = run_draws(scenario, [n for n in analyses], options)
        for name, extra in experiment.get("per_model", {}).items():
            if name in analyses:
                analyses[name].summary.update(extra)
    summary: dict[str, Any] = {
        "realpolitik": __version__,
        "scenario": {
            "name": scenario.name,
            "title": scenario.title,
            "file": scenario.file,
            "year": scenario.spec.year,
            "unit": scenario.spec.unit,
        },
        "scenario_hash": scenario.content_hash,
        "seed": options.seed,
        "draws": options.draws,
        "models": list(analyses),
    }
    for name, analysis in analyses.items():
        summary[name] = analysis.summary
    if experiment is not None:
        for key in ("run_id", "store", "outcomes", "sensitivity", "discovery"):
            if key in experiment:
                summary[key] = experiment[key]
    return RunResult(scenario, options, analyses, experiment, summary)
