"""The scenario's verbs, for notebooks and scripts: ``scenario.analyze()``, ``scenario.experiment()``
and ``scenario.run()`` call these functions (installed by the package root, see
:mod:`realpolitik.hooks`). They are thin: each builds :class:`~realpolitik.experiment.options.
RunOptions` and calls the experiment layer; ``run`` also writes the files the CLI writes.

>>> import realpolitik
>>> s = realpolitik.load("nixon-1972")
>>> s.analyze(models=["realignment"])["realignment"].outcome
'realigns'
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.options import RunOptions
    from realpolitik.experiment.scenario_run import Analysis, Experiment, ScenarioRun
    from realpolitik.scenario.model import Scenario


def _run_options(
    draws: int,
    seed: int,
    store: str | os.PathLike[str] | None,
    workers: int | None,
    cluster: str | None,
    batch_size: int | None,
    resume: bool,
    progress: bool,
    **more: Any,
) -> RunOptions:
    """The verbs' :class:`~realpolitik.experiment.options.RunOptions`, built in one place."""
    from realpolitik.experiment.options import RunOptions

    return RunOptions(
        seed=seed,
        draws=draws,
        workers=workers,
        cluster=cluster,
        store=None if store is None else Path(store),
        batch_size=batch_size,
        resume=resume,
        progress=progress,
        **more,
    )


def analyze(scenario: Scenario, models: Sequence[str] | None = None, seed: int = 0) -> Analysis:
    """Point run of ``models`` (default: every model that applies): typed results by model name."""
    from realpolitik.experiment.scenario_run import analyses_for
    from realpolitik.experiment.scenario_run import analyze as analyze_models

    return analyze_models(scenario, analyses_for(scenario, models), seed=seed)


def experiment(
    scenario: Scenario,
    draws: int = 1000,
    seed: int = 0,
    store: str | os.PathLike[str] | None = None,
    *,
    models: Sequence[str] | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    batch_size: int | None = None,
    explain: bool = False,
    resume: bool = False,
    progress: bool = False,
) -> Experiment:
    """``draws`` draws of the scenario's uncertain numbers through every model that evaluates them.

    The draws stay reachable with or without a store (``.to_frame()``, ``.outcome(name)``);
    ``.summary()`` gives the declared outcomes over the draws. With ``explain``, sensitivity and
    discovery run too (``.outcome_sensitivity``: every declared outcome from the draws;
    ``.sensitivity``: Sobol' indices of one quantity; ``.discovery``).
    """
    from realpolitik.experiment.scenario_run import analyses_for, run_draws

    options = _run_options(
        draws, seed, store, workers, cluster, batch_size, resume, progress, sensitivity=explain
    )
    return run_draws(scenario, analyses_for(scenario, models), options)


def run(
    scenario: Scenario,
    draws: int = 0,
    seed: int = 0,
    out: str | os.PathLike[str] | None = None,
    *,
    store: str | os.PathLike[str] | None = None,
    models: Sequence[str] | None = None,
    workers: int | None = None,
    cluster: str | None = None,
    batch_size: int | None = None,
    resume: bool = False,
    report: bool = True,
    progress: bool = False,
    store_inputs: bool = False,
) -> ScenarioRun:
    """Everything ``realpolitik run`` does: every model, ``draws`` draws explained, and, with
    ``out``, ``summary.json`` and ``report.html`` written there (the draws stored in ``out/store``
    unless ``store`` is given)."""
    from realpolitik.experiment.scenario_run import run_scenario

    if store is None and out is not None:
        store = Path(out) / "store"
    options = _run_options(
        draws,
        seed,
        store,
        workers,
        cluster,
        batch_size,
        resume,
        progress,
        analyses=None if models is None else tuple(models),
        store_inputs=store_inputs,
    )
    result = run_scenario(scenario, options)
    if out is not None:
        from realpolitik.report.write import write_run

        write_run(result, Path(out), report=report)
    return result
