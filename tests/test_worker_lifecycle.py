"""Worker processes end with their parent; a dead worker or an unguarded script is a clean error;
the Numba kernels import when no cache folder is writable (issue 16)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")
TESTS = str(Path(__file__).resolve().parent)

LONG_RUN = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from test_run import NoisyModel, make_spec
    from realpolitik.experiment.run import run_experiment
    from realpolitik.experiment.executors import fork_workers_here
    if __name__ == "__main__":
        if {fork!r}:  # as the command line does: workers forked from this process
            assert fork_workers_here()
        run_experiment(make_spec(NoisyModel(delay=0.2)), 1_000_000, seed=1, batch_size=100,
                       executor="processes", workers=2, store={store!r})
    """
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _group(pgid: int) -> list[int]:
    """Live processes of a process group (zombies excluded)."""
    out = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(d.name))
    return out


def _start(tmp_path: Path, script: str) -> subprocess.Popen:
    path = tmp_path / "script.py"
    path.write_text(script)
    return subprocess.Popen(
        [sys.executable, str(path)],
        start_new_session=True,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_batches(store: Path, n: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if len(list(store.glob("runs/*/batch-*.parquet"))) >= n or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()[1].decode()


def _wait_until_gone(pgid: int, seconds: float = 20) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _group(pgid)
        if not left:
            return []
        time.sleep(0.1)
    return _group(pgid)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("fork", [False, True])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killing_only_the_parent_leaves_no_process(tmp_path: Path, sig: int, fork: bool) -> None:
    store = tmp_path / "store"
    proc = _start(tmp_path, LONG_RUN.format(tests=TESTS, store=str(store), fork=fork))
    try:
        _wait_for_batches(store, 3, proc)
        # parent and workers (forked here), or with the fork server and resource tracker too
        assert len(_group(proc.pid)) >= (3 if fork else 4)
        os.kill(proc.pid, sig)  # the parent only
        proc.communicate(timeout=30)
        left = _wait_until_gone(proc.pid)
        assert left == [], f"processes outlived their parent: {left}"
    finally:
        for pid in _group(proc.pid):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("fork", [False, True])
def test_a_killed_worker_is_a_clean_error(tmp_path: Path, fork: bool) -> None:
    store = tmp_path / "store"
    proc = _start(tmp_path, LONG_RUN.format(tests=TESTS, store=str(store), fork=fork))
    try:
        _wait_for_batches(store, 3, proc)
        workers = [
            pid
            for pid in _group(proc.pid)
            if pid != proc.pid
            and "resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_text()
            # forked here, the workers are the run's children; else the fork server's
            and (
                int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == proc.pid
            )
            == fork
        ]
        assert workers
        os.kill(workers[0], signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    finally:
        for pid in _group(proc.pid):
            os.kill(pid, signal.SIGKILL)
    text = err.decode()
    assert "ExecutorError: a worker process died" in text
    assert "BrokenProcessPool" not in text
    assert _wait_until_gone(proc.pid) == []


@pytest.mark.slow
def test_a_script_without_main_guard_gets_a_message(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {TESTS!r})
        from test_run import make_spec
        from realpolitik.experiment.run import run_experiment
        run_experiment(make_spec(), 400, seed=1, batch_size=100, executor="processes", workers=2)
        """
    )
    path = tmp_path / "unguarded.py"
    path.write_text(script)
    done = subprocess.run(
        [sys.executable, str(path)], env=_env(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert '`if __name__ == "__main__":`' in done.stderr
    assert "BrokenProcessPool" not in done.stderr
    assert "bootstrapping phase" not in done.stderr


def test_kernels_import_when_no_cache_folder_is_writable(tmp_path: Path) -> None:
    # As for a user whose HOME and package folder are read-only: Numba finds no cache locator.
    script = textwrap.dedent(
        """
        import numba.core.caching as caching
        caching.CacheImpl._locator_classes = []
        import numpy as np
        from realpolitik.models import _kernels
        from realpolitik.models.balance import balance_summary
        S = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0]])
        print(balance_summary(S, ["a", "b", "c"])["balanced"])
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "cannot cache" not in done.stderr
