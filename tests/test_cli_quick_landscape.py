"""``realpolitik landscape ACTORS.csv PROPENSITY.csv`` answered without Click: the same bytes on
standard output and error and the same exit status as the Click command, or no answer at all
(the Click command then runs and reports the problem)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from realpolitik.cli.quick_landscape import LandscapeArgs, parse_landscape, quick_landscape

#: The Click command group's entry point (the module, not the package's ``main`` entry).
click_main = importlib.import_module("realpolitik.cli.main")

#: Option sets the quick path answers (each run on every input pair below).
OPTION_SETS = [
    [],
    ["--json"],
    ["--others", "3"],
    ["--json", "--others=2", "--no-field", "--seed", "7"],
    ["--method=exact", "--field", "--json"],
    ["--method", "heuristic", "--seed=11", "--json"],
    ["--k", "3"],
]


def write_pair(folder: Path, n: int, seed: int) -> tuple[Path, Path]:
    """An Axelrod-Furnas pair of n actors: integer strengths 1..99, raw propensities 1..5."""
    r = np.random.default_rng(seed)
    sizes = r.integers(1, 100, n)
    raw = np.triu(r.integers(1, 6, (n, n)), 1)
    raw = raw + raw.T
    names = [f"Actor {i}" for i in range(n)]
    actors = folder / f"actors{n}.csv"
    actors.write_text(
        "id,actor,strength\n" + "".join(f"{i + 1},{a},{sizes[i]}\n" for i, a in enumerate(names)),
        encoding="utf-8",
    )
    prop = folder / f"propensity{n}.csv"
    rows = ["," + ",".join(names)]
    for i, a in enumerate(names):
        rows.append(a + "," + ",".join("" if i == j else str(raw[i, j]) for j in range(n)))
    prop.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return actors, prop


@pytest.fixture(params=["syria", 12, 14, 16])
def pair(request, validation_dir: Path, tmp_path: Path) -> tuple[Path, Path]:
    if request.param == "syria":
        case = validation_dir / "landscape-syria-2016"
        return case / "actors.csv", case / "propensity_raw.csv"
    return write_pair(tmp_path, request.param, seed=request.param)


def click_run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The Click command's exit status, standard output and error on ``args``, in process."""
    code = 0
    try:
        click_main.main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


# ----------------------------------------------------------------------------- same output


@pytest.mark.parametrize("options", OPTION_SETS, ids=lambda o: " ".join(o) or "plain")
def test_quick_output_is_the_click_commands(pair, options, capsys):
    args = ["landscape", str(pair[0]), str(pair[1]), *options]
    assert quick_landscape(args)
    quick = capsys.readouterr()
    code, out, err = click_run(args, capsys)
    assert code == 0, err
    assert quick.out == out and quick.err == err == ""
    assert out.endswith("\n") and len(out) > 100


PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write(\n"
    "    'LOADED:' + ','.join(m for m in ('click', 'numba') if m in sys.modules)))\n"
    "from realpolitik.cli import main\n"
    "main()\n"
)
CLICK = "import importlib, sys\nimportlib.import_module('realpolitik.cli.main').main()\n"


