"""The exception hierarchy: one root, and a scenario error that says where and what."""

from __future__ import annotations

from dataclasses import dataclass, field


class RealpolitikError(Exception):
    """Root of every error this package raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what was expected and what was given."""

    message: str
    file: str | None = None
    line: int | None = None
    path: str | None = None
    expected: str | None = None
    got: str | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        parts = [where]
        if self.path:
            parts.append(f"at {self.path}")
        text = ": ".join([" ".join(parts), self.message])
        details = []
        if self.expected is not None:
            details.append(f"expected {self.expected}")
        if self.got is not None:
            details.append(f"got {self.got}")
        if details:
            text += " (" + "; ".join(details) + ")"
        return text


@dataclass
class ScenarioError(RealpolitikError):
    """Bad input: a scenario or data file that cannot be used as given.

    Carries every problem found, so that a user fixes them all in one pass.
    """

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    @classmethod
    def single(cls, message: str, **where) -> ScenarioError:
        """An error of one problem: ``message`` and where (``file``, ``line``, ``path``,
        ``expected``, ``got``)."""
        return cls([Problem(message, **where)])

    def __str__(self) -> str:
        n = len(self.problems)
        head = "1 problem" if n == 1 else f"{n} problems"
        return head + ":\n" + "\n".join(f"  - {p}" for p in self.problems)


class ModelError(RealpolitikError):
    """A model cannot run on the given scenario (e.g. too many actors for an exact method)."""
