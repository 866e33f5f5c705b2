"""Start-up: each command imports only what it uses (Numba, pandas, Plotly, DuckDB and SALib are
heavy; `realpolitik --help` imports none of NumPy either)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("numba", "pandas", "plotly", "duckdb", "SALib", "scipy", "pyarrow")

PROBE = (
    "import sys\n"
    "from realpolitik.cli import main\n"
    "try:\n"
    "    main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    assert not exc.code, exc.code\n"
    "watch = set(sys.argv[0].split(','))\n"
    "names = {m.split('.')[0] for m in sys.modules} | set(sys.modules)\n"
    "loaded = sorted(names & watch)\n"
    "print('LOADED:' + ','.join(loaded))\n"
)


def loaded_modules(args: list[str], watch: tuple[str, ...] = HEAVY) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[0]", repr(",".join(watch))), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    last = out.stdout.strip().splitlines()[-1]
    assert last.startswith("LOADED:"), out.stdout
    return [m for m in last[len("LOADED:") :].split(",") if m]


def test_help_imports_nothing_heavy() -> None:
    assert loaded_modules(["--help"], HEAVY + ("numpy", "pydantic", "yaml")) == []


def test_validate_imports_nothing_heavy() -> None:
    assert loaded_modules(["validate", "nixon-1972"]) == []


def test_bargain_on_a_ktab_file_needs_no_scenario_schema(validation_dir: Path) -> None:
    """Reading a KTAB CSV builds no scenario: pydantic and YAML stay unloaded."""
    csv = validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv"
    assert loaded_modules(["bargain", str(csv)], HEAVY + ("pydantic", "yaml")) == []


def test_smp_on_a_small_ktab_csv_needs_neither_numpy_nor_click(validation_dir: Path) -> None:
    """`bargain` on a KTAB CSV of few actors runs the plain-Python SMP: no NumPy, no Click."""
    csv = validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv"
    watch = HEAVY + ("numpy", "click", "pydantic", "yaml")
    assert loaded_modules(["bargain", str(csv)], watch) == []
    assert loaded_modules(["bargain", str(csv), "--json"], watch) == []
    many = validation_dir / "ktab-smp" / "SOE-Policy.csv"  # 26 actors: the NumPy model
    assert loaded_modules(["bargain", str(many)], watch) == ["click", "numpy"]


def test_smp_on_a_ktab_file_loads_only_the_smp(validation_dir: Path) -> None:
    """The SMP command loads the SMP alone: not the BDM beside it, not the realignment model,
    and not ``numpy.ma`` (which ``np.unique`` loads on first use)."""
    csv = validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv"
    watch = (
        "realpolitik.models.bargaining.bdm",
        "realpolitik.models.realignment",
        "realpolitik.experiment",
        "realpolitik.report",
        "numpy.ma",
    )
    assert loaded_modules(["bargain", str(csv)], watch) == []
    assert loaded_modules(["bargain", str(csv), "--model", "bdm"], watch[:1]) == list(watch[:1])


@pytest.mark.parametrize("source", ["pair", "scenario"])
def test_landscape_imports_no_compiler_or_dataframes(source: str, validation_dir: Path) -> None:
    case = validation_dir / "landscape-syria-2016"
    args = (
        [str(case / "actors.csv"), str(case / "propensity_raw.csv")]
        if source == "pair"
        else ["nixon-1972"]
    )
    watch = HEAVY + (("pydantic", "yaml") if source == "pair" else ())
    assert loaded_modules(["landscape", *args], watch) == []


def test_point_run_without_report_imports_no_experiment_machinery(tmp_path: Path) -> None:
    """`run SCENARIO --draws 0` prints and writes summary.json without DataFrames, DuckDB,
    Parquet or sensitivity libraries (the HTML report, when asked for, needs Plotly).

    SciPy is allowed: it is the realignment model's own LP solver (HiGHS), used at the point values
    when a payer's budget binds in one of the Shapley coalitions, as it does in the flagship."""
    out = tmp_path / "out"
    args = ["run", "reverse-kissinger", "--draws", "0", "--no-report", "--out", str(out)]
    experiment_machinery = tuple(m for m in HEAVY if m != "scipy")
    assert loaded_modules(args, experiment_machinery) == []
    assert (out / "summary.json").is_file()


def _needs_two_cpus() -> None:
    import os

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not hasattr(os, "fork") or (cpus or 1) < 2:
        pytest.skip("the report helper is forked only with fork() and two CPUs")


def test_point_run_with_report_leaves_pandas_and_plotly_to_the_helper(tmp_path: Path) -> None:
    """`run SCENARIO --draws 0` writes report.html from a forked helper: the command's own
    process imports neither pandas nor Plotly (nor DuckDB, PyArrow, SALib); the helper imports
    Plotly only (see the next test)."""
    _needs_two_cpus()
    out = tmp_path / "out"
    args = ["run", "reverse-kissinger", "--draws", "0", "--out", str(out)]
    assert loaded_modules(args, tuple(m for m in HEAVY if m != "scipy")) == []
    assert (out / "report.html").is_file()
    assert (out / "summary.json").is_file()


