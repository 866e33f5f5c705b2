"""What differs between two scenarios: their numbers, their ranges and their settings, by key path.

Two scenarios are compared on their plain data (:meth:`Scenario.to_dict`), with list items keyed by
their id (``levers.sphere-of-influence``) or their pair (``relations.RUS~CHN``), as everywhere else.
Prose (notes, descriptions, titles, sources' text) is not compared: only what a model can read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from realpolitik.scenario.model import Scenario

#: Keys whose values are prose, not inputs to any model.
PROSE_KEYS = frozenset(
    {
        "note",
        "description",
        "title",
        "assumption",
        "source",
        "text",
        "url",
        "publisher",
        "name",
    }
)
#: Top-level blocks that hold references and prose only (dimensions: labels of the ends; their
#: ranges scale positions, which are compared where they are used).
PROSE_BLOCKS = frozenset(
    {"sources", "claims", "name", "title", "description", "unit", "dimensions"}
)

ChangeKind = Literal["number", "range", "setting", "added", "removed"]


@dataclass(frozen=True)
class Change:
    """One difference between scenario A and scenario B.

    Attributes
    ----------
    kind : str
        ``number`` (a value moved), ``range`` (a distribution changed), ``setting`` (a non-numeric
        input such as a lever's commitment form), ``added`` or ``removed`` (present in one only).
    path : str
        The key path.
    old, new : Any
        The value in A and in B (None where absent).
    claims : tuple of str
        The claims the number encodes (in either scenario).
    """

    kind: ChangeKind
    path: str
    old: Any
    new: Any
    claims: tuple[str, ...] = ()

    @property
    def delta(self) -> float | None:
        """``new - old`` for a number that moved, else None."""
        if self.kind == "number" and isinstance(self.old, float) and isinstance(self.new, float):
            return self.new - self.old
        return None

    def to_dict(self) -> dict[str, Any]:
        """The plain mapping (JSON-ready)."""
        return {
            "kind": self.kind,
            "path": self.path,
            "old": self.old,
            "new": self.new,
            "claims": list(self.claims),
        }


def _is_quantity(node: Any) -> bool:
    return isinstance(node, dict) and "value" in node and not isinstance(node["value"], dict)


def _item_key(item: Any) -> str | None:
    if isinstance(item, dict):
        if "id" in item:
            return str(item["id"])
        if "between" in item:
            a, b = item["between"]
            return f"{a}~{b}"
        if "path" in item:
            return str(item["path"])
        if "paths" in item:
            a, b = item["paths"]
            return f"{a}|{b}"
    return None


def _flatten(node: Any, path: str, out: dict[str, Any], claims: dict[str, tuple[str, ...]]) -> None:
    if _is_quantity(node):
        out[path] = float(node["value"])
        if node.get("claims"):
            claims[path] = tuple(node["claims"])
        if node.get("dist"):
            out[path + ".dist"] = _dist_text(node["dist"])
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PROSE_KEYS:
                continue
            _flatten(value, f"{path}.{key}" if path else str(key), out, claims)
        return
    if isinstance(node, list):
        if not node:
            return  # an empty list says no more than a missing one
        keys = [_item_key(item) for item in node]
        if node and all(k is not None for k in keys):
            for key, item in zip(keys, node, strict=True):
                _flatten(item, f"{path}.{key}", out, claims)
            return
        out[path] = tuple(node)
        return
    out[path] = node


def _dist_text(dist: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in dist.items())


def flat_inputs(scenario: Scenario) -> tuple[dict[str, Any], dict[str, tuple[str, ...]]]:
    """Every input of ``scenario`` by key path (numbers as floats, ranges as text), and claims."""
    data = {k: v for k, v in scenario.to_dict().items() if k not in PROSE_BLOCKS}
    out: dict[str, Any] = {}
    claims: dict[str, tuple[str, ...]] = {}
    _flatten(data, "", out, claims)
    return out, claims


def diff_scenarios(a: Scenario, b: Scenario) -> list[Change]:
    """Every input that differs between ``a`` and ``b``, in ``a``'s order then ``b``'s additions.

    Numbers are compared exactly (a scenario is data; any change is a change).
    """
    flat_a, claims_a = flat_inputs(a)
    flat_b, claims_b = flat_inputs(b)
    changes: list[Change] = []
    for path in [*flat_a, *(p for p in flat_b if p not in flat_a)]:
        claims = tuple(dict.fromkeys((*claims_a.get(path, ()), *claims_b.get(path, ()))))
        if path.endswith(".dist"):
            base = path[: -len(".dist")]
            claims = tuple(dict.fromkeys((*claims_a.get(base, ()), *claims_b.get(base, ()))))
        in_a, in_b = path in flat_a, path in flat_b
        old, new = flat_a.get(path), flat_b.get(path)
        if in_a and in_b and old == new:
            continue
        kind: ChangeKind
        if path.endswith(".dist"):
            kind = "range"
        elif not in_b:
            kind = "removed"
        elif not in_a:
            kind = "added"
        elif isinstance(old, float) and isinstance(new, float):
            kind = "number"
        else:
            kind = "setting"
        changes.append(Change(kind, path, old, new, claims))
    return changes
