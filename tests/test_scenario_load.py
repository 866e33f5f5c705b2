"""Loading scenarios: valid files load, bad ones fail with precise, complete messages."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import given, settings
from strategies import scenario_dicts

from realpolitik.errors import ScenarioError
from realpolitik.scenario import from_dict, loads
from realpolitik.scenario.dump import to_yaml

GOOD = textwrap.dedent(
    """\
    realpolitik: 1
    name: tiny
    strict_provenance: true
    sources:
      s1: {title: A source}
    claims:
      C1: {text: a claim}
    actors:
      - {id: A, size: {value: 1, source: s1}}
      - {id: B, size: {value: 2, assumption: a guess}}
      - {id: C, size: {value: 3, assumption: a guess}}
    relations:
      - between: [A, B]
        components:
          trade: {value: 1, source: s1, claims: [C1], dist: {kind: uniform, low: 0, high: 2}}
      - between: [B, C]
        components:
          threat: {value: -2, assumption: a guess}
    """
)


def test_good_scenario_loads() -> None:
    s = loads(GOOD, "good.yaml")
    assert s.actor_ids == ("A", "B", "C")
    p = s.propensity_matrix()
    assert p[0, 1] == p[1, 0] == 1.0 and p[1, 2] == -2.0 and p[0, 2] == 0.0
    (u,) = s.uncertainties()
    assert u.path == "relations.A~B.components.trade" and u.claims == ("C1",)


def _error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        loads(text, "bad.yaml")
    return info.value


def test_error_names_file_line_path_expected_and_got() -> None:
    err = _error(
        GOOD.replace("{value: 2, assumption: a guess}", "{value: two, assumption: a guess}")
    )
    (p,) = err.problems
    assert p.file == "bad.yaml" and p.line == 10
    assert p.path == "actors[1].size.value"
    assert "number" in (p.expected or "") and "two" in (p.got or "")


def test_several_problems_reported_at_once() -> None:
    text = GOOD.replace("trade:", "trdae:").replace("between: [B, C]", "between: [B, Z]")
    text = text.replace("{value: 3, assumption: a guess}", "3")
    err = _error(text)
    messages = [p.message for p in err.problems]
    assert any("unknown component 'trdae'" in m for m in messages)
    assert any("unknown actor 'Z'" in m for m in messages)
    assert any("without provenance" in m for m in messages)
    assert [p.line for p in err.problems] == sorted(p.line for p in err.problems)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "empty"),
        ("[1, 2]", "mapping"),
        ("name: x\nname: y\n", "duplicate key"),
        ("a: !!python/object/apply:os.system ['echo hi']\n", "tags are not allowed"),
        ("a: &x [1]\nb: *x\nname: [unclosed\n", "invalid YAML"),
        ("name: x\nactors: [{id: A, size: .inf}]\n", "finite"),
        ("name: x\nactors: [{id: A, size: 1" + "0" * 40 + "}]\n", "too large"),
    ],
)
def test_hostile_or_broken_input(text: str, needle: str) -> None:
    err = _error(text)
    assert needle in str(err)


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    err = _error("\n".join(lines) + "\n")
    assert "too many values" in str(err)


@given(scenario_dicts())
@settings(max_examples=60, deadline=None)
def test_round_trip(data: dict) -> None:
    """data -> YAML -> Scenario -> data -> YAML -> Scenario: nothing changes."""
    first = loads(to_yaml(data), "rt.yaml")
    again = loads(to_yaml(first.to_dict()), "rt2.yaml")
    assert again.to_dict() == first.to_dict()
    assert again.content_hash == first.content_hash
    assert from_dict(yaml.safe_load(to_yaml(data))).content_hash == first.content_hash


@given(scenario_dicts(min_actors=3))
@settings(max_examples=40, deadline=None)
def test_hash_ignores_layout_but_not_numbers(data: dict) -> None:
    s = from_dict(data)
    reordered = dict(reversed(list(data.items())))
    assert from_dict(reordered).content_hash == s.content_hash
    data["actors"][0]["size"]["value"] *= 2
    data["actors"][0]["size"].pop("dist", None)
    assert from_dict(data).content_hash != s.content_hash
