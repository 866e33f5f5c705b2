"""Editing a scenario's numbers within their stated ranges, and writing the edited scenario back.

An edit is a key path (``levers.sphere-of-influence.value``) and a new value; the edited scenario is
rebuilt from plain data by :func:`realpolitik.scenario.from_dict`, so it obeys every rule a scenario
file obeys. What may be edited, and within which range, is listed by :func:`editable_numbers` (every
number of a lever and every number that encodes a claim) and :func:`commitment_choices` (the
commitment form of each lever that makes a promise).

An edited number is *fixed* at its new value: its distribution (inline or in ``uncertainties:``)
and any correlation naming it are dropped, so that draws over the edited scenario answer "what if
this number were that?". The number's note keeps the old value and the old range, and says that it
was changed, so an exported file shows what was edited and from what.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.edit_marks import CHANGED_MARK, fixed_node, fmt
from realpolitik.scenario.model import Scenario
from realpolitik.scenario.schema import Dist

#: Slider positions between a number's low and high end.
SLIDER_STEPS = 200
#: A fixed lever number (no stated range) may move between 0 and this multiple of its value.
FIXED_LEVER_SPAN = 2.0
#: Standard deviations either side of the centre for distributions without finite bounds.
UNBOUNDED_SPAN_SD = 3.0


@dataclass(frozen=True)
class EditableNumber:
    """A number that may be edited, with the range it may take.

    Attributes
    ----------
    path : str
        Its key path.
    value : float
        Its value in the scenario.
    low, high : float
        The range an edit must stay in: the number's stated range (the support of its
        distribution), or for a lever's fixed number 0 to twice its value.
    step : float
        A slider step (the range over :data:`SLIDER_STEPS`).
    claims : tuple of str
        The claims it encodes.
    group : str
        Where it belongs, for grouping controls (``lever sphere-of-influence``, ``realignment``).
    label : str
        A short readable name.
    range_source : str
        ``distribution`` or ``fixed lever number`` (how the range was set).
    """

    path: str
    value: float
    low: float
    high: float
    step: float
    claims: tuple[str, ...]
    group: str
    label: str
    range_source: str

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping (JSON-ready)."""
        return {
            "path": self.path,
            "value": self.value,
            "low": self.low,
            "high": self.high,
            "step": self.step,
            "claims": list(self.claims),
            "group": self.group,
            "label": self.label,
            "range_source": self.range_source,
        }


