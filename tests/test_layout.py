"""The library's layout keeps its rules: small modules and classes, no import circle,
kb/ never importing app/, SPARQL text only in the query module and the stores,
IRIs only in kb/namespaces.py (see ARCHITECTURE.md)."""

import ast
import re
from collections import defaultdict
from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "kb"


def modules() -> dict:
    out = {}
    for p in KB.rglob("*.py"):
        parts = list(p.relative_to(KB.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = p
    return out


def imports(name: str, path: Path, known: dict) -> set:
    """The kb modules a module imports (``from . import x`` of a submodule counts as x only)."""
    pkg = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            subs = {f"{target}.{a.name}" for a in node.names} & set(known)
            out |= subs or ({target} & set(known))
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names} & set(known)
    return out - {name}


def test_no_module_over_600_lines_and_no_class_over_40_methods():
    for name, path in modules().items():
        text = path.read_text()
        assert text.count("\n") <= 600, f"{name} has {text.count(chr(10))} lines"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef):
                methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
                assert len(methods) <= 40, f"{name}.{node.name} has {len(methods)} methods"


def test_no_import_circle_and_the_library_never_imports_the_app():
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    for name, path in known.items():
        if name != "kb.cli":  # the command line is a face of its own, like app/
            assert "from app" not in path.read_text() and "import app" not in path.read_text(), name
    state: dict = defaultdict(int)

    def visit(node, trail):
        state[node] = 1
        for nxt in graph[node]:
            assert state[nxt] != 1, "import circle: " + " -> ".join(trail + [node, nxt])
            if not state[nxt]:
                visit(nxt, trail + [node])
        state[node] = 2

    for name in graph:
        if not state[name]:
            visit(name, [])


SPARQL = re.compile(r"\b(SELECT (?:DISTINCT )?\?[A-Za-z_]|CONSTRUCT \{|ASK \{|INSERT DATA|DELETE DATA|GRAPH <|FILTER NOT EXISTS)")
IRI = re.compile(r"[\"']https?://")


def test_query_text_and_iris_each_have_one_home():
    for name, path in modules().items():
        text = path.read_text()
        if name not in ("kb.queries", "kb.sparql") and not name.startswith("kb.stores"):
            assert not SPARQL.search(text), f"SPARQL text in {name}: {SPARQL.search(text).group(0)}"
        if name != "kb.namespaces":
            found = [line for line in text.splitlines() if IRI.search(line) and "startswith" not in line]
            assert not found, f"IRI strings in {name}: {found}"
