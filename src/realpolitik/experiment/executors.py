"""Executors: where the batches of a run are evaluated.

Every executor does one thing: apply a function to a list of tasks and yield the results as they
finish, in any order. The tasks already carry their seeds (drawn in the parent before dispatch),
so the results do not depend on the executor, the number of workers or the order of completion.

``"serial"``
    in this process, one batch after another (debugging, tiny runs, notebooks).
``"processes"`` (default)
    a :class:`concurrent.futures.ProcessPoolExecutor` on this machine. Workers ignore Ctrl-C so that
    the parent decides: it stops submitting, lets the batches in flight finish (each writes its own
    file) and marks the run ``interrupted``. Each worker watches the process that made the pool
    and exits when it dies (SIGKILL, SIGTERM, a crash), so the workers, the fork server and the
    resource tracker never outlive it. A worker that dies (killed, out of memory) ends the run
    with an :class:`ExecutorError`; the finished batches are kept for ``resume``. The workers
    come from a fork server that has the heavy modules imported (:data:`WORKER_MODULES`), or, once
    :func:`fork_workers_here` was called (the command line does) and while no other thread
    runs, are forked from this process itself, which then imports those modules only once.
``"dask"``
    Dask distributed: a :class:`distributed.LocalCluster` on this machine, or any running scheduler
    given by address (``tcp://host:8786``), for example one started by ``dask-jobqueue`` on a SLURM
    or PBS cluster. Workers must see the results store's directory (a shared filesystem).
    :func:`make_executor` keeps one LocalCluster (and one client per scheduler address) per
    process and hands it to every step that asks for the same workers (the draws, the Sobol'
    design, ...), so a run starts its workers once; :func:`close_shared_executors` ends them
    (done at exit).

References
----------
Rocklin, M. (2015). Dask: parallel computation with blocked algorithms and task scheduling.
*Proceedings of the 14th Python in Science Conference*, 130-136.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from realpolitik.errors import RealpolitikError

__all__ = [
    "DaskExecutor",
    "close_shared_executors",
    "Executor",
    "ExecutorError",
    "ProcessExecutor",
    "SerialExecutor",
    "make_executor",
    "fork_workers_here",
]

EXECUTORS = ("serial", "processes", "dask")

#: Modules the fork server of Dask's local workers imports once, so that each worker starts in
#: milliseconds (the local process pools import :data:`WORKER_MODULES`, the same but pandas).
PRELOAD = (
    "numpy",
    "scipy.special",
    "scipy.stats",
    "pandas",
    "pyarrow.parquet",
    "realpolitik.experiment.run",
    "realpolitik.experiment.store",
    # the scenario's models and their adapters, which unpickling a spec imports (0.2 s of CPU)
    "realpolitik.experiment.scenario_experiment",
)


#: What a local worker needs imported, whether forked from this process (:func:`fork_workers_here`)
#: or from the fork server: :data:`PRELOAD` but pandas, which a worker does not use (it writes its
#: batches' Arrow tables without it, :func:`~realpolitik.experiment.store.arrow_table`). Leaving
#: pandas out takes about 0.1 s off the fork server's start, which every run's first batch waits
#: for. Dask's workers keep :data:`PRELOAD`.
WORKER_MODULES = tuple(m for m in PRELOAD if m != "pandas")


class ExecutorError(RealpolitikError, ValueError):
    """An executor that cannot be built as asked (unknown kind, bad worker count, no scheduler)."""


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class Executor:
    """Base class: ``map_unordered(fn, tasks)`` yields ``fn(task)`` as each finishes.

    Use as a context manager; ``close(cancel=True)`` drops tasks not yet started.
    """

    name = "executor"
    workers = 1

    def map_unordered(self, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        """Release the workers; with ``cancel``, drop what has not started (keep what runs)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(cancel=exc_type is not None)