@dataclass(frozen=True)
class CommitmentChoice:
    """The commitment form of a lever that makes a promise, and the forms it may take."""

    path: str
    lever: str
    current: str
    options: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping (JSON-ready)."""
        return {
            "path": self.path,
            "lever": self.lever,
            "current": self.current,
            "options": list(self.options),
        }


def _dist_range(dist: Dist) -> tuple[float, float]:
    low, high = dist.support()
    if math.isfinite(low) and math.isfinite(high):
        return low, high
    if dist.kind == "normal":
        mean, sd = float(dist.mean or 0.0), float(dist.sd or 0.0)
        return mean - UNBOUNDED_SPAN_SD * sd, mean + UNBOUNDED_SPAN_SD * sd
    if dist.kind == "lognormal":
        mu, sigma = float(dist.mu or 0.0), float(dist.sigma or 0.0)
        return (
            math.exp(mu - UNBOUNDED_SPAN_SD * sigma),
            math.exp(mu + UNBOUNDED_SPAN_SD * sigma),
        )
    return low, high


def _group_and_label(path: str, scenario: Scenario) -> tuple[str, str]:
    for lever in scenario.spec.levers:
        prefix = f"levers.{lever.id}."
        if path.startswith(prefix):
            return f"lever {lever.id}", path[len(prefix) :]
    head, _, rest = path.partition(".")
    return head, rest or head


def editable_numbers(scenario: Scenario) -> list[EditableNumber]:
    """Every number of a lever and every claim-tagged number, with the range it may take.

    A number with a distribution may move across the distribution's support (for a normal or
    lognormal distribution, :data:`UNBOUNDED_SPAN_SD` standard deviations either side). A lever's
    number without one may move between 0 and :data:`FIXED_LEVER_SPAN` times its value. Other
    numbers without a stated range are not editable.
    """
    dists = {u.path: u for u in scenario.uncertainties()}
    lever_prefixes = tuple(f"levers.{lv.id}." for lv in scenario.spec.levers)
    out: list[EditableNumber] = []
    for ref in scenario.quantities():
        q = ref.quantity
        unc = dists.get(ref.path)
        claims = tuple(dict.fromkeys((*q.claims, *(unc.claims if unc else ()))))
        in_lever = ref.path.startswith(lever_prefixes)
        if not (in_lever or claims):
            continue
        if unc is not None:
            low, high = _dist_range(unc.dist)
            source = "distribution"
        elif in_lever:
            low, high = sorted((0.0, FIXED_LEVER_SPAN * q.value))
            source = "fixed lever number"
        else:
            continue
        if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
            continue
        low, high = min(low, q.value), max(high, q.value)
        group, label = _group_and_label(ref.path, scenario)
        out.append(
            EditableNumber(
                path=ref.path,
                value=q.value,
                low=low,
                high=high,
                step=(high - low) / SLIDER_STEPS,
                claims=claims,
                group=group,
                label=label,
                range_source=source,
            )
        )
    return out


def commitment_choices(scenario: Scenario) -> list[CommitmentChoice]:
    """The commitment form of each lever that makes a promise, and the forms its giver may use.

    A giver may use the forms its own levers use and, on the courting side, any form no other
    giver's lever uses that is not the pivot's own (``realignment.pivot_commitment``): a US
    lever cannot take a Chinese assurance, and the incumbent keeps its own forms.
    """
    spec = scenario.spec
    pivot_form = spec.realignment.pivot_commitment if spec.realignment is not None else None
    out = []
    for lever in spec.levers:
        if lever.commitment is None:
            continue
        others = {
            lv.commitment for lv in spec.levers if lv.by != lever.by and lv.commitment is not None
        }
        own = {lv.commitment for lv in spec.levers if lv.by == lever.by}
        if spec.realignment is not None and lever.by == spec.realignment.incumbent:
            free = own  # forms no lever uses are the courter's to choose, as in the model
        else:
            free = {c.id for c in spec.commitments if c.id not in others and c.id != pivot_form}
        forms = tuple(c.id for c in spec.commitments if c.id in own | free)
        if len(forms) > 1:
            out.append(
                CommitmentChoice(f"levers.{lever.id}.commitment", lever.id, lever.commitment, forms)
            )
    return out


# ------------------------------------------------------------------------------------------------
# applying edits


def _split(node: Any, rest: str) -> tuple[Any, str] | None:
    """The child of ``node`` that ``rest`` starts with, and what is left of the path after it."""
    candidates: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        candidates = [(str(k), k) for k in node]
    elif isinstance(node, list):
        for i, item in enumerate(node):
            if not isinstance(item, dict):
                continue
            if "id" in item:
                candidates.append((str(item["id"]), i))
            elif "between" in item:
                a, b = item["between"]
                candidates.append((f"{a}~{b}", i))
    best: tuple[Any, str] | None = None
    best_len = -1
    for name, key in candidates:
        if (rest == name or rest.startswith(name + ".")) and len(name) > best_len:
            best = (key, rest[len(name) + 1 :])
            best_len = len(name)
    return best


def _locate(data: dict[str, Any], path: str) -> tuple[Any, Any]:
    """The container holding the last segment of ``path`` in scenario data, and its key."""
    node: Any = data
    rest = path
    while True:
        found = _split(node, rest)
        if found is None:
            raise KeyError(path)
        key, rest = found
        if not rest:
            return node, key
        node = node[key]


def _bad(path: str, message: str, expected: str, got: Any, file: str) -> Problem:
    return Problem(message, file=file, path=path, expected=expected, got=repr(got))


def _check_number(
    path: str, value: Any, allowed: Mapping[str, EditableNumber], file: str
) -> Problem | float:
    if path not in allowed:
        return _bad(
            path, "not an editable number", "a lever's number or a claim-tagged number", path, file
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _bad(path, "not a number", "a finite number", value, file)
    number = float(value)
    spec = allowed[path]
    if not math.isfinite(number) or not spec.low <= number <= spec.high:
        return _bad(
            path,
            "outside the number's stated range",
            f"a number in [{fmt(spec.low)}, {fmt(spec.high)}]",
            value,
            file,
        )
    return number


#: Scenarios whose editable numbers are kept (a dashboard edits the same few many times).
ALLOWED_KEPT = 8
_ALLOWED: dict[int, tuple[Scenario, dict[str, EditableNumber]]] = {}


def _allowed(scenario: Scenario) -> dict[str, EditableNumber]:
    """:func:`editable_numbers` by path, kept for the last few scenarios (they are immutable;
    the entry holds the scenario itself, so its id cannot be reused while it is kept)."""
    entry = _ALLOWED.get(id(scenario))
    if entry is None or entry[0] is not scenario:
        if len(_ALLOWED) >= ALLOWED_KEPT:
            _ALLOWED.pop(next(iter(_ALLOWED)))
        entry = (scenario, {n.path: n for n in editable_numbers(scenario)})
        _ALLOWED[id(scenario)] = entry
    return entry[1]


def _checked_edits(
    scenario: Scenario, edits: Mapping[str, Any]
) -> tuple[dict[str, float], dict[str, str]]:
    """The edits split into numbers and commitment forms, each checked against what may change."""
    file = f"{scenario.file} (edited)"
    allowed = _allowed(scenario)
    choices = {c.path: c for c in commitment_choices(scenario)}
    problems: list[Problem] = []
    numbers: dict[str, float] = {}
    forms: dict[str, str] = {}
    for path, value in edits.items():
        if path in choices:
            if not isinstance(value, str) or value not in choices[path].options:
                expected = "one of " + ", ".join(choices[path].options)
                problems.append(
                    _bad(path, "not a commitment form of this scenario", expected, value, file)
                )
            else:
                forms[path] = value
            continue
        checked = _check_number(path, value, allowed, file)
        if isinstance(checked, Problem):
            problems.append(checked)
        else:
            numbers[path] = checked
    if problems:
        raise ScenarioError(problems)
    return {p: v for p, v in numbers.items() if v != allowed[p].value}, forms


def _set_forms(data: dict[str, Any], forms: Mapping[str, str]) -> None:
    """Change levers' commitment forms, marking each in the lever's description."""
    for path, value in forms.items():
        container, key = _locate(data, path)
        if container[key] != value:
            mark = f"{CHANGED_MARK}: commitment {container[key]} -> {value}."
            old_text = container.get("description")
            container["description"] = mark + (
                f" Previous description: {old_text}" if old_text else ""
            )
            container[key] = value


def _set_numbers(scenario: Scenario, data: dict[str, Any], changed: Mapping[str, float]) -> None:
    """Fix changed numbers at their new values, keeping the old value and range in the note, and
    drop what made them uncertain (``uncertainties:`` entries, correlations naming them)."""
    old_uncertainties = {u.path: u for u in scenario.uncertainties()}
    for path, value in changed.items():
        container, key = _locate(data, path)
        container[key] = fixed_node(container[key], value, old_uncertainties.get(path))
    if "uncertainties" in data:
        data["uncertainties"] = [u for u in data["uncertainties"] if u["path"] not in changed]
    if "correlations" in data:
        data["correlations"] = [
            c for c in data["correlations"] if not set(c["paths"]) & set(changed)
        ]


def edited_data(scenario: Scenario, edits: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's plain data with ``edits`` applied and marked (not yet validated).

    Parameters
    ----------
    scenario : Scenario
        The scenario to edit.
    edits : mapping of str to float or str
        Key path to new value: a number for an editable number (:func:`editable_numbers`), the id
        of a commitment form for a lever's ``commitment`` (:func:`commitment_choices`).

    Raises
    ------
    ScenarioError
        For a path that is not editable, or a value of the wrong type or outside its range.
    """
    changed, forms = _checked_edits(scenario, edits)
    data = scenario.to_dict()  # fresh data on every call: safe to change in place
    _set_forms(data, forms)
    if changed:
        _set_numbers(scenario, data, changed)
    return data


