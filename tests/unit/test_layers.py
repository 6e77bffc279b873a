"""The layer rule: ui -> services -> (platforms, storage) -> core, checked on every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "tokendeck"

# What each layer may import from tokendeck (besides itself) and which third-party roots it may not.
ALLOWED = {
    "core": set(),
    "platforms": {"core"},
    "storage": {"core"},
    "services": {"core", "platforms", "storage"},
    "ui": {"core", "services"},
    "sandbox": {"core"},
}
FORBIDDEN_THIRD_PARTY = {
    "core": {
        "PySide6",
        "qasync",
        "httpx",
        "keyring",
        "sqlite3",
        "starlette",
        "uvicorn",
        "platformdirs",
    },
    "platforms": {"PySide6", "qasync", "keyring", "sqlite3"},
    "storage": {"PySide6", "qasync", "httpx"},
    "services": {"PySide6", "qasync"},
    "sandbox": {"PySide6", "qasync", "keyring"},
    "ui": {"keyring", "sqlite3"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    assert _modules(layer), f"layer {layer} has no modules"
    broken = []
    for path in _modules(layer):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "tokendeck" and len(parts) > 1:
                target = parts[1]
                if target != layer and target not in ALLOWED[layer]:
                    broken.append(f"{path.relative_to(PACKAGE)} imports {name}")
            elif parts[0] in FORBIDDEN_THIRD_PARTY[layer]:
                broken.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not broken, "layer rule broken:\n" + "\n".join(broken)


def test_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport tokendeck.ui.tray\n")
    assert _imports(bad) == {"PySide6.QtCore", "tokendeck.ui.tray"}
