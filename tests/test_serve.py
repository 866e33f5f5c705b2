"""`realpolitik serve` as a user runs it: it starts, answers on loopback, warns about other hosts."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def _readme_serve_command() -> list[str]:
    lines = [
        line.split("#")[0].strip()
        for block in re.findall(r"```bash\n(.*?)```", README, flags=re.S)
        for line in block.splitlines()
        if line.startswith("realpolitik serve")
    ]
    assert len(lines) == 1, lines
    return shlex.split(lines[0])[1:]


def _start(args: list[str]) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "realpolitik", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        found = re.search(r"dashboard on (http://\S+)", line)
        if found:
            return proc, found.group(1)
    proc.kill()
    raise AssertionError(
        "serve did not print its address: " + (proc.stderr.read() if proc.stderr else "")
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    proc.terminate()
    try:
        _, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    return err


def test_the_readme_serve_command_starts_the_dashboard_on_loopback() -> None:
    args = _readme_serve_command() + ["--no-open", "--port", "0", "--workers", "1"]
    proc, url = _start(args)
    try:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "api/scenarios", timeout=10) as response:
            keys = [s["key"] for s in json.load(response)["scenarios"]]
        assert keys[0] == "reverse-kissinger"
        with urllib.request.urlopen(url, timeout=10) as response:
            assert b"realpolitik dashboard" in response.read()
    finally:
        err = _stop(proc)
    assert "warning" not in err


def test_another_host_prints_a_warning() -> None:
    proc, url = _start(
        [
            "serve",
            "nixon-1972",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--no-open",
            "--workers",
            "1",
            "--no-examples",
        ]
    )
    err = _stop(proc)
    assert "warning: listening on 0.0.0.0" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["serve", "no-such-file.yaml"], "no-such-file.yaml"),
        (["serve", "--no-examples"], "--no-examples needs at least one SCENARIO"),
        (["serve", "--draws", "500", "--max-draws", "100"], "above --max-draws"),
    ],
)
def test_bad_serve_arguments_exit_2(args: list[str], message: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    result = subprocess.run(
        [sys.executable, "-m", "realpolitik", *args, "--no-open"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert message in result.stderr
