"""Command-line inputs that once ended in a traceback, or were accepted when they should not be."""

from __future__ import annotations

import errno

import pytest

from realpolitik.cli import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    "args",
    [
        ["run", "nixon-1972", "--seed", "-1"],
        ["landscape", "nixon-1972", "--seed", "-1"],
        ["sensitivity", "nixon-1972", "--seed", "-1"],
        ["discover", "nixon-1972", "--seed", "-1"],
        ["bargain", "reverse-kissinger", "--seed", "-1"],
        ["run", "nixon-1972", "--seed", str(2**64)],
    ],
)
def test_negative_or_huge_seed_is_refused(args, capsys):
    code, _, err = run_cli(args, capsys)
    assert code == 2 and "--seed" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("address", "needle"),
    [
        ("garbage", "not a scheduler address"),
        ("inproc://x", "inproc://"),
        ("tls://10.0.0.1:8786", "certificates"),
        ("tcp://host:99999", "port"),
        ("ucx://host:1", "ucx://"),
    ],
)
def test_bad_cluster_address_is_refused(address, needle, capsys, tmp_path):
    code, _, err = run_cli(
        ["run", "nixon-1972", "--draws", "10", "--cluster", address, "--out", str(tmp_path)], capsys
    )
    assert code == 2 and "--cluster" in err and needle in err


def test_cluster_address_forms():
    from realpolitik.cli.options import cluster_address

    assert cluster_address(None, None, "local") == "local"
    assert cluster_address(None, None, "10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert cluster_address(None, None, "tcp://node-1:8786") == "tcp://node-1:8786"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"source,target,sign\n", "no relations"),
        (bytes(range(256)), "not a UTF-8 text file"),
        (b"source,target,sign\na,b,1\x00\n", "NUL"),
    ],
)
def test_balance_on_bad_csv(tmp_path, capsys, content, needle):
    p = tmp_path / "edges.csv"
    p.write_bytes(content)
    code, _, err = run_cli(["balance", str(p)], capsys)
    assert code == 2 and needle in err and "Traceback" not in err


@pytest.mark.parametrize("command", [["data", "fetch", "nosuch"], ["data", "cite", "nosuch"]])
def test_unknown_dataset(command, capsys, tmp_path):
    code, _, err = run_cli(
        [*command, *(["--data-dir", str(tmp_path)] if command[1] == "fetch" else [])], capsys
    )
    assert code == 2 and "unknown dataset 'nosuch'" in err and "cow-nmc" in err


def test_fetch_into_an_unusable_folder(capsys, tmp_path):
    (tmp_path / "file").write_text("x")
    code, _, err = run_cli(["data", "fetch", "--data-dir", str(tmp_path / "file" / "sub")], capsys)
    assert code == 2 and "Not a directory" in err and "Traceback" not in err


def test_from_data_names_the_last_year_covered(ir_data_dir, capsys, tmp_path):
    code, _, err = run_cli(
        [
            "scenario",
            "from-data",
            "USA",
            "RUS",
            "--year",
            "2024",
            "-o",
            str(tmp_path / "s.yaml"),
            "--data-dir",
            str(ir_data_dir),
        ],
        capsys,
    )
    assert code == 2 and "the last year covered is 2022" in err


@pytest.mark.parametrize("code_", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_disk_full_or_read_only_output_is_a_message(monkeypatch, tmp_path, capsys, code_):
    """Writing an imported scenario onto a full or read-only file system: a message, no partial
    file, and the input untouched."""
    import os

    from realpolitik.scenario import dump

    src = tmp_path / "s.csv"
    src.write_text("n,d,3,1\nActor,Desc,Infl,P,S\nA,a,10,50,50\nB,b,10,1,1\nC,c,10,1,1\n")
    real_replace = os.replace

    def failing_replace(a, b):
        raise OSError(code_, os.strerror(code_), str(b))

    monkeypatch.setattr(dump.os, "replace", failing_replace)
    out = tmp_path / "out.yaml"
    code, _, err = run_cli(["import", "ktab", str(src), "-o", str(out)], capsys)
    monkeypatch.setattr(dump.os, "replace", real_replace)
    assert code == 2 and os.strerror(code_) in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.yaml*"))


def test_option_names_agree_across_commands(tmp_path, capsys):
    src = tmp_path / "s.csv"
    src.write_text("n,d,3,1\nActor,Desc,Infl,P,S\nA,a,10,50,50\nB,b,10,1,1\nC,c,10,1,1\n")
    for flag in ("-o", "--out", "--output"):
        out = tmp_path / f"s{flag.strip('-')}.yaml"
        code, _, err = run_cli(["import", "ktab", str(src), flag, str(out)], capsys)
        assert code == 0 and out.exists(), err
    from realpolitik.cli.main import cli

    for name in ("run", "query"):
        opts = {o for p in cli.commands[name].params for o in p.opts}
        assert {"-o", "--out", "--output"} <= opts, name
    sens = {o for p in cli.commands["sensitivity"].params for o in p.opts}
    assert {"--n", "--draws"} <= sens


def test_interrupt_message_says_how_to_resume(monkeypatch, capsys):
    import sys

    cli_main = sys.modules["realpolitik.cli.main"]  # the module (the package exports main())

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_main, "_load", interrupted)
    code, _, err = run_cli(["run", "nixon-1972", "--draws", "100"], capsys)
    assert code == 130 and "--resume" in err


def test_a_second_run_into_the_same_out_keeps_the_first(tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = run_cli(["run", "nixon-1972", "--out", str(out), "--no-report"], capsys)
    assert code == 0, err
    first = (out / "summary.json").read_text()
    code, _, err = run_cli(
        ["run", "nixon-1972", "--out", str(out), "--seed", "5", "--no-report"], capsys
    )
    assert code == 0 and "Kept the previous run's outputs" in err
    kept = list((out / "previous").glob("*/summary.json"))
    assert len(kept) == 1 and kept[0].read_text() == first
    assert (out / "summary.json").read_text() != first


def test_progress_is_shown_on_a_pipe(tmp_path):
    """Progress lines on stderr when it is not a terminal (a log, CI)."""
    import io
    import sys as _sys

    from realpolitik.experiment.progress import progress_bar

    err = io.StringIO()
    real, _sys.stderr = _sys.stderr, err
    try:
        with progress_bar(1000, True, description="x") as bar:
            for _ in range(10):
                bar.advance(100)
    finally:
        _sys.stderr = real
    lines = err.getvalue().splitlines()
    assert len(lines) == 10 and lines[-1].startswith("x: 1,000 of 1,000 draws (100%")


@pytest.mark.parametrize(
    "args",
    [
        ["run", "nixon-1972", "--draws", str(10**30)],
        ["run", "nixon-1972", "--draws", "10", "--workers", str(10**6)],
        ["run", "nixon-1972", "--draws", "10", "--batch-size", str(10**12)],
        ["discover", "nixon-1972", "--draws", str(10**12)],
        ["sensitivity", "nixon-1972", "--n", str(10**12)],
        ["sensitivity", "nixon-1972", "--cluster", "garbage"],
        ["discover", "nixon-1972", "--cluster", "inproc://x"],
    ],
)
def test_sizes_and_clusters_are_bounded_everywhere(args, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(args, capsys)
    assert code == 2 and "Invalid value" in err
