"""The Axelrod–Furnas CSV pair (actors with strengths; a square propensity table).

Format, as published with the 2016 Syria landscape analysis: ``actors.csv`` with columns
``id, actor, strength``; ``propensity.csv`` a square table whose first row and first column name
the actors (by name), with raw propensities on a 1 (hostile) to 5 (ally) scale and an empty
diagonal. The authors used ``p = raw - 3``; ``offset`` changes that.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.errors import Problem, ScenarioError


def _read_rows(path: Path) -> list[list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError.single(f"cannot read the file: {exc}", file=str(path)) from None
    if "\x00" in text:
        raise ScenarioError.single(
            "not a text file (it contains NUL bytes)",
            file=str(path),
            expected="a CSV text file",
            got="binary content",
        )
    reader = csv.reader(text.splitlines())
    try:
        return list(reader)
    except csv.Error as exc:
        raise ScenarioError.single(
            f"unreadable CSV: {exc}", file=str(path), line=reader.line_num, expected="CSV text"
        ) from None


def _ident(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]+", "-", name.strip()).strip("-") or "actor"
    if not base[0].isalpha():
        base = "A" + base
    ident, k = base[:60], 2
    while ident in taken:
        ident, k = f"{base[:56]}-{k}", k + 1
    taken.add(ident)
    return ident


def _scenario_name(stem: str) -> str:
    """A valid scenario name from a file name (which may start with a digit or a dash)."""
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-_")
    if not slug:
        return "imported"
    return (slug if slug[0].isalpha() else f"af-{slug}")[:60]


def read_axelrod_furnas(
    actors_csv: str | Path, propensity_csv: str | Path, offset: float = 3.0
) -> tuple[list[str], list[float], list[list[float]]]:
    """Read the pair: actor names, strengths, and the propensity matrix ``raw - offset``."""
    names, sizes = _read_actors(Path(actors_csv))
    p = _read_propensities(Path(propensity_csv), names, offset)
    return names, sizes, p


def _read_actors(apath: Path) -> tuple[list[str], list[float]]:
    """The actors file: names (unique) and strengths (positive), every problem raised at once."""
    rows = _read_rows(apath)
    if not rows:
        raise ScenarioError.single(
            "empty file", file=str(apath), expected="a header and actor rows"
        )
    header = [h.strip().lower() for h in rows[0]]
    try:
        i_name, i_size = header.index("actor"), header.index("strength")
    except ValueError:
        raise ScenarioError.single(
            "missing columns",
            file=str(apath),
            line=1,
            expected="columns actor and strength",
            got=", ".join(rows[0]),
        ) from None
    problems: list[Problem] = []
    names: list[str] = []
    sizes: list[float] = []
    name_lines: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) <= max(i_name, i_size):
            problems.append(
                Problem(
                    "too few columns",
                    file=str(apath),
                    line=line,
                    expected=f"{len(header)} columns",
                    got=f"{len(row)}",
                )
            )
            continue
        size = _strength(problems, apath, line, row[i_size])
        if size is None:
            continue
        name = row[i_name].strip()
        if not name or name in name_lines:
            problems.append(
                Problem(
                    "duplicate actor name" if name else "empty actor name",
                    file=str(apath),
                    line=line,
                    path="actor",
                    expected="a unique name per actor",
                    got=f"{name!r} (also on line {name_lines[name]})" if name else "''",
                )
            )
            continue
        name_lines[name] = line
        names.append(name)
        sizes.append(size)
    if problems:
        raise ScenarioError(problems)
    return names, sizes


def _strength(problems: list[Problem], apath: Path, line: int, cell: str) -> float | None:
    """An actor's strength, a positive finite number (else a problem and None)."""
    try:
        size = float(cell)
        if not math.isfinite(size) or size <= 0:
            raise ValueError
    except ValueError:
        problems.append(
            Problem(
                "invalid strength",
                file=str(apath),
                line=line,
                path="strength",
                expected="a positive number",
                got=repr(cell),
            )
        )
        return None
    return size


