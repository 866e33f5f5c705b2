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


class _PlainLines:
    """Progress as a line on stderr at every tenth of the work (for logs and pipes)."""

    def __init__(self, total: int, completed: int, description: str) -> None:
        import time

        self._total, self._done, self._description = max(1, total), completed, description
        self._next = (completed * 10 // self._total + 1) * self._total / 10
        self._t0 = time.monotonic()

    def __enter__(self) -> _PlainLines:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def advance(self, n: int) -> None:
        import sys
        import time

        self._done += n
        if self._done >= self._next:
            elapsed = time.monotonic() - self._t0
            print(
                f"{self._description}: {self._done:,} of {self._total:,} draws "
                f"({100 * self._done // self._total}%, {elapsed:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
            self._next = (self._done * 10 // self._total + 1) * self._total / 10


def progress_bar(total: int, enabled: bool, completed: int = 0, description: str = "run"):
    """A context manager with ``advance(n)``: a Rich bar with an ETA on a terminal, a line per
    tenth of the draws on a pipe or a log, or nothing when disabled."""
    import sys

    if not enabled:
        return _Silent()
    if sys.stderr.isatty():
        return _RichBar(total, completed, description)
    return _PlainLines(total, completed, description)
