"""The inputs of a batch of draws, from the batch's seed: computed by the worker that evaluates
the batch and, for a run stored without its inputs, recomputed from the seeds that each batch
file's metadata records (the same function, so the same values to the last bit).

A batch's seed is split once more: child 0 draws the batch's points in the unit cube, child 1 is
the model's own randomness (see :mod:`realpolitik.experiment.run`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from realpolitik.errors import ModelError
from realpolitik.experiment.uncertainty import ExperimentSpec, unit_design

__all__ = [
    "BATCH_METADATA_KEY",
    "batch_inputs",
    "child_seed",
    "inputs_spec",
    "regenerated_batch",
    "seed_from_record",
    "seed_record",
]


def child_seed(seed: np.random.SeedSequence, i: int) -> np.random.SeedSequence:
    """The ``i``-th child of ``seed``, the same however many children were spawned before."""
    return np.random.SeedSequence(
        seed.entropy, spawn_key=(*seed.spawn_key, i), pool_size=seed.pool_size
    )


def batch_inputs(
    spec: ExperimentSpec,
    sampler: str,
    draws: int,
    start: int,
    stop: int,
    seed: np.random.SeedSequence,
    design: np.random.SeedSequence,
) -> dict[str, np.ndarray]:
    """The inputs of the draws ``start:stop`` of a run, from the batch's seed and the run's
    design seed: what a worker evaluates, and what :meth:`Store.regenerate_inputs
    <realpolitik.experiment.store.Store.regenerate_inputs>` recomputes for a run stored
    without its inputs (the same function, so the same values to the last bit)."""
    unit = unit_design(
        sampler,
        draws,
        spec.dimension,
        start,
        stop,
        design,
        np.random.default_rng(child_seed(seed, 0)),
    )
    return spec.transform(unit)


#: Key of a batch file's Parquet metadata that records what regenerates its inputs.
BATCH_METADATA_KEY = b"realpolitik.batch"


def seed_record(seed: np.random.SeedSequence) -> dict[str, Any]:
    """A SeedSequence as JSON-ready data (entropy as a string: it may exceed 2**53)."""
    return {"entropy": str(seed.entropy), "spawn_key": [int(k) for k in seed.spawn_key]}


def seed_from_record(record: dict[str, Any]) -> np.random.SeedSequence:
    """The SeedSequence that :func:`seed_record` recorded."""
    return np.random.SeedSequence(int(record["entropy"]), spawn_key=tuple(record["spawn_key"]))


class _InputsOnly:
    """The model of a spec rebuilt from a stored run's description: it samples, never evaluates."""

    def evaluate(self, samples: dict[str, np.ndarray], rng: np.random.Generator) -> dict:
        raise ModelError("a spec rebuilt from a stored run only regenerates its inputs")


def inputs_spec(description: dict[str, Any]) -> ExperimentSpec:
    """The uncertainties and correlation of a stored run (its ``run.json``) as an
    :class:`ExperimentSpec` that can regenerate, not evaluate, its draws."""
    from realpolitik.experiment.uncertainty import Uncertainty, distribution_from_spec

    corr = description.get("correlation")
    return ExperimentSpec(
        tuple(
            Uncertainty(u["path"], distribution_from_spec(u["dist"]))
            for u in description.get("uncertainties", [])
        ),
        _InputsOnly(),
        correlation=None if corr is None else np.asarray(corr, dtype=float),
    )


def regenerated_batch(spec: ExperimentSpec, meta: dict[str, Any]) -> dict[str, np.ndarray]:
    """``draw`` and the inputs of one stored batch, from the seeds its metadata recorded."""
    start, stop = int(meta["start"]), int(meta["stop"])
    inputs = batch_inputs(
        spec,
        str(meta["sampler"]),
        int(meta["draws"]),
        start,
        stop,
        seed_from_record(meta["seed"]),
        seed_from_record(meta["design_seed"]),
    )
    return {"draw": np.arange(start, stop, dtype=np.int64), **inputs}
