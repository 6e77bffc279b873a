"""Platforms are plug-ins: each platform's knowledge lives in its module's (or package's) `SPEC`,
the registry is the list of specs, and no other part of the application (outside the sandbox and
the demo, which play the platforms) singles a platform out by name."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from tokendeck.core.models import Platform
from tokendeck.platforms import registry
from tokendeck.platforms.spec import PlatformSpec

PACKAGE = Path(__file__).resolve().parents[2] / "app" / "tokendeck"
# Who may name a platform: its own module, the enum and names, the sandbox and demo playing it.
MAY_NAME = {"core/models.py", "demo.py"}


def test_every_platform_has_one_spec_in_its_own_module() -> None:
    assert [s.platform for s in registry.SPECS] == list(registry.BY_PLATFORM)
    assert set(registry.BY_PLATFORM) == set(Platform), "a platform without a spec"
    for spec in registry.SPECS:
        module = importlib.import_module(f"tokendeck.platforms.{spec.platform.value}")
        assert module.SPEC is spec
        assert isinstance(spec, PlatformSpec)
        assert spec.capabilities.fields or not spec.remote


def test_no_module_outside_a_platforms_own_singles_it_out() -> None:
    named: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where in MAY_NAME or where.startswith("sandbox/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "Platform"
                and node.attr in Platform.__members__
                and where != f"platforms/{Platform[node.attr].value}.py"
                and not where.startswith(f"platforms/{Platform[node.attr].value}/")
            ):
                named.append(f"{where}:{node.lineno} Platform.{node.attr}")
    assert not named, "platform knowledge outside its plug-in:\n" + "\n".join(named)


def test_the_form_rules_come_from_the_specs() -> None:
    from tokendeck.services import account_forms

    def problems(platform: Platform, inputs: dict[str, str], filled: set[str]) -> dict[str, str]:
        return account_forms.validate(
            platform, "n", "https://h.example", inputs, dict.fromkeys(filled, True)
        )

    assert "password" in problems(Platform.DATALOOP, {"username": "u"}, set())
    assert problems(Platform.DATALOOP, {}, {"api_key"}) == {}
    assert "private_key" in problems(Platform.ENCORD, {}, {"api_key"})
    assert problems(Platform.ENCORD, {"resource_hash": "h"}, {"api_key"}) == {}
    assert set(problems(Platform.VISUAL_LAYER, {}, set())) == {"api_key", "api_secret"}
    assert problems(Platform.HAUT, {"username": "u"}, set()) == {
        "password": "Password is required."
    }


def test_the_specs_load_without_the_adapters_or_the_http_stack() -> None:
    """The window, the tables and the tray ask the specs (who renews, who signs in); the
    adapters and httpx, TLS and PyJWT load with the first account that needs one."""
    import subprocess
    import sys

    probe = (
        "import sys; from tokendeck.platforms import registry; "
        "from tokendeck.services import account_forms, standing; "
        "heavy = [m for m in ('httpx', 'jwt', 'ssl', 'truststore') if m in sys.modules]; "
        "adapters = [m for m in sys.modules if m.endswith('.adapter')]; "
        "print(heavy, adapters)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[] []"


def test_every_package_of_the_source_is_listed_for_the_wheel() -> None:
    """pyproject.toml lists the packages by name: one left out is missing from every install
    (a platform moved into a package of its own would lose its adapter)."""
    import tomllib

    listed = set(
        tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text())["tool"]["setuptools"][
            "packages"
        ]
    )
    found = {
        ".".join(("tokendeck", *init.parent.relative_to(PACKAGE).parts))
        for init in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set()
