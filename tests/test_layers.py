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
