"""Read KTAB's spatial-model scenarios: its CSV format and its XML format (``smpSchema.xsd``).

CSV (KTAB ``SMPModel::csvRead``): line 1 ``name,description,nActors,nDims``; line 2 headers
(Actor, Description, Influence, then a position and a salience header per dimension; the position
headers name the dimensions); then one line per actor: name, description, influence, then position
and salience per dimension, on 0–100. Trailing empty fields are allowed.

XML: ``<Scenario>`` with ``name``, ``desc``, ``prngSeed``, optional ``ModelParameters`` (the nine
SMP options), ``Dimensions/dName``, ``Actors/Actor`` (``name``, ``description``, ``capability``,
``Position/dCoord``, ``Salience/dSal``) and optional ``IdealAdjustment/iaPair``.

Files are checked as KTAB checks them (positions and saliences on 0–100, each actor's saliences
summing to at most 100, capabilities positive) and every problem found is reported at once in a
:class:`~realpolitik.errors.ScenarioError` naming file, line, field, expected and got.

XML is untrusted input: it is first parsed with :mod:`defusedxml`, which refuses any document
with a DTD (so no entity, internal or external, is ever expanded, whatever the file's encoding),
and only then read into elements that remember their line.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from realpolitik.errors import Problem, ScenarioError

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET

    import numpy as np


@dataclass(frozen=True)
class KTABScenario:
    """A KTAB spatial-model scenario as read from file (positions and saliences on 0–100)."""

    name: str
    description: str
    actor_names: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    capabilities: np.ndarray  # (n,)
    positions: np.ndarray  # (n, d) on 0-100
    saliences: np.ndarray  # (n, d) on 0-100
    dimension_names: tuple[str, ...]
    parameters: dict[str, str] | None = None  # XML ModelParameters, KTAB names
    seed: int | None = None  # XML prngSeed
    accommodation: np.ndarray | None = None  # XML IdealAdjustment (identity if None)
    source: str | None = None

    @property
    def n_actors(self) -> int:
        return len(self.actor_names)

    @property
    def n_dimensions(self) -> int:
        return len(self.dimension_names)


class KTABParameter(NamedTuple):
    """One of the nine ``ModelParameters`` of KTAB's XML format."""

    option: str  # the field of the SMP's options it sets
    values: tuple[str, ...]  # the values ``smpSchema.xsd`` allows, KTAB's spelling


#: KTAB's model parameters by XML element name: the one place their names and values are defined
#: (the SMP's options read their KTAB names from here).
KTAB_MODEL_PARAMETERS: dict[str, KTABParameter] = {
    "VictoryProbModel": KTABParameter(
        "victory_prob", ("Linear", "Square", "Quartic", "Octic", "Binary")
    ),
    "VotingRule": KTABParameter(
        "voting_rule", ("Binary", "PropBin", "Proportional", "PropCbc", "Cubic", "ASymProsp")
    ),
    "PCEModel": KTABParameter("pce", ("Conditional", "MarkovIncentive", "MarkovUniform")),
    "StateTransitions": KTABParameter("state_transition", ("Deterministic", "Stochastic")),
    "BigRRange": KTABParameter("big_r_range", ("Min", "Mid", "Max")),
    "BigRAdjust": KTABParameter("big_r_adjust", ("Full", "TwoThirds", "Half", "OneThird", "No")),
    "ThirdPartyCommit": KTABParameter(
        "third_party_commit", ("NoCommit", "SemiCommit", "FullCommit")
    ),
    "InterVecBrgn": KTABParameter("inter_vec_bargain", ("S1P1", "S2P2", "S2PMax")),
    "BargnModel": KTABParameter(
        "bargain_model", ("InitOnlyInterp", "InitRcvrInterp", "PWCompInterp")
    ),
}


