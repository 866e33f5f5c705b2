"""Read the classic Bueno de Mesquita actor table: one row per actor, one issue.

The table BDM users have (Bueno de Mesquita 1994, as tabulated by Scholz, Calbert & Smith 2011) is a
CSV with a header naming four columns, in any order and case:

``Actor`` (or ``Stakeholder``, ``Name``)
    the actor's name;
``Capability`` (or ``Resources``, ``Power``, ``Influence``)
    a non-negative number on any scale;
``Position``
    the actor's position on the issue, a finite number on any scale (the issue's range is taken as
    the smallest to the largest position);
``Salience``
    how much the issue matters to the actor: shares in [0, 1] when every salience is at most 1,
    otherwise percentages in [0, 100].

Every problem found is reported at once in a :class:`~realpolitik.errors.ScenarioError`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from realpolitik.errors import Problem, ScenarioError

if TYPE_CHECKING:  # NumPy is imported where arrays are built: is_bdm_table needs none
    import numpy as np

__all__ = ["BDMTable", "is_bdm_table", "read_bdm_table"]

NAME_COLUMNS = ("actor", "stakeholder", "name")
CAPABILITY_COLUMNS = ("capability", "resources", "power", "influence")
MAX_FILE_BYTES = 20_000_000


@dataclass(frozen=True)
class BDMTable:
    """One issue's actors: names, capabilities, positions and saliences as shares in [0, 1]."""

    actor_names: tuple[str, ...]
    capabilities: np.ndarray
    positions: np.ndarray
    saliences: np.ndarray
    issue: str
    source: str


def _header(first_line: str) -> list[str]:
    return [h.strip().lower() for h in next(csv.reader([first_line]), [])]


def _columns(header: list[str]) -> dict[str, int] | None:
    """The index of each needed column, or None when the header is not a BDM table's."""

    def find(choices: tuple[str, ...]) -> int | None:
        return next((header.index(c) for c in choices if c in header), None)

    found = {
        "name": find(NAME_COLUMNS),
        "capability": find(CAPABILITY_COLUMNS),
        "position": find(("position",)),
        "salience": find(("salience",)),
    }
    if any(v is None for v in found.values()):
        return None
    return {k: int(v) for k, v in found.items() if v is not None}


def _check_scales(
    values: dict[str, list[float]], problems: list[Problem], fname: str
) -> tuple[np.ndarray, np.ndarray]:
    """Saliences as shares (percentages divided by 100) and positions; problems appended."""
    import numpy as np

    sal = np.array(values["salience"], float)
    if sal.size and sal.max() > 1:
        if sal.max() > 100:
            problems.append(
                Problem(
                    "salience above 100",
                    fname,
                    None,
                    "Salience",
                    "shares in [0, 1] or percentages in [0, 100]",
                    f"{sal.max():g}",
                )
            )
        sal = sal / 100.0
    pos = np.array(values["position"], float)
    if pos.size >= 2 and not pos.max() > pos.min():
        problems.append(
            Problem(
                "every actor has the same position",
                fname,
                None,
                "Position",
                "at least two different positions",
                f"all {pos[0]:g}",
            )
        )
    return sal, pos


def is_bdm_table(path: str | Path) -> bool:
    """Whether ``path`` is a CSV whose header names the four columns of a BDM actor table."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            first = f.readline(10_000)
    except OSError:
        return False
    return _columns(_header(first)) is not None


def _rows(p: Path, fname: str) -> list[tuple[int, list[str]]]:
    """The file's non-empty CSV rows with their line numbers (any line ending)."""
    try:
        if p.stat().st_size > MAX_FILE_BYTES:
            raise ScenarioError.single(
                "file too large for an actor table",
                file=fname,
                expected=f"at most {MAX_FILE_BYTES:,} bytes",
            )
        raw = p.read_bytes()
    except OSError as exc:
        raise ScenarioError.single(f"cannot read file: {exc.strerror or exc}", file=fname) from None
    if b"\x00" in raw:
        raise ScenarioError.single(
            "not a text file (it contains NUL bytes)", file=fname, expected="a CSV text file"
        )
    text = raw.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        rows = [(reader.line_num, [c.strip() for c in row]) for row in reader]
    except csv.Error as exc:
        raise ScenarioError.single(
            f"unreadable CSV: {exc}", file=fname, line=reader.line_num
        ) from None
    rows = [(ln, r) for ln, r in rows if any(r)]
    if not rows:
        raise ScenarioError.single("empty file", file=fname, expected="a header and actor rows")
    return rows


def read_bdm_table(path: str | Path) -> BDMTable:
    """Read a BDM actor table (see the module docstring)."""
    import numpy as np

    p = Path(path)
    fname = str(p)
    rows = _rows(p, fname)
    cols = _columns([h.lower() for h in rows[0][1]])
    if cols is None:
        raise ScenarioError.single(
            "missing columns",
            file=fname,
            line=rows[0][0],
            expected="columns Actor, Capability, Position, Salience",
            got=", ".join(rows[0][1]),
        )
    problems: list[Problem] = []
    names: list[str] = []
    values: dict[str, list[float]] = {"capability": [], "position": [], "salience": []}
    seen: dict[str, int] = {}
    width = max(cols.values()) + 1
    for ln, row in rows[1:]:
        if len(row) < width:
            problems.append(Problem("too few columns", fname, ln, None, f"{width}", f"{len(row)}"))
            continue
        name = row[cols["name"]]
        if not name:
            problems.append(Problem("actor name is empty", fname, ln, "Actor", "a name", "''"))
        elif name in seen:
            problems.append(
                Problem(
                    "duplicate actor name",
                    fname,
                    ln,
                    "Actor",
                    "unique names",
                    f"{name!r} (also on line {seen[name]})",
                )
            )
        seen.setdefault(name, ln)
        good = True
        for key in values:
            cell = row[cols[key]]
            try:
                v = float(cell)
            except ValueError:
                v = math.nan
            if not math.isfinite(v) or (key != "position" and v < 0):
                expected = "a finite number" if key == "position" else "a number >= 0"
                problems.append(
                    Problem(f"invalid {key}", fname, ln, key.title(), expected, repr(cell))
                )
                good = False
            else:
                values[key].append(v)
        if good:
            names.append(name)
        else:
            for key in values:  # keep the columns aligned: drop this row's good cells
                del values[key][len(names) :]
    if len(names) < 2 and not problems:
        problems.append(Problem("too few actors", fname, None, None, "at least 2", f"{len(names)}"))
    sal, pos = _check_scales(values, problems, fname)
    if problems:
        raise ScenarioError(problems)
    return BDMTable(
        actor_names=tuple(names),
        capabilities=np.array(values["capability"], float),
        positions=pos,
        saliences=sal,
        issue=rows[0][1][cols["position"]],
        source=fname,
    )
