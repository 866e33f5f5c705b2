"""Randomness: one ``rng`` argument everywhere, normalised once, never a global generator."""

from __future__ import annotations

import numpy as np

RNGLike = None | int | np.random.SeedSequence | np.random.Generator


def as_generator(rng: RNGLike = None) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``rng``.

    ``None`` gives fresh entropy; an int or a SeedSequence seeds a new generator (``0`` is a seed
    like any other); a Generator is returned as is.
    """
    return np.random.default_rng(rng)


def spawn_seeds(seed: int | np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """Derive ``n`` independent child seeds from a root seed, before any work is dispatched."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    return root.spawn(n)
