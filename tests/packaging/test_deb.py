"""The Debian package, installed with apt on this machine and removed again: the command, the
menu entry, the icons and the AppStream metainfo where a desktop looks for them, each valid, and
the installed app runs on the real desktop of scripts/desktop-session."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import need_tools
from tests.packaging.built import VERSION, Built
from tests.packaging.smoke import check_commands, seconds_to_window

pytestmark = pytest.mark.e2e

INSTALLED = (
    "/usr/bin/tokendeck",
    "/usr/lib/tokendeck/tokendeck",
    "/usr/share/applications/tokendeck.desktop",
    "/usr/share/metainfo/io.github.tokendeck.TokenDeck.metainfo.xml",
    "/usr/share/icons/hicolor/scalable/apps/tokendeck.svg",
    *(f"/usr/share/icons/hicolor/{s}x{s}/apps/tokendeck.png" for s in (16, 32, 48, 64, 128, 256)),
    "/usr/share/doc/tokendeck/copyright",
)


def _dpkg_status() -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status} ${Version}", "tokendeck"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    return done.stdout if done.returncode == 0 else ""


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["apt-get", "-y", "-q", "--no-install-recommends", *args],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )  # fmt: skip


@pytest.fixture
def installed(built: Built) -> Iterator[Path]:
    need_tools("apt-get", "dpkg-query", "desktop-file-validate", "appstreamcli")
    if os.geteuid() != 0:
        pytest.fail("installing the .deb needs root (CI and scripts/test run as root)")
    assert "install ok installed" not in _dpkg_status(), (
        "a tokendeck package is already installed on this machine: not touching it"
    )
    try:
        done = _apt("install", str(built.deb.resolve()))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        yield Path("/usr/bin/tokendeck")
    finally:
        if _dpkg_status():  # installed, half installed, or its config files left: all of it
            _apt("remove", "--purge", "tokendeck")


def test_the_deb_installs_runs_and_removes_cleanly(installed: Path, tmp_path: Path) -> None:
    assert _dpkg_status() == f"install ok installed {VERSION}"
    for path in INSTALLED:
        assert Path(path).exists(), path
    assert os.path.realpath(installed) == "/usr/lib/tokendeck/tokendeck"
    for check in (
        ["desktop-file-validate", "/usr/share/applications/tokendeck.desktop"],
        ["appstreamcli", "validate", "--no-net",
         "/usr/share/metainfo/io.github.tokendeck.TokenDeck.metainfo.xml"],
    ):  # fmt: skip
        done = subprocess.run(check, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
    assert shutil.which("tokendeck", path="/usr/bin") == "/usr/bin/tokendeck"
    check_commands([str(installed)], VERSION)
    seconds_to_window([str(installed)], tmp_path / "profile")

    done = _apt("remove", "--purge", "tokendeck")
    assert done.returncode == 0, done.stderr
    assert _dpkg_status() in ("", "deinstall ok config-files " + VERSION)
    assert [path for path in INSTALLED if Path(path).exists()] == []
    assert not Path("/usr/lib/tokendeck").exists()
