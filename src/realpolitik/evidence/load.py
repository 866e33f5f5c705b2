"""Loading and validating episode files, and the library of episodes shipped with the package.

Episodes are read like scenarios: the scenario layer's safe YAML reader (no object-building tags,
line marks for every key path), then the pydantic schema, then cross-references (every fact's
``source`` names an entry of ``sources:``). Every problem found is reported at once, each with the
file, line, key path, what was expected and what was given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from realpolitik.errors import Problem, ScenarioError
from realpolitik.evidence.schema import EpisodeSpec, Fact
from realpolitik.scenario.documents import read_document, validate_document
from realpolitik.scenario.yamlio import Loc, SourceMap, format_loc


@dataclass(frozen=True)
class Episode:
    """A validated episode: its typed content, the file it came from and its line marks."""

    spec: EpisodeSpec
    file: str
    source_map: SourceMap

    @property
    def id(self) -> str:
        """The episode's id."""
        return self.spec.id

    @property
    def has_outcome(self) -> bool:
        """Whether the file says what happened (else it is a forecast)."""
        return self.spec.outcome is not None

    def line_of(self, loc: Loc) -> int | None:
        """The line of key path ``loc`` in the file (or of its nearest ancestor)."""
        return self.source_map.line(loc)

    def to_dict(self) -> dict[str, Any]:
        """Plain data, as written (aliases restored)."""
        return self.spec.model_dump(mode="json", by_alias=True, exclude_none=True)

    def content_hash(self) -> str:
        """SHA-256 of the episode's canonical JSON (independent of comments and layout)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_episode(source: str | Path, *, text: str | None = None) -> Episode:
    """Load and validate one episode file.

    Parameters
    ----------
    source : str or Path
        A path to a YAML file, or the id of a shipped episode (``egypt-1955``).
    text : str, optional
        The YAML text itself; ``source`` is then only the file name used in messages.

    Raises
    ------
    ScenarioError
        With every problem found, each naming the file, line and key path.
    """
    data, smap, file = read_document(source, text, _resolve)
    return episode_from_dict(data, file=file, source_map=smap)


def episode_from_dict(
    data: Any, *, file: str = "<data>", source_map: SourceMap | None = None
) -> Episode:
    """Validate plain data (as parsed from YAML or built in code) into an :class:`Episode`."""
    smap = source_map or SourceMap(file)
    spec = validate_document(
        data, EpisodeSpec, what="an episode", smap=smap, known_keys=_known_keys
    )
    episode = Episode(spec, file, smap)
    problems = check_references(episode)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line or 0))
    return episode


def _known_keys(loc: Loc) -> str:
    return "a key of the episode format (docs/reference/episode-format.md)"


def _facts(spec: EpisodeSpec) -> Iterator[tuple[Loc, Fact]]:
    for name in type(spec.facts).model_fields:
        value = getattr(spec.facts, name)
        if isinstance(value, Fact):
            yield ("facts", name), value
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                yield ("facts", name, i), item


def check_references(episode: Episode) -> list[Problem]:
    """Problems no single field shows: unknown sources, a courter equal to the incumbent, ..."""
    spec = episode.spec
    problems = []

    def add(message: str, loc: Loc, expected: str, got: str) -> None:
        problems.append(
            Problem(
                message,
                file=episode.file,
                line=episode.line_of(loc),
                path=format_loc(loc),
                expected=expected,
                got=got,
            )
        )

    known = ", ".join(sorted(spec.sources)) or "none"
    for loc, fact in _facts(spec):
        if fact.source not in spec.sources:
            add("unknown source", (*loc, "source"), f"a key of sources: ({known})", fact.source)
    if spec.outcome is not None and spec.outcome.source and spec.outcome.source not in spec.sources:
        add(
            "unknown source",
            ("outcome", "source"),
            f"a key of sources: ({known})",
            spec.outcome.source,
        )
    if spec.incumbent == spec.pivot:
        add("the incumbent is the pivot", ("incumbent",), "another actor", spec.incumbent)
    if spec.courter is not None and spec.courter in (spec.pivot, spec.incumbent):
        add(
            "the courter is the pivot or the incumbent", ("courter",), "a third actor", spec.courter
        )
    total = sum(f.size for f in spec.facts.factions)
    if spec.facts.factions and total > 1.0 + 1e-6:
        add(
            "factions' sizes add up to more than 1",
            ("facts", "factions"),
            "a total <= 1",
            f"{total:g}",
        )
    o = spec.outcome
    if o is not None:
        expected_flag = {"aligned": "yes", "hedged": "partial"}.get(o.label)
        if expected_flag is not None and o.aligned_with_courter != expected_flag:
            add(
                f"outcome {o.label!r} contradicts aligned_with_courter",
                ("outcome", "aligned_with_courter"),
                expected_flag,
                o.aligned_with_courter,
            )
        if o.by_year is not None and o.by_year < spec.decision_year:
            add(
                "the outcome is dated before the decision year",
                ("outcome", "by_year"),
                f">= {spec.decision_year}",
                str(o.by_year),
            )
    return problems


# ------------------------------------------------------------------------------------------------
# the shipped library


def library_dir() -> Path:
    """The folder of the episodes shipped with the package."""
    return Path(__file__).parent / "episodes"


def library_paths() -> list[Path]:
    """The shipped episode files, sorted by id."""
    return sorted(library_dir().glob("*.yaml"))


def _resolve(source: str | Path) -> Path:
    p = Path(source)
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in str(source):
        return p
    shipped = library_dir() / f"{source}.yaml"
    return shipped if shipped.exists() else p


def load_episodes(sources: Iterable[str | Path]) -> list[Episode]:
    """Load several episode files, reporting every file's problems together."""
    episodes, problems = [], []
    for source in sources:
        try:
            episodes.append(load_episode(source))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    seen: dict[str, str] = {}
    for ep in episodes:
        if ep.id in seen:
            problems.append(
                Problem(
                    f"episode id {ep.id!r} appears twice",
                    file=ep.file,
                    line=ep.line_of(("id",)),
                    path="id",
                    expected="ids unique across the files",
                    got=f"also in {seen[ep.id]}",
                )
            )
        seen[ep.id] = ep.file
    if problems:
        raise ScenarioError(problems)
    return episodes


def load_library() -> list[Episode]:
    """Every episode shipped with the package, sorted by id."""
    return load_episodes(library_paths())


def library_hash(episodes: Sequence[Episode]) -> str:
    """SHA-256 over the episodes' content hashes, in id order: names the library a fit used."""
    h = hashlib.sha256()
    for ep in sorted(episodes, key=lambda e: e.id):
        h.update(f"{ep.id}:{ep.content_hash()}\n".encode())
    return h.hexdigest()
