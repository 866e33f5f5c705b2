"""Batched evaluation of an experiment, with seeds fixed before dispatch.

A run of ``draws`` draws is cut into ``n_batches = ceil(draws / batch_size)`` batches; batch ``b``
holds draws ``b * batch_size`` up to the next batch. Before anything is dispatched the parent
derives one seed per batch, ``spawn_seeds(seed, n_batches)[b]``; inside the batch that seed is
split once more into a stream for the inputs and a stream for the model's own randomness. The
draws of a batch therefore depend only on ``(seed, draws, batch_size, sampler, b)``, never on the
executor, the number of workers or the order in which batches finish (see
``docs/explanation/randomness.md``).

References
----------
O'Neill, M. E. (2015). PCG: a family of simple fast space-efficient statistically good algorithms
for random number generation. (NumPy's ``SeedSequence`` follows her seeding design.)
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench. *Environmental Modelling & Software* 96
(the vocabulary of uncertainties, outcomes and experiments).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import ModelError, RealpolitikError
from realpolitik.experiment.inputs import (
    BATCH_METADATA_KEY,
    batch_inputs,
    child_seed,
    seed_record,
)
from realpolitik.experiment.statistics import (
    ColumnStatistics,
    batch_statistics,
    column_statistics,
    merge_statistics,
    summary_table,
)
from realpolitik.experiment.uncertainty import SAMPLERS, ExperimentSpec
from realpolitik.rng import spawn_seeds
from realpolitik.version import __version__

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.executors import Executor
    from realpolitik.experiment.store import Store

__all__ = ["ExperimentError", "RunResult", "evaluate_design", "run_experiment"]

DEFAULT_BATCH_SIZE = 10_000
#: Most draws of a run whose workers hand its inputs back when the store does not keep them
#: (and whose explanations read it into memory at once: :mod:`realpolitik.experiment.draws_frame`).
IN_MEMORY_DRAWS = 100_000


class ExperimentError(RealpolitikError, ValueError):
    """An experiment asked for in a way that cannot run (bad draws, batch size, sampler, resume)."""


# ---------------------------------------------------------------------------------------------
# Seeds


def design_seed(seed: int) -> np.random.SeedSequence:
    """The seed of what the whole run shares (LHS permutations, Sobol' scrambling).

    Its spawn key has two words, so it never equals a batch seed (one word).
    """
    return np.random.SeedSequence(seed, spawn_key=(2**32 - 1, 0))


# ---------------------------------------------------------------------------------------------
# One batch (runs in a worker)


@dataclass(frozen=True)
class _BatchTask:
    spec: bytes | ExperimentSpec  # pickled for other processes (unpickled once per worker)
    index: int
    start: int
    stop: int
    draws: int
    seed: np.random.SeedSequence
    design_seed: np.random.SeedSequence
    sampler: str
    out: str | None = None  # Parquet path, or None to return the columns
    unit: np.ndarray | None = None  # a given unit-cube design (sensitivity designs)
    correlate: bool = True
    statistics: bool = False  # summarise the outcomes where the batch is evaluated
    store_inputs: bool = True  # write the inputs to the batch file (else regenerated on demand)
    return_columns: bool = False  # hand every column back (a stored run, small)


@dataclass
class _BatchReport:
    index: int
    rows: int
    outcomes: tuple[str, ...]
    seconds: float
    columns: dict[str, np.ndarray] | None = None
    statistics: dict[str, ColumnStatistics] | None = None
    record: tuple[int, int, str] | None = None  # its file's rows, bytes and SHA-256


_SPEC_CACHE: dict[bytes, ExperimentSpec] = {}


def _load_spec(blob: bytes | ExperimentSpec) -> ExperimentSpec:
    if isinstance(blob, ExperimentSpec):
        return blob
    key = hashlib.sha1(blob).digest()
    spec = _SPEC_CACHE.get(key)
    if spec is None:
        _SPEC_CACHE.clear()
        spec = _SPEC_CACHE[key] = pickle.loads(blob)
    return spec


def _check_outputs(out: Any, n: int, reserved: set[str]) -> dict[str, np.ndarray]:
    if not isinstance(out, dict) or not out:
        raise ModelError("model.evaluate must return a non-empty dict of outcome arrays")
    checked = {}
    for name, values in out.items():
        arr = np.asarray(values)
        if not isinstance(name, str) or name in reserved:
            raise ModelError(f"outcome name {name!r} is not a string or clashes with an input path")
        if arr.shape != (n,):
            raise ModelError(f"outcome {name!r} has shape {arr.shape}, expected ({n},)")
        if arr.dtype.kind not in "biuf":
            raise ModelError(f"outcome {name!r} has dtype {arr.dtype}, expected bool, int or float")
        checked[name] = arr
    return checked


def _batch_table(task: _BatchTask, columns: dict[str, np.ndarray]) -> Any:
    """The batch as an Arrow table whose metadata holds its seeds and draws."""
    from realpolitik.experiment.store import arrow_table

    meta = {
        "batch": task.index,
        "start": task.start,
        "stop": task.stop,
        "seed": seed_record(task.seed),
        "design_seed": seed_record(task.design_seed),
        "sampler": task.sampler,
        "draws": task.draws,
        "inputs_stored": task.store_inputs,
    }
    table = arrow_table(columns)
    return table.replace_schema_metadata({BATCH_METADATA_KEY: json.dumps(meta).encode()})


#: glibc's ``mallopt`` parameters (``malloc.h``) and the values a worker sets (see
#: :func:`tune_allocator`).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
WORKER_MMAP_THRESHOLD = 32 << 20
WORKER_TRIM_THRESHOLD = 128 << 20
_allocator_tuned: list[bool] = []


def tune_allocator() -> bool:
    """Keep a worker's freed memory for its next batch (glibc only; once per process).

    A flagship batch allocates and frees arrays of several megabytes by the hundred. glibc
    serves blocks above its mmap threshold (at most 32 MB, raised as such blocks are freed) with
    fresh pages from the system and gives memory above its trim threshold back at each free, so
    that every batch faulted in and zeroed some 10,000 new pages (about 40 MB): 25 ms of a 420 ms
    batch of 20,000 draws on a 2-core EPYC. With the thresholds fixed at 32 and 128 MB the heap
    keeps what a batch freed and the next batch reuses it (about 150 page faults a batch); the
    peak memory is the same, since nothing is kept beyond what a batch used at once. Only the
    allocator changes: every number is the same. Returns whether the thresholds were set (not on
    other systems or C libraries, where this does nothing).
    """
    if _allocator_tuned:
        return _allocator_tuned[0]
    done = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            mallopt = ctypes.CDLL(None).mallopt
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            done = bool(mallopt(_M_MMAP_THRESHOLD, WORKER_MMAP_THRESHOLD)) and bool(
                mallopt(_M_TRIM_THRESHOLD, WORKER_TRIM_THRESHOLD)
            )
        except (OSError, AttributeError):  # no C library to ask, or not glibc's
            done = False
    _allocator_tuned.append(done)
    return done


def _run_batch(task: _BatchTask) -> _BatchReport:
    from realpolitik.experiment.store import batch_record, write_batch

    if isinstance(task.spec, bytes):  # a worker process (in this one, the caller's allocator)
        tune_allocator()
    t0 = time.perf_counter()
    spec = _load_spec(task.spec)
    m = task.stop - task.start
    if task.unit is None:
        samples = batch_inputs(
            spec, task.sampler, task.draws, task.start, task.stop, task.seed, task.design_seed
        )
    else:
        samples = spec.transform(task.unit, correlate=task.correlate)
    outputs = spec.model.evaluate(dict(samples), np.random.default_rng(child_seed(task.seed, 1)))
    outputs = _check_outputs(outputs, m, {"draw", *samples})
    draw = np.arange(task.start, task.stop, dtype=np.int64)
    columns = {"draw": draw, **samples, **outputs}
    record = None
    if task.out is not None:
        kept = columns if task.store_inputs else {"draw": draw, **outputs}
        write_batch(task.out, _batch_table(task, kept))
        record = batch_record(task.out)  # for the catalogue, here rather than all in the parent
    stats = batch_statistics(outputs) if task.statistics else None
    seconds = time.perf_counter() - t0
    returned = columns if task.out is None or task.return_columns else None
    return _BatchReport(task.index, m, tuple(outputs), seconds, returned, stats, record)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass
class RunResult:
    """What :func:`run_experiment` returns: where the draws are and what the run was.

    With a store, the draws stay on disk (``store``, ``run_id``); without one they are held in
    ``frame``. Either way :meth:`to_frame`, :meth:`query`, :meth:`summary` and
    :meth:`summary_dict` work the same.
    """

    run_id: str | None
    seed: int
    draws: int
    batch_size: int
    sampler: str
    inputs: list[str]
    outcomes: list[str]
    scenario: str
    scenario_hash: str
    package_version: str
    status: str
    elapsed: float
    batches_run: int
    store: Store | None = None
    frame: pd.DataFrame | None = field(default=None, repr=False)
    statistics: dict[str, ColumnStatistics] | None = field(default=None, repr=False)
    #: A stored run that does not store its inputs, small enough (:data:`IN_MEMORY_DRAWS`)
    #: and run here in full: the
    #: inputs as the workers drew them (``draw`` and one array per key path, in draw order), so
    #: that its explanations need not regenerate them. None otherwise.
    drawn_inputs: dict[str, np.ndarray] | None = field(default=None, repr=False)
    #: A stored run small enough (:data:`IN_MEMORY_DRAWS`) and run here in full: every column
    #: as the workers handed it back with its batch (``draw``, the inputs, the outcomes, in draw
    #: order; the same numbers its batch files hold), so that its explanations need not read
    #: the files back. None otherwise.
    drawn_columns: dict[str, np.ndarray] | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        """Every draw as a DataFrame (``draw``, inputs, outcomes), ordered by draw."""
        if self.store is not None:
            return self.store.load_draws(str(self.run_id))
        if self.frame is None:  # pragma: no cover - a RunResult has one or the other
            raise ExperimentError("this result holds no draws")
        return self.frame

    def draws_at(self, draws: Any) -> pd.DataFrame:
        """The draws of the given indices (``draw``, inputs, outcomes), by increasing draw."""
        if self.store is not None:
            return self.store.draws_at(str(self.run_id), draws)
        frame = self.to_frame()
        return frame.iloc[np.unique(np.asarray(draws, dtype=np.int64))].reset_index(drop=True)

    def query(self, sql: str) -> pd.DataFrame:
        """SQL over the view ``draws`` (DuckDB)."""
        if self.store is not None:
            return self.store.query(str(self.run_id), sql)
        import duckdb

        with duckdb.connect(":memory:") as con:
            con.register("draws", self.frame)
            return con.execute(sql).df()

    def outcome_statistics(self) -> dict[str, ColumnStatistics]:
        """Per outcome, the statistics of its draws (see :mod:`realpolitik.experiment.statistics`):
        computed in the workers and merged in batch order; rebuilt from the draws if missing."""
        if self.statistics is None:
            if self.store is not None:
                self.statistics = self.store.run_statistics(str(self.run_id), self.outcomes)
            else:
                frame = self.to_frame()
                self.statistics = {o: column_statistics(frame[o].to_numpy()) for o in self.outcomes}
        return self.statistics

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Per outcome: mean, central ``level`` interval of the draws (``low``, ``high``, within
        :data:`~realpolitik.experiment.statistics.QUANTILE_RELATIVE_ERROR` of the exact
        quantiles), ``n``, over the draws where the outcome is not NaN (``n`` counts them)."""
        return summary_table(self.outcome_statistics(), self.outcomes, level)

    def summary_dict(self) -> dict[str, Any]:
        """JSON-ready: ``draws``, ``seed``, ``scenario_hash`` and
        ``outcomes: {name: {mean, low, high}}``."""
        from realpolitik.experiment.store import _summary_dict

        row = {
            "run_id": self.run_id,
            "scenario": self.scenario,
            "scenario_hash": self.scenario_hash,
            "seed": self.seed,
            "sampler": self.sampler,
            "batch_size": self.batch_size,
            "package_version": self.package_version,
        }
        return _summary_dict(row, self.summary())


# ---------------------------------------------------------------------------------------------
# Running


def _shareable(spec: ExperimentSpec, executor: Any) -> bytes | ExperimentSpec:
    """The spec as tasks carry it: as is for in-process execution, else pickled once."""
    from realpolitik.experiment.executors import SerialExecutor

    if executor == "serial" or isinstance(executor, SerialExecutor):
        return spec  # a model need not be picklable to run in this process
    try:
        return pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError) as exc:
        raise ExperimentError(
            "the model must be picklable to run in other processes (define its class at the top "
            f"level of a module), or use executor='serial': {exc}"
        ) from exc