def program(code: str, args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run ``code`` as a program with ``args``, capturing bytes."""
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, check=False)


@pytest.mark.parametrize("options", [[], ["--json", "--others", "2"]], ids=["text", "json"])
def test_the_program_prints_the_click_commands_bytes_without_click(pair, options):
    """Whole processes: the program (quick path, ending without the teardown) against the Click
    command, byte for byte; the quick path loads neither Click nor Numba."""
    args = ["landscape", str(pair[0]), str(pair[1]), *options]
    quick, slow = program(PROBE, args), program(CLICK, args)
    assert quick.returncode == slow.returncode == 0, slow.stderr
    assert quick.stdout == slow.stdout and slow.stderr == b""
    assert quick.stderr == b"LOADED:"  # the exit handler ran, and neither module was loaded


# ----------------------------------------------------------------------------- falling back


def test_a_bad_file_gets_the_click_commands_error(tmp_path, capsys):
    actors, prop = write_pair(tmp_path, 5, seed=1)
    actors.write_text(actors.read_text().replace("3,Actor 2,", "3,Actor 2,-"), encoding="utf-8")
    args = ["landscape", str(actors), str(prop)]
    assert not quick_landscape(args)
    assert capsys.readouterr() == ("", "")
    code, out, err = click_run(args, capsys)
    assert code == 2 and out == ""
    assert err.startswith("error:") and f"{actors.name}:4" in err
    whole = program(PROBE, args)
    assert whole.returncode == 2
    assert whole.stderr.decode().startswith(err)  # then the probe's line: Click was loaded
    assert whole.stderr.decode().endswith("LOADED:click")


def test_a_missing_file_gets_the_click_commands_error(tmp_path, capsys):
    actors, _ = write_pair(tmp_path, 4, seed=2)
    args = ["landscape", str(actors), str(tmp_path / "missing.csv")]
    assert not quick_landscape(args)
    code, _, err = click_run(args, capsys)
    whole = program(PROBE, args)
    assert code == whole.returncode == 2
    assert whole.stderr.decode() == err + "LOADED:click"


@pytest.mark.parametrize(
    "options", [["--help"], ["-h"], ["--k", "7"], ["--no-such-option"], ["--others", "-1"]]
)
def test_other_command_lines_go_to_the_click_command(tmp_path, options, capsys):
    actors, prop = write_pair(tmp_path, 4, seed=3)
    args = ["landscape", str(actors), str(prop), *options]
    assert not quick_landscape(args)
    assert capsys.readouterr() == ("", "")
    code, out, err = click_run(args, capsys)
    whole = program(PROBE, args)
    assert (whole.returncode, whole.stdout.decode()) == (code, out)
    assert whole.stderr.decode() == err + "LOADED:click"
    assert (code, out.startswith("Usage:")) in ((0, True), (2, False))


def test_text_click_would_change_goes_to_the_click_command(tmp_path, capsys):
    """An escape sequence in an actor's name: Click strips it from output that is not a
    terminal, so the quick path leaves the command line to Click."""
    actors, prop = write_pair(tmp_path, 4, seed=4)
    for path in (actors, prop):
        path.write_text(path.read_text().replace("Actor 1", "Actor \x1b[1m1"), encoding="utf-8")
    args = ["landscape", str(actors), str(prop)]
    assert not quick_landscape(args)
    assert capsys.readouterr() == ("", "")
    code, out, _ = click_run(args, capsys)
    assert code == 0 and "Actor 1" in out and "\x1b" not in out


# ----------------------------------------------------------------------------- the parser


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["landscape", "a.csv", "p.csv"], LandscapeArgs("a.csv", "p.csv")),
        (
            ["landscape", "--json", "a.csv", "--k=3", "p.csv", "--others", "4"],
            LandscapeArgs("a.csv", "p.csv", k=3, others=4, as_json=True),
        ),
        (
            ["landscape", "a", "p", "--no-field", "--field", "--no-field", "--method", "exact"],
            LandscapeArgs("a", "p", field=False, method="exact"),
        ),
        (
            ["landscape", "a", "p", "--seed", str(2**64 - 1)],
            LandscapeArgs("a", "p", seed=2**64 - 1),
        ),
        (["landscape", "a", "p", "--seed", str(2**64)], None),
        (["landscape", "a", "p", "--seed", "+1"], None),
        (["landscape", "a", "p", "--seed", "١"], None),  # a digit Click's int() reads otherwise
        (["landscape", "a", "p", "--k", "1"], None),
        (["landscape", "a", "p", "--method", "Exact"], None),
        (["landscape", "a", "p", "--method"], None),
        (["landscape", "a", "p", "--json=1"], None),
        (["landscape", "a", "p", "--"], None),
        (["landscape", "a"], None),
        (["landscape", "a", "p", "q"], None),
        (["landscape", "a", ""], None),
        (["bargain", "a", "p"], None),
        ([], None),
    ],
)
def test_only_plain_command_lines_are_answered(args, expected):
    assert parse_landscape(args) == expected


TOKENS = st.sampled_from(
    ["a.csv", "p.csv", "x", "--json", "--field", "--no-field", "--k", "--others", "--method"]
    + ["--seed", "3", "0", "7", "-1", "+2", "exact", "heuristic", "AUTO", "--k=4", "--k=9"]
    + ["--others=0", "--seed=18446744073709551616", "--method=auto", "--help", "--", "-"]
)


def click_params(args: list[str]) -> dict[str, Any] | None:
    """The landscape command's parameters as Click parses ``args``; None when Click refuses."""
    import click

    command = click_main.cli.commands["landscape"]
    try:
        with command.make_context("landscape", list(args), resilient_parsing=False) as ctx:
            return dict(ctx.params)
    except (click.exceptions.ClickException, click.exceptions.Exit):
        return None


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=7))
def test_the_parser_reads_what_click_reads(tokens):
    """Metamorphic: whatever command line the quick path answers, Click accepts and reads the
    same values from it (Click is the reference; the parser shares no code with it)."""
    parsed = parse_landscape(["landscape", *tokens])
    if parsed is None:
        return
    params = click_params(tokens)
    assert params is not None, tokens
    assert params == {
        "scenario": parsed.actors,
        "propensity": parsed.propensity,
        "k": parsed.k,
        "others": parsed.others,
        "field": parsed.field,
        "method": parsed.method,
        "seed": parsed.seed,
        "as_json": parsed.as_json,
    }


def test_names_beyond_ascii_print_the_same_bytes(tmp_path):
    actors, prop = write_pair(tmp_path, 6, seed=5)
    for path in (actors, prop):
        path.write_text(path.read_text().replace("Actor 2", "Türkiye"), encoding="utf-8")
    args = ["landscape", str(actors), str(prop)]
    quick, slow = program(PROBE, args), program(CLICK, args)
    assert quick.returncode == slow.returncode == 0, slow.stderr
    assert "Türkiye".encode() in quick.stdout and quick.stdout == slow.stdout
    assert quick.stderr == b"LOADED:"


class _Stream:
    def __init__(self, encoding: str | None) -> None:
        self.encoding = encoding


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("plain", "ascii", True),
        ("plain", None, True),
        ("Türkiye", "utf-8", True),
        ("Türkiye", "UTF8", True),
        ("Türkiye", "ascii", False),  # Click re-encodes (with replacement characters)
        ("Türkiye", None, False),  # Click takes a stream without an encoding for ASCII
        ("Türkiye", "latin-1", False),  # left to Click, which writes to the stream as it is
        ("Türkiye", "no-such-codec", False),
        ("bold \x1b[1mname", "utf-8", False),  # Click strips escapes unless on a terminal
    ],
)
def test_echoable_says_when_click_would_print_the_text_unchanged(
    text, encoding, expected, monkeypatch
):
    from realpolitik.cli.plain_echo import echoable

    monkeypatch.setattr("sys.stdout", _Stream(encoding))
    assert echoable(text) is expected


def test_without_standard_output_click_decides(monkeypatch):
    from realpolitik.cli.plain_echo import echoable

    monkeypatch.setattr("sys.stdout", None)
    assert not echoable("plain")
