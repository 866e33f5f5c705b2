"""Fuzzing the importers: KTAB CSV and XML, Axelrod-Furnas, the BDM table, signed edges."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from realpolitik.errors import ScenarioError

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

CELLS = st.one_of(
    st.sampled_from(
        ["", "0", "50", "100", "-1", "1e9", "nan", "inf", "-inf", "1e308", "x", '"', "A", "a,b"]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=6),
)
ENDINGS = st.sampled_from(["\n", "\r\n", "\r"])

KTAB_CSV = (
    "n,d,3,2\nActor,Desc,Infl,P1,S1,P2,S2\nA,a,10,50,50,20,20\nB,b,10,1,1,1,1\nC,c,10,1,1,1,1\n"
)
KTAB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Scenario><name>T</name><desc>d</desc><prngSeed>7</prngSeed>
<Dimensions><dName>Tax</dName></Dimensions>
<Actors>
<Actor><name>A</name><description>a</description><capability>10</capability>
<Position><dCoord>10</dCoord></Position><Salience><dSal>30</dSal></Salience></Actor>
<Actor><name>B</name><description>b</description><capability>20</capability>
<Position><dCoord>60</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
<Actor><name>C</name><description>c</description><capability>15</capability>
<Position><dCoord>90</dCoord></Position><Salience><dSal>10</dSal></Salience></Actor>
</Actors></Scenario>
"""
XML_SNIPPETS = [
    "<!DOCTYPE x [<!ENTITY e 'lol'>]>",
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "&e;",
    "<![CDATA[x]]>",
    "<Actor>",
    "</Actors>",
    "<dCoord>1e400</dCoord>",
    "<dSal>-5</dSal>",
    "<prngSeed>-1</prngSeed>",
    "<?xml version='1.0' encoding='UTF-16'?>",
    "\x00",
    "<IdealAdjustment><iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>Z</referencePos>"
    "<adjust>2</adjust></iaPair></IdealAdjustment>",
]


@st.composite
def byte_mutations(draw, base: bytes, snippets: list[str]) -> bytes:
    """``base`` with a few bytes flipped, cut, repeated or replaced by hostile snippets."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "truncate", "dup", "encode"]))
        i = draw(st.integers(0, max(0, len(data) - 1))) if data else 0
        if action == "flip" and data:
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif action == "cut" and data:
            del data[i : i + draw(st.integers(1, 40))]
        elif action == "insert":
            snippet = draw(st.one_of(st.sampled_from(snippets), st.text(max_size=12)))
            data[i:i] = snippet.encode("utf-8", "surrogatepass")
        elif action == "truncate":
            del data[i:]
        elif action == "dup" and data:
            data[i:i] = data[i : i + draw(st.integers(1, 60))] * draw(st.integers(1, 5))
        elif action == "encode":
            codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1"]))
            data = bytearray(bytes(data).decode("utf-8", "replace").encode(codec, "replace"))
    return bytes(data)


@st.composite
def ktab_csv_texts(draw) -> bytes:
    """Structured KTAB CSVs: declared counts that may disagree with the lines that follow."""
    n_act = draw(st.one_of(st.integers(-2, 6).map(str), CELLS))
    n_dim = draw(st.one_of(st.integers(-1, 4).map(str), st.just("1000000000"), CELLS))
    width = draw(st.integers(0, 12))
    rows = [["n", "d", n_act, n_dim], ["Actor", "Desc", "Infl"] + [f"H{k}" for k in range(width)]]
    for _ in range(draw(st.integers(0, 6))):
        rows.append(draw(st.lists(CELLS, min_size=0, max_size=12)))
    end = draw(ENDINGS)
    return end.join(",".join(r) for r in rows).encode("utf-8", "surrogatepass")


def _expect_clean(reader, path: Path) -> None:
    try:
        reader(path)
    except ScenarioError as exc:
        assert exc.problems and str(exc).strip()


@FUZZ
@given(
    data=st.one_of(ktab_csv_texts(), byte_mutations(KTAB_CSV.encode(), [",", "\r", '"', "\x00"]))
)
def test_ktab_csv(playground: Path, data: bytes) -> None:
    from realpolitik.scenario.importers.ktab import read_ktab_csv

    path = playground / "fuzz-ktab.csv"
    path.write_bytes(data)
    _expect_clean(read_ktab_csv, path)


@FUZZ
@given(data=byte_mutations(KTAB_XML.encode(), XML_SNIPPETS))
def test_ktab_xml(playground: Path, data: bytes) -> None:
    from realpolitik.scenario.importers.ktab import read_ktab_xml

    path = playground / "fuzz-ktab.xml"
    path.write_bytes(data)
    _expect_clean(read_ktab_xml, path)


AF_ACTORS = "id,actor,strength\n1,Alpha,3\n2,Beta,2\n3,Gamma,1\n"
AF_PROP = ",Alpha,Beta,Gamma\nAlpha,,5,1\nBeta,5,,2\nGamma,1,2,\n"


@FUZZ
@given(
    actors=byte_mutations(AF_ACTORS.encode(), [",", "Alpha", "\x00", "nan", "\r"]),
    prop=byte_mutations(AF_PROP.encode(), [",", "Alpha", ",,", "9", "\r"]),
    offset=st.floats(allow_nan=True, allow_infinity=True),
)
def test_axelrod_furnas(playground: Path, actors: bytes, prop: bytes, offset: float) -> None:
    from realpolitik.scenario import from_dict
    from realpolitik.scenario.importers.axelrod_furnas import axelrod_furnas_to_scenario

    root = playground
    (root / "af-a.csv").write_bytes(actors)
    (root / "af-p.csv").write_bytes(prop)
    try:
        from_dict(axelrod_furnas_to_scenario(root / "af-a.csv", root / "af-p.csv", offset=offset))
    except ScenarioError as exc:
        assert exc.problems


BDM = "Actor,Capability,Position,Salience\nA,1,2,50\nB,2,8,60\nC,1,5,90\n"
EDGES = "source,target,sign\nA,B,1\nB,C,-1\nA,C,-1\n"


@FUZZ
@given(
    bdm=byte_mutations(BDM.encode(), [",", "nan", "-1", "1e400", "A", "\x00", "\r"]),
    edges=byte_mutations(EDGES.encode(), [",", "2", "A", "\x00", "\r", "sign"]),
)
def test_bdm_table_and_signed_edges(playground: Path, bdm: bytes, edges: bytes) -> None:
    from realpolitik.scenario.importers.bdm_table import is_bdm_table, read_bdm_table
    from realpolitik.scenario.importers.signed_edges import read_signed_edges

    root = playground
    (root / "t.csv").write_bytes(bdm)
    (root / "e.csv").write_bytes(edges)
    is_bdm_table(root / "t.csv")
    _expect_clean(read_bdm_table, root / "t.csv")
    _expect_clean(read_signed_edges, root / "e.csv")
