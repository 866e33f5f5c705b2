"""From results to what the dashboard shows: JSON-ready numbers, sentences and figures.

The numbers come from the models' typed results (the registry's point analysis) and from the
experiment layer (draws evaluated by :class:`~realpolitik.experiment.scenario_experiment.
ScenarioModel`, PRIM through :func:`~realpolitik.experiment.explain.discovery`); the sentences
and figures from the report layer's renderers. This module only selects and packs them.

Draws use common random numbers: the uncertain numbers of the scenario as loaded are sampled once
per (scenario, draws, seed) and reused for every edit, with each edited number fixed at its new
value. A slider's effect on P(realigns) is then the edit's own, not sampling noise.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from realpolitik.scenario.model import Scenario

#: The model whose answer the dashboard shows.
ANSWER_MODEL = "realignment"
#: Yes/no outcomes the dashboard offers for scenario discovery.
DISCOVERY_OUTCOMES = ("hedges", "realigns")


def _clean(x: Any) -> Any:
    """JSON-safe copy: non-finite floats become None, numpy scalars Python numbers."""
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_clean(v) for v in x]
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def _figure_json(fig: Any) -> dict[str, Any]:
    """A figure as the JSON the page draws, without Plotly's default template (Plotly.js has
    defaults of its own; the template is most of the bytes)."""
    import plotly.io as pio

    spec = dict(json.loads(pio.to_json(fig, validate=False)))
    spec.get("layout", {}).pop("template", None)
    return spec


#: Sampled draws kept per worker, by (scenario file, draws, seed).
SAMPLES_KEPT = 16
_SAMPLES: dict[tuple[str, int, int], dict[str, np.ndarray]] = {}


def _base_samples(original: Scenario, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Draws of every uncertain number of the scenario as loaded (shared by all its edits)."""
    from realpolitik.experiment.scenario_experiment import experiment_spec

    key = (original.file, draws, seed)
    if key not in _SAMPLES:
        spec = experiment_spec(original, [ANSWER_MODEL])
        samples = dict(spec.sample(draws, rng=seed)) if spec.uncertainties else {}
        if len(_SAMPLES) >= SAMPLES_KEPT:
            _SAMPLES.pop(next(iter(_SAMPLES)))
        _SAMPLES[key] = samples
    return _SAMPLES[key]


def draw_outputs(
    original: Scenario, scenario: Scenario, draws: int, seed: int
) -> dict[str, np.ndarray]:
    """The realignment model's outputs over ``draws`` draws of the edited ``scenario``.

    The samples are those of ``original`` (common random numbers) with every number that is no
    longer uncertain in ``scenario`` fixed at its value there.
    """
    from realpolitik.experiment.scenario_experiment import ScenarioModel

    base = _base_samples(original, draws, seed)
    if not base:
        return {}
    uncertain = {u.path for u in scenario.uncertainties()}
    samples = {
        path: (values if path in uncertain else np.full(draws, scenario.value(path)))
        for path, values in base.items()
    }
    model = ScenarioModel(scenario, (ANSWER_MODEL,))
    return model.evaluate(samples, np.random.default_rng(seed))


