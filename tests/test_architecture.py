"""The layering of docs/explanation/architecture.md holds: every import of every module (lazy ones
inside functions and ``TYPE_CHECKING`` blocks included) goes down the layers or stays within one,
and no modules import each other in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "realpolitik"

#: Modules at the base: anyone may import them; they import only each other.
BASE = {
    "realpolitik.errors",
    "realpolitik.rng",
    "realpolitik.version",
    "realpolitik.jsonio",
    "realpolitik.references",
    "realpolitik.hooks",
    "realpolitik._numba",
    "realpolitik.kernel_choice",
}
#: The layers, bottom up. A module may import its own layer, lower layers and the base.
LAYERS = {
    "scenario": 0,
    "models": 1,
    "experiment": 2,
    "data": 3,
    "evidence": 3,
    "report": 4,
    "app": 5,
    "cli": 5,
}
#: The package root (``realpolitik.load``), the notebook verbs and ``python -m realpolitik`` sit on
#: top.
TOP = 6
#: What the experiment layer may import from the models: the registry and the result types.
EXPERIMENT_SEES_OF_MODELS = {
    "realpolitik.models",
    "realpolitik.models.registry",
    "realpolitik.models.results",
}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports(name: str) -> set[str]:
    """Every module of ours that ``name`` imports, wherever the import statement is."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("realpolitik")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if not module.startswith("realpolitik"):
                continue
            submodules = {f"{module}.{a.name}" for a in node.names} & set(MODULES)
            found |= submodules or {module}
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: imports(name) for name in MODULES}


def layer(name: str) -> int:
    if name in BASE:
        return -1
    parts = name.split(".")
    if len(parts) == 1 or parts[1] in ("__main__", "notebook"):
        return TOP
    return LAYERS[parts[1]]


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        layer(name)  # raises KeyError for a folder the architecture does not name


def test_no_import_goes_up_a_layer() -> None:
    upward = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        for t in targets
        if layer(t) > layer(m) or (m in BASE and t not in BASE)
    )
    assert not upward, "imports that go up a layer:\n" + "\n".join(upward)


def test_experiment_sees_models_only_through_the_registry() -> None:
    bad = sorted(
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if m.startswith("realpolitik.experiment")
        for t in targets
        if t.startswith("realpolitik.models") and t not in EXPERIMENT_SEES_OF_MODELS
    )
    assert not bad, "\n".join(bad)


def test_no_import_cycles() -> None:
    # Tarjan's strongly connected components; a component of more than one module is a cycle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


def test_the_graph_sees_lazy_imports() -> None:
    """A check of the checker: an import inside a function body is an edge."""
    assert "realpolitik.models.registry" in GRAPH["realpolitik.experiment.scenario_experiment"]


def test_no_two_types_share_a_name() -> None:
    """One name per concept: no two public classes of the package are called the same."""
    where: dict[str, list[str]] = {}
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                where.setdefault(node.name, []).append(name)
    shared = {k: v for k, v in where.items() if len(v) > 1}
    assert not shared, shared


def test_the_experiment_layer_names_no_model() -> None:
    """No string in ``experiment/`` is a registered model's name: the layer finds its models
    through the scenario's declared outcomes and the registry (docstrings may mention them)."""
    from realpolitik.models import registry

    names = set(registry.available())
    found = sorted(
        f"{name}:{node.lineno}: {node.value!r}"
        for name, path in MODULES.items()
        if name.startswith("realpolitik.experiment")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    )
    assert not found, "model names in the experiment layer:\n" + "\n".join(found)
