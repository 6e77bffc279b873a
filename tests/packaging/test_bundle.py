"""The standalone Linux bundle (PyInstaller, one folder in a tarball): only the Qt plugins it
needs, and, unpacked as a user would, it runs on the real desktop of scripts/desktop-session."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from tests.packaging.built import VERSION, Built, bundle_contents
from tests.packaging.smoke import check_commands, seconds_to_window

keep = bundle_contents.keep

pytestmark = pytest.mark.e2e


def test_the_bundle_holds_the_qt_plugins_it_needs_and_no_others(built: Built) -> None:
    with tarfile.open(built.bundle) as tar:
        names = tar.getnames()
    top = f"tokendeck-{VERSION}"
    assert f"{top}/tokendeck" in names
    plugins = [n for n in names if "/plugins/" in n and n.endswith(".so")]
    assert plugins, "no Qt plugins in the bundle"
    assert [p for p in plugins if not keep(p)] == []
    for needed in (
        "platforms/libqxcb.so",
        "platforms/libqwayland.so",
        "iconengines/libqsvgicon.so",
        "imageformats/libqsvg.so",
        "xcbglintegrations/libqxcb-glx-integration.so",
        "platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    ):
        assert any(p.endswith(needed) for p in plugins), needed
    libraries = {Path(n).name for n in names}
    assert "libgtk-3.so.0" not in libraries  # only the GTK theme plugin, dropped, needed it
    assert "libQt6Pdf.so.6" not in libraries
    for desktop_file in (
        "share/applications/tokendeck.desktop",
        "share/metainfo/io.github.tokendeck.TokenDeck.metainfo.xml",
        "share/icons/hicolor/scalable/apps/tokendeck.svg",
        "share/icons/hicolor/48x48/apps/tokendeck.png",
        "LICENSE",
    ):
        assert f"{top}/{desktop_file}" in names, desktop_file
    modules = built.bundle_modules
    for needed in (
        "'desktop_notifier.resources'",  # read at import: not seen by PyInstaller's scan
        "'desktop_notifier.backends.dbus'",
        "'dbus_fast.aio'",
        "'keyring.backends.SecretService'",
        "'secretstorage'",
        "'truststore'",
        "'tokendeck.ui.main_window'",
    ):
        assert needed in modules, needed
    from tokendeck.platforms.registry import SPECS

    for spec in SPECS:  # each adapter is imported inside its spec's maker, not at the top
        if spec.remote:
            adapter = f"'tokendeck.platforms.{spec.platform.value}.adapter'"
            assert adapter in modules, adapter
    for left_out in ("'tokendeck.sandbox", "'starlette", "'uvicorn", "'pytest", "'tests."):
        assert left_out not in modules, left_out


def test_the_unpacked_bundle_runs_window_tray_keyring_and_quits(
    built: Built, tmp_path: Path
) -> None:
    folder = built.unpack_bundle(tmp_path / "unpacked")
    command = [str(folder / "tokendeck")]
    check_commands(command, VERSION)
    demo = subprocess.run(
        [*command, "--demo"], capture_output=True, text=True, timeout=60, check=False
    )
    assert demo.returncode == 1
    assert "standalone build leaves out the sandbox" in demo.stderr
    seconds_to_window(command, tmp_path / "profile")
