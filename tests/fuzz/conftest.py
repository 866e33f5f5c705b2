"""The fuzz harness: generated inputs for every entry point, each must end cleanly.

"Cleanly" means: the entry point works, or it refuses with the package's own error (exit status
2 on the command line) and a message naming what is wrong; never another exception, never a
traceback. Each family draws ``REALPOLITIK_FUZZ_EXAMPLES`` inputs (2,000 by default; derandomised
unless HYPOTHESIS_PROFILE=dev, see ../conftest.py).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

EXAMPLES = int(os.environ.get("REALPOLITIK_FUZZ_EXAMPLES", "2000"))

TINY = """\
realpolitik: 1
name: tiny
strict_provenance: false
actors:
  - {id: A, kind: state, size: {value: 3, dist: {kind: uniform, low: 2, high: 4}}}
  - {id: B, kind: state, size: 2}
  - {id: C, kind: state, size: 1}
relations:
  - {between: [A, B], components: {trade: 1}}
  - {between: [A, C], components: {threat: -1}}
  - {between: [B, C], components: {ideology: 0.5}}
"""


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """Run the command in this process; (exit status, stdout, stderr)."""
    from realpolitik.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return code, out.getvalue(), err.getvalue()


def assert_clean(argv: list[str], code: int, err: str) -> None:
    """Exit 0, or exit 2 with a message; never a traceback."""
    assert "Traceback" not in err, (argv, err)
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        text = err.strip()
        assert any(w in text for w in ("error:", "Error:", "invalid", "Usage:")), (argv, err)
        assert len(text) > 10, (argv, err)


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path_factory, monkeypatch) -> None:
    """Generated commands write where they are told, or into the current folder: not the repo."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


@pytest.fixture(scope="session")
def playground(tmp_path_factory) -> Path:
    """A folder of inputs the generated commands refer to (good, bad and hostile)."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "tiny.yaml").write_text(TINY)
    (root / "empty.yaml").write_text("")
    (root / "binary.csv").write_bytes(bytes(range(256)) * 4)
    (root / "edges.csv").write_text("source,target,sign\nA,B,1\nB,C,-1\nA,C,-1\n")
    (root / "ktab.csv").write_text(
        "n,d,3,1\nActor,Desc,Infl,P,S\nA,a,10,50,50\nB,b,10,10,60\nC,c,10,90,40\n"
    )
    (root / "bdm.csv").write_text(
        "Actor,Capability,Position,Salience\nA,1,2,50\nB,2,8,60\nC,1,5,90\n"
    )
    (root / "dir.yaml").mkdir()
    return root