def apply_edits(scenario: Scenario, edits: Mapping[str, Any]) -> Scenario:
    """The scenario with ``edits`` applied, validated by the same rules as a scenario file.

    See :func:`edited_data` for what an edit is. Returns ``scenario`` itself when there is
    nothing to change.

    Raises
    ------
    ScenarioError
        For an edit that is not allowed, or an edited scenario that is not valid.
    """
    from realpolitik.scenario.fast_edit import edited_numbers
    from realpolitik.scenario.load import from_dict

    if not edits:
        return scenario
    changed, forms = _checked_edits(scenario, edits)
    if not forms:
        fast = edited_numbers(scenario, changed)
        if fast is not None:
            return fast
    data = edited_data(scenario, edits)  # the full path also gives every error's message
    return from_dict(data, file=f"{scenario.file} (edited)")


def _current(scenario: Scenario, path: str) -> Any:
    for choice in commitment_choices(scenario):
        if choice.path == path:
            return choice.current
    return scenario.value(path)


def edited_yaml(scenario: Scenario, edits: Mapping[str, Any]) -> str:
    """The edited scenario as YAML text, checked valid, with a header naming what changed."""
    from realpolitik.scenario.dump import to_yaml
    from realpolitik.scenario.load import loads

    data = edited_data(scenario, edits)
    changed = sorted(path for path, value in edits.items() if _current(scenario, path) != value)
    header = [
        f"Edited from {scenario.name} ({scenario.file}).",
        "Numbers changed are marked in their note with "
        + CHANGED_MARK
        + " and keep the old value.",
    ]
    if changed:
        header.append("Edited: " + ", ".join(changed))
    text = "".join(f"# {line}\n" for line in header) + to_yaml(data)
    loads(text, file=f"{scenario.name}-edited.yaml")  # what we hand out must load
    return text
