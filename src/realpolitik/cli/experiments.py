"""The work behind the experiment commands of the CLI (``runs``, ``query``, ``sensitivity``,
``discover``); kept apart so that the CLI module imports nothing heavy at start-up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from realpolitik.errors import ScenarioError
from realpolitik.scenario.model import Scenario

CATALOGUE = "catalogue.duckdb"


def _stores(root: str) -> list[Path]:
    base = Path(root)
    if (base / CATALOGUE).exists():
        return [base]
    return sorted(p.parent for p in base.glob(f"**/{CATALOGUE}")) if base.is_dir() else []


def list_runs_command(root: str, problems: list[str] | None = None):
    """Every run of every store under ``root`` (opened read-only); unusable stores are skipped
    and described in ``problems``."""
    import pandas as pd

    from realpolitik.experiment.store import StoreError, list_runs

    frames = []
    for store in _stores(root):
        try:
            f = list_runs(store)
        except StoreError as exc:
            if problems is None:
                raise
            problems.append(f"{store}: {exc}")
            continue
        f.insert(0, "store", str(store))
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def repair_command(root: str) -> list[str]:
    """Rebuild the catalogue of the store ``root`` from its runs' files."""
    from realpolitik.experiment.store import repair_catalogue

    return repair_catalogue(root)


def query_command(
    root: str, run_id: str, sql: str, limit: int | None = None, output: str | None = None
):
    """(rows, more rows exist) of one SELECT over a run's draws; with ``output``, every row is
    written to that file instead and ``(None, number of rows)`` is returned."""
    from realpolitik.experiment.store import QueryError, Store, StoreError, list_runs, query

    for store in _stores(root):
        try:
            ids = set(list_runs(store)["run_id"])
        except StoreError:
            continue
        if run_id not in ids:
            continue
        try:
            if output is not None:
                query(store, run_id, "SELECT 1 WHERE false")  # checks the run's batches first
                return None, Store(store, read_only=True).query_to_file(run_id, sql, output)
            frame = query(store, run_id, sql, limit=None if limit is None else limit + 1)
        except QueryError as exc:
            raise ScenarioError.single(
                str(exc), path="SQL", expected="one SELECT over the table `draws`", got=sql
            ) from None
        more = limit is not None and len(frame) > limit
        return (frame.iloc[:limit] if more else frame), more
    raise ScenarioError.single(
        f"no run {run_id!r} in the stores under {root}",
        path="RUN",
        expected="a run id listed by `realpolitik runs`",
        got=run_id,
    )


def _experiment(scenario: Scenario):
    """The scenario's experiment, its declared outcomes and every output column."""
    from realpolitik.experiment.outcomes import declared_outcomes, output_columns
    from realpolitik.experiment.scenario_experiment import evaluable_models, experiment_spec
    from realpolitik.experiment.scenario_run import analyses_for

    models = evaluable_models(scenario, analyses_for(scenario))
    if not models:
        raise ScenarioError.single(
            "no model of this scenario evaluates draws",
            file=scenario.file,
            expected="a realignment block (or another evaluable model)",
            got="none",
        )
    spec = experiment_spec(scenario, models)
    if not spec.uncertainties:
        raise ScenarioError.single(
            "the scenario has no uncertain numbers",
            file=scenario.file,
            expected="numbers with a dist",
            got="none",
        )
    return spec, declared_outcomes(scenario, models), output_columns(scenario, models)


def _choose(outcomes, columns, name: str | None, indicator: bool):
    """The outcome named ``name``, or the first declared one of the wanted kind."""
    from realpolitik.experiment.outcomes import resolve_outcome

    if name is not None:
        return resolve_outcome(outcomes, columns, name)
    for o in outcomes:
        if o.is_indicator == indicator:
            return o
    kind = "yes/no outcome" if indicator else "quantity"
    raise ScenarioError.single(
        f"the scenario declares no {kind}; name one with --outcome",
        path="--outcome",
        expected="one of " + ", ".join(c for (_, c) in columns),
        got="none",
    )


def sensitivity_command(
    scenario: Scenario,
    outcome: str | None,
    method: str,
    n: int,
    seed: int,
    workers: int | None,
    cluster: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Sensitivity of one outcome of ``scenario``: the JSON data and the readable lines."""
    from realpolitik.experiment.explain import sensitivity
    from realpolitik.experiment.options import RunOptions, executor_for
    from realpolitik.report.experiment import sensitivity_lines

    spec, outcomes, columns = _experiment(scenario)
    chosen = _choose(outcomes, columns, outcome, indicator=False)
    finding = sensitivity(
        spec,
        chosen,
        method=method,
        n=n,
        seed=seed,
        executor=executor_for(RunOptions(workers=workers, cluster=cluster)),
    )
    data = {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash,
        "outcome": chosen.name,
        "method": method,
        "n": n,
        "seed": seed,
        "ranking": finding.records(top=None),
    }
    lines = [
        f"{scenario.title}: sensitivity of '{chosen.name}' ({method}, n={n}, seed {seed})"
    ] + sensitivity_lines(finding, top=12)
    warning = _wide_error_bars(finding.table.head(12), method, n)
    if warning:
        data["warnings"] = [warning]
        lines.append(f"warning: {warning}")
    return data, lines


def _wide_error_bars(table, method: str, n: int) -> str | None:
    """A warning when the confidence intervals shown are wider than the estimates."""
    value, conf = ("mu_star", "mu_star_conf") if method == "morris" else ("ST", "ST_conf")
    if value not in table.columns or conf not in table.columns or not len(table):
        return None
    wide = int((table[conf].abs() > table[value].abs()).sum())
    if wide == 0:
        return None
    return (
        f"the 95% error bars of {wide} of the {len(table)} indices shown are wider than the "
        f"indices themselves: n={n} is too small to rank these inputs; rerun with a larger "
        f"--n (the default is 512)"
    )


def discover_command(
    scenario: Scenario,
    outcome: str | None,
    draws: int,
    seed: int,
    threshold: float | None,
    above: float | None,
    workers: int | None,
    cluster: str | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Scenario discovery for one outcome of ``scenario``: the JSON data and the readable lines."""
    from realpolitik.experiment.explain import discovery
    from realpolitik.experiment.options import RunOptions, batch_size_for, executor_for
    from realpolitik.experiment.run import run_experiment
    from realpolitik.report.experiment import discovery_lines

    spec, outcomes, columns = _experiment(scenario)
    chosen = _choose(outcomes, columns, outcome, indicator=True)
    result = run_experiment(
        spec,
        draws=draws,
        seed=seed,
        batch_size=batch_size_for(draws),
        **executor_for(RunOptions(workers=workers, cluster=cluster)),
    )
    frame = result.to_frame()
    claims = {u.path: list(u.claims) for u in spec.uncertainties}
    finding = discovery(
        frame[spec.paths],
        frame[chosen.column].to_numpy(),
        chosen,
        claims,
        threshold=threshold,
        above=above,
    )
    data = finding.to_summary()
    data.update(
        {
            "scenario": scenario.name,
            "scenario_hash": scenario.content_hash,
            "seed": seed,
            "draws": draws,
        }
    )
    return data, [
        f"{scenario.title}: scenario discovery for '{finding.question}' ({draws:,} draws, "
        f"seed {seed})"
    ] + discovery_lines(finding)
