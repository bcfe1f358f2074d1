"""The layout shows the layers: no import cycles anywhere in portal/ (the contracts in
pyproject.toml, run by `make lint`, say which way imports go)."""

from __future__ import annotations

import grimp


def test_portal_has_no_import_cycles():
    """No module reaches back to one that imports it, function-level imports included."""
    graph = grimp.build_graph("portal")
    cycles = sorted(
        (importer, imported)
        for importer in graph.modules
        for imported in graph.find_modules_directly_imported_by(importer)
        if graph.chain_exists(importer=imported, imported=importer)
    )
    assert cycles == []


# Functions allowed past 50 lines, each with its reason (none today; keep it short).
LONG_FUNCTIONS_ALLOWED: dict[str, str] = {}


def test_functions_stay_short():
    """A function over 50 lines holds several steps that want names of their own."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "portal"
    long = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{path.relative_to(root.parent)}:{node.name}"
                if node.end_lineno - node.lineno + 1 > 50 and name not in LONG_FUNCTIONS_ALLOWED:
                    long.append(name)
    assert long == []
