"""Safe YAML reading that remembers where every value came from.

We never let PyYAML construct objects: the file is composed into a node graph with
:class:`yaml.SafeLoader` and we build plain Python values (dict, list, str, int, float, bool, None)
from the nodes ourselves, recording the line of every key path. This rejects every tag that would
build an object, caps the expansion of anchors and aliases (the "billion laughs" attack), rejects
duplicate keys and non-finite numbers, and turns every failure into a :class:`ScenarioError` that
names the file and line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realpolitik.errors import Problem, ScenarioError

#: Largest scenario file we read (bytes). Real scenarios are a few tens of kilobytes.
MAX_BYTES = 5_000_000
#: Largest number of values we build from one file, aliases expanded.
MAX_NODES = 200_000
#: Deepest nesting we accept.
MAX_DEPTH = 64

_PLAIN_TAGS = {
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}

Loc = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Lines (1-based) of the values of a parsed file, by key path."""

    file: str
    lines: dict[Loc, int] = field(default_factory=dict)
    #: problems found while reading values (non-finite or huge numbers); reported with the rest
    problems: list[Problem] = field(default_factory=list)

    def line(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), None)


class _Builder:
    def __init__(self, file: str) -> None:
        self.map = SourceMap(file)
        self.count = 0
        self.problems: list[Problem] = []
        self._numbers: Any = None  # a loader whose constructors read numbers (made once)

    def _number_loader(self) -> Any:
        """One ``yaml.SafeLoader`` for every number of the document: its int and float
        constructors read only the node, so one loader serves them all (making one per number
        cost about a millisecond each)."""
        if self._numbers is None:
            import yaml

            self._numbers = yaml.SafeLoader("")
        return self._numbers

    def fail(
        self, node: Any, loc: Loc, message: str, expected: str | None = None, got: str | None = None
    ) -> None:
        raise ScenarioError(
            [
                Problem(
                    message,
                    file=self.map.file,
                    line=node.start_mark.line + 1,
                    path=format_loc(loc) or None,
                    expected=expected,
                    got=got,
                )
            ]
        )

    def build(self, node: Any, loc: Loc, depth: int) -> Any:
        import yaml

        self.count += 1
        if self.count > MAX_NODES:
            self.fail(
                node,
                loc,
                "the file expands to too many values (anchors and aliases?)",
                expected=f"at most {MAX_NODES:,} values",
                got="more",
            )
        if depth > MAX_DEPTH:
            self.fail(
                node,
                loc,
                "the file is nested too deeply",
                expected=f"at most {MAX_DEPTH} levels",
                got="more",
            )
        self.map.lines.setdefault(loc, node.start_mark.line + 1)
        if node.tag not in _PLAIN_TAGS:
            self.fail(
                node,
                loc,
                "YAML tags are not allowed in scenario files",
                expected="plain values (numbers, text, lists, mappings)",
                got=repr(node.tag),
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if (
                    not isinstance(key_node, yaml.ScalarNode)
                    or key_node.tag == "tag:yaml.org,2002:merge"
                ):
                    self.fail(
                        key_node,
                        loc,
                        "keys must be plain text",
                        expected="a plain key",
                        got=key_node.tag,
                    )
                key = str(key_node.value)
                if key in out:
                    self.fail(
                        key_node,
                        loc + (key,),
                        f"duplicate key {key!r}",
                        expected="each key once",
                        got="a second time",
                    )
                self.map.lines[loc + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, loc + (key,), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, loc + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, loc)

    def note(self, node: Any, loc: Loc, message: str, expected: str, got: str) -> None:
        """Record a bad scalar and go on, so that all problems are reported together."""
        self.map.problems.append(
            Problem(
                message,
                file=self.map.file,
                line=node.start_mark.line + 1,
                path=format_loc(loc) or None,
                expected=expected,
                got=got,
            )
        )
        return None

    def scalar(self, node: Any, loc: Loc) -> Any:
        import yaml

        tag = node.tag
        text = node.value
        if tag == "tag:yaml.org,2002:str" or tag == "tag:yaml.org,2002:timestamp":
            return str(text)
        if tag == "tag:yaml.org,2002:null":
            return None
        if tag == "tag:yaml.org,2002:bool":
            return yaml.SafeLoader.bool_values[text.lower()]
        if tag == "tag:yaml.org,2002:int":
            digits = text.replace("_", "").lstrip("+-")
            if len(digits) > 30:
                return self.note(
                    node, loc, "number too large", "a number below 1e30", f"{len(digits)} digits"
                )
            value = yaml.SafeLoader.construct_yaml_int(self._number_loader(), node)
            return int(value)
        # float
        value = yaml.SafeLoader.construct_yaml_float(self._number_loader(), node)
        if not math.isfinite(value):
            return self.note(node, loc, "numbers must be finite", "a finite number", text)
        return float(value)


def parse_yaml(text: str, file: str = "<string>") -> tuple[Any, SourceMap]:
    """Parse YAML ``text`` into plain values and a :class:`SourceMap`.

    Raises
    ------
    ScenarioError
        For any syntax error, disallowed tag, duplicate key, non-finite number or oversized input.
    """
    import yaml

    if len(text) > MAX_BYTES:
        raise ScenarioError.single(
            "file too large",
            file=file,
            expected=f"at most {MAX_BYTES:,} bytes",
            got=f"{len(text):,} bytes",
        )
    builder = _Builder(file)
    try:
        _check_shape(text, file)
        loader = _loader_class()(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = (exc.problem or exc.context or "invalid YAML").strip()
        raise ScenarioError.single(f"invalid YAML: {message}", file=file, line=line) from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(f"invalid YAML: {exc}", file=file) from None
    except RecursionError:
        raise ScenarioError.single("the file is nested too deeply", file=file) from None
    except (ValueError, UnicodeError) as exc:
        raise ScenarioError.single(f"cannot read the file: {exc}", file=file) from None
    if node is not None and _expanded_size(node, {}) > MAX_NODES:
        raise ScenarioError.single(
            "the file expands to too many values (anchors and aliases?)",
            file=file,
            expected=f"at most {MAX_NODES:,} values",
            got="more",
        )
    if node is None:
        raise ScenarioError.single(
            "the file is empty", file=file, expected="a mapping of scenario keys", got="nothing"
        )
    try:
        data = builder.build(node, (), 0)
    except RecursionError:
        raise ScenarioError.single("the file is nested too deeply", file=file) from None
    except (
        ValueError,
        TypeError,
        KeyError,
        OverflowError,
    ) as exc:  # a scalar PyYAML cannot convert
        raise ScenarioError.single(f"invalid value: {exc}", file=file) from None
    return data, builder.map


def _loader_class() -> Any:
    """libyaml's safe loader when PyYAML was built with it (much faster), else the pure one."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_shape(text: str, file: str) -> None:
    """Refuse over-deep nesting from the event stream, before the recursive composer sees it."""
    import yaml

    depth = 0
    for event in yaml.parse(text, Loader=_loader_class()):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise ScenarioError.single(
                    "the file is nested too deeply",
                    file=file,
                    line=line,
                    expected=f"at most {MAX_DEPTH} levels",
                    got="more",
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _expanded_size(node: Any, memo: dict[int, int]) -> int:
    """Number of values ``node`` expands to with aliases resolved (shared nodes counted once each
    time they are used), computed without expanding anything."""
    import yaml

    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a cycle (recursive alias) counts once; the builder refuses it by depth
    if isinstance(node, yaml.MappingNode):
        total = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        total = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        total = 1
    memo[key] = min(total, MAX_NODES + 1)
    return memo[key]


def read_text(path: str | Path) -> str:
    """Read a scenario file as UTF-8, with errors that name the file."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise ScenarioError.single(
            f"cannot open the file: {exc.strerror or exc}", file=str(path)
        ) from None
    if size > MAX_BYTES:
        raise ScenarioError.single(
            "file too large",
            file=str(path),
            expected=f"at most {MAX_BYTES:,} bytes",
            got=f"{size:,} bytes",
        )
    try:
        return p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ScenarioError.single("the file is not UTF-8 text", file=str(path)) from None
    except OSError as exc:
        raise ScenarioError.single(
            f"cannot read the file: {exc.strerror or exc}", file=str(path)
        ) from None


def format_loc(loc: Loc) -> str:
    """``('actors', 2, 'size')`` -> ``actors[2].size``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
