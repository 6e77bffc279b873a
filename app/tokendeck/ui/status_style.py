"""Colours for ok / expiring / expired, picked to stay readable on light and dark palettes."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from tokendeck.core.token_status import TokenStatus

_LIGHT = {"ok": "#1e7e34", "warn": "#b35c00", "bad": "#c5221f", "muted": "#5f6368"}
_DARK = {"ok": "#81c995", "warn": "#fdd663", "bad": "#f28b82", "muted": "#bdc1c6"}

_TONE = {
    TokenStatus.VALID: "ok",
    TokenStatus.EXPIRING_SOON: "warn",
    TokenStatus.EXPIRED: "bad",
    TokenStatus.NOT_YET_VALID: "warn",
    TokenStatus.NO_EXPIRY: "muted",
    TokenStatus.UNKNOWN: "muted",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def tone_color(tone: str, palette: QPalette) -> QColor:
    return QColor((_DARK if is_dark(palette) else _LIGHT)[tone])


def status_color(status: TokenStatus, palette: QPalette) -> QColor:
    return tone_color(_TONE[status], palette)