class SerialExecutor(Executor):
    """Evaluate every task in this process, in order."""

    name = "serial"

    def map_unordered(self, fn, tasks):
        for task in tasks:
            yield fn(task)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _exit_with_parent(parent_pid: int) -> None:
    """Block until process ``parent_pid`` ends, then end this process at once."""
    try:
        fd = os.pidfd_open(parent_pid)  # Linux >= 5.3: readable when the process ends
    except (AttributeError, OSError):
        fd = None
    if fd is not None:
        import select

        select.select([fd], [], [])
    else:  # pragma: no cover - other systems: poll
        import time

        while True:
            try:
                os.kill(parent_pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass
            time.sleep(0.5)
    os._exit(70)


def _worker_start(parent_pid: int) -> None:
    """Initialise a pool worker: ignore Ctrl-C, and exit when the parent process dies."""
    _ignore_sigint()
    threading.Thread(
        target=_exit_with_parent, args=(parent_pid,), name="exit-with-parent", daemon=True
    ).start()


GUARD_MESSAGE = (
    "worker processes cannot start from a script that starts a run at its top level: put that "
    'code under `if __name__ == "__main__":` (each worker imports the script again), or use '
    "executor='serial'"
)


def _main_script_unguarded() -> bool:
    """Whether the running script has no ``if __name__ == "__main__":`` guard."""
    import re
    import sys

    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if not path or getattr(main, "__spec__", None) is not None:
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(1_000_000)
    except OSError:
        return False
    return re.search(r"""__name__\s*==\s*['"]__main__['"]""", text) is None


def _broken_pool_error() -> ExecutorError:
    if _main_script_unguarded():
        return ExecutorError(f"a worker process died: {GUARD_MESSAGE}")
    return ExecutorError(
        "a worker process died (killed, or out of memory); the batches finished before it are "
        "kept: rerun with resume (--resume) to continue"
    )


def start_fork_server(also: Iterable[str] = ()) -> bool:
    """Start the fork server now, in the background, importing :data:`WORKER_MODULES` and the modules
    ``also`` (those the workers will need, e.g. the models'), so that its imports overlap the
    caller's own work before the first pool of :class:`ProcessExecutor` needs it; False where
    there is no fork server. Nothing waits for it here; a server already running is kept."""
    import multiprocessing as mp
    from multiprocessing import forkserver

    if "forkserver" not in mp.get_all_start_methods():  # pragma: no cover - not POSIX
        return False
    mp.get_context("forkserver").set_forkserver_preload([*WORKER_MODULES, *also])
    forkserver.ensure_running()
    return True


#: Set by :func:`fork_workers_here`: the next pools of local workers are forked from this process.
_FORK_HERE: list[bool] = []


def _can_fork_workers() -> bool:
    """Whether this process may fork its workers directly: Linux (where ``fork`` is safe for
    NumPy, SciPy and Arrow) and no thread but this one (a lock another thread holds would stay
    held in the children)."""
    import multiprocessing as mp
    import sys

    return (
        sys.platform.startswith("linux")
        and "fork" in mp.get_all_start_methods()
        and threading.active_count() == 1
    )


def fork_workers_here(modules: Iterable[str] = ()) -> bool:
    """Have the next :class:`ProcessExecutor` (default start method) fork its workers from this
    process, at once, rather than from a fork server; import :data:`WORKER_MODULES` and
    ``modules`` here now, so that the workers start with them imported (a fork server would
    import them all a second time, about 0.9 s of CPU) and with whatever this process has
    computed and cached by then.

    Only where forking is safe: on Linux, and only while this process runs no other thread; a
    pool made when a thread runs (a Dask client, a thread pool) uses the fork server as before.
    The command line calls it before a run's draws. Returns whether workers will be forked.
    """
    import importlib

    if not _can_fork_workers():
        return False
    for name in (*WORKER_MODULES, *modules):
        importlib.import_module(name)
    _FORK_HERE[:] = [True]
    return True


def stop_forking_workers_here() -> None:
    """Undo :func:`fork_workers_here`: later pools use the fork server again (the command line
    calls it when a run ends, so that a process calling it in Python is left as it was)."""
    _FORK_HERE.clear()


def forking_workers_here() -> bool:
    """Whether :func:`fork_workers_here` was called (pools fork their workers from here)."""
    return bool(_FORK_HERE)


def _new_pool(workers: int, context: Any) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )


class ProcessExecutor(Executor):
    """A pool of local worker processes.

    Parameters
    ----------
    workers : int, optional
        Number of processes; default: the CPUs this process may use.
    start_method : str
        ``"forkserver"`` (default on POSIX: safe when the parent runs threads, such as an
        in-process Dask cluster), ``"spawn"`` or ``"fork"``. Left to its default after
        :func:`fork_workers_here`, the workers are forked from this process when it runs no
        other thread: all of them at once, as the pool is made.

    Notes
    -----
    At most ``2 * workers`` tasks are in flight at a time, so that a cancelled run stops quickly
    and results never pile up in the parent.
    """

    name = "processes"

    def __init__(self, workers: int | None = None, start_method: str | None = None) -> None:
        import multiprocessing as mp

        self.workers = _cpu_count() if workers is None else int(workers)
        if self.workers < 1:
            raise ExecutorError(f"workers must be at least 1, got {workers!r}")
        if getattr(mp.current_process(), "_inheriting", False):
            # A worker importing an unguarded script, which starts a run again: stop quietly;
            # the parent reports it.
            raise SystemExit(GUARD_MESSAGE)
        self._pending: set = set()
        if start_method is None and _FORK_HERE and _can_fork_workers():
            self._pool = _new_pool(self.workers, mp.get_context("fork"))
            # A fork pool starts all its workers with its first task: now, while this process
            # still runs no other thread (the pool's own threads start after the forks).
            self._pool.submit(os.getpid)
            return
        if start_method is None:
            methods = mp.get_all_start_methods()
            start_method = "forkserver" if "forkserver" in methods else "spawn"
        context = mp.get_context(start_method)
        if start_method == "forkserver":
            # Import the heavy modules once, in the fork server, instead of in every worker.
            context.set_forkserver_preload(list(WORKER_MODULES))
        self._pool = _new_pool(self.workers, context)

    def map_unordered(self, fn, tasks):
        from concurrent.futures import FIRST_COMPLETED, wait

        queue = iter(tasks)
        limit = 2 * self.workers
        exhausted = False
        while True:
            while not exhausted and len(self._pending) < limit:
                try:
                    task = next(queue)
                except StopIteration:
                    exhausted = True
                    break
                self._pending.add(self._pool.submit(fn, task))
            if not self._pending:
                return
            done, self._pending = wait(self._pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    result = future.result()
                except BrokenProcessPool:
                    raise _broken_pool_error() from None
                yield result

    def close(self, cancel: bool = False) -> None:
        if cancel:
            for future in self._pending:
                future.cancel()
        try:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
        except BrokenProcessPool:  # pragma: no cover - already reported by map_unordered
            pass
        self._pending = set()


def _start_forkserver_for_dask() -> bool:
    """Start this process's fork server with Dask and :data:`PRELOAD` imported, without waiting
    for it; False where there is no fork server.

    The fork server imports those modules (about 1.8 s of CPU) while this process imports Dask
    and starts the scheduler: on two cores the two overlap instead of following each other.
    """
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():  # pragma: no cover - not POSIX
        return False
    from multiprocessing import forkserver

    mp.get_context("forkserver").set_forkserver_preload(["distributed", *PRELOAD])
    forkserver.ensure_running()  # returns at once; the server imports in the background
    return True


def _use_forkserver_for_dask() -> None:
    """Make local Dask workers start from the fork server (already running, see
    :func:`_start_forkserver_for_dask`) with :data:`PRELOAD` and Dask imported."""
    from distributed.utils import get_mp_context

    with _dask_config({"distributed.worker.multiprocessing-method": "forkserver"}):
        context = get_mp_context()  # Dask's own preload list, set once per process
    context.set_forkserver_preload(["distributed", *PRELOAD])  # ours, should it restart


def _dask_config(settings: dict[str, Any]) -> Any:
    import dask

    return dask.config.set(settings)


#: Settings of the LocalCluster realpolitik starts (see :func:`_local_cluster`).
LOCAL_CLUSTER_SETTINGS: dict[str, Any] = {
    # Dask starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also turns off glibc's
    # dynamic mmap threshold: every array above 128 KiB (a column of a batch) is then mapped
    # and faulted in afresh, and a batch runs about three times slower than in a plain worker
    # process. Leave glibc's defaults unless the user set the variable.
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # the statistical profiler samples every worker's stack every 10 ms: CPU that a batch of
    # draws pays for and nobody reads here (no dashboard)
    "distributed.worker.profile.enabled": False,
    # event-loop health checks every 20 ms, system and GIL monitors: wake-ups that cost CPU in
    # every worker and the scheduler for the whole run; checked less often
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.admin.system-monitor.gil.enabled": False,
    "distributed.worker.memory.monitor-interval": "1s",
}


def _local_cluster(n: int, processes: bool) -> Any:
    """A LocalCluster of ``n`` one-thread workers, without dashboards, with
    :data:`LOCAL_CLUSTER_SETTINGS`; process workers forked from a fork server that has the
    heavy modules imported (spawned ones would import NumPy, SciPy, pandas, Arrow, Dask and the
    package again, each: seconds of CPU apiece)."""
    forkserver = processes and _start_forkserver_for_dask()  # first: it imports meanwhile
    import dask
    from distributed import LocalCluster

    settings = dict(LOCAL_CLUSTER_SETTINGS)
    if forkserver:
        _use_forkserver_for_dask()
        settings["distributed.worker.multiprocessing-method"] = "forkserver"
    with dask.config.set(settings):
        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
            worker_dashboard_address=None,
            # the scheduler's HTTP server (metrics) on a free port, not 8787: another cluster on
            # this machine holding 8787 would make it warn and move
            scheduler_kwargs={"dashboard_address": ":0"},
        )


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster, a scheduler address, or a Client you already hold.

    Parameters
    ----------
    workers : int, optional
        Workers of the LocalCluster (one thread each); default: the CPUs of this machine.
        Ignored with ``address`` or ``client``.
    address : str, optional
        A running scheduler, e.g. ``"tcp://10.0.0.5:8786"`` or a ``dask-jobqueue`` cluster's
        ``scheduler_address``.
    processes : bool
        LocalCluster workers as processes (default) or as threads in this process.
    client : distributed.Client, optional
        Use this client; it is not closed by :meth:`close`.

    Notes
    -----
    An executor made directly closes its cluster and client in :meth:`close`; the shared ones
    :func:`make_executor` returns only cancel what they submitted, and stay up for the next
    step until :func:`close_shared_executors` (or the end of the process).
    """

    name = "dask"

    def __init__(
        self,
        workers: int | None = None,
        address: str | None = None,
        processes: bool = True,
        client: Any = None,
    ) -> None:
        try:
            from distributed import Client
        except ImportError as exc:  # pragma: no cover - extra not installed
            raise ExecutorError(
                "the dask executor needs Dask distributed: pip install 'realpolitik[dask]'"
            ) from exc
        self._cluster = None
        self._own_client = client is None
        self._shared = False
        self._futures: list = []
        if client is not None:
            self._client = client
        elif address is not None:
            try:
                self._client = Client(address, timeout="30s")
            except (OSError, ValueError, TypeError, RuntimeError) as exc:
                raise ExecutorError(
                    f"cannot reach the Dask scheduler at {address!r}: {exc}"
                ) from exc
        else:
            n = _cpu_count() if workers is None else int(workers)
            if n < 1:
                raise ExecutorError(f"workers must be at least 1, got {workers!r}")
            self._cluster = _local_cluster(n, processes)
            self._client = Client(self._cluster)
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))

    @property
    def client(self):
        return self._client

    @property
    def running(self) -> bool:
        """Whether the client is connected (and its LocalCluster, if any, up)."""
        if getattr(self._client, "status", "closed") != "running":
            return False
        status = getattr(self._cluster, "status", None)
        return status is None or getattr(status, "name", str(status)) == "running"

    def _step(self) -> DaskExecutor:
        """An executor on this one's client and cluster that never closes them, with its own
        futures (two steps running at once cancel only their own)."""
        step = object.__new__(DaskExecutor)
        step.__dict__.update(self.__dict__)
        step._shared, step._futures = True, []
        return step

    def map_unordered(self, fn, tasks):
        from distributed import as_completed

        tasks = list(tasks)
        if not tasks:
            return
        self._futures = self._client.map(fn, tasks, pure=False)
        for future in as_completed(self._futures):
            yield future.result()
            future.release()

    def close(self, cancel: bool = False) -> None:
        if cancel and self._futures:
            self._client.cancel(self._futures)
        self._futures = []
        if self._shared:
            return  # kept for the next step; closed by close_shared_executors
        self._shutdown()

    def _shutdown(self) -> None:
        if self._own_client:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


#: The Dask executors :func:`make_executor` shares within this process, by
#: ``("local", workers)`` or ``("address", address)``.
_SHARED: dict[tuple[str, Any], DaskExecutor] = {}


_SHARED_LOCK = threading.Lock()


def _shared_dask(workers: int | None, address: str | None) -> DaskExecutor:
    """An executor on the process's Dask cluster for a LocalCluster of ``workers`` or a
    scheduler address: the cluster is started on first use and reused while it runs."""
    import atexit

    key: tuple[str, Any] = (
        ("address", address) if address is not None else ("local", workers or _cpu_count())
    )
    with _SHARED_LOCK:
        held = _SHARED.get(key)
        if held is not None and not held.running:  # closed by hand, crashed: start afresh
            _SHARED.pop(key)
            held._shutdown()
            held = None
        if held is None:
            held = DaskExecutor(key[1] if address is None else None, address=address)
            if not _SHARED:
                atexit.register(close_shared_executors)
            _SHARED[key] = held
        return held._step()


def close_shared_executors() -> None:
    """Close the LocalClusters and scheduler connections :func:`make_executor` kept for reuse
    (done at the end of the process; call it to free the workers sooner)."""
    import atexit

    with _SHARED_LOCK:
        atexit.unregister(close_shared_executors)
        while _SHARED:
            _, executor = _SHARED.popitem()
            executor._shutdown()


def make_executor(
    executor: str | Executor = "processes",
    workers: int | None = None,
    cluster_address: str | None = None,
) -> Executor:
    """Return an :class:`Executor` for a name (``"serial"``, ``"processes"``, ``"dask"``).

    An :class:`Executor` instance is returned as is. ``cluster_address`` implies ``"dask"``.
    A ``"dask"`` executor is shared within the process (one LocalCluster per number of workers,
    one client per scheduler address): the steps of a run start the workers once.
    """
    if isinstance(executor, Executor):
        return executor
    if cluster_address is not None and executor in ("processes", "dask"):
        return _shared_dask(None, cluster_address)
    if workers is not None and (isinstance(workers, bool) or int(workers) < 1):
        raise ExecutorError(f"workers must be a positive integer, got {workers!r}")
    if executor == "serial":
        return SerialExecutor()
    if executor == "processes":
        return ProcessExecutor(workers)
    if executor == "dask":
        return _shared_dask(None if workers is None else int(workers), None)
    raise ExecutorError(f"unknown executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