def load_ktab(path: str | Path) -> KTABScenario:
    """Read a KTAB scenario file, CSV or XML by its extension."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext == ".csv":
        return read_ktab_csv(p)
    if ext == ".xml":
        return read_ktab_xml(p)
    raise ScenarioError.single(
        "unsupported KTAB scenario file type",
        file=str(p),
        expected=".csv or .xml",
        got=ext or "none",
    )


#: Larger files are not KTAB scenarios (the largest published one is a few kilobytes).
MAX_FILE_BYTES = 20_000_000


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError.single(
                "file too large for a KTAB scenario",
                file=str(path),
                expected=f"at most {MAX_FILE_BYTES:,} bytes",
                got=f"{size:,} bytes",
            )
        return path.read_bytes()
    except OSError as exc:
        raise ScenarioError.single(
            f"cannot read file: {exc.strerror or exc}", file=str(path)
        ) from None


def _read_text(path: Path) -> str:
    raw = _read_bytes(path)
    if b"\x00" in raw:
        raise ScenarioError.single(
            "not a text file (it contains NUL bytes)",
            file=str(path),
            line=raw[: raw.index(b"\x00")].count(b"\n") + 1,
            expected="a CSV text file",
            got="binary content",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _csv_rows(text: str, fname: str) -> list[list[str]]:
    """The file's CSV rows, whatever its line endings (LF, CRLF or CR alone)."""
    reader = csv.reader(io.StringIO(text, newline=None))
    try:
        return [[c.strip() for c in r] for r in reader]
    except csv.Error as exc:
        raise ScenarioError.single(
            f"unreadable CSV: {exc}", file=fname, line=reader.line_num, expected="CSV text"
        ) from None


def _num(text: str) -> float | None:
    try:
        v = float(text)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _check_actor_values(
    problems: list[Problem],
    fname: str,
    line: int | None,
    path: str,
    cap: float | None,
    pos: Sequence[float | None],
    sal: Sequence[float | None],
) -> None:
    if cap is not None and not cap > 0:
        problems.append(
            Problem(
                "capability must be positive", fname, line, f"{path}.capability", "> 0", str(cap)
            )
        )
    for k, v in enumerate(pos):
        if v is not None and not 0 <= v <= 100:
            problems.append(
                Problem(
                    "position out of range", fname, line, f"{path}.position[{k}]", "0–100", f"{v:g}"
                )
            )
    for k, v in enumerate(sal):
        if v is not None and not 0 <= v <= 100:
            problems.append(
                Problem(
                    "salience out of range", fname, line, f"{path}.salience[{k}]", "0–100", f"{v:g}"
                )
            )
    good = [v for v in sal if v is not None]
    if len(good) == len(sal) and sal:
        total = sum(good)
        if total > 100 + 1e-9:
            problems.append(
                Problem(
                    "saliences sum to more than 100",
                    fname,
                    line,
                    f"{path}.salience",
                    "total <= 100",
                    f"{total:g}",
                )
            )
        elif total <= 0:
            problems.append(
                Problem(
                    "saliences sum to zero",
                    fname,
                    line,
                    f"{path}.salience",
                    "total > 0",
                    f"{total:g}",
                )
            )


def _csv_counts(fname: str, ln0: int, head: list[str]) -> tuple[int, int]:
    """nActors and nDims from the scenario line, checked (every problem raised at once)."""
    problems: list[Problem] = []
    if len(head) < 4:
        raise ScenarioError.single(
            "first line must be name,description,nActors,nDims",
            file=fname,
            line=ln0,
            path="scenario",
            expected="4 fields",
            got=f"{len(head)} field(s)",
        )
    n_act = _int(head[2])
    n_dim = _int(head[3])
    if n_act is None or n_act < 2:
        problems.append(
            Problem("bad number of actors", fname, ln0, "scenario.nActors", "integer >= 2", head[2])
        )
    if n_dim is None or n_dim < 1:
        problems.append(
            Problem(
                "bad number of dimensions", fname, ln0, "scenario.nDims", "integer >= 1", head[3]
            )
        )
    if problems or n_act is None or n_dim is None:
        raise ScenarioError(problems)
    return n_act, n_dim


