"""The command line: exit codes, messages without tracebacks, and the shipped examples."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from realpolitik.cli import main
from realpolitik.scenario.examples import list_examples


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_examples_are_listed_and_valid(capsys: pytest.CaptureFixture[str]) -> None:
    names = set(list_examples())
    assert {"reverse-kissinger", "nixon-1972"} <= names
    code, out, _ = run_cli(["validate", *sorted(names)], capsys)
    assert code == 0 and out.count(": valid") == len(names)


def test_broken_copy_exits_2_naming_field_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = list_examples()["reverse-kissinger"].read_text()
    lines = text.splitlines()
    # break the pivot's id in the realignment block: an unknown actor
    idx = next(i for i, line in enumerate(lines) if line.strip() == "pivot: RUS")
    lines[idx] = lines[idx].replace("RUS", "RUSSIA")
    bad = tmp_path / "broken.yaml"
    bad.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(["validate", str(bad)], capsys)
    assert code == 2
    assert f"broken.yaml:{idx + 1} at realignment.pivot" in err
    assert "unknown actor 'RUSSIA'" in err and "Traceback" not in err


def test_missing_file_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(["run", "no-such-file.yaml"], capsys)
    assert code == 2 and "no-such-file.yaml" in err and "Traceback" not in err


def test_schema_is_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(["schema"], capsys)
    schema = json.loads(out)
    assert code == 0 and schema["type"] == "object"
    assert {"actors", "relations", "levers", "realignment"} <= set(schema["properties"])


def test_version_and_cite(capsys: pytest.CaptureFixture[str]) -> None:
    from realpolitik import __version__

    code, out, _ = run_cli(["--version"], capsys)
    assert code == 0 and __version__ in out
    code, out, _ = run_cli(["cite", "nixon-1972"], capsys)
    assert code == 0 and "Groseclose" in out


def test_help_does_not_import_heavy_modules() -> None:
    """`realpolitik --help` must stay fast: nothing heavy is imported to print it."""
    code = (
        "import sys; from realpolitik.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'pandas', 'scipy', 'pydantic', 'yaml', 'rich', 'plotly')"
        " if m in sys.modules]\nprint('HEAVY:' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage:" in out.stdout
    assert out.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_import_axelrod_furnas_round_trip(
    validation_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    case = validation_dir / "landscape-syria-2016"
    out = tmp_path / "syria.yaml"
    code, _, err = run_cli(
        [
            "import",
            "axelrod-furnas",
            str(case / "actors.csv"),
            str(case / "propensity_raw.csv"),
            "-o",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    from realpolitik.scenario import load

    s = load(out)
    assert len(s.actor_ids) == 11
    p = s.propensity_matrix()
    assert p[0, 3] == 2.0  # US-Turkey: raw 5 -> +2
    assert all(r.quantity.source for r in s.quantities() if r.path.startswith("relations"))


def test_import_ktab(
    validation_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "soe.yaml"
    code, _, err = run_cli(
        ["import", "ktab", str(validation_dir / "ktab-smp" / "SOE-Pol-Comp.csv"), "-o", str(out)],
        capsys,
    )
    assert code == 0, err
    from realpolitik.scenario import load

    s = load(out)
    assert len(s.spec.actors) == 14 and set(s.spec.dimensions) == {
        "Policy-Position",
        "Competitive-Position",
    }


def test_bad_import_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = tmp_path / "a.csv"
    p = tmp_path / "p.csv"
    a.write_text("id,actor,strength\n1,X,ten\n2,Y,5\n")
    p.write_text(",X,Y\nX,,4\nY,4,\n")
    code, _, err = run_cli(
        ["import", "axelrod-furnas", str(a), str(p), "-o", str(tmp_path / "o.yaml")], capsys
    )
    assert code == 2 and "a.csv:2" in err and "strength" in err
    assert not (tmp_path / "o.yaml").exists()


def test_scenario_from_data_1972(
    ir_data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "t1972.yaml"
    code, _, err = run_cli(
        [
            "scenario",
            "from-data",
            "--year",
            "1972",
            "USA",
            "RUS",
            "CHN",
            "--data-dir",
            str(ir_data_dir),
            "-o",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    code, outp, err = run_cli(["validate", str(out)], capsys)
    assert code == 0, err
    from realpolitik.scenario import load

    s = load(out)
    assert s.spec.strict_provenance and set(s.actor_ids) == {"USA", "RUS", "CHN"}
    code, outp, err = run_cli(
        ["run", str(out), "--out", str(tmp_path / "run"), "--no-report"], capsys
    )
    assert code == 0, err