def statistics(outputs: Mapping[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Mean (with Wilson's 95% interval for yes/no outputs) of each output over the draws."""
    from realpolitik.experiment.outcomes import wilson_interval

    out: dict[str, dict[str, Any]] = {}
    for name, values in outputs.items():
        x = np.asarray(values, dtype=float)
        x = x[~np.isnan(x)]
        n = len(x)
        if n == 0:
            out[name] = {"mean": None, "low": None, "high": None, "n": 0}
            continue
        mean = float(x.mean())
        binary = bool(np.all((x == 0) | (x == 1)))
        if binary:
            low, high = wilson_interval(mean, n)
        else:
            half = 1.959964 * float(x.std(ddof=1)) / math.sqrt(n) if n > 1 else float("nan")
            low, high = mean - half, mean + half
        out[name] = {
            "mean": mean,
            "low": low,
            "high": high,
            "draws_low": float(np.quantile(x, 0.025)),
            "draws_high": float(np.quantile(x, 0.975)),
            "n": n,
            "undefined": len(values) - n,
            "binary": binary,
        }
    return out


def recompute_view(scenario: Scenario, original: Scenario, draws: int, seed: int) -> dict[str, Any]:
    """The dashboard's payload for one (edited) scenario."""
    from realpolitik.experiment.scenario_run import analyze
    from realpolitik.report import answer, renderers
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
        payload["answer"] = ["This scenario asks no realignment question."]
        payload["figures"] = {}
        return dict(_clean(payload))
    result = analyze(scenario, [ANSWER_MODEL], seed=seed)[ANSWER_MODEL]
    stats = statistics(draw_outputs(original, scenario, draws, seed))
    figures: dict[str, dict[str, Any]] = {"price": answer.price_spec(result)}
    point_figures = renderers.figures(result)
    if "decomposition" in point_figures:
        figures["decomposition"] = answer.with_willingness_line(
            _figure_json(point_figures["decomposition"]), result
        )
    by_year = renderers.draws_figures(stats, result) if stats else {}
    if not by_year and "by-year" in point_figures:
        by_year = {"by-year": point_figures["by-year"]}
    figures.update({name: _figure_json(fig) for name, fig in by_year.items()})
    payload["question"] = answer.question(result)
    payload["answer"] = [
        answer.answer_sentence(result, stats, draws),
        answer.price_sentence(result),
    ]
    payload["numbers"] = result.to_summary()
    payload["statistics"] = {k: v for k, v in stats.items() if k in ("realigns", "hedges")}
    payload["lines"] = renderers.lines(result)
    payload["figures"] = figures
    return dict(_clean(payload))


def discover_view(
    original: Scenario, scenario: Scenario, draws: int, seed: int, outcome: str
) -> dict[str, Any]:
    """PRIM over ``draws`` draws on a yes/no outcome: every box of the peeling trajectory."""
    import pandas as pd

    from realpolitik.errors import ScenarioError
    from realpolitik.experiment.explain import discovery
    from realpolitik.experiment.outcomes import declared_outcomes

    if outcome not in DISCOVERY_OUTCOMES or scenario.spec.realignment is None:
        raise ScenarioError.single(
            "not an outcome the dashboard can look for",
            path="outcome",
            expected="one of " + ", ".join(DISCOVERY_OUTCOMES) + " (of a realignment scenario)",
            got=repr(outcome),
        )
    base: dict[str, Any] = {"outcome": outcome, "draws": draws}
    outputs = draw_outputs(original, scenario, draws, seed)
    if not outputs:
        return {**base, "message": "The scenario has no uncertain numbers: nothing to discover."}
    uncertain = [u for u in scenario.uncertainties()]
    samples = _base_samples(original, draws, seed)
    X = pd.DataFrame({u.path: samples[u.path] for u in uncertain if u.path in samples})
    target = next(
        (o for o in declared_outcomes(scenario, [ANSWER_MODEL]) if o.column == outcome), None
    )
    if target is None:
        raise ScenarioError.single(
            f"the scenario does not declare the outcome {outcome!r}", path="outcome"
        )
    claims = {u.path: list(u.claims) for u in uncertain}
    finding = discovery(X, outputs[outcome], target, claims)
    base.update(
        {
            "label": target.description or target.name,
            "status": finding.status,
            "base_density": finding.base_rate,
            "n_yes": finding.n_yes,
        }
    )
    if finding.status != "box":
        words = {
            "constant": "happens in every draw or in none: there is no condition to find",
            "too few": "happens in too few draws (or too few exceptions) to look for conditions",
            "no box": "is not concentrated in any region of the assumptions",
        }[finding.status]
        return dict(_clean({**base, "steps": [], "message": f"Over {draws:,} draws, it {words}."}))
    steps = [
        {
            "step": s["step"],
            "coverage": s["coverage"],
            "density": s["density"],
            "support": s["support"],
            "n_restricted": len(s["limits"]),
            "conditions": s["limits"],
        }
        for s in finding.steps
    ]
    from realpolitik.report.discovery import tradeoff_spec

    return dict(
        _clean(
            {
                **base,
                "figure": tradeoff_spec(finding.steps, finding.chosen_step, finding.question),
                "chosen_step": finding.chosen_step,
                "inputs": list(finding.prim_inputs),
                "steps": steps,
            }
        )
    )
