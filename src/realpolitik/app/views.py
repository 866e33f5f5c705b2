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
from dataclasses import dataclass
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


#: Sampled draws kept per worker, by (scenario file, draws, seed).
SAMPLES_KEPT = 16


@dataclass(frozen=True)
class SharedDraws:
    """The draws of a scenario as loaded, made as ``realpolitik run`` makes them.

    Attributes
    ----------
    samples : dict of str to ndarray
        Every uncertain number's draws, by key path (all batches, in draw order).
    batches : tuple of (int, int, SeedSequence)
        Each batch of the run: its first draw, the draw after its last, and the seed of its
        answer model's own random stream.
    """

    samples: dict[str, np.ndarray]
    batches: tuple[tuple[int, int, np.random.SeedSequence], ...]


_SAMPLES: dict[tuple[str, int, int], SharedDraws] = {}


def _model_stream(original: Scenario, batch_seed: np.random.SeedSequence) -> Any:
    """The answer model's own stream in a batch of ``realpolitik run``: the batch's model
    stream split into one child per evaluated model, taken at this model's place."""
    from realpolitik.experiment.inputs import child_seed
    from realpolitik.experiment.scenario_experiment import evaluable_models
    from realpolitik.experiment.scenario_run import analyses_for

    models = evaluable_models(original, analyses_for(original))
    children = np.random.default_rng(child_seed(batch_seed, 1)).spawn(len(models))
    return children[models.index(ANSWER_MODEL)].bit_generator.seed_seq