def _positive_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ExperimentError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _description(spec: ExperimentSpec) -> dict[str, Any]:
    return {
        "scenario": spec.scenario_name,
        "scenario_hash": spec.scenario_hash,
        "models": list(spec.model_names),
        "uncertainties": [
            {
                "path": u.path,
                "dist": u.distribution.to_spec(),
                "label": u.label,
                "claims": list(u.claims),
            }
            for u in spec.uncertainties
        ],
        "correlation": None if spec.correlation is None else spec.correlation.tolist(),
    }


def _fingerprint(description: dict[str, Any], **params: Any) -> str:
    blob = json.dumps({**description, **params}, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def run_experiment(
    spec: ExperimentSpec,
    draws: int,
    seed: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    executor: str | Executor = "processes",
    workers: int | None = None,
    cluster_address: str | None = None,
    store: Store | str | os.PathLike | None = None,
    resume: bool | str = False,
    progress: bool = False,
    sampler: str = "mc",
    store_inputs: bool = False,
) -> RunResult:
    """Evaluate ``spec.model`` over ``draws`` sampled draws of the uncertain inputs.

    Parameters
    ----------
    spec : ExperimentSpec
        Uncertainties, correlation, model and metadata.
    draws : int
        Number of draws.
    seed : int
        Root seed (``0`` is a seed). Batch ``b`` uses ``spawn_seeds(seed, n_batches)[b]``.
    batch_size : int
        Draws per batch: the unit of work, of memory and of resumption. Part of the result's
        identity: the same ``(seed, draws, batch_size, sampler)`` gives the same draws.
    executor : {"processes", "serial", "dask"} or Executor
        Where batches run (see :mod:`realpolitik.experiment.executors`).
    workers : int, optional
        Worker processes (or LocalCluster workers); default: the usable CPUs.
    cluster_address : str, optional
        A running Dask scheduler; implies ``executor="dask"``.
    store : Store or path, optional
        Results store. With a store each batch is written to its own Parquet file as soon as it
        finishes and nothing accumulates in memory; without one the draws are returned in
        ``RunResult.frame``.
    resume : bool or str
        ``True``: continue the newest unfinished run in ``store`` with the same scenario hash,
        uncertainties, seed, draws, batch size and sampler; a string: continue that run id.
        Only missing batches are evaluated; the result is byte-identical to an uninterrupted run.
    progress : bool
        Show a Rich progress bar with an ETA (on stderr).
    sampler : {"mc", "lhs", "sobol"}
        Monte Carlo, Latin hypercube over the whole run, or scrambled Sobol' (see
        :mod:`realpolitik.experiment.uncertainty`).
    store_inputs : bool
        Write the inputs of every draw to the store too. By default a batch file holds the
        draws' outcomes and, in its metadata, the batch's seeds: the inputs are regenerated from
        them, exactly, when a query or a load needs them (:meth:`Store.regenerate_inputs
        <realpolitik.experiment.store.Store.regenerate_inputs>`).

    Returns
    -------
    RunResult

    Raises
    ------
    ExperimentError
        For bad arguments, or ``resume`` without a matching run.
    ModelError
        When the model returns something other than 1-D arrays of the batch's length.
    KeyboardInterrupt
        Re-raised after the store has been left consistent: finished batches kept, the run marked
        ``interrupted``.
    """
    settings = _checked_settings(spec, draws, batch_size, seed, sampler, bool(store_inputs))
    plan = _plan_run(spec, settings, store, resume, executor)
    outcomes, batches, status, elapsed = _execute_run(
        plan, executor, workers, cluster_address, progress
    )
    return _collect_run(plan, outcomes, batches, status, elapsed)


@dataclass(frozen=True)
class _Settings:
    """The checked arguments that identify a run's draws."""

    draws: int
    batch_size: int
    seed: int
    sampler: str
    store_inputs: bool = False

    @property
    def n_batches(self) -> int:
        return math.ceil(self.draws / self.batch_size)


@dataclass
class _Batches:
    """What the parent keeps of the batches it ran: their columns (runs without a store),
    their outcomes' statistics and their files' records for the catalogue, by batch index."""

    columns: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)
    statistics: dict[int, dict[str, ColumnStatistics]] = field(default_factory=dict)
    records: dict[int, tuple[int, int, str]] = field(default_factory=dict)


