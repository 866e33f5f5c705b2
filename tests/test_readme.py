"""The README's commands are true: the two set-up commands are what CI and users run, and every
example command works as written."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from test_cli import run_cli as _run

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _setup_commands() -> list[str]:
    return [
        line
        for block in _blocks("bash")
        for line in block.splitlines()
        if line.startswith("python3 -m venv")
    ]


def test_exactly_two_setup_commands() -> None:
    install_and_run, install_and_test = _setup_commands()
    assert "realpolitik run reverse-kissinger" in install_and_run
    assert install_and_test.endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    script = REPO / ".ci" / "run"
    extracted = subprocess.run(
        [
            "awk",
            "/<!-- test-command -->/ {found=1; next} found && /^[a-z]/ {print; exit}",
            "README.md",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert extracted == _setup_commands()[1]
    assert "test-command" in script.read_text()


@pytest.mark.slow
def test_flagship_command_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The main job: the flagship with draws, producing summary.json and report.html."""
    command = _setup_commands()[0].split("&&")[-1].strip()
    args = shlex.split(command)[1:]  # drop the program name
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(args, capsys)
    assert code == 0, err
    out_dir = tmp_path / args[args.index("--out") + 1]
    summary = json.loads((out_dir / "summary.json").read_text())
    html = (out_dir / "report.html").read_text()
    assert summary["draws"] == 20000 and summary["seed"] == 1
    r = summary["realignment"]
    assert {
        "outcome",
        "price",
        "willingness_to_pay",
        "retention_bid",
        "margin",
        "decomposition",
        "realigns_by_year",
    } <= set(r)
    assert {"realigns", "hedges", "margin", "gap_ratio"} <= set(summary["outcomes"])
    # what the answer depends on: each declared outcome by a method for its kind, named by claims
    found = {f["outcome"]: f for f in summary["sensitivity"]["outcomes"]}
    for name, method in (("realigns", "delta"), ("hedges", "delta"), ("margin", "pawn")):
        assert found[name]["method"] == method and found[name]["status"] == "ranked"
        assert found[name]["ranking"][0]["index_conf"] > 0
    assert found["realigns"]["n_yes"] == 391
    assert found["hedges"]["ranking"][0]["claims"] == ["F6", "F7"]
    assert "discovery" in summary and "Borgonovo's delta" in html
    excerpt = _blocks("text")[0]
    for line in excerpt.splitlines():  # the README's excerpt is what the command prints
        shown = line.split("...")[0].rstrip()  # "..." elides the rest of a line (or lines)
        if shown:
            assert shown in out, line
    for claim in ("F9", "F4b", "A5"):
        assert claim in html
    assert "Provenance of every number" in html


@pytest.mark.slow
def test_example_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    commands = [
        line.split("#")[0].strip()
        for block in _blocks("bash")
        for line in block.splitlines()
        if line.startswith("realpolitik ")
        and not line.startswith("realpolitik serve")  # a server: tests/test_serve.py runs it
    ]
    assert len(commands) >= 6
    for command in commands:
        code, _, err = _run(shlex.split(command)[1:], capsys)
        assert code == 0, f"{command}: {err}"
