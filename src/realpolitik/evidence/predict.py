"""Coded episodes through the realignment model: probabilities of each option per episode.

The model is called through the registry (``registry.get("realignment").evaluate``), the public
way every batch of draws reaches a model. One call evaluates many candidate constant vectors at
once: the batch is ``candidates x draws``, each draw with its own fact ranges drawn and its own
unmeasured part, the same draws for every candidate (common random numbers), so that likelihoods
of nearby candidates differ only by the constants.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from realpolitik.evidence import constants as K
from realpolitik.evidence.load import Episode
from realpolitik.evidence.protocol import CodedEpisode, code_episode
from realpolitik.scenario.model import Scenario

#: The model's options, in the order of the probability columns.
OPTIONS = ("stay", "hedge", "courter", "exit")
#: The model's indicator for each option (the names of today's model, then of the typed results).
OUTPUT_NAMES = (("stays",), ("hedges",), ("realigns", "courter_wins"), ("exits",))


def _column(out: Mapping[str, np.ndarray], names: tuple[str, ...], size: int) -> np.ndarray:
    for name in names:
        if name in out:
            return np.asarray(out[name], float)
    return np.zeros(size)


def _outputs(result: Any) -> Mapping[str, np.ndarray]:
    """A model's batch outputs as a mapping (plain dicts, or typed results with ``outputs``)."""
    if isinstance(result, Mapping):
        return result
    for attr in ("outputs", "values", "columns"):
        inner = getattr(result, attr, None)
        if isinstance(inner, Mapping):
            return inner
    raise TypeError(f"cannot read the realignment model's outputs from {type(result).__name__}")


@dataclass
class PreparedEpisode:
    """An episode coded once, with its scenario and its fixed draws (fact ranges, noise)."""

    coded: CodedEpisode
    draws: int
    seed: int

    @property
    def id(self) -> str:
        """The episode's id."""
        return self.coded.id

    @cached_property
    def scenario(self) -> Scenario:
        """The coded scenario (validated once; the constants only change its numbers)."""
        from realpolitik.scenario.load import from_dict

        return from_dict(self.coded.data, file=f"<episode {self.id}>")

    @cached_property
    def _unit_draws(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        rng = np.random.default_rng([self.seed, _stable(self.id)])
        facts = {
            name: low + (high - low) * rng.random(self.draws)
            for name, (low, high) in sorted(self.coded.fact_ranges.items())
        }
        z = rng.standard_normal(self.draws)
        return facts, z

    def samples(self, theta: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The scenario's numbers for each candidate (rows of ``theta``) times each draw."""
        n_cand = len(next(iter(theta.values())))
        facts, z = self._unit_draws
        th = {k: np.repeat(np.asarray(v, float), self.draws) for k, v in theta.items()}
        fd = {k: np.tile(v, n_cand) for k, v in facts.items()}
        zz = np.tile(z, n_cand)
        size = n_cand * self.draws
        return {
            path: np.broadcast_to(np.asarray(term.evaluate(th, fd, zz), float), (size,)).copy()
            for path, term in self.coded.terms.items()
        }

    def probabilities(self, theta: Mapping[str, np.ndarray]) -> np.ndarray:
        """P(stay), P(hedge), P(courter), P(exit) for each candidate: ``(candidates, 4)``."""
        from realpolitik.models import registry

        n_cand = len(next(iter(theta.values())))
        spec = registry.get("realignment")
        if spec.evaluate is None:  # pragma: no cover - the model always evaluates batches
            raise RuntimeError("the realignment model cannot evaluate batches")
        out = _outputs(
            spec.evaluate(self.scenario, self.samples(theta), np.random.default_rng(self.seed))
        )
        size = n_cand * self.draws
        cols = [_column(out, names, size) for names in OUTPUT_NAMES]
        return np.stack(cols, axis=-1).reshape(n_cand, self.draws, len(OPTIONS)).mean(axis=1)


def _stable(text: str) -> int:
    """A platform-independent integer from ``text`` (seeds the episode's own draws)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def prepare(
    episodes: list[Episode],
    draws: int = 64,
    seed: int = 0,
    *,
    sizes: Mapping[str, Mapping[str, float]] | None = None,
    hazards: Mapping[str, Mapping[str, float]] | None = None,
) -> list[PreparedEpisode]:
    """Code every episode once (the scenario's structure does not depend on the constants)."""
    return [
        PreparedEpisode(
            code_episode(
                ep,
                sizes=(sizes or {}).get(ep.id),
                hazards=(hazards or {}).get(ep.id),
            ),
            draws,
            seed,
        )
        for ep in episodes
    ]


def theta_matrix(rows: np.ndarray) -> dict[str, np.ndarray]:
    """Candidates as rows of free-constant values -> a mapping by constant name."""
    rows = np.atleast_2d(np.asarray(rows, float))
    return {name: rows[:, i] for i, name in enumerate(K.FREE_NAMES)}


def probabilities(prepared: list[PreparedEpisode], theta_rows: np.ndarray) -> np.ndarray:
    """P(stay, hedge, courter, exit) per episode and candidate: ``(episodes, candidates, 4)``."""
    theta = theta_matrix(theta_rows)
    return np.stack([p.probabilities(theta) for p in prepared])


def predictive(
    prepared: list[PreparedEpisode],
    point: np.ndarray,
    spread: np.ndarray | None = None,
    samples: int = 16,
    seed: int = 0,
) -> np.ndarray:
    """Probabilities with the constants' uncertainty: averaged over triangular draws of them.

    ``spread`` is ``(n_constants, 2)``: each constant's low and high end (mode at ``point``).
    """
    point = np.asarray(point, float)
    if spread is None:
        return probabilities(prepared, point[None, :])[:, 0, :]
    rng = np.random.default_rng(seed)
    rows = np.empty((samples, len(point)))
    for i, (low, high) in enumerate(np.asarray(spread, float)):
        mode = min(max(point[i], low), high)
        rows[:, i] = point[i] if high <= low else rng.triangular(low, mode, high, samples)
    return probabilities(prepared, rows).mean(axis=1)
