"""No import cycle among dvcore's modules, deferred imports included (DESIGN.md §3).

Every ``import dvcore…`` and ``from dvcore… import …`` in every module under
``src/dvcore`` is an edge, wherever it stands: at module level, inside a function or a
method, under ``try``. ``from dvcore.x import name`` points at ``dvcore.x.name`` when that
is a module, else at ``dvcore.x``.

Two kinds of import are not edges:

- imports under ``if TYPE_CHECKING:``: they never run, so they cannot make a cycle at
  import time, and a type named in an annotation does not make one layer depend on
  another's code;
- the parent packages Python imports on the way (``import dvcore.store.sql`` runs
  ``dvcore/__init__.py`` and ``dvcore/store/__init__.py``): every module would otherwise
  depend on the facade, which imports everything.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"

#: Cycles known today, each with the issue that removes it. Empty: keep it so.
KNOWN_CYCLES: list[frozenset[str]] = []


def _modules() -> dict[str, tuple[Path, bool]]:
    modules = {}
    for path in sorted((SRC / "dvcore").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        modules[".".join(parts)] = (path, is_package)
    return modules


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, is_package: bool, tree: ast.AST, known: set[str]) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for other in child.orelse:  # the ``else:`` of TYPE_CHECKING does run
                    visit_one(other)
                continue
            visit_one(child)

    def visit_one(child: ast.AST) -> None:
        if isinstance(child, ast.Import):
            found.update(alias.name for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            if child.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (child.level - 1)]
                name = ".".join([*base, *([child.module] if child.module else [])])
            else:
                name = child.module or ""
            for alias in child.names:
                sub = f"{name}.{alias.name}"
                found.add(sub if sub in known else name)
        visit(child)

    visit(tree)
    return {name for name in found if name in known and name != module}


def import_graph() -> dict[str, set[str]]:
    """Each dvcore module and the dvcore modules it imports."""
    modules = _modules()
    known = set(modules)
    return {
        name: _imports(name, is_package, ast.parse(path.read_text(encoding="utf-8")), known)
        for name, (path, is_package) in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[frozenset[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(frozenset(component))
    return found


def _path(graph: dict[str, set[str]], component: frozenset[str]) -> list[str]:
    """One cycle through ``component``, as the modules it passes, for the failure message."""
    start = min(component)
    previous: dict[str, str] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child in sorted(graph[node] & component):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start] if node != start else [start, start]
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return sorted(component)


def test_the_graph_sees_deferred_imports_and_skips_type_checking() -> None:
    graph = import_graph()
    # a deferred import (inside a function) counts
    assert "dvcore._builtin.csv_channel" in graph["dvcore._builtin"]
    # an import under TYPE_CHECKING does not (batch.py names Store in annotations only)
    assert "dvcore.store.sql" not in graph["dvcore.store.batch"]
    assert "dvcore.store.batch" in graph["dvcore.store.sql"]


def test_cycles_finds_a_cycle_and_names_it() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [frozenset({"a", "b", "c"})]
    assert _path(graph, frozenset({"a", "b", "c"})) == ["a", "b", "c", "a"]


def test_no_import_cycle() -> None:
    graph = import_graph()
    found = [c for c in cycles(graph) if c not in KNOWN_CYCLES]
    message = "\n".join(" -> ".join(_path(graph, c)) for c in found)
    assert not found, f"import cycles among dvcore's modules:\n{message}"


def test_the_store_does_not_import_the_registry() -> None:
    graph = import_graph()
    store = [name for name in graph if name == "dvcore.store" or name.startswith("dvcore.store.")]
    for name in store:
        assert not graph[name] & {"dvcore.registry", "dvcore._open", "dvcore"}, name
