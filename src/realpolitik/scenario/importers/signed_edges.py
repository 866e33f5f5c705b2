"""Read a CSV of signed relations ``source,target,sign`` into actor names and a signed matrix.

Format: a header line naming the columns ``source``, ``target`` and ``sign`` (any order, other
columns ignored), then one relation per line. ``sign`` is -1, 0 or +1 (``+1``/``1``/``-1``;
with ``real=True`` any finite number, read as a real-valued amity). Relations are symmetric: a
pair may appear once, in either direction (repeating it with the same value is allowed).
Blank lines are skipped. Every problem found is reported at once, each naming the file, the
line, the field, what was expected and what was given.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from realpolitik.errors import Problem, ScenarioError

__all__ = ["read_signed_edges"]

_REQUIRED = ("source", "target", "sign")


def _parse_sign(text: str, real: bool) -> float | None:
    t = text.strip()
    try:
        v = float(t)
    except ValueError:
        return None
    if not math.isfinite(v):
        return None
    if real:
        return v
    return v if v in (-1.0, 0.0, 1.0) else None


def read_signed_edges(
    path: str | Path,
    *,
    actors: Sequence[str] | None = None,
    real: bool = False,
) -> tuple[list[str], np.ndarray]:
    """Read signed edges into ``(names, S)``.

    Parameters
    ----------
    path : the CSV file.
    actors : optional fixed list and order of actor names; an edge naming another actor is an
        error. Without it, actors are taken in order of first appearance.
    real : accept any finite number as the relation (real-valued amity) instead of -1/0/+1.

    Returns
    -------
    names : list of str
    S : (n, n) float array, symmetric, zero diagonal; 0 where no relation is given.

    Raises
    ------
    ScenarioError
        listing every bad row (missing field, bad sign, self-relation, unknown actor,
        conflicting duplicate) and a missing or incomplete header.
    """
    p = Path(path)
    fname = str(p)
    problems: list[Problem] = []
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError.single("cannot read file", file=fname, got=str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError.single(
            "not a UTF-8 text file",
            file=fname,
            line=raw[: exc.start].count(b"\n") + 1,
            expected="a CSV text file source,target,sign",
            got="binary content",
        ) from None
    if "\x00" in text:
        raise ScenarioError.single(
            "not a text file (it contains NUL bytes)",
            file=fname,
            expected="a CSV text file source,target,sign",
            got="binary content",
        )
    lines = text.splitlines()
    reader = csv.reader(lines)
    header: list[str] | None = None
    header_line = 0
    for lineno, row in enumerate(reader, start=1):
        if any(c.strip() for c in row):
            header = [c.strip().lower() for c in row]
            header_line = lineno
            break
    if header is None:
        raise ScenarioError.single(
            "empty file",
            file=fname,
            line=1,
            expected="a header 'source,target,sign'",
            got="nothing",
        )
    missing = [c for c in _REQUIRED if c not in header]
    if missing:
        raise ScenarioError.single(
            "header lacks required columns",
            file=fname,
            line=header_line,
            path="header",
            expected="columns source, target, sign",
            got=",".join(header) or "(empty)",
        )
    col = {c: header.index(c) for c in _REQUIRED}
    fixed = list(actors) if actors is not None else None
    index: dict[str, int] = {a: i for i, a in enumerate(fixed)} if fixed is not None else {}
    names: list[str] = list(fixed) if fixed is not None else []
    edges: dict[frozenset[str], tuple[float, int]] = {}
    rows: list[tuple[str, str, float]] = []
    for lineno, row in enumerate(reader, start=header_line + 1):
        if not any(c.strip() for c in row):
            continue
        vals = {}
        bad = False
        for c in _REQUIRED:
            v = row[col[c]].strip() if col[c] < len(row) else ""
            if v == "":
                problems.append(
                    Problem(
                        "missing value",
                        file=fname,
                        line=lineno,
                        path=c,
                        expected="a value",
                        got="nothing",
                    )
                )
                bad = True
            vals[c] = v
        if bad:
            continue
        sign = _parse_sign(vals["sign"], real)
        if sign is None:
            problems.append(
                Problem(
                    "bad sign",
                    file=fname,
                    line=lineno,
                    path="sign",
                    expected="a finite number" if real else "-1, 0 or 1",
                    got=repr(vals["sign"]),
                )
            )
            continue
        src, tgt = vals["source"], vals["target"]
        if src == tgt:
            problems.append(
                Problem(
                    "an actor cannot relate to itself",
                    file=fname,
                    line=lineno,
                    path="target",
                    expected=f"an actor other than {src!r}",
                    got=repr(tgt),
                )
            )
            continue
        unknown = False
        for field_, name in (("source", src), ("target", tgt)):
            if name not in index:
                if fixed is not None:
                    problems.append(
                        Problem(
                            "unknown actor",
                            file=fname,
                            line=lineno,
                            path=field_,
                            expected="one of " + ", ".join(fixed),
                            got=repr(name),
                        )
                    )
                    unknown = True
                else:
                    index[name] = len(names)
                    names.append(name)
        if unknown:
            continue
        key = frozenset((src, tgt))
        if key in edges and edges[key][0] != sign:
            first_sign, first_line = edges[key]
            problems.append(
                Problem(
                    f"conflicting duplicate of the relation {src}-{tgt} (first given on line "
                    f"{first_line})",
                    file=fname,
                    line=lineno,
                    path="sign",
                    expected=f"{first_sign:g} (as on line {first_line})",
                    got=vals["sign"],
                )
            )
            continue
        edges.setdefault(key, (sign, lineno))
        rows.append((src, tgt, sign))
    if not problems and len(names) < 2:
        problems.append(
            Problem(
                "no relations",
                file=fname,
                line=header_line,
                expected="at least one line source,target,sign after the header",
                got="none",
            )
        )
    if problems:
        raise ScenarioError(problems)
    n = len(names)
    S = np.zeros((n, n))
    for src, tgt, sign in rows:
        S[index[src], index[tgt]] = S[index[tgt], index[src]] = sign
    return names, S
