"""The command line's run forks its draw workers from its own process, runs the point analyses
while they draw, hands its report to the forked helper and ends without the module teardown
(issue 17): the same files, byte for byte, as a run with none of these (one process: the point
analyses first, then the draws, then the report written in the process itself)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers are forked here on Linux only"
)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _python(code: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


#: The same run through the Python API in one process: the point analyses first, then the draws
#: (serial: the same draws as any pool, tests/test_scenario_run.py), the report written here.
API_RUN = """
import sys
from pathlib import Path
from realpolitik.scenario import load
from realpolitik.experiment import executors
from realpolitik.report.write import write_run
from realpolitik.experiment.scenario_run import run_scenario
from realpolitik.experiment.options import RunOptions
if __name__ == "__main__":
    out = Path(sys.argv[1])
    options = RunOptions(draws=int(sys.argv[2]), seed=1, workers=1, store=out / "store",
                         batch_size=int(sys.argv[3]))
    run = run_scenario(load("reverse-kissinger"), options)
    write_run(run, out)
    assert not executors.forking_workers_here()
    print("RUN_ID:" + run.draws.run_id)
"""

#: The command line's run, as the program, recording how its pool was started.
CLI_RUN = """
import sys
import realpolitik.experiment.executors as ex
made = []
original = ex._new_pool
def spy(workers, context):
    made.append(context.get_start_method())
    return original(workers, context)
ex._new_pool = spy
import atexit
atexit.register(lambda: print("POOLS:" + ",".join(made), flush=True))
sys.argv = ["realpolitik", *sys.argv[1:]]
from realpolitik.cli.main import main
main()
"""


def _normalised(text: str, run_id: str, out: Path) -> str:
    return text.replace(run_id, "RUN").replace(str(out), "OUT")


def _run_id(out: Path) -> str:
    return json.loads((out / "summary.json").read_text())["run_id"]


@pytest.mark.slow
def test_the_command_lines_run_writes_the_one_process_runs_files(tmp_path: Path) -> None:
    """The README's run, smaller: summary.json, report.html and every batch file are the same
    byte for byte (run id and folder aside) whether the workers are forked from the command's
    process (point analyses alongside the draws, report by the helper) or the whole run is made
    in one process (point analyses first, report written in the process)."""
    draws, batch = "3000", "500"
    api, cli = tmp_path / "api", tmp_path / "cli"
    _python(API_RUN, str(api), draws, batch)
    printed = _python(
        CLI_RUN,
        *("run", "reverse-kissinger", "--draws", draws, "--seed", "1", "--workers", "2"),
        *("--batch-size", batch, "--out", str(cli)),
    )
    assert "POOLS:fork" in printed  # one pool, forked here: no fork server
    a_id, c_id = _run_id(api), _run_id(cli)
    for name in ("summary.json", "report.html"):
        a = _normalised((api / name).read_text(encoding="utf-8"), a_id, api)
        c = _normalised((cli / name).read_text(encoding="utf-8"), c_id, cli)
        assert a == c, name
    a_batches = sorted((api / "store" / "runs" / a_id).glob("batch-*.parquet"))
    c_batches = sorted((cli / "store" / "runs" / c_id).glob("batch-*.parquet"))
    assert [p.name for p in a_batches] == [p.name for p in c_batches]
    assert len(a_batches) == 6
    for a, c in zip(a_batches, c_batches, strict=True):
        assert a.read_bytes() == c.read_bytes(), a.name


FORK_CHOICE = """
import threading
from realpolitik.experiment import executors as ex
if __name__ == "__main__":
    assert ex.fork_workers_here(["realpolitik.experiment.scenario_experiment"])
    with ex.ProcessExecutor(2) as pool:
        list(pool.map_unordered(abs, range(2)))
        kind = pool._pool._mp_context.get_start_method()
    print("HERE:" + kind)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with ex.ProcessExecutor(2) as pool:
            kind = pool._pool._mp_context.get_start_method()
            list(pool.map_unordered(abs, range(2)))
    finally:
        stop.set()
        thread.join()
    print("WITH_A_THREAD:" + kind)
