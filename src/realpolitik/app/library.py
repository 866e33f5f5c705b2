"""The scenarios a dashboard may read: the shipped examples and the files named at start-up.

A browser names a scenario by its key in this library, never by a path, so nothing outside these
files can be read through the dashboard. Nor does a browser ever see where a file lives on the
server: messages and exports name a scenario by :meth:`ScenarioLibrary.shown` (a shipped example
as ``examples/NAME.yaml``, another file by its path relative to the server's working directory, or
by its file name when it lies outside it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from realpolitik.errors import ScenarioError
from realpolitik.scenario import load
from realpolitik.scenario.model import Scenario


@dataclass
class ScenarioLibrary:
    """Scenario files by key, loaded once and kept.

    Attributes
    ----------
    paths : dict of str to Path
        The file of each scenario, by key (its ``name``; a later file with a taken name gets a
        numbered key).
    names : dict of str to str
        How each file is named to a browser (:meth:`shown`), by key.
    """

    paths: dict[str, Path] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    _loaded: dict[str, Scenario] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, sources: tuple[str, ...] = (), examples: bool = True) -> ScenarioLibrary:
        """A library of ``sources`` (files or example names) and, with ``examples``, the examples.

        Every source is loaded (and so validated) now: a bad file stops the server before it
        starts, with the usual message.
        """
        from realpolitik.scenario.examples import list_examples

        library = cls()
        for source in sources:
            library.add(source)
        if examples:
            for path in list_examples().values():
                if path.resolve() not in {p.resolve() for p in library.paths.values()}:
                    library.add(str(path))
        return library

    def add(self, source: str) -> str:
        """Load and add one scenario; returns its key."""
        scenario = load(source)
        path = Path(scenario.file)
        if not path.exists():
            from realpolitik.scenario.examples import example_path

            found = example_path(source)
            if found is None:  # pragma: no cover - load() would have failed
                raise ScenarioError.single(f"no scenario file for {source!r}")
            path = found
        key = scenario.name
        n = 2
        while key in self.paths:
            key = f"{scenario.name}-{n}"
            n += 1
        self.paths[key] = path.resolve()
        shown = shown_name(self.paths[key])
        if shown in self.names.values():  # two files of one name from different folders
            shown = f"{shown} [{key}]"
        self.names[key] = shown
        self._loaded[key] = scenario
        return key

    def keys(self) -> list[str]:
        """The scenario keys, in the order added."""
        return list(self.paths)

    def get(self, key: str) -> Scenario:
        """The scenario with key ``key``.

        Raises
        ------
        ScenarioError
            For a key the library does not hold.
        """
        if key not in self._loaded:
            raise ScenarioError.single(
                "no such scenario in this dashboard",
                path="scenario",
                expected="one of " + ", ".join(self.paths),
                got=repr(key),
            )
        return self._loaded[key]

    def path(self, key: str) -> Path:
        """The file of scenario ``key`` (after :meth:`get` has checked the key)."""
        self.get(key)
        return self.paths[key]

    def shown(self, key: str) -> str:
        """How the file of scenario ``key`` is named to a browser (never its absolute path)."""
        self.get(key)
        return self.names[key]

    def without_paths(self, text: str) -> str:
        """``text`` with every absolute path of a library file replaced by its shown name."""
        for key, path in self.paths.items():
            text = text.replace(str(path), self.names[key])
        return text


def shown_name(path: Path, cwd: Path | None = None) -> str:
    """The name of a scenario file a browser may see: ``examples/NAME.yaml`` for a shipped
    example, else the path relative to ``cwd`` (default: the working directory) when the file is
    under it, else the file name alone.

    >>> shown_name(Path("/srv/data/case.yaml"), cwd=Path("/srv"))
    'data/case.yaml'
    >>> shown_name(Path("/elsewhere/case.yaml"), cwd=Path("/srv"))
    'case.yaml'
    """
    from realpolitik.scenario.examples import list_examples

    resolved = path.resolve()
    for example in list_examples().values():
        if example.resolve() == resolved:
            return f"examples/{example.name}"
    base = (cwd or Path.cwd()).resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return resolved.name
