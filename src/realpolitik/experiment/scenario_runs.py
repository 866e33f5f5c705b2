"""Scenarios meet the experiment layer: draws over a scenario's uncertainties, evaluated by every
registered model that can evaluate a batch, stored, summarised, and explained (sensitivity and
scenario discovery named by the claims the inputs encode).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from realpolitik.errors import ScenarioError
from realpolitik.scenario.model import Scenario

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from realpolitik.experiment.uncertainty import ExperimentSpec
    from realpolitik.run import RunOptions

#: Draws used for scenario discovery (PRIM, thresholds): the first ones of the run, read back.
DISCOVERY_DRAWS = 50_000
#: Inputs PRIM peels on: the ones that best separate the outcome on their own.
PRIM_INPUTS = 8
#: Fewest "yes" (and "no") draws for scenario discovery to look for conditions.
MIN_CASES = 100
#: Base sample of the Sobol' design; the model runs N (d + 2) times.
SOBOL_BASE = 512


@dataclass(frozen=True)
class ScenarioModel:
    """A picklable model object for the experiment layer: evaluates every model in ``models``.

    Outcome names are the models' own keys; if two models share a key, both are prefixed with the
    model's name (``realignment__price``).
    """

    scenario: Scenario
    models: tuple[str, ...]

    def evaluate(
        self, samples: Mapping[str, np.ndarray], rng: np.random.Generator
    ) -> dict[str, np.ndarray]:
        from realpolitik.models import registry

        results: dict[str, dict[str, np.ndarray]] = {}
        children = rng.spawn(len(self.models))  # one independent stream per model
        for name, child in zip(self.models, children, strict=True):
            spec = registry.get(name)
            results[name] = spec.evaluate(self.scenario, samples, child)  # type: ignore[misc]
        keys: dict[str, int] = {}
        for out in results.values():
            for k in out:
                keys[k] = keys.get(k, 0) + 1
        merged: dict[str, np.ndarray] = {}
        for name, out in results.items():
            for k, v in out.items():
                merged[k if keys[k] == 1 else f"{name}__{k}"] = np.asarray(v, dtype=float)
        return merged


def evaluable_models(names: Sequence[str]) -> tuple[str, ...]:
    from realpolitik.models import registry

    return tuple(n for n in names if registry.get(n).evaluate is not None)


def experiment_spec(scenario: Scenario, models: Sequence[str]) -> ExperimentSpec:
    """The experiment of ``scenario``: its uncertainties (with their claims) and its models."""
    from realpolitik.experiment.uncertainty import (
        DistributionError,
        ExperimentSpec,
        Uncertainty,
        correlation_matrix,
        distribution_from_spec,
    )

    uncs = []
    problems = []
    for u in scenario.uncertainties():
        try:
            dist = distribution_from_spec(u.dist.spec())
        except DistributionError as exc:
            problems.append(str(exc))
            continue
        label = _label(scenario, u.path)
        uncs.append(Uncertainty(u.path, dist, label=label, claims=tuple(u.claims)))
    if problems:
        raise ScenarioError.single("; ".join(problems), file=scenario.file)
    corr = None
    if scenario.spec.correlations:
        try:
            corr = correlation_matrix(
                [u.path for u in uncs],
                [(c.paths[0], c.paths[1], c.rho) for c in scenario.spec.correlations],
            )
        except ValueError as exc:
            raise ScenarioError.single(
                f"correlations: {exc}", file=scenario.file, path="correlations"
            ) from None
    return ExperimentSpec(
        tuple(uncs),
        ScenarioModel(scenario, tuple(models)),
        correlation=corr,
        scenario_name=scenario.name,
        scenario_hash=scenario.content_hash,
        model_names=tuple(models),
    )


def _label(scenario: Scenario, path: str) -> str:
    """A readable name for an input: its key path and the first words of its note."""
    q = scenario.quantity(path)
    text = q.note or q.assumption or ""
    text = " ".join(text.split())
    return path if not text else f"{path} ({text[:60]}{'...' if len(text) > 60 else ''})"


def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _wilson(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of a proportion: stays inside [0, 1], sensible at 0 and 1."""
    if n == 0:
        return float("nan"), float("nan")
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def outcome_summary(result: Any) -> dict[str, dict[str, Any]]:
    """Per outcome: the mean with its 95% interval, and the 2.5-97.5% range of the draws.

    The interval of the mean is Wilson's for yes/no outcomes (every draw 0 or 1) and the normal
    approximation otherwise.
    """
    out: dict[str, dict[str, Any]] = {}
    table = result.summary()
    for name in result.outcomes:
        q = f'CAST("{name}" AS DOUBLE)'
        # one thread: a parallel aggregate adds in a varying order and changes the last digits
        stats = result.query(
            "SET threads TO 1; "
            f"SELECT stddev_samp({q}), count({q}), sum(CASE WHEN isinf({q}) THEN 1 ELSE 0 END), "
            f"sum(CASE WHEN {q} = 0 OR {q} = 1 THEN 0 ELSE 1 END) FROM draws"
        )
        sd, n = float(stats.iloc[0, 0] or 0.0), int(stats.iloc[0, 1])
        n_inf, n_not_binary = int(stats.iloc[0, 2] or 0), int(stats.iloc[0, 3] or 0)
        row = table.loc[name]
        mean = float(row["mean"])
        if n_not_binary == 0:
            low, high = _wilson(mean, n)
        else:
            half = 1.96 * sd / math.sqrt(n) if n > 1 and math.isfinite(sd) else float("nan")
            low, high = mean - half, mean + half
        out[name] = {
            "mean": _finite(mean),
            "low": _finite(low),
            "high": _finite(high),
            "draws_low": _finite(float(row["low"])),
            "draws_high": _finite(float(row["high"])),
            "n": n,
        }
        if n_inf:
            out[name]["share_infinite"] = n_inf / n
    return out


