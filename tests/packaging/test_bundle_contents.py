"""The bundle's Qt plugin rule (packaging/bundle_contents.py), on the paths PyInstaller gives."""

from __future__ import annotations

import pytest

from tests.packaging.built import bundle_contents

keep = bundle_contents.keep
kept_binaries = bundle_contents.kept_binaries

PLUGINS = "PySide6/Qt/plugins"


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        (f"{PLUGINS}/platforms/libqxcb.so", True),
        (f"{PLUGINS}/platforms/libqwayland.so", True),
        (f"{PLUGINS}/platforms/libqwayland-egl.so", True),  # Qt < 6.10
        (f"{PLUGINS}/platforms/libqeglfs.so", False),
        (f"{PLUGINS}/platforms/libqvnc.so", False),
        (f"{PLUGINS}/platforms/libqoffscreen.so", False),
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        (f"{PLUGINS}/platforms/libqcocoa.dylib", True),
        (f"{PLUGINS}/iconengines/libqsvgicon.so", True),
        (f"{PLUGINS}/imageformats/libqsvg.so", True),
        (f"{PLUGINS}/imageformats/libqpdf.so", False),
        (f"{PLUGINS}/imageformats/libqjpeg.so", False),
        (f"{PLUGINS}/platformthemes/libqxdgdesktopportal.so", True),
        (f"{PLUGINS}/platformthemes/libqgtk3.so", False),
        (f"{PLUGINS}/xcbglintegrations/libqxcb-glx-integration.so", True),
        (f"{PLUGINS}/wayland-shell-integration/libxdg-shell.so", True),
        (
            f"{PLUGINS}/wayland-graphics-integration-server/libqt-wayland-compositor-xcomposite-egl.so",
            False,
        ),
        (f"{PLUGINS}/sqldrivers/libqsqlite.so", False),
        (f"{PLUGINS}/tls/libqopensslbackend.so", False),
        (f"{PLUGINS}/qmltooling/libqmldbg_debugger.so", False),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", False),
        ("PySide6/Qt/lib/libQt6Gui.so.6", True),
        ("PySide6/Qt/lib/libQt6Svg.so.6", True),
        ("libgtk-3.so.0", True),  # dropped by kept_binaries only when nothing kept needs it
        ("cryptography/hazmat/bindings/_rust.abi3.so", True),
    ],
)
def test_keep(path: str, kept: bool) -> None:
    assert keep(path) is kept


def _entry(name: str) -> tuple[str, str, str]:
    return (name, f"/src/{name}", "BINARY")


def test_a_library_only_a_dropped_plugin_needs_goes_with_it() -> None:
    gtk_theme = f"{PLUGINS}/platformthemes/libqgtk3.so"
    portal = f"{PLUGINS}/platformthemes/libqxdgdesktopportal.so"
    links = {
        f"/src/{gtk_theme}": ["/src/libgtk-3.so.0", "/src/libQt6Gui.so.6"],
        "/src/libgtk-3.so.0": ["/src/libcairo.so.2", "/src/libfontconfig.so.1"],
        f"/src/{portal}": ["/src/libQt6Gui.so.6", "/src/libQt6DBus.so.6"],
        "/src/QtGui.abi3.so": ["/src/libQt6Gui.so.6"],
        "/src/libQt6Gui.so.6": ["/src/libfontconfig.so.1"],
        "/src/libQt6DBus.so.6": ["/src/libdbus-1.so.3"],
    }
    names = [
        gtk_theme,
        portal,
        "QtGui.abi3.so",
        "libgtk-3.so.0",
        "libcairo.so.2",
        "libfontconfig.so.1",
        "libQt6Gui.so.6",
        "libQt6DBus.so.6",
        "libdbus-1.so.3",
        "libsqlite3.so.0",  # reached from nothing dropped: kept whatever links it
    ]
    kept = kept_binaries([_entry(n) for n in names], lambda source: links.get(source, []))
    assert {entry[0] for entry in kept} == {
        portal,
        "QtGui.abi3.so",
        "libfontconfig.so.1",  # the GTK stack needed it, and so does Qt Gui
        "libQt6Gui.so.6",
        "libQt6DBus.so.6",
        "libdbus-1.so.3",
        "libsqlite3.so.0",
    }
