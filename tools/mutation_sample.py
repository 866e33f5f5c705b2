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


def main() -> int:
    """Generate, sample, run, report (see the module docstring)."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-file", type=int, default=24)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--max-children", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="reuse an existing mutants/ copy")
    args = ap.parse_args()
    if not Path("pyproject.toml").is_file():
        print("run from the repository root", file=sys.stderr)
        return 2
    if Path("mutants").exists() and not args.keep:
        shutil.rmtree("mutants")
    generate(args.max_children)
    names = mutant_names()
    sample = draw(names, args.per_file, args.seed)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.setdefault("REALPOLITIK_SHARED", str(Path.cwd().resolve().parent / "shared"))
    chosen = [k for ks in sample.values() for k in ks]
    cmd = [*_mutmut(), "run", "--max-children", str(args.max_children), *chosen]
    log = Path("mutants", "mutmut-run.log")
    with log.open("w") as out:
        subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    res = results(sample)
    totals = {f: len(ks) for f, ks in names.items()}
    report = {"seed": args.seed, "per_file": args.per_file, "totals": totals, "results": res}
    Path("mutants", "sample-report.json").write_text(json.dumps(report, indent=1))
    with Path("mutants", "survivors.txt").open("w") as out:
        for verdicts in res.values():
            for k, v in verdicts.items():
                if v in ("survived", "no tests"):
                    diff = subprocess.run(
                        [*_mutmut(), "show", k], env=env, capture_output=True, text=True
                    )
                    out.write(f"## {k}: {v}\n{diff.stdout}\n")
    print(table(res, totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
