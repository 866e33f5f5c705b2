"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]


# The README's test command, CI and a fresh clone run Hypothesis derandomised (the same examples
# every run, so the suite cannot turn red by luck) and without the example database (a failure
# saved by one run is never replayed by the next). Developers explore new examples with
# HYPOTHESIS_PROFILE=dev.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _shared() -> Path:
    env = os.environ.get("REALPOLITIK_SHARED")
    return Path(env) if env else REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ../shared folder (validation cases, IR data); skip the test when it is absent."""
    path = _shared()
    if not (path / "validation").is_dir():
        pytest.skip(f"../shared is not beside the repository (looked for {path}/validation)")
    return path


@pytest.fixture(scope="session")
def validation_dir(shared_dir: Path) -> Path:
    return shared_dir / "validation"


@pytest.fixture(scope="session")
def ir_data_dir(shared_dir: Path) -> Path:
    path = shared_dir / "data" / "ir"
    if not path.is_dir():
        pytest.skip(f"IR datasets not found at {path}")
    return path


class LinearModel:
    """A two-input model whose outputs are known by hand: ``y = a.b + 2 c~d``, ``big = y > 1.5``
    (the store's tests run it; the ``~`` in a name tests quoting)."""

    def evaluate(self, samples, rng):
        x = samples["a.b"] + 2 * samples["c~d"]
        return {"y": x, "big": x > 1.5}


@pytest.fixture(scope="session")
def linear_spec():
    """The experiment of :class:`LinearModel`: both inputs uniform on [0, 1]."""
    from realpolitik.experiment.uncertainty import ExperimentSpec, Uncertainty, Uniform

    return ExperimentSpec(
        (Uncertainty("a.b", Uniform(0, 1)), Uncertainty("c~d", Uniform(0, 1))),
        LinearModel(),
        scenario_name="lin",
        scenario_hash="h1",
        model_names=("linear",),
    )
