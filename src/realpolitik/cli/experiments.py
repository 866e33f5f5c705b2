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


def _spec(scenario: Scenario):
    from realpolitik.experiment.scenario_runs import evaluable_models, experiment_spec
    from realpolitik.run import analyses_for

    models = evaluable_models(analyses_for(scenario))
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
    return spec


def _check_outcome(spec, outcome: str) -> None:
    import numpy as np

    probe = spec.model.evaluate(spec.sample(4, rng=0), np.random.default_rng(0))
    if outcome not in probe:
        raise ScenarioError.single(
            f"unknown outcome {outcome!r}",
            path="--outcome",
            expected="one of " + ", ".join(sorted(probe)),
            got=outcome,
        )


def sensitivity_command(
    scenario: Scenario, outcome: str, method: str, n: int, seed: int, workers: int | None
) -> tuple[dict[str, Any], list[str]]:
    from realpolitik.experiment.scenario_runs import (
        sensitivity_lines,
        sensitivity_records,
        sensitivity_table,
    )

    spec = _spec(scenario)
    _check_outcome(spec, outcome)
    table = sensitivity_table(spec, outcome, method=method, n=n, seed=seed, workers=workers)
    data = {
        "scenario": scenario.name,
        "scenario_hash": scenario.content_hash,
        "outcome": outcome,
        "method": method,
        "n": n,
        "seed": seed,
        "ranking": sensitivity_records(table, top=len(table)),
    }
    return data, [
        f"{scenario.title}: sensitivity of '{outcome}' ({method}, n={n}, seed {seed})"
    ] + sensitivity_lines(table, f"'{outcome}'", top=12)


def discover_command(
    scenario: Scenario,
    outcome: str,
    draws: int,
    seed: int,
    threshold: float | None,
    workers: int | None,
) -> tuple[dict[str, Any], list[str]]:
    from realpolitik.experiment.run import run_experiment
    from realpolitik.experiment.scenario_runs import discover_boxes

    spec = _spec(scenario)
    _check_outcome(spec, outcome)
    executor = "serial" if workers == 1 else "processes"
    result = run_experiment(
        spec,
        draws=draws,
        seed=seed,
        batch_size=min(10_000, draws),
        executor=executor,
        workers=workers,
    )
    frame = result.to_frame()
    claims = {u.path: list(u.claims) for u in spec.uncertainties}
    data, lines, _ = discover_boxes(
        frame[spec.paths], frame[outcome].to_numpy() > 0.5, claims, outcome, threshold
    )
    data.update(
        {
            "scenario": scenario.name,
            "scenario_hash": scenario.content_hash,
            "seed": seed,
            "draws": draws,
        }
    )
    return data, [
        f"{scenario.title}: scenario discovery for '{outcome}' ({draws:,} draws, seed {seed})"
    ] + lines
