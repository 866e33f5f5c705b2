"""Running a scenario: every applicable model on the point values, then draws, then explanations.

Plan, execute, collect: :func:`run_scenario` asks the registry which models apply and calls each
model's ``analyze`` (typed results); with draws, :func:`run_draws` hands the models that evaluate
batches to :func:`~realpolitik.experiment.run.run_experiment`, summarises the scenario's declared
outcomes and explains them (:mod:`realpolitik.experiment.explain`). Everything returned is data;
the CLI and the reports render it (:mod:`realpolitik.report`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from realpolitik.experiment.options import RunOptions, batch_size_for, executor_for
from realpolitik.experiment.outcomes import Outcome
from realpolitik.models import registry
from realpolitik.models.registry import AnalysisContext
from realpolitik.models.results import ModelResult
from realpolitik.scenario.model import Scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.explain import DiscoveryFinding, SensitivityFinding
    from realpolitik.experiment.outcome_sensitivity import OutcomeSensitivity
    from realpolitik.experiment.run import RunResult
    from realpolitik.experiment.uncertainty import ExperimentSpec


class Analysis(dict[str, ModelResult]):
    """A point run: the typed result of every model that ran, by model name."""

    def outputs(self) -> pd.DataFrame:
        """Every model's declared outputs at the point values: ``model``, ``output``, ``value``."""
        import pandas as pd

        rows = [
            {"model": name, "output": k, "value": v}
            for name, result in self.items()
            for k, v in result.outputs().items()
        ]
        return pd.DataFrame(rows, columns=["model", "output", "value"])

    def summary(self) -> dict[str, Any]:
        """JSON-ready: each model's summary, by model name."""
        return {name: result.to_summary() for name, result in self.items()}


@dataclass
class Experiment:
    """The draws of a scenario: where they are (in a store or in memory; :meth:`to_frame` either
    way), the declared outcomes' statistics, and the explanations (or why there are none:
    ``skipped``, step -> reason)."""

    draws: int
    seed: int
    models: tuple[str, ...] = ()
    inputs: int = 0
    outcomes: tuple[Outcome, ...] = ()
    statistics: dict[str, dict[str, Any]] = field(default_factory=dict)
    run: RunResult | None = None
    spec: ExperimentSpec | None = None
    sensitivity: SensitivityFinding | None = None  # Sobol' indices of one quantity (secondary)
    outcome_sensitivity: tuple[OutcomeSensitivity, ...] = ()  # every declared outcome, by kind
    discovery: DiscoveryFinding | None = None
    skipped: dict[str, str] = field(default_factory=dict)  # step -> reason code

    @property
    def run_id(self) -> str | None:
        """The run's id in its store (``None`` when the draws are held in memory)."""
        return None if self.run is None else self.run.run_id

    def to_frame(self) -> pd.DataFrame:
        """Every draw: ``draw``, the inputs by key path, and every output column."""
        if self.run is None:
            import pandas as pd

            return pd.DataFrame()
        return self.run.to_frame()

    def outcome(self, name: str) -> pd.Series:
        """The draws of one outcome (a declared outcome's name or any output column), by draw."""
        from realpolitik.experiment.outcomes import resolve_outcome

        columns = {}
        if self.spec is not None:
            from realpolitik.experiment.outcomes import output_columns

            columns = output_columns(self.spec.model.scenario, self.models)
        column = resolve_outcome(self.outcomes, columns, name).column
        frame = self.to_frame()
        return frame.set_index("draw")[column].rename(name)

    def summary(self) -> pd.DataFrame:
        """The declared outcomes over the draws: mean, 95% interval of the mean (``low``,
        ``high``), central 95% of the draws, defined and undefined draws; one row per outcome."""
        import pandas as pd

        rows = []
        for o in self.outcomes:
            s = self.statistics.get(o.column, {})
            rows.append({"outcome": o.name, "kind": o.output.kind, **s})
        return pd.DataFrame(rows).set_index("outcome") if rows else pd.DataFrame()

    def to_summary(self) -> dict[str, Any]:
        """JSON-ready: run id, store, outcome statistics, sensitivity and discovery."""
        stats = dict(self.statistics)
        for o in self.outcomes:  # a declared name that differs from its column gets its own key
            if o.name != o.column and o.column in stats:
                stats[o.name] = stats[o.column]
        out: dict[str, Any] = {
            "run_id": self.run_id,
            "store": None
            if self.run is None or self.run.store is None
            else str(self.run.store.directory),
            "declared_outcomes": [o.to_dict() for o in self.outcomes],
            "outcomes": stats,
        }
        if self.outcome_sensitivity:
            out["sensitivity"] = {"outcomes": [s.to_summary() for s in self.outcome_sensitivity]}
        if self.sensitivity is not None:
            out["sobol"] = {**self.sensitivity.to_summary(), "role": "secondary"}
        if self.discovery is not None:
            out["discovery"] = self.discovery.to_summary()
        if self.skipped:
            out["skipped"] = dict(self.skipped)
        return out