def test_the_report_is_written_without_pandas(tmp_path: Path) -> None:
    """A point run's report.html, written as the report's helper writes it, loads neither
    pandas nor PyArrow."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from realpolitik.scenario import load\n"
        "from realpolitik.experiment.options import RunOptions\n"
        "from realpolitik.experiment.scenario_run import run_scenario\n"
        "from realpolitik.report.write import _prepare, write_report\n"
        "_prepare()\n"
        "run = run_scenario(load('reverse-kissinger'), RunOptions(draws=0))\n"
        "write_report(run, Path(sys.argv[1]))\n"
        "print('LOADED:' + ','.join(m for m in ('pandas', 'pyarrow') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "LOADED:", out
    assert (tmp_path / "report.html").stat().st_size > 0


#: The draws' machinery: the Monte Carlo runner, its store and workers, the explanations.
DRAWS_MACHINERY = (
    "numba",
    "realpolitik.experiment.run",
    "realpolitik.experiment.store",
    "realpolitik.experiment.executors",
    "realpolitik.experiment.uncertainty",
    "realpolitik.experiment.draws_frame",
    "realpolitik.experiment.outcome_sensitivity",
    "realpolitik.experiment.explain",
    "realpolitik.experiment.sensitivity",
    "realpolitik.experiment.discovery",
)


@pytest.mark.parametrize("report", [True, False])
def test_point_run_imports_no_compiler_and_no_draws_machinery(report: bool, tmp_path: Path) -> None:
    """`run SCENARIO --draws 0`, with its report or without, runs the models at the point values
    only: no Numba, and none of the experiment layer's modules for draws and their explanations."""
    out = tmp_path / "out"
    args = ["run", "reverse-kissinger", "--draws", "0", "--out", str(out)]
    if not report:
        args.append("--no-report")
    assert loaded_modules(args, DRAWS_MACHINERY) == []
    assert (out / "summary.json").is_file()
    assert (out / "report.html").is_file() == report


POINT_REPORT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from realpolitik.scenario import load\n"
    "from realpolitik.experiment.options import RunOptions\n"
    "from realpolitik.experiment.scenario_run import run_scenario\n"
    "from realpolitik.report.write import ReportProcess\n"
    "out = Path(sys.argv[1])\n"
    "draws = 600 if sys.argv[2] == 'draws' else 0\n"
    "helper = ReportProcess.start(draws=bool(draws))\n"
    "assert helper is not None\n"
    "run = run_scenario(load('reverse-kissinger'), RunOptions(draws=draws, workers=1))\n"
    "if sys.argv[2] == 'unpicklable':\n"
    "    run.note = lambda: None  # pickling fails: the parent must write the report\n"
    "with helper:\n"
    "    helper.write(run, out)\n"
    "    helper.wait()\n"
    "print('HELPER_STATUS:' + str(helper._status) + ',' + str(helper._sent))\n"
    "from realpolitik.report.html import render_report\n"
    "same = (out / 'report.html').read_text(encoding='utf-8') == render_report(run)\n"
    "print('SAME:' + str(same))\n"
)


@pytest.mark.parametrize("case", ["picklable", "unpicklable", "draws"])
def test_report_helper_writes_the_in_process_report(case: str, tmp_path: Path) -> None:
    """The helper's report.html is the one rendered in the process itself, character for
    character (for a run with draws too, which it receives without the draws themselves); a
    run it cannot receive is written by the parent instead."""
    _needs_two_cpus()
    out = subprocess.run(
        [sys.executable, "-c", POINT_REPORT, str(tmp_path), case],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "SAME:True" in out, out
    sent = "False" if case == "unpicklable" else "True"
    assert f"HELPER_STATUS:0,{sent}" in out, out


def test_report_helper_exits_when_nothing_is_sent() -> None:
    """A command that fails before its run (bad input) leaves no helper behind: closing the
    pipe ends it, with status 0."""
    _needs_two_cpus()
    code = (
        "from realpolitik.report.write import ReportProcess\n"
        "h = ReportProcess.start()\n"
        "h.close()\n"
        "print('STATUS:' + str(h._status))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "STATUS:0" in out, out


AS_PROGRAM = (
    "import atexit, sys\n"
    "import realpolitik.cli.main\n"
    "cli_main = sys.modules['realpolitik.cli.main']  # the module (the package exports main())\n"
    "class Teardown:\n"
    "    def __del__(self):\n"
    "        print('TEARDOWN', flush=True)\n"
    "cli_main._teardown_witness = Teardown()  # its __del__ runs only in the module teardown\n"
    "atexit.register(lambda: print('EXIT HANDLERS RAN'))\n"
    "sys.argv = ['realpolitik', *sys.argv[1:]]\n"
    "cli_main.main()\n"
)


@pytest.mark.parametrize("report", [True, False])
def test_a_point_run_as_the_program_ends_without_the_teardown(report: bool, tmp_path: Path) -> None:
    """Run as the program, a point run ends at once once its files are written: exit handlers
    run and every line is printed (the same output as the command called from Python, which
    returns normally), but the interpreter does not tear its modules down."""
    extra = [] if report else ["--no-report"]
    args = ["run", "reverse-kissinger", "--draws", "0", *extra]
    fast = subprocess.run(
        [sys.executable, "-c", AS_PROGRAM, *args, "--out", str(tmp_path / "a")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    called = subprocess.run(
        [sys.executable, "-c", PROBE, *args, "--out", str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "TEARDOWN" not in fast and fast.endswith("EXIT HANDLERS RAN\n"), fast[-300:]
    printed = fast.removesuffix("EXIT HANDLERS RAN\n").replace(str(tmp_path / "a"), "OUT")
    assert printed == called[: called.rindex("LOADED:")].replace(str(tmp_path / "b"), "OUT")
    assert (tmp_path / "a" / "summary.json").read_bytes() == (
        tmp_path / "b" / "summary.json"
    ).read_bytes()
    assert (tmp_path / "a" / "report.html").is_file() == report
