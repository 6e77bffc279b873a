"""Icons shipped in tokendeck.resources (SVG, rendered by Qt at any size): the app's, the tray's,
and one set for every action (see below)."""

from __future__ import annotations

import os
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, QStandardPaths
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QTabWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractButton


class TrayState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    EXPIRED = "expired"


def resource_path(name: str) -> str:
    """A file shipped in tokendeck.resources/icons (read from the installed package)."""
    return str(_icons_dir() / name)


@cache
def _icons_dir() -> Path:
    return package_folder("tokendeck.resources") / "icons"


def package_folder(name: str) -> Path:
    """The folder of package `name`, found without importing it.

    TokenDeck is installed as files (wheel, .deb, the PyInstaller bundle's data files), never
    imported from a zip, so `importlib.resources` (nine modules, about 2 ms before the first
    paint) has nothing more to offer. The folder is the package's search location, not its
    `__init__`'s: the bundle holds tokendeck/resources as data without its `__init__`, which
    makes it a namespace package there (a spec with no origin)."""
    import importlib.util

    spec = importlib.util.find_spec(name)
    places = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not places:
        raise RuntimeError(f"TokenDeck's files are not installed ({name})")
    return Path(places[0])


@cache
def app_icon() -> QIcon:
    """The SVG alone: Qt renders it at every size a window or the tray asks for (on X11 the
    window's _NET_WM_ICON is 16, 32, 64 and 128 px either way). The PNG renders shipped beside
    it are for the desktop's icon theme; adding them here decoded six files (3 ms) before the
    first paint."""
    return QIcon(resource_path("tokendeck.svg"))


@cache
def tray_icon(state: TrayState) -> QIcon:
    return QIcon(resource_path(f"tray-{state.value}.svg"))


# -- the actions' icons ----------------------------------------------------------------------------
#
# One set, Lucide's (ISC licence, resources/icons/actions/LICENSE-lucide.txt): line icons drawn in
# `currentColor`, which TokenDeck fills with the palette's button-text colour, so they read on
# light and dark alike. The fallback chain, best first:
#   1. the desktop's icon theme (Breeze, Adwaita...), when the theme follows the system and the
#      desktop has that icon (`QIcon.fromTheme`), so TokenDeck looks like its neighbours;
#   2. our SVG, coloured, as a file in the user's cache dir, which Qt renders sharp at any size;
#   3. our SVG, coloured, rendered here at the usual sizes (a cache dir that cannot be written).


class Act(StrEnum):
    """Every icon of a button, tab or empty page, by its file in resources/icons/actions."""

    ACCOUNTS = "users"
    KEYS = "key-round"
    TOKENS = "ticket"
    ADD = "plus"
    EDIT = "pencil"
    REMOVE = "trash-2"
    SIGN_IN = "log-in"
    SIGN_OUT = "log-out"
    TEST = "plug-zap"
    PIN = "pin"
    COPY = "copy"
    REFRESH = "refresh-cw"
    ROTATE = "rotate-cw"
    REVOKE = "ban"
    INSPECT = "scan-search"
    SETTINGS = "settings"
    SHOW = "eye"
    HIDE = "eye-off"
    CLEAR_CLIPBOARD = "clipboard-x"
    ERROR = "circle-x"
    WARNING = "triangle-alert"
    INFO = "info"


DESKTOP_NAMES = {
    Act.ADD: "list-add",
    Act.EDIT: "document-edit",
    Act.REMOVE: "edit-delete",
    Act.COPY: "edit-copy",
    Act.REFRESH: "view-refresh",
    Act.INSPECT: "edit-find",
    Act.SETTINGS: "preferences-system",
    Act.CLEAR_CLIPBOARD: "edit-clear",
}
_RENDERED_SIZES = (16, 20, 24, 32, 48)


_ICON_PROPERTY = "tokendeck-icon"  # on a button: the Act it shows, to re-colour it
_TAB_ICONS_PROPERTY = "tokendeck-tab-icons"  # on a tab widget: "i:act i:act"
_follow_desktop = True  # False once the user picks Light or Dark (see ui/theme.py)


def follow_desktop_icons(follow: bool) -> None:
    """Whether the desktop's icon theme comes first (only when the colours follow it too)."""
    global _follow_desktop
    _follow_desktop = follow
    _icon.cache_clear()