@dataclass
class ScenarioRun:
    """What a run of a scenario produced: typed results per model and, with draws, the draws."""

    scenario: Scenario
    options: RunOptions
    results: Analysis
    draws: Experiment | None = None

    @property
    def summary(self) -> dict[str, Any]:
        """The JSON summary (``summary.json``): provenance, every model's result, the draws."""
        from realpolitik.version import __version__

        s = self.scenario
        out: dict[str, Any] = {
            "realpolitik": __version__,
            "scenario": {
                "name": s.name,
                "title": s.title,
                "file": s.file,
                "year": s.spec.year,
                "unit": s.spec.unit,
            },
            "scenario_hash": s.content_hash,
            "seed": self.options.seed,
            "draws": self.options.draws,
            "models": list(self.results),
        }
        for name, result in self.results.items():
            out[name] = result.to_summary()
        if self.draws is not None:
            out.update(self.draws.to_summary())
        return out


def analyses_for(scenario: Scenario, wanted: Sequence[str] | None = None) -> list[str]:
    """The models a run of ``scenario`` uses: those asked for, or every one that applies."""
    names = tuple(wanted or ()) or scenario.spec.analyses
    if names:
        for name in names:
            registry.get(name)  # raises a clear ModelError for an unknown name
        return list(names)
    return [name for name, spec in registry.available().items() if spec.applies_to(scenario)]


def analyze(
    scenario: Scenario,
    names: Sequence[str],
    seed: int = 0,
    draws: int = 0,
    options: Mapping[str, Any] | None = None,
) -> Analysis:
    """Point runs of the models in ``names`` that apply to ``scenario``: typed results by name.

    ``options`` reach every model's analysis unchanged (:attr:`AnalysisContext.options`); each
    model documents the ones it reads.
    """
    ctx = AnalysisContext(seed=seed, draws=draws, options=dict(options or {}))
    results = Analysis()
    for name in names:
        spec = registry.get(name)
        if spec.applies_to(scenario):
            results[name] = spec.analyze(scenario, ctx)
    return results


def run_scenario(scenario: Scenario, options: RunOptions | None = None) -> ScenarioRun:
    """Run ``scenario``: point analyses of every model, then draws if ``options.draws > 0``."""
    options = options or RunOptions()
    names = analyses_for(scenario, options.analyses)
    if options.draws <= 0:
        return ScenarioRun(scenario, options, analyze(scenario, names, options.seed))
    if executor_for(options)["executor"] != "processes":
        results = analyze(scenario, names, options.seed)
        return ScenarioRun(scenario, options, results, run_draws(scenario, list(results), options))
    start_draw_workers(_model_modules(scenario, names))
    # Worker processes: the point analyses run here while the workers draw (the same results:
    # each model's analysis depends on the scenario and the seed alone).
    results = Analysis()
    applying = [n for n in names if registry.get(n).applies_to(scenario)]

    def point_analyses() -> None:
        results.update(analyze(scenario, names, options.seed))
        import pandas  # noqa: F401 - the explanations' (after the draws), meanwhile

    draws = run_draws(scenario, applying, options, alongside=point_analyses)
    return ScenarioRun(scenario, options, results, draws)


