"""A progress bar for runs, drawn with Rich on stderr, only when asked for."""

from __future__ import annotations

from typing import Any

__all__ = ["progress_bar"]


class _Silent:
    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def advance(self, n: int) -> None:
        return None


class _RichBar:
    def __init__(self, total: int, completed: int, description: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("draws"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._task = self._progress.add_task(description, total=total, completed=completed)

    def __enter__(self) -> _RichBar:
        self._progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.stop()

    def advance(self, n: int) -> None:
        self._progress.advance(self._task, n)


def progress_bar(total: int, enabled: bool, completed: int = 0, description: str = "run"):
    """A context manager with ``advance(n)``: a Rich bar with an ETA, or nothing when disabled."""
    return _RichBar(total, completed, description) if enabled else _Silent()
