"""Sampled mutation testing of the realignment model and the commitment module, with mutmut 3.

What it does (see ``docs/explanation/testing.md``):

1. deletes any previous ``mutants/`` copy and has mutmut generate every mutant of the files that
   ``[tool.mutmut] only_mutate`` in ``pyproject.toml`` names;
2. draws a fixed-seed sample of ``--per-file`` mutants from each file (sorted names, then
   ``random.Random(seed).sample``), so the same source gives the same sample;
3. runs ``mutmut run <sampled names>`` (each mutant against the tests of the model that reach
   the mutated function, as listed in ``pytest_add_cli_args_test_selection``);
4. prints the score per file, writes ``mutants/sample-report.json`` and the diff of every
   surviving mutant to ``mutants/survivors.txt``.

Run from the repository root, with the project's environment::

    python tools/mutation_sample.py --per-file 24 --seed 20261126 --max-children 2

``--recheck [NAME ...]`` reruns the survivors of the last run (or the named ones) with the
current tests (after tests were added) and prints the scores before and after; a mutant killed
before stays killed.

The mutants' results are mutmut's own (``mutmut browse`` and ``mutmut show NAME`` work on them
afterwards). A mutant is *killed* when a test fails (mutmut also counts a timeout as a kill here:
the mutant made the tests loop), *survived* when every selected test passes, *no tests* when no
selected test reaches the mutated function.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
TIMEOUT_CODES = {36, -24, 24, 152, 255}


def _status(code: int | None) -> str:
    if code is None:
        return "not checked"
    if code in TIMEOUT_CODES:
        return "timeout"
    return STATUS.get(code, "suspicious")


def _mutmut() -> list[str]:
    exe = Path(sys.executable).with_name("mutmut")
    return [str(exe)] if exe.exists() else ["mutmut"]


def generate(max_children: int) -> None:
    """Have mutmut copy the project into ``mutants/`` and write every mutant (no test run)."""
    from mutmut.__main__ import create_mutants
    from mutmut.mutation.trampoline import set_mutant_under_test
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir

    set_mutant_under_test("mutant_generation")
    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    create_mutants(max_children)


def mutant_names() -> dict[str, list[str]]:
    """Every generated mutant's name, by source file (sorted)."""
    out: dict[str, list[str]] = {}
    for meta in sorted(Path("mutants").rglob("*.py.meta")):
        keys = json.loads(meta.read_text())["exit_code_by_key"]
        if keys:
            out[str(meta.relative_to("mutants"))[: -len(".meta")]] = sorted(keys)
    return out


def draw(names: dict[str, list[str]], per_file: int, seed: int) -> dict[str, list[str]]:
    """A fixed-seed sample of ``per_file`` mutants from each file (all of them if fewer)."""
    rng = random.Random(seed)
    return {f: sorted(rng.sample(ks, min(per_file, len(ks)))) for f, ks in names.items()}


def results(sample: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """mutmut's verdict for each sampled mutant, by file."""
    out: dict[str, dict[str, str]] = {}
    for f, keys in sample.items():
        codes = json.loads(Path("mutants", f + ".meta").read_text())["exit_code_by_key"]
        out[f] = {k: _status(codes.get(k)) for k in keys}
    return out


def table(res: dict[str, dict[str, str]], totals: dict[str, int]) -> str:
    """Markdown table: per file, the mutants generated, sampled, killed, survived, score."""
    lines = [
        "| file | mutants | sampled | killed | timeout | survived | no tests | score |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    every: Counter[str] = Counter()
    for f, verdicts in res.items():
        c = Counter(verdicts.values())
        every.update(c)
        lines.append(_row(Path(f).name, totals[f], len(verdicts), c))
    lines.append(_row("**all**", sum(totals.values()), sum(every.values()), every))
    return "\n".join(lines)


def _row(name: str, total: int, n: int, c: Counter[str]) -> str:
    dead = c["killed"] + c["timeout"]
    score = f"{100 * dead / n:.0f}%" if n else "-"
    return (
        f"| {name} | {total} | {n} | {c['killed']} | {c['timeout']} | {c['survived']} "
        f"| {c['no tests']} | {score} |"
    )


def _run(names: list[str], max_children: int) -> None:
    """``mutmut run`` on ``names`` (its output in ``mutants/mutmut-run.log``)."""
    cmd = [*_mutmut(), "run", "--max-children", str(max_children), *names]
    with Path("mutants", "mutmut-run.log").open("w") as out:
        subprocess.run(cmd, env=_env(), stdout=out, stderr=subprocess.STDOUT, check=False)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.setdefault("REALPOLITIK_SHARED", str(Path.cwd().resolve().parent / "shared"))
    return env


def _write_survivors(res: dict[str, dict[str, str]]) -> None:
    """The diff of every surviving mutant, to ``mutants/survivors.txt``."""
    with Path("mutants", "survivors.txt").open("w") as out:
        for verdicts in res.values():
            for k, v in verdicts.items():
                if v in ("survived", "no tests"):
                    diff = subprocess.run(
                        [*_mutmut(), "show", k], env=_env(), capture_output=True, text=True
                    )
                    out.write(f"## {k}: {v}\n{diff.stdout}\n")


def sample_run(per_file: int, seed: int, max_children: int) -> dict[str, object]:
    """A fresh run: generate every mutant, draw the sample, run it."""
    if Path("mutants").exists():
        shutil.rmtree("mutants")
    generate(max_children)
    names = mutant_names()
    sample = draw(names, per_file, seed)
    _run([k for ks in sample.values() for k in ks], max_children)
    totals = {f: len(ks) for f, ks in names.items()}
    return {"seed": seed, "per_file": per_file, "totals": totals, "results": results(sample)}


def recheck(max_children: int, only: list[str]) -> dict[str, object]:
    """Rerun the survivors of the last sample run (those in ``only`` if given) with the current
    tests (a mutant killed before stays killed: tests were only added). The report keeps the
    first verdicts as ``before``."""
    report = json.loads(Path("mutants", "sample-report.json").read_text())
    before: dict[str, dict[str, str]] = report.get("before", report["results"])
    alive = ("survived", "no tests")
    todo = {
        f: [k for k, v in vs.items() if v in alive and (not only or k in only)]
        for f, vs in before.items()
    }
    _run([k for ks in todo.values() for k in ks], max_children)
    again = results({f: ks for f, ks in todo.items() if ks})
    after = {f: {**vs, **again.get(f, {})} for f, vs in before.items()}
    return {**report, "before": before, "results": after}


def main() -> int:
    """Sample and run, or recheck the survivors; print the scores (module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-file", type=int, default=24)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument(
        "--recheck",
        action="store_true",
        help="rerun the last run's survivors with the current tests",
    )
    ap.add_argument("names", nargs="*", help="with --recheck: only these survivors")
    args = ap.parse_args()
    if not Path("pyproject.toml").is_file():
        print("run from the repository root", file=sys.stderr)
        return 2
    if args.recheck:
        report = recheck(args.max_children, args.names)
    else:
        report = sample_run(args.per_file, args.seed, args.max_children)
    Path("mutants", "sample-report.json").write_text(json.dumps(report, indent=1))
    res: dict[str, dict[str, str]] = report["results"]  # type: ignore[assignment]
    _write_survivors(res)
    if "before" in report:
        print("Before:\n" + table(report["before"], report["totals"]) + "\n\nAfter:")  # type: ignore[arg-type]
    print(table(res, report["totals"]))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