def run_draws(scenario: Scenario, names: Sequence[str], options: RunOptions) -> dict[str, Any]:
    """Draws of ``scenario`` through every model in ``names`` that can evaluate a batch."""
    from realpolitik.experiment.run import run_experiment

    models = evaluable_models(names)
    if not models:
        return {"lines": ["No model of this scenario evaluates draws; nothing sampled."]}
    spec = experiment_spec(scenario, models)
    if not spec.uncertainties:
        return {"lines": ["The scenario has no uncertain numbers; nothing to sample."]}
    store = options.store
    executor = "dask" if options.cluster else ("serial" if options.workers == 1 else "processes")
    cluster = None if options.cluster in (None, "local") else options.cluster
    batch = options.batch_size or min(20_000, max(1_000, options.draws // 8 or 1))
    result = run_experiment(
        spec,
        draws=options.draws,
        seed=options.seed,
        batch_size=batch,
        executor=executor,
        workers=options.workers,
        cluster_address=cluster,
        store=store,
        resume=options.resume,
        progress=options.progress,
    )
    outcomes = outcome_summary(result)
    info: dict[str, Any] = {
        "run_id": result.run_id,
        "store": str(result.store.directory) if result.store is not None else None,
        "outcomes": outcomes,
        "per_model": {},
        "tables": {},
        "figures": {},
    }
    lines = [
        f"{options.draws:,} draws of {len(spec.uncertainties)} uncertain numbers (seed "
        f"{options.seed}, run {result.run_id or 'in memory'})."
    ]
    if "realignment" in models:
        info["per_model"]["realignment"] = _realignment_over_draws(result, outcomes, lines)
    if options.sensitivity:
        _explain(scenario, spec, result, options, info, lines)
    info["lines"] = lines
    info["figures"].update(_figures(scenario, info))
    return info


def _figures(scenario: Scenario, info: dict[str, Any]) -> dict[str, Any]:
    """Figures of a run with draws: alignment by year over the draws, and the sensitivity ranking."""
    import plotly.graph_objects as go

    figs: dict[str, Any] = {}
    r = info["per_model"].get("realignment")
    if r and r["p_realign_by_year"]:
        years = [int(y) + (scenario.spec.year or 0) for y in r["p_realign_by_year"]]
        fig = go.Figure(
            [
                go.Scatter(
                    x=years,
                    y=list(r["p_realign_by_year"].values()),
                    mode="lines+markers",
                    name="aligned with the courter",
                ),
                go.Scatter(
                    x=years,
                    y=list(r["p_hedge_by_year"].values()),
                    mode="lines+markers",
                    name="hedging",
                ),
            ]
        )
        fig.update_layout(
            title="Probability of each alignment by year, over the draws",
            yaxis_range=[0, 1],
            height=360,
            margin=dict(l=40, r=20, t=50, b=40),
        )
        figs["alignment-by-year-draws"] = fig
    sens = info.get("sensitivity")
    if sens and sens["ranking"]:
        rows = list(reversed(sens["ranking"]))
        labels = [f"{x['path']} [{', '.join(x['claims']) or '-'}]" for x in rows]
        fig = go.Figure(
            go.Bar(
                x=[x["ST"] or 0.0 for x in rows],
                y=labels,
                orientation="h",
                error_x=dict(type="data", array=[x["ST_conf"] or 0.0 for x in rows]),
                name="total Sobol' index",
            )
        )
        fig.update_layout(
            title="What " + sens["description"] + " depends on (total Sobol' index)",
            height=120 + 28 * len(rows),
            margin=dict(l=420, r=20, t=50, b=40),
        )
        figs["sensitivity"] = fig
    return figs


def _realignment_over_draws(
    result: Any, outcomes: dict[str, Any], lines: list[str]
) -> dict[str, Any]:
    years = sorted(int(k.rsplit("_", 1)[1]) for k in outcomes if k.startswith("p_courter_year_"))
    p = outcomes["courter_wins"]
    h = outcomes["hedges"]
    extra = {
        "p_realign": p["mean"],
        "p_realign_interval": [p["low"], p["high"]],
        "p_hedge": h["mean"],
        "p_hedge_interval": [h["low"], h["high"]],
        "p_realign_by_year": {str(y): outcomes[f"p_courter_year_{y}"]["mean"] for y in years},
        "p_hedge_by_year": {str(y): outcomes[f"p_hedge_year_{y}"]["mean"] for y in years},
    }
    lines.append(
        f"P(pivot aligns with the courter) = {p['mean']:.3f} "
        f"(95% interval {p['low']:.3f} to {p['high']:.3f});  P(hedge) = {h['mean']:.3f}"
    )
    if years:
        lines.append(
            "By year: "
            + "  ".join(
                f"{y}: {extra['p_realign_by_year'][str(y)]:.3f}/{extra['p_hedge_by_year'][str(y)]:.3f}"
                for y in years
            )
            + "   (courter/hedge)"
        )
    for key, label in (
        ("need", "value the pivot must be given to realign"),
        ("willingness_to_pay", "courter's willingness to pay"),
        ("incumbent_max_bid", "incumbent's maximum retention bid"),
    ):
        if key in outcomes and outcomes[key]["mean"] is not None:
            o = outcomes[key]
            lines.append(
                f"{label}: mean {o['mean']:,.1f} (draws range {o['draws_low']:,.1f} to "
                f"{o['draws_high']:,.1f})"
            )
    if "price" in outcomes and outcomes["price"].get("share_infinite"):
        lines.append(
            f"In {outcomes['price']['share_infinite']:.1%} of draws no package within the "
            "levers' bounds could buy a full realignment."
        )
    return extra


#: The continuous outcome whose variance the run explains, and how it is described.
SENSITIVITY_OUTCOME = (
    "gap_ratio",
    "the realignment gap (value the pivot must be given / the courter's willingness to pay)",
)


def sensitivity_table(
    spec: ExperimentSpec,
    outcome: str,
    *,
    method: str = "sobol",
    n: int = SOBOL_BASE,
    seed: int = 0,
    workers: int | None = None,
) -> pd.DataFrame:
    """Ranked sensitivity of ``outcome`` to every uncertain input (Sobol' or Morris)."""
    from realpolitik.experiment.sensitivity import morris, sobol_indices

    executor = "serial" if workers == 1 else "processes"
    if method == "morris":
        return morris(spec, outcome, trajectories=n, seed=seed, executor=executor, workers=workers)
    return sobol_indices(spec, outcome, n_base=n, seed=seed, executor=executor, workers=workers)


def sensitivity_lines(table: pd.DataFrame, description: str, top: int = 6) -> list[str]:
    sobol = "ST" in table.columns
    lines = [
        f"What {description} depends on most, by "
        + ("total Sobol' index (S1: first order):" if sobol else "Morris mu* (elementary effects):")
    ]
    for _, r in table.head(top).iterrows():
        claims = ", ".join(r["claims"]) or "no claim"
        if sobol:
            lines.append(
                f"  {int(r['rank'])}. {r['path']}  [{claims}]  ST {r['ST']:.2f} +/- "
                f"{r['ST_conf']:.2f}, S1 {r['S1']:.2f}"
            )
        else:
            lines.append(
                f"  {int(r['rank'])}. {r['path']}  [{claims}]  mu* {r['mu_star']:.3g}, "
                f"sigma {r['sigma']:.3g}"
            )
    return lines


def sensitivity_records(table: pd.DataFrame, top: int = 10) -> list[dict[str, Any]]:
    keep = [
        c
        for c in ("S1", "S1_conf", "ST", "ST_conf", "mu", "mu_star", "sigma", "mu_star_conf")
        if c in table.columns
    ]
    return [
        {
            "rank": int(r["rank"]),
            "path": r["path"],
            "claims": list(r["claims"]),
            **{c: _finite(float(r[c])) for c in keep},
            "label": r["label"],
        }
        for _, r in table.head(top).iterrows()
    ]


def discover_boxes(
    X: pd.DataFrame,
    y: np.ndarray,
    claims: Mapping[str, Sequence[str]],
    outcome: str,
    threshold: float | None = None,
) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """Flip thresholds and a PRIM box for a yes/no outcome; (data, lines, tables)."""
    from realpolitik.experiment.discovery import flip_thresholds, prim

    y = np.asarray(y, dtype=bool)
    base = float(y.mean())
    data: dict[str, Any] = {"outcome": outcome, "draws_used": int(len(y)), "base_rate": base}
    tables: dict[str, Any] = {}
    lines: list[str] = []
    if y.sum() < MIN_CASES or (~y).sum() < MIN_CASES:
        lines.append(
            f"Discovery: '{outcome}' happens in {y.sum()} of {len(y):,} draws; too few "
            "(or too few exceptions) to look for the conditions."
        )
        data["box"] = None
        return data, lines, tables
    thresholds = flip_thresholds(X, y)
    tables["flip thresholds"] = thresholds
    data["thresholds"] = [
        {
            k: (_finite(float(v)) if isinstance(v, float | np.floating) else v)
            for k, v in row.items()
        }
        for row in thresholds.head(8).to_dict("records")
    ]
    thr = threshold if threshold is not None else (0.5 if base < 0.25 else 0.8)
    # PRIM peels greedily; over dozens of inputs and few "yes" draws it would also peel noise. It
    # works on the inputs that separate the outcome best on their own (Youden's J of their best cut).
    keep = list(thresholds["input"].head(PRIM_INPUTS))
    data["prim_inputs"] = keep
    result = prim(X[keep], y, threshold=thr, max_boxes=1)
    box = result.box
    if box is None or box.density <= base * 1.05:
        lines.append(
            f"Discovery: no region of the assumptions concentrates '{outcome}' (base rate "
            f"{base:.3f})."
        )
        data["box"] = None
    else:
        restricted = box.restricted
        data["box"] = {
            "coverage": float(box.coverage),
            "density": float(box.density),
            "support": float(box.support),
            "limits": [
                {
                    "path": p,
                    "claims": list(claims.get(p, [])),
                    "low": _finite(float(r["low"])),
                    "high": _finite(float(r["high"])),
                }
                for p, r in restricted.iterrows()
            ],
        }
        lines.append(
            f"What would have to be true for '{outcome}' (PRIM, {len(y):,} draws; it happens "
            f"in {base:.1%} of them): inside this box it happens in {box.density:.0%} of draws, "
            f"and the box holds {box.coverage:.0%} of all the draws where it happens:"
        )
        for p, r in restricted.iterrows():
            lines.append(
                f"  {p}  [{', '.join(claims.get(p, [])) or 'no claim'}]  in "
                f"[{r['low']:.3g}, {r['high']:.3g}]"
            )
        tables["PRIM peeling trajectory"] = result.trajectory
    for _, r in thresholds.head(3).iterrows():
        lines.append(
            f"  single input: {r['input']} {r['direction']} {r['threshold']:.3g} -> "
            f"P(yes) {r['p_yes_beyond']:.3f} (else {r['p_yes_other']:.3f})"
        )
    return data, lines, tables


def _explain(
    scenario: Scenario,
    spec: ExperimentSpec,
    result: Any,
    options: RunOptions,
    info: dict[str, Any],
    lines: list[str],
) -> None:
    """Sensitivity (Sobol' on the realignment gap) and discovery (PRIM on the yes/no outcome)."""
    name, description = SENSITIVITY_OUTCOME
    if name in result.outcomes:
        table = sensitivity_table(spec, name, seed=options.seed, workers=options.workers)
        info["sensitivity"] = {
            "outcome": name,
            "description": description,
            "method": f"Sobol' (Saltelli/Jansen estimators, N={SOBOL_BASE}, "
            f"{SOBOL_BASE * (len(spec.uncertainties) + 2):,} model runs)",
            "ranking": sensitivity_records(table),
        }
        info["tables"]["sensitivity (Sobol' indices of the realignment gap)"] = table[
            ["rank", "path", "claims", "S1", "S1_conf", "ST", "ST_conf"]
        ]
        lines.extend(sensitivity_lines(table, description))
    target = None
    for candidate in ("courter_wins", "hedges"):
        if candidate in result.outcomes:
            n_yes = info["outcomes"][candidate]["mean"] * info["outcomes"][candidate]["n"]
            if MIN_CASES <= n_yes <= info["outcomes"][candidate]["n"] - MIN_CASES:
                target = candidate
                break
    if target is None:
        lines.append("Discovery: neither realignment nor hedging varies enough over the draws.")
        return
    frame = result.query(f"SELECT * FROM draws WHERE draw < {DISCOVERY_DRAWS} ORDER BY draw")
    claims = {u.path: list(u.claims) for u in spec.uncertainties}
    y = frame[target].to_numpy() > 0.5
    if (
        y.mean() > 0.5
    ):  # the common case is the rule: look for what would have to be true for the exception
        y, target = ~y, f"not {target}"
    data, more, tables = discover_boxes(frame[spec.paths], y, claims, target)
    info["discovery"] = data
    info["tables"].update(tables)
    lines.extend(more)
