"""The layer rule: ui -> services -> (platforms, storage) -> core, checked on every import form;
and ui reaches services only through the door (`UI_MAY_USE`).

Every import counts, wherever it is written: `import a.b`, `from a import b` (where `b` may be a
module), relative imports at any depth, and imports inside functions or `if TYPE_CHECKING:` blocks.
Each is resolved to the full names it can load before the rule is applied.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "tokendeck"

# What each layer may import from tokendeck (besides itself) and which third-party roots it may not.
# A name under tokendeck that is not a layer (cli, bootstrap, the commands) is the application's
# top, which no layer may import.
ALLOWED = {
    "core": set(),
    "platforms": {"core"},
    "storage": {"core"},
    "services": {"core", "platforms", "storage"},
    "ui": {"core", "services"},
    "sandbox": {"core"},
}
# The window reaches the engine through one door (services/door.py): of the services layer, ui
# may import only the door and the plain read models and texts it hands out, never the engine's
# parts (app_services, accounts, tokens, store_move, the scheduler...).
UI_MAY_USE = {
    "tokendeck.services",  # the package itself (`from tokendeck.services import x` names it)
    "tokendeck.services.door",  # the one door: typed verbs, read models, subscribe
    "tokendeck.services.events",  # what the engine publishes (ui/wiring.py subscribes)
    "tokendeck.services.standing",  # HeldCredential and how a held credential is judged
    "tokendeck.services.notices",  # the text of a notification
    "tokendeck.services.account_forms",  # each platform's form fields and their validation
    "tokendeck.services.store_choice",  # VaultAction / VaultPrompt: the vault password dialog
    "tokendeck.services.key_lookup",  # the Inspector's key fetcher (no catalog, no secrets)
    "tokendeck.services.signature_check",  # checking a signature, as `tokendeck inspect` does
    "tokendeck.services.activity",  # the Activity window's rows, filter and CSV (no catalog)
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
    # starlette / uvicorn are the sandbox's optional extra: only the sandbox imports them.
    "platforms": {"PySide6", "qasync", "keyring", "sqlite3", "starlette", "uvicorn"},
    "storage": {"PySide6", "qasync", "httpx", "starlette", "uvicorn"},
    "services": {"PySide6", "qasync", "starlette", "uvicorn"},
    "sandbox": {"PySide6", "qasync", "keyring"},
    "ui": {"keyring", "sqlite3", "starlette", "uvicorn"},
}


def _module_name(path: Path, package: Path) -> tuple[str, bool]:
    """The dotted name of a source file and whether it is a package's `__init__`."""
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    is_init = parts[-1] == "__init__"
    if is_init:
        parts.pop()
    return ".".join(parts), is_init


def imported_names(path: Path, package: Path = PACKAGE) -> set[str]:
    """Every module name an import in `path` may load, relative imports resolved.

    `from a import b` yields `a`, and `a.b` too when `b` is a module (importing it runs `a`).
    """
    module, is_init = _module_name(path, package)
    own_package = module if is_init else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = own_package.split(".")
                up = node.level - 1
                if up >= len(base_parts):
                    names.add(f"<beyond the top package: level {node.level} in {module}>")
                    continue
                base = ".".join(base_parts[: len(base_parts) - up])
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            names.add(target)
            names.update(
                f"{target}.{alias.name}"
                for alias in node.names
                if _is_module(f"{target}.{alias.name}", package)
            )
    return names


