"""``realpolitik bargain`` on a small KTAB CSV: answered without Click or NumPy, printing what
the Click command prints with the NumPy model."""

from __future__ import annotations

from pathlib import Path

import pytest

from realpolitik.cli import main
from realpolitik.cli.models import _ktab_command, plain_ktab_smp
from realpolitik.cli.quick import _parse, quick_bargain
from realpolitik.jsonio import dumps

SEVEN_BY_THREE = """Tiny,seven actors on three dimensions,7,3,
Actor,Description,Influence,Tax,Tax S,Trade,Trade S,War,War S,
A,a,100,80,30,20,40,50,20,
B,b,60,75,20,60,40,55,30,
C,c,35,30,50,10,25,45,20,
D,d,35,90,20,50,30,60,40,
E,e,40,20,30,85,30,35,30,
F,f,20,55,40,70,20,90,40,
G,g,15,60,33.3,40,33.3,10,33.3,
"""


@pytest.fixture()
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    path.write_text(SEVEN_BY_THREE, encoding="utf-8")
    return path


@pytest.fixture(params=["SOE-Pol-Comp", "tiny"])
def ktab_csv(request, validation_dir: Path, small_csv: Path) -> Path:
    if request.param == "tiny":
        return small_csv
    return validation_dir / "ktab-smp" / f"{request.param}.csv"


def test_text_output_is_the_numpy_commands(ktab_csv, capsys):
    _, lines = _ktab_command(str(ktab_csv), "smp", None, 0, use_plain=False)
    assert quick_bargain(["bargain", str(ktab_csv)])
    assert capsys.readouterr().out == "\n".join(lines) + "\n"


def test_json_output_is_the_numpy_commands(ktab_csv, capsys):
    data, _ = _ktab_command(str(ktab_csv), "smp", None, 0, use_plain=False)
    assert quick_bargain(["bargain", "--json", str(ktab_csv), "--model=smp", "--seed", "3"])
    assert capsys.readouterr().out == dumps(data) + "\n"


def test_the_command_uses_the_plain_path_and_prints_the_same(small_csv, capsys):
    main(["bargain", str(small_csv)])
    out = capsys.readouterr().out
    assert out.startswith("Tiny: KTAB spatial model of politics, 7 actors, 3 dimension(s);")
    _, lines = _ktab_command(str(small_csv), "smp", None, 0, use_plain=False)
    assert out == "\n".join(lines) + "\n"
    assert plain_ktab_smp(str(small_csv)) is not None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["bargain", "f.csv"], ("f.csv", False)),
        (["bargain", "f.csv", "--json"], ("f.csv", True)),
        (["bargain", "--seed=7", "--model", "smp", "f.csv"], ("f.csv", False)),
        (["bargain", "f.csv", "--model", "bdm"], None),
        (["bargain", "f.csv", "--dimension", "Tax"], None),
        (["bargain", "f.csv", "--seed", "-1"], None),
        (["bargain", "f.csv", "--seed", str(2**64)], None),
        (["bargain", "f.csv", "--seed"], None),
        (["bargain", "--help"], None),
        (["bargain"], None),
        (["bargain", "a.csv", "b.csv"], None),
        (["run", "f.csv"], None),
        ([], None),
    ],
)
def test_only_plain_command_lines_are_answered(args, expected):
    assert _parse(args) == expected


def test_other_inputs_go_to_the_click_command(tmp_path, validation_dir, capsys):
    bdm = tmp_path / "bdm.csv"
    bdm.write_text("Actor,Capability,Position,Salience\nA,1,0,0.5\nB,2,100,0.5\n")
    many = validation_dir / "ktab-smp" / "SOE-Policy.csv"  # 26 actors: NumPy's
    for path in (bdm, many, tmp_path / "missing.csv", validation_dir / "ktab-smp" / "x.yaml"):
        assert not quick_bargain(["bargain", str(path)])
    assert capsys.readouterr().out == ""


def test_a_bad_file_is_reported_by_the_click_command(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(SEVEN_BY_THREE.replace("A,a,100,80", "A,a,-100,80"), encoding="utf-8")
    assert not quick_bargain(["bargain", str(bad)])
    with pytest.raises(SystemExit) as exc:
        main(["bargain", str(bad)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "capability must be positive" in err and "bad.csv:3" in err


def test_package_main_stays_the_entry_point():
    import importlib

    importlib.import_module("realpolitik.cli.main")
    import realpolitik.cli as package
    from realpolitik.cli import cli
    from realpolitik.cli import main as entry

    assert callable(entry) and not isinstance(entry, type(package))
    assert package.main is entry and cli.name == "cli"


class _ClosedPipe:
    def write(self, text: str) -> int:
        import errno

        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        pass


def test_a_closed_output_is_reported_as_the_click_command_does(small_csv, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdout", _ClosedPipe())
    with pytest.raises(SystemExit) as exc:
        quick_bargain(["bargain", str(small_csv)])
    assert exc.value.code == 2
    assert capsys.readouterr().err == "error: Broken pipe\n"