def start_draw_workers(modules: Sequence[str] = (), fork: bool = False) -> None:
    """Get the local worker processes ready for the draws.

    With ``fork`` (the command line, which runs no thread of its own), where
    :func:`~realpolitik.experiment.executors.fork_workers_here` can: import here what the workers
    need (the experiment layer and ``modules``, the models' that will evaluate the draws); the
    run's pool then forks its workers from this process just before the draws, with everything
    imported and the point analyses' imports and caches too. Otherwise start the fork server now,
    which imports the same in the background so that its imports overlap this process's work
    until the draws, and meanwhile, a core being free, import here what this process needs after
    the draws (SciPy's distributions). A fork server already running is kept."""
    from realpolitik.experiment.executors import (
        fork_workers_here,
        forking_workers_here,
        start_fork_server,
    )

    also = ["realpolitik.experiment.scenario_experiment", *modules]
    if forking_workers_here() or (fork and fork_workers_here(also)):
        return
    if start_fork_server(also):
        import scipy.stats  # noqa: F401


def _model_modules(scenario: Scenario, names: Sequence[str]) -> list[str]:
    """The modules of the models in ``names`` that evaluate draws of ``scenario``."""
    models = [registry.get(n) for n in names if registry.get(n).evaluates(scenario)]
    modules = {str(getattr(m.evaluate, "__module__", "__main__")) for m in models}
    modules.discard("__main__")  # a script's model is imported by its workers, as before
    return sorted(modules)


@contextmanager
def _draws_executor(options: RunOptions) -> Iterator[dict[str, Any]]:
    """The executor arguments of every step of a run's draws (the draws, the Sobol' design):
    with local processes, one pool that all steps share, closed when the block ends."""
    kw = executor_for(options)
    if kw["executor"] != "processes":
        yield kw
        return
    from realpolitik.experiment.executors import Executor, make_executor

    pool = make_executor(**kw)

    class KeptOpen(Executor):
        """The shared pool, which the steps use but do not close."""

        name = pool.name
        workers = pool.workers

        def map_unordered(self, fn, tasks):
            return pool.map_unordered(fn, tasks)

    try:
        yield {"executor": KeptOpen(), "workers": None, "cluster_address": None}
    except BaseException:
        pool.close(cancel=True)
        raise
    pool.close()


@contextmanager
def _in_a_thread(work: Callable[[], None] | None) -> Iterator[Callable[[], None]]:
    """Start ``work`` in a thread; yield a function that waits for it and raises its exception.
    Leaving the block waits for it too (an error in the draws is raised, not the work's)."""
    if work is None:
        yield lambda: None
        return
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1, thread_name_prefix="realpolitik-alongside")
    future = pool.submit(work)
    try:
        yield future.result
    finally:
        pool.shutdown(wait=True)


def run_draws(
    scenario: Scenario,
    names: Sequence[str],
    options: RunOptions,
    alongside: Callable[[], None] | None = None,
) -> Experiment:
    """Draws of ``scenario`` through every model in ``names`` that evaluates a batch, the declared
    outcomes' statistics and, with ``options.sensitivity``, their explanations.

    ``alongside``: work for this process while the workers draw (run in a thread once the pool
    of workers exists; in line when there are no draws to wait for); done, or its exception
    raised, before the explanations start."""
    from realpolitik.experiment.outcomes import declared_outcomes, outcome_statistics
    from realpolitik.experiment.run import run_experiment
    from realpolitik.experiment.scenario_experiment import evaluable_models, experiment_spec

    out = Experiment(draws=options.draws, seed=options.seed)
    models = evaluable_models(scenario, names)
    spec = experiment_spec(scenario, models) if models else None
    if spec is None or not spec.uncertainties:
        if alongside is not None:
            alongside()
        if spec is None:
            out.skipped["draws"] = "no model evaluates draws"
            return out
        out.models, out.spec, out.inputs = models, spec, 0
        out.skipped["draws"] = "no uncertain numbers"
        return out
    out.models, out.spec, out.inputs = models, spec, len(spec.uncertainties)
    out.outcomes = declared_outcomes(scenario, models)
    with _draws_executor(options) as executor, _in_a_thread(alongside) as joined:
        out.run = run_experiment(
            spec,
            draws=options.draws,
            seed=options.seed,
            batch_size=batch_size_for(options.draws, options.batch_size),
            store=options.store,
            resume=options.resume,
            progress=options.progress,
            store_inputs=options.store_inputs,
            **executor,
        )
        joined()
        out.statistics = outcome_statistics(out.run, out.run.outcomes)
        if options.sensitivity:
            explain_draws(out, options, executor)
    return out