@dataclass
class _RunPlan:
    """What a run will do: its settings, its store and id, and the tasks of the missing batches."""

    spec: ExperimentSpec
    settings: _Settings
    store: Store | None
    run_id: str
    tasks: list[_BatchTask]


def _checked_settings(
    spec: ExperimentSpec, draws: Any, batch_size: Any, seed: Any, sampler: Any, store_inputs: bool
) -> _Settings:
    if not isinstance(spec, ExperimentSpec):
        raise ExperimentError(f"spec must be an ExperimentSpec, got {type(spec).__name__}")
    draws = _positive_int("draws", draws)
    batch_size = _positive_int("batch_size", batch_size)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= seed < 2**64:
        raise ExperimentError(f"seed must be an integer in [0, 2**64), got {seed!r}")
    if sampler not in SAMPLERS:
        raise ExperimentError(f"sampler must be one of {', '.join(SAMPLERS)}, got {sampler!r}")
    if spec.dimension == 0:
        raise ExperimentError("the experiment has no uncertain inputs")
    return _Settings(draws, batch_size, int(seed), sampler, store_inputs)


def _plan_run(
    spec: ExperimentSpec,
    settings: _Settings,
    store: Store | str | os.PathLike | None,
    resume: bool | str,
    executor: str | Executor,
) -> _RunPlan:
    """Open the run in the store (new, or resumed) and make the tasks of its missing batches."""
    from realpolitik.experiment.store import Store

    blob = _shareable(spec, executor)  # before the store records a run: fail early
    if store is not None and not isinstance(store, Store):
        # With a pool already made (an Executor, not a name), a new run's catalogue is written
        # in a thread while its first batches run (a pool made after would fork past it).
        store = Store(store, background=not isinstance(executor, str) and not resume)
    if resume and store is None:
        raise ExperimentError("resume needs a results store")
    description = _description(spec)
    identity = {
        "seed": settings.seed,
        "draws": settings.draws,
        "batch_size": settings.batch_size,
        "sampler": settings.sampler,
        "package_version": __version__,
        "store_inputs": settings.store_inputs,
    }
    fingerprint = _fingerprint(description, **identity)
    pending = list(range(settings.n_batches))
    run_id = ""
    if store is not None and resume:
        run_id, pending = _resume_run(store, resume, fingerprint, settings.n_batches)
    elif store is not None:
        run_id = store.create_run(
            {
                "scenario": spec.scenario_name,
                "scenario_hash": spec.scenario_hash,
                "models": spec.model_names,
                **identity,
                "n_batches": settings.n_batches,
                "inputs": spec.paths,
                "outcomes": list(spec.outcomes or ()),
                "fingerprint": fingerprint,
            },
            {**description, **identity, "fingerprint": fingerprint},
        )
    seeds = spawn_seeds(settings.seed, settings.n_batches)
    dseed = design_seed(settings.seed)
    return_columns = store is not None and settings.draws <= IN_MEMORY_DRAWS
    tasks = [
        _BatchTask(
            blob,
            b,
            b * settings.batch_size,
            min(settings.draws, (b + 1) * settings.batch_size),
            settings.draws,
            seeds[b],
            dseed,
            settings.sampler,
            None if store is None else str(store.batch_path(run_id, b)),
            statistics=True,
            store_inputs=settings.store_inputs,
            return_columns=return_columns,
        )
        for b in pending
    ]
    return _RunPlan(spec, settings, store, run_id, tasks)


