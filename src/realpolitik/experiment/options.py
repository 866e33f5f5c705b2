"""How a scenario run is asked for (:class:`RunOptions`), and the rules that turn the options into
an executor and a batch size, written once for every step that evaluates the model (draws,
Sobol' designs, PRIM's draws)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Fewest draws per batch: below this, dispatching a batch costs more than evaluating it.
MIN_BATCH = 1_000
#: Most draws per batch: the unit of memory (inputs and outputs of a batch are held at once).
MAX_BATCH = 20_000
#: Batches per run aimed at, so that two to eight workers each get several (balanced finish).
TARGET_BATCHES = 8


@dataclass(frozen=True)
class RunOptions:
    """What ``realpolitik run`` (and :func:`~realpolitik.experiment.scenario_run.run_scenario`)
    is asked to do.

    Attributes
    ----------
    seed : int
        Root seed of every draw and of the models' own randomness (0 is a seed).
    draws : int
        Monte Carlo draws over the scenario's uncertainties (0: point values only).
    workers : int, optional
        Worker processes (default: the usable CPUs); 1 runs in this process.
    cluster : str, optional
        A Dask scheduler address, or ``"local"`` for a LocalCluster; used by every step that
        evaluates the model.
    store : Path, optional
        Results store for the draws (without one they are kept in memory).
    resume : bool
        Continue an interrupted run with the same settings.
    batch_size : int, optional
        Draws per batch (default: :func:`batch_size_for`).
    analyses : tuple of str, optional
        The models to run (default: the scenario's ``analyses`` or every model that applies).
    progress : bool
        Show a progress bar on stderr.
    sensitivity : bool
        Explain the draws: Sobol' indices and scenario discovery on the declared outcomes.
    store_inputs : bool
        Store every draw's inputs too (by default they are regenerated from the batch seeds).
    """

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
    store_inputs: bool = False


def executor_for(options: RunOptions) -> dict[str, Any]:
    """Keyword arguments (``executor``, ``workers``, ``cluster_address``) for every step that
    evaluates the model (draws, Sobol' and Morris designs, discovery's draws), from the options'
    ``workers`` and ``cluster``: one rule, so that ``--cluster`` reaches every step.

    >>> executor_for(RunOptions(workers=1))
    {'executor': 'serial', 'workers': 1, 'cluster_address': None}
    >>> executor_for(RunOptions(cluster="tcp://h:8786"))["executor"]
    'dask'
    """
    if options.cluster:
        return {
            "executor": "dask",
            "workers": options.workers,
            "cluster_address": None if options.cluster == "local" else options.cluster,
        }
    return {
        "executor": "serial" if options.workers == 1 else "processes",
        "workers": options.workers,
        "cluster_address": None,
    }


def batch_size_for(draws: int, requested: int | None = None) -> int:
    """Draws per batch: ``requested``, or about :data:`TARGET_BATCHES` batches within
    [:data:`MIN_BATCH`, :data:`MAX_BATCH`].

    >>> batch_size_for(20_000), batch_size_for(500), batch_size_for(10**6)
    (2500, 1000, 20000)
    """
    if requested:
        return int(requested)
    return min(MAX_BATCH, max(MIN_BATCH, draws // TARGET_BATCHES or 1))
