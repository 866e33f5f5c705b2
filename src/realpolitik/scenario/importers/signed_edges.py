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
from collections.abc import Iterator, Sequence
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
    reader = csv.reader(_read_text(p).splitlines())
    header, header_line = _header(reader, fname)
    col = {c: header.index(c) for c in _REQUIRED}
    edges = _Edges(fname, real, list(actors) if actors is not None else None)
    for lineno, row in enumerate(reader, start=header_line + 1):
        if any(c.strip() for c in row):
            edges.add_row(lineno, row, col)
    if not edges.problems and len(edges.names) < 2:
        edges.problems.append(
            Problem(
                "no relations",
                file=fname,
                line=header_line,
                expected="at least one line source,target,sign after the header",
                got="none",
            )
        )
    if edges.problems:
        raise ScenarioError(edges.problems)
    return edges.names, edges.matrix()


def _read_text(p: Path) -> str:
    """The file as text (UTF-8, optional BOM); binary content is refused."""
    fname = str(p)
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
    return text


def _header(reader: Iterator[list[str]], fname: str) -> tuple[list[str], int]:
    """The first non-blank row, lower-cased, and its line; it must name the required columns."""
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
    if any(c not in header for c in _REQUIRED):
        raise ScenarioError.single(
            "header lacks required columns",
            file=fname,
            line=header_line,
            path="header",
            expected="columns source, target, sign",
            got=",".join(header) or "(empty)",
        )
    return header, header_line


class _Edges:
    """The relations read so far, the actors they name, and every problem found."""

    def __init__(self, fname: str, real: bool, fixed: list[str] | None) -> None:
        self.fname = fname
        self.real = real
        self.fixed = fixed
        self.index: dict[str, int] = {a: i for i, a in enumerate(fixed or [])}
        self.names: list[str] = list(fixed or [])
        self.edges: dict[frozenset[str], tuple[float, int]] = {}
        self.rows: list[tuple[str, str, float]] = []
        self.problems: list[Problem] = []

    def _problem(self, message: str, line: int, path: str, expected: str, got: str) -> None:
        self.problems.append(Problem(message, self.fname, line, path, expected, got))

    def add_row(self, lineno: int, row: list[str], col: dict[str, int]) -> None:
        """Read one relation line; a bad one is recorded as problems and skipped."""
        vals = {c: row[col[c]].strip() if col[c] < len(row) else "" for c in _REQUIRED}
        missing = [c for c in _REQUIRED if vals[c] == ""]
        for c in missing:
            self._problem("missing value", lineno, c, "a value", "nothing")
        if missing:
            return
        sign = _parse_sign(vals["sign"], self.real)
        if sign is None:
            expected = "a finite number" if self.real else "-1, 0 or 1"
            self._problem("bad sign", lineno, "sign", expected, repr(vals["sign"]))
            return
        src, tgt = vals["source"], vals["target"]
        if src == tgt:
            self._problem(
                "an actor cannot relate to itself",
                lineno,
                "target",
                f"an actor other than {src!r}",
                repr(tgt),
            )
            return
        if not self._known(lineno, src, tgt):
            return
        key = frozenset((src, tgt))
        if key in self.edges and self.edges[key][0] != sign:
            first_sign, first_line = self.edges[key]
            self._problem(
                f"conflicting duplicate of the relation {src}-{tgt} (first given on line "
                f"{first_line})",
                lineno,
                "sign",
                f"{first_sign:g} (as on line {first_line})",
                vals["sign"],
            )
            return
        self.edges.setdefault(key, (sign, lineno))
        self.rows.append((src, tgt, sign))

    def _known(self, lineno: int, src: str, tgt: str) -> bool:
        """Whether both actors are known; new ones are added unless the actors are fixed."""
        known = True
        for field_, name in (("source", src), ("target", tgt)):
            if name in self.index:
                continue
            if self.fixed is not None:
                expected = "one of " + ", ".join(self.fixed)
                self._problem("unknown actor", lineno, field_, expected, repr(name))
                known = False
            else:
                self.index[name] = len(self.names)
                self.names.append(name)
        return known

    def matrix(self) -> np.ndarray:
        """The symmetric signed matrix of the relations read, zero elsewhere."""
        n = len(self.names)
        S = np.zeros((n, n))
        for src, tgt, sign in self.rows:
            S[self.index[src], self.index[tgt]] = S[self.index[tgt], self.index[src]] = sign
        return S
