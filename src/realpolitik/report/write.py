"""Writing a run's files: ``summary.json`` (the data) and ``report.html`` (the report).

The report needs Plotly, whose import costs about as much as a point run's models. A command
that knows it will write a report can start a :class:`ReportProcess`: a process forked once the
modules both need are imported (:func:`preload_shared_modules`; the scenario schema and NumPy are
the dearest), which imports Plotly while this one runs the models, then receives the
run (pickled through a pipe) and writes ``report.html`` while this one prints its summary. The
file is the same as :func:`write_run` writes; where the process cannot be used (no ``fork``, one
CPU, a run that cannot be pickled, any failure in the helper) the report is written here instead.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from realpolitik.experiment.scenario_run import ScenarioRun


def write_run(run: ScenarioRun, out_dir: Path, report: bool = True) -> None:
    """Write ``summary.json`` (and ``report.html``) into ``out_dir``, each atomically."""
    from realpolitik.jsonio import dumps
    from realpolitik.scenario.dump import write_text_atomic

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out_dir / "summary.json", dumps(run.summary) + "\n")
    if report:
        write_report(run, out_dir)


def write_report(run: ScenarioRun, out_dir: Path) -> None:
    """Write ``report.html`` into ``out_dir``, atomically."""
    from realpolitik.report.html import report_parts
    from realpolitik.scenario.dump import write_text_atomic

    write_text_atomic(Path(out_dir) / "report.html", report_parts(run))


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


#: Modules whose classes the built-in models' results hold (the landscape search, SMP and BDM
#: histories): the helper imports them while it waits rather than when the run arrives.
_RESULT_MODULES = (
    "realpolitik.models.landscape",
    "realpolitik.models.bargaining.smp",
    "realpolitik.models.bargaining.bdm",
    "realpolitik.scenario.importers.ktab",
)


def preload_shared_modules() -> None:
    """Import what a point run and its report's helper both need (the scenario schema, NumPy,
    the models' registry and result types, the run's type), so that a helper forked afterwards
    shares them instead of importing them again."""
    import realpolitik.experiment.scenario_run  # noqa: F401
    import realpolitik.scenario.model  # noqa: F401
    from realpolitik.models import registry

    registry.available()


#: What unpickling a run with draws imports besides :data:`_RESULT_MODULES`: its explanations'
#: findings (their tables are pandas DataFrames) and the run's record.
_DRAWS_RESULT_MODULES = (
    "pandas",
    "realpolitik.experiment.run",
    "realpolitik.experiment.explain",
    "realpolitik.experiment.outcome_sensitivity",
)


def _prepare(draws: bool = False) -> None:
    """What the helper does while it waits: import the report's modules, Plotly and the
    scenario schema and models (to unpickle the run; with ``draws``, also pandas and the
    explanations' types), and draw one small figure of each kind the report uses, so that
    Plotly's validators and default template are loaded. (A point run's report reads the
    models' tables as plain rows: no pandas.)"""
    import plotly.graph_objects as go

    from realpolitik.report import html

    preload_shared_modules()
    for name in (*_RESULT_MODULES, *(_DRAWS_RESULT_MODULES if draws else ())):
        importlib.import_module(name)  # what unpickling the run would otherwise import
    figure = go.Figure([go.Bar(x=[0.0], y=[0.0]), go.Scatter(x=[0.0], y=[0.0])])
    figure.to_html(full_html=False, include_plotlyjs=False)
    html.plotly_script()  # read once, kept for the report


def _serve(read_fd: int, draws: bool = False) -> int:
    """The helper's life: prepare, read one pickled ``(run, out_dir)``, write its report.
    Exit status 0: written, or nothing was sent; 1: anything failed (the parent writes it)."""
    import pickle

    try:
        _prepare(draws)
        with os.fdopen(read_fd, "rb") as pipe:
            blob = pipe.read()
        if not blob:
            return 0
        run, out_dir = pickle.loads(blob)
        write_report(run, Path(out_dir))
        return 0
    except BaseException:  # noqa: BLE001 - the parent writes the report itself
        return 1


def _for_report(run: ScenarioRun) -> ScenarioRun:
    """``run`` without what its report does not read and would only make the pipe slower: the
    draws themselves (every column of every draw, held for the explanations) and the
    experiment's specification. The report renders the same from it."""
    import dataclasses

    draws = run.draws
    if draws is None:
        return run
    held = draws.run
    if held is not None:
        held = dataclasses.replace(held, frame=None, drawn_inputs=None, drawn_columns=None)
    return dataclasses.replace(run, draws=dataclasses.replace(draws, run=held, spec=None))


class ReportProcess:
    """A forked helper that writes one run's ``report.html`` (see the module's notes).

    Start it with :meth:`start` before the run; hand it the run with :meth:`write`, then
    :meth:`wait` for the file. Use it as a context manager, so that it is reaped on every path.
    """

    def __init__(self, pid: int, write_fd: int) -> None:
        self.pid, self._write_fd = pid, write_fd
        self._run: ScenarioRun | None = None
        self._out_dir = Path()
        self._sent = False
        self._status = -1

    @classmethod
    def start(cls, draws: bool = False) -> ReportProcess | None:
        """Fork the helper now (for a run with ``draws``: one that also prepares to receive
        the explanations); None where forking does not pay (no ``fork``, one CPU) or is not
        safe (other threads run: one of them could hold a lock the helper needs)."""
        import threading

        if not hasattr(os, "fork") or _usable_cpus() < 2 or threading.active_count() > 1:
            return None
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: quiet, and never back into the caller's code
            os.close(write_fd)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os._exit(_serve(read_fd, draws))
        os.close(read_fd)
        return cls(pid, write_fd)

    def write(self, run: ScenarioRun, out_dir: Path) -> None:
        """Hand ``run`` to the helper, which writes ``out_dir/report.html``."""
        import pickle

        self._run, self._out_dir = run, Path(out_dir)
        try:
            blob = pickle.dumps((_for_report(run), str(out_dir)), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 - a run that cannot be pickled: written by wait()
            blob = b""
        fd, self._write_fd = self._write_fd, -1
        with os.fdopen(fd, "wb") as pipe:
            try:
                pipe.write(blob)
                self._sent = bool(blob)
            except BrokenPipeError:  # the helper is gone: written by wait()
                pass

    def wait(self) -> None:
        """Wait for the helper; if it did not write the report, write it here."""
        self.close()
        if self._run is not None and not (self._sent and self._status == 0):
            write_report(self._run, self._out_dir)

    def close(self) -> None:
        """Close the pipe (a helper still waiting then exits) and reap the helper."""
        if self._write_fd >= 0:
            os.close(self._write_fd)
            self._write_fd = -1
        if self.pid:
            _, status = os.waitpid(self.pid, 0)
            self.pid = 0
            self._status = os.waitstatus_to_exitcode(status)

    def __enter__(self) -> ReportProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
