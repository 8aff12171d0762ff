"""No import cycles among ftheory modules (AST scan, imports anywhere in a module, lazy ones included).

An edge ``a -> b`` is any ``import``/``from ... import`` of module ``b`` in ``a``'s source (at module
level or inside a function), and ``importlib.import_module("b")`` with a literal name. ``from pkg
import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``; importing
``ftheory.p.m`` is also an edge to the subpackage ``ftheory.p`` (its ``__init__`` runs first), except
from inside ``ftheory.p``. The top package ``ftheory`` and the generated evaluators are skipped as
parents.
Run as a script to print the graph's cycles.
"""
from __future__ import annotations

import ast
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1] / "ftheory"
SKIP = ("ftheory._generated",)


def modules(root=ROOT) -> dict:
    """``module name -> path`` for every .py file of the package."""
    out = {}
    for path in root.rglob("*.py"):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        name = ".".join(parts)
        if not name.startswith(SKIP):
            out[name] = path
    return out


def _resolve(name: str, mods: dict):
    while name and name not in mods:
        name = name.rpartition(".")[0]
    return name or None


def edges(mods=None) -> dict:
    """``module -> set of ftheory modules it imports``."""
    mods = modules() if mods is None else mods
    graph = {m: set() for m in mods}
    for mod, path in mods.items():
        package = mod if path.name == "__init__.py" else mod.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in mods else base for a in node.names]
            elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) ==
                  "import_module" and node.args and isinstance(node.args[0], ast.Constant)):
                targets = [node.args[0].value]
            for t in targets:
                if isinstance(t, str) and t.startswith("ftheory") and not t.startswith(SKIP):
                    r = _resolve(t, mods)
                    if r and r != mod:
                        graph[mod].add(r)
                    # importing ftheory.a.b runs ftheory/a/__init__.py first (unless mod is inside ftheory.a)
                    parent = r.rpartition(".")[0] if r else ""
                    while parent.count(".") >= 1 and not mod.startswith(parent + ".") and mod != parent:
                        graph[mod].add(parent)
                        parent = parent.rpartition(".")[0]
    return graph


def cycles(graph=None) -> list:
    """Strongly connected components with more than one module (each a list of module names)."""
    graph = edges() if graph is None else graph
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):  # Tarjan, recursive (the graph is small)
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
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

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    assert cycles() == []


def test_the_detector_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_theory_and_simulate_do_not_import_each_other():
    g = edges()
    for a, b in (("ftheory.theory", "ftheory.simulate"), ("ftheory.simulate", "ftheory.theory")):
        bad = {(m, t) for m, ts in g.items() if m.startswith(a) for t in ts if t.startswith(b)}
        assert bad == set()


if __name__ == "__main__":
    found = cycles()
    g = edges()
    for comp in found:
        print("cycle:", ", ".join(comp))
        for m in comp:
            print("   ", m, "->", ", ".join(sorted(t for t in g[m] if t in comp)))
    sys.exit(1 if found else 0)