def explain_draws(
    draws: Experiment, options: RunOptions, executor: Mapping[str, Any] | None = None
) -> None:
    """Sensitivity of every declared outcome from the draws (by its kind), Sobol' indices of the
    first declared quantity defined in every draw, and discovery on the first declared yes/no
    outcome that varies enough; reasons in ``draws.skipped`` otherwise.

    ``executor``: the arguments of :func:`executor_for` (default: from ``options``). When it holds
    a shared pool of processes (see :func:`run_draws`), the Sobol' design runs on the pool while
    this process ranks the outcomes' inputs and looks for the PRIM box; the results are the same
    either way."""
    from realpolitik.experiment.draws_frame import explanation_frame
    from realpolitik.experiment.explain import MIN_CASES
    from realpolitik.experiment.outcome_sensitivity import run_sensitivities
    from realpolitik.experiment.run import ExperimentError

    if draws.run is None or draws.spec is None:  # nothing was sampled
        return
    sobol = _start_sobol(draws.spec, draws, options.seed, executor or executor_for(options))
    frame = explanation_frame(draws.run)  # the draws read once (None: a run too large)
    draws.outcome_sensitivity = run_sensitivities(
        draws.run, draws.outcomes, draws.spec.uncertainties, options.seed, frame
    )
    stats = draws.statistics
    target = None
    for o in draws.outcomes:
        if o.is_indicator and stats[o.column]["mean"] is not None:
            n_yes = stats[o.column]["mean"] * stats[o.column]["n"]
            if MIN_CASES <= n_yes <= stats[o.column]["n"] - MIN_CASES:
                target = o
                break
    discovered = None
    if target is not None:
        discovered = discover_in_run(draws.run, draws.spec, target, options.seed, frame)
    if isinstance(sobol, str):
        draws.skipped["sensitivity"] = sobol
    else:
        try:
            draws.sensitivity = sobol()
        except ExperimentError as exc:
            draws.skipped["sensitivity"] = str(exc)
    if discovered is None:
        draws.skipped["discovery"] = (
            f"no declared yes/no outcome has {MIN_CASES} draws of each answer "
            f"(the run has {draws.draws:,} draws)"
        )
    draws.discovery = discovered


