"""What the standalone bundle keeps of Qt: the plugins TokenDeck uses, on each system, and the
libraries those need (not the ones only a dropped plugin needed).

Read by the PyInstaller spec (pyinstaller/tokendeck.spec) and by the tests, which check the
rule on real plugin paths and the built bundle against it (tests/packaging/).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence

# Plugin folder → the plugins kept there (file stems without "lib" / "q" prefixes), or None for
# every plugin of that folder. A folder not listed is dropped whole.
QT_PLUGINS: dict[str, frozenset[str] | None] = {
    # The windowing systems: X11 and Wayland on Linux, Windows, macOS.
    "platforms": frozenset(
        {"xcb", "wayland", "wayland-egl", "wayland-generic", "windows", "cocoa"}
    ),
    "xcbglintegrations": None,  # the xcb plugin's OpenGL glue (it fails to start without one)
    "wayland-shell-integration": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    # The desktop's colours, dark mode and file dialogs, through the XDG portal; not GTK's theme,
    # which would bring a copy of GTK 3 and its libraries into the bundle.
    "platformthemes": frozenset({"xdgdesktopportal"}),
    "platforminputcontexts": None,  # compose key, dead keys and input methods (IBus)
    "styles": None,  # Windows 11 / macOS native styles
    "iconengines": frozenset({"svgicon"}),  # every icon TokenDeck draws is an SVG
    "imageformats": frozenset({"svg"}),  # PNG is built into Qt
}

EXCLUDED_MODULES = (
    "tkinter",
    "tokendeck.sandbox",  # an optional part (the `sandbox` extra), not in a credential manager
    "starlette",
    "uvicorn",
)

_PLUGIN_PATH = re.compile(r"(?:^|[\\/])plugins[\\/](?P<folder>[^\\/]+)[\\/](?P<file>[^\\/]+)$")
_QT_LIBRARY = re.compile(r"(?:^|[\\/])(?:lib)?Qt6(?P<module>[A-Za-z]+)(?:\.|$)")
# Qt libraries that only dropped plugins load (a PDF image reader, QML tooling, the Wayland
# compositor side, VNC / eglfs input): PyInstaller collected them for those plugins.
DROPPED_QT_LIBRARIES = frozenset(
    {
        "Pdf",
        "Qml",
        "QmlMeta",
        "QmlModels",
        "QmlWorkerScript",
        "Quick",
        "WaylandCompositor",
        "EglFSDeviceIntegration",
        "EglFsKmsSupport",
        "EglFsKmsGbmSupport",
        "VirtualKeyboard",
    }
)


def _stem(file: str) -> str:
    stem = file.split(".", 1)[0]
    stem = stem.removeprefix("lib")
    return stem.removeprefix("q")


def keep(destination: str) -> bool:
    """Whether a file PyInstaller collected (its path inside the bundle) stays in the bundle."""
    plugin = _PLUGIN_PATH.search(destination)
    if plugin is not None and "PySide6" in destination:
        if plugin["folder"] not in QT_PLUGINS:
            return False
        wanted = QT_PLUGINS[plugin["folder"]]
        return wanted is None or _stem(plugin["file"]) in wanted
    library = _QT_LIBRARY.search(destination)
    return library is None or library["module"] not in DROPPED_QT_LIBRARIES


Entry = tuple[str, str, str]  # PyInstaller's TOC entry: (path in the bundle, source path, kind)


def kept_binaries(
    binaries: Sequence[Entry], imports: Callable[[str], Iterable[str]]
) -> list[Entry]:
    """`binaries` without the dropped plugins and the libraries only they needed.

    PyInstaller collected each plugin's libraries before we could drop the plugin (GTK 3 and its
    stack for the GTK theme, Qt PDF for the PDF image reader). A library reachable from a dropped
    plugin stays only when something kept (a Python extension, a kept plugin, a library no
    dropped plugin reaches) needs it too. `imports(source)` gives the real paths a binary links.
    """
    by_source = {os.path.realpath(source): entry for entry in binaries for source in [entry[1]]}

    def closure(roots: Iterable[Entry]) -> set[str]:
        seen: set[str] = set()
        todo = [os.path.realpath(entry[1]) for entry in roots]
        while todo:
            source = todo.pop()
            if source in seen:
                continue
            seen.add(source)
            todo.extend(path for path in imports(source) if path in by_source)
        return seen

    dropped = [entry for entry in binaries if not keep(entry[0])]
    reached_from_dropped = closure(dropped) - {os.path.realpath(e[1]) for e in dropped}
    roots = [
        entry
        for entry in binaries
        if keep(entry[0]) and os.path.realpath(entry[1]) not in reached_from_dropped
    ]
    needed = closure(roots)
    return [entry for entry in binaries if os.path.realpath(entry[1]) in needed]
