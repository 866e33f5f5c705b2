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