def _is_module(name: str, package: Path) -> bool:
    """Whether a dotted name under tokendeck is a module or package (not a name defined in one)."""
    parts = name.split(".")
    if parts[0] != package.name:
        return True  # third party: only its root is judged
    path = package.parent.joinpath(*parts)
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _layer_of(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if parts[0] == "tokendeck" and len(parts) > 1 else None


def layer_violations(package: Path = PACKAGE) -> list[str]:
    """Every import in `package` that breaks the rule, as readable lines."""
    broken = []
    for layer in sorted(ALLOWED):
        for path in sorted((package / layer).rglob("*.py")):
            where = path.relative_to(package)
            for name in sorted(imported_names(path, package)):
                root = name.split(".")[0]
                if name.startswith("<"):
                    broken.append(f"{where}: {name}")
                elif root == "tokendeck":
                    target = _layer_of(name)
                    if target is None:
                        continue  # `from tokendeck import x` also yields tokendeck.x, judged there
                    if target != layer and target not in ALLOWED[layer]:
                        broken.append(f"{where} imports {name}")
                    elif layer == "ui" and target == "services" and name not in UI_MAY_USE:
                        broken.append(f"{where} reaches past the door: imports {name}")
                elif root in FORBIDDEN_THIRD_PARTY[layer]:
                    broken.append(f"{where} imports {name}")
    return broken


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_every_layer_has_modules(layer: str) -> None:
    assert sorted((PACKAGE / layer).rglob("*.py")), f"layer {layer} has no modules"


def test_no_layer_imports_what_it_may_not() -> None:
    broken = layer_violations()
    assert not broken, "layer rule broken:\n" + "\n".join(broken)


VIOLATIONS = {
    "relative": ("core/_planted.py", "from ..ui import tray\n", "tokendeck.ui.tray"),
    "relative module": ("core/_planted.py", "from ..ui.tray import X\n", "tokendeck.ui.tray"),
    "from package import module": (
        "storage/_planted.py",
        "from tokendeck import services\n",
        "tokendeck.services",
    ),
    "plain import": (
        "platforms/_planted.py",
        "import tokendeck.storage.vault\n",
        "tokendeck.storage.vault",
    ),
    "inside a function": (
        "services/_planted.py",
        "def f():\n    from tokendeck.ui import main_window\n",
        "tokendeck.ui",
    ),
    "type checking only": (
        "core/_planted.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..platforms.base import Field\n",
        "tokendeck.platforms",
    ),
    "the application's top": ("ui/_planted.py", "from ..bootstrap import start\n", "bootstrap"),
    "forbidden third party": ("core/_planted.py", "def f():\n    import httpx\n", "httpx"),
    "past the door": (
        "ui/_planted.py",
        "from tokendeck.services.accounts import AccountsService\n",
        "tokendeck.services.accounts",
    ),
    "past the door, for types only": (
        "ui/_planted.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from ..services.app_services import AppServices\n",
        "tokendeck.services.app_services",
    ),
    "deeper package": (
        "ui/_planted_pkg/__init__.py",
        "from ...storage import catalog\n",
        "tokendeck.storage",
    ),
}


@pytest.mark.parametrize("kind", sorted(VIOLATIONS))
def test_the_rule_fails_on_a_planted_violation(kind: str, tmp_path: Path) -> None:
    """A copy of the real package with one bad import added: the rule must name it."""
    copy = tmp_path / "tokendeck"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert layer_violations(copy) == [], "the copy must start clean"
    relative, source, expected = VIOLATIONS[kind]
    planted = copy / relative
    planted.parent.mkdir(exist_ok=True)
    planted.write_text(source, encoding="utf-8")
    broken = layer_violations(copy)
    assert broken, f"a {kind} import was not caught"
    assert all(line.startswith(relative) for line in broken), broken
    assert any(expected in line for line in broken), broken


def test_relative_imports_resolve_from_the_importing_package(tmp_path: Path) -> None:
    package = tmp_path / "tokendeck"
    (package / "ui").mkdir(parents=True)
    module = package / "ui" / "x.py"
    module.write_text("from . import tray\nfrom .. import core\nfrom ..core.time import now\n")
    (package / "__init__.py").write_text("")
    (package / "ui" / "tray.py").write_text("")
    (package / "core").mkdir()
    (package / "core" / "__init__.py").write_text("")
    (package / "core" / "time.py").write_text("now = 1\n")
    init = package / "ui" / "__init__.py"
    init.write_text("from . import tray\n")
    assert imported_names(module, package) == {
        "tokendeck.ui",
        "tokendeck.ui.tray",
        "tokendeck",
        "tokendeck.core",
        "tokendeck.core.time",
    }
    assert imported_names(init, package) == {"tokendeck.ui", "tokendeck.ui.tray"}