"""


def test_workers_are_forked_here_only_while_no_other_thread_runs() -> None:
    """After :func:`fork_workers_here`, a pool forks its workers from this process; while another
    thread runs (one could hold a lock the children would inherit held), from the fork server."""
    out = _python(FORK_CHOICE)
    assert "HERE:fork" in out, out
    assert "WITH_A_THREAD:forkserver" in out, out


def test_without_the_command_line_pools_use_the_fork_server() -> None:
    """The Python API keeps the fork server: only the command line asks for forked workers."""
    code = (
        "from realpolitik.experiment import executors as ex\n"
        "if __name__ == '__main__':\n"
        "    with ex.ProcessExecutor(2) as pool:\n"
        "        list(pool.map_unordered(abs, range(2)))\n"
        "        print('KIND:' + pool._pool._mp_context.get_start_method())\n"
    )
    assert "KIND:forkserver" in _python(code)


def test_fork_server_workers_start_without_pandas() -> None:
    """The fork server imports what a batch needs but not pandas, which no worker uses (0.1 s
    of every run's start): a worker that ran a batch of the flagship has not imported it."""
    code = (
        "import realpolitik\n"
        "from realpolitik.experiment import executors as ex\n"
        "from realpolitik.experiment.run import _BatchTask, _run_batch\n"
        "from realpolitik.experiment.scenario_experiment import experiment_spec\n"
        "import numpy as np\n"
        "if __name__ == '__main__':\n"
        "    spec = experiment_spec(realpolitik.load('reverse-kissinger'), ['realignment'])\n"
        "    ss = np.random.SeedSequence(1)\n"
        "    task = _BatchTask(spec, 0, 0, 50, 50, ss, ss, 'mc')\n"
        "    with ex.ProcessExecutor(1) as pool:\n"
        "        assert next(pool.map_unordered(_run_batch, [task])).rows == 50\n"
        "        ask = \"'pandas' in __import__('sys').modules\"\n"
        "        print('PANDAS:' + str(next(pool.map_unordered(eval, [ask]))))\n"
    )
    assert "PANDAS:False" in _python(code)


AS_PROGRAM = (
    "import atexit, sys\n"
    "import realpolitik.cli.main\n"
    "cli_main = sys.modules['realpolitik.cli.main']\n"
    "class Teardown:\n"
    "    def __del__(self):\n"
    "        print('TEARDOWN', flush=True)\n"
    "cli_main._teardown_witness = Teardown()  # its __del__ runs only in the module teardown\n"
    "atexit.register(lambda: print('EXIT HANDLERS RAN'))\n"
    "sys.argv = ['realpolitik', *sys.argv[1:]]\n"
    "cli_main.main()\n"
)

CALLED = (
    "import sys\n"
    "from realpolitik.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    assert not exc.code, exc.code\n"
)


@pytest.mark.slow
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_run_with_draws_as_the_program_ends_without_the_teardown(
    workers: str, tmp_path: Path
) -> None:
    """Run as the program, a run with draws ends once its files are written, its workers and
    helper gone: exit handlers run and every line is printed (the same output as the command
    called from Python, which returns normally), without the teardown of its modules."""
    args = ["run", "reverse-kissinger", "--draws", "600", "--seed", "3", "--workers", workers]
    fast = _python(AS_PROGRAM, *args, "--out", str(tmp_path / "a"))
    called = _python(CALLED, *args, "--out", str(tmp_path / "b"))
    assert "TEARDOWN" not in fast and fast.endswith("EXIT HANDLERS RAN\n"), fast[-300:]
    a_id, b_id = _run_id(tmp_path / "a"), _run_id(tmp_path / "b")
    printed = _normalised(fast.removesuffix("EXIT HANDLERS RAN\n"), a_id, tmp_path / "a")
    assert printed == _normalised(called, b_id, tmp_path / "b")
    for name in ("summary.json", "report.html"):
        a = _normalised((tmp_path / "a" / name).read_text(encoding="utf-8"), a_id, tmp_path / "a")
        b = _normalised((tmp_path / "b" / name).read_text(encoding="utf-8"), b_id, tmp_path / "b")
        assert a == b, name
    assert re.search(r"P\(realigns\) = ", printed)


def test_the_command_called_from_python_leaves_pools_as_they_were(tmp_path: Path) -> None:
    """`realpolitik run` called in a Python process forks its workers from it, and afterwards
    that process's own pools use the fork server again."""
    code = (
        "import sys\n"
        "from realpolitik.cli import main\n"
        "from realpolitik.experiment import executors as ex\n"
        "if __name__ == '__main__':\n"
        "    main(['run', 'reverse-kissinger', '--draws', '300', '--workers', '2',\n"
        "          '--no-report', '--out', sys.argv[1]])\n"
        "    print('AFTER:' + str(ex.forking_workers_here()))\n"
    )
    assert "AFTER:False" in _python(code, str(tmp_path / "out"))
