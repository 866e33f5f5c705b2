"""Fuzzing the scenario loader: malformed, truncated and hostile YAML must always give a clean
ScenarioError (or a valid scenario), never another exception and never a traceback in the CLI."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import scenario_dicts

from realpolitik.errors import ScenarioError
from realpolitik.scenario import Scenario, loads
from realpolitik.scenario.dump import to_yaml

WRONG_VALUES = st.one_of(
    st.text(max_size=20),
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


def _leaf_paths(obj: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _leaf_paths(v, path + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _leaf_paths(v, path + (i,))
    return out


def _set(obj: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    parent = obj
    try:
        for p in path[:-1]:
            parent = parent[p]
        if isinstance(parent, dict | list):
            parent[path[-1]] = value
    except (KeyError, IndexError, TypeError):  # an earlier mutation removed or replaced the place
        pass
    return obj


def _yaml_scalar(v: Any) -> Any:
    # NaN and infinities are written as YAML's own spellings, which the loader must refuse
    if isinstance(v, float) and not math.isfinite(v):
        return {"__raw__": ".nan" if math.isnan(v) else ("-.inf" if v < 0 else ".inf")}
    return v


@st.composite
def mutated(draw: Any) -> str:
    data = draw(scenario_dicts())
    data = copy.deepcopy(data)
    paths = _leaf_paths(data)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "unknown_key", "delete"]))
        target = data
        try:
            for p in path:
                target = target[p]
        except (KeyError, IndexError, TypeError):
            continue
        if action == "replace":
            data = _set(data, path, _yaml_scalar(draw(WRONG_VALUES)))
        elif action == "unknown_key" and isinstance(target, dict):
            target[draw(st.text(min_size=1, max_size=8))] = draw(
                WRONG_VALUES.filter(lambda v: not (isinstance(v, float) and not math.isfinite(v)))
            )
        elif action == "delete" and path and isinstance(target, dict | list | str | int | float):
            parent = data
            try:
                for p in path[:-1]:
                    parent = parent[p]
            except (KeyError, IndexError, TypeError):
                continue
            if isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif isinstance(parent, list) and parent:
                parent.pop(path[-1])
    if not isinstance(data, dict):
        return to_yaml({"x": data}) if not isinstance(data, float) else "x: 1\n"
    text = to_yaml(_strip_raw(data))
    return text.replace("'__RAW__", "").replace("__RAW__'", "")


def _strip_raw(obj: Any) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__raw__"}:
            return "__RAW__" + obj["__raw__"] + "__RAW__"
        return {k: _strip_raw(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_strip_raw(v) for v in obj]
    return obj


@st.composite
def truncated(draw: Any) -> str:
    text = to_yaml(draw(scenario_dicts()))
    cut = draw(st.integers(0, max(len(text) - 1, 0)))
    return text[:cut]


HOSTILE = [
    "a: !!python/object/apply:os.system ['true']\n",
    "a: !!python/name:os.system\n",
    "!!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !custom 1\n",
    "a: !!timestamp 2001-12-14\nname: x\nactors: []\n",
    "name: x\n<<: {a: 1}\n",
    "[" * 5000 + "]" * 5000,
    "{" * 3000,
    "a: "
    + "x" * 100
    + "\n"
    + "b: &b ["
    + ", ".join(["1"] * 100)
    + "]\n"
    + "c: ["
    + ", ".join(["*b"] * 3000)
    + "]\n",
    "\x00\x01\x02",
    "name: x\nactors:\n  - id: A\n    size: 1e400\n",
    "name: x\nactors:\n  - id: A\n    size: -.inf\n",
    "? [a, b]\n: 1\n",
    "%YAML 1.1\n%TAG ! tag:yaml.org,2002:python/\n---\na: !object:os.system x\n",
]


@st.composite
def hostile(draw: Any) -> str:
    base = draw(st.sampled_from(HOSTILE))
    if draw(st.booleans()):
        base = to_yaml(draw(scenario_dicts())) + base
    return base


bad_inputs = st.one_of(mutated(), truncated(), hostile(), st.text(max_size=300))


@given(bad_inputs)
@settings(
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@pytest.mark.slow
def test_loader_never_raises_anything_but_scenario_error(text: str) -> None:
    try:
        result = loads(text, "fuzz.yaml")
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError must say what is wrong"
        for p in exc.problems:
            assert p.file == "fuzz.yaml"
            assert p.message
    else:
        assert isinstance(result, Scenario)
