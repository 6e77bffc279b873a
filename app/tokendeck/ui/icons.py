"""Icons shipped in tokendeck.resources (SVG, rendered by Qt at any size)."""

from __future__ import annotations

from enum import StrEnum
from functools import cache
from importlib import resources

from PySide6.QtGui import QIcon


class TrayState(StrEnum):
    OK = "ok"
    WARNING = "warning"
    EXPIRED = "expired"


def _path(name: str) -> str:
    return str(resources.files("tokendeck.resources") / "icons" / name)


@cache
def app_icon() -> QIcon:
    icon = QIcon(_path("tokendeck.svg"))
    for size in (16, 32, 48, 64, 128, 256):
        icon.addFile(_path(f"tokendeck-{size}.png"))
    return icon


@cache
def tray_icon(state: TrayState) -> QIcon:
    return QIcon(_path(f"tray-{state.value}.svg"))
