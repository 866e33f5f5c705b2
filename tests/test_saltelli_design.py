"""The Sobol' design made with array operations is SALib's ``sobol.sample`` (without second-order
rows), value for value: SALib's element-by-element loop is the oracle."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from realpolitik.experiment.sensitivity import _saltelli_design

sobol_sample = pytest.importorskip("SALib.sample.sobol")


def _problem(d: int) -> dict:
    return {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}


@pytest.mark.parametrize(("n_base", "d"), [(2, 1), (8, 5), (64, 3), (128, 85), (12, 4)])
def test_design_is_salibs_value_for_value(n_base: int, d: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy's note on a size that is not a power of two
        expected = sobol_sample.sample(
            _problem(d),
            n_base,
            calc_second_order=False,
            scramble=True,
            seed=np.random.default_rng(3),
        )
        got = _saltelli_design(_problem(d), n_base, np.random.default_rng(3))
    assert got.shape == (n_base * (d + 2), d)
    assert np.array_equal(got, expected)


def test_power_of_two_design_leaves_the_warning_filters_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No warning filter is set (threads may make designs while others run)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the warning filters were changed")

    monkeypatch.setattr(warnings, "catch_warnings", refuse)
    monkeypatch.setattr(warnings, "filterwarnings", refuse)
    assert _saltelli_design(_problem(4), 16, np.random.default_rng(0)).shape == (96, 4)