def _csv_actor_values(
    problems: list[Problem], fname: str, ln: int, r: list[str], apath: str, n_dim: int
) -> tuple[float | None, list[float | None], list[float | None]]:
    """One actor line's capability, positions and saliences; unreadable cells become problems."""
    cap = _num(r[2])
    if cap is None:
        problems.append(
            Problem(
                "capability is not a number",
                fname,
                ln,
                f"{apath}.capability",
                "a number",
                repr(r[2]),
            )
        )
    pos: list[float | None] = []
    sal: list[float | None] = []
    for k in range(n_dim):
        for kind, cell, values in (
            ("position", r[3 + 2 * k], pos),
            ("salience", r[4 + 2 * k], sal),
        ):
            v = _num(cell)
            if v is None:
                problems.append(
                    Problem(
                        f"{kind} is not a number",
                        fname,
                        ln,
                        f"{apath}.{kind}[{k}]",
                        "a number",
                        repr(cell),
                    )
                )
            values.append(v)
    return cap, pos, sal


class KTABTable(NamedTuple):
    """A KTAB CSV scenario as plain Python values (positions and saliences on 0–100), for the
    readers that need no NumPy; :func:`read_ktab_csv` turns it into a :class:`KTABScenario`."""

    name: str
    description: str
    actor_names: tuple[str, ...]
    actor_descriptions: tuple[str, ...]
    capabilities: list[float]
    positions: list[list[float]]
    saliences: list[list[float]]
    dimension_names: tuple[str, ...]
    source: str


def read_ktab_csv(path: str | Path) -> KTABScenario:
    """Read KTAB's SMP CSV format; see the module docstring."""
    import numpy as np

    t = read_ktab_csv_table(path)
    return KTABScenario(
        name=t.name,
        description=t.description,
        actor_names=t.actor_names,
        actor_descriptions=t.actor_descriptions,
        capabilities=np.array(t.capabilities, float),
        positions=np.array(t.positions, float),
        saliences=np.array(t.saliences, float),
        dimension_names=t.dimension_names,
        source=t.source,
    )


def read_ktab_csv_table(path: str | Path) -> KTABTable:
    """Read KTAB's SMP CSV format into plain Python values, checked (without NumPy)."""
    p = Path(path)
    fname = str(p)
    rows = _csv_rows(_read_text(p), fname)
    # drop trailing empty fields and fully blank lines (keeping line numbers)
    lines = [(i + 1, r) for i, r in enumerate(rows)]
    lines = [(ln, _trim(r)) for ln, r in lines if any(c for c in r)]
    problems: list[Problem] = []
    if len(lines) < 2:
        raise ScenarioError.single(
            "file too short",
            file=fname,
            expected="a scenario line, a header line and actor lines",
            got=f"{len(lines)} non-empty line(s)",
        )
    ln0, head = lines[0]
    n_act, n_dim = _csv_counts(fname, ln0, head)
    name, desc = head[0], head[1]
    ln1, hdr = lines[1]
    need = 3 + 2 * n_dim
    if len(hdr) < need:
        # The header names the dimensions: a file declaring more than its header holds is
        # refused here, before anything is sized by nDims.
        raise ScenarioError.single(
            "header line too short for nDims",
            file=fname,
            line=ln1,
            path="header",
            expected=f"{need} fields (Actor, Description, Influence, then a position and a "
            f"salience per dimension, nDims = {n_dim})",
            got=f"{len(hdr)}",
        )
    dims = tuple(hdr[3 + 2 * k] for k in range(n_dim))
    actor_lines = lines[2:]
    if len(actor_lines) != n_act:
        problems.append(
            Problem(
                "number of actor lines differs from nActors",
                fname,
                actor_lines[-1][0] if actor_lines else ln1,
                "actors",
                str(n_act),
                str(len(actor_lines)),
            )
        )
    names, descs, caps, poss, sals = _csv_actors(problems, fname, actor_lines[:n_act], n_dim)
    if problems:
        raise ScenarioError(problems)
    # with no problem recorded, every value read is a number
    return KTABTable(
        name=name,
        description=desc,
        actor_names=tuple(names),
        actor_descriptions=tuple(descs),
        capabilities=[float(c) for c in caps if c is not None],
        positions=[[float(v) for v in row if v is not None] for row in poss],
        saliences=[[float(v) for v in row if v is not None] for row in sals],
        dimension_names=dims,
        source=fname,
    )


