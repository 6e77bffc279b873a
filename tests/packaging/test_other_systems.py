"""What this machine can check of the Windows and macOS builds, which are defined here but built
and run elsewhere (.github/workflows/bundles.yml, not tested by this project's CI): every file the
workflow and the PyInstaller spec name exists, the icons they use are what they claim, and the
workflow's smoke token reads as the step expects."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "bundles.yml"
SPEC = ROOT / "packaging" / "pyinstaller" / "tokendeck.spec"


def test_every_file_the_workflow_and_the_spec_name_exists() -> None:
    text = WORKFLOW.read_text() + SPEC.read_text()
    named = set(re.findall(r"\b((?:packaging|resources)/[\w./-]+\.\w+|requirements\.lock)\b", text))
    assert "packaging/pyinstaller/tokendeck.spec" in named
    assert "packaging/windows" in text and "packaging/macos" in text
    assert [path for path in sorted(named) if not (ROOT / path).exists()] == []
    for icon in ("windows/tokendeck.ico", "macos/tokendeck.icns"):
        assert f'"{icon.split("/")[0]}" / "{icon.split("/")[1]}"' in SPEC.read_text()


def _pins(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==([^\s\\]+)", path.read_text(), re.M))


OTHER_SYSTEMS = {
    "windows": {"pywin32-ctypes", "winrt-windows-ui-notifications", "pefile"},
    "macos": {"rubicon-objc", "macholib"},
}
LINUX_ONLY = {"secretstorage", "jeepney", "dbus-fast"}


@pytest.mark.parametrize("system", sorted(OTHER_SYSTEMS))
def test_the_other_systems_locks_pin_the_same_versions_and_their_own_packages(
    system: str,
) -> None:
    """What the workflow installs on Windows and macOS (packaging/lock-other-systems) is what
    Linux is built from, plus what only that system needs, and nothing only Linux uses."""
    folder = ROOT / "packaging" / system
    runtime = _pins(folder / "requirements.lock")
    tools = _pins(folder / "build-requirements.lock")
    for mine, linux in (
        (runtime, _pins(ROOT / "requirements.lock")),
        (tools, _pins(ROOT / "packaging" / "build-requirements.txt")),
    ):
        assert {n: (v, linux[n]) for n, v in mine.items() if n in linux and linux[n] != v} == {}
    assert OTHER_SYSTEMS[system] <= set(runtime) | set(tools)
    assert LINUX_ONLY & set(runtime) == set()
    assert "--hash=sha256:" in (folder / "requirements.lock").read_text()


def test_the_system_icons_are_what_their_names_say() -> None:
    ico = (ROOT / "packaging" / "windows" / "tokendeck.ico").read_bytes()
    assert ico[:4] == b"\x00\x00\x01\x00"  # ICONDIR, type 1 (icon)
    assert ico[6] == 0  # its first image: 256 px (written as 0)
    icns = (ROOT / "packaging" / "macos" / "tokendeck.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert int.from_bytes(icns[4:8], "big") == len(icns)


def test_the_workflows_smoke_token_reads_as_the_step_expects() -> None:
    [token] = re.findall(r"token='([^']+)'", WORKFLOW.read_text())
    done = subprocess.run(
        [sys.executable, "-m", "tokendeck", "inspect", "-"],
        input=token, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2100-01-01" in done.stdout