@dataclass(frozen=True)
class _Table:
    """The propensity table's layout: column labels, how they map to actors, and its body rows."""

    path: Path
    names: list[str]
    cols: list[str]
    by_name: bool  # labels are the actors' names (else matched by position)
    col_index: list[int]  # the actor of each column
    body: list[tuple[int, list[str]]]  # (line, row), blank lines dropped


def _table_layout(ppath: Path, names: list[str]) -> _Table:
    """Read the table and check it has one column and one row per actor."""
    prow = _read_rows(ppath)
    if not prow:
        raise ScenarioError.single(
            "empty file", file=str(ppath), expected="a square propensity table"
        )
    cols = [c.strip() for c in prow[0][1:]]
    while cols and not cols[-1]:
        cols.pop()
    n = len(names)
    # The published tables label rows and columns with abbreviations ("Rus" for Russia), in the
    # actors' order; match by name when the labels are the names, otherwise by position.
    by_name = sorted(cols) == sorted(names)
    if not by_name and len(cols) != n:
        raise ScenarioError.single(
            "the table does not have one column per actor",
            file=str(ppath),
            line=1,
            expected=f"{n} columns ({', '.join(names)})",
            got=f"{len(cols)} ({', '.join(cols)})",
        )
    body = [
        (line, row) for line, row in enumerate(prow[1:], start=2) if any(c.strip() for c in row)
    ]
    if len(body) != n:
        raise ScenarioError.single(
            "the table does not have one row per actor",
            file=str(ppath),
            expected=f"{n} rows",
            got=f"{len(body)}",
        )
    col_index = [names.index(c) for c in cols] if by_name else list(range(n))
    return _Table(ppath, names, cols, by_name, col_index, body)


def _read_propensities(ppath: Path, names: list[str], offset: float) -> list[list[float]]:
    """The propensity matrix ``raw - offset``: complete, symmetric, empty diagonal."""
    t = _table_layout(ppath, names)
    n = len(names)
    problems: list[Problem] = []
    p = [[0.0] * n for _ in range(n)]
    seen_rows: set[int] = set()
    for k, (line, row) in enumerate(t.body):
        i = _row_actor(problems, t, k, line, row)
        if i is None:
            continue
        if i in seen_rows:
            problems.append(
                Problem(
                    "a second row for the same actor",
                    file=str(ppath),
                    line=line,
                    expected="one row per actor",
                    got=repr(row[0].strip()),
                )
            )
        seen_rows.add(i)
        _read_row_cells(problems, t, line, row, i, p[i], offset)
    missing = [names[i] for i in range(n) if i not in seen_rows]
    if missing and not problems:
        problems.append(
            Problem(
                "actors without a row",
                file=str(ppath),
                expected="a row per actor",
                got="missing " + ", ".join(missing),
            )
        )
    _check_symmetric(problems, ppath, names, p, offset)
    if problems:
        raise ScenarioError(problems)
    return p


def _row_actor(problems: list[Problem], t: _Table, k: int, line: int, row: list[str]) -> int | None:
    """The actor of body row ``k``, by its label (or position); None when the label is unknown."""
    rname = row[0].strip()
    if t.by_name:
        if rname not in t.names:
            problems.append(
                Problem(
                    "unknown actor in the first column",
                    file=str(t.path),
                    line=line,
                    expected="one of " + ", ".join(t.names),
                    got=repr(rname),
                )
            )
            return None
        return t.names.index(rname)
    if rname != t.cols[k]:
        problems.append(
            Problem(
                "row label differs from the column label",
                file=str(t.path),
                line=line,
                expected=repr(t.cols[k]),
                got=repr(rname),
            )
        )
    return k