def _resume_run(
    store: Store, resume: bool | str, fingerprint: str, n_batches: int
) -> tuple[str, list[int]]:
    """The run to resume (the given id, or the newest unfinished one with the same settings)
    and its missing batches."""
    found = resume if isinstance(resume, str) else store.find_resumable(fingerprint)
    if found is None:
        raise ExperimentError(
            "no unfinished run with the same scenario, uncertainties, seed, draws, "
            f"batch size and sampler in {store.directory}"
        )
    row = store.get_run(found)
    if row["fingerprint"] != fingerprint:
        raise ExperimentError(
            f"run {found} was made with different settings (scenario, uncertainties, "
            "seed, draws, batch size, sampler or package version); cannot resume it"
        )
    store.remove_temporaries(found)
    pending = store.missing_batches(found, n_batches)
    store.update_run(found, status="running")
    return found, pending


def _execute_run(
    plan: _RunPlan,
    executor: str | Executor,
    workers: int | None,
    cluster_address: str | None,
    progress: bool,
) -> tuple[list[str], _Batches, str, float]:
    """Run the plan's tasks; record each batch's outcomes (checked alike), their statistics
    and, without a store, its columns. The store's run is marked complete, interrupted or failed, whatever happens."""
    from realpolitik.experiment.executors import make_executor
    from realpolitik.experiment.progress import progress_bar

    spec, store, run_id = plan.spec, plan.store, plan.run_id
    tasks = plan.tasks
    outcomes: list[str] = list(spec.outcomes or ())
    batches = _Batches()
    done_rows = plan.settings.draws - sum(t.stop - t.start for t in tasks)
    t0 = time.perf_counter()
    status = "failed"
    try:
        with (
            make_executor(executor, workers, cluster_address) as ex,
            progress_bar(
                plan.settings.draws,
                progress,
                completed=done_rows,
                description=spec.scenario_name or "run",
            ) as bar,
        ):
            for report in ex.map_unordered(_run_batch, tasks):
                first = not (batches.columns or batches.statistics or batches.records)
                if store is not None and first:
                    store.wait_for_catalogue()  # the first batch: the run is recorded, or fails
                if not outcomes:
                    outcomes = list(report.outcomes)
                    if store is not None:
                        store.update_run(run_id, outcomes=outcomes)
                elif list(report.outcomes) != outcomes:
                    raise ModelError(
                        f"batch {report.index} returned outcomes {list(report.outcomes)}, "
                        f"expected {outcomes}"
                    )
                if report.columns is not None:
                    batches.columns[report.index] = report.columns
                if report.statistics is not None:
                    batches.statistics[report.index] = report.statistics
                if report.record is not None:
                    batches.records[report.index] = report.record
                bar.advance(report.rows)
        status = "complete"
    except KeyboardInterrupt:
        status = "interrupted"
        raise
    finally:
        if store is not None:
            store.update_run(
                run_id, status=status, finished=status == "complete", records=batches.records
            )
    if store is not None and not outcomes:  # resumed a run whose batches were all present
        outcomes = list(store.get_run(run_id)["outcomes"] or [])
    return outcomes, batches, status, time.perf_counter() - t0


