"""Static figures through Kaleido and Debian's Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_figures_command_writes_png_and_svg(chromium_path, tmp_path):
    pytest.importorskip(
        "kaleido", reason="static figures need Kaleido (pip install 'realpolitik[figures]')"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), BROWSER_PATH=chromium_path)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "realpolitik",
            "figures",
            "nixon-1972",
            "--formats",
            "png,svg",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for name in ("price", "decomposition", "by-year"):
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        svg = (tmp_path / f"{name}.svg").read_text(encoding="utf-8")
        assert "<svg" in svg


def test_unknown_format_is_bad_input(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "realpolitik",
            "figures",
            "nixon-1972",
            "--formats",
            "gif",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "unknown figure format(s) gif" in result.stderr


@pytest.mark.slow
def test_run_with_figures_writes_them_beside_the_report(chromium_path, tmp_path):
    pytest.importorskip(
        "kaleido", reason="static figures need Kaleido (pip install 'realpolitik[figures]')"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), BROWSER_PATH=chromium_path)
    out = tmp_path / "run"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "realpolitik",
            "run",
            "nixon-1972",
            "--figures",
            "png,svg",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    assert (out / "summary.json").is_file() and (out / "report.html").is_file()
    assert f"Wrote 8 figure files to {out / 'figures'}" in result.stdout
    for name in ("price", "causes", "decomposition", "by-year"):
        assert (out / "figures" / f"{name}.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
        assert "<svg" in (out / "figures" / f"{name}.svg").read_text(encoding="utf-8")


def test_run_refuses_an_unknown_figure_format_before_running(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "realpolitik", "run", "nixon-1972", "--figures", "gif,png"]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "unknown figure format(s) gif" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()  # nothing was run or written
