"""Sampled mutation testing of the compiled kernels, which mutmut cannot reach.

mutmut 3 leaves decorated functions alone, and every Numba kernel is decorated (``@njit``), so
``tools/mutation_sample.py`` never mutates ``package_kernels.py``, ``simplex_kernels.py``,
``simplex_rules.py``, ``year_kernels.py`` or ``survival_kernels.py``. This script mutates them itself:

1. it lists every mutation site of the kernel files with :mod:`ast`: an arithmetic operator
   swapped (``+``/``-``, ``*``/``/``), a comparison swapped (``<``/``<=``, ``>``/``>=``,
   ``==``/``!=``), a boolean operator swapped (``and``/``or``), a numeric constant changed
   (``c`` to ``c + 1``), a ``not`` dropped;
2. it draws a fixed-seed sample of ``--per-file`` sites from each file;
3. for each, it copies ``src/`` to a temporary folder, writes the mutated file there (the
   module's source from :func:`ast.unparse`), and runs the kernels' tests against that copy with
   ``NUMBA_DISABLE_JIT=1`` (the kernels run as plain Python, so no mutant needs compiling) and
   ``REALPOLITIK_KERNELS=compiled`` (the compiled path is taken wherever the tests allow);
4. a mutant is *killed* when a test fails, *survived* when all pass; it prints the score per file
   and the diff of every survivor.

Run from the repository root, with the project's environment::

    python tools/kernel_mutation.py --per-file 12 --seed 20261126 [--only year_kernels,...]
"""

from __future__ import annotations

import argparse
import ast
import difflib
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KERNELS = (
    "src/realpolitik/models/realignment/package_kernels.py",
    "src/realpolitik/models/realignment/simplex_kernels.py",
    "src/realpolitik/models/realignment/simplex_rules.py",
    "src/realpolitik/models/realignment/year_kernels.py",
    "src/realpolitik/models/realignment/survival_kernels.py",
    "src/realpolitik/experiment/ppf_kernels.py",
)
TESTS = (
    "tests/test_realignment_package_kernels.py",
    "tests/test_realignment_simplex_kernels.py",
    "tests/test_realignment_year_kernels.py",
    "tests/test_realignment_simhot_same.py",
    "tests/test_realignment_game_same.py",
    "tests/test_experiment_inputs_same.py",
)
BINOP = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult}
CMPOP = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
}


@dataclass(frozen=True)
class Site:
    """One mutation: the node's position in :func:`ast.walk` order and what is done to it."""

    index: int
    kind: str
    line: int


def _in_docstring_or_annotation(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    p = parents.get(node)
    while p is not None:
        if isinstance(p, (ast.arg, ast.AnnAssign)) or (
            isinstance(p, ast.FunctionDef) and node is p.returns
        ):
            return True
        p = parents.get(p)
    return False


def sites(tree: ast.Module, functions: frozenset[str] = frozenset()) -> list[Site]:
    """Every mutation site of a module, inside function bodies only (with ``functions``, only
    inside the functions of those names)."""
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    out = []
    for i, node in enumerate(ast.walk(tree)):
        defs = [p for p in _ancestors(node, parents) if isinstance(p, ast.FunctionDef)]
        if not defs or (functions and not any(d.name in functions for d in defs)):
            continue
        if _in_docstring_or_annotation(node, parents):
            continue
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.BinOp) and type(node.op) in BINOP:
            out.append(Site(i, "binop", line))
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINOP:
            out.append(Site(i, "augop", line))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in CMPOP:
            out.append(Site(i, "compare", line))
        elif isinstance(node, ast.BoolOp):
            out.append(Site(i, "boolop", line))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            out.append(Site(i, "not", line))
        elif (
            isinstance(node, ast.Constant)
            and type(node.value) in (int, float)
            and not isinstance(parents.get(node), ast.Expr)
        ):
            out.append(Site(i, "constant", line))
    return out


def _ancestors(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[ast.AST]:
    out = []
    p = parents.get(node)
    while p is not None:
        out.append(p)
        p = parents.get(p)
    return out


def mutate(source: str, site: Site) -> str:
    """The module's source with one site mutated."""
    tree = ast.parse(source)
    parents = {c: p for p in ast.walk(tree) for c in ast.iter_child_nodes(p)}
    node = list(ast.walk(tree))[site.index]
    if site.kind in ("binop", "augop"):
        node.op = BINOP[type(node.op)]()  # type: ignore[attr-defined]
    elif site.kind == "compare":
        node.ops[0] = CMPOP[type(node.ops[0])]()  # type: ignore[attr-defined]
    elif site.kind == "boolop":
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()  # type: ignore[attr-defined]
    elif site.kind == "not":
        parent = parents[node]
        for field, value in ast.iter_fields(parent):
            if value is node:
                setattr(parent, field, node.operand)  # type: ignore[attr-defined]
            elif isinstance(value, list):
                value[:] = [node.operand if v is node else v for v in value]  # type: ignore[attr-defined]
    elif site.kind == "constant":
        node.value = node.value + 1  # type: ignore[attr-defined]
    return ast.unparse(tree) + "\n"


def run_tests(src: Path) -> bool:
    """True when every kernel test passes against the source tree ``src``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(src),
        "NUMBA_DISABLE_JIT": "1",
        "REALPOLITIK_KERNELS": "compiled",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
    ]
    done = subprocess.run([*cmd, *TESTS], cwd=ROOT, env=env, capture_output=True, timeout=900)
    return done.returncode == 0


def main() -> None:
    """Parse the options, run the sample and print the scores and the survivors."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-file", type=int, default=15)
    ap.add_argument("--seed", type=int, default=20261126)
    ap.add_argument("--only", default="", help="comma-separated parts of the kernel file names")
    ap.add_argument(
        "--functions", default="", help="comma-separated kernel names: mutate only inside them"
    )
    args = ap.parse_args()
    functions = frozenset(f for f in args.functions.split(",") if f)
    wanted = [w for w in args.only.split(",") if w]
    kernels = [k for k in KERNELS if not wanted or any(w in k for w in wanted)]
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(ROOT / "src", copy, ignore=shutil.ignore_patterns("__pycache__"))
        if not run_tests(copy):
            sys.exit("the kernel tests fail on the unmutated source: fix them first")
        survivors, scores = [], []
        for rel in kernels:
            source = (ROOT / rel).read_text()
            found = sites(ast.parse(source), functions)
            if not found:
                continue
            sample = sorted(
                random.Random(args.seed).sample(found, min(args.per_file, len(found))),
                key=lambda s: s.index,
            )
            killed = 0
            target = copy / Path(rel).relative_to("src")
            for site in sample:
                mutated = mutate(source, site)
                target.write_text(mutated)
                if run_tests(copy):
                    diff = difflib.unified_diff(
                        ast.unparse(ast.parse(source)).splitlines(),
                        mutated.splitlines(),
                        lineterm="",
                        n=1,
                    )
                    survivors.append(
                        f"{rel} line {site.line} ({site.kind}):\n" + "\n".join(list(diff)[2:])
                    )
                else:
                    killed += 1
            target.write_text(source)
            scores.append((rel, len(found), len(sample), killed))
            print(f"{rel}: {len(found)} sites, {len(sample)} sampled, {killed} killed", flush=True)
        total = sum(s[2] for s in scores)
        print(f"all: {sum(s[3] for s in scores)} of {total} killed")
        for s in survivors:
            print("\nSURVIVED " + s)


if __name__ == "__main__":
    main()