def _collect_run(
    plan: _RunPlan,
    outcomes: list[str],
    batches: _Batches,
    status: str,
    elapsed: float,
) -> RunResult:
    """The :class:`RunResult`: the store's run, or the batches' columns joined in draw order,
    with the outcomes' statistics merged from the batches' (read back from the store for batches
    run before a resume)."""
    spec, settings = plan.spec, plan.settings
    frame = None
    parts = batches.columns
    if plan.store is None:
        import pandas as pd

        cols = ["draw", *spec.paths, *outcomes]
        frame = pd.DataFrame(
            {c: np.concatenate([parts[b][c] for b in sorted(parts)]) for c in cols}
        )
    kept = kept_inputs = None
    if plan.store is not None and status == "complete" and len(parts) == settings.n_batches:
        order = sorted(parts)
        kept = {c: np.concatenate([parts[b][c] for b in order]) for c in parts[order[0]]}
        if not settings.store_inputs:
            kept_inputs = {c: kept[c] for c in ("draw", *spec.paths)}
    per_batch = dict(batches.statistics)
    if plan.store is not None and status == "complete":
        missing = [b for b in range(settings.n_batches) if b not in per_batch]
        per_batch.update(plan.store.batch_statistics(plan.run_id, outcomes, missing))
    statistics = merge_statistics(per_batch) if status == "complete" else None
    return RunResult(
        run_id=plan.run_id or None,
        seed=settings.seed,
        draws=settings.draws,
        batch_size=settings.batch_size,
        sampler=settings.sampler,
        inputs=spec.paths,
        outcomes=outcomes,
        scenario=spec.scenario_name,
        scenario_hash=spec.scenario_hash,
        package_version=__version__,
        status=status,
        elapsed=elapsed,
        batches_run=len(plan.tasks),
        store=plan.store,
        frame=frame,
        statistics=statistics,
        drawn_inputs=kept_inputs,
        drawn_columns=kept,
    )


