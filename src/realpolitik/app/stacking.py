"""Many edits of one scenario evaluated over their draws in one model call, split afterwards.

The dashboard's draws use common random numbers (:mod:`realpolitik.app.views`): every edit of a
scenario, at the same number of draws and seed, gets the same sampled inputs (but for the numbers
it fixes) and the same random stream for the model. Recomputations that arrive together can then
share one call of the realignment model: each edit's problem (its rows: one per draw) is built as
alone, the problems are stacked along the draw axis, solved and simulated once, and the outputs
are cut back into one block per edit.

Each edit gets exactly the numbers it would get alone, to the last bit:

* the bidding game is solved row by row (a row's answer does not depend on the other rows);
* the year-by-year simulation draws its random numbers for every path from one generator: alone,
  each edit draws them from the same stream with the same shapes, so the stacked run is given a
  generator (:class:`TiledGenerator`) that draws one edit's numbers and repeats them for every
  edit in the stack;
* edits whose runs would draw differently (another number of years, promises that may fail to
  take their form in one and not in the other, another structure) go into different stacks
  (:func:`stack_key`).

``tests/test_app_stacking.py`` checks all of this against the edits run one by one. Anything the
stacked run cannot reproduce (a generator method other than :meth:`TiledGenerator.random`)
raises :class:`CannotStack`, and the caller runs the edits one by one instead.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import fields
from typing import Any

import numpy as np

from realpolitik.scenario.model import Scenario

#: Generator attributes a stacked run may use: any other one (another way of drawing, or the bit
#: generator itself, which would draw behind the repetition's back) raises :class:`CannotStack`.
_ALLOWED = frozenset({"random", "_copies", "_rows"})


class CannotStack(Exception):
    """The stacked run cannot give every edit its own numbers: run the edits one by one."""


class TiledGenerator(np.random.Generator):
    """A generator for ``copies`` stacked runs of ``rows`` rows each that all draw from the same
    stream: each call of :meth:`random` draws the numbers of one run (the stacked axis, of
    length ``copies * rows``, cut to ``rows``) and repeats them ``copies`` times along it."""

    def __init__(self, seed: Any, copies: int, rows: int) -> None:
        super().__init__(np.random.default_rng(seed).bit_generator)
        self._copies = copies
        self._rows = rows

    def __getattribute__(self, name: str) -> Any:
        """Only :meth:`random` may draw: any other way of drawing could not be repeated."""
        if name.startswith("__") or name in _ALLOWED or not hasattr(np.random.Generator, name):
            return super().__getattribute__(name)  # (an unknown name: AttributeError, as usual)
        raise CannotStack(f"a stacked run cannot repeat Generator.{name}")

    def random(self, size: Any = None, dtype: Any = np.float64, out: Any = None) -> Any:
        """Uniform numbers in [0, 1): one run's, repeated along the stacked axis."""
        if out is not None or np.dtype(dtype) != np.float64 or size is None:
            raise CannotStack("a stacked run repeats only float64 arrays drawn without ``out``")
        shape = (size,) if isinstance(size, int | np.integer) else tuple(size)
        total = self._copies * self._rows
        axes = [ax for ax, n in enumerate(shape) if n == total]
        if len(axes) != 1:
            raise CannotStack(f"no single stacked axis of length {total} in the shape {shape}")
        ax = axes[0]
        one = super().random(shape[:ax] + (self._rows,) + shape[ax + 1 :])
        return np.concatenate([one] * self._copies, axis=ax)


def _signature(value: Any) -> Hashable:
    """What must be equal between stacked problems: shapes past the draw axis, and the values of
    the fields without one."""
    if isinstance(value, np.ndarray):
        return (value.dtype.str, value.shape[1:])
    return repr(value)


def stack_key(scenario: Scenario, problem: Any) -> Hashable:
    """Edits with equal keys draw their random numbers alike and can be stacked.

    The key holds the years simulated (the problem's and the outputs asked for), whether any
    promise may fail to take its form (then the simulation draws once more) and the problem's
    structure: every field's shape past the draw axis, and the fields without a draw axis.
    """
    from realpolitik.models.adapters.realignment import _years
    from realpolitik.models.realignment.problem import _PER_LEVER_OR_PAYER

    structure: list[tuple[str, Hashable]] = []
    for f in fields(problem):
        value = getattr(problem, f.name)
        if f.name in _PER_LEVER_OR_PAYER or isinstance(value, tuple):
            structure.append((f.name, repr(np.asarray(value).tolist())))
        elif hasattr(value, "__dataclass_fields__"):  # a Turnover: arrays with a draw axis
            structure.append(
                (f.name, tuple(_signature(getattr(value, g.name)) for g in fields(value)))
            )
        else:
            structure.append((f.name, _signature(value)))
    forms = bool(np.any(problem.lever_form_probability < 1.0))
    return (problem.years, _years(scenario), forms, tuple(structure))


