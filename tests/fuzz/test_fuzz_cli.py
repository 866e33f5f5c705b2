"""Fuzzing the command line: every command with generated options and arguments, in process."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import EXAMPLES, assert_clean, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

#: Values an option may be given: plausible ones and hostile ones.
VALUES = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "2",
            "3",
            "7",
            "-1",
            "-0",
            "1e300",
            "nan",
            "inf",
            "18446744073709551616",
            "99999999999999999999999",
            "",
            " ",
            "x",
            "local",
            "tcp://:0",
            "inproc://x",
            "tls://h:1",
            "smp",
            "bdm",
            "exact",
            "heuristic",
            "auto",
            "sobol",
            "morris",
            "courter_wins",
            "realigns",
            "gap_ratio",
            "nosuch",
            "USA",
            "RUS",
            "CHN",
            "a,b",
            "--json",
            "-",
            "/",
            "/dev/null",
            "/proc/1/mem",
        ]
    ),
    st.integers(-5, 40).map(str),
    st.text(max_size=8),
)

#: Per command: its options (with whether they take a value) and its positional arguments.
COMMANDS: dict[str, tuple[dict[str, bool], list[str]]] = {
    "validate": ({}, ["FILE", "FILE?"]),
    "examples": ({"--json": False}, []),
    "show": ({}, ["NAME"]),
    "schema": ({}, []),
    "cite": ({"--bibtex": False}, ["FILE?"]),
    "run": (
        {
            "--seed": True,
            "--draws": True,
            "--json": False,
            "--workers": True,
            "--cluster": True,
            "--resume": False,
            "--batch-size": True,
            "--analyses": True,
            "-o": True,
        },
        ["FILE"],
    ),
    "bargain": (
        {"--model": True, "--actor": True, "--dimension": True, "--seed": True, "--json": False},
        ["INPUT"],
    ),
    "landscape": (
        {
            "--k": True,
            "--others": True,
            "--field": False,
            "--no-field": False,
            "--method": True,
            "--seed": True,
            "--json": False,
        },
        ["FILE"],
    ),
    "balance": ({"--neutral": True, "--json": False}, ["INPUT"]),
    "sensitivity": (
        {
            "--outcome": True,
            "--method": True,
            "--n": True,
            "--seed": True,
            "--workers": True,
            "--json": False,
        },
        ["FILE"],
    ),
    "discover": (
        {
            "--outcome": True,
            "--draws": True,
            "--seed": True,
            "--threshold": True,
            "--workers": True,
            "--json": False,
        },
        ["FILE"],
    ),
    "runs": ({"--store": True, "--json": False}, []),
    "query": ({"--store": True, "--json": False, "--limit": True}, ["RUN", "SQL"]),
    "import ktab": ({"-o": True}, ["INPUT"]),
    "import axelrod-furnas": ({"-o": True, "--offset": True}, ["INPUT", "INPUT"]),
    "data cite": ({}, ["DATASET?"]),
    "data path": ({"--data-dir": True}, []),
    "data fetch": ({"--data-dir": True}, ["DATASET?"]),
    "scenario from-data": (
        {"--year": True, "-o": True, "--data-dir": True, "--size": True},
        ["ACTOR", "ACTOR"],
    ),
}

#: Commands whose real work is long (draws, sensitivity designs): options are fuzzed, but a
#: command line that passes parsing gets a small, fast workload.
HEAVY = {"run", "sensitivity", "discover"}


@st.composite
def command_lines(draw, root: Path) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    options, positionals = COMMANDS[name]
    inputs = st.sampled_from(
        [
            str(root / f)
            for f in (
                "tiny.yaml",
                "empty.yaml",
                "binary.csv",
                "edges.csv",
                "ktab.csv",
                "bdm.csv",
                "dir.yaml",
                "missing.yaml",
            )
        ]
        + ["nixon-1972", "reverse-kissinger", "nosuch", ""]
    )
    argv = name.split()
    for pos in positionals:
        if pos.endswith("?") and draw(st.booleans()):
            continue
        if pos in ("FILE", "FILE?", "INPUT", "NAME"):
            argv.append(draw(inputs))
        elif pos == "SQL":
            argv.append(draw(st.sampled_from(["select 1", "", "drop table draws", "selec"])))
        elif pos in ("DATASET?",):
            argv.append(draw(st.sampled_from(["cow-nmc", "nosuch", "", "../x"])))
        else:
            argv.append(draw(VALUES))
    chosen = draw(st.lists(st.sampled_from(sorted(options) + ["--nosuch"]), max_size=4))
    for opt in chosen:
        argv.append(opt)
        if options.get(opt, False):
            argv.append(draw(VALUES))
    if name in HEAVY:
        # keep the work small whatever else was drawn: the last value of an option wins
        argv += {
            "run": ["--workers", "1", "--draws", "0", "-o", str(root / "out")],
            "sensitivity": ["--workers", "1", "--n", "8"],
            "discover": ["--workers", "1", "--draws", "100"],
        }[name]
        argv = [a if a != str(root / "dir.yaml") else a for a in argv]
    if name == "scenario from-data" or name.startswith("import"):
        argv = [a if a not in ("-o",) else a for a in argv]
    return argv


@FUZZ
@given(data=st.data())
def test_every_command(playground: Path, data) -> None:
    argv = data.draw(command_lines(playground))
    if argv[0] in ("import", "scenario") and "-o" not in argv:
        argv += ["-o", str(playground / "out.yaml")]
    code, _, err = run_cli(argv)
    assert_clean(argv, code, err)
