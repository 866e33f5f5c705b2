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
    "loaded = sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[0].split(',')))\n"
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
    Parquet or sensitivity libraries (the HTML report, when asked for, needs pandas and Plotly)."""
    out = tmp_path / "out"
    args = ["run", "reverse-kissinger", "--draws", "0", "--no-report", "--out", str(out)]
    assert loaded_modules(args) == []
    assert (out / "summary.json").is_file()