def shared_draws(original: Scenario, draws: int, seed: int) -> SharedDraws | None:
    """The inputs and model streams of ``realpolitik run``'s ``draws`` draws of ``original``
    with ``seed`` (its batches, its sampler, its seeds), made once per (scenario, draws, seed)
    and shared by all its edits; ``None`` when nothing is uncertain."""
    from realpolitik.experiment.inputs import batch_inputs
    from realpolitik.experiment.options import batch_size_for
    from realpolitik.experiment.run import design_seed
    from realpolitik.experiment.scenario_experiment import experiment_spec
    from realpolitik.rng import spawn_seeds

    key = (original.file, draws, seed)
    if key not in _SAMPLES:
        spec = experiment_spec(original, [ANSWER_MODEL])
        if not spec.uncertainties:
            return None
        size = batch_size_for(draws)
        seeds = spawn_seeds(seed, -(-draws // size))
        parts, batches = [], []
        for b, batch_seed in enumerate(seeds):
            start, stop = b * size, min(draws, (b + 1) * size)
            parts.append(
                batch_inputs(spec, "mc", draws, start, stop, batch_seed, design_seed(seed))
            )
            batches.append((start, stop, _model_stream(original, batch_seed)))
        samples = {p: np.concatenate([part[p] for part in parts]) for p in spec.paths}
        if len(_SAMPLES) >= SAMPLES_KEPT:
            _SAMPLES.pop(next(iter(_SAMPLES)))
        _SAMPLES[key] = SharedDraws(samples, tuple(batches))
    return _SAMPLES[key]


def _base_samples(original: Scenario, draws: int, seed: int) -> dict[str, np.ndarray]:
    """Draws of every uncertain number of the scenario as loaded (shared by all its edits)."""
    shared = shared_draws(original, draws, seed)
    return {} if shared is None else shared.samples


def fixed_samples(
    shared: SharedDraws, scenario: Scenario, start: int, stop: int
) -> dict[str, np.ndarray]:
    """The inputs of draws ``start`` to ``stop`` for ``scenario``: the shared draws, with every
    number that is not uncertain in ``scenario`` fixed at its value there."""
    uncertain = {u.path for u in scenario.uncertainties()}
    return {
        path: values[start:stop]
        if path in uncertain
        else np.full(stop - start, scenario.value(path))
        for path, values in shared.samples.items()
    }


def draw_outputs(
    original: Scenario, scenario: Scenario, draws: int, seed: int
) -> dict[str, np.ndarray]:
    """The answer model's outputs over ``draws`` draws of the edited ``scenario``.

    The inputs and the model's random streams are those of ``realpolitik run`` on ``original``
    (common random numbers), with every number that is no longer uncertain in ``scenario``
    fixed at its value there: for ``original`` itself, or an edit of numbers that were not
    uncertain, the draws are those of ``realpolitik run`` on ``scenario``, to the last bit.
    """
    from realpolitik.errors import ModelError
    from realpolitik.models import registry

    shared = shared_draws(original, draws, seed)
    if shared is None:
        return {}
    evaluate = registry.get(ANSWER_MODEL).evaluate
    if evaluate is None:
        raise ModelError(f"model {ANSWER_MODEL!r} does not evaluate draws")
    parts = []
    for start, stop, stream in shared.batches:
        samples = fixed_samples(shared, scenario, start, stop)
        parts.append(evaluate(scenario, samples, np.random.default_rng(stream)))
    return {k: np.concatenate([np.asarray(p[k], dtype=float) for p in parts]) for k in parts[0]}


#: Outputs summarised with their 95% interval; the by-year ones only by their mean.
SUMMARISED = ("realigns", "hedges")


def statistics(outputs: Mapping[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    """Share of the draws (with Wilson's 95% interval) of the yes/no answers, and the mean of
    the by-year shares, over the draws where each is defined."""
    from realpolitik.experiment.outcomes import wilson_interval

    out: dict[str, dict[str, Any]] = {}
    for name, values in outputs.items():
        by_year = name.startswith(("realigns_year_", "hedges_year_"))
        if name not in SUMMARISED and not by_year:
            continue
        x = np.asarray(values, dtype=float)
        x = x[~np.isnan(x)]
        n = len(x)
        mean = float(x.mean()) if n else None
        low = high = None
        if mean is not None and not by_year:
            low, high = wilson_interval(mean, n)
        out[name] = {"mean": mean, "low": low, "high": high, "n": n}
    return out


def _changes(original: Scenario, edits: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The edits that change something, as (path, old, new)."""
    from realpolitik.scenario.edit import commitment_choices

    forms = {c.path: c.current for c in commitment_choices(original)}
    out = []
    for path, new in sorted(edits.items()):
        old = forms[path] if path in forms else original.value(path)
        if old != new:
            setting = path in forms
            claims = [] if setting else list(original.quantity(path).claims)
            kind = "setting" if setting else "number"
            out.append({"kind": kind, "path": path, "old": old, "new": new, "claims": claims})
    return out


def edit_key(original: Scenario, edits: Mapping[str, Any]) -> str:
    """A short key of the scenario as edited (the page uses it to see that a result is new)."""
    import hashlib

    text = json.dumps([original.file, sorted(edits.items())], default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _figures(result: Any, stats: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """The dashboard's figures as plain Plotly specifications, straight from the report's
    renderers (no figure objects are built: the page draws the specifications as they are)."""
    from realpolitik.report import answer
    from realpolitik.report.realignment import (
        by_year_spec,
        causes_spec,
        decomposition_spec,
        draws_specs,
    )

    figures: dict[str, dict[str, Any]] = {}
    price = answer.price_spec(result)
    if price is not None:  # none without a courter
        figures["price"] = price
    causes = causes_spec(result)
    if causes is not None:
        figures["causes"] = causes
    waterfall = decomposition_spec(result)
    if waterfall is not None:
        figures["decomposition"] = answer.with_willingness_line(waterfall, result)
    by_year = draws_specs(stats, result) if stats else {}
    if not by_year and result.realigns_by_year:
        by_year = {
            "by-year": by_year_spec(
                result.calendar_years(),
                result.realigns_by_year,
                result.hedges_by_year,
                "Probability of each alignment by year",
            )
        }
    figures.update(by_year)
    return figures


#: The point run's options when the page has draws: it takes the by-year figures from its draws
#: and shows neither the commitment-form table nor the point outputs, so the point run skips
#: them (see the realignment adapter's options); every number it does compute is unchanged.
LIGHT_POINT_RUN = {"point_paths": 0, "commitment_forms": False, "point_outputs": False}


def point_result(scenario: Scenario, draws: int, seed: int) -> Any:
    """The answer model's point result for the page (the light point run when there are draws),
    or ``None`` when the scenario asks no realignment question."""
    from realpolitik.experiment.scenario_run import analyze

    if scenario.spec.realignment is None:
        return None
    light = LIGHT_POINT_RUN if draws > 0 else {}
    return analyze(scenario, [ANSWER_MODEL], seed=seed, options=light)[ANSWER_MODEL]


def recompute_view(
    scenario: Scenario, original: Scenario, edits: Mapping[str, Any], draws: int, seed: int
) -> dict[str, Any]:
    """The dashboard's payload for ``original`` with ``edits`` (``scenario``, already built)."""
    result = point_result(scenario, draws, seed)
    outputs = draw_outputs(original, scenario, draws, seed) if result is not None else {}
    return answer_view(scenario, original, edits, draws, seed, result, outputs)


def answer_view(
    scenario: Scenario,
    original: Scenario,
    edits: Mapping[str, Any],
    draws: int,
    seed: int,
    result: Any,
    outputs: Mapping[str, np.ndarray],
) -> dict[str, Any]:
    """The payload from the model's point ``result`` and its ``outputs`` over the draws (the
    part of a recomputation that is the dashboard's own: statistics, sentences, figures)."""
    from realpolitik.report import answer
    from realpolitik.report.realignment import lines

    changes = _changes(original, edits)
    payload: dict[str, Any] = {
        "scenario": {
            "name": scenario.name,
            "title": scenario.title,
            "year": scenario.spec.year,
            "unit": scenario.spec.unit,
            "hash": edit_key(original, {c["path"]: c["new"] for c in changes}),
            "changes": changes,
        },
        "draws": draws,
        "seed": seed,
    }
    if result is None:
        payload["answer"] = ["This scenario asks no realignment question."]
        payload["figures"] = {}
        return dict(_clean(payload))
    stats = statistics(outputs)
    payload["question"] = answer.question(result)
    payload["answer"] = [
        answer.answer_sentence(result, stats, draws),
        answer.price_sentence(result),
    ]
    payload["numbers"] = result.to_summary()
    payload["statistics"] = {k: v for k, v in stats.items() if k in SUMMARISED}
    payload["lines"] = lines(result)
    payload["figures"] = _figures(result, stats)
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
