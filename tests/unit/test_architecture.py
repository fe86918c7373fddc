"""The import rules of docs/architecture.md: each layer talks only to the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "socialdesk"

# layer -> socialdesk packages it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "channels": {"core"},
    "triage": {"core"},
    "routing": {"core"},
    "importers": {"core", "channels"},
    "store": {"core", "channels"},
    "bus": {"core"},
}


def imported_layers(path: Path) -> set[str]:
    layers = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "socialdesk" and len(parts) > 1:
                layers.add(parts[1])
    return layers


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    for path in (PACKAGE / layer).rglob("*.py"):
        extra = imported_layers(path) - ALLOWED[layer] - {layer}
        assert not extra, f"{path.relative_to(PACKAGE.parent)} imports {sorted(extra)}"


def test_web_writes_only_through_pipeline_and_accounts() -> None:
    """Pages and API never touch the ORM models directly: they read through repos, write through pipeline."""
    for path in (PACKAGE / "web").rglob("*.py"):
        source = path.read_text()
        assert "socialdesk.store.models" not in source, f"{path.name} imports the models"
