"""Bidding over time and a drawn horizon (issue 12, item 8): cases worked by hand, properties.

The hand-worked cases use one-lever games whose every number can be followed on paper; the
expected answers are written out in the comments and never computed by the model's code.
"""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from realpolitik.errors import ScenarioError
from realpolitik.scenario.examples import example_path
from realpolitik.scenario.load import loads


@pytest.mark.parametrize(
    "dist",
    [
        {"kind": "triangular", "low": 5, "mode": 10, "high": 15},
        {"kind": "choice", "values": [5, 7.5, 10]},
    ],
)
def test_a_drawn_horizon_that_is_not_whole_years_is_a_scenario_error(dist):
    d = yaml.safe_load(example_path("nixon-1972").read_text())
    (u,) = [u for u in d["uncertainties"] if u["path"] == "realignment.horizon"]
    u["dist"] = dist
    with pytest.raises(ScenarioError) as info:
        loads(yaml.safe_dump(d, sort_keys=False), file="nixon.yaml")
    (p,) = [p for p in info.value.problems if "horizon" in p.message]
    assert p.file == "nixon.yaml" and p.line is not None
    assert p.path.startswith("uncertainties[") and p.path.endswith("dist")
    assert "choice" in (p.expected or "")
