"""Fault tests: kill a run (the parent only, or its whole process group) at each stage, then
`--resume`: the same results, no orphan process, nothing recomputed that was stored (issue 16)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")
DRAWS, BATCH = 3000, 100
N_BATCHES = DRAWS // BATCH
ARGS = [
    "run",
    "nixon-1972",
    "--draws",
    str(DRAWS),
    "--batch-size",
    str(BATCH),
    "--workers",
    "2",
    "--seed",
    "3",
    "--no-report",
    "--json",
]

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not Path("/proc").is_dir(), reason="/proc")]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _cli(out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "realpolitik", *ARGS, "--out", str(out), *extra],
        env=_env(),
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _group(pgid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(d.name))
    return out


def _batches(out: Path) -> dict[str, tuple[int, int]]:
    """Batch file name -> (inode, mtime in ns): a file rewritten gets a new inode (atomic rename)."""
    return {
        p.name: (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(out.glob("store/runs/*/batch-*.parquet"))
    }


def _comparable(summary: dict) -> dict:
    return {k: v for k, v in summary.items() if k not in ("run_id", "store")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("ref") / "out"
    proc = _cli(out)
    stdout, stderr = proc.communicate(timeout=900)
    assert proc.returncode == 0, stderr.decode()
    return _comparable(json.loads((out / "summary.json").read_text()))


def _kill_when(proc: subprocess.Popen, out: Path, n_batches: int, whole_group: bool) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and proc.poll() is None:
        if len(_batches(out)) >= n_batches:
            break
        time.sleep(0.02)
    assert proc.poll() is None, proc.communicate()[1].decode()
    if whole_group:
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    deadline = time.monotonic() + 30
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _group(proc.pid) == [], "processes outlived the killed run"


@pytest.mark.parametrize(
    ("stage", "whole_group"),
    [
        ("draws", False),  # parent only, while batches are being written
        ("draws", True),
        ("after-draws", False),  # every batch written: during the sensitivity designs
        ("after-draws", True),
    ],
)
def test_kill_then_resume(tmp_path: Path, reference: dict, stage: str, whole_group: bool) -> None:
    out = tmp_path / "out"
    proc = _cli(out)
    _kill_when(proc, out, 5 if stage == "draws" else N_BATCHES, whole_group)
    assert not (out / "summary.json").exists()
    kept = _batches(out)
    assert kept
    resumed = _cli(out, "--resume")
    stdout, stderr = resumed.communicate(timeout=900)
    assert resumed.returncode == 0, stderr.decode()
    after = _batches(out)
    assert len(after) == N_BATCHES
    assert {name: after[name] for name in kept} == kept  # nothing stored was recomputed
    summary = json.loads((out / "summary.json").read_text())
    assert _comparable(summary) == reference
    assert len(list(out.glob("store/runs/*"))) == 1  # resumed the same run