def _read_row_cells(
    problems: list[Problem],
    t: _Table,
    line: int,
    row: list[str],
    i: int,
    p_row: list[float],
    offset: float,
) -> None:
    """Fill actor ``i``'s propensities from its row's cells, recording every bad cell."""
    n = len(t.names)
    extra = [c for c in row[n + 1 :] if c.strip()]
    if extra:
        problems.append(
            Problem(
                "more cells than actors",
                file=str(t.path),
                line=line,
                expected=f"{n} cells after the row label",
                got=f"{n + len(extra)} (extra: {', '.join(repr(c) for c in extra[:3])})",
            )
        )
    for c, cell in enumerate(row[1 : n + 1]):
        j = t.col_index[c]
        if i == j and cell.strip():
            problems.append(
                Problem(
                    "the diagonal must be empty (an actor has no propensity to itself)",
                    file=str(t.path),
                    line=line,
                    path=t.cols[c],
                    expected="an empty cell",
                    got=repr(cell),
                )
            )
            continue
        if i == j or not cell.strip():
            continue
        try:
            raw = float(cell)
            if not math.isfinite(raw):
                raise ValueError
        except ValueError:
            problems.append(
                Problem(
                    "invalid propensity",
                    file=str(t.path),
                    line=line,
                    path=t.cols[c],
                    expected="a number (1-5 scale)",
                    got=repr(cell),
                )
            )
            continue
        p_row[j] = raw - offset


def _check_symmetric(
    problems: list[Problem], ppath: Path, names: list[str], p: list[list[float]], offset: float
) -> None:
    """Every pair's propensity must read the same both ways."""
    n = len(names)
    for i in range(n):
        for j in range(i + 1, n):
            if p[i][j] != p[j][i]:
                problems.append(
                    Problem(
                        "propensities must be symmetric",
                        file=str(ppath),
                        path=f"{names[i]}/{names[j]}",
                        expected=f"{p[i][j] + offset:g} both ways",
                        got=f"{p[i][j] + offset:g} and {p[j][i] + offset:g}",
                    )
                )


def axelrod_furnas_to_scenario(
    actors_csv: str | Path, propensity_csv: str | Path, offset: float = 3.0, name: str | None = None
) -> dict[str, Any]:
    """A scenario (plain data) from the pair; the source files are kept as provenance."""
    names, sizes, p = read_axelrod_furnas(actors_csv, propensity_csv, offset)
    taken: set[str] = set()
    ids = [_ident(n, taken) for n in names]
    src = {
        "title": f"Axelrod-Furnas actor file {Path(actors_csv).name}",
        "note": f"imported from {Path(actors_csv).name}",
    }
    psrc = {
        "title": f"Axelrod-Furnas propensity table {Path(propensity_csv).name}",
        "note": f"raw 1-5 scale converted with p = raw - {offset:g}",
    }
    actors = [
        {"id": i, "name": n, "kind": "state", "size": {"value": s, "source": "actors-csv"}}
        for i, n, s in zip(ids, names, sizes, strict=True)
    ]
    relations = []
    for a in range(len(ids)):
        for b in range(a + 1, len(ids)):
            if p[a][b] != 0:
                relations.append(
                    {
                        "between": [ids[a], ids[b]],
                        "components": {"affinity": {"value": p[a][b], "source": "propensity-csv"}},
                    }
                )
    return {
        "realpolitik": 1,
        "name": name or _scenario_name(Path(actors_csv).stem),
        "title": f"Imported from {Path(actors_csv).name} and {Path(propensity_csv).name}",
        "strict_provenance": True,
        "sources": {"actors-csv": src, "propensity-csv": psrc},
        "components": {
            "affinity": {
                "weight": {
                    "value": 1.0,
                    "assumption": "the published propensity is the whole relation",
                },
                "description": "the published propensity, raw minus offset",
            }
        },
        "actors": actors,
        "relations": relations,
        "analyses": ["landscape", "balance", "triangle"],
    }