def _csv_actors(
    problems: list[Problem], fname: str, actor_lines: list[tuple[int, list[str]]], n_dim: int
) -> tuple[
    list[str], list[str], list[float | None], list[list[float | None]], list[list[float | None]]
]:
    """Names, descriptions, capabilities, positions and saliences of the actor lines, each line
    checked (problems appended; unreadable cells are None)."""
    need = 3 + 2 * n_dim
    names, descs, caps, poss, sals, name_lines = [], [], [], [], [], []
    for ln, r in actor_lines:
        apath = f"actors[{r[0] if r else '?'}]"
        if len(r) < need:
            problems.append(
                Problem("actor line too short", fname, ln, apath, f"{need} fields", f"{len(r)}")
            )
            continue
        if not r[0]:
            problems.append(
                Problem("actor name is empty", fname, ln, "actors.name", "a name", "''")
            )
        cap, pos, sal = _csv_actor_values(problems, fname, ln, r, apath, n_dim)
        _check_actor_values(problems, fname, ln, apath, cap, pos, sal)
        names.append(r[0])
        name_lines.append(ln)
        descs.append(r[1])
        caps.append(cap)
        poss.append(pos)
        sals.append(sal)
    _check_unique(problems, fname, names, name_lines)
    return names, descs, caps, poss, sals


def _trim(r: list[str]) -> list[str]:
    while r and r[-1] == "":
        r = r[:-1]
    return r


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        v = _num(text)
        return int(v) if v is not None and float(v).is_integer() else None


def _check_unique(
    problems: list[Problem], fname: str, names: Sequence[str], lines: Sequence[int | None]
) -> None:
    seen: dict[str, int | None] = {}
    for nm, ln in zip(names, lines, strict=True):
        if nm in seen:
            problems.append(
                Problem(
                    "duplicate actor name",
                    fname,
                    ln,
                    "actors.name",
                    "unique names",
                    f"{nm!r} (also on line {seen[nm]})",
                )
            )
        else:
            seen[nm] = ln


