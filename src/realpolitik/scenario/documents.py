"""Reading and validating a YAML document against a pydantic schema, every problem at once.

Scenario files and episode files are read the same way: a name is resolved to a file (a path, or
the name of a shipped one), read as text, parsed by the safe YAML reader with a line mark for
every key path, then validated by the document's pydantic schema. The problems the reader and
the schema find are collected together, each naming the file, line, key path, what was expected
and what was given. Cross-references, which no single field shows, are each document's own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from realpolitik.errors import Problem, ScenarioError
from realpolitik.scenario.distributions import DistributionError
from realpolitik.scenario.yamlio import Loc, SourceMap, format_loc, parse_yaml, read_text

if TYPE_CHECKING:  # pragma: no cover
    from pydantic import BaseModel

#: A document's schema: a pydantic model.
Spec = TypeVar("Spec", bound="BaseModel")
#: Longest repr of a given value shown in a message.
MAX_GOT_CHARS = 60


def read_document(
    source: str | Path, text: str | None, resolve: Callable[[str | Path], Path]
) -> tuple[Any, SourceMap, str]:
    """The parsed data, its line marks and the file name used in messages.

    ``source`` is a path, or a name ``resolve`` turns into a shipped file's path; with ``text``,
    the YAML text itself, ``source`` only names it.
    """
    if text is None:
        path = resolve(source)
        text = read_text(path)
        file = str(source) if Path(str(source)).exists() else str(path)
    else:
        file = str(source)
    data, smap = parse_yaml(text, file)
    return data, smap, file


def validate_document(
    data: Any,
    schema: type[Spec],
    *,
    what: str,
    smap: SourceMap,
    known_keys: Callable[[Loc], str],
) -> Spec:
    """``data`` validated by ``schema`` (a pydantic model), or every problem raised at once.

    Parameters
    ----------
    what : str
        The document's kind with its article, for a top level that is not a mapping
        (``"a scenario"``).
    known_keys : callable
        ``known_keys(loc)``: what an unknown key at ``loc`` should have been.

    Raises
    ------
    ScenarioError
        The reader's problems (duplicate keys, ...) and the schema's, those under a key the
        reader already refused left out.
    """
    from pydantic import ValidationError

    if not isinstance(data, dict):
        raise ScenarioError.single(
            f"{what} must be a mapping of keys",
            file=smap.file,
            line=smap.line(()),
            expected="a mapping (key: value)",
            got=type(data).__name__,
        )
    early = list(smap.problems)
    bad = {p.path for p in early}
    try:
        spec = schema.model_validate(data)
    except ValidationError as exc:
        later = [
            p
            for p in problems_from_pydantic(exc, smap, known_keys)
            if not any(p.path and b and p.path.startswith(b) for b in bad)
        ]
        raise ScenarioError(early + later) from None
    if early:
        raise ScenarioError(early)
    return spec


def describe(value: Any) -> str:
    """A given value, short: a mapping by its keys, a list by its length, else its repr."""
    if isinstance(value, dict):
        return "a mapping with keys " + ", ".join(map(str, list(value)[:6]))
    if isinstance(value, list):
        return f"a list of {len(value)}"
    text = repr(value)
    return text if len(text) <= MAX_GOT_CHARS else text[: MAX_GOT_CHARS - 3] + "..."


def problems_from_pydantic(
    exc: Any, smap: SourceMap, known_keys: Callable[[Loc], str]
) -> list[Problem]:
    """One :class:`~realpolitik.errors.Problem` per error of a pydantic ``ValidationError``."""
    problems = []
    for err in exc.errors(include_url=False):
        loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        kind = err["type"]
        if kind == "missing":
            field = loc[-1] if loc else "?"
            problems.append(
                Problem(
                    f"missing required key {field!r}",
                    file=smap.file,
                    line=smap.line(loc[:-1]),
                    path=format_loc(loc),
                    expected=f"a value for {field!r}",
                    got="nothing",
                )
            )
        elif kind == "extra_forbidden":
            key = err["loc"][-1] if err["loc"] else "?"  # a key may itself contain "["
            problems.append(
                Problem(
                    f"unknown key {key!r}",
                    file=smap.file,
                    line=smap.line(loc),
                    path=format_loc(loc),
                    expected=known_keys(loc),
                    got=repr(key),
                )
            )
        else:
            problems.append(_invalid_value(err, loc, smap))
    return problems


def _invalid_value(err: dict[str, Any], loc: Loc, smap: SourceMap) -> Problem:
    """A value of the wrong type or out of its rule's range (a ``dist:`` rule names its
    parameter)."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, DistributionError):
        param = () if cause.param is None or (loc and loc[-1] == cause.param) else (cause.param,)
        return Problem(
            str(cause),
            file=smap.file,
            line=smap.line(loc + param),
            path=format_loc(loc + param),
            expected=cause.expected,
            got=cause.got,
        )
    msg = err["msg"]
    expected = msg[0].lower() + msg[1:] if msg else None
    if expected and expected.startswith("value error, "):
        expected = expected[len("value error, ") :]
    return Problem(
        "invalid value",
        file=smap.file,
        line=smap.line(loc),
        path=format_loc(loc),
        expected=expected,
        got=describe(err.get("input")),
    )
