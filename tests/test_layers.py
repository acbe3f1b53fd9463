"""The package's layers: no import cycles among cxsim modules, and no import against the layer order.

Layers, bottom to top (the rule is also stated in ``cxsim/specs/__init__.py``):
utilities (errors, files, draws ...) -> specs -> behaviour -> engine (with operations and plots)
-> analysis (fit, teach, compare, sweep, sensitivity, the Hydra config helpers) -> cli.

The check reads the source with :mod:`ast`: module-level imports and imports inside functions both
count as dependencies (a deferred import is still a dependency); imports under
``if TYPE_CHECKING:`` do not (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import cxsim

PACKAGE_DIR = Path(cxsim.__file__).resolve().parent
PACKAGE = PACKAGE_DIR.name

#: Layers bottom to top; a module belongs to the layer of its longest matching prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("utilities", ("cxsim.errors", "cxsim.extras", "cxsim.exports", "cxsim.files", "cxsim.figures", "cxsim.draws", "cxsim.quantile",
                   "cxsim.sums", "cxsim.prefetch", "cxsim.workers", "cxsim.progress", "cxsim.locks", "cxsim.file_sets", "cxsim.yaml_files")),
    ("specs", ("cxsim.specs", "cxsim.intervention", "cxsim.portfolio", "cxsim.operations.spec")),
    ("behaviour", ("cxsim.behaviour",)),
    ("engine", ("cxsim.engine", "cxsim.operations", "cxsim.plots", "cxsim.execution")),
    ("analysis", ("cxsim.fit", "cxsim.teach", "cxsim.compare", "cxsim.sweep", "cxsim.sensitivity",
                  "cxsim.config", "cxsim.ratio", "cxsim.selection", "cxsim.evaluation", "cxsim.objectives",
                  "cxsim.optimise", "cxsim.robustness", "cxsim.report", "cxsim.datasets", "cxsim.resources",
                  "cxsim.sanity")),
    ("cli", ("cxsim.cli",)),
    ("package", ("cxsim",)),  # the top-level __init__: lazy exports of every layer
)

#: Imports allowed against the layer order or in a cycle, each with its reason.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    # memory registry: specs of memory models, moved by the registry change
    ("cxsim.specs.build", "cxsim.behaviour.memory"): "memory registry",
    ("cxsim.specs.population", "cxsim.behaviour.memory"): "memory registry",
    ("cxsim.specs.scenario", "cxsim.behaviour.memory"): "memory registry",
}


def _modules() -> dict[str, Path]:
    mods = {}
    for f in PACKAGE_DIR.rglob("*.py"):
        parts = list(f.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = f
    return mods


def _absolute(node: ast.ImportFrom, module: str, is_pkg: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, in_function: bool = False):  # type: ignore[no-untyped-def]
    """Yield ``(import node, inside a function)`` for every import, skipping TYPE_CHECKING blocks."""
    for node in ast.iter_child_nodes(tree):
        if _is_type_checking(node):
            yield from ((n, f) for o in node.orelse for n, f in _imports(o, in_function))  # type: ignore[attr-defined]
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node, in_function
        else:
            inner = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from _imports(node, inner)


def module_edges() -> dict[str, set[tuple[str, bool]]]:
    """For every cxsim module, the cxsim modules it imports, each with ``True`` if inside a function."""
    mods = _modules()
    edges: dict[str, set[tuple[str, bool]]] = {m: set() for m in mods}
    for m, f in mods.items():
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node, local in _imports(tree):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                base = _absolute(node, m, f.name == "__init__.py")
                if base == "__future__":
                    continue
                # ``from pkg import submodule`` depends on the submodule; ``from mod import name``
                # on the module that defines the name
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            for name in targets:
                t = name
                while t and t not in mods:
                    t = t.rpartition(".")[0]
                if t and t != m and t.split(".")[0] == PACKAGE:
                    edges[m].add((t, local))
    return edges


def _graph(edges: dict[str, set[tuple[str, bool]]]) -> dict[str, set[str]]:
    return {m: {t for t, _ in ts if (m, t) not in KNOWN_EXCEPTIONS} for m, ts in edges.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), iteratively."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def layer_of(module: str) -> int:
    """The index in :data:`LAYERS` of a module's layer (longest matching prefix)."""
    best, best_len = -1, -1
    for k, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and len(p) > best_len:
                best, best_len = k, len(p)
    return best


def test_every_module_has_a_layer() -> None:
    unplaced = [m for m in _modules() if layer_of(m) < 0]
    assert not unplaced, f"modules in no layer of LAYERS: {unplaced}"


def test_no_import_cycles() -> None:
    found = cycles(_graph(module_edges()))
    assert not found, "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


def test_imports_follow_the_layer_order() -> None:
    bad = []
    for m, targets in _graph(module_edges()).items():
        for t in targets:
            if layer_of(t) > layer_of(m):
                bad.append(f"{m} ({LAYERS[layer_of(m)][0]}) imports {t} ({LAYERS[layer_of(t)][0]})")
    assert not bad, "imports against the layer order:\n" + "\n".join(sorted(bad))


def test_the_checks_can_fail() -> None:
    """The cycle and layer checks find a planted cycle and a planted upward import."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert layer_of("cxsim.specs.build") < layer_of("cxsim.engine.run") < layer_of("cxsim.cli.main")
    assert layer_of("cxsim.operations.spec") < layer_of("cxsim.operations.runner")


def test_known_exceptions_are_still_needed() -> None:
    """An exception whose import is gone must be deleted from the table."""
    edges = module_edges()
    stale = [pair for pair in KNOWN_EXCEPTIONS if pair[1] not in {t for t, _ in edges.get(pair[0], ())}]
    assert not stale, f"KNOWN_EXCEPTIONS no longer needed, delete them: {stale}"