def stack_problems(problems: Sequence[Any]) -> Any:
    """One problem whose rows are those of ``problems`` in order (all with equal :func:`stack_key`;
    each already validated, so the stack is not checked again)."""
    from realpolitik.models.realignment.problem import _PER_LEVER_OR_PAYER

    first = problems[0]
    changes: dict[str, Any] = {}
    for f in fields(first):
        value = getattr(first, f.name)
        if f.name in _PER_LEVER_OR_PAYER or isinstance(value, tuple):
            continue
        if hasattr(value, "__dataclass_fields__"):
            parts = {
                g.name: np.concatenate([getattr(getattr(p, f.name), g.name) for p in problems])
                for g in fields(value)
            }
            changes[f.name] = type(value)(**parts)
        else:
            changes[f.name] = np.concatenate([getattr(p, f.name) for p in problems])
    return first.with_derived(**changes)


def _evaluate_stack(
    scenarios: Sequence[Scenario], problems: Sequence[Any], stream: Any
) -> list[dict[str, np.ndarray]]:
    """The model's outputs for stacked ``problems`` (equal keys, equal rows), one dict each."""
    from realpolitik.models.adapters.realignment import _outputs_from_batch, _years
    from realpolitik.models.realignment import evaluate_batch

    rows = problems[0].batch
    years = _years(scenarios[0])
    alone = len(problems) == 1
    rng = np.random.default_rng(stream) if alone else TiledGenerator(stream, len(problems), rows)
    out = evaluate_batch(stack_problems(problems), rng, years=tuple(range(1, years + 1)))
    stacked = _outputs_from_batch(out, years)
    return [
        {k: v[i * rows : (i + 1) * rows] for k, v in stacked.items()} for i in range(len(problems))
    ]


def _batch_outputs(
    scenarios: Sequence[Scenario], samples: Sequence[dict[str, np.ndarray]], stream: Any
) -> list[dict[str, np.ndarray]]:
    """One batch of draws of every scenario (its own ``samples``), stacked by key."""
    from realpolitik.models.adapters.realignment import problem_from_scenario

    size = len(next(iter(samples[0].values())))
    problems = [problem_from_scenario(s, x, size) for s, x in zip(scenarios, samples, strict=True)]
    groups: dict[Hashable, list[int]] = {}
    for i, (s, p) in enumerate(zip(scenarios, problems, strict=True)):
        groups.setdefault(stack_key(s, p), []).append(i)
    out: list[dict[str, np.ndarray]] = [{} for _ in scenarios]
    for members in groups.values():
        parts = _evaluate_stack(
            [scenarios[i] for i in members], [problems[i] for i in members], stream
        )
        for i, part in zip(members, parts, strict=True):
            out[i] = part
    return out


def draw_outputs_stacked(
    original: Scenario, scenarios: Sequence[Scenario], draws: int, seed: int
) -> list[dict[str, np.ndarray]]:
    """:func:`realpolitik.app.views.draw_outputs` of every scenario in ``scenarios`` (edits of
    ``original``), the same numbers to the last bit, with the edits stacked into one model call
    per batch of draws where they can be (see the module's notes).

    Raises
    ------
    CannotStack
        When the model draws its random numbers in a way a stacked run cannot repeat.
    """
    from realpolitik.app.views import fixed_samples, shared_draws

    shared = shared_draws(original, draws, seed) if scenarios else None
    if shared is None:
        return [{} for _ in scenarios]
    parts: list[list[dict[str, np.ndarray]]] = []
    for start, stop, stream in shared.batches:
        samples = [fixed_samples(shared, s, start, stop) for s in scenarios]
        parts.append(_batch_outputs(scenarios, samples, stream))
    return [
        {k: np.concatenate([np.asarray(p[i][k], dtype=float) for p in parts]) for k in parts[0][i]}
        for i in range(len(scenarios))
    ]
