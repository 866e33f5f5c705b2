"""KTAB scenario import: CSV and XML formats, and the errors for malformed files."""

from __future__ import annotations

import numpy as np
import pytest

from realpolitik.errors import ScenarioError
from realpolitik.models.bargaining.smp import SMPOptions, StateTransition, VotingRule
from realpolitik.scenario.importers.ktab import load_ktab, read_ktab_csv, read_ktab_xml

XML = """<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>Tiny</name>
  <desc>three actors</desc>
  <prngSeed>15455440707583219804</prngSeed>
  <ModelParameters>
    <VictoryProbModel>Square</VictoryProbModel>
    <PCEModel>MarkovUniform</PCEModel>
    <StateTransitions>Stochastic</StateTransitions>
    <VotingRule>PropBin</VotingRule>
    <BigRAdjust>Half</BigRAdjust>
    <BigRRange>Max</BigRRange>
    <ThirdPartyCommit>FullCommit</ThirdPartyCommit>
    <InterVecBrgn>S1P1</InterVecBrgn>
    <BargnModel>PWCompInterp</BargnModel>
  </ModelParameters>
  <Dimensions><dName>Tax</dName><dName>Trade</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><description>a</description><capability>10</capability>
      <Position><dCoord>10</dCoord><dCoord>20</dCoord></Position>
      <Salience><dSal>30</dSal><dSal>40</dSal></Salience></Actor>
    <Actor><name>B</name><description>b</description><capability>CAP_B</capability>
      <Position><dCoord>POS_B</dCoord><dCoord>70</dCoord></Position>
      <Salience><dSal>50</dSal><dSal>20</dSal></Salience></Actor>
    <Actor><name>C</name><description>c</description><capability>15</capability>
      <Position><dCoord>90</dCoord><dCoord>5</dCoord></Position>
      <Salience><dSal>10</dSal><dSal>SAL_C</dSal></Salience></Actor>
  </Actors>
  <IdealAdjustment><iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>B</referencePos>
    <adjust>0.25</adjust></iaPair></IdealAdjustment>
</Scenario>
"""


def _xml(tmp_path, **subs):
    text = XML
    for k, v in {"CAP_B": "20", "POS_B": "60", "SAL_C": "80", **subs}.items():
        text = text.replace(k, v)
    p = tmp_path / "s.xml"
    p.write_text(text)
    return p


def test_reads_all_shipped_csvs(validation_dir):
    folder = validation_dir / "ktab-smp"
    s = read_ktab_csv(folder / "SOE-Pol-Comp.csv")
    assert s.name == "China Policy/Competitive; scen 2"
    assert s.description == "Scenario-0002;Combined Policy and Competitive"
    assert s.n_actors == 13 and s.n_dimensions == 2
    assert s.dimension_names == ("Policy Position", "Competitive Position")
    assert s.actor_names[:3] == ("XJ", "LK", "ZG")
    assert s.actor_descriptions[4] == "Liu He - Deputy Director of DRC"
    np.testing.assert_allclose(s.capabilities[:2], [100.0, 60.2])
    np.testing.assert_allclose(s.positions[1], [45, 65])
    np.testing.assert_allclose(s.saliences[1], [44.7, 41.3])
    assert SMPOptions.from_ktab(s.parameters or {}) == SMPOptions()
    assert load_ktab(folder / "SOE-Policy.csv").positions.shape == (26, 1)
    assert load_ktab(folder / "SOE-Competitive.csv").positions.shape == (34, 1)


def test_reads_xml_with_parameters_seed_and_accommodation(tmp_path):
    s = read_ktab_xml(_xml(tmp_path))
    assert s.name == "Tiny" and s.seed == 15455440707583219804
    assert s.dimension_names == ("Tax", "Trade")
    np.testing.assert_allclose(s.positions, [[10, 20], [60, 70], [90, 5]])
    opt = SMPOptions.from_ktab(s.parameters or {})
    assert opt.voting_rule is VotingRule.PROP_BIN
    assert opt.state_transition is StateTransition.STOCHASTIC
    assert s.accommodation[0, 1] == 0.25 and s.accommodation[1, 1] == 1.0


def test_xml_errors_are_collected_with_lines(tmp_path):
    p = _xml(tmp_path, CAP_B="abc", POS_B="160", SAL_C="95")
    with pytest.raises(ScenarioError) as err:
        read_ktab_xml(p)
    probs = err.value.problems
    assert len(probs) == 3
    paths = {pr.path for pr in probs}
    assert "Scenario.Actors.Actor[1].capability" in paths
    assert "Scenario.Actors.Actor[1].position[0]" in paths
    assert all(pr.file == str(p) and pr.line is not None for pr in probs)
    got = {pr.path: pr.got for pr in probs}
    assert got["Scenario.Actors.Actor[1].position[0]"] == "160"


def test_xml_rejects_doctype_and_entities(tmp_path):
    p = tmp_path / "evil.xml"
    p.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<Scenario><name>&x;</name></Scenario>"
    )
    with pytest.raises(ScenarioError) as err:
        read_ktab_xml(p)
    assert err.value.problems[0].line == 2
    assert "DOCTYPE" in str(err.value)


def test_xml_malformed_and_bad_parameter(tmp_path):
    p = tmp_path / "broken.xml"
    p.write_text("<Scenario>\n<name>x</name>\n<oops></Scenario>")
    with pytest.raises(ScenarioError) as err:
        read_ktab_xml(p)
    assert err.value.problems[0].line == 3
    q = tmp_path / "param.xml"
    q.write_text(
        XML.replace("CAP_B", "20")
        .replace("POS_B", "60")
        .replace("SAL_C", "80")
        .replace("<VotingRule>PropBin", "<VotingRule>Majority")
    )
    with pytest.raises(ScenarioError) as err:
        read_ktab_xml(q)
    assert err.value.problems[0].got == "'Majority'"


def test_csv_errors_name_line_field_expected_got(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(
        "S,desc, 3, 1,\n"
        "Actor,Description,Influence,Pos,Sal,\n"
        "A,a,10,20,30,\n"
        "B,b,x,120,40,\n"
        "C,c,5,50,101,\n"
    )
    with pytest.raises(ScenarioError) as err:
        read_ktab_csv(p)
    probs = err.value.problems
    by_path = {(pr.line, pr.path): pr for pr in probs}
    assert by_path[(4, "actors[B].capability")].got == "'x'"
    assert by_path[(4, "actors[B].position[0]")].expected == "0–100"
    assert any(pr.line == 5 and "salience" in pr.path for pr in probs)
    assert "bad.csv:4" in str(err.value)


def test_csv_wrong_actor_count_and_header(tmp_path):
    p = tmp_path / "short.csv"
    p.write_text("S,desc, 4, 1,\nActor,Description,Influence,Pos,Sal,\nA,a,10,20,30,\n")
    with pytest.raises(ScenarioError) as err:
        read_ktab_csv(p)
    assert err.value.problems[0].expected == "4"
    q = tmp_path / "head.csv"
    q.write_text("S,desc\n")
    with pytest.raises(ScenarioError):
        read_ktab_csv(q)
    with pytest.raises(ScenarioError):
        load_ktab(tmp_path / "x.json")
