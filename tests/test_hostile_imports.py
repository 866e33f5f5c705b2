"""Hostile and malformed importer inputs: each gives a clean error naming what is wrong (issue 16).

Every case here once ended in a Python traceback, an unbounded allocation or a silent acceptance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.cli import main
from realpolitik.errors import ScenarioError
from realpolitik.scenario.importers.axelrod_furnas import read_axelrod_furnas
from realpolitik.scenario.importers.bdm_table import is_bdm_table, read_bdm_table
from realpolitik.scenario.importers.ktab import read_ktab_csv, read_ktab_xml

GOOD_CSV = (
    "n,d,3,2\nActor,Desc,Infl,P1,S1,P2,S2\nA,a,10,50,50,20,20\nB,b,10,1,1,1,1\nC,c,10,1,1,1,1\n"
)


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _error(path: Path, reader) -> str:
    with pytest.raises(ScenarioError) as info:
        reader(path)
    return str(info.value)


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        # a short actor line used to end in zip()'s ValueError
        (
            "n,d,3,2\nActor,Desc,Infl,P1,S1,P2,S2\nA,a,10,50,50,20,20\nB,b,10\nC,c,10,1,1,1,1\n",
            "actor line too short",
        ),
        # nDims larger than the header's columns
        (
            "n,d,3,5\nActor,Desc,Infl,P1,S1,P2,S2\nA,a,10,50,50,20,20\nB,b,10,1,1,1,1\n"
            "C,c,10,1,1,1,1\n",
            "header line too short for nDims",
        ),
        # a 1 KB file declaring a billion dimensions: refused before anything is sized by nDims
        ("n,d,3,1000000000\nActor,Desc,Infl,P1,S1\n" + "x" * 1000, "header line too short"),
        ("n,d,3,1000000000\nActor,Desc,Infl,P1,S1\n", "header line too short"),
    ],
)
def test_ktab_csv_structure_errors(tmp_path: Path, content: str, needle: str) -> None:
    p = tmp_path / "s.csv"
    p.write_text(content)
    assert needle in _error(p, read_ktab_csv)


def test_ktab_csv_with_carriage_returns_only_is_read(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_bytes(GOOD_CSV.replace("\n", "\r").encode())
    k = read_ktab_csv(p)
    assert k.actor_names == ("A", "B", "C")
    np.testing.assert_array_equal(k.positions[0], [50, 20])


def test_ktab_csv_binary_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_bytes(bytes(range(256)) * 8)
    assert "not a text file" in _error(p, read_ktab_csv)


XML_BOMB = """<?xml version="1.0" encoding="{enc}"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<Scenario><name>&lol2;</name></Scenario>
"""


@pytest.mark.parametrize("encoding", ["UTF-8", "UTF-16", "UTF-16-LE", "UTF-32"])
def test_ktab_xml_entities_refused_in_any_encoding(tmp_path: Path, encoding: str) -> None:
    p = tmp_path / "s.xml"
    codec = {"UTF-16": "utf-16", "UTF-16-LE": "utf-16-le", "UTF-32": "utf-32"}.get(
        encoding, "utf-8"
    )
    text = XML_BOMB.format(enc=encoding)
    raw = text.encode(codec)
    if codec == "utf-16-le":
        raw = b"\xff\xfe" + raw  # a BOM, as editors write it
    p.write_bytes(raw)
    msg = _error(p, read_ktab_xml)
    assert "lol" * 5 not in msg  # never expanded
    assert "DOCTYPE" in msg or "malformed XML" in msg


def test_ktab_xml_external_entity_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.xml"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        "<Scenario><name>&e;</name></Scenario>\n"
    )
    msg = _error(p, read_ktab_xml)
    assert "root:" not in msg and "DOCTYPE" in msg


def test_ktab_xml_truncated_names_line(tmp_path: Path) -> None:
    p = tmp_path / "s.xml"
    p.write_text('<?xml version="1.0"?>\n<Scenario><name>x</name>\n')
    assert "malformed XML" in _error(p, read_ktab_xml)


@pytest.mark.parametrize(
    "content",
    [GOOD_CSV.replace("\n", "\r"), "\x00\x01\x02", "n,d,3,1000000000\nA,B,C,D,E\n", ""],
    ids=["cr-only", "binary", "huge-ndims", "empty"],
)
def test_import_ktab_cli_never_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    p = tmp_path / "s.csv"
    p.write_text(content)
    code, _, err = _run(["import", "ktab", str(p), "-o", str(tmp_path / "o.yaml")], capsys)
    assert "Traceback" not in err
    assert code == 0 or (code == 2 and "s.csv" in err)


def test_import_refuses_to_overwrite_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "same.csv"
    p.write_text(GOOD_CSV)
    code, _, err = _run(["import", "ktab", str(p), "-o", str(p)], capsys)
    assert code == 2 and "same.csv" in err and "input" in err
    assert p.read_text() == GOOD_CSV


# -- Axelrod-Furnas ---------------------------------------------------------------------------

ACTORS = "id,actor,strength\n1,Alpha,3\n2,Beta,2\n3,Gamma,1\n"
PROP = ",Alpha,Beta,Gamma\nAlpha,,5,1\nBeta,5,,2\nGamma,1,2,\n"


def _af(tmp_path: Path, actors: str = ACTORS, prop: str = PROP, stem: str = "syria"):
    a, p = tmp_path / f"{stem}-actors.csv", tmp_path / f"{stem}-prop.csv"
    a.write_text(actors)
    p.write_text(prop)
    return a, p


def test_af_reads_the_valid_pair(tmp_path: Path) -> None:
    names, sizes, p = read_axelrod_furnas(*_af(tmp_path))
    assert names == ["Alpha", "Beta", "Gamma"] and sizes == [3.0, 2.0, 1.0]
    assert p[0][1] == 2.0 and p[0][2] == -2.0 and p[1][2] == -1.0


@pytest.mark.parametrize(
    ("actors", "prop", "needle"),
    [
        ("id,actor,strength\n1,Alpha,3\n2,Alpha,2\n3,Gamma,1\n", PROP, "duplicate actor name"),
        (ACTORS, ",Alpha,Beta,Gamma\nAlpha,,5,1,4\nBeta,5,,2\nGamma,1,2,\n", "more cells"),
        (ACTORS, ",Alpha,Beta,Gamma\nAlpha,3,5,1\nBeta,5,,2\nGamma,1,2,\n", "diagonal"),
        (ACTORS, ",Alpha,Beta,Gamma\nAlpha,,5,1\nAlpha,,5,1\nGamma,1,2,\n", "second row"),
        ("id,actor,strength\n1,Al\x00pha,3\n", PROP, "not a text file"),
    ],
)
def test_af_refuses_what_it_used_to_accept(
    tmp_path: Path, actors: str, prop: str, needle: str
) -> None:
    a, p = _af(tmp_path, actors, prop)
    with pytest.raises(ScenarioError) as info:
        read_axelrod_furnas(a, p)
    assert needle in str(info.value)


def test_af_file_name_starting_with_a_digit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, p = _af(tmp_path, stem="2016")
    out = tmp_path / "out.yaml"
    code, stdout, err = _run(["import", "axelrod-furnas", str(a), str(p), "-o", str(out)], capsys)
    assert code == 0, err
    assert "Wrote" in stdout and out.exists()


# -- the classic BDM actor table ---------------------------------------------------------------


def test_bdm_table_read_and_run(validation_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = validation_dir / "bdm-ec-emissions" / "actors.csv"
    assert is_bdm_table(path)
    t = read_bdm_table(path)
    assert len(t.actor_names) == 10 and t.saliences.max() == 1.0  # percent read as shares
    code, out, err = _run(["bargain", str(path), "--model", "bdm", "--json"], capsys)
    assert code == 0, err
    import json

    data = json.loads(out)
    # Bueno de Mesquita (1994) / Scholz et al. (2011): initial weighted mean 5.003 / 0.677
    assert data["forecast"]["weighted_mean"][0] == pytest.approx(5.003 / 0.677, abs=1e-9)


def test_bdm_table_with_smp_says_which_model(
    validation_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = validation_dir / "bdm-ec-emissions" / "actors.csv"
    code, _, err = _run(["bargain", str(path)], capsys)
    assert code == 2 and "--model bdm" in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("Actor,Capability,Position,Salience\nA,1,2,50\nA,1,3,50\n", "duplicate actor name"),
        ("Actor,Capability,Position,Salience\nA,1,2,50\nB,-1,3,50\n", "invalid capability"),
        ("Actor,Capability,Position,Salience\nA,1,2,50\nB,1,3,500\n", "salience above 100"),
        ("Actor,Capability,Position,Salience\nA,1,nan,50\nB,1,3,50\n", "invalid position"),
        ("Actor,Capability,Position,Salience\nA,1,2,50\n", "too few actors"),
        ("Actor,Capability,Position,Salience\nA,1,2,50\nB,1,2,50\n", "same position"),
        ("Actor,Capability,Position,Salience\n", "too few actors"),
    ],
)
def test_bdm_table_errors(tmp_path: Path, content: str, needle: str) -> None:
    p = tmp_path / "t.csv"
    p.write_text(content)
    with pytest.raises(ScenarioError) as info:
        read_bdm_table(p)
    assert needle in str(info.value)
