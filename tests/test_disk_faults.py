"""A full disk or a read-only output folder during a run: a clean error, and nothing lost
(the finished batches stay and `--resume` completes the run without recomputing them)."""

from __future__ import annotations

import errno
import json
import os
import sys

import pytest

from realpolitik.cli import main

ARGS = [
    "run",
    "nixon-1972",
    "--draws",
    "600",
    "--batch-size",
    "100",
    "--workers",
    "1",
    "--seed",
    "2",
    "--no-report",
    "--json",
]


def run_cli(args, capsys):
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def _comparable(path) -> dict:
    summary = json.loads(path.read_text())
    return {k: v for k, v in summary.items() if k not in ("run_id", "store")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "out"
    try:
        main([*ARGS, "--out", str(out)])
    except SystemExit as exc:
        assert not exc.code
    return _comparable(out / "summary.json")


def _batch_files(out):
    return {p.name: p.stat().st_ino for p in out.glob("store/runs/*/batch-*.parquet")}


def test_disk_full_during_the_draws(tmp_path, monkeypatch, capsys, reference):
    store_module = sys.modules["realpolitik.experiment.store"]
    real_write = store_module.write_batch
    calls = {"n": 0}

    def write_until_full(path, columns):
        calls["n"] += 1
        if calls["n"] > 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, columns)

    monkeypatch.setattr(store_module, "write_batch", write_until_full)
    out = tmp_path / "out"
    code, _, err = run_cli([*ARGS, "--out", str(out)], capsys)
    assert code == 2 and "No space left on device" in err and "--resume" in err
    assert "Traceback" not in err
    kept = _batch_files(out)
    assert len(kept) == 3 and not list(out.glob("store/runs/*/.*.tmp"))
    monkeypatch.setattr(store_module, "write_batch", real_write)
    code, _, err = run_cli([*ARGS, "--out", str(out), "--resume"], capsys)
    assert code == 0, err
    after = _batch_files(out)
    assert len(after) == 6 and all(after[name] == ino for name, ino in kept.items())
    assert _comparable(out / "summary.json") == reference


def test_read_only_output_folder(tmp_path, monkeypatch, capsys, reference):
    from realpolitik.scenario import dump

    def read_only(path, text):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))

    monkeypatch.setattr(dump, "write_text_atomic", read_only)
    out = tmp_path / "out"
    code, _, err = run_cli([*ARGS, "--out", str(out)], capsys)
    assert code == 2 and "Read-only file system" in err and "Traceback" not in err
    kept = _batch_files(out)
    assert len(kept) == 6  # the draws are safe in the store
    monkeypatch.undo()
    code, _, err = run_cli([*ARGS, "--out", str(out), "--resume"], capsys)
    assert code == 0, err
    assert _batch_files(out) == kept  # nothing recomputed
    assert _comparable(out / "summary.json") == reference
