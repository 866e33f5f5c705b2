"""Loaders: hand-written fixtures in the official layouts, and the shared IR data when present."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from realpolitik.data import atop, citations, cow, directory, regime, rivalries, unga
from realpolitik.errors import ScenarioError

FIX = Path(__file__).parent / "fixtures" / "ir_small"


def test_directory_resolution_order(tmp_path, monkeypatch):
    monkeypatch.setenv("REALPOLITIK_DATA_DIR", str(FIX))
    assert directory.data_dir() == FIX
    assert directory.data_dir(tmp_path) == tmp_path  # explicit wins
    monkeypatch.delenv("REALPOLITIK_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    (tmp_path / "realpolitik").mkdir()
    assert directory.data_dir() == tmp_path / "realpolitik"


def test_missing_file_says_which_and_how(tmp_path):
    with pytest.raises(directory.DataNotFoundError) as err:
        cow.load_nmc(tmp_path)
    msg = str(err.value)
    assert "NMC-60-abridged.csv" in msg and "cow-nmc" in msg
    assert "correlatesofwar.org" in msg and "realpolitik data fetch" in msg


def test_missing_directory(tmp_path):
    with pytest.raises(directory.DataNotFoundError, match="does not exist"):
        directory.data_dir(tmp_path / "nope")


def test_registry_is_complete():
    for key, d in citations.DATASETS.items():
        assert d.key == key and d.citation and d.licence and d.url and d.files
        # no invented checksums: a checksum only with a download URL
        assert d.sha256 is None or d.download_url is not None
    text = citations.cite("unga-idealpoints", "atop")
    assert "Bailey" in text and "CC0" in text and "Leeds" in text


def test_fixture_states_and_nmc():
    st = cow.load_states(FIX)
    assert list(st.columns) == ["ccode", "stateabb", "statenme", "styear", "endyear"]
    assert (st["ccode"] == 365).sum() == 2  # two spells
    nmc = cow.load_nmc(FIX)
    usa70 = nmc[(nmc.ccode == 2) & (nmc.year == 1970)].iloc[0]
    assert np.isnan(usa70["upop"])  # -9 is missing
    assert usa70["cinc"] == pytest.approx(0.18)
    years = cow.spells_to_years(st, last_year=2020)
    rus = set(years[years.ccode == 365]["year"])
    assert 1920 not in rus and 1917 in rus and 2020 in rus


def test_fixture_official_aliases():
    a = atop.load_atop(FIX)  # stateA/stateB, directed -> one non-directed row per dyad-year
    assert set(a.columns) >= {"ccode1", "ccode2", "year", "atop_defense"}
    assert (a["ccode1"] < a["ccode2"]).all()
    assert len(a[(a.ccode1 == 2) & (a.ccode2 == 200)]) == 4
    m = cow.load_mids(FIX)  # Maoz dyadic: disno, statea, stateb, hihost, strtyr
    row = m[m.dispnum == 9001].iloc[0]
    assert (row.ccode1, row.ccode2, row.year, row.hostlev, row.onset) == (2, 365, 1972, 4, 1)
    c = cow.load_contiguity(FIX)  # contdird: state1no/state2no, directed
    assert len(c) == 2 and set(c["conttype"]) == {1, 4}
    ip = unga.load_idealpoints(FIX)
    assert ip[(ip.ccode == 2) & (ip.year == 1972)]["idealpoint"].item() == 2.0
    assert unga.iso3_crosswalk(FIX)["GBR"] == 200


def test_fixture_trade_missing_code():
    t = cow.load_trade(FIX)
    row = t[(t.ccode1 == 2) & (t.ccode2 == 710)].iloc[0]
    assert np.isnan(row.flow1) and np.isnan(row.flow2)


def test_regime_scores_fixture():
    r = regime.regime_scores(FIX)
    v = r[(r.ccode == 2) & (r.year == 1972)].iloc[0]
    assert v["democracy"] == pytest.approx(0.8) and v["source"] == "democracy"


def test_bad_file_reports_line_and_column(tmp_path):
    (tmp_path / "states2016.csv").write_text(
        "stateabb,ccode,statenme,styear,endyear\nUSA,2,United States,1816,2016\n"
        "XXX,abc,Nowhere,1900,2016\n"
    )
    with pytest.raises(ScenarioError) as err:
        cow.load_states(tmp_path)
    p = err.value.problems[0]
    assert p.line == 3 and p.path == "ccode" and p.got == "'abc'"
    assert p.file.endswith("states2016.csv")


def test_bad_file_missing_column(tmp_path):
    (tmp_path / "tss_rivalries.csv").write_text("ccode1,ccode2,start\n2,365,1945\n")
    with pytest.raises(ScenarioError) as err:
        rivalries.load_rivalries(tmp_path)
    p = err.value.problems[0]
    assert p.path == "end" and p.line == 1 and "endyear" in p.expected


# ---- the shared IR data -------------------------------------------------------------------


@pytest.mark.shared
def test_shared_loaders(ir_data_dir):
    from realpolitik.data import archigos, gdp

    nmc = cow.load_nmc(ir_data_dir)
    assert nmc["year"].min() == 1816 and nmc["year"].max() == 2022
    usa = nmc[(nmc.ccode == 2) & (nmc.year == 1972)]["cinc"].item()
    assert 0.1 < usa < 0.25
    trade = cow.load_trade(ir_data_dir)
    assert (trade["ccode1"] < trade["ccode2"]).all() and len(trade) > 600_000
    a = atop.load_atop(ir_data_dir)
    assert a[(a.ccode1 == 365) & (a.ccode2 == 710) & (a.year == 1955)]["atop_defense"].item() == 1
    rv = rivalries.rivalry_years(ir_data_dir)
    assert ((rv.ccode1 == 2) & (rv.ccode2 == 365) & (rv.year == 1962)).any()
    ip = unga.load_idealpoints(ir_data_dir)
    assert ip["year"].max() == 2023
    mad = gdp.load_maddison(ir_data_dir)
    ussr = mad[(mad.ccode == 365) & (mad.year == 1972)]
    assert ussr["iso3"].item() == "SUN"  # the USSR aggregate, not Russia
    wb = gdp.load_wb_gdp(ir_data_dir)
    assert wb[(wb.ccode == 2) & (wb.year == 2020)]["gdp"].item() > 15_000
    pwt = gdp.load_pwt(ir_data_dir)
    assert pwt[(pwt.ccode == 710) & (pwt.year == 2019)]["gdp"].item() > 10_000
    vd = regime.load_vdem(ir_data_dir)
    assert set(vd[(vd.iso3 == "DEU")]["ccode"]) == {255, 260}
    lead = archigos.load_leaders(ir_data_dir)
    assert "Nixon" in set(lead[lead.ccode == 2]["leader"])
    sdp = gdp.load_sdp(ir_data_dir)
    assert sdp["gdp"].dropna().gt(0).all() and len(sdp.dropna()) > 20_000
    mids = cow.load_mids(ir_data_dir, "gml-mid")
    assert mids["hostlev"].between(1, 5).all()
    cont = cow.load_contiguity(ir_data_dir)
    assert (
        cont[(cont.ccode1 == 365) & (cont.ccode2 == 710) & (cont.year == 1969)]["conttype"].item()
        == 1
    )
