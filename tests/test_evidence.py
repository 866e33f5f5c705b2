"""The evidence layer: episode files, the coding protocol, calibration, scores and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import episode_dicts

from realpolitik.errors import ScenarioError
from realpolitik.evidence import constants as K
from realpolitik.evidence.baselines import fit_logistic, predict_logistic
from realpolitik.evidence.calibration import (
    FitSettings,
    fit_constants,
    load_calibration,
    log_likelihood,
)
from realpolitik.evidence.load import episode_from_dict, library_hash, load_episode, load_library
from realpolitik.evidence.predict import OPTIONS, prepare, probabilities
from realpolitik.evidence.protocol import code_episode
from realpolitik.evidence.scoring import (
    accuracy,
    accuracy_multi,
    brier,
    brier_multi,
    log_score,
    log_score_multi,
)
from realpolitik.scenario import from_dict

GOOD = """\
realpolitik_episode: 1
id: testland-1960
title: A made-up courtship for the tests
decision_year: 1960
region: europe
pivot: TST
incumbent: INC
courter: CRT
facts:
  trade_share_incumbent: {range: [0.4, 0.6], year: 1959, source: s1, approx: true}
  trade_share_courter: {value: 0.1, year: 1959, source: s1, approx: true}
  incumbent_threat: {level: high, forces_on_soil_or_border: true, source: s1, approx: false}
  leader_change: {who: A. Newman, year: 1958, source: s1, approx: false}
  courter_offers:
    - {what: arms on credit, year: 1960, value: 100, unit: USD million, form: aid, source: s1, approx: true}
    - {what: a treaty signed later, year: 1963, form: treaty, source: s1, approx: true}
  incumbent_counters:
    - {what: trade embargo, year: 1960, form: coercion, source: s1, approx: true}
  sunk_investments:
    - {what: a pipeline, source: s1, approx: true}
  factions:
    - {name: army, size: 0.6, position: 0.8, source: s1, approx: true}
    - {name: party, size: 0.4, position: 0.2, source: s1, approx: true}
  regime_change_demanded: {value: false, source: s1, approx: true}
outcome:
  label: aligned
  aligned_with_courter: yes
  by_year: 1961
sources:
  s1: {cite: "A made-up source"}