def _parse_untrusted(raw: bytes, fname: str) -> ET.Element:
    """Parse untrusted XML: refuse DTDs and entities (defusedxml), then stamp lines."""
    from xml.parsers import expat

    import defusedxml
    import defusedxml.ElementTree as DET

    parser = DET.DefusedXMLParser(forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        parser.feed(raw)
        parser.close()
    except defusedxml.DefusedXmlException as exc:
        kind = "DOCTYPE" if isinstance(exc, defusedxml.DTDForbidden) else "ENTITY"
        raise ScenarioError.single(
            f"{kind} declarations are not allowed (DTDs and entities are refused)",
            file=fname,
            line=parser.parser.CurrentLineNumber,
            expected="plain XML without a DOCTYPE or ENTITY declaration",
            got=type(exc).__name__,
        ) from None
    except DET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise ScenarioError.single(f"malformed XML: {exc}", file=fname, line=line) from None
    except (ValueError, LookupError) as exc:  # an encoding expat cannot read
        raise ScenarioError.single(
            f"malformed XML: {exc}", file=fname, expected="XML in UTF-8 or UTF-16"
        ) from None
    try:
        return _parse_with_lines(raw)
    except expat.ExpatError as exc:  # pragma: no cover - defusedxml parsed it already
        raise ScenarioError.single(
            f"malformed XML: {expat.ErrorString(exc.code)}", file=fname, line=exc.lineno
        ) from None


class _XmlReading:
    """What reading one XML file collects: its name and every problem found so far."""

    def __init__(self, fname: str) -> None:
        self.fname = fname
        self.problems: list[Problem] = []

    def problem(self, message: str, el: object, path: str, expected: str, got: str) -> None:
        """Record a problem at the line of element ``el``."""
        self.problems.append(Problem(message, self.fname, _line(el), path, expected, got))

    def child(
        self, el: ET.Element, tag: str, path: str, required: bool = True
    ) -> ET.Element | None:
        """The first ``<tag>`` under ``el``; a missing required one is a problem."""
        c = el.find(tag)
        if c is None and required:
            self.problem(f"missing element <{tag}>", el, f"{path}.{tag}", f"<{tag}>", "nothing")
        return c


def _line(el: object) -> int | None:
    return getattr(el, "_line", None)


def _text(el: ET.Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _xml_seed(r: _XmlReading, root: ET.Element) -> int | None:
    """``prngSeed``: an unsigned 64-bit integer."""
    seed_el = r.child(root, "prngSeed", "Scenario")
    if seed_el is None:
        return None
    st = _text(seed_el)
    try:
        seed = int(st)
        if seed < 0 or seed >= 2**64:
            raise ValueError
    except ValueError:
        r.problem(
            "prngSeed must be an unsigned 64-bit integer",
            seed_el,
            "Scenario.prngSeed",
            "0 <= integer < 2**64",
            repr(st),
        )
        return None
    return seed


def _xml_parameters(r: _XmlReading, root: ET.Element) -> dict[str, str] | None:
    """``ModelParameters``: the nine SMP options, each one of KTAB's values."""
    mp = root.find("ModelParameters")
    if mp is None:
        return None
    params: dict[str, str] = {}
    for key, (_, allowed) in KTAB_MODEL_PARAMETERS.items():
        el = r.child(mp, key, "Scenario.ModelParameters")
        if el is None:
            continue
        v = _text(el)
        if v not in allowed:
            r.problem(
                f"unknown {key}",
                el,
                f"Scenario.ModelParameters.{key}",
                " | ".join(allowed),
                repr(v),
            )
        else:
            params[key] = v
    return params


def _xml_dimensions(r: _XmlReading, root: ET.Element) -> list[str]:
    """``Dimensions/dName``: at least one, none empty."""
    dims_el = r.child(root, "Dimensions", "Scenario")
    dims: list[str] = []
    if dims_el is None:
        return dims
    for k, de in enumerate(dims_el.findall("dName")):
        t = _text(de)
        if not t:
            r.problem("empty dimension name", de, f"Scenario.Dimensions.dName[{k}]", "a name", "''")
        dims.append(t)
    if not dims:
        r.problem("no dimensions", dims_el, "Scenario.Dimensions", "at least one <dName>", "none")
    return dims


@dataclass
class _XmlActors:
    """The actors read so far, one entry per ``<Actor>`` in file order."""

    names: list[str]
    descriptions: list[str]
    capabilities: list[float | None]
    positions: list[list[float | None]]
    saliences: list[list[float | None]]
    lines: list[int | None]


#: Fewest actors a KTAB XML scenario may have (``smpSchema.xsd``: ``minOccurs="3"``).
MIN_XML_ACTORS = 3


def _xml_actors(r: _XmlReading, root: ET.Element, n_dims: int) -> _XmlActors:
    """``Actors/Actor``: at least :data:`MIN_XML_ACTORS`, names unique, values checked."""
    actors = _XmlActors([], [], [], [], [], [])
    actors_el = r.child(root, "Actors", "Scenario")
    if actors_el is None:
        return actors
    actor_els = actors_el.findall("Actor")
    if len(actor_els) < MIN_XML_ACTORS:
        r.problem(
            "too few actors",
            actors_el,
            "Scenario.Actors",
            f"at least {MIN_XML_ACTORS} <Actor> (smpSchema.xsd)",
            str(len(actor_els)),
        )
    for a, ae in enumerate(actor_els):
        apath = f"Scenario.Actors.Actor[{a}]"
        actors.names.append(_text(r.child(ae, "name", apath)))
        actors.descriptions.append(_text(r.child(ae, "description", apath)))
        cap = _xml_capability(r, ae, apath)
        pos = _xml_values(r, ae, apath, ("Position", "dCoord", "position"), n_dims)
        sal = _xml_values(r, ae, apath, ("Salience", "dSal", "salience"), n_dims)
        _check_actor_values(r.problems, r.fname, _line(ae), apath, cap, pos, sal)
        actors.capabilities.append(cap)
        actors.positions.append(pos)
        actors.saliences.append(sal)
        actors.lines.append(_line(ae))
    _check_unique(r.problems, r.fname, actors.names, actors.lines)
    return actors


def _xml_capability(r: _XmlReading, ae: ET.Element, apath: str) -> float | None:
    """One actor's ``capability``, a number (its sign is checked with the other values)."""
    cap_el = r.child(ae, "capability", apath)
    if cap_el is None:
        return None
    cap = _num(_text(cap_el))
    if cap is None:
        r.problem(
            "capability is not a number",
            cap_el,
            f"{apath}.capability",
            "a number",
            repr(_text(cap_el)),
        )
    return cap


def _xml_values(
    r: _XmlReading, ae: ET.Element, apath: str, group: tuple[str, str, str], n_dims: int
) -> list[float | None]:
    """One actor's ``Position/dCoord`` or ``Salience/dSal`` values, one per dimension."""
    grp, tag, kind = group
    g = r.child(ae, grp, apath)
    out: list[float | None] = []
    if g is None:
        return out
    for k, e in enumerate(g.findall(tag)):
        num = _num(_text(e))
        if num is None:
            r.problem(
                f"{kind} is not a number",
                e,
                f"{apath}.{grp}.{tag}[{k}]",
                "a number",
                repr(_text(e)),
            )
        out.append(num)
    if n_dims and len(out) != n_dims:
        r.problem(
            f"wrong number of {tag} values",
            g,
            f"{apath}.{grp}",
            f"{n_dims} (one per dimension)",
            str(len(out)),
        )
    return out


def _xml_accommodation(r: _XmlReading, root: ET.Element, names: list[str]) -> np.ndarray | None:
    """``IdealAdjustment/iaPair`` as a matrix (identity elsewhere); read only when all else is good."""
    ia = root.find("IdealAdjustment")
    if ia is None or r.problems:
        return None
    import numpy as np

    acc = np.eye(len(names))
    index = {nm: i for i, nm in enumerate(names)}
    for q, pe in enumerate(ia.findall("iaPair")):
        ppath = f"Scenario.IdealAdjustment.iaPair[{q}]"
        ai = _text(r.child(pe, "adjustingIdeal", ppath))
        rp = _text(r.child(pe, "referencePos", ppath))
        adj_el = r.child(pe, "adjust", ppath)
        adj = _num(_text(adj_el)) if adj_el is not None else None
        for who, nm in (("adjustingIdeal", ai), ("referencePos", rp)):
            if nm not in index:
                r.problem("unknown actor", pe, f"{ppath}.{who}", "an actor name", repr(nm))
        if adj is None or not 0 <= adj <= 1:
            r.problem(
                "adjust must be a number in [0, 1]",
                pe,
                f"{ppath}.adjust",
                "0–1",
                repr(_text(adj_el)),
            )
        if ai in index and rp in index and adj is not None:
            acc[index[ai], index[rp]] = adj
    return acc


def read_ktab_xml(path: str | Path) -> KTABScenario:
    """Read KTAB's SMP XML format (``smpSchema.xsd``); see the module docstring."""
    p = Path(path)
    fname = str(p)
    root = _parse_untrusted(_read_bytes(p), fname)
    if root.tag != "Scenario":
        raise ScenarioError.single(
            "root element must be Scenario",
            file=fname,
            line=_line(root),
            path=root.tag,
            expected="<Scenario>",
            got=f"<{root.tag}>",
        )
    r = _XmlReading(fname)
    seed = _xml_seed(r, root)
    params = _xml_parameters(r, root)
    dims = _xml_dimensions(r, root)
    actors = _xml_actors(r, root, len(dims))
    acc = _xml_accommodation(r, root, actors.names)
    if r.problems:
        raise ScenarioError(r.problems)
    import numpy as np

    return KTABScenario(
        name=_text(root.find("name")),
        description=_text(root.find("desc")),
        actor_names=tuple(actors.names),
        actor_descriptions=tuple(actors.descriptions),
        capabilities=np.array(actors.capabilities, float),
        positions=np.array(actors.positions, float),
        saliences=np.array(actors.saliences, float),
        dimension_names=tuple(dims),
        parameters=params,
        seed=seed,
        accommodation=acc,
        source=fname,
    )


def _parse_with_lines(raw: bytes) -> ET.Element:
    """Parse XML with expat into ElementTree elements stamped with their start line (``_line``)."""
    import xml.etree.ElementTree as ET
    from xml.parsers import expat

    class _Element(ET.Element):
        pass

    tb = ET.TreeBuilder(element_factory=_Element)
    p = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        el = tb.start(tag, attrs)
        setattr(el, "_line", p.CurrentLineNumber)  # noqa: B010 - Element declares no _line

    p.StartElementHandler = start
    p.EndElementHandler = tb.end
    p.CharacterDataHandler = tb.data
    p.Parse(raw, True)
    return tb.close()
