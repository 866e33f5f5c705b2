"""The signed-edge CSV importer."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.errors import ScenarioError
from realpolitik.scenario.importers.signed_edges import read_signed_edges


def write(tmp_path, text, name="edges.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_reads_symmetric_matrix(tmp_path):
    p = write(tmp_path, "source,target,sign\nA,B,1\nB,C,-1\n\nC,A,+1\nA,B,1\n")
    names, S = read_signed_edges(p)
    assert names == ["A", "B", "C"]
    np.testing.assert_array_equal(S, [[0, 1, 1], [1, 0, -1], [1, -1, 0]])


def test_fixed_actor_order_and_extra_columns(tmp_path):
    p = write(tmp_path, "note,sign,target,source\nx,-1,B,A\n")
    names, S = read_signed_edges(p, actors=["C", "B", "A"])
    assert names == ["C", "B", "A"]
    assert S[1, 2] == S[2, 1] == -1 and S[0].sum() == 0


def test_real_values(tmp_path):
    p = write(tmp_path, "source,target,sign\nA,B,0.25\nB,C,-2.5\n")
    _, S = read_signed_edges(p, real=True)
    assert S[0, 1] == 0.25 and S[2, 1] == -2.5
    with pytest.raises(ScenarioError, match="-1, 0 or 1"):
        read_signed_edges(p)


def test_every_bad_row_is_reported_with_its_place(tmp_path):
    p = write(tmp_path, "source,target,sign\nA,B,1\nA,,1\nB,C,maybe\nC,C,1\nB,A,-1\nD,E,2\n")
    with pytest.raises(ScenarioError) as err:
        read_signed_edges(p)
    probs = err.value.problems
    assert [(q.line, q.path) for q in probs] == [
        (3, "target"),
        (4, "sign"),
        (5, "target"),
        (6, "sign"),
        (7, "sign"),
    ]
    assert all(q.file == str(p) for q in probs)
    assert probs[1].expected == "-1, 0 or 1" and probs[1].got == "'maybe'"
    assert "line 2" in probs[3].message and probs[3].got == "-1"
    assert "edges.csv:4" in str(err.value)


def test_unknown_actor_and_bad_header(tmp_path):
    p = write(tmp_path, "source,target,sign\nA,Z,1\n")
    with pytest.raises(ScenarioError) as err:
        read_signed_edges(p, actors=["A", "B"])
    (q,) = err.value.problems
    assert (q.line, q.path, q.got) == (2, "target", "'Z'")
    h = write(tmp_path, "from,to,sign\nA,B,1\n", "h.csv")
    with pytest.raises(ScenarioError) as err:
        read_signed_edges(h)
    assert err.value.problems[0].line == 1 and "source" in err.value.problems[0].expected
    with pytest.raises(ScenarioError, match="empty file"):
        read_signed_edges(write(tmp_path, "\n\n", "e.csv"))
    with pytest.raises(ScenarioError, match="cannot read"):
        read_signed_edges(tmp_path / "missing.csv")


def test_reads_validation_panel(validation_dir):
    names, S = read_signed_edges(validation_dir / "balance-wwi" / "panel_1882.csv")
    assert set(names) == {"GB", "AH", "F", "G", "I", "R"}
    assert (S != 0).sum() == 2 * 11