"""


def test_a_good_episode_loads_and_reads_yes_as_the_word() -> None:
    ep = load_episode("t.yaml", text=GOOD)
    assert ep.id == "testland-1960"
    assert ep.spec.outcome is not None and ep.spec.outcome.aligned_with_courter == "yes"
    assert ep.spec.facts.trade_share_incumbent is not None
    assert ep.spec.facts.trade_share_incumbent.bounds == (0.4, 0.6)


@pytest.mark.parametrize(
    ("old", "new", "line", "path"),
    [
        ("level: high", "level: severe", 12, "facts.incumbent_threat.level"),
        (
            "source: s1, approx: false}\n  leader",
            "source: s9, approx: false}\n  leader",
            12,
            "facts.incumbent_threat.source",
        ),
        ("decision_year: 1960", "decision_year: sixty", 4, "decision_year"),
        ("  label: aligned", "  label: aligned\n  colour: red", 27, "outcome.colour"),
        ("form: aid", "form: bribe", 15, "facts.courter_offers[0].form"),
    ],
)
def test_schema_errors_name_file_line_and_path(old: str, new: str, line: int, path: str) -> None:
    assert old in GOOD
    with pytest.raises(ScenarioError) as info:
        load_episode("bad.yaml", text=GOOD.replace(old, new, 1))
    problems = info.value.problems
    assert any(p.file == "bad.yaml" and p.line == line and p.path == path for p in problems), [
        str(p) for p in problems
    ]


def test_an_outcome_that_contradicts_its_flag_is_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        load_episode(
            "bad.yaml", text=GOOD.replace("aligned_with_courter: yes", "aligned_with_courter: no")
        )
    assert info.value.problems[0].path == "outcome.aligned_with_courter"
    assert info.value.problems[0].line == 27


def test_coding_is_deterministic_and_gives_a_valid_scenario() -> None:
    ep = load_episode("t.yaml", text=GOOD)
    a, b = code_episode(ep), code_episode(load_episode("t.yaml", text=GOOD))
    assert a.data == b.data and a.terms == b.terms
    scenario = from_dict(a.data)
    assert scenario.spec.realignment is not None
    # the hand-derived numbers of the rule: high threat = 3 units for a full move, half for a hedge
    assert scenario.value("realignment.components.security.courter") == 3 * K.THREAT_UNIT
    assert scenario.value("realignment.components.security.hedge") == 1.5 * K.THREAT_UNIT
    # coercion by the incumbent: retaliation 0.5 + 0.5
    assert scenario.value("realignment.trade.retaliation.courter") == 1.0
    # the range is drawn; its middle is the point value, in hundredths of the pivot's trade
    assert scenario.value("realignment.trade.with_incumbent") == pytest.approx(0.5 * K.TRADE_SCALE)
    # gains_share stays a share (the scenario format bounds it to [0, 1])
    gains = scenario.value("realignment.trade.gains_share")
    assert 0 <= gains <= 1
    assert scenario.quantity("realignment.trade.with_incumbent").dist is not None


def test_facts_after_the_decision_year_are_refused() -> None:
    ep = load_episode("t.yaml", text=GOOD)
    coded = code_episode(ep)
    assert [(r.path, r.year) for r in coded.refused] == [("facts.courter_offers[1]", 1963)]
    levers = [lv["description"] for lv in coded.data["levers"]]
    assert len(levers) == 1 and "treaty" not in levers[0]
    assert "a treaty signed later" in coded.data["description"]
    # the refused fact changes nothing: the same episode without it codes the same numbers
    without = GOOD.replace(
        "    - {what: a treaty signed later, year: 1963, form: treaty, source: s1, approx: true}\n",
        "",
    )
    assert code_episode(load_episode("u.yaml", text=without)).terms == coded.terms


def test_scores_against_hand_computed_values() -> None:
    p, y = np.array([0.8, 0.3, 0.6]), np.array([1, 0, 0])
    assert brier(p, y) == pytest.approx((0.04 + 0.09 + 0.36) / 3)
    assert log_score(p, y) == pytest.approx((np.log(0.8) + np.log(0.7) + np.log(0.4)) / 3)
    assert accuracy(p, y) == pytest.approx(2 / 3)
    P = np.array([[0.2, 0.3, 0.5, 0.0], [0.6, 0.2, 0.2, 0.0]])
    labels = np.array([2, 1])
    assert brier_multi(P, labels) == pytest.approx(
        ((0.04 + 0.09 + 0.25) + (0.36 + 0.64 + 0.04)) / 2
    )
    assert log_score_multi(P, labels) == pytest.approx((np.log(0.5) + np.log(0.2)) / 2)
    assert accuracy_multi(P, labels) == pytest.approx(0.5)


def test_logistic_fit_matches_the_closed_form_for_one_binary_feature() -> None:
    # with one 0/1 feature and no penalty the fitted probabilities are the group frequencies
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1], float)[:, None]
    y = np.array([0, 0, 0, 1, 1, 1, 0, 1, 1], float)
    fit = fit_logistic(x, y, ridge=0.0)
    p = predict_logistic(fit, np.array([[0.0], [1.0]]))
    assert p == pytest.approx([0.25, 0.8], abs=1e-5)


def _synthetic(i: int, threat: str, offers: int, counters: int, leader: bool) -> dict:
    data = {
        "realpolitik_episode": 1,
        "id": f"synthetic-{1950 + i}",
        "title": "synthetic",
        "decision_year": 1950 + i,
        "region": "europe",
        "pivot": "PVT",
        "incumbent": "INC",
        "courter": "CRT",
        "facts": {
            "trade_share_incumbent": {
                "value": 0.3,
                "year": 1950 + i,
                "source": "s",
                "approx": True,
            },
            "incumbent_threat": {"level": threat, "source": "s", "approx": True},
            "courter_offers": [
                {
                    "what": f"offer {k}",
                    "year": 1950 + i,
                    "form": "aid",
                    "source": "s",
                    "approx": True,
                }
                for k in range(offers)
            ],
            "incumbent_counters": [
                {
                    "what": f"counter {k}",
                    "year": 1950 + i,
                    "form": "aid",
                    "source": "s",
                    "approx": True,
                }
                for k in range(counters)
            ],
        },
        "sources": {"s": {"cite": "synthetic"}},
    }
    if leader:
        data["facts"]["leader_change"] = {
            "who": "x",
            "year": 1950 + i,
            "source": "s",
            "approx": True,
        }
    return data


@pytest.mark.slow
def test_calibration_recovers_planted_constants() -> None:
    """Outcomes generated by the model at planted constants: the fit finds constants that
    reproduce them, close to the planted ones."""
    levels = ("none", "low", "medium", "high")
    designs = [
        (levels[i % 4], (i // 4) % 3, (i // 12) % 3 + i % 2, bool(i % 3 == 0)) for i in range(36)
    ]
    eps = [episode_from_dict(_synthetic(i, *d)) for i, d in enumerate(designs)]
    prepared = prepare(eps, draws=16, seed=1)
    planted = np.array([c.default for c in K.FREE_CONSTANTS])
    planted[K.FREE_NAMES.index("offer_value")] = 1.2
    planted[K.FREE_NAMES.index("leader_change_value")] = 2.5
    planted[K.FREE_NAMES.index("noise_scale")] = 0.3
    p_true = probabilities(prepared, planted[None, :])[:, 0, OPTIONS.index("courter")]
    y = (p_true > 0.5).astype(int)
    assert 5 < y.sum() < 31  # both outcomes occur
    free = [K.FREE_NAMES.index("offer_value"), K.FREE_NAMES.index("leader_change_value")]
    fixed = {i: float(planted[i]) for i in range(len(planted)) if i not in free}
    fitted, ll = fit_constants(
        prepared, y, FitSettings(draws=16, seed=0, popsize=8, maxiter=30), fixed=fixed
    )
    p_fit = probabilities(prepared, fitted[None, :])[:, 0, OPTIONS.index("courter")]
    assert np.all((p_fit > 0.5) == (y == 1))
    assert ll >= log_likelihood(p_true[:, None], y)[0] - 1e-9
    assert fitted[free[0]] == pytest.approx(1.2, rel=0.25)
    assert fitted[free[1]] == pytest.approx(2.5, rel=0.5)  # fewer episodes turn on it


def test_shipped_calibration_names_the_shipped_library() -> None:
    cal = load_calibration()
    assert cal is not None, "calibration.json must ship with the package"
    scored = [e for e in load_library() if e.has_outcome]
    assert cal.library_hash == library_hash(scored)
    assert set(cal.constants) == set(K.FREE_NAMES)
    for c in cal.constants.values():
        assert c["low"] <= c["value"] <= c["high"]
    assert len(cal.robustness) == 4 * len(K.FREE_NAMES)


def test_the_library_loads_and_every_episode_codes_with_the_fitted_uncertainty() -> None:
    cal = load_calibration()
    assert cal is not None
    for ep in load_library():
        from_dict(code_episode(ep, cal.theta(), cal.spread_by_name()).data, file=ep.file)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from realpolitik.cli import main

    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_backtest_of_a_malformed_user_file_exits_2_with_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("level: high", "level: severe"))
    code, _, err = run_cli(["backtest", str(bad), "--json"], capsys)
    assert code == 2
    assert f"{bad}:12" in err and "facts.incumbent_threat.level" in err and "Traceback" not in err


def test_backtest_json_on_a_user_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    forecast = tmp_path / "forecast.yaml"
    forecast.write_text(
        GOOD.split("outcome:")[0].replace("testland-1960", "testland-1961")
        + 'sources:\n  s1: {cite: "A made-up source"}\n'
    )
    page = tmp_path / "backtest.html"
    code, out, _ = run_cli(
        ["backtest", str(good), str(forecast), "--json", "--html", str(page)], capsys
    )
    assert code == 0
    html = page.read_text()
    assert 'id="reliability"' in html and "testland-1961" in html and "(forecast)" in html
    data = json.loads(out)
    for key in ("brier", "brier_base_rate", "accuracy", "n", "cross_validated"):
        assert key in data
    assert data["n"] == 1 and data["cross_validated"] is False and data["n_forecasts"] == 1
    probs = data["episodes"][1]["probabilities"]
    assert sum(probs.values()) == pytest.approx(1.0)


def test_scenario_from_episode_writes_a_valid_scenario(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "ep.yaml"
    src.write_text(GOOD)
    out = tmp_path / "out.yaml"
    code, text, _ = run_cli(
        ["scenario", "from-episode", str(src), "--id", "testland-1960", "-o", str(out)], capsys
    )
    assert code == 0 and "refused" in text
    from realpolitik.scenario import load

    assert load(out).spec.realignment is not None
    code, _, err = run_cli(
        ["scenario", "from-episode", str(src), "--id", "other-1", "-o", str(out)], capsys
    )
    assert code == 2 and "--id" not in err or "other-1" in err


def test_the_library_backtest_reports_the_shipped_cross_validated_record() -> None:
    from realpolitik.evidence.backtest import backtest
    from realpolitik.evidence.calibration import binary_scored
    from realpolitik.evidence.scoring import brier as brier_score

    cal = load_calibration()
    assert cal is not None
    library = load_library()
    result = backtest(library, cal, draws=8)
    s = result.scores
    assert s["cross_validated"] is True and s["n"] == len(cal.episodes)
    scored = [e for e in library if binary_scored(e)]
    y = np.array([e.spec.outcome.aligned_with_courter == "yes" for e in scored], float)
    p = np.array([cal.cross_validation["model"][e.id][OPTIONS.index("courter")] for e in scored])
    assert s["brier"] == pytest.approx(brier_score(p, y))
    assert s["brier_base_rate"] == pytest.approx(
        brier_score(np.array([cal.cross_validation["base_rate"][e.id] for e in scored]), y)
    )
    record = cal.cross_validation["record"]
    assert record["brier"] == pytest.approx(s["brier"]) and record["n"] == s["n"]
    assert record["accuracy"] == pytest.approx(s["accuracy"])
    from realpolitik.report.backtest import record_line

    line = record_line()
    assert line is not None and f"on {s['n']} episodes" in line
    forecasts = [e for e in result.episodes if e.outcome is None]
    assert [e.id for e in forecasts] == ["russia-2025"]


def test_robustness_counts_changes_per_constant_and_move() -> None:
    from realpolitik.evidence.calibration import default_calibration
    from realpolitik.evidence.robustness import MOVES, robustness

    eps = [
        episode_from_dict(
            {
                **_synthetic(i, "high", 2, 0, True),
                "outcome": {"label": "aligned", "aligned_with_courter": "yes"},
            }
        )
        for i in range(3)
    ]
    rows = robustness(eps, default_calibration(), draws=4)
    assert len(rows) == len(K.FREE_NAMES) * len(MOVES)
    # the default pseudo-fit has no interval: its ends are the point, so nothing changes there
    for row in rows:
        assert 0 <= row["aligned_changes"] <= 3
        if row["move"].startswith("interval"):
            assert row["aligned_changes"] == 0 and row["option_changes"] == 0


@settings(max_examples=40, deadline=None)
@given(episode_dicts())
def test_property_coding_is_valid_deterministic_and_blind_to_later_facts(data: dict) -> None:
    import copy

    ep = episode_from_dict(data)
    coded = code_episode(ep)
    assert code_episode(episode_from_dict(copy.deepcopy(data))).data == coded.data
    from_dict(coded.data)  # every coded scenario is valid
    year = data["decision_year"]
    # refusals are exactly the dated facts after the decision year
    dated = [m for key in ("courter_offers", "incumbent_counters") for m in data["facts"][key]] + (
        [data["facts"]["leader_change"]] if "leader_change" in data["facts"] else []
    )
    assert len(coded.refused) == sum(m["year"] > year for m in dated)
    # changing what a later fact says changes no coded number
    later = copy.deepcopy(data)
    for key in ("courter_offers", "incumbent_counters"):
        for m in later["facts"][key]:
            if m["year"] > year:
                m["form"] = "treaty" if m["form"] != "treaty" else "aid"
    assert code_episode(episode_from_dict(later)).terms == coded.terms