def evaluate_design(
    spec: ExperimentSpec,
    unit: np.ndarray,
    seed: int,
    batch_size: int = DEFAULT_BATCH_SIZE,
    executor: str | Executor = "serial",
    workers: int | None = None,
    cluster_address: str | None = None,
    correlate: bool = False,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Evaluate the model on a given unit-cube design (rows in order), in batches.

    Used for sensitivity designs (Saltelli, Morris) whose points are fixed in advance. Batch ``b``
    gives the model the generator of ``spawn_seeds(seed, n_batches)[b]``'s model stream, as in
    :func:`run_experiment`. The copula is off by default (variance-based indices assume
    independent inputs).

    Returns
    -------
    (inputs, outputs) : two dicts of arrays, one per input path and per outcome, in design order.
    """
    from realpolitik.experiment.executors import make_executor

    unit = np.asarray(unit, dtype=float)
    if unit.ndim != 2 or unit.shape[1] != spec.dimension:
        raise ExperimentError(f"design must have shape (n, {spec.dimension}), got {unit.shape}")
    n = unit.shape[0]
    batch_size = _positive_int("batch_size", batch_size)
    n_batches = math.ceil(n / batch_size)
    blob = _shareable(spec, executor)
    seeds = spawn_seeds(int(seed), n_batches)
    tasks = [
        _BatchTask(
            blob,
            b,
            b * batch_size,
            min(n, (b + 1) * batch_size),
            n,
            seeds[b],
            design_seed(int(seed)),
            "mc",
            None,
            unit[b * batch_size : min(n, (b + 1) * batch_size)],
            correlate,
        )
        for b in range(n_batches)
    ]
    parts: dict[int, dict[str, np.ndarray]] = {}
    outcomes: tuple[str, ...] = ()
    with make_executor(executor, workers, cluster_address) as ex:
        for report in ex.map_unordered(_run_batch, tasks):
            parts[report.index] = report.columns
            outcomes = report.outcomes
    order = sorted(parts)
    inputs = {p: np.concatenate([parts[b][p] for b in order]) for p in spec.paths}
    outputs = {o: np.concatenate([parts[b][o] for b in order]) for o in outcomes}
    return inputs, outputs
