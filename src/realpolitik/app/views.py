"""From results to what the dashboard shows: JSON-ready numbers, sentences and figures.

The numbers come from the models' results (through the registry and the experiment layer) and
the sentences and figures from the report layer; this module only selects and packs them.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from realpolitik.scenario.model import Scenario

#: Yes/no outcomes the dashboard offers for scenario discovery, with their labels.
DISCOVERY_OUTCOMES = {"realigns": "the pivot realigns", "hedges": "the pivot hedges"}


def _figure_json(fig: Any) -> dict[str, Any]:
    import plotly.io as pio

    return json.loads(pio.to_json(fig, validate=False))


def _clean(x: Any) -> Any:
    """JSON-safe copy: non-finite floats become None, numpy scalars become Python numbers."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _draws_frame(scenario: Scenario, draws: int, seed: int) -> Any:
    from realpolitik.experiment.run import run_experiment
    from realpolitik.experiment.scenario_runs import experiment_spec

    spec = experiment_spec(scenario, ["realignment"])
    if not spec.uncertainties:
        return None, spec
    result = run_experiment(spec, draws, seed, batch_size=draws, executor="serial")
    return result.frame, spec


def _wilson(p: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def recompute_view(scenario: Scenario, original: Scenario, draws: int, seed: int) -> dict[str, Any]:
    """The dashboard's payload for one (edited) scenario."""
    from realpolitik.models import registry
    from realpolitik.models.registry import AnalysisContext
    from realpolitik.scenario.diff import diff_scenarios

    payload: dict[str, Any] = {
        "scenario": {
            "name": scenario.name,
            "title": scenario.title,
            "year": scenario.spec.year,
            "unit": scenario.spec.unit,
            "hash": scenario.content_hash,
            "changes": [c.to_dict() for c in diff_scenarios(original, scenario)],
        },
        "draws": draws,
        "seed": seed,
    }
    if scenario.spec.realignment is None:
        payload["answer"] = ["This scenario has no realignment question."]
        payload["figures"] = {}
        return _clean(payload)
    analysis = registry.get("realignment").analyze(scenario, AnalysisContext(seed=seed))
    summary = dict(analysis.summary)
    frame, _ = _draws_frame(scenario, draws, seed)
    if frame is not None:
        n = len(frame)
        p = float(np.mean(frame["courter_wins"]))
        h = float(np.mean(frame["hedges"]))
        summary["p_realign"] = p
        summary["p_realign_interval"] = list(_wilson(p, n))
        summary["p_hedge"] = h
        summary["p_hedge_interval"] = list(_wilson(h, n))
    payload["numbers"] = summary
    payload["answer"] = list(analysis.lines[:4])
    if "p_realign" in summary:
        lo, hi = summary["p_realign_interval"]
        payload["answer"].insert(
            1,
            f"P(realigns) = {summary['p_realign']:.3f} (95% interval {lo:.3f} to {hi:.3f}) over "
            f"{draws:,} draws; P(hedges) = {summary['p_hedge']:.3f}.",
        )
    payload["lines"] = list(analysis.lines)
    payload["figures"] = {name: _figure_json(fig) for name, fig in analysis.figures.items()}
    return _clean(payload)


def discover_view(scenario: Scenario, draws: int, seed: int, outcome: str) -> dict[str, Any]:
    """PRIM over ``draws`` draws on a yes/no outcome: the trajectory and the box at each step."""
    from realpolitik.errors import ScenarioError
    from realpolitik.experiment.discovery import prim

    if outcome not in DISCOVERY_OUTCOMES:
        raise ScenarioError.single(
            "not an outcome the dashboard can discover",
            path="outcome",
            expected="one of " + ", ".join(DISCOVERY_OUTCOMES),
            got=repr(outcome),
        )
    column = {"realigns": "courter_wins", "hedges": "hedges"}[outcome]
    frame, spec = _draws_frame(scenario, draws, seed)
    base: dict[str, Any] = {
        "outcome": outcome,
        "label": DISCOVERY_OUTCOMES[outcome],
        "draws": draws,
    }
    if frame is None:
        return {**base, "message": "The scenario has no uncertain numbers: nothing to discover."}
    y = frame[column].to_numpy() > 0.5
    n_yes = int(y.sum())
    if n_yes == 0 or n_yes == len(y):
        share = "never" if n_yes == 0 else "always"
        return {
            **base,
            "base_density": n_yes / len(y),
            "steps": [],
            "message": f"Over {draws:,} draws {DISCOVERY_OUTCOMES[outcome]} {share}: there is no condition to find.",
        }
    claims = {u.path: list(u.claims) for u in spec.uncertainties}
    inputs = [u.path for u in spec.uncertainties if frame[u.path].nunique() > 1]
    result = prim(frame[inputs], y, threshold=0.8)
    box = result.box
    steps = []
    for i, row in box.trajectory.iterrows():
        limits = box.step_limits[i]
        restricted = limits[limits["restricted"]]
        steps.append(
            {
                "step": int(row["step"]),
                "coverage": float(row["coverage"]),
                "density": float(row["density"]),
                "support": float(row["support"]),
                "n_restricted": int(row["n_restricted"]),
                "conditions": [
                    {
                        "path": str(name),
                        "low": float(r["low"]),
                        "high": float(r["high"]),
                        "claims": claims.get(str(name), []),
                    }
                    for name, r in restricted.iterrows()
                ],
            }
        )
    return _clean(
        {**base, "base_density": result.base_density, "chosen_step": int(box.step), "steps": steps}
    )