def _start_sobol(
    spec: ExperimentSpec, draws: Experiment, seed: int, executor: Mapping[str, Any]
) -> str | Callable[[], SensitivityFinding]:
    """Start the Sobol' indices of the first declared quantity defined and varying in every
    draw, sized from the run's draws. Returns the reason there are none, or a function that
    returns the finding (raising :class:`~realpolitik.experiment.run.ExperimentError` when the
    indices cannot be computed). With a shared pool (an :class:`Executor` in ``executor``) a
    thread makes the design and has the pool run the model on it now; otherwise both happen when
    the function is called."""
    from realpolitik.experiment.explain import SOBOL_MIN_BASE, SensitivityFinding, sobol_base_for
    from realpolitik.experiment.run import DEFAULT_BATCH_SIZE, evaluate_design
    from realpolitik.experiment.sensitivity import SobolDesign, sobol_analysis, sobol_design

    stats = draws.statistics
    quantity = next(
        (
            o
            for o in draws.outcomes
            if not o.is_indicator
            and stats[o.column]["undefined"] == 0
            and stats[o.column]["draws_low"] != stats[o.column]["draws_high"]
        ),
        None,
    )
    d = len(spec.uncertainties)
    n_base = sobol_base_for(draws.draws, d)  # the design costs no more model runs than the draws
    if quantity is None:
        return "no declared quantity defined and varying in every draw"
    if n_base == 0:
        return (
            f"too few draws for Sobol' indices over {d} inputs: they need at least "
            f"{SOBOL_MIN_BASE * (d + 2):,} ({SOBOL_MIN_BASE} x (inputs + 2)); the run has "
            f"{draws.draws:,}"
        )

    only = _evaluating_only(spec, quantity.column)  # the design needs that quantity alone

    def evaluate() -> tuple[SobolDesign, dict[str, Any]]:
        design = sobol_design(spec, n_base, seed)  # n_base is a power of two: no warnings
        unit, model_seed = design.unit, design.model_seed
        return design, evaluate_design(only, unit, model_seed, DEFAULT_BATCH_SIZE, **executor)[1]

    evaluated: Callable[[], tuple[SobolDesign, dict[str, Any]]] = evaluate
    if not isinstance(executor["executor"], str):  # a shared pool: it works while we go on
        from concurrent.futures import ThreadPoolExecutor

        thread = ThreadPoolExecutor(1, thread_name_prefix="realpolitik-sobol")
        evaluated = thread.submit(evaluate).result
        thread.shutdown(wait=False)

    def finding() -> SensitivityFinding:
        design, outputs = evaluated()
        table = sobol_analysis(spec, design, quantity.column, outputs)
        return SensitivityFinding(quantity, "sobol", n_base, int(table.attrs["evaluations"]), table)

    return finding


def _evaluating_only(spec: ExperimentSpec, column: str) -> ExperimentSpec:
    """``spec`` with a model that evaluates only the outcome ``column`` (the same numbers for
    it: see :meth:`~realpolitik.experiment.scenario_experiment.ScenarioModel.only_columns`);
    ``spec`` itself when its model is not a scenario's."""
    from dataclasses import replace

    from realpolitik.experiment.scenario_experiment import ScenarioModel

    if not isinstance(spec.model, ScenarioModel):
        return spec
    return replace(spec, model=spec.model.only_columns([column]), outcomes=(column,))


def discover_in_run(
    run: RunResult,
    spec: ExperimentSpec,
    target: Outcome,
    seed: int,
    draws: pd.DataFrame | None = None,
) -> DiscoveryFinding:
    """Scenario discovery for ``target`` over a sample of the whole run that holds the rare
    answer's cases (stratified when a uniform sample would hold too few; see
    :func:`~realpolitik.experiment.explain.discovery_sample`): only the outcome's column is read
    for every draw, the inputs only for the sampled ones. ``draws``: the run's draws already in
    memory (:func:`~realpolitik.experiment.draws_frame.explanation_frame`), read from there."""
    import numpy as np

    from realpolitik.experiment.explain import discovery, discovery_sample

    if draws is None:
        column = run.query(f'SELECT "{target.column}" AS y FROM draws ORDER BY draw')["y"]
    else:
        column = draws[target.column]
    answers = np.nan_to_num(column.to_numpy(dtype=float)) > 0.5
    chosen, weights = discovery_sample(answers, seed)
    if draws is None:
        frame = run.draws_at(chosen)
    else:  # row i holds draw i
        frame = draws.iloc[np.unique(np.asarray(chosen, dtype=np.int64))].reset_index(drop=True)
    claims = {u.path: list(u.claims) for u in spec.uncertainties}
    return discovery(
        frame[spec.paths],
        frame[target.column].to_numpy(),
        target,
        claims,
        exception_if_common=True,
        weights=weights,
        sample={
            "run_draws": int(answers.size),
            "stratified": weights is not None,
            "weights": None if weights is None else [weights.yes, weights.no],
        },
    )
