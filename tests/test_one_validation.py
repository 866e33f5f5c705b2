"""One validation decides: what a run would refuse, loading refuses, with the same message."""

from __future__ import annotations

import copy

import pytest
import yaml

from realpolitik.errors import ScenarioError
from realpolitik.scenario import from_dict, load
from realpolitik.scenario.examples import example_path
from realpolitik.scenario.schema import MAX_MAGNITUDE


@pytest.fixture(scope="module")
def base() -> dict:
    return yaml.safe_load(example_path("reverse-kissinger").read_text())


@pytest.fixture(scope="module")
def uncertain(base) -> list[str]:
    return [u.path for u in load("reverse-kissinger").uncertainties()]


def _refused(data: dict) -> str:
    with pytest.raises(ScenarioError) as info:
        from_dict(data, file="edited.yaml")
    return str(info.value)


def test_self_correlation(base, uncertain):
    d = copy.deepcopy(base)
    d["correlations"].append({"paths": [uncertain[0], uncertain[0]], "rho": 0.5})
    assert f"correlation of {uncertain[0]!r} with itself" in _refused(d)


def test_correlations_not_positive_definite(base, uncertain):
    # rank correlations +0.95, +0.95 and -0.95 among three numbers cannot hold together
    a, b, c = uncertain[:3]
    d = copy.deepcopy(base)
    d["correlations"] = [
        {"paths": [a, b], "rho": 0.95},
        {"paths": [b, c], "rho": 0.95},
        {"paths": [a, c], "rho": -0.95},
    ]
    assert "not positive definite" in _refused(d)
    d["correlations"][2]["rho"] = 0.9  # consistent: accepted
    from_dict(d, file="edited.yaml")


def test_correlation_of_a_certain_number_and_rho_one(base, uncertain):
    certain = next(p for p in load("reverse-kissinger")._quantity_index if p not in uncertain)
    d = copy.deepcopy(base)
    d["correlations"] = [{"paths": [uncertain[0], certain], "rho": 0.3}]
    assert "which is not an uncertain input" in _refused(d)
    d["correlations"] = [{"paths": [uncertain[0], uncertain[1]], "rho": 1.0}]
    assert "must be a number in (-1, 1)" in _refused(d)


@pytest.mark.parametrize("value", [1e300, -1e13, MAX_MAGNITUDE * 1.01])
def test_magnitudes_are_bounded(base, value):
    d = copy.deepcopy(base)
    d["levers"][0]["value"] = {"value": value, "assumption": "test"}
    msg = _refused(d)
    assert "levers[0].value" in msg and "MAX_MAGNITUDE" in msg


def test_distribution_parameters_are_bounded(base):
    d = copy.deepcopy(base)
    d["levers"][0]["value"]["dist"] = {"kind": "uniform", "low": 0, "high": 1e300}
    assert "MAX_MAGNITUDE" in _refused(d)


@pytest.mark.parametrize("share", [5, -0.1, 1.5])
def test_gains_share_is_a_share(base, share):
    d = copy.deepcopy(base)
    d["realignment"]["trade"]["gains_share"] = {"value": share, "assumption": "test"}
    assert "gains_share is a share" in _refused(d)


def test_faction_that_is_its_own_parent(base):
    d = copy.deepcopy(base)
    faction = next(a for a in d["actors"] if a.get("kind") == "faction")
    faction["parent"] = faction["id"]
    assert "a faction cannot be its own parent" in _refused(d)


def test_lever_from_an_actor_to_itself(base):
    d = copy.deepcopy(base)
    d["levers"][0]["to"] = d["levers"][0]["by"]
    assert "a lever needs two different actors" in _refused(d)


def test_validate_and_run_say_the_same(base, uncertain, tmp_path, capsys):
    """The message `validate` prints is the one `run` stops with."""
    from realpolitik.cli import main

    d = copy.deepcopy(base)
    d["correlations"].append({"paths": [uncertain[0], uncertain[0]], "rho": 0.5})
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False))
    outputs = []
    for args in (
        ["validate", str(path)],
        ["run", str(path), "--draws", "10", "--out", str(tmp_path / "o")],
    ):
        with pytest.raises(SystemExit) as info:
            main(args)
        assert info.value.code == 2
        outputs.append(capsys.readouterr().err)
    needle = f"correlation of {uncertain[0]!r} with itself"
    assert all(needle in text for text in outputs)
    assert not (tmp_path / "o").exists()