def set_icon(button: QAbstractButton, act: Act) -> None:
    """Show `act` on `button`, now and after every change of palette (`recolour_icons`)."""
    button.setProperty(_ICON_PROPERTY, act.value)
    button.setIcon(icon(act, button.palette()))


def set_tab_icon(tabs: QTabWidget, index: int, act: Act) -> None:
    marks = dict(_tab_marks(tabs))
    marks[index] = act
    tabs.setProperty(_TAB_ICONS_PROPERTY, " ".join(f"{i}:{a.value}" for i, a in marks.items()))
    tabs.setTabIcon(index, icon(act, tabs.palette()))


def _tab_marks(tabs: QTabWidget) -> list[tuple[int, Act]]:
    found = []
    for mark in str(tabs.property(_TAB_ICONS_PROPERTY) or "").split():
        index, _, value = mark.partition(":")
        found.append((int(index), Act(value)))
    return found


def recolour_icons() -> None:
    """After a change of palette (Settings → Theme, or the desktop's): every icon set by
    `set_icon` / `set_tab_icon` in the new colours."""
    from PySide6.QtWidgets import QAbstractButton  # (its type is made on import: after the paint)

    for widget in QApplication.allWidgets():
        value = widget.property(_ICON_PROPERTY)
        if value and isinstance(widget, QAbstractButton):
            widget.setIcon(icon(Act(str(value)), widget.palette()))
        if isinstance(widget, QTabWidget):
            for index, act in _tab_marks(widget):
                widget.setTabIcon(index, icon(act, widget.palette()))


def icon(act: Act, palette: QPalette | None = None, *, color: QColor | None = None) -> QIcon:
    """The icon of `act` for `palette` (the application's by default); `color` overrides the
    palette's button-text colour (a status tone)."""
    palette = palette or QGuiApplication.palette()
    normal = color or palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    return _icon(act, normal.name(), disabled.name(), color is None)


@cache
def _icon(act: Act, normal: str, disabled: str, themable: bool) -> QIcon:
    desktop = DESKTOP_NAMES.get(act, "")
    if themable and desktop and _follow_desktop and QIcon.hasThemeIcon(desktop):
        return QIcon.fromTheme(desktop)
    text = _icons_dir() / "actions" / f"{act.value}.svg"
    svg = text.read_text(encoding="utf-8")
    made = QIcon()
    for mode, color in ((QIcon.Mode.Normal, normal), (QIcon.Mode.Disabled, disabled)):
        coloured = svg.replace("currentColor", color)
        path = _cached_file(f"{act.value}-{color.lstrip('#')}.svg", coloured)
        if path is not None:
            made.addFile(str(path), QSize(), mode)
        else:
            for size in _RENDERED_SIZES:
                made.addPixmap(_render(coloured, size), mode)
    return made


def _cached_file(name: str, content: str) -> Path | None:
    """`content` as a file in the cache dir (written once, atomically); None if it cannot be."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericCacheLocation)
    if not base:
        return None
    folder = Path(base) / "tokendeck" / "icons"
    path = folder / name
    try:
        if path.is_file() and path.read_text(encoding="utf-8") == content:
            return path
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / f".{name}.{os.getpid()}"
        partial.write_text(content, encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        return None
    return path


def _render(svg: str, size: int) -> QPixmap:
    # Only when the cache dir cannot be written: these types are made on first import (1-2 ms).
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QImageReader

    data = QByteArray(svg.encode("utf-8"))
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, QByteArray(b"svg"))
    reader.setScaledSize(QSize(size, size))
    return QPixmap.fromImage(reader.read())


def dot_icon(color: QColor, size: int = 12) -> QIcon:
    """A dot of `color` (a status's tone). Rendered from SVG: drawn with QPainter, its brush
    would make the `Qt` namespace's 93 enums, and the Accounts table's first rows show it
    before them (see ui/probes.py)."""
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}">'
        f'<circle cx="{size / 2}" cy="{size / 2}" r="{size / 2 - 1}" fill="{color.name()}"/></svg>'
    )
    return QIcon(_render(svg, size))


def tone_icon(act: Act, tone: str, palette: QPalette | None = None) -> QIcon:
    """`act` in the colour of a state's tone (ok / warn / bad / muted) on `palette`."""
    from tokendeck.ui.status_style import tone_color

    palette = palette or QGuiApplication.palette()
    return icon(act, palette, color=tone_color(tone, palette))
